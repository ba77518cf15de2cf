//! Git access. Owns every use of git2: opening the repository (also bare,
//! also from a hook's environment with its object quarantine), resolving
//! revisions, merge bases, shallow-clone detection, and Snapshots (a
//! commit's tree, the index, the working tree) read as `FileSource`s.
//! Must not know layouts, SQL, rules or output formats.

use std::path::{Path, PathBuf};

use git2::{ObjectType, Oid, Repository, TreeWalkMode, TreeWalkResult};

use crate::error::{Error, Result};
use crate::source::{BlobId, FileEntry, FileSource, FsSource, SKIPPED_DIRS};

/// The largest tree libgit2 keeps parsed in its cache (bytes of the tree
/// object): a directory of 100,000 files.
const TREE_CACHE_LIMIT: usize = 8 << 20;

/// An open repository, bare or not.
pub struct Repo {
    repo: Repository,
    shallow_help: Option<String>,
}

/// A commit, by id; printable as its short hex form.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CommitId(Oid);

impl CommitId {
    /// The full hex id.
    pub fn hex(&self) -> String {
        self.0.to_string()
    }
    /// The first 10 hex digits, as reviewers read them.
    pub fn short(&self) -> String {
        self.0.to_string()[..10].to_string()
    }
    /// Parses a full hex id (as hooks receive them on stdin).
    pub fn parse(hex: &str) -> Result<Self> {
        Oid::from_str(hex)
            .map(CommitId)
            .map_err(|_| Error::new(format!("'{hex}' is not an object id")))
    }
    /// The all-zero id git uses for "no commit" (created or deleted refs).
    pub fn is_zero(&self) -> bool {
        self.0.is_zero()
    }
}

/// The files of the repository at one point.
pub enum Snapshot<'r> {
    /// A commit's tree.
    Commit(&'r Repo, CommitId),
    /// The index (staged files).
    Index(&'r Repo, git2::Index),
    /// The working tree on disk.
    Workdir(FsSource),
}

fn git_err(what: &str, e: git2::Error) -> Error {
    Error::new(format!("{what}: {}", e.message()))
}

impl Repo {
    /// Opens the repository that git's environment names or, without one,
    /// the one containing `dir`. Hooks depend on the environment: pre-commit
    /// gets `GIT_INDEX_FILE` (`git commit -a` and `git commit <path>` stage
    /// into a temporary index), pre-receive gets `GIT_DIR` and the object
    /// quarantine (`GIT_OBJECT_DIRECTORY` holds the pushed objects,
    /// `GIT_ALTERNATE_OBJECT_DIRECTORIES` the repository's own).
    pub fn open(dir: &Path) -> Result<Repo> {
        let from_env = ["GIT_DIR", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY"]
            .iter()
            .any(|name| std::env::var_os(name).is_some_and(|v| !v.is_empty()));
        // Objects are read, never written: like git, do not hash each one
        // again on the way in (a hook with nothing to check would spend
        // most of its time there on a large tree).
        git2::opts::strict_hash_verification(false);
        // Keep parsed trees of any size in libgit2's object cache (the
        // default leaves out trees over 4 KiB): comparing the index with
        // HEAD and listing a migration directory read the same large tree,
        // which would otherwise be inflated and parsed twice.
        // SAFETY: sets a libgit2 global before this process starts any
        // thread that uses libgit2 (`open` runs first, on the main thread).
        let _ = unsafe { git2::opts::set_cache_object_limit(ObjectType::Tree, TREE_CACHE_LIMIT) };
        let repo = if from_env {
            Repository::open_from_env()
        } else {
            Repository::discover(dir)
        };
        match repo {
            Ok(repo) => Ok(Repo {
                repo,
                shallow_help: None,
            }),
            Err(_) => Err(Error::new(format!(
                "{} is not inside a git repository",
                dir.display()
            ))
            .with_help("run sqlgate inside a git repository, or use `sqlgate lint PATH` for plain files")),
        }
    }

    /// The working tree's root, or `None` in a bare repository.
    pub fn workdir(&self) -> Option<&Path> {
        self.repo.workdir()
    }

    /// The `.git` directory (or the bare repository itself).
    pub fn git_dir(&self) -> &Path {
        self.repo.path()
    }

    /// The directory shared by all worktrees (where hooks live by default).
    pub fn common_dir(&self) -> PathBuf {
        self.repo.commondir().to_path_buf()
    }

    /// Where git runs this repository's hooks from: `core.hooksPath` (a
    /// relative one is relative to the working tree's root, or to the
    /// repository itself when bare), else `hooks/` in the directory shared
    /// by all worktrees.
    pub fn hooks_dir(&self) -> PathBuf {
        let configured = self
            .repo
            .config()
            .ok()
            .and_then(|c| c.get_path("core.hooksPath").ok())
            .filter(|p| !p.as_os_str().is_empty());
        match configured {
            Some(path) if path.is_absolute() => path,
            Some(path) => self.workdir().unwrap_or(self.git_dir()).join(path),
            None => self.common_dir().join("hooks"),
        }
    }

    /// True when the repository is bare.
    pub fn is_bare(&self) -> bool {
        self.repo.is_bare()
    }

    /// Replaces the generic advice for a shallow clone that misses a commit
    /// with the exact fix for the CI system that made the clone.
    pub fn set_shallow_help(&mut self, help: impl Into<String>) {
        self.shallow_help = Some(help.into());
    }

    fn shallow_help(&self, generic: &str) -> String {
        self.shallow_help
            .clone()
            .unwrap_or_else(|| generic.to_string())
    }

    /// True when the repository is a shallow clone.
    pub fn is_shallow(&self) -> bool {
        self.repo.is_shallow()
    }

    /// A configuration value (`core.hooksPath`, `user.name`, ...).
    pub fn config_string(&self, key: &str) -> Option<String> {
        self.repo.config().ok()?.get_string(key).ok()
    }

    /// Resolves a revision (`main`, `origin/main`, a sha, `HEAD~3`) to a commit.
    pub fn resolve(&self, rev: &str) -> Result<CommitId> {
        let object = self.repo.revparse_single(rev).map_err(|_| {
            let mut err = Error::new(format!("unknown revision '{rev}'"));
            err = if self.is_shallow() {
                err.with_help(format!(
                    "this is a shallow clone; {}",
                    self.shallow_help(
                        "fetch the full history (`git fetch --unshallow`, or `fetch-depth: 0` \
                         in actions/checkout) and the base branch"
                    )
                ))
            } else if !rev.contains('/')
                && self
                    .repo
                    .find_reference(&format!("refs/remotes/origin/{rev}"))
                    .is_ok()
            {
                err.with_help(format!("did you mean origin/{rev}?"))
            } else {
                err.with_help(format!(
                    "check the name, or fetch it first: `git fetch origin {rev}`"
                ))
            };
            err
        })?;
        let commit = object
            .peel(ObjectType::Commit)
            .map_err(|_| Error::new(format!("revision '{rev}' does not name a commit")))?;
        Ok(CommitId(commit.id()))
    }

    /// Whether the object exists in the object database (quarantine included).
    pub fn has_commit(&self, id: CommitId) -> bool {
        self.repo.find_commit(id.0).is_ok()
    }

    /// The best common ancestor of two commits. In a shallow clone whose
    /// history does not reach it, an error that says how to fetch more.
    pub fn merge_base(&self, a: CommitId, b: CommitId) -> Result<CommitId> {
        match self.repo.merge_base(a.0, b.0) {
            Ok(id) => Ok(CommitId(id)),
            Err(_) if self.is_shallow() => Err(Error::new(format!(
                "the history of this shallow clone does not reach the merge base of {} and {}",
                a.short(),
                b.short()
            ))
            .with_help(self.shallow_help(
                "fetch the full history: `git fetch --unshallow` (GitHub Actions: `fetch-depth: 0` \
                 in actions/checkout; GitLab CI: `GIT_DEPTH: 0`)",
            ))),
            Err(_) => Err(Error::new(format!(
                "{} and {} have no common history",
                a.short(),
                b.short()
            ))),
        }
    }

    /// The first line of a commit's message, for reports.
    pub fn summary(&self, id: CommitId) -> String {
        self.repo
            .find_commit(id.0)
            .ok()
            .and_then(|c| c.summary().ok().flatten().map(str::to_string))
            .unwrap_or_default()
    }

    /// The commit `HEAD` points at, or `None` on an unborn branch.
    pub fn head(&self) -> Option<CommitId> {
        self.repo
            .head()
            .ok()?
            .peel_to_commit()
            .ok()
            .map(|c| CommitId(c.id()))
    }

    /// The short name of the checked-out branch, if any.
    pub fn head_branch(&self) -> Option<String> {
        let head = self.repo.head().ok()?;
        if head.is_branch() {
            head.shorthand().ok().map(str::to_string)
        } else {
            None
        }
    }

    /// The full name a symbolic ref points at (`HEAD` -> `refs/heads/main`),
    /// also when that branch does not exist yet.
    pub fn symbolic_target(&self, name: &str) -> Option<String> {
        let r = self.repo.find_reference(name).ok()?;
        r.symbolic_target().ok().flatten().map(str::to_string)
    }

    /// Whether `ancestor` is `descendant` or one of its ancestors.
    pub fn is_ancestor(&self, ancestor: CommitId, descendant: CommitId) -> bool {
        ancestor == descendant
            || self
                .repo
                .graph_descendant_of(descendant.0, ancestor.0)
                .unwrap_or(false)
    }

    /// The commit that introduced `path` as `tip` has it: the newest commit
    /// reachable from `tip` (and not from `hide`) whose tree holds the same
    /// blob at `path` while none of its parents does. Looks at the last
    /// 5,000 commits at most.
    pub fn introducing_commit(
        &self,
        tip: CommitId,
        hide: Option<CommitId>,
        path: &str,
    ) -> Option<CommitId> {
        let path = Path::new(path);
        let blob_at = |c: &git2::Commit| c.tree().ok()?.get_path(path).ok().map(|e| e.id());
        let wanted = blob_at(&self.repo.find_commit(tip.0).ok()?)?;
        let mut walk = self.repo.revwalk().ok()?;
        walk.set_sorting(git2::Sort::TOPOLOGICAL).ok()?;
        walk.push(tip.0).ok()?;
        if let Some(hide) = hide {
            walk.hide(hide.0).ok()?;
        }
        for oid in walk.take(5000) {
            let commit = self.repo.find_commit(oid.ok()?).ok()?;
            if blob_at(&commit) != Some(wanted) {
                continue;
            }
            if commit.parents().all(|p| blob_at(&p) != Some(wanted)) {
                return Some(CommitId(commit.id()));
            }
        }
        None
    }

    /// The commit a full ref name points at, if the ref exists.
    pub fn ref_target(&self, name: &str) -> Option<CommitId> {
        let r = self.repo.find_reference(name).ok()?;
        r.peel_to_commit().ok().map(|c| CommitId(c.id()))
    }

    /// The snapshot of a commit's tree.
    pub fn commit_snapshot(&self, id: CommitId) -> Snapshot<'_> {
        Snapshot::Commit(self, id)
    }

    /// The snapshot of the index (staged files).
    pub fn index_snapshot(&self) -> Result<Snapshot<'_>> {
        let index = self
            .repo
            .index()
            .map_err(|e| git_err("cannot read the index", e))?;
        Ok(Snapshot::Index(self, index))
    }

    /// The snapshot of the working tree.
    pub fn workdir_snapshot(&self) -> Result<Snapshot<'_>> {
        let dir = self
            .workdir()
            .ok_or_else(|| Error::new("a bare repository has no working tree"))?;
        Ok(Snapshot::Workdir(FsSource::new(dir)))
    }

    fn tree_of(&self, commit: Option<CommitId>) -> Result<Option<git2::Tree<'_>>> {
        let Some(commit) = commit else {
            return Ok(None);
        };
        let commit = self
            .repo
            .find_commit(commit.0)
            .map_err(|e| git_err("cannot read commit", e))?;
        commit
            .tree()
            .map(Some)
            .map_err(|e| git_err("cannot read tree", e))
    }

    fn read_blob(&self, id: BlobId) -> Result<Vec<u8>> {
        let oid = Oid::from_bytes(&id.0).map_err(|e| git_err("bad object id", e))?;
        let blob = self
            .repo
            .find_blob(oid)
            .map_err(|e| git_err(&format!("cannot read blob {oid}"), e))?;
        Ok(blob.content().to_vec())
    }

    fn list_tree(&self, commit: CommitId, dir: &str) -> Result<Vec<FileEntry>> {
        let commit = self
            .repo
            .find_commit(commit.0)
            .map_err(|e| git_err("cannot read commit", e))?;
        let root = commit.tree().map_err(|e| git_err("cannot read tree", e))?;
        let dir = dir.trim_end_matches('/');
        let tree = if dir.is_empty() {
            root
        } else {
            let entry = match root.get_path(Path::new(dir)) {
                Ok(entry) => entry,
                Err(_) => return Ok(Vec::new()),
            };
            if entry.kind() == Some(ObjectType::Blob) {
                return Ok(vec![FileEntry {
                    path: dir.to_string(),
                    id: Some(to_blob_id(entry.id())),
                }]);
            }
            match self.repo.find_tree(entry.id()) {
                Ok(tree) => tree,
                Err(_) => return Ok(Vec::new()),
            }
        };
        let mut out = Vec::with_capacity(tree.len());
        tree.walk(TreeWalkMode::PreOrder, |parent, entry| {
            let name = lossy(entry.name_bytes());
            match entry.kind() {
                Some(ObjectType::Tree) if SKIPPED_DIRS.contains(&name.as_ref()) => {
                    TreeWalkResult::Skip
                }
                Some(ObjectType::Blob) => {
                    // `dir/parent/name`, written once.
                    let mut path = String::with_capacity(dir.len() + 1 + parent.len() + name.len());
                    path.push_str(dir);
                    if !dir.is_empty() {
                        path.push('/');
                    }
                    path.push_str(parent);
                    path.push_str(&name);
                    out.push(FileEntry {
                        path,
                        id: Some(to_blob_id(entry.id())),
                    });
                    TreeWalkResult::Ok
                }
                _ => TreeWalkResult::Ok,
            }
        })
        .map_err(|e| git_err("cannot walk tree", e))?;
        sort_by_path(&mut out);
        Ok(out)
    }
}

impl Snapshot<'_> {
    /// The paths (old and new sides) that differ between `base`'s tree (no
    /// base: an empty tree) and this snapshot, without reading any blob:
    /// identical subtrees are skipped by id. `None` for the working tree,
    /// which cannot tell without reading every file.
    pub fn paths_changed_since(&self, base: Option<CommitId>) -> Result<Option<Vec<String>>> {
        let diff = match self {
            Snapshot::Commit(repo, id) => {
                let old = repo.tree_of(base)?;
                let new = repo.tree_of(Some(*id))?;
                repo.repo
                    .diff_tree_to_tree(old.as_ref(), new.as_ref(), None)
                    .map_err(|e| git_err("cannot compare trees", e))?
            }
            Snapshot::Index(repo, index) => {
                let old = repo.tree_of(base)?;
                repo.repo
                    .diff_tree_to_index(old.as_ref(), Some(index), None)
                    .map_err(|e| git_err("cannot compare the index", e))?
            }
            Snapshot::Workdir(_) => return Ok(None),
        };
        let mut paths = Vec::new();
        for delta in diff.deltas() {
            for file in [delta.old_file(), delta.new_file()] {
                if let Some(path) = file.path_bytes() {
                    let path = String::from_utf8_lossy(path).into_owned();
                    if paths.last() != Some(&path) {
                        paths.push(path);
                    }
                }
            }
        }
        Ok(Some(paths))
    }
}

/// A name from git as text (invalid UTF-8 replaced), without copying the
/// usual valid one.
fn lossy(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(text) => std::borrow::Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(bytes),
    }
}

/// Sorts entries by path; git mostly lists them in that order already.
fn sort_by_path(entries: &mut [FileEntry]) {
    if !entries.is_sorted_by(|a, b| a.path <= b.path) {
        entries.sort_by(|a, b| a.path.cmp(&b.path));
    }
}

fn to_blob_id(oid: Oid) -> BlobId {
    let mut bytes = [0u8; 20];
    let raw = oid.as_bytes();
    let n = raw.len().min(20);
    bytes[..n].copy_from_slice(&raw[..n]);
    BlobId(bytes)
}

impl FileSource for Snapshot<'_> {
    fn list(&self, dir: &str) -> Result<Vec<FileEntry>> {
        match self {
            Snapshot::Commit(repo, id) => repo.list_tree(*id, dir),
            Snapshot::Index(_, index) => {
                let dir = dir.trim_end_matches('/');
                let prefix = if dir.is_empty() {
                    String::new()
                } else {
                    format!("{dir}/")
                };
                let mut out = Vec::with_capacity(index.len());
                out.extend(
                    index
                        .iter()
                        .filter(|e| (e.flags >> 12) & 0x3 == 0)
                        // Compare bytes before decoding: most entries are outside.
                        .filter(|e| {
                            e.path.starts_with(prefix.as_bytes()) || e.path == dir.as_bytes()
                        })
                        .filter_map(|e| {
                            // The entry's own copy of the path becomes the String.
                            let path = String::from_utf8(e.path).unwrap_or_else(|bad| {
                                String::from_utf8_lossy(bad.as_bytes()).into_owned()
                            });
                            let skipped = path.split('/').any(|part| SKIPPED_DIRS.contains(&part));
                            (!skipped).then(|| FileEntry {
                                path,
                                id: Some(to_blob_id(e.id)),
                            })
                        }),
                );
                sort_by_path(&mut out);
                Ok(out)
            }
            Snapshot::Workdir(fs) => fs.list(dir),
        }
    }

    fn read(&self, entry: &FileEntry) -> Result<Vec<u8>> {
        match (self, entry.id) {
            (Snapshot::Commit(repo, _), Some(id)) | (Snapshot::Index(repo, _), Some(id)) => {
                repo.read_blob(id)
            }
            (Snapshot::Workdir(fs), _) => fs.read(entry),
            (_, None) => Err(Error::new(format!("{} has no blob id", entry.path))),
        }
    }
}
