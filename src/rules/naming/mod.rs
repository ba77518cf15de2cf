//! Rules about names: of migration files and of database objects. The
//! object rules share one walk over the statements of new migrations that
//! collects every name those statements give (tables, columns, indexes,
//! constraints, views, types, schemas, functions, sequences, renames) and
//! every index and constraint they create, named or not. Objects that only
//! the history creates are never looked at.

pub mod column_name_forbidden;
pub mod constraint_name;
pub mod explicit_constraint_name;
pub mod identifier_case;
pub mod identifier_length;
pub mod index_name;
mod inflect;
pub mod migration_filename;
pub mod reserved_word;
mod reserved_words;
pub mod table_name_plural;
pub mod table_name_singular;

use std::ops::{ControlFlow, Range};

use crate::config::naming::{PatternKind, Values};
use crate::config::Config;
use crate::plan::ChangeKind;
use crate::rules::{Context, Role};
use crate::sql::ast::{
    self, AlterIndexOperation, AlterTableOperation, ColumnDef, ColumnOption, Expr, Ident,
    IndexColumn, ObjectName, RenameTableNameKind, SchemaName, TableConstraint,
};
use crate::sql::{find_keywords, ident_span, node_start, Dialect, Statement};

/// What kind of object a name belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Schema,
    Table,
    Column,
    View,
    Index,
    PrimaryKey,
    Unique,
    ForeignKey,
    Check,
    /// A constraint whose kind the statement does not say (a rename).
    Constraint,
    Type,
    Domain,
    Function,
    Procedure,
    Sequence,
    Trigger,
}

impl Kind {
    /// The word for it in messages.
    pub(crate) fn noun(self) -> &'static str {
        match self {
            Kind::Schema => "schema",
            Kind::Table => "table",
            Kind::Column => "column",
            Kind::View => "view",
            Kind::Index => "index",
            Kind::PrimaryKey => "primary key",
            Kind::Unique => "unique constraint",
            Kind::ForeignKey => "foreign key",
            Kind::Check => "check constraint",
            Kind::Constraint => "constraint",
            Kind::Type => "type",
            Kind::Domain => "domain",
            Kind::Function => "function",
            Kind::Procedure => "procedure",
            Kind::Sequence => "sequence",
            Kind::Trigger => "trigger",
        }
    }

    /// The key of `naming.case_for` that covers it.
    pub(crate) fn case_key(self) -> &'static str {
        match self {
            Kind::Schema => "schema",
            Kind::Table => "table",
            Kind::Column => "column",
            Kind::View => "view",
            Kind::Index => "index",
            Kind::PrimaryKey | Kind::Unique | Kind::ForeignKey | Kind::Check | Kind::Constraint => {
                "constraint"
            }
            Kind::Type | Kind::Domain => "type",
            Kind::Function | Kind::Procedure => "function",
            Kind::Sequence => "sequence",
            Kind::Trigger => "trigger",
        }
    }

    fn of_pattern(kind: PatternKind) -> Kind {
        match kind {
            PatternKind::Index | PatternKind::UniqueIndex => Kind::Index,
            PatternKind::PrimaryKey => Kind::PrimaryKey,
            PatternKind::Unique => Kind::Unique,
            PatternKind::ForeignKey => Kind::ForeignKey,
            PatternKind::Check => Kind::Check,
        }
    }
}

/// A name that a new migration gives an object, by creating or renaming it.
#[derive(Clone, Debug)]
pub(crate) struct NewName {
    /// What it names.
    pub kind: Kind,
    /// The identifier as written, without quotes.
    pub written: String,
    /// The opening quote, when it was quoted (`"`, `` ` `` or `[`).
    pub quote: Option<char>,
    /// The name the database keeps (Postgres folds unquoted names to lower
    /// case).
    pub stored: String,
    /// The file and the identifier's byte span in it.
    pub path: String,
    pub span: Range<usize>,
    /// The table (or view) it belongs to, for columns, indexes, constraints.
    pub table: Option<String>,
    /// Whether a rename gave it.
    pub renamed: bool,
}

impl NewName {
    /// Whether it was quoted.
    pub(crate) fn quoted(&self) -> bool {
        self.quote.is_some()
    }

    /// `column created_at of orders`, `renamed table users`.
    pub(crate) fn describe(&self) -> String {
        let shown = match self.quote {
            Some('[') => format!("[{}]", self.written),
            Some(q) => format!("{q}{}{q}", self.written),
            None => self.written.clone(),
        };
        let noun = if self.renamed {
            format!("renamed {}", self.kind.noun())
        } else {
            self.kind.noun().to_string()
        };
        match &self.table {
            Some(t) if !matches!(self.kind, Kind::Table | Kind::View) => {
                format!("{noun} {shown} of {t}")
            }
            _ => format!("{noun} {shown}"),
        }
    }
}

/// An index or constraint a new migration creates, named or not, with what
/// a name pattern needs to compute its expected name.
#[derive(Clone, Debug)]
pub(crate) struct KeyDef {
    pub kind: PatternKind,
    /// The name as the database keeps it, when the statement gives one.
    pub name: Option<String>,
    /// The table, without schema, as the database keeps it.
    pub table: String,
    /// The columns (for a check: the columns its expression reads).
    pub columns: Vec<String>,
    /// Whether some indexed column is an expression.
    pub expression: bool,
    /// For a foreign key: the referenced table and columns.
    pub ref_table: Option<String>,
    pub ref_columns: Vec<String>,
    /// The file and the span of the name, or of the keyword that creates an
    /// unnamed one (`PRIMARY KEY`, `REFERENCES`, `INDEX`).
    pub path: String,
    pub span: Range<usize>,
}

impl KeyDef {
    /// The values of the pattern placeholders for this index or constraint.
    pub(crate) fn values(&self, separator: &str) -> Values {
        let join = |cols: &[String]| (!cols.is_empty()).then(|| cols.join(separator));
        Values {
            table: Some(self.table.clone()),
            columns: join(&self.columns),
            ref_table: self.ref_table.clone(),
            ref_columns: join(&self.ref_columns),
            name: match self.kind {
                PatternKind::Check => join(&self.columns).or(Some("check".to_string())),
                _ => join(&self.columns),
            },
        }
    }

    /// The object kind, for messages.
    pub(crate) fn noun(&self) -> &'static str {
        match self.kind {
            PatternKind::UniqueIndex => "unique index",
            kind => Kind::of_pattern(kind).noun(),
        }
    }
}

/// The name the database keeps for an identifier.
pub(crate) fn stored(ident: &Ident, dialect: Dialect) -> String {
    match (dialect, ident.quote_style) {
        (Dialect::Postgres, None) => ident.value.to_lowercase(),
        _ => ident.value.clone(),
    }
}

/// The last part of a qualified name (`public.users` -> `users`).
fn last(name: &ObjectName) -> Option<&Ident> {
    name.0.last().and_then(|p| p.as_ident())
}

/// One statement of a new migration's up script, parsed.
pub(crate) struct NewStatement<'a> {
    pub path: &'a str,
    pub text: &'a str,
    pub statement: &'a Statement,
    pub ast: &'a ast::Statement,
}

/// The parsed statements that new migrations add: every statement of an
/// added migration, and the statements of a modified one that its version
/// on the target does not have (`Context::is_carried`). Down scripts
/// recreate old objects and are left out.
pub(crate) fn new_statements<'a>(ctx: &'a Context) -> Vec<NewStatement<'a>> {
    let mut out = Vec::new();
    for dir in &ctx.dirs {
        let kinds: std::collections::HashMap<usize, &ChangeKind> = dir
            .changes
            .iter()
            .filter_map(|c| c.head.map(|i| (i, &c.kind)))
            .collect();
        for script in dir.scripts.iter().filter(|s| s.role == Role::Up) {
            if !matches!(
                kinds.get(&script.migration),
                Some(ChangeKind::Added | ChangeKind::Modified)
            ) {
                continue;
            }
            let Ok(text) = &script.text else { continue };
            for statement in &script.parsed.statements {
                let Some(ast) = statement.ast() else { continue };
                if !ctx.is_carried(&script.path, &statement.span) {
                    out.push(NewStatement {
                        path: &script.path,
                        text,
                        statement,
                        ast,
                    });
                }
            }
        }
    }
    out
}

/// What the naming rules share: the names and keys new migrations give,
/// read in one walk on first use.
#[derive(Clone, Debug, Default)]
pub struct Facts(std::sync::OnceLock<(Vec<NewName>, Vec<KeyDef>)>);

fn facts<'c>(ctx: &'c Context) -> &'c (Vec<NewName>, Vec<KeyDef>) {
    ctx.shared.naming.0.get_or_init(|| {
        let mut names = Vec::new();
        let mut keys = Vec::new();
        for s in new_statements(ctx) {
            let walk = Walk::new(&s, ctx.config);
            walk.names(&mut names);
            walk.keys(&mut keys);
        }
        (names, keys)
    })
}

/// Every name new migrations give.
pub(crate) fn new_names<'c>(ctx: &'c Context) -> &'c [NewName] {
    &facts(ctx).0
}

/// Every index and constraint new migrations create.
pub(crate) fn new_keys<'c>(ctx: &'c Context) -> &'c [KeyDef] {
    &facts(ctx).1
}

/// Reads the names and keys of one statement.
struct Walk<'s, 'a> {
    s: &'s NewStatement<'a>,
    dialect: Dialect,
}

impl<'s, 'a> Walk<'s, 'a> {
    fn new(s: &'s NewStatement<'a>, config: &Config) -> Self {
        Walk {
            s,
            dialect: config.dialect,
        }
    }

    fn span(&self, ident: &Ident) -> Range<usize> {
        ident_span(self.s.text, self.s.statement, ident)
    }

    fn name(&self, kind: Kind, ident: &Ident, table: Option<&Ident>, renamed: bool) -> NewName {
        NewName {
            kind,
            written: ident.value.clone(),
            quote: ident.quote_style,
            stored: stored(ident, self.dialect),
            path: self.s.path.to_string(),
            span: self.span(ident),
            table: table.map(|t| stored(t, self.dialect)),
            renamed,
        }
    }

    fn names(&self, out: &mut Vec<NewName>) {
        use ast::Statement as S;
        let mut push = |kind, name: Option<&Ident>, table: Option<&Ident>, renamed| {
            if let Some(ident) = name {
                out.push(self.name(kind, ident, table, renamed));
            }
        };
        match self.s.ast {
            S::CreateTable(ct) => {
                let table = last(&ct.name);
                push(Kind::Table, table, None, false);
                for column in &ct.columns {
                    self.column_names(column, table, &mut push);
                }
                for c in &ct.constraints {
                    let (kind, name) = constraint_name(c);
                    push(kind, name, table, false);
                }
            }
            S::AlterTable(at) => {
                let table = last(&at.name);
                for op in &at.operations {
                    match op {
                        AlterTableOperation::AddColumn { column_def, .. } => {
                            self.column_names(column_def, table, &mut push)
                        }
                        AlterTableOperation::AddConstraint { constraint, .. } => {
                            let (kind, name) = constraint_name(constraint);
                            push(kind, name, table, false);
                        }
                        AlterTableOperation::RenameColumn {
                            new_column_name, ..
                        } => push(Kind::Column, Some(new_column_name), table, true),
                        AlterTableOperation::ChangeColumn {
                            old_name, new_name, ..
                        } if old_name.value != new_name.value => {
                            push(Kind::Column, Some(new_name), table, true)
                        }
                        AlterTableOperation::RenameTable { table_name } => {
                            let (RenameTableNameKind::To(name) | RenameTableNameKind::As(name)) =
                                table_name;
                            push(Kind::Table, last(name), None, true);
                        }
                        AlterTableOperation::RenameConstraint { new_name, .. } => {
                            push(Kind::Constraint, Some(new_name), table, true)
                        }
                        _ => {}
                    }
                }
            }
            S::RenameTable(renames) => {
                for r in renames {
                    push(Kind::Table, last(&r.new_name), None, true);
                }
            }
            S::CreateIndex(ci) => {
                let table = last(&ci.table_name);
                push(Kind::Index, ci.name.as_ref().and_then(last), table, false);
            }
            S::AlterIndex {
                operation: AlterIndexOperation::RenameIndex { index_name },
                ..
            } => push(Kind::Index, last(index_name), None, true),
            S::CreateView(cv) => {
                let view = last(&cv.name);
                push(Kind::View, view, None, false);
                for c in &cv.columns {
                    push(Kind::Column, Some(&c.name), view, false);
                }
            }
            S::CreateSchema { schema_name, .. } => match schema_name {
                SchemaName::Simple(name) | SchemaName::NamedAuthorization(name, _) => {
                    push(Kind::Schema, last(name), None, false)
                }
                SchemaName::UnnamedAuthorization(_) => {}
            },
            S::CreateFunction(cf) => push(Kind::Function, last(&cf.name), None, false),
            S::CreateProcedure { name, .. } => push(Kind::Procedure, last(name), None, false),
            S::CreateType { name, .. } => push(Kind::Type, last(name), None, false),
            S::CreateDomain(cd) => push(Kind::Domain, last(&cd.name), None, false),
            S::CreateSequence { name, .. } => push(Kind::Sequence, last(name), None, false),
            S::CreateTrigger(ct) => push(Kind::Trigger, last(&ct.name), None, false),
            _ => {}
        }
    }

    fn column_names(
        &self,
        column: &ColumnDef,
        table: Option<&Ident>,
        push: &mut impl FnMut(Kind, Option<&Ident>, Option<&Ident>, bool),
    ) {
        push(Kind::Column, Some(&column.name), table, false);
        for option in &column.options {
            let kind = match &option.option {
                ColumnOption::PrimaryKey(_) => Kind::PrimaryKey,
                ColumnOption::Unique(_) => Kind::Unique,
                ColumnOption::ForeignKey(_) => Kind::ForeignKey,
                ColumnOption::Check(_) => Kind::Check,
                _ => Kind::Constraint,
            };
            push(kind, option.name.as_ref(), table, false);
        }
    }

    fn keys(&self, out: &mut Vec<KeyDef>) {
        use ast::Statement as S;
        let statement_span = self.s.statement.span.clone();
        match self.s.ast {
            S::CreateTable(ct) => {
                let Some(table) = last(&ct.name) else { return };
                for column in &ct.columns {
                    self.column_keys(column, table, out);
                }
                let after = ct
                    .columns
                    .last()
                    .map_or(statement_span.start, |c| self.span(&c.name).end);
                for c in &ct.constraints {
                    if let Some(key) = self.table_key(c, table, after) {
                        out.push(key);
                    }
                }
            }
            S::AlterTable(at) => {
                let Some(table) = last(&at.name) else { return };
                let mut after = self.span(table).end;
                for op in &at.operations {
                    match op {
                        AlterTableOperation::AddConstraint { constraint, .. } => {
                            if let Some(key) = self.table_key(constraint, table, after) {
                                after = key.span.end;
                                out.push(key);
                            }
                        }
                        AlterTableOperation::AddColumn { column_def, .. } => {
                            after = self.span(&column_def.name).end;
                            self.column_keys(column_def, table, out);
                        }
                        _ => {}
                    }
                }
            }
            S::CreateIndex(ci) => {
                let Some(table) = last(&ci.table_name) else {
                    return;
                };
                let (columns, expression) = self.index_columns(&ci.columns);
                let name = ci.name.as_ref().and_then(last);
                let span = match name {
                    Some(ident) => self.span(ident),
                    None => find_keywords(self.s.text, statement_span.clone(), &["INDEX"], false)
                        .unwrap_or(statement_span.start..statement_span.start),
                };
                out.push(KeyDef {
                    kind: if ci.unique {
                        PatternKind::UniqueIndex
                    } else {
                        PatternKind::Index
                    },
                    name: name.map(|n| stored(n, self.dialect)),
                    table: stored(table, self.dialect),
                    columns,
                    expression,
                    ref_table: None,
                    ref_columns: Vec::new(),
                    path: self.s.path.to_string(),
                    span,
                });
            }
            _ => {}
        }
    }

    fn column_keys(&self, column: &ColumnDef, table: &Ident, out: &mut Vec<KeyDef>) {
        let column_span = self.span(&column.name);
        let col = stored(&column.name, self.dialect);
        for option in &column.options {
            let (kind, inner_name, keyword, ref_table, ref_columns, columns): (
                _,
                _,
                &[&str],
                _,
                _,
                _,
            ) = match &option.option {
                ColumnOption::PrimaryKey(pk) => (
                    PatternKind::PrimaryKey,
                    pk.name.as_ref(),
                    &["PRIMARY", "KEY"],
                    None,
                    Vec::new(),
                    vec![col.clone()],
                ),
                ColumnOption::Unique(u) => (
                    PatternKind::Unique,
                    u.name.as_ref(),
                    &["UNIQUE"],
                    None,
                    Vec::new(),
                    vec![col.clone()],
                ),
                ColumnOption::ForeignKey(fk) => (
                    PatternKind::ForeignKey,
                    fk.name.as_ref(),
                    &["REFERENCES"],
                    last(&fk.foreign_table).map(|t| stored(t, self.dialect)),
                    self.stored_all(&fk.referred_columns),
                    vec![col.clone()],
                ),
                ColumnOption::Check(c) => {
                    let read = self.expr_columns(&c.expr);
                    (
                        PatternKind::Check,
                        c.name.as_ref(),
                        &["CHECK"],
                        None,
                        Vec::new(),
                        if read.is_empty() {
                            vec![col.clone()]
                        } else {
                            read
                        },
                    )
                }
                _ => continue,
            };
            let name = option.name.as_ref().or(inner_name);
            let span = match name {
                Some(ident) => self.span(ident),
                None => find_keywords(
                    self.s.text,
                    column_span.end..self.s.statement.span.end,
                    keyword,
                    false,
                )
                .unwrap_or(column_span.clone()),
            };
            out.push(KeyDef {
                kind,
                name: name.map(|n| stored(n, self.dialect)),
                table: stored(table, self.dialect),
                columns,
                expression: false,
                ref_table,
                ref_columns,
                path: self.s.path.to_string(),
                span,
            });
        }
    }

    /// A table-level constraint; `after` is where the text before it ends,
    /// for finding the keyword of an unnamed one whose position the parser
    /// did not record.
    fn table_key(&self, c: &TableConstraint, table: &Ident, after: usize) -> Option<KeyDef> {
        let (kind, columns, expression, ref_table, ref_columns, keyword): (_, _, _, _, _, &[&str]) =
            match c {
                TableConstraint::PrimaryKey(pk) => {
                    let (cols, expr) = self.index_columns(&pk.columns);
                    (
                        PatternKind::PrimaryKey,
                        cols,
                        expr,
                        None,
                        Vec::new(),
                        &["PRIMARY", "KEY"],
                    )
                }
                TableConstraint::Unique(u) => {
                    let (cols, expr) = self.index_columns(&u.columns);
                    (
                        PatternKind::Unique,
                        cols,
                        expr,
                        None,
                        Vec::new(),
                        &["UNIQUE"],
                    )
                }
                TableConstraint::ForeignKey(fk) => (
                    PatternKind::ForeignKey,
                    self.stored_all(&fk.columns),
                    false,
                    last(&fk.foreign_table).map(|t| stored(t, self.dialect)),
                    self.stored_all(&fk.referred_columns),
                    &["FOREIGN", "KEY"],
                ),
                TableConstraint::Check(ch) => (
                    PatternKind::Check,
                    self.expr_columns(&ch.expr),
                    false,
                    None,
                    Vec::new(),
                    &["CHECK"],
                ),
                TableConstraint::Index(ix) => {
                    let (cols, expr) = self.index_columns(&ix.columns);
                    let keyword: &[&str] = if ix.display_as_key {
                        &["KEY"]
                    } else {
                        &["INDEX"]
                    };
                    (PatternKind::Index, cols, expr, None, Vec::new(), keyword)
                }
                _ => return None,
            };
        let (_, name) = constraint_name(c);
        let end = self.s.statement.span.end;
        let span = match name {
            Some(ident) => self.span(ident),
            None => {
                let found = match node_start(self.s.text, self.s.statement, c) {
                    Some(start) if start > after => {
                        find_keywords(self.s.text, after..start, keyword, true)
                    }
                    _ => None,
                };
                found
                    .or_else(|| find_keywords(self.s.text, after..end, keyword, false))
                    .unwrap_or(after..after)
            }
        };
        Some(KeyDef {
            kind,
            name: name.map(|n| stored(n, self.dialect)),
            table: stored(table, self.dialect),
            columns,
            expression,
            ref_table,
            ref_columns,
            path: self.s.path.to_string(),
            span,
        })
    }

    fn stored_all(&self, idents: &[Ident]) -> Vec<String> {
        idents.iter().map(|i| stored(i, self.dialect)).collect()
    }

    /// The column names of an index's columns, and whether any is an
    /// expression (whose columns are then the ones it reads).
    fn index_columns(&self, columns: &[IndexColumn]) -> (Vec<String>, bool) {
        let mut names = Vec::new();
        let mut expression = false;
        for c in columns {
            match &c.column.expr {
                Expr::Identifier(ident) => names.push(stored(ident, self.dialect)),
                Expr::CompoundIdentifier(parts) => {
                    if let Some(ident) = parts.last() {
                        names.push(stored(ident, self.dialect));
                    }
                }
                other => {
                    expression = true;
                    names.extend(self.expr_columns(other));
                }
            }
        }
        (names, expression)
    }

    /// The distinct columns an expression reads, in order.
    fn expr_columns(&self, expr: &Expr) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let _ = ast::visit_expressions(expr, |e| {
            let ident = match e {
                Expr::Identifier(i) => Some(i),
                Expr::CompoundIdentifier(parts) => parts.last(),
                _ => None,
            };
            if let Some(i) = ident {
                let name = stored(i, self.dialect);
                if !out.contains(&name) {
                    out.push(name);
                }
            }
            ControlFlow::<()>::Continue(())
        });
        out
    }
}

/// The kind and name of a table constraint (MySQL's `UNIQUE KEY name` and
/// `KEY name` keep the name as the index name).
fn constraint_name(c: &TableConstraint) -> (Kind, Option<&Ident>) {
    match c {
        TableConstraint::PrimaryKey(pk) => (Kind::PrimaryKey, pk.name.as_ref()),
        TableConstraint::Unique(u) => (Kind::Unique, u.name.as_ref().or(u.index_name.as_ref())),
        TableConstraint::ForeignKey(fk) => (Kind::ForeignKey, fk.name.as_ref()),
        TableConstraint::Check(ch) => (Kind::Check, ch.name.as_ref()),
        TableConstraint::Index(ix) => (Kind::Index, ix.name.as_ref()),
        TableConstraint::FulltextOrSpatial(f) => (Kind::Index, f.opt_index_name.as_ref()),
        TableConstraint::PrimaryKeyUsingIndex(c) => (Kind::PrimaryKey, c.name.as_ref()),
        TableConstraint::UniqueUsingIndex(c) => (Kind::Unique, c.name.as_ref()),
        TableConstraint::Exclude(e) => (Kind::Constraint, e.name.as_ref()),
    }
}

/// How a database is called in messages.
pub(crate) fn database_name(target: &str) -> &'static str {
    match target {
        "postgres" => "Postgres",
        "mysql" => "MySQL",
        "sqlite" => "SQLite",
        "mssql" => "SQL Server",
        "oracle" => "Oracle",
        "max_length" => "naming.max_length",
        _ => "the database",
    }
}

/// How a database measures identifier length.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Unit {
    Bytes,
    Characters,
}

/// One identifier length limit that applies to the schema.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Limit {
    /// `postgres`, `mysql`, `mssql`, `oracle`, or `max_length` for the
    /// configured `naming.max_length`.
    pub database: &'static str,
    pub max: usize,
    pub unit: Unit,
}

impl Limit {
    /// The length of `name` in this limit's unit.
    pub(crate) fn length(&self, name: &str) -> usize {
        match self.unit {
            Unit::Bytes => name.len(),
            Unit::Characters => name.chars().count(),
        }
    }
}

/// The limits of the configured dialect, of `naming.target_dialects`, and
/// `naming.max_length` (in bytes, as Oracle counts).
pub(crate) fn limits(config: &Config) -> Vec<Limit> {
    let mut out: Vec<Limit> = Vec::new();
    let mut databases = vec![config.dialect.name()];
    databases.extend(config.naming.targets());
    for database in databases {
        let (database, max, unit) = match database {
            "postgres" => ("postgres", 63, Unit::Bytes),
            "mysql" => ("mysql", 64, Unit::Characters),
            "mssql" => ("mssql", 128, Unit::Characters),
            "oracle" => ("oracle", 128, Unit::Bytes),
            _ => continue,
        };
        if !out.iter().any(|l| l.database == database) {
            out.push(Limit {
                database,
                max,
                unit,
            });
        }
    }
    if let Some(max) = config.naming.max_length {
        out.push(Limit {
            database: "max_length",
            max,
            unit: Unit::Bytes,
        });
    }
    out
}

/// Findings for named indexes or constraints of the kinds `rule` looks at
/// whose names do not fit their configured pattern. A kind without a
/// pattern is not checked.
pub(crate) fn pattern_findings(
    ctx: &Context,
    keys: &[KeyDef],
    rule: &str,
    kinds: &[PatternKind],
) -> Vec<crate::finding::Finding> {
    let naming = &ctx.config.naming;
    let limits = limits(ctx.config);
    let mut out = Vec::new();
    for key in keys {
        if !kinds.contains(&key.kind) {
            continue;
        }
        // MySQL ignores the name of a primary key: it is always PRIMARY.
        if key.kind == PatternKind::PrimaryKey && ctx.config.dialect == Dialect::Mysql {
            continue;
        }
        let (Some(name), Some(pattern)) = (&key.name, naming.pattern(key.kind)) else {
            continue;
        };
        let values = key.values(&naming.separator);
        let expected = pattern.render(&values);
        let shortened = limits.iter().any(|l| l.length(&expected) > l.max);
        if pattern.matches(name, &values, key.expression || shortened) {
            continue;
        }
        let mut help = format!("name it {expected}");
        if shortened {
            help.push_str(&format!(
                " (shortened to fit the identifier length limit: the {} part may be abbreviated)",
                if pattern.uses(crate::config::naming::Slot::Columns) {
                    "{columns}"
                } else {
                    "{ref_columns}"
                }
            ));
        } else if key.expression {
            help.push_str(" (for an expression, any text in place of {columns})");
        } else if values.ref_columns.is_none()
            && pattern.uses(crate::config::naming::Slot::RefColumns)
        {
            // `REFERENCES users` names no column: it references the key.
            help.push_str(&format!(
                " (with the columns of {}'s primary key in place of {{ref_columns}})",
                key.ref_table.as_deref().unwrap_or("the referenced table")
            ));
        }
        out.push(
            crate::finding::Finding::new(
                rule,
                crate::finding::Location::head(&key.path, key.span.clone()),
                format!(
                    "{} {name} of {} does not follow the pattern {}",
                    key.noun(),
                    key.table,
                    pattern.as_str()
                ),
            )
            .label(format!("expected {expected}"))
            .help(help),
        );
    }
    out
}

/// Findings for new or renamed tables whose last word is not in the wanted
/// grammatical number (`plural` or `singular`).
pub(crate) fn table_number_findings(
    ctx: &Context,
    rule: &str,
    number: &str,
    fits: fn(&str) -> bool,
    fix: fn(&str) -> String,
) -> Vec<crate::finding::Finding> {
    let mut out = Vec::new();
    for name in new_names(ctx).iter().filter(|n| n.kind == Kind::Table) {
        // The last word made of letters: `invoices_2024`, `order_items_v2`
        // are partitions and versions of `invoices` and `order_items`.
        let words = crate::config::naming::split_words(&name.stored);
        let Some(last) = words
            .iter()
            .rev()
            .find(|w| w.chars().all(char::is_alphabetic))
        else {
            continue;
        };
        let word = last.to_lowercase();
        if fits(&word) {
            continue;
        }
        let fixed = fix(&word);
        let at = name.stored.rfind(last.as_str()).unwrap_or(0);
        let suggestion = format!(
            "{}{}",
            &name.stored[..at],
            if last.chars().next().is_some_and(char::is_uppercase) {
                crate::config::naming::Case::Pascal.convert(&fixed)
            } else {
                fixed
            }
        );
        out.push(
            crate::finding::Finding::new(
                rule,
                crate::finding::Location::head(&name.path, name.span.clone()),
                format!("{} is not {number}", name.describe()),
            )
            .label(format!("{word} is not {number}"))
            .help(format!("name it {suggestion}")),
        );
    }
    out
}
