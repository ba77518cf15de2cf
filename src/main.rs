//! Wiring: parse the command line, run the command, print, choose the exit
//! code (0 no error finding, 1 error findings, 2 could not run).

mod cli;

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;

use cli::{Cli, ColorChoice, Command, FormatArg, HookCommand, Output};
use sqlgate::config::suggest;
use sqlgate::error::{Error, Result};
use sqlgate::finding::Severity;
use sqlgate::git::Repo;
use sqlgate::hooks::{self, Hook, HookReport, RefUpdate};
use sqlgate::pipeline::{self, Options, Outcome};
use sqlgate::report::{self, Format, Report, Style};
use sqlgate::rules;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let style = style(cli.color, std::io::stdout().is_terminal());
    if let Some(dir) = &cli.dir {
        if let Err(e) = std::env::set_current_dir(dir) {
            return fail(
                &Error::new(format!("cannot enter {}: {e}", dir.display())),
                style,
            );
        }
    }
    match run(cli.command, cli.color, style) {
        Ok(code) => code,
        Err(e) => fail(&e, style),
    }
}

/// The style for a stream: `terminal` says whether it is one.
fn style(choice: ColorChoice, terminal: bool) -> Style {
    let color = match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
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

fn run(command: Command, color: ColorChoice, style: Style) -> Result<ExitCode> {
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
        Command::Lint { paths, output } => {
            let paths = if paths.is_empty() {
                vec![PathBuf::from(".")]
            } else {
                paths
            };
            let options = Options {
                config: output.config.clone(),
            };
            let outcome = pipeline::lint(&paths, &options)?;
            Ok(print(&outcome, &output, style))
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
        Command::Install {
            pre_commit,
            pre_push,
            pre_receive,
            force,
        } => {
            let repo = Repo::open(&cwd()?)?;
            let hooks = chosen_hooks(&repo, [pre_commit, pre_push, pre_receive]);
            for change in hooks::install::install(&repo.hooks_dir(), &hooks, force)? {
                println!("{}", change.describe());
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Uninstall {
            pre_commit,
            pre_push,
            pre_receive,
            force,
        } => {
            let repo = Repo::open(&cwd()?)?;
            let hooks = if pre_commit || pre_push || pre_receive {
                chosen_hooks(&repo, [pre_commit, pre_push, pre_receive])
            } else {
                Hook::ALL.to_vec()
            };
            let changes = hooks::install::uninstall(&repo.hooks_dir(), &hooks, force)?;
            let done: Vec<_> = changes
                .iter()
                .filter(|c| c.action != hooks::install::Action::NotInstalled)
                .collect();
            if done.is_empty() {
                println!("no sqlgate hook in {}", repo.hooks_dir().display());
            }
            for change in done {
                println!("{}", change.describe());
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Hook { hook } => {
            let style = self::style(color, std::io::stderr().is_terminal());
            let repo = Repo::open(&cwd()?)?;
            let (which, report) = match hook {
                HookCommand::PreCommit => (Hook::PreCommit, hooks::pre_commit(&repo)?),
                HookCommand::PrePush { remote, url: _ } => {
                    let (remote, updates) =
                        hooks::push::pre_push_input(remote, hook_input(), |name| {
                            std::env::var(name).ok()
                        })?;
                    (Hook::PrePush, hooks::pre_push(&repo, &remote, &updates)?)
                }
                HookCommand::PreReceive => {
                    let input = std::io::read_to_string(hook_input())
                        .map_err(|e| Error::new(format!("cannot read the pushed refs: {e}")))?;
                    let updates = RefUpdate::parse_pre_receive(&input)?;
                    (Hook::PreReceive, hooks::pre_receive(&repo, &updates)?)
                }
            };
            Ok(print_hook(which, &report, style))
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

/// What git writes on a hook's stdin; nothing when stdin is a terminal (a
/// hook started by hand, or by a framework that already read git's input).
fn hook_input() -> Box<dyn std::io::Read> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        Box::new(std::io::empty())
    } else {
        Box::new(stdin.lock())
    }
}

/// The hooks named by `[--pre-commit, --pre-push, --pre-receive]`; none
/// named: pre-receive in a bare repository, pre-commit and pre-push elsewhere.
fn chosen_hooks(repo: &Repo, flags: [bool; 3]) -> Vec<Hook> {
    if flags.iter().any(|f| *f) {
        Hook::ALL
            .into_iter()
            .zip(flags)
            .filter_map(|(hook, on)| on.then_some(hook))
            .collect()
    } else if repo.is_bare() {
        vec![Hook::PreReceive]
    } else {
        vec![Hook::PreCommit, Hook::PrePush]
    }
}

/// A hook's report goes to stderr (git shows it, to the pusher too); it
/// says nothing when nothing is wrong.
fn print_hook(hook: Hook, report: &HookReport, style: Style) -> ExitCode {
    let mut err = std::io::stderr().lock();
    for note in &report.skipped {
        let _ = writeln!(err, "sqlgate: {note}");
    }
    let mut refused = false;
    for checked in &report.checked {
        let outcome = &checked.outcome;
        if outcome.findings.is_empty() {
            continue;
        }
        refused |= outcome
            .findings
            .iter()
            .any(|f| f.severity == Severity::Error);
        let report = Report {
            findings: &outcome.findings,
            sources: &outcome.sources,
            checked: outcome.checked,
        };
        let _ = writeln!(err, "sqlgate: {}", checked.subject);
        let _ = err.write_all(report::render(Format::Human, &report, style).as_bytes());
    }
    if refused {
        let _ = writeln!(
            err,
            "sqlgate: {} (`sqlgate explain <rule>` says why each rule matters)",
            hook.refused()
        );
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
