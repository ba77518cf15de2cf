//! golang-migrate: `<version>_<description>.up.sql` and
//! `<version>_<description>.down.sql` directly in the directory.

use super::{direct, file_name};
use crate::plan::{Meta, Migration, MigrationKind, Plan, Script, Stray, Transaction, Version};
use crate::source::FileEntry;

/// Version, description and direction (`true` for up) of a file name.
pub(super) fn parse_name(name: &str) -> Option<(&str, &str, bool)> {
    let (stem, up) = if let Some(stem) = name.strip_suffix(".up.sql") {
        (stem, true)
    } else {
        (name.strip_suffix(".down.sql")?, false)
    };
    let digits = stem.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return None;
    }
    let desc = stem[digits..].strip_prefix('_').unwrap_or(&stem[digits..]);
    Some((&stem[..digits], desc, up))
}

/// A file of the directory whose name parses: version, description,
/// direction (`true` for up) and the file.
type Named<'e> = (&'e str, &'e str, bool, &'e FileEntry);

pub(super) fn plan(dir: &str, entries: &[FileEntry]) -> Plan {
    let mut named: Vec<Named> = Vec::with_capacity(entries.len());
    let mut strays = Vec::new();
    for entry in direct(dir, entries) {
        let name = file_name(&entry.path);
        match parse_name(name) {
            Some((version, desc, up)) => named.push((version, desc, up, entry)),
            None if name.ends_with(".sql") => strays.push(Stray::name(
                entry.clone(),
                super::Layout::GolangMigrate.pattern(),
            )),
            None => {}
        }
    }
    // By version as written, in path order within a version: the listing
    // is sorted by path, so with zero-padded versions this is one pass.
    if !named.is_sorted_by(|a, b| a.0 <= b.0) {
        named.sort_by(|a, b| a.0.cmp(b.0));
    }
    let mut migrations = Vec::with_capacity(named.iter().filter(|n| n.2).count());
    let mut unpaired = Vec::new();
    let mut downs: Vec<(&str, &FileEntry)> = Vec::new();
    for group in named.chunk_by(|a, b| a.0 == b.0) {
        let version = group[0].0;
        // Downs by description: a down pairs with the up of the same name,
        // or with the only up of its version. Of two downs with one
        // description, the later one counts.
        downs.clear();
        downs.extend(
            group
                .iter()
                .filter(|n| !n.2)
                .map(|&(_, desc, _, file)| (desc, file)),
        );
        downs.sort_by(|a, b| a.0.cmp(b.0));
        downs.dedup_by(|later, earlier| {
            let same = later.0 == earlier.0;
            if same {
                *earlier = *later;
            }
            same
        });
        let ups = group.iter().filter(|n| n.2);
        let count = ups.clone().count();
        let single = count == 1;
        let mut parsed = Some(Version::parse(version));
        for (n, &(_, desc, _, file)) in ups.enumerate() {
            let down = match downs.iter().position(|d| d.0 == desc) {
                Some(i) => Some(downs.remove(i).1),
                None if single && downs.len() == 1 => downs.pop().map(|d| d.1),
                None => None,
            };
            // Two up files with one version: keep both, the second with a
            // distinct id, so that duplicate-version can name them.
            let id = if n == 0 {
                version.to_string()
            } else {
                format!("{version}#{n}")
            };
            migrations.push(Migration {
                id,
                version: if n + 1 == count {
                    parsed.take()
                } else {
                    parsed.clone()
                },
                description: desc.to_string(),
                kind: MigrationKind::Versioned,
                up: Script::whole(file.clone()),
                down: down.map(|d| Script::whole(d.clone())),
                // The driver sends the file in one call: PostgreSQL runs a
                // multi-statement file as one implicit transaction.
                meta: Meta {
                    transaction: Transaction::Implicit,
                    ..Meta::default()
                },
            });
        }
        unpaired.extend(downs.drain(..).map(|d| d.1));
    }
    for file in unpaired {
        strays.push(Stray::problem(
            file.clone(),
            None,
            "this .down.sql file has no .up.sql of the same version and name",
            "give it the name of the .up.sql it undoes",
        ));
    }
    Plan {
        dir: dir.to_string(),
        layout: super::Layout::GolangMigrate,
        migrations,
        strays,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::layout::Layout;

    /// The Plan as first written: maps by version and description.
    fn reference(dir: &str, entries: &[FileEntry]) -> Plan {
        let mut ups: BTreeMap<String, Vec<FileEntry>> = BTreeMap::new();
        let mut downs: BTreeMap<String, BTreeMap<String, FileEntry>> = BTreeMap::new();
        let mut strays = Vec::new();
        let mut migrations = Vec::new();
        for entry in direct(dir, entries) {
            let name = file_name(&entry.path);
            match parse_name(name) {
                Some((version, _, true)) => ups
                    .entry(version.to_string())
                    .or_default()
                    .push(entry.clone()),
                Some((version, desc, false)) => {
                    downs
                        .entry(version.to_string())
                        .or_default()
                        .insert(desc.to_string(), entry.clone());
                }
                None if name.ends_with(".sql") => {
                    strays.push(Stray::name(entry.clone(), Layout::GolangMigrate.pattern()))
                }
                None => {}
            }
        }
        for (version, files) in ups {
            let mut version_downs = downs.remove(&version).unwrap_or_default();
            let single = files.len() == 1;
            for (n, file) in files.into_iter().enumerate() {
                let name = file_name(&file.path).to_string();
                let (_, desc, _) = parse_name(&name).unwrap_or(("", "", true));
                let down = version_downs.remove(desc).or_else(|| {
                    let only = single && version_downs.len() == 1;
                    only.then(|| version_downs.pop_first().map(|(_, f)| f))
                        .flatten()
                });
                let id = if n == 0 {
                    version.clone()
                } else {
                    format!("{version}#{n}")
                };
                migrations.push(Migration {
                    id,
                    version: Some(Version::parse(&version)),
                    description: desc.to_string(),
                    kind: MigrationKind::Versioned,
                    up: Script::whole(file),
                    down: down.map(Script::whole),
                    meta: Meta {
                        transaction: Transaction::Implicit,
                        ..Meta::default()
                    },
                });
            }
            downs.insert(version, version_downs);
        }
        for file in downs.into_values().flat_map(BTreeMap::into_values) {
            strays.push(Stray::problem(
                file,
                None,
                "this .down.sql file has no .up.sql of the same version and name",
                "give it the name of the .up.sql it undoes",
            ));
        }
        Plan {
            dir: dir.to_string(),
            layout: Layout::GolangMigrate,
            migrations,
            strays,
        }
    }

    fn same_as_reference(names: &[&str]) {
        let mut entries: Vec<FileEntry> = names
            .iter()
            .enumerate()
            .map(|(i, n)| FileEntry {
                path: format!("db/m/{n}"),
                id: Some(crate::source::BlobId([i as u8; 20])),
            })
            .collect();
        entries.sort_by(|a, b| a.path.cmp(&b.path));
        let mut got = plan("db/m", &entries);
        let mut want = reference("db/m", &entries);
        got.sort();
        want.sort();
        assert_eq!(format!("{got:#?}"), format!("{want:#?}"), "{names:?}");
    }

    #[test]
    fn plan_pairs_files_as_the_tool_does() {
        same_as_reference(&[
            "000001_init.up.sql",
            "000001_init.down.sql",
            "000002_users.up.sql",
            "000002_users.down.sql",
        ]);
        // Two ups with one version, with and without their downs.
        same_as_reference(&["3_a.up.sql", "3_b.up.sql", "3_a.down.sql", "3_b.down.sql"]);
        same_as_reference(&["3_a.up.sql", "3_b.up.sql", "3_c.down.sql"]);
        // One up and a down of another name: the only down pairs with it.
        same_as_reference(&["4_a.up.sql", "4_b.down.sql"]);
        same_as_reference(&["4_a.up.sql", "4_b.down.sql", "4_c.down.sql"]);
        // Stray downs, names that are not migrations, other files.
        same_as_reference(&[
            "5_a.down.sql",
            "6_a.up.sql",
            "7.down.sql",
            "notes.sql",
            "README.md",
            "x_1.up.sql",
            "sub/8_a.up.sql",
        ]);
        // Versions whose text sorts apart from their paths, leading zeros,
        // no description, one description written two ways.
        same_as_reference(&[
            "1.up.sql",
            "10_ten.up.sql",
            "1_one.up.sql",
            "1_one.down.sql",
            "1one.down.sql",
            "01_one.up.sql",
            "2_b.down.sql",
            "2_a.down.sql",
            "2_c.up.sql",
            "20240301120000_ts.up.sql",
            "20240301120000_ts.down.sql",
        ]);
        same_as_reference(&[]);
    }
}
