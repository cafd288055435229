//! Variable type constraints (`string`, `list(string)`, `map(number)`, `object({ name = string,
//! port = optional(number, 443) })`, `tuple([string, number])`, ...) and conversion to them,
//! optional attributes' defaults applied at every depth (as Terraform ≥ 1.3).

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
    /// `object({...})`: each attribute's name and type, in the order written.
    Object(Vec<ObjectAttr>),
    Tuple(Vec<TypeConstraint>),
}

/// One attribute of an `object({...})` type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ObjectAttr {
    pub name: String,
    pub ty: TypeConstraint,
    /// `optional(TYPE)` may be left out (then null); `optional(TYPE, DEFAULT)` takes DEFAULT
    /// when left out or null.
    pub optional: bool,
    pub default: Option<Value>,
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
            Expression::FuncCall(call) if call.name.name.as_str() == "object" => {
                let args: Vec<&Expression> = call.args.iter().collect();
                let [Expression::Object(attrs)] = args.as_slice() else {
                    return Err(
                        "`object(...)` takes one `{ NAME = TYPE, ... }` of its attributes".into(),
                    );
                };
                let mut out: Vec<ObjectAttr> = Vec::new();
                for (key, value) in attrs {
                    let name = match key {
                        hcl::edit::expr::ObjectKey::Ident(i) => i.as_str().to_owned(),
                        hcl::edit::expr::ObjectKey::Expression(e) => e
                            .as_str()
                            .map(str::to_owned)
                            .ok_or("an object attribute is named by an identifier or a string")?,
                    };
                    if out.iter().any(|a| a.name == name) {
                        return Err(format!("the object type names `{name}` twice"));
                    }
                    let attr = Self::attribute(name.clone(), value.expr())
                        .map_err(|e| format!("attribute `{name}`: {e}"))?;
                    out.push(attr);
                }
                Ok(Self::Object(out))
            }
            Expression::FuncCall(call) if call.name.name.as_str() == "tuple" => {
                let args: Vec<&Expression> = call.args.iter().collect();
                let [Expression::Array(items)] = args.as_slice() else {
                    return Err("`tuple(...)` takes one `[TYPE, ...]` of its elements".into());
                };
                items
                    .iter()
                    .map(Self::parse)
                    .collect::<Result<Vec<_>, _>>()
                    .map(Self::Tuple)
            }
            Expression::FuncCall(call) if call.name.name.as_str() == "optional" => Err(
                "`optional(...)` marks an attribute inside `object({...})`, not a type of its own"
                    .into(),
            ),
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

    /// An object type's attribute: `TYPE`, `optional(TYPE)` or `optional(TYPE, DEFAULT)`.
    fn attribute(name: String, expr: &Expression) -> Result<ObjectAttr, String> {
        let Expression::FuncCall(call) = expr else {
            return Ok(ObjectAttr {
                name,
                ty: Self::parse(expr)?,
                optional: false,
                default: None,
            });
        };
        if call.name.name.as_str() != "optional" {
            return Ok(ObjectAttr {
                name,
                ty: Self::parse(expr)?,
                optional: false,
                default: None,
            });
        }
        let args: Vec<&Expression> = call.args.iter().collect();
        let (ty, default) = match args.as_slice() {
            [ty] => (Self::parse(ty)?, None),
            [ty, default] => {
                let ty = Self::parse(ty)?;
                let value = constant(default)?;
                let value = ty
                    .convert(value)
                    .map_err(|e| format!("the default does not fit the type: {e}"))?;
                (ty, Some(value))
            }
            _ => return Err("`optional(TYPE)` or `optional(TYPE, DEFAULT)`".into()),
        };
        Ok(ObjectAttr {
            name,
            ty,
            optional: true,
            default,
        })
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
            (Self::Object(attrs), Value::Object(mut map)) => {
                let mut out = hcl::Map::new();
                for a in attrs {
                    let given = map.shift_remove(&a.name).unwrap_or(Value::Null);
                    let value = match (given, &a.default) {
                        (Value::Null, Some(default)) => default.clone(),
                        (Value::Null, None) if !a.optional => {
                            return Err(format!("attribute `{}` is required", a.name));
                        }
                        (given, _) => {
                            a.ty.convert(given)
                                .map_err(|e| format!("attribute `{}`: {e}", a.name))?
                        }
                    };
                    out.insert(a.name.clone(), value);
                }
                // Attributes the type does not declare are dropped, as Terraform drops them.
                Ok(Value::Object(out))
            }
            (Self::Tuple(types), Value::Array(items)) => {
                if types.len() != items.len() {
                    return Err(format!(
                        "expected a tuple of {} elements, got {}",
                        types.len(),
                        items.len()
                    ));
                }
                types
                    .iter()
                    .zip(items)
                    .enumerate()
                    .map(|(i, (ty, item))| {
                        ty.convert(item).map_err(|e| format!("element {i}: {e}"))
                    })
                    .collect::<Result<Vec<_>, _>>()
                    .map(Value::Array)
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
            Self::Object(attrs) => format!(
                "an object with {}",
                if attrs.is_empty() {
                    "no attributes".to_owned()
                } else {
                    attrs
                        .iter()
                        .map(|a| format!("`{}`", a.name))
                        .collect::<Vec<_>>()
                        .join(", ")
                }
            ),
            Self::Tuple(types) => format!("a tuple of {} elements", types.len()),
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

/// A default written in a type (`optional(number, 443)`): a constant expression.
fn constant(expr: &Expression) -> Result<Value, String> {
    use hcl::eval::Evaluate as _;
    hcl::Expression::from(expr.clone())
        .evaluate(&super::functions::context())
        .map_err(|e| format!("the default must be a constant: {e}"))
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

    /// `testdata/types/cases.txt`: a type, a value, and what the value becomes.
    #[test]
    fn structural_types_as_documented() {
        use hcl::eval::Evaluate as _;
        let cases = include_str!("../../testdata/types/cases.txt");
        let mut checked = 0;
        for case in cases.split("\n\n") {
            let lines: Vec<&str> = case.lines().filter(|l| !l.starts_with('#')).collect();
            if lines.is_empty() {
                continue;
            }
            let field = |name: &str| {
                lines
                    .iter()
                    .find_map(|l| l.strip_prefix(name))
                    .map_or_else(|| panic!("a case without `{name}`: {case}"), str::trim)
            };
            let (ty_src, value_src, want) = (field("type:"), field("value:"), field("=>"));
            let parsed = hcl::edit::parser::parse_expr(ty_src)
                .map_err(|e| e.to_string())
                .and_then(|e| TypeConstraint::parse(&e));
            let got = parsed.and_then(|ty| {
                let value =
                    hcl::Expression::from(hcl::edit::parser::parse_expr(value_src).unwrap())
                        .evaluate(&hcl::eval::Context::new())
                        .unwrap();
                ty.convert(value)
            });
            match (got, want.strip_prefix("error: ")) {
                (Ok(v), None) => assert_eq!(
                    serde_json::to_value(&v).unwrap(),
                    serde_json::from_str::<serde_json::Value>(want).unwrap(),
                    "{ty_src} of {value_src}"
                ),
                (Err(e), Some(part)) => {
                    assert!(
                        e.contains(part),
                        "{ty_src} of {value_src}: `{e}` lacks `{part}`"
                    );
                }
                (got, _) => panic!("{ty_src} of {value_src}: got {got:?}, expected {want}"),
            }
            checked += 1;
        }
        assert!(checked >= 12, "only {checked} cases");
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
