//! `constraint-without-not-valid`: a FOREIGN KEY or CHECK constraint added
//! and validated in one step blocks the table while every row is checked.

use super::model::Action;
use super::{finding, postgres, scans};
use crate::finding::Finding;
use crate::rules::Context;
use crate::sql::ast;

/// Reports FOREIGN KEY and CHECK constraints added without NOT VALID to
/// tables that existed before the migration (also inline on an added
/// column), and `VALIDATE CONSTRAINT` in the same transaction as the `ADD
/// ... NOT VALID` it validates.
pub fn check(ctx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    if !postgres(ctx) {
        return out;
    }
    for scan in scans(ctx) {
        for (i, step) in scan.steps.iter().enumerate() {
            for action in step.actions() {
                match action {
                    Action::AddConstraint {
                        table,
                        constraint,
                        not_valid: false,
                        at,
                    } if !scan.is_new_table(table, i) => {
                        let (kind, name, blocks) = match constraint {
                            ast::TableConstraint::ForeignKey(fk) => (
                                "foreign key",
                                fk.name.as_ref().map(ToString::to_string),
                                format!("writes to {} and {}", table.shown, fk.foreign_table),
                            ),
                            ast::TableConstraint::Check(check) => (
                                "check constraint",
                                check.name.as_ref().map(ToString::to_string),
                                format!("reads and writes of {}", table.shown),
                            ),
                            _ => continue,
                        };
                        let shown = name.clone().unwrap_or_else(|| format!("<{kind} name>"));
                        out.push(
                            finding(
                                "constraint-without-not-valid",
                                &scan,
                                at.clone(),
                                format!(
                                    "adding {kind} {}on {} checks every row while blocking {blocks}",
                                    name.map_or(String::new(), |n| format!("{n} ")),
                                    table.shown
                                ),
                            )
                            .label("validated while the lock is held")
                            .help(format!(
                                "add it with NOT VALID here (existing rows are not checked, new ones are) and run `ALTER TABLE {} VALIDATE CONSTRAINT {shown};` in the next migration: validation only takes a lock that lets reads and writes go on",
                                table.shown
                            )),
                        );
                    }
                    Action::AddColumn { table, column, at } if !scan.is_new_table(table, i) => {
                        let inline = column.options.iter().find_map(|o| match &o.option {
                            ast::ColumnOption::ForeignKey(fk) => {
                                Some(format!("a foreign key to {}", fk.foreign_table))
                            }
                            ast::ColumnOption::Check(_) => Some("a check constraint".to_string()),
                            _ => None,
                        });
                        let Some(inline) = inline else { continue };
                        let name = &column.name;
                        out.push(
                            finding(
                                "constraint-without-not-valid",
                                &scan,
                                at.clone(),
                                format!(
                                    "adding column {}.{name} with {inline} checks every row of {} while it is locked",
                                    table.shown, table.shown
                                ),
                            )
                            .label("constraint validated while the lock is held")
                            .help(format!(
                                "add the column without the constraint, then `ALTER TABLE {} ADD CONSTRAINT ... NOT VALID;`, and VALIDATE CONSTRAINT in the next migration",
                                table.shown
                            )),
                        );
                    }
                    Action::ValidateConstraint { table, name, at } => {
                        let Some(tx) = &step.tx else { continue };
                        let added = scan.steps[..i].iter().find(|earlier| {
                            earlier.tx.as_ref().is_some_and(|t| t.group() == tx.group())
                                && earlier.actions().iter().any(|a| match a {
                                    Action::AddConstraint {
                                        table: t,
                                        constraint,
                                        not_valid: true,
                                        ..
                                    } => {
                                        t.same(table)
                                            && constraint_name(constraint).as_deref()
                                                == Some(super::model::key(name).as_str())
                                    }
                                    _ => false,
                                })
                        });
                        let Some(added) = added else { continue };
                        out.push(
                            finding(
                                "constraint-without-not-valid",
                                &scan,
                                at.clone(),
                                format!(
                                    "validating {name} in the same transaction that added it keeps the lock of the ADD CONSTRAINT while every row of {} is checked",
                                    table.shown
                                ),
                            )
                            .with(scan.at(added.span.clone()), "added NOT VALID in the same transaction")
                            .label("validated before the ADD's lock is released")
                            .help("move VALIDATE CONSTRAINT to the next migration"),
                        );
                    }
                    _ => {}
                }
            }
        }
    }
    out
}

fn constraint_name(constraint: &ast::TableConstraint) -> Option<String> {
    match constraint {
        ast::TableConstraint::ForeignKey(fk) => fk.name.as_ref().map(super::model::key),
        ast::TableConstraint::Check(check) => check.name.as_ref().map(super::model::key),
        _ => None,
    }
}
