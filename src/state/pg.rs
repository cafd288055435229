//! The `PostgreSQL` backend (`backend "pg"`): one row per state name, writes in transactions
//! that refuse a lost update, a journal table for per-step durability during apply, a version
//! table keeping every previous state, and locks held as advisory locks on a dedicated
//! connection for the whole command (released by the server when the session ends) plus a
//! lock row saying who holds it.
//!
//! The connection string may carry a password; it is never shown: [`PgState::describe`] and
//! every error name only user, host, database, schema and state.

use super::lock::LockInfo;
use super::wire::{self, JournalEntry};
use super::{StateError, StateErrorKind, StateStore, Stored};
use crate::model::{RecordedState, StateChange};
use postgres::Client;
use sha2::{Digest as _, Sha256};
use std::fmt::Write as _;
use std::time::{Duration, Instant};

pub struct PgState {
    client: Client,
    schema: String,
    name: String,
    display: String,
    lock: Option<LockInfo>,
    /// Lineage and serial of the state the journal continues.
    base: Option<(String, u64)>,
    notes: Vec<String>,
}

/// Where the state is, without secrets: `user@host:port/db, schema S, state N`.
pub fn describe_conn(conn_str: &str, schema: &str, name: &str) -> String {
    let parsed = super::pg_tls::split(conn_str)
        .map_err(|_| ())
        .and_then(|(driver, _)| driver.parse::<postgres::Config>().map_err(|_| ()));
    let target = match parsed {
        Ok(c) => {
            let host = match c.get_hosts().first() {
                Some(postgres::config::Host::Tcp(h)) => h.clone(),
                #[cfg(unix)]
                Some(postgres::config::Host::Unix(p)) => p.display().to_string(),
                None => "localhost".to_owned(),
            };
            let port = c.get_ports().first().copied().unwrap_or(5432);
            format!(
                "{}@{host}:{port}/{}",
                c.get_user().unwrap_or("?"),
                c.get_dbname().unwrap_or("?")
            )
        }
        Err(()) => "an unparsable connection string".to_owned(),
    };
    format!("PostgreSQL {target} (schema {schema}, state {name})")
}

fn quote_ident(s: &str) -> Result<String, StateError> {
    if !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        Ok(format!("\"{s}\""))
    } else {
        Err(StateError::new(
            StateErrorKind::Unsupported,
            format!("`{s}` is not a valid schema name; use letters, digits and `_`"),
        ))
    }
}

/// The advisory lock key of a state: stable across processes and versions.
fn lock_key(schema: &str, name: &str) -> i64 {
    let digest = Sha256::digest(format!("vpcep:{schema}:{name}").as_bytes());
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(&digest[..8]);
    i64::from_be_bytes(bytes)
}

/// What the server or the driver said, in full: the driver's own `Display` of a server error
/// is only "db error". Never contains the connection string.
pub fn pg_message(e: &postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        let mut m = format!("{}: {}", db.severity(), db.message());
        if let Some(detail) = db.detail() {
            let _ = write!(m, " ({detail})");
        }
        if let Some(hint) = db.hint() {
            let _ = write!(m, "; hint: {hint}");
        }
        return m;
    }
    let mut m = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        let text = s.to_string();
        if !m.contains(&text) {
            let _ = write!(m, ": {text}");
        }
        source = s.source();
    }
    m
}

fn db_error(display: &str, what: &str, e: &postgres::Error) -> StateError {
    StateError::new(
        StateErrorKind::Unavailable,
        format!("{what} in {display} failed: {}", pg_message(e)),
    )
}

/// The schema's versions, in order: step `i` (from 0) turns a schema of version `i` into one of
/// version `i + 1`, and is recorded in `schema_version`. `{s}` is the schema's name. A step
/// runs in the same transaction as its record; a schema made before versions were recorded
/// (version 0 with the tables of version 1) takes step 0 as a no-op, since every step creates
/// only what does not exist.
const MIGRATIONS: &[&str] = &[
    // 1: states, their previous versions, the apply journal and lock records.
    "CREATE TABLE IF NOT EXISTS {s}.states (name text PRIMARY KEY, lineage text NOT NULL, serial bigint NOT NULL, data text NOT NULL, updated_at timestamptz NOT NULL DEFAULT now());
     CREATE TABLE IF NOT EXISTS {s}.state_versions (name text NOT NULL, lineage text NOT NULL, serial bigint NOT NULL, data text NOT NULL, created_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (name, lineage, serial));
     CREATE TABLE IF NOT EXISTS {s}.journal (seq bigserial PRIMARY KEY, name text NOT NULL, lineage text NOT NULL, serial bigint NOT NULL, entry text NOT NULL);
     CREATE TABLE IF NOT EXISTS {s}.locks (name text PRIMARY KEY, lock_id text NOT NULL, info text NOT NULL, backend_pid integer NOT NULL);",
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: usize = MIGRATIONS.len();

/// The driver's error without the words of the connection string it could not place: an
/// unknown option may be a password typed without `password=`, and is not echoed.
fn unechoed(message: &str) -> String {
    match message.find("unknown option `") {
        Some(at) => format!(
            "{}unknown option (not shown: it may be a password); write each setting as `key=value` with a key PostgreSQL knows",
            &message[..at]
        ),
        None => message.to_owned(),
    }
}

impl PgState {
    /// Connects, creates the schema on first use, and takes the lock when asked.
    pub fn open(
        conn_str: &str,
        schema: &str,
        name: &str,
        lock: Option<(&str, Duration)>,
    ) -> Result<Self, StateError> {
        let display = describe_conn(conn_str, schema, name);
        let client = super::pg_tls::connect(conn_str).map_err(|e| {
            StateError::new(
                StateErrorKind::Unavailable,
                format!("cannot connect to {display}: {}", unechoed(&e)),
            )
        })?;
        let mut state = PgState {
            client,
            schema: quote_ident(schema)?,
            name: name.to_owned(),
            display,
            lock: None,
            base: None,
            notes: Vec::new(),
        };
        state.create_schema()?;
        if let Some((operation, timeout)) = lock {
            state.acquire(operation, timeout)?;
        }
        Ok(state)
    }

    /// Creates the schema on first use and brings an older one up to [`SCHEMA_VERSION`]
    /// (see [`MIGRATIONS`]); a schema made by a newer vpcep is refused, untouched.
    fn create_schema(&mut self) -> Result<(), StateError> {
        let s = self.schema.clone();
        // Two first users at once may race on CREATE: an advisory lock orders them.
        let key = lock_key(&self.schema, "schema");
        let display = self.display.clone();
        let fail = |e: postgres::Error| db_error(&display, "creating the schema", &e);
        let mut tx = self.client.transaction().map_err(fail)?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&key])
            .map_err(fail)?;
        tx.batch_execute(&format!(
            "CREATE SCHEMA IF NOT EXISTS {s};
             CREATE TABLE IF NOT EXISTS {s}.schema_version (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now());"
        ))
        .map_err(fail)?;
        let current: i32 = tx
            .query_one(
                &format!("SELECT coalesce(max(version), 0) FROM {s}.schema_version"),
                &[],
            )
            .map_err(fail)?
            .get(0);
        let known = i32::try_from(MIGRATIONS.len()).unwrap_or(i32::MAX);
        if current > known {
            return Err(StateError::new(
                StateErrorKind::Unsupported,
                format!(
                    "{display} was made by a newer vpcep (schema version {current}; this vpcep knows versions up to {known}); nothing was changed\n  use that vpcep, or a newer one than this"
                ),
            ));
        }
        for (version, step) in (1..)
            .zip(MIGRATIONS)
            .skip(usize::try_from(current).unwrap_or(0))
        {
            tx.batch_execute(&step.replace("{s}", &s)).map_err(fail)?;
            tx.execute(
                &format!("INSERT INTO {s}.schema_version (version) VALUES ($1)"),
                &[&version],
            )
            .map_err(fail)?;
        }
        tx.commit().map_err(fail)
    }

    fn holder(&mut self) -> Option<LockInfo> {
        let sql = format!("SELECT info FROM {}.locks WHERE name = $1", self.schema);
        let row = self.client.query_opt(&sql, &[&self.name]).ok()??;
        serde_json::from_str(row.get::<_, &str>(0)).ok()
    }

    fn acquire(&mut self, operation: &str, timeout: Duration) -> Result<(), StateError> {
        let key = lock_key(&self.schema, &self.name);
        let started = Instant::now();
        loop {
            let got: bool = self
                .client
                .query_one("SELECT pg_try_advisory_lock($1)", &[&key])
                .map_err(|e| db_error(&self.display, "locking", &e))?
                .get(0);
            if got {
                tracing::debug!(
                    state = %self.display,
                    operation,
                    waited = ?started.elapsed(),
                    "state lock taken (pg advisory lock)"
                );
                break;
            }
            tracing::trace!(state = %self.display, "state lock held by another session");
            if started.elapsed() >= timeout {
                let holder = self
                    .holder()
                    .map_or_else(|| "another vpcep process".to_owned(), |i| i.describe());
                return Err(StateError::new(
                    StateErrorKind::Locked,
                    format!(
                        "the state {} is locked: {holder}\n  wait for that command to finish, retry with `--lock-timeout 60s`, or if it is really gone run `vpcep force-unlock LOCK_ID`",
                        self.display
                    ),
                ));
            }
            std::thread::sleep(Duration::from_millis(200).min(timeout));
        }
        let info = LockInfo::new(operation, &self.display);
        let text = serde_json::to_string(&info).unwrap_or_default();
        let sql = format!(
            "INSERT INTO {}.locks (name, lock_id, info, backend_pid) VALUES ($1, $2, $3, pg_backend_pid())
             ON CONFLICT (name) DO UPDATE SET lock_id = EXCLUDED.lock_id, info = EXCLUDED.info, backend_pid = EXCLUDED.backend_pid",
            self.schema
        );
        self.client
            .execute(&sql, &[&self.name, &info.id, &text])
            .map_err(|e| db_error(&self.display, "recording the lock", &e))?;
        self.lock = Some(info);
        Ok(())
    }

    pub fn lock_id(&self) -> Option<&str> {
        self.lock.as_ref().map(|l| l.id.as_str())
    }

    /// Clears the lock with ID `id`: a lock row whose session is gone is removed; a live
    /// holder's session is terminated (its advisory lock goes with it).
    pub fn force_unlock(&mut self, id: &str) -> Result<String, StateError> {
        let sql = format!(
            "SELECT lock_id, info, backend_pid FROM {}.locks WHERE name = $1",
            self.schema
        );
        let row = self
            .client
            .query_opt(&sql, &[&self.name])
            .map_err(|e| db_error(&self.display, "reading the lock", &e))?;
        let Some(row) = row else {
            return Err(StateError::new(
                StateErrorKind::Locked,
                format!("the state {} is not locked", self.display),
            ));
        };
        let (lock_id, info, pid): (String, String, i32) = (row.get(0), row.get(1), row.get(2));
        let info: Option<LockInfo> = serde_json::from_str(&info).ok();
        let who = info
            .as_ref()
            .map_or_else(|| format!("lock {lock_id}"), LockInfo::describe);
        if lock_id != id {
            return Err(StateError::new(
                StateErrorKind::Locked,
                format!("`{id}` is not the current lock; the state is held by {who}"),
            ));
        }
        let key = lock_key(&self.schema, &self.name);
        let free: bool = self
            .client
            .query_one("SELECT pg_try_advisory_lock($1)", &[&key])
            .map_err(|e| db_error(&self.display, "locking", &e))?
            .get(0);
        let done = if free {
            let _ = self
                .client
                .execute("SELECT pg_advisory_unlock($1)", &[&key]);
            format!("cleared the stale {who}")
        } else {
            self.client
                .execute("SELECT pg_terminate_backend($1)", &[&pid])
                .map_err(|e| db_error(&self.display, "ending the lock holder's session", &e))?;
            format!("ended the database session of the {who}; that process can no longer write")
        };
        let sql = format!(
            "DELETE FROM {}.locks WHERE name = $1 AND lock_id = $2",
            self.schema
        );
        self.client
            .execute(&sql, &[&self.name, &lock_id])
            .map_err(|e| db_error(&self.display, "clearing the lock", &e))?;
        Ok(done)
    }

    fn stored(&mut self) -> Result<Option<(String, u64, String)>, StateError> {
        let sql = format!(
            "SELECT lineage, serial, data FROM {}.states WHERE name = $1",
            self.schema
        );
        let row = self
            .client
            .query_opt(&sql, &[&self.name])
            .map_err(|e| db_error(&self.display, "reading the state", &e))?;
        Ok(row.map(|r| {
            (
                r.get(0),
                u64::try_from(r.get::<_, i64>(1)).unwrap_or(0),
                r.get(2),
            )
        }))
    }
}

impl Drop for PgState {
    fn drop(&mut self) {
        if let Some(info) = self.lock.take() {
            let sql = format!(
                "DELETE FROM {}.locks WHERE name = $1 AND lock_id = $2",
                self.schema
            );
            let _ = self.client.execute(&sql, &[&self.name, &info.id]);
            tracing::debug!(id = %info.id, "state lock released (pg advisory lock)");
            let _ = self.client.execute(
                "SELECT pg_advisory_unlock($1)",
                &[&lock_key(&self.schema, &self.name)],
            );
        }
    }
}

/// The names of every state in the schema (every workspace's), sorted.
pub fn state_names(conn_str: &str, schema: &str) -> Result<Vec<String>, StateError> {
    let mut state = PgState::open(conn_str, schema, "", None)?;
    let sql = format!("SELECT name FROM {}.states ORDER BY name", state.schema);
    let display = state.display.clone();
    let rows = state
        .client
        .query(&sql, &[])
        .map_err(|e| db_error(&display, "listing the states", &e))?;
    Ok(rows.iter().map(|r| r.get::<_, String>(0)).collect())
}

/// Removes the state `name` (a workspace's) with its versions and journal.
pub fn delete_state(conn_str: &str, schema: &str, name: &str) -> Result<(), StateError> {
    let mut state = PgState::open(conn_str, schema, name, None)?;
    let display = state.display.clone();
    let s = state.schema.clone();
    let fail = |e: postgres::Error| db_error(&display, "deleting the state", &e);
    let mut tx = state.client.transaction().map_err(fail)?;
    for table in ["states", "state_versions", "journal"] {
        tx.execute(
            &format!("DELETE FROM {s}.{table} WHERE name = $1"),
            &[&name],
        )
        .map_err(fail)?;
    }
    tx.commit().map_err(fail)
}

impl StateStore for PgState {
    fn describe(&self) -> String {
        self.display.clone()
    }

    fn is_locked(&self) -> bool {
        self.lock.is_some()
    }

    fn load(&mut self) -> Result<Option<Stored>, StateError> {
        let Some((_, _, data)) = self.stored()? else {
            return Ok(None);
        };
        let state = wire::decode(&data).map_err(|e| {
            StateError::new(
                StateErrorKind::Damaged,
                format!("the state in {} is not valid: {e}", self.display),
            )
        })?;
        let sql = format!(
            "SELECT entry FROM {}.journal WHERE name = $1 AND lineage = $2 AND serial = $3 ORDER BY seq",
            self.schema
        );
        let serial = i64::try_from(state.serial).unwrap_or(i64::MAX);
        let rows = self
            .client
            .query(&sql, &[&self.name, &state.lineage, &serial])
            .map_err(|e| db_error(&self.display, "reading the journal", &e))?;
        let mut journal = Vec::with_capacity(rows.len());
        for (i, row) in rows.iter().enumerate() {
            // Each entry is one committed row: none can be torn, so every one must decode.
            let damaged = |e: String| {
                StateError::new(
                    StateErrorKind::Damaged,
                    format!(
                        "the journal in {} is damaged at entry {} of {}: {e}; nothing was changed",
                        self.display,
                        i + 1,
                        rows.len()
                    ),
                )
            };
            let entry: JournalEntry =
                serde_json::from_str(row.get::<_, &str>(0)).map_err(|e| damaged(e.to_string()))?;
            journal.push(wire::change_from_wire(&entry).map_err(damaged)?);
        }
        if !journal.is_empty() {
            self.notes.push(format!(
                "recovered {} recorded change{} of an interrupted apply from {}",
                journal.len(),
                if journal.len() == 1 { "" } else { "s" },
                self.display
            ));
        }
        self.base = Some((state.lineage.clone(), state.serial));
        Ok(Some(Stored { state, journal }))
    }

    fn record(&mut self, change: &StateChange) -> Result<(), StateError> {
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
        let entry = serde_json::to_string(&wire::change_to_wire(change)).unwrap_or_default();
        let sql = format!(
            "INSERT INTO {}.journal (name, lineage, serial, entry) VALUES ($1, $2, $3, $4)",
            self.schema
        );
        let serial = i64::try_from(serial).unwrap_or(i64::MAX);
        self.client
            .execute(&sql, &[&self.name, &lineage, &serial, &entry])
            .map_err(|e| db_error(&self.display, "recording a step", &e))?;
        Ok(())
    }

    fn write(&mut self, state: &RecordedState) -> Result<(), StateError> {
        self.write_checked(state, true)
    }

    fn write_forced(&mut self, state: &RecordedState) -> Result<(), StateError> {
        self.write_checked(state, false)
    }

    fn notes(&self) -> Vec<String> {
        self.notes.clone()
    }
}

impl PgState {
    /// Replaces the state in one transaction, keeping the previous version; with `checked`,
    /// refuses another lineage or a newer stored serial (no lost update).
    fn write_checked(&mut self, state: &RecordedState, checked: bool) -> Result<(), StateError> {
        let s = self.schema.clone();
        let display = self.display.clone();
        let data = wire::encode(state);
        let serial = i64::try_from(state.serial).unwrap_or(i64::MAX);
        let err = |e: &postgres::Error| db_error(&display, "writing the state", e);
        let mut tx = self.client.transaction().map_err(|e| err(&e))?;
        let current = tx
            .query_opt(
                &format!("SELECT lineage, serial, data FROM {s}.states WHERE name = $1 FOR UPDATE"),
                &[&self.name],
            )
            .map_err(|e| err(&e))?;
        if let Some(row) = current {
            let (lineage, stored, old): (String, i64, String) =
                (row.get(0), row.get(1), row.get(2));
            if checked && lineage != state.lineage {
                return Err(StateError::new(
                    StateErrorKind::Conflict,
                    format!(
                        "refusing to overwrite the state in {display}: it has lineage {lineage}, this one {}; it belongs to another configuration",
                        state.lineage
                    ),
                ));
            }
            if checked && stored > serial {
                return Err(StateError::new(
                    StateErrorKind::Conflict,
                    format!(
                        "refusing to overwrite the state in {display}: it is at serial {stored}, newer than this one ({serial}); another command wrote it meanwhile"
                    ),
                ));
            }
            tx.execute(
                &format!("INSERT INTO {s}.state_versions (name, lineage, serial, data) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING"),
                &[&self.name, &lineage, &stored, &old],
            )
            .map_err(|e| err(&e))?;
        }
        tx.execute(
            &format!(
                "INSERT INTO {s}.states (name, lineage, serial, data, updated_at) VALUES ($1, $2, $3, $4, now())
                 ON CONFLICT (name) DO UPDATE SET lineage = EXCLUDED.lineage, serial = EXCLUDED.serial, data = EXCLUDED.data, updated_at = now()"
            ),
            &[&self.name, &state.lineage, &serial, &data],
        )
        .map_err(|e| err(&e))?;
        tx.execute(
            &format!("DELETE FROM {s}.journal WHERE name = $1"),
            &[&self.name],
        )
        .map_err(|e| err(&e))?;
        tx.commit().map_err(|e| err(&e))?;
        self.base = Some((state.lineage.clone(), state.serial));
        Ok(())
    }
}
