//! `--format rdjson`: reviewdog's diagnostic format, one JSON object, for
//! `reviewdog -f=rdjson` to post as review comments on any code host.
//! Columns are UTF-8 byte counts, as the format defines them.

use serde_json::{json, Value};

use super::{byte_position, side_note, Report};
use crate::finding::{Location, Severity};

fn location(location: &Location, report: &Report) -> Value {
    let (line, column, end_line, end_column) = byte_position(location, report.sources);
    json!({
        "path": location.path,
        "range": {
            "start": { "line": line, "column": column },
            "end": { "line": end_line, "column": end_column },
        },
    })
}

pub(super) fn render(report: &Report) -> String {
    let diagnostics: Vec<Value> = report
        .findings
        .iter()
        .map(|f| {
            let mut message = f.message.clone();
            if let Some(help) = &f.help {
                message.push_str(&format!("\nhelp: {help}"));
            }
            let mut d = json!({
                "message": message,
                "location": location(&f.location, report),
                "severity": match f.severity {
                    Severity::Error => "ERROR",
                    Severity::Warning => "WARNING",
                },
                "code": { "value": f.rule },
            });
            if !f.labels.is_empty() {
                d["related_locations"] = f
                    .labels
                    .iter()
                    .map(|l| {
                        json!({
                            "message": format!("{}{}", l.text, side_note(l.location.side)),
                            "location": location(&l.location, report),
                        })
                    })
                    .collect();
            }
            d
        })
        .collect();
    let out = json!({
        "source": { "name": "sqlgate" },
        "diagnostics": diagnostics,
    });
    let mut text = serde_json::to_string_pretty(&out).unwrap_or_default();
    text.push('\n');
    text
}
