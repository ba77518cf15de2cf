//! `add-serial-column`: adding a serial or identity column numbers every
//! existing row, rewriting the table under an ACCESS EXCLUSIVE lock.

use super::model::Action;
use super::{finding, is_generated_key, postgres, scans, serial_name};
use crate::finding::Finding;
use crate::rules::Context;

/// Reports `ADD COLUMN` of `serial`-family or identity columns on tables
/// that existed before the migration.
pub fn check(ctx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    if !postgres(ctx) {
        return out;
    }
    for scan in scans(ctx) {
        for (i, step) in scan.steps.iter().enumerate() {
            for action in step.actions() {
                let Action::AddColumn { table, column, at } = action else {
                    continue;
                };
                if !is_generated_key(column) || scan.is_new_table(table, i) {
                    continue;
                }
                let name = &column.name;
                let t = &table.shown;
                let kind = serial_name(&column.data_type).unwrap_or_else(|| "identity".to_string());
                out.push(
                    finding(
                        "add-serial-column",
                        &scan,
                        at.clone(),
                        format!(
                            "adding {kind} column {t}.{name} rewrites {t} under an ACCESS EXCLUSIVE lock to give every existing row a value"
                        ),
                    )
                    .label("table rewrite")
                    .help(format!(
                        "add {name} as a nullable bigint, give it a sequence default for new rows, backfill existing rows in batches, then add NOT NULL and the key the safe way (see set-not-null and add-primary-key-without-index)"
                    )),
                );
            }
        }
    }
    out
}
