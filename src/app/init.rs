//! `vpcep init` as use cases: the backend reached (and made ready: the pg backend's schema),
//! then each provider's cloud reached, with the quotas its account has in use.

use super::{Env, Failure, Snapshot, open_clouds, store_for};
use crate::cloud::Quotas;

/// The backend, reached.
pub struct Backend {
    /// Where the state is.
    pub location: String,
    /// The stored state's serial and how many resources it records; `None`: no state yet.
    pub state: Option<(u64, usize)>,
}

/// Opens the backend of `snapshot` (making what it needs) and reads its state.
pub fn backend(env: &Env, snapshot: &Snapshot) -> Result<Backend, Failure> {
    let mut store = store_for(env, &snapshot.settings, None, None)?;
    let state = store.read()?.map(|s| (s.serial, s.resources.len()));
    Ok(Backend {
        location: store.describe(),
        state,
    })
}

/// A provider's cloud, reached.
pub struct Provider {
    /// The provider's alias (`None`: the default provider).
    pub alias: Option<String>,
    /// The cloud, as messages name it.
    pub cloud: String,
    pub quotas: Quotas,
}

/// Signs every provider in and reads its account's quotas, telling `reached` of each as it
/// is reached (a later one may still fail).
pub fn providers(
    env: &Env,
    snapshot: &Snapshot,
    reached: &mut dyn FnMut(Provider),
) -> Result<(), Failure> {
    let clouds = open_clouds(env, &snapshot.settings)?;
    for (alias, cloud) in crate::cloud::Providers::each(&clouds) {
        let name = alias.map_or_else(String::new, |k| format!("{k}: "));
        let quotas = cloud.quotas().map_err(|e| {
            crate::failure::cloud(&format!("{name}{} cannot be reached", cloud.describe()), &e)
        })?;
        reached(Provider {
            alias: alias.map(str::to_owned),
            cloud: cloud.describe(),
            quotas,
        });
    }
    Ok(())
}
