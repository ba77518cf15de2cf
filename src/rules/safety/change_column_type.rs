//! `change-column-type`: `ALTER COLUMN ... TYPE` rewrites the table and
//! changes what the running application reads.

use super::model::Action;
use super::{finding, postgres, scans, type_name};
use crate::finding::Finding;
use crate::rules::Context;
use crate::sql::ast;

/// Reports type changes of columns that existed before the migration,
/// except to `text`, `varchar` and `numeric` without `USING`: the targets of
/// the widenings PostgreSQL does without a rewrite (`varchar(n)` to a longer
/// `varchar` or `text`, `numeric(p,s)` to a larger precision). The current
/// type of a column is not in the change, so those targets are trusted.
pub fn check(ctx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    if !postgres(ctx) {
        return out;
    }
    for scan in scans(ctx) {
        for (i, step) in scan.steps.iter().enumerate() {
            for action in step.actions() {
                let Action::SetColumnType {
                    table,
                    column,
                    data_type,
                    using,
                    at,
                } = action
                else {
                    continue;
                };
                if scan.is_new_column(table, column, i) || (!using && widening_target(data_type)) {
                    continue;
                }
                let t = &table.shown;
                let data_type = type_name(data_type);
                out.push(
                    finding(
                        "change-column-type",
                        &scan,
                        at.clone(),
                        format!(
                            "changing the type of {t}.{column} to {data_type} rewrites {t} and its indexes under an ACCESS EXCLUSIVE lock, and the application version still running reads the old type"
                        ),
                    )
                    .label("table rewrite")
                    .help(format!(
                        "expand and contract: add a new {data_type} column, keep it in sync (trigger or dual writes) and backfill it in batches, move the application to it, then drop {column} in a later release"
                    )),
                );
            }
        }
    }
    out
}

/// Types that the usual safe widenings change a column to.
fn widening_target(data_type: &ast::DataType) -> bool {
    matches!(
        data_type,
        ast::DataType::Text
            | ast::DataType::Varchar(_)
            | ast::DataType::CharacterVarying(_)
            | ast::DataType::CharVarying(_)
            | ast::DataType::Numeric(_)
            | ast::DataType::Decimal(_)
            | ast::DataType::Dec(_)
    )
}
