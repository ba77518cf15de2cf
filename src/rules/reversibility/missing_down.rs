//! `missing-down`: a new migration without the down script its layout (or
//! the configuration) expects.

use crate::finding::{Finding, Location};
use crate::plan::MigrationKind;
use crate::rules::Context;

/// Reports added versioned migrations that have no down script.
pub fn check(ctx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    for dir in &ctx.dirs {
        let expected = dir
            .config
            .require_down
            .unwrap_or_else(|| dir.head.layout.expects_down(&dir.head));
        if !expected {
            continue;
        }
        for (index, migration) in dir.fresh() {
            if migration.down.is_some()
                || migration.kind != MigrationKind::Versioned
                || !dir.is_added(index)
            {
                continue;
            }
            let path = &migration.up.file.path;
            let down = expected_down(path, dir.head.layout);
            out.push(
                Finding::new(
                    "missing-down",
                    Location::head(path, 0..0),
                    format!("migration {} has no down script", migration.name()),
                )
                .label("this migration cannot be rolled back")
                .help(format!("add {down} that undoes it")),
            );
        }
    }
    out
}

fn expected_down(up: &str, layout: crate::layout::Layout) -> String {
    let name = up.rsplit('/').next().unwrap_or(up);
    match layout {
        crate::layout::Layout::GolangMigrate => name.replace(".up.sql", ".down.sql"),
        crate::layout::Layout::Flyway => format!("U{}", name.strip_prefix('V').unwrap_or(name)),
        crate::layout::Layout::Plain => "a down script".to_string(),
    }
}
