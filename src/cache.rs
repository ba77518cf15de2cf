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

/// How many entries a store keeps; those used longest ago go first.
const KEEP: usize = 32;

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

    /// An entry's bytes, when the store has it. A read counts as a use:
    /// pruning keeps the entries used last.
    pub fn get(&self, key: &Key) -> Option<Vec<u8>> {
        let path = self.dir.join(&key.0);
        let bytes = fs::read(&path).ok()?;
        if let Ok(file) = fs::File::options().write(true).open(&path) {
            let _ = file.set_modified(std::time::SystemTime::now());
        }
        Some(bytes)
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

    /// Removes the entries used longest ago beyond `KEEP`.
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

#[cfg(test)]
mod tests {
    use super::*;

    fn key(n: usize) -> Key {
        KeyBuilder::new("test").part(&n.to_le_bytes()).finish()
    }

    #[test]
    fn an_entry_reads_back_and_the_ones_used_longest_ago_are_pruned() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::in_git_dir(dir.path());
        assert_eq!(store.get(&key(0)), None);
        for n in 0..KEEP {
            store.put(&key(n), format!("entry {n}").as_bytes());
        }
        // Entry 0 is read: it is now the one used last.
        assert_eq!(store.get(&key(0)).as_deref(), Some(&b"entry 0"[..]));
        for n in KEEP..KEEP + 3 {
            store.put(&key(n), format!("entry {n}").as_bytes());
        }
        let count = fs::read_dir(dir.path().join("sqlgate/cache"))
            .unwrap()
            .count();
        assert_eq!(count, KEEP);
        assert!(store.contains(&key(0)), "the entry read last was pruned");
        assert!(!store.contains(&key(1)));
        assert!(store.contains(&key(KEEP + 2)));
    }

    #[test]
    fn keys_differ_with_their_parts_and_how_they_are_cut() {
        let ab_c = KeyBuilder::new("k").part(b"ab").part(b"c").finish();
        let a_bc = KeyBuilder::new("k").part(b"a").part(b"bc").finish();
        assert_ne!(ab_c, a_bc);
        assert_eq!(ab_c, KeyBuilder::new("k").part(b"ab").part(b"c").finish());
        assert_ne!(ab_c, KeyBuilder::new("j").part(b"ab").part(b"c").finish());
    }
}
