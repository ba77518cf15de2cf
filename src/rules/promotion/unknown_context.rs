//! `unknown-context`: a Liquibase context or label expression names no
//! configured environment, or does not parse: a typo (`context:prdo`) that
//! makes a changeset run nowhere, or everywhere.

use crate::config::suggest;
use crate::finding::{Finding, Location};
use crate::plan::expression::Expr;
use crate::rules::Context;

/// Reports unknown names and broken expressions in new or changed
/// migrations' contexts and labels.
pub fn check(ctx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    let envs = &ctx.config.environments;
    let contexts: Vec<&str> = envs
        .iter()
        .flat_map(|e| e.contexts.iter().map(String::as_str))
        .collect();
    let labels: Vec<&str> = envs
        .iter()
        .flat_map(|e| e.labels.iter().map(String::as_str))
        .collect();
    for dir in &ctx.dirs {
        for (index, m) in dir.fresh() {
            let kinds = [
                ("context", &m.meta.contexts, &contexts),
                ("label", &m.meta.labels, &labels),
            ];
            for (kind, expressions, known) in kinds {
                if known.is_empty() {
                    continue;
                }
                for text in expressions {
                    let location = locate(dir, index, m, text);
                    match Expr::parse(text) {
                        Err(e) => out.push(
                            Finding::new(
                                "unknown-context",
                                location,
                                format!(
                                    "{kind} expression `{text}` of {} does not parse: {e}",
                                    m.name()
                                ),
                            )
                            .help("write names joined by `and`, `or`, `,`, `!` and parentheses"),
                        ),
                        Ok(None) => {}
                        Ok(Some(expr)) => {
                            for name in expr.names() {
                                if known.iter().any(|k| k.eq_ignore_ascii_case(name)) {
                                    continue;
                                }
                                let help = match suggest(name, known) {
                                    Some(s) => format!("did you mean `{s}`?"),
                                    None => format!(
                                        "the environments deploy with the {kind}s {}; add `{name}` to one in .sqlgate.yml if it is new",
                                        known.join(", ")
                                    ),
                                };
                                out.push(
                                    Finding::new(
                                        "unknown-context",
                                        location.clone(),
                                        format!(
                                            "{kind} `{name}` of {} is not deployed by any environment",
                                            m.name()
                                        ),
                                    )
                                    .label(format!("no environment deploys `{name}`"))
                                    .help(help),
                                );
                            }
                        }
                    }
                }
            }
        }
    }
    out
}

/// The expression's text in the migration's file, else where the
/// migration is declared.
fn locate(
    dir: &crate::rules::DirView,
    index: usize,
    m: &crate::plan::Migration,
    text: &str,
) -> Location {
    let fallback = super::declared(m, crate::finding::Side::Head);
    let Some(file_text) = dir
        .scripts_of(index)
        .find(|s| s.path == fallback.path)
        .and_then(|s| s.text.as_ref().ok())
    else {
        return fallback;
    };
    let from = fallback.span.start.min(file_text.len());
    match file_text[from..].find(text) {
        Some(at) => Location::head(&fallback.path, from + at..from + at + text.len()),
        None => fallback,
    }
}
