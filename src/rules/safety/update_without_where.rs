//! `update-without-where`: an UPDATE of every row of a table in use.

use super::model::Action;
use super::{finding, scans};
use crate::finding::Finding;
use crate::plan::MigrationKind;
use crate::rules::Context;

/// Reports UPDATE without WHERE (or with a constant-true one) on tables that
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
                let Action::Update {
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
                        "update-without-where",
                        &scan,
                        at.clone(),
                        format!("UPDATE of every row of {what}: one statement rewrites them all and holds a lock on each until the migration commits"),
                    )
                    .label("no WHERE")
                    .help("add the WHERE you mean; for a backfill of a large table, update in batches (`WHERE id BETWEEN ...`) from a job or migrations of their own"),
                );
            }
        }
    }
    out
}
