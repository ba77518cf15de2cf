//! `migration-filename`: a `.sql` file in a migration directory whose name
//! the directory's layout does not recognise, so the tool would skip it.

use crate::finding::{Finding, Location};
use crate::rules::Context;

/// Reports stray files that the change adds (or every stray when linting).
pub fn check(ctx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    for dir in &ctx.dirs {
        for stray in &dir.head.strays {
            let known = dir.base.strays.iter().any(|b| {
                b.file.path == stray.file.path && b.file.id == stray.file.id && b.file.id.is_some()
            });
            if known && !ctx.lint {
                continue;
            }
            out.push(
                Finding::new(
                    "migration-filename",
                    Location::head(&stray.file.path, 0..0),
                    format!(
                        "{} does not follow the {} layout of {}, so the migration tool will not run it",
                        stray.file.path.rsplit('/').next().unwrap_or(&stray.file.path),
                        dir.head.layout.name(),
                        dir.head.dir
                    ),
                )
                .help(format!("name it {}", stray.expected)),
            );
        }
    }
    out
}
