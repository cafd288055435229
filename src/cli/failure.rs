//! Why a command stopped, as a value: every command returns [`Outcome`], and only
//! [`report`] (called once, by [`super::run`]) prints a [`Failure`] — as `error: …` text after
//! the diagnostics that led to it, or under `--json` as the documented `diagnostic` events —
//! and turns it into the exit code.

use super::Globals;
use crate::diag::Diagnostic;

/// A command's result: its exit code when it ran to the end (which may be non-zero, e.g. an
/// apply that reported its own failures), or why it stopped.
pub(crate) type Outcome = Result<u8, Failure>;

/// Why a command stopped before its end.
#[derive(Debug)]
pub(crate) struct Failure {
    /// One line saying what went wrong and, where it helps, how to fix it.
    pub message: String,
    /// Problems in the configuration that led to it, shown first.
    pub diagnostics: Vec<Diagnostic>,
}

impl Failure {
    /// The diagnostics that led to this failure.
    #[must_use]
    pub(crate) fn with_diagnostics(mut self, diagnostics: Vec<Diagnostic>) -> Self {
        self.diagnostics = diagnostics;
        self
    }
}

/// A failure with `message`.
pub(crate) fn fail(message: impl std::fmt::Display) -> Failure {
    Failure {
        message: message.to_string(),
        diagnostics: Vec::new(),
    }
}

/// Prints `failure` the way the command prints (see the module comment); the exit code is 1.
pub(crate) fn report(globals: &Globals, failure: &Failure) -> u8 {
    super::print_diagnostics(globals, &failure.diagnostics);
    if globals.json {
        super::output::say!(
            "{}",
            crate::render::events::diagnostic("error", &failure.message, None)
        );
    } else {
        super::output::complain!("error: {}", failure.message);
    }
    1
}
