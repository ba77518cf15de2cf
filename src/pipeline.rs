//! Runs the steps of a check in order: Snapshots -> Plans -> Changes ->
//! parsed Scripts -> rules -> suppressions, severities and the baseline.
//! Knows each step's values, none of their insides; chooses the Snapshots
//! for each mode (range, staged, lint) and where the configuration and the
//! baseline are read from.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::cache;
use crate::config::baseline::{self, Baseline, Key};
use crate::config::suppress::{self, Suppression};
use crate::config::{self, Config, MigrationDir};
use crate::error::{Error, Result};
use crate::finding::{Finding, Location, Side, Sources};
use crate::git::{CommitId, Repo, Snapshot};
use crate::layout::{self, Layout};
use crate::plan::promotion::{DirPromotion, Place, StatusTable};
use crate::plan::{self, ChangeKind, Plan};
use crate::rules::{self, ConfigChange, Context, DirView, Role, ScriptView};
use crate::source::{join, FileEntry, FileSource, Files, FsSource, Text};
use crate::sql;

/// What a check found, with what reports need to show it.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Findings after suppressions and configured severities, sorted.
    pub findings: Vec<Finding>,
    /// Texts of the files findings point at.
    pub sources: Sources,
    /// Lines for `-v`: which directories and layouts, what was compared.
    pub notes: Vec<String>,
    /// Inline suppressions in the files checked, with whether each was used.
    pub suppressions: Vec<(Suppression, bool)>,
    /// How many migrations the change touched.
    pub checked: usize,
    /// The scripts checked (head paths), for reports that list every file.
    pub files: Vec<String>,
    /// The rules that ran (not turned off by the configuration).
    pub rules: Vec<String>,
    /// How many findings the baseline held back.
    pub baselined: usize,
    /// Lines said even without `-v` (unless `--quiet`): a path that was
    /// named but holds no migration directory.
    pub warnings: Vec<String>,
}

impl Outcome {
    /// Puts `prefix/` before every path, so that paths read from the current
    /// directory when the files linted are below it.
    fn prefix_paths(&mut self, prefix: &str) {
        if prefix.is_empty() {
            return;
        }
        let fix = |path: &mut String| *path = format!("{prefix}/{path}");
        for f in &mut self.findings {
            fix(&mut f.location.path);
            for l in &mut f.labels {
                fix(&mut l.location.path);
            }
        }
        self.sources.prefix_paths(prefix);
        for (s, _) in &mut self.suppressions {
            fix(&mut s.path);
        }
        for f in &mut self.files {
            fix(f);
        }
    }
}

/// How a run is set up, whatever its mode.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// `--config PATH`: read the configuration from this file instead.
    pub config: Option<PathBuf>,
    /// `lint --since VERSION`: skip migrations at or before it in every
    /// directory (instead of each directory's `since:`).
    pub since: Option<String>,
    /// `check --target ENV`: the environment (or its branch) the change is
    /// for; its promotion rules apply.
    pub target: Option<String>,
    /// The pull request's target branch as the CI names it
    /// (`GITHUB_BASE_REF`, ...): when it is an environment's branch, the
    /// promotion rules apply without `--target`.
    pub base_hint: Option<String>,
    /// `--no-cache` (or `SQLGATE_NO_CACHE`): neither read nor keep the
    /// replayed Catalog in the repository's git directory.
    pub no_cache: bool,
}

/// The sides a range can have: base, target tip, head, and each
/// environment's branch or ref in a promotion.
struct Sides<'a> {
    base: Option<&'a Files<'a>>,
    target: Option<&'a Files<'a>>,
    head: &'a Files<'a>,
    envs: Vec<Option<&'a Files<'a>>>,
    /// Per environment, the side whose commit it is at, when it is one of
    /// the range's own (its Plans are then not built again).
    env_alias: Vec<Option<Side>>,
    /// Where the Catalog replayed from the history is kept between runs,
    /// when the sides are commits or the index of a repository.
    cache: Option<cache::Store>,
}

/// The store of a repository's cached Catalog states, unless turned off.
fn cache_of(repo: &Repo, options: &Options) -> Option<cache::Store> {
    // Read here, not by the command line, so that the hooks' runs see it.
    let off = options.no_cache
        || std::env::var("SQLGATE_NO_CACHE").is_ok_and(|v| {
            let v = v.to_ascii_lowercase();
            !["", "0", "false", "no", "off", "n", "f"].contains(&v.as_str())
        });
    (!off).then(|| cache::Store::in_git_dir(&repo.common_dir()))
}

/// `sqlgate check --base B --head H`: what merge-base(B, H)..H changes.
pub fn check_range(repo: &Repo, base: &str, head: &str, options: &Options) -> Result<Outcome> {
    let base_tip = repo.resolve(base)?;
    let head_id = repo.resolve(head)?;
    let merge_base = repo.merge_base(base_tip, head_id)?;
    let range = Range {
        base: merge_base,
        target: (base_tip != merge_base).then_some(base_tip),
        head: head_id,
        target_name: base.to_string(),
        environment: None,
        remote: Some("origin".to_string()),
    };
    let mut outcome = check_commits(repo, &range, options)?;
    outcome.notes.insert(
        0,
        format!(
            "comparing {}..{} (merge base of {base} and {head})",
            merge_base.short(),
            head_id.short()
        ),
    );
    Ok(outcome)
}

/// A range given by commits, as hooks know them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Range {
    /// What the destination already has of this line of history: the
    /// Snapshot the change is compared with, and where the configuration
    /// is read from.
    pub base: CommitId,
    /// The tip of the branch new migrations must sort after, when it moved
    /// past `base`.
    pub target: Option<CommitId>,
    /// The commit checked.
    pub head: CommitId,
    /// How reports name what `base` and `target` stand for (`main`,
    /// `origin/main`).
    pub target_name: String,
    /// The environment whose branch or ref the head becomes, when the
    /// caller knows it (a hook pushing to an environment's branch).
    pub environment: Option<String>,
    /// Where environment branches are read: this remote's tracking
    /// branches first (then local ones), or only local branches (`None`,
    /// on the server).
    pub remote: Option<String>,
}

/// Checks what `range.base..range.head` changes. Returns at once, without
/// building any Plan, when the change touches neither a migration directory
/// nor the configuration. A configuration the change breaks is reported by
/// `config-weakened` at error severity, and the check still runs with the
/// base's, so a broken one never reaches the branch it will be read from.
pub fn check_commits(repo: &Repo, range: &Range, options: &Options) -> Result<Outcome> {
    let base_snap = repo.commit_snapshot(range.base);
    let head_snap = repo.commit_snapshot(range.head);
    let base_files = Files::new(&base_snap);
    let head_files = Files::sharing(&head_snap, &base_files);
    let mut config = match &options.config {
        Some(path) => read_config_file(path)?,
        None => config_in(
            &base_files,
            &format!("{}:{}", range.target_name, config::FILE_NAME),
        )?,
    };
    let changed = head_snap.paths_changed_since(Some(range.base))?;
    if let Some(note) = untouched(&config, changed.as_deref()) {
        return Ok(Outcome {
            notes: vec![note],
            ..Outcome::default()
        });
    }
    let sniffed = match &options.config {
        Some(_) => None,
        None => sniff_dialect(&mut config, &base_files, &head_files, None)?,
    };
    let target_snap = range.target.map(|id| repo.commit_snapshot(id));
    let target_files = target_snap.as_ref().map(|s| Files::sharing(s, &base_files));
    // Like the configuration, the baseline comes from the base: a change
    // cannot baseline its own findings.
    let baseline = baseline_in(
        &base_files,
        config.baseline_path(),
        &format!("{}:{}", range.target_name, config.baseline_path()),
    )?;
    let setup = promotion_setup(&config, range, options)?;
    let mut tips: Vec<(Option<CommitId>, String)> = match &setup {
        Some(_) => env_tips(repo, &config, range.remote.as_deref()),
        None => Vec::new(),
    };
    // A hook knows where the pushed environment's ref was before the push;
    // a local ref may already have moved (a deploy tag moved before it is
    // pushed).
    if let (Some(name), Some((Some(env), _))) = (&range.environment, &setup) {
        if config.environment_for(name) == Some(*env) {
            if let Some(tip) = tips.get_mut(*env) {
                tip.0 = Some(range.base);
            }
        }
    }
    let env_snaps: Vec<Option<Snapshot>> = tips
        .iter()
        .map(|(tip, _)| tip.map(|id| repo.commit_snapshot(id)))
        .collect();
    let env_files: Vec<Option<Files>> = env_snaps
        .iter()
        .map(|s| s.as_ref().map(|s| Files::sharing(s, &base_files)))
        .collect();
    let promotion = setup.map(|(target, reach)| rules::Promotion {
        envs: config
            .environments
            .iter()
            .zip(&tips)
            .map(|(e, (tip, shown))| rules::EnvState {
                name: e.name.clone(),
                shown: shown.clone(),
                commit: tip.map(|t| t.short()),
            })
            .collect(),
        target,
        reach,
        trunk_based: config.environments.iter().all(|e| e.reference.is_some()),
    });
    let sides = Sides {
        base: Some(&base_files),
        target: target_files.as_ref(),
        head: &head_files,
        envs: env_files.iter().map(Option::as_ref).collect(),
        env_alias: tips
            .iter()
            .map(|(tip, _)| match tip {
                Some(t) if *t == range.head => Some(Side::Head),
                Some(t) if *t == range.base => Some(Side::Base),
                Some(t) if Some(*t) == range.target => Some(Side::Target),
                _ => None,
            })
            .collect(),
        cache: cache_of(repo, options),
    };
    let (mut outcome, keys) = run(
        &config,
        &sides,
        &range.target_name,
        false,
        baseline.is_some(),
        promotion.as_ref(),
    )?;
    apply_baseline(&mut outcome, keys, baseline.as_ref());
    outcome.notes.extend(sniffed);
    if let Some(promotion) = &promotion {
        name_commits(repo, range, &tips, promotion, &mut outcome.findings);
        outcome.notes.push(format!(
            "promotion: {}",
            promotion
                .envs
                .iter()
                .enumerate()
                .map(|(i, e)| format!(
                    "{}{} at {}",
                    promotion.name(i),
                    if promotion.target == Some(i) {
                        " (target)"
                    } else {
                        ""
                    },
                    e.commit
                        .as_deref()
                        .unwrap_or("nothing (no such branch or ref)")
                ))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    Ok(outcome)
}

/// Which environment a range promotes to and which environments it will
/// reach, when the configuration has environments and the target is one
/// of them, or is the trunk that deploy refs follow.
fn promotion_setup(
    config: &Config,
    range: &Range,
    options: &Options,
) -> Result<Option<(Option<usize>, Vec<usize>)>> {
    if config.environments.is_empty() {
        return Ok(None);
    }
    if let Some(target) = &options.target {
        if config.environment_for(target).is_none() && !is_branch_of_trunk(config, target) {
            let names: Vec<&str> = config
                .environments
                .iter()
                .map(|e| e.name.as_str())
                .collect();
            let mut err = Error::new(format!(
                "--target {target} is neither an environment nor the trunk"
            ));
            err = match config::suggest(target, &names) {
                Some(s) => err.with_help(format!("did you mean `{s}`?")),
                None => err.with_help(format!("the environments are {}", names.join(", "))),
            };
            return Err(err);
        }
    }
    let named = [
        range.environment.as_deref(),
        options.target.as_deref(),
        options.base_hint.as_deref(),
        Some(range.target_name.as_str()),
    ];
    let count = config.environments.len();
    for name in named.into_iter().flatten() {
        if let Some(env) = config.environment_for(name) {
            return Ok(Some((Some(env), (env..count).collect())));
        }
        if is_branch_of_trunk(config, name) {
            let refs: Vec<usize> = (0..count)
                .filter(|i| config.environments[*i].reference.is_some())
                .collect();
            if refs.is_empty() {
                return Ok(None);
            }
            return Ok(Some((None, refs)));
        }
    }
    Ok(None)
}

/// Whether a name (`main`, `origin/main`, `refs/heads/main`) is the trunk's.
fn is_branch_of_trunk(config: &Config, name: &str) -> bool {
    let trunk = config.trunk.as_deref().unwrap_or("main");
    let short = name
        .strip_prefix("refs/heads/")
        .or_else(|| name.strip_prefix("refs/remotes/origin/"))
        .or_else(|| name.strip_prefix("origin/"))
        .unwrap_or(name);
    short == trunk
}

/// Each environment's tip and how reports name it: a branch from the
/// remote's tracking branch (else the local one), a ref as configured.
fn env_tips(repo: &Repo, config: &Config, remote: Option<&str>) -> Vec<(Option<CommitId>, String)> {
    config
        .environments
        .iter()
        .map(|env| {
            let mut candidates: Vec<(String, String)> = Vec::new();
            let branch = env.branch.clone().or_else(|| {
                env.reference
                    .as_deref()
                    .and_then(|r| r.strip_prefix("refs/heads/"))
                    .map(str::to_string)
            });
            if let Some(b) = &branch {
                if let Some(r) = remote {
                    candidates.push((format!("refs/remotes/{r}/{b}"), format!("{r}/{b}")));
                }
                candidates.push((format!("refs/heads/{b}"), b.clone()));
            }
            if let Some(r) = &env.reference {
                if r.starts_with("refs/") {
                    candidates.push((r.clone(), r.clone()));
                } else {
                    candidates.push((format!("refs/tags/{r}"), r.clone()));
                    candidates.push((format!("refs/{r}"), r.clone()));
                }
            }
            candidates
                .iter()
                .find_map(|(full, shown)| repo.ref_target(full).map(|id| (Some(id), shown.clone())))
                .unwrap_or_else(|| {
                    (
                        None,
                        candidates
                            .last()
                            .map(|(_, s)| s.clone())
                            .unwrap_or_default(),
                    )
                })
        })
        .collect()
}

/// Fills each promotion and ordering finding's commit: the commit that
/// introduced the file it points at, in the range for the head, in the
/// environment's history for another environment's file.
fn name_commits(
    repo: &Repo,
    range: &Range,
    tips: &[(Option<CommitId>, String)],
    promotion: &rules::Promotion,
    findings: &mut [Finding],
) {
    let mut cache: HashMap<(Side, String), Option<CommitId>> = HashMap::new();
    for finding in findings.iter_mut() {
        let rule_matters = finding.rule == "version-order"
            || rules::facts(&finding.rule).is_some_and(|f| f.category == "promotion");
        if !rule_matters || finding.commit.is_some() {
            continue;
        }
        let location = &finding.location;
        let key = (location.side, location.path.clone());
        let commit = *cache.entry(key).or_insert_with(|| match location.side {
            Side::Head => repo.introducing_commit(range.head, Some(range.base), &location.path),
            Side::Env(i) => tips
                .get(i)
                .and_then(|(tip, _)| *tip)
                .and_then(|tip| repo.introducing_commit(tip, None, &location.path)),
            _ => None,
        });
        let Some(commit) = commit else { continue };
        finding.commit = Some(commit.hex());
        let in_env = match location.side {
            Side::Env(i) => format!(" on {}", promotion.envs[i].name),
            _ => String::new(),
        };
        finding.message = format!(
            "{} (added by commit {}{in_env}: \"{}\")",
            finding.message,
            commit.short(),
            repo.summary(commit)
        );
    }
}

/// The configuration in a commit's tree (the default one when it has none);
/// `origin` names it in messages.
pub fn config_at(repo: &Repo, commit: CommitId, origin: &str) -> Result<Config> {
    let snap = repo.commit_snapshot(commit);
    config_in(&Files::new(&snap), origin)
}

/// When a change cannot matter to any rule (it touches no migration
/// directory and not the configuration), the note that says so. Without
/// configured directories, any `.sql` file may belong to one.
fn untouched(config: &Config, changed: Option<&[String]>) -> Option<String> {
    let changed = changed?;
    let matters = |path: &str| {
        path == config::FILE_NAME
            || if config.migrations.is_empty() {
                layout::may_hold_migration(path)
            } else {
                config.migrations.iter().any(|m| {
                    let dir = m.dir.trim_end_matches('/');
                    dir.is_empty()
                        || path == dir
                        || path
                            .strip_prefix(dir)
                            .is_some_and(|rest| rest.starts_with('/'))
                })
            }
    };
    if changed.iter().any(|p| matters(p)) {
        None
    } else {
        Some("no migration directory and no configuration changed: nothing to check".to_string())
    }
}

/// `sqlgate check --staged`: the index against `HEAD`.
pub fn check_staged(repo: &Repo, options: &Options) -> Result<Outcome> {
    if repo.is_bare() {
        return Err(Error::new("a bare repository has no index to check")
            .with_help("use `sqlgate check --base <rev> --head <rev>`"));
    }
    let head: Option<CommitId> = repo.head();
    let index_snap = repo.index_snapshot()?;
    let head_snap = head.map(|id| repo.commit_snapshot(id));
    let index_files = Files::new(&index_snap);
    let head_files = head_snap.as_ref().map(|s| Files::sharing(s, &index_files));
    let mut config = match &options.config {
        Some(path) => read_config_file(path)?,
        None => config_in(&index_files, config::FILE_NAME)?,
    };
    let target = repo.head_branch().unwrap_or_else(|| "HEAD".to_string());
    if let Some(note) = untouched(&config, index_snap.paths_changed_since(head)?.as_deref()) {
        return Ok(Outcome {
            notes: vec![note],
            ..Outcome::default()
        });
    }
    let sniffed = match &options.config {
        Some(_) => None,
        None => sniff_dialect(&mut config, &index_files, &index_files, None)?,
    };
    let baseline = baseline_in(&index_files, config.baseline_path(), config.baseline_path())?;
    let sides = Sides {
        base: head_files.as_ref(),
        target: None,
        head: &index_files,
        envs: Vec::new(),
        env_alias: Vec::new(),
        cache: cache_of(repo, options),
    };
    let (mut outcome, keys) = run(&config, &sides, &target, false, baseline.is_some(), None)?;
    apply_baseline(&mut outcome, keys, baseline.as_ref());
    outcome.notes.splice(
        0..0,
        std::iter::once(format!("comparing the index with {target}")).chain(sniffed),
    );
    // The index and the listings hold an entry per file of the repository
    // and the process ends right after the report: freeing them one by one
    // (libgit2 frees the index with the repository) only costs time.
    std::mem::forget(sides);
    std::mem::forget((index_files, head_files));
    std::mem::forget((index_snap, head_snap));
    Ok(outcome)
}

/// Checks `head` against `base` (or, without a base, every migration as
/// new) for sources that are not a repository: the rule examples, tests.
pub fn check_sources(
    config: &Config,
    base: Option<&dyn FileSource>,
    head: &dyn FileSource,
    target_name: &str,
) -> Result<Outcome> {
    check_sources_in_environments(config, base, head, target_name, &[], None)
}

/// As `check_sources`, with the environments' files (one source per
/// configured environment, `None` when its branch does not exist) and the
/// environment the head becomes (`None` with environments: the trunk that
/// deploy refs follow).
pub fn check_sources_in_environments(
    config: &Config,
    base: Option<&dyn FileSource>,
    head: &dyn FileSource,
    target_name: &str,
    envs: &[Option<&dyn FileSource>],
    target: Option<usize>,
) -> Result<Outcome> {
    let base_files = base.map(Files::new);
    let head_files = Files::new(head);
    let env_files: Vec<Option<Files>> = envs.iter().map(|e| e.map(Files::new)).collect();
    let promotion = (!envs.is_empty()).then(|| rules::Promotion {
        envs: config
            .environments
            .iter()
            .map(|e| rules::EnvState {
                name: e.name.clone(),
                shown: e.branch.clone().or(e.reference.clone()).unwrap_or_default(),
                commit: None,
            })
            .collect(),
        target,
        reach: match target {
            Some(t) => (t..config.environments.len()).collect(),
            None => (0..config.environments.len()).collect(),
        },
        trunk_based: config.environments.iter().all(|e| e.reference.is_some()),
    });
    let sides = Sides {
        base: base_files.as_ref(),
        target: None,
        head: &head_files,
        envs: env_files.iter().map(Option::as_ref).collect(),
        env_alias: Vec::new(),
        cache: None,
    };
    run(
        config,
        &sides,
        target_name,
        base.is_none(),
        false,
        promotion.as_ref(),
    )
    .map(|(outcome, _)| outcome)
}

/// `sqlgate lint PATH...`: files on disk, every migration counted as new;
/// findings in the baseline are held back.
pub fn lint(paths: &[PathBuf], options: &Options) -> Result<Outcome> {
    let linted = lint_run(paths, options, Baselining::Apply)?;
    Ok(linted.outcome)
}

/// What `sqlgate baseline` did.
#[derive(Debug)]
pub struct BaselineRun {
    /// The file written.
    pub path: PathBuf,
    /// Counts of what changed in it.
    pub update: baseline::Update,
    /// How many migrations were linted.
    pub checked: usize,
}

/// `sqlgate baseline [--prune] [PATH...]`: lints the paths and writes the
/// findings that exist today to the baseline file (with `prune`, only drops
/// the entries that no longer match). Entries of directories not linted are
/// kept.
pub fn baseline(paths: &[PathBuf], options: &Options, prune: bool) -> Result<BaselineRun> {
    let linted = lint_run(paths, options, Baselining::Record)?;
    let path = linted.root.join(linted.config.baseline_path());
    let old = match std::fs::read_to_string(&path) {
        Ok(text) => Baseline::parse(&text, &path.display().to_string())?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Baseline::default(),
        Err(e) => return Err(Error::new(format!("cannot read {}: {e}", path.display()))),
    };
    let dirs: Vec<&str> = linted
        .config
        .migrations
        .iter()
        .map(|m| m.dir.as_str())
        .collect();
    let today = Baseline::record(&linted.root_findings, &linted.keys);
    let covered = |e: &baseline::Entry| {
        dirs.contains(&e.dir.as_str())
            && linted
                .only_files
                .as_ref()
                .is_none_or(|files| files.contains(&e.path))
    };
    let (new, update) = old.update(today, &covered, prune);
    std::fs::write(&path, new.render())
        .map_err(|e| Error::new(format!("cannot write {}: {e}", path.display())))?;
    Ok(BaselineRun {
        path,
        update,
        checked: linted.outcome.checked,
    })
}

/// What a lint does with the baseline.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Baselining {
    /// Holds back the findings it lists.
    Apply,
    /// Ignores it and returns every finding's key, to write a new one.
    Record,
}

struct Linted {
    outcome: Outcome,
    /// With `Baselining::Record`: the findings with paths from the root, and
    /// their keys.
    root_findings: Vec<Finding>,
    keys: Vec<Key>,
    root: PathBuf,
    /// When only files were linted: their paths from the root.
    only_files: Option<Vec<String>>,
    /// The configuration, with the directories that were linted.
    config: Config,
}

fn lint_run(paths: &[PathBuf], options: &Options, baselining: Baselining) -> Result<Linted> {
    let first = paths.first().cloned().unwrap_or_else(|| PathBuf::from("."));
    for path in paths {
        if !path.exists() {
            return Err(Error::new(format!("{} does not exist", path.display())));
        }
    }
    let first = absolute(&first)?;
    let start = if first.is_dir() {
        first.clone()
    } else {
        first.parent().map(Path::to_path_buf).unwrap_or_default()
    };
    let config_file = options
        .config
        .clone()
        .or_else(|| find_upwards(&start, config::FILE_NAME));
    let root = match (&options.config, &config_file) {
        (None, Some(file)) => file.parent().map(Path::to_path_buf).unwrap_or_default(),
        _ => find_upwards(&start, ".git")
            .and_then(|g| g.parent().map(Path::to_path_buf))
            .unwrap_or(start.clone()),
    };
    let mut config = match &config_file {
        Some(path) => read_config_file(path)?,
        None => Config::default(),
    };
    let fs = FsSource::new(&root);
    let files = Files::new(&fs);
    let mut wanted_dirs = Vec::new();
    let mut wanted_files = Vec::new();
    for path in paths {
        let abs = absolute(path)?;
        let rel = relative(&abs, &root).ok_or_else(|| {
            Error::new(format!("{} is outside {}", path.display(), root.display()))
                .with_help("lint paths below one repository (or one .sqlgate.yml) at a time")
        })?;
        if abs.is_file() {
            wanted_files.push(rel.clone());
            let parent = rel
                .rsplit_once('/')
                .map_or(String::new(), |(d, _)| d.to_string());
            wanted_dirs.push(parent);
        } else {
            wanted_dirs.push(rel);
        }
    }
    config.migrations = select_dirs(&config, &files, &wanted_dirs)?;
    // A path named that holds no migration directory is said, as written.
    let warnings: Vec<String> = wanted_dirs
        .iter()
        .zip(paths)
        .filter(|(w, _)| {
            !config
                .migrations
                .iter()
                .any(|m| is_below(&m.dir, w) || is_below(w, &m.dir))
        })
        .map(|(_, path)| {
            format!(
                "no migration directory found in {}: no layout reads its files as migrations (`sqlgate init --dry-run` lists what it finds; `migrations:` in .sqlgate.yml names a directory and its layout)",
                path.display()
            )
        })
        .collect();
    let sniffed = match config_file {
        Some(_) => None,
        None => {
            let selected = config.migrations.clone();
            let dirs: Vec<&str> = selected.iter().map(|d| d.dir.as_str()).collect();
            sniff_dialect(&mut config, &files, &files, Some(&dirs))?
        }
    };
    if let Some(since) = &options.since {
        for dir in &mut config.migrations {
            dir.since = Some(since.clone());
        }
    }
    let baseline = match baselining {
        Baselining::Apply => baseline_in(
            &files,
            config.baseline_path(),
            &root.join(config.baseline_path()).display().to_string(),
        )?,
        Baselining::Record => None,
    };
    let sides = Sides {
        base: None,
        target: None,
        head: &files,
        envs: Vec::new(),
        env_alias: Vec::new(),
        cache: None,
    };
    let want_keys = baseline.is_some() || baselining == Baselining::Record;
    let (mut outcome, mut keys) = run(&config, &sides, "the files linted", true, want_keys, None)?;
    let only_files = (!wanted_files.is_empty() && wanted_dirs.len() == wanted_files.len())
        .then_some(wanted_files);
    if let Some(wanted_files) = &only_files {
        let wanted = |f: &Finding| wanted_files.contains(&f.location.path);
        if want_keys {
            keys = outcome
                .findings
                .iter()
                .zip(keys)
                .filter(|(f, _)| wanted(f))
                .map(|(_, k)| k)
                .collect();
        }
        outcome.findings.retain(wanted);
    }
    let root_findings = match baselining {
        Baselining::Record => outcome.findings.clone(),
        Baselining::Apply => {
            apply_baseline(&mut outcome, std::mem::take(&mut keys), baseline.as_ref());
            Vec::new()
        }
    };
    outcome.warnings = warnings;
    outcome.notes.splice(
        0..0,
        std::iter::once(format!("linting below {}", root.display())).chain(sniffed),
    );
    if let Some(prefix) = std::env::current_dir()
        .ok()
        .and_then(|cwd| relative(&root, &absolute(&cwd).ok()?))
    {
        outcome.prefix_paths(&prefix);
    }
    Ok(Linted {
        outcome,
        root_findings,
        keys,
        root,
        only_files,
        config,
    })
}

/// Reads the baseline file at `path` in a source, if there is one.
fn baseline_in(files: &Files, path: &str, origin: &str) -> Result<Option<Baseline>> {
    let entries = files.list(path)?;
    let Some(entry) = entries.iter().find(|e| e.path == path).cloned() else {
        return Ok(None);
    };
    match files.text(&entry)? {
        Ok(text) => Baseline::parse(&text, origin).map(Some),
        Err(_) => Err(Error::new(format!("{origin} is not UTF-8 text"))
            .with_help("write it again with `sqlgate baseline`")),
    }
}

/// Holds back the findings the baseline lists; `keys` are the findings' keys.
fn apply_baseline(outcome: &mut Outcome, keys: Vec<Key>, baseline: Option<&Baseline>) {
    let Some(baseline) = baseline else { return };
    let findings = std::mem::take(&mut outcome.findings);
    let (kept, _, baselined) = baseline.filter(findings, keys);
    outcome.findings = kept;
    outcome.baselined = baselined;
    outcome.notes.push(format!(
        "{baselined} finding{} held back by the baseline",
        if baselined == 1 { "" } else { "s" }
    ));
}

/// Whether `path` is `dir` or below it (every path is below the root, "").
fn is_below(path: &str, dir: &str) -> bool {
    dir.is_empty() || path == dir || path.starts_with(&format!("{dir}/"))
}

/// The migration directories that `lint` looks at for the paths it was given.
fn select_dirs(config: &Config, files: &Files, wanted: &[String]) -> Result<Vec<MigrationDir>> {
    let mut out: Vec<MigrationDir> = Vec::new();
    for w in wanted {
        let configured: Vec<&MigrationDir> = config
            .migrations
            .iter()
            .filter(|m| is_below(&m.dir, w) || is_below(w, &m.dir))
            .collect();
        if !configured.is_empty() {
            for m in configured {
                if !out.contains(m) {
                    out.push(m.clone());
                }
            }
            continue;
        }
        let found = layout::discover(files, w)?;
        if found.is_empty() {
            if let Some(d) = layout::detect(files, w, &layout::Options::default())? {
                out.push(MigrationDir {
                    dir: w.clone(),
                    layout: d.layout.name().to_string(),
                    ..MigrationDir::default()
                });
            }
        }
        for (dir, d) in found {
            let m = MigrationDir {
                dir,
                layout: d.layout.name().to_string(),
                ..MigrationDir::default()
            };
            if !out.contains(&m) {
                out.push(m);
            }
        }
    }
    Ok(out)
}

/// Runs the rules and applies suppressions and levels; with `want_keys`,
/// also returns each finding's baseline key.
fn run(
    config: &Config,
    sides: &Sides,
    target_name: &str,
    lint: bool,
    want_keys: bool,
    promotion: Option<&rules::Promotion>,
) -> Result<(Outcome, Vec<Key>)> {
    let mut notes = Vec::new();
    let sides_files: Vec<&Files> = [Some(sides.head), sides.base]
        .into_iter()
        .flatten()
        .collect();
    let dirs = migration_dirs(config, &sides_files, &mut notes)?;
    let history = rules::CATALOG_RULES
        .iter()
        .any(|id| rules::checked(config, id, lint));
    if lint && !want_keys {
        return lint_in_batches(config, sides, dirs, target_name, notes, history);
    }
    let mut views = Vec::new();
    let mut savings = Vec::new();
    for (dir, layout) in dirs {
        let (mut view, saving) = dir_view(dir, layout, sides, config.dialect, lint, history)?;
        if let Some(saving) = saving {
            if saving.restored > 0 {
                notes.push(format!(
                    "{}: the Catalog of the {} migrations before the change read from the cache",
                    shown(&view.config.dir),
                    saving.restored
                ));
            }
            savings.push(saving);
        }
        if promotion.is_some() && !view.changes.is_empty() {
            view.promotion = Some(promotion_view(&view, sides, config.dialect)?);
        }
        views.push(view);
    }
    let checked = views.iter().map(|v| v.fresh().count()).sum();
    let suppressions = collect_suppressions(&views);
    let files = views
        .iter()
        .flat_map(|v| v.scripts.iter().map(|s| s.path.clone()))
        .collect();
    let ctx = Context {
        config,
        dirs: views,
        target_name: target_name.to_string(),
        lint,
        config_change: config_change(sides)?,
        shared: Default::default(),
        promotion: promotion.cloned(),
    };
    let findings = rules::run(&ctx);
    for saving in savings {
        saving.save();
    }
    let (findings, directives) = (findings, suppressions);
    let outcome = finish(
        config, sides, lint, findings, directives, checked, files, notes,
    );
    let keys = if want_keys {
        keys_of(&outcome.findings, &ctx.dirs)
    } else {
        Vec::new()
    };
    // The Plans can hold tens of thousands of values and the process ends
    // right after the report: freeing them one by one only costs time.
    std::mem::forget(ctx);
    Ok((outcome, keys))
}

/// How many migrations a lint parses and checks at a time.
const LINT_BATCH: usize = 128;

/// `lint` of a directory, a batch of migrations at a time: every migration
/// counts as new and nothing carries over between files, so the syntax
/// trees of one batch are dropped before the next is parsed, which keeps
/// the memory of a lint of thousands of files to that of a few batches.
/// Each batch sees the whole Plan (ordering and naming rules compare with
/// every migration) and its own scripts; a finding about the Plan is raised
/// by every batch and kept once, and suppressions apply to all findings at
/// the end, wherever they were read. With the Catalog rules (`history`),
/// a directory's batches run in order, each replay starting from the
/// Catalog the one before left (`DirView::carry`); batches are still parsed
/// in parallel.
fn lint_in_batches(
    config: &Config,
    sides: &Sides,
    dirs: Vec<(MigrationDir, Layout)>,
    target_name: &str,
    notes: Vec<String>,
    history: bool,
) -> Result<(Outcome, Vec<Key>)> {
    // Each batch clones its directory's view when it starts, so that only
    // the batches being checked hold a copy of the Plan.
    let mut views: Vec<DirView> = Vec::new();
    // (index in `views`, its scripts, history to replay first)
    type Batch = (usize, Vec<Pending>, Option<Vec<Pending>>);
    let mut batches: Vec<Batch> = Vec::new();
    let mut checked = 0;
    for (dir, layout) in dirs {
        let (mut view, pending, past, _) =
            dir_view_unparsed(dir, layout, sides, config.dialect, true, history)?;
        checked += view.fresh().count();
        if history {
            view.carry = Some(rules::catalog_carry());
        }
        let mut groups: Vec<Vec<Pending>> = Vec::new();
        let mut last = None;
        for p in pending {
            // The scripts of one migration stay in one batch.
            let same = last == Some(p.0);
            last = Some(p.0);
            match groups.last_mut() {
                Some(g) if same || g.len() < LINT_BATCH => g.push(p),
                _ => groups.push(vec![p]),
            }
        }
        if groups.is_empty() {
            groups.push(Vec::new());
        }
        // Migrations left out by `since:` are history for the first batch.
        let mut past = Some(past);
        for group in groups {
            let history = past.take().filter(|p| !p.is_empty());
            batches.push((views.len(), group, history));
        }
        views.push(view);
    }
    // Parsing and the rules use rayon inside a batch as well as across
    // batches; the Catalog's rules run beside the others.
    type Parsed = (usize, Vec<ScriptView>, Option<Vec<ScriptView>>);
    let parse = |(v, pending, past): Batch| -> Parsed {
        let history = past.map(|past| parse_all(past, config.dialect));
        (v, parse_all(pending, config.dialect), history)
    };
    let check = |(v, scripts, past): Parsed| {
        let mut view = views[v].clone();
        if let Some(past) = past {
            view.history = past;
        }
        view.scripts = scripts;
        let suppressions = collect_suppressions(std::slice::from_ref(&view));
        let files = view.scripts.iter().map(|s| s.path.clone()).collect();
        let ctx = Context {
            config,
            dirs: vec![view],
            target_name: target_name.to_string(),
            lint: true,
            config_change: None,
            shared: Default::default(),
            promotion: None,
        };
        let catalog = |id: &str| rules::CATALOG_RULES.contains(&id);
        let (mut findings, others) = rayon::join(
            || rules::run_where(&ctx, &catalog),
            || rules::run_where(&ctx, &|id| !catalog(id)),
        );
        findings.extend(others);
        ((findings, suppressions, files), ctx)
    };
    // With the Catalog, each batch's replay starts where the one before
    // stopped, so the batches are checked in order; the next batch is
    // parsed, and the one before freed, while one is checked.
    let results: Vec<(Vec<Finding>, Vec<Suppression>, Vec<String>)> = if history {
        let mut results = Vec::with_capacity(batches.len());
        let mut rest = batches.into_iter();
        let mut next = rest.next().map(parse);
        let mut checked_before = None;
        while let Some(current) = next.take() {
            let done = checked_before.take();
            let ((result, ctx), parsed) = rayon::join(
                || check(current),
                || {
                    drop(done);
                    rest.next().map(parse)
                },
            );
            results.push(result);
            checked_before = Some(ctx);
            next = parsed;
        }
        results
    } else {
        batches
            .into_par_iter()
            .map(|batch| check(parse(batch)).0)
            .collect()
    };
    let mut findings = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut directives: Vec<Suppression> = Vec::new();
    let mut files = Vec::new();
    for (batch_findings, suppressions, batch_files) in results {
        for f in batch_findings {
            let key = (
                f.rule.clone(),
                f.location.path.clone(),
                f.location.span.start,
                f.location.span.end,
                f.message.clone(),
            );
            if seen.insert(key) {
                findings.push(f);
            }
        }
        directives.extend(suppressions);
        files.extend(batch_files);
    }
    let outcome = finish(
        config, sides, true, findings, directives, checked, files, notes,
    );
    Ok((outcome, Vec::new()))
}

/// Suppressions, levels, order, and the texts findings point at.
#[allow(clippy::too_many_arguments)]
fn finish(
    config: &Config,
    sides: &Sides,
    lint: bool,
    findings: Vec<Finding>,
    directives: Vec<Suppression>,
    checked: usize,
    files: Vec<String>,
    notes: Vec<String>,
) -> Outcome {
    let checked_rule = |id: &str| rules::checked(config, id, lint);
    let (findings, used) = suppress::apply(findings, &directives, &checked_rule);
    let mut findings = config.apply_levels(findings);
    findings.sort_by(|a, b| {
        (
            a.location.path.as_str(),
            a.location.span.start,
            a.rule.as_str(),
        )
            .cmp(&(
                b.location.path.as_str(),
                b.location.span.start,
                b.rule.as_str(),
            ))
    });
    findings.dedup();
    let suppressed_at: Vec<Location> = directives
        .iter()
        .map(|s| Location::head(&s.path, s.comment.clone()))
        .collect();
    let sources = sources_for(&findings, &suppressed_at, sides);
    Outcome {
        findings,
        sources,
        notes,
        suppressions: directives.into_iter().zip(used).collect(),
        checked,
        files,
        rules: rules_run(config),
        baselined: 0,
        warnings: Vec::new(),
    }
}

/// Each finding's baseline key: its rule, the directory and id of the
/// migration its file belongs to, and the fingerprint of the statement it
/// points at (of the whole migration when it points at no statement).
fn keys_of(findings: &[Finding], views: &[DirView]) -> Vec<Key> {
    let mut owner: HashMap<(Side, &str), (usize, usize)> = HashMap::new();
    for (v, view) in views.iter().enumerate() {
        for (side, plan) in [(Side::Head, &view.head), (Side::Base, &view.base)] {
            for (m, migration) in plan.migrations.iter().enumerate() {
                for file in migration.files() {
                    owner.entry((side, file.path.as_str())).or_insert((v, m));
                }
            }
        }
    }
    findings
        .iter()
        .map(|f| {
            let path = f.location.path.as_str();
            let side = if f.location.side == Side::Head {
                Side::Head
            } else {
                Side::Base
            };
            let Some(&(v, m)) = owner.get(&(side, path)) else {
                // A file that is no migration (a misnamed one): known by its
                // directory and name.
                let dir = views
                    .iter()
                    .map(|v| v.config.dir.as_str())
                    .filter(|d| d.is_empty() || path.starts_with(&format!("{d}/")))
                    .max_by_key(|d| d.len())
                    .unwrap_or("");
                let name = path.strip_prefix(&format!("{dir}/")).unwrap_or(path);
                return key(f, dir, name, String::new());
            };
            let view = &views[v];
            let plan = if side == Side::Head {
                &view.head
            } else {
                &view.base
            };
            let id = &plan.migrations[m].id;
            let scripts: Vec<&rules::ScriptView> = if side == Side::Head {
                view.scripts_of(m).collect()
            } else {
                Vec::new()
            };
            let start = f.location.span.start;
            let statement = scripts.iter().find_map(|script| {
                let text = script.text.as_ref().ok()?;
                let s = script.parsed.statements.iter().find(|s| {
                    script.path == path
                        && s.span.start <= start
                        && (start < s.span.end || start == s.span.start)
                })?;
                Some(sql::normalized(
                    text,
                    s.span.clone(),
                    &script.parsed.comments,
                ))
            });
            let text = statement.unwrap_or_else(|| {
                scripts
                    .iter()
                    .filter_map(|script| {
                        let text = script.text.as_ref().ok()?;
                        Some(
                            script
                                .parsed
                                .statements
                                .iter()
                                .map(|s| {
                                    sql::normalized(text, s.span.clone(), &script.parsed.comments)
                                })
                                .collect::<Vec<_>>()
                                .join(";\n"),
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n--\n")
            });
            key(f, &view.config.dir, id, text)
        })
        .collect()
}

fn key(finding: &Finding, dir: &str, migration: &str, text: String) -> Key {
    Key {
        rule: finding.rule.clone(),
        dir: dir.to_string(),
        migration: migration.to_string(),
        fingerprint: baseline::fingerprint(&text),
    }
}

/// The ids of the rules that run under this configuration.
fn rules_run(config: &Config) -> Vec<String> {
    rules::ids()
        .into_iter()
        .filter(|id| {
            let default = rules::default_severity(id).unwrap_or(crate::finding::Severity::Error);
            config.level(id, default) != config::Level::Off
        })
        .map(str::to_string)
        .collect()
}

/// The configuration file on both sides of the range, when the range
/// changes it (a base that does not parse is not compared: the check would
/// not have run with it).
fn config_change(sides: &Sides) -> Result<Option<ConfigChange>> {
    let Some(base_files) = sides.base else {
        return Ok(None);
    };
    let entry = |files: &Files| -> Result<Option<FileEntry>> {
        Ok(files
            .list(config::FILE_NAME)?
            .iter()
            .find(|e| e.path == config::FILE_NAME)
            .cloned())
    };
    let (base_entry, head_entry) = (entry(base_files)?, entry(sides.head)?);
    let text = |files: &Files, e: &Option<FileEntry>| -> Result<Option<Arc<str>>> {
        match e {
            Some(e) => Ok(files.text(e)?.ok()),
            None => Ok(None),
        }
    };
    let unchanged_ids =
        matches!((&base_entry, &head_entry), (Some(b), Some(h)) if b.id.is_some() && b.id == h.id);
    if unchanged_ids || (base_entry.is_none() && head_entry.is_none()) {
        return Ok(None);
    }
    let base_text = text(base_files, &base_entry)?;
    let head_text = text(sides.head, &head_entry)?;
    if base_text == head_text {
        return Ok(None);
    }
    let base = match &base_text {
        Some(t) => match Config::parse(t, config::FILE_NAME) {
            Ok(c) => c,
            Err(_) => return Ok(None),
        },
        None => Config::default(),
    };
    let head = match &head_text {
        Some(t) => Config::parse(t, config::FILE_NAME),
        None if head_entry.is_some() => Err(Error::new(format!(
            "{} is not UTF-8 text",
            config::FILE_NAME
        ))),
        None => Ok(Config::default()),
    };
    Ok(Some(ConfigChange {
        path: config::FILE_NAME.to_string(),
        base_text,
        head_text,
        base,
        head,
    }))
}

/// The configured migration directories, or else every directory found
/// on any of these sides.
fn configured_or_found<'s, 'f: 's>(
    config: &Config,
    sides: impl IntoIterator<Item = &'s Files<'f>>,
) -> Result<Vec<MigrationDir>> {
    if !config.migrations.is_empty() {
        return Ok(config.migrations.clone());
    }
    let mut found = BTreeSet::new();
    for files in sides {
        for (dir, _) in layout::discover(files, "")? {
            found.insert(dir);
        }
    }
    Ok(found
        .into_iter()
        .map(|dir| MigrationDir {
            dir,
            ..MigrationDir::default()
        })
        .collect())
}

/// The directories to check and their layouts: configured, or found and
/// detected on the first of `files` that has them.
fn migration_dirs(
    config: &Config,
    files: &[&Files],
    notes: &mut Vec<String>,
) -> Result<Vec<(MigrationDir, Layout)>> {
    let dirs = configured_or_found(config, files.iter().copied())?;
    if dirs.is_empty() {
        notes.push("no migration directory found (add `migrations:` to .sqlgate.yml)".to_string());
    }
    let mut out = Vec::new();
    for dir in dirs {
        let layout = match dir.layout() {
            Some(layout) => {
                notes.push(format!(
                    "{}: {} (configured)",
                    shown(&dir.dir),
                    layout.name()
                ));
                layout
            }
            None => {
                let mut detected = None;
                for files in files {
                    if let Some(d) =
                        layout::detect(files, &dir.dir, &dir.layout_options(config.dialect))?
                    {
                        detected = Some(d);
                        break;
                    }
                }
                match detected {
                    Some(d) => {
                        notes.push(format!(
                            "{}: {} ({})",
                            shown(&dir.dir),
                            d.layout.name(),
                            d.reason
                        ));
                        d.layout
                    }
                    None => {
                        notes.push(format!("{}: no migrations found", shown(&dir.dir)));
                        continue;
                    }
                }
            }
        };
        out.push((dir, layout));
    }
    Ok(out)
}

fn shown(dir: &str) -> &str {
    if dir.is_empty() {
        "."
    } else {
        dir
    }
}

fn empty_plan(dir: &str, layout: Layout) -> Plan {
    Plan {
        dir: dir.to_string(),
        layout,
        migrations: Vec::new(),
        strays: Vec::new(),
    }
}

/// The DirView of one directory. With `history` (a rule replays the
/// Catalog), the up scripts of the head migrations the change does not
/// touch are read and parsed too, so that the Catalog can be built from
/// every migration; only when the change touches the directory.
fn dir_view(
    dir: MigrationDir,
    layout: Layout,
    sides: &Sides,
    dialect: sql::Dialect,
    lint: bool,
    history: bool,
) -> Result<(DirView, Option<Saving>)> {
    let (mut view, pending, past, saving) =
        dir_view_unparsed(dir, layout, sides, dialect, lint, history)?;
    view.scripts = parse_all(pending, dialect);
    view.history = parse_all(past, dialect);
    Ok((view, saving))
}

/// Catalog states a check keeps for the next run: the history's, when the
/// cache did not have it, and the head's (the base of the next commit).
struct Saving {
    /// How many migrations the cached state stands for (0: none read).
    restored: usize,
    store: cache::Store,
    carry: rules::catalog::Carry,
    history: Option<cache::Key>,
    head: Option<cache::Key>,
}

impl Saving {
    /// Hands the cached history's state (if any) to the replay; asks it
    /// for the history's state otherwise.
    fn new(
        store: cache::Store,
        keys: HistoryKeys,
        seed: Option<rules::catalog::Seed>,
        restored: usize,
    ) -> Saving {
        let carry = rules::catalog_carry();
        if let Ok(mut handover) = carry.lock() {
            handover.keep_before_fresh = seed.is_none();
            handover.seed = seed;
        }
        let head = (!store.contains(&keys.head)).then_some(keys.head);
        Saving {
            restored,
            history: keys.history_missing.then_some(keys.history),
            head,
            store,
            carry,
        }
    }

    /// Writes what the replay left, once the rules have run.
    fn save(self) {
        let Ok(mut handover) = self.carry.lock() else {
            return;
        };
        let states = [
            (self.history, handover.before_fresh.take()),
            (self.head, handover.seed.take()),
        ];
        for (key, seed) in states {
            if let (Some(key), Some(bytes)) = (key, seed.and_then(|s| s.encode())) {
                self.store.put(&key, &bytes);
            }
        }
    }
}

/// The keys of the Catalog states that the up scripts build: of the
/// migrations before `first`, and of all of them.
struct HistoryKeys {
    history: cache::Key,
    history_missing: bool,
    head: cache::Key,
}

/// The keys of the history before `first` and of the whole head, and the
/// history's state when the store has it; `None` when a script's content
/// has no id (files on disk are not cached).
fn cached_history(
    store: &cache::Store,
    migrations: &[plan::Migration],
    first: usize,
    dialect: sql::Dialect,
) -> Option<(HistoryKeys, Option<rules::catalog::Seed>)> {
    let mut key = cache::KeyBuilder::new("catalog");
    key.part(format!("{dialect:?}").as_bytes());
    let mut history = None;
    let mut part = Vec::with_capacity(64);
    for (index, m) in migrations.iter().enumerate() {
        if index == first {
            history = Some(key.finish());
        }
        let up = &m.up;
        part.clear();
        part.extend_from_slice(&up.file.id?.0);
        part.push(m.kind as u8);
        let spans = up.span.iter().chain(&up.atomic).chain(&up.masks);
        for span in spans {
            part.extend_from_slice(&(span.start as u64).to_le_bytes());
            part.extend_from_slice(&(span.end as u64).to_le_bytes());
        }
        part.extend_from_slice(&[up.span.is_some() as u8]);
        part.extend_from_slice(&(up.atomic.len() as u64).to_le_bytes());
        key.part(&part);
    }
    let head = key.finish();
    let history = history.unwrap_or_else(|| head.clone());
    let seed = store
        .get(&history)
        .and_then(|bytes| rules::catalog::Seed::decode(&bytes));
    Some((
        HistoryKeys {
            history_missing: seed.is_none(),
            history,
            head,
        },
        seed,
    ))
}

/// A script read but not parsed yet: (migration index, role, script, text).
type Pending = (usize, Role, plan::Script, Text);

/// A directory's view, its scripts to parse, the history to parse, and
/// the Catalog states to keep.
type Unparsed = (DirView, Vec<Pending>, Vec<Pending>, Option<Saving>);

/// A directory's view without its parsed scripts, the scripts to parse,
/// and (with `history`) the up scripts of the migrations the change leaves
/// alone, for the Catalog's replay.
fn dir_view_unparsed(
    dir: MigrationDir,
    layout: Layout,
    sides: &Sides,
    dialect: sql::Dialect,
    lint: bool,
    history: bool,
) -> Result<Unparsed> {
    if let Some(view) = unchanged(&dir, layout, sides)? {
        return Ok((view, Vec::new(), Vec::new(), None));
    }
    let options = dir.layout_options(dialect);
    let head = layout.plan_with(&dir.dir, sides.head, &options)?;
    let base = match sides.base {
        Some(files) => layout.plan_with(&dir.dir, files, &options)?,
        None => empty_plan(&dir.dir, layout),
    };
    let target = match sides.target {
        Some(files) => Some(layout.plan_with(&dir.dir, files, &options)?),
        None => None,
    };
    let same = |a: &plan::Migration, b: &plan::Migration| {
        same_content(layout, a, b, sides.base, Some(sides.head))
    };
    let mut changes = plan::diff(&base, &head, &same);
    // `since:`: older migrations are history. A lint leaves them out; a
    // range still sees them (editing or adding one is what the ordering
    // rules are for) but no rule reads their statements.
    let since = dir.since.as_deref().map(plan::Version::parse);
    let old = |m: &plan::Migration| {
        since
            .as_ref()
            .is_some_and(|s| m.version.as_ref().is_some_and(|v| v <= s))
    };
    if lint && since.is_some() {
        changes.retain(|c| c.head.is_none_or(|i| !old(&head.migrations[i])));
    }
    let mut base_texts = Vec::new();
    if let Some(base_files) = sides.base {
        for change in changes.iter().filter(|c| c.kind == ChangeKind::Modified) {
            if let Some(b) = change.base.map(|i| &base.migrations[i]) {
                for file in b.files() {
                    if base_texts.iter().any(|(p, _)| *p == file.path) {
                        continue;
                    }
                    if let Ok(Ok(text)) = base_files.text(file) {
                        base_texts.push((file.path.clone(), text));
                    }
                }
            }
        }
    }
    let mut pending = Vec::new();
    for change in &changes {
        let Some(index) = change.head.filter(|_| change.kind != ChangeKind::Deleted) else {
            continue;
        };
        let migration = &head.migrations[index];
        if old(migration) {
            continue;
        }
        let scripts = [
            (Role::Up, Some(&migration.up)),
            (Role::Down, migration.down.as_ref()),
        ];
        for (role, script) in scripts {
            let Some(script) = script.filter(|s| !s.unread) else {
                continue;
            };
            let text = sides.head.text(&script.file)?;
            pending.push((index, role, script.clone(), text));
        }
    }
    let mut past = Vec::new();
    let mut saving = None;
    if history && !changes.is_empty() {
        let fresh: std::collections::HashSet<usize> =
            pending.iter().map(|(index, ..)| *index).collect();
        // What the history before the first new or changed migration
        // builds may be kept from an earlier run: its scripts are then
        // neither read nor parsed.
        let mut from = 0;
        if let (Some(store), Some(&first)) = (&sides.cache, fresh.iter().min()) {
            if let Some((keys, seed)) = cached_history(store, &head.migrations, first, dialect) {
                let restored = if seed.is_some() { first } else { 0 };
                from = restored;
                saving = Some(Saving::new(store.clone(), keys, seed, restored));
            }
        }
        for (index, migration) in head.migrations.iter().enumerate().skip(from) {
            if fresh.contains(&index) || migration.up.unread {
                continue;
            }
            let text = sides.head.text(&migration.up.file)?;
            past.push((index, Role::Up, migration.up.clone(), text));
        }
    }
    let atlas_sum = atlas_sum(&dir.dir, layout, sides, !changes.is_empty() || lint)?;
    let view = DirView {
        config: dir,
        base,
        target,
        head,
        changes,
        scripts: Vec::new(),
        history: Vec::new(),
        base_texts,
        atlas_sum,
        promotion: None,
        carry: saving.as_ref().map(|s| s.carry.clone()),
    };
    Ok((view, pending, past, saving))
}

/// Whether two migrations hold the same content as their tool sees it:
/// the same blobs, else what the layout says of their texts.
fn same_content(
    layout: Layout,
    a: &plan::Migration,
    b: &plan::Migration,
    files_a: Option<&Files>,
    files_b: Option<&Files>,
) -> bool {
    if a.same_files(b) {
        return true;
    }
    let (Some(fa), Some(fb)) = (files_a, files_b) else {
        return false;
    };
    layout.unchanged(a, b, &|e| text_of(fa, e), &|e| text_of(fb, e))
}

/// A file's decoded text, when it can be read and decoded.
fn text_of(files: &Files, entry: &FileEntry) -> Option<Arc<str>> {
    files.text(entry).ok().and_then(|t| t.ok())
}

/// `sqlgate status`: every migration of every environment, read from the
/// environments' branches and refs (remote-tracking branches of `origin`
/// first), with the configuration of `HEAD` (or `--config`).
pub fn status(repo: &Repo, options: &Options) -> Result<StatusTable> {
    let config = match (&options.config, repo.head()) {
        (Some(path), _) => read_config_file(path)?,
        (None, Some(head)) => config_at(repo, head, &format!("HEAD:{}", config::FILE_NAME))?,
        (None, None) => Config::default(),
    };
    if config.environments.is_empty() {
        // The working tree's file is not what was read: say so when it has
        // environments that are not committed yet.
        let uncommitted = options.config.is_none()
            && repo.workdir().is_some_and(|dir| {
                std::fs::read_to_string(dir.join(config::FILE_NAME))
                    .ok()
                    .and_then(|text| Config::parse(&text, config::FILE_NAME).ok())
                    .is_some_and(|c| !c.environments.is_empty())
            });
        return Err(if uncommitted {
            Error::new("no environments are configured in the .sqlgate.yml committed at HEAD")
                .with_help(
                    "status reads the configuration of HEAD: commit the environments of the \
                     working tree's .sqlgate.yml, or pass `--config .sqlgate.yml`",
                )
        } else {
            Error::new("no environments are configured").with_help(
                "list them in .sqlgate.yml, lowest first: `environments: [{ name: dev, branch: \
                 develop }, { name: prod, branch: main }]`",
            )
        });
    }
    let tips = env_tips(repo, &config, Some("origin"));
    let snaps: Vec<Option<Snapshot>> = tips
        .iter()
        .map(|(tip, _)| tip.map(|id| repo.commit_snapshot(id)))
        .collect();
    let first = snaps.iter().flatten().next();
    let Some(first) = first else {
        return Err(Error::new(
            "none of the environments' branches or refs exists in this repository",
        )
        .with_help("fetch them first: `git fetch origin --tags`"));
    };
    let shared = Files::new(first);
    let files: Vec<Option<Files>> = snaps
        .iter()
        .map(|s| s.as_ref().map(|s| Files::sharing(s, &shared)))
        .collect();
    let present: Vec<&Files> = files.iter().flatten().collect();
    let dirs = migration_dirs(&config, &present, &mut Vec::new())?;
    let mut table = StatusTable {
        envs: config
            .environments
            .iter()
            .zip(&tips)
            .map(|(e, (tip, shown))| (e.name.clone(), shown.clone(), tip.map(|t| t.short())))
            .collect(),
        rows: Vec::new(),
    };
    for (dir, layout) in dirs {
        let options = dir.layout_options(config.dialect);
        let mut plans = Vec::new();
        for f in &files {
            plans.push(match f {
                Some(f) => Some(layout.plan_with(&dir.dir, f, &options)?),
                None => None,
            });
        }
        let files_of = |place: Place| match place {
            Place::Env(i) => files.get(i).and_then(Option::as_ref),
            Place::Head => None,
        };
        let same = |(pa, a): (Place, &plan::Migration), (pb, b): (Place, &plan::Migration)| {
            same_content(layout, a, b, files_of(pa), files_of(pb))
        };
        let view = DirPromotion::build(plans, &empty_plan(&dir.dir, layout), &same);
        table
            .rows
            .extend(view.status_rows(&dir.dir, &config.environments));
    }
    Ok(table)
}

/// The directory's Plan in each environment next to the head's, with the
/// texts of up scripts whose content differs between them.
fn promotion_view(view: &DirView, sides: &Sides, dialect: sql::Dialect) -> Result<DirPromotion> {
    let layout = view.head.layout;
    let options = view.config.layout_options(dialect);
    let mut envs = Vec::new();
    for (i, files) in sides.envs.iter().enumerate() {
        let alias = match sides.env_alias.get(i).copied().flatten() {
            Some(Side::Head) => Some(view.head.clone()),
            Some(Side::Base) => Some(view.base.clone()),
            Some(Side::Target) => view.target.clone(),
            _ => None,
        };
        envs.push(match (alias, files) {
            (Some(plan), _) => Some(plan),
            (None, Some(files)) => Some(layout.plan_with(&view.config.dir, files, &options)?),
            (None, None) => None,
        });
    }
    let files_of = |place: Place| -> Option<&Files> {
        match place {
            Place::Head => Some(sides.head),
            Place::Env(i) => sides.envs.get(i).copied().flatten(),
        }
    };
    let same = |(pa, a): (Place, &plan::Migration), (pb, b): (Place, &plan::Migration)| {
        same_content(layout, a, b, files_of(pa), files_of(pb))
    };
    let mut promotion = DirPromotion::build(envs, &view.head, &same);
    let mut texts = Vec::new();
    for m in &view.head.migrations {
        for env in 0..promotion.envs.len() {
            if promotion.same(Place::Head, Place::Env(env), &m.id) != Some(false) {
                continue;
            }
            let Some(other) = promotion.env_migration(env, &m.id) else {
                continue;
            };
            for (place, entry) in [(Place::Head, &m.up.file), (Place::Env(env), &other.up.file)] {
                let side = place.side();
                if texts
                    .iter()
                    .any(|(s, p, _): &(Side, String, _)| *s == side && *p == entry.path)
                {
                    continue;
                }
                if let Some(text) = files_of(place).and_then(|f| text_of(f, entry)) {
                    texts.push((side, entry.path.clone(), text));
                }
            }
        }
    }
    promotion.texts = texts;
    Ok(promotion)
}

/// When the base and the head hold the same files with the same blob ids
/// below a directory, nothing in it changed and no rule can raise anything
/// there: skip building its Plans (the common case of a hook run).
fn unchanged(dir: &MigrationDir, layout: Layout, sides: &Sides) -> Result<Option<DirView>> {
    let Some(base) = sides.base else {
        return Ok(None);
    };
    let before = base.list(&dir.dir)?;
    let after = sides.head.list(&dir.dir)?;
    let known = before.iter().chain(after.iter()).all(|e| e.id.is_some());
    if !known || before != after {
        return Ok(None);
    }
    Ok(Some(DirView {
        config: dir.clone(),
        base: empty_plan(&dir.dir, layout),
        target: None,
        head: empty_plan(&dir.dir, layout),
        changes: Vec::new(),
        scripts: Vec::new(),
        history: Vec::new(),
        base_texts: Vec::new(),
        atlas_sum: None,
        promotion: None,
        carry: None,
    }))
}

/// The head's `atlas.sum` mismatch, when the directory has an `atlas.sum`
/// (or is an Atlas directory) and the change touches it. A mismatch the
/// base already had is not the change's doing and is not returned.
fn atlas_sum(
    dir: &str,
    layout: Layout,
    sides: &Sides,
    touched: bool,
) -> Result<Option<layout::atlas::SumMismatch>> {
    let sum_path = join(dir, layout::atlas::SUM_FILE);
    let sum_entry = |files: &Files| -> Result<Option<FileEntry>> {
        Ok(files
            .list(&sum_path)?
            .iter()
            .find(|e| e.path == sum_path)
            .cloned())
    };
    let head_sum = sum_entry(sides.head)?;
    if head_sum.is_none() && layout != Layout::Atlas {
        return Ok(None);
    }
    let base_sum = match sides.base {
        Some(files) => sum_entry(files)?,
        None => None,
    };
    let sum_changed = head_sum.as_ref().map(|e| e.id) != base_sum.as_ref().map(|e| e.id)
        || head_sum.as_ref().is_some_and(|e| e.id.is_none());
    if !touched && !sum_changed {
        return Ok(None);
    }
    let Some(mismatch) = layout::atlas::verify_sum(sides.head, dir)? else {
        return Ok(None);
    };
    if let Some(base_files) = sides.base {
        if layout::atlas::verify_sum(base_files, dir)?.as_ref() == Some(&mismatch) {
            return Ok(None);
        }
    }
    Ok(Some(mismatch))
}

/// Parses the scripts in parallel; reading them stayed sequential because
/// a git repository handle cannot be shared between threads. A hook's few
/// scripts are parsed on this thread: starting the thread pool and waking
/// its threads costs more than they take.
fn parse_all(pending: Vec<Pending>, dialect: sql::Dialect) -> Vec<ScriptView> {
    if pending.len() < 16 {
        return pending.into_iter().map(|p| parse_one(p, dialect)).collect();
    }
    pending
        .into_par_iter()
        .map(|p| parse_one(p, dialect))
        .collect()
}

/// Parses one script.
fn parse_one((migration, role, script, text): Pending, dialect: sql::Dialect) -> ScriptView {
    let parsed = match &text {
        Ok(full) => {
            let body = script.text(full);
            let atomic: Vec<_> = script
                .atomic
                .iter()
                .map(|r| {
                    r.start.saturating_sub(script.offset())..r.end.saturating_sub(script.offset())
                })
                .collect();
            sql::parse_script(&body, script.offset(), dialect, &atomic)
        }
        Err(_) => sql::ParsedScript::default(),
    };
    ScriptView {
        migration,
        role,
        path: script.file.path.clone(),
        text,
        parsed,
    }
}

fn collect_suppressions(views: &[DirView]) -> Vec<Suppression> {
    let mut out: Vec<Suppression> = Vec::new();
    for view in views {
        for script in &view.scripts {
            let Ok(text) = &script.text else { continue };
            let statements: Vec<_> = script
                .parsed
                .statements
                .iter()
                .map(|s| s.span.clone())
                .collect();
            for s in suppress::find(&script.path, text, &script.parsed.comments, &statements) {
                if !out
                    .iter()
                    .any(|o| o.path == s.path && o.comment == s.comment)
                {
                    out.push(s);
                }
            }
        }
    }
    out
}

fn sources_for(findings: &[Finding], others: &[Location], sides: &Sides) -> Sources {
    let mut sources = Sources::default();
    let locations = findings
        .iter()
        .flat_map(|f| std::iter::once(&f.location).chain(f.labels.iter().map(|l| &l.location)))
        .chain(others);
    for location in locations {
        if sources.get(location).is_some() {
            continue;
        }
        let files = match location.side {
            Side::Head => Some(sides.head),
            Side::Base => sides.base,
            Side::Target => sides.target,
            Side::Env(i) => sides.envs.get(i).copied().flatten(),
        };
        let Some(files) = files else { continue };
        let entry = files
            .list(&location.path)
            .ok()
            .and_then(|l| l.last().cloned());
        let text = entry.and_then(|e| files.text(&e).ok()).and_then(|t| t.ok());
        if let Some(text) = text {
            sources.insert(location.side, location.path.clone(), text);
        }
    }
    sources
}

fn read_config_file(path: &Path) -> Result<Config> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::new(format!("cannot read {}: {e}", path.display())))?;
    Config::parse(&text, &path.display().to_string())
}

/// Without a `.sqlgate.yml` (`config_side` has none and none was named),
/// the dialect is the one the scripts of `dirs` in `scripts` show, as
/// `init` would write it (the configured or found directories when `dirs`
/// is `None`).
/// Returns the note that says so when that is not the default.
fn sniff_dialect(
    config: &mut Config,
    config_side: &Files,
    scripts: &Files,
    dirs: Option<&[&str]>,
) -> Result<Option<String>> {
    let has_file = config_side
        .list(config::FILE_NAME)?
        .iter()
        .any(|e| e.path == config::FILE_NAME);
    if has_file {
        return Ok(None);
    }
    let found;
    let dirs = match dirs {
        Some(dirs) => dirs.to_vec(),
        None => {
            found = configured_or_found(config, [scripts])?;
            found.iter().map(|d| d.dir.as_str()).collect()
        }
    };
    let (dialect, _) = crate::init::dialects(scripts, &dirs)?;
    if dialect == config.dialect {
        return Ok(None);
    }
    config.dialect = dialect;
    Ok(Some(format!(
        "no {} found: the scripts are read as {} (their words show it; `sqlgate init` writes it down)",
        config::FILE_NAME,
        dialect.name()
    )))
}

fn config_in(files: &Files, origin: &str) -> Result<Config> {
    let entries = files.list(config::FILE_NAME)?;
    let Some(entry) = entries
        .iter()
        .find(|e| e.path == config::FILE_NAME)
        .cloned()
    else {
        return Ok(Config::default());
    };
    match files.text(&entry)? {
        Ok(text) => Config::parse(&text, origin),
        Err(_) => Err(Error::new(format!("{origin} is not UTF-8 text"))),
    }
}

fn find_upwards(start: &Path, name: &str) -> Option<PathBuf> {
    let mut dir = Some(start);
    while let Some(d) = dir {
        let candidate = d.join(name);
        if candidate.exists() {
            return Some(candidate);
        }
        dir = d.parent();
    }
    None
}

fn absolute(path: &Path) -> Result<PathBuf> {
    std::fs::canonicalize(path)
        .map_err(|e| Error::new(format!("cannot read {}: {e}", path.display())))
}

fn relative(path: &Path, root: &Path) -> Option<String> {
    let rel = path.strip_prefix(root).ok()?;
    Some(
        rel.components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(list: &[&str]) -> Vec<String> {
        list.iter().map(|p| p.to_string()).collect()
    }

    #[test]
    fn a_change_outside_configured_directories_is_untouched() {
        let config = Config::parse("migrations:\n  - dir: db/migrations\n", "x").unwrap();
        assert!(untouched(&config, Some(&paths(&["README.md", "db/migrations.md"]))).is_some());
        assert!(untouched(
            &config,
            Some(&paths(&["README.md", "db/migrations/1_a.up.sql"]))
        )
        .is_none());
        assert!(untouched(&config, Some(&paths(&[".sqlgate.yml"]))).is_none());
        assert!(untouched(&config, None).is_none());
    }

    #[test]
    fn without_configured_directories_any_sql_file_matters() {
        let config = Config::default();
        assert!(untouched(&config, Some(&paths(&["src/main.rs"]))).is_some());
        assert!(untouched(&config, Some(&paths(&["sql/001_init.sql"]))).is_none());
    }
}
