//! Variable type constraints (`string`, `list(string)`, `map(number)`, ...) and conversion to them.

use hcl::Value;
use hcl::edit::expr::Expression;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TypeConstraint {
    Any,
    String,
    Number,
    Bool,
    List(Box<TypeConstraint>),
    Set(Box<TypeConstraint>),
    Map(Box<TypeConstraint>),
}

impl TypeConstraint {
    /// Reads a type expression such as `map(list(string))`.
    pub(crate) fn parse(expr: &Expression) -> Result<Self, String> {
        match expr {
            Expression::Variable(ident) => match ident.as_str() {
                "any" => Ok(Self::Any),
                "string" => Ok(Self::String),
                "number" => Ok(Self::Number),
                "bool" => Ok(Self::Bool),
                other => Err(format!("unknown type `{other}`")),
            },
            Expression::FuncCall(call) => {
                let name = call.name.name.as_str();
                let args: Vec<&Expression> = call.args.iter().collect();
                let [inner] = args.as_slice() else {
                    return Err(format!("`{name}(...)` takes exactly one element type"));
                };
                let inner = Box::new(Self::parse(inner)?);
                match name {
                    "list" => Ok(Self::List(inner)),
                    "set" => Ok(Self::Set(inner)),
                    "map" => Ok(Self::Map(inner)),
                    other => Err(format!("unknown type constructor `{other}`")),
                }
            }
            _ => Err("a type must be written as a type keyword".into()),
        }
    }

    /// Whether a value given on the command line or in the environment is taken as a plain
    /// string (primitive types) or parsed as an HCL expression (collections).
    pub(crate) fn is_primitive(&self) -> bool {
        matches!(self, Self::Any | Self::String | Self::Number | Self::Bool)
    }

    /// Converts a value to this type, or says why it does not fit.
    pub(crate) fn convert(&self, value: Value) -> Result<Value, String> {
        match (self, value) {
            (_, Value::Null) => Ok(Value::Null),
            (Self::Any, v)
            | (Self::String, v @ Value::String(_))
            | (Self::Number, v @ Value::Number(_))
            | (Self::Bool, v @ Value::Bool(_)) => Ok(v),
            (Self::String, Value::Number(n)) => Ok(Value::String(n.to_string())),
            (Self::String, Value::Bool(b)) => Ok(Value::String(b.to_string())),
            (Self::Number, Value::String(s)) => {
                if let Ok(i) = s.trim().parse::<i64>() {
                    Ok(Value::from(i))
                } else {
                    s.trim()
                        .parse::<f64>()
                        .ok()
                        .and_then(hcl::Number::from_f64)
                        .map(Value::Number)
                        .ok_or_else(|| format!("\"{s}\" is not a number"))
                }
            }
            (Self::Bool, Value::String(s)) if s == "true" || s == "false" => {
                Ok(Value::Bool(s == "true"))
            }
            (Self::List(inner) | Self::Set(inner), Value::Array(items)) => {
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.into_iter().enumerate() {
                    let item = inner
                        .convert(item)
                        .map_err(|e| format!("element {i}: {e}"))?;
                    if matches!(self, Self::Set(_)) && out.contains(&item) {
                        continue;
                    }
                    out.push(item);
                }
                Ok(Value::Array(out))
            }
            (Self::Map(inner), Value::Object(map)) => map
                .into_iter()
                .map(|(k, v)| match inner.convert(v) {
                    Ok(v) => Ok((k, v)),
                    Err(e) => Err(format!("key \"{k}\": {e}")),
                })
                .collect::<Result<hcl::Map<_, _>, _>>()
                .map(Value::Object),
            (ty, v) => Err(format!("expected {}, got {}", ty.describe(), kind_of(&v))),
        }
    }

    fn describe(&self) -> String {
        match self {
            Self::Any => "any value".into(),
            Self::String => "a string".into(),
            Self::Number => "a number".into(),
            Self::Bool => "a bool".into(),
            Self::List(inner) => format!("a list of {}", inner.plural()),
            Self::Set(inner) => format!("a set of {}", inner.plural()),
            Self::Map(inner) => format!("a map of {}", inner.plural()),
        }
    }

    fn plural(&self) -> String {
        match self {
            Self::Any => "values".into(),
            Self::String => "strings".into(),
            Self::Number => "numbers".into(),
            Self::Bool => "bools".into(),
            other => format!("({})", other.describe()),
        }
    }
}

fn kind_of(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Bool(b) => format!("the bool {b}"),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) => format!("the string \"{s}\""),
        Value::Array(_) => "a list".into(),
        Value::Object(_) => "a map".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ty(src: &str) -> TypeConstraint {
        TypeConstraint::parse(&hcl::edit::parser::parse_expr(src).unwrap()).unwrap()
    }

    #[test]
    fn parses_nested_types() {
        assert_eq!(
            ty("map(list(string))"),
            TypeConstraint::Map(Box::new(TypeConstraint::List(Box::new(
                TypeConstraint::String
            ))))
        );
    }

    #[test]
    fn converts_and_explains_mismatches() {
        assert_eq!(ty("number").convert(Value::from("8")), Ok(Value::from(8)));
        assert_eq!(
            ty("list(number)").convert(Value::Array(vec![Value::from("x")])),
            Err("element 0: \"x\" is not a number".into())
        );
        assert_eq!(
            ty("map(string)").convert(Value::from(true)),
            Err("expected a map of strings, got the bool true".into())
        );
    }
}
