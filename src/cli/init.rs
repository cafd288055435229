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
    let mut store = session::store_for(&globals.env, &snapshot.settings, None, None)?;
    match store.read()? {
        Some(state) => say!(
            "  {}: reachable; state serial {}, {} resource{}",
            store.describe(),
            state.serial,
            state.resources.len(),
            if state.resources.len() == 1 { "" } else { "s" }
        ),
        None => say!(
            "  {}: reachable; no state yet (the first apply writes it)",
            store.describe()
        ),
    }
    say!("Initializing the provider...");
    let clouds = session::open_clouds(&globals.env, &snapshot.settings)?;
    for (key, cloud) in crate::cloud::Providers::each(&clouds) {
        let name = key.map_or_else(String::new, |k| format!("{k}: "));
        let quotas = cloud.quotas().map_err(|e| {
            crate::failure::cloud(&format!("{name}{} cannot be reached", cloud.describe()), &e)
        })?;
        say!(
            "  {name}{}: reachable; {} of {} services and {} of {} endpoints of the account's quotas in use",
            cloud.describe(),
            quotas.services_used,
            quotas.services_quota,
            quotas.endpoints_used,
            quotas.endpoints_quota
        );
    }
    say!("\nvpcep has been successfully initialized!");
    Ok(0)
}
