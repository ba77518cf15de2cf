//! `rename-column`: renaming a column that the application version still
//! running reads and writes.

use super::model::Action;
use super::{finding, scans};
use crate::finding::Finding;
use crate::rules::Context;

/// Reports `RENAME COLUMN` (and MySQL `CHANGE COLUMN old new`) on columns
/// that existed before the migration.
pub fn check(ctx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    for scan in scans(ctx) {
        for (i, step) in scan.steps.iter().enumerate() {
            for action in step.actions() {
                let Action::RenameColumn {
                    table,
                    from,
                    to,
                    at,
                } = action
                else {
                    continue;
                };
                if scan.is_new_column(table, from, i) {
                    continue;
                }
                out.push(
                    finding(
                        "rename-column",
                        &scan,
                        at.clone(),
                        format!(
                            "renaming column {}.{from} to {to} breaks the application version still running, which uses {from}",
                            table.shown
                        ),
                    )
                    .label(format!("{from} no longer exists once this runs"))
                    .help(format!(
                        "expand and contract: add {to}, write both columns and backfill {to}, move readers to {to}, and drop {from} in a later release once no running version uses it"
                    )),
                );
            }
        }
    }
    out
}
