//! CI detection: which CI system runs sqlgate, whether the run is for a
//! pull (merge) request, its target branch and base commit, and the exact
//! fix for that CI when its clone is too shallow to hold the base. Reads an
//! environment given as a map (the binary passes the process's), so every
//! CI is tested without running in it. Must not know git: the caller says
//! which revisions exist.

use std::collections::BTreeMap;
use std::path::Path;

use crate::error::{Error, Result};

/// Environment variables, by name. Empty values count as unset, as CI
/// systems often export a variable empty when it does not apply.
#[derive(Clone, Debug, Default)]
pub struct Env {
    vars: BTreeMap<String, String>,
}

impl Env {
    /// An environment from name/value pairs.
    pub fn from_pairs<K: Into<String>, V: Into<String>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Env {
        Env {
            vars: pairs
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        }
    }

    /// The process's environment (variables that are not UTF-8 are skipped).
    pub fn from_process() -> Env {
        Env::from_pairs(
            std::env::vars_os()
                .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?))),
        )
    }

    /// A variable's value, when set and not empty.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.vars
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.trim().is_empty())
    }

    fn is_true(&self, name: &str) -> bool {
        self.get(name)
            .is_some_and(|v| !matches!(v.to_ascii_lowercase().as_str(), "false" | "0" | "no"))
    }
}

/// A CI system sqlgate knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Provider {
    /// GitHub Actions.
    GitHub,
    /// GitLab CI/CD.
    GitLab,
    /// Harness CI (which also sets Drone's variables).
    Harness,
    /// Drone.
    Drone,
    /// Bitbucket Pipelines.
    Bitbucket,
    /// Azure Pipelines.
    Azure,
    /// Jenkins (multibranch pipelines for change requests).
    Jenkins,
}

impl Provider {
    /// The CI's name as its users write it.
    pub fn name(self) -> &'static str {
        match self {
            Provider::GitHub => "GitHub Actions",
            Provider::GitLab => "GitLab CI",
            Provider::Harness => "Harness CI",
            Provider::Drone => "Drone",
            Provider::Bitbucket => "Bitbucket Pipelines",
            Provider::Azure => "Azure Pipelines",
            Provider::Jenkins => "Jenkins",
        }
    }

    /// How to get the full history in this CI.
    pub fn shallow_fix(self) -> &'static str {
        match self {
            Provider::GitHub => {
                "fetch the full history: set `fetch-depth: 0` under `with:` of the \
                 actions/checkout step"
            }
            Provider::GitLab => {
                "fetch the full history: set `GIT_DEPTH: 0` under the job's `variables:` \
                 (GitLab clones 20 or 50 commits by default)"
            }
            Provider::Harness => {
                "clone the full history: set `depth: 0` in the pipeline's codebase \
                 (`properties: ci: codebase: depth: 0`, or Depth 0 in the codebase settings)"
            }
            Provider::Drone => {
                "clone the full history: remove `depth` from the pipeline's `clone:` section \
                 (or run `git fetch --unshallow` before sqlgate)"
            }
            Provider::Bitbucket => {
                "clone the full history: set `clone: depth: full` in bitbucket-pipelines.yml"
            }
            Provider::Azure => {
                "fetch the full history: set `fetchDepth: 0` on the `- checkout: self` step \
                 (new pipelines are shallow by default)"
            }
            Provider::Jenkins => {
                "clone the full history: untick \"Shallow clone\" in the Git step's Advanced \
                 clone behaviours (`cloneOption(shallow: false)`), or run `git fetch \
                 --unshallow` before sqlgate"
            }
        }
    }

    /// How to make this CI's run one for a pull request, when it is not.
    fn pr_hint(self) -> &'static str {
        match self {
            Provider::GitHub => "run the workflow `on: pull_request` (or `merge_group`)",
            Provider::GitLab => {
                "run the job in merge request pipelines \
                 (`rules: - if: $CI_PIPELINE_SOURCE == \"merge_request_event\"`)"
            }
            Provider::Harness | Provider::Drone => "run the step on pull request builds",
            Provider::Bitbucket => "run the step under `pipelines: pull-requests:`",
            Provider::Azure => "run the pipeline as a pull request validation build",
            Provider::Jenkins => "run it in a multibranch job's change request builds",
        }
    }
}

/// What the environment says about the run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ci {
    /// The CI system.
    pub provider: Provider,
    /// The pull request's target branch (short name), when the run is for one.
    pub target_branch: Option<String>,
    /// Commits that stand for the target, best first: the target's tip as
    /// the event saw it, or the merge base the CI computed.
    pub base_shas: Vec<String>,
    /// What started the run when it is not a pull request (`push`, ...).
    pub event: Option<String>,
}

/// Whether the process runs in CI: `CI` set (most systems) or one of the
/// systems detected below.
pub fn is_ci(env: &Env) -> bool {
    env.is_true("CI") || detect(env).is_some()
}

/// The CI system running this process and what it says about the pull
/// request, or `None` outside CI.
pub fn detect(env: &Env) -> Option<Ci> {
    if env.is_true("GITHUB_ACTIONS") {
        return Some(github(env));
    }
    if env.is_true("GITLAB_CI") {
        return Some(gitlab(env));
    }
    let harness = [
        "HARNESS_BUILD_ID",
        "HARNESS_PIPELINE_ID",
        "HARNESS_ACCOUNT_ID",
    ]
    .iter()
    .any(|v| env.get(v).is_some());
    if harness || env.is_true("DRONE") {
        let provider = if harness {
            Provider::Harness
        } else {
            Provider::Drone
        };
        return Some(drone(env, provider));
    }
    if env.get("BITBUCKET_BUILD_NUMBER").is_some() {
        return Some(Ci {
            provider: Provider::Bitbucket,
            target_branch: env.get("BITBUCKET_PR_DESTINATION_BRANCH").map(branch_name),
            base_shas: Vec::new(),
            event: env
                .get("BITBUCKET_PR_ID")
                .is_none()
                .then(|| "push".to_string()),
        });
    }
    if env.is_true("TF_BUILD") {
        return Some(Ci {
            provider: Provider::Azure,
            target_branch: env.get("SYSTEM_PULLREQUEST_TARGETBRANCH").map(branch_name),
            base_shas: Vec::new(),
            event: env.get("BUILD_REASON").map(str::to_string),
        });
    }
    if env.get("JENKINS_URL").is_some() || env.get("JENKINS_HOME").is_some() {
        return Some(Ci {
            provider: Provider::Jenkins,
            target_branch: env.get("CHANGE_TARGET").map(branch_name),
            base_shas: Vec::new(),
            event: env
                .get("CHANGE_ID")
                .is_none()
                .then(|| "a branch build".to_string()),
        });
    }
    None
}

fn github(env: &Env) -> Ci {
    let event_name = env.get("GITHUB_EVENT_NAME").map(str::to_string);
    let payload = env
        .get("GITHUB_EVENT_PATH")
        .and_then(|p| std::fs::read_to_string(Path::new(p)).ok())
        .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok());
    let at = |pointer: &str| -> Option<String> {
        payload
            .as_ref()?
            .pointer(pointer)?
            .as_str()
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    // A merge queue checks the queued merge against the queue's base.
    let (branch, sha) = if event_name.as_deref() == Some("merge_group") {
        (at("/merge_group/base_ref"), at("/merge_group/base_sha"))
    } else {
        (
            env.get("GITHUB_BASE_REF")
                .map(str::to_string)
                .or_else(|| at("/pull_request/base/ref")),
            at("/pull_request/base/sha"),
        )
    };
    Ci {
        provider: Provider::GitHub,
        target_branch: branch.as_deref().map(branch_name),
        base_shas: sha.into_iter().collect(),
        event: event_name,
    }
}

fn gitlab(env: &Env) -> Ci {
    // In merged-results pipelines TARGET_BRANCH_SHA is the target's tip;
    // DIFF_BASE_SHA is the merge base the merge request's diff shows.
    let base_shas = [
        "CI_MERGE_REQUEST_TARGET_BRANCH_SHA",
        "CI_MERGE_REQUEST_DIFF_BASE_SHA",
    ]
    .iter()
    .filter_map(|v| env.get(v))
    .map(str::to_string)
    .collect();
    Ci {
        provider: Provider::GitLab,
        target_branch: env
            .get("CI_MERGE_REQUEST_TARGET_BRANCH_NAME")
            .map(branch_name),
        base_shas,
        event: env.get("CI_PIPELINE_SOURCE").map(str::to_string),
    }
}

fn drone(env: &Env, provider: Provider) -> Ci {
    let event = env.get("DRONE_BUILD_EVENT").map(str::to_string);
    // On a push, Drone sets the target branch to the pushed branch itself.
    let is_pr = event
        .as_deref()
        .is_none_or(|e| e == "pull_request" || e == "merge_request");
    Ci {
        provider,
        target_branch: env
            .get("DRONE_TARGET_BRANCH")
            .filter(|_| is_pr)
            .map(branch_name),
        base_shas: Vec::new(),
        event,
    }
}

/// `refs/heads/main` -> `main`; `main` stays.
fn branch_name(raw: &str) -> String {
    let raw = raw.trim();
    raw.strip_prefix("refs/heads/").unwrap_or(raw).to_string()
}

impl Ci {
    /// Revisions that name the target, in the order to try them: the local
    /// branch, the remote-tracking branch, then the base commits.
    pub fn candidates(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(branch) = &self.target_branch {
            out.push(branch.clone());
            out.push(format!("origin/{branch}"));
        }
        out.extend(self.base_shas.iter().cloned());
        out
    }

    /// The help for a clone without the target branch that is not shallow.
    pub fn fetch_fix(&self) -> String {
        match &self.target_branch {
            Some(b) => format!(
                "fetch the target branch before sqlgate runs: \
                 `git fetch origin +refs/heads/{b}:refs/remotes/origin/{b}`"
            ),
            None => "fetch the target branch before sqlgate runs".to_string(),
        }
    }

    /// The revision to pass as `--base`: the first candidate that `exists`
    /// says is in the repository. Otherwise an error with the fix for this
    /// CI: a deeper clone when `shallow`, a fetch of the branch when not.
    pub fn choose_base(&self, exists: impl Fn(&str) -> bool, shallow: bool) -> Result<String> {
        let candidates = self.candidates();
        let name = self.provider.name();
        if candidates.is_empty() {
            let what = match &self.event {
                Some(e) => format!("this {name} run is for `{e}`, not for a pull request"),
                None => format!("this {name} run is not for a pull request"),
            };
            return Err(
                Error::new(format!("{what}: no target branch to compare with")).with_help(format!(
                    "{}, or pass the target branch: `sqlgate check --base origin/main`",
                    self.provider.pr_hint()
                )),
            );
        }
        if let Some(found) = candidates.iter().find(|c| exists(c)) {
            return Ok(found.clone());
        }
        let wanted = match (&self.target_branch, self.base_shas.first()) {
            (Some(b), Some(sha)) => format!("{b} ({})", short(sha)),
            (Some(b), None) => b.clone(),
            (None, Some(sha)) => short(sha).to_string(),
            (None, None) => String::new(),
        };
        if shallow {
            Err(Error::new(format!(
                "{name}: this shallow clone does not have the pull request's base {wanted}"
            ))
            .with_help(self.provider.shallow_fix()))
        } else {
            Err(Error::new(format!(
                "{name}: the pull request's base {wanted} is not in this clone (tried {})",
                candidates.join(", ")
            ))
            .with_help(self.fetch_fix()))
        }
    }

    /// One line for `-v`: what was detected.
    pub fn describe(&self) -> String {
        let mut out = self.provider.name().to_string();
        if let Some(b) = &self.target_branch {
            out.push_str(&format!(", target branch {b}"));
        }
        if let Some(sha) = self.base_shas.first() {
            out.push_str(&format!(", base {}", short(sha)));
        }
        out
    }
}

fn short(sha: &str) -> &str {
    sha.get(..10).unwrap_or(sha)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Env {
        Env::from_pairs(pairs.iter().copied())
    }

    #[test]
    fn outside_ci_nothing_is_detected() {
        assert_eq!(detect(&env(&[("HOME", "/root")])), None);
        assert!(!is_ci(&env(&[("CI", "false")])));
        assert!(is_ci(&env(&[("CI", "true")])));
    }

    #[test]
    fn github_pull_request_reads_the_base_ref_and_the_event_base_sha() {
        let dir = tempfile::tempdir().unwrap();
        let event = dir.path().join("event.json");
        std::fs::write(
            &event,
            r#"{"pull_request": {"base": {"ref": "main", "sha": "1111111111111111111111111111111111111111"}}}"#,
        )
        .unwrap();
        let ci = detect(&env(&[
            ("GITHUB_ACTIONS", "true"),
            ("GITHUB_EVENT_NAME", "pull_request"),
            ("GITHUB_BASE_REF", "release/2.x"),
            ("GITHUB_EVENT_PATH", event.to_str().unwrap()),
        ]))
        .unwrap();
        assert_eq!(ci.provider, Provider::GitHub);
        assert_eq!(
            ci.candidates(),
            vec![
                "release/2.x",
                "origin/release/2.x",
                "1111111111111111111111111111111111111111"
            ]
        );
    }

    #[test]
    fn github_merge_queue_uses_the_queue_base() {
        let dir = tempfile::tempdir().unwrap();
        let event = dir.path().join("event.json");
        std::fs::write(
            &event,
            r#"{"merge_group": {"base_ref": "refs/heads/main", "base_sha": "2222222222222222222222222222222222222222"}}"#,
        )
        .unwrap();
        let ci = detect(&env(&[
            ("GITHUB_ACTIONS", "true"),
            ("GITHUB_EVENT_NAME", "merge_group"),
            ("GITHUB_EVENT_PATH", event.to_str().unwrap()),
        ]))
        .unwrap();
        assert_eq!(ci.target_branch.as_deref(), Some("main"));
        assert_eq!(
            ci.base_shas,
            vec!["2222222222222222222222222222222222222222"]
        );
    }

    #[test]
    fn github_push_is_not_a_pull_request() {
        let ci = detect(&env(&[
            ("GITHUB_ACTIONS", "true"),
            ("GITHUB_EVENT_NAME", "push"),
            ("GITHUB_BASE_REF", ""),
        ]))
        .unwrap();
        let err = ci.choose_base(|_| true, false).unwrap_err();
        assert!(err.message.contains("`push`"), "{}", err.message);
        assert!(err.help.unwrap().contains("on: pull_request"));
    }

    #[test]
    fn gitlab_merge_request_prefers_the_branch_then_the_shas() {
        let ci = detect(&env(&[
            ("GITLAB_CI", "true"),
            ("CI", "true"),
            ("CI_PIPELINE_SOURCE", "merge_request_event"),
            ("CI_MERGE_REQUEST_TARGET_BRANCH_NAME", "develop"),
            ("CI_MERGE_REQUEST_DIFF_BASE_SHA", "abc"),
        ]))
        .unwrap();
        assert_eq!(ci.provider, Provider::GitLab);
        assert_eq!(ci.candidates(), vec!["develop", "origin/develop", "abc"]);
        assert_eq!(ci.choose_base(|r| r == "abc", false).as_deref(), Ok("abc"));
        assert_eq!(
            ci.choose_base(|r| r == "origin/develop" || r == "abc", false)
                .as_deref(),
            Ok("origin/develop")
        );
    }

    #[test]
    fn harness_is_told_apart_from_drone_and_pushes_have_no_target() {
        let harness = detect(&env(&[
            ("HARNESS_BUILD_ID", "42"),
            ("DRONE", "true"),
            ("DRONE_BUILD_EVENT", "pull_request"),
            ("DRONE_TARGET_BRANCH", "main"),
        ]))
        .unwrap();
        assert_eq!(harness.provider, Provider::Harness);
        assert_eq!(harness.target_branch.as_deref(), Some("main"));
        let push = detect(&env(&[
            ("DRONE", "true"),
            ("DRONE_BUILD_EVENT", "push"),
            ("DRONE_TARGET_BRANCH", "main"),
        ]))
        .unwrap();
        assert_eq!(push.provider, Provider::Drone);
        assert_eq!(push.target_branch, None);
    }

    #[test]
    fn azure_strips_refs_heads_and_bitbucket_and_jenkins_read_their_variables() {
        let azure = detect(&env(&[
            ("TF_BUILD", "True"),
            ("SYSTEM_PULLREQUEST_TARGETBRANCH", "refs/heads/main"),
        ]))
        .unwrap();
        assert_eq!(azure.target_branch.as_deref(), Some("main"));
        let bitbucket = detect(&env(&[
            ("BITBUCKET_BUILD_NUMBER", "7"),
            ("BITBUCKET_PR_ID", "3"),
            ("BITBUCKET_PR_DESTINATION_BRANCH", "trunk"),
        ]))
        .unwrap();
        assert_eq!(bitbucket.provider, Provider::Bitbucket);
        assert_eq!(bitbucket.target_branch.as_deref(), Some("trunk"));
        let jenkins = detect(&env(&[
            ("JENKINS_URL", "https://ci.example.com/"),
            ("CHANGE_ID", "12"),
            ("CHANGE_TARGET", "main"),
        ]))
        .unwrap();
        assert_eq!(jenkins.provider, Provider::Jenkins);
        assert_eq!(jenkins.candidates(), vec!["main", "origin/main"]);
    }

    #[test]
    fn a_missing_base_in_a_shallow_clone_gets_the_fix_for_that_ci() {
        let ci = Ci {
            provider: Provider::GitLab,
            target_branch: Some("main".into()),
            base_shas: vec!["0123456789abcdef0123456789abcdef01234567".into()],
            event: None,
        };
        let err = ci.choose_base(|_| false, true).unwrap_err();
        assert!(err.message.contains("main (0123456789)"), "{}", err.message);
        assert!(err.help.unwrap().contains("GIT_DEPTH: 0"));
        let err = ci.choose_base(|_| false, false).unwrap_err();
        assert!(err
            .help
            .unwrap()
            .contains("git fetch origin +refs/heads/main:refs/remotes/origin/main"));
    }
}
