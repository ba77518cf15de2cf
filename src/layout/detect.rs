//! Detection: which layout a directory follows, and why, from its markers
//! (`sqitch.plan`, a Liquibase master changelog, `migration_lock.toml`,
//! `atlas.sum`, a `Cargo.toml` that uses sqlx), its file names, and for
//! single-file layouts the directives of a sample of its files. Two layouts
//! with evidence in one directory are an error, never a guess. Discovery
//! finds the migration directories of a whole source.

use std::collections::BTreeSet;

use std::sync::OnceLock;

use regex::Regex;

use super::{
    atlas, dbmate, direct, file_name, golang_migrate, goose, liquibase, plain, pop, prisma, sqitch,
    sqlx, Layout, Options,
};
use crate::error::{Error, Result};
use crate::source::{join, FileEntry, Files};

/// Which layout a directory follows, and why.
#[derive(Clone, Debug)]
pub struct Detection {
    /// The chosen layout.
    pub layout: Layout,
    /// Why, in words (`sqlgate check -v`, `sqlgate init`).
    pub reason: String,
    /// How many files showed it.
    pub files: usize,
}

/// How many files at each end of a directory (by name) detection reads to
/// find the directives of single-file layouts. The newest files are the
/// ones a change adds; a file in the middle that fits no layout is still
/// reported by the chosen layout's adapter, which reads every file.
const SAMPLE: usize = 12;

fn found(layout: Layout, files: usize, reason: String) -> Detection {
    Detection {
        layout,
        reason,
        files,
    }
}

fn conflict(dir: &str, found: &[Detection]) -> Error {
    let shown = if dir.is_empty() { "." } else { dir };
    let list: Vec<String> = found
        .iter()
        .map(|d| format!("{} ({})", d.layout.name(), d.reason))
        .collect();
    Error::new(format!("{shown} fits more than one layout: {}", list.join(" and ")))
        .with_help(format!(
            "set `layout:` for `{shown}` in .sqlgate.yml, or move one kind of file to its own directory"
        ))
}

/// Detects the layout of `dir`. `Ok(None)` when it holds no migrations; an
/// error when two layouts fit.
pub fn detect(files: &Files, dir: &str, options: &Options) -> Result<Option<Detection>> {
    let entries = files.list(dir)?;
    let here: Vec<&FileEntry> = direct(dir, &entries).collect();
    let has = |name: &str| here.iter().any(|e| file_name(&e.path) == name);
    let direct_sql: Vec<&FileEntry> = here
        .iter()
        .copied()
        .filter(|e| e.path.ends_with(".sql"))
        .collect();

    // Markers and file names only one tool uses.
    // sqitch's plan decides: its scripts may have any name.
    if has(sqitch::PLAN_FILE) {
        return Ok(Some(found(
            Layout::Sqitch,
            1,
            "sqitch.plan lists its changes".to_string(),
        )));
    }
    let mut strong = Vec::new();
    if let Some(root) = liquibase::root_changelog(dir, &entries, files)? {
        strong.push(found(
            Layout::Liquibase,
            1,
            format!("{} is a Liquibase changelog", file_name(&root.path)),
        ));
    }
    let prisma = entries
        .iter()
        .filter(|e| prisma::is_migration_file(dir, e))
        .count();
    if prisma > 0 || has(prisma::LOCK_FILE) {
        strong.push(found(
            Layout::Prisma,
            prisma,
            format!("{prisma} folders with migration.sql"),
        ));
    }
    let diesel = entries
        .iter()
        .filter(|e| prisma::folder_file(dir, e).is_some_and(|(_, f)| f == "up.sql"))
        .count();
    if diesel > 0 {
        strong.push(found(
            Layout::Diesel,
            diesel,
            format!("{diesel} folders with up.sql"),
        ));
    }
    let flyway = entries
        .iter()
        .filter(|e| options.flyway.parse(file_name(&e.path)).is_some())
        .count();
    if flyway > 0 {
        strong.push(found(
            Layout::Flyway,
            flyway,
            format!(
                "{flyway} files named {}<version>{}<description>",
                options.flyway.sql_migration_prefix, options.flyway.sql_migration_separator
            ),
        ));
    }
    let pairs = direct_sql
        .iter()
        .filter(|e| golang_migrate::parse_name(file_name(&e.path)).is_some())
        .count();
    let sqlx_project = uses_sqlx(files, dir)?;
    // pop's names are golang-migrate's with a dialect infix or `.fizz`, and
    // its SQL is rendered as a Go template.
    let pop_specific = here
        .iter()
        .filter(|e| pop::is_pop_specific(file_name(&e.path)))
        .count();
    let pop_named = || {
        here.iter()
            .filter(|e| pop::is_pop_name(file_name(&e.path)))
            .count()
    };
    if !sqlx_project && pop_specific > 0 {
        let n = pop_named();
        strong.push(found(
            Layout::Pop,
            n,
            format!("{n} files named <version>_<name>.<up|down>.<sql|fizz>, {pop_specific} of them with a database infix or in fizz"),
        ));
    } else if !sqlx_project && pairs > 0 && templated(files, &direct_sql)? {
        let n = pop_named();
        strong.push(found(
            Layout::Pop,
            n,
            format!("{n} files named <version>_<name>.up.sql/.down.sql holding Go template actions that pop renders"),
        ));
    } else if pairs > 0 {
        strong.push(if sqlx_project {
            found(
                Layout::Sqlx,
                pairs,
                format!("{pairs} files named <version>_<description>.up.sql/.down.sql in a crate that uses sqlx"),
            )
        } else {
            found(
                Layout::GolangMigrate,
                pairs,
                format!("{pairs} files named <version>_<description>.up.sql/.down.sql"),
            )
        });
    }
    if strong.len() > 1 {
        return Err(conflict(dir, &strong));
    }

    // Directives of single-file layouts, in a sample of the files.
    let mut sample: Vec<&FileEntry> = direct_sql.iter().take(SAMPLE).copied().collect();
    for entry in direct_sql.iter().rev().take(SAMPLE) {
        if !sample.iter().any(|s| s.path == entry.path) {
            sample.push(entry);
        }
    }
    let (mut dbmate_n, mut goose_n, mut liquibase_n) = (0, 0, 0);
    if strong.is_empty() {
        for entry in &sample {
            let Ok(text) = files.text(entry)? else {
                continue;
            };
            if liquibase::is_formatted(&text) {
                liquibase_n += 1;
            } else if goose::has_up_annotation(&text) {
                goose_n += 1;
            } else if dbmate::has_up_directive(&text) {
                dbmate_n += 1;
            }
        }
    }
    let read = sample.len();
    let mut directives = Vec::new();
    if dbmate_n > 0 {
        directives.push(found(
            Layout::Dbmate,
            dbmate_n,
            format!("{dbmate_n} of {read} files read have a -- migrate:up section"),
        ));
    }
    if goose_n > 0 {
        directives.push(found(
            Layout::Goose,
            goose_n,
            format!("{goose_n} of {read} files read have a -- +goose Up annotation"),
        ));
    }
    if liquibase_n > 0 {
        directives.push(found(
            Layout::Liquibase,
            liquibase_n,
            format!("{liquibase_n} of {read} files read start with --liquibase formatted sql"),
        ));
    }
    if directives.len() > 1 {
        return Err(conflict(dir, &directives));
    }
    if let Some(d) = strong.pop().or_else(|| directives.pop()) {
        return Ok(Some(d));
    }

    // File names alone.
    if has(atlas::SUM_FILE) && !direct_sql.is_empty() {
        return Ok(Some(found(
            Layout::Atlas,
            direct_sql.len(),
            format!("atlas.sum beside {} .sql files", direct_sql.len()),
        )));
    }
    if sqlx_project {
        let n = direct_sql
            .iter()
            .filter(|e| matches!(sqlx::parse_name(file_name(&e.path)), Some(Ok(_))))
            .count();
        if n > 0 {
            return Ok(Some(found(
                Layout::Sqlx,
                n,
                format!("{n} files named <version>_<description>.sql in a crate that uses sqlx"),
            )));
        }
    }
    let plain = direct_sql
        .iter()
        .filter(|e| plain::parse_name(file_name(&e.path)).is_some())
        .count();
    if plain > 0 && plain * 2 >= direct_sql.len() {
        return Ok(Some(found(
            Layout::Plain,
            plain,
            format!("{plain} .sql files with a numeric or timestamp prefix"),
        )));
    }
    Ok(None)
}

/// A Go template action on the options pop renders migrations with
/// (`{{ index .Options "Namespace" }}`, `{{ .Options.x }}`).
fn template_action() -> Option<&'static Regex> {
    static RE: OnceLock<Option<Regex>> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"\{\{-?\s*(index\s+)?\.Options\b").ok())
        .as_ref()
}

/// Whether the newest up scripts of a directory hold template actions pop
/// renders: golang-migrate would send them to the database as they are.
fn templated(files: &Files, direct_sql: &[&FileEntry]) -> Result<bool> {
    let Some(re) = template_action() else {
        return Ok(false);
    };
    for entry in direct_sql
        .iter()
        .rev()
        .filter(|e| e.path.ends_with(".up.sql"))
        .take(SAMPLE)
    {
        if files.text(entry)?.is_ok_and(|text| re.is_match(&text)) {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Whether the crate around `dir` uses sqlx: the `Cargo.toml` beside the
/// directory (where `sqlx::migrate!()` looks for `migrations/`) names it.
fn uses_sqlx(files: &Files, dir: &str) -> Result<bool> {
    let parent = dir.rsplit_once('/').map_or("", |(p, _)| p);
    let manifest = join(parent, "Cargo.toml");
    let Some(entry) = files
        .list(&manifest)?
        .iter()
        .find(|e| e.path == manifest)
        .cloned()
    else {
        return Ok(false);
    };
    Ok(files
        .text(&entry)?
        .is_ok_and(|text| text.lines().any(|l| l.trim_start().starts_with("sqlx"))))
}

/// Finds the migration directories of a source and their layouts, for a
/// first run without configuration. Directories are returned sorted; a
/// directory below one already found with a layout that reads
/// subdirectories is not returned again.
pub fn discover(files: &Files, under: &str) -> Result<Vec<(String, Detection)>> {
    let all = files.list(under)?;
    let mut candidates: BTreeSet<String> = BTreeSet::new();
    for entry in all.iter() {
        let name = file_name(&entry.path);
        let parent = entry.path.rsplit_once('/').map_or("", |(d, _)| d);
        let lower = name.to_ascii_lowercase();
        let changelog = [".xml", ".yaml", ".yml", ".json"]
            .iter()
            .any(|e| lower.ends_with(e))
            && (lower.contains("changelog") || lower.contains("master"));
        if name.ends_with(".sql")
            || name.ends_with(".fizz")
            || changelog
            || [sqitch::PLAN_FILE, atlas::SUM_FILE, prisma::LOCK_FILE].contains(&name)
        {
            candidates.insert(parent.to_string());
        }
        // Prisma and Diesel keep one folder per migration: the directory is
        // the folder's parent.
        if matches!(name, "migration.sql" | "up.sql") {
            candidates.insert(parent.rsplit_once('/').map_or("", |(d, _)| d).to_string());
        }
    }
    let options = Options::default();
    let mut out: Vec<(String, Detection)> = Vec::new();
    for dir in candidates {
        if out
            .iter()
            .any(|(d, det)| det.layout.recursive() && is_below(&dir, d))
        {
            continue;
        }
        if let Some(detection) = detect(files, &dir, &options)? {
            let min = if detection.layout == Layout::Plain {
                2
            } else {
                1
            };
            if detection.files >= min || detection.layout.recursive() {
                out.push((dir, detection));
            }
        }
    }
    Ok(out)
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

    fn discovered(mem: &MemSource) -> Vec<(String, Layout)> {
        let files = Files::new(mem);
        discover(&files, "")
            .unwrap()
            .into_iter()
            .map(|(d, det)| (d, det.layout))
            .collect()
    }

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
        mem.insert(
            "dbmate/db/migrations/20240101000000_users.sql",
            "-- migrate:up\nCREATE TABLE u ();\n-- migrate:down\nDROP TABLE u;\n",
        );
        mem.insert(
            "goose/00001_users.sql",
            "-- +goose Up\nCREATE TABLE u ();\n",
        );
        mem.insert("lb/db.changelog-master.yaml", "databaseChangeLog:\n  - includeAll:\n      path: changes/\n      relativeToChangelogFile: true\n");
        mem.insert(
            "lb/changes/001-users.sql",
            "--liquibase formatted sql\n--changeset a:1\nCREATE TABLE u ();\n",
        );
        mem.insert("sqitch/sqitch.plan", "%project=x\n");
        mem.insert("sqitch/deploy/users.sql", "");
        mem.insert("prisma/migrations/20240101000000_init/migration.sql", "");
        mem.insert(
            "prisma/migrations/migration_lock.toml",
            "provider = \"postgresql\"\n",
        );
        mem.insert("diesel/migrations/2024-01-02-094916_users/up.sql", "");
        mem.insert("diesel/migrations/2024-01-02-094916_users/down.sql", "");
        mem.insert(
            "rust/Cargo.toml",
            "[dependencies]\nsqlx = { version = \"0.8\" }\n",
        );
        mem.insert(
            "rust/migrations/20240101000000_users.sql",
            "CREATE TABLE u ();\n",
        );
        mem.insert(
            "atlas/migrations/20240101000000_users.sql",
            "CREATE TABLE u ();\n",
        );
        mem.insert("atlas/migrations/atlas.sum", "h1:x\n");
        mem.insert(
            "kratos/sql/20200317160354000000_create_profile.postgres.up.sql",
            "CREATE TABLE profiles (id uuid PRIMARY KEY);\n",
        );
        mem.insert(
            "kratos/sql/20200317160354000000_create_profile.mysql.up.sql",
            "CREATE TABLE profiles (id char(36) PRIMARY KEY);\n",
        );
        mem.insert(
            "buffalo/migrations/20190611004000_create_widgets.up.fizz",
            "create_table(\"widgets\") {}\n",
        );
        mem.insert(
            "gotrue/migrations/20210710035447_alter_users.up.sql",
            "ALTER TABLE {{ index .Options \"Namespace\" }}.users ADD COLUMN phone text;\n",
        );
        assert_eq!(
            discovered(&mem),
            vec![
                ("atlas/migrations".to_string(), Layout::Atlas),
                ("buffalo/migrations".to_string(), Layout::Pop),
                ("db/migrations".to_string(), Layout::GolangMigrate),
                ("dbmate/db/migrations".to_string(), Layout::Dbmate),
                ("diesel/migrations".to_string(), Layout::Diesel),
                ("goose".to_string(), Layout::Goose),
                ("gotrue/migrations".to_string(), Layout::Pop),
                ("kratos/sql".to_string(), Layout::Pop),
                ("lb".to_string(), Layout::Liquibase),
                ("prisma/migrations".to_string(), Layout::Prisma),
                ("rust/migrations".to_string(), Layout::Sqlx),
                ("sqitch".to_string(), Layout::Sqitch),
                ("sql".to_string(), Layout::Plain),
                (
                    "src/main/resources/db/migration".to_string(),
                    Layout::Flyway
                ),
            ]
        );
    }

    #[test]
    fn two_layouts_in_one_directory_are_an_error() {
        let mut mem = MemSource::default();
        mem.insert(
            "db/20240101000000_a.sql",
            "-- migrate:up\nSELECT 1;\n-- migrate:down\n",
        );
        mem.insert("db/20240102000000_b.sql", "-- +goose Up\nSELECT 1;\n");
        let files = Files::new(&mem);
        let err = detect(&files, "db", &Options::default()).unwrap_err();
        assert!(
            err.message.contains("dbmate") && err.message.contains("goose"),
            "{}",
            err.message
        );
        assert!(err.help.unwrap().contains("layout:"));
    }
}
