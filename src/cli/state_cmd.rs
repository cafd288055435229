//! `vpcep state list|show|mv|rm|pull|push`, `vpcep output` and `vpcep force-unlock`.

use super::output::{say, say_raw};
use super::show::read_state;
use super::{args::OutputArgs, args::StateArgs, args::UnlockArgs, environment::Globals};
use crate::app::fail;
use crate::app::state_edit::{self, StateRequest};
use crate::config::VarArg;
use crate::model::refactor::Target;
use crate::model::{Address, Value};

pub(crate) fn list(
    globals: &Globals,
    args: &StateArgs,
    vars: &[VarArg],
    filters: &[Target],
) -> super::failure::Outcome {
    let (state, _) = read_state(globals, args, vars)?;
    for a in state
        .resources
        .keys()
        .filter(|a| filters.is_empty() || filters.iter().any(|f| f.matches(a)))
    {
        say!("{a}");
    }
    Ok(0)
}

pub(crate) fn show(
    globals: &Globals,
    args: &StateArgs,
    vars: &[VarArg],
    address: &Address,
) -> super::failure::Outcome {
    let (state, location) = read_state(globals, args, vars)?;
    let Some(r) = state.resources.get(address) else {
        return Err(fail(format!(
            "`{address}` is not in the state {location}; see `vpcep state list`"
        )));
    };
    say!("# {address}");
    let width = r.attrs.keys().map(str::len).max().unwrap_or(0).max(2);
    say!("{:width$} = {}", "id", Value::String(r.id.as_str().into()));
    for (k, v) in &r.attrs {
        if r.sensitive.iter().any(|s| s == k) {
            say!("{k:width$} = {}", super::output::SENSITIVE);
        } else if k != "id" {
            say!("{k:width$} = {v}");
        }
    }
    if !r.depends_on.is_empty() {
        let deps: Vec<String> = r.depends_on.iter().map(ToString::to_string).collect();
        say!("# depends on: {}", deps.join(", "));
    }
    Ok(0)
}

/// Which state a state command edits.
fn request(args: &StateArgs) -> StateRequest<'_> {
    StateRequest {
        path: args.state.as_ref(),
        lock_timeout: args.lock_timeout,
    }
}

/// `state mv SRC DST` ([`crate::app::state_edit::mv`]).
pub(crate) fn mv(
    globals: &Globals,
    args: &StateArgs,
    vars: &[VarArg],
    from: &Target,
    to: &Target,
) -> super::failure::Outcome {
    let moves = state_edit::mv(&globals.env, vars, &request(args), from, to)?;
    for (src, dst) in &moves {
        say!("Moved {src} to {dst}");
    }
    say!(
        "Successfully moved {} object{}.",
        moves.len(),
        if moves.len() == 1 { "" } else { "s" }
    );
    Ok(0)
}

/// `state rm ADDR…` ([`crate::app::state_edit::rm`]).
pub(crate) fn rm(
    globals: &Globals,
    args: &StateArgs,
    vars: &[VarArg],
    addresses: &[Target],
) -> super::failure::Outcome {
    let removed = state_edit::rm(&globals.env, vars, &request(args), addresses)?;
    for a in &removed.resources {
        say!("Removed {a}");
    }
    for a in &removed.pending {
        say!("Forgot the interrupted create of {a}");
    }
    let n = removed.resources.len();
    say!(
        "Successfully removed {n} resource instance{} from the state; they still exist in the cloud.",
        if n == 1 { "" } else { "s" }
    );
    Ok(0)
}

pub(crate) fn output(
    globals: &Globals,
    args: &OutputArgs,
    vars: &[VarArg],
) -> super::failure::Outcome {
    let (state, _) = read_state(globals, &args.common, vars)?;
    if let Some(name) = &args.name {
        let Some(o) = state.outputs.get(name) else {
            let names: Vec<&str> = state.outputs.keys().map(String::as_str).collect();
            return Err(fail(format!(
                "no output `{name}` is recorded{}",
                if names.is_empty() {
                    "; run apply first".to_owned()
                } else {
                    format!("; recorded outputs: {}", names.join(", "))
                }
            )));
        };
        // Asked for by name, even a sensitive output is printed as it is.
        if args.raw {
            let text = match &o.value {
                Value::String(s) => s.to_string(),
                Value::Number(n) => n.to_string(),
                Value::Bool(b) => b.to_string(),
                other => {
                    return Err(fail(format!(
                        "output `{name}` is a {}; `--raw` prints only strings, numbers and bools: use `--json`",
                        other.type_name()
                    )));
                }
            };
            super::output::stdout_unredacted(&text);
            return Ok(0);
        }
        let text = if args.json {
            o.value.to_json().to_string()
        } else if let Value::String(s) = &o.value {
            s.to_string()
        } else {
            o.value.to_string()
        };
        super::output::stdout_unredacted(&format!("{text}\n"));
        return Ok(0);
    }
    if args.json {
        let map: serde_json::Map<String, serde_json::Value> = state
            .outputs
            .iter()
            .map(|(k, o)| {
                (
                    k.clone(),
                    serde_json::json!({
                        "value": if o.sensitive { serde_json::Value::Null } else { o.value.to_json() },
                        "sensitive": o.sensitive,
                    }),
                )
            })
            .collect();
        say!("{}", serde_json::Value::Object(map));
        return Ok(0);
    }
    for (k, o) in &state.outputs {
        if o.sensitive {
            say!("{k} = (sensitive value)");
        } else {
            say!("{k} = {}", o.value);
        }
    }
    Ok(0)
}

pub(crate) fn force_unlock(
    globals: &Globals,
    args: &UnlockArgs,
    vars: &[VarArg],
) -> super::failure::Outcome {
    let done = state_edit::force_unlock(
        &globals.env,
        vars,
        args.common.state.as_ref(),
        &args.lock_id,
    )?;
    say!("vpcep {done}.");
    Ok(0)
}

pub(crate) fn pull(
    globals: &Globals,
    args: &StateArgs,
    vars: &[VarArg],
) -> super::failure::Outcome {
    match read_state(globals, args, vars) {
        Ok((state, _)) => {
            say_raw!("{}", crate::state::wire::encode(&state));
            Ok(0)
        }
        Err(f) => Err(f),
    }
}

/// `state push FILE [--force]` ([`crate::app::state_edit::push`]).
pub(crate) fn push(
    globals: &Globals,
    args: &StateArgs,
    vars: &[VarArg],
    file: &std::path::Path,
    force: bool,
) -> super::failure::Outcome {
    let pushed = state_edit::push(&globals.env, vars, &request(args), file, force)?;
    say!(
        "Pushed `{}` ({} resources, lineage {}, serial {}) to {}.",
        file.display(),
        pushed.resources,
        pushed.lineage,
        pushed.serial,
        pushed.to
    );
    Ok(0)
}
