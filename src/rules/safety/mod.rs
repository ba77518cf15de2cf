//! Safety rules: changes that lock production or break the application
//! version still running during a promotion (backward compatibility,
//! PostgreSQL locking, data, type and transaction hygiene).
//!
//! Every rule reads the same `Scan` of each new or changed migration: what
//! each statement of its up script does (`model`), whether it runs inside a
//! transaction (the tool's, from `Layout::transaction`, or one the script
//! opens), and which tables, indexes and columns are new, because a table
//! that no running application uses yet can be changed freely. A table is
//! new when an earlier statement of the migration created it, or, in a
//! range check, an earlier migration that the change adds. Down scripts are
//! not checked (a rollback drops what the up created), nor are baselines
//! (they only build new databases).

pub mod add_not_null_column;
pub mod add_primary_key_without_index;
pub mod add_serial_column;
pub mod alter_enum_in_transaction;
pub mod ban_char;
pub mod ban_truncate_cascade;
pub mod change_column_type;
pub mod cluster;
pub mod concurrently_in_transaction;
pub mod constraint_without_not_valid;
pub mod delete_without_where;
pub mod drop_column;
pub mod drop_default_in_use;
pub mod drop_schema;
pub mod drop_table;
pub mod index_without_concurrently;
pub mod lock_timeout_missing;
pub mod mixed_ddl_and_dml;
pub mod model;
pub mod prefer_bigint;
pub mod prefer_identity;
pub mod prefer_text;
pub mod prefer_timestamptz;
pub mod rename_column;
pub mod rename_table;
pub mod set_not_null;
pub mod transaction_nesting;
pub mod uncommitted_transaction;
pub mod unique_constraint_without_index;
pub mod update_without_where;
pub mod vacuum_full;
pub mod volatile_default;

use std::ops::Range;
use std::sync::OnceLock;

use crate::finding::{Finding, Location};
use crate::layout::Transaction;
use crate::plan::{Migration, MigrationKind};
use crate::rules::{Context, DirView, Role};
use crate::sql::{self, ast, Dialect, Parsed};

use model::{Action, Effects, Locked, Name};

/// How the tool runs a scanned migration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wrap {
    /// Inside a transaction the tool opens and commits.
    Tool,
    /// Inside the implicit transaction of a multi-statement query.
    Implicit,
    /// Outside any transaction.
    None,
}

/// The transaction a statement runs in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Tx {
    /// The tool's transaction (or the implicit one), numbered.
    Tool {
        /// Statements with the same number run in the same transaction.
        group: usize,
    },
    /// One the script opened with `BEGIN` at `begin`.
    Explicit {
        /// The `BEGIN` statement.
        begin: Range<usize>,
        /// As for `Tool`.
        group: usize,
    },
}

impl Tx {
    /// Statements with the same group run in the same transaction.
    pub fn group(&self) -> usize {
        match self {
            Tx::Tool { group } | Tx::Explicit { group, .. } => *group,
        }
    }
}

/// One statement of a scanned migration.
#[derive(Clone, Debug)]
pub struct Step {
    /// The statement's byte span in the file.
    pub span: Range<usize>,
    /// What it does.
    pub effects: Effects,
    /// The transaction it runs in (for `BEGIN` and `COMMIT`: the one in
    /// force before them).
    pub tx: Option<Tx>,
    /// A client command (`\connect`), not SQL.
    meta: bool,
}

impl Step {
    /// Its actions.
    pub fn actions(&self) -> &[Action] {
        &self.effects.actions
    }
}

/// An object that a migration earlier in the change, or an earlier
/// statement of this one, created.
#[derive(Clone, Debug)]
enum Created {
    Table(Name),
    Index(Name),
    Schema(Name),
    Column(Name, String),
}

/// What a CHECK constraint seen in the change checks.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Checks {
    /// `column IS NOT NULL`.
    NotNull(String),
    /// Something else.
    Other,
    /// Unknown: only its validation is in the change.
    Unknown,
}

/// A CHECK constraint seen in the change.
#[derive(Clone, Debug)]
struct Check {
    table: Name,
    name: Option<String>,
    checks: Checks,
    /// Added without NOT VALID, or validated since.
    validated: bool,
}

/// What earlier migrations of the change leave for the next ones.
#[derive(Clone, Debug, Default)]
struct Prior {
    created: Vec<Created>,
    checks: Vec<Check>,
}

/// The scan of one migration, worked out once per run.
#[derive(Clone, Debug)]
struct Scanned {
    dir: usize,
    script: usize,
    kind: MigrationKind,
    steps: Vec<Step>,
    wrap: Wrap,
    prior: Prior,
}

/// What the safety rules share: every scan, computed on first use.
#[derive(Clone, Debug, Default)]
pub struct Facts(OnceLock<Vec<Scanned>>);

/// One new or changed migration's up script, as the safety rules see it.
#[derive(Debug)]
pub struct Scan<'a> {
    /// Its directory.
    pub dir: &'a DirView,
    /// The file of its up script.
    pub path: &'a str,
    /// That file's text.
    pub text: &'a str,
    /// Its statements.
    pub steps: &'a [Step],
    /// How the tool runs it.
    pub wrap: Wrap,
    /// Versioned or repeatable.
    pub kind: MigrationKind,
    prior: &'a Prior,
}

/// The scans of every new or changed migration, directory by directory, in
/// the order the tool runs them.
pub fn scans<'a>(ctx: &'a Context) -> Vec<Scan<'a>> {
    let scanned = ctx.shared.safety.0.get_or_init(|| scan_all(ctx));
    scanned
        .iter()
        .filter_map(|s| {
            let dir = ctx.dirs.get(s.dir)?;
            let script = dir.scripts.get(s.script)?;
            let text = script.text.as_ref().ok()?;
            Some(Scan {
                dir,
                path: &script.path,
                text,
                steps: &s.steps,
                wrap: s.wrap,
                kind: s.kind,
                prior: &s.prior,
            })
        })
        .collect()
}

fn scan_all(ctx: &Context) -> Vec<Scanned> {
    let mut out = Vec::new();
    for (d, dir) in ctx.dirs.iter().enumerate() {
        let mut fresh: Vec<(usize, &Migration)> = dir.fresh().collect();
        fresh.sort_by_key(|(i, _)| *i);
        // The first up script of each migration.
        let mut up: std::collections::HashMap<usize, usize> = std::collections::HashMap::new();
        for (s, script) in dir.scripts.iter().enumerate() {
            if script.role == Role::Up {
                up.entry(script.migration).or_insert(s);
            }
        }
        let mut prior = Prior::default();
        for (index, migration) in fresh {
            if migration.kind == MigrationKind::Baseline {
                continue;
            }
            let Some((s, script)) = up.get(&index).map(|&s| (s, &dir.scripts[s])) else {
                continue;
            };
            let Ok(text) = &script.text else { continue };
            let (steps, wrap) = steps(
                dir,
                migration,
                text,
                &script.parsed.statements,
                ctx.config.dialect,
            );
            let scanned = Scanned {
                dir: d,
                script: s,
                kind: migration.kind,
                steps,
                wrap,
                prior,
            };
            // In a range check a migration the change adds runs before any
            // application uses what it creates; when linting, every file
            // counts as new, so nothing carries over between files.
            prior = scanned.after(!ctx.lint && dir.is_added(index));
            out.push(scanned);
        }
    }
    out
}

/// The steps of a script, and how the tool runs it.
fn steps(
    dir: &DirView,
    migration: &Migration,
    text: &str,
    statements: &[sql::Statement],
    dialect: Dialect,
) -> (Vec<Step>, Wrap) {
    let mut steps: Vec<Step> = statements
        .iter()
        .map(|statement| Step {
            span: statement.span.clone(),
            effects: model::effects(statement, text),
            tx: None,
            meta: matches!(statement.parsed, Parsed::Meta),
        })
        .collect();
    let sql_steps: Vec<&Step> = steps.iter().filter(|s| !s.meta).collect();
    let wrap = match dir
        .head
        .layout
        .transaction(migration, migration.up.slice(text))
    {
        Transaction::Wrapped => Wrap::Tool,
        Transaction::WrappedUnlessNonTransactional => {
            if !sql_steps.is_empty() && sql_steps.iter().all(|s| s.effects.non_transactional) {
                Wrap::None
            } else {
                Wrap::Tool
            }
        }
        // An implicit transaction is PostgreSQL's; MySQL commits each DDL
        // statement anyway.
        Transaction::MultiStatementQuery if sql_steps.len() > 1 && dialect == Dialect::Postgres => {
            Wrap::Implicit
        }
        Transaction::MultiStatementQuery | Transaction::None => Wrap::None,
    };
    let mut group = 0;
    let mut explicit: Option<Range<usize>> = None;
    for step in &mut steps {
        step.tx = match &explicit {
            Some(begin) => Some(Tx::Explicit {
                begin: begin.clone(),
                group,
            }),
            None if wrap != Wrap::None => Some(Tx::Tool { group }),
            None => None,
        };
        for action in &step.effects.actions {
            match action {
                Action::Begin { at } if explicit.is_none() => {
                    explicit = Some(at.clone());
                    group += 1;
                }
                Action::Commit { .. } => {
                    explicit = None;
                    group += 1;
                }
                _ => {}
            }
        }
    }
    (steps, wrap)
}

impl Scanned {
    /// What this migration leaves for the next: its CHECK constraints, and,
    /// when `carry_new`, what it created.
    fn after(&self, carry_new: bool) -> Prior {
        let mut prior = self.prior.clone();
        for step in &self.steps {
            for action in step.actions() {
                if carry_new {
                    if let Some(created) = creates(action) {
                        prior.created.push(created);
                    }
                }
                track_check(&mut prior.checks, action);
            }
        }
        prior
    }
}

impl<'a> Scan<'a> {
    /// Objects created before step `before`, borrowed from the scan.
    fn created_before(&self, before: usize) -> impl Iterator<Item = CreatedRef<'_>> + '_ {
        self.prior.created.iter().map(Created::borrowed).chain(
            self.steps[..before.min(self.steps.len())]
                .iter()
                .flat_map(|s| s.actions().iter().filter_map(creates_ref)),
        )
    }

    /// Whether `table` was created before step `before`, so no running
    /// application uses it yet.
    pub fn is_new_table(&self, table: &Name, before: usize) -> bool {
        self.created_before(before)
            .any(|c| matches!(c, CreatedRef::Table(t) if t.same(table)))
    }

    /// Whether index `index` was created before step `before`.
    pub fn is_new_index(&self, index: &Name, before: usize) -> bool {
        self.created_before(before)
            .any(|c| matches!(c, CreatedRef::Index(i) if i.same(index)))
    }

    /// Whether schema `schema` was created before step `before`.
    pub fn is_new_schema(&self, schema: &Name, before: usize) -> bool {
        self.created_before(before)
            .any(|c| matches!(c, CreatedRef::Schema(s) if s.same(schema)))
    }

    /// Whether `column` of `table` is new before step `before`: its table is
    /// new, or it was added since.
    pub fn is_new_column(&self, table: &Name, column: &ast::Ident, before: usize) -> bool {
        let column = model::key(column);
        self.is_new_table(table, before)
            || self.created_before(before).any(|c| match c {
                CreatedRef::Column(t, col) => t.same(table) && col.key() == column,
                _ => false,
            })
    }

    /// Whether a lock on `locked` at step `at` is on something that running
    /// applications use.
    pub fn is_existing(&self, locked: &Locked, at: usize) -> bool {
        match locked {
            Locked::Table(t) => !self.is_new_table(t, at),
            Locked::IndexTable(i) => !self.is_new_index(i, at),
            Locked::Unnamed => true,
        }
    }

    /// The first ACCESS EXCLUSIVE lock step `i` takes on an existing object,
    /// with the span to point at.
    pub fn exclusive_lock(&self, i: usize) -> Option<(Locked, Range<usize>)> {
        let step = &self.steps[i];
        step.actions()
            .iter()
            .filter_map(Action::locks)
            .find(|l| self.is_existing(l, i))
            .map(|l| (l, step.span.clone()))
    }

    /// Whether a validated `CHECK (column IS NOT NULL)` on `table` exists
    /// before step `before`, or a constraint of that table whose definition
    /// the change does not show was validated (it may be that check).
    pub fn has_validated_not_null_check(
        &self,
        table: &Name,
        column: &ast::Ident,
        before: usize,
    ) -> bool {
        let column = model::key(column);
        let mut checks = self.prior.checks.clone();
        for step in &self.steps[..before.min(self.steps.len())] {
            for action in step.actions() {
                track_check(&mut checks, action);
            }
        }
        checks.iter().any(|c| {
            c.validated
                && c.table.same(table)
                && match &c.checks {
                    Checks::NotNull(col) => *col == column,
                    Checks::Unknown => true,
                    Checks::Other => false,
                }
        })
    }

    /// The location of `at` in this migration's file.
    pub fn at(&self, at: Range<usize>) -> Location {
        Location::head(self.path, at)
    }

    /// The SQL text of a step.
    pub fn sql(&self, step: &Step) -> &'a str {
        self.text.get(step.span.clone()).unwrap_or("")
    }

    /// How the tool runs this migration, in words, for messages.
    pub fn wrap_words(&self) -> String {
        let layout = self.dir.head.layout.name();
        match self.wrap {
            Wrap::Tool => format!("{layout} runs this migration in a transaction"),
            Wrap::Implicit => format!(
                "{layout} sends this {}-statement file as one query, which PostgreSQL runs as one transaction",
                self.steps.iter().filter(|s| !s.meta).count()
            ),
            Wrap::None => format!("{layout} runs this migration outside a transaction"),
        }
    }
}

/// What an action creates.
/// `Created`, borrowed: what `Scan::created_before` yields without copying
/// names for every question a rule asks.
enum CreatedRef<'a> {
    Table(&'a Name),
    Index(&'a Name),
    Schema(&'a Name),
    Column(&'a Name, ColumnKey<'a>),
}

/// A column as PostgreSQL compares it, or the identifier to compute it from.
enum ColumnKey<'a> {
    Key(&'a str),
    Ident(&'a ast::Ident),
}

impl ColumnKey<'_> {
    fn key(&self) -> std::borrow::Cow<'_, str> {
        match self {
            ColumnKey::Key(k) => std::borrow::Cow::Borrowed(k),
            ColumnKey::Ident(i) => std::borrow::Cow::Owned(model::key(i)),
        }
    }
}

impl Created {
    fn borrowed(&self) -> CreatedRef<'_> {
        match self {
            Created::Table(t) => CreatedRef::Table(t),
            Created::Index(i) => CreatedRef::Index(i),
            Created::Schema(s) => CreatedRef::Schema(s),
            Created::Column(t, c) => CreatedRef::Column(t, ColumnKey::Key(c)),
        }
    }
}

/// What `creates` returns, borrowed from the action.
fn creates_ref(action: &Action) -> Option<CreatedRef<'_>> {
    match action {
        Action::CreateTable { table, .. } | Action::CreateView { name: table } => {
            Some(CreatedRef::Table(table))
        }
        Action::CreateIndex {
            name: Some(name), ..
        } => Some(CreatedRef::Index(name)),
        Action::CreateSchema { name } => Some(CreatedRef::Schema(name)),
        Action::AddColumn { table, column, .. } => {
            Some(CreatedRef::Column(table, ColumnKey::Ident(&column.name)))
        }
        _ => None,
    }
}

fn creates(action: &Action) -> Option<Created> {
    match action {
        // A view is a relation too: an index on a new materialized view
        // locks nothing in use.
        Action::CreateTable { table, .. } | Action::CreateView { name: table } => {
            Some(Created::Table(table.clone()))
        }
        Action::CreateIndex {
            name: Some(name), ..
        } => Some(Created::Index(name.clone())),
        Action::CreateSchema { name } => Some(Created::Schema(name.clone())),
        Action::AddColumn { table, column, .. } => {
            Some(Created::Column(table.clone(), model::key(&column.name)))
        }
        _ => None,
    }
}

/// Records CHECK constraints added and validated.
fn track_check(checks: &mut Vec<Check>, action: &Action) {
    match action {
        Action::AddConstraint {
            table,
            constraint: ast::TableConstraint::Check(check),
            not_valid,
            ..
        } => checks.push(Check {
            table: table.clone(),
            name: check.name.as_ref().map(model::key),
            checks: not_null_column(&check.expr).map_or(Checks::Other, Checks::NotNull),
            validated: !not_valid,
        }),
        Action::ValidateConstraint { table, name, .. } => {
            let name = model::key(name);
            match checks
                .iter_mut()
                .find(|c| c.table.same(table) && c.name.as_deref() == Some(name.as_str()))
            {
                Some(check) => check.validated = true,
                // Added by a migration the change does not show: it may be
                // any constraint, a NOT NULL check among them.
                None => checks.push(Check {
                    table: table.clone(),
                    name: Some(name),
                    checks: Checks::Unknown,
                    validated: true,
                }),
            }
        }
        _ => {}
    }
}

/// The column of `column IS NOT NULL`.
fn not_null_column(expr: &ast::Expr) -> Option<String> {
    match expr {
        ast::Expr::Nested(inner) => not_null_column(inner),
        ast::Expr::IsNotNull(inner) => match inner.as_ref() {
            ast::Expr::Identifier(ident) => Some(model::key(ident)),
            ast::Expr::Nested(e) => not_null_column(&ast::Expr::IsNotNull(e.clone())),
            _ => None,
        },
        _ => None,
    }
}

/// Whether the configured dialect is PostgreSQL, for rules about its locks.
pub fn postgres(ctx: &Context) -> bool {
    ctx.config.dialect == Dialect::Postgres
}

/// A finding of `rule` in a scanned migration.
pub fn finding(rule: &str, scan: &Scan, at: Range<usize>, message: impl Into<String>) -> Finding {
    Finding::new(rule, scan.at(at), message)
}

/// A column type that a migration declares: in `CREATE TABLE`, `ADD
/// COLUMN` or `ALTER COLUMN ... TYPE`.
#[derive(Debug)]
pub struct Declared<'a> {
    /// The column's table.
    pub table: &'a Name,
    /// The column.
    pub column: &'a ast::Ident,
    /// Its type.
    pub data_type: &'a ast::DataType,
    /// Whether it is (part of) the table's primary key.
    pub primary_key: bool,
    /// Where the finding points: the column's name.
    pub at: Range<usize>,
}

/// Every column type `scan` declares.
pub fn declared<'a>(scan: &Scan<'a>) -> Vec<Declared<'a>> {
    let mut out = Vec::new();
    for step in scan.steps {
        for action in step.actions() {
            match action {
                Action::CreateTable { table, columns } => {
                    for column in columns {
                        out.push(Declared {
                            table,
                            column: &column.name,
                            data_type: &column.data_type,
                            primary_key: column.primary_key,
                            at: column.at.clone(),
                        });
                    }
                }
                Action::AddColumn { table, column, at } => out.push(Declared {
                    table,
                    column: &column.name,
                    data_type: &column.data_type,
                    primary_key: is_primary_key(column),
                    at: at.clone(),
                }),
                Action::SetColumnType {
                    table,
                    column,
                    data_type,
                    at,
                    ..
                } => out.push(Declared {
                    table,
                    column,
                    data_type,
                    primary_key: false,
                    at: at.clone(),
                }),
                _ => {}
            }
        }
    }
    out
}

/// A type as messages show it: lower case, as PostgreSQL's documentation
/// writes types.
pub fn type_name(data_type: &ast::DataType) -> String {
    data_type.to_string().to_lowercase()
}

/// Whether a column definition declares the column a primary key.
pub fn is_primary_key(column: &ast::ColumnDef) -> bool {
    column
        .options
        .iter()
        .any(|o| matches!(o.option, ast::ColumnOption::PrimaryKey(_)))
}

/// `serial`, `bigserial` and their aliases, by the name written.
pub fn serial_name(data_type: &ast::DataType) -> Option<String> {
    let ast::DataType::Custom(name, modifiers) = data_type else {
        return None;
    };
    let last = name.0.last()?.as_ident()?;
    let lower = last.value.to_ascii_lowercase();
    let serial = last.quote_style.is_none()
        && modifiers.is_empty()
        && matches!(
            lower.as_str(),
            "serial" | "serial4" | "bigserial" | "serial8" | "smallserial" | "serial2"
        );
    serial.then_some(lower)
}

/// Whether a column definition generates its values from a sequence or
/// counter: serial types, identity columns, MySQL `AUTO_INCREMENT`, SQL
/// Server `IDENTITY`.
pub fn is_generated_key(column: &ast::ColumnDef) -> bool {
    serial_name(&column.data_type).is_some()
        || column.options.iter().any(|o| match &o.option {
            ast::ColumnOption::Generated {
                sequence_options, ..
            } => sequence_options.is_some(),
            ast::ColumnOption::Identity(_) => true,
            ast::ColumnOption::DialectSpecific(tokens) => tokens
                .iter()
                .any(|t| t.to_string().eq_ignore_ascii_case("AUTO_INCREMENT")),
            _ => false,
        })
}

/// The expression of a column's DEFAULT.
pub fn default_of(column: &ast::ColumnDef) -> Option<&ast::Expr> {
    column.options.iter().find_map(|o| match &o.option {
        ast::ColumnOption::Default(expr) => Some(expr),
        _ => None,
    })
}
