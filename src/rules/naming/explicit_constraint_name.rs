//! `explicit-constraint-name`: a primary key, unique, foreign key or check
//! constraint created without a name, so the database makes one up. MySQL
//! numbers foreign keys and checks by creation order, SQL Server generates
//! random names; either way a later `DROP CONSTRAINT` must guess, and a
//! name that differs between environments makes it fail in one of them.
//! Postgres generates predictable names (`orders_pkey`,
//! `orders_user_id_fkey`), so there only a name that would break a
//! configured pattern is reported. SQLite cannot drop a constraint at all.

use crate::config::naming::PatternKind;
use crate::finding::{Finding, Location};
use crate::rules::naming::{new_keys, KeyDef};
use crate::rules::Context;
use crate::sql::Dialect;

/// Reports unnamed constraints whose generated name is a problem.
pub fn check(ctx: &Context) -> Vec<Finding> {
    let naming = &ctx.config.naming;
    let dialect = ctx.config.dialect;
    let mut out = Vec::new();
    for key in new_keys(ctx) {
        if key.name.is_some() || matches!(key.kind, PatternKind::Index | PatternKind::UniqueIndex) {
            continue;
        }
        let values = key.values(&naming.separator);
        let why = match dialect {
            Dialect::Sqlite => continue,
            Dialect::Postgres => {
                let Some(pattern) = naming.pattern(key.kind) else {
                    continue;
                };
                let generated = postgres_name(key);
                if pattern.matches(&generated, &values, false) {
                    continue;
                }
                format!(
                    "Postgres will call it {generated}, which does not follow the pattern {}",
                    pattern.as_str()
                )
            }
            Dialect::Mysql => match key.kind {
                // A MySQL primary key is always called PRIMARY.
                PatternKind::PrimaryKey => continue,
                PatternKind::ForeignKey => format!(
                    "MySQL will call it {}_ibfk_<n>, numbered in creation order, so the name depends on the table's history in each database",
                    key.table
                ),
                PatternKind::Check => format!(
                    "MySQL will call it {}_chk_<n>, numbered in creation order, so the name depends on the table's history in each database",
                    key.table
                ),
                _ => format!(
                    "MySQL will name it after its first column ({}), with a suffix when that name is taken",
                    key.columns.first().map_or("?", String::as_str)
                ),
            },
            Dialect::Mssql => format!(
                "SQL Server generates a random name ({}__{}__3213E83F...) that differs in every database, so a later DROP CONSTRAINT works in one environment and fails in the next",
                match key.kind {
                    PatternKind::PrimaryKey => "PK",
                    PatternKind::Unique => "UQ",
                    PatternKind::ForeignKey => "FK",
                    _ => "CK",
                },
                key.table
            ),
            Dialect::Generic => "the database generates its name, and generated names differ between databases and environments".to_string(),
        };
        let expected = naming
            .pattern_or_default(key.kind, dialect == Dialect::Postgres)
            .map(|p| p.render(&values))
            .unwrap_or_else(|| postgres_name(key));
        let keyword = match key.kind {
            PatternKind::PrimaryKey => "PRIMARY KEY",
            PatternKind::Unique => "UNIQUE",
            PatternKind::ForeignKey => "FOREIGN KEY",
            _ => "CHECK",
        };
        out.push(
            Finding::new(
                "explicit-constraint-name",
                Location::head(&key.path, key.span.clone()),
                format!(
                    "{} on {} ({}) has no name: {why}",
                    key.noun(),
                    key.table,
                    key.columns.join(", ")
                ),
            )
            .label("unnamed")
            .help(format!("name it: CONSTRAINT {expected} {keyword} ...")),
        );
    }
    out
}

/// The name Postgres gives an unnamed constraint (before truncation and
/// the numbering it adds on a clash).
fn postgres_name(key: &KeyDef) -> String {
    let table = &key.table;
    let columns = key.columns.join("_");
    match key.kind {
        PatternKind::PrimaryKey => format!("{table}_pkey"),
        PatternKind::Unique => format!("{table}_{columns}_key"),
        PatternKind::ForeignKey => format!("{table}_{columns}_fkey"),
        PatternKind::Check if key.columns.len() == 1 => format!("{table}_{columns}_check"),
        PatternKind::Check => format!("{table}_check"),
        PatternKind::Index | PatternKind::UniqueIndex => format!("{table}_{columns}_idx"),
    }
}
