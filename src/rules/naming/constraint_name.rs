//! `constraint-name`: a new primary key, unique, foreign key or check
//! constraint whose name does not follow its configured pattern
//! (`naming.primary_key`, `unique`, `foreign_key`, `check`). The finding
//! shows the name the pattern gives for the statement's table, columns and
//! referenced table.

use crate::config::naming::PatternKind;
use crate::finding::Finding;
use crate::rules::naming::{new_keys, pattern_findings};
use crate::rules::Context;

/// Reports named constraints that break their pattern.
pub fn check(ctx: &Context) -> Vec<Finding> {
    pattern_findings(
        ctx,
        new_keys(ctx),
        "constraint-name",
        &[
            PatternKind::PrimaryKey,
            PatternKind::Unique,
            PatternKind::ForeignKey,
            PatternKind::Check,
        ],
    )
}
