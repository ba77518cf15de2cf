//! `hotfix-not-backported`: a higher environment has a migration that the
//! lower one does not (a hotfix that went straight to production); until it
//! comes back down, the lower environments test a schema production does
//! not have, and their next promotion may undo or collide with it.

use super::{declared, not_for, ordered, target};
use crate::finding::{Finding, Side};
use crate::plan::promotion::Place;
use crate::rules::Context;

/// Reports migrations of higher environments that the target lacks.
pub fn check(ctx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    let Some((promotion, env)) = target(ctx) else {
        return out;
    };
    let envs = &ctx.config.environments;
    for dir in &ctx.dirs {
        let Some(view) = &dir.promotion else { continue };
        let mut reported: Vec<&str> = Vec::new();
        for higher in env + 1..view.envs.len() {
            let Some(plan) = view.envs[higher].as_ref() else {
                continue;
            };
            for m in &plan.migrations {
                // What the target's branch already has stays there after
                // the merge, even when the branch checked predates it.
                if !ordered(m)
                    || reported.contains(&m.id.as_str())
                    || view.find(Place::Head, &m.id).is_some()
                    || view.find(Place::Env(env), &m.id).is_some()
                    || not_for(m, envs, env)
                {
                    continue;
                }
                reported.push(&m.id);
                out.push(
                    Finding::new(
                        "hotfix-not-backported",
                        declared(m, Side::Env(higher)),
                        format!(
                            "migration {} is in {} but not in {}",
                            m.name(),
                            promotion.name(higher),
                            promotion.name(env)
                        ),
                    )
                    .label(format!("only in {} and above", promotion.envs[higher].name))
                    .help(format!(
                        "merge {} back into {} (a back-merge of the hotfix), so every \
                         environment below runs it too",
                        promotion.envs[higher].shown, promotion.envs[env].shown
                    )),
                );
            }
        }
    }
    out
}
