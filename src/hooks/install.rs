//! `sqlgate install` and `sqlgate uninstall`: write the hook scripts into a
//! hooks directory and take them out again, never losing a hook that was
//! there. A hook sqlgate did not write is renamed `<hook>.local`; sqlgate's
//! script runs it first, with the same arguments and input, and stops when
//! it fails. `uninstall` renames it back. Both are idempotent.
//!
//! `--force` only matters for a hook sqlgate wrote that differs from this
//! version's script (edited by hand, or written by another version):
//! `install --force` rewrites it and `uninstall --force` removes it. A hook
//! sqlgate did not write is never overwritten or removed.

use std::fs;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use super::Hook;
use crate::error::{Error, Result};

/// How the second line of every script sqlgate writes starts.
const MARKER: &str = "# Installed by `sqlgate install`";

/// Whether a hook's text is one of sqlgate's scripts (this version's or not).
pub fn is_sqlgate_hook(text: &str) -> bool {
    text.starts_with("#!") && text.lines().nth(1).is_some_and(|l| l.starts_with(MARKER))
}

/// What `install` or `uninstall` did to one hook.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Wrote sqlgate's script where there was no hook.
    Wrote,
    /// Wrote sqlgate's script; the hook already kept as `<hook>.local` runs first.
    WroteChaining,
    /// Renamed the hook that was there to `<hook>.local` and wrote sqlgate's
    /// script, which runs it first.
    Chained,
    /// sqlgate's script was already there; nothing changed.
    AlreadyInstalled,
    /// Replaced a sqlgate script that differed from this version's (`--force`).
    Rewrote,
    /// Removed sqlgate's script.
    Removed,
    /// Removed sqlgate's script and renamed `<hook>.local` back.
    Restored,
    /// The hook there is not sqlgate's, or there is none; nothing changed.
    NotInstalled,
}

/// One hook's path and what happened to it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// The hook.
    pub hook: Hook,
    /// Its path.
    pub path: PathBuf,
    /// What was done.
    pub action: Action,
}

impl Change {
    /// One line for the user.
    pub fn describe(&self) -> String {
        let path = self.path.display();
        let kept = kept_path(&self.path);
        let kept = kept.display();
        match self.action {
            Action::Wrote => format!("installed {path}"),
            Action::WroteChaining => {
                format!("installed {path}; it runs the hook kept in {kept} first")
            }
            Action::Chained => {
                format!("installed {path}; the hook that was there is now {kept} and runs first")
            }
            Action::AlreadyInstalled => format!("{path} is already installed"),
            Action::Rewrote => format!("rewrote {path} (--force)"),
            Action::Removed => format!("removed {path}"),
            Action::Restored => format!("removed sqlgate's {path} and put {kept} back"),
            Action::NotInstalled => format!("{path}: no sqlgate hook there, left as it is"),
        }
    }
}

fn kept_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".local");
    path.with_file_name(name)
}

fn io_error(what: &str, path: &Path, e: std::io::Error) -> Error {
    Error::new(format!("cannot {what} {}: {e}", path.display()))
}

/// The text of a hook, `None` when there is none.
fn read_hook(path: &Path) -> Result<Option<String>> {
    match fs::symlink_metadata(path) {
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io_error("read", path, e)),
        Ok(_) => {}
    }
    match fs::read(path) {
        Ok(bytes) => Ok(Some(String::from_utf8_lossy(&bytes).into_owned())),
        // A dangling symlink: a hook git cannot run, but not ours to lose.
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(Some(String::new())),
        Err(e) => Err(io_error("read", path, e)),
    }
}

fn exists(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok()
}

/// Writes a script through a temporary file, so that git never runs half of one.
fn write_script(path: &Path, text: &str) -> Result<()> {
    let mut tmp_name = std::ffi::OsString::from(".");
    tmp_name.push(path.file_name().unwrap_or_default());
    tmp_name.push(".sqlgate-tmp");
    let tmp = path.with_file_name(tmp_name);
    fs::write(&tmp, text).map_err(|e| io_error("write", &tmp, e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&tmp, fs::Permissions::from_mode(0o755))
            .map_err(|e| io_error("make executable", &tmp, e))?;
    }
    fs::rename(&tmp, path).map_err(|e| io_error("write", path, e))
}

fn rename(from: &Path, to: &Path) -> Result<()> {
    fs::rename(from, to).map_err(|e| {
        Error::new(format!(
            "cannot rename {} to {}: {e}",
            from.display(),
            to.display()
        ))
    })
}

/// Installs `hooks` into the hooks directory `dir` (created if missing).
/// Nothing is changed when one of them cannot be installed.
pub fn install(dir: &Path, hooks: &[Hook], force: bool) -> Result<Vec<Change>> {
    let mut planned = Vec::new();
    for &hook in hooks {
        let path = dir.join(hook.name());
        let action = match read_hook(&path)? {
            None if exists(&kept_path(&path)) => Action::WroteChaining,
            None => Action::Wrote,
            Some(text) if text == hook.script() => Action::AlreadyInstalled,
            Some(text) if is_sqlgate_hook(&text) => {
                if !force {
                    return Err(Error::new(format!(
                        "{} was written by sqlgate but differs from this version's script (edited by hand, or written by another version)",
                        path.display()
                    ))
                    .with_help("`sqlgate install --force` rewrites it; a hook kept as .local stays and still runs first"));
                }
                Action::Rewrote
            }
            Some(_) if exists(&kept_path(&path)) => {
                return Err(Error::new(format!(
                    "{} is not sqlgate's, and {} already exists, so it cannot be kept beside sqlgate's hook",
                    path.display(),
                    kept_path(&path).display()
                ))
                .with_help(format!(
                    "merge the two into {} yourself (sqlgate's hook runs it first), then run `sqlgate install` again",
                    kept_path(&path).display()
                )))
            }
            Some(_) => Action::Chained,
        };
        planned.push(Change { hook, path, action });
    }
    fs::create_dir_all(dir).map_err(|e| io_error("create", dir, e))?;
    for change in &planned {
        match change.action {
            Action::AlreadyInstalled => {}
            Action::Chained => {
                rename(&change.path, &kept_path(&change.path))?;
                write_script(&change.path, change.hook.script())?;
            }
            _ => write_script(&change.path, change.hook.script())?,
        }
    }
    Ok(planned)
}

/// Removes sqlgate's `hooks` from the hooks directory `dir` and puts back
/// what each replaced. Nothing is changed when one of them cannot be removed.
pub fn uninstall(dir: &Path, hooks: &[Hook], force: bool) -> Result<Vec<Change>> {
    let mut planned = Vec::new();
    for &hook in hooks {
        let path = dir.join(hook.name());
        let kept = exists(&kept_path(&path));
        let action = match read_hook(&path)? {
            None if kept => Action::Restored,
            None => Action::NotInstalled,
            Some(text) if is_sqlgate_hook(&text) => {
                if text != hook.script() && !force {
                    return Err(Error::new(format!(
                        "{} was written by sqlgate but differs from this version's script (edited by hand, or written by another version)",
                        path.display()
                    ))
                    .with_help("`sqlgate uninstall --force` removes it anyway"));
                }
                if kept {
                    Action::Restored
                } else {
                    Action::Removed
                }
            }
            Some(_) => Action::NotInstalled,
        };
        planned.push(Change { hook, path, action });
    }
    for change in &planned {
        match change.action {
            Action::Removed => remove(&change.path)?,
            Action::Restored => {
                if exists(&change.path) {
                    remove(&change.path)?;
                }
                rename(&kept_path(&change.path), &change.path)?;
            }
            _ => {}
        }
    }
    Ok(planned)
}

fn remove(path: &Path) -> Result<()> {
    fs::remove_file(path).map_err(|e| io_error("remove", path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    const USER_HOOK: &str = "#!/bin/sh\necho linting\n";

    fn user_hook(dir: &Path, name: &str) -> PathBuf {
        let path = dir.join(name);
        fs::create_dir_all(dir).unwrap();
        fs::write(&path, USER_HOOK).unwrap();
        path
    }

    #[test]
    fn install_writes_scripts_and_is_idempotent() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("hooks");
        let first = install(&dir, &[Hook::PreCommit, Hook::PrePush], false).unwrap();
        assert!(first.iter().all(|c| c.action == Action::Wrote));
        assert_eq!(
            fs::read_to_string(dir.join("pre-push")).unwrap(),
            Hook::PrePush.script()
        );
        let again = install(&dir, &[Hook::PreCommit, Hook::PrePush], false).unwrap();
        assert!(again.iter().all(|c| c.action == Action::AlreadyInstalled));
    }

    #[test]
    fn a_user_hook_is_kept_chained_and_restored() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        let path = user_hook(dir, "pre-commit");
        let changes = install(dir, &[Hook::PreCommit], false).unwrap();
        assert_eq!(changes[0].action, Action::Chained);
        assert_eq!(
            fs::read_to_string(dir.join("pre-commit.local")).unwrap(),
            USER_HOOK
        );
        assert_eq!(fs::read_to_string(&path).unwrap(), Hook::PreCommit.script());
        assert_eq!(
            install(dir, &[Hook::PreCommit], true).unwrap()[0].action,
            Action::AlreadyInstalled
        );
        let changes = uninstall(dir, &[Hook::PreCommit], false).unwrap();
        assert_eq!(changes[0].action, Action::Restored);
        assert_eq!(fs::read_to_string(&path).unwrap(), USER_HOOK);
        assert!(!dir.join("pre-commit.local").exists());
        let changes = uninstall(dir, &[Hook::PreCommit], false).unwrap();
        assert_eq!(changes[0].action, Action::NotInstalled);
        assert_eq!(fs::read_to_string(&path).unwrap(), USER_HOOK);
    }

    #[test]
    fn an_edited_sqlgate_hook_needs_force() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        install(dir, &[Hook::PrePush], false).unwrap();
        let path = dir.join("pre-push");
        let edited = format!("{}echo extra\n", Hook::PrePush.script());
        fs::write(&path, &edited).unwrap();
        let err = install(dir, &[Hook::PrePush], false).unwrap_err();
        assert!(err.help.unwrap().contains("--force"));
        assert!(uninstall(dir, &[Hook::PrePush], false).is_err());
        assert_eq!(fs::read_to_string(&path).unwrap(), edited);
        assert_eq!(
            install(dir, &[Hook::PrePush], true).unwrap()[0].action,
            Action::Rewrote
        );
        assert_eq!(fs::read_to_string(&path).unwrap(), Hook::PrePush.script());
    }

    #[test]
    fn a_user_hook_is_never_overwritten_even_with_force() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        user_hook(dir, "pre-push");
        user_hook(dir, "pre-push.local");
        for force in [false, true] {
            let err = install(dir, &[Hook::PrePush], force).unwrap_err();
            assert!(err.message.contains("already exists"), "{}", err.message);
        }
        assert_eq!(fs::read_to_string(dir.join("pre-push")).unwrap(), USER_HOOK);
        assert_eq!(
            uninstall(dir, &[Hook::PrePush], true).unwrap()[0].action,
            Action::NotInstalled
        );
        assert_eq!(fs::read_to_string(dir.join("pre-push")).unwrap(), USER_HOOK);
    }

    #[test]
    fn nothing_changes_when_one_hook_cannot_be_installed() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        user_hook(dir, "pre-push");
        user_hook(dir, "pre-push.local");
        assert!(install(dir, &[Hook::PreCommit, Hook::PrePush], false).is_err());
        assert!(!dir.join("pre-commit").exists());
    }

    #[test]
    fn only_sqlgate_scripts_are_recognised() {
        assert!(is_sqlgate_hook(Hook::PreReceive.script()));
        assert!(!is_sqlgate_hook(USER_HOOK));
        assert!(!is_sqlgate_hook(
            "#!/bin/sh\n# calls sqlgate install later\n"
        ));
    }
}
