//! `vpcep import ADDR ID` and `vpcep import --all`: the arguments and what is printed; the
//! adopting is `crate::adopt`'s.

use super::output::say;
use super::{args::ImportArgs, environment::Globals};
use crate::app::fail;
use crate::config::VarArg;

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
    let state = crate::adopt::StateArgs {
        state: args.common.state.as_ref(),
        lock_timeout: args.common.lock_timeout,
    };
    let cloud = crate::adopt::import_one(&globals.env, vars, &state, address, id)?;
    say!("Imported {address} (id {id}) from {cloud}.");
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
