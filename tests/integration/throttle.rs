//! Throttle-proof (issue 33): through `vpcep emulator --rate-limit`, which throttles as OTC's
//! API gateway does (429, `APIGW.0308`, no `Retry-After`), an apply and the plan after it
//! finish with the right resources and no duplicates, and say what the throttling cost; a
//! gateway that throttles for longer than `--throttle-timeout` stops the run cleanly, with
//! every completed step recorded and nothing untracked.

use super::harness::{EmulatorProcess, Workspace, services_hcl, vpcep};

const PROJECT: &str = "0b2c6f3e8a1d4c7e9f10a2b3c4d5e6f7";
const TOKEN: &str = "tok-throttle-33";

fn env() -> [(&'static str, &'static str); 1] {
    [("OS_AUTH_TOKEN", TOKEN)]
}

/// The recorded cloud IDs of the state in `ws`.
fn recorded(ws: &Workspace) -> Vec<String> {
    let text = ws.read("vpcep.state.json");
    if text.is_empty() {
        return Vec::new();
    }
    let state: serde_json::Value = serde_json::from_str(&text).unwrap();
    let mut ids: Vec<String> = state["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    ids
}

/// The services of the project in the emulator's store.
fn existing(emulator: &EmulatorProcess) -> Vec<String> {
    let db = rusqlite::Connection::open(emulator.data.path().join("emulator.db")).unwrap();
    let mut ids: Vec<String> = db
        .prepare("SELECT id FROM services WHERE project_id = ?1 AND gone_ms IS NULL")
        .unwrap()
        .query_map([PROJECT], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    ids.sort();
    ids
}

#[test]
fn a_throttled_apply_and_plan_finish_with_the_right_resources() {
    let emulator = EmulatorProcess::start(&[
        "--token",
        TOKEN,
        "--rate-limit",
        "15/s,5",
        "--quota-services",
        "100",
    ]);
    let ws = Workspace::new();
    ws.write(
        "main.hcl",
        &(emulator.provider(PROJECT) + &services_hcl("s", 30)),
    );
    let out = vpcep(ws.path(), &["apply", "--auto-approve"], &env());
    assert_eq!(out.code, 0, "{}", out.transcript());
    assert!(
        out.stdout.contains("Apply complete! Resources: 30 added"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("throttled by the gateway and sent again"),
        "{}",
        out.stdout
    );
    // Said while it happens (a line, away from a terminal), not only in the summary.
    assert!(
        out.stdout
            .contains("Throttled by the API gateway: waiting for its rate limit (now "),
        "{}",
        out.stdout
    );
    let ids = recorded(&ws);
    assert_eq!(ids.len(), 30);
    assert_eq!(existing(&emulator), ids, "one cloud object, one address");
    let json = vpcep(ws.path(), &["plan", "--detailed-exitcode"], &env());
    assert_eq!(json.code, 0, "{}", json.transcript());
    // The events say it too.
    ws.write(
        "main.hcl",
        &(emulator.provider(PROJECT) + &services_hcl("s", 35)),
    );
    let out = vpcep(ws.path(), &["apply", "--auto-approve", "--json"], &env());
    assert_eq!(out.code, 0, "{}", out.transcript());
    let traffic: serde_json::Value = out
        .stdout
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .find(|e| e["type"] == "api_traffic")
        .unwrap_or_else(|| panic!("no api_traffic event: {}", out.stdout));
    assert!(traffic["requests"].as_u64().unwrap() > 5, "{traffic}");
    assert_eq!(existing(&emulator).len(), 35);
}

/// `--max-rps` keeps a run below the gateway's limit: nothing is throttled at all.
#[test]
fn max_rps_below_the_limit_is_never_throttled() {
    let emulator = EmulatorProcess::start(&["--token", TOKEN, "--rate-limit", "20/s,5"]);
    let ws = Workspace::new();
    ws.write(
        "main.hcl",
        &(emulator.provider(PROJECT) + &services_hcl("s", 10)),
    );
    let out = vpcep(
        ws.path(),
        &["--max-rps", "4", "apply", "--auto-approve"],
        &env(),
    );
    assert_eq!(out.code, 0, "{}", out.transcript());
    assert!(
        out.stdout.contains(", 0 throttled by the gateway"),
        "{}",
        out.stdout
    );
    // The provider block's `max_rps` does the same.
    ws.write(
        "main.hcl",
        &(emulator
            .provider(PROJECT)
            .replace("  endpoint", "  max_rps    = 4\n  endpoint")
            + &services_hcl("s", 12)),
    );
    let out = vpcep(ws.path(), &["apply", "--auto-approve"], &env());
    assert_eq!(out.code, 0, "{}", out.transcript());
    assert!(
        out.stdout.contains(", 0 throttled by the gateway"),
        "{}",
        out.stdout
    );
}

/// A gateway that throttles longer than `--throttle-timeout`: the run stops cleanly — the
/// steps that completed are recorded, the others failed with the timeout named, nothing is
/// untracked or duplicated — and a later run finishes the work.
#[test]
fn throttling_past_the_timeout_stops_the_run_cleanly() {
    // One request every 20 s after a burst of 8: most of the apply is throttled.
    let emulator = EmulatorProcess::start(&["--token", TOKEN, "--rate-limit", "0.05/s,8"]);
    let ws = Workspace::new();
    ws.write(
        "main.hcl",
        &(emulator.provider(PROJECT) + &services_hcl("s", 6)),
    );
    let out = super::harness::run_bounded(
        super::harness::command(
            ws.path(),
            &["--throttle-timeout", "1s", "apply", "--auto-approve"],
            &env(),
        ),
        std::time::Duration::from_secs(120),
    );
    assert_eq!(out.code, 1, "{}", out.transcript());
    assert!(
        out.stderr.contains("throttle timeout (1s)")
            || out.stdout.contains("throttle timeout (1s)"),
        "{}",
        out.transcript()
    );
    let ids = recorded(&ws);
    let made = existing(&emulator);
    assert_eq!(made, ids, "every object made is recorded, and only those");
    assert!(made.len() < 6, "{}", out.transcript());
}
