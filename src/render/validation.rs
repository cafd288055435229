//! `validate --json`: a configuration's diagnostics in the shape of Terraform's
//! `validate -json` (`format_version` 1.0), each with its range and the source line.

use crate::diag::{Diagnostic, Location, Severity};
use serde::Serialize;

#[derive(Serialize)]
struct Validation<'a> {
    format_version: &'a str,
    valid: bool,
    error_count: usize,
    warning_count: usize,
    diagnostics: Vec<Entry<'a>>,
}

#[derive(Serialize)]
struct Entry<'a> {
    severity: &'a str,
    summary: &'a str,
    /// The help and the notes, one per line (empty when there are none).
    detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    range: Option<Range<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    snippet: Option<Snippet<'a>>,
}

#[derive(Serialize)]
struct Range<'a> {
    filename: &'a str,
    start: Pos,
    end: Pos,
}

/// `line` and `column` from 1 (columns in characters); `byte` from 0, in the file.
#[derive(Serialize)]
struct Pos {
    line: usize,
    column: usize,
    byte: usize,
}

#[derive(Serialize)]
struct Snippet<'a> {
    context: Option<&'a str>,
    code: &'a str,
    start_line: usize,
    /// Byte offsets of the highlighted part within `code`.
    highlight_start_offset: usize,
    highlight_end_offset: usize,
    values: [(); 0],
}

/// The JSON document for `diagnostics` (valid when none is an error).
pub fn render(diagnostics: &[Diagnostic]) -> String {
    let errors = diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let doc = Validation {
        format_version: "1.0",
        valid: errors == 0,
        error_count: errors,
        warning_count: diagnostics.len() - errors,
        diagnostics: diagnostics.iter().map(entry).collect(),
    };
    // Strings and numbers only: serialising cannot fail.
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}

fn entry(d: &Diagnostic) -> Entry<'_> {
    let detail: Vec<&str> = d.help.iter().chain(&d.notes).map(String::as_str).collect();
    Entry {
        severity: match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        },
        summary: &d.message,
        detail: detail.join("\n"),
        range: d.location.as_ref().map(range),
        snippet: d.location.as_ref().map(snippet),
    }
}

/// Byte offsets within the source line of the highlighted characters.
fn highlight(l: &Location) -> (usize, usize) {
    let byte_at = |chars: usize| {
        l.source_line
            .char_indices()
            .nth(chars)
            .map_or(l.source_line.len(), |(i, _)| i)
    };
    let start = byte_at(l.column.saturating_sub(1));
    (
        start,
        byte_at(l.column.saturating_sub(1) + l.width).max(start),
    )
}

fn range(l: &Location) -> Range<'_> {
    let (start, end) = highlight(l);
    Range {
        filename: &l.file,
        start: Pos {
            line: l.line,
            column: l.column,
            byte: l.offset,
        },
        end: Pos {
            line: l.line,
            column: l.column + l.width,
            byte: l.offset + (end - start),
        },
    }
}

fn snippet(l: &Location) -> Snippet<'_> {
    let (start, end) = highlight(l);
    Snippet {
        context: None,
        code: &l.source_line,
        start_line: l.line,
        highlight_start_offset: start,
        highlight_end_offset: end,
        values: [],
    }
}
