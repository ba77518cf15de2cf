//! Pushes, seen from either end: the refs a push updates (git's hook input,
//! or the environment the pre-commit framework sets), and for each pushed
//! branch the commits to compare. Deleted refs and tags are not checked.
//!
//! A push to a guarded branch (the trunk, an environment's branch) is
//! compared with the branch's old tip, whatever the push does to history, so
//! a force push that rewrites a migration the branch already had reports
//! `applied-migration-modified`. Any other branch is compared, like a pull
//! request, with its merge base with the nearest of the trunk and the
//! environment branches: rebasing or merging the trunk into it then reports
//! nothing that the trunk brought. A pushed ref that is an environment's
//! deploy ref (`ref: refs/tags/deployed/prod`) is compared with where it was,
//! and every range to an environment carries its name, so the promotion
//! rules of that environment apply.

use std::io::Read;

use crate::config::{self, Config, Environment};
use crate::error::{Error, Result};
use crate::git::{CommitId, Repo};
use crate::pipeline::{self, Options, Range};

use super::{Checked, HookReport};

/// One ref a push updates, named as the receiving repository names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefUpdate {
    /// The full ref name on the receiving side (`refs/heads/main`).
    pub name: String,
    /// What it points at before the push (all zeros: it does not exist).
    pub old: CommitId,
    /// What the push makes it point at (all zeros: the push deletes it).
    pub new: CommitId,
}

impl RefUpdate {
    /// Parses pre-push input: `<local ref> <local sha> <remote ref> <remote sha>`
    /// per line.
    pub fn parse_pre_push(input: &str) -> Result<Vec<RefUpdate>> {
        let format = "<local ref> <local sha> <remote ref> <remote sha>";
        lines(input, format, 4, [2, 3, 1])
    }

    /// Parses pre-receive input: `<old sha> <new sha> <ref>` per line.
    pub fn parse_pre_receive(input: &str) -> Result<Vec<RefUpdate>> {
        lines(input, "<old sha> <new sha> <ref>", 3, [2, 0, 1])
    }
}

/// Parses lines of `count` words; `[name, old, new]` are the positions of
/// the ref name and of the old and new ids.
fn lines(
    input: &str,
    format: &str,
    count: usize,
    [name, old, new]: [usize; 3],
) -> Result<Vec<RefUpdate>> {
    let mut out = Vec::new();
    for line in input.lines().filter(|l| !l.trim().is_empty()) {
        let words: Vec<&str> = line.split_whitespace().collect();
        let bad = || {
            Error::new(format!("unexpected hook input line: `{line}`"))
                .with_help(format!("git sends `{format}` lines"))
        };
        if words.len() != count {
            return Err(bad());
        }
        out.push(RefUpdate {
            name: words[name].to_string(),
            old: CommitId::parse(words[old]).map_err(|_| bad())?,
            new: CommitId::parse(words[new]).map_err(|_| bad())?,
        });
    }
    Ok(out)
}

/// The remote and the updates of a pre-push run. The pre-commit framework
/// (and prek) read git's input themselves and pass one pushed ref in
/// `PRE_COMMIT_FROM_REF`, `PRE_COMMIT_TO_REF`, `PRE_COMMIT_REMOTE_BRANCH`
/// and `PRE_COMMIT_REMOTE_NAME`; without them, git's lines are read from
/// `stdin`. `var` reads the environment.
pub fn pre_push_input(
    remote: Option<String>,
    stdin: impl Read,
    var: impl Fn(&str) -> Option<String>,
) -> Result<(String, Vec<RefUpdate>)> {
    let var = |name: &str| var(name).filter(|v| !v.is_empty());
    let remote = remote
        .or_else(|| var("PRE_COMMIT_REMOTE_NAME"))
        .unwrap_or_else(|| "origin".to_string());
    if let (Some(new), Some(name)) = (var("PRE_COMMIT_TO_REF"), var("PRE_COMMIT_REMOTE_BRANCH")) {
        let zero = "0".repeat(new.len());
        let old = var("PRE_COMMIT_FROM_REF").unwrap_or(zero);
        let update = RefUpdate {
            name,
            old: CommitId::parse(&old)?,
            new: CommitId::parse(&new)?,
        };
        return Ok((remote, vec![update]));
    }
    let mut input = String::new();
    let mut stdin = stdin;
    stdin
        .read_to_string(&mut input)
        .map_err(|e| Error::new(format!("cannot read the pushed refs from stdin: {e}")))?;
    Ok((remote, RefUpdate::parse_pre_push(&input)?))
}

/// Where a push to a branch leads, as the configuration says. This is the
/// seam where promotion rules plug in: a push to an environment's branch
/// carries that environment, and the environments before it in
/// `config.environments` are where its migrations must come from.
#[derive(Clone, Debug, PartialEq)]
pub struct Route<'c> {
    /// The environment whose branch (or ref) it is, if any.
    pub environment: Option<&'c Environment>,
    /// Whether what the branch has is deployed or about to be (the trunk,
    /// an environment's branch): a push to it is compared with its old tip.
    pub guarded: bool,
    /// The branches it may come from: the trunk, then the environment
    /// branches. A branch is compared with the one whose merge base with it
    /// is the most recent.
    pub upstreams: Vec<String>,
}

/// The route of a push to `branch` (a short name, `main`), given the trunk.
pub fn route<'c>(config: &'c Config, trunk: &str, branch: &str) -> Route<'c> {
    let full = format!("refs/heads/{branch}");
    let environment = config.environments.iter().find(|e| {
        e.branch.as_deref() == Some(branch)
            || e.reference
                .as_deref()
                .is_some_and(|r| r == branch || r == full)
    });
    let mut upstreams = vec![trunk.to_string()];
    for b in config.environments.iter().filter_map(|e| e.branch.as_ref()) {
        if !upstreams.contains(b) {
            upstreams.push(b.clone());
        }
    }
    upstreams.retain(|b| b != branch);
    Route {
        environment,
        guarded: environment.is_some() || branch == trunk,
        upstreams,
    }
}

/// What the receiving repository has, as seen from where the hook runs.
#[derive(Clone, Copy, Debug)]
enum Destination<'a> {
    /// pre-push: the remote's branches as last fetched
    /// (`refs/remotes/<remote>/...`), or the local branch of the same name
    /// when there is no such ref (a push to a URL).
    Remote(&'a str),
    /// pre-receive: this repository's branches, before the push moves them.
    Here,
}

impl Destination<'_> {
    /// The tip of one of the destination's branches, and how reports name it.
    fn branch(self, repo: &Repo, branch: &str) -> Option<(CommitId, String)> {
        let local = || {
            repo.ref_target(&format!("refs/heads/{branch}"))
                .map(|id| (id, branch.to_string()))
        };
        match self {
            Destination::Remote(remote) => {
                let tracking = format!("{remote}/{branch}");
                repo.ref_target(&format!("refs/remotes/{tracking}"))
                    .map(|id| (id, tracking))
                    .or_else(local)
            }
            Destination::Here => local(),
        }
    }

    /// The remote whose tracking branches stand for the destination's.
    fn remote(self) -> Option<String> {
        match self {
            Destination::Remote(remote) => Some(remote.to_string()),
            Destination::Here => None,
        }
    }

    /// How reports name one of the destination's branches.
    fn show(self, branch: &str) -> String {
        match self {
            Destination::Remote(remote) => format!("{remote}/{branch}"),
            Destination::Here => branch.to_string(),
        }
    }

    /// The destination's default branch (what its `HEAD` names), else
    /// `main` or `master` when it has one.
    fn default_branch(self, repo: &Repo) -> Option<String> {
        let (head, prefix) = match self {
            Destination::Remote(remote) => (
                format!("refs/remotes/{remote}/HEAD"),
                format!("refs/remotes/{remote}/"),
            ),
            Destination::Here => ("HEAD".to_string(), "refs/heads/".to_string()),
        };
        repo.symbolic_target(&head)
            .and_then(|t| t.strip_prefix(&prefix).map(str::to_string))
            .or_else(|| {
                ["main", "master"]
                    .into_iter()
                    .find(|b| self.branch(repo, b).is_some())
                    .map(str::to_string)
            })
    }
}

/// What one pushed ref is checked against.
#[derive(Debug, PartialEq)]
enum Decision {
    /// Check this range (it names the environment when the ref is one).
    Check(Range),
    /// Cannot be checked, for this reason.
    Skip(String),
    /// Nothing to check: a deleted ref, a tag, an unchanged ref.
    Ignore,
}

fn decide(
    repo: &Repo,
    dest: Destination,
    config: &Config,
    trunk: &str,
    update: &RefUpdate,
) -> Decision {
    if let Some(env) = deploy_ref(config, &update.name) {
        return decide_deploy(repo, dest, config, env, update);
    }
    let Some(branch) = update.name.strip_prefix("refs/heads/") else {
        return Decision::Ignore;
    };
    if update.new.is_zero() || update.new == update.old {
        return Decision::Ignore;
    }
    if !repo.has_commit(update.new) {
        return Decision::Skip(format!("{} is not a commit", update.new.short()));
    }
    let route = route(config, trunk, branch);
    let environment = route.environment.map(|e| e.name.clone());
    let known_old = !update.old.is_zero() && repo.has_commit(update.old);
    if route.guarded && known_old {
        let range = Range {
            base: update.old,
            target: None,
            head: update.new,
            target_name: dest.show(branch),
            environment,
            remote: dest.remote(),
        };
        return Decision::Check(range);
    }
    let mut best: Option<(CommitId, CommitId, String)> = None;
    let mut found = Vec::new();
    for upstream in &route.upstreams {
        let Some((tip, name)) = dest.branch(repo, upstream) else {
            continue;
        };
        found.push(name.clone());
        let Ok(merge_base) = repo.merge_base(update.new, tip) else {
            continue;
        };
        let nearer = match &best {
            None => true,
            Some((current, _, _)) => {
                merge_base != *current && repo.is_ancestor(*current, merge_base)
            }
        };
        if nearer {
            best = Some((merge_base, tip, name));
        }
    }
    let why = match best {
        Some((base, tip, name)) => {
            let range = Range {
                base,
                target: (tip != base).then_some(tip),
                head: update.new,
                target_name: name,
                environment,
                remote: dest.remote(),
            };
            return Decision::Check(range);
        }
        None if route.guarded && !update.old.is_zero() => format!(
            "{} is at {}, which this repository does not have (fetch it first)",
            dest.show(branch),
            update.old.short()
        ),
        None if found.is_empty() => {
            "there is no branch to compare it with yet (a first push)".to_string()
        }
        None => format!("it has no common history with {}", found.join(" or ")),
    };
    Decision::Skip(why)
}

/// The environment whose deploy ref (`ref:` that is not a branch) a pushed
/// ref is.
fn deploy_ref<'c>(config: &'c Config, name: &str) -> Option<&'c Environment> {
    config.environments.iter().find(|e| {
        e.reference.as_deref().is_some_and(|r| {
            !r.starts_with("refs/heads/")
                && (r == name || name.strip_prefix("refs/tags/") == Some(r))
        })
    })
}

/// A deploy ref moved: what it now points at is compared with where it was
/// (their merge base when it moved back or sideways), and the promotion
/// rules of its environment apply. A deploy ref's first push is compared
/// with the environment below it.
fn decide_deploy(
    repo: &Repo,
    dest: Destination,
    config: &Config,
    env: &Environment,
    update: &RefUpdate,
) -> Decision {
    if update.new.is_zero() || update.new == update.old {
        return Decision::Ignore;
    }
    if !repo.has_commit(update.new) {
        return Decision::Skip(format!("{} is not a commit", update.new.short()));
    }
    let base = if !update.old.is_zero() && repo.has_commit(update.old) {
        if repo.is_ancestor(update.old, update.new) {
            Some(update.old)
        } else {
            repo.merge_base(update.old, update.new).ok()
        }
    } else {
        let position = config.environments.iter().position(|e| e.name == env.name);
        position
            .and_then(|p| p.checked_sub(1))
            .and_then(|lower| config.environments[lower].reference.as_deref())
            .and_then(|r| {
                repo.ref_target(r)
                    .or_else(|| repo.ref_target(&format!("refs/tags/{r}")))
            })
            .and_then(|tip| repo.merge_base(update.new, tip).ok())
    };
    let Some(base) = base else {
        return Decision::Skip(format!(
            "{} has nothing to compare with (its first deploy, and no environment below)",
            update.name
        ));
    };
    let range = Range {
        base,
        target: None,
        head: update.new,
        target_name: update.name.clone(),
        environment: Some(env.name.clone()),
        remote: dest.remote(),
    };
    Decision::Check(range)
}

/// `sqlgate hook pre-push <remote>`: checks each branch the push updates
/// against what the remote has (as last fetched).
pub fn pre_push(repo: &Repo, remote: &str, updates: &[RefUpdate]) -> Result<HookReport> {
    check_updates(repo, Destination::Remote(remote), updates)
}

/// `sqlgate hook pre-receive`: in the receiving repository, checks each
/// branch the push updates; the pushed objects are read from git's
/// quarantine, the branches are still at their old tips.
pub fn pre_receive(repo: &Repo, updates: &[RefUpdate]) -> Result<HookReport> {
    check_updates(repo, Destination::Here, updates)
}

fn check_updates(repo: &Repo, dest: Destination, updates: &[RefUpdate]) -> Result<HookReport> {
    let mut report = HookReport::default();
    // Branches, and tags that may be an environment's deploy ref.
    let checkable = updates.iter().any(|u| {
        (u.name.starts_with("refs/heads/") || u.name.starts_with("refs/tags/")) && !u.new.is_zero()
    });
    if !checkable {
        return Ok(report);
    }
    // The trunk and the environments come from the destination's default
    // branch; each range then reads its configuration from its own base.
    let default = dest.default_branch(repo);
    let config = default
        .as_deref()
        .and_then(|b| dest.branch(repo, b))
        .and_then(|(tip, name)| {
            pipeline::config_at(repo, tip, &format!("{name}:{}", config::FILE_NAME)).ok()
        })
        .unwrap_or_default();
    let trunk = config
        .trunk
        .clone()
        .or(default)
        .unwrap_or_else(|| "main".to_string());
    for update in updates {
        match decide(repo, dest, &config, &trunk, update) {
            Decision::Ignore => {}
            Decision::Skip(why) => report
                .skipped
                .push(format!("{} not checked: {why}", update.name)),
            Decision::Check(range) => {
                let outcome = pipeline::check_commits(repo, &range, &Options::default())?;
                let environment = range
                    .environment
                    .as_ref()
                    .map(|e| format!(", environment {e}"))
                    .unwrap_or_default();
                let subject = format!(
                    "{} ({}..{} compared with {}{environment})",
                    update.name,
                    range.base.short(),
                    range.head.short(),
                    range.target_name
                );
                report.checked.push(Checked { subject, outcome });
            }
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "1111111111111111111111111111111111111111";
    const B: &str = "2222222222222222222222222222222222222222";
    const Z: &str = "0000000000000000000000000000000000000000";

    fn id(hex: &str) -> CommitId {
        CommitId::parse(hex).unwrap()
    }

    #[test]
    fn pre_push_lines_name_the_remote_ref_and_both_ends() {
        let input = format!(
            "refs/heads/feature {B} refs/heads/feature {A}\n(delete) {Z} refs/heads/old {A}\n"
        );
        let updates = RefUpdate::parse_pre_push(&input).unwrap();
        assert_eq!(
            updates,
            vec![
                RefUpdate {
                    name: "refs/heads/feature".into(),
                    old: id(A),
                    new: id(B)
                },
                RefUpdate {
                    name: "refs/heads/old".into(),
                    old: id(A),
                    new: id(Z)
                },
            ]
        );
        assert!(updates[1].new.is_zero());
    }

    #[test]
    fn pre_receive_lines_are_old_new_ref() {
        let updates = RefUpdate::parse_pre_receive(&format!("{A} {B} refs/heads/main\n")).unwrap();
        assert_eq!(updates[0].name, "refs/heads/main");
        assert_eq!((updates[0].old, updates[0].new), (id(A), id(B)));
    }

    #[test]
    fn a_malformed_line_is_an_error_that_shows_it() {
        let err = RefUpdate::parse_pre_receive("garbage here\n").unwrap_err();
        assert!(err.message.contains("`garbage here`"), "{}", err.message);
        assert!(
            RefUpdate::parse_pre_push(&format!("refs/heads/x {A} refs/heads/x nothex\n")).is_err()
        );
    }

    #[test]
    fn the_pre_commit_frameworks_environment_replaces_stdin() {
        let env = |name: &str| match name {
            "PRE_COMMIT_FROM_REF" => Some(A.to_string()),
            "PRE_COMMIT_TO_REF" => Some(B.to_string()),
            "PRE_COMMIT_REMOTE_BRANCH" => Some("refs/heads/main".to_string()),
            "PRE_COMMIT_REMOTE_NAME" => Some("upstream".to_string()),
            _ => None,
        };
        let (remote, updates) = pre_push_input(None, &b"not read"[..], env).unwrap();
        assert_eq!(remote, "upstream");
        assert_eq!(
            updates,
            vec![RefUpdate {
                name: "refs/heads/main".into(),
                old: id(A),
                new: id(B)
            }]
        );
        let input = format!("refs/heads/main {B} refs/heads/main {A}\n");
        let (remote, updates) =
            pre_push_input(Some("origin".into()), input.as_bytes(), |_| None).unwrap();
        assert_eq!((remote.as_str(), updates.len()), ("origin", 1));
    }

    #[test]
    fn a_deploy_ref_is_an_environment_and_a_branch_ref_is_routed_as_a_branch() {
        let config = Config::parse(
            "environments:\n  - { name: dev, ref: refs/heads/main }\n  - { name: staging, ref: deployed/staging }\n  - { name: prod, ref: refs/tags/deployed/prod }\n",
            "x",
        )
        .unwrap();
        let name = |r: &str| deploy_ref(&config, r).map(|e| e.name.as_str());
        assert_eq!(name("refs/tags/deployed/prod"), Some("prod"));
        assert_eq!(name("refs/tags/deployed/staging"), Some("staging"));
        assert_eq!(name("refs/tags/v1.0"), None);
        assert_eq!(name("refs/heads/main"), None);
        assert_eq!(
            route(&config, "main", "main")
                .environment
                .map(|e| e.name.as_str()),
            Some("dev")
        );
    }

    #[test]
    fn trunk_and_environment_branches_are_guarded() {
        let config = Config::parse(
            "trunk: main\nenvironments:\n  - { name: dev, branch: develop }\n  - { name: staging, branch: release }\n  - { name: prod, branch: main }\n",
            "x",
        )
        .unwrap();
        let r = route(&config, "main", "release");
        assert!(r.guarded);
        assert_eq!(r.environment.map(|e| e.name.as_str()), Some("staging"));
        assert_eq!(r.upstreams, vec!["main", "develop"]);
        let r = route(&config, "main", "main");
        assert_eq!(r.environment.map(|e| e.name.as_str()), Some("prod"));
        assert_eq!(r.upstreams, vec!["develop", "release"]);
        let r = route(&config, "main", "feature/login");
        assert!(!r.guarded);
        assert_eq!(r.environment, None);
        assert_eq!(r.upstreams, vec!["main", "develop", "release"]);
        let plain = Config::default();
        assert!(route(&plain, "trunk", "trunk").guarded);
        assert!(!route(&plain, "trunk", "topic").guarded);
    }
}
