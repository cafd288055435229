//! Saved plans (`plan --out FILE`): everything apply needs to carry out exactly that plan —
//! the actions with full values, the recorded state they were planned against (lineage and
//! serial, to refuse a stale plan), the configuration files and variable values (to resolve
//! values known only after apply), and a hash of the configuration. One JSON document.

use crate::model::{Address, RecordedState, ResourceId, Timeouts, Value};
use crate::plan::{Action, Attrs, Drift, Plan, Refusal, ResourceChange};
use crate::render::json::{join_unknown, split_unknown};
use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use serde_json::{Value as Json, json};
use sha2::{Digest as _, Sha256};
use std::fmt::Write as _;
use std::time::Duration;

pub const FORMAT: &str = "vpcep-plan";
pub const FORMAT_VERSION: u32 = 1;

/// A plan as saved, decoded.
#[derive(Debug, Clone)]
pub struct SavedPlan {
    /// Lineage and serial of the stored state when the plan was made; `None` when there was
    /// no state yet.
    pub base: Option<(String, u64)>,
    /// The recorded state after refresh: what the plan was made against.
    pub state: RecordedState,
    /// The configuration directory as given when planning.
    pub dir: String,
    /// The configuration files, `(display name, text)`.
    pub sources: Vec<(String, String)>,
    pub config_sha256: String,
    pub variables: IndexMap<String, Value>,
    pub cloud: String,
    pub simulated: bool,
    pub plan: Plan,
}

/// The SHA-256 of the configuration files, names and contents, in load order.
pub fn config_hash(sources: &[(String, String)]) -> String {
    let mut h = Sha256::new();
    for (name, text) in sources {
        h.update(name.as_bytes());
        h.update([0]);
        h.update(text.as_bytes());
        h.update([0]);
    }
    h.finalize()
        .iter()
        .fold(String::with_capacity(64), |mut hex, b| {
            let _ = write!(hex, "{b:02x}");
            hex
        })
}

#[derive(Serialize, Deserialize)]
struct Wire {
    format: String,
    format_version: u32,
    vpcep_version: String,
    base: Option<(String, u64)>,
    state: Json,
    dir: String,
    config_sha256: String,
    config: Vec<(String, String)>,
    variables: serde_json::Map<String, Json>,
    cloud: String,
    simulated: bool,
    destroy: bool,
    changes: Vec<Json>,
    refusals: Vec<Json>,
    warnings: Vec<String>,
    notes: Vec<String>,
    drift: Vec<Json>,
}

fn attrs_to(a: Option<&Attrs>) -> (Json, Json) {
    match a {
        Some(a) => split_unknown(&Value::Map(a.clone())),
        None => (Json::Null, Json::Bool(false)),
    }
}

fn attrs_from(v: &Json, mask: &Json) -> Option<Attrs> {
    match join_unknown(v, mask) {
        Value::Map(m) => Some(m),
        _ => None,
    }
}

fn action_from(s: &str) -> Result<Action, String> {
    Ok(match s {
        "create" => Action::Create,
        "update" => Action::Update,
        "delete" => Action::Delete,
        "replace" => Action::Replace,
        "no-op" => Action::NoOp,
        other => return Err(format!("unknown action `{other}`")),
    })
}

fn change_to(c: &ResourceChange) -> Json {
    let (before, _) = attrs_to(c.before.as_ref());
    let (after, after_unknown) = attrs_to(c.after.as_ref());
    json!({
        "address": c.address.to_string(),
        "action": c.action.as_str(),
        "before": before,
        "after": after,
        "after_unknown": after_unknown,
        "changed": c.changed,
        "reason": c.reason,
        "id": c.id,
        "depends_on": c.depends_on.iter().map(ToString::to_string).collect::<Vec<_>>(),
        "timeouts": [c.timeouts.create.as_secs_f64(), c.timeouts.update.as_secs_f64(), c.timeouts.delete.as_secs_f64()],
    })
}

fn address(v: &Json) -> Result<Address, String> {
    v.as_str()
        .ok_or("an address is missing")?
        .parse::<Address>()
        .map_err(|e| e.to_string())
}

fn strings(v: &Json) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn change_from(v: &Json) -> Result<ResourceChange, String> {
    let secs =
        |i: usize| Duration::from_secs_f64(v["timeouts"][i].as_f64().unwrap_or(600.0).max(0.0));
    Ok(ResourceChange {
        address: address(&v["address"])?,
        action: action_from(v["action"].as_str().unwrap_or_default())?,
        before: attrs_from(&v["before"], &Json::Bool(false)),
        after: attrs_from(&v["after"], &v["after_unknown"]),
        changed: strings(&v["changed"]),
        reason: v["reason"].as_str().map(str::to_owned),
        id: v["id"].as_str().map(str::to_owned),
        depends_on: strings(&v["depends_on"])
            .iter()
            .map(|s| {
                s.parse::<Address>()
                    .map(|a| a.resource)
                    .map_err(|e| e.to_string())
            })
            .collect::<Result<Vec<ResourceId>, _>>()?,
        timeouts: Timeouts {
            create: secs(0),
            update: secs(1),
            delete: secs(2),
        },
    })
}

fn drift_to(d: &Drift) -> Json {
    match d {
        Drift::Changed {
            address,
            before,
            after,
            attrs,
        } => json!({
            "address": address.to_string(), "kind": "changed",
            "before": Value::Map(before.clone()).to_json(), "after": Value::Map(after.clone()).to_json(), "attrs": attrs,
        }),
        Drift::Deleted { address, before } => json!({
            "address": address.to_string(), "kind": "deleted", "before": Value::Map(before.clone()).to_json(),
        }),
    }
}

fn drift_from(v: &Json) -> Result<Drift, String> {
    let address = address(&v["address"])?;
    let map = |j: &Json| attrs_from(j, &Json::Bool(false)).unwrap_or_default();
    Ok(match v["kind"].as_str() {
        Some("changed") => Drift::Changed {
            address,
            before: map(&v["before"]),
            after: map(&v["after"]),
            attrs: strings(&v["attrs"]),
        },
        _ => Drift::Deleted {
            address,
            before: map(&v["before"]),
        },
    })
}

pub fn encode(saved: &SavedPlan) -> String {
    let plan = &saved.plan;
    let wire = Wire {
        format: FORMAT.to_owned(),
        format_version: FORMAT_VERSION,
        vpcep_version: env!("CARGO_PKG_VERSION").to_owned(),
        base: saved.base.clone(),
        state: serde_json::to_value(crate::state::wire::to_wire(&saved.state)).unwrap_or_default(),
        dir: saved.dir.clone(),
        config_sha256: saved.config_sha256.clone(),
        config: saved.sources.clone(),
        variables: saved.variables.iter().map(|(k, v)| (k.clone(), v.to_json())).collect(),
        cloud: saved.cloud.clone(),
        simulated: saved.simulated,
        destroy: plan.destroy,
        changes: plan.changes.iter().map(change_to).collect(),
        refusals: plan
            .refusals
            .iter()
            .map(|r| json!({"address": r.address.as_ref().map(ToString::to_string), "message": r.message, "details": r.details, "help": r.help}))
            .collect(),
        warnings: plan.warnings.clone(),
        notes: plan.notes.clone(),
        drift: plan.drift.iter().map(drift_to).collect(),
    };
    let mut text = serde_json::to_string(&wire).unwrap_or_default();
    text.push('\n');
    text
}

pub fn decode(text: &str) -> Result<SavedPlan, String> {
    let wire: Wire =
        serde_json::from_str(text).map_err(|e| format!("it is not a vpcep plan file ({e})"))?;
    if wire.format != FORMAT || wire.format_version != FORMAT_VERSION {
        return Err(format!(
            "it is a `{}` file of version {}; this vpcep reads `{FORMAT}` version {FORMAT_VERSION}",
            wire.format, wire.format_version
        ));
    }
    let state_file: crate::state::wire::StateFile = serde_json::from_value(wire.state)
        .map_err(|e| format!("its recorded state is damaged ({e})"))?;
    let state = crate::state::wire::from_wire(&state_file)?;
    if config_hash(&wire.config) != wire.config_sha256 {
        return Err(
            "its configuration does not match its hash; the file was changed after it was written"
                .into(),
        );
    }
    let changes = wire
        .changes
        .iter()
        .map(change_from)
        .collect::<Result<_, _>>()?;
    let refusals = wire
        .refusals
        .iter()
        .map(|r| Refusal {
            address: r["address"].as_str().and_then(|a| a.parse().ok()),
            message: r["message"].as_str().unwrap_or_default().to_owned(),
            details: strings(&r["details"]),
            help: r["help"].as_str().map(str::to_owned),
        })
        .collect();
    let drift = wire
        .drift
        .iter()
        .map(drift_from)
        .collect::<Result<_, _>>()?;
    Ok(SavedPlan {
        base: wire.base,
        state,
        dir: wire.dir,
        sources: wire.config,
        config_sha256: wire.config_sha256,
        variables: wire
            .variables
            .iter()
            .map(|(k, v)| (k.clone(), Value::from_json(v)))
            .collect(),
        cloud: wire.cloud,
        simulated: wire.simulated,
        plan: Plan {
            changes,
            refusals,
            warnings: wire.warnings,
            drift,
            notes: wire.notes,
            destroy: wire.destroy,
        },
    })
}
