//! The `PostgreSQL` backend against a real server. `VPCEP_TEST_PG_URL` names it (`.ci/run` sets
//! it); without it these tests fail in CI and say loudly that they are skipped elsewhere.

use super::harness::{Workspace, services_hcl, vpcep};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub(crate) fn pg_url() -> Option<String> {
    match std::env::var("VPCEP_TEST_PG_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            assert!(
                std::env::var_os("CI").is_none(),
                "VPCEP_TEST_PG_URL is not set in CI: .ci/run must start PostgreSQL and set it"
            );
            eprintln!(
                "SKIPPED: set VPCEP_TEST_PG_URL=postgresql://USER@127.0.0.1:5432/test to run the PostgreSQL backend tests"
            );
            None
        }
    }
}

/// A schema of its own per test, dropped afterwards.
struct Schema {
    url: String,
    name: String,
}

impl Schema {
    fn new(url: &str, tag: &str) -> Self {
        let name = format!("vpcep_test_{tag}_{}", std::process::id());
        let schema = Schema {
            url: url.to_owned(),
            name,
        };
        schema.drop_schema();
        schema
    }

    fn backend(&self, state: &str) -> String {
        format!(
            "backend \"pg\" {{\n  schema_name = \"{}\"\n  state_name  = \"{state}\"\n}}\n",
            self.name
        )
    }

    fn query(&self, sql: &str) -> Vec<postgres::Row> {
        let mut client = postgres::Client::connect(&self.url, postgres::NoTls).unwrap();
        client.query(sql, &[]).unwrap()
    }

    fn drop_schema(&self) {
        if let Ok(mut client) = postgres::Client::connect(&self.url, postgres::NoTls) {
            let _ = client.batch_execute(&format!("DROP SCHEMA IF EXISTS {} CASCADE", self.name));
        }
    }

    /// Whether some command holds (or held, and left a record of) a lock.
    fn has_lock_record(&self) -> bool {
        self.table_exists("locks")
            && !self
                .query(&format!("SELECT 1 FROM {}.locks", self.name))
                .is_empty()
    }

    fn journal_rows(&self) -> i64 {
        if !self.table_exists("journal") {
            return 0;
        }
        self.query(&format!("SELECT count(*) FROM {}.journal", self.name))[0].get(0)
    }

    fn table_exists(&self, table: &str) -> bool {
        self.query(&format!(
            "SELECT to_regclass('{}.{table}') IS NOT NULL",
            self.name
        ))[0]
            .get(0)
    }

    fn serial(&self, state: &str) -> i64 {
        let rows = self.query(&format!(
            "SELECT serial FROM {}.states WHERE name = '{state}'",
            self.name
        ));
        rows.first().map_or(-1, |r| r.get(0))
    }

    fn resources(&self, state: &str) -> usize {
        let rows = self.query(&format!(
            "SELECT data FROM {}.states WHERE name = '{state}'",
            self.name
        ));
        let data: String = rows[0].get(0);
        let v: serde_json::Value = serde_json::from_str(&data).unwrap();
        v["resources"].as_array().unwrap().len()
    }
}

impl Drop for Schema {
    fn drop(&mut self) {
        self.drop_schema();
    }
}

fn env(url: &str) -> Vec<(&'static str, String)> {
    vec![("VPCEP_PG_CONN_STR", url.to_owned())]
}

fn run(ws: &Workspace, args: &[&str], url: &str, code: i32) -> super::harness::Output {
    let e = env(url);
    let e: Vec<(&str, &str)> = e.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let out = vpcep(ws.path(), args, &e);
    assert_eq!(
        out.code, code,
        "vpcep {args:?} exited {}:\n{}\n{}",
        out.code, out.stdout, out.stderr
    );
    out
}

fn spawn(ws: &Workspace, args: &[&str], url: &str) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_vpcep"))
        .current_dir(ws.path())
        .args(args)
        .env("VPCEP_PG_CONN_STR", url)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn wait_until(what: &str, mut check: impl FnMut() -> bool) {
    let started = Instant::now();
    while !check() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "timed out waiting until {what}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_local_state_pushed_to_postgres_plans_no_changes() {
    let Some(url) = pg_url() else { return };
    let schema = Schema::new(&url, "push");
    let ws = Workspace::example("partner-sharing");
    run(&ws, &["apply", "--auto-approve"], &url, 0);
    let local = ws.read("vpcep.state.json");
    std::fs::rename(
        ws.path().join("vpcep.state.json"),
        ws.path().join("old.state.json"),
    )
    .unwrap();
    ws.write("backend.hcl", &schema.backend("partners"));
    let pushed = run(&ws, &["state", "push", "old.state.json"], &url, 0);
    assert!(pushed.stdout.contains("(3 resources"), "{}", pushed.stdout);
    let plan = run(&ws, &["plan", "--detailed-exitcode"], &url, 0);
    assert!(plan.stdout.contains("No changes."), "{}", plan.stdout);
    let pulled = run(&ws, &["state", "pull"], &url, 0);
    assert_eq!(pulled.stdout, local, "pull prints what was pushed");

    // Another lineage, or an older serial, is refused unless forced.
    let mut other: serde_json::Value = serde_json::from_str(&local).unwrap();
    other["lineage"] = "someone-else".into();
    ws.write("other.json", &other.to_string());
    let refused = run(&ws, &["state", "push", "other.json"], &url, 1);
    assert!(
        refused
            .stderr
            .contains("they are states of different configurations"),
        "{}",
        refused.stderr
    );
    let mut older: serde_json::Value = serde_json::from_str(&local).unwrap();
    older["serial"] = 1.into();
    ws.write("older.json", &older.to_string());
    let refused = run(&ws, &["state", "push", "older.json"], &url, 1);
    assert!(
        refused.stderr.contains("older than the stored serial"),
        "{}",
        refused.stderr
    );
    let mut same_serial: serde_json::Value = serde_json::from_str(&local).unwrap();
    same_serial["resources"] = serde_json::json!([]);
    ws.write("same.json", &same_serial.to_string());
    let refused = run(&ws, &["state", "push", "same.json"], &url, 1);
    assert!(
        refused.stderr.contains("has the stored serial")
            && refused.stderr.contains("different content"),
        "{}",
        refused.stderr
    );
    let serial = schema.serial("partners");
    run(&ws, &["state", "push", "older.json", "--force"], &url, 0);
    assert_eq!(
        schema.serial("partners"),
        serial + 1,
        "a forced push moves the serial forward"
    );
    let versions = schema.query(&format!(
        "SELECT count(*) FROM {}.state_versions",
        schema.name
    ));
    assert!(
        versions[0].get::<_, i64>(0) >= 1,
        "previous versions are kept"
    );
}

#[test]
fn two_applies_on_one_state_take_turns_and_lose_nothing() {
    let Some(url) = pg_url() else { return };
    let schema = Schema::new(&url, "turns");
    let cloud = tempfile::tempdir().unwrap();
    let provider = format!(
        "provider \"sim\" {{\n  path = \"{}\"\n  create_delay = \"150ms\"\n}}\n",
        cloud.path().join("cloud.db").display()
    );
    let first = Workspace::new();
    first.write(
        "main.hcl",
        &format!(
            "{provider}{}{}",
            schema.backend("shared"),
            services_hcl("t", 5)
        ),
    );
    let second = Workspace::new();
    second.write(
        "main.hcl",
        &format!(
            "{provider}{}{}",
            schema.backend("shared"),
            services_hcl("t", 6)
        ),
    );

    let slow = spawn(
        &first,
        &["apply", "--auto-approve", "--parallelism", "1"],
        &url,
    );
    wait_until("the first apply holds the lock", || {
        schema.has_lock_record()
    });
    let refused = run(&second, &["apply", "--auto-approve"], &url, 1);
    assert!(
        refused.stderr.contains("is locked: lock") && refused.stderr.contains("for `apply`"),
        "{}",
        refused.stderr
    );
    let waited = run(
        &second,
        &["apply", "--auto-approve", "--lock-timeout", "60s"],
        &url,
        0,
    );
    let out = slow.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(
        waited.stdout.contains("Resources: 1 added"),
        "the second ran after the first: {}",
        waited.stdout
    );
    assert_eq!(schema.resources("shared"), 6);
    run(&first, &["plan"], &url, 0);
    let plan = run(&second, &["plan", "--detailed-exitcode"], &url, 0);
    assert!(plan.stdout.contains("No changes."), "{}", plan.stdout);
}

#[test]
fn a_killed_apply_leaves_a_consistent_state_and_releases_the_lock() {
    let Some(url) = pg_url() else { return };
    let schema = Schema::new(&url, "kill");
    let ws = Workspace::new();
    ws.write(
        "main.hcl",
        &format!(
            "provider \"sim\" {{\n  create_delay = \"100ms\"\n  quota_services = 100\n}}\n{}{}",
            schema.backend("k"),
            services_hcl("k", 40)
        ),
    );
    let mut child = spawn(
        &ws,
        &["apply", "--auto-approve", "--parallelism", "2"],
        &url,
    );
    wait_until("part of the apply is journalled", || {
        schema.journal_rows() >= 16
    });
    child.kill().unwrap();
    child.wait().unwrap();
    let lock_row: Vec<postgres::Row> =
        schema.query(&format!("SELECT lock_id FROM {}.locks", schema.name));
    // The session ended with the process: the lock is free even though its row remains.
    let plan = run(&ws, &["plan"], &url, 0);
    let line = plan
        .stdout
        .lines()
        .find(|l| l.starts_with("Plan: "))
        .unwrap()
        .to_owned();
    let to_add: usize = line["Plan: ".len()..]
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        to_add > 0 && to_add < 40,
        "only the rest is planned: {line}"
    );
    run(&ws, &["apply", "--auto-approve"], &url, 0);
    assert_eq!(schema.resources("k"), 40);
    run(&ws, &["plan", "--detailed-exitcode"], &url, 0);
    if let Some(row) = lock_row.first() {
        let id: String = row.get(0);
        // The stale row was replaced by later commands; its ID no longer unlocks anything.
        let out = run(&ws, &["force-unlock", &id], &url, 1);
        assert!(
            out.stderr.contains("not locked") || out.stderr.contains("is not the current lock"),
            "{}",
            out.stderr
        );
    }
}

#[test]
fn force_unlock_ends_a_hanging_holder_and_passwords_never_show() {
    let Some(url) = pg_url() else { return };
    let schema = Schema::new(&url, "unlock");
    let ws = Workspace::new();
    ws.write(
        "main.hcl",
        &format!(
            "provider \"sim\" {{\n  create_delay = \"200ms\"\n}}\n{}{}",
            schema.backend("u"),
            services_hcl("u", 20)
        ),
    );
    let holder = spawn(
        &ws,
        &["apply", "--auto-approve", "--parallelism", "1"],
        &url,
    );
    wait_until("the lock is taken", || schema.has_lock_record());
    let refused = run(&ws, &["plan"], &url, 1);
    let id = refused
        .stderr
        .split("is locked: lock ")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .unwrap()
        .to_owned();
    let out = run(&ws, &["force-unlock", &id], &url, 0);
    assert!(
        out.stdout.contains("ended the database session"),
        "{}",
        out.stdout
    );
    let held = holder.wait_with_output().unwrap();
    assert!(!held.status.success(), "the holder can no longer write");
    // What the holder completed before losing its session is recorded; the rest is planned.
    run(&ws, &["plan"], &url, 0);

    // A password in the connection string never shows.
    let with_password = url.replacen('@', ":hunter2-pw@", 1);
    let e = [("VPCEP_PG_CONN_STR", with_password.as_str())];
    for args in [&["plan"][..], &["state", "pull"], &["force-unlock", "nope"]] {
        let out = vpcep(ws.path(), args, &e);
        assert!(
            !out.stdout.contains("hunter2-pw") && !out.stderr.contains("hunter2-pw"),
            "{args:?} showed the password"
        );
    }
    let bad = "postgresql://root:hunter2-pw@127.0.0.1:1/test";
    let out = vpcep(ws.path(), &["plan"], &[("VPCEP_PG_CONN_STR", bad)]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr
            .contains("cannot connect to PostgreSQL root@127.0.0.1:1/test"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("hunter2-pw"), "{}", out.stderr);
}

/// Issue 10, case 1 on `PostgreSQL`: a journal replayed after a killed apply is a new serial, so
/// a plan saved before it is stale.
#[test]
fn a_plan_saved_before_a_killed_apply_is_stale() {
    let Some(url) = pg_url() else { return };
    let schema = Schema::new(&url, "stale");
    let ws = Workspace::new();
    let config = |n: usize| {
        format!(
            "provider \"sim\" {{\n  create_delay = \"100ms\"\n  quota_services = 100\n}}\n{}{}",
            schema.backend("s"),
            services_hcl("s", n)
        )
    };
    ws.write("main.hcl", &config(3));
    run(&ws, &["apply", "--auto-approve"], &url, 0);
    ws.write("main.hcl", &config(20));
    run(&ws, &["plan", "--out", "p1.plan"], &url, 0);
    let mut child = spawn(
        &ws,
        &["apply", "--auto-approve", "--parallelism", "1"],
        &url,
    );
    wait_until("part of the apply is journalled", || {
        schema.journal_rows() >= 4
    });
    child.kill().unwrap();
    child.wait().unwrap();
    let stale = run(&ws, &["apply", "p1.plan"], &url, 1);
    assert!(stale.stderr.contains("is stale"), "{}", stale.stderr);
    run(&ws, &["apply", "--auto-approve"], &url, 0);
    assert_eq!(schema.resources("s"), 20);
    run(&ws, &["plan", "--detailed-exitcode"], &url, 0);
}

/// Issue 10, case 18: a connection the server refuses says what the server said, not "db error".
#[test]
fn server_errors_say_what_the_server_said() {
    let Some(url) = pg_url() else { return };
    let ws = Workspace::new();
    ws.write(
        "main.hcl",
        &format!("backend \"pg\" {{}}\n{}", services_hcl("e", 1)),
    );
    let base = url.rsplit_once('/').map_or(url.as_str(), |(b, _)| b);
    let missing_db = format!("{base}/vpcep_no_such_database");
    let out = run(&ws, &["plan"], &missing_db, 1);
    assert!(
        out.stderr.contains("vpcep_no_such_database") && out.stderr.contains("does not exist"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("db error"), "{}", out.stderr);
}

/// A database made before the schema had versions (the tables of version 1, no
/// `schema_version`) is brought to the current version and keeps its state; a schema of a
/// newer version is refused, untouched.
#[test]
fn a_schema_made_by_the_previous_version_is_migrated_and_a_newer_one_refused() {
    let Some(url) = pg_url() else { return };
    let db = Schema::new(&url, "migrate");
    let ws = Workspace::new();
    ws.write("main.hcl", &(db.backend("default") + &services_hcl("m", 2)));
    run(&ws, &["apply", "--auto-approve"], &url, 0);
    // What the previous version left: the same tables, without `schema_version`.
    db.query(&format!("DROP TABLE {}.schema_version", db.name));
    run(&ws, &["plan", "--detailed-exitcode"], &url, 0);
    let versions: Vec<i32> = db
        .query(&format!(
            "SELECT version FROM {}.schema_version ORDER BY version",
            db.name
        ))
        .iter()
        .map(|r| r.get(0))
        .collect();
    let current = i32::try_from(vpcep::state::pg::SCHEMA_VERSION).unwrap();
    assert_eq!(versions, (1..=current).collect::<Vec<_>>());
    assert_eq!(db.resources("default"), 2, "the state survived");

    // A newer vpcep's schema: refused, with nothing changed.
    db.query(&format!(
        "INSERT INTO {}.schema_version (version) VALUES ({})",
        db.name,
        current + 1
    ));
    let serial = db.serial("default");
    let out = run(&ws, &["apply", "--auto-approve"], &url, 1);
    assert!(
        out.stderr.contains("was made by a newer vpcep"),
        "{}",
        out.stderr
    );
    assert_eq!(db.serial("default"), serial);
}

/// The server's TLS certificate, when it speaks TLS (`SHOW ssl`); in CI it must (`.ci/run`
/// turns it on).
fn server_certificate(url: &str) -> Option<String> {
    let mut client = postgres::Client::connect(url, postgres::NoTls).unwrap();
    let on: String = client.query_one("SHOW ssl", &[]).unwrap().get(0);
    if on != "on" {
        assert!(
            std::env::var_os("CI").is_none(),
            "the test server does not speak TLS in CI: .ci/run must turn it on"
        );
        eprintln!("SKIPPED: the test server does not speak TLS (SHOW ssl is off)");
        return None;
    }
    Some(client.query_one("SHOW ssl_cert_file", &[]).unwrap().get(0))
}

/// Whether a connection made as `conn_str` is encrypted (`pg_stat_ssl`), or why it failed.
fn encrypted(conn_str: &str) -> Result<bool, String> {
    let mut client = vpcep::state::pg_tls::connect(conn_str)?;
    Ok(client
        .query_one(
            "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
            &[],
        )
        .unwrap()
        .get(0))
}

/// `sslmode` and `sslrootcert` mean what they mean to libpq, against the local server and its
/// self-signed certificate (issued to `localhost`).
#[test]
fn tls_is_used_and_verified_as_sslmode_asks() {
    let Some(url) = pg_url() else { return };
    let Some(cert) = server_certificate(&url) else {
        return;
    };
    let sep = if url.contains('?') { '&' } else { '?' };
    let by_name = url.replace("127.0.0.1", "localhost");
    let sep_name = if by_name.contains('?') { '&' } else { '?' };
    let root = format!("sslrootcert={}", cert.replace('/', "%2F"));

    assert_eq!(encrypted(&format!("{url}{sep}sslmode=disable")), Ok(false));
    assert_eq!(encrypted(&url), Ok(true), "prefer: TLS when offered");
    assert_eq!(encrypted(&format!("{url}{sep}sslmode=require")), Ok(true));
    assert_eq!(
        encrypted(&format!("{by_name}{sep_name}sslmode=verify-full&{root}")),
        Ok(true)
    );
    assert_eq!(
        encrypted(&format!("{url}{sep}sslmode=verify-ca&{root}")),
        Ok(true),
        "verify-ca checks the chain, not the name"
    );
    // A certificate not issued to the host, or not chained to a trusted root, is refused.
    let wrong_name = encrypted(&format!("{url}{sep}sslmode=verify-full&{root}")).unwrap_err();
    assert!(wrong_name.contains("certificate"), "{wrong_name}");
    let untrusted = encrypted(&format!("{by_name}{sep_name}sslmode=verify-full")).unwrap_err();
    assert!(untrusted.contains("certificate"), "{untrusted}");
    // A root certificate file that cannot be read, or an sslmode libpq does not know, is named.
    let missing = encrypted(&format!(
        "{by_name}{sep_name}sslmode=verify-full&sslrootcert=%2Fnonexistent%2Fca.pem"
    ))
    .unwrap_err();
    assert!(
        missing.contains("cannot read sslrootcert `/nonexistent/ca.pem`"),
        "{missing}"
    );
    let unknown = encrypted(&format!("{url}{sep}sslmode=sometimes")).unwrap_err();
    assert!(unknown.contains("sslmode `sometimes`"), "{unknown}");

    // End to end: the binary keeps its state over a verified connection.
    let db = Schema::new(&url, "tls");
    let ws = Workspace::new();
    ws.write("main.hcl", &(db.backend("default") + &services_hcl("t", 1)));
    let verified = format!("{by_name}{sep_name}sslmode=verify-full&{root}");
    run(&ws, &["apply", "--auto-approve"], &verified, 0);
    assert_eq!(db.resources("default"), 1);
    let refused = run(
        &ws,
        &["plan"],
        &format!("{by_name}{sep_name}sslmode=verify-full"),
        1,
    );
    assert!(
        refused.stderr.contains("cannot connect to"),
        "{}",
        refused.stderr
    );
}

#[test]
fn workspaces_keep_separate_states_in_postgresql() {
    let Some(url) = pg_url() else { return };
    let schema = Schema::new(&url, "workspaces");
    let ws = Workspace::new();
    ws.write(
        "main.hcl",
        &format!(
            "provider \"sim\" {{\n  path = \".vpcep/cloud.db\"\n}}\n{}{}",
            schema.backend("infra"),
            super::language::per_workspace_config()
        ),
    );
    let conn = [("VPCEP_PG_CONN_STR", url.as_str())];
    // One state per workspace, named after the backend's `state_name`.
    super::language::two_workspaces(&ws, &conn);
    let names: Vec<String> = schema
        .query(&format!(
            "SELECT name FROM {}.states ORDER BY name",
            schema.name
        ))
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(names, ["infra"], "the deleted workspace's state is gone");
    assert_eq!(schema.resources("infra"), 1);
}
