//! Configuration: `.sqlgate.yml` read and validated (unknown keys and bad
//! values are errors with the key's line and a suggestion), rule severities,
//! inline suppressions and the baseline applied to findings. Must not know git, SQL
//! parsing or output formats; it receives the config text and findings.

pub mod baseline;
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
    /// Migrations at or before this version are history: `lint` skips them
    /// and no rule reads their statements (as strong_migrations'
    /// `start_after`).
    #[serde(default, deserialize_with = "version_text")]
    pub since: Option<String>,
    /// Flyway file name settings (prefixes, separator, suffixes), when they
    /// are not Flyway's defaults.
    #[serde(default)]
    pub flyway: Option<layout::FlywayNames>,
    /// Liquibase settings (the root changelog).
    #[serde(default)]
    pub liquibase: Option<layout::LiquibaseSettings>,
}

impl Default for MigrationDir {
    fn default() -> Self {
        MigrationDir {
            dir: String::new(),
            layout: auto(),
            require_down: None,
            flyway: None,
            liquibase: None,
            since: None,
        }
    }
}

/// A version written as a YAML string or integer. A float (`1.10`) would
/// lose digits, so it must be quoted.
fn version_text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    use serde::de::Error as _;
    match serde_yaml::Value::deserialize(d)? {
        serde_yaml::Value::Null => Ok(None),
        serde_yaml::Value::String(s) => Ok(Some(s)),
        serde_yaml::Value::Number(n) if n.is_u64() => Ok(Some(n.to_string())),
        other => Err(D::Error::custom(format!(
            "expected a version such as 20240101000000 or \"1.10\" (quote dotted versions), found {}",
            serde_yaml::to_string(&other).unwrap_or_default().trim()
        ))),
    }
}

fn auto() -> String {
    "auto".to_string()
}

impl MigrationDir {
    /// The configured layout, or `None` for `auto`.
    pub fn layout(&self) -> Option<Layout> {
        Layout::from_name(&self.layout)
    }

    /// The layout settings of this directory, whose migrations are written
    /// in `dialect`.
    pub fn layout_options(&self, dialect: Dialect) -> layout::Options {
        layout::Options {
            flyway: self.flyway.clone().unwrap_or_default(),
            liquibase: self.liquibase.clone().unwrap_or_default(),
            dialect,
        }
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
    /// The baseline file, relative to the repository root.
    #[serde(default)]
    pub baseline: Option<String>,
    /// The PostgreSQL version the migrations run on, for rules whose answer
    /// depends on it; unset means a release the community still supports.
    #[serde(default)]
    pub postgres_version: Option<PostgresVersion>,
}

/// A PostgreSQL major version (`postgres_version: 16`, `"9.6"`, `12.4`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct PostgresVersion {
    /// The major version: 9 for 9.6, 16 for 16.2.
    pub major: u32,
}

impl<'de> Deserialize<'de> for PostgresVersion {
    fn deserialize<D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> std::result::Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Int(u64),
            Float(f64),
            Text(String),
        }
        let text = match Raw::deserialize(deserializer)? {
            Raw::Int(n) => n.to_string(),
            Raw::Float(f) => f.to_string(),
            Raw::Text(t) => t,
        };
        let major = text
            .trim()
            .split('.')
            .next()
            .and_then(|m| m.parse::<u32>().ok())
            .filter(|m| (9..=99).contains(m));
        match major {
            Some(major) => Ok(PostgresVersion { major }),
            None => Err(serde::de::Error::custom(format!(
                "invalid postgres_version `{text}`: expected a PostgreSQL version such as 16 or \"9.6\""
            ))),
        }
    }
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
            baseline: None,
            postgres_version: None,
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
            let settings = [
                ("flyway", dir.flyway.is_some(), Layout::Flyway),
                ("liquibase", dir.liquibase.is_some(), Layout::Liquibase),
            ];
            for (key, set, layout) in settings {
                if set && dir.layout().is_some_and(|l| l != layout) {
                    let line = line_of(text, &format!("{key}:"));
                    return Err(Error::new(format!(
                        "{origin}:{line}: `{key}:` settings for {}, whose layout is {}",
                        dir.dir, dir.layout
                    ))
                    .with_help(format!(
                        "set `layout: {key}` (or `auto`), or remove `{key}:`"
                    )));
                }
            }
        }
        self.validate_environments(text, origin)?;
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

    fn validate_environments(&self, text: &str, origin: &str) -> Result<()> {
        for (i, env) in self.environments.iter().enumerate() {
            let line = line_of(text, &env.name);
            if env.name.trim().is_empty() {
                return Err(Error::new(format!(
                    "{origin}:{line}: an environment has an empty `name:`"
                )));
            }
            match (&env.branch, &env.reference) {
                (Some(_), Some(_)) => {
                    return Err(Error::new(format!(
                        "{origin}:{line}: environment `{}` has both `branch:` and `ref:`",
                        env.name
                    ))
                    .with_help(
                        "keep `branch:` when the environment is a branch that changes are merged \
                         into, `ref:` when a deploy pipeline moves a ref along the trunk",
                    ))
                }
                (None, None) => {
                    return Err(Error::new(format!(
                        "{origin}:{line}: environment `{}` has neither `branch:` nor `ref:`",
                        env.name
                    ))
                    .with_help(format!(
                    "say where its deployed state is: `branch: {}` or `ref: refs/tags/deployed/{}`",
                    env.name, env.name
                )))
                }
                _ => {}
            }
            if self.environments[..i].iter().any(|e| e.name == env.name) {
                return Err(Error::new(format!(
                    "{origin}:{line}: environment `{}` is listed twice",
                    env.name
                )));
            }
            for expr in env.contexts.iter().chain(&env.labels) {
                if expr.trim().is_empty() || expr.contains([' ', '!', '(', ')', ',']) {
                    return Err(Error::new(format!(
                        "{origin}:{}: `{expr}` in environment `{}` is not a context or label name",
                        line_of(text, expr),
                        env.name
                    ))
                    .with_help("list the names the environment deploys with, one per item"));
                }
            }
        }
        Ok(())
    }

    /// The index of the environment a name or branch stands for: an
    /// environment's name, its branch (`release`, `origin/release`,
    /// `refs/heads/release`) or its ref.
    pub fn environment_for(&self, name: &str) -> Option<usize> {
        let short = name
            .strip_prefix("refs/heads/")
            .or_else(|| name.strip_prefix("refs/remotes/origin/"))
            .or_else(|| name.strip_prefix("origin/"))
            .unwrap_or(name);
        self.environments
            .iter()
            .position(|e| e.name == name)
            .or_else(|| {
                self.environments.iter().position(|e| {
                    e.branch.as_deref() == Some(short)
                        || e.reference.as_deref().is_some_and(|r| {
                            r == name
                                || r == short
                                || r.strip_prefix("refs/tags/") == Some(name)
                                || r.strip_prefix("refs/heads/") == Some(short)
                        })
                })
            })
    }

    /// The baseline file's path relative to the repository root.
    pub fn baseline_path(&self) -> &str {
        self.baseline.as_deref().unwrap_or(baseline::DEFAULT_PATH)
    }

    /// The level a rule runs at: configured, or its default severity (off
    /// for rules that are off by default).
    pub fn level(&self, rule: &str, default: Severity) -> Level {
        match self.rules.get(rule) {
            Some(level) => *level,
            None if crate::rules::facts(rule).is_some_and(|f| !f.enabled_by_default) => Level::Off,
            None => match default {
                Severity::Error => Level::Error,
                Severity::Warning => Level::Warning,
            },
        }
    }

    /// Whether the configured PostgreSQL version is at least `major`; true
    /// when no version is configured (a supported release is assumed).
    pub fn postgres_at_least(&self, major: u32) -> bool {
        self.postgres_version.is_none_or(|v| v.major >= major)
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
    // A bad value inside a mapping is located at the mapping's start; a
    // value sqlgate rejects itself names its key, so use that key's line.
    let line = match message.split('`').next() {
        Some("invalid postgres_version ") => line_of(text, "postgres_version"),
        _ => e.location().map(|l| l.line()).unwrap_or(0),
    };
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
    fn since_reads_integers_and_strings_and_refuses_floats() {
        let c = Config::parse(
            "migrations:\n  - dir: a\n    since: 0042\n  - dir: b\n    since: \"1.10\"\n",
            "x",
        )
        .unwrap();
        assert_eq!(c.migrations[0].since.as_deref(), Some("0042"));
        assert_eq!(c.migrations[1].since.as_deref(), Some("1.10"));
        let err = Config::parse("migrations:\n  - dir: a\n    since: 1.10\n", "x").unwrap_err();
        assert!(
            err.message.contains("quote dotted versions"),
            "{}",
            err.message
        );
    }

    #[test]
    fn postgres_version_accepts_numbers_and_strings() {
        let major = |text: &str| {
            Config::parse(text, "x")
                .unwrap()
                .postgres_version
                .unwrap()
                .major
        };
        assert_eq!(major("postgres_version: 16\n"), 16);
        assert_eq!(major("postgres_version: 9.6\n"), 9);
        assert_eq!(major("postgres_version: \"12.4\"\n"), 12);
        let err = Config::parse("dialect: postgres\npostgres_version: latest\n", "x").unwrap_err();
        assert!(err.message.starts_with("x:2:"), "{}", err.message);
        assert!(
            err.message.contains("invalid postgres_version `latest`"),
            "{}",
            err.message
        );
        assert!(Config::default().postgres_at_least(11));
    }

    #[test]
    fn environments_need_one_place_and_distinct_names() {
        let ok = Config::parse(
            "environments:\n  - { name: dev, branch: develop }\n  - { name: prod, ref: refs/tags/deployed/prod, contexts: [prod] }\n",
            "x",
        )
        .unwrap();
        assert_eq!(ok.environment_for("origin/develop"), Some(0));
        assert_eq!(ok.environment_for("prod"), Some(1));
        assert_eq!(ok.environment_for("deployed/prod"), Some(1));
        assert_eq!(ok.environment_for("feature"), None);
        let both = Config::parse(
            "environments:\n  - { name: dev, branch: develop, ref: refs/tags/dev }\n",
            "x",
        )
        .unwrap_err();
        assert!(both.message.starts_with("x:2:"), "{}", both.message);
        assert!(Config::parse("environments:\n  - { name: dev }\n", "x").is_err());
        assert!(Config::parse(
            "environments:\n  - { name: dev, branch: a }\n  - { name: dev, branch: b }\n",
            "x"
        )
        .is_err());
        let typo = Config::parse("environments:\n  - { name: dev, brnch: a }\n", "x").unwrap_err();
        assert_eq!(typo.help.as_deref(), Some("did you mean `branch`?"));
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
