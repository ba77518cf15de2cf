use super::*;
use crate::sql::parse_script;

fn run(catalog: &mut Catalog, sql: &str) -> Vec<Applied> {
    let script = parse_script(sql, 0, catalog.dialect, &[]);
    script
        .statements
        .iter()
        .map(|s| catalog.apply(s, sql))
        .collect()
}

fn pg(sql: &str) -> (Catalog, Vec<Applied>) {
    let mut c = Catalog::new(Dialect::Postgres);
    let applied = run(&mut c, sql);
    (c, applied)
}

fn q(name: &str) -> QName {
    match name.split_once('.') {
        Some((s, n)) => QName {
            schema: s.to_string(),
            name: n.to_string(),
        },
        None => QName {
            schema: "public".to_string(),
            name: name.to_string(),
        },
    }
}

fn missing(applied: &[Applied]) -> Vec<String> {
    applied
        .iter()
        .flat_map(|a| {
            a.missing
                .iter()
                .map(|m| format!("{} {}", m.kind.word(), m.name))
        })
        .collect()
}

/// The differences after replaying `history`, then `up`, then `down`.
fn round_trip(dialect: Dialect, history: &str, up: &str, down: &str) -> Vec<String> {
    let mut c = Catalog::new(dialect);
    run(&mut c, history);
    let before = c.clone();
    run(&mut c, up);
    let middle = c.clone();
    run(&mut c, down);
    let fresh = c.uncertain.since(&before.uncertain);
    diff(&before, &middle, &c, &|n| fresh.covers(n))
        .into_iter()
        .map(|d| d.text)
        .collect()
}

const USERS: &str = "CREATE TABLE users (\n  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n  email text NOT NULL UNIQUE,\n  age int\n);\nCREATE INDEX idx_users_email ON users (email);\n";

#[test]
fn create_table_models_columns_constraints_and_generated_names() {
    let (c, applied) = pg("CREATE TABLE Orders (\n  id serial PRIMARY KEY,\n  \"Total\" numeric(12,2) NOT NULL DEFAULT 0,\n  note varchar(20) COLLATE \"C\",\n  user_id bigint REFERENCES orders (id) ON DELETE CASCADE,\n  CHECK (\"Total\" >= 0),\n  UNIQUE (note, user_id)\n);");
    assert!(missing(&applied).is_empty());
    let t = c.table(&q("orders")).expect("folded to lower case");
    let id = t.column("id").unwrap();
    assert_eq!(id.data_type, "integer");
    assert!(id.not_null);
    assert_eq!(id.identity.as_deref(), Some("serial"));
    assert!(c.sequences.contains_key(&q("orders_id_seq")));
    let total = t.column("Total").expect("quoted keeps case");
    assert_eq!(total.data_type, "numeric(12,2)");
    assert_eq!(total.default.as_deref(), Some("0"));
    assert_eq!(t.column("note").unwrap().data_type, "character varying(20)");
    assert!(t.column("note").unwrap().collation.is_some());
    let names: Vec<&str> = t.constraints.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "orders_pkey",
            "orders_user_id_fkey",
            "orders_Total_check",
            "orders_note_user_id_key"
        ]
    );
}

#[test]
fn alter_table_adds_drops_renames_and_retypes() {
    let (c, applied) = pg(&format!(
        "{USERS}ALTER TABLE users ADD COLUMN nickname text, ALTER COLUMN age TYPE bigint, ALTER COLUMN age SET NOT NULL;\nALTER TABLE users RENAME COLUMN email TO mail;\nALTER TABLE users DROP COLUMN nickname;\nALTER TABLE users RENAME TO members;"
    ));
    assert!(missing(&applied).is_empty(), "{:?}", missing(&applied));
    assert!(c.table(&q("users")).is_none());
    let t = c.table(&q("members")).unwrap();
    assert!(t.column("nickname").is_none());
    assert_eq!(t.column("age").unwrap().data_type, "bigint");
    assert!(t.column("age").unwrap().not_null);
    assert_eq!(t.indexes["idx_users_email"].columns, ["mail"]);
    assert_eq!(c.index_table(&q("idx_users_email")), Some(&q("members")));
    let losses: Vec<&str> = applied
        .iter()
        .flat_map(|a| a.losses.iter().map(|l| l.what.as_str()))
        .collect();
    assert_eq!(losses, ["drops column users.nickname and its data"]);
}

#[test]
fn narrowing_type_changes_are_losses() {
    let (_, applied) = pg(&format!(
        "{USERS}ALTER TABLE users ALTER COLUMN id TYPE integer;\nALTER TABLE users ALTER COLUMN email TYPE varchar(50);\nALTER TABLE users ALTER COLUMN age TYPE bigint;"
    ));
    let losses: Vec<String> = applied
        .iter()
        .flat_map(|a| a.losses.iter().map(|l| l.what.clone()))
        .collect();
    assert_eq!(losses.len(), 2, "{losses:?}");
    assert!(losses[0].contains("from bigint to integer"));
    assert!(losses[1].contains("from text to character varying(50)"));
}

#[test]
fn indexes_partial_unique_and_method() {
    let (c, applied) = pg(&format!(
        "{USERS}CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS users_lower_email ON users USING btree (lower(email)) WHERE age IS NOT NULL;\nCREATE INDEX ON users USING gin (email);\nDROP INDEX CONCURRENTLY IF EXISTS idx_users_email;"
    ));
    assert!(missing(&applied).is_empty(), "{:?}", missing(&applied));
    let t = c.table(&q("users")).unwrap();
    let i = &t.indexes["users_lower_email"];
    assert!(i.unique);
    assert_eq!(i.predicate.as_deref(), Some("age is not null"));
    assert_eq!(i.columns, ["lower(email)"]);
    assert_eq!(t.indexes["users_email_idx"].method, "gin");
    assert!(!t.indexes.contains_key("idx_users_email"));
}

#[test]
fn types_functions_triggers_extensions_and_comments() {
    let (c, applied) = pg("CREATE EXTENSION IF NOT EXISTS pgcrypto;\nCREATE TYPE mood AS ENUM ('happy', 'sad');\nALTER TYPE mood ADD VALUE 'ok' BEFORE 'sad';\nCREATE TABLE people (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), m mood, updated_at timestamptz);\nCREATE OR REPLACE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  NEW.updated_at := now();\n  RETURN NEW;\nEND;\n$$;\nCREATE TRIGGER people_touch BEFORE UPDATE ON people FOR EACH ROW EXECUTE FUNCTION touch();\nCOMMENT ON COLUMN people.m IS 'how they feel';\nCOMMENT ON TABLE people IS 'people';");
    assert!(missing(&applied).is_empty(), "{:?}", missing(&applied));
    assert!(c.extensions.contains("pgcrypto"));
    assert_eq!(
        c.types[&q("mood")],
        TypeDef::Enum(vec!["happy".into(), "ok".into(), "sad".into()])
    );
    assert!(c
        .routines
        .iter()
        .any(|r| r.name == q("touch") && r.signature.is_empty()));
    assert_eq!(
        c.table(&q("people")).unwrap().triggers["people_touch"].function,
        "touch"
    );
    assert_eq!(c.comments["column people.m"], "how they feel");
}

#[test]
fn functions_are_keyed_by_signature() {
    let (c, applied) = pg("CREATE FUNCTION add(a integer, b int4 DEFAULT 1) RETURNS int LANGUAGE sql AS $$ SELECT a + b $$;\nCREATE FUNCTION add(a bigint, b bigint) RETURNS bigint LANGUAGE sql AS $$ SELECT a + b $$;\nDROP FUNCTION add(int, int);");
    assert!(missing(&applied).is_empty(), "{:?}", missing(&applied));
    let sigs: Vec<&str> = c.routines.iter().map(|r| r.signature.as_str()).collect();
    assert_eq!(sigs, ["bigint,bigint"]);
}

#[test]
fn search_path_and_schemas_resolve_names() {
    let (c, applied) = pg("CREATE SCHEMA billing;\nSET search_path TO billing, public;\nCREATE TABLE invoices (id int);\nALTER TABLE billing.invoices ADD COLUMN total int;\nSET search_path TO public;\nALTER TABLE invoices ADD COLUMN x int;");
    assert!(c
        .table(&q("billing.invoices"))
        .unwrap()
        .column("total")
        .is_some());
    assert_eq!(missing(&applied), ["table invoices"]);
}

#[test]
fn unknown_objects_are_reported_with_where_they_are_named() {
    let sql = "ALTER TABLE ghosts ADD COLUMN x int;\nCREATE TABLE a (id int PRIMARY KEY, b_id int REFERENCES b (id));\nCREATE INDEX idx_a ON a (nope);\nCREATE VIEW v AS SELECT * FROM a JOIN c ON true;\nDROP TYPE IF EXISTS nothing;\nDROP FUNCTION gone();";
    let (_, applied) = pg(sql);
    assert_eq!(
        missing(&applied),
        [
            "table ghosts",
            "table b",
            "column a.nope",
            "table c",
            "function gone"
        ]
    );
    let m = &applied[0].missing[0];
    assert_eq!(&sql[m.at.clone()], "ghosts");
}

#[test]
fn do_blocks_make_their_names_uncertain() {
    let (c, applied) = pg("DO $$\nBEGIN\n  IF NOT EXISTS (SELECT 1 FROM pg_tables WHERE tablename = 'legacy') THEN\n    EXECUTE 'CREATE TABLE legacy (id int)';\n  END IF;\nEND\n$$;\nALTER TABLE legacy ADD COLUMN y int;\nDO $$ BEGIN EXECUTE format('CREATE TABLE %I (id int)', 'events_' || to_char(now(), 'YYYY')); END $$;\nCREATE INDEX ON events_2024 (id);");
    assert!(applied[0].uncertain);
    assert!(missing(&applied).is_empty(), "{:?}", missing(&applied));
    assert!(c.is_uncertain(&q("legacy")));
}

#[test]
fn mysql_tables_indexes_and_renames() {
    let mut c = Catalog::new(Dialect::Mysql);
    let applied = run(&mut c, "CREATE TABLE `Users` (\n  id INT UNSIGNED NOT NULL AUTO_INCREMENT,\n  email VARCHAR(255) NOT NULL,\n  PRIMARY KEY (id),\n  UNIQUE KEY uq_users_email (email),\n  KEY idx_users_created (email)\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;\nALTER TABLE users ADD COLUMN age INT NULL AFTER email, ADD INDEX idx_age (age);\nALTER TABLE users CHANGE COLUMN age years SMALLINT NULL;\nALTER TABLE users MODIFY email VARCHAR(100) NOT NULL;\nDROP INDEX idx_users_created ON users;\nRENAME TABLE users TO accounts;");
    assert!(missing(&applied).is_empty(), "{:?}", missing(&applied));
    let t = c
        .table(&QName {
            schema: String::new(),
            name: "accounts".into(),
        })
        .unwrap();
    assert_eq!(
        t.column("id").unwrap().identity.as_deref(),
        Some("auto_increment")
    );
    assert_eq!(t.column("years").unwrap().data_type, "smallint");
    assert!(t.indexes.contains_key("idx_age"));
    assert!(!t.indexes.contains_key("idx_users_created"));
    assert!(t.constraints.iter().any(|c| c.name == "PRIMARY"));
    let losses: Vec<String> = applied
        .iter()
        .flat_map(|a| a.losses.iter().map(|l| l.what.clone()))
        .collect();
    assert_eq!(losses.len(), 2, "{losses:?}");
}

#[test]
fn sqlite_table_rebuild() {
    let mut c = Catalog::new(Dialect::Sqlite);
    let applied = run(&mut c, "CREATE TABLE notes (id INTEGER PRIMARY KEY AUTOINCREMENT, body TEXT NOT NULL, done INTEGER);\nCREATE TABLE notes_new (id INTEGER PRIMARY KEY AUTOINCREMENT, body TEXT NOT NULL);\nINSERT INTO notes_new (id, body) SELECT id, body FROM notes;\nDROP TABLE notes;\nALTER TABLE notes_new RENAME TO notes;\nCREATE INDEX idx_notes_body ON notes (body);");
    assert!(missing(&applied).is_empty(), "{:?}", missing(&applied));
    let t = c
        .table(&QName {
            schema: "main".into(),
            name: "notes".into(),
        })
        .unwrap();
    assert!(t.column("done").is_none());
    assert!(t.indexes.contains_key("idx_notes_body"));
}

#[test]
fn a_faithful_down_leaves_no_difference() {
    let d = round_trip(
        Dialect::Postgres,
        USERS,
        "ALTER TABLE users ADD COLUMN nickname text;\nCREATE UNIQUE INDEX idx_users_nick ON users (nickname) WHERE nickname IS NOT NULL;\nALTER TABLE users ALTER COLUMN age TYPE bigint;\nALTER TABLE users ADD CONSTRAINT users_age_positive CHECK (age > 0);",
        "ALTER TABLE users DROP CONSTRAINT users_age_positive;\nALTER TABLE users ALTER COLUMN age TYPE integer;\nDROP INDEX idx_users_nick;\nALTER TABLE users DROP COLUMN nickname;",
    );
    assert!(d.is_empty(), "{d:?}");
}

#[test]
fn a_down_that_forgets_things_is_described() {
    let d = round_trip(
        Dialect::Postgres,
        USERS,
        "ALTER TABLE users ADD COLUMN nickname text;\nALTER TABLE users ALTER COLUMN age TYPE bigint;\nALTER TABLE users ALTER COLUMN email DROP NOT NULL;\nDROP INDEX idx_users_email;\nALTER TABLE users ADD CONSTRAINT users_age_positive CHECK (age > 0);",
        "ALTER TABLE users ALTER COLUMN age TYPE text;\nCREATE INDEX idx_users_email ON users (email);",
    );
    assert_eq!(
        d,
        [
            "down leaves column users.nickname behind",
            "down restores column users.email without NOT NULL",
            "down restores column users.age as text instead of integer",
            "down leaves check constraint users_age_positive on users behind",
        ]
    );
    let d = round_trip(
        Dialect::Postgres,
        &format!("{USERS}CREATE UNIQUE INDEX idx_users_lower ON users (lower(email));\nCREATE TABLE audit_log (id int);"),
        "DROP INDEX idx_users_lower;",
        "CREATE INDEX idx_users_lower ON users (lower(email));\nDROP TABLE audit_log;",
    );
    assert_eq!(
        d,
        [
            "down drops table audit_log that up did not create",
            "down re-creates index idx_users_lower without UNIQUE",
        ]
    );
}

#[test]
fn uncertain_statements_in_up_or_down_silence_their_objects() {
    let d = round_trip(
        Dialect::Postgres,
        USERS,
        "ALTER TABLE users ADD COLUMN nickname text;",
        "DO $$ BEGIN EXECUTE 'ALTER TABLE users DROP COLUMN nickname'; END $$;",
    );
    assert!(d.is_empty(), "{d:?}");
}

#[test]
fn type_normalisation_and_narrowing() {
    assert_eq!(types::normalize("INT4"), "integer");
    assert_eq!(types::normalize("VARCHAR (20)"), "character varying(20)");
    assert_eq!(
        types::normalize("timestamp(3) with time zone"),
        "timestamp with time zone(3)"
    );
    assert_eq!(types::normalize("TIMESTAMPTZ"), "timestamp with time zone");
    assert!(types::narrows("bigint", "integer"));
    assert!(!types::narrows("integer", "bigint"));
    assert!(types::narrows("text", "character varying(10)"));
    assert!(!types::narrows("character varying(10)", "text"));
    assert!(types::narrows("numeric(12,2)", "numeric(10,2)"));
    assert!(types::narrows("text", "integer"));
    assert!(!types::narrows("integer", "text"));
}

#[test]
fn plain_ddl_in_do_blocks_is_applied_as_if_it_ran() {
    let (c, applied) = pg(&format!(
        "{USERS}DO $$\nBEGIN\n    IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'users_age_positive') THEN\n        ALTER TABLE users ADD CONSTRAINT users_age_positive CHECK (age > 0) NOT VALID;\n    END IF;\nEND\n$$;\nDO $$ BEGIN\n    CREATE TYPE plan AS ENUM ('free', 'pro');\nEXCEPTION\n    WHEN duplicate_object THEN null;\nEND $$;\nDO 'BEGIN ALTER TABLE ghosts ADD COLUMN x int; END';"
    ));
    let t = c.table(&q("users")).unwrap();
    assert!(t.constraints.iter().any(|c| c.name == "users_age_positive"));
    assert!(c.types.contains_key(&q("plan")));
    assert!(!c.is_uncertain(&q("users")));
    assert_eq!(missing(&applied), ["table ghosts"]);
}

#[test]
fn broken_and_unusual_input_never_panics() {
    let inputs = [
        "DO $$ BEGIN",
        "DO 'unterminated",
        "CREATE TYPE",
        "CREATE INDEX ON",
        "CREATE FUNCTION f(DEFAULT, OUT) RETURNS int AS $x$ $x",
        "ALTER TYPE t RENAME VALUE",
        "COMMENT ON COLUMN IS 'x'",
        "DROP FUNCTION",
        "ALTER TABLE t ALTER COLUMN c TYPE numeric(2, 5)",
        "CREATE TABLE t (c numeric(2,5)); ALTER TABLE t ALTER COLUMN c TYPE numeric(1,7);",
        "SET search_path TO ;",
        "CREATE TRIGGER x",
        "/* open comment",
        "E'\\",
        "ALTER SEQUENCE s OWNED BY",
        "CREATE TABLE \"x\u{e9}\u{1F600}\" (\"\u{e9}\" int); ALTER TABLE \"x\u{e9}\u{1F600}\" RENAME COLUMN \"\u{e9}\" TO \"\u{1F600}\";",
    ];
    for dialect in [
        Dialect::Postgres,
        Dialect::Mysql,
        Dialect::Sqlite,
        Dialect::Generic,
    ] {
        for sql in inputs {
            let mut c = Catalog::new(dialect);
            run(&mut c, sql);
        }
    }
}

#[test]
fn data_losses_of_each_kind() {
    let (_, applied) = pg(&format!(
        "{USERS}CREATE TYPE mood AS ENUM ('a');\nTRUNCATE users;\nDELETE FROM users;\nDELETE FROM users WHERE age > 90;\nUPDATE users SET age = 0;\nUPDATE users SET age = 1 WHERE id = 1;\nDROP TYPE mood CASCADE;\nDROP TABLE users;"
    ));
    let losses: Vec<String> = applied
        .iter()
        .flat_map(|a| a.losses.iter().map(|l| l.what.clone()))
        .collect();
    assert_eq!(
        losses,
        [
            "TRUNCATE empties table users",
            "DELETE without WHERE removes every row of users",
            "UPDATE without WHERE overwrites age in every row of users",
            "DROP TYPE mood CASCADE drops every column of that type and its data",
            "drops table users and its rows",
        ]
    );
}

#[test]
fn views_read_tables_and_ctes_are_not_tables() {
    let (c, applied) = pg(&format!(
        "{USERS}CREATE VIEW adults AS WITH grown AS (SELECT * FROM users WHERE age >= 18) SELECT g.id FROM grown g JOIN (SELECT id FROM users) u ON u.id = g.id, generate_series(1, 2) s, pg_catalog.pg_class pc;\nCREATE MATERIALIZED VIEW counts AS SELECT count(*) FROM adults;\nCREATE UNIQUE INDEX counts_idx ON counts ((1));\nDROP TABLE users CASCADE;"
    ));
    assert!(missing(&applied).is_empty(), "{:?}", missing(&applied));
    assert!(
        !c.views.contains_key(&q("adults")),
        "dropped with its table"
    );
    assert!(
        !c.views.contains_key(&q("counts")),
        "and what reads the view"
    );
}

#[test]
fn composite_types_domains_and_sequences() {
    let (c, applied) = pg("CREATE TYPE address AS (street text, zip varchar(10));\nCREATE DOMAIN email AS citext CHECK (VALUE ~ '@');\nCREATE SEQUENCE invoice_numbers START 1000;\nALTER SEQUENCE invoice_numbers RENAME TO invoice_no;\nDROP DOMAIN email;");
    assert!(missing(&applied).is_empty(), "{:?}", missing(&applied));
    assert_eq!(
        c.types[&q("address")],
        TypeDef::Composite(vec![
            ("street".into(), "text".into()),
            ("zip".into(), "character varying(10)".into())
        ])
    );
    assert!(!c.types.contains_key(&q("email")));
    assert!(c.sequences.contains_key(&q("invoice_no")));
}

#[test]
fn mysql_generated_foreign_key_names_and_drops() {
    let mut c = Catalog::new(Dialect::Mysql);
    let applied = run(&mut c, "CREATE TABLE users (id INT PRIMARY KEY);\nCREATE TABLE orders (id INT PRIMARY KEY, user_id INT, FOREIGN KEY (user_id) REFERENCES users (id));\nALTER TABLE orders DROP FOREIGN KEY orders_ibfk_1;\nALTER TABLE orders ADD CONSTRAINT fk_orders_user FOREIGN KEY (user_id) REFERENCES users (id);\nALTER TABLE orders DROP PRIMARY KEY;");
    assert!(missing(&applied).is_empty(), "{:?}", missing(&applied));
    let t = c
        .table(&QName {
            schema: String::new(),
            name: "orders".into(),
        })
        .unwrap();
    let names: Vec<&str> = t.constraints.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["fk_orders_user"]);
}

#[test]
fn sqlite_alter_table_forms() {
    let mut c = Catalog::new(Dialect::Sqlite);
    let applied = run(&mut c, "CREATE TABLE t (a TEXT, b INTEGER NOT NULL DEFAULT 0);\nALTER TABLE t ADD COLUMN c REAL;\nALTER TABLE t RENAME COLUMN a TO name;\nALTER TABLE t DROP COLUMN b;\nCREATE UNIQUE INDEX IF NOT EXISTS t_name ON t (name);\nDROP INDEX IF EXISTS t_missing;");
    assert!(missing(&applied).is_empty(), "{:?}", missing(&applied));
    let t = c
        .table(&QName {
            schema: "main".into(),
            name: "t".into(),
        })
        .unwrap();
    let cols: Vec<&str> = t.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(cols, ["name", "c"]);
    assert!(t.indexes["t_name"].unique);
}

#[test]
fn renaming_a_constraint_index_renames_the_constraint() {
    let (c, applied) = pg(&format!(
        "{USERS}ALTER TABLE users RENAME TO members;\nALTER INDEX users_pkey RENAME TO members_pkey;\nALTER INDEX IF EXISTS users_email_key RENAME TO members_email_key;"
    ));
    assert!(missing(&applied).is_empty(), "{:?}", missing(&applied));
    let names: Vec<&str> = c
        .table(&q("members"))
        .unwrap()
        .constraints
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(names, ["members_pkey", "members_email_key"]);
}

#[test]
fn long_generated_names_are_shortened_as_postgres_does() {
    let table = "customer_subscription_billing_period_adjustments";
    let (c, _) = pg(&format!(
        "CREATE TABLE {table} (id int PRIMARY KEY, subscription_identifier_reference int UNIQUE);"
    ));
    let names: Vec<String> = c
        .table(&q(table))
        .unwrap()
        .constraints
        .iter()
        .map(|c| c.name.clone())
        .collect();
    assert_eq!(
        names,
        [
            "customer_subscription_billing_period_adjustments_pkey",
            "customer_subscription_billing_subscription_identifier_refer_key",
        ]
    );
    assert!(names.iter().all(|n| n.len() <= 63));
}

#[test]
fn partitions_made_by_a_function_call_are_uncertain() {
    let (_, applied) = pg("CREATE TABLE events (id bigint, at timestamptz) PARTITION BY RANGE (at);\nSELECT partman.create_parent('public.events', 'at', 'native', 'daily');\nALTER TABLE events_p2024_01_01 ADD COLUMN x int;\nALTER TABLE invoices_2024 ADD COLUMN y int;");
    assert_eq!(missing(&applied), ["table invoices_2024"]);
}

#[test]
fn partitions_go_with_their_partitioned_table() {
    let d = round_trip(
        Dialect::Postgres,
        "",
        "CREATE TABLE events (id bigint, at timestamptz NOT NULL) PARTITION BY RANGE (at);\nCREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');",
        "DROP TABLE events;",
    );
    assert!(d.is_empty(), "{d:?}");
}

#[test]
fn mysql_triggers_are_dropped_by_name_alone() {
    let d = round_trip(
        Dialect::Mysql,
        "CREATE TABLE articles (id INT PRIMARY KEY, title VARCHAR(255) NOT NULL);",
        "CREATE TRIGGER articles_bi BEFORE INSERT ON articles FOR EACH ROW SET NEW.title = TRIM(NEW.title);",
        "DROP TRIGGER IF EXISTS articles_bi;",
    );
    assert!(d.is_empty(), "{d:?}");
}
