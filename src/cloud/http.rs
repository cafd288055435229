//! `provider "otc"`: the VPCEP v1 REST API over HTTPS (or HTTP to the emulator), with token or
//! AK/SK authentication, timeouts, bounded retries with exponential backoff and jitter, paging,
//! and creates that are never blindly repeated.
//!
//! Policy: answers are decoded strictly (see [`super::api`]); an unreadable 2xx is retried like
//! a lost answer, never read as "nothing". Redirects are not followed (credentials would go to
//! another host). Paging stops on a repeated page and restarts when the list changes under it,
//! so a list is complete or an error. A create whose answer is lost is not sent again: it fails
//! with [`OUTCOME_UNKNOWN`] and the caller, which knows the recorded state, looks for it.

use super::Cloud;
use super::api::{self, decode};
use super::iam::Session;
use super::sign::{Credentials, SignedParts, authorization, percent_encode, sdk_date};
use super::types::{
    CloudError, CloudResult, Connection, ConnectionAction, Endpoint, EndpointSpec, EndpointUpdate,
    OUTCOME_UNKNOWN, PublicService, Quotas, Service, ServiceSpec, ServiceSummary, ServiceUpdate,
};
use crate::model::OtcConfig;

/// How long a whitelist change waits for its service to finish creating.
const WHITELIST_WAIT: Duration = Duration::from_secs(600);
use indexmap::IndexMap;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

/// Most attempts of one request (the first one included).
pub const MAX_ATTEMPTS: u32 = 8;
const PAGE: usize = 1000;
const PERMISSIONS_PAGE: usize = 500;
/// Requests in flight at once when reading per-service details (whitelists).
const FAN_OUT: usize = 8;
/// Most pages of one list (10 million objects at 1,000 a page), whatever the server says.
const MAX_PAGES: usize = 10_000;
/// How often a list is read again from the start when it changes while being paged.
const LIST_RESTARTS: u32 = 5;

pub struct HttpCloud {
    agent: ureq::Agent,
    /// `scheme://host[:port]`, without a trailing slash.
    base: String,
    host: String,
    project_id: String,
    /// Who signs, with credentials renewed as they age.
    session: std::sync::Arc<Session>,
    requests: AtomicU64,
    rng: super::rng::Rng,
    poll: Duration,
    /// The request budget of this identity and project (shared with every client of the
    /// process that sends as them).
    budget: std::sync::Arc<super::rate::Budget>,
}

/// One page of a list answer.
trait Page: DeserializeOwned {
    type Item;
    fn into_parts(self) -> (Vec<Self::Item>, Option<u64>);
    fn key(item: &Self::Item) -> &str;
}

impl Page for api::PublicServiceListWire {
    type Item = api::PublicServiceWire;
    fn into_parts(self) -> (Vec<Self::Item>, Option<u64>) {
        (self.endpoint_services, self.total_count)
    }
    fn key(item: &Self::Item) -> &str {
        &item.id
    }
}

impl Page for api::ServiceListWire {
    type Item = api::ServiceWire;
    fn into_parts(self) -> (Vec<Self::Item>, Option<u64>) {
        (self.endpoint_services, self.total_count)
    }
    fn key(item: &Self::Item) -> &str {
        &item.id
    }
}

impl Page for api::EndpointListWire {
    type Item = api::EndpointWire;
    fn into_parts(self) -> (Vec<Self::Item>, Option<u64>) {
        (self.endpoints, self.total_count)
    }
    fn key(item: &Self::Item) -> &str {
        &item.id
    }
}

impl Page for api::ConnectionListWire {
    type Item = api::ConnectionWire;
    fn into_parts(self) -> (Vec<Self::Item>, Option<u64>) {
        (self.connections, self.total_count)
    }
    fn key(item: &Self::Item) -> &str {
        &item.id
    }
}

impl Page for api::PermissionListWire {
    type Item = api::PermissionWire;
    fn into_parts(self) -> (Vec<Self::Item>, Option<u64>) {
        (self.permissions, self.total_count)
    }
    fn key(item: &Self::Item) -> &str {
        &item.permission
    }
}

fn malformed(operation: &str, why: &str) -> CloudError {
    CloudError::new(
        200,
        api::MALFORMED,
        format!("the answer to {operation} is not what the VPCEP API sends: {why}"),
    )
}

impl HttpCloud {
    /// The endpoint of a region of a cloud: `https://vpcep.<region>.otc.t-systems.com`
    /// (`otc`), `https://vpcep.<region>.sc.otc.t-systems.com` (`otc-swiss`, as its IAM
    /// catalog names it), `https://vpcep.<region>.myhuaweicloud.com` (`huawei`).
    pub fn endpoint_for(profile: crate::model::CloudProfile, region: &str) -> String {
        match profile {
            crate::model::CloudProfile::Otc => format!("https://vpcep.{region}.otc.t-systems.com"),
            crate::model::CloudProfile::OtcSwiss => {
                format!("https://vpcep.{region}.sc.otc.t-systems.com")
            }
            crate::model::CloudProfile::Huawei => {
                format!("https://vpcep.{region}.myhuaweicloud.com")
            }
        }
    }

    pub fn new(config: &OtcConfig, credentials: Credentials) -> Result<Self, String> {
        Self::with_rate(config, credentials, super::rate::RateSettings::default())
    }

    /// [`HttpCloud::new`], with how it treats the gateway's rate limit: credentials used as
    /// they are, in the block's `project_id`.
    pub fn with_rate(
        config: &OtcConfig,
        credentials: Credentials,
        rate: super::rate::RateSettings,
    ) -> Result<Self, String> {
        let endpoint = match (&config.endpoint, &config.region) {
            (Some(e), _) => e.clone(),
            (None, Some(r)) => Self::endpoint_for(config.profile, r),
            (None, None) => {
                return Err("`provider \"otc\"` needs a `region` or an `endpoint`".into());
            }
        };
        let project = config.project_id.clone().unwrap_or_default();
        Self::signed_in(&endpoint, Session::fixed(credentials, &project), rate)
    }

    /// A client of the API at `endpoint` that sends as `session`, in the session's project.
    pub fn signed_in(
        endpoint: &str,
        session: std::sync::Arc<Session>,
        rate: super::rate::RateSettings,
    ) -> Result<Self, String> {
        let (base, host) = crate::model::endpoint_parts(endpoint)?;
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_global(Some(Duration::from_secs(60)))
            .timeout_connect(Some(Duration::from_secs(10)))
            .build()
            .into();
        let seed = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(7, |d| {
                u64::try_from(d.as_nanos() & 0xffff_ffff).unwrap_or(7)
            })
            | 1;
        let project_id = session.scope().project_id.clone();
        // The gateway counts per user and project: the budget's key is the endpoint, the
        // project and a digest of who signs (never the secret itself).
        let budget =
            super::rate::Budget::shared(&format!("{base} {project_id} {}", session.key()), rate);
        Ok(HttpCloud {
            agent,
            base,
            host,
            project_id,
            session,
            requests: AtomicU64::new(0),
            rng: super::rng::Rng::new(seed),
            poll: Duration::from_secs(2),
            budget,
        })
    }

    /// How many HTTP requests this client has sent.
    pub fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    /// Exponential backoff with jitter: about 100 ms, 200 ms, 400 ms ... capped at 5 s.
    fn backoff(&self, attempt: u32) -> Duration {
        let base = (100u64 << attempt.min(6)).min(5_000);
        Duration::from_millis(base / 2 + self.rng.next_u64() % (base / 2 + 1))
    }

    fn path(&self, rest: &str) -> String {
        format!("/v1/{}/{rest}", self.project_id)
    }

    /// One HTTP exchange, without retries: the status and body of a 2xx answer, or the error.
    /// Logged at debug level (method, path, query, status, duration, attempt; never a header).
    fn exchange(
        &self,
        method: &str,
        path: &str,
        query: &[(String, String)],
        body: Option<&[u8]>,
        attempt: u32,
    ) -> CloudResult<(u16, Vec<u8>)> {
        let waited = self.budget.acquire();
        if waited >= Duration::from_millis(500) {
            tracing::debug!(waited = ?waited, "waited for the rate limit");
        }
        let started = std::time::Instant::now();
        let result = self.exchange_once(method, path, query, body);
        let took = started.elapsed();
        match &result {
            Err(e) if e.is_throttle() => self.budget.throttled(e.retry_after),
            // Any answer of the server itself: the gateway let the request through.
            Ok(_) => self.budget.succeeded(),
            Err(e) if e.status != 0 => self.budget.succeeded(),
            Err(_) => {}
        }
        let attempt = attempt + 1;
        match &result {
            Ok((status, answer)) => tracing::debug!(
                method,
                path,
                ?query,
                status,
                took = ?took,
                attempt,
                bytes = answer.len(),
                "API request"
            ),
            Err(e) => tracing::debug!(
                method,
                path,
                ?query,
                status = e.status,
                code = %e.code,
                took = ?took,
                attempt,
                "API request failed"
            ),
        }
        result
    }

    /// The headers of a request: its project, and the credentials of the session now (a
    /// token, or an AK/SK signature of exactly this request), with which credentials they are.
    fn signed_headers(
        &self,
        method: &str,
        path: &str,
        query: &[(String, String)],
        body_bytes: &[u8],
    ) -> CloudResult<(Vec<(String, String)>, crate::cloud::iam::Used)> {
        let mut headers: Vec<(String, String)> = vec![
            ("Content-Type".into(), "application/json".into()),
            ("Host".into(), self.host.clone()),
            ("X-Project-Id".into(), self.project_id.clone()),
        ];
        let used = self.session.credentials()?;
        match &used.credentials {
            Credentials::Token(token) => {
                headers.push(("X-Auth-Token".into(), token.expose().to_owned()));
            }
            Credentials::AkSk {
                access_key,
                secret_key,
                security_token,
            } => {
                headers.push(("X-Sdk-Date".into(), sdk_date(SystemTime::now())));
                if let Some(t) = security_token {
                    headers.push(("X-Security-Token".into(), t.expose().to_owned()));
                }
                let parts = SignedParts {
                    method,
                    path,
                    query,
                    headers: &headers,
                    body: body_bytes,
                };
                let auth = authorization(access_key, secret_key, &parts);
                headers.push(("Authorization".into(), auth));
            }
        }
        Ok((headers, used))
    }

    fn exchange_once(
        &self,
        method: &str,
        path: &str,
        query: &[(String, String)],
        body: Option<&[u8]>,
    ) -> CloudResult<(u16, Vec<u8>)> {
        self.requests.fetch_add(1, Ordering::Relaxed);
        let body_bytes = body.unwrap_or_default();
        let query_string: Vec<String> = query
            .iter()
            .map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(v)))
            .collect();
        let url = if query.is_empty() {
            format!("{}{path}", self.base)
        } else {
            format!("{}{path}?{}", self.base, query_string.join("&"))
        };
        let (headers, used) = self.signed_headers(method, path, query, body_bytes)?;
        let operation = format!("{method} {path}");
        let transport =
            |e: &ureq::Error| CloudError::new(0, "Transport", format!("{operation} failed: {e}"));
        let response = {
            let call = |builder: ureq::RequestBuilder<ureq::typestate::WithoutBody>| {
                let mut b = builder;
                for (k, v) in &headers {
                    if !k.eq_ignore_ascii_case("host") {
                        b = b.header(k.as_str(), v.as_str());
                    }
                }
                b.call()
            };
            let send = |builder: ureq::RequestBuilder<ureq::typestate::WithBody>| {
                let mut b = builder;
                for (k, v) in &headers {
                    if !k.eq_ignore_ascii_case("host") {
                        b = b.header(k.as_str(), v.as_str());
                    }
                }
                b.send(body_bytes)
            };
            match method {
                "GET" => call(self.agent.get(&url)),
                "DELETE" => call(self.agent.delete(&url)),
                "PUT" => send(self.agent.put(&url)),
                _ => send(self.agent.post(&url)),
            }
        };
        let mut response = response.map_err(|e| transport(&e))?;
        let status = response.status().as_u16();
        let response_retry_after: Option<String> = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        if (300..400).contains(&status) {
            let to = response
                .headers()
                .get("location")
                .and_then(|l| l.to_str().ok())
                .map_or_else(String::new, |l| format!(" to `{}`", redact_url(l)));
            return Err(CloudError::new(
                status,
                "HTTP",
                format!(
                    "the API answered {operation} with a redirect (HTTP {status}){to}; vpcep does not follow redirects, so no credentials were sent there; check the provider's `endpoint`"
                ),
            ));
        }
        let bytes = response
            .body_mut()
            .read_to_vec()
            .map_err(|e| transport(&e))?;
        if status < 300 {
            return Ok((status, bytes));
        }
        let retry_after = (status == 429)
            .then(|| response_retry_after.as_deref().and_then(parse_retry_after))
            .flatten();
        let (code, message) = api::error_of(&bytes).unwrap_or_else(|| {
            let code = match status {
                401 => "EndPoint.0003",
                403 => "EndPoint.0004",
                _ => "HTTP",
            };
            (code.to_owned(), "no error message".to_owned())
        });
        if status == 401 && self.session.unauthorized(&used)? {
            // Renewed: the request was not carried out, so it is sent again (once).
            return Err(CloudError::new(
                401,
                RENEWED,
                format!("{message} ({operation}, HTTP 401); the credentials were renewed"),
            ));
        }
        let mut e = CloudError::new(
            status,
            &code,
            format!("{message} ({operation}, HTTP {status})"),
        );
        e.retry_after = retry_after;
        if status == 401 || status == 403 {
            e.message = format!(
                "{message} ({operation}, HTTP {status}); check the provider's credentials and its project"
            );
        }
        Err(e)
    }

    /// An idempotent request whose answer decodes as `T`, retried with backoff on throttling,
    /// server errors, lost connections and unreadable answers. (Creates go through
    /// [`HttpCloud::create`] instead.)
    fn request<T: DeserializeOwned>(
        &self,
        method: &str,
        path: &str,
        query: &[(String, String)],
        body: Option<&[u8]>,
    ) -> CloudResult<T> {
        self.retrying(|attempt| {
            let (status, bytes) = self.exchange(method, path, query, body, attempt)?;
            decode(&bytes, &format!("{method} {path}"), status)
        })
    }

    /// A request whose answer has no body vpcep needs (deletes, actions).
    fn request_empty(&self, method: &str, path: &str, body: Option<&[u8]>) -> CloudResult<()> {
        self.retrying(|attempt| self.exchange(method, path, &[], body, attempt).map(|_| ()))
    }

    /// Runs `once` (given the attempt number, from 0) until it succeeds, fails for good, or
    /// has been tried [`MAX_ATTEMPTS`] times.
    fn retrying<T>(&self, mut once: impl FnMut(u32) -> CloudResult<T>) -> CloudResult<T> {
        // `attempt` counts the failures that are bounded by number; `sent`, every sending
        // (what the log calls the attempt).
        let mut attempt = 0;
        let mut sent = 0;
        let mut throttled_since = None;
        let mut renewed = false;
        loop {
            match once(sent) {
                Err(e) if e.code == RENEWED => {
                    renewed_once(e, &mut renewed)?;
                    sent += 1;
                }
                // Throttled: not processed, so sent again — for as long as the throttle
                // timeout allows, however many times (the budget paces the retries).
                Err(e) if e.is_throttle() => {
                    self.still_throttled(e, &mut throttled_since)?;
                    sent += 1;
                }
                Err(e) if e.is_transient() && attempt + 1 < MAX_ATTEMPTS => {
                    let wait = self.backoff(attempt);
                    tracing::debug!(code = %e.code, wait = ?wait, "retrying");
                    std::thread::sleep(wait);
                    attempt += 1;
                    sent += 1;
                }
                other => return other,
            }
        }
    }

    /// Every item of a list, in order of creation. Paging goes on while pages bring new
    /// objects and ends at an empty page, or at a page that repeats a short one; `total_count`
    /// is a hint (it may be larger than what the pages hold), except that a page that repeats
    /// a full one (a server that ignores `offset`) is an error, and a list whose total moves
    /// while it is read is read again from the start, so no object is skipped.
    fn list_all<P: Page>(
        &self,
        path: &str,
        page: usize,
        extra: &[(String, String)],
    ) -> CloudResult<Vec<P::Item>> {
        let operation = format!("GET {path}");
        let mut restarts = 0;
        'restart: loop {
            let mut out: Vec<P::Item> = Vec::new();
            let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
            let mut first_total = None;
            let mut previous_full = false;
            for _ in 0..MAX_PAGES {
                let mut query = vec![
                    ("limit".to_owned(), page.to_string()),
                    ("offset".to_owned(), out.len().to_string()),
                    ("sort_key".to_owned(), "created_at".to_owned()),
                    ("sort_dir".to_owned(), "asc".to_owned()),
                ];
                query.extend(extra.iter().cloned());
                let answer: P = self.request("GET", path, &query, None)?;
                let (items, total) = answer.into_parts();
                if first_total.is_none() {
                    first_total = total;
                }
                if total != first_total {
                    restarts += 1;
                    if restarts > LIST_RESTARTS {
                        return Err(malformed(
                            &operation,
                            "the list kept changing while it was read; try again",
                        ));
                    }
                    continue 'restart;
                }
                let got = items.len();
                let mut new = 0;
                for item in items {
                    if seen.insert(P::key(&item).to_owned()) {
                        new += 1;
                        out.push(item);
                    }
                }
                if got == 0 {
                    // The end of the list. `total_count` is a hint: the SDKs' own examples
                    // say 100 where the pages hold 1, so a larger total is no error.
                    return Ok(out);
                }
                if new == 0 {
                    // A page that brings nothing new: after a full page, the server ignores
                    // `offset` and what follows can never be read (an error, not a short
                    // list); after a short one, the list simply ended.
                    if previous_full {
                        return Err(malformed(
                            &operation,
                            &format!(
                                "the page at offset {} repeats objects already read (the server ignores `offset`)",
                                out.len()
                            ),
                        ));
                    }
                    return Ok(out);
                }
                if new < got {
                    // Objects moved between pages: read the list again.
                    restarts += 1;
                    if restarts > LIST_RESTARTS {
                        return Err(malformed(
                            &operation,
                            "the list kept changing while it was read; try again",
                        ));
                    }
                    continue 'restart;
                }
                previous_full = got >= page;
                // Without a total, a short page is the last one; with one, paging goes on
                // while the total says more exist (a server may cap its pages below `limit`).
                let done = match total {
                    Some(t) => out.len() as u64 >= t,
                    None => got < page,
                };
                if done {
                    return Ok(out);
                }
            }
            return Err(malformed(
                &operation,
                &format!("more than {MAX_PAGES} pages"),
            ));
        }
    }

    /// The basic information of a service of any account, by `id` or by
    /// `endpoint_service_name`; `None` when there is none.
    fn describe_by(&self, key: &str, value: &str) -> CloudResult<Option<ServiceSummary>> {
        let path = self.path("vpc-endpoint-services/describe");
        match self.request::<api::ServiceSummaryWire>(
            "GET",
            &path,
            &[(key.to_owned(), value.to_owned())],
            None,
        ) {
            Ok(wire) => wire
                .to_model()
                .map(Some)
                .map_err(|e| malformed(&format!("GET {path}"), &e)),
            Err(e) if e.status == 404 || e.is("EndPoint.2003") || e.is("EndPoint.0005") => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn whitelist(&self, id: &str) -> CloudResult<Vec<String>> {
        let list = self.list_all::<api::PermissionListWire>(
            &self.path(&format!("vpc-endpoint-services/{id}/permissions")),
            PERMISSIONS_PAGE,
            &[],
        )?;
        let mut out: Vec<String> = list.into_iter().map(|p| p.permission).collect();
        out.sort();
        Ok(out)
    }

    /// A throttled request may be sent again while the throttle timeout allows (counted from
    /// the request's first throttled answer); past it, the throttle is the request's error.
    fn still_throttled(
        &self,
        e: CloudError,
        since: &mut Option<std::time::Instant>,
    ) -> CloudResult<()> {
        let first = *since.get_or_insert_with(std::time::Instant::now);
        let limit = self.budget.settings().throttle_timeout;
        if first.elapsed() >= limit {
            let mut e = e;
            e.message = format!(
                "{}; the API gateway kept throttling it for longer than the throttle timeout ({}), so vpcep gave up; run again later, or with a larger `--throttle-timeout` or a lower `--max-rps`",
                e.message,
                humantime::format_duration(limit)
            );
            return Err(e);
        }
        tracing::debug!(code = %e.code, "retrying a throttled request when the budget allows");
        Ok(())
    }

    /// Sends a create once. Throttling (the request was refused before it was processed) is
    /// retried; any other failure without an answer — a server error, a lost connection, an
    /// unreadable success — may have created the object, so it is reported as
    /// [`OUTCOME_UNKNOWN`] for the caller to look for, never sent again.
    fn create<B: Serialize, W: DeserializeOwned, T>(
        &self,
        path: &str,
        body: &B,
        convert: impl Fn(W) -> Result<T, String>,
    ) -> CloudResult<T> {
        let bytes = serde_json::to_vec(body)
            .map_err(|e| CloudError::new(0, "Internal", format!("encoding a request: {e}")))?;
        let operation = format!("POST {path}");
        let mut sent = 0;
        let mut throttled_since = None;
        let mut renewed = false;
        loop {
            let result = self
                .exchange("POST", path, &[], Some(&bytes), sent)
                .and_then(|(status, answer)| decode::<W>(&answer, &operation, status))
                .and_then(|w| convert(w).map_err(|e| malformed(&operation, &e)));
            match result {
                Ok(created) => return Ok(created),
                // Refused before anything was done: sent again with renewed credentials.
                Err(e) if e.code == RENEWED => {
                    renewed_once(e, &mut renewed)?;
                    sent += 1;
                }
                Err(e) if e.is_throttle() => {
                    self.still_throttled(e, &mut throttled_since)?;
                    sent += 1;
                }
                Err(e) if e.is_transient() => {
                    return Err(CloudError::new(
                        0,
                        OUTCOME_UNKNOWN,
                        format!("the answer to {operation} was lost ({e})"),
                    ));
                }
                Err(e) => return Err(e),
            }
        }
    }
}

/// A request body as JSON.
fn encode<T: Serialize>(body: &T) -> CloudResult<Vec<u8>> {
    serde_json::to_vec(body)
        .map_err(|e| CloudError::new(0, "Internal", format!("encoding a request: {e}")))
}

/// The code of a 401 after which the session renewed its credentials: the request is sent
/// again, once.
const RENEWED: &str = "vpcep.CredentialsRenewed";

/// Allows one more sending after a renewal; a second 401 is the request's error.
fn renewed_once(e: CloudError, renewed: &mut bool) -> CloudResult<()> {
    if *renewed {
        let mut e = e;
        "EndPoint.0003".clone_into(&mut e.code);
        e.message = format!(
            "{}; IAM's new credentials were refused too, check the provider's identity and project",
            e.message
        );
        return Err(e);
    }
    *renewed = true;
    Ok(())
}

/// `Retry-After` in seconds (an HTTP date is not waited for: the budget's own pause applies).
fn parse_retry_after(value: &str) -> Option<Duration> {
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

/// A URL without its `user:password@` part, for messages.
fn redact_url(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => match rest.split_once('@') {
            Some((userinfo, host)) if !userinfo.contains('/') && !host.is_empty() => {
                format!("{scheme}://{host}")
            }
            _ => url.to_owned(),
        },
        None => url.to_owned(),
    }
}

impl Cloud for HttpCloud {
    fn account(&self) -> Option<String> {
        self.session.scope().domain_id.clone()
    }

    fn describe(&self) -> String {
        format!(
            "the VPCEP API at {} (project {})",
            self.base, self.project_id
        )
    }

    fn is_simulated(&self) -> bool {
        false
    }

    fn budget(&self) -> Option<std::sync::Arc<super::rate::Budget>> {
        Some(self.budget.clone())
    }

    fn poll_interval(&self) -> Duration {
        self.poll
    }

    fn list_services(&self) -> CloudResult<Vec<Service>> {
        let path = self.path("vpc-endpoint-services");
        let items = self.list_all::<api::ServiceListWire>(&path, PAGE, &[])?;
        // The whitelist is not part of the service object: read it per service, a few at a time.
        let results: Mutex<Vec<Option<CloudResult<Vec<String>>>>> =
            Mutex::new(vec![None; items.len()]);
        let next = AtomicU64::new(0);
        std::thread::scope(|scope| {
            for _ in 0..FAN_OUT.min(items.len()) {
                scope.spawn(|| {
                    loop {
                        let i = usize::try_from(next.fetch_add(1, Ordering::Relaxed))
                            .unwrap_or(usize::MAX);
                        if i >= items.len() {
                            break;
                        }
                        let r = self.whitelist(&items[i].id);
                        results
                            .lock()
                            .unwrap_or_else(std::sync::PoisonError::into_inner)[i] = Some(r);
                    }
                });
            }
        });
        let results = results
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let operation = format!("GET {path}");
        items
            .iter()
            .zip(results)
            .map(|(item, whitelist)| {
                let whitelist = whitelist.unwrap_or_else(|| Ok(Vec::new()))?;
                item.to_model(whitelist)
                    .map_err(|e| malformed(&operation, &e))
            })
            .collect()
    }

    fn describe_service(&self, id: &str) -> CloudResult<Option<ServiceSummary>> {
        self.describe_by("id", id)
    }

    fn describe_service_named(&self, service_name: &str) -> CloudResult<Option<ServiceSummary>> {
        self.describe_by("endpoint_service_name", service_name)
    }

    fn get_service(&self, id: &str) -> CloudResult<Option<Service>> {
        let Some(service) = self.poll_service(id)? else {
            return Ok(None);
        };
        let whitelist = api::whitelist_of(&service.domain_id, self.whitelist(id)?);
        Ok(Some(Service {
            whitelist,
            ..service
        }))
    }

    fn poll_service(&self, id: &str) -> CloudResult<Option<Service>> {
        let path = self.path(&format!("vpc-endpoint-services/{id}"));
        match self.request::<api::ServiceWire>("GET", &path, &[], None) {
            Ok(wire) => wire
                .to_model(Vec::new())
                .map(Some)
                .map_err(|e| malformed(&format!("GET {path}"), &e)),
            Err(e) if e.status == 404 => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn create_service(&self, spec: &ServiceSpec) -> CloudResult<Service> {
        let created = self.create(
            &self.path("vpc-endpoint-services"),
            &api::CreateServiceRequest::from_spec(spec),
            |w: api::ServiceWire| w.to_model(Vec::new()),
        )?;
        if !spec.whitelist.is_empty() {
            self.update_whitelist(&created.id, &spec.whitelist, &[])?;
        }
        Ok(Service {
            whitelist: spec.whitelist.clone(),
            ..created
        })
    }

    fn update_service(&self, id: &str, update: &ServiceUpdate) -> CloudResult<Service> {
        let path = self.path(&format!("vpc-endpoint-services/{id}"));
        let body = serde_json::to_vec(&api::UpdateServiceRequest::from_update(update))
            .map_err(|e| CloudError::new(0, "Internal", e.to_string()))?;
        let wire: api::ServiceWire = self.request("PUT", &path, &[], Some(&body))?;
        wire.to_model(self.whitelist(id)?)
            .map_err(|e| malformed(&format!("PUT {path}"), &e))
    }

    fn delete_service(&self, id: &str) -> CloudResult<()> {
        self.request_empty(
            "DELETE",
            &self.path(&format!("vpc-endpoint-services/{id}")),
            None,
        )
    }

    fn update_whitelist(&self, id: &str, add: &[String], remove: &[String]) -> CloudResult<()> {
        let path = self.path(&format!("vpc-endpoint-services/{id}/permissions/action"));
        for (action, list) in [("remove", remove), ("add", add)] {
            if !list.is_empty() {
                let body = serde_json::to_vec(&api::PermissionActionRequest {
                    action: action.to_owned(),
                    permissions: list.to_vec(),
                })
                .map_err(|e| CloudError::new(0, "Internal", e.to_string()))?;
                // A service still `creating` refuses changes (`EndPoint.3045`): the whitelist
                // is written once it is available.
                let deadline = std::time::Instant::now() + WHITELIST_WAIT;
                loop {
                    match self.request_empty("POST", &path, Some(&body)) {
                        Err(e) if e.is("EndPoint.3045") && std::time::Instant::now() < deadline => {
                            std::thread::sleep(self.poll);
                        }
                        other => {
                            other?;
                            break;
                        }
                    }
                }
            }
        }
        Ok(())
    }

    fn update_service_tags(
        &self,
        id: &str,
        set: &IndexMap<String, String>,
        delete: &[String],
    ) -> CloudResult<()> {
        tags_action(self, "endpoint_service", id, set, delete)
    }

    fn list_connections(&self, service_id: &str) -> CloudResult<Vec<Connection>> {
        let path = self.path(&format!("vpc-endpoint-services/{service_id}/connections"));
        let items = self.list_all::<api::ConnectionListWire>(&path, PAGE, &[])?;
        items
            .iter()
            .map(|c| {
                c.to_model()
                    .map_err(|e| malformed(&format!("GET {path}"), &e))
            })
            .collect()
    }

    fn connection_action(
        &self,
        service_id: &str,
        action: ConnectionAction,
        endpoint_id: &str,
    ) -> CloudResult<()> {
        let body = serde_json::to_vec(&api::ConnectionActionRequest {
            action: action.as_str().to_owned(),
            endpoints: vec![endpoint_id.to_owned()],
        })
        .map_err(|e| CloudError::new(0, "Internal", e.to_string()))?;
        match self.request_empty(
            "POST",
            &self.path(&format!(
                "vpc-endpoint-services/{service_id}/connections/action"
            )),
            Some(&body),
        ) {
            // Accepting what a lost answer already accepted.
            Err(e) if e.is("EndPoint.2014") => Ok(()),
            other => other,
        }
    }

    fn list_endpoints(&self) -> CloudResult<Vec<Endpoint>> {
        let path = self.path("vpc-endpoints");
        let items = self.list_all::<api::EndpointListWire>(&path, PAGE, &[])?;
        items
            .iter()
            .map(|e| {
                e.to_model()
                    .map_err(|m| malformed(&format!("GET {path}"), &m))
            })
            .collect()
    }

    fn get_endpoint(&self, id: &str) -> CloudResult<Option<Endpoint>> {
        let path = self.path(&format!("vpc-endpoints/{id}"));
        match self.request::<api::EndpointWire>("GET", &path, &[], None) {
            Ok(wire) => wire
                .to_model()
                .map(Some)
                .map_err(|e| malformed(&format!("GET {path}"), &e)),
            Err(e) if e.status == 404 => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn create_endpoint(&self, spec: &EndpointSpec) -> CloudResult<Endpoint> {
        self.create(
            &self.path("vpc-endpoints"),
            &api::CreateEndpointRequest::from_spec(spec),
            |w: api::EndpointWire| w.to_model(),
        )
    }

    fn update_endpoint_tags(
        &self,
        id: &str,
        set: &IndexMap<String, String>,
        delete: &[String],
    ) -> CloudResult<()> {
        tags_action(self, "endpoint", id, set, delete)
    }

    fn update_endpoint(&self, id: &str, update: &EndpointUpdate) -> CloudResult<()> {
        if let Some((whitelist, enable_whitelist)) = &update.whitelist {
            let body = encode(&api::UpdateEndpointWhitelistRequest {
                whitelist: whitelist.clone(),
                enable_whitelist: *enable_whitelist,
            })?;
            let path = self.path(&format!("vpc-endpoints/{id}"));
            self.request_empty("PUT", &path, Some(&body))?;
        }
        if let Some(tables) = &update.route_tables {
            let body = encode(&api::UpdateEndpointRoutetablesRequest {
                routetables: tables.clone(),
            })?;
            let path = self.path(&format!("vpc-endpoints/{id}/routetables"));
            self.request_empty("PUT", &path, Some(&body))?;
        }
        if let Some(policy) = &update.policy {
            let body = encode(&api::UpdateEndpointPolicyRequest::from_model(policy))?;
            let path = self.path(&format!("vpc-endpoints/{id}/policy"));
            self.request_empty("PUT", &path, Some(&body))?;
        }
        Ok(())
    }

    fn delete_endpoint(&self, id: &str) -> CloudResult<()> {
        self.request_empty("DELETE", &self.path(&format!("vpc-endpoints/{id}")), None)
    }

    fn list_public_services(&self) -> CloudResult<Vec<PublicService>> {
        let path = self.path("vpc-endpoint-services/public");
        let operation = format!("GET {path}");
        self.list_all::<api::PublicServiceListWire>(&path, PAGE, &[])?
            .iter()
            .map(|w| w.to_model().map_err(|e| malformed(&operation, &e)))
            .collect()
    }

    fn quotas(&self) -> CloudResult<Quotas> {
        let path = self.path("quotas");
        let read = |kind: &str| -> CloudResult<api::QuotaWire> {
            self.request("GET", &path, &[("type".to_owned(), kind.to_owned())], None)
        };
        let bad = |e: String| malformed(&format!("GET {path}"), &e);
        let services = read("endpoint_service")?;
        let (services_used, services_quota) = services.of("endpoint_service").map_err(bad)?;
        // The answer may carry both types; ask for the endpoints' only when it does not.
        let (endpoints_used, endpoints_quota) = match services.of("endpoint") {
            Ok(q) => q,
            Err(_) => read("endpoint")?.of("endpoint").map_err(bad)?,
        };
        Ok(Quotas {
            services_used,
            services_quota,
            endpoints_used,
            endpoints_quota,
        })
    }
}

/// Tags change by deleting the old values, then creating the new ones.
fn tags_action(
    cloud: &HttpCloud,
    kind: &str,
    id: &str,
    set: &IndexMap<String, String>,
    delete: &[String],
) -> CloudResult<()> {
    let path = cloud.path(&format!("{kind}/{id}/tags/action"));
    let send = |action: &str, tags: Vec<api::TagWire>| -> CloudResult<()> {
        let body = serde_json::to_vec(&api::TagsActionRequest {
            action: action.to_owned(),
            tags,
        })
        .map_err(|e| CloudError::new(0, "Internal", e.to_string()))?;
        cloud.request_empty("POST", &path, Some(&body))
    };
    let gone: Vec<api::TagWire> = delete
        .iter()
        .chain(set.keys())
        .map(|k| api::TagWire {
            key: k.clone(),
            value: None,
        })
        .collect();
    if !gone.is_empty() {
        send("delete", gone)?;
    }
    if !set.is_empty() {
        send(
            "create",
            set.iter()
                .map(|(k, v)| api::TagWire {
                    key: k.clone(),
                    value: Some(v.clone()),
                })
                .collect(),
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirect_targets_are_shown_without_credentials() {
        assert_eq!(redact_url("http://u:p@evil/x"), "http://evil/x");
        assert_eq!(redact_url("http://evil/x"), "http://evil/x");
    }
}

#[cfg(test)]
mod endpoint_tests {
    use super::HttpCloud;
    use crate::model::CloudProfile;

    #[test]
    fn each_profile_derives_its_own_clouds_endpoint_from_the_region() {
        assert_eq!(
            HttpCloud::endpoint_for(CloudProfile::Otc, "eu-de"),
            "https://vpcep.eu-de.otc.t-systems.com"
        );
        assert_eq!(
            HttpCloud::endpoint_for(CloudProfile::OtcSwiss, "eu-ch2"),
            "https://vpcep.eu-ch2.sc.otc.t-systems.com"
        );
        assert_eq!(
            HttpCloud::endpoint_for(CloudProfile::Huawei, "ap-southeast-1"),
            "https://vpcep.ap-southeast-1.myhuaweicloud.com"
        );
    }
}
