//! Statements the parser keeps as text (`CREATE TYPE ... AS ENUM`, `COMMENT
//! ON`, `CREATE TRIGGER`, routines in some forms, `ALTER INDEX ... RENAME`):
//! read from their leading words, the way the database's own grammar
//! starts them. Whatever this cannot read is uncertain: the words of its
//! text are recorded so that nothing they may name is trusted.

use std::ops::Range;
use std::sync::Arc;

use super::{
    fold_case, types, Applied, Catalog, Index, Kind, QName, Routine, Sequence, Trigger, TypeDef,
};
use crate::sql::Dialect;

/// A token of a statement's text.
#[derive(Clone, Debug)]
pub(crate) struct Tok<'a> {
    /// What it is.
    pub kind: TokKind,
    /// Its text (without quotes for identifiers and strings).
    pub text: &'a str,
    /// Bytes in the statement.
    pub at: Range<usize>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TokKind {
    Word,
    Quoted,
    Str,
    Number,
    Punct,
}

/// Splits SQL into tokens, skipping comments and whitespace.
pub(crate) fn tokens(sql: &str) -> Vec<Tok<'_>> {
    let b = sql.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
        } else if c == b'-' && b.get(i + 1) == Some(&b'-') {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if c == b'/' && b.get(i + 1) == Some(&b'*') {
            i = sql[i + 2..].find("*/").map_or(b.len(), |e| i + 2 + e + 2);
        } else if c == b'"' || c == b'`' || c == b'[' {
            let close = if c == b'[' { b']' } else { c };
            let start = i + 1;
            let mut j = start;
            while j < b.len() && b[j] != close {
                j += 1;
            }
            out.push(Tok {
                kind: TokKind::Quoted,
                text: &sql[start..j],
                at: i..(j + 1).min(b.len()),
            });
            i = j + 1;
        } else if c == b'\'' || (c == b'E' || c == b'e') && b.get(i + 1) == Some(&b'\'') {
            let start = if c == b'\'' { i + 1 } else { i + 2 };
            let mut j = start;
            while j < b.len() {
                if b[j] == b'\'' {
                    if b.get(j + 1) == Some(&b'\'') {
                        j += 2;
                        continue;
                    }
                    break;
                }
                if b[j] == b'\\' && c != b'\'' {
                    j += 1;
                }
                j += 1;
            }
            let end = j.min(b.len());
            out.push(Tok {
                kind: TokKind::Str,
                text: &sql[start.min(end)..end],
                at: i..(j + 1).min(b.len()),
            });
            i = j + 1;
        } else if c == b'$' {
            // Dollar quoting: $tag$ ... $tag$.
            let tag_end = sql[i + 1..]
                .find(|ch: char| !(ch.is_alphanumeric() || ch == '_'))
                .map(|e| i + 1 + e);
            match tag_end {
                Some(e) if b[e] == b'$' => {
                    let tag = &sql[i..=e];
                    let body = e + 1;
                    let close = sql[body..].find(tag).map_or(b.len(), |x| body + x);
                    out.push(Tok {
                        kind: TokKind::Str,
                        text: &sql[body..close],
                        at: i..(close + tag.len()).min(b.len()),
                    });
                    i = (close + tag.len()).min(b.len());
                }
                _ => {
                    out.push(Tok {
                        kind: TokKind::Punct,
                        text: &sql[i..i + 1],
                        at: i..i + 1,
                    });
                    i += 1;
                }
            }
        } else if c.is_ascii_alphabetic() || c == b'_' || c >= 0x80 {
            let start = i;
            while i < b.len()
                && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b'$' || b[i] >= 0x80)
            {
                i += 1;
            }
            out.push(Tok {
                kind: TokKind::Word,
                text: &sql[start..i],
                at: start..i,
            });
        } else if c.is_ascii_digit() {
            let start = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'.') {
                i += 1;
            }
            out.push(Tok {
                kind: TokKind::Number,
                text: &sql[start..i],
                at: start..i,
            });
        } else {
            let len = sql[i..].chars().next().map_or(1, char::len_utf8);
            out.push(Tok {
                kind: TokKind::Punct,
                text: &sql[i..i + len],
                at: i..i + len,
            });
            i += len;
        }
    }
    out
}

/// A cursor over tokens.
struct Cur<'a, 't> {
    toks: &'t [Tok<'a>],
    i: usize,
}

impl<'a> Cur<'a, '_> {
    fn peek(&self) -> Option<&Tok<'a>> {
        self.toks.get(self.i)
    }

    fn is(&self, word: &str) -> bool {
        self.peek()
            .is_some_and(|t| t.kind == TokKind::Word && t.text.eq_ignore_ascii_case(word))
    }

    fn eat(&mut self, word: &str) -> bool {
        let yes = self.is(word);
        if yes {
            self.i += 1;
        }
        yes
    }

    fn eat_all(&mut self, words: &[&str]) -> bool {
        let save = self.i;
        for w in words {
            if !self.eat(w) {
                self.i = save;
                return false;
            }
        }
        true
    }

    fn punct(&mut self, p: &str) -> bool {
        let yes = self
            .peek()
            .is_some_and(|t| t.kind == TokKind::Punct && t.text == p);
        if yes {
            self.i += 1;
        }
        yes
    }

    /// A possibly qualified name: its folded parts and its byte span.
    fn name(&mut self, catalog: &Catalog) -> Option<(Vec<String>, Range<usize>)> {
        let mut parts = Vec::new();
        let first = self.peek()?.at.start;
        let mut end;
        loop {
            let t = self.peek()?;
            let part = match t.kind {
                TokKind::Word => catalog.fold(t.text, false),
                TokKind::Quoted => catalog.fold(t.text, true),
                _ => return None,
            };
            end = t.at.end;
            parts.push(part);
            self.i += 1;
            if !self.punct(".") {
                break;
            }
        }
        Some((parts, first..end))
    }

    /// The tokens between a `(` (current) and its `)`, split at top-level
    /// commas; the cursor ends after the `)`.
    fn group(&mut self) -> Vec<Vec<Tok<'a>>> {
        let mut out = vec![Vec::new()];
        if !self.punct("(") {
            return Vec::new();
        }
        let mut depth = 1;
        while let Some(t) = self.peek().cloned() {
            self.i += 1;
            if t.kind == TokKind::Punct {
                match t.text {
                    "(" => depth += 1,
                    ")" => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    "," if depth == 1 => {
                        out.push(Vec::new());
                        continue;
                    }
                    _ => {}
                }
            }
            if let Some(last) = out.last_mut() {
                last.push(t);
            }
        }
        out.retain(|g| !g.is_empty());
        out
    }
}

/// Applies a statement from its text; what it cannot read is uncertain.
pub(super) fn apply(catalog: &mut Catalog, sql: &str, base: usize, out: &mut Applied) {
    let toks = tokens(sql);
    let mut cur = Cur { toks: &toks, i: 0 };
    let understood = read(catalog, &mut cur, base, out);
    if !understood {
        uncertain(catalog, &toks, out);
    }
}

/// Marks every word of the text (identifiers, and words inside strings,
/// for dynamic SQL) as uncertain.
pub(super) fn uncertain(catalog: &mut Catalog, toks: &[Tok], out: &mut Applied) {
    out.uncertain = true;
    let mut words = Vec::new();
    for t in toks {
        match t.kind {
            TokKind::Word | TokKind::Quoted => words.push(t.text.to_string()),
            TokKind::Str => {
                for inner in tokens(t.text) {
                    if matches!(inner.kind, TokKind::Word | TokKind::Quoted | TokKind::Str) {
                        words.push(inner.text.to_string());
                        if inner.kind == TokKind::Str {
                            for w in inner
                                .text
                                .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                            {
                                words.push(w.to_string());
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
    catalog.mark_uncertain(words.iter().map(String::as_str).filter(|w| !w.is_empty()));
}

fn read(catalog: &mut Catalog, c: &mut Cur, base: usize, out: &mut Applied) -> bool {
    let at = |r: Range<usize>| r.start + base..r.end + base;
    if c.is("DO") {
        return do_block(catalog, c.toks, base, out);
    }
    if c.eat("SET") || c.eat("RESET") {
        c.eat("SESSION");
        c.eat("LOCAL");
        // `SET @sql = IF(..., 'ALTER TABLE ...', 'SELECT 1')`: SQL text that
        // a later `PREPARE ... FROM @sql` may run.
        if c.peek().is_some_and(|t| t.text == "@") && c.toks.iter().any(|t| t.kind == TokKind::Str)
        {
            return false;
        }
        if c.eat("search_path") {
            c.eat("TO");
            c.punct("=");
            let mut path = Vec::new();
            while let Some(t) = c.peek().cloned() {
                c.i += 1;
                match t.kind {
                    TokKind::Word if t.text.eq_ignore_ascii_case("DEFAULT") => {}
                    TokKind::Word => path.push(catalog.fold(t.text, false)),
                    TokKind::Quoted | TokKind::Str => path.push(t.text.to_string()),
                    _ => {}
                }
            }
            catalog.user_on_path = path.iter().any(|p| p == "$user");
            path.retain(|p| p != "$user" && p != "pg_catalog");
            if path.is_empty() {
                path.push(catalog.default_schema().to_string());
            }
            catalog.search_path = path;
        }
        return true;
    }
    if c.eat("CREATE") {
        c.eat_all(&["OR", "REPLACE"]);
        c.eat("TEMP");
        c.eat("TEMPORARY");
        c.eat("CONSTRAINT");
        c.eat("UNLOGGED");
        if c.eat("FUNCTION") || c.eat("PROCEDURE") || c.eat("AGGREGATE") {
            let kind = if c.toks[c.i - 1].text.eq_ignore_ascii_case("PROCEDURE") {
                "procedure"
            } else {
                "function"
            };
            out.ddl = true;
            let Some((parts, _)) = c.name(catalog) else {
                return false;
            };
            let args = c.group();
            let name = catalog.qualify(&parts);
            out.created.push(Catalog::key(Kind::Function, &name));
            catalog.routines.insert(Routine {
                name,
                signature: signature(&args),
                kind,
            });
            return true;
        }
        if c.eat("TRIGGER") {
            out.ddl = true;
            return trigger(catalog, c, base, out);
        }
        if c.eat("EXTENSION") {
            out.ddl = true;
            c.eat_all(&["IF", "NOT", "EXISTS"]);
            if let Some((parts, _)) = c.name(catalog) {
                catalog.extensions.insert(parts.join("."));
                return true;
            }
            return false;
        }
        if c.eat("SCHEMA") {
            out.ddl = true;
            c.eat_all(&["IF", "NOT", "EXISTS"]);
            if let Some((parts, _)) = c.name(catalog) {
                if !parts[0].eq_ignore_ascii_case("authorization") {
                    catalog.schemas.insert(parts[0].clone());
                }
                return true;
            }
            return false;
        }
        if c.eat("TYPE") {
            out.ddl = true;
            let Some((parts, _)) = c.name(catalog) else {
                return false;
            };
            let name = catalog.qualify(&parts);
            let def = if c.eat("AS") {
                if c.eat("ENUM") {
                    TypeDef::Enum(
                        c.group()
                            .iter()
                            .filter_map(|g| g.first().map(|t| t.text.to_string()))
                            .collect(),
                    )
                } else if c.eat("RANGE") {
                    TypeDef::Other
                } else {
                    TypeDef::Composite(
                        c.group()
                            .iter()
                            .filter_map(|g| {
                                let (n, rest) = g.split_first()?;
                                Some((
                                    catalog.fold(n.text, n.kind == TokKind::Quoted),
                                    join_type(rest),
                                ))
                            })
                            .collect(),
                    )
                }
            } else {
                TypeDef::Other
            };
            out.created.push(Catalog::key(Kind::Type, &name));
            catalog.types.insert(name, def);
            return true;
        }
        if c.eat("DOMAIN") {
            out.ddl = true;
            let Some((parts, _)) = c.name(catalog) else {
                return false;
            };
            c.eat("AS");
            let rest: Vec<Tok> = c.toks[c.i..]
                .iter()
                .take_while(|t| {
                    !(t.kind == TokKind::Word
                        && ["NOT", "NULL", "CHECK", "DEFAULT", "CONSTRAINT", "COLLATE"]
                            .iter()
                            .any(|k| t.text.eq_ignore_ascii_case(k)))
                })
                .cloned()
                .collect();
            let name = catalog.qualify(&parts);
            out.created.push(Catalog::key(Kind::Type, &name));
            catalog
                .types
                .insert(name, TypeDef::Domain(join_type(&rest)));
            return true;
        }
        if c.eat_all(&["MATERIALIZED", "VIEW"]) {
            out.ddl = true;
            c.eat_all(&["IF", "NOT", "EXISTS"]);
            let Some((parts, _)) = c.name(catalog) else {
                return false;
            };
            let name = catalog.qualify(&parts);
            let query: Vec<&str> = c.toks[c.i..].iter().map(|t| t.text).collect();
            out.created.push(Catalog::key(Kind::View, &name));
            catalog.views.insert(
                name,
                Arc::new(super::View {
                    materialized: true,
                    query: query.join(" ").to_lowercase(),
                    reads: Vec::new(),
                }),
            );
            return true;
        }
        let unique = c.eat("UNIQUE");
        if c.eat("INDEX") {
            out.ddl = true;
            c.eat("CONCURRENTLY");
            c.eat_all(&["IF", "NOT", "EXISTS"]);
            let name = if c.is("ON") { None } else { c.name(catalog) };
            if !c.eat("ON") {
                return false;
            }
            c.eat("ONLY");
            let Some((table, table_at)) = c.name(catalog) else {
                return false;
            };
            let method = if c.eat("USING") {
                c.peek().map(|t| t.text.to_lowercase()).unwrap_or_default()
            } else {
                "btree".to_string()
            };
            if c.peek().is_some_and(|t| t.kind == TokKind::Word) && !c.is("(") {
                c.i += 1;
            }
            let columns: Vec<String> = c
                .group()
                .iter()
                .map(|g| g.iter().map(|t| t.text).collect::<Vec<_>>().join(" "))
                .map(|g| fold_case(&g))
                .collect();
            let rest: Vec<&str> = c.toks[c.i..].iter().map(|t| t.text).collect();
            let predicate = rest
                .iter()
                .position(|w| w.eq_ignore_ascii_case("WHERE"))
                .map(|p| fold_case(&rest[p + 1..].join(" ")));
            let table = catalog.resolve_table(&table);
            if !catalog.tables.contains_key(&table) {
                catalog.miss(out, Kind::Table, &table, None, at(table_at), "indexed");
                return true;
            }
            let name = match name {
                Some((parts, _)) => parts.last().cloned().unwrap_or_default(),
                None => super::object_name(&table.name, &columns.join("_"), "idx", catalog.dialect),
            };
            let qname = QName {
                schema: table.schema.clone(),
                name: name.clone(),
            };
            out.created.push(Catalog::key(Kind::Index, &qname));
            catalog.add_index(
                &table,
                Index {
                    name,
                    columns,
                    unique,
                    predicate,
                    method,
                },
            );
            return true;
        }
        if unique {
            return false;
        }
        if c.eat("TABLE") {
            // Only forms the parser rejects arrive here (`LIKE ... INCLUDING`).
            out.ddl = true;
            c.eat_all(&["IF", "NOT", "EXISTS"]);
            let Some((parts, _)) = c.name(catalog) else {
                return false;
            };
            let name = catalog.qualify(&parts);
            out.created.push(Catalog::key(Kind::Table, &name));
            catalog.add_table(
                name.clone(),
                super::Table {
                    name: name.name.clone(),
                    partial: true,
                    ..Default::default()
                },
            );
            return true;
        }
        if c.eat("SEQUENCE") {
            out.ddl = true;
            c.eat_all(&["IF", "NOT", "EXISTS"]);
            let Some((parts, _)) = c.name(catalog) else {
                return false;
            };
            let name = catalog.qualify(&parts);
            out.created.push(Catalog::key(Kind::Sequence, &name));
            catalog.sequences.insert(name, Sequence { owned_by: None });
            return true;
        }
        if c.eat("POLICY")
            || c.eat("ROLE")
            || c.eat("USER")
            || c.eat("GROUP")
            || c.eat("PUBLICATION")
            || c.eat("SUBSCRIPTION")
            || c.eat("STATISTICS")
            || c.eat("SERVER")
            || c.eat("CAST")
            || c.eat("COLLATION")
            || c.eat("RULE")
        {
            out.ddl = true;
            return true;
        }
        return false;
    }
    if c.eat("DROP") {
        out.ddl = true;
        let kind = if c.eat("FUNCTION") || c.eat("PROCEDURE") || c.eat("AGGREGATE") {
            Kind::Function
        } else if c.eat("TRIGGER") {
            Kind::Trigger
        } else if c.eat("TYPE") || c.eat("DOMAIN") {
            Kind::Type
        } else if c.eat("EXTENSION") {
            let if_exists = c.eat_all(&["IF", "EXISTS"]);
            let _ = if_exists;
            while let Some((parts, _)) = c.name(catalog) {
                catalog.extensions.remove(&parts.join("."));
                if !c.punct(",") {
                    break;
                }
            }
            return true;
        } else if c.eat("INDEX") {
            Kind::Index
        } else if c.eat_all(&["MATERIALIZED", "VIEW"]) || c.eat("VIEW") {
            Kind::View
        } else {
            return c.eat("POLICY")
                || c.eat("ROLE")
                || c.eat("USER")
                || c.eat("PUBLICATION")
                || c.eat("RULE")
                || c.eat("CAST");
        };
        c.eat("CONCURRENTLY");
        let if_exists = c.eat_all(&["IF", "EXISTS"]);
        let text: String = c
            .toks
            .iter()
            .map(|t| t.text.to_ascii_uppercase())
            .collect::<Vec<_>>()
            .join(" ");
        let cascade = text.ends_with("CASCADE");
        while let Some((parts, name_at)) = c.name(catalog) {
            match kind {
                Kind::Function => {
                    let args = if c.peek().is_some_and(|t| t.text == "(") {
                        Some(signature(&c.group()))
                    } else {
                        None
                    };
                    let name = catalog.resolve_routine(&parts);
                    if !drop_routine(catalog, &name, args.as_deref()) && !if_exists {
                        catalog.miss(out, Kind::Function, &name, None, at(name_at), "dropped");
                    }
                }
                Kind::Trigger => {
                    let trigger = parts.last().cloned().unwrap_or_default();
                    if !c.is("ON") {
                        catalog.drop_trigger_anywhere(&trigger);
                    }
                    if c.eat("ON") {
                        if let Some((table, table_at)) = c.name(catalog) {
                            let table = catalog.resolve_table(&table);
                            match catalog.tables.get_mut(&table) {
                                Some(t) => {
                                    let gone = Arc::make_mut(t).triggers.remove(&trigger).is_some();
                                    if !gone && !if_exists && !catalog.uncertain.covers(&trigger) {
                                        let q = QName {
                                            schema: table.schema.clone(),
                                            name: trigger.clone(),
                                        };
                                        catalog.miss(
                                            out,
                                            Kind::Trigger,
                                            &q,
                                            None,
                                            at(name_at),
                                            "dropped",
                                        );
                                    }
                                }
                                None if !if_exists => catalog.miss(
                                    out,
                                    Kind::Table,
                                    &table,
                                    None,
                                    at(table_at),
                                    "named by DROP TRIGGER",
                                ),
                                None => {}
                            }
                        }
                    }
                    return true;
                }
                Kind::Type => {
                    let name = catalog.resolve_type(&parts);
                    if catalog.types.remove(&name).is_none() && !if_exists {
                        catalog.miss(out, Kind::Type, &name, None, at(name_at), "dropped");
                    } else if cascade {
                        out.losses.push(super::Loss {
                            key: Catalog::key(Kind::Type, &name),
                            what: format!(
                                "DROP TYPE {} CASCADE drops every column of that type and its data",
                                catalog.show(&name)
                            ),
                            at: at(name_at),
                            overwrites: Vec::new(),
                        });
                    }
                }
                Kind::Index => {
                    let name = catalog.resolve_index(&parts);
                    if !catalog.drop_index(&name) && !if_exists {
                        catalog.miss(out, Kind::Index, &name, None, at(name_at), "dropped");
                    }
                }
                _ => {
                    let name = catalog.resolve_table(&parts);
                    catalog.index_tables.retain(|_, t| *t != name);
                    if catalog.views.remove(&name).is_none() && !if_exists {
                        catalog.miss(out, Kind::View, &name, None, at(name_at), "dropped");
                    } else if cascade {
                        catalog.drop_dependents(&name);
                    }
                }
            }
            if !c.punct(",") {
                break;
            }
        }
        return true;
    }
    if c.eat("ALTER") {
        out.ddl = true;
        if c.eat("TYPE") {
            let Some((parts, name_at)) = c.name(catalog) else {
                return false;
            };
            let name = catalog.resolve_type(&parts);
            let Some(def) = catalog.types.get_mut(&name) else {
                catalog.miss(out, Kind::Type, &name, None, at(name_at), "altered");
                return true;
            };
            if c.eat_all(&["ADD", "VALUE"]) {
                c.eat_all(&["IF", "NOT", "EXISTS"]);
                let Some(value) = c.peek().map(|t| t.text.to_string()) else {
                    return false;
                };
                c.i += 1;
                if let TypeDef::Enum(labels) = def {
                    if !labels.contains(&value) {
                        let before = c.eat("BEFORE");
                        let after = !before && c.eat("AFTER");
                        let anchor = c.peek().map(|t| t.text.to_string());
                        let pos = anchor.and_then(|a| labels.iter().position(|l| *l == a));
                        match (before, after, pos) {
                            (true, _, Some(p)) => labels.insert(p, value),
                            (_, true, Some(p)) => labels.insert(p + 1, value),
                            _ => labels.push(value),
                        }
                    }
                }
                return true;
            }
            if c.eat_all(&["RENAME", "VALUE"]) {
                let from = c.peek().map(|t| t.text.to_string());
                c.i += 1;
                c.eat("TO");
                let to = c.peek().map(|t| t.text.to_string());
                if let (TypeDef::Enum(labels), Some(from), Some(to)) = (def, from, to) {
                    for l in labels.iter_mut() {
                        if *l == from {
                            *l = to.clone();
                        }
                    }
                }
                return true;
            }
            if c.eat_all(&["RENAME", "TO"]) {
                let Some((new, _)) = c.name(catalog) else {
                    return false;
                };
                catalog.rename_type(&name, new.last().cloned().unwrap_or_default());
                return true;
            }
            if c.eat("OWNER") {
                return true;
            }
            if c.eat_all(&["ADD", "ATTRIBUTE"])
                || c.eat_all(&["DROP", "ATTRIBUTE"])
                || c.eat_all(&["ALTER", "ATTRIBUTE"])
                || c.eat_all(&["RENAME", "ATTRIBUTE"])
            {
                catalog.types.insert(name, TypeDef::Other);
                return true;
            }
            return false;
        }
        if c.eat("INDEX") {
            let if_exists = c.eat_all(&["IF", "EXISTS"]);
            let Some((parts, name_at)) = c.name(catalog) else {
                return false;
            };
            let name = catalog.resolve_index(&parts);
            if !catalog.index_tables.contains_key(&name) {
                let renamed = c.eat_all(&["RENAME", "TO"])
                    && c.name(catalog).is_some_and(|(new, _)| {
                        let new = new.last().cloned().unwrap_or_default();
                        catalog.rename_constraint_index(&name, &new)
                    });
                if !renamed && !if_exists {
                    catalog.miss(out, Kind::Index, &name, None, at(name_at), "altered");
                }
                return true;
            }
            if c.eat_all(&["RENAME", "TO"]) {
                let Some((new, _)) = c.name(catalog) else {
                    return false;
                };
                let new = new.last().cloned().unwrap_or_default();
                if let Some(table) = catalog.index_tables.remove(&name) {
                    if let Some(t) = catalog.tables.get_mut(&table) {
                        let t = Arc::make_mut(t);
                        if let Some(mut index) = t.indexes.remove(&name.name) {
                            index.name = new.clone();
                            t.indexes.insert(new.clone(), index);
                        }
                    }
                    catalog.index_tables.insert(
                        QName {
                            schema: name.schema.clone(),
                            name: new,
                        },
                        table,
                    );
                }
            }
            return true;
        }
        if c.eat("SEQUENCE") {
            c.eat_all(&["IF", "EXISTS"]);
            let Some((parts, _)) = c.name(catalog) else {
                return false;
            };
            let name = catalog.resolve_sequence(&parts);
            if c.eat_all(&["OWNED", "BY"]) {
                let owner = c.name(catalog).and_then(|(mut parts, _)| {
                    let column = parts.pop()?;
                    (!parts.is_empty()).then(|| (catalog.resolve_table(&parts), column))
                });
                if let Some(seq) = catalog.sequences.get_mut(&name) {
                    seq.owned_by = owner;
                }
                return true;
            }
            if c.eat_all(&["RENAME", "TO"]) {
                if let (Some(seq), Some((new, _))) =
                    (catalog.sequences.remove(&name), c.name(catalog))
                {
                    catalog.sequences.insert(
                        QName {
                            schema: name.schema.clone(),
                            name: new.last().cloned().unwrap_or_default(),
                        },
                        seq,
                    );
                }
            }
            return true;
        }
        let materialized = c.eat("MATERIALIZED");
        if c.eat("VIEW") {
            c.eat_all(&["IF", "EXISTS"]);
            let Some((parts, name_at)) = c.name(catalog) else {
                return false;
            };
            let name = catalog.resolve_table(&parts);
            if !catalog.views.contains_key(&name) {
                catalog.miss(out, Kind::View, &name, None, at(name_at), "altered");
                return true;
            }
            if c.eat_all(&["RENAME", "TO"]) {
                if let (Some(v), Some((new, _))) = (catalog.views.remove(&name), c.name(catalog)) {
                    catalog.views.insert(
                        QName {
                            schema: name.schema.clone(),
                            name: new.last().cloned().unwrap_or_default(),
                        },
                        v,
                    );
                }
            }
            return true;
        }
        if materialized {
            return false;
        }
        if c.eat("FUNCTION") || c.eat("PROCEDURE") || c.eat("ROUTINE") {
            let Some((parts, name_at)) = c.name(catalog) else {
                return false;
            };
            let name = catalog.resolve_routine(&parts);
            if !catalog.has_routine(&name) {
                catalog.miss(out, Kind::Function, &name, None, at(name_at), "altered");
                return true;
            }
            let args = if c.peek().is_some_and(|t| t.text == "(") {
                Some(signature(&c.group()))
            } else {
                None
            };
            if c.eat_all(&["RENAME", "TO"]) {
                let Some((new, _)) = c.name(catalog) else {
                    return false;
                };
                let moved: Vec<Routine> = catalog
                    .routines
                    .iter()
                    .filter(|r| r.name == name && args.as_ref().is_none_or(|a| *a == r.signature))
                    .cloned()
                    .collect();
                for r in moved {
                    catalog.routines.remove(&r);
                    catalog.routines.insert(Routine {
                        name: QName {
                            schema: name.schema.clone(),
                            name: new.last().cloned().unwrap_or_default(),
                        },
                        ..r
                    });
                }
            }
            return true;
        }
        if c.eat("TABLE") {
            // Forms the parser rejects: `SET STATISTICS`, `ALTER CONSTRAINT`,
            // storage options. They change nothing the Catalog compares.
            let words: Vec<String> = c.toks.iter().map(|t| t.text.to_ascii_uppercase()).collect();
            let harmless = words.windows(2).any(|w| {
                matches!(
                    (w[0].as_str(), w[1].as_str()),
                    (
                        "SET",
                        "STATISTICS"
                            | "STORAGE"
                            | "COMPRESSION"
                            | "TABLESPACE"
                            | "LOGGED"
                            | "UNLOGGED"
                            | "ACCESS"
                    ) | ("ALTER", "CONSTRAINT")
                        | ("REPLICA", "IDENTITY")
                        | ("CLUSTER", "ON")
                )
            });
            return harmless;
        }
        if c.eat("EXTENSION")
            || c.eat("SCHEMA")
            || c.eat("DEFAULT")
            || c.eat("ROLE")
            || c.eat("USER")
            || c.eat("GROUP")
            || c.eat("DATABASE")
            || c.eat("SYSTEM")
            || c.eat("POLICY")
            || c.eat("PUBLICATION")
            || c.eat("STATISTICS")
            || c.eat("DOMAIN")
            || c.eat("TRIGGER")
            || c.eat("EVENT")
        {
            return true;
        }
        return false;
    }
    if c.eat("COMMENT") {
        return comment(catalog, c, base, out);
    }
    if c.eat("GRANT")
        || c.eat("REVOKE")
        || c.eat("SECURITY")
        || c.eat("LOCK")
        || c.eat("VACUUM")
        || c.eat("ANALYZE")
        || c.eat("ANALYSE")
        || c.eat("CHECKPOINT")
        || c.eat("NOTIFY")
        || c.eat("REINDEX")
        || c.eat("CLUSTER")
        || c.eat("REFRESH")
        || c.eat("PRAGMA")
        || c.eat("BEGIN")
        || c.eat("COMMIT")
        || c.eat("START")
        || c.eat("END")
        || c.eat("ROLLBACK")
        || c.eat("SAVEPOINT")
        || c.eat("RELEASE")
        || c.eat("DISCARD")
        || c.eat("LISTEN")
        || c.eat("USE")
    {
        return true;
    }
    false
}

/// A PL/pgSQL `DO` block whose body is plain DDL, run or skipped by `IF`
/// conditions on the catalog (`IF NOT EXISTS (...) THEN ALTER TABLE ...`,
/// `EXCEPTION WHEN duplicate_object THEN NULL`): its statements are applied
/// as if they ran. A body with dynamic SQL, loops or calls is not read.
fn do_block(catalog: &mut Catalog, toks: &[Tok], base: usize, out: &mut Applied) -> bool {
    if catalog.dialect != Dialect::Postgres {
        return false;
    }
    let language = toks.windows(2).find_map(|w| {
        w[0].text
            .eq_ignore_ascii_case("LANGUAGE")
            .then(|| w[1].text.to_ascii_lowercase())
    });
    if language.is_some_and(|l| l != "plpgsql") {
        return false;
    }
    let Some(body) = toks.iter().find(|t| t.kind == TokKind::Str) else {
        return false;
    };
    // The body's offset in the statement: after its opening quote.
    let inner = body.at.start + (body.at.len() - body.text.len()) / 2;
    let btoks = tokens(body.text);
    if btoks.iter().any(|t| {
        t.kind == TokKind::Word
            && ["EXECUTE", "PERFORM", "LOOP", "CALL", "COPY"]
                .iter()
                .any(|k| t.text.eq_ignore_ascii_case(k))
    }) {
        return false;
    }
    let mut pieces = Vec::new();
    let (mut start, mut depth) = (0, 0i32);
    for (i, t) in btoks.iter().enumerate() {
        match (t.kind, t.text) {
            (TokKind::Punct, "(") => depth += 1,
            (TokKind::Punct, ")") => depth -= 1,
            (TokKind::Punct, ";") if depth == 0 => {
                pieces.push(&btoks[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    pieces.push(&btoks[start..]);
    let word = |t: &Tok, w: &str| t.kind == TokKind::Word && t.text.eq_ignore_ascii_case(w);
    for piece in pieces {
        let mut p: &[Tok] = piece;
        while let Some(first) = p.first() {
            if ["BEGIN", "DECLARE", "ELSE", "EXCEPTION"]
                .iter()
                .any(|w| word(first, w))
            {
                p = &p[1..];
            } else if word(first, "END") {
                p = &p[1..];
                if p.first().is_some_and(|t| word(t, "IF") || word(t, "CASE")) {
                    p = &p[1..];
                }
            } else if ["IF", "ELSIF", "WHEN"].iter().any(|w| word(first, w)) {
                let mut d = 0;
                let then = p.iter().position(|t| {
                    match t.text {
                        "(" => d += 1,
                        ")" => d -= 1,
                        _ => {}
                    }
                    d == 0 && word(t, "THEN")
                });
                match then {
                    Some(i) => p = &p[i + 1..],
                    None => return false,
                }
            } else {
                break;
            }
        }
        let Some(first) = p.first() else { continue };
        let last = &p[p.len() - 1];
        if ["CREATE", "ALTER", "DROP", "COMMENT"]
            .iter()
            .any(|w| word(first, w))
        {
            let sub = &body.text[first.at.start..last.at.end];
            let offset = base + inner + first.at.start;
            let script = crate::sql::parse_script(sub, 0, catalog.dialect, &[]);
            for statement in &script.statements {
                let mut applied = catalog.apply(statement, sub);
                for m in &mut applied.missing {
                    m.at = m.at.start + offset..m.at.end + offset;
                }
                for l in &mut applied.losses {
                    l.at = l.at.start + offset..l.at.end + offset;
                }
                out.missing.extend(applied.missing);
                out.losses.extend(applied.losses);
                out.created.extend(applied.created);
                out.ddl |= applied.ddl;
                out.uncertain |= applied.uncertain;
            }
        } else if ["RAISE", "NULL", "RETURN", "SELECT"]
            .iter()
            .any(|w| word(first, w))
            || p.get(1).is_some_and(|t| t.text == ":")
        {
            continue;
        } else {
            return false;
        }
    }
    true
}

fn trigger(catalog: &mut Catalog, c: &mut Cur, base: usize, out: &mut Applied) -> bool {
    let at = |r: Range<usize>| r.start + base..r.end + base;
    let Some((parts, _)) = c.name(catalog) else {
        return false;
    };
    let name = parts.last().cloned().unwrap_or_default();
    while c.peek().is_some() && !c.is("ON") {
        c.i += 1;
    }
    if !c.eat("ON") {
        return false;
    }
    let Some((table, table_at)) = c.name(catalog) else {
        return false;
    };
    let table = catalog.resolve_table(&table);
    let mut function = String::new();
    while c.peek().is_some() {
        if c.eat("EXECUTE") {
            c.eat("FUNCTION");
            c.eat("PROCEDURE");
            if let Some((f, f_at)) = c.name(catalog) {
                let fname = catalog.resolve_routine(&f);
                function = f.join(".");
                if !catalog.has_routine(&fname)
                    && !builtin_trigger_function(&f)
                    && catalog.extensions.is_empty()
                {
                    catalog.miss(
                        out,
                        Kind::Function,
                        &fname,
                        None,
                        at(f_at),
                        "run by trigger",
                    );
                }
            }
            break;
        }
        c.i += 1;
    }
    match catalog.tables.get_mut(&table) {
        Some(t) => {
            Arc::make_mut(t)
                .triggers
                .insert(name.clone(), Trigger { name, function });
        }
        None if catalog.views.contains_key(&table) => {}
        None => catalog.miss(
            out,
            Kind::Table,
            &table,
            None,
            at(table_at),
            "given a trigger",
        ),
    }
    true
}

/// Trigger functions PostgreSQL ships.
fn builtin_trigger_function(name: &[String]) -> bool {
    matches!(
        name.last().map(String::as_str),
        Some(
            "tsvector_update_trigger"
                | "tsvector_update_trigger_column"
                | "suppress_redundant_updates_trigger"
                | "lo_manage"
                | "RI_FKey_check_ins"
        )
    )
}

fn comment(catalog: &mut Catalog, c: &mut Cur, base: usize, out: &mut Applied) -> bool {
    let at = |r: Range<usize>| r.start + base..r.end + base;
    out.ddl = true;
    if !c.eat("ON") {
        return false;
    }
    let object = c
        .peek()
        .map(|t| t.text.to_ascii_uppercase())
        .unwrap_or_default();
    c.i += 1;
    if object == "MATERIALIZED" {
        c.eat("VIEW");
    }
    let Some((parts, name_at)) = c.name(catalog) else {
        return false;
    };
    if c.peek().is_some_and(|t| t.text == "(") {
        c.group();
    }
    if c.eat("ON") {
        let _ = c.name(catalog);
    }
    c.eat("IS");
    let text = c
        .peek()
        .filter(|t| t.kind == TokKind::Str)
        .map(|t| t.text.to_string());
    let key = match object.as_str() {
        "COLUMN" => {
            let Some((column, table)) = parts.split_last() else {
                return false;
            };
            let table = catalog.resolve_table(table);
            match catalog.tables.get(&table) {
                Some(t) if t.column(column).is_none() && !t.partial => {
                    catalog.miss(
                        out,
                        Kind::Column,
                        &table,
                        Some(column),
                        at(name_at),
                        "commented on",
                    );
                    return true;
                }
                None if !catalog.views.contains_key(&table) => {
                    catalog.miss(out, Kind::Table, &table, None, at(name_at), "commented on");
                    return true;
                }
                _ => {}
            }
            format!("column {}.{column}", catalog.show(&table))
        }
        "TABLE" => {
            let table = catalog.resolve_table(&parts);
            if !catalog.tables.contains_key(&table) && !catalog.views.contains_key(&table) {
                catalog.miss(out, Kind::Table, &table, None, at(name_at), "commented on");
                return true;
            }
            format!("table {}", catalog.show(&table))
        }
        other => format!("{} {}", other.to_lowercase(), parts.join(".")),
    };
    match text {
        Some(t) => {
            catalog.comments.insert(key, t);
        }
        None => {
            catalog.comments.remove(&key);
        }
    }
    true
}

/// Removes a routine by name and, when given, argument types; a signature
/// that matches no overload while the name has one removes that one (type
/// spellings the normaliser does not know).
pub(super) fn drop_routine(catalog: &mut Catalog, name: &QName, args: Option<&str>) -> bool {
    let matching: Vec<Routine> = catalog
        .routines
        .iter()
        .filter(|r| r.name == *name)
        .cloned()
        .collect();
    let chosen: Vec<Routine> = match args {
        None => matching,
        Some(sig) => {
            let exact: Vec<Routine> = matching
                .iter()
                .filter(|r| r.signature == sig)
                .cloned()
                .collect();
            if exact.is_empty() && matching.len() == 1 {
                matching
            } else {
                exact
            }
        }
    };
    for r in &chosen {
        catalog.routines.remove(r);
    }
    !chosen.is_empty() || catalog.uncertain.covers(&name.name)
}

/// A routine's input argument types, normalised: modes, names and
/// defaults left out, OUT arguments skipped.
pub(super) fn signature(args: &[Vec<Tok>]) -> String {
    let mut types = Vec::new();
    for arg in args {
        let mut words: Vec<&Tok> = arg.iter().collect();
        if let Some(p) = words
            .iter()
            .position(|t| t.text.eq_ignore_ascii_case("DEFAULT") || t.text == "=")
        {
            words.truncate(p);
        }
        let mode = words.first().map(|t| t.text.to_ascii_uppercase());
        match mode.as_deref() {
            Some("OUT") => continue,
            Some("IN" | "INOUT" | "VARIADIC") => {
                words.remove(0);
            }
            _ => {}
        }
        if words.is_empty() {
            continue;
        }
        let named = words[0].kind == TokKind::Quoted
            || words[0].kind != TokKind::Punct && !type_start(words[0].text);
        if words.len() > 1 && named {
            words.remove(0);
        }
        let owned: Vec<Tok> = words.into_iter().cloned().collect();
        types.push(join_type(&owned));
    }
    types.join(",")
}

fn type_start(word: &str) -> bool {
    matches!(
        word.to_ascii_lowercase().as_str(),
        "double"
            | "character"
            | "char"
            | "bit"
            | "time"
            | "timestamp"
            | "interval"
            | "national"
            | "varchar"
            | "numeric"
            | "decimal"
    ) && !word.is_empty()
}

/// Tokens of a type, normalised.
fn join_type(toks: &[Tok]) -> String {
    let mut s = String::new();
    for t in toks {
        if t.kind == TokKind::Punct {
            s.push_str(t.text);
        } else {
            if !s.is_empty() && !s.ends_with(['(', ',', '.']) {
                s.push(' ');
            }
            s.push_str(t.text);
        }
    }
    types::normalize(&s)
}

impl Catalog {
    /// Records a use of an object that does not exist, unless a statement
    /// the Catalog could not model may have created it.
    pub(super) fn miss(
        &self,
        out: &mut Applied,
        kind: Kind,
        name: &QName,
        column: Option<&str>,
        at: Range<usize>,
        how: &'static str,
    ) {
        if self.is_uncertain(name) || column.is_some_and(|c| self.uncertain.covers(c)) {
            return;
        }
        if self.dialect == Dialect::Postgres
            && (name.schema == "pg_catalog" || name.schema == "information_schema")
        {
            return;
        }
        if kind != Kind::Schema
            && !self.schemas.contains(&name.schema)
            && name.schema != self.default_schema()
        {
            // A schema no migration created: made outside the migrations
            // (or by an extension); nothing in it can be judged.
            return;
        }
        let (shown, key) = match column {
            Some(c) => (
                format!("{}.{c}", self.show(name)),
                Catalog::column_key(name, c),
            ),
            None => (self.show(name), Catalog::key(kind, name)),
        };
        out.missing.push(super::Missing {
            kind: if column.is_some() { Kind::Column } else { kind },
            name: shown,
            key,
            at,
            how,
        });
    }
}
