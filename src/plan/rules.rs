//! Plan-time refusals: everything the cloud would reject, found before anything happens.

use super::diff::immutable_changes;
use super::{Action, CloudFacts, Plan, Refusal, RefusalKind, ResourceChange};
use crate::model::facts::{ConnectionStatus, ServiceStatus};
use crate::model::{Address, DesiredState, RecordedState, ResourceInstance, ResourceType, Value};
use std::collections::{HashMap, HashSet};

pub(super) fn check(
    plan: &mut Plan,
    desired: &DesiredState,
    prior: &RecordedState,
    facts: &CloudFacts,
) {
    let mut refusals = Vec::new();
    for change in &plan.changes {
        immutable(
            change,
            super::profile_of(desired, change.provider.as_deref()),
            &mut refusals,
        );
        prevent_destroy(change, desired, &mut refusals);
        create_before_destroy(change, desired, &mut refusals);
        not_ready_for_update(change, &mut refusals);
    }
    super::disconnect::refusals(&plan.disconnections, &mut refusals);
    protected_deletes(plan, &mut refusals);
    if facts.providers.is_empty() {
        quotas(plan, prior, facts, None, &mut refusals);
        backends(plan, facts, &mut refusals);
        approvals(plan, facts, &mut refusals);
    } else {
        // Quotas, backends and approvals hold per account: each provider's changes against
        // its own account's facts.
        let keys = std::iter::once(None).chain(facts.providers.keys().map(|k| Some(k.as_str())));
        for key in keys {
            let part = plan.only(key);
            let own = facts.of_provider(key);
            quotas(plan, prior, &own, Some(key), &mut refusals);
            backends(&part, &own, &mut refusals);
            approvals(&part, &own, &mut refusals);
        }
    }
    endpoint_services(plan, facts, &mut refusals);
    whitelisted(plan, desired, facts, &mut refusals);
    vanishing_endpoints(plan, facts, &mut refusals);
    dangling(plan, &mut refusals);
    plan.refusals = refusals;
    let warnings = whitelist_removals(plan);
    plan.warnings.extend(warnings);
}

/// The known `service_id` a change's resource will have.
fn after_service_id(c: &ResourceChange) -> Option<&str> {
    c.after.as_ref()?.get("service_id")?.as_str()
}

/// Approvals this plan applies that accept an endpoint which the plan's own deletion or
/// replacement of its service removes from the cloud: apply would ask the cloud to accept an
/// endpoint that no longer exists (`EndPoint.2006`). Judged on the approval's list when the
/// plan knows it; when the list is known only after apply, on what it accepts now (it still
/// lists the endpoint unless the configuration changed it, which the plan cannot see).
fn vanishing_endpoints(plan: &Plan, facts: &CloudFacts, out: &mut Vec<Refusal>) {
    let gone = super::disconnect::vanishing(plan, facts);
    if gone.is_empty() {
        return;
    }
    for c in plan.changes.iter().filter(|c| {
        c.address.rtype() == ResourceType::Approval
            && matches!(c.action, Action::Create | Action::Update | Action::Replace)
    }) {
        let after = c.after.as_ref().and_then(|a| a.get("endpoints"));
        let (listed, known): (Vec<&str>, bool) = match after {
            Some(Value::List(items)) => (items.iter().filter_map(Value::as_str).collect(), true),
            Some(Value::Unknown) => (
                c.before
                    .as_ref()
                    .and_then(|b| b.get("endpoints"))
                    .and_then(Value::as_list)
                    .unwrap_or_default()
                    .iter()
                    .filter_map(Value::as_str)
                    .collect(),
                false,
            ),
            _ => continue,
        };
        for k in gone
            .iter()
            .filter(|k| listed.contains(&k.endpoint_id.as_str()))
        {
            let service = k.service;
            // Already refused for the same endpoint: listed for a service the plan creates.
            if out.iter().any(|r| {
                r.kind == RefusalKind::NotConnected
                    && r.address.as_ref() == Some(&c.address)
                    && r.message.contains(&k.endpoint_id)
            }) {
                continue;
            }
            let mut r = refusal(
                RefusalKind::Dangling,
                &c.address,
                format!(
                    "`{}` {} the endpoint {} of account {}, which this plan removes from the cloud with `{service}`; apply would ask the cloud to accept an endpoint that no longer exists",
                    c.address,
                    if known {
                        "lists"
                    } else {
                        "accepts now, and its `endpoints` are known only after apply, so it may still list"
                    },
                    k.endpoint_id,
                    k.account
                ),
            );
            r.help = Some(format!(
                "remove {} from the approval's `endpoints` and apply that first (the partner creates a new endpoint for the new service), then plan the change of `{service}` again",
                k.endpoint_id
            ));
            out.push(r);
        }
    }
}

/// Resources that name by its ID (not by reference) a service this plan deletes or replaces:
/// after apply they would point at nothing — an endpoint re-created to a deleted service, an
/// approval of a service that is gone.
fn dangling(plan: &Plan, out: &mut Vec<Refusal>) {
    let going: std::collections::HashMap<&str, &Address> = plan
        .changes
        .iter()
        .filter(|c| {
            c.address.rtype() == ResourceType::Service
                && matches!(c.action, Action::Delete | Action::Replace)
        })
        .filter_map(|c| Some((c.id.as_deref()?, &c.address)))
        .collect();
    if going.is_empty() {
        return;
    }
    for c in plan.changes.iter().filter(|c| {
        matches!(
            c.address.rtype(),
            ResourceType::Endpoint | ResourceType::Approval
        ) && c.action != Action::Delete
    }) {
        let Some(id) = after_service_id(c) else {
            continue;
        };
        if let Some(service) = going.get(id) {
            let mut r = refusal(
                RefusalKind::Dangling,
                &c.address,
                format!(
                    "`{}` names the service {id} by its ID, and this plan deletes that service (`{service}`)",
                    c.address
                ),
            );
            r.help = Some(format!(
                "refer to the service as `{service}.id`, so that `{}` follows it, or remove `{}` too",
                c.address, c.address
            ));
            out.push(r);
        }
    }
}

/// Endpoints to services of other accounts that do not exist (the API's `EndPoint.2003`), and
/// to services of this account that are not `available` (`EndPoint.2004`).
fn endpoint_services(plan: &Plan, facts: &CloudFacts, out: &mut Vec<Refusal>) {
    for c in plan.changes.iter().filter(|c| {
        c.address.rtype() == ResourceType::Endpoint
            && matches!(c.action, Action::Create | Action::Replace)
    }) {
        let Some(id) = after_service_id(c) else {
            continue;
        };
        if let Some(s) = facts
            .account_services
            .iter()
            .flatten()
            .find(|s| s.id == id && s.status != ServiceStatus::Available)
        {
            let mut r = refusal(
                RefusalKind::NotAvailable,
                &c.address,
                format!(
                    "`{}` connects to the endpoint service {id}, which is `{}`; endpoints connect only to `available` services",
                    c.address, s.status
                ),
            );
            r.help =
                Some("wait until it is available (see `vpcep show`), then plan again".to_owned());
            out.push(r);
        }
        gateway_only(c, id, facts, out);
        if facts.foreign_services.get(id) == Some(&None) {
            let mut r = refusal(
                RefusalKind::NoSuchService,
                &c.address,
                format!(
                    "`{}` connects to the endpoint service {id}, which does not exist",
                    c.address
                ),
            );
            r.help = Some("check the service ID with its owner (it may have been deleted), or remove the endpoint".to_owned());
            out.push(r);
        }
    }
}

/// The account (domain) ID of a provider of this configuration (`None`: the default one),
/// when known.
fn account_of<'a>(facts: &'a CloudFacts, provider: Option<&str>) -> Option<&'a str> {
    match provider {
        None => facts.account.as_deref(),
        Some(p) => facts.providers.get(p)?.account.as_deref(),
    }
}

/// What the plan knows of the service an endpoint connects to: who owns it and whom its
/// whitelist admits (known entries only).
struct Admission {
    /// The service's address, or its ID.
    name: String,
    owner: String,
    whitelist: Vec<String>,
}

/// The services an endpoint of this plan may connect to, indexed once per plan (a plan of
/// thousands of endpoints must not scan every change for each).
struct Services<'a> {
    /// Services this plan creates, updates or keeps, by address.
    by_address: HashMap<(&'a crate::model::ResourceId, Option<&'a str>), &'a ResourceChange>,
    /// Services this plan creates or replaces (their IDs known only after apply), by resource.
    new_by_resource: HashMap<&'a crate::model::ResourceId, Vec<&'a ResourceChange>>,
    /// Services this plan keeps or updates, by cloud ID.
    kept_by_id: HashMap<&'a str, &'a ResourceChange>,
    /// The configured accounts' services, by cloud ID, with the provider of the account.
    facts_by_id: HashMap<&'a str, (Option<&'a str>, &'a crate::model::facts::ServiceFact)>,
}

impl<'a> Services<'a> {
    fn of(plan: &'a Plan, facts: &'a CloudFacts) -> Self {
        let mut index = Services {
            by_address: HashMap::new(),
            new_by_resource: HashMap::new(),
            kept_by_id: HashMap::new(),
            facts_by_id: HashMap::new(),
        };
        for s in plan
            .changes
            .iter()
            .filter(|s| s.address.rtype() == ResourceType::Service && s.action != Action::Delete)
        {
            index
                .by_address
                .insert((&s.address.resource, s.address.key.as_deref()), s);
            match s.action {
                Action::Create | Action::Replace => index
                    .new_by_resource
                    .entry(&s.address.resource)
                    .or_default()
                    .push(s),
                _ => {
                    if let Some(id) = s.id.as_deref() {
                        index.kept_by_id.insert(id, s);
                    }
                }
            }
        }
        for (key, f) in std::iter::once((None, facts))
            .chain(facts.providers.iter().map(|(k, f)| (Some(k.as_str()), f)))
        {
            for s in f.account_services.iter().flatten() {
                index.facts_by_id.entry(s.id.as_str()).or_insert((key, s));
            }
        }
        index
    }
}

/// The service `c` (an endpoint's change) connects to, when the plan knows its owner and its
/// whole whitelist: a service this plan creates or keeps, found through the reference of
/// `service_id`, by its ID, or as the one new service the endpoint waits for; or a service of
/// a configured account found by its ID.
fn admission(
    c: &ResourceChange,
    services: &Services<'_>,
    desired: &DesiredState,
    facts: &CloudFacts,
) -> Option<Admission> {
    let planned = |s: &ResourceChange| -> Option<Admission> {
        let whitelist: Option<Vec<String>> =
            s.after
                .as_ref()?
                .get("whitelist")
                .map_or(Some(Vec::new()), |w| match w {
                    Value::Null => Some(Vec::new()),
                    Value::List(items) => items
                        .iter()
                        .map(|i| i.as_str().map(str::to_owned))
                        .collect(),
                    _ => None,
                });
        Some(Admission {
            name: format!("`{}`", s.address),
            owner: account_of(facts, s.provider.as_deref())?.to_owned(),
            whitelist: whitelist?,
        })
    };
    let referenced = desired
        .resources
        .get(&c.address)
        .and_then(|i| i.refs.get("service_id"))
        .and_then(|targets| match targets.as_slice() {
            [t] if t.resource.rtype == ResourceType::Service => Some(t),
            _ => None,
        });
    if let Some(t) = referenced {
        return planned(services.by_address.get(&(&t.resource, t.key.as_deref()))?);
    }
    let Some(id) = after_service_id(c) else {
        // Known only after apply and not a reference of its own: read through a data source
        // (a partner looking the service up by name, as `examples/cross-account` does). What
        // the endpoint waits for then says which service: the one service it depends on that
        // this plan creates or replaces, if there is exactly one.
        let mut candidates = c
            .depends_on
            .iter()
            .filter_map(|d| services.new_by_resource.get(d))
            .flatten();
        let only = candidates.next()?;
        if candidates.next().is_some() || only.address.key.is_some() {
            return None;
        }
        return planned(only);
    };
    if let Some(s) = services.kept_by_id.get(id) {
        return planned(s);
    }
    let (key, s) = services.facts_by_id.get(id)?;
    Some(Admission {
        name: format!("the endpoint service {id}"),
        owner: account_of(facts, *key)?.to_owned(),
        whitelist: s.whitelist.clone(),
    })
}

/// Endpoints that a provider of this configuration creates to a service whose whitelist does
/// not admit that provider's account (the API's `EndPoint.2012`): refused wherever the plan
/// knows both sides, so the apply does not fail halfway.
fn whitelisted(plan: &Plan, desired: &DesiredState, facts: &CloudFacts, out: &mut Vec<Refusal>) {
    let mut creates = plan
        .changes
        .iter()
        .filter(|c| {
            c.address.rtype() == ResourceType::Endpoint
                && matches!(c.action, Action::Create | Action::Replace)
        })
        .peekable();
    if creates.peek().is_none() {
        return;
    }
    let services = Services::of(plan, facts);
    for c in creates {
        let Some(account) = account_of(facts, c.provider.as_deref()) else {
            continue;
        };
        let Some(service) = admission(c, &services, desired, facts) else {
            continue;
        };
        let entry = format!("iam:domain::{account}");
        if service.owner == account
            || service
                .whitelist
                .iter()
                .any(|w| *w == entry || w == "iam:domain::*")
        {
            continue;
        }
        let by = c
            .provider
            .as_deref()
            .map_or_else(String::new, |p| format!(" (provider `{p}`)"));
        let mut r = refusal(
            RefusalKind::Whitelist,
            &c.address,
            format!(
                "`{}`{by} would connect from account {account} to {}, whose whitelist does not admit that account; the cloud refuses the endpoint (EndPoint.2012)",
                c.address, service.name
            ),
        );
        r.help = Some(format!(
            "add \"{account}\" to the `whitelist` of {}, or create the endpoint from an account it admits",
            service.name
        ));
        out.push(r);
    }
}

/// Route tables and a policy are for endpoints of gateway services (cloud-operated, as object
/// storage is): refused for an endpoint to a service known to be an interface service — a
/// configured account's by its recorded type, or another account's as the cloud describes it.
fn gateway_only(c: &ResourceChange, id: &str, facts: &CloudFacts, out: &mut Vec<Refusal>) {
    let Some(after) = &c.after else { return };
    let set: Vec<&str> = ["route_tables", "policy_statement"]
        .into_iter()
        .filter(|n| {
            after
                .get(n)
                .and_then(Value::as_list)
                .is_some_and(|l| !l.is_empty())
        })
        .collect();
    if set.is_empty() {
        return;
    }
    let own = std::iter::once(&facts.account_services)
        .chain(facts.providers.values().map(|f| &f.account_services))
        .flatten()
        .flatten()
        .find(|s| s.id == id);
    let kind = match own {
        Some(s) if s.gateway => Some("gateway"),
        Some(_) => Some("interface"),
        None => facts.foreign_services.get(id).and_then(|k| k.as_deref()),
    };
    if let Some(kind) = kind.filter(|k| *k != "gateway") {
        let mut r = refusal(
            RefusalKind::GatewayOnly,
            &c.address,
            format!(
                "`{}` sets `{}`, but the endpoint service {id} is an {kind} service; route tables and policies are only for endpoints of gateway services",
                c.address,
                set.join("` and `")
            ),
        );
        r.help = Some(format!(
            "remove `{}` from `{}`",
            set.join("` and `"),
            c.address
        ));
        out.push(r);
    }
}

/// Removing an account from a service's whitelist does not cut its live connections: says so
/// for each one, so nobody believes a partner is gone when it is not.
fn whitelist_removals(plan: &Plan) -> Vec<String> {
    let mut out = Vec::new();
    for c in plan.changes.iter().filter(|c| {
        c.action == Action::Update
            && c.address.rtype() == ResourceType::Service
            && c.changed.iter().any(|n| n == "whitelist")
    }) {
        // Known entries only: an entry unknown until apply is neither kept nor removed here.
        let list = |a: Option<&super::Attrs>| -> Vec<String> {
            a.and_then(|a| a.get("whitelist"))
                .and_then(Value::as_list)
                .unwrap_or_default()
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        };
        let (before, after) = (list(c.before.as_ref()), list(c.after.as_ref()));
        let removed: Vec<&String> = before.iter().filter(|w| !after.contains(w)).collect();
        if removed.is_empty() {
            continue;
        }
        let everyone_removed = removed.iter().any(|w| w.as_str() == "iam:domain::*");
        let connections = c
            .before
            .as_ref()
            .and_then(|b| b.get("connections"))
            .and_then(Value::as_list)
            .unwrap_or_default();
        for m in connections.iter().filter_map(Value::as_map) {
            let get = |k: &str| m.get(k).and_then(Value::as_str).unwrap_or_default();
            let account = get("domain_id");
            let entry = format!("iam:domain::{account}");
            let still_allowed = after.iter().any(|w| *w == entry || w == "iam:domain::*");
            if ConnectionStatus::parse(get("status")) == ConnectionStatus::Accepted
                && !still_allowed
                && (everyone_removed || removed.iter().any(|w| **w == entry))
            {
                out.push(format!(
                    "removing account {account} from the whitelist of `{}` does not disconnect its endpoint {} (accepted); to cut it off, reject it with the service's `vpcep_approval`",
                    c.address,
                    get("endpoint_id")
                ));
            }
        }
    }
    out
}

fn refusal(kind: RefusalKind, address: &Address, message: String) -> Refusal {
    Refusal {
        kind,
        address: Some(address.clone()),
        message,
        details: Vec::new(),
        help: None,
    }
}

fn show_ports(v: &Value) -> Vec<String> {
    v.as_list()
        .unwrap_or_default()
        .iter()
        .map(|p| match p.as_map() {
            Some(m) => format!(
                "{} {} -> {}",
                m.get("protocol").and_then(Value::as_str).unwrap_or("TCP"),
                m.get("client_port")
                    .map_or_else(String::new, ToString::to_string),
                m.get("server_port")
                    .map_or_else(String::new, ToString::to_string)
            ),
            None => p.to_string(),
        })
        .collect()
}

fn immutable(
    change: &ResourceChange,
    profile: Option<crate::model::CloudProfile>,
    out: &mut Vec<Refusal>,
) {
    if change.action != Action::Update {
        return;
    }
    let names = immutable_changes(change, profile);
    if names.is_empty() {
        return;
    }
    let (Some(before), Some(after)) = (&change.before, &change.after) else {
        return;
    };
    let address = &change.address;
    let what = match address.rtype() {
        ResourceType::Service => "endpoint service",
        ResourceType::Endpoint => "endpoint",
        ResourceType::Approval => "approval",
    };
    for name in names {
        let old = before.get(name).cloned().unwrap_or(Value::Null);
        let new = after.get(name).cloned().unwrap_or(Value::Null);
        if change.is_sensitive(name) {
            let mut r = refusal(
                RefusalKind::Immutable,
                address,
                format!("`{name}` of `{address}` cannot change after the {what} is created"),
            );
            r.details
                .push("recorded and configured: (sensitive value)".to_owned());
            r.help = Some(format!(
                "to delete and create it again, plan with `--replace {address}`; or change the configuration back"
            ));
            out.push(r);
            continue;
        }
        let mut r = if name == "port" {
            let mut r = refusal(
                RefusalKind::Immutable,
                address,
                format!(
                    "the port mappings of `{address}` cannot change after the service is created"
                ),
            );
            r.details
                .push("recorded mappings (client port -> server port):".to_owned());
            r.details
                .extend(show_ports(&old).into_iter().map(|p| format!("  - {p}")));
            r.details.push("configured mappings:".to_owned());
            r.details
                .extend(show_ports(&new).into_iter().map(|p| format!("  + {p}")));
            r
        } else {
            let mut r = refusal(
                RefusalKind::Immutable,
                address,
                format!("`{name}` of `{address}` cannot change after the {what} is created"),
            );
            r.details.push(format!("recorded:   {old}"));
            r.details.push(format!("configured: {new}"));
            r
        };
        r.help = Some(format!(
            "to delete and create it again, plan with `--replace {address}` (it gets a new ID; its existing connections are lost); or change the configuration back"
        ));
        out.push(r);
    }
}

fn prevent_destroy(change: &ResourceChange, desired: &DesiredState, out: &mut Vec<Refusal>) {
    if !matches!(change.action, Action::Delete | Action::Replace) {
        return;
    }
    let Some(instance) = desired.resources.get(&change.address) else {
        return;
    };
    if instance.prevent_destroy {
        let verb = if change.action == Action::Delete {
            "destroy"
        } else {
            "replace"
        };
        out.push(lifecycle_refusal(
            RefusalKind::PreventDestroy,
            change,
            instance,
            format!(
                "`{}` has `lifecycle {{ prevent_destroy = true }}`, and this plan would {verb} it",
                change.address
            ),
            "if it really must go, set `prevent_destroy = false` first, then plan again",
        ));
    }
}

/// A refusal by one of the resource's own `lifecycle` options: it says where the resource is
/// declared, as the option is written there.
fn lifecycle_refusal(
    kind: RefusalKind,
    change: &ResourceChange,
    instance: &ResourceInstance,
    message: String,
    help: &str,
) -> Refusal {
    let mut r = refusal(kind, &change.address, message);
    r.details
        .push(format!("declared at {}", instance.declared_at));
    r.help = Some(help.to_owned());
    r
}

/// `create_before_destroy`: the new object would exist beside the one it replaces. vpcep
/// replaces by deleting first, and the cloud could not hold both anyway for most objects; the
/// plan says why for this one instead of quietly deleting first.
fn create_before_destroy(change: &ResourceChange, desired: &DesiredState, out: &mut Vec<Refusal>) {
    if change.action != Action::Replace {
        return;
    }
    let Some(instance) = desired
        .resources
        .get(&change.address)
        .filter(|i| i.create_before_destroy)
    else {
        return;
    };
    let why = match change.address.rtype() {
        ResourceType::Service => {
            "a new service on the same backend with the same port mappings is refused by the cloud while the old one exists (EndPoint.3044), and consumers' endpoints belong to the old service"
        }
        ResourceType::Endpoint => {
            "vpcep keeps one cloud object per address, so the old endpoint would be untracked between the create and the delete; a crash there would leave it behind"
        }
        ResourceType::Approval => {
            "an approval is its service's (its ID is the service's ID): there cannot be two"
        }
    };
    out.push(lifecycle_refusal(
        RefusalKind::CreateBeforeDestroy,
        change,
        instance,
        format!(
            "`{}` has `lifecycle {{ create_before_destroy = true }}`, but it cannot be created before the one it replaces is destroyed: {why}",
            change.address
        ),
        "remove `create_before_destroy` to replace it by deleting first, or give the new one another address (a new resource block) and remove the old one afterwards",
    ));
}

/// The recorded status of a service.
fn status_of(change: &ResourceChange) -> Option<ServiceStatus> {
    Some(ServiceStatus::parse(
        change.before.as_ref()?.get("status")?.as_str()?,
    ))
}

/// The cloud modifies a service (`PUT`) only while it is `available` (`EndPoint.3045`); its
/// whitelist and tags have their own calls, which a `creating` service takes. A service that
/// is `deleting` or `failed` takes no change.
fn not_ready_for_update(change: &ResourceChange, out: &mut Vec<Refusal>) {
    if change.action != Action::Update || change.address.rtype() != ResourceType::Service {
        return;
    }
    let puts: Vec<&str> = change
        .changed
        .iter()
        .map(String::as_str)
        .filter(|a| !matches!(*a, "whitelist" | "tags"))
        .collect();
    let status = match status_of(change) {
        Some(s @ (ServiceStatus::Deleting | ServiceStatus::Failed)) => s,
        Some(s @ ServiceStatus::Creating) if !puts.is_empty() => s,
        _ => return,
    };
    let mut r = refusal(
        RefusalKind::NotAvailable,
        &change.address,
        format!(
            "`{}` is `{status}`; the cloud changes a service only when it is `available`",
            change.address
        ),
    );
    if status == ServiceStatus::Creating {
        r.details
            .push(format!("changed while creating: {}", puts.join(", ")));
    }
    r.help = Some(match status {
        ServiceStatus::Failed => format!(
            "a failed service never becomes available: replace it (`--replace {}`) or remove it",
            change.address
        ),
        ServiceStatus::Deleting => {
            "it is being deleted: wait until it is gone, then plan again to create it anew"
                .to_owned()
        }
        _ => "wait until it is available (see `vpcep show`), then plan again".to_owned(),
    });
    out.push(r);
}

/// Rules 2 and 3: services still creating, with blocking connections, or cloud-operated.
fn protected_deletes(plan: &Plan, out: &mut Vec<Refusal>) {
    // Endpoints deleted by this plan disconnect before their service is deleted, and the
    // connections this plan may reject are rejected before it.
    let mut going: HashSet<&str> = super::disconnect::deleted_endpoints(plan);
    going.extend(
        plan.disconnections
            .iter()
            .filter(|d| d.allowed)
            .map(|d| d.endpoint_id.as_str()),
    );
    for c in plan
        .changes
        .iter()
        .filter(|c| matches!(c.action, Action::Delete | Action::Replace))
    {
        if c.address.rtype() != ResourceType::Service {
            continue;
        }
        let Some(before) = &c.before else { continue };
        let address = &c.address;
        if before.get("service_type").and_then(Value::as_str) == Some("gateway") {
            let mut r = refusal(
                RefusalKind::Gateway,
                address,
                format!(
                    "`{address}` is a gateway service, operated by the cloud; it cannot be deleted"
                ),
            );
            r.help = Some(format!(
                "remove it from the state instead: `vpcep state rm {address}`"
            ));
            out.push(r);
            continue;
        }
        if status_of(c) == Some(ServiceStatus::Creating) {
            let mut r = refusal(
                RefusalKind::Creating,
                address,
                format!(
                    "`{address}` is still being created (status `creating`); the cloud refuses to delete it"
                ),
            );
            r.help =
                Some("wait until it is `available` (see `vpcep show`), then plan again".to_owned());
            out.push(r);
            continue;
        }
        let connections = before
            .get("connections")
            .and_then(Value::as_list)
            .unwrap_or_default();
        let blocking: Vec<String> = connections
            .iter()
            .filter_map(Value::as_map)
            .filter(|m| {
                m.get("status")
                    .and_then(Value::as_str)
                    .is_some_and(|s| ConnectionStatus::parse(s).blocks_delete())
            })
            .filter(|m| {
                !m.get("endpoint_id")
                    .and_then(Value::as_str)
                    .is_some_and(|id| going.contains(id))
            })
            .map(|m| {
                let get = |k: &str| m.get(k).and_then(Value::as_str).unwrap_or("?").to_owned();
                format!(
                    "endpoint {} of account {} is {}",
                    get("endpoint_id"),
                    get("domain_id"),
                    get("status")
                )
            })
            .collect();
        let count = before
            .get("connection_count")
            .and_then(Value::as_i64)
            .unwrap_or(0);
        if !blocking.is_empty() || (connections.is_empty() && count > 0) {
            let n = if blocking.is_empty() {
                usize::try_from(count).unwrap_or(0)
            } else {
                blocking.len()
            };
            let verb = if c.action == Action::Replace {
                "replaced"
            } else {
                "deleted"
            };
            let mut r = refusal(
                RefusalKind::Connected,
                address,
                format!(
                    "`{address}` cannot be {verb}: {n} endpoint{} connected to it (accepted or creating)",
                    if n == 1 { " is" } else { "s are" }
                ),
            );
            r.details = blocking;
            r.help = Some(
                "the endpoints' owners must delete them, or reject their connections (list only the endpoints to keep in the service's `vpcep_approval`), then plan again".to_owned(),
            );
            out.push(r);
        }
    }
}

/// The quotas of the account `facts` are of. With several providers, `provider` is the one
/// whose account it is (`Some(None)`: the default one): only its recorded resources count as
/// managed, and the refusal names it.
#[allow(clippy::option_option)]
fn quotas(
    plan: &Plan,
    prior: &RecordedState,
    facts: &CloudFacts,
    provider: Option<Option<&str>>,
    out: &mut Vec<Refusal>,
) {
    let place = match provider {
        None => "the account".to_owned(),
        Some(key) => format!(
            "the account{} ({})",
            facts
                .account
                .as_deref()
                .map_or_else(String::new, |a| format!(" {a}")),
            key.unwrap_or("the default provider")
        ),
    };
    let Some(q) = facts.quotas else { return };
    for (rtype, used, quota, what) in [
        (
            ResourceType::Service,
            q.services_used,
            q.services_quota,
            "endpoint services",
        ),
        (
            ResourceType::Endpoint,
            q.endpoints_used,
            q.endpoints_quota,
            "endpoints",
        ),
    ] {
        // A resource moved from one provider to another is created in the new provider's
        // account and deleted in the old one's; other replacements net out in one account.
        let key = provider.flatten();
        let moved =
            |c: &ResourceChange| c.action == Action::Replace && c.recorded_provider != c.provider;
        let of_type = plan.changes.iter().filter(|c| c.address.rtype() == rtype);
        let creates = of_type
            .clone()
            .filter(|c| c.provider.as_deref() == key || provider.is_none())
            .filter(|c| c.action == Action::Create || moved(c))
            .count();
        let deletes = of_type
            .filter(|c| c.recorded_provider.as_deref() == key || provider.is_none())
            .filter(|c| c.action == Action::Delete || moved(c))
            .count();
        let used = used as usize;
        if creates == 0 || used + creates <= quota as usize + deletes {
            continue;
        }
        let managed = prior
            .resources
            .values()
            .filter(|r| r.address.rtype() == rtype)
            .filter(|r| provider.is_none_or(|key| r.provider.as_deref() == key))
            .count();
        let unmanaged = used.saturating_sub(managed);
        let total = used + creates - deletes.min(used + creates);
        let mut r = Refusal {
            kind: RefusalKind::Quota,
            address: None,
            message: format!("this plan needs {total} {what} in {place}, but its quota is {quota}"),
            details: vec![
                format!("{used} exist now ({unmanaged} of them not managed by this configuration)"),
                format!("{creates} to create, {deletes} to delete"),
            ],
            help: Some(format!(
                "create fewer {what}, delete unused ones, or ask the cloud provider to raise the quota"
            )),
        };
        if rtype == ResourceType::Service {
            r.details
                .push("quotas count per account and region".to_owned());
        }
        out.push(r);
    }
}

/// The `(protocol, server_port)` pairs of a `port` attribute.
fn server_ports(port: &Value) -> Vec<(String, i64)> {
    port.as_list()
        .unwrap_or_default()
        .iter()
        .filter_map(|p| {
            let m = p.as_map()?;
            Some((
                m.get("protocol")
                    .and_then(Value::as_str)
                    .unwrap_or("TCP")
                    .to_owned(),
                m.get("server_port").and_then(Value::as_i64)?,
            ))
        })
        .collect()
}

/// Rule 7: services may share a backend only with `(protocol, server_port)` pairs that do not
/// overlap — checked against every service of the account, managed here or not, as it will be
/// after this plan (deleted and replaced services no longer count).
fn backends(plan: &Plan, facts: &CloudFacts, out: &mut Vec<Refusal>) {
    let Some(services) = &facts.account_services else {
        return;
    };
    let gone: HashSet<&str> = plan
        .changes
        .iter()
        .filter(|c| matches!(c.action, Action::Delete | Action::Replace))
        .filter_map(|c| c.id.as_deref())
        .collect();
    let managed: std::collections::HashMap<&str, &Address> = plan
        .changes
        .iter()
        .filter_map(|c| c.id.as_deref().map(|id| (id, &c.address)))
        .collect();
    // Who maps each (backend, protocol, server port) now: services that stay and are not
    // moved to another backend by this plan.
    let moving: HashSet<&str> = plan
        .changes
        .iter()
        .filter(|c| c.action == Action::Update && c.changed.iter().any(|n| n == "port_id"))
        .filter_map(|c| c.id.as_deref())
        .collect();
    let mut taken: std::collections::HashMap<(String, String, i64), String> =
        std::collections::HashMap::new();
    for s in services {
        if gone.contains(s.id.as_str()) || moving.contains(s.id.as_str()) {
            continue;
        }
        let owner = match managed.get(s.id.as_str()) {
            Some(a) => format!("`{a}` (the endpoint service {})", s.id),
            None => format!(
                "the endpoint service {}, not managed by this configuration",
                s.id
            ),
        };
        for (protocol, server_port) in &s.ports {
            taken.insert(
                (s.port_id.clone(), protocol.clone(), i64::from(*server_port)),
                owner.clone(),
            );
        }
    }
    for c in &plan.changes {
        if c.address.rtype() != ResourceType::Service {
            continue;
        }
        let takes_backend = match c.action {
            Action::Create | Action::Replace => true,
            Action::Update => c.changed.iter().any(|n| n == "port_id"),
            _ => false,
        };
        let Some(after) = c.after.as_ref().filter(|_| takes_backend) else {
            continue;
        };
        let Some(port_id) = after.get("port_id").and_then(Value::as_str) else {
            continue;
        };
        for (protocol, server_port) in server_ports(after.get("port").unwrap_or(&Value::Null)) {
            let key = (port_id.to_owned(), protocol.clone(), server_port);
            if let Some(owner) = taken.get(&key) {
                let mut r = refusal(
                    RefusalKind::Backend,
                    &c.address,
                    format!(
                        "`{}` maps {protocol} server port {server_port} on the backend {port_id}, which {owner} already maps",
                        c.address
                    ),
                );
                r.help = Some("services that share a backend must use different server ports (or protocols); change the server port, give this service another backend, or delete the other service first".to_owned());
                out.push(r);
            } else {
                taken.insert(key, format!("`{}`", c.address));
            }
        }
    }
}

/// Rule 6 for services this configuration does not manage: approvals need approval enabled.
fn approvals(plan: &Plan, facts: &CloudFacts, out: &mut Vec<Refusal>) {
    for c in plan.changes.iter().filter(|c| {
        c.address.rtype() == ResourceType::Approval
            && matches!(c.action, Action::Create | Action::Update | Action::Replace)
    }) {
        let Some(after) = &c.after else { continue };
        let Some(service_id) = after.get("service_id").and_then(Value::as_str) else {
            // A service this plan creates: nothing is connected to it yet.
            endpoints_of_other_services(c, out);
            continue;
        };
        if let Some(services) = &facts.account_services
            && !services.iter().any(|s| s.id == service_id)
        {
            let mut r = refusal(
                RefusalKind::NoSuchService,
                &c.address,
                format!(
                    "`{}` approves connections of the service {service_id}, which does not exist in this account",
                    c.address
                ),
            );
            r.help = Some("an approval belongs to the account that owns the service: check the service ID (it may have been deleted or replaced), or refer to the service's resource".to_owned());
            out.push(r);
            continue;
        }
        // What the service's approval will be when the approval is applied: this plan's
        // update of the service comes first.
        let planned = plan
            .changes
            .iter()
            .find(|s| {
                s.address.rtype() == ResourceType::Service
                    && s.id.as_deref() == Some(service_id)
                    && s.action == Action::Update
            })
            .and_then(|s| s.after.as_ref()?.get("approval_enabled")?.as_bool());
        let enabled = planned.or_else(|| {
            facts
                .account_services
                .iter()
                .flatten()
                .find(|s| s.id == service_id)
                .map(|s| s.approval_enabled)
        });
        // The approval calls the cloud only to accept or reject what its list adds or drops.
        let list = |a: Option<&super::Attrs>| {
            a.and_then(|a| a.get("endpoints"))
                .and_then(Value::as_list)
                .map(<[Value]>::to_vec)
                .unwrap_or_default()
        };
        let (had, want) = (list(c.before.as_ref()), list(c.after.as_ref()));
        // An endpoint accepted already (every one is while approval is off, and so is one
        // created after it is turned off, known only after apply) takes no call.
        let accepted = |e: &Value| {
            !e.is_known()
                || facts.connections.get(service_id).is_some_and(|cs| {
                    cs.iter().any(|k| {
                        Some(k.endpoint_id.as_str()) == e.as_str()
                            && k.status == ConnectionStatus::Accepted
                    })
                })
        };
        let calls = match c.action {
            Action::Update => {
                want.iter().any(|e| !had.contains(e) && !accepted(e))
                    || had.iter().any(|e| !want.contains(e))
            }
            // A replaced approval of a service without approval is only forgotten first.
            _ => want.iter().any(|e| !accepted(e)),
        };
        if enabled == Some(false) && calls {
            let mut r = refusal(
                RefusalKind::ApprovalDisabled,
                &c.address,
                format!(
                    "`{}` approves connections of the service {service_id}, which has approval disabled",
                    c.address
                ),
            );
            r.help = Some("enable approval on the service first".to_owned());
            out.push(r);
        }
        unknown_endpoints(c, service_id, facts, out);
    }
}

/// The endpoint IDs an approval lists that are known now (not created by this plan).
fn listed_ids(c: &ResourceChange) -> impl Iterator<Item = &str> {
    c.after
        .as_ref()
        .and_then(|a| a.get("endpoints"))
        .and_then(Value::as_list)
        .unwrap_or_default()
        .iter()
        .filter_map(Value::as_str)
}

/// An approval of a service this plan creates (or replaces) that lists endpoints which exist
/// now: each is bound to the service it was created for and can never connect to the new one,
/// so accepting it would fail (`EndPoint.2006`).
fn endpoints_of_other_services(c: &ResourceChange, out: &mut Vec<Refusal>) {
    for id in listed_ids(c) {
        let mut r = refusal(
            RefusalKind::NotConnected,
            &c.address,
            format!(
                "`{}` lists the endpoint {id}, which exists and belongs to another service: it cannot connect to the service this plan creates",
                c.address
            ),
        );
        r.help = Some("an endpoint stays with the service it was created for: remove its ID from the approval, and list the endpoint its owner creates for the new service once it exists".to_owned());
        out.push(r);
    }
}

/// Endpoints an approval lists that are not connected to its service: accepting them would
/// fail (`EndPoint.2013`). Known from the service's listed connections (refreshed, or looked
/// up for this plan); unknown IDs (endpoints this plan creates) are not checked.
fn unknown_endpoints(
    c: &ResourceChange,
    service_id: &str,
    facts: &CloudFacts,
    out: &mut Vec<Refusal>,
) {
    let connected: HashSet<&str> = if let Some(list) = facts.connections.get(service_id) {
        list.iter().map(|c| c.endpoint_id.as_str()).collect()
    } else {
        // Not listed (no refresh, no lookup): what the approval recorded, if it is of
        // the same service.
        let Some(before) = c
            .before
            .as_ref()
            .filter(|b| b.get("service_id").and_then(Value::as_str) == Some(service_id))
        else {
            return;
        };
        before
            .get("connections")
            .and_then(Value::as_list)
            .unwrap_or_default()
            .iter()
            .filter_map(|m| {
                m.as_map()
                    .and_then(|m| m.get("endpoint_id"))
                    .and_then(Value::as_str)
            })
            .collect()
    };
    for id in listed_ids(c) {
        if !connected.contains(id) {
            let mut r = refusal(
                RefusalKind::NotConnected,
                &c.address,
                format!(
                    "`{}` lists the endpoint {id}, which is not connected to the service {service_id}",
                    c.address
                ),
            );
            r.help = Some("check the endpoint ID (its owner sees it in `vpcep show`), or wait until the endpoint exists, then plan again".to_owned());
            out.push(r);
        }
    }
}
