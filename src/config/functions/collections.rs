//! Collection functions: `index zipmap setunion setintersection setsubtract slice reverse
//! element one alltrue anytrue`, as Terraform defines them.

// hcl-rs calls functions through `fn(FuncArgs) -> ...` pointers: arguments come by value.
#![allow(clippy::needless_pass_by_value)]

use super::{type_name, want_f64, want_list};
use hcl::Value;
use hcl::eval::FuncArgs;

/// A whole, non-negative number argument.
fn want_index(v: &Value, what: &str) -> Result<usize, String> {
    let f = want_f64(v, what)?;
    if f.fract() != 0.0 || f < 0.0 {
        return Err(format!(
            "{what} must be a whole number of 0 or more, got {f}"
        ));
    }
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    Ok(f as usize)
}

/// `index(list, value)`: the position of the first element equal to `value`.
pub(super) fn index(args: FuncArgs) -> Result<Value, String> {
    let list = want_list(&args[0], "the list")?;
    list.iter()
        .position(|v| *v == args[1])
        .map(|i| Value::from(i as u64))
        .ok_or_else(|| "the value is not in the list".to_owned())
}

/// `zipmap(keys, values)`: a map of `keys[i] = values[i]`.
pub(super) fn zipmap(args: FuncArgs) -> Result<Value, String> {
    let keys = want_list(&args[0], "the keys")?;
    let values = want_list(&args[1], "the values")?;
    if keys.len() != values.len() {
        return Err(format!(
            "there are {} keys but {} values; zipmap needs as many of each",
            keys.len(),
            values.len()
        ));
    }
    let mut out = hcl::Map::new();
    for (k, v) in keys.iter().zip(values) {
        let key = match k {
            Value::String(s) => s.clone(),
            other => {
                return Err(format!(
                    "each key must be a string, got {}",
                    type_name(other)
                ));
            }
        };
        out.insert(key, v.clone());
    }
    Ok(Value::Object(out))
}

/// A set as vpcep keeps one: distinct elements, sorted (as `toset` does).
fn as_set(items: impl IntoIterator<Item = Value>) -> Value {
    let mut keyed: Vec<(String, Value)> = items
        .into_iter()
        .map(|v| (serde_json::to_string(&v).unwrap_or_default(), v))
        .collect();
    keyed.sort_by(|a, b| a.0.cmp(&b.0));
    keyed.dedup_by(|a, b| a.0 == b.0);
    Value::Array(keyed.into_iter().map(|(_, v)| v).collect())
}

fn sets<'a>(args: &'a FuncArgs, name: &str) -> Result<Vec<&'a Vec<Value>>, String> {
    if args.is_empty() {
        return Err(format!("{name} needs at least one set"));
    }
    args.iter()
        .enumerate()
        .map(|(i, a)| want_list(a, &format!("argument {}", i + 1)))
        .collect()
}

pub(super) fn setunion(args: FuncArgs) -> Result<Value, String> {
    let all = sets(&args, "setunion")?;
    Ok(as_set(all.into_iter().flatten().cloned()))
}

pub(super) fn setintersection(args: FuncArgs) -> Result<Value, String> {
    let all = sets(&args, "setintersection")?;
    let (first, rest) = all.split_first().ok_or("setintersection needs a set")?;
    Ok(as_set(
        first
            .iter()
            .filter(|v| rest.iter().all(|s| s.contains(v)))
            .cloned(),
    ))
}

pub(super) fn setsubtract(args: FuncArgs) -> Result<Value, String> {
    let a = want_list(&args[0], "the first set")?;
    let b = want_list(&args[1], "the second set")?;
    Ok(as_set(a.iter().filter(|v| !b.contains(v)).cloned()))
}

/// `slice(list, start, end)`: elements `start` to `end - 1`.
pub(super) fn slice(args: FuncArgs) -> Result<Value, String> {
    let list = want_list(&args[0], "the list")?;
    let start = want_index(&args[1], "the start index")?;
    let end = want_index(&args[2], "the end index")?;
    if end > list.len() {
        return Err(format!(
            "the end index {end} is past the end of the list ({} elements)",
            list.len()
        ));
    }
    if start > end {
        return Err(format!(
            "the start index {start} is greater than the end index {end}"
        ));
    }
    Ok(Value::Array(list[start..end].to_vec()))
}

pub(super) fn reverse(args: FuncArgs) -> Result<Value, String> {
    let list = want_list(&args[0], "the list")?;
    Ok(Value::Array(list.iter().rev().cloned().collect()))
}

/// `element(list, index)`: wraps around past the end, as Terraform's does.
pub(super) fn element(args: FuncArgs) -> Result<Value, String> {
    let list = want_list(&args[0], "the list")?;
    let i = want_index(&args[1], "the index")?;
    if list.is_empty() {
        return Err("cannot take an element of an empty list".into());
    }
    Ok(list[i % list.len()].clone())
}

/// `one(list)`: null for an empty list, the element of a one-element list, else an error.
pub(super) fn one(args: FuncArgs) -> Result<Value, String> {
    let list = want_list(&args[0], "the list")?;
    match list.as_slice() {
        [] => Ok(Value::Null),
        [v] => Ok(v.clone()),
        more => Err(format!(
            "the list has {} elements; one takes a list of at most one",
            more.len()
        )),
    }
}

fn bools(args: &FuncArgs) -> Result<Vec<bool>, String> {
    want_list(&args[0], "the list")?
        .iter()
        .map(|v| match v {
            Value::Bool(b) => Ok(*b),
            Value::String(s) if s == "true" => Ok(true),
            Value::String(s) if s == "false" => Ok(false),
            other => Err(format!(
                "each element must be a bool, got {}",
                type_name(other)
            )),
        })
        .collect()
}

pub(super) fn alltrue(args: FuncArgs) -> Result<Value, String> {
    Ok(Value::Bool(bools(&args)?.into_iter().all(|b| b)))
}

pub(super) fn anytrue(args: FuncArgs) -> Result<Value, String> {
    Ok(Value::Bool(bools(&args)?.into_iter().any(|b| b)))
}
