//! `set-not-null`: `ALTER COLUMN ... SET NOT NULL` scans the whole table
//! under an ACCESS EXCLUSIVE lock.

use super::model::Action;
use super::{finding, postgres, scans};
use crate::finding::Finding;
use crate::rules::Context;

/// Reports `SET NOT NULL` on columns that existed before the migration,
/// unless a validated `CHECK (column IS NOT NULL)` lets PostgreSQL 12+ skip
/// the scan.
pub fn check(ctx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    if !postgres(ctx) {
        return out;
    }
    let check_helps = ctx.config.postgres_at_least(12);
    for scan in scans(ctx) {
        for (i, step) in scan.steps.iter().enumerate() {
            for action in step.actions() {
                let Action::SetNotNull { table, column, at } = action else {
                    continue;
                };
                if scan.is_new_column(table, column, i)
                    || (check_helps && scan.has_validated_not_null_check(table, column, i))
                {
                    continue;
                }
                let t = &table.shown;
                let help = if check_helps {
                    format!(
                        "add `ALTER TABLE {t} ADD CONSTRAINT {0}_{column}_not_null CHECK ({column} IS NOT NULL) NOT VALID;` in one migration and `ALTER TABLE {t} VALIDATE CONSTRAINT {0}_{column}_not_null;` in the next; then SET NOT NULL uses the validated check instead of scanning, and the check can be dropped",
                        table_stem(t)
                    )
                } else {
                    format!(
                        "before PostgreSQL 12 SET NOT NULL always scans: keep {column} nullable with a CHECK ({column} IS NOT NULL) constraint added NOT VALID and validated in the next migration"
                    )
                };
                out.push(
                    finding(
                        "set-not-null",
                        &scan,
                        at.clone(),
                        format!(
                            "SET NOT NULL on {t}.{column} scans every row of {t} under an ACCESS EXCLUSIVE lock, blocking its reads and writes"
                        ),
                    )
                    .label("full table scan under ACCESS EXCLUSIVE")
                    .help(help),
                );
            }
        }
    }
    out
}

/// The table's name without schema or quotes, for a suggested constraint
/// name.
fn table_stem(table: &str) -> String {
    table
        .rsplit('.')
        .next()
        .unwrap_or(table)
        .trim_matches('"')
        .to_string()
}
