//! `vpcep`: VPC endpoint services (OTC / Huawei Cloud VPCEP) managed as code.
//!
//! A configuration directory of HCL files describes endpoint services, consumer endpoints and
//! connection approvals. `vpcep validate` checks it, `plan` shows what would change, `apply`
//! carries it out.
//!
//! Module map:
//! - [`cli`]: command-line arguments, output and exit codes — the only module that prints or
//!   reads the process environment.
//! - [`app`]: the application layer the commands share (read the configuration once, lock the
//!   state, refresh, plan); it never prints: warnings, notes and secrets go to its
//!   `Observer`, and a stop is an `app::Failure` value. Tests call it in-process. The state
//!   commands' edits (`state mv|rm|push`) are its `state_edit` use cases, written through
//!   one gate (`state_edit::commit`); `carry_out` applies a confirmed plan (outputs that
//!   follow the configuration, the resolver that evaluates it again).
//! - [`failure`]: why a command stopped, as a value with a kind (a stable `code` for tools).
//! - [`config`]: HCL files → [`model::DesiredState`] plus diagnostics.
//! - [`model`]: addresses, values (with unknowns), resource schemas, desired and recorded state,
//!   and the facts of the cloud the planner's rules read.
//! - [`diag`]: diagnostics with `file:line:col` and their rendering.
//! - [`state`]: the state's wire format, the local and `PostgreSQL` backends, locking and the
//!   apply journal.
//! - [`cloud`]: the VPCEP operations behind one trait: the simulated cloud, the HTTP client
//!   (`provider "otc"`) with one request budget per identity and project that adapts to the
//!   API gateway's throttling (`cloud::rate`), each provider's identity (`cloud::auth`: the
//!   block, the environment for the default provider, clouds.yaml) signed in by IAM
//!   (`cloud::iam`: tokens, agencies, temporary keys, renewal), and the emulator serving the
//!   simulator over HTTP in the answer shapes the public sources show (`cloud::dialect`),
//!   throttling as the gateway does and serving IAM (`cloud::emulator_iam`) when asked.
//! - [`reads`]: data sources read from the cloud for the configuration (each read once per
//!   command).
//! - [`refactors`]: `moved` and `import` blocks carried out on the refreshed state before
//!   planning (records renamed, imported objects read by ID).
//! - [`fsio`]: capped reads and atomic replacements of files (never through a planted link).
//! - [`refresh`]: reads the cloud into recorded state, drift, the facts rules need, and the
//!   connection requests the owner should see (waiting, or changed since the state).
//! - [`plan`]: desired against recorded state → actions and refusals.
//! - [`derive`](mod@derive): configuration and state to a plan (replacements carried through, facts the
//!   plan needs looked up once), and re-evaluation during apply; shared by `cli` and tests.
//! - [`render`]: plans for people (human), tools (JSON) and pull requests (markdown), and the
//!   apply event stream (text and JSON).
//! - [`planfile`]: saved plans (`plan --out`), checked for staleness by apply.
//! - [`apply`]: carries a plan out, recording every completed step; its `schedule` starts
//!   each step as soon as what it waits for is done (over [`model::graph`]).
//! - [`adopt`]: cloud objects adopted without writing their configuration by hand: the
//!   blocks of `import` targets (`plan --generate-config-out`) and `import --all`.
//! - [`migrate`]: `vpcep migrate`, a Terraform configuration and its state (format 4) moved
//!   to vpcep: the HCL conversion is `config::migrate`'s, the state and `MIGRATION.md` its own.
//! - [`workspace`]: one configuration, one state per workspace (`vpcep.state.d/NAME/`, pg
//!   `STATE_NAME/NAME`), the selection in `.vpcep/environment`.
//! - [`testcloud`]: the simulated cloud `vpcep test` runs a configuration against (every
//!   provider an account of one simulator in the test's own directory); the test files are
//!   read by `config::testfile` and run by `cli`'s `test` command.
//!
//! Invariants (those marked * are checked by `tests/integration/tidy.rs`):
//! - \* `hcl` types never leave `config`; the rest of the crate sees `model` types only.
//! - \* The planner (`plan`), `render` and `model` never see the cloud's API types: what the
//!   rules need of the cloud is converted into `model::facts` at the refresh boundary, and
//!   statuses are enums (`ConnectionStatus::blocks_delete` is the one "accepted or creating").
//! - A command parses its configuration once (`config::parse`, held by the command's snapshot)
//!   and evaluates that parse as often as it needs (settings, plan, replacements, apply). The
//!   parse is vpcep's own compact tree (`config::syntax`; hcl-edit's is dropped piece by
//!   piece), let go while a plan is made and parsed again only if evaluated again.
//! - Loading a configuration reports every problem it finds in one run, in source order, and
//!   never panics on any input.
//! - \* `plan` and `render` do no I/O, read no clock (an event's time is given to it) and are
//!   deterministic: same inputs, byte-identical output. \* `apply` reports events and never calls
//!   `render` (no cycle between the two).
//! - Wire formats stay at the edges: the state file and journal in `state`, saved plans in
//!   `planfile`, the JSON plan in `render::json`, the apply event stream in `render::events`,
//!   the VPCEP API's JSON in `cloud::api`; each is pinned by a golden file
//!   (`testdata/formats`).
//! - `apply` knows the cloud and the state only through their traits.
//! - \* Only `cli` reads environment variables or decides exit codes, and only `cli::output`
//!   writes to the terminal. Errors travel as values (`app::Failure`, with the
//!   diagnostics that led to them) and are printed once, by `cli::failure::report`: as text,
//!   or under `apply --json` as `diagnostic` events. \* Nothing below `cli` uses it.
//! - Recorded state is never lost: whole-file writes are atomic with a backup; during apply
//!   every step is journalled (fsynced, records that arrive together sharing one fsync)
//!   before it starts or anything depends on it.

pub mod adopt;
pub mod app;
pub mod apply;
pub mod cli;
pub mod cloud;
pub mod config;
pub mod derive;
pub mod diag;
pub mod failure;
pub mod fsio;
pub mod migrate;
pub mod model;
pub mod plan;
pub mod planfile;
pub mod reads;
pub mod refactors;
pub mod refresh;
pub mod render;
pub mod state;
pub mod testcloud;
pub mod workspace;
