//! `duplicate-version`: two migrations of one directory share a version,
//! so the tool refuses to run or runs only one of them.

use std::collections::HashMap;

use crate::finding::{Finding, Location, Side};
use crate::plan::{Migration, MigrationKind, Version};
use crate::rules::context::file_start;
use crate::rules::ordering::on_target;
use crate::rules::Context;

/// Up to how many new migrations each is compared with the whole Plan
/// instead of through a map of every version.
const FEW: usize = 8;

/// The indices of the migrations with `version`, in Plan order.
fn with_version<'a>(
    by_version: Option<&'a HashMap<&'a Version, Vec<usize>>>,
    migrations: &'a [Migration],
    version: &'a Version,
) -> Box<dyn Iterator<Item = usize> + 'a> {
    match by_version {
        Some(map) => Box::new(map.get(version).into_iter().flatten().copied()),
        None => Box::new(
            migrations
                .iter()
                .enumerate()
                .filter(move |(_, m)| m.version.as_ref() == Some(version))
                .map(|(i, _)| i),
        ),
    }
}

/// Reports each new migration whose version another migration already has.
pub fn check(ctx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    for dir in &ctx.dirs {
        let fresh: Vec<usize> = dir.fresh().map(|(i, _)| i).collect();
        let is_fresh: std::collections::HashSet<usize> = fresh.iter().copied().collect();
        let versioned = |kind: MigrationKind| kind != MigrationKind::Repeatable;
        // Head migrations by version, in Plan order: a map when many
        // migrations are new (a lint), else a pass over the Plan for each.
        let by_version = (fresh.len() > FEW).then(|| {
            let mut map: HashMap<&Version, Vec<usize>> = HashMap::new();
            for (i, m) in dir.head.migrations.iter().enumerate() {
                if let Some(v) = &m.version {
                    map.entry(v).or_default().push(i);
                }
            }
            map
        });
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
            let mut other = with_version(by_version.as_ref(), &dir.head.migrations, version)
                .map(|i| (i, &dir.head.migrations[i]))
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
