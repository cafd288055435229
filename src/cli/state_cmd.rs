//! `vpcep state list|show|mv|rm|pull|push`, `vpcep output` and `vpcep force-unlock`.

use super::output::{say, say_raw};
use super::show::read_state;
use super::{args::OutputArgs, args::StateArgs, args::UnlockArgs, environment::Globals};
use crate::app::{self as session, fail};
use crate::config::VarArg;
use crate::model::refactor::Target;
use crate::model::{Address, ResourceId, Value};
use crate::state::StateStore;

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

fn open_locked(
    globals: &Globals,
    args: &StateArgs,
    vars: &[VarArg],
    operation: &str,
) -> Result<(session::Snapshot, Box<dyn StateStore>), super::failure::Failure> {
    let snapshot = session::snapshot(&globals.env, vars)?;
    let store = session::store_for(
        &globals.env,
        &snapshot.settings,
        args.state.as_ref(),
        Some((operation, args.lock_timeout)),
    )?;
    Ok((snapshot, store))
}

/// The stored state, which a command that edits it needs to exist.
fn recorded(
    store: &mut dyn crate::state::StateStore,
) -> Result<crate::model::RecordedState, super::failure::Failure> {
    match store.read() {
        Ok(Some(s)) => Ok(s),
        Ok(None) => Err(fail(format!(
            "there is no state at {} yet",
            store.describe()
        ))),
        Err(e) => Err(fail(e)),
    }
}

/// `state mv SRC DST`: a whole resource (each instance keeping its key, and what depends on it
/// following), or one instance (or a resource without `for_each`) to one address.
pub(crate) fn mv(
    globals: &Globals,
    args: &StateArgs,
    vars: &[VarArg],
    from: &Target,
    to: &Target,
) -> super::failure::Outcome {
    let address = |t: &Target| match t {
        Target::Resource(id) => Some(Address::new(id.clone(), None)),
        Target::Instance(a) => Some(a.clone()),
        Target::Module(_) => None,
    };
    match (address(from), address(to)) {
        (Some(from), Some(to)) => mv_resource(globals, args, vars, &from, &to),
        (None, None) => mv_module(globals, args, vars, from, to),
        _ => Err(fail(format!(
            "`{from}` and `{to}` are not both module addresses or both resource addresses: a module instance moves to a module address (`vpcep state mv module.a module.b`), a resource to a resource address"
        ))),
    }
}

/// `state mv module.a module.b` (or an instance, `module.svc["a"]`): every resource recorded
/// in that module instance (and the modules it calls) moves, keys kept, and what depended on
/// them follows.
fn mv_module(
    globals: &Globals,
    args: &StateArgs,
    vars: &[VarArg],
    from: &Target,
    to: &Target,
) -> super::failure::Outcome {
    if from == to {
        return Err(fail(format!(
            "`{from}` is already at `{to}`; nothing was moved"
        )));
    }
    let (_, mut store) = open_locked(globals, args, vars, "state mv")?;
    let mut state = recorded(store.as_mut())?;
    if let Some(p) = state.pending.iter().find(|p| from.matches(&p.address)) {
        return Err(fail(format!(
            "an interrupted apply's create of `{}` is not settled yet; run `vpcep plan` (it finds what that create made) before moving it",
            p.address
        )));
    }
    let block = crate::model::refactor::Moved {
        from: from.clone(),
        to: to.clone(),
        at: "`vpcep state mv`".to_owned(),
    };
    let matching: Vec<Address> = state
        .resources
        .keys()
        .filter(|a| from.matches(a))
        .cloned()
        .collect();
    if matching.is_empty() {
        return Err(fail(format!(
            "nothing is recorded in `{from}`; nothing was moved (see `vpcep state list {from}`)"
        )));
    }
    let edits = crate::model::refactor::apply_moves(&mut state, std::slice::from_ref(&block))
        .map_err(fail)?;
    // What depended on a moved resource depends on it under its new name.
    let renamed: Vec<(ResourceId, ResourceId)> = edits
        .iter()
        .filter_map(|e| match e {
            crate::model::refactor::StateEdit::Move { from, record } => {
                Some((from.resource.clone(), record.address.resource.clone()))
            }
            _ => None,
        })
        .collect();
    for record in state.resources.values_mut() {
        for d in &mut record.depends_on {
            if let Some((_, new)) = renamed.iter().find(|(old, _)| old == d) {
                d.clone_from(new);
            }
        }
    }
    state.sort();
    state.next_serial().map_err(fail)?;
    store.write(&state).map_err(fail)?;
    for e in &edits {
        if let crate::model::refactor::StateEdit::Move { from, record } = e {
            say!("Moved {from} to {}", record.address);
        }
    }
    say!(
        "Successfully moved {} object{}.",
        edits.len(),
        if edits.len() == 1 { "" } else { "s" }
    );
    Ok(0)
}

fn mv_resource(
    globals: &Globals,
    args: &StateArgs,
    vars: &[VarArg],
    from: &Address,
    to: &Address,
) -> super::failure::Outcome {
    if from.rtype() != to.rtype() {
        return Err(fail(format!(
            "`{from}` is a {} and `{to}` would be a {}: a resource moves only to an address of its own type",
            from.rtype(),
            to.rtype()
        )));
    }
    if from == to {
        return Err(fail(format!(
            "`{from}` is already at `{to}`; nothing was moved"
        )));
    }
    let (_, mut store) = open_locked(globals, args, vars, "state mv")?;
    let mut state = recorded(store.as_mut())?;
    let whole = from.key.is_none() && to.key.is_none();
    let moved_here = |a: &Address| {
        if whole {
            a.resource == from.resource
        } else {
            a == from
        }
    };
    if let Some(p) = state.pending.iter().find(|p| moved_here(&p.address)) {
        return Err(fail(format!(
            "an interrupted apply's create of `{}` is not settled yet; run `vpcep plan` (it finds what that create made) before moving it",
            p.address
        )));
    }
    let destination = |a: &Address| {
        if whole {
            Address::new(to.resource.clone(), a.key.clone())
        } else {
            to.clone()
        }
    };
    let moves: Vec<(Address, Address)> = state
        .resources
        .keys()
        .filter(|a| moved_here(a))
        .map(|a| (a.clone(), destination(a)))
        .collect();
    if moves.is_empty() {
        let instances: Vec<String> = state
            .resources
            .keys()
            .filter(|a| a.resource == from.resource)
            .map(|a| format!("`{a}`"))
            .collect();
        return Err(fail(if instances.is_empty() {
            format!("`{from}` is not in the state; nothing was moved (see `vpcep state list`)")
        } else {
            format!(
                "`{from}` is recorded as instances ({}): move one of them, or the whole resource to an address without a key",
                instances.join(", ")
            )
        }));
    }
    if let Some((_, dst)) = moves
        .iter()
        .find(|(_, dst)| state.resources.contains_key(dst))
    {
        return Err(fail(format!(
            "`{dst}` is in the state already; nothing was moved (remove it first with `vpcep state rm`, if it is really gone)"
        )));
    }
    let before_move = state.problems();
    let resources = std::mem::take(&mut state.resources);
    state.resources = resources
        .into_iter()
        .map(|(address, mut record)| {
            if moved_here(&address) {
                record.address = destination(&address);
                (record.address.clone(), record)
            } else {
                (address, record)
            }
        })
        .collect();
    if whole {
        // What depended on the resource depends on it under its new name.
        for record in state.resources.values_mut() {
            for d in &mut record.depends_on {
                if *d == from.resource {
                    d.clone_from(&to.resource);
                }
            }
        }
    }
    if let Some(broken) = state
        .problems()
        .into_iter()
        .find(|p| !before_move.contains(p))
    {
        return Err(fail(format!(
            "moving `{from}` to `{to}` is refused: {broken}; nothing was moved\n  move every instance at once (`vpcep state mv {} {}`), or each to a keyed address",
            from.resource, to.resource
        )));
    }
    state.sort();
    if let Err(e) = state.next_serial() {
        return Err(fail(e));
    }
    if let Err(e) = store.write(&state) {
        return Err(fail(e));
    }
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

pub(crate) fn rm(
    globals: &Globals,
    args: &StateArgs,
    vars: &[VarArg],
    addresses: &[Target],
) -> super::failure::Outcome {
    let (_, mut store) = open_locked(globals, args, vars, "state rm")?;
    let mut state = recorded(store.as_mut())?;
    let wanted = |a: &Address| addresses.iter().any(|w| w.matches(a));
    let matching: Vec<Address> = state
        .resources
        .keys()
        .filter(|a| wanted(a))
        .cloned()
        .collect();
    // Creates an interrupted apply left pending can be forgotten too (when none of the
    // objects in the cloud is theirs).
    let pending: Vec<Address> = state
        .pending
        .iter()
        .map(|p| p.address.clone())
        .filter(|a| wanted(a))
        .collect();
    state.pending.retain(|p| !wanted(&p.address));
    for w in addresses {
        if !matching.iter().chain(&pending).any(|a| w.matches(a)) {
            return Err(fail(format!(
                "`{w}` is not in the state; nothing was removed (see `vpcep state list`)"
            )));
        }
    }
    for a in &matching {
        state.resources.shift_remove(a);
    }
    if let Err(e) = state.next_serial() {
        return Err(fail(e));
    }
    if let Err(e) = store.write(&state) {
        return Err(fail(e));
    }
    for a in &matching {
        say!("Removed {a}");
    }
    for a in &pending {
        say!("Forgot the interrupted create of {a}");
    }
    say!(
        "Successfully removed {} resource instance{} from the state; they still exist in the cloud.",
        matching.len(),
        if matching.len() == 1 { "" } else { "s" }
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
    let snapshot = session::snapshot(&globals.env, vars)?;
    let location =
        session::state_location(&globals.env, &snapshot.settings, args.common.state.as_ref())?;
    let result = match &location {
        session::StateLocation::Local(path) => {
            crate::state::lock::force_unlock(path, &args.lock_id)
        }
        session::StateLocation::Pg {
            conn_str,
            schema,
            name,
        } => crate::state::pg::PgState::open(conn_str, schema, name, None)
            .and_then(|mut pg| pg.force_unlock(&args.lock_id)),
    };
    match result {
        Ok(done) => {
            say!("vpcep {done}.");
            Ok(0)
        }
        Err(e) => Err(fail(e)),
    }
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

pub(crate) fn push(
    globals: &Globals,
    args: &StateArgs,
    vars: &[VarArg],
    file: &std::path::Path,
    force: bool,
) -> super::failure::Outcome {
    let text = match crate::fsio::read_text(file, crate::fsio::MAX_STATE_FILE, "the state file") {
        Ok(t) => t,
        Err(e) => return Err(fail(e)),
    };
    let mut pushed = match crate::state::wire::decode(&text) {
        Ok(s) => s,
        Err(e) => {
            return Err(fail(format!(
                "`{}` is not a vpcep state file: {e}",
                file.display()
            )));
        }
    };
    let problems = pushed.problems();
    if !problems.is_empty() {
        return Err(fail(format!(
            "`{}` breaks \"one cloud object, one address\"; nothing was pushed{}\n  fix the file (`vpcep state pull` shows the stored state), then push it again",
            file.display(),
            problems
                .iter()
                .map(|p| format!("\n  - {p}"))
                .collect::<Vec<_>>()
                .concat()
        )));
    }
    let (_, mut store) = open_locked(globals, args, vars, "state push")?;
    let current = match store.read() {
        Ok(s) => s,
        Err(e) => return Err(fail(e)),
    };
    if let Some(current) = &current {
        if !force && current.lineage != pushed.lineage {
            return Err(fail(format!(
                "`{}` has lineage {}, but {} holds lineage {}: they are states of different configurations; nothing was pushed (use --force to replace it anyway)",
                file.display(),
                pushed.lineage,
                store.describe(),
                current.lineage
            )));
        }
        if !force && pushed.serial < current.serial {
            return Err(fail(format!(
                "`{}` is at serial {}, older than the stored serial {}; nothing was pushed (use --force to replace the newer state)",
                file.display(),
                pushed.serial,
                current.serial
            )));
        }
        if !force && pushed.serial == current.serial && *current != pushed {
            return Err(fail(format!(
                "`{}` has the stored serial {} but different content; nothing was pushed (use --force to replace it)",
                file.display(),
                pushed.serial
            )));
        }
        if force && pushed.serial <= current.serial {
            pushed.serial = current.serial;
            if let Err(e) = pushed.next_serial() {
                return Err(fail(e));
            }
        }
    }
    let written = if force {
        store.write_forced(&pushed)
    } else {
        store.write(&pushed)
    };
    if let Err(e) = written {
        return Err(fail(e));
    }
    say!(
        "Pushed `{}` ({} resources, lineage {}, serial {}) to {}.",
        file.display(),
        pushed.resources.len(),
        pushed.lineage,
        pushed.serial,
        store.describe()
    );
    Ok(0)
}
