//! Flyway: `V<version>__<description>.sql` (versioned), `U<version>__...`
//! (undo, the down of the V with the same version), `R__<description>.sql`
//! (repeatable), `B<version>__...` (baseline), found recursively.

use std::collections::BTreeMap;

use super::file_name;
use crate::plan::{Meta, Migration, MigrationKind, Plan, Script, Stray, Version};
use crate::source::FileEntry;

/// The prefix letter, version (empty for repeatable) and description.
pub(super) fn parse_name(name: &str) -> Option<(char, &str, &str)> {
    let stem = name.strip_suffix(".sql")?;
    let prefix = stem.chars().next()?;
    if !matches!(prefix, 'V' | 'U' | 'R' | 'B') {
        return None;
    }
    let (version, desc) = stem[1..].split_once("__")?;
    let valid_version = if prefix == 'R' {
        version.is_empty()
    } else {
        !version.is_empty()
            && version.starts_with(|c: char| c.is_ascii_digit())
            && version
                .chars()
                .all(|c| c.is_ascii_digit() || c == '.' || c == '_')
    };
    (valid_version && !desc.is_empty()).then_some((prefix, version, desc))
}

pub(super) fn plan(dir: &str, entries: &[FileEntry]) -> Plan {
    let mut strays = Vec::new();
    let mut undo: BTreeMap<Version, FileEntry> = BTreeMap::new();
    let mut migrations = Vec::new();
    for entry in entries.iter().filter(|e| e.path.ends_with(".sql")) {
        let name = file_name(&entry.path);
        let Some((prefix, version, desc)) = parse_name(name) else {
            strays.push(Stray {
                file: entry.clone(),
                expected: super::Layout::Flyway.pattern().to_string(),
            });
            continue;
        };
        let (kind, id, version) = match prefix {
            'U' => {
                undo.insert(Version::parse(version), entry.clone());
                continue;
            }
            'R' => (MigrationKind::Repeatable, format!("R__{desc}"), None),
            'B' => (
                MigrationKind::Baseline,
                format!("B{version}"),
                Some(Version::parse(version)),
            ),
            _ => (
                MigrationKind::Versioned,
                version.replace('_', "."),
                Some(Version::parse(version)),
            ),
        };
        migrations.push(Migration {
            id,
            version,
            description: desc.to_string(),
            kind,
            up: Script::whole(entry.clone()),
            down: None,
            meta: Meta::default(),
        });
    }
    // Two V files whose versions differ only in writing (1.1 and 1_1) get
    // distinct ids so that duplicate-version can name both.
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for m in &mut migrations {
        let n = seen.entry(m.id.clone()).or_insert(0);
        if *n > 0 {
            m.id = format!("{}#{n}", m.id);
        }
        *n += 1;
    }
    for m in &mut migrations {
        if m.kind == MigrationKind::Versioned {
            if let Some(file) = m.version.as_ref().and_then(|v| undo.remove(v)) {
                m.down = Some(Script::whole(file));
            }
        }
    }
    for (_, file) in undo {
        strays.push(Stray {
            file,
            expected: "a V file with the same version for this undo (U) file".to_string(),
        });
    }
    Plan {
        dir: dir.to_string(),
        layout: super::Layout::Flyway,
        migrations,
        strays,
    }
}
