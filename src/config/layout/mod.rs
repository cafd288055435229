//! `vpcep fmt`: the canonical layout of an HCL file — two spaces per nesting level, the `=` of
//! neighbouring one-line attributes aligned (as are their trailing comments), the spaces
//! between tokens as `terraform fmt` puts them ([`tokens`]), one blank line between blocks and
//! at most one anywhere — keeping every comment, string and heredoc as written.
//!
//! The rules are Terraform's (`hclwrite`'s indent stack and alignment cells), applied to the
//! lines of the text ([`lines`]); hcl-edit's parse supplies where blocks begin and end. The
//! result is parsed again and must mean exactly what the input meant, or the file is left
//! alone with an error: formatting can never change a configuration.

mod lines;
mod tokens;

use crate::diag::{Diagnostic, SourceFile};
use hcl::edit::Span as _;
use hcl::edit::structure::{Body, Structure};
use lines::{Code, Line};
use std::ops::Range;

/// Spaces per nesting level.
const INDENT: usize = 2;

/// `text` in the canonical layout; a file that does not parse is an error at its location.
pub fn format(source: &SourceFile) -> Result<String, Box<Diagnostic>> {
    let text = source.text();
    let mut diags = Vec::new();
    if !super::files::within_cost(source, &mut diags) {
        return Err(Box::new(diags.remove(0)));
    }
    let body = hcl::edit::parser::parse_body(text).map_err(|e| {
        Box::new(
            super::files::syntax_error(source, &e)
                .help("fix the syntax first; vpcep fmt formats only files that parse"),
        )
    })?;
    let scanned = lines::scan(text);
    let mut blank_after = vec![false; scanned.len()];
    mark_block_ends(&body, &line_starts(text), &mut blank_after);
    let formatted = layout(&scanned, &blank_after);
    // The meaning of the input, from the parse above (not parsed again).
    let meant = hcl::Body::from(body);
    if hcl::parse(&formatted).is_ok_and(|after| after == meant) {
        Ok(formatted)
    } else {
        Err(Box::new(
            Diagnostic::error(format!(
                "`{}` was left as it is: its formatted text would not mean the same",
                source.display
            ))
            .help("this is a bug in vpcep fmt; please report it with the file"),
        ))
    }
}

/// The byte offset where each line of `text` starts.
fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect()
}

/// The line holding byte `offset`.
fn line_of(starts: &[usize], offset: usize) -> usize {
    starts.partition_point(|&s| s <= offset).saturating_sub(1)
}

/// Marks the lines after which a blank line separates a block from what follows it in the
/// same body: after every block that spans lines, and between two one-line blocks only when
/// the next one spans lines. Nested bodies are marked too.
fn mark_block_ends(body: &Body, starts: &[usize], blank_after: &mut [bool]) {
    let lines_of = |span: Option<Range<usize>>| {
        span.map(|s| {
            (
                line_of(starts, s.start),
                line_of(starts, s.end.saturating_sub(1)),
            )
        })
    };
    let structures: Vec<&Structure> = body.iter().collect();
    for (i, structure) in structures.iter().enumerate() {
        let Structure::Block(block) = structure else {
            continue;
        };
        mark_block_ends(&block.body, starts, blank_after);
        let (Some((first, last)), Some(next)) = (
            lines_of(block.span()),
            structures.get(i + 1).and_then(|n| lines_of(n.span())),
        ) else {
            continue;
        };
        let next_is_long_block =
            matches!(structures[i + 1], Structure::Block(_)) && next.0 != next.1;
        if next.0 > last && (first != last || next_is_long_block) {
            blank_after[last] = true;
        }
    }
}

/// Lays the scanned lines out: indentation, alignment, blank lines.
fn layout(scanned: &[Line<'_>], blank_after: &[bool]) -> String {
    let indents = indentation(scanned);
    let mut texts: Vec<Option<String>> = scanned
        .iter()
        .zip(&indents)
        .map(|(line, &indent)| match line {
            Line::Blank => None,
            Line::Verbatim(text) => Some((*text).to_owned()),
            Line::Code(code) => Some(format!("{}{}", " ".repeat(indent), code.text)),
        })
        .collect();
    align(scanned, &indents, &mut texts);

    let mut out = String::with_capacity(scanned.len() * 32);
    let mut pending_blank = false;
    for (i, text) in texts.iter().enumerate() {
        match text {
            None => pending_blank = true,
            Some(text) => {
                if pending_blank && !out.is_empty() {
                    out.push('\n');
                }
                pending_blank = false;
                out.push_str(text);
                out.push('\n');
            }
        }
        if blank_after[i] {
            pending_blank = true;
        }
    }
    out
}

/// Each line's indentation, by Terraform's indent stack: a line that opens brackets it does
/// not close indents what follows by one level, however many it opened; closing them goes
/// back; a line starts at the level its own closers leave.
fn indentation(scanned: &[Line<'_>]) -> Vec<usize> {
    let mut levels: Vec<i32> = Vec::new();
    scanned
        .iter()
        .map(|line| {
            let Line::Code(code) = line else {
                return 0;
            };
            if code.net > 0 {
                let indent = levels.len() * INDENT;
                levels.push(code.net);
                return indent;
            }
            let mut closed = -code.net;
            while closed > 0 {
                let Some(top) = levels.last_mut() else {
                    break;
                };
                if closed >= *top {
                    closed -= *top;
                    levels.pop();
                } else {
                    *top -= closed;
                    closed = 0;
                }
            }
            levels.len() * INDENT
        })
        .collect()
}

/// Aligns the `=` of neighbouring one-line attributes, then the trailing comments of
/// neighbouring lines, rewriting those lines of `texts`.
fn align(scanned: &[Line<'_>], indents: &[usize], texts: &mut [Option<String>]) {
    let code = |i: usize| match &scanned[i] {
        Line::Code(code) => Some(code),
        _ => None,
    };
    // The `=` column of a line: its indentation and the name before the `=`.
    let lead = |i: usize, c: &Code| {
        c.assign
            .map(|at| indents[i] + c.text[..at].trim_end().chars().count())
    };
    for run in runs(scanned.len(), |i| code(i).and_then(|c| lead(i, c))) {
        let column = run
            .clone()
            .filter_map(|i| code(i).and_then(|c| lead(i, c)))
            .max();
        for i in run {
            let (Some(c), Some(column)) = (code(i), column) else {
                continue;
            };
            let Some(at) = c.assign else { continue };
            let name = c.text[..at].trim_end();
            let value = c.text[at + 1..].trim_start();
            let pad = column - (indents[i] + name.chars().count()) + 1;
            texts[i] = Some(format!(
                "{}{name}{}= {value}",
                " ".repeat(indents[i]),
                " ".repeat(pad)
            ));
        }
    }
    // The comment column of a line: the width of its code (as aligned above).
    let code_width = |i: usize, texts: &[Option<String>]| {
        let c = code(i)?;
        c.comment?;
        let text = texts[i].as_deref()?;
        let comment = text.len() - (c.text.len() - c.comment?);
        Some(text[..comment].trim_end().chars().count())
    };
    let widths: Vec<Option<usize>> = (0..scanned.len()).map(|i| code_width(i, texts)).collect();
    for run in runs(scanned.len(), |i| widths[i]) {
        let Some(column) = run.clone().filter_map(|i| widths[i]).max() else {
            continue;
        };
        for i in run {
            let (Some(text), Some(width), Some(c)) = (texts[i].as_deref(), widths[i], code(i))
            else {
                continue;
            };
            let Some(comment_at) = c.comment else {
                continue;
            };
            let split = text.len() - (c.text.len() - comment_at);
            let (before, comment) = text.split_at(split);
            let aligned = format!(
                "{}{}{comment}",
                before.trim_end(),
                " ".repeat(column - width + 1)
            );
            texts[i] = Some(aligned);
        }
    }
}

/// The maximal runs of consecutive lines for which `has` is `Some`.
fn runs(len: usize, has: impl Fn(usize) -> Option<usize>) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = None;
    for i in 0..=len {
        let member = i < len && has(i).is_some();
        match (member, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push(s..i);
                start = None;
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests;
