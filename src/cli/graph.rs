//! `vpcep graph`: the configuration's dependency graph, or a saved plan's changes, as DOT or
//! mermaid (`render::graph`).

use super::environment::Globals;
use super::failure::{Outcome, fail};
use super::output::say_raw;
use crate::config::{self, VarArg};
use crate::render::graph;
use clap::Args;
use std::path::PathBuf;

#[derive(Debug, Args, Clone)]
pub(crate) struct GraphArgs {
    /// Draw a plan's changes (coloured by action, refused ones marked) instead of the
    /// configuration's resources: those of PLANFILE, saved with `plan --out`, or without it
    /// a plan made now (refreshing, as `vpcep plan` does)
    #[arg(long, value_name = "PLANFILE", num_args = 0..=1)]
    // clap's way to tell "no --plan" from "--plan" from "--plan FILE".
    #[allow(clippy::option_option)]
    plan: Option<Option<PathBuf>>,
    /// `dot` for Graphviz (`vpcep graph | dot -Tsvg > graph.svg`), `mermaid` for GitHub markdown
    #[arg(long, value_enum, default_value_t = GraphFormat::Dot)]
    format: GraphFormat,
    /// With `--plan` and no PLANFILE: read the cloud before planning (--refresh=false plans
    /// from recorded state)
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set, num_args = 0..=1, default_missing_value = "true", require_equals = true, value_name = "BOOL", requires = "plan")]
    refresh: bool,
    #[command(flatten)]
    pub(super) common: super::args::StateArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum GraphFormat {
    Dot,
    Mermaid,
}

pub(crate) fn run(globals: &Globals, args: &GraphArgs, vars: &[VarArg]) -> Outcome {
    let drawn = match &args.plan {
        Some(None) => {
            let settings = crate::app::PlanSettings {
                refresh: args.refresh,
                refresh_only: false,
                forget_missing: false,
                saving: false,
                options: crate::plan::PlanOptions::default(),
                state: args.common.state.clone(),
                lock_timeout: args.common.lock_timeout,
            };
            let planned = crate::app::plan(&globals.env, vars, &settings, "graph")?;
            graph::of_plan(&planned.plan)
        }
        Some(Some(path)) => {
            let text = crate::fsio::read_text(path, crate::fsio::MAX_STATE_FILE, "the plan file")
                .map_err(fail)?;
            let saved = crate::planfile::decode(&text)
                .map_err(|e| fail(format!("`{}` cannot be drawn: {e}", path.display())))?;
            graph::of_plan(&saved.plan)
        }
        None => {
            let loaded = config::load(&globals.load_options(vars));
            super::output::remember_secrets(&loaded.secrets);
            let Some(desired) = loaded.desired else {
                return Err(fail("the configuration has errors; nothing was drawn")
                    .with_diagnostics(loaded.diagnostics));
            };
            super::diagnostics::print_diagnostics(globals, &loaded.diagnostics);
            graph::of_config(&desired)
        }
    };
    say_raw!(
        "{}",
        match args.format {
            GraphFormat::Dot => graph::dot(&drawn),
            GraphFormat::Mermaid => graph::mermaid(&drawn),
        }
    );
    Ok(0)
}
