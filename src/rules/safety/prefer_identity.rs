//! `prefer-identity`: `serial` columns instead of SQL-standard identity
//! columns.

use super::{declared, finding, postgres, scans, serial_name};
use crate::finding::Finding;
use crate::rules::Context;

/// Reports columns declared `serial`, `bigserial` or `smallserial`, on
/// PostgreSQL 10 and later (per `postgres_version`).
pub fn check(ctx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    if !postgres(ctx) || !ctx.config.postgres_at_least(10) {
        return out;
    }
    for scan in scans(ctx) {
        // A tool that writes the SQL (Prisma's `autoincrement()` is serial)
        // may have no way to ask for an identity column.
        if scan.dir.head.layout.generates_sql() {
            continue;
        }
        for d in declared(&scan) {
            let Some(serial) = serial_name(d.data_type) else {
                continue;
            };
            // A key gets bigint whatever its serial was (see prefer-bigint).
            let base = match serial.as_str() {
                _ if d.primary_key => "bigint",
                "smallserial" | "serial2" => "smallint",
                "serial" | "serial4" => "integer",
                _ => "bigint",
            };
            out.push(
                finding(
                    "prefer-identity",
                    &scan,
                    d.at.clone(),
                    format!(
                        "column {}.{} is {serial}: its sequence is a separate object whose permissions, ownership and dumps do not follow the column",
                        d.table.shown, d.column
                    ),
                )
                .label("serial")
                .help(format!(
                    "declare {} as `{base} GENERATED ALWAYS AS IDENTITY` (PostgreSQL 10+, SQL standard)",
                    d.column
                )),
            );
        }
    }
    out
}
