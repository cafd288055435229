//! The clouds `vpcep` talks to, behind one trait: the VPCEP operations of plan, apply and
//! refresh. Implementations: the embedded simulator (`sim`).

pub mod api;
pub mod auth;
pub mod convert;
pub mod dialect;
pub mod emulator;
pub mod emulator_iam;
pub mod http;
pub mod httpd;
pub mod iam;
pub mod rate;
pub mod rng;
pub mod set;
pub mod sign;
pub mod sim;
pub mod types;

pub use set::{Clouds, Providers};
pub use types::*;

use indexmap::IndexMap;
use std::time::Duration;

/// A cloud as a trait object, whatever its type (so a generic caller can hand it on).
pub trait AsDyn {
    fn as_dyn(&self) -> &dyn Cloud;
}

impl<T: Cloud> AsDyn for T {
    fn as_dyn(&self) -> &dyn Cloud {
        self
    }
}

/// The VPCEP operations, as one account in one region sees them.
pub trait Cloud: AsDyn + Send + Sync {
    /// What this is, for output: e.g. `the simulated cloud (.vpcep/cloud.db)`.
    fn describe(&self) -> String;
    /// Whether this is the simulator (output always says so).
    fn is_simulated(&self) -> bool;
    /// How often to poll an asynchronous operation.
    fn poll_interval(&self) -> Duration;
    /// The request budget this cloud's requests wait on (the API's clients), shared by every
    /// client of the same identity and project.
    fn budget(&self) -> Option<std::sync::Arc<rate::Budget>> {
        None
    }
    /// The account (domain) ID this cloud acts as, when it is known without asking.
    fn account(&self) -> Option<String> {
        None
    }

    fn list_services(&self) -> CloudResult<Vec<Service>>;
    /// The basic information of a service of any account, by ID; `None` when there is none.
    fn describe_service(&self, id: &str) -> CloudResult<Option<ServiceSummary>>;
    /// The same by the service's full (decorated) name, `region.name.id`: how a consumer
    /// finds a partner's service.
    fn describe_service_named(&self, service_name: &str) -> CloudResult<Option<ServiceSummary>>;
    fn get_service(&self, id: &str) -> CloudResult<Option<Service>>;
    /// A service for polling its status: as [`Cloud::get_service`], except that a cloud that
    /// reads the whitelist with a call of its own may leave it empty.
    fn poll_service(&self, id: &str) -> CloudResult<Option<Service>> {
        self.get_service(id)
    }
    fn create_service(&self, spec: &ServiceSpec) -> CloudResult<Service>;
    fn update_service(&self, id: &str, update: &ServiceUpdate) -> CloudResult<Service>;
    fn delete_service(&self, id: &str) -> CloudResult<()>;
    /// Adds and removes whitelist entries (`iam:domain::<id>` or `*`).
    fn update_whitelist(&self, id: &str, add: &[String], remove: &[String]) -> CloudResult<()>;
    /// Sets (creates or overwrites) and deletes tags of a service.
    fn update_service_tags(
        &self,
        id: &str,
        set: &IndexMap<String, String>,
        delete: &[String],
    ) -> CloudResult<()>;
    fn list_connections(&self, service_id: &str) -> CloudResult<Vec<Connection>>;
    fn connection_action(
        &self,
        service_id: &str,
        action: ConnectionAction,
        endpoint_id: &str,
    ) -> CloudResult<()>;

    fn list_endpoints(&self) -> CloudResult<Vec<Endpoint>>;
    fn get_endpoint(&self, id: &str) -> CloudResult<Option<Endpoint>>;
    fn create_endpoint(&self, spec: &EndpointSpec) -> CloudResult<Endpoint>;
    fn update_endpoint_tags(
        &self,
        id: &str,
        set: &IndexMap<String, String>,
        delete: &[String],
    ) -> CloudResult<()>;
    /// Changes an endpoint's whitelist, route tables or policy in place (the `huawei`
    /// profile's calls; the plan refuses such changes elsewhere).
    fn update_endpoint(&self, id: &str, update: &EndpointUpdate) -> CloudResult<()>;
    fn delete_endpoint(&self, id: &str) -> CloudResult<()>;

    fn quotas(&self) -> CloudResult<Quotas>;
    /// The services the cloud's operators publish for every account.
    fn list_public_services(&self) -> CloudResult<Vec<PublicService>>;
}
