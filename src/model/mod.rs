//! The core data model: addresses, values (with unknowns), resource schemas and desired state.
//!
//! Nothing here does I/O or knows about HCL; `config` produces these types and `plan`,
//! `render` and `apply` consume them.

pub mod address;
pub mod data;
pub mod desired;
pub mod facts;
pub mod graph;
pub mod map;
pub mod refactor;
pub mod schema;
pub mod state;
pub mod value;

pub use address::{Address, ResourceId, ResourceType};
pub use desired::{
    BackendConfig, CheckResult, CheckStatus, CloudProfile, DesiredState, OtcConfig, OutputValue,
    ProviderConfig, RefTarget, ResourceInstance, Settings, SignIn, SimConfig, Timeouts,
    endpoint_parts,
};
pub use map::Map;

/// The workspace a configuration runs in when none is selected.
pub const DEFAULT_WORKSPACE: &str = "default";
pub use state::{PendingCreate, RecordedOutput, RecordedResource, RecordedState, StateChange};
pub use value::{Number, Value};

/// A secret string (a password, a secret key, a token): usable, but never shown.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}
