//! `ban-truncate-cascade`: `TRUNCATE ... CASCADE` empties every table that
//! references the truncated ones, transitively.

use super::model::Action;
use super::{finding, postgres, scans};
use crate::finding::Finding;
use crate::rules::Context;

/// Reports `TRUNCATE ... CASCADE`.
pub fn check(ctx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    if !postgres(ctx) {
        return out;
    }
    for scan in scans(ctx) {
        for step in scan.steps {
            for action in step.actions() {
                let Action::Truncate {
                    tables,
                    cascade: true,
                } = action
                else {
                    continue;
                };
                let names: Vec<&str> = tables.iter().map(|t| t.shown.as_str()).collect();
                out.push(
                    finding(
                        "ban-truncate-cascade",
                        &scan,
                        step.span.clone(),
                        format!(
                            "TRUNCATE {} CASCADE also empties every table with a foreign key to {}, and the tables that reference those in turn",
                            names.join(", "),
                            if names.len() == 1 { "it" } else { "them" }
                        ),
                    )
                    .label("empties tables this statement does not name")
                    .help("name every table to empty in the TRUNCATE and leave CASCADE out: PostgreSQL then refuses instead of emptying tables nobody listed"),
                );
            }
        }
    }
    out
}
