//! gobuffalo/pop (soda, Buffalo, ory's popx): files directly in the
//! directory named `<version>_<name>[.<dialect>].<up|down>.<sql|fizz>`, as
//! pop matches them (`^(\d+)_([^.]+)(\.[a-z0-9]+)?\.(up|down)\.(sql|fizz)$`).
//! A dialect infix (`postgres`, `cockroach`, `mysql`, `sqlite3`, or one of
//! pop's synonyms) makes the script run only on that database; a file
//! without one runs on every database, unless the same version has a script
//! for the database at hand, which pop runs instead (it sorts it first and
//! then finds the version recorded). Every migration runs in a transaction
//! of pop's; a down is optional. `.fizz` files are pop's own DSL, and SQL
//! files are rendered as Go templates before they run.

use std::collections::BTreeMap;

use super::{direct, file_name};
use crate::plan::{Meta, Migration, MigrationKind, Plan, Script, Stray, Transaction, Version};
use crate::source::FileEntry;
use crate::sql::Dialect;

/// A file name as pop reads it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Name<'a> {
    /// The digits before the first `_`.
    pub version: &'a str,
    /// The name, up to the first `.`.
    pub name: &'a str,
    /// The database the script is for, canonical (`postgres`, `cockroach`,
    /// `mysql`, `sqlite3`, `ydb`); `None` for every database.
    pub dialect: Option<&'static str>,
    /// `up` (true) or `down`.
    pub up: bool,
    /// A `.fizz` file, not SQL.
    pub fizz: bool,
}

/// Why pop does not run a file whose name has pop's shape.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Refused {
    /// A dialect infix pop does not know: pop skips the file with a warning.
    UnknownDialect(String),
    /// A `.fizz` file for one dialect: pop stops with an error.
    FizzWithDialect(&'static str),
}

/// pop's canonical name of a dialect infix (its synonyms included).
fn canonical(infix: &str) -> Option<&'static str> {
    Some(match infix {
        "postgres" | "postgresql" | "pg" => "postgres",
        "cockroach" | "cockroachdb" | "crdb" => "cockroach",
        "mysql" => "mysql",
        "sqlite3" | "sqlite" => "sqlite3",
        "ydb" => "ydb",
        _ => return None,
    })
}

/// The dialect pop names a database of this sqlgate dialect by; `None` when
/// pop has none (only scripts for every database apply).
pub(crate) fn pop_dialect(dialect: Dialect) -> Option<&'static str> {
    match dialect {
        Dialect::Postgres => Some("postgres"),
        Dialect::Mysql => Some("mysql"),
        Dialect::Sqlite => Some("sqlite3"),
        Dialect::Mssql | Dialect::Generic => None,
    }
}

/// The sqlgate dialect of a pop file name's dialect infix (CockroachDB
/// speaks PostgreSQL's), for `init`'s guess of a directory's dialect.
pub fn sql_dialect_of(name: &str) -> Option<Dialect> {
    match parse_name(name)?.ok()?.dialect? {
        "postgres" | "cockroach" => Some(Dialect::Postgres),
        "mysql" => Some(Dialect::Mysql),
        "sqlite3" => Some(Dialect::Sqlite),
        _ => None,
    }
}

/// Reads a file name as pop does: `None` when it is not a pop migration
/// name at all, `Some(Err(..))` when pop refuses or skips it.
pub(super) fn parse_name(name: &str) -> Option<Result<Name<'_>, Refused>> {
    let (stem, fizz) = match name.strip_suffix(".sql") {
        Some(stem) => (stem, false),
        None => (name.strip_suffix(".fizz")?, true),
    };
    let (stem, up) = match stem.strip_suffix(".up") {
        Some(stem) => (stem, true),
        None => (stem.strip_suffix(".down")?, false),
    };
    let digits = stem.bytes().take_while(u8::is_ascii_digit).count();
    let rest = stem[digits..].strip_prefix('_')?;
    if digits == 0 {
        return None;
    }
    let (desc, infix) = match rest.split_once('.') {
        Some((desc, infix)) => (desc, Some(infix)),
        None => (rest, None),
    };
    let infix_ok = |i: &str| {
        !i.is_empty()
            && i.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    };
    if desc.is_empty() || infix.is_some_and(|i| !infix_ok(i)) {
        return None;
    }
    let dialect = match infix {
        None => None,
        Some(i) => match canonical(i) {
            Some(d) => Some(d),
            None => return Some(Err(Refused::UnknownDialect(i.to_string()))),
        },
    };
    if let (true, Some(d)) = (fizz, dialect) {
        return Some(Err(Refused::FizzWithDialect(d)));
    }
    Some(Ok(Name {
        version: &stem[..digits],
        name: desc,
        dialect,
        up,
        fizz,
    }))
}

/// Whether a name is evidence of pop rather than golang-migrate: a dialect
/// infix pop knows, or a `.fizz` migration.
pub(super) fn is_pop_specific(name: &str) -> bool {
    matches!(parse_name(name), Some(Ok(n)) if n.fizz || n.dialect.is_some())
}

/// Whether a name has pop's shape, run or refused (for detection).
pub(super) fn is_pop_name(name: &str) -> bool {
    parse_name(name).is_some()
}

/// The scripts of one version and name.
#[derive(Default)]
struct Group<'e> {
    /// (dialect, up, file, SQL) of each script, in path order.
    files: Vec<(Option<&'static str>, bool, &'e FileEntry, bool)>,
}

impl<'e> Group<'e> {
    /// The script pop runs for `dialect` in one direction: the dialect's
    /// own, else the one for every database.
    fn pick(&self, dialect: Option<&str>, up: bool) -> Option<(&'e FileEntry, bool)> {
        let of = |d: Option<&str>| {
            self.files
                .iter()
                .find(|f| f.1 == up && f.0 == d)
                .map(|f| (f.2, f.3))
        };
        dialect.and_then(|d| of(Some(d))).or_else(|| of(None))
    }
}

/// A script sqlgate reads as SQL, or only follows (a `.fizz` file, a script
/// for another database).
fn script(file: &FileEntry, readable: bool) -> Script {
    let mut script = Script::whole(file.clone());
    script.unread = !readable;
    script
}

pub(super) fn plan(dir: &str, entries: &[FileEntry], dialect: Dialect) -> Plan {
    let ours = pop_dialect(dialect);
    let mut groups: BTreeMap<(&str, &str), Group> = BTreeMap::new();
    let mut strays = Vec::new();
    for entry in direct(dir, entries) {
        let name = file_name(&entry.path);
        match parse_name(name) {
            Some(Ok(n)) => groups
                .entry((n.version, n.name))
                .or_default()
                .files
                .push((n.dialect, n.up, entry, !n.fizz)),
            Some(Err(Refused::UnknownDialect(infix))) => strays.push(Stray::problem(
                entry.clone(),
                None,
                format!("pop knows no database `{infix}`, so it skips this file"),
                "write the dialect as pop names it (postgres, cockroach, mysql, sqlite3), or leave it out for every database",
            )),
            Some(Err(Refused::FizzWithDialect(d))) => strays.push(Stray::problem(
                entry.clone(),
                None,
                format!("a .fizz migration is for every database, and pop stops at this one for {d}"),
                "leave the dialect out of a .fizz file's name, or write the migration in SQL",
            )),
            None if name.ends_with(".sql") || name.ends_with(".fizz") => {
                strays.push(Stray::name(entry.clone(), super::Layout::Pop.pattern()))
            }
            None => {}
        }
    }
    let mut migrations = Vec::with_capacity(groups.len());
    for ((version, desc), group) in groups {
        let (up, down) = match group.pick(ours, true) {
            Some((up, sql)) => (script(up, sql), group.pick(ours, false)),
            None => {
                // Only other databases run it: kept for ordering and
                // identity, its scripts are not read as this dialect's.
                let Some(&(other, _, up, _)) = group.files.iter().find(|f| f.1) else {
                    // Downs alone: pop runs nothing on the way up.
                    continue;
                };
                let down = group
                    .files
                    .iter()
                    .find(|f| !f.1 && f.0 == other)
                    .map(|f| (f.2, false));
                (script(up, false), down)
            }
        };
        let down = down.map(|(file, sql)| script(file, sql && !up.unread));
        migrations.push(Migration {
            id: version.to_string(),
            version: Some(Version::parse(version)),
            description: desc.to_string(),
            kind: MigrationKind::Versioned,
            up,
            down,
            meta: Meta {
                // pop runs each migration and records its version in one
                // transaction.
                transaction: Transaction::Wrapped,
                ..Meta::default()
            },
        });
    }
    super::number_duplicates(&mut migrations);
    Plan {
        dir: dir.to_string(),
        layout: super::Layout::Pop,
        migrations,
        strays,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(names: &[&str]) -> Vec<FileEntry> {
        let mut out: Vec<FileEntry> = names
            .iter()
            .enumerate()
            .map(|(i, n)| FileEntry {
                path: format!("m/{n}"),
                id: Some(crate::source::BlobId([i as u8; 20])),
            })
            .collect();
        out.sort_by(|a, b| a.path.cmp(&b.path));
        out
    }

    #[test]
    fn names_as_pop_reads_them() {
        let n = parse_name("20200317160354000000_create_profile.postgres.up.sql")
            .unwrap()
            .unwrap();
        assert_eq!(n.version, "20200317160354000000");
        assert_eq!(n.name, "create_profile");
        assert_eq!(n.dialect, Some("postgres"));
        assert!(n.up && !n.fizz);
        let n = parse_name("20190611004000_create_providers.down.fizz")
            .unwrap()
            .unwrap();
        assert_eq!((n.dialect, n.up, n.fizz), (None, false, true));
        assert_eq!(
            parse_name("1_a.crdb.up.sql").unwrap().unwrap().dialect,
            Some("cockroach")
        );
        assert_eq!(
            parse_name("1_a.oracle.up.sql"),
            Some(Err(Refused::UnknownDialect("oracle".into())))
        );
        assert_eq!(
            parse_name("1_a.pg.up.fizz"),
            Some(Err(Refused::FizzWithDialect("postgres")))
        );
        assert!(parse_name("1_a.b.c.up.sql").is_none());
        assert!(parse_name("a_1.up.sql").is_none());
        assert!(parse_name("1.up.sql").is_none());
        assert!(parse_name("schema.sql").is_none());
        assert!(is_pop_specific("1_a.sqlite3.down.sql"));
        assert!(!is_pop_specific("1_a.down.sql"));
    }

    #[test]
    fn plan_picks_the_dialects_scripts() {
        let files = entries(&[
            "1_users.postgres.up.sql",
            "1_users.mysql.up.sql",
            "1_users.mysql.down.sql",
            "1_users.up.sql",
            "2_seed.up.fizz",
            "2_seed.down.fizz",
            "3_only_mysql.mysql.up.sql",
            "3_only_mysql.mysql.down.sql",
            "4_orphan.sqlite3.down.sql",
            "5_all.up.sql",
            "5_all.down.sql",
            "6_x.oracle.up.sql",
            "README.md",
        ]);
        let plan = plan("m", &files, Dialect::Postgres);
        let got: Vec<(String, String, bool, Option<String>)> = plan
            .migrations
            .iter()
            .map(|m| {
                (
                    m.id.clone(),
                    file_name(&m.up.file.path).to_string(),
                    m.up.unread,
                    m.down.as_ref().map(|d| file_name(&d.file.path).to_string()),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                ("1".into(), "1_users.postgres.up.sql".into(), false, None),
                (
                    "2".into(),
                    "2_seed.up.fizz".into(),
                    true,
                    Some("2_seed.down.fizz".into())
                ),
                (
                    "3".into(),
                    "3_only_mysql.mysql.up.sql".into(),
                    true,
                    Some("3_only_mysql.mysql.down.sql".into())
                ),
                (
                    "5".into(),
                    "5_all.up.sql".into(),
                    false,
                    Some("5_all.down.sql".into())
                ),
            ]
        );
        assert!(plan.migrations[1].down.as_ref().unwrap().unread);
        assert_eq!(plan.strays.len(), 1);
        let mysql = super::plan("m", &files, Dialect::Mysql);
        assert_eq!(
            file_name(&mysql.migrations[0].up.file.path),
            "1_users.mysql.up.sql"
        );
        assert!(!mysql.migrations[2].up.unread);
    }
}
