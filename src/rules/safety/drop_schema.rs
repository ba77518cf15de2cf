//! `drop-schema`: dropping a schema and everything in it.

use super::model::Action;
use super::{finding, scans};
use crate::finding::Finding;
use crate::rules::Context;

/// Reports `DROP SCHEMA` of schemas that existed before the migration.
pub fn check(ctx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    for scan in scans(ctx) {
        for (i, step) in scan.steps.iter().enumerate() {
            for action in step.actions() {
                let Action::DropSchema { name, at } = action else {
                    continue;
                };
                if scan.is_new_schema(name, i) {
                    continue;
                }
                out.push(
                    finding(
                        "drop-schema",
                        &scan,
                        at.clone(),
                        format!(
                            "dropping schema {} destroys every table in it and breaks the application version still running if it uses them",
                            name.shown
                        ),
                    )
                    .label("dropped here")
                    .help(format!(
                        "drop the schema's objects one by one once no running version uses them, or say why {} can go with `-- sqlgate:ignore drop-schema <reason>`",
                        name.shown
                    )),
                );
            }
        }
    }
    out
}
