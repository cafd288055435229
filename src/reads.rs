//! Reads data sources from the cloud: each [`DataRequest`] a configuration makes becomes the
//! attributes its data block gives, or the reason it finds nothing usable ("no service is
//! named ..."), which is the configuration's error. A failing cloud is a failure of the command.
//! [`Reads`] keeps what was read, so a configuration evaluated again reads nothing twice.

use crate::cloud::convert::{connections_value, endpoint_attrs, service_attrs};
use crate::cloud::{Cloud, CloudError, Providers, Service};
use crate::config::DataReads;
use crate::model::data::{DataRequest, DataType};
use crate::model::{Map, Value};
use std::collections::HashMap;
use std::sync::Mutex;

/// What data sources read in this command, by [`DataRequest::key`].
#[derive(Default)]
pub struct Reads {
    done: Mutex<HashMap<String, Result<Map, String>>>,
}

impl DataReads for Reads {
    fn read(&self, request: &DataRequest) -> Option<Result<Map, String>> {
        self.done
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(&request.key())
            .cloned()
    }
}

impl Reads {
    /// Reads every request from `cloud` and keeps the answers.
    pub fn read_all(
        &self,
        clouds: &dyn Providers,
        requests: &[DataRequest],
    ) -> Result<(), CloudError> {
        for request in requests {
            let answer = read(clouds.cloud(request.provider.as_deref()), request)?;
            tracing::debug!(data = %request.address, ok = answer.is_ok(), "data source read");
            self.done
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .insert(request.key(), answer);
        }
        Ok(())
    }
}

/// The most rounds of reading and evaluating again (a data source may read what another
/// gave): more than any chain of data sources a configuration can have.
pub const MAX_ROUNDS: usize = 64;

fn text<'a>(args: &'a Map, name: &str) -> Option<&'a str> {
    args.get(name).and_then(Value::as_str)
}

/// How a request's filters read in messages: `name = "orders"`.
fn filters(args: &Map) -> String {
    let given: Vec<String> = args
        .iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, v)| format!("{k} = {v}"))
        .collect();
    if given.is_empty() {
        "no filter".to_owned()
    } else {
        given.join(", ")
    }
}

/// The one service of this account that `args` (`id`, `name`) match: `Ok(Err(why))` when none
/// or several do.
fn one_service(cloud: &dyn Cloud, args: &Map) -> Result<Result<Service, String>, CloudError> {
    let matching: Vec<Service> = cloud
        .list_services()?
        .into_iter()
        .filter(|s| {
            text(args, "id").is_none_or(|id| s.id == id)
                && text(args, "name").is_none_or(|n| s.name.as_deref() == Some(n))
        })
        .collect();
    Ok(match matching.as_slice() {
        [one] => Ok(cloud.get_service(&one.id)?.unwrap_or_else(|| one.clone())),
        [] => Err(format!(
            "no endpoint service of this account matches {}",
            filters(args)
        )),
        several => {
            let ids: Vec<&str> = several.iter().map(|s| s.id.as_str()).collect();
            Err(format!(
                "{} endpoint services of this account match {} ({}); a `vpcep_service` data source reads one — use `vpcep_services` for several",
                several.len(),
                filters(args),
                ids.join(", ")
            ))
        }
    })
}

/// The public services `args` (`id`, part of `service_name`) match, as the data source gives
/// them.
fn public_services(cloud: &dyn Cloud, args: &Map) -> Result<Vec<Map>, CloudError> {
    let name = text(args, "service_name").map(str::to_lowercase);
    Ok(cloud
        .list_public_services()?
        .into_iter()
        .filter(|s| {
            text(args, "id").is_none_or(|id| s.id == id)
                && name
                    .as_deref()
                    .is_none_or(|n| s.service_name.to_lowercase().contains(n))
        })
        .map(|s| {
            let mut m = Map::with_capacity(6);
            m.insert("id", Value::from(s.id.as_str()));
            m.insert("owner", Value::from(s.owner.as_str()));
            m.insert("service_name", Value::from(s.service_name.as_str()));
            m.insert("service_type", Value::from(s.service_type.as_str()));
            m.insert("created_at", Value::from(s.created_at.as_str()));
            m.insert("is_charge", Value::Bool(s.is_charge));
            m
        })
        .collect())
}

/// Reads one data source: `Ok(Err(why))` when it finds nothing usable.
pub fn read(cloud: &dyn Cloud, request: &DataRequest) -> Result<Result<Map, String>, CloudError> {
    let args = &request.args;
    let mut out = Map::new();
    match request.address.id.dtype {
        DataType::Service => match one_service(cloud, args)? {
            Ok(found) => out = service_view(&found),
            Err(why) => return Ok(Err(why)),
        },
        DataType::Services => {
            let tags = args.get("tags").and_then(Value::as_map);
            let matching: Vec<Service> = cloud
                .list_services()?
                .into_iter()
                .filter(|s| {
                    text(args, "name")
                        .is_none_or(|n| s.name.as_deref().is_some_and(|sn| sn.starts_with(n)))
                        && text(args, "status").is_none_or(|st| s.status == st)
                        && text(args, "server_type").is_none_or(|t| s.server_type == t)
                        && tags.is_none_or(|tags| {
                            tags.iter()
                                .all(|(k, v)| s.tags.get(k).map(String::as_str) == v.as_str())
                        })
                })
                .collect();
            listing(
                &mut out,
                "services",
                matching.iter().map(service_view).collect(),
            );
        }
        DataType::ServiceSummary => {
            let found = match (text(args, "id"), text(args, "service_name")) {
                (Some(id), _) => cloud.describe_service(id)?,
                (None, Some(name)) => cloud.describe_service_named(name)?,
                (None, None) => None,
            };
            let Some(summary) = found else {
                return Ok(Err(format!(
                    "no endpoint service matches {} (a partner's service is found by its full name `region.name.id`, or its ID)",
                    filters(args)
                )));
            };
            out.insert("id", Value::from(summary.id.as_str()));
            out.insert("service_name", Value::from(summary.service_name.as_str()));
            out.insert("service_type", Value::from(summary.service_type.as_str()));
            out.insert("created_at", Value::from(summary.created_at.as_str()));
            out.insert("is_charge", Value::Bool(false));
        }
        DataType::PublicServices => {
            listing(&mut out, "services", public_services(cloud, args)?);
        }
        DataType::Endpoints => {
            let matching: Vec<Map> = cloud
                .list_endpoints()?
                .into_iter()
                .filter(|e| {
                    text(args, "service_id").is_none_or(|id| e.service_id == id)
                        && text(args, "vpc_id").is_none_or(|v| e.vpc_id == v)
                        && text(args, "status").is_none_or(|st| e.status == st)
                })
                .map(|e| endpoint_attrs(&e))
                .collect();
            listing(&mut out, "endpoints", matching);
        }
        DataType::ServiceConnections => {
            let service_id = text(args, "service_id").unwrap_or_default();
            let connections = match cloud.list_connections(service_id) {
                Ok(c) => c,
                Err(e) if e.status == 404 || e.is("EndPoint.2003") => {
                    return Ok(Err(format!(
                        "this account has no endpoint service {service_id}"
                    )));
                }
                Err(e) => return Err(e),
            };
            let matching: Vec<_> = connections
                .into_iter()
                .filter(|c| text(args, "status").is_none_or(|st| c.status == st))
                .collect();
            out.insert("connections", connections_value(&matching));
        }
        DataType::Quotas => {
            let q = cloud.quotas()?;
            out.insert("services_used", Value::int(i64::from(q.services_used)));
            out.insert("services_quota", Value::int(i64::from(q.services_quota)));
            out.insert("endpoints_used", Value::int(i64::from(q.endpoints_used)));
            out.insert("endpoints_quota", Value::int(i64::from(q.endpoints_quota)));
        }
    }
    Ok(Ok(out))
}

/// What a listing data source gives: the `ids` of what it found, and each object whole under
/// `key`.
fn listing(out: &mut Map, key: &str, items: Vec<Map>) {
    let ids = items
        .iter()
        .map(|item| item.get("id").cloned().unwrap_or(Value::Null))
        .collect();
    out.insert("ids", Value::List(ids));
    out.insert(
        key,
        Value::List(items.into_iter().map(Value::map).collect()),
    );
}

/// A service as its data sources give it: what a `vpcep_service` resource records.
fn service_view(s: &Service) -> Map {
    let mut attrs = service_attrs(s);
    attrs.insert("service_name", Value::from(s.service_name.as_str()));
    attrs.insert("status", Value::from(s.status.as_str()));
    attrs
}
