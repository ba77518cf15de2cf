//! The hooks end to end: `sqlgate install`, then real `git commit` and
//! `git push` to a local bare remote, with the hook scripts finding the
//! binary under test on PATH.

mod common;

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{run_in, shop, sqlgate_bin, Repo, Run};

/// PATH with the binary under test first, as a user's shell would have it.
fn path_with_sqlgate() -> OsString {
    let bin = Path::new(sqlgate_bin()).parent().unwrap().to_path_buf();
    let mut dirs = vec![bin];
    dirs.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    std::env::join_paths(dirs).unwrap()
}

/// Runs git in `dir` with sqlgate on PATH; does not assert.
fn git_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new("git");
    common::without_ci(&mut cmd)
        .args(args)
        .current_dir(dir)
        .env("PATH", path_with_sqlgate())
        .env("NO_COLOR", "1")
        .env_remove("SQLGATE")
        .env_remove("SQLGATE_MISSING");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("git runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn git(dir: &Path, args: &[&str]) -> Run {
    git_env(dir, args, &[])
}

/// Runs git and insists that it succeeds.
fn git_ok(dir: &Path, args: &[&str]) -> String {
    let run = git(dir, args);
    assert_eq!(
        run.code, 0,
        "git {args:?} failed:\n{}{}",
        run.stdout, run.stderr
    );
    run.stdout.trim().to_string()
}

/// A bare repository in its own temp dir, the `origin` of `repo`, which
/// receives `repo`'s main.
struct Remote {
    _dir: tempfile::TempDir,
    path: PathBuf,
}

impl Remote {
    fn of(repo: &Repo) -> Remote {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("shop.git");
        git_ok(
            dir.path(),
            &["init", "-q", "--bare", "-b", "main", "shop.git"],
        );
        repo.git(&["remote", "add", "origin", path.to_str().unwrap()]);
        git_ok(repo.path(), &["push", "-q", "-u", "origin", "main"]);
        Remote { _dir: dir, path }
    }

    /// The commit a branch points at, or "" when it does not exist.
    fn tip(&self, branch: &str) -> String {
        let run = git(
            &self.path,
            &[
                "rev-parse",
                "--verify",
                "-q",
                &format!("refs/heads/{branch}"),
            ],
        );
        run.stdout.trim().to_string()
    }

    fn has_object(&self, id: &str) -> bool {
        git(&self.path, &["cat-file", "-e", id]).code == 0
    }
}

/// Everything a hook must leave as it found it: HEAD, refs, index, files.
fn state(dir: &Path) -> String {
    [
        git_ok(dir, &["rev-parse", "HEAD"]),
        git_ok(dir, &["for-each-ref"]),
        git_ok(dir, &["ls-files", "-s"]),
        git_ok(dir, &["status", "--porcelain", "--untracked-files=all"]),
    ]
    .join("\n")
}

const OUT_OF_ORDER: &str = "20240110000000_add_email_index";
const IN_ORDER: &str = "20240301120000_add_email_index";

/// Adds the email index migration under a name (not committed).
fn add_email_index(repo: &Repo, name: &str) {
    repo.migration(
        name,
        "CREATE INDEX CONCURRENTLY idx_users_email ON users (email);\n",
        "DROP INDEX idx_users_email;\n",
    );
}

fn install(dir: &Path, args: &[&str]) -> Run {
    let mut all = vec!["install"];
    all.extend_from_slice(args);
    let run = run_in(dir, &all);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    run
}

#[test]
fn installed_pre_commit_refuses_a_bad_migration_and_accepts_a_good_one() {
    let repo = shop();
    install(repo.path(), &[]);
    add_email_index(&repo, OUT_OF_ORDER);
    repo.git(&["add", "-A"]);
    let before = state(repo.path());

    let run = git(repo.path(), &["commit", "-q", "-m", "add email index"]);
    assert_ne!(run.code, 0, "the commit went through:\n{}", run.stderr);
    assert!(run.stderr.contains("× version-order"), "{}", run.stderr);
    assert!(run.stderr.contains("commit refused"), "{}", run.stderr);
    assert_eq!(
        state(repo.path()),
        before,
        "the hook changed the repository"
    );

    repo.git(&["rm", "-q", "--cached", "-r", "db/migrations"]);
    std::fs::remove_file(
        repo.path()
            .join(format!("db/migrations/{OUT_OF_ORDER}.up.sql")),
    )
    .unwrap();
    std::fs::remove_file(
        repo.path()
            .join(format!("db/migrations/{OUT_OF_ORDER}.down.sql")),
    )
    .unwrap();
    add_email_index(&repo, IN_ORDER);
    repo.git(&["add", "-A"]);
    let run = git(repo.path(), &["commit", "-q", "-m", "add email index"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stderr, "", "a passing hook prints nothing");
    assert_eq!(
        git_ok(repo.path(), &["log", "-1", "--format=%s"]),
        "add email index"
    );
}

#[test]
fn commit_all_and_commit_of_a_path_are_checked_through_gits_temporary_index() {
    let repo = shop();
    install(repo.path(), &["--pre-commit"]);
    let applied = "db/migrations/20240115100000_create_orders.up.sql";
    repo.write(applied, "CREATE TABLE orders (id bigint PRIMARY KEY);\n");
    // Nothing is staged: only the index git builds for the commit has the edit.
    for args in [
        vec!["commit", "-q", "-a", "-m", "edit orders"],
        vec!["commit", "-q", "-m", "edit orders", "--", applied],
    ] {
        let run = git(repo.path(), &args);
        assert_ne!(run.code, 0, "{args:?} went through");
        assert!(
            run.stderr.contains("applied-migration-modified"),
            "{}",
            run.stderr
        );
    }
    assert_eq!(
        git_ok(repo.path(), &["diff", "--cached", "--name-only"]),
        ""
    );
}

#[test]
fn a_commit_that_touches_no_migration_is_quiet_and_skips_the_check() {
    let repo = shop();
    install(repo.path(), &[]);
    repo.write("README.md", "shop, now with docs\n");
    repo.git(&["add", "-A"]);
    let verbose = repo.sqlgate(&["check", "--staged", "-v"]);
    assert!(
        verbose.stderr.contains("nothing to check"),
        "no fast path: {}",
        verbose.stderr
    );
    let run = git(repo.path(), &["commit", "-q", "-m", "docs"]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
}

#[test]
fn push_of_an_out_of_order_migration_is_refused_and_the_remote_is_unchanged() {
    let repo = shop();
    let remote = Remote::of(&repo);
    install(repo.path(), &["--pre-push"]);
    let published = remote.tip("main");
    add_email_index(&repo, OUT_OF_ORDER);
    repo.commit("add email index");
    let before = state(repo.path());

    let run = git(repo.path(), &["push", "origin", "main"]);
    assert_ne!(run.code, 0, "the push went through:\n{}", run.stderr);
    assert!(run.stderr.contains("× version-order"), "{}", run.stderr);
    assert!(
        run.stderr.contains("already on origin/main"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("push refused"), "{}", run.stderr);
    assert_eq!(remote.tip("main"), published);
    assert_eq!(
        state(repo.path()),
        before,
        "the hook changed the repository"
    );
}

#[test]
fn pre_receive_in_the_bare_remote_refuses_the_push_without_local_hooks() {
    let repo = shop();
    let remote = Remote::of(&repo);
    let run = install(&remote.path, &[]);
    assert!(run.stdout.contains("pre-receive"), "{}", run.stdout);
    assert!(!repo.path().join(".git/hooks/pre-push").exists());
    let published = remote.tip("main");
    add_email_index(&repo, OUT_OF_ORDER);
    let refused = repo.commit("add email index");

    let run = git(repo.path(), &["push", "origin", "main"]);
    assert_ne!(run.code, 0, "the push went through:\n{}", run.stderr);
    assert!(
        run.stderr.contains("remote:   × version-order"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("pre-receive hook declined"),
        "{}",
        run.stderr
    );
    assert_eq!(remote.tip("main"), published);
    assert!(!remote.has_object(&refused), "quarantined objects stayed");

    repo.git(&["reset", "-q", "--hard", "HEAD~1"]);
    add_email_index(&repo, IN_ORDER);
    let accepted = repo.commit("add email index");
    let run = git(repo.path(), &["push", "origin", "main"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stderr.contains("sqlgate"), "{}", run.stderr);
    assert_eq!(remote.tip("main"), accepted);
}

fn user_hook(path: &Path, body: &str) -> Vec<u8> {
    let text = format!("#!/bin/sh\n{body}\n");
    std::fs::write(path, &text).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o750)).unwrap();
    }
    text.into_bytes()
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode()
}

#[test]
#[cfg(unix)]
fn an_existing_user_hook_keeps_running_first_and_uninstall_restores_it() {
    let repo = shop();
    let hooks = repo.path().join(".git/hooks");
    let pre_commit = hooks.join("pre-commit");
    let original = user_hook(
        &pre_commit,
        "echo \"user hook $*\" >> \"$(git rev-parse --git-dir)/user-hook.log\"\nexit ${USER_HOOK_EXIT:-0}",
    );
    let original_mode = mode(&pre_commit);
    let run = install(repo.path(), &["--pre-commit"]);
    assert!(run.stdout.contains("pre-commit.local"), "{}", run.stdout);
    let run = install(repo.path(), &["--pre-commit"]);
    assert!(run.stdout.contains("already installed"), "{}", run.stdout);
    let log = repo.path().join(".git/user-hook.log");

    // The user's hook fails: the commit stops, whatever sqlgate thinks.
    repo.write("README.md", "docs\n");
    repo.git(&["add", "-A"]);
    let run = git_env(
        repo.path(),
        &["commit", "-q", "-m", "docs"],
        &[("USER_HOOK_EXIT", "1")],
    );
    assert_ne!(run.code, 0);
    assert_eq!(std::fs::read_to_string(&log).unwrap(), "user hook \n");

    // The user's hook passes and runs first; sqlgate still refuses.
    add_email_index(&repo, OUT_OF_ORDER);
    repo.git(&["add", "-A"]);
    let run = git(repo.path(), &["commit", "-q", "-m", "index"]);
    assert!(run.stderr.contains("version-order"), "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(&log).unwrap().lines().count(), 2);

    let run = run_in(repo.path(), &["uninstall"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("put"), "{}", run.stdout);
    assert_eq!(std::fs::read(&pre_commit).unwrap(), original);
    assert_eq!(mode(&pre_commit), original_mode);
    assert!(!hooks.join("pre-commit.local").exists());
    let run = run_in(repo.path(), &["uninstall"]);
    assert!(run.stdout.contains("no sqlgate hook"), "{}", run.stdout);
    assert_eq!(std::fs::read(&pre_commit).unwrap(), original);
}

#[test]
#[cfg(unix)]
fn a_chained_pre_push_hook_gets_the_same_arguments_and_refs() {
    let repo = shop();
    let _remote = Remote::of(&repo);
    user_hook(
        &repo.path().join(".git/hooks/pre-push"),
        "{ echo \"$1\"; cat; } > \"$(git rev-parse --git-dir)/pushed.txt\"",
    );
    install(repo.path(), &["--pre-push"]);
    add_email_index(&repo, OUT_OF_ORDER);
    let head = repo.commit("add email index");
    let run = git(repo.path(), &["push", "origin", "main"]);
    assert!(run.stderr.contains("version-order"), "{}", run.stderr);
    let pushed = std::fs::read_to_string(repo.path().join(".git/pushed.txt")).unwrap();
    assert!(pushed.starts_with("origin\n"), "{pushed}");
    assert!(
        pushed.contains(&format!("refs/heads/main {head} refs/heads/main ")),
        "{pushed}"
    );
}

#[test]
fn core_hooks_path_is_honoured() {
    let repo = shop();
    repo.git(&["config", "core.hooksPath", ".githooks"]);
    install(repo.path(), &[]);
    assert!(repo.path().join(".githooks/pre-commit").exists());
    assert!(repo.path().join(".githooks/pre-push").exists());
    assert!(!repo.path().join(".git/hooks/pre-commit").exists());
    add_email_index(&repo, OUT_OF_ORDER);
    repo.git(&["add", "db"]);
    let run = git(repo.path(), &["commit", "-q", "-m", "index"]);
    assert!(run.stderr.contains("version-order"), "{}", run.stderr);
}

#[test]
fn install_in_a_linked_worktree_writes_to_the_shared_hooks_dir() {
    let repo = shop();
    let other = tempfile::tempdir().unwrap();
    let worktree = other.path().join("feature");
    repo.git(&[
        "worktree",
        "add",
        "-q",
        "-b",
        "feature",
        worktree.to_str().unwrap(),
    ]);
    install(&worktree, &["--pre-commit"]);
    assert!(repo.path().join(".git/hooks/pre-commit").exists());
    let dir = worktree.join("db/migrations");
    std::fs::write(
        dir.join(format!("{OUT_OF_ORDER}.up.sql")),
        "CREATE INDEX CONCURRENTLY idx_users_email ON users (email);\n",
    )
    .unwrap();
    std::fs::write(
        dir.join(format!("{OUT_OF_ORDER}.down.sql")),
        "DROP INDEX idx_users_email;\n",
    )
    .unwrap();
    git_ok(&worktree, &["add", "-A"]);
    let run = git(&worktree, &["commit", "-q", "-m", "index"]);
    assert!(run.stderr.contains("version-order"), "{}", run.stderr);
}

#[test]
fn a_new_branch_is_checked_for_what_it_adds_to_the_remotes_trunk() {
    let repo = shop();
    let remote = Remote::of(&repo);
    install(repo.path(), &["--pre-push"]);
    repo.branch("feature/email");
    add_email_index(&repo, IN_ORDER);
    repo.commit("add email index");
    let run = git(repo.path(), &["push", "-q", "origin", "feature/email"]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));

    repo.checkout("main");
    repo.branch("feature/late");
    add_email_index(&repo, OUT_OF_ORDER);
    repo.commit("add email index");
    let run = git(repo.path(), &["push", "origin", "feature/late"]);
    assert_ne!(run.code, 0);
    assert!(
        run.stderr.contains("already on origin/main"),
        "{}",
        run.stderr
    );
    assert_eq!(run.stderr.matches("× ").count(), 1, "{}", run.stderr);
    assert_eq!(remote.tip("feature/late"), "");
}

#[test]
fn deleting_a_branch_and_pushing_a_tag_are_not_checked() {
    for server_side in [false, true] {
        let repo = shop();
        let remote = Remote::of(&repo);
        repo.branch("wip");
        add_email_index(&repo, OUT_OF_ORDER);
        repo.commit("add email index");
        git_ok(repo.path(), &["push", "-q", "origin", "wip"]);
        if server_side {
            install(&remote.path, &[]);
        } else {
            install(repo.path(), &["--pre-push"]);
        }
        repo.git(&["tag", "-a", "-m", "snapshot", "wip-snapshot"]);
        let run = git(repo.path(), &["push", "-q", "origin", "wip-snapshot"]);
        assert_eq!(
            (run.code, run.stderr.as_str()),
            (0, ""),
            "server side: {server_side}"
        );
        let run = git(repo.path(), &["push", "-q", "origin", "--delete", "wip"]);
        assert_eq!(
            (run.code, run.stderr.as_str()),
            (0, ""),
            "server side: {server_side}"
        );
        assert_eq!(remote.tip("wip"), "");
    }
}

#[test]
fn a_force_push_that_rewrites_a_migration_on_the_trunk_is_refused() {
    for server_side in [false, true] {
        let repo = shop();
        let remote = Remote::of(&repo);
        add_email_index(&repo, IN_ORDER);
        repo.commit("add email index");
        git_ok(repo.path(), &["push", "-q", "origin", "main"]);
        if server_side {
            install(&remote.path, &[]);
        } else {
            install(repo.path(), &["--pre-push"]);
        }
        let published = remote.tip("main");
        repo.write(
            &format!("db/migrations/{IN_ORDER}.up.sql"),
            "CREATE UNIQUE INDEX idx_users_email ON users (email);\n",
        );
        repo.git(&["add", "-A"]);
        repo.git(&["commit", "-q", "--amend", "--no-edit"]);
        let run = git(repo.path(), &["push", "--force", "origin", "main"]);
        assert_ne!(run.code, 0, "server side: {server_side}: {}", run.stderr);
        assert!(
            run.stderr.contains("applied-migration-modified"),
            "server side: {server_side}: {}",
            run.stderr
        );
        assert_eq!(remote.tip("main"), published);
    }
}

#[test]
fn a_rebased_feature_branch_force_pushed_reports_nothing_the_trunk_brought() {
    let repo = shop();
    let remote = Remote::of(&repo);
    install(repo.path(), &["--pre-push"]);
    repo.branch("feature");
    add_email_index(&repo, IN_ORDER);
    repo.commit("add email index");
    git_ok(repo.path(), &["push", "-q", "origin", "feature"]);

    // Meanwhile main gains a migration that sorts before the feature's.
    repo.checkout("main");
    repo.migration(
        "20240215000000_add_notes",
        "ALTER TABLE orders ADD COLUMN notes text;\n",
        "ALTER TABLE orders DROP COLUMN notes;\n",
    );
    repo.commit("add notes");
    git_ok(repo.path(), &["push", "-q", "origin", "main"]);

    repo.checkout("feature");
    git_ok(repo.path(), &["rebase", "-q", "main"]);
    let rebased = git_ok(repo.path(), &["rev-parse", "HEAD"]);
    let run = git(repo.path(), &["push", "-q", "--force", "origin", "feature"]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    assert_eq!(remote.tip("feature"), rebased);
}

#[test]
fn a_missing_binary_fails_the_hook_with_a_clear_message_or_warns_when_told() {
    let repo = shop();
    install(repo.path(), &["--pre-commit"]);
    repo.write("README.md", "docs\n");
    repo.git(&["add", "-A"]);
    let missing = [("SQLGATE", "sqlgate-not-installed")];
    let run = git_env(repo.path(), &["commit", "-q", "-m", "docs"], &missing);
    assert_ne!(run.code, 0);
    assert!(
        run.stderr.contains("'sqlgate-not-installed' was not found"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("git config sqlgate.path"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("git config sqlgate.missing warn"),
        "{}",
        run.stderr
    );

    repo.git(&["config", "sqlgate.missing", "warn"]);
    let run = git_env(repo.path(), &["commit", "-q", "-m", "docs"], &missing);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("did not run"), "{}", run.stderr);
}

#[test]
fn git_config_sqlgate_path_names_the_binary() {
    let repo = shop();
    install(repo.path(), &["--pre-commit"]);
    repo.git(&["config", "sqlgate.path", sqlgate_bin()]);
    add_email_index(&repo, OUT_OF_ORDER);
    repo.git(&["add", "-A"]);
    // PATH as the test process has it, without the binary's directory.
    let out = Command::new("git")
        .args(["commit", "-q", "-m", "index"])
        .current_dir(repo.path())
        .env("NO_COLOR", "1")
        .env_remove("SQLGATE")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("version-order"), "{stderr}");
}

#[test]
fn a_new_branch_from_an_environment_branch_is_compared_with_it() {
    let repo = shop();
    repo.write(
        ".sqlgate.yml",
        "dialect: postgres\ntrunk: main\nmigrations:\n  - dir: db/migrations\n    layout: golang-migrate\nenvironments:\n  - { name: dev, branch: develop }\n  - { name: prod, branch: main }\n",
    );
    repo.commit("environments");
    let remote = Remote::of(&repo);
    // develop has a migration that main does not, without its down script
    // (let through before the hooks were installed).
    repo.branch("develop");
    repo.write(
        "db/migrations/20240220000000_add_notes.up.sql",
        "ALTER TABLE orders ADD COLUMN notes text;\n",
    );
    repo.commit("add notes");
    git_ok(repo.path(), &["push", "-q", "origin", "develop"]);
    install(repo.path(), &["--pre-push"]);

    repo.branch("feature/email");
    add_email_index(&repo, IN_ORDER);
    repo.commit("add email index");
    let run = git(repo.path(), &["push", "origin", "feature/email"]);
    assert_eq!(
        run.code, 0,
        "develop's migration was reported:\n{}",
        run.stderr
    );
    assert!(!remote.tip("feature/email").is_empty());

    // A push to the environment branch itself is compared with its old tip.
    repo.checkout("develop");
    add_email_index(&repo, OUT_OF_ORDER);
    repo.commit("add email index");
    let run = git(repo.path(), &["push", "origin", "develop"]);
    assert!(
        run.stderr.contains("already on origin/develop"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("environment dev"), "{}", run.stderr);
}

#[test]
fn a_first_push_to_an_empty_remote_goes_through_with_a_note() {
    let repo = shop();
    install(repo.path(), &["--pre-push"]);
    let dir = tempfile::tempdir().unwrap();
    git_ok(
        dir.path(),
        &["init", "-q", "--bare", "-b", "main", "empty.git"],
    );
    let url = dir.path().join("empty.git");
    let run = git(repo.path(), &["push", "-q", url.to_str().unwrap(), "main"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("refs/heads/main not checked: there is no branch to compare it with yet"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_hooked_commit_keeps_the_catalog_the_next_commits_check_starts_from() {
    let repo = shop();
    install(repo.path(), &["--pre-commit"]);
    add_email_index(&repo, IN_ORDER);
    repo.git(&["add", "-A"]);
    let run = git(repo.path(), &["commit", "-q", "-m", "add email index"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let cache = repo.path().join(".git/sqlgate/cache");
    let entries = std::fs::read_dir(&cache).map(|d| d.count()).unwrap_or(0);
    assert!(
        entries > 0,
        "the hook kept no Catalog in {}",
        cache.display()
    );
    // The next commit's check reads its history (the four migrations the
    // hooked commit left) from what that commit's check kept.
    repo.migration(
        "20240401090000_add_users_nickname",
        "ALTER TABLE users ADD COLUMN nickname text;\n",
        "ALTER TABLE users DROP COLUMN nickname;\n",
    );
    repo.git(&["add", "-A"]);
    let run = repo.sqlgate(&["check", "--staged", "-v"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr
            .contains("the Catalog of the 4 migrations before the change read from the cache"),
        "{}",
        run.stderr
    );
}
