//! `drop-column`: dropping a column without a contract phase.

use super::model::Action;
use super::{finding, scans};
use crate::finding::Finding;
use crate::rules::Context;

/// Reports `DROP COLUMN` of columns that existed before the migration.
pub fn check(ctx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    for scan in scans(ctx) {
        for (i, step) in scan.steps.iter().enumerate() {
            for action in step.actions() {
                let Action::DropColumn { table, column, at } = action else {
                    continue;
                };
                if scan.is_new_column(table, column, i) {
                    continue;
                }
                out.push(
                    finding(
                        "drop-column",
                        &scan,
                        at.clone(),
                        format!(
                            "dropping column {}.{column} destroys its data and breaks the application version still running if it uses {column}",
                            table.shown
                        ),
                    )
                    .label("dropped here")
                    .help(format!(
                        "contract only after expanding: release an application version that no longer reads or writes {column} first, then drop it in a later migration and say so with `-- sqlgate:ignore drop-column <the release that stopped using it>`"
                    )),
                );
            }
        }
    }
    out
}
