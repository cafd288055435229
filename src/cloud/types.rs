//! The VPCEP API's objects and errors, as the rest of `vpcep` sees them.

use indexmap::IndexMap;
use std::fmt;

/// An error answered by the cloud (or the simulator), with the API's error code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloudError {
    /// HTTP status (0 when the request never got an answer).
    pub status: u16,
    /// The API's code, e.g. `EndPoint.3006`.
    pub code: String,
    pub message: String,
    /// How long the server asked to wait before trying again (`Retry-After`), when it did.
    pub retry_after: Option<std::time::Duration>,
}

/// The code of a create whose answer was lost: it may or may not have happened, so it must
/// not be sent again blindly (the caller looks for what it made).
pub const OUTCOME_UNKNOWN: &str = "vpcep.OutcomeUnknown";

impl CloudError {
    pub fn new(status: u16, code: &str, message: impl Into<String>) -> Self {
        CloudError {
            status,
            code: code.to_owned(),
            message: message.into(),
            retry_after: None,
        }
    }

    /// Whether this is the API error `code`. The API spells its prefix both `EndPoint.` and
    /// `Endpoint.`, so codes compare case-insensitively.
    pub fn is(&self, code: &str) -> bool {
        self.code.eq_ignore_ascii_case(code)
    }

    /// Whether the gateway throttled the request (it was not processed): 429, `APIGW.0308`,
    /// `EndPoint.0022`.
    pub fn is_throttle(&self) -> bool {
        self.status == 429 || self.is("APIGW.0308") || self.is("EndPoint.0022")
    }

    /// Whether the same request may simply be sent again: throttling, server errors, lost
    /// connections and unreadable answers.
    pub fn is_transient(&self) -> bool {
        !self.outcome_unknown()
            && (self.status == 0
                || self.status == 429
                || self.status >= 500
                || self.is("EndPoint.0022")
                || self.is("APIGW.0308")
                || self.is(super::api::MALFORMED))
    }

    /// Whether a create that failed this way may have happened anyway.
    pub fn outcome_unknown(&self) -> bool {
        self.is(OUTCOME_UNKNOWN)
    }
}

impl fmt::Display for CloudError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for CloudError {}

pub type CloudResult<T> = Result<T, CloudError>;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct PortMapping {
    pub protocol: String,
    pub server_port: u16,
    pub client_port: u16,
}

/// What creating a service sends.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServiceSpec {
    pub name: Option<String>,
    pub server_type: String,
    pub port_id: String,
    pub vpc_id: String,
    pub service_type: String,
    pub approval_enabled: bool,
    pub ports: Vec<PortMapping>,
    /// `iam:domain::<id>` entries or `*`.
    pub whitelist: Vec<String>,
    pub tags: IndexMap<String, String>,
    pub description: Option<String>,
    pub tcp_proxy: String,
    /// The enterprise project the service belongs to; `None` leaves the cloud's default (`0`).
    pub enterprise_project_id: Option<String>,
}

/// An endpoint service as the API returns it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    pub id: String,
    pub domain_id: String,
    /// The name as given, without the region and ID decoration.
    pub name: Option<String>,
    /// The decorated `region.name.id` form consumers use.
    pub service_name: String,
    pub server_type: String,
    pub port_id: String,
    pub vpc_id: String,
    pub service_type: String,
    pub approval_enabled: bool,
    /// `creating`, `available`, `failed` or `deleting`.
    pub status: String,
    pub ports: Vec<PortMapping>,
    pub whitelist: Vec<String>,
    pub tags: IndexMap<String, String>,
    pub description: Option<String>,
    pub tcp_proxy: String,
    /// Connections in `creating` or `accepted` status; `None` when the answer does not say
    /// (then the connections are read).
    pub connection_count: Option<u32>,
    pub created_at: String,
    /// The enterprise project, when the answer names one.
    pub enterprise_project_id: Option<String>,
    /// `(error_code, error_message)` when `failed`.
    pub error: Option<(String, String)>,
}

/// The basic information of any account's service (the API's `describe` call).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceSummary {
    pub id: String,
    pub service_name: String,
    pub service_type: String,
    pub created_at: String,
}

/// A service the cloud's operators publish for every account (object storage, DNS, ...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicService {
    pub id: String,
    pub owner: String,
    pub service_name: String,
    /// `gateway` or `interface`.
    pub service_type: String,
    pub created_at: String,
    /// Whether endpoints to it are charged for.
    pub is_charge: bool,
}

/// The fields an update (PUT) can change; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServiceUpdate {
    /// `Some(None)` clears the name.
    pub name: Option<Option<String>>,
    pub port_id: Option<String>,
    pub approval_enabled: Option<bool>,
    /// `Some(None)` clears the description.
    pub description: Option<Option<String>>,
    pub tcp_proxy: Option<String>,
}

impl ServiceUpdate {
    pub fn is_empty(&self) -> bool {
        *self == ServiceUpdate::default()
    }
}

/// One statement of a gateway endpoint's access policy (which objects of, e.g., the object
/// storage service the endpoint lets through).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyStatement {
    /// `Allow` or `Deny`.
    pub effect: String,
    pub action: Vec<String>,
    pub resource: Vec<String>,
}

pub use crate::model::schema::MAX_POLICY_STATEMENTS;

/// What creating an endpoint sends.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EndpointSpec {
    pub service_id: String,
    pub vpc_id: String,
    pub subnet_id: Option<String>,
    pub port_ip: Option<String>,
    pub enable_dns: bool,
    pub whitelist: Vec<String>,
    /// Whether the whitelist is enforced; `None` enforces it when it has entries.
    pub enable_whitelist: Option<bool>,
    /// Gateway endpoints only: the route tables to add routes to; empty leaves the VPC's
    /// default table.
    pub route_tables: Vec<String>,
    /// Gateway endpoints only: the access policy.
    pub policy: Vec<PolicyStatement>,
    pub tags: IndexMap<String, String>,
    pub description: Option<String>,
    pub enterprise_project_id: Option<String>,
}

impl EndpointSpec {
    /// Whether the whitelist is enforced, as the create asks it.
    pub fn whitelist_enabled(&self) -> bool {
        self.enable_whitelist.unwrap_or(!self.whitelist.is_empty())
    }
}

/// What an in-place endpoint update changes (Huawei Cloud's API; OTC's has no such calls).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EndpointUpdate {
    /// The whitelist and whether it is enforced, set together
    /// (`PUT /v1/{project_id}/vpc-endpoints/{id}`).
    pub whitelist: Option<(Vec<String>, bool)>,
    /// A gateway endpoint's route tables (`PUT …/{id}/routetables`).
    pub route_tables: Option<Vec<String>>,
    /// A gateway endpoint's policy (`PUT …/{id}/policy`).
    pub policy: Option<Vec<PolicyStatement>>,
}

/// A consumer endpoint as the API returns it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub id: String,
    pub domain_id: String,
    pub service_id: String,
    pub service_name: String,
    pub vpc_id: String,
    pub subnet_id: Option<String>,
    pub port_ip: Option<String>,
    /// The endpoint's address, once connected.
    pub ip: Option<String>,
    pub enable_dns: bool,
    pub whitelist: Vec<String>,
    pub enable_whitelist: bool,
    /// The route tables a gateway endpoint adds routes to (empty for interface endpoints).
    pub route_tables: Vec<String>,
    pub policy: Vec<PolicyStatement>,
    pub tags: IndexMap<String, String>,
    pub description: Option<String>,
    pub enterprise_project_id: Option<String>,
    /// `creating`, `pendingAcceptance`, `accepted`, `rejected`, `failed` or `deleting`.
    pub status: String,
    pub created_at: String,
    pub updated_at: String,
    /// The private domain names consumers reach the service by (with `enable_dns`).
    pub dns_names: Vec<String>,
    /// The endpoint's packet ID, which Proxy Protocol passes to the backend.
    pub marker_id: Option<u64>,
    /// `interface` or `gateway`, as the service's.
    pub service_type: String,
    /// The project the endpoint is in.
    pub project_id: Option<String>,
}

/// A connection of a service: one endpoint, seen from the service owner's side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connection {
    pub endpoint_id: String,
    pub domain_id: String,
    pub status: String,
    pub created_at: String,
    pub updated_at: String,
    /// The endpoint's packet ID.
    pub marker_id: Option<u64>,
    /// The owner's note on the connection (Huawei Cloud).
    pub description: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectionAction {
    Receive,
    Reject,
}

impl ConnectionAction {
    pub fn as_str(self) -> &'static str {
        match self {
            ConnectionAction::Receive => "receive",
            ConnectionAction::Reject => "reject",
        }
    }
}

/// Usage and limits of the account in the region (a model type: the planner reads it too).
pub use crate::model::facts::Quotas;
