//! `empty-down`: a down script that exists but changes nothing (only
//! comments, only `SELECT 1`) while its up script changes the schema (as
//! the Catalog replay sees it). It looks like a rollback and is none: a
//! rollback "succeeds" and leaves the schema as the up made it.

use crate::finding::{Finding, Location};
use crate::rules::catalog::replays;
use crate::rules::Context;

/// Reports new or changed migrations whose down script does nothing.
pub fn check(ctx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    for (dir, replay) in ctx.dirs.iter().zip(replays(ctx)) {
        for m in &replay.migrations {
            if !(m.up_changes_schema && m.down_does_nothing) {
                continue;
            }
            let migration = &dir.head.migrations[m.index];
            let location = match (&m.down_at, &migration.down) {
                (Some(at), _) => Location::head(&at.path, at.span.clone()),
                (None, Some(script)) => {
                    Location::head(&script.file.path, script.offset()..script.offset())
                }
                (None, None) => continue,
            };
            out.push(
                Finding::new(
                    "empty-down",
                    location,
                    format!(
                        "the down script of migration {} changes nothing, but its up script changes the schema",
                        migration.name()
                    ),
                )
                .label("a rollback would run this and leave the up's changes in place")
                .help("write the statements that undo the up script, or delete the down script so that `missing-down` says the migration cannot be rolled back"),
            );
        }
    }
    out
}
