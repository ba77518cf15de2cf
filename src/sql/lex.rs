//! A fast tokenizer for the common subset of PostgreSQL statements. It
//! produces exactly the tokens and spans (1-based lines, columns counted in
//! characters) that sqlparser's `Tokenizer` would, and gives up (`None`) on
//! anything outside the subset it reproduces, so that the caller falls back
//! to sqlparser's tokenizer: a statement is never tokenized differently.
//!
//! Covered: ASCII whitespace, `--` and (nested) `/* */` comments, ASCII
//! words and keywords, plain integers and decimals, `'...'` strings,
//! `"..."` identifiers, `$$...$$` and `$tag$...$tag$` strings, and the
//! punctuation and operators PostgreSQL migrations use. Not covered (the
//! caller falls back): other dialects, non-ASCII outside strings, quoted
//! identifiers and comments, prefixed strings (`E'..'`, `N'..'`, `B'..'`,
//! `X'..'`, `U&'..'`), numbers with exponents, underscores, radix prefixes
//! or an `L` suffix, `$1` placeholders, custom operators, `COPY` (whose
//! inline data sqlparser's tokenizer captures) and unterminated literals.

use rustc_hash::FxHashMap;
use sqlparser::ast::DollarQuotedString;
use sqlparser::keywords::{Keyword, ALL_KEYWORDS, ALL_KEYWORDS_INDEX};
use sqlparser::tokenizer::{Location, Span, Token, TokenWithSpan, Whitespace, Word};
use std::sync::OnceLock;

use super::Dialect;

/// The tokens sqlparser's tokenizer (with unescaping, its default) would
/// produce for `sql` in `dialect`, or `None` where this tokenizer does not
/// reproduce it exactly.
pub(super) fn tokenize(sql: &str, dialect: Dialect) -> Option<Vec<TokenWithSpan>> {
    match dialect {
        Dialect::Postgres => Lexer::new(sql).run(),
        _ => None,
    }
}

/// The keyword sqlparser gives an unquoted ASCII word (its lookup is a
/// binary search over `ALL_KEYWORDS` comparing upper-cased bytes; here a
/// hash map of the upper-cased words packed into integers).
#[cfg(test)]
fn keyword(word: &str) -> Keyword {
    keyword_at(word.as_bytes(), 0, word.len())
}

/// The keyword of the ASCII word at `start..start + len` of `bytes`.
fn keyword_at(bytes: &[u8], start: usize, len: usize) -> Keyword {
    pack_at(bytes, start, len)
        .and_then(|key| keyword_table().get(&key).copied())
        .unwrap_or(Keyword::NoKeyword)
}

/// Words of up to `8 * KEY_WORDS` bytes are looked up: sqlparser's longest
/// keyword has 40 (a test checks every keyword against sqlparser).
const KEY_WORDS: usize = 5;
type Key = [u64; KEY_WORDS];

/// `word` upper-cased and packed (zero-padded), when short enough.
fn pack(word: &[u8]) -> Option<Key> {
    pack_at(word, 0, word.len())
}

/// The ASCII word at `start..start + len` of `bytes`, upper-cased and
/// packed eight bytes at a time.
fn pack_at(bytes: &[u8], start: usize, len: usize) -> Option<Key> {
    if len > 8 * KEY_WORDS {
        return None;
    }
    let mut key = [0u64; KEY_WORDS];
    for (k, offset) in key.iter_mut().zip((0..len).step_by(8)) {
        let at = start + offset;
        let mut eight = [0u8; 8];
        if at + 8 <= bytes.len() {
            eight.copy_from_slice(&bytes[at..at + 8]);
        } else {
            eight[..bytes.len() - at].copy_from_slice(&bytes[at..]);
        }
        let mut chunk = u64::from_le_bytes(eight);
        let kept = len - offset;
        if kept < 8 {
            chunk &= (1u64 << (8 * kept)) - 1;
        }
        *k = ascii_upper(chunk);
    }
    Some(key)
}

/// Upper-cases eight ASCII bytes at once (every byte below 0x80).
fn ascii_upper(x: u64) -> u64 {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let from_a = x.wrapping_add(HIGH - 0x6161_6161_6161_6161);
    let past_z = x.wrapping_add(HIGH - 0x7b7b_7b7b_7b7b_7b7b);
    x ^ ((from_a & !past_z & HIGH) >> 2)
}

/// `ALL_KEYWORDS`, packed.
fn keyword_table() -> &'static FxHashMap<Key, Keyword> {
    static TABLE: OnceLock<FxHashMap<Key, Keyword>> = OnceLock::new();
    TABLE.get_or_init(|| {
        ALL_KEYWORDS
            .iter()
            .zip(ALL_KEYWORDS_INDEX)
            .filter_map(|(word, keyword)| Some((pack(word.as_bytes())?, *keyword)))
            .collect()
    })
}

/// Characters that extend an operator into a custom one in PostgreSQL
/// (`PostgreSqlDialect::is_custom_operator_part`).
fn is_custom_operator_part(b: u8) -> bool {
    matches!(
        b,
        b'+' | b'-'
            | b'*'
            | b'/'
            | b'<'
            | b'>'
            | b'='
            | b'~'
            | b'!'
            | b'@'
            | b'#'
            | b'%'
            | b'^'
            | b'&'
            | b'|'
            | b'`'
            | b'?'
    )
}

fn is_word_part(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$'
}

struct Lexer<'a> {
    text: &'a str,
    b: &'a [u8],
    pos: usize,
    line: u64,
    col: u64,
}

impl<'a> Lexer<'a> {
    fn new(text: &'a str) -> Self {
        Lexer {
            text,
            b: text.as_bytes(),
            pos: 0,
            line: 1,
            col: 1,
        }
    }

    fn run(mut self) -> Option<Vec<TokenWithSpan>> {
        let mut out = Vec::with_capacity(self.b.len() / 3 + 1);
        while self.pos < self.b.len() {
            let start = self.location();
            let token = self.next_token()?;
            out.push(TokenWithSpan::new(token, Span::new(start, self.location())));
        }
        Some(out)
    }

    fn location(&self) -> Location {
        Location::new(self.line, self.col)
    }

    /// The byte at `i`, or 0 past the end (a NUL in the text is never
    /// tokenized here, so 0 stands for the end unambiguously).
    fn at(&self, i: usize) -> u8 {
        self.b.get(i).copied().unwrap_or(0)
    }

    /// Steps over `n` ASCII bytes that hold no newline.
    fn ascii(&mut self, n: usize) {
        self.pos += n;
        self.col += n as u64;
    }

    /// Steps over the text up to byte `end`, counting lines and characters
    /// as sqlparser does (`\n` starts a line; every other char is a column).
    fn advance_to(&mut self, end: usize) {
        for &b in &self.b[self.pos..end] {
            if b == b'\n' {
                self.line += 1;
                self.col = 1;
            } else if b & 0xC0 != 0x80 {
                self.col += 1;
            }
        }
        self.pos = end;
    }

    /// `token`, `n` ASCII bytes long.
    fn take(&mut self, n: usize, token: Token) -> Option<Token> {
        self.ascii(n);
        Some(token)
    }

    /// An operator `n` bytes long that sqlparser extends into a custom
    /// operator when more operator characters follow: then give up.
    fn operator(&mut self, n: usize, token: Token) -> Option<Token> {
        if is_custom_operator_part(self.at(self.pos + n)) {
            return None;
        }
        self.take(n, token)
    }

    fn next_token(&mut self) -> Option<Token> {
        let p = self.pos;
        let next = self.at(p + 1);
        match self.b[p] {
            b' ' => self.take(1, Token::Whitespace(Whitespace::Space)),
            b'\t' => self.take(1, Token::Whitespace(Whitespace::Tab)),
            b'\x0b' | b'\x0c' => self.take(1, Token::Whitespace(Whitespace::Space)),
            b'\n' => {
                self.pos += 1;
                self.line += 1;
                self.col = 1;
                Some(Token::Whitespace(Whitespace::Newline))
            }
            b'\r' => {
                if next == b'\n' {
                    self.pos += 2;
                    self.line += 1;
                    self.col = 1;
                } else {
                    self.ascii(1);
                }
                Some(Token::Whitespace(Whitespace::Newline))
            }
            b'a'..=b'z' | b'A'..=b'Z' | b'_' => self.word(),
            b'0'..=b'9' | b'.' => self.number(),
            b'\'' => {
                let value = self.quoted(b'\'')?;
                Some(Token::SingleQuotedString(value))
            }
            b'"' => {
                let value = self.quoted(b'"')?;
                Some(Token::Word(Word {
                    value,
                    quote_style: Some('"'),
                    keyword: Keyword::NoKeyword,
                }))
            }
            b'$' => self.dollar(),
            b'(' => self.take(1, Token::LParen),
            b')' => self.take(1, Token::RParen),
            b',' => self.take(1, Token::Comma),
            b';' => self.take(1, Token::SemiColon),
            b'[' => self.take(1, Token::LBracket),
            b']' => self.take(1, Token::RBracket),
            b'{' => self.take(1, Token::LBrace),
            b'}' => self.take(1, Token::RBrace),
            b'\\' => self.take(1, Token::Backslash),
            b'+' => self.take(1, Token::Plus),
            b'*' => self.take(1, Token::Mul),
            b'-' => match next {
                b'-' => self.line_comment(),
                b'>' if self.at(p + 2) == b'>' => self.operator(3, Token::LongArrow),
                b'>' => self.operator(2, Token::Arrow),
                _ => self.operator(1, Token::Minus),
            },
            b'/' => match next {
                b'*' => self.block_comment(),
                _ => self.take(1, Token::Div),
            },
            b'%' => self.operator(1, Token::Mod),
            b'|' => match next {
                b'/' | b'&' | b'>' => None,
                b'|' if self.at(p + 2) == b'/' => None,
                b'|' => self.operator(2, Token::StringConcat),
                _ => self.operator(1, Token::Pipe),
            },
            b'=' => match next {
                b'>' => self.take(2, Token::RArrow),
                b'=' => self.take(2, Token::DoubleEq),
                _ => self.take(1, Token::Eq),
            },
            b'!' => match next {
                b'=' => self.take(2, Token::Neq),
                b'!' => self.take(2, Token::DoubleExclamationMark),
                b'~' => None,
                _ => self.take(1, Token::ExclamationMark),
            },
            b'<' => match next {
                b'=' => match self.at(p + 2) {
                    b'>' => None,
                    b'+' | b'-' => self.take(2, Token::LtEq),
                    _ => self.operator(2, Token::LtEq),
                },
                b'>' => self.operator(2, Token::Neq),
                b'@' => self.operator(2, Token::ArrowAt),
                b'|' | b'<' | b'^' => None,
                b'-' if self.at(p + 2) == b'>' => None,
                b'+' | b'-' => self.take(1, Token::Lt),
                _ => self.operator(1, Token::Lt),
            },
            b'>' => match next {
                b'=' => self.operator(2, Token::GtEq),
                b'>' => self.operator(2, Token::ShiftRight),
                b'^' => None,
                _ => self.operator(1, Token::Gt),
            },
            b':' => match next {
                b':' => self.take(2, Token::DoubleColon),
                b'=' => self.take(2, Token::Assignment),
                _ => self.take(1, Token::Colon),
            },
            b'&' => match next {
                // sqlparser's `&>` takes the character after it too.
                b'>' | b'<' => None,
                b'&' => self.operator(2, Token::Overlap),
                _ => self.operator(1, Token::Ampersand),
            },
            b'^' => match next {
                b'@' => self.take(2, Token::CaretAt),
                _ => self.take(1, Token::Caret),
            },
            b'~' => match next {
                b'*' => self.operator(2, Token::TildeAsterisk),
                b'=' => self.operator(2, Token::TildeEqual),
                b'~' if self.at(p + 2) == b'*' => self.operator(3, Token::DoubleTildeAsterisk),
                b'~' => self.operator(2, Token::DoubleTilde),
                _ => self.operator(1, Token::Tilde),
            },
            b'#' => match next {
                b'-' => self.operator(2, Token::HashMinus),
                b'>' if self.at(p + 2) == b'>' => self.operator(3, Token::HashLongArrow),
                b'>' => self.operator(2, Token::HashArrow),
                b' ' => self.take(1, Token::Sharp),
                b'#' => self.operator(2, Token::DoubleSharp),
                _ => self.operator(1, Token::Sharp),
            },
            b'@' => match next {
                b'@' => self.take(2, Token::AtAt),
                b'-' => None,
                b'>' => self.take(2, Token::AtArrow),
                b'?' => self.take(2, Token::AtQuestion),
                _ => self.take(1, Token::AtSign),
            },
            b'?' => match next {
                b'|' if self.at(p + 2) == b'|' => {
                    self.take(3, Token::QuestionMarkDoubleVerticalBar)
                }
                b'|' => self.take(2, Token::QuestionPipe),
                b'&' => self.take(2, Token::QuestionAnd),
                b'-' if self.at(p + 2) == b'|' => self.take(3, Token::QuestionMarkDashVerticalBar),
                b'-' => self.take(2, Token::QuestionMarkDash),
                b'#' => self.take(2, Token::QuestionMarkSharp),
                _ => self.take(1, Token::Question),
            },
            // Other control characters, backquotes and non-ASCII text.
            _ => None,
        }
    }

    /// An unquoted word. Words that start a prefixed string (`E'..'`,
    /// `N'..'`, `B'..'`, `B".."`, `X'..'`, `U&'..'`) and words that go on in
    /// non-ASCII characters are left to sqlparser, and so is `COPY`.
    fn word(&mut self) -> Option<Token> {
        let start = self.pos;
        let next = self.at(start + 1);
        match self.b[start] | 0x20 {
            b'b' if next == b'\'' || next == b'"' => return None,
            b'e' | b'n' | b'x' if next == b'\'' => return None,
            b'u' if next == b'&' => return None,
            _ => {}
        }
        let mut end = start + 1;
        while end < self.b.len() && is_word_part(self.b[end]) {
            end += 1;
        }
        if self.at(end) >= 0x80 {
            return None;
        }
        let value = &self.text[start..end];
        let keyword = keyword_at(self.b, start, end - start);
        if keyword == Keyword::COPY {
            return None;
        }
        self.ascii(end - start);
        Some(Token::Word(Word {
            value: value.to_string(),
            quote_style: None,
            keyword,
        }))
    }

    /// A number or a lone period: digits, an optional period, digits.
    /// Underscores, radix prefixes, exponents and `L` are left to sqlparser.
    fn number(&mut self) -> Option<Token> {
        let start = self.pos;
        if self.b[start] == b'.' && self.at(start + 1) == b'_' {
            return None;
        }
        let mut end = start;
        while self.at(end).is_ascii_digit() {
            end += 1;
        }
        if self.at(end) == b'_' {
            return None;
        }
        if end == start + 1
            && self.b[start] == b'0'
            && matches!(self.at(end), b'x' | b'X' | b'o' | b'O' | b'b' | b'B')
        {
            return None;
        }
        if self.at(end) == b'.' {
            end += 1;
            while self.at(end).is_ascii_digit() {
                end += 1;
            }
            if self.at(end) == b'_' {
                return None;
            }
        }
        if end == start + 1 && self.b[start] == b'.' {
            return self.take(1, Token::Period);
        }
        if matches!(self.at(end), b'e' | b'E' | b'L') {
            return None;
        }
        let value = self.text[start..end].to_string();
        self.ascii(end - start);
        Some(Token::Number(value, false))
    }

    /// A string or identifier quoted by `quote`, a doubled quote standing
    /// for one; `None` when it is not terminated.
    fn quoted(&mut self, quote: u8) -> Option<String> {
        let open = self.pos + 1;
        let mut segment = open;
        let mut at = open;
        let mut value = String::new();
        loop {
            let close = at + self.b[at..].iter().position(|&b| b == quote)?;
            if self.at(close + 1) == quote {
                value.push_str(&self.text[segment..=close]);
                at = close + 2;
                segment = at;
            } else {
                value.push_str(&self.text[segment..close]);
                self.advance_to(close + 1);
                return Some(value);
            }
        }
    }

    /// `$$...$$` or `$tag$...$tag$`; placeholders (`$1`) are left to
    /// sqlparser, and so are tags that go on in non-ASCII characters.
    fn dollar(&mut self) -> Option<Token> {
        let start = self.pos;
        let mut end = start + 1;
        while self.at(end).is_ascii_alphanumeric() || self.at(end) == b'_' {
            end += 1;
        }
        if self.at(end) != b'$' {
            return None;
        }
        let delimiter = &self.text[start..=end];
        let body = end + 1;
        let length = self.text[body..].find(delimiter)?;
        let value = self.text[body..body + length].to_string();
        let tag = (end > start + 1).then(|| self.text[start + 1..end].to_string());
        self.advance_to(body + length + delimiter.len());
        Some(Token::DollarQuotedString(DollarQuotedString { value, tag }))
    }

    /// `-- ...` up to the line end (`\n` or, in PostgreSQL, `\r`), which
    /// is not part of it.
    fn line_comment(&mut self) -> Option<Token> {
        let body = self.pos + 2;
        let end = body
            + self.b[body..]
                .iter()
                .position(|&b| b == b'\n' || b == b'\r')
                .unwrap_or(self.b.len() - body);
        let comment = self.text[body..end].to_string();
        self.advance_to(end);
        Some(Token::Whitespace(Whitespace::SingleLineComment {
            comment,
            prefix: "--".to_string(),
        }))
    }

    /// `/* ... */`, nesting as PostgreSQL does; `None` when unterminated.
    fn block_comment(&mut self) -> Option<Token> {
        let body = self.pos + 2;
        let mut at = body;
        let mut depth = 1u32;
        loop {
            match *self.b.get(at)? {
                b'/' if self.at(at + 1) == b'*' => {
                    depth += 1;
                    at += 2;
                }
                b'*' if self.at(at + 1) == b'/' => {
                    depth -= 1;
                    at += 2;
                    if depth == 0 {
                        break;
                    }
                }
                _ => at += 1,
            }
        }
        let comment = self.text[body..at - 2].to_string();
        self.advance_to(at);
        Some(Token::Whitespace(Whitespace::MultiLineComment(comment)))
    }
}

/// Panics unless `tokens` are exactly what sqlparser's tokenizer produces
/// for `sql`, spans included (debug builds check every fast tokenization).
#[cfg(debug_assertions)]
pub(super) fn assert_same_as_sqlparser(
    dialect: &dyn sqlparser::dialect::Dialect,
    sql: &str,
    tokens: &[TokenWithSpan],
) {
    let expected = sqlparser::tokenizer::Tokenizer::new(dialect, sql)
        .with_unescape(true)
        .tokenize_with_location();
    if let Some(difference) = difference(expected.as_deref().ok(), tokens) {
        panic!("fast tokenizer differs from sqlparser's on {sql:?}: {difference}");
    }
}

/// Where `ours` differs from sqlparser's tokens (`None` when sqlparser's
/// tokenizer failed), token by token and span by span.
#[cfg(any(test, debug_assertions))]
fn difference(expected: Option<&[TokenWithSpan]>, ours: &[TokenWithSpan]) -> Option<String> {
    let Some(expected) = expected else {
        return Some("sqlparser's tokenizer fails on it".to_string());
    };
    for (i, (e, o)) in expected.iter().zip(ours).enumerate() {
        if e.token != o.token || e.span.start != o.span.start || e.span.end != o.span.end {
            return Some(format!("token {i}: sqlparser {e:?}, fast {o:?}"));
        }
    }
    (expected.len() != ours.len()).then(|| {
        format!(
            "{} tokens from sqlparser, {} from the fast tokenizer",
            expected.len(),
            ours.len()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlparser::dialect::PostgreSqlDialect;
    use sqlparser::tokenizer::Tokenizer;

    /// Checks `sql` against sqlparser's tokenizer: when the fast tokenizer
    /// answers, sqlparser must succeed with the same tokens and spans.
    /// Returns whether the fast tokenizer answered.
    fn check(sql: &str) -> bool {
        let ours = tokenize(sql, Dialect::Postgres);
        let Some(ours) = ours else {
            return false;
        };
        let expected = Tokenizer::new(&PostgreSqlDialect {}, sql)
            .with_unescape(true)
            .tokenize_with_location();
        if let Some(difference) = difference(expected.as_deref().ok(), &ours) {
            panic!("on {sql:?}: {difference}");
        }
        true
    }

    /// Checks a whole script and each statement of it (as the splitter cuts
    /// them); returns (statements, statements the fast path answered).
    fn check_script(text: &str) -> (usize, usize) {
        check(text);
        let pieces = super::super::split::split(text, Dialect::Postgres, &[]).pieces;
        let mut hits = 0;
        for piece in &pieces {
            if check(&text[piece.span.clone()]) {
                hits += 1;
            }
        }
        (pieces.len(), hits)
    }

    /// Every prefix of `text` (cut at char boundaries): truncated strings,
    /// comments, dollar quotes and operators.
    fn check_prefixes(text: &str) {
        for (at, _) in text.char_indices() {
            check(&text[..at]);
        }
        check(text);
    }

    const CORPUS: &[&str] = &[
        "CREATE TABLE users (\n    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n    email text NOT NULL UNIQUE,\n    name varchar(200),\n    created_at timestamptz NOT NULL DEFAULT now(),\n    payload jsonb NOT NULL DEFAULT '{}'::jsonb\n);",
        "CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_users_email ON users (lower(email)) WHERE deleted_at IS NULL;",
        "CREATE UNIQUE INDEX idx_orders_open ON orders (customer_id, created_at DESC NULLS LAST) WHERE status <> 'closed' AND total >= 0;",
        "CREATE TYPE order_status AS ENUM ('pending', 'paid', 'shipped', 'cancelled');",
        "ALTER TYPE order_status ADD VALUE IF NOT EXISTS 'refunded' AFTER 'paid';",
        "CREATE OR REPLACE FUNCTION touch_updated_at() RETURNS trigger\nLANGUAGE plpgsql AS $$\nBEGIN\n    NEW.updated_at := now();\n    RETURN NEW;\nEND;\n$$;",
        "CREATE FUNCTION add(a integer, b integer) RETURNS integer AS $body$\n  SELECT a + b; -- sum\n$body$ LANGUAGE sql IMMUTABLE STRICT;",
        "CREATE FUNCTION f() RETURNS text AS $fn$ SELECT $$inner$$ || 'x' $fn$ LANGUAGE sql;",
        "DO $$\nDECLARE r record;\nBEGIN\n  FOR r IN SELECT id FROM users LOOP\n    RAISE NOTICE 'user %', r.id;\n  END LOOP;\nEND\n$$;",
        "DO $do$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_type WHERE typname = 'mood') THEN CREATE TYPE mood AS ENUM ('sad', 'ok'); END IF; END $do$;",
        "COMMENT ON COLUMN users.email IS 'The user''s e-mail address (unique, lower-cased)';",
        "COMMENT ON TABLE orders IS 'Commandes passées — « clients » à Zürich, 注文';",
        "-- Ajoute la colonne « statut » (été 2024)\nALTER TABLE orders ADD COLUMN status order_status NOT NULL DEFAULT 'pending';",
        "/* multi-line\n   comment /* nested */ still comment\n*/ ALTER TABLE a DROP COLUMN b;",
        "ALTER TABLE orders ADD CONSTRAINT orders_total_check CHECK (total >= 0 AND total < 1000000.00) NOT VALID;",
        "ALTER TABLE orders VALIDATE CONSTRAINT orders_total_check;",
        "ALTER TABLE \"Order Items\" RENAME COLUMN \"Qty\" TO quantity;",
        "CREATE TABLE \"weird \"\"name\"\"\" (\"é\" int);",
        "SELECT data->'a'->>'b', data #> '{a,b}', data #>> '{a}', data @> '{\"k\":1}', data ? 'k', data ?| array['a'], data ?& array['b'] FROM t;",
        "SELECT x::text, y::numeric(10,2), CAST(z AS int), arr[1], arr[1:2], ARRAY[1,2,3] || 4 FROM t;",
        "SELECT 1, 12, 1.5, .5, 1., 0, 00, 007, 3.14159, 1.2.3, t.1 FROM t;",
        "SELECT a % b, a * b, a / b, a - b, a + -b, a<>b, a!=b, a<=b, a>=b, a<b, a>b, a=b, a||b FROM t;",
        "SELECT * FROM t WHERE name ~ '^a' OR name ~* 'b$' OR name !~ 'c' OR name ~~ 'd%' OR name LIKE 'e\\_%';",
        "SELECT 'back\\slash', 'tab\there', 'new\nline', '' FROM t;",
        "ALTER TABLE t ADD COLUMN total numeric GENERATED ALWAYS AS (price * qty) STORED;",
        "CREATE TABLE part_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');",
        "INSERT INTO settings (key, value) VALUES ('a', '1'), ('b', '2') ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value;",
        "UPDATE orders SET status = 'paid' WHERE id IN (SELECT order_id FROM payments WHERE amount > 0);",
        "DELETE FROM sessions WHERE expires_at < now() - interval '30 days';",
        "GRANT SELECT, INSERT ON ALL TABLES IN SCHEMA public TO app_user;",
        "CREATE EXTENSION IF NOT EXISTS \"uuid-ossp\";",
        "CREATE TABLE t (id uuid DEFAULT gen_random_uuid(), tags text[] NOT NULL DEFAULT '{}', point_a point);",
        "SET lock_timeout = '5s';\r\nSET statement_timeout TO 0;\r\n",
        "CREATE INDEX idx_a ON a USING gin (doc jsonb_path_ops);\r\n-- trailing comment\r\n",
        "SELECT 1;\r-- old mac line end\rSELECT 2;",
        "SELECT $1, $2 FROM t;",
        "SELECT E'a\\nb', N'nat', B'101', X'ff', U&'d\\0061t' FROM t;",
        "SELECT 1e5, 1.5E-3, 1_000, 0x1F, 0o17, 0b101, 10L FROM t;",
        "COPY users (id, email) FROM STDIN;\n1\ta@b.c\n\\.\n",
        "SELECT a &< b, a &> b, a << b, a >> b, a <-> b, a @@ b, a && b, a |/ b, @ -5, !! 5, 5 ! FROM t;",
        "SELECT a <@ b, a @? '$.a', a #- '{a}', a ^ 2, a ^@ 'x', a & b, a | b, ~a, #a FROM t;",
        "CREATE TABLE café (naïve text);",
        "SELECT \"Straße\", 'Ünïcödé ✓' FROM \"Tabelle\";",
        "ALTER TABLE t ALTER COLUMN c SET DATA TYPE bigint USING c::bigint;",
        "CREATE POLICY p ON t FOR SELECT USING (owner = current_user);",
        "CREATE MATERIALIZED VIEW mv AS SELECT date_trunc('day', created_at) AS day, count(*) FROM orders GROUP BY 1 WITH NO DATA;",
        "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 10) SELECT * FROM r;",
        "SELECT $tag$ unterminated",
        "SELECT 'unterminated",
        "SELECT \"unterminated",
        "/* unterminated",
        "SELECT a:b, a := 1, x => 1, a == b, {1}, \\ FROM t;",
        "SELECT `x` FROM t;",
        "SELECT a+b, a-b, a*-1, a/-1, a%-1, a<-1, a>-1, a=-1 FROM t;",
        "ALTER TABLE t ADD COLUMN c text COLLATE \"C\";",
        "SELECT a$b, _x, x_1$, $_tag$ body $_tag$, $1a$ b $1a$ FROM t;",
        "CREATE TABLE t (a int)\t;\x0b\x0c",
        "SELECT 1 -- comment at the end",
        "SELECT 1 --",
        "SELECT '' '', \"\"\"\", $$$$, $$ $ $$, $a$$a$ FROM t;",
    ];

    #[test]
    fn keywords_are_those_sqlparser_finds() {
        let upper = |w: &str| w.to_string();
        let lower = |w: &str| w.to_ascii_lowercase();
        let mixed = |w: &str| {
            w.char_indices()
                .map(|(i, c)| {
                    if i % 2 == 0 {
                        c.to_ascii_lowercase()
                    } else {
                        c
                    }
                })
                .collect()
        };
        for word in ALL_KEYWORDS {
            for spelling in [upper(word), lower(word), mixed(word)] {
                let Token::Word(expected) = Token::make_word(&spelling, None) else {
                    unreachable!();
                };
                assert_eq!(keyword(&spelling), expected.keyword, "{spelling}");
                assert_ne!(expected.keyword, Keyword::NoKeyword, "{spelling}");
            }
            for other in [
                format!("{word}_"),
                format!("x{word}"),
                format!("{word}{word}"),
                word[1..].to_string(),
            ] {
                let Token::Word(expected) = Token::make_word(&other, None) else {
                    unreachable!();
                };
                assert_eq!(keyword(&other), expected.keyword, "{other}");
            }
        }
    }

    #[test]
    fn packing_upper_cases_every_ascii_byte() {
        for b in 0u8..128 {
            for at in 0..8 {
                let mut bytes = [b'a'; 8];
                bytes[at] = b;
                let mut upper = bytes;
                upper.make_ascii_uppercase();
                let packed = ascii_upper(u64::from_le_bytes(bytes));
                assert_eq!(packed, u64::from_le_bytes(upper), "{b} at {at}");
            }
        }
        let text = b"select insertx";
        assert_eq!(pack_at(text, 7, 6), pack(b"INSERT"));
        assert_eq!(keyword_at(text, 7, 6), Keyword::INSERT);
        assert_eq!(keyword_at(text, 7, 7), Keyword::NoKeyword);
    }

    #[test]
    fn corpus_matches_sqlparser() {
        let mut hits = 0;
        for sql in CORPUS {
            let (_, hit) = check_script(sql);
            hits += hit;
            check_prefixes(sql);
            check(&sql.replace('\n', "\r\n"));
            check(&sql.replace('\n', "\r"));
            check(&format!("  {sql}\n\n"));
        }
        assert!(
            hits > CORPUS.len() / 2,
            "{hits} statements on the fast path"
        );
    }

    #[test]
    fn common_statements_take_the_fast_path() {
        for sql in [
            CORPUS[0],
            CORPUS[5],
            CORPUS[8],
            CORPUS[11],
            CORPUS[12],
            CORPUS[13],
            CORPUS[18],
            CORPUS[19],
            CORPUS[20],
            "SELECT 1;\r\n-- x\r\nSELECT 2;",
        ] {
            assert!(check(sql), "fell back on {sql:?}");
        }
        for sql in [
            "SELECT $1",
            "SELECT E'x'",
            "SELECT 1e5",
            "COPY t FROM STDIN;",
            "SELECT 'unterminated",
            "SELECT é",
        ] {
            assert!(tokenize(sql, Dialect::Postgres).is_none(), "{sql:?}");
        }
        assert!(tokenize("SELECT 1", Dialect::Mysql).is_none());
        assert_eq!(tokenize("", Dialect::Postgres), Some(Vec::new()));
    }

    /// Every ASCII character alone and in pairs, and triples of the
    /// characters that start or extend tokens, also after a word and
    /// inside a statement.
    #[test]
    fn short_inputs_match_sqlparser() {
        let all: Vec<char> = (0u8..128)
            .map(char::from)
            .chain(['é', '€', '\u{a0}'])
            .collect();
        for a in &all {
            check(&a.to_string());
            for b in &all {
                check(&format!("{a}{b}"));
                check(&format!("x{a}{b} 1"));
            }
        }
        let interesting: Vec<char> = "-+*/<>=~!@#%^&|`?:;.,()[]{}$'\"\\_ \n\r\teExXbBnNuU0179aLl_"
            .chars()
            .collect();
        for a in &interesting {
            for b in &interesting {
                for c in &interesting {
                    check(&format!("{a}{b}{c}"));
                    check(&format!("a {a}{b}{c}d"));
                    check(&format!("1{a}{b}{c}2"));
                }
            }
        }
    }

    /// Random sequences of token fragments (a fixed-seed generator, so a
    /// failure reproduces).
    #[test]
    fn random_fragments_match_sqlparser() {
        const FRAGMENTS: &[&str] = &[
            "SELECT",
            "select",
            "Copy",
            "e",
            "E",
            "n",
            "x",
            "b",
            "u",
            "U&",
            "_a$",
            "é",
            "ß",
            " ",
            "\t",
            "\n",
            "\r",
            "\r\n",
            "\x0b",
            "\u{a0}",
            "--",
            "-- é\n",
            "/*",
            "*/",
            "/* a /* b */ c */",
            "'",
            "''",
            "'é'",
            "\"",
            "\"\"",
            "\"Ä\"",
            "$",
            "$$",
            "$a$",
            "$1",
            "0",
            "1",
            "42",
            ".",
            "1.5",
            ".5",
            "1.",
            "_",
            "e5",
            "L",
            "0x",
            "(",
            ")",
            ",",
            ";",
            "::",
            ":",
            "=",
            "<",
            ">",
            "!",
            "~",
            "*",
            "+",
            "-",
            "/",
            "%",
            "|",
            "||",
            "&",
            "^",
            "#",
            "@",
            "?",
            "[",
            "]",
            "{",
            "}",
            "\\",
            "`",
            "->",
            "->>",
            "#>",
            "@>",
            "<@",
        ];
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        let mut random = |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        let mut hits = 0;
        for _ in 0..100_000 {
            let len = 1 + random(8);
            let sql: String = (0..len)
                .map(|_| FRAGMENTS[random(FRAGMENTS.len())])
                .collect();
            hits += usize::from(check(&sql));
        }
        assert!(hits > 10_000, "only {hits} on the fast path");
    }

    fn sql_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                sql_files(&path, out);
            } else if path.extension().is_some_and(|e| e == "sql") {
                out.push(path);
            }
        }
    }

    /// The SQL of rule examples: `sql` values and the files of `base`,
    /// `head` and `environments`, except examples in another dialect.
    fn yaml_sql(value: &serde_yaml::Value, out: &mut Vec<String>) {
        match value {
            serde_yaml::Value::Sequence(items) => items.iter().for_each(|v| yaml_sql(v, out)),
            serde_yaml::Value::Mapping(map) => {
                if map
                    .get("dialect")
                    .and_then(|d| d.as_str())
                    .is_some_and(|d| d != "postgres")
                {
                    return;
                }
                for (key, value) in map {
                    match key.as_str() {
                        Some("sql") => out.extend(value.as_str().map(str::to_string)),
                        Some("base" | "head" | "environments") => yaml_files(value, out),
                        _ => yaml_sql(value, out),
                    }
                }
            }
            _ => {}
        }
    }

    fn yaml_files(value: &serde_yaml::Value, out: &mut Vec<String>) {
        match value {
            serde_yaml::Value::String(s) => out.push(s.clone()),
            serde_yaml::Value::Mapping(map) => map.values().for_each(|v| yaml_files(v, out)),
            _ => {}
        }
    }

    #[test]
    fn project_sql_matches_sqlparser() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        sql_files(&root.join("tests"), &mut files);
        sql_files(&root.join("examples"), &mut files);
        let mut texts: Vec<String> = files
            .iter()
            .filter_map(|p| std::fs::read_to_string(p).ok())
            .collect();
        assert!(!texts.is_empty());
        let rules = std::fs::read_dir(root.join("rules")).unwrap();
        for entry in rules.flatten() {
            let text = std::fs::read_to_string(entry.path()).unwrap();
            let yaml: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
            yaml_sql(&yaml, &mut texts);
        }
        let (mut statements, mut hits) = (0, 0);
        for text in &texts {
            let (n, hit) = check_script(text);
            statements += n;
            hits += hit;
        }
        eprintln!("project SQL: {hits} of {statements} statements on the fast path");
        assert!(hits * 10 > statements * 9, "{hits} of {statements}");
    }

    /// Fast-path hit rate and tokenizer throughput (ours and sqlparser's)
    /// over the `.sql` files under `$SQLGATE_LEX_CORPUS`; prints figures,
    /// asserts only equality. Run with `cargo test --release --lib
    /// lex_corpus -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn lex_corpus() {
        let Ok(dir) = std::env::var("SQLGATE_LEX_CORPUS") else {
            return;
        };
        let mut files = Vec::new();
        sql_files(std::path::Path::new(&dir), &mut files);
        let texts: Vec<String> = files
            .iter()
            .filter_map(|p| std::fs::read_to_string(p).ok())
            .collect();
        let mut statements = Vec::new();
        for text in &texts {
            for piece in super::super::split::split(text, Dialect::Postgres, &[]).pieces {
                statements.push(&text[piece.span]);
            }
        }
        let hits = statements.iter().filter(|s| check(s)).count();
        let bytes: usize = statements.iter().map(|s| s.len()).sum();
        let mb = bytes as f64 / 1e6;
        let started = std::time::Instant::now();
        let mut tokens = 0;
        for s in &statements {
            tokens += tokenize(s, Dialect::Postgres).map_or(0, |t| t.len());
        }
        let ours = started.elapsed().as_secs_f64();
        let started = std::time::Instant::now();
        for s in &statements {
            tokens += Tokenizer::new(&PostgreSqlDialect {}, s)
                .tokenize_with_location()
                .map_or(0, |t| t.len());
        }
        let theirs = started.elapsed().as_secs_f64();
        eprintln!(
            "{} statements, {hits} on the fast path ({:.1}%); {mb:.1} MB: fast {:.0} MB/s, sqlparser {:.0} MB/s ({tokens} tokens)",
            statements.len(),
            100.0 * hits as f64 / statements.len().max(1) as f64,
            mb / ours,
            mb / theirs,
        );
    }
}
