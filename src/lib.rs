//! `vpcep`: VPC endpoint services (OTC / Huawei Cloud VPCEP) managed as code.
//!
//! A configuration directory of HCL files describes endpoint services, consumer endpoints and
//! connection approvals. `vpcep validate` checks it; later commands plan and apply it.
//!
//! Module map:
//! - [`cli`]: command-line arguments, output and exit codes — the only module that prints or
//!   reads the process environment.
//! - [`config`]: HCL files → [`model::DesiredState`] plus diagnostics.
//! - [`model`]: addresses, values (with unknowns), resource schemas, desired state.
//! - [`diag`]: diagnostics with `file:line:col` and their rendering.
//!
//! Invariants:
//! - `hcl` types never leave `config`; the rest of the crate sees `model` types only.
//! - Loading a configuration reports every problem it finds in one run, in source order, and
//!   never panics on any input.
//! - Only `cli` prints, reads environment variables or decides exit codes.
//! - Output is deterministic: maps that reach output are `IndexMap`s in source or sorted order.

pub mod apply;
pub mod cli;
pub mod cloud;
pub mod config;
pub mod diag;
pub mod model;
pub mod plan;
pub mod refresh;
pub mod render;
pub mod state;
