//! `sqlgate new <description>`: finds the migration directory and its
//! layout, the highest version it has anywhere that matters (the working
//! tree, the trunk, and with `--for` every environment branch), and writes
//! the next migration as `layout::new` generates it. One of the two
//! commands that write to the repository, because it is asked to.

use std::path::{Component, Path, PathBuf};

use crate::config::{self, Config, MigrationDir};
use crate::error::{Error, Result};
use crate::git::Repo;
use crate::layout::{self, new as gen};
use crate::plan::version::now_secs;
use crate::plan::Version;
use crate::source::{FileSource, FsSource};

/// What `sqlgate new` wrote.
#[derive(Debug)]
pub struct Created {
    /// The files created or appended to, as reached from the current
    /// directory.
    pub paths: Vec<PathBuf>,
    /// What to do next, and what the version was chosen after.
    pub notes: Vec<String>,
}

/// Creates the next migration for `description`. `cwd` is where sqlgate
/// runs; `dir` the `--dir` option; `for_env` the `--for` option.
pub fn create(
    cwd: &Path,
    description: &str,
    dir: Option<&Path>,
    for_env: Option<&str>,
) -> Result<Created> {
    let repo = Repo::open(cwd).ok();
    let root = match repo.as_ref().and_then(|r| r.workdir()) {
        Some(root) => root.to_path_buf(),
        None => cwd.to_path_buf(),
    };
    let root = std::fs::canonicalize(&root)
        .map_err(|e| Error::new(format!("cannot read {}: {e}", root.display())))?;
    let cwd = std::fs::canonicalize(cwd)
        .map_err(|e| Error::new(format!("cannot read {}: {e}", cwd.display())))?;
    let config = read_config(&root)?;
    let fs = FsSource::new(&root);
    let target = choose_dir(&config, &fs, &root, &cwd, dir)?;
    let files: Vec<String> = fs.list(&target.dir)?.into_iter().map(|e| e.path).collect();
    let layout_name = layout_of(&target, &fs, config.dialect)?;

    let mut notes = Vec::new();
    let mut latest: Option<(Version, String)> = None;
    let mut consider = |files: &[String], place: &str| {
        if let Some(v) = gen::versions(&layout_name, &target.dir, files)
            .into_iter()
            .max()
        {
            if latest.as_ref().is_none_or(|(l, _)| v > *l) {
                latest = Some((v, place.to_string()));
            }
        }
    };
    consider(&files, "the working tree");
    if let Some(repo) = &repo {
        let mut refs: Vec<(String, bool)> = Vec::new();
        let trunk = config.trunk.clone().unwrap_or_else(|| "main".to_string());
        refs.push((trunk, false));
        if let Some(env) = for_env {
            refs.extend(
                environment_refs(&config, env)?
                    .into_iter()
                    .map(|r| (r, true)),
            );
        }
        for (name, required) in refs {
            let Some(commit) = resolve_branch(repo, &name) else {
                if required {
                    return Err(Error::new(format!(
                        "environment branch {name} is not in this repository"
                    ))
                    .with_help(format!("fetch it first: `git fetch origin {name}`")));
                }
                continue;
            };
            let snapshot = repo.commit_snapshot(commit);
            let listed: Vec<String> = snapshot
                .list(&target.dir)?
                .into_iter()
                .map(|e| e.path)
                .collect();
            consider(&listed, &name);
        }
    }

    let read = |path: &str| std::fs::read_to_string(root.join(path)).ok();
    let author = gen::Author {
        name: repo.as_ref().and_then(|r| r.config_string("user.name")),
        email: repo.as_ref().and_then(|r| r.config_string("user.email")),
    };
    let request = gen::Request {
        layout: &layout_name,
        dir: &target.dir,
        description,
        files: &files,
        latest: latest.as_ref().map(|(v, _)| v.clone()),
        now: now_secs(),
        author: &author,
        dialect: config.dialect.name(),
        read: &read,
    };
    let generated = gen::generate(&request)?;
    for write in &generated.writes {
        if let gen::Write::Create { path, .. } = write {
            if root.join(path).exists() {
                return Err(Error::new(format!("{path} already exists"))
                    .with_help("choose another description, or edit the existing migration"));
            }
        }
    }
    let mut paths = Vec::new();
    for write in &generated.writes {
        let full = root.join(write.path());
        if let Some(parent) = full.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| Error::new(format!("cannot create {}: {e}", parent.display())))?;
        }
        let result = match write {
            gen::Write::Create { text, .. } => std::fs::write(&full, text),
            gen::Write::Append { text, .. } => append(&full, text),
        };
        result.map_err(|e| Error::new(format!("cannot write {}: {e}", full.display())))?;
        paths.push(shown(&full, &cwd));
    }
    if let Some((version, place)) = &latest {
        notes.push(format!(
            "{} {} follows {version}, the latest in {} ({place})",
            layout_name,
            generated.version,
            if target.dir.is_empty() {
                "."
            } else {
                &target.dir
            }
        ));
    }
    notes.extend(generated.notes);
    Ok(Created { paths, notes })
}

fn append(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    file.write_all(text.as_bytes())
}

fn read_config(root: &Path) -> Result<Config> {
    let path = root.join(config::FILE_NAME);
    match std::fs::read_to_string(&path) {
        Ok(text) => Config::parse(&text, config::FILE_NAME),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Config::default()),
        Err(e) => Err(Error::new(format!("cannot read {}: {e}", path.display()))),
    }
}

/// The directory `--dir` names, or the only one configured or found, or the
/// one the current directory is in.
fn choose_dir(
    config: &Config,
    fs: &FsSource,
    root: &Path,
    cwd: &Path,
    dir: Option<&Path>,
) -> Result<MigrationDir> {
    let known: Vec<MigrationDir> = if config.migrations.is_empty() {
        let files = crate::source::Files::new(fs);
        layout::discover(&files, "")?
            .into_iter()
            .map(|(dir, d)| MigrationDir {
                dir,
                layout: d.layout.name().to_string(),
                ..MigrationDir::default()
            })
            .collect()
    } else {
        config.migrations.clone()
    };
    if let Some(dir) = dir {
        let rel = relative(&lexical(&cwd.join(dir)), root)
            .ok_or_else(|| Error::new(format!("{} is outside the repository", dir.display())))?;
        return Ok(known
            .into_iter()
            .find(|m| m.dir.trim_end_matches('/') == rel)
            .unwrap_or(MigrationDir {
                dir: rel,
                ..MigrationDir::default()
            }));
    }
    let here = relative(cwd, root).unwrap_or_default();
    let inside = known
        .iter()
        .filter(|m| m.dir.is_empty() || here == m.dir || here.starts_with(&format!("{}/", m.dir)))
        .max_by_key(|m| m.dir.len());
    match (known.len(), inside) {
        (_, Some(m)) if known.len() == 1 || !m.dir.is_empty() => Ok(m.clone()),
        (1, _) => Ok(known[0].clone()),
        (0, _) => Err(Error::new("no migration directory found")
            .with_help("pass it: `sqlgate new <description> --dir db/migrations`")),
        _ => Err(Error::new(format!(
            "there are {} migration directories: {}",
            known.len(),
            known
                .iter()
                .map(|m| m.dir.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))
        .with_help("say which: `sqlgate new <description> --dir <dir>`")),
    }
}

/// The layout name of a directory: configured, or detected from its files.
fn layout_of(dir: &MigrationDir, fs: &FsSource, dialect: crate::sql::Dialect) -> Result<String> {
    if dir.layout != "auto" {
        return Ok(dir.layout.clone());
    }
    let files = crate::source::Files::new(fs);
    match layout::detect(&files, &dir.dir, &dir.layout_options(dialect))? {
        Some(d) => Ok(d.layout.name().to_string()),
        None => Err(Error::new(format!(
            "cannot tell which layout {} follows: it holds no migration yet",
            if dir.dir.is_empty() { "." } else { &dir.dir }
        ))
        .with_help(format!(
            "set it in .sqlgate.yml: `migrations: [{{dir: {}, layout: <{}>}}]`",
            dir.dir,
            gen::NAMES.join("|")
        ))),
    }
}

/// The branches (or refs) of every environment; `env` must be one of them.
fn environment_refs(config: &Config, env: &str) -> Result<Vec<String>> {
    if config.environments.is_empty() {
        return Err(Error::new("--for needs environments, and .sqlgate.yml has none")
            .with_help("list them: `environments: [{name: dev, branch: develop}, {name: prod, branch: main}]`"));
    }
    let names: Vec<&str> = config
        .environments
        .iter()
        .map(|e| e.name.as_str())
        .collect();
    if !names.contains(&env) {
        let mut err = Error::new(format!("unknown environment `{env}`"));
        err = match config::suggest(env, &names) {
            Some(s) => err.with_help(format!("did you mean `{s}`?")),
            None => err.with_help(format!("environments: {}", names.join(", "))),
        };
        return Err(err);
    }
    Ok(config
        .environments
        .iter()
        .filter_map(|e| e.branch.clone().or_else(|| e.reference.clone()))
        .collect())
}

/// A branch by name: local, else `origin/<name>`, else any revision.
fn resolve_branch(repo: &Repo, name: &str) -> Option<crate::git::CommitId> {
    repo.ref_target(&format!("refs/heads/{name}"))
        .or_else(|| repo.ref_target(&format!("refs/remotes/origin/{name}")))
        .or_else(|| repo.resolve(name).ok())
}

/// `a/./b/../c` as `a/c`, without touching the file system (the directory
/// may not exist yet).
fn lexical(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
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

/// A path as reached from the current directory when it is below it.
fn shown(full: &Path, cwd: &Path) -> PathBuf {
    full.strip_prefix(cwd)
        .map(Path::to_path_buf)
        .unwrap_or_else(|_| full.to_path_buf())
}
