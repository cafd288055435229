//! What a command runs with, read once from the process: the environment variables vpcep
//! reads (`VPCEP_*`, `OS_*`), the workspace, the terminal (colour, prompts, progress), and the
//! [`Globals`] every command receives.

use super::args::Cli;
use super::diagnostics::show_diagnostics;
use super::output::{self, complain};
use crate::config::VarArg;
use crate::diag::Diagnostic;
use std::io::IsTerminal as _;
use std::path::PathBuf;

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
    /// Reads what `cli` runs with from the process (environment, terminal, `-C DIR`, the
    /// workspace) and starts the debug log; an error says which part could not be read.
    pub(super) fn from_process(cli: &Cli, json: bool) -> Result<Self, String> {
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
        let (env_vars, auth_env, pg_conn_str) = from_env?;
        // Like `terraform -chdir`: every relative path argument means a path inside DIR.
        if let Some(dir) = &cli.chdir
            && let Err(e) = std::env::set_current_dir(dir)
        {
            return Err(format!("cannot run in `{}` (-C): {e}", dir.display()));
        }
        let color_err = !no_color && std::io::stderr().is_terminal();
        let log_level = env_text("VPCEP_LOG")?;
        super::log::init(log_level.as_deref(), cli.log_file.as_deref(), color_err)?;
        // The workspace: `VPCEP_WORKSPACE` for this run, else the one selected in the directory.
        let from_env = env_text("VPCEP_WORKSPACE")?.filter(|w| !w.is_empty());
        let workspace = match &from_env {
            Some(w) => {
                crate::workspace::check_name(w).map_err(|e| format!("VPCEP_WORKSPACE: {e}"))?;
                w.clone()
            }
            None => crate::workspace::selected(std::path::Path::new("."))?,
        };
        Ok(Globals {
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
        })
    }

    /// Before the environment is read: enough to report why it could not be.
    pub(super) fn minimal(json: bool) -> Self {
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
