//! `atlas-sum-mismatch`: a migration directory whose files do not match its
//! `atlas.sum`, computed as Atlas computes it, so `atlas migrate apply`
//! refuses to run. Only mismatches the change brings are reported.

use crate::finding::{Finding, Location};
use crate::layout::atlas::SumProblem;
use crate::rules::Context;
use crate::source::join;

/// Reports the first file that disagrees with `atlas.sum`.
pub fn check(ctx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    for dir in &ctx.dirs {
        let Some(mismatch) = &dir.atlas_sum else {
            continue;
        };
        let sum = Location::head(&mismatch.sum_path, mismatch.sum_span.clone());
        let rehash = "run `atlas migrate hash` to write atlas.sum again";
        let finding = match &mismatch.problem {
            SumProblem::Edited(file) => Finding::new(
                "atlas-sum-mismatch",
                Location::head(join(&dir.head.dir, file), 0..0),
                format!("{file} does not match atlas.sum: it was edited after `atlas migrate hash`"),
            )
            .label("edited")
            .with(sum, "its sum")
            .help(format!("if no environment ran it yet, {rehash}; otherwise restore it and put the change in a new migration")),
            SumProblem::Added(file) => Finding::new(
                "atlas-sum-mismatch",
                Location::head(join(&dir.head.dir, file), 0..0),
                format!("{file} is not in atlas.sum, so Atlas refuses the directory"),
            )
            .label("not in atlas.sum")
            .with(sum, "atlas.sum")
            .help(rehash),
            SumProblem::Removed(file) => Finding::new(
                "atlas-sum-mismatch",
                sum,
                format!("atlas.sum lists {file}, which the directory no longer has"),
            )
            .label("no such file")
            .help(format!("restore {file} (Atlas migrations already applied stay in history), or {rehash}")),
            SumProblem::Tampered => Finding::new(
                "atlas-sum-mismatch",
                sum,
                "atlas.sum was edited by hand: its first line does not match its entries".to_string(),
            )
            .label("sum of the entries")
            .help(format!("{rehash} (after a merge, re-hash rather than merge the file)")),
            SumProblem::Malformed => Finding::new(
                "atlas-sum-mismatch",
                sum,
                "atlas.sum is not in Atlas's format".to_string(),
            )
            .help(rehash),
            SumProblem::Missing => Finding::new(
                "atlas-sum-mismatch",
                sum,
                format!("{} has migrations but no atlas.sum, so Atlas refuses it", dir.head.dir),
            )
            .help(rehash),
        };
        out.push(finding);
    }
    out
}
