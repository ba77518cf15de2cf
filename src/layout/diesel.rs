//! Diesel: `migrations/<version>_<name>/up.sql` and `down.sql`, one folder
//! per migration (`2024-01-02-094916_create_users`,
//! `2026-03-08-202630-0000_add_email`, `00000000000000_diesel_initial_setup`).
//! The version is the folder name up to its first `_`, dashes removed.
//! `metadata.toml` with `run_in_transaction = false` runs the migration
//! outside a transaction. Diesel records versions only.

use std::collections::BTreeMap;

use super::prisma::folder_file;
use crate::error::Result;
use crate::plan::{Meta, Migration, MigrationKind, Plan, Script, Stray, Transaction, Version};
use crate::source::{FileEntry, Files};

/// Diesel's version of a folder name.
pub(super) fn version(folder: &str) -> String {
    folder.split('_').next().unwrap_or(folder).replace('-', "")
}

pub(super) fn plan(dir: &str, entries: &[FileEntry], files: &Files) -> Result<Plan> {
    #[derive(Default)]
    struct Folder<'e> {
        up: Option<&'e FileEntry>,
        down: Option<&'e FileEntry>,
        metadata: Option<&'e FileEntry>,
        other: Vec<&'e FileEntry>,
    }
    let mut folders: BTreeMap<&str, Folder> = BTreeMap::new();
    let mut strays = Vec::new();
    for entry in entries {
        match folder_file(dir, entry) {
            // Diesel skips hidden folders.
            Some((folder, _)) if folder.starts_with('.') => {}
            Some((folder, "up.sql")) => folders.entry(folder).or_default().up = Some(entry),
            Some((folder, "down.sql")) => folders.entry(folder).or_default().down = Some(entry),
            Some((folder, "metadata.toml")) => {
                folders.entry(folder).or_default().metadata = Some(entry)
            }
            Some((folder, name)) if name.ends_with(".sql") => {
                folders.entry(folder).or_default().other.push(entry)
            }
            None if entry.path.ends_with(".sql") => {
                strays.push(Stray::name(entry.clone(), super::Layout::Diesel.pattern()))
            }
            _ => {}
        }
    }
    let mut migrations = Vec::new();
    for (folder, f) in folders {
        for other in f.other {
            strays.push(Stray::name(other.clone(), super::Layout::Diesel.pattern()));
        }
        let Some(up) = f.up else {
            if let Some(down) = f.down {
                strays.push(Stray::problem(
                    down.clone(),
                    None,
                    format!("folder {folder} has no up.sql, so Diesel refuses it"),
                    "put the migration's SQL in up.sql",
                ));
            }
            continue;
        };
        let in_transaction = match f.metadata {
            Some(meta) => match files.text(meta)? {
                Ok(text) => !text.lines().any(|l| {
                    l.split_once('=').is_some_and(|(k, v)| {
                        k.trim() == "run_in_transaction" && v.trim() == "false"
                    })
                }),
                Err(_) => true,
            },
            None => true,
        };
        let version = version(folder);
        migrations.push(Migration {
            id: version.clone(),
            version: Some(Version::parse(&version)),
            description: folder.split_once('_').map_or("", |(_, d)| d).to_string(),
            kind: MigrationKind::Versioned,
            up: Script::whole(up.clone()),
            down: f.down.map(|d| Script::whole(d.clone())),
            meta: Meta {
                name: Some(folder.to_string()),
                transaction: if in_transaction {
                    Transaction::Wrapped
                } else {
                    Transaction::Implicit
                },
                ..Meta::default()
            },
        });
    }
    super::number_duplicates(&mut migrations);
    Ok(Plan {
        dir: dir.to_string(),
        layout: super::Layout::Diesel,
        migrations,
        strays,
    })
}
