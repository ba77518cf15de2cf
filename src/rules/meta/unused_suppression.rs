//! `unused-suppression`: an inline `sqlgate:ignore` that silenced no
//! finding. Raised where suppressions are applied (`config::suppress::apply`),
//! after every rule has run, since only then is it known what a directive
//! silenced; the rule has no check of its own over the Plans.

use crate::finding::Finding;
use crate::rules::Context;

/// Nothing to check over the Plans; see the module comment.
pub fn check(_ctx: &Context) -> Vec<Finding> {
    Vec::new()
}
