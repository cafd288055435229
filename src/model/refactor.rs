//! Refactoring without touching the cloud: what `moved`, `removed` and `import` blocks ask
//! for, and the state edits a plan makes of them (carried out by apply before any cloud step).

use super::{Address, RecordedResource, RecordedState, ResourceId, StateChange};
use std::fmt;

/// What a refactoring block names: a whole resource (every instance, keys kept) or one
/// instance (`TYPE.NAME` of a resource without `for_each` is its one instance).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Resource(ResourceId),
    Instance(Address),
    /// `module.NAME` or `module.NAME["key"]`: every resource in that module instance.
    Module(String),
}

impl Target {
    /// The resource it names (`None` for a module).
    pub fn resource(&self) -> Option<&ResourceId> {
        match self {
            Target::Resource(id) => Some(id),
            Target::Instance(a) => Some(&a.resource),
            Target::Module(_) => None,
        }
    }

    pub fn matches(&self, address: &Address) -> bool {
        match self {
            Target::Resource(id) => address.resource == *id,
            Target::Instance(a) => a == address,
            // `module.svc` is every instance of the call (`module.svc["a"]`) and what they
            // call; `module.svc["a"]` that instance and what it calls.
            Target::Module(path) => address.resource.module_path().is_some_and(|p| {
                p == path
                    || p.strip_prefix(path.as_str()).is_some_and(|r| {
                        r.starts_with('.') || (r.starts_with('[') && !path.ends_with(']'))
                    })
            }),
        }
    }
}

/// `TYPE.NAME` (every instance), `TYPE.NAME[KEY]` (one), either inside modules
/// (`module.svc["a"].vpcep_service.this`), or a module call or instance alone (`module.svc`,
/// `module.svc["a"]`, `module.a.module.b`).
impl std::str::FromStr for Target {
    type Err = super::address::AddressError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if let Ok(address) = s.parse::<Address>() {
            return Ok(match address.key {
                None => Target::Resource(address.resource),
                Some(_) => Target::Instance(address),
            });
        }
        // A module path alone: `module.NAME` or `module.NAME[KEY]`, repeated with `.`.
        match super::address::split_module_path(s) {
            Some((path, "")) if !path.is_empty() => Ok(Target::Module(path)),
            _ => Err(super::address::AddressError(s.to_owned())),
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Resource(id) => write!(f, "{id}"),
            Target::Instance(a) => write!(f, "{a}"),
            Target::Module(path) => f.write_str(path),
        }
    }
}

/// `moved { from = ..., to = ... }`; `at` is the block's `file:line`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Moved {
    pub from: Target,
    pub to: Target,
    pub at: String,
}

impl Moved {
    /// Where `address` goes, if this block moves it.
    fn destination(&self, address: &Address) -> Option<Address> {
        if !self.from.matches(address) {
            return None;
        }
        Some(match (&self.from, &self.to) {
            (Target::Module(from), Target::Module(to)) => {
                let inner = address.resource.module_path().unwrap_or_default();
                let path = format!("{to}{}", &inner[from.len()..]);
                Address {
                    resource: ResourceId::new(
                        address.resource.rtype,
                        format!(
                            "{path}{}{}",
                            crate::model::address::MODULE_SEPARATOR,
                            address.resource.local_name()
                        ),
                    ),
                    key: address.key.clone(),
                }
            }
            (Target::Module(_), _) | (_, Target::Module(_)) => return None,
            (Target::Resource(_), Target::Resource(to)) => Address {
                resource: to.clone(),
                key: address.key.clone(),
            },
            (_, Target::Instance(to)) => to.clone(),
            (Target::Instance(_), Target::Resource(to)) => Address {
                resource: to.clone(),
                key: None,
            },
        })
    }
}

/// `removed { from = ...  lifecycle { destroy = false } }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Removed {
    pub from: Target,
    /// `false`: forget the resource, leave it in the cloud.
    pub destroy: bool,
    pub at: String,
}

/// `import { to = ..., id = "..." }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Import {
    pub to: Address,
    pub id: String,
    pub at: String,
}

/// Every refactoring block of a configuration.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Refactors {
    pub moved: Vec<Moved>,
    pub removed: Vec<Removed>,
    pub imports: Vec<Import>,
    /// Imports into resources the configuration does not declare yet (only while generating
    /// their configuration, `plan --generate-config-out`).
    pub unconfigured: Vec<Import>,
}

impl Refactors {
    pub fn is_empty(&self) -> bool {
        self.moved.is_empty() && self.removed.is_empty() && self.imports.is_empty()
    }

    /// The `removed` block that forgets `address` (leaves it in the cloud), if any.
    pub fn forgets(&self, address: &Address) -> Option<&Removed> {
        self.removed
            .iter()
            .find(|r| !r.destroy && r.from.matches(address))
    }
}

/// A change of the recorded state alone, planned from a refactoring block.
#[derive(Debug, Clone, PartialEq)]
pub enum StateEdit {
    /// The record of `from`, now at `record.address`.
    Move {
        from: Address,
        record: RecordedResource,
    },
    /// A cloud object read by its ID, recorded at `record.address`.
    Import { record: RecordedResource },
    /// No longer managed here; the cloud object stays.
    Forget { address: Address },
}

impl StateEdit {
    /// The address the edit leaves the resource at (or takes it from, for a forget).
    pub fn address(&self) -> &Address {
        match self {
            StateEdit::Move { record, .. } | StateEdit::Import { record } => &record.address,
            StateEdit::Forget { address } => address,
        }
    }

    /// The state changes that carry the edit out.
    pub fn changes(&self) -> Vec<StateChange> {
        match self {
            StateEdit::Move { from, record } => vec![
                StateChange::Remove(from.clone()),
                StateChange::Set(record.clone()),
            ],
            StateEdit::Import { record } => vec![StateChange::Set(record.clone())],
            StateEdit::Forget { address } => vec![StateChange::Remove(address.clone())],
        }
    }
}

/// Carries out the `moved` blocks on `state` (chains followed, in any order): the edits, or
/// an error naming the block when a destination is already recorded.
pub fn apply_moves(state: &mut RecordedState, moved: &[Moved]) -> Result<Vec<StateEdit>, String> {
    // Where each moved record came from, by its current address.
    let mut origin: Vec<(Address, Address)> = Vec::new();
    for _ in 0..=moved.len() {
        let mut changed = false;
        for m in moved {
            let matching: Vec<Address> = state
                .resources
                .keys()
                .filter(|a| m.from.matches(a))
                .cloned()
                .collect();
            for from in matching {
                let Some(to) = m.destination(&from) else {
                    continue;
                };
                if to == from {
                    continue;
                }
                if state.resources.contains_key(&to) {
                    return Err(format!(
                        "the `moved` block at {} moves `{from}` to `{to}`, but `{to}` is already recorded; remove the `moved` block, or `vpcep state rm {to}` first",
                        m.at
                    ));
                }
                let Some(mut record) = state.resources.shift_remove(&from) else {
                    continue;
                };
                record.address = to.clone();
                state.resources.insert(to.clone(), record);
                match origin.iter_mut().find(|(now, _)| *now == from) {
                    Some(entry) => entry.0 = to,
                    None => origin.push((to, from)),
                }
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    Ok(origin
        .into_iter()
        .filter(|(now, first)| now != first)
        .filter_map(|(now, first)| {
            state.resources.get(&now).map(|record| StateEdit::Move {
                from: first,
                record: record.clone(),
            })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ResourceType;

    fn addr(name: &str, key: Option<&str>) -> Address {
        Address {
            resource: ResourceId::new(ResourceType::Service, name),
            key: key.map(str::to_owned),
        }
    }

    fn state(addresses: &[Address]) -> RecordedState {
        let mut s = RecordedState::new();
        for a in addresses {
            s.apply(StateChange::Set(RecordedResource {
                address: a.clone(),
                id: format!("id-{a}"),
                attrs: crate::model::Map::new(),
                depends_on: Vec::new(),
                sensitive: Vec::new(),
                provider: None,
            }));
        }
        s
    }

    fn moved(from: Target, to: Target) -> Moved {
        Moved {
            from,
            to,
            at: "main.hcl:1".into(),
        }
    }

    #[test]
    fn chains_are_followed_whatever_their_order() {
        let res = |n: &str| Target::Resource(ResourceId::new(ResourceType::Service, n));
        let mut s = state(&[addr("a", Some("x")), addr("a", Some("y"))]);
        let edits = apply_moves(
            &mut s,
            &[moved(res("b"), res("c")), moved(res("a"), res("b"))],
        )
        .unwrap();
        let now: Vec<String> = s.resources.keys().map(ToString::to_string).collect();
        assert_eq!(now, ["vpcep_service.c[\"x\"]", "vpcep_service.c[\"y\"]"]);
        assert_eq!(edits.len(), 2);
        assert!(matches!(&edits[0], StateEdit::Move { from, .. } if *from == addr("a", Some("x"))));
    }

    #[test]
    fn into_and_out_of_for_each() {
        let inst = |n: &str, k: Option<&str>| Target::Instance(addr(n, k));
        let mut s = state(&[addr("single", None)]);
        apply_moves(
            &mut s,
            &[moved(inst("single", None), inst("many", Some("k")))],
        )
        .unwrap();
        assert!(s.resources.contains_key(&addr("many", Some("k"))));
        apply_moves(
            &mut s,
            &[moved(
                inst("many", Some("k")),
                Target::Resource(ResourceId::new(ResourceType::Service, "back")),
            )],
        )
        .unwrap();
        assert!(s.resources.contains_key(&addr("back", None)));
    }

    #[test]
    fn a_recorded_destination_is_an_error_and_a_stale_block_is_nothing() {
        let res = |n: &str| Target::Resource(ResourceId::new(ResourceType::Service, n));
        let mut s = state(&[addr("a", None), addr("b", None)]);
        let e = apply_moves(&mut s, &[moved(res("a"), res("b"))]).unwrap_err();
        assert!(e.contains("`vpcep_service.b` is already recorded"), "{e}");
        let mut s = state(&[addr("b", None)]);
        assert!(
            apply_moves(&mut s, &[moved(res("a"), res("b"))])
                .unwrap()
                .is_empty()
        );
    }
}

#[cfg(test)]
mod address_forms {
    use super::Target;

    /// `testdata/addresses/cases.txt`: each form, what it names, and how it is written back.
    #[test]
    fn every_address_form_reads_and_writes_back() {
        let cases = include_str!("../../testdata/addresses/cases.txt");
        let mut checked = 0;
        for line in cases.lines() {
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let (input, want) = line.split_once(" => ").expect("a case");
            let got = match input.parse::<Target>() {
                Ok(Target::Resource(id)) => format!("resource {id}"),
                Ok(Target::Instance(a)) => format!("instance {a}"),
                Ok(Target::Module(path)) => format!("module {path}"),
                Err(_) => "error".to_owned(),
            };
            assert_eq!(got, want, "{input}");
            checked += 1;
        }
        assert!(checked >= 15, "only {checked} cases");
    }
}
