//! Inline suppressions: `-- sqlgate:ignore <rule-id> <reason>` before a
//! statement silences that rule on that statement; `-- sqlgate:ignore-file
//! <rule-id> <reason>` anywhere silences it in the whole file. A suppression
//! without a reason, one that names no rule, and one that silences nothing
//! are findings themselves, so that suppressions do not rot.

use std::ops::Range;

use crate::finding::{Finding, Location};

/// What a directive covers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scope {
    /// The statement with this span.
    Statement(Range<usize>),
    /// The whole file.
    File,
    /// Nothing: no statement follows the comment.
    Nothing,
}

/// One `sqlgate:ignore` directive.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suppression {
    /// The file it is in.
    pub path: String,
    /// The rule it silences.
    pub rule: String,
    /// Why, as written; `None` when missing.
    pub reason: Option<String>,
    /// The comment's span.
    pub comment: Range<usize>,
    /// What it covers.
    pub scope: Scope,
    /// How it is written: `sqlgate:ignore`, `sqlgate:ignore-file`, or
    /// `sqlgate:irreversible` (an acknowledgement of `irreversible-change`).
    pub directive: &'static str,
}

/// Reads the directives from a file's comments. `statements` are the spans
/// of the file's statements, in order.
pub fn find(
    path: &str,
    text: &str,
    comments: &[Range<usize>],
    statements: &[Range<usize>],
) -> Vec<Suppression> {
    let mut out = Vec::new();
    for comment in comments {
        let Some(body) = text.get(comment.clone()) else {
            continue;
        };
        let body = body
            .trim_start_matches("--")
            .trim_start_matches("/*")
            .trim_end_matches("*/")
            .trim();
        // `sqlgate:irreversible <reason>` acknowledges the data loss of the
        // next statement: a suppression of `irreversible-change`, listed
        // with the others for reviewers.
        let acknowledged;
        let (file_wide, rest, written) =
            if let Some(reason) = body.strip_prefix("sqlgate:irreversible") {
                acknowledged = format!("irreversible-change {}", reason.trim());
                (false, acknowledged.as_str(), "sqlgate:irreversible")
            } else if let Some(rest) = body.strip_prefix("sqlgate:ignore-file") {
                (true, rest, "sqlgate:ignore-file")
            } else if let Some(rest) = body.strip_prefix("sqlgate:ignore") {
                (false, rest, "sqlgate:ignore")
            } else {
                continue;
            };
        let mut words = rest.trim().splitn(2, char::is_whitespace);
        let rule = words.next().unwrap_or("").trim_end_matches(':').to_string();
        let reason = words
            .next()
            .map(|r| r.trim().trim_start_matches(['-', ':']).trim().to_string())
            .filter(|r| !r.is_empty());
        let scope = if file_wide {
            Scope::File
        } else {
            statements
                .iter()
                .find(|s| s.start >= comment.end)
                .map_or(Scope::Nothing, |s| Scope::Statement(s.clone()))
        };
        out.push(Suppression {
            path: path.to_string(),
            rule,
            reason,
            comment: comment.clone(),
            scope,
            directive: written,
        });
    }
    out
}

impl Suppression {
    /// Whether this directive silences the finding.
    pub fn covers(&self, finding: &Finding) -> bool {
        if finding.rule != self.rule || finding.location.path != self.path {
            return false;
        }
        match &self.scope {
            Scope::File => true,
            Scope::Statement(span) => {
                span.start <= finding.location.span.start && finding.location.span.start <= span.end
            }
            Scope::Nothing => false,
        }
    }
}

/// Removes the findings that a directive silences, and reports directives
/// that are themselves wrong: without a reason (`suppression-without-reason`),
/// naming a rule that does not exist (`unknown-rule-in-suppression`, with
/// the closest id), or silencing nothing (`unused-suppression`). `checked`
/// says whether this run checked a rule at all (it is not off, and can fire
/// in this mode); a directive for a rule that was not checked is not unused.
/// Returns the kept findings and, for each directive, whether it silenced
/// anything.
pub fn apply(
    findings: Vec<Finding>,
    suppressions: &[Suppression],
    checked: &dyn Fn(&str) -> bool,
) -> (Vec<Finding>, Vec<bool>) {
    let mut used = vec![false; suppressions.len()];
    let mut kept = Vec::new();
    for finding in findings {
        let mut silenced = false;
        for (i, s) in suppressions.iter().enumerate() {
            if s.covers(&finding) {
                used[i] = true;
                silenced = true;
            }
        }
        if !silenced {
            kept.push(finding);
        }
    }
    for s in suppressions.iter().filter(|s| s.reason.is_none()) {
        if s.directive == "sqlgate:irreversible" {
            kept.push(
                Finding::new(
                    "suppression-without-reason",
                    Location::head(&s.path, s.comment.clone()),
                    "`sqlgate:irreversible` gives no reason",
                )
                .label("no reason after the directive")
                .help("say why losing the data is fine: `-- sqlgate:irreversible <reason>`"),
            );
            continue;
        }
        kept.push(
            Finding::new(
                "suppression-without-reason",
                Location::head(&s.path, s.comment.clone()),
                format!("`sqlgate:ignore {}` gives no reason", s.rule),
            )
            .label("no reason after the rule id")
            .help(format!(
                "say why the rule does not apply here: `-- sqlgate:ignore {} <reason>`",
                if s.rule.is_empty() {
                    "<rule-id>"
                } else {
                    &s.rule
                }
            )),
        );
    }
    let ids = crate::rules::ids();
    for (s, _) in suppressions.iter().zip(&used).filter(|(_, used)| !**used) {
        if s.rule.is_empty() {
            continue;
        }
        if !ids.contains(&s.rule.as_str()) {
            kept.push(unknown_rule(s, &ids));
        } else if checked(&s.rule) {
            kept.push(unused(s));
        }
    }
    (kept, used)
}

fn directive(s: &Suppression) -> &'static str {
    s.directive
}

fn unknown_rule(s: &Suppression, ids: &[&str]) -> Finding {
    let finding = Finding::new(
        "unknown-rule-in-suppression",
        Location::head(&s.path, s.comment.clone()),
        format!("`{} {}` names no rule", directive(s), s.rule),
    )
    .label("unknown rule id");
    match super::suggest(&s.rule, ids) {
        Some(id) => finding.help(format!(
            "did you mean `{id}`? (`sqlgate rules` lists every rule id)"
        )),
        None => finding.help("`sqlgate rules` lists every rule id"),
    }
}

fn unused(s: &Suppression) -> Finding {
    if s.directive == "sqlgate:irreversible" {
        return Finding::new(
            "unused-suppression",
            Location::head(&s.path, s.comment.clone()),
            "`sqlgate:irreversible` acknowledges nothing: the statement after it destroys no data",
        )
        .label("nothing to acknowledge on the next statement")
        .help("remove the comment, or move it to the line before the statement that loses data");
    }
    let (message, label) = match &s.scope {
        Scope::File => (
            format!(
                "`{} {}` suppresses nothing: the file raises no {} finding",
                directive(s),
                s.rule,
                s.rule
            ),
            "nothing to suppress in this file",
        ),
        Scope::Statement(_) => (
            format!(
                "`{} {}` suppresses nothing: the statement after it raises no {} finding",
                directive(s),
                s.rule,
                s.rule
            ),
            "nothing to suppress on the next statement",
        ),
        Scope::Nothing => (
            format!(
                "`{} {}` suppresses nothing: no statement follows it",
                directive(s),
                s.rule
            ),
            "no statement after this comment",
        ),
    };
    Finding::new(
        "unused-suppression",
        Location::head(&s.path, s.comment.clone()),
        message,
    )
    .label(label)
    .help("remove the comment; if the finding comes back, the suppression can be added again with its reason")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn irreversible_acknowledges_the_next_statement() {
        let text = "-- sqlgate:irreversible archived to S3 first\nDROP TABLE audit;\n-- sqlgate:irreversible\nSELECT 1;";
        let comments = [0..44, 63..86];
        let statements = [45..62, 87..96];
        let found = find("a.sql", text, &comments, &statements);
        assert_eq!(found[0].rule, "irreversible-change");
        assert_eq!(found[0].reason.as_deref(), Some("archived to S3 first"));
        assert_eq!(found[0].scope, Scope::Statement(45..62));
        assert_eq!(found[1].reason, None);
        let (_, used) = apply(Vec::new(), &found, &|_| true);
        assert_eq!(used, [false, false]);
    }

    #[test]
    fn ignore_covers_the_next_statement_only() {
        let text = "-- sqlgate:ignore syntax-error vendor syntax\nSELECT 1;\nSELECT 2;";
        let comments = [Range { start: 0, end: 44 }];
        let s = find("a.sql", text, &comments, &[45..53, 55..63]);
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].reason.as_deref(), Some("vendor syntax"));
        let at =
            |span: Range<usize>| Finding::new("syntax-error", Location::head("a.sql", span), "x");
        assert!(s[0].covers(&at(45..50)));
        assert!(!s[0].covers(&at(55..60)));
    }

    #[test]
    fn suppression_without_reason_is_a_finding() {
        let text = "-- sqlgate:ignore-file syntax-error\nSELECT 1;";
        let comments = [Range { start: 0, end: 35 }];
        let statements = [Range { start: 36, end: 44 }];
        let s = find("a.sql", text, &comments, &statements);
        let (kept, used) = apply(vec![], &s, &|_| false);
        assert_eq!(kept.len(), 1);
        assert_eq!(kept[0].rule, "suppression-without-reason");
        assert_eq!(used, vec![false]);
    }

    fn directives(text: &str) -> Vec<Suppression> {
        let comments: Vec<Range<usize>> = text
            .match_indices("--")
            .map(|(i, _)| i..text[i..].find('\n').map_or(text.len(), |n| i + n))
            .collect();
        let statements: Vec<Range<usize>> = text
            .match_indices("SELECT")
            .map(|(i, _)| i..text[i..].find(';').map_or(text.len(), |n| i + n))
            .collect();
        find("a.sql", text, &comments, &statements)
    }

    #[test]
    fn a_suppression_that_silences_nothing_is_unused() {
        let s = directives("-- sqlgate:ignore syntax-error vendor syntax\nSELECT 1;\n");
        let (kept, used) = apply(vec![], &s, &|_| true);
        assert_eq!(used, vec![false]);
        assert_eq!(kept.len(), 1);
        assert_eq!(kept[0].rule, "unused-suppression");
        assert_eq!(kept[0].location.span, s[0].comment);
    }

    #[test]
    fn a_suppression_for_a_rule_not_checked_is_not_unused() {
        let s = directives("-- sqlgate:ignore version-order merged late on purpose\nSELECT 1;\n");
        let (kept, _) = apply(vec![], &s, &|rule| rule != "version-order");
        assert!(kept.is_empty(), "{kept:?}");
    }

    #[test]
    fn a_used_suppression_is_not_reported() {
        let s = directives("-- sqlgate:ignore syntax-error vendor syntax\nSELECT 1;\n");
        let at = s[0].comment.end + 1;
        let finding = Finding::new("syntax-error", Location::head("a.sql", at..at + 6), "x");
        let (kept, used) = apply(vec![finding], &s, &|_| true);
        assert!(kept.is_empty(), "{kept:?}");
        assert_eq!(used, vec![true]);
    }

    #[test]
    fn an_unknown_rule_id_is_an_error_with_the_closest_id() {
        let s = directives("-- sqlgate:ignore-file syntax-eror vendor syntax\nSELECT 1;\n");
        let (kept, _) = apply(vec![], &s, &|_| true);
        assert_eq!(kept.len(), 1);
        assert_eq!(kept[0].rule, "unknown-rule-in-suppression");
        assert!(kept[0].message.contains("sqlgate:ignore-file syntax-eror"));
        assert_eq!(
            kept[0].help.as_deref(),
            Some("did you mean `syntax-error`? (`sqlgate rules` lists every rule id)")
        );
    }
}
