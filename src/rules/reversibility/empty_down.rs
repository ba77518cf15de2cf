//! `empty-down`: a down script that exists but changes nothing (only
//! comments, only `SELECT 1`) while its up script changes the schema. It
//! looks like a rollback and is none: a rollback "succeeds" and leaves the
//! schema as the up made it.

use crate::finding::{Finding, Location};
use crate::plan::MigrationKind;
use crate::rules::{Context, Role};
use crate::sql::{self, Parsed};

/// Reports new or changed migrations whose down script does nothing.
pub fn check(ctx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    for dir in &ctx.dirs {
        for (index, migration) in dir.fresh() {
            if migration.kind != MigrationKind::Versioned {
                continue;
            }
            let (mut up, mut down) = (None, None);
            for s in dir.scripts_of(index) {
                match s.role {
                    Role::Up => up = Some(s),
                    Role::Down => down = Some(s),
                }
            }
            let (Some(up), Some(down)) = (up, down) else {
                continue;
            };
            let (Ok(up_text), Ok(down_text)) = (&up.text, &down.text) else {
                continue;
            };
            let changes_schema = up.parsed.statements.iter().any(|s| {
                let words = sql::leading_words(up_text.get(s.span.clone()).unwrap_or(""), 1);
                matches!(
                    words.first().map(String::as_str),
                    Some("CREATE" | "ALTER" | "DROP" | "RENAME" | "COMMENT")
                )
            });
            let does_nothing = down.parsed.statements.iter().all(|s| {
                matches!(s.parsed, Parsed::Meta)
                    || no_op(down_text.get(s.span.clone()).unwrap_or(""))
            });
            if !changes_schema || !does_nothing {
                continue;
            }
            let span = match (&migration.down, down.parsed.statements.first()) {
                (_, Some(s)) => s.span.clone(),
                (Some(script), None) => script.offset()..script.offset(),
                (None, None) => 0..0,
            };
            out.push(
                Finding::new(
                    "empty-down",
                    Location::head(&down.path, span),
                    format!(
                        "the down script of migration {} changes nothing, but its up script changes the schema",
                        migration.name()
                    ),
                )
                .label("a rollback would run this and leave the up's changes in place")
                .help("write the statements that undo the up script, or delete the down script so that `missing-down` says the migration cannot be rolled back"),
            );
        }
    }
    out
}

/// A statement with no effect: `SELECT` of constants, transaction control,
/// session settings.
fn no_op(sql: &str) -> bool {
    let words = sql::leading_words(sql, 1);
    match words.first().map(String::as_str) {
        Some("BEGIN" | "COMMIT" | "START" | "END" | "SET" | "RESET") => true,
        Some("SELECT") => {
            let upper = sql.to_ascii_uppercase();
            !upper.contains(" FROM ") && !upper.contains('(')
        }
        None => true,
        _ => false,
    }
}
