//! `vpcep import ADDR ID`: adopts an existing cloud resource into the recorded state.

use super::output::say;
use super::{Globals, ImportArgs};
use crate::app::{self as session, fail};
use crate::config::VarArg;
use crate::model::{RecordedResource, RecordedState, StateChange};

pub(crate) fn run(
    globals: &Globals,
    args: &ImportArgs,
    vars: &[VarArg],
) -> super::failure::Outcome {
    if args.all {
        return all(globals, args, vars);
    }
    let (Some(address), Some(id)) = (&args.address, &args.id) else {
        return Err(fail(
            "`vpcep import` takes ADDR ID (one object), or `--all` (every object no state records)",
        ));
    };
    let snapshot = session::snapshot(&globals.env, vars)?;
    let mut store = session::store_for(
        &globals.env,
        &snapshot.settings,
        args.common.state.as_ref(),
        Some(("import", args.common.lock_timeout)),
    )?;
    let (mut state, had_state) = match store.read() {
        Ok(Some(s)) => (s, true),
        Ok(None) => (RecordedState::new(), false),
        Err(e) => return Err(fail(e)),
    };
    if state.resources.contains_key(address) {
        return Err(fail(format!(
            "`{address}` is already in the state; remove it first with `vpcep state rm {address}` to import another resource"
        )));
    }
    let desired = match snapshot.desired(&globals.env, &state) {
        Ok((d, _)) => d,
        Err(f) => return Err(f),
    };
    let Some(instance) = desired.resources.get(address) else {
        return Err(fail(format!(
            "`{address}` is not in the configuration; add its resource block first, then import"
        )));
    };
    if let Some(owner) = state
        .resources
        .values()
        .find(|r| &r.id == id && r.address.rtype() == address.rtype())
    {
        return Err(fail(format!(
            "{} is already managed here as `{}`; one cloud object can have only one address (to move it, `vpcep state rm {}` first)",
            id, owner.address, owner.address
        )));
    }
    let clouds = session::open_clouds(&globals.env, &snapshot.settings)?;
    // The resource's own provider's account holds it.
    let cloud = crate::cloud::Providers::cloud(&clouds, instance.provider.as_deref());
    let found = crate::refactors::read_for_import(cloud, address.rtype(), id);
    let attrs = match found {
        Ok(Some(attrs)) => attrs,
        Ok(None) => {
            return Err(fail(format!(
                "{} has no {} with the ID {id}",
                cloud.describe(),
                crate::refactors::kind_of(address.rtype())
            )));
        }
        Err(e) => return Err(fail(format!("reading {id} from {}: {e}", cloud.describe()))),
    };
    if !had_state && let Err(e) = store.write(&state) {
        return Err(fail(e));
    }
    state.apply(StateChange::Set(RecordedResource {
        address: address.clone(),
        id: id.clone(),
        attrs,
        depends_on: instance.depends_on.clone(),
        sensitive: instance.sensitive.clone(),
        provider: instance.provider.clone(),
    }));
    if let Err(e) = state.next_serial() {
        return Err(fail(e));
    }
    state.sort();
    if let Err(e) = store.write(&state) {
        return Err(fail(e));
    }
    say!("Imported {address} (id {id}) from {}.", cloud.describe());
    say!("Run `vpcep plan` to compare it with the configuration.");
    Ok(0)
}

/// `vpcep import --all`: the account's unrecorded objects written as configuration with
/// `import` blocks.
fn all(globals: &Globals, args: &ImportArgs, vars: &[VarArg]) -> super::failure::Outcome {
    let state = crate::adopt::StateArgs {
        state: args.common.state.as_ref(),
        lock_timeout: args.common.lock_timeout,
    };
    let adopted = crate::adopt::import_all(
        &globals.env,
        vars,
        &state,
        args.provider.as_deref(),
        &args.out,
    )?;
    let total = adopted.services + adopted.endpoints + adopted.approvals;
    if total == 0 {
        say!("The account has nothing that no state records; nothing was written.");
        return Ok(0);
    }
    say!(
        "Wrote {} service(s), {} endpoint(s) and {} approval(s), each with its import block, to {}.",
        adopted.services,
        adopted.endpoints,
        adopted.approvals,
        adopted.path.display()
    );
    say!("Run `vpcep plan`: it imports them ({total} to import) and should change nothing else.");
    Ok(0)
}
