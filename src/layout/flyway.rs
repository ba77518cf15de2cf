//! Flyway: `V<version>__<description>.sql` (versioned), `U<version>__...`
//! (undo, the down of the V with the same version), `R__<description>.sql`
//! (repeatable), `B<version>__...` (baseline), found recursively. Prefixes,
//! separator and suffixes are configurable as in Flyway's own settings. A
//! script configuration file beside a script (`V1__x.sql.conf`) may say
//! `executeInTransaction=false`.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::file_name;
use crate::error::Result;
use crate::plan::{Meta, Migration, MigrationKind, Plan, Script, Stray, Transaction, Version};
use crate::source::{FileEntry, Files};

/// Flyway's file name settings (`sqlMigrationPrefix` and the others), under
/// `flyway:` for a migration directory. Every key defaults to Flyway's.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct FlywayNames {
    /// Versioned migrations (Flyway's `sqlMigrationPrefix`, `V`).
    pub sql_migration_prefix: String,
    /// Undo migrations (`undoSqlMigrationPrefix`, `U`).
    pub undo_sql_migration_prefix: String,
    /// Repeatable migrations (`repeatableSqlMigrationPrefix`, `R`).
    pub repeatable_sql_migration_prefix: String,
    /// Baseline migrations (`baselineMigrationPrefix`, `B`).
    pub baseline_migration_prefix: String,
    /// Between version and description (`sqlMigrationSeparator`, `__`).
    pub sql_migration_separator: String,
    /// File suffixes (`sqlMigrationSuffixes`, `.sql`).
    pub sql_migration_suffixes: Vec<String>,
}

impl Default for FlywayNames {
    fn default() -> Self {
        FlywayNames {
            sql_migration_prefix: "V".to_string(),
            undo_sql_migration_prefix: "U".to_string(),
            repeatable_sql_migration_prefix: "R".to_string(),
            baseline_migration_prefix: "B".to_string(),
            sql_migration_separator: "__".to_string(),
            sql_migration_suffixes: vec![".sql".to_string()],
        }
    }
}

/// The kind of a Flyway script, from its prefix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Prefix {
    Versioned,
    Undo,
    Repeatable,
    Baseline,
}

impl FlywayNames {
    /// The pattern, for messages.
    pub(super) fn pattern(&self) -> String {
        let suffix = self
            .sql_migration_suffixes
            .first()
            .map_or(".sql", String::as_str);
        format!(
            "{v}<version>{sep}<description>{suffix} (or {u}<version>{sep}..., {r}{sep}..., {b}<version>{sep}...)",
            v = self.sql_migration_prefix,
            u = self.undo_sql_migration_prefix,
            r = self.repeatable_sql_migration_prefix,
            b = self.baseline_migration_prefix,
            sep = self.sql_migration_separator,
        )
    }

    /// Whether a file name ends with one of the configured suffixes.
    pub(super) fn has_suffix(&self, name: &str) -> bool {
        self.sql_migration_suffixes
            .iter()
            .any(|s| name.len() > s.len() && name.ends_with(s.as_str()))
    }

    /// The kind, version (empty for repeatable) and description of a name.
    pub(super) fn parse<'n>(&self, name: &'n str) -> Option<(Prefix, &'n str, &'n str)> {
        let suffix = self
            .sql_migration_suffixes
            .iter()
            .filter(|s| !s.is_empty())
            .find(|s| name.ends_with(s.as_str()))?;
        let stem = &name[..name.len() - suffix.len()];
        // Longest prefix first, as two configured prefixes may share a start.
        let mut prefixes = [
            (self.sql_migration_prefix.as_str(), Prefix::Versioned),
            (self.undo_sql_migration_prefix.as_str(), Prefix::Undo),
            (
                self.repeatable_sql_migration_prefix.as_str(),
                Prefix::Repeatable,
            ),
            (self.baseline_migration_prefix.as_str(), Prefix::Baseline),
        ];
        prefixes.sort_by_key(|(p, _)| std::cmp::Reverse(p.len()));
        let sep = self.sql_migration_separator.as_str();
        if sep.is_empty() {
            return None;
        }
        prefixes.iter().find_map(|(prefix, kind)| {
            let rest = stem.strip_prefix(prefix).filter(|_| !prefix.is_empty())?;
            let (version, desc) = rest.split_once(sep)?;
            let valid_version = if *kind == Prefix::Repeatable {
                version.is_empty()
            } else {
                version.starts_with(|c: char| c.is_ascii_digit())
                    && version
                        .chars()
                        .all(|c| c.is_ascii_digit() || c == '.' || c == '_')
            };
            (valid_version && !desc.is_empty()).then_some((*kind, version, desc))
        })
    }
}

/// The prefix letter, version and description of a file name under Flyway's
/// default names (for `sqlgate new`, which writes default names).
pub(super) fn parse_name(name: &str) -> Option<(char, &str, &str)> {
    let (prefix, version, desc) = FlywayNames::default().parse(name)?;
    let letter = match prefix {
        Prefix::Versioned => 'V',
        Prefix::Undo => 'U',
        Prefix::Repeatable => 'R',
        Prefix::Baseline => 'B',
    };
    Some((letter, version, desc))
}

pub(super) fn plan(
    dir: &str,
    entries: &[FileEntry],
    files: &Files,
    names: &FlywayNames,
) -> Result<Plan> {
    let mut strays = Vec::new();
    let mut undo: BTreeMap<Version, FileEntry> = BTreeMap::new();
    let mut migrations = Vec::new();
    for entry in entries.iter().filter(|e| names.has_suffix(&e.path)) {
        let name = file_name(&entry.path);
        let Some((prefix, version, desc)) = names.parse(name) else {
            strays.push(Stray::name(entry.clone(), names.pattern()));
            continue;
        };
        let (kind, id, version) = match prefix {
            Prefix::Undo => {
                undo.insert(Version::parse(version), entry.clone());
                continue;
            }
            Prefix::Repeatable => (MigrationKind::Repeatable, format!("R__{desc}"), None),
            Prefix::Baseline => (
                MigrationKind::Baseline,
                format!("B{version}"),
                Some(Version::parse(version)),
            ),
            Prefix::Versioned => (
                MigrationKind::Versioned,
                version.replace('_', "."),
                Some(Version::parse(version)),
            ),
        };
        let transaction = if executes_outside_transaction(entries, entry, files)? {
            Transaction::Unwrapped
        } else {
            Transaction::Wrapped
        };
        migrations.push(Migration {
            id,
            version,
            description: desc.to_string(),
            kind,
            up: Script::whole(entry.clone()),
            down: None,
            meta: Meta {
                transaction,
                ..Meta::default()
            },
        });
    }
    // Two V files whose versions differ only in writing (1.1 and 1_1) get
    // distinct ids so that duplicate-version can name both.
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for m in &mut migrations {
        let n = seen.entry(m.id.clone()).or_insert(0);
        if *n > 0 {
            m.id = format!("{}#{n}", m.id);
        }
        *n += 1;
    }
    for m in &mut migrations {
        if m.kind == MigrationKind::Versioned {
            if let Some(file) = m.version.as_ref().and_then(|v| undo.remove(v)) {
                m.down = Some(Script::whole(file));
            }
        }
    }
    for (_, file) in undo {
        strays.push(Stray::problem(
            file,
            None,
            "this undo (U) file has no versioned migration of the same version",
            "give it the version of the migration it undoes",
        ));
    }
    Ok(Plan {
        dir: dir.to_string(),
        layout: super::Layout::Flyway,
        migrations,
        strays,
    })
}

/// Whether a script configuration file beside the script (`<script>.conf`)
/// turns `executeInTransaction` off. Only that small file is read.
fn executes_outside_transaction(
    entries: &[FileEntry],
    script: &FileEntry,
    files: &Files,
) -> Result<bool> {
    let conf = format!("{}.conf", script.path);
    let Some(entry) = entries.iter().find(|e| e.path == conf) else {
        return Ok(false);
    };
    let Ok(text) = files.text(entry)? else {
        return Ok(false);
    };
    Ok(text.lines().any(|line| {
        line.split_once('=').is_some_and(|(k, v)| {
            k.trim() == "executeInTransaction" && v.trim().eq_ignore_ascii_case("false")
        })
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_names() {
        let n = FlywayNames::default();
        assert_eq!(
            n.parse("V1__init.sql"),
            Some((Prefix::Versioned, "1", "init"))
        );
        assert_eq!(
            n.parse("V1_1__more.sql"),
            Some((Prefix::Versioned, "1_1", "more"))
        );
        assert_eq!(
            n.parse("R__views.sql"),
            Some((Prefix::Repeatable, "", "views"))
        );
        assert_eq!(n.parse("U2__undo.sql"), Some((Prefix::Undo, "2", "undo")));
        assert_eq!(n.parse("V2_add.sql"), None);
        assert_eq!(n.parse("v2__add.sql"), None);
    }

    #[test]
    fn configured_names() {
        let n = FlywayNames {
            sql_migration_prefix: "M".into(),
            sql_migration_separator: "-".into(),
            sql_migration_suffixes: vec![".pgsql".into(), ".sql".into()],
            ..FlywayNames::default()
        };
        assert_eq!(
            n.parse("M20240105-add_users.pgsql"),
            Some((Prefix::Versioned, "20240105", "add_users"))
        );
        assert_eq!(
            n.parse("R-views.sql"),
            Some((Prefix::Repeatable, "", "views"))
        );
        assert_eq!(n.parse("V1__init.sql"), None);
    }
}
