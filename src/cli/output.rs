//! Everything the command line writes goes through here: the text of sensitive values is
//! redacted from it (a last line of defence behind the renderers' own `(sensitive value)`
//! marks, for free text such as an error the cloud echoes), and a closed pipe (`vpcep show |
//! head -1`) silences further output instead of ending the command with a panic, so the work
//! under way finishes and the exit code stays truthful.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

/// What is shown instead of a sensitive value.
pub(crate) const SENSITIVE: &str = "(sensitive value)";

/// Texts shorter than this are not redacted from free text: too many ordinary words match.
const MIN_SECRET_LEN: usize = 4;

static SECRETS: Mutex<Vec<String>> = Mutex::new(Vec::new());
static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);
static STDERR_CLOSED: AtomicBool = AtomicBool::new(false);

/// Adds texts to redact from everything printed from now on.
pub(crate) fn remember_secrets(secrets: &[String]) {
    let mut all = SECRETS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    for s in secrets {
        if s.chars().count() >= MIN_SECRET_LEN && !all.contains(s) {
            all.push(s.clone());
        }
    }
    // Longest first, so a secret that contains another is replaced whole.
    all.sort_by_key(|s| std::cmp::Reverse(s.len()));
}

/// `text` with every remembered secret replaced by `(sensitive value)`; copied only when it
/// holds one (a large plan's text is printed as it is).
pub(crate) fn redact(text: &str) -> std::borrow::Cow<'_, str> {
    let secrets = SECRETS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let mut out = std::borrow::Cow::Borrowed(text);
    for s in secrets.iter() {
        if out.contains(s.as_str()) {
            out = std::borrow::Cow::Owned(out.replace(s.as_str(), SENSITIVE));
        }
    }
    out
}

/// Writes `text` to standard output; after the reader has gone, writes nothing more.
pub(crate) fn stdout(text: &str) {
    write(&STDOUT_CLOSED, &mut std::io::stdout().lock(), text);
}

/// Writes `text` to standard output as it is: only for a value the user asked for by name.
pub(crate) fn stdout_unredacted(text: &str) {
    if STDOUT_CLOSED.load(Ordering::Relaxed) {
        return;
    }
    let mut out = std::io::stdout().lock();
    if std::io::Write::write_all(&mut out, text.as_bytes())
        .and_then(|()| std::io::Write::flush(&mut out))
        .is_err()
    {
        STDOUT_CLOSED.store(true, Ordering::Relaxed);
    }
}

/// Writes `text` to standard error; after the reader has gone, writes nothing more.
pub(crate) fn stderr(text: &str) {
    write(&STDERR_CLOSED, &mut std::io::stderr().lock(), text);
}

fn write(closed: &AtomicBool, stream: &mut dyn std::io::Write, text: &str) {
    if closed.load(Ordering::Relaxed) {
        return;
    }
    let text = redact(text);
    if stream
        .write_all(text.as_bytes())
        .and_then(|()| stream.flush())
        .is_err()
    {
        closed.store(true, Ordering::Relaxed);
    }
}

/// Standard error as a writer, for the debug log (see `super::log`).
pub(crate) struct StderrSink;

impl std::io::Write for StderrSink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        write(
            &STDERR_CLOSED,
            &mut std::io::stderr().lock(),
            &String::from_utf8_lossy(buf),
        );
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A writer that redacts remembered secrets from what passes through it (a log line is
/// written whole, so a secret is never split between two writes).
pub(crate) struct Redacting<W>(pub W);

impl<W: std::io::Write> std::io::Write for Redacting<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        self.0.write_all(redact(&text).as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

/// `println!` through [`stdout`].
macro_rules! say {
    () => { $crate::cli::output::stdout("\n") };
    ($($arg:tt)*) => {
        $crate::cli::output::stdout(&format!("{}\n", format_args!($($arg)*)))
    };
}

/// `print!` through [`stdout`].
macro_rules! say_raw {
    ($($arg:tt)*) => {
        $crate::cli::output::stdout(&format!($($arg)*))
    };
}

/// `eprintln!` through [`stderr`].
macro_rules! complain {
    () => { $crate::cli::output::stderr("\n") };
    ($($arg:tt)*) => {
        $crate::cli::output::stderr(&format!("{}\n", format_args!($($arg)*)))
    };
}

/// `eprint!` through [`stderr`].
macro_rules! complain_raw {
    ($($arg:tt)*) => {
        $crate::cli::output::stderr(&format!($($arg)*))
    };
}

pub(crate) use {complain, complain_raw, say, say_raw};

/// The time of an event line (RFC 3339): read here, so that rendering reads no clock.
pub(crate) fn now() -> String {
    crate::state::lock::now_rfc3339()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_redacted_longest_first_and_short_ones_left() {
        remember_secrets(&["hunter22".into(), "hunter22-extra".into(), "abc".into()]);
        assert_eq!(
            redact("a hunter22-extra and a hunter22, abc"),
            "a (sensitive value) and a (sensitive value), abc"
        );
    }
}
