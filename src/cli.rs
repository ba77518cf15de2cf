//! The command line: clap definitions only. `main.rs` turns them into calls.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// Guards database migrations in Git.
#[derive(Debug, Parser)]
#[command(name = "sqlgate", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    /// When to use colours: auto follows the terminal and NO_COLOR.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Run as if started in this directory.
    #[arg(short = 'C', global = true, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// Colour choice.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colours on a terminal without NO_COLOR.
    Auto,
    /// Always colours.
    Always,
    /// Never colours.
    Never,
}

/// Output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// Annotated source.
    Human,
    /// A JSON array of findings.
    Json,
    /// GitHub Actions annotations (and a job summary in $GITHUB_STEP_SUMMARY).
    Github,
    /// SARIF 2.1.0 for code scanning.
    Sarif,
    /// JUnit XML test results.
    Junit,
    /// GitLab Code Quality report.
    Gitlab,
    /// reviewdog diagnostic format.
    Rdjson,
    /// Markdown for a pull request comment.
    Markdown,
}

/// Output format of `status`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum StatusFormatArg {
    /// Aligned columns.
    Text,
    /// One JSON object.
    Json,
    /// A Markdown table for a pull request comment or a job summary.
    Markdown,
}

/// Parses `FORMAT=PATH` for `--output`.
fn parse_output(value: &str) -> Result<(FormatArg, PathBuf), String> {
    let (name, path) = value
        .split_once('=')
        .filter(|(_, p)| !p.is_empty())
        .ok_or_else(|| {
            format!("expected FORMAT=PATH, for example sarif=sqlgate.sarif, not `{value}`")
        })?;
    let format = FormatArg::from_str(name, true).map_err(|_| {
        let names: Vec<String> = FormatArg::value_variants()
            .iter()
            .filter_map(|v| v.to_possible_value().map(|p| p.get_name().to_string()))
            .collect();
        format!(
            "unknown format `{name}`; expected one of {}",
            names.join(", ")
        )
    })?;
    Ok((format, PathBuf::from(path)))
}

/// Options shared by `check` and `lint`.
#[derive(Debug, clap::Args)]
pub struct Output {
    /// Output format on standard output.
    #[arg(long, value_enum, default_value_t = FormatArg::Human)]
    pub format: FormatArg,
    /// Also write a format to a file; repeat for several
    /// (`--output sarif=sqlgate.sarif --output junit=sqlgate.xml`).
    #[arg(long = "output", value_name = "FORMAT=PATH", value_parser = parse_output)]
    pub outputs: Vec<(FormatArg, PathBuf)>,
    /// Read the configuration from this file instead of `.sqlgate.yml`.
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Say which directories, layouts and commits were compared.
    #[arg(short, long)]
    pub verbose: bool,
    /// Print nothing when there is no finding.
    #[arg(short, long)]
    pub quiet: bool,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check the migrations a commit range (or the index) adds or changes.
    Check {
        /// The target branch: checks merge-base(BASE, HEAD)..HEAD. In a pull
        /// request's CI job it is found from the CI's environment.
        #[arg(long, value_name = "REV")]
        base: Option<String>,
        /// The commit to check.
        #[arg(long, value_name = "REV", default_value = "HEAD")]
        head: String,
        /// Check the staged files against HEAD (what a pre-commit hook does).
        #[arg(long, conflicts_with = "base")]
        staged: bool,
        /// The environment (or its branch) the change is promoted to: the
        /// promotion rules apply. Found from the base branch, or the CI's
        /// pull request target, when it is an environment's branch.
        #[arg(long, value_name = "ENV", conflicts_with = "staged")]
        target: Option<String>,
        /// Neither read nor keep the Catalog replayed from the history in
        /// the repository's git directory (`.git/sqlgate/cache`); also
        /// `SQLGATE_NO_CACHE=1`, which the hooks read too.
        #[arg(long)]
        no_cache: bool,
        /// Output options.
        #[command(flatten)]
        output: Output,
    },
    /// Check migration files and directories on disk, every migration as new.
    Lint {
        /// Files or directories (default: the current directory).
        paths: Vec<PathBuf>,
        /// Skip migrations at or before this version (in every directory).
        #[arg(long, value_name = "VERSION")]
        since: Option<String>,
        /// Output options.
        #[command(flatten)]
        output: Output,
    },
    /// Record today's findings in the baseline file, so that `check` and
    /// `lint` report only new ones.
    Baseline {
        /// Files or directories to lint (default: the whole repository).
        paths: Vec<PathBuf>,
        /// Only drop entries that no longer match a finding; add none.
        #[arg(long)]
        prune: bool,
        /// Read the configuration from this file instead of `.sqlgate.yml`.
        #[arg(long, value_name = "PATH")]
        config: Option<PathBuf>,
    },
    /// Create the next migration, in the directory's layout, and print its paths.
    New {
        /// What the migration does, in a few words (`add_users`).
        description: String,
        /// The migration directory (needed when there are several).
        #[arg(long = "dir", value_name = "DIR")]
        migration_dir: Option<PathBuf>,
        /// Choose a version after everything on every environment branch
        /// (`environments:` in .sqlgate.yml); names the environment the
        /// migration is for.
        #[arg(long = "for", value_name = "ENV")]
        for_env: Option<String>,
    },
    /// Print a shell completion script.
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), or write one per command to a directory.
    Man {
        /// Write sqlgate.1 and sqlgate-<command>.1 into this directory.
        #[arg(long, value_name = "DIR")]
        out_dir: Option<PathBuf>,
    },
    /// Write a commented .sqlgate.yml for the migration directories found.
    Init {
        /// Replace an existing .sqlgate.yml.
        #[arg(long)]
        force: bool,
        /// Print the configuration instead of writing it.
        #[arg(long)]
        dry_run: bool,
    },
    /// Write sqlgate's git hooks into the repository's hooks directory
    /// (core.hooksPath honoured). A hook already there is kept as
    /// <hook>.local and runs first. Default: pre-commit and pre-push, or
    /// pre-receive in a bare repository.
    Install {
        /// Install the pre-commit hook.
        #[arg(long)]
        pre_commit: bool,
        /// Install the pre-push hook.
        #[arg(long)]
        pre_push: bool,
        /// Install the server-side pre-receive hook.
        #[arg(long)]
        pre_receive: bool,
        /// Rewrite a sqlgate hook that differs from this version's script.
        /// A hook sqlgate did not write is never overwritten.
        #[arg(long)]
        force: bool,
    },
    /// Remove sqlgate's git hooks and put back the hooks they kept.
    Uninstall {
        /// Remove the pre-commit hook.
        #[arg(long)]
        pre_commit: bool,
        /// Remove the pre-push hook.
        #[arg(long)]
        pre_push: bool,
        /// Remove the pre-receive hook.
        #[arg(long)]
        pre_receive: bool,
        /// Also remove a sqlgate hook that was edited since it was installed.
        #[arg(long)]
        force: bool,
    },
    /// Run as a git hook (what the installed scripts call).
    Hook {
        /// Which hook.
        #[command(subcommand)]
        hook: HookCommand,
    },
    /// Show which migration is deployed in which environment (read from
    /// the environments' branches and deploy refs): deployed, pending,
    /// drifted, missing below a higher environment, dev-only.
    Status {
        /// Output format.
        #[arg(long, value_enum, default_value_t = StatusFormatArg::Text)]
        format: StatusFormatArg,
        /// Read the configuration from this file instead of `.sqlgate.yml`.
        #[arg(long, value_name = "PATH")]
        config: Option<PathBuf>,
    },
    /// List every rule: id, category, default severity, summary.
    Rules,
    /// Print a rule's rationale and examples.
    Explain {
        /// The rule id.
        rule: String,
    },
}

/// The hooks `sqlgate hook` runs as.
// The variants are git's own hook names.
#[allow(clippy::enum_variant_names)]
#[derive(Debug, Subcommand)]
pub enum HookCommand {
    /// Check the staged migrations against HEAD.
    PreCommit,
    /// Check each pushed branch against what the remote has; reads git's
    /// `<local ref> <local sha> <remote ref> <remote sha>` lines on stdin.
    PrePush {
        /// The remote's name (or its URL when it has none).
        remote: Option<String>,
        /// The remote's URL.
        url: Option<String>,
    },
    /// On the server, check each pushed branch before accepting the push;
    /// reads git's `<old sha> <new sha> <ref>` lines on stdin.
    PreReceive,
}
