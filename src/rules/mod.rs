//! Rules: each rule's metadata (`rules/<rule-id>.yaml`, embedded in the
//! binary) and its check function (`src/rules/<category>/<rule_id>.rs`).
//! A rule sees Plans, Changes, parsed Scripts and the Config through a
//! `Context`, and returns Findings. Must not know git or the terminal.

pub mod context;
mod meta;
mod naming;
mod ordering;
mod reversibility;
mod syntax;

use std::sync::OnceLock;

use serde::Deserialize;

use crate::finding::{Finding, Severity};

pub use context::{Context, DirView, Role, ScriptView};

/// A rule: its id, its YAML metadata and its check.
pub struct Rule {
    /// The rule's id, as in configuration and suppressions.
    pub id: &'static str,
    yaml: &'static str,
    /// Runs the rule.
    pub check: fn(&Context) -> Vec<Finding>,
}

macro_rules! rule {
    ($id:literal, $check:path) => {
        Rule {
            id: $id,
            yaml: include_str!(concat!("../../rules/", $id, ".yaml")),
            check: $check,
        }
    };
}

/// Every built-in rule, in the order `sqlgate rules` lists them.
pub static RULES: &[Rule] = &[
    rule!("syntax-error", syntax::syntax_error::check),
    rule!("empty-migration", syntax::empty_migration::check),
    rule!("migration-filename", naming::migration_filename::check),
    rule!("identifier-case", naming::identifier_case::check),
    rule!("index-name", naming::index_name::check),
    rule!("constraint-name", naming::constraint_name::check),
    rule!(
        "explicit-constraint-name",
        naming::explicit_constraint_name::check
    ),
    rule!("identifier-length", naming::identifier_length::check),
    rule!("reserved-word", naming::reserved_word::check),
    rule!("table-name-plural", naming::table_name_plural::check),
    rule!("table-name-singular", naming::table_name_singular::check),
    rule!(
        "column-name-forbidden",
        naming::column_name_forbidden::check
    ),
    rule!("missing-down", reversibility::missing_down::check),
    rule!("duplicate-version", ordering::duplicate_version::check),
    rule!("version-order", ordering::version_order::check),
    rule!(
        "applied-migration-modified",
        ordering::applied_migration_modified::check
    ),
    rule!(
        "suppression-without-reason",
        meta::suppression_without_reason::check
    ),
];

/// One example of a rule's YAML: SQL, or files before and after a change.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Example {
    /// What the example shows.
    #[serde(default)]
    pub description: Option<String>,
    /// A migration's up script (placed in a new migration of a plain layout).
    #[serde(default)]
    pub sql: Option<String>,
    /// Files on the target branch: path -> content.
    #[serde(default)]
    pub base: std::collections::BTreeMap<String, String>,
    /// Files in the change: path -> content (base files not listed are kept).
    #[serde(default)]
    pub head: std::collections::BTreeMap<String, String>,
    /// Files deleted by the change.
    #[serde(default)]
    pub deleted: Vec<String>,
    /// The dialect, when not postgres.
    #[serde(default)]
    pub dialect: Option<String>,
    /// A `.sqlgate.yml` for the example (naming patterns, for instance).
    #[serde(default)]
    pub config: Option<String>,
}

/// Bad and good examples.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Examples {
    /// Each must raise the rule.
    #[serde(default)]
    pub bad: Vec<Example>,
    /// Each must not raise the rule.
    #[serde(default)]
    pub good: Vec<Example>,
}

/// A rule's metadata, from `rules/<rule-id>.yaml`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleMeta {
    /// The rule id; equals the file name.
    pub id: String,
    /// syntax, naming, reversibility, ordering, promotion, safety, meta, custom.
    pub category: String,
    /// Severity when the configuration does not say.
    pub severity: Severity,
    /// False for conventions not every team shares: the rule runs only when
    /// `rules:` in the configuration gives it a level.
    #[serde(default = "enabled")]
    pub enabled_by_default: bool,
    /// One line.
    pub summary: String,
    /// Why it matters.
    pub rationale: String,
    /// Dialects it applies to (`all` for every one).
    #[serde(default)]
    pub dialects: Vec<String>,
    /// Examples, run as tests.
    #[serde(default)]
    pub examples: Examples,
}

fn enabled() -> bool {
    true
}

impl RuleMeta {
    /// `error`, `warning`, or `off` for rules that are off by default.
    pub fn default_level_name(&self) -> &'static str {
        if self.enabled_by_default {
            self.severity.name()
        } else {
            "off"
        }
    }
}

/// Every rule's metadata, parsed once.
pub fn metas() -> &'static [RuleMeta] {
    static METAS: OnceLock<Vec<RuleMeta>> = OnceLock::new();
    METAS.get_or_init(|| {
        RULES
            .iter()
            .map(|r| match serde_yaml::from_str::<RuleMeta>(r.yaml) {
                Ok(meta) => meta,
                // The YAML is embedded at build time and checked by the test
                // suite; a broken file is a bug in sqlgate, not user input.
                Err(e) => panic!("rules/{}.yaml is invalid: {e}", r.id),
            })
            .collect()
    })
}

/// The metadata of one rule.
pub fn meta(id: &str) -> Option<&'static RuleMeta> {
    metas().iter().find(|m| m.id == id)
}

/// Every rule id.
pub fn ids() -> Vec<&'static str> {
    RULES.iter().map(|r| r.id).collect()
}

/// A rule's default severity.
pub fn default_severity(id: &str) -> Option<Severity> {
    meta(id).map(|m| m.severity)
}

/// Runs every rule the configuration does not turn off.
pub fn run(ctx: &Context) -> Vec<Finding> {
    let mut findings = Vec::new();
    for rule in RULES {
        let default = default_severity(rule.id).unwrap_or(Severity::Error);
        if ctx.config.level(rule.id, default) == crate::config::Level::Off {
            continue;
        }
        findings.extend((rule.check)(ctx));
    }
    findings
}
