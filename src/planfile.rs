//! Saved plans (`plan --out FILE`): everything apply needs to carry out exactly that plan —
//! the actions with full values, the recorded state they were planned against (lineage and
//! serial, to refuse a stale plan), the configuration files and variable values (to resolve
//! values known only after apply), the flags it was made with, and a hash of the
//! configuration. One JSON document.
//!
//! A plan file is input like any other: apply re-derives its actions from its configuration
//! and state and refuses a file whose actions differ (see `cli::session`).

use crate::model::{Address, RecordedState, ResourceId, Timeouts, Value};
use crate::plan::{Action, Attrs, Drift, Plan, PlanOptions, Refusal, ResourceChange};
use crate::render::json::{join_unknown, split_unknown};
use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;
use sha2::{Digest as _, Sha256};
use std::fmt::Write as _;
use std::time::Duration;

pub const FORMAT: &str = "vpcep-plan";
pub const FORMAT_VERSION: u32 = 2;

/// A plan as saved, decoded.
#[derive(Debug, Clone)]
pub struct SavedPlan {
    /// Lineage and serial of the stored state when the plan was made; `None` when there was
    /// no state yet.
    pub base: Option<(String, u64)>,
    /// [`state_hash`] of the stored state when the plan was made.
    pub base_sha256: Option<String>,
    /// The recorded state after refresh: what the plan was made against.
    pub state: RecordedState,
    /// The configuration directory as given when planning.
    pub dir: String,
    /// The configuration files, `(display name, text)`.
    pub sources: Vec<crate::config::Source>,
    pub config_sha256: String,
    pub variables: IndexMap<String, Value>,
    pub cloud: String,
    pub simulated: bool,
    /// The flags the plan was made with (`--replace`, `--target`, `--destroy`).
    pub options: PlanOptions,
    pub plan: Plan,
}

/// The SHA-256 of the configuration files, names and contents, in load order.
pub fn config_hash(sources: &[crate::config::Source]) -> String {
    let mut h = Sha256::new();
    for (name, text) in sources {
        h.update(name.as_bytes());
        h.update([0]);
        h.update(text.as_bytes());
        h.update([0]);
    }
    hex(&h.finalize())
}

/// The hash of a stored state's content, independent of the vpcep version that wrote it: a
/// saved plan records it so that a state rewritten at the same serial is noticed too.
pub fn state_hash(state: &RecordedState) -> String {
    let mut wire = crate::state::wire::to_wire(state);
    wire.vpcep_version = String::new();
    let text = serde_json::to_string(&wire).unwrap_or_default();
    hex(&Sha256::digest(text.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::with_capacity(64), |mut hex, b| {
        let _ = write!(hex, "{b:02x}");
        hex
    })
}

/// The plan file as written: every field required, unknown fields refused, so a damaged or
/// edited file is an error rather than a default value.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Wire {
    format: String,
    format_version: u32,
    vpcep_version: String,
    base: Option<(String, u64)>,
    base_sha256: Option<String>,
    state: crate::state::wire::StateFile,
    dir: String,
    config_sha256: String,
    config: Vec<crate::config::Source>,
    variables: serde_json::Map<String, Json>,
    cloud: String,
    simulated: bool,
    options: OptionsWire,
    changes: Vec<ChangeWire>,
    refusals: Vec<RefusalWire>,
    warnings: Vec<String>,
    notes: Vec<String>,
    drift: Vec<DriftWire>,
    disconnections: Vec<DisconnectionWire>,
    /// Data sources read during apply (left out when there are none, so plans without them
    /// read as before).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    reads: Vec<ReadWire>,
    /// The connection requests the plan showed (left out when none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    connection_requests: Vec<RequestWire>,
    /// Each account's quotas when planned (left out when not read).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    quotas: Vec<HeadroomWire>,
    /// The outputs the plan records differently (left out when none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    output_changes: Vec<OutputWire>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct OutputWire {
    name: String,
    /// `create`, `update` or `delete`.
    action: String,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
    /// The value is known only after apply.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    after_unknown: bool,
    sensitive: bool,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RequestWire {
    service: String,
    provider: Option<String>,
    service_id: String,
    endpoint_id: String,
    account: String,
    status: String,
    since: String,
    /// `appeared`, `changed`, `disappeared`, or none.
    change: Option<String>,
    previous_status: Option<String>,
    decided_by: Option<String>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct HeadroomWire {
    provider: Option<String>,
    account: Option<String>,
    services_used: u32,
    services_quota: u32,
    endpoints_used: u32,
    endpoints_quota: u32,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ReadWire {
    data_type: String,
    name: String,
    key: Option<String>,
    args: Json,
    args_unknown: Json,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct OptionsWire {
    replace: Vec<String>,
    targets: Vec<String>,
    destroy: bool,
    allow_disconnect: Vec<String>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct DisconnectionWire {
    by: String,
    service_id: String,
    endpoint_id: String,
    account: String,
    status: String,
    reason: String,
    explicit: bool,
    allowed: bool,
}

#[derive(Serialize, Deserialize, Clone, Copy)]
#[serde(rename_all = "kebab-case")]
enum ActionWire {
    Create,
    Update,
    Delete,
    Replace,
    NoOp,
}

impl From<Action> for ActionWire {
    fn from(a: Action) -> Self {
        match a {
            Action::Create => ActionWire::Create,
            Action::Update => ActionWire::Update,
            Action::Delete => ActionWire::Delete,
            Action::Replace => ActionWire::Replace,
            Action::NoOp => ActionWire::NoOp,
        }
    }
}

impl From<ActionWire> for Action {
    fn from(a: ActionWire) -> Self {
        match a {
            ActionWire::Create => Action::Create,
            ActionWire::Update => Action::Update,
            ActionWire::Delete => Action::Delete,
            ActionWire::Replace => Action::Replace,
            ActionWire::NoOp => Action::NoOp,
        }
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ChangeWire {
    address: String,
    action: ActionWire,
    before: Json,
    after: Json,
    after_unknown: Json,
    changed: Vec<String>,
    reason: Option<String>,
    id: Option<String>,
    depends_on: Vec<String>,
    before_sensitive: Vec<String>,
    after_sensitive: Vec<String>,
    /// Create, update and delete timeouts in milliseconds.
    timeouts_ms: [u64; 3],
    /// The provider (`TYPE.ALIAS`) when not the default one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    provider: Option<String>,
    /// The provider recorded with the cloud object when it is not `provider` (`""`: the
    /// default one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    recorded_provider: Option<String>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RefusalWire {
    rule: String,
    address: Option<String>,
    message: String,
    details: Vec<String>,
    help: Option<String>,
}

#[derive(Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
enum DriftWire {
    Changed {
        address: String,
        before: Json,
        after: Json,
        attrs: Vec<String>,
        sensitive: Vec<String>,
    },
    Deleted {
        address: String,
        before: Json,
    },
}

fn attrs_to(a: Option<&Attrs>) -> (Json, Json) {
    match a {
        Some(a) => split_unknown(&Value::map(a.clone())),
        None => (Json::Null, Json::Bool(false)),
    }
}

fn attrs_from(v: &Json, mask: &Json, what: &str) -> Result<Option<Attrs>, String> {
    match (v, join_unknown(v, mask)) {
        (Json::Null, _) => Ok(None),
        (_, Value::Map(m)) => Ok(Some(m)),
        _ => Err(format!("its `{what}` is not an object")),
    }
}

fn parse_address(s: &str) -> Result<Address, String> {
    s.parse::<Address>().map_err(|e| e.to_string())
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

fn change_to(c: &ResourceChange) -> ChangeWire {
    let (before, _) = attrs_to(c.before.as_ref());
    let (after, after_unknown) = attrs_to(c.after.as_ref());
    ChangeWire {
        address: c.address.to_string(),
        action: c.action.into(),
        before,
        after,
        after_unknown,
        changed: c.changed.clone(),
        reason: c.reason.clone(),
        id: c.id.clone(),
        depends_on: c.depends_on.iter().map(ToString::to_string).collect(),
        before_sensitive: c.before_sensitive.clone(),
        after_sensitive: c.after_sensitive.clone(),
        provider: c.provider.clone(),
        recorded_provider: (c.recorded_provider != c.provider)
            .then(|| c.recorded_provider.clone().unwrap_or_default()),
        timeouts_ms: [
            millis(c.timeouts.create),
            millis(c.timeouts.update),
            millis(c.timeouts.delete),
        ],
    }
}

fn change_from(w: &ChangeWire) -> Result<ResourceChange, String> {
    let address = parse_address(&w.address)?;
    let at = |e: String| format!("change of `{}`: {e}", w.address);
    Ok(ResourceChange {
        before: attrs_from(&w.before, &Json::Bool(false), "before").map_err(at)?,
        after: attrs_from(&w.after, &w.after_unknown, "after").map_err(at)?,
        action: w.action.into(),
        changed: w.changed.clone(),
        reason: w.reason.clone(),
        id: w.id.clone(),
        depends_on: w
            .depends_on
            .iter()
            .map(|s| parse_address(s).map(|a| a.resource))
            .collect::<Result<Vec<ResourceId>, _>>()
            .map_err(at)?,
        before_sensitive: w.before_sensitive.clone(),
        after_sensitive: w.after_sensitive.clone(),
        provider: w.provider.clone(),
        recorded_provider: match &w.recorded_provider {
            None => w.provider.clone(),
            Some(p) if p.is_empty() => None,
            Some(p) => Some(p.clone()),
        },
        timeouts: Timeouts {
            create: Duration::from_millis(w.timeouts_ms[0]),
            update: Duration::from_millis(w.timeouts_ms[1]),
            delete: Duration::from_millis(w.timeouts_ms[2]),
        },
        address,
    })
}

fn drift_to(d: &Drift) -> DriftWire {
    match d {
        Drift::Changed {
            address,
            before,
            after,
            attrs,
            sensitive,
        } => DriftWire::Changed {
            address: address.to_string(),
            before: Value::map(before.clone()).to_json(),
            after: Value::map(after.clone()).to_json(),
            attrs: attrs.clone(),
            sensitive: sensitive.clone(),
        },
        Drift::Deleted { address, before } => DriftWire::Deleted {
            address: address.to_string(),
            before: Value::map(before.clone()).to_json(),
        },
    }
}

fn drift_from(w: &DriftWire) -> Result<Drift, String> {
    let map = |j: &Json| -> Result<Attrs, String> {
        Ok(attrs_from(j, &Json::Bool(false), "drift")?.unwrap_or_default())
    };
    Ok(match w {
        DriftWire::Changed {
            address: a,
            before,
            after,
            attrs,
            sensitive,
        } => Drift::Changed {
            address: parse_address(a)?,
            before: map(before)?,
            after: map(after)?,
            attrs: attrs.clone(),
            sensitive: sensitive.clone(),
        },
        DriftWire::Deleted { address: a, before } => Drift::Deleted {
            address: parse_address(a)?,
            before: map(before)?,
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
        base_sha256: saved.base_sha256.clone(),
        state: crate::state::wire::to_wire(&saved.state),
        dir: saved.dir.clone(),
        config_sha256: saved.config_sha256.clone(),
        config: saved.sources.clone(),
        variables: saved
            .variables
            .iter()
            .map(|(k, v)| (k.clone(), v.to_json()))
            .collect(),
        cloud: saved.cloud.clone(),
        simulated: saved.simulated,
        options: OptionsWire {
            replace: saved
                .options
                .replace
                .iter()
                .map(ToString::to_string)
                .collect(),
            targets: saved
                .options
                .targets
                .iter()
                .map(ToString::to_string)
                .collect(),
            destroy: saved.options.destroy,
            allow_disconnect: saved
                .options
                .allow_disconnect
                .iter()
                .map(ToString::to_string)
                .collect(),
        },
        changes: plan.changes.iter().map(change_to).collect(),
        refusals: plan.refusals.iter().map(refusal_to).collect(),
        warnings: plan.warnings.clone(),
        notes: plan.notes.clone(),
        drift: plan.drift.iter().map(drift_to).collect(),
        reads: plan.reads.iter().map(read_to).collect(),
        disconnections: plan.disconnections.iter().map(disconnection_to).collect(),
        connection_requests: plan.connection_requests.iter().map(request_to).collect(),
        output_changes: plan.output_changes.iter().map(output_change_to).collect(),
        quotas: plan.headroom.iter().map(headroom_to).collect(),
    };
    let mut text = serde_json::to_string(&wire).unwrap_or_default();
    text.push('\n');
    text
}

fn refusal_to(r: &Refusal) -> RefusalWire {
    RefusalWire {
        rule: r.kind.as_str().to_owned(),
        address: r.address.as_ref().map(ToString::to_string),
        message: r.message.clone(),
        details: r.details.clone(),
        help: r.help.clone(),
    }
}

fn read_to(r: &crate::plan::DeferredRead) -> ReadWire {
    let (args, args_unknown) = attrs_to(Some(&r.args));
    ReadWire {
        data_type: r.address.id.dtype.as_str().to_owned(),
        name: r.address.id.name.clone(),
        key: r.address.key.clone(),
        args,
        args_unknown,
    }
}

fn disconnection_to(d: &crate::plan::Disconnection) -> DisconnectionWire {
    DisconnectionWire {
        by: d.by.to_string(),
        service_id: d.service_id.clone(),
        endpoint_id: d.endpoint_id.clone(),
        account: d.account.clone(),
        status: d.status.clone(),
        reason: d.reason.clone(),
        explicit: d.explicit,
        allowed: d.allowed,
    }
}

fn request_to(c: &crate::plan::ConnectionRequest) -> RequestWire {
    use crate::plan::ConnectionChange;
    let (change, previous_status) = match &c.change {
        None => (None, None),
        Some(ConnectionChange::Appeared) => (Some("appeared"), None),
        Some(ConnectionChange::Changed { from }) => (Some("changed"), Some(from.clone())),
        Some(ConnectionChange::Disappeared) => (Some("disappeared"), None),
    };
    RequestWire {
        service: c.service.to_string(),
        provider: c.provider.clone(),
        service_id: c.service_id.clone(),
        endpoint_id: c.endpoint_id.clone(),
        account: c.account.clone(),
        status: c.status.clone(),
        since: c.since.clone(),
        change: change.map(str::to_owned),
        previous_status,
        decided_by: c.decided_by.as_ref().map(ToString::to_string),
    }
}

fn output_change_to(o: &crate::plan::OutputChange) -> OutputWire {
    OutputWire {
        name: o.name.clone(),
        action: o.action.as_str().to_owned(),
        before: o.before.as_ref().map(Value::to_json),
        after: o.after.as_ref().map(Value::to_json),
        after_unknown: o.after.as_ref().is_some_and(|v| !v.is_known()),
        sensitive: o.sensitive,
    }
}

fn headroom_to(h: &crate::plan::Headroom) -> HeadroomWire {
    HeadroomWire {
        provider: h.provider.clone(),
        account: h.account.clone(),
        services_used: h.quotas.services_used,
        services_quota: h.quotas.services_quota,
        endpoints_used: h.quotas.endpoints_used,
        endpoints_quota: h.quotas.endpoints_quota,
    }
}

/// Whether `bytes` start like a saved plan (so `plan --out` may overwrite that file).
pub fn looks_like_plan(bytes: &[u8]) -> bool {
    bytes.starts_with(format!("{{\"format\":\"{FORMAT}\"").as_bytes())
}

/// Why a file cannot be read as a saved plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    /// Not a plan, another format or version, or damaged.
    Unreadable(String),
    /// A plan whose configuration does not match the hash it was written with: the file was
    /// changed after `vpcep plan` wrote it.
    Edited(String),
}

impl From<String> for DecodeError {
    fn from(message: String) -> Self {
        DecodeError::Unreadable(message)
    }
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DecodeError::Unreadable(m) | DecodeError::Edited(m) => f.write_str(m),
        }
    }
}

pub fn decode(text: &str) -> Result<SavedPlan, DecodeError> {
    let head: serde_json::Map<String, Json> =
        serde_json::from_str(text).map_err(|e| format!("it is not a vpcep plan file ({e})"))?;
    let (format, version) = (head.get("format"), head.get("format_version"));
    if format != Some(&Json::from(FORMAT)) || version != Some(&Json::from(FORMAT_VERSION)) {
        return Err(format!(
            "it is a {} file of version {}; this vpcep reads `{FORMAT}` version {FORMAT_VERSION} (make the plan again with this vpcep)",
            format.map_or_else(
                || "non-vpcep".to_owned(),
                |f| format!("`{}`", f.as_str().unwrap_or("?"))
            ),
            version.map_or_else(|| "?".to_owned(), ToString::to_string)
        )
        .into());
    }
    let wire: Wire =
        serde_json::from_value(Json::Object(head)).map_err(|e| format!("it is damaged ({e})"))?;
    let state = crate::state::wire::from_wire(wire.state.clone())
        .map_err(|e| format!("its recorded state is damaged ({e})"))?;
    if config_hash(&wire.config) != wire.config_sha256 {
        return Err(DecodeError::Edited(
            "its configuration does not match its hash; the file was changed after it was written"
                .into(),
        ));
    }
    let changes = wire
        .changes
        .iter()
        .map(change_from)
        .collect::<Result<_, _>>()?;
    let refusals = wire
        .refusals
        .iter()
        .map(refusal_from)
        .collect::<Result<_, _>>()?;
    let drift = wire
        .drift
        .iter()
        .map(drift_from)
        .collect::<Result<_, _>>()?;
    let addresses = |list: &[String]| {
        list.iter()
            .map(|a| parse_address(a))
            .collect::<Result<_, _>>()
    };
    let targets = |list: &[String]| {
        list.iter()
            .map(|a| {
                a.parse::<crate::model::refactor::Target>()
                    .map_err(|e| e.to_string())
            })
            .collect::<Result<_, String>>()
    };
    Ok(SavedPlan {
        base: wire.base,
        base_sha256: wire.base_sha256,
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
        options: PlanOptions {
            replace: targets(&wire.options.replace)?,
            targets: targets(&wire.options.targets)?,
            destroy: wire.options.destroy,
            allow_disconnect: addresses(&wire.options.allow_disconnect)?,
        },
        plan: Plan {
            // Saved plans are never refresh-only (`plan --refresh-only --out` is refused).
            refresh_only: false,
            // Re-derived from the plan's configuration and state when it is applied.
            state_edits: Vec::new(),
            reads: wire.reads.iter().map(read_from).collect::<Result<_, _>>()?,
            changes,
            refusals,
            warnings: wire.warnings,
            drift,
            notes: wire.notes,
            destroy: wire.options.destroy,
            disconnections: wire
                .disconnections
                .iter()
                .map(disconnection_from)
                .collect::<Result<_, _>>()?,
            connection_requests: wire
                .connection_requests
                .iter()
                .map(request_from)
                .collect::<Result<_, _>>()?,
            checks: Vec::new(),
            output_changes: wire
                .output_changes
                .iter()
                .map(output_change_from)
                .collect::<Result<_, _>>()?,
            headroom: wire.quotas.iter().map(headroom_from).collect(),
        },
    })
}

fn refusal_from(r: &RefusalWire) -> Result<Refusal, String> {
    Ok(Refusal {
        kind: crate::plan::RefusalKind::parse(&r.rule)
            .ok_or_else(|| format!("unknown rule `{}`", r.rule))?,
        address: r.address.as_deref().map(parse_address).transpose()?,
        message: r.message.clone(),
        details: r.details.clone(),
        help: r.help.clone(),
    })
}

fn read_from(r: &ReadWire) -> Result<crate::plan::DeferredRead, String> {
    let dtype = crate::model::data::DataType::parse(&r.data_type)
        .ok_or_else(|| format!("unknown data source `{}`", r.data_type))?;
    Ok(crate::plan::DeferredRead {
        address: crate::model::data::DataAddress {
            id: crate::model::data::DataId {
                dtype,
                name: r.name.clone(),
            },
            key: r.key.clone(),
        },
        args: attrs_from(&r.args, &r.args_unknown, "args")?.unwrap_or_default(),
    })
}

fn disconnection_from(d: &DisconnectionWire) -> Result<crate::plan::Disconnection, String> {
    Ok(crate::plan::Disconnection {
        by: parse_address(&d.by)?,
        service_id: d.service_id.clone(),
        endpoint_id: d.endpoint_id.clone(),
        account: d.account.clone(),
        status: d.status.clone(),
        reason: d.reason.clone(),
        explicit: d.explicit,
        allowed: d.allowed,
    })
}

fn request_from(c: &RequestWire) -> Result<crate::plan::ConnectionRequest, String> {
    use crate::plan::ConnectionChange;
    let change = match (c.change.as_deref(), &c.previous_status) {
        (None, _) => None,
        (Some("appeared"), _) => Some(ConnectionChange::Appeared),
        (Some("changed"), Some(from)) => Some(ConnectionChange::Changed { from: from.clone() }),
        (Some("disappeared"), _) => Some(ConnectionChange::Disappeared),
        (Some(other), _) => {
            return Err(format!("unknown connection change `{other}`"));
        }
    };
    Ok(crate::plan::ConnectionRequest {
        service: parse_address(&c.service)?,
        provider: c.provider.clone(),
        service_id: c.service_id.clone(),
        endpoint_id: c.endpoint_id.clone(),
        account: c.account.clone(),
        status: c.status.clone(),
        since: c.since.clone(),
        change,
        decided_by: c.decided_by.as_deref().map(parse_address).transpose()?,
    })
}

fn output_change_from(o: &OutputWire) -> Result<crate::plan::OutputChange, String> {
    let action = match o.action.as_str() {
        "create" => crate::plan::OutputAction::Create,
        "update" => crate::plan::OutputAction::Update,
        "delete" => crate::plan::OutputAction::Delete,
        other => return Err(format!("unknown output action `{other}`")),
    };
    Ok(crate::plan::OutputChange {
        name: o.name.clone(),
        action,
        before: o.before.as_ref().map(Value::from_json),
        after: if o.after_unknown {
            Some(Value::Unknown)
        } else {
            o.after.as_ref().map(Value::from_json)
        },
        sensitive: o.sensitive,
    })
}

fn headroom_from(h: &HeadroomWire) -> crate::plan::Headroom {
    crate::plan::Headroom {
        provider: h.provider.clone(),
        account: h.account.clone(),
        quotas: crate::model::facts::Quotas {
            services_used: h.services_used,
            services_quota: h.services_quota,
            endpoints_used: h.endpoints_used,
            endpoints_quota: h.endpoints_quota,
        },
    }
}
