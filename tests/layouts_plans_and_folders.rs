//! sqitch, Prisma, Diesel, sqlx, Atlas, Flyway's settings, plain directories
//! and detection, end to end on real git repositories; and each layout's
//! transaction semantics through the library.

mod common;

use common::{atlas_sum, Repo};
use sqlgate::layout::Layout;
use sqlgate::plan::Transaction;
use sqlgate::source::{Files, MemSource};

const PLAN: &str = "%syntax-version=1.0.0
%project=shop
%uri=https://github.com/example/shop/

appschema 2024-01-05T09:30:00Z Dana Reviewer <dana@example.com> # Add schema for all shop objects.
users [appschema] 2024-01-06T10:00:00Z Dana Reviewer <dana@example.com> # Creates table to track our users.
orders [users] 2024-01-08T11:00:00Z Dana Reviewer <dana@example.com> # Orders placed by users.
@v1.0.0 2024-01-10T12:00:00Z Dana Reviewer <dana@example.com> # Tag v1.0.0.

touch_updated_at [orders] 2024-01-15T08:00:00Z Dana Reviewer <dana@example.com> # Keep orders.updated_at current.
audit_log [appschema] 2024-01-16T08:00:00Z Dana Reviewer <dana@example.com> # Audit trail.
";

fn sqitch_change(repo: &Repo, name: &str, deploy: &str, revert: &str, verify: &str) {
    repo.write(
        &format!("db/deploy/{name}.sql"),
        format!("-- Deploy shop:{name} to pg\n\nBEGIN;\n\n{deploy}\nCOMMIT;\n"),
    );
    repo.write(
        &format!("db/revert/{name}.sql"),
        format!("-- Revert shop:{name} from pg\n\nBEGIN;\n\n{revert}\nCOMMIT;\n"),
    );
    repo.write(
        &format!("db/verify/{name}.sql"),
        format!("-- Verify shop:{name} on pg\n\nBEGIN;\n\n{verify}\nROLLBACK;\n"),
    );
}

/// main has a sqitch project in db/: five changes, dependencies, a tag.
fn sqitch() -> Repo {
    let repo = Repo::new();
    repo.write("db/sqitch.conf", "[core]\n\tengine = pg\n");
    repo.write("db/sqitch.plan", PLAN);
    sqitch_change(
        &repo,
        "appschema",
        "CREATE SCHEMA shop;\n",
        "DROP SCHEMA shop;\n",
        "SELECT pg_catalog.has_schema_privilege('shop', 'usage');\n",
    );
    sqitch_change(
        &repo,
        "users",
        "CREATE TABLE shop.users (\n    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n    email text NOT NULL\n);\n",
        "DROP TABLE shop.users;\n",
        "SELECT id, email FROM shop.users WHERE FALSE;\n",
    );
    sqitch_change(
        &repo,
        "orders",
        "CREATE TABLE shop.orders (\n    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n    user_id bigint NOT NULL REFERENCES shop.users (id),\n    updated_at timestamptz NOT NULL DEFAULT now()\n);\n",
        "DROP TABLE shop.orders;\n",
        "SELECT id, user_id, updated_at FROM shop.orders WHERE FALSE;\n",
    );
    sqitch_change(
        &repo,
        "touch_updated_at",
        "CREATE FUNCTION shop.touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n    NEW.updated_at := now();\n    RETURN NEW;\nEND;\n$$;\n\nCREATE TRIGGER orders_touch BEFORE UPDATE ON shop.orders\n    FOR EACH ROW EXECUTE FUNCTION shop.touch_updated_at();\n",
        "DROP TRIGGER orders_touch ON shop.orders;\nDROP FUNCTION shop.touch_updated_at();\n",
        "SELECT has_function_privilege('shop.touch_updated_at()', 'execute');\n",
    );
    sqitch_change(
        &repo,
        "audit_log",
        "CREATE TABLE shop.audit_log (\n    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n    happened_at timestamptz NOT NULL DEFAULT now(),\n    entry jsonb NOT NULL\n);\n",
        "DROP TABLE shop.audit_log;\n",
        "SELECT id FROM shop.audit_log WHERE FALSE;\n",
    );
    repo.commit("sqitch project");
    repo
}

fn plan_with(line: &str) -> String {
    format!("{PLAN}{line}\n")
}

#[test]
fn sqitch_new_change_at_the_end_passes() {
    let repo = sqitch();
    repo.branch("feature");
    repo.write(
        "db/sqitch.plan",
        plan_with("coupons [orders] 2024-02-01T09:00:00Z Erin Example <erin@example.com> # Discount coupons."),
    );
    sqitch_change(
        &repo,
        "coupons",
        "CREATE TABLE shop.coupons (code text PRIMARY KEY);\n",
        "DROP TABLE shop.coupons;\n",
        "SELECT code FROM shop.coupons WHERE FALSE;\n",
    );
    repo.commit("coupons");
    let run = repo.sqlgate(&["check", "--base", "main", "--format", "json", "-v"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.findings().is_empty(), "{}", run.stdout);
    assert!(
        run.stderr
            .contains("db: sqitch (sqitch.plan lists its changes)"),
        "{}",
        run.stderr
    );
}

#[test]
fn sqitch_note_right_after_the_planner_email_is_read_as_sqitch_reads_it() {
    // `sqitch add` writes ` # note`, but hand-edited plans often have
    // `<email># note`; sqitch reads the note from the `#` on.
    let repo = sqitch();
    repo.branch("feature");
    repo.write(
        "db/sqitch.plan",
        plan_with(
            "coupons [orders] 2024-02-01T09:00:00Z Erin Example <erin@example.com># Discount coupons.\n\
             @v1.1.0 2024-02-02T09:00:00Z Erin Example <erin@example.com># Tag with 1.1.0",
        ),
    );
    sqitch_change(
        &repo,
        "coupons",
        "CREATE TABLE shop.coupons (code text PRIMARY KEY);\n",
        "DROP TABLE shop.coupons;\n",
        "SELECT code FROM shop.coupons WHERE FALSE;\n",
    );
    repo.commit("coupons");
    let run = repo.check("main");
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.findings().is_empty(), "{}", run.stdout);
}

#[test]
fn sqitch_objects_of_a_required_project_are_not_unknown() {
    // `[billing:accounts]`: the billing project's plan creates accounts,
    // and sqitch deploys that change before this one.
    let repo = sqitch();
    repo.branch("feature");
    repo.write(
        "db/sqitch.plan",
        plan_with(
            "link_accounts [users billing:accounts] 2024-02-01T09:00:00Z Erin Example <erin@example.com> # Link billing accounts to users.\n\
             accounts_by_user [link_accounts] 2024-02-02T09:00:00Z Erin Example <erin@example.com> # Look accounts up by user.",
        ),
    );
    sqitch_change(
        &repo,
        "link_accounts",
        "ALTER TABLE accounts ALTER COLUMN id TYPE bigint;\nALTER TABLE accounts ADD COLUMN user_id bigint REFERENCES shop.users (id);\n",
        "ALTER TABLE accounts DROP COLUMN user_id;\nALTER TABLE accounts ALTER COLUMN id TYPE integer;\n",
        "SELECT user_id FROM accounts WHERE FALSE;\n",
    );
    sqitch_change(
        &repo,
        "accounts_by_user",
        "CREATE INDEX idx_accounts_user_id ON accounts (user_id);\n",
        "DROP INDEX idx_accounts_user_id;\n",
        "SELECT 1/count(*) FROM pg_indexes WHERE indexname = 'idx_accounts_user_id';\n",
    );
    repo.commit("link accounts");
    let run = repo.check("main");
    assert!(
        !run.rules().contains(&"unknown-object".to_string()),
        "{}",
        run.stdout
    );
}

#[test]
fn sqitch_change_without_revert_script_is_missing_down() {
    let repo = sqitch();
    repo.branch("feature");
    repo.write(
        "db/sqitch.plan",
        plan_with("coupons [orders] 2024-02-01T09:00:00Z Erin Example <erin@example.com> # Discount coupons."),
    );
    repo.write(
        "db/deploy/coupons.sql",
        "BEGIN;\nCREATE TABLE shop.coupons (code text PRIMARY KEY);\nCOMMIT;\n",
    );
    repo.commit("coupons without revert");
    let run = repo.check("main");
    assert_eq!(run.rules(), vec!["missing-down"], "{}", run.stdout);
    assert!(run.finding("missing-down")["help"]
        .as_str()
        .unwrap()
        .contains("revert/coupons.sql"));
}

#[test]
fn sqitch_edit_of_a_deployed_change_is_refused_and_a_rework_is_not() {
    let repo = sqitch();
    repo.branch("edit");
    repo.write(
        "db/deploy/users.sql",
        "-- Deploy shop:users to pg\n\nBEGIN;\n\nCREATE TABLE shop.users (\n    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n    email text NOT NULL,\n    display_name text\n);\n\nCOMMIT;\n",
    );
    repo.commit("edit in place");
    let run = repo.check("main");
    assert_eq!(
        run.rules(),
        vec!["applied-migration-modified"],
        "{}",
        run.stdout
    );
    let f = run.finding("applied-migration-modified");
    assert_eq!(f["path"], "db/deploy/users.sql");
    assert_eq!(f["line"], 7);
    assert!(
        f["help"].as_str().unwrap().contains("sqitch rework users"),
        "{f}"
    );

    // What `sqitch rework users` does: the deployed scripts are kept under
    // the tag, the plan names the change again.
    repo.checkout("main");
    repo.branch("rework");
    for kind in ["deploy", "revert", "verify"] {
        let text =
            std::fs::read_to_string(repo.path().join(format!("db/{kind}/users.sql"))).unwrap();
        repo.write(&format!("db/{kind}/users@v1.0.0.sql"), text);
    }
    repo.write(
        "db/sqitch.plan",
        plan_with("users [users@v1.0.0] 2024-02-01T09:00:00Z Dana Reviewer <dana@example.com> # Users get a display name."),
    );
    sqitch_change(
        &repo,
        "users",
        "ALTER TABLE shop.users ADD COLUMN display_name text;\n",
        "ALTER TABLE shop.users DROP COLUMN display_name;\n",
        "SELECT display_name FROM shop.users WHERE FALSE;\n",
    );
    repo.commit("rework users");
    let run = repo.check("main");
    assert!(run.findings().is_empty(), "{}", run.stdout);
}

#[test]
fn sqitch_plan_entry_edits_and_moves_change_the_deployed_change() {
    let repo = sqitch();
    repo.branch("note");
    repo.write(
        "db/sqitch.plan",
        PLAN.replace("# Orders placed by users.", "# Orders placed by customers."),
    );
    repo.commit("reword a note");
    let run = repo.check("main");
    let f = run.finding("applied-migration-modified");
    assert_eq!(f["path"], "db/sqitch.plan");
    assert_eq!(f["line"], 7);
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("plan entry of change orders"),
        "{f}"
    );

    repo.checkout("main");
    repo.branch("swap");
    let lines: Vec<&str> = PLAN.lines().collect();
    let swapped = [&lines[..9], &[lines[10], lines[9]][..]]
        .concat()
        .join("\n")
        + "\n";
    repo.write("db/sqitch.plan", swapped);
    repo.commit("swap two changes");
    let run = repo.check("main");
    let f = run.finding("applied-migration-modified");
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("change audit_log was moved"),
        "{f}"
    );
}

#[test]
fn sqitch_unknown_dependency_and_change_inserted_before_deployed_ones_are_reported() {
    let repo = sqitch();
    repo.branch("feature");
    let plan = PLAN.replace(
        "audit_log [appschema]",
        "refunds [payments] 2024-02-01T09:00:00Z Erin Example <erin@example.com> # Refunds.\naudit_log [appschema]",
    );
    repo.write("db/sqitch.plan", plan);
    sqitch_change(
        &repo,
        "refunds",
        "CREATE TABLE shop.refunds (id bigint PRIMARY KEY);\n",
        "DROP TABLE shop.refunds;\n",
        "SELECT id FROM shop.refunds WHERE FALSE;\n",
    );
    repo.commit("refunds");
    let run = repo.check("main");
    let mut rules = run.rules();
    rules.sort();
    assert!(
        rules.contains(&"version-order".to_string()),
        "{}",
        run.stdout
    );
    let f = run.finding("migration-filename");
    assert_eq!(f["path"], "db/sqitch.plan");
    assert_eq!(f["line"], 11);
    assert!(
        f["message"].as_str().unwrap().contains("requires payments"),
        "{f}"
    );
    let order = run.finding("version-order");
    assert!(
        order["message"]
            .as_str()
            .unwrap()
            .contains("refunds comes before audit_log"),
        "{order}"
    );
}

#[test]
fn sqitch_init_writes_a_config_that_works_unchanged() {
    let repo = sqitch();
    let run = repo.sqlgate(&["init"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text = std::fs::read_to_string(repo.path().join(".sqlgate.yml")).unwrap();
    assert!(text.contains("- dir: db\n    layout: sqitch"), "{text}");
    repo.git(&["add", "-A"]);
    let check = repo.sqlgate(&["check", "--staged", "--format", "json"]);
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);
}

const PRISMA_INIT: &str = "-- CreateEnum
CREATE TYPE \"Role\" AS ENUM ('USER', 'ADMIN');

-- CreateTable
CREATE TABLE \"User\" (
    \"id\" SERIAL NOT NULL,
    \"email\" TEXT NOT NULL,
    \"role\" \"Role\" NOT NULL DEFAULT 'USER',

    CONSTRAINT \"User_pkey\" PRIMARY KEY (\"id\")
);

-- CreateIndex
CREATE UNIQUE INDEX \"User_email_key\" ON \"User\"(\"email\");
";

/// main has a Prisma project with two migrations.
fn prisma() -> Repo {
    let repo = Repo::new();
    repo.write(
        "prisma/schema.prisma",
        "datasource db {\n  provider = \"postgresql\"\n  url      = env(\"DATABASE_URL\")\n}\n",
    );
    repo.write(
        "prisma/migrations/migration_lock.toml",
        "# Please do not edit this file manually\n# It should be added in your version-control system (e.g., Git)\nprovider = \"postgresql\"\n",
    );
    repo.write(
        "prisma/migrations/20240105093000_init/migration.sql",
        PRISMA_INIT,
    );
    repo.write(
        "prisma/migrations/20240112110000_add_posts/migration.sql",
        "-- CreateTable\nCREATE TABLE \"Post\" (\n    \"id\" SERIAL NOT NULL,\n    \"title\" TEXT NOT NULL,\n    \"authorId\" INTEGER NOT NULL,\n\n    CONSTRAINT \"Post_pkey\" PRIMARY KEY (\"id\")\n);\n\n-- AddForeignKey\nALTER TABLE \"Post\" ADD CONSTRAINT \"Post_authorId_fkey\" FOREIGN KEY (\"authorId\") REFERENCES \"User\"(\"id\") ON DELETE RESTRICT ON UPDATE CASCADE;\n",
    );
    repo.commit("prisma migrations");
    repo
}

#[test]
fn prisma_migrations_have_no_down_unless_asked() {
    let repo = prisma();
    repo.branch("feature");
    repo.write(
        "prisma/migrations/20240201090000_add_published/migration.sql",
        "-- AlterTable\nALTER TABLE \"Post\" ADD COLUMN     \"published\" BOOLEAN NOT NULL DEFAULT false;\n",
    );
    repo.commit("published");
    let run = repo.sqlgate(&["check", "--base", "main", "--format", "json", "-v"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr
            .contains("prisma/migrations: prisma (3 folders with migration.sql)"),
        "{}",
        run.stderr
    );

    let config = repo.path().join("strict.yml");
    std::fs::write(
        &config,
        "migrations:\n  - dir: prisma/migrations\n    layout: prisma\n    require_down: true\n",
    )
    .unwrap();
    let run = repo.sqlgate(&[
        "check",
        "--base",
        "main",
        "--format",
        "json",
        "--config",
        config.to_str().unwrap(),
    ]);
    assert_eq!(run.rules(), vec!["missing-down"]);
    assert!(run.finding("missing-down")["help"]
        .as_str()
        .unwrap()
        .contains("20240201090000_add_published/down.sql"));
    repo.write(
        "prisma/migrations/20240201090000_add_published/down.sql",
        "ALTER TABLE \"Post\" DROP COLUMN \"published\";\n",
    );
    repo.commit("down.sql");
    let run = repo.sqlgate(&[
        "check",
        "--base",
        "main",
        "--format",
        "json",
        "--config",
        config.to_str().unwrap(),
    ]);
    assert!(run.findings().is_empty(), "{}", run.stdout);
}

#[test]
fn prisma_accepts_line_ending_changes_but_not_edits_or_renamed_folders() {
    let repo = prisma();
    repo.branch("crlf");
    repo.write(
        "prisma/migrations/20240105093000_init/migration.sql",
        PRISMA_INIT.replace('\n', "\r\n"),
    );
    repo.commit("crlf");
    assert!(repo.check("main").findings().is_empty());
    repo.checkout("main");
    repo.branch("edit");
    repo.write(
        "prisma/migrations/20240105093000_init/migration.sql",
        PRISMA_INIT.replace(
            "\"email\" TEXT NOT NULL,",
            "\"email\" TEXT NOT NULL,\n    \"name\" TEXT,",
        ),
    );
    repo.git(&[
        "mv",
        "prisma/migrations/20240112110000_add_posts",
        "prisma/migrations/20240112110000_add_blog_posts",
    ]);
    repo.commit("edit and rename");
    let run = repo.check("main");
    let messages: Vec<String> = run
        .findings()
        .iter()
        .map(|f| f["message"].as_str().unwrap().to_string())
        .collect();
    // The edited CREATE TABLE is new to the rules: Prisma's Int id is a
    // serial key (prefer-bigint); its quoted names and its serial, which
    // Prisma cannot write otherwise, are not reported.
    assert_eq!(messages.len(), 3, "{messages:?}");
    assert!(
        messages
            .iter()
            .any(|m| m.starts_with("primary key \"User\".\"id\" is serial")),
        "{messages:?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains("20240105093000_init was edited")),
        "{messages:?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains("renamed to 20240112110000_add_blog_posts")),
        "{messages:?}"
    );
}

const DIESEL_SETUP_UP: &str =
    "-- This file was automatically created by Diesel to setup helper functions
-- and other internal bookkeeping. This file is safe to edit, any future
-- changes will be added to existing projects as new migrations.

CREATE OR REPLACE FUNCTION diesel_manage_updated_at(_tbl regclass) RETURNS VOID AS $$
BEGIN
    EXECUTE format('CREATE TRIGGER set_updated_at BEFORE UPDATE ON %s
                    FOR EACH ROW EXECUTE PROCEDURE diesel_set_updated_at()', _tbl);
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION diesel_set_updated_at() RETURNS trigger AS $$
BEGIN
    IF (
        NEW IS DISTINCT FROM OLD AND
        NEW.updated_at IS NOT DISTINCT FROM OLD.updated_at
    ) THEN
        NEW.updated_at := current_timestamp;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
";

/// main has a Diesel project: the initial setup and two migrations.
fn diesel() -> Repo {
    let repo = Repo::new();
    repo.write("diesel.toml", "[print_schema]\nfile = \"src/schema.rs\"\n\n[migrations_directory]\ndir = \"migrations\"\n");
    repo.write("migrations/.keep", "");
    repo.write(
        "migrations/00000000000000_diesel_initial_setup/up.sql",
        DIESEL_SETUP_UP,
    );
    repo.write(
        "migrations/00000000000000_diesel_initial_setup/down.sql",
        "DROP FUNCTION IF EXISTS diesel_manage_updated_at(_tbl regclass);\nDROP FUNCTION IF EXISTS diesel_set_updated_at();\n",
    );
    repo.write(
        "migrations/2024-01-05-093000_create_users/up.sql",
        "CREATE TABLE users (\n    id SERIAL PRIMARY KEY,\n    name VARCHAR NOT NULL,\n    updated_at TIMESTAMP NOT NULL DEFAULT NOW()\n);\n\nSELECT diesel_manage_updated_at('users');\n",
    );
    repo.write(
        "migrations/2024-01-05-093000_create_users/down.sql",
        "DROP TABLE users;\n",
    );
    repo.write(
        "migrations/2024-01-12-110000_create_posts/up.sql",
        "CREATE TABLE posts (\n    id SERIAL PRIMARY KEY,\n    user_id INTEGER NOT NULL REFERENCES users (id),\n    title VARCHAR NOT NULL,\n    body TEXT NOT NULL\n);\n",
    );
    repo.write(
        "migrations/2024-01-12-110000_create_posts/down.sql",
        "DROP TABLE posts;\n",
    );
    repo.commit("diesel migrations");
    repo
}

#[test]
fn diesel_folders_are_migrations_with_their_down() {
    let repo = diesel();
    repo.branch("feature");
    repo.write(
        "migrations/2024-02-01-090000-0000_add_published/up.sql",
        "ALTER TABLE posts ADD COLUMN published BOOLEAN NOT NULL DEFAULT FALSE;\n",
    );
    repo.write(
        "migrations/2024-02-01-090000-0000_add_published/down.sql",
        "ALTER TABLE posts DROP COLUMN published;\n",
    );
    repo.write(
        "migrations/2024-02-02-090000_add_slug/up.sql",
        "ALTER TABLE posts ADD COLUMN slug TEXT;\n",
    );
    repo.write(
        "migrations/2024-01-10-000000_old_branch/up.sql",
        "ALTER TABLE users ADD COLUMN email TEXT;\n",
    );
    repo.write(
        "migrations/2024-01-10-000000_old_branch/down.sql",
        "ALTER TABLE users DROP COLUMN email;\n",
    );
    repo.commit("three new");
    let run = repo.sqlgate(&["check", "--base", "main", "--format", "json", "-v"]);
    let mut rules = run.rules();
    rules.sort();
    assert_eq!(
        rules,
        vec!["missing-down", "version-order"],
        "{}",
        run.stdout
    );
    assert!(run.finding("missing-down")["help"]
        .as_str()
        .unwrap()
        .contains("2024-02-02-090000_add_slug/down.sql"));
    assert!(run.finding("version-order")["message"]
        .as_str()
        .unwrap()
        .contains("2024-01-10-000000_old_branch"));
    assert!(
        run.stderr
            .contains("migrations: diesel (6 folders with up.sql)"),
        "{}",
        run.stderr
    );
}

#[test]
fn diesel_edit_of_an_applied_migration_is_reported() {
    let repo = diesel();
    repo.branch("feature");
    repo.write(
        "migrations/2024-01-12-110000_create_posts/down.sql",
        "DROP TABLE IF EXISTS posts;\n",
    );
    repo.commit("edit a down");
    let run = repo.check("main");
    let f = run.finding("applied-migration-modified");
    assert_eq!(
        f["path"],
        "migrations/2024-01-12-110000_create_posts/down.sql"
    );
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("2024-01-12-110000_create_posts was edited"),
        "{f}"
    );
}

/// main has a Rust crate whose reversible sqlx migrations live in
/// migrations/.
fn sqlx() -> Repo {
    let repo = Repo::new();
    repo.write(
        "Cargo.toml",
        "[package]\nname = \"shop\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\nsqlx = { version = \"0.8\", features = [\"runtime-tokio\", \"postgres\", \"migrate\"] }\n",
    );
    repo.write(
        "migrations/20240105093000_create_users.up.sql",
        "CREATE TABLE users (\n    id BIGSERIAL PRIMARY KEY,\n    email TEXT NOT NULL UNIQUE\n);\n",
    );
    repo.write(
        "migrations/20240105093000_create_users.down.sql",
        "DROP TABLE users;\n",
    );
    repo.write(
        "migrations/20240112110000_create_sessions.up.sql",
        "-- sessions expire; the index serves the sweeper\nCREATE TABLE sessions (\n    token TEXT PRIMARY KEY,\n    user_id BIGINT NOT NULL REFERENCES users (id),\n    expires_at TIMESTAMPTZ NOT NULL\n);\nCREATE INDEX sessions_expires_at_idx ON sessions (expires_at);\n",
    );
    repo.write(
        "migrations/20240112110000_create_sessions.down.sql",
        "DROP TABLE sessions;\n",
    );
    repo.commit("sqlx migrations");
    repo
}

#[test]
fn sqlx_hashes_exact_bytes_of_ups_only() {
    let repo = sqlx();
    let init = repo.sqlgate(&["init", "--dry-run"]);
    assert!(
        init.stdout.contains("- dir: migrations\n    layout: sqlx"),
        "{}",
        init.stdout
    );
    repo.branch("crlf");
    let up = std::fs::read_to_string(
        repo.path()
            .join("migrations/20240105093000_create_users.up.sql"),
    )
    .unwrap();
    repo.write(
        "migrations/20240105093000_create_users.up.sql",
        up.replace('\n', "\r\n"),
    );
    repo.write(
        "migrations/20240112110000_create_sessions.down.sql",
        "DROP TABLE IF EXISTS sessions;\n",
    );
    repo.commit("crlf up, edited down");
    let run = repo.check("main");
    assert_eq!(
        run.rules(),
        vec!["applied-migration-modified"],
        "{}",
        run.stdout
    );
    let f = run.finding("applied-migration-modified");
    assert_eq!(f["path"], "migrations/20240105093000_create_users.up.sql");
    assert!(f["help"].as_str().unwrap().contains("sqlx refuses"), "{f}");
}

#[test]
fn sqlx_reversible_migration_without_down_and_bad_version_are_reported() {
    let repo = sqlx();
    repo.branch("feature");
    repo.write(
        "migrations/20240201090000_add_locale.up.sql",
        "ALTER TABLE users ADD COLUMN locale TEXT;\n",
    );
    repo.write(
        "migrations/v2_add_phone.up.sql",
        "ALTER TABLE users ADD COLUMN phone TEXT;\n",
    );
    repo.commit("two new");
    let run = repo.check("main");
    let mut rules = run.rules();
    rules.sort();
    assert_eq!(
        rules,
        vec!["migration-filename", "missing-down"],
        "{}",
        run.stdout
    );
    assert!(run.finding("migration-filename")["message"]
        .as_str()
        .unwrap()
        .contains("not an integer"));
}

const ATLAS_USERS: &str = "-- Create \"users\" table\nCREATE TABLE \"users\" (\n  \"id\" bigint NOT NULL GENERATED BY DEFAULT AS IDENTITY,\n  \"email\" character varying(255) NOT NULL,\n  PRIMARY KEY (\"id\")\n);\n";
const ATLAS_ORDERS: &str = "-- Create \"orders\" table\nCREATE TABLE \"orders\" (\n  \"id\" bigint NOT NULL GENERATED BY DEFAULT AS IDENTITY,\n  \"user_id\" bigint NOT NULL,\n  PRIMARY KEY (\"id\"),\n  CONSTRAINT \"orders_user_id_fkey\" FOREIGN KEY (\"user_id\") REFERENCES \"users\" (\"id\")\n);\n";

/// main has an Atlas migration directory with its atlas.sum.
fn atlas_repo() -> Repo {
    let repo = Repo::new();
    repo.write(
        "atlas.hcl",
        "env \"local\" {\n  migration {\n    dir = \"file://migrations\"\n  }\n}\n",
    );
    repo.write("migrations/20240105093000_create_users.sql", ATLAS_USERS);
    repo.write("migrations/20240112110000_create_orders.sql", ATLAS_ORDERS);
    repo.write(
        "migrations/atlas.sum",
        atlas_sum(&[
            ("20240105093000_create_users.sql", ATLAS_USERS),
            ("20240112110000_create_orders.sql", ATLAS_ORDERS),
        ]),
    );
    repo.commit("atlas migrations");
    repo
}

#[test]
fn atlas_new_migration_with_rehash_passes_and_without_it_is_refused() {
    let repo = atlas_repo();
    let index = "-- atlas:txmode none\n\n-- Create index \"orders_user_id_idx\" to table: \"orders\"\nCREATE INDEX CONCURRENTLY \"orders_user_id_idx\" ON \"orders\" (\"user_id\");\n";
    repo.branch("hashed");
    repo.write("migrations/20240201090000_index_orders.sql", index);
    repo.write(
        "migrations/atlas.sum",
        atlas_sum(&[
            ("20240105093000_create_users.sql", ATLAS_USERS),
            ("20240112110000_create_orders.sql", ATLAS_ORDERS),
            ("20240201090000_index_orders.sql", index),
        ]),
    );
    repo.commit("index, hashed");
    let run = repo.sqlgate(&["check", "--base", "main", "--format", "json", "-v"]);
    assert!(run.findings().is_empty(), "{}", run.stdout);
    assert!(
        run.stderr
            .contains("migrations: atlas (atlas.sum beside 3 .sql files)"),
        "{}",
        run.stderr
    );

    repo.checkout("main");
    repo.branch("unhashed");
    repo.write("migrations/20240201090000_index_orders.sql", index);
    repo.commit("index, not hashed");
    let run = repo.check("main");
    assert_eq!(run.rules(), vec!["atlas-sum-mismatch"], "{}", run.stdout);
    let f = run.finding("atlas-sum-mismatch");
    assert_eq!(f["path"], "migrations/20240201090000_index_orders.sql");
    assert!(f["help"].as_str().unwrap().contains("atlas migrate hash"));
}

#[test]
fn atlas_edit_without_rehash_and_hand_merged_sum_are_refused() {
    let repo = atlas_repo();
    repo.branch("edit");
    repo.write(
        "migrations/20240105093000_create_users.sql",
        ATLAS_USERS.replace("255", "320"),
    );
    repo.commit("edit");
    let run = repo.check("main");
    let mut rules = run.rules();
    rules.sort();
    // The edited statement is new to the rules too: varchar(320) is a
    // length limit in the type.
    assert_eq!(
        rules,
        vec![
            "applied-migration-modified",
            "atlas-sum-mismatch",
            "prefer-text"
        ],
        "{}",
        run.stdout
    );
    let f = run.finding("atlas-sum-mismatch");
    assert_eq!(f["path"], "migrations/20240105093000_create_users.sql");
    assert_eq!(f["labels"][1]["path"], "migrations/atlas.sum");
    assert_eq!(f["labels"][1]["line"], 2);

    repo.checkout("main");
    repo.branch("merged");
    let sum = std::fs::read_to_string(repo.path().join("migrations/atlas.sum")).unwrap();
    repo.write(
        "migrations/20240201090000_index_orders.sql",
        "CREATE INDEX orders_user_id_idx ON orders (user_id);\n",
    );
    repo.write("migrations/atlas.sum", format!("{sum}20240201090000_index_orders.sql h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"));
    repo.commit("a line added to atlas.sum by hand");
    let run = repo.check("main");
    let f = run.finding("atlas-sum-mismatch");
    assert!(
        f["message"].as_str().unwrap().contains("edited by hand"),
        "{f}"
    );
}

#[test]
fn atlas_sum_of_a_golang_migrate_directory_is_verified_too() {
    let repo = Repo::new();
    let up = "CREATE TABLE users (id bigint PRIMARY KEY);\n";
    let down = "DROP TABLE users;\n";
    repo.write("db/migrations/20240105093000_users.up.sql", up);
    repo.write("db/migrations/20240105093000_users.down.sql", down);
    repo.write(
        "db/migrations/atlas.sum",
        atlas_sum(&[
            ("20240105093000_users.down.sql", down),
            ("20240105093000_users.up.sql", up),
        ]),
    );
    repo.commit("golang-migrate format written by atlas");
    repo.branch("feature");
    repo.write(
        "db/migrations/20240105093000_users.down.sql",
        "DROP TABLE IF EXISTS users;\n",
    );
    repo.commit("edit the down");
    let run = repo.check("main");
    let rules = run.rules();
    assert!(
        rules.contains(&"atlas-sum-mismatch".to_string()),
        "{rules:?}"
    );
}

#[test]
fn flyway_prefixes_and_separator_are_configurable() {
    let repo = Repo::new();
    repo.write(
        ".sqlgate.yml",
        "migrations:\n  - dir: db/migration\n    layout: flyway\n    flyway:\n      sql_migration_prefix: M\n      repeatable_sql_migration_prefix: RM\n      sql_migration_separator: \"-\"\n",
    );
    repo.write(
        "db/migration/M1-create_users.sql",
        "CREATE TABLE users (id bigint PRIMARY KEY);\n",
    );
    repo.write(
        "db/migration/M2-create_orders.sql",
        "CREATE TABLE orders (id bigint PRIMARY KEY);\n",
    );
    repo.write(
        "db/migration/RM-user_view.sql",
        "CREATE OR REPLACE VIEW user_ids AS SELECT id FROM users;\n",
    );
    repo.commit("flyway with custom names");
    repo.branch("feature");
    repo.write(
        "db/migration/RM-user_view.sql",
        "CREATE OR REPLACE VIEW user_ids AS SELECT id FROM users ORDER BY id;\n",
    );
    repo.write(
        "db/migration/M1-create_users.sql",
        "CREATE TABLE users (id bigint PRIMARY KEY);\r\n\r\n",
    );
    repo.write(
        "db/migration/M3-add_email.sql",
        "ALTER TABLE users ADD COLUMN email text;\n",
    );
    repo.write(
        "db/migration/V4__add_phone.sql",
        "ALTER TABLE users ADD COLUMN phone text;\n",
    );
    repo.commit("edit the repeatable, blank lines, one good name and one default name");
    let run = repo.check("main");
    assert_eq!(run.rules(), vec!["migration-filename"], "{}", run.stdout);
    let f = run.finding("migration-filename");
    assert_eq!(f["path"], "db/migration/V4__add_phone.sql");
    assert!(
        f["help"]
            .as_str()
            .unwrap()
            .contains("M<version>-<description>.sql"),
        "{f}"
    );

    let bad = repo.path().join("bad.yml");
    std::fs::write(
        &bad,
        "migrations:\n  - dir: db\n    layout: goose\n    flyway:\n      sql_migration_prefix: M\n",
    )
    .unwrap();
    let run = repo.sqlgate(&["check", "--base", "main", "--config", bad.to_str().unwrap()]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("`flyway:` settings for db, whose layout is goose"),
        "{}",
        run.stderr
    );
}

#[test]
fn plain_files_are_known_by_name_and_need_a_version() {
    let repo = Repo::new();
    repo.write(
        "sql/001_schema.sql",
        "CREATE TABLE users (id bigint PRIMARY KEY);\n",
    );
    repo.write("sql/002_seed.sql", "INSERT INTO users (id) VALUES (1);\n");
    repo.commit("plain");
    repo.branch("feature");
    repo.git(&["mv", "sql/002_seed.sql", "sql/002_seed_users.sql"]);
    repo.write("sql/extra_seed.sql", "INSERT INTO users (id) VALUES (2);\n");
    repo.commit("rename and an unversioned file");
    let run = repo.sqlgate(&["check", "--base", "main", "--format", "json", "-v"]);
    let mut rules = run.rules();
    rules.sort();
    assert_eq!(
        rules,
        vec!["applied-migration-modified", "migration-filename"],
        "{}",
        run.stdout
    );
    assert!(run.finding("applied-migration-modified")["message"]
        .as_str()
        .unwrap()
        .contains("renamed to 002_seed_users.sql"));
    assert!(
        run.stderr
            .contains("sql: plain (2 .sql files with a numeric or timestamp prefix)"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_directory_that_fits_two_layouts_is_a_clear_error() {
    let repo = Repo::new();
    repo.write(
        "db/migrations/20240105093000_users.sql",
        "-- migrate:up\nCREATE TABLE users (id int);\n-- migrate:down\nDROP TABLE users;\n",
    );
    repo.write(
        "db/migrations/20240112110000_orders.sql",
        "-- +goose Up\nCREATE TABLE orders (id int);\n-- +goose Down\nDROP TABLE orders;\n",
    );
    repo.commit("two tools in one directory");
    let run = repo.sqlgate(&["lint"]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr
            .contains("db/migrations fits more than one layout: dbmate"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("goose"), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("help: set `layout:` for `db/migrations`"),
        "{}",
        run.stderr
    );
    let init = repo.sqlgate(&["init", "--dry-run"]);
    assert_eq!(init.code, 2);
}

#[test]
fn init_on_prisma_diesel_and_atlas_repositories_works_unchanged() {
    for (repo, dir, layout) in [
        (prisma(), "prisma/migrations", "prisma"),
        (diesel(), "migrations", "diesel"),
        (atlas_repo(), "migrations", "atlas"),
        (sqlx(), "migrations", "sqlx"),
    ] {
        let run = repo.sqlgate(&["init"]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let text = std::fs::read_to_string(repo.path().join(".sqlgate.yml")).unwrap();
        assert!(
            text.contains(&format!("- dir: {dir}\n    layout: {layout}")),
            "{layout}: {text}"
        );
        repo.git(&["add", "-A"]);
        let check = repo.sqlgate(&["check", "--staged", "--format", "json", "-v"]);
        assert_eq!(check.code, 0, "{layout}: {}{}", check.stdout, check.stderr);
        assert!(
            check
                .stderr
                .contains(&format!("{dir}: {layout} (configured)")),
            "{}",
            check.stderr
        );
    }
}

fn transactions(layout: Layout, dir: &str, files: &[(&str, &str)]) -> Vec<Transaction> {
    let mut mem = MemSource::default();
    for (path, text) in files {
        mem.insert(*path, *text);
    }
    let source = Files::new(&mem);
    let plan = layout.plan(dir, &source).unwrap();
    plan.migrations
        .iter()
        .map(|m| {
            let text = files
                .iter()
                .find(|(p, _)| *p == m.up.file.path)
                .map_or("", |(_, t)| *t);
            m.transaction(m.up.slice(text))
        })
        .collect()
}

#[test]
fn each_layout_says_how_its_tool_runs_a_migration_in_a_transaction() {
    use Transaction::*;
    assert_eq!(
        transactions(
            Layout::GolangMigrate,
            "m",
            &[("m/1_a.up.sql", "SELECT 1;"), ("m/1_a.down.sql", "")]
        ),
        vec![Implicit]
    );
    assert_eq!(
        transactions(
            Layout::Flyway,
            "m",
            &[
                ("m/V1__a.sql", ""),
                ("m/V2__b.sql", ""),
                ("m/V2__b.sql.conf", "executeInTransaction=false\n")
            ]
        ),
        vec![Wrapped, Unwrapped]
    );
    assert_eq!(
        transactions(
            Layout::Dbmate,
            "m",
            &[
                ("m/1_a.sql", "-- migrate:up\nSELECT 1;\n-- migrate:down\n"),
                (
                    "m/2_b.sql",
                    "-- migrate:up transaction:false\nSELECT 1;\n-- migrate:down\n"
                )
            ]
        ),
        vec![Wrapped, Implicit]
    );
    assert_eq!(
        transactions(
            Layout::Goose,
            "m",
            &[
                ("m/1_a.sql", "-- +goose Up\nSELECT 1;\n"),
                (
                    "m/2_b.sql",
                    "-- +goose NO TRANSACTION\n-- +goose Up\nSELECT 1;\n"
                )
            ]
        ),
        vec![Wrapped, Unwrapped]
    );
    assert_eq!(
        transactions(Layout::Liquibase, "m", &[("m/c.sql", "--liquibase formatted sql\n--changeset a:1\nSELECT 1;\n--changeset a:2 runInTransaction:false\nSELECT 1;\n")]),
        vec![Wrapped, Unwrapped]
    );
    assert_eq!(
        transactions(
            Layout::Sqitch,
            "m",
            &[
                (
                    "m/sqitch.plan",
                    "%project=x\na 2024-01-01T00:00:00Z A <a@x> # a\n"
                ),
                ("m/deploy/a.sql", "BEGIN; SELECT 1; COMMIT;\n")
            ]
        ),
        vec![Unwrapped]
    );
    assert_eq!(
        transactions(
            Layout::Diesel,
            "m",
            &[
                ("m/2024-01-01-000000_a/up.sql", ""),
                ("m/2024-01-02-000000_b/up.sql", ""),
                (
                    "m/2024-01-02-000000_b/metadata.toml",
                    "run_in_transaction = false\n"
                )
            ]
        ),
        vec![Wrapped, Implicit]
    );
    assert_eq!(
        transactions(
            Layout::Sqlx,
            "m",
            &[
                ("m/1_a.sql", "SELECT 1;\n"),
                (
                    "m/2_b.sql",
                    "-- no-transaction\nCREATE INDEX CONCURRENTLY i ON t (a);\n"
                )
            ]
        ),
        vec![Wrapped, Implicit]
    );
    assert_eq!(
        transactions(
            Layout::Atlas,
            "m",
            &[
                ("m/1_a.sql", "SELECT 1;\n"),
                (
                    "m/2_b.sql",
                    "-- atlas:txmode none\n\nCREATE INDEX CONCURRENTLY i ON t (a);\n"
                )
            ]
        ),
        vec![Wrapped, Unwrapped]
    );
    assert_eq!(
        transactions(Layout::Prisma, "m", &[("m/1_a/migration.sql", "")]),
        vec![Implicit]
    );
    assert_eq!(
        transactions(Layout::Plain, "m", &[("m/1_a.sql", "")]),
        vec![Unknown]
    );
}

/// A source that counts the files read, to show which layouts read
/// migrations to build a Plan.
struct Counting {
    inner: MemSource,
    reads: std::cell::RefCell<Vec<String>>,
}

impl sqlgate::source::FileSource for Counting {
    fn list(&self, dir: &str) -> sqlgate::error::Result<Vec<sqlgate::source::FileEntry>> {
        self.inner.list(dir)
    }
    fn read(&self, entry: &sqlgate::source::FileEntry) -> sqlgate::error::Result<Vec<u8>> {
        self.reads.borrow_mut().push(entry.path.clone());
        self.inner.read(entry)
    }
}

fn reads_to_plan(layout: Layout, files: &[(&str, &str)]) -> Vec<String> {
    let mut inner = MemSource::default();
    for (path, text) in files {
        inner.insert(*path, *text);
    }
    let counting = Counting {
        inner,
        reads: Default::default(),
    };
    let source = Files::new(&counting);
    let plan = layout.plan("m", &source).unwrap();
    assert!(!plan.migrations.is_empty(), "{layout:?}");
    let reads = counting.reads.borrow().clone();
    reads
}

#[test]
fn file_per_migration_layouts_build_plans_without_reading_migrations() {
    let sql = "CREATE TABLE t (id int);\n";
    for (layout, files) in [
        (
            Layout::GolangMigrate,
            vec![("m/1_a.up.sql", sql), ("m/1_a.down.sql", sql)],
        ),
        (
            Layout::Flyway,
            vec![("m/V1__a.sql", sql), ("m/R__b.sql", sql)],
        ),
        (Layout::Plain, vec![("m/001_a.sql", sql)]),
        (
            Layout::Prisma,
            vec![("m/20240101000000_a/migration.sql", sql)],
        ),
        (
            Layout::Diesel,
            vec![
                ("m/2024-01-01-000000_a/up.sql", sql),
                ("m/2024-01-01-000000_a/down.sql", sql),
            ],
        ),
        (Layout::Sqlx, vec![("m/1_a.sql", sql)]),
        (
            Layout::Atlas,
            vec![("m/1_a.sql", sql), ("m/atlas.sum", "h1:x\n")],
        ),
    ] {
        assert_eq!(
            reads_to_plan(layout, &files),
            Vec::<String>::new(),
            "{layout:?}"
        );
    }
    // sqitch reads its plan, not its scripts.
    let reads = reads_to_plan(
        Layout::Sqitch,
        &[
            ("m/sqitch.plan", "a 2024-01-01T00:00:00Z A <a@x>\n"),
            ("m/deploy/a.sql", sql),
        ],
    );
    assert_eq!(reads, vec!["m/sqitch.plan"]);
    // Single-file layouts read each migration once.
    let reads = reads_to_plan(
        Layout::Dbmate,
        &[
            ("m/1_a.sql", "-- migrate:up\nSELECT 1;\n-- migrate:down\n"),
            ("m/2_b.sql", "-- migrate:up\nSELECT 2;\n-- migrate:down\n"),
        ],
    );
    assert_eq!(reads, vec!["m/1_a.sql", "m/2_b.sql"]);
}

#[test]
fn deleted_and_reversioned_migrations_are_seen_in_folder_and_rust_layouts() {
    let cases = [
        (
            prisma(),
            vec!["prisma/migrations/20240112110000_add_posts"],
            vec!["prisma/migrations/20240120110000_add_posts"],
        ),
        (
            diesel(),
            vec!["migrations/2024-01-12-110000_create_posts"],
            vec!["migrations/2024-01-20-110000_create_posts"],
        ),
        (
            sqlx(),
            vec![
                "migrations/20240112110000_create_sessions.up.sql",
                "migrations/20240112110000_create_sessions.down.sql",
            ],
            vec![
                "migrations/20240120110000_create_sessions.up.sql",
                "migrations/20240120110000_create_sessions.down.sql",
            ],
        ),
    ];
    for (repo, from, to) in cases {
        repo.branch("reversion");
        for (f, t) in from.iter().zip(&to) {
            repo.git(&["mv", f, t]);
        }
        repo.commit("new version");
        let run = repo.check("main");
        assert_eq!(
            run.rules(),
            vec!["applied-migration-modified"],
            "{from:?}: {}",
            run.stdout
        );
        let message = run.finding("applied-migration-modified")["message"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(
            message.contains("re-versioned from 20240112110000 to 20240120110000"),
            "{message}"
        );
        repo.checkout("main");
        repo.branch("delete");
        for f in &from {
            repo.git(&["rm", "-rq", f]);
        }
        repo.commit("deleted");
        let run = repo.check("main");
        assert_eq!(
            run.rules(),
            vec!["applied-migration-modified"],
            "{from:?}: {}",
            run.stdout
        );
        assert!(run.finding("applied-migration-modified")["message"]
            .as_str()
            .unwrap()
            .contains("was deleted"));
    }
}

#[test]
fn diesel_first_migration_after_the_initial_setup_follows_no_zero_scheme() {
    let repo = Repo::new();
    repo.write(
        "diesel.toml",
        "[migrations_directory]\ndir = \"migrations\"\n",
    );
    repo.write(
        "migrations/00000000000000_diesel_initial_setup/up.sql",
        DIESEL_SETUP_UP,
    );
    repo.write(
        "migrations/00000000000000_diesel_initial_setup/down.sql",
        "DROP FUNCTION IF EXISTS diesel_manage_updated_at(_tbl regclass);\nDROP FUNCTION IF EXISTS diesel_set_updated_at();\n",
    );
    repo.commit("diesel setup");
    repo.branch("users");
    repo.write(
        "migrations/2024-06-02-160018-0000_create_users/up.sql",
        "CREATE TABLE users (\n    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n    name TEXT NOT NULL\n);\n",
    );
    repo.write(
        "migrations/2024-06-02-160018-0000_create_users/down.sql",
        "DROP TABLE users;\n",
    );
    repo.commit("users");
    let run = repo.check("main");
    assert!(run.findings().is_empty(), "{}", run.stdout);
    assert_eq!(run.code, 0);
}

#[test]
fn sqitch_a_requirement_on_another_project_added_later_reaches_the_cached_history() {
    // The history's Catalog is cached by its changes; declaring on main
    // that an applied change needs another project must not leave the
    // cached state (where that project's tables are unknown) in use.
    let repo = sqitch();
    let link = "link_accounts [users] 2024-02-01T09:00:00Z Erin Example <erin@example.com> # Link billing accounts to users.";
    repo.write("db/sqitch.plan", plan_with(link));
    sqitch_change(
        &repo,
        "link_accounts",
        "ALTER TABLE accounts ADD COLUMN user_id bigint REFERENCES shop.users (id);\n",
        "ALTER TABLE accounts DROP COLUMN user_id;\n",
        "SELECT user_id FROM accounts WHERE FALSE;\n",
    );
    repo.commit("link accounts");
    repo.branch("feature");
    let by_user = "accounts_by_user [link_accounts] 2024-02-02T09:00:00Z Erin Example <erin@example.com> # Look accounts up by user.";
    repo.write("db/sqitch.plan", plan_with(&format!("{link}\n{by_user}")));
    sqitch_change(
        &repo,
        "accounts_by_user",
        "CREATE INDEX idx_accounts_user_id ON accounts (user_id);\n",
        "DROP INDEX idx_accounts_user_id;\n",
        "SELECT 1/count(*) FROM pg_indexes WHERE indexname = 'idx_accounts_user_id';\n",
    );
    repo.commit("accounts by user");
    assert_eq!(repo.check("main").messages("unknown-object").len(), 1);

    repo.checkout("main");
    let declared = link.replace("[users]", "[users billing:accounts]");
    repo.write("db/sqitch.plan", plan_with(&declared));
    repo.commit("link_accounts needs billing");
    repo.branch("feature-again");
    repo.write(
        "db/sqitch.plan",
        plan_with(&format!("{declared}\n{by_user}")),
    );
    sqitch_change(
        &repo,
        "accounts_by_user",
        "CREATE INDEX idx_accounts_user_id ON accounts (user_id);\n",
        "DROP INDEX idx_accounts_user_id;\n",
        "SELECT 1/count(*) FROM pg_indexes WHERE indexname = 'idx_accounts_user_id';\n",
    );
    repo.commit("accounts by user, again");
    let run = repo.check("main");
    assert!(run.messages("unknown-object").is_empty(), "{}", run.stdout);
}

/// Atlas writes SQLite migrations with backtick quoting (goose-formatted
/// here, as a Go app with an embedded SQLite database keeps them). `init`
/// must read them as SQLite, not MySQL, or every `PRAGMA` is a syntax error.
#[test]
fn init_reads_backtick_quoted_sqlite_scripts_as_sqlite() {
    let repo = Repo::new();
    repo.write(
        "migrations/sql/20230913005236_initial.sql",
        "-- +goose Up\n-- create \"messages\" table\nCREATE TABLE `messages` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `subject` text NOT NULL, `body` json NOT NULL, `created_at` datetime NOT NULL);\n-- create \"attachments\" table\nCREATE TABLE `attachments` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `message_id` integer NULL, `name` text NOT NULL, CONSTRAINT `message_id` FOREIGN KEY (`message_id`) REFERENCES `messages` (`id`) ON UPDATE CASCADE ON DELETE SET NULL);\n\n-- +goose Down\n-- reverse: create \"attachments\" table\nDROP TABLE `attachments`;\n-- reverse: create \"messages\" table\nDROP TABLE `messages`;\n",
    );
    repo.write(
        "migrations/sql/20230919001059_add_uuid.sql",
        "-- +goose Up\n-- disable the enforcement of foreign-keys constraints\nPRAGMA foreign_keys = off;\n-- create \"new_messages\" table\nCREATE TABLE `new_messages` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `uuid` text NOT NULL DEFAULT '', `subject` text NOT NULL, `body` json NOT NULL, `created_at` datetime NOT NULL);\n-- copy rows from old table \"messages\" to new temporary table \"new_messages\"\nINSERT INTO `new_messages` (`id`, `subject`, `body`, `created_at`) SELECT `id`, `subject`, `body`, `created_at` FROM `messages`;\n-- drop \"messages\" table after copying rows\nDROP TABLE `messages`;\n-- rename temporary table \"new_messages\" to \"messages\"\nALTER TABLE `new_messages` RENAME TO `messages`;\n-- enable back the enforcement of foreign-keys constraints\nPRAGMA foreign_keys = on;\n\n-- +goose Down\nCREATE TABLE `old_messages` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `subject` text NOT NULL, `body` json NOT NULL, `created_at` datetime NOT NULL);\nINSERT INTO `old_messages` (`id`, `subject`, `body`, `created_at`) SELECT `id`, `subject`, `body`, `created_at` FROM `messages`;\nDROP TABLE `messages`;\nALTER TABLE `old_messages` RENAME TO `messages`;\n",
    );
    let run = repo.sqlgate(&["init"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text = std::fs::read_to_string(repo.path().join(".sqlgate.yml")).unwrap();
    assert!(text.contains("dialect: sqlite"), "{text}");
    let lint = repo.sqlgate(&["lint", "--format", "json"]);
    assert!(lint.stdout.trim_start().starts_with('['), "{}", lint.stderr);
    for rule in ["syntax-error", "irreversible-change"] {
        assert!(lint.messages(rule).is_empty(), "{rule}: {}", lint.stdout);
    }
}
