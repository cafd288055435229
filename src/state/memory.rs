//! State held in memory: for tests and benchmarks that exercise planning and apply without a
//! disk (it keeps no journal: `record` is a no-op, `write` keeps the whole state).

use super::{StateError, StateStore, Stored};
use crate::model::{RecordedState, StateChange};

#[derive(Debug, Default, Clone)]
pub struct MemoryState {
    pub state: Option<RecordedState>,
}

impl StateStore for MemoryState {
    fn describe(&self) -> String {
        "memory".into()
    }

    fn load(&mut self) -> Result<Option<Stored>, StateError> {
        Ok(self.state.clone().map(|state| Stored {
            state,
            journal: Vec::new(),
        }))
    }

    fn is_locked(&self) -> bool {
        true
    }

    fn record(&mut self, _change: &StateChange) -> Result<(), StateError> {
        Ok(())
    }

    fn write(&mut self, state: &RecordedState) -> Result<(), StateError> {
        self.state = Some(state.clone());
        Ok(())
    }
}
