//! Why a command stopped, as a value: every command returns [`Outcome`], and only
//! [`report`] (called once, by [`super::run`]) prints a [`Failure`] — as `error: …` text after
//! the diagnostics that led to it, or under `--json` as the documented `diagnostic` events —
//! and turns it into the exit code.

use super::environment::Globals;

/// A command's result: its exit code when it ran to the end (which may be non-zero, e.g. an
/// apply that reported its own failures), or why it stopped.
pub(crate) type Outcome = Result<u8, Failure>;

pub(crate) use crate::app::{Failure, fail};

/// Prints `failure` the way the command prints (see the module comment); the exit code is 1.
pub(crate) fn report(globals: &Globals, failure: &Failure) -> u8 {
    super::diagnostics::print_diagnostics(globals, &failure.diagnostics);
    if globals.json {
        super::output::say!(
            "{}",
            crate::render::events::stopped(
                &failure.message,
                failure.code(),
                failure.api_code.as_deref(),
                &super::output::now()
            )
        );
    } else {
        // Its lines are its own; a control character inside one (a value the message quotes)
        // is shown escaped, so no value starts a line of a CI log or drives the terminal.
        let lines: Vec<std::borrow::Cow<'_, str>> = failure
            .message
            .split('\n')
            .map(crate::diag::escape_controls)
            .collect();
        super::output::complain!("error: {}", lines.join("\n"));
    }
    1
}
