//! What each statement of a migration does, in the terms the safety rules
//! need. Built from the syntax tree, or, for valid statements the parser
//! keeps as text (`DROP INDEX CONCURRENTLY`, `CLUSTER`, `REINDEX`, `VACUUM
//! (FULL)`, `REFRESH MATERIALIZED VIEW`, `SET lock_timeout`), from their
//! leading words. Of a statement that does not parse only the table it
//! creates is taken: the syntax-error rule reports it, and reading more
//! into it would raise findings on text that is not SQL.

use std::ops::Range;
use std::sync::OnceLock;

use regex::Regex;

use crate::sql::{self, ast, Parsed, TreeSpan};

/// A table, index, schema or type name compared as PostgreSQL compares
/// names: unquoted parts folded to lower case.
#[derive(Clone, Debug)]
pub struct Name {
    parts: Vec<String>,
    /// The name as written, for messages.
    pub shown: String,
}

impl Name {
    /// The name of a syntax-tree object name.
    pub fn of(name: &ast::ObjectName) -> Name {
        Name {
            parts: name
                .0
                .iter()
                .filter_map(ast::ObjectNamePart::as_ident)
                .map(key)
                .collect(),
            shown: name.to_string(),
        }
    }

    /// A name written as text (`public."Orders"`).
    pub fn parse(text: &str) -> Name {
        let mut parts = Vec::new();
        let mut rest = text.trim();
        while !rest.is_empty() {
            let (part, after) = if let Some(quoted) = rest.strip_prefix('"') {
                let end = quoted.find('"').unwrap_or(quoted.len());
                (
                    quoted[..end].to_string(),
                    quoted.get(end + 1..).unwrap_or(""),
                )
            } else {
                let end = rest.find('.').unwrap_or(rest.len());
                (rest[..end].trim().to_lowercase(), &rest[end..])
            };
            parts.push(part);
            rest = after
                .trim_start()
                .strip_prefix('.')
                .unwrap_or("")
                .trim_start();
        }
        Name {
            parts,
            shown: text.trim().to_string(),
        }
    }

    /// Whether two names can denote the same object: the same last part,
    /// and the same schema when both name one.
    pub fn same(&self, other: &Name) -> bool {
        let (Some(a), Some(b)) = (self.parts.last(), other.parts.last()) else {
            return false;
        };
        if a != b {
            return false;
        }
        match (self.schema(), other.schema()) {
            (Some(x), Some(y)) => x == y,
            _ => true,
        }
    }

    fn schema(&self) -> Option<&String> {
        (self.parts.len() > 1).then(|| &self.parts[self.parts.len() - 2])
    }
}

/// An identifier as PostgreSQL compares it.
pub fn key(ident: &ast::Ident) -> String {
    match ident.quote_style {
        Some(_) => ident.value.clone(),
        None => ident.value.to_lowercase(),
    }
}

/// The object a statement takes an ACCESS EXCLUSIVE lock on.
#[derive(Clone, Debug)]
pub enum Locked {
    /// A table or materialized view.
    Table(Name),
    /// The table of this index (its name is not in the statement).
    IndexTable(Name),
    /// Tables the statement does not name (`CLUSTER;` without a table).
    Unnamed,
}

/// One thing a statement does. `at` is the byte span in the file of the
/// words a finding should point at.
/// A column a `CREATE TABLE` declares: what the rules read of it.
#[derive(Clone, Debug)]
pub struct NewColumn {
    /// Its name.
    pub name: ast::Ident,
    /// Its type.
    pub data_type: ast::DataType,
    /// Whether it is (part of) the table's primary key, declared on the
    /// column or as a table constraint.
    pub primary_key: bool,
    /// The span of its name.
    pub at: Range<usize>,
}

#[derive(Clone, Debug)]
pub enum Action {
    /// `CREATE TABLE`, `CREATE TABLE AS`, `SELECT ... INTO`, with the
    /// columns and table constraints it declares.
    CreateTable {
        table: Name,
        /// Each column in order.
        columns: Vec<NewColumn>,
    },
    /// `DROP TABLE`, one per table.
    DropTable { table: Name, at: Range<usize> },
    /// `ALTER TABLE ... RENAME TO`, MySQL `RENAME TABLE`.
    RenameTable {
        from: Name,
        to: Name,
        at: Range<usize>,
    },
    /// `CREATE [MATERIALIZED] VIEW`.
    CreateView { name: Name },
    /// `CREATE SCHEMA`.
    CreateSchema { name: Name },
    /// `DROP SCHEMA`, one per schema.
    DropSchema { name: Name, at: Range<usize> },
    /// `CREATE INDEX`.
    CreateIndex {
        name: Option<Name>,
        table: Name,
        concurrently: bool,
        /// `ON ONLY`: an index on a partitioned table's parent alone.
        only: bool,
        at: Range<usize>,
    },
    /// `DROP INDEX`, one per index.
    DropIndex {
        name: Name,
        concurrently: bool,
        at: Range<usize>,
    },
    /// `REINDEX`.
    Reindex {
        concurrently: bool,
        at: Range<usize>,
    },
    /// `ALTER TABLE ... ADD COLUMN`.
    AddColumn {
        table: Name,
        column: ast::ColumnDef,
        at: Range<usize>,
    },
    /// `ALTER TABLE ... DROP COLUMN`, one per column.
    DropColumn {
        table: Name,
        column: ast::Ident,
        at: Range<usize>,
    },
    /// `ALTER TABLE ... RENAME COLUMN`, MySQL `CHANGE COLUMN old new`.
    RenameColumn {
        table: Name,
        from: ast::Ident,
        to: ast::Ident,
        at: Range<usize>,
    },
    /// `ALTER TABLE ... ALTER COLUMN ... TYPE`.
    SetColumnType {
        table: Name,
        column: ast::Ident,
        data_type: ast::DataType,
        using: bool,
        at: Range<usize>,
    },
    /// `ALTER TABLE ... ALTER COLUMN ... SET NOT NULL`.
    SetNotNull {
        table: Name,
        column: ast::Ident,
        at: Range<usize>,
    },
    /// `ALTER TABLE ... ALTER COLUMN ... DROP DEFAULT`.
    DropDefault {
        table: Name,
        column: ast::Ident,
        at: Range<usize>,
    },
    /// `ALTER TABLE ... ADD [CONSTRAINT ...]`.
    AddConstraint {
        table: Name,
        constraint: ast::TableConstraint,
        not_valid: bool,
        at: Range<usize>,
    },
    /// `ALTER TABLE ... VALIDATE CONSTRAINT`.
    ValidateConstraint {
        table: Name,
        name: ast::Ident,
        at: Range<usize>,
    },
    /// `ALTER TABLE ... DETACH PARTITION ... CONCURRENTLY`.
    DetachConcurrently { at: Range<usize> },
    /// Any other `ALTER TABLE` action; `exclusive` when it takes an ACCESS
    /// EXCLUSIVE lock.
    OtherAlterTable { table: Name, exclusive: bool },
    /// `ALTER TYPE ... ADD VALUE`.
    AddEnumValue {
        type_name: String,
        value: String,
        at: Range<usize>,
    },
    /// `VACUUM FULL`, `VACUUM (FULL)`.
    VacuumFull { table: Option<Name> },
    /// `CLUSTER`.
    Cluster { table: Option<Name> },
    /// `REFRESH MATERIALIZED VIEW`.
    Refresh { name: Name, concurrently: bool },
    /// `LOCK TABLE`.
    Lock { table: Name, exclusive: bool },
    /// `TRUNCATE`.
    Truncate { tables: Vec<Name>, cascade: bool },
    /// `UPDATE`; `filtered` when it has a WHERE that is not constant true.
    Update {
        table: Option<Name>,
        filtered: bool,
        at: Range<usize>,
    },
    /// `DELETE`; `filtered` as for `Update`.
    Delete {
        table: Option<Name>,
        filtered: bool,
        at: Range<usize>,
    },
    /// `INSERT ... SELECT ... FROM` and `MERGE`: bulk writes.
    BulkWrite { at: Range<usize> },
    /// `BEGIN`, `START TRANSACTION`.
    Begin { at: Range<usize> },
    /// `COMMIT`, `END`, `ROLLBACK` (not to a savepoint), `ABORT`.
    Commit { at: Range<usize> },
    /// `SET [LOCAL] lock_timeout`, `set_config('lock_timeout', ...)`;
    /// `enabled` unless it sets no timeout (0, DEFAULT).
    SetLockTimeout { enabled: bool },
}

impl Action {
    /// What the action takes an ACCESS EXCLUSIVE lock on, if anything.
    pub fn locks(&self) -> Option<Locked> {
        let table = |t: &Name| Some(Locked::Table(t.clone()));
        match self {
            Action::DropTable { table: t, .. }
            | Action::AddColumn { table: t, .. }
            | Action::DropColumn { table: t, .. }
            | Action::RenameColumn { table: t, .. }
            | Action::SetColumnType { table: t, .. }
            | Action::SetNotNull { table: t, .. }
            | Action::DropDefault { table: t, .. } => table(t),
            Action::RenameTable { from, .. } => table(from),
            // A foreign key takes SHARE ROW EXCLUSIVE: it blocks writes but
            // not reads.
            Action::AddConstraint {
                table: t,
                constraint,
                ..
            } => (!matches!(constraint, ast::TableConstraint::ForeignKey(_)))
                .then(|| Locked::Table(t.clone())),
            Action::OtherAlterTable {
                table: t,
                exclusive: true,
            } => table(t),
            Action::DropIndex {
                name,
                concurrently: false,
                ..
            } => Some(Locked::IndexTable(name.clone())),
            Action::VacuumFull { table: t } | Action::Cluster { table: t } => {
                Some(t.clone().map_or(Locked::Unnamed, Locked::Table))
            }
            Action::Refresh {
                name,
                concurrently: false,
            } => table(name),
            Action::Lock {
                table: t,
                exclusive: true,
            } => table(t),
            Action::Truncate { tables, .. } => tables.first().and_then(table),
            _ => None,
        }
    }
}

/// What one statement does.
#[derive(Clone, Debug)]
pub struct Effects {
    /// Its actions, in order.
    pub actions: Vec<Action>,
    /// PostgreSQL refuses to run it inside a transaction block.
    pub non_transactional: bool,
}

/// The actions of `statement`, found in `text` (the whole file).
pub fn effects(statement: &sql::Statement, text: &str) -> Effects {
    let sql = text.get(statement.span.clone()).unwrap_or("");
    let mut actions = match &statement.parsed {
        Parsed::Ast(tree) => from_tree(tree, statement, text),
        Parsed::Opaque => from_words(sql, statement.span.clone()),
        // A CREATE TABLE with a typo still means the table is new: taking
        // that much from it only keeps its error from causing findings on
        // the statements that use the table.
        Parsed::Error { .. } => created_by_words(sql).into_iter().collect(),
        Parsed::Meta => Vec::new(),
    };
    if matches!(statement.parsed, Parsed::Ast(_) | Parsed::Opaque) {
        if let Some(enabled) = lock_timeout(sql) {
            actions.push(Action::SetLockTimeout { enabled });
        }
    }
    let non_transactional = matches!(statement.parsed, Parsed::Ast(_) | Parsed::Opaque)
        && cannot_run_in_transaction(sql, &actions);
    Effects {
        actions,
        non_transactional,
    }
}

/// Statements PostgreSQL refuses inside a transaction block (those a tool
/// such as Flyway detects and runs outside one).
fn cannot_run_in_transaction(sql: &str, actions: &[Action]) -> bool {
    let concurrent = actions.iter().any(|a| {
        matches!(
            a,
            Action::CreateIndex {
                concurrently: true,
                ..
            } | Action::DropIndex {
                concurrently: true,
                ..
            } | Action::Reindex {
                concurrently: true,
                ..
            } | Action::DetachConcurrently { .. }
        )
    });
    let words = sql::leading_words(sql, 3);
    let words: Vec<&str> = words.iter().map(|w| w.as_ref()).collect();
    concurrent
        || matches!(
            words.as_slice(),
            ["VACUUM", ..]
                | ["CREATE" | "DROP", "DATABASE" | "TABLESPACE", ..]
                | ["ALTER", "SYSTEM", ..]
                | ["DISCARD", "ALL", ..]
        )
}

/// A span of the tree located in the file, or the whole statement.
fn place(statement: &sql::Statement, text: &str, span: TreeSpan) -> Range<usize> {
    statement
        .locate(text, span)
        .filter(|r| !r.is_empty())
        .unwrap_or_else(|| statement.span.clone())
}

fn from_tree(tree: &ast::Statement, statement: &sql::Statement, text: &str) -> Vec<Action> {
    use ast::Spanned;
    let at = |span: TreeSpan| place(statement, text, span);
    let whole = statement.span.clone();
    let mut out = Vec::new();
    match tree {
        ast::Statement::CreateTable(create) => {
            let in_key = |column: &ast::Ident| {
                let name = key(column);
                create.constraints.iter().any(|c| match c {
                    ast::TableConstraint::PrimaryKey(pk) => pk.columns.iter().any(
                        |k| matches!(&k.column.expr, ast::Expr::Identifier(i) if key(i) == name),
                    ),
                    _ => false,
                })
            };
            out.push(Action::CreateTable {
                table: Name::of(&create.name),
                columns: create
                    .columns
                    .iter()
                    .map(|c| NewColumn {
                        name: c.name.clone(),
                        data_type: c.data_type.clone(),
                        primary_key: in_key(&c.name) || super::is_primary_key(c),
                        at: at(c.name.span),
                    })
                    .collect(),
            })
        }
        ast::Statement::CreateView(view) => out.push(Action::CreateView {
            name: Name::of(&view.name),
        }),
        ast::Statement::CreateSchema { schema_name, .. } => {
            let name = match schema_name {
                ast::SchemaName::Simple(n) | ast::SchemaName::NamedAuthorization(n, _) => {
                    Name::of(n)
                }
                ast::SchemaName::UnnamedAuthorization(ident) => Name::parse(&ident.to_string()),
            };
            out.push(Action::CreateSchema { name });
        }
        ast::Statement::CreateIndex(index) => out.push(Action::CreateIndex {
            name: index.name.as_ref().map(Name::of),
            table: Name::of(&index.table_name),
            concurrently: index.concurrently,
            only: false,
            at: at(index
                .name
                .as_ref()
                .map_or_else(|| index.table_name.span(), Spanned::span)),
        }),
        ast::Statement::Drop {
            object_type,
            names,
            temporary,
            ..
        } => {
            for name in names {
                let n = Name::of(name);
                let span = at(name.span());
                match object_type {
                    ast::ObjectType::Table if !temporary => {
                        out.push(Action::DropTable { table: n, at: span })
                    }
                    ast::ObjectType::Schema => out.push(Action::DropSchema { name: n, at: span }),
                    ast::ObjectType::Index => out.push(Action::DropIndex {
                        name: n,
                        concurrently: false,
                        at: span,
                    }),
                    _ => {}
                }
            }
        }
        ast::Statement::RenameTable(renames) => {
            for r in renames {
                out.push(Action::RenameTable {
                    from: Name::of(&r.old_name),
                    to: Name::of(&r.new_name),
                    at: at(r.old_name.span()),
                });
            }
        }
        ast::Statement::AlterTable(alter) => {
            let table = Name::of(&alter.name);
            for op in &alter.operations {
                alter_actions(op, &table, statement, text, &mut out);
            }
        }
        ast::Statement::AlterType(alter) => {
            if let ast::AlterTypeOperation::AddValue(add) = &alter.operation {
                out.push(Action::AddEnumValue {
                    type_name: alter.name.to_string(),
                    value: add.value.value.clone(),
                    at: at(add.value.span),
                });
            }
        }
        ast::Statement::Vacuum(vacuum) if vacuum.full => out.push(Action::VacuumFull {
            table: vacuum.table_name.as_ref().map(Name::of),
        }),
        ast::Statement::RefreshMaterializedView(refresh) => out.push(Action::Refresh {
            name: Name::of(&refresh.name),
            concurrently: refresh.concurrently,
        }),
        ast::Statement::Lock(lock) => {
            let exclusive = matches!(
                lock.lock_mode,
                None | Some(ast::LockTableMode::AccessExclusive)
            );
            for target in &lock.tables {
                out.push(Action::Lock {
                    table: Name::of(&target.name),
                    exclusive,
                });
            }
        }
        ast::Statement::Truncate(truncate) => out.push(Action::Truncate {
            tables: truncate
                .table_names
                .iter()
                .map(|t| Name::of(&t.name))
                .collect(),
            cascade: matches!(truncate.cascade, Some(ast::CascadeOption::Cascade)),
        }),
        // A BEGIN ... END block of statements (T-SQL, Snowflake) is not a
        // transaction.
        ast::Statement::StartTransaction {
            statements,
            has_end_keyword: false,
            ..
        } if statements.is_empty() => out.push(Action::Begin { at: whole }),
        ast::Statement::Commit { .. } => out.push(Action::Commit { at: whole }),
        ast::Statement::Rollback {
            savepoint: None, ..
        } => {
            out.push(Action::Commit { at: whole });
        }
        _ => dml(tree, whole, &mut out),
    }
    out
}

/// UPDATE, DELETE, INSERT ... SELECT, MERGE and SELECT ... INTO, also when
/// they are the body of a `WITH` query.
fn dml(tree: &ast::Statement, whole: Range<usize>, out: &mut Vec<Action>) {
    match tree {
        ast::Statement::Update(update) => out.push(Action::Update {
            table: relation(&update.table.relation),
            filtered: filtered(update.selection.as_ref()),
            at: whole,
        }),
        ast::Statement::Delete(delete) => {
            let from = match &delete.from {
                ast::FromTable::WithFromKeyword(t) | ast::FromTable::WithoutKeyword(t) => t,
            };
            out.push(Action::Delete {
                table: from.first().and_then(|t| relation(&t.relation)),
                filtered: filtered(delete.selection.as_ref()),
                at: whole,
            });
        }
        ast::Statement::Insert(insert) if insert.source.as_deref().is_some_and(reads_a_table) => {
            out.push(Action::BulkWrite { at: whole });
        }
        ast::Statement::Merge(_) => out.push(Action::BulkWrite { at: whole }),
        ast::Statement::Query(query) => match query.body.as_ref() {
            ast::SetExpr::Update(inner)
            | ast::SetExpr::Delete(inner)
            | ast::SetExpr::Insert(inner)
            | ast::SetExpr::Merge(inner) => dml(inner, whole, out),
            ast::SetExpr::Select(select) => {
                if let Some(into) = &select.into {
                    for target in &into.targets {
                        out.push(Action::CreateTable {
                            table: Name::parse(&target.to_string()),
                            columns: Vec::new(),
                        });
                    }
                }
            }
            _ => {}
        },
        _ => {}
    }
}

/// The table a FROM item names.
fn relation(factor: &ast::TableFactor) -> Option<Name> {
    match factor {
        ast::TableFactor::Table { name, .. } => Some(Name::of(name)),
        _ => None,
    }
}

/// Whether a WHERE restricts rows: present and not a constant truth such as
/// `true` or `1 = 1`.
fn filtered(selection: Option<&ast::Expr>) -> bool {
    let Some(expr) = selection else { return false };
    let text = expr.to_string().to_ascii_lowercase().replace(' ', "");
    !matches!(text.as_str(), "true" | "1=1" | "(true)" | "(1=1)" | "1")
}

/// Whether a query copies rows out of a table (a backfill), unlike a VALUES
/// list, even one with a subquery that looks an id up.
fn reads_a_table(query: &ast::Query) -> bool {
    fn body(set: &ast::SetExpr) -> bool {
        match set {
            ast::SetExpr::Select(select) => !select.from.is_empty(),
            ast::SetExpr::Query(q) => body(&q.body),
            ast::SetExpr::SetOperation { left, right, .. } => body(left) || body(right),
            ast::SetExpr::Table(_) => true,
            _ => false,
        }
    }
    body(&query.body)
}

fn alter_actions(
    op: &ast::AlterTableOperation,
    table: &Name,
    statement: &sql::Statement,
    text: &str,
    out: &mut Vec<Action>,
) {
    use ast::AlterColumnOperation as Col;
    use ast::AlterTableOperation as Op;
    use ast::Spanned;
    let at = |span: TreeSpan| place(statement, text, span);
    let table = table.clone();
    if let Op::DropColumn { column_names, .. } = op {
        for column in column_names {
            out.push(Action::DropColumn {
                at: at(column.span),
                table: table.clone(),
                column: column.clone(),
            });
        }
        return;
    }
    let action = match op {
        Op::AddColumn { column_def, .. } => Action::AddColumn {
            at: at(column_def.name.span),
            table,
            column: column_def.clone(),
        },
        Op::RenameColumn {
            old_column_name,
            new_column_name,
        } => Action::RenameColumn {
            at: at(old_column_name.span),
            table,
            from: old_column_name.clone(),
            to: new_column_name.clone(),
        },
        Op::ChangeColumn {
            old_name, new_name, ..
        } if key(old_name) != key(new_name) => Action::RenameColumn {
            at: at(old_name.span),
            table,
            from: old_name.clone(),
            to: new_name.clone(),
        },
        Op::RenameTable { table_name } => {
            let to = match table_name {
                ast::RenameTableNameKind::As(n) | ast::RenameTableNameKind::To(n) => Name::of(n),
            };
            Action::RenameTable {
                at: at(statement_name_span(statement).unwrap_or_else(|| op.span())),
                from: table,
                to,
            }
        }
        Op::AlterColumn { column_name, op } => match op {
            Col::SetNotNull => Action::SetNotNull {
                at: at(column_name.span),
                table,
                column: column_name.clone(),
            },
            Col::DropDefault => Action::DropDefault {
                at: at(column_name.span),
                table,
                column: column_name.clone(),
            },
            Col::SetDataType {
                data_type, using, ..
            } => Action::SetColumnType {
                at: at(column_name.span),
                table,
                column: column_name.clone(),
                data_type: data_type.clone(),
                using: using.is_some(),
            },
            _ => Action::OtherAlterTable {
                table,
                exclusive: true,
            },
        },
        Op::AddConstraint {
            constraint,
            not_valid,
        } => Action::AddConstraint {
            at: at(constraint.span()),
            table,
            constraint: constraint.clone(),
            not_valid: *not_valid,
        },
        Op::ValidateConstraint { name } => Action::ValidateConstraint {
            at: at(name.span),
            table,
            name: name.clone(),
        },
        Op::DetachPartitionOf {
            mode: Some(ast::DetachPartitionMode::Concurrently),
            partition,
        } => Action::DetachConcurrently {
            at: at(partition.span()),
        },
        // Lighter locks: SHARE UPDATE EXCLUSIVE or SHARE ROW EXCLUSIVE.
        Op::AttachPartition { .. }
        | Op::AttachPartitionOf { .. }
        | Op::EnableTrigger { .. }
        | Op::DisableTrigger { .. }
        | Op::EnableAlwaysTrigger { .. }
        | Op::EnableReplicaTrigger { .. } => Action::OtherAlterTable {
            table,
            exclusive: false,
        },
        _ => Action::OtherAlterTable {
            table,
            exclusive: true,
        },
    };
    out.push(action);
}

/// The span of an ALTER TABLE's table name.
fn statement_name_span(statement: &sql::Statement) -> Option<TreeSpan> {
    use ast::Spanned;
    match statement.ast()? {
        ast::Statement::AlterTable(alter) => Some(alter.name.span()),
        _ => None,
    }
}

/// A possibly qualified, possibly quoted name, as a regex capture group.
const NAME: &str = r#"((?:"[^"]+"|[\w$]+)(?:\s*\.\s*(?:"[^"]+"|[\w$]+))*)"#;

fn regex(cell: &'static OnceLock<Option<Regex>>, pattern: &str) -> Option<&'static Regex> {
    cell.get_or_init(|| Regex::new(pattern).ok()).as_ref()
}

/// Actions of a statement kept as text, from its leading words.
fn from_words(sql: &str, whole: Range<usize>) -> Vec<Action> {
    static CREATE_INDEX: OnceLock<Option<Regex>> = OnceLock::new();
    static DROP_INDEX: OnceLock<Option<Regex>> = OnceLock::new();
    static TARGET: OnceLock<Option<Regex>> = OnceLock::new();
    static VACUUM_FULL: OnceLock<Option<Regex>> = OnceLock::new();
    static ADD_VALUE: OnceLock<Option<Regex>> = OnceLock::new();
    static BEGIN: OnceLock<Option<Regex>> = OnceLock::new();
    let words = sql::leading_words(sql, 4);
    let words: Vec<&str> = words.iter().map(|w| w.as_ref()).collect();
    let at = |m: Option<regex::Match>| {
        m.map_or(whole.clone(), |m| {
            whole.start + m.start()..whole.start + m.end()
        })
    };
    let mut out = Vec::new();
    if let Some(created) = created_by_words(sql) {
        out.push(created);
        return out;
    }
    match words.as_slice() {
        ["CREATE", "INDEX", ..] | ["CREATE", "UNIQUE", "INDEX", ..] => {
            let pattern = format!(
                r"(?is)^CREATE\s+(?:UNIQUE\s+)?INDEX\s+(CONCURRENTLY\s+)?(?:IF\s+NOT\s+EXISTS\s+)?(?:{NAME}\s+)?ON\s+(ONLY\s+)?{NAME}"
            );
            if let Some(c) = regex(&CREATE_INDEX, &pattern).and_then(|r| r.captures(sql)) {
                if let Some(table) = c.get(4) {
                    out.push(Action::CreateIndex {
                        name: c.get(2).map(|m| Name::parse(m.as_str())),
                        table: Name::parse(table.as_str()),
                        concurrently: c.get(1).is_some(),
                        only: c.get(3).is_some(),
                        at: at(c.get(2).or(Some(table))),
                    });
                }
            }
        }
        ["DROP", "INDEX", ..] => {
            let pattern = r"(?is)^DROP\s+INDEX\s+(CONCURRENTLY\s+)?(?:IF\s+EXISTS\s+)?(.*?)\s*(?:\bCASCADE\b|\bRESTRICT\b|$)";
            if let Some(c) = regex(&DROP_INDEX, pattern).and_then(|r| r.captures(sql)) {
                if let Some(list) = c.get(2) {
                    let mut offset = list.start();
                    for part in list.as_str().split(',') {
                        let trimmed = part.trim();
                        let start = offset + part.find(trimmed).unwrap_or(0);
                        if !trimmed.is_empty() {
                            out.push(Action::DropIndex {
                                name: Name::parse(trimmed),
                                concurrently: c.get(1).is_some(),
                                at: whole.start + start..whole.start + start + trimmed.len(),
                            });
                        }
                        offset += part.len() + 1;
                    }
                }
            }
        }
        ["REINDEX", ..] => out.push(Action::Reindex {
            concurrently: words_of(sql).any(|w| w.eq_ignore_ascii_case("CONCURRENTLY")),
            at: whole,
        }),
        ["VACUUM", ..] => {
            let pattern = r"(?is)^VACUUM\s+(?:FULL\b|\([^)]*\bFULL\b(?:\s+(?:TRUE|ON|1))?\s*[,)])";
            if regex(&VACUUM_FULL, pattern).is_some_and(|r| r.is_match(sql)) {
                out.push(Action::VacuumFull {
                    table: target(&TARGET, sql),
                });
            }
        }
        ["CLUSTER", ..] => out.push(Action::Cluster {
            table: target(&TARGET, sql),
        }),
        ["REFRESH", "MATERIALIZED", "VIEW", ..] => {
            if let Some(name) = target(&TARGET, sql) {
                out.push(Action::Refresh {
                    concurrently: words.get(3) == Some(&"CONCURRENTLY"),
                    name,
                });
            }
        }
        ["ALTER", "TYPE", ..] => {
            let pattern = format!(
                r"(?is)^ALTER\s+TYPE\s+{NAME}\s+ADD\s+VALUE\s+(?:IF\s+NOT\s+EXISTS\s+)?'((?:[^']|'')*)'"
            );
            if let Some(c) = regex(&ADD_VALUE, &pattern).and_then(|r| r.captures(sql)) {
                if let (Some(t), Some(v)) = (c.get(1), c.get(2)) {
                    out.push(Action::AddEnumValue {
                        type_name: t.as_str().to_string(),
                        value: v.as_str().replace("''", "'"),
                        at: at(Some(v)),
                    });
                }
            }
        }
        ["BEGIN", ..] | ["START", "TRANSACTION", ..] => {
            // Not `BEGIN TRY`, `BEGIN ATOMIC` or a block of statements.
            let pattern = r"(?is)^(?:BEGIN(?:\s+(?:WORK|TRANSACTION|TRAN|ISOLATION|READ|DEFERRABLE|NOT)\b.*)?|START\s+TRANSACTION\b.*)$";
            if regex(&BEGIN, pattern).is_some_and(|r| r.is_match(sql) && !sql.contains(';')) {
                out.push(Action::Begin { at: whole });
            }
        }
        ["COMMIT" | "ABORT", ..] | ["END"] | ["END", "WORK" | "TRANSACTION"] => {
            out.push(Action::Commit { at: whole });
        }
        _ => {}
    }
    out
}

/// The table or view a `CREATE TABLE` or `CREATE VIEW` kept as text
/// creates.
fn created_by_words(sql: &str) -> Option<Action> {
    static CREATES: OnceLock<Option<Regex>> = OnceLock::new();
    let pattern = format!(
        r"(?is)^CREATE\s+(?:OR\s+REPLACE\s+)?(?:(?:GLOBAL|LOCAL)\s+)?(?:(?:TEMP|TEMPORARY|UNLOGGED|RECURSIVE)\s+)?(TABLE|VIEW|MATERIALIZED\s+VIEW)\s+(?:IF\s+NOT\s+EXISTS\s+)?{NAME}"
    );
    let c = regex(&CREATES, &pattern)?.captures(sql)?;
    let name = Name::parse(c.get(2)?.as_str());
    Some(if c.get(1)?.as_str().eq_ignore_ascii_case("TABLE") {
        Action::CreateTable {
            table: name,
            columns: Vec::new(),
        }
    } else {
        Action::CreateView { name }
    })
}

/// The table or view a `VACUUM`, `CLUSTER` or `REFRESH` names: its last
/// word that is not an option (`CLUSTER t USING idx` names `t`).
fn target(cell: &'static OnceLock<Option<Regex>>, sql: &str) -> Option<Name> {
    let pattern = r#"(?is)^(?:VACUUM|CLUSTER|REFRESH\s+MATERIALIZED\s+VIEW)(?:\s*\([^)]*\))?((?:\s+(?:FULL|FREEZE|VERBOSE|ANALYZE|CONCURRENTLY)\b)*)\s+((?:"[^"]+"|[\w$]+)(?:\.(?:"[^"]+"|[\w$]+))?)"#;
    let c = regex(cell, pattern)?.captures(sql)?;
    let name = c.get(2)?.as_str();
    let keyword = ["USING", "WITH", "ON"]
        .iter()
        .any(|k| name.eq_ignore_ascii_case(k));
    (!keyword).then(|| Name::parse(name))
}

fn words_of(sql: &str) -> impl Iterator<Item = &str> {
    sql.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
}

/// `Some(enabled)` when the statement sets `lock_timeout`.
fn lock_timeout(sql: &str) -> Option<bool> {
    static SET: OnceLock<Option<Regex>> = OnceLock::new();
    static CONFIG: OnceLock<Option<Regex>> = OnceLock::new();
    // Both patterns start with `SE` (`SET`, `SELECT`).
    if !sql.as_bytes().get(..2)?.eq_ignore_ascii_case(b"SE") {
        return None;
    }
    let set = regex(
        &SET,
        r#"(?is)^SET\s+(?:SESSION\s+|LOCAL\s+)?"?lock_timeout"?\s*(?:=|\bTO\b)\s*(.*)$"#,
    )?;
    let config = regex(
        &CONFIG,
        r"(?is)^SELECT\s+(?:pg_catalog\.)?set_config\s*\(\s*'lock_timeout'\s*,\s*('[^']*'|\S+?)\s*,",
    )?;
    let value = set
        .captures(sql)
        .or_else(|| config.captures(sql))?
        .get(1)?
        .as_str()
        .trim()
        .trim_matches('\'')
        .to_ascii_lowercase();
    let digits: String = value.chars().take_while(char::is_ascii_digit).collect();
    let disabled = value == "default"
        || value.is_empty()
        || (!digits.is_empty() && digits.trim_start_matches('0').is_empty());
    Some(!disabled)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::{parse_script, Dialect};

    fn actions_of(sql: &str) -> Vec<String> {
        let script = parse_script(sql, 0, Dialect::Postgres, &[]);
        script
            .statements
            .iter()
            .flat_map(|s| effects(s, sql).actions)
            .map(|a| {
                let text = format!("{a:?}");
                text.split([' ', '{', '(']).next().unwrap_or("").to_string()
            })
            .collect()
    }

    #[test]
    fn statements_kept_as_text_are_recognised_by_their_leading_words() {
        let sql = "DROP INDEX CONCURRENTLY IF EXISTS idx_a, public.idx_b;\n\
                   CLUSTER VERBOSE orders USING idx_orders_placed_at;\n\
                   VACUUM (FULL, ANALYZE) orders;\n\
                   VACUUM (ANALYZE) orders;\n\
                   REFRESH MATERIALIZED VIEW CONCURRENTLY sales_by_day;\n\
                   REINDEX TABLE CONCURRENTLY orders;\n\
                   CREATE INDEX idx_p ON ONLY events (created_at);\n\
                   SET lock_timeout TO '3s';\n\
                   SET statement_timeout = 0;";
        assert_eq!(
            actions_of(sql),
            vec![
                "DropIndex",
                "DropIndex",
                "Cluster",
                "VacuumFull",
                "Refresh",
                "Reindex",
                "CreateIndex",
                "SetLockTimeout"
            ]
        );
    }

    #[test]
    fn drop_index_concurrently_names_each_index_at_its_span() {
        let sql = "DROP INDEX CONCURRENTLY IF EXISTS idx_a, \"Idx_B\" CASCADE";
        let script = parse_script(sql, 0, Dialect::Postgres, &[]);
        let found: Vec<(String, bool, &str)> = effects(&script.statements[0], sql)
            .actions
            .into_iter()
            .filter_map(|a| match a {
                Action::DropIndex {
                    name,
                    concurrently,
                    at,
                } => Some((name.shown, concurrently, &sql[at])),
                _ => None,
            })
            .collect();
        assert_eq!(
            found,
            vec![
                ("idx_a".to_string(), true, "idx_a"),
                ("\"Idx_B\"".to_string(), true, "\"Idx_B\"")
            ]
        );
    }

    #[test]
    fn lock_timeout_zero_or_default_sets_no_timeout() {
        assert_eq!(lock_timeout("SET lock_timeout = '5s'"), Some(true));
        assert_eq!(lock_timeout("SET LOCAL lock_timeout TO 2000"), Some(true));
        assert_eq!(lock_timeout("SET lock_timeout = 0"), Some(false));
        assert_eq!(lock_timeout("SET lock_timeout TO DEFAULT"), Some(false));
        assert_eq!(
            lock_timeout("SELECT set_config('lock_timeout', '4s', true)"),
            Some(true)
        );
        assert_eq!(lock_timeout("SET statement_timeout = '5s'"), None);
    }

    #[test]
    fn names_compare_as_postgres_folds_them() {
        assert!(Name::parse("Orders").same(&Name::parse("public.orders")));
        assert!(!Name::parse("\"Orders\"").same(&Name::parse("orders")));
        assert!(!Name::parse("audit.orders").same(&Name::parse("public.orders")));
    }
}
