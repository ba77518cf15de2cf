//! `version-order`: a new migration must sort after every migration the
//! target branch already has, or environments that already ran the later
//! ones will skip it (or refuse to migrate).

use crate::finding::{Finding, Location, Side};
use crate::layout::Layout;
use crate::plan::{Migration, MigrationKind};
use crate::rules::context::{declared, file_start};
use crate::rules::ordering::{next_version, now_secs, on_target};
use crate::rules::{Context, DirView};

/// Reports added migrations whose version is not after the target's latest.
pub fn check(ctx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    if ctx.lint {
        return out;
    }
    for dir in &ctx.dirs {
        if dir.head.layout.ordered_by_plan() {
            out.extend(plan_order(ctx, dir));
            continue;
        }
        let existing = on_target(&dir.base, dir.target.as_ref());
        let latest = existing
            .iter()
            .filter(|(m, _)| m.kind == MigrationKind::Versioned && m.version.is_some())
            .max_by(|a, b| a.0.version.cmp(&b.0.version));
        let Some((latest, side)) = latest.filter(|(m, _)| m.version.is_some()) else {
            for (index, migration) in dir.fresh() {
                if dir.is_added(index) && migration.kind == MigrationKind::Versioned {
                    out.extend(per_environment(ctx, dir, migration));
                }
            }
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
                out.extend(per_environment(ctx, dir, migration));
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

/// In a promotion: a new migration (in no environment yet) must also sort
/// after every migration already deployed to an environment it will reach,
/// or that environment skips it or refuses to migrate when it arrives.
fn per_environment(ctx: &Context, dir: &DirView, migration: &Migration) -> Option<Finding> {
    let promotion = ctx.promotion.as_ref()?;
    let view = dir.promotion.as_ref()?;
    let version = migration.version.as_ref()?;
    let deployed_somewhere = (0..view.envs.len()).any(|e| {
        view.find(crate::plan::promotion::Place::Env(e), &migration.id)
            .is_some()
    });
    if deployed_somewhere {
        return None;
    }
    let (env, latest) = view
        .latest
        .iter()
        .filter(|(e, _)| promotion.reach.contains(e))
        .filter_map(|(e, i)| Some((*e, &view.envs.get(*e)?.as_ref()?.migrations[*i])))
        .filter(|(_, latest)| latest.version.as_ref().is_some_and(|v| v > version))
        .max_by(|a, b| a.1.version.cmp(&b.1.version))?;
    let latest_version = latest.version.as_ref()?;
    let name = promotion.name(env);
    let suggestion = next_version(latest_version, now_secs());
    Some(
        Finding::new(
            "version-order",
            Location::head(&migration.up.file.path, 0..0),
            format!(
                "migration {} sorts before {}, which is already deployed to {name}",
                migration.name(),
                latest.name()
            ),
        )
        .label(format!("version {version} is older than {latest_version}"))
        .with(
            file_start(&latest.up.file.path, Side::Env(env)),
            format!("{} is deployed to {}", latest.name(), promotion.envs[env].name),
        )
        .help(format!(
            "give it a version after {latest_version}, for example {suggestion}: when it reaches {},              the tool would skip it or refuse to migrate",
            promotion.envs[env].name
        )),
    )
}

/// Liquibase and sqitch run migrations in plan order: a new changeset or
/// change must come after every one the target already has.
fn plan_order(ctx: &Context, dir: &DirView) -> Vec<Finding> {
    let existing = on_target(&dir.base, dir.target.as_ref());
    let last = dir
        .head
        .migrations
        .iter()
        .enumerate()
        .filter(|(_, m)| existing.iter().any(|(e, _)| e.id == m.id))
        .map(|(i, _)| i)
        .max();
    let Some(last) = last else {
        return Vec::new();
    };
    let later = &dir.head.migrations[last];
    let target = &ctx.target_name;
    let help = match dir.head.layout {
        Layout::Sqitch => format!(
            "add it at the end of sqitch.plan: sqitch deploys from the last deployed change onwards, so environments that deployed {} would never deploy it",
            later.name()
        ),
        _ => format!(
            "move it after {}: environments that already ran {} would run it later than new environments do",
            later.name(),
            later.name()
        ),
    };
    dir.fresh()
        .filter(|(index, _)| dir.is_added(*index) && *index < last)
        .map(|(_, m)| {
            Finding::new(
                "version-order",
                declared(m, Side::Head),
                format!(
                    "migration {} comes before {}, which is already on {target}",
                    m.name(),
                    later.name()
                ),
            )
            .label(format!("added before {}", later.name()))
            .with(
                declared(later, Side::Head),
                format!("{} is already on {target}", later.name()),
            )
            .help(help.clone())
        })
        .collect()
}
