//! The one error type of sqlgate: something that stops a check from running
//! (exit code 2). Findings are not errors; they are values of their own.

use std::fmt;

/// Why a command could not run, with a hint that says how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    /// One line: what went wrong.
    pub message: String,
    /// What the user can do about it, when we know.
    pub help: Option<String>,
}

impl Error {
    /// An error with only a message.
    pub fn new(message: impl Into<String>) -> Self {
        Error {
            message: message.into(),
            help: None,
        }
    }

    /// Adds the help line that says how to fix it.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

/// The result type of every fallible step.
pub type Result<T, E = Error> = std::result::Result<T, E>;
