//! A state store that logs what it does (debug level): each read with its serial, resource
//! and journal counts, each whole-state write, each journal batch, with how long it took.
//! Every store an application opens is wrapped in it; with the log off it costs a check.

use super::{StateError, StateStore, Stored};
use crate::model::{RecordedState, StateChange};
use std::time::Instant;

pub struct Logged(pub Box<dyn StateStore>);

impl StateStore for Logged {
    fn describe(&self) -> String {
        self.0.describe()
    }

    fn load(&mut self) -> Result<Option<Stored>, StateError> {
        let started = Instant::now();
        let loaded = self.0.load();
        match &loaded {
            Ok(Some(stored)) => tracing::debug!(
                state = %self.0.describe(),
                serial = stored.state.serial,
                resources = stored.state.resources.len(),
                journal = stored.journal.len(),
                took = ?started.elapsed(),
                "state read"
            ),
            Ok(None) => {
                tracing::debug!(state = %self.0.describe(), took = ?started.elapsed(), "no state yet");
            }
            Err(e) => tracing::debug!(state = %self.0.describe(), error = %e, "state read failed"),
        }
        loaded
    }

    fn is_locked(&self) -> bool {
        self.0.is_locked()
    }

    fn record(&mut self, change: &StateChange) -> Result<(), StateError> {
        self.record_all(std::slice::from_ref(change))
    }

    fn record_all(&mut self, changes: &[StateChange]) -> Result<(), StateError> {
        let started = Instant::now();
        let recorded = self.0.record_all(changes);
        tracing::debug!(
            changes = changes.len(),
            ok = recorded.is_ok(),
            took = ?started.elapsed(),
            "journal recorded"
        );
        recorded
    }

    fn write(&mut self, state: &RecordedState) -> Result<(), StateError> {
        let started = Instant::now();
        let written = self.0.write(state);
        log_write(&*self.0, state, &written, started, false);
        written
    }

    fn write_forced(&mut self, state: &RecordedState) -> Result<(), StateError> {
        let started = Instant::now();
        let written = self.0.write_forced(state);
        log_write(&*self.0, state, &written, started, true);
        written
    }

    fn notes(&self) -> Vec<String> {
        self.0.notes()
    }
}

fn log_write(
    store: &dyn StateStore,
    state: &RecordedState,
    written: &Result<(), StateError>,
    started: Instant,
    forced: bool,
) {
    match written {
        Ok(()) => tracing::debug!(
            state = %store.describe(),
            serial = state.serial,
            resources = state.resources.len(),
            forced,
            took = ?started.elapsed(),
            "state written"
        ),
        Err(e) => tracing::debug!(state = %store.describe(), error = %e, "state write failed"),
    }
}
