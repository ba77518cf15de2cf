//! `add-primary-key-without-index`: a PRIMARY KEY added to an existing
//! table builds its index while the table is locked.

use super::model::Action;
use super::{finding, is_primary_key, postgres, scans};
use crate::finding::Finding;
use crate::rules::Context;
use crate::sql::ast;

/// Reports `ADD [CONSTRAINT ...] PRIMARY KEY (...)` (and `ADD COLUMN ...
/// PRIMARY KEY`) on tables that existed before the migration; `PRIMARY KEY
/// USING INDEX` is the safe form.
pub fn check(ctx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    if !postgres(ctx) {
        return out;
    }
    for scan in scans(ctx) {
        for (i, step) in scan.steps.iter().enumerate() {
            for action in step.actions() {
                let (table, columns, at) = match action {
                    Action::AddConstraint {
                        table,
                        constraint: ast::TableConstraint::PrimaryKey(pk),
                        at,
                        ..
                    } => (
                        table,
                        pk.columns
                            .iter()
                            .map(|c| c.column.expr.to_string())
                            .collect::<Vec<_>>()
                            .join(", "),
                        at,
                    ),
                    Action::AddColumn { table, column, at } if is_primary_key(column) => {
                        (table, column.name.to_string(), at)
                    }
                    _ => continue,
                };
                if scan.is_new_table(table, i) {
                    continue;
                }
                let t = &table.shown;
                let index = format!(
                    "{}_pkey",
                    t.rsplit('.').next().unwrap_or(t).trim_matches('"')
                );
                out.push(
                    finding(
                        "add-primary-key-without-index",
                        &scan,
                        at.clone(),
                        format!(
                            "adding a primary key on {t} ({columns}) builds its index under an ACCESS EXCLUSIVE lock, blocking reads and writes of {t}"
                        ),
                    )
                    .label("index built while the table is locked")
                    .help(format!(
                        "build the index first, concurrently, in a migration of its own (`CREATE UNIQUE INDEX CONCURRENTLY {index} ON {t} ({columns});`), then `ALTER TABLE {t} ADD CONSTRAINT {index} PRIMARY KEY USING INDEX {index};` (the columns must already be NOT NULL)"
                    )),
                );
            }
        }
    }
    out
}
