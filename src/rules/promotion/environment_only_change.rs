//! `environment-only-change`: a migration meant only for lower environments
//! (seed data under a dev-only path, a `context:dev` changeset) would reach
//! a higher environment without a context that keeps it from running there.

use super::{declared, meant_for, runs_in, touched};
use crate::finding::{Finding, Side};
use crate::rules::Context;

/// Reports migrations meant for other environments that would run in one
/// the change reaches.
pub fn check(ctx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    let Some(promotion) = &ctx.promotion else {
        return out;
    };
    let envs = &ctx.config.environments;
    for dir in &ctx.dirs {
        let Some(view) = &dir.promotion else { continue };
        for index in touched(dir, view, promotion) {
            let m = &dir.head.migrations[index];
            let Some(for_envs) = meant_for(m, envs) else {
                continue;
            };
            let Some(&reached) = promotion
                .deploys()
                .iter()
                .find(|e| !for_envs.contains(e) && envs.get(**e).is_some_and(|e| runs_in(m, e)))
            else {
                continue;
            };
            let meant: Vec<&str> = for_envs.iter().map(|e| envs[*e].name.as_str()).collect();
            let env = &envs[reached];
            let why = if env.contexts.is_empty() && !m.meta.contexts.is_empty() {
                format!(
                    " ({} deploys without contexts, so Liquibase runs every changeset)",
                    env.name
                )
            } else {
                String::new()
            };
            out.push(
                Finding::new(
                    "environment-only-change",
                    declared(m, Side::Head),
                    format!(
                        "migration {} is meant for {} only but would run in {}{why}",
                        m.name(),
                        if meant.is_empty() {
                            "no environment".to_string()
                        } else {
                            meant.join(", ")
                        },
                        promotion.name(reached)
                    ),
                )
                .label(format!("would run in {}", env.name))
                .help(format!(
                    "give it a context that {} does not deploy (`context:{}`), and give {} the \
                     contexts it deploys (`contexts:` in .sqlgate.yml and `--contexts` in its \
                     deploy job)",
                    env.name,
                    meant.first().copied().unwrap_or("dev"),
                    env.name
                )),
            );
        }
    }
    out
}
