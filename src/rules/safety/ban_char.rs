//! `ban-char`: `char(n)` pads values with spaces and is no faster than
//! `text`.

use super::{declared, finding, postgres, scans, type_name};
use crate::finding::Finding;
use crate::rules::Context;
use crate::sql::ast;

/// Reports columns declared `char`, `char(n)`, `character(n)` or `bpchar`
/// (not the internal one-byte `"char"`).
pub fn check(ctx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    if !postgres(ctx) {
        return out;
    }
    for scan in scans(ctx) {
        for d in declared(&scan) {
            let is_char = match d.data_type {
                ast::DataType::Char(_) | ast::DataType::Character(_) => true,
                ast::DataType::Custom(name, _) => {
                    name.0.last().and_then(|p| p.as_ident()).is_some_and(|i| {
                        i.quote_style.is_none() && i.value.eq_ignore_ascii_case("bpchar")
                    })
                }
                _ => false,
            };
            if !is_char {
                continue;
            }
            out.push(
                finding(
                    "ban-char",
                    &scan,
                    d.at.clone(),
                    format!(
                        "column {}.{} is {}: values are padded with spaces to the length, comparisons ignore the padding in surprising ways, and it is no faster than text",
                        d.table.shown, d.column, type_name(d.data_type)
                    ),
                )
                .label("blank-padded character type")
                .help(format!(
                    "declare {0} as text, with `CHECK (char_length({0}) = n)` if the length is a rule of the data",
                    d.column
                )),
            );
        }
    }
    out
}
