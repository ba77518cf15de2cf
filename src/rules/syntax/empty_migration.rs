//! `empty-migration`: an up script with no statement at all.

use crate::finding::{Finding, Location};
use crate::rules::{Context, Role};

/// Reports new or changed migrations whose up script holds no statement.
pub fn check(ctx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    for dir in &ctx.dirs {
        let empty: std::collections::HashSet<usize> = dir
            .scripts
            .iter()
            .filter(|s| s.role == Role::Up && s.text.is_ok() && s.parsed.statements.is_empty())
            .map(|s| s.migration)
            .collect();
        if empty.is_empty() {
            continue;
        }
        for (index, migration) in dir.fresh() {
            if empty.contains(&index) {
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
