//! The local backend: `vpcep.state.json` beside the configuration, written atomically with a
//! `.backup` of the previous version, plus `.journal` during apply.

use super::lock::{StateLock, acquire};
use super::wire::{self, JournalEntry};
use super::{StateError, StateStore};
use crate::model::{RecordedState, StateChange};
use serde::{Deserialize, Serialize};
use std::fs::{File, OpenOptions};
use std::io::{BufRead as _, BufReader, Write as _};
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

    fn replay_journal(&mut self, state: &mut RecordedState) -> Result<(), StateError> {
        let path = self.journal_path();
        let Ok(file) = File::open(&path) else {
            return Ok(());
        };
        let mut lines = BufReader::new(file).lines();
        let header: Option<JournalHeader> = lines
            .next()
            .and_then(Result::ok)
            .and_then(|l| serde_json::from_str(&l).ok());
        let Some(header) = header else {
            self.notes.push(format!(
                "ignored an unreadable journal `{}`",
                path.display()
            ));
            return Ok(());
        };
        if header.lineage != state.lineage || header.serial != state.serial {
            // Written against an older state: its changes were compacted before a crash.
            return Ok(());
        }
        let mut replayed = 0;
        for line in lines {
            let Ok(line) = line else { break };
            // A torn last line (crash mid-write) is the only line that may not parse.
            let Ok(entry) = serde_json::from_str::<JournalEntry>(&line) else {
                break;
            };
            let change = wire::change_from_wire(&entry).map_err(|e| {
                StateError(format!("the journal `{}` is damaged: {e}", path.display()))
            })?;
            state.apply(change);
            replayed += 1;
        }
        if replayed > 0 {
            self.notes.push(format!(
                "recovered {replayed} recorded change{} of an interrupted apply from `{}`",
                if replayed == 1 { "" } else { "s" },
                path.display()
            ));
        }
        Ok(())
    }
}

fn io_err(what: &str, path: &Path, e: &std::io::Error) -> StateError {
    StateError(format!("cannot {what} `{}`: {e}", path.display()))
}

/// Writes `text` to `path` atomically: a temporary file in the same directory, fsynced, renamed.
fn write_atomic(path: &Path, text: &[u8]) -> Result<(), StateError> {
    let tmp = sibling(path, ".tmp");
    let mut file = File::create(&tmp).map_err(|e| io_err("create", &tmp, &e))?;
    file.write_all(text)
        .map_err(|e| io_err("write", &tmp, &e))?;
    file.sync_all().map_err(|e| io_err("sync", &tmp, &e))?;
    drop(file);
    std::fs::rename(&tmp, path).map_err(|e| io_err("replace", path, &e))?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
        && let Ok(d) = File::open(dir)
    {
        let _ = d.sync_all();
    }
    Ok(())
}

impl StateStore for LocalState {
    fn describe(&self) -> String {
        self.path.display().to_string()
    }

    fn read(&mut self) -> Result<Option<RecordedState>, StateError> {
        let text = match std::fs::read_to_string(&self.path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io_err("read the state file", &self.path, &e)),
        };
        let mut state = wire::decode(&text).map_err(|e| {
            StateError(format!(
                "the state file `{}` is not valid: {e}\n  the previous version is in `{}`; restore it or fix the file by hand",
                self.path.display(),
                self.backup_path().display()
            ))
        })?;
        self.replay_journal(&mut state)?;
        self.base = Some((state.lineage.clone(), state.serial));
        Ok(Some(state))
    }

    fn record(&mut self, change: &StateChange) -> Result<(), StateError> {
        if self.journal.is_none() {
            let Some((lineage, serial)) = self.base.clone() else {
                return Err(StateError(
                    "internal error: a change was recorded before the state was written".into(),
                ));
            };
            let path = self.journal_path();
            let fresh = !path.exists();
            let mut file = OpenOptions::new()
                .create(true)
                .append(true)
                .open(&path)
                .map_err(|e| io_err("open the journal", &path, &e))?;
            if fresh {
                let header = serde_json::to_string(&JournalHeader {
                    journal: 1,
                    lineage,
                    serial,
                })
                .unwrap_or_default();
                writeln!(file, "{header}").map_err(|e| io_err("write", &path, &e))?;
            }
            self.journal = Some(file);
        }
        let line = serde_json::to_string(&wire::change_to_wire(change)).unwrap_or_default();
        let path = self.journal_path();
        let file = self.journal.as_mut().expect("journal opened above");
        file.write_all(format!("{line}\n").as_bytes())
            .and_then(|()| file.sync_data())
            .map_err(|e| io_err("append to the journal", &path, &e))
    }

    fn write(&mut self, state: &RecordedState) -> Result<(), StateError> {
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| io_err("create the directory", dir, &e))?;
        }
        if self.path.exists() {
            let previous = std::fs::read(&self.path).map_err(|e| io_err("read", &self.path, &e))?;
            write_atomic(&self.backup_path(), &previous)?;
        }
        write_atomic(&self.path, wire::encode(state).as_bytes())?;
        // The journal's changes are now in the state file; a crash before this removal is
        // harmless because the journal names the serial it continues.
        self.journal = None;
        let journal = self.journal_path();
        if journal.exists() {
            std::fs::remove_file(&journal)
                .map_err(|e| io_err("remove the journal", &journal, &e))?;
        }
        self.base = Some((state.lineage.clone(), state.serial));
        Ok(())
    }

    fn notes(&self) -> Vec<String> {
        self.notes.clone()
    }
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
        }
    }

    #[test]
    fn journal_replays_after_a_crash_and_is_dropped_after_a_write() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("vpcep.state.json");
        let mut store = LocalState::open(&path, None).unwrap();
        assert!(store.read().unwrap().is_none());
        let mut state = RecordedState::new();
        store.write(&state).unwrap();
        store.record(&StateChange::Set(resource("a"))).unwrap();
        store.record(&StateChange::Set(resource("b"))).unwrap();
        drop(store); // a crash: no final write

        let mut store = LocalState::open(&path, None).unwrap();
        let recovered = store.read().unwrap().unwrap();
        assert_eq!(recovered.resources.len(), 2);
        assert_eq!(store.notes().len(), 1);

        state = recovered;
        state.serial += 1;
        store.write(&state).unwrap();
        assert!(!store.journal_path().exists());
        assert!(store.backup_path().exists());
        let again = LocalState::open(&path, None)
            .unwrap()
            .read()
            .unwrap()
            .unwrap();
        assert_eq!(again, state);
    }

    #[test]
    fn a_torn_last_journal_line_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.json");
        let mut store = LocalState::open(&path, None).unwrap();
        store.read().unwrap();
        store.write(&RecordedState::new()).unwrap();
        store.record(&StateChange::Set(resource("a"))).unwrap();
        let journal = store.journal_path();
        drop(store);
        let mut f = OpenOptions::new().append(true).open(&journal).unwrap();
        f.write_all(b"{\"op\":\"set\",\"addr").unwrap();
        let state = LocalState::open(&path, None)
            .unwrap()
            .read()
            .unwrap()
            .unwrap();
        assert_eq!(state.resources.len(), 1);
    }

    #[test]
    fn a_second_lock_fails_and_names_the_holder() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.json");
        let first = LocalState::open(&path, Some(("apply", Duration::ZERO))).unwrap();
        let err = LocalState::open(&path, Some(("plan", Duration::ZERO)))
            .err()
            .unwrap();
        assert!(err.0.contains(first.lock_id().unwrap()), "{err}");
        assert!(err.0.contains("`apply`"), "{err}");
        drop(first);
        assert!(LocalState::open(&path, Some(("plan", Duration::ZERO))).is_ok());
    }
}
