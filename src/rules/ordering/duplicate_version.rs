//! `duplicate-version`: two migrations of one directory share a version,
//! so the tool refuses to run or runs only one of them.

use crate::finding::{Finding, Location, Side};
use crate::plan::{MigrationKind, Version};
use crate::rules::context::file_start;
use crate::rules::ordering::on_target;
use crate::rules::Context;

/// Reports each new migration whose version another migration already has.
pub fn check(ctx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    for dir in &ctx.dirs {
        let fresh: Vec<usize> = dir.fresh().map(|(i, _)| i).collect();
        let is_fresh: std::collections::HashSet<usize> = fresh.iter().copied().collect();
        let versioned = |kind: MigrationKind| kind != MigrationKind::Repeatable;
        // Head migrations by version, in Plan order.
        let mut by_version: std::collections::HashMap<&Version, Vec<usize>> =
            std::collections::HashMap::new();
        for (i, m) in dir.head.migrations.iter().enumerate() {
            if let Some(v) = &m.version {
                by_version.entry(v).or_default().push(i);
            }
        }
        for &index in &fresh {
            let migration = &dir.head.migrations[index];
            let Some(version) = &migration.version else {
                continue;
            };
            if !versioned(migration.kind) {
                continue;
            }
            let same = |v: &Option<Version>, kind: MigrationKind| {
                v.as_ref() == Some(version) && versioned(kind) && kind == migration.kind
            };
            // Another head migration with the same version; when both are
            // new, report the pair once, on the later file.
            let mut other = by_version
                .get(version)
                .into_iter()
                .flatten()
                .map(|&i| (i, &dir.head.migrations[i]))
                .filter(|(i, m)| *i != index && same(&m.version, m.kind))
                .find(|(i, m)| !is_fresh.contains(i) || m.up.file.path < migration.up.file.path)
                .map(|(_, m)| (m.name().to_string(), m.up.file.path.clone(), Side::Head));
            if other.is_none() {
                other = on_target(&dir.base, dir.target.as_ref())
                    .into_iter()
                    .filter(|(m, side)| *side == Side::Target && same(&m.version, m.kind))
                    .map(|(m, side)| (m.name().to_string(), m.up.file.path.clone(), side))
                    .next();
            }
            let Some((other_name, other_path, side)) = other else {
                continue;
            };
            let where_ = if side == Side::Target {
                format!(" on {}", ctx.target_name)
            } else {
                String::new()
            };
            out.push(
                Finding::new(
                    "duplicate-version",
                    Location::head(&migration.up.file.path, 0..0),
                    format!(
                        "migration {} has version {version}, like {other_name}{where_}",
                        migration.name()
                    ),
                )
                .label(format!("version {version}"))
                .with(
                    file_start(&other_path, side),
                    format!("{other_name} has version {version} too"),
                )
                .help("give the new migration a version after every existing one"),
            );
        }
    }
    out
}
