//! The machine-readable plan: the shape of Terraform's JSON plan representation (format 1.2),
//! so policy and review tools that read Terraform plans work on it, plus `refusals`,
//! `warnings` and a `summary`. Written as one line, as Terraform writes it.

use crate::model::schema::schema;
use crate::model::{Address, DesiredState, RecordedState, Value};
use crate::plan::{Action, Attrs, Drift, Plan, ResourceChange, configured_names};
use indexmap::IndexMap;
use serde_json::{Map, Value as Json, json};

/// Looks like a Terraform release to consumers that check it; ours is under `vpcep.version`.
pub const TERRAFORM_VERSION: &str = "1.9.0";
pub const FORMAT_VERSION: &str = "1.2";
pub const PROVIDER_NAME: &str = "registry.terraform.io/vpcep/vpcep";

/// Everything the JSON plan is made from.
pub struct PlanDocument<'a> {
    pub plan: &'a Plan,
    /// The recorded (refreshed) state the plan was made against.
    pub prior: &'a RecordedState,
    pub desired: &'a DesiredState,
    /// Which cloud, e.g. "the simulated cloud (...)".
    pub cloud: &'a str,
    pub simulated: bool,
}

/// A value with unknowns as `(value with nulls, after_unknown mask)`; the mask is `false`
/// where everything is known.
pub fn split_unknown(v: &Value) -> (Json, Json) {
    match v {
        Value::Unknown => (Json::Null, Json::Bool(true)),
        Value::List(items) => {
            let parts: Vec<(Json, Json)> = items.iter().map(split_unknown).collect();
            let any = parts.iter().any(|(_, m)| *m != Json::Bool(false));
            let values = Json::Array(parts.iter().map(|(v, _)| v.clone()).collect());
            let mask = if any {
                Json::Array(parts.into_iter().map(|(_, m)| m).collect())
            } else {
                Json::Bool(false)
            };
            (values, mask)
        }
        Value::Map(map) => {
            let mut values = Map::new();
            let mut mask = Map::new();
            for (k, item) in map {
                let (v, m) = split_unknown(item);
                values.insert(k.to_owned(), v);
                if m != Json::Bool(false) {
                    mask.insert(k.to_owned(), m);
                }
            }
            let mask = if mask.is_empty() {
                Json::Bool(false)
            } else {
                Json::Object(mask)
            };
            (Json::Object(values), mask)
        }
        other => (other.to_json(), Json::Bool(false)),
    }
}

/// The inverse of [`split_unknown`].
pub fn join_unknown(value: &Json, mask: &Json) -> Value {
    match (value, mask) {
        (_, Json::Bool(true)) => Value::Unknown,
        (Json::Array(items), Json::Array(masks)) => Value::List(
            items
                .iter()
                .enumerate()
                .map(|(i, v)| join_unknown(v, masks.get(i).unwrap_or(&Json::Bool(false))))
                .collect(),
        ),
        (Json::Object(map), Json::Object(masks)) => Value::map(
            map.iter()
                .map(|(k, v)| {
                    (
                        k.clone(),
                        join_unknown(v, masks.get(k).unwrap_or(&Json::Bool(false))),
                    )
                })
                .collect(),
        ),
        (v, _) => Value::from_json(v),
    }
}

fn attrs_json(attrs: &Attrs) -> (Json, Json) {
    let (values, mask) = split_unknown(&Value::map(attrs.clone()));
    let mask = if mask == Json::Bool(false) {
        json!({})
    } else {
        mask
    };
    (values, mask)
}

/// Known values only, as `planned_values` lists them.
fn known_only(attrs: &Attrs) -> Json {
    Json::Object(
        attrs
            .iter()
            .filter(|(_, v)| v.is_known())
            .map(|(k, v)| (k.to_owned(), v.to_json()))
            .collect(),
    )
}

/// The provider a resource uses, as Terraform names it: the provider's full name for the
/// default provider block, `provider["registry.terraform.io/vpcep/TYPE"].ALIAS` (the form of
/// Terraform's state) for one chosen with `provider = TYPE.ALIAS`.
pub fn provider_name(provider: Option<&str>) -> String {
    match provider.and_then(|p| p.split_once('.')) {
        Some((kind, alias)) => {
            format!("provider[\"registry.terraform.io/vpcep/{kind}\"].{alias}")
        }
        None => PROVIDER_NAME.to_owned(),
    }
}

/// An instance key as Terraform's JSON writes `index`: a number for `count`, else a string.
fn index_json(key: &str) -> Json {
    crate::model::address::count_index(key).map_or_else(|| json!(key), |i| json!(i))
}

fn resource_head(address: &Address, provider: Option<&str>) -> Map<String, Json> {
    let mut m = Map::new();
    m.insert("address".into(), json!(address.to_string()));
    m.insert("mode".into(), json!("managed"));
    m.insert("type".into(), json!(address.rtype().as_str()));
    m.insert("name".into(), json!(address.resource.local_name()));
    if let Some(key) = &address.key {
        m.insert("index".into(), index_json(key));
    }
    if let Some(path) = address.resource.module_path() {
        m.insert("module_address".into(), json!(path));
    }
    m.insert("provider_name".into(), json!(provider_name(provider)));
    m
}

/// Sensitive values are never written, not even here (Terraform's JSON plan carries them;
/// vpcep's does not): each is `null`, and the `*_sensitive` mask says which.
fn hide(values: &mut Json, sensitive: &[String]) {
    if let Json::Object(m) = values {
        for name in sensitive {
            if let Some(v) = m.get_mut(name) {
                *v = Json::Null;
            }
        }
    }
}

fn sensitive_mask(sensitive: &[String]) -> Json {
    Json::Object(sensitive.iter().map(|n| (n.clone(), json!(true))).collect())
}

fn values_entry(
    address: &Address,
    provider: Option<&str>,
    mut values: Json,
    sensitive: &[String],
) -> Json {
    hide(&mut values, sensitive);
    let mut m = resource_head(address, provider);
    m.insert("schema_version".into(), json!(0));
    m.insert("values".into(), values);
    m.insert("sensitive_values".into(), sensitive_mask(sensitive));
    Json::Object(m)
}

fn actions_json(action: Action) -> Json {
    Json::Array(action.json_actions().iter().map(|a| json!(a)).collect())
}

fn change_entry(c: &ResourceChange) -> Json {
    let mut entry = change_entry_of(c);
    if let (Some(provider), Json::Object(m)) = (&c.provider, &mut entry) {
        m.insert("provider_config_key".into(), json!(provider));
    }
    entry
}

fn change_entry_of(c: &ResourceChange) -> Json {
    let before_sensitive = if c.action == Action::NoOp {
        &c.after_sensitive
    } else {
        &c.before_sensitive
    };
    let mut before = match (&c.before, c.action) {
        (Some(b), _) => Value::map(b.clone()).to_json(),
        (None, Action::NoOp) => c
            .after
            .as_ref()
            .map_or(Json::Null, |a| Value::map(a.clone()).to_json()),
        (None, _) => Json::Null,
    };
    hide(&mut before, before_sensitive);
    let (mut after, after_unknown) = match &c.after {
        Some(a) if c.action != Action::Delete => attrs_json(a),
        _ => (Json::Null, json!({})),
    };
    hide(&mut after, &c.after_sensitive);
    let mut change = Map::new();
    change.insert("actions".into(), actions_json(c.action));
    change.insert("before".into(), before);
    change.insert("after".into(), after);
    change.insert("after_unknown".into(), after_unknown);
    change.insert(
        "before_sensitive".into(),
        if c.before.is_some() || c.action == Action::NoOp {
            sensitive_mask(before_sensitive)
        } else {
            json!(false)
        },
    );
    change.insert(
        "after_sensitive".into(),
        if c.after.is_some() && c.action != Action::Delete {
            sensitive_mask(&c.after_sensitive)
        } else {
            json!(false)
        },
    );
    if c.action == Action::Replace {
        let paths: Vec<Json> = c.changed.iter().map(|n| json!([n])).collect();
        change.insert("replace_paths".into(), Json::Array(paths));
    }
    let mut m = resource_head(&c.address, c.provider.as_deref());
    m.insert("change".into(), Json::Object(change));
    let reason = match (c.action, c.reason.as_deref()) {
        (Action::Replace, Some("requested with --replace")) => Some("replace_by_request"),
        (Action::Replace, Some(r)) if r.starts_with("replace_triggered_by") => {
            Some("replace_by_triggers")
        }
        (Action::Replace, _) => Some("replace_because_cannot_update"),
        (Action::Delete, Some(_)) => Some("delete_because_no_resource_config"),
        _ => None,
    };
    if let Some(r) = reason {
        m.insert("action_reason".into(), json!(r));
    }
    Json::Object(m)
}

/// A data source read during apply, as Terraform lists one: mode `data`, action `read`.
fn read_entry(r: &crate::plan::DeferredRead) -> Json {
    let a = &r.address;
    let mut m = Map::new();
    m.insert("address".into(), json!(a.to_string()));
    m.insert("mode".into(), json!("data"));
    m.insert("type".into(), json!(a.id.dtype.as_str()));
    m.insert("name".into(), json!(a.id.name));
    if let Some(key) = &a.key {
        m.insert("index".into(), index_json(key));
    }
    m.insert("provider_name".into(), json!(PROVIDER_NAME));
    let (after, after_unknown) = attrs_json(&r.args);
    m.insert(
        "change".into(),
        json!({
            "actions": ["read"],
            "before": null,
            "after": after,
            "after_unknown": after_unknown,
            "before_sensitive": false,
            "after_sensitive": {},
        }),
    );
    m.insert("action_reason".into(), json!("read_because_config_unknown"));
    Json::Object(m)
}

/// A drift entry; `prior` says which provider the resource is recorded with.
fn drift_entry(d: &Drift, prior: &RecordedState) -> Json {
    let (address, action, before, after) = match d {
        Drift::Changed {
            address,
            before,
            after,
            sensitive,
            ..
        } => {
            let (mut before, mut after) = (
                Value::map(before.clone()).to_json(),
                Value::map(after.clone()).to_json(),
            );
            hide(&mut before, sensitive);
            hide(&mut after, sensitive);
            (address, "update", before, after)
        }
        Drift::Deleted { address, before } => (
            address,
            "delete",
            Value::map(before.clone()).to_json(),
            Json::Null,
        ),
    };
    let provider = prior
        .resources
        .get(address)
        .and_then(|r| r.provider.as_deref());
    let mut m = resource_head(address, provider);
    m.insert(
        "change".into(),
        json!({"actions": [action], "before": before, "after": after}),
    );
    Json::Object(m)
}

/// `configuration.root_module.resources`: per resource block, its expressions as constants or
/// references.
fn configuration(desired: &DesiredState) -> Json {
    let mut providers = Map::new();
    providers.insert(
        "vpcep".into(),
        json!({"name": "vpcep", "full_name": PROVIDER_NAME}),
    );
    let mut resources = Vec::new();
    let mut seen = std::collections::HashSet::new();
    // Resources of modules are listed by their calls (`module_calls`), as Terraform does.
    let mut calls: IndexMap<String, Vec<Json>> = IndexMap::new();
    for instance in desired.resources.values() {
        let id = &instance.address.resource;
        if !seen.insert(id.clone()) {
            continue;
        }
        if let Some(path) = id.module_path() {
            let call = path
                .trim_start_matches("module.")
                .split(['.', '['])
                .next()
                .unwrap_or_default()
                .to_owned();
            calls.entry(call).or_default().push(json!({
                "address": format!("{}.{}", id.rtype, id.local_name()),
                "mode": "managed",
                "type": id.rtype.as_str(),
                "name": id.local_name(),
                "module_address": path,
            }));
            continue;
        }
        let s = schema(id.rtype);
        let mut expressions = Map::new();
        for name in configured_names(id.rtype) {
            let value = instance.attr(name);
            // A value computed from a sensitive one is never a `constant_value` (Terraform
            // leaves it out too): tools see that the attribute is set, not what it is.
            if instance.sensitive.iter().any(|n| n == name) {
                expressions.insert(name.to_owned(), json!({}));
                continue;
            }
            if let Some(refs) = instance.refs.get(name) {
                let mut list: Vec<String> = Vec::new();
                for r in refs {
                    let base = match &r.key {
                        Some(k) => format!("{}{}", r.resource, crate::model::Address::key_text(k)),
                        None => r.resource.to_string(),
                    };
                    if let Some(attr) = &r.attr {
                        list.push(format!("{base}.{attr}"));
                    }
                    list.push(base);
                    list.push(r.resource.to_string());
                }
                list.dedup();
                expressions.insert(name.to_owned(), json!({"references": list}));
            } else if s.block(name).is_some() {
                let blocks: Vec<Json> = value
                    .as_list()
                    .unwrap_or_default()
                    .iter()
                    .filter_map(Value::as_map)
                    .map(|m| {
                        Json::Object(
                            m.iter()
                                .map(|(k, v)| {
                                    (k.to_owned(), json!({"constant_value": v.to_json()}))
                                })
                                .collect(),
                        )
                    })
                    .collect();
                expressions.insert(name.to_owned(), Json::Array(blocks));
            } else if value.is_known() && !value.is_null() && instance.address.key.is_none() {
                expressions.insert(name.to_owned(), json!({"constant_value": value.to_json()}));
            }
        }
        let mut m = Map::new();
        m.insert("address".into(), json!(id.to_string()));
        m.insert("mode".into(), json!("managed"));
        m.insert("type".into(), json!(id.rtype.as_str()));
        m.insert("name".into(), json!(id.name));
        let key = instance.provider.as_deref().unwrap_or("vpcep");
        if let Some((kind, alias)) = instance.provider.as_deref().and_then(|p| p.split_once('.')) {
            providers.entry(key).or_insert_with(|| {
                json!({"name": kind, "alias": alias, "full_name": format!("registry.terraform.io/vpcep/{kind}")})
            });
        }
        m.insert("provider_config_key".into(), json!(key));
        m.insert("expressions".into(), Json::Object(expressions));
        m.insert("schema_version".into(), json!(0));
        if instance.address.key.is_some() {
            m.insert("for_each_expression".into(), json!({}));
        }
        if !instance.depends_on.is_empty() {
            let deps: Vec<String> = instance
                .depends_on
                .iter()
                .map(ToString::to_string)
                .collect();
            m.insert("depends_on".into(), json!(deps));
        }
        resources.push(Json::Object(m));
    }
    let module_calls: Map<String, Json> = calls
        .into_iter()
        .map(|(name, resources)| (name, json!({"module": {"resources": resources}})))
        .collect();
    let mut root = json!({"resources": resources});
    if !module_calls.is_empty() {
        root["module_calls"] = Json::Object(module_calls);
    }
    json!({
        "provider_config": providers,
        "root_module": root,
    })
}

/// Counts and addresses per action, so nobody has to scrape the text.
/// `resources` of the root module and `child_modules` (one per module instance, by its
/// address), as Terraform's `planned_values` and `values` nest them.
fn modules_of(entries: Vec<Json>) -> Json {
    let mut root = Vec::new();
    let mut children: IndexMap<String, Vec<Json>> = IndexMap::new();
    for e in entries {
        match e.get("module_address").and_then(Json::as_str) {
            Some(path) => children.entry(path.to_owned()).or_default().push(e),
            None => root.push(e),
        }
    }
    let mut out = json!({"resources": root});
    if !children.is_empty() {
        out["child_modules"] = Json::Array(
            children
                .into_iter()
                .map(|(address, resources)| json!({"address": address, "resources": resources}))
                .collect(),
        );
    }
    out
}

/// A change entry with what the state edit of its resource says, as Terraform writes it:
/// `previous_address` for a moved one, `change.importing` for an imported one.
fn with_edit(mut entry: Json, edit: Option<&crate::model::refactor::StateEdit>) -> Json {
    use crate::model::refactor::StateEdit;
    let Json::Object(m) = &mut entry else {
        return entry;
    };
    match edit {
        Some(StateEdit::Move { from, .. }) => {
            m.insert("previous_address".into(), json!(from.to_string()));
        }
        Some(StateEdit::Import { record }) => {
            if let Some(Json::Object(change)) = m.get_mut("change") {
                change.insert("importing".into(), json!({"id": record.id}));
            }
        }
        _ => {}
    }
    entry
}

/// A resource a `removed` block forgets: action `forget`, as Terraform writes it.
fn forget_entry(e: &crate::model::refactor::StateEdit, prior: &RecordedState) -> Option<Json> {
    let crate::model::refactor::StateEdit::Forget { address } = e else {
        return None;
    };
    let recorded = prior.resources.get(address);
    let mut m = resource_head(address, recorded.and_then(|r| r.provider.as_deref()));
    let before = recorded.map_or(Json::Null, |r| {
        let mut v = Value::map(r.attrs.clone()).to_json();
        hide(&mut v, &r.sensitive);
        v
    });
    m.insert(
        "change".into(),
        json!({"actions": ["forget"], "before": before, "after": null}),
    );
    Some(Json::Object(m))
}

pub fn summary(plan: &Plan) -> Json {
    let c = plan.counts();
    let (moved, imported, forgotten) = super::human::edit_counts(plan);
    let list = |a: Action| -> Vec<String> {
        plan.changes
            .iter()
            .filter(|ch| ch.action == a)
            .map(|ch| ch.address.to_string())
            .collect()
    };
    json!({
        "add": c.add,
        "change": c.change,
        "destroy": c.destroy,
        "no_op": plan.changes.iter().filter(|ch| ch.action == Action::NoOp).count(),
        "disconnect": plan.disconnections.len(),
        "move": moved,
        "import": imported,
        "forget": forgotten,
        "has_changes": plan.has_changes(),
        "refused": plan.is_refused(),
        "refresh_only": plan.refresh_only,
        "addresses": {
            "create": list(Action::Create),
            "update": list(Action::Update),
            "delete": list(Action::Delete),
            "replace": list(Action::Replace),
        },
    })
}

/// The connections to the configuration's services that wait for a decision or changed
/// outside vpcep (`change`: `null`, `appeared`, `changed`, `disappeared`).
pub fn connection_requests(requests: &[crate::plan::ConnectionRequest]) -> Json {
    use crate::plan::ConnectionChange;
    Json::Array(
        requests
            .iter()
            .map(|c| {
                let (change, from) = match &c.change {
                    None => (Json::Null, Json::Null),
                    Some(ConnectionChange::Appeared) => (json!("appeared"), Json::Null),
                    Some(ConnectionChange::Changed { from }) => (json!("changed"), json!(from)),
                    Some(ConnectionChange::Disappeared) => (json!("disappeared"), Json::Null),
                };
                json!({
                    "service": c.service.to_string(),
                    "provider": c.provider,
                    "service_id": c.service_id,
                    "endpoint_id": c.endpoint_id,
                    "account": c.account,
                    "status": c.status,
                    "since": c.since,
                    "waiting": c.waits(),
                    "change": change,
                    "previous_status": from,
                    "decided_by": c.decided_by.as_ref().map(ToString::to_string),
                })
            })
            .collect(),
    )
}

/// The `check` blocks as Terraform's JSON plan lists them: each with its status and the
/// problems of a failed one.
pub fn checks(checks: &[crate::model::CheckResult]) -> Json {
    Json::Array(
        checks
            .iter()
            .map(|c| {
                let address = json!({"kind": "check", "name": c.name, "to_display": format!("check.{}", c.name)});
                json!({
                    "address": address,
                    "status": c.status.as_str(),
                    "instances": [{
                        "address": {"to_display": format!("check.{}", c.name)},
                        "status": c.status.as_str(),
                        "problems": c.problems.iter().map(|m| json!({"message": m})).collect::<Vec<_>>(),
                    }],
                })
            })
            .collect(),
    )
}

pub fn refusals(plan: &Plan) -> Json {
    Json::Array(
        plan.refusals
            .iter()
            .map(|r| {
                json!({
                    "rule": r.kind.as_str(),
                    "address": r.address.as_ref().map(ToString::to_string),
                    "message": r.message,
                    "details": r.details,
                    "help": r.help,
                })
            })
            .collect(),
    )
}

/// The state as `terraform show -json` presents one (also `prior_state` of a plan).
pub fn state_values(state: &RecordedState) -> Json {
    let resources: Vec<Json> = state
        .resources
        .values()
        .map(|r| {
            let mut values = Value::map(r.attrs.clone()).to_json();
            if let Json::Object(m) = &mut values {
                m.insert("id".into(), json!(r.id));
            }
            values_entry(&r.address, r.provider.as_deref(), values, &r.sensitive)
        })
        .collect();
    let outputs: Map<String, Json> = state
        .outputs
        .iter()
        .map(|(k, o)| (k.clone(), json!({"value": if o.sensitive { Json::Null } else { o.value.to_json() }, "sensitive": o.sensitive})))
        .collect();
    json!({
        "format_version": "1.0",
        "terraform_version": TERRAFORM_VERSION,
        "values": {"outputs": outputs, "root_module": modules_of(resources)},
    })
}

/// The whole plan as one line of JSON.
/// `planned_values`: the resources as they will be after apply (what is known of them) and the
/// outputs (a sensitive one without its value).
fn planned_values(doc: &PlanDocument<'_>) -> Json {
    let planned: Vec<Json> = doc
        .plan
        .changes
        .iter()
        .filter(|c| c.action != Action::Delete)
        .filter_map(|c| {
            c.after.as_ref().map(|a| {
                values_entry(
                    &c.address,
                    c.provider.as_deref(),
                    known_only(a),
                    &c.after_sensitive,
                )
            })
        })
        .collect();
    let outputs: Map<String, Json> = doc
        .desired
        .outputs
        .iter()
        .map(|(k, o)| (k.clone(), json!({"sensitive": o.sensitive, "value": if o.sensitive { Json::Null } else { o.value.to_json() }})))
        .collect();
    json!({"outputs": outputs, "root_module": modules_of(planned)})
}

/// `disconnections`: the connections the plan cuts, and by which change.
fn disconnections(plan: &Plan) -> Json {
    Json::Array(
        plan.disconnections
            .iter()
            .map(|d| {
                json!({
                    "address": d.by.to_string(),
                    "service_id": d.service_id,
                    "endpoint_id": d.endpoint_id,
                    "account": d.account,
                    "status": d.status,
                    "reason": d.reason,
                    "explicit": d.explicit,
                    "allowed": d.allowed,
                })
            })
            .collect(),
    )
}

/// `quotas`: each provider's account's quota headroom when planned.
fn quotas(plan: &Plan) -> Json {
    Json::Array(
        plan.headroom
            .iter()
            .map(|h| {
                json!({
                    "provider": h.provider,
                    "account": h.account,
                    "services": {"used": h.quotas.services_used, "quota": h.quotas.services_quota},
                    "endpoints": {"used": h.quotas.endpoints_used, "quota": h.quotas.endpoints_quota},
                })
            })
            .collect(),
    )
}

pub fn render_plan(doc: &PlanDocument<'_>) -> String {
    let plan = doc.plan;
    let mut top = Map::new();
    top.insert("format_version".into(), json!(FORMAT_VERSION));
    top.insert("terraform_version".into(), json!(TERRAFORM_VERSION));
    top.insert("vpcep".into(), json!({"version": env!("CARGO_PKG_VERSION"), "cloud": doc.cloud, "simulated": doc.simulated}));
    top.insert("planned_values".into(), planned_values(doc));
    if !plan.drift.is_empty() {
        top.insert(
            "resource_drift".into(),
            Json::Array(
                plan.drift
                    .iter()
                    .map(|d| drift_entry(d, doc.prior))
                    .collect(),
            ),
        );
    }
    let edits: std::collections::HashMap<&Address, &crate::model::refactor::StateEdit> =
        plan.state_edits.iter().map(|e| (e.address(), e)).collect();
    top.insert(
        "resource_changes".into(),
        // Looked up by address: a plan may move or import thousands at once.
        Json::Array(
            plan.reads
                .iter()
                .map(read_entry)
                .chain(
                    plan.changes
                        .iter()
                        .map(|c| with_edit(change_entry(c), edits.get(&c.address).copied())),
                )
                .chain(
                    plan.state_edits
                        .iter()
                        .filter_map(|e| forget_entry(e, doc.prior)),
                )
                .collect(),
        ),
    );
    top.insert("prior_state".into(), state_values(doc.prior));
    top.insert("configuration".into(), configuration(doc.desired));
    top.insert("refusals".into(), refusals(plan));
    top.insert("disconnections".into(), disconnections(plan));
    top.insert(
        "connection_requests".into(),
        connection_requests(&plan.connection_requests),
    );
    top.insert("quotas".into(), quotas(plan));
    top.insert(
        "output_changes".into(),
        output_changes(&plan.output_changes),
    );
    top.insert("checks".into(), checks(&plan.checks));
    top.insert("warnings".into(), json!(plan.warnings));
    top.insert("notes".into(), json!(plan.notes));
    top.insert("summary".into(), summary(plan));
    top.insert(
        "applyable".into(),
        json!(plan.has_changes() && !plan.is_refused()),
    );
    top.insert("complete".into(), json!(true));
    top.insert("errored".into(), json!(false));
    let mut line = Json::Object(top).to_string();
    line.push('\n');
    line
}

/// Terraform's `output_changes`: each output's change (`actions`, `before`, `after`,
/// `after_unknown`, `before_sensitive`, `after_sensitive`), a sensitive value left out.
fn output_changes(changes: &[crate::plan::OutputChange]) -> serde_json::Value {
    let mut out = serde_json::Map::new();
    for o in changes {
        let value = |v: Option<&crate::model::Value>| match v {
            Some(v) if !o.sensitive && v.is_known() => v.to_json(),
            _ => serde_json::Value::Null,
        };
        out.insert(
            o.name.clone(),
            json!({
                "actions": [o.action.as_str()],
                "before": value(o.before.as_ref()),
                "after": value(o.after.as_ref()),
                "after_unknown": o.after.as_ref().is_some_and(|v| !v.is_known()),
                "before_sensitive": o.sensitive && o.before.is_some(),
                "after_sensitive": o.sensitive && o.after.is_some(),
            }),
        );
    }
    serde_json::Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknowns_round_trip_through_the_mask() {
        let v = Value::map(
            [
                ("id".to_owned(), Value::Unknown),
                (
                    "endpoints".to_owned(),
                    Value::List(vec![Value::from("a"), Value::Unknown]),
                ),
                ("name".to_owned(), Value::from("x")),
            ]
            .into_iter()
            .collect(),
        );
        let (values, mask) = split_unknown(&v);
        assert_eq!(mask, json!({"id": true, "endpoints": [false, true]}));
        assert_eq!(join_unknown(&values, &mask), v);
    }
}
