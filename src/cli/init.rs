//! `vpcep init`: checks that the configuration's backend and provider can be reached, making
//! what the backend needs on the way (the schema and tables of the pg backend); safe to run again.

use super::environment::Globals;
use super::failure::Outcome;
use super::output::say;
use crate::app as session;
use crate::config::VarArg;

pub(crate) fn run(globals: &Globals, vars: &[VarArg]) -> Outcome {
    let snapshot = session::snapshot(&globals.env, vars)?;
    say!("Initializing the backend...");
    let backend = session::init::backend(&globals.env, &snapshot)?;
    match backend.state {
        Some((serial, resources)) => say!(
            "  {}: reachable; state serial {serial}, {resources} resource{}",
            backend.location,
            if resources == 1 { "" } else { "s" }
        ),
        None => say!(
            "  {}: reachable; no state yet (the first apply writes it)",
            backend.location
        ),
    }
    say!("Initializing the provider...");
    session::init::providers(&globals.env, &snapshot, &mut |p| {
        let name = p.alias.map_or_else(String::new, |k| format!("{k}: "));
        say!(
            "  {name}{}: reachable; {} of {} services and {} of {} endpoints of the account's quotas in use",
            p.cloud,
            p.quotas.services_used,
            p.quotas.services_quota,
            p.quotas.endpoints_used,
            p.quotas.endpoints_quota
        );
    })?;
    say!("\nvpcep has been successfully initialized!");
    Ok(0)
}
