//! Issue 28: the service owner's inbox. A partner's endpoint waiting for the owner's decision
//! is named in every rendering of the owner's plan and in `show`; a scheduled
//! `plan --refresh-only --detailed-exitcode` alerts on it; an approval by account accepts it
//! and every later endpoint of that account; the disconnection rules hold for `accounts`.

use super::harness::{Workspace, vpcep};
use std::fmt::Write as _;

const OWNER: &str = "0d0e0f00000000000000000000000001";
const PARTNER: &str = "5f1c0d2e3b4a49687766554433221100";

/// The owner's configuration: a service with approval that admits the partner, and an
/// approval given as `approval` (HCL) or none.
fn owner_config(approval: &str) -> String {
    format!(
        r#"provider "sim" {{
  domain_id = "{OWNER}"
}}

resource "vpcep_service" "orders" {{
  server_type      = "LB"
  port_id          = "11111111-2222-4333-8444-555555555555"
  vpc_id           = "66666666-7777-4888-9999-000000000000"
  approval_enabled = true
  whitelist        = ["{PARTNER}"]

  port {{
    server_port = 8443
    client_port = 443
  }}
}}
{approval}"#
    )
}

/// The partner's own configuration (its own state), with endpoints named `names` to the
/// owner's service, in the owner's simulated cloud.
fn partner_config(owner: &Workspace, service_id: &str, names: &[&str]) -> String {
    let mut text = format!(
        "provider \"sim\" {{\n  path      = \"{}\"\n  domain_id = \"{PARTNER}\"\n}}\n",
        owner.path().join(".vpcep/cloud.db").display()
    );
    for name in names {
        let _ = write!(
            text,
            "\nresource \"vpcep_endpoint\" \"{name}\" {{\n  service_id = \"{service_id}\"\n  vpc_id     = \"abababab-cdcd-4efe-8f0f-101010101010\"\n  subnet_id  = \"12121212-3434-4565-8787-909090909090\"\n}}\n"
        );
    }
    text
}

fn run(ws: &Workspace, args: &[&str], code: i32) -> String {
    let out = vpcep(ws.path(), args, &[]);
    assert_eq!(out.code, code, "vpcep {args:?}:\n{}", out.transcript());
    out.stdout + &out.stderr
}

fn id_of(ws: &Workspace, address: &str) -> String {
    ws.state()["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["address"] == address)
        .unwrap_or_else(|| panic!("{address} is not recorded"))["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[test]
fn a_waiting_partner_is_seen_alerted_on_and_accepted_by_account() {
    let owner = Workspace::new();
    owner.write("main.hcl", &owner_config(""));
    run(&owner, &["apply", "--auto-approve"], 0);
    let service_id = id_of(&owner, "vpcep_service.orders");
    let partner = Workspace::new();
    partner.write("main.hcl", &partner_config(&owner, &service_id, &["first"]));
    run(&partner, &["apply", "--auto-approve"], 0);
    let first = id_of(&partner, "vpcep_endpoint.first");

    // The owner sees who waits: in the plan (which has nothing to change, so exits 0), as
    // JSON, as markdown, and in `show`.
    let plan = run(&owner, &["plan", "--detailed-exitcode"], 0);
    assert!(
        plan.contains("Connection requests: 1 endpoint waits for a decision (1 new since the state was written).")
            && plan.contains(&format!(
                "`vpcep_service.orders`: endpoint {first} of account {PARTNER} waits for a decision (pendingAcceptance since "
            ))
            && plan.contains("no approval of this configuration decides it")
            && plan.contains("No changes."),
        "{plan}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&run(&owner, &["plan", "--format", "json"], 0)).unwrap();
    let requests = json["connection_requests"].as_array().unwrap();
    assert_eq!(requests.len(), 1, "{json}");
    assert_eq!(requests[0]["endpoint_id"], first.as_str());
    assert_eq!(requests[0]["account"], PARTNER);
    assert_eq!(requests[0]["waiting"], true);
    assert_eq!(requests[0]["change"], "appeared");
    assert_eq!(requests[0]["service"], "vpcep_service.orders");
    assert!(requests[0]["decided_by"].is_null());
    let markdown = run(&owner, &["plan", "--format", "markdown"], 0);
    assert!(
        markdown.contains("> **Connection requests: 1 endpoint waits for a decision")
            && markdown.contains(&format!("endpoint {first} of account {PARTNER}")),
        "{markdown}"
    );
    let show = run(&owner, &["show"], 0);
    assert!(
        show.contains(&format!(
            "Waiting for a decision: endpoint {first} of account {PARTNER} to `vpcep_service.orders`"
        )),
        "{show}"
    );
    // A saved plan keeps them: reviewing it later shows who waits.
    run(&owner, &["plan", "--out", "p.vpcep"], 0);
    let saved = run(&owner, &["show", "p.vpcep"], 0);
    assert!(
        saved.contains(&format!(
            "endpoint {first} of account {PARTNER} waits for a decision"
        )),
        "{saved}"
    );
    // The scheduled drift job alerts (exit 2) while it waits.
    let drift = run(
        &owner,
        &["plan", "--refresh-only", "--detailed-exitcode"],
        2,
    );
    assert!(drift.contains("1 endpoint waits"), "{drift}");

    // Approve by account: the waiting endpoint is named in the plan and accepted.
    owner.write(
        "main.hcl",
        &owner_config(&format!(
            "\nresource \"vpcep_approval\" \"partners\" {{\n  service_id = vpcep_service.orders.id\n  accounts   = [\"iam:domain::{PARTNER}\"]\n}}\n"
        )),
    );
    let plan = run(&owner, &["plan"], 0);
    assert!(
        plan.contains(&format!("+ \"{first}\""))
            && plan.contains("`vpcep_approval.partners` accepts it on apply"),
        "{plan}"
    );
    run(&owner, &["apply", "--auto-approve"], 0);
    run(&owner, &["plan", "--detailed-exitcode"], 0);
    run(
        &owner,
        &["plan", "--refresh-only", "--detailed-exitcode"],
        0,
    );

    // The partner's next endpoint: accepted on the next apply, then nothing to do.
    partner.write(
        "main.hcl",
        &partner_config(&owner, &service_id, &["first", "second"]),
    );
    run(&partner, &["apply", "--auto-approve"], 0);
    let second = id_of(&partner, "vpcep_endpoint.second");
    let show = run(&owner, &["show"], 0);
    assert!(
        show.contains(&format!(
            "Waiting for a decision: endpoint {second} of account {PARTNER} to `vpcep_service.orders`"
        )) && show.contains("`vpcep_approval.partners` accepts it on the next apply"),
        "{show}"
    );
    run(
        &owner,
        &["plan", "--refresh-only", "--detailed-exitcode"],
        2,
    );
    let plan = run(&owner, &["plan", "--detailed-exitcode"], 2);
    assert!(
        plan.contains("# vpcep_approval.partners will be updated in-place")
            && plan.contains(&format!("+ \"{second}\"")),
        "{plan}"
    );
    run(&owner, &["apply", "--auto-approve"], 0);
    run(&owner, &["plan", "--detailed-exitcode"], 0);
    let state = owner.state();
    let approval = state["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["address"] == "vpcep_approval.partners")
        .unwrap();
    let accepted: Vec<&str> = approval["attributes"]["endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(
        accepted.contains(&first.as_str()) && accepted.contains(&second.as_str()),
        "{accepted:?}"
    );

    // Dropping the account rejects its accepted endpoints: a disconnection the plan lists.
    owner.write(
        "main.hcl",
        &owner_config(&format!(
            "\nresource \"vpcep_approval\" \"partners\" {{\n  service_id = vpcep_service.orders.id\n  endpoints  = [\"{first}\"]\n}}\n"
        )),
    );
    let plan = run(&owner, &["plan"], 0);
    assert!(
        plan.contains("Disconnections: this plan cuts 1 connection.")
            && plan.contains(&format!(
                "rejects endpoint {second} of account {PARTNER} (accepted): its account is removed from the approval's `accounts`"
            )),
        "{plan}"
    );
}

#[test]
fn approvals_by_account_are_checked_as_written() {
    let ws = Workspace::new();
    ws.write(
        "main.hcl",
        &owner_config(
            "\nresource \"vpcep_approval\" \"none\" {\n  service_id = vpcep_service.orders.id\n}\n\nresource \"vpcep_approval\" \"bad\" {\n  service_id = vpcep_service.orders.id\n  accounts   = [\"partner\", \"0D0E0F00000000000000000000000001\", \"iam:domain::0d0e0f00000000000000000000000001\"]\n}\n",
        ),
    );
    let out = run(&ws, &["validate"], 1);
    assert!(
        out.contains(
            "`vpcep_approval.none` accepts nothing: it has no `endpoints` and no `accounts`"
        ) && out
            .contains("\"partner\" in the `accounts` of `vpcep_approval.bad` is not an account")
            && out.contains("lists account 0d0e0f00000000000000000000000001 twice"),
        "{out}"
    );
    // An account the whitelist does not admit can never connect: a warning says so.
    ws.write(
        "main.hcl",
        &owner_config(
            "\nresource \"vpcep_approval\" \"other\" {\n  service_id = vpcep_service.orders.id\n  accounts   = [\"99999999999999999999999999999999\"]\n}\n",
        ),
    );
    let out = run(&ws, &["plan"], 0);
    assert!(
        out.contains("accepts the endpoints of account 99999999999999999999999999999999, which the service's whitelist does not admit"),
        "{out}"
    );
}

/// An endpoint the same configuration creates for an account the approval accepts by account
/// is accepted in the same apply: the approval waits for it, and the plan after is empty.
#[test]
fn an_endpoint_created_in_the_same_plan_is_accepted_by_account_in_one_apply() {
    let ws = Workspace::example("cross-account");
    ws.edit(
        "main.hcl",
        "  endpoints  = [vpcep_endpoint.orders.id]",
        "  accounts   = [var.partner_account]",
    );
    ws.edit(
        "main.hcl",
        "  name        = \"orders\"\n",
        "  name        = \"orders\"\n  approval_enabled = true\n",
    );
    let plan = run(&ws, &["plan"], 0);
    assert!(
        plan.contains("+ accounts    = [")
            && plan.contains("+ endpoints   = [\n          + (known after apply),"),
        "{plan}"
    );
    let applied = run(&ws, &["apply", "--auto-approve"], 0);
    let endpoint = applied
        .find("vpcep_endpoint.orders: Creation complete")
        .unwrap();
    let approval = applied
        .find("vpcep_approval.orders: Creation complete")
        .unwrap();
    assert!(endpoint < approval, "{applied}");
    run(&ws, &["plan", "--detailed-exitcode"], 0);
    let partner_endpoint = id_of(&ws, "vpcep_endpoint.orders");
    let state = ws.state();
    let accepted = state["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["address"] == "vpcep_approval.orders")
        .unwrap()["attributes"]["endpoints"]
        .clone();
    assert_eq!(accepted, serde_json::json!([partner_endpoint]));
}
