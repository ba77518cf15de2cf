//! Liquibase context and label expressions: `dev`, `!prod`, `dev, test`
//! (a comma is `or`), `dev and !prod`, `(qa or test) and !prod`, parsed
//! once and evaluated against the contexts (or labels) an environment
//! deploys with.

use std::fmt;

/// A parsed context or label expression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expr {
    /// A context or label name (compared case-insensitively).
    Name(String),
    /// `!x`, `not x`.
    Not(Box<Expr>),
    /// `x and y`.
    And(Vec<Expr>),
    /// `x or y`, `x, y`.
    Or(Vec<Expr>),
}

/// Why an expression does not parse.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError(pub String);

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Token {
    Name(String),
    Not,
    And,
    Or,
    Open,
    Close,
}

fn tokens(text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut Vec<Token>| {
        if word.is_empty() {
            return;
        }
        let token = match word.to_ascii_lowercase().as_str() {
            "and" => Token::And,
            "or" => Token::Or,
            "not" => Token::Not,
            _ => Token::Name(word.clone()),
        };
        out.push(token);
        word.clear();
    };
    for c in text.chars() {
        let token = match c {
            '!' => Some(Token::Not),
            ',' => Some(Token::Or),
            '(' => Some(Token::Open),
            ')' => Some(Token::Close),
            c if c.is_whitespace() || c == '"' || c == '\'' => None,
            c => {
                word.push(c);
                continue;
            }
        };
        flush(&mut word, &mut out);
        out.extend(token);
    }
    flush(&mut word, &mut out);
    out
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn or(&mut self) -> Result<Expr, ParseError> {
        let mut parts = vec![self.and()?];
        while self.peek() == Some(&Token::Or) {
            self.at += 1;
            parts.push(self.and()?);
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Expr::Or(parts)
        })
    }

    fn and(&mut self) -> Result<Expr, ParseError> {
        let mut parts = vec![self.not()?];
        while self.peek() == Some(&Token::And) {
            self.at += 1;
            parts.push(self.not()?);
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Expr::And(parts)
        })
    }

    fn not(&mut self) -> Result<Expr, ParseError> {
        if self.peek() == Some(&Token::Not) {
            self.at += 1;
            return Ok(Expr::Not(Box::new(self.not()?)));
        }
        self.atom()
    }

    fn atom(&mut self) -> Result<Expr, ParseError> {
        match self.tokens.get(self.at).cloned() {
            Some(Token::Name(name)) => {
                self.at += 1;
                Ok(Expr::Name(name))
            }
            Some(Token::Open) => {
                self.at += 1;
                let inner = self.or()?;
                if self.peek() != Some(&Token::Close) {
                    return Err(ParseError("a `(` is not closed".to_string()));
                }
                self.at += 1;
                Ok(inner)
            }
            Some(Token::Close) => Err(ParseError("a `)` has no `(`".to_string())),
            Some(_) => Err(ParseError(
                "an operator where a context name was expected".to_string(),
            )),
            None => Err(ParseError("the expression ends too early".to_string())),
        }
    }
}

impl Expr {
    /// Parses an expression; `None` when it is empty (no filter).
    pub fn parse(text: &str) -> Result<Option<Expr>, ParseError> {
        let tokens = tokens(text);
        if tokens.is_empty() {
            return Ok(None);
        }
        let mut parser = Parser { tokens, at: 0 };
        let expr = parser.or()?;
        if parser.at != parser.tokens.len() {
            return Err(ParseError(format!(
                "unexpected `{}` after a complete expression",
                match &parser.tokens[parser.at] {
                    Token::Name(n) => n.as_str(),
                    Token::Not => "!",
                    Token::And => "and",
                    Token::Or => "or",
                    Token::Open => "(",
                    Token::Close => ")",
                }
            )));
        }
        Ok(Some(expr))
    }

    /// Whether the expression holds when exactly `names` are given.
    pub fn eval(&self, names: &[String]) -> bool {
        match self {
            Expr::Name(n) => names.iter().any(|g| g.eq_ignore_ascii_case(n)),
            Expr::Not(e) => !e.eval(names),
            Expr::And(parts) => parts.iter().all(|p| p.eval(names)),
            Expr::Or(parts) => parts.iter().any(|p| p.eval(names)),
        }
    }

    /// Every name the expression mentions, in order.
    pub fn names(&self) -> Vec<&str> {
        let mut out = Vec::new();
        self.collect(&mut out);
        out
    }

    fn collect<'a>(&'a self, out: &mut Vec<&'a str>) {
        match self {
            Expr::Name(n) => out.push(n),
            Expr::Not(e) => e.collect(out),
            Expr::And(parts) | Expr::Or(parts) => parts.iter().for_each(|p| p.collect(out)),
        }
    }
}

/// Whether a migration with these context (or label) expressions runs when
/// deployed with `given`: Liquibase runs everything when it is given none,
/// and a migration without expressions everywhere. Expressions that do not
/// parse are taken as running (the safe side for a gate).
pub fn runs_with(expressions: &[String], given: &[String]) -> bool {
    if given.is_empty() {
        return true;
    }
    expressions.iter().all(|text| match Expr::parse(text) {
        Ok(Some(expr)) => expr.eval(given),
        Ok(None) | Err(_) => true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn given(names: &[&str]) -> Vec<String> {
        names.iter().map(|n| n.to_string()).collect()
    }

    fn holds(text: &str, names: &[&str]) -> bool {
        Expr::parse(text).unwrap().unwrap().eval(&given(names))
    }

    #[test]
    fn operators_and_precedence_follow_liquibase() {
        assert!(holds("dev", &["dev"]));
        assert!(holds("DEV", &["dev"]));
        assert!(!holds("!prod", &["prod"]));
        assert!(holds("not prod", &["staging"]));
        assert!(holds("dev, test", &["test"]));
        assert!(!holds("dev and test", &["test"]));
        assert!(holds("dev or test and prod", &["dev"]));
        assert!(!holds("(dev or test) and prod", &["dev"]));
        assert!(holds("\"qa and !prod\"", &["qa"]));
        assert_eq!(
            Expr::parse("(qa or test) and !prod")
                .unwrap()
                .unwrap()
                .names(),
            vec!["qa", "test", "prod"]
        );
    }

    #[test]
    fn broken_expressions_are_errors_not_panics() {
        for bad in ["(dev", "dev)", "dev and", "and dev", "dev prod", "!", "()"] {
            assert!(Expr::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(Expr::parse("  ").unwrap(), None);
    }

    #[test]
    fn no_contexts_given_runs_everything() {
        assert!(runs_with(&given(&["dev"]), &[]));
        assert!(!runs_with(&given(&["dev"]), &given(&["prod"])));
        assert!(runs_with(&[], &given(&["prod"])));
    }
}
