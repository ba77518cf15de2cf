//! `applied-migration-modified`: a migration that already reached the target
//! was edited, deleted, renamed or re-versioned. Environments that ran it
//! will never run the edit; new environments will run something else.

use crate::finding::{Finding, Location};
use crate::plan::{ChangeKind, MigrationKind};
use crate::rules::context::file_start;
use crate::rules::Context;

/// Reports every change to a migration the base already has.
pub fn check(ctx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    if ctx.lint {
        return out;
    }
    let target = &ctx.target_name;
    for dir in &ctx.dirs {
        for change in &dir.changes {
            let base = change.base.map(|i| &dir.base.migrations[i]);
            let head = change.head.map(|i| &dir.head.migrations[i]);
            let finding = match (&change.kind, base, head) {
                (ChangeKind::Modified, Some(b), Some(h)) => {
                    if h.kind == MigrationKind::Repeatable {
                        continue;
                    }
                    let span = first_difference(dir.base_text(&b.up.file.path).map(|t| &**t), dir, &h.up.file.path);
                    Finding::new(
                        "applied-migration-modified",
                        Location::head(&h.up.file.path, span),
                        format!("migration {} was edited after it reached {target}", h.name()),
                    )
                    .label("first edited line")
                    .with(file_start(&b.up.file.path, crate::finding::Side::Base), format!("as it is on {target}"))
                    .help("environments that already ran it will never run this edit: restore the file and put the change in a new migration")
                }
                (ChangeKind::Deleted, Some(b), None) => Finding::new(
                    "applied-migration-modified",
                    Location::base(&b.up.file.path, 0..0),
                    format!("migration {} was deleted after it reached {target}", b.name()),
                )
                .label(format!("deleted; it is on {target}"))
                .help("environments that ran it keep its changes: restore the file, and undo its effect in a new migration if needed"),
                (ChangeKind::Renamed, Some(b), Some(h)) => Finding::new(
                    "applied-migration-modified",
                    Location::head(&h.up.file.path, 0..0),
                    format!("migration {} was renamed to {} after it reached {target}", b.name(), h.name()),
                )
                .with(file_start(&b.up.file.path, crate::finding::Side::Base), format!("its name on {target}"))
                .help("tools that record file names or descriptions will see a new migration: keep the old name"),
                (ChangeKind::Reversioned { from }, Some(b), Some(h)) => Finding::new(
                    "applied-migration-modified",
                    Location::head(&h.up.file.path, 0..0),
                    format!(
                        "migration {} was re-versioned from {from} to {} after it reached {target}",
                        b.name(),
                        h.version.as_ref().map_or("?", |v| v.as_str())
                    ),
                )
                .with(file_start(&b.up.file.path, crate::finding::Side::Base), format!("version {from} on {target}"))
                .help("environments that ran it under the old version will run it again: keep the old version"),
                _ => continue,
            };
            out.push(finding);
        }
    }
    out
}

/// The span of the first line where the head text differs from the base.
fn first_difference(
    base: Option<&str>,
    dir: &crate::rules::DirView,
    head_path: &str,
) -> std::ops::Range<usize> {
    let head = dir
        .scripts
        .iter()
        .find(|s| s.path == head_path)
        .and_then(|s| s.text.as_ref().ok());
    let (Some(base), Some(head)) = (base, head) else {
        return 0..0;
    };
    let mut offset = 0;
    let mut base_lines = base.split_inclusive('\n');
    for line in head.split_inclusive('\n') {
        match base_lines.next() {
            Some(b) if b.trim_end_matches(['\r', '\n']) == line.trim_end_matches(['\r', '\n']) => {
                offset += line.len()
            }
            _ => return offset..offset + line.trim_end_matches(['\r', '\n']).len(),
        }
    }
    offset..offset
}
