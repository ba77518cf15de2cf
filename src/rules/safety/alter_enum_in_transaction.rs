//! `alter-enum-in-transaction`: `ALTER TYPE ... ADD VALUE` inside a
//! transaction fails before PostgreSQL 12, and the new value cannot be used
//! in that transaction after.

use super::model::Action;
use super::{finding, postgres, scans};
use crate::finding::Finding;
use crate::rules::Context;

/// Reports `ADD VALUE` that runs in a transaction: always before PostgreSQL
/// 12 (per `postgres_version`), and from 12 on when a later statement of the
/// same transaction uses the new value.
pub fn check(ctx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    if !postgres(ctx) {
        return out;
    }
    let allowed = ctx.config.postgres_at_least(12);
    for scan in scans(ctx) {
        for (i, step) in scan.steps.iter().enumerate() {
            let Some(tx) = &step.tx else { continue };
            for action in step.actions() {
                let Action::AddEnumValue {
                    type_name,
                    value,
                    at,
                } = action
                else {
                    continue;
                };
                let help = format!(
                    "add the value in a migration of its own that runs outside a transaction ({}), and use it from the next migration",
                    scan.dir.head.layout.no_transaction_hint()
                );
                if !allowed {
                    out.push(
                        finding(
                            "alter-enum-in-transaction",
                            &scan,
                            at.clone(),
                            format!("ALTER TYPE {type_name} ADD VALUE cannot run inside a transaction before PostgreSQL 12, and this one runs in one: the migration fails"),
                        )
                        .label("inside a transaction")
                        .help(help),
                    );
                    continue;
                }
                let literal = format!("'{}'", value.replace('\'', "''"));
                let used = scan.steps[i + 1..].iter().find(|later| {
                    later.tx.as_ref().is_some_and(|t| t.group() == tx.group())
                        && scan.sql(later).contains(&literal)
                });
                if let Some(used) = used {
                    out.push(
                        finding(
                            "alter-enum-in-transaction",
                            &scan,
                            at.clone(),
                            format!("the value {literal} added to {type_name} is used in the transaction that adds it, which PostgreSQL refuses (unsafe use of new value): the migration fails"),
                        )
                        .label("added here")
                        .with(scan.at(used.span.clone()), "used before the transaction commits")
                        .help(help),
                    );
                }
            }
        }
    }
    out
}
