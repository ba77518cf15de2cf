//! The `naming:` section of `.sqlgate.yml`: the case of identifiers and of
//! migration descriptions, name patterns per object kind, length limits,
//! the other databases a schema must also run on, forbidden column names.
//! Holds the text logic these values carry (case checks and conversion,
//! pattern rendering and matching) so that every naming rule reads them
//! the same way.

use std::collections::BTreeMap;
use std::fmt;

use regex::Regex;
use serde::{Deserialize, Deserializer};

use crate::error::{Error, Result};

/// A letter-case convention for names.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Case {
    /// `order_items`: lower-case words joined by single underscores.
    #[default]
    Snake,
    /// `orderitems` or `order_items`: no upper-case letter.
    Lower,
    /// `ORDER_ITEMS`: upper-case words joined by single underscores.
    Upper,
    /// `orderItems`.
    Camel,
    /// `OrderItems`.
    Pascal,
    /// `order-items` (migration descriptions only).
    Kebab,
    /// `Create_order_items`: words of any case joined by single underscores,
    /// as Flyway's documentation writes descriptions.
    Words,
    /// Anything.
    Any,
}

impl Case {
    /// Every name accepted in the configuration.
    pub const NAMES: &'static [&'static str] = &[
        "snake_case",
        "lower",
        "UPPER",
        "camelCase",
        "PascalCase",
        "kebab-case",
        "words",
        "any",
    ];

    /// The name as written in the configuration.
    pub fn name(self) -> &'static str {
        match self {
            Case::Snake => "snake_case",
            Case::Lower => "lower",
            Case::Upper => "UPPER",
            Case::Camel => "camelCase",
            Case::Pascal => "PascalCase",
            Case::Kebab => "kebab-case",
            Case::Words => "words",
            Case::Any => "any",
        }
    }

    fn from_name(name: &str) -> Option<Case> {
        match name {
            "snake_case" | "snake" => Some(Case::Snake),
            "lower" | "lowercase" => Some(Case::Lower),
            "UPPER" | "upper" | "UPPER_CASE" | "SCREAMING_SNAKE_CASE" => Some(Case::Upper),
            "camelCase" | "camel" => Some(Case::Camel),
            "PascalCase" | "pascal" => Some(Case::Pascal),
            "kebab-case" | "kebab" => Some(Case::Kebab),
            "words" => Some(Case::Words),
            "any" => Some(Case::Any),
            _ => None,
        }
    }

    /// Whether `name` follows the convention.
    pub fn matches(self, name: &str) -> bool {
        let words = |sep: char, word: &dyn Fn(char) -> bool| {
            let body = name.strip_prefix(sep).unwrap_or(name);
            !body.is_empty()
                && body
                    .split(sep)
                    .all(|w| !w.is_empty() && w.chars().all(word))
                && !body.starts_with(|c: char| c.is_ascii_digit())
        };
        match self {
            Case::Snake => words('_', &|c| c.is_ascii_lowercase() || c.is_ascii_digit()),
            Case::Upper => words('_', &|c| c.is_ascii_uppercase() || c.is_ascii_digit()),
            Case::Kebab => words('-', &|c| c.is_ascii_lowercase() || c.is_ascii_digit()),
            Case::Words => words('_', &|c| c.is_ascii_alphanumeric()),
            Case::Lower => {
                !name.is_empty()
                    && name
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            }
            Case::Camel => {
                name.starts_with(|c: char| c.is_ascii_lowercase())
                    && name.chars().all(|c| c.is_ascii_alphanumeric())
            }
            Case::Pascal => {
                name.starts_with(|c: char| c.is_ascii_uppercase())
                    && name.chars().all(|c| c.is_ascii_alphanumeric())
            }
            Case::Any => true,
        }
    }

    /// `name` rewritten in the convention (`UserID` -> `user_id`).
    pub fn convert(self, name: &str) -> String {
        let words = split_words(name);
        let capitalised = |w: &str| {
            let mut chars = w.chars();
            match chars.next() {
                Some(first) => {
                    first.to_ascii_uppercase().to_string() + &chars.as_str().to_lowercase()
                }
                None => String::new(),
            }
        };
        match self {
            Case::Snake | Case::Lower => words.join("_").to_lowercase(),
            Case::Upper => words.join("_").to_uppercase(),
            Case::Kebab => words.join("-").to_lowercase(),
            Case::Camel => words
                .iter()
                .enumerate()
                .map(|(i, w)| {
                    if i == 0 {
                        w.to_lowercase()
                    } else {
                        capitalised(w)
                    }
                })
                .collect(),
            Case::Pascal => words.iter().map(|w| capitalised(w)).collect(),
            Case::Words => {
                if self.matches(name) {
                    name.to_string()
                } else {
                    words.join("_")
                }
            }
            Case::Any => name.to_string(),
        }
    }
}

/// The words of a name: split at anything that is not a letter or digit and
/// at case changes (`HTTPServerID2` -> `HTTP`, `Server`, `ID2`).
pub fn split_words(name: &str) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    for chunk in name.split(|c: char| !c.is_alphanumeric()) {
        let chars: Vec<char> = chunk.chars().collect();
        let mut current = String::new();
        for (i, &c) in chars.iter().enumerate() {
            let prev = i.checked_sub(1).map(|j| chars[j]);
            let next = chars.get(i + 1).copied();
            let boundary = match prev {
                Some(p) if c.is_uppercase() => {
                    p.is_lowercase()
                        || p.is_ascii_digit()
                        || (p.is_uppercase() && next.is_some_and(char::is_lowercase))
                }
                _ => false,
            };
            if boundary && !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            current.push(c);
        }
        if !current.is_empty() {
            words.push(current);
        }
    }
    words
}

impl fmt::Display for Case {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl<'de> Deserialize<'de> for Case {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Case::from_name(&s).ok_or_else(|| serde::de::Error::unknown_variant(&s, Case::NAMES))
    }
}

/// How migration descriptions (the part of a file name after the version)
/// are written: `auto` follows the layout's own documentation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DescriptionCase {
    /// snake_case, except for Flyway, whose documentation writes
    /// `V1__Create_person_table.sql` (`words`).
    #[default]
    Auto,
    /// This case, whatever the layout.
    Case(Case),
}

impl DescriptionCase {
    /// Every name accepted in the configuration.
    pub const NAMES: &'static [&'static str] = &[
        "auto",
        "snake_case",
        "lower",
        "UPPER",
        "camelCase",
        "PascalCase",
        "kebab-case",
        "words",
        "any",
    ];
}

impl<'de> Deserialize<'de> for DescriptionCase {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        if s == "auto" {
            return Ok(DescriptionCase::Auto);
        }
        match Case::from_name(&s) {
            Some(case) => Ok(DescriptionCase::Case(case)),
            None => Err(serde::de::Error::unknown_variant(
                &s,
                DescriptionCase::NAMES,
            )),
        }
    }
}

/// A column name a team does not allow.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum ForbiddenColumn {
    /// A name or a glob (`*` and `?`), compared without regard to case.
    Name(String),
    /// A glob or a regular expression, with the reason shown in the finding.
    Rule(ForbiddenRule),
}

/// The long form of a forbidden column name.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ForbiddenRule {
    /// A name or glob.
    #[serde(default)]
    pub name: Option<String>,
    /// A regular expression (matched against the whole name).
    #[serde(default)]
    pub regex: Option<String>,
    /// Why, and what to write instead.
    #[serde(default)]
    pub reason: Option<String>,
}

impl ForbiddenColumn {
    /// How the entry is written, for messages.
    pub fn shown(&self) -> &str {
        match self {
            ForbiddenColumn::Name(n) => n,
            ForbiddenColumn::Rule(r) => r.name.as_deref().or(r.regex.as_deref()).unwrap_or(""),
        }
    }

    /// The reason given with the entry.
    pub fn reason(&self) -> Option<&str> {
        match self {
            ForbiddenColumn::Name(_) => None,
            ForbiddenColumn::Rule(r) => r.reason.as_deref(),
        }
    }

    /// The entry as an anchored, case-insensitive regular expression.
    pub fn regex(&self) -> std::result::Result<Regex, String> {
        let source = match self {
            ForbiddenColumn::Name(glob) => glob_regex(glob),
            ForbiddenColumn::Rule(r) => match (&r.name, &r.regex) {
                (Some(glob), None) => glob_regex(glob),
                (None, Some(re)) => format!("^(?:{re})$"),
                _ => return Err("give either `name` or `regex`".to_string()),
            },
        };
        Regex::new(&format!("(?i){source}")).map_err(|e| e.to_string())
    }
}

fn glob_regex(glob: &str) -> String {
    let mut out = String::from("^");
    for c in glob.chars() {
        match c {
            '*' => out.push_str(".*"),
            '?' => out.push('.'),
            c => out.push_str(&regex::escape(&c.to_string())),
        }
    }
    out.push('$');
    out
}

/// One piece of a name pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Piece {
    Text(String),
    Slot(Slot),
}

/// A placeholder of a name pattern.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Slot {
    /// `{table}`: the table's name, without schema.
    Table,
    /// `{columns}`: the columns, joined by the separator.
    Columns,
    /// `{ref_table}`: the table a foreign key references.
    RefTable,
    /// `{ref_columns}`: the columns it references.
    RefColumns,
    /// `{name}`: free text chosen by the author (any text matches).
    Name,
}

impl Slot {
    fn from_name(name: &str) -> Option<Slot> {
        match name {
            "table" => Some(Slot::Table),
            "columns" => Some(Slot::Columns),
            "ref_table" => Some(Slot::RefTable),
            "ref_columns" => Some(Slot::RefColumns),
            "name" => Some(Slot::Name),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Slot::Table => "table",
            Slot::Columns => "columns",
            Slot::RefTable => "ref_table",
            Slot::RefColumns => "ref_columns",
            Slot::Name => "name",
        }
    }
}

/// A name pattern such as `idx_{table}_{columns}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pattern {
    text: String,
    pieces: Vec<Piece>,
}

/// What the placeholders of a pattern stand for in one statement; `None`
/// where the statement does not say (any text then matches).
#[derive(Clone, Debug, Default)]
pub struct Values {
    /// `{table}`.
    pub table: Option<String>,
    /// `{columns}`, already joined.
    pub columns: Option<String>,
    /// `{ref_table}`.
    pub ref_table: Option<String>,
    /// `{ref_columns}`, already joined.
    pub ref_columns: Option<String>,
    /// What `{name}` is filled with in a suggested name.
    pub name: Option<String>,
}

impl Values {
    fn get(&self, slot: Slot) -> Option<&str> {
        match slot {
            Slot::Table => self.table.as_deref(),
            Slot::Columns => self.columns.as_deref(),
            Slot::RefTable => self.ref_table.as_deref(),
            Slot::RefColumns => self.ref_columns.as_deref(),
            Slot::Name => self.name.as_deref(),
        }
    }
}

impl Pattern {
    /// Parses a pattern whose placeholders must be among `allowed`.
    pub fn parse(text: &str, allowed: &[Slot]) -> std::result::Result<Pattern, String> {
        if text.trim().is_empty() {
            return Err("the pattern is empty".to_string());
        }
        let mut pieces = Vec::new();
        let mut rest = text;
        while let Some(open) = rest.find('{') {
            if open > 0 {
                pieces.push(Piece::Text(rest[..open].to_string()));
            }
            let Some(close) = rest[open..].find('}') else {
                return Err(format!("`{{` without `}}` in `{text}`"));
            };
            let name = &rest[open + 1..open + close];
            let slot = Slot::from_name(name).filter(|s| allowed.contains(s));
            match slot {
                Some(slot) => pieces.push(Piece::Slot(slot)),
                None => {
                    let names: Vec<String> = allowed
                        .iter()
                        .map(|s| format!("{{{}}}", s.name()))
                        .collect();
                    return Err(format!(
                        "unknown placeholder `{{{name}}}` in `{text}`; this pattern may use {}",
                        names.join(", ")
                    ));
                }
            }
            rest = &rest[open + close + 1..];
        }
        if rest.contains('}') {
            return Err(format!("`}}` without `{{` in `{text}`"));
        }
        if !rest.is_empty() {
            pieces.push(Piece::Text(rest.to_string()));
        }
        Ok(Pattern {
            text: text.to_string(),
            pieces,
        })
    }

    /// The pattern as configured.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether the pattern uses a placeholder.
    pub fn uses(&self, slot: Slot) -> bool {
        self.pieces.contains(&Piece::Slot(slot))
    }

    /// The name the pattern gives these values; a value the statement does
    /// not know stays as its placeholder (`fk_orders_{ref_table}`).
    pub fn render(&self, values: &Values) -> String {
        self.pieces
            .iter()
            .map(|p| match p {
                Piece::Text(t) => t.clone(),
                Piece::Slot(s) => values
                    .get(*s)
                    .map_or_else(|| format!("{{{}}}", s.name()), str::to_string),
            })
            .collect()
    }

    /// Whether `name` fits the pattern for these values, ignoring letter
    /// case. `{name}` and unknown values match any text; with `loose`, so do
    /// `{columns}` and `{ref_columns}` (for names that had to be shortened).
    pub fn matches(&self, name: &str, values: &Values, loose: bool) -> bool {
        // Literal text (lower-cased) or `None` for "one or more characters".
        let mut tokens: Vec<Option<Vec<char>>> = Vec::new();
        let lower = |t: &str| Some(t.to_lowercase().chars().collect::<Vec<char>>());
        for p in &self.pieces {
            let token = match p {
                Piece::Text(t) => lower(t),
                Piece::Slot(Slot::Name) => None,
                Piece::Slot(Slot::Columns | Slot::RefColumns) if loose => None,
                Piece::Slot(s) => values.get(*s).and_then(lower),
            };
            tokens.push(token);
        }
        let name: Vec<char> = name.to_lowercase().chars().collect();
        wildcard_match(&tokens, &name)
    }
}

/// Whether `name` is the concatenation of the tokens, where a `None` token
/// stands for one or more characters. Dynamic programming over positions,
/// so that no pattern can make it slow.
fn wildcard_match(tokens: &[Option<Vec<char>>], name: &[char]) -> bool {
    // reachable[i]: the tokens so far can end at position i of the name.
    let mut reachable = vec![false; name.len() + 1];
    reachable[0] = true;
    for token in tokens {
        let mut next = vec![false; name.len() + 1];
        match token {
            Some(text) => {
                for i in (0..=name.len()).filter(|&i| reachable[i]) {
                    if name[i..].starts_with(text) {
                        next[i + text.len()] = true;
                    }
                }
            }
            None => {
                let mut seen = false;
                for i in 0..=name.len() {
                    if seen {
                        next[i] = true;
                    }
                    seen |= reachable[i];
                }
            }
        }
        reachable = next;
    }
    reachable[name.len()]
}

/// The kinds of object a name pattern can be configured for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PatternKind {
    /// `CREATE INDEX`, MySQL `KEY`/`INDEX`.
    Index,
    /// `CREATE UNIQUE INDEX` (falls back to `index`).
    UniqueIndex,
    /// `PRIMARY KEY`.
    PrimaryKey,
    /// `UNIQUE` constraint.
    Unique,
    /// `FOREIGN KEY` / `REFERENCES`.
    ForeignKey,
    /// `CHECK`.
    Check,
}

impl PatternKind {
    /// The configuration key.
    pub fn key(self) -> &'static str {
        match self {
            PatternKind::Index => "index",
            PatternKind::UniqueIndex => "unique_index",
            PatternKind::PrimaryKey => "primary_key",
            PatternKind::Unique => "unique",
            PatternKind::ForeignKey => "foreign_key",
            PatternKind::Check => "check",
        }
    }

    /// The placeholders a pattern of this kind may use.
    pub fn slots(self) -> &'static [Slot] {
        match self {
            PatternKind::ForeignKey => &[
                Slot::Table,
                Slot::Columns,
                Slot::RefTable,
                Slot::RefColumns,
                Slot::Name,
            ],
            _ => &[Slot::Table, Slot::Columns, Slot::Name],
        }
    }

    /// The pattern sqlgate suggests names from when none is configured:
    /// in Postgres the names it gives unnamed constraints and indexes, so
    /// that naming one changes nothing; elsewhere common prefixes.
    pub fn default_pattern(self, postgres: bool) -> &'static str {
        match (self, postgres) {
            (PatternKind::Index | PatternKind::UniqueIndex, true) => "{table}_{columns}_idx",
            (PatternKind::PrimaryKey, true) => "{table}_pkey",
            (PatternKind::Unique, true) => "{table}_{columns}_key",
            (PatternKind::ForeignKey, true) => "{table}_{columns}_fkey",
            (PatternKind::Check, true) => "{table}_{columns}_check",
            (PatternKind::Index | PatternKind::UniqueIndex, false) => "idx_{table}_{columns}",
            (PatternKind::PrimaryKey, false) => "pk_{table}",
            (PatternKind::Unique, false) => "uq_{table}_{columns}",
            (PatternKind::ForeignKey, false) => "fk_{table}_{columns}",
            (PatternKind::Check, false) => "chk_{table}_{columns}",
        }
    }

    const ALL: [PatternKind; 6] = [
        PatternKind::Index,
        PatternKind::UniqueIndex,
        PatternKind::PrimaryKey,
        PatternKind::Unique,
        PatternKind::ForeignKey,
        PatternKind::Check,
    ];
}

/// The kinds of object `case_for` can name.
pub const CASE_KINDS: &[&str] = &[
    "schema",
    "table",
    "column",
    "view",
    "index",
    "constraint",
    "type",
    "function",
    "sequence",
    "trigger",
];

/// The other databases a schema may have to run on, for `target_dialects`.
pub const TARGETS: &[&str] = &["postgres", "mysql", "sqlite", "mssql", "oracle"];

/// The canonical name of a target database (`postgresql` -> `postgres`).
pub fn target_name(name: &str) -> Option<&'static str> {
    if matches!(name.to_ascii_lowercase().as_str(), "oracle" | "oracledb") {
        return Some("oracle");
    }
    match crate::sql::Dialect::from_name(name)? {
        crate::sql::Dialect::Generic => None,
        d => Some(d.name()),
    }
}

/// The `naming:` section.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Naming {
    /// Case of new identifiers (`identifier-case`).
    #[serde(default)]
    pub case: Case,
    /// A different case for some kinds of object (`table: PascalCase`).
    #[serde(default)]
    pub case_for: BTreeMap<String, Case>,
    /// What joins several columns in `{columns}` and `{ref_columns}`.
    #[serde(default = "underscore")]
    pub separator: String,
    /// Index name pattern, for example `idx_{table}_{columns}`.
    #[serde(default)]
    pub index: Option<String>,
    /// Unique index name pattern; `index` when not set.
    #[serde(default)]
    pub unique_index: Option<String>,
    /// Primary key name pattern, for example `pk_{table}`.
    #[serde(default)]
    pub primary_key: Option<String>,
    /// Unique constraint name pattern, for example `uq_{table}_{columns}`.
    #[serde(default)]
    pub unique: Option<String>,
    /// Foreign key name pattern, for example `fk_{table}_{ref_table}`.
    #[serde(default)]
    pub foreign_key: Option<String>,
    /// Check constraint name pattern, for example `chk_{table}_{name}`.
    #[serde(default)]
    pub check: Option<String>,
    /// Case of migration descriptions (`migration-filename`).
    #[serde(default)]
    pub migration_description: DescriptionCase,
    /// How far in the future a timestamp version may be (`30m`, `12h`, `1d`).
    #[serde(default = "one_day")]
    pub timestamp_skew: String,
    /// A lower identifier length limit than the dialect's (Oracle 12.1 and
    /// earlier: 30).
    #[serde(default)]
    pub max_length: Option<usize>,
    /// Other databases the schema must also work on: their reserved words
    /// and length limits count too.
    #[serde(default)]
    pub target_dialects: Vec<String>,
    /// Column names a team does not allow (`column-name-forbidden`).
    #[serde(default)]
    pub forbidden_columns: Vec<ForbiddenColumn>,
}

fn underscore() -> String {
    "_".to_string()
}

fn one_day() -> String {
    "1d".to_string()
}

impl Default for Naming {
    fn default() -> Self {
        Naming {
            case: Case::default(),
            case_for: BTreeMap::new(),
            separator: underscore(),
            index: None,
            unique_index: None,
            primary_key: None,
            unique: None,
            foreign_key: None,
            check: None,
            migration_description: DescriptionCase::default(),
            timestamp_skew: one_day(),
            max_length: None,
            target_dialects: Vec::new(),
            forbidden_columns: Vec::new(),
        }
    }
}

impl Naming {
    /// The configured pattern of a kind (a unique index falls back to the
    /// index pattern), parsed.
    pub fn pattern(&self, kind: PatternKind) -> Option<Pattern> {
        let text = match kind {
            PatternKind::Index => self.index.as_ref(),
            PatternKind::UniqueIndex => self.unique_index.as_ref().or(self.index.as_ref()),
            PatternKind::PrimaryKey => self.primary_key.as_ref(),
            PatternKind::Unique => self.unique.as_ref(),
            PatternKind::ForeignKey => self.foreign_key.as_ref(),
            PatternKind::Check => self.check.as_ref(),
        }?;
        Pattern::parse(text, kind.slots()).ok()
    }

    /// The pattern to suggest names from: the configured one, or
    /// `PatternKind::default_pattern`.
    pub fn pattern_or_default(&self, kind: PatternKind, postgres: bool) -> Option<Pattern> {
        self.pattern(kind)
            .or_else(|| Pattern::parse(kind.default_pattern(postgres), kind.slots()).ok())
    }

    /// The case for one kind of object (one of `CASE_KINDS`).
    pub fn case_of(&self, kind: &str) -> Case {
        self.case_for.get(kind).copied().unwrap_or(self.case)
    }

    /// `timestamp_skew` in seconds.
    pub fn skew_secs(&self) -> u64 {
        parse_duration(&self.timestamp_skew).unwrap_or(86_400)
    }

    /// The canonical names of `target_dialects`.
    pub fn targets(&self) -> Vec<&'static str> {
        self.target_dialects
            .iter()
            .filter_map(|t| target_name(t))
            .collect()
    }

    fn raw_pattern(&self, kind: PatternKind) -> Option<&String> {
        match kind {
            PatternKind::Index => self.index.as_ref(),
            PatternKind::UniqueIndex => self.unique_index.as_ref(),
            PatternKind::PrimaryKey => self.primary_key.as_ref(),
            PatternKind::Unique => self.unique.as_ref(),
            PatternKind::ForeignKey => self.foreign_key.as_ref(),
            PatternKind::Check => self.check.as_ref(),
        }
    }

    /// Checks what serde cannot: patterns, durations, dialect names,
    /// regular expressions. `line_of` finds a value's line in the file.
    pub fn validate(&self, origin: &str, line_of: &dyn Fn(&str) -> usize) -> Result<()> {
        for kind in PatternKind::ALL {
            let Some(text) = self.raw_pattern(kind) else {
                continue;
            };
            if let Err(why) = Pattern::parse(text, kind.slots()) {
                let line = line_of(text);
                let mut err = Error::new(format!("{origin}:{line}: naming.{}: {why}", kind.key()));
                if let Some(bad) = why.split('`').nth(1) {
                    let names: Vec<String> = kind
                        .slots()
                        .iter()
                        .map(|s| format!("{{{}}}", s.name()))
                        .collect();
                    let candidates: Vec<&str> = names.iter().map(String::as_str).collect();
                    if let Some(s) = super::suggest(bad, &candidates) {
                        err = err.with_help(format!("did you mean `{s}`?"));
                    }
                }
                return Err(err);
            }
        }
        for kind in self.case_for.keys() {
            if !CASE_KINDS.contains(&kind.as_str()) {
                let line = line_of(kind);
                let mut err = Error::new(format!(
                    "{origin}:{line}: naming.case_for: unknown kind `{kind}`; expected one of {}",
                    CASE_KINDS.join(", ")
                ));
                if let Some(s) = super::suggest(kind, CASE_KINDS) {
                    err = err.with_help(format!("did you mean `{s}`?"));
                }
                return Err(err);
            }
        }
        if parse_duration(&self.timestamp_skew).is_none() {
            let line = line_of(&self.timestamp_skew);
            return Err(Error::new(format!(
                "{origin}:{line}: naming.timestamp_skew: `{}` is not a duration",
                self.timestamp_skew
            ))
            .with_help("write a number and a unit: `30m`, `12h`, `1d` (or `0`)"));
        }
        for target in &self.target_dialects {
            if target_name(target).is_none() {
                let line = line_of(target);
                let mut err = Error::new(format!(
                    "{origin}:{line}: naming.target_dialects: unknown database `{target}`; expected one of {}",
                    TARGETS.join(", ")
                ));
                if let Some(s) = super::suggest(target, TARGETS) {
                    err = err.with_help(format!("did you mean `{s}`?"));
                }
                return Err(err);
            }
        }
        if self.max_length == Some(0) {
            return Err(Error::new(format!(
                "{origin}:{}: naming.max_length must be at least 1",
                line_of("max_length")
            )));
        }
        for entry in &self.forbidden_columns {
            if let Err(why) = entry.regex() {
                let line = line_of(entry.shown());
                return Err(Error::new(format!(
                    "{origin}:{line}: naming.forbidden_columns: `{}`: {why}",
                    entry.shown()
                )));
            }
        }
        Ok(())
    }
}

/// Seconds of `30s`, `30m`, `12h`, `1d`, `2w` or `0`.
fn parse_duration(text: &str) -> Option<u64> {
    let text = text.trim();
    if text == "0" {
        return Some(0);
    }
    let split = text.find(|c: char| !c.is_ascii_digit())?;
    let (number, unit) = text.split_at(split);
    let number: u64 = number.parse().ok()?;
    let unit = match unit.trim() {
        "s" => 1,
        "m" => 60,
        "h" => 3_600,
        "d" => 86_400,
        "w" => 604_800,
        _ => return None,
    };
    number.checked_mul(unit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cases_match_and_convert() {
        assert!(Case::Snake.matches("order_items"));
        assert!(Case::Snake.matches("address_2"));
        assert!(Case::Snake.matches("_prisma_migrations"));
        assert!(!Case::Snake.matches("orderItems"));
        assert!(!Case::Snake.matches("order__items"));
        assert!(!Case::Snake.matches("order_items_"));
        assert!(Case::Camel.matches("orderItems"));
        assert!(!Case::Camel.matches("order_items"));
        assert!(Case::Pascal.matches("OrderItems"));
        assert!(Case::Upper.matches("ORDER_ITEMS"));
        assert!(Case::Words.matches("Create_person_table"));
        assert!(!Case::Words.matches("Create person table"));
        assert_eq!(Case::Snake.convert("UserID"), "user_id");
        assert_eq!(Case::Snake.convert("HTTPServerLogs"), "http_server_logs");
        assert_eq!(Case::Snake.convert("createdAt"), "created_at");
        assert_eq!(Case::Snake.convert("Order Items"), "order_items");
        assert_eq!(Case::Camel.convert("created_at"), "createdAt");
        assert_eq!(Case::Pascal.convert("order_items"), "OrderItems");
        assert_eq!(Case::Kebab.convert("Add_SKU"), "add-sku");
    }

    #[test]
    fn patterns_render_and_match_with_the_statement_values() {
        let p = Pattern::parse("idx_{table}_{columns}", PatternKind::Index.slots()).unwrap();
        let values = Values {
            table: Some("users".into()),
            columns: Some("email_org_id".into()),
            ..Values::default()
        };
        assert_eq!(p.render(&values), "idx_users_email_org_id");
        assert!(p.matches("IDX_users_email_org_id", &values, false));
        assert!(!p.matches("users_email_idx", &values, false));
        assert!(p.matches("idx_users_email_org", &values, true));
        let fk = Pattern::parse("fk_rails_{name}", PatternKind::ForeignKey.slots()).unwrap();
        assert!(fk.matches("fk_rails_3704a66140", &Values::default(), false));
        let err = Pattern::parse("idx_{table}_{colums}", PatternKind::Index.slots()).unwrap_err();
        assert!(err.contains("unknown placeholder `{colums}`"), "{err}");
        assert!(Pattern::parse("idx_{ref_table}", PatternKind::Index.slots()).is_err());
    }

    #[test]
    fn default_patterns_parse_for_every_kind() {
        for kind in PatternKind::ALL {
            for postgres in [true, false] {
                assert!(
                    Pattern::parse(kind.default_pattern(postgres), kind.slots()).is_ok(),
                    "{kind:?}"
                );
            }
        }
    }

    #[test]
    fn naming_section_is_validated_with_lines_and_suggestions() {
        let parse = |text: &str| crate::config::Config::parse(text, ".sqlgate.yml");
        let err = parse("naming:\n  case_for:\n    tables: PascalCase\n").unwrap_err();
        assert!(
            err.message.starts_with(".sqlgate.yml:3:"),
            "{}",
            err.message
        );
        assert_eq!(err.help.as_deref(), Some("did you mean `table`?"));
        let err = parse("naming:\n  case: snakecase\n").unwrap_err();
        assert_eq!(err.help.as_deref(), Some("did you mean `snake_case`?"));
        let err = parse("naming:\n  timestamp_skew: soon\n").unwrap_err();
        assert!(err.message.contains("not a duration"), "{}", err.message);
        let err = parse("naming:\n  target_dialects: [mysqll]\n").unwrap_err();
        assert_eq!(err.help.as_deref(), Some("did you mean `mysql`?"));
        let err = parse("naming:\n  forbidden_columns:\n    - { regex: \"(\" }\n").unwrap_err();
        assert!(err.message.contains("forbidden_columns"), "{}", err.message);
        let ok = parse("naming:\n  migration_description: auto\n  case: UPPER\n").unwrap();
        assert_eq!(ok.naming.case, Case::Upper);
        assert_eq!(ok.naming.migration_description, DescriptionCase::Auto);
    }

    #[test]
    fn durations_parse() {
        assert_eq!(parse_duration("1d"), Some(86_400));
        assert_eq!(parse_duration("30m"), Some(1_800));
        assert_eq!(parse_duration("0"), Some(0));
        assert_eq!(parse_duration("soon"), None);
        assert_eq!(parse_duration("12"), None);
    }

    #[test]
    fn forbidden_globs_are_anchored_and_ignore_case() {
        let r = ForbiddenColumn::Name("*id".into()).regex().unwrap();
        assert!(r.is_match("UserID"));
        assert!(!r.is_match("identity"));
    }
}
