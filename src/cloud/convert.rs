//! Conversions between the cloud's objects and resource attributes (the model's maps).

use super::types::{
    Connection, Endpoint, EndpointSpec, EndpointUpdate, PolicyStatement, PortMapping, Service,
    ServiceSpec,
};
use crate::model::Value;
use indexmap::IndexMap;

type Attrs = crate::model::Map;

fn opt_string(s: Option<&String>) -> Value {
    s.map_or(Value::Null, |s| Value::String(s.as_str().into()))
}

fn string_list(list: &[String]) -> Value {
    let mut sorted = list.to_vec();
    sorted.sort();
    Value::List(
        sorted
            .into_iter()
            .map(|s| Value::String(s.into()))
            .collect(),
    )
}

fn string_map(map: &IndexMap<String, String>) -> Value {
    let mut entries: Vec<_> = map.iter().collect();
    entries.sort();
    Value::map(
        entries
            .into_iter()
            .map(|(k, v)| (k.clone(), Value::String(v.as_str().into())))
            .collect(),
    )
}

pub fn ports_value(ports: &[PortMapping]) -> Value {
    let mut sorted = ports.to_vec();
    sorted.sort();
    Value::List(
        sorted
            .into_iter()
            .map(|p| {
                Value::map(
                    [
                        ("protocol".to_owned(), Value::String(p.protocol.into())),
                        (
                            "server_port".to_owned(),
                            Value::int(i64::from(p.server_port)),
                        ),
                        (
                            "client_port".to_owned(),
                            Value::int(i64::from(p.client_port)),
                        ),
                    ]
                    .into_iter()
                    .collect(),
                )
            })
            .collect(),
    )
}

pub fn connections_value(connections: &[Connection]) -> Value {
    let mut sorted = connections.to_vec();
    sorted.sort_by(|a, b| a.endpoint_id.cmp(&b.endpoint_id));
    Value::List(
        sorted
            .into_iter()
            .map(|c| {
                Value::map(
                    [
                        (
                            "endpoint_id".to_owned(),
                            Value::String(c.endpoint_id.into()),
                        ),
                        ("domain_id".to_owned(), Value::String(c.domain_id.into())),
                        ("status".to_owned(), Value::String(c.status.into())),
                        ("marker_id".to_owned(), marker(c.marker_id)),
                        ("created_at".to_owned(), Value::String(c.created_at.into())),
                        ("updated_at".to_owned(), Value::String(c.updated_at.into())),
                        ("description".to_owned(), opt_string(c.description.as_ref())),
                    ]
                    .into_iter()
                    .collect(),
                )
            })
            .collect(),
    )
}

/// A service's attributes as recorded in state; `connections` is filled by the caller.
pub fn service_attrs(s: &Service) -> Attrs {
    // Sized for what follows: a state holds one per service.
    let mut a = Attrs::with_capacity(18);
    a.insert("name", opt_string(s.name.as_ref()));
    a.insert("server_type", Value::String(s.server_type.as_str().into()));
    a.insert("port_id", Value::String(s.port_id.as_str().into()));
    a.insert("vpc_id", Value::String(s.vpc_id.as_str().into()));
    a.insert(
        "service_type",
        Value::String(s.service_type.as_str().into()),
    );
    a.insert("approval_enabled", Value::Bool(s.approval_enabled));
    // A list answer may show every account as `*`: one entry with `iam:domain::*`.
    let whitelist: Vec<String> = s
        .whitelist
        .iter()
        .map(|w| {
            if w == "*" {
                "iam:domain::*".to_owned()
            } else {
                w.clone()
            }
        })
        .collect();
    a.insert("whitelist", string_list(&whitelist));
    a.insert("tags", string_map(&s.tags));
    a.insert("description", opt_string(s.description.as_ref()));
    a.insert("tcp_proxy", Value::String(s.tcp_proxy.as_str().into()));
    a.insert(
        "enterprise_project_id",
        opt_string(s.enterprise_project_id.as_ref()),
    );
    a.insert("port", ports_value(&s.ports));
    a.insert("id", Value::String(s.id.as_str().into()));
    a.insert(
        "service_name",
        Value::String(s.service_name.as_str().into()),
    );
    a.insert("status", Value::String(s.status.as_str().into()));
    a.insert(
        "connection_count",
        s.connection_count
            .map_or(Value::Null, |n| Value::int(i64::from(n))),
    );
    a.insert("created_at", Value::String(s.created_at.as_str().into()));
    a.insert("connections", Value::List(Vec::new()));
    a
}

/// A packet ID as a number (an integer, exact however large), or null.
fn marker(id: Option<u64>) -> Value {
    id.map_or(Value::Null, |m| Value::Number(m.into()))
}

pub fn endpoint_attrs(e: &Endpoint) -> Attrs {
    let mut a = Attrs::with_capacity(22);
    a.insert("service_id", Value::String(e.service_id.as_str().into()));
    a.insert("vpc_id", Value::String(e.vpc_id.as_str().into()));
    a.insert("subnet_id", opt_string(e.subnet_id.as_ref()));
    a.insert("port_ip", opt_string(e.port_ip.as_ref()));
    a.insert("enable_dns", Value::Bool(e.enable_dns));
    a.insert("whitelist", string_list(&e.whitelist));
    a.insert("enable_whitelist", Value::Bool(e.enable_whitelist));
    a.insert("route_tables", string_list(&e.route_tables));
    a.insert("tags", string_map(&e.tags));
    a.insert("description", opt_string(e.description.as_ref()));
    a.insert(
        "enterprise_project_id",
        opt_string(e.enterprise_project_id.as_ref()),
    );
    a.insert("policy_statement", policy_value(&e.policy));
    a.insert("id", Value::String(e.id.as_str().into()));
    a.insert("status", Value::String(e.status.as_str().into()));
    a.insert("ip", opt_string(e.ip.as_ref()));
    a.insert(
        "service_name",
        Value::String(e.service_name.as_str().into()),
    );
    a.insert("dns_names", string_list(&e.dns_names));
    a.insert("marker_id", marker(e.marker_id));
    a.insert(
        "service_type",
        Value::String(e.service_type.as_str().into()),
    );
    a.insert("project_id", opt_string(e.project_id.as_ref()));
    a.insert("created_at", Value::String(e.created_at.as_str().into()));
    a.insert("updated_at", Value::String(e.updated_at.as_str().into()));
    a
}

/// A gateway endpoint's policy as `policy_statement` blocks, in the order the cloud keeps.
pub fn policy_value(policy: &[PolicyStatement]) -> Value {
    let strings = |list: &[String]| {
        Value::List(
            list.iter()
                .map(|s| Value::String(s.as_str().into()))
                .collect(),
        )
    };
    Value::List(
        policy
            .iter()
            .map(|p| {
                Value::map(
                    [
                        ("effect".to_owned(), Value::String(p.effect.as_str().into())),
                        ("action".to_owned(), strings(&p.action)),
                        ("resource".to_owned(), strings(&p.resource)),
                    ]
                    .into_iter()
                    .collect(),
                )
            })
            .collect(),
    )
}

fn policy_from_attrs(attrs: &Attrs) -> Result<Vec<PolicyStatement>, String> {
    let Some(Value::List(items)) = attrs.get("policy_statement") else {
        return Ok(Vec::new());
    };
    items
        .iter()
        .map(|p| {
            let Value::Map(m) = p else {
                return Err("`policy_statement` is still unknown".to_owned());
            };
            Ok(PolicyStatement {
                effect: get_str(m, "effect")?,
                action: get_list(m, "action")?,
                resource: get_list(m, "resource")?,
            })
        })
        .collect()
}

/// An approval's attributes: the endpoints it accepts (those of `listed` that are accepted
/// now) and every connection of the service.
/// An approval as recorded: the `listed` endpoints that are accepted, the `accounts` it
/// accepts every endpoint of (as configured), and the service's connections.
pub fn approval_attrs(
    service_id: &str,
    listed: &[String],
    accounts: &[String],
    connections: &[Connection],
) -> Attrs {
    let accepted: Vec<String> = listed
        .iter()
        .filter(|id| {
            connections
                .iter()
                .any(|c| &c.endpoint_id == *id && c.status == "accepted")
        })
        .cloned()
        .collect();
    let mut a = Attrs::new();
    a.insert("service_id", Value::String(service_id.into()));
    a.insert("endpoints", string_list(&accepted));
    if !accounts.is_empty() {
        a.insert("accounts", string_list(accounts));
    }
    a.insert("id", Value::String(service_id.into()));
    a.insert("connections", connections_value(connections));
    a
}

fn get_str(attrs: &Attrs, name: &str) -> Result<String, String> {
    match attrs.get(name) {
        Some(Value::String(s)) => Ok(s.to_string()),
        Some(Value::Unknown) => Err(format!("`{name}` is still unknown")),
        _ => Err(format!("`{name}` is missing")),
    }
}

fn get_opt_str(attrs: &Attrs, name: &str) -> Result<Option<String>, String> {
    match attrs.get(name) {
        Some(Value::String(s)) => Ok(Some(s.to_string())),
        Some(Value::Unknown) => Err(format!("`{name}` is still unknown")),
        _ => Ok(None),
    }
}

pub fn get_list(attrs: &Attrs, name: &str) -> Result<Vec<String>, String> {
    match attrs.get(name) {
        Some(Value::List(items)) => items
            .iter()
            .map(|v| match v {
                Value::String(s) => Ok(s.to_string()),
                _ => Err(format!("`{name}` is still unknown")),
            })
            .collect(),
        Some(Value::Unknown) => Err(format!("`{name}` is still unknown")),
        _ => Ok(Vec::new()),
    }
}

pub fn get_map(attrs: &Attrs, name: &str) -> Result<IndexMap<String, String>, String> {
    match attrs.get(name) {
        Some(Value::Map(map)) => map
            .iter()
            .map(|(k, v)| match v {
                Value::String(s) => Ok((k.to_owned(), s.to_string())),
                _ => Err(format!("`{name}` is still unknown")),
            })
            .collect(),
        Some(Value::Unknown) => Err(format!("`{name}` is still unknown")),
        _ => Ok(IndexMap::new()),
    }
}

fn get_opt_bool(attrs: &Attrs, name: &str) -> Result<Option<bool>, String> {
    match attrs.get(name) {
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(Value::Unknown) => Err(format!("`{name}` is still unknown")),
        _ => Ok(None),
    }
}

fn get_bool(attrs: &Attrs, name: &str, default: bool) -> Result<bool, String> {
    match attrs.get(name) {
        Some(Value::Bool(b)) => Ok(*b),
        Some(Value::Unknown) => Err(format!("`{name}` is still unknown")),
        _ => Ok(default),
    }
}

pub fn ports_from_attrs(attrs: &Attrs) -> Result<Vec<PortMapping>, String> {
    let Some(Value::List(items)) = attrs.get("port") else {
        return Err("`port` is missing".into());
    };
    items
        .iter()
        .map(|p| {
            let Value::Map(m) = p else {
                return Err("`port` is still unknown".to_owned());
            };
            let port = |n: &str| {
                m.get(n)
                    .and_then(Value::as_i64)
                    .and_then(|i| u16::try_from(i).ok())
                    .ok_or_else(|| format!("`port.{n}` is not known"))
            };
            Ok(PortMapping {
                protocol: m
                    .get("protocol")
                    .and_then(Value::as_str)
                    .unwrap_or("TCP")
                    .to_owned(),
                server_port: port("server_port")?,
                client_port: port("client_port")?,
            })
        })
        .collect()
}

pub fn service_spec(attrs: &Attrs) -> Result<ServiceSpec, String> {
    Ok(ServiceSpec {
        name: get_opt_str(attrs, "name")?,
        server_type: get_str(attrs, "server_type")?,
        port_id: get_str(attrs, "port_id")?,
        vpc_id: get_str(attrs, "vpc_id")?,
        service_type: get_opt_str(attrs, "service_type")?.unwrap_or_else(|| "interface".into()),
        approval_enabled: get_bool(attrs, "approval_enabled", true)?,
        ports: ports_from_attrs(attrs)?,
        whitelist: get_list(attrs, "whitelist")?,
        tags: get_map(attrs, "tags")?,
        description: get_opt_str(attrs, "description")?,
        tcp_proxy: get_opt_str(attrs, "tcp_proxy")?.unwrap_or_else(|| "close".into()),
        enterprise_project_id: get_opt_str(attrs, "enterprise_project_id")?,
    })
}

pub fn endpoint_spec(attrs: &Attrs) -> Result<EndpointSpec, String> {
    Ok(EndpointSpec {
        service_id: get_str(attrs, "service_id")?,
        vpc_id: get_str(attrs, "vpc_id")?,
        subnet_id: get_opt_str(attrs, "subnet_id")?,
        port_ip: get_opt_str(attrs, "port_ip")?,
        enable_dns: get_bool(attrs, "enable_dns", false)?,
        whitelist: get_list(attrs, "whitelist")?,
        enable_whitelist: get_opt_bool(attrs, "enable_whitelist")?,
        route_tables: get_list(attrs, "route_tables")?,
        policy: policy_from_attrs(attrs)?,
        tags: get_map(attrs, "tags")?,
        description: get_opt_str(attrs, "description")?,
        enterprise_project_id: get_opt_str(attrs, "enterprise_project_id")?,
    })
}

/// The in-place update of an endpoint to `after` for the attributes a plan changes
/// (`changed`): the whitelist (with its switch), route tables and policy; `None` when the
/// plan changes none of them.
pub fn endpoint_update(
    after: &Attrs,
    changed: &[String],
) -> Result<Option<EndpointUpdate>, String> {
    let touches = |names: &[&str]| changed.iter().any(|c| names.contains(&c.as_str()));
    if !touches(&[
        "whitelist",
        "enable_whitelist",
        "route_tables",
        "policy_statement",
    ]) {
        return Ok(None);
    }
    let new = endpoint_spec(after)?;
    Ok(Some(EndpointUpdate {
        whitelist: touches(&["whitelist", "enable_whitelist"])
            .then(|| (new.whitelist.clone(), new.whitelist_enabled())),
        route_tables: touches(&["route_tables"]).then(|| new.route_tables.clone()),
        policy: touches(&["policy_statement"]).then(|| new.policy.clone()),
    }))
}

pub fn service_id_of(attrs: &Attrs) -> Result<String, String> {
    get_str(attrs, "service_id")
}

/// What the planner's rules know of a service (converted here, at the refresh boundary).
pub fn service_fact(s: &Service) -> crate::model::facts::ServiceFact {
    crate::model::facts::ServiceFact {
        id: s.id.clone(),
        status: crate::model::facts::ServiceStatus::parse(&s.status),
        approval_enabled: s.approval_enabled,
        port_id: s.port_id.clone(),
        ports: s
            .ports
            .iter()
            .map(|p| (p.protocol.clone(), p.server_port))
            .collect(),
        gateway: s.service_type == "gateway",
        whitelist: s
            .whitelist
            .iter()
            .map(|w| {
                if w == "*" {
                    "iam:domain::*".to_owned()
                } else {
                    w.clone()
                }
            })
            .collect(),
    }
}

/// What the planner's rules know of a connection.
pub fn connection_fact(c: &Connection) -> crate::model::facts::ConnectionFact {
    crate::model::facts::ConnectionFact {
        endpoint_id: c.endpoint_id.clone(),
        domain_id: c.domain_id.clone(),
        status: crate::model::facts::ConnectionStatus::parse(&c.status),
    }
}
