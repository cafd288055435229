//! The crash matrix (issue 10): SIGKILL at seeded random moments of every kind of change —
//! create, update, destroy, a saved plan, `--refresh=false` — on the simulator, over the
//! emulator with 20 % injected failures (and again with the gateway's throttling on: 25
//! requests a second, burst 5), and with state in `PostgreSQL`; the resources flat
//! (`for_each`) in half the cells, in module instances (`count`) in the other. Invariant after
//! recovery: every cloud object is tracked by exactly one address, nothing is duplicated, and
//! the next plan is truthful. One seed per cell here; `VPCEP_CRASH_SEEDS=N` runs N.

use super::harness::{EmulatorProcess, Output, Workspace, command};
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::time::{Duration, Instant};
use vpcep::cloud::Cloud as _;

const PROJECT: &str = "0b2c6f3e8a1d4c7e9f10a2b3c4d5e6f7";
const TOKEN: &str = "tok-crash-matrix";

#[derive(Clone, Copy, Debug)]
enum Backend {
    Sim,
    Emulator,
    /// The emulator throttling as OTC's gateway does, besides its injected failures.
    Throttled,
    Pg,
}

#[derive(Clone, Copy, Debug)]
#[repr(u64)]
enum Operation {
    Create,
    Update,
    Destroy,
    SavedPlan,
    NoRefresh,
}

/// A tiny seeded generator for kill moments.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
}

struct Cell {
    backend: Backend,
    ws: Workspace,
    emulator: Option<EmulatorProcess>,
    pg: Option<(String, String)>,
    env: Vec<(&'static str, String)>,
}

impl Cell {
    fn new(backend: Backend, seed: u64) -> Option<Self> {
        let ws = Workspace::new();
        let mut env = Vec::new();
        let (emulator, pg) = match backend {
            Backend::Sim => (None, None),
            Backend::Emulator | Backend::Throttled => {
                let seed = seed.to_string();
                let mut args = vec![
                    "--token",
                    TOKEN,
                    "--error-rate",
                    "0.2",
                    "--seed",
                    &seed,
                    "--create-delay",
                    "50ms",
                    "--quota-services",
                    "100",
                    "--quota-endpoints",
                    "100",
                ];
                if matches!(backend, Backend::Throttled) {
                    args.extend(["--rate-limit", "25/s,5"]);
                }
                let e = EmulatorProcess::start(&args);
                env.push(("OS_AUTH_TOKEN", TOKEN.to_owned()));
                (Some(e), None)
            }
            Backend::Pg => {
                let url = super::pg::pg_url()?;
                let schema = format!("vpcep_crash_{}_{seed}", std::process::id());
                env.push(("VPCEP_PG_CONN_STR", url.clone()));
                (None, Some((url, schema)))
            }
        };
        Some(Cell {
            backend,
            ws,
            emulator,
            pg,
            env,
        })
    }

    fn header(&self) -> String {
        let provider = match &self.emulator {
            Some(e) => e.provider(PROJECT),
            None => "provider \"sim\" {\n  create_delay = \"50ms\"\n  quota_services = 100\n  quota_endpoints = 100\n}\n".to_owned(),
        };
        let backend = match &self.pg {
            Some((_, schema)) => {
                format!("backend \"pg\" {{\n  schema_name = \"{schema}\"\n}}\n")
            }
            None => String::new(),
        };
        provider + &backend
    }

    /// `n` services, each with an endpoint of this account and an approval of it: resources
    /// with `for_each`, or (`modular`) a module called with `count` that holds one of each.
    fn write_config(&self, n: usize, version: &str, modular: bool) {
        if modular {
            self.ws.write(
                "modules/published/main.hcl",
                "variable \"key\" {\n  type = string\n}\nvariable \"release\" {\n  type = string\n}\n\
                 resource \"vpcep_service\" \"s\" {\n  server_type = \"LB\"\n  port_id = \"port-${var.key}\"\n  vpc_id = \"vpc-1\"\n  tags = { version = var.release }\n  port {\n    server_port = 8080\n    client_port = 80\n  }\n}\n\
                 resource \"vpcep_endpoint\" \"e\" {\n  service_id = vpcep_service.s.id\n  vpc_id = \"vpc-2\"\n  subnet_id = \"subnet-2\"\n  tags = { copy = var.key, version = var.release }\n}\n\
                 resource \"vpcep_approval\" \"a\" {\n  service_id = vpcep_service.s.id\n  endpoints = [vpcep_endpoint.e.id]\n}\n",
            );
            let text = format!(
                "{}module \"published\" {{\n  source = \"./modules/published\"\n  count = {n}\n  key = \"k${{count.index}}\"\n  release = \"{version}\"\n}}\n",
                self.header()
            );
            self.ws.write("main.hcl", &text);
            return;
        }
        let mut text = self.header();
        let _ = write!(
            text,
            "locals {{\n  keys = toset([{}])\n}}\n",
            (0..n)
                .map(|i| format!("\"k{i}\""))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let _ = write!(
            text,
            "resource \"vpcep_service\" \"s\" {{\n  for_each = local.keys\n  server_type = \"LB\"\n  port_id = \"port-${{each.key}}\"\n  vpc_id = \"vpc-1\"\n  tags = {{ version = \"{version}\" }}\n  port {{\n    server_port = 8080\n    client_port = 80\n  }}\n}}\n\
             resource \"vpcep_endpoint\" \"e\" {{\n  for_each = local.keys\n  service_id = vpcep_service.s[each.key].id\n  vpc_id = \"vpc-2\"\n  subnet_id = \"subnet-2\"\n  tags = {{ copy = each.key, version = \"{version}\" }}\n}}\n\
             resource \"vpcep_approval\" \"a\" {{\n  for_each = local.keys\n  service_id = vpcep_service.s[each.key].id\n  endpoints = [vpcep_endpoint.e[each.key].id]\n}}\n"
        );
        self.ws.write("main.hcl", &text);
    }

    fn command(&self, args: &[&str]) -> std::process::Command {
        let env: Vec<(&str, &str)> = self.env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        command(self.ws.path(), args, &env)
    }

    fn run(&self, args: &[&str]) -> Output {
        let out = super::harness::run_bounded(self.command(args), Duration::from_secs(300));
        assert!(
            out.code != 101 && !out.stderr.contains("panicked") && out.code != -9,
            "{:?}: vpcep {args:?} panicked or hung:\n{}",
            self.backend,
            out.stderr
        );
        out
    }

    /// Runs `args` and kills it after `after`.
    fn run_killed(&self, args: &[&str], after: Duration) {
        let mut child = self
            .command(args)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let started = Instant::now();
        while started.elapsed() < after {
            if child.try_wait().unwrap().is_some() {
                return;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        let _ = child.kill();
        let _ = child.wait();
    }

    /// Runs `args` until it succeeds (a failure injected by the emulator may stop a run).
    fn converge(&self, args: &[&str]) -> usize {
        for attempt in 1..=15 {
            let out = self.run(args);
            if out.code == 0 {
                return attempt;
            }
        }
        let out = self.run(args);
        panic!(
            "{:?}: vpcep {args:?} did not converge:\n{}\n{}",
            self.backend, out.stdout, out.stderr
        );
    }

    fn sim(&self) -> vpcep::cloud::sim::Sim {
        let config = match &self.emulator {
            Some(e) => vpcep::model::SimConfig {
                path: e.data.path().join("emulator.db"),
                domain_id: PROJECT.to_owned(),
                project_id: PROJECT.to_owned(),
                ..vpcep::model::SimConfig::default()
            },
            None => vpcep::model::SimConfig::default(),
        };
        vpcep::cloud::sim::Sim::open(&config, self.ws.path()).unwrap()
    }

    /// Every cloud object is recorded under exactly one address, and nothing else is.
    fn assert_tracked(&self, label: &str) {
        let pulled = self.run(&["state", "pull"]);
        let state: serde_json::Value =
            serde_json::from_str(&pulled.stdout).unwrap_or(serde_json::json!({"resources": []}));
        let mut recorded: Vec<(String, String)> = state["resources"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["type"] != "vpcep_approval")
            .map(|r| {
                (
                    r["type"].as_str().unwrap().to_owned(),
                    r["id"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        let n = recorded.len();
        recorded.sort();
        recorded.dedup();
        assert_eq!(recorded.len(), n, "{label}: one object has two addresses");
        let recorded: BTreeSet<(String, String)> = recorded.into_iter().collect();
        let sim = self.sim();
        let cloud: BTreeSet<(String, String)> = sim
            .list_services()
            .unwrap()
            .into_iter()
            .map(|s| ("vpcep_service".to_owned(), s.id))
            .chain(
                sim.list_endpoints()
                    .unwrap()
                    .into_iter()
                    .map(|e| ("vpcep_endpoint".to_owned(), e.id)),
            )
            .collect();
        let untracked: Vec<_> = cloud.difference(&recorded).collect();
        let lost: Vec<_> = recorded.difference(&cloud).collect();
        assert!(
            untracked.is_empty() && lost.is_empty(),
            "{label}: untracked in the cloud {untracked:?}; recorded but gone {lost:?}"
        );
    }
}

impl Drop for Cell {
    fn drop(&mut self) {
        if let Some((url, schema)) = &self.pg
            && let Ok(mut client) = postgres::Client::connect(url, postgres::NoTls)
        {
            let _ = client.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
        }
    }
}

/// One cell of the matrix: set up, kill the operation at a random moment, recover, check.
fn cell(backend: Backend, operation: Operation, seed: u64) -> bool {
    let Some(cell) = Cell::new(backend, seed) else {
        return false;
    };
    let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    // Half the cells hold their resources in module instances (`count`), the others in
    // resources with `for_each`; each seed has both.
    let modular = (seed + operation as u64).is_multiple_of(2);
    let shape = if modular {
        "module × count"
    } else {
        "for_each"
    };
    let label = format!("{backend:?} × {operation:?} × {shape} × seed {seed}");
    let n = 4;
    cell.write_config(n, "v1", modular);
    // What runs killed; what recovers.
    let (killed, recover): (Vec<&str>, Vec<&str>) = match operation {
        Operation::Create => (
            vec!["apply", "--auto-approve", "--parallelism", "3"],
            vec!["apply", "--auto-approve"],
        ),
        Operation::Update => {
            cell.converge(&["apply", "--auto-approve"]);
            cell.write_config(n, "v2", modular);
            (
                vec!["apply", "--auto-approve", "--parallelism", "3"],
                vec!["apply", "--auto-approve"],
            )
        }
        Operation::Destroy => {
            cell.converge(&["apply", "--auto-approve"]);
            (
                vec!["destroy", "--auto-approve", "--parallelism", "3"],
                vec!["destroy", "--auto-approve"],
            )
        }
        Operation::SavedPlan => {
            cell.converge(&["plan", "--out", "p.plan"]);
            (vec!["apply", "p.plan"], vec!["apply", "--auto-approve"])
        }
        Operation::NoRefresh => (
            vec!["apply", "--auto-approve", "--refresh=false"],
            vec!["apply", "--auto-approve", "--refresh=false"],
        ),
    };
    let moment = Duration::from_millis(rng.below(900));
    cell.run_killed(&killed, moment);
    if let Operation::SavedPlan = operation {
        // The saved plan again: applied if the kill came before anything changed, refused as
        // stale otherwise; either way nothing is created twice.
        let again = cell.run(&["apply", "p.plan"]);
        assert!(
            again.code == 0 || again.stderr.contains("is stale") || again.code == 1,
            "{label}: {}",
            again.stderr
        );
    }
    cell.converge(&recover);
    cell.assert_tracked(&label);
    let check: &[&str] = if let Operation::Destroy = operation {
        &["plan", "--destroy", "--detailed-exitcode"]
    } else {
        &["plan", "--detailed-exitcode"]
    };
    let plan = cell.run(check);
    if plan.code != 0 {
        // A failure injected into the plan itself; the next one must be truthful.
        let plan = cell.run(check);
        assert_eq!(
            plan.code, 0,
            "{label}: the next plan is not empty:\n{}",
            plan.stdout
        );
    }
    if let Operation::Destroy = operation {
        let sim = cell.sim();
        assert!(
            sim.list_services().unwrap().is_empty(),
            "{label}: destroy left services"
        );
    }
    true
}

#[test]
fn killed_at_random_moments_nothing_is_duplicated_or_untracked() {
    let seeds: u64 = std::env::var("VPCEP_CRASH_SEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    let first: u64 = std::env::var("VPCEP_CRASH_FIRST_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    let mut runs = 0;
    for seed in first..first + seeds {
        for backend in [
            Backend::Sim,
            Backend::Emulator,
            Backend::Throttled,
            Backend::Pg,
        ] {
            for operation in [
                Operation::Create,
                Operation::Update,
                Operation::Destroy,
                Operation::SavedPlan,
                Operation::NoRefresh,
            ] {
                if cell(backend, operation, seed) {
                    runs += 1;
                }
            }
        }
    }
    eprintln!("crash matrix: {runs} killed runs, 0 duplicates, 0 untracked, 0 lost");
}
