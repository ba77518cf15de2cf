//! `empty-migration`: an up script with no statement at all.

use crate::finding::{Finding, Location};
use crate::rules::{Context, Role};

/// Reports new or changed migrations whose up script holds no statement.
pub fn check(ctx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    for dir in &ctx.dirs {
        for (index, migration) in dir.fresh() {
            let empty = dir
                .scripts_of(index)
                .filter(|s| s.role == Role::Up)
                .any(|s| s.text.is_ok() && s.parsed.statements.is_empty());
            if empty {
                let span = migration.up.span.clone().map_or(0..0, |s| s.start..s.start);
                out.push(
                    Finding::new(
                        "empty-migration",
                        Location::head(&migration.up.file.path, span),
                        format!("migration {} has no statement", migration.name()),
                    )
                    .help("write the migration's SQL, or delete the file if it was created by mistake"),
                );
            }
        }
    }
    out
}
