//! Finds and parses the `*.hcl` files of a configuration directory.

use super::Source;
use super::syntax::Body;
use crate::diag::{Diagnostic, SourceFile};
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
pub fn read_dir(dir: &Path, diags: &mut Vec<Diagnostic>) -> Vec<Source> {
    read_dir_as(dir, dir, diags)
}

/// [`read_dir`], naming the files as inside `shown` (the directory as the user gave it, when
/// the process has changed into it).
pub fn read_dir_as(dir: &Path, shown: &Path, diags: &mut Vec<Diagnostic>) -> Vec<Source> {
    match list(dir, shown, diags) {
        Some(names) => read_named(dir, shown, names, diags),
        None => Vec::new(),
    }
}

/// Whether a file name is a test file's (`*.tftest.hcl`), which `vpcep test` runs.
pub fn is_test_file(name: &str) -> bool {
    name.ends_with(".tftest.hcl")
}

/// The names of the `*.hcl` files of `dir`, sorted; `None`, with an error, when the directory
/// cannot be listed or holds none.
pub(crate) fn list(dir: &Path, shown: &Path, diags: &mut Vec<Diagnostic>) -> Option<Vec<String>> {
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
            return None;
        }
    };
    let files: Vec<String> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file() || t.is_symlink()))
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| !n.starts_with('.'))
        .collect();
    let with = |ext: &str| -> Vec<String> {
        let mut names: Vec<String> = files
            .iter()
            .filter(|n| Path::new(n).extension().is_some_and(|e| e == ext))
            .cloned()
            .collect();
        names.sort();
        names
    };
    // Test files (`vpcep test`) are never configuration.
    let mut names = with("hcl");
    names.retain(|n| !is_test_file(n));
    if names.is_empty() {
        let terraform = with("tf");
        let help = if terraform.is_empty() {
            "run vpcep in the directory of your configuration, or pass it with `-C DIR`".to_owned()
        } else {
            format!(
                "vpcep reads `*.hcl` files, not Terraform's `*.tf` ({}): convert a Terraform configuration and its state with `vpcep migrate DIR`, or rename the files if they are a vpcep configuration",
                terraform.join(", ")
            )
        };
        diags.push(
            Diagnostic::error(format!(
                "no configuration files (*.hcl) in `{}`",
                shown.display()
            ))
            .help(help),
        );
        return None;
    }
    Some(names)
}

/// The most `*.hcl` files one directory may hold.
pub(crate) const MAX_CONFIG_FILES: usize = 2000;

/// Reads the files `names` of `dir`: `(display name, text)` pairs. A file that cannot be read
/// is an error (and left out); a directory past [`crate::fsio::MAX_CONFIG_DIR`] bytes or
/// [`MAX_CONFIG_FILES`] files is an error, and nothing of it is read.
pub(crate) fn read_named(
    dir: &Path,
    shown: &Path,
    names: Vec<String>,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Source> {
    // The directory in all, by the sizes the files say before any is read: many files each
    // under the per-file cap must not add up to more memory than the machine has.
    let total: u64 = names
        .iter()
        .filter_map(|n| std::fs::metadata(dir.join(n)).ok())
        .map(|m| m.len())
        .sum();
    if total > crate::fsio::MAX_CONFIG_DIR || names.len() > MAX_CONFIG_FILES {
        diags.push(
            Diagnostic::error(format!(
                "the configuration in `{}` is {} files of {} MiB in all; vpcep reads at most {MAX_CONFIG_FILES} files of {} MiB in all from one directory",
                shown.display(),
                names.len(),
                total >> 20,
                crate::fsio::MAX_CONFIG_DIR >> 20
            ))
            .help("split it into modules in directories of their own, or remove the files vpcep should not read"),
        );
        return Vec::new();
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
        files.push((display, text.into()));
    }
    files
}

/// Parses configuration sources; files with syntax errors produce diagnostics and are left out.
pub(crate) fn parse_all(sources: &[Source], diags: &mut Vec<Diagnostic>) -> Vec<ParsedFile> {
    let mut files = Vec::with_capacity(sources.len());
    for (index, (display, text)) in sources.iter().enumerate() {
        let source = SourceFile::new(display.clone(), text.clone(), index);
        if !within_cost(&source, diags) {
            continue;
        }
        if let Some(pieces) = parse_in_pieces(&source) {
            if pieces
                .iter()
                .all(|piece| within_depth(&piece.source, &piece.body, diags))
            {
                files.extend(pieces);
            }
            continue;
        }
        if let Some(body) = parse_whole(&source, diags)
            && within_depth(&source, &body, diags)
        {
            files.push(ParsedFile { source, body });
        }
    }
    files
}

/// Files at least this large are parsed in pieces, on every core.
const PIECEWISE_FROM: usize = 256 * 1024;

/// About how large a piece is: small enough that the hcl-edit trees of the pieces being
/// parsed at once are a small part of the parsed configuration.
const PIECE_SIZE: usize = 128 * 1024;

/// Parses a large file (its cost checked) as pieces on several threads, cut between top-level
/// blocks; `None` when the file is small, there is one core, or any piece does not parse (the
/// caller then parses the whole file, which reports errors exactly where they are).
///
/// A cut is made only at a line start that follows a line holding just `}` and begins with
/// a letter, a comment or a blank line, i.e. where a block most likely ends. A cut anywhere else
/// (inside a heredoc, a comment, a block, an expression) leaves the piece before it
/// unterminated, so that piece fails to parse and the file is parsed whole: a wrong cut costs
/// time, never meaning.
fn parse_in_pieces(source: &SourceFile) -> Option<Vec<ParsedFile>> {
    let text = source.text();
    let threads = super::cores();
    if text.len() < PIECEWISE_FROM || threads < 2 {
        return None;
    }
    let cuts = cut_points(text, text.len().div_ceil(PIECE_SIZE).max(threads));
    if cuts.is_empty() {
        return None;
    }
    let bounds: Vec<usize> = std::iter::once(0)
        .chain(cuts)
        .chain(std::iter::once(text.len()))
        .collect();
    let pieces: Vec<SourceFile> = bounds
        .windows(2)
        .map(|w| source.piece(w[0]..w[1]))
        .collect();
    // Each thread takes the next unparsed piece until none is left; a piece's hcl-edit tree
    // becomes vpcep's own (see [`super::syntax`]) as soon as it is parsed, so only one piece's
    // hcl-edit tree per thread is alive at a time.
    let next = std::sync::atomic::AtomicUsize::new(0);
    let parsed: Vec<Vec<(usize, Option<Body>)>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(piece) = pieces.get(i) else {
                            break done;
                        };
                        let body = hcl::edit::parser::parse_body(piece.text()).ok();
                        let failed = body.is_none();
                        done.push((i, body.map(Body::from_hcl)));
                        if failed {
                            // The whole file is parsed again; the rest need not be.
                            next.store(pieces.len(), std::sync::atomic::Ordering::Relaxed);
                        }
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_default())
            .collect()
    });
    let mut bodies: Vec<Option<Body>> =
        std::iter::repeat_with(|| None).take(pieces.len()).collect();
    for (i, body) in parsed.into_iter().flatten() {
        bodies[i] = body;
    }
    pieces
        .into_iter()
        .zip(bodies)
        .map(|(source, body)| {
            Some(ParsedFile {
                source,
                body: body?,
            })
        })
        .collect()
}

/// Up to `pieces - 1` offsets that cut `text` into about equal parts between top-level
/// blocks (see [`parse_in_pieces`]); increasing, none at 0 or at the end.
fn cut_points(text: &str, pieces: usize) -> Vec<usize> {
    let bytes = text.as_bytes();
    let mut cuts = Vec::new();
    let mut from = 0;
    for i in 1..pieces {
        let target = (text.len() * i / pieces).max(from);
        let Some(found) = text[target..]
            .match_indices("\n}\n")
            .map(|(at, m)| target + at + m.len())
            .find(|&at| {
                bytes
                    .get(at)
                    .is_some_and(|&b| b.is_ascii_alphabetic() || matches!(b, b'\n' | b'\r' | b'#'))
            })
        else {
            break;
        };
        cuts.push(found);
        from = found;
    }
    cuts
}

/// Checks that no expression nests deeper than the budget allows (traversal steps counted):
/// evaluating one would exhaust the stack. A file with one is left out, like a syntax error.
fn within_depth(source: &SourceFile, body: &Body, diags: &mut Vec<Diagnostic>) -> bool {
    use super::syntax::{Expr, Structure};
    let mut ok = true;
    let mut bodies = vec![body];
    while let Some(body) = bodies.pop() {
        for structure in body {
            match structure {
                Structure::Attribute(attr) => {
                    let depth = match &attr.value {
                        Expr::Lit(lit) => lit.depth(),
                        Expr::Hcl(expr) => super::budget::depth(expr),
                    };
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
#[expect(
    clippy::too_many_lines,
    reason = "one byte-level scanner with its states inline, as fast as the parse it guards; splitting it would pass its state around"
)]
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
    if !within_cost(source, diags) {
        return None;
    }
    parse_whole(source, diags)
}

/// Whether parsing `source` costs at most [`MAX_PARSE_COST`]; reports it when not.
pub(super) fn within_cost(source: &SourceFile, diags: &mut Vec<Diagnostic>) -> bool {
    let (cost, at, items) = parse_cost(source.text());
    if cost > MAX_PARSE_COST {
        diags.push(
            Diagnostic::error(format!(
                "this file's object literals are too large to read (the largest has about {items} items); vpcep reads objects whose sizes squared sum to at most {MAX_PARSE_COST}"
            ))
            .at(Some(source.location(&(at..at + 1))))
            .help("split large maps into several smaller ones (e.g. with `merge`), or move the data into variables files"),
        );
        return false;
    }
    true
}

/// A syntax error of `source` as a diagnostic at its place.
pub(super) fn syntax_error(source: &SourceFile, e: &hcl::edit::parser::Error) -> Diagnostic {
    let offset = e.location().offset();
    Diagnostic::error(format!("invalid HCL syntax: {}", e.message()))
        .at(Some(source.location(&(offset..offset + 1))))
}

/// Parses a file whose cost was checked; a syntax error becomes a diagnostic at its position.
fn parse_whole(source: &SourceFile, diags: &mut Vec<Diagnostic>) -> Option<Body> {
    match hcl::edit::parser::parse_body(source.text()) {
        Ok(body) => Some(Body::from_hcl(body)),
        Err(e) => {
            diags.push(syntax_error(source, &e));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fmt::Write as _;

    /// `n` blocks of one attribute each, past the size that is parsed in pieces.
    fn blocks(n: usize) -> String {
        let mut text = String::new();
        for i in 0..n {
            let _ = write!(text, "locals {{\n  l{i} = \"{}\"\n}}\n\n", "x".repeat(40));
        }
        text
    }

    /// The attribute names of `text`'s blocks, as hcl-edit parses the whole file.
    fn names_parsed_whole(text: &str) -> Vec<String> {
        hcl::edit::parser::parse_body(text)
            .expect("valid")
            .blocks()
            .flat_map(|b| b.body.attributes().map(|a| a.key.to_string()))
            .collect()
    }

    fn names(files: &[ParsedFile]) -> Vec<String> {
        files
            .iter()
            .flat_map(|f| f.body.blocks())
            .flat_map(|b| b.body.attributes().map(|a| a.key.to_string()))
            .collect()
    }

    #[test]
    fn pieces_cut_between_blocks() {
        let text = blocks(10_000);
        assert!(text.len() >= PIECEWISE_FROM);
        for cut in cut_points(&text, 4) {
            assert!(text[..cut].ends_with("}\n"), "cut at {cut}");
            assert!(hcl::edit::parser::parse_body(&text[..cut]).is_ok());
        }
    }

    /// A cut inside a heredoc that looks like a block boundary makes the piece before it fail,
    /// and the whole file is parsed instead, with the same meaning.
    #[test]
    fn a_cut_inside_a_heredoc_falls_back_to_the_whole_file() {
        let half = blocks(3_000);
        let mut heredoc = String::from("locals {\n  doc = <<EOT\n");
        for i in 0..8_000 {
            let _ = write!(heredoc, "}}\n\nresource \"x\" \"y{i}\" {{\n");
        }
        heredoc.push_str("EOT\n}\n\n");
        let text = format!("{half}{heredoc}{half}");
        let inside = half.len()..half.len() + heredoc.len();
        assert!(cut_points(&text, 2).iter().any(|c| inside.contains(c)));
        let mut diags = Vec::new();
        let files = parse_all(&[("main.hcl".into(), text.clone().into())], &mut diags);
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(names(&files), names_parsed_whole(&text));
    }

    /// More pieces than threads come back in the file's order, every structure kept (the
    /// converted trees hold what the parser read).
    #[test]
    fn many_pieces_keep_the_files_order() {
        let text = blocks(20_000);
        assert!(text.len() > 4 * PIECE_SIZE);
        let mut diags = Vec::new();
        let files = parse_all(&[("main.hcl".into(), text.clone().into())], &mut diags);
        assert!(diags.is_empty(), "{diags:?}");
        if std::thread::available_parallelism().is_ok_and(|n| n.get() > 1) {
            assert!(files.len() > 4, "{} pieces", files.len());
        }
        assert_eq!(names(&files), names_parsed_whole(&text));
    }

    /// Positions in later pieces are the file's own lines and offsets.
    #[test]
    fn locations_in_pieces_are_the_files() {
        let text = blocks(10_000);
        let mut diags = Vec::new();
        let files = parse_all(&[("main.hcl".into(), text.clone().into())], &mut diags);
        assert!(
            files.len() > 1 || std::thread::available_parallelism().is_ok_and(|n| n.get() == 1)
        );
        let last = files.last().expect("parsed");
        let attr = last
            .body
            .blocks()
            .last()
            .and_then(|b| b.body.attributes().next())
            .expect("an attribute");
        let loc = last.source.span(attr.key.span()).expect("a span");
        assert_eq!(loc.line, 4 * 10_000 - 2);
        assert_eq!(loc.source_line, format!("  l9999 = \"{}\"", "x".repeat(40)));
        assert_eq!(&text[loc.offset..loc.offset + 5], "l9999");
    }
}
