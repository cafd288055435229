//! Applying a saved plan (`vpcep apply FILE`): the file is applied only as it was reviewed —
//! not edited, not with other variable values, in its configuration's directory, against
//! the state it was made against, and still allowed by what the cloud says now.

use super::{
    Env, Failure, FailureKind, Planned, Snapshot, check_providers_of, derive, fail, normalized,
    open_clouds, refresh_failure, store_for,
};
use crate::config::{self, VarArg};
use crate::planfile::SavedPlan;
use crate::state::StateStore;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Opens a saved plan for apply: locks the state and refuses the plan if the state changed
/// since it was made, or if the file's actions are not what its own configuration and state
/// give (an edited file), or if a rule now refuses them.
pub fn from_plan_file(
    env: &Env,
    vars: &[VarArg],
    path: &Path,
    state_override: Option<&PathBuf>,
    lock_timeout: Duration,
) -> Result<Planned, Failure> {
    let saved = read(path)?;
    refuse_changed_values(&saved, vars, path)?;
    let snapshot = evaluate_settings(env, vars, &saved, path)?;
    let same_config = refuse_other_directory(env, &saved, path)?;
    let mut store = store_for(
        env,
        &snapshot.settings,
        state_override,
        Some(("apply", lock_timeout)),
    )?;
    let stored = refuse_stale(store.as_mut(), &saved, path)?;
    if !same_config {
        env.observer.note(
            "the configuration has changed since the plan was made; applying the saved plan as it was reviewed",
        );
    }
    check_providers_of(&saved.state, &snapshot.settings)?;
    let clouds = open_clouds(env, &snapshot.settings)?;
    // The rules run again on what the cloud says now: what it would refuse is refused here.
    let mut facts = crate::refresh::refresh_all(&clouds, &saved.state)
        .map_err(|e| refresh_failure(&format!("reading {}", clouds.describe()), &e))?
        .facts;
    let derived = derive(
        env,
        &snapshot,
        &saved.state,
        &mut facts,
        &saved.options,
        &clouds,
    )?;
    refuse_edited_or_refused_now(&derived.plan, &saved, path)?;
    let mut plan = derived.plan;
    plan.drift = saved.plan.drift;
    plan.notes = saved.plan.notes;
    plan.warnings = saved.plan.warnings;
    plan.connection_requests = saved.plan.connection_requests;
    plan.headroom = saved.plan.headroom;
    plan.checks.clone_from(&derived.desired.checks);
    Ok(Planned {
        state_changed: stored.as_ref() != Some(&saved.state),
        snapshot,
        store,
        base: saved.base,
        base_sha256: saved.base_sha256,
        state: saved.state,
        clouds,
        options: saved.options,
        plan,
        desired: derived.desired,
        variables: derived.variables,
        reads: derived.reads,
    })
}

/// The file was changed after `vpcep plan` wrote it (`why` says how).
fn edited(path: &Path, why: &str) -> Failure {
    fail(format!(
        "`{}` cannot be applied: {why}; the file was changed after `vpcep plan` wrote it, so nothing was changed\n  make the plan again with `vpcep plan --out {}` and review it",
        path.display(),
        path.display()
    ))
    .with_kind(FailureKind::PlanStale)
}

/// The saved plan at `path`: one that can be applied, whose record of the state it was made
/// against is its own.
fn read(path: &Path) -> Result<SavedPlan, Failure> {
    let text =
        crate::fsio::read_text(path, crate::fsio::MAX_STATE_FILE, "the plan file").map_err(fail)?;
    let saved = crate::planfile::decode(&text).map_err(|e| {
        let failure = fail(format!("`{}` cannot be applied: {e}", path.display()));
        match e {
            crate::planfile::DecodeError::Edited(_) => failure.with_kind(FailureKind::PlanStale),
            crate::planfile::DecodeError::Unreadable(_) => failure,
        }
    })?;
    if saved.plan.is_refused() {
        return Err(fail(format!(
            "`{}` is a refused plan; it cannot be applied",
            path.display()
        ))
        .with_kind(FailureKind::PlanRefused));
    }
    let consistent = match &saved.base {
        Some((lineage, serial)) => *lineage == saved.state.lineage && *serial == saved.state.serial,
        None => saved.state.serial == 0 && saved.base_sha256.is_none(),
    };
    if !consistent {
        return Err(edited(
            path,
            "the state it was made against does not match its own record of it",
        ));
    }
    Ok(saved)
}

/// A value the plan holds is fixed: `--var` may give only what it does not hold (the
/// credentials), never change what was reviewed.
fn refuse_changed_values(saved: &SavedPlan, vars: &[VarArg], path: &Path) -> Result<(), Failure> {
    for arg in vars {
        if let VarArg::Assign(text) = arg {
            let name = text
                .split_once('=')
                .map_or(text.as_str(), |(n, _)| n)
                .trim();
            if saved.variables.contains_key(name) {
                return Err(fail(format!(
                    "`{}` was planned with its own value of `var.{name}`; a saved plan applies as it was reviewed, so nothing was changed\n  leave out `--var {name}=…`, or make a new plan with it: `vpcep plan --var {name}=… --out FILE`",
                    path.display()
                )));
            }
        }
    }
    Ok(())
}

/// The saved configuration with its provider and backend evaluated. The plan holds no
/// credentials: the variables the providers sign in with come from `--var`, the environment
/// and var files, as when planning.
fn evaluate_settings(
    env: &Env,
    vars: &[VarArg],
    saved: &SavedPlan,
    path: &Path,
) -> Result<Snapshot, Failure> {
    let (snapshot, loaded) = Snapshot::with_settings(
        saved.sources.clone(),
        vars.to_vec(),
        env.env_vars.clone(),
        Some(saved.variables.clone()),
        &env.dir,
        &env.workspace,
    );
    env.observer.secrets(&loaded.secrets);
    if loaded.desired.is_none() {
        return Err(fail("the configuration saved in the plan has errors")
            .with_kind(FailureKind::ConfigurationInvalid)
            .with_diagnostics(loaded.diagnostics));
    }
    if !loaded.unset_credentials.is_empty() {
        let names = &loaded.unset_credentials;
        return Err(fail(format!(
            "`{}` does not hold the credentials its providers sign in with ({}), and they were not given again; nothing was changed\n  give them as when planning, e.g. {}",
            path.display(),
            names
                .iter()
                .map(|n| format!("`var.{n}`"))
                .collect::<Vec<_>>()
                .join(", "),
            names
                .iter()
                .map(|n| format!("VPCEP_VAR_{n}=… or --var {n}=…"))
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    env.observer.diagnostics(&loaded.diagnostics);
    Ok(snapshot)
}

/// Another directory with another configuration (or none) has another state than the one
/// the plan was made against (another checkout of the same configuration is fine). Returns
/// whether the configuration here is the saved one.
fn refuse_other_directory(env: &Env, saved: &SavedPlan, path: &Path) -> Result<bool, Failure> {
    let current = config::read_dir_as(&env.dir, &env.shown_dir(), &mut Vec::new());
    let same_config = crate::planfile::config_hash(&current) == saved.config_sha256;
    let here = std::path::absolute(&env.dir)
        .map(|d| normalized(&d).display().to_string())
        .unwrap_or_default();
    if here != saved.dir && !same_config {
        return Err(fail(format!(
            "`{}` was made for the configuration in `{}`, but this command runs in `{here}`, whose configuration is another one; nothing was changed\n  run it there: `vpcep -C {} apply {}`",
            path.display(),
            saved.dir,
            saved.dir,
            std::path::absolute(path)
                .unwrap_or_else(|_| path.to_path_buf())
                .display()
        )));
    }
    Ok(same_config)
}

/// The stored state, which must be the one the plan was made against (lineage, serial and
/// content).
fn refuse_stale(
    store: &mut dyn StateStore,
    saved: &SavedPlan,
    path: &Path,
) -> Result<Option<crate::model::RecordedState>, Failure> {
    let stored = store.read().map_err(Failure::from)?;
    let now = stored.as_ref().map(|s| (s.lineage.clone(), s.serial));
    let now_sha256 = stored.as_ref().map(crate::planfile::state_hash);
    if now == saved.base && now_sha256 == saved.base_sha256 {
        return Ok(stored);
    }
    let describe = |b: &Option<(String, u64)>| match b {
        Some((lineage, serial)) => format!("lineage {lineage}, serial {serial}"),
        None => "no state yet".to_owned(),
    };
    let what = if now == saved.base {
        format!("{}, whose content has changed since", describe(&saved.base))
    } else {
        format!(
            "{}, but the state is now at {}",
            describe(&saved.base),
            describe(&now)
        )
    };
    Err(fail(format!(
        "the saved plan `{}` is stale: it was made against {what}; nothing was changed\n  run `vpcep plan --out {}` again and review the new plan",
        path.display(),
        path.display()
    ))
    .with_kind(FailureKind::PlanStale))
}

/// The file's changes must be what its configuration and state give (else it was edited),
/// and no rule may refuse them now.
fn refuse_edited_or_refused_now(
    derived: &crate::plan::Plan,
    saved: &SavedPlan,
    path: &Path,
) -> Result<(), Failure> {
    if derived.changes != saved.plan.changes {
        let differs = derived
            .changes
            .iter()
            .zip(&saved.plan.changes)
            .find(|(a, b)| a != b)
            .map_or_else(
                || "it has another number of changes".to_owned(),
                |(a, b)| {
                    format!(
                        "its change of `{}` ({}) is not what its configuration and state give for `{}` ({})",
                        b.address,
                        b.action.as_str(),
                        a.address,
                        a.action.as_str()
                    )
                },
            );
        return Err(edited(path, &differs));
    }
    if derived.is_refused() {
        let reasons: Vec<String> = derived
            .refusals
            .iter()
            .map(|r| format!("  - {}", r.message))
            .collect();
        return Err(fail(format!(
            "`{}` is refused now: the cloud has changed since it was made and\n{}\n  nothing was changed; make the plan again with `vpcep plan --out {}`",
            path.display(),
            reasons.join("\n"),
            path.display()
        ))
        .with_kind(FailureKind::PlanRefused));
    }
    Ok(())
}
