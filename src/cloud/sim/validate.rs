//! The API's input rules as the simulator (and so the emulator) enforces them, each with the
//! API's error code (spec sections 4.1, 4.5, 4.10, 4.11, 5 and 6): a client that sends what the
//! real API refuses is refused here too.

use crate::cloud::types::{
    CloudError, CloudResult, EndpointSpec, MAX_POLICY_STATEMENTS, PolicyStatement, ServiceSpec,
    ServiceUpdate,
};
use indexmap::IndexMap;

fn bad(code: &str, message: impl Into<String>) -> CloudError {
    CloudError::new(400, code, message)
}

fn name(name: &str) -> CloudResult<()> {
    if name.is_empty()
        || name.chars().count() > 16
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        return Err(bad(
            "EndPoint.1003",
            format!("invalid endpoint service name `{name}`: 1 to 16 letters, digits, `_` or `-`"),
        ));
    }
    Ok(())
}

fn description(d: &str) -> CloudResult<()> {
    if d.chars().count() > 128 || d.contains(['<', '>']) {
        return Err(bad(
            "EndPoint.0002",
            "invalid description: at most 128 characters, without `<` or `>`",
        ));
    }
    Ok(())
}

fn tcp_proxy(t: &str) -> CloudResult<()> {
    if !matches!(
        t,
        "close" | "toa_open" | "proxy_open" | "open" | "proxy_vni"
    ) {
        return Err(bad("EndPoint.0002", format!("invalid tcp_proxy `{t}`")));
    }
    Ok(())
}

fn id(value: &str, field: &str, code: &str) -> CloudResult<()> {
    if value.is_empty() || value.len() > 64 {
        return Err(bad(code, format!("invalid {field} `{value}`")));
    }
    Ok(())
}

fn tag_text(s: &str) -> bool {
    s.chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '@'))
}

/// Tags of one request: at most `max`, keys 1–36, values 0–43 characters of letters, digits,
/// `_ - @`.
pub(super) fn tags(tags: &IndexMap<String, String>, max: usize) -> CloudResult<()> {
    if tags.len() > max {
        return Err(bad(
            "EndPoint.3069",
            format!("too many tags: at most {max} per resource"),
        ));
    }
    for (k, v) in tags {
        if k.is_empty() {
            return Err(bad("EndPoint.3066", "a tag key is empty"));
        }
        if k.chars().count() > 36 {
            return Err(bad(
                "EndPoint.3072",
                format!("the tag key `{k}` is too long"),
            ));
        }
        if v.chars().count() > 43 {
            return Err(bad(
                "EndPoint.3073",
                format!("the tag value of `{k}` is too long"),
            ));
        }
        if !tag_text(k) || !tag_text(v) {
            return Err(bad(
                "EndPoint.3068",
                format!("the tag `{k}` has characters other than letters, digits, `_ - @`"),
            ));
        }
    }
    Ok(())
}

pub(super) fn service_spec(spec: &ServiceSpec, max_tags: usize) -> CloudResult<()> {
    id(&spec.port_id, "port_id", "EndPoint.3003")?;
    id(&spec.vpc_id, "vpc_id", "EndPoint.0020")?;
    if !matches!(spec.server_type.as_str(), "LB" | "VM" | "VIP" | "BMS") {
        return Err(bad(
            "EndPoint.3021",
            format!("invalid server_type `{}`", spec.server_type),
        ));
    }
    if spec.service_type != "interface" {
        return Err(bad(
            "EndPoint.0002",
            "only interface services can be created",
        ));
    }
    if let Some(n) = &spec.name {
        name(n)?;
    }
    if let Some(d) = &spec.description {
        description(d)?;
    }
    tcp_proxy(&spec.tcp_proxy)?;
    if spec.ports.is_empty() {
        return Err(bad(
            "EndPoint.2028",
            "the service port or protocol is empty",
        ));
    }
    if spec.ports.len() > 200 {
        return Err(bad("EndPoint.3074", "too many port mappings"));
    }
    let mut seen = std::collections::HashSet::new();
    for p in &spec.ports {
        if p.client_port == 0 || p.server_port == 0 {
            return Err(bad("EndPoint.3043", "ports are 1 to 65535"));
        }
        if !matches!(p.protocol.as_str(), "TCP" | "UDP") {
            return Err(bad(
                "EndPoint.3075",
                format!("invalid protocol `{}`", p.protocol),
            ));
        }
        if !seen.insert((p.protocol.clone(), p.client_port)) {
            return Err(bad(
                "EndPoint.3044",
                format!(
                    "the client port {} ({}) is mapped twice",
                    p.client_port, p.protocol
                ),
            ));
        }
    }
    tags(&spec.tags, max_tags)?;
    whitelist(&spec.whitelist)
}

pub(super) fn service_update(update: &ServiceUpdate) -> CloudResult<()> {
    if let Some(Some(n)) = &update.name {
        name(n)?;
    }
    if let Some(Some(d)) = &update.description {
        description(d)?;
    }
    if let Some(t) = &update.tcp_proxy {
        tcp_proxy(t)?;
    }
    if let Some(p) = &update.port_id {
        id(p, "port_id", "EndPoint.3003")?;
    }
    Ok(())
}

/// Whitelist records: `iam:domain::<id>`, the id 1–64 letters, digits or `*`.
pub(super) fn whitelist(entries: &[String]) -> CloudResult<()> {
    for e in entries {
        let valid = e.strip_prefix("iam:domain::").is_some_and(|id| {
            !id.is_empty()
                && id.len() <= 64
                && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '*')
        });
        if !valid {
            return Err(bad(
                "EndPoint.3002",
                format!("Invalid permission `{e}`: use iam:domain::<domain_id> (or iam:domain::*)"),
            ));
        }
    }
    Ok(())
}

fn ip_or_cidr(s: &str) -> bool {
    let (ip, prefix) = s.split_once('/').unwrap_or((s, "32"));
    ip.parse::<std::net::Ipv4Addr>().is_ok() && prefix.parse::<u8>().is_ok_and(|p| p <= 32)
}

pub(super) fn endpoint_spec(spec: &EndpointSpec, max_tags: usize) -> CloudResult<()> {
    id(&spec.service_id, "endpoint_service_id", "EndPoint.3062")?;
    id(&spec.vpc_id, "vpc_id", "EndPoint.0020")?;
    if let Some(s) = &spec.subnet_id {
        id(s, "subnet_id", "EndPoint.4004")?;
    }
    if let Some(ip) = &spec.port_ip
        && ip.parse::<std::net::Ipv4Addr>().is_err()
    {
        return Err(bad("EndPoint.0002", format!("invalid port_ip `{ip}`")));
    }
    if spec.whitelist.len() > 20 {
        return Err(bad("EndPoint.2045", "at most 20 whitelist records"));
    }
    if let Some(w) = spec.whitelist.iter().find(|w| !ip_or_cidr(w)) {
        return Err(bad(
            "EndPoint.2044",
            format!("invalid whitelist record `{w}`"),
        ));
    }
    if let Some(d) = &spec.description {
        description(d)?;
    }
    if let Some(t) = spec.route_tables.iter().find(|t| t.trim().is_empty()) {
        return Err(bad("EndPoint.0002", format!("invalid route table `{t}`")));
    }
    policy(&spec.policy)?;
    tags(&spec.tags, max_tags)
}

fn policy(policy: &[PolicyStatement]) -> CloudResult<()> {
    if policy.len() > MAX_POLICY_STATEMENTS {
        return Err(bad(
            "EndPoint.0002",
            format!("at most {MAX_POLICY_STATEMENTS} policy statements"),
        ));
    }
    for p in policy {
        if p.effect != "Allow" && p.effect != "Deny" {
            return Err(bad(
                "EndPoint.0002",
                format!("invalid policy effect `{}`: Allow or Deny", p.effect),
            ));
        }
        if p.action.is_empty() || p.resource.is_empty() {
            return Err(bad(
                "EndPoint.0002",
                "a policy statement needs at least one action and one resource",
            ));
        }
    }
    Ok(())
}

/// What only one kind of endpoint takes: route tables and a policy are for gateway services.
pub(super) fn endpoint_kind(spec: &EndpointSpec, service_type: &str) -> CloudResult<()> {
    if service_type != "gateway" && (!spec.route_tables.is_empty() || !spec.policy.is_empty()) {
        return Err(bad(
            "EndPoint.0002",
            "routetables and policy_statement are only for endpoints of gateway services",
        ));
    }
    Ok(())
}
