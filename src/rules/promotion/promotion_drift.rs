//! `promotion-drift`: the same migration (version or changeset) has
//! different content in two environments, so their schemas differ while
//! every tool reports them as up to date.

use std::ops::Range;

use super::{declared, touched};
use crate::finding::{Finding, Location, Side};
use crate::plan::promotion::{checksum, Place};
use crate::plan::MigrationKind;
use crate::rules::context::file_start;
use crate::rules::Context;

/// Reports head migrations (new, changed or arriving) whose content differs
/// from the same migration in another environment.
pub fn check(ctx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    let Some(promotion) = &ctx.promotion else {
        return out;
    };
    for dir in &ctx.dirs {
        let Some(view) = &dir.promotion else { continue };
        for index in touched(dir, view, promotion) {
            let m = &dir.head.migrations[index];
            // A repeatable migration (Flyway `R__`, Liquibase runOnChange)
            // is meant to differ until the next promotion re-runs it.
            if m.kind == MigrationKind::Repeatable {
                continue;
            }
            let differing: Vec<usize> = (0..view.envs.len())
                .filter(|j| Some(*j) != promotion.target)
                .filter(|j| view.same(Place::Head, Place::Env(*j), &m.id) == Some(false))
                .collect();
            let Some(&first) = differing.first() else {
                continue;
            };
            let Some(other) = view.env_migration(first, &m.id) else {
                continue;
            };
            let names: Vec<String> = differing.iter().map(|j| promotion.name(*j)).collect();
            let head_path = &m.up.file.path;
            let env_path = &other.up.file.path;
            let (here, there) = match (
                view.text(Side::Head, head_path),
                view.text(Side::Env(first), env_path),
            ) {
                (Some(a), Some(b)) => first_difference(a, b),
                _ => (0..0, 0..0),
            };
            let (here, there) = if here.is_empty() && there.is_empty() {
                (declared(m, Side::Head), declared(other, Side::Env(first)))
            } else {
                (
                    Location::head(head_path, here),
                    Location {
                        path: env_path.clone(),
                        span: there,
                        side: Side::Env(first),
                    },
                )
            };
            let there = if there.path.is_empty() {
                file_start(env_path, Side::Env(first))
            } else {
                there
            };
            let target = promotion
                .target
                .map_or("the head".to_string(), |t| promotion.name(t));
            out.push(
                Finding::new(
                    "promotion-drift",
                    here,
                    format!(
                        "migration {} differs between {target} and {}",
                        m.name(),
                        names.join(", ")
                    ),
                )
                .label(format!(
                    "as {target} would have it ({})",
                    checksum(m).unwrap_or_default()
                ))
                .with(
                    there,
                    format!(
                        "as {} has it ({})",
                        promotion.envs[first].name,
                        checksum(other).unwrap_or_default()
                    ),
                )
                .help(format!(
                    "environments that ran one version will never run the other: make the \
                     content identical to what {} ran, and put the difference in a new migration",
                    promotion.envs[first].name
                )),
            );
        }
    }
    out
}

/// The spans of the first line that differs between two texts (a line
/// missing from one side is an empty span at its end).
fn first_difference(a: &str, b: &str) -> (Range<usize>, Range<usize>) {
    let mut at_a = 0;
    let mut at_b = 0;
    let mut lines_a = a.split_inclusive('\n');
    let mut lines_b = b.split_inclusive('\n');
    loop {
        match (lines_a.next(), lines_b.next()) {
            (Some(x), Some(y)) if x.trim_end() == y.trim_end() => {
                at_a += x.len();
                at_b += y.len();
            }
            (x, y) => {
                let len = |l: Option<&str>| l.map_or(0, |l| l.trim_end().len());
                return (at_a..at_a + len(x), at_b..at_b + len(y));
            }
        }
        if at_a >= a.len() && at_b >= b.len() {
            return (0..0, 0..0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_differing_line_is_found_on_both_sides() {
        let a = "CREATE TABLE t (\n  id bigint,\n  note text\n);\n";
        let b = "CREATE TABLE t (\n  id bigint,\n  note varchar(20)\n);\n";
        let (x, y) = first_difference(a, b);
        assert_eq!(&a[x], "  note text");
        assert_eq!(&b[y], "  note varchar(20)");
        assert_eq!(first_difference("x\r\n", "x\n"), (0..0, 0..0));
    }
}
