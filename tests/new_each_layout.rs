//! `sqlgate new add_users` in a repository of each layout: the migration it
//! writes sorts after every existing one and, once filled in as a developer
//! would, passes the pre-commit check.

mod common;

use common::{atlas_sum, Repo, Run};

const UP: &str = "ALTER TABLE users ADD COLUMN display_name text;";
const DOWN: &str = "ALTER TABLE users DROP COLUMN display_name;";

/// The paths `sqlgate new` printed.
fn created(repo: &Repo) -> Vec<String> {
    let run = repo.sqlgate(&["new", "add_users"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    run.stdout.lines().map(str::to_string).collect()
}

fn read(repo: &Repo, path: &str) -> String {
    std::fs::read_to_string(repo.path().join(path)).unwrap()
}

/// Stages everything and runs the pre-commit check.
fn staged_check(repo: &Repo) -> Run {
    repo.git(&["add", "-A"]);
    repo.sqlgate(&["check", "--staged", "--format", "json"])
}

fn assert_clean(run: &Run) {
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.findings().is_empty(), "{}", run.stdout);
}

#[test]
fn dbmate() {
    let repo = Repo::new();
    repo.write(
        "db/migrations/20240105093000_create_users.sql",
        "-- migrate:up\nCREATE TABLE users (\n    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n    email text NOT NULL\n);\n\n-- migrate:down\nDROP TABLE users;\n",
    );
    repo.commit("users");
    let paths = created(&repo);
    assert_eq!(paths.len(), 1, "{paths:?}");
    let name = paths[0].rsplit('/').next().unwrap();
    assert!(name > "20240105093000_create_users.sql", "{name}");
    assert!(name.ends_with("_add_users.sql"), "{name}");
    let text = read(&repo, &paths[0])
        .replacen("-- migrate:up\n", &format!("-- migrate:up\n{UP}\n"), 1)
        .replacen(
            "-- migrate:down\n",
            &format!("-- migrate:down\n{DOWN}\n"),
            1,
        );
    repo.write(&paths[0], text);
    assert_clean(&staged_check(&repo));
}

#[test]
fn goose_sequential() {
    let repo = Repo::new();
    repo.write(
        "migrations/00001_create_users.sql",
        "-- +goose Up\nCREATE TABLE users (\n    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n    email text NOT NULL\n);\n\n-- +goose Down\nDROP TABLE users;\n",
    );
    repo.write(
        "migrations/00002_touch_updated_at.sql",
        "-- +goose Up\n-- +goose StatementBegin\nCREATE FUNCTION touch_updated_at() RETURNS trigger AS $$\nBEGIN\n    NEW.updated_at := now();\n    RETURN NEW;\nEND;\n$$ LANGUAGE plpgsql;\n-- +goose StatementEnd\n\n-- +goose Down\nDROP FUNCTION touch_updated_at();\n",
    );
    repo.commit("goose");
    let paths = created(&repo);
    assert_eq!(paths, vec!["migrations/00003_add_users.sql"]);
    let mut blocks = 0;
    let text: String = read(&repo, &paths[0])
        .split_inclusive('\n')
        .map(|line| {
            if line == "-- +goose StatementBegin\n" {
                blocks += 1;
                format!("{line}{}\n", if blocks == 1 { UP } else { DOWN })
            } else {
                line.to_string()
            }
        })
        .collect();
    assert_eq!(blocks, 2, "{text}");
    repo.write(&paths[0], text);
    assert_clean(&staged_check(&repo));
}

#[test]
fn sqlx_reversible() {
    let repo = Repo::new();
    repo.write(
        "migrations/20240105093000_create_users.up.sql",
        "CREATE TABLE users (\n    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n    email TEXT NOT NULL\n);\n",
    );
    repo.write(
        "migrations/20240105093000_create_users.down.sql",
        "DROP TABLE users;\n",
    );
    repo.commit("sqlx");
    let paths = created(&repo);
    assert_eq!(paths.len(), 2, "{paths:?}");
    assert!(paths[0].ends_with("_add_users.up.sql"), "{paths:?}");
    assert!(
        paths[0].as_str() > "migrations/20240105093000_create_users.up.sql",
        "{paths:?}"
    );
    repo.write(&paths[0], format!("{UP}\n"));
    repo.write(&paths[1], format!("{DOWN}\n"));
    assert_clean(&staged_check(&repo));
}

#[test]
fn diesel() {
    let repo = Repo::new();
    repo.write(
        "diesel.toml",
        "[print_schema]\nfile = \"src/schema.rs\"\n\n[migrations_directory]\ndir = \"migrations\"\n",
    );
    repo.write(
        "migrations/2024-01-05-093000_create_users/up.sql",
        "CREATE TABLE users (\n    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n    email TEXT NOT NULL\n);\n",
    );
    repo.write(
        "migrations/2024-01-05-093000_create_users/down.sql",
        "DROP TABLE users;\n",
    );
    repo.commit("diesel");
    let paths = created(&repo);
    assert_eq!(paths.len(), 2, "{paths:?}");
    assert!(paths[0].ends_with("_add_users/up.sql"), "{paths:?}");
    assert!(
        paths[0].as_str() > "migrations/2024-01-05-093000_create_users",
        "{paths:?}"
    );
    repo.write(&paths[0], format!("{UP}\n"));
    repo.write(&paths[1], format!("{DOWN}\n"));
    assert_clean(&staged_check(&repo));
}

#[test]
fn prisma() {
    let repo = Repo::new();
    repo.write(
        "prisma/schema.prisma",
        "datasource db {\n  provider = \"postgresql\"\n  url      = env(\"DATABASE_URL\")\n}\n",
    );
    repo.write(
        "prisma/migrations/migration_lock.toml",
        "provider = \"postgresql\"\n",
    );
    repo.write(
        "prisma/migrations/20240105093000_init/migration.sql",
        "-- CreateTable\nCREATE TABLE \"users\" (\n    \"id\" BIGSERIAL NOT NULL,\n    \"email\" TEXT NOT NULL,\n\n    CONSTRAINT \"users_pkey\" PRIMARY KEY (\"id\")\n);\n",
    );
    repo.commit("prisma");
    let paths = created(&repo);
    assert_eq!(paths.len(), 1, "{paths:?}");
    assert!(paths[0].ends_with("_add_users/migration.sql"), "{paths:?}");
    assert!(
        paths[0].as_str() > "prisma/migrations/20240105093000_init",
        "{paths:?}"
    );
    repo.write(
        &paths[0],
        "-- AlterTable\nALTER TABLE \"users\" ADD COLUMN     \"display_name\" TEXT;\n",
    );
    assert_clean(&staged_check(&repo));
}

#[test]
fn atlas_after_rehash() {
    let users = "-- Create \"users\" table\nCREATE TABLE \"users\" (\n  \"id\" bigint NOT NULL GENERATED BY DEFAULT AS IDENTITY,\n  \"email\" text NOT NULL,\n  PRIMARY KEY (\"id\")\n);\n";
    let repo = Repo::new();
    repo.write("migrations/20240105093000_create_users.sql", users);
    repo.write(
        "migrations/atlas.sum",
        atlas_sum(&[("20240105093000_create_users.sql", users)]),
    );
    repo.commit("atlas");
    let run = repo.sqlgate(&["new", "add_users"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("atlas migrate hash"), "{}", run.stderr);
    let paths: Vec<String> = run.stdout.lines().map(str::to_string).collect();
    assert_eq!(paths.len(), 1, "{paths:?}");
    let name = paths[0].rsplit('/').next().unwrap().to_string();
    assert!(name.as_str() > "20240105093000_create_users.sql", "{name}");
    let up =
        "-- Modify \"users\" table\nALTER TABLE \"users\" ADD COLUMN \"display_name\" text NULL;\n";
    repo.write(&paths[0], up);
    // Without the rehash, Atlas itself would refuse the directory.
    assert_eq!(staged_check(&repo).rules(), vec!["atlas-sum-mismatch"]);
    repo.write(
        "migrations/atlas.sum",
        atlas_sum(&[
            ("20240105093000_create_users.sql", users),
            (name.as_str(), up),
        ]),
    );
    assert_clean(&staged_check(&repo));
}

#[test]
fn liquibase_formatted_sql() {
    let repo = Repo::new();
    repo.write(
        "src/main/resources/db/changelog/db.changelog-master.yaml",
        "databaseChangeLog:\n  - include:\n      file: changes/001-users.sql\n      relativeToChangelogFile: true\n",
    );
    repo.write(
        "src/main/resources/db/changelog/changes/001-users.sql",
        "--liquibase formatted sql\n\n--changeset dana:1\nCREATE TABLE users (\n    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n    email text NOT NULL\n);\n--rollback DROP TABLE users;\n",
    );
    repo.commit("liquibase");
    let paths = created(&repo);
    assert_eq!(
        paths,
        vec!["src/main/resources/db/changelog/changes/001-users.sql"]
    );
    let text = read(&repo, &paths[0]);
    assert!(
        text.contains("--changeset Dana Reviewer:2\n"),
        "the next numeric id, by the git author: {text}"
    );
    repo.write(&paths[0], format!("{text}{UP}\n--rollback {DOWN}\n"));
    assert_clean(&staged_check(&repo));
}

#[test]
fn sqitch() {
    let repo = Repo::new();
    repo.write(
        "sqitch.conf",
        "[core]\n\tengine = pg\n\tplan_file = sqitch.plan\n\ttop_dir = .\n",
    );
    repo.write(
        "sqitch.plan",
        "%syntax-version=1.0.0\n%project=shop\n\nusers 2024-01-05T09:30:00Z Dana Reviewer <dana@example.com> # Creates the users table.\n",
    );
    repo.write(
        "deploy/users.sql",
        "-- Deploy shop:users to pg\n\nBEGIN;\n\nCREATE TABLE users (\n    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n    email text NOT NULL\n);\n\nCOMMIT;\n",
    );
    repo.write(
        "revert/users.sql",
        "-- Revert shop:users from pg\n\nBEGIN;\n\nDROP TABLE users;\n\nCOMMIT;\n",
    );
    repo.write(
        "verify/users.sql",
        "-- Verify shop:users on pg\n\nBEGIN;\n\nSELECT id, email FROM users WHERE FALSE;\n\nROLLBACK;\n",
    );
    repo.commit("sqitch");
    let paths = created(&repo);
    assert!(
        paths.iter().any(|p| p == "deploy/add_users.sql"),
        "{paths:?}"
    );
    let plan = read(&repo, "sqitch.plan");
    assert!(
        plan.lines().last().unwrap().starts_with("add_users "),
        "the change goes last in the plan: {plan}"
    );
    for (path, body) in [("deploy/add_users.sql", UP), ("revert/add_users.sql", DOWN)] {
        let text = read(&repo, path).replace("-- XXX Add DDLs here.", body);
        repo.write(path, text);
    }
    let verify = read(&repo, "verify/add_users.sql").replace(
        "-- XXX Add verifications here.",
        "SELECT display_name FROM users WHERE FALSE;",
    );
    repo.write("verify/add_users.sql", verify);
    assert_clean(&staged_check(&repo));
}

#[test]
fn pop_with_a_script_per_database() {
    let repo = Repo::new();
    let dir = "persistence/sql/migrations/sql";
    for (db, up) in [
        ("postgres", "CREATE TABLE users (\n    id uuid NOT NULL PRIMARY KEY,\n    email text NOT NULL\n);\n"),
        ("mysql", "CREATE TABLE `users` (\n`id` char(36) NOT NULL,\nPRIMARY KEY(`id`),\n`email` VARCHAR(255) NOT NULL\n) ENGINE=InnoDB;\n"),
        ("sqlite3", "CREATE TABLE \"users\" (\n\"id\" TEXT PRIMARY KEY,\n\"email\" TEXT NOT NULL\n);\n"),
    ] {
        repo.write(
            &format!("{dir}/20200317160354000000_create_users.{db}.up.sql"),
            up,
        );
    }
    repo.commit("users");
    let paths = created(&repo);
    let names: Vec<&str> = paths
        .iter()
        .map(|p| p.rsplit('/').next().unwrap())
        .collect();
    assert_eq!(names.len(), 6, "{names:?}");
    for (name, db) in names.iter().zip([
        "mysql", "mysql", "postgres", "postgres", "sqlite3", "sqlite3",
    ]) {
        assert!(*name > "20200317160354000000_create_users", "{name}");
        // The directory's 20-digit versions, from the clock.
        assert_eq!(name.split('_').next().unwrap().len(), 20, "{name}");
        assert!(name.contains(&format!("_add_users.{db}.")), "{name}");
    }
    // Filled in as kratos does: every database's up, no downs.
    for path in &paths {
        if path.ends_with(".down.sql") {
            std::fs::remove_file(repo.path().join(path)).unwrap();
        } else if path.contains(".mysql.") {
            repo.write(
                path,
                "ALTER TABLE `users` ADD COLUMN `display_name` VARCHAR(255);\n",
            );
        } else {
            repo.write(path, format!("{UP}\n"));
        }
    }
    assert_clean(&staged_check(&repo));
}
