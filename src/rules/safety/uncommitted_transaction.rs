//! `uncommitted-transaction`: a BEGIN with no COMMIT leaves the transaction
//! open when the script ends.

use super::model::Action;
use super::{finding, scans, Wrap};
use crate::finding::Finding;
use crate::rules::Context;

/// Reports a BEGIN that no COMMIT, END, ROLLBACK or ABORT closes before the
/// end of the script. Inside a transaction the tool commits, that BEGIN is
/// `transaction-nesting`'s to report.
pub fn check(ctx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    for scan in scans(ctx) {
        if scan.wrap == Wrap::Tool {
            continue;
        }
        let mut open = None;
        for step in scan.steps {
            for action in step.actions() {
                match action {
                    Action::Begin { at } if open.is_none() => open = Some(at.clone()),
                    Action::Commit { .. } => open = None,
                    _ => {}
                }
            }
        }
        if let Some(at) = open {
            out.push(
                finding(
                    "uncommitted-transaction",
                    &scan,
                    at,
                    "BEGIN without a COMMIT: the transaction is still open when the script ends, so its changes are rolled back when the connection closes, or hold their locks until then",
                )
                .label("never committed")
                .help("end the transaction with COMMIT; at the end of the script"),
            );
        }
    }
    out
}
