//! `migration-filename`: a file in a migration directory that the
//! directory's tool would not run as it is: a name the layout does not
//! recognise, a dbmate or goose file without its up section, a SQL file no
//! Liquibase changelog includes, a sqitch script no plan entry names, or a
//! plan entry whose script is missing.

use crate::finding::{Finding, Location};
use crate::rules::Context;

/// Reports strays that the change adds or alters (or every stray when
/// linting).
pub fn check(ctx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    for dir in &ctx.dirs {
        for (i, stray) in dir.head.strays.iter().enumerate() {
            // A problem the base already had, in the same file: its k-th
            // occurrence in the head is known when the base has k of them.
            let same = |a: &crate::plan::Stray, b: &crate::plan::Stray| {
                a.file.path == b.file.path
                    && a.problem == b.problem
                    && (a.problem.is_some() || (a.file.id == b.file.id && a.file.id.is_some()))
            };
            let nth = dir.head.strays[..i]
                .iter()
                .filter(|h| same(h, stray))
                .count();
            let known = dir.base.strays.iter().filter(|b| same(b, stray)).count() > nth;
            if known && !ctx.lint {
                continue;
            }
            let name = stray
                .file
                .path
                .rsplit('/')
                .next()
                .unwrap_or(&stray.file.path);
            let layout = dir.head.layout.name();
            let (message, help) = match &stray.problem {
                Some(problem) => (
                    format!("{name} in {}: {problem}", dir.head.dir),
                    stray.expected.clone(),
                ),
                None => (
                    format!(
                        "{name} does not follow the {layout} layout of {}, so the migration tool will not run it",
                        dir.head.dir
                    ),
                    format!("name it {}", stray.expected),
                ),
            };
            out.push(
                Finding::new(
                    "migration-filename",
                    Location::head(&stray.file.path, stray.span.clone().unwrap_or(0..0)),
                    message,
                )
                .help(help),
            );
        }
    }
    out
}
