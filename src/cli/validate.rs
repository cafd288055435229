//! `vpcep validate`: load the configuration and report every problem.

use super::environment::Globals;
use super::output::{complain, say};
use crate::config::{self, VarArg};

/// Prints diagnostics to stderr and a one-line verdict (or, with `json`, one JSON document on
/// stdout); returns the exit code.
pub(crate) fn run(globals: &Globals, vars: &[VarArg], json: bool) -> u8 {
    let loaded = config::load(&globals.load_options(vars));
    super::output::remember_secrets(&loaded.secrets);
    if json {
        say!("{}", crate::render::validation::render(&loaded.diagnostics));
        let code = u8::from(loaded.desired.is_none());
        std::mem::forget(loaded);
        return code;
    }
    super::diagnostics::print_diagnostics(globals, &loaded.diagnostics);
    let warnings = match loaded.warnings() {
        0 => String::new(),
        1 => ", with 1 warning".to_owned(),
        n => format!(", with {n} warnings"),
    };
    let code = if let Some(desired) = &loaded.desired {
        say!(
            "Success! The configuration is valid ({}){warnings}.",
            desired.count_summary()
        );
        0
    } else {
        let errors = loaded.errors();
        complain!(
            "Validation failed: {errors} error{}{warnings}.",
            if errors == 1 { "" } else { "s" }
        );
        1
    };
    // The process ends here; freeing a large configuration piece by piece would only cost
    // time (as at the end of `plan`).
    std::mem::forget(loaded);
    code
}
