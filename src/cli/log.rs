//! The debug log: `VPCEP_LOG=debug|trace` (or `--log-file FILE`) turns on the `tracing`
//! events every layer emits — each API request with its status, duration and attempt, lock
//! and state operations, the time each phase of a plan takes — as text lines on standard
//! error or appended to FILE. Off by default. No credential or signature is ever logged, and
//! the values of sensitive variables are redacted as everywhere else.

use super::output::Redacting;
use std::path::Path;
use tracing_subscriber::filter::LevelFilter;

/// The levels `VPCEP_LOG` takes.
const LEVELS: &str = "off, error, warn, info, debug or trace";

/// Starts the log when asked for: at `level` (`VPCEP_LOG`), to `file` if given (debug when
/// no level is set), else to standard error.
pub(crate) fn init(level: Option<&str>, file: Option<&Path>, color: bool) -> Result<(), String> {
    let level = match level {
        Some(text) => parse_level(text)?,
        None if file.is_some() => LevelFilter::DEBUG,
        None => return Ok(()),
    };
    if level == LevelFilter::OFF {
        return Ok(());
    }
    let builder = tracing_subscriber::fmt()
        .with_max_level(level)
        .with_thread_names(false);
    let installed = match file {
        Some(path) => {
            let file = open_append(path)
                .map_err(|e| format!("cannot open the log file `{}`: {e}", path.display()))?;
            builder
                .with_ansi(false)
                .with_writer(std::sync::Mutex::new(Redacting(file)))
                .try_init()
        }
        None => builder
            .with_ansi(color)
            .with_writer(|| super::output::StderrSink)
            .try_init(),
    };
    installed.map_err(|e| format!("cannot start the log: {e}"))?;
    tracing::debug!(
        version = env!("CARGO_PKG_VERSION"),
        args = ?shown_args(std::env::args().skip(1)),
        "vpcep started"
    );
    Ok(())
}

/// The command line as the log shows it: the value of every `--var NAME=VALUE` hidden (it
/// may be sensitive, and which variables are is not known yet).
fn shown_args(args: impl Iterator<Item = String>) -> Vec<String> {
    let hide = |assignment: &str| {
        let name = assignment.split_once('=').map_or(assignment, |(n, _)| n);
        format!("{name}=(hidden)")
    };
    let mut out = Vec::new();
    let mut value_next = false;
    for arg in args {
        if value_next {
            out.push(hide(&arg));
            value_next = false;
            continue;
        }
        let flag = arg.trim_start_matches('-');
        if arg.starts_with('-') && flag == "var" {
            value_next = true;
            out.push(arg);
        } else if arg.starts_with('-')
            && let Some(assignment) = flag.strip_prefix("var=")
        {
            out.push(format!(
                "{}var={}",
                &arg[..arg.len() - flag.len()],
                hide(assignment)
            ));
        } else {
            out.push(arg);
        }
    }
    out
}

fn parse_level(text: &str) -> Result<LevelFilter, String> {
    text.trim()
        .parse::<LevelFilter>()
        .map_err(|_| format!("VPCEP_LOG is `{text}`; set it to one of {LEVELS}, or unset it"))
}

/// Opens `path` to append to, creating it readable by its owner only. Only a regular file:
/// a FIFO would block every log line until someone reads it, a device is no log. Opened
/// without blocking (a FIFO with no reader would wait there), then checked.
fn open_append(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt as _;
    let not_a_file = || {
        std::io::Error::other(
            "it is not a regular file (a FIFO or a device); give the path of a file",
        )
    };
    if std::fs::metadata(path).is_ok_and(|m| !m.is_file()) {
        return Err(not_a_file());
    }
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)?;
    if !file.metadata()?.is_file() {
        return Err(not_a_file());
    }
    // O_NONBLOCK changes nothing for a regular file's writes.
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variable_values_are_hidden_from_the_logged_command_line() {
        let args = [
            "plan",
            "--var",
            "pw=hunter2",
            "-var=token=abc",
            "--var-file",
            "x.hcl",
            "--var=a",
        ];
        assert_eq!(
            shown_args(args.iter().map(|a| (*a).to_owned())),
            [
                "plan",
                "--var",
                "pw=(hidden)",
                "-var=token=(hidden)",
                "--var-file",
                "x.hcl",
                "--var=a=(hidden)"
            ]
        );
    }

    #[test]
    fn levels_are_read_case_blind_and_others_are_refused() {
        assert_eq!(parse_level("DEBUG"), Ok(LevelFilter::DEBUG));
        assert_eq!(parse_level(" trace "), Ok(LevelFilter::TRACE));
        assert_eq!(parse_level("off"), Ok(LevelFilter::OFF));
        let e = parse_level("verbose").unwrap_err();
        assert!(e.contains("VPCEP_LOG is `verbose`"), "{e}");
    }
}
