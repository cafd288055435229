//! Adopting what exists in the cloud: one object into the state (`import ADDR ID`), the
//! configuration of `import` blocks' targets (`plan --generate-config-out`), and every
//! service, endpoint and approval of an account that no state records (`import --all`), each
//! written as a resource block with its `import` block (the state changes only when the next
//! apply imports them).

use crate::app::{self, Env, Failure, fail};
use crate::cloud::{Cloud, Endpoint, Providers, Service};
use crate::config::VarArg;
use crate::config::generate;
use crate::model::{
    Address, RecordedResource, RecordedState, ResourceId, ResourceType, StateChange,
};
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Where and how the state is read.
pub struct StateArgs<'a> {
    pub state: Option<&'a PathBuf>,
    pub lock_timeout: Duration,
}

/// The file to write, relative to the configuration directory; refused when it exists (as
/// Terraform refuses), so nothing written by hand is ever replaced.
fn new_file(env: &Env, out: &Path, flag: &str) -> Result<PathBuf, Failure> {
    let path = if out.is_absolute() {
        out.to_path_buf()
    } else {
        env.dir.join(out)
    };
    if path.exists() {
        return Err(fail(format!(
            "`{}` exists; {flag} writes only a new file, so nothing was written (move it away or choose another name)",
            out.display()
        )));
    }
    if path
        .extension()
        .is_none_or(|e| !e.eq_ignore_ascii_case("hcl"))
    {
        return Err(fail(format!(
            "`{}` would not be read as configuration; {flag} needs a name ending in `.hcl`",
            out.display()
        )));
    }
    Ok(path)
}

fn read_state(
    env: &Env,
    snapshot: &app::Snapshot,
    args: &StateArgs<'_>,
    operation: &str,
) -> Result<RecordedState, Failure> {
    let mut store = app::store_for(
        env,
        &snapshot.settings,
        args.state,
        Some((operation, args.lock_timeout)),
    )?;
    Ok(store.read()?.unwrap_or_default())
}

/// `plan --generate-config-out=FILE`: the resource blocks of every `import` block whose target
/// the configuration does not declare yet, read from the cloud and written to FILE. Returns
/// how many were written (none: FILE is not written).
pub fn generate_for_imports(
    env: &Env,
    vars: &[VarArg],
    state_args: &StateArgs<'_>,
    out: &Path,
) -> Result<usize, Failure> {
    let path = new_file(env, out, "`--generate-config-out`")?;
    let snapshot = app::snapshot(env, vars)?;
    let state = read_state(env, &snapshot, state_args, "plan")?;
    let imports = snapshot.unconfigured_imports(env, &state)?;
    if imports.is_empty() {
        return Ok(0);
    }
    let clouds = app::open_clouds(env, &snapshot.settings)?;
    let cloud = clouds.cloud(None);
    let mut blocks = Vec::new();
    for import in &imports {
        let rtype = import.to.rtype();
        let attrs = crate::refactors::read_for_import(cloud, rtype, &import.id)
            .map_err(|e| {
                fail(format!(
                    "reading {} from {}: {e}",
                    import.id,
                    cloud.describe()
                ))
            })?
            .ok_or_else(|| {
                fail(format!(
                    "the `import` block at {} names {}, which {} does not have as an {}",
                    import.at,
                    import.id,
                    cloud.describe(),
                    crate::refactors::kind_of(rtype)
                ))
            })?;
        blocks.push(generate::resource_block(&import.to, &attrs, None, &|_| {
            None
        }));
    }
    let text = generate::file(
        "__generated__ by `vpcep plan --generate-config-out` for the import blocks without a\nresource block. Review these resources and move them into your configuration files.",
        &blocks,
    );
    crate::fsio::write_atomic(&path, text.as_bytes()).map_err(|e| fail(e.message))?;
    Ok(imports.len())
}

/// `vpcep import ADDR ID`: the cloud object `id` read into the state at `address` (which the
/// configuration declares), under the state's lock; returns the cloud it was read from.
pub fn import_one(
    env: &Env,
    vars: &[VarArg],
    state_args: &StateArgs<'_>,
    address: &Address,
    id: &str,
) -> Result<String, Failure> {
    let snapshot = app::snapshot(env, vars)?;
    let mut store = app::store_for(
        env,
        &snapshot.settings,
        state_args.state,
        Some(("import", state_args.lock_timeout)),
    )?;
    let mut state = store.read()?.unwrap_or_else(RecordedState::new);
    if state.resources.contains_key(address) {
        return Err(fail(format!(
            "`{address}` is already in the state; remove it first with `vpcep state rm {address}` to import another resource"
        )));
    }
    let (desired, _) = snapshot.desired(env, &state)?;
    let Some(instance) = desired.resources.get(address) else {
        return Err(fail(format!(
            "`{address}` is not in the configuration; add its resource block first, then import"
        )));
    };
    if let Some(owner) = state
        .resources
        .values()
        .find(|r| r.id == id && r.address.rtype() == address.rtype())
    {
        return Err(fail(format!(
            "{id} is already managed here as `{}`; one cloud object can have only one address (to move it, `vpcep state rm {}` first)",
            owner.address, owner.address
        )));
    }
    let clouds = app::open_clouds(env, &snapshot.settings)?;
    // The resource's own provider's account holds it.
    let cloud = clouds.cloud(instance.provider.as_deref());
    let attrs = crate::refactors::read_for_import(cloud, address.rtype(), id)
        .map_err(|e| crate::failure::cloud(&format!("reading {id} from {}", cloud.describe()), &e))?
        .ok_or_else(|| {
            fail(format!(
                "{} has no {} with the ID {id}",
                cloud.describe(),
                crate::refactors::kind_of(address.rtype())
            ))
        })?;
    let before = state.problems();
    state.apply(StateChange::Set(RecordedResource {
        address: address.clone(),
        id: id.to_owned(),
        attrs,
        depends_on: instance.depends_on.clone(),
        sensitive: instance.sensitive.clone(),
        provider: instance.provider.clone(),
    }));
    app::state_edit::commit(
        store.as_mut(),
        &mut state,
        &before,
        app::state_edit::Write::Next,
        |broken| {
            format!("importing {id} as `{address}` is refused: {broken}; nothing was imported")
        },
    )?;
    Ok(cloud.describe())
}

/// What `import --all` wrote.
pub struct Adopted {
    pub path: PathBuf,
    pub services: usize,
    pub endpoints: usize,
    pub approvals: usize,
}

/// `import --all`: every service, endpoint and approval of the provider's account that the
/// state does not record, written to FILE as resource blocks named from the cloud's names
/// with an `import` block each. The next plan imports them and changes nothing else.
pub fn import_all(
    env: &Env,
    vars: &[VarArg],
    state_args: &StateArgs<'_>,
    provider: Option<&str>,
    out: &Path,
) -> Result<Adopted, Failure> {
    let path = new_file(env, out, "`import --all`")?;
    let snapshot = app::snapshot(env, vars)?;
    let state = read_state(env, &snapshot, state_args, "import")?;
    let clouds = app::open_clouds(env, &snapshot.settings)?;
    let key = match provider {
        None => None,
        Some(alias) => Some(
            clouds
                .aliased
                .keys()
                .find(|k| k.as_str() == alias || k.split_once('.').is_some_and(|(_, a)| a == alias))
                .cloned()
                .ok_or_else(|| {
                    fail(format!(
                        "the configuration has no provider with the alias `{alias}`; its aliases are {}",
                        if clouds.aliased.is_empty() {
                            "none".to_owned()
                        } else {
                            clouds.aliased.keys().map(String::as_str).collect::<Vec<_>>().join(", ")
                        }
                    ))
                })?,
        ),
    };
    let cloud = clouds.cloud(key.as_deref());
    let found = Found::read(cloud, &state, key.as_deref())?;
    let provider_ref = key.as_deref();
    let mut taken: BTreeSet<String> = state
        .resources
        .keys()
        .map(|a| a.resource.name.clone())
        .collect();
    // Every object's address first, so that references can name any of them.
    let mut names: HashMap<(ResourceType, String), Address> = HashMap::new();
    for r in state.resources.values() {
        names.insert((r.address.rtype(), r.id.clone()), r.address.clone());
    }
    let mut address = |rtype: ResourceType, id: &str, name: &str| {
        let a = Address::new(
            ResourceId::new(rtype, generate::resource_name(name, &mut taken)),
            None,
        );
        names.insert((rtype, id.to_owned()), a.clone());
        a
    };
    let mut objects: Vec<(Address, String, crate::model::Map)> = Vec::new();
    for s in &found.services {
        let a = address(
            ResourceType::Service,
            &s.id,
            s.name.as_deref().unwrap_or(&s.id),
        );
        objects.push((a, s.id.clone(), crate::cloud::convert::service_attrs(s)));
    }
    for e in &found.endpoints {
        let a = address(ResourceType::Endpoint, &e.id, &endpoint_name(e));
        objects.push((a, e.id.clone(), crate::cloud::convert::endpoint_attrs(e)));
    }
    let mut approvals = 0;
    for (service_id, accepted, connections) in &found.approvals {
        let Some(service) = found.services.iter().find(|s| &s.id == service_id) else {
            continue;
        };
        let a = address(
            ResourceType::Approval,
            service_id,
            &format!("{}_approval", service.name.as_deref().unwrap_or(service_id)),
        );
        approvals += 1;
        objects.push((
            a,
            service_id.clone(),
            crate::cloud::convert::approval_attrs(service_id, accepted, &[], connections),
        ));
    }
    let reference = |id: &str| {
        [ResourceType::Service, ResourceType::Endpoint]
            .iter()
            .find_map(|t| names.get(&(*t, id.to_owned())))
            .map(|a| format!("{a}.id"))
    };
    let adopted = Adopted {
        path,
        services: found.services.len(),
        endpoints: found.endpoints.len(),
        approvals,
    };
    if objects.is_empty() {
        return Ok(adopted);
    }
    let mut blocks = Vec::new();
    for (a, id, attrs) in &objects {
        blocks.push(generate::resource_block(a, attrs, provider_ref, &reference));
        blocks.push(generate::import_block(a, id));
    }
    let text = generate::file(
        &format!(
            "__generated__ by `vpcep import --all` from what {} has and no state records.\nThe next `vpcep plan` imports each object and should change nothing else.",
            cloud.describe()
        ),
        &blocks,
    );
    crate::fsio::write_atomic(&adopted.path, text.as_bytes()).map_err(|e| fail(e.message))?;
    Ok(adopted)
}

/// A name for an endpoint: the service it connects to (the middle of `region.name.id`).
fn endpoint_name(e: &Endpoint) -> String {
    let service = e
        .service_name
        .split('.')
        .nth(1)
        .filter(|n| !n.is_empty())
        .unwrap_or("service");
    format!("{service}_endpoint")
}

/// What the account has that the state does not record.
struct Found {
    services: Vec<Service>,
    endpoints: Vec<Endpoint>,
    /// For each approval-enabled service found: the endpoints it accepted, and its connections.
    approvals: Vec<(String, Vec<String>, Vec<crate::cloud::Connection>)>,
}

impl Found {
    fn read(
        cloud: &dyn Cloud,
        state: &RecordedState,
        provider: Option<&str>,
    ) -> Result<Found, Failure> {
        let managed: BTreeSet<(ResourceType, &str)> = state
            .resources
            .values()
            .filter(|r| r.provider.as_deref() == provider)
            .map(|r| (r.address.rtype(), r.id.as_str()))
            .collect();
        let read_failed = |e: crate::cloud::CloudError| {
            crate::failure::cloud(&format!("reading {}", cloud.describe()), &e)
        };
        let services: Vec<Service> = cloud
            .list_services()
            .map_err(read_failed)?
            .into_iter()
            .filter(|s| !managed.contains(&(ResourceType::Service, s.id.as_str())))
            .filter(|s| {
                s.service_type == "interface"
                    && matches!(s.status.as_str(), "available" | "creating")
            })
            .collect();
        let endpoints: Vec<Endpoint> = cloud
            .list_endpoints()
            .map_err(read_failed)?
            .into_iter()
            .filter(|e| !managed.contains(&(ResourceType::Endpoint, e.id.as_str())))
            .filter(|e| !matches!(e.status.as_str(), "deleting" | "failed"))
            .collect();
        let mut approvals = Vec::new();
        for s in services.iter().filter(|s| s.approval_enabled) {
            if managed.contains(&(ResourceType::Approval, s.id.as_str())) {
                continue;
            }
            let connections = cloud.list_connections(&s.id).map_err(read_failed)?;
            let accepted: Vec<String> = connections
                .iter()
                .filter(|c| c.status == "accepted")
                .map(|c| c.endpoint_id.clone())
                .collect();
            if !accepted.is_empty() {
                approvals.push((s.id.clone(), accepted, connections));
            }
        }
        Ok(Found {
            services,
            endpoints,
            approvals,
        })
    }
}
