//! The emulator's IAM (`vpcep emulator --iam FILE`): accounts (domains) with users and
//! passwords, access keys, projects and agencies, read from a JSON file; it issues tokens
//! (password, token, agency), temporary AK/SK, answers project lookups, and tells who sent a
//! VPCEP request and whether that identity may act in the request's project.
//!
//! The file:
//! ```json
//! {"token_lifetime": "1h",
//!  "domains": {"acme": {"id": "…32 hex, optional…",
//!    "projects": {"eu-de": null},
//!    "users": {"alice": {"password": "…"}},
//!    "access_keys": {"AKACME": {"secret": "…", "user": "alice"}},
//!    "agencies": {"vpcep-admin": {"trusts": "partner"}}}}}
//! ```
//! Omitted IDs are derived from the names, so a file stays short and IDs stay stable.

use super::sign::{Secret, SignedParts, verify};
use serde::Deserialize;
use serde_json::{Value as Json, json};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileWire {
    #[serde(default)]
    token_lifetime: Option<String>,
    domains: indexmap::IndexMap<String, DomainWire>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DomainWire {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    projects: indexmap::IndexMap<String, Option<String>>,
    #[serde(default)]
    users: indexmap::IndexMap<String, UserWire>,
    #[serde(default)]
    access_keys: indexmap::IndexMap<String, KeyWire>,
    #[serde(default)]
    agencies: indexmap::IndexMap<String, AgencyWire>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UserWire {
    password: String,
    #[serde(default)]
    id: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyWire {
    secret: String,
    user: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AgencyWire {
    /// The account (by name) whose users may act through the agency.
    trusts: String,
}

struct Domain {
    name: String,
    id: String,
    /// `(name, id)`.
    projects: Vec<(String, String)>,
    /// `(name, id, password)`.
    users: Vec<(String, String, Secret)>,
    /// Access key → (secret, user name).
    keys: HashMap<String, (Secret, String)>,
    /// Agency name → trusted domain name.
    agencies: HashMap<String, String>,
}

/// Who acts: the account whose resources are touched, and how it is described in records.
#[derive(Clone, Debug)]
struct Actor {
    /// The account acted in.
    domain: usize,
    /// The signer's own account and user (an agency's actor acts in another account).
    user_domain: usize,
    user: String,
    /// `Some(agency)` when acting through an agency.
    agency: Option<String>,
    described: String,
}

struct Token {
    actor: Actor,
    project: Option<String>,
    expires: Instant,
}

struct TemporaryKey {
    secret: Secret,
    security_token: String,
    actor: Actor,
    expires: Instant,
}

#[derive(Default)]
struct Issued {
    tokens: HashMap<String, Token>,
    keys: HashMap<String, TemporaryKey>,
    counter: u64,
}

/// The IAM directory and what it has issued.
pub struct Directory {
    domains: Vec<Domain>,
    lifetime: Duration,
    issued: Mutex<Issued>,
    seed: u64,
}

impl std::fmt::Debug for Directory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Directory")
            .field("accounts", &self.domains.len())
            .field("token_lifetime", &self.lifetime)
            .finish_non_exhaustive()
    }
}

/// An answer: status, extra headers, JSON body.
pub type Reply = (u16, Vec<(String, String)>, Json);

fn derived_id(what: &str) -> String {
    super::sign::sha256_hex(what.as_bytes())[..32].to_owned()
}

fn keystone_error(status: u16, message: &str) -> Reply {
    let title = match status {
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        _ => "Bad Request",
    };
    (
        status,
        Vec::new(),
        json!({"error": {"code": status, "title": title, "message": message}}),
    )
}

impl Directory {
    /// Reads the directory file; `lifetime` overrides the file's token lifetime.
    pub fn load(path: &std::path::Path, lifetime: Option<Duration>) -> Result<Self, String> {
        let text =
            crate::fsio::read_text(path, 1 << 20, "the IAM file").map_err(|e| e.to_string())?;
        let wire: FileWire = serde_json::from_str(&text)
            .map_err(|e| format!("`{}` is not an IAM file: {e}", path.display()))?;
        let lifetime = match (lifetime, &wire.token_lifetime) {
            (Some(l), _) => l,
            (None, Some(text)) => humantime::parse_duration(text)
                .map_err(|e| format!("`token_lifetime` in `{}`: {e}", path.display()))?,
            (None, None) => Duration::from_secs(24 * 3600),
        };
        let mut domains = Vec::new();
        for (name, d) in wire.domains {
            let id =
                d.id.unwrap_or_else(|| derived_id(&format!("domain {name}")));
            let projects = d
                .projects
                .into_iter()
                .map(|(p, pid)| {
                    let pid = pid.unwrap_or_else(|| derived_id(&format!("project {name} {p}")));
                    (p, pid)
                })
                .collect();
            let users = d
                .users
                .into_iter()
                .map(|(u, w)| {
                    let uid =
                        w.id.unwrap_or_else(|| derived_id(&format!("user {name} {u}")));
                    (u, uid, Secret::new(w.password))
                })
                .collect::<Vec<_>>();
            let mut keys = HashMap::new();
            for (ak, k) in d.access_keys {
                if !users.iter().any(|(u, _, _)| *u == k.user) {
                    return Err(format!(
                        "`{}`: access key `{ak}` belongs to `{}`, who is not a user of `{name}`",
                        path.display(),
                        k.user
                    ));
                }
                keys.insert(ak, (Secret::new(k.secret), k.user));
            }
            let agencies = d.agencies.into_iter().map(|(a, w)| (a, w.trusts)).collect();
            domains.push(Domain {
                name,
                id,
                projects,
                users,
                keys,
                agencies,
            });
        }
        Ok(Directory {
            domains,
            lifetime,
            issued: Mutex::new(Issued::default()),
            seed: SystemTime::now()
                .duration_since(SystemTime::UNIX_EPOCH)
                .map_or(1, |d| {
                    u64::try_from(d.as_nanos() & 0xffff_ffff_ffff).unwrap_or(1)
                }),
        })
    }

    /// Everything issued so far that is secret (tokens, temporary secret keys and security
    /// tokens), and how many tokens: for tests that search outputs for leaked secrets.
    pub fn issued_secrets(&self) -> (usize, Vec<String>) {
        let issued = self.issued();
        let mut out: Vec<String> = issued.tokens.keys().cloned().collect();
        for k in issued.keys.values() {
            out.push(k.secret.expose().to_owned());
            out.push(k.security_token.clone());
        }
        (issued.tokens.len(), out)
    }

    /// Revokes every token and temporary key issued so far (as a password change or an
    /// administrator would): their next use is answered 401.
    pub fn revoke(&self) {
        let mut issued = self.issued();
        for t in issued.tokens.values_mut() {
            t.expires = Instant::now();
        }
        for k in issued.keys.values_mut() {
            k.expires = Instant::now();
        }
    }

    /// The account (domain ID) that owns a project.
    pub fn domain_of_project(&self, project: &str) -> Option<String> {
        self.domains
            .iter()
            .find(|d| d.projects.iter().any(|(_, id)| id == project))
            .map(|d| d.id.clone())
    }

    fn issued(&self) -> std::sync::MutexGuard<'_, Issued> {
        self.issued
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn fresh(&self, what: &str) -> String {
        let mut issued = self.issued();
        issued.counter += 1;
        let n = issued.counter;
        drop(issued);
        super::sign::sha256_hex(format!("{what} {} {n}", self.seed).as_bytes())
    }

    fn domain_named(&self, name: Option<&str>, id: Option<&str>) -> Option<usize> {
        self.domains
            .iter()
            .position(|d| Some(d.name.as_str()) == name || Some(d.id.as_str()) == id)
    }

    fn user_actor(&self, domain: usize, user: &str) -> Actor {
        Actor {
            domain,
            user_domain: domain,
            user: user.to_owned(),
            agency: None,
            described: format!("user {user} of {}", self.domains[domain].name),
        }
    }

    /// An IAM request (`/v3/…`, `/v3.0/…`), or `None` for any other path.
    pub fn handle(
        &self,
        method: &str,
        path: &str,
        query: &[(String, String)],
        headers: &[(String, String)],
        body: &[u8],
    ) -> Option<Reply> {
        let base = header(headers, "host").map_or_else(String::new, |h| format!("http://{h}"));
        let raw = body;
        let body: Json = serde_json::from_slice(raw).unwrap_or(Json::Null);
        Some(match (method, path) {
            ("POST", "/v3/auth/tokens") => self.tokens(headers, &body, &base),
            ("POST", "/v3.0/OS-CREDENTIAL/securitytokens") => {
                match self.caller(&SignedParts {
                    method,
                    path,
                    query,
                    headers,
                    body: raw,
                }) {
                    Ok(actor) => self.security_tokens(&actor, &body),
                    Err(e) => e,
                }
            }
            ("GET", "/v3/projects") => match self.caller(&SignedParts {
                method,
                path,
                query,
                headers,
                body: raw,
            }) {
                Ok(actor) => self.projects(&actor, query),
                Err(e) => e,
            },
            _ if path.starts_with("/v3/") || path.starts_with("/v3.0/") => {
                keystone_error(404, "the emulator's IAM does not serve this path")
            }
            _ => return None,
        })
    }

    /// `POST /v3/auth/tokens`.
    fn tokens(&self, headers: &[(String, String)], body: &Json, base: &str) -> Reply {
        let identity = &body["auth"]["identity"];
        let method = identity["methods"][0].as_str().unwrap_or_default();
        let actor = match method {
            "password" => {
                let user = &identity["password"]["user"];
                let password = user["password"].as_str().unwrap_or_default();
                let found = self.domains.iter().enumerate().find_map(|(di, d)| {
                    d.users
                        .iter()
                        .find(|(name, id, _)| {
                            user["id"].as_str() == Some(id.as_str())
                                || (user["name"].as_str() == Some(name.as_str())
                                    && (user["domain"]["name"].as_str() == Some(d.name.as_str())
                                        || user["domain"]["id"].as_str() == Some(d.id.as_str())))
                        })
                        .map(|u| (di, u))
                });
                match found {
                    Some((di, (name, _, secret))) if secret.expose() == password => {
                        self.user_actor(di, name)
                    }
                    _ => return keystone_error(401, "The username or password is wrong."),
                }
            }
            "token" => {
                let token = identity["token"]["id"]
                    .as_str()
                    .or_else(|| header(headers, "x-auth-token"));
                match token.map(|t| self.token_actor(t)) {
                    Some(Ok((actor, _))) => actor,
                    Some(Err(e)) => return e,
                    None => return keystone_error(401, "no token to exchange"),
                }
            }
            "assume_role" => {
                let Some(user_token) = header(headers, "x-auth-token") else {
                    return keystone_error(401, "assume_role needs the user's X-Auth-Token");
                };
                let caller = match self.token_actor(user_token) {
                    Ok((actor, _)) => actor,
                    Err(e) => return e,
                };
                let role = &identity["assume_role"];
                let agency = role["xrole_name"]
                    .as_str()
                    .or_else(|| role["agency_name"].as_str());
                match self.assume(
                    &caller,
                    role["domain_name"].as_str(),
                    role["domain_id"].as_str(),
                    agency,
                ) {
                    Ok(actor) => actor,
                    Err(e) => return e,
                }
            }
            _ => return keystone_error(400, "unsupported authentication method"),
        };
        let domain = &self.domains[actor.domain];
        let scope = &body["auth"]["scope"]["project"];
        let project = if scope.is_null() {
            None
        } else {
            match domain.projects.iter().find(|(name, id)| {
                scope["id"].as_str() == Some(id.as_str())
                    || scope["name"].as_str() == Some(name.as_str())
            }) {
                Some(p) => Some(p.clone()),
                None => {
                    return keystone_error(
                        401,
                        &format!("the project of the scope is not in account {}", domain.name),
                    );
                }
            }
        };
        let token = self.fresh("token");
        let now = SystemTime::now();
        self.issued().tokens.insert(
            token.clone(),
            Token {
                actor: actor.clone(),
                project: project.as_ref().map(|(_, id)| id.clone()),
                expires: Instant::now() + self.lifetime,
            },
        );
        let user_domain = &self.domains[actor.user_domain];
        let mut answer = json!({"token": {
            "methods": [method],
            "issued_at": humantime::format_rfc3339_micros(now).to_string(),
            "expires_at": humantime::format_rfc3339_micros(now + self.lifetime).to_string(),
            "user": {"name": actor.user, "domain": {"id": user_domain.id, "name": user_domain.name}},
        }});
        if let Some((name, id)) = &project {
            answer["token"]["project"] =
                json!({"id": id, "name": name, "domain": {"id": domain.id, "name": domain.name}});
            answer["token"]["catalog"] = json!([{"type": "vpcep", "name": "vpcep", "endpoints": [
                {"interface": "public", "region": name, "url": format!("{base}/v1/{id}")}]}]);
        }
        (201, vec![("X-Subject-Token".to_owned(), token)], answer)
    }

    /// Acting through `agency` of the named account, if it trusts the caller's account.
    fn assume(
        &self,
        caller: &Actor,
        domain_name: Option<&str>,
        domain_id: Option<&str>,
        agency: Option<&str>,
    ) -> Result<Actor, Reply> {
        if caller.agency.is_some() {
            return Err(keystone_error(
                403,
                "an agency's identity cannot assume another agency",
            ));
        }
        let Some(target) = self.domain_named(domain_name, domain_id) else {
            return Err(keystone_error(404, "no such account"));
        };
        let agency = agency.unwrap_or_default();
        let trusted = self.domains[target].agencies.get(agency);
        if trusted != Some(&self.domains[caller.user_domain].name) {
            return Err(keystone_error(
                403,
                &format!(
                    "account {} has no agency {agency} that trusts account {}",
                    self.domains[target].name, self.domains[caller.user_domain].name
                ),
            ));
        }
        Ok(Actor {
            domain: target,
            user_domain: caller.user_domain,
            user: caller.user.clone(),
            agency: Some(agency.to_owned()),
            described: format!(
                "agency {agency} of {}, assumed by {}",
                self.domains[target].name, caller.described
            ),
        })
    }

    /// `POST /v3.0/OS-CREDENTIAL/securitytokens`: temporary keys.
    fn security_tokens(&self, caller: &Actor, body: &Json) -> Reply {
        let identity = &body["auth"]["identity"];
        let actor = match identity["methods"][0].as_str() {
            Some("token") => caller.clone(),
            Some("assume_role") => {
                let role = &identity["assume_role"];
                match self.assume(
                    caller,
                    role["domain_name"].as_str(),
                    role["domain_id"].as_str(),
                    role["agency_name"].as_str(),
                ) {
                    Ok(a) => a,
                    Err(e) => return e,
                }
            }
            _ => return keystone_error(400, "unsupported method"),
        };
        let life = identity["assume_role"]["duration_seconds"]
            .as_u64()
            .or_else(|| identity["token"]["duration_seconds"].as_u64())
            .map_or(self.lifetime, Duration::from_secs)
            .min(self.lifetime);
        let access = format!("TMP{}", &self.fresh("access")[..17].to_uppercase());
        let secret = self.fresh("secret");
        let security_token = self.fresh("security");
        self.issued().keys.insert(
            access.clone(),
            TemporaryKey {
                secret: Secret::new(secret.clone()),
                security_token: security_token.clone(),
                actor: Actor {
                    described: format!("temporary keys of {}", actor.described),
                    ..actor
                },
                expires: Instant::now() + life,
            },
        );
        let expires = humantime::format_rfc3339_micros(SystemTime::now() + life).to_string();
        (
            201,
            Vec::new(),
            json!({"credential": {"access": access, "secret": secret,
                "securitytoken": security_token, "expires_at": expires}}),
        )
    }

    /// `GET /v3/projects?name=`: the caller's account's projects.
    fn projects(&self, caller: &Actor, query: &[(String, String)]) -> Reply {
        let name = query
            .iter()
            .find(|(k, _)| k == "name")
            .map(|(_, v)| v.as_str());
        let domain = &self.domains[caller.domain];
        let projects: Vec<Json> = domain
            .projects
            .iter()
            .filter(|(n, _)| name.is_none_or(|want| want == n))
            .map(|(n, id)| json!({"id": id, "name": n, "domain_id": domain.id, "enabled": true}))
            .collect();
        (200, Vec::new(), json!({ "projects": projects }))
    }

    fn token_actor(&self, token: &str) -> Result<(Actor, Option<String>), Reply> {
        let issued = self.issued();
        match issued.tokens.get(token) {
            Some(t) if Instant::now() < t.expires => Ok((t.actor.clone(), t.project.clone())),
            Some(_) => Err(keystone_error(401, "The token must be updated.")),
            None => Err(keystone_error(401, "The token is invalid.")),
        }
    }

    /// Who sent a request (by token, or by a signature with a permanent or temporary key).
    fn caller(&self, request: &SignedParts<'_>) -> Result<Actor, Reply> {
        let headers = request.headers;
        if let Some(auth) = header(headers, "authorization") {
            let access = auth
                .split(',')
                .find_map(|f| {
                    f.trim()
                        .split_once("Access=")
                        .map(|(_, v)| v.trim().to_owned())
                })
                .unwrap_or_default();
            let (secret, actor) = self.key(&access, headers)?;
            verify(auth, &access, &secret, request, SystemTime::now())
                .map_err(|e| keystone_error(401, &format!("the signature is not valid: {e}")))?;
            return Ok(actor);
        }
        match header(headers, "x-auth-token") {
            Some(token) => self.token_actor(token).map(|(a, _)| a),
            None => Err(keystone_error(
                401,
                "no X-Auth-Token or Authorization header",
            )),
        }
    }

    /// The secret and the actor of an access key, permanent or temporary.
    fn key(&self, access: &str, headers: &[(String, String)]) -> Result<(Secret, Actor), Reply> {
        for (di, d) in self.domains.iter().enumerate() {
            if let Some((secret, user)) = d.keys.get(access) {
                let mut actor = self.user_actor(di, user);
                actor.described = format!("access key {access} of {}", actor.described);
                return Ok((secret.clone(), actor));
            }
        }
        let issued = self.issued();
        match issued.keys.get(access) {
            Some(k) if Instant::now() >= k.expires => {
                Err(keystone_error(401, "The temporary access key has expired."))
            }
            Some(k) if header(headers, "x-security-token") != Some(k.security_token.as_str()) => {
                Err(keystone_error(
                    401,
                    "the X-Security-Token of the temporary key is wrong",
                ))
            }
            Some(k) => Ok((k.secret.clone(), k.actor.clone())),
            None => Err(keystone_error(401, "unknown access key")),
        }
    }

    /// Who sent a VPCEP request, if that identity may act in `project`: a description of
    /// it for the records; otherwise the status (401 or 403) and the message.
    pub fn authorize(
        &self,
        request: &SignedParts<'_>,
        project: &str,
    ) -> Result<String, (u16, String)> {
        let headers = request.headers;
        let message = |reply: Reply| {
            let text = reply.2["error"]["message"]
                .as_str()
                .unwrap_or("not authorized")
                .to_owned();
            (reply.0, text)
        };
        let (actor, scoped) = if header(headers, "authorization").is_some() {
            let actor = self.caller(request).map_err(message)?;
            (actor, None)
        } else if let Some(token) = header(headers, "x-auth-token") {
            // A token without a project (scoped to an account) acts in none.
            let (actor, project) = self.token_actor(token).map_err(message)?;
            (actor, Some(project.unwrap_or_default()))
        } else {
            return Err((401, "no X-Auth-Token or Authorization header".to_owned()));
        };
        let domain = &self.domains[actor.domain];
        let allowed = match &scoped {
            Some(p) => p == project,
            // A key acts in any project of its account.
            None => domain.projects.iter().any(|(_, id)| id == project),
        };
        if !allowed {
            return Err((
                403,
                format!(
                    "{} may not act in project {project} (not the project of its token or account)",
                    actor.described
                ),
            ));
        }
        Ok(actor.described)
    }
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn directory() -> Directory {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("iam.json");
        std::fs::write(
            &path,
            r#"{"domains": {
                "acme": {"projects": {"eu-de": null}, "users": {"alice": {"password": "pw"}},
                         "access_keys": {"AK1": {"secret": "SK1", "user": "alice"}}},
                "globex": {"projects": {"eu-de": null}, "agencies": {"admin": {"trusts": "acme"}}}}}"#,
        )
        .unwrap();
        Directory::load(&path, Some(Duration::from_secs(60))).unwrap()
    }

    /// Whatever a client sends — any method, path, headers and JSON (or not) — IAM answers
    /// with a status and never panics, and nothing it does not issue is accepted.
    #[test]
    fn random_requests_get_answers_and_no_unissued_identity_is_accepted() {
        let iam = directory();
        let rng = crate::cloud::rng::Rng::new(27);
        let pick = |items: &[&'static str]| items[rng.below(items.len())];
        let bodies = [
            "",
            "null",
            "[]",
            "{}",
            r#"{"auth": {"identity": {"methods": ["password"], "password": {"user": {"name": "alice", "password": "nope", "domain": {"name": "acme"}}}}}}"#,
            r#"{"auth": {"identity": {"methods": ["password"], "password": {"user": {"id": 7}}}}}"#,
            r#"{"auth": {"identity": {"methods": ["assume_role"], "assume_role": {"domain_name": "globex", "xrole_name": "admin"}}}}"#,
            r#"{"auth": {"identity": {"methods": ["token"], "token": {"id": "forged"}}, "scope": {"project": {"name": 3}}}}"#,
            r#"{"auth": {"identity": {"methods": [null]}}}"#,
            r#"{"auth": {"identity": {"methods": ["assume_role"], "assume_role": {"agency_name": "admin", "domain_id": "x", "duration_seconds": -5}}}}"#,
        ];
        let paths = [
            "/v3/auth/tokens",
            "/v3.0/OS-CREDENTIAL/securitytokens",
            "/v3/projects",
            "/v3/",
            "/v3.0/x",
        ];
        for _ in 0..2000 {
            let body = bodies[rng.below(bodies.len())];
            let path = pick(&paths);
            let method = pick(&["GET", "POST", "PUT", "DELETE"]);
            let mut headers = Vec::new();
            if rng.below(2) == 0 {
                headers.push((
                    "X-Auth-Token".to_owned(),
                    pick(&["", "forged", "x"]).to_owned(),
                ));
            }
            if rng.below(3) == 0 {
                headers.push((
                    "Authorization".to_owned(),
                    pick(&[
                        "SDK-HMAC-SHA256 Access=AK1, SignedHeaders=host, Signature=00",
                        "SDK-HMAC-SHA256 Access=",
                        "Basic abc",
                        "SDK-HMAC-SHA256",
                    ])
                    .to_owned(),
                ));
            }
            let query = vec![("name".to_owned(), pick(&["eu-de", "", "x"]).to_owned())];
            let (status, _, _) = iam
                .handle(method, path, &query, &headers, body.as_bytes())
                .expect("an IAM path is IAM's");
            assert!(
                (400..500).contains(&status),
                "{method} {path} {headers:?} {body}: {status}"
            );
            let project = iam.domains[rng.below(2)].projects[0].1.clone();
            let request = SignedParts {
                method,
                path: "/v1/p/x",
                query: &query,
                headers: &headers,
                body: body.as_bytes(),
            };
            let verdict = iam.authorize(&request, &project);
            assert!(verdict.is_err(), "{headers:?} was accepted");
        }
        assert_eq!(
            iam.issued_secrets().0,
            0,
            "nothing was issued to a wrong request"
        );
    }
}
