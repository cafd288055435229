//! Diagnostics: errors and warnings that point at `file:line:col`, rendered like rustc.
//!
//! Every configuration problem becomes a [`Diagnostic`]. Locations are resolved from byte
//! ranges (as `hcl::edit` reports them) through a [`SourceFile`], so a diagnostic carries
//! everything needed to print it and no longer borrows the source.

use std::fmt::Write as _;
use std::ops::Range;

/// How bad a diagnostic is: errors fail the command, warnings do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

/// A resolved position in a configuration file, with the text needed to show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The file as the user should see it (relative to where they ran the command).
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, counted in characters.
    pub column: usize,
    /// The whole source line, without its line ending.
    pub source_line: String,
    /// How many characters to underline (at least 1).
    pub width: usize,
    /// Byte offset, used only to order diagnostics.
    pub offset: usize,
    /// Index of the file in load order, used only to order diagnostics.
    pub file_index: usize,
}

/// One error or warning, with an optional location, help and notes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub message: String,
    pub location: Option<Location>,
    pub help: Option<String>,
    pub notes: Vec<String>,
}

/// `text` with every control character but the tab written as an escape (`\n`, `\r`,
/// `\u{1b}`), as Terraform shows them: a value in a configuration must not start a line of
/// its own in a CI log (a forged `::error` workflow command) or send a terminal sequence.
pub fn escape_controls(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(|c| c.is_control() && c != '\t') {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\t' => out.push(c),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// What a message shows in place of a value computed from a sensitive one.
pub const SENSITIVE_VALUE: &str = "(sensitive value)";

/// `text` with the content of every quoted span — `"..."` or `` `...` `` — replaced by
/// [`SENSITIVE_VALUE`], except spans that are exactly one of `keep` (names, addresses).
fn redact_quoted(text: &str, keep: &[&str]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find(['"', '`']) {
        let quote = rest[open..].chars().next().unwrap_or('"');
        let after = &rest[open + quote.len_utf8()..];
        let Some(close) = after.find(quote) else {
            break;
        };
        let inner = &after[..close];
        out.push_str(&rest[..open]);
        if keep.contains(&inner) {
            out.push(quote);
            out.push_str(inner);
            out.push(quote);
        } else {
            out.push_str(SENSITIVE_VALUE);
        }
        rest = &after[close + quote.len_utf8()..];
    }
    out.push_str(rest);
    out
}

impl Diagnostic {
    /// This diagnostic about an expression that reads a sensitive value: every quoted value in
    /// it says "(sensitive value)" instead (the names in `keep` stay), so no derived form of
    /// the secret — lowered, cut, encoded — reaches a terminal or a CI log.
    #[must_use]
    pub fn redacted(mut self, keep: &[&str]) -> Self {
        self.message = redact_quoted(&self.message, keep);
        self.help = self.help.map(|h| redact_quoted(&h, keep));
        self.notes = self.notes.iter().map(|n| redact_quoted(n, keep)).collect();
        self
    }

    pub fn error(message: impl Into<String>) -> Self {
        Self::new(Severity::Error, message)
    }

    pub fn warning(message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, message)
    }

    fn new(severity: Severity, message: impl Into<String>) -> Self {
        Diagnostic {
            severity,
            message: message.into(),
            location: None,
            help: None,
            notes: Vec::new(),
        }
    }

    #[must_use]
    pub fn at(mut self, location: Option<Location>) -> Self {
        self.location = location;
        self
    }

    #[must_use]
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    #[must_use]
    pub fn help_opt(mut self, help: Option<String>) -> Self {
        if help.is_some() {
            self.help = help;
        }
        self
    }

    #[must_use]
    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Orders diagnostics for display: those without a location first, then by file and offset.
    pub fn sort_key(&self) -> (bool, usize, usize) {
        match &self.location {
            None => (false, 0, 0),
            Some(l) => (true, l.file_index, l.offset),
        }
    }
}

/// A loaded text file and the index needed to turn byte offsets into lines and columns.
#[derive(Debug, Clone)]
///
/// A file may be parsed in pieces ([`SourceFile::piece`]): a piece shares the file's text and
/// line index, and turns offsets within the piece into the file's lines and columns.
pub struct SourceFile {
    /// How the file is shown in diagnostics.
    pub display: String,
    text: std::sync::Arc<str>,
    /// Position of the file in load order.
    pub index: usize,
    /// Where each line starts (a file is far smaller than 4 GiB: see
    /// [`crate::fsio::MAX_CONFIG_FILE`]).
    line_starts: std::sync::Arc<[u32]>,
    /// The bytes of `text` this (piece of a) file covers.
    range: Range<usize>,
}

impl SourceFile {
    pub fn new(
        display: impl Into<String>,
        text: impl Into<std::sync::Arc<str>>,
        index: usize,
    ) -> Self {
        let text: std::sync::Arc<str> = text.into();
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .map(|i| u32::try_from(i).unwrap_or(u32::MAX))
            .collect();
        SourceFile {
            display: display.into(),
            range: 0..text.len(),
            text,
            index,
            line_starts,
        }
    }

    /// The text of this file (or piece), as parsed; spans are offsets into it.
    pub fn text(&self) -> &str {
        &self.text[self.range.clone()]
    }

    /// The piece `range` of this file (offsets into [`SourceFile::text`]), for parsing apart.
    #[must_use]
    pub fn piece(&self, range: Range<usize>) -> SourceFile {
        let start = self.range.start + range.start;
        SourceFile {
            display: self.display.clone(),
            text: self.text.clone(),
            index: self.index,
            line_starts: self.line_starts.clone(),
            range: start..start + range.len(),
        }
    }

    /// Resolves a byte range of [`SourceFile::text`] into a location; offsets past the end
    /// are clamped.
    pub fn location(&self, range: &Range<usize>) -> Location {
        let base = self.range.start;
        let range = &(range.start.saturating_add(base)..range.end.saturating_add(base));
        let start = floor_char_boundary(&self.text, range.start.min(self.text.len()));
        let line_idx = self.line_starts.partition_point(|&s| s as usize <= start) - 1;
        let line_start = self.line_starts[line_idx] as usize;
        let line_end = self.text[line_start..]
            .find('\n')
            .map_or(self.text.len(), |i| line_start + i);
        let source_line = self.text[line_start..line_end].trim_end_matches('\r');
        let column = self.text[line_start..start].chars().count() + 1;
        let end = floor_char_boundary(&self.text, range.end.clamp(start, line_end));
        let width = self.text[start..end].chars().count().max(1);
        Location {
            file: self.display.clone(),
            line: line_idx + 1,
            column,
            source_line: source_line.to_owned(),
            width,
            offset: start,
            file_index: self.index,
        }
    }

    /// The 1-based line `range` starts on: [`SourceFile::location`]'s `line`, without copying
    /// the line.
    pub fn line(&self, range: &Range<usize>) -> usize {
        let start = range
            .start
            .saturating_add(self.range.start)
            .min(self.text.len());
        self.line_starts.partition_point(|&s| s as usize <= start)
    }

    /// Resolves an optional span; `None` (an expression the parser did not emit) stays `None`.
    pub fn span(&self, range: Option<Range<usize>>) -> Option<Location> {
        range.map(|r| self.location(&r))
    }
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Writes one diagnostic, rustc-style:
///
/// ```text
/// error: unknown attribute `prot` in a `port` block
///   --> main.hcl:12:5
///    |
/// 12 |     prot = 443
///    |     ^^^^
///    = help: did you mean `protocol`?
/// ```
/// The most characters of a source line a diagnostic shows.
const MAX_SHOWN: usize = 160;

pub fn render(diagnostic: &Diagnostic, color: bool) -> String {
    let (label, paint) = match diagnostic.severity {
        Severity::Error => ("error", "\x1b[1;31m"),
        Severity::Warning => ("warning", "\x1b[1;33m"),
    };
    let mut out = String::new();
    let message = escape_controls(&diagnostic.message);
    if color {
        let _ = writeln!(out, "{paint}{label}\x1b[0m\x1b[1m: {message}\x1b[0m");
    } else {
        let _ = writeln!(out, "{label}: {message}");
    }
    let gutter_width = diagnostic
        .location
        .as_ref()
        .map_or(1, |l| l.line.to_string().len());
    let pad = " ".repeat(gutter_width);
    if let Some(loc) = &diagnostic.location {
        let _ = writeln!(
            out,
            "{pad}--> {}:{}:{}",
            escape_controls(&loc.file),
            loc.line,
            loc.column
        );
        let _ = writeln!(out, "{pad} |");
        // A long line is shown around the column, a long span by its start.
        let chars: Vec<char> = loc.source_line.chars().collect();
        let from = (loc.column - 1).saturating_sub(MAX_SHOWN / 2);
        let from = if chars.len() > MAX_SHOWN { from } else { 0 };
        let to = (from + MAX_SHOWN).min(chars.len());
        let mut shown: String = chars.get(from..to).unwrap_or_default().iter().collect();
        if from > 0 {
            shown.insert_str(0, "...");
        }
        if to < chars.len() {
            shown.push_str("...");
        }
        let _ = writeln!(out, "{} | {}", loc.line, escape_controls(&shown));
        let lead = if from > 0 { 3 } else { 0 };
        let indent: String = " ".repeat(lead)
            + &chars
                .iter()
                .skip(from)
                .take((loc.column - 1).saturating_sub(from))
                .map(|c| if *c == '\t' { '\t' } else { ' ' })
                .collect::<String>();
        let carets = "^".repeat(loc.width.min(to.saturating_sub(loc.column - 1).max(1)));
        if color {
            let _ = writeln!(out, "{pad} | {indent}{paint}{carets}\x1b[0m");
        } else {
            let _ = writeln!(out, "{pad} | {indent}{carets}");
        }
    }
    for note in &diagnostic.notes {
        let _ = writeln!(out, "{pad} = note: {}", escape_controls(note));
    }
    if let Some(help) = &diagnostic.help {
        let _ = writeln!(out, "{pad} = help: {}", escape_controls(help));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn location_counts_lines_and_characters() {
        let file = SourceFile::new("main.hcl", "a = 1\nnäme = \"x\"\n", 0);
        let loc = file.location(&(14..17));
        assert_eq!((loc.line, loc.column, loc.width), (2, 8, 3));
        assert_eq!(loc.source_line, "näme = \"x\"");
    }

    /// `line` is `location`'s line, in a whole file and in a piece of it, at every offset.
    #[test]
    fn line_is_the_locations_line() {
        let text = "a = 1\n\nnäme = \"x\"\r\nb {\n}\n";
        let file = SourceFile::new("main.hcl", text, 0);
        for piece in [file.piece(0..text.len()), file.piece(7..text.len())] {
            for at in 0..=piece.text().len() {
                assert_eq!(
                    piece.line(&(at..at)),
                    piece.location(&(at..at)).line,
                    "at {at}"
                );
            }
        }
    }

    #[test]
    fn render_shows_gutter_source_and_caret() {
        let file = SourceFile::new("main.hcl", "x = 1\n  prot = 443\n", 0);
        let d = Diagnostic::error("unknown attribute `prot`")
            .at(Some(file.location(&(8..12))))
            .help("did you mean `protocol`?");
        assert_eq!(
            render(&d, false),
            "error: unknown attribute `prot`\n --> main.hcl:2:3\n  |\n2 |   prot = 443\n  |   ^^^^\n  = help: did you mean `protocol`?\n"
        );
    }

    #[test]
    fn offsets_past_the_end_are_clamped() {
        let file = SourceFile::new("f.hcl", "abc", 0);
        let loc = file.location(&(10..20));
        assert_eq!((loc.line, loc.column, loc.width), (1, 4, 1));
    }
}
