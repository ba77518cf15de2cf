//! dbmate, goose and Liquibase formatted SQL, end to end on real git
//! repositories: what each tool reads, what it counts as the down, and what
//! it counts as a change.

mod common;

use common::Repo;

const DBMATE_USERS: &str = "-- migrate:up
CREATE TYPE user_status AS ENUM ('active', 'suspended');

CREATE TABLE users (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email text NOT NULL,
    status user_status NOT NULL DEFAULT 'active',
    created_at timestamptz NOT NULL DEFAULT now()
);

-- one account per address, whatever its case
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

-- migrate:down
DROP TABLE users;
DROP TYPE user_status;
";

const DBMATE_ORDERS: &str = "-- migrate:up
CREATE TABLE orders (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id bigint NOT NULL REFERENCES users (id),
    status text NOT NULL DEFAULT 'open',
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE FUNCTION touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$$;

CREATE TRIGGER orders_touch BEFORE UPDATE ON orders
    FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

-- migrate:down
DROP TRIGGER orders_touch ON orders;
DROP FUNCTION touch_updated_at();
DROP TABLE orders;
";

const DBMATE_INDEX: &str = "-- migrate:up transaction:false
CREATE INDEX CONCURRENTLY orders_open_idx ON orders (updated_at) WHERE status = 'open';

-- migrate:down transaction:false
DROP INDEX CONCURRENTLY orders_open_idx;
";

/// main has three dbmate migrations in db/migrations, and db/schema.sql.
fn dbmate() -> Repo {
    let repo = Repo::new();
    repo.write(
        "db/migrations/20240105093000_create_users.sql",
        DBMATE_USERS,
    );
    repo.write(
        "db/migrations/20240112110000_create_orders.sql",
        DBMATE_ORDERS,
    );
    repo.write(
        "db/migrations/20240120080000_index_open_orders.sql",
        DBMATE_INDEX,
    );
    repo.write(
        "db/schema.sql",
        "SET statement_timeout = 0;\n\nCREATE TABLE public.schema_migrations (\n    version character varying(128) NOT NULL\n);\n",
    );
    repo.commit("dbmate migrations");
    repo
}

#[test]
fn dbmate_directory_is_detected_and_explained() {
    let repo = dbmate();
    repo.branch("feature");
    repo.write(
        "db/migrations/20240201090000_add_coupons.sql",
        "-- migrate:up\nCREATE TABLE coupons (code text PRIMARY KEY, percent_off int NOT NULL CHECK (percent_off BETWEEN 1 AND 100));\n\n-- migrate:down\nDROP TABLE coupons;\n",
    );
    repo.commit("coupons");
    let run = repo.sqlgate(&["check", "--base", "main", "--format", "json", "-v"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.findings().is_empty(), "{}", run.stdout);
    assert!(
        run.stderr
            .contains("db/migrations: dbmate (4 of 4 files read have a -- migrate:up section)"),
        "{}",
        run.stderr
    );
}

#[test]
fn dbmate_empty_down_section_is_missing_down() {
    let repo = dbmate();
    repo.branch("feature");
    repo.write(
        "db/migrations/20240201090000_add_coupons.sql",
        "-- migrate:up\nCREATE TABLE coupons (code text PRIMARY KEY);\n\n-- migrate:down\n\n",
    );
    repo.commit("coupons without down");
    let run = repo.check("main");
    assert_eq!(run.rules(), vec!["missing-down"]);
    let f = run.finding("missing-down");
    assert_eq!(f["path"], "db/migrations/20240201090000_add_coupons.sql");
    assert_eq!(f["line"], 1);
    assert!(
        f["help"].as_str().unwrap().contains("-- migrate:down"),
        "{f}"
    );
}

#[test]
fn dbmate_edit_of_an_applied_section_is_reported_at_its_line_but_line_endings_are_not() {
    let repo = dbmate();
    repo.branch("crlf");
    repo.write(
        "db/migrations/20240112110000_create_orders.sql",
        DBMATE_ORDERS.replace('\n', "\r\n"),
    );
    repo.commit("crlf");
    assert!(repo.check("main").findings().is_empty());
    repo.checkout("main");
    repo.branch("edit");
    repo.write(
        "db/migrations/20240112110000_create_orders.sql",
        DBMATE_ORDERS.replace(
            "status text NOT NULL DEFAULT 'open'",
            "status text NOT NULL DEFAULT 'new'",
        ),
    );
    repo.commit("edit");
    let run = repo.check("main");
    assert_eq!(run.rules(), vec!["applied-migration-modified"]);
    assert_eq!(run.finding("applied-migration-modified")["line"], 5);
}

#[test]
fn dbmate_reversioned_and_out_of_order_migrations_are_seen() {
    let repo = dbmate();
    repo.branch("reversion");
    repo.git(&[
        "mv",
        "db/migrations/20240120080000_index_open_orders.sql",
        "db/migrations/20240125080000_index_open_orders.sql",
    ]);
    repo.commit("move");
    let run = repo.check("main");
    let f = run.finding("applied-migration-modified");
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("re-versioned from 20240120080000 to 20240125080000"),
        "{f}"
    );
    repo.checkout("main");
    repo.branch("old");
    repo.write(
        "db/migrations/20240110000000_add_notes.sql",
        "-- migrate:up\nALTER TABLE users ADD COLUMN notes text;\n-- migrate:down\nALTER TABLE users DROP COLUMN notes;\n",
    );
    repo.commit("old branch");
    assert_eq!(repo.check("main").rules(), vec!["version-order"]);
}

#[test]
fn dbmate_file_without_up_section_fits_no_migration() {
    let repo = dbmate();
    repo.branch("feature");
    repo.write(
        "db/migrations/20240201090000_add_coupons.sql",
        "CREATE TABLE coupons (code text PRIMARY KEY);\n",
    );
    repo.commit("plain sql in a dbmate directory");
    let run = repo.check("main");
    let f = run.finding("migration-filename");
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("no `-- migrate:up` section"),
        "{f}"
    );
}

const GOOSE_USERS: &str = "-- +goose Up
CREATE TABLE users (
    id bigserial PRIMARY KEY,
    email text NOT NULL UNIQUE,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE users;
";

const GOOSE_TOUCH: &str = "-- +goose Up
-- keep updated_at current on every write
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION touch_updated_at() RETURNS trigger AS $$
BEGIN
    NEW.updated_at = now();
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd

CREATE TRIGGER users_touch BEFORE UPDATE ON users
    FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

-- +goose Down
DROP TRIGGER users_touch ON users;
-- +goose StatementBegin
DROP FUNCTION touch_updated_at();
-- +goose StatementEnd
";

const GOOSE_INDEX: &str = "-- +goose NO TRANSACTION
-- +goose Up
CREATE INDEX CONCURRENTLY users_updated_at_idx ON users (updated_at);

-- +goose Down
DROP INDEX CONCURRENTLY users_updated_at_idx;
";

/// main has three goose migrations with sequential versions.
fn goose() -> Repo {
    let repo = Repo::new();
    repo.write("migrations/00001_create_users.sql", GOOSE_USERS);
    repo.write("migrations/00002_touch_updated_at.sql", GOOSE_TOUCH);
    repo.write("migrations/00003_index_users_updated_at.sql", GOOSE_INDEX);
    repo.commit("goose migrations");
    repo
}

#[test]
fn goose_statement_blocks_parse_and_a_new_migration_passes() {
    let repo = goose();
    repo.branch("feature");
    repo.write(
        "migrations/00004_audit_log.sql",
        "-- +goose Up\n-- +goose StatementBegin\nDO $$\nBEGIN\n    IF NOT EXISTS (SELECT 1 FROM pg_type WHERE typname = 'audit_action') THEN\n        CREATE TYPE audit_action AS ENUM ('insert', 'update', 'delete');\n    END IF;\nEND\n$$;\n-- +goose StatementEnd\n\n-- +goose Down\nDROP TYPE IF EXISTS audit_action;\n",
    );
    repo.commit("audit");
    let run = repo.sqlgate(&["lint", "migrations", "--format", "json"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let run = repo.check("main");
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.findings().is_empty());
}

#[test]
fn goose_without_down_section_is_missing_down_and_without_up_fits_nothing() {
    let repo = goose();
    repo.branch("feature");
    repo.write(
        "migrations/00004_add_phone.sql",
        "-- +goose Up\nALTER TABLE users ADD COLUMN phone text;\n",
    );
    repo.write(
        "migrations/00005_add_locale.sql",
        "ALTER TABLE users ADD COLUMN locale text;\n",
    );
    repo.commit("two new");
    let run = repo.check("main");
    let rules = run.rules();
    assert!(rules.contains(&"missing-down".to_string()), "{rules:?}");
    let f = run.finding("migration-filename");
    assert_eq!(f["path"], "migrations/00005_add_locale.sql");
    assert!(
        f["message"].as_str().unwrap().contains("-- +goose Up"),
        "{f}"
    );
}

#[test]
fn goose_timestamp_versions_order_and_edits() {
    let repo = Repo::new();
    repo.write("db/migrations/20240105093000_create_users.sql", GOOSE_USERS);
    repo.write(
        "db/migrations/20240112110000_touch_updated_at.sql",
        GOOSE_TOUCH,
    );
    repo.commit("goose with timestamps");
    repo.branch("feature");
    repo.write("db/migrations/20240110000000_index.sql", GOOSE_INDEX);
    repo.write(
        "db/migrations/20240105093000_create_users.sql",
        GOOSE_USERS.replace("email text NOT NULL UNIQUE", "email citext NOT NULL UNIQUE"),
    );
    repo.commit("older version and an edit");
    let run = repo.check("main");
    let mut rules = run.rules();
    rules.sort();
    // The edited CREATE TABLE is judged again, serial key and all.
    assert_eq!(
        rules,
        vec![
            "applied-migration-modified",
            "prefer-identity",
            "version-order"
        ]
    );
    assert_eq!(run.finding("applied-migration-modified")["line"], 4);
}

const LB_MASTER: &str = "databaseChangeLog:
  - include:
      file: changes/001-users.sql
      relativeToChangelogFile: true
  - include:
      file: changes/002-orders.sql
      relativeToChangelogFile: true
";

const LB_USERS: &str = "--liquibase formatted sql

--changeset alice:create-user-status-type
--comment: account states
CREATE TYPE user_status AS ENUM ('active', 'suspended');
--rollback DROP TYPE user_status;

--changeset alice:create-users
CREATE TABLE users (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email text NOT NULL,
    status user_status NOT NULL DEFAULT 'active'
);
--rollback DROP TABLE users;

--changeset bob:users-email-index
-- lower() so that addresses differing in case collide
CREATE UNIQUE INDEX users_email_key ON users (lower(email));
--rollback DROP INDEX users_email_key;
";

const LB_ORDERS: &str = "--liquibase formatted sql

--changeset carol:create-orders
CREATE TABLE orders (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id bigint NOT NULL REFERENCES users (id),
    status text NOT NULL DEFAULT 'open',
    updated_at timestamptz NOT NULL DEFAULT now()
);
--rollback DROP TABLE orders;

--changeset carol:touch-function splitStatements:false
CREATE OR REPLACE FUNCTION touch_updated_at() RETURNS trigger AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
/* liquibase rollback
DROP FUNCTION touch_updated_at();
*/

--changeset carol:open-orders-view runOnChange:true context:!test
CREATE OR REPLACE VIEW open_orders AS
    SELECT id, user_id FROM orders WHERE status = 'open';
--rollback DROP VIEW open_orders;
";

const LB_DIR: &str = "src/main/resources/db/changelog";

/// main has a Spring-style Liquibase changelog: a YAML master including two
/// formatted SQL files of several changesets.
fn liquibase() -> Repo {
    let repo = Repo::new();
    repo.write(&format!("{LB_DIR}/db.changelog-master.yaml"), LB_MASTER);
    repo.write(&format!("{LB_DIR}/changes/001-users.sql"), LB_USERS);
    repo.write(&format!("{LB_DIR}/changes/002-orders.sql"), LB_ORDERS);
    repo.write(
        "src/main/resources/application.yml",
        "spring:\n  liquibase:\n    change-log: classpath:/db/changelog/db.changelog-master.yaml\n",
    );
    repo.commit("liquibase changelog");
    repo
}

#[test]
fn liquibase_editing_one_changeset_reports_only_that_changeset() {
    let repo = liquibase();
    repo.branch("feature");
    repo.write(
        &format!("{LB_DIR}/changes/001-users.sql"),
        LB_USERS.replace(
            "    email text NOT NULL,\n",
            "    email text NOT NULL,\n    phone text,\n",
        ),
    );
    repo.commit("edit create-users");
    let run = repo.check("main");
    assert_eq!(
        run.rules(),
        vec!["applied-migration-modified"],
        "{}",
        run.stdout
    );
    let f = run.finding("applied-migration-modified");
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("001-users.sql::create-users::alice"),
        "{f}"
    );
    assert_eq!(f["line"], 12);
    assert!(f["help"].as_str().unwrap().contains("checksum"), "{f}");
}

#[test]
fn liquibase_reformatting_and_rollback_edits_keep_the_checksum() {
    let repo = liquibase();
    repo.branch("feature");
    let reformatted = LB_USERS
        .replace(
            "    email text NOT NULL,\n",
            "        email   text NOT NULL,\n",
        )
        .replace(
            "--rollback DROP TABLE users;",
            "--rollback DROP TABLE IF EXISTS users;",
        )
        .replace('\n', "\r\n");
    repo.write(&format!("{LB_DIR}/changes/001-users.sql"), reformatted);
    repo.commit("reformat");
    let run = repo.check("main");
    assert!(run.findings().is_empty(), "{}", run.stdout);
}

#[test]
fn liquibase_run_on_change_and_valid_checksum_any_may_change() {
    let repo = liquibase();
    repo.branch("feature");
    let orders = LB_ORDERS
        .replace("WHERE status = 'open'", "WHERE status IN ('open', 'paid')")
        .replace(
            "--changeset carol:create-orders\n",
            "--changeset carol:create-orders\n--validCheckSum: ANY\n",
        )
        .replace(
            "    status text NOT NULL DEFAULT 'open',\n",
            "    status text NOT NULL DEFAULT 'new',\n",
        );
    repo.write(&format!("{LB_DIR}/changes/002-orders.sql"), orders);
    repo.commit("view and accepted edit");
    let run = repo.check("main");
    assert!(run.findings().is_empty(), "{}", run.stdout);
}

#[test]
fn liquibase_changeset_without_rollback_is_missing_down_at_its_line() {
    let repo = liquibase();
    repo.branch("feature");
    let orders = format!(
        "{LB_ORDERS}\n--changeset dana:orders-total\nALTER TABLE orders ADD COLUMN total_cents bigint NOT NULL DEFAULT 0;\n\n--changeset dana:seed-statuses context:dev\nINSERT INTO order_statuses (name) VALUES ('open'), ('paid');\n--rollback not required\n"
    );
    repo.write(&format!("{LB_DIR}/changes/002-orders.sql"), orders);
    repo.commit("new changesets");
    let run = repo.check("main");
    assert_eq!(run.rules(), vec!["missing-down"], "{}", run.stdout);
    let f = run.finding("missing-down");
    assert_eq!(f["line"], 28);
    assert!(
        f["message"].as_str().unwrap().contains("orders-total"),
        "{f}"
    );
    assert!(f["help"].as_str().unwrap().contains("--rollback"), "{f}");
}

#[test]
fn liquibase_changeset_inserted_before_applied_ones_is_out_of_order() {
    let repo = liquibase();
    repo.branch("feature");
    let users = LB_USERS.replace(
        "--changeset bob:users-email-index\n",
        "--changeset dana:users-phone\nALTER TABLE users ADD COLUMN phone text;\n--rollback ALTER TABLE users DROP COLUMN phone;\n\n--changeset bob:users-email-index\n",
    );
    repo.write(&format!("{LB_DIR}/changes/001-users.sql"), users);
    repo.commit("inserted changeset");
    let run = repo.check("main");
    assert_eq!(run.rules(), vec!["version-order"], "{}", run.stdout);
    let f = run.finding("version-order");
    assert!(
        f["message"].as_str().unwrap().contains("users-phone"),
        "{f}"
    );
    assert!(
        f["message"].as_str().unwrap().contains("open-orders-view"),
        "{f}"
    );
}

#[test]
fn liquibase_deleted_changeset_and_moved_file_are_reported() {
    let repo = liquibase();
    repo.branch("delete");
    let users = LB_USERS.replace(
        "--changeset bob:users-email-index\n-- lower() so that addresses differing in case collide\nCREATE UNIQUE INDEX users_email_key ON users (lower(email));\n--rollback DROP INDEX users_email_key;\n",
        "",
    );
    repo.write(&format!("{LB_DIR}/changes/001-users.sql"), users);
    repo.commit("delete a changeset");
    let run = repo.check("main");
    assert_eq!(run.rules(), vec!["applied-migration-modified"]);
    assert!(run.finding("applied-migration-modified")["message"]
        .as_str()
        .unwrap()
        .contains("users-email-index::bob was deleted"));

    // Moving a file changes the path in each changeset's identity, so
    // Liquibase would run them again; logicalFilePath keeps it.
    repo.checkout("main");
    repo.branch("move");
    repo.git(&[
        "mv",
        &format!("{LB_DIR}/changes/002-orders.sql"),
        &format!("{LB_DIR}/changes/002-shop-orders.sql"),
    ]);
    repo.write(
        &format!("{LB_DIR}/db.changelog-master.yaml"),
        LB_MASTER.replace("002-orders.sql", "002-shop-orders.sql"),
    );
    repo.commit("move");
    let run = repo.check("main");
    assert_eq!(run.rules().len(), 3, "{}", run.stdout);
    assert!(run
        .rules()
        .iter()
        .all(|r| r == "applied-migration-modified"));
    repo.write(
        &format!("{LB_DIR}/changes/002-shop-orders.sql"),
        LB_ORDERS.replace(
            "--liquibase formatted sql\n",
            "--liquibase formatted sql logicalFilePath:db/changelog/changes/002-orders.sql\n",
        ),
    );
    repo.commit("keep the logical path");
    let run = repo.check("main");
    assert!(run.findings().is_empty(), "{}", run.stdout);
}

#[test]
fn liquibase_xml_master_with_include_all_orders_by_path_and_reports_unincluded_files() {
    let repo = Repo::new();
    repo.write(
        "db/changelog.xml",
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<databaseChangeLog\n    xmlns=\"http://www.liquibase.org/xml/ns/dbchangelog\"\n    xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\n    <include file=\"db/base/001-users.sql\"/>\n    <includeAll path=\"releases/\" relativeToChangelogFile=\"true\"/>\n</databaseChangeLog>\n",
    );
    repo.write("db/base/001-users.sql", LB_USERS);
    repo.write("db/releases/2024.02/001-orders.sql", LB_ORDERS);
    repo.commit("xml changelog");
    repo.branch("feature");
    repo.write(
        "db/releases/2024.01/001-coupons.sql",
        "--liquibase formatted sql\n--changeset erin:coupons\nCREATE TABLE coupons (code text PRIMARY KEY);\n--rollback DROP TABLE coupons;\n",
    );
    repo.write("db/scratch.sql", "SELECT count(*) FROM users;\n");
    repo.commit("a release that sorts before an applied one, and a scratch file");
    let run = repo.check("main");
    let mut rules = run.rules();
    rules.sort();
    assert_eq!(
        rules,
        vec!["migration-filename", "version-order"],
        "{}",
        run.stdout
    );
    assert!(run.finding("migration-filename")["message"]
        .as_str()
        .unwrap()
        .contains("never runs it"));
}

#[test]
fn liquibase_init_writes_a_config_that_works_unchanged() {
    let repo = liquibase();
    let run = repo.sqlgate(&["init"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text = std::fs::read_to_string(repo.path().join(".sqlgate.yml")).unwrap();
    assert!(
        text.contains(&format!("- dir: {LB_DIR}\n    layout: liquibase")),
        "{text}"
    );
    assert!(
        text.contains("db.changelog-master.yaml is a Liquibase changelog"),
        "{text}"
    );
    repo.git(&["add", "-A"]);
    let check = repo.sqlgate(&["check", "--staged", "--format", "json", "-v"]);
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);
    assert!(
        check
            .stderr
            .contains(&format!("{LB_DIR}: liquibase (configured)")),
        "{}",
        check.stderr
    );
}

#[test]
fn init_on_dbmate_and_goose_repositories_works_unchanged() {
    for (repo, dir, layout) in [
        (dbmate(), "db/migrations", "dbmate"),
        (goose(), "migrations", "goose"),
    ] {
        let run = repo.sqlgate(&["init"]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let text = std::fs::read_to_string(repo.path().join(".sqlgate.yml")).unwrap();
        assert!(
            text.contains(&format!("- dir: {dir}\n    layout: {layout}")),
            "{text}"
        );
        repo.commit("config");
        repo.branch("next");
        repo.write(
            // Each as its tool's `new` names it: dbmate by timestamp, this
            // goose project by sequence number.
            &if layout == "dbmate" {
                format!("{dir}/20241201090000_next.sql")
            } else {
                format!("{dir}/00004_next.sql")
            },
            if layout == "dbmate" {
                "-- migrate:up\nCREATE TABLE t (id int);\n-- migrate:down\nDROP TABLE t;\n"
            } else {
                "-- +goose Up\nCREATE TABLE t (id int);\n-- +goose Down\nDROP TABLE t;\n"
            },
        );
        repo.git(&["add", "-A"]);
        let check = repo.sqlgate(&["check", "--staged", "--format", "json"]);
        assert_eq!(check.code, 0, "{layout}: {}{}", check.stdout, check.stderr);
    }
}

#[test]
fn goose_and_dbmate_deletions_are_seen() {
    for (repo, path) in [
        (goose(), "migrations/00002_touch_updated_at.sql"),
        (dbmate(), "db/migrations/20240112110000_create_orders.sql"),
    ] {
        repo.branch("delete");
        repo.remove(path);
        repo.commit("delete");
        let run = repo.check("main");
        assert_eq!(
            run.rules(),
            vec!["applied-migration-modified"],
            "{}",
            run.stdout
        );
        let f = run.finding("applied-migration-modified");
        assert_eq!(f["path"], path);
        assert!(
            f["message"].as_str().unwrap().contains("was deleted"),
            "{f}"
        );
    }
}
