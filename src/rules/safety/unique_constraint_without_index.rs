//! `unique-constraint-without-index`: a UNIQUE constraint builds its index
//! while the table is locked.

use super::model::Action;
use super::{finding, postgres, scans};
use crate::finding::Finding;
use crate::rules::Context;
use crate::sql::ast;

/// Reports `ADD [CONSTRAINT ...] UNIQUE (...)` (and `ADD COLUMN ...
/// UNIQUE`) on tables that existed before the migration; `UNIQUE USING
/// INDEX` is the safe form.
pub fn check(ctx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    if !postgres(ctx) {
        return out;
    }
    for scan in scans(ctx) {
        for (i, step) in scan.steps.iter().enumerate() {
            for action in step.actions() {
                let (table, name, columns, at) = match action {
                    Action::AddConstraint {
                        table,
                        constraint: ast::TableConstraint::Unique(unique),
                        at,
                        ..
                    } => (
                        table,
                        unique.name.as_ref().map(ToString::to_string),
                        unique
                            .columns
                            .iter()
                            .map(|c| c.column.expr.to_string())
                            .collect::<Vec<_>>()
                            .join(", "),
                        at,
                    ),
                    Action::AddColumn { table, column, at }
                        if column
                            .options
                            .iter()
                            .any(|o| matches!(o.option, ast::ColumnOption::Unique(_))) =>
                    {
                        (table, None, column.name.to_string(), at)
                    }
                    _ => continue,
                };
                if scan.is_new_table(table, i) {
                    continue;
                }
                let t = &table.shown;
                let index = name.clone().unwrap_or_else(|| {
                    format!(
                        "{}_{}_key",
                        t.rsplit('.').next().unwrap_or(t).trim_matches('"'),
                        columns.replace(", ", "_")
                    )
                });
                out.push(
                    finding(
                        "unique-constraint-without-index",
                        &scan,
                        at.clone(),
                        format!(
                            "adding a unique constraint{} on {t} ({columns}) builds its index under an ACCESS EXCLUSIVE lock, blocking reads and writes of {t}",
                            name.map_or(String::new(), |n| format!(" {n}"))
                        ),
                    )
                    .label("index built while the table is locked")
                    .help(format!(
                        "build the index first, concurrently, in a migration of its own (`CREATE UNIQUE INDEX CONCURRENTLY {index} ON {t} ({columns});`), then add the constraint on it: `ALTER TABLE {t} ADD CONSTRAINT {index} UNIQUE USING INDEX {index};`"
                    )),
                );
            }
        }
    }
    out
}
