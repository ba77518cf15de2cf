//! Findings: what a rule reports. Shared vocabulary of the rules, the
//! configuration step (severities, suppressions) and the reporters.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

use serde::Deserialize;

/// How much a finding matters: errors fail the check (exit 1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Reported, does not fail the check.
    Warning,
    /// Fails the check.
    Error,
}

impl Severity {
    /// `error` or `warning`.
    pub fn name(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// Which Snapshot a location's text comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Side {
    /// The base of the range (what the target already has).
    Base,
    /// The tip of the target branch, when it moved past the base.
    Target,
    /// The head of the range, the index, or the files linted.
    Head,
    /// An environment's branch or deploy ref (index in `environments:`).
    Env(usize),
}

/// A byte span in one file of one side.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    /// Path relative to the repository root.
    pub path: String,
    /// Byte span in the file.
    pub span: Range<usize>,
    /// Which Snapshot the file is read from.
    pub side: Side,
}

impl Location {
    /// A location in the head side.
    pub fn head(path: impl Into<String>, span: Range<usize>) -> Self {
        Location {
            path: path.into(),
            span,
            side: Side::Head,
        }
    }

    /// A location in the base side.
    pub fn base(path: impl Into<String>, span: Range<usize>) -> Self {
        Location {
            path: path.into(),
            span,
            side: Side::Base,
        }
    }
}

/// A secondary span that explains the finding ("already on main here").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    /// Where.
    pub location: Location,
    /// What it shows.
    pub text: String,
}

/// One problem a rule found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// The rule's id.
    pub rule: String,
    /// Error or warning (after configuration).
    pub severity: Severity,
    /// What is wrong, in one line.
    pub message: String,
    /// The primary span.
    pub location: Location,
    /// Text for the primary span's label.
    pub label: Option<String>,
    /// Secondary spans.
    pub labels: Vec<Label>,
    /// What to do about it.
    pub help: Option<String>,
    /// The commit that introduced it, when known.
    pub commit: Option<String>,
}

impl Finding {
    /// A finding at the rule's default severity; the configuration step
    /// adjusts it.
    pub fn new(rule: &str, location: Location, message: impl Into<String>) -> Self {
        Finding {
            rule: rule.to_string(),
            severity: Severity::Error,
            message: message.into(),
            location,
            label: None,
            labels: Vec::new(),
            help: None,
            commit: None,
        }
    }

    /// Sets the help line.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Sets the primary span's label.
    pub fn label(mut self, text: impl Into<String>) -> Self {
        self.label = Some(text.into());
        self
    }

    /// Adds a secondary span.
    pub fn with(mut self, location: Location, text: impl Into<String>) -> Self {
        self.labels.push(Label {
            location,
            text: text.into(),
        });
        self
    }
}

/// The text of every file a finding may point at, by side and path.
#[derive(Clone, Debug, Default)]
pub struct Sources {
    texts: HashMap<(Side, String), Arc<str>>,
}

impl Sources {
    /// Records a file's text.
    pub fn insert(&mut self, side: Side, path: String, text: Arc<str>) {
        self.texts.insert((side, path), text);
    }

    /// Puts `prefix/` before every path.
    pub fn prefix_paths(&mut self, prefix: &str) {
        self.texts = std::mem::take(&mut self.texts)
            .into_iter()
            .map(|((side, path), text)| ((side, format!("{prefix}/{path}")), text))
            .collect();
    }

    /// The text of a location's file, if it was read.
    pub fn get(&self, location: &Location) -> Option<&Arc<str>> {
        self.texts.get(&(location.side, location.path.clone()))
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = floor_char_boundary(text, offset.min(text.len()));
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..]
        .trim_start_matches('\u{feff}')
        .chars()
        .count()
        + 1;
    (line, column)
}

/// The largest char boundary at or before `offset`.
pub fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}
