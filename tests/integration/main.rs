//! End-to-end tests: the real `vpcep` binary on real files.

mod cases;
mod examples;
mod harness;
mod mutations;
