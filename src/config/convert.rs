//! Conversions between `hcl::Value` and the model's `Value`, and to a schema's attribute types.

use crate::model::Value;
use crate::model::schema::AttrType;

pub(crate) fn from_hcl(value: hcl::Value) -> Value {
    match value {
        hcl::Value::Null => Value::Null,
        hcl::Value::Bool(b) => Value::Bool(b),
        hcl::Value::Number(n) => Value::Number(number_from_hcl(&n)),
        hcl::Value::String(s) => Value::String(s.into()),
        hcl::Value::Array(items) => Value::List(items.into_iter().map(from_hcl).collect()),
        hcl::Value::Object(map) => {
            Value::map(map.into_iter().map(|(k, v)| (k, from_hcl(v))).collect())
        }
    }
}

fn number_from_hcl(n: &hcl::Number) -> serde_json::Number {
    if let Some(i) = n.as_i64() {
        i.into()
    } else if let Some(u) = n.as_u64() {
        u.into()
    } else {
        n.as_f64()
            .and_then(serde_json::Number::from_f64)
            .unwrap_or_else(|| 0.into())
    }
}

/// Converts a fully known value; `None` if it contains an unknown.
pub(crate) fn to_hcl(value: &Value) -> Option<hcl::Value> {
    Some(match value {
        Value::Null => hcl::Value::Null,
        Value::Bool(b) => hcl::Value::Bool(*b),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                hcl::Value::from(i)
            } else if let Some(u) = n.as_u64() {
                hcl::Value::from(u)
            } else {
                hcl::Value::from(n.as_f64().unwrap_or_default())
            }
        }
        Value::String(s) => hcl::Value::String(s.to_string()),
        Value::List(items) => hcl::Value::Array(items.iter().map(to_hcl).collect::<Option<_>>()?),
        Value::Map(map) => hcl::Value::Object(
            map.iter()
                .map(|(k, v)| Some((k.to_owned(), to_hcl(v)?)))
                .collect::<Option<_>>()?,
        ),
        Value::Unknown => return None,
    })
}

/// Converts a value to an attribute's type the way Terraform does (numbers and bools become
/// strings, numeric strings become numbers, ...). Unknowns pass through.
pub(crate) fn to_attr_type(value: Value, ty: AttrType) -> Result<Value, String> {
    if matches!(value, Value::Unknown | Value::Null) {
        return Ok(value);
    }
    match ty {
        AttrType::String => to_string(value),
        AttrType::Number => to_number(value),
        AttrType::Bool => to_bool(value),
        AttrType::StringList => match value {
            Value::List(items) => items
                .into_iter()
                .enumerate()
                .map(|(i, v)| match v {
                    Value::Null => Err(format!("element {i} is null")),
                    v => to_string(v).map_err(|e| format!("element {i}: {e}")),
                })
                .collect::<Result<_, _>>()
                .map(Value::List),
            other => Err(format!(
                "expected a list of strings, got {}",
                describe(&other)
            )),
        },
        AttrType::StringMap => match value {
            Value::Map(map) => map
                .into_iter()
                .map(|(k, v)| match to_string(v) {
                    Ok(v) => Ok((k, v)),
                    Err(e) => Err(format!("key \"{k}\": {e}")),
                })
                .collect::<Result<crate::model::Map, _>>()
                .map(Value::Map),
            other => Err(format!(
                "expected a map of strings, got {}",
                describe(&other)
            )),
        },
    }
}

fn describe(value: &Value) -> String {
    match value {
        Value::List(_) | Value::Map(_) => format!("a {}", value.type_name()),
        other => format!("{} {other}", value_article(other)),
    }
}

fn value_article(value: &Value) -> &'static str {
    match value {
        Value::String(_) => "the string",
        Value::Number(_) => "the number",
        Value::Bool(_) => "the bool",
        _ => "",
    }
}

fn to_string(value: Value) -> Result<Value, String> {
    match value {
        Value::String(_) | Value::Unknown => Ok(value),
        Value::Number(n) => Ok(Value::String(n.to_string().into())),
        Value::Bool(b) => Ok(Value::String(b.to_string().into())),
        other => Err(format!("expected a string, got {}", describe(&other))),
    }
}

fn to_number(value: Value) -> Result<Value, String> {
    match value {
        Value::Number(_) => Ok(value),
        Value::String(s) => {
            let trimmed = s.trim();
            if let Ok(i) = trimmed.parse::<i64>() {
                Ok(Value::int(i))
            } else if let Some(n) = trimmed
                .parse::<f64>()
                .ok()
                .and_then(serde_json::Number::from_f64)
            {
                Ok(Value::Number(n))
            } else {
                Err(format!("expected a number, got the string \"{s}\""))
            }
        }
        other => Err(format!("expected a number, got {}", describe(&other))),
    }
}

fn to_bool(value: Value) -> Result<Value, String> {
    match value {
        Value::Bool(_) => Ok(value),
        Value::String(s) if s == "true" => Ok(Value::Bool(true)),
        Value::String(s) if s == "false" => Ok(Value::Bool(false)),
        other => Err(format!("expected true or false, got {}", describe(&other))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coerces_like_terraform() {
        assert_eq!(
            to_attr_type(Value::int(5), AttrType::String),
            Ok(Value::from("5"))
        );
        assert_eq!(
            to_attr_type(Value::from("443"), AttrType::Number),
            Ok(Value::int(443))
        );
        assert_eq!(
            to_attr_type(Value::from("true"), AttrType::Bool),
            Ok(Value::Bool(true))
        );
        assert_eq!(
            to_attr_type(Value::from("yes"), AttrType::Bool),
            Err("expected true or false, got the string \"yes\"".into())
        );
        assert!(to_attr_type(Value::List(vec![]), AttrType::String).is_err());
    }
}
