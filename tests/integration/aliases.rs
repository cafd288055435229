//! Provider aliases: one configuration spanning two accounts — the owner's service, the
//! partner's endpoint found through a data source, the owner's approval — planned and applied
//! in one run, on the simulator and over the API (two project IDs); quotas per account; a
//! provider removed while its resources are recorded.

use super::harness::{EmulatorProcess, Workspace, vpcep};
use std::fmt::Write as _;
use vpcep::cloud::Cloud as _;

const OWNER: &str = "0d0e0f00000000000000000000000001";
const PARTNER: &str = "5f1c0d2e3b4a49687766554433221100";

/// Where in `text` each of `lines` starts, in order; fails naming the first one missing.
fn positions(text: &str, lines: &[&str]) -> Vec<usize> {
    lines
        .iter()
        .map(|l| {
            text.find(l)
                .unwrap_or_else(|| panic!("no `{l}` in:\n{text}"))
        })
        .collect()
}

fn cross_account_flow(ws: &Workspace, env: &[(&str, &str)], partner_provider: &str) {
    let run = |args: &[&str], code: i32| {
        let out = vpcep(ws.path(), args, env);
        assert_eq!(out.code, code, "vpcep {args:?}:\n{}", out.transcript());
        out
    };
    let plan = run(&["plan"], 0);
    assert!(
        plan.stdout.contains(&format!(
            "# vpcep_endpoint.orders will be created [provider {partner_provider}]"
        )),
        "{}",
        plan.stdout
    );
    assert!(
        plan.stdout
            .contains("# data.vpcep_service_summary.orders will be read during apply"),
        "{}",
        plan.stdout
    );
    assert!(
        plan.stdout
            .contains("Plan: 3 to add, 0 to change, 0 to destroy.")
    );
    let json = run(&["plan", "--format", "json"], 0);
    let doc: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let endpoint = super::harness::resource_change(&doc, "vpcep_endpoint.orders");
    assert_eq!(endpoint["provider_config_key"], partner_provider);

    // One run, in order across the accounts: service, endpoint, approval.
    let applied = run(&["apply", "--auto-approve"], 0);
    let at = positions(
        &applied.stdout,
        &[
            "vpcep_service.orders: Creation complete",
            "vpcep_endpoint.orders: Creation complete",
            "vpcep_approval.orders: Creation complete",
        ],
    );
    assert!(at[0] < at[1] && at[1] < at[2], "{}", applied.stdout);
    assert!(
        applied.stdout.contains("partner_dns_name = \"vpcep-"),
        "{}",
        applied.stdout
    );
    run(&["plan", "--detailed-exitcode"], 0);
    // Every command that reads the cloud reads each provider's account: refresh finds every
    // resource where it is, init reaches both.
    let refreshed = run(&["refresh"], 0);
    assert!(
        !refreshed.stdout.contains("deleted outside vpcep"),
        "{}",
        refreshed.stdout
    );
    let init = run(&["init"], 0);
    assert!(
        init.stdout.contains(&format!("  {partner_provider}: ")),
        "{}",
        init.stdout
    );
    run(&["plan", "--detailed-exitcode"], 0);
    let show = run(&["show"], 0);
    assert!(
        show.stdout
            .contains(&format!("(account {PARTNER}, marker ID")),
        "the owner sees the partner's connection: {}",
        show.stdout
    );
    assert!(show.stdout.contains("): accepted"), "{}", show.stdout);
    let state = ws.state();
    let recorded: Vec<(String, serde_json::Value)> = state["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["address"].as_str().unwrap().to_owned(),
                r["provider"].clone(),
            )
        })
        .collect();
    assert!(
        recorded.contains(&(
            "vpcep_endpoint.orders".to_owned(),
            serde_json::Value::from(partner_provider)
        )),
        "{recorded:?}"
    );
    assert!(
        recorded.contains(&("vpcep_service.orders".to_owned(), serde_json::Value::Null)),
        "the default provider is not written: {recorded:?}"
    );

    // Destroy: every account's resources in reverse — the partner's endpoint first (deleting
    // it is the configuration's intent, not a disconnection: nothing is cut off), then the
    // approval, then the service.
    let destroyed = run(&["destroy", "--auto-approve"], 0);
    assert!(
        !destroyed.stdout.contains("Disconnections"),
        "{}",
        destroyed.stdout
    );
    let at = positions(
        &destroyed.stdout,
        &[
            "vpcep_endpoint.orders: Destruction complete",
            "vpcep_approval.orders: Destruction complete",
            "vpcep_service.orders: Destruction complete",
        ],
    );
    assert!(at[0] < at[1] && at[1] < at[2], "{}", destroyed.stdout);
    assert!(
        destroyed
            .stdout
            .contains("Destroy complete! Resources: 3 destroyed.")
    );
}

#[test]
fn the_cross_account_example_applies_in_one_run_on_the_simulator() {
    let ws = Workspace::example("cross-account");
    cross_account_flow(&ws, &[], "sim.partner");
}

#[test]
fn two_otc_providers_with_two_projects_work_the_same_over_the_api() {
    let emulator = EmulatorProcess::start(&["--token", "alias-token"]);
    let ws = Workspace::example("cross-account");
    let config = ws.read("main.hcl");
    let start = config.find("provider \"sim\" {").unwrap();
    let end = config.find("resource \"vpcep_service\"").unwrap();
    let providers = format!(
        "provider \"otc\" {{\n  project_id = \"{OWNER}\"\n  endpoint   = \"http://127.0.0.1:{port}\"\n}}\n\nvariable \"partner_token\" {{\n  sensitive = true\n}}\n\nprovider \"otc\" {{\n  alias      = \"partner\"\n  project_id = \"{PARTNER}\"\n  endpoint   = \"http://127.0.0.1:{port}\"\n  token      = var.partner_token\n}}\n\n",
        port = emulator.port
    );
    let config = format!("{}{providers}{}", &config[..start], &config[end..])
        .replace("provider     = sim.partner", "provider     = otc.partner")
        .replace("provider   = sim.partner", "provider   = otc.partner");
    ws.write("main.hcl", &config);
    // Each provider signs in on its own: the default one from the environment, the alias
    // from what its block says (an alias never reads the environment).
    cross_account_flow(
        &ws,
        &[
            ("OS_AUTH_TOKEN", "alias-token"),
            ("VPCEP_VAR_partner_token", "alias-token"),
        ],
        "otc.partner",
    );
    assert_eq!(emulator.services(OWNER), 0);
    assert_eq!(emulator.endpoints(PARTNER), 0);
}

#[test]
fn quotas_hold_per_account_and_the_refusal_names_it() {
    let ws = Workspace::example("cross-account");
    // The partner's account has no room for an endpoint; the owner's has.
    ws.edit(
        "main.hcl",
        "  alias     = \"partner\"\n",
        "  alias     = \"partner\"\n  quota_endpoints = 0\n",
    );
    let out = ws.expect(&["plan"], 1);
    assert!(
        out.stdout.contains(&format!(
            "this plan needs 1 endpoints in the account {PARTNER} (sim.partner), but its quota is 0"
        )),
        "{}",
        out.stdout
    );
    assert!(
        !out.stdout.contains("endpoint services in the account"),
        "the owner's quota is not the partner's: {}",
        out.stdout
    );
}

#[test]
fn a_provider_removed_while_its_resources_are_recorded_is_refused_naming_them() {
    let ws = Workspace::example("cross-account");
    ws.expect(&["apply", "--auto-approve"], 0);
    let config = ws.read("main.hcl");
    let start = config.find("provider \"sim\" {\n  alias").unwrap();
    let end = start + config[start..].find("}\n").unwrap() + 2;
    let without = format!("{}{}", &config[..start], &config[end..]);
    let cut = without.find("# The partner's lookup").unwrap();
    ws.write("main.hcl", &without[..cut]);
    let state = ws.read("vpcep.state.json");
    let out = ws.expect(&["plan"], 1);
    assert!(
        out.stderr.contains(
            "the state records resources of providers this configuration no longer declares: `vpcep_endpoint.orders` (provider `sim.partner`)"
        ),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("vpcep state rm"), "{}", out.stderr);
    assert_eq!(ws.read("vpcep.state.json"), state, "nothing was done");
}

/// Killed at every stage of a two-account apply (partner endpoints created slowly), the next
/// apply finds what each account's creates left — each in its own account — and neither
/// account ends with a duplicate or an untracked object.
#[test]
fn a_killed_two_account_apply_leaves_no_duplicate_in_either_account() {
    let n = 6;
    let mut endpoints = String::new();
    for i in 0..n {
        let _ = writeln!(
            endpoints,
            "resource \"vpcep_endpoint\" \"e{i}\" {{\n  provider   = sim.partner\n  service_id = vpcep_service.orders.id\n  vpc_id     = \"vpc-partner\"\n  subnet_id  = \"subnet-{i}\"\n}}"
        );
    }
    for stage in [2usize, 5, 9] {
        let ws = Workspace::new();
        let config = format!(
            "provider \"sim\" {{\n  domain_id = \"{OWNER}\"\n}}\nprovider \"sim\" {{\n  alias        = \"partner\"\n  domain_id    = \"{PARTNER}\"\n  create_delay = \"150ms\"\n}}\n\
             resource \"vpcep_service\" \"orders\" {{\n  server_type = \"LB\"\n  port_id = \"port-orders\"\n  vpc_id = \"vpc-owner\"\n  approval_enabled = false\n  whitelist = [\"{PARTNER}\"]\n  port {{\n    server_port = 8443\n    client_port = 443\n  }}\n}}\n{endpoints}"
        );
        ws.write("main.hcl", &config);
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_vpcep"))
            .current_dir(ws.path())
            .args(["apply", "--auto-approve", "--parallelism", "3"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let started = std::time::Instant::now();
        while ws.read("vpcep.state.json.journal").lines().count() < stage
            && started.elapsed() < std::time::Duration::from_secs(20)
        {
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        child.kill().unwrap();
        child.wait().unwrap();
        let out = ws.run(&["apply", "--auto-approve"]);
        assert_eq!(out.code, 0, "stage {stage}: {}", out.transcript());
        ws.expect(&["plan", "--detailed-exitcode"], 0);
        let account = |domain: &str| {
            let config = vpcep::model::SimConfig {
                domain_id: domain.to_owned(),
                ..vpcep::model::SimConfig::default()
            };
            vpcep::cloud::sim::Sim::open(&config, ws.path()).unwrap()
        };
        assert_eq!(
            account(OWNER).list_services().unwrap().len(),
            1,
            "stage {stage}"
        );
        assert_eq!(
            account(OWNER).list_endpoints().unwrap().len(),
            0,
            "stage {stage}"
        );
        assert_eq!(
            account(PARTNER).list_endpoints().unwrap().len(),
            n,
            "stage {stage}"
        );
        let recorded = ws.state()["resources"].as_array().unwrap().len();
        assert_eq!(
            recorded,
            n + 1,
            "stage {stage}: every object is recorded once"
        );
    }
}
