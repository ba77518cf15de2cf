//! Byte spans inside a parsed statement: where an identifier or a keyword
//! is in the file. sqlparser gives positions as line and column (1-based,
//! in characters) relative to the statement text it parsed; findings need
//! byte offsets in the file.

use std::ops::Range;

use super::ast::{Ident, Spanned};
use super::Statement;
use sqlparser::tokenizer::Location;

/// The byte span in the file of `ident`, an identifier of `statement`
/// (quotes included). Falls back to the first occurrence of the identifier
/// in the statement, then to the statement's first byte, when the parser
/// left the position out.
pub fn ident_span(file_text: &str, statement: &Statement, ident: &Ident) -> Range<usize> {
    let start = location_offset(file_text, statement, ident.span.start);
    let end = location_offset(file_text, statement, ident.span.end);
    if let (Some(start), Some(end)) = (start, end) {
        let written = file_text.get(start..end).unwrap_or("");
        let bare = written.trim_matches(|c| matches!(c, '"' | '`' | '[' | ']'));
        // A quoted identifier may contain doubled quotes; trust its position.
        if start < end && (ident.quote_style.is_some() || bare.eq_ignore_ascii_case(&ident.value)) {
            return start..end;
        }
    }
    find_ident(file_text, statement, ident).unwrap_or(statement.span.start..statement.span.start)
}

/// The byte offset in the file where a syntax node of `statement` starts,
/// when the parser recorded it.
pub fn node_start<T: Spanned>(file_text: &str, statement: &Statement, node: &T) -> Option<usize> {
    location_offset(file_text, statement, node.span().start)
}

/// The byte offset in the file of a parser position in `statement`: lines
/// end at `\n`, columns count characters (as sqlparser's tokenizer does).
fn location_offset(file_text: &str, statement: &Statement, at: Location) -> Option<usize> {
    if at.line == 0 || at.column == 0 {
        return None;
    }
    let text = file_text.get(statement.span.clone())?;
    let line_start = if at.line == 1 {
        0
    } else {
        let skip = usize::try_from(at.line - 2).ok()?;
        text.match_indices('\n').nth(skip)?.0 + 1
    };
    let line = &text[line_start..];
    let line = &line[..line.find('\n').unwrap_or(line.len())];
    let column = usize::try_from(at.column - 1).ok()?;
    // Columns count characters; in ASCII text they count bytes.
    if line.len() >= column && line.as_bytes()[..column].is_ascii() {
        return Some(statement.span.start + line_start + column);
    }
    let within = match line.char_indices().nth(column) {
        Some((i, _)) => i,
        None if line.chars().count() == column => line.len(),
        None => return None,
    };
    Some(statement.span.start + line_start + within)
}

fn find_ident(file_text: &str, statement: &Statement, ident: &Ident) -> Option<Range<usize>> {
    let words = words(file_text, statement.span.clone());
    words.into_iter().find(|w| {
        let text = &file_text[w.clone()];
        let bare = text.trim_matches(|c| matches!(c, '"' | '`' | '[' | ']'));
        match ident.quote_style {
            Some(_) => bare == ident.value && text.len() > bare.len(),
            None => bare.eq_ignore_ascii_case(&ident.value),
        }
    })
}

/// The span of a run of keywords (`["PRIMARY", "KEY"]`) in `range` of the
/// file, outside comments and string literals: the first run, or with
/// `last` the last one.
pub fn find_keywords(
    file_text: &str,
    range: Range<usize>,
    keywords: &[&str],
    last: bool,
) -> Option<Range<usize>> {
    if keywords.is_empty() {
        return None;
    }
    let words = words(file_text, range);
    let mut runs = words.windows(keywords.len()).filter(|run| {
        run.iter()
            .zip(keywords)
            .all(|(w, k)| file_text[w.clone()].eq_ignore_ascii_case(k))
    });
    let run = if last { runs.next_back() } else { runs.next() }?;
    Some(run[0].start..run[run.len() - 1].end)
}

/// The spans of the words (identifiers, keywords, quoted identifiers) in
/// `range`, skipping comments, string literals and dollar-quoted bodies.
fn words(text: &str, range: Range<usize>) -> Vec<Range<usize>> {
    let end = range.end.min(text.len());
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = crate::finding::floor_char_boundary(text, range.start.min(end));
    let until = |from: usize, needle: &str| {
        text.get(from..end)
            .and_then(|rest| rest.find(needle))
            .map_or(end, |at| from + at + needle.len())
    };
    while i < end {
        let c = bytes[i];
        if c == b'-' && bytes.get(i + 1) == Some(&b'-') {
            i = until(i, "\n");
        } else if c == b'/' && bytes.get(i + 1) == Some(&b'*') {
            i = until(i + 2, "*/");
        } else if c == b'\'' {
            i = until(i + 1, "'");
        } else if c == b'$' {
            let tag_end = text[i + 1..end]
                .find(|ch: char| !(ch.is_alphanumeric() || ch == '_'))
                .map(|at| i + 1 + at);
            match tag_end {
                Some(t) if bytes[t] == b'$' => {
                    let tag = &text[i..=t];
                    i = until(t + 1, tag);
                }
                _ => i += 1,
            }
        } else if matches!(c, b'"' | b'`' | b'[') {
            let close = match c {
                b'[' => "]",
                b'"' => "\"",
                _ => "`",
            };
            let stop = until(i + 1, close);
            out.push(i..stop);
            i = stop;
        } else if text[i..end]
            .chars()
            .next()
            .is_some_and(|ch| ch.is_alphabetic() || ch == '_')
        {
            let stop = text[i..end]
                .find(|ch: char| !(ch.is_alphanumeric() || ch == '_' || ch == '$'))
                .map_or(end, |at| i + at);
            out.push(i..stop);
            i = stop;
        } else {
            i += 1;
        }
        while i < end && !text.is_char_boundary(i) {
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::{parse_script, Dialect};

    fn first_index_name(sql: &str, base: usize) -> (String, Range<usize>) {
        let file = format!("{}{sql}", "-".repeat(base));
        let script = parse_script(&file[base..], base, Dialect::Postgres, &[]);
        let statement = script.statements.last().unwrap();
        let Some(crate::sql::ast::Statement::CreateIndex(index)) = statement.ast() else {
            panic!("not an index: {statement:?}");
        };
        let name = index.name.as_ref().unwrap().0.last().unwrap();
        let ident = name.as_ident().unwrap();
        let span = ident_span(&file, statement, ident);
        (file[span.clone()].to_string(), span)
    }

    #[test]
    fn identifier_span_is_exact_across_lines_crlf_and_multibyte_text() {
        let sql =
            "-- índice único\r\nCREATE TABLE t (a int);\r\nCREATE INDEX\r\n  \"Idx_T_A\" ON t (a);";
        let (text, _) = first_index_name(sql, 7);
        assert_eq!(text, "\"Idx_T_A\"");
        let (text, span) = first_index_name("CREATE INDEX idx_t_a ON t (a);", 0);
        assert_eq!(text, "idx_t_a");
        assert_eq!(span, 13..20);
    }

    #[test]
    fn words_skip_any_character_that_is_not_part_of_a_name() {
        let sql = "CREATE TABLE \u{a0}t\u{2026} (größe int, \"x\" int) -- fin…";
        let found = find_keywords(sql, 0..sql.len(), &["größe"], false).unwrap();
        assert_eq!(&sql[found], "größe");
        assert!(find_keywords(sql, 3..sql.len(), &["fin"], false).is_none());
    }

    #[test]
    fn keywords_are_found_outside_strings_and_comments() {
        let sql =
            "CREATE TABLE t (a text DEFAULT 'primary key' /* primary key */, PRIMARY  KEY (a))";
        let found = find_keywords(sql, 0..sql.len(), &["PRIMARY", "KEY"], false).unwrap();
        assert_eq!(&sql[found], "PRIMARY  KEY");
    }
}
