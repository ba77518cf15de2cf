//! `unknown-object`: a statement uses (alters, drops, references by a
//! foreign key, indexes, reads in a view, fires a trigger on) a table,
//! column, type, index or function that no earlier migration created.
//! When a later migration creates it, the migrations are in the wrong
//! order and the help names that migration. Objects that a statement the
//! Catalog cannot model (a `DO` block, dynamic SQL) may have created are
//! never reported.

use crate::finding::{Finding, Location};
use crate::rules::catalog::replays;
use crate::rules::Context;

/// Reports uses of objects that do not exist yet.
pub fn check(ctx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    for (dir, replay) in ctx.dirs.iter().zip(replays(ctx)) {
        for m in &replay.migrations {
            let migration = &dir.head.migrations[m.index];
            for use_ in &m.missing {
                let (missing, path) = (&use_.missing, &use_.path);
                let help = match use_.created_later {
                    Some(i) => format!(
                        "migration {} creates it later: this migration must run after that one (give it a later version)",
                        dir.head.migrations[i].name()
                    ),
                    None => format!(
                        "create the {} in an earlier migration, or check the name (and the search path)",
                        missing.kind.word()
                    ),
                };
                out.push(
                    Finding::new(
                        "unknown-object",
                        Location::head(path, missing.at.clone()),
                        format!(
                            "migration {} uses {} {}, which no earlier migration creates",
                            migration.name(),
                            missing.kind.word(),
                            missing.name
                        ),
                    )
                    .label(format!("{} here", missing.how))
                    .help(help),
                );
            }
        }
    }
    out
}
