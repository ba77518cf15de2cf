//! The baseline: the findings a repository already had when it adopted
//! sqlgate, kept in `.sqlgate-baseline.json` so that `check` and `lint`
//! report only new ones. A finding is known by its rule, its migration
//! (directory and migration id) and a fingerprint of the statement it points
//! at, taken over the statement's text without comments and with whitespace
//! collapsed: lines added above it, re-indentation and CRLF do not change
//! it, an edit of the statement does. A finding that points at no statement
//! (a missing down script) is fingerprinted by its whole migration.
//!
//! This step receives findings and their keys; it never reads SQL or git.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::finding::Finding;

/// Where the baseline is kept when the configuration does not say.
pub const DEFAULT_PATH: &str = ".sqlgate-baseline.json";

/// The format version written in the file.
const FORMAT: u32 = 1;

/// What identifies a finding across edits that do not change its substance.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Key {
    /// The rule id.
    pub rule: String,
    /// The migration directory, relative to the repository root.
    pub dir: String,
    /// The migration's id in its directory (its version for most layouts),
    /// or the file name of a file that is no migration.
    pub migration: String,
    /// Hash of the statement (or migration) text, normalised.
    pub fingerprint: String,
}

/// One baselined finding, with how many identical ones there are.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// The rule id.
    pub rule: String,
    /// The migration directory.
    pub dir: String,
    /// The migration id.
    pub migration: String,
    /// The statement's fingerprint.
    pub fingerprint: String,
    /// How many findings share this key (the same statement twice).
    #[serde(default = "one")]
    pub count: usize,
    /// The file, for people reading the baseline; not used to match.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub path: String,
    /// The message, for people reading the baseline; not used to match.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub message: String,
}

fn one() -> usize {
    1
}

impl Entry {
    fn key(&self) -> Key {
        Key {
            rule: self.rule.clone(),
            dir: self.dir.clone(),
            migration: self.migration.clone(),
            fingerprint: self.fingerprint.clone(),
        }
    }
}

/// The baseline file's content.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    /// The format version.
    #[serde(default)]
    pub version: u32,
    /// The baselined findings, sorted by path, rule and key.
    #[serde(default)]
    pub findings: Vec<Entry>,
}

/// What `sqlgate baseline` changed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Update {
    /// Findings in the baseline after the update.
    pub total: usize,
    /// Findings recorded that were not in it before.
    pub added: usize,
    /// Findings dropped because they no longer exist.
    pub dropped: usize,
}

impl Baseline {
    /// Parses a baseline file; `origin` names it in messages.
    pub fn parse(text: &str, origin: &str) -> Result<Baseline> {
        let baseline: Baseline = serde_json::from_str(text).map_err(|e| {
            Error::new(format!(
                "{origin}:{}: not a sqlgate baseline: {e}",
                e.line()
            ))
            .with_help("write it again with `sqlgate baseline`")
        })?;
        if baseline.version != FORMAT {
            return Err(Error::new(format!(
                "{origin}: baseline format {} is not known to this sqlgate (it reads format {FORMAT})",
                baseline.version
            ))
            .with_help("write it again with `sqlgate baseline`, or upgrade sqlgate"));
        }
        Ok(baseline)
    }

    /// The file's text: pretty JSON, one entry per finding, sorted so that
    /// a re-run changes only the lines of findings that changed.
    pub fn render(&self) -> String {
        let mut sorted = self.clone();
        sorted.version = FORMAT;
        sorted
            .findings
            .sort_by(|a, b| (&a.path, &a.rule, a.key()).cmp(&(&b.path, &b.rule, b.key())));
        let mut text = serde_json::to_string_pretty(&sorted).unwrap_or_default();
        text.push('\n');
        text
    }

    /// Removes the findings the baseline holds (each entry at most `count`
    /// times); `keys[i]` is the key of `findings[i]`. Returns the findings
    /// kept, with their keys, and how many were baselined.
    pub fn filter(
        &self,
        findings: Vec<Finding>,
        keys: Vec<Key>,
    ) -> (Vec<Finding>, Vec<Key>, usize) {
        let mut budget: BTreeMap<Key, usize> = BTreeMap::new();
        for e in &self.findings {
            *budget.entry(e.key()).or_default() += e.count;
        }
        let mut kept = Vec::new();
        let mut kept_keys = Vec::new();
        let mut baselined = 0;
        for (finding, key) in findings.into_iter().zip(keys) {
            match budget.get_mut(&key) {
                Some(n) if *n > 0 => {
                    *n -= 1;
                    baselined += 1;
                }
                _ => {
                    kept.push(finding);
                    kept_keys.push(key);
                }
            }
        }
        (kept, kept_keys, baselined)
    }

    /// The entries for a list of findings and their keys.
    pub fn record(findings: &[Finding], keys: &[Key]) -> Vec<Entry> {
        let mut by_key: BTreeMap<&Key, Entry> = BTreeMap::new();
        for (finding, key) in findings.iter().zip(keys) {
            by_key
                .entry(key)
                .and_modify(|e| e.count += 1)
                .or_insert_with(|| Entry {
                    rule: key.rule.clone(),
                    dir: key.dir.clone(),
                    migration: key.migration.clone(),
                    fingerprint: key.fingerprint.clone(),
                    count: 1,
                    path: finding.location.path.clone(),
                    message: finding.message.clone(),
                });
        }
        by_key.into_values().collect()
    }

    /// The baseline after a run that found `today` where it looked; `covered`
    /// says whether an entry is in what the run looked at (its directories,
    /// or its files), and entries outside it are kept as they are. Without
    /// `prune`, the covered entries become today's findings; with `prune`,
    /// they only shrink to what still matches, and nothing is added.
    pub fn update(
        self,
        today: Vec<Entry>,
        covered: &dyn Fn(&Entry) -> bool,
        prune: bool,
    ) -> (Baseline, Update) {
        let mut before: BTreeMap<Key, usize> = BTreeMap::new();
        let mut findings = Vec::new();
        for e in self.findings {
            if covered(&e) {
                *before.entry(e.key()).or_default() += e.count;
            } else {
                findings.push(e);
            }
        }
        let mut update = Update::default();
        let mut matched: BTreeMap<Key, usize> = BTreeMap::new();
        for mut e in today {
            let had = before.get(&e.key()).copied().unwrap_or(0);
            let keep = if prune { e.count.min(had) } else { e.count };
            update.added += keep.saturating_sub(had);
            *matched.entry(e.key()).or_default() += keep;
            if keep > 0 {
                e.count = keep;
                findings.push(e);
            }
        }
        for (key, had) in before {
            update.dropped += had.saturating_sub(matched.get(&key).copied().unwrap_or(0));
        }
        update.total = findings.iter().map(|e| e.count).sum();
        (
            Baseline {
                version: FORMAT,
                findings,
            },
            update,
        )
    }
}

/// The fingerprint of normalised text: 64-bit FNV-1a, in hex. Stable across
/// platforms and sqlgate versions, since baselines are committed.
pub fn fingerprint(normalized: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in normalized.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{hash:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Location;

    fn key(rule: &str, migration: &str, fp: &str) -> Key {
        Key {
            rule: rule.into(),
            dir: "db".into(),
            migration: migration.into(),
            fingerprint: fp.into(),
        }
    }

    fn finding(rule: &str) -> Finding {
        Finding::new(rule, Location::head("db/1.sql", 0..0), "m")
    }

    #[test]
    fn fingerprint_is_stable() {
        assert_eq!(fingerprint(""), "cbf29ce484222325");
        assert_eq!(fingerprint("a"), "af63dc4c8601ec8c");
    }

    #[test]
    fn filter_drops_each_entry_at_most_count_times() {
        let keys = vec![key("r", "1", "x"), key("r", "1", "x"), key("r", "2", "y")];
        let findings = vec![finding("r"), finding("r"), finding("r")];
        let baseline = Baseline {
            version: FORMAT,
            findings: Baseline::record(&findings[..1], &keys[..1]),
        };
        let (kept, kept_keys, n) = baseline.filter(findings, keys);
        assert_eq!(n, 1);
        assert_eq!(kept.len(), 2);
        assert_eq!(kept_keys[1].migration, "2");
    }

    #[test]
    fn prune_shrinks_and_never_adds() {
        let old = Baseline {
            version: FORMAT,
            findings: Baseline::record(
                &[finding("r"), finding("r")],
                &[key("r", "1", "x"), key("r", "2", "y")],
            ),
        };
        let today = Baseline::record(
            &[finding("r"), finding("r")],
            &[key("r", "1", "x"), key("r", "3", "z")],
        );
        let (pruned, update) = old.clone().update(today.clone(), &|_| true, true);
        assert_eq!(pruned.findings.len(), 1);
        assert_eq!(
            update,
            Update {
                total: 1,
                added: 0,
                dropped: 1
            }
        );
        let (rewritten, update) = old.update(today, &|_| true, false);
        assert_eq!(rewritten.findings.len(), 2);
        assert_eq!(update.added, 1);
        assert_eq!(update.dropped, 1);
    }

    #[test]
    fn entries_of_directories_not_linted_are_kept() {
        let old = Baseline {
            version: FORMAT,
            findings: Baseline::record(&[finding("r")], &[key("r", "1", "x")]),
        };
        let (new, update) = old.update(Vec::new(), &|e| e.dir != "db", false);
        assert_eq!(new.findings.len(), 1);
        assert_eq!(update.dropped, 0);
    }

    #[test]
    fn render_then_parse_round_trips() {
        let b = Baseline {
            version: FORMAT,
            findings: Baseline::record(&[finding("r")], &[key("r", "1", "x")]),
        };
        assert_eq!(Baseline::parse(&b.render(), "b").unwrap(), b);
        let err = Baseline::parse("{\"version\": 7}", "b.json").unwrap_err();
        assert!(err.message.contains("format 7"), "{}", err.message);
    }
}
