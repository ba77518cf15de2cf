//! `delete-without-where`: a DELETE of every row of a table in use.

use super::model::Action;
use super::{finding, scans};
use crate::finding::Finding;
use crate::plan::MigrationKind;
use crate::rules::Context;

/// Reports DELETE without WHERE (or with a constant-true one) on tables that
/// existed before the migration, except in repeatable migrations (Flyway
/// `R__`), which reload the reference data they own.
pub fn check(ctx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    for scan in scans(ctx) {
        // A repeatable migration owns the reference data it reloads.
        if scan.kind == MigrationKind::Repeatable {
            continue;
        }
        for (i, step) in scan.steps.iter().enumerate() {
            for action in step.actions() {
                let Action::Delete {
                    table,
                    filtered: false,
                    at,
                } = action
                else {
                    continue;
                };
                if table.as_ref().is_some_and(|t| scan.is_new_table(t, i)) {
                    continue;
                }
                let what = table
                    .as_ref()
                    .map_or("the table".to_string(), |t| t.shown.clone());
                out.push(
                    finding(
                        "delete-without-where",
                        &scan,
                        at.clone(),
                        format!("DELETE of every row of {what}: its data is gone in every environment this migration reaches"),
                    )
                    .label("no WHERE")
                    .help(format!(
                        "add the WHERE you mean; if emptying {what} is the point, say so with `-- sqlgate:ignore delete-without-where <reason>`"
                    )),
                );
            }
        }
    }
    out
}
