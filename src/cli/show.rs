//! `vpcep show`: reads the recorded resources, as the cloud reports them now, or a saved plan,
//! and prints them with the renderers of `render` (`render::state` for people).

use super::output::{complain, say, say_raw};
use super::{args::Format, args::ShowArgs, args::StateArgs, environment::Globals};
use crate::app::{self as session, fail};
use crate::config::VarArg;
use crate::model::RecordedState;
use std::fmt::Write as _;

/// Reads the state without locking (for commands that only look).
pub(crate) fn read_state(
    globals: &Globals,
    args: &StateArgs,
    vars: &[VarArg],
) -> Result<(RecordedState, String), super::failure::Failure> {
    session::look::recorded(&globals.env, vars, args.state.as_ref())
}

/// Renders a saved plan in any format.
fn show_plan_file(
    globals: &Globals,
    path: &std::path::Path,
    args: &ShowArgs,
) -> super::failure::Outcome {
    let format = args.format;
    let text = match crate::fsio::read_text(path, crate::fsio::MAX_STATE_FILE, "the plan file") {
        Ok(t) => t,
        Err(e) => return Err(fail(e)),
    };
    let saved = match crate::planfile::decode(&text) {
        Ok(s) => s,
        Err(e) => return Err(fail(format!("`{}` cannot be shown: {e}", path.display()))),
    };
    let options = crate::config::LoadOptions {
        dir: globals.env.dir.clone(),
        shown_dir: Some(globals.shown_dir()),
        sources: Some(saved.sources.clone()),
        var_values: Some(saved.variables.clone()),
        ..crate::config::LoadOptions::default()
    };
    let loaded = crate::config::load_with(
        &options,
        &crate::derive::StateValues {
            state: &saved.state,
            unknown: &std::collections::HashSet::new(),
        },
    );
    super::output::remember_secrets(&loaded.secrets);
    let Some(desired) = loaded.desired else {
        super::diagnostics::print_diagnostics(globals, &loaded.diagnostics);
        return Err(fail("the configuration saved in the plan has errors"));
    };
    let backend =
        session::state_location(&globals.env, &desired.settings, args.common.state.as_ref())
            .map_or_else(|_| "(unknown)".to_owned(), |l| l.describe());
    let view = super::plan::View {
        plan: &saved.plan,
        prior: &saved.state,
        desired: &desired,
        cloud: saved.cloud.clone(),
        simulated: saved.simulated,
        dir: super::plan::review_dir(globals),
        backend,
    };
    if let Some(dir) = &args.out_dir {
        if format != Format::Markdown {
            return Err(fail(
                "`--out-dir` writes the markdown plan's comments; use it with `--format markdown`",
            ));
        }
        super::plan::write_comments(&view.comments(), dir)?;
        return Ok(0);
    }
    say_raw!(
        "{}",
        view.render(
            format,
            crate::render::style::Style {
                color: globals.color_out
            }
        )
    );
    Ok(0)
}

/// Shows the recorded resources as the cloud reports them now (statuses and connections
/// change outside vpcep), or a saved plan; changes nothing, takes no lock.
pub(crate) fn run(globals: &Globals, args: &ShowArgs, vars: &[VarArg]) -> super::failure::Outcome {
    if let Some(file) = &args.plan_file {
        return show_plan_file(globals, file, args);
    }
    if args.format == Format::Markdown {
        return Err(fail(
            "`--format markdown` is for plans; use `vpcep show PLANFILE --format markdown`",
        ));
    }
    let current = session::look::current(&globals.env, vars, args.common.state.as_ref())?;
    if let Some(why) = &current.unreadable {
        complain!("warning: {why}; showing the recorded state");
    }
    let mut header = String::new();
    if let Some(seen) = &current.seen {
        let simulated = if seen.simulated {
            " — not a real cloud"
        } else {
            ""
        };
        header = format!("As {} reports it now{simulated}:\n\n", seen.cloud);
        for address in &seen.deleted {
            let _ = writeln!(
                header,
                "Note: `{address}` is recorded but no longer exists in the cloud\n"
            );
        }
        for w in &seen.waiting {
            let c = &w.request;
            let decision = w.accepted_by.as_ref().map_or_else(
                || "; no approval of the configuration accepts it".to_owned(),
                |a| format!("; `{a}` accepts it on the next apply"),
            );
            let _ = writeln!(
                header,
                "Waiting for a decision: endpoint {} of account {} to `{}` ({} since {}){decision}\n",
                c.endpoint_id, c.account, c.service, c.status, c.since
            );
        }
    }
    let (state, location) = (current.state, current.location);
    if args.format == Format::Json {
        say!("{}", crate::render::json::state_values(&state));
    } else {
        say_raw!("{header}{}", crate::render::state::human(&state, &location));
    }
    Ok(0)
}
