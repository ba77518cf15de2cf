//! Adopting sqlgate on a repository with years of migrations: the baseline,
//! `since`, and suppressions that rot.

mod common;

use common::Repo;

const DIR: &str = "db/migrations";

/// Which of the generated migrations break which rule.
fn has_syntax_error(i: usize) -> bool {
    i % 7 == 3
}
fn lacks_down(i: usize) -> bool {
    i % 11 == 5
}
fn is_empty(i: usize) -> bool {
    i % 37 == 0
}
/// Downs are placeholders (`SELECT 1`): those of migrations that change
/// the schema (functions, types, tables and columns) are empty downs.
fn has_empty_down(i: usize) -> bool {
    !is_empty(i) && !lacks_down(i) && matches!(i % 5, 0 | 1 | 3)
}

/// The up script of migration `i`, written the way a team writes them over
/// the years: tables with enums and partial indexes, functions with $$
/// bodies, DO blocks, comments; some with a typo nobody noticed because the
/// database it ran on was fixed by hand.
fn up(i: usize) -> String {
    if is_empty(i) {
        return format!("-- Placeholder for ticket OPS-{i}: the backfill ran by hand.\n");
    }
    let mut sql = match i % 5 {
        0 => format!(
            "-- Keep updated_at current on every write.\n\
             CREATE OR REPLACE FUNCTION touch_updated_at_{i}() RETURNS trigger AS $$\n\
             BEGIN\n    NEW.updated_at := now();\n    RETURN NEW;\nEND;\n$$ LANGUAGE plpgsql;\n"
        ),
        1 => format!(
            "CREATE TYPE order_status_{i} AS ENUM ('new', 'paid', 'shipped');\n\n\
             CREATE TABLE orders_{i} (\n    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n    \
             status order_status_{i} NOT NULL DEFAULT 'new',\n    created_at timestamptz NOT NULL DEFAULT now()\n);\n\n\
             CREATE INDEX orders_{i}_open_idx ON orders_{i} (created_at) WHERE status <> 'shipped';\n"
        ),
        2 => format!(
            "DO $$\nBEGIN\n    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'reporting_{i}') THEN\n        \
             CREATE ROLE reporting_{i};\n    END IF;\nEND\n$$;\n"
        ),
        3 => format!("ALTER TABLE customers ADD COLUMN loyalty_points_{i} integer NOT NULL DEFAULT 0;\n"),
        _ => format!("COMMENT ON TABLE customers IS 'revision {i}';\n"),
    };
    if i == 1 {
        sql = format!(
            "-- The tables the application started with.\n\
             CREATE TABLE customers (\n    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n    name text NOT NULL\n);\n\n{sql}"
        );
    }
    if has_syntax_error(i) {
        sql.push_str(&format!(
            "\n-- legacy column for the old export\nALTER TABEL legacy_{i} ADD COLUMN note text;\n"
        ));
    }
    if i % 50 == 25 {
        sql = sql.replace('\n', "\r\n");
    }
    sql
}

fn name(i: usize) -> String {
    format!("{i:06}_change_{i}")
}

/// main has 300 golang-migrate migrations, many of which raise findings.
fn legacy() -> Repo {
    let repo = Repo::new();
    repo.write(
        ".sqlgate.yml",
        "dialect: postgres\ntrunk: main\nmigrations:\n  - dir: db/migrations\n    layout: golang-migrate\nrules:\n  lock-timeout-missing: off # set on the migration role\n",
    );
    for i in 1..=300 {
        repo.write(&format!("{DIR}/{}.up.sql", name(i)), up(i));
        if !lacks_down(i) {
            repo.write(
                &format!("{DIR}/{}.down.sql", name(i)),
                format!("-- nothing to undo for {i}\nSELECT 1;\n"),
            );
        }
    }
    // A file the tool never runs, from before the team knew the naming.
    repo.write(
        &format!("{DIR}/fix_legacy_grants.sql"),
        "GRANT SELECT ON customers TO reporting;\n",
    );
    repo.commit("six years of migrations");
    repo
}

fn up_path(i: usize) -> String {
    format!("{DIR}/{}.up.sql", name(i))
}

fn expected_findings() -> usize {
    (1..=300)
        .map(|i| {
            usize::from(has_syntax_error(i) && !is_empty(i))
                + usize::from(lacks_down(i))
                + usize::from(is_empty(i))
                + usize::from(has_empty_down(i))
        })
        .sum::<usize>()
        + 1
}

#[test]
fn baseline_then_lint_passes_and_only_new_or_changed_findings_come_back() {
    let repo = legacy();
    let before = repo.sqlgate(&["lint", "--format", "json"]);
    assert_eq!(before.code, 1, "{}", before.stderr);
    let total = before.findings().len();
    assert_eq!(total, expected_findings(), "{:?}", before.rules());

    let run = repo.sqlgate(&["baseline"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains(&format!("holds {total} findings")),
        "{}",
        run.stderr
    );
    let text = std::fs::read_to_string(repo.path().join(".sqlgate-baseline.json")).unwrap();
    assert!(text.contains("\"rule\": \"syntax-error\""), "{text}");

    let after = repo.sqlgate(&["lint"]);
    assert_eq!(after.code, 0, "{}{}", after.stdout, after.stderr);
    assert!(
        after
            .stderr
            .contains(&format!("no findings ({total} baselined)")),
        "{}",
        after.stderr
    );
    let json = repo.sqlgate(&["lint", "--format", "json"]);
    assert_eq!(json.stdout.trim(), "[]");

    // Ten comment lines above a baselined statement, and the file
    // re-indented with CRLF: the finding stays baselined.
    let path = up_path(3);
    let original = std::fs::read_to_string(repo.path().join(&path)).unwrap();
    let notes: String = (1..=10)
        .map(|n| format!("-- review note {n}: see OPS-{n}\n"))
        .collect();
    let moved = original
        .replace("ALTER TABEL", &format!("{notes}ALTER  TABEL"))
        .replace('\n', "\r\n");
    repo.write(&path, &moved);
    let run = repo.sqlgate(&["lint", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stdout);

    // The same statement changed in substance comes back.
    repo.write(&path, moved.replace("note text", "remark text"));
    let run = repo.sqlgate(&["lint", "--format", "json"]);
    assert_eq!(run.code, 1);
    assert_eq!(run.rules(), vec!["syntax-error"]);
    assert_eq!(run.finding("syntax-error")["path"], path.as_str());
    repo.write(&path, &original);

    // A new bad migration is reported, and only it.
    repo.write(
        &format!("{DIR}/000301_add_invoices.up.sql"),
        "CREATE TABLE invoices (\n    id bigint PRIMARY KEY,\n    total numeric(12, 2) NOT NULL,\n);\n",
    );
    repo.write(
        &format!("{DIR}/000301_add_invoices.down.sql"),
        "DROP TABLE invoices;\n",
    );
    let run = repo.sqlgate(&["lint", "--format", "json"]);
    assert_eq!(run.code, 1);
    assert_eq!(run.rules(), vec!["syntax-error"]);
    assert_eq!(
        run.finding("syntax-error")["path"],
        format!("{DIR}/000301_add_invoices.up.sql")
    );
}

#[test]
fn a_missing_down_stays_baselined_until_its_migration_changes() {
    let repo = legacy();
    assert_eq!(repo.sqlgate(&["baseline"]).code, 0);
    let path = up_path(5);
    assert!(lacks_down(5));
    let original = std::fs::read_to_string(repo.path().join(&path)).unwrap();
    repo.write(&path, format!("-- Owner: billing team\n\n{original}"));
    assert_eq!(repo.sqlgate(&["lint", "--format", "json"]).code, 0);
    repo.write(
        &path,
        format!("{original}COMMENT ON TABLE customers IS 'Billing customers';\n"),
    );
    let run = repo.sqlgate(&["lint", "--format", "json"]);
    assert_eq!(run.rules(), vec!["missing-down"]);
}

#[test]
fn prune_drops_fixed_findings_so_they_cannot_come_back_silently() {
    let repo = legacy();
    assert_eq!(repo.sqlgate(&["baseline"]).code, 0);
    let path = up_path(10);
    assert!(has_syntax_error(10));
    let broken = std::fs::read_to_string(repo.path().join(&path)).unwrap();
    repo.write(
        &path,
        broken.replace("ALTER TABEL", "ALTER TABLE IF EXISTS"),
    );
    // A new finding elsewhere is not added by --prune.
    repo.write(&format!("{DIR}/000301_add_invoices.up.sql"), "SELEC 1;\n");
    repo.write(
        &format!("{DIR}/000301_add_invoices.down.sql"),
        "SELECT 1;\n",
    );
    let run = repo.sqlgate(&["baseline", "--prune"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("0 added, 1 dropped"), "{}", run.stderr);
    let run = repo.sqlgate(&["lint", "--format", "json"]);
    assert_eq!(run.rules(), vec!["syntax-error"]);
    // The fixed statement broken again is reported: its entry is gone.
    repo.write(&path, &broken);
    let run = repo.sqlgate(&["lint", "--format", "json"]);
    assert_eq!(run.rules(), vec!["syntax-error", "syntax-error"]);
}

#[test]
fn check_reads_the_baseline_of_the_base_so_a_change_cannot_baseline_itself() {
    let repo = legacy();
    assert_eq!(repo.sqlgate(&["baseline"]).code, 0);
    repo.commit("adopt sqlgate with a baseline");
    repo.branch("feature");
    repo.write(
        &format!("{DIR}/000302_add_invoices.up.sql"),
        "CREATE TABLE invoices (id bigint PRIMARY KEY,);\n",
    );
    repo.write(
        &format!("{DIR}/000302_add_invoices.down.sql"),
        "DROP TABLE invoices;\n",
    );
    assert_eq!(repo.sqlgate(&["baseline"]).code, 0);
    repo.commit("add invoices and baseline its finding");
    let run = repo.check("main");
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(run.rules(), vec!["syntax-error"]);
    // Staged checks read it from the index, as they read the configuration.
    repo.checkout("main");
    repo.write(
        &format!("{DIR}/000301_add_refunds.up.sql"),
        "CREATE TABLE refunds (id bigint PRIMARY KEY,);\n",
    );
    repo.write(
        &format!("{DIR}/000301_add_refunds.down.sql"),
        "DROP TABLE refunds;\n",
    );
    repo.git(&["add", DIR]);
    assert_eq!(repo.sqlgate(&["baseline"]).code, 0);
    let run = repo.sqlgate(&["check", "--staged", "--format", "json"]);
    assert_eq!(run.rules(), vec!["syntax-error"]);
    repo.git(&["add", ".sqlgate-baseline.json"]);
    let run = repo.sqlgate(&["check", "--staged", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
}

#[test]
fn since_leaves_older_migrations_out_of_lint() {
    let repo = legacy();
    let run = repo.sqlgate(&["lint", "--since", "000290", "--format", "json"]);
    let in_range = (291..=300)
        .map(|i| {
            usize::from(has_syntax_error(i))
                + usize::from(lacks_down(i))
                + usize::from(is_empty(i))
                + usize::from(has_empty_down(i))
        })
        .sum::<usize>();
    // The misnamed file has no version and is still reported.
    assert_eq!(run.findings().len(), in_range + 1, "{:?}", run.rules());
    repo.write(
        ".sqlgate.yml",
        "dialect: postgres\nmigrations:\n  - dir: db/migrations\n    layout: golang-migrate\n    since: \"000290\"\nrules:\n  lock-timeout-missing: off # set on the migration role\n",
    );
    let run = repo.sqlgate(&["lint", "--format", "json"]);
    assert_eq!(run.findings().len(), in_range + 1, "{:?}", run.rules());
    let run = repo.sqlgate(&["lint", "--format", "human"]);
    assert!(
        run.stdout.contains("10 migrations checked"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_custom_baseline_path_is_read_and_written() {
    let repo = legacy();
    repo.write(
        ".sqlgate.yml",
        "migrations:\n  - dir: db/migrations\n    layout: golang-migrate\nbaseline: ci/sqlgate-baseline.json\nrules:\n  lock-timeout-missing: off # set on the migration role\n",
    );
    std::fs::create_dir_all(repo.path().join("ci")).unwrap();
    assert_eq!(repo.sqlgate(&["baseline"]).code, 0);
    assert!(repo.path().join("ci/sqlgate-baseline.json").exists());
    assert!(!repo.path().join(".sqlgate-baseline.json").exists());
    assert_eq!(repo.sqlgate(&["lint", "-q"]).code, 0);
}

#[test]
fn a_broken_baseline_stops_the_check_with_a_way_out() {
    let repo = legacy();
    repo.write(".sqlgate-baseline.json", "{ not json");
    let run = repo.sqlgate(&["lint"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("not a sqlgate baseline"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("sqlgate baseline"), "{}", run.stderr);
}

#[test]
fn unused_and_misspelt_suppressions_are_reported() {
    let repo = Repo::new();
    repo.write(
        "db/migrations/0001_create_users.up.sql",
        "-- sqlgate:ignore syntax-error the vendor build accepts this\n\
         CREATE TABLE users (id bigint PRIMARY KEY);\n\
         -- sqlgate:ignore version-order merged late on purpose\n\
         CREATE INDEX users_id_idx ON users (id);\n",
    );
    repo.write(
        "db/migrations/0001_create_users.down.sql",
        "DROP TABLE users;\n",
    );
    repo.write(
        "db/migrations/0002_add_email.up.sql",
        "SET lock_timeout = '5s';\n\
         -- sqlgate:ignore sytnax-error the vendor build accepts this\n\
         ALTER TABLE users ADD COLUMN email text;\n",
    );
    repo.write(
        "db/migrations/0002_add_email.down.sql",
        "ALTER TABLE users DROP COLUMN email;\n",
    );
    let run = repo.sqlgate(&["lint", "--format", "json"]);
    // version-order is only checked on a range: lint does not call its
    // suppression unused.
    assert_eq!(
        run.rules(),
        vec!["unused-suppression", "unknown-rule-in-suppression"]
    );
    assert_eq!(run.finding("unused-suppression")["severity"], "warning");
    assert_eq!(run.finding("unused-suppression")["line"], 1);
    let unknown = run.finding("unknown-rule-in-suppression");
    assert_eq!(unknown["severity"], "error");
    assert_eq!(
        unknown["help"],
        "did you mean `syntax-error`? (`sqlgate rules` lists every rule id)"
    );
    assert_eq!(run.code, 1);
}

#[test]
fn baseline_of_one_file_keeps_the_entries_of_the_others() {
    let repo = legacy();
    assert_eq!(repo.sqlgate(&["baseline"]).code, 0);
    let path = up_path(10);
    let broken = std::fs::read_to_string(repo.path().join(&path)).unwrap();
    repo.write(
        &path,
        broken.replace("ALTER TABEL", "ALTER TABLE IF EXISTS"),
    );
    let run = repo.sqlgate(&["baseline", &path]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains(&format!(
            "holds {} findings (0 added, 1 dropped)",
            expected_findings() - 1
        )),
        "{}",
        run.stderr
    );
    assert_eq!(repo.sqlgate(&["lint", "-q"]).code, 0);
}
