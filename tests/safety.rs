//! Safety rules through the binary on real git histories: what a PR check
//! refuses because it would lock production or break the application
//! version still running during a promotion, and the safe patterns it lets
//! through.

mod common;

use common::{shop, Repo};

/// A repository whose main has Flyway migrations for customers and orders.
fn flyway_shop() -> Repo {
    let repo = Repo::new();
    repo.write(
        ".sqlgate.yml",
        "dialect: postgres\nmigrations:\n  - dir: db/migration\n    layout: flyway\n",
    );
    repo.write(
        "db/migration/V1__create_customers.sql",
        "CREATE TABLE customers (\n    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n    email text NOT NULL\n);\n",
    );
    repo.write(
        "db/migration/V2__create_orders.sql",
        "CREATE TABLE orders (\n    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n    customer_id bigint NOT NULL,\n    placed_at timestamptz NOT NULL DEFAULT now()\n);\n",
    );
    repo.commit("flyway shop");
    repo
}

#[test]
fn renaming_a_column_in_a_pull_request_is_refused_at_the_old_name() {
    let repo = shop();
    repo.branch("feature/rename");
    repo.migration(
        "20240301120000_rename_email",
        "-- the new name reads better\nALTER TABLE users RENAME COLUMN email TO email_address;\n",
        "ALTER TABLE users RENAME COLUMN email_address TO email;\n",
    );
    repo.commit("rename");
    let run = repo.check("main");
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert_eq!(run.rules(), vec!["rename-column"]);
    let f = run.finding("rename-column");
    assert_eq!(
        (f["line"].as_u64(), f["column"].as_u64()),
        (Some(2), Some(33))
    );
    assert_eq!(f["end_column"], 38);
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("renaming column users.email to email_address"),
        "{f}"
    );
    assert!(f["help"]
        .as_str()
        .unwrap()
        .starts_with("expand and contract"));
}

#[test]
fn down_scripts_may_drop_what_their_up_created() {
    let repo = shop();
    repo.branch("feature/audit");
    repo.migration(
        "20240301120000_create_audit",
        "CREATE TABLE audit (\n    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n    at timestamptz NOT NULL DEFAULT now()\n);\n",
        "DROP TABLE audit;\nDROP INDEX idx_orders_user_id;\n",
    );
    repo.commit("audit");
    let run = repo.check("main");
    // No safety rule reads the down; the one mistake in it (an index of an
    // earlier migration dropped) is the Catalog's to report.
    assert_eq!(run.rules(), vec!["down-restores-schema"], "{}", run.stdout);
    assert!(run.finding("down-restores-schema")["message"]
        .as_str()
        .unwrap()
        .starts_with("down drops index idx_orders_user_id that up did not create"));
}

#[test]
fn index_created_concurrently_alone_in_a_golang_migrate_file_passes() {
    let repo = shop();
    repo.branch("feature/index");
    repo.migration(
        "20240301120000_index_users_email",
        "-- golang-migrate sends a one-statement file on its own, outside a transaction\nCREATE INDEX CONCURRENTLY IF NOT EXISTS idx_users_email ON users (lower(email));\n",
        "DROP INDEX CONCURRENTLY IF EXISTS idx_users_email;\n",
    );
    repo.commit("index");
    let run = repo.check("main");
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(run.findings().is_empty(), "{}", run.stdout);
}

#[test]
fn concurrent_index_next_to_another_statement_in_golang_migrate_is_refused() {
    let repo = shop();
    repo.branch("feature/index");
    repo.migration(
        "20240301120000_index_users_email",
        "CREATE INDEX CONCURRENTLY idx_users_email ON users (email);\nANALYZE users;\n",
        "DROP INDEX CONCURRENTLY idx_users_email;\n",
    );
    repo.commit("index");
    let run = repo.check("main");
    assert_eq!(run.rules(), vec!["concurrently-in-transaction"]);
    let f = run.finding("concurrently-in-transaction");
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("golang-migrate sends this 2-statement file as one query"),
        "{f}"
    );
    assert!(f["help"]
        .as_str()
        .unwrap()
        .contains("alone in a migration of its own"));
}

#[test]
fn plain_index_on_a_table_in_use_is_refused_but_not_on_a_table_of_the_same_branch() {
    let repo = shop();
    repo.branch("feature/shipments");
    repo.migration(
        "20240301120000_create_shipments",
        "CREATE TABLE shipments (\n    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n    order_id bigint NOT NULL REFERENCES orders (id)\n);\n",
        "DROP TABLE shipments;\n",
    );
    repo.migration(
        "20240301120100_index_shipments",
        "CREATE INDEX idx_shipments_order_id ON shipments (order_id);\nALTER TABLE shipments ADD CONSTRAINT shipments_order_id_key UNIQUE (order_id);\n",
        "ALTER TABLE shipments DROP CONSTRAINT shipments_order_id_key;\nDROP INDEX idx_shipments_order_id;\n",
    );
    repo.migration(
        "20240301120200_index_orders_total",
        "CREATE INDEX idx_orders_total ON orders (total_cents);\n",
        "DROP INDEX idx_orders_total;\n",
    );
    repo.commit("shipments");
    let run = repo.check("main");
    assert_eq!(
        run.rules(),
        vec!["index-without-concurrently"],
        "{}",
        run.stdout
    );
    let f = run.finding("index-without-concurrently");
    assert_eq!(
        f["path"],
        "db/migrations/20240301120200_index_orders_total.up.sql"
    );
    assert!(f["help"]
        .as_str()
        .unwrap()
        .contains("use CREATE INDEX CONCURRENTLY"));
    // Linting counts every file as new on its own: the shipments table of
    // the first file is not new to the second.
    let lint = repo.sqlgate(&["lint", "db/migrations", "--format", "json"]);
    assert!(
        lint.rules()
            .contains(&"unique-constraint-without-index".to_string()),
        "{}",
        lint.stdout
    );
}

#[test]
fn constraint_added_not_valid_then_validated_in_the_next_migration_passes() {
    let repo = shop();
    repo.branch("feature/fk");
    repo.migration(
        "20240301120000_orders_total_check",
        "ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total_cents >= 0) NOT VALID;\n",
        "ALTER TABLE orders DROP CONSTRAINT orders_total_positive;\n",
    );
    repo.commit("not valid");
    repo.checkout("main");
    repo.git(&["merge", "-q", "--no-ff", "--no-edit", "feature/fk"]);
    repo.branch("feature/validate");
    repo.migration(
        "20240302120000_validate_orders_total_check",
        "ALTER TABLE orders VALIDATE CONSTRAINT orders_total_positive;\n",
        "SELECT 1;\n",
    );
    repo.commit("validate");
    let run = repo.check("main");
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(run.findings().is_empty(), "{}", run.stdout);
}

#[test]
fn validating_in_the_file_that_added_the_constraint_is_refused() {
    let repo = shop();
    repo.branch("feature/fk");
    repo.migration(
        "20240301120000_orders_total_check",
        "ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total_cents >= 0) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT orders_total_positive;\n",
        "ALTER TABLE orders DROP CONSTRAINT orders_total_positive;\n",
    );
    repo.commit("both at once");
    let run = repo.check("main");
    assert_eq!(run.rules(), vec!["constraint-without-not-valid"]);
    let f = run.finding("constraint-without-not-valid");
    assert_eq!(f["line"], 2);
    assert_eq!(f["labels"][1]["line"], 1, "{f}");
    assert_eq!(f["help"], "move VALIDATE CONSTRAINT to the next migration");
}

#[test]
fn set_not_null_after_a_validated_check_passes_and_a_bare_one_is_refused() {
    let repo = shop();
    repo.branch("feature/not-null");
    repo.migration(
        "20240301120000_orders_user_not_null",
        "ALTER TABLE orders ADD CONSTRAINT orders_total_cents_not_null CHECK (total_cents IS NOT NULL) NOT VALID;\n",
        "ALTER TABLE orders DROP CONSTRAINT orders_total_cents_not_null;\n",
    );
    repo.migration(
        "20240301120100_orders_user_not_null_validate",
        "ALTER TABLE orders VALIDATE CONSTRAINT orders_total_cents_not_null;\n",
        "SELECT 1;\n",
    );
    repo.migration(
        "20240301120200_orders_total_cents_set_not_null",
        "ALTER TABLE orders ALTER COLUMN total_cents SET NOT NULL;\nALTER TABLE orders DROP CONSTRAINT orders_total_cents_not_null;\n",
        "ALTER TABLE orders ADD CONSTRAINT orders_total_cents_not_null CHECK (total_cents IS NOT NULL) NOT VALID;\n",
    );
    repo.commit("not null the safe way");
    let run = repo.check("main");
    assert_eq!(run.code, 0, "{}", run.stdout);
    repo.migration(
        "20240301120300_users_email_not_null",
        "ALTER TABLE users ALTER COLUMN email SET NOT NULL;\n",
        "ALTER TABLE users ALTER COLUMN email DROP NOT NULL;\n",
    );
    repo.commit("not null the quick way");
    let run = repo.check("main");
    // users.email was NOT NULL already: the down makes it nullable.
    assert_eq!(run.rules(), vec!["down-restores-schema", "set-not-null"]);
    assert!(run.finding("set-not-null")["help"]
        .as_str()
        .unwrap()
        .contains("CHECK (email IS NOT NULL) NOT VALID"));
}

#[test]
fn postgres_version_decides_whether_a_constant_default_rewrites_the_table() {
    let repo = shop();
    repo.branch("feature/status");
    repo.migration(
        "20240301120000_orders_status",
        "ALTER TABLE orders ADD COLUMN status text NOT NULL DEFAULT 'pending';\n",
        "ALTER TABLE orders DROP COLUMN status;\n",
    );
    repo.commit("status");
    assert_eq!(repo.check("main").code, 0);
    repo.checkout("main");
    repo.write(
        ".sqlgate.yml",
        "dialect: postgres\npostgres_version: \"10.23\"\nmigrations:\n  - dir: db/migrations\n    layout: golang-migrate\nrules:\n  lock-timeout-missing: off\n",
    );
    repo.commit("we still run PostgreSQL 10");
    repo.checkout("feature/status");
    repo.git(&["merge", "-q", "--no-edit", "main"]);
    let run = repo.check("main");
    assert_eq!(run.rules(), vec!["volatile-default"], "{}", run.stdout);
    assert!(run.finding("volatile-default")["message"]
        .as_str()
        .unwrap()
        .contains("PostgreSQL before 11 writes every default into every row"));
}

/// main has an orders table (with `config` as its .sqlgate.yml, when
/// given); the branch feature/note adds a column to it without a lock
/// timeout.
fn orders_note(config: Option<&str>) -> Repo {
    let repo = Repo::new();
    if let Some(config) = config {
        repo.write(".sqlgate.yml", config);
    }
    repo.migration(
        "20240101090000_create_orders",
        "CREATE TABLE orders (id bigint PRIMARY KEY);\n",
        "DROP TABLE orders;\n",
    );
    repo.commit("orders");
    repo.branch("feature/note");
    repo.migration(
        "20240301120000_orders_note",
        "ALTER TABLE orders ADD COLUMN note text;\n",
        "ALTER TABLE orders DROP COLUMN note;\n",
    );
    repo.commit("note");
    repo
}

#[test]
fn lock_timeout_missing_warns_and_set_lock_timeout_silences_it() {
    // Off by default (many teams set lock_timeout on the migration role);
    // a team that sets it per migration turns the rule on.
    let repo = orders_note(Some("rules:\n  lock-timeout-missing: warning\n"));
    let run = repo.check("main");
    assert_eq!(run.code, 0, "a warning does not fail the check");
    assert_eq!(run.rules(), vec!["lock-timeout-missing"]);
    assert_eq!(run.finding("lock-timeout-missing")["severity"], "warning");
    repo.migration(
        "20240301120000_orders_note",
        "SET lock_timeout = '5s';\nALTER TABLE orders ADD COLUMN note text;\n",
        "ALTER TABLE orders DROP COLUMN note;\n",
    );
    repo.commit("with a lock timeout");
    let run = repo.check("main");
    assert!(run.findings().is_empty(), "{}", run.stdout);
}

#[test]
fn lock_timeout_missing_is_off_until_configured() {
    let repo = orders_note(None);
    let run = repo.check("main");
    assert_eq!(run.code, 0);
    assert!(run.findings().is_empty(), "{}", run.stdout);
}

#[test]
fn backfill_in_the_file_of_its_alter_is_refused_and_passes_once_split() {
    let repo = shop();
    repo.branch("feature/currency");
    repo.migration(
        "20240301120000_orders_currency",
        "ALTER TABLE orders ADD COLUMN currency text;\nUPDATE orders SET currency = 'EUR' WHERE currency IS NULL;\n",
        "ALTER TABLE orders DROP COLUMN currency;\n",
    );
    repo.commit("currency");
    let run = repo.check("main");
    assert_eq!(run.rules(), vec!["mixed-ddl-and-dml"]);
    let f = run.finding("mixed-ddl-and-dml");
    assert_eq!(f["line"], 2);
    assert_eq!(f["labels"][1]["line"], 1);
    assert!(f["labels"][1]["message"]
        .as_str()
        .unwrap()
        .contains("ACCESS EXCLUSIVE lock on orders taken here"));
    repo.migration(
        "20240301120000_orders_currency",
        "ALTER TABLE orders ADD COLUMN currency text;\n",
        "ALTER TABLE orders DROP COLUMN currency;\n",
    );
    repo.migration(
        "20240301120100_backfill_orders_currency",
        "UPDATE orders SET currency = 'EUR' WHERE currency IS NULL;\n",
        "SELECT 1;\n",
    );
    repo.commit("split");
    let run = repo.check("main");
    assert_eq!(run.code, 0, "{}", run.stdout);
}

#[test]
fn flyway_runs_concurrent_only_migrations_outside_a_transaction_and_refuses_mixed_ones() {
    let repo = flyway_shop();
    repo.branch("feature/index");
    repo.write(
        "db/migration/V3__index_orders.sql",
        "CREATE INDEX CONCURRENTLY idx_orders_customer_id ON orders (customer_id);\nCREATE INDEX CONCURRENTLY idx_orders_placed_at ON orders (placed_at);\n",
    );
    repo.commit("concurrent only");
    let run = repo.check("main");
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(run.findings().is_empty(), "{}", run.stdout);
    repo.write(
        "db/migration/V4__orders_note.sql",
        "SET LOCAL lock_timeout = '3s';\nALTER TABLE orders ADD COLUMN note text;\nDROP INDEX CONCURRENTLY IF EXISTS idx_orders_placed_at;\n",
    );
    repo.commit("mixed");
    let run = repo.check("main");
    assert_eq!(run.rules(), vec!["concurrently-in-transaction"]);
    assert!(run.finding("concurrently-in-transaction")["message"]
        .as_str()
        .unwrap()
        .contains("Flyway refuses a migration that mixes"));
}

#[test]
fn begin_and_commit_inside_a_flyway_migration_nest_in_its_transaction() {
    let repo = flyway_shop();
    repo.branch("feature/tx");
    repo.write(
        "db/migration/V3__orders_currency.sql",
        "BEGIN;\nSET LOCAL lock_timeout = '3s';\nALTER TABLE orders ADD COLUMN currency text;\nCOMMIT;\n",
    );
    repo.commit("own transaction");
    let run = repo.check("main");
    assert_eq!(run.rules(), vec!["transaction-nesting"]);
    assert_eq!(run.finding("transaction-nesting")["line"], 1);
}

#[test]
fn uncommitted_transaction_in_a_golang_migrate_file_is_refused() {
    let repo = shop();
    repo.branch("feature/tx");
    repo.migration(
        "20240301120000_orders_note",
        "BEGIN;\nALTER TABLE orders ADD COLUMN note text;\n",
        "ALTER TABLE orders DROP COLUMN note;\n",
    );
    repo.commit("forgot commit");
    let run = repo.check("main");
    assert_eq!(run.rules(), vec!["uncommitted-transaction"]);
    repo.migration(
        "20240301120000_orders_note",
        "BEGIN;\nALTER TABLE orders ADD COLUMN note text;\nCOMMIT;\n",
        "ALTER TABLE orders DROP COLUMN note;\n",
    );
    repo.commit("committed");
    assert!(repo.check("main").findings().is_empty());
}

#[test]
fn contract_phase_drop_is_let_through_with_a_reason() {
    let repo = shop();
    repo.branch("feature/contract");
    repo.migration(
        "20240301120000_drop_users_email",
        "ALTER TABLE users DROP COLUMN email;\n",
        "ALTER TABLE users ADD COLUMN email text NOT NULL DEFAULT '';\nALTER TABLE users ALTER COLUMN email DROP DEFAULT;\n",
    );
    repo.commit("drop");
    let run = repo.check("main");
    assert_eq!(run.rules(), vec!["drop-column", "irreversible-change"]);
    repo.migration(
        "20240301120000_drop_users_email",
        "-- sqlgate:ignore drop-column no release reads users.email since 2024.02\n-- sqlgate:irreversible the addresses moved to user_emails in 20240215\nALTER TABLE users DROP COLUMN email;\n",
        "ALTER TABLE users ADD COLUMN email text NOT NULL DEFAULT '';\nALTER TABLE users ALTER COLUMN email DROP DEFAULT;\n",
    );
    repo.commit("acknowledged");
    let run = repo.check("main");
    assert_eq!(run.code, 0, "{}", run.stdout);
}

#[test]
fn staged_drop_table_is_refused_before_it_is_committed() {
    let repo = shop();
    repo.migration(
        "20240301120000_drop_orders",
        "DROP TABLE orders;\n",
        "CREATE TABLE orders (\n    id bigint PRIMARY KEY,\n    user_id bigint NOT NULL REFERENCES users (id),\n    total_cents bigint NOT NULL\n);\nCREATE INDEX idx_orders_user_id ON orders (user_id);\n",
    );
    repo.git(&["add", "-A"]);
    let run = repo.sqlgate(&["check", "--staged", "--format", "json"]);
    assert_eq!(run.code, 1);
    assert_eq!(run.rules(), vec!["drop-table", "irreversible-change"]);
}

#[test]
fn mysql_gets_the_compatibility_rules_and_none_of_the_postgres_lock_rules() {
    let repo = Repo::new();
    repo.write(
        ".sqlgate.yml",
        "dialect: mysql\nmigrations:\n  - dir: migrations\n    layout: golang-migrate\n",
    );
    repo.write(
        "migrations/20240101090000_create_orders.up.sql",
        "CREATE TABLE `orders` (`id` BIGINT UNSIGNED NOT NULL AUTO_INCREMENT, `total` DECIMAL(10,2) NOT NULL, PRIMARY KEY (`id`)) ENGINE=InnoDB;\n",
    );
    repo.write(
        "migrations/20240101090000_create_orders.down.sql",
        "DROP TABLE `orders`;\n",
    );
    repo.commit("orders");
    repo.branch("feature/rename");
    repo.write(
        "migrations/20240301120000_rename_orders.up.sql",
        "CREATE INDEX `orders_total_idx` ON `orders` (`total`);\nRENAME TABLE `orders` TO `purchases`;\n",
    );
    repo.write(
        "migrations/20240301120000_rename_orders.down.sql",
        "DROP INDEX `orders_total_idx` ON `purchases`;\nRENAME TABLE `purchases` TO `orders`;\n",
    );
    repo.commit("rename");
    let run = repo.check("main");
    assert_eq!(run.rules(), vec!["rename-table"], "{}", run.stdout);
}

#[test]
fn a_rule_turned_off_in_the_configuration_stays_quiet() {
    let repo = shop();
    repo.write(
        ".sqlgate.yml",
        "dialect: postgres\nmigrations:\n  - dir: db/migrations\n    layout: golang-migrate\nrules:\n  lock-timeout-missing: off\n  prefer-text: off\n  prefer-timestamptz: error\n",
    );
    repo.commit("our conventions");
    repo.branch("feature/audit");
    repo.migration(
        "20240301120000_create_audit",
        "CREATE TABLE audit (\n    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n    actor varchar(100) NOT NULL,\n    at timestamp NOT NULL\n);\n",
        "DROP TABLE audit;\n",
    );
    repo.commit("audit");
    let run = repo.check("main");
    assert_eq!(run.rules(), vec!["prefer-timestamptz"]);
    assert_eq!(run.finding("prefer-timestamptz")["severity"], "error");
    assert_eq!(run.code, 1);
}

#[test]
fn explain_prints_the_migration_to_write_instead() {
    let run = common::run_in(std::path::Path::new("."), &["explain", "set-not-null"]);
    assert_eq!(run.code, 0);
    assert!(run.stdout.contains("Write instead:"), "{}", run.stdout);
    assert!(run
        .stdout
        .contains("ALTER TABLE orders VALIDATE CONSTRAINT orders_status_not_null;"));
    let rules = common::run_in(std::path::Path::new("."), &["rules"]);
    assert!(rules.stdout.contains("index-without-concurrently"));
}
