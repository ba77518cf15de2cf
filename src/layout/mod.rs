//! Layouts: one adapter per migration tool's file convention, each turning
//! the files of one directory of a Snapshot into a Plan, plus detection of
//! which layout a directory follows and where migration directories are.
//! Must not know git, rules or output formats; reads file text only through
//! `source::Files`, and only where the layout keeps several scripts in a file.

mod flyway;
mod golang_migrate;
mod plain;

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::Deserialize;

use crate::error::{Error, Result};
use crate::plan::Plan;
use crate::source::{FileEntry, Files};

/// A migration tool's file convention.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Layout {
    /// Flyway: `V1__desc.sql`, `U1__desc.sql`, `R__desc.sql`, `B1__desc.sql`.
    Flyway,
    /// golang-migrate: `0001_desc.up.sql` and `0001_desc.down.sql`.
    GolangMigrate,
    /// Sorted `.sql` files with a numeric or timestamp prefix.
    Plain,
}

/// Every layout, in detection order.
pub const ALL: &[Layout] = &[Layout::GolangMigrate, Layout::Flyway, Layout::Plain];

/// Names accepted for `layout:` in the configuration.
pub const NAMES: &[&str] = &["auto", "flyway", "golang-migrate", "plain"];

impl Layout {
    /// The name used in the configuration and in messages.
    pub fn name(self) -> &'static str {
        match self {
            Layout::Flyway => "flyway",
            Layout::GolangMigrate => "golang-migrate",
            Layout::Plain => "plain",
        }
    }

    /// Parses a configured layout name; `None` for an unknown one.
    pub fn from_name(name: &str) -> Option<Layout> {
        ALL.iter().copied().find(|l| l.name() == name)
    }

    /// Builds the Plan of `dir` from its files.
    pub fn plan(self, dir: &str, files: &Files) -> Result<Plan> {
        let entries = files.list(dir)?;
        let mut plan = match self {
            Layout::Flyway => flyway::plan(dir, &entries),
            Layout::GolangMigrate => golang_migrate::plan(dir, &entries),
            Layout::Plain => plain::plan(dir, &entries),
        };
        plan.sort();
        Ok(plan)
    }

    /// The text as the tool sees it when it decides whether a migration
    /// changed: BOM and line endings do not count for these tools.
    pub fn normalize(self, text: &str) -> Cow<'_, str> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        if !text.contains('\r') && !text.ends_with('\n') {
            return Cow::Borrowed(text);
        }
        let lines: Vec<&str> = text.lines().map(|l| l.trim_end_matches('\r')).collect();
        Cow::Owned(lines.join("\n"))
    }

    /// Whether this directory's migrations are expected to have a down script.
    pub fn expects_down(self, plan: &Plan) -> bool {
        match self {
            Layout::GolangMigrate => true,
            // Flyway undo migrations are opt-in: expected once a directory has one.
            Layout::Flyway => plan.migrations.iter().any(|m| m.down.is_some()),
            Layout::Plain => false,
        }
    }

    /// The file name pattern, for messages.
    pub fn pattern(self) -> &'static str {
        match self {
            Layout::Flyway => "V<version>__<description>.sql (or U.../R__.../B...)",
            Layout::GolangMigrate => "<version>_<description>.up.sql and .down.sql",
            Layout::Plain => "<version>_<description>.sql",
        }
    }

    /// Whether the layout reads files in subdirectories of its directory.
    fn recursive(self) -> bool {
        matches!(self, Layout::Flyway)
    }

    /// How many of `names` (file names directly in or below a directory) this
    /// layout recognises.
    fn score(self, names: &[&str]) -> usize {
        names
            .iter()
            .filter(|n| match self {
                Layout::Flyway => flyway::parse_name(n).is_some(),
                Layout::GolangMigrate => golang_migrate::parse_name(n).is_some(),
                Layout::Plain => plain::parse_name(n).is_some(),
            })
            .count()
    }
}

/// The file name of a path.
pub(crate) fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// Files directly in `dir` (not in subdirectories).
pub(crate) fn direct<'e>(
    dir: &str,
    entries: &'e [FileEntry],
) -> impl Iterator<Item = &'e FileEntry> {
    let depth = if dir.is_empty() {
        0
    } else {
        dir.trim_end_matches('/').matches('/').count() + 1
    };
    entries
        .iter()
        .filter(move |e| e.path.matches('/').count() == depth)
}

/// Whether a file could belong to a migration directory found without
/// configuration: discovery and detection look at `.sql` files only.
pub fn may_hold_migration(path: &str) -> bool {
    path.ends_with(".sql")
}

/// Which layout a directory follows, and why.
#[derive(Clone, Debug)]
pub struct Detection {
    /// The chosen layout.
    pub layout: Layout,
    /// Why, in words (`sqlgate check -v`, `sqlgate init`).
    pub reason: String,
}

/// Detects the layout of the directory whose files are `entries`.
/// `Ok(None)` when it holds no migrations; an error when two layouts fit.
pub fn detect(dir: &str, entries: &[FileEntry]) -> Result<Option<Detection>> {
    let all_sql: Vec<&str> = entries
        .iter()
        .map(|e| e.path.as_str())
        .filter(|p| p.ends_with(".sql"))
        .collect();
    let direct_sql: Vec<&str> = direct(dir, entries)
        .map(|e| file_name(&e.path))
        .filter(|p| p.ends_with(".sql"))
        .collect();
    let names_for = |layout: Layout| -> Vec<&str> {
        if layout.recursive() {
            all_sql.iter().map(|p| file_name(p)).collect()
        } else {
            direct_sql.clone()
        }
    };
    let golang = Layout::GolangMigrate.score(&names_for(Layout::GolangMigrate));
    let flyway = Layout::Flyway.score(&names_for(Layout::Flyway));
    let plain = Layout::Plain.score(&names_for(Layout::Plain));
    let shown = if dir.is_empty() { "." } else { dir };
    if golang > 0 && flyway > 0 {
        return Err(Error::new(format!(
            "{shown} holds both golang-migrate files ({golang}) and Flyway files ({flyway})"
        ))
        .with_help(format!(
            "set `layout:` for `{shown}` in .sqlgate.yml, or move one kind of file elsewhere"
        )));
    }
    let found = if golang > 0 {
        Some(Detection {
            layout: Layout::GolangMigrate,
            reason: format!("{golang} files named <version>_<description>.up.sql/.down.sql"),
        })
    } else if flyway > 0 {
        Some(Detection {
            layout: Layout::Flyway,
            reason: format!("{flyway} files named V<version>__<description>.sql"),
        })
    } else if plain > 0 && plain * 2 >= direct_sql.len() {
        Some(Detection {
            layout: Layout::Plain,
            reason: format!("{plain} .sql files with a numeric or timestamp prefix"),
        })
    } else {
        None
    };
    Ok(found)
}

/// Finds the migration directories of a source and their layouts, for a
/// first run without configuration. Directories are returned sorted; a
/// directory below one already found is not returned again.
pub fn discover(files: &Files, under: &str) -> Result<Vec<(String, Detection)>> {
    let all = files.list(under)?;
    let mut by_dir: BTreeMap<String, Vec<FileEntry>> = BTreeMap::new();
    for entry in all.iter().filter(|e| e.path.ends_with(".sql")) {
        let dir = entry
            .path
            .rsplit_once('/')
            .map_or("", |(d, _)| d)
            .to_string();
        by_dir.entry(dir).or_default().push(entry.clone());
    }
    let mut found: Vec<(String, Detection)> = Vec::new();
    for dir in by_dir.keys() {
        if found
            .iter()
            .any(|(d, det)| det.layout.recursive() && is_below(dir, d))
        {
            continue;
        }
        let entries: Vec<FileEntry> = all
            .iter()
            .filter(|e| is_below(&e.path, dir))
            .cloned()
            .collect();
        if let Some(detection) = detect(dir, &entries)? {
            let min = if detection.layout == Layout::Plain {
                2
            } else {
                1
            };
            let count = detection.layout.score(
                &direct(dir, &entries)
                    .map(|e| file_name(&e.path))
                    .collect::<Vec<_>>(),
            );
            if count >= min || detection.layout.recursive() {
                found.push((dir.clone(), detection));
            }
        }
    }
    Ok(found)
}

fn is_below(path: &str, dir: &str) -> bool {
    dir.is_empty()
        || path
            .strip_prefix(dir)
            .is_some_and(|rest| rest.starts_with('/'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::MemSource;

    #[test]
    fn discovers_each_layout() {
        let mut mem = MemSource::default();
        mem.insert("db/migrations/0001_init.up.sql", "");
        mem.insert("db/migrations/0001_init.down.sql", "");
        mem.insert("src/main/resources/db/migration/V1__init.sql", "");
        mem.insert("src/main/resources/db/migration/v2/V2__more.sql", "");
        mem.insert("sql/001_schema.sql", "");
        mem.insert("sql/002_seed.sql", "");
        mem.insert("docs/example.sql", "");
        let files = Files::new(&mem);
        let found: Vec<_> = discover(&files, "")
            .unwrap()
            .into_iter()
            .map(|(d, det)| (d, det.layout))
            .collect();
        assert_eq!(
            found,
            vec![
                ("db/migrations".to_string(), Layout::GolangMigrate),
                ("sql".to_string(), Layout::Plain),
                (
                    "src/main/resources/db/migration".to_string(),
                    Layout::Flyway
                ),
            ]
        );
    }
}
