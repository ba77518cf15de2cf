//! Reporters: turn Findings into what people and machines read. Owns miette
//! and every output format. Must not know git, layouts or rules' logic.

mod human;
mod json;

use crate::finding::{line_col, Finding, Location, Severity, Sources};

pub use human::Style;

/// An output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Annotated source for a terminal (miette).
    Human,
    /// One JSON array of findings.
    Json,
}

impl Format {
    /// Every format's name.
    pub const NAMES: &'static [&'static str] = &["human", "json"];

    /// Parses a format name.
    pub fn from_name(name: &str) -> Option<Format> {
        match name {
            "human" | "text" => Some(Format::Human),
            "json" => Some(Format::Json),
            _ => None,
        }
    }
}

/// What every reporter receives.
pub struct Report<'a> {
    /// The findings, sorted.
    pub findings: &'a [Finding],
    /// The texts they point at.
    pub sources: &'a Sources,
    /// How many migrations the change touched.
    pub checked: usize,
}

/// Renders a report in a format.
pub fn render(format: Format, report: &Report, style: Style) -> String {
    match format {
        Format::Human => human::render(report, style),
        Format::Json => json::render(report),
    }
}

/// The one-line verdict: counts of errors and warnings.
pub fn summary(report: &Report) -> String {
    let errors = report
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    let warnings = report.findings.len() - errors;
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let migrations = plural(report.checked, "migration");
    if report.findings.is_empty() {
        format!("sqlgate: {migrations} checked, no findings")
    } else {
        format!(
            "sqlgate: {}, {} in {migrations} checked",
            plural(errors, "error"),
            plural(warnings, "warning")
        )
    }
}

/// Line and column of both ends of a location, 1-based.
pub(crate) fn position(location: &Location, sources: &Sources) -> (usize, usize, usize, usize) {
    match sources.get(location) {
        Some(text) => {
            let (line, column) = line_col(text, location.span.start);
            let (end_line, end_column) = line_col(text, location.span.end);
            (line, column, end_line, end_column)
        }
        None => (1, 1, 1, 1),
    }
}

/// `sqlgate rules`: one line per rule.
pub fn rules_table(metas: &[crate::rules::RuleMeta]) -> String {
    let id_width = metas.iter().map(|m| m.id.len()).max().unwrap_or(0);
    let cat_width = metas.iter().map(|m| m.category.len()).max().unwrap_or(0);
    let mut out = String::new();
    for m in metas {
        out.push_str(&format!(
            "{:id_width$}  {:cat_width$}  {:7}  {}\n",
            m.id,
            m.category,
            m.default_level_name(),
            m.summary
        ));
    }
    out
}

/// `sqlgate explain <rule>`: the rule's text and examples.
pub fn explain(meta: &crate::rules::RuleMeta) -> String {
    let mut out = format!(
        "{} ({}, {} by default)\n\n{}\n\n{}\n",
        meta.id,
        meta.category,
        meta.default_level_name(),
        meta.summary,
        meta.rationale.trim_end()
    );
    let show = |out: &mut String, title: &str, examples: &[crate::rules::Example]| {
        for e in examples {
            out.push_str(&format!(
                "\n{title}: {}\n",
                e.description.as_deref().unwrap_or("")
            ));
            if let Some(config) = &e.config {
                out.push_str("  with .sqlgate.yml:\n");
                for line in config.trim_end().lines() {
                    out.push_str(&format!("    {line}\n"));
                }
            }
            if let Some(sql) = &e.sql {
                for line in sql.trim_end().lines() {
                    out.push_str(&format!("    {line}\n"));
                }
            }
            for (path, text) in &e.base {
                out.push_str(&format!("  on the target: {path}\n"));
                for line in text.trim_end().lines() {
                    out.push_str(&format!("    {line}\n"));
                }
            }
            for (path, text) in &e.head {
                out.push_str(&format!("  in the change: {path}\n"));
                for line in text.trim_end().lines() {
                    out.push_str(&format!("    {line}\n"));
                }
            }
            for path in &e.deleted {
                out.push_str(&format!("  deleted: {path}\n"));
            }
        }
    };
    show(&mut out, "Bad", &meta.examples.bad);
    show(&mut out, "Good", &meta.examples.good);
    out
}
