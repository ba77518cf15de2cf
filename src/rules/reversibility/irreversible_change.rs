//! `irreversible-change`: an up script that destroys data (DROP TABLE,
//! DROP COLUMN, TRUNCATE, DELETE or UPDATE without WHERE, a narrowing type
//! change, DROP TYPE ... CASCADE) cannot be undone by any down script. It
//! needs `-- sqlgate:irreversible <reason>` on the line before; the
//! acknowledgement is read like an inline suppression and listed in the
//! report for reviewers.

use crate::finding::{Finding, Location};
use crate::rules::catalog::replays;
use crate::rules::Context;

/// Reports data-destroying statements of new or changed up scripts.
pub fn check(ctx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    for (dir, replay) in ctx.dirs.iter().zip(replays(ctx)) {
        for m in &replay.migrations {
            let migration = &dir.head.migrations[m.index];
            for (loss, path) in &m.losses {
                out.push(
                    Finding::new(
                        "irreversible-change",
                        Location::head(path, loss.at.clone()),
                        format!(
                            "migration {} {}: no down script can bring that data back",
                            migration.name(),
                            loss.what
                        ),
                    )
                    .label("data lost here")
                    .help("if losing it is intended, say so on the line before: `-- sqlgate:irreversible <reason>` (reviewers see it in the report); otherwise keep the data (rename, copy, or contract in a later release)"),
                );
            }
        }
    }
    out
}
