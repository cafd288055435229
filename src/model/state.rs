//! Recorded state: what `vpcep` knows it created, with cloud IDs and every attribute.

use super::address::{Address, ResourceId};
use super::value::Value;
use indexmap::IndexMap;

/// The recorded state of one configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedState {
    /// Random ID fixed when the state is first created; a different lineage is another state.
    pub lineage: String,
    /// Incremented on every write of the whole state.
    pub serial: u64,
    /// Resources in a stable order (sorted by address).
    pub resources: IndexMap<Address, RecordedResource>,
    pub outputs: IndexMap<String, RecordedOutput>,
    /// Creates that were started but not confirmed (an apply was interrupted between the
    /// cloud call and recording its result); the next refresh finds them in the cloud.
    pub pending: Vec<PendingCreate>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RecordedResource {
    pub address: Address,
    /// The cloud's ID of the resource.
    pub id: String,
    /// Configured and computed attributes, as last read or written.
    pub attrs: crate::model::Map,
    pub depends_on: Vec<ResourceId>,
    /// Attributes whose value is sensitive (sorted): kept in state, never shown.
    pub sensitive: Vec<String>,
    /// The provider it is managed with (`TYPE.ALIAS`); `None` for the default one.
    pub provider: Option<String>,
}

impl RecordedResource {
    pub fn attr(&self, name: &str) -> &Value {
        self.attrs.get(name).unwrap_or(&Value::Null)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct RecordedOutput {
    pub value: Value,
    pub sensitive: bool,
}

/// The intent to create a resource, recorded before the cloud is asked to create it.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingCreate {
    pub address: Address,
    /// When the create was started (RFC 3339).
    pub started_at: String,
    /// Attributes that identify the new resource in the cloud (e.g. a service's `port_id`).
    pub identity: crate::model::Map,
    /// The provider the create was sent with; `None` for the default one.
    pub provider: Option<String>,
}

/// One change to recorded state, as written to the apply journal.
#[derive(Debug, Clone, PartialEq)]
pub enum StateChange {
    Pending(PendingCreate),
    Set(RecordedResource),
    Remove(Address),
    Outputs(IndexMap<String, RecordedOutput>),
}

/// The highest serial a state can have (it must fit `PostgreSQL`'s `bigint` too).
pub const MAX_SERIAL: u64 = i64::MAX as u64;

impl RecordedState {
    /// What breaks "one cloud object, one address" in this state, each naming the addresses:
    /// one cloud ID recorded under two addresses of one type, and resources whose instances
    /// mix shapes (one without a key beside keyed ones, or `count` indexes beside `for_each`
    /// keys). A state written by vpcep has none; one edited by hand may.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut by_id: IndexMap<(super::ResourceType, &str), Vec<&super::Address>> =
            IndexMap::new();
        for r in self.resources.values() {
            by_id
                .entry((r.address.rtype(), r.id.as_str()))
                .or_default()
                .push(&r.address);
        }
        for ((rtype, id), addresses) in by_id.iter().filter(|(_, a)| a.len() > 1) {
            let names: Vec<String> = addresses.iter().map(|a| format!("`{a}`")).collect();
            out.push(format!(
                "the {rtype} {id} is recorded under {} addresses ({}): one cloud object has one address, or apply would change or delete it twice",
                addresses.len(),
                names.join(", ")
            ));
        }
        let mut shapes: IndexMap<&super::ResourceId, [Vec<&super::Address>; 3]> = IndexMap::new();
        for a in self.resources.keys() {
            let shape = match a.key.as_deref() {
                None => 0,
                Some(k) if super::address::count_index(k).is_some() => 1,
                Some(_) => 2,
            };
            shapes.entry(&a.resource).or_default()[shape].push(a);
        }
        for (resource, [single, counted, keyed]) in &shapes {
            let kinds = [single, counted, keyed]
                .iter()
                .filter(|v| !v.is_empty())
                .count();
            if kinds > 1 {
                let what: Vec<String> = [
                    (single, "an instance without a key"),
                    (counted, "`count` instances"),
                    (keyed, "`for_each` instances"),
                ]
                .iter()
                .filter(|(v, _)| !v.is_empty())
                .map(|(v, label)| {
                    format!(
                        "{label} ({})",
                        v.iter()
                            .map(|a| format!("`{a}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                })
                .collect();
                out.push(format!(
                    "`{resource}` mixes {}: a resource is recorded without a key, with `count` indexes or with `for_each` keys, never two of these",
                    what.join(" and ")
                ));
            }
        }
        out
    }

    /// Moves to the next serial: every new version of a state gets one. Never wraps: at
    /// [`MAX_SERIAL`] it is an error, since a wrapped serial would make an old saved plan look
    /// current.
    pub fn next_serial(&mut self) -> Result<(), String> {
        if self.serial >= MAX_SERIAL {
            return Err(format!(
                "the state is at serial {}, the highest there is, so it cannot be written again; it was probably edited by hand",
                self.serial
            ));
        }
        self.serial += 1;
        Ok(())
    }

    /// A new, empty state with a fresh lineage.
    pub fn new() -> Self {
        RecordedState {
            lineage: uuid::Uuid::new_v4().to_string(),
            serial: 0,
            resources: IndexMap::new(),
            outputs: IndexMap::new(),
            pending: Vec::new(),
        }
    }

    pub fn apply(&mut self, change: StateChange) {
        match change {
            StateChange::Pending(p) => {
                self.pending.retain(|q| q.address != p.address);
                self.pending.push(p);
            }
            StateChange::Set(r) => {
                self.pending.retain(|q| q.address != r.address);
                self.resources.insert(r.address.clone(), r);
            }
            StateChange::Remove(address) => {
                self.pending.retain(|q| q.address != address);
                self.resources.shift_remove(&address);
            }
            StateChange::Outputs(outputs) => self.outputs = outputs,
        }
    }

    /// Sorts resources by address, so the written state is stable.
    pub fn sort(&mut self) {
        self.resources.sort_keys();
    }
}

impl Default for RecordedState {
    fn default() -> Self {
        Self::new()
    }
}
