//! Who a `provider "otc"` block signs in as: its sign-in attributes, completed from the
//! environment (the default provider only) and from a `clouds.yaml` entry, and the method they
//! choose (password, token or AK/SK, each optionally through an agency).
//!
//! Precedence, as in terraform-provider-opentelekomcloud: an attribute written in the block,
//! then its environment variable (default provider only), then the `clouds.yaml` entry (with
//! `secure.yaml` over it). Secrets are [`Secret`]s from the start, so no rendering shows them.

use super::sign::{Credentials, Secret};
use std::path::{Path, PathBuf};

pub use crate::model::SignIn;

/// The attributes that hold credentials: their values are never saved, and variables they
/// read are asked for again when a saved plan is applied.
pub const SECRET_ATTRIBUTES: [&str; 5] = [
    "password",
    "access_key",
    "secret_key",
    "security_token",
    "token",
];

/// Every sign-in attribute of a provider block (besides `region`, `project_id`, `endpoint`).
pub const ATTRIBUTES: [&str; 16] = [
    "auth_url",
    "user_name",
    "user_id",
    "password",
    "domain_name",
    "domain_id",
    "tenant_name",
    "tenant_id",
    "access_key",
    "secret_key",
    "security_token",
    "token",
    "agency_name",
    "agency_domain_name",
    "delegated_project",
    "cloud",
];

/// Each attribute's environment variables, first found wins (`OpenStack`'s and the OTC
/// provider's names).
const ENV: [(&str, &[&str]); 17] = [
    ("auth_url", &["OS_AUTH_URL"]),
    ("user_name", &["OS_USERNAME", "OS_USER_NAME"]),
    ("user_id", &["OS_USER_ID"]),
    ("password", &["OS_PASSWORD"]),
    (
        "domain_name",
        &[
            "OS_DOMAIN_NAME",
            "OS_USER_DOMAIN_NAME",
            "OS_PROJECT_DOMAIN_NAME",
        ],
    ),
    ("domain_id", &["OS_DOMAIN_ID", "OS_USER_DOMAIN_ID"]),
    ("tenant_name", &["OS_TENANT_NAME", "OS_PROJECT_NAME"]),
    ("tenant_id", &["OS_TENANT_ID", "OS_PROJECT_ID"]),
    ("access_key", &["OS_ACCESS_KEY", "OS_ACCESS_KEY_ID"]),
    ("secret_key", &["OS_SECRET_KEY", "OS_SECRET_ACCESS_KEY"]),
    ("security_token", &["OS_SECURITY_TOKEN"]),
    ("token", &["OS_AUTH_TOKEN", "OS_TOKEN"]),
    ("agency_name", &["OS_AGENCY_NAME"]),
    ("agency_domain_name", &["OS_AGENCY_DOMAIN_NAME"]),
    ("delegated_project", &["OS_DELEGATED_PROJECT"]),
    ("cloud", &["OS_CLOUD"]),
    ("region", &["OS_REGION_NAME"]),
];

/// The environment variables sign-in reads (names and values), taken once at start-up.
#[derive(Debug, Clone, Default)]
pub struct AuthEnv {
    vars: Vec<(String, Secret)>,
}

impl AuthEnv {
    /// The names of the environment variables sign-in reads (the command line reads them).
    pub fn names() -> impl Iterator<Item = &'static str> {
        ENV.iter()
            .flat_map(|(_, names)| names.iter().copied())
            .chain(["OS_CLIENT_CONFIG_FILE", "OS_CLIENT_SECURE_FILE", "HOME"])
    }

    /// The environment as read: `(name, value)` of those of [`AuthEnv::names`] that are set.
    pub fn from_vars(vars: Vec<(String, String)>) -> Self {
        AuthEnv {
            vars: vars
                .into_iter()
                .filter(|(_, v)| !v.is_empty())
                .map(|(k, v)| (k, Secret::new(v)))
                .collect(),
        }
    }

    /// An environment of the given variables (for tests and embedding).
    pub fn of(vars: &[(&str, &str)]) -> Self {
        AuthEnv {
            vars: vars
                .iter()
                .map(|(k, v)| ((*k).to_owned(), Secret::new(*v)))
                .collect(),
        }
    }

    fn get(&self, name: &str) -> Option<&Secret> {
        self.vars.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    /// The value of an attribute from its environment variables, and the variable's name.
    fn attribute(&self, attribute: &str) -> Option<(&'static str, &Secret)> {
        let (_, names) = ENV.iter().find(|(a, _)| *a == attribute)?;
        names.iter().find_map(|n| self.get(n).map(|v| (*n, v)))
    }
}

/// How a provider proves who it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Method {
    Password {
        user: User,
        password: Secret,
    },
    /// A token issued before (`token`, `OS_AUTH_TOKEN`).
    Token(Secret),
    /// A key pair, permanent or temporary (with its security token).
    AkSk(Credentials),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum User {
    Id(String),
    Named { name: String, domain: Domain },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Domain {
    Id(String),
    Name(String),
}

/// Which project: by ID, or by name in the domain signed in to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Project {
    Id(String),
    Name(String),
}

/// Acting in another account through an agency it made for the signer's account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agency {
    pub name: String,
    /// The account (domain) that made the agency.
    pub domain_name: String,
}

/// A provider's identity, complete: what IAM needs to sign it in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub method: Method,
    /// `https://iam.REGION.../v3`: given, or derived from the region and profile.
    pub auth_url: Option<String>,
    /// The project to act in (of the agency's account, with an agency).
    pub project: Project,
    /// The signer's own domain, when it is known without asking (AK/SK project lookups).
    pub domain_id: Option<String>,
    pub agency: Option<Agency>,
    pub region: Option<String>,
    /// Where the credentials came from, for messages (never their values).
    pub source: String,
}

impl Identity {
    /// The credentials and project ID to send requests with, when no IAM request is needed
    /// first (a project ID, and a token or key pair of that project's account).
    pub fn direct(&self) -> Option<(Credentials, &str)> {
        let Project::Id(project) = &self.project else {
            return None;
        };
        if self.agency.is_some() {
            return None;
        }
        match &self.method {
            Method::AkSk(c) => Some((c.clone(), project)),
            Method::Token(t) => Some((Credentials::Token(t.clone()), project)),
            Method::Password { .. } => None,
        }
    }

    /// A stable digest of who this is (never a secret itself): the key of the token cache and
    /// of the request budget.
    pub fn key(&self) -> String {
        let who = match &self.method {
            Method::Password { user, password } => {
                format!(
                    "password {user:?} {}",
                    super::sign::sha256_hex(password.expose().as_bytes())
                )
            }
            Method::Token(t) => format!("token {}", super::sign::sha256_hex(t.expose().as_bytes())),
            Method::AkSk(Credentials::AkSk { access_key, .. }) => format!("aksk {access_key}"),
            Method::AkSk(Credentials::Token(t)) => {
                format!("token {}", super::sign::sha256_hex(t.expose().as_bytes()))
            }
        };
        super::sign::sha256_hex(
            format!(
                "{who} {:?} {:?} {:?} {:?}",
                self.auth_url, self.project, self.agency, self.region
            )
            .as_bytes(),
        )
    }
}

/// What [`resolve`] needs besides the block.
pub struct Context<'a> {
    /// `otc` or `otc.ALIAS`, for messages.
    pub provider: &'a str,
    /// The environment: where clouds.yaml is, for every provider; and for the default
    /// provider only (`reads_credentials`), credentials and settings.
    pub env: &'a AuthEnv,
    pub reads_credentials: bool,
    pub region: Option<&'a str>,
    pub project_id: Option<&'a str>,
    pub profile: crate::model::CloudProfile,
    /// The directory `./clouds.yaml` is looked for in.
    pub dir: &'a Path,
}

/// One setting with where it came from.
struct Found {
    value: Secret,
    from: String,
}

/// The block, the environment and the clouds.yaml entry, in that order of precedence.
struct Sources<'a> {
    block: &'a SignIn,
    env: Option<&'a AuthEnv>,
    entry: Option<(String, CloudEntry)>,
}

impl Sources<'_> {
    fn find(&self, attribute: &str) -> Option<Found> {
        if let Some(v) = block_value(self.block, attribute) {
            return Some(Found {
                value: v,
                from: "the provider block".into(),
            });
        }
        if let Some((name, v)) = self.env.and_then(|e| e.attribute(attribute)) {
            return Some(Found {
                value: v.clone(),
                from: format!("the environment ({name})"),
            });
        }
        let (label, entry) = self.entry.as_ref()?;
        entry.get(attribute).map(|v| Found {
            value: v.clone(),
            from: label.clone(),
        })
    }

    fn text(&self, attribute: &str) -> Option<String> {
        self.find(attribute).map(|f| f.value.expose().to_owned())
    }
}

fn block_value(block: &SignIn, attribute: &str) -> Option<Secret> {
    let text = |v: &Option<String>| v.clone().map(Secret::new);
    match attribute {
        "auth_url" => text(&block.auth_url),
        "user_name" => text(&block.user_name),
        "user_id" => text(&block.user_id),
        "password" => block.password.clone(),
        "domain_name" => text(&block.domain_name),
        "domain_id" => text(&block.domain_id),
        "tenant_name" => text(&block.tenant_name),
        "tenant_id" => text(&block.tenant_id),
        "access_key" => text(&block.access_key),
        "secret_key" => block.secret_key.clone(),
        "security_token" => block.security_token.clone(),
        "token" => block.token.clone(),
        "agency_name" => text(&block.agency_name),
        "agency_domain_name" => text(&block.agency_domain_name),
        "delegated_project" => text(&block.delegated_project),
        "cloud" => text(&block.cloud),
        _ => None,
    }
}

/// How the provider signs in, from the first credentials its sources give (key pair, token,
/// password), and where that secret came from (for messages).
fn method(sources: &Sources<'_>, cx: &Context<'_>) -> Result<(Method, String), String> {
    let provider = cx.provider;
    let password = sources.find("password");
    let access_key = sources.find("access_key");
    let secret_key = sources.find("secret_key");
    let token = sources.find("token");
    // Where the chosen method's secret came from, for messages.
    let source = [&access_key, &token, &password]
        .into_iter()
        .flatten()
        .next()
        .map(|f| f.from.clone())
        .unwrap_or_default();
    let method = if let (Some(ak), Some(sk)) = (&access_key, &secret_key) {
        Method::AkSk(Credentials::AkSk {
            access_key: ak.value.expose().to_owned(),
            secret_key: sk.value.clone(),
            security_token: sources.find("security_token").map(|f| f.value),
        })
    } else if let Some(one) = access_key.as_ref().or(secret_key.as_ref()) {
        let (has, lacks) = if access_key.is_some() {
            ("access_key", "secret_key")
        } else {
            ("secret_key", "access_key")
        };
        return Err(format!(
            "provider `{provider}` has `{has}` (from {}) but no `{lacks}`; give both",
            one.from
        ));
    } else if let Some(t) = token {
        Method::Token(t.value)
    } else if let Some(p) = password {
        let user = if let Some(id) = sources.text("user_id") {
            User::Id(id)
        } else if let Some(name) = sources.text("user_name") {
            let domain = if let Some(id) = sources.text("domain_id") {
                Domain::Id(id)
            } else if let Some(d) = sources.text("domain_name") {
                Domain::Name(d)
            } else {
                return Err(format!(
                    "provider `{provider}` signs in as user `{name}` but names no account: add `domain_name` (the account name, e.g. OTC-EU-DE-00000000001000000001) or `domain_id`"
                ));
            };
            User::Named { name, domain }
        } else {
            return Err(format!(
                "provider `{provider}` has a `password` (from {}) but no `user_name` or `user_id`",
                p.from
            ));
        };
        Method::Password {
            user,
            password: p.value,
        }
    } else {
        let env_hint = if cx.reads_credentials {
            " (in the block, or OS_USERNAME/OS_PASSWORD/OS_DOMAIN_NAME, OS_ACCESS_KEY/OS_SECRET_KEY or OS_AUTH_TOKEN in the environment, or OS_CLOUD)"
        } else {
            "; a provider with an alias does not read the environment, so its block says where its credentials come from, e.g. `password = var.partner_password`"
        };
        return Err(format!(
            "provider `{provider}` has no credentials: give `user_name`, `password` and `domain_name`, or `access_key` and `secret_key`, or `token`, or `cloud` naming a clouds.yaml entry{env_hint}"
        ));
    };
    Ok((method, source))
}

/// The agency the provider acts through: both of `agency_name` and `agency_domain_name`, or
/// neither.
fn agency(sources: &Sources<'_>, provider: &str) -> Result<Option<Agency>, String> {
    match (
        sources.text("agency_name"),
        sources.text("agency_domain_name"),
    ) {
        (Some(name), Some(domain_name)) => Ok(Some(Agency { name, domain_name })),
        (None, None) => Ok(None),
        (Some(_), None) => Err(format!(
            "provider `{provider}` has an `agency_name` but no `agency_domain_name` (the account that made the agency)"
        )),
        (None, Some(_)) => Err(format!(
            "provider `{provider}` has an `agency_domain_name` but no `agency_name`"
        )),
    }
}

/// The identity a provider block describes, completed from the environment and clouds.yaml.
pub fn resolve(block: &SignIn, cx: &Context<'_>) -> Result<Identity, String> {
    let provider = cx.provider;
    let env = cx.reads_credentials.then_some(cx.env);
    let cloud_name = block.cloud.clone().or_else(|| {
        env.and_then(|e| e.get("OS_CLOUD"))
            .map(|s| s.expose().to_owned())
    });
    let entry = match &cloud_name {
        Some(name) => Some(
            CloudsFile::find(cx.env, cx.dir)
                .and_then(|f| f.entry(name, provider))
                .map_err(|e| with_profile_hint(e, name))?,
        ),
        None => None,
    };
    let sources = Sources { block, env, entry };
    let region = cx
        .region
        .map(str::to_owned)
        .or_else(|| sources.text("region"));
    let (method, source) = method(&sources, cx)?;
    let agency = agency(&sources, provider)?;
    let project = if let Some(id) = cx
        .project_id
        .map(str::to_owned)
        .or_else(|| sources.text("tenant_id"))
    {
        Project::Id(id)
    } else if let Some(name) = agency
        .as_ref()
        .and_then(|_| sources.text("delegated_project"))
        .or_else(|| sources.text("tenant_name"))
        .or_else(|| region.clone())
    {
        // OTC names each account's project of a region after the region.
        Project::Name(name)
    } else {
        return Err(format!(
            "provider `{provider}` names no project: give `project_id`, `tenant_name` or a `region` (the project named after the region is used)"
        ));
    };
    let auth_url = sources
        .text("auth_url")
        .map(|u| u.trim_end_matches('/').to_owned())
        .or_else(|| region.as_deref().map(|r| default_auth_url(cx.profile, r)));
    Ok(Identity {
        method,
        auth_url,
        project,
        domain_id: sources.text("domain_id"),
        agency,
        region,
        source,
    })
}

/// A clouds.yaml error for `cloud = NAME`, with the hint that the API profile, which `cloud`
/// used to name, is now `profile`.
fn with_profile_hint(error: String, name: &str) -> String {
    match crate::model::CloudProfile::parse(name) {
        Some(p) => format!(
            "{error}\n  `cloud` names a clouds.yaml entry; the API profile is written `profile = \"{}\"`",
            p.as_str()
        ),
        None => error,
    }
}

/// IAM's address for a region of a cloud.
pub fn default_auth_url(profile: crate::model::CloudProfile, region: &str) -> String {
    match profile {
        crate::model::CloudProfile::Huawei => format!("https://iam.{region}.myhuaweicloud.com/v3"),
        crate::model::CloudProfile::OtcSwiss => {
            format!("https://iam-pub.{region}.sc.otc.t-systems.com/v3")
        }
        crate::model::CloudProfile::Otc => format!("https://iam.{region}.otc.t-systems.com/v3"),
    }
}

/// One entry of clouds.yaml, flattened to the provider's attribute names.
#[derive(Debug, Clone, Default)]
struct CloudEntry {
    values: Vec<(&'static str, Secret)>,
}

impl CloudEntry {
    fn get(&self, attribute: &str) -> Option<&Secret> {
        self.values
            .iter()
            .find(|(a, _)| *a == attribute)
            .map(|(_, v)| v)
    }
}

/// clouds.yaml's keys (under `auth`, or at the entry's top level) and the attribute each sets.
const CLOUDS_KEYS: [(&str, &str); 20] = [
    ("auth_url", "auth_url"),
    ("username", "user_name"),
    ("user_name", "user_name"),
    ("user_id", "user_id"),
    ("password", "password"),
    ("domain_name", "domain_name"),
    ("user_domain_name", "domain_name"),
    ("project_domain_name", "domain_name"),
    ("domain_id", "domain_id"),
    ("user_domain_id", "domain_id"),
    ("project_name", "tenant_name"),
    ("tenant_name", "tenant_name"),
    ("project_id", "tenant_id"),
    ("tenant_id", "tenant_id"),
    ("ak", "access_key"),
    ("access_key", "access_key"),
    ("sk", "secret_key"),
    ("secret_key", "secret_key"),
    ("token", "token"),
    ("region_name", "region"),
];

/// The `clouds.yaml` (and `secure.yaml`) `OpenStack` tools would read.
pub struct CloudsFile {
    path: PathBuf,
    clouds: serde_norway::Value,
    secure: Option<(PathBuf, serde_norway::Value)>,
}

/// The largest clouds.yaml read.
const MAX_CLOUDS_FILE: u64 = 1 << 20;

impl CloudsFile {
    /// The places `OpenStack` tools look for `name` (`clouds.yaml` or `secure.yaml`).
    fn candidates(env: &AuthEnv, dir: &Path, name: &str, var: &str) -> Vec<PathBuf> {
        let mut out = Vec::new();
        if let Some(p) = env.get(var) {
            out.push(PathBuf::from(p.expose()));
        }
        out.push(dir.join(name));
        if let Some(home) = env.get("HOME") {
            out.push(
                PathBuf::from(home.expose())
                    .join(".config/openstack")
                    .join(name),
            );
        }
        out.push(PathBuf::from("/etc/openstack").join(name));
        out
    }

    /// The first clouds.yaml found: `OS_CLIENT_CONFIG_FILE`, `./clouds.yaml`,
    /// `~/.config/openstack/clouds.yaml`, `/etc/openstack/clouds.yaml`.
    pub fn find(env: &AuthEnv, dir: &Path) -> Result<Self, String> {
        let candidates = Self::candidates(env, dir, "clouds.yaml", "OS_CLIENT_CONFIG_FILE");
        let Some(path) = candidates.iter().find(|p| p.is_file()).cloned() else {
            return Err(format!(
                "no clouds.yaml found (looked at {})",
                candidates
                    .iter()
                    .map(|p| format!("`{}`", p.display()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        };
        let clouds = read_yaml(&path)?;
        let secure = Self::candidates(env, dir, "secure.yaml", "OS_CLIENT_SECURE_FILE")
            .into_iter()
            .find(|p| p.is_file())
            .map(|p| read_yaml(&p).map(|v| (p, v)))
            .transpose()?;
        Ok(CloudsFile {
            path,
            clouds,
            secure,
        })
    }

    /// Whether an entry of this name exists.
    pub fn has(&self, name: &str) -> bool {
        self.clouds
            .get("clouds")
            .and_then(|c| c.get(name))
            .is_some()
    }

    /// The entry `name`, with secure.yaml's values over clouds.yaml's; a label for messages.
    fn entry(&self, name: &str, provider: &str) -> Result<(String, CloudEntry), String> {
        let Some(found) = self.clouds.get("clouds").and_then(|c| c.get(name)) else {
            let known: Vec<String> = self
                .clouds
                .get("clouds")
                .and_then(serde_norway::Value::as_mapping)
                .map(|m| {
                    m.keys()
                        .filter_map(|k| k.as_str().map(|k| format!("`{k}`")))
                        .collect()
                })
                .unwrap_or_default();
            return Err(format!(
                "provider `{provider}`: `{}` has no cloud `{name}`{}",
                self.path.display(),
                if known.is_empty() {
                    String::new()
                } else {
                    format!(" (it has {})", known.join(", "))
                }
            ));
        };
        let mut entry = CloudEntry::default();
        flatten(found, &mut entry);
        if let Some(secure) = self
            .secure
            .as_ref()
            .and_then(|(_, s)| s.get("clouds").and_then(|c| c.get(name)))
        {
            let mut over = CloudEntry::default();
            flatten(secure, &mut over);
            for (k, v) in over.values {
                entry.values.retain(|(a, _)| *a != k);
                entry.values.push((k, v));
            }
        }
        Ok((
            format!("clouds.yaml entry `{name}` ({})", self.path.display()),
            entry,
        ))
    }
}

fn read_yaml(path: &Path) -> Result<serde_norway::Value, String> {
    let text =
        crate::fsio::read_text(path, MAX_CLOUDS_FILE, "clouds.yaml").map_err(|e| e.to_string())?;
    serde_norway::from_str(&text).map_err(|e| {
        // The parser's message may quote the line, which may hold a password.
        let at = e
            .location()
            .map_or_else(String::new, |l| format!(" at line {}", l.line()));
        format!(
            "`{}` is not valid YAML{at}; fix the file (OpenStack's clouds.yaml format)",
            path.display()
        )
    })
}

/// An entry's `auth` keys and top-level keys (`region_name`), as attributes.
fn flatten(value: &serde_norway::Value, into: &mut CloudEntry) {
    let mut take = |map: &serde_norway::Value| {
        for (key, attribute) in CLOUDS_KEYS {
            if into.get(attribute).is_some() {
                continue;
            }
            let v = match map.get(key) {
                Some(serde_norway::Value::String(s)) => s.clone(),
                Some(serde_norway::Value::Number(n)) => n.to_string(),
                _ => continue,
            };
            into.values.push((attribute, Secret::new(v)));
        }
    };
    if let Some(auth) = value.get("auth") {
        take(auth);
    }
    take(value);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cx<'a>(provider: &'a str, env: Option<&'a AuthEnv>, dir: &'a Path) -> Context<'a> {
        static NONE: std::sync::LazyLock<AuthEnv> = std::sync::LazyLock::new(AuthEnv::default);
        Context {
            provider,
            env: env.unwrap_or(&NONE),
            reads_credentials: env.is_some(),
            region: Some("eu-de"),
            project_id: None,
            profile: crate::model::CloudProfile::Otc,
            dir,
        }
    }

    #[test]
    fn the_block_wins_over_the_environment_which_only_the_default_provider_reads() {
        let env = AuthEnv::of(&[
            ("OS_USERNAME", "env-user"),
            ("OS_PASSWORD", "env-pass"),
            ("OS_DOMAIN_NAME", "env-domain"),
        ]);
        let dir = Path::new("/nonexistent");
        let block = SignIn {
            user_name: Some("alice".into()),
            ..SignIn::default()
        };
        let id = resolve(&block, &cx("otc", Some(&env), dir)).unwrap();
        match id.method {
            Method::Password { user, password } => {
                assert_eq!(
                    user,
                    User::Named {
                        name: "alice".into(),
                        domain: Domain::Name("env-domain".into())
                    }
                );
                assert_eq!(password.expose(), "env-pass");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(id.project, Project::Name("eu-de".into()));
        assert_eq!(
            id.auth_url.as_deref(),
            Some("https://iam.eu-de.otc.t-systems.com/v3")
        );
        let err = resolve(&block, &cx("otc.partner", None, dir)).unwrap_err();
        assert!(err.contains("does not read the environment"), "{err}");
        assert!(err.contains("otc.partner"), "{err}");
    }

    #[test]
    fn clouds_yaml_with_secure_yaml_fills_what_the_block_leaves_out() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("clouds.yaml"),
            "clouds:\n  owner:\n    auth:\n      auth_url: http://127.0.0.1:1/v3\n      username: alice\n      user_domain_name: acme\n      project_name: eu-de_acme\n    region_name: eu-de\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("secure.yaml"),
            "clouds:\n  owner:\n    auth:\n      password: hunter2\n",
        )
        .unwrap();
        let block = SignIn {
            cloud: Some("owner".into()),
            ..SignIn::default()
        };
        let mut c = cx("otc", None, dir.path());
        c.region = None;
        let id = resolve(&block, &c).unwrap();
        assert_eq!(id.project, Project::Name("eu-de_acme".into()));
        assert_eq!(id.region.as_deref(), Some("eu-de"));
        assert_eq!(id.auth_url.as_deref(), Some("http://127.0.0.1:1/v3"));
        assert!(
            id.source.contains("clouds.yaml entry `owner`"),
            "{}",
            id.source
        );
        let Method::Password { password, .. } = id.method else {
            panic!("password expected")
        };
        assert_eq!(password.expose(), "hunter2");
        let missing = SignIn {
            cloud: Some("nobody".into()),
            ..SignIn::default()
        };
        let err = resolve(&missing, &c).unwrap_err();
        assert!(
            err.contains("has no cloud `nobody`") && err.contains("`owner`"),
            "{err}"
        );
    }

    #[test]
    fn half_a_key_pair_or_an_agency_without_its_account_is_an_error() {
        let dir = Path::new("/nonexistent");
        let block = SignIn {
            access_key: Some("AK".into()),
            ..SignIn::default()
        };
        let err = resolve(&block, &cx("otc", None, dir)).unwrap_err();
        assert!(err.contains("no `secret_key`"), "{err}");
        let block = SignIn {
            token: Some(Secret::new("t")),
            agency_name: Some("a".into()),
            ..SignIn::default()
        };
        let err = resolve(&block, &cx("otc", None, dir)).unwrap_err();
        assert!(err.contains("agency_domain_name"), "{err}");
    }
}
