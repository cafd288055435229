//! `provider "otc"`: the VPCEP v1 REST API over HTTPS (or HTTP to the emulator), with token or
//! AK/SK authentication, timeouts, bounded retries with exponential backoff and jitter, paging,
//! and creates that are never blindly repeated.

use super::Cloud;
use super::api;
use super::sign::{Credentials, SignedParts, authorization, percent_encode, sdk_date};
use super::types::{
    CloudError, CloudResult, Connection, ConnectionAction, Endpoint, EndpointSpec, Quotas, Service,
    ServiceSpec, ServiceUpdate,
};
use crate::model::OtcConfig;
use indexmap::IndexMap;
use serde_json::{Value as Json, json};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

/// Most attempts of one request (the first one included).
pub const MAX_ATTEMPTS: u32 = 8;
const PAGE: usize = 1000;
const PERMISSIONS_PAGE: usize = 500;
/// Requests in flight at once when reading per-service details (whitelists).
const FAN_OUT: usize = 8;

pub struct HttpCloud {
    agent: ureq::Agent,
    /// `scheme://host[:port]`, without a trailing slash.
    base: String,
    host: String,
    project_id: String,
    credentials: Credentials,
    requests: AtomicU64,
    rng: super::rng::Rng,
    poll: Duration,
}

fn retryable(e: &CloudError) -> bool {
    e.status == 0
        || e.status == 429
        || e.status >= 500
        || e.code.eq_ignore_ascii_case("EndPoint.0022")
}

impl HttpCloud {
    /// The endpoint of a region: `https://vpcep.<region>.otc.t-systems.com`.
    pub fn endpoint_for(region: &str) -> String {
        format!("https://vpcep.{region}.otc.t-systems.com")
    }

    pub fn new(config: &OtcConfig, credentials: Credentials) -> Result<Self, String> {
        let base = match (&config.endpoint, &config.region) {
            (Some(e), _) => e.trim_end_matches('/').to_owned(),
            (None, Some(r)) => Self::endpoint_for(r),
            (None, None) => {
                return Err("`provider \"otc\"` needs a `region` or an `endpoint`".into());
            }
        };
        let host = base
            .split_once("://")
            .map(|(_, rest)| rest.split('/').next().unwrap_or(rest).to_owned())
            .ok_or_else(|| format!("the endpoint `{base}` is not a URL such as https://vpcep.eu-de.otc.t-systems.com"))?;
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
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
        Ok(HttpCloud {
            agent,
            base,
            host,
            project_id: config.project_id.clone(),
            credentials,
            requests: AtomicU64::new(0),
            rng: super::rng::Rng::new(seed),
            poll: Duration::from_secs(2),
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

    /// One HTTP exchange, without retries.
    fn exchange(
        &self,
        method: &str,
        path: &str,
        query: &[(String, String)],
        body: Option<&Json>,
    ) -> CloudResult<(u16, Json)> {
        self.requests.fetch_add(1, Ordering::Relaxed);
        let body_bytes = body.map(|b| b.to_string().into_bytes()).unwrap_or_default();
        let query_string: Vec<String> = query
            .iter()
            .map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(v)))
            .collect();
        let url = if query.is_empty() {
            format!("{}{path}", self.base)
        } else {
            format!("{}{path}?{}", self.base, query_string.join("&"))
        };
        let mut headers: Vec<(String, String)> = vec![
            ("Content-Type".into(), "application/json".into()),
            ("Host".into(), self.host.clone()),
            ("X-Project-Id".into(), self.project_id.clone()),
        ];
        match &self.credentials {
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
                    body: &body_bytes,
                };
                let auth = authorization(access_key, secret_key, &parts);
                headers.push(("Authorization".into(), auth));
            }
        }
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
                b.send(&body_bytes[..])
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
        let text = response.body_mut().read_to_string().unwrap_or_default();
        let json: Json = if text.trim().is_empty() {
            Json::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Json::Null)
        };
        if status < 300 {
            return Ok((status, json));
        }
        let code = json["error_code"]
            .as_str()
            .unwrap_or(if status == 401 {
                "EndPoint.0003"
            } else {
                "HTTP"
            })
            .to_owned();
        let message = json["error_msg"]
            .as_str()
            .or_else(|| json["error_message"].as_str())
            .unwrap_or("no error message")
            .to_owned();
        let mut e = CloudError::new(
            status,
            &code,
            format!("{message} ({operation}, HTTP {status})"),
        );
        if status == 401 || status == 403 {
            e.message = format!(
                "{message} ({operation}, HTTP {status}); check OS_AUTH_TOKEN, or OS_ACCESS_KEY and OS_SECRET_KEY, and the project ID"
            );
        }
        Err(e)
    }

    /// An idempotent request, retried with backoff on throttling, server errors and lost
    /// connections. (Creates go through [`HttpCloud::create`] instead.)
    fn request(
        &self,
        method: &str,
        path: &str,
        query: &[(String, String)],
        body: Option<&Json>,
    ) -> CloudResult<Json> {
        let mut attempt = 0;
        loop {
            match self.exchange(method, path, query, body) {
                Ok((_, json)) => return Ok(json),
                Err(e) if retryable(&e) && attempt + 1 < MAX_ATTEMPTS => {
                    std::thread::sleep(self.backoff(attempt));
                    attempt += 1;
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Every page of a list.
    fn list_all(
        &self,
        path: &str,
        key: &str,
        page: usize,
        extra: &[(String, String)],
    ) -> CloudResult<Vec<Json>> {
        let mut out = Vec::new();
        loop {
            let mut query = vec![
                ("limit".to_owned(), page.to_string()),
                ("offset".to_owned(), out.len().to_string()),
            ];
            query.extend(extra.iter().cloned());
            let json = self.request("GET", path, &query, None)?;
            let items = json[key].as_array().cloned().unwrap_or_default();
            let total = json["total_count"]
                .as_u64()
                .map_or(usize::MAX, |t| usize::try_from(t).unwrap_or(usize::MAX));
            let got = items.len();
            out.extend(items);
            if got == 0 || out.len() >= total {
                return Ok(out);
            }
        }
    }

    fn whitelist(&self, id: &str) -> CloudResult<Vec<String>> {
        let list = self.list_all(
            &self.path(&format!("vpc-endpoint-services/{id}/permissions")),
            "permissions",
            PERMISSIONS_PAGE,
            &[],
        )?;
        let mut out: Vec<String> = list
            .iter()
            .filter_map(|p| p["permission"].as_str().map(str::to_owned))
            .collect();
        out.sort();
        Ok(out)
    }

    /// Runs a create; when its answer is lost (timeout, 5xx, 429), looks for what it created
    /// before trying again, so nothing is created twice.
    fn create<T>(
        &self,
        path: &str,
        body: &Json,
        find: impl Fn(&Self, &str) -> CloudResult<Option<T>>,
        parse: impl Fn(&Json) -> T,
    ) -> CloudResult<T> {
        let since = humantime::format_rfc3339_seconds(SystemTime::now() - Duration::from_secs(1))
            .to_string();
        let mut attempt = 0;
        loop {
            match self.exchange("POST", path, &[], Some(body)) {
                Ok((_, json)) => return Ok(parse(&json)),
                Err(e) if retryable(&e) && attempt + 1 < MAX_ATTEMPTS => {
                    std::thread::sleep(self.backoff(attempt));
                    if let Some(found) = find(self, &since)? {
                        return Ok(found);
                    }
                    attempt += 1;
                }
                Err(e) => return Err(e),
            }
        }
    }
}

impl Cloud for HttpCloud {
    fn describe(&self) -> String {
        format!(
            "the VPCEP API at {} (project {})",
            self.base, self.project_id
        )
    }

    fn is_simulated(&self) -> bool {
        false
    }

    fn poll_interval(&self) -> Duration {
        self.poll
    }

    fn list_services(&self) -> CloudResult<Vec<Service>> {
        let items = self.list_all(
            &self.path("vpc-endpoint-services"),
            "endpoint_services",
            PAGE,
            &[],
        )?;
        // The whitelist is not part of the service object: read it per service, a few at a time.
        let ids: Vec<String> = items
            .iter()
            .map(|i| i["id"].as_str().unwrap_or_default().to_owned())
            .collect();
        let results: Mutex<Vec<Option<CloudResult<Vec<String>>>>> =
            Mutex::new(vec![None; ids.len()]);
        let next = AtomicU64::new(0);
        std::thread::scope(|scope| {
            for _ in 0..FAN_OUT.min(ids.len()) {
                scope.spawn(|| {
                    loop {
                        let i = usize::try_from(next.fetch_add(1, Ordering::Relaxed))
                            .unwrap_or(usize::MAX);
                        if i >= ids.len() {
                            break;
                        }
                        let r = self.whitelist(&ids[i]);
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
        items
            .iter()
            .zip(results)
            .map(|(item, whitelist)| {
                Ok(api::service_from_json(
                    item,
                    whitelist.unwrap_or_else(|| Ok(Vec::new()))?,
                ))
            })
            .collect()
    }

    fn get_service(&self, id: &str) -> CloudResult<Option<Service>> {
        match self.request(
            "GET",
            &self.path(&format!("vpc-endpoint-services/{id}")),
            &[],
            None,
        ) {
            Ok(json) => Ok(Some(api::service_from_json(&json, self.whitelist(id)?))),
            Err(e) if e.status == 404 => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn create_service(&self, spec: &ServiceSpec) -> CloudResult<Service> {
        let body = api::service_create_body(spec);
        let port_id = spec.port_id.clone();
        let created = self.create(
            &self.path("vpc-endpoint-services"),
            &body,
            |me, _since| {
                // Only the service objects: the whitelist is set after the create anyway.
                let items = me.list_all(
                    &me.path("vpc-endpoint-services"),
                    "endpoint_services",
                    PAGE,
                    &[],
                )?;
                Ok(items
                    .iter()
                    .map(|i| api::service_from_json(i, Vec::new()))
                    .find(|s| s.port_id == port_id))
            },
            |json| api::service_from_json(json, Vec::new()),
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
        let json = self.request(
            "PUT",
            &self.path(&format!("vpc-endpoint-services/{id}")),
            &[],
            Some(&api::service_update_body(update)),
        )?;
        Ok(api::service_from_json(&json, self.whitelist(id)?))
    }

    fn delete_service(&self, id: &str) -> CloudResult<()> {
        self.request(
            "DELETE",
            &self.path(&format!("vpc-endpoint-services/{id}")),
            &[],
            None,
        )
        .map(|_| ())
    }

    fn update_whitelist(&self, id: &str, add: &[String], remove: &[String]) -> CloudResult<()> {
        let path = self.path(&format!("vpc-endpoint-services/{id}/permissions/action"));
        for (action, list) in [("remove", remove), ("add", add)] {
            if !list.is_empty() {
                self.request(
                    "POST",
                    &path,
                    &[],
                    Some(&json!({"action": action, "permissions": list})),
                )?;
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
        let items = self.list_all(
            &self.path(&format!("vpc-endpoint-services/{service_id}/connections")),
            "connections",
            PAGE,
            &[],
        )?;
        Ok(items.iter().map(api::connection_from_json).collect())
    }

    fn connection_action(
        &self,
        service_id: &str,
        action: ConnectionAction,
        endpoint_id: &str,
    ) -> CloudResult<()> {
        let body = json!({"action": action.as_str(), "endpoints": [endpoint_id]});
        match self.request(
            "POST",
            &self.path(&format!(
                "vpc-endpoint-services/{service_id}/connections/action"
            )),
            &[],
            Some(&body),
        ) {
            // Accepting what a lost answer already accepted.
            Err(e) if e.code.eq_ignore_ascii_case("EndPoint.2014") => Ok(()),
            other => other.map(|_| ()),
        }
    }

    fn list_endpoints(&self) -> CloudResult<Vec<Endpoint>> {
        let items = self.list_all(&self.path("vpc-endpoints"), "endpoints", PAGE, &[])?;
        Ok(items.iter().map(api::endpoint_from_json).collect())
    }

    fn get_endpoint(&self, id: &str) -> CloudResult<Option<Endpoint>> {
        match self.request("GET", &self.path(&format!("vpc-endpoints/{id}")), &[], None) {
            Ok(json) => Ok(Some(api::endpoint_from_json(&json))),
            Err(e) if e.status == 404 => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn create_endpoint(&self, spec: &EndpointSpec) -> CloudResult<Endpoint> {
        let body = api::endpoint_create_body(spec);
        let key = (
            spec.service_id.clone(),
            spec.vpc_id.clone(),
            spec.subnet_id.clone(),
        );
        self.create(
            &self.path("vpc-endpoints"),
            &body,
            |me, since| {
                Ok(me.list_endpoints()?.into_iter().find(|e| {
                    (e.service_id.clone(), e.vpc_id.clone(), e.subnet_id.clone()) == key
                        && e.created_at.as_str() >= since
                }))
            },
            api::endpoint_from_json,
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

    fn delete_endpoint(&self, id: &str) -> CloudResult<()> {
        self.request(
            "DELETE",
            &self.path(&format!("vpc-endpoints/{id}")),
            &[],
            None,
        )
        .map(|_| ())
    }

    fn quotas(&self) -> CloudResult<Quotas> {
        let read = |kind: &str| -> CloudResult<(u32, u32)> {
            let json = self.request(
                "GET",
                &self.path("quotas"),
                &[("type".to_owned(), kind.to_owned())],
                None,
            )?;
            Ok(api::quota_from_json(&json))
        };
        let (services_used, services_quota) = read("endpoint_service")?;
        let (endpoints_used, endpoints_quota) = read("endpoint")?;
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
    let mut gone: Vec<Json> = delete.iter().map(|k| json!({"key": k})).collect();
    gone.extend(set.keys().map(|k| json!({"key": k})));
    if !gone.is_empty() {
        cloud.request(
            "POST",
            &path,
            &[],
            Some(&json!({"action": "delete", "tags": gone})),
        )?;
    }
    if !set.is_empty() {
        let tags: Vec<Json> = set
            .iter()
            .map(|(k, v)| json!({"key": k, "value": v}))
            .collect();
        cloud.request(
            "POST",
            &path,
            &[],
            Some(&json!({"action": "create", "tags": tags})),
        )?;
    }
    Ok(())
}
