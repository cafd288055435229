//! The VPCEP v1 REST API's JSON shapes (spec sections 4–6) as typed wire structs, shared by the
//! HTTP client (which decodes answers and encodes requests) and the emulator (which does the
//! opposite). Both are held to fixtures written in the shapes of the public API reference and
//! SDKs (`testdata/api/`), so sharing the types cannot hide a shape the real API does not use.
//!
//! Decoding is strict where vpcep relies on a field: a 2xx answer without the expected shape is
//! an error naming the operation, never an empty list, an empty ID or a port 0. Fields the API
//! may leave out are `Option`s; unknown fields are ignored, as the API adds fields over time.

use super::types::{
    CloudError, Connection, Endpoint, EndpointSpec, PolicyStatement, PortMapping, Quotas, Service,
    ServiceSpec, ServiceUpdate,
};
use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

/// The code of an error vpcep raises for an answer it cannot read (retried like a lost answer).
pub const MALFORMED: &str = "vpcep.MalformedAnswer";

/// Decodes a 2xx answer's body as `T`; `operation` names the request in the error.
pub fn decode<T: serde::de::DeserializeOwned>(
    body: &[u8],
    operation: &str,
    status: u16,
) -> Result<T, CloudError> {
    serde_json::from_slice(body).map_err(|e| {
        let shown: String = String::from_utf8_lossy(body).chars().take(80).collect();
        CloudError::new(
            status,
            MALFORMED,
            format!(
                "the answer to {operation} is not what the VPCEP API sends ({e}); it began with {shown:?}"
            ),
        )
    })
}

/// A boolean the API may send as `true` or as `"true"` (the Swiss reference's examples).
fn lenient_bool<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Lenient {
        Bool(bool),
        Text(String),
    }
    match Option::<Lenient>::deserialize(d)? {
        None => Ok(None),
        Some(Lenient::Bool(b)) => Ok(Some(b)),
        Some(Lenient::Text(t)) if t.eq_ignore_ascii_case("true") => Ok(Some(true)),
        Some(Lenient::Text(t)) if t.eq_ignore_ascii_case("false") => Ok(Some(false)),
        Some(Lenient::Text(t)) => Err(serde::de::Error::custom(format!(
            "expected a boolean, not {t:?}"
        ))),
    }
}

/// A number the API may make large or negative, read as 64-bit and saturated into `u32`: a
/// quota of 2^40 is "unlimited" here, not an unreadable answer. A negative count is 0, a
/// negative limit (`-1`, as some APIs write "no limit") the largest there is.
fn saturating<'de, D: serde::Deserializer<'de>>(
    d: D,
    negative: u32,
) -> Result<Option<u32>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Number {
        Unsigned(u64),
        Signed(i64),
        Float(f64),
    }
    Ok(Option::<Number>::deserialize(d)?.map(|n| match n {
        Number::Unsigned(u) => u32::try_from(u).unwrap_or(u32::MAX),
        Number::Signed(i) if i < 0 => negative,
        Number::Signed(i) => u32::try_from(i).unwrap_or(u32::MAX),
        Number::Float(f) if f < 0.0 => negative,
        // `as` saturates, and a NaN is 0.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        Number::Float(f) => f as u32,
    }))
}

/// A count ([`saturating`]; negative is 0), required.
fn count_u32<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    saturating(d, 0)?.ok_or_else(|| serde::de::Error::custom("expected a number, not null"))
}

/// A count ([`saturating`]; negative is 0), optional.
fn opt_count_u32<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    saturating(d, 0)
}

/// A limit ([`saturating`]; negative is no limit), required.
fn limit_u32<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    saturating(d, u32::MAX)?.ok_or_else(|| serde::de::Error::custom("expected a number, not null"))
}

/// A value the API says is required and non-empty.
fn non_empty(value: &str, field: &str) -> Result<(), String> {
    if value.is_empty() {
        Err(format!("`{field}` is empty"))
    } else {
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortWire {
    pub client_port: u16,
    pub server_port: u16,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
}

impl PortWire {
    fn to_model(&self) -> Result<PortMapping, String> {
        if self.client_port == 0 || self.server_port == 0 {
            return Err("a port mapping has port 0".into());
        }
        Ok(PortMapping {
            protocol: self.protocol.clone().unwrap_or_else(|| "TCP".into()),
            server_port: self.server_port,
            client_port: self.client_port,
        })
    }

    fn from_model(p: &PortMapping) -> Self {
        PortWire {
            client_port: p.client_port,
            server_port: p.server_port,
            protocol: Some(p.protocol.clone()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TagWire {
    pub key: String,
    /// Required to create a tag; may be left out to delete by key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

fn tags_to_wire(tags: &IndexMap<String, String>) -> Vec<TagWire> {
    tags.iter()
        .map(|(k, v)| TagWire {
            key: k.clone(),
            value: Some(v.clone()),
        })
        .collect()
}

fn tags_from_wire(tags: Option<&Vec<TagWire>>) -> IndexMap<String, String> {
    tags.map(|t| {
        t.iter()
            .map(|t| (t.key.clone(), t.value.clone().unwrap_or_default()))
            .collect()
    })
    .unwrap_or_default()
}

/// One item of an asynchronous failure: OTC `{error_code, error_message}`, Huawei
/// `{code, message}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailureWire {
    #[serde(default, alias = "code", skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    #[serde(default, alias = "message", skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
}

// ---------------------------------------------------------------------------------------------
// Endpoint services

/// `POST /v1/{project_id}/vpc-endpoint-services`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateServiceRequest {
    pub port_id: String,
    pub vpc_id: String,
    pub server_type: String,
    pub ports: Vec<PortWire>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approval_enabled: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tcp_proxy: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<TagWire>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enterprise_project_id: Option<String>,
}

impl CreateServiceRequest {
    pub fn from_spec(spec: &ServiceSpec) -> Self {
        CreateServiceRequest {
            port_id: spec.port_id.clone(),
            vpc_id: spec.vpc_id.clone(),
            server_type: spec.server_type.clone(),
            ports: spec.ports.iter().map(PortWire::from_model).collect(),
            service_type: Some(spec.service_type.clone()),
            approval_enabled: Some(spec.approval_enabled),
            service_name: spec.name.clone(),
            description: spec.description.clone(),
            tcp_proxy: Some(spec.tcp_proxy.clone()),
            tags: Some(tags_to_wire(&spec.tags)),
            enterprise_project_id: spec.enterprise_project_id.clone(),
        }
    }

    /// What the request asks for; port mappings are checked by the caller (the simulator
    /// answers with the API's codes).
    pub fn to_spec(&self) -> ServiceSpec {
        ServiceSpec {
            name: self.service_name.clone().filter(|n| !n.is_empty()),
            server_type: self.server_type.clone(),
            port_id: self.port_id.clone(),
            vpc_id: self.vpc_id.clone(),
            service_type: self
                .service_type
                .clone()
                .unwrap_or_else(|| "interface".into()),
            approval_enabled: self.approval_enabled.unwrap_or(true),
            ports: self
                .ports
                .iter()
                .map(|p| PortMapping {
                    protocol: p.protocol.clone().unwrap_or_else(|| "TCP".into()),
                    server_port: p.server_port,
                    client_port: p.client_port,
                })
                .collect(),
            whitelist: Vec::new(),
            tags: tags_from_wire(self.tags.as_ref()),
            description: self.description.clone().filter(|d| !d.is_empty()),
            tcp_proxy: self.tcp_proxy.clone().unwrap_or_else(|| "close".into()),
            enterprise_project_id: self.enterprise_project_id.clone().filter(|e| !e.is_empty()),
        }
    }
}

/// `PUT /v1/{project_id}/vpc-endpoint-services/{id}`: a partial update.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpdateServiceRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approval_enabled: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tcp_proxy: Option<String>,
}

impl UpdateServiceRequest {
    pub fn from_update(u: &ServiceUpdate) -> Self {
        UpdateServiceRequest {
            service_name: u.name.as_ref().map(|n| n.clone().unwrap_or_default()),
            port_id: u.port_id.clone(),
            approval_enabled: u.approval_enabled,
            description: u
                .description
                .as_ref()
                .map(|d| d.clone().unwrap_or_default()),
            tcp_proxy: u.tcp_proxy.clone(),
        }
    }

    pub fn to_update(&self) -> ServiceUpdate {
        ServiceUpdate {
            name: self
                .service_name
                .as_ref()
                .map(|n| Some(n.clone()).filter(|n| !n.is_empty())),
            port_id: self.port_id.clone(),
            approval_enabled: self.approval_enabled,
            description: self
                .description
                .as_ref()
                .map(|d| Some(d.clone()).filter(|d| !d.is_empty())),
            tcp_proxy: self.tcp_proxy.clone(),
        }
    }
}

/// A service as GET, list, create and update answer it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceWire {
    pub id: String,
    pub status: String,
    pub port_id: String,
    pub vpc_id: String,
    pub server_type: String,
    pub approval_enabled: bool,
    pub ports: Vec<PortWire>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_type: Option<String>,
    /// Decorated (`region.name.id`) or not: every reference example shows it undecorated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tcp_proxy: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<TagWire>>,
    /// Endpoints in `creating` or `accepted` status; in the list only, not in every answer.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_count_u32"
    )]
    pub connection_count: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enterprise_project_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// `updated_at` in the reference, `update_at` in the SDK fixtures.
    #[serde(default, alias = "update_at", skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<Vec<FailureWire>>,
}

/// The undecorated name of a service: `name` in `region.name.id`, none in `region.id`, and an
/// undecorated name as it is.
pub fn undecorate(service_name: &str, id: &str) -> Option<String> {
    let parts: Vec<&str> = service_name.split('.').collect();
    match parts.as_slice() {
        [] | [""] => None,
        [name] => Some((*name).to_owned()).filter(|n| n != id),
        [_, name, rest @ ..] if !rest.is_empty() && *name != id => Some((*name).to_owned()),
        _ => None,
    }
}

/// A service's whitelist from its permission list: the owner's own account (`owner`, when
/// known), which the list may show, is not a whitelist entry.
pub fn whitelist_of(owner: &str, mut permissions: Vec<String>) -> Vec<String> {
    if !owner.is_empty() {
        let own = format!("iam:domain::{owner}");
        permissions.retain(|w| !w.eq_ignore_ascii_case(&own));
    }
    permissions
}

impl ServiceWire {
    /// The service, with the whitelist read separately (it is not part of the object).
    pub fn to_model(&self, whitelist: Vec<String>) -> Result<Service, String> {
        let whitelist = whitelist_of(self.domain_id.as_deref().unwrap_or_default(), whitelist);
        non_empty(&self.id, "id")?;
        non_empty(&self.status, "status")?;
        let ports = self
            .ports
            .iter()
            .map(PortWire::to_model)
            .collect::<Result<_, _>>()?;
        let service_name = self.service_name.clone().unwrap_or_default();
        Ok(Service {
            name: undecorate(&service_name, &self.id),
            domain_id: self.domain_id.clone().unwrap_or_default(),
            service_name,
            server_type: self.server_type.clone(),
            port_id: self.port_id.clone(),
            vpc_id: self.vpc_id.clone(),
            service_type: self
                .service_type
                .clone()
                .unwrap_or_else(|| "interface".into()),
            approval_enabled: self.approval_enabled,
            status: self.status.clone(),
            ports,
            whitelist,
            tags: tags_from_wire(self.tags.as_ref()),
            description: self.description.clone().filter(|d| !d.is_empty()),
            tcp_proxy: self.tcp_proxy.clone().unwrap_or_else(|| "close".into()),
            connection_count: self.connection_count,
            created_at: self.created_at.clone().unwrap_or_default(),
            enterprise_project_id: self.enterprise_project_id.clone().filter(|e| !e.is_empty()),
            error: self.error.as_ref().and_then(|e| e.first()).map(|f| {
                (
                    f.error_code.clone().unwrap_or_else(|| "unknown".into()),
                    f.error_message.clone().unwrap_or_default(),
                )
            }),
            id: self.id.clone(),
        })
    }

    pub fn from_model(svc: &Service, project_id: &str) -> Self {
        ServiceWire {
            id: svc.id.clone(),
            status: svc.status.clone(),
            port_id: svc.port_id.clone(),
            vpc_id: svc.vpc_id.clone(),
            server_type: svc.server_type.clone(),
            approval_enabled: svc.approval_enabled,
            ports: svc.ports.iter().map(PortWire::from_model).collect(),
            service_type: Some(svc.service_type.clone()),
            service_name: Some(svc.service_name.clone()),
            description: svc.description.clone(),
            tcp_proxy: Some(svc.tcp_proxy.clone()),
            tags: Some(tags_to_wire(&svc.tags)),
            connection_count: svc.connection_count,
            domain_id: Some(svc.domain_id.clone()),
            project_id: Some(project_id.to_owned()),
            enterprise_project_id: svc.enterprise_project_id.clone(),
            created_at: Some(svc.created_at.clone()),
            updated_at: Some(svc.created_at.clone()),
            error: svc.error.as_ref().map(|(code, message)| {
                vec![FailureWire {
                    error_code: Some(code.clone()),
                    error_message: Some(message.clone()),
                }]
            }),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceListWire {
    pub endpoint_services: Vec<ServiceWire>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_count: Option<u64>,
}

/// `GET /v1/{project_id}/vpc-endpoint-services/describe?id=...`: any account's service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceSummaryWire {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_charge: Option<bool>,
}

impl ServiceSummaryWire {
    pub fn to_model(&self) -> Result<super::types::ServiceSummary, String> {
        non_empty(&self.id, "id")?;
        Ok(super::types::ServiceSummary {
            id: self.id.clone(),
            service_name: self.service_name.clone().unwrap_or_default(),
            service_type: self
                .service_type
                .clone()
                .unwrap_or_else(|| "interface".into()),
            created_at: self.created_at.clone().unwrap_or_default(),
        })
    }

    pub fn from_model(s: &super::types::ServiceSummary) -> Self {
        ServiceSummaryWire {
            id: s.id.clone(),
            service_name: Some(s.service_name.clone()),
            service_type: Some(s.service_type.clone()),
            created_at: Some(s.created_at.clone()),
            is_charge: Some(false),
        }
    }
}

/// One element of `GET .../vpc-endpoint-services/public`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicServiceWire {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// A bool, which the reference's example writes as a string.
    #[serde(
        default,
        deserialize_with = "lenient_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub is_charge: Option<bool>,
}

impl PublicServiceWire {
    pub fn to_model(&self) -> Result<super::types::PublicService, String> {
        non_empty(&self.id, "id")?;
        Ok(super::types::PublicService {
            id: self.id.clone(),
            owner: self.owner.clone().unwrap_or_default(),
            service_name: self.service_name.clone().unwrap_or_default(),
            service_type: self
                .service_type
                .clone()
                .unwrap_or_else(|| "interface".into()),
            created_at: self.created_at.clone().unwrap_or_default(),
            is_charge: self.is_charge.unwrap_or(false),
        })
    }

    pub fn from_model(s: &super::types::PublicService) -> Self {
        PublicServiceWire {
            id: s.id.clone(),
            owner: Some(s.owner.clone()),
            service_name: Some(s.service_name.clone()),
            service_type: Some(s.service_type.clone()),
            created_at: Some(s.created_at.clone()),
            is_charge: Some(s.is_charge),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicServiceListWire {
    pub endpoint_services: Vec<PublicServiceWire>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_count: Option<u64>,
}

// ---------------------------------------------------------------------------------------------
// Connections and whitelist

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectionWire {
    /// The endpoint's ID.
    pub id: String,
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain_id: Option<String>,
    /// The packet ID; may exceed 2^32.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub marker_id: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    #[serde(default, alias = "update_at", skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

impl ConnectionWire {
    pub fn to_model(&self) -> Result<Connection, String> {
        non_empty(&self.id, "id")?;
        non_empty(&self.status, "status")?;
        Ok(Connection {
            endpoint_id: self.id.clone(),
            domain_id: self.domain_id.clone().unwrap_or_default(),
            status: self.status.clone(),
            created_at: self.created_at.clone().unwrap_or_default(),
            updated_at: self.updated_at.clone().unwrap_or_default(),
            marker_id: self.marker_id,
            description: self.description.clone().filter(|d| !d.is_empty()),
        })
    }

    pub fn from_model(c: &Connection) -> Self {
        ConnectionWire {
            id: c.endpoint_id.clone(),
            status: c.status.clone(),
            domain_id: Some(c.domain_id.clone()),
            marker_id: c.marker_id,
            created_at: Some(c.created_at.clone()),
            updated_at: Some(c.updated_at.clone()),
            description: c.description.clone(),
        }
    }
}

/// A stable made-up packet ID for an endpoint (above 2^32, as real ones can be).
pub fn marker_id(endpoint_id: &str) -> u64 {
    endpoint_id.bytes().fold(1u64 << 33, |h, b| {
        h.wrapping_mul(1_099_511_628_211).wrapping_add(u64::from(b)) % (1u64 << 40)
    })
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectionListWire {
    pub connections: Vec<ConnectionWire>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_count: Option<u64>,
}

/// `POST .../connections/action`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectionActionRequest {
    pub action: String,
    pub endpoints: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PermissionWire {
    pub permission: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permission_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PermissionListWire {
    pub permissions: Vec<PermissionWire>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_count: Option<u64>,
}

/// `POST .../permissions/action`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PermissionActionRequest {
    pub action: String,
    pub permissions: Vec<String>,
}

/// `POST /v1/{project_id}/{resource_type}/{id}/tags/action`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TagsActionRequest {
    pub action: String,
    pub tags: Vec<TagWire>,
}

// ---------------------------------------------------------------------------------------------
// Endpoints

/// `POST /v1/{project_id}/vpc-endpoints`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateEndpointRequest {
    pub endpoint_service_id: String,
    pub vpc_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subnet_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port_ip: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enable_dns: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub whitelist: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enable_whitelist: Option<bool>,
    /// Gateway endpoints only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub routetables: Option<Vec<String>>,
    /// Gateway endpoints only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy_statement: Option<Vec<PolicyStatementWire>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<TagWire>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enterprise_project_id: Option<String>,
}

/// One statement of a gateway endpoint's policy, spelled as the reference's examples spell it
/// (`Effect`, `Action`, `Resource`); the OTC SDK's lower-case names are read too.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyStatementWire {
    #[serde(rename = "Effect", alias = "effect")]
    pub effect: String,
    #[serde(rename = "Action", alias = "action", default)]
    pub action: Vec<String>,
    #[serde(rename = "Resource", alias = "resource", default)]
    pub resource: Vec<String>,
}

impl PolicyStatementWire {
    fn from_model(p: &PolicyStatement) -> Self {
        PolicyStatementWire {
            effect: p.effect.clone(),
            action: p.action.clone(),
            resource: p.resource.clone(),
        }
    }

    fn to_model(&self) -> PolicyStatement {
        PolicyStatement {
            effect: self.effect.clone(),
            action: self.action.clone(),
            resource: self.resource.clone(),
        }
    }
}

fn policy_to_wire(policy: &[PolicyStatement]) -> Option<Vec<PolicyStatementWire>> {
    (!policy.is_empty()).then(|| policy.iter().map(PolicyStatementWire::from_model).collect())
}

fn policy_from_wire(policy: Option<&Vec<PolicyStatementWire>>) -> Vec<PolicyStatement> {
    policy.map_or_else(Vec::new, |p| {
        p.iter().map(PolicyStatementWire::to_model).collect()
    })
}

/// `PUT /v1/{project_id}/vpc-endpoints/{id}` (Huawei Cloud): the whitelist of an interface
/// endpoint and whether it is enforced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateEndpointWhitelistRequest {
    pub whitelist: Vec<String>,
    pub enable_whitelist: bool,
}

/// `PUT /v1/{project_id}/vpc-endpoints/{id}/routetables` (Huawei Cloud).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateEndpointRoutetablesRequest {
    pub routetables: Vec<String>,
}

/// `PUT /v1/{project_id}/vpc-endpoints/{id}/policy` (Huawei Cloud).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateEndpointPolicyRequest {
    pub policy_statement: Vec<PolicyStatementWire>,
}

impl UpdateEndpointPolicyRequest {
    pub fn from_model(policy: &[PolicyStatement]) -> Self {
        UpdateEndpointPolicyRequest {
            policy_statement: policy.iter().map(PolicyStatementWire::from_model).collect(),
        }
    }

    pub fn to_model(&self) -> Vec<PolicyStatement> {
        self.policy_statement
            .iter()
            .map(PolicyStatementWire::to_model)
            .collect()
    }
}

impl CreateEndpointRequest {
    pub fn from_spec(spec: &EndpointSpec) -> Self {
        CreateEndpointRequest {
            endpoint_service_id: spec.service_id.clone(),
            vpc_id: spec.vpc_id.clone(),
            subnet_id: spec.subnet_id.clone(),
            port_ip: spec.port_ip.clone(),
            enable_dns: Some(spec.enable_dns),
            whitelist: (!spec.whitelist.is_empty()).then(|| spec.whitelist.clone()),
            enable_whitelist: spec
                .enable_whitelist
                .or_else(|| (!spec.whitelist.is_empty()).then_some(true)),
            routetables: (!spec.route_tables.is_empty()).then(|| spec.route_tables.clone()),
            policy_statement: policy_to_wire(&spec.policy),
            tags: Some(tags_to_wire(&spec.tags)),
            description: spec.description.clone(),
            enterprise_project_id: spec.enterprise_project_id.clone(),
        }
    }

    pub fn to_spec(&self) -> EndpointSpec {
        EndpointSpec {
            service_id: self.endpoint_service_id.clone(),
            vpc_id: self.vpc_id.clone(),
            subnet_id: self.subnet_id.clone().filter(|s| !s.is_empty()),
            port_ip: self.port_ip.clone().filter(|s| !s.is_empty()),
            enable_dns: self.enable_dns.unwrap_or(false),
            whitelist: self.whitelist.clone().unwrap_or_default(),
            enable_whitelist: self.enable_whitelist,
            route_tables: self.routetables.clone().unwrap_or_default(),
            policy: policy_from_wire(self.policy_statement.as_ref()),
            tags: tags_from_wire(self.tags.as_ref()),
            description: self.description.clone().filter(|d| !d.is_empty()),
            enterprise_project_id: self.enterprise_project_id.clone().filter(|e| !e.is_empty()),
        }
    }
}

/// An endpoint as GET, list and create answer it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndpointWire {
    pub id: String,
    pub status: String,
    pub endpoint_service_id: String,
    pub vpc_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint_service_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subnet_id: Option<String>,
    /// The endpoint's address (there is no `port_ip` in answers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub marker_id: Option<u64>,
    #[serde(
        default,
        deserialize_with = "lenient_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub enable_dns: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dns_names: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub whitelist: Option<Vec<String>>,
    #[serde(
        default,
        deserialize_with = "lenient_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub enable_whitelist: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub routetables: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy_statement: Option<Vec<PolicyStatementWire>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<TagWire>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enterprise_project_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    #[serde(default, alias = "update_at", skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<Vec<FailureWire>>,
}

impl EndpointWire {
    pub fn to_model(&self) -> Result<Endpoint, String> {
        non_empty(&self.id, "id")?;
        non_empty(&self.status, "status")?;
        non_empty(&self.endpoint_service_id, "endpoint_service_id")?;
        Ok(Endpoint {
            id: self.id.clone(),
            domain_id: self.domain_id.clone().unwrap_or_default(),
            service_id: self.endpoint_service_id.clone(),
            service_name: self.endpoint_service_name.clone().unwrap_or_default(),
            vpc_id: self.vpc_id.clone(),
            subnet_id: self.subnet_id.clone().filter(|s| !s.is_empty()),
            // The API reports the address as `ip` only: a configured `port_ip` is that address.
            port_ip: self.ip.clone().filter(|s| !s.is_empty()),
            ip: self.ip.clone().filter(|s| !s.is_empty()),
            enable_dns: self.enable_dns.unwrap_or(false),
            whitelist: self.whitelist.clone().unwrap_or_default(),
            // Huawei's default when the create does not say; the OTC reference has none.
            enable_whitelist: self.enable_whitelist.unwrap_or(false),
            route_tables: self.routetables.clone().unwrap_or_default(),
            policy: policy_from_wire(self.policy_statement.as_ref()),
            tags: tags_from_wire(self.tags.as_ref()),
            description: self.description.clone().filter(|d| !d.is_empty()),
            enterprise_project_id: self.enterprise_project_id.clone().filter(|e| !e.is_empty()),
            status: self.status.clone(),
            created_at: self.created_at.clone().unwrap_or_default(),
            updated_at: self.updated_at.clone().unwrap_or_default(),
            dns_names: self.dns_names.clone().unwrap_or_default(),
            marker_id: self.marker_id,
            service_type: self
                .service_type
                .clone()
                .unwrap_or_else(|| "interface".to_owned()),
            project_id: self.project_id.clone().filter(|p| !p.is_empty()),
        })
    }

    pub fn from_model(e: &Endpoint, project_id: &str) -> Self {
        EndpointWire {
            id: e.id.clone(),
            status: e.status.clone(),
            endpoint_service_id: e.service_id.clone(),
            vpc_id: e.vpc_id.clone(),
            endpoint_service_name: Some(e.service_name.clone()),
            service_type: Some(e.service_type.clone()),
            subnet_id: e.subnet_id.clone(),
            ip: e.ip.clone(),
            marker_id: e.marker_id,
            enable_dns: Some(e.enable_dns),
            dns_names: (!e.dns_names.is_empty()).then(|| e.dns_names.clone()),
            whitelist: Some(e.whitelist.clone()),
            enable_whitelist: Some(e.enable_whitelist),
            // Shown for gateway endpoints only, as the Huawei SDK documents.
            routetables: (e.service_type == "gateway").then(|| e.route_tables.clone()),
            policy_statement: policy_to_wire(&e.policy),
            tags: Some(tags_to_wire(&e.tags)),
            description: e.description.clone(),
            project_id: Some(project_id.to_owned()),
            enterprise_project_id: e.enterprise_project_id.clone(),
            domain_id: Some(e.domain_id.clone()),
            created_at: Some(e.created_at.clone()),
            updated_at: Some(e.updated_at.clone()),
            error: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndpointListWire {
    pub endpoints: Vec<EndpointWire>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_count: Option<u64>,
}

// ---------------------------------------------------------------------------------------------
// Quotas

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuotaResourceWire {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(deserialize_with = "count_u32")]
    pub used: u32,
    #[serde(deserialize_with = "limit_u32")]
    pub quota: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuotaResourcesWire {
    pub resources: Vec<QuotaResourceWire>,
}

/// `GET /v1/{project_id}/quotas?type=...`: one entry per type; the answer may hold both types
/// whatever was asked for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuotaWire {
    pub quotas: QuotaResourcesWire,
}

impl QuotaWire {
    /// `(used, quota)` of the entry of type `kind`.
    pub fn of(&self, kind: &str) -> Result<(u32, u32), String> {
        self.quotas
            .resources
            .iter()
            .find(|r| r.kind == kind)
            .map(|r| (r.used, r.quota))
            .ok_or_else(|| format!("it has no entry of type `{kind}`"))
    }

    pub fn from_model(q: &Quotas) -> Self {
        QuotaWire {
            quotas: QuotaResourcesWire {
                resources: vec![
                    QuotaResourceWire {
                        kind: "endpoint".into(),
                        used: q.endpoints_used,
                        quota: q.endpoints_quota,
                    },
                    QuotaResourceWire {
                        kind: "endpoint_service".into(),
                        used: q.services_used,
                        quota: q.services_quota,
                    },
                ],
            },
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Errors

/// The error body vpcep answers with (the emulator) and the common shape it reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorWire {
    pub error_code: String,
    pub error_msg: String,
}

impl ErrorWire {
    pub fn from_error(e: &CloudError) -> Self {
        ErrorWire {
            error_code: e.code.clone(),
            error_msg: e.message.clone(),
        }
    }
}

/// The `(code, message)` of an error answer in any of the shapes the API and its gateways use:
/// `{error_code, error_msg | error_message}`, `{code, message}`, and either nested under
/// `error`. `None` when the body has none of them (an HTML page, an empty body).
pub fn error_of(body: &[u8]) -> Option<(String, String)> {
    let json: serde_json::Value = serde_json::from_slice(body).ok()?;
    let pick = |v: &serde_json::Value| {
        let text = |keys: &[&str]| {
            keys.iter()
                .find_map(|k| v.get(*k).and_then(serde_json::Value::as_str))
                .map(str::to_owned)
        };
        let code = text(&["error_code", "code"])?;
        let message = text(&["error_msg", "error_message", "message"]).unwrap_or_default();
        Some((code, message))
    };
    pick(&json).or_else(|| json.get("error").and_then(pick))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_undecorated_in_every_form() {
        assert_eq!(
            undecorate("eu-de.billing.c7d1", "c7d1"),
            Some("billing".into())
        );
        assert_eq!(undecorate("eu-de.c7d1", "c7d1"), None);
        assert_eq!(undecorate("test123", "c7d1"), Some("test123".into()));
        assert_eq!(undecorate("", "c7d1"), None);
    }

    #[test]
    fn a_malformed_answer_is_an_error_never_a_default() {
        for body in [
            &b"{}"[..],
            b"null",
            b"<html>",
            b"{\"endpoint_services\": null}",
        ] {
            let r: Result<ServiceListWire, _> = decode(body, "GET /x", 200);
            assert_eq!(r.unwrap_err().code, MALFORMED);
        }
        let bad_port = br#"{"id":"a","status":"available","port_id":"p","vpc_id":"v","server_type":"LB","approval_enabled":true,"ports":[{"client_port":-1,"server_port":80}]}"#;
        assert!(decode::<ServiceWire>(bad_port, "GET /x", 200).is_err());
        let empty_id = br#"{"id":"","status":"available","port_id":"p","vpc_id":"v","server_type":"LB","approval_enabled":true,"ports":[]}"#;
        let wire: ServiceWire = decode(empty_id, "GET /x", 200).unwrap();
        assert!(wire.to_model(Vec::new()).is_err());
    }

    #[test]
    fn error_bodies_of_every_shape_give_their_code() {
        for body in [
            &br#"{"error_code":"EndPoint.0022","error_msg":"throttled"}"#[..],
            br#"{"error_code":"EndPoint.0022","error_message":"throttled"}"#,
            br#"{"code":"EndPoint.0022","message":"throttled"}"#,
            br#"{"error":{"code":"EndPoint.0022","message":"throttled"}}"#,
            br#"{"error":{"error_code":"EndPoint.0022","error_msg":"throttled"}}"#,
        ] {
            assert_eq!(
                error_of(body),
                Some(("EndPoint.0022".into(), "throttled".into()))
            );
        }
        assert_eq!(error_of(b"<html>502</html>"), None);
        assert_eq!(error_of(b""), None);
    }
}
