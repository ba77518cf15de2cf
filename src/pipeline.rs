//! Runs the steps of a check in order: Snapshots -> Plans -> Changes ->
//! parsed Scripts -> rules -> suppressions and severities. Knows each step's
//! values, none of their insides; chooses the Snapshots for each mode
//! (range, staged, lint).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::config::suppress::{self, Suppression};
use crate::config::{self, Config, MigrationDir};
use crate::error::{Error, Result};
use crate::finding::{Finding, Side, Sources};
use crate::git::{CommitId, Repo};
use crate::layout::{self, Layout};
use crate::plan::{self, ChangeKind, Plan};
use crate::rules::{self, Context, DirView, Role, ScriptView};
use crate::source::{FileSource, Files, FsSource, Text};
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
    }
}

/// How a run is set up, whatever its mode.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// `--config PATH`: read the configuration from this file instead.
    pub config: Option<PathBuf>,
}

/// The three sides a range can have.
struct Sides<'a> {
    base: Option<&'a Files<'a>>,
    target: Option<&'a Files<'a>>,
    head: &'a Files<'a>,
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
}

/// Checks what `range.base..range.head` changes. Returns at once, without
/// building any Plan, when the change touches neither a migration directory
/// nor the configuration. A configuration the change modifies must still
/// parse, so that a broken one never reaches the branch it will be read from.
pub fn check_commits(repo: &Repo, range: &Range, options: &Options) -> Result<Outcome> {
    let base_snap = repo.commit_snapshot(range.base);
    let head_snap = repo.commit_snapshot(range.head);
    let base_files = Files::new(&base_snap);
    let head_files = Files::new(&head_snap);
    let config = match &options.config {
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
    if changed
        .as_deref()
        .is_some_and(|c| c.iter().any(|p| p == config::FILE_NAME))
    {
        config_in(
            &head_files,
            &format!("{}:{}", range.head.short(), config::FILE_NAME),
        )?;
    }
    let target_snap = range.target.map(|id| repo.commit_snapshot(id));
    let target_files = target_snap.as_ref().map(|s| Files::new(s));
    let sides = Sides {
        base: Some(&base_files),
        target: target_files.as_ref(),
        head: &head_files,
    };
    run(&config, &sides, &range.target_name, false)
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
    let head_files = head_snap.as_ref().map(|s| Files::new(s));
    let config = match &options.config {
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
    let sides = Sides {
        base: head_files.as_ref(),
        target: None,
        head: &index_files,
    };
    let mut outcome = run(&config, &sides, &target, false)?;
    outcome
        .notes
        .insert(0, format!("comparing the index with {target}"));
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
    let base_files = base.map(Files::new);
    let head_files = Files::new(head);
    let sides = Sides {
        base: base_files.as_ref(),
        target: None,
        head: &head_files,
    };
    run(config, &sides, target_name, base.is_none())
}

/// `sqlgate lint PATH...`: files on disk, every migration counted as new.
pub fn lint(paths: &[PathBuf], options: &Options) -> Result<Outcome> {
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
    let sides = Sides {
        base: None,
        target: None,
        head: &files,
    };
    let mut outcome = run(&config, &sides, "the files linted", true)?;
    if !wanted_files.is_empty() && wanted_dirs.len() == wanted_files.len() {
        outcome
            .findings
            .retain(|f| wanted_files.contains(&f.location.path));
    }
    outcome
        .notes
        .insert(0, format!("linting below {}", root.display()));
    if let Some(prefix) = std::env::current_dir()
        .ok()
        .and_then(|cwd| relative(&root, &absolute(&cwd).ok()?))
    {
        outcome.prefix_paths(&prefix);
    }
    Ok(outcome)
}

/// The migration directories that `lint` looks at for the paths it was given.
fn select_dirs(config: &Config, files: &Files, wanted: &[String]) -> Result<Vec<MigrationDir>> {
    let below = |path: &str, dir: &str| {
        dir.is_empty() || path == dir || path.starts_with(&format!("{dir}/"))
    };
    let mut out: Vec<MigrationDir> = Vec::new();
    for w in wanted {
        let configured: Vec<&MigrationDir> = config
            .migrations
            .iter()
            .filter(|m| below(&m.dir, w) || below(w, &m.dir))
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
            let entries = files.list(w)?;
            if let Some(d) = layout::detect(w, &entries)? {
                out.push(MigrationDir {
                    dir: w.clone(),
                    layout: d.layout.name().to_string(),
                    require_down: None,
                });
            }
        }
        for (dir, d) in found {
            let m = MigrationDir {
                dir,
                layout: d.layout.name().to_string(),
                require_down: None,
            };
            if !out.contains(&m) {
                out.push(m);
            }
        }
    }
    Ok(out)
}

fn run(config: &Config, sides: &Sides, target_name: &str, lint: bool) -> Result<Outcome> {
    let mut notes = Vec::new();
    let dirs = migration_dirs(config, sides, &mut notes)?;
    let mut views = Vec::new();
    for (dir, layout) in dirs {
        views.push(dir_view(dir, layout, sides, config.dialect)?);
    }
    let checked = views.iter().map(|v| v.fresh().count()).sum();
    let suppressions = collect_suppressions(&views);
    let ctx = Context {
        config,
        dirs: views,
        target_name: target_name.to_string(),
        lint,
    };
    let findings = rules::run(&ctx);
    let directives: Vec<Suppression> = suppressions.clone();
    let (findings, used) = suppress::apply(findings, &directives);
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
    let sources = sources_for(&findings, sides);
    Ok(Outcome {
        findings,
        sources,
        notes,
        suppressions: directives.into_iter().zip(used).collect(),
        checked,
    })
}

/// The directories to check and their layouts: configured, or found.
fn migration_dirs(
    config: &Config,
    sides: &Sides,
    notes: &mut Vec<String>,
) -> Result<Vec<(MigrationDir, Layout)>> {
    let mut dirs: Vec<MigrationDir> = config.migrations.clone();
    if dirs.is_empty() {
        let mut found: BTreeMap<String, layout::Detection> = BTreeMap::new();
        for files in [Some(sides.head), sides.base].into_iter().flatten() {
            for (dir, det) in layout::discover(files, "")? {
                found.entry(dir).or_insert(det);
            }
        }
        if found.is_empty() {
            notes.push(
                "no migration directory found (add `migrations:` to .sqlgate.yml)".to_string(),
            );
        }
        dirs = found
            .into_keys()
            .map(|dir| MigrationDir {
                dir,
                layout: "auto".to_string(),
                require_down: None,
            })
            .collect();
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
                for files in [Some(sides.head), sides.base].into_iter().flatten() {
                    if let Some(d) = layout::detect(&dir.dir, &files.list(&dir.dir)?)? {
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

fn dir_view(
    dir: MigrationDir,
    layout: Layout,
    sides: &Sides,
    dialect: sql::Dialect,
) -> Result<DirView> {
    let head = layout.plan(&dir.dir, sides.head)?;
    let base = match sides.base {
        Some(files) => layout.plan(&dir.dir, files)?,
        None => empty_plan(&dir.dir, layout),
    };
    let target = match sides.target {
        Some(files) => Some(layout.plan(&dir.dir, files)?),
        None => None,
    };
    let same_content = |a: &plan::Migration, b: &plan::Migration| -> bool {
        let (Some(base_files), head_files) = (sides.base, sides.head) else {
            return false;
        };
        let pair = |x: Option<&plan::Script>, y: Option<&plan::Script>| match (x, y) {
            (None, None) => true,
            (Some(x), Some(y)) => {
                let tx = base_files.text(&x.file).ok().and_then(|t| t.ok());
                let ty = head_files.text(&y.file).ok().and_then(|t| t.ok());
                match (tx, ty) {
                    (Some(tx), Some(ty)) => {
                        layout.normalize(x.slice(&tx)) == layout.normalize(y.slice(&ty))
                    }
                    _ => false,
                }
            }
            _ => false,
        };
        pair(Some(&a.up), Some(&b.up)) && pair(a.down.as_ref(), b.down.as_ref())
    };
    let changes = plan::diff(&base, &head, &same_content);
    let mut base_texts = Vec::new();
    if let Some(base_files) = sides.base {
        for change in changes.iter().filter(|c| c.kind == ChangeKind::Modified) {
            if let Some(b) = change.base.map(|i| &base.migrations[i]) {
                if let Ok(Ok(text)) = base_files.text(&b.up.file) {
                    base_texts.push((b.up.file.path.clone(), text));
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
        let scripts = [
            (Role::Up, Some(&migration.up)),
            (Role::Down, migration.down.as_ref()),
        ];
        for (role, script) in scripts {
            let Some(script) = script else { continue };
            let text = sides.head.text(&script.file)?;
            pending.push((index, role, script.clone(), text));
        }
    }
    let scripts = parse_all(pending, dialect);
    Ok(DirView {
        config: dir,
        base,
        target,
        head,
        changes,
        scripts,
        base_texts,
    })
}

/// Parses the scripts in parallel; reading them stayed sequential because
/// a git repository handle cannot be shared between threads.
fn parse_all(
    pending: Vec<(usize, Role, plan::Script, Text)>,
    dialect: sql::Dialect,
) -> Vec<ScriptView> {
    pending
        .into_par_iter()
        .map(|(migration, role, script, text)| {
            let parsed = match &text {
                Ok(full) => {
                    let body = script.slice(full);
                    let atomic: Vec<_> = script
                        .atomic
                        .iter()
                        .map(|r| {
                            r.start.saturating_sub(script.offset())
                                ..r.end.saturating_sub(script.offset())
                        })
                        .collect();
                    sql::parse_script(body, script.offset(), dialect, &atomic)
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
        })
        .collect()
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

fn sources_for(findings: &[Finding], sides: &Sides) -> Sources {
    let mut sources = Sources::default();
    let locations = findings
        .iter()
        .flat_map(|f| std::iter::once(&f.location).chain(f.labels.iter().map(|l| &l.location)));
    for location in locations {
        if sources.get(location).is_some() {
            continue;
        }
        let files = match location.side {
            Side::Head => Some(sides.head),
            Side::Base => sides.base,
            Side::Target => sides.target,
        };
        let Some(files) = files else { continue };
        let entry = files.list(&location.path).ok().and_then(|mut l| l.pop());
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

fn config_in(files: &Files, origin: &str) -> Result<Config> {
    let entries = files.list(config::FILE_NAME)?;
    let Some(entry) = entries.into_iter().find(|e| e.path == config::FILE_NAME) else {
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
