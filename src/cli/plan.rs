//! `vpcep plan`: refresh, plan, render (human, JSON or markdown), optionally save; exit 1 when
//! refused, 2 with `--detailed-exitcode` and changes.

use super::output::complain;
use super::{args::Format, args::PlanArgs, environment::Globals};
use crate::app::{self as session, PlanSettings, Planned, fail};
use crate::config::VarArg;
use crate::model::{DesiredState, RecordedState};
use crate::plan::{Plan, PlanOptions};
use crate::render::style::Style;
use crate::render::{human, json, markdown};

pub(crate) fn settings(args: &PlanArgs, destroy: bool) -> PlanSettings {
    PlanSettings {
        refresh: args.refresh,
        refresh_only: args.refresh_only,
        forget_missing: args.forget_missing,
        saving: args.out.is_some(),
        options: PlanOptions {
            replace: args.replace.clone(),
            targets: args.target.clone(),
            destroy: destroy || args.destroy,
            allow_disconnect: args.allow_disconnect.clone(),
        },
        state: args.common.state.clone(),
        lock_timeout: args.common.lock_timeout,
    }
}

/// What every rendering of a plan needs.
pub(crate) struct View<'a> {
    pub plan: &'a Plan,
    pub prior: &'a RecordedState,
    pub desired: &'a DesiredState,
    pub cloud: String,
    pub simulated: bool,
    /// The configuration directory as a reviewer knows it (see [`review_dir`]).
    pub dir: String,
    /// Where the state is.
    pub backend: String,
}

impl<'a> View<'a> {
    pub(crate) fn of(planned: &'a Planned, globals: &Globals) -> Self {
        View {
            plan: &planned.plan,
            prior: &planned.state,
            desired: &planned.desired,
            cloud: planned.clouds.describe(),
            simulated: planned.clouds.all_simulated(),
            dir: review_dir(globals),
            backend: planned.store.describe(),
        }
    }

    /// The line that says which cloud is used (the simulator is never mistaken for a cloud).
    pub(crate) fn cloud_line(&self) -> String {
        if self.simulated {
            format!("Using {} — not a real cloud.\n", self.cloud)
        } else {
            format!("Using {}.\n", self.cloud)
        }
    }

    pub(crate) fn render(&self, format: Format, style: Style) -> String {
        match format {
            Format::Human => {
                let mut text = self.cloud_line();
                text.push('\n');
                human::render_plan_into(&mut text, self.plan, style);
                text
            }
            Format::Json => json::render_plan(&json::PlanDocument {
                plan: self.plan,
                prior: self.prior,
                desired: self.desired,
                cloud: &self.cloud,
                simulated: self.simulated,
            }),
            Format::Markdown => self.comments().join(COMMENT_BREAK),
        }
    }

    /// The plan as pull-request comments (more than one when it is longer than GitHub's
    /// limit for one).
    pub(crate) fn comments(&self) -> Vec<String> {
        let cloud = if self.simulated {
            format!("{} — not a real cloud", self.cloud)
        } else {
            self.cloud.clone()
        };
        markdown::render_plan(
            self.plan,
            &markdown::Context {
                dir: &self.dir,
                backend: &self.backend,
                cloud: &cloud,
            },
        )
    }
}

/// Between two comments when a markdown plan that needs several is printed as one text.
pub(crate) const COMMENT_BREAK: &str = "\n<!-- vpcep: the next comment starts here -->\n\n";

/// The configuration directory as a reviewer knows it: its path inside the git repository
/// that holds it (`.` for the repository's root), else its own name.
pub(crate) fn review_dir(globals: &Globals) -> String {
    let Ok(dir) = std::path::absolute(&globals.env.dir) else {
        return globals.shown_dir().display().to_string();
    };
    let dir = crate::fsio::resolve_links(&dir).unwrap_or(dir);
    let dir = std::fs::canonicalize(&dir).unwrap_or(dir);
    let root = dir.ancestors().find(|a| a.join(".git").exists());
    match root.and_then(|r| dir.strip_prefix(r).ok()) {
        Some(inside) if inside.as_os_str().is_empty() => ".".to_owned(),
        Some(inside) => inside.display().to_string(),
        None => dir.file_name().map_or_else(
            || dir.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        ),
    }
}

/// Where `plan --out` must not write: a file that is not a saved plan (a configuration file,
/// the state, anything else), or the state's own files even before they exist.
fn check_out_path(out: &std::path::Path, state: Option<&std::path::Path>) -> Result<(), String> {
    let refuse = |what: &str| {
        Err(format!(
            "`{}` is {what}; `plan --out` writes only new files or earlier saved plans, so nothing was written (choose another name, e.g. `plan.out`)",
            out.display()
        ))
    };
    if out.extension().is_some_and(|e| e == "hcl") {
        return refuse("a configuration file name");
    }
    let absolute = |p: &std::path::Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    if let Some(state) = state {
        let (out, state) = (absolute(out), absolute(state));
        let state_name = state.as_os_str().to_string_lossy().into_owned();
        let out_name = out.as_os_str().to_string_lossy().into_owned();
        if out == state || out_name.starts_with(&format!("{state_name}.")) {
            return refuse("the state file (or one of its companions)");
        }
    }
    match crate::fsio::read_capped(out, crate::fsio::MAX_STATE_FILE, "the plan file") {
        Ok(bytes) if crate::planfile::looks_like_plan(&bytes) => Ok(()),
        Ok(_) => refuse("an existing file that is not a vpcep plan"),
        Err(e) if e.not_found => Ok(()),
        Err(e) => Err(e.message),
    }
}

/// Writes each comment to `dir/comment-N.md` (N from 1), replacing any from an earlier
/// plan so that a directory never mixes two plans.
pub(crate) fn write_comments(
    comments: &[String],
    dir: &std::path::Path,
) -> Result<(), super::failure::Failure> {
    std::fs::create_dir_all(dir)
        .map_err(|e| fail(format!("cannot create `{}`: {e}", dir.display())))?;
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.filter_map(Result::ok) {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with("comment-") && path.extension().is_some_and(|e| e == "md") {
                let _ = std::fs::remove_file(&path);
            }
        }
    }
    for (i, comment) in comments.iter().enumerate() {
        let path = dir.join(format!("comment-{}.md", i + 1));
        crate::fsio::write_atomic(&path, comment.as_bytes()).map_err(|e| fail(e.message))?;
    }
    complain!(
        "Wrote {} comment{} to {}",
        comments.len(),
        if comments.len() == 1 { "" } else { "s" },
        dir.display()
    );
    Ok(())
}

/// Writes a saved plan atomically.
pub(crate) fn save(
    planned: &Planned,
    path: &std::path::Path,
    state: Option<&std::path::Path>,
) -> Result<(), String> {
    check_out_path(path, state)?;
    let text = crate::planfile::encode(&planned.saved());
    // A saved plan holds every value, secrets included: its owner's alone when new.
    crate::fsio::write_atomic_as(path, crate::fsio::Mode::KeepOr(0o600), |w| {
        w.write_all(text.as_bytes())
    })
    .map_err(|e| e.message)
}

/// `word` quoted for a POSIX shell when it needs to be, so a printed command can be copied.
fn shell_word(word: &str) -> String {
    if !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=@+,".contains(c))
    {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

/// `--generate-config-out=FILE`: the import targets' blocks written before planning.
fn generate_config(
    globals: &Globals,
    args: &PlanArgs,
    vars: &[VarArg],
    out: &std::path::Path,
) -> Result<(), super::failure::Failure> {
    let state = crate::adopt::StateArgs {
        state: args.common.state.as_ref(),
        lock_timeout: args.common.lock_timeout,
    };
    match crate::adopt::generate_for_imports(&globals.env, vars, &state, out)? {
        0 => complain!(
            "note: every `import` block's target has a resource block; nothing was written to {}",
            out.display()
        ),
        n => complain!(
            "Wrote the configuration of {n} imported resource{} to {}; review it, then keep it with your configuration.",
            if n == 1 { "" } else { "s" },
            out.display()
        ),
    }
    Ok(())
}

/// `--refresh-only` with the flags it cannot take: an error that says why.
pub(crate) fn check_refresh_only(
    args: &PlanArgs,
    destroy: bool,
) -> Result<(), super::failure::Failure> {
    if !args.refresh_only {
        return Ok(());
    }
    let conflict = if !args.refresh {
        Some("`--refresh=false` (a refresh-only plan is the refresh)")
    } else if destroy || args.destroy {
        Some("`--destroy`")
    } else if !args.replace.is_empty() {
        Some("`--replace`")
    } else if !args.target.is_empty() {
        Some("`--target`")
    } else if args.out.is_some() {
        Some("`--out` (apply a refresh-only plan with `vpcep apply --refresh-only`)")
    } else {
        None
    };
    match conflict {
        Some(flag) => Err(fail(format!(
            "`--refresh-only` plans only what changed outside vpcep; it does not take {flag}"
        ))),
        None => Ok(()),
    }
}

pub(crate) fn run(globals: &Globals, args: &PlanArgs, vars: &[VarArg]) -> super::failure::Outcome {
    check_refresh_only(args, false)?;
    if let Some(out) = &args.generate_config_out {
        generate_config(globals, args, vars, out)?;
    }
    let planned = session::plan(&globals.env, vars, &settings(args, false), "plan")?;
    let style = Style {
        color: globals.color_out,
    };
    let view = View::of(&planned, globals);
    match (&args.out_dir, args.format) {
        (Some(dir), Format::Markdown) => write_comments(&view.comments(), dir)?,
        (Some(_), _) => {
            return Err(fail(
                "`--out-dir` writes the markdown plan's comments; use it with `--format markdown`",
            ));
        }
        (None, Format::Markdown) => {
            let comments = view.comments();
            if comments.len() > 1 {
                complain!(
                    "note: this plan is {} GitHub comments long; `--out-dir DIR` writes one file per comment",
                    comments.len()
                );
            }
            super::output::stdout(&comments.join(COMMENT_BREAK));
        }
        (None, _) => super::output::stdout(&view.render(args.format, style)),
    }
    if planned.plan.is_refused() {
        if args.out.is_some() {
            complain!("note: a refused plan is not saved");
        }
        return Err(fail(
            "the plan is refused; nothing can be applied until the refusals above are resolved",
        )
        .with_kind(crate::app::FailureKind::PlanRefused));
    }
    if let Some(out) = &args.out {
        let state = match session::state_location(
            &globals.env,
            &planned.snapshot.settings,
            args.common.state.as_ref(),
        ) {
            Ok(session::StateLocation::Local(path)) => Some(path),
            Ok(session::StateLocation::Pg { .. }) => None,
            Err(f) => return Err(f),
        };
        if let Err(e) = save(&planned, out, state.as_deref()) {
            return Err(fail(e));
        }
        let chdir = globals.env.chdir.as_ref().map_or_else(String::new, |d| {
            format!("-C {} ", shell_word(&d.display().to_string()))
        });
        complain!(
            "Saved the plan to {}. To apply exactly this plan: vpcep {chdir}apply {}",
            out.display(),
            shell_word(&out.display().to_string())
        );
    }
    // A scheduled `plan --refresh-only --detailed-exitcode` also alerts while a connection
    // request waits for a decision.
    let changes = planned.plan.has_changes()
        || !planned.plan.output_changes.is_empty()
        || (planned.plan.refresh_only
            && planned
                .plan
                .connection_requests
                .iter()
                .any(crate::plan::ConnectionRequest::waits));
    // Freeing every plan, state and configuration value one by one costs more than a tenth of
    // a large plan; the process ends now and the system takes the memory back at once. The
    // store (its lock) and the cloud are closed as usual.
    let Planned {
        store,
        clouds,
        plan,
        state,
        desired,
        snapshot,
        ..
    } = planned;
    drop(store);
    drop(clouds);
    std::mem::forget((plan, state, desired, snapshot));
    if args.detailed_exitcode && changes {
        return Ok(2);
    }
    Ok(0)
}
