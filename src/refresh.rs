//! Refresh: reads the cloud (list calls, not one GET per resource), updates recorded state to
//! match it, reports drift, reconciles creates an interrupted apply left pending, and gathers
//! the facts the planner's rules need (quotas, services this configuration does not manage).

use crate::cloud::convert::{
    approval_attrs, connection_fact, connections_value, endpoint_attrs, get_list, service_attrs,
    service_fact,
};
use crate::cloud::{Cloud, CloudError, Endpoint, Providers, Quotas, Service};
use crate::model::schema;
use crate::model::schema::same;
use crate::model::{RecordedResource, RecordedState, ResourceType, Value};
use crate::plan::{CloudFacts, Drift, configured_names};
use std::collections::{HashMap, HashSet};

pub struct Refreshed {
    pub state: RecordedState,
    pub drift: Vec<Drift>,
    pub notes: Vec<String>,
    pub facts: CloudFacts,
    /// Connections to the managed services that wait for a decision or changed outside
    /// vpcep (`decided_by` is the planner's to fill).
    pub requests: Vec<crate::plan::ConnectionRequest>,
}

/// The part of `state` one provider manages (`None`: the default provider): its resources,
/// its pending creates, and (for the default provider) the outputs.
pub fn part_of(state: &RecordedState, provider: Option<&str>) -> RecordedState {
    RecordedState {
        lineage: state.lineage.clone(),
        serial: state.serial,
        resources: state
            .resources
            .iter()
            .filter(|(_, r)| r.provider.as_deref() == provider)
            .map(|(a, r)| (a.clone(), r.clone()))
            .collect(),
        outputs: if provider.is_none() {
            state.outputs.clone()
        } else {
            indexmap::IndexMap::new()
        },
        pending: state
            .pending
            .iter()
            .filter(|p| p.provider.as_deref() == provider)
            .cloned()
            .collect(),
    }
}

/// [`refresh`] with every provider: each reads the resources it manages from its own
/// account; the states are joined, and each account's facts kept apart (the connections and
/// foreign services of all are shared).
pub fn refresh_all(
    clouds: &dyn Providers,
    prior: &RecordedState,
) -> Result<Refreshed, RefreshError> {
    let providers = clouds.each();
    if providers.len() == 1 {
        return refresh(providers[0].1, prior);
    }
    let mut joined: Option<Refreshed> = None;
    for (key, cloud) in providers {
        let part = refresh(cloud, &part_of(prior, key))?;
        match (&mut joined, key) {
            (None, _) => joined = Some(part),
            (Some(all), Some(key)) => {
                all.state.resources.extend(part.state.resources);
                all.state.pending.extend(part.state.pending);
                all.drift.extend(part.drift);
                all.notes.extend(part.notes);
                all.requests.extend(part.requests);
                let mut facts = part.facts;
                all.facts
                    .connections
                    .extend(std::mem::take(&mut facts.connections));
                all.facts.providers.insert(key.to_owned(), facts);
            }
            (Some(_), None) => unreachable!("the default provider comes first"),
        }
    }
    let mut all = joined.expect("one provider at least");
    all.state.sort();
    Ok(all)
}

/// What a refresh could not find of one provider's recorded objects, when that is the
/// signature of a wrong account, project or credentials rather than of deletions: every
/// recorded object of the provider at once, or more than half of them when it records four
/// or more.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vanished {
    /// `None`: the default provider; else `TYPE.ALIAS`.
    pub provider: Option<String>,
    /// The cloud, account or project it asked (its description).
    pub asked: String,
    pub missing: Vec<crate::model::Address>,
    pub recorded: usize,
}

impl std::fmt::Display for Vanished {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let shown: Vec<String> = self
            .missing
            .iter()
            .take(5)
            .map(|a| format!("`{a}`"))
            .collect();
        let more = self.missing.len().saturating_sub(shown.len());
        write!(
            f,
            "{} could not find {} of the {} objects it records in {} ({}{})",
            self.provider.as_deref().map_or_else(
                || "the default provider".to_owned(),
                |p| format!("provider `{p}`")
            ),
            self.missing.len(),
            self.recorded,
            self.asked,
            shown.join(", "),
            if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            }
        )
    }
}

/// The refresh guard: for each provider, whether `drift` (of a refresh of `prior`) would
/// remove so much of what it records that a wrong account is the likelier cause.
pub fn vanished(prior: &RecordedState, drift: &[Drift], clouds: &dyn Providers) -> Vec<Vanished> {
    let mut out = Vec::new();
    for (key, cloud) in clouds.each() {
        let recorded = prior
            .resources
            .values()
            .filter(|r| r.provider.as_deref() == key)
            .count();
        let missing: Vec<crate::model::Address> = drift
            .iter()
            .filter_map(|d| match d {
                Drift::Deleted { address, .. } => Some(address),
                Drift::Changed { .. } => None,
            })
            .filter(|a| {
                prior
                    .resources
                    .get(*a)
                    .is_some_and(|r| r.provider.as_deref() == key)
            })
            .cloned()
            .collect();
        let suspicious = !missing.is_empty()
            && (missing.len() == recorded || (recorded >= 4 && 2 * missing.len() > recorded));
        if suspicious {
            let described = cloud.describe();
            let asked = match cloud.account() {
                Some(account) if !described.contains(&account) => {
                    format!("{described} as account {account}")
                }
                _ => described,
            };
            out.push(Vanished {
                provider: key.map(str::to_owned),
                asked,
                missing,
                recorded,
            });
        }
    }
    out
}

/// [`facts_only`] with every provider.
pub fn facts_all(clouds: &dyn Providers) -> Result<CloudFacts, CloudError> {
    let mut facts: Option<CloudFacts> = None;
    for (key, cloud) in clouds.each() {
        let own = facts_only(cloud)?;
        match (&mut facts, key) {
            (Some(all), Some(key)) => {
                all.providers.insert(key.to_owned(), own);
            }
            _ => facts = Some(own),
        }
    }
    Ok(facts.expect("one provider at least"))
}

/// [`reconcile_only`] with every provider: each looks for its own pending creates.
pub fn reconcile_all(
    clouds: &dyn Providers,
    state: &mut RecordedState,
) -> Result<Vec<String>, RefreshError> {
    let providers = clouds.each();
    if providers.len() == 1 {
        return reconcile_only(providers[0].1, state);
    }
    let mut notes = Vec::new();
    for (key, cloud) in providers {
        let mut part = part_of(state, key);
        if part.pending.is_empty() {
            continue;
        }
        notes.extend(reconcile_only(cloud, &mut part)?);
        state.pending.retain(|p| p.provider.as_deref() != key);
        state.pending.extend(part.pending);
        state.resources.extend(part.resources);
    }
    state.sort();
    Ok(notes)
}

/// What the planner needs from the cloud when refresh is skipped: just the quotas.
pub fn facts_only(cloud: &dyn Cloud) -> Result<CloudFacts, CloudError> {
    Ok(CloudFacts {
        quotas: Some(cloud.quotas()?),
        account_services: None,
        account: cloud.account(),
        foreign_services: indexmap::IndexMap::new(),
        connections: indexmap::IndexMap::new(),
        providers: indexmap::IndexMap::new(),
    })
}

/// Configured attributes whose value in the cloud differs from the record (compared the way
/// the planner compares them: sets and maps in canonical order).
fn configured_differs(
    rtype: ResourceType,
    old: &RecordedResource,
    new: &crate::model::Map,
) -> Vec<String> {
    configured_names(rtype)
        .filter(|name| !same(name, old.attr(name), new.get(name).unwrap_or(&Value::Null)))
        .map(str::to_owned)
        .collect()
}

/// A connection as recorded in state: `(endpoint ID, account, status, created at)`.
type Recorded = (String, String, String, String);

/// The connections a recorded `connections` attribute lists; `None` when it lists none
/// (they were not read when it was written).
fn recorded_connections(value: &Value) -> Option<Vec<Recorded>> {
    let items = value.as_list()?;
    Some(
        items
            .iter()
            .filter_map(|c| {
                let text = |k: &str| {
                    c.as_map()
                        .and_then(|m| m.get(k))
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_owned()
                };
                let id = text("endpoint_id");
                (!id.is_empty())
                    .then(|| (id, text("domain_id"), text("status"), text("created_at")))
            })
            .collect(),
    )
}

/// The connections of the managed services worth the owner's attention: every one that
/// waits for a decision, and every one that appeared, changed status or disappeared since
/// the state was written. What vpcep last knew of a service's connections is its approval's
/// record when it has one (written when the approval was applied), else the service's.
fn connection_requests(
    prior: &RecordedState,
    services: &HashMap<&str, &Service>,
    listed: &HashMap<String, Vec<crate::cloud::Connection>>,
) -> Vec<crate::plan::ConnectionRequest> {
    use crate::plan::{ConnectionChange, ConnectionRequest};
    let mut out = Vec::new();
    // Each service's approval record, found once (not per service over every record).
    let approvals: HashMap<&str, &crate::model::RecordedResource> = prior
        .resources
        .values()
        .filter(|r| r.address.rtype() == ResourceType::Approval)
        .filter_map(|r| Some((r.attr("service_id").as_str()?, r)))
        .collect();
    for (address, service) in &prior.resources {
        if address.rtype() != ResourceType::Service || !services.contains_key(service.id.as_str()) {
            continue;
        }
        let Some(now) = listed.get(&service.id) else {
            continue;
        };
        let known = approvals
            .get(service.id.as_str())
            .and_then(|a| recorded_connections(a.attr("connections")))
            .or_else(|| recorded_connections(service.attr("connections")));
        let request =
            |endpoint: &str, account: &str, status: &str, since: &str, change| ConnectionRequest {
                service: address.clone(),
                provider: service.provider.clone(),
                service_id: service.id.clone(),
                endpoint_id: endpoint.to_owned(),
                account: account.to_owned(),
                status: status.to_owned(),
                since: since.to_owned(),
                change,
                decided_by: None,
            };
        let mut found = Vec::new();
        for c in now {
            let before = known
                .as_ref()
                .map(|k| k.iter().find(|(id, ..)| *id == c.endpoint_id));
            let change = match before {
                Some(None) => Some(ConnectionChange::Appeared),
                Some(Some((_, _, status, _))) if *status != c.status => {
                    Some(ConnectionChange::Changed {
                        from: status.clone(),
                    })
                }
                _ => None,
            };
            if change.is_some() || c.status == "pendingAcceptance" {
                found.push(request(
                    &c.endpoint_id,
                    &c.domain_id,
                    &c.status,
                    &c.created_at,
                    change,
                ));
            }
        }
        for (id, account, status, since) in known.iter().flatten() {
            if !now.iter().any(|c| c.endpoint_id == *id) {
                found.push(request(
                    id,
                    account,
                    status,
                    since,
                    Some(ConnectionChange::Disappeared),
                ));
            }
        }
        found.sort_by(|a, b| a.endpoint_id.cmp(&b.endpoint_id));
        out.extend(found);
    }
    out
}

/// Why a refresh could not finish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefreshError {
    /// The cloud could not be read.
    Cloud(CloudError),
    /// Creates an interrupted apply left pending cannot be told apart from objects in the
    /// cloud; the message lists them and says how to resolve it.
    Ambiguous(String),
}

impl std::fmt::Display for RefreshError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RefreshError::Cloud(e) => e.fmt(f),
            RefreshError::Ambiguous(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for RefreshError {}

impl From<CloudError> for RefreshError {
    fn from(e: CloudError) -> Self {
        RefreshError::Cloud(e)
    }
}

/// Reconciles the creates an interrupted apply left pending, reading the cloud for them: what
/// `--refresh=false` still does, because nothing may be created while an earlier create of the
/// same resource may exist. Returns notes for the user; `state.pending` is empty afterwards.
pub fn reconcile_only(
    cloud: &dyn Cloud,
    state: &mut RecordedState,
) -> Result<Vec<String>, RefreshError> {
    if state.pending.is_empty() {
        return Ok(Vec::new());
    }
    let services = cloud.list_services()?;
    let endpoints = if state
        .pending
        .iter()
        .any(|p| p.address.rtype() == ResourceType::Endpoint)
    {
        cloud.list_endpoints()?
    } else {
        Vec::new()
    };
    let notes = reconcile_pending(state, &services, &endpoints)?;
    state.sort();
    Ok(notes)
}

/// Finds in the cloud what each pending create made. A pending create adopts an object only
/// when exactly one object unknown to state matches its whole identity and no other pending
/// create matches that object; none with its core identity means the create never happened.
/// Anything else — look-alikes that differ, or several creates that could be one object — is
/// refused, never guessed: adopting the wrong object or creating a second one would both leave
/// an untracked resource behind.
fn reconcile_pending(
    state: &mut RecordedState,
    services: &[Service],
    endpoints: &[Endpoint],
) -> Result<Vec<String>, RefreshError> {
    let pending = std::mem::take(&mut state.pending);
    if pending.is_empty() {
        return Ok(Vec::new());
    }
    let known: HashSet<&str> = state.resources.values().map(|r| r.id.as_str()).collect();
    let candidates: Vec<(ResourceType, String, crate::model::Map)> = services
        .iter()
        .filter(|s| !known.contains(s.id.as_str()))
        .map(|s| (ResourceType::Service, s.id.clone(), service_attrs(s)))
        .chain(
            endpoints
                .iter()
                .filter(|e| !known.contains(e.id.as_str()))
                .map(|e| (ResourceType::Endpoint, e.id.clone(), endpoint_attrs(e))),
        )
        .collect();
    // For each pending create: the candidates sharing its core identity, and those matching it
    // whole.
    let mut matches: Vec<(Vec<usize>, Vec<usize>)> = Vec::with_capacity(pending.len());
    for p in &pending {
        let rtype = p.address.rtype();
        let mut core_matches = Vec::new();
        let mut full_matches = Vec::new();
        if rtype != ResourceType::Approval {
            for (i, (t, _, attrs)) in candidates.iter().enumerate() {
                if *t != rtype {
                    continue;
                }
                match schema::identity_match(rtype, &p.identity, attrs) {
                    schema::IdentityMatch::No => {}
                    schema::IdentityMatch::Core => core_matches.push(i),
                    schema::IdentityMatch::Full => {
                        core_matches.push(i);
                        full_matches.push(i);
                    }
                }
            }
        }
        matches.push((core_matches, full_matches));
    }
    let mut notes = Vec::new();
    let mut problems = Vec::new();
    let mut adopted: Vec<(usize, usize)> = Vec::new();
    for (k, p) in pending.iter().enumerate() {
        let (core_matches, full_matches) = &matches[k];
        let contested = |i: usize| {
            matches
                .iter()
                .enumerate()
                .any(|(j, (_, full))| j != k && full.contains(&i))
        };
        match full_matches.as_slice() {
            [i] if !contested(*i) => adopted.push((k, *i)),
            _ if core_matches.is_empty() => {
                if p.address.rtype() != ResourceType::Approval {
                    notes.push(format!(
                        "the create of `{}` that an interrupted apply started did not happen; it is planned again",
                        p.address
                    ));
                }
            }
            _ => {
                let ids: Vec<String> = core_matches
                    .iter()
                    .map(|i| {
                        let (_, id, attrs) = &candidates[*i];
                        let differs =
                            schema::identity_differences(p.address.rtype(), &p.identity, attrs);
                        if differs.is_empty() {
                            id.clone()
                        } else {
                            format!("{id} (its {} differ)", differs.join(", "))
                        }
                    })
                    .collect();
                problems.push(format!("`{}`: {}", p.address, ids.join(", ")));
            }
        }
    }
    if !problems.is_empty() {
        state.pending = pending;
        return Err(RefreshError::Ambiguous(format!(
            "an interrupted apply started creates whose results cannot be told apart from these objects in the cloud, which nothing here records:\n  {}\n  adopt the right object with `vpcep import ADDRESS ID`; if none of them is it, delete the look-alikes or forget the create with `vpcep state rm ADDRESS`, then plan again",
            problems.join("\n  ")
        )));
    }
    for (k, i) in adopted {
        let p = &pending[k];
        let (_, id, attrs) = candidates[i].clone();
        notes.push(format!(
            "`{}` was created by an interrupted apply (id {id}); it is now recorded",
            p.address
        ));
        state.resources.insert(
            p.address.clone(),
            RecordedResource {
                address: p.address.clone(),
                id,
                attrs,
                depends_on: Vec::new(),
                sensitive: Vec::new(),
                provider: p.provider.clone(),
            },
        );
    }
    Ok(notes)
}

/// What the list calls did not show of what the state records, read one by one: an
/// incomplete list must never make vpcep create something again.
fn read_unlisted(
    cloud: &dyn Cloud,
    prior: &RecordedState,
    services: &[Service],
    endpoints: &[Endpoint],
) -> Result<(Vec<Service>, Vec<Endpoint>), CloudError> {
    let listed_services: HashSet<&str> = services.iter().map(|s| s.id.as_str()).collect();
    let listed_endpoints: HashSet<&str> = endpoints.iter().map(|e| e.id.as_str()).collect();
    let mut unlisted_services = Vec::new();
    let mut unlisted_endpoints = Vec::new();
    let mut asked: HashSet<&str> = HashSet::new();
    for r in prior.resources.values() {
        let service_id = match r.address.rtype() {
            ResourceType::Service => Some(r.id.as_str()),
            ResourceType::Approval => r.attr("service_id").as_str(),
            ResourceType::Endpoint => {
                if !listed_endpoints.contains(r.id.as_str())
                    && let Some(e) = cloud.get_endpoint(&r.id)?
                {
                    unlisted_endpoints.push(e);
                }
                None
            }
        };
        if let Some(id) = service_id
            && !listed_services.contains(id)
            && asked.insert(id)
            && let Some(s) = cloud.get_service(id)?
        {
            unlisted_services.push(s);
        }
    }
    Ok((unlisted_services, unlisted_endpoints))
}

/// Connections, listed only where they matter: services with blocking connections and
/// services whose approvals are managed here. An answer without `connection_count` says
/// nothing: its connections are read. A service with approval may have requests waiting,
/// which the count leaves out.
fn read_connections<'a>(
    cloud: &dyn Cloud,
    prior: &RecordedState,
    services: impl Iterator<Item = &'a Service>,
) -> Result<HashMap<String, Vec<crate::cloud::Connection>>, CloudError> {
    let approval_services: HashSet<&str> = prior
        .resources
        .values()
        .filter(|r| r.address.rtype() == ResourceType::Approval)
        .filter_map(|r| r.attr("service_id").as_str())
        .collect();
    let managed_ids: HashSet<&str> = prior.resources.values().map(|r| r.id.as_str()).collect();
    let mut connections = HashMap::new();
    for s in services {
        let managed = managed_ids.contains(s.id.as_str());
        if (managed && (s.connection_count != Some(0) || s.approval_enabled))
            || approval_services.contains(s.id.as_str())
        {
            connections.insert(s.id.clone(), cloud.list_connections(&s.id)?);
        }
    }
    Ok(connections)
}

/// What the cloud read, by ID.
struct Read<'a> {
    services: HashMap<&'a str, &'a Service>,
    endpoints: HashMap<&'a str, &'a Endpoint>,
    connections: &'a HashMap<String, Vec<crate::cloud::Connection>>,
}

impl Read<'_> {
    /// The attributes of the recorded `old` as the cloud reports them now; `None` when the
    /// cloud no longer has it.
    fn attrs_of(&self, old: &RecordedResource) -> Option<crate::model::Map> {
        match old.address.rtype() {
            ResourceType::Service => self.services.get(old.id.as_str()).map(|s| {
                let mut attrs = service_attrs(s);
                if let Some(c) = self.connections.get(&s.id) {
                    attrs.insert("connections", connections_value(c));
                }
                attrs
            }),
            ResourceType::Endpoint => self
                .endpoints
                .get(old.id.as_str())
                .map(|e| endpoint_attrs(e)),
            ResourceType::Approval => {
                let service_id = old.attr("service_id").as_str().unwrap_or_default();
                self.services.get(service_id).map(|_| {
                    let listed = get_list(&old.attrs, "endpoints").unwrap_or_default();
                    let accounts = get_list(&old.attrs, "accounts").unwrap_or_default();
                    approval_attrs(
                        service_id,
                        &listed,
                        &accounts,
                        self.connections
                            .get(service_id)
                            .map_or(&[][..], Vec::as_slice),
                    )
                })
            }
        }
    }

    /// The refreshed state, built anew from the prior one with each resource's attributes
    /// from the cloud (the prior attributes are never copied only to be replaced), and what
    /// changed outside vpcep.
    fn rebuild(&self, prior: &RecordedState) -> (RecordedState, Vec<Drift>) {
        let mut state = RecordedState {
            lineage: prior.lineage.clone(),
            serial: prior.serial,
            resources: indexmap::IndexMap::with_capacity(prior.resources.len()),
            outputs: prior.outputs.clone(),
            pending: prior.pending.clone(),
        };
        let mut drift = Vec::new();
        for (address, old) in &prior.resources {
            let Some(attrs) = self.attrs_of(old) else {
                drift.push(Drift::Deleted {
                    address: address.clone(),
                    before: old.attrs.clone(),
                });
                continue;
            };
            let changed = configured_differs(address.rtype(), old, &attrs);
            if !changed.is_empty() {
                drift.push(Drift::Changed {
                    address: address.clone(),
                    before: old.attrs.clone(),
                    after: attrs.clone(),
                    attrs: changed,
                    sensitive: old.sensitive.clone(),
                });
            }
            state.resources.insert(
                address.clone(),
                RecordedResource {
                    address: old.address.clone(),
                    id: old.id.clone(),
                    attrs,
                    depends_on: old.depends_on.clone(),
                    sensitive: old.sensitive.clone(),
                    provider: old.provider.clone(),
                },
            );
        }
        (state, drift)
    }
}

pub fn refresh(cloud: &dyn Cloud, prior: &RecordedState) -> Result<Refreshed, RefreshError> {
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
    let (unlisted_services, unlisted_endpoints) =
        read_unlisted(cloud, prior, &services, &endpoints)?;
    let connections = read_connections(cloud, prior, services.iter().chain(&unlisted_services))?;
    let read = Read {
        services: services
            .iter()
            .chain(&unlisted_services)
            .map(|s| (s.id.as_str(), s))
            .collect(),
        endpoints: endpoints
            .iter()
            .chain(&unlisted_endpoints)
            .map(|e| (e.id.as_str(), e))
            .collect(),
        connections: &connections,
    };
    let (mut state, drift) = read.rebuild(prior);
    let notes = reconcile_pending(&mut state, &services, &endpoints)?;
    state.sort();
    let requests = connection_requests(prior, &read.services, &connections);
    drop(read);
    let mut facts_connections: indexmap::IndexMap<_, _> = connections
        .into_iter()
        .map(|(id, list)| (id, list.iter().map(connection_fact).collect()))
        .collect();
    facts_connections.sort_keys();
    Ok(Refreshed {
        state,
        drift,
        notes,
        requests,
        facts: CloudFacts {
            quotas: Some(quotas),
            account: cloud.account().or_else(|| {
                services
                    .iter()
                    .map(|s| s.domain_id.clone())
                    .find(|d| !d.is_empty())
            }),
            account_services: Some(services.iter().map(service_fact).collect()),
            foreign_services: indexmap::IndexMap::new(),
            providers: indexmap::IndexMap::new(),
            connections: facts_connections,
        },
    })
}
