//! The naming rules end to end: real repositories, the real binary, the
//! JSON a CI job reads.

mod common;

use common::{run_in, shop, Repo};

/// main's configuration with naming patterns, committed before branching
/// (a range check reads the configuration from the base).
fn shop_with_naming(naming: &str) -> Repo {
    let repo = shop();
    repo.write(
        ".sqlgate.yml",
        format!(
            "dialect: postgres\ntrunk: main\nmigrations:\n  - dir: db/migrations\n    layout: golang-migrate\n{naming}"
        ),
    );
    repo.migration(
        "20240205090000_add_orders_created_at",
        "ALTER TABLE orders ADD COLUMN created_at timestamptz NOT NULL DEFAULT now();\n",
        "ALTER TABLE orders DROP COLUMN created_at;\n",
    );
    repo.commit("naming conventions");
    repo
}

#[test]
fn badly_named_index_is_reported_at_exactly_its_name_with_the_expected_name() {
    let repo = shop_with_naming("naming:\n  index: \"idx_{table}_{columns}\"\n");
    repo.branch("feature/order-history");
    repo.migration(
        "20240301120000_index_order_history",
        "-- Speeds up the order history page.\r\nCREATE INDEX CONCURRENTLY IF NOT EXISTS\r\n    orders_by_user_and_date\r\n    ON orders USING btree (user_id, created_at DESC);\r\n",
        "DROP INDEX CONCURRENTLY IF EXISTS orders_by_user_and_date;\r\n",
    );
    repo.commit("order history index");
    let run = repo.check("main");
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert_eq!(run.rules(), vec!["index-name"], "{}", run.stdout);
    let f = run.finding("index-name");
    assert_eq!(
        f["path"],
        "db/migrations/20240301120000_index_order_history.up.sql"
    );
    assert_eq!(
        (&f["line"], &f["column"], &f["end_line"], &f["end_column"]),
        (&3.into(), &5.into(), &3.into(), &28.into()),
        "{f}"
    );
    assert_eq!(
        f["message"],
        "index orders_by_user_and_date of orders does not follow the pattern idx_{table}_{columns}"
    );
    assert_eq!(f["help"], "name it idx_orders_user_id_created_at");
    let human = repo.sqlgate(&["check", "--base", "main"]);
    assert!(
        human
            .stderr
            .contains("expected idx_orders_user_id_created_at")
            || human
                .stdout
                .contains("expected idx_orders_user_id_created_at"),
        "{}{}",
        human.stdout,
        human.stderr
    );
}

#[test]
fn migration_written_to_gitlab_conventions_raises_nothing() {
    let repo = shop_with_naming(concat!(
        "naming:\n",
        "  case: snake_case\n",
        "  separator: \"_and_\"\n",
        "  index: \"index_{table}_on_{columns}\"\n",
        "  primary_key: \"{table}_pkey\"\n",
        "  foreign_key: \"fk_{name}\"\n",
        "  check: \"check_{name}\"\n",
        "rules:\n",
        "  identifier-case: error\n",
        "  explicit-constraint-name: error\n",
        "  table-name-plural: error\n",
        "  column-name-forbidden: error\n",
    ));
    repo.branch("feature/reviewers");
    repo.migration(
        "20240301120000_create_merge_request_reviewers",
        r#"CREATE TABLE merge_request_reviewers (
    id bigint NOT NULL,
    user_id bigint NOT NULL,
    merge_request_id bigint NOT NULL,
    created_at timestamp with time zone NOT NULL,
    state smallint DEFAULT 0 NOT NULL,
    CONSTRAINT check_8d1a9e1fbd CHECK ((state >= 0))
);

CREATE SEQUENCE merge_request_reviewers_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE merge_request_reviewers_id_seq OWNED BY merge_request_reviewers.id;

ALTER TABLE ONLY merge_request_reviewers ALTER COLUMN id SET DEFAULT nextval('merge_request_reviewers_id_seq'::regclass);

ALTER TABLE ONLY merge_request_reviewers
    ADD CONSTRAINT merge_request_reviewers_pkey PRIMARY KEY (id);

CREATE UNIQUE INDEX index_merge_request_reviewers_on_merge_request_id_and_user_id ON merge_request_reviewers USING btree (merge_request_id, user_id);

CREATE INDEX index_merge_request_reviewers_on_user_id ON merge_request_reviewers USING btree (user_id);

ALTER TABLE ONLY merge_request_reviewers
    ADD CONSTRAINT fk_rails_3704a66140 FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE;
"#,
        "DROP TABLE merge_request_reviewers;\n",
    );
    repo.commit("reviewers");
    let run = repo.check("main");
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.findings().is_empty(), "{}", run.stdout);
}

#[test]
fn mysql_migration_written_to_laravel_conventions_raises_nothing() {
    let repo = Repo::new();
    repo.write(
        ".sqlgate.yml",
        concat!(
            "dialect: mysql\n",
            "migrations:\n  - dir: database/migrations\n    layout: golang-migrate\n",
            "naming:\n",
            "  index: \"{table}_{columns}_index\"\n",
            "  unique: \"{table}_{columns}_unique\"\n",
            "  foreign_key: \"{table}_{columns}_foreign\"\n",
            "rules:\n",
            "  identifier-case: error\n",
            "  explicit-constraint-name: error\n",
            "  table-name-plural: error\n",
        ),
    );
    repo.write("database/migrations/000001_create_orders.up.sql", "CREATE TABLE `orders` (`id` bigint unsigned NOT NULL AUTO_INCREMENT, PRIMARY KEY (`id`)) ENGINE=InnoDB;\n");
    repo.write(
        "database/migrations/000001_create_orders.down.sql",
        "DROP TABLE `orders`;\n",
    );
    repo.commit("orders");
    repo.branch("feature/items");
    repo.write(
        "database/migrations/000002_create_order_items.up.sql",
        "CREATE TABLE `order_items` (\n  `id` bigint unsigned NOT NULL AUTO_INCREMENT,\n  `order_id` bigint unsigned NOT NULL,\n  `sku` varchar(64) NOT NULL,\n  `quantity` int unsigned NOT NULL DEFAULT '1',\n  `created_at` timestamp NULL DEFAULT NULL,\n  `updated_at` timestamp NULL DEFAULT NULL,\n  PRIMARY KEY (`id`),\n  UNIQUE KEY `order_items_order_id_sku_unique` (`order_id`,`sku`),\n  KEY `order_items_sku_index` (`sku`),\n  CONSTRAINT `order_items_order_id_foreign` FOREIGN KEY (`order_id`) REFERENCES `orders` (`id`) ON DELETE CASCADE\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;\n",
    );
    repo.write(
        "database/migrations/000002_create_order_items.down.sql",
        "DROP TABLE `order_items`;\n",
    );
    repo.commit("items");
    let run = repo.check("main");
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.findings().is_empty(), "{}", run.stdout);
}

#[test]
fn names_already_on_main_are_history_and_not_checked() {
    // main got its index before the team adopted a pattern.
    let repo = shop_with_naming("naming:\n  index: \"ix_{table}_{columns}\"\n");
    repo.branch("feature/notes");
    repo.migration(
        "20240301120000_add_notes",
        "ALTER TABLE orders ADD COLUMN notes text;\n",
        "ALTER TABLE orders DROP COLUMN notes;\n",
    );
    repo.commit("notes");
    let run = repo.check("main");
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(run.findings().is_empty(), "{}", run.stdout);
}

#[test]
fn an_edited_migration_is_checked_only_for_the_statements_it_adds() {
    let repo = shop_with_naming("naming:\n  index: \"ix_{table}_{columns}\"\n");
    repo.branch("feature/edit");
    repo.migration(
        "20240201080000_index_orders_user_id",
        "CREATE INDEX idx_orders_user_id ON orders (user_id);\nCREATE INDEX orders_total ON orders (total_cents);\n",
        "DROP INDEX idx_orders_user_id;\n",
    );
    repo.commit("edit an applied migration");
    let run = repo.check("main");
    let names: Vec<String> = run.messages("index-name");
    assert_eq!(names.len(), 1, "{}", run.stdout);
    assert!(names[0].starts_with("index orders_total "), "{names:?}");
    assert!(run
        .rules()
        .contains(&"applied-migration-modified".to_string()));
}

#[test]
fn off_by_default_rules_run_only_when_configured() {
    let sql = "CREATE TABLE invoice (id bigint PRIMARY KEY, date date NOT NULL);\n";
    let repo = shop();
    repo.branch("feature/invoice");
    repo.migration(
        "20240301120000_create_invoice",
        sql,
        "DROP TABLE invoice;\n",
    );
    repo.commit("invoice");
    let run = repo.check("main");
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(run.findings().is_empty(), "{}", run.stdout);

    let repo =
        shop_with_naming("rules:\n  table-name-plural: warning\n  column-name-forbidden: error\n");
    repo.branch("feature/invoice");
    repo.migration(
        "20240301120000_create_invoice",
        sql,
        "DROP TABLE invoice;\n",
    );
    repo.commit("invoice");
    let run = repo.check("main");
    assert_eq!(run.code, 1, "{}", run.stdout);
    let plural = run.finding("table-name-plural");
    assert_eq!(plural["severity"], "warning");
    assert_eq!(plural["help"], "name it invoices");
    assert_eq!(run.finding("column-name-forbidden")["severity"], "error");

    let rules = run_in(repo.path(), &["rules"]);
    let line = rules
        .stdout
        .lines()
        .find(|l| l.starts_with("table-name-plural "))
        .unwrap_or_default()
        .to_string();
    assert!(line.contains(" off "), "{line}");
}

#[test]
fn two_long_names_that_postgres_would_truncate_alike_point_at_each_other() {
    let repo = Repo::new();
    repo.write(
        "db/migrations/000001_create_subscription_events.up.sql",
        "CREATE TABLE subscription_events (customer_id bigint, created_at timestamptz, kind text);\nCREATE INDEX index_subscription_events_on_customer_id_and_created_at_and_kind ON subscription_events (customer_id, created_at, kind);\nCREATE INDEX index_subscription_events_on_customer_id_and_created_at_and_kind_desc ON subscription_events (customer_id, created_at DESC, kind);\n",
    );
    repo.write(
        "db/migrations/000001_create_subscription_events.down.sql",
        "DROP TABLE subscription_events;\n",
    );
    let run = run_in(repo.path(), &["lint", "db/migrations", "--format", "json"]);
    let long: Vec<_> = run
        .findings()
        .into_iter()
        .filter(|f| f["rule"] == "identifier-length")
        .collect();
    assert_eq!(long.len(), 2, "{}", run.stdout);
    assert!(
        long[0]["message"]
            .as_str()
            .unwrap_or("")
            .contains("Postgres silently truncates it to index_subscription_events_on_customer_id_and_created_at_and_k"),
        "{}",
        long[0]
    );
    let other = &long[0]["labels"][1];
    assert_eq!(other["line"], 3, "{}", long[0]);
    assert!(other["message"]
        .as_str()
        .unwrap_or("")
        .starts_with("also truncated to"));
}

#[test]
fn a_bad_naming_pattern_is_a_configuration_error_with_its_line() {
    let repo = shop();
    repo.write(
        ".sqlgate.yml",
        "dialect: postgres\nnaming:\n  index: \"idx_{table}_{colums}\"\n",
    );
    repo.commit("typo");
    let run = repo.check("main");
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(
        run.stderr
            .contains(":3: naming.index: unknown placeholder `{colums}`"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("did you mean `{columns}`?"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_foreign_key_to_a_table_s_key_without_columns_gets_a_help_that_says_so() {
    let repo = shop_with_naming(
        "naming:\n  foreign_key: \"fk_{table}_{columns}_{ref_table}_{ref_columns}\"\n",
    );
    repo.branch("feature/reviews");
    repo.migration(
        "20240301120000_create_reviews",
        "CREATE TABLE reviews (\n    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n    user_id bigint NOT NULL,\n    body text NOT NULL,\n    CONSTRAINT reviews_user_fk FOREIGN KEY (user_id) REFERENCES users\n);\n",
        "DROP TABLE reviews;\n",
    );
    repo.commit("reviews");
    let run = repo.check("main");
    let f = run.finding("constraint-name");
    assert_eq!(
        f["help"],
        "name it fk_reviews_user_id_users_{ref_columns} (with the columns of users's primary key in place of {ref_columns})"
    );
}

#[test]
fn a_description_naming_the_release_it_upgrades_to_is_snake_case() {
    let repo = shop();
    repo.branch("feature/v6");
    repo.migration(
        "20240301120000_upgrade_channels_v6.0",
        "ALTER TABLE orders ADD COLUMN IF NOT EXISTS shared boolean;\n",
        "ALTER TABLE orders DROP COLUMN IF EXISTS shared;\n",
    );
    repo.migration(
        "20240302120000_Upgrade_Users_v6.1",
        "ALTER TABLE users ADD COLUMN IF NOT EXISTS remoteid text;\n",
        "ALTER TABLE users DROP COLUMN IF EXISTS remoteid;\n",
    );
    repo.commit("v6 upgrades");
    let run = repo.check("main");
    let messages: Vec<String> = run.messages("migration-filename");
    assert_eq!(
        messages,
        vec!["the description `Upgrade_Users_v6.1` of 20240302120000_Upgrade_Users_v6.1.up.sql is not snake_case"],
        "{}",
        run.stdout
    );
}

#[test]
fn a_trailing_underscore_that_keeps_a_table_off_a_reserved_word_is_snake_case() {
    let repo = shop();
    repo.branch("feature/people");
    repo.migration(
        "20240301120000_create_user",
        "CREATE TABLE user_ (\n    id integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY,\n    name text NOT NULL\n);\n\
         CREATE TABLE items_ (\n    id bigint PRIMARY KEY\n);\n",
        "DROP TABLE items_;\nDROP TABLE user_;\n",
    );
    repo.commit("user_ table");
    let run = repo.check("main");
    let messages: Vec<String> = run.messages("identifier-case");
    assert_eq!(
        messages,
        vec!["table items_ is not snake_case"],
        "{}",
        run.stdout
    );
}

#[test]
fn a_flyway_description_may_start_with_an_issue_number() {
    let repo = Repo::new();
    repo.write(
        "db/migration/V1__initial_schema.sql",
        "CREATE TABLE event_execution (\n  id bigint PRIMARY KEY,\n  event_name text NOT NULL,\n  execution_id text NOT NULL\n);\n",
    );
    repo.commit("V1");
    repo.branch("fix/1009");
    repo.write(
        "db/migration/V2__1009_Fix_PostgresExecutionDAO_Index.sql",
        "CREATE UNIQUE INDEX CONCURRENTLY unique_event_execution ON event_execution (event_name,execution_id);",
    );
    repo.write(
        "db/migration/V3__1010 fix index.sql",
        "CREATE INDEX CONCURRENTLY event_execution_name ON event_execution (event_name);",
    );
    repo.commit("V2");
    let run = repo.check("main");
    let messages: Vec<String> = run.messages("migration-filename");
    assert_eq!(
        messages,
        vec!["the description `1010 fix index` of V3__1010 fix index.sql is not words"],
        "{}",
        run.stdout
    );
}

#[test]
fn a_flyway_description_in_kebab_case_is_words() {
    // Flyway reads `add-invite-table` as the description, as it reads
    // `Add_invite_table`; many Spring services name their scripts so.
    let repo = Repo::new();
    repo.write(
        "src/main/resources/db/migration/V1__init.sql",
        "CREATE TABLE event (\n  id bigint PRIMARY KEY,\n  event_uid varchar(60) NOT NULL\n);\n",
    );
    repo.commit("V1");
    repo.branch("feature/invites");
    repo.write(
        "src/main/resources/db/migration/V1.1.6__add-invite-table.sql",
        "CREATE TABLE invite (\n  id bigint PRIMARY KEY,\n  event_id bigint NOT NULL REFERENCES event (id),\n  learner_email varchar(50) NOT NULL\n);\n",
    );
    repo.write(
        "src/main/resources/db/migration/V1.1.7__Add-Booking_table.sql",
        "CREATE TABLE booking (\n  id bigint PRIMARY KEY\n);\n",
    );
    repo.commit("invites");
    let run = repo.check("main");
    let messages: Vec<String> = run
        .findings()
        .iter()
        .filter(|f| f["rule"] == "migration-filename")
        .map(|f| f["message"].as_str().unwrap_or("").to_string())
        .collect();
    assert_eq!(
        messages,
        vec!["the description `Add-Booking_table` of V1.1.7__Add-Booking_table.sql is not words"],
        "{}",
        run.stdout
    );
}
