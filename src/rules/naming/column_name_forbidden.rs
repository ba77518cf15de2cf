//! `column-name-forbidden` (off by default): a new column whose name a team
//! does not allow, from `naming.forbidden_columns` (names, globs such as
//! `*id` or regular expressions, each with an optional reason). Without a
//! list, columns named after a data type (`date`, `text`, `json`), which
//! say what a value is rather than what it means.

use crate::config::naming::ForbiddenColumn;
use crate::finding::{Finding, Location};
use crate::rules::naming::inflect::singularize;
use crate::rules::naming::{new_names, Kind};
use crate::rules::Context;

/// Column names that only name a data type.
const TYPE_NAMES: &[&str] = &[
    "array",
    "bigint",
    "bit",
    "blob",
    "bool",
    "boolean",
    "bytea",
    "char",
    "date",
    "datetime",
    "decimal",
    "double",
    "enum",
    "float",
    "inet",
    "int",
    "integer",
    "interval",
    "json",
    "jsonb",
    "numeric",
    "real",
    "serial",
    "smallint",
    "text",
    "time",
    "timestamp",
    "timestamptz",
    "uuid",
    "varchar",
    "xml",
];

/// Reports new columns with a forbidden name.
pub fn check(ctx: &Context) -> Vec<Finding> {
    let configured = &ctx.config.naming.forbidden_columns;
    let entries: Vec<(ForbiddenColumn, Option<regex::Regex>)> = if configured.is_empty() {
        TYPE_NAMES
            .iter()
            .map(|t| ForbiddenColumn::Name((*t).to_string()))
            .map(|e| {
                let r = e.regex().ok();
                (e, r)
            })
            .collect()
    } else {
        configured
            .iter()
            .map(|e| (e.clone(), e.regex().ok()))
            .collect()
    };
    let mut out = Vec::new();
    for name in new_names(ctx).iter().filter(|n| n.kind == Kind::Column) {
        let Some((entry, _)) = entries
            .iter()
            .find(|(_, r)| r.as_ref().is_some_and(|r| r.is_match(&name.stored)))
        else {
            continue;
        };
        let (message, help) = if configured.is_empty() {
            let owner = name
                .table
                .as_deref()
                .map(|t| singularize(t.rsplit('_').next().unwrap_or(t)))
                .unwrap_or_else(|| "record".to_string());
            (
                format!("{} is named after a data type", name.describe()),
                format!(
                    "name it after what it holds, for example {owner}_{}",
                    name.stored.to_lowercase()
                ),
            )
        } else {
            (
                format!(
                    "{} matches `{}` in naming.forbidden_columns",
                    name.describe(),
                    entry.shown()
                ),
                entry
                    .reason()
                    .map_or_else(|| "choose another name".to_string(), str::to_string),
            )
        };
        out.push(
            Finding::new(
                "column-name-forbidden",
                Location::head(&name.path, name.span.clone()),
                message,
            )
            .label("forbidden name")
            .help(help),
        );
    }
    out
}
