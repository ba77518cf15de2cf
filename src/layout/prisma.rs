//! Prisma Migrate: `migrations/<timestamp>_<name>/migration.sql`, one folder
//! per migration, applied in folder-name order; `migration_lock.toml` beside
//! them. Prisma has no down migrations; a `down.sql` in the folder (as
//! Prisma's guide to down migrations writes with `prisma migrate diff`) is
//! read as the down. Prisma records the folder name and a SHA-256 of
//! `migration.sql`, which it accepts again after a line-ending conversion.

use std::collections::BTreeMap;

use crate::error::Result;
use crate::plan::{Meta, Migration, MigrationKind, Plan, Script, Stray, Transaction, Version};
use crate::source::{FileEntry, Files};

/// The lock file Prisma writes in the migrations directory.
pub(super) const LOCK_FILE: &str = "migration_lock.toml";

/// The folder and file name of an entry one folder below `dir`.
pub(super) fn folder_file<'e>(dir: &str, entry: &'e FileEntry) -> Option<(&'e str, &'e str)> {
    let rest = if dir.is_empty() {
        entry.path.as_str()
    } else {
        entry.path.strip_prefix(dir)?.strip_prefix('/')?
    };
    let (folder, file) = rest.split_once('/')?;
    (!file.contains('/')).then_some((folder, file))
}

pub(super) fn plan(dir: &str, entries: &[FileEntry], _files: &Files) -> Result<Plan> {
    let mut folders: BTreeMap<&str, (Option<&FileEntry>, Option<&FileEntry>)> = BTreeMap::new();
    let mut strays = Vec::new();
    for entry in entries.iter().filter(|e| e.path.ends_with(".sql")) {
        match folder_file(dir, entry) {
            Some((folder, "migration.sql")) => folders.entry(folder).or_default().0 = Some(entry),
            Some((folder, "down.sql")) => folders.entry(folder).or_default().1 = Some(entry),
            _ => strays.push(Stray::name(entry.clone(), super::Layout::Prisma.pattern())),
        }
    }
    let mut migrations = Vec::new();
    for (folder, (up, down)) in folders {
        let Some(up) = up else {
            if let Some(down) = down {
                strays.push(Stray::problem(
                    down.clone(),
                    None,
                    format!("folder {folder} has no migration.sql, so Prisma refuses the migrations directory"),
                    "put the migration's SQL in migration.sql",
                ));
            }
            continue;
        };
        let version = folder.split('_').next().unwrap_or(folder);
        migrations.push(Migration {
            id: version.to_string(),
            version: Some(Version::parse(version)),
            description: folder.split_once('_').map_or("", |(_, d)| d).to_string(),
            kind: MigrationKind::Versioned,
            up: Script::whole(up.clone()),
            down: down.map(|d| Script::whole(d.clone())),
            meta: Meta {
                name: Some(folder.to_string()),
                // The script goes to the database in one call: PostgreSQL
                // runs it as one implicit transaction.
                transaction: Transaction::Implicit,
                ..Meta::default()
            },
        });
    }
    super::number_duplicates(&mut migrations);
    Ok(Plan {
        dir: dir.to_string(),
        layout: super::Layout::Prisma,
        migrations,
        strays,
    })
}

/// Whether Prisma accepts `head` for a migration applied as `base`: the same
/// bytes, or the same after converting line endings either way.
pub(super) fn same_script(base: &str, head: &str) -> bool {
    head == base || head.replace("\r\n", "\n") == base || head.replace('\n', "\r\n") == base
}

/// Whether a name is a Prisma migration script (for detection).
pub(super) fn is_migration_file(dir: &str, entry: &FileEntry) -> bool {
    folder_file(dir, entry).is_some_and(|(_, f)| f == "migration.sql")
}
