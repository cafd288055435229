//! Disconnections: every connection a plan rejects, and which of them may happen (rule 10).
//!
//! A connection is rejected when an approval's change stops accepting its endpoint: the
//! endpoint is removed from `endpoints` (explicit), or the approval is destroyed or replaced
//! (implicit). Cutting another account's accepted or creating connection implicitly is refused
//! unless `--allow-disconnect` names the approval; the own accounts' connections may always go,
//! and are listed all the same. An endpoint this plan deletes is not cut off: it is deleted
//! before the approval (see `apply::schedule`), its connection ends with it, and deleting it
//! is what the configuration says — so it is not a disconnection.
//!
//! Deleting or replacing a service deletes the cloud's record of every endpoint connected to
//! it, other accounts' endpoints this configuration does not manage included: each of those
//! vanishes with the service, so it is listed too (a live one must have been rejected first,
//! or rule 2 refuses the delete; a waiting or rejected one goes without asking, but never
//! without a line in the plan).

use super::{Action, CloudFacts, Disconnection, Plan, PlanOptions, Refusal, RefusalKind};
use crate::model::{ResourceType, Value};
use std::collections::HashSet;

/// A connection as the recorded attributes hold it.
struct Connection<'a> {
    endpoint_id: &'a str,
    account: &'a str,
    status: &'a str,
}

fn connections(attrs: Option<&super::Attrs>) -> Vec<Connection<'_>> {
    attrs
        .and_then(|a| a.get("connections"))
        .and_then(Value::as_list)
        .unwrap_or_default()
        .iter()
        .filter_map(Value::as_map)
        .map(|m| {
            let get = |k: &str| m.get(k).and_then(Value::as_str).unwrap_or("");
            Connection {
                endpoint_id: get("endpoint_id"),
                account: get("domain_id"),
                status: get("status"),
            }
        })
        .collect()
}

fn listed(attrs: Option<&super::Attrs>) -> Option<Vec<&str>> {
    let list = attrs?.get("endpoints")?.as_list()?;
    list.iter().map(Value::as_str).collect()
}

/// Whether a connection in `status` is live: cutting it cuts a partner off.
pub(super) fn is_live(status: &str) -> bool {
    crate::model::facts::ConnectionStatus::parse(status).blocks_delete()
}

/// The IDs of the endpoints this plan deletes (or replaces): their connections end with them.
pub(super) fn deleted_endpoints(plan: &Plan) -> HashSet<&str> {
    plan.changes
        .iter()
        .filter(|c| {
            c.address.rtype() == ResourceType::Endpoint
                && matches!(c.action, Action::Delete | Action::Replace)
        })
        .filter_map(|c| c.id.as_deref())
        .collect()
}

/// An endpoint that vanishes with a service this plan deletes or replaces.
pub(super) struct Vanishing<'a> {
    pub service: &'a crate::model::Address,
    pub service_id: &'a str,
    pub endpoint_id: String,
    pub account: String,
    pub status: String,
}

/// The endpoints that vanish with the services this plan deletes or replaces: connected to
/// such a service and not deleted by this plan itself. The connections are the ones listed for
/// this plan where there are (a refresh lists only the services whose count says they have
/// live connections; waiting requests are looked up for a delete), else the recorded ones.
pub(super) fn vanishing<'a>(plan: &'a Plan, facts: &CloudFacts) -> Vec<Vanishing<'a>> {
    let deleted_endpoints = deleted_endpoints(plan);
    let mut out = Vec::new();
    for c in plan.changes.iter().filter(|c| {
        c.address.rtype() == ResourceType::Service
            && matches!(c.action, Action::Delete | Action::Replace)
    }) {
        let service_id = c.id.as_deref().unwrap_or_default();
        let known: Vec<(String, String, String)> = match facts.connections.get(service_id) {
            Some(listed) => listed
                .iter()
                .map(|k| {
                    (
                        k.endpoint_id.clone(),
                        k.domain_id.clone(),
                        k.status.as_str().to_owned(),
                    )
                })
                .collect(),
            None => connections(c.before.as_ref())
                .iter()
                .map(|k| {
                    (
                        k.endpoint_id.to_owned(),
                        k.account.to_owned(),
                        k.status.to_owned(),
                    )
                })
                .collect(),
        };
        for (endpoint_id, account, status) in known {
            if !endpoint_id.is_empty()
                && !deleted_endpoints.contains(endpoint_id.as_str())
                && status != "deleting"
            {
                out.push(Vanishing {
                    service: &c.address,
                    service_id,
                    endpoint_id,
                    account,
                    status,
                });
            }
        }
    }
    out
}

/// What the services this plan deletes take with them: added to `out`, or said in the reason
/// of a disconnection it lists already.
fn take_vanishing(plan: &Plan, facts: &CloudFacts, out: &mut Vec<Disconnection>) {
    for k in vanishing(plan, facts) {
        let (service, service_id) = (k.service, k.service_id);
        let verb = if plan
            .changes
            .iter()
            .any(|c| &c.address == service && c.action == Action::Replace)
        {
            "replaced"
        } else {
            "deleted"
        };
        let gone = format!(
            "the service is {verb}, and the cloud deletes the endpoint's connection with it (its owner must create a new endpoint)"
        );
        if let Some(d) = out.iter_mut().find(|d| d.endpoint_id == k.endpoint_id) {
            d.reason = format!(
                "{}; then `{service}` is {verb}, and the cloud deletes the endpoint's connection with it",
                d.reason
            );
            continue;
        }
        // A live connection that no approval rejects keeps the service from being deleted
        // (rule 2 refuses it, naming the endpoint); the others go, and are listed.
        if is_live(&k.status) {
            continue;
        }
        out.push(Disconnection {
            by: service.clone(),
            service_id: service_id.to_owned(),
            endpoint_id: k.endpoint_id,
            account: if k.account.is_empty() {
                "unknown".to_owned()
            } else {
                k.account
            },
            status: k.status,
            reason: gone,
            explicit: false,
            allowed: true,
        });
    }
}

/// Finds every connection `plan` rejects.
pub(super) fn find(plan: &Plan, facts: &CloudFacts, opts: &PlanOptions) -> Vec<Disconnection> {
    let deleted_endpoints = deleted_endpoints(plan);
    let mut out = Vec::new();
    for c in &plan.changes {
        if c.address.rtype() != ResourceType::Approval {
            continue;
        }
        let before = c.before.as_ref();
        let Some(had) = listed(before) else { continue };
        let (rejected, explicit, reason): (Vec<&str>, bool, String) = match c.action {
            Action::Update => {
                // Unknown after apply: the new list is not known yet, nothing is judged here.
                let Some(keep) = listed(c.after.as_ref()) else {
                    continue;
                };
                (
                    had.into_iter().filter(|e| !keep.contains(e)).collect(),
                    true,
                    "it is removed from the approval's `endpoints`".to_owned(),
                )
            }
            Action::Delete => (
                had,
                false,
                match &c.reason {
                    Some(_) => "the approval is no longer in the configuration".to_owned(),
                    None => "the approval is destroyed".to_owned(),
                },
            ),
            Action::Replace => (had, false, "the approval is replaced".to_owned()),
            Action::Create | Action::NoOp => continue,
        };
        let service_id = before
            .and_then(|b| b.get("service_id"))
            .and_then(Value::as_str)
            .unwrap_or_default();
        // With approval disabled on the service nothing can be rejected: a destroyed approval
        // is only forgotten (and an update that would reject is refused by its own rule).
        let own_facts = c
            .provider
            .as_deref()
            .and_then(|p| facts.providers.get(p))
            .unwrap_or(facts);
        let approval_off = own_facts
            .account_services
            .iter()
            .flatten()
            .any(|s| s.id == service_id && !s.approval_enabled);
        if approval_off && c.action != Action::Update {
            continue;
        }
        let known = connections(before);
        let accounts = |attrs: Option<&crate::plan::Attrs>| -> Vec<String> {
            attrs
                .and_then(|a| a.get("accounts"))
                .and_then(Value::as_list)
                .unwrap_or_default()
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        };
        let (accounts_before, accounts_after) = (accounts(before), accounts(c.after.as_ref()));
        for endpoint_id in rejected {
            if deleted_endpoints.contains(endpoint_id) {
                continue;
            }
            let connection = known.iter().find(|k| k.endpoint_id == endpoint_id);
            let status = connection.map_or("unknown", |k| k.status);
            if status == "rejected" {
                continue;
            }
            let account = connection.map_or("", |k| k.account);
            let own = !account.is_empty() && facts.owns(account);
            let allowed = explicit
                || own
                || !is_live(status) && status != "unknown"
                || opts.allow_disconnect.iter().any(|a| {
                    a.resource == c.address.resource && (a.key.is_none() || a.key == c.address.key)
                });
            out.push(Disconnection {
                by: c.address.clone(),
                service_id: service_id.to_owned(),
                endpoint_id: endpoint_id.to_owned(),
                account: if account.is_empty() {
                    "unknown".to_owned()
                } else {
                    account.to_owned()
                },
                status: status.to_owned(),
                reason: if c.action == Action::Update
                    && accounts_before.iter().any(|a| a == account)
                    && !accounts_after.iter().any(|a| a == account)
                {
                    "its account is removed from the approval's `accounts`".to_owned()
                } else {
                    reason.clone()
                },
                explicit,
                allowed,
            });
        }
    }
    take_vanishing(plan, facts, &mut out);
    out
}

/// Rule 10: refuses every disconnection that may not happen.
pub(super) fn refusals(disconnections: &[Disconnection], out: &mut Vec<Refusal>) {
    for d in disconnections.iter().filter(|d| !d.allowed) {
        out.push(Refusal {
            kind: RefusalKind::Disconnect,
            address: Some(d.by.clone()),
            message: format!(
                "`{}` would cut off endpoint {} of account {} ({}) from the service {}: {}",
                d.by, d.endpoint_id, d.account, d.status, d.service_id, d.reason
            ),
            details: vec![
                "another account's live connection is cut only when the configuration says so"
                    .to_owned(),
            ],
            help: Some(format!(
                "to cut it off on purpose, remove {} from the approval's `endpoints`, or plan with `--allow-disconnect {}`; to keep it, keep the approval",
                d.endpoint_id, d.by
            )),
        });
    }
}
