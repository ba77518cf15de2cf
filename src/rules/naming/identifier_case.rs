//! `identifier-case`: a new table, column, index, constraint, view, type,
//! schema, function or sequence whose name does not follow the configured
//! case, including names Postgres would silently fold to lower case and
//! quoted names that every later query would have to quote.

use crate::config::naming::Case;
use crate::finding::{Finding, Location};
use crate::rules::naming::reserved_words::is_reserved;
use crate::rules::naming::{new_names, NewName};
use crate::rules::Context;

/// Reports each new name that breaks the configured case.
pub fn check(ctx: &Context) -> Vec<Finding> {
    // A tool that writes the SQL from its own schema (Prisma) quotes every
    // name as the model or field is spelled there ("User", "createdAt"):
    // the names are chosen, and renamed with @@map / @map, in that schema.
    let generated_dirs: Vec<String> = ctx
        .dirs
        .iter()
        .filter(|d| d.head.layout.generates_sql())
        .map(|d| format!("{}/", d.config.dir.trim_end_matches('/')))
        .collect();
    let generated = |name: &NewName| {
        name.quoted()
            && generated_dirs
                .iter()
                .any(|dir| dir == "/" || name.path.starts_with(dir.as_str()))
    };
    new_names(ctx)
        .iter()
        .filter(|name| !generated(name))
        .filter_map(|name| {
            let case = ctx.config.naming.case_of(name.kind.case_key());
            problem(name, case, ctx.config.dialect.name())
                .map(|(message, help)| (name, case, message, help))
        })
        .map(|(name, case, message, help)| {
            Finding::new(
                "identifier-case",
                Location::head(&name.path, name.span.clone()),
                message,
            )
            .label(format!("not {case}"))
            .help(help)
        })
        .collect()
}

fn problem(name: &NewName, case: Case, database: &str) -> Option<(String, String)> {
    if case == Case::Any {
        return None;
    }
    let postgres = database == "postgres";
    // `user_`, `order_`: one trailing underscore keeps a name off a reserved
    // word, which the name without it would have to be quoted as forever.
    let off_keyword = |stored: &str| {
        stored.strip_suffix('_').is_some_and(|stem| {
            !stem.ends_with('_') && case.matches(stem) && is_reserved(database, stem, false)
        })
    };
    let written = &name.written;
    let folded = postgres && !name.quoted() && *written != name.stored;
    let all_upper = !written.chars().any(char::is_lowercase);
    let mixed_and_folded = folded && !all_upper;
    if !mixed_and_folded && (case.matches(&name.stored) || off_keyword(&name.stored)) {
        return None;
    }
    let suggestion = case.convert(written);
    if mixed_and_folded {
        let capitals = matches!(case, Case::Camel | Case::Pascal | Case::Upper | Case::Words);
        let help = if capitals {
            format!("quote it (\"{suggestion}\") so that Postgres keeps its case")
        } else {
            format!("name it {suggestion}")
        };
        return Some((
            format!(
                "{} is written in mixed case; Postgres folds unquoted names to lower case and stores it as {}",
                name.describe(),
                name.stored
            ),
            help,
        ));
    }
    if folded {
        return Some((
            format!(
                "{} is stored as {}: Postgres folds unquoted names to lower case, which is not {case}",
                name.describe(),
                name.stored
            ),
            format!("quote it (\"{written}\") or set `naming.case` to the case the schema uses"),
        ));
    }
    if postgres && name.quoted() && name.stored != name.stored.to_lowercase() {
        return Some((
            format!(
                "{} is not {case}; quoted, Postgres keeps its case, so every query will have to quote it",
                name.describe()
            ),
            format!("name it {suggestion}, without quotes"),
        ));
    }
    Some((
        format!("{} is not {case}", name.describe()),
        format!("name it {suggestion}"),
    ))
}
