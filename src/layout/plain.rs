//! Plain: `.sql` files directly in the directory, run in version order, where
//! the version is the numeric or timestamp prefix of the name.

use super::{direct, file_name};
use crate::plan::{Meta, Migration, MigrationKind, Plan, Script, Stray, Version};
use crate::source::FileEntry;

/// Version and description of a file name such as `0003_add_users.sql`,
/// `20240301120000-add-users.sql` or `003.sql`.
pub(super) fn parse_name(name: &str) -> Option<(&str, &str)> {
    let stem = name.strip_suffix(".sql")?;
    let digits = stem.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return None;
    }
    let rest = &stem[digits..];
    let desc = rest.strip_prefix(['_', '-', '.']).unwrap_or(rest);
    (rest.is_empty() || rest.len() != desc.len()).then_some((&stem[..digits], desc))
}

pub(super) fn plan(dir: &str, entries: &[FileEntry]) -> Plan {
    let mut migrations = Vec::new();
    let mut strays = Vec::new();
    for entry in direct(dir, entries) {
        let name = file_name(&entry.path);
        match parse_name(name) {
            Some((version, desc)) => migrations.push(Migration {
                id: format!("{version}:{name}"),
                version: Some(Version::parse(version)),
                description: desc.to_string(),
                kind: MigrationKind::Versioned,
                up: Script::whole(entry.clone()),
                down: None,
                meta: Meta::default(),
            }),
            None if name.ends_with(".sql") => {
                strays.push(Stray::name(entry.clone(), super::Layout::Plain.pattern()))
            }
            None => {}
        }
    }
    // A plain migration is known by its whole name; two files may share a
    // prefix only if the directory's tool sorts by name, so ids stay unique.
    Plan {
        dir: dir.to_string(),
        layout: super::Layout::Plain,
        migrations,
        strays,
    }
}
