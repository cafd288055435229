//! Configuration diagnostics on the terminal (alike problems of one place folded after a few)
//! or as `diagnostic` events under `--json`.

use super::environment::Globals;
use super::output::{self, complain, complain_raw};
use crate::diag::{self, Diagnostic};

/// Prints diagnostics to standard error, each followed by a blank line; under `--json`, as
/// `diagnostic` events on standard output.
pub(crate) fn print_diagnostics(globals: &Globals, diagnostics: &[Diagnostic]) {
    show_diagnostics(globals.json, globals.color_err, diagnostics);
}

/// How many alike problems of one place are shown in full on the terminal: `count` and
/// `for_each` repeat a block's problem once per instance (the JSON events keep every one).
const SHOWN_PER_PLACE: usize = 3;

/// A problem's message with every `[...]` emptied: the same problem of another instance
/// (`vpcep_service.s[7]`) reads the same.
fn without_keys(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut depth = 0usize;
    for c in message.chars() {
        match c {
            '[' => {
                depth += 1;
                if depth == 1 {
                    out.push(c);
                }
            }
            ']' if depth > 0 => {
                depth -= 1;
                if depth == 0 {
                    out.push(c);
                }
            }
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

pub(super) fn show_diagnostics(json: bool, color: bool, diagnostics: &[Diagnostic]) {
    let mut seen: indexmap::IndexMap<(&str, usize, usize, String), usize> =
        indexmap::IndexMap::new();
    for d in diagnostics {
        if json {
            output::say!(
                "{}",
                crate::render::events::config_diagnostic(d, &output::now())
            );
            continue;
        }
        if let Some(at) = &d.location {
            let n = seen
                .entry((
                    at.file.as_str(),
                    at.line,
                    at.column,
                    without_keys(&d.message),
                ))
                .or_default();
            *n += 1;
            if *n > SHOWN_PER_PLACE {
                continue;
            }
        }
        complain_raw!("{}", diag::render(d, color));
        complain!();
    }
    for ((file, line, column, _), n) in seen {
        if n > SHOWN_PER_PLACE {
            complain!(
                "... and {} more like these at {file}:{line}:{column}, one for each instance (`--json` lists every one)",
                n - SHOWN_PER_PLACE
            );
            complain!();
        }
    }
}
