//! The state commands that change the recorded state — `state mv`, `state rm`, `state push` —
//! as use cases: each reads the state under its lock and hands the edited state to [`commit`],
//! the one gate that keeps what every state write must keep.

use super::{Env, Failure, FailureKind, Snapshot, fail, snapshot, store_for};
use crate::config::VarArg;
use crate::model::refactor::{Moved, StateEdit, Target, apply_moves};
use crate::model::{Address, RecordedState, ResourceId};
use crate::state::StateStore;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Which state a command edits, and how long it waits for the lock.
pub struct StateRequest<'a> {
    /// `--state PATH` instead of the backend's.
    pub path: Option<&'a PathBuf>,
    /// `--lock-timeout`.
    pub lock_timeout: Duration,
}

/// The store of this configuration's state, locked for `operation`.
fn open_locked(
    env: &Env,
    vars: &[VarArg],
    request: &StateRequest<'_>,
    operation: &str,
) -> Result<(Snapshot, Box<dyn StateStore>), Failure> {
    let snapshot = snapshot(env, vars)?;
    let store = store_for(
        env,
        &snapshot.settings,
        request.path,
        Some((operation, request.lock_timeout)),
    )?;
    Ok((snapshot, store))
}

/// The stored state, which a command that edits it needs to exist.
fn recorded(store: &mut dyn StateStore) -> Result<RecordedState, Failure> {
    match store.read()? {
        Some(state) => Ok(state),
        None => Err(fail(format!(
            "there is no state at {} yet",
            store.describe()
        ))),
    }
}

/// How a state is written.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Write {
    /// At the next serial, refused when the stored state changed since it was read.
    Next,
    /// At the serial it carries (`state push`), with the same refusal.
    AsIs,
    /// `state push --force`: replaces whatever is stored.
    Forced,
}

/// The one gate every state edit passes: the edited `state` may break "one cloud object, one
/// address" only where the state it was made from (`before`'s problems) already did; it is
/// written sorted, under the lock, as `write` says.
/// `refused` says what the refusal means for this command.
pub(crate) fn commit(
    store: &mut dyn StateStore,
    state: &mut RecordedState,
    before: &[String],
    write: Write,
    refused: impl FnOnce(&str) -> String,
) -> Result<(), Failure> {
    if let Some(broken) = state.problems().into_iter().find(|p| !before.contains(p)) {
        return Err(fail(refused(&broken)));
    }
    state.sort();
    match write {
        Write::Next => {
            state.next_serial().map_err(fail)?;
            store.write(state)?;
        }
        Write::AsIs => store.write(state)?,
        Write::Forced => store.write_forced(state)?,
    }
    Ok(())
}

/// Refuses to touch what an interrupted apply's create left unsettled.
fn refuse_pending(
    state: &RecordedState,
    touched: impl Fn(&Address) -> bool,
) -> Result<(), Failure> {
    match state.pending.iter().find(|p| touched(&p.address)) {
        Some(p) => Err(fail(format!(
            "an interrupted apply's create of `{}` is not settled yet; run `vpcep plan` (it finds what that create made) before moving it",
            p.address
        ))),
        None => Ok(()),
    }
}

/// Every record that depended on a renamed resource depends on it under its new name.
fn follow_renames(state: &mut RecordedState, renamed: &[(ResourceId, ResourceId)]) {
    for record in state.resources.values_mut() {
        for d in &mut record.depends_on {
            if let Some((_, new)) = renamed.iter().find(|(old, _)| old == d) {
                d.clone_from(new);
            }
        }
    }
}

/// `state mv SRC DST`: a whole resource (each instance keeping its key, and what depends on it
/// following), one instance (or a resource without `for_each`) to one address, or a module
/// instance with everything recorded in it. Returns the moves, in the state's order.
pub fn mv(
    env: &Env,
    vars: &[VarArg],
    request: &StateRequest<'_>,
    from: &Target,
    to: &Target,
) -> Result<Vec<(Address, Address)>, Failure> {
    let address = |t: &Target| match t {
        Target::Resource(id) => Some(Address::new(id.clone(), None)),
        Target::Instance(a) => Some(a.clone()),
        Target::Module(_) => None,
    };
    let (from_address, to_address) = (address(from), address(to));
    if from == to || (from_address.is_some() && from_address == to_address) {
        return Err(fail(format!(
            "`{from}` is already at `{to}`; nothing was moved"
        )));
    }
    match (from_address, to_address) {
        (Some(from), Some(to)) => mv_resource(env, vars, request, &from, &to),
        (None, None) => mv_module(env, vars, request, from, to),
        _ => Err(fail(format!(
            "`{from}` and `{to}` are not both module addresses or both resource addresses: a module instance moves to a module address (`vpcep state mv module.a module.b`), a resource to a resource address"
        ))),
    }
}

fn mv_module(
    env: &Env,
    vars: &[VarArg],
    request: &StateRequest<'_>,
    from: &Target,
    to: &Target,
) -> Result<Vec<(Address, Address)>, Failure> {
    let (_, mut store) = open_locked(env, vars, request, "state mv")?;
    let mut state = recorded(store.as_mut())?;
    refuse_pending(&state, |a| from.matches(a))?;
    if !state.resources.keys().any(|a| from.matches(a)) {
        return Err(fail(format!(
            "nothing is recorded in `{from}`; nothing was moved (see `vpcep state list {from}`)"
        )));
    }
    let before = state.problems();
    let block = Moved {
        from: from.clone(),
        to: to.clone(),
        at: "`vpcep state mv`".to_owned(),
    };
    let edits = apply_moves(&mut state, std::slice::from_ref(&block)).map_err(fail)?;
    let moves: Vec<(Address, Address)> = edits
        .iter()
        .filter_map(|e| match e {
            StateEdit::Move { from, record } => Some((from.clone(), record.address.clone())),
            _ => None,
        })
        .collect();
    let renamed: Vec<(ResourceId, ResourceId)> = moves
        .iter()
        .map(|(from, to)| (from.resource.clone(), to.resource.clone()))
        .collect();
    follow_renames(&mut state, &renamed);
    commit(store.as_mut(), &mut state, &before, Write::Next, |broken| {
        format!("moving `{from}` to `{to}` is refused: {broken}; nothing was moved")
    })?;
    Ok(moves)
}

fn mv_resource(
    env: &Env,
    vars: &[VarArg],
    request: &StateRequest<'_>,
    from: &Address,
    to: &Address,
) -> Result<Vec<(Address, Address)>, Failure> {
    if from.rtype() != to.rtype() {
        return Err(fail(format!(
            "`{from}` is a {} and `{to}` would be a {}: a resource moves only to an address of its own type",
            from.rtype(),
            to.rtype()
        )));
    }
    let (_, mut store) = open_locked(env, vars, request, "state mv")?;
    let mut state = recorded(store.as_mut())?;
    let whole = from.key.is_none() && to.key.is_none();
    let moved_here = |a: &Address| {
        if whole {
            a.resource == from.resource
        } else {
            a == from
        }
    };
    refuse_pending(&state, moved_here)?;
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
    let before = state.problems();
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
        follow_renames(&mut state, &[(from.resource.clone(), to.resource.clone())]);
    }
    commit(store.as_mut(), &mut state, &before, Write::Next, |broken| {
        format!(
            "moving `{from}` to `{to}` is refused: {broken}; nothing was moved\n  move every instance at once (`vpcep state mv {} {}`), or each to a keyed address",
            from.resource, to.resource
        )
    })?;
    Ok(moves)
}

/// What `state rm` forgot.
pub struct Removed {
    /// The resource instances no longer recorded.
    pub resources: Vec<Address>,
    /// The interrupted creates forgotten with them.
    pub pending: Vec<Address>,
}

/// `state rm ADDR…`: forgets the resource instances (and module instances' resources) the
/// targets name, and interrupted creates at those addresses; the cloud keeps them.
pub fn rm(
    env: &Env,
    vars: &[VarArg],
    request: &StateRequest<'_>,
    targets: &[Target],
) -> Result<Removed, Failure> {
    let (_, mut store) = open_locked(env, vars, request, "state rm")?;
    let mut state = recorded(store.as_mut())?;
    let wanted = |a: &Address| targets.iter().any(|w| w.matches(a));
    let resources: Vec<Address> = state
        .resources
        .keys()
        .filter(|a| wanted(a))
        .cloned()
        .collect();
    let pending: Vec<Address> = state
        .pending
        .iter()
        .map(|p| p.address.clone())
        .filter(|a| wanted(a))
        .collect();
    if let Some(w) = targets
        .iter()
        .find(|w| !resources.iter().chain(&pending).any(|a| w.matches(a)))
    {
        return Err(fail(format!(
            "`{w}` is not in the state; nothing was removed (see `vpcep state list`)"
        )));
    }
    let before = state.problems();
    state.pending.retain(|p| !wanted(&p.address));
    for a in &resources {
        state.resources.shift_remove(a);
    }
    commit(store.as_mut(), &mut state, &before, Write::Next, |broken| {
        format!("removing is refused: {broken}; nothing was removed")
    })?;
    Ok(Removed { resources, pending })
}

/// What `state push` wrote.
pub struct Pushed {
    pub resources: usize,
    pub lineage: String,
    pub serial: u64,
    /// The store it was written to.
    pub to: String,
}

/// `state push FILE [--force]`: replaces the stored state with a state file. Without
/// `--force` the file must be the same configuration's (lineage) and not older (serial).
pub fn push(
    env: &Env,
    vars: &[VarArg],
    request: &StateRequest<'_>,
    file: &Path,
    force: bool,
) -> Result<Pushed, Failure> {
    let text = crate::fsio::read_text(file, crate::fsio::MAX_STATE_FILE, "the state file")
        .map_err(fail)?;
    let mut pushed = crate::state::wire::decode(&text).map_err(|e| {
        fail(format!(
            "`{}` is not a vpcep state file: {e}",
            file.display()
        ))
        .with_kind(FailureKind::StateDamaged)
    })?;
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
    let (_, mut store) = open_locked(env, vars, request, "state push")?;
    let current = store.read()?;
    let mut write = Write::AsIs;
    if let Some(current) = &current {
        if force {
            write = Write::Forced;
            if pushed.serial <= current.serial {
                pushed.serial = current.serial;
                pushed.next_serial().map_err(fail)?;
            }
        } else {
            refuse_push(file, &pushed, current, &store.describe())?;
        }
    }
    commit(store.as_mut(), &mut pushed, &[], write, |broken| {
        format!(
            "`{}` is refused: {broken}; nothing was pushed",
            file.display()
        )
    })?;
    Ok(Pushed {
        resources: pushed.resources.len(),
        lineage: pushed.lineage.clone(),
        serial: pushed.serial,
        to: store.describe(),
    })
}

/// Without `--force`, a pushed file must be of the same configuration (lineage), not older
/// (serial), and at the stored serial only with the stored content.
fn refuse_push(
    file: &Path,
    pushed: &RecordedState,
    current: &RecordedState,
    store: &str,
) -> Result<(), Failure> {
    let conflict = |message: String| Err(fail(message).with_kind(FailureKind::StateConflict));
    if current.lineage != pushed.lineage {
        return conflict(format!(
            "`{}` has lineage {}, but {store} holds lineage {}: they are states of different configurations; nothing was pushed (use --force to replace it anyway)",
            file.display(),
            pushed.lineage,
            current.lineage
        ));
    }
    if pushed.serial < current.serial {
        return conflict(format!(
            "`{}` is at serial {}, older than the stored serial {}; nothing was pushed (use --force to replace the newer state)",
            file.display(),
            pushed.serial,
            current.serial
        ));
    }
    if pushed.serial == current.serial && current != pushed {
        return conflict(format!(
            "`{}` has the stored serial {} but different content; nothing was pushed (use --force to replace it)",
            file.display(),
            pushed.serial
        ));
    }
    Ok(())
}

/// `force-unlock LOCK_ID`: clears the state's lock when it is the one named (a lock really
/// left behind); says what it did.
pub fn force_unlock(
    env: &Env,
    vars: &[VarArg],
    state_path: Option<&PathBuf>,
    lock_id: &str,
) -> Result<String, Failure> {
    let snapshot = snapshot(env, vars)?;
    let location = super::state_location(env, &snapshot.settings, state_path)?;
    let done = match &location {
        super::StateLocation::Local(path) => crate::state::lock::force_unlock(path, lock_id),
        super::StateLocation::Pg {
            conn_str,
            schema,
            name,
        } => crate::state::pg::PgState::open(conn_str, schema, name, None)
            .and_then(|mut pg| pg.force_unlock(lock_id)),
    }?;
    Ok(done)
}
