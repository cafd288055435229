//! `vpcep workspace list|show|new|select|delete`: the workspaces of the configuration's
//! backend (`crate::workspace`).

use super::failure::{Outcome, fail};
use super::output::{complain, say};
use super::{args::VarFlags, environment::Globals};
use clap::{Args, Subcommand};
use std::time::Duration;

#[derive(Debug, Subcommand)]
pub(crate) enum WorkspaceCommand {
    /// List the workspaces, the one in use marked with `*`
    List(WorkspaceArgs),
    /// Print the workspace in use
    Show,
    /// Make a workspace with an empty state and select it
    New {
        name: String,
        #[command(flatten)]
        common: WorkspaceArgs,
    },
    /// Use another workspace from now on in this directory (`VPCEP_WORKSPACE` overrides it)
    Select {
        name: String,
        /// Make the workspace when it does not exist
        #[arg(long)]
        or_create: bool,
        #[command(flatten)]
        common: WorkspaceArgs,
    },
    /// Delete a workspace whose state records nothing
    Delete {
        name: String,
        #[command(flatten)]
        common: WorkspaceArgs,
    },
}

#[derive(Debug, Args, Clone)]
pub(crate) struct WorkspaceArgs {
    /// How long to wait for a lock held by another command
    #[arg(long, value_name = "DURATION", default_value = "0s", value_parser = super::args::parse_duration)]
    lock_timeout: Duration,
    #[command(flatten)]
    vars: VarFlags,
}

pub(crate) fn run(globals: &Globals, command: &WorkspaceCommand, args: &[String]) -> Outcome {
    let env = &globals.env;
    let vars = match command {
        WorkspaceCommand::Show => Vec::new(),
        WorkspaceCommand::List(c)
        | WorkspaceCommand::New { common: c, .. }
        | WorkspaceCommand::Select { common: c, .. }
        | WorkspaceCommand::Delete { common: c, .. } => c.vars.in_order(args),
    };
    if let WorkspaceCommand::Show = command {
        say!("{}", env.workspace);
        return Ok(0);
    }
    let snapshot = crate::app::snapshot(env, &vars)?;
    let settings = &snapshot.settings;
    match command {
        WorkspaceCommand::Show => {}
        WorkspaceCommand::List(_) => {
            for name in crate::workspace::list(env, settings)? {
                let mark = if name == env.workspace { "*" } else { " " };
                say!("{mark} {name}");
            }
        }
        WorkspaceCommand::New { name, common } => {
            crate::workspace::create(env, settings, name, common.lock_timeout)?;
            crate::workspace::select(env, name)?;
            say!("Created and selected the workspace \"{name}\"; its state is empty.");
            overridden(globals, name);
        }
        WorkspaceCommand::Select {
            name,
            or_create,
            common,
        } => {
            crate::workspace::check_name(name).map_err(fail)?;
            let exists = crate::workspace::list(env, settings)?.contains(name);
            if !exists && !*or_create {
                return Err(fail(format!(
                    "there is no workspace `{name}`; make it with `vpcep workspace new {name}` (or `select --or-create`)"
                )));
            }
            if !exists {
                crate::workspace::create(env, settings, name, common.lock_timeout)?;
            }
            crate::workspace::select(env, name)?;
            say!("Switched to the workspace \"{name}\".");
            overridden(globals, name);
        }
        WorkspaceCommand::Delete { name, common } => {
            crate::workspace::delete(env, settings, name, common.lock_timeout)?;
            say!("Deleted the workspace \"{name}\".");
        }
    }
    Ok(0)
}

/// A selection that `VPCEP_WORKSPACE` hides for now says so.
fn overridden(globals: &Globals, selected: &str) {
    if globals.workspace_from_env && globals.env.workspace != selected {
        complain!(
            "note: VPCEP_WORKSPACE={} is set and wins over the selection while it is",
            globals.env.workspace
        );
    }
}
