//! `vpcep emulator`: the simulated cloud served over the real VPCEP v1 REST paths and JSON
//! shapes, with token or AK/SK authentication and injectable latency and failures, so the HTTP
//! client is tested end to end over loopback (and users can demo against it).
//!
//! Each project ID in a request path is an account of its own (its domain ID is the project
//! ID), all sharing one store.

use super::Cloud;
use super::api;
pub use super::dialect::Dialect;
use super::sign::{Secret, SignedParts, verify};
use super::sim::Sim;
use super::types::{CloudError, ConnectionAction, EndpointUpdate};
use crate::model::SimConfig;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct EmulatorConfig {
    pub data: PathBuf,
    /// When set, `X-Auth-Token` must equal it.
    pub token: Option<Secret>,
    /// When set, requests may be signed with this access key and secret.
    pub access_key: Option<(String, Secret)>,
    pub latency: Duration,
    /// Probability of an injected failure (500 or 429) per request.
    pub error_rate: f64,
    pub seed: u64,
    pub create_delay: Duration,
    pub delete_delay: Duration,
    pub quota_services: u32,
    pub quota_endpoints: u32,
    /// Which of the documented answer shapes to serve.
    pub dialect: Dialect,
    /// IAM (`--iam FILE`): every request's identity is verified and must be allowed in the
    /// project of its path; projects belong to the directory's accounts.
    pub iam: Option<Arc<super::emulator_iam::Directory>>,
    /// Requests per second and burst allowed per project, as OTC's API gateway throttles
    /// (`--rate-limit N/s[,burst]`); past it: 429 with `APIGW.0308` and no `Retry-After`.
    pub rate_limit: Option<RateLimit>,
}

/// A token bucket's rate and size.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateLimit {
    pub per_second: f64,
    pub burst: f64,
}

impl RateLimit {
    /// `N/s` or `N/s,BURST` (the burst defaults to N).
    pub fn parse(text: &str) -> Result<Self, String> {
        let (rate, burst) = text.split_once(',').unwrap_or((text, ""));
        let per_second: f64 = rate
            .trim()
            .trim_end_matches("/s")
            .parse()
            .ok()
            .filter(|r: &f64| *r > 0.0 && r.is_finite())
            .ok_or_else(|| {
                format!("`{text}` is not a rate: write `N/s` or `N/s,BURST`, e.g. `20/s,20`")
            })?;
        let burst = if burst.trim().is_empty() {
            per_second
        } else {
            burst
                .trim()
                .parse()
                .ok()
                .filter(|b: &f64| *b >= 1.0 && b.is_finite())
                .ok_or_else(|| format!("the burst of `{text}` must be a number of at least 1"))?
        };
        Ok(RateLimit { per_second, burst })
    }
}

pub struct Emulator {
    config: EmulatorConfig,
    accounts: Mutex<HashMap<String, Arc<Sim>>>,
    /// Accepted endpoints still reported `pendingAcceptance` (dialects that settle later).
    settling: Mutex<std::collections::HashSet<String>>,
    rng: super::rng::Rng,
    requests: AtomicU64,
    /// Requests refused by the rate limit.
    throttled: AtomicU64,
    /// Each project's token bucket: tokens left, and when it was last filled.
    buckets: Mutex<HashMap<String, (f64, std::time::Instant)>>,
    /// Who made each VPCEP call (with IAM): method, path, identity.
    calls: Mutex<Vec<(String, String, String)>>,
}

/// The most calls kept in the record.
const MAX_CALLS: usize = 100_000;

/// The largest request body the emulator reads (the API's own limit is of this order).
pub const MAX_BODY: usize = 1 << 20;

struct Response {
    status: u16,
    body: Option<Vec<u8>>,
}

fn json<T: serde::Serialize>(status: u16, body: &T) -> Response {
    Response {
        status,
        body: Some(serde_json::to_vec(body).unwrap_or_default()),
    }
}

/// An answer as sent: status, extra headers, body.
pub type Sent = (u16, Vec<(String, String)>, Option<Vec<u8>>);

fn ok<T: serde::Serialize>(body: &T) -> Response {
    json(200, body)
}

fn no_content() -> Response {
    Response {
        status: 204,
        body: None,
    }
}

fn err(e: &CloudError) -> Response {
    json(
        if e.status == 0 { 500 } else { e.status },
        &api::ErrorWire::from_error(e),
    )
}

fn error(status: u16, code: &str, message: impl Into<String>) -> Response {
    err(&CloudError::new(status, code, message))
}

/// A request body decoded as the API's request type `T`; anything else is the API's
/// parameter error.
fn body_of<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, CloudError> {
    serde_json::from_slice(body)
        .map_err(|e| CloudError::new(400, "EndPoint.0002", format!("Parameter error: {e}")))
}

/// One page of `items` as `limit` and `offset` ask for it (limit 0–1000, default 10).
fn page<T: Clone>(items: &[T], query: &[(String, String)]) -> Result<Vec<T>, CloudError> {
    let q = |name: &str| {
        query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let limit: usize = match q("limit") {
        None => 10,
        Some(l) => l
            .parse()
            .ok()
            .filter(|l| *l <= 1000)
            .ok_or_else(|| CloudError::new(400, "EndPoint.0006", "invalid limit"))?,
    };
    let offset: usize = match q("offset") {
        None => 0,
        Some(o) => o
            .parse()
            .map_err(|_| CloudError::new(400, "EndPoint.0010", "invalid offset"))?,
    };
    let from = offset.min(items.len());
    Ok(items[from..(from + limit).min(items.len())].to_vec())
}

/// Whether a service passes a list call's `id` (exact) and `endpoint_service_name` (part of
/// the name, any case) filters.
fn matches_query(id: &str, service_name: &str, query: &[(String, String)]) -> bool {
    query.iter().all(|(k, v)| match k.as_str() {
        "id" => id == v,
        "endpoint_service_name" => service_name.to_lowercase().contains(&v.to_lowercase()),
        _ => true,
    })
}

fn total(n: usize) -> Option<u64> {
    u64::try_from(n).ok()
}

/// The API's answer for a service that does not exist.
fn missing_service(id: &str) -> CloudError {
    CloudError::new(
        404,
        "EndPoint.0005",
        format!("the endpoint service {id} does not exist"),
    )
}

impl Emulator {
    pub fn new(config: EmulatorConfig) -> Self {
        let seed = config.seed.max(1);
        Emulator {
            config,
            accounts: Mutex::new(HashMap::new()),
            settling: Mutex::new(std::collections::HashSet::new()),
            rng: super::rng::Rng::new(seed),
            requests: AtomicU64::new(0),
            throttled: AtomicU64::new(0),
            buckets: Mutex::new(HashMap::new()),
            calls: Mutex::new(Vec::new()),
        }
    }

    /// Whether the rate limit lets a request of `project` through now (taking its token).
    fn admitted(&self, project: &str) -> bool {
        let Some(limit) = self.config.rate_limit else {
            return true;
        };
        let now = std::time::Instant::now();
        let mut buckets = self
            .buckets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let (tokens, last) = buckets
            .entry(project.to_owned())
            .or_insert((limit.burst, now));
        *tokens =
            (*tokens + now.duration_since(*last).as_secs_f64() * limit.per_second).min(limit.burst);
        *last = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            true
        } else {
            false
        }
    }

    pub fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    fn random(&self) -> f64 {
        self.rng.next_f64()
    }

    fn account(&self, project_id: &str) -> Result<Arc<Sim>, Response> {
        if !crate::config::is_cloud_id(project_id) {
            return Err(error(400, "EndPoint.0014", "invalid project ID"));
        }
        let mut accounts = self
            .accounts
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(sim) = accounts.get(project_id) {
            return Ok(sim.clone());
        }
        let domain_id = match &self.config.iam {
            Some(iam) => iam
                .domain_of_project(project_id)
                .ok_or_else(|| error(404, "EndPoint.0005", "no such project"))?,
            None => project_id.to_owned(),
        };
        let config = SimConfig {
            path: self.config.data.clone(),
            create_delay: self.config.create_delay,
            delete_delay: self.config.delete_delay,
            quota_services: self.config.quota_services,
            quota_endpoints: self.config.quota_endpoints,
            domain_id,
            project_id: project_id.to_owned(),
            endpoint_updates: self.config.dialect == Dialect::Huawei,
        };
        let sim = Arc::new(
            Sim::open(&config, std::path::Path::new("."))
                .map_err(|e| err(&CloudError::new(500, "EndPoint.0001", e)))?,
        );
        accounts.insert(project_id.to_owned(), sim.clone());
        Ok(sim)
    }

    /// The first check of a request, before its body is read: a token, or the presence of a
    /// signature (verified with the body by [`Emulator::identify`]). Every identity this
    /// emulator is configured to accept is verified; only an emulator configured with none
    /// accepts any token.
    fn authenticate(&self, path: &str, headers: &[(String, String)]) -> Result<(), Response> {
        let header = |name: &str| {
            headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.as_str())
        };
        if path.starts_with("/_emulator/") || is_iam(path) {
            return Ok(());
        }
        let (signed, token) = (header("Authorization"), header("X-Auth-Token"));
        if self.config.iam.is_some() {
            // Verified in full (with the project of the path) by `identify`.
            return if signed.is_some() || token.is_some() {
                Ok(())
            } else {
                Err(denied("no X-Auth-Token or Authorization header"))
            };
        }
        if signed.is_some() {
            return if self.config.access_key.is_some() {
                Ok(())
            } else {
                Err(denied("AK/SK signing is not enabled on this emulator"))
            };
        }
        match (token, &self.config.token) {
            (Some(given), Some(token)) if given == token.expose() => Ok(()),
            (Some(_), Some(_)) => Err(denied("the token is not valid")),
            (Some(_), None) if self.config.access_key.is_some() => Err(denied(
                "this emulator accepts requests signed with its access key only, not tokens",
            )),
            (None, _) if self.config.token.is_some() || self.config.access_key.is_some() => {
                Err(denied("no X-Auth-Token or Authorization header"))
            }
            _ => Ok(()),
        }
    }

    /// Verifies who sent a request whose body has been read: the signature, and with IAM
    /// the identity and its right to act in the path's project. `Some(identity)` with IAM.
    fn identify(
        &self,
        method: &str,
        path: &str,
        query: &[(String, String)],
        headers: &[(String, String)],
        body: &[u8],
    ) -> Result<Option<String>, Response> {
        if let Some(iam) = &self.config.iam {
            let project = path.trim_matches('/').split('/').nth(1).unwrap_or_default();
            return iam
                .authorize(
                    &SignedParts {
                        method,
                        path,
                        query,
                        headers,
                        body,
                    },
                    project,
                )
                .map(Some)
                .map_err(|(status, why)| {
                    if status == 403 {
                        error(403, "EndPoint.0004", format!("Forbidden: {why}"))
                    } else {
                        denied(&why)
                    }
                });
        }
        let Some(auth) = headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("Authorization"))
            .map(|(_, v)| v.as_str())
        else {
            return Ok(None);
        };
        let Some((ak, sk)) = &self.config.access_key else {
            return Err(denied("AK/SK signing is not enabled on this emulator"));
        };
        let parts = SignedParts {
            method,
            path,
            query,
            headers,
            body,
        };
        verify(auth, ak, sk, &parts, std::time::SystemTime::now())
            .map(|()| None)
            .map_err(|e| denied(&e))
    }

    /// The identity of each call so far (with IAM), as JSON.
    fn calls(&self) -> serde_json::Value {
        let calls = self
            .calls
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        serde_json::Value::Array(
            calls
                .iter()
                .map(|(m, p, who)| serde_json::json!({"method": m, "path": p, "identity": who}))
                .collect(),
        )
    }

    /// Handles one request whose body has been read: `(status, body)`, in the configured
    /// dialect.
    pub fn handle(
        &self,
        method: &str,
        url: &str,
        headers: &[(String, String)],
        body: &[u8],
    ) -> Sent {
        let (path, query) = split_url(url);
        if let Some(iam) = &self.config.iam
            && let Some((status, extra, answer)) = iam.handle(method, &path, &query, headers, body)
        {
            self.requests.fetch_add(1, Ordering::Relaxed);
            return (status, extra, serde_json::to_vec(&answer).ok());
        }
        let (status, body) = self.handle_plain(method, url, headers, body);
        let dialect = self.config.dialect;
        if dialect == Dialect::Reference {
            return (status, Vec::new(), body);
        }
        let Some(value) = body
            .as_deref()
            .and_then(|b| serde_json::from_slice::<serde_json::Value>(b).ok())
        else {
            return (status, Vec::new(), body);
        };
        let value = if (200..300).contains(&status) {
            dialect.answer(value)
        } else {
            match serde_json::from_value::<api::ErrorWire>(value.clone()) {
                Ok(e) => dialect.error(&e.error_code, &e.error_msg),
                Err(_) => value,
            }
        };
        (status, Vec::new(), serde_json::to_vec(&value).ok())
    }

    fn handle_plain(
        &self,
        method: &str,
        url: &str,
        headers: &[(String, String)],
        body: &[u8],
    ) -> (u16, Option<Vec<u8>>) {
        self.requests.fetch_add(1, Ordering::Relaxed);
        let (path, query) = split_url(url);
        if path == "/_emulator/stats" {
            let r = ok(&serde_json::json!({
                "requests": self.requests(),
                "throttled": self.throttled.load(Ordering::Relaxed),
            }));
            return (r.status, r.body);
        }
        if path == "/_emulator/calls" {
            let r = ok(&self.calls());
            return (r.status, r.body);
        }
        if path == "/_emulator/revoke" && method == "POST" {
            if let Some(iam) = &self.config.iam {
                iam.revoke();
            }
            return (204, None);
        }
        if path == "/_emulator/issued" {
            // The emulator's IAM is a test double: what it issued is shown, so tests can
            // search every output for it.
            let (tokens, secrets) = self
                .config
                .iam
                .as_ref()
                .map(|iam| iam.issued_secrets())
                .unwrap_or_default();
            let r = ok(&serde_json::json!({"tokens": tokens, "secrets": secrets}));
            return (r.status, r.body);
        }
        // The gateway throttles per project before anything else looks at the request.
        let project = path.trim_matches('/').split('/').nth(1).unwrap_or_default();
        if !self.admitted(project) {
            self.throttled.fetch_add(1, Ordering::Relaxed);
            let limit = self.config.rate_limit.map_or(0.0, |l| l.per_second);
            let r = error(
                429,
                "APIGW.0308",
                format!(
                    "The throttling threshold has been reached: policy user over ratelimit,limit:{limit},time:1 second"
                ),
            );
            return (r.status, r.body);
        }
        if let Err(r) = self.authenticate(&path, headers) {
            return (r.status, r.body);
        }
        if body.len() > MAX_BODY {
            let r = too_large();
            return (r.status, r.body);
        }
        match self.identify(method, &path, &query, headers, body) {
            Err(r) => return (r.status, r.body),
            Ok(Some(who)) => {
                let mut calls = self
                    .calls
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                if calls.len() < MAX_CALLS {
                    calls.push((method.to_owned(), path.clone(), who));
                }
            }
            Ok(None) => {}
        }
        if !self.config.latency.is_zero() {
            std::thread::sleep(self.config.latency);
        }
        let inject = self.config.error_rate > 0.0 && self.random() < self.config.error_rate;
        let after = inject && method == "POST" && self.random() < 0.5;
        if inject && !after {
            let r = if self.random() < 0.5 {
                error(429, "APIGW.0308", "The request is throttled.")
            } else {
                error(500, "EndPoint.0001", "System error (injected).")
            };
            return (r.status, r.body);
        }
        let r = self.route(method, &path, &query, body);
        if after {
            // The work was done, but the answer is lost: the client must find out.
            let r = error(
                500,
                "EndPoint.0001",
                "System error (injected after the change).",
            );
            return (r.status, r.body);
        }
        (r.status, r.body)
    }

    /// `GET …/vpc-endpoint-services/describe`: a service by `id` or by name, as anyone may see it.
    fn describe(sim: &Sim, query: &[(String, String)]) -> Result<Response, CloudError> {
        let q = |name: &str| {
            query
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
        };
        let found = match (q("id"), q("endpoint_service_name")) {
            (Some(id), _) => (id, sim.describe_service(id)?),
            (None, Some(name)) => (name, sim.describe_service_named(name)?),
            (None, None) => {
                return Err(CloudError::new(
                    400,
                    "EndPoint.0002",
                    "`id` or `endpoint_service_name` is required",
                ));
            }
        };
        match found {
            (_, Some(s)) => Ok(ok(&api::ServiceSummaryWire::from_model(&s))),
            (asked, None) => Err(CloudError::new(
                404,
                "EndPoint.2003",
                format!("the endpoint service {asked} does not exist"),
            )),
        }
    }

    /// `GET …/connections`: a page of the service's connections (a dialect that settles later
    /// reports an acceptance once more as `pendingAcceptance`).
    fn connections(
        &self,
        sim: &Sim,
        id: &str,
        query: &[(String, String)],
    ) -> Result<Response, CloudError> {
        let mut all = sim.list_connections(id)?;
        if self.config.dialect.settles_later() {
            // Reported `pendingAcceptance` once more, then as it is.
            let mut settling = self
                .settling
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            for c in &mut all {
                if settling.remove(&c.endpoint_id) {
                    "pendingAcceptance".clone_into(&mut c.status);
                }
            }
        }
        let list = page(&all, query)?
            .iter()
            .map(api::ConnectionWire::from_model)
            .collect();
        Ok(ok(&api::ConnectionListWire {
            connections: list,
            total_count: total(all.len()),
        }))
    }

    /// `POST …/connections/action`: accepts or rejects one endpoint's connection.
    fn connection_action(&self, sim: &Sim, id: &str, body: &[u8]) -> Result<Response, CloudError> {
        let request: api::ConnectionActionRequest = body_of(body)?;
        let action = match request.action.as_str() {
            "receive" => ConnectionAction::Receive,
            "reject" => ConnectionAction::Reject,
            _ => return Err(CloudError::new(400, "EndPoint.0007", "invalid action")),
        };
        let [endpoint] = request.endpoints.as_slice() else {
            return Err(CloudError::new(
                400,
                "EndPoint.2031",
                "Only one endpoint is allowed.",
            ));
        };
        sim.connection_action(id, action, endpoint)?;
        if action == ConnectionAction::Receive && self.config.dialect.settles_later() {
            self.settling
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .insert(endpoint.clone());
        }
        let list = sim
            .list_connections(id)?
            .iter()
            .filter(|c| c.endpoint_id == *endpoint)
            .map(api::ConnectionWire::from_model)
            .collect();
        Ok(ok(&api::ConnectionListWire {
            connections: list,
            total_count: None,
        }))
    }

    /// `GET …/permissions`: a page of the service's whitelist.
    fn permissions(
        sim: &Sim,
        id: &str,
        query: &[(String, String)],
    ) -> Result<Response, CloudError> {
        let service = sim.get_service(id)?.ok_or_else(|| missing_service(id))?;
        let list = page(&service.whitelist, query)?
            .into_iter()
            .map(|p| api::PermissionWire {
                id: Some(p.clone()),
                permission: p,
                permission_type: Some("domainId".into()),
                created_at: Some(service.created_at.clone()),
            })
            .collect();
        Ok(ok(&api::PermissionListWire {
            permissions: list,
            total_count: total(service.whitelist.len()),
        }))
    }

    /// `POST …/permissions/action`: adds to or removes from the whitelist (refused while the
    /// service is creating, as the OTC provider assumes).
    fn permissions_action(sim: &Sim, id: &str, body: &[u8]) -> Result<Response, CloudError> {
        let request: api::PermissionActionRequest = body_of(body)?;
        if request.permissions.is_empty() {
            return Err(CloudError::new(
                400,
                "EndPoint.3036",
                "the permission list is empty",
            ));
        }
        // As the OTC provider assumes: the whitelist changes once the service is
        // available.
        if sim.get_service(id)?.is_some_and(|s| s.status == "creating") {
            return Err(CloudError::new(
                400,
                "EndPoint.3045",
                format!("the endpoint service {id} is creating and cannot be modified now"),
            ));
        }
        match request.action.as_str() {
            "add" => sim.update_whitelist(id, &request.permissions, &[])?,
            "remove" => sim.update_whitelist(id, &[], &request.permissions)?,
            _ => return Err(CloudError::new(400, "EndPoint.0007", "invalid action")),
        }
        let now = sim
            .get_service(id)?
            .map(|s| s.whitelist)
            .unwrap_or_default();
        Ok(ok(&serde_json::json!({"permissions": now})))
    }

    /// `POST /{endpoint_service|endpoint}/{id}/tags/action`: sets or deletes tags.
    fn tags_action(sim: &Sim, kind: &str, id: &str, body: &[u8]) -> Result<Response, CloudError> {
        let request: api::TagsActionRequest = body_of(body)?;
        let (set, delete): (indexmap::IndexMap<String, String>, Vec<String>) =
            match request.action.as_str() {
                "create" => {
                    let mut set = indexmap::IndexMap::new();
                    for t in &request.tags {
                        let Some(v) = &t.value else {
                            return Err(CloudError::new(
                                400,
                                "EndPoint.3066",
                                format!("the tag `{}` has no value", t.key),
                            ));
                        };
                        if set.insert(t.key.clone(), v.clone()).is_some() {
                            return Err(CloudError::new(
                                400,
                                "EndPoint.3067",
                                format!("the tag key `{}` is given twice", t.key),
                            ));
                        }
                    }
                    (set, Vec::new())
                }
                "delete" => (
                    indexmap::IndexMap::new(),
                    request.tags.iter().map(|t| t.key.clone()).collect(),
                ),
                _ => return Err(CloudError::new(400, "EndPoint.0007", "invalid action")),
            };
        if kind == "endpoint_service" {
            sim.update_service_tags(id, &set, &delete)?;
        } else {
            sim.update_endpoint_tags(id, &set, &delete)?;
        }
        Ok(no_content())
    }

    /// Huawei Cloud's in-place endpoint updates (whitelist, route tables, policy); each
    /// answers the endpoint.
    fn update_endpoint(
        sim: &Sim,
        project: &str,
        id: &str,
        more: &[&str],
        body: &[u8],
    ) -> Result<Response, CloudError> {
        let update = match more {
            [] => {
                let r: api::UpdateEndpointWhitelistRequest = body_of(body)?;
                EndpointUpdate {
                    whitelist: Some((r.whitelist, r.enable_whitelist)),
                    ..EndpointUpdate::default()
                }
            }
            ["routetables"] => {
                let r: api::UpdateEndpointRoutetablesRequest = body_of(body)?;
                EndpointUpdate {
                    route_tables: Some(r.routetables),
                    ..EndpointUpdate::default()
                }
            }
            ["policy"] => {
                let r: api::UpdateEndpointPolicyRequest = body_of(body)?;
                EndpointUpdate {
                    policy: Some(r.to_model()),
                    ..EndpointUpdate::default()
                }
            }
            _ => {
                return Ok(error(
                    404,
                    "APIGW.0101",
                    format!(
                        "The API does not exist: PUT /v1/{project}/vpc-endpoints/{id}/{}",
                        more.join("/")
                    ),
                ));
            }
        };
        sim.update_endpoint(id, &update)?;
        match sim.get_endpoint(id)? {
            Some(e) => Ok(ok(&api::EndpointWire::from_model(&e, project))),
            None => Err(CloudError::new(
                404,
                "EndPoint.2006",
                format!("the endpoint {id} does not exist"),
            )),
        }
    }

    fn route(&self, method: &str, path: &str, query: &[(String, String)], body: &[u8]) -> Response {
        let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
        let ["v1", project, rest @ ..] = segments.as_slice() else {
            return error(404, "APIGW.0101", "The API does not exist.");
        };
        let sim = match self.account(project) {
            Ok(s) => s,
            Err(r) => return r,
        };
        let result: Result<Response, CloudError> = (|| match (method, rest) {
            ("GET", ["vpc-endpoint-services"]) => {
                let mut all = sim.list_services()?;
                all.retain(|s| matches_query(&s.id, &s.service_name, query));
                let list = page(&all, query)?
                    .iter()
                    .map(|s| api::ServiceWire::from_model(s, project))
                    .collect();
                Ok(ok(&api::ServiceListWire {
                    endpoint_services: list,
                    total_count: total(all.len()),
                }))
            }
            ("POST", ["vpc-endpoint-services"]) => {
                let request: api::CreateServiceRequest = body_of(body)?;
                let created = sim.create_service(&request.to_spec())?;
                Ok(ok(&api::ServiceWire::from_model(&created, project)))
            }
            ("GET", ["vpc-endpoint-services", "public"]) => {
                let mut all = sim.list_public_services()?;
                all.retain(|s| matches_query(&s.id, &s.service_name, query));
                let list = page(&all, query)?
                    .iter()
                    .map(api::PublicServiceWire::from_model)
                    .collect();
                Ok(ok(&api::PublicServiceListWire {
                    endpoint_services: list,
                    total_count: total(all.len()),
                }))
            }
            ("GET", ["vpc-endpoint-services", "describe"]) => Self::describe(&sim, query),
            ("GET", ["vpc-endpoint-services", id]) => match sim.get_service(id)? {
                Some(s) => Ok(ok(&api::ServiceWire::from_model(&s, project))),
                None => Err(missing_service(id)),
            },
            ("PUT", ["vpc-endpoint-services", id]) => {
                let request: api::UpdateServiceRequest = body_of(body)?;
                let s = sim.update_service(id, &request.to_update())?;
                Ok(ok(&api::ServiceWire::from_model(&s, project)))
            }
            ("DELETE", ["vpc-endpoint-services", id]) => {
                sim.delete_service(id)?;
                Ok(no_content())
            }
            ("GET", ["vpc-endpoint-services", id, "connections"]) => {
                self.connections(&sim, id, query)
            }
            ("POST", ["vpc-endpoint-services", id, "connections", "action"]) => {
                self.connection_action(&sim, id, body)
            }
            ("GET", ["vpc-endpoint-services", id, "permissions"]) => {
                Self::permissions(&sim, id, query)
            }
            ("POST", ["vpc-endpoint-services", id, "permissions", "action"]) => {
                Self::permissions_action(&sim, id, body)
            }
            (
                "POST",
                [
                    kind @ ("endpoint_service" | "endpoint"),
                    id,
                    "tags",
                    "action",
                ],
            ) => Self::tags_action(&sim, kind, id, body),
            ("GET", ["vpc-endpoints"]) => {
                let all = sim.list_endpoints()?;
                let list = page(&all, query)?
                    .iter()
                    .map(|e| api::EndpointWire::from_model(e, project))
                    .collect();
                Ok(ok(&api::EndpointListWire {
                    endpoints: list,
                    total_count: total(all.len()),
                }))
            }
            ("POST", ["vpc-endpoints"]) => {
                let request: api::CreateEndpointRequest = body_of(body)?;
                let created = sim.create_endpoint(&request.to_spec())?;
                Ok(ok(&api::EndpointWire::from_model(&created, project)))
            }
            ("GET", ["vpc-endpoints", id]) => match sim.get_endpoint(id)? {
                Some(e) => Ok(ok(&api::EndpointWire::from_model(&e, project))),
                None => Err(CloudError::new(
                    404,
                    "EndPoint.2006",
                    format!("the endpoint {id} does not exist"),
                )),
            },
            ("DELETE", ["vpc-endpoints", id]) => {
                sim.delete_endpoint(id)?;
                Ok(no_content())
            }
            // Huawei Cloud's in-place endpoint updates; each answers the endpoint.
            ("PUT", ["vpc-endpoints", id, more @ ..]) => {
                Self::update_endpoint(&sim, project, id, more, body)
            }
            ("GET", ["quotas"]) => {
                let quotas = sim.quotas()?;
                Ok(ok(&api::QuotaWire::from_model(&quotas)))
            }
            _ => Ok(error(
                404,
                "APIGW.0101",
                format!("The API does not exist: {method} {path}"),
            )),
        })();
        match result {
            Ok(r) => r,
            Err(e) => err(&e),
        }
    }
}

impl super::httpd::Service for Emulator {
    /// Authentication and the size check, before a body is read.
    fn accept(&self, head: &super::httpd::Head) -> Option<super::httpd::Answer> {
        let (path, _) = split_url(&head.target);
        let refused = if let Err(r) = self.authenticate(&path, &head.headers) {
            r
        } else if head.content_length > MAX_BODY as u64 {
            too_large()
        } else {
            return None;
        };
        self.requests.fetch_add(1, Ordering::Relaxed);
        Some(super::httpd::Answer {
            status: refused.status,
            body: refused.body.unwrap_or_default(),
            headers: Vec::new(),
        })
    }

    fn handle(&self, head: &super::httpd::Head, body: &[u8]) -> super::httpd::Answer {
        let (status, headers, body) =
            Emulator::handle(self, &head.method, &head.target, &head.headers, body);
        super::httpd::Answer {
            status,
            body: body.unwrap_or_default(),
            headers,
        }
    }
}

/// Whether a path is IAM's (`/v3/…`, `/v3.0/…`).
fn is_iam(path: &str) -> bool {
    path.starts_with("/v3/") || path.starts_with("/v3.0/")
}

fn denied(why: &str) -> Response {
    error(
        401,
        "EndPoint.0003",
        format!("Authentication failed: {why}"),
    )
}

fn too_large() -> Response {
    error(
        413,
        "EndPoint.0002",
        format!("the request body is larger than {MAX_BODY} bytes"),
    )
}

/// Splits `/path?a=1&b=2` into the path and decoded query pairs.
pub fn split_url(url: &str) -> (String, Vec<(String, String)>) {
    let (path, query) = url.split_once('?').unwrap_or((url, ""));
    let pairs = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (
                super::sign::percent_decode(k),
                super::sign::percent_decode(v),
            )
        })
        .collect();
    (super::sign::percent_decode(path), pairs)
}
