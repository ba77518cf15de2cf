//! `cluster`: `CLUSTER` rewrites a table under an ACCESS EXCLUSIVE lock.

use super::model::Action;
use super::{finding, postgres, scans};
use crate::finding::Finding;
use crate::rules::Context;

/// Reports `CLUSTER` (not `ALTER TABLE ... CLUSTER ON`, which only records
/// the index).
pub fn check(ctx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    if !postgres(ctx) {
        return out;
    }
    for scan in scans(ctx) {
        for step in scan.steps {
            for action in step.actions() {
                let Action::Cluster { table } = action else {
                    continue;
                };
                let what = table
                    .as_ref()
                    .map_or("every clustered table".to_string(), |t| t.shown.clone());
                out.push(
                    finding(
                        "cluster",
                        &scan,
                        step.span.clone(),
                        format!("CLUSTER rewrites {what} under an ACCESS EXCLUSIVE lock, blocking its reads and writes until it finishes"),
                    )
                    .label("rewrite under ACCESS EXCLUSIVE")
                    .help("reorder the table online with pg_repack (`pg_repack --order-by`), or run CLUSTER in a maintenance window, not in a migration"),
                );
            }
        }
    }
    out
}
