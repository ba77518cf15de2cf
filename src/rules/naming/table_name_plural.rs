//! `table-name-plural` (off by default): a new table whose name does not
//! end in a plural word (`users`, `order_items`), the Rails convention.

use crate::finding::Finding;
use crate::rules::naming::inflect::{is_plural, pluralize};
use crate::rules::naming::table_number_findings;
use crate::rules::Context;

/// Reports new tables named in the singular.
pub fn check(ctx: &Context) -> Vec<Finding> {
    table_number_findings(ctx, "table-name-plural", "plural", is_plural, pluralize)
}
