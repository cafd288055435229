//! Recorded state storage: the wire format, the local file backend, locking and the apply
//! journal that keeps per-action durability linear.
//!
//! Durability model: a command that changes state holds the lock for its whole run. During
//! apply every completed action (and every create's intent, before the cloud call) is appended
//! to a journal beside the state and fsynced; at the end the journal is compacted into the
//! state file (written atomically, previous version kept as `.backup`). A crash leaves the
//! state file plus a journal, which the next command replays.

pub mod local;
pub mod lock;
pub mod logged;
pub mod memory;
pub mod pg;
pub mod pg_tls;
pub mod wire;

use crate::model::{RecordedState, StateChange};
use std::fmt;

/// A state as stored, and the changes an interrupted apply journalled after it.
#[derive(Debug)]
pub struct Stored {
    pub state: RecordedState,
    pub journal: Vec<StateChange>,
}

/// A state storage failure: what kind, for callers to branch on, and a message that says
/// what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateError {
    pub kind: StateErrorKind,
    pub message: String,
}

/// What went wrong with the state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StateErrorKind {
    /// Another command holds the lock (or, for `force-unlock`, not the lock named).
    Locked,
    /// The stored state is not the one this command may overwrite: another lineage, a newer
    /// serial.
    Conflict,
    /// The state or its journal cannot be read as written: a damaged file or row.
    Damaged,
    /// Made by a newer vpcep, or asked in a way this vpcep does not support.
    Unsupported,
    /// The file system or the database could not be reached or written.
    Unavailable,
    /// A broken promise inside vpcep.
    Internal,
}

impl StateError {
    pub fn new(kind: StateErrorKind, message: impl Into<String>) -> Self {
        StateError {
            kind,
            message: message.into(),
        }
    }
}

impl fmt::Display for StateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for StateError {}

/// Where recorded state lives, opened (and locked, if asked) for one command.
pub trait StateStore: Send {
    /// A short description for messages, e.g. `vpcep.state.json`.
    fn describe(&self) -> String;
    /// The state as stored and its journal; `None` when no state has been written yet.
    fn load(&mut self) -> Result<Option<Stored>, StateError>;
    /// Whether this store holds the state's lock (only a locked store writes).
    fn is_locked(&self) -> bool;
    /// The current state, with any journal of an interrupted apply replayed.
    ///
    /// A replayed journal makes a new version of the state, so it gets the next serial: a
    /// saved plan made before the interrupted apply is then stale. A locked store also
    /// compacts it at once (writes the state and drops the journal), so every later reader
    /// sees the same version.
    fn read(&mut self) -> Result<Option<RecordedState>, StateError> {
        let Some(Stored { mut state, journal }) = self.load()? else {
            return Ok(None);
        };
        if journal.is_empty() {
            return Ok(Some(state));
        }
        for change in journal {
            state.apply(change);
        }
        state
            .next_serial()
            .map_err(|e| StateError::new(StateErrorKind::Unsupported, e))?;
        state.sort();
        if self.is_locked() {
            self.write(&state)?;
        }
        Ok(Some(state))
    }
    /// Records one change durably (before returning) without rewriting the whole state.
    fn record(&mut self, change: &StateChange) -> Result<(), StateError>;
    /// Records several changes durably, in order, before returning (group commit: a store
    /// may make them durable at once). All or a prefix are recorded when it fails.
    fn record_all(&mut self, changes: &[StateChange]) -> Result<(), StateError> {
        changes.iter().try_for_each(|c| self.record(c))
    }
    /// Replaces the whole state atomically, keeping the previous version as a backup, and
    /// discards the journal.
    fn write(&mut self, state: &RecordedState) -> Result<(), StateError>;
    /// Replaces the whole state even if it is of another lineage or older (`state push
    /// --force`).
    fn write_forced(&mut self, state: &RecordedState) -> Result<(), StateError> {
        self.write(state)
    }
    /// Notes produced while reading (e.g. a journal replayed after a crash).
    fn notes(&self) -> Vec<String> {
        Vec::new()
    }
}
