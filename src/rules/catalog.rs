//! The Catalog replayed over each directory's migrations, once per run,
//! for the rules that compare schemas (`down-restores-schema`,
//! `unknown-object`, `irreversible-change`).
//!
//! The head Plan is replayed in the tool's order: the up scripts of the
//! migrations the change does not touch (the history, as the base has it)
//! and those of the new or changed migrations. Before each new or changed
//! migration the Catalog is what every earlier migration built; its up
//! script is applied, then its down script on a copy, and the copy is
//! compared with the Catalog from before the up. Both are compared on the
//! objects the two scripts name (`Catalog::restricted`), so a migration
//! costs what it names, not the size of the schema.

use rustc_hash::{FxHashMap as HashMap, FxHashSet};
use std::ops::Range;
use std::sync::{Arc, OnceLock};

use serde::{Deserialize, Serialize};

use crate::plan::MigrationKind;
use crate::rules::{Context, DirView, Role, ScriptView};
use crate::sql::catalog::{self, Catalog, Difference, Loss, Missing};

/// The replays of every directory, computed on first use.
#[derive(Debug, Default)]
pub struct Replays(OnceLock<Vec<DirReplay>>);

/// A copy of a Context starts without the replay: it is computed again on
/// first use, from that Context's directories.
impl Clone for Replays {
    fn clone(&self) -> Self {
        Replays(OnceLock::new())
    }
}

/// The Catalog handed into a replay and out of it (see `DirView::carry`):
/// a lint batch starts where the batch before stopped; a check starts from
/// the state a cache kept of the history.
pub type Carry = Arc<std::sync::Mutex<Handover>>;

/// What a replay takes and leaves.
#[derive(Debug, Default)]
pub struct Handover {
    /// Where the replay starts (taken); it leaves its final state here: the
    /// Catalog with the up script of every migration of the head applied.
    pub seed: Option<Seed>,
    /// Asks the replay to keep the state before the first new or changed
    /// migration in `before_fresh`: what the history alone builds.
    pub keep_before_fresh: bool,
    /// That state, when asked for.
    pub before_fresh: Option<Seed>,
}

/// The Catalog and who created what: where a replay starts.
#[derive(Debug, Serialize, Deserialize)]
pub struct Seed {
    catalog: Catalog,
    created_by: HashMap<String, usize>,
}

impl Seed {
    /// The state as bytes, for a cache.
    pub fn encode(&self) -> Option<Vec<u8>> {
        postcard::to_allocvec(self).ok()
    }

    /// A state from bytes that `encode` wrote; `None` when they are not one.
    pub fn decode(bytes: &[u8]) -> Option<Seed> {
        postcard::from_bytes(bytes).ok()
    }
}

/// A new, empty hand-over for a directory.
pub fn carry() -> Carry {
    Carry::default()
}

/// What the replay of one directory found.
#[derive(Debug, Default)]
pub struct DirReplay {
    /// One entry per new or changed migration, in order.
    pub migrations: Vec<Replayed>,
}

/// An object a migration uses before any migration creates it.
#[derive(Debug)]
pub struct MissingUse {
    /// The object and where the statement names it.
    pub missing: Missing,
    /// The file.
    pub path: String,
    /// The first later migration of the head Plan that creates it (by
    /// index), known once the replay has seen every migration.
    pub created_later: Option<usize>,
}

/// A statement located in a file.
#[derive(Clone, Debug)]
pub struct At {
    /// The file.
    pub path: String,
    /// Bytes in it.
    pub span: Range<usize>,
}

/// What one new or changed migration does to the Catalog.
#[derive(Debug, Default)]
pub struct Replayed {
    /// Its index in the head Plan.
    pub index: usize,
    /// Objects its up script uses that no earlier migration created.
    pub missing: Vec<MissingUse>,
    /// Data its up script destroys, with the file.
    pub losses: Vec<(Loss, String)>,
    /// How the schema after up-then-down differs from the one before,
    /// with the up and down statements involved.
    pub differences: Vec<(Difference, Option<At>, Option<At>)>,
    /// The down script's file and first statement, when it has one.
    pub down_at: Option<At>,
    /// The up script changes the schema the Catalog models.
    pub up_changes_schema: bool,
    /// The down script exists and has no statement with an effect.
    pub down_does_nothing: bool,
}

/// The replays, computed once per run.
pub fn replays<'a>(ctx: &'a Context) -> &'a [DirReplay] {
    ctx.shared
        .catalog
        .0
        .get_or_init(|| ctx.dirs.iter().map(|d| replay(d, ctx)).collect())
}

fn replay(dir: &DirView, ctx: &Context) -> DirReplay {
    let mut out = DirReplay::default();
    if dir.scripts.is_empty() {
        return out;
    }
    let dialect = ctx.config.dialect;
    let (seed, keep_before_fresh) = match dir.carry.as_ref().map(|c| c.lock()) {
        Some(Ok(mut handover)) => (handover.seed.take(), handover.keep_before_fresh),
        _ => (None, false),
    };
    let mut before_fresh = None;
    // For each object key, the first head migration that creates it.
    let mut created_by = HashMap::default();
    let mut catalog = match seed {
        Some(seed) => {
            created_by = seed.created_by;
            seed.catalog
        }
        None => Catalog::new(dialect),
    };
    let mut fresh: HashMap<usize, (Option<&ScriptView>, Option<&ScriptView>)> = HashMap::default();
    for s in &dir.scripts {
        let entry = fresh.entry(s.migration).or_default();
        match s.role {
            Role::Up => entry.0 = Some(s),
            Role::Down => entry.1 = Some(s),
        }
    }
    let history: HashMap<usize, &ScriptView> =
        dir.history.iter().map(|s| (s.migration, s)).collect();
    for (index, migration) in dir.head.migrations.iter().enumerate() {
        // A baseline stands for the migrations before it on new databases
        // only: replaying both would create every object twice.
        if migration.kind == MigrationKind::Baseline && index > 0 {
            continue;
        }
        // A sqitch change that requires another project's change
        // (`[oss_chef:roles]`) runs after that project deployed objects the
        // Catalog never sees, in this change and every later one.
        if migration.requires_other_project() {
            catalog.opaque_history = true;
        }
        let Some((up, down)) = fresh.get(&index).copied() else {
            if let Some(script) = history.get(&index) {
                for applied in apply_all(&mut catalog, script) {
                    record_created(&mut created_by, &applied.created, index);
                }
            }
            continue;
        };
        if keep_before_fresh && before_fresh.is_none() {
            before_fresh = Some(Seed {
                catalog: catalog.clone(),
                created_by: created_by.clone(),
            });
        }
        let mut replayed = Replayed {
            index,
            ..Replayed::default()
        };
        // Only what the up and down scripts name can differ: both are
        // compared on that part of the Catalog, so a migration costs what
        // it names, not the size of the schema. Without a down there is
        // nothing to compare.
        let named = down.map(|_| {
            catalog::Words::of([up, down].into_iter().flatten().flat_map(|s| {
                let text = s.text.as_ref().map(|t| &**t).unwrap_or("");
                s.parsed
                    .statements
                    .iter()
                    .map(move |st| text.get(st.span.clone()).unwrap_or(""))
            }))
        });
        let before = named.as_ref().map(|named| catalog.restricted(named));
        // Objects this migration creates hold no data yet: dropping a
        // staging table it created loses nothing.
        let mut created_here = FxHashSet::default();
        let mut up_uncertain = Vec::new();
        // A table copied into one created here, dropped, and replaced by
        // that copy under its name (SQLite's rebuild) loses no rows, unless
        // the copy left some of its columns out.
        let mut copies = Vec::new();
        let mut dropped_columns = HashMap::default();
        let mut rebuilt = Vec::new();
        if let Some(up) = up {
            let text = up.text.as_ref().map(|t| &**t).unwrap_or("");
            for statement in &up.parsed.statements {
                let applied = catalog.apply(statement, text);
                record_created(&mut created_by, &applied.created, index);
                copies.extend(applied.copies);
                dropped_columns.extend(applied.dropped_columns);
                if applied.uncertain {
                    up_uncertain.push(text.get(statement.span.clone()).unwrap_or(""));
                }
                for missing in applied.missing {
                    replayed.missing.push(MissingUse {
                        missing,
                        path: up.path.clone(),
                        created_later: None,
                    });
                }
                if migration.kind == MigrationKind::Versioned {
                    for l in applied.losses {
                        let table_key = l
                            .key
                            .rsplit_once('.')
                            .map(|(t, _)| t.replacen("column:", "table:", 1));
                        let new = created_here.contains(&l.key)
                            || table_key.is_some_and(|t| created_here.contains(&t))
                            || (!l.overwrites.is_empty()
                                && l.overwrites.iter().all(|c| created_here.contains(c)));
                        let copied = copies
                            .iter()
                            .any(|(into, from)| *from == l.key && created_here.contains(into));
                        if copied && dropped_columns.contains_key(&l.key) {
                            rebuilt.push(l);
                        } else if !new {
                            replayed.losses.push((l, up.path.clone()));
                        }
                    }
                }
                created_here.extend(applied.created);
            }
            for l in rebuilt {
                let kept = catalog.columns_of(&l.key).is_some_and(|now| {
                    dropped_columns
                        .get(&l.key)
                        .is_some_and(|old: &Vec<String>| {
                            old.iter().all(|c| now.contains(&c.as_str()))
                        })
                });
                if !kept {
                    replayed.losses.push((l, up.path.clone()));
                }
            }
        }
        let compared = named.as_ref().zip(before).map(|(named, before)| {
            let middle = catalog.restricted(named);
            replayed.up_changes_schema =
                !catalog::diff(&before, &middle, &middle, &|_| false).is_empty();
            (before, middle)
        });
        if let (Some(up), Some(down), Some((before, middle))) = (up, down, compared) {
            replayed.down_does_nothing = does_nothing(down);
            let mut after = middle.clone();
            for sql in &up_uncertain {
                after.mark_uncertain_text(sql);
            }
            apply_all(&mut after, down);
            replayed.down_at = down.parsed.statements.first().map(|s| At {
                path: down.path.clone(),
                span: s.span.clone(),
            });
            // An empty down is `empty-down`'s to report, once. Names that
            // a statement of the up or the down could not model are left
            // out (`after` started with nothing uncertain).
            if !after.opaque_history && !replayed.down_does_nothing {
                let uncertain = &after.uncertain;
                let ignored = |name: &str| uncertain.covers(name);
                for d in catalog::diff(&before, &middle, &after, &ignored) {
                    let up_at = involved(up, &d.names, false);
                    // The down statement only when it names the object
                    // itself: one that merely names its table is no clue.
                    let down_at = involved(down, &d.names[..d.names.len().min(1)], true);
                    replayed.differences.push((d, up_at, down_at));
                }
            }
        }
        out.migrations.push(replayed);
    }
    // A table used as a view may be created as one.
    for replayed in &mut out.migrations {
        for m in &mut replayed.missing {
            let key = &m.missing.key;
            m.created_later = [Some(key.clone()), view_key(key)]
                .into_iter()
                .flatten()
                .filter_map(|k| created_by.get(&k).copied())
                .filter(|i| *i > replayed.index)
                .min();
        }
    }
    if let Some(carry) = &dir.carry {
        if let Ok(mut handover) = carry.lock() {
            handover.seed = Some(Seed {
                catalog,
                created_by,
            });
            handover.before_fresh = before_fresh;
        }
    }
    out
}

/// Whether a script has no statement with an effect: only comments,
/// `SELECT` of constants, transaction control and session settings.
pub fn does_nothing(script: &ScriptView) -> bool {
    let Ok(text) = &script.text else {
        return false;
    };
    script.parsed.statements.iter().all(|s| {
        if matches!(s.parsed, crate::sql::Parsed::Meta) {
            return true;
        }
        let sql = text.get(s.span.clone()).unwrap_or("");
        let words = crate::sql::leading_words(sql, 1);
        match words.first().map(|w| w.as_ref()) {
            Some("BEGIN" | "COMMIT" | "START" | "END" | "SET" | "RESET") | None => true,
            Some("SELECT") => {
                let upper = sql.to_ascii_uppercase();
                !upper.contains("FROM") && !upper.contains('(')
            }
            _ => false,
        }
    })
}

fn apply_all(catalog: &mut Catalog, script: &ScriptView) -> Vec<catalog::Applied> {
    let text = script.text.as_ref().map(|t| &**t).unwrap_or("");
    script
        .parsed
        .statements
        .iter()
        .map(|s| catalog.apply(s, text))
        .collect()
}

/// The key of the view of the same name as a table key.
fn view_key(key: &str) -> Option<String> {
    key.strip_prefix("table:")
        .map(|name| format!("view:{name}"))
}

fn record_created(created_by: &mut HashMap<String, usize>, keys: &[String], index: usize) {
    for k in keys {
        if !created_by.contains_key(k) {
            created_by.insert(k.clone(), index);
        }
    }
}

/// The statement of a script that names the object a difference is about:
/// the first (up) or last (down) that names its most specific name, else
/// the next one.
fn involved(script: &ScriptView, names: &[String], last: bool) -> Option<At> {
    let text: &str = script.text.as_ref().ok().map(Arc::as_ref)?;
    for name in names {
        let names_it = |s: &&crate::sql::Statement| {
            text.get(s.span.clone()).is_some_and(|sql| {
                sql.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$'))
                    .any(|w| w.eq_ignore_ascii_case(name))
            })
        };
        let found = if last {
            script.parsed.statements.iter().rev().find(names_it)
        } else {
            script.parsed.statements.iter().find(names_it)
        };
        if let Some(s) = found {
            return Some(At {
                path: script.path.clone(),
                span: s.span.clone(),
            });
        }
    }
    None
}
