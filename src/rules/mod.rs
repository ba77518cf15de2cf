//! Rules: each rule's metadata (`rules/<rule-id>.yaml`, embedded in the
//! binary) and its check function (`src/rules/<category>/<rule_id>.rs`).
//! A rule sees Plans, Changes, parsed Scripts and the Config through a
//! `Context`, and returns Findings. Must not know git or the terminal.

pub(crate) mod catalog;
pub mod context;
mod meta;
mod naming;
mod ordering;
mod promotion;
mod reversibility;
pub(crate) mod safety;
mod syntax;

use std::sync::OnceLock;

use serde::Deserialize;

use crate::finding::{Finding, Severity};

pub use context::{ConfigChange, Context, DirView, EnvState, Promotion, Role, ScriptView, Shared};

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
    rule!("empty-down", reversibility::empty_down::check),
    rule!(
        "down-restores-schema",
        reversibility::down_restores_schema::check
    ),
    rule!(
        "irreversible-change",
        reversibility::irreversible_change::check
    ),
    rule!("duplicate-version", ordering::duplicate_version::check),
    rule!("version-order", ordering::version_order::check),
    rule!("unknown-object", ordering::unknown_object::check),
    rule!(
        "applied-migration-modified",
        ordering::applied_migration_modified::check
    ),
    rule!("rename-column", safety::rename_column::check),
    rule!("rename-table", safety::rename_table::check),
    rule!("drop-column", safety::drop_column::check),
    rule!("drop-table", safety::drop_table::check),
    rule!("drop-schema", safety::drop_schema::check),
    rule!("add-not-null-column", safety::add_not_null_column::check),
    rule!("set-not-null", safety::set_not_null::check),
    rule!("change-column-type", safety::change_column_type::check),
    rule!("drop-default-in-use", safety::drop_default_in_use::check),
    rule!(
        "index-without-concurrently",
        safety::index_without_concurrently::check
    ),
    rule!(
        "concurrently-in-transaction",
        safety::concurrently_in_transaction::check
    ),
    rule!(
        "constraint-without-not-valid",
        safety::constraint_without_not_valid::check
    ),
    rule!(
        "unique-constraint-without-index",
        safety::unique_constraint_without_index::check
    ),
    rule!(
        "add-primary-key-without-index",
        safety::add_primary_key_without_index::check
    ),
    rule!("volatile-default", safety::volatile_default::check),
    rule!("add-serial-column", safety::add_serial_column::check),
    rule!("lock-timeout-missing", safety::lock_timeout_missing::check),
    rule!("vacuum-full", safety::vacuum_full::check),
    rule!("cluster", safety::cluster::check),
    rule!(
        "alter-enum-in-transaction",
        safety::alter_enum_in_transaction::check
    ),
    rule!("ban-truncate-cascade", safety::ban_truncate_cascade::check),
    rule!("update-without-where", safety::update_without_where::check),
    rule!("delete-without-where", safety::delete_without_where::check),
    rule!("mixed-ddl-and-dml", safety::mixed_ddl_and_dml::check),
    rule!("prefer-bigint", safety::prefer_bigint::check),
    rule!("prefer-text", safety::prefer_text::check),
    rule!("prefer-timestamptz", safety::prefer_timestamptz::check),
    rule!("prefer-identity", safety::prefer_identity::check),
    rule!("ban-char", safety::ban_char::check),
    rule!("transaction-nesting", safety::transaction_nesting::check),
    rule!(
        "uncommitted-transaction",
        safety::uncommitted_transaction::check
    ),
    rule!("atlas-sum-mismatch", ordering::atlas_sum_mismatch::check),
    rule!(
        "promotion-skips-environment",
        promotion::promotion_skips_environment::check
    ),
    rule!("promotion-gap", promotion::promotion_gap::check),
    rule!("promotion-drift", promotion::promotion_drift::check),
    rule!(
        "hotfix-not-backported",
        promotion::hotfix_not_backported::check
    ),
    rule!(
        "environment-only-change",
        promotion::environment_only_change::check
    ),
    rule!("unknown-context", promotion::unknown_context::check),
    rule!(
        "suppression-without-reason",
        meta::suppression_without_reason::check
    ),
    rule!("config-weakened", meta::config_weakened::check),
    rule!("unused-suppression", meta::unused_suppression::check),
    rule!(
        "unknown-rule-in-suppression",
        meta::unknown_rule_in_suppression::check
    ),
];

/// A new hand-over of the Catalog into and out of a directory's replay.
pub fn catalog_carry() -> catalog::Carry {
    catalog::carry()
}

/// The rules that replay the Catalog: when one of them runs, the pipeline
/// reads and parses every migration of a directory the change touches.
pub const CATALOG_RULES: &[&str] = &[
    "down-restores-schema",
    "empty-down",
    "unknown-object",
    "irreversible-change",
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
    /// Promotion examples: each environment's files (path -> content), by
    /// the environment's name in `config`'s `environments:`.
    #[serde(default)]
    pub environments:
        std::collections::BTreeMap<String, std::collections::BTreeMap<String, String>>,
    /// Promotion examples: the environment the head becomes.
    #[serde(default)]
    pub target: Option<String>,
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
    /// True when only a range or staged check can raise it, never `lint`
    /// (so an unraised suppression of it is not unused when linting).
    #[serde(default)]
    pub range_only: bool,
    /// The migration to write instead, for rules that refuse a pattern that
    /// has a safe equivalent (run as a test: it must not raise the rule).
    #[serde(default)]
    pub instead: Option<String>,
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

/// What a check needs of a rule's metadata, without its texts and
/// examples (most of the YAML).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Facts {
    /// The rule id.
    pub id: &'static str,
    /// syntax, naming, reversibility, ordering, promotion, safety, meta.
    pub category: &'static str,
    /// Severity when the configuration does not say.
    pub severity: Severity,
    /// See `RuleMeta::enabled_by_default`.
    pub enabled_by_default: bool,
    /// See `RuleMeta::range_only`.
    pub range_only: bool,
}

impl Facts {
    /// The facts from the YAML's top-level `key: value` lines, or `None`
    /// when one of them is written in a way only a YAML parser reads
    /// (quoted, flow, commented), or missing.
    fn scan(id: &'static str, yaml: &'static str) -> Option<Facts> {
        let mut facts = Facts {
            id,
            category: "",
            severity: Severity::Error,
            enabled_by_default: true,
            range_only: false,
        };
        let (mut yaml_id, mut severity) = (None, None);
        for line in yaml.lines() {
            // Nested values and block scalars are indented: a top-level key
            // starts the line.
            let Some((key, value)) = line.split_once(':') else {
                continue;
            };
            if key.is_empty() || !key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
                continue;
            }
            let value = value.trim();
            let plain = !value.is_empty()
                && value
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
            let flag = || match value {
                "true" => Some(true),
                "false" => Some(false),
                _ => None,
            };
            match key {
                "id" => yaml_id = Some(plain.then_some(value)?),
                "category" => facts.category = plain.then_some(value)?,
                "severity" => {
                    severity = Some(match value {
                        "error" => Severity::Error,
                        "warning" => Severity::Warning,
                        _ => return None,
                    })
                }
                "enabled_by_default" => facts.enabled_by_default = flag()?,
                "range_only" => facts.range_only = flag()?,
                _ => {}
            }
        }
        facts.severity = severity?;
        (yaml_id == Some(id) && !facts.category.is_empty()).then_some(facts)
    }

    fn from_meta(meta: &'static RuleMeta) -> Facts {
        Facts {
            id: &meta.id,
            category: &meta.category,
            severity: meta.severity,
            enabled_by_default: meta.enabled_by_default,
            range_only: meta.range_only,
        }
    }
}

/// Every rule's facts: read from the top-level lines of its YAML, which a
/// check needs without parsing every rule's examples.
fn all_facts() -> &'static [Facts] {
    static FACTS: OnceLock<Vec<Facts>> = OnceLock::new();
    FACTS.get_or_init(|| {
        // Otherwise the parsed metadata, in the same order (`metas()`
        // parses every rule's YAML in `RULES` order).
        RULES
            .iter()
            .enumerate()
            .map(|(i, r)| {
                Facts::scan(r.id, r.yaml).unwrap_or_else(|| Facts::from_meta(&metas()[i]))
            })
            .collect()
    })
}

/// The facts of one rule a check needs (its severity, category, ...).
pub fn facts(id: &str) -> Option<&'static Facts> {
    all_facts().iter().find(|f| f.id == id)
}

/// Every rule id.
pub fn ids() -> Vec<&'static str> {
    RULES.iter().map(|r| r.id).collect()
}

/// A rule's default severity.
pub fn default_severity(id: &str) -> Option<Severity> {
    facts(id).map(|f| f.severity)
}

/// Whether a run checks a rule: it exists, is not off, and can fire in this
/// mode (`lint` is true for `sqlgate lint`).
pub fn checked(config: &crate::config::Config, id: &str, lint: bool) -> bool {
    let Some(facts) = facts(id) else {
        return false;
    };
    config.level(id, facts.severity) != crate::config::Level::Off && !(lint && facts.range_only)
}

/// Runs every rule the configuration does not turn off. Safety rules judge
/// what a change adds: a finding on a statement the change only carries
/// over (see `DirView::carried`) is dropped.
pub fn run(ctx: &Context) -> Vec<Finding> {
    run_where(ctx, &|_| true)
}

/// Runs the rules `run` would, restricted to those `wanted` accepts, in
/// the same order (so that two disjoint sets can run side by side).
pub fn run_where(ctx: &Context, wanted: &(dyn Fn(&str) -> bool + Sync)) -> Vec<Finding> {
    let is_carried = |f: &Finding| {
        f.location.side == crate::finding::Side::Head
            && ctx.is_carried(&f.location.path, &f.location.span)
    };
    let mut findings = Vec::new();
    for rule in RULES {
        let default = default_severity(rule.id).unwrap_or(Severity::Error);
        if !wanted(rule.id) || ctx.config.level(rule.id, default) == crate::config::Level::Off {
            continue;
        }
        let safety = facts(rule.id).is_some_and(|f| f.category == "safety");
        findings.extend(
            (rule.check)(ctx)
                .into_iter()
                .filter(|f| !(safety && is_carried(f))),
        );
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facts_read_from_top_level_lines_are_the_parsed_metadata() {
        for rule in RULES {
            let scanned = Facts::scan(rule.id, rule.yaml);
            let parsed = Facts::from_meta(meta(rule.id).expect("the rule's YAML has its id"));
            assert_eq!(scanned, Some(parsed), "rules/{}.yaml", rule.id);
        }
    }

    #[test]
    fn facts_written_for_a_yaml_parser_only_are_not_guessed() {
        let quoted = "id: x\ncategory: \"safety\"\nseverity: error\n";
        assert_eq!(Facts::scan("x", quoted), None);
        let commented = "id: x\ncategory: safety\nseverity: warning # for now\n";
        assert_eq!(Facts::scan("x", commented), None);
        let nested = "id: x\ncategory: safety\nseverity: warning\nexamples:\n  bad:\n    - sql: |\n        range_only: true\n";
        assert_eq!(
            Facts::scan("x", nested).map(|f| (f.severity, f.range_only)),
            Some((Severity::Warning, false))
        );
    }
}
