//! Helpers that build real git repositories in temp directories and run the
//! real `sqlgate` binary on them. Scenarios read like the story they test.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

/// A git repository in a temp directory.
pub struct Repo {
    dir: tempfile::TempDir,
}

/// What a run of sqlgate printed and returned.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// The findings of a `--format json` run.
    pub fn findings(&self) -> Vec<Value> {
        serde_json::from_str::<Value>(&self.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}\n{}", self.stdout, self.stderr))
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    /// The rule ids of a `--format json` run, in order.
    pub fn rules(&self) -> Vec<String> {
        self.findings()
            .iter()
            .map(|f| f["rule"].as_str().unwrap_or("").to_string())
            .collect()
    }

    /// The messages of one rule's findings, in order.
    pub fn messages(&self, rule: &str) -> Vec<String> {
        self.findings()
            .iter()
            .filter(|f| f["rule"] == rule)
            .map(|f| f["message"].as_str().unwrap_or("").to_string())
            .collect()
    }

    /// The first finding of a rule.
    pub fn finding(&self, rule: &str) -> Value {
        self.findings()
            .into_iter()
            .find(|f| f["rule"] == rule)
            .unwrap_or_else(|| panic!("no {rule} finding in {}\n{}", self.stdout, self.stderr))
    }
}

/// Removes the CI variables from a command's environment.
pub fn without_ci(cmd: &mut Command) -> &mut Command {
    for var in CI_VARS {
        cmd.env_remove(var);
    }
    cmd
}

pub fn git_in(dir: &Path, args: &[&str]) -> String {
    let out = without_ci(&mut Command::new("git"))
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_DATE", "2024-03-01T12:00:00Z")
        .env("GIT_COMMITTER_DATE", "2024-03-01T12:00:00Z")
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

pub fn sqlgate_bin() -> &'static str {
    env!("CARGO_BIN_EXE_sqlgate")
}

/// The variables by which sqlgate detects a CI and its pull request: a test
/// run inside CI must not pick them up.
pub const CI_VARS: &[&str] = &[
    "CI",
    "GITHUB_ACTIONS",
    "GITHUB_BASE_REF",
    "GITHUB_EVENT_NAME",
    "GITHUB_EVENT_PATH",
    "GITHUB_STEP_SUMMARY",
    "GITLAB_CI",
    "CI_MERGE_REQUEST_TARGET_BRANCH_NAME",
    "CI_MERGE_REQUEST_TARGET_BRANCH_SHA",
    "CI_MERGE_REQUEST_DIFF_BASE_SHA",
    "CI_PIPELINE_SOURCE",
    "HARNESS_BUILD_ID",
    "HARNESS_PIPELINE_ID",
    "HARNESS_ACCOUNT_ID",
    "DRONE",
    "DRONE_TARGET_BRANCH",
    "DRONE_BUILD_EVENT",
    "BITBUCKET_BUILD_NUMBER",
    "BITBUCKET_PR_DESTINATION_BRANCH",
    "BITBUCKET_PR_ID",
    "TF_BUILD",
    "SYSTEM_PULLREQUEST_TARGETBRANCH",
    "BUILD_REASON",
    "JENKINS_URL",
    "JENKINS_HOME",
    "CHANGE_TARGET",
    "CHANGE_ID",
    "GITHUB_HEAD_REF",
    "GITHUB_WORKSPACE",
    "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME",
    "CI_COMMIT_BEFORE_SHA",
];

/// A sqlgate command in `dir`, outside any CI, without colours.
pub fn sqlgate_command(dir: &Path) -> Command {
    let mut cmd = Command::new(sqlgate_bin());
    cmd.current_dir(dir)
        .env_remove("GIT_DIR")
        .env("NO_COLOR", "1");
    for var in CI_VARS {
        cmd.env_remove(var);
    }
    cmd
}

pub fn run_in(dir: &Path, args: &[&str]) -> Run {
    let out: Output = sqlgate_command(dir)
        .args(args)
        .output()
        .expect("sqlgate runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

impl Repo {
    /// An empty repository on branch `main`.
    pub fn new() -> Repo {
        let dir = tempfile::tempdir().expect("temp dir");
        git_in(dir.path(), &["init", "-q", "-b", "main"]);
        git_in(dir.path(), &["config", "user.name", "Dana Reviewer"]);
        git_in(dir.path(), &["config", "user.email", "dana@example.com"]);
        git_in(dir.path(), &["config", "commit.gpgsign", "false"]);
        git_in(dir.path(), &["config", "core.autocrlf", "false"]);
        Repo { dir }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes a file (creating directories).
    pub fn write(&self, path: &str, content: impl AsRef<[u8]>) -> &Self {
        let full = self.path().join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, content).unwrap();
        self
    }

    pub fn remove(&self, path: &str) -> &Self {
        git_in(self.path(), &["rm", "-q", path]);
        self
    }

    pub fn git(&self, args: &[&str]) -> String {
        git_in(self.path(), args)
    }

    /// Stages everything and commits.
    pub fn commit(&self, message: &str) -> String {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "--allow-empty", "-m", message]);
        self.git(&["rev-parse", "HEAD"])
    }

    pub fn branch(&self, name: &str) -> &Self {
        self.git(&["checkout", "-q", "-b", name]);
        self
    }

    pub fn checkout(&self, name: &str) -> &Self {
        self.git(&["checkout", "-q", name]);
        self
    }

    /// Runs sqlgate with these arguments in the repository.
    pub fn sqlgate(&self, args: &[&str]) -> Run {
        run_in(self.path(), args)
    }

    /// `sqlgate check --base <base> --format json`.
    pub fn check(&self, base: &str) -> Run {
        self.sqlgate(&["check", "--base", base, "--format", "json"])
    }

    /// A golang-migrate pair in `db/migrations`.
    pub fn migration(&self, name: &str, up: &str, down: &str) -> &Self {
        self.write(&format!("db/migrations/{name}.up.sql"), up);
        self.write(&format!("db/migrations/{name}.down.sql"), down);
        self
    }

    pub fn dir_path(&self) -> PathBuf {
        self.path().to_path_buf()
    }
}

/// main has three golang-migrate migrations (users, orders, an index). The
/// team sets lock_timeout on its migration role, so `lock-timeout-missing`
/// is off.
pub fn shop() -> Repo {
    let repo = Repo::new();
    repo.write(
        ".sqlgate.yml",
        "dialect: postgres\ntrunk: main\nmigrations:\n  - dir: db/migrations\n    layout: golang-migrate\nrules:\n  lock-timeout-missing: off # ALTER ROLE migrator SET lock_timeout = '5s'\n",
    );
    repo.migration(
        "20240101090000_create_users",
        "CREATE TABLE users (\n    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n    email text NOT NULL\n);\n",
        "DROP TABLE users;\n",
    );
    repo.migration(
        "20240115100000_create_orders",
        "CREATE TABLE orders (\n    id bigint PRIMARY KEY,\n    user_id bigint NOT NULL REFERENCES users (id),\n    total_cents bigint NOT NULL\n);\n",
        "DROP TABLE orders;\n",
    );
    repo.migration(
        "20240201080000_index_orders_user_id",
        "CREATE INDEX idx_orders_user_id ON orders (user_id);\n",
        "DROP INDEX idx_orders_user_id;\n",
    );
    repo.write("README.md", "shop\n");
    repo.commit("three migrations");
    repo
}

/// `atlas.sum` for files (name, text), as `atlas migrate hash` writes it.
pub fn atlas_sum(files: &[(&str, &str)]) -> String {
    let owned: Vec<(String, Vec<u8>)> = files
        .iter()
        .map(|(n, t)| (n.to_string(), t.as_bytes().to_vec()))
        .collect();
    let atlas = sqlgate::layout::atlas::hash_files(&owned);
    sqlgate::layout::atlas::sum_file_text(&atlas)
}
