//! `vacuum-full`: `VACUUM FULL` rewrites a table under an ACCESS EXCLUSIVE
//! lock.

use super::model::Action;
use super::{finding, postgres, scans};
use crate::finding::Finding;
use crate::rules::Context;

/// Reports `VACUUM FULL` and `VACUUM (FULL)`.
pub fn check(ctx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    if !postgres(ctx) {
        return out;
    }
    for scan in scans(ctx) {
        for step in scan.steps {
            for action in step.actions() {
                let Action::VacuumFull { table } = action else {
                    continue;
                };
                let what = table
                    .as_ref()
                    .map_or("every table of the database".to_string(), |t| {
                        t.shown.clone()
                    });
                out.push(
                    finding(
                        "vacuum-full",
                        &scan,
                        step.span.clone(),
                        format!("VACUUM FULL rewrites {what} under an ACCESS EXCLUSIVE lock, blocking its reads and writes until it finishes"),
                    )
                    .label("rewrite under ACCESS EXCLUSIVE")
                    .help("reclaim space online with pg_repack or pg_squeeze, or leave it to plain VACUUM; a VACUUM FULL belongs in a maintenance window, not a migration"),
                );
            }
        }
    }
    out
}
