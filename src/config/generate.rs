//! Configuration written from cloud objects (`plan --generate-config-out`, `import --all`):
//! one resource block per object with the attributes that differ from vpcep's defaults, and
//! `import` blocks, laid out as `vpcep fmt` lays them out.

use crate::model::schema::{DefaultValue, schema};
use crate::model::{Address, Map, ResourceType, Value};
use std::fmt::Write as _;

/// What the generated configuration may write as a reference instead of a cloud ID (an
/// endpoint's `service_id` as `vpcep_service.orders.id` when that service is generated too).
pub type Reference<'a> = &'a dyn Fn(&str) -> Option<String>;

/// The resource block of `address` (a resource without a key) for the object read as `attrs`.
pub fn resource_block(
    address: &Address,
    attrs: &Map,
    provider: Option<&str>,
    reference: Reference<'_>,
) -> String {
    let rtype = address.rtype();
    let schema = schema(rtype);
    let mut text = format!(
        "resource \"{}\" \"{}\" {{\n",
        rtype.as_str(),
        address.resource.name
    );
    if let Some(provider) = provider {
        let _ = writeln!(text, "  provider = {provider}");
    }
    for a in schema.attrs {
        let value = attrs.get(a.name).unwrap_or(&Value::Null);
        if !worth_writing(rtype, a.name, value, a.default) {
            continue;
        }
        let written = match (a.name, value) {
            ("service_id", Value::String(id)) => reference(id),
            ("endpoints", Value::List(ids)) => {
                let items: Option<Vec<String>> = ids
                    .iter()
                    .map(|v| {
                        v.as_str()
                            .map(|id| reference(id).unwrap_or_else(|| literal(v)))
                    })
                    .collect();
                items.map(|items| format!("[{}]", items.join(", ")))
            }
            _ => None,
        };
        let _ = writeln!(
            text,
            "  {} = {}",
            a.name,
            written.unwrap_or_else(|| literal(value))
        );
    }
    for block in schema.blocks {
        let Some(Value::List(items)) = attrs.get(block.name) else {
            continue;
        };
        for item in items {
            let Value::Map(fields) = item else {
                continue;
            };
            let _ = writeln!(text, "\n  {} {{", block.name);
            for f in block.attrs {
                let value = fields.get(f.name).unwrap_or(&Value::Null);
                if f.required || value != &f.default.value() {
                    let _ = writeln!(text, "    {} = {}", f.name, literal(value));
                }
            }
            text.push_str("  }\n");
        }
    }
    text.push_str("}\n");
    text
}

/// Whether an attribute read from the cloud says something the configuration must say: not
/// vpcep's default, and not one of the cloud's own fillings (the default enterprise project
/// `0`, an endpoint's unset whitelist switch).
fn worth_writing(rtype: ResourceType, name: &str, value: &Value, default: DefaultValue) -> bool {
    if value == &default.value() || matches!(value, Value::Null | Value::Unknown) {
        return false;
    }
    match (rtype, name, value) {
        (_, "enterprise_project_id", Value::String(s)) => s.as_str() != "0",
        (ResourceType::Endpoint, "enable_whitelist", Value::Bool(b)) => *b,
        (_, _, Value::List(items)) if default == DefaultValue::Null => !items.is_empty(),
        (_, _, Value::Map(map)) if default == DefaultValue::Null => !map.is_empty(),
        _ => true,
    }
}

/// `import { to = ADDRESS  id = "ID" }`.
pub fn import_block(address: &Address, id: &str) -> String {
    format!(
        "import {{\n  to = {address}\n  id = {}\n}}\n",
        literal(&Value::from(id))
    )
}

/// A value as HCL.
fn literal(value: &Value) -> String {
    super::migrate::hcl_literal(&value.to_json(), 1)
}

/// The blocks as one file, after a comment, formatted.
pub fn file(header: &str, blocks: &[String]) -> String {
    let mut text = String::new();
    for line in header.lines() {
        let _ = writeln!(text, "# {line}");
    }
    for block in blocks {
        text.push('\n');
        text.push_str(block);
    }
    let source = crate::diag::SourceFile::new("generated.hcl", text.as_str(), 0);
    super::layout::format(&source).unwrap_or(text)
}

/// `name` made a valid, unique resource name: lower-case letters, digits and `_` (anything
/// else becomes `_`), starting with a letter or `_`; `taken` holds the names used so far (the new one is added).
pub fn resource_name(name: &str, taken: &mut std::collections::BTreeSet<String>) -> String {
    let mut base: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    if !base.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        base.insert(0, '_');
    }
    let mut candidate = base.clone();
    let mut n = 2;
    while taken.contains(&candidate) {
        candidate = format!("{base}_{n}");
        n += 1;
    }
    taken.insert(candidate.clone());
    candidate
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_made_valid_and_unique() {
        let mut taken = std::collections::BTreeSet::new();
        assert_eq!(resource_name("Orders API", &mut taken), "orders_api");
        assert_eq!(resource_name("orders-api", &mut taken), "orders_api_2");
        assert_eq!(resource_name("1st", &mut taken), "_1st");
        assert_eq!(resource_name("", &mut taken), "_");
    }
}
