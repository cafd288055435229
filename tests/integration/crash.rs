//! Interrupted applies and concurrent commands: nothing is lost or created twice.

use super::harness::{Workspace, services_hcl};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use vpcep::cloud::Cloud as _;

fn slow_provider(delay: &str) -> String {
    format!("provider \"sim\" {{\n  create_delay = \"{delay}\"\n  quota_services = 100\n}}\n")
}

fn cloud_service_count(ws: &Workspace) -> usize {
    let config = vpcep::model::SimConfig::default();
    let sim = vpcep::cloud::sim::Sim::open(&config, ws.path()).unwrap();
    sim.list_services().unwrap().len()
}

fn spawn_apply(ws: &Workspace, extra: &[&str]) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_vpcep"))
        .current_dir(ws.path())
        .args(["apply", "--auto-approve"])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Waits until the journal beside the state has at least `lines` lines.
fn wait_for_journal(ws: &Workspace, lines: usize) {
    let started = Instant::now();
    while ws.read("vpcep.state.json.journal").lines().count() < lines {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the apply made no progress"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_killed_apply_loses_nothing_and_creates_nothing_twice() {
    let ws = Workspace::new();
    ws.write(
        "main.hcl",
        &(slow_provider("100ms") + &services_hcl("s", 50)),
    );
    let mut child = spawn_apply(&ws, &["--parallelism", "2"]);
    // A header, then an intent and a result per service: stop part way through.
    wait_for_journal(&ws, 1 + 2 * 12);
    child.kill().unwrap();
    child.wait().unwrap();

    let state: serde_json::Value =
        serde_json::from_str(&ws.read("vpcep.state.json")).expect("the state file is valid");
    assert!(
        state["resources"].as_array().unwrap().is_empty(),
        "the state file was only written before the apply"
    );
    if ws.path().join("vpcep.state.json.backup").exists() {
        let _: serde_json::Value =
            serde_json::from_str(&ws.read("vpcep.state.json.backup")).expect("the backup is valid");
    }
    let in_cloud = cloud_service_count(&ws);
    assert!(
        (12..50).contains(&in_cloud),
        "{in_cloud} services were created before the kill"
    );

    let plan = ws.expect(&["plan"], 0);
    assert!(
        plan.stdout.contains(&format!(
            "Plan: {} to add, 0 to change, 0 to destroy.",
            50 - in_cloud
        )),
        "only the rest is planned:\n{}",
        plan.stdout
    );

    let apply = ws.expect(&["apply", "--auto-approve"], 0);
    assert!(
        apply.stdout.contains(&format!(
            "Apply complete! Resources: {} added",
            50 - in_cloud
        )),
        "{}",
        apply.stdout
    );
    assert_eq!(cloud_service_count(&ws), 50, "nothing was created twice");
    assert_eq!(ws.state()["resources"].as_array().unwrap().len(), 50);
    ws.expect(&["plan", "--detailed-exitcode"], 0);
}

#[test]
fn a_second_apply_fails_while_the_first_holds_the_lock() {
    let ws = Workspace::new();
    ws.write(
        "main.hcl",
        &(slow_provider("200ms") + &services_hcl("l", 8)),
    );
    let first = spawn_apply(&ws, &["--parallelism", "1"]);
    wait_for_journal(&ws, 2);
    let second = ws.expect(&["apply", "--auto-approve"], 1);
    assert!(
        second.stderr.contains("is locked: lock"),
        "{}",
        second.stderr
    );
    assert!(
        second.stderr.contains("for `apply`"),
        "the holder's operation is named: {}",
        second.stderr
    );
    assert!(
        second.stderr.contains("(pid "),
        "the holder's process is named: {}",
        second.stderr
    );
    let out = first.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(ws.state()["resources"].as_array().unwrap().len(), 8);
    assert_eq!(cloud_service_count(&ws), 8);

    // With --lock-timeout a second command waits instead.
    let slow = spawn_apply(&ws, &["--destroy"]);
    let waited = ws.expect(&["plan", "--lock-timeout", "60s"], 0);
    assert!(
        waited.stdout.contains("Using the simulated cloud"),
        "{}",
        waited.stdout
    );
    let _ = slow.wait_with_output();
}

#[test]
fn force_unlock_breaks_the_lock_of_a_hanging_command() {
    let ws = Workspace::new();
    ws.write(
        "main.hcl",
        &(slow_provider("200ms") + &services_hcl("h", 6)),
    );
    let holder = spawn_apply(&ws, &["--parallelism", "1"]);
    wait_for_journal(&ws, 2);
    let refused = ws.expect(&["plan"], 1);
    let id = refused
        .stderr
        .split("is locked: lock ")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .unwrap()
        .to_owned();
    let wrong = ws.expect(&["force-unlock", "not-the-id"], 1);
    assert!(
        wrong.stderr.contains("is not the current lock"),
        "{}",
        wrong.stderr
    );
    let broke = ws.expect(&["force-unlock", &id], 0);
    assert!(
        broke.stdout.contains(&format!("broke the lock {id}")),
        "{}",
        broke.stdout
    );
    // The next command gets the lock while the holder still runs.
    let plan = ws.expect(&["plan"], 0);
    assert!(!plan.stderr.contains("is locked"), "{}", plan.stderr);
    let _ = holder.wait_with_output();
}

/// Issue 10, case 1: replaying the journal of a killed apply makes a new version of the
/// state, so a plan saved before it is stale and creates nothing twice.
#[test]
fn a_plan_saved_before_a_killed_apply_is_stale() {
    let ws = Workspace::new();
    let config = |n: usize| slow_provider("100ms") + &services_hcl("s", n);
    ws.write("main.hcl", &config(4));
    ws.expect(&["apply", "--auto-approve"], 0);
    ws.write("main.hcl", &config(20));
    ws.expect(&["plan", "--out", "p1.plan"], 0);
    let mut child = spawn_apply(&ws, &["--parallelism", "1"]);
    wait_for_journal(&ws, 1 + 2 * 3);
    child.kill().unwrap();
    child.wait().unwrap();

    let stale = ws.expect(&["apply", "p1.plan"], 1);
    assert!(stale.stderr.contains("is stale"), "{}", stale.stderr);
    let in_cloud = cloud_service_count(&ws);
    assert!(in_cloud < 20, "the killed apply finished: {in_cloud}");
    ws.expect(&["apply", "--auto-approve"], 0);
    assert_eq!(cloud_service_count(&ws), 20, "nothing was created twice");
    ws.expect(&["plan", "--detailed-exitcode"], 0);
}

fn cloud_endpoints(ws: &Workspace) -> Vec<vpcep::cloud::Endpoint> {
    let config = vpcep::model::SimConfig::default();
    let sim = vpcep::cloud::sim::Sim::open(&config, ws.path()).unwrap();
    sim.list_endpoints().unwrap()
}

/// A service and `n` endpoints to it from one VPC and subnet; `tagged` tells them apart by a
/// tag, otherwise they are identical.
fn endpoints_hcl(delay: &str, n: usize, tagged: bool) -> String {
    let keys: Vec<String> = (0..n).map(|i| format!("\"e{i}\"")).collect();
    let tags = if tagged {
        "  tags = { copy = each.key }\n"
    } else {
        ""
    };
    format!(
        "provider \"sim\" {{\n  create_delay = \"{delay}\"\n  quota_endpoints = 200\n}}\n\
         resource \"vpcep_service\" \"svc\" {{\n  server_type = \"LB\"\n  port_id = \"port-1\"\n  vpc_id = \"vpc-1\"\n  approval_enabled = false\n  port {{\n    server_port = 8080\n    client_port = 80\n  }}\n}}\n\
         resource \"vpcep_endpoint\" \"e\" {{\n  for_each = toset([{}])\n  service_id = vpcep_service.svc.id\n  vpc_id = \"vpc-2\"\n  subnet_id = \"subnet-2\"\n{tags}}}\n",
        keys.join(", ")
    )
}

/// Issue 10, case 2: `apply --refresh=false` after a killed apply still reconciles the creates
/// that were in flight, and creates nothing twice.
#[test]
fn apply_without_refresh_after_a_killed_apply_creates_nothing_twice() {
    let ws = Workspace::new();
    ws.write(
        "main.hcl",
        &(slow_provider("150ms") + &services_hcl("s", 30)),
    );
    let mut child = spawn_apply(&ws, &["--parallelism", "4"]);
    wait_for_journal(&ws, 1 + 2 * 6);
    child.kill().unwrap();
    child.wait().unwrap();
    let out = ws.expect(&["apply", "--auto-approve", "--refresh=false"], 0);
    assert!(
        out.stdout.contains("was created by an interrupted apply"),
        "{}",
        out.stdout
    );
    assert_eq!(cloud_service_count(&ws), 30, "nothing was created twice");
    ws.expect(&["plan", "--detailed-exitcode"], 0);
}

/// Issue 10, case 3: endpoints that share service, VPC and subnet are told apart by the rest of
/// what their create sent; each is adopted once, none is leaked.
#[test]
fn recovery_adopts_each_endpoint_once_when_they_share_service_vpc_and_subnet() {
    let ws = Workspace::new();
    ws.write("main.hcl", &endpoints_hcl("200ms", 12, true));
    let mut child = spawn_apply(&ws, &["--parallelism", "6"]);
    // The service, then the first endpoint intents.
    wait_for_journal(&ws, 1 + 2 + 6);
    std::thread::sleep(Duration::from_millis(50));
    child.kill().unwrap();
    child.wait().unwrap();
    ws.expect(&["apply", "--auto-approve"], 0);
    let endpoints = cloud_endpoints(&ws);
    assert_eq!(endpoints.len(), 12, "no endpoint was leaked");
    let state = ws.state();
    let mut ids: Vec<&str> = state["resources"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["type"] == "vpcep_endpoint")
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 12, "every address has its own endpoint");
    ws.expect(&["plan", "--detailed-exitcode"], 0);
}

/// Issue 10, case 3: where pending creates cannot be told apart from objects in the cloud,
/// recovery refuses and says how to resolve it; `import` then resolves it.
#[test]
fn ambiguous_recovery_is_refused_and_import_resolves_it() {
    let ws = Workspace::new();
    ws.write("main.hcl", &endpoints_hcl("0s", 2, false));
    ws.expect(
        &["apply", "--auto-approve", "--target", "vpcep_service.svc"],
        0,
    );
    let service_id = ws.id_of("vpcep_service.svc");
    // What an apply killed right after two create calls leaves: two endpoints in the cloud,
    // two intents in the state.
    let config = vpcep::model::SimConfig::default();
    let sim = vpcep::cloud::sim::Sim::open(&config, ws.path()).unwrap();
    let spec = vpcep::cloud::EndpointSpec {
        service_id: service_id.clone(),
        vpc_id: "vpc-2".into(),
        subnet_id: Some("subnet-2".into()),
        port_ip: None,
        enable_dns: false,
        whitelist: Vec::new(),
        tags: indexmap::IndexMap::new(),
        description: None,
        ..Default::default()
    };
    let first = sim.create_endpoint(&spec).unwrap().id;
    let second = sim.create_endpoint(&spec).unwrap().id;
    let mut state = ws.state();
    let identity = serde_json::json!({"service_id": service_id, "vpc_id": "vpc-2", "subnet_id": "subnet-2",
        "port_ip": null, "enable_dns": false, "description": null, "tags": {}});
    state["pending"] = serde_json::json!([
        {"address": "vpcep_endpoint.e[\"e0\"]", "operation": "create", "started_at": "2026-11-25T10:00:00Z", "identity": identity},
        {"address": "vpcep_endpoint.e[\"e1\"]", "operation": "create", "started_at": "2026-11-25T10:00:00Z", "identity": identity},
    ]);
    ws.write("vpcep.state.json", &state.to_string());

    for args in [
        &["plan"][..],
        &["plan", "--refresh=false"],
        &["apply", "--auto-approve"],
    ] {
        let out = ws.expect(args, 1);
        assert!(
            out.stderr.contains("cannot be told apart")
                && out.stderr.contains(&first)
                && out.stderr.contains(&second)
                && out.stderr.contains("vpcep_endpoint.e[\"e0\"]"),
            "{args:?}: {}",
            out.stderr
        );
    }
    assert_eq!(cloud_endpoints(&ws).len(), 2, "nothing was created");
    ws.expect(&["import", "vpcep_endpoint.e[\"e0\"]", &first], 0);
    let twice = ws.expect(&["import", "vpcep_endpoint.e[\"e1\"]", &first], 1);
    assert!(
        twice
            .stderr
            .contains("is already managed here as `vpcep_endpoint.e[\"e0\"]`"),
        "{}",
        twice.stderr
    );
    ws.expect(&["import", "vpcep_endpoint.e[\"e1\"]", &second], 0);
    ws.expect(&["plan", "--detailed-exitcode"], 0);
    assert_eq!(cloud_endpoints(&ws).len(), 2);
}

/// Sends SIGINT, as Ctrl-C in a terminal does.
fn ctrl_c(child: &std::process::Child) {
    let sent = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(sent.success());
}

#[test]
fn ctrl_c_lets_running_steps_finish_and_starts_nothing_more() {
    let ws = Workspace::new();
    ws.write(
        "main.hcl",
        &(slow_provider("400ms") + &services_hcl("c", 20)),
    );
    let apply = spawn_apply(&ws, &["--parallelism", "2"]);
    // Two creates are running (their intents are journaled) when Ctrl-C comes.
    wait_for_journal(&ws, 2);
    ctrl_c(&apply);
    let out = apply.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(stdout.contains("Interrupted: waiting for "), "{stdout}");
    assert!(
        stdout.contains("Apply interrupted! Resources: "),
        "{stdout}"
    );
    assert!(stderr.contains("run apply again to finish"), "{stderr}");
    // What ran finished and is recorded; most never started.
    let recorded = ws.state()["resources"].as_array().unwrap().len();
    assert!((1..20).contains(&recorded), "{recorded} recorded\n{stdout}");
    assert_eq!(cloud_service_count(&ws), recorded, "nothing untracked");
    assert!(
        ws.state()["pending"]
            .as_array()
            .is_none_or(std::vec::Vec::is_empty),
        "no create was left half-started"
    );

    let again = ws.expect(&["apply", "--auto-approve"], 0);
    assert!(
        again.stdout.contains(&format!(
            "Apply complete! Resources: {} added",
            20 - recorded
        )),
        "{}",
        again.stdout
    );
    assert_eq!(cloud_service_count(&ws), 20, "nothing was created twice");
    ws.expect(&["plan", "--detailed-exitcode"], 0);
}

#[test]
fn a_second_ctrl_c_exits_at_once_and_the_next_apply_converges() {
    let ws = Workspace::new();
    ws.write("main.hcl", &(slow_provider("2s") + &services_hcl("d", 6)));
    let apply = spawn_apply(&ws, &["--parallelism", "3"]);
    wait_for_journal(&ws, 3);
    ctrl_c(&apply);
    std::thread::sleep(Duration::from_millis(300));
    ctrl_c(&apply);
    let out = apply.wait_with_output().unwrap();
    // 130: the signal's exit, not the end of an apply that waited for its steps (1).
    assert_eq!(
        out.status.code(),
        Some(130),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    // As after a crash: the next apply finds what the interrupted one started.
    ws.expect(&["apply", "--auto-approve"], 0);
    assert_eq!(cloud_service_count(&ws), 6, "nothing was created twice");
    assert_eq!(ws.state()["resources"].as_array().unwrap().len(), 6);
    ws.expect(&["plan", "--detailed-exitcode"], 0);
}
