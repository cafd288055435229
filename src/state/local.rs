//! The local backend: `vpcep.state.json` beside the configuration, written atomically with a
//! `.backup` of the previous version, plus `.journal` during apply.

use super::lock::{StateLock, acquire};
use super::wire::{self, JournalEntry};
use super::{StateError, StateErrorKind, StateStore, Stored};
use crate::fsio;
use crate::model::{RecordedState, StateChange};
use serde::{Deserialize, Serialize};
use std::fs::File;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The first line of a journal: which state it continues.
#[derive(Debug, Serialize, Deserialize)]
struct JournalHeader {
    journal: u32,
    lineage: String,
    serial: u64,
}

pub struct LocalState {
    path: PathBuf,
    lock: Option<StateLock>,
    journal: Option<File>,
    /// Lineage and serial of the state the journal continues (what `read` returned).
    base: Option<(String, u64)>,
    notes: Vec<String>,
}

fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut p = path.as_os_str().to_owned();
    p.push(suffix);
    PathBuf::from(p)
}

impl LocalState {
    /// Opens the state at `path`; with `lock = Some((operation, timeout))` takes its lock first.
    pub fn open(path: &Path, lock: Option<(&str, Duration)>) -> Result<Self, StateError> {
        let lock = match lock {
            Some((operation, timeout)) => Some(acquire(path, operation, timeout)?),
            None => None,
        };
        if lock.is_some() {
            // What a killed writer left: under the lock, no other writer's file is in flight.
            let target = fsio::resolve_links(path).unwrap_or_else(|_| path.to_path_buf());
            fsio::remove_stale_temporaries(&target);
        }
        Ok(LocalState {
            path: path.to_path_buf(),
            lock,
            journal: None,
            base: None,
            notes: Vec::new(),
        })
    }

    pub fn lock_id(&self) -> Option<&str> {
        self.lock.as_ref().map(|l| l.info.id.as_str())
    }

    pub fn journal_path(&self) -> PathBuf {
        sibling(&self.path, ".journal")
    }

    pub fn backup_path(&self) -> PathBuf {
        sibling(&self.path, ".backup")
    }

    /// The changes journalled after `state` by an interrupted apply.
    ///
    /// Only a crash can damage the journal, and a crash can only tear the last line (the one
    /// without its newline): that line is ignored. Any other unreadable line is an error that
    /// names it, never a silent loss of the records after it.
    fn read_journal(&mut self, state: &RecordedState) -> Result<Vec<StateChange>, StateError> {
        let path = self.journal_path();
        let bytes = match fsio::read_capped(&path, fsio::MAX_STATE_FILE, "the journal") {
            Ok(bytes) => bytes,
            Err(e) if e.not_found => return Ok(Vec::new()),
            Err(e) => return Err(StateError::new(StateErrorKind::Unavailable, e.message)),
        };
        let text = String::from_utf8_lossy(&bytes);
        let complete = text.ends_with('\n');
        let lines: Vec<&str> = text.lines().collect();
        let damaged = |n: usize, why: &str| {
            StateError::new(
                StateErrorKind::Damaged,
                format!(
                    "the journal `{}` is damaged at line {n} of {}: {why}\n  it records steps of an interrupted apply that the state file `{}` does not have yet; nothing was changed. Repair the line, or move the journal away and run `vpcep refresh` to record what the cloud has",
                    path.display(),
                    lines.len(),
                    self.path.display()
                ),
            )
        };
        let torn = |i: usize| i + 1 == lines.len() && !complete;
        let Some(first) = lines.first() else {
            return Ok(Vec::new());
        };
        let header: JournalHeader = match serde_json::from_str(first) {
            Ok(h) => h,
            Err(_) if torn(0) => return Ok(Vec::new()),
            Err(e) => return Err(damaged(1, &e.to_string())),
        };
        if header.lineage != state.lineage || header.serial != state.serial {
            // Written against an older state: its changes were compacted before a crash.
            return Ok(Vec::new());
        }
        let mut changes = Vec::with_capacity(lines.len());
        for (i, line) in lines.iter().enumerate().skip(1) {
            let entry = match serde_json::from_str::<JournalEntry>(line) {
                Ok(entry) => entry,
                Err(_) if torn(i) => break,
                Err(e) => return Err(damaged(i + 1, &e.to_string())),
            };
            changes.push(wire::change_from_wire(&entry).map_err(|e| damaged(i + 1, &e))?);
        }
        if !changes.is_empty() {
            self.notes.push(format!(
                "recovered {} recorded change{} of an interrupted apply from `{}`",
                changes.len(),
                if changes.len() == 1 { "" } else { "s" },
                path.display()
            ));
        }
        Ok(changes)
    }
}

impl StateStore for LocalState {
    fn describe(&self) -> String {
        self.path.display().to_string()
    }

    fn is_locked(&self) -> bool {
        self.lock.is_some()
    }

    fn load(&mut self) -> Result<Option<Stored>, StateError> {
        let text = match fsio::read_text(&self.path, fsio::MAX_STATE_FILE, "the state file") {
            Ok(text) => text,
            Err(e) if e.not_found => return Ok(None),
            Err(e) => return Err(StateError::new(StateErrorKind::Unavailable, e.message)),
        };
        let state = wire::decode(&text).map_err(|e| {
            StateError::new(StateErrorKind::Damaged, format!(
                "the state file `{}` is not valid: {e}\n  the previous version is in `{}`; restore it or fix the file by hand",
                self.path.display(),
                self.backup_path().display()
            ))
        })?;
        let journal = self.read_journal(&state)?;
        self.base = Some((state.lineage.clone(), state.serial));
        Ok(Some(Stored { state, journal }))
    }

    fn record(&mut self, change: &StateChange) -> Result<(), StateError> {
        self.record_all(std::slice::from_ref(change))
    }

    /// Appends every change, then makes them durable with one `fdatasync`.
    fn record_all(&mut self, changes: &[StateChange]) -> Result<(), StateError> {
        if changes.is_empty() {
            return Ok(());
        }
        let path = self.journal_path();
        if self.journal.is_none() {
            if self.lock.is_none() {
                return Err(StateError::new(
                    StateErrorKind::Internal,
                    "internal error: a change was recorded without holding the lock",
                ));
            }
            let Some((lineage, serial)) = self.base.clone() else {
                return Err(StateError::new(
                    StateErrorKind::Internal,
                    "internal error: a change was recorded before the state was written",
                ));
            };
            // Any journal here continues an older state (a locked read compacts a current
            // one): start afresh.
            let _ = std::fs::remove_file(&path);
            // The journal holds what the state holds: the state file's permissions.
            let bits = {
                use std::os::unix::fs::PermissionsExt as _;
                std::fs::metadata(&self.path).map_or(0o600, |m| m.permissions().mode() & 0o777)
            };
            let mut file = fsio::open_append(&path, bits)
                .map_err(|e| StateError::new(StateErrorKind::Unavailable, e.message))?;
            let header = serde_json::to_string(&JournalHeader {
                journal: 1,
                lineage,
                serial,
            })
            .map_err(|e| {
                StateError::new(StateErrorKind::Internal, format!("internal error: {e}"))
            })?;
            writeln!(file, "{header}").map_err(|e| io_err("write", &path, &e))?;
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
                && let Ok(d) = File::open(dir)
            {
                let _ = d.sync_all();
            }
            self.journal = Some(file);
        }
        let mut lines = String::new();
        for change in changes {
            lines.push_str(
                &serde_json::to_string(&wire::change_to_wire(change)).map_err(|e| {
                    StateError::new(StateErrorKind::Internal, format!("internal error: {e}"))
                })?,
            );
            lines.push('\n');
        }
        let file = self.journal.as_mut().expect("journal opened above");
        file.write_all(lines.as_bytes())
            .and_then(|()| file.sync_data())
            .map_err(|e| io_err("append to the journal", &path, &e))
    }

    fn write(&mut self, state: &RecordedState) -> Result<(), StateError> {
        // Both streamed: neither the previous state nor the new one is held in memory whole.
        match fsio::copy_capped_atomic(
            &self.path,
            &self.backup_path(),
            fsio::MAX_STATE_FILE,
            "the state file",
        ) {
            Ok(()) => {}
            Err(e) if e.not_found => {}
            Err(e) => return Err(StateError::new(StateErrorKind::Unavailable, e.message)),
        }
        // A new state file is its owner's alone: it holds every value, secrets included.
        fsio::write_atomic_as(&self.path, fsio::Mode::KeepOr(0o600), |out| {
            wire::encode_to(state, out)
        })
        .map_err(|e| StateError::new(StateErrorKind::Unavailable, e.message))?;
        // The journal's changes are now in the state file; a crash before this removal is
        // harmless because the journal names the serial it continues.
        self.journal = None;
        let journal = self.journal_path();
        match std::fs::remove_file(&journal) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io_err("remove the journal", &journal, &e)),
        }
        self.base = Some((state.lineage.clone(), state.serial));
        Ok(())
    }

    fn notes(&self) -> Vec<String> {
        self.notes.clone()
    }
}

fn io_err(what: &str, path: &Path, e: &std::io::Error) -> StateError {
    StateError::new(
        StateErrorKind::Unavailable,
        format!("cannot {what} `{}`: {e}", path.display()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Address, RecordedResource, Value};

    fn resource(name: &str) -> RecordedResource {
        RecordedResource {
            address: format!("vpcep_service.{name}").parse::<Address>().unwrap(),
            id: format!("id-{name}"),
            attrs: [("name".to_owned(), Value::from(name))]
                .into_iter()
                .collect(),
            depends_on: Vec::new(),
            sensitive: Vec::new(),
            provider: None,
        }
    }

    fn locked(path: &Path) -> LocalState {
        LocalState::open(path, Some(("apply", Duration::ZERO))).unwrap()
    }

    #[test]
    fn a_replayed_journal_is_a_new_serial_and_a_locked_read_compacts_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("vpcep.state.json");
        let mut store = locked(&path);
        assert!(store.read().unwrap().is_none());
        let state = RecordedState::new();
        store.write(&state).unwrap();
        store.record(&StateChange::Set(resource("a"))).unwrap();
        store.record(&StateChange::Set(resource("b"))).unwrap();
        drop(store); // a crash: no final write

        // A reader without the lock sees the replayed version, one serial on, and writes nothing.
        let mut reader = LocalState::open(&path, None).unwrap();
        let seen = reader.read().unwrap().unwrap();
        assert_eq!(seen.resources.len(), 2);
        assert_eq!(seen.serial, state.serial + 1);
        assert!(reader.journal_path().exists());
        assert_eq!(reader.notes().len(), 1);

        // A locked reader gets the same version and compacts it.
        let mut store = locked(&path);
        let recovered = store.read().unwrap().unwrap();
        assert_eq!(recovered, seen);
        assert!(!store.journal_path().exists());
        assert!(store.backup_path().exists());
        drop(store);
        let again = LocalState::open(&path, None)
            .unwrap()
            .read()
            .unwrap()
            .unwrap();
        assert_eq!(again, recovered);
    }

    #[test]
    fn recording_needs_the_lock() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.json");
        let mut store = LocalState::open(&path, None).unwrap();
        store.read().unwrap();
        store.write(&RecordedState::new()).unwrap();
        let err = store.record(&StateChange::Set(resource("a"))).unwrap_err();
        assert_eq!(err.kind, StateErrorKind::Internal);
        assert!(err.message.contains("without holding the lock"), "{err}");
    }

    #[test]
    fn a_torn_last_journal_line_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.json");
        let mut store = locked(&path);
        store.read().unwrap();
        store.write(&RecordedState::new()).unwrap();
        store.record(&StateChange::Set(resource("a"))).unwrap();
        let journal = store.journal_path();
        drop(store);
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&journal)
            .unwrap();
        f.write_all(b"{\"op\":\"set\",\"addr").unwrap();
        let state = LocalState::open(&path, None)
            .unwrap()
            .read()
            .unwrap()
            .unwrap();
        assert_eq!(state.resources.len(), 1);
    }

    #[test]
    fn a_damaged_middle_journal_line_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.json");
        let mut store = locked(&path);
        store.read().unwrap();
        store.write(&RecordedState::new()).unwrap();
        for name in ["a", "b", "c"] {
            store.record(&StateChange::Set(resource(name))).unwrap();
        }
        let journal = store.journal_path();
        drop(store);
        let text = std::fs::read_to_string(&journal).unwrap();
        let damaged: Vec<String> = text
            .lines()
            .enumerate()
            .map(|(i, l)| {
                if i == 2 {
                    l.replace('{', "[")
                } else {
                    l.to_owned()
                }
            })
            .collect();
        std::fs::write(&journal, damaged.join("\n") + "\n").unwrap();
        let err = LocalState::open(&path, None).unwrap().read().unwrap_err();
        assert_eq!(err.kind, StateErrorKind::Damaged);
        assert!(err.message.contains("damaged at line 3 of 4"), "{err}");
        // Nothing was changed: the journal is still there for the user to repair.
        assert!(journal.exists());
    }

    #[test]
    fn a_second_lock_fails_and_names_the_holder() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.json");
        let first = LocalState::open(&path, Some(("apply", Duration::ZERO))).unwrap();
        let err = LocalState::open(&path, Some(("plan", Duration::ZERO)))
            .err()
            .unwrap();
        assert_eq!(err.kind, StateErrorKind::Locked);
        assert!(err.message.contains(first.lock_id().unwrap()), "{err}");
        assert!(err.message.contains("`apply`"), "{err}");
        drop(first);
        assert!(LocalState::open(&path, Some(("plan", Duration::ZERO))).is_ok());
    }
}
