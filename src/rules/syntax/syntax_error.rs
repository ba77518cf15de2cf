//! `syntax-error`: a statement the parser rejects in the configured dialect,
//! or a file that is not UTF-8 text.

use crate::finding::{Finding, Location};
use crate::rules::Context;
use crate::source::DecodeProblem;
use crate::sql::Parsed;

/// Reports each statement that does not parse and each unreadable file.
pub fn check(ctx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    let dialect = ctx.config.dialect.name();
    for dir in &ctx.dirs {
        for script in &dir.scripts {
            let text = match &script.text {
                Ok(text) => text,
                Err(DecodeProblem::Binary) => {
                    out.push(
                        Finding::new("syntax-error", Location::head(&script.path, 0..0), format!("{} is a binary file, not SQL text", script.path))
                            .help("migration files must be UTF-8 text; remove the file or replace it with its SQL"),
                    );
                    continue;
                }
                Err(DecodeProblem::NotUtf8 { offset }) => {
                    out.push(
                        Finding::new(
                            "syntax-error",
                            Location::head(&script.path, 0..0),
                            format!(
                                "{} is not valid UTF-8 (first bad byte at offset {offset})",
                                script.path
                            ),
                        )
                        .help("re-save the file as UTF-8 (for example `iconv -f latin1 -t utf-8`)"),
                    );
                    continue;
                }
            };
            // A file shared by an up and a down section is parsed once per
            // section; each statement is reported once.
            for statement in &script.parsed.statements {
                if let Parsed::Error { message, offset } = &statement.parsed {
                    let end = token_end(text, *offset).max(*offset);
                    out.push(
                        Finding::new("syntax-error", Location::head(&script.path, *offset..end), format!("statement does not parse as {dialect}: {message}"))
                            .label("the parser stopped here")
                            .help(format!(
                                "fix the statement, or if it is valid {dialect} that sqlgate cannot parse, add `-- sqlgate:ignore syntax-error <reason>` above it"
                            )),
                    );
                }
            }
        }
    }
    out
}

fn token_end(text: &str, offset: usize) -> usize {
    let rest = text.get(offset..).unwrap_or("");
    let len = rest
        .char_indices()
        .find(|(_, c)| c.is_whitespace() || matches!(c, ',' | ';' | '(' | ')'))
        .map_or(rest.len(), |(i, _)| i);
    offset + len.max(rest.chars().next().map_or(0, char::len_utf8))
}
