//! `version-order`: a new migration must sort after every migration the
//! target branch already has, or environments that already ran the later
//! ones will skip it (or refuse to migrate).

use crate::finding::{Finding, Location};
use crate::plan::MigrationKind;
use crate::rules::context::file_start;
use crate::rules::ordering::{next_version, now_secs, on_target};
use crate::rules::Context;

/// Reports added migrations whose version is not after the target's latest.
pub fn check(ctx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    if ctx.lint {
        return out;
    }
    for dir in &ctx.dirs {
        let existing = on_target(&dir.base, dir.target.as_ref());
        let latest = existing
            .iter()
            .filter(|(m, _)| m.kind == MigrationKind::Versioned && m.version.is_some())
            .max_by(|a, b| a.0.version.cmp(&b.0.version));
        let Some((latest, side)) = latest else {
            continue;
        };
        let Some(latest_version) = &latest.version else {
            continue;
        };
        for (index, migration) in dir.fresh() {
            if !dir.is_added(index) || migration.kind != MigrationKind::Versioned {
                continue;
            }
            let Some(version) = &migration.version else {
                continue;
            };
            if version >= latest_version {
                continue;
            }
            let suggestion = next_version(latest_version, now_secs());
            out.push(
                Finding::new(
                    "version-order",
                    Location::head(&migration.up.file.path, 0..0),
                    format!(
                        "migration {} sorts before {}, which is already on {}",
                        migration.name(),
                        latest.name(),
                        ctx.target_name
                    ),
                )
                .label(format!("version {version} is older than {latest_version}"))
                .with(file_start(&latest.up.file.path, *side), format!("{} is already on {}", latest.name(), ctx.target_name))
                .help(format!(
                    "give it a version after {latest_version}, for example {suggestion} (rename the file{})",
                    if migration.down.is_some() { " and its down" } else { "" }
                )),
            );
        }
    }
    out
}
