//! The command line: parses arguments with clap, runs the command, prints, and picks the exit
//! code. This is the only module that prints or reads the process environment.
//!
//! By job: `args` is the grammar, `environment` reads the process once into the
//! `Globals` every command gets, `run` and `dispatch` here pick the command, each command's
//! module builds its request for the application layer ([`crate::app`]) and prints the outcome,
//! and `failure::report` prints why a command stopped.

mod about;
mod apply;
mod args;
mod diagnostics;
mod emulator;
mod environment;
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

use args::{Cli, Command, StateCommand};
use clap::Parser as _;
use environment::Globals;
use std::process::ExitCode;

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
    let json = matches!(&cli.command, Command::Apply(a) | Command::Destroy(a) if a.json);
    let globals = match Globals::from_process(&cli, json) {
        Ok(globals) => globals,
        Err(message) => {
            let globals = Globals::minimal(json);
            return ExitCode::from(failure::report(&globals, &failure::fail(message)));
        }
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
    let outcome = dispatch(&cli.command, &globals, args);
    ExitCode::from(match outcome {
        Ok(code) => code,
        Err(failure) => failure::report(&globals, &failure),
    })
}

/// Runs `command`; `args` are the raw arguments, for the order of `--var` and `--var-file`.
fn dispatch(command: &Command, globals: &Globals, args: &[String]) -> failure::Outcome {
    match command {
        Command::Init(vars) => init::run(globals, &vars.in_order(args)),
        Command::Validate(v) => Ok(validate::run(globals, &v.vars.in_order(args), v.json)),
        Command::Fmt(f) => fmt::run(globals, f),
        Command::Graph(g) => graph::run(globals, g, &g.common.vars.in_order(args)),
        Command::Plan(p) => plan::run(globals, p, &p.common.vars.in_order(args)),
        Command::Apply(a) => apply::run(globals, a, &a.plan.common.vars.in_order(args), false),
        Command::Destroy(a) => apply::run(globals, a, &a.plan.common.vars.in_order(args), true),
        Command::Show(s) => show::run(globals, s, &s.common.vars.in_order(args)),
        Command::State(StateCommand::List { filters, common }) => {
            state_cmd::list(globals, common, &common.vars.in_order(args), filters)
        }
        Command::State(StateCommand::Show { address, common }) => {
            state_cmd::show(globals, common, &common.vars.in_order(args), address)
        }
        Command::State(StateCommand::Pull(s)) => {
            state_cmd::pull(globals, s, &s.vars.in_order(args))
        }
        Command::State(StateCommand::Push {
            file,
            force,
            common,
        }) => state_cmd::push(globals, common, &common.vars.in_order(args), file, *force),
        Command::State(StateCommand::Mv {
            source,
            destination,
            common,
        }) => state_cmd::mv(
            globals,
            common,
            &common.vars.in_order(args),
            source,
            destination,
        ),
        Command::State(StateCommand::Rm { addresses, common }) => {
            state_cmd::rm(globals, common, &common.vars.in_order(args), addresses)
        }
        Command::Refresh(r) => apply::refresh(globals, r, &r.common.vars.in_order(args)),
        Command::Output(o) => state_cmd::output(globals, o, &o.common.vars.in_order(args)),
        Command::Import(i) => import::run(globals, i, &i.common.vars.in_order(args)),
        Command::Migrate(m) => migrate::run(globals, m),
        Command::Workspace(w) => workspace::run(globals, w, args),
        Command::Emulator(e) => emulator::run(e),
        Command::Test(t) => test::run(globals, t),
        Command::Version { json } => Ok(about::version(*json)),
        Command::Completions { shell } => Ok(about::completions(*shell)),
        Command::Man => about::man(),
        Command::ForceUnlock(u) => {
            state_cmd::force_unlock(globals, u, &u.common.vars.in_order(args))
        }
    }
}
