//! Comparing the Catalog before an up script with the Catalog after the up
//! and then the down: each difference in the words a reviewer uses.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use super::{Catalog, Column, Constraint, ConstraintKind, Index, QName, Table, TypeDef};
use crate::sql::Dialect;

/// One way the schema after up-then-down differs from the schema before.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Difference {
    /// What differs, starting with "down".
    pub text: String,
    /// Names of the objects involved, most specific first (a column, then
    /// its table): how statements that touch it are found.
    pub names: Vec<String>,
}

/// The differences between `before` (the schema before the up) and `after`
/// (after up, then down); `middle` is the schema after the up alone, which
/// tells "down does not restore" from "down drops what up did not create".
/// Objects `ignored` (names a statement the Catalog could not model may
/// have touched) are left out.
pub fn diff(
    before: &Catalog,
    middle: &Catalog,
    after: &Catalog,
    ignored: &dyn Fn(&str) -> bool,
) -> Vec<Difference> {
    let mut out = Vec::new();
    let mut push = |text: String, names: Vec<String>| {
        if !names.iter().any(|n| ignored(n)) {
            out.push(Difference { text, names });
        }
    };
    let show = |q: &QName| before.show(q);

    for (name, b, a) in pairs(&before.tables, &after.tables) {
        let shown = show(name);
        match (b, a) {
            (None, Some(_)) => push(
                format!("down leaves table {shown} behind"),
                vec![name.name.clone()],
            ),
            (Some(_), None) => {
                let text = if middle.tables.contains_key(name) {
                    format!("down drops table {shown} that up did not create")
                } else {
                    format!("down does not re-create table {shown} that up dropped")
                };
                push(text, vec![name.name.clone()]);
            }
            (Some(b), Some(a)) if !Arc::ptr_eq(b, a) && b != a => {
                let m = middle.tables.get(name).map(|t| &**t);
                table(&shown, &name.name, b, m, a, before.dialect, &mut push);
            }
            _ => {}
        }
    }
    for (name, b, a) in pairs(&before.views, &after.views) {
        let shown = show(name);
        let word = |v: &super::View| {
            if v.materialized {
                "materialized view"
            } else {
                "view"
            }
        };
        match (b, a) {
            (None, Some(a)) => push(
                format!("down leaves {} {shown} behind", word(a)),
                vec![name.name.clone()],
            ),
            (Some(b), None) => {
                let text = if middle.views.contains_key(name) {
                    format!("down drops {} {shown} that up did not create", word(b))
                } else {
                    format!(
                        "down does not re-create {} {shown} that up dropped",
                        word(b)
                    )
                };
                push(text, vec![name.name.clone()]);
            }
            (Some(b), Some(a))
                if b.query != a.query && !b.query.is_empty() && !a.query.is_empty() =>
            {
                push(
                    format!("down re-creates {} {shown} with a different query", word(b)),
                    vec![name.name.clone()],
                )
            }
            _ => {}
        }
    }
    for (name, b, a) in pairs(&before.types, &after.types) {
        let shown = show(name);
        match (b, a) {
            (None, Some(_)) => push(
                format!("down leaves type {shown} behind"),
                vec![name.name.clone()],
            ),
            (Some(_), None) => push(
                if middle.types.contains_key(name) {
                    format!("down drops type {shown} that up did not create")
                } else {
                    format!("down does not re-create type {shown} that up dropped")
                },
                vec![name.name.clone()],
            ),
            (Some(TypeDef::Enum(b)), Some(TypeDef::Enum(a))) if a != b => {
                let extra: Vec<&String> = a.iter().filter(|l| !b.contains(l)).collect();
                let lost: Vec<&String> = b.iter().filter(|l| !a.contains(l)).collect();
                if !extra.is_empty() {
                    push(
                        format!(
                            "down leaves value {} in enum {shown} behind",
                            quoted(&extra)
                        ),
                        vec![name.name.clone()],
                    );
                }
                if !lost.is_empty() {
                    push(
                        format!(
                            "down does not restore value {} of enum {shown}",
                            quoted(&lost)
                        ),
                        vec![name.name.clone()],
                    );
                }
                if extra.is_empty() && lost.is_empty() {
                    push(
                        format!("down restores enum {shown} with its values in another order"),
                        vec![name.name.clone()],
                    );
                }
            }
            (Some(b), Some(a)) if a != b => push(
                format!("down re-creates type {shown} with a different definition"),
                vec![name.name.clone()],
            ),
            _ => {}
        }
    }
    for (name, b, a) in pairs(&before.sequences, &after.sequences) {
        let shown = show(name);
        match (b, a) {
            (None, Some(_)) => push(
                format!("down leaves sequence {shown} behind"),
                vec![name.name.clone()],
            ),
            (Some(_), None) => push(
                format!("down does not re-create sequence {shown}"),
                vec![name.name.clone()],
            ),
            _ => {}
        }
    }
    let routine = |r: &super::Routine| format!("{} {}({})", r.kind, show(&r.name), r.signature);
    for r in after.routines.difference(&before.routines) {
        push(
            format!("down leaves {} behind", routine(r)),
            vec![r.name.name.clone()],
        );
    }
    for r in before.routines.difference(&after.routines) {
        let text = if middle.routines.contains(r) {
            format!("down drops {} that up did not create", routine(r))
        } else {
            format!("down does not re-create {} that up dropped", routine(r))
        };
        push(text, vec![r.name.name.clone()]);
    }
    // An extension the up creates is not reported when the down keeps it:
    // extensions belong to the database (a DBA or another service may have
    // installed it, hence `CREATE EXTENSION IF NOT EXISTS`), and the usual
    // down leaves them for the objects that may depend on them.
    for e in before.extensions.difference(&after.extensions) {
        push(
            format!("down drops extension {e}, which up did not create"),
            vec![e.clone()],
        );
    }
    for s in after.schemas.difference(&before.schemas) {
        push(format!("down leaves schema {s} behind"), vec![s.clone()]);
    }
    for s in before.schemas.difference(&after.schemas) {
        push(format!("down drops schema {s}"), vec![s.clone()]);
    }
    out
}

/// Keys of two maps with the value on each side.
fn pairs<'a, V>(
    b: &'a BTreeMap<QName, V>,
    a: &'a BTreeMap<QName, V>,
) -> Vec<(&'a QName, Option<&'a V>, Option<&'a V>)> {
    let keys: BTreeSet<&QName> = b.keys().chain(a.keys()).collect();
    keys.into_iter().map(|k| (k, b.get(k), a.get(k))).collect()
}

fn quoted(labels: &[&String]) -> String {
    labels
        .iter()
        .map(|l| format!("'{l}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn table(
    shown: &str,
    tname: &str,
    b: &Table,
    m: Option<&Table>,
    a: &Table,
    dialect: Dialect,
    push: &mut dyn FnMut(String, Vec<String>),
) {
    // A table has one primary key; only PostgreSQL lets a migration name
    // it later (`DROP CONSTRAINT t_pkey`). Elsewhere the name is a label:
    // SQLite's copy-and-swap rebuild keeps the staging table's.
    let same = |x: &Constraint, c: &Constraint| {
        x.name == c.name
            || (dialect != Dialect::Postgres
                && matches!(x.kind, ConstraintKind::PrimaryKey(_))
                && matches!(c.kind, ConstraintKind::PrimaryKey(_)))
    };
    if b.partial || a.partial {
        return;
    }
    let names = |c: &str| vec![c.to_string(), tname.to_string()];
    for col in &a.columns {
        if b.column(&col.name).is_none() {
            push(
                format!("down leaves column {shown}.{} behind", col.name),
                names(&col.name),
            );
        }
    }
    for col in &b.columns {
        match a.column(&col.name) {
            None => {
                let text = if m.is_some_and(|m| m.column(&col.name).is_some()) {
                    format!("down drops column {shown}.{} that up did not add", col.name)
                } else {
                    format!("down does not restore column {shown}.{}", col.name)
                };
                push(text, names(&col.name));
            }
            Some(after) => column(shown, col, after, &mut |t| push(t, names(&col.name))),
        }
    }
    let constraint_word = |c: &Constraint| match &c.kind {
        ConstraintKind::PrimaryKey(_) => "primary key",
        ConstraintKind::Unique(_) => "unique constraint",
        ConstraintKind::Check(_) => "check constraint",
        ConstraintKind::ForeignKey { .. } => "foreign key",
        ConstraintKind::Other => "constraint",
    };
    for c in &a.constraints {
        if !b.constraints.iter().any(|x| same(x, c)) {
            push(
                format!(
                    "down leaves {} {} on {shown} behind",
                    constraint_word(c),
                    c.name
                ),
                vec![c.name.clone(), tname.to_string()],
            );
        }
    }
    for c in &b.constraints {
        match a.constraints.iter().find(|x| same(x, c)) {
            None => {
                let text = if m.is_some_and(|m| m.constraints.iter().any(|x| same(x, c))) {
                    format!(
                        "down drops {} {} on {shown} that up did not add",
                        constraint_word(c),
                        c.name
                    )
                } else {
                    format!(
                        "down does not restore {} {} on {shown}",
                        constraint_word(c),
                        c.name
                    )
                };
                push(text, vec![c.name.clone(), tname.to_string()]);
            }
            Some(x) if x.kind != c.kind => push(
                format!(
                    "down re-creates {} {} on {shown} differently: {} instead of {}",
                    constraint_word(c),
                    c.name,
                    describe(&x.kind),
                    describe(&c.kind)
                ),
                vec![c.name.clone(), tname.to_string()],
            ),
            _ => {}
        }
    }
    for name in a.indexes.keys() {
        if !b.indexes.contains_key(name) {
            push(
                format!("down leaves index {name} behind"),
                vec![name.clone(), tname.to_string()],
            );
        }
    }
    for (name, i) in &b.indexes {
        match a.indexes.get(name) {
            None => {
                let text = if m.is_some_and(|m| m.indexes.contains_key(name)) {
                    format!("down drops index {name} that up did not create")
                } else {
                    format!("down does not re-create index {name}")
                };
                push(text, vec![name.clone(), tname.to_string()]);
            }
            Some(x) => index(name, i, x, &mut |t| {
                push(t, vec![name.clone(), tname.to_string()])
            }),
        }
    }
    for name in a.triggers.keys() {
        if !b.triggers.contains_key(name) {
            push(
                format!("down leaves trigger {name} on {shown} behind"),
                vec![name.clone(), tname.to_string()],
            );
        }
    }
    for name in b.triggers.keys() {
        if !a.triggers.contains_key(name) {
            push(
                format!("down does not re-create trigger {name} on {shown}"),
                vec![name.clone(), tname.to_string()],
            );
        }
    }
}

fn describe(kind: &ConstraintKind) -> String {
    match kind {
        ConstraintKind::PrimaryKey(c) | ConstraintKind::Unique(c) => format!("({})", c.join(", ")),
        ConstraintKind::Check(e) => format!("CHECK ({e})"),
        ConstraintKind::ForeignKey {
            columns,
            table,
            referred,
            on_delete,
        } => format!(
            "({}) REFERENCES {}({}){}",
            columns.join(", "),
            table.name,
            referred.join(", "),
            on_delete
                .as_ref()
                .map(|a| format!(" ON DELETE {a}"))
                .unwrap_or_default()
        ),
        ConstraintKind::Other => "another definition".to_string(),
    }
}

fn column(table: &str, b: &Column, a: &Column, push: &mut dyn FnMut(String)) {
    let name = format!("{table}.{}", b.name);
    if a.data_type != b.data_type {
        push(format!(
            "down restores column {name} as {} instead of {}",
            a.data_type, b.data_type
        ));
    }
    if b.not_null && !a.not_null {
        push(format!("down restores column {name} without NOT NULL"));
    }
    if !b.not_null && a.not_null {
        push(format!(
            "down leaves column {name} NOT NULL; it was nullable"
        ));
    }
    match (&b.default, &a.default) {
        (Some(d), None) => push(format!(
            "down restores column {name} without its default {d}"
        )),
        (None, Some(d)) => push(format!("down leaves default {d} on column {name}")),
        (Some(x), Some(y)) if x != y => push(format!(
            "down restores column {name} with default {y} instead of {x}"
        )),
        _ => {}
    }
    if a.identity != b.identity {
        match (&b.identity, &a.identity) {
            (Some(_), None) => push(format!("down restores column {name} without its identity")),
            (None, Some(_)) => push(format!("down leaves column {name} an identity column")),
            _ => push(format!(
                "down restores column {name} with another kind of identity"
            )),
        }
    }
    if a.collation != b.collation {
        push(format!(
            "down restores column {name} with another collation"
        ));
    }
    if a.generated != b.generated {
        push(format!(
            "down restores column {name} with another generation expression"
        ));
    }
}

fn index(name: &str, b: &Index, a: &Index, push: &mut dyn FnMut(String)) {
    if b.unique && !a.unique {
        push(format!("down re-creates index {name} without UNIQUE"));
    }
    if !b.unique && a.unique {
        push(format!(
            "down re-creates index {name} as UNIQUE; it was not"
        ));
    }
    if a.columns != b.columns {
        push(format!(
            "down re-creates index {name} on ({}) instead of ({})",
            a.columns.join(", "),
            b.columns.join(", ")
        ));
    }
    match (&b.predicate, &a.predicate) {
        (Some(p), None) => push(format!(
            "down re-creates index {name} without its WHERE {p}"
        )),
        (None, Some(p)) => push(format!(
            "down re-creates index {name} as a partial index (WHERE {p})"
        )),
        (Some(x), Some(y)) if x != y => push(format!(
            "down re-creates index {name} with WHERE {y} instead of WHERE {x}"
        )),
        _ => {}
    }
    if a.method != b.method {
        push(format!(
            "down re-creates index {name} using {} instead of {}",
            a.method, b.method
        ));
    }
}
