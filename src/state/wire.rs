//! The JSON format of the state file and of journal entries (versioned; converted to and from
//! the model so the model never depends on it).

use crate::model::{
    Address, PendingCreate, RecordedOutput, RecordedResource, RecordedState, ResourceId,
    StateChange, Value,
};
use serde::{Deserialize, Serialize};
use serde_json::Map;

/// The version this build writes: 3 leaves `id` out of a resource's `attributes` where it is
/// the resource's own `id` (it is put back when read); 2 lays each resource out on one line (compact),
/// leaves out a `null` key and empty dependencies; 1 is indented throughout. All three are
/// read.
pub const FORMAT_VERSION: u32 = 3;

/// The versions this build reads.
const READABLE: [u32; 3] = [1, 2, 3];

#[derive(Debug, Clone, Serialize, Deserialize)]
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

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ResourceEntry {
    pub address: String,
    #[serde(rename = "type")]
    pub rtype: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    pub id: String,
    /// Without `id` where it is the resource's own (see `id_is_implied`).
    pub attributes: crate::model::Map,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dependencies: Vec<String>,
    /// Attributes whose values are sensitive (as Terraform's `sensitive_attributes`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sensitive_attributes: Vec<String>,
    /// The provider it is managed with (`TYPE.ALIAS`), when not the default one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PendingEntry {
    pub address: String,
    pub operation: String,
    pub started_at: String,
    pub identity: Map<String, serde_json::Value>,
    /// The provider the create was sent with, when not the default one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
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

fn attrs_to_json(attrs: &crate::model::Map) -> Map<String, serde_json::Value> {
    attrs
        .iter()
        .map(|(k, v)| (k.to_owned(), v.to_json()))
        .collect()
}

fn attrs_from_json(map: &Map<String, serde_json::Value>) -> crate::model::Map {
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

/// Whether `attributes.id` is the resource's own `id`, and so left out of the file. When read,
/// an entry whose type computes an `id` and whose attributes hold none gets the entry's `id`
/// back among them, before the other computed attributes (where recording puts it).
fn id_is_implied(r: &RecordedResource) -> bool {
    matches!(r.attrs.get("id"), Some(Value::String(id)) if *id == r.id)
}

/// `attrs` as written: without `id` when `skip_id`.
struct WireAttrs<'a> {
    attrs: &'a crate::model::Map,
    skip_id: bool,
}

impl WireAttrs<'_> {
    fn entries(&self) -> impl Iterator<Item = (&str, &Value)> {
        let skip_id = self.skip_id;
        self.attrs
            .iter()
            .filter(move |(k, _)| !(skip_id && *k == "id"))
    }
}

impl Serialize for WireAttrs<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.entries())
    }
}

/// A resource's entry, owned (for journal entries and saved plans): the borrowed line the state
/// file is written with, copied.
pub fn resource_to_wire(r: &RecordedResource) -> ResourceEntry {
    let line = ResourceLine::of(r);
    ResourceEntry {
        attributes: line
            .attributes
            .entries()
            .map(|(k, v)| (k, v.clone()))
            .collect(),
        address: line.address,
        rtype: line.rtype.to_owned(),
        name: line.name.to_owned(),
        key: line.key.map(str::to_owned),
        id: line.id.to_owned(),
        dependencies: line.dependencies,
        sensitive_attributes: line.sensitive_attributes.to_vec(),
        provider: line.provider.map(str::to_owned),
    }
}

/// A resource's entry as written in the state file: [`ResourceEntry`] borrowed from the
/// state, so writing a state copies none of it.
#[derive(Serialize)]
struct ResourceLine<'a> {
    address: String,
    #[serde(rename = "type")]
    rtype: &'a str,
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    key: Option<&'a str>,
    id: &'a str,
    attributes: WireAttrs<'a>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    dependencies: Vec<String>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    sensitive_attributes: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    provider: Option<&'a str>,
}

impl<'a> ResourceLine<'a> {
    fn of(r: &'a RecordedResource) -> Self {
        ResourceLine {
            address: r.address.to_string(),
            rtype: r.address.rtype().as_str(),
            name: &r.address.resource.name,
            key: r.address.key.as_deref(),
            id: &r.id,
            attributes: WireAttrs {
                attrs: &r.attrs,
                skip_id: id_is_implied(r),
            },
            dependencies: r.depends_on.iter().map(ToString::to_string).collect(),
            sensitive_attributes: &r.sensitive,
            provider: r.provider.as_deref(),
        }
    }
}

pub fn resource_from_wire(e: ResourceEntry) -> Result<RecordedResource, String> {
    let address = parse_address(&e.address)?;
    let depends_on = e
        .dependencies
        .iter()
        .map(|d| parse_resource_id(d))
        .collect::<Result<_, _>>()?;
    let computed = crate::model::schema::schema(address.rtype()).computed;
    let implied = !e.attributes.contains_key("id") && computed.iter().any(|(n, _)| *n == "id");
    let at = implied.then(|| {
        e.attributes
            .keys()
            .position(|k| computed.iter().any(|(n, _)| *n == k))
            .unwrap_or(e.attributes.len())
    });
    // Moved into a map of exactly their number (read entry by entry, the map grew by
    // doubling; a state holds one per resource), `id` restored where it belongs.
    let mut attrs = crate::model::Map::with_capacity(e.attributes.len() + usize::from(implied));
    for (i, (k, v)) in e.attributes.into_iter().enumerate() {
        if at == Some(i) {
            attrs.insert("id", Value::String(e.id.as_str().into()));
        }
        attrs.insert(k, v);
    }
    if at == Some(attrs.len()) {
        attrs.insert("id", Value::String(e.id.as_str().into()));
    }
    Ok(RecordedResource {
        address,
        id: e.id,
        attrs,
        depends_on,
        sensitive: e.sensitive_attributes,
        provider: e.provider,
    })
}

fn pending_to_wire(p: &PendingCreate) -> PendingEntry {
    PendingEntry {
        address: p.address.to_string(),
        operation: "create".to_owned(),
        started_at: p.started_at.clone(),
        identity: attrs_to_json(&p.identity),
        provider: p.provider.clone(),
    }
}

fn pending_from_wire(e: &PendingEntry) -> Result<PendingCreate, String> {
    Ok(PendingCreate {
        address: parse_address(&e.address)?,
        started_at: e.started_at.clone(),
        identity: attrs_from_json(&e.identity),
        provider: e.provider.clone(),
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

pub fn from_wire(file: StateFile) -> Result<RecordedState, String> {
    if !READABLE.contains(&file.format_version) {
        return Err(format!(
            "format_version {} is not supported (this vpcep reads versions 1 and {FORMAT_VERSION})",
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
    state.resources.reserve(file.resources.len());
    for e in file.resources {
        let shown = e.address.clone();
        let r = resource_from_wire(e).map_err(|m| format!("resource `{shown}`: {m}"))?;
        if state.resources.contains_key(&r.address) {
            // Two records of one address: which is the cloud's object cannot be told, and
            // keeping either would lose the other.
            return Err(format!(
                "resource `{}` is recorded twice; one address has one record",
                r.address
            ));
        }
        state.resources.insert(r.address.clone(), r);
    }
    Ok(state)
}

/// Serialises a state as the file's text: the top level indented, each resource on a line of
/// its own, so a diff of two state files shows the resources that changed.
pub fn encode(state: &RecordedState) -> String {
    let mut bytes = Vec::with_capacity(760 * state.resources.len() + 256);
    // Writing to memory does not fail, and serde_json writes UTF-8.
    let _ = encode_to(state, &mut bytes);
    String::from_utf8(bytes).unwrap_or_default()
}

/// Writes the state file's text for `state` to `out`, one resource at a time.
pub fn encode_to(state: &RecordedState, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    writeln!(out, "{{")?;
    writeln!(out, "  \"format_version\": {FORMAT_VERSION},")?;
    writeln!(
        out,
        "  \"vpcep_version\": {},",
        json(&env!("CARGO_PKG_VERSION"))
    )?;
    writeln!(out, "  \"lineage\": {},", json(&state.lineage))?;
    writeln!(out, "  \"serial\": {},", state.serial)?;
    write!(out, "  \"resources\": [")?;
    for (i, r) in state.resources.values().enumerate() {
        write!(out, "{}", if i == 0 { "\n    " } else { ",\n    " })?;
        serde_json::to_writer(&mut *out, &ResourceLine::of(r))?;
    }
    write!(
        out,
        "{}",
        if state.resources.is_empty() {
            "],\n"
        } else {
            "\n  ],\n"
        }
    )?;
    write!(
        out,
        "  \"outputs\": {}",
        json(&outputs_to_wire(&state.outputs))
    )?;
    if !state.pending.is_empty() {
        write!(out, ",\n  \"pending\": [")?;
        for (i, p) in state.pending.iter().enumerate() {
            write!(out, "{}", if i == 0 { "\n    " } else { ",\n    " })?;
            serde_json::to_writer(&mut *out, &pending_to_wire(p))?;
        }
        write!(out, "\n  ]")?;
    }
    writeln!(out, "\n}}")
}

fn json<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

pub fn decode(text: &str) -> Result<RecordedState, String> {
    let file: StateFile = serde_json::from_str(text).map_err(|e| e.to_string())?;
    from_wire(file)
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
        JournalEntry::Set(r) => StateChange::Set(resource_from_wire(r.clone())?),
        JournalEntry::Remove { address } => StateChange::Remove(parse_address(address)?),
        JournalEntry::Outputs { outputs } => StateChange::Outputs(outputs_from_wire(outputs)?),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> RecordedState {
        let mut state = RecordedState::new();
        state.serial = 7;
        for (address, deps) in [
            ("vpcep_service.api", vec![]),
            ("vpcep_endpoint.e[\"a b\"]", vec!["vpcep_service.api"]),
        ] {
            let address: Address = address.parse().unwrap();
            let attrs: crate::model::Map = [
                (
                    "tags".to_owned(),
                    Value::map([("k".to_owned(), Value::from("v\"x"))].into()),
                ),
                (
                    "port".to_owned(),
                    Value::List(vec![Value::int(443), Value::Null]),
                ),
                ("ok".to_owned(), Value::Bool(true)),
                // As every recorded resource: its computed `id` among its attributes.
                ("id".to_owned(), Value::from("id-1")),
            ]
            .into_iter()
            .collect();
            state.resources.insert(
                address.clone(),
                RecordedResource {
                    address,
                    id: "id-1".into(),
                    attrs,
                    depends_on: deps.iter().map(|d| parse_resource_id(d).unwrap()).collect(),
                    sensitive: vec!["tags".into()],
                    provider: None,
                },
            );
        }
        state.outputs.insert(
            "o".into(),
            RecordedOutput {
                value: Value::from("x"),
                sensitive: false,
            },
        );
        state
    }

    #[test]
    fn a_state_reads_back_as_written_and_version_1_is_read_too() {
        let state = sample();
        let text = encode(&state);
        assert_eq!(decode(&text).unwrap(), state);
        // One resource per line.
        assert_eq!(
            text.lines()
                .filter(|l| l.starts_with("    {\"address\""))
                .count(),
            2
        );
        // The indented version 1 layout of the same state.
        let mut v1 = to_wire(&state);
        v1.format_version = 1;
        let old = serde_json::to_string_pretty(&v1).unwrap();
        assert_eq!(decode(&old).unwrap(), state);
        let mut v4 = v1;
        v4.format_version = 4;
        let newer = serde_json::to_string(&v4).unwrap();
        assert!(
            decode(&newer)
                .unwrap_err()
                .contains("format_version 4 is not supported")
        );
    }

    /// A resource's `id` is written once: left out of `attributes` where it is the same, kept
    /// where they differ; both read back as they were, attributes in their order.
    #[test]
    fn the_id_is_written_once_and_reads_back_in_place() {
        let mut state = sample();
        let mut all = state.resources.values_mut();
        let same = all.next().unwrap();
        same.attrs.insert("id", Value::from("id-1"));
        same.attrs.insert("status", Value::from("available"));
        let other = all.next().unwrap();
        other.attrs.insert("id", Value::from("something-else"));
        let text = encode(&state);
        assert_eq!(text.matches("\"id\":\"id-1\"").count(), 2, "{text}");
        assert!(text.contains("\"id\":\"something-else\""), "{text}");
        let read = decode(&text).unwrap();
        assert_eq!(read, state);
        for (a, b) in read.resources.values().zip(state.resources.values()) {
            assert!(
                a.attrs.keys().eq(b.attrs.keys()),
                "{:?}",
                a.attrs.keys().collect::<Vec<_>>()
            );
        }
        // The journal's entries round-trip the same way.
        for r in state.resources.values() {
            let entry = serde_json::to_string(&resource_to_wire(r)).unwrap();
            let back: ResourceEntry = serde_json::from_str(&entry).unwrap();
            assert_eq!(&resource_from_wire(back).unwrap(), r);
        }
    }
}
