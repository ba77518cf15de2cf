//! `concurrently-in-transaction`: a CONCURRENTLY statement inside a
//! transaction fails at deployment.

use super::model::Action;
use super::{finding, postgres, scans, Tx, Wrap};
use crate::finding::Finding;
use crate::layout::Layout;
use crate::rules::Context;

/// Reports `CREATE INDEX CONCURRENTLY`, `DROP INDEX CONCURRENTLY`, `REINDEX
/// ... CONCURRENTLY` and `DETACH PARTITION ... CONCURRENTLY` that run inside
/// a transaction: one the tool wraps the migration in, or one the script
/// opens with BEGIN.
pub fn check(ctx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    if !postgres(ctx) {
        return out;
    }
    for scan in scans(ctx) {
        for step in scan.steps {
            let Some(tx) = &step.tx else { continue };
            for action in step.actions() {
                let (what, at) = match action {
                    Action::CreateIndex {
                        concurrently: true,
                        at,
                        ..
                    } => ("CREATE INDEX CONCURRENTLY", at),
                    Action::DropIndex {
                        concurrently: true,
                        at,
                        ..
                    } => ("DROP INDEX CONCURRENTLY", at),
                    Action::Reindex {
                        concurrently: true,
                        at,
                    } => ("REINDEX CONCURRENTLY", at),
                    Action::DetachConcurrently { at } => ("DETACH PARTITION CONCURRENTLY", at),
                    _ => continue,
                };
                let layout = scan.dir.head.layout;
                let f = match tx {
                    Tx::Explicit { begin, .. } => finding(
                        "concurrently-in-transaction",
                        &scan,
                        at.clone(),
                        format!("{what} cannot run inside a transaction block, and the BEGIN above opens one: the migration fails"),
                    )
                    .label("cannot run in a transaction block")
                    .with(scan.at(begin.clone()), "the transaction starts here")
                    .help(match scan.wrap {
                        Wrap::None => format!("move {what} out of BEGIN ... COMMIT"),
                        _ => format!("move {what} out of BEGIN ... COMMIT; {}", layout.no_transaction_hint()),
                    }),
                    Tx::Tool { .. } => {
                        let mixed = if scan.wrap == Wrap::Tool && layout == Layout::Flyway {
                            " (Flyway refuses a migration that mixes it with statements that can run in one)"
                        } else {
                            ""
                        };
                        finding(
                            "concurrently-in-transaction",
                            &scan,
                            at.clone(),
                            format!(
                                "{what} cannot run inside a transaction, and {}{mixed}: the migration fails",
                                scan.wrap_words()
                            ),
                        )
                        .label("runs inside the migration's transaction")
                        .help(layout.no_transaction_hint())
                    }
                };
                out.push(f);
            }
        }
    }
    out
}
