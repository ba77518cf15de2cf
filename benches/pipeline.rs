//! End-to-end benchmark of the real binary on a generated repository:
//! 5,000 golang-migrate migrations over 2,000 commits. Measures
//! `check --staged` with one staged migration (with the history's Catalog
//! read from the cache, and with `--no-cache`, which replays all 5,000),
//! the same without the Catalog rules, `check --base` over a 50-commit
//! range (cached and not), a promotion check with three environments (each
//! environment branch holds about 5,000 migrations), `status` over them,
//! `lint` of the 5,000 migrations (every up and down replayed and
//! compared), and `lint` of 20 MB of SQL, with every rule and with every
//! rule but syntax-error off (what reading and parsing alone cost). Run with
//! `cargo bench --bench pipeline`; it prints the median of several runs.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const MIGRATIONS: usize = 5_000;
const COMMITS: usize = 2_000;
const RANGE: usize = 50;

fn migration_sql(i: usize) -> String {
    match i % 4 {
        0 => format!(
            "-- table {i}\nCREATE TABLE t{i} (\n    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n    name text NOT NULL,\n    created_at timestamptz NOT NULL DEFAULT now(),\n    payload jsonb NOT NULL DEFAULT '{{}}'::jsonb\n);\nCREATE INDEX idx_t{i}_created_at ON t{i} (created_at);\n"
        ),
        1 => format!("ALTER TABLE t{} ADD COLUMN note_{i} text;\nCOMMENT ON COLUMN t{}.note_{i} IS 'note {i}';\n", i - 1, i - 1),
        2 => format!(
            "CREATE OR REPLACE FUNCTION f{i}() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n    NEW.created_at := now();\n    RETURN NEW;\nEND;\n$$;\nCREATE TRIGGER trg_{i} BEFORE UPDATE ON t{} FOR EACH ROW EXECUTE FUNCTION f{i}();\n",
            i - 2
        ),
        _ => format!("CREATE UNIQUE INDEX idx_t{}_name ON t{} (lower(name)) WHERE name IS NOT NULL;\n", i - 3, i - 3),
    }
}

/// The down script that undoes `migration_sql(i)`.
fn down_sql(i: usize) -> String {
    match i % 4 {
        0 => format!("DROP TABLE t{i};\n"),
        1 => format!("ALTER TABLE t{} DROP COLUMN note_{i};\n", i - 1),
        2 => format!(
            "DROP TRIGGER trg_{i} ON t{};\nDROP FUNCTION f{i}();\n",
            i - 2
        ),
        _ => format!("DROP INDEX idx_t{}_name;\n", i - 3),
    }
}

fn name(i: usize) -> String {
    format!("db/migrations/{:06}_step_{i}", i + 1)
}

/// Writes the history with `git fast-import`: one commit per 2-3 migrations.
fn generate(repo: &Path) -> (String, String) {
    git(repo, &["init", "-q", "-b", "main"]);
    let mut stream = Vec::new();
    let mut next = 0;
    let mut mark = 0;
    for commit in 0..COMMITS {
        let branch = if commit < COMMITS - RANGE {
            "main"
        } else {
            "feature"
        };
        mark += 1;
        let message = format!("commit {commit}");
        writeln!(stream, "commit refs/heads/{branch}\nmark :{mark}\ncommitter Bench <bench@example.com> {} +0000", 1_700_000_000 + commit).unwrap();
        writeln!(stream, "data {}\n{message}", message.len()).unwrap();
        if commit > 0 {
            writeln!(stream, "from :{}", mark - 1).unwrap();
        }
        if commit == 0 {
            let config = "migrations:\n  - dir: db/migrations\n    layout: golang-migrate\n";
            writeln!(
                stream,
                "M 100644 inline .sqlgate.yml\ndata {}\n{config}",
                config.len()
            )
            .unwrap();
        }
        // Spread evenly (2 or 3 per commit), so that the feature range
        // adds migrations like every other stretch of history.
        let count = MIGRATIONS * (commit + 1) / COMMITS - next;
        for _ in 0..count {
            let up = migration_sql(next);
            let down = format!("-- undo step {next}\n{}", down_sql(next));
            writeln!(
                stream,
                "M 100644 inline {}.up.sql\ndata {}\n{up}",
                name(next),
                up.len()
            )
            .unwrap();
            writeln!(
                stream,
                "M 100644 inline {}.down.sql\ndata {}\n{down}",
                name(next),
                down.len()
            )
            .unwrap();
            next += 1;
        }
    }
    let mut child = Command::new("git")
        .args(["fast-import", "--quiet"])
        .current_dir(repo)
        .stdin(Stdio::piped())
        .spawn()
        .expect("git fast-import runs");
    child.stdin.take().unwrap().write_all(&stream).unwrap();
    assert!(child.wait().unwrap().success());
    git(repo, &["checkout", "-q", "-f", "feature"]);
    ("main".to_string(), "feature".to_string())
}

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .args(args)
        .current_dir(dir)
        .status()
        .expect("git runs");
    assert!(status.success(), "git {args:?}");
}

fn time(label: &str, dir: &Path, args: &[&str], runs: usize) -> Duration {
    let bin = env!("CARGO_BIN_EXE_sqlgate");
    let mut times = Vec::new();
    // One untimed run first: it reads the repository into the OS's page
    // cache (and, for a cached check, keeps the history's Catalog).
    for run in 0..=runs {
        let start = Instant::now();
        let out = Command::new(bin)
            .args(args)
            .current_dir(dir)
            .output()
            .expect("sqlgate runs");
        if run > 0 {
            times.push(start.elapsed());
        }
        assert!(
            out.status.code().unwrap_or(2) < 2,
            "{label}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    times.sort();
    let median = times[times.len() / 2];
    println!(
        "{label:<48} median {:>8.1} ms   min {:>8.1} ms   ({runs} runs)",
        ms(median),
        ms(times[0])
    );
    median
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    // SQLGATE_BENCH_DIR keeps the generated repository for profiling.
    let temp = tempfile::tempdir().expect("temp dir");
    let kept = std::env::var_os("SQLGATE_BENCH_DIR").map(std::path::PathBuf::from);
    let root = kept.unwrap_or_else(|| temp.path().to_path_buf());
    let dir = &root;
    let repo = dir.join("repo");
    std::fs::create_dir_all(&repo).unwrap();
    let start = Instant::now();
    let (main, feature) = generate(&repo);
    println!(
        "generated {MIGRATIONS} migrations over {COMMITS} commits in {:.1} s",
        start.elapsed().as_secs_f64()
    );
    // The generated pack is flushed to disk before anything is timed: the
    // kernel writing it back would slow the first series down.
    let _ = Command::new("sync").status();

    std::fs::write(
        repo.join(format!("{}.up.sql", name(MIGRATIONS))),
        migration_sql(MIGRATIONS),
    )
    .unwrap();
    std::fs::write(
        repo.join(format!("{}.down.sql", name(MIGRATIONS))),
        down_sql(MIGRATIONS),
    )
    .unwrap();
    git(&repo, &["add", "db/migrations"]);
    // The first check keeps the Catalog of the history in .git/sqlgate/cache;
    // the runs after it read it back (what a pre-commit hook sees from its
    // second commit on: each check keeps the state of the head it checked).
    time(
        "check --staged (one staged migration, history cached)",
        &repo,
        &["check", "--staged", "--quiet"],
        15,
    );
    let with_catalog = time(
        "check --staged --no-cache (replays the 5,000)",
        &repo,
        &["check", "--staged", "--quiet", "--no-cache"],
        15,
    );
    // The same check without the rules that replay the Catalog: the
    // difference is what reading, parsing and replaying every migration of
    // the directory costs.
    let no_catalog = dir.join("no-catalog.yml");
    std::fs::write(
        &no_catalog,
        "migrations:\n  - dir: db/migrations\n    layout: golang-migrate\nrules:\n  down-restores-schema: off\n  unknown-object: off\n  irreversible-change: off\n  empty-down: off\n",
    )
    .unwrap();
    let without = time(
        "check --staged, Catalog rules off",
        &repo,
        &[
            "check",
            "--staged",
            "--quiet",
            "--config",
            no_catalog.to_str().unwrap(),
        ],
        15,
    );
    println!(
        "Catalog replay of {MIGRATIONS} migrations (read, parse, replay): {:.1} ms",
        ms(with_catalog.saturating_sub(without))
    );
    git(&repo, &["reset", "-q"]);
    time(
        "check --staged (nothing staged)",
        &repo,
        &["check", "--staged", "--quiet"],
        15,
    );
    time(
        &format!("check --base {main} --head {feature} ({RANGE} commits), cached"),
        &repo,
        &["check", "--base", &main, "--head", &feature, "--quiet"],
        10,
    );
    time(
        &format!("check --base {main} --head {feature} ({RANGE} commits), --no-cache"),
        &repo,
        &[
            "check",
            "--base",
            &main,
            "--head",
            &feature,
            "--quiet",
            "--no-cache",
        ],
        10,
    );

    // Three environment branches along the history: prod 400 commits behind main, staging 340
    // behind, dev at main; promoting dev to staging brings about 170
    // migrations and compares three Plans of about 5,000 migrations each.
    git(&repo, &["branch", "-f", "env-prod", &format!("{main}~400")]);
    git(
        &repo,
        &["branch", "-f", "env-staging", &format!("{main}~340")],
    );
    git(&repo, &["branch", "-f", "env-dev", &main]);
    let envs = dir.join("environments.yml");
    std::fs::write(
        &envs,
        "migrations:\n  - dir: db/migrations\n    layout: golang-migrate\nenvironments:\n  - { name: dev, branch: env-dev }\n  - { name: staging, branch: env-staging }\n  - { name: prod, branch: env-prod }\n",
    )
    .unwrap();
    let envs = envs.to_string_lossy().into_owned();
    let plain = dir.join("plain.yml");
    std::fs::write(
        &plain,
        "migrations:\n  - dir: db/migrations\n    layout: golang-migrate\n",
    )
    .unwrap();
    let plain = plain.to_string_lossy().into_owned();
    for (label, config) in [
        ("check the same range without environments", &plain),
        ("check promotion dev -> staging (3 environments)", &envs),
    ] {
        time(
            label,
            &repo,
            &[
                "check",
                "--base",
                "env-staging",
                "--head",
                "env-dev",
                "--config",
                config,
                "--quiet",
            ],
            10,
        );
    }
    time(
        "status (3 environments)",
        &repo,
        &["status", "--config", &envs],
        10,
    );
    time(
        &format!("lint of the {MIGRATIONS} migrations (each replayed, up then down)"),
        &repo,
        &["lint", "db/migrations", "--quiet"],
        5,
    );

    let lint_dir = dir.join("lint");
    std::fs::create_dir_all(lint_dir.join("migrations")).unwrap();
    let mut bytes = 0;
    let mut i = 0;
    while bytes < 20 * 1024 * 1024 {
        let mut sql = String::new();
        for j in 0..40 {
            sql.push_str(&migration_sql(i * 40 + j + 4));
        }
        bytes += sql.len();
        std::fs::write(
            lint_dir.join(format!("migrations/{:06}_bulk_{i}.sql", i + 1)),
            sql,
        )
        .unwrap();
        i += 1;
    }
    let median = time(
        &format!(
            "lint {:.1} MB of SQL in {i} files",
            bytes as f64 / 1048576.0
        ),
        &lint_dir,
        &["lint", "migrations", "--quiet"],
        5,
    );
    println!(
        "lint throughput: {:.1} MB/s",
        bytes as f64 / 1048576.0 / median.as_secs_f64()
    );

    // The floor under the rules: reading, splitting and parsing alone.
    let rules = Command::new(env!("CARGO_BIN_EXE_sqlgate"))
        .args(["rules", "--color", "never"])
        .output()
        .expect("sqlgate rules runs");
    let rules = String::from_utf8_lossy(&rules.stdout);
    let mut parse_only = String::from("rules:\n");
    for id in rules.lines().filter_map(|l| l.split_whitespace().next()) {
        if id != "syntax-error" {
            parse_only.push_str(&format!("  {id}: off\n"));
        }
    }
    let parse_only_config = dir.join("parse-only.yml");
    std::fs::write(&parse_only_config, parse_only).unwrap();
    let median = time(
        "lint of the same, every rule but syntax-error off",
        &lint_dir,
        &[
            "lint",
            "migrations",
            "--quiet",
            "--config",
            parse_only_config.to_str().unwrap(),
        ],
        5,
    );
    println!(
        "read, split and parse throughput: {:.1} MB/s",
        bytes as f64 / 1048576.0 / median.as_secs_f64()
    );
}
