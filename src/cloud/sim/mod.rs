//! The embedded simulated VPCEP cloud (`provider "sim"`): the real API's statuses, rules and
//! error codes over a local `SQLite` file that several processes (accounts) can share.
//!
//! Time is the wall clock: a service is `creating` until `create_delay` has passed, then
//! `available`; an endpoint is `creating` for as long, then `pendingAcceptance` (approval on)
//! or `accepted`.

mod store;
mod validate;

use super::Cloud;
use super::types::{
    CloudError, CloudResult, Connection, ConnectionAction, Endpoint, EndpointSpec, EndpointUpdate,
    PublicService, Quotas, Service, ServiceSpec, ServiceSummary, ServiceUpdate,
};
use crate::model::SimConfig;
use indexmap::IndexMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use store::{EndpointRow, ServiceRow, db_err};

/// The region the simulator pretends to be in (it shows in decorated service names).
pub const REGION: &str = "sim-1";

pub struct Sim {
    conn: Mutex<rusqlite::Connection>,
    path: PathBuf,
    config: SimConfig,
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

fn rfc3339(ms: i64) -> String {
    let t = UNIX_EPOCH + Duration::from_millis(u64::try_from(ms).unwrap_or(0));
    humantime::format_rfc3339_seconds(t).to_string()
}

fn delay_ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

fn not_found(what: &str, id: &str) -> CloudError {
    CloudError::new(
        404,
        "EndPoint.0005",
        format!("the {what} {id} does not exist"),
    )
}

fn endpoint_status(r: &EndpointRow, now: i64) -> String {
    if r.gone_ms.is_some() {
        "deleting".to_owned()
    } else if now < r.ready_ms {
        "creating".to_owned()
    } else {
        r.action_status
            .clone()
            .unwrap_or_else(|| r.settled_status.clone())
    }
}

/// Whether an endpoint in `status` keeps its service from being deleted: connecting,
/// connected, or still being deleted.
fn counts_as_connected(status: &str) -> bool {
    let status = crate::model::facts::ConnectionStatus::parse(status);
    status.blocks_delete() || status == crate::model::facts::ConnectionStatus::Deleting
}

fn service_status(r: &ServiceRow, now: i64) -> &'static str {
    if r.gone_ms.is_some() {
        "deleting"
    } else if now < r.ready_ms {
        "creating"
    } else {
        "available"
    }
}

fn decorated_name(r: &ServiceRow) -> String {
    match &r.name {
        Some(name) => format!("{REGION}.{name}.{}", r.id),
        None => format!("{REGION}.{}", r.id),
    }
}

impl Sim {
    /// Opens (creating if needed) the store at `config.path`, relative to `dir`.
    pub fn open(config: &SimConfig, dir: &Path) -> Result<Sim, String> {
        let path = if config.path.is_absolute() || dir == Path::new(".") {
            config.path.clone()
        } else {
            dir.join(&config.path)
        };
        let conn = store::open(&path)?;
        seed_public_services(&conn).map_err(|e| {
            format!(
                "cannot prepare the simulated cloud `{}`: {e}",
                path.display()
            )
        })?;
        Ok(Sim {
            conn: Mutex::new(conn),
            path,
            config: config.clone(),
        })
    }

    fn with<T>(
        &self,
        f: impl FnOnce(&rusqlite::Connection, i64) -> CloudResult<T>,
    ) -> CloudResult<T> {
        let conn = self
            .conn
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let now = now_ms();
        store::purge(&conn, now).map_err(|e| db_err(&e))?;
        f(&conn, now)
    }

    /// Runs `f` in an immediate (write-locked) transaction, so checks and writes are atomic
    /// even with another process on the same store.
    fn write<T>(
        &self,
        f: impl FnOnce(&rusqlite::Connection, i64) -> CloudResult<T>,
    ) -> CloudResult<T> {
        self.with(|conn, now| {
            conn.execute_batch("BEGIN IMMEDIATE")
                .map_err(|e| db_err(&e))?;
            match f(conn, now) {
                Ok(v) => {
                    conn.execute_batch("COMMIT").map_err(|e| db_err(&e))?;
                    Ok(v)
                }
                Err(e) => {
                    let _ = conn.execute_batch("ROLLBACK");
                    Err(e)
                }
            }
        })
    }

    fn service_view(conn: &rusqlite::Connection, r: &ServiceRow, now: i64) -> CloudResult<Service> {
        let endpoints =
            store::endpoints_where(conn, "service_id = ?1", &[&r.id]).map_err(|e| db_err(&e))?;
        let count = endpoints
            .iter()
            .filter(|e| counts_as_connected(&endpoint_status(e, now)))
            .count();
        Ok(to_service(r, now, u32::try_from(count).unwrap_or(u32::MAX)))
    }

    fn own_service(&self, conn: &rusqlite::Connection, id: &str) -> CloudResult<ServiceRow> {
        match store::service(conn, id).map_err(|e| db_err(&e))? {
            Some(r) if r.domain_id == self.config.domain_id => Ok(r),
            _ => Err(not_found("endpoint service", id)),
        }
    }
}

fn to_service(r: &ServiceRow, now: i64, connection_count: u32) -> Service {
    Service {
        id: r.id.clone(),
        domain_id: r.domain_id.clone(),
        name: r.name.clone(),
        service_name: decorated_name(r),
        server_type: r.server_type.clone(),
        port_id: r.port_id.clone(),
        vpc_id: r.vpc_id.clone(),
        service_type: r.service_type.clone(),
        approval_enabled: r.approval_enabled,
        status: service_status(r, now).to_owned(),
        ports: r.ports.clone(),
        whitelist: r.whitelist.clone(),
        tags: r.tags.clone(),
        description: r.description.clone(),
        tcp_proxy: r.tcp_proxy.clone(),
        connection_count: Some(connection_count),
        created_at: rfc3339(r.created_ms),
        enterprise_project_id: Some(r.enterprise_project_id.clone()),
        error: None,
    }
}

/// What an endpoint shows of its service: the decorated name and the type.
type ServiceLabel = (String, String);

fn service_label(service: Option<&store::ServiceRow>) -> ServiceLabel {
    service.map_or_else(
        || (String::new(), "interface".to_owned()),
        |s| (decorated_name(s), s.service_type.clone()),
    )
}

fn to_endpoint(
    r: &EndpointRow,
    (service_name, service_type): ServiceLabel,
    project_id: &str,
    now: i64,
) -> Endpoint {
    let status = endpoint_status(r, now);
    // Private domain names only for interface endpoints that asked for them.
    let dns_names = if r.enable_dns && service_type == "interface" {
        vec![format!("vpcep-{}.sim.internal", r.id)]
    } else {
        Vec::new()
    };
    Endpoint {
        id: r.id.clone(),
        domain_id: r.domain_id.clone(),
        service_id: r.service_id.clone(),
        service_name,
        vpc_id: r.vpc_id.clone(),
        subnet_id: r.subnet_id.clone(),
        port_ip: r.port_ip.clone(),
        // A gateway endpoint routes through the VPC's route tables; it has no address.
        ip: (status == "accepted" && service_type == "interface").then(|| r.ip.clone()),
        enable_dns: r.enable_dns,
        whitelist: r.whitelist.clone(),
        enable_whitelist: r.enable_whitelist,
        route_tables: r.route_tables.clone(),
        policy: r.policy.clone(),
        tags: r.tags.clone(),
        description: r.description.clone(),
        enterprise_project_id: Some(r.enterprise_project_id.clone()),
        status,
        created_at: rfc3339(r.created_ms),
        updated_at: rfc3339(r.created_ms),
        dns_names,
        marker_id: Some(crate::cloud::api::marker_id(&r.id)),
        service_type,
        project_id: Some(project_id.to_owned()),
    }
}

/// The account of the simulated cloud's operators, who publish the public services.
pub const OPERATOR_DOMAIN: &str = "0000000000000000000000000000face";

/// The public services every simulated cloud has: `(id, name, type)` — an object storage
/// gateway (as OBS is) and a DNS interface service.
const PUBLIC_SERVICES: &[(&str, &str, &str)] = &[
    ("0b500000-0000-4000-8000-00000000000b", "obs", "gateway"),
    ("0d500000-0000-4000-8000-00000000000d", "dns", "interface"),
];

/// Adds the public services to a store that does not have them yet.
fn seed_public_services(conn: &rusqlite::Connection) -> rusqlite::Result<()> {
    for (id, name, service_type) in PUBLIC_SERVICES {
        if store::service(conn, id)?.is_some() {
            continue;
        }
        let row = ServiceRow {
            id: (*id).to_owned(),
            domain_id: OPERATOR_DOMAIN.to_owned(),
            name: Some((*name).to_owned()),
            port_id: format!("{id}-backend"),
            vpc_id: "operator-vpc".to_owned(),
            server_type: "VIP".to_owned(),
            service_type: (*service_type).to_owned(),
            approval_enabled: false,
            ports: vec![crate::cloud::PortMapping {
                protocol: "TCP".to_owned(),
                server_port: 443,
                client_port: 443,
            }],
            whitelist: vec!["iam:domain::*".to_owned()],
            tags: IndexMap::new(),
            description: Some(format!("the simulated cloud's public {name} service")),
            tcp_proxy: "close".to_owned(),
            enterprise_project_id: "0".to_owned(),
            created_ms: 0,
            ready_ms: 0,
            gone_ms: None,
        };
        store::insert_service(conn, &row, OPERATOR_DOMAIN)?;
    }
    Ok(())
}

/// A made-up but stable private address for an endpoint.
/// The enterprise project a create names, or the default one (`0`).
fn enterprise_project(id: Option<&String>) -> String {
    id.cloned().unwrap_or_else(|| "0".to_owned())
}

/// The ID of a VPC's default route table, where a gateway endpoint adds its routes unless
/// the create names tables (stable per VPC, in the UUID form route table IDs have).
pub fn default_route_table(vpc_id: &str) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(format!("route-table:{vpc_id}").as_bytes());
    let hex = digest.iter().take(16).fold(String::new(), |mut hex, b| {
        use std::fmt::Write;
        let _ = write!(hex, "{b:02x}");
        hex
    });
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

fn endpoint_ip(id: &str) -> String {
    let bytes = id.as_bytes();
    let a = bytes
        .iter()
        .fold(7u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(*b)));
    format!("172.16.{}.{}", (a >> 8) % 250 + 1, a % 250 + 2)
}

/// The most services one backend can serve (the API's `EndPoint.3056`).
const MAX_SERVICES_PER_BACKEND: usize = 10;

/// Services may share a backend when their `(protocol, server_port)` pairs differ
/// (`EndPoint.3044` otherwise), up to [`MAX_SERVICES_PER_BACKEND`] of them.
fn backend_is_free(
    conn: &rusqlite::Connection,
    port_id: &str,
    ports: &[crate::cloud::types::PortMapping],
    except: Option<&str>,
) -> CloudResult<()> {
    let others: Vec<ServiceRow> =
        store::services_where(conn, "port_id = ?1 AND gone_ms IS NULL", &[&port_id])
            .map_err(|e| db_err(&e))?
            .into_iter()
            .filter(|s| Some(s.id.as_str()) != except)
            .collect();
    for other in &others {
        if let Some(p) = ports.iter().find(|p| {
            other
                .ports
                .iter()
                .any(|q| q.protocol == p.protocol && q.server_port == p.server_port)
        }) {
            return Err(CloudError::new(
                400,
                "EndPoint.3044",
                format!(
                    "the port mapping {} {} conflicts with the endpoint service {} on the backend {port_id}",
                    p.protocol, p.server_port, other.id
                ),
            ));
        }
    }
    if others.len() >= MAX_SERVICES_PER_BACKEND {
        return Err(CloudError::new(
            400,
            "EndPoint.3056",
            format!(
                "the backend {port_id} is already used by the maximum number of endpoint services"
            ),
        ));
    }
    Ok(())
}

/// The most tags a resource can have.
const MAX_TAGS: usize = 20;

fn apply_tags(
    tags: &mut IndexMap<String, String>,
    set: &IndexMap<String, String>,
    delete: &[String],
) -> CloudResult<()> {
    validate::tags(set, MAX_TAGS)?;
    for k in delete {
        tags.shift_remove(k);
    }
    for (k, v) in set {
        tags.insert(k.clone(), v.clone());
    }
    validate::tags(tags, MAX_TAGS)
}

impl Cloud for Sim {
    fn describe(&self) -> String {
        format!(
            "the simulated cloud ({}, account {})",
            self.path.display(),
            self.config.domain_id
        )
    }

    fn is_simulated(&self) -> bool {
        true
    }

    fn account(&self) -> Option<String> {
        Some(self.config.domain_id.clone())
    }

    fn poll_interval(&self) -> Duration {
        (self.config.create_delay / 10).clamp(Duration::from_millis(5), Duration::from_millis(500))
    }

    fn list_services(&self) -> CloudResult<Vec<Service>> {
        self.with(|conn, now| {
            let rows = store::services_where(conn, "domain_id = ?1", &[&self.config.domain_id])
                .map_err(|e| db_err(&e))?;
            let endpoints = store::endpoints_where(
                conn,
                "service_id IN (SELECT id FROM services WHERE domain_id = ?1)",
                &[&self.config.domain_id],
            )
            .map_err(|e| db_err(&e))?;
            let mut counts: std::collections::HashMap<&str, u32> = std::collections::HashMap::new();
            for e in &endpoints {
                if counts_as_connected(&endpoint_status(e, now)) {
                    *counts.entry(e.service_id.as_str()).or_default() += 1;
                }
            }
            Ok(rows
                .iter()
                .map(|r| to_service(r, now, counts.get(r.id.as_str()).copied().unwrap_or(0)))
                .collect())
        })
    }

    fn describe_service(&self, id: &str) -> CloudResult<Option<ServiceSummary>> {
        self.with(|conn, _now| {
            Ok(store::service(conn, id)
                .map_err(|e| db_err(&e))?
                .filter(|r| r.gone_ms.is_none())
                .map(|r| ServiceSummary {
                    id: r.id.clone(),
                    service_name: decorated_name(&r),
                    service_type: r.service_type.clone(),
                    created_at: rfc3339(r.created_ms),
                }))
        })
    }

    fn describe_service_named(&self, service_name: &str) -> CloudResult<Option<ServiceSummary>> {
        // The decorated name ends in the service's ID.
        let id = service_name.rsplit('.').next().unwrap_or_default();
        Ok(self
            .describe_service(id)?
            .filter(|s| s.service_name == service_name))
    }

    fn list_public_services(&self) -> CloudResult<Vec<PublicService>> {
        self.with(|conn, _now| {
            let rows = store::services_where(conn, "domain_id = ?1", &[&OPERATOR_DOMAIN])
                .map_err(|e| db_err(&e))?;
            Ok(rows
                .iter()
                .map(|r| PublicService {
                    id: r.id.clone(),
                    owner: r.domain_id.clone(),
                    service_name: decorated_name(r),
                    service_type: r.service_type.clone(),
                    created_at: rfc3339(r.created_ms),
                    is_charge: false,
                })
                .collect())
        })
    }

    fn get_service(&self, id: &str) -> CloudResult<Option<Service>> {
        self.with(
            |conn, now| match store::service(conn, id).map_err(|e| db_err(&e))? {
                Some(r) if r.domain_id == self.config.domain_id => {
                    Ok(Some(Self::service_view(conn, &r, now)?))
                }
                _ => Ok(None),
            },
        )
    }

    fn create_service(&self, spec: &ServiceSpec) -> CloudResult<Service> {
        validate::service_spec(spec, MAX_TAGS)?;
        self.write(|conn, now| {
            let used =
                store::count(conn, "services", &self.config.domain_id).map_err(|e| db_err(&e))?;
            if used >= u64::from(self.config.quota_services) {
                return Err(CloudError::new(400, "Endpoint.1018", "Quota exceeded."));
            }
            backend_is_free(conn, &spec.port_id, &spec.ports, None)?;
            let row = ServiceRow {
                id: uuid::Uuid::new_v4().to_string(),
                domain_id: self.config.domain_id.clone(),
                name: spec.name.clone(),
                port_id: spec.port_id.clone(),
                vpc_id: spec.vpc_id.clone(),
                server_type: spec.server_type.clone(),
                service_type: spec.service_type.clone(),
                approval_enabled: spec.approval_enabled,
                ports: spec.ports.clone(),
                whitelist: spec.whitelist.clone(),
                tags: spec.tags.clone(),
                description: spec.description.clone(),
                tcp_proxy: spec.tcp_proxy.clone(),
                enterprise_project_id: enterprise_project(spec.enterprise_project_id.as_ref()),
                created_ms: now,
                ready_ms: now + delay_ms(self.config.create_delay),
                gone_ms: None,
            };
            store::insert_service(conn, &row, &self.config.project_id).map_err(|e| db_err(&e))?;
            let mut created = to_service(&row, now, 0);
            "creating".clone_into(&mut created.status);
            Ok(created)
        })
    }

    fn update_service(&self, id: &str, update: &ServiceUpdate) -> CloudResult<Service> {
        validate::service_update(update)?;
        self.write(|conn, now| {
            let mut r = self.own_service(conn, id)?;
            if service_status(&r, now) != "available" {
                return Err(CloudError::new(
                    400,
                    "EndPoint.3045",
                    format!("the endpoint service {id} is {} and cannot be modified now", service_status(&r, now)),
                ));
            }
            if let Some(name) = &update.name {
                r.name.clone_from(name);
            }
            if let Some(port_id) = &update.port_id {
                backend_is_free(conn, port_id, &r.ports, Some(id))?;
                r.port_id.clone_from(port_id);
            }
            if let Some(a) = update.approval_enabled {
                r.approval_enabled = a;
            }
            if let Some(d) = &update.description {
                r.description.clone_from(d);
            }
            if let Some(p) = &update.tcp_proxy {
                r.tcp_proxy.clone_from(p);
            }
            conn.execute(
                "UPDATE services SET name = ?2, port_id = ?3, approval_enabled = ?4, description = ?5, tcp_proxy = ?6 WHERE id = ?1",
                rusqlite::params![r.id, r.name, r.port_id, r.approval_enabled, r.description, r.tcp_proxy],
            )
            .map_err(|e| db_err(&e))?;
            Self::service_view(conn, &r, now)
        })
    }

    fn delete_service(&self, id: &str) -> CloudResult<()> {
        self.write(|conn, now| {
            let r = self.own_service(conn, id)?;
            if r.service_type == "gateway" || PUBLIC_SERVICES.iter().any(|(p, ..)| *p == id) {
                // Only services made from the account's own backends can be deleted, not
                // those the cloud's operators configure.
                return Err(CloudError::new(
                    400,
                    "EndPoint.3005",
                    format!(
                        "the endpoint service {id} is operated by the cloud; it cannot be deleted"
                    ),
                ));
            }
            match service_status(&r, now) {
                "creating" => {
                    return Err(CloudError::new(
                        400,
                        "EndPoint.3005",
                        format!("the endpoint service {id} is still being created"),
                    ));
                }
                "deleting" => return Ok(()),
                _ => {}
            }
            let view = Self::service_view(conn, &r, now)?;
            if view.connection_count.unwrap_or(0) > 0 {
                return Err(CloudError::new(
                    400,
                    "EndPoint.3006",
                    "The endpoint service is being used.",
                ));
            }
            // Endpoints that cannot block (pending, rejected) lose their service with it.
            conn.execute(
                "UPDATE endpoints SET gone_ms = ?2 WHERE service_id = ?1 AND gone_ms IS NULL",
                rusqlite::params![id, now],
            )
            .map_err(|e| db_err(&e))?;
            conn.execute(
                "UPDATE services SET gone_ms = ?2 WHERE id = ?1",
                rusqlite::params![id, now + delay_ms(self.config.delete_delay)],
            )
            .map_err(|e| db_err(&e))?;
            Ok(())
        })
    }

    fn update_whitelist(&self, id: &str, add: &[String], remove: &[String]) -> CloudResult<()> {
        validate::whitelist(add)?;
        validate::whitelist(remove)?;
        self.write(|conn, _now| {
            let mut r = self.own_service(conn, id)?;
            r.whitelist.retain(|w| !remove.contains(w));
            for a in add {
                if !r.whitelist.contains(a) {
                    r.whitelist.push(a.clone());
                }
            }
            r.whitelist.sort();
            conn.execute(
                "UPDATE services SET whitelist = ?2 WHERE id = ?1",
                rusqlite::params![id, store::json_list(&r.whitelist)],
            )
            .map_err(|e| db_err(&e))?;
            Ok(())
        })
    }

    fn update_service_tags(
        &self,
        id: &str,
        set: &IndexMap<String, String>,
        delete: &[String],
    ) -> CloudResult<()> {
        self.write(|conn, _now| {
            let mut r = self.own_service(conn, id)?;
            apply_tags(&mut r.tags, set, delete)?;
            conn.execute(
                "UPDATE services SET tags = ?2 WHERE id = ?1",
                rusqlite::params![id, store::json_map(&r.tags)],
            )
            .map_err(|e| db_err(&e))?;
            Ok(())
        })
    }

    fn list_connections(&self, service_id: &str) -> CloudResult<Vec<Connection>> {
        self.with(|conn, now| {
            self.own_service(conn, service_id)?;
            let rows = store::endpoints_where(conn, "service_id = ?1", &[&service_id])
                .map_err(|e| db_err(&e))?;
            Ok(rows
                .iter()
                .map(|e| Connection {
                    endpoint_id: e.id.clone(),
                    domain_id: e.domain_id.clone(),
                    status: endpoint_status(e, now),
                    created_at: rfc3339(e.created_ms),
                    updated_at: rfc3339(e.created_ms),
                    marker_id: Some(crate::cloud::api::marker_id(&e.id)),
                    description: None,
                })
                .collect())
        })
    }

    fn connection_action(
        &self,
        service_id: &str,
        action: ConnectionAction,
        endpoint_id: &str,
    ) -> CloudResult<()> {
        self.write(|conn, now| {
            let service = self.own_service(conn, service_id)?;
            if !service.approval_enabled {
                return Err(CloudError::new(
                    400,
                    "EndPoint.0007",
                    format!("connection approval is disabled on the endpoint service {service_id}"),
                ));
            }
            let Some(e) = store::endpoint(conn, endpoint_id).map_err(|e| db_err(&e))? else {
                return Err(CloudError::new(404, "EndPoint.2006", format!("the endpoint {endpoint_id} does not exist")));
            };
            if e.service_id != service_id {
                return Err(CloudError::new(400, "EndPoint.2013", format!("the endpoint {endpoint_id} does not belong to the endpoint service {service_id}")));
            }
            match endpoint_status(&e, now).as_str() {
                "creating" => return Err(CloudError::new(400, "EndPoint.2019", format!("the endpoint {endpoint_id} is being created"))),
                "deleting" => return Err(CloudError::new(400, "EndPoint.2018", format!("the endpoint {endpoint_id} is being deleted"))),
                _ => {}
            }
            let status = match action {
                ConnectionAction::Receive => "accepted",
                ConnectionAction::Reject => "rejected",
            };
            conn.execute("UPDATE endpoints SET action_status = ?2 WHERE id = ?1", rusqlite::params![endpoint_id, status])
                .map_err(|e| db_err(&e))?;
            Ok(())
        })
    }

    fn list_endpoints(&self) -> CloudResult<Vec<Endpoint>> {
        self.with(|conn, now| {
            let rows = store::endpoints_where(conn, "domain_id = ?1", &[&self.config.domain_id])
                .map_err(|e| db_err(&e))?;
            let mut labels: std::collections::HashMap<String, ServiceLabel> =
                std::collections::HashMap::new();
            let mut out = Vec::with_capacity(rows.len());
            for r in &rows {
                if !labels.contains_key(&r.service_id) {
                    let service = store::service(conn, &r.service_id).map_err(|e| db_err(&e))?;
                    labels.insert(r.service_id.clone(), service_label(service.as_ref()));
                }
                out.push(to_endpoint(
                    r,
                    labels[&r.service_id].clone(),
                    &self.config.project_id,
                    now,
                ));
            }
            Ok(out)
        })
    }

    fn get_endpoint(&self, id: &str) -> CloudResult<Option<Endpoint>> {
        self.with(
            |conn, now| match store::endpoint(conn, id).map_err(|e| db_err(&e))? {
                Some(r) if r.domain_id == self.config.domain_id => {
                    let service = store::service(conn, &r.service_id).map_err(|e| db_err(&e))?;
                    Ok(Some(to_endpoint(
                        &r,
                        service_label(service.as_ref()),
                        &self.config.project_id,
                        now,
                    )))
                }
                _ => Ok(None),
            },
        )
    }

    fn create_endpoint(&self, spec: &EndpointSpec) -> CloudResult<Endpoint> {
        validate::endpoint_spec(spec, MAX_TAGS)?;
        self.write(|conn, now| {
            let Some(service) = store::service(conn, &spec.service_id).map_err(|e| db_err(&e))?
            else {
                return Err(CloudError::new(
                    400,
                    "EndPoint.2003",
                    format!("the endpoint service {} does not exist", spec.service_id),
                ));
            };
            match service_status(&service, now) {
                "available" => {}
                status => {
                    return Err(CloudError::new(
                        400,
                        "EndPoint.2004",
                        format!(
                            "the endpoint service {} is {status}, not available",
                            spec.service_id
                        ),
                    ));
                }
            }
            let me = &self.config.domain_id;
            let allowed = service.domain_id == *me
                || service
                    .whitelist
                    .iter()
                    .any(|w| w == "iam:domain::*" || *w == format!("iam:domain::{me}"));
            if !allowed {
                return Err(CloudError::new(
                    400,
                    "EndPoint.2012",
                    format!(
                        "the account {me} is not in the whitelist of the endpoint service {}",
                        spec.service_id
                    ),
                ));
            }
            validate::endpoint_kind(spec, &service.service_type)?;
            let mine = store::count(conn, "endpoints", me).map_err(|e| db_err(&e))?;
            if mine >= u64::from(self.config.quota_endpoints) {
                return Err(CloudError::new(400, "Endpoint.1018", "Quota exceeded."));
            }
            let id = uuid::Uuid::new_v4().to_string();
            let row = EndpointRow {
                ip: spec.port_ip.clone().unwrap_or_else(|| endpoint_ip(&id)),
                id,
                domain_id: me.clone(),
                service_id: spec.service_id.clone(),
                vpc_id: spec.vpc_id.clone(),
                subnet_id: spec.subnet_id.clone(),
                port_ip: spec.port_ip.clone(),
                enable_dns: spec.enable_dns,
                whitelist: spec.whitelist.clone(),
                enable_whitelist: spec.whitelist_enabled(),
                route_tables: if service.service_type == "gateway" && spec.route_tables.is_empty() {
                    vec![default_route_table(&spec.vpc_id)]
                } else {
                    spec.route_tables.clone()
                },
                policy: spec.policy.clone(),
                enterprise_project_id: enterprise_project(spec.enterprise_project_id.as_ref()),
                tags: spec.tags.clone(),
                description: spec.description.clone(),
                created_ms: now,
                ready_ms: now + delay_ms(self.config.create_delay),
                settled_status: if service.approval_enabled {
                    "pendingAcceptance"
                } else {
                    "accepted"
                }
                .to_owned(),
                action_status: None,
                gone_ms: None,
            };
            store::insert_endpoint(conn, &row, &self.config.project_id).map_err(|e| db_err(&e))?;
            let mut created = to_endpoint(
                &row,
                service_label(Some(&service)),
                &self.config.project_id,
                now,
            );
            "creating".clone_into(&mut created.status);
            Ok(created)
        })
    }

    fn update_endpoint_tags(
        &self,
        id: &str,
        set: &IndexMap<String, String>,
        delete: &[String],
    ) -> CloudResult<()> {
        self.write(|conn, _now| {
            let Some(mut r) = store::endpoint(conn, id)
                .map_err(|e| db_err(&e))?
                .filter(|r| r.domain_id == self.config.domain_id)
            else {
                return Err(not_found("endpoint", id));
            };
            apply_tags(&mut r.tags, set, delete)?;
            conn.execute(
                "UPDATE endpoints SET tags = ?2 WHERE id = ?1",
                rusqlite::params![id, store::json_map(&r.tags)],
            )
            .map_err(|e| db_err(&e))?;
            Ok(())
        })
    }

    fn update_endpoint(&self, id: &str, update: &EndpointUpdate) -> CloudResult<()> {
        if !self.config.endpoint_updates {
            return Err(CloudError::new(
                404,
                "APIGW.0101",
                "The API does not exist: an endpoint cannot be changed after it is created (OTC)",
            ));
        }
        self.write(|conn, _now| {
            let Some(mut r) = store::endpoint(conn, id)
                .map_err(|e| db_err(&e))?
                .filter(|r| r.domain_id == self.config.domain_id)
            else {
                return Err(not_found("endpoint", id));
            };
            if let Some((whitelist, enabled)) = &update.whitelist {
                r.whitelist.clone_from(whitelist);
                r.enable_whitelist = *enabled;
            }
            if let Some(tables) = &update.route_tables {
                r.route_tables.clone_from(tables);
            }
            if let Some(policy) = &update.policy {
                r.policy.clone_from(policy);
            }
            store::update_endpoint_access(conn, &r).map_err(|e| db_err(&e))?;
            Ok(())
        })
    }

    fn delete_endpoint(&self, id: &str) -> CloudResult<()> {
        self.write(|conn, now| {
            let Some(r) = store::endpoint(conn, id)
                .map_err(|e| db_err(&e))?
                .filter(|r| r.domain_id == self.config.domain_id)
            else {
                return Err(CloudError::new(
                    404,
                    "EndPoint.2006",
                    format!("the endpoint {id} does not exist"),
                ));
            };
            if r.gone_ms.is_none() {
                // Deleting takes `delete_delay`; until then the endpoint is `deleting` and still
                // counts as connected to its service.
                conn.execute(
                    "UPDATE endpoints SET gone_ms = ?2 WHERE id = ?1",
                    rusqlite::params![id, now + delay_ms(self.config.delete_delay)],
                )
                .map_err(|e| db_err(&e))?;
            }
            Ok(())
        })
    }

    fn quotas(&self) -> CloudResult<Quotas> {
        self.with(|conn, _now| {
            let count = |table: &str| -> CloudResult<u32> {
                let n =
                    store::count(conn, table, &self.config.domain_id).map_err(|e| db_err(&e))?;
                Ok(u32::try_from(n).unwrap_or(u32::MAX))
            };
            Ok(Quotas {
                services_used: count("services")?,
                services_quota: self.config.quota_services,
                endpoints_used: count("endpoints")?,
                endpoints_quota: self.config.quota_endpoints,
            })
        })
    }
}
