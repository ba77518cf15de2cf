//! gobuffalo/pop migrations (ory kratos and hydra, supabase auth / gotrue,
//! Buffalo apps) end to end on real git repositories: detection, the scripts
//! of the configured database, up-only migrations, `.fizz` files, templated
//! SQL, and the ordering rules on pop's versions.

mod common;

use common::Repo;

const DIR: &str = "persistence/sql/migrations/sql";

fn write(repo: &Repo, name: &str, text: &str) {
    repo.write(&format!("{DIR}/{name}"), text);
}

/// main has a kratos-style directory: one script per database for most
/// versions, downs for some of them only, a version that only MySQL and
/// SQLite need, a fizz migration and a templated one for every database.
fn kratos() -> Repo {
    kratos_for("postgres")
}

/// `kratos()` checked as the migrations of one database.
fn kratos_for(dialect: &str) -> Repo {
    let repo = Repo::new();
    repo.write(
        ".sqlgate.yml",
        format!("dialect: {dialect}\ntrunk: main\nrules:\n  lock-timeout-missing: off # ALTER ROLE kratos SET lock_timeout = '5s'\n"),
    );
    write(
        &repo,
        "20200317160354000000_create_profile.postgres.up.sql",
        "CREATE TABLE identities (\n    id UUID NOT NULL PRIMARY KEY,\n    traits_schema_id VARCHAR (2048) NOT NULL,\n    traits jsonb NOT NULL,\n    created_at timestamp NOT NULL,\n    updated_at timestamp NOT NULL\n);\n",
    );
    write(
        &repo,
        "20200317160354000000_create_profile.cockroach.up.sql",
        "CREATE TABLE \"identities\" (\n\"id\" UUID NOT NULL,\nPRIMARY KEY(\"id\"),\n\"traits_schema_id\" VARCHAR (2048) NOT NULL,\n\"traits\" json NOT NULL,\n\"created_at\" timestamp NOT NULL,\n\"updated_at\" timestamp NOT NULL\n);\n",
    );
    write(
        &repo,
        "20200317160354000000_create_profile.mysql.up.sql",
        "CREATE TABLE `identities` (\n`id` char(36) NOT NULL,\nPRIMARY KEY(`id`),\n`traits_schema_id` VARCHAR (2048) NOT NULL,\n`traits` JSON NOT NULL,\n`created_at` DATETIME NOT NULL,\n`updated_at` DATETIME NOT NULL\n) ENGINE=InnoDB;\n",
    );
    write(
        &repo,
        "20200317160354000000_create_profile.mysql.down.sql",
        "DROP TABLE `identities`;\n",
    );
    write(
        &repo,
        "20200317160354000000_create_profile.sqlite3.up.sql",
        "CREATE TABLE \"identities\" (\n\"id\" TEXT PRIMARY KEY,\n\"traits_schema_id\" TEXT NOT NULL,\n\"traits\" TEXT NOT NULL,\n\"created_at\" DATETIME NOT NULL,\n\"updated_at\" DATETIME NOT NULL\n);\n",
    );
    write(
        &repo,
        "20200317160354000000_create_profile.postgres.down.sql",
        "DROP TABLE \"identities\";\n",
    );
    // MySQL and SQLite needed a fix-up; PostgreSQL did not.
    write(
        &repo,
        "20200317160354000001_create_profile.mysql.up.sql",
        "ALTER TABLE `identities` MODIFY `traits_schema_id` VARCHAR(2048) NOT NULL DEFAULT '';\n",
    );
    write(
        &repo,
        "20200317160354000001_create_profile.sqlite3.up.sql",
        "PRAGMA foreign_keys=off;\nCREATE TABLE \"_identities_tmp\" (\"id\" TEXT PRIMARY KEY, \"traits\" TEXT NOT NULL);\nINSERT INTO \"_identities_tmp\" (id, traits) SELECT id, traits FROM \"identities\";\nDROP TABLE \"identities\";\nALTER TABLE \"_identities_tmp\" RENAME TO \"identities\";\nPRAGMA foreign_keys=on;\n",
    );
    write(
        &repo,
        "20200401183443000000_courier.up.fizz",
        "create_table(\"courier_messages\") {\n\tt.Column(\"id\", \"uuid\", {primary: true})\n\tt.Column(\"type\", \"int\")\n\tt.Column(\"status\", \"int\")\n\tt.Column(\"body\", \"text\")\n}\n\nadd_index(\"courier_messages\", [\"status\"], {})\n",
    );
    write(
        &repo,
        "20200401183443000000_courier.down.fizz",
        "drop_table(\"courier_messages\")\n",
    );
    // As gotrue writes them: a schema chosen at run time, every database.
    write(
        &repo,
        "20200519101057000000_sessions.up.sql",
        "CREATE TABLE IF NOT EXISTS {{ index .Options \"Namespace\" }}.sessions (\n    id uuid NOT NULL,\n    identity_id uuid NOT NULL,\n    created_at timestamptz NULL,\n    CONSTRAINT sessions_pkey PRIMARY KEY (id)\n);\n-- partial index on the sessions still alive\nCREATE INDEX IF NOT EXISTS sessions_identity_id_idx ON {{ index .Options \"Namespace\" }}.sessions (identity_id);\n",
    );
    repo.commit("kratos migrations");
    repo
}

/// A migration of the feature branch, for every database, up only, as
/// kratos adds them.
fn add_feature(repo: &Repo, version: &str, name: &str) {
    let table = format!("{name}_entries");
    write(
        repo,
        &format!("{version}_{name}.postgres.up.sql"),
        &format!("CREATE TABLE {table} (\n    id uuid NOT NULL PRIMARY KEY,\n    identity_id uuid NOT NULL REFERENCES identities (id) ON DELETE CASCADE,\n    nid uuid\n);\nCREATE INDEX {table}_nid_idx ON {table} (nid) WHERE nid IS NOT NULL;\n"),
    );
    write(
        repo,
        &format!("{version}_{name}.cockroach.up.sql"),
        &format!("CREATE TABLE \"{table}\" (\n\"id\" UUID NOT NULL,\nPRIMARY KEY(\"id\"),\n\"identity_id\" UUID NOT NULL,\n\"nid\" UUID\n);\n"),
    );
    write(
        repo,
        &format!("{version}_{name}.mysql.up.sql"),
        &format!("CREATE TABLE `{table}` (\n`id` char(36) NOT NULL,\nPRIMARY KEY(`id`),\n`identity_id` char(36) NOT NULL,\n`nid` char(36),\nFOREIGN KEY (`identity_id`) REFERENCES `identities` (`id`) ON DELETE cascade\n) ENGINE=InnoDB;\n"),
    );
    write(
        repo,
        &format!("{version}_{name}.sqlite3.up.sql"),
        &format!("CREATE TABLE \"{table}\" (\n\"id\" TEXT PRIMARY KEY,\n\"identity_id\" char(36) NOT NULL,\n\"nid\" char(36),\nFOREIGN KEY (identity_id) REFERENCES identities (id) ON DELETE cascade\n);\n"),
    );
}

#[test]
fn a_pop_directory_is_detected_as_pop_and_init_writes_it() {
    let repo = kratos();
    let run = repo.sqlgate(&["init", "--force"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text = std::fs::read_to_string(repo.path().join(".sqlgate.yml")).unwrap();
    assert!(
        text.contains(&format!("- dir: {DIR}\n    layout: pop")),
        "{text}"
    );
    // The PostgreSQL and CockroachDB scripts outnumber the others.
    assert!(text.contains("dialect: postgres\n"), "{text}");
}

#[test]
fn a_clean_feature_branch_passes_with_up_only_scripts_per_database() {
    let repo = kratos();
    repo.branch("feature/webauthn");
    add_feature(&repo, "20200601101000000000", "webauthn");
    write(
        &repo,
        "20200601101001000000_webauthn_seed.up.fizz",
        "sql(\"INSERT INTO webauthn_entries (id, identity_id) SELECT id, id FROM identities\")\n",
    );
    repo.commit("webauthn");
    let run = repo.check("main");
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.findings().is_empty(), "{}", run.stdout);
}

#[test]
fn only_the_configured_databases_scripts_are_parsed() {
    for dialect in ["postgres", "mysql"] {
        let repo = kratos_for(dialect);
        repo.branch("feature/typo");
        add_feature(&repo, "20200601101000000000", "typo");
        // A broken MySQL script: only MySQL runs it.
        write(
            &repo,
            "20200601101000000000_typo.mysql.up.sql",
            "ALTER TABLE `identities` ADD COLUMN `nid` char(36),;\n",
        );
        repo.commit("typo");
        let run = repo.check("main");
        if dialect == "postgres" {
            assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
            assert!(run.findings().is_empty(), "{}", run.stdout);
        } else {
            assert_eq!(
                run.finding("syntax-error")["path"],
                format!("{DIR}/20200601101000000000_typo.mysql.up.sql"),
                "{}",
                run.stdout
            );
            assert!(
                run.findings().iter().all(|f| f["path"]
                    .as_str()
                    .is_some_and(|p| p.contains(".mysql.") || !p.contains("typo"))),
                "{}",
                run.stdout
            );
        }
    }
}

#[test]
fn an_out_of_order_version_fails_version_order() {
    let repo = kratos();
    repo.branch("feature/late");
    add_feature(&repo, "20200401000000000000", "late");
    repo.commit("late");
    let run = repo.check("main");
    assert_ne!(run.code, 0, "{}", run.stdout);
    assert_eq!(run.rules(), vec!["version-order"], "{}", run.stdout);
    let f = run.finding("version-order");
    assert_eq!(
        f["path"],
        format!("{DIR}/20200401000000000000_late.postgres.up.sql")
    );
}

#[test]
fn a_duplicate_version_fails_duplicate_version() {
    let repo = kratos();
    repo.branch("feature/dup");
    add_feature(&repo, "20200519101057000000", "recovery");
    repo.commit("dup");
    let run = repo.check("main");
    assert_ne!(run.code, 0, "{}", run.stdout);
    assert!(
        run.rules().contains(&"duplicate-version".to_string()),
        "{}",
        run.stdout
    );
    assert!(
        !run.rules().contains(&"missing-down".to_string()),
        "{}",
        run.stdout
    );
}

#[test]
fn editing_an_applied_sql_or_fizz_migration_fails() {
    for (file, text) in [
        (
            "20200317160354000000_create_profile.postgres.up.sql",
            "CREATE TABLE identities (\n    id UUID NOT NULL PRIMARY KEY,\n    traits jsonb NOT NULL\n);\n",
        ),
        (
            "20200401183443000000_courier.up.fizz",
            "create_table(\"courier_messages\") {\n\tt.Column(\"id\", \"uuid\", {primary: true})\n}\n",
        ),
    ] {
        let repo = kratos();
        repo.branch("feature/edit");
        write(&repo, file, text);
        repo.commit("edit");
        let run = repo.check("main");
        assert_ne!(run.code, 0, "{file}: {}", run.stdout);
        assert_eq!(
            run.rules(),
            vec!["applied-migration-modified"],
            "{file}: {}",
            run.stdout
        );
        assert_eq!(
            run.finding("applied-migration-modified")["path"],
            format!("{DIR}/{file}")
        );
    }
}

#[test]
fn names_pop_does_not_run_are_reported() {
    let repo = kratos();
    repo.branch("feature/names");
    add_feature(&repo, "20200601101000000000", "names");
    // pop knows no `oracle`, and a fizz migration is for every database.
    write(
        &repo,
        "20200601101000000000_names.oracle.up.sql",
        "CREATE TABLE names_entries (id raw(16));\n",
    );
    write(
        &repo,
        "20200601101001000000_more.postgres.up.fizz",
        "add_column(\"identities\", \"state\", \"string\", {})\n",
    );
    repo.commit("names");
    let run = repo.check("main");
    assert_eq!(
        run.rules(),
        vec!["migration-filename", "migration-filename"],
        "{}",
        run.stdout
    );
}
