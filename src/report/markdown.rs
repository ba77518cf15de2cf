//! `--format markdown`: what a reviewer reads first, as a pull request
//! comment or a GitHub job summary. A one-line verdict, the findings in one
//! table per migration file, and the inline suppressions the change adds.

use super::{counts, position, summary, Report};
use crate::finding::{line_col, Location, Severity};

/// Rows shown before the rest is only counted: a comment has a size limit
/// (65,536 characters on GitHub) and the other formats carry everything.
const MAX_ROWS: usize = 200;

/// Text safe inside a table cell: pipes escaped, line breaks as `<br>`,
/// and HTML escaped outside `code spans` (where GitHub shows entities
/// literally; inside them `<` is already inert).
fn cell(text: &str) -> String {
    let balanced = text.matches('`').count() % 2 == 0;
    let mut out = String::with_capacity(text.len());
    let mut in_code = false;
    for c in text.chars() {
        match c {
            '`' if balanced => {
                in_code = !in_code;
                out.push(c);
            }
            '|' => out.push_str("\\|"),
            '\r' => {}
            '\n' => out.push_str("<br>"),
            '&' if !in_code => out.push_str("&amp;"),
            '<' if !in_code => out.push_str("&lt;"),
            '>' if !in_code => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// Inline code that survives backticks inside.
fn code(text: &str) -> String {
    if text.contains('`') {
        format!("`` {} ``", text.replace('|', "\\|"))
    } else {
        format!("`{}`", text.replace('|', "\\|"))
    }
}

pub(super) fn render(report: &Report) -> String {
    let (errors, warnings) = counts(report);
    let mark = if errors > 0 {
        "❌"
    } else if warnings > 0 {
        "⚠️"
    } else {
        "✅"
    };
    let mut out = format!("### {mark} {}\n", summary(report));
    let mut current: Option<&str> = None;
    for (rows, f) in report.findings.iter().enumerate() {
        if rows == MAX_ROWS {
            out.push_str(&format!(
                "\n… and {} more findings (the job log, SARIF or JSON output lists them all)\n",
                report.findings.len() - MAX_ROWS
            ));
            break;
        }
        if current != Some(f.location.path.as_str()) {
            current = Some(&f.location.path);
            out.push_str(&format!(
                "\n#### {}\n\n| | rule | line | finding | what to do |\n| --- | --- | --- | --- | --- |\n",
                code(&f.location.path)
            ));
        }
        let (line, ..) = position(&f.location, report.sources);
        let severity = match f.severity {
            Severity::Error => "❌ error",
            Severity::Warning => "⚠️ warning",
        };
        out.push_str(&format!(
            "| {severity} | {} | {line} | {} | {} |\n",
            code(&f.rule),
            cell(&f.message),
            cell(f.help.as_deref().unwrap_or(""))
        ));
    }
    if !report.suppressions.is_empty() {
        out.push_str(
            "\n#### Suppressions in the migrations this change adds or modifies\n\n\
             | where | rule | reason | silences |\n| --- | --- | --- | --- |\n",
        );
        for (s, used) in report.suppressions {
            let location = Location::head(&s.path, s.comment.clone());
            let line = report
                .sources
                .get(&location)
                .map_or(1, |text| line_col(text, s.comment.start).0);
            out.push_str(&format!(
                "| {} | {} | {} | {} |\n",
                code(&format!("{}:{line}", s.path)),
                code(if s.rule.is_empty() { "?" } else { &s.rule }),
                s.reason
                    .as_deref()
                    .map_or_else(|| "**no reason given**".to_string(), cell),
                if *used {
                    "a finding"
                } else {
                    "nothing (no finding of that rule there)"
                }
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_cannot_break_the_table_or_inject_html() {
        assert_eq!(cell("a | b\r\n<script>&"), "a \\| b<br>&lt;script&gt;&amp;");
        assert_eq!(
            cell("add `-- ignore <rule>` a<b"),
            "add `-- ignore <rule>` a&lt;b"
        );
        assert_eq!(cell("odd ` <b>"), "odd ` &lt;b&gt;");
        assert_eq!(code("a`b"), "`` a`b ``");
    }

    #[test]
    fn a_long_report_is_cut_to_what_a_comment_can_hold() {
        use crate::finding::{Finding, Sources};
        let findings: Vec<Finding> = (0..MAX_ROWS + 5)
            .map(|i| {
                Finding::new(
                    "syntax-error",
                    Location::head(format!("db/{i:04}.sql"), 0..0),
                    "x",
                )
            })
            .collect();
        let sources = Sources::default();
        let report = Report {
            findings: &findings,
            sources: &sources,
            checked: findings.len(),
            suppressions: &[],
            files: &[],
            rules: &[],
            baselined: 0,
        };
        let text = render(&report);
        assert_eq!(text.matches("| ❌ error |").count(), MAX_ROWS);
        assert!(text.contains("… and 5 more findings"));
    }
}
