//! Configuration: `.sqlgate.yml` read and validated (unknown keys and bad
//! values are errors with the key's line and a suggestion), rule severities,
//! and inline suppressions applied to findings. Must not know git, SQL
//! parsing or output formats; it receives the config text and findings.

pub mod naming;
pub mod suppress;

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::error::{Error, Result};
use crate::finding::{Finding, Severity};
use crate::layout::{self, Layout};
use crate::sql::Dialect;

/// The configuration file's name, at the repository root.
pub const FILE_NAME: &str = ".sqlgate.yml";

/// A rule's configured level.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Fails the check.
    Error,
    /// Reported only.
    Warning,
    /// Not run.
    Off,
}

/// One migration directory.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct MigrationDir {
    /// Path relative to the repository root.
    pub dir: String,
    /// `auto` (default) or a layout name.
    #[serde(default = "auto")]
    pub layout: String,
    /// Whether each migration must have a down script; by default the
    /// layout decides.
    #[serde(default)]
    pub require_down: Option<bool>,
}

fn auto() -> String {
    "auto".to_string()
}

impl MigrationDir {
    /// The configured layout, or `None` for `auto`.
    pub fn layout(&self) -> Option<Layout> {
        Layout::from_name(&self.layout)
    }
}

/// An environment in promotion order.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Environment {
    /// Its name (dev, staging, prod).
    pub name: String,
    /// The branch that holds what is deployed there.
    #[serde(default)]
    pub branch: Option<String>,
    /// The ref the deploy pipeline moves.
    #[serde(default, rename = "ref")]
    pub reference: Option<String>,
    /// Liquibase contexts it deploys.
    #[serde(default)]
    pub contexts: Vec<String>,
    /// Liquibase labels it deploys.
    #[serde(default)]
    pub labels: Vec<String>,
    /// Paths that only this environment deploys.
    #[serde(default)]
    pub only: Vec<String>,
}

pub use naming::Naming;

/// The whole configuration; every key is optional.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// SQL dialect of the migrations.
    #[serde(default)]
    pub dialect: Dialect,
    /// The branch new migrations must sort after.
    #[serde(default)]
    pub trunk: Option<String>,
    /// Migration directories; found automatically when empty.
    #[serde(default)]
    pub migrations: Vec<MigrationDir>,
    /// Environments in promotion order, lowest first.
    #[serde(default)]
    pub environments: Vec<Environment>,
    /// Per-rule level.
    #[serde(default)]
    pub rules: BTreeMap<String, Level>,
    /// Naming patterns.
    #[serde(default)]
    pub naming: Naming,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            dialect: Dialect::Postgres,
            trunk: None,
            migrations: Vec::new(),
            environments: Vec::new(),
            rules: BTreeMap::new(),
            naming: Naming::default(),
        }
    }
}

impl Config {
    /// Parses and validates a configuration file's text; `origin` names it
    /// in messages (a path, or `main:.sqlgate.yml`).
    pub fn parse(text: &str, origin: &str) -> Result<Config> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        if text.trim().is_empty() {
            return Ok(Config::default());
        }
        let config: Config =
            serde_yaml::from_str(text).map_err(|e| yaml_error(&e, text, origin))?;
        config.validate(text, origin)?;
        Ok(config)
    }

    fn validate(&self, text: &str, origin: &str) -> Result<()> {
        for dir in &self.migrations {
            if dir.layout != "auto" && dir.layout().is_none() {
                let line = line_of(text, &dir.layout);
                let mut err = Error::new(format!(
                    "{origin}:{line}: unknown layout `{}` for {}; expected one of {}",
                    dir.layout,
                    dir.dir,
                    layout::NAMES.join(", ")
                ));
                if let Some(s) = suggest(&dir.layout, layout::NAMES) {
                    err = err.with_help(format!("did you mean `{s}`?"));
                }
                return Err(err);
            }
        }
        self.naming
            .validate(origin, &|needle| line_of(text, needle))?;
        let ids = crate::rules::ids();
        for id in self.rules.keys() {
            if !ids.contains(&id.as_str()) {
                let line = line_of(text, id);
                let mut err = Error::new(format!(
                    "{origin}:{line}: unknown rule `{id}` under `rules:`"
                ));
                err = match suggest(id, &ids) {
                    Some(s) => err.with_help(format!(
                        "did you mean `{s}`? (`sqlgate rules` lists them all)"
                    )),
                    None => err.with_help("`sqlgate rules` lists every rule id"),
                };
                return Err(err);
            }
        }
        Ok(())
    }

    /// The level a rule runs at: configured, or its default severity (off
    /// for rules that are off by default).
    pub fn level(&self, rule: &str, default: Severity) -> Level {
        match self.rules.get(rule) {
            Some(level) => *level,
            None if crate::rules::meta(rule).is_some_and(|m| !m.enabled_by_default) => Level::Off,
            None => match default {
                Severity::Error => Level::Error,
                Severity::Warning => Level::Warning,
            },
        }
    }

    /// Applies configured levels: drops findings of rules that are off and
    /// sets the severity of the others.
    pub fn apply_levels(&self, findings: Vec<Finding>) -> Vec<Finding> {
        findings
            .into_iter()
            .filter_map(|mut f| {
                let default = crate::rules::default_severity(&f.rule).unwrap_or(f.severity);
                match self.level(&f.rule, default) {
                    Level::Off => None,
                    Level::Error => {
                        f.severity = Severity::Error;
                        Some(f)
                    }
                    Level::Warning => {
                        f.severity = Severity::Warning;
                        Some(f)
                    }
                }
            })
            .collect()
    }
}

fn yaml_error(e: &serde_yaml::Error, text: &str, origin: &str) -> Error {
    let raw = e.to_string();
    let message = raw.split(" at line ").next().unwrap_or(&raw).to_string();
    let line = e.location().map(|l| l.line()).unwrap_or(0);
    let mut err = Error::new(format!("{origin}:{line}: {message}"));
    if let Some((unknown, expected)) = unknown_and_expected(&message) {
        let candidates: Vec<&str> = expected.iter().map(String::as_str).collect();
        if let Some(s) = suggest(&unknown, &candidates) {
            err = err.with_help(format!("did you mean `{s}`?"));
        }
    } else if text.contains('\t') && message.contains("tab") {
        err = err.with_help("YAML does not allow tabs for indentation; use spaces");
    }
    err
}

/// From serde's "unknown field `x`, expected one of `a`, `b`" (or "unknown
/// variant"), the unknown word and the expected ones.
fn unknown_and_expected(message: &str) -> Option<(String, Vec<String>)> {
    let rest = message
        .split("unknown field `")
        .nth(1)
        .or_else(|| message.split("unknown variant `").nth(1))?;
    let (unknown, rest) = rest.split_once('`')?;
    let expected = rest
        .split('`')
        .enumerate()
        .filter(|(i, _)| i % 2 == 1)
        .map(|(_, s)| s.to_string())
        .collect();
    Some((unknown.to_string(), expected))
}

fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .map_or(0, |i| i + 1)
}

/// The candidate closest to `word` by edit distance, when close enough.
pub fn suggest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (edit_distance(word, c), *c))
        .filter(|(d, c)| *d <= (c.len().max(word.len()) / 3).max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_key_names_its_line_and_a_suggestion() {
        let err = Config::parse(
            "dialect: postgres\nmigratons:\n  - dir: db\n",
            ".sqlgate.yml",
        )
        .unwrap_err();
        assert!(
            err.message.starts_with(".sqlgate.yml:2:"),
            "{}",
            err.message
        );
        assert_eq!(err.help.as_deref(), Some("did you mean `migrations`?"));
    }

    #[test]
    fn bad_dialect_lists_allowed_values() {
        let err = Config::parse("dialect: postgress\n", "x").unwrap_err();
        assert!(err.message.contains("postgres"), "{}", err.message);
        assert_eq!(err.help.as_deref(), Some("did you mean `postgres`?"));
    }

    #[test]
    fn unknown_rule_is_an_error() {
        let err = Config::parse("rules:\n  version-ordr: off\n", "x").unwrap_err();
        assert_eq!(
            err.help.as_deref(),
            Some("did you mean `version-order`? (`sqlgate rules` lists them all)")
        );
    }
}
