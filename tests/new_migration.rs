//! `sqlgate new`, shell completions and the manual page, through the binary.

mod common;

use common::{shop, Repo, Run};
use sqlgate::plan::Version;

/// The paths `sqlgate new` printed.
fn paths(run: &Run) -> Vec<String> {
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    run.stdout.lines().map(str::to_string).collect()
}

/// The version part of a migration file name (digits and separators up to
/// the description).
fn version_of(path: &str) -> Version {
    let name = path.rsplit('/').next().unwrap();
    let name = name.strip_prefix('V').unwrap_or(name);
    let end = name
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(name.len());
    Version::parse(&name[..end])
}

/// Fills the created migration in, stages it and runs the pre-commit check.
fn fill_stage_and_check(repo: &Repo, created: &[String], up: &str, down: &str) -> Run {
    for path in created {
        let sql = if path.contains(".down.") || path.contains("/U") {
            down
        } else {
            up
        };
        repo.write(path, sql);
    }
    repo.git(&["add", "-A"]);
    repo.sqlgate(&["check", "--staged", "--format", "json"])
}

#[test]
fn new_in_a_timestamp_directory_sorts_after_every_migration_and_passes_the_staged_check() {
    let repo = shop();
    let created = paths(&repo.sqlgate(&["new", "add users"]));
    assert_eq!(created.len(), 2);
    assert!(created[0].starts_with("db/migrations/"), "{created:?}");
    assert!(created[0].ends_with("_add_users.up.sql"), "{created:?}");
    assert!(created[1].ends_with("_add_users.down.sql"), "{created:?}");
    let version = version_of(&created[0]);
    assert!(version.is_timestamp(), "{version}");
    assert_eq!(version.as_str().len(), 14);
    assert!(version > Version::parse("20240201080000"), "{version}");
    let run = fill_stage_and_check(
        &repo,
        &created,
        "ALTER TABLE users ADD COLUMN display_name text;\n",
        "ALTER TABLE users DROP COLUMN display_name;\n",
    );
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(run.findings().len(), 0, "{}", run.stdout);
}

#[test]
fn new_after_timestamps_from_the_future_follows_them_not_the_clock() {
    let repo = shop();
    repo.migration(
        "20990101000000_scheduled",
        "CREATE TABLE later (id bigint);\n",
        "DROP TABLE later;\n",
    );
    repo.commit("a migration dated far ahead");
    let created = paths(&repo.sqlgate(&["new", "add_users"]));
    assert_eq!(
        created,
        vec![
            "db/migrations/20990101000001_add_users.up.sql",
            "db/migrations/20990101000001_add_users.down.sql"
        ]
    );
}

/// main has twelve zero-padded golang-migrate migrations.
fn numbered() -> Repo {
    let repo = Repo::new();
    repo.write(
        ".sqlgate.yml",
        "trunk: main\nmigrations:\n  - dir: migrations\n    layout: golang-migrate\n",
    );
    for i in 1..=12 {
        repo.write(
            &format!("migrations/{i:06}_step_{i}.up.sql"),
            format!("CREATE TABLE step_{i} (id bigint PRIMARY KEY);\n"),
        );
        repo.write(
            &format!("migrations/{i:06}_step_{i}.down.sql"),
            format!("DROP TABLE step_{i};\n"),
        );
    }
    repo.commit("twelve steps");
    repo
}

#[test]
fn new_in_a_zero_padded_directory_keeps_the_width_and_passes_the_staged_check() {
    let repo = numbered();
    let created = paths(&repo.sqlgate(&["new", "add_users"]));
    assert_eq!(
        created,
        vec![
            "migrations/000013_add_users.up.sql",
            "migrations/000013_add_users.down.sql"
        ]
    );
    let run = fill_stage_and_check(
        &repo,
        &created,
        "CREATE TABLE users (\n    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY\n);\n",
        "DROP TABLE users;\n",
    );
    assert_eq!(run.code, 0, "{}", run.stdout);
    // The version really sorts last: a second one follows it.
    let created = paths(&repo.sqlgate(&["new", "add orders"]));
    assert_eq!(created[0], "migrations/000014_add_orders.up.sql");
}

#[test]
fn new_for_an_environment_sorts_after_every_environment_branch() {
    let repo = numbered();
    repo.write(
        ".sqlgate.yml",
        "trunk: main\nmigrations:\n  - dir: migrations\n    layout: golang-migrate\n\
         environments:\n  - { name: dev, branch: develop }\n  - { name: prod, branch: main }\n",
    );
    repo.commit("environments");
    repo.branch("develop");
    for i in 13..=15 {
        repo.write(
            &format!("migrations/{i:06}_dev_{i}.up.sql"),
            format!("CREATE TABLE dev_{i} (id bigint);\n"),
        );
        repo.write(
            &format!("migrations/{i:06}_dev_{i}.down.sql"),
            format!("DROP TABLE dev_{i};\n"),
        );
    }
    repo.commit("develop runs ahead");
    repo.checkout("main");
    repo.branch("hotfix");
    let without = paths(&repo.sqlgate(&["new", "fix_index"]));
    assert_eq!(without[0], "migrations/000013_fix_index.up.sql");
    for p in &without {
        std::fs::remove_file(repo.path().join(p)).unwrap();
    }
    let with = paths(&repo.sqlgate(&["new", "fix_index", "--for", "prod"]));
    assert_eq!(with[0], "migrations/000016_fix_index.up.sql");
    let run = repo.sqlgate(&["new", "fix_index", "--for", "prd"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("did you mean `prod`?"),
        "{}",
        run.stderr
    );
}

#[test]
fn new_in_a_flyway_directory_writes_the_next_v_file() {
    let repo = Repo::new();
    for i in 1..=10 {
        repo.write(
            &format!("src/main/resources/db/migration/V{i}__step_{i}.sql"),
            format!("CREATE TABLE step_{i} (id bigint PRIMARY KEY);\n"),
        );
    }
    repo.write(
        "src/main/resources/db/migration/R__reporting_views.sql",
        "CREATE OR REPLACE VIEW steps AS SELECT id FROM step_1;\n",
    );
    repo.commit("flyway");
    let created = paths(&repo.sqlgate(&["new", "Add users"]));
    assert_eq!(
        created,
        vec!["src/main/resources/db/migration/V11__add_users.sql"]
    );
    let run = fill_stage_and_check(
        &repo,
        &created,
        "CREATE TABLE users (id bigint PRIMARY KEY);\n",
        "",
    );
    assert_eq!(run.code, 0, "{}", run.stdout);
}

#[test]
fn new_in_a_plain_directory_writes_the_next_numbered_file() {
    let repo = Repo::new();
    repo.write("sql/001_schema.sql", "CREATE SCHEMA app;\n");
    repo.write("sql/002_seed.sql", "INSERT INTO app.settings VALUES (1);\n");
    repo.commit("plain");
    let created = paths(&repo.sqlgate(&["new", "add_users"]));
    assert_eq!(created, vec!["sql/003_add_users.sql"]);
    let run = fill_stage_and_check(
        &repo,
        &created,
        "CREATE TABLE app.users (id bigint PRIMARY KEY);\n",
        "",
    );
    assert_eq!(run.code, 0, "{}", run.stdout);
}

#[test]
fn new_with_several_directories_asks_which_unless_run_inside_one() {
    let repo = shop();
    repo.write(
        ".sqlgate.yml",
        "migrations:\n  - dir: db/migrations\n    layout: golang-migrate\n  - dir: analytics/sql\n    layout: plain\n",
    );
    repo.write(
        "analytics/sql/0001_events.sql",
        "CREATE TABLE events (id bigint);\n",
    );
    let run = repo.sqlgate(&["new", "add_users"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("db/migrations, analytics/sql"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("--dir"), "{}", run.stderr);
    let created = paths(&repo.sqlgate(&["new", "add_sessions", "--dir", "analytics/sql"]));
    assert_eq!(created, vec!["analytics/sql/0002_add_sessions.sql"]);
    let inside = common::run_in(&repo.path().join("analytics/sql"), &["new", "add_clicks"]);
    assert_eq!(paths(&inside), vec!["0003_add_clicks.sql"]);
}

#[test]
fn new_in_an_empty_unconfigured_directory_says_to_set_the_layout() {
    let repo = Repo::new();
    repo.write("README.md", "x\n");
    repo.commit("empty");
    let run = repo.sqlgate(&["new", "init", "--dir", "db/migrations"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("layout"), "{}", run.stderr);
    repo.write(
        ".sqlgate.yml",
        "migrations:\n  - dir: db/migrations\n    layout: flyway\n",
    );
    let created = paths(&repo.sqlgate(&["new", "init"]));
    assert_eq!(created, vec!["db/migrations/V1__init.sql"]);
}

#[test]
fn completions_are_printed_for_every_shell() {
    let repo = Repo::new();
    for (shell, marker) in [
        ("bash", "_sqlgate()"),
        ("zsh", "#compdef sqlgate"),
        ("fish", "complete -c sqlgate"),
        ("powershell", "Register-ArgumentCompleter"),
        ("elvish", "edit:completion:arg-completer[sqlgate]"),
    ] {
        let run = repo.sqlgate(&["completions", shell]);
        assert_eq!(run.code, 0, "{shell}: {}", run.stderr);
        assert!(run.stdout.contains(marker), "{shell}: {}", run.stdout);
        assert!(run.stdout.contains("baseline"), "{shell}");
    }
    assert_eq!(repo.sqlgate(&["completions", "tcsh"]).code, 2);
}

#[test]
fn man_prints_the_page_or_writes_one_per_command() {
    let repo = Repo::new();
    let run = repo.sqlgate(&["man"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.starts_with(".ie"), "{}", &run.stdout[..80]);
    assert!(run.stdout.contains(".TH sqlgate 1"), "{}", run.stdout);
    assert!(run.stdout.contains("baseline"));
    let run = repo.sqlgate(&["man", "--out-dir", "man"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for page in [
        "sqlgate.1",
        "sqlgate-new.1",
        "sqlgate-baseline.1",
        "sqlgate-check.1",
    ] {
        assert!(repo.path().join("man").join(page).exists(), "{page}");
    }
}
