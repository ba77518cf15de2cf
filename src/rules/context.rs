//! What a rule sees: per migration directory, the Plans of the base, the
//! target tip and the head, the Changes between base and head, and the
//! parsed Scripts of the migrations the change touches.

use std::ops::Range;
use std::sync::Arc;

use crate::config::{Config, MigrationDir};
use crate::error::Error;
use crate::finding::{Location, Side};
use crate::plan::promotion::DirPromotion;
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
    /// The directory in every environment, when the check is a promotion.
    pub promotion: Option<DirPromotion>,
    /// When a lint checks a directory a batch of migrations at a time, the
    /// Catalog as the batches before this one left it, handed on to the next.
    pub carry: Option<crate::rules::catalog::Carry>,
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

    /// The head migrations the change added.
    pub fn added(&self) -> std::collections::HashSet<usize> {
        self.changes
            .iter()
            .filter(|c| c.kind == ChangeKind::Added)
            .filter_map(|c| c.head)
            .collect()
    }

    /// The scripts of one head migration.
    pub fn scripts_of(&self, index: usize) -> impl Iterator<Item = &ScriptView> {
        self.scripts.iter().filter(move |s| s.migration == index)
    }

    /// The statements of head scripts that the change carries over rather
    /// than adds: every statement of a renamed or re-versioned migration,
    /// and those of a modified one that its base version already has. They
    /// ran wherever the migration ran, so rules about what a statement does
    /// leave them alone; `applied-migration-modified` speaks for the edit.
    pub fn carried(&self) -> Vec<(&str, Range<usize>)> {
        let mut out = Vec::new();
        for change in &self.changes {
            let Some(index) = change.head else { continue };
            let modified = match change.kind {
                ChangeKind::Added | ChangeKind::Deleted => continue,
                ChangeKind::Modified => true,
                ChangeKind::Renamed | ChangeKind::Reversioned { .. } => false,
            };
            for script in self.scripts_of(index) {
                let Ok(text) = &script.text else { continue };
                let base = if modified {
                    match self.base_text(&script.path) {
                        Some(b) => Some(b),
                        None => continue,
                    }
                } else {
                    None
                };
                // Compared word by word, so that line endings and
                // re-indentation do not make a statement new.
                let words = |t: &str| t.split_whitespace().collect::<Vec<_>>().join(" ");
                let base = base.map(|b| words(b));
                for statement in &script.parsed.statements {
                    let carried = match &base {
                        None => true,
                        Some(b) => text.get(statement.span.clone()).is_some_and(|s| {
                            let s = words(s);
                            !s.is_empty() && b.contains(&s)
                        }),
                    };
                    if carried {
                        out.push((script.path.as_str(), statement.span.clone()));
                    }
                }
            }
        }
        out
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
    /// The environments, when the check's target is one of them (or the
    /// trunk that deploy refs follow).
    pub promotion: Option<Promotion>,
}

/// What a promotion check knows about the environments.
#[derive(Clone, Debug, Default)]
pub struct Promotion {
    /// Per configured environment, in promotion order.
    pub envs: Vec<EnvState>,
    /// The environment the head becomes, when the target is one.
    pub target: Option<usize>,
    /// The environments the change will reach, lowest first: the target
    /// and those above it, or every deploy ref's environment when the
    /// target is the trunk they follow.
    pub reach: Vec<usize>,
    /// True when every environment is a deploy ref along one trunk: what
    /// the trunk gets, each of them deploys without another merge.
    pub trunk_based: bool,
}

/// One environment as a check found it.
#[derive(Clone, Debug, Default)]
pub struct EnvState {
    /// Its name.
    pub name: String,
    /// Its branch or ref as the check read it (`origin/release`).
    pub shown: String,
    /// The commit it is at (short), when its branch or ref exists.
    pub commit: Option<String>,
}

impl Promotion {
    /// The environments that run what the head holds once it is merged:
    /// the target with environment branches (a later promotion is checked
    /// when it happens), every environment reached along a trunk.
    pub fn deploys(&self) -> &[usize] {
        match self.target {
            Some(t) if !self.trunk_based => self
                .reach
                .iter()
                .position(|e| *e == t)
                .map_or(&[][..], |i| &self.reach[i..=i]),
            _ => &self.reach,
        }
    }

    /// How findings name an environment: `staging (origin/release)`.
    pub fn name(&self, env: usize) -> String {
        match self.envs.get(env) {
            Some(e) if e.shown.is_empty() || e.shown == e.name => e.name.clone(),
            Some(e) => format!("{} ({})", e.name, e.shown),
            None => format!("environment {env}"),
        }
    }
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
    /// Every name and every index or constraint new migrations give, for
    /// the naming rules.
    pub(crate) naming: crate::rules::naming::Facts,
    /// The statements every directory carries over (`DirView::carried`).
    carried: std::sync::OnceLock<Vec<(String, Range<usize>)>>,
}

impl Context<'_> {
    /// The statements the change carries over rather than adds, in every
    /// directory, computed once per run: (path, statement span).
    pub fn carried(&self) -> &[(String, Range<usize>)] {
        self.shared.carried.get_or_init(|| {
            self.dirs
                .iter()
                .flat_map(|d| d.carried())
                .map(|(path, span)| (path.to_string(), span))
                .collect()
        })
    }

    /// Whether the change carries the statement at `span` of `path` over.
    pub fn is_carried(&self, path: &str, span: &Range<usize>) -> bool {
        self.carried()
            .iter()
            .any(|(p, s)| p == path && s.start <= span.start && span.end <= s.end)
    }
}

/// The location of a whole file (its first byte) on one side.
pub fn file_start(path: &str, side: Side) -> Location {
    Location {
        path: path.to_string(),
        span: 0..0,
        side,
    }
}

/// Where a migration is declared: its changeset or plan line, else the
/// start of its up file.
pub fn declared(m: &Migration, side: Side) -> Location {
    match &m.meta.declared_in {
        Some((path, span)) => Location {
            path: path.clone(),
            span: span.clone(),
            side,
        },
        None => file_start(&m.up.file.path, side),
    }
}
