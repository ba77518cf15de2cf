//! `prefer-timestamptz`: `timestamp` without time zone loses which instant
//! a value means.

use super::{declared, finding, postgres, scans, type_name};
use crate::finding::Finding;
use crate::rules::Context;
use crate::sql::ast;

/// Reports columns declared `timestamp` / `timestamp without time zone`.
pub fn check(ctx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    if !postgres(ctx) {
        return out;
    }
    for scan in scans(ctx) {
        for d in declared(&scan) {
            if !matches!(
                d.data_type,
                ast::DataType::Timestamp(
                    _,
                    ast::TimezoneInfo::None | ast::TimezoneInfo::WithoutTimeZone
                )
            ) {
                continue;
            }
            out.push(
                finding(
                    "prefer-timestamptz",
                    &scan,
                    d.at.clone(),
                    format!(
                        "column {}.{} is {}: it stores a wall-clock reading without its time zone, so the same value means different instants to sessions in different zones",
                        d.table.shown, d.column, type_name(d.data_type)
                    ),
                )
                .label("timestamp without time zone")
                .help(format!("declare {} as timestamptz, which stores the instant", d.column)),
            );
        }
    }
    out
}
