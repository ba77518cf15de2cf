//! `prefer-text`: `varchar(n)` in PostgreSQL, where `text` costs the same
//! and changing a limit later needs a lock.

use super::{declared, finding, postgres, scans, type_name};
use crate::finding::Finding;
use crate::rules::Context;
use crate::sql::ast;

/// Reports columns declared `varchar(n)` / `character varying(n)`.
pub fn check(ctx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    if !postgres(ctx) {
        return out;
    }
    for scan in scans(ctx) {
        for d in declared(&scan) {
            let limit = match d.data_type {
                ast::DataType::Varchar(Some(n))
                | ast::DataType::CharacterVarying(Some(n))
                | ast::DataType::CharVarying(Some(n)) => n.to_string(),
                _ => continue,
            };
            out.push(
                finding(
                    "prefer-text",
                    &scan,
                    d.at.clone(),
                    format!(
                        "column {}.{} is {}: PostgreSQL stores text the same way, and changing the limit later takes an ACCESS EXCLUSIVE lock (and rewrites the table to shrink it)",
                        d.table.shown, d.column, type_name(d.data_type)
                    ),
                )
                .label("length limit in the type")
                .help(format!(
                    "declare {0} as text, with `CHECK (char_length({0}) <= {limit})` if the limit is a rule of the data",
                    d.column
                )),
            );
        }
    }
    out
}
