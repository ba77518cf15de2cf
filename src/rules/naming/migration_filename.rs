//! `migration-filename`: a migration file whose name or form the migration
//! tool or the team's conventions reject: a name the layout does not
//! recognise (the tool would skip it), a dbmate or goose file without its up
//! section, a SQL file no Liquibase changelog includes, a sqitch script no
//! plan entry names, a description not written in the configured case, a
//! version in another scheme than the directory's (a timestamp among
//! integers sorts after every future integer), a timestamp version that is
//! not a valid date or lies in the future.

use std::collections::{HashMap, HashSet};

use crate::config::naming::{Case, DescriptionCase};
use crate::finding::{Finding, Location};
use crate::layout::Layout;
use crate::plan::version::{next_version, now_secs, utc_timestamp};
use crate::plan::{ChangeKind, Migration, MigrationKind, Plan};
use crate::rules::{Context, DirView};

/// Reports stray files that the change adds (or every stray when linting),
/// and new migrations whose name breaks the directory's conventions.
pub fn check(ctx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    let now = now_secs();
    for dir in &ctx.dirs {
        strays(ctx, dir, &mut out);
        let named: HashSet<usize> = dir
            .changes
            .iter()
            .filter(|c| {
                matches!(
                    c.kind,
                    ChangeKind::Added | ChangeKind::Renamed | ChangeKind::Reversioned { .. }
                )
            })
            .filter_map(|c| c.head)
            .collect();
        let versions = Versions::new(dir, &named);
        let mut named: Vec<usize> = named.into_iter().collect();
        named.sort_unstable();
        for index in named {
            let migration = &dir.head.migrations[index];
            // Liquibase changesets and sqitch changes are named in their
            // changelog or plan, not by a file name with a version.
            if dir.head.layout.ordered_by_plan() {
                continue;
            }
            if let Some(f) = description(ctx, &dir.head, migration) {
                out.push(f);
            }
            if let Some(f) = timestamp(ctx, migration, now) {
                out.push(f);
            } else if let Some(f) = scheme(dir, &versions, index) {
                out.push(f);
            }
        }
    }
    out
}

fn finding(migration: &Migration, message: String) -> Finding {
    Finding::new(
        "migration-filename",
        Location::head(&migration.up.file.path, 0..0),
        message,
    )
}

fn strays(ctx: &Context, dir: &DirView, out: &mut Vec<Finding>) {
    for (i, stray) in dir.head.strays.iter().enumerate() {
        // A problem the base already had, in the same file: its k-th
        // occurrence in the head is known when the base has k of them.
        let same = |a: &crate::plan::Stray, b: &crate::plan::Stray| {
            a.file.path == b.file.path
                && a.problem == b.problem
                && (a.problem.is_some() || (a.file.id == b.file.id && a.file.id.is_some()))
        };
        let nth = dir.head.strays[..i]
            .iter()
            .filter(|h| same(h, stray))
            .count();
        let known = dir.base.strays.iter().filter(|b| same(b, stray)).count() > nth;
        if known && !ctx.lint {
            continue;
        }
        let name = stray
            .file
            .path
            .rsplit('/')
            .next()
            .unwrap_or(&stray.file.path);
        let layout = dir.head.layout.name();
        let (message, help) = match &stray.problem {
                Some(problem) => (
                    format!("{name} in {}: {problem}", dir.head.dir),
                    stray.expected.clone(),
                ),
                None => (
                    format!(
                        "{name} does not follow the {layout} layout of {}, so the migration tool will not run it",
                        dir.head.dir
                    ),
                    format!("name it {}", stray.expected),
                ),
            };
        out.push(
            Finding::new(
                "migration-filename",
                Location::head(&stray.file.path, stray.span.clone().unwrap_or(0..0)),
                message,
            )
            .help(help),
        );
    }
}

/// The description is not in the configured case.
fn description(ctx: &Context, plan: &Plan, migration: &Migration) -> Option<Finding> {
    let case = match ctx.config.naming.migration_description {
        DescriptionCase::Case(case) => case,
        DescriptionCase::Auto if plan.layout == Layout::Flyway => Case::Words,
        DescriptionCase::Auto => Case::Snake,
    };
    // sqlx records the description with spaces for underscores; the file
    // name is what the convention is about.
    let desc = &match plan.layout {
        Layout::Sqlx => migration.description.replace(' ', "_"),
        _ => migration.description.clone(),
    };
    // A description may start with a number (`1009_fix_index` for an issue,
    // `2fa_secrets`): it is no identifier.
    let words = without_version_dots(desc);
    let words = words.trim_start_matches(|c: char| c.is_ascii_digit());
    let words = words.strip_prefix(['_', '-']).unwrap_or(words);
    // Flyway projects join their words with `_` (Create_person_table) or
    // with `-` (add-invite-table); Flyway reads either as the description.
    let flyway_kebab = matches!(
        ctx.config.naming.migration_description,
        DescriptionCase::Auto
    ) && plan.layout == Layout::Flyway
        && Case::Kebab.matches(words);
    if words.is_empty() || case.matches(words) || flyway_kebab {
        return None;
    }
    let fixed = case.convert(desc);
    let rename = |name: &str| match name.rfind(desc.as_str()) {
        Some(at) => format!("{}{fixed}{}", &name[..at], &name[at + desc.len()..]),
        None => name.to_string(),
    };
    let mut help = format!("rename it {}", rename(migration.name()));
    if let Some(down) = migration
        .down
        .as_ref()
        .filter(|d| d.file.path != migration.up.file.path)
    {
        let down_name = down.file.path.rsplit('/').next().unwrap_or(&down.file.path);
        help.push_str(&format!(" and its down {}", rename(down_name)));
    }
    Some(
        finding(
            migration,
            format!(
                "the description `{desc}` of {} is not {case}",
                migration.name()
            ),
        )
        .help(help),
    )
}

/// The description with the dots of release numbers left out: a word may
/// name the release it is for (`upgrade_channels_v6.0`, `backfill_for_5.10.2`),
/// whatever the case of the words.
fn without_version_dots(desc: &str) -> String {
    let chars: Vec<char> = desc.chars().collect();
    chars
        .iter()
        .enumerate()
        .filter(|&(i, &c)| {
            let digit_at = |j: Option<usize>| {
                j.and_then(|j| chars.get(j))
                    .is_some_and(|c: &char| c.is_ascii_digit())
            };
            !(c == '.' && digit_at(i.checked_sub(1)) && digit_at(Some(i + 1)))
        })
        .map(|(_, &c)| c)
        .collect()
}

/// How a version is written: what must stay the same within a directory.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Scheme {
    /// A date and time; the shape keeps the digit count and separators
    /// (`99999999999999`, `9999-99-99-999999`).
    Timestamp(String),
    /// An integer with leading zeros, of this width.
    Padded(usize),
    /// An integer without leading zeros, of this many digits.
    Number(usize),
    /// Dotted or underscored parts (`1.1`, `2_3`).
    Dotted,
}

impl Scheme {
    fn of(raw: &str) -> Scheme {
        // Diesel 2.1 and later add `-0000` to the timestamp of the folder
        // names it generates; a directory holds both forms after an upgrade.
        let raw = match raw.get(..14) {
            Some(stamp)
                if raw.len() == 18
                    && raw.bytes().all(|b| b.is_ascii_digit())
                    && parse_timestamp(stamp).is_some() =>
            {
                stamp
            }
            _ => raw,
        };
        if parse_timestamp(raw).is_some() {
            return Scheme::Timestamp(
                raw.chars()
                    .map(|c| if c.is_ascii_digit() { '9' } else { c })
                    .collect(),
            );
        }
        if raw.chars().all(|c| c.is_ascii_digit()) {
            if raw.len() > 1 && raw.starts_with('0') {
                Scheme::Padded(raw.len())
            } else {
                Scheme::Number(raw.len())
            }
        } else {
            Scheme::Dotted
        }
    }

    fn fits(&self, other: &Scheme) -> bool {
        match (self, other) {
            (Scheme::Timestamp(a), Scheme::Timestamp(b)) => a == b,
            (Scheme::Timestamp(_), _) | (_, Scheme::Timestamp(_)) => false,
            (Scheme::Padded(a), Scheme::Padded(b)) => a == b,
            // A padded directory that reached 1000 (width 4) is still padded.
            (Scheme::Padded(w), Scheme::Number(n)) | (Scheme::Number(n), Scheme::Padded(w)) => {
                n == w
            }
            _ => true,
        }
    }

    fn describe(&self) -> String {
        match self {
            Scheme::Timestamp(shape) if shape.chars().all(|c| c == '9') => {
                format!("a {}-digit timestamp", shape.len())
            }
            Scheme::Timestamp(shape) => format!("a timestamp written {}", shape.replace('9', "N")),
            Scheme::Padded(w) => format!("an integer zero-padded to {w} digits"),
            Scheme::Number(_) => "an integer without zero padding".to_string(),
            Scheme::Dotted => "a dotted version".to_string(),
        }
    }
}

/// The versioned migrations of a directory in order, for comparing
/// version schemes; computed once per directory.
struct Versions<'a> {
    /// (index in the head Plan, migration), in version order.
    versioned: Vec<(usize, &'a Migration)>,
    /// Position in `versioned` of a head Plan index.
    position: HashMap<usize, usize>,
    /// The latest migration the change did not add or rename.
    latest_existing: Option<&'a Migration>,
}

impl<'a> Versions<'a> {
    fn new(dir: &'a DirView, named: &HashSet<usize>) -> Self {
        let versioned: Vec<(usize, &Migration)> = dir
            .head
            .migrations
            .iter()
            .enumerate()
            .filter(|(_, m)| m.kind == MigrationKind::Versioned && m.version.is_some())
            .collect();
        let position = versioned
            .iter()
            .enumerate()
            .map(|(at, (i, _))| (*i, at))
            .collect();
        let latest_existing = versioned
            .iter()
            .rev()
            .find(|(i, _)| !named.contains(i))
            .map(|(_, m)| *m);
        Versions {
            versioned,
            position,
            latest_existing,
        }
    }
}

/// The version scheme differs from the directory's.
fn scheme(dir: &DirView, versions: &Versions, index: usize) -> Option<Finding> {
    let migration = &dir.head.migrations[index];
    let version = migration.version.as_ref()?;
    if migration.kind != MigrationKind::Versioned {
        return None;
    }
    // Compared with the latest migration the target already has, so that a
    // directory that once switched schemes follows its current one; without
    // history, with the migration just before it (or after, for the first).
    let reference = match versions.latest_existing {
        Some(m) => m,
        None => {
            let at = *versions.position.get(&index)?;
            let neighbour = at
                .checked_sub(1)
                .or((at + 1 < versions.versioned.len()).then_some(at + 1))?;
            versions.versioned[neighbour].1
        }
    };
    let reference_version = reference.version.as_ref()?;
    // A version of zeros is a tool's own first migration (Diesel's
    // `00000000000000_diesel_initial_setup`), not a scheme to follow.
    let zeros = |v: &str| v.bytes().all(|b| b == b'0');
    if zeros(version.as_str()) || zeros(reference_version.as_str()) {
        return None;
    }
    let (mine, theirs) = (
        Scheme::of(version.as_str()),
        Scheme::of(reference_version.as_str()),
    );
    if mine.fits(&theirs) {
        return None;
    }
    let latest = versions
        .latest_existing
        .unwrap_or(reference)
        .version
        .as_ref()?;
    let suggested = next_version(latest, now_secs());
    Some(
        finding(
            migration,
            format!(
                "version {version} of {} is {}, but {} uses {}",
                migration.name(),
                mine.describe(),
                reference.name(),
                theirs.describe()
            ),
        )
        .with(
            Location::head(&reference.up.file.path, 0..0),
            format!("{} here", theirs.describe()),
        )
        .help(format!(
            "keep one scheme per directory: version it like {suggested}; mixing schemes makes migrations sort out of the order they were written in"
        )),
    )
}

/// A timestamp version that is not a valid date, or is in the future.
fn timestamp(ctx: &Context, migration: &Migration, now: u64) -> Option<Finding> {
    let version = migration.version.as_ref()?;
    let parts = parse_timestamp(version.as_str())?;
    if let Err(why) = parts.valid() {
        return Some(
            finding(
                migration,
                format!(
                    "version {version} of {} is not a valid date and time: {why}",
                    migration.name()
                ),
            )
            .help("generate the version with the migration tool (or `date -u +%Y%m%d%H%M%S`)"),
        );
    }
    let skew = ctx.config.naming.skew_secs();
    let at = parts.epoch_secs()?;
    if at <= now.saturating_add(skew) as i64 {
        return None;
    }
    let digits = version
        .as_str()
        .chars()
        .filter(char::is_ascii_digit)
        .count();
    let current: String = utc_timestamp(now).chars().take(digits).collect();
    Some(
        finding(
            migration,
            format!(
                "version {version} of {} is in the future ({}-{:02}-{:02} {:02}:{:02} UTC), beyond the allowed skew of {}",
                migration.name(),
                parts.year,
                parts.month,
                parts.day,
                parts.hour,
                parts.minute,
                ctx.config.naming.timestamp_skew
            ),
        )
        .help(format!(
            "use the current time, for example {current}: every migration written before that date would sort before this one"
        )),
    )
}

/// The fields of a timestamp version.
#[derive(Clone, Copy, Debug)]
struct Stamp {
    year: i64,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
}

/// Reads a version of 12 to 17 digits (separators allowed) that starts with
/// a year from 1900 to 2199 as a timestamp, valid or not.
fn parse_timestamp(raw: &str) -> Option<Stamp> {
    if !raw
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '-' | '_' | '.'))
    {
        return None;
    }
    let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
    if !(12..=17).contains(&digits.len()) || !matches!(&digits[..2], "19" | "20" | "21") {
        return None;
    }
    let num = |r: std::ops::Range<usize>| digits.get(r).and_then(|d| d.parse::<u32>().ok());
    Some(Stamp {
        year: i64::from(num(0..4)?),
        month: num(4..6)?,
        day: num(6..8)?,
        hour: num(8..10)?,
        minute: num(10..12)?,
        second: num(12..14).unwrap_or(0),
    })
}

impl Stamp {
    fn valid(&self) -> Result<(), String> {
        if !(1..=12).contains(&self.month) {
            return Err(format!("there is no month {}", self.month));
        }
        let days = days_in_month(self.year, self.month);
        if !(1..=days).contains(&self.day) {
            return Err(format!(
                "month {} has {days} days, not {}",
                self.month, self.day
            ));
        }
        if self.hour > 23 {
            return Err(format!("hour {} is past 23", self.hour));
        }
        if self.minute > 59 {
            return Err(format!("minute {} is past 59", self.minute));
        }
        if self.second > 59 {
            return Err(format!("second {} is past 59", self.second));
        }
        Ok(())
    }

    /// Seconds since the Unix epoch, reading the stamp as UTC.
    fn epoch_secs(&self) -> Option<i64> {
        // Days from civil (H. Hinnant's algorithm).
        let (y, m) = if self.month <= 2 {
            (self.year - 1, i64::from(self.month) + 9)
        } else {
            (self.year, i64::from(self.month) - 3)
        };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let doy = (153 * m + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        let days = era * 146_097 + doe - 719_468;
        Some(
            days * 86_400
                + i64::from(self.hour) * 3_600
                + i64::from(self.minute) * 60
                + i64::from(self.second),
        )
    }
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_validated_and_dated() {
        let s = parse_timestamp("20240301120000").unwrap();
        assert!(s.valid().is_ok());
        assert_eq!(s.epoch_secs(), Some(1_709_294_400));
        assert!(parse_timestamp("20230229120000").unwrap().valid().is_err());
        assert!(parse_timestamp("20240229120000").unwrap().valid().is_ok());
        assert!(parse_timestamp("20241301120000").unwrap().valid().is_err());
        assert!(parse_timestamp("2024-01-02-094916")
            .unwrap()
            .valid()
            .is_ok());
        assert!(parse_timestamp("000001").is_none());
        assert!(parse_timestamp("1.1").is_none());
    }

    #[test]
    fn schemes_fit_within_a_directory() {
        let of = Scheme::of;
        assert!(of("0001").fits(&of("0042")));
        assert!(of("1000").fits(&of("0999")));
        assert!(!of("00012").fits(&of("0011")));
        assert!(of("9").fits(&of("10")));
        assert!(!of("20240301120000").fits(&of("0042")));
        assert!(!of("202403011200").fits(&of("20240301120000")));
        assert!(of("1.1").fits(&of("2")));
    }
}
