//! `vpcep fmt`: rewrites configuration files in the canonical layout (`config::layout`), or
//! with `--check` only says which would change (for CI), with `--diff` shows how.

use super::environment::Globals;
use super::failure::{Outcome, fail};
use super::output::{complain, complain_raw, say, say_raw};
use crate::diag::{self, Diagnostic, SourceFile};
use clap::Args;
use std::path::{Path, PathBuf};

#[derive(Debug, Args, Clone)]
pub(crate) struct FmtArgs {
    /// Files or directories to format (default: the configuration directory); `-` formats
    /// standard input to standard output
    #[arg(value_name = "FILE|DIR")]
    paths: Vec<PathBuf>,
    /// Change nothing: list the files that are not formatted and exit 1 if there are any
    #[arg(long)]
    check: bool,
    /// Show the changes as a unified diff
    #[arg(long)]
    diff: bool,
    /// Also format the directories below the given ones (hidden ones skipped)
    #[arg(long)]
    recursive: bool,
}

/// What became of the files, for the exit code.
#[derive(Default)]
struct Tally {
    unformatted: usize,
    failed: usize,
}

pub(crate) fn run(globals: &Globals, args: &FmtArgs) -> Outcome {
    let paths = if args.paths.is_empty() {
        vec![globals.env.dir.clone()]
    } else {
        args.paths.clone()
    };
    let mut tally = Tally::default();
    for path in &paths {
        if path == Path::new("-") {
            stdin(globals, args, &mut tally)?;
            continue;
        }
        let files = match files(path, args.recursive, true) {
            Ok(files) => files,
            Err(message) => {
                complain!("error: {message}");
                tally.failed += 1;
                continue;
            }
        };
        for file in files {
            one_file(globals, args, &file, &mut tally);
        }
    }
    if tally.failed > 0 {
        return Err(fail(format!(
            "{} file{} could not be formatted",
            tally.failed,
            if tally.failed == 1 { "" } else { "s" }
        )));
    }
    Ok(u8::from(args.check && tally.unformatted > 0))
}

/// The files `path` names: itself when it is a file, else the `*.hcl` files of the directory
/// (sorted), and with `recursive` those of the directories below it, hidden ones skipped. A
/// symbolic link to a directory is never followed below the named one (a link back up would
/// make the walk endless); a linked file is formatted where it is.
fn files(path: &Path, recursive: bool, named: bool) -> Result<Vec<PathBuf>, String> {
    let meta = std::fs::metadata(path).map_err(|e| {
        format!(
            "cannot read `{}`: {e}; name a configuration file or directory",
            path.display()
        )
    })?;
    if meta.is_file() && named {
        return Ok(vec![path.to_path_buf()]);
    }
    let entries =
        std::fs::read_dir(path).map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
    let mut own = Vec::new();
    let mut below = Vec::new();
    for entry in entries.filter_map(Result::ok) {
        let name = entry.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        let child = if path == Path::new(".") {
            PathBuf::from(&name)
        } else {
            path.join(&name)
        };
        let Ok(kind) = std::fs::metadata(&child) else {
            continue;
        };
        if kind.is_dir() {
            let linked = entry.file_type().is_ok_and(|t| t.is_symlink());
            if recursive && !linked {
                below.push(child);
            }
        } else if child.extension().is_some_and(|e| e == "hcl") {
            own.push(child);
        }
    }
    own.sort();
    below.sort();
    for dir in below {
        own.extend(files(&dir, true, false)?);
    }
    Ok(own)
}

/// Formats one file: rewritten (unless `--check`), named, and diffed with `--diff`.
fn one_file(globals: &Globals, args: &FmtArgs, path: &Path, tally: &mut Tally) {
    let shown = path.display().to_string();
    let text = match crate::fsio::read_text(
        path,
        crate::fsio::MAX_CONFIG_FILE,
        "the configuration file",
    ) {
        Ok(text) => text,
        Err(e) => {
            complain!("error: {}", e.message);
            tally.failed += 1;
            return;
        }
    };
    let Some(formatted) = formatted(globals, &shown, &text, tally) else {
        return;
    };
    if formatted == text {
        return;
    }
    tally.unformatted += 1;
    say!("{shown}");
    if args.diff {
        say_raw!("{}", unified(&shown, &text, &formatted));
    }
    if args.check {
        return;
    }
    // A read-only file is left as it is: replacing it (a rename over it) would succeed in a
    // writable directory and silently undo its owner's choice.
    if std::fs::metadata(path).is_ok_and(|m| m.permissions().readonly()) {
        complain!(
            "error: `{shown}` is read-only; it is not formatted (make it writable, or run `vpcep fmt --check` to see what differs)"
        );
        tally.failed += 1;
        return;
    }
    if let Err(e) = crate::fsio::write_atomic(path, formatted.as_bytes()) {
        complain!("error: {}", e.message);
        tally.failed += 1;
    }
}

/// Standard input formatted to standard output (with `--check`, only the verdict).
fn stdin(
    globals: &Globals,
    args: &FmtArgs,
    tally: &mut Tally,
) -> Result<(), super::failure::Failure> {
    let mut text = String::new();
    std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
        .map_err(|e| fail(format!("cannot read standard input as UTF-8 text: {e}")))?;
    let Some(formatted) = formatted(globals, "<stdin>", &text, tally) else {
        return Ok(());
    };
    if formatted != text {
        tally.unformatted += 1;
    }
    if args.diff && formatted != text {
        say_raw!("{}", unified("<stdin>", &text, &formatted));
    } else if !args.check {
        say_raw!("{formatted}");
    }
    Ok(())
}

/// `text` formatted, or `None` with its error printed.
fn formatted(globals: &Globals, shown: &str, text: &str, tally: &mut Tally) -> Option<String> {
    let source = SourceFile::new(shown.to_owned(), text.to_owned(), 0);
    match crate::config::layout::format(&source) {
        Ok(formatted) => Some(formatted),
        Err(d) => {
            show(globals, &d);
            tally.failed += 1;
            None
        }
    }
}

fn show(globals: &Globals, d: &Diagnostic) {
    complain_raw!("{}", diag::render(d, globals.color_err));
    complain!();
}

/// The change as a unified diff with three lines of context.
fn unified(shown: &str, before: &str, after: &str) -> String {
    similar::TextDiff::from_lines(before, after)
        .unified_diff()
        .context_radius(3)
        .header(
            &format!("{shown} (before)"),
            &format!("{shown} (formatted)"),
        )
        .to_string()
}
