//! sqlx: `migrations/<version>_<description>.sql` (simple) or
//! `<version>_<description>.up.sql` + `.down.sql` (reversible), directly in
//! the directory; the version is an integer. sqlx records a SHA-384 of each
//! applied up script's exact bytes, so any byte counts, line endings too;
//! a script starting with `-- no-transaction` runs outside a transaction.

use std::collections::BTreeMap;

use super::{direct, file_name};
use crate::error::Result;
use crate::plan::{
    Meta, Migration, MigrationKind, Plan, Script, Stray, Transaction, TransactionDirective, Version,
};
use crate::source::{FileEntry, Files};

/// The kind of a sqlx script.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    Simple,
    Up,
    Down,
}

/// How sqlx reads a file name: `None` when sqlx ignores the file, `Err` when
/// it refuses the directory (a version that is not an integer).
pub(super) fn parse_name(name: &str) -> Option<std::result::Result<(&str, &str, Kind), ()>> {
    let (version, rest) = name.split_once('_')?;
    if !rest.ends_with(".sql") {
        return None;
    }
    if version.parse::<i64>().is_err() {
        return Some(Err(()));
    }
    let (desc, kind) = if let Some(d) = rest.strip_suffix(".up.sql") {
        (d, Kind::Up)
    } else if let Some(d) = rest.strip_suffix(".down.sql") {
        (d, Kind::Down)
    } else {
        (rest.strip_suffix(".sql").unwrap_or(rest), Kind::Simple)
    };
    Some(Ok((version, desc, kind)))
}

pub(super) fn plan(dir: &str, entries: &[FileEntry], _files: &Files) -> Result<Plan> {
    let mut ups: Vec<(&str, &str, &FileEntry, Kind)> = Vec::new();
    let mut downs: BTreeMap<Version, &FileEntry> = BTreeMap::new();
    let mut strays = Vec::new();
    for entry in direct(dir, entries) {
        let name = file_name(&entry.path);
        match parse_name(name) {
            Some(Ok((version, _, Kind::Down))) => {
                downs.insert(Version::parse(version), entry);
            }
            Some(Ok((version, desc, kind))) => ups.push((version, desc, entry, kind)),
            Some(Err(())) => strays.push(Stray::problem(
                entry.clone(),
                None,
                "its version is not an integer, so sqlx refuses the whole migrations directory",
                format!("name it {}", super::Layout::Sqlx.pattern()),
            )),
            None if name.ends_with(".sql") => {
                strays.push(Stray::name(entry.clone(), super::Layout::Sqlx.pattern()))
            }
            None => {}
        }
    }
    let mut migrations = Vec::new();
    for (version, desc, entry, kind) in ups {
        let v = Version::parse(version);
        let down = if kind == Kind::Up {
            downs.remove(&v)
        } else {
            None
        };
        migrations.push(Migration {
            id: version.to_string(),
            version: Some(v),
            description: desc.replace('_', " "),
            kind: MigrationKind::Versioned,
            up: Script::whole(entry.clone()),
            down: down.map(|d| Script::whole(d.clone())),
            meta: Meta {
                transaction: Transaction::Wrapped,
                transaction_directive: Some(TransactionDirective::SqlxNoTransaction),
                ..Meta::default()
            },
        });
    }
    for (_, file) in downs {
        strays.push(Stray::problem(
            file.clone(),
            None,
            "this .down.sql has no .up.sql of the same version",
            "give it the version of the .up.sql it undoes",
        ));
    }
    super::number_duplicates(&mut migrations);
    Ok(Plan {
        dir: dir.to_string(),
        layout: super::Layout::Sqlx,
        migrations,
        strays,
    })
}
