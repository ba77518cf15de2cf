//! `--format gitlab`: a GitLab Code Quality report (the Code Climate
//! subset GitLab reads), shown in the merge request widget and diff. The
//! fingerprint does not depend on line numbers, so GitLab tells new
//! findings from ones the target branch already had.

use serde_json::json;

use super::{fingerprints, position, Report};
use crate::finding::Severity;
use crate::rules::meta;

/// Code Climate's category for a rule category.
fn category(rule: &str) -> &'static str {
    match meta(rule).map(|m| m.category.as_str()) {
        Some("naming") => "Style",
        Some("safety") => "Compatibility",
        Some("meta") => "Clarity",
        _ => "Bug Risk",
    }
}

pub(super) fn render(report: &Report) -> String {
    let fingerprints = fingerprints(report);
    let issues: Vec<_> = report
        .findings
        .iter()
        .zip(fingerprints)
        .map(|(f, fingerprint)| {
            let (line, _, end_line, _) = position(&f.location, report.sources);
            let mut issue = json!({
                "type": "issue",
                "engine_name": "sqlgate",
                "check_name": f.rule,
                "description": format!("{}: {}", f.rule, f.message),
                "categories": [category(&f.rule)],
                "severity": match f.severity {
                    Severity::Error => "major",
                    Severity::Warning => "minor",
                },
                "fingerprint": fingerprint,
                "location": {
                    "path": f.location.path,
                    "lines": { "begin": line, "end": end_line },
                },
            });
            if let Some(help) = &f.help {
                issue["content"] = json!({ "body": help });
            }
            issue
        })
        .collect();
    let mut out = serde_json::to_string_pretty(&issues).unwrap_or_else(|_| "[]".to_string());
    out.push('\n');
    out
}
