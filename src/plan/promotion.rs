//! The promotion view of one migration directory: its Plan in each
//! environment (read from the environment's branch or deploy ref) next to
//! the head's, and which of them hold the same content for each migration.
//! Rules and `sqlgate status` read it; it knows nothing of git.

use std::collections::HashMap;
use std::sync::Arc;

use super::{Migration, Plan};
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
        DirPromotion {
            envs,
            env_classes,
            head_classes,
            index,
            texts: Vec::new(),
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
    /// Deployed there with the content the lowest environment that has it has.
    Deployed,
    /// Deployed there, with content that differs from another environment's.
    Drifted,
    /// Not there yet, but in the environment below: next promotion brings it.
    Pending,
    /// Not there, though a higher environment has it (a hotfix to bring down).
    MissingBelow,
    /// Not there, and only for lower environments (by context, label or path).
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
