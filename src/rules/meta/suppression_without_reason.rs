//! `suppression-without-reason`: an inline `sqlgate:ignore` without a
//! reason. The finding itself is raised where suppressions are applied
//! (`config::suppress::apply`), since only that step sees the directives;
//! the rule has no check of its own over the Plans.

use crate::finding::Finding;
use crate::rules::Context;

/// Nothing to check over the Plans; see the module comment.
pub fn check(_ctx: &Context) -> Vec<Finding> {
    Vec::new()
}
