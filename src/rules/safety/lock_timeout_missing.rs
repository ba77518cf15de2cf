//! `lock-timeout-missing`: an ACCESS EXCLUSIVE lock requested without
//! `SET lock_timeout` first.

use super::model::{Action, Locked};
use super::{finding, postgres, scans};
use crate::finding::Finding;
use crate::rules::Context;

/// Reports, once per migration, the first statement that takes an ACCESS
/// EXCLUSIVE lock on a table that existed before the migration when no
/// `SET lock_timeout` (other than 0) precedes it.
pub fn check(ctx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    if !postgres(ctx) {
        return out;
    }
    for scan in scans(ctx) {
        let mut timeout = false;
        for (i, step) in scan.steps.iter().enumerate() {
            for action in step.actions() {
                if let Action::SetLockTimeout { enabled } = action {
                    timeout = *enabled;
                }
            }
            if timeout {
                continue;
            }
            let Some((locked, at)) = scan.exclusive_lock(i) else {
                continue;
            };
            let what = match &locked {
                Locked::Table(t) => t.shown.clone(),
                Locked::IndexTable(i) => format!("the table of {}", i.shown),
                Locked::Unnamed => "the tables it names".to_string(),
            };
            out.push(
                finding(
                    "lock-timeout-missing",
                    &scan,
                    at,
                    format!(
                        "this takes an ACCESS EXCLUSIVE lock on {what} without a lock_timeout: while it waits behind a long query, every query on {what} queues behind it"
                    ),
                )
                .label("waits for the lock as long as it takes")
                .help("start the migration with `SET lock_timeout = '5s';` (`SET LOCAL` inside a transaction), and retry the migration if it times out"),
            );
            break;
        }
    }
    out
}
