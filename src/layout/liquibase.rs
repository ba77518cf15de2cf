//! Liquibase formatted SQL: files that start with `--liquibase formatted sql`,
//! each `--changeset author:id` one Migration whose up script is the
//! changeset's SQL and whose down script is its `--rollback` lines (or
//! `/* liquibase rollback */` block). A master changelog (YAML, JSON or XML
//! `include` / `includeAll`) orders the files when there is one; otherwise
//! every formatted SQL file below the directory runs in path order, as
//! `includeAll` would. Identity is `path::id::author` with the path as
//! Liquibase records it (`logicalFilePath` when set). The checksum is
//! Liquibase's own (version 9): the changeset's SQL without whitespace, so
//! reformatting is not a change and editing one changeset changes only it.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use md5::{Digest, Md5};
use serde::Deserialize;

use super::file_name;
use super::text::{complement, lines, regex, strip_bom};
use crate::error::{Error, Result};
use crate::plan::{Meta, Migration, MigrationKind, MoreMeta, Plan, Script, Stray, Transaction};
use crate::source::{join, FileEntry, Files};

/// Liquibase settings of a migration directory (`liquibase:`).
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct LiquibaseSettings {
    /// The root changelog, relative to the repository root, when it is not
    /// the one changelog of the directory that no other includes.
    #[serde(default)]
    pub changelog: Option<String>,
}

/// File extensions Liquibase reads changelogs from, besides `.sql`.
const CHANGELOG_EXTENSIONS: &[&str] = &[".xml", ".yaml", ".yml", ".json"];

fn is_changelog_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    CHANGELOG_EXTENSIONS.iter().any(|e| lower.ends_with(e))
}

/// Whether a text is a formatted SQL changelog: its first non-blank line is
/// `--liquibase formatted sql` (any case and spacing).
pub(super) fn is_formatted(text: &str) -> bool {
    let (text, _) = strip_bom(text);
    let first = lines(text).map(|l| l.text).find(|l| !l.trim().is_empty());
    first.is_some_and(|l| {
        regex!(r"(?i)^\s*--\s*liquibase\s*formatted.*$").is_some_and(|re| re.is_match(l))
    })
}

/// What a changelog file includes, in order.
#[derive(Clone, Debug)]
enum Entry {
    Include {
        file: String,
        relative: bool,
        contexts: Option<String>,
        labels: Option<String>,
        span: Range<usize>,
    },
    IncludeAll {
        path: String,
        relative: bool,
        contexts: Option<String>,
        labels: Option<String>,
        span: Range<usize>,
    },
}

/// The includes of a YAML, JSON or XML changelog; `None` when the text is
/// not a Liquibase changelog.
fn changelog_entries(name: &str, text: &str) -> Option<Vec<Entry>> {
    if !text.contains("databaseChangeLog") {
        return None;
    }
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".xml") {
        xml_entries(text)
    } else if lower.ends_with(".json") {
        let value: serde_json::Value = serde_json::from_str(text).ok()?;
        let value = serde_yaml::to_value(value).ok()?;
        value_entries(&value, text)
    } else {
        let value: serde_yaml::Value = serde_yaml::from_str(text).ok()?;
        value_entries(&value, text)
    }
}

fn yaml_str(map: &serde_yaml::Value, keys: &[&str]) -> Option<String> {
    keys.iter().find_map(|k| match map.get(*k)? {
        serde_yaml::Value::String(s) => Some(s.clone()),
        serde_yaml::Value::Bool(b) => Some(b.to_string()),
        serde_yaml::Value::Number(n) => Some(n.to_string()),
        _ => None,
    })
}

fn truthy(value: Option<String>) -> bool {
    value.is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
}

/// The span of the first occurrence of `needle` after `from`, for messages.
fn span_of(text: &str, needle: &str, from: usize) -> Range<usize> {
    match text.get(from..).and_then(|t| t.find(needle)) {
        Some(i) => from + i..from + i + needle.len(),
        None => 0..0,
    }
}

fn value_entries(value: &serde_yaml::Value, text: &str) -> Option<Vec<Entry>> {
    let items = value.get("databaseChangeLog")?.as_sequence()?;
    let mut out = Vec::new();
    let mut from = 0;
    for item in items {
        if let Some(inc) = item.get("include") {
            if truthy(yaml_str(inc, &["ignore"])) {
                continue;
            }
            let file = yaml_str(inc, &["file"])?;
            let span = span_of(text, &file, from);
            from = span.end;
            out.push(Entry::Include {
                relative: truthy(yaml_str(inc, &["relativeToChangelogFile"])),
                contexts: yaml_str(inc, &["contextFilter", "context"]),
                labels: yaml_str(inc, &["labels"]),
                file,
                span,
            });
        } else if let Some(inc) = item.get("includeAll") {
            if truthy(yaml_str(inc, &["ignore"])) {
                continue;
            }
            let path = yaml_str(inc, &["path"])?;
            let span = span_of(text, &path, from);
            from = span.end;
            out.push(Entry::IncludeAll {
                relative: truthy(yaml_str(inc, &["relativeToChangelogFile"])),
                contexts: yaml_str(inc, &["contextFilter", "context"]),
                labels: yaml_str(inc, &["labels"]),
                path,
                span,
            });
        }
    }
    Some(out)
}

fn xml_entries(text: &str) -> Option<Vec<Entry>> {
    let doc = roxmltree::Document::parse(text).ok()?;
    let root = doc.root_element();
    if root.tag_name().name() != "databaseChangeLog" {
        return None;
    }
    let attr = |n: &roxmltree::Node, k: &str| n.attribute(k).map(str::to_string);
    let mut out = Vec::new();
    for node in root.children().filter(roxmltree::Node::is_element) {
        if truthy(attr(&node, "ignore")) {
            continue;
        }
        let relative = truthy(attr(&node, "relativeToChangelogFile"));
        let contexts = attr(&node, "contextFilter").or_else(|| attr(&node, "context"));
        let labels = attr(&node, "labels");
        let span = node.range();
        match node.tag_name().name() {
            "include" => out.push(Entry::Include {
                file: attr(&node, "file")?,
                relative,
                contexts,
                labels,
                span,
            }),
            "includeAll" => out.push(Entry::IncludeAll {
                path: attr(&node, "path")?,
                relative,
                contexts,
                labels,
                span,
            }),
            _ => {}
        }
    }
    Some(out)
}

/// Normalises a changelog path as Liquibase records it: `/` separators, no
/// `classpath:` prefix, no leading `/`, `.` and `..` resolved.
fn normalize_path(path: &str) -> String {
    let path = path.trim().replace('\\', "/");
    let path = path.strip_prefix("classpath:").unwrap_or(&path);
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}

fn parent(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(d, _)| d)
}

/// The path Liquibase records for a root changelog at `repo_path`: the
/// classpath path below `src/main/resources/` (Spring Boot), else the path.
fn root_logical_path(repo_path: &str) -> String {
    match repo_path.find("src/main/resources/") {
        Some(i) => repo_path[i + "src/main/resources/".len()..].to_string(),
        None => repo_path.to_string(),
    }
}

/// Contexts and labels that the includes reaching a file add to its
/// changesets.
#[derive(Clone, Debug, Default)]
struct Inherited {
    contexts: Vec<String>,
    labels: Vec<String>,
}

impl Inherited {
    fn with(&self, contexts: &Option<String>, labels: &Option<String>) -> Inherited {
        let mut out = self.clone();
        out.contexts
            .extend(contexts.iter().filter(|c| !c.trim().is_empty()).cloned());
        out.labels
            .extend(labels.iter().filter(|l| !l.trim().is_empty()).cloned());
        out
    }
}

/// Reads changelogs and formatted SQL files into migrations.
struct Walker<'f, 's> {
    files: &'f Files<'s>,
    /// Where non-relative include paths are looked up, in order.
    roots: Vec<String>,
    migrations: Vec<Migration>,
    strays: Vec<Stray>,
    reached: BTreeSet<String>,
    visiting: Vec<String>,
}

impl Walker<'_, '_> {
    fn entry(&self, path: &str) -> Result<Option<FileEntry>> {
        Ok(self
            .files
            .list(path)?
            .iter()
            .find(|e| e.path == path)
            .cloned())
    }

    /// The repository path a non-relative include names.
    fn resolve(&self, file: &str) -> Result<Option<FileEntry>> {
        let file = normalize_path(file);
        for root in &self.roots {
            if let Some(e) = self.entry(&join(root, &file))? {
                return Ok(Some(e));
            }
        }
        Ok(None)
    }

    fn changelog(&mut self, entry: &FileEntry, logical: &str, inherited: &Inherited) -> Result<()> {
        if self.visiting.contains(&entry.path) {
            return Ok(());
        }
        let Ok(text) = self.files.text(entry)? else {
            return Ok(());
        };
        let Some(entries) = changelog_entries(&entry.path, &text) else {
            return Ok(());
        };
        self.reached.insert(entry.path.clone());
        self.visiting.push(entry.path.clone());
        for item in entries {
            match item {
                Entry::Include {
                    file,
                    relative,
                    contexts,
                    labels,
                    span,
                } => {
                    let (found, child_logical) = if relative {
                        let repo = normalize_path(&join(parent(&entry.path), &file));
                        (
                            self.entry(&repo)?,
                            normalize_path(&join(parent(logical), &file)),
                        )
                    } else {
                        (self.resolve(&file)?, normalize_path(&file))
                    };
                    match found {
                        Some(found) => {
                            let inherited = inherited.with(&contexts, &labels);
                            self.file(&found, &child_logical, &inherited)?;
                        }
                        None => self.strays.push(Stray::problem(
                            entry.clone(),
                            Some(span),
                            format!("it includes {file}, which does not exist, so Liquibase stops"),
                            "fix the path (relativeToChangelogFile: true makes it relative to this changelog)",
                        )),
                    }
                }
                Entry::IncludeAll {
                    path,
                    relative,
                    contexts,
                    labels,
                    span,
                } => {
                    let (dir, dir_logical) = if relative {
                        (
                            normalize_path(&join(parent(&entry.path), &path)),
                            normalize_path(&join(parent(logical), &path)),
                        )
                    } else {
                        let logical_dir = normalize_path(&path);
                        let mut found = None;
                        for root in &self.roots {
                            let candidate = join(root, &logical_dir);
                            if !self.files.list(&candidate)?.is_empty() {
                                found = Some(candidate);
                                break;
                            }
                        }
                        (found.unwrap_or_else(|| logical_dir.clone()), logical_dir)
                    };
                    let mut listed: Vec<FileEntry> = self
                        .files
                        .list(&dir)?
                        .iter()
                        .filter(|e| {
                            let name = file_name(&e.path).to_ascii_lowercase();
                            name.ends_with(".sql") || is_changelog_name(&name)
                        })
                        .cloned()
                        .collect();
                    if listed.is_empty() {
                        self.strays.push(Stray::problem(
                            entry.clone(),
                            Some(span),
                            format!("its includeAll of {path} finds no changelog, so Liquibase stops"),
                            "fix the path (relativeToChangelogFile: true makes it relative to this changelog)",
                        ));
                    }
                    // Liquibase includes them in the alphabetical order of
                    // their paths.
                    listed.sort_by(|a, b| a.path.cmp(&b.path));
                    let inherited = inherited.with(&contexts, &labels);
                    for found in listed {
                        let rest = found.path.strip_prefix(&dir).unwrap_or(&found.path);
                        let child_logical = normalize_path(&join(&dir_logical, rest));
                        self.file(&found, &child_logical, &inherited)?;
                    }
                }
            }
        }
        self.visiting.pop();
        Ok(())
    }

    fn file(&mut self, entry: &FileEntry, logical: &str, inherited: &Inherited) -> Result<()> {
        if entry.path.to_ascii_lowercase().ends_with(".sql") {
            self.reached.insert(entry.path.clone());
            let Ok(text) = self.files.text(entry)? else {
                return Ok(());
            };
            if is_formatted(&text) {
                self.migrations
                    .extend(formatted_sql(entry, &text, logical, inherited));
            } else {
                self.migrations
                    .push(raw_sql(entry, &text, logical, inherited));
            }
            Ok(())
        } else {
            self.changelog(entry, logical, inherited)
        }
    }
}

/// The changelogs of a directory that no other changelog of it includes:
/// its root changelogs. Several roots are an error unless one is named
/// `master`.
pub(super) fn root_changelog(
    dir: &str,
    entries: &[FileEntry],
    files: &Files,
) -> Result<Option<FileEntry>> {
    let mut changelogs: Vec<(FileEntry, Vec<Entry>)> = Vec::new();
    for entry in super::direct(dir, entries) {
        if !is_changelog_name(file_name(&entry.path)) {
            continue;
        }
        let Ok(text) = files.text(entry)? else {
            continue;
        };
        if let Some(items) = changelog_entries(&entry.path, &text) {
            changelogs.push((entry.clone(), items));
        }
    }
    let included: BTreeSet<String> = changelogs
        .iter()
        .flat_map(|(_, items)| items.iter())
        .filter_map(|item| match item {
            Entry::Include { file, .. } => Some(file_name(&normalize_path(file)).to_string()),
            Entry::IncludeAll { .. } => None,
        })
        .collect();
    let roots: Vec<FileEntry> = changelogs
        .into_iter()
        .map(|(e, _)| e)
        .filter(|e| !included.contains(file_name(&e.path)))
        .collect();
    if roots.len() <= 1 {
        return Ok(roots.into_iter().next());
    }
    let masters: Vec<&FileEntry> = roots
        .iter()
        .filter(|e| file_name(&e.path).to_ascii_lowercase().contains("master"))
        .collect();
    if let [master] = masters.as_slice() {
        return Ok(Some((*master).clone()));
    }
    let names: Vec<&str> = roots.iter().map(|e| e.path.as_str()).collect();
    Err(Error::new(format!(
        "{} has several Liquibase root changelogs: {}",
        if dir.is_empty() { "." } else { dir },
        names.join(", ")
    ))
    .with_help("name the one Liquibase runs: `liquibase: { changelog: <path> }` for this directory in .sqlgate.yml"))
}

pub(super) fn plan(
    dir: &str,
    entries: &[FileEntry],
    files: &Files,
    settings: &LiquibaseSettings,
) -> Result<Plan> {
    let root = match &settings.changelog {
        Some(path) => {
            let path = normalize_path(path);
            let found = files.list(&path)?.iter().find(|e| e.path == path).cloned();
            Some(found.ok_or_else(|| {
                Error::new(format!("the Liquibase changelog {path} does not exist"))
                    .with_help("fix `liquibase: { changelog: ... }` in .sqlgate.yml (a path from the repository root)")
            })?)
        }
        None => root_changelog(dir, entries, files)?,
    };
    let mut walker = Walker {
        files,
        roots: Vec::new(),
        migrations: Vec::new(),
        strays: Vec::new(),
        reached: BTreeSet::new(),
        visiting: Vec::new(),
    };
    match root {
        Some(root) => {
            let logical = root_logical_path(&root.path);
            // Non-relative includes are looked up from the classpath root
            // (the changelog's path minus its logical path), the repository
            // root, then the changelog's own directories.
            let classpath = root
                .path
                .strip_suffix(&logical)
                .unwrap_or("")
                .trim_end_matches('/');
            let mut roots = vec![classpath.to_string(), String::new()];
            let mut d = parent(&root.path);
            while !d.is_empty() {
                roots.push(d.to_string());
                d = parent(d);
            }
            roots.dedup();
            walker.roots = roots;
            walker.changelog(&root, &logical, &Inherited::default())?;
            for entry in entries
                .iter()
                .filter(|e| e.path.to_ascii_lowercase().ends_with(".sql"))
            {
                if !walker.reached.contains(&entry.path) {
                    walker.strays.push(Stray::problem(
                        entry.clone(),
                        None,
                        format!(
                            "no changelog reached from {} includes it, so Liquibase never runs it",
                            root.path
                        ),
                        "include it from the changelog (or move it out of the migration directory)",
                    ));
                }
            }
        }
        None => {
            let mut sql: Vec<&FileEntry> = entries
                .iter()
                .filter(|e| e.path.to_ascii_lowercase().ends_with(".sql"))
                .collect();
            sql.sort_by(|a, b| a.path.cmp(&b.path));
            for entry in sql {
                let Ok(text) = files.text(entry)? else {
                    continue;
                };
                if is_formatted(&text) {
                    walker.migrations.extend(formatted_sql(
                        entry,
                        &text,
                        &entry.path,
                        &Inherited::default(),
                    ));
                } else {
                    walker.strays.push(Stray::problem(
                        entry.clone(),
                        None,
                        "it does not start with `--liquibase formatted sql`, so Liquibase does not read its changesets",
                        "start the file with `--liquibase formatted sql` and a `--changeset author:id` line",
                    ));
                }
            }
        }
    }
    let Walker {
        mut migrations,
        mut strays,
        ..
    } = walker;
    // Liquibase refuses two changesets with one identity.
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for m in &mut migrations {
        let n = seen.entry(m.id.clone()).or_insert(0);
        if *n > 0 {
            strays.push(Stray::problem(
                m.up.file.clone(),
                m.meta.declared_in.as_ref().map(|(_, span)| span.clone()),
                format!(
                    "changeset {} is defined twice, which Liquibase refuses",
                    m.id
                ),
                "give the changeset an id of its own",
            ));
            m.id = format!("{}#{n}", m.id);
        }
        *n += 1;
    }
    Ok(Plan {
        dir: dir.to_string(),
        layout: super::Layout::Liquibase,
        migrations,
        strays,
    })
}

/// Liquibase's checksum (version 9) of a changeset of one SQL change: the
/// MD5 of the SQL with spaces, tabs and line breaks removed, hashed again
/// with the changeset's separator.
pub fn checksum(sql: &str) -> String {
    let stripped: Vec<u8> = sql
        .bytes()
        .filter(|b| !matches!(b, b' ' | b'\n' | b'\r' | b'\t'))
        .collect();
    let change = format!("9:{}", hex(&Md5::digest(&stripped)));
    format!("9:{}", hex(&Md5::digest(format!("{change}:").as_bytes())))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// An included `.sql` file without the formatted SQL header: Liquibase runs
/// it as one changeset `raw` by `includeAll`.
fn raw_sql(entry: &FileEntry, text: &str, logical: &str, inherited: &Inherited) -> Migration {
    let (body, _) = strip_bom(text);
    Migration {
        id: format!("{logical}::raw::includeAll"),
        version: None,
        description: "raw".to_string(),
        kind: MigrationKind::Versioned,
        up: Script::whole(entry.clone()),
        down: None,
        meta: Meta {
            name: Some(format!("{}::raw::includeAll", file_name(&entry.path))),
            transaction: Transaction::Wrapped,
            checksum: Some(checksum(body)),
            ..Meta::default()
        }
        .with(MoreMeta {
            identity: Some(format!("{logical}::raw::includeAll")),
            author: Some("includeAll".to_string()),
            contexts: inherited.contexts.clone(),
            labels: inherited.labels.clone(),
            ..MoreMeta::default()
        }),
    }
}

/// One changeset being read.
struct Changeset {
    line: Range<usize>,
    author: String,
    id: String,
    attrs: String,
    logical: String,
    end: usize,
    sql: Vec<Range<usize>>,
    rollback: Vec<Range<usize>>,
    comment: Option<String>,
    valid_checksums: Vec<String>,
}

fn attr<'a>(attrs: &'a str, key: &str) -> Option<&'a str> {
    let mut rest = attrs;
    while let Some(start) = rest.find(|c: char| !c.is_whitespace()) {
        rest = &rest[start..];
        let word_end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let (k, v) = rest[..word_end]
            .split_once(':')
            .unwrap_or((&rest[..word_end], ""));
        // A quoted value (`context:"dev and !prod"`) runs to its closing quote.
        let (value, end) = match v.strip_prefix('"') {
            Some(_) => {
                let open = k.len() + 1;
                match rest[open + 1..].find('"') {
                    Some(close) => (&rest[open..open + close + 2], open + close + 2),
                    None => (v, word_end),
                }
            }
            None => (v, word_end),
        };
        if k.eq_ignore_ascii_case(key) && rest[..word_end].contains(':') {
            return Some(value);
        }
        rest = &rest[end..];
    }
    None
}

fn unquote(s: &str) -> &str {
    s.strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(s)
}

/// The changesets of a formatted SQL file, read as Liquibase reads them.
fn formatted_sql(
    entry: &FileEntry,
    text: &str,
    logical: &str,
    inherited: &Inherited,
) -> Vec<Migration> {
    let (body, bom) = strip_bom(text);
    let mut changesets: Vec<Changeset> = Vec::new();
    let mut file_logical = logical.to_string();
    let (
        Some(header),
        Some(changeset_re),
        Some(rollback_re),
        Some(rollback_start),
        Some(rollback_end),
        Some(special),
    ) = (
        regex!(r"(?i)^\s*--\s*liquibase\s*formatted.*$"),
        regex!(r#"(?i)^\s*--[\s]*changeset\s+("[^"]+"|[^:]+):\s*("[^"]+"|\S+)(.*)$"#),
        regex!(r"(?i)^\s*--[\s]*rollback (.*)$"),
        regex!(r"(?i)^\s*/\*\s*liquibase\s*rollback\s*$"),
        regex!(r"(?i)^.*\*/\s*$"),
        regex!(
            r"(?i)^(--[\s]*comments?:? .*|--[\s]*validCheckSum:? .*|\s*--[\s]*preconditions.*|\s*--[\s]*precondition-[a-zA-Z0-9-]+ .*|\s*--[\s]*property\s+.*)$"
        ),
    )
    else {
        return Vec::new();
    };
    let mut ignoring: Option<Option<u64>> = None;
    let mut in_rollback_block = false;
    for line in lines(body) {
        let span = line.start + bom..line.start + bom + line.text.len();
        let next = line.next + bom;
        if let Some(remaining) = ignoring {
            // `--ignoreLines:start` ... `--ignoreLines:end`, or a count.
            ignoring = match remaining {
                Some(n) if n > 1 => Some(Some(n - 1)),
                Some(_) => None,
                None if line.text.trim().eq_ignore_ascii_case("--ignoreLines:end") => None,
                None => Some(None),
            };
            if let Some(c) = changesets.last_mut() {
                c.end = next;
            }
            continue;
        }
        if in_rollback_block {
            if let Some(c) = changesets.last_mut() {
                c.end = next;
                if rollback_end.is_match(line.text) {
                    in_rollback_block = false;
                    if let Some(i) = line.text.rfind("*/") {
                        c.rollback.push(span.start..span.start + i);
                    }
                } else {
                    c.rollback.push(span.clone());
                }
            }
            continue;
        }
        // Every directive starts with `--` (or `/*` for a rollback block):
        // other lines are SQL without looking further.
        let lead = line.text.trim_start();
        if !lead.starts_with("--") && !lead.starts_with("/*") {
            if let Some(c) = changesets.last_mut() {
                c.end = next;
                push_range(&mut c.sql, span.start..next);
            }
            continue;
        }
        // Most comment lines are plain SQL comments: look for a directive's
        // keyword before running its pattern.
        let lower = lead.to_ascii_lowercase();
        let has = |word: &str| lower.contains(word);
        if has("liquibase") && header.is_match(line.text) {
            if let Some(path) = attr(line.text, "logicalFilePath") {
                file_logical = normalize_path(path);
            }
            continue;
        }
        let trimmed = line.text.trim();
        if let Some(rest) = directive_value(trimmed, "ignoreLines:") {
            ignoring = if rest.eq_ignore_ascii_case("start") {
                Some(None)
            } else {
                rest.parse::<u64>().ok().filter(|n| *n > 0).map(Some)
            };
            if let Some(c) = changesets.last_mut() {
                c.end = next;
            }
            continue;
        }
        if let Some(caps) = has("changeset")
            .then(|| changeset_re.captures(line.text))
            .flatten()
        {
            let author = unquote(caps.get(1).map_or("", |m| m.as_str()).trim()).to_string();
            let id = unquote(caps.get(2).map_or("", |m| m.as_str())).to_string();
            let attrs = caps.get(3).map_or("", |m| m.as_str()).to_string();
            let changeset_logical = attr(&attrs, "logicalFilePath")
                .map_or_else(|| file_logical.clone(), normalize_path);
            changesets.push(Changeset {
                line: span.clone(),
                author,
                id,
                attrs,
                logical: changeset_logical,
                end: next,
                sql: Vec::new(),
                rollback: Vec::new(),
                comment: None,
                valid_checksums: Vec::new(),
            });
            continue;
        }
        let Some(c) = changesets.last_mut() else {
            continue;
        };
        c.end = next;
        if let Some(caps) = has("rollback")
            .then(|| rollback_re.captures(line.text))
            .flatten()
        {
            if let Some(m) = caps.get(1) {
                c.rollback
                    .push(span.start + m.start()..span.start + m.end());
            }
        } else if has("rollback") && rollback_start.is_match(line.text) {
            in_rollback_block = true;
        } else if ["comment", "validchecksum", "precondition", "property"]
            .iter()
            .any(|w| has(w))
            && special.is_match(line.text)
        {
            if let Some(comment) = directive_value(trimmed, "comment") {
                c.comment = Some(comment.trim_start_matches(':').trim().to_string());
            } else if let Some(sum) = directive_value(trimmed, "validCheckSum") {
                c.valid_checksums
                    .push(sum.trim_start_matches(':').trim().to_string());
            }
        } else {
            push_range(&mut c.sql, span.start..next);
        }
    }
    let mut migrations = Vec::new();
    for c in changesets {
        if attr(&c.attrs, "ignore").is_some_and(|v| v.eq_ignore_ascii_case("true")) {
            continue;
        }
        let flag = |key: &str, default: bool| {
            attr(&c.attrs, key).map_or(default, |v| v.eq_ignore_ascii_case("true"))
        };
        let run_on_change = flag("runOnChange", false);
        let run_always = flag("runAlways", false);
        let sql_text: String = c.sql.iter().filter_map(|r| text.get(r.clone())).collect();
        let span = c.line.start..c.end;
        let mut up = Script::section(entry.clone(), span.clone());
        up.masks = complement(span.clone(), &c.sql);
        up.atomic = statements(text, &c.sql, &c.attrs, &mut up.masks);
        let rollback_text: String = c
            .rollback
            .iter()
            .filter_map(|r| text.get(r.clone()))
            .collect::<Vec<_>>()
            .join("\n");
        let down = c.rollback.first().map(|first| {
            let last_end = c.rollback.last().map_or(first.end, |r| r.end);
            let down_span = first.start..last_end;
            let mut down = Script::section(entry.clone(), down_span.clone());
            let lower = rollback_text.trim().to_ascii_lowercase();
            // `not required` / `empty` is an explicit no-op rollback, and
            // `changesetId:...` rolls back with another changeset's SQL:
            // both are downs without SQL of their own.
            down.masks = if lower.starts_with("not required")
                || lower.starts_with("empty")
                || lower.contains("changesetid")
            {
                vec![down_span]
            } else {
                complement(down_span, &c.rollback)
            };
            down
        });
        let identity = format!("{}::{}::{}", c.logical, c.id, c.author);
        let split = |s: &str| {
            s.split(',')
                .map(|x| x.trim().to_string())
                .filter(|x| !x.is_empty())
                .collect::<Vec<_>>()
        };
        let mut contexts = inherited.contexts.clone();
        if let Some(ctx) = attr(&c.attrs, "contextFilter").or_else(|| attr(&c.attrs, "context")) {
            contexts.push(unquote(ctx).to_string());
        }
        let mut labels = inherited.labels.clone();
        if let Some(l) = attr(&c.attrs, "labels") {
            labels.extend(split(unquote(l)));
        }
        migrations.push(Migration {
            id: identity.clone(),
            version: None,
            description: c.comment.clone().unwrap_or_else(|| c.id.clone()),
            kind: if run_on_change || run_always {
                MigrationKind::Repeatable
            } else {
                MigrationKind::Versioned
            },
            up,
            down,
            meta: Meta {
                name: Some(format!(
                    "{}::{}::{}",
                    file_name(&entry.path),
                    c.id,
                    c.author
                )),
                transaction: if flag("runInTransaction", true) {
                    Transaction::Wrapped
                } else {
                    Transaction::Unwrapped
                },
                checksum: Some(checksum(&sql_text)),
                ..Meta::default()
            }
            .with(MoreMeta {
                identity: Some(identity),
                author: Some(c.author.clone()),
                contexts,
                labels,
                dbms: attr(&c.attrs, "dbms").map(str::to_string),
                run_on_change,
                run_always,
                valid_checksums: c.valid_checksums.clone(),
                declared_in: Some((entry.path.clone(), c.line.clone())),
                ..MoreMeta::default()
            }),
        });
    }
    migrations
}

/// Appends a range, merged with the last one when they touch.
fn push_range(ranges: &mut Vec<Range<usize>>, range: Range<usize>) {
    match ranges.last_mut() {
        Some(last) if last.end == range.start => last.end = range.end,
        _ => ranges.push(range),
    }
}

/// The rest of a `--<keyword>...` line after the keyword (any case), when
/// the line is that directive.
fn directive_value<'l>(line: &'l str, keyword: &str) -> Option<&'l str> {
    let rest = line.strip_prefix("--")?.trim_start();
    let head = rest.get(..keyword.len())?;
    head.eq_ignore_ascii_case(keyword)
        .then(|| rest[keyword.len()..].trim())
}

/// Statement boundaries Liquibase takes from the changeset's attributes:
/// `splitStatements:false` makes the SQL one statement; an `endDelimiter`
/// (or a closing `/` line, as Liquibase assumes for Oracle) splits it at
/// that delimiter, whose lines are then masked. Returns the atomic spans.
fn statements(
    text: &str,
    sql: &[Range<usize>],
    attrs: &str,
    masks: &mut Vec<Range<usize>>,
) -> Vec<Range<usize>> {
    let (Some(first), Some(last)) = (sql.first(), sql.last()) else {
        return Vec::new();
    };
    if attr(attrs, "splitStatements").is_some_and(|v| v.eq_ignore_ascii_case("false")) {
        let whole = first.start..last.end;
        return vec![whole];
    }
    let line_text = |r: &Range<usize>| text.get(r.clone()).unwrap_or("").trim();
    // The SQL's lines, each with its terminator.
    let sql: Vec<Range<usize>> = sql
        .iter()
        .flat_map(|r| {
            lines(text.get(r.clone()).unwrap_or(""))
                .map(move |l| r.start + l.start..r.start + l.next)
        })
        .collect();
    let delimiter = match attr(attrs, "endDelimiter") {
        Some(d) => d.trim_start_matches("\\n").to_string(),
        None if sql.iter().rev().map(line_text).find(|l| !l.is_empty()) == Some("/") => {
            "/".to_string()
        }
        None => return Vec::new(),
    };
    if delimiter.is_empty() || delimiter == ";" {
        return Vec::new();
    }
    let mut atomic = Vec::new();
    let mut start: Option<usize> = None;
    for r in &sql {
        let t = line_text(r);
        if t.eq_ignore_ascii_case(&delimiter) {
            if let Some(s) = start.take() {
                atomic.push(s..r.start);
            }
            masks.push(r.clone());
            masks.sort_by_key(|m| m.start);
        } else if start.is_none() && !t.is_empty() {
            start = Some(r.start);
        }
    }
    if let Some(s) = start {
        atomic.push(s..last.end);
    }
    atomic
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_attribute_values_keep_their_spaces() {
        let attrs = "runOnChange:true context:\"dev and !prod\" labels:v1,reporting";
        assert_eq!(attr(attrs, "context").map(unquote), Some("dev and !prod"));
        assert_eq!(attr(attrs, "labels"), Some("v1,reporting"));
        assert_eq!(attr(attrs, "runonchange"), Some("true"));
        assert_eq!(attr(attrs, "dbms"), None);
        assert_eq!(
            attr("context:\"unclosed and", "context"),
            Some("\"unclosed")
        );
    }

    const FILE: &str = "--liquibase formatted sql\n\n--changeset alice:create-users\n--comment: users of the shop\nCREATE TABLE users (\n    id bigint PRIMARY KEY,\n    email text NOT NULL\n);\n--rollback DROP TABLE users;\n\n--changeset bob:orders-view runOnChange:true context:dev labels:reporting,v2\nCREATE OR REPLACE VIEW order_totals AS SELECT 1 AS n;\n\n--changeset carol:touch splitStatements:false runInTransaction:false\nCREATE FUNCTION touch() RETURNS trigger AS $$\nBEGIN\n  NEW.updated_at := now();\n  RETURN NEW;\nEND;\n$$ LANGUAGE plpgsql;\n/* liquibase rollback\nDROP FUNCTION touch();\n*/\n";

    fn parse(text: &str) -> Vec<Migration> {
        let entry = FileEntry {
            path: "db/changelog/001.sql".into(),
            id: None,
        };
        formatted_sql(&entry, text, "db/changelog/001.sql", &Inherited::default())
    }

    #[test]
    fn changesets_are_migrations_with_their_rollbacks() {
        let ms = parse(FILE);
        assert_eq!(ms.len(), 3);
        assert_eq!(ms[0].id, "db/changelog/001.sql::create-users::alice");
        assert_eq!(ms[0].description, "users of the shop");
        let up = ms[0].up.text(FILE);
        assert!(up.contains("CREATE TABLE users"));
        assert!(
            !up.contains("--changeset") && !up.contains("--rollback") && !up.contains("--comment")
        );
        let down = ms[0].down.as_ref().unwrap().text(FILE);
        assert_eq!(down.trim(), "DROP TABLE users;");
        assert!(ms[1].down.is_none());
        assert_eq!(ms[1].kind, MigrationKind::Repeatable);
        assert_eq!(ms[1].meta.contexts, vec!["dev"]);
        assert_eq!(ms[1].meta.labels, vec!["reporting", "v2"]);
        assert_eq!(ms[2].up.atomic.len(), 1);
        assert_eq!(ms[2].meta.transaction, Transaction::Unwrapped);
        assert_eq!(
            ms[2].down.as_ref().unwrap().text(FILE).trim(),
            "DROP FUNCTION touch();"
        );
    }

    #[test]
    fn checksum_ignores_whitespace_and_other_changesets() {
        let before = parse(FILE);
        let reformatted = FILE.replace(
            "    id bigint PRIMARY KEY,\n",
            "  id   bigint PRIMARY KEY,\r\n",
        );
        let after = parse(&reformatted);
        assert_eq!(before[0].meta.checksum, after[0].meta.checksum);
        let edited = FILE.replace("SELECT 1 AS n", "SELECT 2 AS n");
        let after = parse(&edited);
        assert_eq!(before[0].meta.checksum, after[0].meta.checksum);
        assert_ne!(before[1].meta.checksum, after[1].meta.checksum);
        assert_eq!(before[2].meta.checksum, after[2].meta.checksum);
        let rollback_edit = FILE.replace(
            "--rollback DROP TABLE users;",
            "--rollback DROP TABLE IF EXISTS users;",
        );
        assert_eq!(
            before[0].meta.checksum,
            parse(&rollback_edit)[0].meta.checksum
        );
    }

    #[test]
    fn rollback_not_required_is_a_down_without_sql() {
        let ms = parse("--liquibase formatted sql\n--changeset a:1\nINSERT INTO t VALUES (1);\n--rollback not required\n");
        let down = ms[0].down.as_ref().unwrap();
        assert!(down.text("--liquibase formatted sql\n--changeset a:1\nINSERT INTO t VALUES (1);\n--rollback not required\n").trim().is_empty());
    }

    #[test]
    fn end_delimiter_lines_split_statements_and_are_not_sql() {
        let text = "--liquibase formatted sql\n--changeset a:proc endDelimiter:/\nCREATE OR REPLACE PROCEDURE p AS\nBEGIN\n  NULL;\nEND;\n/\nGRANT EXECUTE ON p TO app;\n/\n";
        let ms = parse(text);
        let up = &ms[0].up;
        assert_eq!(up.atomic.len(), 2);
        assert!(text[up.atomic[0].clone()].starts_with("CREATE OR REPLACE PROCEDURE"));
        assert!(text[up.atomic[0].clone()].trim_end().ends_with("END;"));
        assert!(!up.text(text).contains('/'));
    }

    #[test]
    fn header_is_the_first_non_blank_line() {
        assert!(is_formatted("\n\n-- liquibase formatted sql\n"));
        assert!(is_formatted(
            "\u{feff}--Liquibase Formatted SQL logicalFilePath:x.sql\n"
        ));
        assert!(!is_formatted("-- a comment\n--liquibase formatted sql\n"));
    }

    #[test]
    fn changelog_includes_in_yaml_and_xml() {
        let yaml = "databaseChangeLog:\n  - include:\n      file: changes/001-users.sql\n      relativeToChangelogFile: true\n  - includeAll:\n      path: db/changelog/later/\n";
        let entries = changelog_entries("master.yaml", yaml).unwrap();
        assert!(
            matches!(&entries[0], Entry::Include { file, relative: true, .. } if file == "changes/001-users.sql")
        );
        assert!(
            matches!(&entries[1], Entry::IncludeAll { path, relative: false, .. } if path == "db/changelog/later/")
        );
        let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<databaseChangeLog xmlns="http://www.liquibase.org/xml/ns/dbchangelog">
    <!-- <include file="old.sql"/> -->
    <include file="changes/001-users.sql" relativeToChangelogFile="true" context="prod"/>
</databaseChangeLog>"#;
        let entries = changelog_entries("master.xml", xml).unwrap();
        assert_eq!(entries.len(), 1);
        assert!(matches!(&entries[0], Entry::Include { contexts: Some(c), .. } if c == "prod"));
    }
}
