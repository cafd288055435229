//! `vpcep emulator`: the simulated cloud served over the real VPCEP v1 REST paths and JSON
//! shapes, with token or AK/SK authentication and injectable latency and failures, so the HTTP
//! client is tested end to end over loopback (and users can demo against it).
//!
//! Each project ID in a request path is an account of its own (its domain ID is the project
//! ID), all sharing one store.

use super::Cloud;
use super::api;
use super::sign::{Secret, SignedParts, verify};
use super::sim::Sim;
use super::types::{CloudError, ConnectionAction};
use crate::model::SimConfig;
use serde_json::{Value as Json, json};
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
    pub quota_services: u32,
    pub quota_endpoints: u32,
}

pub struct Emulator {
    config: EmulatorConfig,
    accounts: Mutex<HashMap<String, Arc<Sim>>>,
    rng: super::rng::Rng,
    requests: AtomicU64,
}

struct Response {
    status: u16,
    body: Option<Json>,
}

fn ok(body: Json) -> Response {
    Response {
        status: 200,
        body: Some(body),
    }
}

fn no_content() -> Response {
    Response {
        status: 204,
        body: None,
    }
}

fn err(e: &CloudError) -> Response {
    Response {
        status: if e.status == 0 { 500 } else { e.status },
        body: Some(api::error_to_json(e)),
    }
}

fn bad(code: &str, message: &str) -> Response {
    err(&CloudError::new(400, code, message))
}

impl Emulator {
    pub fn new(config: EmulatorConfig) -> Self {
        let seed = config.seed.max(1);
        Emulator {
            config,
            accounts: Mutex::new(HashMap::new()),
            rng: super::rng::Rng::new(seed),
            requests: AtomicU64::new(0),
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
            return Err(bad("EndPoint.0014", "invalid project ID"));
        }
        let mut accounts = self
            .accounts
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(sim) = accounts.get(project_id) {
            return Ok(sim.clone());
        }
        let config = SimConfig {
            path: self.config.data.clone(),
            create_delay: self.config.create_delay,
            quota_services: self.config.quota_services,
            quota_endpoints: self.config.quota_endpoints,
            domain_id: project_id.to_owned(),
            project_id: project_id.to_owned(),
        };
        let sim = Arc::new(
            Sim::open(&config, std::path::Path::new("."))
                .map_err(|e| err(&CloudError::new(500, "EndPoint.0001", e)))?,
        );
        accounts.insert(project_id.to_owned(), sim.clone());
        Ok(sim)
    }

    fn authenticate(
        &self,
        method: &str,
        path: &str,
        query: &[(String, String)],
        headers: &[(String, String)],
        body: &[u8],
    ) -> Result<(), Response> {
        let header = |name: &str| {
            headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.as_str())
        };
        let denied = |why: &str| {
            Err(Response {
                status: 401,
                body: Some(
                    json!({"error_code": "EndPoint.0003", "error_msg": format!("Authentication failed: {why}")}),
                ),
            })
        };
        if let Some(auth) = header("Authorization") {
            let Some((ak, sk)) = &self.config.access_key else {
                return denied("AK/SK signing is not enabled on this emulator");
            };
            // Every header named in SignedHeaders is signed; pass them all.
            let parts = SignedParts {
                method,
                path,
                query,
                headers,
                body,
            };
            return match verify(auth, ak, sk, &parts) {
                Ok(()) => Ok(()),
                Err(e) => denied(&e),
            };
        }
        match (header("X-Auth-Token"), &self.config.token) {
            (Some(given), Some(token)) if given == token.expose() => Ok(()),
            (Some(_), Some(_)) => denied("the token is not valid"),
            (None, _) if self.config.token.is_some() || self.config.access_key.is_some() => {
                denied("no X-Auth-Token or Authorization header")
            }
            _ => Ok(()),
        }
    }

    /// Handles one request: `(status, JSON body)`.
    pub fn handle(
        &self,
        method: &str,
        url: &str,
        headers: &[(String, String)],
        body: &[u8],
    ) -> (u16, Option<Json>) {
        self.requests.fetch_add(1, Ordering::Relaxed);
        let (path, query) = split_url(url);
        if path == "/_emulator/stats" {
            return (200, Some(json!({"requests": self.requests()})));
        }
        if let Err(r) = self.authenticate(method, &path, &query, headers, body) {
            return (r.status, r.body);
        }
        if !self.config.latency.is_zero() {
            std::thread::sleep(self.config.latency);
        }
        let inject = self.config.error_rate > 0.0 && self.random() < self.config.error_rate;
        let after = inject && method == "POST" && self.random() < 0.5;
        if inject && !after {
            return if self.random() < 0.5 {
                (
                    429,
                    Some(
                        json!({"error_code": "APIGW.0308", "error_msg": "The request is throttled."}),
                    ),
                )
            } else {
                (
                    500,
                    Some(
                        json!({"error_code": "EndPoint.0001", "error_msg": "System error (injected)."}),
                    ),
                )
            };
        }
        let body: Json = if body.is_empty() {
            Json::Null
        } else {
            serde_json::from_slice(body).unwrap_or(Json::Null)
        };
        let r = self.route(method, &path, &query, &body);
        if after {
            // The work was done, but the answer is lost: the client must find out.
            return (
                500,
                Some(
                    json!({"error_code": "EndPoint.0001", "error_msg": "System error (injected after the change)."}),
                ),
            );
        }
        (r.status, r.body)
    }

    fn route(&self, method: &str, path: &str, query: &[(String, String)], body: &Json) -> Response {
        let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
        let ["v1", project, rest @ ..] = segments.as_slice() else {
            return Response {
                status: 404,
                body: Some(
                    json!({"error_code": "APIGW.0101", "error_msg": "The API does not exist."}),
                ),
            };
        };
        let sim = match self.account(project) {
            Ok(s) => s,
            Err(r) => return r,
        };
        let q = |name: &str| {
            query
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
        };
        let page = |total: usize| -> (usize, usize) {
            let limit = q("limit")
                .and_then(|l| l.parse().ok())
                .unwrap_or(10)
                .min(1000);
            let offset = q("offset")
                .and_then(|o| o.parse().ok())
                .unwrap_or(0)
                .min(total);
            (offset, (offset + limit).min(total))
        };
        let result: Result<Response, CloudError> = (|| match (method, rest) {
            ("GET", ["vpc-endpoint-services"]) => {
                let mut all = sim.list_services()?;
                if let Some(id) = q("id") {
                    all.retain(|s| s.id == id);
                }
                if let Some(name) = q("endpoint_service_name") {
                    all.retain(|s| s.service_name.to_lowercase().contains(&name.to_lowercase()));
                }
                let (from, to) = page(all.len());
                let list: Vec<Json> = all[from..to]
                    .iter()
                    .map(|s| api::service_to_json(s, project))
                    .collect();
                Ok(ok(
                    json!({"endpoint_services": list, "total_count": all.len()}),
                ))
            }
            ("POST", ["vpc-endpoint-services"]) => {
                let created = sim.create_service(&api::service_spec_from(body))?;
                Ok(ok(api::service_to_json(&created, project)))
            }
            ("GET", ["vpc-endpoint-services", id]) => match sim.get_service(id)? {
                Some(s) => Ok(ok(api::service_to_json(&s, project))),
                None => Err(CloudError::new(
                    404,
                    "EndPoint.0005",
                    format!("the endpoint service {id} does not exist"),
                )),
            },
            ("PUT", ["vpc-endpoint-services", id]) => {
                let s = sim.update_service(id, &api::service_update_from(body))?;
                Ok(ok(api::service_to_json(&s, project)))
            }
            ("DELETE", ["vpc-endpoint-services", id]) => {
                sim.delete_service(id)?;
                Ok(no_content())
            }
            ("GET", ["vpc-endpoint-services", id, "connections"]) => {
                let all = sim.list_connections(id)?;
                let (from, to) = page(all.len());
                let list: Vec<Json> = all[from..to].iter().map(api::connection_to_json).collect();
                Ok(ok(json!({"connections": list, "total_count": all.len()})))
            }
            ("POST", ["vpc-endpoint-services", id, "connections", "action"]) => {
                let action = match body["action"].as_str() {
                    Some("receive") => ConnectionAction::Receive,
                    Some("reject") => ConnectionAction::Reject,
                    _ => return Err(CloudError::new(400, "EndPoint.0007", "invalid action")),
                };
                let endpoints: Vec<&str> = body["endpoints"]
                    .as_array()
                    .map(|a| a.iter().filter_map(Json::as_str).collect())
                    .unwrap_or_default();
                let [endpoint] = endpoints.as_slice() else {
                    return Err(CloudError::new(
                        400,
                        "EndPoint.2031",
                        "Only one endpoint is allowed.",
                    ));
                };
                sim.connection_action(id, action, endpoint)?;
                let list: Vec<Json> = sim
                    .list_connections(id)?
                    .iter()
                    .filter(|c| c.endpoint_id == *endpoint)
                    .map(api::connection_to_json)
                    .collect();
                Ok(ok(json!({"connections": list})))
            }
            ("GET", ["vpc-endpoint-services", id, "permissions"]) => {
                let service = sim.get_service(id)?.ok_or_else(|| {
                    CloudError::new(
                        404,
                        "EndPoint.0005",
                        format!("the endpoint service {id} does not exist"),
                    )
                })?;
                let (from, to) = page(service.whitelist.len());
                let list: Vec<Json> = service.whitelist[from..to]
                    .iter()
                    .map(|p| json!({"id": p, "permission": p, "permission_type": "domainId", "created_at": service.created_at}))
                    .collect();
                Ok(ok(
                    json!({"permissions": list, "total_count": service.whitelist.len()}),
                ))
            }
            ("POST", ["vpc-endpoint-services", id, "permissions", "action"]) => {
                let list: Vec<String> = body["permissions"]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter_map(|p| p.as_str().map(str::to_owned))
                            .collect()
                    })
                    .unwrap_or_default();
                if list.is_empty() {
                    return Err(CloudError::new(
                        400,
                        "EndPoint.3036",
                        "the permission list is empty",
                    ));
                }
                match body["action"].as_str() {
                    Some("add") => sim.update_whitelist(id, &list, &[])?,
                    Some("remove") => sim.update_whitelist(id, &[], &list)?,
                    _ => return Err(CloudError::new(400, "EndPoint.0007", "invalid action")),
                }
                let now = sim
                    .get_service(id)?
                    .map(|s| s.whitelist)
                    .unwrap_or_default();
                Ok(ok(json!({"permissions": now})))
            }
            (
                "POST",
                [
                    kind @ ("endpoint_service" | "endpoint"),
                    id,
                    "tags",
                    "action",
                ],
            ) => {
                let tags = body["tags"].as_array().cloned().unwrap_or_default();
                let (set, delete): (indexmap::IndexMap<String, String>, Vec<String>) =
                    match body["action"].as_str() {
                        Some("create") => (
                            tags.iter()
                                .map(|t| {
                                    (
                                        t["key"].as_str().unwrap_or_default().to_owned(),
                                        t["value"].as_str().unwrap_or_default().to_owned(),
                                    )
                                })
                                .collect(),
                            Vec::new(),
                        ),
                        Some("delete") => (
                            indexmap::IndexMap::new(),
                            tags.iter()
                                .filter_map(|t| t["key"].as_str().map(str::to_owned))
                                .collect(),
                        ),
                        _ => return Err(CloudError::new(400, "EndPoint.0007", "invalid action")),
                    };
                if *kind == "endpoint_service" {
                    sim.update_service_tags(id, &set, &delete)?;
                } else {
                    sim.update_endpoint_tags(id, &set, &delete)?;
                }
                Ok(no_content())
            }
            ("GET", ["vpc-endpoints"]) => {
                let all = sim.list_endpoints()?;
                let (from, to) = page(all.len());
                let list: Vec<Json> = all[from..to]
                    .iter()
                    .map(|e| api::endpoint_to_json(e, project))
                    .collect();
                Ok(ok(json!({"endpoints": list, "total_count": all.len()})))
            }
            ("POST", ["vpc-endpoints"]) => {
                let created = sim.create_endpoint(&api::endpoint_spec_from(body))?;
                Ok(ok(api::endpoint_to_json(&created, project)))
            }
            ("GET", ["vpc-endpoints", id]) => match sim.get_endpoint(id)? {
                Some(e) => Ok(ok(api::endpoint_to_json(&e, project))),
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
            ("GET", ["quotas"]) => {
                let quotas = sim.quotas()?;
                Ok(ok(api::quotas_to_json(
                    &quotas,
                    q("type").unwrap_or("endpoint_service"),
                )))
            }
            _ => Ok(Response {
                status: 404,
                body: Some(
                    json!({"error_code": "APIGW.0101", "error_msg": format!("The API does not exist: {method} {path}")}),
                ),
            }),
        })();
        match result {
            Ok(r) => r,
            Err(e) => err(&e),
        }
    }

    /// Serves until the process ends, with a pool of worker threads.
    pub fn serve(self: Arc<Self>, server: tiny_http::Server) {
        let server = Arc::new(server);
        let workers: Vec<_> = (0..16)
            .map(|_| {
                let server = server.clone();
                let emulator = self.clone();
                std::thread::spawn(move || {
                    while let Ok(mut request) = server.recv() {
                        let method = request.method().as_str().to_owned();
                        let url = request.url().to_owned();
                        let headers: Vec<(String, String)> = request
                            .headers()
                            .iter()
                            .map(|h| {
                                (
                                    h.field.as_str().as_str().to_owned(),
                                    h.value.as_str().to_owned(),
                                )
                            })
                            .collect();
                        let mut body = Vec::new();
                        let _ = request.as_reader().read_to_end(&mut body);
                        let (status, json) = emulator.handle(&method, &url, &headers, &body);
                        let text = json.map(|j| j.to_string()).unwrap_or_default();
                        let mut response =
                            tiny_http::Response::from_string(text).with_status_code(status);
                        if let Ok(h) =
                            tiny_http::Header::from_bytes("Content-Type", "application/json")
                        {
                            response.add_header(h);
                        }
                        let _ = request.respond(response);
                    }
                })
            })
            .collect();
        for w in workers {
            let _ = w.join();
        }
    }
}

/// Splits `/path?a=1&b=2` into the path and decoded query pairs.
pub fn split_url(url: &str) -> (String, Vec<(String, String)>) {
    let (path, query) = url.split_once('?').unwrap_or((url, ""));
    let pairs = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect();
    (percent_decode(path), pairs)
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Ok(b) = u8::from_str_radix(&s[i + 1..i + 3], 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(if bytes[i] == b'+' { b' ' } else { bytes[i] });
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
