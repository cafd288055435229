//! Attribute-level comparison of one desired instance with its recorded state.

use super::{Action, Attrs, ResourceChange};
use crate::model::schema::schema;
use crate::model::{CloudProfile, RecordedResource, ResourceInstance, ResourceType, Value};

/// The configured attributes and blocks of a resource type, in schema order.
pub fn configured_names(rtype: ResourceType) -> impl Iterator<Item = &'static str> {
    let s = schema(rtype);
    s.attrs
        .iter()
        .map(|a| a.name)
        .chain(s.blocks.iter().map(|b| b.name))
}

pub use crate::model::schema::normalize;

/// The attributes after apply: configured ones from the configuration, computed ones from
/// `computed` (or unknown).
fn after_attrs(instance: &ResourceInstance, computed: Option<&Attrs>) -> Attrs {
    let names = schema(instance.address.rtype()).computed;
    // Sized for both at once: a plan holds one per resource.
    let mut after = Attrs::with_capacity(instance.attrs.len() + names.len());
    after.extend(instance.attrs.iter().map(|(k, v)| (k, v.clone())));
    for (name, _) in names {
        let v = computed
            .and_then(|c| c.get(name))
            .cloned()
            .unwrap_or(Value::Unknown);
        after.insert(*name, v);
    }
    after
}

pub(super) fn create(instance: &ResourceInstance) -> ResourceChange {
    ResourceChange {
        address: instance.address.clone(),
        action: Action::Create,
        before: None,
        after: Some(after_attrs(instance, None)),
        changed: Vec::new(),
        reason: None,
        id: None,
        depends_on: instance.depends_on.clone(),
        provider: instance.provider.clone(),
        recorded_provider: instance.provider.clone(),
        timeouts: instance.timeouts,
        before_sensitive: Vec::new(),
        after_sensitive: instance.sensitive.clone(),
    }
}

/// Compares an instance with its record: no-op, update, or (when `replace`) replace. Changes
/// to immutable attributes are planned as updates here; the rules refuse them.
pub(super) fn compare(
    instance: &ResourceInstance,
    recorded: &RecordedResource,
    replace: bool,
) -> ResourceChange {
    let rtype = instance.address.rtype();
    let ignored = |name: &str| !replace && instance.ignore_changes.iter().any(|n| n == name);
    let changed: Vec<String> = configured_names(rtype)
        .filter(|name| !ignored(name))
        .filter(|name| {
            let want = instance.attr(name);
            let have = recorded.attr(name);
            if crate::model::schema::computed_when_unset(rtype, name)
                && (want.is_null() || have.is_null())
            {
                return false;
            }
            !want.is_known() || !crate::model::schema::same(name, want, have)
        })
        .map(str::to_owned)
        .collect();
    // A resource belongs to the provider (account) that made it: one the configuration moves
    // to another provider is deleted through the old one and created through the new one,
    // never read or changed through the new one (its "not found" would say nothing).
    let moved = recorded.provider != instance.provider;
    let (action, computed, reason) = if replace {
        (
            Action::Replace,
            None,
            Some("requested with --replace".to_owned()),
        )
    } else if moved {
        let name = |p: &Option<String>| {
            p.as_deref()
                .map_or_else(|| "the default provider".to_owned(), |p| format!("`{p}`"))
        };
        (
            Action::Replace,
            None,
            Some(format!(
                "its provider changes from {} to {}: deleted through the old one, created through the new one",
                name(&recorded.provider),
                name(&instance.provider)
            )),
        )
    } else if changed.is_empty() {
        (Action::NoOp, Some(&recorded.attrs), None)
    } else {
        (Action::Update, Some(&recorded.attrs), None)
    };
    let mut after = after_attrs(instance, computed);
    // What `ignore_changes` names keeps its recorded value.
    for name in instance.ignore_changes.iter().filter(|n| ignored(n)) {
        if let Some(v) = recorded.attrs.get(name) {
            after.insert(name.as_str(), v.clone());
        }
    }
    ResourceChange {
        address: instance.address.clone(),
        action,
        // A no-op's `after` stands for both sides; not copying `before` keeps large plans small.
        before: (action != Action::NoOp).then(|| recorded.attrs.clone()),
        after: Some(after),
        changed,
        reason,
        id: Some(recorded.id.clone()),
        depends_on: instance.depends_on.clone(),
        provider: instance.provider.clone(),
        recorded_provider: recorded.provider.clone(),
        timeouts: instance.timeouts,
        before_sensitive: recorded.sensitive.clone(),
        after_sensitive: instance.sensitive.clone(),
    }
}

/// Turns an update into a replacement when every attribute that cannot change in place is
/// only unknown — it refers to a resource that gets a new ID in this plan (replaced, or created
/// again) — as Terraform's replace carries through to what refers to the replaced resource.
/// A known change of such an attribute stays an update, which the rules refuse.
pub(super) fn cascade(
    change: &mut ResourceChange,
    instance: &ResourceInstance,
    profile: Option<CloudProfile>,
) {
    if change.action != Action::Update {
        return;
    }
    let immutable = immutable_changes(change, profile);
    let Some(after) = &change.after else { return };
    let unknown = |name: &str| after.get(name).is_some_and(|v| !v.is_known());
    let Some(first) = immutable.first().copied() else {
        return;
    };
    if !immutable.iter().all(|n| unknown(n)) {
        return;
    }
    let cause = instance
        .refs
        .get(first)
        .and_then(|targets| targets.first())
        .map_or_else(
            || "something it refers to".to_owned(),
            |t| format!("`{}`", t.resource),
        );
    change.reason = Some(format!(
        "replaced because its `{first}` refers to {cause}, which gets a new ID"
    ));
    change.action = Action::Replace;
}

/// The changed attributes that cannot change in place on the change's cloud (`profile`).
pub(super) fn immutable_changes(
    change: &ResourceChange,
    profile: Option<CloudProfile>,
) -> Vec<&str> {
    let s = schema(change.address.rtype());
    change
        .changed
        .iter()
        .map(String::as_str)
        .filter(|name| s.is_immutable(name, profile))
        .collect()
}
