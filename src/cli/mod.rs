//! The command line: parses arguments with clap, runs the command, prints, and picks the exit
//! code. This is the only module that prints or reads the process environment.

mod about;
mod apply;
mod emulator;
mod failure;
mod fmt;
mod graph;
mod import;
mod init;
mod log;
mod migrate;
mod output;
mod plan;
mod show;
mod spelling;
mod state_cmd;
mod test;
mod validate;
mod workspace;

use crate::config::VarArg;
use crate::diag::{self, Diagnostic};
use crate::model::Address;
use clap::{ArgAction, Args, Parser, Subcommand};
use output::{complain, complain_raw};
use std::io::IsTerminal as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

#[derive(Debug, Parser)]
#[command(name = "vpcep", version, about = "Manage VPC endpoint services as code", long_about = None)]
struct Cli {
    /// Run in DIR (the configuration directory): relative paths of every argument are inside it
    #[arg(short = 'C', long = "chdir", global = true, value_name = "DIR")]
    chdir: Option<PathBuf>,
    /// Never colour the output (`NO_COLOR` is respected too)
    #[arg(long, global = true)]
    no_color: bool,
    /// Append the debug log to FILE (at `VPCEP_LOG`'s level, else debug): API requests,
    /// lock and state operations, plan timings; never credentials
    #[arg(long, global = true, value_name = "FILE", env = "VPCEP_LOG_PATH")]
    log_file: Option<PathBuf>,
    /// At most N API requests per second per account (overrides the provider's `max_rps`);
    /// without it, vpcep finds the gateway's limit by itself
    #[arg(long, global = true, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    max_rps: Option<u32>,
    /// How long a request the API gateway keeps throttling is sent again before the run
    /// gives up on it
    #[arg(long, global = true, value_name = "DURATION", default_value = "15m", value_parser = parse_duration)]
    throttle_timeout: Duration,
    /// (`vpcep test` runs its commands so:) every provider is an account of the simulated
    /// cloud in DIR, with the overrides of DIR/providers.json
    #[arg(long, global = true, value_name = "DIR", hide = true)]
    test_cloud: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check that the backend and the provider can be reached, making what the backend needs
    /// (the schema of the pg backend); safe to run again
    Init(VarFlags),
    /// Check the configuration; warnings do not fail
    Validate(ValidateArgs),
    /// Rewrite configuration files in the canonical layout (`--check` for CI)
    Fmt(fmt::FmtArgs),
    /// Show what apply would change
    Plan(PlanArgs),
    /// Draw the configuration's dependencies, or a saved plan's changes (DOT or mermaid)
    Graph(graph::GraphArgs),
    /// Plan, confirm and carry out the changes
    Apply(ApplyArgs),
    /// Plan, confirm and delete everything this configuration manages
    Destroy(ApplyArgs),
    /// Show the recorded resources (status, backend, port mappings, whitelist, tags,
    /// connections), or a saved plan
    Show(ShowArgs),
    /// Inspect or edit the recorded state
    #[command(subcommand)]
    State(StateCommand),
    /// Record what changed outside vpcep, changing nothing in the cloud (`apply
    /// --refresh-only --auto-approve`)
    Refresh(RefreshArgs),
    /// Print output values
    Output(OutputArgs),
    /// Clear a lock that is really stale
    ForceUnlock(UnlockArgs),
    /// Adopt an existing cloud resource into the recorded state
    Import(ImportArgs),
    /// Move a Terraform configuration of VPCEP resources and its state to vpcep, changing
    /// nothing in the cloud or in the Terraform directory
    Migrate(migrate::MigrateArgs),
    /// One configuration, several states: list, show, new, select or delete workspaces
    #[command(subcommand)]
    Workspace(workspace::WorkspaceCommand),
    /// Serve the simulated cloud over the real VPCEP REST API (for tests and demos)
    Emulator(emulator::EmulatorArgs),
    /// Run the configuration's test files (`*.tftest.hcl`) against the simulated cloud
    Test(test::TestArgs),
    /// Print vpcep's version and platform (and the versions of the formats it writes)
    Version {
        /// Print as JSON
        #[arg(long)]
        json: bool,
    },
    /// Print a shell completion script, e.g. `vpcep completions bash > /etc/bash_completion.d/vpcep`
    Completions {
        /// The shell to complete in
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff), e.g. `vpcep man > vpcep.1`
    Man,
}

#[derive(Debug, Args, Clone)]
pub(crate) struct ImportArgs {
    /// The resource address in the configuration, e.g. `vpcep_service.api`
    #[arg(value_parser = parse_address, required_unless_present = "all")]
    address: Option<Address>,
    /// The cloud ID (for an approval: the ID of its service)
    #[arg(required_unless_present = "all")]
    id: Option<String>,
    /// Find every service, endpoint and approval of the account that no state records, and
    /// write their configuration with an `import` block each (the next apply imports them)
    #[arg(long, conflicts_with_all = ["address", "id"])]
    all: bool,
    /// With `--all`: the account of the provider with this alias (default: the default
    /// provider's)
    #[arg(long, value_name = "ALIAS", requires = "all")]
    provider: Option<String>,
    /// With `--all`: the new file to write, in the configuration directory
    #[arg(
        long,
        value_name = "FILE",
        requires = "all",
        default_value = "imported.hcl"
    )]
    out: PathBuf,
    #[command(flatten)]
    common: StateArgs,
}

#[derive(Debug, Args, Clone)]
pub(crate) struct ValidateArgs {
    /// Print the diagnostics as JSON (Terraform's `validate -json` shape) on standard output
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    vars: VarFlags,
}

/// Input variable flags, shared by every command that loads the configuration.
#[derive(Debug, Args, Clone, Default)]
pub(crate) struct VarFlags {
    /// Set an input variable: NAME=VALUE (repeatable)
    #[arg(long = "var", value_name = "NAME=VALUE")]
    vars: Vec<String>,
    /// Read input variables from an HCL file of NAME = VALUE lines (repeatable)
    #[arg(long = "var-file", value_name = "FILE")]
    var_files: Vec<PathBuf>,
}

fn parse_duration(s: &str) -> Result<Duration, String> {
    humantime::parse_duration(s)
        .map_err(|e| format!("`{s}` is not a duration such as 30s or 5m ({e})"))
}

fn parse_address(s: &str) -> Result<Address, String> {
    s.parse::<Address>().map_err(|e| e.to_string())
}

/// A resource address, or a module call or instance (`module.svc`, `module.svc["a"]`).
fn parse_target(s: &str) -> Result<crate::model::refactor::Target, String> {
    s.parse::<crate::model::refactor::Target>().map_err(|_| {
        format!(
            "`{s}` is not an address; expected TYPE.NAME, TYPE.NAME[\"KEY\"], module.NAME or module.NAME[\"KEY\"] (e.g. vpcep_service.api, module.svc[\"orders\"])"
        )
    })
}

#[derive(Debug, Args, Clone)]
pub(crate) struct StateArgs {
    /// Use this state file instead of the backend's
    #[arg(long, value_name = "PATH")]
    state: Option<PathBuf>,
    /// How long to wait for a lock held by another command
    #[arg(long, value_name = "DURATION", default_value = "0s", value_parser = parse_duration)]
    lock_timeout: Duration,
    #[command(flatten)]
    vars: VarFlags,
}

/// How a plan is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub(crate) enum Format {
    /// Terraform-like text for people
    #[default]
    Human,
    /// Terraform's JSON plan representation (one line) for tools
    Json,
    /// A pull-request comment
    Markdown,
}

#[derive(Debug, Args, Clone)]
pub(crate) struct PlanArgs {
    /// Save the plan to FILE, to apply exactly it later with `vpcep apply FILE`
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Write the resource blocks of `import` blocks whose target has none yet to FILE (a new
    /// `.hcl` file in the configuration directory), read from the cloud; then plan with them
    #[arg(long, value_name = "FILE", require_equals = false)]
    generate_config_out: Option<PathBuf>,
    /// With `--format markdown`: write each pull-request comment to DIR/comment-N.md (a plan
    /// longer than GitHub's 65,536-character limit needs several)
    #[arg(long, value_name = "DIR")]
    out_dir: Option<PathBuf>,
    /// How to print the plan
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Exit 0 with no changes, 2 with changes, 1 on error
    #[arg(long)]
    detailed_exitcode: bool,
    /// Read the cloud before planning (--refresh=false plans from recorded state)
    #[arg(long, default_value_t = true, action = ArgAction::Set, num_args = 0..=1, default_missing_value = "true", require_equals = true, value_name = "BOOL")]
    refresh: bool,
    /// Plan only what changed outside vpcep; `apply --refresh-only` records it in the state
    /// and changes nothing in the cloud
    #[arg(long)]
    refresh_only: bool,
    /// Let refresh remove from the state objects it cannot find even when that is every
    /// object (or most) of a provider — the signature of a wrong account, which is refused
    #[arg(long)]
    forget_missing: bool,
    /// Plan to delete and create ADDR again (repeatable; a module call or instance, e.g.
    /// `module.svc["orders"]`, replaces every resource in it)
    #[arg(long, value_name = "ADDR", value_parser = parse_target)]
    replace: Vec<crate::model::refactor::Target>,
    /// Limit the plan to ADDR and what it depends on (repeatable; also `module.NAME` or
    /// `module.NAME[KEY]`)
    #[arg(long, value_name = "ADDR", value_parser = parse_target)]
    target: Vec<crate::model::refactor::Target>,
    /// Plan to delete everything this configuration manages
    #[arg(long)]
    destroy: bool,
    /// Let ADDR's change cut other accounts' live connections although the configuration does
    /// not say so (repeatable); every disconnection is listed in the plan
    #[arg(long, value_name = "ADDR", value_parser = parse_address)]
    allow_disconnect: Vec<Address>,
    #[command(flatten)]
    common: StateArgs,
}

#[derive(Debug, Args, Clone)]
pub(crate) struct ApplyArgs {
    /// A plan saved with `plan --out`: apply exactly it (refused if the state changed since)
    #[arg(value_name = "PLANFILE")]
    plan_file: Option<PathBuf>,
    /// Apply without asking for confirmation (needed when not on a terminal)
    #[arg(long)]
    auto_approve: bool,
    /// Print one JSON event per line instead of text
    #[arg(long)]
    json: bool,
    /// How many actions may run at once
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u16).range(1..=256))]
    parallelism: u16,
    #[command(flatten)]
    plan: PlanArgs,
}

#[derive(Debug, Args, Clone)]
pub(crate) struct ShowArgs {
    /// A plan saved with `plan --out`
    #[arg(value_name = "PLANFILE")]
    plan_file: Option<PathBuf>,
    /// How to print it
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// With `--format markdown`: write each pull-request comment to DIR/comment-N.md
    #[arg(long, value_name = "DIR", requires = "plan_file")]
    out_dir: Option<PathBuf>,
    #[command(flatten)]
    common: StateArgs,
}

#[derive(Debug, Subcommand)]
enum StateCommand {
    /// List the recorded resources (only those an ADDR names, when given: a resource or a
    /// module, e.g. `module.svc`)
    List {
        #[arg(value_parser = parse_target, value_name = "ADDR")]
        filters: Vec<crate::model::refactor::Target>,
        #[command(flatten)]
        common: StateArgs,
    },
    /// Show every recorded attribute of one resource
    Show {
        #[arg(value_parser = parse_address)]
        address: Address,
        #[command(flatten)]
        common: StateArgs,
    },
    /// Print the current state (as stored, JSON)
    Pull(StateArgs),
    /// Replace the stored state by FILE (refused for another lineage or an older serial)
    Push {
        /// A state file, e.g. a local `vpcep.state.json` to move into `PostgreSQL`
        file: PathBuf,
        /// Push even over another lineage or a newer serial
        #[arg(long)]
        force: bool,
        #[command(flatten)]
        common: StateArgs,
    },
    /// Give a recorded resource (or one instance) another address, touching nothing in the
    /// cloud: after renaming it in the configuration, the next plan has nothing to do
    Mv {
        /// The recorded address, e.g. `vpcep_service.api`, `vpcep_service.fleet["a"]`, or a
        /// module instance (`module.svc["a"]`: every resource in it)
        #[arg(value_parser = parse_target)]
        source: crate::model::refactor::Target,
        /// The new address, of the same type (for a module, a module address)
        #[arg(value_parser = parse_target)]
        destination: crate::model::refactor::Target,
        #[command(flatten)]
        common: StateArgs,
    },
    /// Forget resources without deleting them in the cloud
    Rm {
        /// Resources, instances or module instances (`module.svc["a"]`) to forget
        #[arg(required = true, value_parser = parse_target)]
        addresses: Vec<crate::model::refactor::Target>,
        #[command(flatten)]
        common: StateArgs,
    },
}

#[derive(Debug, Args, Clone)]
pub(crate) struct RefreshArgs {
    /// Remove from the state objects refresh cannot find even when that is every object (or
    /// most) of a provider — the signature of a wrong account, which is refused
    #[arg(long)]
    forget_missing: bool,
    #[command(flatten)]
    common: StateArgs,
}

#[derive(Debug, Args, Clone)]
pub(crate) struct OutputArgs {
    /// Print only this output
    name: Option<String>,
    /// Print as JSON
    #[arg(long)]
    json: bool,
    /// Print NAME's string, number or bool as it is, without quotes or a newline (for scripts)
    #[arg(long, requires = "name", conflicts_with = "json")]
    raw: bool,
    #[command(flatten)]
    common: StateArgs,
}

#[derive(Debug, Args, Clone)]
pub(crate) struct UnlockArgs {
    /// The ID of the lock, as the lock error shows it
    lock_id: String,
    #[command(flatten)]
    common: StateArgs,
}

/// What every command needs from the global flags and the environment.
pub(crate) struct Globals {
    /// What the application layer runs with (directory, variables, credentials, and this
    /// terminal as its observer).
    pub env: crate::app::Env,
    /// Colour on standard error.
    pub color_err: bool,
    /// Colour on standard output.
    pub color_out: bool,
    /// Whether a person can answer a prompt.
    pub interactive: bool,
    /// Whether to draw a progress bar (both outputs are a terminal).
    pub progress: bool,
    /// The workspace comes from `VPCEP_WORKSPACE`, not from the selection.
    pub workspace_from_env: bool,
    /// The command writes JSON events (`apply --json`): diagnostics and failures too.
    pub json: bool,
}

/// The terminal as the application layer's observer: warnings are printed (as text, or as
/// `diagnostic` events under `--json`), notes as `note:` lines, secrets remembered for
/// redaction.
struct Terminal {
    color_err: bool,
    json: bool,
}

impl crate::app::Observer for Terminal {
    fn diagnostics(&self, diagnostics: &[Diagnostic]) {
        show_diagnostics(self.json, self.color_err, diagnostics);
    }

    fn note(&self, text: &str) {
        complain!("note: {text}");
    }

    fn secrets(&self, secrets: &[String]) {
        output::remember_secrets(secrets);
    }
}

/// An environment variable as text: `Ok(None)` when it is unset or empty, an error naming it
/// when it is not valid UTF-8.
fn env_text(name: &str) -> Result<Option<String>, String> {
    match std::env::var(name) {
        Ok(v) if v.is_empty() => Ok(None),
        Ok(v) => Ok(Some(v)),
        Err(std::env::VarError::NotPresent) => Ok(None),
        Err(std::env::VarError::NotUnicode(_)) => Err(format!(
            "the environment variable {name} is not valid UTF-8; set it to UTF-8 text or unset it"
        )),
    }
}

impl Globals {
    /// Before the environment is read: enough to report why it could not be.
    fn minimal(json: bool) -> Self {
        Globals {
            env: crate::app::Env {
                dir: PathBuf::from("."),
                chdir: None,
                env_vars: Vec::new(),
                auth_env: crate::cloud::auth::AuthEnv::default(),
                pg_conn_str: None,
                rate: crate::cloud::rate::RateSettings::default(),
                test_cloud: None,
                workspace: crate::model::DEFAULT_WORKSPACE.to_owned(),
                observer: Box::new(crate::app::Quiet),
            },
            color_err: false,
            color_out: false,
            interactive: false,
            progress: false,
            workspace_from_env: false,
            json,
        }
    }

    /// The configuration directory as the user named it (`-C DIR`, else `.`), for messages.
    pub(crate) fn shown_dir(&self) -> PathBuf {
        self.env.shown_dir()
    }

    /// How to load the configuration of the directory with `vars` (for commands that only
    /// evaluate it: validate, graph).
    pub(crate) fn load_options(&self, vars: &[VarArg]) -> crate::config::LoadOptions {
        crate::config::LoadOptions {
            dir: self.env.dir.clone(),
            shown_dir: Some(self.shown_dir()),
            vars: vars.to_vec(),
            env: self.env.env_vars.clone(),
            ..crate::config::LoadOptions::default()
        }
    }
}

/// The variables sign-in reads (`OS_*`, and `HOME` for `~/.config/openstack`); one that is
/// not valid UTF-8 is an error naming it.
fn auth_env_from_process() -> Result<crate::cloud::auth::AuthEnv, String> {
    let mut vars = Vec::new();
    for name in crate::cloud::auth::AuthEnv::names() {
        if let Some(value) = env_text(name)? {
            vars.push((name.to_owned(), value));
        }
    }
    Ok(crate::cloud::auth::AuthEnv::from_vars(vars))
}

/// The `VPCEP_VAR_*` variables; one that is not valid UTF-8 is an error naming it. The names
/// of Terraform's `TF_VAR_*` come along (values left out), so loading can say they are not
/// read. Other variables are not vpcep's business, whatever their bytes.
fn vpcep_vars_from_env() -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    for (name, value) in std::env::vars_os() {
        let shown = name.to_string_lossy();
        if shown.starts_with(crate::config::TF_ENV_PREFIX) {
            if let Some(n) = name.to_str() {
                out.push((n.to_owned(), String::new()));
            }
            continue;
        }
        if !shown.starts_with(crate::config::ENV_PREFIX) {
            continue;
        }
        match (name.to_str(), value.into_string()) {
            (Some(n), Ok(v)) => out.push((n.to_owned(), v)),
            _ => {
                return Err(format!(
                    "the environment variable {shown} is not valid UTF-8; set it to UTF-8 text or unset it"
                ));
            }
        }
    }
    out.sort();
    Ok(out)
}

impl VarFlags {
    /// `--var` and `--var-file` in the order they were given on the command line.
    fn in_order(&self, raw_args: &[String]) -> Vec<VarArg> {
        let mut vars = self.vars.iter();
        let mut files = self.var_files.iter();
        let mut out = Vec::new();
        for arg in raw_args {
            if arg == "--var" || arg.starts_with("--var=") {
                if let Some(v) = vars.next() {
                    out.push(VarArg::Assign(v.clone()));
                }
            } else if (arg == "--var-file" || arg.starts_with("--var-file="))
                && let Some(f) = files.next()
            {
                out.push(VarArg::File(f.clone()));
            }
        }
        out.extend(vars.map(|v| VarArg::Assign(v.clone())));
        out.extend(files.map(|f| VarArg::File(f.clone())));
        out
    }
}

/// Prints diagnostics to standard error, each followed by a blank line; under `--json`, as
/// `diagnostic` events on standard output.
pub(crate) fn print_diagnostics(globals: &Globals, diagnostics: &[Diagnostic]) {
    show_diagnostics(globals.json, globals.color_err, diagnostics);
}

/// How many alike problems of one place are shown in full on the terminal: `count` and
/// `for_each` repeat a block's problem once per instance (the JSON events keep every one).
const SHOWN_PER_PLACE: usize = 3;

/// A problem's message with every `[...]` emptied: the same problem of another instance
/// (`vpcep_service.s[7]`) reads the same.
fn without_keys(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut depth = 0usize;
    for c in message.chars() {
        match c {
            '[' => {
                depth += 1;
                if depth == 1 {
                    out.push(c);
                }
            }
            ']' if depth > 0 => {
                depth -= 1;
                if depth == 0 {
                    out.push(c);
                }
            }
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

fn show_diagnostics(json: bool, color: bool, diagnostics: &[Diagnostic]) {
    let mut seen: indexmap::IndexMap<(&str, usize, usize, String), usize> =
        indexmap::IndexMap::new();
    for d in diagnostics {
        if json {
            output::say!(
                "{}",
                crate::render::events::config_diagnostic(d, &output::now())
            );
            continue;
        }
        if let Some(at) = &d.location {
            let n = seen
                .entry((
                    at.file.as_str(),
                    at.line,
                    at.column,
                    without_keys(&d.message),
                ))
                .or_default();
            *n += 1;
            if *n > SHOWN_PER_PLACE {
                continue;
            }
        }
        complain_raw!("{}", diag::render(d, color));
        complain!();
    }
    for ((file, line, column, _), n) in seen {
        if n > SHOWN_PER_PLACE {
            complain!(
                "... and {} more like these at {file}:{line}:{column}, one for each instance (`--json` lists every one)",
                n - SHOWN_PER_PLACE
            );
            complain!();
        }
    }
}

/// Runs the command line and returns the process exit code.
pub fn run() -> ExitCode {
    let os_args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    // Terraform's spellings (`-out=p.plan`, `-auto-approve`) read as vpcep's.
    let os_args = match spelling::normalize(&os_args, &<Cli as clap::CommandFactory>::command()) {
        Ok(args) => args,
        Err(e) => {
            let globals = Globals::minimal(false);
            return ExitCode::from(failure::report(&globals, &failure::fail(e)));
        }
    };
    // The order of `--var` and `--var-file` needs the raw arguments; clap itself refuses
    // arguments that are not valid UTF-8 where it needs text.
    let raw_args: Vec<String> = os_args
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let cli = match Cli::try_parse_from(&os_args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                    ExitCode::SUCCESS
                }
                _ => ExitCode::from(1),
            };
        }
    };
    let user = std::env::var("USER")
        .or_else(|_| std::env::var("LOGNAME"))
        .unwrap_or_else(|_| "unknown".to_owned());
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map_or_else(|_| "localhost".to_owned(), |h| h.trim().to_owned());
    crate::state::lock::set_holder(format!("{user}@{host}"));
    let no_color = cli.no_color || std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let from_env = (|| -> Result<_, String> {
        Ok((
            vpcep_vars_from_env()?,
            auth_env_from_process()?,
            env_text("VPCEP_PG_CONN_STR")?,
        ))
    })();
    let json = matches!(&cli.command, Command::Apply(a) | Command::Destroy(a) if a.json);
    let early = |message: String| {
        let globals = Globals::minimal(json);
        ExitCode::from(failure::report(&globals, &failure::fail(message)))
    };
    let (env_vars, auth_env, pg_conn_str) = match from_env {
        Ok(x) => x,
        Err(e) => return early(e),
    };
    // Like `terraform -chdir`: every relative path argument means a path inside DIR.
    if let Some(dir) = &cli.chdir
        && let Err(e) = std::env::set_current_dir(dir)
    {
        return early(format!("cannot run in `{}` (-C): {e}", dir.display()));
    }
    let color_err = !no_color && std::io::stderr().is_terminal();
    let log_level = match env_text("VPCEP_LOG") {
        Ok(level) => level,
        Err(e) => return early(e),
    };
    if let Err(e) = log::init(log_level.as_deref(), cli.log_file.as_deref(), color_err) {
        return early(e);
    }
    // The workspace: `VPCEP_WORKSPACE` for this run, else the one selected in the directory.
    let from_env = match env_text("VPCEP_WORKSPACE") {
        Ok(w) => w.filter(|w| !w.is_empty()),
        Err(e) => return early(e),
    };
    let workspace = match &from_env {
        Some(w) => match crate::workspace::check_name(w) {
            Ok(()) => w.clone(),
            Err(e) => return early(format!("VPCEP_WORKSPACE: {e}")),
        },
        None => match crate::workspace::selected(std::path::Path::new(".")) {
            Ok(w) => w,
            Err(e) => return early(e),
        },
    };
    let globals = Globals {
        env: crate::app::Env {
            dir: PathBuf::from("."),
            chdir: cli.chdir.clone(),
            env_vars,
            auth_env,
            pg_conn_str,
            rate: crate::cloud::rate::RateSettings {
                max_rps: cli.max_rps.map(f64::from),
                throttle_timeout: cli.throttle_timeout,
            },
            test_cloud: cli.test_cloud.clone(),
            workspace,
            observer: Box::new(Terminal { color_err, json }),
        },
        workspace_from_env: from_env.is_some(),
        color_err,
        color_out: !no_color && std::io::stdout().is_terminal(),
        interactive: std::io::stdin().is_terminal() && std::io::stdout().is_terminal(),
        progress: std::io::stdout().is_terminal() && std::io::stderr().is_terminal(),
        json,
    };
    let args = &raw_args[1..];
    // A command that reads the configuration's state says which workspace it is in, unless
    // it is the default one.
    let uses_state = !matches!(
        cli.command,
        Command::Fmt(_)
            | Command::Workspace(_)
            | Command::Version { .. }
            | Command::Completions { .. }
            | Command::Man
            | Command::Emulator(_)
            | Command::Test(_)
            | Command::Migrate(_)
    );
    if uses_state && globals.env.workspace != crate::model::DEFAULT_WORKSPACE && !json {
        output::complain!("Workspace: {}", globals.env.workspace);
    }
    let outcome = match &cli.command {
        Command::Init(vars) => init::run(&globals, &vars.in_order(args)),
        Command::Validate(v) => Ok(validate::run(&globals, &v.vars.in_order(args), v.json)),
        Command::Fmt(f) => fmt::run(&globals, f),
        Command::Graph(g) => graph::run(&globals, g, &g.common.vars.in_order(args)),
        Command::Plan(p) => plan::run(&globals, p, &p.common.vars.in_order(args)),
        Command::Apply(a) => apply::run(&globals, a, &a.plan.common.vars.in_order(args), false),
        Command::Destroy(a) => apply::run(&globals, a, &a.plan.common.vars.in_order(args), true),
        Command::Show(s) => show::run(&globals, s, &s.common.vars.in_order(args)),
        Command::State(StateCommand::List { filters, common }) => {
            state_cmd::list(&globals, common, &common.vars.in_order(args), filters)
        }
        Command::State(StateCommand::Show { address, common }) => {
            state_cmd::show(&globals, common, &common.vars.in_order(args), address)
        }
        Command::State(StateCommand::Pull(s)) => {
            state_cmd::pull(&globals, s, &s.vars.in_order(args))
        }
        Command::State(StateCommand::Push {
            file,
            force,
            common,
        }) => state_cmd::push(&globals, common, &common.vars.in_order(args), file, *force),
        Command::State(StateCommand::Mv {
            source,
            destination,
            common,
        }) => state_cmd::mv(
            &globals,
            common,
            &common.vars.in_order(args),
            source,
            destination,
        ),
        Command::State(StateCommand::Rm { addresses, common }) => {
            state_cmd::rm(&globals, common, &common.vars.in_order(args), addresses)
        }
        Command::Refresh(r) => apply::refresh(&globals, r, &r.common.vars.in_order(args)),
        Command::Output(o) => state_cmd::output(&globals, o, &o.common.vars.in_order(args)),
        Command::Import(i) => import::run(&globals, i, &i.common.vars.in_order(args)),
        Command::Migrate(m) => migrate::run(&globals, m),
        Command::Workspace(w) => workspace::run(&globals, w, args),
        Command::Emulator(e) => emulator::run(e),
        Command::Test(t) => test::run(&globals, t),
        Command::Version { json } => Ok(about::version(*json)),
        Command::Completions { shell } => Ok(about::completions(*shell)),
        Command::Man => about::man(),
        Command::ForceUnlock(u) => {
            state_cmd::force_unlock(&globals, u, &u.common.vars.in_order(args))
        }
    };
    ExitCode::from(match outcome {
        Ok(code) => code,
        Err(failure) => failure::report(&globals, &failure),
    })
}
