//! `sqlgate check --base` on real git histories: what a PR check sees.

mod common;

use common::{shop, Repo};

#[test]
fn clean_feature_branch_passes() {
    let repo = shop();
    repo.branch("feature/shipments");
    repo.migration(
        "20240301120000_create_shipments",
        "-- one shipment per order\nCREATE TABLE shipments (\n    id bigint PRIMARY KEY,\n    order_id bigint NOT NULL REFERENCES orders (id)\n);\n",
        "DROP TABLE shipments;\n",
    );
    repo.commit("shipments");
    let run = repo.check("main");
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.findings().is_empty());
    let human = repo.sqlgate(&["check", "--base", "main"]);
    assert_eq!(human.code, 0);
    assert!(
        human.stderr.contains("1 migration checked, no findings"),
        "{}",
        human.stderr
    );
}

#[test]
fn out_of_order_version_is_refused_with_the_migration_already_on_main() {
    let repo = shop();
    repo.branch("feature/old-branch");
    repo.migration(
        "20240110000000_add_email_index",
        "CREATE INDEX CONCURRENTLY idx_users_email ON users (email);\n",
        "DROP INDEX idx_users_email;\n",
    );
    repo.commit("index");
    let run = repo.check("main");
    assert_eq!(run.code, 1);
    let f = run.finding("version-order");
    assert_eq!(
        f["path"],
        "db/migrations/20240110000000_add_email_index.up.sql"
    );
    assert!(f["message"]
        .as_str()
        .unwrap()
        .contains("20240201080000_index_orders_user_id.up.sql, which is already on main"));
    assert_eq!(
        f["labels"][1]["path"],
        "db/migrations/20240201080000_index_orders_user_id.up.sql"
    );
    assert_eq!(f["labels"][1]["side"], "base");
    assert!(f["help"].as_str().unwrap().contains("after 20240201080000"));
}

#[test]
fn main_moving_on_after_the_branch_point_still_counts() {
    let repo = shop();
    repo.branch("feature/x");
    repo.migration(
        "20240210000000_add_notes",
        "ALTER TABLE orders ADD COLUMN notes text;\n",
        "ALTER TABLE orders DROP COLUMN notes;\n",
    );
    repo.commit("notes");
    repo.checkout("main");
    repo.migration(
        "20240220000000_add_status",
        "ALTER TABLE orders ADD COLUMN status text;\n",
        "ALTER TABLE orders DROP COLUMN status;\n",
    );
    repo.commit("status on main");
    repo.checkout("feature/x");
    let run = repo.check("main");
    assert_eq!(run.rules(), vec!["version-order"]);
    let f = run.finding("version-order");
    assert_eq!(f["labels"][1]["side"], "target");
}

#[test]
fn duplicate_version_picked_by_two_branches_is_refused() {
    let repo = shop();
    repo.branch("feature/a");
    repo.migration(
        "20240301120000_add_notes",
        "ALTER TABLE orders ADD COLUMN notes text;\n",
        "ALTER TABLE orders DROP COLUMN notes;\n",
    );
    repo.commit("a");
    repo.checkout("main");
    repo.migration(
        "20240301120000_add_status",
        "ALTER TABLE orders ADD COLUMN status text;\n",
        "ALTER TABLE orders DROP COLUMN status;\n",
    );
    repo.commit("main");
    repo.checkout("feature/a");
    let run = repo.check("main");
    assert_eq!(run.code, 1);
    let f = run.finding("duplicate-version");
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("like 20240301120000_add_status.up.sql on main"),
        "{f}"
    );
}

#[test]
fn duplicate_version_inside_one_branch_is_refused() {
    let repo = shop();
    repo.branch("feature/two");
    repo.migration(
        "20240301120000_add_notes",
        "ALTER TABLE orders ADD COLUMN notes text;\n",
        "ALTER TABLE orders DROP COLUMN notes;\n",
    );
    repo.migration(
        "20240301120000_add_status",
        "ALTER TABLE orders ADD COLUMN status text;\n",
        "ALTER TABLE orders DROP COLUMN status;\n",
    );
    repo.commit("two");
    let run = repo.check("main");
    assert_eq!(run.rules(), vec!["duplicate-version"]);
}

#[test]
fn edited_merged_migration_is_refused_at_the_edited_line() {
    let repo = shop();
    repo.branch("feature/edit");
    repo.migration(
        "20240115100000_create_orders",
        "CREATE TABLE orders (\n    id bigint PRIMARY KEY,\n    user_id bigint NOT NULL REFERENCES users (id),\n    total_cents integer NOT NULL\n);\n",
        "DROP TABLE orders;\n",
    );
    repo.commit("edit");
    let run = repo.check("main");
    assert_eq!(run.rules(), vec!["applied-migration-modified"]);
    let f = run.finding("applied-migration-modified");
    assert_eq!(f["line"], 4);
    assert!(f["message"]
        .as_str()
        .unwrap()
        .contains("was edited after it reached main"));
}

#[test]
fn deleted_merged_migration_is_refused() {
    let repo = shop();
    repo.branch("feature/delete");
    repo.remove("db/migrations/20240201080000_index_orders_user_id.up.sql");
    repo.remove("db/migrations/20240201080000_index_orders_user_id.down.sql");
    repo.commit("delete");
    let run = repo.check("main");
    assert_eq!(run.code, 1);
    let f = run.finding("applied-migration-modified");
    assert!(f["message"].as_str().unwrap().contains("was deleted"));
    assert_eq!(
        f["path"],
        "db/migrations/20240201080000_index_orders_user_id.up.sql"
    );
}

#[test]
fn renamed_and_reversioned_merged_migrations_are_refused() {
    let repo = shop();
    repo.branch("feature/rename");
    repo.git(&[
        "mv",
        "db/migrations/20240201080000_index_orders_user_id.up.sql",
        "db/migrations/20240201080000_orders_user_index.up.sql",
    ]);
    repo.git(&[
        "mv",
        "db/migrations/20240201080000_index_orders_user_id.down.sql",
        "db/migrations/20240201080000_orders_user_index.down.sql",
    ]);
    repo.git(&[
        "mv",
        "db/migrations/20240115100000_create_orders.up.sql",
        "db/migrations/20240116100000_create_orders.up.sql",
    ]);
    repo.git(&[
        "mv",
        "db/migrations/20240115100000_create_orders.down.sql",
        "db/migrations/20240116100000_create_orders.down.sql",
    ]);
    repo.commit("rename");
    let run = repo.check("main");
    let messages: Vec<String> = run
        .findings()
        .iter()
        .map(|f| f["message"].as_str().unwrap().to_string())
        .collect();
    assert!(
        messages
            .iter()
            .any(|m| m.contains("was renamed to 20240201080000_orders_user_index.up.sql")),
        "{messages:?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains("was re-versioned from 20240115100000 to 20240116100000")),
        "{messages:?}"
    );
    assert_eq!(run.code, 1);
}

#[test]
fn missing_down_is_refused() {
    let repo = shop();
    repo.branch("feature/no-down");
    repo.write(
        "db/migrations/20240301120000_add_notes.up.sql",
        "ALTER TABLE orders ADD COLUMN notes text;\n",
    );
    repo.commit("no down");
    let run = repo.check("main");
    assert_eq!(run.rules(), vec!["missing-down"]);
    assert!(run.finding("missing-down")["help"]
        .as_str()
        .unwrap()
        .contains("20240301120000_add_notes.down.sql"));
}

#[test]
fn badly_named_file_is_refused() {
    let repo = shop();
    repo.branch("feature/name");
    repo.write(
        "db/migrations/20240301120000-add-notes.sql",
        "ALTER TABLE orders ADD COLUMN notes text;\n",
    );
    repo.commit("bad name");
    let run = repo.check("main");
    assert_eq!(run.rules(), vec!["migration-filename"]);
    assert_eq!(run.code, 1);
}

#[test]
fn syntax_error_is_refused_at_its_line_and_other_statements_still_checked() {
    let repo = shop();
    repo.branch("feature/syntax");
    repo.migration(
        "20240301120000_add_notes",
        "ALTER TABLE orders ADD COLUMN notes text;\n\nCREATE TABLE audit (\n    id bigint,,\n    at timestamptz\n);\n\nCOMMENT ON TABLE audit IS 'who did what';\n",
        "DROP TABLE audit;\nALTER TABLE orders DROP COLUMN notes;\n",
    );
    repo.commit("syntax");
    let run = repo.check("main");
    assert_eq!(run.rules(), vec!["syntax-error"]);
    let f = run.finding("syntax-error");
    assert_eq!(f["line"], 4);
    assert_eq!(f["column"], 15);
    let human = repo.sqlgate(&["check", "--base", "main"]);
    assert!(
        human
            .stdout
            .contains("20240301120000_add_notes.up.sql:4:15"),
        "{}",
        human.stdout
    );
    assert!(human.stdout.contains("syntax-error"));
}

#[test]
fn merges_inside_the_range_bring_no_findings_from_main() {
    let repo = shop();
    repo.branch("feature/long");
    repo.migration(
        "20240210000000_add_notes",
        "ALTER TABLE orders ADD COLUMN notes text;\n",
        "ALTER TABLE orders DROP COLUMN notes;\n",
    );
    repo.commit("notes");
    repo.checkout("main");
    repo.migration(
        "20240205000000_add_status",
        "ALTER TABLE orders ADD COLUMN status text;\n",
        "ALTER TABLE orders DROP COLUMN status;\n",
    );
    repo.commit("status");
    repo.checkout("feature/long");
    repo.git(&["merge", "-q", "--no-edit", "main"]);
    repo.migration(
        "20240301000000_add_tags",
        "ALTER TABLE orders ADD COLUMN tags text[];\n",
        "ALTER TABLE orders DROP COLUMN tags;\n",
    );
    repo.commit("tags");
    let run = repo.check("main");
    assert_eq!(run.code, 0, "{}", run.stdout);
}

#[test]
fn files_outside_migration_directories_are_ignored() {
    let repo = shop();
    repo.branch("feature/docs");
    repo.write("docs/schema.sql", "this is not SQL at all;\n");
    repo.write("scripts/0001_fixup.sql", "CREATE TABEL nope;\n");
    repo.commit("docs");
    let run = repo.check("main");
    assert_eq!(run.code, 0, "{}", run.stdout);
}

#[test]
fn line_ending_conversion_is_not_an_edit() {
    let repo = shop();
    repo.branch("feature/crlf");
    repo.migration(
        "20240115100000_create_orders",
        "CREATE TABLE orders (\r\n    id bigint PRIMARY KEY,\r\n    user_id bigint NOT NULL REFERENCES users (id),\r\n    total_cents bigint NOT NULL\r\n);\r\n",
        "DROP TABLE orders;\r\n",
    );
    repo.commit("crlf");
    let run = repo.check("main");
    assert_eq!(run.code, 0, "{}", run.stdout);
}

#[test]
fn bare_repository_is_checked_without_a_working_tree() {
    let repo = shop();
    repo.branch("feature/late");
    repo.migration(
        "20240110000000_add_email_index",
        "CREATE INDEX CONCURRENTLY idx_users_email ON users (email);\n",
        "DROP INDEX idx_users_email;\n",
    );
    repo.commit("late");
    let bare = tempfile::tempdir().unwrap();
    common::git_in(
        bare.path(),
        &[
            "clone",
            "-q",
            "--bare",
            repo.path().to_str().unwrap(),
            "server.git",
        ],
    );
    let server = bare.path().join("server.git");
    let run = common::run_in(
        &server,
        &[
            "check",
            "--base",
            "main",
            "--head",
            "feature/late",
            "--format",
            "json",
        ],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(run.rules(), vec!["version-order"]);
}

#[test]
fn head_defaults_to_head_and_accepts_any_revision() {
    let repo = shop();
    repo.branch("feature/a");
    repo.migration(
        "20240110000000_add_email_index",
        "CREATE INDEX CONCURRENTLY idx_users_email ON users (email);\n",
        "DROP INDEX idx_users_email;\n",
    );
    let sha = repo.commit("late");
    repo.checkout("main");
    assert_eq!(repo.check("main").code, 0);
    let run = repo.sqlgate(&[
        "check",
        "--base",
        "main",
        "--head",
        &sha[..12],
        "--format",
        "json",
    ]);
    assert_eq!(run.rules(), vec!["version-order"]);
}

#[test]
fn inline_suppression_with_a_reason_silences_one_statement() {
    let repo = shop();
    repo.branch("feature/suppress");
    repo.migration(
        "20240301120000_vendor",
        "-- sqlgate:ignore syntax-error our build of the server accepts this\nCREATE TABEL legacy (id int);\n",
        "DROP TABLE legacy;\n",
    );
    repo.commit("vendor");
    assert_eq!(repo.check("main").code, 0);
}

#[test]
fn suppression_without_reason_is_itself_a_finding() {
    let repo = shop();
    repo.branch("feature/suppress");
    repo.migration(
        "20240301120000_vendor",
        "-- sqlgate:ignore syntax-error\nCREATE TABEL legacy (id int);\n",
        "DROP TABLE legacy;\n",
    );
    repo.commit("vendor");
    let run = repo.check("main");
    assert_eq!(run.rules(), vec!["suppression-without-reason"]);
    assert_eq!(run.finding("suppression-without-reason")["line"], 1);
}

#[test]
fn configuration_is_read_from_the_base_commit() {
    let repo = shop();
    repo.branch("feature/sneaky");
    repo.write(
        ".sqlgate.yml",
        "migrations:\n  - dir: db/migrations\nrules:\n  version-order: off\n",
    );
    repo.migration(
        "20240110000000_add_email_index",
        "CREATE INDEX CONCURRENTLY idx_users_email ON users (email);\n",
        "DROP INDEX idx_users_email;\n",
    );
    repo.commit("turn the gate off");
    let run = repo.check("main");
    assert_eq!(run.code, 1);
    // The edit itself is reported (trunk removed, layout and version-order
    // changed), as a warning: version-order still fails the check.
    assert_eq!(
        run.rules(),
        vec![
            "config-weakened",
            "config-weakened",
            "config-weakened",
            "version-order"
        ]
    );
    assert_eq!(run.finding("version-order")["severity"], "error");
    let local = repo.sqlgate(&[
        "check",
        "--base",
        "main",
        "--config",
        ".sqlgate.yml",
        "--format",
        "json",
    ]);
    assert_eq!(local.code, 0, "--config overrides: {}", local.stdout);
}

#[test]
fn rule_levels_come_from_the_configuration() {
    let repo = shop();
    repo.write(
        ".sqlgate.yml",
        "migrations:\n  - dir: db/migrations\nrules:\n  missing-down: warning\n",
    );
    repo.commit("missing-down is a warning here");
    repo.branch("feature/no-down");
    repo.write(
        "db/migrations/20240301120000_add_notes.up.sql",
        "ALTER TABLE orders ADD COLUMN notes text;\n",
    );
    repo.commit("no down");
    let run = repo.check("main");
    assert_eq!(run.code, 0);
    assert_eq!(run.finding("missing-down")["severity"], "warning");
}

#[test]
fn without_configuration_directories_and_layouts_are_found() {
    let repo = Repo::new();
    repo.write(
        "src/main/resources/db/migration/V1__create_users.sql",
        "CREATE TABLE users (id bigint PRIMARY KEY);\n",
    );
    repo.write(
        "src/main/resources/db/migration/V2__create_orders.sql",
        "CREATE TABLE orders (id bigint PRIMARY KEY);\n",
    );
    repo.commit("flyway");
    repo.branch("feature/f");
    repo.write(
        "src/main/resources/db/migration/V1_5__add_email.sql",
        "SET lock_timeout = '5s';\nALTER TABLE users ADD COLUMN email text;\n",
    );
    repo.commit("late");
    let run = repo.check("main");
    assert_eq!(run.rules(), vec!["version-order"]);
    let verbose = repo.sqlgate(&["check", "--base", "main", "-v"]);
    assert!(
        verbose
            .stderr
            .contains("src/main/resources/db/migration: flyway"),
        "{}",
        verbose.stderr
    );
}
