//! `check --staged`, `lint`, `init`, `rules` and `explain` through the binary.

mod common;

use common::{run_in, shop, Repo};

#[test]
fn staged_check_reads_the_index_not_the_working_tree() {
    let repo = shop();
    repo.migration(
        "20240301120000_add_notes",
        "ALTER TABLE orders ADD COLUMN notes text;\n",
        "ALTER TABLE orders DROP COLUMN notes;\n",
    );
    repo.git(&["add", "-A"]);
    // An unstaged edit that would be a syntax error is not what gets committed.
    repo.write(
        "db/migrations/20240301120000_add_notes.up.sql",
        "ALTER TABEL orders;\n",
    );
    let run = repo.sqlgate(&["check", "--staged", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    repo.git(&["add", "-A"]);
    let run = repo.sqlgate(&["check", "--staged", "--format", "json"]);
    assert_eq!(run.rules(), vec!["syntax-error"]);
}

#[test]
fn staged_check_refuses_an_out_of_order_migration() {
    let repo = shop();
    repo.migration(
        "20240110000000_add_email_index",
        "CREATE INDEX CONCURRENTLY idx_users_email ON users (email);\n",
        "DROP INDEX idx_users_email;\n",
    );
    repo.git(&["add", "-A"]);
    let run = repo.sqlgate(&["check", "--staged", "--format", "json"]);
    assert_eq!(run.rules(), vec!["version-order"]);
    assert!(run.finding("version-order")["message"]
        .as_str()
        .unwrap()
        .contains("already on main"));
}

#[test]
fn staged_check_with_nothing_staged_is_quiet_and_passes() {
    let repo = shop();
    let run = repo.sqlgate(&["check", "--staged", "--quiet"]);
    assert_eq!(run.code, 0);
    assert_eq!(run.stdout, "");
    assert_eq!(run.stderr, "");
}

#[test]
fn lint_reports_every_migration_of_a_directory_as_new() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("migrations")).unwrap();
    std::fs::write(
        root.join("migrations/0001_create_users.up.sql"),
        "CREATE TABLE users (id bigint);\n",
    )
    .unwrap();
    std::fs::write(
        root.join("migrations/0001_create_users.down.sql"),
        "DROP TABLE users;\n",
    )
    .unwrap();
    std::fs::write(
        root.join("migrations/0002_add_email.up.sql"),
        "ALTER TABLE users ADD COLUMN email text,;\n",
    )
    .unwrap();
    let run = run_in(root, &["lint", "migrations", "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let mut rules = run.rules();
    rules.sort();
    assert_eq!(rules, vec!["missing-down", "syntax-error"]);
    assert_eq!(
        run.finding("syntax-error")["path"],
        "migrations/0002_add_email.up.sql"
    );
    let one = run_in(
        root,
        &[
            "lint",
            "migrations/0001_create_users.up.sql",
            "--format",
            "json",
        ],
    );
    assert_eq!(one.code, 0, "{}", one.stdout);
}

#[test]
fn lint_without_a_configuration_reads_mysql_scripts_as_mysql() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("db/migrations")).unwrap();
    std::fs::write(
        root.join("db/migrations/000001_create_users.up.sql"),
        "CREATE TABLE IF NOT EXISTS `users` (\r\n  `id` bigint unsigned NOT NULL AUTO_INCREMENT,\r\n  `email` varchar(255) NOT NULL,\r\n  PRIMARY KEY (`id`),\r\n  UNIQUE KEY `uniq_users_email` (`email`)\r\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;\r\n",
    )
    .unwrap();
    std::fs::write(
        root.join("db/migrations/000001_create_users.down.sql"),
        "DROP TABLE IF EXISTS `users`;\n",
    )
    .unwrap();
    std::fs::write(
        root.join("db/migrations/000002_add_nickname.up.sql"),
        "-- nickname shown in the header\nALTER TABLE `users` ADD COLUMN `nickname` varchar(64) NULL AFTER `email`;\n",
    )
    .unwrap();
    std::fs::write(
        root.join("db/migrations/000002_add_nickname.down.sql"),
        "ALTER TABLE `users` DROP COLUMN `nickname`;\n",
    )
    .unwrap();
    let run = run_in(root, &["lint", "db/migrations", "--format", "json", "-v"]);
    assert!(
        !run.rules().contains(&"syntax-error".to_string()),
        "{}",
        run.stdout
    );
    assert!(
        run.stderr
            .contains("no .sqlgate.yml found: the scripts are read as mysql"),
        "{}",
        run.stderr
    );
    // A configuration says which dialect, and is followed.
    std::fs::write(root.join(".sqlgate.yml"), "dialect: postgres\n").unwrap();
    let configured = run_in(root, &["lint", "db/migrations", "--format", "json"]);
    assert!(
        configured.rules().contains(&"syntax-error".to_string()),
        "{}",
        configured.stdout
    );
}

#[test]
fn check_without_a_configuration_reads_mysql_scripts_as_mysql() {
    let repo = Repo::new();
    repo.migration(
        "000001_create_channels",
        "CREATE TABLE IF NOT EXISTS `Channels` (\n  `Id` varchar(26) NOT NULL,\n  `Name` varchar(64) NOT NULL,\n  PRIMARY KEY (`Id`)\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;\n",
        "DROP TABLE IF EXISTS `Channels`;\n",
    );
    repo.commit("channels");
    repo.branch("feature");
    repo.migration(
        "000002_add_channel_purpose",
        "ALTER TABLE `Channels` ADD COLUMN `Purpose` varchar(250) DEFAULT NULL;\n",
        "ALTER TABLE `Channels` DROP COLUMN `Purpose`;\n",
    );
    repo.git(&["add", "-A"]);
    let staged = repo.sqlgate(&["check", "--staged", "--format", "json", "-v"]);
    assert!(
        !staged.rules().contains(&"syntax-error".to_string()),
        "{}",
        staged.stdout
    );
    assert!(staged.stderr.contains("read as mysql"), "{}", staged.stderr);
    repo.commit("purpose");
    let run = repo.sqlgate(&["check", "--base", "main", "--format", "json", "-v"]);
    assert!(
        !run.rules().contains(&"syntax-error".to_string()),
        "{}",
        run.stdout
    );
    assert!(run.stderr.contains("read as mysql"), "{}", run.stderr);
}

#[test]
fn lint_of_a_folder_no_layout_reads_says_so() {
    // A schema kept per release, not a migration tool's directory.
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("schema/v1.2")).unwrap();
    std::fs::write(
        root.join("schema/v1.2/schema.sql"),
        "CREATE TABLE executions (\n    id uuid PRIMARY KEY,\n    state text NOT NULL\n);\n",
    )
    .unwrap();
    let run = run_in(root, &["lint", "schema/v1.2"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("no migration directory found in schema/v1.2: no layout reads its files"),
        "{}",
        run.stderr
    );
    let quiet = run_in(root, &["lint", "schema/v1.2", "--quiet"]);
    assert_eq!(quiet.stderr, "");
    // A directory a layout reads raises no such line.
    std::fs::create_dir_all(root.join("db/migrations")).unwrap();
    std::fs::write(
        root.join("db/migrations/000001_create_executions.up.sql"),
        "CREATE TABLE executions (id uuid PRIMARY KEY);\n",
    )
    .unwrap();
    std::fs::write(
        root.join("db/migrations/000001_create_executions.down.sql"),
        "DROP TABLE executions;\n",
    )
    .unwrap();
    let found = run_in(root, &["lint", "db/migrations"]);
    assert!(
        !found.stderr.contains("no migration directory"),
        "{}",
        found.stderr
    );
}

#[test]
fn lint_of_the_bundled_example_shows_real_findings() {
    let root = env!("CARGO_MANIFEST_DIR");
    let run = run_in(
        std::path::Path::new(root),
        &["lint", "examples/shop", "--format", "json"],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let rules = run.rules();
    for rule in ["missing-down", "syntax-error", "migration-filename"] {
        assert!(rules.contains(&rule.to_string()), "{rules:?}");
    }
    assert_eq!(
        run.finding("syntax-error")["path"],
        "examples/shop/db/migrations/000004_add_shipments.up.sql"
    );
}

#[test]
fn lint_of_a_missing_path_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let run = run_in(dir.path(), &["lint", "nope"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("nope does not exist"));
}

#[test]
fn init_writes_a_config_that_works_unchanged() {
    let repo = Repo::new();
    repo.migration(
        "20240101000000_create_users",
        "CREATE TABLE users (id bigint);\n",
        "DROP TABLE users;\n",
    );
    repo.write("flyway/sql/V1__init.sql", "CREATE TABLE a (id int);\n");
    repo.commit("init");
    let run = repo.sqlgate(&["init"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text = std::fs::read_to_string(repo.path().join(".sqlgate.yml")).unwrap();
    assert!(
        text.contains("- dir: db/migrations\n    layout: golang-migrate"),
        "{text}"
    );
    assert!(
        text.contains("- dir: flyway/sql\n    layout: flyway"),
        "{text}"
    );
    let again = repo.sqlgate(&["init"]);
    assert_eq!(again.code, 2);
    assert!(again.stderr.contains("--force"));
    repo.git(&["add", "-A"]);
    let check = repo.sqlgate(&["check", "--staged", "--format", "json", "-v"]);
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);
    assert!(
        check
            .stderr
            .contains("db/migrations: golang-migrate (configured)"),
        "{}",
        check.stderr
    );
}

#[test]
fn init_writes_the_dialect_the_migrations_are_written_in() {
    let repo = Repo::new();
    repo.write(
        "db/migrations/mysql/000049_create_channels.up.sql",
        "CREATE TABLE IF NOT EXISTS Channels (\n    Id varchar(26) NOT NULL,\n    CreateAt bigint(20),\n    Purpose varchar(128),\n    PRIMARY KEY (Id),\n    KEY idx_channels_create_at (CreateAt)\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;\n",
    );
    repo.write(
        "db/migrations/mysql/000049_create_channels.down.sql",
        "DROP TABLE IF EXISTS Channels;\n",
    );
    repo.write(
        "db/migrations/mysql/000050_channel_purpose.up.sql",
        "ALTER TABLE Channels MODIFY COLUMN Purpose varchar(250);\n",
    );
    repo.write(
        "db/migrations/mysql/000050_channel_purpose.down.sql",
        "ALTER TABLE Channels MODIFY COLUMN Purpose varchar(128);\n",
    );
    repo.commit("mysql migrations");
    let run = repo.sqlgate(&["init"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text = std::fs::read_to_string(repo.path().join(".sqlgate.yml")).unwrap();
    assert!(text.contains("\ndialect: mysql\n"), "{text}");
    let lint = repo.sqlgate(&["lint", "--format", "json"]);
    assert!(
        !lint.rules().contains(&"syntax-error".to_string()),
        "{}",
        lint.stdout
    );

    // A second directory in another dialect is listed, commented out.
    repo.write(
        "db/migrations/postgres/000001_create_teams.up.sql",
        "CREATE TABLE teams (id varchar(26) PRIMARY KEY, props jsonb);\n",
    );
    repo.write(
        "db/migrations/postgres/000001_create_teams.down.sql",
        "DROP TABLE teams;\n",
    );
    let run = repo.sqlgate(&["init", "--force"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text = std::fs::read_to_string(repo.path().join(".sqlgate.yml")).unwrap();
    assert!(text.contains("\ndialect: mysql\n"), "{text}");
    assert!(
        text.contains("  # db/migrations/postgres is written for postgres (1 script shows it)"),
        "{text}"
    );
    assert!(
        text.contains("  # - dir: db/migrations/postgres\n"),
        "{text}"
    );
}

#[test]
fn rules_lists_every_rule_and_explain_prints_one() {
    let run = run_in(std::path::Path::new("."), &["rules"]);
    assert_eq!(run.code, 0);
    for id in [
        "syntax-error",
        "migration-filename",
        "missing-down",
        "duplicate-version",
        "version-order",
        "applied-migration-modified",
    ] {
        assert!(
            run.stdout.contains(id),
            "{id} missing from:\n{}",
            run.stdout
        );
    }
    let explain = run_in(std::path::Path::new("."), &["explain", "version-order"]);
    assert_eq!(explain.code, 0);
    assert!(explain
        .stdout
        .contains("Bad: the new migration is older than one already merged"));
    let unknown = run_in(std::path::Path::new("."), &["explain", "version-ordr"]);
    assert_eq!(unknown.code, 2);
    assert!(unknown.stderr.contains("did you mean `version-order`?"));
}
