//! SQL: decoding script text, splitting it into statements, and parsing each
//! statement with sqlparser in the configured dialect. Owns every call into
//! sqlparser; rules read the resulting syntax trees through `sql::ast`.
//! Must not know git, layouts' file conventions, or output formats.

pub mod catalog;
mod lex;
pub mod sniff;
mod span;
pub mod split;

use std::ops::Range;

use serde::{Deserialize, Serialize};
use sqlparser::dialect;
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::TokenWithSpan;

pub use sqlparser::ast;
/// Positions in a statement's syntax tree (lines and columns counted from
/// the statement's first byte); `Statement::locate` turns one into bytes.
pub use sqlparser::tokenizer::Span as TreeSpan;

pub use span::{find_keywords, ident_span, node_start};
use split::{PieceKind, Split};

/// The SQL dialect statements are parsed in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Dialect {
    /// PostgreSQL (the default).
    #[default]
    Postgres,
    /// MySQL and MariaDB.
    Mysql,
    /// SQLite.
    Sqlite,
    /// Microsoft SQL Server.
    Mssql,
    /// Anything else: a permissive ANSI-like grammar.
    Generic,
}

impl Dialect {
    /// Every dialect, for messages.
    pub const ALL: &'static [&'static str] = &["postgres", "mysql", "sqlite", "mssql", "generic"];

    /// The dialect's name as written in the configuration.
    pub fn name(self) -> &'static str {
        match self {
            Dialect::Postgres => "postgres",
            Dialect::Mysql => "mysql",
            Dialect::Sqlite => "sqlite",
            Dialect::Mssql => "mssql",
            Dialect::Generic => "generic",
        }
    }

    /// Parses a dialect name (`postgresql` and `mariadb` accepted too).
    pub fn from_name(name: &str) -> Option<Dialect> {
        match name.to_ascii_lowercase().as_str() {
            "postgres" | "postgresql" | "pg" => Some(Dialect::Postgres),
            "mysql" | "mariadb" => Some(Dialect::Mysql),
            "sqlite" | "sqlite3" => Some(Dialect::Sqlite),
            "mssql" | "sqlserver" | "tsql" => Some(Dialect::Mssql),
            "generic" | "ansi" => Some(Dialect::Generic),
            _ => None,
        }
    }
}

/// What a statement turned out to be.
#[derive(Clone, Debug)]
pub enum Parsed {
    /// Parsed into a syntax tree.
    Ast(Box<ast::Statement>),
    /// Valid SQL the parser does not model (a `DO` block, `CREATE TRIGGER` in
    /// some dialects): kept as text; rules that need a tree skip it.
    Opaque,
    /// A client command (`\connect`, `DELIMITER`, `GO`).
    Meta,
    /// The parser rejected it.
    Error {
        /// The parser's message, without its position.
        message: String,
        /// Byte offset in the file where the parser stopped.
        offset: usize,
    },
}

/// One statement of a script, with its byte span in the file.
#[derive(Clone, Debug)]
pub struct Statement {
    /// Byte span in the file (not the script): first token to last token.
    pub span: Range<usize>,
    /// The parse result.
    pub parsed: Parsed,
}

impl Statement {
    /// The syntax tree, when the statement parsed.
    pub fn ast(&self) -> Option<&ast::Statement> {
        match &self.parsed {
            Parsed::Ast(s) => Some(s),
            _ => None,
        }
    }

    /// The byte range in the file of `span`, a span of this statement's
    /// syntax tree; `None` when the tree has no position for it.
    pub fn locate(&self, file_text: &str, span: TreeSpan) -> Option<Range<usize>> {
        let sql = file_text.get(self.span.clone())?;
        let start = byte_offset(sql, span.start.line, span.start.column)?;
        let end = byte_offset(sql, span.end.line, span.end.column)?;
        (start <= end).then(|| self.span.start + start..self.span.start + end)
    }
}

/// Byte offset in `sql` of a 1-based line and character column.
fn byte_offset(sql: &str, line: u64, column: u64) -> Option<usize> {
    if line == 0 || column == 0 {
        return None;
    }
    let mut offset = 0;
    for (i, text) in sql.split_inclusive('\n').enumerate() {
        if i as u64 + 1 == line {
            let mut chars = text.char_indices();
            let skip = usize::try_from(column - 1).ok()?;
            return match chars.nth(skip) {
                Some((at, _)) => Some(offset + at),
                None => (skip == text.chars().count()).then_some(offset + text.len()),
            };
        }
        offset += text.len();
    }
    None
}

/// A script split and parsed: its statements and comments, with spans in
/// the file that holds it.
#[derive(Clone, Debug, Default)]
pub struct ParsedScript {
    /// Statements in order.
    pub statements: Vec<Statement>,
    /// Comment spans in order.
    pub comments: Vec<Range<usize>>,
}

/// Splits and parses `text`, a script that starts at byte `base` of its file.
/// `atomic` ranges (relative to `text`) are kept as one statement each.
pub fn parse_script(
    text: &str,
    base: usize,
    dialect: Dialect,
    atomic: &[Range<usize>],
) -> ParsedScript {
    let Split { pieces, comments } = split::split(text, dialect, atomic);
    let statements = pieces
        .into_iter()
        .map(|piece| {
            let span = piece.span.start + base..piece.span.end + base;
            let parsed = match piece.kind {
                PieceKind::Meta => Parsed::Meta,
                PieceKind::Sql => parse_statement(&text[piece.span.clone()], span.start, dialect),
            };
            Statement { span, parsed }
        })
        .collect();
    let comments = comments
        .into_iter()
        .map(|c| c.start + base..c.end + base)
        .collect();
    ParsedScript {
        statements,
        comments,
    }
}

fn parse_statement(sql: &str, offset: usize, dialect: Dialect) -> Parsed {
    if is_opaque(sql, dialect) {
        return Parsed::Opaque;
    }
    let tokens = lex::tokenize(sql, dialect);
    let result = match dialect {
        Dialect::Postgres => parse_sql(&dialect::PostgreSqlDialect {}, sql, tokens),
        Dialect::Mysql => parse_sql(&dialect::MySqlDialect {}, sql, tokens),
        Dialect::Sqlite => parse_sql(&dialect::SQLiteDialect {}, sql, tokens),
        Dialect::Mssql => parse_sql(&dialect::MsSqlDialect {}, sql, tokens),
        Dialect::Generic => parse_sql(&dialect::GenericDialect {}, sql, tokens),
    };
    match result {
        Ok(mut statements) if statements.len() == 1 => Parsed::Ast(Box::new(statements.remove(0))),
        Ok(statements) if statements.is_empty() => Parsed::Opaque,
        Ok(_) => Parsed::Error {
            message: "more than one statement where one was expected".to_string(),
            offset,
        },
        Err(e) => {
            let (message, at) = error_position(&e.to_string(), sql);
            if is_known_gap(sql, dialect) {
                Parsed::Opaque
            } else {
                Parsed::Error {
                    message,
                    offset: offset + at,
                }
            }
        }
    }
}

/// Parses `sql` as `Parser::parse_sql` does, from `tokens` when the fast
/// tokenizer produced them (the very tokens sqlparser's tokenizer would:
/// debug builds check it), else tokenizing with sqlparser.
fn parse_sql(
    dialect: &dyn dialect::Dialect,
    sql: &str,
    tokens: Option<Vec<TokenWithSpan>>,
) -> Result<Vec<ast::Statement>, ParserError> {
    let Some(tokens) = tokens else {
        return Parser::parse_sql(dialect, sql);
    };
    #[cfg(debug_assertions)]
    lex::assert_same_as_sqlparser(dialect, sql, &tokens);
    Parser::new(dialect)
        .with_tokens_with_locations(tokens)
        .parse_statements()
}

/// Statements that are valid in their dialect but that the parser does not
/// model at all; they are kept as text without a syntax error.
fn is_opaque(sql: &str, dialect: Dialect) -> bool {
    let head = leading_words(sql, 4);
    let head: Vec<&str> = head.iter().map(|w| w.as_ref()).collect();
    match dialect {
        Dialect::Postgres | Dialect::Generic => matches!(
            head.as_slice(),
            ["DO", ..]
                | ["CREATE", "EVENT", "TRIGGER", ..]
                | ["CREATE", "OR", "REPLACE", "RULE", ..]
                | ["CREATE", "RULE", ..]
                | ["ALTER", "DEFAULT", "PRIVILEGES", ..]
                | ["CREATE", "PUBLICATION", ..]
                | ["CREATE", "SUBSCRIPTION", ..]
                | ["ALTER", "PUBLICATION", ..]
                | ["SECURITY", "LABEL", ..]
                | ["CREATE", "CAST", ..]
                | ["CREATE", "AGGREGATE", ..]
                | ["CREATE", "OR", "REPLACE", "AGGREGATE", ..]
                | ["CREATE", "COLLATION", ..]
                | ["CREATE", "TEXT", "SEARCH", ..]
                | ["ALTER", "TEXT", "SEARCH", ..]
                | ["CREATE", "CONVERSION", ..]
                | ["IMPORT", "FOREIGN", "SCHEMA", ..]
                | ["REFRESH", "MATERIALIZED", "VIEW", ..]
                | ["REINDEX", ..]
                | ["CLUSTER", ..]
                | ["SELECT", "PG_CATALOG", ..]
        ),
        // `PREPARE stmt FROM @sql`: the statement is in a variable.
        Dialect::Mysql => matches!(head.as_slice(), ["PREPARE", _, "FROM", ..]),
        _ => false,
    }
}

/// Statement families that are valid SQL but that the parser only partly
/// models: a parse failure there is the parser's gap, not the user's error.
fn is_known_gap(sql: &str, dialect: Dialect) -> bool {
    let head = leading_words(sql, 6);
    let head: Vec<&str> = head.iter().map(|w| w.as_ref()).collect();
    let routine = |w: &[&str]| {
        w.iter().take(6).any(|x| {
            matches!(
                *x,
                "FUNCTION" | "PROCEDURE" | "TRIGGER" | "EVENT" | "AGGREGATE"
            )
        })
    };
    match head.as_slice() {
        ["CREATE", rest @ ..] if routine(rest) => true,
        ["ALTER", "FUNCTION" | "PROCEDURE" | "ROUTINE" | "TRIGGER" | "EVENT", ..] => true,
        ["DROP", "TRIGGER" | "EVENT" | "AGGREGATE", ..] => true,
        // A routine named by its signature, with a parameter typed after a
        // column or row (`orders.total%TYPE`, `orders%ROWTYPE`).
        ["DROP", "FUNCTION" | "PROCEDURE" | "ROUTINE", ..] if percent_type(sql) => true,
        ["COMMENT", "ON", ..] | ["GRANT", ..] | ["REVOKE", ..] => true,
        ["CREATE", "POLICY", ..] | ["ALTER", "POLICY", ..] | ["DROP", "POLICY", ..] => true,
        ["CREATE", "DOMAIN", ..] | ["ALTER", "DOMAIN", ..] => true,
        ["CREATE", "EXTENSION", ..] | ["ALTER", "EXTENSION", ..] => true,
        ["ALTER", "TYPE", ..]
        | ["ALTER", "SEQUENCE", ..]
        | ["ALTER", "INDEX", ..]
        | ["ALTER", "VIEW", ..] => true,
        ["ALTER", "MATERIALIZED", ..]
        | ["ALTER", "SCHEMA", ..]
        | ["ALTER", "ROLE" | "USER" | "GROUP", ..] => true,
        ["ALTER", "DATABASE", ..] | ["ALTER", "SYSTEM", ..] | ["ALTER", "STATISTICS", ..] => true,
        ["CREATE", "STATISTICS", ..] | ["CREATE", "SERVER", ..] | ["CREATE", "FOREIGN", ..] => true,
        ["CREATE", "USER" | "ROLE" | "GROUP", ..] | ["SET", ..] | ["RESET", ..] => true,
        ["CREATE", "TYPE", ..] if dialect == Dialect::Postgres => true,
        ["LOCK", ..] | ["VACUUM", ..] | ["ANALYZE", ..] | ["CHECKPOINT", ..] | ["NOTIFY", ..] => {
            true
        }
        ["PRAGMA", ..] if dialect == Dialect::Sqlite => true,
        ["UPDATE", ..] if dialect == Dialect::Mysql && mysql_multi_table_update(sql) => true,
        ["DROP", "INDEX", "CONCURRENTLY", ..] | ["CREATE", "MATERIALIZED", "VIEW", ..] => true,
        _ if go_template_action(sql) => true,
        _ => known_gap_pattern(sql),
    }
}

/// A Go template action (`{{ index .Options "Namespace" }}.users`): pop
/// (Buffalo, GoTrue) renders its SQL migrations as templates before running
/// them, so the statement can only be read once rendered. `{{` is no SQL.
fn go_template_action(sql: &str) -> bool {
    sql.find("{{")
        .is_some_and(|start| sql[start + 2..].contains("}}"))
}

/// MySQL's multiple-table UPDATE (`UPDATE a, b SET a.x = b.y WHERE ...`):
/// a comma after the first table, before `SET`.
fn mysql_multi_table_update(sql: &str) -> bool {
    static MULTI: std::sync::OnceLock<Option<regex::Regex>> = std::sync::OnceLock::new();
    MULTI
        .get_or_init(|| {
            regex::Regex::new(
                r"(?is)^\s*UPDATE\s+(LOW_PRIORITY\s+)?(IGNORE\s+)?[\w`.]+(\s+(AS\s+)?\w+)?\s*,",
            )
            .ok()
        })
        .as_ref()
        .is_some_and(|r| r.is_match(sql))
}

/// `%TYPE` or `%ROWTYPE` after a name: a PostgreSQL parameter type copied
/// from a column or a row.
fn percent_type(sql: &str) -> bool {
    sql.match_indices('%').any(|(i, _)| {
        let before = sql[..i].chars().next_back();
        let after = sql[i + 1..].trim_start();
        before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '"')
            && ["TYPE", "ROWTYPE"].iter().any(|w| {
                after.len() >= w.len()
                    && after.is_char_boundary(w.len())
                    && after[..w.len()].eq_ignore_ascii_case(w)
                    && !after[w.len()..].starts_with(|c: char| c.is_alphanumeric() || c == '_')
            })
    })
}

/// Constructs inside otherwise modelled statements that the parser rejects.
fn known_gap_pattern(sql: &str) -> bool {
    static GAPS: std::sync::OnceLock<Option<regex::Regex>> = std::sync::OnceLock::new();
    let gaps = GAPS.get_or_init(|| {
        regex::Regex::new(
            r"(?is)\(\s*LIKE\s+\S+\s+(INCLUDING|EXCLUDING)\b|\bSET\s+(STATISTICS|STORAGE|COMPRESSION)\b|\bALTER\s+CONSTRAINT\b|\bNULLS\s+NOT\s+DISTINCT\b|^\s*CREATE\s+(UNIQUE\s+)?INDEX\b.*\bON\s+ONLY\b|\bTABLESPACE\s+\S+",
        )
        .ok()
    });
    gaps.as_ref().is_some_and(|r| r.is_match(sql))
}

/// The first `n` words of a statement, upper-cased, skipping comments
/// (borrowed when written in upper case already).
pub fn leading_words(sql: &str, n: usize) -> Vec<std::borrow::Cow<'_, str>> {
    let mut words = Vec::new();
    let mut rest = sql;
    while words.len() < n {
        rest = rest.trim_start();
        if rest.starts_with("--") {
            rest = rest.find('\n').map_or("", |i| &rest[i..]);
            continue;
        }
        if rest.starts_with("/*") {
            rest = rest.find("*/").map_or("", |i| &rest[i + 2..]);
            continue;
        }
        let end = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        if end == 0 {
            break;
        }
        let word = &rest[..end];
        words.push(if word.bytes().any(|b| b.is_ascii_lowercase()) {
            std::borrow::Cow::Owned(word.to_ascii_uppercase())
        } else {
            std::borrow::Cow::Borrowed(word)
        });
        rest = &rest[end..];
    }
    words
}

/// Splits sqlparser's "... at Line: L, Column: C" into the message and the
/// byte offset of that position within `sql`.
fn error_position(message: &str, sql: &str) -> (String, usize) {
    let message = message
        .trim_start_matches("sql parser error: ")
        .trim_start_matches("Parser error: ");
    let Some(at) = message.rfind(" at Line: ") else {
        return (message.to_string(), 0);
    };
    let position = &message[at + " at Line: ".len()..];
    let mut parts = position.split(", Column: ");
    let line: usize = parts
        .next()
        .and_then(|l| l.trim().parse().ok())
        .unwrap_or(1);
    let column: usize = parts
        .next()
        .and_then(|c| {
            c.trim()
                .trim_end_matches(|ch: char| !ch.is_ascii_digit())
                .parse()
                .ok()
        })
        .unwrap_or(1);
    let mut offset = 0;
    for (i, l) in sql.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            let col_bytes: usize = l
                .chars()
                .take(column.saturating_sub(1))
                .map(char::len_utf8)
                .sum();
            offset += col_bytes;
            break;
        }
        offset += l.len();
    }
    (message[..at].to_string(), offset.min(sql.len()))
}

/// The text of `span` (a statement, in the file `text`) with what does not
/// change its meaning taken out: comments, line endings, indentation and
/// runs of whitespace (one space between words, none next to punctuation).
/// The baseline fingerprints statements by it, so that a statement keeps its
/// identity when lines are added above it or it is re-indented. Whitespace
/// inside string literals is collapsed too, a change too small to matter.
pub fn normalized(text: &str, span: Range<usize>, comments: &[Range<usize>]) -> String {
    let mut out = String::new();
    let mut pending_space = false;
    let mut at = span.start;
    let end = span.end.min(text.len());
    let mut inside = comments
        .iter()
        .filter(|c| c.end > span.start && c.start < end)
        .peekable();
    let punctuation = |c: char| matches!(c, '(' | ')' | ',' | ';' | '.' | '[' | ']');
    while at < end {
        if let Some(comment) = inside.peek() {
            if comment.start <= at {
                at = at.max(comment.end);
                inside.next();
                pending_space = true;
                continue;
            }
        }
        let stop = inside.peek().map_or(end, |c| c.start.min(end));
        let Some(piece) = text.get(at..stop) else {
            break;
        };
        for c in piece.chars() {
            if c.is_whitespace() {
                pending_space = true;
                continue;
            }
            if pending_space && !out.is_empty() && !punctuation(c) && !out.ends_with(punctuation) {
                out.push(' ');
            }
            pending_space = false;
            out.push(c);
        }
        at = stop;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax_error_points_inside_the_statement() {
        let sql = "CREATE TABLE a (id int);\nCREATE TABLE b (\n  id int,,\n);";
        let script = parse_script(sql, 10, Dialect::Postgres, &[]);
        assert!(script.statements[0].ast().is_some());
        match &script.statements[1].parsed {
            Parsed::Error { offset, .. } => {
                let line = sql[..offset - 10].matches('\n').count() + 1;
                assert_eq!(line, 3);
            }
            other => panic!("expected a syntax error, got {other:?}"),
        }
    }

    #[test]
    fn tree_spans_locate_identifiers_in_the_file() {
        let sql = "-- héllo\nALTER TABLE  orders\n  RENAME COLUMN tötal TO total;";
        let script = parse_script(sql, 0, Dialect::Postgres, &[]);
        let statement = &script.statements[0];
        let Some(ast::Statement::AlterTable(alter)) = statement.ast() else {
            panic!("{statement:?}");
        };
        let ast::AlterTableOperation::RenameColumn {
            old_column_name, ..
        } = &alter.operations[0]
        else {
            panic!("{alter:?}");
        };
        let range = statement.locate(sql, old_column_name.span).unwrap();
        assert_eq!(&sql[range], "tötal");
    }

    #[test]
    fn known_gaps_are_opaque_not_errors() {
        let sql = "DO $$ BEGIN RAISE NOTICE 'x'; END $$;\nDROP INDEX CONCURRENTLY IF EXISTS idx_a;\nCOMMENT ON COLUMN a.b IS 'x';\nCREATE INDEX idx_p ON ONLY events (created_at);\nCREATE INDEX idx_q ON orders (a) WITH (fillfactor = 70) TABLESPACE fast;";
        let script = parse_script(sql, 0, Dialect::Postgres, &[]);
        for s in &script.statements {
            assert!(!matches!(s.parsed, Parsed::Error { .. }), "{:?}", s);
        }
    }

    #[test]
    fn normalized_ignores_comments_layout_and_line_endings() {
        let a = "CREATE TABLE users (\n    id bigint, -- the key\n    email text\n)";
        let b = "CREATE  TABLE users(\r\n  id bigint , /* key */ email text)";
        let comments = |t: &str| split::split(t, Dialect::Postgres, &[]).comments;
        let na = normalized(a, 0..a.len(), &comments(a));
        assert_eq!(na, "CREATE TABLE users(id bigint,email text)");
        assert_eq!(normalized(b, 0..b.len(), &comments(b)), na);
        let c = "CREATE TABLE users (id bigint, email varchar)";
        assert_ne!(normalized(c, 0..c.len(), &comments(c)), na);
    }
}
