//! Scheduling benchmark (not a test): apply of 100 services, each with an endpoint and an
//! approval, where every cloud call takes 20 ms and one service's create takes 2 s; prints the
//! wall time at `--parallelism` 10 next to the time the slow service alone needs. Under level
//! barriers every endpoint waits for the slow service; with a ready queue only its own do.
//!
//! Run with `cargo bench --bench schedule`.

use indexmap::IndexMap;
use std::fmt::Write as _;
use std::time::{Duration, Instant};
use vpcep::apply::{ApplyOptions, Resolver};
use vpcep::cloud::sim::Sim;
use vpcep::cloud::{
    Cloud, CloudResult, Connection, ConnectionAction, Endpoint, EndpointSpec, Quotas, Service,
    ServiceSpec, ServiceSummary, ServiceUpdate,
};
use vpcep::config::LoadOptions;
use vpcep::model::{RecordedState, SimConfig};
use vpcep::plan::PlanOptions;

const SERVICES: usize = 100;
const CALL: Duration = Duration::from_millis(20);
const SLOW: Duration = Duration::from_secs(2);

/// The simulator, with every call taking [`CALL`] and the create of service `s0` [`SLOW`].
struct Latency(Sim);

static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

impl Latency {
    #[allow(clippy::unused_self)] // reads as "this cloud waits"
    fn wait<T>(&self, result: T) -> T {
        CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        std::thread::sleep(CALL);
        result
    }
}

impl Cloud for Latency {
    fn describe(&self) -> String {
        self.0.describe()
    }
    fn is_simulated(&self) -> bool {
        true
    }
    fn poll_interval(&self) -> Duration {
        Duration::from_millis(10)
    }
    fn list_services(&self) -> CloudResult<Vec<Service>> {
        self.wait(self.0.list_services())
    }
    fn describe_service(&self, id: &str) -> CloudResult<Option<ServiceSummary>> {
        self.wait(self.0.describe_service(id))
    }
    fn describe_service_named(&self, name: &str) -> CloudResult<Option<ServiceSummary>> {
        self.wait(self.0.describe_service_named(name))
    }
    fn list_public_services(&self) -> CloudResult<Vec<vpcep::cloud::PublicService>> {
        self.wait(self.0.list_public_services())
    }
    fn get_service(&self, id: &str) -> CloudResult<Option<Service>> {
        self.wait(self.0.get_service(id))
    }
    fn create_service(&self, spec: &ServiceSpec) -> CloudResult<Service> {
        if spec.name.as_deref() == Some("s0") && std::env::var_os("SCHEDULE_NO_SLOW").is_none() {
            std::thread::sleep(SLOW);
        }
        self.wait(self.0.create_service(spec))
    }
    fn update_service(&self, id: &str, update: &ServiceUpdate) -> CloudResult<Service> {
        self.wait(self.0.update_service(id, update))
    }
    fn delete_service(&self, id: &str) -> CloudResult<()> {
        self.wait(self.0.delete_service(id))
    }
    fn update_whitelist(&self, id: &str, add: &[String], remove: &[String]) -> CloudResult<()> {
        self.wait(self.0.update_whitelist(id, add, remove))
    }
    fn update_service_tags(
        &self,
        id: &str,
        set: &IndexMap<String, String>,
        delete: &[String],
    ) -> CloudResult<()> {
        self.wait(self.0.update_service_tags(id, set, delete))
    }
    fn list_connections(&self, service_id: &str) -> CloudResult<Vec<Connection>> {
        self.wait(self.0.list_connections(service_id))
    }
    fn connection_action(
        &self,
        service_id: &str,
        action: ConnectionAction,
        endpoint_id: &str,
    ) -> CloudResult<()> {
        self.wait(self.0.connection_action(service_id, action, endpoint_id))
    }
    fn list_endpoints(&self) -> CloudResult<Vec<Endpoint>> {
        self.wait(self.0.list_endpoints())
    }
    fn get_endpoint(&self, id: &str) -> CloudResult<Option<Endpoint>> {
        self.wait(self.0.get_endpoint(id))
    }
    fn create_endpoint(&self, spec: &EndpointSpec) -> CloudResult<Endpoint> {
        self.wait(self.0.create_endpoint(spec))
    }
    fn update_endpoint_tags(
        &self,
        id: &str,
        set: &IndexMap<String, String>,
        delete: &[String],
    ) -> CloudResult<()> {
        self.wait(self.0.update_endpoint_tags(id, set, delete))
    }
    fn update_endpoint(&self, id: &str, update: &vpcep::cloud::EndpointUpdate) -> CloudResult<()> {
        self.wait(self.0.update_endpoint(id, update))
    }
    fn delete_endpoint(&self, id: &str) -> CloudResult<()> {
        self.wait(self.0.delete_endpoint(id))
    }
    fn quotas(&self) -> CloudResult<Quotas> {
        self.wait(self.0.quotas())
    }
}

/// Counts the evaluations of the configuration apply asks for, and their time.
struct Counted<'a> {
    inner: &'a mut dyn Resolver,
    calls: usize,
    time: Duration,
}

impl Resolver for Counted<'_> {
    fn resolve(&mut self, state: &RecordedState) -> Result<vpcep::apply::Resolved, String> {
        let started = Instant::now();
        let r = self.inner.resolve(state);
        self.calls += 1;
        self.time += started.elapsed();
        r
    }
    fn has_outputs(&self) -> bool {
        self.inner.has_outputs()
    }
}

fn config() -> String {
    let mut s =
        String::from("provider \"sim\" {\n  quota_services = 1000\n  quota_endpoints = 1000\n}\n");
    for i in 0..SERVICES {
        let _ = write!(
            s,
            "resource \"vpcep_service\" \"s{i}\" {{\n  name = \"s{i}\"\n  server_type = \"LB\"\n  port_id = \"port-{i}\"\n  vpc_id = \"vpc-1\"\n  port {{\n    server_port = 8080\n    client_port = 80\n  }}\n}}\n\
             resource \"vpcep_endpoint\" \"e{i}\" {{\n  service_id = vpcep_service.s{i}.id\n  vpc_id = \"vpc-2\"\n  subnet_id = \"subnet-2\"\n}}\n\
             resource \"vpcep_approval\" \"a{i}\" {{\n  service_id = vpcep_service.s{i}.id\n  endpoints = [vpcep_endpoint.e{i}.id]\n}}\n"
        );
    }
    s
}

fn main() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let sim_config = SimConfig {
        quota_services: 1000,
        quota_endpoints: 1000,
        ..SimConfig::default()
    };
    let cloud = Latency(Sim::open(&sim_config, dir.path()).expect("the simulator opens"));
    let text = config();
    let path = dir.path().to_path_buf();
    let source = move || LoadOptions {
        dir: path.clone(),
        sources: Some(vec![("main.hcl".to_owned(), text.clone().into())]),
        ..LoadOptions::default()
    };
    let state = RecordedState::new();
    let mut facts = vpcep::refresh::facts_only(&cloud).expect("quotas");
    let Ok(derived) =
        vpcep::derive::derive(&source, &state, &mut facts, &PlanOptions::default(), &cloud)
    else {
        panic!("the benchmark's configuration plans");
    };
    let plan = derived.plan;
    assert!(
        !plan.is_refused(),
        "the plan is refused: {:?}",
        plan.refusals
    );
    let on_load = |_: &vpcep::config::Loaded| {};
    let mut resolver = vpcep::derive::ConfigResolver {
        source: &source,
        on_load: &on_load,
        outputs: false,
        checks: false,
        data: None,
    };
    let mut counted = Counted {
        inner: &mut resolver,
        calls: 0,
        time: Duration::ZERO,
    };
    // State in memory: the benchmark measures scheduling, not the disk.
    let mut store = vpcep::state::memory::MemoryState::default();
    let mut state = state;
    CALLS.store(0, std::sync::atomic::Ordering::Relaxed);
    let started = Instant::now();
    let report = vpcep::apply::apply(
        &plan,
        &cloud,
        &mut store,
        &mut state,
        &mut counted,
        &ApplyOptions {
            parallelism: 10,
            ..ApplyOptions::default()
        },
        &mut |_| {},
    )
    .expect("the apply records its state");
    let secs = started.elapsed().as_secs_f64();
    let calls = CALLS.load(std::sync::atomic::Ordering::Relaxed);
    #[allow(clippy::cast_precision_loss)]
    let ideal = calls as f64 * CALL.as_secs_f64() / 10.0;
    assert!(report.succeeded(), "{report:?}");
    println!(
        "vpcep scheduling benchmark: {SERVICES} services, each with an endpoint and an approval"
    );
    println!(
        "apply, parallelism 10, every call {} ms, one service's create {} s: {secs:.2} s ({} steps, {} calls; calls x latency / parallelism: {:.2} s)",
        CALL.as_millis(),
        SLOW.as_secs(),
        report.added,
        calls,
        ideal
    );
    println!(
        "configuration evaluated again {} times, {:.2} s in all",
        counted.calls,
        counted.time.as_secs_f64()
    );
}
