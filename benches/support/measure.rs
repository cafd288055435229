//! Running the built binary and measuring it: wall time and peak resident memory, shared by
//! the benchmarks that run `vpcep` as a user would.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

/// Peak resident memory of a running process (`VmHWM`), in KiB.
fn peak_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Runs the binary, returning (seconds, peak RSS in MiB, exit code). The peak is sampled
/// from `/proc` every few milliseconds until the process exits.
pub(crate) fn measure(dir: &Path, args: &[&str]) -> (f64, f64, i32) {
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_vpcep"))
        .current_dir(dir)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the binary runs");
    let mut peak = 0;
    let status = loop {
        if let Some(kib) = peak_kib(child.id()) {
            peak = peak.max(kib);
        }
        if let Some(status) = child.try_wait().expect("wait for the binary") {
            break status;
        }
        std::thread::sleep(std::time::Duration::from_millis(2));
    };
    let secs = started.elapsed().as_secs_f64();
    #[allow(clippy::cast_precision_loss)]
    let mib = peak as f64 / 1024.0;
    (secs, mib, status.code().unwrap_or(-1))
}
