//! Bad input gets a clear message (exit 2) or a finding, never a panic.

mod common;

use common::{run_in, shop, Repo};

fn assert_no_panic(run: &common::Run) {
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
}

#[test]
fn unknown_revision_exits_2_and_says_so() {
    let repo = shop();
    let run = repo.sqlgate(&["check", "--base", "mian"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("unknown revision 'mian'"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("help:"), "{}", run.stderr);
}

#[test]
fn not_a_git_repository_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let run = run_in(dir.path(), &["check", "--base", "main"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("not inside a git repository"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("sqlgate lint"), "{}", run.stderr);
}

#[test]
fn check_without_base_exits_2_with_the_fix() {
    let repo = shop();
    let run = repo.sqlgate(&["check"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--base main"), "{}", run.stderr);
}

#[test]
fn invalid_yaml_names_the_line() {
    let repo = shop();
    repo.write(
        ".sqlgate.yml",
        "dialect: postgres\nmigrations:\n  - dir: db/migrations\n   layout: [golang\n",
    );
    repo.commit("broken config");
    let run = repo.sqlgate(&["check", "--staged"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains(".sqlgate.yml:4"), "{}", run.stderr);
}

#[test]
fn unknown_key_names_the_line_and_suggests() {
    let repo = shop();
    repo.write(
        ".sqlgate.yml",
        "dialect: postgres\nmigration:\n  - dir: db/migrations\n",
    );
    repo.git(&["add", ".sqlgate.yml"]);
    let run = repo.sqlgate(&["check", "--staged"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains(".sqlgate.yml:2"), "{}", run.stderr);
    assert!(
        run.stderr.contains("did you mean `migrations`?"),
        "{}",
        run.stderr
    );
}

#[test]
fn bad_layout_and_dialect_values_list_the_allowed_ones() {
    let repo = shop();
    repo.write(
        ".sqlgate.yml",
        "migrations:\n  - dir: db/migrations\n    layout: golang_migrate\n",
    );
    repo.git(&["add", ".sqlgate.yml"]);
    let run = repo.sqlgate(&["check", "--staged"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("unknown layout `golang_migrate`"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("did you mean `golang-migrate`?"),
        "{}",
        run.stderr
    );
    repo.write(".sqlgate.yml", "dialect: oracle\n");
    repo.git(&["add", ".sqlgate.yml"]);
    let run = repo.sqlgate(&["check", "--staged"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("postgres"), "{}", run.stderr);
}

#[test]
fn non_utf8_file_is_a_finding_with_the_byte_offset() {
    let repo = shop();
    repo.branch("feature/latin1");
    let mut up = b"INSERT INTO users (email) VALUES ('caf".to_vec();
    up.push(0xE9);
    up.extend_from_slice(b"@example.com');\n");
    repo.write("db/migrations/20240301120000_seed.up.sql", up);
    repo.write(
        "db/migrations/20240301120000_seed.down.sql",
        "DELETE FROM users;\n",
    );
    repo.commit("latin1");
    let run = repo.check("main");
    assert_no_panic(&run);
    assert_eq!(run.code, 1);
    let f = run.finding("syntax-error");
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("not valid UTF-8 (first bad byte at offset 38)"),
        "{f}"
    );
    let human = repo.sqlgate(&["check", "--base", "main"]);
    assert_no_panic(&human);
    assert!(
        human.stdout.contains("20240301120000_seed.up.sql"),
        "{}",
        human.stdout
    );
}

#[test]
fn binary_file_is_a_finding() {
    let repo = shop();
    repo.branch("feature/binary");
    repo.write(
        "db/migrations/20240301120000_dump.up.sql",
        [0x1f, 0x8b, 0x08, 0x00, 0x00, 0x01, 0x02],
    );
    repo.write("db/migrations/20240301120000_dump.down.sql", "SELECT 1;\n");
    repo.commit("gzip by mistake");
    let run = repo.check("main");
    assert_no_panic(&run);
    assert!(run.finding("syntax-error")["message"]
        .as_str()
        .unwrap()
        .contains("binary file"));
}

#[test]
fn empty_file_is_a_warning_not_a_failure() {
    let repo = shop();
    repo.branch("feature/empty");
    repo.write("db/migrations/20240301120000_todo.up.sql", "");
    repo.write(
        "db/migrations/20240301120000_todo.down.sql",
        "-- nothing yet\n",
    );
    repo.commit("empty");
    let run = repo.check("main");
    assert_no_panic(&run);
    assert_eq!(run.code, 0);
    assert_eq!(run.rules(), vec!["empty-migration"]);
    assert_eq!(run.finding("empty-migration")["severity"], "warning");
    let human = repo.sqlgate(&["check", "--base", "main"]);
    assert_no_panic(&human);
    assert!(human.stdout.contains("empty-migration"), "{}", human.stdout);
}

#[test]
fn crlf_and_bom_files_parse_and_report_true_positions() {
    let repo = shop();
    repo.branch("feature/windows");
    repo.migration(
        "20240301120000_add_notes",
        "\u{feff}-- written on Windows\r\nALTER TABLE orders ADD COLUMN notes text;\r\n\r\nCREATE TABLE audit (\r\n  id bigint,,\r\n  at timestamptz\r\n);\r\n",
        "\u{feff}DROP TABLE audit;\r\nALTER TABLE orders DROP COLUMN notes;\r\n",
    );
    repo.commit("windows");
    let run = repo.check("main");
    assert_eq!(run.rules(), vec!["syntax-error"]);
    let f = run.finding("syntax-error");
    assert_eq!(
        (f["line"].as_u64(), f["column"].as_u64()),
        (Some(5), Some(13))
    );
}

#[test]
fn huge_file_is_checked_without_trouble() {
    let repo = shop();
    repo.branch("feature/seed");
    let mut up =
        String::from("CREATE TABLE country (code text PRIMARY KEY, name text NOT NULL);\n");
    for i in 0..20_000 {
        up.push_str(&format!(
            "INSERT INTO country (code, name) VALUES ('C{i}', 'Country number {i}');\n"
        ));
    }
    repo.migration(
        "20240301120000_seed_countries",
        &up,
        "DROP TABLE country;\n",
    );
    repo.commit("seed");
    let run = repo.check("main");
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn shallow_clone_without_the_base_says_how_to_fetch_it() {
    let repo = shop();
    repo.branch("feature/a");
    repo.migration(
        "20240301120000_add_notes",
        "ALTER TABLE orders ADD COLUMN notes text;\n",
        "ALTER TABLE orders DROP COLUMN notes;\n",
    );
    repo.commit("a");
    repo.migration(
        "20240302120000_add_tags",
        "ALTER TABLE orders ADD COLUMN tags text[];\n",
        "ALTER TABLE orders DROP COLUMN tags;\n",
    );
    repo.commit("b");
    let clones = tempfile::tempdir().unwrap();
    let url = format!("file://{}", repo.path().display());
    common::git_in(
        clones.path(),
        &[
            "clone",
            "-q",
            "--depth",
            "1",
            "--branch",
            "feature/a",
            &url,
            "ci",
        ],
    );
    let ci = clones.path().join("ci");
    common::git_in(
        &ci,
        &[
            "fetch",
            "-q",
            "--depth",
            "1",
            "origin",
            "main:refs/remotes/origin/main",
        ],
    );
    let run = run_in(&ci, &["check", "--base", "origin/main"]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("shallow"), "{}", run.stderr);
    assert!(run.stderr.contains("fetch-depth: 0"), "{}", run.stderr);
    let missing = run_in(&ci, &["check", "--base", "main"]);
    assert_eq!(missing.code, 2);
    assert!(
        missing.stderr.contains("git fetch --unshallow"),
        "{}",
        missing.stderr
    );
}

#[test]
fn empty_repository_and_unborn_branch_are_handled() {
    let repo = Repo::new();
    repo.migration(
        "20240101000000_init",
        "CREATE TABLE t (id int);\n",
        "DROP TABLE t;\n",
    );
    repo.git(&["add", "-A"]);
    let run = repo.sqlgate(&["check", "--staged", "--format", "json"]);
    assert_no_panic(&run);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn statements_of_a_templated_migration_are_kept_as_text_and_real_errors_still_reported() {
    let repo = shop();
    repo.branch("feature/refresh-tokens");
    // pop (Buffalo, GoTrue) renders SQL migrations as Go templates.
    repo.migration(
        "20240301120000_add_index_on_refresh_token",
        "CREATE TABLE IF NOT EXISTS {{ index .Options \"Namespace\" }}.refresh_tokens (\n\tid bigserial NOT NULL,\n\tsession_id uuid NULL,\n\tCONSTRAINT refresh_tokens_pkey PRIMARY KEY (id)\n);\n\
         create index if not exists refresh_token_session_id on {{ index .Options \"Namespace\" }}.refresh_tokens using btree (session_id);\n\
         ALTER TABLE orders ADD COLUMN note text,;\n",
        "DROP TABLE IF EXISTS {{ index .Options \"Namespace\" }}.refresh_tokens;\n",
    );
    repo.commit("templated");
    let run = repo.check("main");
    assert_no_panic(&run);
    let lines: Vec<u64> = run
        .findings()
        .iter()
        .filter(|f| f["rule"] == "syntax-error")
        .map(|f| f["line"].as_u64().unwrap_or(0))
        .collect();
    assert_eq!(lines, vec![7], "{}", run.stdout);
}
