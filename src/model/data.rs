//! Data sources: what `data "TYPE" "NAME"` blocks read from the cloud while planning — a
//! partner's service by its name, this account's services, endpoints, connections and quotas —
//! their arguments and attributes, and what a configuration evaluated to for each.

use super::Map;
use super::schema::AttrType;
use std::fmt;

/// The kinds of data source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DataType {
    /// One service of this account, by `id` or `name`.
    Service,
    /// Services of this account, filtered.
    Services,
    /// Any account's service, by `id` or full `service_name` (the API's describe call).
    ServiceSummary,
    /// Services the cloud's operators publish for every account, by name.
    PublicServices,
    /// Endpoints of this account, filtered.
    Endpoints,
    /// The connections of one of this account's services, filtered by status.
    ServiceConnections,
    /// Used and limit per resource type.
    Quotas,
}

impl DataType {
    pub const ALL: [DataType; 7] = [
        DataType::Service,
        DataType::Services,
        DataType::ServiceSummary,
        DataType::PublicServices,
        DataType::Endpoints,
        DataType::ServiceConnections,
        DataType::Quotas,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DataType::Service => "vpcep_service",
            DataType::Services => "vpcep_services",
            DataType::ServiceSummary => "vpcep_service_summary",
            DataType::PublicServices => "vpcep_public_services",
            DataType::Endpoints => "vpcep_endpoints",
            DataType::ServiceConnections => "vpcep_service_connections",
            DataType::Quotas => "vpcep_quotas",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// The arguments a block of this type takes.
    pub fn args(self) -> &'static [DataArg] {
        use AttrType as T;
        const fn arg(name: &'static str, ty: AttrType) -> DataArg {
            DataArg { name, ty }
        }
        const SERVICE: &[DataArg] = &[arg("id", T::String), arg("name", T::String)];
        const SERVICES: &[DataArg] = &[
            arg("name", T::String),
            arg("status", T::String),
            arg("server_type", T::String),
            arg("tags", T::StringMap),
        ];
        const SUMMARY: &[DataArg] = &[arg("id", T::String), arg("service_name", T::String)];
        const PUBLIC: &[DataArg] = &[arg("id", T::String), arg("service_name", T::String)];
        const ENDPOINTS: &[DataArg] = &[
            arg("service_id", T::String),
            arg("vpc_id", T::String),
            arg("status", T::String),
        ];
        const CONNECTIONS: &[DataArg] = &[arg("service_id", T::String), arg("status", T::String)];
        match self {
            DataType::Service => SERVICE,
            DataType::Services => SERVICES,
            DataType::ServiceSummary => SUMMARY,
            DataType::PublicServices => PUBLIC,
            DataType::Endpoints => ENDPOINTS,
            DataType::ServiceConnections => CONNECTIONS,
            DataType::Quotas => &[],
        }
    }

    /// The attributes a read gives (besides the arguments), for checking references.
    pub fn attributes(self) -> &'static [&'static str] {
        match self {
            DataType::Service => SERVICE_ATTRIBUTES,
            DataType::Services | DataType::PublicServices => &["ids", "services"],
            DataType::ServiceSummary => &[
                "id",
                "service_name",
                "service_type",
                "created_at",
                "is_charge",
            ],
            DataType::Endpoints => &["ids", "endpoints"],
            DataType::ServiceConnections => &["connections"],
            DataType::Quotas => &[
                "services_used",
                "services_quota",
                "endpoints_used",
                "endpoints_quota",
            ],
        }
    }

    /// The arguments of which exactly one must be given (a lookup by one key), if any.
    pub fn one_of(self) -> Option<&'static [&'static str]> {
        match self {
            DataType::Service => Some(&["id", "name"]),
            DataType::ServiceSummary => Some(&["id", "service_name"]),
            _ => None,
        }
    }

    /// Arguments that must be given.
    pub fn required(self) -> &'static [&'static str] {
        match self {
            DataType::ServiceConnections => &["service_id"],
            _ => &[],
        }
    }
}

/// What a service data source gives (as a `vpcep_service` resource records it).
pub const SERVICE_ATTRIBUTES: &[&str] = &[
    "id",
    "name",
    "service_name",
    "service_type",
    "server_type",
    "port_id",
    "vpc_id",
    "status",
    "approval_enabled",
    "whitelist",
    "tags",
    "description",
    "tcp_proxy",
    "port",
    "connection_count",
    "created_at",
];

impl fmt::Display for DataType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One argument of a data source.
#[derive(Debug, Clone, Copy)]
pub struct DataArg {
    pub name: &'static str,
    pub ty: AttrType,
}

/// A data block: `data.TYPE.NAME`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DataId {
    pub dtype: DataType,
    pub name: String,
}

impl DataId {
    /// The same data source in the module instance `path` (see
    /// [`crate::model::ResourceId::in_module`]).
    #[must_use]
    pub fn in_module(&self, path: &str) -> DataId {
        let sep = crate::model::address::MODULE_SEPARATOR;
        let name = match self.name.rsplit_once(sep) {
            Some((inner, local)) => format!("{path}.{inner}{sep}{local}"),
            None => format!("{path}{sep}{}", self.name),
        };
        DataId {
            dtype: self.dtype,
            name,
        }
    }
}

impl fmt::Display for DataId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self
            .name
            .rsplit_once(crate::model::address::MODULE_SEPARATOR)
        {
            Some((path, local)) => write!(f, "{path}.data.{}.{local}", self.dtype),
            None => write!(f, "data.{}.{}", self.dtype, self.name),
        }
    }
}

/// One instance of a data block (`data.TYPE.NAME["key"]` with `for_each`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DataAddress {
    pub id: DataId,
    pub key: Option<String>,
}

impl fmt::Display for DataAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.id)?;
        if let Some(key) = &self.key {
            f.write_str(&super::Address::key_text(key))?;
        }
        Ok(())
    }
}

/// A read the configuration asks for: which data source, with which arguments (all known).
#[derive(Debug, Clone, PartialEq)]
pub struct DataRequest {
    pub address: DataAddress,
    pub args: Map,
    /// The provider to read with (`TYPE.ALIAS`); `None` for the default one.
    pub provider: Option<String>,
}

impl DataRequest {
    /// What identifies the read: the address and the arguments (a read with other arguments
    /// is another read).
    pub fn key(&self) -> String {
        let mut args = self.args.clone();
        args.sort_keys();
        format!(
            "{} {} {}",
            self.address,
            self.provider.as_deref().unwrap_or("-"),
            serde_json::to_string(&args).unwrap_or_default()
        )
    }
}

/// What evaluating a data block gave.
#[derive(Debug, Clone, PartialEq)]
pub struct DataInstance {
    pub address: DataAddress,
    /// The arguments as evaluated (unknown ones as `Value::Unknown`).
    pub args: Map,
    /// `false`: an argument is known only after apply, so it is read during apply.
    pub read_now: bool,
}
