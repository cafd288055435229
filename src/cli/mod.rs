//! The command line: parses arguments with clap, runs the command, prints, and picks the exit
//! code. This is the only module that prints or reads the process environment.

mod validate;

use clap::{Args, Parser, Subcommand};
use std::io::IsTerminal as _;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(name = "vpcep", version, about = "Manage VPC endpoint services as code", long_about = None)]
struct Cli {
    /// Run as if started in DIR (the configuration directory)
    #[arg(short = 'C', long = "chdir", global = true, value_name = "DIR")]
    chdir: Option<PathBuf>,
    /// Never colour the output (`NO_COLOR` is respected too)
    #[arg(long, global = true)]
    no_color: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check the configuration; warnings do not fail
    Validate(VarFlags),
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

/// What every command needs from the global flags and the environment.
pub(crate) struct Globals {
    pub dir: PathBuf,
    /// Colour on standard error.
    pub color_err: bool,
    pub env_vars: Vec<(String, String)>,
}

impl VarFlags {
    /// `--var` and `--var-file` in the order they were given on the command line.
    fn in_order(&self, raw_args: &[String]) -> Vec<crate::config::VarArg> {
        use crate::config::VarArg;
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

/// Runs the command line and returns the process exit code.
pub fn run() -> ExitCode {
    let raw_args: Vec<String> = std::env::args().collect();
    let cli = match Cli::try_parse_from(&raw_args) {
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
    let no_color = cli.no_color || std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let globals = Globals {
        dir: cli.chdir.clone().unwrap_or_else(|| PathBuf::from(".")),
        color_err: !no_color && std::io::stderr().is_terminal(),
        env_vars: std::env::vars()
            .filter(|(k, _)| k.starts_with(crate::config::ENV_PREFIX))
            .collect(),
    };
    let code = match &cli.command {
        Command::Validate(vars) => validate::run(&globals, &vars.in_order(&raw_args[1..])),
    };
    ExitCode::from(code)
}
