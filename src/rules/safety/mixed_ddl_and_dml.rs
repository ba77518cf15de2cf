//! `mixed-ddl-and-dml`: a data backfill in the same transaction as a schema
//! change keeps the schema change's lock for the whole backfill.

use super::model::{Action, Locked};
use super::{finding, postgres, scans};
use crate::finding::Finding;
use crate::rules::Context;

/// Reports, once per transaction, an UPDATE, DELETE, MERGE or INSERT ...
/// SELECT that runs after a statement of the same transaction took an
/// ACCESS EXCLUSIVE lock on a table that existed before the migration.
pub fn check(ctx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    if !postgres(ctx) {
        return out;
    }
    for scan in scans(ctx) {
        // The first exclusive lock of the current transaction, and whether
        // that transaction was reported.
        let mut held: Option<(usize, Locked, std::ops::Range<usize>)> = None;
        let mut reported = None;
        for (i, step) in scan.steps.iter().enumerate() {
            let Some(tx) = &step.tx else {
                held = None;
                continue;
            };
            if held
                .as_ref()
                .is_some_and(|(group, ..)| *group != tx.group())
            {
                held = None;
            }
            // Writes to a table the migration created touch few rows.
            let writes = step.actions().iter().find_map(|a| match a {
                Action::Update { table, at, .. } | Action::Delete { table, at, .. } => {
                    (!table.as_ref().is_some_and(|t| scan.is_new_table(t, i))).then_some(at)
                }
                Action::BulkWrite { at } => Some(at),
                _ => None,
            });
            if let (Some(at), Some((group, locked, lock_at))) = (writes, &held) {
                if reported != Some(*group) {
                    reported = Some(*group);
                    let what = match locked {
                        Locked::Table(t) => t.shown.clone(),
                        Locked::IndexTable(i) => format!("the table of {}", i.shown),
                        Locked::Unnamed => "the tables".to_string(),
                    };
                    out.push(
                        finding(
                            "mixed-ddl-and-dml",
                            &scan,
                            at.clone(),
                            format!(
                                "data change in the same transaction as a schema change: {what} stays locked (ACCESS EXCLUSIVE) until this finishes and the transaction commits"
                            ),
                        )
                        .label("runs while the lock is held")
                        .with(scan.at(lock_at.clone()), format!("ACCESS EXCLUSIVE lock on {what} taken here"))
                        .help("move the data change to a migration of its own (or after a COMMIT) so the schema change commits first; batch it if the table is large"),
                    );
                }
            }
            if held.is_none() {
                if let Some((locked, lock_at)) = scan.exclusive_lock(i) {
                    held = Some((tx.group(), locked, lock_at));
                }
            }
        }
    }
    out
}
