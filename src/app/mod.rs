//! The application layer: what plan, apply, destroy, refresh, import and the state commands
//! share — reading the configuration once, opening (and locking) the state, opening the cloud,
//! refreshing and planning. It never prints: what the user should see besides the result
//! (configuration warnings, notes, texts to redact) goes to the command's [`Observer`], and
//! why a command stopped is a [`Failure`] value. Tests call it in-process as the command
//! line does.

use crate::cloud::Cloud;
use crate::cloud::sim::Sim;
use crate::config::{self, LoadOptions, VarArg};
use crate::diag::Diagnostic;
use crate::model::{BackendConfig, DesiredState, ProviderConfig, RecordedState, Settings};
use crate::plan::{Plan, PlanOptions};
use crate::state::StateStore;
use crate::state::local::LocalState;
use std::path::PathBuf;
use std::time::Duration;

pub mod carry_out;
pub mod init;
pub mod look;
mod saved;
pub mod state_edit;

pub use crate::failure::{Failure, Kind as FailureKind, fail};

/// What a command shows besides its result, as it happens.
pub trait Observer: Send + Sync {
    /// Problems found in the configuration that did not stop the command (warnings).
    fn diagnostics(&self, diagnostics: &[Diagnostic]);
    /// A note for the user.
    fn note(&self, text: &str);
    /// Texts of sensitive values, to redact from everything shown from now on.
    fn secrets(&self, secrets: &[String]);
}

/// An observer that keeps nothing (for tests and tools that need no output).
pub struct Quiet;

impl Observer for Quiet {
    fn diagnostics(&self, _diagnostics: &[Diagnostic]) {}
    fn note(&self, _text: &str) {}
    fn secrets(&self, _secrets: &[String]) {}
}

/// What a command runs with: where, with which variables and credentials, and who hears of it.
pub struct Env {
    /// The configuration directory: always `.` for the command line, which changes into
    /// `-C DIR` first.
    pub dir: PathBuf,
    /// `-C DIR` as given, to repeat it in hints (`vpcep -C DIR apply p.plan`).
    pub chdir: Option<PathBuf>,
    /// `VPCEP_VAR_*` variables.
    pub env_vars: Vec<(String, String)>,
    /// The sign-in environment variables (`OS_*`), which the default `otc` provider reads.
    pub auth_env: crate::cloud::auth::AuthEnv,
    /// The pg backend's connection string, kept out of files.
    pub pg_conn_str: Option<String>,
    /// How the API gateway's rate limit is treated (`--max-rps`, `--throttle-timeout`).
    pub rate: crate::cloud::rate::RateSettings,
    /// Under `vpcep test`: every provider is an account of the simulated cloud in this
    /// directory (`cloud.db`), with the test file's overrides (`providers.json`).
    pub test_cloud: Option<PathBuf>,
    /// The workspace (`VPCEP_WORKSPACE`, else the one `vpcep workspace select` chose): which
    /// state the backend reads, and `vpcep.workspace`.
    pub workspace: String,
    pub observer: Box<dyn Observer>,
}

impl Env {
    /// The configuration directory as the user named it (`-C DIR`, else `.`), for messages.
    pub fn shown_dir(&self) -> PathBuf {
        self.chdir.clone().unwrap_or_else(|| PathBuf::from("."))
    }
}

/// The configuration as read once at the start of a command, and its settings.
pub struct Snapshot {
    pub sources: Vec<crate::config::Source>,
    /// Fixed variable values (from a saved plan); `None` evaluates `vars` and `env`.
    pub var_values: Option<indexmap::IndexMap<String, crate::model::Value>>,
    pub vars: Vec<VarArg>,
    pub env: Vec<(String, String)>,
    pub dir: PathBuf,
    pub settings: Settings,
    /// The workspace the configuration is evaluated in (`vpcep.workspace`).
    pub workspace: String,
    /// The variables files, each read once for the whole command.
    var_files: config::VarFiles,
    /// `sources` parsed, once for the whole command; released (see [`Snapshot::release`])
    /// while a plan is made from what it evaluated to, and parsed again only if evaluated again.
    parsed: std::sync::Mutex<Option<std::sync::Arc<config::Parsed>>>,
}

impl Snapshot {
    /// A snapshot of `sources`, with its provider and backend evaluated (defaults where the
    /// configuration has errors, which the returned load reports).
    pub fn with_settings(
        sources: Vec<crate::config::Source>,
        vars: Vec<VarArg>,
        env: Vec<(String, String)>,
        var_values: Option<indexmap::IndexMap<String, crate::model::Value>>,
        dir: &std::path::Path,
        workspace: &str,
    ) -> (Snapshot, config::Loaded) {
        let parsed = std::sync::Arc::new(config::parse(&sources));
        let mut snapshot = Snapshot {
            sources,
            var_values,
            vars,
            env,
            dir: dir.to_path_buf(),
            settings: Settings::defaults(dir),
            workspace: workspace.to_owned(),
            parsed: std::sync::Mutex::new(Some(parsed)),
            var_files: config::VarFiles::default(),
        };
        let mut options = snapshot.options();
        options.settings_only = true;
        let loaded = config::load(&options);
        if let Some(desired) = &loaded.desired {
            snapshot.settings = desired.settings.clone();
        }
        (snapshot, loaded)
    }

    pub fn options(&self) -> LoadOptions {
        LoadOptions {
            dir: self.dir.clone(),
            vars: self.vars.clone(),
            env: self.env.clone(),
            sources: None,
            settings_only: false,
            var_values: self.var_values.clone(),
            shown_dir: None,
            parsed: Some(self.parsed()),
            module: None,
            spent: config::Spent::default(),
            generating: false,
            workspace: self.workspace.clone(),
            var_files: self.var_files.clone(),
        }
    }

    /// The parsed configuration: as parsed at the start, or parsed again after a release.
    fn parsed(&self) -> std::sync::Arc<config::Parsed> {
        let mut held = self
            .parsed
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        held.get_or_insert_with(|| std::sync::Arc::new(config::parse(&self.sources)))
            .clone()
    }

    /// Lets the parsed configuration go: a large one's syntax tree is the largest thing a
    /// plan holds, and planning needs only what it evaluated to.
    pub fn release(&self) {
        let parsed = self
            .parsed
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        // Freeing millions of tree nodes takes a while; another core does it meanwhile (or,
        // with no thread to be had, this one: a failed `spawn` drops what it could not run).
        if let Some(parsed) = parsed {
            let _ = std::thread::Builder::new()
                .name("release".into())
                .spawn(move || drop(parsed));
        }
    }

    /// Evaluates the configuration with what `state` knows; prints problems.
    pub fn desired(
        &self,
        env: &Env,
        state: &RecordedState,
    ) -> Result<
        (
            DesiredState,
            indexmap::IndexMap<String, crate::model::Value>,
        ),
        Failure,
    > {
        self.evaluate(env, state, &self.options(), true)
    }

    /// The `import` blocks into resources the configuration does not declare yet (for
    /// `plan --generate-config-out` to write their blocks); the configuration's other problems
    /// are errors as usual.
    pub fn unconfigured_imports(
        &self,
        env: &Env,
        state: &RecordedState,
    ) -> Result<Vec<crate::model::refactor::Import>, Failure> {
        let mut options = self.options();
        options.generating = true;
        // The plan that follows evaluates the configuration again and shows its warnings.
        let (desired, _) = self.evaluate(env, state, &options, false)?;
        Ok(desired.refactors.unconfigured)
    }

    /// Evaluates the configuration with `options` and what `state` knows; an error stops it
    /// with every problem, and warnings are shown when `warn`.
    fn evaluate(
        &self,
        env: &Env,
        state: &RecordedState,
        options: &LoadOptions,
        warn: bool,
    ) -> Result<
        (
            DesiredState,
            indexmap::IndexMap<String, crate::model::Value>,
        ),
        Failure,
    > {
        let loaded = config::load_with(
            options,
            &crate::derive::StateValues {
                state,
                unknown: &std::collections::HashSet::new(),
            },
        );
        env.observer.secrets(&loaded.secrets);
        match loaded.desired {
            Some(d) if d.settings == self.settings => {
                if warn {
                    env.observer.diagnostics(&loaded.diagnostics);
                }
                Ok((d, loaded.variables))
            }
            Some(_) => Err(fail(
                "the `provider` and `backend` settings must not depend on resources",
            )
            .with_diagnostics(loaded.diagnostics)),
            None => Err(config_errors(loaded.errors()).with_diagnostics(loaded.diagnostics)),
        }
    }
}

/// "The configuration has N errors": the failure its diagnostics lead to.
fn config_errors(errors: usize) -> Failure {
    fail(format!(
        "the configuration has {errors} error{}; nothing was done",
        if errors == 1 { "" } else { "s" }
    ))
    .with_kind(FailureKind::ConfigurationInvalid)
}

fn refresh_failure(what: &str, e: &crate::refresh::RefreshError) -> Failure {
    match e {
        crate::refresh::RefreshError::Cloud(e) => crate::failure::cloud(what, e),
        crate::refresh::RefreshError::Ambiguous(_) => {
            fail(format!("{what}: {e}")).with_kind(FailureKind::RefreshAmbiguous)
        }
    }
}

/// Reads the configuration and evaluates its provider and backend settings.
pub fn snapshot(env: &Env, vars: &[VarArg]) -> Result<Snapshot, Failure> {
    let mut diags = Vec::new();
    let sources = config::read_dir_as(&env.dir, &env.shown_dir(), &mut diags);
    if !diags.is_empty() {
        return Err(fail("the configuration cannot be read; nothing was done")
            .with_diagnostics(diags)
            .with_kind(FailureKind::ConfigurationInvalid));
    }
    let (snapshot, loaded) = Snapshot::with_settings(
        sources,
        vars.to_vec(),
        env.env_vars.clone(),
        None,
        &env.dir,
        &env.workspace,
    );
    env.observer.secrets(&loaded.secrets);
    if loaded.desired.is_some() {
        Ok(snapshot)
    } else {
        // Report the whole configuration's problems, not just the settings'.
        let full = config::load(&snapshot.options());
        env.observer.secrets(&full.secrets);
        Err(config_errors(full.errors().max(1)).with_diagnostics(full.diagnostics))
    }
}

/// Where the state of this configuration lives.
pub enum StateLocation {
    Local(PathBuf),
    Pg {
        conn_str: String,
        schema: String,
        name: String,
    },
}

impl StateLocation {
    /// The state's place for messages: the file, or the pg server, schema and name (never a
    /// password), as the opened store describes itself.
    pub fn describe(&self) -> String {
        match self {
            StateLocation::Local(path) => path.display().to_string(),
            StateLocation::Pg {
                conn_str,
                schema,
                name,
            } => crate::state::pg::describe_conn(conn_str, schema, name),
        }
    }
}

/// Where the state is: `--state PATH`, else the backend's settings (for `pg`, the connection
/// string may come from `VPCEP_PG_CONN_STR` instead of the configuration).
pub fn state_location(
    env: &Env,
    settings: &Settings,
    override_path: Option<&PathBuf>,
) -> Result<StateLocation, Failure> {
    state_location_of(env, settings, override_path, &env.workspace)
}

/// [`state_location`] of the workspace `workspace` (`--state PATH` names one file, whatever
/// the workspace).
pub fn state_location_of(
    env: &Env,
    settings: &Settings,
    override_path: Option<&PathBuf>,
    workspace: &str,
) -> Result<StateLocation, Failure> {
    if let Some(p) = override_path {
        return Ok(StateLocation::Local(p.clone()));
    }
    let location = default_location(env, settings)?;
    Ok(match location {
        StateLocation::Local(path) => {
            StateLocation::Local(crate::workspace::local_path(&path, workspace))
        }
        StateLocation::Pg {
            conn_str,
            schema,
            name,
        } => StateLocation::Pg {
            conn_str,
            schema,
            name: crate::workspace::pg_name(&name, workspace),
        },
    })
}

/// Where the default workspace's state is.
fn default_location(env: &Env, settings: &Settings) -> Result<StateLocation, Failure> {
    match &settings.backend {
        BackendConfig::Local { path }
            if path.is_absolute() || env.dir == std::path::Path::new(".") =>
        {
            Ok(StateLocation::Local(path.clone()))
        }
        BackendConfig::Local { path } => Ok(StateLocation::Local(env.dir.join(path))),
        BackendConfig::Pg {
            conn_str,
            schema_name,
            state_name,
        } => {
            let conn_str = conn_str.clone().or_else(|| env.pg_conn_str.clone()).ok_or_else(|| {
                fail("`backend \"pg\"` needs a connection string: set `conn_str`, or (to keep passwords out of files) the environment variable VPCEP_PG_CONN_STR")
            })?;
            Ok(StateLocation::Pg {
                conn_str,
                schema: schema_name.clone(),
                name: state_name.clone(),
            })
        }
    }
}

/// Opens the state, taking its lock when `lock` names the operation.
pub fn open_store(
    location: &StateLocation,
    lock: Option<(&str, Duration)>,
) -> Result<Box<dyn StateStore>, Failure> {
    let opened = match location {
        StateLocation::Local(path) => {
            LocalState::open(path, lock).map(|s| Box::new(s) as Box<dyn StateStore>)
        }
        StateLocation::Pg {
            conn_str,
            schema,
            name,
        } => crate::state::pg::PgState::open(conn_str, schema, name, lock)
            .map(|s| Box::new(s) as Box<dyn StateStore>),
    };
    opened
        .map(|s| Box::new(crate::state::logged::Logged(s)) as Box<dyn StateStore>)
        .map_err(Failure::from)
}

/// Reads and opens the state of the configuration in one step.
pub fn store_for(
    env: &Env,
    settings: &Settings,
    override_path: Option<&PathBuf>,
    lock: Option<(&str, Duration)>,
) -> Result<Box<dyn StateStore>, Failure> {
    open_store(&state_location(env, settings, override_path)?, lock)
}

pub fn open_cloud(env: &Env, settings: &Settings) -> Result<Box<dyn Cloud>, Failure> {
    open_provider(env, settings, &settings.provider, None)
}

/// The clouds of every provider of the configuration: the default one and each alias.
pub fn open_clouds(env: &Env, settings: &Settings) -> Result<crate::cloud::Clouds, Failure> {
    let default = open_cloud(env, settings)?;
    let mut aliased = indexmap::IndexMap::new();
    for (key, provider) in &settings.aliases {
        let cloud = open_provider(env, settings, provider, Some(key))?;
        aliased.insert(key.clone(), cloud);
    }
    Ok(crate::cloud::Clouds { default, aliased })
}

/// Refuses a state that records resources of a provider the configuration no longer has:
/// nothing could refresh, change or delete them (as Terraform refuses an orphaned provider).
fn check_providers_of(state: &RecordedState, settings: &Settings) -> Result<(), Failure> {
    let orphans: Vec<String> = state
        .resources
        .values()
        .filter(|r| {
            r.provider
                .as_ref()
                .is_some_and(|p| !settings.aliases.contains_key(p))
        })
        .map(|r| {
            format!(
                "`{}` (provider `{}`)",
                r.address,
                r.provider.as_deref().unwrap_or_default()
            )
        })
        .collect();
    if orphans.is_empty() {
        return Ok(());
    }
    Err(fail(format!(
        "the state records resources of providers this configuration no longer declares: {}; nothing was done\n  put the `provider` blocks back to plan their deletion, or forget them with `vpcep state rm`",
        orphans.join(", ")
    )))
}

/// The cloud of one provider block (`alias`: its `TYPE.ALIAS`, `None` for the default one).
/// An `otc` provider signs in here, so bad credentials fail before anything is planned.
fn open_provider(
    env: &Env,
    settings: &Settings,
    provider: &ProviderConfig,
    alias: Option<&str>,
) -> Result<Box<dyn Cloud>, Failure> {
    if let Some(dir) = &env.test_cloud {
        let sim = crate::testcloud::simulated(dir, provider, alias).map_err(fail)?;
        return Sim::open(&sim, &settings.dir)
            .map(|s| Box::new(s) as Box<dyn Cloud>)
            .map_err(fail);
    }
    match provider {
        ProviderConfig::Sim(sim) => Sim::open(sim, &settings.dir)
            .map(|s| Box::new(s) as Box<dyn Cloud>)
            .map_err(|e| match alias {
                Some(key) => fail(format!("provider `{key}`: {e}")),
                None => fail(e),
            }),
        ProviderConfig::Otc(otc) => {
            let name = alias.unwrap_or("otc");
            let cx = crate::cloud::auth::Context {
                provider: name,
                env: &env.auth_env,
                reads_credentials: alias.is_none(),
                region: otc.region.as_deref(),
                project_id: otc.project_id.as_deref(),
                profile: otc.profile,
                dir: &settings.dir,
            };
            let identity = crate::cloud::auth::resolve(&otc.sign_in, &cx).map_err(fail)?;
            let session = match identity.direct() {
                Some((credentials, project)) => {
                    crate::cloud::iam::Session::fixed(credentials, project)
                }
                None => {
                    crate::cloud::iam::Session::sign_in(&identity, name).map_err(sign_in_failure)?
                }
            };
            let endpoint = otc
                .endpoint
                .clone()
                .or_else(|| session.scope().endpoint.clone())
                .or_else(|| {
                    identity
                        .region
                        .as_deref()
                        .map(|r| crate::cloud::http::HttpCloud::endpoint_for(otc.profile, r))
                })
                .ok_or_else(|| {
                    fail(format!(
                        "provider `{name}` needs a `region` or an `endpoint` (IAM's catalog named no VPCEP endpoint)"
                    ))
                })?;
            let rate = crate::cloud::rate::RateSettings {
                max_rps: env.rate.max_rps.or(otc.max_rps.map(f64::from)),
                ..env.rate
            };
            crate::cloud::http::HttpCloud::signed_in(&endpoint, session, rate)
                .map(|c| Box::new(c) as Box<dyn Cloud>)
                .map_err(|e| fail(format!("provider `{name}`: {e}")))
        }
    }
}

/// A failed sign-in as a failure of its kind: IAM unreachable, denied (401/403), throttled,
/// refused; an incomplete identity is the user's to complete.
fn sign_in_failure(e: crate::cloud::iam::SignInError) -> Failure {
    use crate::cloud::iam::SignInFailure as R;
    let kind = match e.reason {
        R::Incomplete => FailureKind::Usage,
        R::Unreachable => FailureKind::CloudUnreachable,
        R::Refused(401 | 403) => FailureKind::CloudDenied,
        R::Refused(429) => FailureKind::CloudThrottled,
        R::Refused(_) => FailureKind::CloudRefused,
    };
    fail(e.message).with_kind(kind)
}

/// Connection requests with the approval of this configuration that accepts each (by its
/// `endpoints`, as planned, or by its `accounts`).
fn decided(
    mut requests: Vec<crate::plan::ConnectionRequest>,
    desired: &DesiredState,
    plan: &crate::plan::Plan,
) -> Vec<crate::plan::ConnectionRequest> {
    for request in &mut requests {
        let planned = plan.changes.iter().find(|c| {
            c.address.rtype() == crate::model::ResourceType::Approval
                && c.after.as_ref().is_some_and(|a| {
                    a.get("service_id").and_then(crate::model::Value::as_str)
                        == Some(request.service_id.as_str())
                        && lists(a, "endpoints", &request.endpoint_id)
                })
        });
        request.decided_by = planned
            .map(|c| c.address.clone())
            .or_else(|| configured_approval(request, desired));
    }
    requests
}

/// Whether the list attribute `name` of `attrs` holds `what`.
fn lists(attrs: &crate::plan::Attrs, name: &str, what: &str) -> bool {
    attrs
        .get(name)
        .and_then(crate::model::Value::as_list)
        .is_some_and(|l| l.iter().any(|v| v.as_str() == Some(what)))
}

/// The approval of the configuration that accepts a connection request, by its `endpoints`
/// or its `accounts`.
pub fn configured_approval(
    request: &crate::plan::ConnectionRequest,
    desired: &DesiredState,
) -> Option<crate::model::Address> {
    desired
        .resources
        .values()
        .find(|r| {
            r.address.rtype() == crate::model::ResourceType::Approval
                && r.attr("service_id").as_str() == Some(request.service_id.as_str())
                && (lists(&r.attrs, "endpoints", &request.endpoint_id)
                    || lists(&r.attrs, "accounts", &request.account))
        })
        .map(|r| r.address.clone())
}

/// Flags that choose what a plan does.
#[derive(Debug, Clone, Default)]
pub struct PlanSettings {
    pub refresh: bool,
    /// `--refresh-only`: plan only what changed outside vpcep (the plan's changes are its
    /// drift); applying it records that and changes nothing in the cloud.
    pub refresh_only: bool,
    /// `--forget-missing`: the refresh guard lets a refresh remove what it could not find,
    /// however much that is.
    pub forget_missing: bool,
    /// Whether the plan will be saved (`--out`): only then is the stored state hashed.
    pub saving: bool,
    pub options: PlanOptions,
    pub state: Option<PathBuf>,
    pub lock_timeout: Duration,
}

/// Everything an apply needs after planning.
pub struct Planned {
    pub snapshot: Snapshot,
    pub store: Box<dyn StateStore>,
    /// Lineage and serial of the stored state the plan was made against (`None`: no state).
    pub base: Option<(String, u64)>,
    /// [`crate::planfile::state_hash`] of that stored state.
    pub base_sha256: Option<String>,
    /// The recorded state after refresh: what the plan was made against.
    pub state: RecordedState,
    /// Whether `state` differs from what is stored (refresh found something, or no state yet).
    pub state_changed: bool,
    /// The clouds of the providers: the default one and each alias.
    pub clouds: crate::cloud::Clouds,
    pub options: PlanOptions,
    pub plan: Plan,
    /// The configuration as evaluated for the plan.
    pub desired: DesiredState,
    /// The value each variable took.
    pub variables: indexmap::IndexMap<String, crate::model::Value>,
    /// What the data sources read while planning.
    pub reads: crate::reads::Reads,
}

impl Planned {
    /// The plan as saved by `plan --out`.
    pub fn saved(&self) -> crate::planfile::SavedPlan {
        crate::planfile::SavedPlan {
            base: self.base.clone(),
            base_sha256: self.base_sha256.clone(),
            state: self.state.clone(),
            // The directory it was made in, absolute: apply checks that it runs there.
            dir: std::path::absolute(&self.snapshot.dir)
                .map_or_else(|_| self.snapshot.dir.clone(), |d| normalized(&d))
                .display()
                .to_string(),
            sources: self.snapshot.sources.clone(),
            config_sha256: crate::planfile::config_hash(&self.snapshot.sources),
            variables: self.variables.clone(),
            cloud: self.clouds.describe(),
            simulated: self.clouds.all_simulated(),
            options: self.options.clone(),
            plan: self.plan.clone(),
        }
    }
}

impl crate::derive::Source for Snapshot {
    fn options(&self) -> LoadOptions {
        Snapshot::options(self)
    }

    fn release(&self) {
        Snapshot::release(self);
    }
}

/// Evaluates the configuration against `state` and plans (see [`crate::derive`]); prints the
/// configuration's diagnostics. The one way a plan is made: `plan` uses it, and applying a
/// saved plan uses it to check the file.
fn derive(
    env: &Env,
    snapshot: &Snapshot,
    state: &RecordedState,
    facts: &mut crate::plan::CloudFacts,
    options: &PlanOptions,
    clouds: &crate::cloud::Clouds,
) -> Result<crate::derive::Derived, Failure> {
    match crate::derive::derive(snapshot, state, facts, options, clouds) {
        Ok(derived) => {
            for loaded in &derived.loads {
                env.observer.secrets(&loaded.secrets);
            }
            if let Some(first) = derived.loads.first() {
                env.observer.diagnostics(&first.diagnostics);
            }
            if derived.desired.settings != snapshot.settings {
                return Err(fail(
                    "the `provider` and `backend` settings must not depend on resources",
                ));
            }
            Ok(derived)
        }
        Err(crate::derive::DeriveError::Cloud(e)) => Err(crate::failure::cloud(
            &format!(
                "reading what the plan needs to know from {}",
                clouds.describe()
            ),
            &e,
        )),
        Err(crate::derive::DeriveError::Config(loaded)) => {
            env.observer.secrets(&loaded.secrets);
            Err(config_errors(loaded.errors()).with_diagnostics(loaded.diagnostics))
        }
        Err(crate::derive::DeriveError::Refactor(message)) => {
            Err(fail(format!("{message}; nothing was done")))
        }
    }
}

pub use saved::from_plan_file;

/// What a plan is made against: the state as the cloud reports it, what changed outside
/// vpcep, the facts the rules read, and the connection requests the owner should see.
struct Refreshed {
    state: RecordedState,
    drift: Vec<crate::plan::Drift>,
    facts: crate::plan::CloudFacts,
    requests: Vec<crate::plan::ConnectionRequest>,
}

/// Refreshes `prior` from the clouds (refused by the refresh guard when it would forget what
/// the state records, unless `--forget-missing`); with `--refresh=false`, only looks for the
/// creates an interrupted apply left pending (nothing is created while an earlier create of
/// it may exist) and reads the facts. Notes and whether the state changed are added to.
fn refresh_for_plan(
    settings: &PlanSettings,
    clouds: &crate::cloud::Clouds,
    prior: RecordedState,
    notes: &mut Vec<String>,
    state_changed: &mut bool,
) -> Result<Refreshed, Failure> {
    if settings.refresh {
        let refreshed = crate::refresh::refresh_all(clouds, &prior)
            .map_err(|e| refresh_failure(&format!("refreshing from {}", clouds.describe()), &e))?;
        if !settings.forget_missing {
            guard(&prior, &refreshed.drift, clouds)?;
        }
        notes.extend(refreshed.notes);
        *state_changed |= refreshed.state != prior;
        return Ok(Refreshed {
            state: refreshed.state,
            drift: refreshed.drift,
            facts: refreshed.facts,
            requests: refreshed.requests,
        });
    }
    let mut prior = prior;
    if !prior.pending.is_empty() {
        let found = crate::refresh::reconcile_all(clouds, &mut prior).map_err(|e| {
            refresh_failure(
                &format!(
                    "looking for the creates of an interrupted apply in {}",
                    clouds.describe()
                ),
                &e,
            )
        })?;
        notes.extend(found);
        *state_changed = true;
    }
    let facts = crate::refresh::facts_all(clouds).map_err(|e| {
        crate::failure::cloud(&format!("reading quotas from {}", clouds.describe()), &e)
    })?;
    Ok(Refreshed {
        state: prior,
        drift: Vec::new(),
        facts,
        requests: Vec::new(),
    })
}

/// The quota headroom of each provider's account, as the facts read it.
fn headroom(facts: &crate::plan::CloudFacts) -> Vec<crate::plan::Headroom> {
    std::iter::once((None, facts))
        .chain(facts.providers.iter().map(|(k, f)| (Some(k.clone()), f)))
        .filter_map(|(provider, f)| {
            Some(crate::plan::Headroom {
                provider,
                account: f.account.clone(),
                quotas: f.quotas?,
            })
        })
        .collect()
}

/// Reads, locks, refreshes and plans.
pub fn plan(
    env: &Env,
    vars: &[VarArg],
    settings: &PlanSettings,
    operation: &str,
) -> Result<Planned, Failure> {
    let started = std::time::Instant::now();
    let phase = |name: &str, since: &mut std::time::Instant| {
        tracing::debug!(
            phase = name,
            took = ?since.elapsed(),
            "plan phase done"
        );
        *since = std::time::Instant::now();
    };
    let mut since = started;
    let snapshot = snapshot(env, vars)?;
    phase("read the configuration", &mut since);
    let mut store = store_for(
        env,
        &snapshot.settings,
        settings.state.as_ref(),
        Some((operation, settings.lock_timeout)),
    )?;
    let stored = store.read().map_err(Failure::from)?;
    let had_state = stored.is_some();
    let base = stored.as_ref().map(|s| (s.lineage.clone(), s.serial));
    let base_sha256 = stored
        .as_ref()
        .filter(|_| settings.saving)
        .map(crate::planfile::state_hash);
    let prior = stored.unwrap_or_default();
    phase("lock and read the state", &mut since);
    check_providers_of(&prior, &snapshot.settings)?;
    let clouds = open_clouds(env, &snapshot.settings)?;
    let mut notes = store.notes();
    let mut state_changed = !had_state;
    let Refreshed {
        state,
        drift,
        mut facts,
        requests,
    } = refresh_for_plan(settings, &clouds, prior, &mut notes, &mut state_changed)?;
    phase(
        if settings.refresh {
            "refresh"
        } else {
            "read the facts the plan needs"
        },
        &mut since,
    );
    for d in &drift {
        if let crate::plan::Drift::Deleted { address, .. } = d
            && !settings.options.destroy
            && !settings.refresh_only
        {
            notes.push(format!(
                "`{address}` was deleted outside vpcep; it is planned to be created again"
            ));
        }
    }
    let crate::derive::Derived {
        mut plan,
        desired,
        variables,
        reads,
        ..
    } = derive(
        env,
        &snapshot,
        &state,
        &mut facts,
        &settings.options,
        &clouds,
    )?;
    plan.drift = drift;
    plan.notes = notes;
    plan.connection_requests = decided(requests, &desired, &plan);
    plan.checks.clone_from(&desired.checks);
    plan.headroom = headroom(&facts);
    if settings.refresh_only {
        plan = plan.refresh_only();
    }
    phase("evaluate and plan", &mut since);
    tracing::debug!(
        changes = plan.changes.len(),
        refusals = plan.refusals.len(),
        took = ?started.elapsed(),
        "plan made"
    );
    Ok(Planned {
        snapshot,
        store,
        base,
        base_sha256,
        state,
        state_changed,
        clouds,
        options: settings.options.clone(),
        plan,
        desired,
        variables,
        reads,
    })
}

/// The refresh guard: a refresh that cannot find every object a provider records (or most of
/// them) asked the wrong account, project or credentials far more often than it met that many
/// deletions. Nothing is written, nor planned to be created again, unless `--forget-missing`
/// confirms the loss.
fn guard(
    prior: &RecordedState,
    drift: &[crate::plan::Drift],
    clouds: &crate::cloud::Clouds,
) -> Result<(), Failure> {
    let vanished = crate::refresh::vanished(prior, drift, clouds);
    if vanished.is_empty() {
        return Ok(());
    }
    let lines: String = vanished
        .iter()
        .map(|v| format!("\n  - {v}"))
        .collect::<Vec<_>>()
        .concat();
    Err(fail(format!(
        "refresh could not find what the state records, as when a provider signs in to the wrong account or project; nothing was written or planned:{lines}\n  check each provider's account, project and credentials; if these objects really were deleted outside vpcep, run again with `--forget-missing` to remove them from the state (and plan them anew)"
    ))
    .with_kind(FailureKind::RefreshGuard))
}

/// `path` without `.` and `..` components (without touching the file system).
fn normalized(path: &std::path::Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// Persists the refreshed state before applying (and so gives the journal a base to extend).
pub fn persist_refreshed(planned: &mut Planned) -> Result<(), Failure> {
    if planned.state_changed {
        planned.state.next_serial().map_err(fail)?;
        planned.store.write(&planned.state).map_err(Failure::from)?;
        planned.state_changed = false;
    }
    Ok(())
}
