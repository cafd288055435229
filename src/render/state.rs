//! The recorded state for people (`vpcep show`): per service its status, backend, port
//! mappings, whitelist, tags, approval and connections (the console's "summary" and "port
//! mappings"), per endpoint its address, per approval what it accepts; sensitive values
//! redacted. (`render::json::state_values` is the same for tools.)

use crate::model::{RecordedResource, RecordedState, ResourceType, Value};
use std::fmt::Write as _;

fn s(v: &Value) -> String {
    match v {
        Value::String(s) => s.to_string(),
        Value::Null => "-".to_owned(),
        other => other.to_string(),
    }
}

/// A list attribute as `a, b, c`, or `empty` when it has no elements.
fn joined(v: &Value, empty: &str) -> String {
    // A redacted list (see `redacted`) is shown as what it is, never as empty.
    if let Some(text) = v.as_str() {
        return text.to_owned();
    }
    let items: Vec<String> = v.as_list().unwrap_or_default().iter().map(s).collect();
    if items.is_empty() {
        empty.to_owned()
    } else {
        items.join(", ")
    }
}

fn connections(r: &RecordedResource, out: &mut String) {
    let list = r.attr("connections").as_list().unwrap_or_default();
    if list.is_empty() {
        let n = r.attr("connection_count").as_i64().unwrap_or(0);
        let _ = writeln!(out, "  connections:   {n} accepted or creating");
        return;
    }
    let _ = writeln!(out, "  connections:");
    for c in list.iter().filter_map(Value::as_map) {
        let get = |k: &str| c.get(k).map(s).unwrap_or_default();
        let marker = c
            .get("marker_id")
            .filter(|m| !m.is_null())
            .map_or_else(String::new, |m| format!(", marker ID {m}"));
        let note = c
            .get("description")
            .filter(|d| !d.is_null())
            .map_or_else(String::new, |d| format!(" — {}", s(d)));
        let _ = writeln!(
            out,
            "    {} (account {}{marker}): {}{note}",
            get("endpoint_id"),
            get("domain_id"),
            get("status")
        );
    }
}

fn service(r: &RecordedResource, out: &mut String) {
    let a = |n: &str| s(r.attr(n));
    let _ = writeln!(out, "  id:            {}", r.id);
    let _ = writeln!(out, "  service name:  {}", a("service_name"));
    let _ = writeln!(out, "  status:        {}", a("status"));
    let _ = writeln!(
        out,
        "  backend:       {} {} in VPC {}",
        a("server_type"),
        a("port_id"),
        a("vpc_id")
    );
    let _ = writeln!(
        out,
        "  type:          {}, tcp_proxy {}",
        a("service_type"),
        a("tcp_proxy")
    );
    let approval = if r.attr("approval_enabled").as_bool() == Some(false) {
        "not required (endpoints are accepted automatically)"
    } else {
        "required"
    };
    let _ = writeln!(out, "  approval:      {approval}");
    let _ = writeln!(
        out,
        "  port mappings: (protocol, client port -> server port)"
    );
    for p in r
        .attr("port")
        .as_list()
        .unwrap_or_default()
        .iter()
        .filter_map(Value::as_map)
    {
        let get = |k: &str| p.get(k).map(s).unwrap_or_default();
        let _ = writeln!(
            out,
            "    {} {} -> {}",
            get("protocol"),
            get("client_port"),
            get("server_port")
        );
    }
    let _ = writeln!(
        out,
        "  whitelist:     {}",
        joined(r.attr("whitelist"), "(only this account)")
    );
    let tags: Vec<String> = r
        .attr("tags")
        .as_map()
        .map(|m| m.iter().map(|(k, v)| format!("{k}={}", s(v))).collect())
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "  tags:          {}",
        match r.attr("tags").as_str() {
            // Redacted (see `redacted`): sensitive, not absent.
            Some(text) => text.to_owned(),
            None if tags.is_empty() => "-".to_owned(),
            None => tags.join(", "),
        }
    );
    if !r.attr("description").is_null() {
        let _ = writeln!(out, "  description:   {}", a("description"));
    }
    enterprise_project(r, out);
    connections(r, out);
}

/// The enterprise project, unless it is the default one.
fn enterprise_project(r: &RecordedResource, out: &mut String) {
    if let Some(project) = r
        .attr("enterprise_project_id")
        .as_str()
        .filter(|p| *p != "0")
    {
        let _ = writeln!(out, "  enterprise project: {project}");
    }
}

fn endpoint(r: &RecordedResource, out: &mut String) {
    let a = |n: &str| s(r.attr(n));
    let _ = writeln!(out, "  id:            {}", r.id);
    let _ = writeln!(
        out,
        "  service:       {} ({})",
        a("service_id"),
        a("service_name")
    );
    let _ = writeln!(out, "  status:        {}", a("status"));
    let _ = writeln!(
        out,
        "  address:       {} in VPC {}, subnet {}",
        a("ip"),
        a("vpc_id"),
        a("subnet_id")
    );
    let _ = writeln!(
        out,
        "  DNS names:     {}",
        joined(r.attr("dns_names"), "- (enable_dns is off)")
    );
    if !r.attr("marker_id").is_null() {
        let _ = writeln!(
            out,
            "  marker ID:     {} (the packet ID Proxy Protocol passes to the backend)",
            a("marker_id")
        );
    }
    if r.attr("service_type").as_str() == Some("gateway") {
        let _ = writeln!(
            out,
            "  route tables:  {}",
            joined(r.attr("route_tables"), "-")
        );
        let statements = r.attr("policy_statement").as_list().unwrap_or_default();
        if statements.is_empty() {
            let _ = writeln!(out, "  policy:        - (the service's default)");
        }
        for (i, st) in statements.iter().enumerate() {
            let get = |n: &str| {
                st.as_map()
                    .map_or(Value::Null, |m| m.get(n).cloned().unwrap_or(Value::Null))
            };
            let _ = writeln!(
                out,
                "  {:<15}{} {} on {}",
                if i == 0 { "policy:" } else { "" },
                s(&get("effect")),
                joined(&get("action"), "-"),
                joined(&get("resource"), "-")
            );
        }
    } else if !r.attr("whitelist").as_list().unwrap_or_default().is_empty()
        || r.attr("enable_whitelist").as_bool() == Some(true)
    {
        let _ = writeln!(
            out,
            "  whitelist:     {}{}",
            joined(r.attr("whitelist"), "-"),
            if r.attr("enable_whitelist").as_bool() == Some(false) {
                " (not enforced: enable_whitelist is off)"
            } else {
                ""
            }
        );
    }
    enterprise_project(r, out);
}

fn approval(r: &RecordedResource, out: &mut String) {
    let _ = writeln!(out, "  service:       {}", s(r.attr("service_id")));
    let _ = writeln!(out, "  accepts:       {}", joined(r.attr("endpoints"), "-"));
    connections(r, out);
}

/// The resource with its sensitive attributes' values replaced by `(sensitive value)`.
fn redacted(r: &RecordedResource) -> std::borrow::Cow<'_, RecordedResource> {
    if r.sensitive.is_empty() {
        return std::borrow::Cow::Borrowed(r);
    }
    let mut r = r.clone();
    for name in &r.sensitive {
        if let Some(v) = r.attrs.get_mut(name) {
            *v = Value::from(super::human::SENSITIVE);
        }
    }
    std::borrow::Cow::Owned(r)
}

/// `vpcep show`: every recorded resource, as people read it.
pub fn human(state: &RecordedState, location: &str) -> String {
    let mut out = String::new();
    if state.resources.is_empty() {
        let _ = writeln!(out, "No resources are recorded in {location}.");
        return out;
    }
    for r in state.resources.values() {
        let r = redacted(r);
        let r = r.as_ref();
        let _ = writeln!(out, "{}", r.address);
        match r.address.rtype() {
            ResourceType::Service => service(r, &mut out),
            ResourceType::Endpoint => endpoint(r, &mut out),
            ResourceType::Approval => approval(r, &mut out),
        }
        out.push('\n');
    }
    if !state.outputs.is_empty() {
        let _ = writeln!(out, "Outputs:");
        for (k, o) in &state.outputs {
            let v = if o.sensitive {
                super::human::SENSITIVE.to_owned()
            } else {
                o.value.to_string()
            };
            let _ = writeln!(out, "  {k} = {v}");
        }
    }
    out
}
