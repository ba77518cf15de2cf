//! `reserved-word`: a new name that is a reserved word in the configured
//! dialect or in one of `naming.target_dialects`. Unquoted, the statement
//! fails there; quoted, every query, ORM and tool must quote it forever.
//! Non-reserved key words (`name`, `value`, `type`, `status`) are valid bare
//! names and are not reported.

use crate::finding::{Finding, Location};
use crate::rules::naming::inflect::pluralize;
use crate::rules::naming::reserved_words::is_reserved;
use crate::rules::naming::{database_name, new_names, Kind};
use crate::rules::Context;

/// Reports each new name reserved in one of the schema's databases.
pub fn check(ctx: &Context) -> Vec<Finding> {
    let own = ctx.config.dialect.name();
    let mut databases = vec![own];
    for target in ctx.config.naming.targets() {
        if !databases.contains(&target) {
            databases.push(target);
        }
    }
    let reserved_anywhere =
        |word: &str, routine: bool| databases.iter().any(|db| is_reserved(db, word, routine));
    let mut out = Vec::new();
    for name in new_names(ctx) {
        let routine = matches!(
            name.kind,
            Kind::Function | Kind::Procedure | Kind::Type | Kind::Domain
        );
        // Postgres key words are lower case: a quoted "User" is not `user`,
        // and must be quoted for its case anyway.
        let hits: Vec<&str> = databases
            .iter()
            .copied()
            .filter(|db| *db != "postgres" || name.stored == name.stored.to_lowercase())
            .filter(|db| is_reserved(db, &name.stored, routine))
            .collect();
        if hits.is_empty() {
            continue;
        }
        let shown: Vec<&str> = hits.iter().map(|db| database_name(db)).collect();
        let consequence = if hits.contains(&own) && !name.quoted() {
            "; unquoted, the statement fails there"
        } else {
            "; every query will have to quote it"
        };
        let word = name.stored.to_lowercase();
        let candidates = [
            pluralize(&word),
            format!("{word}_{}", name.kind.noun().replace(' ', "_")),
        ];
        let alternative = candidates
            .iter()
            .find(|c| **c != word && !reserved_anywhere(c, routine))
            .cloned()
            .unwrap_or_else(|| format!("{word}_value"));
        out.push(
            Finding::new(
                "reserved-word",
                Location::head(&name.path, name.span.clone()),
                format!(
                    "{} is a reserved word in {}{consequence}",
                    name.describe(),
                    shown.join(" and ")
                ),
            )
            .label(format!("reserved in {}", shown.join(", ")))
            .help(format!(
                "choose another name, for example {alternative}, or a more specific one"
            )),
        );
    }
    out
}
