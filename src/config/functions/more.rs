//! Terraform's functions that configurations reach for beyond the first set: numbers (`abs
//! ceil floor signum pow log parseint sum`), strings (`trimprefix trimsuffix trim chomp title
//! strrev indent strcontains`), collections (`compact coalescelist chunklist setproduct
//! transpose matchkeys`), conversion and encoding (`tobool base64decode urlencode
//! base64sha256 sha512 base64sha512 yamlencode yamldecode`) and time (`timestamp plantimestamp
//! timeadd`).

// hcl-rs calls functions through `fn(FuncArgs) -> ...` pointers: arguments come by value.
#![allow(clippy::needless_pass_by_value)]

use super::{number, type_name, want_f64, want_list, want_map, want_str};
use hcl::Value;
use hcl::eval::FuncArgs;
use std::fmt::Write as _;

/// Most elements a function here may build (`setproduct`, `chunklist`).
const MAX_ELEMENTS: usize = 100_000;

pub(super) fn abs(args: FuncArgs) -> Result<Value, String> {
    Ok(number(want_f64(&args[0], "abs's argument")?.abs()))
}

pub(super) fn ceil(args: FuncArgs) -> Result<Value, String> {
    Ok(number(want_f64(&args[0], "ceil's argument")?.ceil()))
}

pub(super) fn floor(args: FuncArgs) -> Result<Value, String> {
    Ok(number(want_f64(&args[0], "floor's argument")?.floor()))
}

pub(super) fn signum(args: FuncArgs) -> Result<Value, String> {
    let n = want_f64(&args[0], "signum's argument")?;
    Ok(number(if n == 0.0 { 0.0 } else { n.signum() }))
}

pub(super) fn pow(args: FuncArgs) -> Result<Value, String> {
    let (base, exp) = (
        want_f64(&args[0], "pow's base")?,
        want_f64(&args[1], "pow's exponent")?,
    );
    let r = base.powf(exp);
    if r.is_finite() {
        Ok(number(r))
    } else {
        Err(format!("pow({base}, {exp}) is too large"))
    }
}

pub(super) fn log(args: FuncArgs) -> Result<Value, String> {
    let (n, base) = (
        want_f64(&args[0], "log's number")?,
        want_f64(&args[1], "log's base")?,
    );
    let r = n.log(base);
    if r.is_finite() {
        Ok(number(r))
    } else {
        Err(format!("log({n}, {base}) is not a finite number"))
    }
}

pub(super) fn parseint(args: FuncArgs) -> Result<Value, String> {
    let text = want_str(&args[0], "parseint's number")?;
    let base = want_f64(&args[1], "parseint's base")?;
    if !(2.0..=62.0).contains(&base) || base.fract() != 0.0 {
        return Err(format!(
            "parseint's base must be a whole number from 2 to 62, got {base}"
        ));
    }
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let radix = base as u32;
    if radix > 36 {
        return Err("parseint reads bases up to 36".to_owned());
    }
    i64::from_str_radix(text, radix)
        .map(Value::from)
        .map_err(|_| format!("\"{text}\" is not a number in base {radix}"))
}

pub(super) fn sum(args: FuncArgs) -> Result<Value, String> {
    let items = want_list(&args[0], "sum's argument")?;
    if items.is_empty() {
        return Err("sum needs at least one number".to_owned());
    }
    let mut total = 0.0;
    for (i, v) in items.iter().enumerate() {
        total += want_f64(v, &format!("element {i} of sum's list"))?;
    }
    Ok(number(total))
}

pub(super) fn trimprefix(args: FuncArgs) -> Result<Value, String> {
    let s = want_str(&args[0], "trimprefix's string")?;
    let p = want_str(&args[1], "trimprefix's prefix")?;
    Ok(Value::from(s.strip_prefix(p).unwrap_or(s)))
}

pub(super) fn trimsuffix(args: FuncArgs) -> Result<Value, String> {
    let s = want_str(&args[0], "trimsuffix's string")?;
    let p = want_str(&args[1], "trimsuffix's suffix")?;
    Ok(Value::from(s.strip_suffix(p).unwrap_or(s)))
}

pub(super) fn trim(args: FuncArgs) -> Result<Value, String> {
    let s = want_str(&args[0], "trim's string")?;
    let cut = want_str(&args[1], "trim's characters")?;
    Ok(Value::from(s.trim_matches(|c| cut.contains(c))))
}

pub(super) fn chomp(args: FuncArgs) -> Result<Value, String> {
    let s = want_str(&args[0], "chomp's argument")?;
    Ok(Value::from(s.trim_end_matches(['\n', '\r'])))
}

pub(super) fn title(args: FuncArgs) -> Result<Value, String> {
    let s = want_str(&args[0], "title's argument")?;
    let mut out = String::with_capacity(s.len());
    let mut start = true;
    for c in s.chars() {
        if start && c.is_alphabetic() {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
        start = !c.is_alphanumeric();
    }
    Ok(Value::from(out))
}

pub(super) fn strrev(args: FuncArgs) -> Result<Value, String> {
    let s = want_str(&args[0], "strrev's argument")?;
    Ok(Value::from(s.chars().rev().collect::<String>()))
}

pub(super) fn indent(args: FuncArgs) -> Result<Value, String> {
    let n = want_f64(&args[0], "indent's number of spaces")?;
    if !(0.0..=1024.0).contains(&n) {
        return Err(format!("indent takes 0 to 1024 spaces, got {n}"));
    }
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let pad = " ".repeat(n as usize);
    let s = want_str(&args[1], "indent's string")?;
    Ok(Value::from(s.replace('\n', &format!("\n{pad}"))))
}

pub(super) fn strcontains(args: FuncArgs) -> Result<Value, String> {
    let s = want_str(&args[0], "strcontains's string")?;
    let sub = want_str(&args[1], "strcontains's substring")?;
    Ok(Value::Bool(s.contains(sub)))
}

pub(super) fn compact(args: FuncArgs) -> Result<Value, String> {
    let items = want_list(&args[0], "compact's argument")?;
    let mut out = Vec::new();
    for v in items {
        match v {
            Value::Null => {}
            Value::String(s) if s.is_empty() => {}
            Value::String(_) => out.push(v.clone()),
            other => {
                return Err(format!(
                    "compact takes a list of strings, got a {}",
                    type_name(other)
                ));
            }
        }
    }
    Ok(Value::Array(out))
}

pub(super) fn coalescelist(args: FuncArgs) -> Result<Value, String> {
    for (i, a) in args.iter().enumerate() {
        if !want_list(a, &format!("argument {} of coalescelist", i + 1))?.is_empty() {
            return Ok(a.clone());
        }
    }
    Err("coalescelist: every list is empty".to_owned())
}

pub(super) fn chunklist(args: FuncArgs) -> Result<Value, String> {
    let items = want_list(&args[0], "chunklist's list")?;
    let size = want_f64(&args[1], "chunklist's size")?;
    if size < 0.0 || size.fract() != 0.0 {
        return Err(format!(
            "chunklist's size must be a whole number, got {size}"
        ));
    }
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let size = size as usize;
    if size == 0 {
        return Ok(Value::Array(vec![Value::Array(items.clone())]));
    }
    Ok(Value::Array(
        items
            .chunks(size)
            .map(|c| Value::Array(c.to_vec()))
            .collect(),
    ))
}

pub(super) fn setproduct(args: FuncArgs) -> Result<Value, String> {
    if args.len() < 2 {
        return Err("setproduct needs at least two sets".to_owned());
    }
    let mut product: Vec<Vec<Value>> = vec![Vec::new()];
    for (i, a) in args.iter().enumerate() {
        let items = want_list(a, &format!("argument {} of setproduct", i + 1))?;
        if product.len().saturating_mul(items.len()) > MAX_ELEMENTS {
            return Err(format!(
                "setproduct would make more than {MAX_ELEMENTS} elements"
            ));
        }
        product = product
            .iter()
            .flat_map(|prefix| {
                items.iter().map(move |v| {
                    let mut next = prefix.clone();
                    next.push(v.clone());
                    next
                })
            })
            .collect();
    }
    Ok(Value::Array(
        product.into_iter().map(Value::Array).collect(),
    ))
}

pub(super) fn transpose(args: FuncArgs) -> Result<Value, String> {
    let map = want_map(&args[0], "transpose's argument")?;
    let mut out: std::collections::BTreeMap<String, Vec<String>> =
        std::collections::BTreeMap::new();
    for (k, v) in map {
        for item in want_list(v, &format!("transpose's `{k}`"))? {
            let item = want_str(item, &format!("an element of transpose's `{k}`"))?;
            out.entry(item.to_owned()).or_default().push(k.clone());
        }
    }
    Ok(Value::Object(
        out.into_iter()
            .map(|(k, mut v)| {
                v.sort();
                (k, Value::Array(v.into_iter().map(Value::from).collect()))
            })
            .collect(),
    ))
}

pub(super) fn matchkeys(args: FuncArgs) -> Result<Value, String> {
    let values = want_list(&args[0], "matchkeys's values")?;
    let keys = want_list(&args[1], "matchkeys's keys")?;
    let search = want_list(&args[2], "matchkeys's search set")?;
    if values.len() != keys.len() {
        return Err("matchkeys's values and keys must be lists of the same length".to_owned());
    }
    Ok(Value::Array(
        values
            .iter()
            .zip(keys)
            .filter(|(_, k)| search.contains(k))
            .map(|(v, _)| v.clone())
            .collect(),
    ))
}

pub(super) fn tobool(args: FuncArgs) -> Result<Value, String> {
    match &args[0] {
        Value::Bool(_) | Value::Null => Ok(args[0].clone()),
        Value::String(s) if s == "true" => Ok(Value::Bool(true)),
        Value::String(s) if s == "false" => Ok(Value::Bool(false)),
        other => Err(format!(
            "cannot convert {} to bool: only true, false, \"true\" and \"false\" convert",
            serde_json::to_string(other).unwrap_or_else(|_| type_name(other).to_owned())
        )),
    }
}

pub(super) fn base64decode(args: FuncArgs) -> Result<Value, String> {
    use base64::Engine as _;
    let s = want_str(&args[0], "base64decode's argument")?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(s)
        .map_err(|e| format!("base64decode: not base64 ({e})"))?;
    String::from_utf8(bytes)
        .map(Value::from)
        .map_err(|_| "base64decode: the decoded bytes are not UTF-8 text".to_owned())
}

pub(super) fn base64sha256(args: FuncArgs) -> Result<Value, String> {
    use base64::Engine as _;
    use sha2::Digest as _;
    let s = want_str(&args[0], "base64sha256's argument")?;
    let digest = sha2::Sha256::digest(s.as_bytes());
    Ok(Value::from(
        base64::engine::general_purpose::STANDARD.encode(digest),
    ))
}

pub(super) fn sha512(args: FuncArgs) -> Result<Value, String> {
    use sha2::Digest as _;
    let s = want_str(&args[0], "sha512's argument")?;
    let digest = sha2::Sha512::digest(s.as_bytes());
    let mut hex = String::with_capacity(digest.len() * 2);
    for b in digest {
        let _ = write!(hex, "{b:02x}");
    }
    Ok(Value::from(hex))
}

pub(super) fn base64sha512(args: FuncArgs) -> Result<Value, String> {
    use base64::Engine as _;
    use sha2::Digest as _;
    let s = want_str(&args[0], "base64sha512's argument")?;
    let digest = sha2::Sha512::digest(s.as_bytes());
    Ok(Value::from(
        base64::engine::general_purpose::STANDARD.encode(digest),
    ))
}

pub(super) fn urlencode(args: FuncArgs) -> Result<Value, String> {
    const KEEP: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~');
    let s = want_str(&args[0], "urlencode's argument")?;
    Ok(Value::from(
        percent_encoding::utf8_percent_encode(s, KEEP).to_string(),
    ))
}

/// A value as YAML (keys sorted, as Terraform writes them).
pub(super) fn yamlencode(args: FuncArgs) -> Result<Value, String> {
    let json = super::encoding::sorted_json(&args[0]);
    serde_norway::to_string(&json)
        .map(Value::from)
        .map_err(|e| format!("yamlencode: {e}"))
}

pub(super) fn yamldecode(args: FuncArgs) -> Result<Value, String> {
    let s = want_str(&args[0], "yamldecode's argument")?;
    let json: serde_json::Value =
        serde_norway::from_str(s).map_err(|e| format!("yamldecode: not YAML ({e})"))?;
    serde_json::from_value(json).map_err(|e| format!("yamldecode: {e}"))
}

/// The time of the evaluation (UTC, RFC 3339, seconds): the plan's time, so a value that
/// reads it changes on every plan (Terraform's `timestamp()` is known only at apply; vpcep
/// evaluates configurations when planning).
// The signature hcl-rs calls every function by.
#[allow(clippy::unnecessary_wraps)]
pub(super) fn timestamp(_args: FuncArgs) -> Result<Value, String> {
    Ok(Value::from(
        humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string(),
    ))
}

pub(super) fn timeadd(args: FuncArgs) -> Result<Value, String> {
    let ts = want_str(&args[0], "timeadd's timestamp")?;
    let dur = want_str(&args[1], "timeadd's duration")?;
    let at = humantime::parse_rfc3339_weak(ts)
        .map_err(|e| format!("timeadd: \"{ts}\" is not an RFC 3339 timestamp ({e})"))?;
    let (negative, magnitude) = match dur.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, dur.strip_prefix('+').unwrap_or(dur)),
    };
    let d = humantime::parse_duration(magnitude)
        .map_err(|e| format!("timeadd: \"{dur}\" is not a duration like \"1h30m\" ({e})"))?;
    let moved = if negative {
        at.checked_sub(d)
    } else {
        at.checked_add(d)
    }
    .ok_or_else(|| format!("timeadd: {ts} {dur} is out of range"))?;
    Ok(Value::from(
        humantime::format_rfc3339_seconds(moved).to_string(),
    ))
}
