//! `down-restores-schema`: replaying a migration's up script and then its
//! down script must give back the schema from before the up. Each
//! difference is reported in a reviewer's words, at the down statement
//! involved (or the down's start), with the up statement as a label.

use crate::finding::{Finding, Location};
use crate::rules::catalog::replays;
use crate::rules::Context;

/// Reports each way a down script fails to undo its up script.
pub fn check(ctx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    for (dir, replay) in ctx.dirs.iter().zip(replays(ctx)) {
        for m in &replay.migrations {
            let migration = &dir.head.migrations[m.index];
            for (difference, up_at, down_at) in &m.differences {
                let primary = down_at.as_ref().or(m.down_at.as_ref());
                let Some(primary) = primary.or(up_at.as_ref()) else {
                    continue;
                };
                let mut finding = Finding::new(
                    "down-restores-schema",
                    Location::head(&primary.path, primary.span.clone()),
                    format!("{} (migration {})", difference.text, migration.name()),
                )
                .label(if down_at.is_some() {
                    "this down statement does not put it back as it was"
                } else {
                    "the down script does not undo it"
                });
                if let Some(up) = up_at {
                    finding = finding.with(
                        Location::head(&up.path, up.span.clone()),
                        "the up statement it should undo",
                    );
                }
                out.push(finding.help(
                    "make the down script put the schema back exactly as it was before the up script (same columns, types, nullability, defaults, indexes and constraints)",
                ));
            }
        }
    }
    out
}
