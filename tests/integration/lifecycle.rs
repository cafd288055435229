//! Plan and apply on the simulated cloud, end to end through the binary, where a test needs
//! more than a transcript shows (several accounts, the cloud changed behind vpcep's back);
//! the sessions whose whole output is the point are transcripts (`transcripts.rs`).

use super::harness::{Workspace, services_hcl};

#[test]
fn in_place_updates_apply_and_converge() {
    let ws = Workspace::example("partner-sharing");
    ws.expect(&["apply", "--auto-approve"], 0);
    let id = ws.id_of("vpcep_service.orders");
    ws.edit(
        "main.hcl",
        "service = \"orders\"",
        "service = \"orders\", tier = \"gold\"",
    );
    ws.edit(
        "main.hcl",
        "Order intake for partners",
        "Order intake for partners and resellers",
    );
    ws.edit(
        "main.hcl",
        "globex = \"a0b1c2d3e4f5061728394a5b6c7d8e9f\"",
        "initech = \"0123456789abcdef0123456789abcdef\"",
    );
    let plan = ws.expect(&["plan", "--detailed-exitcode"], 2);
    assert!(
        plan.stdout
            .contains("# vpcep_service.orders will be updated in-place"),
        "{}",
        plan.stdout
    );
    assert!(plan.stdout.contains("+ \"tier\""), "{}", plan.stdout);
    assert!(
        plan.stdout
            .contains("- \"iam:domain::a0b1c2d3e4f5061728394a5b6c7d8e9f\","),
        "{}",
        plan.stdout
    );
    assert!(
        plan.stdout
            .contains("+ \"iam:domain::0123456789abcdef0123456789abcdef\","),
        "{}",
        plan.stdout
    );
    assert!(plan.stdout.contains("~ description = \"Order intake for partners\" -> \"Order intake for partners and resellers\""), "{}", plan.stdout);
    let apply = ws.expect(&["apply", "--auto-approve"], 0);
    assert!(
        apply
            .stdout
            .contains("Resources: 0 added, 1 changed, 0 destroyed."),
        "{}",
        apply.stdout
    );
    assert_eq!(
        ws.id_of("vpcep_service.orders"),
        id,
        "an update keeps the service"
    );
    ws.expect(&["plan", "--detailed-exitcode"], 0);

    // Approval off: no approval resource may remain, so drop it too.
    let text = ws.read("main.hcl");
    let cut = text.find("resource \"vpcep_approval\"").unwrap();
    let end = cut + text[cut..].find("}\n").unwrap() + 2;
    ws.write(
        "main.hcl",
        &format!("{}{}", &text[..cut], &text[end..])
            .replace("approval_enabled = true", "approval_enabled = false"),
    );
    let plan = ws.expect(&["plan"], 0);
    assert!(
        plan.stdout.contains("~ approval_enabled = true -> false"),
        "{}",
        plan.stdout
    );
    assert!(
        plan.stdout
            .contains("# vpcep_approval.orders will be destroyed"),
        "{}",
        plan.stdout
    );
    ws.expect(&["apply", "--auto-approve"], 0);
    ws.expect(&["plan", "--detailed-exitcode"], 0);
}

const OWNER: &str = "1111111111111111111111111111aaaa";
const CONSUMER: &str = "2222222222222222222222222222bbbb";

fn account(cloud: &std::path::Path, domain: &str, extra: &str) -> String {
    format!(
        "provider \"sim\" {{\n  path = \"{}\"\n  domain_id = \"{domain}\"\n{extra}}}\n",
        cloud.display()
    )
}

fn owner_service(approval: bool) -> String {
    format!(
        "resource \"vpcep_service\" \"shared\" {{\n  name = \"shared\"\n  server_type = \"LB\"\n  port_id = \"port-shared\"\n  vpc_id = \"vpc-owner\"\n  approval_enabled = {approval}\n  whitelist = [\"{CONSUMER}\"]\n  port {{\n    server_port = 443\n    client_port = 443\n  }}\n}}\n"
    )
}

fn consumer_endpoint(service_id: &str) -> String {
    format!(
        "resource \"vpcep_endpoint\" \"to_shared\" {{\n  service_id = \"{service_id}\"\n  vpc_id = \"vpc-consumer\"\n  subnet_id = \"subnet-consumer\"\n}}\n"
    )
}

#[test]
fn a_service_with_another_accounts_accepted_endpoint_cannot_be_removed() {
    let cloud = tempfile::tempdir().unwrap();
    let db = cloud.path().join("cloud.db");
    let owner = Workspace::new();
    owner.write(
        "main.hcl",
        &(account(&db, OWNER, "") + &owner_service(false)),
    );
    owner.expect(&["apply", "--auto-approve"], 0);
    let service_id = owner.id_of("vpcep_service.shared");

    let consumer = Workspace::new();
    consumer.write(
        "main.hcl",
        &(account(&db, CONSUMER, "") + &consumer_endpoint(&service_id)),
    );
    consumer.expect(&["apply", "--auto-approve"], 0);
    let endpoint_id = consumer.id_of("vpcep_endpoint.to_shared");

    owner.write("main.hcl", &account(&db, OWNER, ""));
    let plan = owner.expect(&["plan"], 1);
    assert!(
        plan.stdout
            .contains("`vpcep_service.shared` cannot be deleted: 1 endpoint is connected to it"),
        "{}",
        plan.stdout
    );
    assert!(
        plan.stdout.contains(&format!(
            "endpoint {endpoint_id} of account {CONSUMER} is accepted"
        )),
        "{}",
        plan.stdout
    );
    let serial = owner.serial();
    owner.expect(&["apply", "--auto-approve"], 1);
    assert_eq!(owner.serial(), serial);
    owner
        .expect(&["state", "list"], 0)
        .stdout
        .contains("vpcep_service.shared")
        .then_some(())
        .expect("still recorded");
}

#[test]
fn an_unapproved_connection_does_not_block_and_dependents_go_first() {
    let cloud = tempfile::tempdir().unwrap();
    let db = cloud.path().join("cloud.db");
    let owner = Workspace::new();
    let own_endpoint = "resource \"vpcep_endpoint\" \"own\" {\n  service_id = vpcep_service.shared.id\n  vpc_id = \"vpc-owner\"\n  subnet_id = \"subnet-owner\"\n}\n\nresource \"vpcep_approval\" \"shared\" {\n  service_id = vpcep_service.shared.id\n  endpoints = [vpcep_endpoint.own.id]\n}\n";
    owner.write(
        "main.hcl",
        &(account(&db, OWNER, "") + &owner_service(true) + own_endpoint),
    );
    owner.expect(&["apply", "--auto-approve"], 0);
    let service_id = owner.id_of("vpcep_service.shared");

    let consumer = Workspace::new();
    consumer.write(
        "main.hcl",
        &(account(&db, CONSUMER, "") + &consumer_endpoint(&service_id)),
    );
    consumer.expect(&["apply", "--auto-approve"], 0);
    let status = consumer.state()["resources"][0]["attributes"]["status"].clone();
    assert_eq!(status, "pendingAcceptance");

    owner.write("main.hcl", &account(&db, OWNER, ""));
    let apply = owner.expect(&["apply", "--auto-approve"], 0);
    let pos = |s: &str| {
        apply
            .stdout
            .find(s)
            .unwrap_or_else(|| panic!("`{s}` missing:\n{}", apply.stdout))
    };
    assert!(
        pos("vpcep_approval.shared: Destruction complete")
            < pos("vpcep_service.shared: Destroying")
    );
    assert!(
        pos("vpcep_endpoint.own: Destruction complete") < pos("vpcep_service.shared: Destroying")
    );
    assert!(
        apply
            .stdout
            .contains("Resources: 0 added, 0 changed, 3 destroyed."),
        "{}",
        apply.stdout
    );
}

#[test]
fn a_service_still_creating_cannot_be_removed() {
    let ws = Workspace::new();
    let slow = "provider \"sim\" {\n  create_delay = \"1h\"\n}\n";
    let service = "resource \"vpcep_service\" \"slow\" {\n  server_type = \"LB\"\n  port_id = \"port-slow\"\n  vpc_id = \"vpc-1\"\n  port {\n    server_port = 1\n    client_port = 1\n  }\n  timeouts {\n    create = \"1s\"\n  }\n}\n";
    ws.write("main.hcl", &format!("{slow}{service}"));
    let apply = ws.expect(&["apply", "--auto-approve"], 1);
    assert!(apply.stdout.contains("timed out"), "{}", apply.stdout);
    let state: serde_json::Value = serde_json::from_str(&ws.read("vpcep.state.json")).unwrap();
    assert_eq!(
        state["resources"][0]["attributes"]["status"], "creating",
        "the creating service is recorded"
    );
    ws.write("main.hcl", slow);
    let plan = ws.expect(&["plan"], 1);
    assert!(
        plan.stdout
            .contains("`vpcep_service.slow` is still being created (status `creating`)"),
        "{}",
        plan.stdout
    );
}

#[test]
fn quotas_are_checked_at_plan_time() {
    let ws = Workspace::new();
    ws.write("main.hcl", &services_hcl("s", 21));
    let plan = ws.expect(&["plan"], 1);
    assert!(
        plan.stdout
            .contains("this plan needs 21 endpoint services in the account, but its quota is 20"),
        "{}",
        plan.stdout
    );
    assert!(
        plan.stdout
            .contains("0 exist now (0 of them not managed by this configuration)"),
        "{}",
        plan.stdout
    );

    let cloud = tempfile::tempdir().unwrap();
    let db = cloud.path().join("cloud.db");
    let other = Workspace::new();
    other.write(
        "main.hcl",
        &(account(&db, OWNER, "") + &services_hcl("other", 10)),
    );
    other.expect(&["apply", "--auto-approve"], 0);
    let ws = Workspace::new();
    ws.write(
        "main.hcl",
        &(account(&db, OWNER, "") + &services_hcl("mine", 15)),
    );
    let plan = ws.expect(&["plan"], 1);
    assert!(
        plan.stdout
            .contains("this plan needs 25 endpoint services in the account, but its quota is 20"),
        "{}",
        plan.stdout
    );
    assert!(
        plan.stdout
            .contains("10 exist now (10 of them not managed by this configuration)"),
        "{}",
        plan.stdout
    );
    ws.write(
        "main.hcl",
        &(account(&db, OWNER, "") + &services_hcl("mine", 10)),
    );
    ws.expect(&["apply", "--auto-approve"], 0);
}

#[test]
fn a_backend_used_by_an_unmanaged_service_is_refused() {
    let cloud = tempfile::tempdir().unwrap();
    let db = cloud.path().join("cloud.db");
    let other = Workspace::new();
    other.write(
        "main.hcl",
        &(account(&db, OWNER, "") + &services_hcl("x", 1)),
    );
    other.expect(&["apply", "--auto-approve"], 0);
    let ws = Workspace::new();
    ws.write(
        "main.hcl",
        &(account(&db, OWNER, "") + &services_hcl("x", 1).replace("\"x0\"", "\"y0\"")),
    );
    let plan = ws.expect(&["plan"], 1);
    assert!(
        plan.stdout.contains(
            "`vpcep_service.y0` maps TCP server port 8080 on the backend port-x-0, which the endpoint service"
        ),
        "{}",
        plan.stdout
    );
    assert!(
        plan.stdout.contains("not managed by this configuration"),
        "{}",
        plan.stdout
    );
}

#[test]
fn drift_is_shown_and_a_vanished_resource_is_created_again() {
    let cloud = tempfile::tempdir().unwrap();
    let db = cloud.path().join("cloud.db");
    let ws = Workspace::new();
    ws.write(
        "main.hcl",
        &(account(&db, OWNER, "") + &services_hcl("d", 2)),
    );
    ws.expect(&["apply", "--auto-approve"], 0);
    // Someone deletes d1 behind vpcep's back, through another configuration that adopts it.
    let intruder = Workspace::new();
    std::fs::copy(ws.path().join("main.hcl"), intruder.path().join("main.hcl")).unwrap();
    std::fs::copy(
        ws.path().join("vpcep.state.json"),
        intruder.path().join("vpcep.state.json"),
    )
    .unwrap();
    intruder.expect(
        &["destroy", "--auto-approve", "--target", "vpcep_service.d1"],
        0,
    );

    let plan = ws.expect(&["plan"], 0);
    assert!(
        plan.stdout
            .contains("Note: Objects have changed outside of vpcep"),
        "{}",
        plan.stdout
    );
    assert!(
        plan.stdout.contains("# vpcep_service.d1 has been deleted"),
        "{}",
        plan.stdout
    );
    assert!(
        plan.stdout
            .contains("was deleted outside vpcep; it is planned to be created again"),
        "{}",
        plan.stdout
    );
    assert!(
        plan.stdout
            .contains("Plan: 1 to add, 0 to change, 0 to destroy."),
        "{}",
        plan.stdout
    );
    ws.expect(&["apply", "--auto-approve"], 0);
    ws.expect(&["plan", "--detailed-exitcode"], 0);
}

#[test]
fn a_failed_action_skips_its_dependents_and_keeps_what_completed() {
    let cloud = tempfile::tempdir().unwrap();
    let db = cloud.path().join("cloud.db");
    let owner = Workspace::new();
    // The owner does not whitelist the consumer: the consumer's endpoint is refused.
    owner.write(
        "main.hcl",
        &(account(&db, OWNER, "")
            + &owner_service(false).replace(CONSUMER, "3333333333333333333333333333cccc")),
    );
    owner.expect(&["apply", "--auto-approve"], 0);
    let service_id = owner.id_of("vpcep_service.shared");

    let consumer = Workspace::new();
    let dependent = "resource \"vpcep_endpoint\" \"second\" {\n  service_id = vpcep_endpoint.to_shared.service_id\n  vpc_id = \"vpc-consumer\"\n  subnet_id = \"subnet-other\"\n}\n";
    consumer.write(
        "main.hcl",
        &(account(&db, CONSUMER, "")
            + &consumer_endpoint(&service_id)
            + dependent
            + &services_hcl("independent", 1)),
    );
    let apply = consumer.expect(&["apply", "--auto-approve"], 1);
    assert!(
        apply
            .stdout
            .contains("vpcep_endpoint.to_shared: Creation failed"),
        "{}",
        apply.stdout
    );
    assert!(
        apply.stdout.contains("EndPoint.2012"),
        "the cloud's error code is shown: {}",
        apply.stdout
    );
    assert!(
        apply
            .stdout
            .contains("vpcep_endpoint.second: Skipped, because `vpcep_endpoint.to_shared` failed"),
        "{}",
        apply.stdout
    );
    assert!(
        apply
            .stdout
            .contains("vpcep_service.independent0: Creation complete"),
        "{}",
        apply.stdout
    );
    assert!(
        apply.stdout.contains(
            "Apply incomplete! Resources: 1 added, 0 changed, 0 destroyed; 1 failed, 1 skipped."
        ),
        "{}",
        apply.stdout
    );
    assert!(
        apply
            .stderr
            .contains("error: vpcep_endpoint.to_shared: EndPoint.2012"),
        "{}",
        apply.stderr
    );
    let listed = consumer.expect(&["state", "list"], 0);
    assert_eq!(listed.stdout, "vpcep_service.independent0\n");
    let plan = consumer.expect(&["plan"], 0);
    assert!(
        plan.stdout
            .contains("Plan: 2 to add, 0 to change, 0 to destroy."),
        "{}",
        plan.stdout
    );
    // Under --json the failed step's event carries the API's code as a field of its own.
    let json = consumer.expect(&["apply", "--auto-approve", "--json"], 1);
    let errored: Vec<serde_json::Value> = json
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .filter(|e: &serde_json::Value| e["type"] == "apply_errored")
        .collect();
    assert_eq!(errored.len(), 1, "{}", json.stdout);
    assert_eq!(errored[0]["address"], "vpcep_endpoint.to_shared");
    assert_eq!(errored[0]["error_code"], "EndPoint.2012", "{}", json.stdout);
}
