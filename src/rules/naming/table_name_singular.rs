//! `table-name-singular` (off by default): a new table whose name does not
//! end in a singular word (`user`, `order_item`), a convention of many Go,
//! Java and .NET teams.

use crate::finding::Finding;
use crate::rules::naming::inflect::{is_singular, singularize};
use crate::rules::naming::table_number_findings;
use crate::rules::Context;

/// Reports new tables named in the plural.
pub fn check(ctx: &Context) -> Vec<Finding> {
    table_number_findings(ctx, "table-name-singular", "singular", is_singular, |w| {
        singularize(w)
    })
}
