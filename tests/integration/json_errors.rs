//! `apply --json` speaks JSON to the end: every error that stops it is a `diagnostic` event on
//! standard output (configuration problems with where they are), and nothing is written to
//! standard error.

use super::harness::{Output, Workspace, vpcep};
use std::time::Duration;

/// Every line of standard output, parsed; fails on a line that is not JSON.
fn events(out: &Output) -> Vec<serde_json::Value> {
    out.stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

/// The stream ends with an error `diagnostic` whose summary holds `needle`; stderr is empty.
fn ends_with_error(out: &Output, needle: &str) -> Vec<serde_json::Value> {
    assert_eq!(out.code, 1, "{}", out.transcript());
    assert!(out.stderr.is_empty(), "stderr: {}", out.stderr);
    let events = events(out);
    let last = events.last().unwrap_or_else(|| panic!("no events"));
    assert_eq!(last["type"], "diagnostic", "{last}");
    assert_eq!(last["severity"], "error", "{last}");
    assert_eq!(last["@level"], "error", "{last}");
    assert!(last["@timestamp"].is_string(), "{last}");
    let summary = last["summary"].as_str().unwrap();
    assert!(summary.contains(needle), "{summary}");
    assert_eq!(last["@message"], last["summary"]);
    events
}

#[test]
fn a_held_lock_is_a_diagnostic_event() {
    let ws = Workspace::example("single-service");
    let _held = vpcep::state::local::LocalState::open(
        &ws.path().join("vpcep.state.json"),
        Some(("test", Duration::ZERO)),
    )
    .unwrap();
    let out = ws.run(&["apply", "--auto-approve", "--json"]);
    let events = ends_with_error(&out, "is locked: lock");
    assert_eq!(events.last().unwrap()["code"], "state_locked");
}

#[test]
fn an_invalid_configuration_is_diagnostic_events_with_ranges() {
    let ws = Workspace::example("single-service");
    ws.edit("main.hcl", "server_port", "server_prot");
    let out = ws.run(&["apply", "--auto-approve", "--json"]);
    let events = ends_with_error(&out, "the configuration has");
    assert_eq!(events.last().unwrap()["code"], "configuration_invalid");
    let problems: Vec<&serde_json::Value> = events
        .iter()
        .filter(|e| e["type"] == "diagnostic" && e["range"].is_object())
        .collect();
    assert!(!problems.is_empty(), "{}", out.stdout);
    for p in problems {
        assert_eq!(p["range"]["filename"], "main.hcl", "{p}");
        assert!(p["range"]["start"]["line"].as_u64().unwrap() > 0, "{p}");
        assert!(p["range"]["start"]["column"].as_u64().unwrap() > 0, "{p}");
    }
    // Without --json the same problems are text on standard error.
    let text = ws.run(&["apply", "--auto-approve"]);
    assert!(text.stdout.is_empty(), "{}", text.stdout);
    assert!(text.stderr.contains("--> main.hcl:"), "{}", text.stderr);
    assert!(
        text.stderr.contains("error: the configuration has"),
        "{}",
        text.stderr
    );
}

#[test]
fn a_stale_saved_plan_is_a_diagnostic_event() {
    let ws = Workspace::example("single-service");
    ws.expect(&["plan", "--out", "p.vpcep"], 0);
    ws.expect(&["apply", "--auto-approve"], 0);
    let out = ws.run(&["apply", "--json", "p.vpcep"]);
    let events = ends_with_error(&out, "is stale");
    assert_eq!(events.last().unwrap()["code"], "plan_stale");
}

/// A saved plan edited after `vpcep plan` wrote it (its configuration, or one of its actions)
/// stops as `plan_stale` too: make the plan again.
#[test]
fn an_edited_saved_plan_stops_as_plan_stale() {
    let ws = Workspace::example("single-service");
    ws.expect(&["plan", "--out", "p.vpcep"], 0);
    let original = ws.read("p.vpcep");
    for (from, to) in [("billing-api", "billing-apx"), ("\"create\"", "\"update\"")] {
        assert!(original.contains(from), "{from}");
        ws.write("p.vpcep", &original.replacen(from, to, 1));
        let out = ws.run(&["apply", "--json", "p.vpcep"]);
        let events = ends_with_error(&out, "cannot be applied");
        assert_eq!(events.last().unwrap()["code"], "plan_stale", "{from}");
    }
}

#[test]
fn a_cloud_error_is_a_diagnostic_event() {
    let ws = Workspace::new();
    // Nothing listens on port 9 of this machine: the refresh cannot reach the cloud.
    ws.write(
        "main.hcl",
        "provider \"otc\" {\n  project_id = \"0b2c6f3e8a1d4c7e9f10a2b3c4d5e6f7\"\n  endpoint   = \"http://127.0.0.1:9\"\n}\n",
    );
    let out = vpcep(
        ws.path(),
        &["apply", "--auto-approve", "--json"],
        &[("OS_AUTH_TOKEN", "token")],
    );
    let events = ends_with_error(&out, "127.0.0.1:9");
    assert_eq!(events.last().unwrap()["code"], "cloud_unreachable");
}

/// A cloud that refuses the identity, and one whose gateway keeps throttling past
/// `--throttle-timeout`, each stop with a code of their own.
#[test]
fn denied_and_throttled_clouds_have_codes_of_their_own() {
    let emulator = super::harness::EmulatorProcess::start(&[
        "--token",
        "right-token",
        "--rate-limit",
        "1/s,1",
    ]);
    let ws = Workspace::new();
    ws.write(
        "main.hcl",
        &format!(
            "{}{}",
            emulator.provider("0b2c6f3e8a1d4c7e9f10a2b3c4d5e6f7"),
            super::harness::services_hcl("s", 3)
        ),
    );
    let denied = vpcep(
        ws.path(),
        &["apply", "--auto-approve", "--json"],
        &[("OS_AUTH_TOKEN", "wrong-token")],
    );
    let events = ends_with_error(&denied, "");
    assert_eq!(
        events.last().unwrap()["code"],
        "cloud_denied",
        "{}",
        denied.stdout
    );
    // The API's own code of the refusal, for tools that branch on it.
    assert!(
        events.last().unwrap()["api_code"]
            .as_str()
            .is_some_and(|c| c.starts_with("EndPoint.") || c.starts_with("APIGW.")),
        "{}",
        denied.stdout
    );
    let throttled = vpcep(
        ws.path(),
        &[
            "--max-rps",
            "50",
            "--throttle-timeout",
            "0s",
            "apply",
            "--auto-approve",
            "--json",
        ],
        &[("OS_AUTH_TOKEN", "right-token")],
    );
    let events = ends_with_error(&throttled, "");
    assert_eq!(
        events.last().unwrap()["code"],
        "cloud_throttled",
        "{}",
        throttled.stdout
    );
}

/// A warning does not stop the apply; under `--json` it is a `diagnostic` event of severity
/// `warning` with where it is, and standard error stays empty.
#[test]
fn a_warning_is_a_diagnostic_event_and_the_apply_goes_on() {
    let ws = Workspace::example("single-service");
    ws.edit("main.hcl", "server_type = \"LB\"", "server_type = \"VIP\"");
    let out = ws.run(&["apply", "--auto-approve", "--json"]);
    assert_eq!(out.code, 0, "{}", out.transcript());
    assert!(out.stderr.is_empty(), "stderr: {}", out.stderr);
    let events = events(&out);
    let warning = events
        .iter()
        .find(|e| e["type"] == "diagnostic")
        .unwrap_or_else(|| panic!("no diagnostic event: {}", out.stdout));
    assert_eq!(warning["severity"], "warning", "{warning}");
    assert_eq!(warning["@level"], "warn", "{warning}");
    assert!(
        warning["summary"].as_str().unwrap().contains("deprecated"),
        "{warning}"
    );
    assert_eq!(warning["range"]["filename"], "main.hcl", "{warning}");
    assert_eq!(events.last().unwrap()["type"], "change_summary");
}

/// A stop that is the user's to fix (here a plan file that does not exist) has the `usage`
/// code: every stop under `--json` carries one.
#[test]
fn a_usage_error_has_the_usage_code() {
    let ws = Workspace::example("single-service");
    let out = ws.run(&["apply", "--json", "missing.plan"]);
    let events = ends_with_error(&out, "missing.plan");
    assert_eq!(events.last().unwrap()["code"], "usage");
}
