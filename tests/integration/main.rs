//! End-to-end tests: the real `vpcep` binary on real files.

mod api_fixtures;
mod app;
mod cases;
mod crash;
mod crash_matrix;
mod dialects;
mod emulator;
mod examples;
mod faults;
mod formats;
mod hardening;
mod harness;
mod http;
mod json_errors;
mod lifecycle;
mod model;
mod no_hidden_harm;
mod pg;
mod plan_cases;
mod proxy;
mod review;
mod saved_plans;
mod sensitive;
mod spelling;
mod tidy;
mod workflow;
