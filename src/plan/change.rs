//! The Change between two Plans of the same directory: which migrations were
//! added, modified, deleted, renamed or re-versioned.

use std::collections::HashMap;

use super::{Migration, Plan, Version};

/// How a migration differs between base and head.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChangeKind {
    /// New in head.
    Added,
    /// Same identity, different content.
    Modified,
    /// In base, gone from head.
    Deleted,
    /// Same identity and content, different file name.
    Renamed,
    /// Same content under another version.
    Reversioned {
        /// The version it had in base.
        from: Version,
    },
}

/// One changed migration, by index into the base and head Plans.
#[derive(Clone, Debug)]
pub struct Change {
    /// What happened.
    pub kind: ChangeKind,
    /// Index in the base Plan.
    pub base: Option<usize>,
    /// Index in the head Plan.
    pub head: Option<usize>,
}

/// The Changes from `base` to `head`. `same_content` says whether two
/// migrations have the same content as their tool sees it; it is only asked
/// when their files' blob ids differ.
pub fn diff(
    base: &Plan,
    head: &Plan,
    same_content: &dyn Fn(&Migration, &Migration) -> bool,
) -> Vec<Change> {
    let equal = |a: &Migration, b: &Migration| a.same_files(b) || same_content(a, b);
    let head_by_id: HashMap<&str, usize> = head
        .migrations
        .iter()
        .enumerate()
        .map(|(i, m)| (m.id.as_str(), i))
        .collect();
    let mut matched_head = vec![false; head.migrations.len()];
    let mut changes = Vec::new();
    let mut unmatched_base = Vec::new();
    for (bi, b) in base.migrations.iter().enumerate() {
        match head_by_id.get(b.id.as_str()) {
            Some(&hi) => {
                matched_head[hi] = true;
                let h = &head.migrations[hi];
                if !equal(b, h) {
                    changes.push(Change {
                        kind: ChangeKind::Modified,
                        base: Some(bi),
                        head: Some(hi),
                    });
                } else if head.layout.identified_by_file() && b.up.file.path != h.up.file.path {
                    changes.push(Change {
                        kind: ChangeKind::Renamed,
                        base: Some(bi),
                        head: Some(hi),
                    });
                }
            }
            None => unmatched_base.push(bi),
        }
    }
    let mut unmatched_head: Vec<usize> = (0..head.migrations.len())
        .filter(|&i| !matched_head[i])
        .collect();
    for bi in unmatched_base {
        let b = &base.migrations[bi];
        let moved = unmatched_head
            .iter()
            .position(|&hi| equal(b, &head.migrations[hi]));
        let head_version = |pos: usize| head.migrations[unmatched_head[pos]].version.clone();
        match (moved, &b.version) {
            (Some(pos), Some(from)) if head_version(pos).as_ref() != Some(from) => {
                let hi = unmatched_head.remove(pos);
                changes.push(Change {
                    kind: ChangeKind::Reversioned { from: from.clone() },
                    base: Some(bi),
                    head: Some(hi),
                });
            }
            (Some(pos), _) => {
                let hi = unmatched_head.remove(pos);
                changes.push(Change {
                    kind: ChangeKind::Renamed,
                    base: Some(bi),
                    head: Some(hi),
                });
            }
            (None, _) => changes.push(Change {
                kind: ChangeKind::Deleted,
                base: Some(bi),
                head: None,
            }),
        }
    }
    for hi in unmatched_head {
        changes.push(Change {
            kind: ChangeKind::Added,
            base: None,
            head: Some(hi),
        });
    }
    changes
}
