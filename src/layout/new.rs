//! `sqlgate new`: the files of the next migration of a directory, written in
//! its layout's exact form (file names, version scheme, the template the
//! tool's own `new`/`create` command writes). Keyed by the layout's
//! configuration name, so that every layout, with or without a Plan adapter,
//! has its generator here. Pure: it receives the directory's file names, the
//! latest version found anywhere that matters, the time and the author, and
//! returns what to write; `crate::new` reads and writes the files.

use std::sync::OnceLock;

use regex::Regex;

use super::{file_name, flyway, golang_migrate, plain, pop};
use crate::error::{Error, Result};
use crate::plan::version::{next_version, timestamp_like};
use crate::plan::Version;

/// Layout names `sqlgate new` can write a migration for.
pub const NAMES: &[&str] = &[
    "golang-migrate",
    "pop",
    "flyway",
    "plain",
    "dbmate",
    "goose",
    "liquibase",
    "sqitch",
    "prisma",
    "diesel",
    "sqlx",
    "atlas",
];

/// Who writes the migration (from `git config user.name` / `user.email`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Author {
    /// The name, when configured.
    pub name: Option<String>,
    /// The e-mail address, when configured.
    pub email: Option<String>,
}

/// Everything a generator needs.
pub struct Request<'a> {
    /// The layout's configuration name (`golang-migrate`, `dbmate`, ...).
    pub layout: &'a str,
    /// The migration directory, relative to the repository root.
    pub dir: &'a str,
    /// What the migration does, as the user typed it.
    pub description: &'a str,
    /// The files below `dir` in the working tree, relative to the root.
    pub files: &'a [String],
    /// The highest version among the directory's migrations wherever they
    /// were looked for (working tree, trunk, environment branches).
    pub latest: Option<Version>,
    /// Seconds since the Unix epoch.
    pub now: u64,
    /// The author.
    pub author: &'a Author,
    /// The dialect's name, for sqitch's templates.
    pub dialect: &'a str,
    /// Reads a file of the working tree by its path from the root.
    pub read: &'a dyn Fn(&str) -> Option<String>,
}

/// One file to write.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Write {
    /// A new file; it must not exist.
    Create {
        /// Path from the repository root.
        path: String,
        /// Its content.
        text: String,
    },
    /// Text added at the end of an existing file (or a new one).
    Append {
        /// Path from the repository root.
        path: String,
        /// The text to add.
        text: String,
    },
}

impl Write {
    /// The file's path from the repository root.
    pub fn path(&self) -> &str {
        match self {
            Write::Create { path, .. } | Write::Append { path, .. } => path,
        }
    }
}

/// What to write, and what to tell the user.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Generated {
    /// The files, in the order to print them.
    pub writes: Vec<Write>,
    /// The version (or changeset id, or change name) chosen.
    pub version: String,
    /// Things to do next.
    pub notes: Vec<String>,
}

/// The version of each migration among `files` (paths below `dir`) as
/// `layout` names them; layouts without versions (Liquibase, sqitch) have
/// none.
pub fn versions(layout: &str, dir: &str, files: &[String]) -> Vec<Version> {
    let direct = |path: &&String| below(dir, path).is_some_and(|rest| !rest.contains('/'));
    let top_dir = |path: &String| -> Option<String> {
        let rest = below(dir, path)?;
        let (first, _) = rest.split_once('/')?;
        Some(first.to_string())
    };
    match layout {
        "golang-migrate" => files
            .iter()
            .filter(direct)
            .filter_map(|p| golang_migrate::parse_name(file_name(p)).map(|(v, _, _)| v))
            .map(Version::parse)
            .collect(),
        "pop" => files
            .iter()
            .filter(direct)
            .filter_map(|p| match pop::parse_name(file_name(p)) {
                Some(Ok(n)) => Some(Version::parse(n.version)),
                _ => None,
            })
            .collect(),
        "flyway" => files
            .iter()
            .filter_map(|p| flyway::parse_name(file_name(p)))
            .filter(|(prefix, _, _)| *prefix != 'R')
            .map(|(_, v, _)| Version::parse(v))
            .collect(),
        "plain" => files
            .iter()
            .filter(direct)
            .filter_map(|p| plain::parse_name(file_name(p)).map(|(v, _)| v))
            .map(Version::parse)
            .collect(),
        "dbmate" | "goose" | "sqlx" | "atlas" => files
            .iter()
            .filter(direct)
            .filter_map(|p| leading_version(file_name(p)))
            .collect(),
        "prisma" | "diesel" => {
            let mut dirs: Vec<String> = files.iter().filter_map(top_dir).collect();
            dirs.dedup();
            dirs.iter().filter_map(|d| leading_version(d)).collect()
        }
        _ => Vec::new(),
    }
}

/// The version at the start of a name such as `20240301120000_add_users.sql`
/// or `2024-01-02-094916_add_users`: digits (and, between digits, `-`), up
/// to the `_` before the description.
fn leading_version(name: &str) -> Option<Version> {
    let (version, _) = name.split_once('_')?;
    let valid = version.starts_with(|c: char| c.is_ascii_digit())
        && version.ends_with(|c: char| c.is_ascii_digit())
        && version.chars().all(|c| c.is_ascii_digit() || c == '-');
    valid.then(|| Version::parse(version))
}

fn below<'p>(dir: &str, path: &'p str) -> Option<&'p str> {
    if dir.is_empty() {
        Some(path)
    } else {
        path.strip_prefix(dir)?.strip_prefix('/')
    }
}

fn join(dir: &str, name: &str) -> String {
    crate::source::join(dir, name)
}

/// The description as the tools write it in names: lower case words joined
/// by `_`. An error when nothing is left.
pub fn snake_case(description: &str) -> Result<String> {
    let mut out = String::new();
    for c in description.trim().chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.is_empty() && !out.ends_with('_') {
            out.push('_');
        }
    }
    let out = out.trim_end_matches('_').to_string();
    if out.is_empty() {
        return Err(Error::new(format!(
            "`{description}` holds no letter or digit to name the migration by"
        ))
        .with_help("describe the migration in a few words: `sqlgate new add_users`"));
    }
    Ok(out)
}

/// The version a directory with no migration starts with, in the scheme the
/// tool's own command uses by default.
fn first_version(layout: &str, now: u64) -> String {
    match layout {
        "flyway" => "1".to_string(),
        "plain" => "0001".to_string(),
        "diesel" => timestamp_like("0000-00-00-000000", now),
        _ => timestamp_like("00000000000000", now),
    }
}

/// The next version: after `latest` in its scheme, or the layout's first.
/// An all-zero latest (Diesel's `00000000000000_diesel_initial_setup`) sets
/// no scheme.
fn next(layout: &str, latest: Option<&Version>, now: u64) -> String {
    match latest {
        Some(v) if *v != Version::parse("0") => next_version(v, now),
        _ => first_version(layout, now),
    }
}

/// The files of the next migration.
pub fn generate(req: &Request) -> Result<Generated> {
    let desc = snake_case(req.description)?;
    let version = next(req.layout, req.latest.as_ref(), req.now);
    let dir = req.dir;
    let create = |name: &str, text: &str| Write::Create {
        path: join(dir, name),
        text: text.to_string(),
    };
    let mut out = Generated {
        version: version.clone(),
        ..Generated::default()
    };
    match req.layout {
        "golang-migrate" => {
            // `migrate create` writes two empty files.
            out.writes = vec![
                create(&format!("{version}_{desc}.up.sql"), ""),
                create(&format!("{version}_{desc}.down.sql"), ""),
            ];
        }
        "pop" => out.writes = pop_files(req, &version, &desc),
        "flyway" => {
            // Beside the latest versioned migration: Flyway reads
            // subdirectories, and teams group files in them.
            let home = latest_flyway_dir(dir, req.files).unwrap_or_else(|| dir.to_string());
            out.writes = vec![Write::Create {
                path: join(&home, &format!("V{version}__{desc}.sql")),
                text: String::new(),
            }];
            let has_undo = req
                .files
                .iter()
                .any(|p| flyway::parse_name(file_name(p)).is_some_and(|(k, _, _)| k == 'U'));
            if has_undo {
                out.writes.push(Write::Create {
                    path: join(&home, &format!("U{version}__{desc}.sql")),
                    text: String::new(),
                });
            }
        }
        "plain" => {
            let sep = plain_separator(dir, req.files);
            let desc = if sep == '-' {
                desc.replace('_', "-")
            } else {
                desc.clone()
            };
            out.writes = vec![create(&format!("{version}{sep}{desc}.sql"), "")];
        }
        "dbmate" => {
            out.writes = vec![create(
                &format!("{version}_{desc}.sql"),
                "-- migrate:up\n\n\n-- migrate:down\n\n",
            )];
        }
        "goose" => {
            out.writes = vec![create(
                &format!("{version}_{desc}.sql"),
                "-- +goose Up\n-- +goose StatementBegin\n\n-- +goose StatementEnd\n\n\
                 -- +goose Down\n-- +goose StatementBegin\n\n-- +goose StatementEnd\n",
            )];
        }
        "sqlx" => {
            let reversible = req
                .files
                .iter()
                .any(|p| p.ends_with(".up.sql") || p.ends_with(".down.sql"));
            out.writes = if reversible {
                vec![
                    create(
                        &format!("{version}_{desc}.up.sql"),
                        "-- Add up migration script here\n",
                    ),
                    create(
                        &format!("{version}_{desc}.down.sql"),
                        "-- Add down migration script here\n",
                    ),
                ]
            } else {
                vec![create(
                    &format!("{version}_{desc}.sql"),
                    "-- Add migration script here\n",
                )]
            };
        }
        "atlas" => {
            out.writes = vec![create(&format!("{version}_{desc}.sql"), "")];
            out.notes.push(format!(
                "after writing the migration, run `atlas migrate hash --dir file://{dir}` so that atlas.sum matches it"
            ));
        }
        "prisma" => {
            out.writes = vec![create(
                &format!("{version}_{desc}/migration.sql"),
                "-- This is an empty migration.\n",
            )];
        }
        "diesel" => {
            out.writes = vec![
                create(
                    &format!("{version}_{desc}/up.sql"),
                    "-- Your SQL goes here\n",
                ),
                create(
                    &format!("{version}_{desc}/down.sql"),
                    "-- This file should undo anything in `up.sql`\n",
                ),
            ];
        }
        "liquibase" => return liquibase(req, &desc),
        "sqitch" => return sqitch(req, &desc),
        other => {
            return Err(Error::new(format!(
                "sqlgate new does not know how to write a {other} migration"
            ))
            .with_help(format!("layouts it knows: {}", NAMES.join(", "))))
        }
    }
    Ok(out)
}

/// pop's files for a new migration: an up and a down, as `soda generate`
/// writes them, in fizz when the directory holds only fizz, and one pair
/// per database when the directory writes its SQL per database
/// (`.postgres.up.sql`, `.mysql.up.sql`, ...).
fn pop_files(req: &Request, version: &str, desc: &str) -> Vec<Write> {
    let names: Vec<pop::Name> = req
        .files
        .iter()
        .filter(|p| below(req.dir, p).is_some_and(|r| !r.contains('/')))
        .filter_map(|p| pop::parse_name(file_name(p))?.ok())
        .collect();
    let fizz = !names.is_empty() && names.iter().all(|n| n.fizz);
    let mut dialects: Vec<&str> = names.iter().filter_map(|n| n.dialect).collect();
    dialects.sort_unstable();
    dialects.dedup();
    let infixes: Vec<String> = if dialects.is_empty() {
        vec![String::new()]
    } else {
        dialects.iter().map(|d| format!(".{d}")).collect()
    };
    let ext = if fizz { "fizz" } else { "sql" };
    let mut writes = Vec::new();
    for infix in &infixes {
        for direction in ["up", "down"] {
            writes.push(Write::Create {
                path: join(
                    req.dir,
                    &format!("{version}_{desc}{infix}.{direction}.{ext}"),
                ),
                text: String::new(),
            });
        }
    }
    writes
}

/// The directory of the Flyway file with the highest version.
fn latest_flyway_dir(dir: &str, files: &[String]) -> Option<String> {
    files
        .iter()
        .filter(|p| below(dir, p).is_some())
        .filter_map(|p| {
            let (prefix, v, _) = flyway::parse_name(file_name(p))?;
            (prefix == 'V').then(|| (Version::parse(v), p))
        })
        .max_by(|a, b| a.0.cmp(&b.0))
        .map(|(_, p)| {
            p.rsplit_once('/')
                .map_or(String::new(), |(d, _)| d.to_string())
        })
}

/// `-` when the directory's latest plain migration separates its version
/// with one (`20240301120000-add-users.sql`), `_` otherwise.
fn plain_separator(dir: &str, files: &[String]) -> char {
    files
        .iter()
        .filter(|p| below(dir, p).is_some_and(|r| !r.contains('/')))
        .filter_map(|p| {
            let name = file_name(p);
            let (v, _) = plain::parse_name(name)?;
            Some((Version::parse(v), name[v.len()..].chars().next()))
        })
        .max_by(|a, b| a.0.cmp(&b.0))
        .and_then(|(_, sep)| sep)
        .filter(|c| *c == '-')
        .unwrap_or('_')
}

fn changeset_pattern() -> &'static Regex {
    static PATTERN: OnceLock<Regex> = OnceLock::new();
    // Liquibase's own pattern: the author runs to the first colon.
    PATTERN.get_or_init(|| {
        Regex::new(r#"(?im)^--[ \t]*changeset[ \t]+("[^"]+"|[^:\r\n]+):[ \t]*("[^"]+"|\S+)"#)
            .unwrap_or_else(|e| panic!("changeset pattern: {e}"))
    })
}

fn is_formatted_sql(text: &str) -> bool {
    let text = text.trim_start_matches('\u{feff}').trim_start();
    let Some(rest) = text.strip_prefix("--") else {
        return false;
    };
    rest.trim_start()
        .to_ascii_lowercase()
        .starts_with("liquibase formatted sql")
}

/// A changeset appended to the directory's last formatted-SQL changelog (a
/// new `changelog.sql` when there is none), as `--changeset <user.name>:<id>`
/// where the id follows the directory's numeric ids, or is the description.
fn liquibase(req: &Request, desc: &str) -> Result<Generated> {
    let author = req.author.name.as_deref().ok_or_else(|| {
        Error::new("a Liquibase changeset needs an author, and `git config user.name` is not set")
            .with_help("set it: `git config user.name \"Your Name\"`")
    })?;
    let mut changelogs: Vec<(&String, String)> = req
        .files
        .iter()
        .filter(|p| p.ends_with(".sql") && below(req.dir, p).is_some())
        .filter_map(|p| (req.read)(p).map(|t| (p, t)))
        .filter(|(_, t)| is_formatted_sql(t))
        .collect();
    changelogs.sort_by(|a, b| a.0.cmp(b.0));
    let ids: Vec<String> = changelogs
        .iter()
        .flat_map(|(_, t)| {
            changeset_pattern()
                .captures_iter(t)
                .map(|c| c[2].trim_matches('"').to_string())
                .collect::<Vec<_>>()
        })
        .collect();
    let id = if ids.is_empty() {
        "1".to_string()
    } else if ids.iter().all(|i| i.bytes().all(|b| b.is_ascii_digit())) {
        let max = ids
            .iter()
            .filter_map(|i| i.parse::<u64>().ok())
            .max()
            .unwrap_or(0);
        (max + 1).to_string()
    } else {
        let mut id = desc.to_string();
        let mut n = 1;
        while ids.contains(&id) {
            n += 1;
            id = format!("{desc}_{n}");
        }
        id
    };
    let block = format!(
        "--changeset {author}:{id}\n--comment: {}\n\n",
        desc.replace('_', " ")
    );
    let write = match changelogs.last() {
        Some((path, text)) => {
            let sep = if text.ends_with("\n\n") {
                ""
            } else if text.ends_with('\n') {
                "\n"
            } else {
                "\n\n"
            };
            Write::Append {
                path: path.to_string(),
                text: format!("{sep}{block}"),
            }
        }
        None => Write::Create {
            path: join(req.dir, "changelog.sql"),
            text: format!("-- liquibase formatted sql\n\n{block}"),
        },
    };
    let mut notes = vec![format!(
        "changeset {author}:{id}: write its SQL below the --changeset line, and its rollback as `--rollback <SQL>` lines"
    )];
    if changelogs.is_empty() {
        notes.push("include changelog.sql from your master changelog".to_string());
    }
    Ok(Generated {
        writes: vec![write],
        version: id,
        notes,
    })
}

/// A change added to `sqitch.plan` with its deploy, revert and verify
/// scripts, as `sqitch add` writes them.
fn sqitch(req: &Request, desc: &str) -> Result<Generated> {
    let plan_path = join(req.dir, "sqitch.plan");
    let plan = (req.read)(&plan_path).ok_or_else(|| {
        Error::new(format!("{plan_path} does not exist"))
            .with_help("create the sqitch project first: `sqitch init <project>`")
    })?;
    let name = req.author.name.as_deref().ok_or_else(|| {
        Error::new("a sqitch change needs a planner, and `git config user.name` is not set")
            .with_help("set it: `git config user.name \"Your Name\"`")
    })?;
    let email = req.author.email.as_deref().unwrap_or("");
    let project = plan
        .lines()
        .find_map(|l| l.trim().strip_prefix("%project="))
        .map(str::trim)
        .unwrap_or("");
    let exists = plan.lines().any(|l| {
        let l = l.trim_start();
        l.strip_prefix(desc)
            .is_some_and(|rest| rest.starts_with([' ', '\t', '[']))
    });
    if exists {
        return Err(
            Error::new(format!("{plan_path} already has a change named {desc}"))
                .with_help("choose another name, or rework the change with `sqitch rework`"),
        );
    }
    let stamp = utc_rfc3339(req.now);
    let sep = if plan.ends_with('\n') || plan.is_empty() {
        ""
    } else {
        "\n"
    };
    let line = format!(
        "{sep}{desc} {stamp} {name} <{email}> # {}\n",
        desc.replace('_', " ")
    );
    let engine = match req.dialect {
        "postgres" => "pg",
        other => other,
    };
    let target = if project.is_empty() {
        desc.to_string()
    } else {
        format!("{project}:{desc}")
    };
    let script = |verb: &str, prep: &str, body: &str, end: &str| {
        format!("-- {verb} {target} {prep} {engine}\n\nBEGIN;\n\n{body}\n\n{end};\n")
    };
    let writes = vec![
        Write::Append {
            path: plan_path,
            text: line,
        },
        Write::Create {
            path: join(req.dir, &format!("deploy/{desc}.sql")),
            text: script("Deploy", "to", "-- XXX Add DDLs here.", "COMMIT"),
        },
        Write::Create {
            path: join(req.dir, &format!("revert/{desc}.sql")),
            text: script("Revert", "from", "-- XXX Add DDLs here.", "COMMIT"),
        },
        Write::Create {
            path: join(req.dir, &format!("verify/{desc}.sql")),
            text: script("Verify", "on", "-- XXX Add verifications here.", "ROLLBACK"),
        },
    ];
    Ok(Generated {
        writes,
        version: desc.to_string(),
        notes: Vec::new(),
    })
}

/// `2024-03-01T12:00:00Z`, as sqitch writes plan times.
fn utc_rfc3339(secs: u64) -> String {
    timestamp_like("0000-00-00T00:00:00", secs) + "Z"
}

#[cfg(test)]
mod tests {
    use super::*;

    // 2024-03-01 12:00:00 UTC
    const NOON: u64 = 1_709_294_400;

    fn request<'a>(
        layout: &'a str,
        dir: &'a str,
        files: &'a [String],
        author: &'a Author,
        read: &'a dyn Fn(&str) -> Option<String>,
    ) -> Request<'a> {
        Request {
            layout,
            dir,
            description: "add users",
            files,
            latest: versions(layout, dir, files).into_iter().max(),
            now: NOON,
            author,
            dialect: "postgres",
            read,
        }
    }

    fn gen(layout: &str, dir: &str, files: &[&str]) -> Generated {
        let files: Vec<String> = files.iter().map(|s| s.to_string()).collect();
        let author = Author {
            name: Some("Dana Reviewer".into()),
            email: Some("dana@example.com".into()),
        };
        generate(&request(layout, dir, &files, &author, &|_| None)).unwrap()
    }

    fn created(g: &Generated) -> Vec<(&str, &str)> {
        g.writes
            .iter()
            .map(|w| match w {
                Write::Create { path, text } | Write::Append { path, text } => {
                    (path.as_str(), text.as_str())
                }
            })
            .collect()
    }

    #[test]
    fn description_becomes_snake_case() {
        assert_eq!(snake_case("Add users").unwrap(), "add_users");
        assert_eq!(snake_case("add-email_index!").unwrap(), "add_email_index");
        assert!(snake_case(" -- ").is_err());
    }

    #[test]
    fn golang_migrate_keeps_the_zero_padded_width() {
        let g = gen(
            "golang-migrate",
            "db/migrations",
            &[
                "db/migrations/000009_init.up.sql",
                "db/migrations/000009_init.down.sql",
                "db/migrations/000010_more.up.sql",
            ],
        );
        assert_eq!(
            created(&g),
            vec![
                ("db/migrations/000011_add_users.up.sql", ""),
                ("db/migrations/000011_add_users.down.sql", ""),
            ]
        );
    }

    #[test]
    fn pop_writes_a_pair_per_database_the_directory_writes_for() {
        let g = gen(
            "pop",
            "migrations",
            &[
                "migrations/20200317160354000000_create_profile.postgres.up.sql",
                "migrations/20200317160354000000_create_profile.sqlite3.up.sql",
                "migrations/20200317160354000000_create_profile.mysql.down.sql",
                "migrations/20200317160354000001_seed.up.fizz",
            ],
        );
        assert_eq!(
            created(&g),
            vec![
                ("migrations/20240301120000000000_add_users.mysql.up.sql", ""),
                (
                    "migrations/20240301120000000000_add_users.mysql.down.sql",
                    ""
                ),
                (
                    "migrations/20240301120000000000_add_users.postgres.up.sql",
                    ""
                ),
                (
                    "migrations/20240301120000000000_add_users.postgres.down.sql",
                    ""
                ),
                (
                    "migrations/20240301120000000000_add_users.sqlite3.up.sql",
                    ""
                ),
                (
                    "migrations/20240301120000000000_add_users.sqlite3.down.sql",
                    ""
                ),
            ]
        );
        let g = gen(
            "pop",
            "migrations",
            &["migrations/20240101000000_init.up.fizz"],
        );
        assert_eq!(
            created(&g),
            vec![
                ("migrations/20240301120000_add_users.up.fizz", ""),
                ("migrations/20240301120000_add_users.down.fizz", ""),
            ]
        );
    }

    #[test]
    fn flyway_goes_beside_the_latest_and_adds_undo_when_the_directory_has_them() {
        let g = gen(
            "flyway",
            "db/migration",
            &[
                "db/migration/V1__init.sql",
                "db/migration/U1__init.sql",
                "db/migration/v2/V9__more.sql",
                "db/migration/R__views.sql",
            ],
        );
        let paths: Vec<_> = created(&g).into_iter().map(|(p, _)| p).collect();
        assert_eq!(
            paths,
            vec![
                "db/migration/v2/V10__add_users.sql",
                "db/migration/v2/U10__add_users.sql"
            ]
        );
    }

    #[test]
    fn plain_follows_the_separator() {
        let g = gen("plain", "sql", &["sql/0001-init.sql", "sql/0002-seed.sql"]);
        assert_eq!(created(&g), vec![("sql/0003-add-users.sql", "")]);
    }

    #[test]
    fn dbmate_writes_one_file_with_both_sections() {
        let g = gen(
            "dbmate",
            "db/migrations",
            &["db/migrations/20240101000000_init.sql"],
        );
        assert_eq!(
            created(&g),
            vec![(
                "db/migrations/20240301120000_add_users.sql",
                "-- migrate:up\n\n\n-- migrate:down\n\n"
            )]
        );
    }

    #[test]
    fn goose_writes_up_and_down_with_statement_blocks() {
        let g = gen("goose", "migrations", &["migrations/00007_init.sql"]);
        let (path, text) = created(&g)[0];
        assert_eq!(path, "migrations/00008_add_users.sql");
        assert!(text.starts_with("-- +goose Up\n-- +goose StatementBegin\n"));
        assert!(text.contains("\n-- +goose Down\n-- +goose StatementBegin\n"));
        assert_eq!(text.matches("-- +goose StatementEnd").count(), 2);
    }

    #[test]
    fn prisma_and_diesel_write_folders() {
        let g = gen(
            "prisma",
            "prisma/migrations",
            &["prisma/migrations/20240101000000_init/migration.sql"],
        );
        assert_eq!(
            created(&g),
            vec![(
                "prisma/migrations/20240301120000_add_users/migration.sql",
                "-- This is an empty migration.\n"
            )]
        );
        let g = gen(
            "diesel",
            "migrations",
            &[
                "migrations/00000000000000_diesel_initial_setup/up.sql",
                "migrations/00000000000000_diesel_initial_setup/down.sql",
            ],
        );
        let paths: Vec<_> = created(&g).into_iter().map(|(p, _)| p).collect();
        assert_eq!(
            paths,
            vec![
                "migrations/2024-03-01-120000_add_users/up.sql",
                "migrations/2024-03-01-120000_add_users/down.sql"
            ]
        );
        let g = gen(
            "diesel",
            "migrations",
            &["migrations/2099-01-02-094916-0000_later/up.sql"],
        );
        assert_eq!(
            created(&g)[0].0,
            "migrations/2099-01-02-094916-0001_add_users/up.sql"
        );
    }

    #[test]
    fn sqlx_follows_reversible_or_simple_files() {
        let g = gen(
            "sqlx",
            "migrations",
            &["migrations/20240101000000_init.sql"],
        );
        assert_eq!(
            created(&g),
            vec![(
                "migrations/20240301120000_add_users.sql",
                "-- Add migration script here\n"
            )]
        );
        let g = gen(
            "sqlx",
            "migrations",
            &[
                "migrations/20240101000000_init.up.sql",
                "migrations/20240101000000_init.down.sql",
            ],
        );
        let paths: Vec<_> = created(&g).into_iter().map(|(p, _)| p).collect();
        assert_eq!(
            paths,
            vec![
                "migrations/20240301120000_add_users.up.sql",
                "migrations/20240301120000_add_users.down.sql"
            ]
        );
    }

    #[test]
    fn atlas_writes_the_file_and_says_to_rehash() {
        let g = gen(
            "atlas",
            "migrations",
            &["migrations/20240101000000_init.sql", "migrations/atlas.sum"],
        );
        assert_eq!(
            created(&g),
            vec![("migrations/20240301120000_add_users.sql", "")]
        );
        assert!(g.notes[0].contains("atlas migrate hash"));
    }

    #[test]
    fn liquibase_appends_a_changeset_with_the_next_numeric_id() {
        let files = vec![
            "db/changelog/001-init.sql".to_string(),
            "db/changelog/002-orders.sql".to_string(),
        ];
        let read = |p: &str| -> Option<String> {
            Some(match p {
                "db/changelog/001-init.sql" => {
                    "--liquibase formatted sql\n\n--changeset ana:1\nCREATE TABLE a (id int);\n"
                        .to_string()
                }
                _ => "-- liquibase formatted sql\n--changeset Bo Lee:2 labels:v2\nCREATE TABLE b (id int);"
                    .to_string(),
            })
        };
        let author = Author {
            name: Some("Dana Reviewer".into()),
            email: None,
        };
        let g = generate(&request(
            "liquibase",
            "db/changelog",
            &files,
            &author,
            &read,
        ))
        .unwrap();
        assert_eq!(
            g.writes,
            vec![Write::Append {
                path: "db/changelog/002-orders.sql".into(),
                text: "\n\n--changeset Dana Reviewer:3\n--comment: add users\n\n".into()
            }]
        );
        let nobody = Author::default();
        let err = generate(&request(
            "liquibase",
            "db/changelog",
            &files,
            &nobody,
            &read,
        ))
        .unwrap_err();
        assert!(err.message.contains("user.name"), "{}", err.message);
    }

    #[test]
    fn liquibase_starts_a_changelog_in_an_empty_directory() {
        let author = Author {
            name: Some("dana".into()),
            email: None,
        };
        let g = generate(&request("liquibase", "db", &[], &author, &|_| None)).unwrap();
        assert_eq!(
            g.writes,
            vec![Write::Create {
                path: "db/changelog.sql".into(),
                text: "-- liquibase formatted sql\n\n--changeset dana:1\n--comment: add users\n\n"
                    .into()
            }]
        );
    }

    #[test]
    fn sqitch_adds_a_plan_line_and_three_scripts() {
        let plan = "%syntax-version=1.0.0\n%project=shop\n\nusers 2024-01-01T00:00:00Z Ana <ana@example.com> # Users\n";
        let read = |p: &str| (p == "sqitch/sqitch.plan").then(|| plan.to_string());
        let author = Author {
            name: Some("Dana Reviewer".into()),
            email: Some("dana@example.com".into()),
        };
        let files = vec!["sqitch/sqitch.plan".to_string()];
        let g = generate(&request("sqitch", "sqitch", &files, &author, &read)).unwrap();
        let c = created(&g);
        assert_eq!(
            c[0],
            (
                "sqitch/sqitch.plan",
                "add_users 2024-03-01T12:00:00Z Dana Reviewer <dana@example.com> # add users\n"
            )
        );
        assert_eq!(c[1].0, "sqitch/deploy/add_users.sql");
        assert_eq!(
            c[1].1,
            "-- Deploy shop:add_users to pg\n\nBEGIN;\n\n-- XXX Add DDLs here.\n\nCOMMIT;\n"
        );
        assert_eq!(c[2].0, "sqitch/revert/add_users.sql");
        assert_eq!(c[3].0, "sqitch/verify/add_users.sql");
        assert!(c[3].1.ends_with("ROLLBACK;\n"));
        let again = "users 2024 x\nadd_users 2024-01-01T00:00:00Z A <a@b> # x\n";
        let read = |p: &str| (p == "sqitch/sqitch.plan").then(|| again.to_string());
        assert!(generate(&request("sqitch", "sqitch", &files, &author, &read)).is_err());
    }

    #[test]
    fn future_timestamps_are_followed_not_the_clock() {
        let g = gen(
            "golang-migrate",
            "m",
            &["m/20990101000000_x.up.sql", "m/20990101000000_x.down.sql"],
        );
        assert_eq!(created(&g)[0].0, "m/20990101000001_add_users.up.sql");
    }

    #[test]
    fn an_unknown_layout_is_an_error() {
        let author = Author::default();
        let err = generate(&request("rails", "db", &[], &author, &|_| None)).unwrap_err();
        assert!(err.message.contains("rails"));
    }
}
