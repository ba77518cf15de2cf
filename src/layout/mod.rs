//! Layouts: one adapter per migration tool's file convention, each turning
//! the files of one directory of a Snapshot into a Plan as the tool reads
//! them, plus detection of which layout a directory follows and where
//! migration directories are. Each layout also says what its tool counts as
//! a change (`unchanged`), what its down is, and how it names files.
//! Must not know git, rules or output formats; reads file text only through
//! `source::Files`, and file-per-migration layouts never read a migration's
//! text to build a Plan.

pub mod atlas;
mod dbmate;
mod detect;
mod diesel;
mod flyway;
mod golang_migrate;
mod goose;
pub mod liquibase;
pub mod new;
mod plain;
mod pop;
mod prisma;
mod sqitch;
mod sqlx;
mod text;

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Deserialize;

use crate::error::Result;
use crate::plan::{self, Migration, Plan, Script};
use crate::source::{FileEntry, Files};

pub use detect::{detect, discover, Detection};
pub use flyway::FlywayNames;
pub use liquibase::LiquibaseSettings;
pub use pop::sql_dialect_of as pop_dialect_infix;

/// A migration tool's file convention.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Layout {
    /// Flyway: `V1__desc.sql`, `U1__desc.sql`, `R__desc.sql`, `B1__desc.sql`.
    Flyway,
    /// golang-migrate: `0001_desc.up.sql` and `0001_desc.down.sql`.
    GolangMigrate,
    /// gobuffalo/pop: `<version>_<name>[.<dialect>].up.sql` (or `.down.sql`,
    /// `.fizz`), scripts per database beside scripts for every database.
    Pop,
    /// dbmate: one file with `-- migrate:up` and `-- migrate:down` sections.
    Dbmate,
    /// goose: one file with `-- +goose Up` and `-- +goose Down` sections.
    Goose,
    /// Liquibase formatted SQL changelogs, ordered by a master changelog.
    Liquibase,
    /// sqitch: `sqitch.plan` with `deploy/`, `revert/`, `verify/` scripts.
    Sqitch,
    /// Prisma Migrate: `<timestamp>_<name>/migration.sql`.
    Prisma,
    /// Diesel: `<version>_<name>/up.sql` and `down.sql`.
    Diesel,
    /// sqlx: `<version>_<desc>.sql`, or `.up.sql` and `.down.sql`.
    Sqlx,
    /// Atlas's directory format: `<version>_<name>.sql` and `atlas.sum`.
    Atlas,
    /// Sorted `.sql` files with a numeric or timestamp prefix.
    Plain,
}

/// How a migration tool runs a migration's statements with respect to
/// transactions: the one question the transaction rules ask of a layout.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transaction {
    /// The tool opens a transaction around the migration and commits it with
    /// its own bookkeeping: a `BEGIN` or `COMMIT` inside nests or ends it.
    Wrapped,
    /// Like `Wrapped`, unless every statement is one PostgreSQL cannot run
    /// in a transaction (`CREATE INDEX CONCURRENTLY`, `VACUUM`, ...): the
    /// tool then runs the migration without one. A migration that mixes
    /// both kinds is refused by the tool (Flyway with `mixed: false`).
    WrappedUnlessNonTransactional,
    /// The tool sends the whole script as one multi-statement query, which
    /// PostgreSQL runs as one implicit transaction when it holds more than
    /// one statement; explicit `BEGIN`/`COMMIT` inside it are allowed
    /// (golang-migrate's postgres driver without `x-multi-statement`).
    MultiStatementQuery,
    /// No transaction: each statement commits on its own.
    None,
}

/// Every layout.
pub const ALL: &[Layout] = &[
    Layout::Flyway,
    Layout::GolangMigrate,
    Layout::Pop,
    Layout::Dbmate,
    Layout::Goose,
    Layout::Liquibase,
    Layout::Sqitch,
    Layout::Prisma,
    Layout::Diesel,
    Layout::Sqlx,
    Layout::Atlas,
    Layout::Plain,
];

/// Names accepted for `layout:` in the configuration.
pub const NAMES: &[&str] = &[
    "auto",
    "flyway",
    "golang-migrate",
    "pop",
    "dbmate",
    "goose",
    "liquibase",
    "sqitch",
    "prisma",
    "diesel",
    "sqlx",
    "atlas",
    "plain",
];

/// Layout settings of one migration directory (from its configuration).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// Flyway's file name settings.
    pub flyway: FlywayNames,
    /// Liquibase's settings.
    pub liquibase: LiquibaseSettings,
    /// The configured dialect: which of pop's per-database scripts run.
    pub dialect: crate::sql::Dialect,
}

/// Reads one side's text of a file, `None` when it has none.
pub type TextOf<'a> = &'a dyn Fn(&FileEntry) -> Option<Arc<str>>;

impl Layout {
    /// The name used in the configuration and in messages.
    pub fn name(self) -> &'static str {
        match self {
            Layout::Flyway => "flyway",
            Layout::GolangMigrate => "golang-migrate",
            Layout::Pop => "pop",
            Layout::Dbmate => "dbmate",
            Layout::Goose => "goose",
            Layout::Liquibase => "liquibase",
            Layout::Sqitch => "sqitch",
            Layout::Prisma => "prisma",
            Layout::Diesel => "diesel",
            Layout::Sqlx => "sqlx",
            Layout::Atlas => "atlas",
            Layout::Plain => "plain",
        }
    }

    /// Parses a configured layout name; `None` for an unknown one.
    pub fn from_name(name: &str) -> Option<Layout> {
        ALL.iter().copied().find(|l| l.name() == name)
    }

    /// Builds the Plan of `dir` from its files, with default settings.
    pub fn plan(self, dir: &str, files: &Files) -> Result<Plan> {
        self.plan_with(dir, files, &Options::default())
    }

    /// Builds the Plan of `dir` from its files.
    pub fn plan_with(self, dir: &str, files: &Files, options: &Options) -> Result<Plan> {
        let entries = files.list(dir)?;
        let mut plan = match self {
            Layout::Flyway => flyway::plan(dir, &entries, files, &options.flyway)?,
            Layout::GolangMigrate => golang_migrate::plan(dir, &entries),
            Layout::Pop => pop::plan(dir, &entries, options.dialect),
            Layout::Dbmate => dbmate::plan(dir, &entries, files)?,
            Layout::Goose => goose::plan(dir, &entries, files)?,
            Layout::Liquibase => liquibase::plan(dir, &entries, files, &options.liquibase)?,
            Layout::Sqitch => sqitch::plan(dir, &entries, files)?,
            Layout::Prisma => prisma::plan(dir, &entries, files)?,
            Layout::Diesel => diesel::plan(dir, &entries, files)?,
            Layout::Sqlx => sqlx::plan(dir, &entries, files)?,
            Layout::Atlas => atlas::plan(dir, &entries, files)?,
            Layout::Plain => plain::plan(dir, &entries),
        };
        plan.sort();
        Ok(plan)
    }

    /// The text as the tool sees it when it decides whether a script
    /// changed. Flyway's checksum reads lines without their breaks (and
    /// without a BOM); sqlx and Atlas hash the exact bytes; tools that record
    /// nothing (golang-migrate, dbmate, goose, Diesel, sqitch scripts, plain)
    /// are held to the content, BOM and line endings aside.
    pub fn normalize(self, text: &str) -> Cow<'_, str> {
        match self {
            Layout::Sqlx | Layout::Atlas | Layout::Prisma => Cow::Borrowed(text),
            Layout::Flyway => {
                let (text, _) = text::strip_bom(text);
                if !text.contains(['\r', '\n']) {
                    return Cow::Borrowed(text);
                }
                Cow::Owned(text.split(['\r', '\n']).collect())
            }
            _ => {
                let (text, _) = text::strip_bom(text);
                if !text.contains('\r') && !text.ends_with('\n') {
                    return Cow::Borrowed(text);
                }
                let lines: Vec<&str> = text.lines().map(|l| l.trim_end_matches('\r')).collect();
                Cow::Owned(lines.join("\n"))
            }
        }
    }

    /// Whether the tool sees a script applied as `base` unchanged in `head`.
    pub fn same_text(self, base: &str, head: &str) -> bool {
        match self {
            Layout::Prisma => prisma::same_script(base, head),
            _ => self.normalize(base) == self.normalize(head),
        }
    }

    /// Whether the tool sees the migration applied as `base` unchanged in
    /// `head`: Liquibase by its changeset checksum alone; sqitch by its plan
    /// entry and its deploy and revert scripts; sqlx, Prisma and Atlas by
    /// the up script they hash; the others by up and down scripts.
    pub fn unchanged(
        self,
        base: &Migration,
        head: &Migration,
        base_text: TextOf,
        head_text: TextOf,
    ) -> bool {
        if let (Some(a), Some(b)) = (&base.meta.checksum, &head.meta.checksum) {
            if a != b {
                return false;
            }
            if self == Layout::Liquibase {
                return true;
            }
        }
        let same = |x: Option<&Script>, y: Option<&Script>| match (x, y) {
            (None, None) => true,
            (Some(x), Some(y)) => match (base_text(&x.file), head_text(&y.file)) {
                (Some(tx), Some(ty)) => self.same_text(x.slice(&tx), y.slice(&ty)),
                _ => false,
            },
            _ => false,
        };
        let downs_count = !matches!(self, Layout::Sqlx | Layout::Prisma | Layout::Atlas);
        same(Some(&base.up), Some(&head.up))
            && (!downs_count || same(base.down.as_ref(), head.down.as_ref()))
    }

    /// Whether this directory's migrations are expected to have a down script.
    pub fn expects_down(self, plan: &Plan) -> bool {
        let any_down = || plan.migrations.iter().any(|m| m.down.is_some());
        match self {
            Layout::GolangMigrate
            | Layout::Dbmate
            | Layout::Goose
            | Layout::Liquibase
            | Layout::Sqitch => true,
            // Flyway undo migrations and reversible sqlx migrations are
            // opt-in, Diesel's `down.sql` can be left out (`--no-down`):
            // expected once the directory has downs.
            Layout::Flyway | Layout::Diesel => any_down(),
            Layout::Sqlx => plan
                .migrations
                .iter()
                .any(|m| m.up.file.path.ends_with(".up.sql")),
            // Prisma and Atlas have no down migrations by design; pop runs
            // the downs there are and needs none.
            Layout::Prisma | Layout::Atlas | Layout::Plain | Layout::Pop => false,
        }
    }

    /// What the down of `migration` would be, for advice.
    pub fn down_hint(self, migration: &Migration) -> String {
        let name = migration
            .up
            .file
            .path
            .rsplit('/')
            .next()
            .unwrap_or_default();
        match self {
            Layout::GolangMigrate => name.replace(".up.sql", ".down.sql"),
            Layout::Pop => name.replace(".up.", ".down."),
            Layout::Flyway => format!("U{}", name.strip_prefix('V').unwrap_or(name)),
            Layout::Dbmate => "SQL under `-- migrate:down`".to_string(),
            Layout::Goose => "SQL under `-- +goose Down`".to_string(),
            Layout::Liquibase => {
                "a `--rollback` line (or `--rollback not required` when nothing can be undone)"
                    .to_string()
            }
            Layout::Sqitch => format!("revert/{}.sql", migration.name()),
            Layout::Prisma => format!("{}/down.sql", migration.name()),
            Layout::Diesel => format!("{}/down.sql", migration.name()),
            Layout::Sqlx if name.ends_with(".up.sql") => name.replace(".up.sql", ".down.sql"),
            Layout::Sqlx => format!(
                "a reversible pair {} and {}",
                name.replace(".sql", ".up.sql"),
                name.replace(".sql", ".down.sql")
            ),
            Layout::Atlas | Layout::Plain => "a down script".to_string(),
        }
    }

    /// How the tool runs `migration` (whose up script's text is `up_text`)
    /// with respect to transactions.
    pub fn transaction(self, migration: &Migration, up_text: &str) -> Transaction {
        match migration.transaction(up_text) {
            // Flyway's default (`mixed: false`, `executeInTransaction` on).
            plan::Transaction::Wrapped if self == Layout::Flyway => {
                Transaction::WrappedUnlessNonTransactional
            }
            plan::Transaction::Wrapped => Transaction::Wrapped,
            plan::Transaction::Implicit => Transaction::MultiStatementQuery,
            // Sorted files are usually fed to psql, which autocommits.
            plan::Transaction::Unwrapped | plan::Transaction::Unknown => Transaction::None,
        }
    }

    /// Whether the tool writes the SQL itself from a schema of its own
    /// (Prisma, from schema.prisma): names are chosen there, always quoted,
    /// and column kinds are what the tool can generate (`autoincrement()`
    /// is serial; it has no identity columns).
    pub fn generates_sql(self) -> bool {
        self == Layout::Prisma
    }

    /// How to make the tool run one migration outside a transaction, for
    /// the help of the rules that need it.
    pub fn no_transaction_hint(self) -> &'static str {
        match self {
            Layout::GolangMigrate => {
                "put the statement alone in a migration of its own: golang-migrate then sends it as a single statement, outside any transaction"
            }
            Layout::Flyway => {
                "put the statement alone in a migration of its own (Flyway then runs it outside a transaction), or set `executeInTransaction=false` in the migration's .conf file"
            }
            Layout::Dbmate => "add `transaction:false` to the migration's `-- migrate:up` line",
            Layout::Pop => {
                "pop runs every migration in a transaction: run the statement outside pop's migrations"
            }
            Layout::Goose => "add `-- +goose NO TRANSACTION` at the top of the migration file",
            Layout::Liquibase => "set `runInTransaction:false` on the changeset",
            Layout::Diesel => "set `run_in_transaction = false` in the migration's metadata.toml",
            Layout::Sqlx => "start the migration file with `-- no-transaction`",
            Layout::Atlas => "add `-- atlas:txmode none` at the top of the migration file",
            Layout::Prisma => "put the statement alone in a migration of its own",
            Layout::Sqitch | Layout::Plain => "run the statement outside BEGIN ... COMMIT",
        }
    }

    /// The file name pattern, for messages.
    pub fn pattern(self) -> &'static str {
        match self {
            Layout::Flyway => "V<version>__<description>.sql (or U.../R__.../B...)",
            Layout::GolangMigrate => "<version>_<description>.up.sql and .down.sql",
            Layout::Pop => {
                "<version>_<name>[.<dialect>].up.sql (.down.sql, or .up.fizz/.down.fizz)"
            }
            Layout::Dbmate => "<version>_<description>.sql with -- migrate:up and -- migrate:down",
            Layout::Goose => "<version>_<description>.sql with -- +goose Up and -- +goose Down",
            Layout::Liquibase => "a formatted SQL changelog that the master changelog includes",
            Layout::Sqitch => "deploy/<change>.sql for a change of sqitch.plan",
            Layout::Prisma => "<timestamp>_<name>/migration.sql",
            Layout::Diesel => "<version>_<name>/up.sql and down.sql",
            Layout::Sqlx => "<version>_<description>.sql (or .up.sql and .down.sql)",
            Layout::Atlas => "<version>_<name>.sql",
            Layout::Plain => "<version>_<description>.sql",
        }
    }

    /// Whether the layout reads files in subdirectories of its directory.
    pub(crate) fn recursive(self) -> bool {
        matches!(
            self,
            Layout::Flyway | Layout::Liquibase | Layout::Sqitch | Layout::Prisma | Layout::Diesel
        )
    }

    /// Whether migrations run in the order of a plan (a changelog, a plan
    /// file) rather than by version: their versions are `None`.
    pub fn ordered_by_plan(self) -> bool {
        matches!(self, Layout::Liquibase | Layout::Sqitch)
    }

    /// Whether a migration is known by its file's path, so that moving or
    /// renaming the file with identity and content unchanged is a change.
    /// Liquibase knows a changeset by `path::id::author` with its logical
    /// path; sqitch by its plan entry (a rework moves scripts on purpose).
    pub fn identified_by_file(self) -> bool {
        !self.ordered_by_plan()
    }
}

/// The file name of a path.
pub(crate) fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// Files directly in `dir` (not in subdirectories).
pub(crate) fn direct<'e>(
    dir: &str,
    entries: &'e [FileEntry],
) -> impl Iterator<Item = &'e FileEntry> {
    let depth = if dir.is_empty() {
        0
    } else {
        dir.trim_end_matches('/').matches('/').count() + 1
    };
    entries
        .iter()
        .filter(move |e| e.path.bytes().filter(|&b| b == b'/').count() == depth)
}

/// Whether a changed file could belong to a migration directory found
/// without configuration: `.sql` and pop `.fizz` files and the layouts' marker files
/// (sqitch's plan, Atlas's sum, Liquibase changelogs, Diesel and Prisma
/// metadata). Hooks use it to skip a commit that cannot matter.
pub fn may_hold_migration(path: &str) -> bool {
    let name = file_name(path);
    name.ends_with(".sql")
        || name.ends_with(".fizz")
        || matches!(
            name,
            "sqitch.plan" | "atlas.sum" | "metadata.toml" | "migration_lock.toml"
        )
        || name.to_ascii_lowercase().contains("changelog")
}

/// Gives the second and later migrations of one id distinct ids (`5#1`),
/// so that duplicate-version can name each.
fn number_duplicates(migrations: &mut [Migration]) {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for m in migrations {
        let n = seen.entry(m.id.clone()).or_insert(0);
        if *n > 0 {
            m.id = format!("{}#{n}", m.id);
        }
        *n += 1;
    }
}
