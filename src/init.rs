//! `sqlgate init`: finds the migration directories of a working tree,
//! detects their layouts and writes a commented `.sqlgate.yml`.

use std::path::{Path, PathBuf};

use crate::config::FILE_NAME;
use crate::error::{Error, Result};
use crate::layout;
use crate::source::{Files, FsSource};

/// Writes `.sqlgate.yml` at `root`; refuses to replace one unless `force`.
/// Returns the path and the text written.
pub fn init(root: &Path, force: bool) -> Result<(PathBuf, String)> {
    let path = root.join(FILE_NAME);
    if path.exists() && !force {
        return Err(Error::new(format!("{} already exists", path.display()))
            .with_help("use `sqlgate init --force` to replace it"));
    }
    let text = render(root)?;
    std::fs::write(&path, &text)
        .map_err(|e| Error::new(format!("cannot write {}: {e}", path.display())))?;
    Ok((path, text))
}

/// The configuration text `init` would write for the files below `root`.
pub fn render(root: &Path) -> Result<String> {
    let fs = FsSource::new(root);
    let files = Files::new(&fs);
    let found = layout::discover(&files, "")?;
    let mut out = String::new();
    out.push_str("# sqlgate configuration: https://github.com/sqlgate/sqlgate#configuration\n");
    out.push_str(
        "# Every key is optional. In a PR check this file is read from the base branch.\n\n",
    );
    out.push_str("# SQL dialect of the migrations: postgres | mysql | sqlite | mssql | generic\n");
    out.push_str("dialect: postgres\n\n");
    out.push_str("# The branch new migrations must sort after.\n");
    out.push_str("trunk: main\n\n");
    out.push_str(
        "# Migration directories and their layouts: auto | flyway | golang-migrate | dbmate | goose\n# | liquibase | sqitch | prisma | diesel | sqlx | atlas | plain.\n",
    );
    if found.is_empty() {
        out.push_str("# No migration directory was found; add yours:\n");
        out.push_str("migrations: []\n");
        out.push_str("#  - dir: db/migrations\n#    layout: auto\n");
    } else {
        out.push_str("migrations:\n");
        for (dir, detection) in &found {
            let dir = if dir.is_empty() { "." } else { dir.as_str() };
            out.push_str(&format!(
                "  - dir: {dir}\n    layout: {}   # {}\n",
                detection.layout.name(),
                detection.reason
            ));
        }
    }
    out.push_str("\n# Per-rule level: error | warning | off (`sqlgate rules` lists them).\n");
    out.push_str("rules: {}\n");
    out.push_str("#  version-order: error\n#  empty-migration: warning\n");
    out.push_str("\n# Naming conventions for new objects (README: \"Naming conventions\").\n");
    out.push_str("# naming:\n#   case: snake_case\n#   index: \"idx_{table}_{columns}\"\n");
    out.push_str("#   foreign_key: \"fk_{table}_{ref_table}\"\n");
    Ok(out)
}
