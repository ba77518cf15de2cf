//! sqitch: `sqitch.plan` lists the changes in deploy order, each with its
//! `[dependencies]`, planner and note; `@tag` lines tag the change before
//! them. Each change has `deploy/<change>.sql`, `revert/<change>.sql` (its
//! down) and `verify/<change>.sql`. A change named again after a tag is
//! reworked: its earlier instance runs the scripts saved as
//! `deploy/<change>@<tag>.sql`. Order comes from the plan, never from file
//! names; sqitch identifies a change by its plan entry (name, dependencies,
//! planner, time, note, and the change before it). As sqitch reads it, a
//! note starts at `#` even right after the planner's `<email>`.

use std::collections::BTreeSet;
use std::ops::Range;

use super::text::{lines, regex};
use crate::error::Result;
use crate::plan::{Meta, Migration, MigrationKind, MoreMeta, Plan, Script, Stray, Transaction};
use crate::source::{join, FileEntry, Files};

/// The plan file's name.
pub(super) const PLAN_FILE: &str = "sqitch.plan";

/// One change line of the plan.
#[derive(Clone, Debug)]
struct Change {
    name: String,
    dependencies: Vec<String>,
    planner: String,
    note: String,
    line: Range<usize>,
    text: String,
    /// Tags that follow it (before the next change).
    tags: Vec<String>,
}

/// What `sqitch.plan` says: pragmas, changes and tags in order, and the
/// lines sqitch could not read.
struct Parsed {
    pragmas: Vec<String>,
    changes: Vec<Change>,
    unreadable: Vec<Range<usize>>,
}

fn parse(text: &str) -> Parsed {
    let mut parsed = Parsed {
        pragmas: Vec::new(),
        changes: Vec::new(),
        unreadable: Vec::new(),
    };
    let (Some(change_re), Some(tag_re)) = (
        regex!(
            r"^\s*[+-]?\s*([^\s@#\[\]:\\][^\s@#\[\]:\\]*)(?:\s+\[([^\]]*)\])?\s+(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)\s+(.+?)\s+<([^>]*)>(?:\s*#\s?(.*))?$"
        ),
        regex!(
            r"^\s*@(\S+)\s+(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)\s+(.+?)\s+<([^>]*)>(?:\s*#\s?(.*))?$"
        ),
    ) else {
        return parsed;
    };
    for line in lines(text) {
        let t = line.text.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        if t.starts_with('%') {
            parsed.pragmas.push(t.to_string());
            continue;
        }
        if let Some(caps) = tag_re.captures(line.text) {
            if let Some(last) = parsed.changes.last_mut() {
                last.tags
                    .push(caps.get(1).map_or("", |m| m.as_str()).to_string());
            }
            continue;
        }
        if let Some(caps) = change_re.captures(line.text) {
            let get = |i| {
                caps.get(i)
                    .map_or("", |m: regex::Match| m.as_str())
                    .to_string()
            };
            parsed.changes.push(Change {
                name: get(1),
                dependencies: get(2).split_whitespace().map(str::to_string).collect(),
                planner: format!("{} <{}>", get(4), get(5)),
                note: get(6),
                line: line.span(),
                text: t.to_string(),
                tags: Vec::new(),
            });
            continue;
        }
        parsed.unreadable.push(line.span());
    }
    parsed
}

pub(super) fn plan(dir: &str, entries: &[FileEntry], files: &Files) -> Result<Plan> {
    let plan_path = join(dir, PLAN_FILE);
    let mut migrations = Vec::new();
    let mut strays = Vec::new();
    let Some(plan_entry) = entries.iter().find(|e| e.path == plan_path) else {
        for entry in entries.iter().filter(|e| is_script(dir, e)) {
            strays.push(Stray::problem(
                entry.clone(),
                None,
                format!("there is no {plan_path}, so sqitch never deploys it"),
                "add the change to sqitch.plan (`sqitch add`)",
            ));
        }
        return Ok(empty(dir, strays));
    };
    let Ok(text) = files.text(plan_entry)? else {
        return Ok(empty(dir, strays));
    };
    let parsed = parse(&text);
    for span in &parsed.unreadable {
        strays.push(Stray::problem(
            plan_entry.clone(),
            Some(span.clone()),
            "sqitch cannot read this plan line",
            "write changes as `name [dependencies] 2024-01-02T03:04:05Z Planner <email> # note` and tags as `@tag ...`",
        ));
    }
    let find = |path: String| entries.iter().find(|e| e.path == path).cloned();
    let script = |kind: &str, name: &str| find(join(dir, &format!("{kind}/{name}.sql")));
    let mut used: BTreeSet<String> = BTreeSet::new();
    let mut provided: BTreeSet<String> = BTreeSet::new();
    let mut tags_so_far: BTreeSet<String> = BTreeSet::new();
    let pragmas = parsed.pragmas.join("\n");
    for (index, change) in parsed.changes.iter().enumerate() {
        let later = parsed.changes[index + 1..]
            .iter()
            .position(|c| c.name == change.name);
        let occurrence = parsed.changes[..index]
            .iter()
            .filter(|c| c.name == change.name)
            .count();
        if occurrence > 0 {
            // A rework needs a tag between the two instances.
            let previous = parsed.changes[..index]
                .iter()
                .rposition(|c| c.name == change.name)
                .unwrap_or(0);
            let tagged = parsed.changes[previous..index]
                .iter()
                .any(|c| !c.tags.is_empty());
            if !tagged {
                strays.push(Stray::problem(
                    plan_entry.clone(),
                    Some(change.line.clone()),
                    format!(
                        "change {} is already in the plan with no tag since, which sqitch refuses",
                        change.name
                    ),
                    "tag the plan (`sqitch tag`) before reworking a change (`sqitch rework`)",
                ));
            }
        }
        // The earlier instance of a reworked change runs the scripts saved
        // under the first tag after it that has them.
        let (suffix, identity) = match later {
            Some(offset) => {
                let tags: Vec<&String> = parsed.changes[index..=index + offset]
                    .iter()
                    .flat_map(|c| c.tags.iter())
                    .collect();
                let tag = tags
                    .iter()
                    .find(|t| script("deploy", &format!("{}@{}", change.name, t)).is_some())
                    .or(tags.first())
                    .map(|t| t.to_string());
                match tag {
                    Some(t) => (format!("@{t}"), format!("{}@{t}", change.name)),
                    None => (String::new(), change.name.clone()),
                }
            }
            None => (String::new(), change.name.clone()),
        };
        let file_name = format!("{}{suffix}", change.name);
        for kind in ["deploy", "revert", "verify"] {
            used.insert(join(dir, &format!("{kind}/{file_name}.sql")));
        }
        for dependency in &change.dependencies {
            let (conflict, dep) = match dependency.strip_prefix('!') {
                Some(d) => (true, d),
                None => (false, dependency.as_str()),
            };
            // Dependencies on other projects (`project:change`) are not in
            // this plan.
            if conflict || dep.contains(':') {
                continue;
            }
            let known = match dep.split_once('@') {
                Some((name, tag)) => provided.contains(name) && tags_so_far.contains(tag),
                None => provided.contains(dep),
            };
            if !known {
                strays.push(Stray::problem(
                    plan_entry.clone(),
                    Some(change.line.clone()),
                    format!("change {} requires {dep}, which no earlier change of the plan provides, so sqitch refuses to deploy it", change.name),
                    format!("add {dep} before {} in sqitch.plan, or fix the dependency", change.name),
                ));
            }
        }
        provided.insert(change.name.clone());
        tags_so_far.extend(change.tags.iter().cloned());
        let Some(deploy) = script("deploy", &file_name) else {
            strays.push(Stray::problem(
                plan_entry.clone(),
                Some(change.line.clone()),
                format!("change {identity} has no deploy/{file_name}.sql, so sqitch cannot deploy it"),
                format!("add deploy/{file_name}.sql (`sqitch add` writes deploy, revert and verify scripts)"),
            ));
            continue;
        };
        let id = if occurrence == 0 {
            change.name.clone()
        } else {
            format!("{}#{}", change.name, occurrence + 1)
        };
        migrations.push(Migration {
            id,
            version: None,
            description: change.note.clone(),
            kind: MigrationKind::Versioned,
            up: Script::whole(deploy),
            down: script("revert", &file_name).map(Script::whole),
            meta: Meta {
                name: Some(identity.clone()),
                transaction: Transaction::Unwrapped,
                // The change ID hashes the project and the whole entry.
                checksum: Some(format!("{pragmas}\n{}", change.text)),
                ..Meta::default()
            }
            .with(MoreMeta {
                identity: Some(identity),
                author: Some(change.planner.clone()),
                requires: change
                    .dependencies
                    .iter()
                    .filter(|d| !d.starts_with('!'))
                    .cloned()
                    .collect(),
                conflicts: change
                    .dependencies
                    .iter()
                    .filter_map(|d| d.strip_prefix('!'))
                    .map(str::to_string)
                    .collect(),
                tags: change.tags.clone(),
                declared_in: Some((plan_path.clone(), change.line.clone())),
                verify: script("verify", &file_name),
                ..MoreMeta::default()
            }),
        });
    }
    for entry in entries.iter().filter(|e| is_script(dir, e)) {
        if !used.contains(&entry.path) {
            strays.push(Stray::problem(
                entry.clone(),
                None,
                "no change of sqitch.plan has this name, so sqitch never runs it",
                "add the change to sqitch.plan, or name the script after its change",
            ));
        }
    }
    Ok(Plan {
        dir: dir.to_string(),
        layout: super::Layout::Sqitch,
        migrations,
        strays,
    })
}

/// A `.sql` file in the `deploy`, `revert` or `verify` directory.
fn is_script(dir: &str, entry: &FileEntry) -> bool {
    let rest = if dir.is_empty() {
        entry.path.as_str()
    } else {
        match entry
            .path
            .strip_prefix(dir)
            .and_then(|r| r.strip_prefix('/'))
        {
            Some(rest) => rest,
            None => return false,
        }
    };
    rest.ends_with(".sql")
        && ["deploy/", "revert/", "verify/"]
            .iter()
            .any(|d| rest.starts_with(d))
}

fn empty(dir: &str, strays: Vec<Stray>) -> Plan {
    Plan {
        dir: dir.to_string(),
        layout: super::Layout::Sqitch,
        migrations: Vec::new(),
        strays,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plan_lines() {
        let text = "%syntax-version=1.0.0\n%project=flipr\n\nappschema 2024-01-02T10:00:00Z Marge N. O'Vera <marge@example.com> # App schema\nusers [appschema] 2024-01-03T10:00:00Z Marge N. O'Vera <marge@example.com> # Users\n@v1.0 2024-01-04T10:00:00Z Marge N. O'Vera <marge@example.com> # Tag v1.0\n\nusers [users@v1.0] 2024-02-01T10:00:00Z Marge N. O'Vera <marge@example.com> # Users get emails\nnot a plan line\n";
        let p = parse(text);
        assert_eq!(p.pragmas.len(), 2);
        assert_eq!(p.changes.len(), 3);
        assert_eq!(p.changes[1].dependencies, vec!["appschema"]);
        assert_eq!(p.changes[1].tags, vec!["v1.0"]);
        assert_eq!(p.changes[2].dependencies, vec!["users@v1.0"]);
        assert_eq!(p.changes[0].note, "App schema");
        assert_eq!(p.unreadable.len(), 1);
    }
}
