//! Exclusive locks on a state: an OS-level lock on `<state>.lock` (released by the kernel when
//! the process dies) whose content says who holds it.

use super::{StateError, StateErrorKind};
use serde::{Deserialize, Serialize};
use std::fs::{File, OpenOptions};
use std::io::{Read as _, Seek as _, SeekFrom, Write as _};
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Who holds a lock, since when, for what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockInfo {
    #[serde(rename = "ID")]
    pub id: String,
    #[serde(rename = "Operation")]
    pub operation: String,
    #[serde(rename = "Who")]
    pub who: String,
    #[serde(rename = "PID")]
    pub pid: u32,
    #[serde(rename = "Created")]
    pub created: String,
    #[serde(rename = "Path")]
    pub path: String,
}

/// Who this process is, for lock records (`user@host`); set once by the command line, which
/// is the only module that reads the environment.
static HOLDER: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// Names this process in the lock records it writes.
pub fn set_holder(who: String) {
    let _ = HOLDER.set(who);
}

impl LockInfo {
    pub fn new(operation: &str, path: &str) -> Self {
        LockInfo {
            id: uuid::Uuid::new_v4().to_string(),
            operation: operation.to_owned(),
            who: HOLDER.get().cloned().unwrap_or_else(|| "vpcep".to_owned()),
            pid: std::process::id(),
            created: now_rfc3339(),
            path: path.to_owned(),
        }
    }

    /// `ID (operation by who, pid N, since T)`, for messages.
    pub fn describe(&self) -> String {
        format!(
            "lock {} held by {} (pid {}) for `{}` since {}",
            self.id, self.who, self.pid, self.operation, self.created
        )
    }
}

/// The current time as RFC 3339 (UTC, seconds).
pub fn now_rfc3339() -> String {
    humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string()
}

/// A held lock; released when dropped (or when the process dies).
#[derive(Debug)]
pub struct StateLock {
    file: File,
    pub info: LockInfo,
}

impl Drop for StateLock {
    fn drop(&mut self) {
        let _ = self.file.set_len(0);
        let _ = self.file.unlock();
        tracing::debug!(id = %self.info.id, "state lock released");
    }
}

pub fn lock_path(state_path: &Path) -> PathBuf {
    let mut p = state_path.as_os_str().to_owned();
    p.push(".lock");
    PathBuf::from(p)
}

fn read_info(file: &mut File) -> Option<LockInfo> {
    let mut text = String::new();
    file.seek(SeekFrom::Start(0)).ok()?;
    file.read_to_string(&mut text).ok()?;
    serde_json::from_str(&text).ok()
}

/// Takes the lock of the state at `state_path`, waiting up to `timeout` for a holder to let go.
pub fn acquire(
    state_path: &Path,
    operation: &str,
    timeout: Duration,
) -> Result<StateLock, StateError> {
    let path = lock_path(state_path);
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| {
            StateError::new(
                StateErrorKind::Unavailable,
                format!("cannot create the state directory `{}`: {e}", dir.display()),
            )
        })?;
    }
    let started = Instant::now();
    // Created with the state file's permissions (its owner's alone for a new state).
    let bits = {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::metadata(state_path).map_or(0o600, |m| m.permissions().mode() & 0o777)
    };
    loop {
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(bits)
            .open(&path)
            .map_err(|e| {
                StateError::new(
                    StateErrorKind::Unavailable,
                    format!("cannot open the lock file `{}`: {e}", path.display()),
                )
            })?;
        match file.try_lock() {
            Ok(()) => {
                let info = LockInfo::new(operation, &state_path.display().to_string());
                let text = serde_json::to_string_pretty(&info).unwrap_or_default();
                file.set_len(0)
                    .and_then(|()| file.seek(SeekFrom::Start(0)).map(|_| ()))
                    .and_then(|()| file.write_all(text.as_bytes()))
                    .and_then(|()| file.sync_data())
                    .map_err(|e| {
                        StateError::new(
                            StateErrorKind::Unavailable,
                            format!("cannot write the lock file `{}`: {e}", path.display()),
                        )
                    })?;
                tracing::debug!(
                    lock = %path.display(),
                    id = %info.id,
                    operation,
                    waited = ?started.elapsed(),
                    "state lock taken"
                );
                return Ok(StateLock { file, info });
            }
            Err(std::fs::TryLockError::WouldBlock) => {
                tracing::trace!(lock = %path.display(), "state lock held by another process");
                if started.elapsed() >= timeout {
                    let holder = read_info(&mut file)
                        .map_or_else(|| "another vpcep process".to_owned(), |i| i.describe());
                    return Err(StateError::new(
                        StateErrorKind::Locked,
                        format!(
                            "the state `{}` is locked: {holder}\n  wait for that command to finish, retry with `--lock-timeout 60s`, or if it is really gone run `vpcep force-unlock LOCK_ID`",
                            state_path.display()
                        ),
                    ));
                }
                std::thread::sleep(
                    Duration::from_millis(100)
                        .min(timeout.saturating_sub(started.elapsed()))
                        .max(Duration::from_millis(10)),
                );
            }
            Err(std::fs::TryLockError::Error(e)) => {
                return Err(StateError::new(
                    StateErrorKind::Unavailable,
                    format!("cannot lock `{}`: {e}", path.display()),
                ));
            }
        }
    }
}

/// Clears the lock with ID `id`. A lock whose process is gone is cleared silently; a lock
/// still held by a live process is broken by removing the lock file (its holder is not told).
/// Returns a description of what was done.
pub fn force_unlock(state_path: &Path, id: &str) -> Result<String, StateError> {
    let path = lock_path(state_path);
    let Ok(mut file) = OpenOptions::new().read(true).write(true).open(&path) else {
        return Err(StateError::new(
            StateErrorKind::Locked,
            format!("the state `{}` is not locked", state_path.display()),
        ));
    };
    let Some(info) = read_info(&mut file) else {
        return Err(StateError::new(
            StateErrorKind::Locked,
            format!("the state `{}` is not locked", state_path.display()),
        ));
    };
    if info.id != id {
        return Err(StateError::new(
            StateErrorKind::Locked,
            format!(
                "`{id}` is not the current lock; the state is held by {}",
                info.describe()
            ),
        ));
    }
    if let Ok(()) = file.try_lock() {
        let _ = file.set_len(0);
        Ok(format!("cleared the stale {}", info.describe()))
    } else {
        std::fs::remove_file(&path).map_err(|e| {
            StateError::new(
                StateErrorKind::Unavailable,
                format!("cannot remove `{}`: {e}", path.display()),
            )
        })?;
        Ok(format!(
            "broke the {}; that process may still be running and writing state",
            info.describe()
        ))
    }
}
