//! The VPCEP v1 REST API's JSON shapes (spec sections 4–6), shared by the HTTP client and the
//! emulator so both speak exactly the same wire format.

use super::types::{
    CloudError, Connection, Endpoint, EndpointSpec, PortMapping, Quotas, Service, ServiceSpec,
    ServiceUpdate,
};
use indexmap::IndexMap;
use serde_json::{Value as Json, json};

fn s(v: &Json, key: &str) -> String {
    v[key].as_str().unwrap_or_default().to_owned()
}

fn opt(v: &Json, key: &str) -> Option<String> {
    v[key].as_str().filter(|s| !s.is_empty()).map(str::to_owned)
}

fn tags_to(tags: &IndexMap<String, String>) -> Json {
    Json::Array(
        tags.iter()
            .map(|(k, v)| json!({"key": k, "value": v}))
            .collect(),
    )
}

fn tags_from(v: &Json) -> IndexMap<String, String> {
    v.as_array()
        .map(|a| a.iter().map(|t| (s(t, "key"), s(t, "value"))).collect())
        .unwrap_or_default()
}

fn ports_to(ports: &[PortMapping]) -> Json {
    Json::Array(
        ports
            .iter()
            .map(|p| json!({"client_port": p.client_port, "server_port": p.server_port, "protocol": p.protocol}))
            .collect(),
    )
}

fn ports_from(v: &Json) -> Vec<PortMapping> {
    v.as_array()
        .map(|a| {
            a.iter()
                .map(|p| PortMapping {
                    protocol: p["protocol"].as_str().unwrap_or("TCP").to_owned(),
                    server_port: u16::try_from(p["server_port"].as_u64().unwrap_or(0)).unwrap_or(0),
                    client_port: u16::try_from(p["client_port"].as_u64().unwrap_or(0)).unwrap_or(0),
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The undecorated name in `region.name.id` (none in `region.id`).
pub fn undecorate(service_name: &str, id: &str) -> Option<String> {
    let parts: Vec<&str> = service_name.split('.').collect();
    match parts.as_slice() {
        [_, name, rest @ ..] if !rest.is_empty() && *name != id => Some((*name).to_owned()),
        _ => None,
    }
}

pub fn service_create_body(spec: &ServiceSpec) -> Json {
    let mut body = json!({
        "port_id": spec.port_id,
        "vpc_id": spec.vpc_id,
        "server_type": spec.server_type,
        "service_type": spec.service_type,
        "approval_enabled": spec.approval_enabled,
        "ports": ports_to(&spec.ports),
        "tcp_proxy": spec.tcp_proxy,
        "tags": tags_to(&spec.tags),
    });
    if let Some(name) = &spec.name {
        body["service_name"] = json!(name);
    }
    if let Some(d) = &spec.description {
        body["description"] = json!(d);
    }
    body
}

pub fn service_spec_from(body: &Json) -> ServiceSpec {
    ServiceSpec {
        name: opt(body, "service_name"),
        server_type: s(body, "server_type"),
        port_id: s(body, "port_id"),
        vpc_id: s(body, "vpc_id"),
        service_type: opt(body, "service_type").unwrap_or_else(|| "interface".into()),
        approval_enabled: body["approval_enabled"].as_bool().unwrap_or(true),
        ports: ports_from(&body["ports"]),
        whitelist: Vec::new(),
        tags: tags_from(&body["tags"]),
        description: opt(body, "description"),
        tcp_proxy: opt(body, "tcp_proxy").unwrap_or_else(|| "close".into()),
    }
}

pub fn service_update_body(u: &ServiceUpdate) -> Json {
    let mut body = json!({});
    if let Some(name) = &u.name {
        body["service_name"] = json!(name.clone().unwrap_or_default());
    }
    if let Some(p) = &u.port_id {
        body["port_id"] = json!(p);
    }
    if let Some(a) = u.approval_enabled {
        body["approval_enabled"] = json!(a);
    }
    if let Some(d) = &u.description {
        body["description"] = json!(d.clone().unwrap_or_default());
    }
    if let Some(t) = &u.tcp_proxy {
        body["tcp_proxy"] = json!(t);
    }
    body
}

pub fn service_update_from(body: &Json) -> ServiceUpdate {
    ServiceUpdate {
        name: body
            .get("service_name")
            .map(|v| v.as_str().filter(|s| !s.is_empty()).map(str::to_owned)),
        port_id: opt(body, "port_id"),
        approval_enabled: body["approval_enabled"].as_bool(),
        description: body
            .get("description")
            .map(|v| v.as_str().filter(|s| !s.is_empty()).map(str::to_owned)),
        tcp_proxy: opt(body, "tcp_proxy"),
    }
}

/// The service object of GET / list (the whitelist is not part of it: see permissions).
pub fn service_to_json(svc: &Service, project_id: &str) -> Json {
    let mut v = json!({
        "id": svc.id,
        "port_id": svc.port_id,
        "service_name": svc.service_name,
        "service_type": svc.service_type,
        "server_type": svc.server_type,
        "vpc_id": svc.vpc_id,
        "approval_enabled": svc.approval_enabled,
        "status": svc.status,
        "created_at": svc.created_at,
        "updated_at": svc.created_at,
        "project_id": project_id,
        "domain_id": svc.domain_id,
        "ports": ports_to(&svc.ports),
        "tcp_proxy": svc.tcp_proxy,
        "tags": tags_to(&svc.tags),
        "connection_count": svc.connection_count,
    });
    if let Some(d) = &svc.description {
        v["description"] = json!(d);
    }
    if let Some((code, message)) = &svc.error {
        v["error"] = json!([{"error_code": code, "error_message": message}]);
    }
    v
}

pub fn service_from_json(v: &Json, whitelist: Vec<String>) -> Service {
    let id = s(v, "id");
    let service_name = s(v, "service_name");
    Service {
        name: undecorate(&service_name, &id),
        domain_id: s(v, "domain_id"),
        service_name,
        server_type: s(v, "server_type"),
        port_id: s(v, "port_id"),
        vpc_id: s(v, "vpc_id"),
        service_type: opt(v, "service_type").unwrap_or_else(|| "interface".into()),
        approval_enabled: v["approval_enabled"].as_bool().unwrap_or(true),
        status: s(v, "status"),
        ports: ports_from(&v["ports"]),
        whitelist,
        tags: tags_from(&v["tags"]),
        description: opt(v, "description"),
        tcp_proxy: opt(v, "tcp_proxy").unwrap_or_else(|| "close".into()),
        connection_count: u32::try_from(v["connection_count"].as_u64().unwrap_or(0)).unwrap_or(0),
        created_at: s(v, "created_at"),
        error: v["error"][0]["error_code"]
            .as_str()
            .map(|c| (c.to_owned(), s(&v["error"][0], "error_message"))),
        id,
    }
}

pub fn endpoint_create_body(spec: &EndpointSpec) -> Json {
    let mut body = json!({
        "endpoint_service_id": spec.service_id,
        "vpc_id": spec.vpc_id,
        "enable_dns": spec.enable_dns,
        "tags": tags_to(&spec.tags),
    });
    if let Some(x) = &spec.subnet_id {
        body["subnet_id"] = json!(x);
    }
    if let Some(x) = &spec.port_ip {
        body["port_ip"] = json!(x);
    }
    if !spec.whitelist.is_empty() {
        body["whitelist"] = json!(spec.whitelist);
        body["enable_whitelist"] = json!(true);
    }
    if let Some(x) = &spec.description {
        body["description"] = json!(x);
    }
    body
}

pub fn endpoint_spec_from(body: &Json) -> EndpointSpec {
    EndpointSpec {
        service_id: s(body, "endpoint_service_id"),
        vpc_id: s(body, "vpc_id"),
        subnet_id: opt(body, "subnet_id"),
        port_ip: opt(body, "port_ip"),
        enable_dns: body["enable_dns"].as_bool().unwrap_or(false),
        whitelist: body["whitelist"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default(),
        tags: tags_from(&body["tags"]),
        description: opt(body, "description"),
    }
}

pub fn endpoint_to_json(e: &Endpoint, project_id: &str) -> Json {
    let mut v = json!({
        "id": e.id,
        "service_type": "interface",
        "status": e.status,
        "endpoint_service_name": e.service_name,
        "endpoint_service_id": e.service_id,
        "enable_dns": e.enable_dns,
        "vpc_id": e.vpc_id,
        "created_at": e.created_at,
        "updated_at": e.created_at,
        "tags": tags_to(&e.tags),
        "whitelist": e.whitelist,
        "enable_whitelist": !e.whitelist.is_empty(),
        "project_id": project_id,
        "domain_id": e.domain_id,
    });
    for (key, value) in [
        ("subnet_id", &e.subnet_id),
        ("port_ip", &e.port_ip),
        ("ip", &e.ip),
        ("description", &e.description),
    ] {
        if let Some(x) = value {
            v[key] = json!(x);
        }
    }
    v
}

pub fn endpoint_from_json(v: &Json) -> Endpoint {
    Endpoint {
        id: s(v, "id"),
        domain_id: s(v, "domain_id"),
        service_id: s(v, "endpoint_service_id"),
        service_name: s(v, "endpoint_service_name"),
        vpc_id: s(v, "vpc_id"),
        subnet_id: opt(v, "subnet_id"),
        port_ip: opt(v, "port_ip"),
        ip: opt(v, "ip"),
        enable_dns: v["enable_dns"].as_bool().unwrap_or(false),
        whitelist: v["whitelist"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default(),
        tags: tags_from(&v["tags"]),
        description: opt(v, "description"),
        status: s(v, "status"),
        created_at: s(v, "created_at"),
    }
}

pub fn connection_to_json(c: &Connection) -> Json {
    json!({"id": c.endpoint_id, "marker_id": 0, "domain_id": c.domain_id, "status": c.status, "created_at": c.created_at, "updated_at": c.created_at})
}

pub fn connection_from_json(v: &Json) -> Connection {
    Connection {
        endpoint_id: s(v, "id"),
        domain_id: s(v, "domain_id"),
        status: s(v, "status"),
        created_at: s(v, "created_at"),
    }
}

pub fn quotas_to_json(q: &Quotas, kind: &str) -> Json {
    let (used, quota) = if kind == "endpoint" {
        (q.endpoints_used, q.endpoints_quota)
    } else {
        (q.services_used, q.services_quota)
    };
    json!({"quotas": {"resources": [{"type": kind, "used": used, "quota": quota}]}})
}

/// `(used, quota)` of a quota response.
pub fn quota_from_json(v: &Json) -> (u32, u32) {
    let r = &v["quotas"]["resources"][0];
    let n = |k: &str| u32::try_from(r[k].as_u64().unwrap_or(0)).unwrap_or(u32::MAX);
    (n("used"), n("quota"))
}

pub fn error_to_json(e: &CloudError) -> Json {
    json!({"error_code": e.code, "error_msg": e.message})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decorated_names_are_undecorated() {
        assert_eq!(
            undecorate("eu-de.billing.c7d1", "c7d1"),
            Some("billing".into())
        );
        assert_eq!(undecorate("eu-de.c7d1", "c7d1"), None);
    }
}
