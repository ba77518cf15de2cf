//! What a rule sees: per migration directory, the Plans of the base, the
//! target tip and the head, the Changes between base and head, and the
//! parsed Scripts of the migrations the change touches.

use std::sync::Arc;

use crate::config::{Config, MigrationDir};
use crate::error::Error;
use crate::finding::{Location, Side};
use crate::plan::{Change, ChangeKind, Migration, Plan};
use crate::source::DecodeProblem;
use crate::sql::ParsedScript;

/// Up or down.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// The up script.
    Up,
    /// The down script.
    Down,
}

/// A parsed script of a head migration.
#[derive(Clone, Debug)]
pub struct ScriptView {
    /// Index of the migration in the head Plan.
    pub migration: usize,
    /// Up or down.
    pub role: Role,
    /// The file.
    pub path: String,
    /// The whole file's text, or why it could not be read.
    pub text: Result<Arc<str>, DecodeProblem>,
    /// Its statements (empty when the text could not be read).
    pub parsed: ParsedScript,
}

/// One migration directory, as the rules see it.
#[derive(Clone, Debug)]
pub struct DirView {
    /// The directory's configuration (explicit or detected).
    pub config: MigrationDir,
    /// The Plan at the base of the range (empty when linting).
    pub base: Plan,
    /// The Plan at the tip of the target branch, when it moved past the base.
    pub target: Option<Plan>,
    /// The Plan at the head.
    pub head: Plan,
    /// Changes from base to head.
    pub changes: Vec<Change>,
    /// Parsed scripts of the head migrations the change touches.
    pub scripts: Vec<ScriptView>,
    /// Parsed up scripts of the head migrations the change does not touch,
    /// read only when a rule replays the Catalog: the history it is built
    /// from. Empty when linting (every migration is in `scripts`).
    pub history: Vec<ScriptView>,
    /// Texts of base migrations that changed (for comparisons), by path.
    pub base_texts: Vec<(String, Arc<str>)>,
    /// How the head disagrees with the directory's `atlas.sum`, when the
    /// change touches a directory that has one.
    pub atlas_sum: Option<crate::layout::atlas::SumMismatch>,
}

impl DirView {
    /// Head migrations added, modified, renamed or re-versioned by the change.
    pub fn fresh(&self) -> impl Iterator<Item = (usize, &Migration)> {
        self.changes
            .iter()
            .filter(|c| !matches!(c.kind, ChangeKind::Deleted))
            .filter_map(|c| c.head)
            .map(|i| (i, &self.head.migrations[i]))
    }

    /// Whether the change added the head migration at `index`.
    pub fn is_added(&self, index: usize) -> bool {
        self.changes
            .iter()
            .any(|c| c.head == Some(index) && c.kind == ChangeKind::Added)
    }

    /// The scripts of one head migration.
    pub fn scripts_of(&self, index: usize) -> impl Iterator<Item = &ScriptView> {
        self.scripts.iter().filter(move |s| s.migration == index)
    }

    /// The text of a base file that changed, when loaded.
    pub fn base_text(&self, path: &str) -> Option<&Arc<str>> {
        self.base_texts
            .iter()
            .find(|(p, _)| p == path)
            .map(|(_, t)| t)
    }
}

/// Everything the rules see.
#[derive(Clone, Debug)]
pub struct Context<'a> {
    /// The configuration in force.
    pub config: &'a Config,
    /// The migration directories.
    pub dirs: Vec<DirView>,
    /// How reports name the target ("main", "HEAD", "the index").
    pub target_name: String,
    /// True when linting files (every migration counts as new).
    pub lint: bool,
    /// The configuration file on both sides, when the change edits, adds
    /// or deletes it. The check runs with the base's configuration; this is
    /// how a rule sees what the change would make of it.
    pub config_change: Option<ConfigChange>,
    /// Work that several rules share, done once on first use.
    pub shared: Shared,
}

/// The configuration file as the base and the head of a change have it.
#[derive(Clone, Debug)]
pub struct ConfigChange {
    /// The file's path, relative to the repository root.
    pub path: String,
    /// Its text at the base, when the base has the file.
    pub base_text: Option<Arc<str>>,
    /// Its text at the head, when the head has the file.
    pub head_text: Option<Arc<str>>,
    /// What the base's file configures (the defaults without a file).
    pub base: Config,
    /// What the head's file configures, or why it does not parse.
    pub head: Result<Config, Error>,
}

/// Work that several rules share, done once per run on first use.
#[derive(Clone, Debug, Default)]
pub struct Shared {
    /// What each new or changed migration does, for the safety rules.
    pub(crate) safety: crate::rules::safety::Facts,
    /// The Catalog replayed over each directory's migrations, for the
    /// reversibility and ordering rules that compare schemas.
    pub(crate) catalog: crate::rules::catalog::Replays,
}

/// The location of a whole file (its first byte) on one side.
pub fn file_start(path: &str, side: Side) -> Location {
    Location {
        path: path.to_string(),
        span: 0..0,
        side,
    }
}
