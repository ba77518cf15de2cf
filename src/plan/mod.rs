//! Plans and Changes. A Plan is the ordered list of Migrations of one
//! directory in one Snapshot; a Change is what differs between two Plans.
//! Owns version ordering and migration identity. Must not know git, SQL
//! parsing, rules or output formats.

pub mod change;
pub mod version;

use std::ops::Range;

use crate::layout::Layout;
use crate::source::FileEntry;

pub use change::{diff, Change, ChangeKind};
pub use version::Version;

/// Whether a migration runs once by version, again when it changes, or marks
/// where history starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MigrationKind {
    /// Runs once, in version order.
    Versioned,
    /// Flyway `R__`: re-runs whenever its checksum changes; editing is normal.
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
}

impl Script {
    /// A script that is a whole file.
    pub fn whole(file: FileEntry) -> Script {
        Script {
            file,
            span: None,
            atomic: Vec::new(),
        }
    }

    /// The script's text, cut out of its file's text.
    pub fn slice<'t>(&self, file_text: &'t str) -> &'t str {
        match &self.span {
            Some(span) => file_text.get(span.clone()).unwrap_or(""),
            None => file_text,
        }
    }

    /// Byte offset of the script in its file.
    pub fn offset(&self) -> usize {
        self.span.as_ref().map_or(0, |s| s.start)
    }
}

/// Tool-specific facts about a migration.
#[derive(Clone, Debug, Default)]
pub struct Meta {
    /// The tool runs this migration outside a transaction.
    pub no_transaction: bool,
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

    /// The migration's name as a reviewer knows it: its up file's name.
    pub fn name(&self) -> &str {
        let path = &self.up.file.path;
        path.rsplit('/').next().unwrap_or(path)
    }
}

/// A file in a migration directory that fits none of the layout's names.
#[derive(Clone, Debug)]
pub struct Stray {
    /// The file.
    pub file: FileEntry,
    /// What the layout expected instead.
    pub expected: String,
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
    /// version, then repeatable ones by description.
    pub fn sort(&mut self) {
        self.migrations.sort_by(|a, b| {
            let rank = |m: &Migration| (m.kind == MigrationKind::Repeatable) as u8;
            rank(a)
                .cmp(&rank(b))
                .then_with(|| a.version.cmp(&b.version))
                .then_with(|| a.description.cmp(&b.description))
                .then_with(|| a.up.file.path.cmp(&b.up.file.path))
        });
    }
}
