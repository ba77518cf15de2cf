//! The Catalog: a schema model built by replaying parsed statements in
//! order. Owns what a statement does to the schema (CREATE, ALTER, DROP,
//! RENAME, COMMENT), identifier folding and name resolution per dialect,
//! the names a dialect gives unnamed constraints, and the comparison of two
//! catalogs in a reviewer's words. Must not know Plans, layouts or rules:
//! callers hand it statements and decide what the results mean.
//!
//! A statement it cannot model (a `DO` block, dynamic SQL, a statement the
//! parser keeps as text) marks the names in its text as uncertain; lookups
//! and comparisons skip uncertain objects, so the rules built on it stay
//! silent where the model could be wrong.

mod apply;
mod diff;
mod text;
pub mod types;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::ops::Range;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::{Dialect, Statement};

pub use diff::{diff, Difference};

/// A schema-qualified name, folded as the dialect folds identifiers.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct QName {
    /// The schema (`public`, a MySQL database, SQLite's `main`).
    pub schema: String,
    /// The object's name.
    pub name: String,
}

/// A column of a table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Column {
    /// Its name.
    pub name: String,
    /// Its type, normalised (`integer`, `character varying(20)`).
    pub data_type: String,
    /// `NOT NULL` (or part of the primary key).
    pub not_null: bool,
    /// Its default expression, normalised.
    pub default: Option<String>,
    /// `GENERATED ... AS IDENTITY`, `serial`, `AUTO_INCREMENT`.
    pub identity: Option<String>,
    /// `COLLATE`.
    pub collation: Option<String>,
    /// `GENERATED ALWAYS AS (expr) STORED`.
    pub generated: Option<String>,
}

/// What a table constraint enforces.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ConstraintKind {
    /// `PRIMARY KEY (columns)`.
    PrimaryKey(Vec<String>),
    /// `UNIQUE (columns)`.
    Unique(Vec<String>),
    /// `CHECK (expr)`, normalised.
    Check(String),
    /// `FOREIGN KEY (columns) REFERENCES table (columns)`.
    ForeignKey {
        /// The referencing columns.
        columns: Vec<String>,
        /// The referenced table.
        table: QName,
        /// The referenced columns (empty: its primary key).
        referred: Vec<String>,
        /// `ON DELETE` action, upper case.
        on_delete: Option<String>,
    },
    /// `EXCLUDE USING ...` and other constraints modelled by name only.
    Other,
}

/// A named table constraint (named as written or as the dialect names it).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Constraint {
    /// Its name.
    pub name: String,
    /// What it enforces.
    pub kind: ConstraintKind,
}

/// An index.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Index {
    /// Its name.
    pub name: String,
    /// Columns or expressions, normalised.
    pub columns: Vec<String>,
    /// `UNIQUE`.
    pub unique: bool,
    /// `WHERE` predicate of a partial index, normalised.
    pub predicate: Option<String>,
    /// `USING method` (`btree` when not said).
    pub method: String,
}

/// A trigger.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trigger {
    /// Its name.
    pub name: String,
    /// The function it runs (lower case, as written).
    pub function: String,
}

/// A table and what hangs off it.
#[derive(Clone, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Table {
    /// Its name as written (folded).
    pub name: String,
    /// Columns in order.
    pub columns: Vec<Column>,
    /// Named constraints.
    pub constraints: Vec<Constraint>,
    /// Indexes by name.
    pub indexes: BTreeMap<String, Index>,
    /// Triggers by name.
    pub triggers: BTreeMap<String, Trigger>,
    /// Its columns are not all known (`CREATE TABLE ... AS SELECT`,
    /// `LIKE`): column lookups are not trusted.
    pub partial: bool,
    /// The partitioned table it is a partition of: dropped with it.
    pub partition_of: Option<QName>,
}

impl Table {
    /// A column by name.
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    fn column_mut(&mut self, name: &str) -> Option<&mut Column> {
        self.columns.iter_mut().find(|c| c.name == name)
    }
}

/// A view or materialized view.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct View {
    /// Materialized.
    pub materialized: bool,
    /// Its query, normalised.
    pub query: String,
    /// The tables and views it reads.
    pub reads: Vec<QName>,
}

/// A user-defined type.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TypeDef {
    /// `AS ENUM (labels)`.
    Enum(Vec<String>),
    /// `AS (attributes)`: names and types.
    Composite(Vec<(String, String)>),
    /// A domain over a type.
    Domain(String),
    /// A range or base type.
    Other,
}

/// The partitions of each partitioned table.
type Children<'a> = HashMap<&'a QName, Vec<&'a QName>>;

/// A function, procedure or aggregate, keyed by name and argument types.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "StoredRoutine")]
pub struct Routine {
    /// Its name.
    pub name: QName,
    /// Input argument types, normalised, comma-separated.
    pub signature: String,
    /// `function` or `procedure`.
    #[serde(skip_deserializing)]
    pub kind: &'static str,
}

/// A sequence.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sequence {
    /// The column that owns it (`serial`, `OWNED BY`).
    pub owned_by: Option<(QName, String)>,
}

/// Names that a statement the Catalog could not model may have touched.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Uncertain {
    /// Lower-case words of those statements' text (identifiers, and words
    /// inside strings, for dynamic SQL). An object is uncertain when its
    /// name is one of them, starts with one followed by `_`, or starts with
    /// one that ends in `_` (partitions named from a prefix).
    words: HashSet<String>,
    prefixes: Vec<String>,
}

impl Uncertain {
    /// Whether an object of this (unqualified) name may have been touched.
    pub fn covers(&self, name: &str) -> bool {
        if self.words.is_empty() {
            return false;
        }
        let lower = name.to_lowercase();
        // `events_p2024_01` is uncertain when `events` is: partitions and
        // shadow tables are named after the table a function call names.
        let by_segment = lower
            .match_indices('_')
            .any(|(i, _)| i > 0 && self.words.contains(&lower[..i]));
        self.words.contains(&lower)
            || by_segment
            || self.prefixes.iter().any(|p| lower.starts_with(p.as_str()))
    }

    fn add(&mut self, word: &str) {
        let lower = word.to_lowercase();
        if lower.len() > 2 && lower.ends_with('_') && !self.words.contains(&lower) {
            self.prefixes.push(lower.clone());
        }
        self.words.insert(lower);
    }

    /// Whether nothing is uncertain.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// What became uncertain since `earlier` (a copy of this set taken
    /// before some statements ran).
    pub fn since(&self, earlier: &Uncertain) -> Uncertain {
        Uncertain {
            words: self.words.difference(&earlier.words).cloned().collect(),
            prefixes: self
                .prefixes
                .iter()
                .filter(|p| !earlier.prefixes.contains(p))
                .cloned()
                .collect(),
        }
    }
}

/// The kind of object a statement refers to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// A table (or anything a FROM reads: a view is accepted too).
    Table,
    /// A column of a table.
    Column,
    /// A view or materialized view.
    View,
    /// An index.
    Index,
    /// A user-defined type.
    Type,
    /// A function or procedure.
    Function,
    /// A sequence.
    Sequence,
    /// A schema.
    Schema,
    /// A trigger.
    Trigger,
    /// A constraint.
    Constraint,
}

impl Kind {
    /// The word for it in messages.
    pub fn word(self) -> &'static str {
        match self {
            Kind::Table => "table",
            Kind::Column => "column",
            Kind::View => "view",
            Kind::Index => "index",
            Kind::Type => "type",
            Kind::Function => "function",
            Kind::Sequence => "sequence",
            Kind::Schema => "schema",
            Kind::Trigger => "trigger",
            Kind::Constraint => "constraint",
        }
    }
}

/// An object a statement uses that the Catalog does not hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Missing {
    /// What kind of object.
    pub kind: Kind,
    /// Its name as a reviewer reads it (`users.nickname`).
    pub name: String,
    /// The key `Applied::created` uses for it.
    pub key: String,
    /// Where the statement names it (bytes in the file).
    pub at: Range<usize>,
    /// How the statement uses it ("altered", "referenced by a foreign key").
    pub how: &'static str,
}

/// What an up statement destroys that no down can bring back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Loss {
    /// The key of the object whose data is lost (as in `Applied::created`).
    pub key: String,
    /// What is lost, in words ("drops table audit_log and its rows").
    pub what: String,
    /// Where (bytes in the file).
    pub at: Range<usize>,
    /// The keys of the columns an UPDATE overwrites: none of their data is
    /// lost when the same migration added them all.
    pub overwrites: Vec<String>,
}

/// What applying one statement did.
#[derive(Clone, Debug, Default)]
pub struct Applied {
    /// Objects it uses that do not exist (and are not uncertain).
    pub missing: Vec<Missing>,
    /// Keys of objects it created (`table:public.users`).
    pub created: Vec<String>,
    /// Data it destroys.
    pub losses: Vec<Loss>,
    /// It is a schema change (DDL), modelled or not.
    pub ddl: bool,
    /// It was not modelled: the names in its text are now uncertain.
    pub uncertain: bool,
    /// `INSERT INTO x SELECT ... FROM y`: the keys of x and of each y.
    pub copies: Vec<(String, String)>,
    /// Tables it dropped, by key, with the names of their columns.
    pub dropped_columns: Vec<(String, Vec<String>)>,
}

/// The schema model.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Catalog {
    /// The dialect its statements are in.
    pub dialect: Dialect,
    search_path: Vec<String>,
    /// `"$user"` is on the search path (PostgreSQL's default is `"$user",
    /// public`): the schema named after the role that runs the migrations,
    /// which no migration says.
    #[serde(default)]
    user_on_path: bool,
    /// Schemas.
    pub schemas: BTreeSet<String>,
    /// Tables.
    pub tables: BTreeMap<QName, Arc<Table>>,
    /// Views and materialized views.
    pub views: BTreeMap<QName, Arc<View>>,
    /// Which table each index belongs to, where index names are
    /// schema-wide (PostgreSQL, SQLite).
    index_tables: BTreeMap<QName, QName>,
    /// Sequences.
    pub sequences: BTreeMap<QName, Sequence>,
    /// User-defined types and domains.
    pub types: BTreeMap<QName, TypeDef>,
    /// Extensions.
    pub extensions: BTreeSet<String>,
    /// Functions and procedures.
    pub routines: BTreeSet<Routine>,
    /// Comments, by object (`column users.email`).
    pub comments: BTreeMap<String, String>,
    /// Names that statements it could not model may have touched.
    pub uncertain: Uncertain,
    /// A statement ran code the Catalog cannot read (psql `\i`), or a
    /// migration required another project's (sqitch `project:change`):
    /// every object may have changed.
    pub opaque_history: bool,
    /// Some table was ever created as a partition of another: comparisons
    /// then look partitions up (most schemas have none).
    pub has_partitions: bool,
}

impl Catalog {
    /// An empty database of the dialect.
    pub fn new(dialect: Dialect) -> Catalog {
        let default = default_schema(dialect).to_string();
        Catalog {
            dialect,
            search_path: vec![default.clone()],
            user_on_path: dialect == Dialect::Postgres,
            schemas: BTreeSet::from([default]),
            tables: BTreeMap::new(),
            views: BTreeMap::new(),
            index_tables: BTreeMap::new(),
            sequences: BTreeMap::new(),
            types: BTreeMap::new(),
            extensions: BTreeSet::new(),
            routines: BTreeSet::new(),
            comments: BTreeMap::new(),
            uncertain: Uncertain::default(),
            opaque_history: false,
            has_partitions: false,
        }
    }

    /// Applies one statement of a file whose text is `file_text`.
    pub fn apply(&mut self, statement: &Statement, file_text: &str) -> Applied {
        let mut applied = Applied::default();
        let sql = file_text.get(statement.span.clone()).unwrap_or("");
        match &statement.parsed {
            super::Parsed::Ast(tree) => {
                let mut cx = apply::Cx {
                    catalog: self,
                    statement,
                    file_text,
                    out: &mut applied,
                };
                if !cx.statement(tree) {
                    text::apply(self, sql, statement.span.start, &mut applied);
                }
            }
            super::Parsed::Opaque | super::Parsed::Error { .. } => {
                text::apply(self, sql, statement.span.start, &mut applied);
            }
            super::Parsed::Meta => {
                let word = sql.trim_start();
                if word.starts_with("\\i")
                    || word.starts_with("\\ir")
                    || word.starts_with("\\include")
                {
                    self.opaque_history = true;
                    applied.uncertain = true;
                }
            }
        }
        applied
    }

    /// The part of the Catalog that statements with these texts can touch:
    /// the tables, views, types, sequences and routines they name (and the
    /// table of each index they name), with the search path, schemas and
    /// extensions; nothing uncertain. Comparing two such parts costs what
    /// the statements name, not the size of the schema.
    /// The words are collected once (`Words::of`): a replay restricts to
    /// the same texts before and after a script.
    pub fn restricted(&self, words: &Words) -> Catalog {
        let words = &words.0;
        let mut out = Catalog {
            dialect: self.dialect,
            search_path: self.search_path.clone(),
            user_on_path: self.user_on_path,
            schemas: self.schemas.clone(),
            tables: BTreeMap::new(),
            views: BTreeMap::new(),
            index_tables: BTreeMap::new(),
            sequences: BTreeMap::new(),
            types: BTreeMap::new(),
            extensions: self.extensions.clone(),
            routines: BTreeSet::new(),
            comments: BTreeMap::new(),
            uncertain: Uncertain::default(),
            opaque_history: false,
            has_partitions: self.has_partitions,
        };
        let schemas: BTreeSet<&String> = self.schemas.iter().chain(&self.search_path).collect();
        // Partitions go with their partitioned table: found in one pass.
        let mut children = Children::new();
        if self.has_partitions {
            for (k, t) in &self.tables {
                if let Some(parent) = &t.partition_of {
                    children.entry(parent).or_default().push(k);
                }
            }
        }
        // One probe, refilled for each lookup; its name is the object's.
        let mut probe = Routine {
            name: QName {
                schema: String::new(),
                name: String::new(),
            },
            signature: String::new(),
            kind: "",
        };
        for w in words {
            for schema in &schemas {
                let q = &mut probe.name;
                q.schema.clear();
                q.schema.push_str(schema);
                q.name.clear();
                q.name.push_str(w);
                let q = &probe.name;
                let table = if self.tables.contains_key(q) {
                    Some(q.clone())
                } else {
                    self.index_tables.get(q).cloned()
                };
                if let Some(t) = table {
                    out.take_table(self, &t, &children);
                }
                if let Some(v) = self.views.get(q) {
                    out.views.insert(q.clone(), v.clone());
                    for (i, t) in &self.index_tables {
                        if t == q {
                            out.index_tables.insert(i.clone(), q.clone());
                        }
                    }
                }
                if let Some(t) = self.types.get(q) {
                    out.types.insert(q.clone(), t.clone());
                }
                if let Some(sq) = self.sequences.get(q) {
                    out.sequences.insert(q.clone(), sq.clone());
                }
                let from = (
                    std::ops::Bound::Included(&probe),
                    std::ops::Bound::Unbounded,
                );
                for r in self.routines.range(from).take_while(|r| r.name == *q) {
                    out.routines.insert(r.clone());
                }
            }
        }
        out
    }

    fn take_table(&mut self, from: &Catalog, name: &QName, children: &Children) {
        let Some(t) = from.tables.get(name) else {
            return;
        };
        for k in children.get(name).into_iter().flatten() {
            if !self.tables.contains_key(*k) {
                self.take_table(from, k, children);
            }
        }
        if self.dialect != Dialect::Mysql {
            for index in t.indexes.keys() {
                self.index_tables.insert(
                    QName {
                        schema: name.schema.clone(),
                        name: index.clone(),
                    },
                    name.clone(),
                );
            }
        }
        self.tables.insert(name.clone(), t.clone());
    }

    /// Drops a trigger by name from whichever table has it (MySQL's
    /// `DROP TRIGGER name`, without `ON table`).
    fn drop_trigger_anywhere(&mut self, name: &str) {
        for t in self.tables.values_mut() {
            if t.triggers.contains_key(name) {
                Arc::make_mut(t).triggers.remove(name);
            }
        }
    }

    /// Marks the words of a statement's text as uncertain, as for a
    /// statement the Catalog could not model.
    pub fn mark_uncertain_text(&mut self, sql: &str) {
        let toks = text::tokens(sql);
        text::uncertain(self, &toks, &mut Applied::default());
    }

    /// The names this dialect gives the default schema.
    pub fn default_schema(&self) -> &str {
        default_schema(self.dialect)
    }

    /// How a reviewer reads a qualified name: without the default schema.
    pub fn show(&self, name: &QName) -> String {
        if name.schema == self.default_schema() || name.schema.is_empty() {
            name.name.clone()
        } else {
            format!("{}.{}", name.schema, name.name)
        }
    }

    /// Whether an object of this name may have been touched by a statement
    /// the Catalog could not model.
    pub fn is_uncertain(&self, name: &QName) -> bool {
        self.opaque_history || self.uncertain.covers(&name.name)
    }

    /// The table an index belongs to.
    pub fn index_table(&self, index: &QName) -> Option<&QName> {
        self.index_tables.get(index)
    }

    /// A table by name.
    pub fn table(&self, name: &QName) -> Option<&Table> {
        self.tables.get(name).map(|t| &**t)
    }

    /// Folds an identifier as the dialect does: PostgreSQL lower-cases
    /// unquoted names; MySQL and SQLite compare names case-insensitively.
    fn fold(&self, value: &str, quoted: bool) -> String {
        match self.dialect {
            Dialect::Postgres | Dialect::Generic if quoted => value.to_string(),
            _ => value.to_lowercase(),
        }
    }

    /// Resolves a name for creating an object: the first schema on the
    /// search path unless qualified.
    fn qualify(&self, parts: &[String]) -> QName {
        match parts {
            [.., schema, name] => QName {
                schema: schema.clone(),
                name: name.clone(),
            },
            [name] => QName {
                schema: self.search_path.first().cloned().unwrap_or_default(),
                name: name.clone(),
            },
            [] => QName {
                schema: String::new(),
                name: String::new(),
            },
        }
    }

    /// Resolves a name for an existing object: the first schema on the
    /// search path that has it (`exists`), else as for creating.
    fn resolve(&self, parts: &[String], exists: &dyn Fn(&QName) -> bool) -> QName {
        if let [name] = parts {
            for schema in &self.search_path {
                let q = QName {
                    schema: schema.clone(),
                    name: name.clone(),
                };
                if exists(&q) {
                    return q;
                }
            }
            // The `"$user"` schema may be any schema: a name that only one
            // schema off the path has is that one (Flyway projects create
            // `app.orders` in V1 and write `orders` afterwards, running as
            // the role `app`).
            if self.user_on_path {
                let mut found = self
                    .schemas
                    .iter()
                    .filter(|s| !self.search_path.contains(s))
                    .map(|schema| QName {
                        schema: schema.clone(),
                        name: name.clone(),
                    })
                    .filter(|q| exists(q));
                if let (Some(q), None) = (found.next(), found.next()) {
                    return q;
                }
            }
        }
        self.qualify(parts)
    }

    fn resolve_table(&self, parts: &[String]) -> QName {
        self.resolve(parts, &|q| {
            self.tables.contains_key(q) || self.views.contains_key(q)
        })
    }

    fn resolve_type(&self, parts: &[String]) -> QName {
        self.resolve(parts, &|q| self.types.contains_key(q))
    }

    fn resolve_index(&self, parts: &[String]) -> QName {
        self.resolve(parts, &|q| self.index_tables.contains_key(q))
    }

    fn resolve_sequence(&self, parts: &[String]) -> QName {
        self.resolve(parts, &|q| self.sequences.contains_key(q))
    }

    fn resolve_routine(&self, parts: &[String]) -> QName {
        self.resolve(parts, &|q| self.has_routine(q))
    }

    /// Whether a routine of this name exists, whatever its signature: the
    /// set is ordered by name first, so this is one range lookup.
    pub(crate) fn has_routine(&self, name: &QName) -> bool {
        let first = Routine {
            name: name.clone(),
            signature: String::new(),
            kind: "",
        };
        self.routines
            .range(first..)
            .next()
            .is_some_and(|r| r.name == *name)
    }

    /// Records that statements not modelled may have touched these words.
    fn mark_uncertain<'w>(&mut self, words: impl IntoIterator<Item = &'w str>) {
        for w in words {
            self.uncertain.add(w);
        }
    }

    /// Registers a created object's key.
    /// The names of the columns of the table whose key is `key`.
    pub fn columns_of(&self, key: &str) -> Option<Vec<&str>> {
        self.tables
            .iter()
            .find(|(q, _)| Self::key(Kind::Table, q) == key)
            .map(|(_, t)| t.columns.iter().map(|c| c.name.as_str()).collect())
    }

    fn key(kind: Kind, name: &QName) -> String {
        format!("{}:{}.{}", kind.word(), name.schema, name.name)
    }

    /// The key of a column.
    fn column_key(table: &QName, column: &str) -> String {
        format!("column:{}.{}.{}", table.schema, table.name, column)
    }

    fn add_table(&mut self, name: QName, table: Table) {
        for index in table.indexes.keys() {
            if self.dialect != Dialect::Mysql {
                self.index_tables.insert(
                    QName {
                        schema: name.schema.clone(),
                        name: index.clone(),
                    },
                    name.clone(),
                );
            }
        }
        self.tables.insert(name, Arc::new(table));
    }

    fn drop_table(&mut self, name: &QName, cascade: bool) {
        let Some(table) = self.tables.remove(name) else {
            return;
        };
        let partitions: Vec<QName> = self
            .tables
            .iter()
            .filter(|(_, t)| t.partition_of.as_ref() == Some(name))
            .map(|(k, _)| k.clone())
            .collect();
        for p in partitions {
            self.drop_table(&p, cascade);
        }
        for index in table.indexes.keys() {
            self.index_tables.remove(&QName {
                schema: name.schema.clone(),
                name: index.clone(),
            });
        }
        self.sequences
            .retain(|_, s| s.owned_by.as_ref().is_none_or(|(t, _)| t != name));
        let show = self.show(name);
        self.comments.retain(|k, _| {
            !(k == &format!("table {show}") || k.starts_with(&format!("column {show}.")))
        });
        if cascade {
            self.drop_dependents(name);
        }
    }

    /// Drops what `CASCADE` takes with an object: views over it, foreign
    /// keys to it.
    fn drop_dependents(&mut self, name: &QName) {
        let views: Vec<QName> = self
            .views
            .iter()
            .filter(|(_, v)| v.reads.contains(name))
            .map(|(k, _)| k.clone())
            .collect();
        for v in views {
            self.views.remove(&v);
            self.drop_dependents(&v);
        }
        for table in self.tables.values_mut() {
            let refers = table.constraints.iter().any(
                |c| matches!(&c.kind, ConstraintKind::ForeignKey { table, .. } if table == name),
            );
            if refers {
                Arc::make_mut(table).constraints.retain(
                    |c| !matches!(&c.kind, ConstraintKind::ForeignKey { table, .. } if table == name),
                );
            }
        }
    }

    fn rename_table(&mut self, from: &QName, to: QName) {
        let Some(mut table) = self.tables.remove(from) else {
            return;
        };
        Arc::make_mut(&mut table).name = to.name.clone();
        for index in table.indexes.keys() {
            let key = QName {
                schema: from.schema.clone(),
                name: index.clone(),
            };
            if self.index_tables.contains_key(&key) {
                self.index_tables.insert(key, to.clone());
            }
        }
        self.tables.insert(to.clone(), table);
        for t in self.tables.values_mut() {
            if t.partition_of.as_ref() == Some(from) {
                Arc::make_mut(t).partition_of = Some(to.clone());
            }
            let refers = t.constraints.iter().any(
                |c| matches!(&c.kind, ConstraintKind::ForeignKey { table, .. } if table == from),
            );
            if refers {
                for c in &mut Arc::make_mut(t).constraints {
                    if let ConstraintKind::ForeignKey { table, .. } = &mut c.kind {
                        if table == from {
                            *table = to.clone();
                        }
                    }
                }
            }
        }
        for v in self.views.values_mut() {
            if v.reads.contains(from) {
                for r in &mut Arc::make_mut(v).reads {
                    if r == from {
                        *r = to.clone();
                    }
                }
            }
        }
        for s in self.sequences.values_mut() {
            if let Some((t, _)) = &mut s.owned_by {
                if t == from {
                    *t = to.clone();
                }
            }
        }
    }

    /// Renames a type, and the columns of that type with it.
    fn rename_type(&mut self, from: &QName, to: String) {
        let Some(def) = self.types.remove(from) else {
            return;
        };
        let spellings = [from.name.clone(), format!("{}.{}", from.schema, from.name)];
        let new = QName {
            schema: from.schema.clone(),
            name: to,
        };
        let renamed = |t: &str| {
            let (base, array) = t.strip_suffix("[]").map_or((t, ""), |b| (b, "[]"));
            spellings
                .iter()
                .any(|s| s == base)
                .then(|| format!("{}{array}", new.name))
        };
        for t in self.tables.values_mut() {
            if t.columns.iter().any(|c| renamed(&c.data_type).is_some()) {
                for c in &mut Arc::make_mut(t).columns {
                    if let Some(n) = renamed(&c.data_type) {
                        c.data_type = n;
                    }
                }
            }
        }
        self.types.insert(new, def);
    }

    /// `ALTER INDEX x_pkey RENAME TO y`: the index of a primary key or
    /// unique constraint is renamed with its constraint. False when no
    /// constraint of the schema has that name.
    fn rename_constraint_index(&mut self, index: &QName, new: &str) -> bool {
        for (name, t) in self.tables.iter_mut() {
            if name.schema != index.schema {
                continue;
            }
            let owns = t.constraints.iter().any(|c| {
                c.name == index.name
                    && matches!(
                        c.kind,
                        ConstraintKind::PrimaryKey(_) | ConstraintKind::Unique(_)
                    )
            });
            if owns {
                for c in &mut Arc::make_mut(t).constraints {
                    if c.name == index.name {
                        c.name = new.to_string();
                    }
                }
                return true;
            }
        }
        false
    }

    fn add_index(&mut self, table: &QName, index: Index) {
        if self.dialect != Dialect::Mysql {
            self.index_tables.insert(
                QName {
                    schema: table.schema.clone(),
                    name: index.name.clone(),
                },
                table.clone(),
            );
        }
        if let Some(t) = self.tables.get_mut(table) {
            Arc::make_mut(t).indexes.insert(index.name.clone(), index);
        }
    }

    fn drop_index(&mut self, index: &QName) -> bool {
        let Some(table) = self.index_tables.remove(index) else {
            return false;
        };
        if let Some(t) = self.tables.get_mut(&table) {
            Arc::make_mut(t).indexes.remove(&index.name);
        }
        true
    }

    /// Drops a column and what depends on it: indexes and constraints on it.
    fn drop_column(&mut self, table: &QName, column: &str) {
        let schema = table.schema.clone();
        let mut gone = Vec::new();
        if let Some(t) = self.tables.get_mut(table) {
            let t = Arc::make_mut(t);
            t.columns.retain(|c| c.name != column);
            t.constraints.retain(|c| match &c.kind {
                ConstraintKind::PrimaryKey(cols) | ConstraintKind::Unique(cols) => {
                    !cols.iter().any(|c| c == column)
                }
                ConstraintKind::ForeignKey { columns, .. } => !columns.iter().any(|c| c == column),
                ConstraintKind::Check(expr) => !mentions(expr, column),
                ConstraintKind::Other => true,
            });
            t.indexes.retain(|name, i| {
                let keep = !i.columns.iter().any(|c| c == column || mentions(c, column));
                if !keep {
                    gone.push(name.clone());
                }
                keep
            });
        }
        for name in gone {
            self.index_tables.remove(&QName {
                schema: schema.clone(),
                name,
            });
        }
        self.sequences.retain(|_, s| {
            s.owned_by
                .as_ref()
                .is_none_or(|(t, c)| !(t == table && c == column))
        });
        let show = self.show(table);
        self.comments.remove(&format!("column {show}.{column}"));
    }

    fn rename_column(&mut self, table: &QName, from: &str, to: &str) {
        if let Some(t) = self.tables.get_mut(table) {
            let t = Arc::make_mut(t);
            if let Some(c) = t.column_mut(from) {
                c.name = to.to_string();
            }
            let swap = |cols: &mut Vec<String>| {
                for c in cols {
                    if c == from {
                        *c = to.to_string();
                    }
                }
            };
            for c in &mut t.constraints {
                match &mut c.kind {
                    ConstraintKind::PrimaryKey(cols) | ConstraintKind::Unique(cols) => swap(cols),
                    ConstraintKind::ForeignKey { columns, .. } => swap(columns),
                    _ => {}
                }
            }
            for i in t.indexes.values_mut() {
                swap(&mut i.columns);
            }
        }
        for t in self.tables.values_mut() {
            let refers = t.constraints.iter().any(|c| {
                matches!(&c.kind, ConstraintKind::ForeignKey { table: r, referred, .. } if r == table && referred.iter().any(|x| x == from))
            });
            if refers {
                for c in &mut Arc::make_mut(t).constraints {
                    if let ConstraintKind::ForeignKey {
                        table: r, referred, ..
                    } = &mut c.kind
                    {
                        if r == table {
                            for x in referred {
                                if x == from {
                                    *x = to.to_string();
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// SQL text in lower case outside string literals and quoted identifiers:
/// `DEFAULT 'Active'` and `DEFAULT 'active'` are different defaults, and a
/// message shows the literal as it was written.
fn fold_case(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut quote: Option<char> = None;
    for c in text.chars() {
        match quote {
            Some(q) => {
                out.push(c);
                if c == q {
                    quote = None;
                }
            }
            None => {
                if c == '\'' || c == '"' || c == '`' {
                    quote = Some(c);
                }
                out.extend(c.to_lowercase());
            }
        }
    }
    out
}

/// Whether a normalised expression mentions a column name as a word.
fn mentions(expr: &str, column: &str) -> bool {
    expr.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$'))
        .any(|w| w.eq_ignore_ascii_case(column))
}

fn default_schema(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Postgres | Dialect::Generic => "public",
        Dialect::Mssql => "dbo",
        Dialect::Sqlite => "main",
        Dialect::Mysql => "",
    }
}

/// The name PostgreSQL gives an object it names itself (`makeObjectName`):
/// `name1_name2_label`, with the longer of name1 and name2 shortened until
/// the whole fits in 63 bytes. Other dialects join the parts.
fn object_name(name1: &str, name2: &str, label: &str, dialect: Dialect) -> String {
    let join = |a: &str, b: &str| {
        if b.is_empty() {
            format!("{a}_{label}")
        } else {
            format!("{a}_{b}_{label}")
        }
    };
    if dialect != Dialect::Postgres {
        return join(name1, name2);
    }
    let overhead = label.len() + 1 + if name2.is_empty() { 0 } else { 1 };
    let avail = 63usize.saturating_sub(overhead);
    let (mut n1, mut n2) = (name1.len(), name2.len());
    while n1 + n2 > avail {
        if n1 > n2 {
            n1 -= 1;
        } else {
            n2 -= 1;
        }
    }
    let clip = |s: &str, mut n: usize| {
        while !s.is_char_boundary(n) {
            n -= 1;
        }
        s[..n].to_string()
    };
    join(&clip(name1, n1), &clip(name2, n2))
}

#[cfg(test)]
mod tests;

/// The words of SQL texts that can name an object: unquoted words in
/// their folded (lower-case) form, quoted ones as written and folded.
#[derive(Debug, Default)]
pub struct Words(HashSet<String>);

impl Words {
    /// The words of these texts.
    pub fn of<'t>(texts: impl IntoIterator<Item = &'t str>) -> Words {
        let mut words = HashSet::new();
        for t in texts {
            for tok in text::tokens(t) {
                match tok.kind {
                    text::TokKind::Word => {
                        words.insert(tok.text.to_lowercase());
                    }
                    text::TokKind::Quoted => {
                        words.insert(tok.text.to_string());
                        words.insert(tok.text.to_lowercase());
                    }
                    _ => {}
                }
            }
        }
        Words(words)
    }
}

/// A Routine as a cache stores it: its kind as text.
#[derive(Deserialize)]
struct StoredRoutine {
    name: QName,
    signature: String,
    kind: String,
}

impl TryFrom<StoredRoutine> for Routine {
    type Error = String;

    fn try_from(r: StoredRoutine) -> Result<Routine, String> {
        let kind = ["function", "procedure", ""]
            .into_iter()
            .find(|k| *k == r.kind)
            .ok_or_else(|| format!("unknown routine kind {:?}", r.kind))?;
        Ok(Routine {
            name: r.name,
            signature: r.signature,
            kind,
        })
    }
}
