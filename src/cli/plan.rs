//! `vpcep plan`: refresh, plan, render; exit 1 when refused, 2 with `--detailed-exitcode` and
//! changes.

use super::session::{self, PlanSettings, Planned};
use super::{Globals, PlanArgs};
use crate::config::VarArg;
use crate::plan::PlanOptions;
use crate::render::human;
use crate::render::style::Style;

pub(crate) fn settings(args: &PlanArgs, destroy: bool) -> PlanSettings {
    PlanSettings {
        refresh: args.refresh,
        options: PlanOptions {
            replace: args.replace.clone(),
            targets: args.target.clone(),
            destroy: destroy || args.destroy,
        },
        state: args.common.state.clone(),
        lock_timeout: args.common.lock_timeout,
    }
}

/// The line that says which cloud is used (the simulator is never mistaken for a cloud).
pub(crate) fn cloud_line(planned: &Planned) -> String {
    if planned.cloud.is_simulated() {
        format!("Using {} — not a real cloud.\n", planned.cloud.describe())
    } else {
        format!("Using {}.\n", planned.cloud.describe())
    }
}

pub(crate) fn run(globals: &Globals, args: &PlanArgs, vars: &[VarArg]) -> u8 {
    let planned = match session::plan(globals, vars, &settings(args, false), "plan") {
        Ok(p) => p,
        Err(code) => return code,
    };
    let style = Style {
        color: globals.color_out,
    };
    print!("{}", cloud_line(&planned));
    println!();
    print!("{}", human::render_plan(&planned.plan, style));
    if planned.plan.is_refused() {
        return session::fail(
            "the plan is refused; nothing can be applied until the refusals above are resolved",
        );
    }
    if args.detailed_exitcode && planned.plan.has_changes() {
        return 2;
    }
    0
}
