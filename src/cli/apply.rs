//! `vpcep apply` and `vpcep destroy`: plan, confirm, execute with progress, summarise.

use super::output::{complain, say, say_raw};
use super::session::{self, Planned, fail};
use super::{ApplyArgs, Globals};
use crate::apply::{self, ApplyOptions, Event};
use crate::config::VarArg;
use crate::model::RecordedState;
use crate::plan::Action;
use crate::render::human;
use crate::render::style::Style;
use std::io::Write as _;
use std::time::Duration;

fn secs(d: Duration) -> String {
    format!("{}s", d.as_secs())
}

fn verbs(action: Action) -> (&'static str, &'static str, &'static str) {
    match action {
        Action::Create => ("Creating...", "creating", "Creation"),
        Action::Update => ("Modifying...", "modifying", "Modifications"),
        _ => ("Destroying...", "destroying", "Destruction"),
    }
}

/// The Terraform-style progress line of an event.
fn event_line(event: &Event) -> String {
    match event {
        Event::Start {
            address,
            action,
            id,
        } => {
            let (start, _, _) = verbs(*action);
            match (action, id) {
                (Action::Create, _) | (_, None) => format!("{address}: {start}"),
                (_, Some(id)) => format!("{address}: {start} [id={id}]"),
            }
        }
        Event::Progress {
            address,
            action,
            elapsed,
        } => {
            let (_, still, _) = verbs(*action);
            format!("{address}: Still {still}... [{} elapsed]", secs(*elapsed))
        }
        Event::Done {
            address,
            action,
            elapsed,
            id,
        } => {
            let (_, _, done) = verbs(*action);
            match (action, id) {
                (Action::Delete, _) | (_, None) => {
                    format!("{address}: {done} complete after {}", secs(*elapsed))
                }
                (_, Some(id)) => format!(
                    "{address}: {done} complete after {} [id={id}]",
                    secs(*elapsed)
                ),
            }
        }
        Event::Failed {
            address,
            action,
            elapsed,
            error,
        } => {
            let (_, _, done) = verbs(*action);
            format!("{address}: {done} failed after {}: {error}", secs(*elapsed))
        }
        Event::Skipped {
            address, reason, ..
        } => format!("{address}: Skipped, because {reason}"),
    }
}

/// Where apply's progress goes: lines of text (under a progress bar on a terminal), or one
/// JSON event per line.
struct Progress {
    bar: Option<indicatif::ProgressBar>,
    json: bool,
}

/// One JSON event line, with Terraform's `@level`, `@message`, `@timestamp` and `type`.
fn json_event(
    level: &str,
    message: &str,
    kind: &str,
    mut fields: serde_json::Map<String, serde_json::Value>,
) -> String {
    let mut m = serde_json::Map::new();
    m.insert("@level".into(), level.into());
    m.insert("@message".into(), message.into());
    m.insert(
        "@timestamp".into(),
        crate::state::lock::now_rfc3339().into(),
    );
    m.insert("type".into(), kind.into());
    m.append(&mut fields);
    serde_json::Value::Object(m).to_string()
}

fn event_json(event: &Event) -> String {
    let line = event_line(event);
    let (level, kind, mut fields) = match event {
        Event::Start {
            address,
            action,
            id,
        } => (
            "info",
            "apply_start",
            serde_json::json!({"address": address.to_string(), "action": action.as_str(), "id": id}),
        ),
        Event::Progress {
            address,
            action,
            elapsed,
        } => (
            "info",
            "apply_progress",
            serde_json::json!({"address": address.to_string(), "action": action.as_str(), "elapsed_seconds": elapsed.as_secs_f64()}),
        ),
        Event::Done {
            address,
            action,
            elapsed,
            id,
        } => (
            "info",
            "apply_complete",
            serde_json::json!({"address": address.to_string(), "action": action.as_str(), "elapsed_seconds": elapsed.as_secs_f64(), "id": id}),
        ),
        Event::Failed {
            address,
            action,
            elapsed,
            error,
        } => (
            "error",
            "apply_errored",
            serde_json::json!({"address": address.to_string(), "action": action.as_str(), "elapsed_seconds": elapsed.as_secs_f64(), "error": error}),
        ),
        Event::Skipped {
            address,
            action,
            reason,
        } => (
            "warn",
            "apply_skipped",
            serde_json::json!({"address": address.to_string(), "action": action.as_str(), "reason": reason}),
        ),
    };
    let fields = fields
        .as_object_mut()
        .map(std::mem::take)
        .unwrap_or_default();
    json_event(level, &line, kind, fields)
}

impl Progress {
    fn new(globals: &Globals, steps: usize, json: bool) -> Self {
        let bar = (!json && globals.progress && steps > 1).then(|| {
            let bar = indicatif::ProgressBar::new(steps as u64);
            if let Ok(style) = indicatif::ProgressStyle::with_template(
                "{bar:40} {pos}/{len} steps, {elapsed} elapsed",
            ) {
                bar.set_style(style);
            }
            bar
        });
        Progress { bar, json }
    }

    fn event(&self, event: &Event) {
        if self.json {
            say!("{}", event_json(event));
            return;
        }
        let line = event_line(event);
        match &self.bar {
            Some(bar) => {
                bar.println(super::output::redact(&line));
                if matches!(
                    event,
                    Event::Done { .. } | Event::Failed { .. } | Event::Skipped { .. }
                ) {
                    bar.inc(1);
                }
            }
            None => say!("{line}"),
        }
    }

    /// An error: a `diagnostic` event in JSON mode, `error: ...` on stderr otherwise.
    fn error(&self, message: &str) -> u8 {
        if self.json {
            let fields = serde_json::json!({"severity": "error", "summary": message});
            say!(
                "{}",
                json_event(
                    "error",
                    message,
                    "diagnostic",
                    fields.as_object().cloned().unwrap_or_default()
                )
            );
            1
        } else {
            fail(message)
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

fn confirm(destroy: bool) -> bool {
    let question = if destroy {
        "Do you really want to destroy all these resources? Deleted services cannot be recovered."
    } else {
        "Do you want to perform these actions?"
    };
    say_raw!("{question}\n  Only 'yes' will be accepted to approve.\n\n  Enter a value: ");
    let _ = std::io::stdout().flush();
    let mut answer = String::new();
    std::io::stdin().read_line(&mut answer).is_ok() && answer.trim() == "yes"
}

pub(crate) fn run(globals: &Globals, args: &ApplyArgs, vars: &[VarArg], destroy: bool) -> u8 {
    let operation = if destroy { "destroy" } else { "apply" };
    let planned = match &args.plan_file {
        Some(_) if destroy => {
            return fail(
                "`destroy` takes no plan file; use `vpcep plan --destroy --out FILE`, then `vpcep apply FILE`",
            );
        }
        Some(file) => session::from_plan_file(
            globals,
            file,
            args.plan.common.state.as_ref(),
            args.plan.common.lock_timeout,
        ),
        None => session::plan(
            globals,
            vars,
            &super::plan::settings(&args.plan, destroy),
            operation,
        ),
    };
    let mut planned: Planned = match planned {
        Ok(p) => p,
        Err(code) => return code,
    };
    let style = Style {
        color: globals.color_out,
    };
    let steps = planned
        .plan
        .actions()
        .map(|c| if c.action == Action::Replace { 2 } else { 1 })
        .sum();
    let progress = Progress::new(globals, steps, args.json);
    if args.json {
        let mut fields = serde_json::Map::new();
        fields.insert(
            "summary".into(),
            crate::render::json::summary(&planned.plan),
        );
        fields.insert("cloud".into(), planned.cloud.describe().into());
        fields.insert("simulated".into(), planned.cloud.is_simulated().into());
        say!(
            "{}",
            json_event(
                "info",
                &human::summary_line(&planned.plan),
                "plan_summary",
                fields
            )
        );
    } else if let Some(file) = &args.plan_file {
        say_raw!("{}", super::plan::View::of(&planned).cloud_line());
        say!(
            "Applying the saved plan {}: {}",
            file.display(),
            human::summary_line(&planned.plan)
        );
    } else {
        say_raw!(
            "{}",
            super::plan::View::of(&planned).render(super::Format::Human, style)
        );
    }
    if planned.plan.is_refused() {
        return progress.error("the plan is refused; nothing was changed");
    }
    if !planned.plan.has_changes() {
        // No resource changes: the outputs still follow the configuration (as Terraform's
        // "Changes to Outputs"), known as they all are now.
        let outputs: indexmap::IndexMap<String, crate::model::RecordedOutput> = planned
            .desired
            .outputs
            .iter()
            .filter(|(_, o)| o.value.is_known())
            .map(|(k, o)| {
                (
                    k.clone(),
                    crate::model::RecordedOutput {
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
    if let Err(code) = session::persist_refreshed(&mut planned) {
        return code;
    }
    if !planned.plan.has_changes() {
        if args.json {
            let fields = serde_json::json!({"add": 0, "change": 0, "remove": 0, "failed": 0, "skipped": 0, "operation": operation, "success": true});
            say!(
                "{}",
                json_event(
                    "info",
                    "Apply complete! Resources: 0 added, 0 changed, 0 destroyed.",
                    "change_summary",
                    fields.as_object().cloned().unwrap_or_default()
                )
            );
        } else {
            say!("\nApply complete! Resources: 0 added, 0 changed, 0 destroyed.");
        }
        return 0;
    }
    if !args.auto_approve && args.plan_file.is_none() {
        if args.json || !globals.interactive {
            return progress.error("apply needs `--auto-approve` when it cannot ask for confirmation (not on a terminal, or with --json); nothing was changed");
        }
        say!();
        if !confirm(destroy || planned.plan.deletes_anything()) {
            say!("\nApply cancelled.");
            return 1;
        }
    }
    if !args.json {
        say!();
    }
    let Planned {
        snapshot,
        mut store,
        mut state,
        cloud,
        plan,
        desired,
        ..
    } = planned;
    let outputs = !desired.outputs.is_empty();
    // The plan holds every value apply needs; the configuration is kept only if apply will
    // evaluate it again (values unknown at plan time, outputs).
    drop(desired);
    let keep_config = outputs || plan.changes.iter().any(apply::needs_configuration);
    let snapshot = keep_config.then_some(snapshot);
    let remember =
        |loaded: &crate::config::Loaded| super::output::remember_secrets(&loaded.secrets);
    let mut from_config;
    let mut without_config = apply::NoConfiguration;
    let resolver: &mut dyn apply::Resolver = match &snapshot {
        Some(snapshot) => {
            from_config = crate::derive::ConfigResolver {
                source: snapshot,
                on_load: &remember,
                outputs,
            };
            &mut from_config
        }
        None => &mut without_config,
    };
    let options = ApplyOptions {
        parallelism: usize::from(args.parallelism),
    };
    let result = apply::apply(
        &plan,
        cloud.as_ref(),
        store.as_mut(),
        &mut state,
        resolver,
        &options,
        &mut |e| progress.event(&e),
    );
    progress.finish();
    let report = match result {
        Ok(r) => r,
        Err(e) => return progress.error(&format!("recording state failed: {e}; the last recorded changes are in the journal beside the state file")),
    };
    let line = if report.succeeded() {
        format!(
            "Apply complete! Resources: {} added, {} changed, {} destroyed.",
            report.added, report.changed, report.destroyed
        )
    } else {
        format!(
            "Apply incomplete! Resources: {} added, {} changed, {} destroyed; {} failed, {} skipped.",
            report.added,
            report.changed,
            report.destroyed,
            report.failed.len(),
            report.skipped.len()
        )
    };
    if args.json {
        let fields = serde_json::json!({
            "add": report.added, "change": report.changed, "remove": report.destroyed,
            "failed": report.failed.len(), "skipped": report.skipped.len(),
            "operation": operation, "success": report.succeeded(),
        });
        let level = if report.succeeded() { "info" } else { "error" };
        say!(
            "{}",
            json_event(
                level,
                &line,
                "change_summary",
                fields.as_object().cloned().unwrap_or_default()
            )
        );
        return u8::from(!report.succeeded());
    }
    say!();
    if report.succeeded() {
        say!("{}", style.bold(&line));
        print_outputs(&state);
        return 0;
    }
    say!("{}", style.bold_red(&line));
    for (address, error) in &report.failed {
        complain!("error: {address}: {error}");
    }
    if !report.skipped.is_empty() {
        let list: Vec<String> = report.skipped.iter().map(|a| format!("`{a}`")).collect();
        complain!(
            "note: not attempted because what they depend on failed: {}",
            list.join(", ")
        );
    }
    complain!(
        "note: everything that completed is recorded; fix the cause and run apply again to finish"
    );
    1
}

fn print_outputs(state: &RecordedState) {
    if state.outputs.is_empty() {
        return;
    }
    say!("\nOutputs:\n");
    for (name, o) in &state.outputs {
        if o.sensitive {
            say!("{name} = (sensitive value)");
        } else {
            say!("{name} = {}", o.value);
        }
    }
}
