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

use crate::config::Environment;
use crate::finding::{Location, Side};
use crate::plan::expression::runs_with;
use crate::plan::promotion::{DirPromotion, Place};
use crate::plan::{Migration, MigrationKind};
use crate::rules::context::file_start;
use crate::rules::{Context, DirView, Promotion};

/// The promotion and the target environment of a check into one.
pub(crate) fn target<'c>(ctx: &'c Context) -> Option<(&'c Promotion, usize)> {
    let promotion = ctx.promotion.as_ref()?;
    Some((promotion, promotion.target?))
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

/// Where a migration is declared: its changeset or plan line, else the
/// start of its up file.
pub(crate) fn declared(m: &Migration, side: Side) -> Location {
    match &m.meta.declared_in {
        Some((path, span)) => Location {
            path: path.clone(),
            span: span.clone(),
            side,
        },
        None => file_start(&m.up.file.path, side),
    }
}

/// Whether a migration runs when deployed to `env`, as its contexts and
/// labels say (Liquibase runs everything when given no contexts).
pub(crate) fn runs_in(m: &Migration, env: &Environment) -> bool {
    runs_with(&m.meta.contexts, &env.contexts) && runs_with(&m.meta.labels, &env.labels)
}

/// Whether a path lies under one of `only:`'s paths.
pub(crate) fn under(path: &str, only: &[String]) -> bool {
    only.iter().any(|o| {
        let o = o.trim_end_matches('/');
        path == o || path.strip_prefix(o).is_some_and(|r| r.starts_with('/'))
    })
}

/// The environments a migration is meant for, when it says so: those whose
/// `only:` paths hold it, else those whose configured contexts and labels
/// its expressions select. `None` when it is for every environment.
pub(crate) fn meant_for(m: &Migration, envs: &[Environment]) -> Option<Vec<usize>> {
    let by_path: Vec<usize> = envs
        .iter()
        .enumerate()
        .filter(|(_, e)| m.files().iter().any(|f| under(&f.path, &e.only)))
        .map(|(i, _)| i)
        .collect();
    if !by_path.is_empty() {
        return Some(by_path);
    }
    if m.meta.contexts.is_empty() && m.meta.labels.is_empty() {
        return None;
    }
    let judged: Vec<(usize, &Environment)> = envs
        .iter()
        .enumerate()
        .filter(|(_, e)| {
            (!m.meta.contexts.is_empty() && !e.contexts.is_empty())
                || (!m.meta.labels.is_empty() && !e.labels.is_empty())
        })
        .collect();
    if judged.is_empty() {
        return None;
    }
    let selected: Vec<usize> = judged
        .iter()
        .filter(|(_, e)| runs_in(m, e))
        .map(|(i, _)| *i)
        .collect();
    (selected.len() < envs.len()).then_some(selected)
}

/// Whether a migration is one that `env` is not meant to run (so its
/// absence there is expected).
pub(crate) fn not_for(m: &Migration, envs: &[Environment], env: usize) -> bool {
    meant_for(m, envs).is_some_and(|for_envs| !for_envs.contains(&env))
        || envs.get(env).is_some_and(|e| !runs_in(m, e))
}

/// Versioned migrations that matter to ordering (not repeatable ones).
pub(crate) fn ordered(m: &Migration) -> bool {
    m.kind != MigrationKind::Repeatable
}
