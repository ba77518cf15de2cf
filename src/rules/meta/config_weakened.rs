//! `config-weakened`: a change to `.sqlgate.yml` that switches a rule off,
//! lowers its level, stops checking a migration directory, changes the
//! dialect, a layout, an environment, or removes or changes any other
//! setting. The check of the change itself runs with the base's
//! configuration; this rule shows reviewers what the change would make of
//! the gate for every change after it.

use std::ops::Range;

use serde_yaml::Value;

use crate::config::{Config, Level};
use crate::error::Error;
use crate::finding::{Finding, Location};
use crate::rules::{default_severity, ids, ConfigChange, Context};

const ID: &str = "config-weakened";

/// Top-level keys compared by meaning; every other key is compared as YAML.
const TYPED_KEYS: &[&str] = &["dialect", "trunk", "migrations", "environments", "rules"];

/// Where a setting is written: a top-level key and a word in its block.
struct Spot {
    section: String,
    needle: Option<String>,
}

impl Spot {
    fn key(section: &str) -> Spot {
        Spot {
            section: section.to_string(),
            needle: None,
        }
    }

    fn inside(section: &str, needle: impl Into<String>) -> Spot {
        Spot {
            section: section.to_string(),
            needle: Some(needle.into()),
        }
    }
}

/// One way the change weakens the configuration.
struct Weakening {
    /// What the change does, after "this change ".
    what: String,
    /// Where it is written.
    spot: Spot,
    /// The base's setting, for the label in the base's file.
    was: String,
}

/// Compares the base's and the head's configuration files.
pub fn check(ctx: &Context) -> Vec<Finding> {
    let Some(change) = &ctx.config_change else {
        return Vec::new();
    };
    let head = match &change.head {
        Ok(head) => head,
        Err(e) => return vec![unparsable(change, e)],
    };
    let base = &change.base;
    let mut found = Vec::new();
    scalars(base, head, &mut found);
    rules(base, head, &ctx.target_name, &mut found);
    directories(base, head, &mut found);
    environments(base, head, &mut found);
    untyped(change, &mut found);
    found
        .into_iter()
        .map(|w| finding(change, w, &ctx.target_name))
        .collect()
}

fn scalars(base: &Config, head: &Config, out: &mut Vec<Weakening>) {
    if base.dialect != head.dialect {
        out.push(Weakening {
            what: format!(
                "switches `dialect` from {} to {}: every migration is parsed and checked as {}",
                base.dialect.name(),
                head.dialect.name(),
                head.dialect.name()
            ),
            spot: Spot::key("dialect"),
            was: format!("dialect {}", base.dialect.name()),
        });
    }
    if let Some(trunk) = &base.trunk {
        if head.trunk.as_ref() != Some(trunk) {
            out.push(Weakening {
                what: match &head.trunk {
                    Some(new) => format!("switches `trunk` from {trunk} to {new}"),
                    None => format!("removes `trunk` ({trunk})"),
                },
                spot: Spot::key("trunk"),
                was: format!("trunk {trunk}"),
            });
        }
    }
}

fn rank(level: Level) -> u8 {
    match level {
        Level::Off => 0,
        Level::Warning => 1,
        Level::Error => 2,
    }
}

fn level_name(level: Level) -> &'static str {
    match level {
        Level::Off => "off",
        Level::Warning => "warning",
        Level::Error => "error",
    }
}

fn rules(base: &Config, head: &Config, target: &str, out: &mut Vec<Weakening>) {
    for id in ids() {
        let Some(default) = default_severity(id) else {
            continue;
        };
        let (was, now) = (base.level(id, default), head.level(id, default));
        if rank(now) >= rank(was) {
            continue;
        }
        let what = if now == Level::Off {
            format!("turns `{id}` off ({} on {target})", level_name(was))
        } else {
            format!(
                "lowers `{id}` from {} to {}",
                level_name(was),
                level_name(now)
            )
        };
        out.push(Weakening {
            what,
            spot: Spot::inside("rules", format!("{id}:")),
            was: format!("{id}: {}", level_name(was)),
        });
    }
}

fn directories(base: &Config, head: &Config, out: &mut Vec<Weakening>) {
    for dir in &base.migrations {
        let spot = || Spot::inside("migrations", dir.dir.clone());
        let Some(now) = head.migrations.iter().find(|m| m.dir == dir.dir) else {
            out.push(Weakening {
                what: format!("no longer lists `{}` under `migrations:`", dir.dir),
                spot: spot(),
                was: format!("{} is listed", dir.dir),
            });
            continue;
        };
        if now.layout != dir.layout {
            out.push(Weakening {
                what: format!(
                    "switches the layout of `{}` from {} to {}",
                    dir.dir, dir.layout, now.layout
                ),
                spot: spot(),
                was: format!("layout {}", dir.layout),
            });
        }
        let dropped = match (dir.require_down, now.require_down) {
            (Some(true), n) => n != Some(true),
            (None, n) => n == Some(false),
            (Some(false), _) => false,
        };
        if dropped {
            out.push(Weakening {
                what: format!("no longer requires down scripts in `{}`", dir.dir),
                spot: spot(),
                was: match dir.require_down {
                    Some(true) => "require_down: true".to_string(),
                    _ => "down scripts as the layout expects".to_string(),
                },
            });
        }
    }
}

fn environments(base: &Config, head: &Config, out: &mut Vec<Weakening>) {
    for env in &base.environments {
        let what = match head.environments.iter().find(|e| e.name == env.name) {
            None => format!("removes environment `{}`", env.name),
            Some(now) if now != env => format!("alters environment `{}`", env.name),
            Some(_) => continue,
        };
        out.push(Weakening {
            what,
            spot: Spot::inside("environments", env.name.clone()),
            was: format!("environment {}", env.name),
        });
    }
}

/// Every other setting, compared as YAML: removing or changing one may
/// relax a check; adding one is not reported.
fn untyped(change: &ConfigChange, out: &mut Vec<Weakening>) {
    let parse = |text: &Option<std::sync::Arc<str>>| {
        text.as_deref()
            .and_then(|t| serde_yaml::from_str::<Value>(t.trim_start_matches('\u{feff}')).ok())
            .unwrap_or(Value::Null)
    };
    let (base, head) = (parse(&change.base_text), parse(&change.head_text));
    let Value::Mapping(base_map) = &base else {
        return;
    };
    for (key, value) in base_map {
        let Some(name) = key.as_str() else { continue };
        if TYPED_KEYS.contains(&name) {
            continue;
        }
        let mut path = vec![name.to_string()];
        compare(value, head.get(name), &mut path, out);
    }
}

fn compare(base: &Value, head: Option<&Value>, path: &mut Vec<String>, out: &mut Vec<Weakening>) {
    let dotted = path.join(".");
    let spot = || match path.as_slice() {
        [section] => Spot::key(section),
        [section, .., last] => Spot::inside(section, format!("{last}:")),
        [] => Spot::key(""),
    };
    match (base, head) {
        (_, None) => out.push(Weakening {
            what: format!("removes `{dotted}`"),
            spot: spot(),
            was: format!("{dotted} is set"),
        }),
        (Value::Mapping(b), Some(Value::Mapping(h))) => {
            for (key, value) in b {
                let Some(name) = key.as_str() else { continue };
                path.push(name.to_string());
                compare(value, h.get(name), path, out);
                path.pop();
            }
        }
        (b, Some(h)) if b != h => out.push(Weakening {
            what: format!("alters `{dotted}`"),
            spot: spot(),
            was: format!("{dotted} as before"),
        }),
        _ => {}
    }
}

fn finding(change: &ConfigChange, w: Weakening, target: &str) -> Finding {
    let path = &change.path;
    let in_base = change.base_text.as_deref().and_then(|t| locate(t, &w.spot));
    let (location, label) = match change.head_text.as_deref() {
        Some(text) => (
            Location::head(path, locate(text, &w.spot).unwrap_or(0..0)),
            "set here",
        ),
        None => (
            Location::base(path, in_base.clone().unwrap_or(0..0)),
            "deleted with the file",
        ),
    };
    let mut f = Finding::new(ID, location, format!("this change {}", w.what))
        .label(label)
        .help(format!(
            "this change is still checked with the configuration of {target}, but every change \
             after the merge is checked with the new one: reviewers, make sure it is meant"
        ));
    if let (Some(span), Some(_)) = (in_base, change.head_text.as_deref()) {
        f = f.with(Location::base(path, span), format!("{} on {target}", w.was));
    }
    f
}

fn unparsable(change: &ConfigChange, error: &Error) -> Finding {
    let path = &change.path;
    let line = error
        .message
        .strip_prefix(&format!("{path}:"))
        .and_then(|rest| rest.split(':').next())
        .and_then(|n| n.parse::<usize>().ok());
    let span = match (change.head_text.as_deref(), line) {
        (Some(text), Some(line)) => line_span(text, line).unwrap_or(0..0),
        _ => 0..0,
    };
    let after = "after the merge every sqlgate check would stop here (exit 2) until it parses";
    Finding::new(
        ID,
        Location::head(path, span),
        format!("this change leaves {path} unreadable: {}", error.message),
    )
    .label("does not parse")
    .help(match &error.help {
        Some(help) => format!("{help}; {after}"),
        None => format!("fix it: {after}"),
    })
}

/// The byte span of a 1-based line, without its line break.
fn line_span(text: &str, line: usize) -> Option<Range<usize>> {
    let mut start = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            let content = l.trim_end_matches(['\n', '\r']);
            return Some(start..start + content.len());
        }
        start += l.len();
    }
    None
}

/// Where a setting is written: the first line of the section's block that
/// holds the needle (from the needle to the end of the line, without a
/// trailing comment), or the section's own line.
fn locate(text: &str, spot: &Spot) -> Option<Range<usize>> {
    let mut offset = 0;
    let mut section_line = None;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let bom = if start == 0 && line.starts_with('\u{feff}') {
            '\u{feff}'.len_utf8()
        } else {
            0
        };
        let content = line[bom..].trim_end_matches(['\n', '\r']);
        let trimmed = content.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let indent = content.len() - trimmed.len();
        let base = start + bom;
        if indent == 0 {
            if section_line.is_some() {
                break;
            }
            if !trimmed.starts_with(&format!("{}:", spot.section)) {
                continue;
            }
            section_line = Some(base..base + value_end(content));
        } else if section_line.is_none() {
            continue;
        }
        let Some(needle) = &spot.needle else {
            break;
        };
        if let Some(at) = content.find(needle.as_str()) {
            let end = value_end(content).max(at + needle.len());
            return Some(base + at..base + end);
        }
    }
    section_line
}

/// The length of a YAML line without its trailing comment and spaces.
fn value_end(content: &str) -> usize {
    let cut = content.find(" #").unwrap_or(content.len());
    content[..cut].trim_end().len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locate_finds_a_rule_inside_its_section_and_skips_comments() {
        let text = "# rules below\nversion-order: x\nrules:\n  # version-order: off\n  version-order: off  # why\nnaming:\n  index: x\n";
        let span = locate(text, &Spot::inside("rules", "version-order:")).unwrap();
        assert_eq!(&text[span], "version-order: off");
        let span = locate(text, &Spot::key("naming")).unwrap();
        assert_eq!(&text[span], "naming:");
        assert_eq!(
            locate(text, &Spot::inside("rules", "missing-down:")),
            Some(locate(text, &Spot::key("rules")).unwrap())
        );
        assert_eq!(locate(text, &Spot::key("dialect")), None);
    }

    #[test]
    fn line_span_is_the_line_without_its_break() {
        let text = "a: 1\r\nb: 2\n";
        assert_eq!(line_span(text, 2), Some(6..10));
        assert_eq!(line_span(text, 3), None);
    }
}
