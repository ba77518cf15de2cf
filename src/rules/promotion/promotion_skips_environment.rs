//! `promotion-skips-environment`: a migration reaches an environment
//! without being in the environment below it, so the first database to
//! run it is a higher one (often production).

use super::{arriving, declared, in_higher, not_for, ordered, target_and_lower, with_lower};
use crate::finding::{Finding, Side};
use crate::plan::promotion::Place;
use crate::rules::Context;

/// Reports migrations that arrive in the target environment but are not in
/// the one below it.
pub fn check(ctx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    let Some((promotion, env, lower)) = target_and_lower(ctx) else {
        return out;
    };
    let envs = &ctx.config.environments;
    for (dir, view, _) in with_lower(ctx, lower) {
        for (_, m) in arriving(dir, view, env) {
            if !ordered(m) || in_higher(view, env, &m.id) || not_for(m, envs, env) {
                continue;
            }
            if view.find(Place::Env(lower), &m.id).is_some() {
                continue;
            }
            out.push(
                Finding::new(
                    "promotion-skips-environment",
                    declared(m, Side::Head),
                    format!(
                        "migration {} would reach {} without being in {}",
                        m.name(),
                        promotion.name(env),
                        promotion.name(lower)
                    ),
                )
                .label(format!("not in {}", promotion.envs[lower].name))
                .help(format!(
                    "promote it through {} first (merge it there and let it deploy), so the \
                     first database to run it is not {}",
                    promotion.envs[lower].name, promotion.envs[env].name
                )),
            );
        }
    }
    out
}
