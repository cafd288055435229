//! String functions: `format` (with widths, padding and precision), `formatlist`, `substr`,
//! `regex`, `regexall`.

// hcl-rs calls functions through `fn(FuncArgs) -> ...` pointers: arguments come by value.
#![allow(clippy::needless_pass_by_value)]

use super::{number, to_plain_string, type_name, want_f64, want_str};
use hcl::Value;
use hcl::eval::FuncArgs;

/// One `%...` verb: flags, width and precision as `fmt` takes them.
struct Verb {
    left: bool,
    zero: bool,
    plus: bool,
    width: usize,
    precision: Option<usize>,
    kind: char,
}

/// Reads the verb after a `%` (the `%` already taken).
fn verb(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> Result<Verb, String> {
    let mut v = Verb {
        left: false,
        zero: false,
        plus: false,
        width: 0,
        precision: None,
        kind: ' ',
    };
    while let Some(&c) = chars.peek() {
        match c {
            '-' => v.left = true,
            '0' => v.zero = true,
            '+' => v.plus = true,
            _ => break,
        }
        chars.next();
    }
    let digits = |chars: &mut std::iter::Peekable<std::str::Chars<'_>>| {
        let mut n: usize = 0;
        while let Some(d) = chars.peek().and_then(|c| c.to_digit(10)) {
            n = n.saturating_mul(10).saturating_add(d as usize);
            chars.next();
        }
        n
    };
    v.width = digits(chars);
    if chars.peek() == Some(&'.') {
        chars.next();
        v.precision = Some(digits(chars));
    }
    // Widths past this are surely a mistake, and would build huge strings.
    if v.width > 1024 || v.precision.is_some_and(|p| p > 64) {
        return Err("a width is at most 1024 and a precision at most 64".into());
    }
    v.kind = chars.next().ok_or("the format ends inside a `%` verb")?;
    Ok(v)
}

fn pad(v: &Verb, body: String) -> String {
    let len = body.chars().count();
    if len >= v.width {
        return body;
    }
    let fill = v.width - len;
    if v.left {
        format!("{body}{}", " ".repeat(fill))
    } else if v.zero && v.kind != 's' && v.kind != 'q' && v.kind != 'v' {
        // Zeros go after the sign.
        match body.strip_prefix(['-', '+']) {
            Some(rest) => format!("{}{}{rest}", &body[..1], "0".repeat(fill)),
            None => format!("{}{body}", "0".repeat(fill)),
        }
    } else {
        format!("{}{body}", " ".repeat(fill))
    }
}

/// Formats `spec` with `args`: `%s %v %d %f %q %t %%`, with flags `-` (left), `0` (zeros),
/// `+` (sign), a width and a precision (`%-10s`, `%03d`, `%.2f`, `%8.3f`).
pub(super) fn format_with(spec: &str, args: &[&Value]) -> Result<String, String> {
    let mut rest = args.iter();
    let mut out = String::new();
    let mut chars = spec.chars().peekable();
    while let Some(c) = chars.next() {
        if out.len() as u64 > super::super::budget::MAX_VALUE {
            super::super::budget::volume(out.len() as u64)?;
        }
        if c != '%' {
            out.push(c);
            continue;
        }
        if chars.peek() == Some(&'%') {
            chars.next();
            out.push('%');
            continue;
        }
        let v = verb(&mut chars)?;
        let arg = rest
            .next()
            .ok_or_else(|| format!("not enough arguments for `%{}`", v.kind))?;
        let body = match v.kind {
            's' | 'v' => {
                let s = to_plain_string(arg)?;
                match v.precision {
                    Some(p) => s.chars().take(p).collect(),
                    None => s,
                }
            }
            'd' => {
                let f = want_f64(arg, "a `%d` argument")?;
                if f.fract() != 0.0 {
                    return Err(format!("`%d` needs a whole number, got {f}"));
                }
                let n = number(f).to_string();
                if v.plus && f >= 0.0 {
                    format!("+{n}")
                } else {
                    n
                }
            }
            'f' => {
                let f = want_f64(arg, "a `%f` argument")?;
                let n = format!("{f:.*}", v.precision.unwrap_or(6));
                if v.plus && f >= 0.0 {
                    format!("+{n}")
                } else {
                    n
                }
            }
            't' => match arg {
                Value::Bool(b) => b.to_string(),
                other => return Err(format!("`%t` needs a bool, got {}", type_name(other))),
            },
            'q' => serde_json::Value::String(to_plain_string(arg)?).to_string(),
            other => {
                return Err(format!(
                    "unsupported format verb `%{other}`; use %s, %d, %f, %t, %v or %q"
                ));
            }
        };
        out.push_str(&pad(&v, body));
    }
    if rest.next().is_some() {
        return Err("too many arguments for the format".into());
    }
    Ok(out)
}

pub(super) fn format(args: FuncArgs) -> Result<Value, String> {
    let spec = want_str(&args[0], "the format")?;
    let rest: Vec<&Value> = args.iter().skip(1).collect();
    format_with(spec, &rest).map(Value::from)
}

/// `formatlist(spec, ...)`: `format` per element; list arguments must have one length, and
/// other arguments are used for every element.
pub(super) fn formatlist(args: FuncArgs) -> Result<Value, String> {
    let spec = want_str(&args[0], "the format")?;
    let rest: Vec<&Value> = args.iter().skip(1).collect();
    let mut len: Option<usize> = None;
    for (i, a) in rest.iter().enumerate() {
        if let Value::Array(items) = a {
            match len {
                Some(n) if n != items.len() => {
                    return Err(format!(
                        "argument {} has {} elements, but an earlier list has {n}; the lists must have one length",
                        i + 2,
                        items.len()
                    ));
                }
                _ => len = Some(items.len()),
            }
        }
    }
    let n = len.unwrap_or(1);
    let mut out = Vec::with_capacity(n);
    let mut total: u64 = 0;
    for i in 0..n {
        let these: Vec<&Value> = rest
            .iter()
            .map(|a| match a {
                Value::Array(items) => &items[i],
                other => *other,
            })
            .collect();
        let s = format_with(spec, &these)?;
        total = total.saturating_add(s.len() as u64);
        super::super::budget::volume(total)?;
        out.push(Value::String(s));
    }
    Ok(Value::Array(out))
}

/// `substr(text, offset, length)`: characters, not bytes; a negative offset counts from the
/// end, a length of -1 takes the rest.
pub(super) fn substr(args: FuncArgs) -> Result<Value, String> {
    let text = want_str(&args[0], "the text")?;
    let whole = |v: &Value, what: &str| -> Result<i64, String> {
        let f = want_f64(v, what)?;
        if f.fract() != 0.0 {
            return Err(format!("{what} must be a whole number, got {f}"));
        }
        #[allow(clippy::cast_possible_truncation)]
        Ok(f as i64)
    };
    let offset = whole(&args[1], "the offset")?;
    let length = whole(&args[2], "the length")?;
    let chars: Vec<char> = text.chars().collect();
    let n = i64::try_from(chars.len()).unwrap_or(i64::MAX);
    let start = if offset < 0 { n + offset } else { offset };
    if start < 0 || start > n {
        return Err(format!(
            "the offset {offset} is outside the text ({n} characters)"
        ));
    }
    if length < -1 {
        return Err(format!(
            "the length must be -1 (the rest) or more, got {length}"
        ));
    }
    let end = if length == -1 {
        n
    } else {
        (start + length).min(n)
    };
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    Ok(Value::String(
        chars[start as usize..end as usize].iter().collect(),
    ))
}

fn compile(pattern: &str) -> Result<regex::Regex, String> {
    regex::RegexBuilder::new(pattern)
        .size_limit(1 << 20)
        .build()
        .map_err(|e| format!("invalid regular expression: {e}"))
}

/// What one match yields: the matched text without capture groups, a list of the groups, or
/// a map of named groups.
fn captures_value(re: &regex::Regex, caps: &regex::Captures<'_>) -> Value {
    let text = |m: Option<regex::Match<'_>>| {
        m.map_or(Value::Null, |m| Value::String(m.as_str().to_owned()))
    };
    if re.captures_len() == 1 {
        return text(caps.get(0));
    }
    let names: Vec<Option<&str>> = re.capture_names().skip(1).collect();
    if names.iter().all(Option::is_some) {
        let mut map = hcl::Map::new();
        for name in names.into_iter().flatten() {
            map.insert(name.to_owned(), text(caps.name(name)));
        }
        Value::Object(map)
    } else {
        Value::Array((1..re.captures_len()).map(|i| text(caps.get(i))).collect())
    }
}

/// `regex(pattern, text)`: the first match; an error when there is none.
pub(super) fn regex(args: FuncArgs) -> Result<Value, String> {
    let re = compile(want_str(&args[0], "the pattern")?)?;
    let text = want_str(&args[1], "the text")?;
    let caps = re
        .captures(text)
        .ok_or_else(|| "the pattern does not match the text".to_owned())?;
    Ok(captures_value(&re, &caps))
}

/// `regexall(pattern, text)`: every match, as a list (empty when none).
pub(super) fn regexall(args: FuncArgs) -> Result<Value, String> {
    let re = compile(want_str(&args[0], "the pattern")?)?;
    let text = want_str(&args[1], "the text")?;
    Ok(Value::Array(
        re.captures_iter(text)
            .map(|c| captures_value(&re, &c))
            .collect(),
    ))
}
