//! Wiring: parse the command line, run the command, print, choose the exit
//! code (0 no error finding, 1 error findings, 2 could not run).

mod cli;

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, Parser};

use cli::{Cli, ColorChoice, Command, FormatArg, Output};
use sqlgate::config::suggest;
use sqlgate::error::{Error, Result};
use sqlgate::finding::Severity;
use sqlgate::git::Repo;
use sqlgate::pipeline::{self, Options, Outcome};
use sqlgate::report::{self, Format, Report, Style};
use sqlgate::rules;

// Parsing allocates many small values on several threads; glibc's malloc
// spends more time growing per-thread heaps than the parser spends parsing.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let style = style(cli.color);
    if let Some(dir) = &cli.dir {
        if let Err(e) = std::env::set_current_dir(dir) {
            return fail(
                &Error::new(format!("cannot enter {}: {e}", dir.display())),
                style,
            );
        }
    }
    match run(cli.command, style) {
        Ok(code) => code,
        Err(e) => fail(&e, style),
    }
}

fn style(choice: ColorChoice) -> Style {
    let color = match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    };
    if color {
        Style::Color
    } else {
        Style::Plain
    }
}

fn fail(error: &Error, style: Style) -> ExitCode {
    let (red, reset) = if style == Style::Color {
        ("\x1b[31m", "\x1b[0m")
    } else {
        ("", "")
    };
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{red}error{reset}: {}", error.message);
    if let Some(help) = &error.help {
        let _ = writeln!(err, "  help: {help}");
    }
    ExitCode::from(2)
}

fn cwd() -> Result<PathBuf> {
    std::env::current_dir()
        .map_err(|e| Error::new(format!("cannot read the current directory: {e}")))
}

fn run(command: Command, style: Style) -> Result<ExitCode> {
    match command {
        Command::Check {
            base,
            head,
            staged,
            output,
        } => {
            let repo = Repo::open(&cwd()?)?;
            let options = Options {
                config: output.config.clone(),
                since: None,
            };
            let outcome = if staged {
                pipeline::check_staged(&repo, &options)?
            } else {
                let base = base.ok_or_else(|| {
                    Error::new("no base to compare with").with_help("pass the target branch: `sqlgate check --base main` (or `--staged` for the index)")
                })?;
                pipeline::check_range(&repo, &base, &head, &options)?
            };
            Ok(print(&outcome, &output, style))
        }
        Command::Lint {
            paths,
            since,
            output,
        } => {
            let options = Options {
                config: output.config.clone(),
                since,
            };
            let outcome = pipeline::lint(&or_here(paths), &options)?;
            Ok(print(&outcome, &output, style))
        }
        Command::Baseline {
            paths,
            prune,
            config,
        } => {
            let paths = if paths.is_empty() {
                let dir = cwd()?;
                vec![Repo::open(&dir)
                    .ok()
                    .and_then(|r| r.workdir().map(|p| p.to_path_buf()))
                    .unwrap_or(dir)]
            } else {
                paths
            };
            let options = Options {
                config,
                since: None,
            };
            let run = pipeline::baseline(&paths, &options, prune)?;
            let u = run.update;
            eprintln!(
                "sqlgate: {} holds {} finding{} ({} added, {} dropped) from {} migrations linted",
                run.path.display(),
                u.total,
                if u.total == 1 { "" } else { "s" },
                u.added,
                u.dropped,
                run.checked
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::New {
            description,
            migration_dir,
            for_env,
        } => {
            let created = sqlgate::new::create(
                &cwd()?,
                &description,
                migration_dir.as_deref(),
                for_env.as_deref(),
            )?;
            for path in &created.paths {
                println!("{}", path.display());
            }
            for note in &created.notes {
                eprintln!("sqlgate: {note}");
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Completions { shell } => {
            let mut command = Cli::command();
            clap_complete::generate(shell, &mut command, "sqlgate", &mut std::io::stdout());
            Ok(ExitCode::SUCCESS)
        }
        Command::Man { out_dir } => {
            let command = Cli::command();
            match out_dir {
                Some(dir) => {
                    std::fs::create_dir_all(&dir)
                        .and_then(|()| clap_mangen::generate_to(command, &dir))
                        .map_err(|e| {
                            Error::new(format!(
                                "cannot write manual pages to {}: {e}",
                                dir.display()
                            ))
                        })?;
                    eprintln!("wrote manual pages to {}", dir.display());
                }
                None => {
                    let mut out = Vec::new();
                    clap_mangen::Man::new(command)
                        .render(&mut out)
                        .map_err(|e| Error::new(format!("cannot render the manual page: {e}")))?;
                    std::io::stdout()
                        .write_all(&out)
                        .map_err(|e| Error::new(format!("cannot print the manual page: {e}")))?;
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Init { force, dry_run } => {
            let dir = cwd()?;
            let root = Repo::open(&dir)
                .ok()
                .and_then(|r| r.workdir().map(|p| p.to_path_buf()))
                .unwrap_or(dir);
            if dry_run {
                print!("{}", sqlgate::init::render(&root)?);
            } else {
                let (path, text) = sqlgate::init::init(&root, force)?;
                print!("{text}");
                eprintln!("wrote {}", path.display());
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Rules => {
            print!("{}", report::rules_table(rules::metas()));
            Ok(ExitCode::SUCCESS)
        }
        Command::Explain { rule } => match rules::meta(&rule) {
            Some(meta) => {
                print!("{}", report::explain(meta));
                Ok(ExitCode::SUCCESS)
            }
            None => {
                let ids = rules::ids();
                let mut err = Error::new(format!("unknown rule `{rule}`"));
                err = match suggest(&rule, &ids) {
                    Some(s) => err.with_help(format!("did you mean `{s}`?")),
                    None => err.with_help("`sqlgate rules` lists every rule"),
                };
                Err(err)
            }
        },
    }
}

fn or_here(paths: Vec<PathBuf>) -> Vec<PathBuf> {
    if paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        paths
    }
}

fn print(outcome: &Outcome, output: &Output, style: Style) -> ExitCode {
    if output.verbose {
        for note in &outcome.notes {
            eprintln!("sqlgate: {note}");
        }
    }
    let report = Report {
        findings: &outcome.findings,
        sources: &outcome.sources,
        checked: outcome.checked,
        baselined: outcome.baselined,
    };
    let format = match output.format {
        FormatArg::Human => Format::Human,
        FormatArg::Json => Format::Json,
    };
    let text = report::render(format, &report, style);
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(text.as_bytes());
    if format == Format::Human && outcome.findings.is_empty() && !output.quiet {
        eprintln!("{}", report::summary(&report));
    }
    if outcome
        .findings
        .iter()
        .any(|f| f.severity == Severity::Error)
    {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
