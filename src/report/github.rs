//! `--format github`: GitHub Actions workflow commands. Each finding is an
//! `::error` or `::warning` annotation on its file and lines, shown on the
//! pull request's diff; the run's Markdown summary is the `markdown`
//! format, which the binary appends to `$GITHUB_STEP_SUMMARY`.

use super::{position, side_note, summary, Report};
use crate::finding::Severity;

/// Escapes a command's message: `%`, CR and LF, as the runner decodes them.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value: as a message, plus `:` and `,` that separate
/// properties.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

pub(super) fn render(report: &Report) -> String {
    let mut out = String::new();
    for f in report.findings {
        let command = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let (line, column, end_line, end_column) = position(&f.location, report.sources);
        let mut properties = vec![
            format!("file={}", escape_property(&f.location.path)),
            format!("line={line}"),
        ];
        // An empty span points at a whole file or line: no columns, so the
        // annotation covers the line.
        if !f.location.span.is_empty() {
            properties.push(format!("col={column}"));
            properties.push(format!("endLine={end_line}"));
            if end_line == line {
                properties.push(format!("endColumn={end_column}"));
            }
        }
        properties.push(format!("title={}", escape_property(&f.rule)));
        let mut message = f.message.clone();
        if let Some(label) = &f.label {
            message.push_str(&format!("\n{}:{line}: {label}", f.location.path));
        }
        for l in &f.labels {
            let (l_line, ..) = position(&l.location, report.sources);
            message.push_str(&format!(
                "\n{}:{l_line}: {}{}",
                l.location.path,
                l.text,
                side_note(l.location.side)
            ));
        }
        if let Some(help) = &f.help {
            message.push_str(&format!("\nhelp: {help}"));
        }
        out.push_str(&format!(
            "::{command} {}::{}\n",
            properties.join(","),
            escape_data(&message)
        ));
    }
    out.push_str(&summary(report));
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_and_properties_are_escaped_as_the_runner_decodes_them() {
        assert_eq!(escape_data("100% done\r\nnext"), "100%25 done%0D%0Anext");
        assert_eq!(escape_property("db/a,b:c%.sql"), "db/a%2Cb%3Ac%25.sql");
    }
}
