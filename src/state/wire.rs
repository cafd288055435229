//! The JSON format of the state file and of journal entries (versioned; converted to and from
//! the model so the model never depends on it).

use crate::model::{
    Address, PendingCreate, RecordedOutput, RecordedResource, RecordedState, ResourceId,
    StateChange, Value,
};
use serde::{Deserialize, Serialize};
use serde_json::Map;

pub const FORMAT_VERSION: u32 = 1;

#[derive(Debug, Serialize, Deserialize)]
pub struct StateFile {
    pub format_version: u32,
    pub vpcep_version: String,
    pub lineage: String,
    pub serial: u64,
    pub resources: Vec<ResourceEntry>,
    #[serde(default)]
    pub outputs: Map<String, serde_json::Value>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pending: Vec<PendingEntry>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct ResourceEntry {
    pub address: String,
    #[serde(rename = "type")]
    pub rtype: String,
    pub name: String,
    #[serde(default)]
    pub key: Option<String>,
    pub id: String,
    pub attributes: Map<String, serde_json::Value>,
    #[serde(default)]
    pub dependencies: Vec<String>,
    /// Attributes whose values are sensitive (as Terraform's `sensitive_attributes`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sensitive_attributes: Vec<String>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct PendingEntry {
    pub address: String,
    pub operation: String,
    pub started_at: String,
    pub identity: Map<String, serde_json::Value>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct OutputEntry {
    pub value: serde_json::Value,
    #[serde(default)]
    pub sensitive: bool,
}

/// One line of the apply journal.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum JournalEntry {
    Pending(PendingEntry),
    Set(ResourceEntry),
    Remove {
        address: String,
    },
    Outputs {
        outputs: Map<String, serde_json::Value>,
    },
}

fn attrs_to_json(attrs: &indexmap::IndexMap<String, Value>) -> Map<String, serde_json::Value> {
    attrs
        .iter()
        .map(|(k, v)| (k.clone(), v.to_json()))
        .collect()
}

fn attrs_from_json(map: &Map<String, serde_json::Value>) -> indexmap::IndexMap<String, Value> {
    map.iter()
        .map(|(k, v)| (k.clone(), Value::from_json(v)))
        .collect()
}

fn parse_address(s: &str) -> Result<Address, String> {
    s.parse::<Address>().map_err(|e| e.to_string())
}

fn parse_resource_id(s: &str) -> Result<ResourceId, String> {
    let a = parse_address(s)?;
    Ok(a.resource)
}

pub fn resource_to_wire(r: &RecordedResource) -> ResourceEntry {
    ResourceEntry {
        address: r.address.to_string(),
        rtype: r.address.rtype().as_str().to_owned(),
        name: r.address.resource.name.clone(),
        key: r.address.key.clone(),
        id: r.id.clone(),
        attributes: attrs_to_json(&r.attrs),
        dependencies: r.depends_on.iter().map(ToString::to_string).collect(),
        sensitive_attributes: r.sensitive.clone(),
    }
}

pub fn resource_from_wire(e: &ResourceEntry) -> Result<RecordedResource, String> {
    let address = parse_address(&e.address)?;
    let depends_on = e
        .dependencies
        .iter()
        .map(|d| parse_resource_id(d))
        .collect::<Result<_, _>>()?;
    Ok(RecordedResource {
        address,
        id: e.id.clone(),
        attrs: attrs_from_json(&e.attributes),
        depends_on,
        sensitive: e.sensitive_attributes.clone(),
    })
}

fn pending_to_wire(p: &PendingCreate) -> PendingEntry {
    PendingEntry {
        address: p.address.to_string(),
        operation: "create".to_owned(),
        started_at: p.started_at.clone(),
        identity: attrs_to_json(&p.identity),
    }
}

fn pending_from_wire(e: &PendingEntry) -> Result<PendingCreate, String> {
    Ok(PendingCreate {
        address: parse_address(&e.address)?,
        started_at: e.started_at.clone(),
        identity: attrs_from_json(&e.identity),
    })
}

fn outputs_to_wire(
    outputs: &indexmap::IndexMap<String, RecordedOutput>,
) -> Map<String, serde_json::Value> {
    outputs
        .iter()
        .map(|(k, o)| {
            let entry = OutputEntry {
                value: o.value.to_json(),
                sensitive: o.sensitive,
            };
            (k.clone(), serde_json::to_value(entry).unwrap_or_default())
        })
        .collect()
}

fn outputs_from_wire(
    map: &Map<String, serde_json::Value>,
) -> Result<indexmap::IndexMap<String, RecordedOutput>, String> {
    map.iter()
        .map(|(k, v)| {
            let e: OutputEntry =
                serde_json::from_value(v.clone()).map_err(|e| format!("output `{k}`: {e}"))?;
            Ok((
                k.clone(),
                RecordedOutput {
                    value: Value::from_json(&e.value),
                    sensitive: e.sensitive,
                },
            ))
        })
        .collect()
}

pub fn to_wire(state: &RecordedState) -> StateFile {
    StateFile {
        format_version: FORMAT_VERSION,
        vpcep_version: env!("CARGO_PKG_VERSION").to_owned(),
        lineage: state.lineage.clone(),
        serial: state.serial,
        resources: state.resources.values().map(resource_to_wire).collect(),
        outputs: outputs_to_wire(&state.outputs),
        pending: state.pending.iter().map(pending_to_wire).collect(),
    }
}

pub fn from_wire(file: &StateFile) -> Result<RecordedState, String> {
    if file.format_version != FORMAT_VERSION {
        return Err(format!(
            "format_version {} is not supported (this vpcep reads version {FORMAT_VERSION})",
            file.format_version
        ));
    }
    if file.serial > crate::model::state::MAX_SERIAL {
        return Err(format!(
            "serial {} is larger than the highest serial a state can have ({})",
            file.serial,
            crate::model::state::MAX_SERIAL
        ));
    }
    let mut state = RecordedState {
        lineage: file.lineage.clone(),
        serial: file.serial,
        resources: indexmap::IndexMap::new(),
        outputs: outputs_from_wire(&file.outputs)?,
        pending: file
            .pending
            .iter()
            .map(pending_from_wire)
            .collect::<Result<_, _>>()?,
    };
    for e in &file.resources {
        let r = resource_from_wire(e).map_err(|m| format!("resource `{}`: {m}", e.address))?;
        state.resources.insert(r.address.clone(), r);
    }
    Ok(state)
}

/// Serialises a state as the file's text (pretty, so diffs of state files are readable).
pub fn encode(state: &RecordedState) -> String {
    let mut text = serde_json::to_string_pretty(&to_wire(state)).unwrap_or_default();
    text.push('\n');
    text
}

pub fn decode(text: &str) -> Result<RecordedState, String> {
    let file: StateFile = serde_json::from_str(text).map_err(|e| e.to_string())?;
    from_wire(&file)
}

pub fn change_to_wire(change: &StateChange) -> JournalEntry {
    match change {
        StateChange::Pending(p) => JournalEntry::Pending(pending_to_wire(p)),
        StateChange::Set(r) => JournalEntry::Set(resource_to_wire(r)),
        StateChange::Remove(a) => JournalEntry::Remove {
            address: a.to_string(),
        },
        StateChange::Outputs(o) => JournalEntry::Outputs {
            outputs: outputs_to_wire(o),
        },
    }
}

pub fn change_from_wire(entry: &JournalEntry) -> Result<StateChange, String> {
    Ok(match entry {
        JournalEntry::Pending(p) => StateChange::Pending(pending_from_wire(p)?),
        JournalEntry::Set(r) => StateChange::Set(resource_from_wire(r)?),
        JournalEntry::Remove { address } => StateChange::Remove(parse_address(address)?),
        JournalEntry::Outputs { outputs } => StateChange::Outputs(outputs_from_wire(outputs)?),
    })
}
