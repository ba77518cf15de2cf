//! `identifier-length`: a new name longer than the database allows.
//! Postgres silently truncates names to 63 bytes (two long names can then
//! collide); MySQL (64 characters), SQL Server (128) and Oracle (128 bytes,
//! 30 before 12.2: set `naming.max_length`) refuse the statement.

use crate::finding::{floor_char_boundary, Finding, Location};
use crate::rules::naming::{database_name, limits, new_names, Kind, Limit, NewName, Unit};
use crate::rules::Context;

/// Reports each new name over a length limit of the schema's databases.
pub fn check(ctx: &Context) -> Vec<Finding> {
    let limits = limits(ctx.config);
    if limits.is_empty() {
        return Vec::new();
    }
    let names = new_names(ctx);
    let mut out = Vec::new();
    for name in names {
        let over: Vec<&Limit> = limits
            .iter()
            .filter(|l| l.length(&name.stored) > l.max)
            .collect();
        let Some(strictest) = over.iter().min_by_key(|l| l.max) else {
            continue;
        };
        let unit = |l: &Limit| match l.unit {
            Unit::Bytes => "bytes",
            Unit::Characters => "characters",
        };
        let databases: Vec<String> = over
            .iter()
            .map(|l| format!("{} ({} {})", database_name(l.database), l.max, unit(l)))
            .collect();
        let mut message = format!(
            "{} is {} {}, longer than {} allow{}",
            name.describe(),
            strictest.length(&name.stored),
            unit(strictest),
            databases.join(" and "),
            if over.len() == 1 { "s" } else { "" }
        );
        let postgres = over.iter().find(|l| l.database == "postgres");
        let mut finding_labels = Vec::new();
        if let Some(pg) = postgres {
            let truncated = &name.stored[..floor_char_boundary(&name.stored, pg.max)];
            message.push_str(&format!("; Postgres silently truncates it to {truncated}"));
            for other in names.iter().filter(|o| !std::ptr::eq(*o, name)) {
                let other_truncated = &other.stored[..floor_char_boundary(&other.stored, pg.max)];
                if other_truncated == truncated && same_namespace(name, other) {
                    finding_labels.push((
                        Location::head(&other.path, other.span.clone()),
                        format!("also truncated to {truncated}"),
                    ));
                }
            }
            if !finding_labels.is_empty() {
                message.push_str(", the name of another object");
            }
        }
        let mut finding = Finding::new(
            "identifier-length",
            Location::head(&name.path, name.span.clone()),
            message,
        )
        .label(format!(
            "{} {}",
            strictest.length(&name.stored),
            unit(strictest)
        ))
        .help(format!(
            "shorten it to at most {} {} (abbreviate words, drop redundant ones)",
            strictest.max,
            unit(strictest)
        ));
        for (location, text) in finding_labels {
            finding = finding.with(location, text);
        }
        out.push(finding);
    }
    out
}

/// Whether two names live in the same Postgres namespace: relations
/// (tables, views, indexes, sequences and the indexes of primary keys and
/// unique constraints) per schema, columns and other constraints per table.
fn same_namespace(a: &NewName, b: &NewName) -> bool {
    let class = |n: &NewName| match n.kind {
        Kind::Table
        | Kind::View
        | Kind::Index
        | Kind::Sequence
        | Kind::PrimaryKey
        | Kind::Unique => 0,
        Kind::Column => 1,
        Kind::ForeignKey | Kind::Check | Kind::Constraint => 2,
        _ => 3,
    };
    let per_table = matches!(class(a), 1 | 2);
    class(a) == class(b)
        && (!per_table || a.table == b.table)
        && (class(a) != 3 || a.kind == b.kind)
}
