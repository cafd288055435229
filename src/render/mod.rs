//! Renderings of plans and state for people and tools. Each renderer writes to a `String`;
//! none does I/O.

pub mod events;
pub mod graph;
pub mod human;
pub mod json;
pub mod markdown;
pub mod state;
pub mod style;
pub mod validation;
