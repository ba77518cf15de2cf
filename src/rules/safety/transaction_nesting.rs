//! `transaction-nesting`: BEGIN or COMMIT in a migration the tool already
//! runs in a transaction, or BEGIN inside a BEGIN.

use super::model::Action;
use super::{finding, scans, Tx, Wrap};
use crate::finding::Finding;
use crate::rules::Context;

/// Reports a BEGIN inside an open transaction (the tool's or the script's),
/// and a COMMIT that ends the transaction the tool opened.
pub fn check(ctx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    for scan in scans(ctx) {
        let layout = scan.dir.head.layout.name();
        for step in scan.steps {
            for action in step.actions() {
                match (action, &step.tx) {
                    (Action::Begin { at }, Some(Tx::Explicit { begin, .. })) => out.push(
                        finding(
                            "transaction-nesting",
                            &scan,
                            at.clone(),
                            "BEGIN inside a transaction the script already opened: PostgreSQL ignores it with a warning, MySQL commits the open transaction first",
                        )
                        .with(scan.at(begin.clone()), "the transaction opened here")
                        .label("nested BEGIN")
                        .help("remove the inner BEGIN (and its COMMIT); use SAVEPOINT for a nested unit"),
                    ),
                    (Action::Begin { at }, Some(Tx::Tool { .. })) if scan.wrap == Wrap::Tool => out.push(
                        finding(
                            "transaction-nesting",
                            &scan,
                            at.clone(),
                            format!(
                                "BEGIN in a migration that {layout} already runs in a transaction: the COMMIT that goes with it ends {layout}'s transaction, so the migration is no longer atomic with its record in the history table"
                            ),
                        )
                        .label("the tool's transaction is already open")
                        .help(format!("remove BEGIN and COMMIT: {layout} already makes the migration atomic")),
                    ),
                    (Action::Commit { at }, Some(Tx::Tool { .. })) if scan.wrap == Wrap::Tool => out.push(
                        finding(
                            "transaction-nesting",
                            &scan,
                            at.clone(),
                            format!(
                                "COMMIT ends the transaction {layout} opened for this migration: what follows, and {layout}'s record of the migration, are no longer atomic with what precedes"
                            ),
                        )
                        .label("commits the tool's transaction")
                        .help(format!("remove the COMMIT: {layout} commits the migration itself")),
                    ),
                    _ => {}
                }
            }
        }
    }
    out
}
