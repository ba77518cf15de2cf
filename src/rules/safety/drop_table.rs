//! `drop-table`: dropping a table without a contract phase.

use super::model::{Action, Name};
use super::{finding, scans, Scan};
use crate::finding::Finding;
use crate::rules::Context;

/// Reports `DROP TABLE` of tables that existed before the migration, unless
/// the migration puts another table in its place.
pub fn check(ctx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    for scan in scans(ctx) {
        for (i, step) in scan.steps.iter().enumerate() {
            for action in step.actions() {
                let Action::DropTable { table, at } = action else {
                    continue;
                };
                if scan.is_new_table(table, i) || replaced(&scan, table) {
                    continue;
                }
                out.push(
                    finding(
                        "drop-table",
                        &scan,
                        at.clone(),
                        format!(
                            "dropping table {} destroys its data and breaks the application version still running if it queries {}",
                            table.shown, table.shown
                        ),
                    )
                    .label("dropped here")
                    .help(format!(
                        "contract only after expanding: release an application version that no longer uses {} first, then drop it in a later migration and say so with `-- sqlgate:ignore drop-table <the release that stopped using it>`",
                        table.shown
                    )),
                );
            }
        }
    }
    out
}

/// Whether the migration puts another table in the dropped one's place:
/// `DROP TABLE IF EXISTS t; CREATE TABLE t`, or the copy-and-swap rebuild
/// SQLite needs for most ALTERs (`CREATE TABLE t_new; INSERT ... SELECT;
/// DROP TABLE t; ALTER TABLE t_new RENAME TO t`).
fn replaced(scan: &Scan, table: &Name) -> bool {
    scan.steps
        .iter()
        .flat_map(|s| s.actions())
        .any(|a| match a {
            Action::CreateTable { table: t, .. } => t.same(table),
            Action::RenameTable { to, .. } => to.same(table),
            _ => false,
        })
}
