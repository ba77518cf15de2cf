//! `--format json`: one array, one object per finding. The field names are
//! a public interface (see README): add fields, never rename them.

use serde::Serialize;

use super::{position, Report};
use crate::finding::{Location, Side, Sources};

#[derive(Serialize)]
struct JsonLabel<'a> {
    path: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    message: &'a str,
    /// `head`, `base` or `target`: which side of the range the file is read from.
    side: &'static str,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    rule: &'a str,
    severity: &'static str,
    message: &'a str,
    path: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<&'a str>,
    labels: Vec<JsonLabel<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    commit: Option<&'a str>,
}

fn side(side: Side) -> &'static str {
    match side {
        Side::Base => "base",
        Side::Target => "target",
        Side::Head => "head",
        Side::Env(_) => "environment",
    }
}

fn label<'a>(location: &'a Location, message: &'a str, sources: &Sources) -> JsonLabel<'a> {
    let (line, column, end_line, end_column) = position(location, sources);
    JsonLabel {
        path: &location.path,
        line,
        column,
        end_line,
        end_column,
        message,
        side: side(location.side),
    }
}

pub(super) fn render(report: &Report) -> String {
    let findings: Vec<JsonFinding> = report
        .findings
        .iter()
        .map(|f| {
            let (line, column, end_line, end_column) = position(&f.location, report.sources);
            let mut labels = Vec::new();
            if let Some(text) = &f.label {
                labels.push(label(&f.location, text, report.sources));
            }
            labels.extend(
                f.labels
                    .iter()
                    .map(|l| label(&l.location, &l.text, report.sources)),
            );
            JsonFinding {
                rule: &f.rule,
                severity: f.severity.name(),
                message: &f.message,
                path: &f.location.path,
                line,
                column,
                end_line,
                end_column,
                help: f.help.as_deref(),
                labels,
                commit: f.commit.as_deref(),
            }
        })
        .collect();
    let mut out = serde_json::to_string_pretty(&findings).unwrap_or_else(|_| "[]".to_string());
    out.push('\n');
    out
}
