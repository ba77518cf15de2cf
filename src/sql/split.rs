//! Splits a script into statements without a parser, so that a statement
//! the parser rejects never hides the others. Respects quotes, `$tag$`
//! dollar quoting, nested block comments, psql meta-commands, MySQL's
//! `DELIMITER`, SQL Server's `GO`, and `BEGIN ... END` bodies of routines
//! and triggers written without dollar quotes.

use std::ops::Range;

use super::Dialect;

/// What kind of text a piece of a script is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PieceKind {
    /// An SQL statement, without its terminating delimiter.
    Sql,
    /// A client command (`\connect`, `\set`, `DELIMITER //`, `GO`): not SQL.
    Meta,
}

/// One statement or client command with its byte span in the script.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Piece {
    /// Byte span, from the first token to the last (leading comments and the
    /// delimiter excluded).
    pub span: Range<usize>,
    /// Statement or client command.
    pub kind: PieceKind,
}

/// The pieces of a script and its comments.
#[derive(Clone, Debug, Default)]
pub struct Split {
    /// Statements and client commands, in order.
    pub pieces: Vec<Piece>,
    /// Every comment (`-- ...` without its newline, `/* ... */`), in order.
    pub comments: Vec<Range<usize>>,
}

/// Splits `text` into statements. Each range of `atomic` (for example a goose
/// `StatementBegin` block) is kept as one statement.
pub fn split(text: &str, dialect: Dialect, atomic: &[Range<usize>]) -> Split {
    Splitter::new(text, dialect).run(atomic)
}

struct Splitter<'a> {
    b: &'a [u8],
    dialect: Dialect,
    out: Split,
    delimiter: Vec<u8>,
    start: Option<usize>,
    last_end: usize,
    routine: Option<bool>,
    words: Vec<String>,
    depth: u32,
}

fn is_word_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80
}

impl<'a> Splitter<'a> {
    fn new(text: &'a str, dialect: Dialect) -> Self {
        Splitter {
            b: text.as_bytes(),
            dialect,
            out: Split::default(),
            delimiter: b";".to_vec(),
            start: None,
            last_end: 0,
            routine: None,
            words: Vec::new(),
            depth: 0,
        }
    }

    fn run(mut self, atomic: &[Range<usize>]) -> Split {
        let b = self.b;
        let n = b.len();
        let mut i = 0;
        while i < n {
            if self.start.is_none() {
                if let Some(block) = atomic.iter().find(|r| r.start <= i && i < r.end) {
                    i = self.atomic_block(block.clone());
                    continue;
                }
            }
            let c = b[i];
            if c.is_ascii_whitespace() {
                i += 1;
                continue;
            }
            if i == 0 && b.starts_with(&[0xEF, 0xBB, 0xBF]) {
                i = 3;
                continue;
            }
            if c == b'-' && b.get(i + 1) == Some(&b'-')
                || (c == b'#' && self.dialect == Dialect::Mysql)
            {
                let end = line_end(b, i);
                self.out.comments.push(i..trim_cr(b, i, end));
                i = end;
                continue;
            }
            if c == b'/' && b.get(i + 1) == Some(&b'*') {
                let end = self.block_comment_end(i);
                self.out.comments.push(i..end);
                i = end;
                continue;
            }
            if at_line_start(b, i) {
                if let Some(end) = self.client_command(i) {
                    i = end;
                    continue;
                }
            }
            if self.start.is_none() {
                self.start = Some(i);
                self.routine = None;
                self.words.clear();
                self.depth = 0;
            }
            if b[i..].starts_with(&self.delimiter) && self.depth == 0 {
                self.finish(PieceKind::Sql);
                i += self.delimiter.len();
                continue;
            }
            i = match c {
                b'\'' => self.quoted(i, b'\'', self.backslash_escapes(i)),
                b'"' => self.quoted(i, b'"', self.dialect == Dialect::Mysql),
                b'`' if matches!(
                    self.dialect,
                    Dialect::Mysql | Dialect::Sqlite | Dialect::Generic
                ) =>
                {
                    self.quoted(i, b'`', false)
                }
                b'[' if matches!(self.dialect, Dialect::Mssql | Dialect::Sqlite) => {
                    let end = find_byte(b, i + 1, b']').map_or(n, |e| e + 1);
                    self.last_end = end;
                    end
                }
                b'$' => self.dollar(i),
                c if is_word_byte(c) => self.word(i),
                _ => {
                    self.last_end = i + 1;
                    i + 1
                }
            };
        }
        if self.start.is_some() {
            self.finish(PieceKind::Sql);
        }
        self.out
    }

    fn atomic_block(&mut self, block: Range<usize>) -> usize {
        let end = block.end.min(self.b.len());
        let inner = split(
            std::str::from_utf8(&self.b[block.start..end]).unwrap_or_default(),
            self.dialect,
            &[],
        );
        for c in inner.comments {
            self.out
                .comments
                .push(c.start + block.start..c.end + block.start);
        }
        let first = inner.pieces.first().map(|p| p.span.start);
        let last = inner.pieces.last().map(|p| p.span.end);
        if let (Some(first), Some(last)) = (first, last) {
            self.out.pieces.push(Piece {
                span: block.start + first..block.start + last,
                kind: PieceKind::Sql,
            });
        }
        end
    }

    fn finish(&mut self, kind: PieceKind) {
        if let Some(start) = self.start.take() {
            if self.last_end > start {
                self.out.pieces.push(Piece {
                    span: start..self.last_end,
                    kind,
                });
            }
        }
    }

    fn backslash_escapes(&self, quote: usize) -> bool {
        if self.dialect == Dialect::Mysql {
            return true;
        }
        quote > 0
            && matches!(self.b[quote - 1], b'E' | b'e')
            && (quote < 2 || !is_word_byte(self.b[quote - 2]))
    }

    fn quoted(&mut self, open: usize, q: u8, backslash: bool) -> usize {
        let b = self.b;
        let mut i = open + 1;
        while i < b.len() {
            if backslash && b[i] == b'\\' {
                i += 2;
                continue;
            }
            if b[i] == q {
                if b.get(i + 1) == Some(&q) {
                    i += 2;
                    continue;
                }
                self.last_end = i + 1;
                return i + 1;
            }
            i += 1;
        }
        self.last_end = b.len();
        b.len()
    }

    fn dollar(&mut self, i: usize) -> usize {
        let b = self.b;
        let dollar_quotes = matches!(self.dialect, Dialect::Postgres | Dialect::Generic);
        let after_word = i > 0 && is_word_byte(b[i - 1]);
        if dollar_quotes && !after_word {
            let mut j = i + 1;
            while j < b.len() && is_word_byte(b[j]) {
                j += 1;
            }
            let tag_ok = j < b.len() && b[j] == b'$' && (j == i + 1 || !b[i + 1].is_ascii_digit());
            if tag_ok {
                let tag = &b[i..=j];
                let body = j + 1;
                let end = find_sub(b, body, tag).map_or(b.len(), |e| e + tag.len());
                self.last_end = end;
                return end;
            }
        }
        self.last_end = i + 1;
        i + 1
    }

    fn word(&mut self, i: usize) -> usize {
        let b = self.b;
        let mut j = i;
        while j < b.len() && is_word_byte(b[j]) {
            j += 1;
        }
        self.last_end = j;
        let word = &b[i..j];
        if self.routine.is_none() {
            self.words
                .push(String::from_utf8_lossy(word).to_ascii_uppercase());
            self.routine = routine_head(&self.words);
        }
        if self.routine == Some(true) {
            let is = |w: &[u8], k: &str| w.eq_ignore_ascii_case(k.as_bytes());
            if is(word, "BEGIN") || is(word, "CASE") {
                self.depth += 1;
            } else if is(word, "END") {
                let next = next_word(b, j);
                if !["IF", "LOOP", "WHILE", "REPEAT", "FOR"]
                    .iter()
                    .any(|k| is(next, k))
                {
                    self.depth = self.depth.saturating_sub(1);
                }
            }
        }
        j
    }

    fn block_comment_end(&self, open: usize) -> usize {
        let b = self.b;
        let nests = self.dialect == Dialect::Postgres;
        let mut depth = 0usize;
        let mut i = open;
        while i + 1 < b.len() {
            if b[i] == b'/' && b[i + 1] == b'*' {
                depth += 1;
                i += 2;
                if !nests {
                    depth = 1;
                }
                continue;
            }
            if b[i] == b'*' && b[i + 1] == b'/' {
                depth -= 1;
                i += 2;
                if depth == 0 {
                    return i;
                }
                continue;
            }
            i += 1;
        }
        b.len()
    }

    /// `\meta`, `DELIMITER x` and `GO` lines: client commands, not SQL.
    fn client_command(&mut self, i: usize) -> Option<usize> {
        let b = self.b;
        let end = line_end(b, i);
        let line = std::str::from_utf8(&b[i..end]).unwrap_or("").trim_end();
        if self.start.is_none() && line.starts_with('\\') {
            self.out.pieces.push(Piece {
                span: i..i + line.len(),
                kind: PieceKind::Meta,
            });
            return Some(end);
        }
        let mut words = line.split_whitespace();
        let first = words.next().unwrap_or("");
        if first.eq_ignore_ascii_case("GO")
            && words.clone().all(|w| w.chars().all(|c| c.is_ascii_digit()))
        {
            self.finish(PieceKind::Sql);
            self.out.pieces.push(Piece {
                span: i..i + line.len(),
                kind: PieceKind::Meta,
            });
            return Some(end);
        }
        if self.start.is_none() && first.eq_ignore_ascii_case("DELIMITER") {
            if let Some(delim) = words.next() {
                self.delimiter = delim.as_bytes().to_vec();
                self.out.pieces.push(Piece {
                    span: i..i + line.len(),
                    kind: PieceKind::Meta,
                });
                return Some(end);
            }
        }
        None
    }
}

/// Whether the first words of a statement open a routine body whose
/// `BEGIN ... END` may hold semicolons; `None` while it cannot tell yet.
fn routine_head(words: &[String]) -> Option<bool> {
    if words[0] != "CREATE" {
        return Some(false);
    }
    for w in &words[1..] {
        match w.as_str() {
            "FUNCTION" | "PROCEDURE" | "TRIGGER" | "EVENT" => return Some(true),
            "OR" | "REPLACE" | "ALTER" | "DEFINER" | "TEMP" | "TEMPORARY" | "CONSTRAINT"
            | "DEFINITELY" | "SQL" | "SECURITY" | "INVOKER" | "ALGORITHM" | "UNDEFINED"
            | "MERGE" | "DEFINE" => {}
            _ if words.len() < 8 => {}
            _ => return Some(false),
        }
    }
    if words.len() >= 8 {
        Some(false)
    } else {
        None
    }
}

fn next_word(b: &[u8], mut i: usize) -> &[u8] {
    while i < b.len() && b[i].is_ascii_whitespace() {
        i += 1;
    }
    let start = i;
    while i < b.len() && is_word_byte(b[i]) {
        i += 1;
    }
    &b[start..i]
}

fn at_line_start(b: &[u8], i: usize) -> bool {
    let mut j = i;
    while j > 0 {
        match b[j - 1] {
            b'\n' => return true,
            b' ' | b'\t' | b'\r' => j -= 1,
            _ => return false,
        }
    }
    true
}

fn line_end(b: &[u8], i: usize) -> usize {
    find_byte(b, i, b'\n').unwrap_or(b.len())
}

fn trim_cr(b: &[u8], start: usize, end: usize) -> usize {
    if end > start && b[end - 1] == b'\r' {
        end - 1
    } else {
        end
    }
}

fn find_byte(b: &[u8], from: usize, c: u8) -> Option<usize> {
    b.get(from..)?
        .iter()
        .position(|&x| x == c)
        .map(|p| p + from)
}

fn find_sub(b: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    b.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(sql: &str, dialect: Dialect) -> Vec<String> {
        split(sql, dialect, &[])
            .pieces
            .iter()
            .map(|p| sql[p.span.clone()].to_string())
            .collect()
    }

    #[test]
    fn splits_on_top_level_semicolons_only() {
        let sql = "CREATE TABLE a (x text default 'a;b');\n-- c; d\nINSERT INTO a VALUES (\"q;\");";
        assert_eq!(
            texts(sql, Dialect::Postgres),
            vec![
                "CREATE TABLE a (x text default 'a;b')",
                "INSERT INTO a VALUES (\"q;\")"
            ]
        );
    }

    #[test]
    fn dollar_quoted_function_body_is_one_statement() {
        let sql = "CREATE FUNCTION f() RETURNS trigger AS $body$\nBEGIN\n  NEW.x := 1; RETURN NEW;\nEND;\n$body$ LANGUAGE plpgsql;\nDO $$ BEGIN PERFORM 1; END $$;";
        let got = texts(sql, Dialect::Postgres);
        assert_eq!(got.len(), 2);
        assert!(got[0].ends_with("LANGUAGE plpgsql"));
        assert_eq!(got[1], "DO $$ BEGIN PERFORM 1; END $$");
    }

    #[test]
    fn psql_meta_commands_are_their_own_pieces() {
        let s = split(
            "\\connect app\nSELECT 1;\n\\set ON_ERROR_STOP on\n",
            Dialect::Postgres,
            &[],
        );
        let kinds: Vec<_> = s.pieces.iter().map(|p| p.kind).collect();
        assert_eq!(
            kinds,
            vec![PieceKind::Meta, PieceKind::Sql, PieceKind::Meta]
        );
    }

    #[test]
    fn mysql_delimiter_and_trigger_bodies() {
        let sql = "DELIMITER //\nCREATE PROCEDURE p() BEGIN SELECT 1; IF 1 THEN SELECT 2; END IF; END //\nDELIMITER ;\nSELECT 3;";
        let got = texts(sql, Dialect::Mysql);
        assert_eq!(got.len(), 4);
        assert!(got[1].starts_with("CREATE PROCEDURE") && got[1].ends_with("END"));
        let sqlite = "CREATE TRIGGER t AFTER INSERT ON a BEGIN UPDATE b SET x = 1; DELETE FROM c; END;\nSELECT 1;";
        assert_eq!(texts(sqlite, Dialect::Sqlite).len(), 2);
    }

    #[test]
    fn crlf_bom_and_comments_keep_exact_spans() {
        let sql = "\u{feff}/* head */\r\nCREATE TABLE a (id int);\r\n-- tail\r\n";
        let s = split(sql, Dialect::Postgres, &[]);
        assert_eq!(&sql[s.pieces[0].span.clone()], "CREATE TABLE a (id int)");
        assert_eq!(&sql[s.comments[1].clone()], "-- tail");
    }

    #[test]
    fn positional_parameters_are_not_dollar_quotes() {
        let sql = "PREPARE q AS SELECT $1; SELECT 2;";
        assert_eq!(texts(sql, Dialect::Postgres).len(), 2);
    }

    #[test]
    fn go_separates_sql_server_batches() {
        let sql = "CREATE PROCEDURE p AS BEGIN SELECT 1; SELECT 2; END\nGO\nSELECT 3\nGO\n";
        let s = split(sql, Dialect::Mssql, &[]);
        let sqls: Vec<_> = s
            .pieces
            .iter()
            .filter(|p| p.kind == PieceKind::Sql)
            .collect();
        assert_eq!(sqls.len(), 2);
    }

    #[test]
    fn atomic_blocks_are_kept_whole() {
        let sql = "-- +goose StatementBegin\nCREATE FUNCTION f() RETURNS int AS 'SELECT 1; SELECT 2' LANGUAGE sql;\nSELECT 1;\n-- +goose StatementEnd\n";
        let block = [Range {
            start: 0,
            end: sql.len(),
        }];
        let s = split(sql, Dialect::Postgres, &block);
        assert_eq!(s.pieces.len(), 1);
    }
}
