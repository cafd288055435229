//! The simulator's `SQLite` store: rows of services and endpoints, shared safely by several
//! processes (WAL, busy timeout, immediate transactions for check-then-write rules).

use crate::cloud::types::{CloudError, PolicyStatement, PortMapping};
use indexmap::IndexMap;
use rusqlite::{Connection, OptionalExtension, params};
use std::path::Path;
use std::time::Duration;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS services (
    id TEXT PRIMARY KEY,
    domain_id TEXT NOT NULL,
    project_id TEXT NOT NULL,
    name TEXT,
    port_id TEXT NOT NULL,
    vpc_id TEXT NOT NULL,
    server_type TEXT NOT NULL,
    service_type TEXT NOT NULL,
    approval_enabled INTEGER NOT NULL,
    ports TEXT NOT NULL,
    whitelist TEXT NOT NULL,
    tags TEXT NOT NULL,
    description TEXT,
    tcp_proxy TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    ready_ms INTEGER NOT NULL,
    gone_ms INTEGER
);
CREATE INDEX IF NOT EXISTS services_domain ON services(domain_id);
CREATE INDEX IF NOT EXISTS services_port ON services(port_id);
CREATE INDEX IF NOT EXISTS services_gone ON services(gone_ms) WHERE gone_ms IS NOT NULL;
CREATE TABLE IF NOT EXISTS endpoints (
    id TEXT PRIMARY KEY,
    domain_id TEXT NOT NULL,
    project_id TEXT NOT NULL,
    service_id TEXT NOT NULL,
    vpc_id TEXT NOT NULL,
    subnet_id TEXT,
    port_ip TEXT,
    ip TEXT NOT NULL,
    enable_dns INTEGER NOT NULL,
    whitelist TEXT NOT NULL,
    tags TEXT NOT NULL,
    description TEXT,
    created_ms INTEGER NOT NULL,
    ready_ms INTEGER NOT NULL,
    settled_status TEXT NOT NULL,
    action_status TEXT,
    gone_ms INTEGER
);
CREATE INDEX IF NOT EXISTS endpoints_domain ON endpoints(domain_id);
CREATE INDEX IF NOT EXISTS endpoints_service ON endpoints(service_id);
CREATE INDEX IF NOT EXISTS endpoints_gone ON endpoints(gone_ms) WHERE gone_ms IS NOT NULL;
";

#[derive(Debug, Clone)]
pub(super) struct ServiceRow {
    pub id: String,
    pub domain_id: String,
    pub name: Option<String>,
    pub port_id: String,
    pub vpc_id: String,
    pub server_type: String,
    pub service_type: String,
    pub approval_enabled: bool,
    pub ports: Vec<PortMapping>,
    pub whitelist: Vec<String>,
    pub tags: IndexMap<String, String>,
    pub description: Option<String>,
    pub tcp_proxy: String,
    pub enterprise_project_id: String,
    pub created_ms: i64,
    pub ready_ms: i64,
    pub gone_ms: Option<i64>,
}

#[derive(Debug, Clone)]
pub(super) struct EndpointRow {
    pub id: String,
    pub domain_id: String,
    pub service_id: String,
    pub vpc_id: String,
    pub subnet_id: Option<String>,
    pub port_ip: Option<String>,
    pub ip: String,
    pub enable_dns: bool,
    pub whitelist: Vec<String>,
    pub enable_whitelist: bool,
    pub route_tables: Vec<String>,
    pub policy: Vec<PolicyStatement>,
    pub tags: IndexMap<String, String>,
    pub description: Option<String>,
    pub enterprise_project_id: String,
    pub created_ms: i64,
    pub ready_ms: i64,
    pub settled_status: String,
    pub action_status: Option<String>,
    pub gone_ms: Option<i64>,
}

pub(super) fn db_err(e: &rusqlite::Error) -> CloudError {
    CloudError::new(500, "EndPoint.0001", format!("simulator store error: {e}"))
}

fn ports_json(ports: &[PortMapping]) -> String {
    let list: Vec<serde_json::Value> = ports
        .iter()
        .map(|p| serde_json::json!({"protocol": p.protocol, "server_port": p.server_port, "client_port": p.client_port}))
        .collect();
    serde_json::Value::Array(list).to_string()
}

fn ports_from_json(text: &str) -> Vec<PortMapping> {
    let list: Vec<serde_json::Value> = serde_json::from_str(text).unwrap_or_default();
    list.iter()
        .map(|p| PortMapping {
            protocol: p["protocol"].as_str().unwrap_or("TCP").to_owned(),
            server_port: u16::try_from(p["server_port"].as_u64().unwrap_or(0)).unwrap_or(0),
            client_port: u16::try_from(p["client_port"].as_u64().unwrap_or(0)).unwrap_or(0),
        })
        .collect()
}

pub(super) fn json_list(list: &[String]) -> String {
    serde_json::to_string(list).unwrap_or_default()
}

pub(super) fn json_map(map: &IndexMap<String, String>) -> String {
    serde_json::to_string(map).unwrap_or_default()
}

fn policy_json(policy: &[PolicyStatement]) -> String {
    let list: Vec<serde_json::Value> = policy
        .iter()
        .map(
            |p| serde_json::json!({"effect": p.effect, "action": p.action, "resource": p.resource}),
        )
        .collect();
    serde_json::Value::Array(list).to_string()
}

fn policy_from_json(text: &str) -> Vec<PolicyStatement> {
    let list: Vec<serde_json::Value> = serde_json::from_str(text).unwrap_or_default();
    let strings = |v: &serde_json::Value| -> Vec<String> {
        v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    list.iter()
        .map(|p| PolicyStatement {
            effect: p["effect"].as_str().unwrap_or_default().to_owned(),
            action: strings(&p["action"]),
            resource: strings(&p["resource"]),
        })
        .collect()
}

fn list_from_json(text: &str) -> Vec<String> {
    serde_json::from_str(text).unwrap_or_default()
}

fn map_from_json(text: &str) -> IndexMap<String, String> {
    serde_json::from_str(text).unwrap_or_default()
}

pub(super) fn open(path: &Path) -> Result<Connection, String> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create `{}`: {e}", dir.display()))?;
    }
    let conn = Connection::open(path)
        .map_err(|e| format!("cannot open the simulator store `{}`: {e}", path.display()))?;
    conn.busy_timeout(Duration::from_secs(30))
        .map_err(|e| e.to_string())?;
    conn.pragma_update(None, "journal_mode", "WAL")
        .map_err(|e| e.to_string())?;
    conn.pragma_update(None, "synchronous", "NORMAL")
        .map_err(|e| e.to_string())?;
    migrate(&conn).map_err(|e| {
        format!(
            "cannot set up the simulator store `{}`: {e}",
            path.display()
        )
    })?;
    Ok(conn)
}

/// The store's schema version (`PRAGMA user_version`) this build writes.
const SCHEMA_VERSION: i64 = 3;

/// Brings a store of any earlier version up to [`SCHEMA_VERSION`], in one write transaction
/// (other processes may open the same store at once):
/// 1. the tables and indexes;
/// 2. live-row counts per account, kept by triggers, so a create's quota check does not scan
///    the account's rows (`COUNT(*)` made applies quadratic);
/// 3. enterprise projects, and the gateway and whitelist switches of endpoints.
fn migrate(conn: &Connection) -> rusqlite::Result<()> {
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if version >= SCHEMA_VERSION {
        return Ok(());
    }
    conn.execute_batch("BEGIN IMMEDIATE")?;
    let steps = (|| {
        let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        if version < 1 {
            conn.execute_batch(SCHEMA)?;
        }
        if version < 2 {
            conn.execute_batch(LIVE_COUNTS)?;
            for table in ["services", "endpoints"] {
                conn.execute_batch(&live_count_triggers(table))?;
            }
        }
        if version < 3 {
            conn.execute_batch(GATEWAY_AND_PROJECTS)?;
        }
        conn.pragma_update(None, "user_version", SCHEMA_VERSION)
    })();
    match steps {
        Ok(()) => conn.execute_batch("COMMIT"),
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            Err(e)
        }
    }
}

/// The triggers that keep `table`'s live-row counts: a row counts while `gone_ms` is null.
fn live_count_triggers(table: &str) -> String {
    let up = |row: &str| {
        format!(
            "INSERT OR IGNORE INTO live_counts VALUES ({row}.domain_id, '{table}', 0);
             UPDATE live_counts SET n = n + 1 WHERE domain_id = {row}.domain_id AND tbl = '{table}';"
        )
    };
    let down = |row: &str| {
        format!(
            "UPDATE live_counts SET n = n - 1 WHERE domain_id = {row}.domain_id AND tbl = '{table}';"
        )
    };
    format!(
        "CREATE TRIGGER IF NOT EXISTS {table}_live_insert AFTER INSERT ON {table}
             WHEN NEW.gone_ms IS NULL BEGIN {} END;
         CREATE TRIGGER IF NOT EXISTS {table}_live_gone AFTER UPDATE OF gone_ms ON {table}
             WHEN OLD.gone_ms IS NULL AND NEW.gone_ms IS NOT NULL BEGIN {} END;
         CREATE TRIGGER IF NOT EXISTS {table}_live_back AFTER UPDATE OF gone_ms ON {table}
             WHEN OLD.gone_ms IS NOT NULL AND NEW.gone_ms IS NULL BEGIN {} END;
         CREATE TRIGGER IF NOT EXISTS {table}_live_delete AFTER DELETE ON {table}
             WHEN OLD.gone_ms IS NULL BEGIN {} END;",
        up("NEW"),
        down("OLD"),
        up("NEW"),
        down("OLD")
    )
}

/// Version 2: live rows per account and table, counted from what is there and then kept by
/// triggers on insert, deletion (`gone_ms` set) and purge.
const LIVE_COUNTS: &str = "
CREATE TABLE IF NOT EXISTS live_counts (
    domain_id TEXT NOT NULL,
    tbl TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (domain_id, tbl)
);
DELETE FROM live_counts;
INSERT INTO live_counts SELECT domain_id, 'services', COUNT(*) FROM services WHERE gone_ms IS NULL GROUP BY domain_id;
INSERT INTO live_counts SELECT domain_id, 'endpoints', COUNT(*) FROM endpoints WHERE gone_ms IS NULL GROUP BY domain_id;
";

/// Version 3: the enterprise project of services and endpoints (`0`, the default project, for
/// rows made before), and an endpoint's whitelist switch (on where it had entries, as creates
/// asked before), route tables and policy.
const GATEWAY_AND_PROJECTS: &str = "
ALTER TABLE services ADD COLUMN enterprise_project_id TEXT NOT NULL DEFAULT '0';
ALTER TABLE endpoints ADD COLUMN enterprise_project_id TEXT NOT NULL DEFAULT '0';
ALTER TABLE endpoints ADD COLUMN enable_whitelist INTEGER NOT NULL DEFAULT 0;
ALTER TABLE endpoints ADD COLUMN route_tables TEXT NOT NULL DEFAULT '[]';
ALTER TABLE endpoints ADD COLUMN policy TEXT NOT NULL DEFAULT '[]';
UPDATE endpoints SET enable_whitelist = 1 WHERE whitelist <> '[]';
";

const SERVICE_COLUMNS: &str = "id, domain_id, name, port_id, vpc_id, server_type, service_type, approval_enabled, ports, whitelist, tags, description, tcp_proxy, created_ms, ready_ms, gone_ms, enterprise_project_id";

fn service_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<ServiceRow> {
    Ok(ServiceRow {
        id: row.get(0)?,
        domain_id: row.get(1)?,
        name: row.get(2)?,
        port_id: row.get(3)?,
        vpc_id: row.get(4)?,
        server_type: row.get(5)?,
        service_type: row.get(6)?,
        approval_enabled: row.get(7)?,
        ports: ports_from_json(&row.get::<_, String>(8)?),
        whitelist: list_from_json(&row.get::<_, String>(9)?),
        tags: map_from_json(&row.get::<_, String>(10)?),
        description: row.get(11)?,
        tcp_proxy: row.get(12)?,
        created_ms: row.get(13)?,
        ready_ms: row.get(14)?,
        gone_ms: row.get(15)?,
        enterprise_project_id: row.get(16)?,
    })
}

const ENDPOINT_COLUMNS: &str = "id, domain_id, service_id, vpc_id, subnet_id, port_ip, ip, enable_dns, whitelist, tags, description, created_ms, ready_ms, settled_status, action_status, gone_ms, enterprise_project_id, enable_whitelist, route_tables, policy";

fn endpoint_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<EndpointRow> {
    Ok(EndpointRow {
        id: row.get(0)?,
        domain_id: row.get(1)?,
        service_id: row.get(2)?,
        vpc_id: row.get(3)?,
        subnet_id: row.get(4)?,
        port_ip: row.get(5)?,
        ip: row.get(6)?,
        enable_dns: row.get(7)?,
        whitelist: list_from_json(&row.get::<_, String>(8)?),
        tags: map_from_json(&row.get::<_, String>(9)?),
        description: row.get(10)?,
        created_ms: row.get(11)?,
        ready_ms: row.get(12)?,
        settled_status: row.get(13)?,
        action_status: row.get(14)?,
        gone_ms: row.get(15)?,
        enterprise_project_id: row.get(16)?,
        enable_whitelist: row.get(17)?,
        route_tables: list_from_json(&row.get::<_, String>(18)?),
        policy: policy_from_json(&row.get::<_, String>(19)?),
    })
}

/// How many live (not deleting) rows of `table` an account has (kept by triggers).
pub(super) fn count(conn: &Connection, table: &str, domain_id: &str) -> rusqlite::Result<u64> {
    let n: Option<i64> = conn
        .prepare_cached("SELECT n FROM live_counts WHERE domain_id = ?1 AND tbl = ?2")?
        .query_row([domain_id, table], |r| r.get(0))
        .optional()?;
    Ok(u64::try_from(n.unwrap_or(0)).unwrap_or(0))
}

/// Removes rows whose deletion has completed.
pub(super) fn purge(conn: &Connection, now: i64) -> rusqlite::Result<()> {
    conn.prepare_cached("DELETE FROM services WHERE gone_ms IS NOT NULL AND gone_ms <= ?1")?
        .execute([now])?;
    conn.prepare_cached("DELETE FROM endpoints WHERE gone_ms IS NOT NULL AND gone_ms <= ?1")?
        .execute([now])?;
    Ok(())
}

pub(super) fn services_where(
    conn: &Connection,
    clause: &str,
    args: &[&dyn rusqlite::ToSql],
) -> rusqlite::Result<Vec<ServiceRow>> {
    let sql =
        format!("SELECT {SERVICE_COLUMNS} FROM services WHERE {clause} ORDER BY created_ms, id");
    let mut stmt = conn.prepare_cached(&sql)?;
    stmt.query_map(args, service_from_row)?.collect()
}

pub(super) fn service(conn: &Connection, id: &str) -> rusqlite::Result<Option<ServiceRow>> {
    let sql = format!("SELECT {SERVICE_COLUMNS} FROM services WHERE id = ?1");
    conn.prepare_cached(&sql)?
        .query_row([id], service_from_row)
        .optional()
}

pub(super) fn endpoints_where(
    conn: &Connection,
    clause: &str,
    args: &[&dyn rusqlite::ToSql],
) -> rusqlite::Result<Vec<EndpointRow>> {
    let sql =
        format!("SELECT {ENDPOINT_COLUMNS} FROM endpoints WHERE {clause} ORDER BY created_ms, id");
    let mut stmt = conn.prepare_cached(&sql)?;
    stmt.query_map(args, endpoint_from_row)?.collect()
}

pub(super) fn endpoint(conn: &Connection, id: &str) -> rusqlite::Result<Option<EndpointRow>> {
    let sql = format!("SELECT {ENDPOINT_COLUMNS} FROM endpoints WHERE id = ?1");
    conn.prepare_cached(&sql)?
        .query_row([id], endpoint_from_row)
        .optional()
}

pub(super) fn insert_service(
    conn: &Connection,
    r: &ServiceRow,
    project_id: &str,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO services (id, domain_id, project_id, name, port_id, vpc_id, server_type, service_type, approval_enabled, ports, whitelist, tags, description, tcp_proxy, created_ms, ready_ms, gone_ms, enterprise_project_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, NULL, ?17)",
    )?
    .execute(params![
        r.id, r.domain_id, project_id, r.name, r.port_id, r.vpc_id, r.server_type, r.service_type,
        r.approval_enabled, ports_json(&r.ports), json_list(&r.whitelist), json_map(&r.tags),
        r.description, r.tcp_proxy, r.created_ms, r.ready_ms, r.enterprise_project_id
    ])?;
    Ok(())
}

pub(super) fn insert_endpoint(
    conn: &Connection,
    r: &EndpointRow,
    project_id: &str,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO endpoints (id, domain_id, project_id, service_id, vpc_id, subnet_id, port_ip, ip, enable_dns, whitelist, tags, description, created_ms, ready_ms, settled_status, action_status, gone_ms, enterprise_project_id, enable_whitelist, route_tables, policy)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, NULL, NULL, ?16, ?17, ?18, ?19)",
    )?
    .execute(params![
        r.id, r.domain_id, project_id, r.service_id, r.vpc_id, r.subnet_id, r.port_ip, r.ip,
        r.enable_dns, json_list(&r.whitelist), json_map(&r.tags), r.description, r.created_ms,
        r.ready_ms, r.settled_status, r.enterprise_project_id, r.enable_whitelist,
        json_list(&r.route_tables), policy_json(&r.policy)
    ])?;
    Ok(())
}

/// Writes an endpoint's whitelist, its switch, route tables and policy.
pub(super) fn update_endpoint_access(conn: &Connection, r: &EndpointRow) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE endpoints SET whitelist = ?2, enable_whitelist = ?3, route_tables = ?4, policy = ?5 WHERE id = ?1",
    )?
    .execute(params![
        r.id,
        json_list(&r.whitelist),
        r.enable_whitelist,
        json_list(&r.route_tables),
        policy_json(&r.policy)
    ])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn live(conn: &Connection, table: &str, domain: &str) -> (u64, u64) {
        let scanned: i64 = conn
            .query_row(
                &format!("SELECT COUNT(*) FROM {table} WHERE domain_id = ?1 AND gone_ms IS NULL"),
                [domain],
                |r| r.get(0),
            )
            .unwrap();
        (
            count(conn, table, domain).unwrap(),
            u64::try_from(scanned).unwrap(),
        )
    }

    #[test]
    fn a_store_of_the_first_version_is_migrated_with_its_counts() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.db");
        {
            // As the previous version left it: tables, no counts, user_version 0.
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(SCHEMA).unwrap();
            for (i, gone) in [(1, None), (2, None), (3, Some(5_i64))] {
                conn.execute(
                    "INSERT INTO services (id, domain_id, project_id, name, port_id, vpc_id, server_type, service_type, approval_enabled, ports, whitelist, tags, description, tcp_proxy, created_ms, ready_ms, gone_ms) VALUES (?1, 'd1', 'd1', NULL, 'p', 'v', 'LB', 'interface', 0, '[]', '[]', '{}', NULL, 'close', 0, 0, ?2)",
                    params![format!("s{i}"), gone],
                )
                .unwrap();
            }
        }
        let conn = open(&path).unwrap();
        assert_eq!(live(&conn, "services", "d1"), (2, 2));
        let version: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(version, SCHEMA_VERSION);
        // Kept by the triggers from now on: deletion, undeletion, purge, insert.
        conn.execute("UPDATE services SET gone_ms = 9 WHERE id = 's1'", [])
            .unwrap();
        assert_eq!(live(&conn, "services", "d1"), (1, 1));
        conn.execute("UPDATE services SET gone_ms = NULL WHERE id = 's3'", [])
            .unwrap();
        assert_eq!(live(&conn, "services", "d1"), (2, 2));
        purge(&conn, 100).unwrap();
        assert_eq!(live(&conn, "services", "d1"), (2, 2));
        conn.execute("DELETE FROM services WHERE id = 's2'", [])
            .unwrap();
        assert_eq!(live(&conn, "services", "d1"), (1, 1));
        // Opening again changes nothing.
        drop(conn);
        let conn = open(&path).unwrap();
        assert_eq!(live(&conn, "services", "d1"), (1, 1));
        assert_eq!(live(&conn, "endpoints", "d1"), (0, 0));
    }

    #[test]
    fn endpoints_of_the_second_version_keep_what_creates_asked() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v2.db");
        {
            // As version 2 left it: no enterprise projects, route tables or whitelist switch;
            // creates enforced a whitelist whenever it had entries.
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(SCHEMA).unwrap();
            for (id, whitelist) in [("e1", "[\"10.0.0.0/24\"]"), ("e2", "[]")] {
                conn.execute(
                    "INSERT INTO endpoints (id, domain_id, project_id, service_id, vpc_id, subnet_id, port_ip, ip, enable_dns, whitelist, tags, description, created_ms, ready_ms, settled_status, action_status, gone_ms) VALUES (?1, 'd1', 'd1', 's', 'v', 'n', NULL, '10.0.0.9', 0, ?2, '{}', NULL, 0, 0, 'accepted', NULL, NULL)",
                    params![id, whitelist],
                )
                .unwrap();
            }
            conn.execute(
                "INSERT INTO services (id, domain_id, project_id, name, port_id, vpc_id, server_type, service_type, approval_enabled, ports, whitelist, tags, description, tcp_proxy, created_ms, ready_ms, gone_ms) VALUES ('s', 'd1', 'd1', NULL, 'p', 'v', 'LB', 'interface', 0, '[]', '[]', '{}', NULL, 'close', 0, 0, NULL)",
                [],
            )
            .unwrap();
            conn.execute_batch(LIVE_COUNTS).unwrap();
            conn.pragma_update(None, "user_version", 2).unwrap();
        }
        let conn = open(&path).unwrap();
        let e1 = endpoint(&conn, "e1").unwrap().unwrap();
        let e2 = endpoint(&conn, "e2").unwrap().unwrap();
        assert!(e1.enable_whitelist);
        assert!(!e2.enable_whitelist);
        assert!(e1.route_tables.is_empty() && e1.policy.is_empty());
        assert_eq!(e1.enterprise_project_id, "0");
        assert_eq!(
            service(&conn, "s").unwrap().unwrap().enterprise_project_id,
            "0"
        );
        assert_eq!(live(&conn, "endpoints", "d1"), (2, 2));
    }
}
