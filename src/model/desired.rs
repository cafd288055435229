//! The desired state: what the configuration asks for, fully evaluated except for unknowns.

use super::address::{Address, ResourceId};
use super::value::Value;
use indexmap::IndexMap;
use std::path::PathBuf;
use std::time::Duration;

/// The tool's own settings a configuration holds, apart from what it manages: where it runs,
/// which cloud it talks to, where its state lives. A command needs them before anything else
/// (to find and lock the state), so they are evaluated first and may not depend on resources.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// The configuration directory; relative paths in the configuration are resolved from it.
    pub dir: PathBuf,
    /// The default cloud (the `provider` block without an alias).
    pub provider: ProviderConfig,
    /// The other clouds, by `TYPE.ALIAS` (e.g. `otc.partner`): other accounts or regions.
    pub aliases: IndexMap<String, ProviderConfig>,
    pub backend: BackendConfig,
}

impl Settings {
    /// The defaults: the simulated cloud and a local state file.
    pub fn defaults(dir: &std::path::Path) -> Self {
        Settings {
            dir: dir.to_path_buf(),
            provider: ProviderConfig::Sim(SimConfig::default()),
            aliases: IndexMap::new(),
            backend: BackendConfig::default(),
        }
    }
}

/// Everything a configuration directory describes: its settings and the desired resources
/// and outputs.
#[derive(Debug, Clone)]
pub struct DesiredState {
    pub settings: Settings,
    /// Every resource instance, in dependency order (what an instance refers to comes first).
    pub resources: IndexMap<Address, ResourceInstance>,
    pub outputs: IndexMap<String, OutputValue>,
    /// Every data source instance: its arguments, and whether it is read now or during
    /// apply.
    pub data: Vec<crate::model::data::DataInstance>,
    /// `moved`, `removed` and `import` blocks.
    pub refactors: crate::model::refactor::Refactors,
    /// The `check` blocks, each evaluated with what is known.
    pub checks: Vec<CheckResult>,
    /// The text of every sensitive value the configuration holds (values of sensitive
    /// variables), so free text — an error the cloud echoes — can be redacted too.
    pub secrets: Vec<String>,
}

impl DesiredState {
    /// No resources, the default provider and backend.
    pub fn empty(dir: &std::path::Path) -> Self {
        DesiredState {
            settings: Settings::defaults(dir),
            resources: IndexMap::new(),
            outputs: IndexMap::new(),
            secrets: Vec::new(),
            data: Vec::new(),
            refactors: crate::model::refactor::Refactors::default(),
            checks: Vec::new(),
        }
    }

    /// How many instances of each resource type, e.g. `2 services, 1 endpoint`.
    pub fn count_summary(&self) -> String {
        let count = |t| self.resources.keys().filter(|a| a.rtype() == t).count();
        let parts: Vec<String> = [
            (super::ResourceType::Service, "service", "services"),
            (super::ResourceType::Endpoint, "endpoint", "endpoints"),
            (super::ResourceType::Approval, "approval", "approvals"),
        ]
        .into_iter()
        .filter_map(|(t, one, many)| match count(t) {
            0 => None,
            1 => Some(format!("1 {one}")),
            n => Some(format!("{n} {many}")),
        })
        .collect();
        if parts.is_empty() {
            "no resources".to_owned()
        } else {
            parts.join(", ")
        }
    }
}

/// One resource instance as configured.
#[derive(Debug, Clone)]
pub struct ResourceInstance {
    pub address: Address,
    /// Configured attributes in schema order, defaults filled in; blocks are lists of maps.
    pub attrs: crate::model::Map,
    /// Resources this one depends on, through references or `depends_on`; sorted.
    pub depends_on: Vec<ResourceId>,
    /// For each attribute, the resource attributes its expression reads.
    pub refs: IndexMap<String, Vec<RefTarget>>,
    /// Attributes whose value comes from something sensitive (sorted): never shown.
    pub sensitive: Vec<String>,
    pub prevent_destroy: bool,
    /// `lifecycle { ignore_changes }`: configured attributes whose changes are not planned
    /// (the recorded value stays).
    pub ignore_changes: Vec<String>,
    /// A `precondition` or `postcondition` reads values known only after apply: it is checked
    /// once apply has made them.
    pub deferred_checks: bool,
    /// `lifecycle { replace_triggered_by }`: a change of any of these replaces this instance.
    pub replace_triggered_by: Vec<RefTarget>,
    /// `lifecycle { create_before_destroy = true }`.
    pub create_before_destroy: bool,
    pub timeouts: Timeouts,
    /// Where the resource block starts, `file:line`, for messages.
    pub declared_at: String,
    /// The provider it is managed with (`TYPE.ALIAS`); `None` for the default one.
    pub provider: Option<String>,
}

impl ResourceInstance {
    pub fn attr(&self, name: &str) -> &Value {
        self.attrs.get(name).unwrap_or(&Value::Null)
    }
}

/// A reference from one attribute to an attribute of another resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefTarget {
    pub resource: ResourceId,
    /// The instance key, when the reference names one.
    pub key: Option<String>,
    /// The attribute read, when the reference names one.
    pub attr: Option<String>,
}

/// How long apply waits for asynchronous operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    pub create: Duration,
    pub update: Duration,
    pub delete: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        let ten_minutes = Duration::from_secs(600);
        Timeouts {
            create: ten_minutes,
            update: ten_minutes,
            delete: ten_minutes,
        }
    }
}

/// What a `check` block found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckResult {
    pub name: String,
    pub status: CheckStatus,
    /// The `error_message` of each failing assertion (or why it could not be evaluated).
    pub problems: Vec<String>,
    /// `file:line` of the block.
    pub at: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckStatus {
    Pass,
    Fail,
    /// A condition reads a value known only after apply.
    Unknown,
}

impl CheckStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CheckStatus::Pass => "pass",
            CheckStatus::Fail => "fail",
            CheckStatus::Unknown => "unknown",
        }
    }
}

impl CheckResult {
    /// The warning a failed check gives.
    pub fn warning(&self) -> Option<String> {
        (self.status == CheckStatus::Fail).then(|| {
            format!(
                "check `{}` failed ({}): {}",
                self.name,
                self.at,
                self.problems.join("; ")
            )
        })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct OutputValue {
    pub value: Value,
    pub description: Option<String>,
    pub sensitive: bool,
}

/// Which cloud to talk to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProviderConfig {
    Sim(SimConfig),
    Otc(Box<OtcConfig>),
}

/// The built-in simulated VPCEP cloud.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimConfig {
    /// The simulator's store, relative to the configuration directory unless absolute.
    pub path: PathBuf,
    pub create_delay: Duration,
    /// How long a deleted endpoint or service stays `deleting` (and an endpoint still counts
    /// as connected) before it is gone.
    pub delete_delay: Duration,
    pub quota_services: u32,
    pub quota_endpoints: u32,
    pub domain_id: String,
    pub project_id: String,
    /// Whether endpoints can be updated in place (Huawei Cloud's API, which `vpcep emulator
    /// --dialect huawei` serves); the simulator otherwise follows OTC, whose API cannot.
    pub endpoint_updates: bool,
}

pub const DEFAULT_SIM_DOMAIN_ID: &str = "0d0e0f00000000000000000000000001";
pub const DEFAULT_SIM_PROJECT_ID: &str = "0b0c0d00000000000000000000000001";

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            path: PathBuf::from(".vpcep/cloud.db"),
            create_delay: Duration::ZERO,
            delete_delay: Duration::ZERO,
            quota_services: 20,
            quota_endpoints: 50,
            domain_id: DEFAULT_SIM_DOMAIN_ID.to_owned(),
            project_id: DEFAULT_SIM_PROJECT_ID.to_owned(),
            endpoint_updates: false,
        }
    }
}

/// The real VPCEP v1 API of Open Telekom Cloud or Huawei Cloud.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OtcConfig {
    pub region: Option<String>,
    /// The project; without it, sign-in names the project (by `tenant_name`, an agency's
    /// `delegated_project`, or the region) and IAM says its ID.
    pub project_id: Option<String>,
    /// Overrides the endpoint from the token's catalog or the region.
    pub endpoint: Option<String>,
    /// Which cloud's documented limits apply (`profile`).
    pub profile: CloudProfile,
    /// Who the provider signs in as, as the block says (completed when the provider opens).
    pub sign_in: SignIn,
    /// A cap on requests per second (`max_rps`): below the gateway's limit, nothing is
    /// throttled at all.
    pub max_rps: Option<u32>,
}

/// The sign-in attributes of a provider block, as written (after evaluation).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SignIn {
    pub auth_url: Option<String>,
    pub user_name: Option<String>,
    pub user_id: Option<String>,
    pub password: Option<super::Secret>,
    pub domain_name: Option<String>,
    pub domain_id: Option<String>,
    pub tenant_name: Option<String>,
    pub tenant_id: Option<String>,
    pub access_key: Option<String>,
    pub secret_key: Option<super::Secret>,
    pub security_token: Option<super::Secret>,
    pub token: Option<super::Secret>,
    pub agency_name: Option<String>,
    pub agency_domain_name: Option<String>,
    pub delegated_project: Option<String>,
    /// An entry of `clouds.yaml`.
    pub cloud: Option<String>,
}

/// The documented differences between the clouds that run the VPCEP v1 API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CloudProfile {
    /// Open Telekom Cloud (eu-de, eu-nl).
    #[default]
    Otc,
    /// Open Telekom Cloud Switzerland (eu-ch2).
    OtcSwiss,
    /// Huawei Cloud.
    Huawei,
}

impl CloudProfile {
    pub const NAMES: [&'static str; 3] = ["otc", "otc-swiss", "huawei"];

    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "otc" => Some(CloudProfile::Otc),
            "otc-swiss" => Some(CloudProfile::OtcSwiss),
            "huawei" => Some(CloudProfile::Huawei),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            CloudProfile::Otc => "otc",
            CloudProfile::OtcSwiss => "otc-swiss",
            CloudProfile::Huawei => "huawei",
        }
    }

    /// The profile a region or endpoint implies: `eu-ch2` and `sc.otc.t-systems.com` are the
    /// Swiss cloud, `myhuaweicloud.com` is Huawei's, anything else Open Telekom Cloud.
    pub fn implied(region: Option<&str>, endpoint: Option<&str>) -> Self {
        let endpoint = endpoint.unwrap_or_default().to_ascii_lowercase();
        if endpoint.contains("myhuaweicloud.com") {
            CloudProfile::Huawei
        } else if region == Some("eu-ch2") || endpoint.contains("sc.otc.t-systems.com") {
            CloudProfile::OtcSwiss
        } else {
            CloudProfile::Otc
        }
    }

    /// Port mapping protocols the cloud accepts, and the document that says so.
    pub fn protocols(self) -> (&'static [&'static str], &'static str) {
        match self {
            CloudProfile::Otc | CloudProfile::OtcSwiss => (
                &["TCP"],
                "the OTC API reference allows TCP only (`EndPoint.3075`; opentelekomcloud-docs/vpc-endpoint, creating_a_vpc_endpoint_service.rst)",
            ),
            CloudProfile::Huawei => (
                &["TCP", "UDP"],
                "the Huawei Cloud API allows TCP and UDP (huaweicloud-sdk-go-v3, services/vpcep/v1/model/model_port_list.go)",
            ),
        }
    }

    /// Tags a service may have, and the document that says so.
    pub fn max_service_tags(self) -> (usize, &'static str) {
        match self {
            CloudProfile::OtcSwiss => (
                10,
                "the Swiss API reference allows 10 tags per service (opentelekomcloud-docs-swiss/vpc-endpoint, creating_a_vpc_endpoint_service.rst)",
            ),
            CloudProfile::Otc => (
                20,
                "the OTC API reference allows 20 tags per service (opentelekomcloud-docs/vpc-endpoint)",
            ),
            CloudProfile::Huawei => (
                20,
                "the Huawei Cloud API allows 20 tags per resource (huaweicloud-sdk-go-v3, services/vpcep/v1/model)",
            ),
        }
    }
}

/// Where the recorded state lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BackendConfig {
    Local {
        /// Relative to the configuration directory unless absolute.
        path: PathBuf,
    },
    Pg {
        /// `None` when it comes from `VPCEP_PG_CONN_STR`.
        conn_str: Option<String>,
        schema_name: String,
        state_name: String,
    },
}

impl Default for BackendConfig {
    fn default() -> Self {
        BackendConfig::Local {
            path: PathBuf::from("vpcep.state.json"),
        }
    }
}

/// `(base URL, host)` of a provider's `endpoint`; an error, which never repeats the URL, when
/// it is not an http(s) URL or holds credentials (`user:password@`).
pub fn endpoint_parts(endpoint: &str) -> Result<(String, String), String> {
    let base = endpoint.trim_end_matches('/').to_owned();
    let Some((scheme, rest)) = base.split_once("://") else {
        return Err(
            "the `endpoint` is not a URL such as https://vpcep.eu-de.otc.t-systems.com".into(),
        );
    };
    if scheme != "https" && scheme != "http" {
        return Err("the `endpoint` must start with https:// (or http:// for the emulator)".into());
    }
    let authority = rest.split('/').next().unwrap_or(rest);
    if authority.contains('@') {
        return Err("the `endpoint` must not contain credentials (`user:password@`); give them as the provider's sign-in attributes (see \"Signing in\" in the README)".into());
    }
    if authority.is_empty() {
        return Err("the `endpoint` has no host".into());
    }
    Ok((base.clone(), authority.to_owned()))
}

#[cfg(test)]
mod endpoint_tests {
    use super::endpoint_parts;

    #[test]
    fn an_endpoint_with_credentials_is_refused_without_repeating_them() {
        let err = endpoint_parts("https://alice:s3cret@vpcep.example").unwrap_err();
        assert!(!err.contains("s3cret"), "{err}");
        assert!(err.contains("must not contain credentials"), "{err}");
        assert!(endpoint_parts("ftp://x").is_err());
        assert_eq!(
            endpoint_parts("http://127.0.0.1:8080/").unwrap(),
            ("http://127.0.0.1:8080".into(), "127.0.0.1:8080".into())
        );
    }
}
