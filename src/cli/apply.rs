//! `vpcep apply` and `vpcep destroy`: plan, confirm, execute with progress, summarise.

use super::session::{self, Planned, Snapshot, fail};
use super::{ApplyArgs, Globals};
use crate::apply::{self, ApplyOptions, Event, Resolved, Resolver};
use crate::config::{self, VarArg};
use crate::model::{RecordedOutput, RecordedState};
use crate::plan::Action;
use crate::render::human;
use crate::render::style::Style;
use std::io::Write as _;
use std::time::Duration;

/// Re-evaluates the configuration snapshot the plan was made from.
struct SnapshotResolver<'a> {
    snapshot: &'a Snapshot,
}

impl Resolver for SnapshotResolver<'_> {
    fn resolve(&mut self, state: &RecordedState) -> Result<Resolved, String> {
        let loaded = config::load(&self.snapshot.options(state.computed_values()));
        let desired = loaded.desired.ok_or_else(|| {
            loaded
                .diagnostics
                .iter()
                .find(|d| d.is_error())
                .map_or_else(
                    || "the configuration has errors".to_owned(),
                    |d| d.message.clone(),
                )
        })?;
        Ok(Resolved {
            attrs: desired
                .resources
                .into_iter()
                .map(|(a, r)| (a, r.attrs))
                .collect(),
            outputs: desired
                .outputs
                .into_iter()
                .filter(|(_, o)| o.value.is_known())
                .map(|(k, o)| {
                    (
                        k,
                        RecordedOutput {
                            value: o.value,
                            sensitive: o.sensitive,
                        },
                    )
                })
                .collect(),
        })
    }
}

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

/// Prints progress lines; on a terminal, above a progress bar of completed steps.
struct Progress {
    bar: Option<indicatif::ProgressBar>,
}

impl Progress {
    fn new(globals: &Globals, steps: usize) -> Self {
        let bar = (globals.progress && steps > 1).then(|| {
            let bar = indicatif::ProgressBar::new(steps as u64);
            if let Ok(style) = indicatif::ProgressStyle::with_template(
                "{bar:40} {pos}/{len} steps, {elapsed} elapsed",
            ) {
                bar.set_style(style);
            }
            bar
        });
        Progress { bar }
    }

    fn event(&self, event: &Event) {
        let line = event_line(event);
        match &self.bar {
            Some(bar) => {
                bar.println(line);
                if matches!(
                    event,
                    Event::Done { .. } | Event::Failed { .. } | Event::Skipped { .. }
                ) {
                    bar.inc(1);
                }
            }
            None => println!("{line}"),
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
    print!("{question}\n  Only 'yes' will be accepted to approve.\n\n  Enter a value: ");
    let _ = std::io::stdout().flush();
    let mut answer = String::new();
    std::io::stdin().read_line(&mut answer).is_ok() && answer.trim() == "yes"
}

pub(crate) fn run(globals: &Globals, args: &ApplyArgs, vars: &[VarArg], destroy: bool) -> u8 {
    let operation = if destroy { "destroy" } else { "apply" };
    let mut planned: Planned = match session::plan(
        globals,
        vars,
        &super::plan::settings(&args.plan, destroy),
        operation,
    ) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let style = Style {
        color: globals.color_out,
    };
    print!("{}", super::plan::cloud_line(&planned));
    println!();
    print!("{}", human::render_plan(&planned.plan, style));
    if planned.plan.is_refused() {
        return fail("the plan is refused; nothing was changed");
    }
    if let Err(code) = session::persist_refreshed(&mut planned) {
        return code;
    }
    if !planned.plan.has_changes() {
        println!("\nApply complete! Resources: 0 added, 0 changed, 0 destroyed.");
        return 0;
    }
    if !args.auto_approve {
        if !globals.interactive {
            return fail(
                "apply needs `--auto-approve` when it cannot ask for confirmation (not on a terminal); nothing was changed",
            );
        }
        println!();
        if !confirm(destroy || planned.plan.deletes_anything()) {
            println!("\nApply cancelled.");
            return 1;
        }
    }
    println!();
    let Planned {
        snapshot,
        mut store,
        mut state,
        cloud,
        plan,
        ..
    } = planned;
    let mut resolver = SnapshotResolver {
        snapshot: &snapshot,
    };
    let options = ApplyOptions {
        parallelism: usize::from(args.parallelism),
    };
    let steps = plan
        .actions()
        .map(|c| if c.action == Action::Replace { 2 } else { 1 })
        .sum();
    let progress = Progress::new(globals, steps);
    let result = apply::apply(
        &plan,
        cloud.as_ref(),
        &mut store,
        &mut state,
        &mut resolver,
        &options,
        &mut |e| progress.event(&e),
    );
    progress.finish();
    let report = match result {
        Ok(r) => r,
        Err(e) => {
            return fail(format!(
                "recording state failed: {e}; the last recorded changes are in the journal beside the state file"
            ));
        }
    };
    println!();
    if report.succeeded() {
        println!(
            "{}",
            style.bold(&format!(
                "Apply complete! Resources: {} added, {} changed, {} destroyed.",
                report.added, report.changed, report.destroyed
            ))
        );
        print_outputs(&state);
        return 0;
    }
    println!(
        "{}",
        style.bold_red(&format!(
            "Apply incomplete! Resources: {} added, {} changed, {} destroyed; {} failed, {} skipped.",
            report.added,
            report.changed,
            report.destroyed,
            report.failed.len(),
            report.skipped.len()
        ))
    );
    for (address, error) in &report.failed {
        eprintln!("error: {address}: {error}");
    }
    if !report.skipped.is_empty() {
        let list: Vec<String> = report.skipped.iter().map(|a| format!("`{a}`")).collect();
        eprintln!(
            "note: not attempted because what they depend on failed: {}",
            list.join(", ")
        );
    }
    eprintln!(
        "note: everything that completed is recorded; fix the cause and run apply again to finish"
    );
    1
}

fn print_outputs(state: &RecordedState) {
    if state.outputs.is_empty() {
        return;
    }
    println!("\nOutputs:\n");
    for (name, o) in &state.outputs {
        if o.sensitive {
            println!("{name} = (sensitive value)");
        } else {
            println!("{name} = {}", o.value);
        }
    }
}
