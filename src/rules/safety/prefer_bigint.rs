//! `prefer-bigint`: a 32-bit (or smaller) primary key runs out of values.

use super::{declared, finding, scans, serial_name, type_name};
use crate::finding::Finding;
use crate::rules::Context;
use crate::sql::{ast, Dialect};

/// Reports primary-key columns of `integer`, `smallint`, `serial` and
/// smaller types in CREATE TABLE and ADD COLUMN. SQLite is not concerned:
/// its INTEGER PRIMARY KEY is 64-bit.
pub fn check(ctx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    if !matches!(
        ctx.config.dialect,
        Dialect::Postgres | Dialect::Mysql | Dialect::Mssql
    ) {
        return out;
    }
    for scan in scans(ctx) {
        for d in declared(&scan) {
            if !d.primary_key || !small_integer(d.data_type) {
                continue;
            }
            let limit = match d.data_type {
                ast::DataType::SmallInt(_) | ast::DataType::Int2(_) => "32,767",
                ast::DataType::TinyInt(_) => "127",
                ast::DataType::MediumInt(_) => "8,388,607",
                _ if serial_name(d.data_type)
                    .is_some_and(|s| s == "smallserial" || s == "serial2") =>
                {
                    "32,767"
                }
                _ => "2,147,483,647",
            };
            let bigint = if serial_name(d.data_type).is_some() {
                "bigserial, or better `bigint GENERATED ALWAYS AS IDENTITY`"
            } else {
                "bigint"
            };
            out.push(
                finding(
                    "prefer-bigint",
                    &scan,
                    d.at.clone(),
                    format!(
                        "primary key {}.{} is {}: its values run out at {limit}, and widening it later rewrites the table and every table that references it",
                        d.table.shown, d.column, type_name(d.data_type)
                    ),
                )
                .label("32-bit or smaller key")
                .help(format!("declare {} as {bigint}", d.column)),
            );
        }
    }
    out
}

fn small_integer(data_type: &ast::DataType) -> bool {
    use ast::DataType as T;
    matches!(
        data_type,
        T::Int(_)
            | T::Integer(_)
            | T::Int4(_)
            | T::SmallInt(_)
            | T::Int2(_)
            | T::TinyInt(_)
            | T::MediumInt(_)
            | T::IntUnsigned(_)
            | T::IntegerUnsigned(_)
            | T::Int4Unsigned(_)
            | T::SmallIntUnsigned(_)
            | T::MediumIntUnsigned(_)
            | T::TinyIntUnsigned(_)
            | T::Int2Unsigned(_)
    ) || serial_name(data_type).is_some_and(|s| s != "bigserial" && s != "serial8")
}
