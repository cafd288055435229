//! Encoding and hashing functions: `jsonencode jsondecode base64encode sha256`.

// hcl-rs calls functions through `fn(FuncArgs) -> ...` pointers: arguments come by value.
#![allow(clippy::needless_pass_by_value)]

use super::want_str;
use hcl::Value;
use hcl::eval::FuncArgs;

/// A value as JSON text, object keys sorted as Terraform writes them.
pub(super) fn sorted_json(v: &Value) -> serde_json::Value {
    match v {
        Value::Null => serde_json::Value::Null,
        Value::Bool(b) => serde_json::Value::Bool(*b),
        Value::Number(n) => serde_json::to_value(n).unwrap_or(serde_json::Value::Null),
        Value::String(s) => serde_json::Value::String(s.clone()),
        Value::Array(items) => serde_json::Value::Array(items.iter().map(sorted_json).collect()),
        Value::Object(map) => {
            let mut entries: Vec<_> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            serde_json::Value::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (k.clone(), sorted_json(v)))
                    .collect(),
            )
        }
    }
}

pub(super) fn jsonencode(args: FuncArgs) -> Result<Value, String> {
    let text = sorted_json(&args[0]).to_string();
    // Escaping can make the text longer than the value it encodes.
    super::super::budget::volume(text.len() as u64)?;
    Ok(Value::String(text))
}

pub(super) fn jsondecode(args: FuncArgs) -> Result<Value, String> {
    let text = want_str(&args[0], "the JSON text")?;
    let json: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("the text is not valid JSON: {e}"))?;
    hcl::to_value(json).map_err(|e| e.to_string())
}

pub(super) fn base64encode(args: FuncArgs) -> Result<Value, String> {
    use base64::Engine as _;
    let text = want_str(&args[0], "the text")?;
    Ok(Value::String(
        base64::engine::general_purpose::STANDARD.encode(text.as_bytes()),
    ))
}

/// `sha256(text)`: the SHA-256 of the text's UTF-8 bytes, as lower-case hex.
pub(super) fn sha256(args: FuncArgs) -> Result<Value, String> {
    use sha2::Digest as _;
    use std::fmt::Write as _;
    let text = want_str(&args[0], "the text")?;
    let digest = sha2::Sha256::digest(text.as_bytes());
    Ok(Value::String(digest.iter().fold(
        String::with_capacity(64),
        |mut hex, b| {
            let _ = write!(hex, "{b:02x}");
            hex
        },
    )))
}
