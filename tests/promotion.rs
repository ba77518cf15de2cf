//! Promotion between environments end to end: real repositories with
//! environment branches (develop -> release -> main) and with a trunk whose
//! deploy refs (`refs/tags/deployed/<env>`) the deploy pipeline moves; the
//! real binary, the real hooks and a real `git push`.

mod common;

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{run_in, Repo, Run, CI_VARS};
use serde_json::Value;

const BRANCHES_CONFIG: &str = "\
dialect: postgres
trunk: develop
migrations:
  - dir: db/migrations
    layout: golang-migrate
environments:
  - { name: dev, branch: develop }
  - { name: staging, branch: release }
  - { name: prod, branch: main }
";

/// main (prod), release (staging) and develop (dev) all have the users and
/// orders tables and the order status enum.
fn branches() -> Repo {
    let repo = Repo::new();
    repo.write(".sqlgate.yml", BRANCHES_CONFIG);
    repo.migration(
        "20240101090000_create_users",
        "CREATE TABLE users (\n    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n    email text NOT NULL\n);\n",
        "DROP TABLE users;\n",
    );
    repo.migration(
        "20240115100000_create_orders",
        "CREATE TYPE order_status AS ENUM ('pending', 'paid', 'shipped');\n\nCREATE TABLE orders (\n    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n    user_id bigint NOT NULL REFERENCES users (id),\n    status order_status NOT NULL DEFAULT 'pending'\n);\n",
        "DROP TABLE orders;\nDROP TYPE order_status;\n",
    );
    repo.write("README.md", "shop\n");
    repo.commit("users and orders");
    repo.git(&["branch", "release"]);
    repo.git(&["branch", "develop"]);
    repo
}

/// Adds the `add_phone` migration (`phone text`) and commits it.
fn add_phone(repo: &Repo, column_type: &str) -> String {
    repo.migration(
        "20240201090000_add_phone",
        &format!("ALTER TABLE users ADD COLUMN phone {column_type};\n"),
        "ALTER TABLE users DROP COLUMN phone;\n",
    );
    repo.commit("users have a phone number")
}

/// Adds the `touch_updated_at` trigger function migration and commits it.
fn add_touch_function(repo: &Repo) -> String {
    repo.migration(
        "20240210120000_touch_updated_at",
        "ALTER TABLE orders ADD COLUMN updated_at timestamptz;\n\nCREATE FUNCTION touch_updated_at() RETURNS trigger\nLANGUAGE plpgsql AS $$\nBEGIN\n    NEW.updated_at := now();\n    RETURN NEW;\nEND;\n$$;\n\nCREATE TRIGGER orders_touch BEFORE UPDATE ON orders\nFOR EACH ROW EXECUTE FUNCTION touch_updated_at();\n",
        "DROP TRIGGER orders_touch ON orders;\nDROP FUNCTION touch_updated_at();\nALTER TABLE orders DROP COLUMN updated_at;\n",
    );
    repo.commit("orders keep their update time")
}

fn check(repo: &Repo, args: &[&str]) -> Run {
    let mut all = vec!["check", "--format", "json"];
    all.extend_from_slice(args);
    repo.sqlgate(&all)
}

fn with_rule(run: &Run, rule: &str) -> Vec<Value> {
    run.findings()
        .into_iter()
        .filter(|f| f["rule"] == rule)
        .collect()
}

fn message(f: &Value) -> &str {
    f["message"].as_str().unwrap_or("")
}

#[test]
fn promoting_develop_into_release_with_what_dev_ran_passes() {
    let repo = branches();
    repo.checkout("develop");
    add_phone(&repo, "text");
    add_touch_function(&repo);

    let run = check(&repo, &["--base", "release", "--head", "develop", "-v"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(run.findings().is_empty(), "{}", run.stdout);
    assert!(
        run.stderr.contains("promotion: dev (develop) at")
            && run.stderr.contains("staging (release) (target)"),
        "the promotion rules did not run:\n{}",
        run.stderr
    );
}

#[test]
fn a_feature_merged_into_release_without_going_through_develop_is_refused() {
    let repo = branches();
    repo.checkout("release").branch("quick-fix");
    let commit = add_phone(&repo, "text");

    let run = check(&repo, &["--base", "release", "--head", "quick-fix"]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let f = &with_rule(&run, "promotion-skips-environment")[0];
    let text = message(f);
    assert!(
        text.contains("20240201090000_add_phone.up.sql")
            && text.contains("staging (release)")
            && text.contains("dev (develop)"),
        "{text}"
    );
    assert_eq!(f["commit"], commit.as_str(), "{f}");
    assert_eq!(f["path"], "db/migrations/20240201090000_add_phone.up.sql");
}

#[test]
fn the_target_is_found_from_the_option_and_from_the_ci_target_branch() {
    let repo = branches();
    repo.checkout("release").branch("quick-fix");
    add_phone(&repo, "text");
    // Compared with the commit the branch started from, the target is only
    // known from --target or the CI's pull request target.
    let base = repo.git(&["rev-parse", "release"]);
    let plain = check(&repo, &["--base", &base, "--head", "quick-fix"]);
    assert!(with_rule(&plain, "promotion-skips-environment").is_empty());

    let targeted = check(
        &repo,
        &[
            "--base",
            &base,
            "--head",
            "quick-fix",
            "--target",
            "staging",
        ],
    );
    assert_eq!(
        with_rule(&targeted, "promotion-skips-environment").len(),
        1,
        "{}",
        targeted.stdout
    );

    let out = common::sqlgate_command(repo.path())
        .args(["check", "--format", "json", "--head", "quick-fix"])
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_EVENT_NAME", "pull_request")
        .env("GITHUB_BASE_REF", "release")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("promotion-skips-environment"), "{stdout}");

    // Given a commit as the base, the merge request's target still says
    // which environment the change is for.
    let out = common::sqlgate_command(repo.path())
        .args([
            "check",
            "--format",
            "json",
            "--base",
            &base,
            "--head",
            "quick-fix",
        ])
        .env("GITLAB_CI", "true")
        .env("CI_PIPELINE_SOURCE", "merge_request_event")
        .env("CI_MERGE_REQUEST_TARGET_BRANCH_NAME", "release")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("promotion-skips-environment"), "{stdout}");

    let typo = check(&repo, &["--base", "release", "--target", "stagign"]);
    assert_eq!(typo.code, 2, "{}", typo.stderr);
    assert!(
        typo.stderr.contains("did you mean `staging`?"),
        "{}",
        typo.stderr
    );
}

#[test]
fn promoting_a_later_migration_without_the_earlier_one_is_a_gap() {
    let repo = branches();
    repo.checkout("develop");
    add_phone(&repo, "text");
    let later = add_touch_function(&repo);
    repo.checkout("release").branch("promote-touch");
    repo.git(&["cherry-pick", &later]);

    let run = check(&repo, &["--base", "release", "--head", "promote-touch"]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let f = &with_rule(&run, "promotion-gap")[0];
    let text = message(f);
    assert!(
        text.contains("20240210120000_touch_updated_at.up.sql")
            && text.contains("before 20240201090000_add_phone.up.sql")
            && text.contains("staging (release)")
            && text.contains("dev (develop)"),
        "{text}"
    );
    let label = &f["labels"][1];
    assert_eq!(label["side"], "environment", "{f}");
    assert_eq!(
        label["path"],
        "db/migrations/20240201090000_add_phone.up.sql"
    );
    assert_eq!(label["line"], 1, "{label}");
    assert!(f["commit"].as_str().is_some_and(|c| c.len() == 40), "{f}");
    assert!(with_rule(&run, "promotion-skips-environment").is_empty());
}

#[test]
fn the_same_version_with_other_content_in_prod_is_drift_shown_on_both_sides() {
    let repo = branches();
    repo.checkout("main");
    add_phone(&repo, "varchar(20)");
    repo.checkout("develop");
    let ours = add_phone(&repo, "text");

    let run = check(&repo, &["--base", "release", "--head", "develop"]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let drift = with_rule(&run, "promotion-drift");
    assert_eq!(drift.len(), 1, "{}", run.stdout);
    let f = &drift[0];
    assert!(
        message(f).contains("differs between staging (release) and prod (main)"),
        "{}",
        message(f)
    );
    assert_eq!(f["path"], "db/migrations/20240201090000_add_phone.up.sql");
    assert_eq!(f["line"], 1);
    let label = &f["labels"][1];
    assert_eq!(label["side"], "environment", "{f}");
    assert!(
        label["message"].as_str().unwrap().contains("prod"),
        "{label}"
    );
    assert_eq!(label["end_column"], 48, "{label}");
    assert_eq!(f["commit"], ours.as_str());
    let human = repo.sqlgate(&["check", "--base", "release", "--head", "develop"]);
    assert!(
        human.stdout.contains("phone varchar(20)"),
        "{}",
        human.stdout
    );
    assert!(human.stdout.contains("phone text"), "{}", human.stdout);
}

#[test]
fn a_hotfix_in_prod_is_reported_on_develop_until_it_is_merged_back() {
    let repo = branches();
    repo.checkout("main").branch("hotfix");
    repo.migration(
        "20240120080000_orders_paid_at",
        "ALTER TABLE orders ADD COLUMN paid_at timestamptz;\n",
        "ALTER TABLE orders DROP COLUMN paid_at;\n",
    );
    let hotfix = repo.commit("hotfix: orders record when they were paid");
    repo.checkout("main");
    repo.git(&["merge", "-q", "--no-ff", "hotfix", "-m", "Merge hotfix"]);
    repo.checkout("develop").branch("feature");
    add_phone(&repo, "text");

    let run = check(&repo, &["--base", "develop", "--head", "feature"]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let f = &with_rule(&run, "hotfix-not-backported")[0];
    let text = message(f);
    assert!(
        text.contains("20240120080000_orders_paid_at.up.sql")
            && text.contains("prod (main)")
            && text.contains("dev (develop)"),
        "{text}"
    );
    assert_eq!(f["commit"], hotfix.as_str(), "{f}");

    // The back-merge of main into develop clears it, also for a feature
    // branch that started before it.
    repo.checkout("develop");
    repo.git(&["merge", "-q", "--no-ff", "main", "-m", "Merge main back"]);
    let run = check(&repo, &["--base", "develop", "--head", "feature"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    repo.checkout("feature");
    repo.git(&["merge", "-q", "--no-ff", "develop", "-m", "Merge develop"]);
    let run = check(&repo, &["--base", "develop", "--head", "feature"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(run.findings().is_empty(), "{}", run.stdout);
}

#[test]
fn a_new_migration_older_than_one_deployed_to_prod_breaks_version_order() {
    let repo = branches();
    repo.checkout("main");
    repo.migration(
        "20240305080000_orders_paid_at",
        "ALTER TABLE orders ADD COLUMN paid_at timestamptz;\n",
        "ALTER TABLE orders DROP COLUMN paid_at;\n",
    );
    repo.commit("hotfix: orders record when they were paid");
    repo.checkout("develop").branch("feature");
    let commit = add_phone(&repo, "text");

    let run = check(&repo, &["--base", "develop", "--head", "feature"]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let f = &with_rule(&run, "version-order")[0];
    assert!(
        message(f).contains(
            "20240305080000_orders_paid_at.up.sql, which is already deployed to prod (main)"
        ),
        "{}",
        message(f)
    );
    assert_eq!(f["commit"], commit.as_str());
}

#[test]
fn dev_only_seed_directory_promoted_to_staging_is_refused() {
    let repo = branches();
    repo.checkout("main");
    repo.write(
        ".sqlgate.yml",
        format!(
            "{}\n",
            BRANCHES_CONFIG
                .replace(
                    "    layout: golang-migrate\n",
                    "    layout: golang-migrate\n  - dir: db/dev-seeds\n    layout: golang-migrate\n"
                )
                .replace(
                    "{ name: dev, branch: develop }",
                    "{ name: dev, branch: develop, only: [db/dev-seeds] }"
                )
        ),
    );
    repo.commit("dev seeds have their own directory");
    repo.git(&["branch", "-f", "release", "main"]);
    repo.git(&["branch", "-f", "develop", "main"]);
    repo.checkout("develop");
    repo.write(
        "db/dev-seeds/20240202090000_demo_users.up.sql",
        "INSERT INTO users (email)\nSELECT 'demo' || n || '@example.com' FROM generate_series(1, 50) AS n;\n",
    );
    repo.write(
        "db/dev-seeds/20240202090000_demo_users.down.sql",
        "DELETE FROM users WHERE email LIKE 'demo%@example.com';\n",
    );
    repo.commit("demo users for dev");

    let run = check(&repo, &["--base", "release", "--head", "develop"]);
    let f = &with_rule(&run, "environment-only-change")[0];
    assert!(
        message(f).contains("meant for dev only but would run in staging (release)"),
        "{}",
        message(f)
    );
    let dev = check(
        &repo,
        &["--base", "main", "--head", "develop", "--target", "dev"],
    );
    assert!(
        with_rule(&dev, "environment-only-change").is_empty(),
        "{}",
        dev.stdout
    );
}

// --- trunk + deploy refs -------------------------------------------------

const TRUNK_CONFIG: &str = "\
dialect: postgres
trunk: main
migrations:
  - dir: db/migrations
    layout: golang-migrate
environments:
  - { name: dev, ref: refs/heads/main }
  - { name: staging, ref: refs/tags/deployed/staging }
  - { name: prod, ref: refs/tags/deployed/prod }
";

/// main has users, then orders, then add_phone; prod is deployed at users
/// and orders' commit, staging at the same commit.
fn trunk() -> (Repo, String) {
    let repo = Repo::new();
    repo.write(".sqlgate.yml", TRUNK_CONFIG);
    repo.migration(
        "20240101090000_create_users",
        "CREATE TABLE users (\n    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n    email text NOT NULL\n);\n",
        "DROP TABLE users;\n",
    );
    repo.migration(
        "20240115100000_create_orders",
        "CREATE TABLE orders (\n    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n    user_id bigint NOT NULL REFERENCES users (id)\n);\n",
        "DROP TABLE orders;\n",
    );
    repo.commit("users and orders");
    repo.git(&["tag", "deployed/staging"]);
    repo.git(&["tag", "deployed/prod"]);
    let phone = add_phone(&repo, "text");
    (repo, phone)
}

#[test]
fn moving_prod_s_deploy_ref_past_staging_is_refused_and_in_step_is_accepted() {
    let (repo, phone) = trunk();
    let run = check(
        &repo,
        &[
            "--base",
            "deployed/prod",
            "--head",
            "main",
            "--target",
            "prod",
        ],
    );
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let f = &with_rule(&run, "promotion-skips-environment")[0];
    assert!(
        message(f).contains("would reach prod (refs/tags/deployed/prod) without being in staging (refs/tags/deployed/staging)"),
        "{}",
        message(f)
    );
    assert_eq!(f["commit"], phone.as_str());

    repo.git(&["tag", "-f", "deployed/staging", "main"]);
    let run = check(
        &repo,
        &[
            "--base",
            "deployed/prod",
            "--head",
            "main",
            "--target",
            "prod",
        ],
    );
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
}

#[test]
fn a_pull_request_into_the_trunk_is_checked_against_every_deploy_ref() {
    let (repo, _) = trunk();
    repo.git(&["tag", "-f", "deployed/staging", "main"]);
    repo.git(&["tag", "-f", "deployed/prod", "main"]);
    repo.git(&["checkout", "-q", "-b", "feature", "main~1"]);
    repo.migration(
        "20240125100000_orders_total",
        "ALTER TABLE orders ADD COLUMN total_cents bigint;\n",
        "ALTER TABLE orders DROP COLUMN total_cents;\n",
    );
    repo.commit("orders have a total");
    let run = check(&repo, &["--base", "main", "--head", "feature"]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    // The plain ordering finding names main; no per-environment duplicate.
    assert_eq!(with_rule(&run, "version-order").len(), 1, "{}", run.stdout);
}

const LIQUIBASE_CONFIG: &str = "\
dialect: postgres
trunk: main
environments:
  - { name: dev, ref: refs/heads/main, contexts: [dev] }
  - { name: prod, ref: refs/tags/deployed/prod }
";

const CHANGELOG: &str = "--liquibase formatted sql

--changeset alice:create-users
CREATE TABLE users (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email text NOT NULL
);
--rollback DROP TABLE users;
";

#[test]
fn a_dev_context_changeset_reaching_prod_without_contexts_and_a_typo_are_refused() {
    let repo = Repo::new();
    repo.write(".sqlgate.yml", LIQUIBASE_CONFIG);
    repo.write("db/changelog/001-users.sql", CHANGELOG);
    repo.commit("users");
    repo.git(&["tag", "deployed/prod"]);
    repo.branch("seed");
    repo.write(
        "db/changelog/001-users.sql",
        format!("{CHANGELOG}\n--changeset alice:seed-users context:dev\nINSERT INTO users (email) VALUES ('dev@example.com');\n--rollback DELETE FROM users WHERE email = 'dev@example.com';\n\n--changeset bob:audit context:\"dev and !prdo\"\nCREATE TABLE audit_log (id bigint PRIMARY KEY, note text);\n--rollback DROP TABLE audit_log;\n"),
    );
    repo.commit("seed a dev user, audit log");

    let run = check(&repo, &["--base", "main", "--head", "seed"]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let only = with_rule(&run, "environment-only-change");
    assert!(!only.is_empty(), "{}", run.stdout);
    assert!(
        message(&only[0]).contains("seed-users")
            && message(&only[0]).contains("would run in prod")
            && message(&only[0]).contains("deploys without contexts"),
        "{}",
        message(&only[0])
    );
    let typo = &with_rule(&run, "unknown-context")[0];
    assert!(
        message(typo).contains("context `prdo`"),
        "{}",
        message(typo)
    );
    assert_eq!(typo["line"], 14, "{typo}");
}

// --- hooks ---------------------------------------------------------------

/// PATH with the binary under test first, as a user's shell would have it.
fn path_with_sqlgate() -> OsString {
    let bin = Path::new(common::sqlgate_bin())
        .parent()
        .unwrap()
        .to_path_buf();
    let mut dirs = vec![bin];
    dirs.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    std::env::join_paths(dirs).unwrap()
}

/// Runs git in `dir` with sqlgate on PATH and no CI in the environment.
fn git(dir: &Path, args: &[&str]) -> Run {
    let mut cmd = Command::new("git");
    cmd.args(args)
        .current_dir(dir)
        .env("PATH", path_with_sqlgate())
        .env("NO_COLOR", "1")
        .env_remove("SQLGATE")
        .env_remove("SQLGATE_MISSING");
    for var in CI_VARS {
        cmd.env_remove(var);
    }
    let out = cmd.output().expect("git runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A bare repository that receives every branch and tag of `repo`.
fn remote_of(repo: &Repo) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shop.git");
    let run = git(
        dir.path(),
        &["init", "-q", "--bare", "-b", "main", "shop.git"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    repo.git(&["remote", "add", "origin", path.to_str().unwrap()]);
    let run = git(repo.path(), &["push", "-q", "origin", "--all"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = git(repo.path(), &["push", "-q", "origin", "--tags"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    repo.git(&["fetch", "-q", "origin"]);
    (dir, path)
}

fn tip(remote: &Path, name: &str) -> String {
    git(remote, &["rev-parse", "--verify", "-q", name])
        .stdout
        .trim()
        .to_string()
}

fn install(dir: &Path, args: &[&str]) {
    let mut all = vec!["install"];
    all.extend_from_slice(args);
    let run = run_in(dir, &all);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
}

#[test]
fn pushing_a_branch_onto_release_that_skips_develop_is_refused_by_pre_push() {
    let repo = branches();
    let (_dir, remote) = remote_of(&repo);
    install(repo.path(), &["--pre-push"]);
    repo.checkout("release").branch("quick-fix");
    add_phone(&repo, "text");
    let before = tip(&remote, "refs/heads/release");

    let run = git(repo.path(), &["push", "origin", "quick-fix:release"]);
    assert_ne!(run.code, 0, "the push went through:\n{}", run.stderr);
    assert!(
        run.stderr.contains("× promotion-skips-environment"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("environment staging"), "{}", run.stderr);
    assert!(run.stderr.contains("push refused"), "{}", run.stderr);
    assert_eq!(tip(&remote, "refs/heads/release"), before);

    // Through develop first, then release: accepted.
    let run = git(repo.path(), &["push", "-q", "origin", "quick-fix:develop"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = git(repo.path(), &["push", "-q", "origin", "quick-fix:release"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn moving_a_deploy_tag_past_staging_is_refused_by_the_servers_pre_receive() {
    let (repo, _) = trunk();
    let (_dir, remote) = remote_of(&repo);
    install(&remote, &[]);
    let before = tip(&remote, "refs/tags/deployed/prod");

    repo.git(&["tag", "-f", "deployed/prod", "main"]);
    let run = git(
        repo.path(),
        &["push", "-f", "origin", "refs/tags/deployed/prod"],
    );
    assert_ne!(run.code, 0, "the push went through:\n{}", run.stderr);
    assert!(
        run.stderr
            .contains("remote:   × promotion-skips-environment"),
        "{}",
        run.stderr
    );
    assert_eq!(tip(&remote, "refs/tags/deployed/prod"), before);

    repo.git(&["tag", "-f", "deployed/staging", "main"]);
    let run = git(
        repo.path(),
        &["push", "-f", "origin", "refs/tags/deployed/staging"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = git(
        repo.path(),
        &["push", "-f", "origin", "refs/tags/deployed/prod"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
}

// --- status --------------------------------------------------------------

#[test]
fn status_shows_each_migration_in_each_environment() {
    let repo = branches();
    repo.checkout("main");
    add_phone(&repo, "varchar(20)");
    repo.migration(
        "20240120080000_orders_paid_at",
        "ALTER TABLE orders ADD COLUMN paid_at timestamptz;\n",
        "ALTER TABLE orders DROP COLUMN paid_at;\n",
    );
    repo.commit("hotfix: orders record when they were paid");
    repo.checkout("develop");
    add_phone(&repo, "text");
    add_touch_function(&repo);

    let run = repo.sqlgate(&["status", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let table: Value = serde_json::from_str(&run.stdout).unwrap();
    let envs: Vec<&str> = table["environments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(envs, ["dev", "staging", "prod"]);
    let states = |name: &str| -> Vec<String> {
        let row = table["migrations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["migration"] == name)
            .unwrap_or_else(|| panic!("no row for {name}: {}", run.stdout));
        row["environments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["state"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        states("20240101090000_create_users.up.sql"),
        ["deployed", "deployed", "deployed"]
    );
    assert_eq!(
        states("20240120080000_orders_paid_at.up.sql"),
        ["missing", "missing", "deployed"]
    );
    assert_eq!(
        states("20240201090000_add_phone.up.sql"),
        ["drifted", "missing", "drifted"]
    );
    assert_eq!(
        states("20240210120000_touch_updated_at.up.sql"),
        ["deployed", "pending", "-"]
    );

    let text = repo.sqlgate(&["status"]);
    assert!(
        text.stdout.lines().next().unwrap().starts_with("migration")
            && text.stdout.contains("staging (release @"),
        "{}",
        text.stdout
    );
    let markdown = repo.sqlgate(&["status", "--format", "markdown"]);
    assert!(
        markdown
            .stdout
            .contains("| `20240210120000_touch_updated_at.up.sql` | deployed "),
        "{}",
        markdown.stdout
    );
    assert!(
        markdown.stdout.contains("| pending | - |"),
        "{}",
        markdown.stdout
    );
}

#[test]
fn status_without_environments_says_how_to_configure_them() {
    let repo = Repo::new();
    repo.write(".sqlgate.yml", "dialect: postgres\n");
    repo.commit("config");
    let run = repo.sqlgate(&["status"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("no environments are configured"),
        "{}",
        run.stderr
    );
}

#[test]
fn status_with_environments_not_yet_committed_says_it_reads_head() {
    let repo = Repo::new();
    repo.write(".sqlgate.yml", "dialect: postgres\n");
    repo.commit("config");
    repo.write(
        ".sqlgate.yml",
        "dialect: postgres\nenvironments:\n  - { name: dev, branch: develop }\n  - { name: prod, branch: main }\n",
    );
    let run = repo.sqlgate(&["status"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("no environments are configured in the .sqlgate.yml committed at HEAD"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("--config .sqlgate.yml"),
        "{}",
        run.stderr
    );
    let run = repo.sqlgate(&["status", "--config", ".sqlgate.yml"]);
    assert!(
        !run.stderr.contains("no environments are configured"),
        "{}",
        run.stderr
    );
}
