//! `vpcep apply` and `vpcep destroy`: plan, confirm, execute with progress, summarise.

use super::failure::{Outcome, fail};
use super::output::{complain, say, say_raw};
use super::{args::ApplyArgs, environment::Globals};
use crate::app::{self as session, Planned};
use crate::apply::{self, ApplyOptions, Event};
use crate::config::VarArg;
use crate::model::RecordedState;
use crate::plan::Action;
use crate::render::events;
use crate::render::human;
use crate::render::style::Style;
use std::io::Write as _;

/// Where apply's progress goes: lines of text (under a progress bar on a terminal), or one
/// JSON event per line.
struct Progress {
    bar: Option<indicatif::ProgressBar>,
    json: bool,
}

impl Progress {
    fn new(globals: &Globals, steps: usize, json: bool) -> Self {
        let bar = (!json && globals.progress && steps > 1).then(|| {
            let bar = indicatif::ProgressBar::new(steps as u64);
            if let Ok(style) = indicatif::ProgressStyle::with_template(
                "{bar:40} {pos}/{len} steps, {elapsed} elapsed {msg}",
            ) {
                bar.set_style(style);
            }
            bar
        });
        Progress { bar, json }
    }

    fn event(&self, event: &Event) {
        if self.json {
            say!("{}", events::json(event, &super::output::now()));
            return;
        }
        let line = events::line(event);
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

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

fn confirm(destroy: bool) -> bool {
    ask(if destroy {
        "Do you really want to destroy all these resources? Deleted services cannot be recovered.\n  Only 'yes' will be accepted to approve."
    } else {
        "Do you want to perform these actions?\n  Only 'yes' will be accepted to approve."
    })
}

/// Asks `question` on the terminal: whether the answer is `yes`.
fn ask(question: &str) -> bool {
    say_raw!("{question}\n\n  Enter a value: ");
    let _ = std::io::stdout().flush();
    let mut answer = String::new();
    std::io::stdin().read_line(&mut answer).is_ok() && answer.trim() == "yes"
}

/// Where apply cannot ask (not on a terminal, or with `--json`) and was not told
/// `--auto-approve`.
fn needs_auto_approve() -> super::failure::Failure {
    fail(
        "apply needs `--auto-approve` when it cannot ask for confirmation (not on a terminal, or with --json); nothing was changed",
    )
}

/// The `change_summary` event of a run that changed nothing in the cloud.
fn nothing_done(line: &str, operation: &str) -> String {
    events::change_summary(
        line,
        &events::ChangeSummary {
            add: 0,
            change: 0,
            remove: 0,
            failed: 0,
            skipped: 0,
            operation,
            success: true,
        },
        &super::output::now(),
    )
}

/// The plan flags apply and destroy take but would do nothing with: an error, not silence.
fn ignored_flags(args: &ApplyArgs, operation: &str) -> Result<(), super::failure::Failure> {
    if args.plan.out.is_some() {
        return Err(fail(format!(
            "`{operation}` does not save a plan, so `--out` would do nothing; run `vpcep plan --out FILE`, then `vpcep apply FILE`"
        )));
    }
    if args.plan.out_dir.is_some() {
        return Err(fail(format!(
            "`{operation}` writes no pull-request comments, so `--out-dir` would do nothing; it is a plan flag (`vpcep plan --format markdown --out-dir DIR`)"
        )));
    }
    if args.plan.format != super::args::Format::Human {
        return Err(fail(format!(
            "`{operation}` prints text, or one JSON event per line with `--json`; `--format` is a plan flag (`vpcep plan --format json|markdown`)"
        )));
    }
    if args.plan.detailed_exitcode {
        return Err(fail(format!(
            "`{operation}` exits 0 when everything was done and 1 when not; `--detailed-exitcode` is a plan flag"
        )));
    }
    Ok(())
}

/// The last line of a run that did everything: Terraform's wording for each command.
fn complete_line(destroy: bool, added: usize, changed: usize, destroyed: usize) -> String {
    if destroy {
        format!("Destroy complete! Resources: {destroyed} destroyed.")
    } else {
        format!(
            "Apply complete! Resources: {added} added, {changed} changed, {destroyed} destroyed."
        )
    }
}

pub(crate) fn run(globals: &Globals, args: &ApplyArgs, vars: &[VarArg], destroy: bool) -> Outcome {
    let started = std::time::Instant::now();
    let operation = if destroy { "destroy" } else { "apply" };
    let mut planned = open_plan(globals, args, vars, destroy)?;
    let style = Style {
        color: globals.color_out,
    };
    let steps = planned
        .plan
        .actions()
        .map(|c| if c.action == Action::Replace { 2 } else { 1 })
        .sum();
    let progress = Progress::new(globals, steps, args.json);
    show_plan(globals, args, &planned, style);
    if planned.plan.is_refused() {
        return Err(fail("the plan is refused; nothing was changed")
            .with_kind(crate::app::FailureKind::PlanRefused));
    }
    if planned.plan.refresh_only {
        return record_refresh(globals, planned, args, style);
    }
    session::carry_out::outputs_follow(&mut planned);
    session::persist_refreshed(&mut planned)?;
    if !planned.plan.has_changes() {
        let line = complete_line(destroy, 0, 0, 0);
        let line = line.as_str();
        if args.json {
            say!("{}", nothing_done(line, operation));
        } else {
            say!("\n{line}");
            // As Terraform: the outputs after every apply, changes or not (a data source may
            // have read something new).
            if !destroy {
                print_outputs(&planned.state);
            }
        }
        return Ok(0);
    }
    if !args.auto_approve && args.plan_file.is_none() {
        if args.json || !globals.interactive {
            return Err(needs_auto_approve());
        }
        say!();
        if !confirm(destroy || planned.plan.deletes_anything()) {
            say!("\nApply cancelled.");
            return Ok(1);
        }
    }
    if !args.json {
        say!();
    }
    let options = ApplyOptions {
        parallelism: usize::from(args.parallelism),
        interrupt: Some(interrupt_on_ctrl_c()),
    };
    let watching = watch_throttling(&planned.clouds, progress.bar.clone(), args.json);
    let applied = session::carry_out::carry_out(&globals.env, planned, &options, &mut |e| {
        progress.event(&e);
    });
    drop(watching);
    progress.finish();
    report_traffic(&applied.clouds, started, args.json);
    let report = applied.report?;
    Ok(show_report(args, destroy, &report, &applied.state, style))
}

/// The plan `apply` carries out: the saved one it was given, or one made now; flags that
/// would be ignored are refused first.
fn open_plan(
    globals: &Globals,
    args: &ApplyArgs,
    vars: &[VarArg],
    destroy: bool,
) -> Result<Planned, super::failure::Failure> {
    let operation = if destroy { "destroy" } else { "apply" };
    ignored_flags(args, operation)?;
    super::plan::check_refresh_only(&args.plan, destroy)?;
    if args.plan.refresh_only && args.plan_file.is_some() {
        return Err(fail(
            "`--refresh-only` takes no plan file: it plans and records what changed outside vpcep in one run",
        ));
    }
    match &args.plan_file {
        Some(_) if destroy => Err(fail(
            "`destroy` takes no plan file; use `vpcep plan --destroy --out FILE`, then `vpcep apply FILE`",
        )),
        Some(file) => session::from_plan_file(
            &globals.env,
            vars,
            file,
            args.plan.common.state.as_ref(),
            args.plan.common.lock_timeout,
        ),
        None => session::plan(
            &globals.env,
            vars,
            &super::plan::settings(&args.plan, destroy),
            operation,
        ),
    }
}

/// Shows the plan before it is carried out: whole, or one line for a saved plan the user
/// reviewed already, or the `plan_summary` event under `--json`.
fn show_plan(globals: &Globals, args: &ApplyArgs, planned: &Planned, style: Style) {
    if args.json {
        say!(
            "{}",
            events::plan_summary(
                &planned.plan,
                &planned.clouds.describe(),
                planned.clouds.all_simulated(),
                &super::output::now()
            )
        );
    } else if let Some(file) = &args.plan_file {
        say_raw!("{}", super::plan::View::of(planned, globals).cloud_line());
        say!(
            "Applying the saved plan {}: {}",
            file.display(),
            human::summary_line(&planned.plan)
        );
    } else {
        super::output::stdout(
            &super::plan::View::of(planned, globals).render(super::args::Format::Human, style),
        );
    }
}

/// The last line of a run and what follows it (warnings of checks, outputs, or what failed
/// and what to do); the exit code: 0 when everything was done.
fn show_report(
    args: &ApplyArgs,
    destroy: bool,
    report: &apply::Report,
    state: &RecordedState,
    style: Style,
) -> u8 {
    let line = if report.succeeded() {
        complete_line(destroy, report.added, report.changed, report.destroyed)
    } else if report.interrupted {
        format!(
            "Apply interrupted! Resources: {} added, {} changed, {} destroyed; {} failed, {} not started.",
            report.added,
            report.changed,
            report.destroyed,
            report.failed.len(),
            report.not_started
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
    let warnings = report
        .checks
        .iter()
        .filter_map(crate::model::CheckResult::warning);
    if args.json {
        let summary = events::ChangeSummary {
            add: report.added,
            change: report.changed,
            remove: report.destroyed,
            failed: report.failed.len(),
            skipped: report.skipped.len(),
            operation: if destroy { "destroy" } else { "apply" },
            success: report.succeeded(),
        };
        for w in warnings {
            say!(
                "{}",
                events::config_diagnostic(
                    &crate::diag::Diagnostic::warning(w),
                    &super::output::now()
                )
            );
        }
        say!(
            "{}",
            events::change_summary(&line, &summary, &super::output::now())
        );
        return u8::from(!report.succeeded());
    }
    say!();
    if report.succeeded() {
        say!("{}", style.bold(&line));
        for w in warnings {
            complain!("{}: {w}", style.yellow("Warning"));
        }
        print_outputs(state);
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
    if report.interrupted {
        complain!("note: everything that completed is recorded; run apply again to finish");
    } else {
        complain!(
            "note: everything that completed is recorded; fix the cause and run apply again to finish"
        );
    }
    1
}

/// While it lives, says when the API gateway throttles: the progress bar's message on a
/// terminal, else a line at most every ten seconds (nothing under `--json`, whose summary
/// event says it all). Stops when dropped.
struct Watching {
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for Watching {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn watch_throttling(
    clouds: &crate::cloud::Clouds,
    bar: Option<indicatif::ProgressBar>,
    json: bool,
) -> Option<Watching> {
    use std::sync::atomic::Ordering;
    let budgets: Vec<_> = std::iter::once(&clouds.default)
        .chain(clouds.aliased.values())
        .filter_map(|c| c.budget())
        .collect();
    if budgets.is_empty() || json {
        return None;
    }
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let stopping = stop.clone();
    let thread = std::thread::spawn(move || {
        let throttled = || budgets.iter().map(|b| b.traffic().throttled).sum::<u64>();
        let rate = || budgets.iter().map(|b| b.traffic().rate).sum::<f64>();
        let mut seen = throttled();
        let mut said: Option<std::time::Instant> = None;
        let mut quiet_since = std::time::Instant::now();
        // A last look once asked to stop: a throttle of the apply's last moments is said too.
        loop {
            let last = stopping.load(Ordering::Relaxed);
            if !last {
                std::thread::sleep(std::time::Duration::from_millis(250));
            }
            let now = throttled();
            if now > seen {
                seen = now;
                quiet_since = std::time::Instant::now();
                let rate = rate();
                match &bar {
                    Some(bar) => bar.set_message(format!(
                        "waiting for the API gateway's rate limit (now {rate:.0} requests/s)"
                    )),
                    None if said
                        .is_none_or(|t| t.elapsed() >= std::time::Duration::from_secs(10)) =>
                    {
                        say!(
                            "Throttled by the API gateway: waiting for its rate limit (now {rate:.0} requests/s)"
                        );
                        said = Some(std::time::Instant::now());
                    }
                    None => {}
                }
            } else if let Some(bar) = &bar
                && quiet_since.elapsed() >= std::time::Duration::from_secs(2)
            {
                bar.set_message("");
            }
            if last {
                break;
            }
        }
    });
    Some(Watching {
        stop,
        thread: Some(thread),
    })
}

/// After an apply against an API: the requests it sent, how many the gateway throttled, and
/// the rate it ran at.
fn report_traffic(clouds: &crate::cloud::Clouds, started: std::time::Instant, json: bool) {
    let Some(t) = clouds.traffic() else {
        return;
    };
    let elapsed = started.elapsed().as_secs_f64().max(0.001);
    #[allow(clippy::cast_precision_loss)]
    let average = (t.requests - t.throttled.min(t.requests)) as f64 / elapsed;
    let message = format!(
        "API: {} requests, {} throttled by the gateway and sent again; {average:.1} requests/s on average, {:.1} at the end",
        t.requests, t.throttled, t.rate
    );
    if json {
        say!(
            "{}",
            events::api_traffic(
                &message,
                &events::ApiTraffic {
                    requests: t.requests,
                    throttled: t.throttled,
                    rate: t.rate,
                    average_rate: average,
                    elapsed_seconds: elapsed,
                },
                &super::output::now()
            )
        );
    } else {
        say!("{message}");
    }
}

/// `apply --refresh-only`, after its plan is shown: asks (unless `--auto-approve`), then records
/// what refresh found — changing nothing in the cloud.
fn record_refresh(
    globals: &Globals,
    mut planned: Planned,
    args: &ApplyArgs,
    style: Style,
) -> Outcome {
    let line = complete_line(false, 0, 0, 0);
    if planned.plan.has_changes() && !args.auto_approve {
        if args.json || !globals.interactive {
            return Err(needs_auto_approve());
        }
        if !ask(
            "\nWould you like to update the vpcep state to reflect these detected changes?\n  vpcep will write these changes to the state without modifying any real infrastructure.\n  Only 'yes' will be accepted to confirm.",
        ) {
            say!("\nApply cancelled.");
            return Ok(1);
        }
    }
    session::persist_refreshed(&mut planned)?;
    if args.json {
        say!("{}", nothing_done(&line, "refresh"));
    } else {
        say!("\n{}", style.bold(&line));
        print_outputs(&planned.state);
    }
    Ok(0)
}

/// `vpcep refresh`: `apply --refresh-only --auto-approve`, told in a few lines — every rule
/// that guards a state write (the refresh guard, providers the configuration no longer
/// declares) holds here as for `plan` and `apply`.
pub(crate) fn refresh(
    globals: &Globals,
    args: &super::args::RefreshArgs,
    vars: &[VarArg],
) -> Outcome {
    let settings = session::PlanSettings {
        refresh: true,
        refresh_only: true,
        forget_missing: args.forget_missing,
        saving: false,
        options: crate::plan::PlanOptions::default(),
        state: args.common.state.clone(),
        lock_timeout: args.common.lock_timeout,
    };
    let mut planned = session::plan(&globals.env, vars, &settings, "refresh")?;
    if planned.clouds.all_simulated() {
        say!("Using {} — not a real cloud.", planned.clouds.describe());
    }
    for note in &planned.plan.notes {
        say!("Note: {note}");
    }
    for d in &planned.plan.drift {
        match d {
            crate::plan::Drift::Changed { address, attrs, .. } => {
                say!("{address}: changed outside vpcep ({})", attrs.join(", "));
            }
            crate::plan::Drift::Deleted { address, .. } => {
                say!("{address}: deleted outside vpcep; removed from the state");
            }
        }
    }
    session::persist_refreshed(&mut planned)?;
    let n = planned.state.resources.len();
    say!(
        "Refreshed {n} resource{}; {} changed outside vpcep.",
        if n == 1 { "" } else { "s" },
        planned.plan.drift.len()
    );
    Ok(0)
}

/// From here on, Ctrl-C (or SIGTERM) asks the apply to stop: running steps finish and are
/// recorded, no other starts. A second one exits at once (code 130), as a crash would: every
/// step is journaled before it starts, so the next command finds what it left. A signal whose
/// handlers cannot be installed stops the process as it always does.
fn interrupt_on_ctrl_c() -> std::sync::Arc<std::sync::atomic::AtomicBool> {
    let flag = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        // The first signal sets the flag; the conditional exit, registered first, acts only
        // on a signal that finds it set. Without the exit, the flag is not set either.
        if signal_hook::flag::register_conditional_shutdown(signal, 130, flag.clone()).is_ok() {
            let _ = signal_hook::flag::register(signal, flag.clone());
        }
    }
    flag
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
