//! `volatile-default`: adding a column whose default must be computed for
//! every row rewrites the table under an ACCESS EXCLUSIVE lock.

use std::ops::ControlFlow;

use super::model::Action;
use super::{default_of, finding, postgres, scans};
use crate::finding::Finding;
use crate::rules::Context;
use crate::sql::ast;

/// Functions PostgreSQL marks VOLATILE that migrations use as defaults.
/// Unknown functions are not assumed volatile.
const VOLATILE: &[&str] = &[
    "random",
    "random_normal",
    "gen_random_uuid",
    "gen_random_bytes",
    "uuid_generate_v1",
    "uuid_generate_v1mc",
    "uuid_generate_v4",
    "uuidv4",
    "uuidv7",
    "clock_timestamp",
    "timeofday",
    "nextval",
];

/// Reports `ADD COLUMN` on tables that existed before the migration with a
/// volatile default or a stored generated expression; before PostgreSQL 11
/// (per `postgres_version`), any non-null default.
pub fn check(ctx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    if !postgres(ctx) {
        return out;
    }
    let fast_defaults = ctx.config.postgres_at_least(11);
    for scan in scans(ctx) {
        for (i, step) in scan.steps.iter().enumerate() {
            for action in step.actions() {
                let Action::AddColumn { table, column, at } = action else {
                    continue;
                };
                if scan.is_new_table(table, i) {
                    continue;
                }
                let name = &column.name;
                let t = &table.shown;
                let stored = column.options.iter().find_map(|o| match &o.option {
                    ast::ColumnOption::Generated {
                        generation_expr: Some(expr),
                        ..
                    } => Some(expr),
                    _ => None,
                });
                let why = if let Some(expr) = stored {
                    format!("its generated expression {expr} is computed for every row")
                } else if let Some(default) = default_of(column) {
                    if let Some(function) = volatile_call(default) {
                        format!("its default calls {function}(), which is volatile, so every row gets its own value")
                    } else if !fast_defaults && default.to_string() != "NULL" {
                        "PostgreSQL before 11 writes every default into every row".to_string()
                    } else {
                        continue;
                    }
                } else {
                    continue;
                };
                out.push(
                    finding(
                        "volatile-default",
                        &scan,
                        at.clone(),
                        format!("adding column {t}.{name} rewrites {t} under an ACCESS EXCLUSIVE lock: {why}"),
                    )
                    .label("table rewrite")
                    .help(format!(
                        "add {name} without the default, set the default for new rows (`ALTER TABLE {t} ALTER COLUMN {name} SET DEFAULT ...`, which rewrites nothing), and backfill existing rows in batches"
                    )),
                );
            }
        }
    }
    out
}

/// The first known-volatile function an expression calls.
fn volatile_call(expr: &ast::Expr) -> Option<String> {
    let mut found = None;
    let _ = ast::visit_expressions(expr, |e| {
        if let ast::Expr::Function(f) = e {
            let name = f
                .name
                .0
                .last()
                .and_then(|p| p.as_ident())
                .map(|i| i.value.to_ascii_lowercase());
            if let Some(name) = name.filter(|n| VOLATILE.contains(&n.as_str())) {
                found = Some(name);
                return ControlFlow::Break(());
            }
        }
        ControlFlow::Continue(())
    });
    found
}
