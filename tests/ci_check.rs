//! `sqlgate check` as a required pull-request check: the base found from
//! each CI's environment on real clones, shallow clones refused with the
//! fix for that CI, and a pull request that edits `.sqlgate.yml` to let
//! itself through.
//!
//! The story: main has three migrations; `develop` branched from main and
//! added 20240301000000_add_status; `feature` branched from main and adds
//! 20240220000000_add_notes. Against develop the feature's migration is
//! out of order (version-order); against main it is fine. So the finding
//! says which base sqlgate found.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{git_in, shop, sqlgate_bin, Repo, Run};

/// Runs sqlgate with exactly these environment variables (none inherited,
/// so the CI running this test suite does not leak into it).
fn sqlgate_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let out = Command::new(sqlgate_bin())
        .args(args)
        .current_dir(dir)
        .env_clear()
        .envs(env.iter().copied())
        .output()
        .expect("sqlgate runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

struct Origin {
    repo: Repo,
    develop_tip: String,
    merge_base: String,
}

/// main, develop (one migration ahead) and feature (one out-of-order
/// migration against develop), with feature checked out.
fn origin() -> Origin {
    let repo = shop();
    let merge_base = repo.git(&["rev-parse", "HEAD"]);
    repo.branch("develop");
    repo.migration(
        "20240301000000_add_status",
        "ALTER TABLE orders ADD COLUMN status text NOT NULL DEFAULT 'new';\n",
        "ALTER TABLE orders DROP COLUMN status;\n",
    );
    let develop_tip = repo.commit("status");
    repo.checkout("main");
    repo.branch("feature");
    repo.migration(
        "20240220000000_add_notes",
        "-- free text from the support team\nALTER TABLE orders ADD COLUMN notes text;\n",
        "ALTER TABLE orders DROP COLUMN notes;\n",
    );
    repo.commit("notes");
    Origin {
        repo,
        develop_tip,
        merge_base,
    }
}

/// Clones the origin's `feature` branch with these extra `git clone`
/// options into a new temp directory.
fn clone(origin: &Origin, options: &[&str]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("file://{}", origin.repo.path().display());
    let mut args = vec!["clone", "-q", "--branch", "feature"];
    args.extend_from_slice(options);
    args.extend_from_slice(&[&url, "ci"]);
    git_in(dir.path(), &args);
    let path = dir.path().join("ci");
    (dir, path)
}

const CHECK: &[&str] = &["check", "--format", "json", "-v"];

fn assert_found(run: &Run, base: &str) {
    assert!(
        run.stderr.contains(&format!("comparing with {base}\n")),
        "expected the base {base}:\n{}{}",
        run.stdout,
        run.stderr
    );
}

fn assert_out_of_order_against_develop(run: &Run) {
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert_eq!(run.rules(), vec!["version-order"]);
    assert!(run.finding("version-order")["message"]
        .as_str()
        .unwrap()
        .contains("20240301000000_add_status.up.sql"));
}

#[test]
fn github_pull_request_uses_the_base_ref_and_the_remote_branch_when_no_local_one() {
    let origin = origin();
    let (_tmp, ci) = clone(&origin, &[]);
    let event = ci.join("../event.json");
    std::fs::write(
        &event,
        format!(
            r#"{{"action": "synchronize", "pull_request": {{"number": 7, "base": {{"ref": "develop", "sha": "{}"}}}}}}"#,
            origin.develop_tip
        ),
    )
    .unwrap();
    let event = event.display().to_string();
    let env = [
        ("GITHUB_ACTIONS", "true"),
        ("CI", "true"),
        ("GITHUB_EVENT_NAME", "pull_request"),
        ("GITHUB_BASE_REF", "develop"),
        ("GITHUB_EVENT_PATH", event.as_str()),
    ];
    let run = sqlgate_env(&ci, CHECK, &env);
    assert_out_of_order_against_develop(&run);
    assert!(
        run.stderr
            .contains("GitHub Actions, target branch develop, base "),
        "{}",
        run.stderr
    );
    assert_found(&run, "origin/develop");
    let mut to_main = env;
    to_main[3] = ("GITHUB_BASE_REF", "main");
    let run = sqlgate_env(&ci, CHECK, &to_main);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_found(&run, "origin/main");
}

#[test]
fn github_merge_queue_reads_the_base_from_the_event() {
    let origin = origin();
    let event = origin.repo.path().join("../merge_group.json");
    std::fs::write(
        &event,
        format!(
            r#"{{"merge_group": {{"base_ref": "refs/heads/develop", "base_sha": "{}", "head_ref": "refs/heads/gh-readonly-queue/develop/pr-7"}}}}"#,
            origin.develop_tip
        ),
    )
    .unwrap();
    let event = event.display().to_string();
    let run = sqlgate_env(
        origin.repo.path(),
        CHECK,
        &[
            ("GITHUB_ACTIONS", "true"),
            ("GITHUB_EVENT_NAME", "merge_group"),
            ("GITHUB_EVENT_PATH", &event),
        ],
    );
    assert_out_of_order_against_develop(&run);
    assert_found(&run, "develop");
}

#[test]
fn gitlab_merge_request_falls_back_to_the_diff_base_sha_when_the_branch_is_not_fetched() {
    let origin = origin();
    let env = [
        ("GITLAB_CI", "true"),
        ("CI", "true"),
        ("CI_PIPELINE_SOURCE", "merge_request_event"),
        ("CI_MERGE_REQUEST_TARGET_BRANCH_NAME", "develop"),
        ("CI_MERGE_REQUEST_DIFF_BASE_SHA", origin.merge_base.as_str()),
    ];
    let (_tmp, full) = clone(&origin, &[]);
    let run = sqlgate_env(&full, CHECK, &env);
    assert_out_of_order_against_develop(&run);
    assert_found(&run, "origin/develop");
    let (_tmp2, single) = clone(&origin, &["--single-branch"]);
    let run = sqlgate_env(&single, CHECK, &env);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_found(&run, &origin.merge_base);
}

/// Each CI's variables for a pull request into develop.
fn pull_request_into_develop() -> Vec<(&'static str, Vec<(&'static str, &'static str)>)> {
    vec![
        (
            "GitLab CI",
            vec![
                ("GITLAB_CI", "true"),
                ("CI_PIPELINE_SOURCE", "merge_request_event"),
                ("CI_MERGE_REQUEST_TARGET_BRANCH_NAME", "develop"),
            ],
        ),
        (
            "Harness CI",
            vec![
                ("HARNESS_BUILD_ID", "118"),
                ("HARNESS_PIPELINE_ID", "migrations"),
                ("DRONE_BUILD_EVENT", "pull_request"),
                ("DRONE_TARGET_BRANCH", "develop"),
                ("DRONE_SOURCE_BRANCH", "feature"),
            ],
        ),
        (
            "Drone",
            vec![
                ("DRONE", "true"),
                ("CI", "true"),
                ("DRONE_BUILD_EVENT", "pull_request"),
                ("DRONE_TARGET_BRANCH", "develop"),
            ],
        ),
        (
            "Bitbucket Pipelines",
            vec![
                ("CI", "true"),
                ("BITBUCKET_BUILD_NUMBER", "41"),
                ("BITBUCKET_PR_ID", "9"),
                ("BITBUCKET_PR_DESTINATION_BRANCH", "develop"),
            ],
        ),
        (
            "Azure Pipelines",
            vec![
                ("TF_BUILD", "True"),
                ("BUILD_REASON", "PullRequest"),
                ("SYSTEM_PULLREQUEST_TARGETBRANCH", "refs/heads/develop"),
            ],
        ),
        (
            "Jenkins",
            vec![
                ("JENKINS_URL", "https://jenkins.example.com/"),
                ("CHANGE_ID", "9"),
                ("CHANGE_TARGET", "develop"),
            ],
        ),
    ]
}

#[test]
fn every_ci_finds_the_target_branch_locally_or_on_the_remote() {
    let origin = origin();
    let (_tmp, clone) = clone(&origin, &[]);
    for (name, env) in pull_request_into_develop() {
        let local = sqlgate_env(origin.repo.path(), CHECK, &env);
        assert!(local.stderr.contains(name), "{name}: {}", local.stderr);
        assert_out_of_order_against_develop(&local);
        assert_found(&local, "develop");
        let remote = sqlgate_env(&clone, CHECK, &env);
        assert_out_of_order_against_develop(&remote);
        assert_found(&remote, "origin/develop");
    }
}

#[test]
fn a_ci_run_that_is_not_for_a_pull_request_says_how_to_make_it_one() {
    let origin = origin();
    let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
        (
            vec![("GITHUB_ACTIONS", "true"), ("GITHUB_EVENT_NAME", "push")],
            "on: pull_request",
        ),
        (
            vec![("GITLAB_CI", "true"), ("CI_PIPELINE_SOURCE", "push")],
            "merge_request_event",
        ),
        (
            vec![
                ("DRONE", "true"),
                ("DRONE_BUILD_EVENT", "push"),
                ("DRONE_TARGET_BRANCH", "feature"),
            ],
            "pull request builds",
        ),
    ];
    for (env, hint) in cases {
        let run = sqlgate_env(origin.repo.path(), CHECK, &env);
        assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
        assert!(
            run.stderr.contains("not for a pull request"),
            "{}",
            run.stderr
        );
        assert!(run.stderr.contains(hint), "{}", run.stderr);
        assert!(run.stderr.contains("--base"), "{}", run.stderr);
    }
    let outside = sqlgate_env(origin.repo.path(), CHECK, &[]);
    assert_eq!(outside.code, 2);
    assert!(
        outside.stderr.contains("no base to compare with"),
        "{}",
        outside.stderr
    );
}

#[test]
fn a_shallow_clone_without_the_base_gets_the_fix_for_its_ci() {
    let origin = origin();
    let (_tmp, shallow) = clone(&origin, &["--depth", "1"]);
    let fixes = [
        ("GitLab CI", "`GIT_DEPTH: 0`"),
        ("Harness CI", "`depth: 0`"),
        ("Drone", "remove `depth` from the pipeline's `clone:`"),
        ("Bitbucket Pipelines", "`clone: depth: full`"),
        ("Azure Pipelines", "`fetchDepth: 0`"),
        ("Jenkins", "\"Shallow clone\""),
    ];
    for ((name, env), (fix_for, fix)) in pull_request_into_develop().into_iter().zip(fixes) {
        assert_eq!(name, fix_for);
        let run = sqlgate_env(&shallow, CHECK, &env);
        assert_eq!(run.code, 2, "{name}: {}{}", run.stdout, run.stderr);
        assert!(
            run.stderr
                .contains(&format!("error: {name}: this shallow clone does not have")),
            "{name}: {}",
            run.stderr
        );
        assert!(run.stderr.contains(fix), "{name}: {}", run.stderr);
    }
    let github = sqlgate_env(
        &shallow,
        CHECK,
        &[
            ("GITHUB_ACTIONS", "true"),
            ("GITHUB_EVENT_NAME", "pull_request"),
            ("GITHUB_BASE_REF", "develop"),
        ],
    );
    assert_eq!(github.code, 2);
    assert!(
        github.stderr.contains("`fetch-depth: 0`"),
        "{}",
        github.stderr
    );
}

#[test]
fn a_shallow_clone_with_the_target_fetched_but_not_the_merge_base_gets_the_fix_too() {
    let origin = origin();
    let (_tmp, shallow) = clone(&origin, &["--depth", "1"]);
    git_in(
        &shallow,
        &[
            "fetch",
            "-q",
            "--depth",
            "1",
            "origin",
            "develop:refs/remotes/origin/develop",
        ],
    );
    let gitlab = [
        ("GITLAB_CI", "true"),
        ("CI_MERGE_REQUEST_TARGET_BRANCH_NAME", "develop"),
    ];
    let run = sqlgate_env(&shallow, CHECK, &gitlab);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("does not reach the merge base"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("GIT_DEPTH: 0"), "{}", run.stderr);
    // An explicit --base in a CI gets that CI's fix as well.
    let explicit = sqlgate_env(&shallow, &["check", "--base", "main"], &gitlab);
    assert_eq!(explicit.code, 2);
    assert!(
        explicit.stderr.contains("GIT_DEPTH: 0"),
        "{}",
        explicit.stderr
    );
}

#[test]
fn pr_that_turns_off_version_order_and_adds_an_out_of_order_migration_still_fails() {
    let repo = shop();
    repo.branch("feature/late");
    repo.write(
        ".sqlgate.yml",
        "dialect: postgres\ntrunk: main\nmigrations:\n  - dir: db/migrations\n    layout: golang-migrate\nrules:\n  version-order: off\n",
    );
    repo.migration(
        "20240110000000_add_email_index",
        "CREATE INDEX CONCURRENTLY idx_users_email ON users (email);\n",
        "DROP INDEX idx_users_email;\n",
    );
    repo.commit("turn the ordering check off and add a late migration");
    let run = repo.check("main");
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert_eq!(run.rules(), vec!["config-weakened", "version-order"]);
    assert_eq!(run.finding("version-order")["severity"], "error");
    let weakened = run.finding("config-weakened");
    assert_eq!(weakened["severity"], "warning");
    assert_eq!(weakened["path"], ".sqlgate.yml");
    assert_eq!(weakened["line"], 7);
    assert_eq!(
        weakened["message"],
        "this change turns `version-order` off (error on main)"
    );
}

#[test]
fn deleting_the_configuration_points_at_what_main_had() {
    let repo = shop();
    repo.branch("feature/no-config");
    repo.remove(".sqlgate.yml");
    repo.commit("drop the config");
    let run = repo.check("main");
    let find = |message: &str| {
        run.findings()
            .into_iter()
            .find(|f| f["message"] == message)
            .unwrap_or_else(|| panic!("no finding {message:?} in {}", run.stdout))
    };
    let dir = find("this change no longer lists `db/migrations` under `migrations:`");
    assert_eq!(dir["line"], 4);
    assert_eq!(dir["labels"][0]["side"], "base");
    let trunk = find("this change removes `trunk` (main)");
    assert_eq!(trunk["line"], 2);
}

#[test]
fn a_configuration_that_no_longer_parses_is_reported_and_the_check_still_runs() {
    let repo = shop();
    repo.branch("feature/typo");
    repo.write(
        ".sqlgate.yml",
        "dialect: postgres\nmigrations:\n  - dir: db/migrations\n    layout: golang-migrate\nrules:\n  version-ordr: off\n",
    );
    repo.migration(
        "20240110000000_add_email_index",
        "CREATE INDEX CONCURRENTLY idx_users_email ON users (email);\n",
        "DROP INDEX idx_users_email;\n",
    );
    repo.commit("typo");
    let run = repo.check("main");
    assert_eq!(run.code, 1);
    assert_eq!(run.rules(), vec!["config-weakened", "version-order"]);
    let weakened = run.finding("config-weakened");
    assert_eq!(weakened["line"], 6);
    assert!(weakened["message"]
        .as_str()
        .unwrap()
        .contains("unknown rule `version-ordr`"));
    assert!(weakened["help"]
        .as_str()
        .unwrap()
        .starts_with("did you mean `version-order`?"));
}

#[test]
fn staging_a_weaker_configuration_is_reported_before_the_commit() {
    let repo = shop();
    repo.write(
        ".sqlgate.yml",
        "dialect: mysql\ntrunk: main\nmigrations:\n  - dir: db/migrations\n    layout: golang-migrate\n",
    );
    repo.git(&["add", ".sqlgate.yml"]);
    let run = repo.sqlgate(&["check", "--staged", "--format", "json"]);
    let weakened = run.finding("config-weakened");
    assert!(weakened["message"]
        .as_str()
        .unwrap()
        .starts_with("this change switches `dialect` from postgres to mysql"));
    assert_eq!(weakened["line"], 1);
    assert_eq!(run.code, 0, "a warning does not fail the check");
}
