//! The promotion view of one migration directory: its Plan in each
//! environment (read from the environment's branch or deploy ref) next to
//! the head's, and which of them hold the same content for each migration.
//! Rules and `sqlgate status` read it; it knows nothing of git.

use std::collections::HashMap;
use std::sync::Arc;

use super::expression::runs_with;
use super::{Migration, MigrationKind, Plan};
use crate::config::Environment;
use crate::finding::Side;

/// One side of the view: an environment (by index in `environments:`) or
/// the head of the check.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Place {
    /// An environment's branch or ref, as it is now.
    Env(usize),
    /// What the check would make of the target.
    Head,
}

impl Place {
    /// The Snapshot side a location in this place's files is read from.
    pub fn side(self) -> Side {
        match self {
            Place::Env(i) => Side::Env(i),
            Place::Head => Side::Head,
        }
    }
}

/// Whether two migrations, each with its place, hold the same content as
/// their tool sees it.
pub type SameContent<'a> = dyn Fn((Place, &Migration), (Place, &Migration)) -> bool + 'a;

/// The Plans of one directory in every environment and the head, with each
/// migration's content class: two migrations of the same id have the same
/// class exactly when their tool sees the same content.
#[derive(Clone, Debug, Default)]
pub struct DirPromotion {
    /// Per environment, its Plan; `None` when its branch or ref is missing.
    pub envs: Vec<Option<Plan>>,
    /// Per environment, per migration of its Plan, its content class.
    env_classes: Vec<Vec<u32>>,
    /// Per head migration, its content class.
    head_classes: Vec<u32>,
    /// Per place, migration id -> index in that place's Plan.
    index: HashMap<Place, HashMap<String, usize>>,
    /// Texts of up scripts whose content differs between places, by side
    /// and path (for showing where they differ).
    pub texts: Vec<(Side, String, Arc<str>)>,
    /// Per environment that has a versioned migration: the index of its
    /// latest one.
    pub latest: Vec<(usize, usize)>,
}

impl DirPromotion {
    /// Builds the view; `same` says whether two migrations (with their
    /// places) hold the same content as their tool sees it.
    pub fn build(envs: Vec<Option<Plan>>, head: &Plan, same: &SameContent) -> DirPromotion {
        let mut index: HashMap<Place, HashMap<String, usize>> = HashMap::new();
        let mut places: Vec<(Place, &Plan)> = envs
            .iter()
            .enumerate()
            .filter_map(|(i, p)| p.as_ref().map(|p| (Place::Env(i), p)))
            .collect();
        places.push((Place::Head, head));
        // Per id: representatives of each class seen so far.
        let mut reps: HashMap<&str, Vec<(Place, &Migration)>> = HashMap::new();
        let mut env_classes: Vec<Vec<u32>> = envs
            .iter()
            .map(|p| vec![0; p.as_ref().map_or(0, |p| p.migrations.len())])
            .collect();
        let mut head_classes = vec![0; head.migrations.len()];
        for (place, plan) in places {
            let ids = index.entry(place).or_default();
            for (m, migration) in plan.migrations.iter().enumerate() {
                ids.entry(migration.id.clone()).or_insert(m);
                let known = reps.entry(migration.id.as_str()).or_default();
                let class = match known.iter().position(|rep| same(*rep, (place, migration))) {
                    Some(c) => c,
                    None => {
                        known.push((place, migration));
                        known.len() - 1
                    }
                } as u32;
                match place {
                    Place::Env(i) => env_classes[i][m] = class,
                    Place::Head => head_classes[m] = class,
                }
            }
        }
        let latest = envs
            .iter()
            .enumerate()
            .filter_map(|(e, plan)| {
                let plan = plan.as_ref()?;
                let latest = plan
                    .migrations
                    .iter()
                    .enumerate()
                    .filter(|(_, m)| m.kind == MigrationKind::Versioned && m.version.is_some())
                    .max_by(|a, b| a.1.version.cmp(&b.1.version))?;
                Some((e, latest.0))
            })
            .collect();
        DirPromotion {
            envs,
            env_classes,
            head_classes,
            index,
            texts: Vec::new(),
            latest,
        }
    }

    /// The Plan of a place (`head` for the head).
    pub fn plan<'a>(&'a self, place: Place, head: &'a Plan) -> Option<&'a Plan> {
        match place {
            Place::Env(i) => self.envs.get(i).and_then(Option::as_ref),
            Place::Head => Some(head),
        }
    }

    /// The index of migration `id` in a place's Plan.
    pub fn find(&self, place: Place, id: &str) -> Option<usize> {
        self.index.get(&place)?.get(id).copied()
    }

    /// An environment's migration `id`, when it has it.
    pub fn env_migration(&self, env: usize, id: &str) -> Option<&Migration> {
        let i = self.find(Place::Env(env), id)?;
        self.envs.get(env)?.as_ref()?.migrations.get(i)
    }

    /// The content class of a place's migration at `index`.
    pub fn class(&self, place: Place, index: usize) -> u32 {
        match place {
            Place::Env(i) => self.env_classes[i][index],
            Place::Head => self.head_classes[index],
        }
    }

    /// Whether migration `id` is in both places with the same content:
    /// `Some(true)` same, `Some(false)` different, `None` missing in one.
    pub fn same(&self, a: Place, b: Place, id: &str) -> Option<bool> {
        let (x, y) = (self.find(a, id)?, self.find(b, id)?);
        Some(self.class(a, x) == self.class(b, y))
    }

    /// The text of a file loaded for comparison.
    pub fn text(&self, side: Side, path: &str) -> Option<&Arc<str>> {
        self.texts
            .iter()
            .find(|(s, p, _)| *s == side && p == path)
            .map(|(_, _, t)| t)
    }
}

/// How a migration stands in one environment, for `sqlgate status`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Standing {
    /// Deployed there, with the same content everywhere it is deployed.
    Deployed,
    /// Deployed there, with content that differs from another environment's.
    Drifted,
    /// Not there yet, but in the environment below: next promotion brings it.
    Pending,
    /// Not there, though a higher environment has it (a hotfix to bring down).
    MissingBelow,
    /// Not there, and meant only for lower environments (by context, label
    /// or path).
    DevOnly,
    /// Not there, and not in the environment below either.
    Absent,
}

impl Standing {
    /// The word `status` prints.
    pub fn word(self) -> &'static str {
        match self {
            Standing::Deployed => "deployed",
            Standing::Drifted => "drifted",
            Standing::Pending => "pending",
            Standing::MissingBelow => "missing",
            Standing::DevOnly => "dev-only",
            Standing::Absent => "-",
        }
    }
}

/// Whether a migration runs when deployed to `env`, as its contexts and
/// labels say (Liquibase runs everything when given no contexts).
pub fn runs_in(m: &Migration, env: &Environment) -> bool {
    runs_with(&m.meta.contexts, &env.contexts) && runs_with(&m.meta.labels, &env.labels)
}

/// Whether a path lies under one of `only:`'s paths.
pub fn under(path: &str, only: &[String]) -> bool {
    only.iter().any(|o| {
        let o = o.trim_end_matches('/');
        path == o || path.strip_prefix(o).is_some_and(|r| r.starts_with('/'))
    })
}

/// The environments a migration is meant for, when it says so: those whose
/// `only:` paths hold it, else those whose configured contexts and labels
/// its expressions select. `None` when it is for every environment.
pub fn meant_for(m: &Migration, envs: &[Environment]) -> Option<Vec<usize>> {
    let by_path: Vec<usize> = envs
        .iter()
        .enumerate()
        .filter(|(_, e)| m.files().iter().any(|f| under(&f.path, &e.only)))
        .map(|(i, _)| i)
        .collect();
    if !by_path.is_empty() {
        return Some(by_path);
    }
    if m.meta.contexts.is_empty() && m.meta.labels.is_empty() {
        return None;
    }
    let judged: Vec<(usize, &Environment)> = envs
        .iter()
        .enumerate()
        .filter(|(_, e)| {
            (!m.meta.contexts.is_empty() && !e.contexts.is_empty())
                || (!m.meta.labels.is_empty() && !e.labels.is_empty())
        })
        .collect();
    if judged.is_empty() {
        return None;
    }
    let selected: Vec<usize> = judged
        .iter()
        .filter(|(_, e)| runs_in(m, e))
        .map(|(i, _)| *i)
        .collect();
    (selected.len() < envs.len()).then_some(selected)
}

/// Whether a migration is one that `env` is not meant to run (so its
/// absence there is expected).
pub fn not_for(m: &Migration, envs: &[Environment], env: usize) -> bool {
    meant_for(m, envs).is_some_and(|for_envs| !for_envs.contains(&env))
        || envs.get(env).is_some_and(|e| !runs_in(m, e))
}

/// One migration's row in `sqlgate status`.
#[derive(Clone, Debug)]
pub struct StatusRow {
    /// The migration directory.
    pub dir: String,
    /// The migration's name as reviewers know it.
    pub migration: String,
    /// Per environment: how it stands there, and its checksum when there.
    pub cells: Vec<(Standing, Option<String>)>,
}

/// `sqlgate status`: migrations x environments.
#[derive(Clone, Debug, Default)]
pub struct StatusTable {
    /// Per environment: its name, its branch or ref, the commit it is at.
    pub envs: Vec<(String, String, Option<String>)>,
    /// One row per migration, in the order of the highest environment
    /// that has it, then of the lower ones.
    pub rows: Vec<StatusRow>,
}

/// The checksum `status` shows: the tool's own (Liquibase), else the first
/// eight hex digits of the up file's blob id.
pub fn checksum(m: &Migration) -> Option<String> {
    if let Some(c) = &m.meta.checksum {
        return Some(c.clone());
    }
    let id = m.up.file.id?;
    Some(id.0[..4].iter().map(|b| format!("{b:02x}")).collect())
}

impl DirPromotion {
    /// The rows of `status` for this directory.
    pub fn status_rows(&self, dir: &str, envs: &[Environment]) -> Vec<StatusRow> {
        let mut order: Vec<(usize, usize, &Migration)> = Vec::new();
        let mut seen: HashMap<&str, ()> = HashMap::new();
        for (e, plan) in self.envs.iter().enumerate().rev() {
            let Some(plan) = plan else { continue };
            for (i, m) in plan.migrations.iter().enumerate() {
                if seen.insert(m.id.as_str(), ()).is_none() {
                    order.push((e, i, m));
                }
            }
        }
        order.sort_by(|a, b| {
            let key = |m: &Migration| (m.kind == MigrationKind::Repeatable, m.version.clone());
            key(a.2).cmp(&key(b.2))
        });
        let sorted_by_version = order.iter().all(|(_, _, m)| m.version.is_some());
        if !sorted_by_version {
            order.sort_by_key(|(e, i, _)| (std::cmp::Reverse(*e), *i));
        }
        order
            .into_iter()
            .map(|(_, _, m)| {
                let present: Vec<Option<usize>> = (0..self.envs.len())
                    .map(|e| self.find(Place::Env(e), &m.id))
                    .collect();
                let classes: Vec<u32> = present
                    .iter()
                    .enumerate()
                    .filter_map(|(e, i)| i.map(|i| self.class(Place::Env(e), i)))
                    .collect();
                let drifted = classes.iter().any(|c| *c != classes[0]);
                let cells = (0..self.envs.len())
                    .map(|e| match present[e] {
                        Some(i) => {
                            let here = self.envs[e].as_ref().map(|p| &p.migrations[i]);
                            let standing = if drifted {
                                Standing::Drifted
                            } else {
                                Standing::Deployed
                            };
                            (standing, here.and_then(checksum))
                        }
                        None if not_for(m, envs, e) => {
                            let lower_only = meant_for(m, envs)
                                .is_some_and(|f| !f.is_empty() && f.iter().all(|x| *x < e));
                            if lower_only {
                                (Standing::DevOnly, None)
                            } else {
                                (Standing::Absent, None)
                            }
                        }
                        None if present[e + 1..].iter().any(Option::is_some) => {
                            (Standing::MissingBelow, None)
                        }
                        None if e > 0 && present[e - 1].is_some() => (Standing::Pending, None),
                        None => (Standing::Absent, None),
                    })
                    .collect();
                StatusRow {
                    dir: dir.to_string(),
                    migration: m.name().to_string(),
                    cells,
                }
            })
            .collect()
    }
}
