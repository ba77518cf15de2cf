//! The Catalog end to end: a down script must put back the schema its up
//! script changed, migrations must not use objects before a migration
//! creates them, data loss needs an acknowledgement, and a down must do
//! something. Real repositories, the real binary; the fixture projects are
//! written the way teams write migrations, and must raise nothing.

mod common;

use common::{shop, Repo};

#[test]
fn a_down_that_undoes_its_up_passes() {
    let repo = shop();
    repo.branch("feature/nickname");
    repo.migration(
        "20240301120000_add_user_nickname",
        "-- Nicknames are optional and unique when set.\n\
         ALTER TABLE users ADD COLUMN nickname text;\n\
         CREATE UNIQUE INDEX CONCURRENTLY idx_users_nickname ON users (lower(nickname)) WHERE nickname IS NOT NULL;\n\
         ALTER TABLE users ADD CONSTRAINT users_nickname_length CHECK (char_length(nickname) <= 40);\n\
         COMMENT ON COLUMN users.nickname IS 'Shown instead of the email address';\n",
        "ALTER TABLE users DROP CONSTRAINT IF EXISTS users_nickname_length;\n\
         DROP INDEX CONCURRENTLY IF EXISTS idx_users_nickname;\n\
         ALTER TABLE users DROP COLUMN IF EXISTS nickname;\n",
    );
    repo.commit("nickname");
    let run = repo.check("main");
    for rule in [
        "down-restores-schema",
        "unknown-object",
        "empty-down",
        "irreversible-change",
    ] {
        assert!(run.messages(rule).is_empty(), "{rule}: {}", run.stdout);
    }
}

#[test]
fn a_down_that_forgets_a_column_names_it_at_the_down_with_the_up_as_label() {
    let repo = shop();
    repo.branch("feature/nickname");
    repo.migration(
        "20240301120000_add_user_nickname",
        "ALTER TABLE users ADD COLUMN nickname text;\nCREATE INDEX idx_users_nickname ON users (nickname);\n",
        "DROP INDEX idx_users_nickname;\n",
    );
    repo.commit("nickname");
    let run = repo.check("main");
    assert_eq!(run.code, 1);
    assert_eq!(
        run.messages("down-restores-schema").len(),
        1,
        "{}",
        run.stdout
    );
    let f = run.finding("down-restores-schema");
    assert_eq!(
        f["message"],
        "down leaves column users.nickname behind (migration 20240301120000_add_user_nickname.up.sql)"
    );
    assert_eq!(
        f["path"],
        "db/migrations/20240301120000_add_user_nickname.down.sql"
    );
    let human = repo.sqlgate(&["check", "--base", "main"]);
    let shown = format!("{}{}", human.stdout, human.stderr);
    assert!(
        shown.contains("the up statement it should undo")
            && shown.contains("ALTER TABLE users ADD COLUMN nickname text;"),
        "{shown}"
    );
}

#[test]
fn a_down_that_forgets_an_index_or_a_constraint_is_refused() {
    let repo = shop();
    repo.branch("feature/orders");
    repo.migration(
        "20240301120000_orders_lookup",
        "DROP INDEX idx_orders_user_id;\n\
         CREATE INDEX idx_orders_user_id_total ON orders (user_id, total_cents);\n\
         ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total_cents > 0);\n",
        "DROP INDEX idx_orders_user_id_total;\n",
    );
    repo.commit("orders");
    let run = repo.check("main");
    assert_eq!(
        run.messages("down-restores-schema"),
        vec![
            "down leaves check constraint orders_total_positive on orders behind (migration 20240301120000_orders_lookup.up.sql)",
            "down does not re-create index idx_orders_user_id (migration 20240301120000_orders_lookup.up.sql)",
        ]
    );
}

#[test]
fn a_down_that_restores_a_column_with_another_type_or_nullability_is_refused() {
    let repo = shop();
    repo.branch("feature/totals");
    repo.migration(
        "20240301120000_orders_total_numeric",
        "ALTER TABLE orders ALTER COLUMN total_cents TYPE numeric(14, 2);\nALTER TABLE orders ALTER COLUMN user_id DROP NOT NULL;\n",
        "ALTER TABLE orders ALTER COLUMN total_cents TYPE integer;\n",
    );
    repo.commit("totals");
    let run = repo.check("main");
    assert_eq!(
        run.messages("down-restores-schema"),
        vec![
            "down restores column orders.user_id without NOT NULL (migration 20240301120000_orders_total_numeric.up.sql)",
            "down restores column orders.total_cents as integer instead of bigint (migration 20240301120000_orders_total_numeric.up.sql)",
        ]
    );
}

#[test]
fn a_down_that_recreates_a_unique_index_without_unique_is_refused() {
    let repo = shop();
    repo.branch("feature/email");
    repo.migration(
        "20240301120000_unique_email",
        "CREATE UNIQUE INDEX idx_users_email ON users (email);\n",
        "DROP INDEX idx_users_email;\n",
    );
    repo.commit("unique email");
    assert!(repo
        .check("main")
        .messages("down-restores-schema")
        .is_empty());
    repo.migration(
        "20240302120000_email_index_partial",
        "DROP INDEX idx_users_email;\nCREATE UNIQUE INDEX idx_users_email ON users (email) WHERE email <> '';\n",
        "DROP INDEX idx_users_email;\nCREATE INDEX idx_users_email ON users (email);\n",
    );
    repo.commit("partial");
    let run = repo.check("main");
    assert_eq!(
        run.messages("down-restores-schema"),
        vec![
            "down re-creates index idx_users_email without UNIQUE (migration 20240302120000_email_index_partial.up.sql)",
        ]
    );
}

#[test]
fn a_down_that_drops_a_table_its_up_did_not_create_is_refused() {
    let repo = shop();
    repo.branch("feature/audit");
    repo.migration(
        "20240301120000_audit_log",
        "CREATE TABLE audit_log (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, at timestamptz NOT NULL DEFAULT now());\n",
        "DROP TABLE audit_log;\n",
    );
    repo.migration(
        "20240302120000_audit_actor",
        "ALTER TABLE audit_log ADD COLUMN actor_id bigint REFERENCES users (id);\n",
        "DROP TABLE audit_log;\n",
    );
    repo.commit("audit");
    let run = repo.check("main");
    assert_eq!(
        run.messages("down-restores-schema"),
        vec!["down drops table audit_log that up did not create (migration 20240302120000_audit_actor.up.sql)"]
    );
}

#[test]
fn a_down_the_catalog_cannot_read_raises_nothing() {
    let repo = shop();
    repo.branch("feature/flags");
    repo.migration(
        "20240301120000_feature_flags",
        "ALTER TABLE users ADD COLUMN flags jsonb NOT NULL DEFAULT '{}'::jsonb;\n",
        "DO $$\nBEGIN\n  IF EXISTS (SELECT 1 FROM information_schema.columns WHERE table_name = 'users' AND column_name = 'flags') THEN\n    EXECUTE 'ALTER TABLE users DROP COLUMN flags';\n  END IF;\nEND\n$$;\n",
    );
    repo.commit("flags");
    let run = repo.check("main");
    assert!(
        run.messages("down-restores-schema").is_empty(),
        "{}",
        run.stdout
    );
    assert!(run.messages("empty-down").is_empty(), "{}", run.stdout);
}

#[test]
fn using_a_table_before_the_migration_that_creates_it_names_that_migration() {
    let repo = shop();
    repo.branch("feature/refunds");
    repo.migration(
        "20240301120000_index_refunds",
        "CREATE INDEX idx_refunds_order_id ON refunds (order_id);\n",
        "DROP INDEX idx_refunds_order_id;\n",
    );
    repo.migration(
        "20240302120000_create_refunds",
        "CREATE TABLE refunds (\n    id bigint PRIMARY KEY,\n    order_id bigint NOT NULL REFERENCES orders (id)\n);\n",
        "DROP TABLE refunds;\n",
    );
    repo.commit("refunds");
    let run = repo.check("main");
    assert_eq!(run.code, 1);
    let f = run.finding("unknown-object");
    assert_eq!(
        f["message"],
        "migration 20240301120000_index_refunds.up.sql uses table refunds, which no earlier migration creates"
    );
    assert_eq!((&f["line"], &f["column"]), (&1.into(), &38.into()), "{f}");
    assert!(
        f["help"]
            .as_str()
            .unwrap()
            .starts_with("migration 20240302120000_create_refunds.up.sql creates it later"),
        "{f}"
    );
    assert_eq!(run.messages("unknown-object").len(), 1, "{}", run.stdout);
}

#[test]
fn altering_a_column_no_migration_created_is_reported_and_if_exists_is_not() {
    let repo = shop();
    repo.branch("feature/cleanup");
    repo.migration(
        "20240301120000_cleanup",
        "ALTER TABLE users ALTER COLUMN nickname SET DEFAULT 'anon';\nALTER TABLE users DROP COLUMN IF EXISTS legacy_flag;\nDROP INDEX IF EXISTS idx_users_legacy;\n",
        "ALTER TABLE users ALTER COLUMN nickname DROP DEFAULT;\n",
    );
    repo.commit("cleanup");
    let run = repo.check("main");
    assert_eq!(
        run.messages("unknown-object"),
        vec!["migration 20240301120000_cleanup.up.sql uses column users.nickname, which no earlier migration creates"]
    );
}

#[test]
fn data_loss_needs_an_acknowledgement_listed_for_reviewers() {
    let repo = shop();
    repo.branch("feature/drop-total");
    repo.migration(
        "20240301120000_drop_orders_total",
        "ALTER TABLE orders DROP COLUMN total_cents;\n",
        "ALTER TABLE orders ADD COLUMN total_cents bigint NOT NULL DEFAULT 0;\nALTER TABLE orders ALTER COLUMN total_cents DROP DEFAULT;\n",
    );
    repo.commit("drop total");
    let run = repo.check("main");
    assert_eq!(
        run.messages("irreversible-change"),
        vec!["migration 20240301120000_drop_orders_total.up.sql drops column orders.total_cents and its data: no down script can bring that data back"]
    );
    repo.migration(
        "20240301120000_drop_orders_total",
        "-- sqlgate:ignore drop-column order_totals replaced it in release 40\n-- sqlgate:irreversible totals are recomputed from order_lines\nALTER TABLE orders DROP COLUMN total_cents;\n",
        "ALTER TABLE orders ADD COLUMN total_cents bigint NOT NULL DEFAULT 0;\nALTER TABLE orders ALTER COLUMN total_cents DROP DEFAULT;\n",
    );
    repo.commit("acknowledged");
    let run = repo.check("main");
    assert_eq!(run.code, 0, "{}", run.stdout);
    let md = repo.sqlgate(&["check", "--base", "main", "--format", "markdown"]);
    assert!(
        md.stdout.contains("irreversible-change")
            && md.stdout.contains("totals are recomputed from order_lines"),
        "{}",
        md.stdout
    );
}

#[test]
fn a_down_that_only_selects_a_constant_is_an_empty_down() {
    let repo = shop();
    repo.branch("feature/status");
    repo.migration(
        "20240301120000_order_status",
        "CREATE TYPE order_status AS ENUM ('pending', 'paid', 'shipped');\nALTER TABLE orders ADD COLUMN status order_status NOT NULL DEFAULT 'pending';\n",
        "-- no rollback: statuses are forever\nSELECT 1;\n",
    );
    repo.migration(
        "20240302120000_backfill_paid",
        "UPDATE orders SET status = 'paid' WHERE total_cents > 0;\n",
        "SELECT 1;\n",
    );
    repo.commit("status");
    let run = repo.check("main");
    assert_eq!(
        run.messages("empty-down"),
        vec!["the down script of migration 20240301120000_order_status.up.sql changes nothing, but its up script changes the schema"]
    );
    assert!(
        run.messages("down-restores-schema").is_empty(),
        "{}",
        run.stdout
    );
}

/// One entity of a SaaS application, as its migrations evolve it over the
/// years: each step an up and a down.
fn entity_steps(e: &str, parent: Option<&str>) -> Vec<(String, String, String)> {
    let t = format!("{e}s");
    let parent_fk = parent
        .map(|p| format!("    {p}_id bigint NOT NULL REFERENCES {p}s (id) ON DELETE CASCADE,\n"))
        .unwrap_or_default();
    vec![
        (
            format!("create_{t}"),
            format!(
                "CREATE TYPE {e}_status AS ENUM ('active', 'archived');\n\n\
                 CREATE TABLE {t} (\n    id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,\n{parent_fk}    \
                 title varchar(200) NOT NULL,\n    status {e}_status NOT NULL DEFAULT 'active',\n    \
                 created_at timestamptz NOT NULL DEFAULT now(),\n    updated_at timestamptz NOT NULL DEFAULT now(),\n    \
                 deleted_at timestamptz\n);\n\n\
                 CREATE TRIGGER {t}_set_updated_at\n    BEFORE UPDATE ON {t}\n    FOR EACH ROW EXECUTE FUNCTION set_updated_at();\n"
            ),
            format!("DROP TABLE IF EXISTS {t};\nDROP TYPE IF EXISTS {e}_status;\n"),
        ),
        (
            format!("index_{t}_live"),
            format!(
                "-- Most queries only look at live rows.\n\
                 CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_{t}_live ON {t} (created_at DESC) WHERE deleted_at IS NULL;\n"
            ),
            format!("DROP INDEX CONCURRENTLY IF EXISTS idx_{t}_live;\n"),
        ),
        (
            format!("add_{t}_description"),
            format!(
                "ALTER TABLE {t} ADD COLUMN description text;\n\
                 COMMENT ON COLUMN {t}.description IS 'Markdown, rendered by the web client';\n"
            ),
            format!("ALTER TABLE {t} DROP COLUMN description;\n"),
        ),
        (
            format!("rename_{t}_title_to_name"),
            format!("ALTER TABLE {t} RENAME COLUMN title TO name;\n"),
            format!("ALTER TABLE {t} RENAME COLUMN name TO title;\n"),
        ),
        (
            format!("{e}_name_not_blank"),
            format!(
                "DO $$\nBEGIN\n    IF NOT EXISTS (\n        SELECT 1 FROM pg_constraint WHERE conname = '{t}_name_not_blank'\n    ) THEN\n        \
                 ALTER TABLE {t} ADD CONSTRAINT {t}_name_not_blank CHECK (btrim(name) <> '') NOT VALID;\n    END IF;\nEND\n$$;\n"
            ),
            format!("ALTER TABLE {t} DROP CONSTRAINT IF EXISTS {t}_name_not_blank;\n"),
        ),
        (
            format!("add_{e}_status_deleted"),
            format!("ALTER TYPE {e}_status ADD VALUE IF NOT EXISTS 'deleted' AFTER 'archived';\n"),
            format!(
                "-- PostgreSQL cannot drop an enum value: swap the type.\n\
                 CREATE TYPE {e}_status_old AS ENUM ('active', 'archived');\n\
                 ALTER TABLE {t} ALTER COLUMN status DROP DEFAULT;\n\
                 ALTER TABLE {t} ALTER COLUMN status TYPE {e}_status_old USING status::text::{e}_status_old;\n\
                 ALTER TABLE {t} ALTER COLUMN status SET DEFAULT 'active';\n\
                 DROP TYPE {e}_status;\n\
                 ALTER TYPE {e}_status_old RENAME TO {e}_status;\n"
            ),
        ),
        (
            format!("{t}_search"),
            format!(
                "CREATE INDEX idx_{t}_name_trgm ON {t} USING gin (name gin_trgm_ops);\n"
            ),
            format!("DROP INDEX IF EXISTS idx_{t}_name_trgm;\n"),
        ),
        (
            format!("active_{t}_view"),
            format!(
                "CREATE OR REPLACE VIEW active_{t} AS\n    SELECT id, name, created_at\n    FROM {t}\n    WHERE deleted_at IS NULL AND status = 'active';\n"
            ),
            format!("DROP VIEW IF EXISTS active_{t};\n"),
        ),
        (
            format!("archive_{e}_function"),
            format!(
                "CREATE OR REPLACE FUNCTION archive_{e}(p_id bigint, p_reason text DEFAULT NULL)\nRETURNS void\nLANGUAGE plpgsql\nAS $function$\nBEGIN\n    \
                 UPDATE {t} SET status = 'archived', updated_at = now() WHERE id = p_id;\n    \
                 RAISE NOTICE 'archived % (%)', p_id, coalesce(p_reason, 'no reason');\nEND;\n$function$;\n"
            ),
            format!("DROP FUNCTION IF EXISTS archive_{e}(bigint, text);\n"),
        ),
        (
            format!("{t}_daily_stats"),
            format!(
                "CREATE MATERIALIZED VIEW reporting.{e}_daily AS\n    SELECT date_trunc('day', created_at) AS day, count(*) AS created\n    FROM public.{t}\n    GROUP BY 1\nWITH NO DATA;\n\n\
                 CREATE UNIQUE INDEX idx_{e}_daily_day ON reporting.{e}_daily (day);\n"
            ),
            format!("DROP MATERIALIZED VIEW IF EXISTS reporting.{e}_daily;\n"),
        ),
        (
            format!("add_{t}_owner"),
            format!(
                "ALTER TABLE {t}\n    ADD COLUMN owner_id bigint REFERENCES users (id) ON DELETE SET NULL;\n\n\
                 CREATE INDEX idx_{t}_owner_id ON {t} (owner_id) WHERE owner_id IS NOT NULL;\n"
            ),
            format!("DROP INDEX IF EXISTS idx_{t}_owner_id;\nALTER TABLE {t} DROP COLUMN IF EXISTS owner_id;\n"),
        ),
        (
            format!("backfill_{t}_owner"),
            format!(
                "-- Owners default to the creator recorded in the audit trail.\n\
                 UPDATE {t} SET owner_id = NULL WHERE owner_id IS NOT NULL AND deleted_at IS NOT NULL;\n"
            ),
            "-- Nothing to undo: the backfill only cleared owners of deleted rows.\n".to_string(),
        ),
        (
            format!("{t}_priority"),
            format!(
                "ALTER TABLE {t} ADD COLUMN priority smallint NOT NULL DEFAULT 0;\n\
                 ALTER TABLE ONLY {t}\n    ADD CONSTRAINT {t}_priority_range CHECK (priority BETWEEN 0 AND 5);\n"
            ),
            format!("ALTER TABLE {t} DROP CONSTRAINT {t}_priority_range;\nALTER TABLE {t} DROP COLUMN priority;\n"),
        ),
        (
            format!("widen_{t}_name"),
            format!("ALTER TABLE {t} ALTER COLUMN name TYPE text;\n"),
            format!("ALTER TABLE {t} ALTER COLUMN name TYPE varchar(200);\n"),
        ),
        (
            format!("{t}_external_ref"),
            format!(
                "ALTER TABLE \"{t}\" ADD COLUMN \"externalRef\" uuid DEFAULT gen_random_uuid();\n\
                 CREATE UNIQUE INDEX \"{t}_externalRef_key\" ON \"{t}\" (\"externalRef\");\n"
            ),
            format!("DROP INDEX \"{t}_externalRef_key\";\nALTER TABLE \"{t}\" DROP COLUMN \"externalRef\";\n"),
        ),
        (
            format!("rename_idx_{t}_live"),
            format!("ALTER INDEX IF EXISTS idx_{t}_live RENAME TO {t}_live_idx;\n"),
            format!("ALTER INDEX IF EXISTS {t}_live_idx RENAME TO idx_{t}_live;\n"),
        ),
    ]
}

/// A PostgreSQL project of several hundred golang-migrate migrations: an
/// initial schema, then each entity's history interleaved with the others.
fn saas_project() -> Repo {
    let repo = Repo::new();
    repo.write(
        ".sqlgate.yml",
        "dialect: postgres\nmigrations:\n  - dir: db/migrations\n    layout: golang-migrate\n",
    );
    let mut steps: Vec<(String, String, String)> = vec![
        (
            "init_extensions".into(),
            "CREATE EXTENSION IF NOT EXISTS pgcrypto;\nCREATE EXTENSION IF NOT EXISTS pg_trgm;\nCREATE EXTENSION IF NOT EXISTS citext;\nCREATE SCHEMA IF NOT EXISTS reporting;\n".into(),
            "DROP SCHEMA IF EXISTS reporting;\nDROP EXTENSION IF EXISTS citext;\nDROP EXTENSION IF EXISTS pg_trgm;\nDROP EXTENSION IF EXISTS pgcrypto;\n".into(),
        ),
        (
            "set_updated_at_function".into(),
            "CREATE OR REPLACE FUNCTION set_updated_at() RETURNS trigger\n    LANGUAGE plpgsql\n    AS $$\nBEGIN\n    NEW.updated_at := now();\n    RETURN NEW;\nEND;\n$$;\n".into(),
            "DROP FUNCTION IF EXISTS set_updated_at();\n".into(),
        ),
        (
            "create_users".into(),
            "CREATE TABLE users (\n    id bigserial PRIMARY KEY,\n    email citext,\n    password_digest text NOT NULL,\n    created_at timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL\n);\n".into(),
            "DROP TABLE users;\n".into(),
        ),
        (
            "users_email_unique".into(),
            "ALTER TABLE users ALTER COLUMN email TYPE text;\nALTER TABLE users ALTER COLUMN email SET NOT NULL;\nCREATE UNIQUE INDEX index_users_on_lower_email ON public.users USING btree (lower(email));\n".into(),
            "DROP INDEX public.index_users_on_lower_email;\nALTER TABLE users ALTER COLUMN email DROP NOT NULL;\nALTER TABLE users ALTER COLUMN email TYPE citext;\n".into(),
        ),
    ];
    let entities = [
        ("account", None),
        ("project", Some("account")),
        ("task", Some("project")),
        ("comment", Some("task")),
        ("invoice", Some("account")),
        ("payment", Some("invoice")),
        ("document", Some("project")),
        ("label", Some("account")),
        ("milestone", Some("project")),
        ("webhook", Some("account")),
        ("integration", Some("account")),
        ("report", Some("account")),
        ("team", Some("account")),
        ("membership", Some("team")),
        ("sprint", Some("project")),
        ("attachment", Some("task")),
    ];
    let histories: Vec<Vec<(String, String, String)>> = entities
        .iter()
        .map(|(e, parent)| entity_steps(e, *parent))
        .collect();
    // Entities start in order (a parent before its children); their later
    // steps interleave, as features ship in parallel.
    let longest = histories.iter().map(Vec::len).max().unwrap_or(0);
    for h in &histories {
        steps.push(h[0].clone());
    }
    for step in 1..longest {
        for h in &histories {
            if let Some(s) = h.get(step) {
                steps.push(s.clone());
            }
        }
    }
    for (i, (name, up, down)) in steps.iter().enumerate() {
        let (up, down) = if i % 9 == 4 {
            // Written on Windows.
            (up.replace('\n', "\r\n"), down.replace('\n', "\r\n"))
        } else {
            (up.clone(), down.clone())
        };
        let version = format!("{:06}", i + 1);
        repo.write(&format!("db/migrations/{version}_{name}.up.sql"), up);
        repo.write(&format!("db/migrations/{version}_{name}.down.sql"), down);
    }
    repo.commit("years of migrations");
    repo
}

#[test]
fn a_postgres_project_of_hundreds_of_migrations_replays_without_false_findings() {
    let repo = saas_project();
    let count = std::fs::read_dir(repo.path().join("db/migrations"))
        .unwrap()
        .count()
        / 2;
    assert!(count > 250, "{count} migrations");
    let run = repo.sqlgate(&["lint", "--format", "json"]);
    assert!(run.code < 2, "{}", run.stderr);
    for rule in [
        "unknown-object",
        "down-restores-schema",
        "empty-down",
        "irreversible-change",
    ] {
        assert!(
            run.messages(rule).is_empty(),
            "{rule}: {:#?}",
            run.messages(rule)
        );
    }
    // The replay sees the schema: a new migration on top of it that uses a
    // column the renames took away is caught.
    repo.migration(
        &format!("{:06}_tasks_by_title", count + 1),
        "CREATE INDEX idx_tasks_title ON tasks (title);\n",
        "DROP INDEX idx_tasks_title;\n",
    );
    let run = repo.sqlgate(&["lint", "--format", "json"]);
    assert_eq!(
        run.messages("unknown-object"),
        vec![format!(
            "migration {:06}_tasks_by_title.up.sql uses column tasks.title, which no earlier migration creates",
            count + 1
        )]
    );
}

#[test]
fn a_change_on_top_of_the_postgres_project_is_checked_against_its_history() {
    let repo = saas_project();
    repo.branch("feature/task-estimates");
    repo.migration(
        "900001_task_estimates",
        "ALTER TABLE tasks ADD COLUMN estimate_minutes integer;\nALTER TABLE tasks ADD CONSTRAINT tasks_estimate_positive CHECK (estimate_minutes > 0);\n",
        "ALTER TABLE tasks DROP COLUMN estimate_minutes;\n",
    );
    repo.commit("estimates");
    let run = repo.check("main");
    // Dropping the column drops its check constraint: the down is faithful.
    for rule in ["unknown-object", "down-restores-schema", "empty-down"] {
        assert!(run.messages(rule).is_empty(), "{rule}: {}", run.stdout);
    }
    repo.migration(
        "900002_task_estimate_required",
        "ALTER TABLE tasks ALTER COLUMN estimate_minutes SET NOT NULL;\nALTER TABLE tasks ALTER COLUMN estimate_minutes SET DEFAULT 30;\n",
        "ALTER TABLE tasks ALTER COLUMN estimate_minutes DROP DEFAULT;\n",
    );
    repo.commit("required");
    let run = repo.check("main");
    assert_eq!(
        run.messages("down-restores-schema"),
        vec!["down leaves column tasks.estimate_minutes NOT NULL; it was nullable (migration 900002_task_estimate_required.up.sql)"]
    );
}

/// A MySQL project written the way Laravel-era teams write raw migrations.
fn mysql_project() -> Repo {
    let repo = Repo::new();
    repo.write(
        ".sqlgate.yml",
        "dialect: mysql\nmigrations:\n  - dir: database/migrations\n    layout: golang-migrate\n",
    );
    let mut steps: Vec<(String, String, String)> = vec![(
        "create_users_table".into(),
        "CREATE TABLE `users` (\n  `id` BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,\n  `name` VARCHAR(255) NOT NULL,\n  `email` VARCHAR(255) NOT NULL,\n  `created_at` TIMESTAMP NULL DEFAULT NULL,\n  `updated_at` TIMESTAMP NULL DEFAULT NULL,\n  PRIMARY KEY (`id`),\n  UNIQUE KEY `users_email_unique` (`email`)\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;\n".into(),
        "DROP TABLE IF EXISTS `users`;\n".into(),
    )];
    for e in [
        "post", "tag", "order", "product", "review", "coupon", "shipment", "refund", "ticket",
        "invoice",
    ] {
        let t = format!("{e}s");
        steps.push((
            format!("create_{t}_table"),
            format!("CREATE TABLE `{t}` (\n  `id` BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,\n  `user_id` BIGINT UNSIGNED NOT NULL,\n  `title` VARCHAR(191) NOT NULL,\n  `body` TEXT NULL,\n  `created_at` TIMESTAMP NULL DEFAULT NULL,\n  PRIMARY KEY (`id`),\n  KEY `{t}_user_id_index` (`user_id`),\n  CONSTRAINT `{t}_user_id_foreign` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON DELETE CASCADE\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;\n"),
            format!("DROP TABLE IF EXISTS `{t}`;\n"),
        ));
        steps.push((
            format!("add_status_to_{t}"),
            format!("ALTER TABLE `{t}` ADD COLUMN `status` VARCHAR(20) NOT NULL DEFAULT 'draft' AFTER `title`, ADD INDEX `{t}_status_index` (`status`);\n"),
            format!("ALTER TABLE `{t}` DROP INDEX `{t}_status_index`, DROP COLUMN `status`;\n"),
        ));
        steps.push((
            format!("rename_title_on_{t}"),
            format!("ALTER TABLE `{t}` CHANGE `title` `subject` VARCHAR(191) NOT NULL;\n"),
            format!("ALTER TABLE `{t}` CHANGE `subject` `title` VARCHAR(191) NOT NULL;\n"),
        ));
        steps.push((
            format!("widen_body_on_{t}"),
            format!("ALTER TABLE `{t}` MODIFY `body` MEDIUMTEXT NULL;\n"),
            format!("ALTER TABLE `{t}` MODIFY `body` TEXT NULL;\n"),
        ));
        steps.push((
            format!("add_published_at_to_{t}"),
            format!("ALTER TABLE `{t}` ADD `published_at` DATETIME NULL;\nCREATE INDEX `{t}_published_at_index` ON `{t}` (`published_at`);\n"),
            format!("DROP INDEX `{t}_published_at_index` ON `{t}`;\nALTER TABLE `{t}` DROP COLUMN `published_at`;\n"),
        ));
    }
    steps.push((
        "rename_tags_to_labels".into(),
        "RENAME TABLE `tags` TO `labels`;\n".into(),
        "RENAME TABLE `labels` TO `tags`;\n".into(),
    ));
    steps.push((
        "add_color_to_labels".into(),
        "ALTER TABLE `labels` ADD COLUMN `color` CHAR(7) NOT NULL DEFAULT '#cccccc';\n".into(),
        "ALTER TABLE `labels` DROP COLUMN `color`;\n".into(),
    ));
    for (i, (name, up, down)) in steps.iter().enumerate() {
        let version = format!("2024_01_{:02}_{:06}", 1 + i / 30, 100000 + i);
        let version = version.replace('_', "");
        repo.write(&format!("database/migrations/{version}_{name}.up.sql"), up);
        repo.write(
            &format!("database/migrations/{version}_{name}.down.sql"),
            down,
        );
    }
    repo.commit("mysql history");
    repo
}

#[test]
fn a_mysql_project_replays_without_false_findings() {
    let repo = mysql_project();
    let run = repo.sqlgate(&["lint", "--format", "json"]);
    assert!(run.code < 2, "{}", run.stderr);
    for rule in ["unknown-object", "down-restores-schema", "empty-down"] {
        assert!(
            run.messages(rule).is_empty(),
            "{rule}: {:#?}",
            run.messages(rule)
        );
    }
    repo.migration(
        "20240301120000_tags_color_index",
        "CREATE INDEX `tags_color_index` ON `tags` (`color`);\n",
        "DROP INDEX `tags_color_index` ON `tags`;\n",
    );
    std::fs::rename(
        repo.path()
            .join("db/migrations/20240301120000_tags_color_index.up.sql"),
        repo.path()
            .join("database/migrations/20240301120000_tags_color_index.up.sql"),
    )
    .unwrap();
    std::fs::rename(
        repo.path()
            .join("db/migrations/20240301120000_tags_color_index.down.sql"),
        repo.path()
            .join("database/migrations/20240301120000_tags_color_index.down.sql"),
    )
    .unwrap();
    let run = repo.sqlgate(&["lint", "--format", "json"]);
    assert_eq!(
        run.messages("unknown-object"),
        vec!["migration 20240301120000_tags_color_index.up.sql uses table tags, which no earlier migration creates"]
    );
}

#[test]
fn a_down_that_keeps_the_extension_its_up_enabled_passes() {
    let repo = shop();
    repo.branch("feature/case-insensitive-email");
    repo.migration(
        "20240301120000_create_newsletter_subscribers",
        "-- Subscribers are unique regardless of case.\n\
         CREATE EXTENSION IF NOT EXISTS citext;\n\
         \n\
         CREATE TABLE newsletter_subscribers (\n\
         \x20   id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n\
         \x20   email citext NOT NULL UNIQUE\n\
         );\n",
        "DROP TABLE newsletter_subscribers;\n",
    );
    repo.commit("subscribers");
    let run = repo.check("main");
    assert!(
        run.messages("down-restores-schema").is_empty(),
        "{}",
        run.stdout
    );
    assert_eq!(run.code, 0, "{}", run.stdout);
}

// The Catalog cache: a check keeps the Catalog its history builds in
// `.git/sqlgate/cache`, keyed by the history's content, and the next check
// over the same history reads it instead of parsing every migration again.

/// The entries the cache holds.
fn cache_entries(repo: &Repo) -> Vec<std::path::PathBuf> {
    match std::fs::read_dir(repo.path().join(".git/sqlgate/cache")) {
        Ok(dir) => dir.flatten().map(|e| e.path()).collect(),
        Err(_) => Vec::new(),
    }
}

/// A staged migration that uses a table the history created and one that
/// no migration created.
fn stage_invoices(repo: &Repo) {
    repo.migration(
        "20240301120000_create_invoices",
        "CREATE TABLE invoices (\n    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n    order_id bigint NOT NULL REFERENCES orders (id),\n    customer_id bigint NOT NULL REFERENCES customers (id)\n);\n",
        "DROP TABLE invoices;\n",
    );
    repo.git(&["add", "db/migrations"]);
}

#[test]
fn a_staged_check_reads_the_history_from_the_cache_the_run_before_kept() {
    let repo = shop();
    stage_invoices(&repo);
    let first = repo.sqlgate(&["check", "--staged", "--format", "json", "-v"]);
    assert_eq!(first.code, 1, "{}", first.stderr);
    assert_eq!(
        first.messages("unknown-object").len(),
        1,
        "{}",
        first.stdout
    );
    assert!(first.messages("unknown-object")[0].contains("customers"));
    assert!(!first.stderr.contains("from the cache"), "{}", first.stderr);
    assert!(!cache_entries(&repo).is_empty());

    let second = repo.sqlgate(&["check", "--staged", "--format", "json", "-v"]);
    assert!(
        second
            .stderr
            .contains("the Catalog of the 3 migrations before the change read from the cache"),
        "{}",
        second.stderr
    );
    assert_eq!(second.code, first.code);
    assert_eq!(second.findings(), first.findings());
}

#[test]
fn the_next_commit_starts_from_the_state_the_check_before_it_kept() {
    let repo = shop();
    stage_invoices(&repo);
    repo.sqlgate(&["check", "--staged", "--format", "json"]);
    repo.git(&["commit", "-q", "-m", "invoices"]);
    repo.migration(
        "20240302120000_index_invoices_order_id",
        "CREATE INDEX idx_invoices_order_id ON invoices (order_id);\n",
        "DROP INDEX idx_invoices_order_id;\n",
    );
    repo.git(&["add", "db/migrations"]);
    let run = repo.sqlgate(&["check", "--staged", "--format", "json", "-v"]);
    assert!(
        run.stderr
            .contains("the Catalog of the 4 migrations before the change read from the cache"),
        "{}",
        run.stderr
    );
    // invoices comes from the kept state: it is known.
    assert!(run.messages("unknown-object").is_empty(), "{}", run.stdout);
    assert!(
        run.messages("down-restores-schema").is_empty(),
        "{}",
        run.stdout
    );
}

#[test]
fn an_edited_history_is_replayed_again_not_read_from_the_cache() {
    let repo = shop();
    stage_invoices(&repo);
    let first = repo.sqlgate(&["check", "--staged", "--format", "json"]);
    assert_eq!(first.messages("unknown-object").len(), 1);
    // The history is rewritten: the first migration now creates customers.
    repo.git(&["stash", "-q"]);
    repo.migration(
        "20240101090000_create_users",
        "CREATE TABLE users (\n    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n    email text NOT NULL\n);\nCREATE TABLE customers (\n    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY\n);\n",
        "DROP TABLE customers;\nDROP TABLE users;\n",
    );
    repo.git(&["commit", "-q", "-a", "-m", "customers from the start"]);
    repo.git(&["stash", "pop", "-q"]);
    repo.git(&["add", "db/migrations"]);
    let second = repo.sqlgate(&["check", "--staged", "--format", "json", "-v"]);
    assert!(
        !second.stderr.contains("from the cache"),
        "{}",
        second.stderr
    );
    assert!(
        second.messages("unknown-object").is_empty(),
        "{}",
        second.stdout
    );
}

#[test]
fn a_corrupt_cache_entry_is_replayed_again() {
    let repo = shop();
    stage_invoices(&repo);
    let first = repo.sqlgate(&["check", "--staged", "--format", "json"]);
    for entry in cache_entries(&repo) {
        std::fs::write(entry, b"\x00\xffnot a catalog").unwrap();
    }
    let second = repo.sqlgate(&["check", "--staged", "--format", "json", "-v"]);
    assert!(
        !second.stderr.contains("from the cache"),
        "{}",
        second.stderr
    );
    assert_eq!(second.code, first.code, "{}", second.stderr);
    assert_eq!(second.findings(), first.findings());
    // The entry was written again and is read next time.
    let third = repo.sqlgate(&["check", "--staged", "--format", "json", "-v"]);
    assert!(third.stderr.contains("from the cache"), "{}", third.stderr);
}

#[test]
fn no_cache_neither_keeps_nor_reads_the_catalog() {
    let repo = shop();
    stage_invoices(&repo);
    let run = repo.sqlgate(&["check", "--staged", "--no-cache", "--format", "json"]);
    assert_eq!(run.messages("unknown-object").len(), 1);
    assert!(cache_entries(&repo).is_empty());
    let out = common::sqlgate_command(repo.path())
        .env("SQLGATE_NO_CACHE", "1")
        .args(["check", "--staged", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(cache_entries(&repo).is_empty());
    // Falsey values leave it on.
    let out = common::sqlgate_command(repo.path())
        .env("SQLGATE_NO_CACHE", "false")
        .args(["check", "--staged", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(!cache_entries(&repo).is_empty());
}

#[test]
fn a_down_that_restores_a_default_with_the_cast_postgres_stores_passes() {
    let repo = shop();
    repo.migration(
        "20240210090000_add_user_settings",
        "ALTER TABLE users ADD COLUMN IF NOT EXISTS timezone VARCHAR(256) DEFAULT '{\"automaticTimezone\":\"\",\"useAutomaticTimezone\":\"true\"}';\n\
         ALTER TABLE users ADD COLUMN status text NOT NULL DEFAULT 'Active';\n",
        "ALTER TABLE users DROP COLUMN status;\nALTER TABLE users DROP COLUMN timezone;\n",
    );
    repo.commit("settings");
    repo.branch("feature/jsonb");
    // As pg_dump prints the default back: the literal cast to the column's type.
    repo.migration(
        "20240301120000_upgrade_users_v6.0",
        "ALTER TABLE users ALTER COLUMN timezone DROP DEFAULT;\n\
         ALTER TABLE users ALTER COLUMN timezone TYPE jsonb USING timezone::jsonb;\n\
         ALTER TABLE users ALTER COLUMN status SET DEFAULT 'Active'::text;\n",
        "ALTER TABLE users ALTER COLUMN timezone TYPE varchar(256);\n\
         ALTER TABLE users ALTER COLUMN timezone SET DEFAULT '{\"automaticTimezone\":\"\",\"useAutomaticTimezone\":\"true\"}'::character varying;\n",
    );
    repo.commit("timezone as jsonb");
    let run = repo.check("main");
    assert!(
        run.messages("down-restores-schema").is_empty(),
        "{}",
        run.stdout
    );
}

#[test]
fn a_down_that_restores_a_default_in_another_case_is_refused_and_shown_as_written() {
    let repo = shop();
    repo.branch("feature/status");
    repo.migration(
        "20240301120000_add_user_status",
        "ALTER TABLE users ADD COLUMN status text NOT NULL DEFAULT 'Active';\n",
        "ALTER TABLE users DROP COLUMN status;\n",
    );
    repo.migration(
        "20240302120000_pending_users",
        "ALTER TABLE users ALTER COLUMN status SET DEFAULT 'Pending';\n",
        "ALTER TABLE users ALTER COLUMN status SET DEFAULT 'active';\n",
    );
    repo.commit("status");
    let run = repo.check("main");
    assert_eq!(
        run.messages("down-restores-schema"),
        vec!["down restores column users.status with default 'active' instead of 'Active' (migration 20240302120000_pending_users.up.sql)".to_string()],
        "{}",
        run.stdout
    );
}

#[test]
fn filling_a_column_the_same_migration_added_loses_no_data() {
    let repo = Repo::new();
    repo.write(
        "prisma/migrations/migration_lock.toml",
        "# Please do not edit this file manually\nprovider = \"postgresql\"\n",
    );
    repo.write(
        "prisma/migrations/20240105093000_init/migration.sql",
        "-- CreateTable\nCREATE TABLE \"EventTypeCustomInput\" (\n    \"id\" SERIAL NOT NULL,\n    \"label\" TEXT NOT NULL,\n    \"type\" TEXT NOT NULL,\n    \"note\" TEXT,\n\n    PRIMARY KEY (\"id\")\n);\n",
    );
    repo.commit("init");
    repo.branch("feature/enum");
    // Prisma's enum conversion, as teams edit the generated migration.
    repo.write(
        "prisma/migrations/20240201090000_custom_inputs_type_enum/migration.sql",
        "\n-- CreateEnum\nCREATE TYPE \"EventTypeCustomInputType\" AS ENUM ('text', 'textLong', 'number', 'bool');\n\n\
         --- AlterTable\nALTER TABLE \"EventTypeCustomInput\" RENAME COLUMN \"type\" TO \"type_old\";\n\
         ALTER TABLE \"EventTypeCustomInput\" ADD COLUMN \"type\" \"EventTypeCustomInputType\";\n\n\
         -- UpdateTable\nUPDATE \"EventTypeCustomInput\" SET \"type\" = CAST( \"type_old\" AS \"EventTypeCustomInputType\" );\n\n\
         -- Clears an existing column: that is data lost.\nUPDATE \"EventTypeCustomInput\" SET \"type\" = NULL, \"note\" = NULL;\n",
    );
    repo.commit("enum");
    let run = repo.check("main");
    assert_eq!(
        run.messages("irreversible-change"),
        vec![
            "migration 20240201090000_custom_inputs_type_enum UPDATE without WHERE overwrites \"type\", \"note\" in every row of EventTypeCustomInput: no down script can bring that data back".to_string()
        ],
        "{}",
        run.stdout
    );
}

/// A Flyway project whose V1 creates its tables in the schema of the role
/// that runs the migrations, and whose later migrations name them
/// unqualified (PostgreSQL's search path starts with `"$user"`).
fn flyway_in_own_schema() -> Repo {
    let repo = Repo::new();
    repo.write(
        "db/migration/V1__initial_schema.sql",
        "CREATE SCHEMA IF NOT EXISTS conductor;\nALTER SCHEMA conductor OWNER TO conductor;\n\n\
         CREATE TABLE conductor.queue_message (\n  id SERIAL,\n  queue_name varchar(255) NOT NULL,\n  message_id varchar(255) NOT NULL,\n  payload TEXT,\n  PRIMARY KEY (id)\n);\n\
         ALTER TABLE conductor.queue_message\n            OWNER TO conductor;\n\
         CREATE UNIQUE INDEX unique_queue_name_message_id ON conductor.queue_message (queue_name,message_id);\n",
    );
    repo.commit("V1");
    repo
}

#[test]
fn unqualified_names_resolve_in_the_only_schema_that_has_them() {
    let repo = flyway_in_own_schema();
    repo.branch("feature/pk");
    repo.write(
        "db/migration/V2__new_queue_message_pk.sql",
        "-- no longer need separate index if pk is queue_name, message_id\n\
         DROP INDEX IF EXISTS unique_queue_name_message_id;\n\
         ALTER TABLE queue_message DROP CONSTRAINT IF EXISTS queue_message_pkey;\n\
         ALTER TABLE queue_message ADD COLUMN priority integer DEFAULT 0;\n\
         ALTER TABLE queue_message ADD PRIMARY KEY (queue_name, message_id);\n",
    );
    repo.commit("V2");
    let run = repo.check("main");
    assert!(run.messages("unknown-object").is_empty(), "{}", run.stdout);
}

#[test]
fn a_search_path_without_user_keeps_other_schemas_out() {
    let repo = flyway_in_own_schema();
    repo.branch("feature/pk");
    repo.write(
        "db/migration/V2__priority.sql",
        "SET search_path TO public;\nALTER TABLE queue_message ADD COLUMN priority integer DEFAULT 0;\n",
    );
    repo.commit("V2");
    let run = repo.check("main");
    assert_eq!(
        run.messages("unknown-object"),
        vec!["migration V2__priority.sql uses table queue_message, which no earlier migration creates".to_string()],
        "{}",
        run.stdout
    );
}

#[test]
fn mysql_prepared_statements_run_sql_the_catalog_cannot_read() {
    let repo = Repo::new();
    repo.write(
        ".sqlgate.yml",
        "dialect: mysql\ntrunk: main\nmigrations:\n  - dir: db/migrations/mysql\n    layout: golang-migrate\n",
    );
    repo.write(
        "db/migrations/mysql/000049_create_channels.up.sql",
        "CREATE TABLE IF NOT EXISTS Channels (\n    Id varchar(26) NOT NULL,\n    TeamId varchar(26),\n    PRIMARY KEY (Id)\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;\n",
    );
    repo.write(
        "db/migrations/mysql/000049_create_channels.down.sql",
        "DROP TABLE IF EXISTS Channels;\n",
    );
    repo.commit("channels");
    repo.branch("feature/scheme");
    // Add the column only where it is missing, as MySQL has no ADD COLUMN IF NOT EXISTS.
    repo.write(
        "db/migrations/mysql/000050_add_scheme_id.up.sql",
        "SET @preparedStatement = (SELECT IF(\n    (\n        SELECT COUNT(*) FROM INFORMATION_SCHEMA.COLUMNS\n        WHERE table_name = 'Channels'\n        AND table_schema = DATABASE()\n        AND column_name = 'SchemeId'\n    ) > 0,\n    'SELECT 1',\n    'ALTER TABLE Channels ADD COLUMN SchemeId varchar(26);'\n));\n\n\
         PREPARE alterIfNotExists FROM @preparedStatement;\nEXECUTE alterIfNotExists;\nDEALLOCATE PREPARE alterIfNotExists;\n",
    );
    repo.write(
        "db/migrations/mysql/000050_add_scheme_id.down.sql",
        "ALTER TABLE Channels DROP COLUMN SchemeId;\n",
    );
    repo.write(
        "db/migrations/mysql/000051_index_scheme_id.up.sql",
        "CREATE INDEX idx_channels_scheme_id ON Channels(SchemeId);\n",
    );
    repo.write(
        "db/migrations/mysql/000051_index_scheme_id.down.sql",
        "DROP INDEX idx_channels_scheme_id ON Channels;\n",
    );
    repo.commit("scheme id");
    let run = repo.check("main");
    for rule in ["syntax-error", "unknown-object", "down-restores-schema"] {
        assert!(run.messages(rule).is_empty(), "{rule}: {}", run.stdout);
    }
}

#[test]
fn a_function_with_column_typed_parameters_is_dropped_by_its_signature() {
    // Parameters typed after a column (orders.total_cents%TYPE) follow the
    // column's type; the down names the function by that signature.
    let repo = shop();
    repo.branch("feature/place-order");
    repo.migration(
        "20240301120000_place_order_function",
        "CREATE OR REPLACE FUNCTION place_order(\n  p_user_id orders.user_id%TYPE,\n  p_total orders.total_cents%TYPE\n)\nRETURNS SETOF orders\nLANGUAGE plpgsql\nAS $$\nDECLARE\n  v_order orders%ROWTYPE;\nBEGIN\n  INSERT INTO orders (id, user_id, total_cents)\n  VALUES ((SELECT coalesce(max(id), 0) + 1 FROM orders), p_user_id, p_total)\n  RETURNING * INTO v_order;\n  RETURN NEXT v_order;\nEND;\n$$;\n",
        "DROP FUNCTION IF EXISTS place_order(\n  p_user_id orders.user_id%TYPE,\n  p_total orders.total_cents%TYPE\n);\n",
    );
    repo.commit("place_order");
    let run = repo.check("main");
    for rule in [
        "syntax-error",
        "down-restores-schema",
        "unknown-object",
        "empty-down",
    ] {
        assert!(run.messages(rule).is_empty(), "{rule}: {}", run.stdout);
    }
}

#[test]
fn a_mysql_update_of_several_tables_is_no_syntax_error() {
    let repo = Repo::new();
    repo.write(
        ".sqlgate.yml",
        "dialect: mysql\ntrunk: main\nmigrations:\n  - dir: src/main/resources/db/migration\n    layout: flyway\n",
    );
    repo.write(
        "src/main/resources/db/migration/V1__init.sql",
        "CREATE TABLE `module_record` (\n  `id` bigint NOT NULL AUTO_INCREMENT,\n  `module_id` varchar(50) NOT NULL,\n  PRIMARY KEY (`id`)\n) ENGINE=InnoDB DEFAULT CHARSET=utf8;\n\n\
         CREATE TABLE `course_record` (\n  `course_id` varchar(50) NOT NULL,\n  `user_id` varchar(50) NOT NULL,\n  PRIMARY KEY (`course_id`, `user_id`)\n) ENGINE=InnoDB DEFAULT CHARSET=utf8;\n\n\
         CREATE TABLE `course_record_modules` (\n  `course_id` varchar(50) NOT NULL,\n  `user_id` varchar(50) NOT NULL,\n  `module_record_id` bigint NOT NULL,\n  PRIMARY KEY (`course_id`, `user_id`, `module_record_id`)\n) ENGINE=InnoDB DEFAULT CHARSET=utf8;\n",
    );
    repo.commit("init");
    repo.branch("feature/module-course");
    // Copy the join table's keys onto module_record, joining in the UPDATE.
    repo.write(
        "src/main/resources/db/migration/V1.2__module_record_course_record.sql",
        "ALTER TABLE module_record\n  ADD COLUMN `course_id` varchar(50),\n  ADD COLUMN `user_id` varchar(50);\n\n\
         UPDATE module_record, course_record_modules crm\n  SET module_record.course_id = crm.course_id, module_record.user_id = crm.user_id\n  WHERE crm.module_record_id = module_record.id;\n",
    );
    repo.commit("module course");
    let run = repo.check("main");
    assert!(run.messages("syntax-error").is_empty(), "{}", run.stdout);
}

/// SQLite cannot drop a column or change a primary key in place: projects
/// copy the table into a staging one, drop the old table and rename the
/// staging one. The primary key it ends with is the same key, and a down
/// that adds the column back restores the schema.
#[test]
fn a_sqlite_table_rebuild_keeps_its_primary_key() {
    let repo = Repo::new();
    repo.write(
        ".sqlgate.yml",
        "dialect: sqlite\ntrunk: main\nmigrations:\n  - dir: db/migrations\n    layout: golang-migrate\n",
    );
    repo.migration(
        "000001_create_notes",
        "CREATE TABLE IF NOT EXISTS notes (\n    id INTEGER PRIMARY KEY AUTOINCREMENT,\n    body TEXT NOT NULL,\n    archived INTEGER NOT NULL DEFAULT 0\n);\n",
        "DROP TABLE IF EXISTS notes;\n",
    );
    repo.commit("notes");
    repo.branch("feature/drop-archived");
    repo.migration(
        "000002_drop_notes_archived",
        "PRAGMA foreign_keys=off;\n\
         CREATE TABLE notes_new (\n    id INTEGER PRIMARY KEY AUTOINCREMENT,\n    body TEXT NOT NULL\n);\n\
         INSERT INTO notes_new (id, body) SELECT id, body FROM notes;\n\
         -- sqlgate:irreversible archived notes are deleted by the app since v2.3\n\
         DROP TABLE notes;\n\
         ALTER TABLE notes_new RENAME TO notes;\n\
         PRAGMA foreign_keys=on;\n",
        "ALTER TABLE notes ADD COLUMN archived INTEGER NOT NULL DEFAULT 0;\n",
    );
    repo.commit("drop archived");
    let run = repo.check("main");
    assert!(
        run.messages("down-restores-schema").is_empty(),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.trim_start().starts_with('['),
        "{}\n{}",
        run.stdout,
        run.stderr
    );
}

/// ory hydra's SQLite scripts rebuild a table to change its primary key:
/// every row is copied into a staging table, the old one dropped and the
/// copy renamed into its place. No data is lost, so no acknowledgement is
/// needed; a rebuild that leaves a column out still loses that column.
#[test]
fn a_sqlite_rebuild_that_copies_every_column_loses_no_data() {
    let dir = "persistence/sql/migrations";
    let repo = Repo::new();
    repo.write(
        ".sqlgate.yml",
        format!("dialect: sqlite\ntrunk: main\nmigrations:\n  - dir: {dir}\n    layout: pop\n"),
    );
    repo.write(
        &format!("{dir}/20150101000001000000_networks.sqlite.up.sql"),
        "CREATE TABLE \"networks\" (\n\"id\" TEXT PRIMARY KEY,\n\"created_at\" DATETIME NOT NULL,\n\"updated_at\" DATETIME NOT NULL\n);\n",
    );
    repo.write(
        &format!("{dir}/20190200000001000000_jwk.up.sql"),
        "CREATE TABLE IF NOT EXISTS hydra_jwk (\n\tsid     varchar(255) NOT NULL,\n\tkid \tvarchar(255) NOT NULL,\n\tversion INTEGER DEFAULT 0 NOT NULL,\n\tkeydata text NOT NULL,\n\tPRIMARY KEY (sid, kid)\n);\n",
    );
    repo.write(
        &format!("{dir}/20190200000001000000_jwk.down.sql"),
        "DROP TABLE hydra_jwk;\n",
    );
    repo.commit("jwk");
    repo.branch("feature/nid");
    let rebuild = |copied: &str| {
        format!(
            "CREATE TABLE \"_hydra_jwk_tmp\" (\n  sid varchar(255) NOT NULL,\n  kid varchar(255) NOT NULL,\n  version INTEGER DEFAULT 0 NOT NULL,\n  keydata text NOT NULL,\n  nid CHAR(36) NOT NULL,\n  PRIMARY KEY (sid, kid, nid),\n  FOREIGN KEY (nid) REFERENCES networks(id) ON UPDATE RESTRICT ON DELETE CASCADE\n);\n\
             INSERT INTO \"_hydra_jwk_tmp\" SELECT {copied}, (SELECT id FROM networks LIMIT 1) FROM \"hydra_jwk\";\n\
             DROP TABLE \"hydra_jwk\";\n\
             ALTER TABLE \"_hydra_jwk_tmp\" RENAME TO \"hydra_jwk\";\n"
        )
    };
    repo.write(
        &format!("{dir}/20220210000001000000_nid.sqlite.up.sql"),
        rebuild("sid, kid, version, keydata"),
    );
    repo.commit("nid");
    let run = repo.check("main");
    assert!(run.stdout.trim_start().starts_with('['), "{}", run.stderr);
    assert!(
        run.messages("irreversible-change").is_empty(),
        "{}",
        run.stdout
    );

    // The same rebuild without the version column drops its values.
    repo.write(
        &format!("{dir}/20220210000001000000_nid.sqlite.up.sql"),
        rebuild("sid, kid, keydata").replace("  version INTEGER DEFAULT 0 NOT NULL,\n", ""),
    );
    repo.commit("nid without version");
    let run = repo.check("main");
    assert_eq!(
        run.messages("irreversible-change").len(),
        1,
        "{}",
        run.stdout
    );
}
