//! `sqlgate init`: finds the migration directories of a working tree,
//! detects their layouts and writes a commented `.sqlgate.yml`.

use std::path::{Path, PathBuf};

use crate::config::FILE_NAME;
use crate::error::{Error, Result};
use crate::layout;
use crate::source::{Files, FsSource};
use crate::sql::sniff::Sniffer;
use crate::sql::Dialect;

/// Writes `.sqlgate.yml` at `root`; refuses to replace one unless `force`.
/// Returns the path and the text written.
pub fn init(root: &Path, force: bool) -> Result<(PathBuf, String)> {
    let path = root.join(FILE_NAME);
    if path.exists() && !force {
        return Err(Error::new(format!("{} already exists", path.display()))
            .with_help("use `sqlgate init --force` to replace it"));
    }
    let text = render(root)?;
    std::fs::write(&path, &text)
        .map_err(|e| Error::new(format!("cannot write {}: {e}", path.display())))?;
    Ok((path, text))
}

/// The configuration text `init` would write for the files below `root`.
pub fn render(root: &Path) -> Result<String> {
    let fs = FsSource::new(root);
    let files = Files::new(&fs);
    let found = layout::discover(&files, "")?;
    let dirs: Vec<&str> = found.iter().map(|(dir, _)| dir.as_str()).collect();
    let (dialect, dialects) = dialects(&files, &dirs)?;
    let mut out = String::new();
    out.push_str("# sqlgate configuration: https://github.com/sqlgate/sqlgate#configuration\n");
    out.push_str(
        "# Every key is optional. In a PR check this file is read from the base branch.\n\n",
    );
    out.push_str("# SQL dialect of the migrations: postgres | mysql | sqlite | mssql | generic\n");
    out.push_str(&format!("dialect: {}\n\n", dialect.name()));
    out.push_str("# The branch new migrations must sort after.\n");
    out.push_str("trunk: main\n\n");
    out.push_str(
        "# Migration directories and their layouts: auto | flyway | golang-migrate | pop | dbmate\n# | goose | liquibase | sqitch | prisma | diesel | sqlx | atlas | plain.\n",
    );
    if found.is_empty() {
        out.push_str("# No migration directory was found; add yours:\n");
        out.push_str("migrations: []\n");
        out.push_str("#  - dir: db/migrations\n#    layout: auto\n");
    } else {
        out.push_str("migrations:\n");
        for ((dir, detection), shown) in found.iter().zip(&dialects) {
            let dir = if dir.is_empty() { "." } else { dir.as_str() };
            let entry = format!(
                "  - dir: {dir}\n    layout: {}   # {}\n",
                detection.layout.name(),
                detection.reason
            );
            match shown {
                Some((other, files)) if *other != dialect => {
                    let shows = if *files == 1 {
                        "1 script shows it".to_string()
                    } else {
                        format!("{files} scripts show it")
                    };
                    out.push_str(&format!(
                        "  # {dir} is written for {} ({shows}): check it with a configuration of its own (--config)\n",
                        other.name()
                    ));
                    for line in entry.lines() {
                        out.push_str(&format!("  #{}\n", &line[1..]));
                    }
                }
                _ => out.push_str(&entry),
            }
        }
    }
    out.push_str("\n# Per-rule level: error | warning | off (`sqlgate rules` lists them).\n");
    out.push_str("rules: {}\n");
    out.push_str("#  version-order: error\n#  empty-migration: warning\n");
    out.push_str("\n# Naming conventions for new objects (README: \"Naming conventions\").\n");
    out.push_str("# naming:\n#   case: snake_case\n#   index: \"idx_{table}_{columns}\"\n");
    out.push_str("#   foreign_key: \"fk_{table}_{ref_table}\"\n");
    Ok(out)
}

/// A dialect a directory's scripts show, with how many of them do.
type Shown = Option<(Dialect, usize)>;

/// The dialect most scripts of `dirs` are written in (PostgreSQL when none
/// tells), and the dialect each directory shows with how many scripts do.
pub(crate) fn dialects(files: &Files, dirs: &[&str]) -> Result<(Dialect, Vec<Shown>)> {
    let dialects: Vec<Shown> = dirs
        .iter()
        .map(|dir| dir_dialect(files, dir))
        .collect::<Result<_>>()?;
    // One dialect per configuration: the one most scripts are written in.
    let dialect = [
        Dialect::Postgres,
        Dialect::Mysql,
        Dialect::Sqlite,
        Dialect::Mssql,
    ]
    .into_iter()
    .map(|d| {
        let scripts = dialects.iter().flatten().filter(|(x, _)| *x == d);
        (d, scripts.map(|(_, n)| n).sum::<usize>())
    })
    .fold((Dialect::Postgres, 0), |best, (d, n)| {
        if n > best.1 {
            (d, n)
        } else {
            best
        }
    })
    .0;
    Ok((dialect, dialects))
}

/// The dialect a directory's scripts show (`None`: nothing tells), read from
/// at most a few hundred of them; Prisma says it in `migration_lock.toml`.
fn dir_dialect(files: &Files, dir: &str) -> Result<Option<(Dialect, usize)>> {
    let mut sniffer = Sniffer::default();
    let mut infixes: Vec<(Dialect, usize)> = Vec::new();
    let listing = files.list(dir)?;
    let mut read = 0;
    for entry in listing.iter() {
        let name = entry.path.rsplit('/').next().unwrap_or(&entry.path);
        if name == "migration_lock.toml" {
            let Ok(text) = files.text(entry)? else {
                continue;
            };
            let provider = text
                .lines()
                .filter_map(|l| l.trim().strip_prefix("provider"))
                .filter_map(|r| r.trim_start().strip_prefix('='))
                .map(|v| v.trim().trim_matches('"').to_ascii_lowercase())
                .next();
            let dialect = match provider.as_deref() {
                Some("mysql") => Some(Dialect::Mysql),
                Some("sqlite") => Some(Dialect::Sqlite),
                Some("sqlserver") => Some(Dialect::Mssql),
                Some("postgresql" | "postgres" | "cockroachdb") => Some(Dialect::Postgres),
                _ => None,
            };
            if let Some(d) = dialect {
                return Ok(Some((d, 1)));
            }
        }
        // A pop script for one database says so in its name.
        if let Some(d) = layout::pop_dialect_infix(name) {
            match infixes.iter_mut().find(|(x, _)| *x == d) {
                Some((_, n)) => *n += 1,
                None => infixes.push((d, 1)),
            }
            continue;
        }
        if name.ends_with(".sql") && read < 300 {
            read += 1;
            if let Ok(text) = files.text(entry)? {
                sniffer.add(&text);
            }
        }
    }
    // The database most of a pop directory's scripts are written for.
    // (PostgreSQL first among equals: CockroachDB's scripts count for it.)
    let most = infixes
        .iter()
        .copied()
        .fold(None, |best: Option<(Dialect, usize)>, (d, n)| match best {
            Some((_, m)) if m > n || (m == n && d != Dialect::Postgres) => best,
            _ => Some((d, n)),
        });
    if most.is_some() {
        return Ok(most);
    }
    Ok(sniffer.dialect())
}
