//! Git hooks: the shell scripts sqlgate ships (`hooks/`, embedded in the
//! binary), installing them next to the hooks a repository already has, and
//! what each hook checks: the index before a commit, each pushed branch
//! before a push leaves (pre-push) or before a server accepts it
//! (pre-receive). Reads the hooks' input and chooses the commits to compare;
//! the pipeline does the checking. Must not know git2, clap or output
//! formats; a hook never writes to the repository.

pub mod install;
pub mod push;

use crate::error::Result;
use crate::git::Repo;
use crate::pipeline::{self, Options, Outcome};

pub use push::{pre_push, pre_receive, route, RefUpdate, Route};

/// A hook sqlgate provides.
// The variants are git's own hook names.
#[allow(clippy::enum_variant_names)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hook {
    /// Checks the staged migrations before a commit.
    PreCommit,
    /// Checks the pushed branches before a push leaves.
    PrePush,
    /// Checks the pushed branches before a server accepts them.
    PreReceive,
}

impl Hook {
    /// Every hook, in the order a change meets them.
    pub const ALL: [Hook; 3] = [Hook::PreCommit, Hook::PrePush, Hook::PreReceive];

    /// The file name git runs it under.
    pub fn name(self) -> &'static str {
        match self {
            Hook::PreCommit => "pre-commit",
            Hook::PrePush => "pre-push",
            Hook::PreReceive => "pre-receive",
        }
    }

    /// The script `sqlgate install` writes.
    pub fn script(self) -> &'static str {
        match self {
            Hook::PreCommit => include_str!("../../hooks/pre-commit"),
            Hook::PrePush => include_str!("../../hooks/pre-push"),
            Hook::PreReceive => include_str!("../../hooks/pre-receive"),
        }
    }

    /// What the hook refuses when it fails, for its last line.
    pub fn refused(self) -> &'static str {
        match self {
            Hook::PreCommit => "commit refused",
            Hook::PrePush => "push refused",
            Hook::PreReceive => "push refused by the server",
        }
    }
}

/// One range a hook checked: the index, or one pushed branch.
#[derive(Debug)]
pub struct Checked {
    /// What was checked, for the line above its findings.
    pub subject: String,
    /// What the check found.
    pub outcome: Outcome,
}

/// What a hook did.
#[derive(Debug, Default)]
pub struct HookReport {
    /// The ranges checked.
    pub checked: Vec<Checked>,
    /// Pushed branches that could not be checked, with why (printed, so the
    /// pusher knows the gate did not look at them).
    pub skipped: Vec<String>,
}

/// `sqlgate hook pre-commit`: the index against `HEAD`, as
/// `sqlgate check --staged` (which returns at once when no migration
/// directory and no configuration is staged).
pub fn pre_commit(repo: &Repo) -> Result<HookReport> {
    let outcome = pipeline::check_staged(repo, &Options::default())?;
    Ok(HookReport {
        checked: vec![Checked {
            subject: "the staged changes, compared with HEAD".to_string(),
            outcome,
        }],
        skipped: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_script_is_marked_as_sqlgate_and_calls_its_own_hook() {
        for hook in Hook::ALL {
            let script = hook.script();
            assert!(script.starts_with("#!/bin/sh\n"), "{}", hook.name());
            assert!(install::is_sqlgate_hook(script), "{}", hook.name());
            assert!(
                script.contains(&format!("\nhook={}\n", hook.name())),
                "{}",
                hook.name()
            );
        }
    }
}
