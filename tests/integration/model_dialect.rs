//! A simulated account whose every answer takes the shape one of the emulator's dialects gives
//! it (the API reference's, the OTC SDK fixtures', the Huawei SDK models'): each object is
//! encoded as the VPCEP API's JSON, reshaped by the dialect, and decoded by the client's wire
//! types, as if it had crossed HTTP. The model-based test plans and applies through it, so a
//! plan after apply must converge against every shape the public sources show.

use indexmap::IndexMap;
use std::time::Duration;
use vpcep::cloud::api;
use vpcep::cloud::dialect::Dialect;
use vpcep::cloud::sim::Sim;
use vpcep::cloud::{
    Cloud, CloudError, CloudResult, Connection, ConnectionAction, Endpoint, EndpointSpec,
    PublicService, Quotas, Service, ServiceSpec, ServiceSummary, ServiceUpdate,
};

pub(crate) struct Dialected {
    pub(crate) sim: Sim,
    pub(crate) dialect: Dialect,
    /// The project the answers name (the sim's account, as the emulator does).
    project: String,
}

impl Dialected {
    pub(crate) fn new(sim: Sim, dialect: Dialect) -> Self {
        let project = sim.account().unwrap_or_default();
        Dialected {
            sim,
            dialect,
            project,
        }
    }

    /// `wire` as it arrives in this dialect, decoded again.
    fn cross<W: serde::Serialize + serde::de::DeserializeOwned>(&self, wire: &W) -> W {
        let json = serde_json::to_value(wire).expect("a wire type encodes");
        let shaped = self.dialect.answer(json);
        serde_json::from_value(shaped).expect("every dialect decodes with the wire types")
    }

    fn service(&self, s: &Service) -> CloudResult<Service> {
        let wire = self.cross(&api::ServiceWire::from_model(s, &self.project));
        // The whitelist travels as a permission list of its own; the SDK lists `*` bare.
        let whitelist = s
            .whitelist
            .iter()
            .map(|w| {
                if self.dialect == Dialect::Sdk && w == "iam:domain::*" {
                    "*".to_owned()
                } else {
                    w.clone()
                }
            })
            .collect();
        wire.to_model(whitelist).map_err(malformed)
    }

    fn endpoint(&self, e: &Endpoint) -> CloudResult<Endpoint> {
        self.cross(&api::EndpointWire::from_model(e, &self.project))
            .to_model()
            .map_err(malformed)
    }

    fn connection(&self, c: &Connection) -> CloudResult<Connection> {
        self.cross(&api::ConnectionWire::from_model(c))
            .to_model()
            .map_err(malformed)
    }

    fn summary(&self, s: &ServiceSummary) -> CloudResult<ServiceSummary> {
        self.cross(&api::ServiceSummaryWire::from_model(s))
            .to_model()
            .map_err(malformed)
    }
}

fn malformed(e: String) -> CloudError {
    CloudError::new(200, api::MALFORMED, e)
}

impl Cloud for Dialected {
    fn describe(&self) -> String {
        format!("{} in the {:?} dialect", self.sim.describe(), self.dialect)
    }
    fn is_simulated(&self) -> bool {
        true
    }
    fn poll_interval(&self) -> Duration {
        self.sim.poll_interval()
    }
    fn account(&self) -> Option<String> {
        self.sim.account()
    }
    fn list_services(&self) -> CloudResult<Vec<Service>> {
        self.sim
            .list_services()?
            .iter()
            .map(|s| self.service(s))
            .collect()
    }
    fn describe_service(&self, id: &str) -> CloudResult<Option<ServiceSummary>> {
        self.sim
            .describe_service(id)?
            .map(|s| self.summary(&s))
            .transpose()
    }
    fn describe_service_named(&self, service_name: &str) -> CloudResult<Option<ServiceSummary>> {
        self.sim
            .describe_service_named(service_name)?
            .map(|s| self.summary(&s))
            .transpose()
    }
    fn get_service(&self, id: &str) -> CloudResult<Option<Service>> {
        self.sim
            .get_service(id)?
            .map(|s| self.service(&s))
            .transpose()
    }
    fn create_service(&self, spec: &ServiceSpec) -> CloudResult<Service> {
        self.service(&self.sim.create_service(spec)?)
    }
    fn update_service(&self, id: &str, update: &ServiceUpdate) -> CloudResult<Service> {
        self.service(&self.sim.update_service(id, update)?)
    }
    fn delete_service(&self, id: &str) -> CloudResult<()> {
        self.sim.delete_service(id)
    }
    fn update_whitelist(&self, id: &str, add: &[String], remove: &[String]) -> CloudResult<()> {
        self.sim.update_whitelist(id, add, remove)
    }
    fn update_service_tags(
        &self,
        id: &str,
        set: &IndexMap<String, String>,
        delete: &[String],
    ) -> CloudResult<()> {
        self.sim.update_service_tags(id, set, delete)
    }
    fn list_connections(&self, service_id: &str) -> CloudResult<Vec<Connection>> {
        self.sim
            .list_connections(service_id)?
            .iter()
            .map(|c| self.connection(c))
            .collect()
    }
    fn connection_action(
        &self,
        service_id: &str,
        action: ConnectionAction,
        endpoint_id: &str,
    ) -> CloudResult<()> {
        self.sim.connection_action(service_id, action, endpoint_id)
    }
    fn list_endpoints(&self) -> CloudResult<Vec<Endpoint>> {
        self.sim
            .list_endpoints()?
            .iter()
            .map(|e| self.endpoint(e))
            .collect()
    }
    fn get_endpoint(&self, id: &str) -> CloudResult<Option<Endpoint>> {
        self.sim
            .get_endpoint(id)?
            .map(|e| self.endpoint(&e))
            .transpose()
    }
    fn create_endpoint(&self, spec: &EndpointSpec) -> CloudResult<Endpoint> {
        self.endpoint(&self.sim.create_endpoint(spec)?)
    }
    fn update_endpoint_tags(
        &self,
        id: &str,
        set: &IndexMap<String, String>,
        delete: &[String],
    ) -> CloudResult<()> {
        self.sim.update_endpoint_tags(id, set, delete)
    }
    fn update_endpoint(&self, id: &str, update: &vpcep::cloud::EndpointUpdate) -> CloudResult<()> {
        self.sim.update_endpoint(id, update)
    }
    fn delete_endpoint(&self, id: &str) -> CloudResult<()> {
        self.sim.delete_endpoint(id)
    }
    fn quotas(&self) -> CloudResult<Quotas> {
        let wire = self.cross(&api::QuotaWire::from_model(&self.sim.quotas()?));
        let (services_used, services_quota) = wire.of("endpoint_service").map_err(malformed)?;
        let (endpoints_used, endpoints_quota) = wire.of("endpoint").map_err(malformed)?;
        Ok(Quotas {
            services_used,
            services_quota,
            endpoints_used,
            endpoints_quota,
        })
    }
    fn list_public_services(&self) -> CloudResult<Vec<PublicService>> {
        self.sim.list_public_services()
    }
}
