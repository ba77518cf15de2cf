//! Wiring: parse the command line, run the command, print, choose the exit
//! code (0 no error finding, 1 error findings, 2 could not run).

mod cli;

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, Parser};

use cli::{Cli, ColorChoice, Command, FormatArg, HookCommand, Output, StatusFormatArg};
use sqlgate::ci;
use sqlgate::config::suggest;
use sqlgate::error::{Error, Result};
use sqlgate::finding::Severity;
use sqlgate::git::Repo;
use sqlgate::hooks::{self, Hook, HookReport, RefUpdate};
use sqlgate::pipeline::{self, Options, Outcome};
use sqlgate::report::{self, Format, Report, Style};
use sqlgate::rules;

// Parsing allocates many small values on several threads; glibc's malloc
// spends more time growing per-thread heaps than the parser spends parsing.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

extern "C" {
    /// mimalloc's `mi_option_set` (`mi_option_t` is a C enum).
    fn mi_option_set(option: std::ffi::c_int, value: std::ffi::c_long);
}

/// `mi_option_purge_delay`: its index in `mi_option_e` of the mimalloc v3
/// that libmimalloc-sys 0.1.49 builds (c_src/mimalloc/v3/include/mimalloc.h).
const MI_OPTION_PURGE_DELAY: std::ffi::c_int = 15;

/// Keeps freed memory in the process instead of handing it back to the OS
/// after a short delay: a lint frees each batch's syntax trees and builds
/// the next batch's, and every page handed back would be faulted in and
/// zeroed again (a 20 MB lint: about 60,000 page faults and 0.6 s of system
/// time). The process is short-lived and returns its memory at exit.
/// `MIMALLOC_PURGE_DELAY` still overrides it. (Turning transparent huge
/// pages off as well saves a little more system time on a lint but makes
/// `check --staged` a third slower, so they stay as mimalloc sets them.)
fn tune_allocator() {
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        // SAFETY: sets a mimalloc option, before any other thread starts,
        // to a value the option accepts (-1: never purge).
        unsafe { mi_option_set(MI_OPTION_PURGE_DELAY, -1) };
    }
}

/// A lint of thousands of files frees and allocates far more memory than a
/// hook's check: there, transparent huge pages make the kernel zero 2 MB at
/// a time for memory the allocator only partly uses (a 20 MB lint: about a
/// second of system time; without them a quarter of that). A check touches
/// little memory and is faster with them, so only a lint turns them off.
fn without_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: prctl(PR_SET_THP_DISABLE) only sets a flag of this process;
    // its result is ignored (an older kernel keeps huge pages).
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

fn main() -> ExitCode {
    tune_allocator();
    let cli = Cli::parse();
    if matches!(cli.command, Command::Lint { .. } | Command::Baseline { .. }) {
        without_huge_pages();
    }
    let env = ci::Env::from_process();
    let style = style(cli.color, std::io::stdout().is_terminal(), &env);
    if let Some(dir) = &cli.dir {
        if let Err(e) = std::env::set_current_dir(dir) {
            return fail(
                &Error::new(format!("cannot enter {}: {e}", dir.display())),
                style,
            );
        }
    }
    match run(cli.command, cli.color, style, &env) {
        Ok(code) => code,
        Err(e) => fail(&e, style),
    }
}

/// Colours only on a terminal, without `NO_COLOR`, outside CI (whose logs
/// keep escape codes as noise), unless `--color` says otherwise; `terminal`
/// says whether the stream written to is one.
fn style(choice: ColorChoice, terminal: bool, env: &ci::Env) -> Style {
    if wants_color(choice, terminal, env) {
        Style::Color
    } else {
        Style::Plain
    }
}

fn wants_color(choice: ColorChoice, terminal: bool, env: &ci::Env) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => terminal && env.get("NO_COLOR").is_none() && !ci::is_ci(env),
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

fn run(command: Command, color: ColorChoice, style: Style, env: &ci::Env) -> Result<ExitCode> {
    match command {
        Command::Check {
            base,
            head,
            staged,
            target,
            no_cache,
            output,
        } => {
            let mut repo = Repo::open(&cwd()?)?;
            let detected = ci::detect(env);
            if let Some(ci) = &detected {
                repo.set_shallow_help(ci.provider.shallow_fix());
            }
            let options = Options {
                config: output.config.clone(),
                since: None,
                target,
                base_hint: detected.as_ref().and_then(|ci| ci.target_branch.clone()),
                no_cache,
            };
            let outcome = if staged {
                pipeline::check_staged(&repo, &options)?
            } else {
                let (base, note) = match (base, &detected) {
                    (Some(base), _) => (base, None),
                    (None, Some(ci)) => {
                        let base =
                            ci.choose_base(|rev| repo.resolve(rev).is_ok(), repo.is_shallow())?;
                        let note = format!("{}: comparing with {base}", ci.describe());
                        (base, Some(note))
                    }
                    (None, None) => {
                        return Err(Error::new("no base to compare with").with_help(
                            "pass the target branch: `sqlgate check --base main` (or `--staged` \
                             for the index); in a pull request's CI job it is found from the \
                             CI's environment",
                        ))
                    }
                };
                let mut outcome = pipeline::check_range(&repo, &base, &head, &options)?;
                if let Some(note) = note {
                    outcome.notes.insert(0, note);
                }
                outcome
            };
            print(&outcome, &output, style, env)
        }
        Command::Lint {
            paths,
            since,
            output,
        } => {
            let options = Options {
                config: output.config.clone(),
                since,
                ..Options::default()
            };
            let outcome = pipeline::lint(&or_here(paths), &options)?;
            print(&outcome, &output, style, env)
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
                ..Options::default()
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
            let style = self::style(color, std::io::stderr().is_terminal(), env);
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
        Command::Status { format, config } => {
            let repo = Repo::open(&cwd()?)?;
            let options = Options {
                config,
                ..Options::default()
            };
            let table = pipeline::status(&repo, &options)?;
            let format = match format {
                StatusFormatArg::Text => report::status::StatusFormat::Text,
                StatusFormatArg::Json => report::status::StatusFormat::Json,
                StatusFormatArg::Markdown => report::status::StatusFormat::Markdown,
            };
            print!("{}", report::status::render(&table, format));
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

fn format(arg: FormatArg) -> Format {
    match arg {
        FormatArg::Human => Format::Human,
        FormatArg::Json => Format::Json,
        FormatArg::Github => Format::Github,
        FormatArg::Sarif => Format::Sarif,
        FormatArg::Junit => Format::Junit,
        FormatArg::Gitlab => Format::Gitlab,
        FormatArg::Rdjson => Format::Rdjson,
        FormatArg::Markdown => Format::Markdown,
    }
}

/// Prints the report in `--format`, writes each `--output`, appends the
/// Markdown summary to GitHub's job summary when the github format is
/// asked for, and chooses the exit code.
fn print(outcome: &Outcome, output: &Output, style: Style, env: &ci::Env) -> Result<ExitCode> {
    if output.verbose {
        for note in &outcome.notes {
            eprintln!("sqlgate: {note}");
        }
    }
    if !output.quiet {
        for warning in &outcome.warnings {
            eprintln!("sqlgate: {warning}");
        }
    }
    let report = Report {
        findings: &outcome.findings,
        sources: &outcome.sources,
        checked: outcome.checked,
        suppressions: &outcome.suppressions,
        files: &outcome.files,
        rules: &outcome.rules,
        baselined: outcome.baselined,
    };
    for (arg, path) in &output.outputs {
        // Files are read by tools and uploaded, never shown on a terminal.
        let text = report::render(format(*arg), &report, Style::Plain);
        std::fs::write(path, text)
            .map_err(|e| Error::new(format!("cannot write {}: {e}", path.display())))?;
    }
    let stdout_format = format(output.format);
    let text = report::render(stdout_format, &report, style);
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(text.as_bytes());
    if stdout_format == Format::Human && outcome.findings.is_empty() && !output.quiet {
        eprintln!("{}", report::summary(&report));
    }
    let github = std::iter::once(output.format)
        .chain(output.outputs.iter().map(|(f, _)| *f))
        .any(|f| f == FormatArg::Github);
    if let (true, Some(path)) = (github, env.get("GITHUB_STEP_SUMMARY")) {
        let summary = report::render(Format::Markdown, &report, Style::Plain);
        let written = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .and_then(|mut file| file.write_all(summary.as_bytes()));
        if let Err(e) = written {
            eprintln!("sqlgate: cannot append the job summary to {path}: {e}");
        }
    }
    if outcome
        .findings
        .iter()
        .any(|f| f.severity == Severity::Error)
    {
        Ok(ExitCode::from(1))
    } else {
        Ok(ExitCode::SUCCESS)
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
            suppressions: &outcome.suppressions,
            files: &outcome.files,
            rules: &outcome.rules,
            baselined: outcome.baselined,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_follow_the_terminal_no_color_and_ci_unless_forced() {
        let env = |pairs: &[(&str, &str)]| ci::Env::from_pairs(pairs.iter().copied());
        assert!(wants_color(ColorChoice::Auto, true, &env(&[])));
        assert!(!wants_color(ColorChoice::Auto, false, &env(&[])));
        assert!(!wants_color(
            ColorChoice::Auto,
            true,
            &env(&[("NO_COLOR", "1")])
        ));
        assert!(wants_color(
            ColorChoice::Auto,
            true,
            &env(&[("NO_COLOR", "")])
        ));
        assert!(!wants_color(
            ColorChoice::Auto,
            true,
            &env(&[("CI", "true")])
        ));
        assert!(!wants_color(
            ColorChoice::Auto,
            true,
            &env(&[("GITLAB_CI", "true")])
        ));
        assert!(wants_color(
            ColorChoice::Always,
            false,
            &env(&[("CI", "true")])
        ));
        assert!(!wants_color(ColorChoice::Never, true, &env(&[])));
    }
}
