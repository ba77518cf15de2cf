//! `index-name`: a new index whose name does not follow the configured
//! pattern (`naming.index`, `naming.unique_index`), or that has no name
//! while a pattern is configured. The finding shows the name the pattern
//! gives for the statement's table and columns.

use crate::config::naming::PatternKind;
use crate::finding::{Finding, Location};
use crate::rules::naming::{new_keys, pattern_findings};
use crate::rules::Context;

/// Reports badly named and unnamed new indexes.
pub fn check(ctx: &Context) -> Vec<Finding> {
    let kinds = [PatternKind::Index, PatternKind::UniqueIndex];
    let keys = new_keys(ctx);
    let mut out = pattern_findings(ctx, keys, "index-name", &kinds);
    let naming = &ctx.config.naming;
    for key in keys {
        if !kinds.contains(&key.kind) || key.name.is_some() {
            continue;
        }
        let Some(pattern) = naming.pattern(key.kind) else {
            continue;
        };
        let values = key.values(&naming.separator);
        // Postgres names an unnamed index {table}_{columns}_idx; when the
        // pattern asks for exactly that, leaving the name out is fine.
        let generated = format!(
            "{}_{}_idx",
            key.table,
            if key.expression {
                "expr".to_string()
            } else {
                key.columns.join("_")
            }
        );
        if pattern.matches(&generated, &values, false) {
            continue;
        }
        let expected = pattern.render(&values);
        out.push(
            Finding::new(
                "index-name",
                Location::head(&key.path, key.span.clone()),
                format!(
                    "{} on {} ({}) has no name, so it will not follow the pattern {}",
                    key.noun(),
                    key.table,
                    key.columns.join(", "),
                    pattern.as_str()
                ),
            )
            .label("unnamed")
            .help(format!("name it {expected}")),
        );
    }
    out
}
