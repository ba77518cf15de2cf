//! `promotion-gap`: an environment receives a migration while an earlier
//! migration of the environment below is still missing from it; when that
//! one follows, it runs out of order (or the tool refuses it).

use super::{arriving, declared, in_higher, not_for, ordered, target_and_lower, with_lower};
use crate::finding::{Finding, Side};
use crate::plan::promotion::Place;
use crate::rules::Context;

/// Reports arriving migrations that overtake earlier ones of the lower
/// environment.
pub fn check(ctx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    let Some((promotion, env, lower)) = target_and_lower(ctx) else {
        return out;
    };
    let envs = &ctx.config.environments;
    for (dir, view, lower_plan) in with_lower(ctx, lower) {
        // The lower environment's migrations the head still lacks (and
        // that are meant for the target), by position in its Plan.
        let missing: Vec<usize> = lower_plan
            .migrations
            .iter()
            .enumerate()
            .filter(|(_, p)| {
                view.find(Place::Head, &p.id).is_none()
                    && view.find(Place::Env(env), &p.id).is_none()
            })
            .filter(|(_, p)| ordered(p) && !not_for(p, envs, env))
            .map(|(i, _)| i)
            .collect();
        if missing.is_empty() {
            continue;
        }
        for (_, m) in arriving(dir, view, env) {
            if !ordered(m) || in_higher(view, env, &m.id) {
                continue;
            }
            let Some(at) = view.find(Place::Env(lower), &m.id) else {
                continue;
            };
            let before = missing.partition_point(|i| *i < at);
            if before == 0 {
                continue;
            }
            let first = &lower_plan.migrations[missing[0]];
            let more = match before {
                1 => String::new(),
                n => format!(" (and {} more)", n - 1),
            };
            out.push(
                Finding::new(
                    "promotion-gap",
                    declared(m, Side::Head),
                    format!(
                        "migration {} would reach {} before {}{more}, which comes before it in {}",
                        m.name(),
                        promotion.name(env),
                        first.name(),
                        promotion.name(lower)
                    ),
                )
                .label(format!("arrives before {}", first.name()))
                .with(
                    declared(first, Side::Env(lower)),
                    format!(
                        "{} is in {} but not promoted",
                        first.name(),
                        promotion.envs[lower].name
                    ),
                )
                .help(format!(
                    "promote {} together with it (or first), so {} runs them in the order {} did",
                    first.name(),
                    promotion.envs[env].name,
                    promotion.envs[lower].name
                )),
            );
        }
    }
    out
}
