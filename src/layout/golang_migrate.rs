//! golang-migrate: `<version>_<description>.up.sql` and
//! `<version>_<description>.down.sql` directly in the directory.

use std::collections::BTreeMap;

use super::{direct, file_name};
use crate::plan::{Meta, Migration, MigrationKind, Plan, Script, Stray, Transaction, Version};
use crate::source::FileEntry;

/// Version, description and direction (`true` for up) of a file name.
pub(super) fn parse_name(name: &str) -> Option<(&str, &str, bool)> {
    let (stem, up) = if let Some(stem) = name.strip_suffix(".up.sql") {
        (stem, true)
    } else {
        (name.strip_suffix(".down.sql")?, false)
    };
    let digits = stem.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return None;
    }
    let desc = stem[digits..].strip_prefix('_').unwrap_or(&stem[digits..]);
    Some((&stem[..digits], desc, up))
}

pub(super) fn plan(dir: &str, entries: &[FileEntry]) -> Plan {
    let mut ups: BTreeMap<String, Vec<FileEntry>> = BTreeMap::new();
    // Downs by version, then by description: a down pairs with the up of the
    // same name, or with the only up of its version.
    let mut downs: BTreeMap<String, BTreeMap<String, FileEntry>> = BTreeMap::new();
    let mut strays = Vec::new();
    let mut migrations = Vec::new();
    for entry in direct(dir, entries) {
        let name = file_name(&entry.path);
        match parse_name(name) {
            Some((version, _, true)) => ups
                .entry(version.to_string())
                .or_default()
                .push(entry.clone()),
            Some((version, desc, false)) => {
                downs
                    .entry(version.to_string())
                    .or_default()
                    .insert(desc.to_string(), entry.clone());
            }
            None if name.ends_with(".sql") => strays.push(Stray::name(
                entry.clone(),
                super::Layout::GolangMigrate.pattern(),
            )),
            None => {}
        }
    }
    for (version, files) in ups {
        let mut version_downs = downs.remove(&version).unwrap_or_default();
        let single = files.len() == 1;
        for (n, file) in files.into_iter().enumerate() {
            let name = file_name(&file.path).to_string();
            let (_, desc, _) = parse_name(&name).unwrap_or(("", "", true));
            let down = version_downs.remove(desc).or_else(|| {
                let only = single && version_downs.len() == 1;
                only.then(|| version_downs.pop_first().map(|(_, f)| f))
                    .flatten()
            });
            // Two up files with one version: keep both, the second with a
            // distinct id, so that duplicate-version can name them.
            let id = if n == 0 {
                version.clone()
            } else {
                format!("{version}#{n}")
            };
            migrations.push(Migration {
                id,
                version: Some(Version::parse(&version)),
                description: desc.to_string(),
                kind: MigrationKind::Versioned,
                up: Script::whole(file),
                down: down.map(Script::whole),
                // The driver sends the file in one call: PostgreSQL runs a
                // multi-statement file as one implicit transaction.
                meta: Meta {
                    transaction: Transaction::Implicit,
                    ..Meta::default()
                },
            });
        }
        downs.insert(version, version_downs);
    }
    for file in downs.into_values().flat_map(BTreeMap::into_values) {
        strays.push(Stray::problem(
            file,
            None,
            "this .down.sql file has no .up.sql of the same version and name",
            "give it the name of the .up.sql it undoes",
        ));
    }
    Plan {
        dir: dir.to_string(),
        layout: super::Layout::GolangMigrate,
        migrations,
        strays,
    }
}
