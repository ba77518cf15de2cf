//! `unknown-rule-in-suppression`: an inline `sqlgate:ignore` whose rule id
//! is not a rule. Raised where suppressions are applied
//! (`config::suppress::apply`), which sees the directives; the rule has no
//! check of its own over the Plans.

use crate::finding::Finding;
use crate::rules::Context;

/// Nothing to check over the Plans; see the module comment.
pub fn check(_ctx: &Context) -> Vec<Finding> {
    Vec::new()
}
