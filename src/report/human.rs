//! The default report: each finding as annotated source, drawn by miette,
//! with labels in other files shown as related snippets.

use std::fmt;
use std::sync::Arc;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceSpan,
};

use super::{summary, Report};
use crate::finding::{floor_char_boundary, Finding, Location, Severity, Sources};

/// How to draw: with colours and Unicode, or plain for logs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// ANSI colours and Unicode box drawing.
    Color,
    /// Unicode box drawing, no colour.
    Plain,
}

struct Snippet {
    message: String,
    code: Option<String>,
    severity: miette::Severity,
    help: Option<String>,
    source: Option<NamedSource<Arc<str>>>,
    labels: Vec<LabeledSpan>,
    related: Vec<Snippet>,
}

impl fmt::Debug for Snippet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for Snippet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Snippet {}

impl Diagnostic for Snippet {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.code
            .as_ref()
            .map(|c| Box::new(c) as Box<dyn fmt::Display>)
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.labels.is_empty() {
            None
        } else {
            Some(Box::new(self.labels.iter().cloned()))
        }
    }
    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        if self.related.is_empty() {
            None
        } else {
            Some(Box::new(self.related.iter().map(|r| r as &dyn Diagnostic)))
        }
    }
}

fn span(location: &Location, text: &str) -> SourceSpan {
    let start = floor_char_boundary(text, location.span.start.min(text.len()));
    let end = floor_char_boundary(text, location.span.end.min(text.len())).max(start);
    SourceSpan::new(start.into(), end - start)
}

fn snippet(finding: &Finding, sources: &Sources) -> Snippet {
    let location = &finding.location;
    let text = sources.get(location).cloned();
    let mut labels = Vec::new();
    let mut related = Vec::new();
    if let Some(text) = &text {
        labels.push(LabeledSpan::new_primary_with_span(
            finding.label.clone(),
            span(location, text),
        ));
    }
    for label in &finding.labels {
        let other = sources.get(&label.location).cloned();
        match (&text, other) {
            (Some(t), Some(_))
                if label.location.path == location.path && label.location.side == location.side =>
            {
                labels.push(LabeledSpan::new_with_span(
                    Some(label.text.clone()),
                    span(&label.location, t),
                ));
            }
            (_, Some(other)) => related.push(Snippet {
                message: label.text.clone(),
                code: None,
                severity: miette::Severity::Advice,
                help: None,
                source: Some(NamedSource::new(&label.location.path, other.clone())),
                labels: vec![LabeledSpan::new_with_span(
                    Some(label.text.clone()),
                    span(&label.location, &other),
                )],
                related: Vec::new(),
            }),
            (_, None) => related.push(Snippet {
                message: format!("{}: {}", label.location.path, label.text),
                code: None,
                severity: miette::Severity::Advice,
                help: None,
                source: None,
                labels: Vec::new(),
                related: Vec::new(),
            }),
        }
    }
    let message = if text.is_some() {
        format!("{}: {}", finding.rule, finding.message)
    } else {
        format!(
            "{}: {}\n  at {}",
            finding.rule, finding.message, location.path
        )
    };
    Snippet {
        message,
        code: None,
        severity: match finding.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        },
        help: finding.help.clone(),
        source: text.map(|t| NamedSource::new(&location.path, t)),
        labels,
        related,
    }
}

pub(super) fn render(report: &Report, style: Style) -> String {
    let theme = match style {
        Style::Color => GraphicalTheme::unicode(),
        Style::Plain => GraphicalTheme::unicode_nocolor(),
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(140)
        .with_links(false);
    let mut out = String::new();
    for finding in report.findings {
        let snippet = snippet(finding, report.sources);
        if handler.render_report(&mut out, &snippet).is_err() {
            out.push_str(&format!(
                "{}: {} ({})\n",
                finding.rule, finding.message, finding.location.path
            ));
        }
        out.push('\n');
    }
    if !report.findings.is_empty() {
        out.push_str(&summary(report));
        out.push('\n');
    }
    out
}
