//! The commands that only look — `show`, `state list|show|pull`, `output` — as use cases:
//! the recorded state read without a lock, and for `show` as the cloud reports it now, with
//! what the state records that is gone and the connection requests waiting for a decision.

use super::{Env, Failure, Snapshot, open_clouds, snapshot, store_for};
use crate::config::VarArg;
use crate::model::{Address, RecordedState};
use std::path::PathBuf;

/// The recorded state (empty when there is none), read without locking, and where it is.
pub fn recorded(
    env: &Env,
    vars: &[VarArg],
    state_path: Option<&PathBuf>,
) -> Result<(RecordedState, String), Failure> {
    let snapshot = snapshot(env, vars)?;
    recorded_of(env, &snapshot, state_path)
}

fn recorded_of(
    env: &Env,
    snapshot: &Snapshot,
    state_path: Option<&PathBuf>,
) -> Result<(RecordedState, String), Failure> {
    let mut store = store_for(env, &snapshot.settings, state_path, None)?;
    let state = store.read()?.unwrap_or_default();
    Ok((state, store.describe()))
}

/// A connection request waiting for the owner's decision, and the approval of the
/// configuration that accepts it on the next apply (when one does).
pub struct Waiting {
    pub request: crate::plan::ConnectionRequest,
    pub accepted_by: Option<Address>,
}

/// How the cloud reports the recorded resources now.
pub struct Seen {
    /// The clouds, as messages name them.
    pub cloud: String,
    pub simulated: bool,
    /// Recorded, but no longer in the cloud.
    pub deleted: Vec<Address>,
    pub waiting: Vec<Waiting>,
}

/// What `show` shows.
pub struct Current {
    /// The state as the cloud reports it now (as recorded when it could not be read).
    pub state: RecordedState,
    /// Where the state is.
    pub location: String,
    /// How the cloud reports it; `None` when nothing is recorded.
    pub seen: Option<Seen>,
    /// Why the cloud could not be read (the recorded state is shown instead).
    pub unreadable: Option<String>,
}

/// The recorded resources as the cloud reports them now (statuses and connections change
/// outside vpcep); changes nothing, takes no lock.
pub fn current(
    env: &Env,
    vars: &[VarArg],
    state_path: Option<&PathBuf>,
) -> Result<Current, Failure> {
    let snapshot = snapshot(env, vars)?;
    let (state, location) = recorded_of(env, &snapshot, state_path)?;
    if state.resources.is_empty() {
        return Ok(Current {
            state,
            location,
            seen: None,
            unreadable: None,
        });
    }
    let clouds = open_clouds(env, &snapshot.settings)?;
    let refreshed = match crate::refresh::refresh_all(&clouds, &state) {
        Ok(refreshed) => refreshed,
        Err(e) => {
            return Ok(Current {
                state,
                location,
                seen: None,
                unreadable: Some(format!("cannot read {} ({e})", clouds.describe())),
            });
        }
    };
    let deleted = refreshed
        .drift
        .iter()
        .filter_map(|d| match d {
            crate::plan::Drift::Deleted { address, .. } => Some(address.clone()),
            crate::plan::Drift::Changed { .. } => None,
        })
        .collect();
    // Which approval of the configuration accepts each, when it evaluates.
    let desired = (!refreshed.requests.is_empty())
        .then(|| snapshot.desired(env, &refreshed.state).ok())
        .flatten()
        .map(|(d, _)| d);
    let waiting = refreshed
        .requests
        .into_iter()
        .filter(crate::plan::ConnectionRequest::waits)
        .map(|request| Waiting {
            accepted_by: desired
                .as_ref()
                .and_then(|d| super::configured_approval(&request, d)),
            request,
        })
        .collect();
    Ok(Current {
        state: refreshed.state,
        location,
        seen: Some(Seen {
            cloud: clouds.describe(),
            simulated: clouds.all_simulated(),
            deleted,
            waiting,
        }),
        unreadable: None,
    })
}
