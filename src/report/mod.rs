//! Reporters: turn Findings into what people and machines read. Owns miette
//! and every output format. Must not know git, layouts or rules' logic.

mod github;
mod gitlab;
mod human;
mod json;
mod junit;
mod markdown;
mod rdjson;
mod sarif;
pub mod status;

use std::collections::HashMap;

use crate::config::suppress::Suppression;
use crate::finding::{floor_char_boundary, line_col, Finding, Location, Severity, Side, Sources};

pub use human::Style;

/// An output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Annotated source for a terminal (miette).
    Human,
    /// One JSON array of findings.
    Json,
    /// GitHub Actions workflow commands (annotations on the changed files).
    Github,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
    /// JUnit XML: one test case per rule and file.
    Junit,
    /// GitLab Code Quality report (JSON).
    Gitlab,
    /// reviewdog's diagnostic format (rdjson).
    Rdjson,
    /// Markdown for a pull request comment or a job summary.
    Markdown,
}

impl Format {
    /// Every format's name.
    pub const NAMES: &'static [&'static str] = &[
        "human", "json", "github", "sarif", "junit", "gitlab", "rdjson", "markdown",
    ];

    /// Parses a format name.
    pub fn from_name(name: &str) -> Option<Format> {
        match name {
            "human" | "text" => Some(Format::Human),
            "json" => Some(Format::Json),
            "github" => Some(Format::Github),
            "sarif" => Some(Format::Sarif),
            "junit" => Some(Format::Junit),
            "gitlab" => Some(Format::Gitlab),
            "rdjson" => Some(Format::Rdjson),
            "markdown" | "md" => Some(Format::Markdown),
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
    /// Inline suppressions in the migrations the change adds or modifies,
    /// with whether each silenced a finding.
    pub suppressions: &'a [(Suppression, bool)],
    /// The scripts checked (for formats that list passing files too).
    pub files: &'a [String],
    /// The rules that ran.
    pub rules: &'a [String],
    /// How many findings the baseline held back.
    pub baselined: usize,
}

/// Renders a report in a format.
pub fn render(format: Format, report: &Report, style: Style) -> String {
    match format {
        Format::Human => human::render(report, style),
        Format::Json => json::render(report),
        Format::Github => github::render(report),
        Format::Sarif => sarif::render(report),
        Format::Junit => junit::render(report),
        Format::Gitlab => gitlab::render(report),
        Format::Rdjson => rdjson::render(report),
        Format::Markdown => markdown::render(report),
    }
}

/// The one-line verdict: counts of errors and warnings.
pub fn summary(report: &Report) -> String {
    let (errors, warnings) = counts(report);
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let migrations = plural(report.checked, "migration");
    let baselined = if report.baselined > 0 {
        format!(" ({} baselined)", report.baselined)
    } else {
        String::new()
    };
    if report.findings.is_empty() {
        format!("sqlgate: {migrations} checked, no findings{baselined}")
    } else {
        format!(
            "sqlgate: {}, {} in {migrations} checked{baselined}",
            plural(errors, "error"),
            plural(warnings, "warning")
        )
    }
}

/// One fingerprint per finding that stays the same when lines move: the
/// rule, the path and the finding's statement text with whitespace
/// collapsed, hashed (64-bit FNV-1a, stable across builds and platforms),
/// then `:n` for the n-th finding with the same hash.
pub fn fingerprints(report: &Report) -> Vec<String> {
    let mut seen: HashMap<u64, usize> = HashMap::new();
    report
        .findings
        .iter()
        .map(|f| {
            let text = report
                .sources
                .get(&f.location)
                .map(|t| normalized(span_text(t, &f.location)))
                .unwrap_or_default();
            let hash = fnv1a([f.rule.as_str(), f.location.path.as_str(), text.as_str()]);
            let n = seen.entry(hash).or_insert(0);
            *n += 1;
            format!("{hash:016x}:{n}")
        })
        .collect()
}

fn span_text<'t>(text: &'t str, location: &Location) -> &'t str {
    let start = floor_char_boundary(text, location.span.start.min(text.len()));
    let end = floor_char_boundary(text, location.span.end.min(text.len())).max(start);
    &text[start..end]
}

fn normalized(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn fnv1a<'p>(parts: impl IntoIterator<Item = &'p str>) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        // A separator byte that cannot occur in UTF-8 keeps ("ab", "c")
        // apart from ("a", "bc").
        for byte in part.bytes().chain(std::iter::once(0xff)) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    hash
}

/// Where a label's text is read from, for formats that can only point at
/// the checked-out files (the head).
pub(crate) fn side_note(side: Side) -> &'static str {
    match side {
        Side::Head => "",
        Side::Base => " (in the target branch's version of the file, at the merge base)",
        Side::Target => " (in the target branch's current version of the file)",
        Side::Env(_) => " (in another environment's version of the file)",
    }
}

/// Line and byte column (1-based) of both ends of a location.
pub(crate) fn byte_position(
    location: &Location,
    sources: &Sources,
) -> (usize, usize, usize, usize) {
    let Some(text) = sources.get(location) else {
        return (1, 1, 1, 1);
    };
    let at = |offset: usize| {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let before = &text[..offset];
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        (before.matches('\n').count() + 1, offset - line_start + 1)
    };
    let (line, column) = at(location.span.start);
    let (end_line, end_column) = at(location.span.end);
    (line, column, end_line, end_column)
}

/// Counts of findings at error and warning severity.
pub(crate) fn counts(report: &Report) -> (usize, usize) {
    let errors = report
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    (errors, report.findings.len() - errors)
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
    if let Some(instead) = &meta.instead {
        out.push_str("\nWrite instead:\n");
        for line in instead.trim_end().lines() {
            out.push_str(&format!("    {line}\n"));
        }
    }
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
