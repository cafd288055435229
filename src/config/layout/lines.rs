//! Reads HCL text line by line as the formatter needs it: each line's code with its spaces
//! collapsed, its bracket balance, its attribute `=` and its trailing comment, and which lines
//! lie inside a heredoc, a block comment or a string and so are kept byte for byte.

/// One line of the input, classified.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Line<'a> {
    /// Only spaces (outside any heredoc, comment or string).
    Blank,
    /// Inside a heredoc, a block comment or a string that spans lines: kept exactly.
    Verbatim(&'a str),
    /// Code, possibly with a comment.
    Code(Code),
}

/// A line of code, without its indentation and trailing spaces, spaces between tokens
/// collapsed to one (strings and comments untouched).
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct Code {
    pub text: String,
    /// The change in bracket nesting (`{`, `[`, `(` against their closers) outside strings,
    /// up to a heredoc opener.
    pub net: i32,
    /// Where the `=` of an attribute is, when its value ends on this line (so that runs of such
    /// lines are aligned at their `=`).
    pub assign: Option<usize>,
    /// Where a line comment that follows code starts.
    pub comment: Option<usize>,
}

/// Where the scanner is inside a string with interpolations: a quoted string, or the code
/// of a `${ … }` / `%{ … }` sequence with the braces opened within it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Nest {
    Quoted,
    Interpolation { braces: u32 },
}

/// What carries from one line to the next.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct Carry {
    nest: Vec<Nest>,
    block_comment: bool,
    /// The marker that ends the heredoc whose body is being read.
    heredoc: Option<String>,
}

/// The lines of `text` (split at `\n`, a trailing `\r` dropped), classified.
pub(super) fn scan(text: &str) -> Vec<Line<'_>> {
    let mut carry = Carry::default();
    let mut lines = Vec::new();
    for raw in text.split('\n') {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        if let Some(marker) = &carry.heredoc {
            if raw.trim() == marker {
                carry.heredoc = None;
            }
            lines.push(Line::Verbatim(raw));
            continue;
        }
        if carry.block_comment || !carry.nest.is_empty() {
            let mut sink = Code::default();
            scan_code(raw, &mut carry, &mut sink);
            lines.push(Line::Verbatim(raw));
            continue;
        }
        if raw.trim().is_empty() {
            lines.push(Line::Blank);
            continue;
        }
        let mut code = Code::default();
        let before = carry.clone();
        scan_code(raw.trim_start(), &mut carry, &mut code);
        // The tokens spaced as Terraform spaces them; the line is scanned again so that its
        // `=` and comment are found where they now are. A line holding a block comment, or
        // only a comment, is kept as scanned.
        let starts_comment = code.text.starts_with('#') || code.text.starts_with("//");
        if !starts_comment && !code.text.contains("/*") {
            let (codes, comment) = match code.comment {
                Some(at) => code.text.split_at(at),
                None => (code.text.as_str(), ""),
            };
            // A line that ends inside a string keeps its trailing spaces: they are the string's.
            let codes = if carry.nest.is_empty() {
                codes.trim_end()
            } else {
                codes
            };
            let mut respaced = super::tokens::respace(codes);
            if !comment.is_empty() {
                respaced.push(' ');
                respaced.push_str(comment);
            }
            let mut again = before;
            let mut recode = Code::default();
            scan_code(&respaced, &mut again, &mut recode);
            if again == carry {
                code = recode;
            }
        }
        // Trailing spaces go, unless the line ends inside a string that goes on: there they
        // are the string's.
        if carry.nest.is_empty() {
            let trimmed = code.text.trim_end().len();
            code.text.truncate(trimmed);
        }
        lines.push(Line::Code(code));
    }
    lines
}

/// Scans one line starting in `carry`'s state, writing the collapsed code to `out` and
/// leaving in `carry` what the next line starts in.
fn scan_code(line: &str, carry: &mut Carry, out: &mut Code) {
    let bytes = line.as_bytes();
    let mut net_at_assign = 0;
    let mut heredoc_opened = false;
    let mut i = 0;
    while i < bytes.len() {
        let rest = &line[i..];
        let c = bytes[i];
        if carry.block_comment {
            if let Some(end) = rest.find("*/") {
                out.text.push_str(&rest[..end + 2]);
                carry.block_comment = false;
                i += end + 2;
            } else {
                out.text.push_str(rest);
                i = bytes.len();
            }
            continue;
        }
        match carry.nest.last_mut() {
            Some(Nest::Quoted) => {
                let step = match c {
                    b'\\' => 2,
                    b'$' | b'%'
                        if rest[1..].starts_with(char::from(c)) && rest[2..].starts_with('{') =>
                    {
                        3
                    }
                    b'$' | b'%' if rest[1..].starts_with('{') => {
                        carry.nest.push(Nest::Interpolation { braces: 0 });
                        2
                    }
                    b'"' => {
                        carry.nest.pop();
                        1
                    }
                    _ => 1,
                };
                let end = next_boundary(line, i + step);
                out.text.push_str(&line[i..end]);
                i = end;
                continue;
            }
            Some(Nest::Interpolation { braces }) => {
                match c {
                    b'{' => *braces += 1,
                    b'}' if *braces == 0 => {
                        carry.nest.pop();
                    }
                    b'}' => *braces -= 1,
                    b'"' => carry.nest.push(Nest::Quoted),
                    _ => {}
                }
                let end = next_boundary(line, i + 1);
                out.text.push_str(&line[i..end]);
                i = end;
                continue;
            }
            None => {}
        }
        // Code outside any string.
        match c {
            b' ' | b'\t' => {
                if !out.text.ends_with(' ') && !out.text.is_empty() {
                    out.text.push(' ');
                }
                i += 1;
            }
            b'#' => {
                line_comment(rest, out);
                i = bytes.len();
            }
            b'/' if rest.starts_with("//") => {
                line_comment(rest, out);
                i = bytes.len();
            }
            b'/' if rest.starts_with("/*") => {
                out.text.push_str("/*");
                carry.block_comment = true;
                i += 2;
            }
            b'"' => {
                carry.nest.push(Nest::Quoted);
                out.text.push('"');
                i += 1;
            }
            b'<' if !heredoc_opened && heredoc_marker(rest).is_some() => {
                carry.heredoc = heredoc_marker(rest).map(str::to_owned);
                heredoc_opened = true;
                out.text.push_str(rest.trim_end());
                i = bytes.len();
            }
            b'{' | b'[' | b'(' => {
                out.net += 1;
                out.text.push(char::from(c));
                i += 1;
            }
            b'}' | b']' | b')' => {
                out.net -= 1;
                out.text.push(char::from(c));
                i += 1;
            }
            b'=' => {
                let before = out.text.trim_end();
                let joined =
                    before.ends_with(['=', '!', '<', '>']) || rest[1..].starts_with(['=', '>']);
                if !joined && out.assign.is_none() && !before.is_empty() {
                    out.assign = Some(out.text.len());
                    net_at_assign = out.net;
                }
                out.text.push('=');
                i += 1;
            }
            _ => {
                let end = next_boundary(line, i + 1);
                out.text.push_str(&line[i..end]);
                i = end;
            }
        }
    }
    // An `=` opens an attribute whose value is all on this line only if what follows it is
    // balanced; otherwise the value goes on (`tags = {`), and the line is not aligned.
    if out.assign.is_some() && out.net != net_at_assign {
        out.assign = None;
    }
}

/// Appends a line comment; it is a trailing comment when code precedes it.
fn line_comment(rest: &str, out: &mut Code) {
    if !out.text.is_empty() {
        if !out.text.ends_with(' ') {
            out.text.push(' ');
        }
        out.comment = Some(out.text.len());
    }
    out.text.push_str(rest.trim_end());
}

/// The marker of a heredoc opened at the start of `rest` (`<<EOT` or `<<-EOT`, nothing after
/// the marker but spaces).
fn heredoc_marker(rest: &str) -> Option<&str> {
    let after = rest.strip_prefix("<<")?;
    let marker = after.strip_prefix('-').unwrap_or(after).trim_end();
    let mut chars = marker.chars();
    let first = chars.next()?;
    let is_marker = (first.is_alphabetic() || first == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_' || c == '-');
    is_marker.then_some(marker)
}

/// The first character boundary of `line` at or after `at` (at most its length).
fn next_boundary(line: &str, at: usize) -> usize {
    let mut at = at.min(line.len());
    while !line.is_char_boundary(at) {
        at += 1;
    }
    at
}
