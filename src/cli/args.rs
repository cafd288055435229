//! The command line's grammar: the commands, their flags and arguments (clap types), and how
//! `--var` / `--var-file` keep the order they were given in.

use crate::config::VarArg;
use crate::model::Address;
use clap::{ArgAction, Args, Parser, Subcommand};
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Parser)]
#[command(name = "vpcep", version, about = "Manage VPC endpoint services as code", long_about = None)]
pub(super) struct Cli {
    /// Run in DIR (the configuration directory): relative paths of every argument are inside it
    #[arg(short = 'C', long = "chdir", global = true, value_name = "DIR")]
    pub(super) chdir: Option<PathBuf>,
    /// Never colour the output (`NO_COLOR` is respected too)
    #[arg(long, global = true)]
    pub(super) no_color: bool,
    /// Append the debug log to FILE (at `VPCEP_LOG`'s level, else debug): API requests,
    /// lock and state operations, plan timings; never credentials
    #[arg(long, global = true, value_name = "FILE", env = "VPCEP_LOG_PATH")]
    pub(super) log_file: Option<PathBuf>,
    /// At most N API requests per second per account (overrides the provider's `max_rps`);
    /// without it, vpcep finds the gateway's limit by itself
    #[arg(long, global = true, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub(super) max_rps: Option<u32>,
    /// How long a request the API gateway keeps throttling is sent again before the run
    /// gives up on it
    #[arg(long, global = true, value_name = "DURATION", default_value = "15m", value_parser = parse_duration)]
    pub(super) throttle_timeout: Duration,
    /// (`vpcep test` runs its commands so:) every provider is an account of the simulated
    /// cloud in DIR, with the overrides of DIR/providers.json
    #[arg(long, global = true, value_name = "DIR", hide = true)]
    pub(super) test_cloud: Option<PathBuf>,
    #[command(subcommand)]
    pub(super) command: Command,
}

#[derive(Debug, Subcommand)]
pub(super) enum Command {
    /// Check that the backend and the provider can be reached, making what the backend needs
    /// (the schema of the pg backend); safe to run again
    Init(VarFlags),
    /// Check the configuration; warnings do not fail
    Validate(ValidateArgs),
    /// Rewrite configuration files in the canonical layout (`--check` for CI)
    Fmt(super::fmt::FmtArgs),
    /// Show what apply would change
    Plan(PlanArgs),
    /// Draw the configuration's dependencies, or a saved plan's changes (DOT or mermaid)
    Graph(super::graph::GraphArgs),
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
    Migrate(super::migrate::MigrateArgs),
    /// One configuration, several states: list, show, new, select or delete workspaces
    #[command(subcommand)]
    Workspace(super::workspace::WorkspaceCommand),
    /// Serve the simulated cloud over the real VPCEP REST API (for tests and demos)
    Emulator(super::emulator::EmulatorArgs),
    /// Run the configuration's test files (`*.tftest.hcl`) against the simulated cloud
    Test(super::test::TestArgs),
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
    pub(super) address: Option<Address>,
    /// The cloud ID (for an approval: the ID of its service)
    #[arg(required_unless_present = "all")]
    pub(super) id: Option<String>,
    /// Find every service, endpoint and approval of the account that no state records, and
    /// write their configuration with an `import` block each (the next apply imports them)
    #[arg(long, conflicts_with_all = ["address", "id"])]
    pub(super) all: bool,
    /// With `--all`: the account of the provider with this alias (default: the default
    /// provider's)
    #[arg(long, value_name = "ALIAS", requires = "all")]
    pub(super) provider: Option<String>,
    /// With `--all`: the new file to write, in the configuration directory
    #[arg(
        long,
        value_name = "FILE",
        requires = "all",
        default_value = "imported.hcl"
    )]
    pub(super) out: PathBuf,
    #[command(flatten)]
    pub(super) common: StateArgs,
}

#[derive(Debug, Args, Clone)]
pub(crate) struct ValidateArgs {
    /// Print the diagnostics as JSON (Terraform's `validate -json` shape) on standard output
    #[arg(long)]
    pub(super) json: bool,
    #[command(flatten)]
    pub(super) vars: VarFlags,
}

/// Input variable flags, shared by every command that loads the configuration.
#[derive(Debug, Args, Clone, Default)]
pub(crate) struct VarFlags {
    /// Set an input variable: NAME=VALUE (repeatable)
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub(super) vars: Vec<String>,
    /// Read input variables from an HCL file of NAME = VALUE lines (repeatable)
    #[arg(long = "var-file", value_name = "FILE")]
    pub(super) var_files: Vec<PathBuf>,
}

pub(super) fn parse_duration(s: &str) -> Result<Duration, String> {
    humantime::parse_duration(s)
        .map_err(|e| format!("`{s}` is not a duration such as 30s or 5m ({e})"))
}

pub(super) fn parse_address(s: &str) -> Result<Address, String> {
    s.parse::<Address>().map_err(|e| e.to_string())
}

/// A resource address, or a module call or instance (`module.svc`, `module.svc["a"]`).
pub(super) fn parse_target(s: &str) -> Result<crate::model::refactor::Target, String> {
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
    pub(super) state: Option<PathBuf>,
    /// How long to wait for a lock held by another command
    #[arg(long, value_name = "DURATION", default_value = "0s", value_parser = parse_duration)]
    pub(super) lock_timeout: Duration,
    #[command(flatten)]
    pub(super) vars: VarFlags,
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
    pub(super) out: Option<PathBuf>,
    /// Write the resource blocks of `import` blocks whose target has none yet to FILE (a new
    /// `.hcl` file in the configuration directory), read from the cloud; then plan with them
    #[arg(long, value_name = "FILE", require_equals = false)]
    pub(super) generate_config_out: Option<PathBuf>,
    /// With `--format markdown`: write each pull-request comment to DIR/comment-N.md (a plan
    /// longer than GitHub's 65,536-character limit needs several)
    #[arg(long, value_name = "DIR")]
    pub(super) out_dir: Option<PathBuf>,
    /// How to print the plan
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub(super) format: Format,
    /// Exit 0 with no changes, 2 with changes, 1 on error
    #[arg(long)]
    pub(super) detailed_exitcode: bool,
    /// Read the cloud before planning (--refresh=false plans from recorded state)
    #[arg(long, default_value_t = true, action = ArgAction::Set, num_args = 0..=1, default_missing_value = "true", require_equals = true, value_name = "BOOL")]
    pub(super) refresh: bool,
    /// Plan only what changed outside vpcep; `apply --refresh-only` records it in the state
    /// and changes nothing in the cloud
    #[arg(long)]
    pub(super) refresh_only: bool,
    /// Let refresh remove from the state objects it cannot find even when that is every
    /// object (or most) of a provider — the signature of a wrong account, which is refused
    #[arg(long)]
    pub(super) forget_missing: bool,
    /// Plan to delete and create ADDR again (repeatable; a module call or instance, e.g.
    /// `module.svc["orders"]`, replaces every resource in it)
    #[arg(long, value_name = "ADDR", value_parser = parse_target)]
    pub(super) replace: Vec<crate::model::refactor::Target>,
    /// Limit the plan to ADDR and what it depends on (repeatable; also `module.NAME` or
    /// `module.NAME[KEY]`)
    #[arg(long, value_name = "ADDR", value_parser = parse_target)]
    pub(super) target: Vec<crate::model::refactor::Target>,
    /// Plan to delete everything this configuration manages
    #[arg(long)]
    pub(super) destroy: bool,
    /// Let ADDR's change cut other accounts' live connections although the configuration does
    /// not say so (repeatable); every disconnection is listed in the plan
    #[arg(long, value_name = "ADDR", value_parser = parse_address)]
    pub(super) allow_disconnect: Vec<Address>,
    #[command(flatten)]
    pub(super) common: StateArgs,
}

#[derive(Debug, Args, Clone)]
pub(crate) struct ApplyArgs {
    /// A plan saved with `plan --out`: apply exactly it (refused if the state changed since)
    #[arg(value_name = "PLANFILE")]
    pub(super) plan_file: Option<PathBuf>,
    /// Apply without asking for confirmation (needed when not on a terminal)
    #[arg(long)]
    pub(super) auto_approve: bool,
    /// Print one JSON event per line instead of text
    #[arg(long)]
    pub(super) json: bool,
    /// How many actions may run at once
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub(super) parallelism: u16,
    #[command(flatten)]
    pub(super) plan: PlanArgs,
}

#[derive(Debug, Args, Clone)]
pub(crate) struct ShowArgs {
    /// A plan saved with `plan --out`
    #[arg(value_name = "PLANFILE")]
    pub(super) plan_file: Option<PathBuf>,
    /// How to print it
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub(super) format: Format,
    /// With `--format markdown`: write each pull-request comment to DIR/comment-N.md
    #[arg(long, value_name = "DIR", requires = "plan_file")]
    pub(super) out_dir: Option<PathBuf>,
    #[command(flatten)]
    pub(super) common: StateArgs,
}

#[derive(Debug, Subcommand)]
pub(super) enum StateCommand {
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
    pub(super) forget_missing: bool,
    #[command(flatten)]
    pub(super) common: StateArgs,
}

#[derive(Debug, Args, Clone)]
pub(crate) struct OutputArgs {
    /// Print only this output
    pub(super) name: Option<String>,
    /// Print as JSON
    #[arg(long)]
    pub(super) json: bool,
    /// Print NAME's string, number or bool as it is, without quotes or a newline (for scripts)
    #[arg(long, requires = "name", conflicts_with = "json")]
    pub(super) raw: bool,
    #[command(flatten)]
    pub(super) common: StateArgs,
}

#[derive(Debug, Args, Clone)]
pub(crate) struct UnlockArgs {
    /// The ID of the lock, as the lock error shows it
    pub(super) lock_id: String,
    #[command(flatten)]
    pub(super) common: StateArgs,
}

impl VarFlags {
    /// `--var` and `--var-file` in the order they were given on the command line.
    pub(super) fn in_order(&self, raw_args: &[String]) -> Vec<VarArg> {
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
