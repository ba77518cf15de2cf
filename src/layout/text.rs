//! Line-level reading of migration files for the layouts that keep several
//! scripts, or their directives, in one file (dbmate, goose, Liquibase,
//! sqitch plans). Lexical only: statements are the `sql` module's business.

use std::ops::Range;

/// A regular expression compiled once; `None` only if the literal is invalid,
/// which the unit tests would show.
macro_rules! regex {
    ($re:literal) => {{
        static RE: std::sync::OnceLock<Option<regex::Regex>> = std::sync::OnceLock::new();
        RE.get_or_init(|| regex::Regex::new($re).ok()).as_ref()
    }};
}
pub(crate) use regex;

/// One line of a text: its content without the line terminator, and where
/// the next line starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Line<'t> {
    /// The line without `\n` or `\r\n`.
    pub text: &'t str,
    /// Byte offset of the line's first byte.
    pub start: usize,
    /// Byte offset just after the line's terminator (or the end of the text).
    pub next: usize,
}

impl Line<'_> {
    /// The span of the line's content, terminator excluded.
    pub fn span(&self) -> Range<usize> {
        self.start..self.start + self.text.len()
    }
}

/// The lines of a text with their offsets. `\n` ends a line; a `\r` before
/// it is not part of the line's text.
pub(crate) fn lines(text: &str) -> impl Iterator<Item = Line<'_>> {
    let mut offset = 0;
    std::iter::from_fn(move || {
        if offset >= text.len() {
            return None;
        }
        let rest = &text[offset..];
        let (raw, len) = match rest.find('\n') {
            Some(i) => (&rest[..i], i + 1),
            None => (rest, rest.len()),
        };
        let line = Line {
            text: raw.strip_suffix('\r').unwrap_or(raw),
            start: offset,
            next: offset + len,
        };
        offset += len;
        Some(line)
    })
}

/// The text without a leading byte order mark, and the mark's length.
pub(crate) fn strip_bom(text: &str) -> (&str, usize) {
    match text.strip_prefix('\u{feff}') {
        Some(rest) => (rest, '\u{feff}'.len_utf8()),
        None => (text, 0),
    }
}

/// True when `text` holds no SQL: only whitespace, `--` line comments and
/// `/* */` block comments (nested, as PostgreSQL reads them).
pub(crate) fn is_blank_sql(text: &str) -> bool {
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            c if c.is_ascii_whitespace() => i += 1,
            b'-' if b.get(i + 1) == Some(&b'-') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                let mut depth = 0;
                while i < b.len() {
                    if b[i] == b'/' && b.get(i + 1) == Some(&b'*') {
                        depth += 1;
                        i += 2;
                    } else if b[i] == b'*' && b.get(i + 1) == Some(&b'/') {
                        depth -= 1;
                        i += 2;
                        if depth == 0 {
                            break;
                        }
                    } else {
                        i += 1;
                    }
                }
            }
            _ => return false,
        }
    }
    true
}

/// The parts of `span` not covered by `kept` (sorted, inside `span`): what a
/// script masks when only `kept` is its SQL.
pub(crate) fn complement(span: Range<usize>, kept: &[Range<usize>]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut at = span.start;
    for k in kept {
        if k.start > at {
            out.push(at..k.start);
        }
        at = at.max(k.end);
    }
    if at < span.end {
        out.push(at..span.end);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_keep_offsets_and_drop_terminators() {
        let text = "a\r\nbb\n\nc";
        let got: Vec<_> = lines(text).map(|l| (l.text, l.start, l.next)).collect();
        assert_eq!(
            got,
            vec![("a", 0, 3), ("bb", 3, 6), ("", 6, 7), ("c", 7, 8)]
        );
    }

    #[test]
    fn blank_sql_is_only_comments_and_space() {
        assert!(is_blank_sql(
            "\n  -- nothing yet\n/* a /* nested */ note */\n"
        ));
        assert!(!is_blank_sql("-- drop it\nDROP TABLE users;\n"));
        assert!(!is_blank_sql("/* x */ SELECT 1"));
    }

    #[test]
    fn complement_leaves_the_gaps() {
        assert_eq!(complement(0..10, &[2..4, 6..8]), vec![0..2, 4..6, 8..10]);
        let all = 0..4;
        assert!(complement(0..4, std::slice::from_ref(&all)).is_empty());
    }
}
