//! A store of results that are costly to compute and follow from content
//! alone, kept in the repository's git directory (`.git/sqlgate/cache/`),
//! never in the working tree. An entry is named by a digest of everything
//! its content follows from, the sqlgate build that wrote it included, so
//! an entry is never stale: it is found or it is not. A missing, unreadable
//! or corrupt entry is computed again; a store that cannot be written is
//! not used. Must not know what the entries mean.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use sha2::{Digest, Sha256};

/// How many entries a store keeps; the oldest go first.
const KEEP: usize = 16;

/// A directory of entries.
#[derive(Clone, Debug)]
pub struct Store {
    dir: PathBuf,
}

impl Store {
    /// The store of a repository, in its git directory (shared by its
    /// worktrees).
    pub fn in_git_dir(git_dir: &Path) -> Store {
        Store {
            dir: git_dir.join("sqlgate").join("cache"),
        }
    }

    /// An entry's bytes, when the store has it.
    pub fn get(&self, key: &Key) -> Option<Vec<u8>> {
        fs::read(self.dir.join(&key.0)).ok()
    }

    /// Whether the store has an entry.
    pub fn contains(&self, key: &Key) -> bool {
        self.dir.join(&key.0).is_file()
    }

    /// Keeps an entry; written whole or not at all (a concurrent reader
    /// never sees half of it). Failures are ignored: the entry is computed
    /// again next time.
    pub fn put(&self, key: &Key, bytes: &[u8]) {
        if fs::create_dir_all(&self.dir).is_err() {
            return;
        }
        let temp = self
            .dir
            .join(format!(".{}.{}.tmp", key.0, std::process::id()));
        let written = fs::File::create(&temp).and_then(|mut f| f.write_all(bytes));
        if written.is_err() || fs::rename(&temp, self.dir.join(&key.0)).is_err() {
            let _ = fs::remove_file(&temp);
            return;
        }
        self.prune();
    }

    /// Removes the oldest entries beyond `KEEP`.
    fn prune(&self) {
        let Ok(entries) = fs::read_dir(&self.dir) else {
            return;
        };
        let mut files: Vec<(std::time::SystemTime, PathBuf)> = entries
            .flatten()
            .filter_map(|e| {
                let modified = e.metadata().ok()?.modified().ok()?;
                Some((modified, e.path()))
            })
            .collect();
        if files.len() <= KEEP {
            return;
        }
        files.sort();
        for (_, path) in &files[..files.len() - KEEP] {
            let _ = fs::remove_file(path);
        }
    }
}

/// An entry's name: a digest of what its content follows from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Key(String);

/// Builds a Key from the parts its content follows from.
pub struct KeyBuilder {
    kind: &'static str,
    hasher: Sha256,
}

impl KeyBuilder {
    /// A key for entries of one kind, written by this build of sqlgate.
    pub fn new(kind: &'static str) -> KeyBuilder {
        let mut builder = KeyBuilder {
            kind,
            hasher: Sha256::new(),
        };
        builder.part(kind.as_bytes()).part(build().as_bytes());
        builder
    }

    /// Adds one part (parts are length-prefixed: `ab`,`c` differs from
    /// `a`,`bc`).
    pub fn part(&mut self, bytes: &[u8]) -> &mut KeyBuilder {
        self.hasher.update((bytes.len() as u64).to_le_bytes());
        self.hasher.update(bytes);
        self
    }

    /// The key.
    pub fn finish(&self) -> Key {
        let digest = self.hasher.clone().finalize();
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        Key(format!("{}-{hex}", self.kind))
    }
}

/// What identifies this build: its version and its executable (size and
/// time written), so that a rebuilt binary does not read what an earlier
/// build kept.
fn build() -> &'static str {
    static BUILD: OnceLock<String> = OnceLock::new();
    BUILD.get_or_init(|| {
        let exe = std::env::current_exe()
            .and_then(fs::metadata)
            .ok()
            .map(|m| {
                let modified = m
                    .modified()
                    .ok()
                    .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                    .map(|d| d.as_nanos())
                    .unwrap_or(0);
                format!("{}:{modified}", m.len())
            })
            .unwrap_or_default();
        format!("{} {exe}", env!("CARGO_PKG_VERSION"))
    })
}
