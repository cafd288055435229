//! `lifecycle { replace_triggered_by }`: the recorded instances a plan replaces because
//! something their configuration names changes in the same plan.

use super::{Action, Plan, ResourceChange};
use crate::model::{Address, DesiredState, ResourceId};
use std::collections::HashMap;

/// The instances to replace because of their triggers, each with why; only those recorded
/// and not replaced already.
pub fn triggered(plan: &Plan, desired: &DesiredState) -> Vec<(Address, String)> {
    // What changes, by resource: looked up once per trigger, not scanned.
    let mut changing: HashMap<&ResourceId, Vec<&ResourceChange>> = HashMap::new();
    for c in &plan.changes {
        if matches!(c.action, Action::Replace | Action::Update) {
            changing.entry(&c.address.resource).or_default().push(c);
        }
    }
    let mut out = Vec::new();
    for change in &plan.changes {
        if !matches!(change.action, Action::NoOp | Action::Update) {
            continue;
        }
        let Some(instance) = desired.resources.get(&change.address) else {
            continue;
        };
        for t in &instance.replace_triggered_by {
            let fired = changing
                .get(&t.resource)
                .into_iter()
                .flatten()
                .find(|other| {
                    t.key
                        .as_ref()
                        .is_none_or(|k| other.address.key.as_ref() == Some(k))
                        && (other.action == Action::Replace
                            || t.attr
                                .as_ref()
                                .is_none_or(|a| other.changed.iter().any(|c| c == a)))
                });
            if let Some(other) = fired {
                let what = match &t.attr {
                    Some(a) => format!("`{}.{a}`", other.address),
                    None => format!("`{}`", other.address),
                };
                out.push((
                    change.address.clone(),
                    format!("replace_triggered_by names {what}, which this plan changes"),
                ));
                break;
            }
        }
    }
    out
}
