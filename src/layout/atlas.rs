//! Atlas's migration directory format: every `.sql` file directly in the
//! directory is a migration, run in file-name order, its version the name up
//! to the first `_`; `atlas.sum` holds the directory's integrity sums.
//! Atlas refuses a directory whose files do not match `atlas.sum`;
//! `verify_sum` computes the sums exactly as Atlas does (SHA-256 over each
//! file's name and bytes, cumulatively, base64) so that sqlgate reports the
//! same mismatch. Atlas also writes `atlas.sum` for the other formats it
//! generates (golang-migrate, goose, Flyway...), so it is verified wherever
//! it is.

use std::ops::Range;

use sha2::{Digest, Sha256};

use super::{direct, file_name};
use crate::error::Result;
use crate::plan::{
    Meta, Migration, MigrationKind, Plan, Script, Transaction, TransactionDirective, Version,
};
use crate::source::{join, FileEntry, Files};

/// The integrity file's name.
pub const SUM_FILE: &str = "atlas.sum";

pub(super) fn plan(dir: &str, entries: &[FileEntry], _files: &Files) -> Result<Plan> {
    let mut migrations = Vec::new();
    for entry in direct(dir, entries) {
        let name = file_name(&entry.path);
        let Some(stem) = name.strip_suffix(".sql") else {
            continue;
        };
        let (version, desc) = stem.split_once('_').unwrap_or((stem, ""));
        migrations.push(Migration {
            id: version.to_string(),
            version: Some(Version::parse(version)),
            description: desc.to_string(),
            kind: MigrationKind::Versioned,
            up: Script::whole(entry.clone()),
            down: None,
            meta: Meta {
                transaction: Transaction::Wrapped,
                transaction_directive: Some(TransactionDirective::AtlasTxModeNone),
                ..Meta::default()
            },
        });
    }
    super::number_duplicates(&mut migrations);
    Ok(Plan {
        dir: dir.to_string(),
        layout: super::Layout::Atlas,
        migrations,
        strays: Vec::new(),
    })
}

/// How a directory's files disagree with its `atlas.sum`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SumProblem {
    /// The directory has migrations but no `atlas.sum`.
    Missing,
    /// `atlas.sum` is not in Atlas's format (the line at `span`).
    Malformed,
    /// `atlas.sum`'s first line does not match its own entries: the file
    /// was edited by hand.
    Tampered,
    /// The file was edited after `atlas.sum` was written.
    Edited(String),
    /// The file is not in `atlas.sum`.
    Added(String),
    /// `atlas.sum` lists a file the directory no longer has.
    Removed(String),
}

/// A mismatch between a directory and its `atlas.sum`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SumMismatch {
    /// The `atlas.sum` path (where it is or would be).
    pub sum_path: String,
    /// What disagrees.
    pub problem: SumProblem,
    /// The line of `atlas.sum` concerned.
    pub sum_span: Range<usize>,
}

fn base64(bytes: &[u8]) -> String {
    const TABLE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(TABLE[(n >> (18 - 6 * i)) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Whether a file opts out of the sum with `atlas:sum ignore` on its first
/// line (Atlas's directive regex, anchored at the start of the file).
fn sum_ignored(bytes: &[u8]) -> bool {
    let first: Vec<u8> = bytes
        .iter()
        .copied()
        .take_while(|b| (0x20..=0x7e).contains(b))
        .collect();
    let line = String::from_utf8_lossy(&first);
    let Some(at) = line.rfind("atlas:") else {
        return false;
    };
    let rest = &line[at + "atlas:".len()..];
    let name_len = rest
        .bytes()
        .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
        .count();
    if &rest[..name_len] != "sum" {
        return false;
    }
    let args = &rest[name_len..];
    args.starts_with(' ') && args.trim_start_matches(' ') == "ignore"
}

/// The sums Atlas computes for files (name and bytes), in name order.
pub fn hash_files(files: &[(String, Vec<u8>)]) -> Vec<(String, String)> {
    let mut hasher = Sha256::new();
    let mut out = Vec::new();
    for (name, bytes) in files {
        hasher.update(name.as_bytes());
        if sum_ignored(bytes) {
            continue;
        }
        hasher.update(bytes);
        out.push((name.clone(), base64(&hasher.clone().finalize())));
    }
    out
}

/// The sum of a hash file's entries (its first line, without `h1:`).
fn sum_of(entries: &[(String, String)]) -> String {
    let mut hasher = Sha256::new();
    for (name, hash) in entries {
        hasher.update(name.as_bytes());
        hasher.update(hash.as_bytes());
    }
    base64(&hasher.finalize())
}

/// `atlas.sum`'s text for these entries, as `atlas migrate hash` writes it.
pub fn sum_file_text(entries: &[(String, String)]) -> String {
    let mut out = format!("h1:{}\n", sum_of(entries));
    for (name, hash) in entries {
        out.push_str(&format!("{name} h1:{hash}\n"));
    }
    out
}

/// Checks a directory against its `atlas.sum` as `atlas migrate validate`
/// does. `None` when they agree, or when there is neither a sum file nor a
/// migration.
pub fn verify_sum(files: &Files, dir: &str) -> Result<Option<SumMismatch>> {
    let entries = files.list(dir)?;
    let sum_path = join(dir, SUM_FILE);
    let mut sql: Vec<&FileEntry> = direct(dir, &entries)
        .filter(|e| e.path.ends_with(".sql"))
        .collect();
    sql.sort_by(|a, b| file_name(&a.path).cmp(file_name(&b.path)));
    let mismatch = |problem, sum_span| {
        Ok(Some(SumMismatch {
            sum_path: sum_path.clone(),
            problem,
            sum_span,
        }))
    };
    let Some(sum_entry) = entries.iter().find(|e| e.path == sum_path) else {
        return if sql.is_empty() {
            Ok(None)
        } else {
            mismatch(SumProblem::Missing, 0..0)
        };
    };
    let sum_text = match files.text(sum_entry)? {
        Ok(t) => t,
        Err(_) => return mismatch(SumProblem::Malformed, 0..0),
    };
    // Parse as Atlas does: the first line is the sum, every other line
    // `<name> h1:<hash>`.
    let mut lines = super::text::lines(&sum_text);
    let first = lines.next();
    let recorded_sum = first
        .as_ref()
        .map_or("", |l| l.text.strip_prefix("h1:").unwrap_or(l.text));
    let mut recorded: Vec<(String, String, Range<usize>)> = Vec::new();
    for line in lines {
        match line.text.split_once("h1:") {
            Some((name, hash)) => {
                recorded.push((name.trim().to_string(), hash.to_string(), line.span()))
            }
            None => return mismatch(SumProblem::Malformed, line.span()),
        }
    }
    let first_span = first.map_or(0..0, |l| l.span());
    let pairs: Vec<(String, String)> = recorded
        .iter()
        .map(|(n, h, _)| (n.clone(), h.clone()))
        .collect();
    if sum_of(&pairs) != recorded_sum {
        return mismatch(SumProblem::Tampered, first_span);
    }
    let mut contents = Vec::new();
    for entry in &sql {
        let bytes = match files.text(entry)? {
            Ok(text) => text.as_bytes().to_vec(),
            Err(_) => files.bytes(entry)?,
        };
        contents.push((file_name(&entry.path).to_string(), bytes));
    }
    let computed = hash_files(&contents);
    if sum_of(&computed) == recorded_sum {
        return Ok(None);
    }
    let recorded_names: Vec<&str> = recorded.iter().map(|(n, _, _)| n.as_str()).collect();
    let computed_names: Vec<&str> = computed.iter().map(|(n, _)| n.as_str()).collect();
    let span_of = |name: &str| {
        recorded
            .iter()
            .find(|(n, _, _)| n == name)
            .map_or(first_span.clone(), |(_, _, s)| s.clone())
    };
    for i in 0..computed.len().max(recorded.len()) {
        match (computed.get(i), recorded.get(i)) {
            (Some((cn, ch)), Some((rn, rh, span))) if cn == rn => {
                if ch != rh {
                    return mismatch(SumProblem::Edited(cn.clone()), span.clone());
                }
            }
            (Some((cn, _)), _) if !recorded_names.contains(&cn.as_str()) => {
                return mismatch(SumProblem::Added(cn.clone()), first_span);
            }
            (_, Some((rn, _, span))) if !computed_names.contains(&rn.as_str()) => {
                return mismatch(SumProblem::Removed(rn.clone()), span.clone());
            }
            (Some((cn, _)), _) => return mismatch(SumProblem::Edited(cn.clone()), span_of(cn)),
            (None, _) => break,
        }
    }
    mismatch(SumProblem::Tampered, first_span)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_pads_like_go() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    }

    #[test]
    fn sums_are_cumulative_and_ignore_directive_skips_content() {
        let a = hash_files(&[("1_a.sql".into(), b"CREATE TABLE a (id int);\n".to_vec())]);
        let ab = hash_files(&[
            ("1_a.sql".into(), b"CREATE TABLE a (id int);\n".to_vec()),
            ("2_b.sql".into(), b"CREATE TABLE b (id int);\n".to_vec()),
        ]);
        assert_eq!(a[0], ab[0]);
        assert_ne!(ab[0].1, ab[1].1);
        let ignored = hash_files(&[(
            "1_a.sql".into(),
            b"-- atlas:sum ignore\nSELECT 1;\n".to_vec(),
        )]);
        assert!(ignored.is_empty());
        assert!(sum_file_text(&ab).starts_with("h1:"));
    }
}
