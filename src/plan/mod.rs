//! Plans and Changes. A Plan is the ordered list of Migrations of one
//! directory in one Snapshot; a Change is what differs between two Plans.
//! Owns version ordering and migration identity. Must not know git, SQL
//! parsing, rules or output formats.

pub mod change;
pub mod expression;
pub mod promotion;
pub mod version;

use std::borrow::Cow;
use std::ops::Range;

use crate::layout::Layout;
use crate::source::{BlobId, FileEntry};

pub use change::{diff, Change, ChangeKind};
pub use version::Version;

/// Whether a migration runs once by version, again when it changes, or marks
/// where history starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MigrationKind {
    /// Runs once, in version order.
    Versioned,
    /// Re-runs whenever its content changes (Flyway `R__`, Liquibase
    /// `runOnChange`) or on every run (Liquibase `runAlways`): editing it is
    /// normal.
    Repeatable,
    /// Flyway `B`: the schema as of this version, for new databases.
    Baseline,
}

/// SQL text of one up or down script: a whole file or a section of it.
#[derive(Clone, Debug)]
pub struct Script {
    /// The file that holds it.
    pub file: FileEntry,
    /// Byte span in the file; `None` for the whole file.
    pub span: Option<Range<usize>>,
    /// Spans (relative to the file) that are one statement each, such as
    /// goose `StatementBegin` blocks.
    pub atomic: Vec<Range<usize>>,
    /// Spans (relative to the file, inside `span`) that are not SQL of this
    /// script and read as blanks: a Liquibase changeset's `--changeset` and
    /// `--rollback` lines in its up script, everything but the rollback SQL
    /// in its down script. Blanking keeps every byte offset that of the file.
    pub masks: Vec<Range<usize>>,
    /// The script is not SQL that sqlgate reads in the configured dialect (a
    /// pop `.fizz` file, a pop script for another database): no rule parses
    /// it, but it still counts for ordering and for what was applied.
    pub unread: bool,
}

impl Script {
    /// A script that is a whole file.
    pub fn whole(file: FileEntry) -> Script {
        Script {
            file,
            span: None,
            atomic: Vec::new(),
            masks: Vec::new(),
            unread: false,
        }
    }

    /// A script that is the span `span` of a file.
    pub fn section(file: FileEntry, span: Range<usize>) -> Script {
        Script {
            file,
            span: Some(span),
            atomic: Vec::new(),
            masks: Vec::new(),
            unread: false,
        }
    }

    /// The script's bytes as written, cut out of its file's text.
    pub fn slice<'t>(&self, file_text: &'t str) -> &'t str {
        match &self.span {
            Some(span) => file_text.get(span.clone()).unwrap_or(""),
            None => file_text,
        }
    }

    /// The script's SQL: its slice with the masked spans blanked out (spaces,
    /// newlines kept), so that offsets in it are still those of the file.
    pub fn text<'t>(&self, file_text: &'t str) -> Cow<'t, str> {
        let slice = self.slice(file_text);
        if self.masks.is_empty() {
            return Cow::Borrowed(slice);
        }
        let offset = self.offset();
        let mut bytes = slice.as_bytes().to_vec();
        for mask in &self.masks {
            let start = mask.start.saturating_sub(offset).min(bytes.len());
            let end = mask.end.saturating_sub(offset).min(bytes.len());
            for b in &mut bytes[start..end] {
                if *b != b'\n' && *b != b'\r' {
                    *b = b' ';
                }
            }
        }
        // Blanking whole UTF-8 sequences byte by byte keeps the text valid:
        // every byte of a masked multi-byte character becomes a space.
        Cow::Owned(String::from_utf8(bytes).unwrap_or_else(|_| slice.to_string()))
    }

    /// Byte offset of the script in its file.
    pub fn offset(&self) -> usize {
        self.span.as_ref().map_or(0, |s| s.start)
    }
}

/// How a tool runs a migration's up script with respect to transactions.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Transaction {
    /// The tool opens a transaction around the migration and commits it at
    /// the end (the default of Flyway, Liquibase, dbmate, goose, Diesel,
    /// sqlx, Atlas).
    Wrapped,
    /// The tool sends the whole script in one call: PostgreSQL then runs a
    /// script of several statements as one implicit transaction, other
    /// databases statement by statement (golang-migrate, Prisma, dbmate
    /// `transaction:false`, Diesel `run_in_transaction = false`, sqlx
    /// `-- no-transaction`).
    Implicit,
    /// The tool runs the statements one by one without a transaction of its
    /// own; the script may open one itself (sqitch, goose `NO TRANSACTION`,
    /// Liquibase `runInTransaction:false`, Flyway
    /// `executeInTransaction=false`, Atlas `txmode none`).
    Unwrapped,
    /// The layout does not say (plain directories run by an unknown tool).
    #[default]
    Unknown,
}

/// A directive at the top of an up script that changes how the tool runs it.
/// File-per-migration layouts do not read scripts to build a Plan, so the
/// directive is resolved from the text by `Migration::transaction`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TransactionDirective {
    /// sqlx: a script that starts with `-- no-transaction`.
    SqlxNoTransaction,
    /// Atlas: `-- atlas:txmode none` among the file's leading directives.
    AtlasTxModeNone,
}

impl TransactionDirective {
    /// How the tool runs a script with this directive, if `up_text` has it.
    fn applies(self, up_text: &str) -> Option<Transaction> {
        match self {
            TransactionDirective::SqlxNoTransaction => up_text
                .starts_with("-- no-transaction")
                .then_some(Transaction::Implicit),
            TransactionDirective::AtlasTxModeNone => {
                let none = leading_comment_lines(up_text).any(|line| {
                    line.strip_prefix("--")
                        .map(str::trim)
                        .and_then(|d| d.strip_prefix("atlas:txmode"))
                        .is_some_and(|mode| mode.trim() == "none")
                });
                none.then_some(Transaction::Unwrapped)
            }
        }
    }
}

/// Atlas's file directives: the comment lines at the top of a file, when a
/// blank line separates them from the statements.
fn leading_comment_lines(text: &str) -> impl Iterator<Item = &str> {
    let mut lines = Vec::new();
    let mut rest = text;
    while rest.starts_with("--") || rest.starts_with('#') {
        match rest.find('\n') {
            Some(i) => {
                lines.push(rest[..i].trim());
                rest = &rest[i + 1..];
            }
            None => {
                lines.push(rest.trim());
                rest = "";
                break;
            }
        }
    }
    // As Atlas reads them: a blank line ("\n", not "\r\n") must follow.
    let separated = rest.trim_start_matches([' ', '\t']).starts_with('\n');
    lines.into_iter().filter(move |_| separated)
}

/// Tool-specific facts about a migration. The facts only some layouts
/// have (Liquibase, sqitch) are kept out of line, in `MoreMeta`, and read
/// through this struct (`meta.contexts`): most migrations have none, and a
/// Plan holds thousands of migrations.
#[derive(Clone, Debug, Default)]
pub struct Meta {
    /// How the tool names the migration when that is not its up file's name:
    /// a Prisma or Diesel folder, a Liquibase changeset (`file::id::author`),
    /// a sqitch change.
    pub name: Option<String>,
    /// How the tool runs the up script, as far as the Plan knows it.
    pub transaction: Transaction,
    /// A directive in the up script that changes `transaction`.
    pub transaction_directive: Option<TransactionDirective>,
    /// What the tool records about the migration, when the layout computes
    /// it from what it reads to build the Plan: Liquibase's changeset
    /// checksum (`9:...`), sqitch's plan entry (the parts of its change ID).
    /// It must be equal on both sides for the migration to be unchanged.
    pub checksum: Option<String>,
    /// The other facts; `None` when they are all empty.
    pub more: Option<Box<MoreMeta>>,
}

/// The facts of `Meta` only some layouts have.
#[derive(Clone, Debug, Default)]
pub struct MoreMeta {
    /// The identity the tool records for it, when not the version: Liquibase
    /// `path::id::author` (the path as Liquibase sees it), sqitch's change
    /// name (`name@tag` for a reworked change's earlier instance).
    pub identity: Option<String>,
    /// Liquibase changeset author, sqitch planner.
    pub author: Option<String>,
    /// Liquibase contexts (the changeset's `context`/`contextFilter`
    /// expression and those of the includes that reach it).
    pub contexts: Vec<String>,
    /// Liquibase labels (the changeset's and its includes').
    pub labels: Vec<String>,
    /// Liquibase `dbms`.
    pub dbms: Option<String>,
    /// sqitch: the changes it requires (`[users appschema]`).
    pub requires: Vec<String>,
    /// sqitch: the changes it conflicts with (`[!users]`).
    pub conflicts: Vec<String>,
    /// sqitch: the tags that follow it in the plan (`@v1.0`).
    pub tags: Vec<String>,
    /// Liquibase `runOnChange:true`.
    pub run_on_change: bool,
    /// Liquibase `runAlways:true`.
    pub run_always: bool,
    /// Liquibase `validCheckSum` values: checksums the tool accepts for this
    /// changeset besides its own (`ANY` accepts every edit).
    pub valid_checksums: Vec<String>,
    /// Where the tool declares the migration, when not in its up file: the
    /// `sqitch.plan` line of a change (path and byte span).
    pub declared_in: Option<(String, Range<usize>)>,
    /// sqitch: the verify script.
    pub verify: Option<FileEntry>,
}

/// `MoreMeta` with every fact empty.
static NO_MORE: MoreMeta = MoreMeta {
    identity: None,
    author: None,
    contexts: Vec::new(),
    labels: Vec::new(),
    dbms: None,
    requires: Vec::new(),
    conflicts: Vec::new(),
    tags: Vec::new(),
    run_on_change: false,
    run_always: false,
    valid_checksums: Vec::new(),
    declared_in: None,
    verify: None,
};

impl Meta {
    /// The facts with `more` set.
    pub fn with(mut self, more: MoreMeta) -> Meta {
        self.more = Some(Box::new(more));
        self
    }
}

impl std::ops::Deref for Meta {
    type Target = MoreMeta;

    fn deref(&self) -> &MoreMeta {
        self.more.as_deref().unwrap_or(&NO_MORE)
    }
}

impl std::ops::DerefMut for Meta {
    fn deref_mut(&mut self) -> &mut MoreMeta {
        self.more.get_or_insert_with(Box::default)
    }
}

/// One migration of a Plan.
#[derive(Clone, Debug)]
pub struct Migration {
    /// Identity within its directory: the version for versioned migrations,
    /// the file for repeatable ones.
    pub id: String,
    /// Version; `None` for repeatable migrations.
    pub version: Option<Version>,
    /// The description part of the name, as written.
    pub description: String,
    /// Versioned, repeatable or baseline.
    pub kind: MigrationKind,
    /// The up script.
    pub up: Script,
    /// The down script, when the layout has one and it exists.
    pub down: Option<Script>,
    /// Tool-specific facts.
    pub meta: Meta,
}

impl Migration {
    /// Whether it requires a change of another project (sqitch
    /// `project:change`): it runs after objects no migration here creates.
    pub fn requires_other_project(&self) -> bool {
        self.meta.requires.iter().any(|r| r.contains(':'))
    }

    /// Every file the migration comes from.
    pub fn files(&self) -> Vec<&FileEntry> {
        let mut files = vec![&self.up.file];
        if let Some(down) = &self.down {
            if down.file.path != self.up.file.path {
                files.push(&down.file);
            }
        }
        files
    }

    /// The blob ids of `files()`, in the same order, and how many there
    /// are (without allocating: Plans compare thousands of migrations).
    fn file_ids(&self) -> ([Option<BlobId>; 2], usize) {
        match &self.down {
            Some(down) if down.file.path != self.up.file.path => {
                ([self.up.file.id, down.file.id], 2)
            }
            _ => ([self.up.file.id, None], 1),
        }
    }

    /// Whether `other` comes from the same blobs at the same places, with
    /// the same tool record (a sqitch plan entry): then nothing changed,
    /// without reading a byte. False when a blob id is unknown.
    pub fn same_files(&self, other: &Migration) -> bool {
        let ((a, na), (b, nb)) = (self.file_ids(), other.file_ids());
        let (a, b) = (&a[..na], &b[..nb]);
        a.iter().chain(b).all(Option::is_some)
            && a == b
            && self.up.span == other.up.span
            && self.down.as_ref().map(|d| &d.span) == other.down.as_ref().map(|d| &d.span)
            && self.meta.checksum == other.meta.checksum
    }

    /// The migration's name as a reviewer knows it: the tool's name for it
    /// (a Prisma folder, a Liquibase changeset, a sqitch change), else its
    /// up file's name.
    pub fn name(&self) -> &str {
        if let Some(name) = &self.meta.name {
            return name;
        }
        let path = &self.up.file.path;
        path.rsplit('/').next().unwrap_or(path)
    }

    /// How the tool runs the up script, whose text is `up_text` (the up
    /// script's slice; only read for layouts with directives).
    pub fn transaction(&self, up_text: &str) -> Transaction {
        self.meta
            .transaction_directive
            .and_then(|d| d.applies(up_text))
            .unwrap_or(self.meta.transaction)
    }

    /// Whether the tool wraps the up script in a transaction it opens.
    pub fn transactional(&self, up_text: &str) -> bool {
        self.transaction(up_text) == Transaction::Wrapped
    }

    /// Whether the tool accepts this migration, already applied as `base`,
    /// in its present form: repeatable migrations re-run when they change,
    /// and Liquibase accepts a changeset whose `validCheckSum` lists the
    /// applied checksum (or `ANY`).
    pub fn accepts_edit_of(&self, base: &Migration) -> bool {
        if self.kind == MigrationKind::Repeatable {
            return true;
        }
        self.meta.valid_checksums.iter().any(|v| {
            v.eq_ignore_ascii_case("ANY") || base.meta.checksum.as_deref() == Some(v.as_str())
        })
    }
}

/// A file in a migration directory that its tool would not run as it is: a
/// name that fits none of the layout's, a file its tool cannot read as a
/// migration (a dbmate file without `-- migrate:up`), a `.sql` file that no
/// Liquibase changelog or sqitch plan reaches, or a plan entry whose script
/// is missing.
#[derive(Clone, Debug)]
pub struct Stray {
    /// The file.
    pub file: FileEntry,
    /// What the layout expected instead: a file name pattern when `problem`
    /// is `None`, else advice on what to write.
    pub expected: String,
    /// What is wrong, when it is more than a name the layout does not know.
    pub problem: Option<String>,
    /// Where in the file (a plan line, an include), when not the whole file.
    pub span: Option<Range<usize>>,
}

impl Stray {
    /// A file whose name fits none of the layout's; `expected` is a pattern.
    pub fn name(file: FileEntry, expected: impl Into<String>) -> Stray {
        Stray {
            file,
            expected: expected.into(),
            problem: None,
            span: None,
        }
    }

    /// A file (or a span of it) its tool cannot run: `problem` says why,
    /// `advice` what to do.
    pub fn problem(
        file: FileEntry,
        span: Option<Range<usize>>,
        problem: impl Into<String>,
        advice: impl Into<String>,
    ) -> Stray {
        Stray {
            file,
            expected: advice.into(),
            problem: Some(problem.into()),
            span,
        }
    }
}

/// The ordered Migrations of one directory in one Snapshot.
#[derive(Clone, Debug)]
pub struct Plan {
    /// The directory, relative to the repository root.
    pub dir: String,
    /// The layout its files follow.
    pub layout: Layout,
    /// Migrations in the order the tool runs them.
    pub migrations: Vec<Migration>,
    /// `.sql` files that fit no name of the layout.
    pub strays: Vec<Stray>,
}

impl Plan {
    /// The migration with the highest version, if any.
    pub fn latest(&self) -> Option<&Migration> {
        self.migrations
            .iter()
            .filter(|m| m.kind == MigrationKind::Versioned)
            .filter(|m| m.version.is_some())
            .max_by(|a, b| a.version.cmp(&b.version))
    }

    /// Sorts migrations as the tool runs them: versioned and baseline by
    /// version, then repeatable ones by description. Layouts whose order is
    /// a plan's (Liquibase, sqitch) are not sorted.
    pub fn sort(&mut self) {
        if self.layout.ordered_by_plan() {
            return;
        }
        let order = |a: &Migration, b: &Migration| {
            let rank = |m: &Migration| (m.kind == MigrationKind::Repeatable) as u8;
            rank(a)
                .cmp(&rank(b))
                .then_with(|| a.version.cmp(&b.version))
                .then_with(|| a.description.cmp(&b.description))
                .then_with(|| a.up.file.path.cmp(&b.up.file.path))
        };
        // Layouts mostly build their migrations in order already: checking
        // costs one comparison per migration, sorting moves them all.
        if !self.migrations.is_sorted_by(|a, b| order(a, b).is_le()) {
            self.migrations.sort_by(order);
        }
    }
}
