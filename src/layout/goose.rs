//! goose: `<version>_<description>.sql` directly in the directory (sequential
//! `00001_...` or timestamp versions), with `-- +goose Up` and
//! `-- +goose Down` sections. `-- +goose StatementBegin` / `StatementEnd`
//! make their block one statement; `-- +goose NO TRANSACTION` runs the file
//! outside a transaction. Read as goose reads it: annotations are lines that
//! start with `--`; only comments may precede `-- +goose Up`.

use std::ops::Range;

use super::text::{is_blank_sql, lines};
use super::{direct, file_name};
use crate::error::Result;
use crate::plan::{Meta, Migration, MigrationKind, Plan, Script, Stray, Transaction, Version};
use crate::source::{FileEntry, Files};

/// Version and description of a goose file name: a positive integer, `_`,
/// the description. goose also runs `.go` migrations, which are not SQL.
pub(super) fn parse_name(name: &str) -> Option<(&str, &str)> {
    let stem = name.strip_suffix(".sql")?;
    let (version, desc) = stem.split_once('_')?;
    let valid = !version.is_empty()
        && version.bytes().all(|b| b.is_ascii_digit())
        && version.parse::<i64>().is_ok_and(|v| v > 0);
    valid.then_some((version, desc))
}

/// A goose annotation on a line, lower-cased (`up`, `down`,
/// `statementbegin`, `statementend`, `no transaction`, ...).
fn annotation(line: &str) -> Option<String> {
    let rest = line.strip_prefix("--")?.trim();
    let rest = rest.strip_prefix("+goose")?;
    if !rest.starts_with(char::is_whitespace) {
        return None;
    }
    Some(
        rest.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_ascii_lowercase(),
    )
}

/// Whether a text has goose's up annotation (for detection).
pub(super) fn has_up_annotation(text: &str) -> bool {
    lines(text).any(|l| annotation(l.text).as_deref() == Some("up"))
}

/// The parts of a goose file.
#[derive(Debug)]
pub(super) struct Sections {
    pub up: Range<usize>,
    pub down: Option<Range<usize>>,
    pub atomic: Vec<Range<usize>>,
    pub transaction: bool,
}

/// Splits a goose file; `Err` says why goose refuses it.
pub(super) fn sections(text: &str) -> std::result::Result<Sections, (&'static str, &'static str)> {
    let mut up: Option<usize> = None;
    let mut down: Option<usize> = None;
    let mut begin: Option<usize> = None;
    let mut atomic = Vec::new();
    let mut transaction = true;
    for line in lines(text) {
        match annotation(line.text).as_deref() {
            Some("up") => {
                if up.is_some() {
                    return Err((
                        "it has two `-- +goose Up` annotations, which goose refuses",
                        "keep one `-- +goose Up` and one `-- +goose Down`",
                    ));
                }
                up = Some(line.start);
            }
            Some("down") => {
                if up.is_none() {
                    return Err((
                        "its `-- +goose Down` comes before `-- +goose Up`, which goose refuses",
                        "put the `-- +goose Up` section first",
                    ));
                }
                down = Some(line.start);
            }
            Some("statementbegin") => begin = Some(line.next),
            Some("statementend") => {
                if let Some(start) = begin.take() {
                    atomic.push(start..line.start);
                }
            }
            Some("no transaction") => transaction = false,
            _ if up.is_none() => {
                let t = line.text.trim();
                if !t.is_empty() && !t.starts_with("--") {
                    return Err((
                        "it has SQL before `-- +goose Up`, which goose refuses",
                        "move the SQL below `-- +goose Up`",
                    ));
                }
            }
            _ => {}
        }
    }
    if begin.is_some() {
        return Err((
            "a `-- +goose StatementBegin` has no `-- +goose StatementEnd`, so goose refuses the file",
            "close the block with `-- +goose StatementEnd`",
        ));
    }
    let Some(up) = up else {
        return Err((
            "it has no `-- +goose Up` annotation, so goose refuses it",
            "start the migration with `-- +goose Up` (and `-- +goose Down` for its rollback)",
        ));
    };
    let up_end = down.unwrap_or(text.len());
    Ok(Sections {
        up: up..up_end,
        down: down.map(|d| d..text.len()),
        atomic,
        transaction,
    })
}

pub(super) fn plan(dir: &str, entries: &[FileEntry], files: &Files) -> Result<Plan> {
    let mut migrations = Vec::new();
    let mut strays = Vec::new();
    for entry in direct(dir, entries) {
        let name = file_name(&entry.path);
        let Some((version, desc)) = parse_name(name) else {
            if name.ends_with(".sql") {
                strays.push(Stray::name(entry.clone(), super::Layout::Goose.pattern()));
            }
            continue;
        };
        let mut migration = Migration {
            id: version.to_string(),
            version: Some(Version::parse(version)),
            description: desc.to_string(),
            kind: MigrationKind::Versioned,
            up: Script::whole(entry.clone()),
            down: None,
            meta: Meta {
                transaction: Transaction::Wrapped,
                ..Meta::default()
            },
        };
        let Ok(text) = files.text(entry)? else {
            migrations.push(migration);
            continue;
        };
        match sections(&text) {
            Err((problem, advice)) => {
                strays.push(Stray::problem(entry.clone(), None, problem, advice));
            }
            Ok(s) => {
                let within = |r: &Range<usize>, span: &Range<usize>| {
                    r.start >= span.start && r.end <= span.end
                };
                let mut up = Script::section(entry.clone(), s.up.clone());
                up.atomic = s
                    .atomic
                    .iter()
                    .filter(|a| within(a, &s.up))
                    .cloned()
                    .collect();
                migration.up = up;
                migration.down = s.down.filter(|d| !is_blank_sql(&text[d.clone()])).map(|d| {
                    let mut down = Script::section(entry.clone(), d.clone());
                    down.atomic = s.atomic.iter().filter(|a| within(a, &d)).cloned().collect();
                    down
                });
                if !s.transaction {
                    migration.meta.transaction = Transaction::Unwrapped;
                }
                migrations.push(migration);
            }
        }
    }
    super::number_duplicates(&mut migrations);
    Ok(Plan {
        dir: dir.to_string(),
        layout: super::Layout::Goose,
        migrations,
        strays,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(
            parse_name("00001_create_users.sql"),
            Some(("00001", "create_users"))
        );
        assert_eq!(
            parse_name("20240301120000_add_email.sql"),
            Some(("20240301120000", "add_email"))
        );
        assert_eq!(parse_name("0_zero.sql"), None);
        assert_eq!(parse_name("create_users.sql"), None);
    }

    #[test]
    fn statement_blocks_are_atomic() {
        let text = "-- +goose Up\n-- +goose StatementBegin\nCREATE FUNCTION f() RETURNS int AS $$\nBEGIN\n  RETURN 1;\nEND;\n$$ LANGUAGE plpgsql;\n-- +goose StatementEnd\n\n-- +goose Down\nDROP FUNCTION f();\n";
        let s = sections(text).unwrap();
        assert_eq!(s.atomic.len(), 1);
        assert!(text[s.atomic[0].clone()].starts_with("CREATE FUNCTION"));
        assert!(text[s.atomic[0].clone()].ends_with("plpgsql;\n"));
        assert!(text[s.down.unwrap()].contains("DROP FUNCTION"));
        assert!(s.transaction);
        assert!(
            !sections("-- +goose NO TRANSACTION\n-- +goose Up\nSELECT 1;\n")
                .unwrap()
                .transaction
        );
        assert!(sections("SELECT 1;\n-- +goose Up\n").is_err());
    }
}
