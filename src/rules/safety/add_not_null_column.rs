//! `add-not-null-column`: a NOT NULL column without a default added to a
//! table that already has rows and a running application.

use super::model::Action;
use super::{default_of, finding, is_generated_key, is_primary_key, scans, type_name};
use crate::finding::Finding;
use crate::rules::Context;
use crate::sql::{ast, Dialect};

/// Reports `ADD COLUMN ... NOT NULL` (or `PRIMARY KEY`) without a DEFAULT
/// or generated values, on tables that existed before the migration.
pub fn check(ctx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    for scan in scans(ctx) {
        for (i, step) in scan.steps.iter().enumerate() {
            for action in step.actions() {
                let Action::AddColumn { table, column, at } = action else {
                    continue;
                };
                let not_null = is_primary_key(column)
                    || column
                        .options
                        .iter()
                        .any(|o| matches!(o.option, ast::ColumnOption::NotNull));
                let filled = default_of(column).is_some_and(|d| !is_null(d))
                    || is_generated_key(column)
                    || column
                        .options
                        .iter()
                        .any(|o| matches!(o.option, ast::ColumnOption::Generated { .. }));
                if !not_null || filled || scan.is_new_table(table, i) {
                    continue;
                }
                let name = &column.name;
                let fails = match ctx.config.dialect {
                    // MySQL fills existing rows with the type's implicit
                    // default; the others refuse a table with rows.
                    Dialect::Mysql => "",
                    _ => "fails on a table that has rows, and ",
                };
                out.push(
                    finding(
                        "add-not-null-column",
                        &scan,
                        at.clone(),
                        format!(
                            "adding NOT NULL column {}.{name} without a default {fails}makes every INSERT of the application version still running, which does not set {name}, fail",
                            table.shown
                        ),
                    )
                    .label("NOT NULL without DEFAULT")
                    .help(format!(
                        "give it a default (`ADD COLUMN {name} {} NOT NULL DEFAULT ...`, which PostgreSQL 11+ adds without a rewrite), or add it nullable, backfill it, and make it NOT NULL once every running version writes it",
                        type_name(&column.data_type)
                    )),
                );
            }
        }
    }
    out
}

fn is_null(expr: &ast::Expr) -> bool {
    expr.to_string().eq_ignore_ascii_case("NULL")
}
