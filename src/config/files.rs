//! Finds and parses the `*.hcl` files of a configuration directory.

use crate::diag::{Diagnostic, SourceFile};
use hcl::edit::structure::Body;
use std::path::Path;

#[derive(Debug)]
pub(crate) struct ParsedFile {
    pub source: SourceFile,
    pub body: Body,
}

/// How a file in `dir` is shown in diagnostics: relative to where the user ran the command.
pub(crate) fn display_path(dir: &Path, name: &str) -> String {
    if dir.as_os_str().is_empty() || dir == Path::new(".") {
        name.to_owned()
    } else {
        dir.join(name).display().to_string()
    }
}

/// Reads every `*.hcl` file of `dir`, sorted by name: `(display name, text)` pairs.
///
/// Files that cannot be read produce diagnostics and are left out.
pub fn read_dir(dir: &Path, diags: &mut Vec<Diagnostic>) -> Vec<(String, String)> {
    read_dir_as(dir, dir, diags)
}

/// [`read_dir`], naming the files as inside `shown` (the directory as the user gave it, when
/// the process has changed into it).
pub fn read_dir_as(dir: &Path, shown: &Path, diags: &mut Vec<Diagnostic>) -> Vec<(String, String)> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            diags.push(
                Diagnostic::error(format!(
                    "cannot read the configuration directory `{}`: {e}",
                    shown.display()
                ))
                .help("pass the directory that holds your *.hcl files with `-C DIR`"),
            );
            return Vec::new();
        }
    };
    let mut names: Vec<String> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file() || t.is_symlink()))
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| Path::new(n).extension().is_some_and(|e| e == "hcl") && !n.starts_with('.'))
        .collect();
    names.sort();
    if names.is_empty() {
        diags.push(
            Diagnostic::error(format!(
                "no configuration files (*.hcl) in `{}`",
                shown.display()
            ))
            .help("run vpcep in the directory of your configuration, or pass it with `-C DIR`"),
        );
    }
    let mut files = Vec::with_capacity(names.len());
    for name in names {
        let display = display_path(shown, &name);
        let text = match crate::fsio::read_text(
            &dir.join(&name),
            crate::fsio::MAX_CONFIG_FILE,
            "the configuration file",
        ) {
            Ok(text) => text,
            Err(e) => {
                diags.push(Diagnostic::error(
                    e.message.replace(&e.path.display().to_string(), &display),
                ));
                continue;
            }
        };
        files.push((display, text));
    }
    files
}

/// Parses configuration sources; files with syntax errors produce diagnostics and are left out.
pub(crate) fn parse_all(
    sources: &[(String, String)],
    diags: &mut Vec<Diagnostic>,
) -> Vec<ParsedFile> {
    let mut files = Vec::with_capacity(sources.len());
    for (index, (display, text)) in sources.iter().enumerate() {
        let source = SourceFile::new(display.clone(), text.clone(), index);
        if let Some(body) = parse(&source, diags)
            && within_depth(&source, &body, diags)
        {
            files.push(ParsedFile { source, body });
        }
    }
    files
}

/// Checks that no expression nests deeper than the budget allows (traversal steps counted):
/// evaluating one would exhaust the stack. A file with one is left out, like a syntax error.
fn within_depth(source: &SourceFile, body: &Body, diags: &mut Vec<Diagnostic>) -> bool {
    use hcl::edit::Span as _;
    use hcl::edit::structure::Structure;
    let mut ok = true;
    let mut bodies = vec![body];
    while let Some(body) = bodies.pop() {
        for structure in body {
            match structure {
                Structure::Attribute(attr) => {
                    let depth = super::budget::depth(&attr.value);
                    if depth > super::budget::MAX_DEPTH {
                        diags.push(
                            Diagnostic::error(format!(
                                "this expression nests more than {} levels deep (each `.attr`, `[index]` and `[*]` is a level)",
                                super::budget::MAX_DEPTH
                            ))
                            .at(source.span(attr.value.span()))
                            .help("split it into locals"),
                        );
                        ok = false;
                    }
                }
                Structure::Block(block) => bodies.push(&block.body),
            }
        }
    }
    ok
}

/// The most object-literal work a file may ask of the parser: hcl-edit checks each key of an
/// object literal against the keys before it, so parsing costs the sum of the squares of the
/// objects' sizes (about 4 ns each in a release build: this is about 1 s).
pub(crate) const MAX_PARSE_COST: u64 = 250_000_000;

/// Estimates what parsing `text` costs (see [`MAX_PARSE_COST`]) without parsing it: a linear
/// scan that skips comments and strings (but not their `${...}` interpolations), finds the
/// `{` that open object literals (after `=`, `:`, `(`, `[`, `,`, `?` or `=>`), and counts the
/// `=`/`:` of each at its own level. Returns the cost and the offset and item count of the
/// largest object.
pub(crate) fn parse_cost(text: &str) -> (u64, usize, u64) {
    #[derive(Clone, Copy, PartialEq)]
    enum Frame {
        Object(usize, u64),
        Block,
        Other,
        /// `${ ... }` or `%{ ... }` inside a string; the flag says whether it is a heredoc's.
        Interpolation(bool),
        String(bool),
    }
    let b = text.as_bytes();
    let mut stack: Vec<Frame> = Vec::new();
    let (mut cost, mut largest_at, mut largest): (u64, usize, u64) = (0, 0, 0);
    let mut prev: u8 = b'\n';
    let mut heredoc_end: Vec<Vec<u8>> = Vec::new();
    let mut i = 0;
    let in_string = |stack: &[Frame]| matches!(stack.last(), Some(Frame::String(_)));
    while i < b.len() {
        let c = b[i];
        if in_string(&stack) {
            let heredoc = matches!(stack.last(), Some(Frame::String(true)));
            match c {
                b'\\' if !heredoc => i += 1,
                b'"' if !heredoc => {
                    stack.pop();
                    prev = b'"';
                }
                b'$' | b'%'
                    if b.get(i + 1) == Some(&b'{') && b.get(i.wrapping_sub(1)) != Some(&c) =>
                {
                    stack.push(Frame::Interpolation(heredoc));
                    prev = b'(';
                    i += 1;
                }
                b'\n' if heredoc => {
                    let line_end = b[i + 1..]
                        .iter()
                        .position(|&x| x == b'\n')
                        .map_or(b.len(), |p| i + 1 + p);
                    let line = text.get(i + 1..line_end).unwrap_or("").trim().as_bytes();
                    if heredoc_end.last().is_some_and(|end| end.as_slice() == line) {
                        heredoc_end.pop();
                        stack.pop();
                        i = line_end;
                        prev = b'"';
                        continue;
                    }
                }
                _ => {}
            }
            i += 1;
            continue;
        }
        match c {
            b'#' => {
                i = b[i..]
                    .iter()
                    .position(|&x| x == b'\n')
                    .map_or(b.len(), |p| i + p);
                continue;
            }
            b'/' if b.get(i + 1) == Some(&b'/') => {
                i = b[i..]
                    .iter()
                    .position(|&x| x == b'\n')
                    .map_or(b.len(), |p| i + p);
                continue;
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i = text[i + 2..].find("*/").map_or(b.len(), |p| i + 2 + p + 2);
                continue;
            }
            b'"' => stack.push(Frame::String(false)),
            b'<' if b.get(i + 1) == Some(&b'<') => {
                let mut j = i + 2;
                if b.get(j) == Some(&b'-') {
                    j += 1;
                }
                let start = j;
                while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_') {
                    j += 1;
                }
                if j > start {
                    heredoc_end.push(b[start..j].to_vec());
                    stack.push(Frame::String(true));
                    i = b[j..]
                        .iter()
                        .position(|&x| x == b'\n')
                        .map_or(b.len(), |p| j + p);
                    continue;
                }
            }
            b'{' => {
                let object = matches!(prev, b'=' | b':' | b'(' | b'[' | b',' | b'?' | b'>');
                stack.push(if object {
                    Frame::Object(i, 0)
                } else {
                    Frame::Block
                });
            }
            b'[' | b'(' => stack.push(Frame::Other),
            b'}' | b']' | b')' => match stack.pop() {
                Some(Frame::Object(at, n)) => {
                    cost = cost.saturating_add(n.saturating_mul(n));
                    if n > largest {
                        (largest_at, largest) = (at, n);
                    }
                }
                Some(Frame::Interpolation(heredoc)) => {
                    // Back in the string the interpolation is part of.
                    let _ = heredoc;
                }
                _ => {}
            },
            b'=' | b':' => {
                let compound = matches!(b.get(i + 1), Some(b'=' | b'>'))
                    || (c == b'=' && matches!(prev, b'=' | b'!' | b'<' | b'>'));
                if !compound && let Some(Frame::Object(_, n)) = stack.last_mut() {
                    *n += 1;
                }
            }
            _ => {}
        }
        if !c.is_ascii_whitespace() {
            prev = c;
        }
        i += 1;
    }
    (cost, largest_at, largest)
}

/// Parses one file; a syntax error becomes a diagnostic at its position.
pub(crate) fn parse(source: &SourceFile, diags: &mut Vec<Diagnostic>) -> Option<Body> {
    let (cost, at, items) = parse_cost(&source.text);
    if cost > MAX_PARSE_COST {
        diags.push(
            Diagnostic::error(format!(
                "this file's object literals are too large to read (the largest has about {items} items); vpcep reads objects whose sizes squared sum to at most {MAX_PARSE_COST}"
            ))
            .at(Some(source.location(&(at..at + 1))))
            .help("split large maps into several smaller ones (e.g. with `merge`), or move the data into variables files"),
        );
        return None;
    }
    match hcl::edit::parser::parse_body(&source.text) {
        Ok(body) => Some(body),
        Err(e) => {
            let offset = e.location().offset();
            diags.push(
                Diagnostic::error(format!("invalid HCL syntax: {}", e.message()))
                    .at(Some(source.location(&(offset..offset + 1)))),
            );
            None
        }
    }
}
