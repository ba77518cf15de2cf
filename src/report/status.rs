//! `sqlgate status`: the table of migrations x environments as text, JSON
//! or Markdown (for a pull request comment or a job summary).

use serde::Serialize;

use crate::plan::promotion::{Standing, StatusTable};

/// How `status` prints its table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatusFormat {
    /// Aligned columns for a terminal.
    Text,
    /// One JSON object: environments and migrations.
    Json,
    /// A Markdown table.
    Markdown,
}

/// Renders the table.
pub fn render(table: &StatusTable, format: StatusFormat) -> String {
    match format {
        StatusFormat::Text => text(table),
        StatusFormat::Json => json(table),
        StatusFormat::Markdown => markdown(table),
    }
}

fn cell(standing: Standing, checksum: &Option<String>) -> String {
    match (standing, checksum) {
        (Standing::Deployed | Standing::Drifted, Some(c)) => format!("{} {c}", standing.word()),
        _ => standing.word().to_string(),
    }
}

fn header(table: &StatusTable) -> Vec<String> {
    let mut out = vec!["migration".to_string()];
    out.extend(table.envs.iter().map(|(name, shown, commit)| {
        let at = commit.as_deref().unwrap_or("absent");
        if shown.is_empty() || shown == name {
            format!("{name} @{at}")
        } else {
            format!("{name} ({shown} @{at})")
        }
    }));
    out
}

fn rows(table: &StatusTable) -> Vec<Vec<String>> {
    let dirs = table
        .rows
        .iter()
        .map(|r| r.dir.as_str())
        .collect::<std::collections::BTreeSet<_>>();
    table
        .rows
        .iter()
        .map(|r| {
            let name = if dirs.len() > 1 {
                format!("{}/{}", r.dir, r.migration)
            } else {
                r.migration.clone()
            };
            let mut row = vec![name];
            row.extend(r.cells.iter().map(|(s, c)| cell(*s, c)));
            row
        })
        .collect()
}

fn summary(table: &StatusTable) -> String {
    let count = |s: Standing| {
        table
            .rows
            .iter()
            .filter(|r| r.cells.iter().any(|(c, _)| *c == s))
            .count()
    };
    format!(
        "{} migrations; {} drifted, {} missing in a lower environment, {} pending promotion",
        table.rows.len(),
        count(Standing::Drifted),
        count(Standing::MissingBelow),
        count(Standing::Pending)
    )
}

fn text(table: &StatusTable) -> String {
    let header = header(table);
    let rows = rows(table);
    let widths: Vec<usize> = (0..header.len())
        .map(|i| {
            rows.iter()
                .map(|r| r[i].chars().count())
                .chain(std::iter::once(header[i].chars().count()))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: &[String]| {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        format!("{}\n", padded.join("  ").trim_end())
    };
    let mut out = line(&header);
    for row in &rows {
        out.push_str(&line(row));
    }
    out.push_str(&summary(table));
    out.push('\n');
    out
}

fn markdown(table: &StatusTable) -> String {
    let esc = |s: &str| s.replace('|', "\\|");
    let header = header(table);
    let mut out = String::from("### Migrations by environment\n\n");
    out.push_str(&format!(
        "| {} |\n|{}\n",
        header
            .iter()
            .map(|h| esc(h))
            .collect::<Vec<_>>()
            .join(" | "),
        " --- |".repeat(header.len())
    ));
    for row in rows(table) {
        let cells: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(i, c)| {
                if i == 0 {
                    format!("`{}`", esc(c))
                } else {
                    esc(c)
                }
            })
            .collect();
        out.push_str(&format!("| {} |\n", cells.join(" | ")));
    }
    out.push_str(&format!("\n{}\n", summary(table)));
    out
}

#[derive(Serialize)]
struct JsonEnv<'a> {
    name: &'a str,
    #[serde(rename = "ref")]
    reference: &'a str,
    commit: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonCell<'a> {
    environment: &'a str,
    state: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    checksum: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonRow<'a> {
    dir: &'a str,
    migration: &'a str,
    environments: Vec<JsonCell<'a>>,
}

#[derive(Serialize)]
struct JsonTable<'a> {
    environments: Vec<JsonEnv<'a>>,
    migrations: Vec<JsonRow<'a>>,
}

fn json(table: &StatusTable) -> String {
    let out = JsonTable {
        environments: table
            .envs
            .iter()
            .map(|(name, shown, commit)| JsonEnv {
                name,
                reference: shown,
                commit: commit.as_deref(),
            })
            .collect(),
        migrations: table
            .rows
            .iter()
            .map(|r| JsonRow {
                dir: &r.dir,
                migration: &r.migration,
                environments: r
                    .cells
                    .iter()
                    .zip(&table.envs)
                    .map(|((s, c), (name, _, _))| JsonCell {
                        environment: name,
                        state: s.word(),
                        checksum: c.as_deref(),
                    })
                    .collect(),
            })
            .collect(),
    };
    let mut text = serde_json::to_string_pretty(&out).unwrap_or_else(|_| "{}".to_string());
    text.push('\n');
    text
}
