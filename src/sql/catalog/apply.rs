//! Statements with a syntax tree: what each does to the Catalog.

use std::ops::Range;
use std::sync::Arc;

use sqlparser::ast::{
    self, AlterColumnOperation, AlterTableOperation, ColumnOption, DataType, Expr, Ident,
    ObjectName, ObjectNamePart, ObjectType, Spanned, TableConstraint,
};

use super::{
    fold_case, object_name, text, types, Applied, Catalog, Column, Constraint, ConstraintKind,
    Index, Kind, Loss, QName, Routine, Sequence, Table, Trigger, TypeDef, View,
};
use crate::sql::{Dialect, Statement};

/// One statement being applied.
pub(super) struct Cx<'a> {
    pub catalog: &'a mut Catalog,
    pub statement: &'a Statement,
    pub file_text: &'a str,
    pub out: &'a mut Applied,
}

impl Cx<'_> {
    /// The bytes in the file of a node, or the statement's.
    fn at(&self, node: &impl Spanned) -> Range<usize> {
        self.statement
            .locate(self.file_text, node.span())
            .filter(|r| !r.is_empty())
            .unwrap_or_else(|| self.statement.span.clone())
    }

    fn at_ident(&self, i: &Ident) -> Range<usize> {
        self.statement
            .locate(self.file_text, i.span)
            .filter(|r| !r.is_empty())
            .unwrap_or_else(|| self.statement.span.clone())
    }

    fn parts(&self, name: &ObjectName) -> Vec<String> {
        name.0
            .iter()
            .map(|p| match p {
                ObjectNamePart::Identifier(i) => self.ident(i),
                ObjectNamePart::Function(f) => f.name.value.to_lowercase(),
            })
            .collect()
    }

    fn ident(&self, i: &Ident) -> String {
        self.catalog.fold(&i.value, i.quote_style.is_some())
    }

    /// Applies the statement; false when the text reader should try.
    pub fn statement(&mut self, s: &ast::Statement) -> bool {
        use ast::Statement as S;
        match s {
            S::CreateTable(ct) => self.create_table(ct),
            S::AlterTable(at) => self.alter_table(at),
            S::CreateIndex(ci) => self.create_index(ci),
            S::CreateView(cv) => self.create_view(cv),
            S::Drop {
                object_type,
                if_exists,
                names,
                cascade,
                table,
                ..
            } => self.drop(*object_type, *if_exists, names, *cascade, table.as_ref()),
            S::CreateSchema {
                schema_name,
                if_not_exists: _,
                ..
            } => {
                self.out.ddl = true;
                let name = match schema_name {
                    ast::SchemaName::Simple(n) | ast::SchemaName::NamedAuthorization(n, _) => {
                        self.parts(n).pop().unwrap_or_default()
                    }
                    ast::SchemaName::UnnamedAuthorization(i) => self.ident(i),
                };
                self.catalog.schemas.insert(name);
                true
            }
            S::CreateSequence { name, .. } => {
                self.out.ddl = true;
                let name = self.catalog.qualify(&self.parts(name));
                self.out.created.push(Catalog::key(Kind::Sequence, &name));
                self.catalog
                    .sequences
                    .entry(name)
                    .or_insert(Sequence { owned_by: None });
                true
            }
            S::CreateType {
                name,
                representation,
            } => {
                self.out.ddl = true;
                let name = self.catalog.qualify(&self.parts(name));
                let def = match representation {
                    Some(ast::UserDefinedTypeRepresentation::Enum { labels }) => {
                        TypeDef::Enum(labels.iter().map(|l| l.value.clone()).collect())
                    }
                    Some(ast::UserDefinedTypeRepresentation::Composite { attributes }) => {
                        TypeDef::Composite(
                            attributes
                                .iter()
                                .map(|a| {
                                    (
                                        self.ident(&a.name),
                                        types::normalize(&a.data_type.to_string()),
                                    )
                                })
                                .collect(),
                        )
                    }
                    _ => TypeDef::Other,
                };
                self.out.created.push(Catalog::key(Kind::Type, &name));
                self.catalog.types.insert(name, def);
                true
            }
            S::CreateDomain(d) => {
                self.out.ddl = true;
                let name = self.catalog.qualify(&self.parts(&d.name));
                self.out.created.push(Catalog::key(Kind::Type, &name));
                self.catalog.types.insert(
                    name,
                    TypeDef::Domain(types::normalize(&d.data_type.to_string())),
                );
                true
            }
            S::DropDomain(d) => {
                self.out.ddl = true;
                let name = self.catalog.resolve_type(&self.parts(&d.name));
                if self.catalog.types.remove(&name).is_none() && !d.if_exists {
                    let at = self.at(&d.name);
                    self.catalog
                        .miss(self.out, Kind::Type, &name, None, at, "dropped");
                }
                true
            }
            S::CreateExtension(e) => {
                self.out.ddl = true;
                self.catalog.extensions.insert(self.ident(&e.name));
                true
            }
            S::DropExtension(e) => {
                self.out.ddl = true;
                for n in &e.names {
                    let n = self.ident(n);
                    self.catalog.extensions.remove(&n);
                }
                true
            }
            S::CreateFunction(f) => {
                let args = f.args.iter().flatten();
                self.create_routine(&f.name, args.map(|a| (&a.mode, &a.data_type)), "function");
                true
            }
            S::CreateProcedure { name, params, .. } => {
                let args = params.iter().flatten();
                self.create_routine(name, args.map(|a| (&a.mode, &a.data_type)), "procedure");
                true
            }
            S::DropFunction(d) => {
                self.out.ddl = true;
                for f in &d.func_desc {
                    self.drop_routine(f, d.if_exists);
                }
                true
            }
            S::DropProcedure {
                if_exists,
                proc_desc,
                ..
            } => {
                self.out.ddl = true;
                for f in proc_desc {
                    self.drop_routine(f, *if_exists);
                }
                true
            }
            S::CreateTrigger(t) => {
                self.out.ddl = true;
                let name = self.parts(&t.name).pop().unwrap_or_default();
                let table = self.catalog.resolve_table(&self.parts(&t.table_name));
                let mut function = String::new();
                if let Some(body) = &t.exec_body {
                    let parts = self.parts(&body.func_desc.name);
                    function = parts.join(".");
                    let fname = self.catalog.resolve_routine(&parts);
                    let known = self.catalog.has_routine(&fname);
                    if !known && self.catalog.extensions.is_empty() && !builtin_trigger(&function) {
                        let at = self.at(&body.func_desc.name);
                        self.catalog.miss(
                            self.out,
                            Kind::Function,
                            &fname,
                            None,
                            at,
                            "run by trigger",
                        );
                    }
                }
                let at = self.at(&t.table_name);
                match self.catalog.tables.get_mut(&table) {
                    Some(tb) => {
                        Arc::make_mut(tb)
                            .triggers
                            .insert(name.clone(), Trigger { name, function });
                    }
                    None if self.catalog.views.contains_key(&table) => {}
                    None => self.catalog.miss(
                        self.out,
                        Kind::Table,
                        &table,
                        None,
                        at,
                        "given a trigger",
                    ),
                }
                true
            }
            S::DropTrigger(d) => {
                self.out.ddl = true;
                let name = self.parts(&d.trigger_name).pop().unwrap_or_default();
                let Some(table_name) = &d.table_name else {
                    // MySQL names triggers per schema: `DROP TRIGGER name`.
                    self.catalog.drop_trigger_anywhere(&name);
                    return true;
                };
                let table = self.catalog.resolve_table(&self.parts(table_name));
                let at = self.at(table_name);
                match self.catalog.tables.get_mut(&table) {
                    Some(t) => {
                        let gone = Arc::make_mut(t).triggers.remove(&name).is_some();
                        if !gone && !d.if_exists && !self.catalog.uncertain.covers(&name) {
                            let q = QName {
                                schema: table.schema.clone(),
                                name,
                            };
                            let at = self.at(&d.trigger_name);
                            self.catalog
                                .miss(self.out, Kind::Trigger, &q, None, at, "dropped");
                        }
                    }
                    None if !d.if_exists => self.catalog.miss(
                        self.out,
                        Kind::Table,
                        &table,
                        None,
                        at,
                        "named by DROP TRIGGER",
                    ),
                    None => {}
                }
                true
            }
            S::RenameTable(renames) => {
                self.out.ddl = true;
                for r in renames {
                    let from = self.catalog.resolve_table(&self.parts(&r.old_name));
                    let to = self.catalog.qualify(&self.parts(&r.new_name));
                    if self.catalog.tables.contains_key(&from) {
                        self.out.created.push(Catalog::key(Kind::Table, &to));
                        self.catalog.rename_table(&from, to);
                    } else {
                        let at = self.at(&r.old_name);
                        self.catalog
                            .miss(self.out, Kind::Table, &from, None, at, "renamed");
                    }
                }
                true
            }
            S::Truncate(t) => {
                for target in &t.table_names {
                    let table = self.catalog.resolve_table(&self.parts(&target.name));
                    let at = self.at(&target.name);
                    if !self.catalog.tables.contains_key(&table) && !t.if_exists {
                        self.catalog.miss(
                            self.out,
                            Kind::Table,
                            &table,
                            None,
                            at.clone(),
                            "truncated",
                        );
                    }
                    self.out.losses.push(Loss {
                        key: Catalog::key(Kind::Table, &table),
                        what: format!("TRUNCATE empties table {}", self.catalog.show(&table)),
                        at,
                        overwrites: Vec::new(),
                    });
                }
                true
            }
            S::Insert(ins) => {
                // The copy step of a table rebuild: what is dropped after
                // it was copied first.
                if let (ast::TableObject::TableName(into), Some(source)) = (&ins.table, &ins.source)
                {
                    let into = self.catalog.resolve_table(&self.parts(into));
                    let (mut reads, mut ctes) = (Vec::new(), Vec::new());
                    let missing = self.out.missing.len();
                    self.query_reads(source, &mut reads, &mut ctes);
                    self.out.missing.truncate(missing);
                    for from in reads {
                        self.out.copies.push((
                            Catalog::key(Kind::Table, &into),
                            Catalog::key(Kind::Table, &from),
                        ));
                    }
                }
                true
            }
            S::Delete(d) => {
                if d.selection.is_none() && d.using.is_none() {
                    let from = match &d.from {
                        ast::FromTable::WithFromKeyword(t) | ast::FromTable::WithoutKeyword(t) => t,
                    };
                    for t in from {
                        if let ast::TableFactor::Table { name, .. } = &t.relation {
                            let table = self.catalog.resolve_table(&self.parts(name));
                            let at = self.at(name);
                            self.out.losses.push(Loss {
                                key: Catalog::key(Kind::Table, &table),
                                what: format!(
                                    "DELETE without WHERE removes every row of {}",
                                    self.catalog.show(&table)
                                ),
                                at,
                                overwrites: Vec::new(),
                            });
                        }
                    }
                }
                true
            }
            S::Update(u) => {
                if u.selection.is_none() && u.from.is_none() {
                    if let ast::TableFactor::Table { name, .. } = &u.table.relation {
                        let table = self.catalog.resolve_table(&self.parts(name));
                        let at = self.at(name);
                        let columns: Vec<String> = u
                            .assignments
                            .iter()
                            .map(|a| a.target.to_string().to_lowercase())
                            .collect();
                        let overwrites = u
                            .assignments
                            .iter()
                            .map(|a| match &a.target {
                                ast::AssignmentTarget::ColumnName(c) => {
                                    self.parts(c).pop().map(|c| Catalog::column_key(&table, &c))
                                }
                                ast::AssignmentTarget::Tuple(_) => None,
                            })
                            .collect::<Option<Vec<String>>>()
                            .unwrap_or_default();
                        self.out.losses.push(Loss {
                            key: Catalog::key(Kind::Table, &table),
                            what: format!(
                                "UPDATE without WHERE overwrites {} in every row of {}",
                                columns.join(", "),
                                self.catalog.show(&table)
                            ),
                            at,
                            overwrites,
                        });
                    }
                }
                true
            }
            S::AlterIndex { name, operation } => {
                self.out.ddl = true;
                let index = self.catalog.resolve_index(&self.parts(name));
                let ast::AlterIndexOperation::RenameIndex { index_name } = operation;
                let new = self.parts(index_name).pop().unwrap_or_default();
                let Some(table) = self.catalog.index_tables.remove(&index) else {
                    if self.catalog.rename_constraint_index(&index, &new) {
                        return true;
                    }
                    let at = self.at(name);
                    self.catalog
                        .miss(self.out, Kind::Index, &index, None, at, "renamed");
                    return true;
                };
                if let Some(t) = self.catalog.tables.get_mut(&table) {
                    let t = Arc::make_mut(t);
                    if let Some(mut i) = t.indexes.remove(&index.name) {
                        i.name = new.clone();
                        t.indexes.insert(new.clone(), i);
                    }
                }
                self.catalog.index_tables.insert(
                    QName {
                        schema: index.schema,
                        name: new,
                    },
                    table,
                );
                true
            }
            S::AlterType(t) => {
                self.out.ddl = true;
                let name = self.catalog.resolve_type(&self.parts(&t.name));
                let Some(def) = self.catalog.types.get_mut(&name) else {
                    let at = self.at(&t.name);
                    self.catalog
                        .miss(self.out, Kind::Type, &name, None, at, "altered");
                    return true;
                };
                match &t.operation {
                    ast::AlterTypeOperation::AddValue(add) => {
                        if let TypeDef::Enum(labels) = def {
                            let value = add.value.value.clone();
                            if !labels.contains(&value) {
                                let pos = match &add.position {
                                    Some(ast::AlterTypeAddValuePosition::Before(b)) => {
                                        labels.iter().position(|l| *l == b.value)
                                    }
                                    Some(ast::AlterTypeAddValuePosition::After(a)) => {
                                        labels.iter().position(|l| *l == a.value).map(|p| p + 1)
                                    }
                                    None => None,
                                };
                                match pos {
                                    Some(p) => labels.insert(p, value),
                                    None => labels.push(value),
                                }
                            }
                        }
                    }
                    ast::AlterTypeOperation::RenameValue(r) => {
                        if let TypeDef::Enum(labels) = def {
                            for l in labels.iter_mut() {
                                if *l == r.from.value {
                                    *l = r.to.value.clone();
                                }
                            }
                        }
                    }
                    ast::AlterTypeOperation::Rename(r) => {
                        let new = self.ident(&r.new_name);
                        self.catalog.rename_type(&name, new);
                    }
                }
                true
            }
            S::Comment { .. } => false,
            S::Set(_) => false,
            S::Query(q) => {
                // `SELECT create_partition(...)`: a function may change the
                // schema in ways no text shows.
                if query_calls_function(q) {
                    self.uncertain();
                }
                true
            }
            S::Call(_) | S::Execute { .. } => {
                self.uncertain();
                true
            }
            S::AlterView(_) | S::AlterSchema(_) | S::AlterFunction(_) => false,
            S::CreatePolicy(_)
            | S::DropPolicy(_)
            | S::AlterPolicy(_)
            | S::CreateRole(_)
            | S::AlterRole { .. }
            | S::Grant(_)
            | S::Revoke(_)
            | S::AlterDefaultPrivileges(_) => {
                self.out.ddl = true;
                true
            }
            _ => true,
        }
    }

    fn uncertain(&mut self) {
        let sql = self
            .file_text
            .get(self.statement.span.clone())
            .unwrap_or("");
        let toks = text::tokens(sql);
        text::uncertain(self.catalog, &toks, self.out);
    }

    /// Records a function or procedure, keyed by its input argument types.
    fn create_routine<'a>(
        &mut self,
        name: &ast::ObjectName,
        args: impl Iterator<Item = (&'a Option<ast::ArgMode>, &'a ast::DataType)>,
        kind: &'static str,
    ) {
        self.out.ddl = true;
        let name = self.catalog.qualify(&self.parts(name));
        let signature = args
            .filter(|(mode, _)| !matches!(mode, Some(ast::ArgMode::Out)))
            .map(|(_, data_type)| types::normalize(&data_type.to_string()))
            .collect::<Vec<_>>()
            .join(",");
        self.out.created.push(Catalog::key(Kind::Function, &name));
        self.catalog.routines.insert(Routine {
            name,
            signature,
            kind,
        });
    }

    fn drop_routine(&mut self, f: &ast::FunctionDesc, if_exists: bool) {
        let name = self.catalog.resolve_routine(&self.parts(&f.name));
        let args = f.args.as_ref().map(|args| {
            args.iter()
                .filter(|a| !matches!(a.mode, Some(ast::ArgMode::Out)))
                .map(|a| types::normalize(&a.data_type.to_string()))
                .collect::<Vec<_>>()
                .join(",")
        });
        if !text::drop_routine(self.catalog, &name, args.as_deref()) && !if_exists {
            let at = self.at(&f.name);
            self.catalog
                .miss(self.out, Kind::Function, &name, None, at, "dropped");
        }
    }

    fn column(&mut self, table: &QName, def: &ast::ColumnDef, t: &mut Table) {
        let raw = def.data_type.to_string();
        let mut column = Column {
            name: self.ident(&def.name),
            data_type: types::normalize(&raw),
            not_null: false,
            default: None,
            identity: None,
            collation: None,
            generated: None,
        };
        if self.catalog.dialect == Dialect::Postgres {
            if let Some(base) = types::serial_base(&raw) {
                column.data_type = base.to_string();
                column.not_null = true;
                column.identity = Some("serial".to_string());
                let seq = QName {
                    schema: table.schema.clone(),
                    name: object_name(&table.name, &column.name, "seq", self.catalog.dialect),
                };
                self.catalog.sequences.insert(
                    seq,
                    Sequence {
                        owned_by: Some((table.clone(), column.name.clone())),
                    },
                );
            }
        }
        let cname = column.name.clone();
        for opt in &def.options {
            let name = opt.name.as_ref().map(|n| self.ident(n));
            match &opt.option {
                ColumnOption::NotNull => column.not_null = true,
                ColumnOption::Null => column.not_null = false,
                ColumnOption::Default(e) => {
                    column.default = Some(default_expr(e, &column.data_type))
                }
                ColumnOption::Collation(c) => column.collation = Some(c.to_string().to_lowercase()),
                ColumnOption::Generated {
                    generated_as,
                    generation_expr,
                    ..
                } => match generation_expr {
                    Some(e) => column.generated = Some(expr(e)),
                    None => column.identity = Some(format!("{generated_as:?}").to_lowercase()),
                },
                ColumnOption::Identity(_) => column.identity = Some("identity".to_string()),
                ColumnOption::DialectSpecific(tokens) => {
                    let text: String = tokens.iter().map(|t| t.to_string()).collect();
                    let upper = text.to_ascii_uppercase();
                    if upper.contains("AUTO_INCREMENT") || upper.contains("AUTOINCREMENT") {
                        column.identity = Some("auto_increment".to_string());
                    }
                }
                ColumnOption::PrimaryKey(_) => {
                    column.not_null = true;
                    let name = name.unwrap_or_else(|| self.pk_name(&table.name));
                    t.constraints.push(Constraint {
                        name,
                        kind: ConstraintKind::PrimaryKey(vec![cname.clone()]),
                    });
                    if self.catalog.dialect == Dialect::Sqlite && column.data_type == "integer" {
                        column.identity = Some("rowid".to_string());
                    }
                }
                ColumnOption::Unique(_) => {
                    let name = name.unwrap_or_else(|| {
                        self.generated_name(&table.name, std::slice::from_ref(&cname), "key", t)
                    });
                    t.constraints.push(Constraint {
                        name,
                        kind: ConstraintKind::Unique(vec![cname.clone()]),
                    });
                }
                ColumnOption::ForeignKey(fk) => {
                    let target = self.reference(table, &fk.foreign_table);
                    let name = name.unwrap_or_else(|| {
                        self.fk_name(&table.name, std::slice::from_ref(&cname), t)
                    });
                    t.constraints.push(Constraint {
                        name,
                        kind: ConstraintKind::ForeignKey {
                            columns: vec![cname.clone()],
                            table: target,
                            referred: fk.referred_columns.iter().map(|c| self.ident(c)).collect(),
                            on_delete: fk.on_delete.map(|a| a.to_string()),
                        },
                    });
                }
                ColumnOption::Check(c) => {
                    let name = name.unwrap_or_else(|| {
                        self.generated_name(&table.name, std::slice::from_ref(&cname), "check", t)
                    });
                    t.constraints.push(Constraint {
                        name,
                        kind: ConstraintKind::Check(expr(&c.expr)),
                    });
                }
                _ => {}
            }
        }
        if self.catalog.dialect == Dialect::Mysql && column.identity.is_some() {
            column.not_null = true;
        }
        t.columns.push(column);
    }

    /// The table a foreign key refers to; reports it when missing.
    fn reference(&mut self, from: &QName, target: &ObjectName) -> QName {
        let name = self.catalog.resolve_table(&self.parts(target));
        if name != *from && !self.catalog.tables.contains_key(&name) {
            let at = self.at(target);
            self.catalog.miss(
                self.out,
                Kind::Table,
                &name,
                None,
                at,
                "referenced by a foreign key",
            );
        }
        name
    }

    fn pk_name(&self, table: &str) -> String {
        match self.catalog.dialect {
            Dialect::Mysql => "PRIMARY".to_string(),
            _ => object_name(table, "", "pkey", self.catalog.dialect),
        }
    }

    fn fk_name(&self, table: &str, columns: &[String], t: &Table) -> String {
        match self.catalog.dialect {
            Dialect::Mysql => {
                let n = t
                    .constraints
                    .iter()
                    .filter(|c| matches!(c.kind, ConstraintKind::ForeignKey { .. }))
                    .count();
                format!("{table}_ibfk_{}", n + 1)
            }
            _ => self.generated_name(table, columns, "fkey", t),
        }
    }

    /// PostgreSQL's name for an unnamed constraint: table, columns, suffix,
    /// with a number when taken.
    fn generated_name(&self, table: &str, columns: &[String], suffix: &str, t: &Table) -> String {
        if self.catalog.dialect == Dialect::Mysql && suffix == "key" {
            return columns.first().cloned().unwrap_or_default();
        }
        let cols = columns.join("_");
        let first = object_name(table, &cols, suffix, self.catalog.dialect);
        if !t.constraints.iter().any(|c| c.name == first) {
            return first;
        }
        (1..)
            .map(|n| object_name(table, &cols, &format!("{suffix}{n}"), self.catalog.dialect))
            .find(|n| !t.constraints.iter().any(|c| c.name == *n))
            .unwrap_or(first)
    }

    /// Adds a table constraint (or a MySQL inline index).
    fn constraint(&mut self, table: &QName, c: &TableConstraint, t: &mut Table) -> Option<String> {
        let cols = |cx: &Self, cols: &[ast::IndexColumn]| -> Vec<String> {
            cols.iter()
                .map(|c| index_column(cx, &c.column.expr))
                .collect()
        };
        let constraint = match c {
            TableConstraint::PrimaryKey(pk) => {
                let columns = cols(self, &pk.columns);
                for c in &mut t.columns {
                    if columns.contains(&c.name) {
                        c.not_null = true;
                    }
                }
                Constraint {
                    name: pk
                        .name
                        .as_ref()
                        .map_or_else(|| self.pk_name(&table.name), |n| self.ident(n)),
                    kind: ConstraintKind::PrimaryKey(columns),
                }
            }
            TableConstraint::Unique(u) => {
                let columns = cols(self, &u.columns);
                Constraint {
                    name: u.name.as_ref().or(u.index_name.as_ref()).map_or_else(
                        || self.generated_name(&table.name, &columns, "key", t),
                        |n| self.ident(n),
                    ),
                    kind: ConstraintKind::Unique(columns),
                }
            }
            TableConstraint::ForeignKey(fk) => {
                let columns: Vec<String> = fk.columns.iter().map(|c| self.ident(c)).collect();
                let target = self.reference(table, &fk.foreign_table);
                Constraint {
                    name: fk
                        .name
                        .as_ref()
                        .map_or_else(|| self.fk_name(&table.name, &columns, t), |n| self.ident(n)),
                    kind: ConstraintKind::ForeignKey {
                        columns,
                        table: target,
                        referred: fk.referred_columns.iter().map(|c| self.ident(c)).collect(),
                        on_delete: fk.on_delete.map(|a| a.to_string()),
                    },
                }
            }
            TableConstraint::Check(ch) => {
                let e = expr(&ch.expr);
                let mentioned: Vec<String> = t
                    .columns
                    .iter()
                    .filter(|c| super::mentions(&e, &c.name))
                    .map(|c| c.name.clone())
                    .collect();
                let columns = if mentioned.len() == 1 {
                    mentioned
                } else {
                    Vec::new()
                };
                Constraint {
                    name: ch.name.as_ref().map_or_else(
                        || self.generated_name(&table.name, &columns, "check", t),
                        |n| self.ident(n),
                    ),
                    kind: ConstraintKind::Check(e),
                }
            }
            TableConstraint::Index(i) => {
                let columns = cols(self, &i.columns);
                let name = i.name.as_ref().map_or_else(
                    || columns.first().cloned().unwrap_or_default(),
                    |n| self.ident(n),
                );
                let index = Index {
                    name: name.clone(),
                    columns,
                    unique: false,
                    predicate: None,
                    method: i
                        .index_type
                        .as_ref()
                        .map_or("btree".to_string(), |m| m.to_string().to_lowercase()),
                };
                self.register_index(table, &index);
                t.indexes.insert(name.clone(), index);
                return Some(name);
            }
            TableConstraint::FulltextOrSpatial(f) => {
                let columns = cols(self, &f.columns);
                let name = f.opt_index_name.as_ref().map_or_else(
                    || columns.first().cloned().unwrap_or_default(),
                    |n| self.ident(n),
                );
                let index = Index {
                    name: name.clone(),
                    columns,
                    unique: false,
                    predicate: None,
                    method: if f.fulltext { "fulltext" } else { "spatial" }.to_string(),
                };
                self.register_index(table, &index);
                t.indexes.insert(name.clone(), index);
                return Some(name);
            }
            other => {
                let name = constraint_name(other).map_or_else(
                    || self.generated_name(&table.name, &[], "excl", t),
                    |n| self.ident(n),
                );
                Constraint {
                    name,
                    kind: ConstraintKind::Other,
                }
            }
        };
        let name = constraint.name.clone();
        t.constraints.retain(|c| c.name != name);
        t.constraints.push(constraint);
        Some(name)
    }

    fn register_index(&mut self, table: &QName, index: &Index) {
        if self.catalog.dialect != Dialect::Mysql {
            self.catalog.index_tables.insert(
                QName {
                    schema: table.schema.clone(),
                    name: index.name.clone(),
                },
                table.clone(),
            );
        }
    }

    fn create_table(&mut self, ct: &ast::CreateTable) -> bool {
        self.out.ddl = true;
        let name = self.catalog.qualify(&self.parts(&ct.name));
        if ct.if_not_exists && self.catalog.tables.contains_key(&name) {
            return true;
        }
        let mut t = Table {
            name: name.name.clone(),
            ..Table::default()
        };
        if ct.query.is_some() || ct.like.is_some() || ct.clone.is_some() {
            t.partial = true;
        }
        let parents: Vec<&ObjectName> = ct
            .partition_of
            .iter()
            .chain(ct.inherits.iter().flatten())
            .collect();
        if let Some(parent) = &ct.partition_of {
            t.partition_of = Some(self.catalog.resolve_table(&self.parts(parent)));
            self.catalog.has_partitions = true;
        }
        for parent in parents {
            let p = self.catalog.resolve_table(&self.parts(parent));
            match self.catalog.tables.get(&p) {
                Some(pt) => {
                    t.partial |= pt.partial;
                    for c in &pt.columns {
                        if t.column(&c.name).is_none() {
                            t.columns.push(c.clone());
                        }
                    }
                }
                None => {
                    t.partial = true;
                    let at = self.at(parent);
                    self.catalog
                        .miss(self.out, Kind::Table, &p, None, at, "named as parent");
                }
            }
        }
        for def in &ct.columns {
            self.column(&name, def, &mut t);
        }
        for c in &ct.constraints {
            self.constraint(&name, c, &mut t);
        }
        self.out.created.push(Catalog::key(Kind::Table, &name));
        for c in &t.columns {
            self.out.created.push(Catalog::column_key(&name, &c.name));
        }
        if self.catalog.tables.contains_key(&name) {
            self.catalog.drop_table(&name, false);
        }
        self.catalog.add_table(name, t);
        true
    }

    fn alter_table(&mut self, at: &ast::AlterTable) -> bool {
        self.out.ddl = true;
        let name = self.catalog.resolve_table(&self.parts(&at.name));
        let Some(table) = self.catalog.tables.get(&name).cloned() else {
            if !at.if_exists && !self.catalog.views.contains_key(&name) {
                let loc = self.at(&at.name);
                self.catalog
                    .miss(self.out, Kind::Table, &name, None, loc, "altered");
            }
            // A view altered as a table (`ALTER TABLE v RENAME TO w` works).
            if let Some(view) = self.catalog.views.get(&name).cloned() {
                for op in &at.operations {
                    if let AlterTableOperation::RenameTable { table_name } = op {
                        let new = match table_name {
                            ast::RenameTableNameKind::As(n) | ast::RenameTableNameKind::To(n) => n,
                        };
                        let to = QName {
                            schema: name.schema.clone(),
                            name: self.parts(new).pop().unwrap_or_default(),
                        };
                        self.catalog.views.remove(&name);
                        self.catalog.views.insert(to, view.clone());
                    }
                }
            }
            return true;
        };
        let mut t = (*table).clone();
        let mut current = name.clone();
        for op in &at.operations {
            match op {
                AlterTableOperation::AddColumn {
                    if_not_exists,
                    column_def,
                    ..
                } => {
                    let cname = self.ident(&column_def.name);
                    if t.column(&cname).is_some() {
                        if !*if_not_exists {
                            t.columns.retain(|c| c.name != cname);
                        } else {
                            continue;
                        }
                    }
                    self.out.created.push(Catalog::column_key(&current, &cname));
                    self.column(&current, column_def, &mut t);
                }
                AlterTableOperation::DropColumn {
                    column_names,
                    if_exists,
                    drop_behavior,
                    ..
                } => {
                    for c in column_names {
                        let cname = self.ident(c);
                        let loc = self.at_ident(c);
                        if t.column(&cname).is_none() {
                            if !*if_exists && !t.partial {
                                self.catalog.miss(
                                    self.out,
                                    Kind::Column,
                                    &current,
                                    Some(&cname),
                                    loc,
                                    "dropped",
                                );
                            }
                            continue;
                        }
                        self.out.losses.push(Loss {
                            key: Catalog::column_key(&current, &cname),
                            what: format!(
                                "drops column {}.{cname} and its data",
                                self.catalog.show(&current)
                            ),
                            at: loc,
                            overwrites: Vec::new(),
                        });
                        self.catalog.tables.insert(current.clone(), Arc::new(t));
                        self.catalog.drop_column(&current, &cname);
                        if matches!(drop_behavior, Some(ast::DropBehavior::Cascade)) {
                            self.catalog.drop_dependents(&current);
                        }
                        t = (*self.catalog.tables[&current]).clone();
                    }
                }
                AlterTableOperation::RenameColumn {
                    old_column_name,
                    new_column_name,
                } => {
                    let from = self.ident(old_column_name);
                    let to = self.ident(new_column_name);
                    if t.column(&from).is_none() && !t.partial {
                        let loc = self.at_ident(old_column_name);
                        self.catalog.miss(
                            self.out,
                            Kind::Column,
                            &current,
                            Some(&from),
                            loc,
                            "renamed",
                        );
                        continue;
                    }
                    self.out.created.push(Catalog::column_key(&current, &to));
                    self.catalog.tables.insert(current.clone(), Arc::new(t));
                    self.catalog.rename_column(&current, &from, &to);
                    t = (*self.catalog.tables[&current]).clone();
                }
                AlterTableOperation::RenameTable { table_name } => {
                    let new = match table_name {
                        ast::RenameTableNameKind::As(n) | ast::RenameTableNameKind::To(n) => n,
                    };
                    let mut parts = self.parts(new);
                    let to = if parts.len() == 1 {
                        QName {
                            schema: current.schema.clone(),
                            name: parts.pop().unwrap_or_default(),
                        }
                    } else {
                        self.catalog.qualify(&parts)
                    };
                    t.name = to.name.clone();
                    self.catalog.tables.insert(current.clone(), Arc::new(t));
                    self.catalog.rename_table(&current, to.clone());
                    self.out.created.push(Catalog::key(Kind::Table, &to));
                    current = to;
                    t = (*self.catalog.tables[&current]).clone();
                }
                AlterTableOperation::ChangeColumn {
                    old_name,
                    new_name,
                    data_type,
                    options,
                    ..
                } => {
                    let from = self.ident(old_name);
                    self.modify(
                        &current,
                        &mut t,
                        &from,
                        Some(new_name),
                        data_type,
                        options,
                        old_name,
                    );
                }
                AlterTableOperation::ModifyColumn {
                    col_name,
                    data_type,
                    options,
                    ..
                } => {
                    let from = self.ident(col_name);
                    self.modify(&current, &mut t, &from, None, data_type, options, col_name);
                }
                AlterTableOperation::AlterColumn { column_name, op } => {
                    let cname = self.ident(column_name);
                    let loc = self.at_ident(column_name);
                    let show = format!("{}.{cname}", self.catalog.show(&current));
                    let Some(col) = t.column_mut(&cname) else {
                        if !t.partial {
                            self.catalog.miss(
                                self.out,
                                Kind::Column,
                                &current,
                                Some(&cname),
                                loc,
                                "altered",
                            );
                        }
                        continue;
                    };
                    match op {
                        AlterColumnOperation::SetNotNull => col.not_null = true,
                        AlterColumnOperation::DropNotNull => col.not_null = false,
                        AlterColumnOperation::SetDefault { value } => {
                            col.default = Some(default_expr(value, &col.data_type))
                        }
                        AlterColumnOperation::DropDefault => {
                            col.default = None;
                            if col.identity.as_deref() == Some("serial") {
                                col.identity = None;
                            }
                        }
                        AlterColumnOperation::SetDataType { data_type, .. } => {
                            let new = types::normalize(&data_type.to_string());
                            if types::narrows(&col.data_type, &new) {
                                self.out.losses.push(Loss {
                                    key: Catalog::column_key(&current, &cname),
                                    what: format!("changes column {show} from {} to {new}, which may not hold every value", col.data_type),
                                    at: loc,
                                    overwrites: Vec::new(),
                                });
                            }
                            col.data_type = new;
                        }
                        AlterColumnOperation::AddGenerated { generated_as, .. } => {
                            col.identity = Some(
                                format!("{:?}", generated_as.unwrap_or(ast::GeneratedAs::Always))
                                    .to_lowercase(),
                            );
                        }
                        _ => {}
                    }
                }
                AlterTableOperation::AddConstraint { constraint, .. } => {
                    if let Some(n) = self.constraint(&current, constraint, &mut t) {
                        let key = format!("constraint:{}.{}.{}", current.schema, current.name, n);
                        self.out.created.push(key);
                    }
                }
                AlterTableOperation::DropConstraint {
                    if_exists,
                    name: cname,
                    ..
                } => {
                    let n = self.ident(cname);
                    let before = t.constraints.len();
                    t.constraints.retain(|c| c.name != n);
                    let mut gone = before != t.constraints.len();
                    if !gone && self.catalog.dialect == Dialect::Mysql {
                        gone = t.indexes.remove(&n).is_some();
                    }
                    if !gone && !*if_exists && !t.partial && !self.catalog.uncertain.covers(&n) {
                        let loc = self.at_ident(cname);
                        let q = QName {
                            schema: current.schema.clone(),
                            name: format!("{}.{n}", current.name),
                        };
                        if !self.catalog.is_uncertain(&current) {
                            self.catalog
                                .miss(self.out, Kind::Constraint, &q, None, loc, "dropped");
                        }
                    }
                }
                AlterTableOperation::DropPrimaryKey { .. } => {
                    t.constraints
                        .retain(|c| !matches!(c.kind, ConstraintKind::PrimaryKey(_)));
                }
                AlterTableOperation::DropForeignKey { name: fk, .. } => {
                    let n = self.ident(fk);
                    t.constraints.retain(|c| c.name != n);
                }
                AlterTableOperation::DropIndex { name: idx } => {
                    let n = self.ident(idx);
                    if t.indexes.remove(&n).is_none() {
                        t.constraints.retain(|c| c.name != n);
                    }
                    self.catalog.index_tables.remove(&QName {
                        schema: current.schema.clone(),
                        name: n,
                    });
                }
                AlterTableOperation::RenameConstraint { old_name, new_name } => {
                    let from = self.ident(old_name);
                    let to = self.ident(new_name);
                    for c in &mut t.constraints {
                        if c.name == from {
                            c.name = to.clone();
                        }
                    }
                }
                _ => {}
            }
        }
        self.catalog.tables.insert(current, Arc::new(t));
        true
    }

    /// MySQL `CHANGE` / `MODIFY`: the column is redefined whole.
    #[allow(clippy::too_many_arguments)]
    fn modify(
        &mut self,
        table: &QName,
        t: &mut Table,
        from: &str,
        new_name: Option<&Ident>,
        data_type: &DataType,
        options: &[ColumnOption],
        at_node: &Ident,
    ) {
        let Some(pos) = t.columns.iter().position(|c| c.name == from) else {
            if !t.partial {
                let loc = self.at_ident(at_node);
                self.catalog
                    .miss(self.out, Kind::Column, table, Some(from), loc, "altered");
            }
            return;
        };
        let old = t.columns.remove(pos);
        let def = ast::ColumnDef {
            name: new_name.cloned().unwrap_or_else(|| at_node.clone()),
            data_type: data_type.clone(),
            options: options
                .iter()
                .map(|o| ast::ColumnOptionDef {
                    name: None,
                    option: o.clone(),
                })
                .collect(),
        };
        self.column(table, &def, t);
        if let Some(new) = t.columns.pop() {
            if types::narrows(&old.data_type, &new.data_type) {
                let loc = self.at_ident(at_node);
                self.out.losses.push(Loss {
                    key: Catalog::column_key(table, &old.name),
                    what: format!(
                        "changes column {}.{} from {} to {}, which may not hold every value",
                        self.catalog.show(table),
                        old.name,
                        old.data_type,
                        new.data_type
                    ),
                    at: loc,
                    overwrites: Vec::new(),
                });
            }
            if new.name != old.name {
                let (from, to) = (old.name.clone(), new.name.clone());
                t.columns.insert(pos, new);
                self.catalog
                    .tables
                    .insert(table.clone(), Arc::new(t.clone()));
                self.catalog.rename_column(table, &from, &to);
                *t = (*self.catalog.tables[table]).clone();
            } else {
                t.columns.insert(pos, new);
            }
        }
    }

    fn create_index(&mut self, ci: &ast::CreateIndex) -> bool {
        self.out.ddl = true;
        let table = self.catalog.resolve_table(&self.parts(&ci.table_name));
        let columns: Vec<String> = ci
            .columns
            .iter()
            .map(|c| index_column(self, &c.column.expr))
            .collect();
        if !self.catalog.tables.contains_key(&table) {
            if self.catalog.views.contains_key(&table) {
                // An index on a materialized view: known by name only.
                if let Some(n) = &ci.name {
                    let index = QName {
                        schema: table.schema.clone(),
                        name: self.parts(n).pop().unwrap_or_default(),
                    };
                    self.out.created.push(Catalog::key(Kind::Index, &index));
                    self.catalog.index_tables.insert(index, table);
                }
            } else {
                let loc = self.at(&ci.table_name);
                self.catalog
                    .miss(self.out, Kind::Table, &table, None, loc, "indexed");
            }
            return true;
        }
        let t = &self.catalog.tables[&table];
        if !t.partial {
            for (c, ic) in columns.iter().zip(&ci.columns) {
                if let Expr::Identifier(_) = &ic.column.expr {
                    if t.column(c).is_none() {
                        let loc = self.at(&ic.column.expr);
                        self.catalog
                            .miss(self.out, Kind::Column, &table, Some(c), loc, "indexed");
                    }
                }
            }
        }
        let name = match &ci.name {
            Some(n) => self.parts(n).pop().unwrap_or_default(),
            None => {
                let cols: Vec<String> = columns
                    .iter()
                    .map(|c| {
                        if c.chars().all(|ch| ch.is_alphanumeric() || ch == '_') {
                            c.clone()
                        } else {
                            "expr".to_string()
                        }
                    })
                    .collect();
                object_name(&table.name, &cols.join("_"), "idx", self.catalog.dialect)
            }
        };
        let qname = QName {
            schema: table.schema.clone(),
            name: name.clone(),
        };
        if ci.if_not_exists && self.catalog.index_tables.contains_key(&qname) {
            return true;
        }
        self.out.created.push(Catalog::key(Kind::Index, &qname));
        let index = Index {
            name,
            columns,
            unique: ci.unique,
            predicate: ci.predicate.as_ref().map(expr),
            method: ci
                .using
                .as_ref()
                .map_or("btree".to_string(), |m| m.to_string().to_lowercase()),
        };
        self.catalog.add_index(&table, index);
        true
    }

    fn create_view(&mut self, cv: &ast::CreateView) -> bool {
        self.out.ddl = true;
        let name = self.catalog.qualify(&self.parts(&cv.name));
        let mut reads = Vec::new();
        let mut ctes = Vec::new();
        self.query_reads(&cv.query, &mut reads, &mut ctes);
        self.out.created.push(Catalog::key(Kind::View, &name));
        self.catalog.views.insert(
            name,
            Arc::new(View {
                materialized: cv.materialized,
                query: cv.query.to_string().to_lowercase(),
                reads,
            }),
        );
        true
    }

    /// The tables a query reads in FROM and JOIN (CTEs left out); reports
    /// those that do not exist.
    fn query_reads(&mut self, q: &ast::Query, reads: &mut Vec<QName>, ctes: &mut Vec<String>) {
        if let Some(with) = &q.with {
            for cte in &with.cte_tables {
                ctes.push(self.ident(&cte.alias.name));
                self.query_reads(&cte.query, reads, ctes);
            }
        }
        self.set_expr_reads(&q.body, reads, ctes);
    }

    fn set_expr_reads(
        &mut self,
        body: &ast::SetExpr,
        reads: &mut Vec<QName>,
        ctes: &mut Vec<String>,
    ) {
        match body {
            ast::SetExpr::Select(s) => {
                for twj in &s.from {
                    self.factor_reads(&twj.relation, reads, ctes);
                    for j in &twj.joins {
                        self.factor_reads(&j.relation, reads, ctes);
                    }
                }
            }
            ast::SetExpr::Query(q) => self.query_reads(q, reads, ctes),
            ast::SetExpr::SetOperation { left, right, .. } => {
                self.set_expr_reads(left, reads, ctes);
                self.set_expr_reads(right, reads, ctes);
            }
            _ => {}
        }
    }

    fn factor_reads(
        &mut self,
        f: &ast::TableFactor,
        reads: &mut Vec<QName>,
        ctes: &mut Vec<String>,
    ) {
        match f {
            ast::TableFactor::Table {
                name, args: None, ..
            } => {
                let parts = self.parts(name);
                if parts.len() == 1 && ctes.contains(&parts[0]) {
                    return;
                }
                let q = self.catalog.resolve_table(&parts);
                if !self.catalog.tables.contains_key(&q)
                    && !self.catalog.views.contains_key(&q)
                    && !q.name.starts_with("pg_")
                    && parts.len() <= 2
                {
                    let loc = self.at(name);
                    self.catalog
                        .miss(self.out, Kind::Table, &q, None, loc, "read by a view");
                }
                reads.push(q);
            }
            ast::TableFactor::Derived { subquery, .. } => self.query_reads(subquery, reads, ctes),
            ast::TableFactor::NestedJoin {
                table_with_joins, ..
            } => {
                self.factor_reads(&table_with_joins.relation, reads, ctes);
                for j in &table_with_joins.joins {
                    self.factor_reads(&j.relation, reads, ctes);
                }
            }
            _ => {}
        }
    }

    fn drop(
        &mut self,
        object_type: ObjectType,
        if_exists: bool,
        names: &[ObjectName],
        cascade: bool,
        table: Option<&ObjectName>,
    ) -> bool {
        self.out.ddl = true;
        for n in names {
            let parts = self.parts(n);
            let loc = self.at(n);
            match object_type {
                ObjectType::Table => {
                    let name = self.catalog.resolve_table(&parts);
                    if let Some(t) = self.catalog.tables.get(&name) {
                        let columns = t.columns.iter().map(|c| c.name.clone()).collect();
                        self.out
                            .dropped_columns
                            .push((Catalog::key(Kind::Table, &name), columns));
                        self.out.losses.push(Loss {
                            key: Catalog::key(Kind::Table, &name),
                            what: format!("drops table {} and its rows", self.catalog.show(&name)),
                            at: loc,
                            overwrites: Vec::new(),
                        });
                        self.catalog.drop_table(&name, cascade);
                    } else if !if_exists {
                        self.catalog.miss(
                            self.out,
                            Kind::Table,
                            &name,
                            None,
                            loc.clone(),
                            "dropped",
                        );
                        self.out.losses.push(Loss {
                            key: Catalog::key(Kind::Table, &name),
                            what: format!("drops table {} and its rows", self.catalog.show(&name)),
                            at: loc,
                            overwrites: Vec::new(),
                        });
                    } else if self.catalog.is_uncertain(&name) {
                        self.out.losses.push(Loss {
                            key: Catalog::key(Kind::Table, &name),
                            what: format!("drops table {} and its rows", self.catalog.show(&name)),
                            at: loc,
                            overwrites: Vec::new(),
                        });
                    }
                }
                ObjectType::View | ObjectType::MaterializedView => {
                    let name = self.catalog.resolve_table(&parts);
                    self.catalog.index_tables.retain(|_, t| *t != name);
                    if self.catalog.views.remove(&name).is_none() && !if_exists {
                        self.catalog
                            .miss(self.out, Kind::View, &name, None, loc, "dropped");
                    } else if cascade {
                        self.catalog.drop_dependents(&name);
                    }
                }
                ObjectType::Index => {
                    if let (Some(t), Dialect::Mysql) = (table, self.catalog.dialect) {
                        let tname = self.catalog.resolve_table(&self.parts(t));
                        let iname = parts.last().cloned().unwrap_or_default();
                        match self.catalog.tables.get_mut(&tname) {
                            Some(tb) => {
                                let gone = Arc::make_mut(tb).indexes.remove(&iname).is_some();
                                if !gone && !if_exists {
                                    let q = QName {
                                        schema: tname.schema.clone(),
                                        name: iname,
                                    };
                                    self.catalog.miss(
                                        self.out,
                                        Kind::Index,
                                        &q,
                                        None,
                                        loc,
                                        "dropped",
                                    );
                                }
                            }
                            None if !if_exists => {
                                let at = self.at(t);
                                self.catalog.miss(
                                    self.out,
                                    Kind::Table,
                                    &tname,
                                    None,
                                    at,
                                    "named by DROP INDEX",
                                );
                            }
                            None => {}
                        }
                        continue;
                    }
                    let name = self.catalog.resolve_index(&parts);
                    if !self.catalog.drop_index(&name) && !if_exists {
                        // A constraint's index is dropped with the constraint.
                        self.catalog
                            .miss(self.out, Kind::Index, &name, None, loc, "dropped");
                    }
                }
                ObjectType::Sequence => {
                    let name = self.catalog.resolve_sequence(&parts);
                    if self.catalog.sequences.remove(&name).is_none() && !if_exists {
                        self.catalog
                            .miss(self.out, Kind::Sequence, &name, None, loc, "dropped");
                    }
                }
                ObjectType::Schema => {
                    let name = parts.last().cloned().unwrap_or_default();
                    self.catalog.schemas.remove(&name);
                    let tables: Vec<QName> = self
                        .catalog
                        .tables
                        .keys()
                        .filter(|k| k.schema == name)
                        .cloned()
                        .collect();
                    for t in tables {
                        self.catalog.drop_table(&t, true);
                    }
                    self.catalog.views.retain(|k, _| k.schema != name);
                    self.catalog.types.retain(|k, _| k.schema != name);
                    self.catalog.sequences.retain(|k, _| k.schema != name);
                    self.catalog.routines.retain(|r| r.name.schema != name);
                }
                ObjectType::Type => {
                    let name = self.catalog.resolve_type(&parts);
                    if self.catalog.types.remove(&name).is_none() && !if_exists {
                        self.catalog.miss(
                            self.out,
                            Kind::Type,
                            &name,
                            None,
                            loc.clone(),
                            "dropped",
                        );
                    }
                    if cascade {
                        self.out.losses.push(Loss {
                            key: Catalog::key(Kind::Type, &name),
                            what: format!(
                                "DROP TYPE {} CASCADE drops every column of that type and its data",
                                self.catalog.show(&name)
                            ),
                            at: loc,
                            overwrites: Vec::new(),
                        });
                    }
                }
                _ => {}
            }
        }
        true
    }
}

fn constraint_name(c: &TableConstraint) -> Option<&Ident> {
    match c {
        TableConstraint::Exclude(e) => e.name.as_ref(),
        _ => None,
    }
}

/// An index column: a folded name, or a normalised expression.
fn index_column(cx: &Cx, e: &Expr) -> String {
    match e {
        Expr::Identifier(i) => cx.ident(i),
        other => expr(other),
    }
}

/// A normalised expression: its text as the parser prints it, folded as
/// [`fold_case`] folds it.
fn expr(e: &Expr) -> String {
    fold_case(&e.to_string())
}

/// A column default as PostgreSQL keeps it: a literal cast to the column's
/// own type is the literal (`'x'::character varying` on a `varchar(256)`
/// column, as `pg_dump` writes it, is the default `'x'`).
fn default_expr(e: &Expr, column_type: &str) -> String {
    if let Expr::Cast {
        expr: inner,
        data_type,
        format: None,
        ..
    } = e
    {
        let base = |t: &str| {
            let t = types::normalize(t);
            match t.find('(') {
                Some(i) => t[..i].to_string(),
                None => t,
            }
        };
        if matches!(**inner, Expr::Value(_)) && base(&data_type.to_string()) == base(column_type) {
            return expr(inner);
        }
    }
    expr(e)
}

fn builtin_trigger(name: &str) -> bool {
    matches!(
        name.rsplit('.').next(),
        Some(
            "tsvector_update_trigger"
                | "tsvector_update_trigger_column"
                | "suppress_redundant_updates_trigger"
                | "lo_manage"
        )
    )
}

/// Whether a top-level query calls a function (which may change the schema).
fn query_calls_function(q: &ast::Query) -> bool {
    let mut calls = false;
    let _ = ast::visit_expressions(q, |e| {
        if let Expr::Function(f) = e {
            let name = f.name.to_string().to_lowercase();
            if !matches!(
                name.as_str(),
                "now"
                    | "count"
                    | "max"
                    | "min"
                    | "sum"
                    | "coalesce"
                    | "pg_sleep"
                    | "current_setting"
                    | "set_config"
                    | "nextval"
                    | "setval"
                    | "version"
            ) {
                calls = true;
            }
        }
        std::ops::ControlFlow::<()>::Continue(())
    });
    calls
}
