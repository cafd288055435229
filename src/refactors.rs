//! `moved` and `import` blocks carried out on a refreshed state before planning: moved
//! records renamed, imported objects read from the cloud by their ID. The plan records each
//! as a state edit, which apply writes before any cloud step.

use crate::cloud::convert::{approval_attrs, connections_value, endpoint_attrs, service_attrs};
use crate::cloud::{Cloud, CloudError, Providers};
use crate::model::refactor::{StateEdit, apply_moves};
use crate::model::{DesiredState, RecordedResource, RecordedState, ResourceType};

/// The attributes of the cloud object `id` of type `rtype`, as refresh records them; `None`
/// when the cloud has no such object. An approval is read by its service's ID.
pub fn read_for_import(
    cloud: &dyn Cloud,
    rtype: ResourceType,
    id: &str,
) -> Result<Option<crate::model::Map>, CloudError> {
    match rtype {
        ResourceType::Service => match cloud.get_service(id)? {
            Some(s) => {
                let mut attrs = service_attrs(&s);
                if s.connection_count != Some(0) {
                    attrs.insert(
                        "connections",
                        connections_value(&cloud.list_connections(id)?),
                    );
                }
                Ok(Some(attrs))
            }
            None => Ok(None),
        },
        ResourceType::Endpoint => Ok(cloud.get_endpoint(id)?.map(|e| endpoint_attrs(&e))),
        ResourceType::Approval => match cloud.get_service(id)? {
            Some(_) => {
                let connections = cloud.list_connections(id)?;
                let accepted: Vec<String> = connections
                    .iter()
                    .filter(|c| c.status == "accepted")
                    .map(|c| c.endpoint_id.clone())
                    .collect();
                Ok(Some(approval_attrs(id, &accepted, &[], &connections)))
            }
            None => Ok(None),
        },
    }
}

/// What the cloud calls an object of `rtype`, for messages.
pub fn kind_of(rtype: ResourceType) -> &'static str {
    match rtype {
        ResourceType::Endpoint => "endpoint",
        ResourceType::Service | ResourceType::Approval => "endpoint service",
    }
}

/// Moves and imports `desired` asks for, carried out on `state`: the edits made, or an error
/// naming the block that cannot be carried out.
pub fn edit_state(
    state: &mut RecordedState,
    desired: &DesiredState,
    clouds: &dyn Providers,
) -> Result<Vec<StateEdit>, String> {
    let mut edits = apply_moves(state, &desired.refactors.moved)?;
    for import in &desired.refactors.imports {
        let to = &import.to;
        if let Some(recorded) = state.resources.get(to) {
            if recorded.id == import.id {
                continue; // imported already: the block has done its work
            }
            return Err(format!(
                "the `import` block at {} imports {} into `{to}`, but `{to}` is already recorded with the ID {}; remove the block, or `vpcep state rm {to}` first",
                import.at, import.id, recorded.id
            ));
        }
        if let Some(owner) = state
            .resources
            .values()
            .find(|r| r.id == import.id && r.address.rtype() == to.rtype())
        {
            return Err(format!(
                "the `import` block at {} imports {} into `{to}`, but it is managed here already as `{}`; one cloud object has one address (a `moved` block renames it)",
                import.at, import.id, owner.address
            ));
        }
        let Some(instance) = desired.resources.get(to) else {
            continue; // reported by validation
        };
        let cloud = clouds.cloud(instance.provider.as_deref());
        let attrs = read_for_import(cloud, to.rtype(), &import.id)
            .map_err(|e| format!("the `import` block at {}: reading {}: {e}", import.at, import.id))?
            .ok_or_else(|| {
                format!(
                    "the `import` block at {} imports {} into `{to}`, but {} has no {} with that ID; check the ID (`vpcep show` lists what is managed, the console what exists)",
                    import.at,
                    import.id,
                    cloud.describe(),
                    kind_of(to.rtype())
                )
            })?;
        let record = RecordedResource {
            address: to.clone(),
            id: import.id.clone(),
            attrs,
            depends_on: instance.depends_on.clone(),
            sensitive: instance.sensitive.clone(),
            provider: instance.provider.clone(),
        };
        state.resources.insert(to.clone(), record.clone());
        edits.push(StateEdit::Import { record });
    }
    Ok(edits)
}
