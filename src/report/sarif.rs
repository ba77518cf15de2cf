//! `--format sarif`: SARIF 2.1.0 for code scanning (GitHub, GitLab, Azure
//! DevOps). Every rule's metadata and help come from `rules/*.yaml`; each
//! result carries a fingerprint that does not depend on line numbers, so a
//! finding keeps its identity across commits.

use serde_json::{json, Map, Value};

use super::{fingerprints, position, side_note, Report};
use crate::finding::{Location, Severity};
use crate::rules::{metas, Example, RuleMeta};

/// The schema the output follows.
const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// The key of sqlgate's fingerprint in `partialFingerprints`.
pub const FINGERPRINT_KEY: &str = "sqlgate/v1";

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// A relative path as a URI reference: every byte outside the unreserved
/// set and `/` percent-encoded.
fn uri(path: &str) -> String {
    let mut out = String::new();
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// `version-order` -> `VersionOrder`.
fn pascal(id: &str) -> String {
    id.split('-')
        .map(|part| {
            let mut chars = part.chars();
            match chars.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

fn examples_markdown(out: &mut String, title: &str, examples: &[Example]) {
    for e in examples {
        out.push_str(&format!(
            "\n**{title}**: {}\n",
            e.description.as_deref().unwrap_or("")
        ));
        if let Some(sql) = &e.sql {
            out.push_str(&format!("\n```sql\n{}\n```\n", sql.trim_end()));
        }
        for (path, text) in e.head.iter() {
            let lang = if path.ends_with(".sql") {
                "sql"
            } else {
                "yaml"
            };
            out.push_str(&format!(
                "\n`{path}` in the change:\n\n```{lang}\n{}\n```\n",
                text.trim_end()
            ));
        }
        for path in &e.deleted {
            out.push_str(&format!("\n`{path}` deleted by the change\n"));
        }
    }
}

fn rule(meta: &RuleMeta) -> Value {
    let mut markdown = format!("{}\n\n{}\n", meta.summary, meta.rationale.trim_end());
    examples_markdown(&mut markdown, "Bad", &meta.examples.bad);
    examples_markdown(&mut markdown, "Good", &meta.examples.good);
    json!({
        "id": meta.id,
        "name": pascal(&meta.id),
        "shortDescription": { "text": meta.summary },
        "fullDescription": { "text": meta.rationale.trim_end() },
        "help": {
            "text": super::explain(meta),
            "markdown": markdown,
        },
        "defaultConfiguration": { "level": level(meta.severity) },
        "properties": {
            "category": meta.category,
            "tags": ["sqlgate", meta.category],
        },
    })
}

fn physical(location: &Location, report: &Report) -> Value {
    let (line, column, end_line, end_column) = position(location, report.sources);
    // An empty span (a whole file, a missing file) points at its line.
    let region = if location.span.is_empty() {
        json!({ "startLine": line })
    } else {
        json!({
            "startLine": line,
            "startColumn": column,
            "endLine": end_line,
            "endColumn": end_column,
        })
    };
    json!({
        "artifactLocation": { "uri": uri(&location.path), "uriBaseId": "%SRCROOT%" },
        "region": region,
    })
}

pub(super) fn render(report: &Report) -> String {
    let metas = metas();
    let fingerprints = fingerprints(report);
    let results: Vec<Value> = report
        .findings
        .iter()
        .zip(&fingerprints)
        .map(|(f, fingerprint)| {
            let mut text = f.message.clone();
            if let Some(help) = &f.help {
                text.push_str(&format!("\nhelp: {help}"));
            }
            let mut primary = Map::new();
            primary.insert("physicalLocation".into(), physical(&f.location, report));
            if let Some(label) = &f.label {
                primary.insert("message".into(), json!({ "text": label }));
            }
            let mut result = Map::new();
            result.insert("ruleId".into(), json!(f.rule));
            if let Some(index) = metas.iter().position(|m| m.id == f.rule) {
                result.insert("ruleIndex".into(), json!(index));
            }
            result.insert("level".into(), json!(level(f.severity)));
            result.insert("message".into(), json!({ "text": text }));
            result.insert("locations".into(), json!([primary]));
            if !f.labels.is_empty() {
                let related: Vec<Value> = f
                    .labels
                    .iter()
                    .enumerate()
                    .map(|(i, l)| {
                        json!({
                            "id": i + 1,
                            "physicalLocation": physical(&l.location, report),
                            "message": { "text": format!("{}{}", l.text, side_note(l.location.side)) },
                        })
                    })
                    .collect();
                result.insert("relatedLocations".into(), json!(related));
            }
            result.insert(
                "partialFingerprints".into(),
                json!({ FINGERPRINT_KEY: fingerprint }),
            );
            Value::Object(result)
        })
        .collect();
    let log = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "sqlgate",
                    "version": env!("CARGO_PKG_VERSION"),
                    "semanticVersion": env!("CARGO_PKG_VERSION"),
                    "rules": metas.iter().map(rule).collect::<Vec<_>>(),
                }
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    let mut out = serde_json::to_string_pretty(&log).unwrap_or_default();
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_uri_references() {
        assert_eq!(
            uri("db/migrations/0001 init#1.sql"),
            "db/migrations/0001%20init%231.sql"
        );
        assert_eq!(uri("db/é.sql"), "db/%C3%A9.sql");
        assert_eq!(
            pascal("applied-migration-modified"),
            "AppliedMigrationModified"
        );
    }
}
