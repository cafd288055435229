//! IAM sign-in for `provider "otc"`: user, token and agency tokens (`POST /v3/auth/tokens`),
//! temporary AK/SK through an agency (`/v3.0/OS-CREDENTIAL/securitytokens`), project lookup
//! by name, the VPCEP endpoint from the token's catalog, and the [`Session`] that keeps a
//! provider's credentials fresh for a whole run (renewed before they expire, and once more
//! after a 401).
//!
//! Nothing here logs or returns a secret: tokens and keys live in [`Secret`]s, IAM requests are
//! logged by method, path and status only, and IAM's error messages are quoted, never the
//! request.

use super::auth::{Agency, Domain, Identity, Method, Project, User};
use super::sign::{Credentials, Secret, SignedParts, authorization, sdk_date};
use super::types::CloudError;
use serde_json::{Value as Json, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant, SystemTime};

/// How long temporary AK/SK are asked for (IAM allows 900 s to 24 h).
const TEMPORARY_KEYS_FOR: u64 = 3600;
/// Attempts of one IAM request on throttling, server errors and lost connections.
const IAM_ATTEMPTS: u32 = 4;
/// The largest IAM answer read.
const MAX_ANSWER: u64 = 8 << 20;

/// Credentials as issued, with when to renew them.
#[derive(Clone)]
struct Issued {
    credentials: Credentials,
    /// `None`: never (credentials given as they are).
    renew_at: Option<Instant>,
    /// Counts renewals, so that of many requests failing with the same stale token, only
    /// the first renews it.
    generation: u64,
}

/// What sign-in learnt besides the credentials.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    pub project_id: String,
    /// The account acted in (the agency's account with an agency), when IAM said.
    pub domain_id: Option<String>,
    /// The VPCEP endpoint of the token's catalog, `scheme://host`.
    pub endpoint: Option<String>,
}

/// A provider's signed-in identity for one run: shared by every client that signs as it.
pub struct Session {
    identity: Identity,
    provider: String,
    agent: ureq::Agent,
    scope: Scope,
    issued: Mutex<Issued>,
    /// Serializes renewals (requests go on with the old credentials meanwhile).
    renewing: Mutex<()>,
}

/// A credential used for one request, to hand back with [`Session::unauthorized`].
pub struct Used {
    pub credentials: Credentials,
    generation: u64,
}

/// Why a sign-in failed, and the sentence that says what to check.
#[derive(Debug)]
pub struct SignInError {
    pub reason: SignInFailure,
    pub message: String,
}

/// What kind of sign-in failure it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInFailure {
    /// The identity is incomplete, or IAM's answer names no usable project or keys.
    Incomplete,
    /// IAM did not answer.
    Unreachable,
    /// IAM answered with this HTTP status.
    Refused(u16),
}

impl SignInError {
    /// As the cloud error of the request whose credentials could not be renewed mid-run: a
    /// 401, whatever IAM answered, so that the VPCEP request is neither retried as a lost
    /// connection nor counted as the gateway's throttling.
    pub fn into_cloud(self) -> CloudError {
        CloudError::new(401, "IAM", self.message)
    }
}

impl From<String> for SignInError {
    fn from(message: String) -> Self {
        SignInError {
            reason: SignInFailure::Incomplete,
            message,
        }
    }
}

impl std::fmt::Display for SignInError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

static SESSIONS: Mutex<Option<HashMap<String, Weak<Session>>>> = Mutex::new(None);

impl Session {
    /// Credentials used as they are, with a known project (tests, and a token or key pair
    /// with `project_id`).
    pub fn fixed(credentials: Credentials, project_id: &str) -> Arc<Session> {
        Arc::new(Session {
            identity: Identity {
                method: Method::AkSk(credentials.clone()),
                auth_url: None,
                project: Project::Id(project_id.to_owned()),
                domain_id: None,
                agency: None,
                region: None,
                source: String::new(),
            },
            provider: "otc".into(),
            agent: agent(),
            scope: Scope {
                project_id: project_id.to_owned(),
                ..Scope::default()
            },
            issued: Mutex::new(Issued {
                credentials,
                renew_at: None,
                generation: 0,
            }),
            renewing: Mutex::new(()),
        })
    }

    /// Signs `identity` in (once per run and identity: later calls share the session).
    /// `provider` (`otc`, `otc.partner`) names it in errors.
    pub fn sign_in(identity: &Identity, provider: &str) -> Result<Arc<Session>, SignInError> {
        let key = identity.key();
        let mut cache = SESSIONS
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let cache = cache.get_or_insert_with(HashMap::new);
        if let Some(session) = cache.get(&key).and_then(Weak::upgrade) {
            return Ok(session);
        }
        let agent = agent();
        let (issued, scope) = first_sign_in(&agent, identity, provider)?;
        let session = Arc::new(Session {
            identity: identity.clone(),
            provider: provider.to_owned(),
            agent,
            scope,
            issued: Mutex::new(issued),
            renewing: Mutex::new(()),
        });
        cache.insert(key, Arc::downgrade(&session));
        Ok(session)
    }

    pub fn scope(&self) -> &Scope {
        &self.scope
    }

    /// A digest of who signs (for the request budget's key; never a secret).
    pub fn key(&self) -> String {
        self.identity.key()
    }

    /// The credentials to send now, renewed first when they are about to expire.
    pub fn credentials(&self) -> Result<Used, CloudError> {
        let current = self.current();
        if current.renew_at.is_some_and(|at| Instant::now() >= at) {
            self.renew(current.generation)?;
            let current = self.current();
            return Ok(Used {
                credentials: current.credentials,
                generation: current.generation,
            });
        }
        Ok(Used {
            credentials: current.credentials,
            generation: current.generation,
        })
    }

    /// After a 401: renews the credentials `used` (unless another request did already).
    /// `Ok(true)`: send the request again; `Ok(false)`: these credentials cannot be renewed.
    pub fn unauthorized(&self, used: &Used) -> Result<bool, CloudError> {
        if self.current().renew_at.is_none() {
            return Ok(false);
        }
        self.renew(used.generation)?;
        Ok(true)
    }

    fn current(&self) -> Issued {
        self.issued
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    fn renew(&self, generation: u64) -> Result<(), CloudError> {
        let _one = self
            .renewing
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if self.current().generation != generation {
            return Ok(());
        }
        tracing::debug!(provider = %self.provider, "renewing the IAM credentials");
        let (mut issued, _) = first_sign_in(&self.agent, &self.identity, &self.provider)
            .map_err(SignInError::into_cloud)?;
        issued.generation = generation + 1;
        *self
            .issued
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = issued;
        Ok(())
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .timeout_global(Some(Duration::from_secs(60)))
        .timeout_connect(Some(Duration::from_secs(10)))
        .build()
        .into()
}

/// When credentials living `lifetime` from now are renewed: a fifth of their life (at most
/// five minutes) before they expire.
fn renew_at(lifetime: Duration) -> Instant {
    let margin = (lifetime / 5).min(Duration::from_secs(300));
    Instant::now() + lifetime.saturating_sub(margin)
}

/// How long credentials live, from IAM's `expires_at` (and `issued_at`, so that a clock that
/// differs from IAM's does not matter).
fn lifetime(expires_at: Option<&str>, issued_at: Option<&str>) -> Duration {
    let parse = |t: &str| humantime::parse_rfc3339_weak(t.trim_end_matches('Z')).ok();
    let Some(expires) = expires_at.and_then(parse) else {
        return Duration::from_secs(3600);
    };
    let from = issued_at.and_then(parse).unwrap_or_else(SystemTime::now);
    expires.duration_since(from).unwrap_or(Duration::ZERO)
}

/// Signs in from nothing: the credentials and what IAM said about them.
fn first_sign_in(
    agent: &ureq::Agent,
    identity: &Identity,
    provider: &str,
) -> Result<(Issued, Scope), SignInError> {
    let iam = Iam {
        agent,
        identity,
        provider,
    };
    let fixed = |credentials: Credentials, project_id: String| {
        (
            Issued {
                credentials,
                renew_at: None,
                generation: 0,
            },
            Scope {
                project_id,
                domain_id: None,
                endpoint: None,
            },
        )
    };
    match (&identity.method, &identity.agency) {
        (Method::AkSk(keys), None) => {
            let project_id = match &identity.project {
                Project::Id(id) => id.clone(),
                Project::Name(name) => iam.project_named(keys, name)?,
            };
            Ok(fixed(keys.clone(), project_id))
        }
        (Method::AkSk(keys), Some(agency)) => iam.temporary_keys(keys, agency),
        (Method::Token(token), None) => match &identity.project {
            Project::Id(id) => Ok(fixed(Credentials::Token(token.clone()), id.clone())),
            Project::Name(_) => iam.token(&token_identity(token), None),
        },
        (Method::Token(token), Some(agency)) => iam.token(&assume_role(agency), Some(token)),
        (Method::Password { user, password }, agency) => {
            let body = password_identity(user, password);
            match agency {
                None => iam.token(&body, None),
                Some(agency) => {
                    let (user_token, _) = iam.request_token(&body, user_scope(user), None)?;
                    iam.token(&assume_role(agency), Some(&user_token.0))
                }
            }
        }
    }
}

fn password_identity(user: &User, password: &Secret) -> Json {
    let user = match user {
        User::Id(id) => json!({"id": id, "password": password.expose()}),
        User::Named { name, domain } => {
            json!({"name": name, "password": password.expose(), "domain": domain_json(domain)})
        }
    };
    json!({"methods": ["password"], "password": {"user": user}})
}

fn token_identity(token: &Secret) -> Json {
    json!({"methods": ["token"], "token": {"id": token.expose()}})
}

fn assume_role(agency: &Agency) -> Json {
    json!({"methods": ["assume_role"], "assume_role": {
        "domain_name": agency.domain_name, "xrole_name": agency.name}})
}

fn domain_json(domain: &Domain) -> Json {
    match domain {
        Domain::Id(id) => json!({"id": id}),
        Domain::Name(name) => json!({"name": name}),
    }
}

/// The scope of a user's own token when it is only a step towards an agency's.
fn user_scope(user: &User) -> Option<Json> {
    match user {
        User::Named { domain, .. } => Some(json!({"domain": domain_json(domain)})),
        User::Id(_) => None,
    }
}

/// A token, as issued: the secret, and the answer's `token` object.
struct TokenAnswer(Secret, Json);

struct Iam<'a> {
    agent: &'a ureq::Agent,
    identity: &'a Identity,
    provider: &'a str,
}

impl Iam<'_> {
    fn auth_url(&self) -> Result<&str, SignInError> {
        self.identity.auth_url.as_deref().ok_or_else(|| {
            format!(
                "provider `{}` signs in through IAM but has no `auth_url` and no `region` to derive it from",
                self.provider
            )
            .into()
        })
    }

    fn project_scope(&self) -> Json {
        match &self.identity.project {
            Project::Id(id) => json!({"project": {"id": id}}),
            Project::Name(name) => json!({"project": {"name": name}}),
        }
    }

    /// A project-scoped token of `identity` (sent with `with_token` as `X-Auth-Token`).
    fn token(
        &self,
        identity: &Json,
        with_token: Option<&Secret>,
    ) -> Result<(Issued, Scope), SignInError> {
        let (TokenAnswer(token, body), life) =
            self.request_token(identity, Some(self.project_scope()), with_token)?;
        let project = body.get("project");
        let project_id = project
            .and_then(|p| p.get("id"))
            .and_then(Json::as_str)
            .map(str::to_owned)
            .or_else(|| match &self.identity.project {
                Project::Id(id) => Some(id.clone()),
                Project::Name(_) => None,
            })
            .ok_or_else(|| {
                format!(
                    "provider `{}`: IAM issued a token without a project; check `tenant_name`/`delegated_project`",
                    self.provider
                )
            })?;
        let domain_id = project
            .and_then(|p| p.get("domain"))
            .and_then(|d| d.get("id"))
            .and_then(Json::as_str)
            .map(str::to_owned);
        Ok((
            Issued {
                credentials: Credentials::Token(token),
                renew_at: Some(renew_at(life)),
                generation: 0,
            },
            Scope {
                project_id,
                domain_id,
                endpoint: catalog_endpoint(&body, self.identity.region.as_deref()),
            },
        ))
    }

    fn request_token(
        &self,
        identity: &Json,
        scope: Option<Json>,
        with_token: Option<&Secret>,
    ) -> Result<(TokenAnswer, Duration), SignInError> {
        let mut auth = json!({"identity": identity});
        if let Some(scope) = scope {
            auth["scope"] = scope;
        }
        let url = format!("{}/auth/tokens", self.auth_url()?);
        let (headers, body) = self.send(
            "POST",
            &url,
            &[],
            &json!({ "auth": auth }),
            with_token,
            None,
        )?;
        let token = headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("x-subject-token"))
            .map(|(_, v)| Secret::new(v.clone()))
            .ok_or_else(|| {
                format!(
                    "provider `{}`: IAM's answer to POST {url} has no X-Subject-Token header",
                    self.provider
                )
            })?;
        let token_body = body.get("token").cloned().unwrap_or(Json::Null);
        let life = lifetime(
            token_body.get("expires_at").and_then(Json::as_str),
            token_body.get("issued_at").and_then(Json::as_str),
        );
        Ok((TokenAnswer(token, token_body), life))
    }

    /// Temporary keys of an agency, signed for with the permanent ones.
    fn temporary_keys(
        &self,
        keys: &Credentials,
        agency: &Agency,
    ) -> Result<(Issued, Scope), SignInError> {
        let url = format!("{}.0/OS-CREDENTIAL/securitytokens", self.auth_url()?);
        let body = json!({"auth": {"identity": {"methods": ["assume_role"], "assume_role": {
            "agency_name": agency.name, "domain_name": agency.domain_name,
            "duration_seconds": TEMPORARY_KEYS_FOR}}}});
        let (_, answer) = self.send("POST", &url, &[], &body, None, Some(keys))?;
        let credential = answer.get("credential").cloned().unwrap_or(Json::Null);
        let text = |k: &str| credential.get(k).and_then(Json::as_str).map(str::to_owned);
        let (Some(access), Some(secret), Some(security)) =
            (text("access"), text("secret"), text("securitytoken"))
        else {
            return Err(format!(
                "provider `{}`: IAM's answer to POST {url} has no `credential` with access, secret and securitytoken",
                self.provider
            )
            .into());
        };
        let temporary = Credentials::AkSk {
            access_key: access,
            secret_key: Secret::new(secret),
            security_token: Some(Secret::new(security)),
        };
        let life = lifetime(text("expires_at").as_deref(), None);
        let project_id = match &self.identity.project {
            Project::Id(id) => id.clone(),
            Project::Name(name) => self.project_named(&temporary, name)?,
        };
        Ok((
            Issued {
                credentials: temporary,
                renew_at: Some(renew_at(life)),
                generation: 0,
            },
            Scope {
                project_id,
                domain_id: None,
                endpoint: None,
            },
        ))
    }

    /// The ID of the project called `name` in the signer's own account.
    fn project_named(&self, keys: &Credentials, name: &str) -> Result<String, SignInError> {
        let url = format!("{}/projects", self.auth_url()?);
        let mut query = vec![("name".to_owned(), name.to_owned())];
        if let Some(domain) = &self.identity.domain_id {
            query.push(("domain_id".to_owned(), domain.clone()));
        }
        let (_, answer) = self.send("GET", &url, &query, &Json::Null, None, Some(keys))?;
        let ids: Vec<&str> = answer
            .get("projects")
            .and_then(Json::as_array)
            .map(|ps| {
                ps.iter()
                    .filter(|p| p.get("name").and_then(Json::as_str) == Some(name))
                    .filter_map(|p| p.get("id").and_then(Json::as_str))
                    .collect()
            })
            .unwrap_or_default();
        match ids.as_slice() {
            [id] => Ok((*id).to_owned()),
            [] => Err(format!(
                "provider `{}`: IAM knows no project `{name}` in the signer's account; set `project_id`, or `tenant_name` to a project of that account",
                self.provider
            )
            .into()),
            _ => Err(format!(
                "provider `{}`: IAM knows {} projects called `{name}`; set `project_id`",
                self.provider,
                ids.len()
            )
            .into()),
        }
    }

    /// One IAM request (retried on throttling, server errors and lost connections): the
    /// answer's headers and JSON body.
    fn send(
        &self,
        method: &str,
        url: &str,
        query: &[(String, String)],
        body: &Json,
        token: Option<&Secret>,
        keys: Option<&Credentials>,
    ) -> Result<(Vec<(String, String)>, Json), SignInError> {
        let (base, host) = crate::model::endpoint_parts(url)
            .map_err(|e| format!("provider `{}`: `auth_url`: {e}", self.provider))?;
        let path = base
            .split_once("://")
            .and_then(|(_, rest)| rest.find('/').map(|i| rest[i..].to_owned()))
            .unwrap_or_else(|| "/".to_owned());
        let bytes = if body.is_null() {
            Vec::new()
        } else {
            serde_json::to_vec(body).unwrap_or_default()
        };
        let operation = format!("{method} {url}");
        let mut attempt = 0;
        loop {
            attempt += 1;
            let mut headers = vec![
                ("Content-Type".to_owned(), "application/json".to_owned()),
                ("Host".to_owned(), host.clone()),
            ];
            if let Some(t) = token {
                headers.push(("X-Auth-Token".to_owned(), t.expose().to_owned()));
            }
            if let Some(Credentials::AkSk {
                access_key,
                secret_key,
                security_token,
            }) = keys
            {
                headers.push(("X-Sdk-Date".to_owned(), sdk_date(SystemTime::now())));
                if let Some(t) = security_token {
                    headers.push(("X-Security-Token".to_owned(), t.expose().to_owned()));
                }
                let parts = SignedParts {
                    method,
                    path: &path,
                    query,
                    headers: &headers,
                    body: &bytes,
                };
                let auth = authorization(access_key, secret_key, &parts);
                headers.push(("Authorization".to_owned(), auth));
            }
            let full = if query.is_empty() {
                url.to_owned()
            } else {
                let q: Vec<String> = query
                    .iter()
                    .map(|(k, v)| {
                        format!(
                            "{}={}",
                            super::sign::percent_encode(k),
                            super::sign::percent_encode(v)
                        )
                    })
                    .collect();
                format!("{url}?{}", q.join("&"))
            };
            let result = exchange(self.agent, method, &full, &headers, &bytes);
            let retry = match &result {
                Err(_) => true,
                Ok((status, _, _)) => *status == 429 || *status >= 500,
            };
            tracing::debug!(
                method,
                url,
                status = result.as_ref().map_or(0, |r| r.0),
                attempt,
                "IAM request"
            );
            if retry && attempt < IAM_ATTEMPTS {
                std::thread::sleep(Duration::from_millis(200 << attempt));
                continue;
            }
            let (status, answer_headers, answer) = result.map_err(|e| SignInError {
                reason: SignInFailure::Unreachable,
                message: format!(
                    "provider `{}`: IAM cannot be reached ({operation}): {e}; check `auth_url` or `region`",
                    self.provider
                ),
            })?;
            let json: Json = serde_json::from_slice(&answer).unwrap_or(Json::Null);
            if (200..300).contains(&status) {
                return Ok((answer_headers, json));
            }
            return Err(SignInError {
                reason: SignInFailure::Refused(status),
                message: self.refused(&operation, status, &json),
            });
        }
    }

    /// IAM's refusal, said with what to check (and where the credentials came from).
    fn refused(&self, operation: &str, status: u16, answer: &Json) -> String {
        let message = iam_message(answer).unwrap_or_else(|| "no error message".to_owned());
        let message = crate::diag::escape_controls(&message);
        let check = match (&self.identity.method, &self.identity.agency) {
            (_, Some(a)) if status == 403 || status == 404 => format!(
                "check that account `{}` has an agency `{}` that trusts the signer's account, and the project",
                a.domain_name, a.name
            ),
            (Method::Password { .. }, _) => {
                "check `user_name`/`user_id`, `password` and `domain_name`".to_owned()
            }
            (Method::Token(_), _) => "check `token` (it may have expired)".to_owned(),
            (Method::AkSk(_), _) => "check `access_key` and `secret_key`".to_owned(),
        };
        format!(
            "provider `{}`: IAM refused the sign-in ({operation}, HTTP {status}: {message}); {check} (from {})",
            self.provider, self.identity.source
        )
    }
}

/// IAM's error message in either of its shapes.
fn iam_message(answer: &Json) -> Option<String> {
    if let Some(m) = answer.get("error_msg").and_then(Json::as_str) {
        return Some(m.to_owned());
    }
    let e = answer.get("error")?;
    e.get("message")
        .and_then(Json::as_str)
        .map(str::to_owned)
        .or_else(|| e.as_str().map(str::to_owned))
}

/// The VPCEP endpoint of a token's catalog (`scheme://host`), for `region` when it names one.
fn catalog_endpoint(token: &Json, region: Option<&str>) -> Option<String> {
    let services = token.get("catalog")?.as_array()?;
    let endpoints = services
        .iter()
        .find(|s| s.get("type").and_then(Json::as_str) == Some("vpcep"))?
        .get("endpoints")?
        .as_array()?;
    let public = endpoints.iter().filter(|e| {
        e.get("interface")
            .and_then(Json::as_str)
            .is_none_or(|i| i == "public")
    });
    let chosen = public
        .clone()
        .find(|e| region.is_some() && e.get("region").and_then(Json::as_str) == region)
        .or_else(|| public.clone().next())?;
    let url = chosen.get("url")?.as_str()?;
    let (scheme, rest) = url.split_once("://")?;
    let host = rest.split('/').next()?;
    Some(format!("{scheme}://{host}"))
}

/// An HTTP answer: status, headers and body.
type Answer = (u16, Vec<(String, String)>, Vec<u8>);

/// One HTTP exchange.
fn exchange(
    agent: &ureq::Agent,
    method: &str,
    url: &str,
    headers: &[(String, String)],
    body: &[u8],
) -> Result<Answer, String> {
    let with = |mut b: ureq::RequestBuilder<ureq::typestate::WithoutBody>| {
        for (k, v) in headers {
            if !k.eq_ignore_ascii_case("host") {
                b = b.header(k.as_str(), v.as_str());
            }
        }
        b.call()
    };
    let send = |mut b: ureq::RequestBuilder<ureq::typestate::WithBody>| {
        for (k, v) in headers {
            if !k.eq_ignore_ascii_case("host") {
                b = b.header(k.as_str(), v.as_str());
            }
        }
        b.send(body)
    };
    let response = match method {
        "GET" => with(agent.get(url)),
        _ => send(agent.post(url)),
    };
    let mut response = response.map_err(|e| e.to_string())?;
    let status = response.status().as_u16();
    let answer_headers = response
        .headers()
        .iter()
        .filter_map(|(k, v)| {
            v.to_str()
                .ok()
                .map(|v| (k.as_str().to_owned(), v.to_owned()))
        })
        .collect();
    let bytes = response
        .body_mut()
        .with_config()
        .limit(MAX_ANSWER)
        .read_to_vec()
        .map_err(|e| e.to_string())?;
    Ok((status, answer_headers, bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifetimes_come_from_iam_clock_and_renewal_leaves_a_margin() {
        let life = lifetime(
            Some("2026-12-07T10:00:00.000000Z"),
            Some("2026-12-06T10:00:00.000000Z"),
        );
        assert_eq!(life, Duration::from_secs(86_400));
        let short = renew_at(Duration::from_secs(10));
        let left = short.saturating_duration_since(Instant::now());
        assert!(left <= Duration::from_secs(8), "{left:?}");
    }

    #[test]
    fn the_catalog_gives_the_vpcep_host_of_the_region() {
        let token = json!({"catalog": [
            {"type": "compute", "endpoints": [{"interface": "public", "region": "eu-de", "url": "https://ecs.x/v2"}]},
            {"type": "vpcep", "endpoints": [
                {"interface": "public", "region": "eu-nl", "url": "https://vpcep.eu-nl.x/v1/$(tenant_id)s"},
                {"interface": "public", "region": "eu-de", "url": "https://vpcep.eu-de.x/v1/abc"}]}]});
        assert_eq!(
            catalog_endpoint(&token, Some("eu-de")).as_deref(),
            Some("https://vpcep.eu-de.x")
        );
        assert_eq!(
            catalog_endpoint(&token, None).as_deref(),
            Some("https://vpcep.eu-nl.x")
        );
        assert_eq!(catalog_endpoint(&json!({}), None), None);
    }
}
