//! The planner: desired state against recorded (refreshed) state, into a [`Plan`] of actions
//! and the refusals that make it unappliable.
//!
//! Pure and deterministic: no I/O, changes in address order, refusals in a fixed order.
//! Every rule the cloud would enforce at apply time is checked here, before anything happens.

mod triggers;
pub use triggers::triggered;
mod diff;
mod disconnect;
mod rules;

pub use diff::{configured_names, normalize};

use crate::model::facts::{ConnectionFact, ConnectionStatus, Quotas, ServiceFact};
use crate::model::{Address, DesiredState, RecordedState, ResourceId, ResourceInstance, Timeouts};
use indexmap::IndexMap;

pub type Attrs = crate::model::Map;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Action {
    Create,
    Update,
    Delete,
    /// Delete, then create (only when asked for with `--replace`).
    Replace,
    NoOp,
}

impl Action {
    /// The action's name as saved plans and `apply --json` events spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Delete => "delete",
            Action::Replace => "replace",
            Action::NoOp => "no-op",
        }
    }

    /// Terraform's JSON plan spelling.
    pub fn json_actions(self) -> &'static [&'static str] {
        match self {
            Action::Create => &["create"],
            Action::Update => &["update"],
            Action::Delete => &["delete"],
            Action::Replace => &["delete", "create"],
            Action::NoOp => &["no-op"],
        }
    }
}

/// What happens to one resource instance.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceChange {
    pub address: Address,
    pub action: Action,
    /// Recorded (refreshed) attributes; `None` for a create, and for a no-op (whose `after`
    /// is the same).
    pub before: Option<Attrs>,
    /// Desired attributes with computed ones (unknown where not known yet); `None` for a delete.
    pub after: Option<Attrs>,
    /// Configured attributes that differ (for updates and replaces).
    pub changed: Vec<String>,
    /// Why, when it is not obvious: "requested with --replace", "deleted outside vpcep".
    pub reason: Option<String>,
    /// The cloud ID, for updates, deletes and replaces.
    pub id: Option<String>,
    /// What this resource depends on (from the configuration, or from state for deletes).
    pub depends_on: Vec<ResourceId>,
    pub timeouts: Timeouts,
    /// Attributes whose recorded values are sensitive (sorted): never shown.
    pub before_sensitive: Vec<String>,
    /// Attributes whose desired values are sensitive (sorted): never shown.
    pub after_sensitive: Vec<String>,
    /// The provider it is managed with (`TYPE.ALIAS`); `None` for the default one.
    pub provider: Option<String>,
    /// The provider recorded with the cloud object (its account), which reads and deletes
    /// it: `provider` itself, except for a resource the configuration moves to another
    /// provider, which is replaced — deleted through this one, created through `provider`.
    pub recorded_provider: Option<String>,
}

impl Plan {
    /// The plan of one provider's resources (`None`: the default provider's), for the rules
    /// that hold per account.
    #[must_use]
    pub fn only(&self, provider: Option<&str>) -> Plan {
        Plan {
            changes: self
                .changes
                .iter()
                .filter(|c| c.provider.as_deref() == provider)
                .cloned()
                .collect(),
            refusals: Vec::new(),
            warnings: Vec::new(),
            drift: Vec::new(),
            notes: Vec::new(),
            destroy: self.destroy,
            disconnections: Vec::new(),
            reads: Vec::new(),
            state_edits: Vec::new(),
            refresh_only: false,
            connection_requests: Vec::new(),
            headroom: Vec::new(),
            checks: Vec::new(),
            output_changes: Vec::new(),
        }
    }
}

impl ResourceChange {
    /// Whether the attribute `name` is sensitive on either side of this change.
    pub fn is_sensitive(&self, name: &str) -> bool {
        self.before_sensitive
            .iter()
            .chain(&self.after_sensitive)
            .any(|s| s == name)
    }
}

/// Which rule a refusal is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RefusalKind {
    /// An attribute that cannot change in place would change (rule 1).
    Immutable,
    /// A service still `creating` would be deleted (rule 2).
    Creating,
    /// A service with live connections would be deleted (rule 2).
    Connected,
    /// A cloud-operated service would be deleted (rule 3).
    Gateway,
    /// The account's quota would be exceeded (rule 4).
    Quota,
    /// A service would be updated while it is not `available`.
    NotAvailable,
    /// Port mappings would overlap on one backend (rule 7).
    Backend,
    /// `create_before_destroy` on a resource this plan replaces.
    CreateBeforeDestroy,
    /// Route tables or a policy for an endpoint of an interface service.
    GatewayOnly,
    /// An endpoint would connect to (or an approval approve) a service that does not exist.
    NoSuchService,
    /// A resource names by its ID a service this plan deletes.
    Dangling,
    /// An approval of a service whose approval is disabled (rule 6).
    ApprovalDisabled,
    /// An approval of an endpoint that is not connected to the service.
    NotConnected,
    /// `prevent_destroy` (rule 8): vpcep's own rule, not the cloud's.
    PreventDestroy,
    /// A partner would be cut off silently (rule 10): vpcep's own rule, not the cloud's.
    Disconnect,
    /// An endpoint to a service whose whitelist does not admit the endpoint's account.
    Whitelist,
}

impl RefusalKind {
    /// The rule's name in the JSON plan.
    pub fn as_str(self) -> &'static str {
        match self {
            RefusalKind::Immutable => "immutable",
            RefusalKind::Creating => "creating",
            RefusalKind::Connected => "connected",
            RefusalKind::Gateway => "gateway",
            RefusalKind::Quota => "quota",
            RefusalKind::NotAvailable => "not_available",
            RefusalKind::Backend => "backend",
            RefusalKind::GatewayOnly => "gateway_only",
            RefusalKind::CreateBeforeDestroy => "create_before_destroy",
            RefusalKind::NoSuchService => "no_such_service",
            RefusalKind::Dangling => "dangling",
            RefusalKind::ApprovalDisabled => "approval_disabled",
            RefusalKind::NotConnected => "not_connected",
            RefusalKind::PreventDestroy => "prevent_destroy",
            RefusalKind::Disconnect => "disconnect",
            RefusalKind::Whitelist => "whitelist",
        }
    }

    /// Every rule, in the order of the design.
    pub const ALL: [RefusalKind; 16] = [
        RefusalKind::Immutable,
        RefusalKind::Creating,
        RefusalKind::Connected,
        RefusalKind::Gateway,
        RefusalKind::Quota,
        RefusalKind::NotAvailable,
        RefusalKind::Backend,
        RefusalKind::GatewayOnly,
        RefusalKind::CreateBeforeDestroy,
        RefusalKind::NoSuchService,
        RefusalKind::Dangling,
        RefusalKind::ApprovalDisabled,
        RefusalKind::NotConnected,
        RefusalKind::PreventDestroy,
        RefusalKind::Disconnect,
        RefusalKind::Whitelist,
    ];

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Whether the cloud itself enforces the rule (the others are vpcep's protections).
    pub fn enforced_by_the_cloud(self) -> bool {
        !matches!(
            self,
            RefusalKind::PreventDestroy
                | RefusalKind::Disconnect
                | RefusalKind::CreateBeforeDestroy
        )
    }
}

/// A rule the plan breaks; a plan with refusals cannot be applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub kind: RefusalKind,
    pub address: Option<Address>,
    pub message: String,
    pub details: Vec<String>,
    pub help: Option<String>,
}

/// A difference between recorded state and the cloud, found by refresh.
#[derive(Debug, Clone, PartialEq)]
pub enum Drift {
    Changed {
        address: Address,
        before: Attrs,
        after: Attrs,
        attrs: Vec<String>,
        /// Attributes whose values are sensitive: never shown.
        sensitive: Vec<String>,
    },
    Deleted {
        address: Address,
        before: Attrs,
    },
}

impl Drift {
    pub fn address(&self) -> &Address {
        match self {
            Drift::Changed { address, .. } | Drift::Deleted { address, .. } => address,
        }
    }
}

/// What the rules need to know about the account beyond recorded state.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CloudFacts {
    pub quotas: Option<Quotas>,
    /// Every service of the account (managed here or not); `None` without refresh.
    pub account_services: Option<Vec<ServiceFact>>,
    /// The account (domain) ID the plan is made for, when known: its own connections may be
    /// cut without asking.
    pub account: Option<String>,
    /// Services of other accounts that endpoints of this plan connect to: the type of each
    /// (`interface` or `gateway`), `None` for one that does not exist.
    pub foreign_services: IndexMap<String, Option<String>>,
    /// The connections of the account's services that were listed (by refresh, or looked up
    /// for the approvals this plan changes), by service ID.
    pub connections: IndexMap<String, Vec<ConnectionFact>>,
    /// The facts of the other providers' accounts (`quotas`, `account_services`, `account`),
    /// by `TYPE.ALIAS`; the fields above are the default provider's, and the connections and
    /// foreign services of every account.
    pub providers: IndexMap<String, CloudFacts>,
}

impl CloudFacts {
    /// Whether `account` is one this configuration manages (its connections may be cut
    /// without asking).
    pub fn owns(&self, account: &str) -> bool {
        self.account.as_deref() == Some(account)
            || self
                .providers
                .values()
                .any(|f| f.account.as_deref() == Some(account))
    }

    /// The facts of one provider's account, with the connections and foreign services of all.
    #[must_use]
    pub fn of_provider(&self, provider: Option<&str>) -> CloudFacts {
        let own = provider.and_then(|p| self.providers.get(p)).unwrap_or(self);
        CloudFacts {
            quotas: own.quotas,
            account_services: own.account_services.clone(),
            account: own.account.clone(),
            foreign_services: self.foreign_services.clone(),
            connections: self.connections.clone(),
            providers: IndexMap::new(),
        }
    }
}

/// Facts a plan turned out to need that `CloudFacts` does not hold yet: what the caller looks
/// up before planning again.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Wanted {
    /// Other accounts' services endpoints connect to (the API's `describe`).
    pub services: Vec<String>,
    /// Services whose connections approvals of this plan accept.
    pub connections: Vec<String>,
}

impl Wanted {
    pub fn is_empty(&self) -> bool {
        self.services.is_empty() && self.connections.is_empty()
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlanOptions {
    /// `--replace`: instances to delete and create again (a resource: every instance; a
    /// module call or instance: every resource in it).
    pub replace: Vec<crate::model::refactor::Target>,
    /// `--target`: limit the plan to these (and what they need).
    pub targets: Vec<crate::model::refactor::Target>,
    /// `--destroy`: plan to delete everything recorded.
    pub destroy: bool,
    /// `--allow-disconnect`: approvals (or services) whose changes may cut other accounts'
    /// connections although the configuration does not say so.
    pub allow_disconnect: Vec<Address>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// Every instance's change, no-ops included, in address order.
    pub changes: Vec<ResourceChange>,
    pub refusals: Vec<Refusal>,
    pub warnings: Vec<String>,
    pub drift: Vec<Drift>,
    /// Things the user should know (e.g. a resource deleted outside vpcep is created again).
    pub notes: Vec<String>,
    pub destroy: bool,
    /// Every connection this plan rejects, in address order.
    pub disconnections: Vec<Disconnection>,
    /// Data sources read during apply (an argument is known only then), in address order.
    pub reads: Vec<DeferredRead>,
    /// Changes of the recorded state alone (`moved`, `import`, `removed` blocks), carried out
    /// before any cloud step; the changes above are planned against the state after them.
    pub state_edits: Vec<crate::model::refactor::StateEdit>,
    /// `--refresh-only`: the plan records what changed outside vpcep and changes nothing in
    /// the cloud; its changes are the drift alone.
    pub refresh_only: bool,
    /// Connections to the configuration's services that wait for a decision, or that
    /// appeared, changed status or disappeared since the state was written (in service,
    /// then endpoint order).
    pub connection_requests: Vec<ConnectionRequest>,
    /// Each provider's account and its quotas as refresh read them (used of allowed).
    pub headroom: Vec<Headroom>,
    /// The configuration's `check` blocks as evaluated when planning.
    pub checks: Vec<crate::model::CheckResult>,
    /// The outputs apply records differently ("Changes to Outputs").
    pub output_changes: Vec<OutputChange>,
}

/// How an output value changes ("Changes to Outputs").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputAction {
    Create,
    Update,
    Delete,
}

impl OutputAction {
    pub fn as_str(self) -> &'static str {
        match self {
            OutputAction::Create => "create",
            OutputAction::Update => "update",
            OutputAction::Delete => "delete",
        }
    }
}

/// One output whose recorded value the apply changes.
#[derive(Debug, Clone, PartialEq)]
pub struct OutputChange {
    pub name: String,
    pub action: OutputAction,
    /// As recorded (`None` when it is new).
    pub before: Option<crate::model::Value>,
    /// As configured (`None` when it goes; `Value::Unknown` inside: known after apply).
    pub after: Option<crate::model::Value>,
    /// Either side is sensitive: never shown.
    pub sensitive: bool,
}

/// The outputs that apply records differently from the state: new, changed, gone (a destroy
/// plan removes them all), in name order.
pub fn output_changes(
    desired: &DesiredState,
    prior: &RecordedState,
    destroy: bool,
) -> Vec<OutputChange> {
    let mut out = Vec::new();
    if !destroy {
        for (name, o) in &desired.outputs {
            match prior.outputs.get(name) {
                None => out.push(OutputChange {
                    name: name.clone(),
                    action: OutputAction::Create,
                    before: None,
                    after: Some(o.value.clone()),
                    sensitive: o.sensitive,
                }),
                Some(p)
                    if p.value != o.value || !o.value.is_known() || p.sensitive != o.sensitive =>
                {
                    out.push(OutputChange {
                        name: name.clone(),
                        action: OutputAction::Update,
                        before: Some(p.value.clone()),
                        after: Some(o.value.clone()),
                        sensitive: o.sensitive || p.sensitive,
                    });
                }
                Some(_) => {}
            }
        }
    }
    for (name, p) in &prior.outputs {
        if destroy || !desired.outputs.contains_key(name) {
            out.push(OutputChange {
                name: name.clone(),
                action: OutputAction::Delete,
                before: Some(p.value.clone()),
                after: None,
                sensitive: p.sensitive,
            });
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// One provider's account and its quotas.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Headroom {
    /// `None`: the default provider.
    pub provider: Option<String>,
    pub account: Option<String>,
    pub quotas: Quotas,
}

impl Headroom {
    /// `services 3 of 20, endpoints 1 of 50 (account …, provider …)`.
    pub fn describe(&self) -> String {
        let q = &self.quotas;
        let mut whose = Vec::new();
        if let Some(a) = &self.account {
            whose.push(format!("account {a}"));
        }
        if let Some(p) = &self.provider {
            whose.push(format!("provider {p}"));
        }
        let whose = if whose.is_empty() {
            String::new()
        } else {
            format!(" ({})", whose.join(", "))
        };
        format!(
            "services {} of {}, endpoints {} of {}{whose}",
            q.services_used, q.services_quota, q.endpoints_used, q.endpoints_quota
        )
    }
}

/// A connection to a service of this configuration worth the owner's attention: it waits
/// for a decision, or it changed outside vpcep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionRequest {
    /// The service's address and provider.
    pub service: Address,
    pub provider: Option<String>,
    pub service_id: String,
    pub endpoint_id: String,
    /// The endpoint's account (domain ID).
    pub account: String,
    /// `pendingAcceptance`, `accepted`, ... (for one that disappeared: its last status).
    pub status: String,
    /// When the request was made (the connection's `created_at`).
    pub since: String,
    /// What changed since the state was written; `None` when only its waiting is news.
    pub change: Option<ConnectionChange>,
    /// The approval of this configuration that accepts it (by endpoint or by account).
    pub decided_by: Option<Address>,
}

impl ConnectionRequest {
    pub fn waits(&self) -> bool {
        self.status == "pendingAcceptance" && self.change != Some(ConnectionChange::Disappeared)
    }
}

/// How a connection changed outside vpcep since the state was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnectionChange {
    /// A new connection (a new request, or one accepted at once).
    Appeared,
    /// Its status changed (from this one).
    Changed { from: String },
    /// It is gone (the endpoint was deleted, or the connection cut).
    Disappeared,
}

impl ConnectionChange {
    pub fn describe(&self) -> String {
        match self {
            ConnectionChange::Appeared => "appeared".to_owned(),
            ConnectionChange::Changed { from } => format!("changed from {from}"),
            ConnectionChange::Disappeared => "disappeared".to_owned(),
        }
    }
}

/// A data source read during apply, with its arguments as known when planning.
#[derive(Debug, Clone, PartialEq)]
pub struct DeferredRead {
    pub address: crate::model::data::DataAddress,
    pub args: Attrs,
}

/// A connection a plan cuts: an approval rejects an endpoint it accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disconnection {
    /// The approval whose change rejects the connection.
    pub by: Address,
    pub service_id: String,
    pub endpoint_id: String,
    /// The endpoint's account.
    pub account: String,
    /// The connection's status now.
    pub status: String,
    /// Why: the endpoint was removed from `endpoints`, the approval is destroyed, ...
    pub reason: String,
    /// The configuration says so: the endpoint was removed from the approval's `endpoints`.
    pub explicit: bool,
    /// It may happen: explicit, of this account, of an endpoint this plan deletes, allowed
    /// with `--allow-disconnect`, or not a live connection.
    pub allowed: bool,
}

/// Counts of a plan, as its summary line states them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    pub add: usize,
    pub change: usize,
    pub destroy: usize,
}

impl Plan {
    pub fn counts(&self) -> Counts {
        let mut c = Counts::default();
        for change in &self.changes {
            match change.action {
                Action::Create => c.add += 1,
                Action::Update => c.change += 1,
                Action::Delete => c.destroy += 1,
                Action::Replace => {
                    c.add += 1;
                    c.destroy += 1;
                }
                Action::NoOp => {}
            }
        }
        c
    }

    pub fn has_changes(&self) -> bool {
        if self.refresh_only {
            return !self.drift.is_empty()
                || self.connection_requests.iter().any(|c| c.change.is_some());
        }
        !self.state_edits.is_empty() || self.changes.iter().any(|c| c.action != Action::NoOp)
    }

    /// The refresh-only plan of this plan: its drift, notes and warnings, no changes.
    #[must_use]
    pub fn refresh_only(mut self) -> Plan {
        self.changes.clear();
        self.output_changes.clear();
        self.refusals.clear();
        self.disconnections.clear();
        self.reads.clear();
        self.state_edits.clear();
        self.refresh_only = true;
        self
    }

    pub fn is_refused(&self) -> bool {
        !self.refusals.is_empty()
    }

    /// Changes other than no-ops.
    pub fn actions(&self) -> impl Iterator<Item = &ResourceChange> {
        self.changes.iter().filter(|c| c.action != Action::NoOp)
    }

    pub fn deletes_anything(&self) -> bool {
        self.changes
            .iter()
            .any(|c| matches!(c.action, Action::Delete | Action::Replace))
    }
}

fn matches_target(address: &Address, targets: &[crate::model::refactor::Target]) -> bool {
    targets.iter().any(|t| t.matches(address))
}

/// The resources a targeted plan may touch: the targets and what they depend on (or, for a
/// destroy, what depends on them).
fn targeted(
    desired: &DesiredState,
    prior: &RecordedState,
    opts: &PlanOptions,
) -> Option<std::collections::HashSet<Address>> {
    if opts.targets.is_empty() {
        return None;
    }
    let all: Vec<(Address, Vec<ResourceId>)> = desired
        .resources
        .values()
        .map(|r| (r.address.clone(), r.depends_on.clone()))
        .chain(
            prior
                .resources
                .values()
                .map(|r| (r.address.clone(), r.depends_on.clone())),
        )
        .collect();
    let mut selected: std::collections::HashSet<Address> = all
        .iter()
        .filter(|(a, _)| matches_target(a, &opts.targets))
        .map(|(a, _)| a.clone())
        .collect();
    loop {
        let before = selected.len();
        for (a, deps) in &all {
            if opts.destroy {
                // Dependents of a selected resource go too.
                if deps
                    .iter()
                    .any(|d| selected.iter().any(|s| &s.resource == d))
                {
                    selected.insert(a.clone());
                }
            } else if selected.contains(a) {
                for (b, _) in all.iter().filter(|(b, _)| deps.contains(&b.resource)) {
                    selected.insert(b.clone());
                }
            }
        }
        if selected.len() == before {
            return Some(selected);
        }
    }
}

/// What `plan` needs to know that `facts` does not say: the services endpoints this plan
/// creates connect to that are neither the account's nor this plan's, and the services whose
/// connections the approvals this plan changes accept, or that this plan deletes, where they
/// were not listed.
pub fn wanted(plan: &Plan, prior: &RecordedState, facts: &CloudFacts) -> Wanted {
    fn service_of<'a>(
        c: &'a ResourceChange,
        rtype: ResourceType,
        actions: &[Action],
    ) -> Option<&'a str> {
        if c.address.rtype() != rtype || !actions.contains(&c.action) {
            return None;
        }
        c.after.as_ref()?.get("service_id")?.as_str()
    }
    use crate::model::ResourceType;
    let own: std::collections::HashSet<&str> = match &facts.account_services {
        Some(services) => services.iter().map(|s| s.id.as_str()).collect(),
        None => prior
            .resources
            .values()
            .filter(|r| r.address.rtype() == ResourceType::Service)
            .map(|r| r.id.as_str())
            .collect(),
    };
    let mut services: Vec<String> = plan
        .changes
        .iter()
        .filter_map(|c| {
            service_of(
                c,
                ResourceType::Endpoint,
                &[Action::Create, Action::Replace],
            )
        })
        .filter(|id| !own.contains(id) && !facts.foreign_services.contains_key(*id))
        .map(str::to_owned)
        .collect();
    services.sort();
    services.dedup();
    let mut connections: Vec<String> = plan
        .changes
        .iter()
        .filter_map(|c| {
            service_of(
                c,
                ResourceType::Approval,
                &[Action::Create, Action::Update, Action::Replace],
            )
        })
        .filter(|id| own.contains(id) && !facts.connections.contains_key(*id))
        .map(str::to_owned)
        .collect();
    // A service this plan deletes or replaces takes every connection with it: the waiting
    // ones too, which a refresh does not list (its count says only what is live).
    connections.extend(
        plan.changes
            .iter()
            .filter(|c| {
                c.address.rtype() == ResourceType::Service
                    && matches!(c.action, Action::Delete | Action::Replace)
            })
            .filter_map(|c| c.id.as_deref())
            .filter(|id| !facts.connections.contains_key(*id))
            .map(str::to_owned),
    );
    connections.sort();
    connections.dedup();
    Wanted {
        services,
        connections,
    }
}

/// Plans the changes that bring `prior` to `desired`.
/// A warning for each account of an approval's `accounts` that its service's whitelist does
/// not admit: that account's endpoints can never connect, so nothing of it will wait.
fn accounts_not_admitted(
    instance: &ResourceInstance,
    desired: &DesiredState,
    prior: &RecordedState,
) -> Vec<String> {
    use crate::model::ResourceType;
    if instance.address.rtype() != ResourceType::Approval {
        return Vec::new();
    }
    let Some(accounts) = instance
        .attr("accounts")
        .as_list()
        .filter(|a| !a.is_empty())
    else {
        return Vec::new();
    };
    // The service: the one the configuration refers to, else the recorded one of that ID.
    let referenced = instance
        .refs
        .get("service_id")
        .and_then(|targets| {
            targets
                .iter()
                .find(|t| t.resource.rtype == ResourceType::Service)
        })
        .and_then(|t| {
            desired.resources.values().find(|r| {
                r.address.resource == t.resource && (t.key.is_none() || r.address.key == t.key)
            })
        });
    let whitelist = if let Some(service) = referenced {
        service.attr("whitelist").as_list()
    } else {
        let Some(id) = instance.attr("service_id").as_str() else {
            return Vec::new();
        };
        prior
            .resources
            .values()
            .find(|r| r.address.rtype() == ResourceType::Service && r.id == id)
            .and_then(|r| r.attr("whitelist").as_list())
    };
    let Some(whitelist) = whitelist else {
        return Vec::new();
    };
    let admits = |account: &str| {
        whitelist.iter().any(|w| {
            w.as_str().is_some_and(|w| {
                let w = w.strip_prefix("iam:domain::").unwrap_or(w);
                w == "*" || w.eq_ignore_ascii_case(account)
            })
        })
    };
    accounts
        .iter()
        .filter_map(crate::model::Value::as_str)
        .filter(|a| !admits(a))
        .map(|a| {
            format!(
                "`{}` accepts the endpoints of account {a}, which the service's whitelist does not admit: that account cannot connect, so nothing of it will ever wait; add it to the service's `whitelist`",
                instance.address
            )
        })
        .collect()
}

/// An approval of a service this plan updates (by the service's ID, so no reference orders
/// them) waits for that update: the approval's rules judge it against the service as updated
/// (its `approval_enabled`), so that is how apply must find it.
fn after_service_updates(changes: &mut [ResourceChange]) {
    use crate::model::ResourceType;
    let updated: Vec<(String, ResourceId)> = changes
        .iter()
        .filter(|c| c.address.rtype() == ResourceType::Service && c.action == Action::Update)
        .filter_map(|c| Some((c.id.clone()?, c.address.resource.clone())))
        .collect();
    if updated.is_empty() {
        return;
    }
    for change in changes.iter_mut() {
        if change.address.rtype() != ResourceType::Approval {
            continue;
        }
        let Some(service_id) = change
            .after
            .as_ref()
            .and_then(|a| a.get("service_id"))
            .and_then(crate::model::Value::as_str)
            .map(str::to_owned)
        else {
            continue;
        };
        for (id, service) in &updated {
            if *id == service_id && !change.depends_on.contains(service) {
                change.depends_on.push(service.clone());
            }
        }
    }
}

/// An endpoint this plan creates: its resource, its provider's account, the service it refers
/// to (resource and key) and the service's ID when known.
type Created = (
    ResourceId,
    String,
    Option<(ResourceId, Option<String>)>,
    Option<String>,
);

/// An approval by account also accepts the endpoints this plan creates for those accounts (by
/// a provider alias of the same configuration) to its service: it waits for their creates,
/// shows them as `(known after apply)`, and apply accepts every endpoint of the accounts
/// it finds then. Without this, such an endpoint would be accepted only on the next apply.
fn accept_created(
    changes: &mut [ResourceChange],
    desired: &DesiredState,
    prior: &RecordedState,
    facts: &CloudFacts,
) {
    use crate::model::ResourceType;
    let account_of = |provider: Option<&str>| match provider {
        None => facts.account.clone(),
        Some(key) => facts.providers.get(key).and_then(|f| f.account.clone()),
    };
    let service_of = |address: &Address| {
        desired
            .resources
            .get(address)
            .and_then(|r| r.refs.get("service_id"))
            .and_then(|targets| {
                targets
                    .iter()
                    .find(|t| t.resource.rtype == ResourceType::Service)
            })
            .map(|t| (t.resource.clone(), t.key.clone()))
    };
    let created: Vec<Created> = changes
        .iter()
        .filter(|c| {
            c.address.rtype() == ResourceType::Endpoint
                && matches!(c.action, Action::Create | Action::Replace)
        })
        .filter_map(|c| {
            let account = account_of(c.provider.as_deref())?;
            let service_id = c
                .after
                .as_ref()
                .and_then(|a| a.get("service_id"))
                .and_then(crate::model::Value::as_str)
                .map(str::to_owned);
            Some((
                c.address.resource.clone(),
                account,
                service_of(&c.address),
                service_id,
            ))
        })
        .collect();
    if created.is_empty() {
        return;
    }
    for change in changes.iter_mut() {
        if change.address.rtype() != ResourceType::Approval
            || matches!(change.action, Action::Delete)
        {
            continue;
        }
        let Some(after) = change.after.as_mut() else {
            continue;
        };
        let accounts: Vec<String> = after
            .get("accounts")
            .and_then(crate::model::Value::as_list)
            .unwrap_or_default()
            .iter()
            .filter_map(|a| a.as_str().map(str::to_owned))
            .collect();
        if accounts.is_empty() {
            continue;
        }
        let service = service_of(&change.address);
        let service_id = after
            .get("service_id")
            .and_then(crate::model::Value::as_str)
            .map(str::to_owned);
        let mut added = false;
        for (endpoint, account, endpoint_service, endpoint_service_id) in &created {
            let same_service = (service.is_some() && service == *endpoint_service)
                || (service_id.is_some() && service_id == *endpoint_service_id);
            if !same_service || !accounts.contains(account) {
                continue;
            }
            if !change.depends_on.contains(endpoint) {
                change.depends_on.push(endpoint.clone());
            }
            added = true;
        }
        if !added {
            continue;
        }
        if let Some(crate::model::Value::List(list)) = after.get_mut("endpoints") {
            list.push(crate::model::Value::Unknown);
        } else {
            after.insert(
                "endpoints",
                crate::model::Value::List(vec![crate::model::Value::Unknown]),
            );
        }
        if !change.changed.iter().any(|c| c == "endpoints") {
            change.changed.push("endpoints".to_owned());
        }
        if change.action == Action::NoOp {
            // A no-op carries no values; the update shows the recorded ones as before.
            change.action = Action::Update;
            change.before = prior
                .resources
                .get(&change.address)
                .map(|r| r.attrs.clone());
        }
    }
}

/// An approval with `accounts`, with every endpoint of those accounts that connects to its
/// service added to its `endpoints` (waiting, accepted, or rejected by hand: the
/// configuration says they are accepted); `None` when that adds nothing.
fn by_accounts(instance: &ResourceInstance, facts: &CloudFacts) -> Option<ResourceInstance> {
    if instance.address.rtype() != crate::model::ResourceType::Approval {
        return None;
    }
    let accounts = instance.attr("accounts").as_list()?;
    if accounts.is_empty() {
        return None;
    }
    let service_id = instance.attr("service_id").as_str()?;
    let listed = instance.attr("endpoints").as_list().unwrap_or_default();
    let mut endpoints = listed.to_vec();
    for c in facts.connections.get(service_id)? {
        let wanted = matches!(
            c.status,
            ConnectionStatus::PendingAcceptance
                | ConnectionStatus::Accepted
                | ConnectionStatus::Rejected
        ) && accounts
            .iter()
            .any(|a| a.as_str() == Some(c.domain_id.as_str()));
        if wanted
            && !endpoints
                .iter()
                .any(|e| e.as_str() == Some(c.endpoint_id.as_str()))
        {
            endpoints.push(crate::model::Value::String(c.endpoint_id.clone().into()));
        }
    }
    if endpoints.len() == listed.len() {
        return None;
    }
    let mut copy = instance.clone();
    copy.attrs
        .insert("endpoints", crate::model::Value::List(endpoints));
    Some(copy)
}

/// The API profile of a provider (`None` for the default one): `None` for the simulator.
pub(crate) fn profile_of(
    desired: &DesiredState,
    provider: Option<&str>,
) -> Option<crate::model::CloudProfile> {
    let config = match provider {
        None => &desired.settings.provider,
        Some(key) => desired.settings.aliases.get(key)?,
    };
    match config {
        crate::model::ProviderConfig::Otc(otc) => Some(otc.profile),
        crate::model::ProviderConfig::Sim(_) => None,
    }
}

/// `instance` without its own account's whitelist entry (`own_entry`), with a warning: the
/// owner always has access, and the cloud does not list it, so planned with it the whitelist
/// would differ after every apply.
fn without_own_account<'a>(
    instance: &'a ResourceInstance,
    own_entry: Option<&String>,
    warnings: &mut Vec<String>,
) -> std::borrow::Cow<'a, ResourceInstance> {
    let Some(entry) = own_entry.filter(|entry| {
        instance
            .attr("whitelist")
            .as_list()
            .is_some_and(|l| l.iter().any(|w| w.as_str() == Some(entry.as_str())))
    }) else {
        return std::borrow::Cow::Borrowed(instance);
    };
    warnings.push(format!(
        "`{}` lists its own account in its whitelist ({entry}); the owner always has access, so the entry is left out",
        instance.address
    ));
    let mut copy = instance.clone();
    let kept: Vec<crate::model::Value> = copy
        .attr("whitelist")
        .as_list()
        .unwrap_or_default()
        .iter()
        .filter(|w| w.as_str() != Some(entry.as_str()))
        .cloned()
        .collect();
    copy.attrs
        .insert("whitelist", crate::model::Value::List(kept));
    std::borrow::Cow::Owned(copy)
}

/// The deletions of what only the state has (everything, for `--destroy`) within scope,
/// added to `changes`; what a `removed` block with `destroy = false` forgets instead is
/// returned as state-only edits.
fn deletions(
    desired: &DesiredState,
    prior: &RecordedState,
    opts: &PlanOptions,
    in_scope: &dyn Fn(&Address) -> bool,
    changes: &mut Vec<ResourceChange>,
) -> Vec<crate::model::refactor::StateEdit> {
    let mut state_edits = Vec::new();
    for (address, recorded) in &prior.resources {
        let wanted = !opts.destroy && desired.resources.contains_key(address);
        if wanted || !in_scope(address) {
            continue;
        }
        // `removed { lifecycle { destroy = false } }`: forgotten, the cloud object stays.
        if !opts.destroy && desired.refactors.forgets(address).is_some() {
            state_edits.push(crate::model::refactor::StateEdit::Forget {
                address: address.clone(),
            });
            continue;
        }
        let reason = if opts.destroy {
            None
        } else {
            Some("it is no longer in the configuration".to_owned())
        };
        changes.push(ResourceChange {
            address: address.clone(),
            action: Action::Delete,
            before: Some(recorded.attrs.clone()),
            after: None,
            changed: Vec::new(),
            reason,
            id: Some(recorded.id.clone()),
            depends_on: recorded.depends_on.clone(),
            provider: recorded.provider.clone(),
            recorded_provider: recorded.provider.clone(),
            before_sensitive: recorded.sensitive.clone(),
            after_sensitive: Vec::new(),
            timeouts: desired
                .resources
                .get(address)
                .map(|r| r.timeouts)
                .unwrap_or_default(),
        });
    }
    state_edits
}

pub fn plan(
    desired: &DesiredState,
    prior: &RecordedState,
    facts: &CloudFacts,
    opts: &PlanOptions,
) -> Plan {
    let selected = targeted(desired, prior, opts);
    let in_scope = |a: &Address| selected.as_ref().is_none_or(|s| s.contains(a));
    // A change per resource of the configuration and per resource only the state has: room
    // for the larger of the two at once (a plan that adds and removes many grows once).
    let mut changes = Vec::with_capacity(desired.resources.len().max(prior.resources.len()));
    let mut warnings = Vec::new();
    if !opts.targets.is_empty() {
        warnings.push(
            "this plan is limited by --target to part of the configuration; plan without it afterwards to see everything that differs".to_owned(),
        );
    }

    for r in &opts.replace {
        let exists = prior.resources.keys().any(|a| r.matches(a));
        if !exists {
            warnings.push(format!(
                "--replace {r}: `{r}` is not in the recorded state, so there is nothing to replace"
            ));
        }
    }

    if !opts.destroy {
        // The whitelist entry of each provider's own account (by provider; `None` the
        // default's), when the account is known: made once, looked up per service.
        let own_entries: std::collections::HashMap<Option<&str>, String> =
            std::iter::once((None, facts))
                .chain(facts.providers.iter().map(|(k, f)| (Some(k.as_str()), f)))
                .filter_map(|(k, f)| Some((k, format!("iam:domain::{}", f.account.as_deref()?))))
                .collect();
        for instance in desired.resources.values() {
            if !in_scope(&instance.address) {
                continue;
            }
            // The owner's own account needs no whitelist entry, and the cloud does not list
            // one: planned with it, the whitelist would differ after every apply.
            let own_entry = (instance.address.rtype() == crate::model::ResourceType::Service)
                .then(|| own_entries.get(&instance.provider.as_deref()))
                .flatten();
            let instance = without_own_account(instance, own_entry, &mut warnings);
            let instance = instance.as_ref();
            warnings.extend(accounts_not_admitted(instance, desired, prior));
            let by_account;
            let instance = match by_accounts(instance, facts) {
                Some(expanded) => {
                    by_account = expanded;
                    &by_account
                }
                None => instance,
            };
            let change = match prior.resources.get(&instance.address) {
                None => diff::create(instance),
                Some(recorded) => {
                    let replace = matches_target(&instance.address, &opts.replace);
                    let mut change = diff::compare(instance, recorded, replace);
                    diff::cascade(
                        &mut change,
                        instance,
                        profile_of(desired, instance.provider.as_deref()),
                    );
                    change
                }
            };
            changes.push(change);
        }
    }
    accept_created(&mut changes, desired, prior, facts);
    after_service_updates(&mut changes);
    let state_edits = deletions(desired, prior, opts, &in_scope, &mut changes);
    // Addresses are unique: an unstable sort orders them the same, without a scratch copy.
    changes.sort_unstable_by(|a, b| a.address.cmp(&b.address));

    let mut plan = Plan {
        refresh_only: false,
        connection_requests: Vec::new(),
        headroom: Vec::new(),
        checks: Vec::new(),
        output_changes: output_changes(desired, prior, opts.destroy),
        state_edits,
        changes,
        refusals: Vec::new(),
        warnings,
        drift: Vec::new(),
        notes: Vec::new(),
        destroy: opts.destroy,
        disconnections: Vec::new(),
        reads: if opts.destroy {
            Vec::new()
        } else {
            let mut reads: Vec<DeferredRead> = desired
                .data
                .iter()
                .filter(|d| !d.read_now)
                .map(|d| DeferredRead {
                    address: d.address.clone(),
                    args: d.args.clone(),
                })
                .collect();
            reads.sort_by(|a, b| a.address.cmp(&b.address));
            reads
        },
    };
    plan.disconnections = disconnect::find(&plan, facts, opts);
    rules::check(&mut plan, desired, prior, facts);
    plan
}
