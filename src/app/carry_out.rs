//! Carrying out a plan once it is shown and confirmed: the outputs that follow the
//! configuration when no resource changes, and apply with the configuration evaluated again
//! against what it made (the resolver), so that the command line only shows, asks and reports.

use super::{Env, Failure, Planned, fail};
use crate::apply::{self, ApplyOptions, Event, Report};
use crate::model::{RecordedOutput, RecordedState};

/// With no resource to change, the outputs still follow the configuration (as Terraform's
/// "Changes to Outputs"): the state records the ones known now, and is marked changed when
/// that differs from what it recorded.
pub fn outputs_follow(planned: &mut Planned) {
    if planned.plan.has_changes() {
        return;
    }
    let outputs: indexmap::IndexMap<String, RecordedOutput> = planned
        .desired
        .outputs
        .iter()
        .filter(|(_, o)| o.value.is_known())
        .map(|(k, o)| {
            (
                k.clone(),
                RecordedOutput {
                    value: o.value.clone(),
                    sensitive: o.sensitive,
                },
            )
        })
        .collect();
    if outputs != planned.state.outputs {
        planned.state.outputs = outputs;
        planned.state_changed = true;
    }
}

/// What an apply did, and what it leaves to report.
pub struct Applied {
    /// What it did, or why the state could not be recorded (with the state error's kind).
    pub report: Result<Report, Failure>,
    /// The state as recorded at the end.
    pub state: RecordedState,
    /// The providers' clouds (their request counts, for the traffic line).
    pub clouds: crate::cloud::Clouds,
}

/// Carries `planned` out: every step recorded as it completes, `on_event` told of each. The
/// configuration is kept (and evaluated again) only when apply needs it: values unknown at
/// plan time, outputs, checks. A state that cannot be recorded stops it.
pub fn carry_out(
    env: &Env,
    planned: Planned,
    options: &ApplyOptions,
    on_event: &mut dyn FnMut(Event),
) -> Applied {
    let Planned {
        snapshot,
        mut store,
        mut state,
        clouds,
        plan,
        desired,
        reads,
        ..
    } = planned;
    // Outputs and `check` blocks are evaluated once more against what apply made.
    let outputs = !desired.outputs.is_empty() || !desired.checks.is_empty();
    let checks = desired.resources.values().any(|r| r.deferred_checks);
    // The plan holds every value apply needs; the configuration is kept only if apply will
    // evaluate it again.
    drop(desired);
    let keep_config = outputs || checks || plan.changes.iter().any(apply::needs_configuration);
    let snapshot = keep_config.then_some(snapshot);
    let remember = |loaded: &crate::config::Loaded| env.observer.secrets(&loaded.secrets);
    let mut from_config;
    let mut without_config = apply::NoConfiguration;
    let resolver: &mut dyn apply::Resolver = match &snapshot {
        Some(snapshot) => {
            from_config = crate::derive::ConfigResolver {
                source: snapshot,
                on_load: &remember,
                outputs,
                checks,
                data: Some(crate::derive::DataAccess {
                    clouds: &clouds,
                    reads: &reads,
                }),
            };
            &mut from_config
        }
        None => &mut without_config,
    };
    let report = apply::apply(
        &plan,
        &clouds,
        store.as_mut(),
        &mut state,
        resolver,
        options,
        on_event,
    )
    .map_err(|e| {
        let kind = crate::failure::Kind::of_state(e.kind);
        fail(format!(
            "recording state failed: {e}; the last recorded changes are in the journal beside the state file"
        ))
        .with_kind(kind)
    });
    Applied {
        report,
        state,
        clouds,
    }
}
