//! The spaces between the tokens of one line of code, as `terraform fmt` puts them (hclwrite's
//! rules): around binary and conditional operators, `=`, `=>` and the `:` of `for`; after
//! commas; inside braces (`{ a = 1 }`, but `{}`); none inside brackets, parentheses, calls,
//! around `.`, before `[`, or after `!` and a negating `-`. Strings (their interpolations too),
//! comments and heredoc openers are kept as written: `vpcep fmt` checks that the formatted
//! file means what it meant by comparing the parsed files, which hold templates as written.

/// What a token is, as far as spacing goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Ident,
    Number,
    /// `"` opening a quoted string.
    OQuote,
    /// Literal text inside a quoted string.
    Lit,
    /// `"` closing it.
    CQuote,
    /// `${` inside a string.
    Interp,
    /// The `}` that ends an interpolation.
    SeqEnd,
    OBrace,
    CBrace,
    /// `(` or `[`.
    Open,
    /// `)` or `]`.
    Close,
    OBrack,
    Dot,
    Comma,
    Ellipsis,
    Minus,
    Bang,
    /// An operator after which a `-` negates (`+ * / % == != < > <= >= && || = : ? =>`).
    Operator,
    /// Kept as written, to the end of the line (a comment, a heredoc opener, an unterminated
    /// string, a template directive).
    Verbatim,
    /// A whole quoted string, kept as written.
    Str,
}

#[derive(Debug)]
struct Token<'a> {
    kind: Kind,
    text: &'a str,
}

/// `code` (one line, outside any string it did not open) with hclwrite's spacing.
pub(super) fn respace(code: &str) -> String {
    let tokens = whole_strings(code, tokenize(code));
    let mut out = String::with_capacity(code.len() + 8);
    for (i, t) in tokens.iter().enumerate() {
        out.push_str(t.text);
        if let Some(after) = tokens.get(i + 1) {
            let before = i.checked_sub(1).map(|b| &tokens[b]);
            if space_after(before, t, after) {
                out.push(' ');
            }
        }
    }
    out
}

/// Whether a space goes between `subject` and `after` (`before` precedes `subject`). The arms
/// are hclwrite's cases in hclwrite's order: the first that matches decides, so arms with the
/// same answer stay apart.
#[allow(clippy::match_same_arms)]
fn space_after(before: Option<&Token<'_>>, subject: &Token<'_>, after: &Token<'_>) -> bool {
    use Kind::{
        Bang, CBrace, CQuote, Close, Comma, Dot, Ellipsis, Ident, Interp, Lit, Minus, Number,
        OBrace, OBrack, OQuote, Open, Operator, SeqEnd, Str, Verbatim,
    };
    let opens = |k: Kind| matches!(k, OBrace | Open | OBrack | Interp);
    let closes = |k: Kind| matches!(k, CBrace | Close | SeqEnd);
    match (subject.kind, after.kind) {
        (_, Verbatim) => !matches!(subject.kind, OQuote | Lit | Interp),
        (Ident, Open) if after.text == "(" => false,
        (Dot, _) | (_, Dot) => false,
        (_, Comma | Ellipsis) => false,
        (Comma, _) => true,
        (Lit | OQuote, _) | (_, Lit | CQuote) => false,
        (Ident, _) if subject.text == "in" && before.is_some_and(|b| b.kind == Ident) => true,
        (s, OBrack) if s == Ident || s == Number || s == Str || closes(s) => false,
        (Bang, _) => false,
        (Minus, _) => before
            .is_some_and(|b| !(opens(b.kind) || matches!(b.kind, Comma | Operator | Minus | Bang))),
        (OBrace, CBrace) => false,
        (OBrace, _) | (_, CBrace) => true,
        (Interp, OBrace) | (CBrace, SeqEnd) => true,
        (SeqEnd, Interp) => false,
        (s, _) if opens(s) => false,
        (_, a) if closes(a) => false,
        _ => true,
    }
}

/// Each quoted string's tokens (from its `"` to the one that closes it, or to the end of the
/// line) as one token of its text.
fn whole_strings<'a>(code: &'a str, tokens: Vec<Token<'a>>) -> Vec<Token<'a>> {
    let offset = |t: &Token<'_>| t.text.as_ptr() as usize - code.as_ptr() as usize;
    let mut out = Vec::with_capacity(tokens.len());
    let mut open: Option<(usize, u32)> = None;
    for t in tokens {
        match (&mut open, t.kind) {
            (None, Kind::OQuote) => open = Some((offset(&t), 1)),
            (None, _) => out.push(t),
            (Some((_, depth)), Kind::OQuote) => *depth += 1,
            (Some((start, depth)), Kind::CQuote) => {
                *depth -= 1;
                if *depth == 0 {
                    let end = offset(&t) + t.text.len();
                    out.push(Token {
                        kind: Kind::Str,
                        text: &code[*start..end],
                    });
                    open = None;
                }
            }
            (Some(_), _) => {}
        }
    }
    if let Some((start, _)) = open {
        out.push(Token {
            kind: Kind::Str,
            text: &code[start..],
        });
    }
    out
}

fn push<'a>(tokens: &mut Vec<Token<'a>>, kind: Kind, text: &'a str) {
    tokens.push(Token { kind, text });
}

/// The tokens of `code`; spaces between them are dropped.
fn tokenize(code: &str) -> Vec<Token<'_>> {
    let mut tokens = Vec::new();
    // Inside a quoted string: how many interpolations are open, with their own braces.
    let mut strings: Vec<Vec<u32>> = Vec::new();
    let bytes = code.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let rest = &code[i..];
        // Literal text of a string, up to `"`, `${` or the end.
        if let Some(interps) = strings.last()
            && interps.is_empty()
        {
            let mut j = i;
            let mut closed = false;
            while j < bytes.len() {
                match bytes[j] {
                    b'\\' => j += 2,
                    b'$' | b'%' if code[j + 1..].starts_with(char::from(bytes[j])) => j += 2,
                    b'%' if code[j + 1..].starts_with('{') => {
                        // A directive: kept as written with the rest of the line.
                        push(&mut tokens, Kind::Verbatim, &code[i..]);
                        return tokens;
                    }
                    b'$' if code[j + 1..].starts_with('{') => break,
                    b'"' => {
                        closed = true;
                        break;
                    }
                    _ => j += 1,
                }
            }
            let j = j.min(bytes.len());
            if j > i {
                push(&mut tokens, Kind::Lit, &code[i..j]);
            }
            if j >= bytes.len() {
                return tokens;
            }
            if closed {
                push(&mut tokens, Kind::CQuote, &code[j..=j]);
                strings.pop();
                i = j + 1;
            } else {
                let len = if code[j + 2..].starts_with('~') { 3 } else { 2 };
                push(&mut tokens, Kind::Interp, &code[j..j + len]);
                if let Some(interps) = strings.last_mut() {
                    interps.push(0);
                }
                i = j + len;
            }
            continue;
        }
        let c = bytes[i];
        let (kind, len) = match c {
            b' ' | b'\t' => {
                i += 1;
                continue;
            }
            b'#' => (Kind::Verbatim, rest.len()),
            b'/' if rest.starts_with("//") || rest.starts_with("/*") => {
                (Kind::Verbatim, rest.len())
            }
            b'<' if rest.starts_with("<<") => (Kind::Verbatim, rest.len()),
            b'"' => {
                strings.push(Vec::new());
                (Kind::OQuote, 1)
            }
            b'{' => {
                if let Some(open) = strings.last_mut().and_then(|s| s.last_mut()) {
                    *open += 1;
                }
                (Kind::OBrace, 1)
            }
            b'}' => match strings.last_mut() {
                Some(interps) if interps.last() == Some(&0) => {
                    interps.pop();
                    (Kind::SeqEnd, 1)
                }
                Some(interps) => {
                    if let Some(open) = interps.last_mut() {
                        *open -= 1;
                    }
                    (Kind::CBrace, 1)
                }
                None => (Kind::CBrace, 1),
            },
            b'~' if rest.starts_with("~}") => {
                // `~}` ends an interpolation that strips spaces.
                if let Some(interps) = strings.last_mut() {
                    interps.pop();
                }
                (Kind::SeqEnd, 2)
            }
            b'(' => (Kind::Open, 1),
            b'[' => (Kind::OBrack, 1),
            b')' | b']' => (Kind::Close, 1),
            b'.' if rest.starts_with("...") => (Kind::Ellipsis, 3),
            b'.' => (Kind::Dot, 1),
            b',' => (Kind::Comma, 1),
            b'-' => (Kind::Minus, 1),
            b'!' if !rest.starts_with("!=") => (Kind::Bang, 1),
            b'0'..=b'9' => (Kind::Number, number_len(rest)),
            _ if c.is_ascii_alphabetic() || c == b'_' || c >= 0x80 => {
                (Kind::Ident, ident_len(rest))
            }
            _ => {
                let two = ["==", "!=", "<=", ">=", "&&", "||", "=>", "::"];
                let len = if two.iter().any(|op| rest.starts_with(op)) {
                    2
                } else {
                    rest.chars().next().map_or(1, char::len_utf8)
                };
                (Kind::Operator, len)
            }
        };
        let end = (i + len).min(bytes.len());
        push(&mut tokens, kind, &code[i..end]);
        i = end;
    }
    tokens
}

fn number_len(s: &str) -> usize {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    if i + 1 < b.len() && b[i] == b'.' && b[i + 1].is_ascii_digit() {
        i += 1;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        let mut j = i + 1;
        if j < b.len() && (b[j] == b'+' || b[j] == b'-') {
            j += 1;
        }
        if j < b.len() && b[j].is_ascii_digit() {
            i = j;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
        }
    }
    i.max(1)
}

/// An identifier: letters, digits, `_` and `-` (HCL allows dashes in names).
fn ident_len(s: &str) -> usize {
    s.char_indices()
        .find(|&(i, c)| i > 0 && !(c.is_alphanumeric() || c == '_' || c == '-'))
        .map_or(s.len(), |(i, _)| i)
}
