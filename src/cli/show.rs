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
    let snapshot = session::snapshot(&globals.env, vars)?;
    read_state_of(globals, args, &snapshot)
}

fn read_state_of(
    globals: &Globals,
    args: &StateArgs,
    snapshot: &session::Snapshot,
) -> Result<(RecordedState, String), super::failure::Failure> {
    let mut store =
        session::store_for(&globals.env, &snapshot.settings, args.state.as_ref(), None)?;
    let state = store
        .read()
        .map_err(crate::app::Failure::from)?
        .unwrap_or_default();
    Ok((state, store.describe()))
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
    let snapshot = session::snapshot(&globals.env, vars)?;
    let (mut state, location) = read_state_of(globals, &args.common, &snapshot)?;
    let mut header = String::new();
    if !state.resources.is_empty() {
        let cloud = session::open_clouds(&globals.env, &snapshot.settings)?;
        match crate::refresh::refresh_all(&cloud, &state) {
            Ok(refreshed) => {
                let simulated = if cloud.all_simulated() {
                    " — not a real cloud"
                } else {
                    ""
                };
                header = format!("As {} reports it now{simulated}:\n\n", cloud.describe());
                for d in &refreshed.drift {
                    if let crate::plan::Drift::Deleted { address, .. } = d {
                        let _ = writeln!(
                            header,
                            "Note: `{address}` is recorded but no longer exists in the cloud\n"
                        );
                    }
                }
                // Which approval of the configuration accepts each, when it evaluates.
                let desired = (!refreshed.requests.is_empty())
                    .then(|| snapshot.desired(&globals.env, &refreshed.state).ok())
                    .flatten()
                    .map(|(d, _)| d);
                for c in refreshed.requests.iter().filter(|c| c.waits()) {
                    let decision = desired
                        .as_ref()
                        .and_then(|d| crate::app::configured_approval(c, d))
                        .map_or_else(
                            || "; no approval of the configuration accepts it".to_owned(),
                            |a| format!("; `{a}` accepts it on the next apply"),
                        );
                    let _ = writeln!(
                        header,
                        "Waiting for a decision: endpoint {} of account {} to `{}` ({} since {}){decision}\n",
                        c.endpoint_id, c.account, c.service, c.status, c.since
                    );
                }
                state = refreshed.state;
            }
            Err(e) => complain!(
                "warning: cannot read {} ({e}); showing the recorded state",
                cloud.describe()
            ),
        }
    }
    if args.format == Format::Json {
        say!("{}", crate::render::json::state_values(&state));
    } else {
        say_raw!("{header}{}", crate::render::state::human(&state, &location));
    }
    Ok(0)
}
