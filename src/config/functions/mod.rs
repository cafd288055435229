//! The functions configuration expressions may call, Terraform-compatible in name and behaviour.
//!
//! Documented set: `merge concat length lower upper format join split lookup contains keys
//! values coalesce distinct toset tolist tomap tostring tonumber range flatten sort trimspace
//! replace startswith endswith min max`, and in the submodules the string, collection,
//! encoding and network functions (`formatlist substr regex regexall index zipmap setunion
//! setintersection setsubtract slice reverse element one alltrue anytrue jsonencode jsondecode
//! base64encode sha256 cidrhost cidrsubnet file fileexists templatefile abspath try can`, and
//! `more`'s numbers, strings, collections, conversions, encodings and time).
//! `try` and `can` are evaluated by vpcep itself where it can (see `super::lazy`).

// hcl-rs calls functions through `fn(FuncArgs) -> ...` pointers, so arguments come by value.
#![allow(clippy::needless_pass_by_value)]

mod collections;
mod encoding;
pub(crate) mod files;
mod more;
mod network;
mod text;

use hcl::Value;
use hcl::eval::{Context, FuncArgs, FuncDef, ParamType};

type Func = fn(FuncArgs) -> Result<Value, String>;

const FUNCTIONS: &[(&str, Func, usize, bool)] = &[
    // (name, implementation, positional arguments, variadic)
    ("merge", merge, 0, true),
    ("concat", concat, 0, true),
    ("length", length, 1, false),
    ("lower", lower, 1, false),
    ("upper", upper, 1, false),
    ("format", text::format, 1, true),
    ("formatlist", text::formatlist, 1, true),
    ("substr", text::substr, 3, false),
    ("regex", text::regex, 2, false),
    ("regexall", text::regexall, 2, false),
    ("index", collections::index, 2, false),
    ("zipmap", collections::zipmap, 2, false),
    ("setunion", collections::setunion, 0, true),
    ("setintersection", collections::setintersection, 0, true),
    ("setsubtract", collections::setsubtract, 2, false),
    ("slice", collections::slice, 3, false),
    ("reverse", collections::reverse, 1, false),
    ("element", collections::element, 2, false),
    ("one", collections::one, 1, false),
    ("alltrue", collections::alltrue, 1, false),
    ("anytrue", collections::anytrue, 1, false),
    ("jsonencode", encoding::jsonencode, 1, false),
    ("jsondecode", encoding::jsondecode, 1, false),
    ("base64encode", encoding::base64encode, 1, false),
    ("sha256", encoding::sha256, 1, false),
    ("cidrhost", network::cidrhost, 2, false),
    ("cidrsubnet", network::cidrsubnet, 3, false),
    ("file", files::file, 1, false),
    ("fileexists", files::fileexists, 1, false),
    ("templatefile", files::templatefile, 2, false),
    ("abspath", files::abspath, 1, false),
    ("try", files::try_all, 0, true),
    ("can", files::can_all, 0, true),
    ("join", join, 1, true),
    ("split", split, 2, false),
    ("lookup", lookup, 2, true),
    ("contains", contains, 2, false),
    ("keys", keys, 1, false),
    ("values", values, 1, false),
    ("coalesce", coalesce, 0, true),
    ("distinct", distinct, 1, false),
    ("toset", toset, 1, false),
    ("tolist", tolist, 1, false),
    ("tomap", tomap, 1, false),
    ("tostring", tostring, 1, false),
    ("tonumber", tonumber, 1, false),
    ("range", range, 1, true),
    ("flatten", flatten, 1, false),
    ("sort", sort, 1, false),
    ("trimspace", trimspace, 1, false),
    ("replace", replace, 3, false),
    ("startswith", startswith, 2, false),
    ("endswith", endswith, 2, false),
    ("min", min, 0, true),
    ("max", max, 0, true),
    ("abs", more::abs, 1, false),
    ("ceil", more::ceil, 1, false),
    ("floor", more::floor, 1, false),
    ("signum", more::signum, 1, false),
    ("pow", more::pow, 2, false),
    ("log", more::log, 2, false),
    ("parseint", more::parseint, 2, false),
    ("sum", more::sum, 1, false),
    ("trimprefix", more::trimprefix, 2, false),
    ("trimsuffix", more::trimsuffix, 2, false),
    ("trim", more::trim, 2, false),
    ("chomp", more::chomp, 1, false),
    ("title", more::title, 1, false),
    ("strrev", more::strrev, 1, false),
    ("indent", more::indent, 2, false),
    ("strcontains", more::strcontains, 2, false),
    ("compact", more::compact, 1, false),
    ("coalescelist", more::coalescelist, 0, true),
    ("chunklist", more::chunklist, 2, false),
    ("setproduct", more::setproduct, 0, true),
    ("transpose", more::transpose, 1, false),
    ("matchkeys", more::matchkeys, 3, false),
    ("tobool", more::tobool, 1, false),
    ("base64decode", more::base64decode, 1, false),
    ("base64sha256", more::base64sha256, 1, false),
    ("urlencode", more::urlencode, 1, false),
    ("yamlencode", more::yamlencode, 1, false),
    ("yamldecode", more::yamldecode, 1, false),
    ("timestamp", more::timestamp, 0, false),
    ("timeadd", more::timeadd, 2, false),
    ("plantimestamp", more::timestamp, 0, false),
    ("sha512", more::sha512, 1, false),
    ("base64sha512", more::base64sha512, 1, false),
    ("cidrnetmask", network::cidrnetmask, 1, false),
    ("cidrsubnets", network::cidrsubnets, 1, true),
];

/// The budget's internal functions (see `budget`), which no configuration calls by name.
const INTERNAL: &[(&str, Func)] = &[
    (super::budget::LOOP, super::budget::loop_collection),
    (super::budget::ITEM, super::budget::item),
];

/// Names of every function, for "did you mean" suggestions.
pub(crate) fn names() -> impl Iterator<Item = &'static str> {
    FUNCTIONS.iter().map(|(name, ..)| *name)
}

pub(crate) fn is_defined(name: &str) -> bool {
    FUNCTIONS.iter().any(|(n, ..)| *n == name)
}

/// A context holding every function and no variables.
pub(crate) fn context() -> Context<'static> {
    let mut ctx = Context::new();
    for &(name, func, positional, variadic) in FUNCTIONS {
        let mut builder = FuncDef::builder();
        for _ in 0..positional {
            builder = builder.param(ParamType::Any);
        }
        if variadic {
            builder = builder.variadic_param(ParamType::Any);
        }
        ctx.declare_func(name, builder.build(func));
    }
    for &(name, func) in INTERNAL {
        ctx.declare_func(name, FuncDef::builder().param(ParamType::Any).build(func));
    }
    ctx
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "list",
        Value::Object(_) => "map",
    }
}

fn want_str<'a>(v: &'a Value, what: &str) -> Result<&'a str, String> {
    v.as_str()
        .ok_or_else(|| format!("{what} must be a string, got {}", type_name(v)))
}

fn want_list<'a>(v: &'a Value, what: &str) -> Result<&'a Vec<Value>, String> {
    v.as_array()
        .ok_or_else(|| format!("{what} must be a list, got {}", type_name(v)))
}

fn want_map<'a>(v: &'a Value, what: &str) -> Result<&'a hcl::Map<String, Value>, String> {
    v.as_object()
        .ok_or_else(|| format!("{what} must be a map, got {}", type_name(v)))
}

fn want_f64(v: &Value, what: &str) -> Result<f64, String> {
    match v {
        Value::Number(n) => n.as_f64().ok_or_else(|| format!("{what} is out of range")),
        Value::String(s) => s
            .trim()
            .parse()
            .map_err(|_| format!("{what} must be a number, got \"{s}\"")),
        other => Err(format!("{what} must be a number, got {}", type_name(other))),
    }
}

/// Renders a primitive as a string the way string templates do.
fn to_plain_string(v: &Value) -> Result<String, String> {
    match v {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        other => Err(format!("cannot convert a {} to a string", type_name(other))),
    }
}

fn number(f: f64) -> Value {
    if f.fract() == 0.0 && f.abs() < 9.0e15 {
        #[allow(clippy::cast_possible_truncation)]
        Value::from(f as i64)
    } else {
        hcl::Number::from_f64(f).map_or(Value::Null, Value::Number)
    }
}

fn merge(args: FuncArgs) -> Result<Value, String> {
    let mut out = hcl::Map::new();
    for (i, arg) in args.iter().enumerate() {
        if arg.is_null() {
            continue;
        }
        for (k, v) in want_map(arg, &format!("argument {}", i + 1))? {
            out.insert(k.clone(), v.clone());
        }
    }
    Ok(Value::Object(out))
}

fn concat(args: FuncArgs) -> Result<Value, String> {
    let mut out = Vec::new();
    for (i, arg) in args.iter().enumerate() {
        out.extend(
            want_list(arg, &format!("argument {}", i + 1))?
                .iter()
                .cloned(),
        );
    }
    Ok(Value::Array(out))
}

fn length(args: FuncArgs) -> Result<Value, String> {
    let n = match &args[0] {
        Value::String(s) => s.chars().count(),
        Value::Array(a) => a.len(),
        Value::Object(o) => o.len(),
        other => return Err(format!("cannot take the length of a {}", type_name(other))),
    };
    Ok(Value::from(n as u64))
}

fn lower(args: FuncArgs) -> Result<Value, String> {
    Ok(Value::from(
        want_str(&args[0], "the argument")?.to_lowercase(),
    ))
}

fn upper(args: FuncArgs) -> Result<Value, String> {
    Ok(Value::from(
        want_str(&args[0], "the argument")?.to_uppercase(),
    ))
}

fn join(args: FuncArgs) -> Result<Value, String> {
    let sep = want_str(&args[0], "the separator")?;
    let mut parts = Vec::new();
    let mut total: u64 = 0;
    for list in args.iter().skip(1) {
        for item in want_list(list, "each list")? {
            let part = to_plain_string(item)?;
            total = total.saturating_add(part.len() as u64 + sep.len() as u64);
            parts.push(part);
        }
    }
    // Counted before the result is built.
    super::budget::volume(total)?;
    Ok(Value::from(parts.join(sep)))
}

fn split(args: FuncArgs) -> Result<Value, String> {
    let sep = want_str(&args[0], "the separator")?;
    let s = want_str(&args[1], "the string")?;
    if s.is_empty() {
        return Ok(Value::Array(Vec::new()));
    }
    if sep.is_empty() {
        return Err("the separator must not be empty".into());
    }
    Ok(Value::Array(s.split(sep).map(Value::from).collect()))
}

fn lookup(args: FuncArgs) -> Result<Value, String> {
    let map = want_map(&args[0], "the first argument")?;
    let key = want_str(&args[1], "the key")?;
    match (map.get(key), args.get(2)) {
        (Some(v), _) => Ok(v.clone()),
        (None, Some(default)) => Ok(default.clone()),
        (None, None) => Err(format!(
            "the map has no key \"{key}\" and no default was given"
        )),
    }
}

fn contains(args: FuncArgs) -> Result<Value, String> {
    Ok(Value::Bool(
        want_list(&args[0], "the first argument")?.contains(&args[1]),
    ))
}

fn sorted_entries(map: &hcl::Map<String, Value>) -> Vec<(&String, &Value)> {
    let mut entries: Vec<_> = map.iter().collect();
    entries.sort_by(|a, b| a.0.cmp(b.0));
    entries
}

fn keys(args: FuncArgs) -> Result<Value, String> {
    let map = want_map(&args[0], "the argument")?;
    Ok(Value::Array(
        sorted_entries(map)
            .into_iter()
            .map(|(k, _)| Value::from(k.as_str()))
            .collect(),
    ))
}

fn values(args: FuncArgs) -> Result<Value, String> {
    let map = want_map(&args[0], "the argument")?;
    Ok(Value::Array(
        sorted_entries(map)
            .into_iter()
            .map(|(_, v)| v.clone())
            .collect(),
    ))
}

fn coalesce(args: FuncArgs) -> Result<Value, String> {
    args.iter()
        .find(|v| !v.is_null() && v.as_str() != Some(""))
        .cloned()
        .ok_or_else(|| "no non-null, non-empty argument".into())
}

/// The list without repeated elements, first occurrences kept in order (linear time).
fn dedup(list: &[Value]) -> Vec<Value> {
    let mut out: Vec<Value> = Vec::with_capacity(list.len());
    let mut seen_strings = std::collections::HashSet::new();
    let mut seen_others = std::collections::HashSet::new();
    for v in list {
        let fresh = match v {
            Value::String(s) => seen_strings.insert(s.as_str()),
            other => seen_others.insert(serde_json::to_string(other).unwrap_or_default()),
        };
        if fresh {
            out.push(v.clone());
        }
    }
    out
}

fn distinct(args: FuncArgs) -> Result<Value, String> {
    Ok(Value::Array(dedup(want_list(&args[0], "the argument")?)))
}

/// Sets have no order of their own; like Terraform, sets of strings come out sorted.
fn toset(args: FuncArgs) -> Result<Value, String> {
    let mut items = dedup(want_list(&args[0], "the argument")?);
    if items.iter().all(Value::is_string) {
        items.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
    }
    Ok(Value::Array(items))
}

fn tolist(args: FuncArgs) -> Result<Value, String> {
    Ok(Value::Array(want_list(&args[0], "the argument")?.clone()))
}

fn tomap(args: FuncArgs) -> Result<Value, String> {
    Ok(Value::Object(want_map(&args[0], "the argument")?.clone()))
}

fn tostring(args: FuncArgs) -> Result<Value, String> {
    if args[0].is_null() {
        return Ok(Value::Null);
    }
    to_plain_string(&args[0]).map(Value::from)
}

fn tonumber(args: FuncArgs) -> Result<Value, String> {
    if args[0].is_null() {
        return Ok(Value::Null);
    }
    if let Value::Number(_) = &args[0] {
        return Ok(args[0].clone());
    }
    let s = want_str(&args[0], "the argument")?;
    if let Ok(i) = s.trim().parse::<i64>() {
        return Ok(Value::from(i));
    }
    want_f64(&args[0], "the argument").map(number)
}

/// `range(limit)`, `range(start, limit)`, `range(start, limit, step)`.
fn range(args: FuncArgs) -> Result<Value, String> {
    let nums: Vec<f64> = args
        .iter()
        .map(|a| want_f64(a, "each argument"))
        .collect::<Result<_, _>>()?;
    let (start, limit, step) = match nums.as_slice() {
        [limit] => (0.0, *limit, 1.0),
        [start, limit] => (*start, *limit, if start <= limit { 1.0 } else { -1.0 }),
        [start, limit, step] => (*start, *limit, *step),
        _ => return Err("range takes one to three numbers".into()),
    };
    if step == 0.0 || (step > 0.0 && start > limit) || (step < 0.0 && start < limit) {
        if step == 0.0 {
            return Err("the step must not be zero".into());
        }
        return Err("the step goes away from the limit".into());
    }
    let count = ((limit - start) / step).ceil();
    if count > 10_000.0 {
        return Err("range would produce more than 10000 numbers".into());
    }
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    super::budget::steps(count.max(0.0) as u64)?;
    let mut out = Vec::new();
    let mut x = start;
    while (step > 0.0 && x < limit) || (step < 0.0 && x > limit) {
        if out.len() >= 10_000 {
            return Err("range would produce more than 10000 numbers".into());
        }
        out.push(number(x));
        x += step;
    }
    Ok(Value::Array(out))
}

fn flatten(args: FuncArgs) -> Result<Value, String> {
    fn walk(list: &[Value], out: &mut Vec<Value>) {
        for v in list {
            match v {
                Value::Array(inner) => walk(inner, out),
                other => out.push(other.clone()),
            }
        }
    }
    let mut out = Vec::new();
    walk(want_list(&args[0], "the argument")?, &mut out);
    Ok(Value::Array(out))
}

fn sort(args: FuncArgs) -> Result<Value, String> {
    let mut strings: Vec<String> = want_list(&args[0], "the argument")?
        .iter()
        .map(to_plain_string)
        .collect::<Result<_, _>>()?;
    strings.sort();
    Ok(Value::Array(strings.into_iter().map(Value::from).collect()))
}

fn trimspace(args: FuncArgs) -> Result<Value, String> {
    Ok(Value::from(want_str(&args[0], "the argument")?.trim()))
}

fn replace(args: FuncArgs) -> Result<Value, String> {
    let s = want_str(&args[0], "the string")?;
    let from = want_str(&args[1], "the substring")?;
    let to = want_str(&args[2], "the replacement")?;
    if from.is_empty() {
        return Err("the substring to replace must not be empty".into());
    }
    let grows = to.len().saturating_sub(from.len()) as u64;
    super::budget::volume((s.len() as u64).saturating_add(grows * s.matches(from).count() as u64))?;
    Ok(Value::from(s.replace(from, to)))
}

fn startswith(args: FuncArgs) -> Result<Value, String> {
    let s = want_str(&args[0], "the string")?;
    Ok(Value::Bool(
        s.starts_with(want_str(&args[1], "the prefix")?),
    ))
}

fn endswith(args: FuncArgs) -> Result<Value, String> {
    let s = want_str(&args[0], "the string")?;
    Ok(Value::Bool(s.ends_with(want_str(&args[1], "the suffix")?)))
}

fn extreme(args: &FuncArgs, pick_max: bool) -> Result<Value, String> {
    let nums: Vec<f64> = args
        .iter()
        .map(|a| want_f64(a, "each argument"))
        .collect::<Result<_, _>>()?;
    let best = nums
        .into_iter()
        .reduce(|a, b| if (b > a) == pick_max { b } else { a })
        .ok_or("at least one number is needed")?;
    Ok(number(best))
}

fn min(args: FuncArgs) -> Result<Value, String> {
    extreme(&args, false)
}

fn max(args: FuncArgs) -> Result<Value, String> {
    extreme(&args, true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use hcl::eval::Evaluate;

    fn eval(src: &str) -> Result<Value, String> {
        // Parsed as configuration files are (hcl-edit), escapes included.
        let expr =
            hcl::Expression::from(hcl::edit::parser::parse_expr(src).map_err(|e| e.to_string())?);
        expr.evaluate(&context()).map_err(|e| e.to_string())
    }

    #[test]
    fn documented_functions_work() {
        let cases = [
            (r"merge({a = 1}, {b = 2}, {a = 3})", r#"{"a":3,"b":2}"#),
            (r#"concat(["a"], ["b", "c"])"#, r#"["a","b","c"]"#),
            (r#"length("héllo")"#, "5"),
            (r#"upper("prod")"#, r#""PROD""#),
            (r#"lower("PROD")"#, r#""prod""#),
            (r#"format("%s-%03s-%d", "svc", "x", 7)"#, r#""svc-  x-7""#),
            (r#"format("%s-%d%%", "svc", 7)"#, r#""svc-7%""#),
            (r#"join(",", ["a", "b"], ["c"])"#, r#""a,b,c""#),
            (r#"split(",", "a,b")"#, r#"["a","b"]"#),
            (r#"lookup({a = "x"}, "b", "dflt")"#, r#""dflt""#),
            (r#"contains(["a", "b"], "b")"#, "true"),
            (r"keys({b = 1, a = 2})", r#"["a","b"]"#),
            (r"values({b = 1, a = 2})", "[2,1]"),
            (r#"coalesce(null, "", "x")"#, r#""x""#),
            (r#"distinct(["a", "b", "a"])"#, r#"["a","b"]"#),
            (r#"toset(["b", "a", "b"])"#, r#"["a","b"]"#),
            (r"tostring(5)", r#""5""#),
            (r#"tonumber("42")"#, "42"),
            (r"range(3)", "[0,1,2]"),
            (r"range(1, 7, 2)", "[1,3,5]"),
            (r#"flatten([["a"], ["b", ["c"]]])"#, r#"["a","b","c"]"#),
            (r"max(1, 5, 3)", "5"),
        ];
        for (src, want) in cases {
            let got = match eval(src) {
                Ok(v) => serde_json::to_string(&v).unwrap(),
                Err(_) => "error".to_owned(),
            };
            assert_eq!(got, want, "{src}");
        }
    }

    /// Each function's cases: what it returns (as JSON) or, for `error: ...`, a part of the
    /// message it fails with.
    #[test]
    #[expect(clippy::too_many_lines, reason = "a table of cases")]
    fn the_functions_users_reach_for() {
        let cases = [
            // format: widths, padding, precision, signs
            (
                r#"format("%03d|%-6s|%6s|", 7, "ab", "cd")"#,
                r#""007|ab    |    cd|""#,
            ),
            (
                r#"format("%.2f %8.3f %+d %05d", 3.14159, 2.5, 4, -42)"#,
                r#""3.14    2.500 +4 -0042""#,
            ),
            (
                r#"format("%.3s %t %q", "abcdef", true, "a\"b")"#,
                r#""abc true \"a\\\"b\"""#,
            ),
            (r#"format("%d", 1.5)"#, "error: whole number"),
            (r#"format("%x", 1)"#, "error: unsupported format verb `%x`"),
            (r#"format("%2000s", "a")"#, "error: a width is at most 1024"),
            (r#"format("%s %s", "a")"#, "error: not enough arguments"),
            // formatlist
            (
                r#"formatlist("%s-%02d", ["a", "b"], [1, 2])"#,
                r#"["a-01","b-02"]"#,
            ),
            (
                r#"formatlist("%s.%s", "svc", ["x", "y"])"#,
                r#"["svc.x","svc.y"]"#,
            ),
            (
                r#"formatlist("%s%s", ["a"], ["b", "c"])"#,
                "error: the lists must have one length",
            ),
            // substr
            (r#"substr("hello world", 1, 4)"#, r#""ello""#),
            (r#"substr("hello", -3, -1)"#, r#""llo""#),
            (r#"substr("héllo", 1, 2)"#, r#""él""#),
            (r#"substr("abc", 1, 99)"#, r#""bc""#),
            (r#"substr("abc", 4, 1)"#, "error: outside the text"),
            (r#"substr("abc", 0, -2)"#, "error: the length must be -1"),
            // regex, regexall
            (r#"regex("[a-z]+", "123abc456")"#, r#""abc""#),
            (
                r#"regex("(\\d+)-(\\d+)", "port 80-443")"#,
                r#"["80","443"]"#,
            ),
            (
                r#"regex("(?P<from>\\d+)-(?P<to>\\d+)", "80-443")"#,
                r#"{"from":"80","to":"443"}"#,
            ),
            (r#"regex("x", "abc")"#, "error: does not match"),
            (r#"regex("(", "abc")"#, "error: invalid regular expression"),
            (r#"regexall("\\d+", "a1b22c333")"#, r#"["1","22","333"]"#),
            (r#"regexall("z", "abc")"#, "[]"),
            // collections
            (r#"index(["a", "b", "c"], "b")"#, "1"),
            (r#"index(["a"], "z")"#, "error: not in the list"),
            (r#"zipmap(["a", "b"], [1, 2])"#, r#"{"a":1,"b":2}"#),
            (r#"zipmap(["a"], [1, 2])"#, "error: 1 keys but 2 values"),
            (r#"setunion(["b", "a"], ["c", "a"])"#, r#"["a","b","c"]"#),
            (
                r#"setintersection(["a", "b", "c"], ["b", "c", "d"], ["c", "b"])"#,
                r#"["b","c"]"#,
            ),
            (r#"setsubtract(["a", "b", "c"], ["b"])"#, r#"["a","c"]"#),
            (r"setunion()", "error: at least one set"),
            (r#"slice(["a", "b", "c", "d"], 1, 3)"#, r#"["b","c"]"#),
            (r#"slice(["a"], 0, 2)"#, "error: past the end"),
            (
                r#"slice(["a", "b"], 2, 1)"#,
                "error: greater than the end index",
            ),
            (r"reverse([1, 2, 3])", "[3,2,1]"),
            (r#"element(["a", "b", "c"], 4)"#, r#""b""#),
            (r"element([], 0)", "error: empty list"),
            (r#"element(["a"], -1)"#, "error: 0 or more"),
            (r"one([])", "null"),
            (r#"one(["x"])"#, r#""x""#),
            (r#"one(["x", "y"])"#, "error: at most one"),
            (r"alltrue([true, true])", "true"),
            (r"alltrue([])", "true"),
            (r"anytrue([false, true])", "true"),
            (r"anytrue([])", "false"),
            (r"alltrue([1])", "error: must be a bool"),
            // encoding
            (
                r#"jsonencode({b = [1, "x"], a = null})"#,
                r#""{\"a\":null,\"b\":[1,\"x\"]}""#,
            ),
            (r#"jsondecode("{\"a\": [1, true]}")"#, r#"{"a":[1,true]}"#),
            (r#"jsondecode("{")"#, "error: not valid JSON"),
            (r#"base64encode("vpcep")"#, r#""dnBjZXA=""#),
            (
                r#"sha256("")"#,
                r#""e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855""#,
            ),
            // network
            (r#"cidrhost("10.0.0.0/24", 5)"#, r#""10.0.0.5""#),
            (r#"cidrhost("10.0.0.0/24", -2)"#, r#""10.0.0.254""#),
            (r#"cidrhost("10.0.0.0/30", 4)"#, "error: does not fit"),
            (r#"cidrhost("fd00::/64", 1)"#, "error: IPv6"),
            (r#"cidrsubnet("10.0.0.0/16", 8, 2)"#, r#""10.0.2.0/24""#),
            (r#"cidrsubnet("10.1.2.3/16", 4, 15)"#, r#""10.1.240.0/20""#),
            (r#"cidrsubnet("0.0.0.0/0", 0, 0)"#, r#""0.0.0.0/0""#),
            (
                r#"cidrsubnet("10.0.0.0/30", 4, 0)"#,
                "error: cannot be extended",
            ),
            (
                r#"cidrsubnet("10.0.0.0/16", 2, 4)"#,
                "error: does not fit in 2 new bits",
            ),
            (
                r#"cidrsubnet("10.0.0/16", 2, 1)"#,
                "error: not an IPv4 address",
            ),
        ];
        let mut failures = Vec::new();
        for (src, want) in cases {
            let got = match eval(src) {
                Ok(v) => serde_json::to_string(&v).unwrap(),
                Err(e) => format!("error: {e}"),
            };
            let ok = match want.strip_prefix("error: ") {
                Some(part) => got.starts_with("error: ") && got.contains(part),
                None => got == want,
            };
            if !ok {
                failures.push(format!(
                    "{src}
  want {want}
  got  {got}"
                ));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    /// `testdata/functions/cases.txt`: each case's expression and what it gives.
    #[test]
    fn terraforms_functions_as_documented() {
        let cases = include_str!("../../../testdata/functions/cases.txt");
        let mut checked = 0;
        for line in cases.lines() {
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let (src, want) = line
                .split_once(" => ")
                .unwrap_or_else(|| panic!("`{line}` has no ` => `"));
            match (eval(src), want.strip_prefix("error: ")) {
                (Ok(v), None) => assert_eq!(
                    serde_json::to_string(&v).unwrap(),
                    serde_json::to_string(
                        &serde_json::from_str::<serde_json::Value>(want).unwrap()
                    )
                    .unwrap(),
                    "{src}"
                ),
                (Err(e), Some(part)) => assert!(e.contains(part), "{src}: `{e}` lacks `{part}`"),
                (Ok(v), Some(_)) => panic!("{src} gave {v:?}, expected an error"),
                (Err(e), None) => panic!("{src} failed: {e}"),
            }
            checked += 1;
        }
        assert!(checked > 60, "only {checked} cases read");
    }

    #[test]
    fn range_is_bounded() {
        assert!(eval("range(1000000)").is_err());
    }
}
