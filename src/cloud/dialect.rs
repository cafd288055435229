//! How the emulator varies its answers within what the public sources show the VPCEP API
//! answers (`vpcep emulator --dialect`), so the client is tested against every shape it may
//! meet rather than against one shape it shares with the emulator:
//!
//! - `reference`: the OTC API reference's examples (`opentelekomcloud-docs/vpc-endpoint`,
//!   `api-ref/source/apis/**`): decorated service names, `updated_at`, RFC 3339 timestamps with
//!   a zone, `connection_count` in lists, errors as `{error_code, error_msg}`.
//! - `sdk`: the OTC Go SDK's test fixtures (`opentelekomcloud/gophertelekomcloud`
//!   `openstack/vpcep/v1/**/testing/fixtures.go`): undecorated names, services' `update_at`, timestamps
//!   without a zone and with milliseconds, no `connection_count`, no empty `description`
//!   (both SDKs' models omit it), the wildcard permission listed
//!   as `*`, codes spelled `Endpoint.xxxx` (as the reference's accept/reject example does),
//!   errors as `{error_code, error_message}` (the Huawei SDK's `QueryError`), and accepted
//!   connections that settle one poll later.
//! - `huawei`: the Huawei Go SDK's models (`huaweicloud/huaweicloud-sdk-go-v3`
//!   `services/vpcep/v1/model`): timestamps as `2006-01-02 15:04:05`, `enable_dns` and
//!   errors as `{code, message}` (`model_error.go`).

use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Dialect {
    #[default]
    Reference,
    Sdk,
    Huawei,
}

impl Dialect {
    /// Whether an accept is reported `pendingAcceptance` once more before it settles.
    pub fn settles_later(self) -> bool {
        self == Dialect::Sdk
    }

    /// Rewrites a 2xx answer body into this dialect.
    pub fn answer(self, body: Value) -> Value {
        match self {
            Dialect::Reference => body,
            _ => self.walk(body, None),
        }
    }

    /// An error body in this dialect's shape.
    pub fn error(self, code: &str, message: &str) -> Value {
        match self {
            Dialect::Reference => serde_json::json!({"error_code": code, "error_msg": message}),
            Dialect::Sdk => {
                let code = code.replacen("EndPoint.", "Endpoint.", 1);
                serde_json::json!({"error_code": code, "error_message": message})
            }
            Dialect::Huawei => serde_json::json!({"code": code, "message": message}),
        }
    }

    fn walk(self, value: Value, key: Option<&str>) -> Value {
        match value {
            Value::Object(map) => {
                // The SDK fixtures spell `update_at` for services only.
                let service = map.contains_key("port_id");
                let mut out = serde_json::Map::new();
                for (k, v) in map {
                    if self == Dialect::Sdk && k == "connection_count" {
                        continue;
                    }
                    // The Go SDKs' models mark `description` `omitempty`: an empty one is
                    // answered as absent.
                    if k == "description" && v.as_str() == Some("") {
                        continue;
                    }
                    let v = self.walk(v, Some(&k));
                    let k = match (self, k.as_str()) {
                        (Dialect::Sdk, "updated_at") if service => "update_at".to_owned(),
                        _ => k,
                    };
                    out.insert(k, v);
                }
                // Undecorated names: `region.name.id` becomes `name` (or the ID).
                if self == Dialect::Sdk
                    && let (Some(Value::String(name)), Some(Value::String(id))) =
                        (out.get("service_name"), out.get("id"))
                {
                    let bare =
                        crate::cloud::api::undecorate(name, id).unwrap_or_else(|| id.clone());
                    out.insert("service_name".into(), Value::String(bare));
                }
                Value::Object(out)
            }
            Value::Array(items) => {
                Value::Array(items.into_iter().map(|v| self.walk(v, key)).collect())
            }
            Value::String(s) => Value::String(match key {
                Some("created_at" | "updated_at") => self.timestamp(&s),
                Some("permission") if self == Dialect::Sdk && s == "iam:domain::*" => "*".into(),
                _ => s,
            }),
            other => other,
        }
    }

    /// `2026-11-25T21:11:44Z` in this dialect's format.
    fn timestamp(self, rfc3339: &str) -> String {
        let Some(plain) = rfc3339.strip_suffix('Z') else {
            return rfc3339.to_owned();
        };
        match self {
            Dialect::Reference => rfc3339.to_owned(),
            Dialect::Sdk => format!("{plain}.174"),
            Dialect::Huawei => plain.replacen('T', " ", 1),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_dialect_reshapes_as_its_source_does() {
        let service = serde_json::json!({
            "id": "4189d3c2-8882-4871-a3c2-d380272eed83",
            "port_id": "port-1",
            "service_name": "eu-de.orders.4189d3c2-8882-4871-a3c2-d380272eed83",
            "connection_count": 0,
            "created_at": "2026-11-25T21:11:44Z",
            "updated_at": "2026-11-25T21:11:44Z",
        });
        let sdk = Dialect::Sdk.answer(service.clone());
        assert_eq!(sdk["service_name"], "orders");
        assert_eq!(sdk["created_at"], "2026-11-25T21:11:44.174");
        assert_eq!(sdk["update_at"], "2026-11-25T21:11:44.174");
        assert!(sdk.get("connection_count").is_none());
        let huawei = Dialect::Huawei.answer(service.clone());
        assert_eq!(huawei["created_at"], "2026-11-25 21:11:44");
        assert_eq!(Dialect::Reference.answer(service.clone()), service);
        assert_eq!(
            Dialect::Sdk.error("EndPoint.2019", "x")["error_code"],
            "Endpoint.2019"
        );
    }
}
