//! `missing-down`: a new migration without the down script its layout (or
//! the configuration) expects: a golang-migrate `.down.sql`, a Flyway `U`
//! file, a dbmate or goose down section with SQL in it, Liquibase
//! `--rollback`, a sqitch revert script, a Diesel or Prisma `down.sql`.

use crate::finding::{Finding, Location};
use crate::plan::MigrationKind;
use crate::rules::Context;

/// Reports added versioned migrations that have no down script.
pub fn check(ctx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    for dir in &ctx.dirs {
        let layout = dir.head.layout;
        let expected = dir
            .config
            .require_down
            .unwrap_or_else(|| layout.expects_down(&dir.head));
        if !expected {
            continue;
        }
        let added = dir.added();
        for (index, migration) in dir.fresh() {
            if migration.down.is_some()
                || migration.kind != MigrationKind::Versioned
                || !added.contains(&index)
            {
                continue;
            }
            // Point at the migration's own line when it shares a file: the
            // `--changeset` line, the up section's directive.
            let location = match (&migration.meta.declared_in, &migration.up.span) {
                (Some((path, span)), _) if *path == migration.up.file.path => {
                    Location::head(path, span.clone())
                }
                (_, Some(span)) => Location::head(&migration.up.file.path, span.start..span.start),
                _ => Location::head(&migration.up.file.path, 0..0),
            };
            out.push(
                Finding::new(
                    "missing-down",
                    location,
                    format!("migration {} has no down script", migration.name()),
                )
                .label("this migration cannot be rolled back")
                .help(format!(
                    "add {} that undoes it",
                    layout.down_hint(migration)
                )),
            );
        }
    }
    out
}
