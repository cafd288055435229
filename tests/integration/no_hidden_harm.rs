//! No hidden harm (issue 9): every plan that passes applies, and nothing a partner relies on is
//! cut without a line saying so. End to end through the binary on the simulator, with an
//! owner and a partner account sharing one simulated cloud.

use super::harness::{Workspace, run_bounded, service_spec, services_hcl};
use std::time::Duration;

const OWNER: &str = "1111111111111111111111111111aaaa";
const PARTNER: &str = "3333333333333333333333333333cccc";

fn account(cloud: &std::path::Path, domain: &str, extra: &str) -> String {
    format!(
        "provider \"sim\" {{\n  path = \"{}\"\n  domain_id = \"{domain}\"\n{extra}}}\n",
        cloud.display()
    )
}

/// The owner's service, whitelisted for the partner, and its approval of `endpoints`.
fn owner_config(cloud: &std::path::Path, endpoints: &[&str]) -> String {
    let listed: Vec<String> = endpoints.iter().map(|e| format!("\"{e}\"")).collect();
    account(cloud, OWNER, "")
        + &format!(
            "resource \"vpcep_service\" \"orders\" {{\n  server_type = \"LB\"\n  port_id = \"port-orders\"\n  vpc_id = \"vpc-owner\"\n  whitelist = [\"{PARTNER}\"]\n  port {{\n    server_port = 8443\n    client_port = 443\n  }}\n}}\n\
             resource \"vpcep_approval\" \"orders\" {{\n  service_id = vpcep_service.orders.id\n  endpoints = [{}]\n}}\n",
            listed.join(", ")
        )
}

fn partner_config(cloud: &std::path::Path, service_id: &str) -> String {
    account(cloud, PARTNER, "")
        + &format!(
            "resource \"vpcep_endpoint\" \"orders\" {{\n  service_id = \"{service_id}\"\n  vpc_id = \"vpc-partner\"\n  subnet_id = \"subnet-partner\"\n}}\n"
        )
}

/// An owner whose approval accepts a partner's endpoint: (owner, partner, endpoint ID).
fn connected_partner() -> (Workspace, Workspace, tempfile::TempDir, String) {
    let cloud = tempfile::tempdir().unwrap();
    let db = cloud.path().join("cloud.db");
    let owner = Workspace::new();
    owner.write("main.hcl", &owner_config(&db, &[]));
    owner.expect(&["apply", "--auto-approve"], 0);
    let service_id = owner.id_of("vpcep_service.orders");
    let partner = Workspace::new();
    partner.write("main.hcl", &partner_config(&db, &service_id));
    partner.expect(&["apply", "--auto-approve"], 0);
    let endpoint = partner.id_of("vpcep_endpoint.orders");
    owner.write("main.hcl", &owner_config(&db, &[&endpoint]));
    owner.expect(&["apply", "--auto-approve"], 0);
    (owner, partner, cloud, endpoint)
}

/// The owner's account on the simulated cloud at `db`, for changes made behind vpcep's back.
fn owner_account(db: &std::path::Path, create_delay: Duration) -> vpcep::cloud::sim::Sim {
    vpcep::cloud::sim::Sim::open(
        &vpcep::model::SimConfig {
            path: db.to_path_buf(),
            domain_id: OWNER.to_owned(),
            project_id: OWNER.to_owned(),
            create_delay,
            ..vpcep::model::SimConfig::default()
        },
        db.parent().unwrap(),
    )
    .unwrap()
}

fn partner_status(partner: &Workspace) -> String {
    let out = partner.expect(&["state", "show", "vpcep_endpoint.orders"], 0);
    out.stdout
        .lines()
        .find_map(|l| l.trim().strip_prefix("status"))
        .map(|s| {
            s.trim_start_matches([' ', '='])
                .trim_matches('"')
                .to_owned()
        })
        .unwrap_or_default()
}

#[test]
fn destroying_an_approval_that_accepts_a_partner_is_refused_unless_allowed() {
    let (owner, partner, cloud, endpoint) = connected_partner();
    partner.expect(&["refresh"], 0);
    assert_eq!(partner_status(&partner), "accepted");

    let refused = owner.expect(&["destroy", "--auto-approve"], 1);
    for needle in [
        "would cut off endpoint",
        endpoint.as_str(),
        PARTNER,
        "--allow-disconnect vpcep_approval.orders",
        "Disconnections: this plan cuts 1 connection.",
    ] {
        assert!(
            refused.stdout.contains(needle) || refused.stderr.contains(needle),
            "`{needle}` is not named:\n{}\n{}",
            refused.stdout,
            refused.stderr
        );
    }
    partner.expect(&["refresh"], 0);
    assert_eq!(partner_status(&partner), "accepted", "nothing was cut");

    // Removing the approval from the configuration is as implicit as destroying it.
    let db = cloud.path().join("cloud.db");
    let without = owner_config(&db, &[]);
    let without = &without[..without.find("resource \"vpcep_approval\"").unwrap()];
    owner.write("main.hcl", without);
    let out = owner.expect(&["plan"], 1);
    assert!(
        out.stdout
            .contains("the approval is no longer in the configuration"),
        "{}",
        out.stdout
    );

    // Said on purpose, it goes through, and the plan shows the disconnection.
    owner.write("main.hcl", &owner_config(&db, &[&endpoint]));
    let allowed = owner.expect(
        &[
            "destroy",
            "--auto-approve",
            "--allow-disconnect",
            "vpcep_approval.orders",
        ],
        0,
    );
    assert!(
        allowed.stdout.contains(&format!(
            "`vpcep_approval.orders` rejects endpoint {endpoint} of account {PARTNER} (accepted): the approval is destroyed"
        )),
        "{}",
        allowed.stdout
    );
    assert!(
        allowed.stdout.contains("Destroy complete!"),
        "{}",
        allowed.stdout
    );
    // Rejected, the partner's endpoint no longer kept the service; it went with it. Its only
    // recorded object gone looks like a wrong account to the refresh guard, so the partner
    // confirms the loss.
    partner.expect(&["refresh"], 1);
    partner.expect(&["refresh", "--forget-missing"], 0);
    let listed = partner.expect(&["state", "list"], 0);
    assert!(
        !listed.stdout.contains("vpcep_endpoint.orders"),
        "{}",
        listed.stdout
    );
}

#[test]
fn removing_the_endpoint_from_the_approval_is_explicit() {
    let (owner, partner, cloud, endpoint) = connected_partner();
    let db = cloud.path().join("cloud.db");
    owner.write("main.hcl", &owner_config(&db, &[]));
    let out = owner.expect(&["apply", "--auto-approve"], 0);
    assert!(
        out.stdout.contains(&format!(
            "rejects endpoint {endpoint} of account {PARTNER} (accepted): it is removed from the approval's `endpoints`"
        )),
        "{}",
        out.stdout
    );
    partner.expect(&["refresh"], 0);
    assert_eq!(partner_status(&partner), "rejected");
    // With the partner cut off, the service can go.
    owner.expect(&["destroy", "--auto-approve"], 0);
}

#[test]
fn replacing_a_service_replaces_its_endpoint_and_approval_in_one_plan() {
    let ws = Workspace::example("partner-sharing");
    ws.expect(&["apply", "--auto-approve"], 0);
    let old = ws.id_of("vpcep_service.orders");
    let plan = ws.expect(&["plan", "--replace", "vpcep_service.orders"], 0);
    assert!(
        plan.stdout.contains("# vpcep_endpoint.monitoring must be replaced (replaced because its `service_id` refers to `vpcep_service.orders`, which gets a new ID)"),
        "{}",
        plan.stdout
    );
    assert!(
        plan.stdout
            .contains("Plan: 3 to add, 0 to change, 3 to destroy."),
        "{}",
        plan.stdout
    );
    let apply = ws.expect(
        &[
            "apply",
            "--auto-approve",
            "--replace",
            "vpcep_service.orders",
        ],
        0,
    );
    assert!(
        apply
            .stdout
            .contains("Apply complete! Resources: 3 added, 0 changed, 3 destroyed."),
        "{}",
        apply.stdout
    );
    assert_ne!(ws.id_of("vpcep_service.orders"), old);
    ws.expect(&["plan", "--detailed-exitcode"], 0);
    // All three named explicitly: one plan, applied cleanly.
    let all = ws.expect(
        &[
            "apply",
            "--auto-approve",
            "--replace",
            "vpcep_service.orders",
            "--replace",
            "vpcep_endpoint.monitoring",
            "--replace",
            "vpcep_approval.orders",
        ],
        0,
    );
    assert!(all.stdout.contains("Apply complete!"), "{}", all.stdout);
    ws.expect(&["plan", "--detailed-exitcode"], 0);
}

#[test]
fn services_share_a_backend_when_their_server_ports_differ() {
    let ws = Workspace::new();
    let second = services_hcl("b", 1)
        .replace("port-b-0", "port-a-0")
        .replace("server_port = 8080", "server_port = 8443");
    ws.write("main.hcl", &(services_hcl("a", 1) + &second));
    ws.expect(&["validate"], 0);
    ws.expect(&["apply", "--auto-approve"], 0);
    ws.expect(&["plan", "--detailed-exitcode"], 0);
    // Overlapping server ports on one backend: refused at validate and at plan.
    let third = services_hcl("c", 1).replace("port-c-0", "port-a-0");
    ws.write("main.hcl", &(services_hcl("a", 1) + &second + &third));
    let out = ws.expect(&["validate"], 1);
    assert!(
        out.stderr
            .contains("maps TCP server port 8080 on the backend port-a-0"),
        "{}",
        out.stderr
    );
    let other = Workspace::new();
    other.write(
        "main.hcl",
        &format!(
            "provider \"sim\" {{\n  path = \"{}\"\n}}\n{third}",
            ws.path().join(".vpcep/cloud.db").display()
        ),
    );
    let out = other.expect(&["plan"], 1);
    assert!(
        out.stdout.contains(
            "maps TCP server port 8080 on the backend port-a-0, which the endpoint service"
        ),
        "{}",
        out.stdout
    );
}

#[test]
fn the_hint_after_plan_out_with_chdir_applies_in_that_directory() {
    let top = tempfile::tempdir().unwrap();
    let dir = top.path().join("infra");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("main.hcl"), services_hcl("s", 2)).unwrap();
    let out = super::harness::vpcep(top.path(), &["-C", "infra", "plan", "--out", "p.plan"], &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        dir.join("p.plan").exists(),
        "--out is inside the -C directory"
    );
    let hint = out
        .stderr
        .lines()
        .find_map(|l| l.split("To apply exactly this plan: ").nth(1))
        .expect("a hint")
        .to_owned();
    assert_eq!(hint, "vpcep -C infra apply p.plan");
    let args: Vec<&str> = hint.split_whitespace().skip(1).collect();
    let applied = super::harness::vpcep(top.path(), &args, &[]);
    assert_eq!(applied.code, 0, "{}", applied.stderr);
    assert!(dir.join("vpcep.state.json").exists());
    assert!(
        !top.path().join("vpcep.state.json").exists(),
        "no state outside infra"
    );

    // Applied from the wrong directory, the plan is refused, naming both.
    std::fs::write(dir.join("main.hcl"), services_hcl("s", 3)).unwrap();
    let out = super::harness::vpcep(top.path(), &["-C", "infra", "plan", "--out", "q.plan"], &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let elsewhere = super::harness::vpcep(top.path(), &["apply", "infra/q.plan"], &[]);
    assert_eq!(elsewhere.code, 1, "{}", elsewhere.stderr);
    assert!(
        elsewhere
            .stderr
            .contains("was made for the configuration in"),
        "{}",
        elsewhere.stderr
    );
    assert!(!top.path().join("vpcep.state.json").exists());
}

#[test]
fn show_into_a_closed_pipe_ends_quietly() {
    let ws = Workspace::new();
    ws.write(
        "main.hcl",
        &("provider \"sim\" {\n  quota_services = 400\n}\n".to_owned() + &services_hcl("s", 300)),
    );
    let mut cmd = std::process::Command::new("bash");
    cmd.current_dir(ws.path()).args([
        "-c",
        &format!(
            "'{}' plan | head -1; exit ${{PIPESTATUS[0]}}",
            env!("CARGO_BIN_EXE_vpcep")
        ),
    ]);
    let out = run_bounded(cmd, Duration::from_secs(120));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
    assert_eq!(out.stdout.lines().count(), 1);
}

#[test]
fn commands_that_only_read_state_need_no_variable_values() {
    let ws = Workspace::new();
    ws.write(
        "main.hcl",
        &format!(
            "variable \"port\" {{\n  type = string\n}}\n{}",
            services_hcl("s", 1).replace("\"port-s-0\"", "var.port")
        ),
    );
    ws.expect(&["apply", "--auto-approve", "--var", "port=p-1"], 0);
    for args in [
        &["show"][..],
        &["state", "list"],
        &["state", "show", "vpcep_service.s0"],
        &["output"],
        &["state", "pull"],
    ] {
        ws.expect(args, 0);
    }
    let out = ws.expect(&["plan"], 1);
    assert!(
        out.stderr.contains("no value for variable `port`"),
        "{}",
        out.stderr
    );
    // A backend that reads a variable still needs it.
    ws.write(
        "backend.hcl",
        "variable \"state\" {\n  type = string\n}\nbackend \"local\" {\n  path = var.state\n}\n",
    );
    let out = ws.expect(&["show"], 1);
    assert!(
        out.stderr.contains("no value for variable `state`"),
        "{}",
        out.stderr
    );
}

#[test]
fn after_apply_the_state_holds_the_statuses_the_cloud_reports() {
    let ws = Workspace::example("partner-sharing");
    ws.expect(&["apply", "--auto-approve"], 0);
    let state = ws.state();
    let endpoint = state["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["address"] == "vpcep_endpoint.monitoring")
        .unwrap()
        .clone();
    assert_eq!(endpoint["attributes"]["status"], "accepted", "{endpoint}");
}

#[test]
fn deleting_endpoints_waits_until_they_are_gone() {
    let ws = Workspace::example("partner-sharing");
    let text = ws.read("main.hcl").replace(
        "  path      = \".vpcep/cloud.db\"\n",
        "  path      = \".vpcep/cloud.db\"\n  delete_delay = \"300ms\"\n",
    );
    ws.write("main.hcl", &text);
    ws.expect(&["apply", "--auto-approve"], 0);
    let out = ws.expect(&["destroy", "--auto-approve"], 0);
    assert!(
        out.stdout
            .contains("Destroy complete! Resources: 3 destroyed."),
        "{}",
        out.stdout
    );
}

#[test]
fn removing_a_connected_account_from_the_whitelist_warns() {
    let (owner, _partner, cloud, endpoint) = connected_partner();
    let db = cloud.path().join("cloud.db");
    owner.write(
        "main.hcl",
        &owner_config(&db, &[&endpoint])
            .replace(&format!("whitelist = [\"{PARTNER}\"]"), "whitelist = []"),
    );
    let out = owner.expect(&["plan"], 0);
    assert!(
        out.stdout.contains(&format!(
            "removing account {PARTNER} from the whitelist of `vpcep_service.orders` does not disconnect its endpoint {endpoint} (accepted)"
        )),
        "{}",
        out.stdout
    );
}

#[test]
fn replacing_a_service_whose_approval_lists_a_partner_endpoint_is_refused() {
    // The partner's endpoint stays with the service it was created for: after the replace,
    // accepting it on the new service would fail (`EndPoint.2006`) half-way through apply.
    let (owner, partner, _cloud, endpoint) = connected_partner();
    let out = owner.expect(
        &[
            "plan",
            "--replace",
            "vpcep_service.orders",
            "--allow-disconnect",
            "vpcep_approval.orders",
        ],
        1,
    );
    assert!(
        out.stdout.contains(&format!(
            "lists the endpoint {endpoint}, which exists and belongs to another service"
        )),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("remove its ID from the approval"),
        "{}",
        out.stdout
    );
    partner.expect(&["refresh"], 0);
    assert_eq!(partner_status(&partner), "accepted", "nothing was cut");
}

#[test]
fn a_new_approval_is_checked_against_the_connections_the_cloud_lists() {
    // The service had no approval resource before, so refresh did not list its connections;
    // the plan looks them up and refuses an endpoint ID that is not connected.
    let cloud = tempfile::tempdir().unwrap();
    let db = cloud.path().join("cloud.db");
    let owner = Workspace::new();
    let config = owner_config(&db, &[]);
    let without = &config[..config.find("resource \"vpcep_approval\"").unwrap()];
    owner.write("main.hcl", without);
    owner.expect(&["apply", "--auto-approve"], 0);
    let service_id = owner.id_of("vpcep_service.orders");
    let partner = Workspace::new();
    partner.write("main.hcl", &partner_config(&db, &service_id));
    partner.expect(&["apply", "--auto-approve"], 0);
    let endpoint = partner.id_of("vpcep_endpoint.orders");

    let typo = "0000aaaa-0000-0000-0000-000000000000";
    owner.write("main.hcl", &owner_config(&db, &[typo]));
    for refresh in ["--refresh=true", "--refresh=false"] {
        let out = owner.expect(&["plan", refresh], 1);
        assert!(
            out.stdout.contains(&format!(
                "lists the endpoint {typo}, which is not connected to the service {service_id}"
            )),
            "{refresh}: {}",
            out.stdout
        );
    }
    // The right ID passes and applies.
    owner.write("main.hcl", &owner_config(&db, &[&endpoint]));
    owner.expect(&["apply", "--auto-approve"], 0);
    partner.expect(&["refresh"], 0);
    assert_eq!(partner_status(&partner), "accepted");
}

#[test]
fn an_endpoint_to_a_service_still_creating_is_refused_at_plan() {
    // The cloud connects endpoints only to `available` services (`EndPoint.2004`).
    let ws = Workspace::new();
    let db = ws.path().join("cloud.db");
    let slow = owner_account(&db, Duration::from_secs(3600));
    let service =
        vpcep::cloud::Cloud::create_service(&slow, &service_spec("port-slow", "vpc-owner", 443))
            .unwrap();
    assert_eq!(service.status, "creating");
    ws.write(
        "main.hcl",
        &(account(&db, OWNER, "")
            + &format!(
                "resource \"vpcep_endpoint\" \"early\" {{\n  service_id = \"{}\"\n  vpc_id = \"vpc-owner\"\n  subnet_id = \"subnet-owner\"\n}}\n",
                service.id
            )),
    );
    let out = ws.expect(&["plan"], 1);
    assert!(
        out.stdout.contains(&format!(
            "`vpcep_endpoint.early` connects to the endpoint service {}, which is `creating`",
            service.id
        )),
        "{}",
        out.stdout
    );
}

#[test]
fn removing_an_approval_of_a_service_whose_approval_was_turned_off_only_forgets_it() {
    // Approval turned off by hand (in the console): the cloud rejects nothing now, so removing
    // the approval cuts no one and is not a disconnection; apply must not try to reject.
    let (owner, partner, cloud, _endpoint) = connected_partner();
    let db = cloud.path().join("cloud.db");
    let sim = owner_account(&db, Duration::ZERO);
    vpcep::cloud::Cloud::update_service(
        &sim,
        &owner.id_of("vpcep_service.orders"),
        &vpcep::cloud::ServiceUpdate {
            approval_enabled: Some(false),
            ..vpcep::cloud::ServiceUpdate::default()
        },
    )
    .unwrap();
    let config = owner_config(&db, &[]);
    owner.write(
        "main.hcl",
        &config[..config.find("resource \"vpcep_approval\"").unwrap()],
    );
    let out = owner.expect(&["apply", "--auto-approve"], 0);
    assert!(!out.stdout.contains("Disconnections"), "{}", out.stdout);
    assert!(
        out.stdout
            .contains("Apply complete! Resources: 0 added, 1 changed, 1 destroyed."),
        "{}",
        out.stdout
    );
    owner.expect(&["plan", "--detailed-exitcode"], 0);
    partner.expect(&["refresh"], 0);
    assert_eq!(partner_status(&partner), "accepted");
}

/// `for_each` over `for_each`: endpoints and approvals that name one instance of a service
/// resource (`vpcep_service.api[each.key].id`) wait for every instance of it. They once
/// waited for the instance listed last only, so with several steps at a time an endpoint
/// could start while the service it names was still being created, and a plan that passed
/// failed at apply with "`service_id` is still unknown" (about half the runs).
#[test]
fn instances_that_name_another_resources_instance_wait_for_it_at_any_parallelism() {
    let ws = Workspace::new();
    let keys = ["a", "b", "c", "d", "e", "f"];
    let services: Vec<String> = keys
        .iter()
        .enumerate()
        .map(|(i, k)| format!("    {k} = {}", 8000 + i))
        .collect();
    ws.write(
        "main.hcl",
        &format!(
            "variable \"services\" {{\n  type = map(number)\n  default = {{\n{}\n  }}\n}}\n\
             resource \"vpcep_service\" \"api\" {{\n  for_each = var.services\n  name = each.key\n  server_type = \"LB\"\n  port_id = \"port-api\"\n  vpc_id = \"vpc-1\"\n  approval_enabled = true\n  port {{\n    server_port = each.value\n    client_port = 80\n  }}\n}}\n\
             resource \"vpcep_endpoint\" \"to\" {{\n  for_each = var.services\n  service_id = vpcep_service.api[each.key].id\n  vpc_id = \"vpc-2\"\n  subnet_id = \"subnet-2\"\n}}\n\
             resource \"vpcep_approval\" \"api\" {{\n  for_each = var.services\n  service_id = vpcep_service.api[each.key].id\n  endpoints = [vpcep_endpoint.to[each.key].id]\n}}\n",
            services.join("\n")
        ),
    );
    for round in 0..6 {
        let out = ws.run(&["apply", "--auto-approve", "--parallelism", "12"]);
        assert_eq!(out.code, 0, "round {round}: {}", out.transcript());
        assert!(
            out.stdout.contains("18 added"),
            "round {round}: {}",
            out.stdout
        );
        ws.expect(&["plan", "--detailed-exitcode"], 0);
        ws.expect(&["destroy", "--auto-approve", "--parallelism", "12"], 0);
    }
}
