//! `rename-table`: renaming a table that the application version still
//! running queries.

use super::model::Action;
use super::{finding, scans};
use crate::finding::Finding;
use crate::rules::Context;

/// Reports `ALTER TABLE ... RENAME TO` and MySQL `RENAME TABLE` of tables
/// that existed before the migration, unless the same migration creates a
/// view with the old name (which keeps the old name working).
pub fn check(ctx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    for scan in scans(ctx) {
        for (i, step) in scan.steps.iter().enumerate() {
            for action in step.actions() {
                let Action::RenameTable { from, to, at } = action else {
                    continue;
                };
                if scan.is_new_table(from, i) {
                    continue;
                }
                let view_keeps_old_name = scan.steps[i + 1..].iter().any(|later| {
                    later
                        .actions()
                        .iter()
                        .any(|a| matches!(a, Action::CreateView { name } if name.same(from)))
                });
                if view_keeps_old_name {
                    continue;
                }
                out.push(
                    finding(
                        "rename-table",
                        &scan,
                        at.clone(),
                        format!(
                            "renaming table {} to {} breaks the application version still running, which queries {}",
                            from.shown, to.shown, from.shown
                        ),
                    )
                    .label(format!("{} no longer exists once this runs", from.shown))
                    .help(format!(
                        "keep the old name working with a view in the same migration (`CREATE VIEW {} AS SELECT * FROM {};`, updatable in PostgreSQL), and drop the view once no running version uses it",
                        from.shown, to.shown
                    )),
                );
            }
        }
    }
    out
}
