//! Terraform's state file (format version 4, as `terraform state pull` prints it too) as far as
//! a migration reads it, and the recorded attributes of a VPCEP resource of the
//! `opentelekomcloud` or `huaweicloud` provider in vpcep's terms.

use crate::cloud::convert::{approval_attrs, endpoint_attrs, service_attrs};
use crate::cloud::types::{Connection, Endpoint, PortMapping, Service};
use crate::config::migrate::kinds::{Kind, Origin};
use crate::model::ResourceType;
use serde::Deserialize;
use serde_json::Value as J;

#[derive(Debug, Deserialize)]
pub struct TfState {
    pub version: u64,
    #[serde(default)]
    pub serial: u64,
    #[serde(default)]
    pub lineage: String,
    #[serde(default)]
    pub resources: Vec<TfResource>,
    #[serde(default)]
    pub outputs: indexmap::IndexMap<String, TfOutput>,
}

#[derive(Debug, Deserialize)]
pub struct TfOutput {
    #[serde(default)]
    pub value: J,
    #[serde(default)]
    pub sensitive: bool,
}

#[derive(Debug, Deserialize)]
pub struct TfResource {
    #[serde(default)]
    pub module: Option<String>,
    pub mode: String,
    #[serde(rename = "type")]
    pub tf_type: String,
    pub name: String,
    #[serde(default)]
    pub provider: String,
    #[serde(default)]
    pub instances: Vec<TfInstance>,
}

#[derive(Debug, Deserialize)]
pub struct TfInstance {
    #[serde(default)]
    pub index_key: Option<J>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub deposed: Option<String>,
    #[serde(default)]
    pub attributes: serde_json::Map<String, J>,
    #[serde(default)]
    pub sensitive_attributes: Vec<J>,
    #[serde(default)]
    pub dependencies: Vec<String>,
}

impl TfState {
    /// Parses a state file's text; only format version 4 (Terraform ≥ 0.12, `OpenTofu`) is read.
    pub fn parse(text: &str) -> Result<TfState, String> {
        let state: TfState =
            serde_json::from_str(text).map_err(|e| format!("it is not a Terraform state: {e}"))?;
        if state.version != 4 {
            return Err(format!(
                "it is a Terraform state of format version {}; vpcep reads version 4 (run `terraform apply -refresh-only` with Terraform 0.12 or later to upgrade it)",
                state.version
            ));
        }
        Ok(state)
    }

    /// The root module's resource `tf_type.name` of `mode` (`managed` or `data`).
    pub fn find(&self, mode: &str, tf_type: &str, name: &str) -> Option<&TfResource> {
        self.resources.iter().find(|r| {
            r.module.is_none() && r.mode == mode && r.tf_type == tf_type && r.name == name
        })
    }
}

impl TfResource {
    /// The alias of the provider the resource was managed with
    /// (`provider["registry.terraform.io/opentelekomcloud/opentelekomcloud"].partner`).
    pub fn provider_alias(&self) -> Option<String> {
        let (_, after) = self.provider.rsplit_once("\"]")?;
        after.strip_prefix('.').map(str::to_owned)
    }

    /// The current instances (deposed objects of a create-before-destroy left out).
    pub fn current(&self) -> impl Iterator<Item = &TfInstance> {
        self.instances.iter().filter(|i| i.deposed.is_none())
    }
}

impl TfInstance {
    pub fn id(&self) -> Option<&str> {
        self.attributes.get("id").and_then(J::as_str)
    }

    /// Whether Terraform marks the attribute `name` (or something inside it) sensitive.
    pub fn is_sensitive(&self, name: &str) -> bool {
        self.sensitive_attributes.iter().any(|path| {
            path.as_array()
                .and_then(|steps| steps.first())
                .and_then(|step| step.get("value"))
                .and_then(J::as_str)
                == Some(name)
        })
    }
}

/// The enterprise project the API reports for an object made without one (the OTC provider
/// does not record it).
const DEFAULT_PROJECT: &str = "0";

fn text(a: &serde_json::Map<String, J>, name: &str) -> Option<String> {
    a.get(name)
        .and_then(J::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

fn text_or(a: &serde_json::Map<String, J>, name: &str, default: &str) -> String {
    text(a, name).unwrap_or_else(|| default.to_owned())
}

fn flag(a: &serde_json::Map<String, J>, name: &str) -> Option<bool> {
    a.get(name).and_then(J::as_bool)
}

fn strings(a: &serde_json::Map<String, J>, name: &str) -> Vec<String> {
    a.get(name)
        .and_then(J::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(J::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

fn string_map(a: &serde_json::Map<String, J>, name: &str) -> indexmap::IndexMap<String, String> {
    a.get(name)
        .and_then(J::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned())))
                .collect()
        })
        .unwrap_or_default()
}

fn port(m: &J, key: &str) -> u16 {
    m.get(key)
        .and_then(J::as_u64)
        .and_then(|n| u16::try_from(n).ok())
        .unwrap_or(0)
}

/// What refresh would record for the instance, from what Terraform recorded (the next
/// refresh reads the cloud again; this is what the plan starts from).
pub fn recorded_attrs(kind: Kind, a: &serde_json::Map<String, J>) -> crate::model::Map {
    let huawei = kind.origin == Origin::Huawei;
    let id = text_or(a, "id", "");
    match kind.rtype {
        ResourceType::Service => recorded_service(a, id, huawei),
        ResourceType::Endpoint => recorded_endpoint(a, id, huawei),
        ResourceType::Approval => recorded_approval(a, &id),
    }
}

/// A service as Terraform's state records it (each provider's attribute names), as vpcep's
/// refresh would record it.
fn recorded_service(a: &serde_json::Map<String, J>, id: String, huawei: bool) -> crate::model::Map {
    let mappings = a
        .get(if huawei { "port_mapping" } else { "port" })
        .and_then(J::as_array)
        .cloned()
        .unwrap_or_default();
    let (server, client) = if huawei {
        ("service_port", "terminal_port")
    } else {
        ("server_port", "client_port")
    };
    let whitelist = strings(a, if huawei { "permissions" } else { "whitelist" })
        .iter()
        .filter_map(|w| crate::config::normalize_whitelist_entry(w))
        .collect();
    let service = Service {
        id,
        domain_id: String::new(),
        name: text(a, "name"),
        service_name: text_or(a, "service_name", ""),
        server_type: text_or(a, "server_type", "").to_uppercase(),
        port_id: text_or(a, "port_id", ""),
        vpc_id: text_or(a, "vpc_id", ""),
        service_type: text_or(a, "service_type", "interface").to_lowercase(),
        approval_enabled: flag(
            a,
            if huawei {
                "approval"
            } else {
                "approval_enabled"
            },
        )
        .unwrap_or(!huawei),
        status: text_or(a, "status", "available"),
        ports: mappings
            .iter()
            .map(|m| PortMapping {
                protocol: m
                    .get("protocol")
                    .and_then(J::as_str)
                    .filter(|p| !p.is_empty())
                    .unwrap_or("TCP")
                    .to_uppercase(),
                server_port: port(m, server),
                client_port: port(m, client),
            })
            .collect(),
        whitelist,
        tags: string_map(a, "tags"),
        description: text(a, "description"),
        tcp_proxy: text_or(a, "tcp_proxy", "close"),
        connection_count: None,
        created_at: text_or(a, "created_at", ""),
        enterprise_project_id: Some(text_or(a, "enterprise_project_id", DEFAULT_PROJECT)),
        error: None,
    };
    service_attrs(&service)
}

/// An endpoint as Terraform's state records it, as vpcep's refresh would record it.
fn recorded_endpoint(
    a: &serde_json::Map<String, J>,
    id: String,
    huawei: bool,
) -> crate::model::Map {
    let endpoint = Endpoint {
        id,
        domain_id: String::new(),
        service_id: text_or(a, "service_id", ""),
        service_name: text_or(a, "service_name", ""),
        vpc_id: text_or(a, "vpc_id", ""),
        subnet_id: text(a, if huawei { "network_id" } else { "subnet_id" }),
        // The providers read the endpoint's address back into `port_ip`
        // (`ip_address`), as vpcep's refresh does.
        port_ip: text(a, if huawei { "ip_address" } else { "port_ip" }),
        ip: text(a, if huawei { "ip_address" } else { "port_ip" }),
        enable_dns: flag(a, "enable_dns").unwrap_or(huawei),
        whitelist: strings(a, "whitelist"),
        enable_whitelist: flag(a, "enable_whitelist").unwrap_or(false),
        route_tables: strings(
            a,
            if huawei {
                "routetables"
            } else {
                "route_tables"
            },
        ),
        policy: Vec::new(),
        tags: string_map(a, "tags"),
        description: text(a, "description"),
        enterprise_project_id: Some(text_or(a, "enterprise_project_id", DEFAULT_PROJECT)),
        status: text_or(a, "status", "accepted"),
        created_at: text_or(a, "created_at", ""),
        updated_at: text_or(a, "updated_at", ""),
        dns_names: strings(a, "dns_names"),
        marker_id: a
            .get(if huawei { "packet_id" } else { "marker_id" })
            .and_then(J::as_u64),
        service_type: text_or(a, "service_type", "interface"),
        project_id: text(a, "project_id"),
    };
    endpoint_attrs(&endpoint)
}

/// An approval as Terraform's state records it, as vpcep's refresh would record it.
fn recorded_approval(a: &serde_json::Map<String, J>, id: &str) -> crate::model::Map {
    let service_id = text_or(a, "service_id", id);
    let connections: Vec<Connection> = a
        .get("connections")
        .and_then(J::as_array)
        .map(|items| {
            items
                .iter()
                .map(|c| Connection {
                    endpoint_id: c
                        .get("endpoint_id")
                        .and_then(J::as_str)
                        .unwrap_or_default()
                        .to_owned(),
                    domain_id: c
                        .get("domain_id")
                        .and_then(J::as_str)
                        .unwrap_or_default()
                        .to_owned(),
                    status: c
                        .get("status")
                        .and_then(J::as_str)
                        .unwrap_or_default()
                        .to_owned(),
                    created_at: String::new(),
                    updated_at: String::new(),
                    marker_id: c.get("packet_id").and_then(J::as_u64),
                    description: None,
                })
                .collect()
        })
        .unwrap_or_default();
    approval_attrs(&service_id, &strings(a, "endpoints"), &[], &connections)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_provider_alias_is_read_from_the_provider_address() {
        let r = |p: &str| TfResource {
            module: None,
            mode: "managed".into(),
            tf_type: "x".into(),
            name: "y".into(),
            provider: p.into(),
            instances: Vec::new(),
        };
        assert_eq!(
            r("provider[\"registry.terraform.io/opentelekomcloud/opentelekomcloud\"].partner")
                .provider_alias()
                .as_deref(),
            Some("partner")
        );
        assert_eq!(
            r("provider[\"registry.terraform.io/opentelekomcloud/opentelekomcloud\"]")
                .provider_alias(),
            None
        );
    }

    #[test]
    fn only_format_version_four_is_read() {
        assert!(
            TfState::parse(r#"{"version": 3, "serial": 1, "modules": []}"#)
                .unwrap_err()
                .contains("version 3")
        );
        assert!(
            TfState::parse("[]")
                .unwrap_err()
                .contains("not a Terraform state")
        );
    }
}
