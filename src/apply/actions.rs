//! The cloud calls of each action, including waiting for asynchronous statuses.

use crate::cloud::convert::{
    approval_attrs, endpoint_attrs, endpoint_spec, get_list, get_map, service_attrs, service_id_of,
    service_spec,
};
use crate::cloud::{Cloud, CloudError, ConnectionAction, Service, ServiceUpdate};
use crate::model::{Address, RecordedResource, ResourceType, StateChange, Value};
use crate::plan::{Action, Attrs, ResourceChange};
use std::time::{Duration, Instant};

/// Why a step failed: the sentence a person reads and, when the cloud refused, the API's error
/// code (`EndPoint.3006`), which the `apply_errored` event carries as `error_code`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct StepError {
    pub message: String,
    pub code: Option<String>,
}

impl StepError {
    /// The same failure, said with more around it (`f` gets the message).
    #[must_use]
    fn context(self, f: impl FnOnce(&str) -> String) -> Self {
        StepError {
            message: f(&self.message),
            code: self.code,
        }
    }
}

impl From<String> for StepError {
    fn from(message: String) -> Self {
        StepError {
            message,
            code: None,
        }
    }
}

impl From<&CloudError> for StepError {
    fn from(e: &CloudError) -> Self {
        StepError {
            message: e.to_string(),
            code: (!e.code.is_empty()).then(|| e.code.clone()),
        }
    }
}

impl std::fmt::Display for StepError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// What an action did: the state changes to record (even when it then failed, e.g. a
/// service that exists but did not become available in time) and its error, if any.
pub(super) struct Outcome {
    pub changes: Vec<StateChange>,
    pub error: Option<StepError>,
    pub id: Option<String>,
}

impl Outcome {
    fn ok(change: StateChange, id: Option<String>) -> Self {
        Outcome {
            changes: vec![change],
            error: None,
            id,
        }
    }

    fn failed(error: impl Into<StepError>) -> Self {
        Outcome {
            changes: Vec::new(),
            error: Some(error.into()),
            id: None,
        }
    }
}

/// Reports progress while waiting ("still creating").
pub(super) type Tick<'a> = &'a dyn Fn(Duration);

fn cloud_err(e: &CloudError) -> StepError {
    StepError::from(e)
}

/// What a poll found: done, not yet, or a failure. A transient failure (the cloud could not be
/// read for a moment) does not end the wait; it is kept to explain a timeout.
enum Poll<T> {
    Done(T),
    NotYet,
    Transient(String),
}

/// Polls `probe` until it says done, the timeout passes, or it fails.
fn wait_for<T>(
    cloud: &dyn Cloud,
    timeout: Duration,
    started: Instant,
    tick: Tick<'_>,
    mut probe: impl FnMut() -> Result<Poll<T>, StepError>,
) -> Result<T, StepError> {
    let mut last_tick = Instant::now();
    let mut last_problem;
    loop {
        match probe()? {
            Poll::Done(done) => return Ok(done),
            Poll::NotYet => last_problem = None,
            Poll::Transient(why) => last_problem = Some(why),
        }
        if started.elapsed() >= timeout {
            let why = last_problem
                .map(|p| format!(" (the last poll failed: {p})"))
                .unwrap_or_default();
            return Err(format!(
                "timed out after {}{why}",
                humantime::format_duration(round(timeout))
            )
            .into());
        }
        if last_tick.elapsed() >= Duration::from_secs(10) {
            tick(started.elapsed());
            last_tick = Instant::now();
        }
        std::thread::sleep(cloud.poll_interval());
    }
}

/// A poll's cloud error: transient ones keep the wait going.
fn poll_error<T>(e: &CloudError) -> Result<Poll<T>, StepError> {
    if e.is_transient() {
        Ok(Poll::Transient(e.to_string()))
    } else {
        Err(StepError::from(e))
    }
}

/// What every step of one apply shares to recover creates whose answers were lost: the IDs
/// of objects that already belong to an address (never adopted again), and the identities of
/// the creates started in this run.
#[derive(Default)]
pub(super) struct Claims {
    inner: std::sync::Mutex<ClaimsInner>,
}

#[derive(Default)]
struct ClaimsInner {
    ids: std::collections::HashSet<String>,
    started: Vec<(Address, Attrs)>,
}

impl Claims {
    pub(super) fn new(ids: impl IntoIterator<Item = String>) -> Self {
        Claims {
            inner: std::sync::Mutex::new(ClaimsInner {
                ids: ids.into_iter().collect(),
                started: Vec::new(),
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, ClaimsInner> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn started(&self, address: &Address, identity: &Attrs) {
        self.lock()
            .started
            .push((address.clone(), identity.clone()));
    }

    fn claim(&self, id: &str) {
        self.lock().ids.insert(id.to_owned());
    }
}

/// How often a create whose answer was lost is looked for, and sent again when it is
/// certainly not there.
const RECOVERY_ATTEMPTS: u32 = 3;

/// Finds the object a create with a lost answer made. `Ok(Some)`: exactly one object that
/// nothing claims matches the create's whole identity (it is claimed now). `Ok(None)`: there
/// is not even a look-alike, so the create did not happen. An error when it cannot be told:
/// the step fails, its intent stays recorded, and the next plan reconciles it with everything
/// the state knows.
fn find_lost<T>(
    change: &ResourceChange,
    identity: &Attrs,
    claims: &Claims,
    candidates: Vec<(String, Attrs, T)>,
) -> Result<Option<T>, StepError> {
    let rtype = change.address.rtype();
    let claims_now = claims.lock();
    let sibling = claims_now.started.iter().any(|(a, other)| {
        a != &change.address
            && a.rtype() == rtype
            && crate::model::schema::identity_match(rtype, identity, other)
                == crate::model::schema::IdentityMatch::Full
    });
    let mut full = Vec::new();
    let mut look_alikes = 0;
    for (id, attrs, object) in candidates {
        if claims_now.ids.contains(&id) {
            continue;
        }
        match crate::model::schema::identity_match(rtype, identity, &attrs) {
            crate::model::schema::IdentityMatch::No => {}
            crate::model::schema::IdentityMatch::Core => look_alikes += 1,
            crate::model::schema::IdentityMatch::Full => full.push((id, object)),
        }
    }
    drop(claims_now);
    let unsure = "its answer was lost and what it made cannot be told apart from other objects; it is recorded as started, and the next `vpcep plan` finds it";
    match (full.len(), look_alikes, sibling) {
        (0, 0, _) => Ok(None),
        (1, _, false) => {
            let (id, object) = full.pop().expect("one element");
            claims.claim(&id);
            Ok(Some(object))
        }
        _ => Err(unsure.to_owned().into()),
    }
}

/// Sends a create, looking for what it made when its answer is lost, and sending it again
/// only when it certainly did not happen.
fn create_once_or_find<T>(
    cloud: &dyn Cloud,
    change: &ResourceChange,
    claims: &Claims,
    send: impl Fn() -> Result<T, CloudError>,
    list: impl Fn() -> Result<Vec<(String, Attrs, T)>, CloudError>,
    id_of: impl Fn(&T) -> String,
) -> Result<T, StepError> {
    let identity = identity(change);
    claims.started(&change.address, &identity);
    for attempt in 0..RECOVERY_ATTEMPTS {
        match send() {
            Ok(created) => {
                claims.claim(&id_of(&created));
                return Ok(created);
            }
            Err(e) if e.outcome_unknown() => {
                // Give the cloud a moment to show what it made, then look.
                std::thread::sleep(cloud.poll_interval() * (attempt + 1));
                let candidates = list().map_err(|e| {
                    format!("{e}; the create's answer was lost and the cloud could not be read to find what it made; the next `vpcep plan` finds it")
                })?;
                if let Some(found) = find_lost(change, &identity, claims, candidates)? {
                    return Ok(found);
                }
            }
            Err(e) => return Err(cloud_err(&e)),
        }
    }
    Err(format!(
        "the create's answer was lost {RECOVERY_ATTEMPTS} times; the next `vpcep plan` finds what it made"
    )
    .into())
}

fn round(d: Duration) -> Duration {
    Duration::from_secs(d.as_secs())
}

fn record(change: &ResourceChange, id: &str, attrs: Attrs) -> StateChange {
    StateChange::Set(RecordedResource {
        address: change.address.clone(),
        id: id.to_owned(),
        attrs,
        depends_on: change.depends_on.clone(),
        sensitive: change.after_sensitive.clone(),
        provider: change.provider.clone(),
    })
}

/// Identity attributes recorded with the intent to create, to find the resource after a crash.
pub(super) fn identity(change: &ResourceChange) -> Attrs {
    let none = Attrs::new();
    let after = change.after.as_ref().unwrap_or(&none);
    crate::model::schema::create_identity(change.address.rtype(), after)
}

pub(super) fn create(
    cloud: &dyn Cloud,
    change: &ResourceChange,
    claims: &Claims,
    tick: Tick<'_>,
) -> Outcome {
    let started = Instant::now();
    let after = change.after.clone().unwrap_or_default();
    let timeout = change.timeouts.create;
    match change.address.rtype() {
        ResourceType::Service => create_service(cloud, change, claims, tick, started, &after),
        ResourceType::Endpoint => create_endpoint(cloud, change, claims, tick, started, &after),
        ResourceType::Approval => approve(cloud, change, &Attrs::new(), &after, timeout, tick),
    }
}

/// Creates a service (once, or finds the one an earlier attempt made), waits until it is
/// available, then writes its whitelist; a service that exists but failed is recorded all
/// the same.
fn create_service(
    cloud: &dyn Cloud,
    change: &ResourceChange,
    claims: &Claims,
    tick: Tick<'_>,
    started: Instant,
    after: &Attrs,
) -> Outcome {
    let timeout = change.timeouts.create;
    let spec = match service_spec(after) {
        Ok(s) => s,
        Err(e) => return Outcome::failed(e),
    };
    let created = match create_once_or_find(
        cloud,
        change,
        claims,
        || cloud.create_service(&spec),
        || {
            Ok(cloud
                .list_services()?
                .into_iter()
                .map(|s| (s.id.clone(), service_attrs(&s), s))
                .collect())
        },
        |s| s.id.clone(),
    ) {
        Ok(s) => s,
        Err(e) => return Outcome::failed(e),
    };
    let id = created.id.clone();
    // Polled for its status only: its whitelist is what the create wrote. An answer
    // that says `available` already is not read back (one request fewer per service).
    let waited = if created.status == "available" {
        Ok(created.clone())
    } else {
        wait_for(cloud, timeout, started, tick, || {
            match cloud.poll_service(&id) {
                Ok(Some(s)) if s.status == "available" => Ok(Poll::Done(Service {
                    whitelist: created.whitelist.clone(),
                    ..s
                })),
                Ok(Some(s)) if s.status == "failed" => {
                    let (code, msg) = s
                        .error
                        .clone()
                        .unwrap_or_else(|| ("unknown".into(), "no error given".into()));
                    Err(StepError {
                        message: format!("the service failed to create: {code}: {msg}"),
                        code: Some(code),
                    })
                }
                Ok(_) => Ok(Poll::NotYet),
                Err(e) => poll_error(&e),
            }
        })
    };
    // The whitelist can be written once the service is available.
    let waited = waited.and_then(|mut s| {
        let missing: Vec<String> = spec
            .whitelist
            .iter()
            .filter(|w| !s.whitelist.contains(w))
            .cloned()
            .collect();
        if !missing.is_empty() {
            cloud
                .update_whitelist(&id, &missing, &[])
                .map_err(|e| format!("setting its whitelist: {}", cloud_err(&e)))?;
            s.whitelist.extend(missing);
            s.whitelist.sort();
        }
        Ok(s)
    });
    match waited {
        Ok(s) => Outcome::ok(record(change, &id, service_attrs(&s)), Some(id)),
        Err(e) => {
            // It exists: record it so nothing is lost, and report the failure.
            let mut attrs = service_attrs(&created);
            if let Ok(Some(s)) = cloud.get_service(&id) {
                attrs = service_attrs(&s);
            }
            let status = attrs
                .get("status")
                .map(ToString::to_string)
                .unwrap_or_default();
            Outcome {
                changes: vec![record(change, &id, attrs)],
                error: Some(e.context(|e| {
                    format!(
                        "{e} (status {status}); it is recorded, and the next plan shows what is left to do"
                    )
                })),
                id: Some(id),
            }
        }
    }
}

/// Creates an endpoint (once, or finds the one an earlier attempt made) and waits until it is
/// connected (accepted, waiting for acceptance, or rejected); one that exists is recorded
/// even when the wait fails.
fn create_endpoint(
    cloud: &dyn Cloud,
    change: &ResourceChange,
    claims: &Claims,
    tick: Tick<'_>,
    started: Instant,
    after: &Attrs,
) -> Outcome {
    let timeout = change.timeouts.create;
    let spec = match endpoint_spec(after) {
        Ok(s) => s,
        Err(e) => return Outcome::failed(e),
    };
    let created = match create_once_or_find(
        cloud,
        change,
        claims,
        || cloud.create_endpoint(&spec),
        || {
            Ok(cloud
                .list_endpoints()?
                .into_iter()
                .map(|e| (e.id.clone(), endpoint_attrs(&e), e))
                .collect())
        },
        |e| e.id.clone(),
    ) {
        Ok(e) => e,
        Err(e) => return Outcome::failed(e),
    };
    let id = created.id.clone();
    let waited = wait_for(cloud, timeout, started, tick, || {
        match cloud.get_endpoint(&id) {
            Ok(Some(e))
                if matches!(
                    e.status.as_str(),
                    "accepted" | "pendingAcceptance" | "rejected"
                ) =>
            {
                Ok(Poll::Done(e))
            }
            Ok(Some(e)) if e.status == "failed" => {
                Err(String::from("the endpoint failed to connect").into())
            }
            Ok(_) => Ok(Poll::NotYet),
            Err(e) => poll_error(&e),
        }
    });
    match waited {
        Ok(e) => Outcome::ok(record(change, &id, endpoint_attrs(&e)), Some(id)),
        Err(e) => Outcome {
            changes: vec![record(change, &id, endpoint_attrs(&created))],
            error: Some(
                e.context(|e| format!("{e} waiting for the endpoint to connect; it is recorded")),
            ),
            id: Some(id),
        },
    }
}

/// After an accept or reject whose error could not be read: the connection as the cloud shows
/// it decides. Already in the wanted state: done; still `creating` (the `EndPoint.2019` a
/// readable answer would name), or not settled: try again until the timeout; gone: an
/// accept fails, a reject is done.
fn read_back(
    cloud: &dyn Cloud,
    service_id: &str,
    action: ConnectionAction,
    endpoint: &str,
    error: &CloudError,
) -> Result<Poll<()>, StepError> {
    let connections = match cloud.list_connections(service_id) {
        Ok(c) => c,
        Err(e) => return poll_error(&e),
    };
    let status = connections
        .iter()
        .find(|c| c.endpoint_id == endpoint)
        .map(|c| c.status.as_str());
    match (action, status) {
        (ConnectionAction::Receive, Some("accepted"))
        | (ConnectionAction::Reject, Some("rejected") | None) => Ok(Poll::Done(())),
        (_, Some("creating")) => Ok(Poll::NotYet),
        (_, Some("pendingAcceptance")) => Ok(Poll::Transient(error.to_string())),
        (ConnectionAction::Receive, None) => Err(cloud_err(error).context(|e| {
            format!(
                "cannot accept the endpoint {endpoint}: it is not connected to the service {service_id} ({e})"
            )
        })),
        (_, Some(other)) => Err(cloud_err(error).context(|e| {
            format!(
                "cannot {} the endpoint {endpoint}: its connection is `{other}` ({e})",
                action.as_str()
            )
        })),
    }
}

/// Accepts what `after` lists and `before` did not; rejects what `before` listed and `after`
/// does not; waits until the connections show it.
fn approve(
    cloud: &dyn Cloud,
    change: &ResourceChange,
    before: &Attrs,
    after: &Attrs,
    timeout: Duration,
    tick: Tick<'_>,
) -> Outcome {
    let started = Instant::now();
    let service_id = match service_id_of(after) {
        Ok(s) => s,
        Err(e) => return Outcome::failed(e),
    };
    let (mut want, had) = match (get_list(after, "endpoints"), get_list(before, "endpoints")) {
        (Ok(w), Ok(h)) => (w, h),
        (Err(e), _) | (_, Err(e)) => return Outcome::failed(e),
    };
    // By account: every endpoint of those accounts, as the plan expanded them (apply fills
    // the list from the configuration, which does not expand it), with those this apply
    // just created (the plan waited for them) or that arrived since, as `accounts` says.
    let accounts = get_list(after, "accounts").unwrap_or_default();
    let now = match cloud.list_connections(&service_id) {
        Ok(connections) => connections,
        Err(e) => return Outcome::failed(cloud_err(&e)),
    };
    for c in &now {
        if accounts.contains(&c.domain_id)
            && matches!(
                c.status.as_str(),
                "pendingAcceptance" | "accepted" | "rejected"
            )
            && !want.contains(&c.endpoint_id)
        {
            want.push(c.endpoint_id.clone());
        }
    }
    // An endpoint accepted already (as every one is while the service's approval is off)
    // needs no call: the list records it.
    let accepted_now = |e: &String| {
        now.iter()
            .any(|c| c.endpoint_id == *e && c.status == "accepted")
    };
    let accept: Vec<&String> = want
        .iter()
        .filter(|e| !had.contains(e) && !accepted_now(e))
        .collect();
    let reject: Vec<&String> = had.iter().filter(|e| !want.contains(e)).collect();
    for (list, action) in [
        (&accept, ConnectionAction::Receive),
        (&reject, ConnectionAction::Reject),
    ] {
        for endpoint in list {
            // A just-created endpoint may still be `creating`; wait for it to settle.
            let done = wait_for(cloud, timeout, started, tick, || {
                match cloud.connection_action(&service_id, action, endpoint) {
                    Ok(()) => Ok(Poll::Done(())),
                    Err(e) if e.is("EndPoint.2019") => Ok(Poll::NotYet),
                    Err(e)
                        if action == ConnectionAction::Reject
                            && (e.is("EndPoint.2006")
                                || e.is("EndPoint.2013")
                                || e.is("EndPoint.0005")) =>
                    {
                        Ok(Poll::Done(()))
                    }
                    Err(e) if e.is_transient() => Ok(Poll::Transient(e.to_string())),
                    // A gateway that hides the error body (HTML, or nothing): what the cloud
                    // meant is read back from the connection, as a readable code would say.
                    Err(e) if e.is("HTTP") => read_back(cloud, &service_id, action, endpoint, &e),
                    Err(e) => Err(cloud_err(&e).context(|e| {
                        format!("cannot {} the endpoint {endpoint}: {e}", action.as_str())
                    })),
                }
            });
            if let Err(e) = done {
                return Outcome::failed(e);
            }
        }
    }
    // The cloud may take a while to settle an accept or a reject (the connection shows
    // `pendingAcceptance` or `creating` meanwhile): wait until each one has.
    let settled = wait_for(cloud, timeout, started, tick, || {
        let connections = match cloud.list_connections(&service_id) {
            Ok(c) => c,
            Err(e) => return poll_error(&e),
        };
        let status = |id: &str| {
            connections
                .iter()
                .find(|c| c.endpoint_id == id)
                .map(|c| c.status.as_str())
        };
        for endpoint in &accept {
            match status(endpoint) {
                Some("accepted") => {}
                Some("pendingAcceptance" | "creating") => return Ok(Poll::NotYet),
                Some(other) => {
                    return Err(format!(
                        "the endpoint {endpoint} was accepted, but the cloud reports it `{other}`"
                    )
                    .into());
                }
                None => {
                    return Err(format!(
                        "the endpoint {endpoint} was accepted, but is no longer connected to the service"
                    )
                    .into());
                }
            }
        }
        if reject
            .iter()
            .any(|e| matches!(status(e), Some("accepted" | "creating")))
        {
            return Ok(Poll::NotYet);
        }
        Ok(Poll::Done(connections))
    });
    match settled {
        Ok(connections) => Outcome::ok(
            record(
                change,
                &service_id,
                approval_attrs(
                    &service_id,
                    &want,
                    &get_list(after, "accounts").unwrap_or_default(),
                    &connections,
                ),
            ),
            Some(service_id),
        ),
        Err(e) => Outcome::failed(e),
    }
}

fn changed(change: &ResourceChange, name: &str) -> bool {
    change.changed.iter().any(|c| c == name)
}

fn opt_string(attrs: &Attrs, name: &str) -> Option<String> {
    attrs.get(name).and_then(Value::as_str).map(str::to_owned)
}

fn tag_delta(
    before: &Attrs,
    after: &Attrs,
) -> Result<(indexmap::IndexMap<String, String>, Vec<String>), String> {
    let old = get_map(before, "tags")?;
    let new = get_map(after, "tags")?;
    let set = new
        .iter()
        .filter(|(k, v)| old.get(*k) != Some(v))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let delete = old
        .keys()
        .filter(|k| !new.contains_key(*k))
        .cloned()
        .collect();
    Ok((set, delete))
}

pub(super) fn update(cloud: &dyn Cloud, change: &ResourceChange, tick: Tick<'_>) -> Outcome {
    let before = change.before.clone().unwrap_or_default();
    let after = change.after.clone().unwrap_or_default();
    let Some(id) = change.id.clone() else {
        return Outcome::failed(String::from("no recorded ID"));
    };
    let result: Result<StateChange, StepError> = (|| match change.address.rtype() {
        ResourceType::Service => {
            let mut put = ServiceUpdate::default();
            if changed(change, "name") {
                put.name = Some(opt_string(&after, "name"));
            }
            if changed(change, "port_id") {
                put.port_id = opt_string(&after, "port_id");
            }
            if changed(change, "approval_enabled") {
                put.approval_enabled = after.get("approval_enabled").and_then(Value::as_bool);
            }
            if changed(change, "description") {
                put.description = Some(opt_string(&after, "description"));
            }
            if changed(change, "tcp_proxy") {
                put.tcp_proxy = opt_string(&after, "tcp_proxy");
            }
            if !put.is_empty() {
                cloud.update_service(&id, &put).map_err(|e| cloud_err(&e))?;
            }
            if changed(change, "whitelist") {
                let old = get_list(&before, "whitelist")?;
                let new = get_list(&after, "whitelist")?;
                let add: Vec<String> = new.iter().filter(|w| !old.contains(w)).cloned().collect();
                let remove: Vec<String> =
                    old.iter().filter(|w| !new.contains(w)).cloned().collect();
                cloud
                    .update_whitelist(&id, &add, &remove)
                    .map_err(|e| cloud_err(&e))?;
            }
            if changed(change, "tags") {
                let (set, delete) = tag_delta(&before, &after)?;
                cloud
                    .update_service_tags(&id, &set, &delete)
                    .map_err(|e| cloud_err(&e))?;
            }
            let service = cloud
                .get_service(&id)
                .map_err(|e| cloud_err(&e))?
                .ok_or_else(|| format!("the service {id} disappeared during the update"))?;
            let mut attrs = service_attrs(&service);
            if let Some(c) = before.get("connections") {
                attrs.insert("connections", c.clone());
            }
            Ok(record(change, &id, attrs))
        }
        ResourceType::Endpoint => {
            // Only the `huawei` profile plans these; elsewhere they are refused.
            if let Some(update) = crate::cloud::convert::endpoint_update(&after, &change.changed)? {
                cloud
                    .update_endpoint(&id, &update)
                    .map_err(|e| cloud_err(&e))?;
            }
            if changed(change, "tags") {
                let (set, delete) = tag_delta(&before, &after)?;
                cloud
                    .update_endpoint_tags(&id, &set, &delete)
                    .map_err(|e| cloud_err(&e))?;
            }
            let endpoint = cloud
                .get_endpoint(&id)
                .map_err(|e| cloud_err(&e))?
                .ok_or_else(|| format!("the endpoint {id} disappeared during the update"))?;
            Ok(record(change, &id, endpoint_attrs(&endpoint)))
        }
        ResourceType::Approval => {
            let outcome = approve(cloud, change, &before, &after, change.timeouts.update, tick);
            match outcome.error {
                Some(e) => Err(e),
                None => outcome
                    .changes
                    .into_iter()
                    .next()
                    .ok_or_else(|| String::from("nothing recorded").into()),
            }
        }
    })();
    match result {
        Ok(c) => Outcome::ok(c, Some(id)),
        Err(e) => Outcome::failed(e),
    }
}

pub(super) fn delete(cloud: &dyn Cloud, change: &ResourceChange, tick: Tick<'_>) -> Outcome {
    let started = Instant::now();
    let address: &Address = &change.address;
    let Some(id) = change.id.clone() else {
        return Outcome::failed(String::from("no recorded ID"));
    };
    let gone = StateChange::Remove(address.clone());
    match address.rtype() {
        ResourceType::Service => {
            match cloud.delete_service(&id) {
                Ok(()) => {}
                Err(e) if e.status == 404 => return Outcome::ok(gone, Some(id)),
                Err(e) => return Outcome::failed(cloud_err(&e)),
            }
            let waited = wait_for(cloud, change.timeouts.delete, started, tick, || match cloud
                .get_service(&id)
            {
                Ok(None) => Ok(Poll::Done(())),
                Ok(Some(s)) if s.status == "deleting" => Ok(Poll::NotYet),
                // The delete was answered but not done (a lost request): send it again.
                Ok(Some(_)) => match cloud.delete_service(&id) {
                    Ok(()) => Ok(Poll::NotYet),
                    Err(e) if e.status == 404 => Ok(Poll::Done(())),
                    Err(e) => poll_error(&e),
                },
                Err(e) => poll_error(&e),
            });
            match waited {
                Ok(()) => Outcome::ok(gone, Some(id)),
                Err(e) => Outcome::failed(format!("{e} waiting for the service to be deleted")),
            }
        }
        ResourceType::Endpoint => {
            match cloud.delete_endpoint(&id) {
                Ok(()) => {}
                Err(e) if e.status == 404 => return Outcome::ok(gone, Some(id)),
                Err(e) => return Outcome::failed(cloud_err(&e)),
            }
            // Deleting an endpoint is asynchronous: it is gone (and its connection no longer
            // counts) only when the cloud no longer shows it.
            let waited = wait_for(cloud, change.timeouts.delete, started, tick, || match cloud
                .get_endpoint(&id)
            {
                Ok(None) => Ok(Poll::Done(())),
                Ok(Some(e)) if e.status == "deleting" => Ok(Poll::NotYet),
                // The delete was answered but not done (a lost request): deletes can be sent
                // again safely.
                Ok(Some(_)) => match cloud.delete_endpoint(&id) {
                    Ok(()) => Ok(Poll::NotYet),
                    Err(e) if e.status == 404 => Ok(Poll::Done(())),
                    Err(e) => poll_error(&e),
                },
                Err(e) => poll_error(&e),
            });
            match waited {
                Ok(()) => Outcome::ok(gone, Some(id)),
                Err(e) => Outcome::failed(format!("{e} waiting for the endpoint to be deleted")),
            }
        }
        ResourceType::Approval => {
            let before = change.before.clone().unwrap_or_default();
            // With approval disabled the cloud rejects nothing: the approval is only forgotten
            // (as the plan said, listing no disconnection).
            let service_id = before
                .get("service_id")
                .and_then(Value::as_str)
                .unwrap_or_default();
            match cloud.get_service(service_id) {
                Ok(Some(s)) if !s.approval_enabled => return Outcome::ok(gone, Some(id)),
                Ok(None) => return Outcome::ok(gone, Some(id)),
                Ok(Some(_)) => {}
                Err(e) => return Outcome::failed(cloud_err(&e)),
            }
            let mut after = before.clone();
            after.insert("endpoints", Value::List(Vec::new()));
            after.insert("accounts", Value::List(Vec::new()));
            let outcome = approve(cloud, change, &before, &after, change.timeouts.delete, tick);
            match outcome.error {
                // The service is gone: nothing left to reject.
                Some(e) if e.message.to_ascii_lowercase().contains("endpoint.0005") => {
                    Outcome::ok(gone, Some(id))
                }
                Some(e) => Outcome::failed(e),
                None => Outcome::ok(gone, Some(id)),
            }
        }
    }
}

/// Runs one action of the plan; a replace runs as a delete (phase 1) and a create (phase 2).
pub(super) fn run(
    cloud: &dyn Cloud,
    change: &ResourceChange,
    action: Action,
    claims: &Claims,
    tick: Tick<'_>,
) -> Outcome {
    match action {
        Action::Create => create(cloud, change, claims, tick),
        Action::Update => update(cloud, change, tick),
        Action::Delete => delete(cloud, change, tick),
        Action::Replace | Action::NoOp => {
            Outcome::failed(String::from("internal error: not a single step"))
        }
    }
}
