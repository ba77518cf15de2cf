//! Promotion rules: what would break when migrations move from one
//! environment to the next (dev -> staging -> prod), by environment
//! branches or by deploy refs along a trunk. They read the promotion view
//! of each directory (`plan::promotion`), built only when the check's
//! target is an environment or the trunk that deploy refs follow.

pub mod environment_only_change;
pub mod hotfix_not_backported;
pub mod promotion_drift;
pub mod promotion_gap;
pub mod promotion_skips_environment;
pub mod unknown_context;

pub(crate) use crate::plan::promotion::{meant_for, not_for, runs_in};
use crate::plan::promotion::{DirPromotion, Place};
use crate::plan::{Migration, MigrationKind, Plan};
pub(crate) use crate::rules::context::declared;
use crate::rules::{Context, DirView, Promotion};

/// The promotion and the target environment of a check into one.
pub(crate) fn target<'c>(ctx: &'c Context) -> Option<(&'c Promotion, usize)> {
    let promotion = ctx.promotion.as_ref()?;
    Some((promotion, promotion.target?))
}

/// The promotion, the target environment and the one below it.
pub(crate) fn target_and_lower<'c>(ctx: &'c Context) -> Option<(&'c Promotion, usize, usize)> {
    let (promotion, env) = target(ctx)?;
    Some((promotion, env, env.checked_sub(1)?))
}

/// The directories whose lower environment's branch or ref exists, with
/// their promotion view and that environment's Plan.
pub(crate) fn with_lower<'c>(
    ctx: &'c Context,
    lower: usize,
) -> impl Iterator<Item = (&'c DirView, &'c DirPromotion, &'c Plan)> {
    ctx.dirs.iter().filter_map(move |dir| {
        let view = dir.promotion.as_ref()?;
        let plan = view.envs.get(lower)?.as_ref()?;
        Some((dir, view, plan))
    })
}

/// Head migrations a promotion check looks at, by index: those the change
/// adds or edits, and those arriving in the target environment.
pub(crate) fn touched(dir: &DirView, view: &DirPromotion, promotion: &Promotion) -> Vec<usize> {
    let mut touched: Vec<usize> = dir.fresh().map(|(i, _)| i).collect();
    if let Some(env) = promotion.target {
        touched.extend(arriving(dir, view, env).into_iter().map(|(i, _)| i));
    }
    touched.sort_unstable();
    touched.dedup();
    touched
}

/// Head migrations that the target environment does not have yet: those
/// its branch or ref lacks (or, when it has none yet, the change adds).
pub(crate) fn arriving<'d>(
    dir: &'d DirView,
    view: &'d DirPromotion,
    env: usize,
) -> Vec<(usize, &'d Migration)> {
    let env_known = view.envs.get(env).is_some_and(Option::is_some);
    dir.head
        .migrations
        .iter()
        .enumerate()
        .filter(|(i, m)| {
            if env_known {
                view.find(Place::Env(env), &m.id).is_none()
            } else {
                dir.is_added(*i)
            }
        })
        .collect()
}

/// Whether an environment above `env` already has migration `id` (it
/// came down as a hotfix's back-port, not up as a promotion).
pub(crate) fn in_higher(view: &DirPromotion, env: usize, id: &str) -> bool {
    (env + 1..view.envs.len()).any(|j| view.find(Place::Env(j), id).is_some())
}

/// Versioned migrations that matter to ordering (not repeatable ones).
pub(crate) fn ordered(m: &Migration) -> bool {
    m.kind != MigrationKind::Repeatable
}
