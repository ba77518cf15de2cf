//! `drop-default-in-use`: dropping a default that INSERTs of the running
//! application may rely on.

use super::model::Action;
use super::{finding, scans};
use crate::finding::Finding;
use crate::rules::Context;

/// Reports `ALTER COLUMN ... DROP DEFAULT` on columns that existed before
/// the migration.
pub fn check(ctx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    for scan in scans(ctx) {
        for (i, step) in scan.steps.iter().enumerate() {
            for action in step.actions() {
                let Action::DropDefault { table, column, at } = action else {
                    continue;
                };
                if scan.is_new_column(table, column, i) {
                    continue;
                }
                out.push(
                    finding(
                        "drop-default-in-use",
                        &scan,
                        at.clone(),
                        format!(
                            "dropping the default of {}.{column}: INSERTs of the application version still running that leave {column} out store NULL instead, or fail if it is NOT NULL",
                            table.shown
                        ),
                    )
                    .label("default dropped here")
                    .help(format!(
                        "drop the default only once every running application version sets {column} itself, and say so with `-- sqlgate:ignore drop-default-in-use <the release that sets it>`"
                    )),
                );
            }
        }
    }
    out
}
