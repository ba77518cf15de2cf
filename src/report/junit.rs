//! `--format junit`: JUnit XML, which Jenkins, GitLab and Harness CI show
//! as test results. One test case per rule and file checked: a rule with
//! an error finding in a file is a failure carrying the message and the
//! location; warnings are written to the case's output and do not fail it,
//! as they do not fail the check.

use std::collections::BTreeMap;

use super::{position, Report};
use crate::finding::{Finding, Severity};
use crate::rules::metas;

/// Text safe in XML content and attributes: markup characters escaped, and
/// characters XML 1.0 cannot hold at all replaced.
fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

fn describe(f: &Finding, report: &Report) -> String {
    let (line, column, ..) = position(&f.location, report.sources);
    let mut text = format!("{}:{line}:{column}: {}", f.location.path, f.message);
    if let Some(help) = &f.help {
        text.push_str(&format!("\nhelp: {help}"));
    }
    text
}

pub(super) fn render(report: &Report) -> String {
    // Rules in registry order, then any other rule that reported.
    let mut rules: Vec<&str> = metas()
        .iter()
        .map(|m| m.id.as_str())
        .filter(|id| report.rules.iter().any(|r| r == id))
        .collect();
    let mut files: Vec<&str> = report.files.iter().map(String::as_str).collect();
    let mut by_case: BTreeMap<(&str, &str), Vec<&Finding>> = BTreeMap::new();
    for f in report.findings {
        if !rules.contains(&f.rule.as_str()) {
            rules.push(&f.rule);
        }
        files.push(&f.location.path);
        by_case
            .entry((f.location.path.as_str(), f.rule.as_str()))
            .or_default()
            .push(f);
    }
    files.sort_unstable();
    files.dedup();
    let mut cases = String::new();
    let (mut tests, mut failures) = (0, 0);
    for file in &files {
        // A file that was not among the scripts checked (the configuration,
        // a deleted migration) has a case only for the rules that reported.
        let checked = report.files.iter().any(|f| f == file);
        for rule in &rules {
            let found = by_case.get(&(*file, *rule)).map_or(&[][..], Vec::as_slice);
            if !checked && found.is_empty() {
                continue;
            }
            tests += 1;
            let errors: Vec<&&Finding> = found
                .iter()
                .filter(|f| f.severity == Severity::Error)
                .collect();
            let warnings: Vec<&&Finding> = found
                .iter()
                .filter(|f| f.severity == Severity::Warning)
                .collect();
            let open = format!(
                "    <testcase name=\"{}\" classname=\"sqlgate.{}\" file=\"{}\"",
                xml(file),
                xml(rule),
                xml(file)
            );
            if errors.is_empty() && warnings.is_empty() {
                cases.push_str(&format!("{open}/>\n"));
                continue;
            }
            cases.push_str(&format!("{open}>\n"));
            if let Some(first) = errors.first() {
                failures += 1;
                let message = if errors.len() == 1 {
                    first.message.clone()
                } else {
                    format!("{} (and {} more)", first.message, errors.len() - 1)
                };
                let body: Vec<String> = errors.iter().map(|f| describe(f, report)).collect();
                cases.push_str(&format!(
                    "      <failure message=\"{}\" type=\"{}\">{}</failure>\n",
                    xml(&message),
                    xml(rule),
                    xml(&body.join("\n\n"))
                ));
            }
            if !warnings.is_empty() {
                let body: Vec<String> = warnings
                    .iter()
                    .map(|f| format!("warning: {}", describe(f, report)))
                    .collect();
                cases.push_str(&format!(
                    "      <system-out>{}</system-out>\n",
                    xml(&body.join("\n\n"))
                ));
            }
            cases.push_str("    </testcase>\n");
        }
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <testsuites name=\"sqlgate\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\">\n\
         \x20 <testsuite name=\"sqlgate\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\">\n\
         {cases}\
         \x20 </testsuite>\n\
         </testsuites>\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_escapes_markup_and_replaces_what_xml_cannot_hold() {
        assert_eq!(
            xml("a<b & \"c\" 'd'>"),
            "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;"
        );
        assert_eq!(xml("nul\u{0}bell\u{7}"), "nul\u{fffd}bell\u{fffd}");
        assert_eq!(xml("tab\tline\n"), "tab\tline\n");
    }
}
