//! End-to-end tests: the real `vpcep` binary on real files.

// A scenario test reads top to bottom as the session it plays; the 120-line limit is for src/.
#![allow(clippy::too_many_lines)]

mod about;
mod adopt;
mod aliases;
mod api_fixtures;
mod app;
mod cases;
mod cli_fuzz;
mod crash;
mod crash_matrix;
mod data_sources;
mod dialects;
mod emulator;
mod examples;
mod faults;
mod fmt;
mod formats;
mod gateway;
mod graph;
mod growing;
mod hardening;
mod harness;
mod http;
mod inbox;
mod init;
mod json_errors;
mod language;
mod lifecycle;
mod log;
mod markdown;
mod migrate;
mod model;
mod model_dialect;
mod modules;
mod no_hidden_harm;
mod pg;
mod plan_applies;
mod plan_cases;
mod proxy;
mod review;
mod saved_plans;
mod sensitive;
mod signin;
mod spelling;
mod testing;
mod throttle;
mod tidy;
mod transcripts;
mod workflow;
