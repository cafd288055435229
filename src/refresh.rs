//! Refresh: reads the cloud (list calls, not one GET per resource), updates recorded state to
//! match it, reports drift, reconciles creates an interrupted apply left pending, and gathers
//! the facts the planner's rules need (quotas, services this configuration does not manage).

use crate::cloud::convert::{
    approval_attrs, connections_value, endpoint_attrs, get_list, service_attrs,
};
use crate::cloud::{Cloud, CloudError, Endpoint, Quotas, Service};
use crate::model::{RecordedResource, RecordedState, ResourceType, Value};
use crate::plan::{CloudFacts, Drift, configured_names, normalize};
use std::collections::{HashMap, HashSet};

pub struct Refreshed {
    pub state: RecordedState,
    pub drift: Vec<Drift>,
    pub notes: Vec<String>,
    pub facts: CloudFacts,
}

/// What the planner needs from the cloud when refresh is skipped: just the quotas.
pub fn facts_only(cloud: &dyn Cloud) -> Result<CloudFacts, CloudError> {
    Ok(CloudFacts {
        quotas: Some(cloud.quotas()?),
        account_services: None,
    })
}

/// Configured attributes whose value in the cloud differs from the record (compared the way
/// the planner compares them: sets and maps in canonical order).
fn configured_differs(
    rtype: ResourceType,
    old: &RecordedResource,
    new: &indexmap::IndexMap<String, Value>,
) -> Vec<String> {
    configured_names(rtype)
        .filter(|name| {
            normalize(name, old.attr(name))
                != normalize(name, new.get(*name).unwrap_or(&Value::Null))
        })
        .map(str::to_owned)
        .collect()
}

pub fn refresh(cloud: &dyn Cloud, prior: &RecordedState) -> Result<Refreshed, CloudError> {
    let services = cloud.list_services()?;
    let needs_endpoints = prior
        .resources
        .keys()
        .any(|a| a.rtype() == ResourceType::Endpoint)
        || prior
            .pending
            .iter()
            .any(|p| p.address.rtype() == ResourceType::Endpoint);
    let endpoints = if needs_endpoints {
        cloud.list_endpoints()?
    } else {
        Vec::new()
    };
    let quotas: Quotas = cloud.quotas()?;
    let by_id: HashMap<&str, &Service> = services.iter().map(|s| (s.id.as_str(), s)).collect();
    let endpoints_by_id: HashMap<&str, &Endpoint> =
        endpoints.iter().map(|e| (e.id.as_str(), e)).collect();

    // Connections are listed only where they matter: services with blocking connections and
    // services whose approvals are managed here.
    let approval_services: HashSet<String> = prior
        .resources
        .values()
        .filter(|r| r.address.rtype() == ResourceType::Approval)
        .filter_map(|r| r.attr("service_id").as_str().map(str::to_owned))
        .collect();
    let managed_ids: HashSet<&str> = prior.resources.values().map(|r| r.id.as_str()).collect();
    let mut connections: HashMap<String, Vec<crate::cloud::Connection>> = HashMap::new();
    for s in &services {
        let managed = managed_ids.contains(s.id.as_str());
        if (managed && s.connection_count > 0) || approval_services.contains(&s.id) {
            connections.insert(s.id.clone(), cloud.list_connections(&s.id)?);
        }
    }

    let mut state = prior.clone();
    let mut drift = Vec::new();
    let mut notes = Vec::new();
    for (address, old) in &prior.resources {
        let new_attrs = match address.rtype() {
            ResourceType::Service => by_id.get(old.id.as_str()).map(|s| {
                let mut attrs = service_attrs(s);
                if let Some(c) = connections.get(&s.id) {
                    attrs.insert("connections".into(), connections_value(c));
                }
                attrs
            }),
            ResourceType::Endpoint => endpoints_by_id
                .get(old.id.as_str())
                .map(|e| endpoint_attrs(e)),
            ResourceType::Approval => {
                let service_id = old.attr("service_id").as_str().unwrap_or_default();
                by_id.get(service_id).map(|_| {
                    let listed = get_list(&old.attrs, "endpoints").unwrap_or_default();
                    approval_attrs(
                        service_id,
                        &listed,
                        connections.get(service_id).map_or(&[][..], Vec::as_slice),
                    )
                })
            }
        };
        match new_attrs {
            None => {
                state.resources.shift_remove(address);
                drift.push(Drift::Deleted {
                    address: address.clone(),
                    before: old.attrs.clone(),
                });
            }
            Some(attrs) => {
                let changed = configured_differs(address.rtype(), old, &attrs);
                if !changed.is_empty() {
                    drift.push(Drift::Changed {
                        address: address.clone(),
                        before: old.attrs.clone(),
                        after: attrs.clone(),
                        attrs: changed,
                    });
                }
                if let Some(r) = state.resources.get_mut(address) {
                    r.attrs = attrs;
                }
            }
        }
    }

    // Creates an interrupted apply left pending: found in the cloud, or never happened.
    let known_ids: HashSet<String> = state.resources.values().map(|r| r.id.clone()).collect();
    for pending in std::mem::take(&mut state.pending) {
        let identity = |name: &str| {
            pending
                .identity
                .get(name)
                .and_then(Value::as_str)
                .map(str::to_owned)
        };
        let found = match pending.address.rtype() {
            ResourceType::Service => services
                .iter()
                .find(|s| {
                    Some(&s.port_id) == identity("port_id").as_ref() && !known_ids.contains(&s.id)
                })
                .map(|s| (s.id.clone(), service_attrs(s))),
            ResourceType::Endpoint => endpoints
                .iter()
                .find(|e| {
                    Some(&e.service_id) == identity("service_id").as_ref()
                        && Some(&e.vpc_id) == identity("vpc_id").as_ref()
                        && e.subnet_id == identity("subnet_id")
                        && !known_ids.contains(&e.id)
                })
                .map(|e| (e.id.clone(), endpoint_attrs(e))),
            ResourceType::Approval => None,
        };
        match found {
            Some((id, attrs)) => {
                notes.push(format!(
                    "`{}` was created by an interrupted apply (id {id}); it is now recorded",
                    pending.address
                ));
                state.resources.insert(
                    pending.address.clone(),
                    RecordedResource { address: pending.address.clone(), id, attrs, depends_on: Vec::new() },
                );
            }
            None if pending.address.rtype() == ResourceType::Approval => {}
            None => notes.push(format!(
                "the create of `{}` that an interrupted apply started did not happen; it is planned again",
                pending.address
            )),
        }
    }
    state.sort();
    Ok(Refreshed {
        state,
        drift,
        notes,
        facts: CloudFacts {
            quotas: Some(quotas),
            account_services: Some(services),
        },
    })
}
