//! `index-without-concurrently`: `CREATE INDEX`, `DROP INDEX` and `REINDEX`
//! without CONCURRENTLY lock the table while they work.

use super::model::Action;
use super::{finding, postgres, scans, Scan, Wrap};
use crate::finding::Finding;
use crate::rules::Context;

/// Reports index builds on tables, and drops of indexes, that existed
/// before the migration, when they are not CONCURRENTLY. `CREATE INDEX ...
/// ON ONLY` (a partitioned table's parent alone) only records the index and
/// is not reported.
pub fn check(ctx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    if !postgres(ctx) {
        return out;
    }
    let reindex_concurrently = ctx.config.postgres_at_least(12);
    for scan in scans(ctx) {
        for (i, step) in scan.steps.iter().enumerate() {
            for action in step.actions() {
                match action {
                    Action::CreateIndex {
                        name,
                        table,
                        concurrently: false,
                        only: false,
                        at,
                    } if !scan.is_new_table(table, i) => {
                        let index = name.as_ref().map_or("an index".to_string(), |n| format!("index {}", n.shown));
                        out.push(
                            finding(
                                "index-without-concurrently",
                                &scan,
                                at.clone(),
                                format!(
                                    "creating {index} on {} without CONCURRENTLY blocks writes to {} until the index is built",
                                    table.shown, table.shown
                                ),
                            )
                            .label("builds under a SHARE lock")
                            .help(advice(&scan, "CREATE INDEX CONCURRENTLY")),
                        );
                    }
                    Action::DropIndex {
                        name,
                        concurrently: false,
                        at,
                    } if !scan.is_new_index(name, i) => out.push(
                        finding(
                            "index-without-concurrently",
                            &scan,
                            at.clone(),
                            format!(
                                "dropping index {} without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on its table, blocking reads and writes while it waits for running queries",
                                name.shown
                            ),
                        )
                        .label("ACCESS EXCLUSIVE on the table")
                        .help(advice(&scan, "DROP INDEX CONCURRENTLY")),
                    ),
                    Action::Reindex {
                        concurrently: false,
                        at,
                    } if reindex_concurrently => out.push(
                        finding(
                            "index-without-concurrently",
                            &scan,
                            at.clone(),
                            "REINDEX without CONCURRENTLY blocks writes to the table, and reads that use the index, until it finishes",
                        )
                        .label("locks while rebuilding")
                        .help(advice(&scan, "REINDEX ... CONCURRENTLY")),
                    ),
                    _ => {}
                }
            }
        }
    }
    out
}

/// What to write instead, for this migration's tool.
fn advice(scan: &Scan, statement: &str) -> String {
    match scan.wrap {
        Wrap::None => format!("use {statement}"),
        _ => format!(
            "use {statement}, which cannot run in a transaction: {}",
            scan.dir.head.layout.no_transaction_hint()
        ),
    }
}
