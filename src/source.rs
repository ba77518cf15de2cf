//! What the pipeline reads files through: a listing of the files under a
//! directory and the bytes of one file. `git::Snapshot` implements it over
//! git objects; `FsSource` over the file system (for `lint`); `MemSource`
//! in memory (for the rule examples). Nothing here knows git.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::Arc;

use crate::error::{Error, Result};

/// The identity of a file's content when the source knows it without reading
/// it (a git blob id). Equal ids mean equal bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BlobId(pub [u8; 20]);

/// One file of a source: its path relative to the repository root, with `/`
/// separators, and its content id where the source has one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileEntry {
    /// Path relative to the root, `/`-separated.
    pub path: String,
    /// Content id, when known without reading.
    pub id: Option<BlobId>,
}

/// A set of files at one point: a Snapshot, a directory on disk, or memory.
pub trait FileSource {
    /// Every file below `dir` (recursively), sorted by path. An empty `dir`
    /// means the whole source. A directory that does not exist has no files.
    fn list(&self, dir: &str) -> Result<Vec<FileEntry>>;
    /// The bytes of one listed file.
    fn read(&self, entry: &FileEntry) -> Result<Vec<u8>>;
}

/// Directories that are never migration directories, skipped when searching
/// a whole source.
pub const SKIPPED_DIRS: &[&str] = &[
    ".git",
    "node_modules",
    "vendor",
    "target",
    ".venv",
    "venv",
    "dist",
    "build",
    ".terraform",
];

/// Joins a directory and a relative path with `/`, where `dir` may be empty.
pub fn join(dir: &str, rest: &str) -> String {
    if dir.is_empty() {
        rest.to_string()
    } else {
        format!("{}/{}", dir.trim_end_matches('/'), rest)
    }
}

/// Files on disk below a root directory (`sqlgate lint`).
pub struct FsSource {
    root: PathBuf,
}

impl FsSource {
    /// A source rooted at `root`; paths are relative to it.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        FsSource { root: root.into() }
    }

    fn walk(&self, dir: &Path, rel: &str, out: &mut Vec<FileEntry>) -> Result<()> {
        let read = match std::fs::read_dir(dir) {
            Ok(read) => read,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => {
                return Err(Error::new(format!(
                    "cannot read directory {}: {e}",
                    dir.display()
                )))
            }
        };
        for item in read {
            let item =
                item.map_err(|e| Error::new(format!("cannot read {}: {e}", dir.display())))?;
            let name = item.file_name().to_string_lossy().into_owned();
            let kind = item
                .file_type()
                .map_err(|e| Error::new(format!("cannot read {}: {e}", item.path().display())))?;
            let child = join(rel, &name);
            if kind.is_dir() {
                if !SKIPPED_DIRS.contains(&name.as_str()) {
                    self.walk(&item.path(), &child, out)?;
                }
            } else if kind.is_file() || (kind.is_symlink() && item.path().is_file()) {
                out.push(FileEntry {
                    path: child,
                    id: None,
                });
            }
        }
        Ok(())
    }
}

impl FileSource for FsSource {
    fn list(&self, dir: &str) -> Result<Vec<FileEntry>> {
        let mut out = Vec::new();
        let start = if dir.is_empty() {
            self.root.clone()
        } else {
            self.root.join(dir)
        };
        if start.is_file() {
            out.push(FileEntry {
                path: dir.to_string(),
                id: None,
            });
            return Ok(out);
        }
        self.walk(&start, dir.trim_end_matches('/'), &mut out)?;
        out.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(out)
    }

    fn read(&self, entry: &FileEntry) -> Result<Vec<u8>> {
        let path = self.root.join(&entry.path);
        std::fs::read(&path).map_err(|e| Error::new(format!("cannot read {}: {e}", path.display())))
    }
}

/// Files held in memory, keyed by path (rule examples, tests).
#[derive(Default, Clone)]
pub struct MemSource {
    files: BTreeMap<String, Vec<u8>>,
}

impl MemSource {
    /// Adds or replaces a file.
    pub fn insert(&mut self, path: impl Into<String>, content: impl Into<Vec<u8>>) {
        self.files.insert(path.into(), content.into());
    }
}

impl FileSource for MemSource {
    fn list(&self, dir: &str) -> Result<Vec<FileEntry>> {
        let prefix = if dir.is_empty() {
            String::new()
        } else {
            format!("{}/", dir.trim_end_matches('/'))
        };
        Ok(self
            .files
            .keys()
            // A file's own path lists the file, as on disk and in git.
            .filter(|p| p.starts_with(&prefix) || p.as_str() == dir.trim_end_matches('/'))
            .map(|p| FileEntry {
                path: p.clone(),
                id: None,
            })
            .collect())
    }

    fn read(&self, entry: &FileEntry) -> Result<Vec<u8>> {
        self.files
            .get(&entry.path)
            .cloned()
            .ok_or_else(|| Error::new(format!("no file {}", entry.path)))
    }
}

/// Why a script's bytes cannot be read as SQL text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DecodeProblem {
    /// The file holds NUL bytes: it is not a text file.
    Binary,
    /// The file is not valid UTF-8; the offset of the first bad byte.
    NotUtf8 {
        /// Byte offset of the first invalid byte.
        offset: usize,
    },
}

/// Decodes a script's bytes as UTF-8 text, keeping a BOM and CRLF as they
/// are so that byte offsets stay those of the file.
pub fn decode(bytes: Vec<u8>) -> Result<String, DecodeProblem> {
    if bytes.contains(&0) {
        return Err(DecodeProblem::Binary);
    }
    String::from_utf8(bytes).map_err(|e| DecodeProblem::NotUtf8 {
        offset: e.utf8_error().valid_up_to(),
    })
}

/// A file's text, or why it has none.
pub type Text = Result<Arc<str>, DecodeProblem>;

/// The files below a directory, sorted by path, shared by every caller
/// (the source's Vec itself: a listing can hold every file of a repository).
pub type Listing = Arc<Vec<FileEntry>>;

/// A `FileSource` with its listings and decoded texts cached, so that each
/// blob is read and decoded at most once per run.
pub struct Files<'s> {
    source: &'s dyn FileSource,
    listings: RefCell<HashMap<String, Listing>>,
    texts: RefCell<HashMap<String, Text>>,
    /// Texts by content id, shared with the other sides of a check: the
    /// base and the head hold mostly the same blobs.
    by_id: Rc<RefCell<HashMap<BlobId, Text>>>,
}

impl<'s> Files<'s> {
    /// Wraps a source.
    pub fn new(source: &'s dyn FileSource) -> Self {
        Files {
            source,
            listings: RefCell::new(HashMap::new()),
            texts: RefCell::new(HashMap::new()),
            by_id: Rc::default(),
        }
    }

    /// Wraps a source, sharing with `other` the texts of files whose content
    /// id both know, so that a blob is decoded once for all sides.
    pub fn sharing(source: &'s dyn FileSource, other: &Files) -> Self {
        Files {
            source,
            listings: RefCell::new(HashMap::new()),
            texts: RefCell::new(HashMap::new()),
            by_id: Rc::clone(&other.by_id),
        }
    }

    /// Every file below `dir`, sorted by path; listed once per directory.
    pub fn list(&self, dir: &str) -> Result<Listing> {
        if let Some(entries) = self.listings.borrow().get(dir) {
            return Ok(Arc::clone(entries));
        }
        let entries: Listing = Arc::new(self.source.list(dir)?);
        self.listings
            .borrow_mut()
            .insert(dir.to_string(), Arc::clone(&entries));
        Ok(entries)
    }

    /// The decoded text of a file, read once.
    pub fn text(&self, entry: &FileEntry) -> Result<Text> {
        if let Some(text) = self.texts.borrow().get(&entry.path) {
            return Ok(text.clone());
        }
        let shared = entry
            .id
            .and_then(|id| self.by_id.borrow().get(&id).cloned());
        let text = match shared {
            Some(text) => text,
            None => {
                let text = decode(self.source.read(entry)?).map(Arc::from);
                if let Some(id) = entry.id {
                    self.by_id.borrow_mut().insert(id, text.clone());
                }
                text
            }
        };
        self.texts
            .borrow_mut()
            .insert(entry.path.clone(), text.clone());
        Ok(text)
    }

    /// The raw bytes of a file, uncached (for tools that hash bytes, when
    /// the file is not text).
    pub fn bytes(&self, entry: &FileEntry) -> Result<Vec<u8>> {
        self.source.read(entry)
    }

    /// Every text read so far, by path (for reports).
    pub fn loaded(&self) -> Vec<(String, Arc<str>)> {
        self.texts
            .borrow()
            .iter()
            .filter_map(|(p, t)| t.as_ref().ok().map(|t| (p.clone(), t.clone())))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_reports_binary_and_bad_utf8() {
        assert_eq!(decode(vec![b'a', 0, b'b']), Err(DecodeProblem::Binary));
        assert_eq!(
            decode(vec![b'a', 0xff]),
            Err(DecodeProblem::NotUtf8 { offset: 1 })
        );
    }
}
