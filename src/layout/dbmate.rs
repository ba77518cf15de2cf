//! dbmate: one file per migration directly in the directory, named
//! `<version>...sql` (leading digits are the version), with a
//! `-- migrate:up` section and a `-- migrate:down` section. Options follow
//! the directive (`-- migrate:up transaction:false`). Read as dbmate reads
//! it: the up section runs from its directive to the down directive, the
//! down section to the end of the file; nothing but comments may precede the
//! up directive.

use std::sync::OnceLock;

use regex::Regex;

use super::text::{is_blank_sql, lines};
use super::{direct, file_name};
use crate::error::Result;
use crate::plan::{Meta, Migration, MigrationKind, Plan, Script, Stray, Transaction, Version};
use crate::source::{FileEntry, Files};

/// Version and description of a dbmate file name (`^(\d+).*\.sql$`).
pub(super) fn parse_name(name: &str) -> Option<(&str, &str)> {
    let stem = name.strip_suffix(".sql")?;
    let digits = stem.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return None;
    }
    let rest = &stem[digits..];
    Some((
        &stem[..digits],
        rest.strip_prefix(['_', '-']).unwrap_or(rest),
    ))
}

fn up_directive() -> Option<&'static Regex> {
    static RE: OnceLock<Option<Regex>> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"(?m)^--\s*migrate:up(\s*$|\s+\S+)").ok())
        .as_ref()
}

fn down_directive() -> Option<&'static Regex> {
    static RE: OnceLock<Option<Regex>> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"(?m)^--\s*migrate:down(\s*$|\s+\S+)$").ok())
        .as_ref()
}

/// Whether a text has dbmate's up directive (for detection).
pub(super) fn has_up_directive(text: &str) -> bool {
    up_directive().is_some_and(|re| re.is_match(text))
}

/// The up and down sections of a dbmate file, as dbmate splits it.
pub(super) enum Sections {
    /// Up span, down span (if the directive is there), up options line.
    Ok {
        up: std::ops::Range<usize>,
        down: Option<std::ops::Range<usize>>,
        transaction: bool,
    },
    /// Why dbmate refuses the file.
    Refused(&'static str, &'static str),
}

pub(super) fn sections(text: &str) -> Sections {
    let (Some(up_re), Some(down_re)) = (up_directive(), down_directive()) else {
        return Sections::Refused("cannot read dbmate directives", "");
    };
    let Some(up) = up_re.find(text) else {
        return Sections::Refused(
            "it has no `-- migrate:up` section, so dbmate refuses it",
            "start the file with `-- migrate:up`, then the SQL, then `-- migrate:down`",
        );
    };
    let down = down_re.find(text).map(|m| m.start());
    if down.is_some_and(|d| d < up.start()) {
        return Sections::Refused(
            "its `-- migrate:down` section comes before `-- migrate:up`, so dbmate refuses it",
            "put the `-- migrate:up` section first",
        );
    }
    let before = &text[..up.start()];
    let stray_statement = lines(before).any(|l| {
        let t = l.text.trim();
        !t.is_empty() && !t.starts_with("--")
    });
    if stray_statement {
        return Sections::Refused(
            "it has SQL before `-- migrate:up`, which dbmate refuses",
            "move the SQL into the `-- migrate:up` section",
        );
    }
    let up_end = down.unwrap_or(text.len());
    let options_line = text[up.start()..up_end].lines().next().unwrap_or("");
    let transaction = !options_line
        .split_whitespace()
        .any(|opt| opt == "transaction:false");
    Sections::Ok {
        up: up.start()..up_end,
        down: down.map(|d| d..text.len()),
        transaction,
    }
}

pub(super) fn plan(dir: &str, entries: &[FileEntry], files: &Files) -> Result<Plan> {
    let mut migrations = Vec::new();
    let mut strays = Vec::new();
    for entry in direct(dir, entries) {
        let name = file_name(&entry.path);
        let Some((version, desc)) = parse_name(name) else {
            if name.ends_with(".sql") {
                strays.push(Stray::name(entry.clone(), super::Layout::Dbmate.pattern()));
            }
            continue;
        };
        let Ok(text) = files.text(entry)? else {
            // Not text: the syntax rule reports it on the whole file.
            migrations.push(whole_file(entry, version, desc));
            continue;
        };
        match sections(&text) {
            Sections::Refused(problem, advice) => {
                strays.push(Stray::problem(entry.clone(), None, problem, advice));
            }
            Sections::Ok {
                up,
                down,
                transaction,
            } => {
                // An empty down section is what `dbmate new` writes: no down.
                let down = down.filter(|d| !is_blank_sql(&text[d.clone()]));
                migrations.push(Migration {
                    id: version.to_string(),
                    version: Some(Version::parse(version)),
                    description: desc.to_string(),
                    kind: MigrationKind::Versioned,
                    up: Script::section(entry.clone(), up),
                    down: down.map(|d| Script::section(entry.clone(), d)),
                    meta: Meta {
                        // transaction:false sends the section in one call.
                        transaction: if transaction {
                            Transaction::Wrapped
                        } else {
                            Transaction::Implicit
                        },
                        ..Meta::default()
                    },
                });
            }
        }
    }
    super::number_duplicates(&mut migrations);
    Ok(Plan {
        dir: dir.to_string(),
        layout: super::Layout::Dbmate,
        migrations,
        strays,
    })
}

fn whole_file(entry: &FileEntry, version: &str, desc: &str) -> Migration {
    Migration {
        id: version.to_string(),
        version: Some(Version::parse(version)),
        description: desc.to_string(),
        kind: MigrationKind::Versioned,
        up: Script::whole(entry.clone()),
        down: None,
        meta: Meta::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_as_dbmate_splits_them() {
        let text = "-- create users\n-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY i ON t (a);\n\n-- migrate:down\nDROP INDEX i;\n";
        match sections(text) {
            Sections::Ok {
                up,
                down,
                transaction,
            } => {
                assert!(text[up].starts_with("-- migrate:up"));
                assert!(text[down.unwrap()].starts_with("-- migrate:down\nDROP"));
                assert!(!transaction);
            }
            Sections::Refused(p, _) => panic!("{p}"),
        }
        assert!(matches!(
            sections("CREATE TABLE a ();\n-- migrate:up\n"),
            Sections::Refused(..)
        ));
        assert!(matches!(
            sections("-- migrate:down\n-- migrate:up\n"),
            Sections::Refused(..)
        ));
        assert!(matches!(
            sections("CREATE TABLE a ();\n"),
            Sections::Refused(..)
        ));
    }
}
