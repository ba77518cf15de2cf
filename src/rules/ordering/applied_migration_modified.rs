//! `applied-migration-modified`: a migration that already reached the target
//! was edited, deleted, renamed or re-versioned (or, in sqitch, moved in
//! the plan). Environments that ran it will never run the edit; new
//! environments will run something else. What counts as an edit is what
//! the layout's tool counts (`Layout::unchanged`); repeatable migrations
//! and Liquibase changesets whose `validCheckSum` accepts the applied
//! checksum may change.

use std::ops::Range;

use crate::finding::{Finding, Location, Side};
use crate::layout::Layout;
use crate::plan::{ChangeKind, Migration, Script};
use crate::rules::context::file_start;
use crate::rules::{Context, DirView};

/// Reports every change to a migration the base already has.
pub fn check(ctx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    if ctx.lint {
        return out;
    }
    let target = &ctx.target_name;
    for dir in &ctx.dirs {
        let layout = dir.head.layout;
        for change in &dir.changes {
            let base = change.base.map(|i| &dir.base.migrations[i]);
            let head = change.head.map(|i| &dir.head.migrations[i]);
            let finding = match (&change.kind, base, head) {
                (ChangeKind::Modified, Some(b), Some(h)) => {
                    if h.accepts_edit_of(b) {
                        continue;
                    }
                    edited(dir, layout, b, h, target)
                }
                (ChangeKind::Deleted, Some(b), None) => Finding::new(
                    "applied-migration-modified",
                    Location::base(&b.up.file.path, own_line(b).unwrap_or(0..0)),
                    format!("migration {} was deleted after it reached {target}", b.name()),
                )
                .label(format!("deleted; it is on {target}"))
                .help("environments that ran it keep its changes: restore it, and undo its effect in a new migration if needed"),
                (ChangeKind::Renamed, Some(b), Some(h)) => Finding::new(
                    "applied-migration-modified",
                    Location::head(&h.up.file.path, own_line(h).unwrap_or(0..0)),
                    format!("migration {} was renamed to {} after it reached {target}", b.name(), h.name()),
                )
                .with(file_start(&b.up.file.path, Side::Base), format!("its name on {target}"))
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
                .with(file_start(&b.up.file.path, Side::Base), format!("version {from} on {target}"))
                .help("environments that ran it under the old version will run it again: keep the old version"),
                _ => continue,
            };
            out.push(finding);
        }
        if layout == Layout::Sqitch {
            out.extend(moved(dir, target));
        }
    }
    out
}

/// The line that declares a migration inside its up file (a Liquibase
/// `--changeset` line).
fn own_line(m: &Migration) -> Option<Range<usize>> {
    m.meta
        .declared_in
        .as_ref()
        .filter(|(path, _)| *path == m.up.file.path)
        .map(|(_, span)| span.clone())
}

fn edited(dir: &DirView, layout: Layout, b: &Migration, h: &Migration, target: &str) -> Finding {
    // A sqitch change whose plan entry changed: sqitch will not find the
    // deployed change ID in the plan any more.
    if layout == Layout::Sqitch && b.meta.checksum != h.meta.checksum {
        if let Some((path, span)) = &h.meta.declared_in {
            let mut finding = Finding::new(
                "applied-migration-modified",
                Location::head(path, span.clone()),
                format!("the plan entry of change {} was edited after it reached {target}", h.name()),
            )
            .label("edited plan entry")
            .help(format!(
                "sqitch identifies a deployed change by its plan entry (name, dependencies, time, planner, note): restore the line, and rework the change (`sqitch rework {}`) to change it",
                h.name()
            ));
            if let Some((base_path, base_span)) = &b.meta.declared_in {
                finding = finding.with(
                    Location {
                        path: base_path.clone(),
                        span: base_span.clone(),
                        side: Side::Base,
                    },
                    format!("as it is on {target}"),
                );
            }
            return finding;
        }
    }
    // The first edited line of the up script, or of the down script when
    // only the down changed.
    let difference = |bs: &Script, hs: &Script| {
        first_difference(
            dir.base_text(&bs.file.path).map(|t| &**t),
            bs.span.clone(),
            head_text(dir, &hs.file.path),
            hs.span.clone(),
        )
    };
    let (path, span) = match (difference(&b.up, &h.up), &b.down, &h.down) {
        (None, Some(bd), Some(hd)) => match difference(bd, hd) {
            Some(span) => (hd.file.path.clone(), span),
            None => (
                h.up.file.path.clone(),
                h.up.span.clone().map_or(0..0, |s| s.start..s.start),
            ),
        },
        (span, _, _) => (
            h.up.file.path.clone(),
            span.unwrap_or_else(|| h.up.span.clone().map_or(0..0, |s| s.start..s.start)),
        ),
    };
    let help = match layout {
        Layout::Sqitch => format!(
            "environments that already deployed it will never run this edit: restore the script, and rework the change (`sqitch rework {}`) after a tag",
            h.name()
        ),
        Layout::Liquibase => "Liquibase fails validation on environments that ran it (the checksum changed): restore the changeset and put the change in a new changeset, or mark it runOnChange:true if it is meant to re-run".to_string(),
        Layout::Flyway | Layout::Sqlx | Layout::Prisma | Layout::Atlas => format!(
            "{} refuses to migrate environments that ran it (the checksum changed): restore it and put the change in a new migration",
            layout.name()
        ),
        _ => "environments that already ran it will never run this edit: restore it and put the change in a new migration".to_string(),
    };
    let base_location = match own_line(b) {
        Some(span) => Location {
            path: b.up.file.path.clone(),
            span,
            side: Side::Base,
        },
        None => file_start(&b.up.file.path, Side::Base),
    };
    Finding::new(
        "applied-migration-modified",
        Location::head(path, span),
        format!(
            "migration {} was edited after it reached {target}",
            h.name()
        ),
    )
    .label("first edited line")
    .with(base_location, format!("as it is on {target}"))
    .help(help)
}

fn head_text<'d>(dir: &'d DirView, path: &str) -> Option<&'d str> {
    dir.scripts
        .iter()
        .find(|s| s.path == path)
        .and_then(|s| s.text.as_ref().ok())
        .map(|t| &**t)
}

/// sqitch deploys in plan order and a change ID includes the change before
/// it: a change of the target moved in the plan no longer matches what was
/// deployed.
fn moved(dir: &DirView, target: &str) -> Option<Finding> {
    let in_head: Vec<&Migration> = dir
        .head
        .migrations
        .iter()
        .filter(|h| dir.base.migrations.iter().any(|b| b.id == h.id))
        .collect();
    let in_base: Vec<&Migration> = dir
        .base
        .migrations
        .iter()
        .filter(|b| in_head.iter().any(|h| h.id == b.id))
        .collect();
    let (h, b) = in_head.iter().zip(&in_base).find(|(h, b)| h.id != b.id)?;
    let (path, span) = h.meta.declared_in.clone()?;
    Some(
        Finding::new(
            "applied-migration-modified",
            Location::head(path, span),
            format!(
                "change {} was moved in the plan after it reached {target}: it now comes where {} was",
                h.name(),
                b.name()
            ),
        )
        .label("moved here")
        .help("sqitch deploys in plan order and a change ID includes the change before it: keep the plan's order and add new changes at the end"),
    )
}

/// The span of the first line where the head script differs from the base
/// script (each a span of its file, or the whole file); `None` when their
/// lines are the same or a text is missing.
fn first_difference(
    base: Option<&str>,
    base_span: Option<Range<usize>>,
    head: Option<&str>,
    head_span: Option<Range<usize>>,
) -> Option<Range<usize>> {
    let cut = |text: &str, span: &Option<Range<usize>>| -> (usize, String) {
        match span {
            Some(s) => (s.start, text.get(s.clone()).unwrap_or("").to_string()),
            None => (0, text.to_string()),
        }
    };
    let (_, base) = cut(base?, &base_span);
    let (mut offset, head) = cut(head?, &head_span);
    let mut base_lines = base.split_inclusive('\n');
    for line in head.split_inclusive('\n') {
        let content = line.trim_end_matches(['\r', '\n']);
        match base_lines.next() {
            Some(b) if b.trim_end_matches(['\r', '\n']) == content => offset += line.len(),
            _ => return Some(offset..offset + content.len()),
        }
    }
    // Lines removed at the end: point after the last line kept.
    base_lines.next().map(|_| offset..offset)
}
