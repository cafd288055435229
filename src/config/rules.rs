//! The rules the configuration alone decides (DESIGN 1.1–1.3, rules 5, 6, 7, 9): names, backend
//! types, port mappings, whitelists, tags, descriptions, approvals, services sharing a backend.
//!
//! Rules skip values that are unknown until apply; the planner checks what needs the cloud.

use super::resources::Lowered;
use crate::diag::{Diagnostic, Location};
use crate::model::schema::MAX_PORTS;
use crate::model::{CloudProfile, ResourceType, Value};
use std::collections::HashMap;

pub(crate) const MAX_NAME_LEN: usize = 16;
pub(crate) const MAX_TAGS: usize = 20;
pub(crate) const MAX_TAG_KEY_LEN: usize = 36;
pub(crate) const MAX_TAG_VALUE_LEN: usize = 43;
pub(crate) const MAX_DESCRIPTION_LEN: usize = 128;
pub(crate) const MAX_ENDPOINT_WHITELIST: usize = 20;
pub(crate) const SERVER_TYPES: &[&str] = &["LB", "VM", "VIP", "BMS"];
pub(crate) const TCP_PROXY: &[&str] = &["close", "toa_open", "proxy_open", "open", "proxy_vni"];
pub(crate) const WHITELIST_PREFIX: &str = "iam:domain::";

/// Service instances by `(name, key)`, where `(name, None)` is the first instance.
type ServiceIndex = HashMap<(String, Option<String>), usize>;

/// Checks every rule, normalising whitelists on the way.
/// `profile`: the cloud whose documented limits apply (none for the simulator, which takes
/// what any of them takes).
pub(crate) fn check(
    lowered: &mut [Lowered<'_>],
    profile: Option<CloudProfile>,
    diags: &mut Vec<Diagnostic>,
) {
    let mut services: ServiceIndex = HashMap::new();
    for (i, l) in lowered.iter().enumerate() {
        let address = &l.instance.address;
        if address.rtype() == ResourceType::Service {
            let name = address.resource.name.clone();
            services.entry((name.clone(), None)).or_insert(i);
            services.insert((name, address.key.clone()), i);
        }
    }
    for l in lowered.iter_mut() {
        match l.instance.address.rtype() {
            ResourceType::Service => {
                service(l, diags);
                if let Some(profile) = profile {
                    cloud_limits(l, profile, diags);
                }
            }
            ResourceType::Endpoint => endpoint_attrs(l, diags),
            ResourceType::Approval => approval_accounts(l, diags),
        }
    }
    shared_backends(lowered, diags);
    for l in lowered.iter() {
        match l.instance.address.rtype() {
            ResourceType::Endpoint => {
                endpoint_needs_subnet(l, lowered, &services, diags);
                gateway_only(l, lowered, &services, diags);
            }
            ResourceType::Approval => approval(l, lowered, &services, diags),
            ResourceType::Service => {}
        }
    }
}

/// What the chosen cloud documents beyond the common rules: its protocols and tag limit.
fn cloud_limits(l: &Lowered<'_>, profile: CloudProfile, diags: &mut Vec<Diagnostic>) {
    let addr = &l.instance.address;
    let (protocols, source) = profile.protocols();
    for (i, port) in l
        .instance
        .attr("port")
        .as_list()
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        let Some(p) = port
            .as_map()
            .and_then(|m| m.get("protocol"))
            .and_then(Value::as_str)
        else {
            continue;
        };
        if matches!(p, "TCP" | "UDP") && !protocols.contains(&p) {
            diags.push(
                err(
                    l,
                    &format!("port[{i}].protocol"),
                    format!("`{addr}` maps {p}, which the {} cloud does not accept", profile.as_str()),
                )
                .help(format!("{source}; use \"TCP\", or set `profile` in the provider block if this is another cloud")),
            );
        }
    }
    let (max, source) = profile.max_service_tags();
    let n = l
        .instance
        .attr("tags")
        .as_map()
        .map_or(0, crate::model::Map::len);
    if n > max && n <= MAX_TAGS {
        diags.push(
            err(
                l,
                "tags",
                format!(
                    "`{addr}` has {n} tags; the {} cloud allows at most {max}",
                    profile.as_str()
                ),
            )
            .help(format!("{source}; remove some tags")),
        );
    }
}

fn err(l: &Lowered<'_>, path: &str, message: String) -> Diagnostic {
    unless_sensitive(l, path, Diagnostic::error(message).at(l.at(path)))
}

/// `d`, about the attribute at `path` of `l`, redacted when that attribute reads a sensitive
/// value: the value in the message would be the secret, or a form of it.
fn unless_sensitive(l: &Lowered<'_>, path: &str, d: Diagnostic) -> Diagnostic {
    let top = path.split(['.', '[']).next().unwrap_or(path);
    if l.instance.sensitive.iter().any(|n| n == top) {
        super::resources::redacted_for(d, &l.instance.address)
    } else {
        d
    }
}

fn known_str<'a>(l: &'a Lowered<'_>, name: &str) -> Option<&'a str> {
    l.instance.attr(name).as_str()
}

fn service(l: &mut Lowered<'_>, diags: &mut Vec<Diagnostic>) {
    let addr = l.instance.address.clone();
    if let Some(name) = known_str(l, "name") {
        let len = name.chars().count();
        let valid_chars = name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if len == 0 || len > MAX_NAME_LEN || !valid_chars {
            diags.push(
                err(l, "name", format!("invalid service name \"{name}\" in `{addr}`"))
                    .help(format!("use 1 to {MAX_NAME_LEN} letters, digits, `_` or `-` (this one has {len} characters)")),
            );
        }
    }
    if let Some(server_type) = known_str(l, "server_type") {
        if !SERVER_TYPES.contains(&server_type) {
            let upper = server_type.to_uppercase();
            let help = if SERVER_TYPES.contains(&upper.as_str()) {
                format!("write it in capitals: \"{upper}\"")
            } else {
                "use \"LB\" (elastic load balancer, recommended) or \"VM\" (ECS)".to_owned()
            };
            diags.push(
                err(
                    l,
                    "server_type",
                    format!("invalid server_type \"{server_type}\" in `{addr}`"),
                )
                .help(help),
            );
        } else if server_type == "VIP" || server_type == "BMS" {
            diags.push(unless_sensitive(
                l,
                "server_type",
                Diagnostic::warning(format!(
                    "server_type \"{server_type}\" of `{addr}` is deprecated by the cloud and will be discontinued"
                ))
                .at(l.at("server_type"))
                .help("use \"LB\" (an elastic load balancer) for new services"),
            ));
        }
    }
    if let Some(service_type) = known_str(l, "service_type") {
        match service_type {
            "interface" => {}
            "gateway" => diags.push(
                err(l, "service_type", format!("`{addr}` cannot be a gateway service"))
                    .help("gateway services are operated by the cloud; services from your own backends are \"interface\""),
            ),
            other => diags.push(
                err(l, "service_type", format!("invalid service_type \"{other}\" in `{addr}`"))
                    .help("use \"interface\" (the default)"),
            ),
        }
    }
    if let Some(proxy) = known_str(l, "tcp_proxy")
        && !TCP_PROXY.contains(&proxy)
    {
        let valid: Vec<String> = TCP_PROXY.iter().map(|p| format!("\"{p}\"")).collect();
        diags.push(
            err(
                l,
                "tcp_proxy",
                format!("invalid tcp_proxy \"{proxy}\" in `{addr}`"),
            )
            .help(format!("use one of {}", valid.join(", "))),
        );
    }
    ports(l, diags);
    description(l, diags);
    tags(l, diags);
    service_whitelist(l, diags);
}

fn ports(l: &Lowered<'_>, diags: &mut Vec<Diagnostic>) {
    let addr = &l.instance.address;
    let Some(ports) = l.instance.attr("port").as_list() else {
        return;
    };
    let mut seen: HashMap<(String, i64), usize> = HashMap::new();
    for (i, port) in ports.iter().enumerate().take(MAX_PORTS) {
        let Some(port) = port.as_map() else { continue };
        let path = |a: &str| format!("port[{i}].{a}");
        let protocol = port.get("protocol").and_then(Value::as_str);
        if let Some(p) = protocol
            && p != "TCP"
            && p != "UDP"
        {
            let help = if p.eq_ignore_ascii_case("tcp") || p.eq_ignore_ascii_case("udp") {
                format!("write it in capitals: \"{}\"", p.to_uppercase())
            } else {
                "use \"TCP\" (the default) or \"UDP\"".to_owned()
            };
            diags.push(
                err(
                    l,
                    &path("protocol"),
                    format!("invalid protocol \"{p}\" in `{addr}`"),
                )
                .help(help),
            );
        }
        for name in ["server_port", "client_port"] {
            let Some(value) = port.get(name) else {
                continue;
            };
            if matches!(value, Value::Unknown | Value::Null) {
                continue;
            }
            match value.as_i64() {
                Some(n) if (1..=65535).contains(&n) => {}
                _ => diags.push(
                    err(
                        l,
                        &path(name),
                        format!("`{name}` {value} of `{addr}` is not a port number"),
                    )
                    .help("use a whole number from 1 to 65535"),
                ),
            }
        }
        if let (Some(p), Some(client)) = (protocol, port.get("client_port").and_then(Value::as_i64))
            && let Some(first) = seen.insert((p.to_owned(), client), i)
        {
            let first_at = l
                .at(&format!("port[{first}]"))
                .map_or_else(String::new, |loc| format!(" at {}:{}", loc.file, loc.line));
            diags.push(
                    err(l, &path("client_port"), format!("`{addr}` maps {p} client port {client} twice"))
                        .note(format!("the first mapping of {p} {client} is port block {}{first_at}", first + 1))
                        .help("each (protocol, client_port) pair may appear once; remove or change one mapping"),
                );
            seen.insert((p.to_owned(), client), first);
        }
    }
}

fn description(l: &Lowered<'_>, diags: &mut Vec<Diagnostic>) {
    let addr = &l.instance.address;
    let Some(text) = known_str(l, "description") else {
        return;
    };
    let len = text.chars().count();
    if len > MAX_DESCRIPTION_LEN {
        diags.push(
            err(
                l,
                "description",
                format!("the description of `{addr}` is {len} characters long"),
            )
            .help(format!("use at most {MAX_DESCRIPTION_LEN} characters")),
        );
    }
    if text.contains(['<', '>']) {
        diags.push(
            err(
                l,
                "description",
                format!("the description of `{addr}` contains `<` or `>`"),
            )
            .help("the cloud rejects angle brackets in descriptions; remove them"),
        );
    }
}

fn tag_chars_ok(s: &str) -> bool {
    s.chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '@'))
}

fn tags(l: &Lowered<'_>, diags: &mut Vec<Diagnostic>) {
    let addr = &l.instance.address;
    let Some(tags) = l.instance.attr("tags").as_map() else {
        return;
    };
    if tags.len() > MAX_TAGS {
        diags.push(
            err(
                l,
                "tags",
                format!(
                    "`{addr}` has {} tags; at most {MAX_TAGS} are allowed",
                    tags.len()
                ),
            )
            .help("remove some tags"),
        );
    }
    for (key, value) in tags {
        let key_len = key.chars().count();
        let at = format!("tags.{key}");
        if key_len == 0 || key_len > MAX_TAG_KEY_LEN || !tag_chars_ok(key) {
            diags.push(
                err(l, &at, format!("invalid tag key \"{key}\" in `{addr}`")).help(format!(
                    "tag keys are 1 to {MAX_TAG_KEY_LEN} letters, digits, `_`, `-` or `@`"
                )),
            );
        }
        let Some(value) = value.as_str() else {
            continue;
        };
        let value_len = value.chars().count();
        if value_len > MAX_TAG_VALUE_LEN || !tag_chars_ok(value) {
            diags.push(
                err(
                    l,
                    &at,
                    format!("invalid value \"{value}\" for tag \"{key}\" in `{addr}`"),
                )
                .help(format!(
                    "tag values are 0 to {MAX_TAG_VALUE_LEN} letters, digits, `_`, `-` or `@`"
                )),
            );
        }
    }
}

/// Normalises a service whitelist entry to `iam:domain::<id>`; every account (`*`) is
/// `iam:domain::*`, the form the API's whitelist call takes.
pub fn normalize_whitelist_entry(entry: &str) -> Option<String> {
    let entry = entry.trim();
    if entry == "*" || entry == "iam:domain::*" {
        return Some(format!("{WHITELIST_PREFIX}*"));
    }
    let id = entry.strip_prefix(WHITELIST_PREFIX).unwrap_or(entry);
    super::settings::is_cloud_id(id).then(|| format!("{WHITELIST_PREFIX}{}", id.to_lowercase()))
}

fn service_whitelist(l: &mut Lowered<'_>, diags: &mut Vec<Diagnostic>) {
    let addr = l.instance.address.clone();
    let Some(entries) = l.instance.attr("whitelist").as_list() else {
        return;
    };
    let mut normalized: Vec<Value> = Vec::with_capacity(entries.len());
    let mut original: HashMap<String, String> = HashMap::new();
    let mut ok = true;
    for (i, entry) in entries.iter().enumerate() {
        let at = format!("whitelist[{i}]");
        let Value::String(raw) = entry else {
            normalized.push(entry.clone());
            continue;
        };
        if let Some(n) = normalize_whitelist_entry(raw) {
            if let Some(first) = original.get(&n) {
                diags.push(
                    err(l, &at, format!("the whitelist of `{addr}` lists account {n} twice (as \"{first}\" and \"{raw}\")"))
                        .help("list each account once"),
                );
                ok = false;
            } else {
                original.insert(n.clone(), raw.to_string());
                normalized.push(Value::String(n.into()));
            }
        } else {
            diags.push(
                err(l, &at, format!("whitelist entry \"{raw}\" of `{addr}` is not an account"))
                    .help("use an account (domain) ID of 32 hexadecimal characters, \"iam:domain::<ID>\", or \"*\" for every account"),
            );
            ok = false;
        }
    }
    if ok {
        normalized.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
        l.instance
            .attrs
            .insert("whitelist", Value::List(normalized));
    }
}

/// An approval's `accounts`: each an account (domain) ID, bare or as `iam:domain::ID`, kept
/// as the bare ID in lower case, each once; and an approval names `endpoints` or `accounts`.
fn approval_accounts(l: &mut Lowered<'_>, diags: &mut Vec<Diagnostic>) {
    let addr = l.instance.address.clone();
    // One of the two must be written (an empty list is fine: a module's approval may start
    // with none).
    if !l.body.has_attribute("endpoints") && !l.body.has_attribute("accounts") {
        diags.push(
            err(l, "endpoints", format!("`{addr}` accepts nothing: it has no `endpoints` and no `accounts`"))
                .help("list the endpoints to accept in `endpoints`, or the partners' account IDs in `accounts` to accept every endpoint they connect"),
        );
    }
    let Some(entries) = l.instance.attr("accounts").as_list() else {
        return;
    };
    let mut normalized: Vec<Value> = Vec::with_capacity(entries.len());
    let mut ok = true;
    for (i, entry) in entries.iter().enumerate() {
        let Value::String(raw) = entry else {
            normalized.push(entry.clone());
            continue;
        };
        let id = raw.trim();
        let id = id
            .strip_prefix(WHITELIST_PREFIX)
            .unwrap_or(id)
            .to_lowercase();
        if !super::settings::is_cloud_id(&id) {
            diags.push(
                err(l, &format!("accounts[{i}]"), format!("\"{raw}\" in the `accounts` of `{addr}` is not an account"))
                    .help("use an account (domain) ID of 32 hexadecimal characters, or \"iam:domain::<ID>\""),
            );
            ok = false;
        } else if normalized.iter().any(|v| v.as_str() == Some(id.as_str())) {
            diags.push(
                err(
                    l,
                    &format!("accounts[{i}]"),
                    format!("`{addr}` lists account {id} twice"),
                )
                .help("list each account once"),
            );
            ok = false;
        } else {
            normalized.push(Value::String(id.into()));
        }
    }
    if ok {
        l.instance.attrs.insert("accounts", Value::List(normalized));
    }
}

fn is_ipv4_or_cidr(s: &str) -> bool {
    let (ip, prefix) = match s.split_once('/') {
        Some((ip, p)) => (ip, Some(p)),
        None => (s, None),
    };
    ip.parse::<std::net::Ipv4Addr>().is_ok()
        && prefix.is_none_or(|p| p.parse::<u8>().is_ok_and(|n| n <= 32) && !p.starts_with('+'))
}

fn endpoint_attrs(l: &Lowered<'_>, diags: &mut Vec<Diagnostic>) {
    let addr = &l.instance.address;
    description(l, diags);
    tags(l, diags);
    whitelist_switch(l, diags);
    policy(l, diags);
    route_tables(l, diags);
    if let Some(ip) = known_str(l, "port_ip")
        && ip.parse::<std::net::Ipv4Addr>().is_err()
    {
        diags.push(
            err(
                l,
                "port_ip",
                format!("port_ip \"{ip}\" of `{addr}` is not an IPv4 address"),
            )
            .help("write it as e.g. \"192.168.0.10\""),
        );
    }
    let Some(entries) = l.instance.attr("whitelist").as_list() else {
        return;
    };
    if entries.len() > MAX_ENDPOINT_WHITELIST {
        diags.push(
            err(l, "whitelist", format!("the whitelist of `{addr}` has {} entries; at most {MAX_ENDPOINT_WHITELIST} are allowed", entries.len()))
                .help("combine addresses into CIDR blocks"),
        );
    }
    let mut seen = std::collections::HashSet::new();
    for (i, entry) in entries.iter().enumerate() {
        let Some(s) = entry.as_str() else { continue };
        let at = format!("whitelist[{i}]");
        if !is_ipv4_or_cidr(s) {
            diags.push(
                err(
                    l,
                    &at,
                    format!(
                        "whitelist entry \"{s}\" of `{addr}` is not an IPv4 address or CIDR block"
                    ),
                )
                .help("write entries like \"10.0.0.5\" or \"10.0.0.0/24\""),
            );
        } else if !seen.insert(s) {
            diags.push(
                err(
                    l,
                    &at,
                    format!("the whitelist of `{addr}` lists \"{s}\" twice"),
                )
                .help("list each address once"),
            );
        }
    }
}

/// `enable_whitelist` that contradicts the whitelist: allowed by the cloud, but surely not
/// what was meant.
fn whitelist_switch(l: &Lowered<'_>, diags: &mut Vec<Diagnostic>) {
    let addr = &l.instance.address;
    let Some(enabled) = l.instance.attr("enable_whitelist").as_bool() else {
        return;
    };
    let Some(entries) = l.instance.attr("whitelist").as_list() else {
        return;
    };
    if !enabled && !entries.is_empty() {
        diags.push(
            Diagnostic::warning(format!(
                "`{addr}` has a whitelist, but `enable_whitelist = false`: any address can use the endpoint"
            ))
            .at(l.at("enable_whitelist"))
            .help("remove `enable_whitelist = false` to enforce the whitelist, or remove the whitelist"),
        );
    } else if enabled && entries.is_empty() {
        diags.push(
            Diagnostic::warning(format!(
                "`{addr}` sets `enable_whitelist = true` with an empty whitelist: no address can use the endpoint"
            ))
            .at(l.at("enable_whitelist"))
            .help("list the addresses that may use it in `whitelist`"),
        );
    }
}

/// A gateway endpoint's policy statements: `Allow` or `Deny`, with actions and resources.
fn policy(l: &Lowered<'_>, diags: &mut Vec<Diagnostic>) {
    let addr = &l.instance.address;
    let Some(statements) = l.instance.attr("policy_statement").as_list() else {
        return;
    };
    for (i, st) in statements.iter().enumerate() {
        let Value::Map(m) = st else { continue };
        if let Some(effect) = m.get("effect").and_then(Value::as_str)
            && effect != "Allow"
            && effect != "Deny"
        {
            diags.push(
                err(
                    l,
                    &format!("policy_statement[{i}].effect"),
                    format!("effect \"{effect}\" of `{addr}`'s policy statement {} is neither \"Allow\" nor \"Deny\"", i + 1),
                )
                .help("write `effect = \"Allow\"` or `effect = \"Deny\"` (capitalised, as the API takes them)"),
            );
        }
        for name in ["action", "resource"] {
            if m.get(name)
                .and_then(Value::as_list)
                .is_some_and(<[Value]>::is_empty)
            {
                diags.push(
                    err(
                        l,
                        &format!("policy_statement[{i}].{name}"),
                        format!("`{addr}`'s policy statement {} has no {name}", i + 1),
                    )
                    .help(if name == "action" {
                        "list what it allows or denies, e.g. `action = [\"obs:object:GetObject\"]`"
                    } else {
                        "list the objects it covers, e.g. `resource = [\"my-bucket/*\"]`"
                    }),
                );
            }
        }
    }
}

/// Route table IDs: none empty, none twice.
fn route_tables(l: &Lowered<'_>, diags: &mut Vec<Diagnostic>) {
    let addr = &l.instance.address;
    let Some(tables) = l.instance.attr("route_tables").as_list() else {
        return;
    };
    let mut seen = std::collections::HashSet::new();
    for (i, t) in tables.iter().enumerate() {
        let Some(t) = t.as_str() else { continue };
        let at = format!("route_tables[{i}]");
        if t.trim().is_empty() {
            diags.push(
                err(l, &at, format!("`{addr}` lists an empty route table ID"))
                    .help("write the route table's ID, or leave `route_tables` out to use the VPC's default table"),
            );
        } else if !seen.insert(t) {
            diags.push(
                err(l, &at, format!("`{addr}` lists route table \"{t}\" twice"))
                    .help("list each route table once"),
            );
        }
    }
}

/// The `(protocol, server_port)` pairs of a service's port mappings, with their index.
pub(crate) fn server_ports(port: &Value) -> Vec<((String, i64), usize)> {
    port.as_list()
        .unwrap_or_default()
        .iter()
        .enumerate()
        .filter_map(|(i, p)| {
            let m = p.as_map()?;
            let protocol = m.get("protocol").and_then(Value::as_str).unwrap_or("TCP");
            let server_port = m.get("server_port").and_then(Value::as_i64)?;
            Some(((protocol.to_owned(), server_port), i))
        })
        .collect()
}

/// Rule 7: services may share a backend (`port_id`) as long as their `(protocol, server_port)`
/// pairs do not overlap (the API's `EndPoint.3044`).
fn shared_backends(lowered: &[Lowered<'_>], diags: &mut Vec<Diagnostic>) {
    // Per backend, who maps each `(protocol, server_port)` first.
    let mut taken: HashMap<&str, HashMap<(String, i64), usize>> = HashMap::new();
    for (index, l) in lowered.iter().enumerate() {
        if l.instance.address.rtype() != ResourceType::Service {
            continue;
        }
        let Some(port_id) = known_str(l, "port_id") else {
            continue;
        };
        let on_backend = taken.entry(port_id).or_default();
        for (pair, i) in server_ports(l.instance.attr("port")) {
            match on_backend.get(&pair) {
                Some(&first) if first != index => {
                    let other = &lowered[first];
                    let first_at = other
                        .at("port_id")
                        .map_or_else(String::new, |loc: Location| {
                            format!(" at {}:{}", loc.file, loc.line)
                        });
                    diags.push(
                        err(
                            l,
                            &format!("port[{i}]"),
                            format!(
                                "`{}` maps {} server port {} on the backend {port_id}, which `{}` already maps",
                                l.instance.address, pair.0, pair.1, other.instance.address
                            ),
                        )
                        .note(format!("`{}` uses the backend{first_at}", other.instance.address))
                        .help("services that share a backend must use different server ports (or protocols); change the server port, or give one service another backend"),
                    );
                }
                Some(_) => {}
                None => {
                    on_backend.insert(pair, index);
                }
            }
        }
    }
}

/// The managed service a `service_id` attribute points at, if it is a reference to one.
fn referenced_service<'a>(
    l: &Lowered<'_>,
    lowered: &'a [Lowered<'a>],
    services: &ServiceIndex,
) -> Option<&'a Lowered<'a>> {
    let target = l
        .instance
        .refs
        .get("service_id")?
        .iter()
        .find(|t| t.resource.rtype == ResourceType::Service)?;
    let index = *services.get(&(target.resource.name.clone(), target.key.clone()))?;
    Some(&lowered[index])
}

fn endpoint_needs_subnet(
    l: &Lowered<'_>,
    lowered: &[Lowered<'_>],
    services: &ServiceIndex,
    diags: &mut Vec<Diagnostic>,
) {
    if !l.instance.attr("subnet_id").is_null() {
        return;
    }
    if let Some(service) = referenced_service(l, lowered, services)
        && service.instance.attr("service_type").as_str() == Some("interface")
    {
        diags.push(
            Diagnostic::error(format!(
                "`{}` connects to the interface service `{}` and needs a `subnet_id`",
                l.instance.address, service.instance.address
            ))
            .at(l.decl_location())
            .help("add `subnet_id = \"...\"`: the subnet the endpoint's IP address comes from"),
        );
    }
}

/// Route tables and a policy are for endpoints of gateway services; a service of this
/// configuration is always an interface service.
fn gateway_only(
    l: &Lowered<'_>,
    lowered: &[Lowered<'_>],
    services: &ServiceIndex,
    diags: &mut Vec<Diagnostic>,
) {
    let Some(service) = referenced_service(l, lowered, services) else {
        return;
    };
    for name in ["route_tables", "policy_statement"] {
        if l.instance
            .attr(name)
            .as_list()
            .is_some_and(|items| !items.is_empty())
        {
            diags.push(
                err(
                    l,
                    name,
                    format!(
                        "`{}` sets `{name}`, but `{}` is an interface service; `{name}` is only for endpoints of gateway services",
                        l.instance.address, service.instance.address
                    ),
                )
                .help(format!("remove `{name}`: an interface endpoint is reached at its IP address or DNS name, not through route tables")),
            );
        }
    }
}

fn approval(
    l: &Lowered<'_>,
    lowered: &[Lowered<'_>],
    services: &ServiceIndex,
    diags: &mut Vec<Diagnostic>,
) {
    let addr = &l.instance.address;
    if let Some(service) = referenced_service(l, lowered, services)
        && service.instance.attr("approval_enabled").as_bool() == Some(false)
    {
        diags.push(
            err(
                l,
                "service_id",
                format!(
                    "`{addr}` approves connections of `{}`, which has approval disabled",
                    service.instance.address
                ),
            )
            .note(format!(
                "`{}` sets approval_enabled = false, so endpoints are accepted without approval",
                service.instance.address
            ))
            .help(format!(
                "set `approval_enabled = true` on `{}`, or remove `{addr}`",
                service.instance.address
            )),
        );
    }
    if let Some(endpoints) = l.instance.attr("endpoints").as_list() {
        let mut seen = std::collections::HashSet::new();
        for (i, e) in endpoints.iter().enumerate() {
            let Some(e) = e.as_str() else { continue };
            if !seen.insert(e) {
                diags.push(
                    err(
                        l,
                        &format!("endpoints[{i}]"),
                        format!("`{addr}` lists endpoint \"{e}\" twice"),
                    )
                    .help("list each endpoint once"),
                );
            }
        }
        let refs = l
            .instance
            .refs
            .get("endpoints")
            .map_or(&[][..], Vec::as_slice);
        let mut seen_refs = std::collections::HashSet::new();
        for r in refs {
            if !seen_refs.insert((r.resource.clone(), r.key.clone())) {
                let key = r
                    .key
                    .as_ref()
                    .map_or_else(String::new, |k| format!("[\"{k}\"]"));
                diags.push(
                    err(
                        l,
                        "endpoints",
                        format!("`{addr}` lists endpoint `{}{key}` twice", r.resource),
                    )
                    .help("list each endpoint once"),
                );
            }
        }
    }
}
