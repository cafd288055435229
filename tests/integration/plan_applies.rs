//! A plan that passes applies (issue 26): across accounts (a partner alias's endpoint to a
//! service that does not admit it), replacements that take partners' endpoints with them,
//! refreshes against the wrong account, a recorded resource whose provider changes, and state
//! edits that would break "one cloud object, one address" — each case through the binary.

use super::harness::Workspace;

const OWNER: &str = "0d0e0f00000000000000000000000001";
const PARTNER: &str = "5f1c0d2e3b4a49687766554433221100";

/// Two accounts of one simulated cloud: the default provider (the owner) and `sim.partner`.
fn providers() -> String {
    format!(
        "provider \"sim\" {{\n  path      = \".vpcep/cloud.db\"\n  domain_id = \"{OWNER}\"\n}}\n\nprovider \"sim\" {{\n  alias     = \"partner\"\n  path      = \".vpcep/cloud.db\"\n  domain_id = \"{PARTNER}\"\n}}\n\n"
    )
}

fn service(name: &str, whitelist: &str) -> String {
    format!(
        "resource \"vpcep_service\" \"{name}\" {{\n  name        = \"{name}\"\n  server_type = \"LB\"\n  port_id     = \"port-{name}\"\n  vpc_id      = \"vpc-owner\"\n  whitelist   = [{whitelist}]\n\n  port {{\n    server_port = 8443\n    client_port = 443\n  }}\n}}\n\n"
    )
}

fn partner_endpoint(name: &str, service_id: &str) -> String {
    format!(
        "resource \"vpcep_endpoint\" \"{name}\" {{\n  provider   = sim.partner\n  service_id = {service_id}\n  vpc_id     = \"vpc-partner\"\n  subnet_id  = \"subnet-partner\"\n}}\n\n"
    )
}

/// Case 1: the plan knew the whitelist and the alias's account, said "2 to add", and apply
/// failed halfway with `EndPoint.2012`. Now the plan refuses, naming endpoint, service,
/// account and fix, and nothing is created; with the account admitted it applies.
#[test]
fn an_alias_endpoint_to_a_service_that_does_not_admit_its_account_is_refused_at_plan() {
    let ws = Workspace::new();
    let config = format!(
        "{}{}{}",
        providers(),
        service("billing", ""),
        partner_endpoint("billing", "vpcep_service.billing.id")
    );
    ws.write("main.hcl", &config);
    let plan = ws.expect(&["plan"], 1);
    assert!(
        plan.stdout.contains(&format!(
            "`vpcep_endpoint.billing` (provider `sim.partner`) would connect from account {PARTNER} to `vpcep_service.billing`, whose whitelist does not admit that account"
        )),
        "{}",
        plan.stdout
    );
    assert!(
        plan.stdout.contains(&format!(
            "help: add \"{PARTNER}\" to the `whitelist` of `vpcep_service.billing`"
        )),
        "{}",
        plan.stdout
    );
    let json = ws.expect(&["plan", "--format", "json"], 1);
    let doc: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(doc["refusals"][0]["rule"], "whitelist", "{doc}");
    assert_eq!(doc["refusals"][0]["address"], "vpcep_endpoint.billing");
    let apply = ws.expect(&["apply", "--auto-approve"], 1);
    assert!(!apply.stdout.contains("Creating..."), "{}", apply.stdout);

    // Admitted by ID, or by everyone's wildcard: the same plan applies in one run.
    for whitelist in [format!("\"{PARTNER}\""), "\"*\"".to_owned()] {
        let ws = Workspace::new();
        ws.write(
            "main.hcl",
            &format!(
                "{}{}{}",
                providers(),
                service("billing", &whitelist),
                partner_endpoint("billing", "vpcep_service.billing.id")
            ),
        );
        ws.expect(&["apply", "--auto-approve"], 0);
        ws.expect(&["plan", "--detailed-exitcode"], 0);
    }
}

/// The same rule for a service the plan keeps, named by its ID: the recorded whitelist
/// decides, and a service of the endpoint's own account needs none.
#[test]
fn an_endpoint_by_id_to_a_recorded_service_is_judged_by_its_whitelist() {
    let ws = Workspace::new();
    ws.write(
        "main.hcl",
        &format!("{}{}", providers(), service("billing", "")),
    );
    ws.expect(&["apply", "--auto-approve"], 0);
    let id = ws.id_of("vpcep_service.billing");
    ws.write(
        "main.hcl",
        &format!(
            "{}{}{}",
            providers(),
            service("billing", ""),
            partner_endpoint("billing", &format!("\"{id}\""))
        ),
    );
    let plan = ws.expect(&["plan"], 1);
    assert!(
        plan.stdout.contains("whose whitelist does not admit"),
        "{}",
        plan.stdout
    );
    // The owner's own endpoint to it is no partner's: nothing to admit.
    ws.write(
        "main.hcl",
        &format!(
            "{}{}{}",
            providers(),
            service("billing", ""),
            partner_endpoint("billing", &format!("\"{id}\"")).replace("  provider   = sim.partner\n", "")
        ),
    );
    ws.expect(&["apply", "--auto-approve"], 0);
}

fn three_services() -> Workspace {
    let ws = Workspace::new();
    ws.write(
        "main.hcl",
        &format!(
            "{}{}{}",
            service("a", ""),
            service("b", ""),
            "resource \"vpcep_service\" \"keyed\" {\n  for_each    = toset([\"x\"])\n  server_type = \"LB\"\n  port_id     = \"port-keyed\"\n  vpc_id      = \"vpc-owner\"\n  port {\n    server_port = 8443\n    client_port = 443\n  }\n}\n"
        ),
    );
    ws.expect(&["apply", "--auto-approve"], 0);
    ws
}

/// Case 7: `state push` accepted a state with two records of one address (one was dropped)
/// and one cloud ID under two addresses (the next apply deleted a live service). Each is
/// refused, naming what is wrong, and the stored state is untouched.
#[test]
fn state_push_refuses_what_breaks_one_object_one_address() {
    let ws = three_services();
    let pulled = ws.expect(&["state", "pull"], 0).stdout;
    let stored = ws.read("vpcep.state.json");
    let lines: Vec<&str> = pulled.lines().collect();
    let record = |address: &str| -> String {
        lines
            .iter()
            .find(|l| l.contains(&format!("\"address\":\"{address}\"")))
            .unwrap_or_else(|| panic!("{address} in {pulled}"))
            .trim()
            .trim_end_matches(',')
            .to_owned()
    };
    let a = record("vpcep_service.a");
    let b = record("vpcep_service.b");
    let a_id = ws.id_of("vpcep_service.a");
    let b_id = ws.id_of("vpcep_service.b");
    let cases = [
        (
            "duplicate.json",
            pulled.replacen(&b, &format!("{a},\n    {a}"), 1),
            "resource `vpcep_service.a` is recorded twice".to_owned(),
        ),
        (
            "one-id-two-addresses.json",
            pulled.replacen(&b, &b.replace(&b_id, &a_id), 1),
            "is recorded under 2 addresses (`vpcep_service.a`, `vpcep_service.b`)".to_owned(),
        ),
        (
            "mixed-shape.json",
            pulled.replacen(
                &b,
                &b.replace(
                    "\"address\":\"vpcep_service.b\",\"type\":\"vpcep_service\",\"name\":\"b\"",
                    "\"address\":\"vpcep_service.keyed\",\"type\":\"vpcep_service\",\"name\":\"keyed\"",
                ),
                1,
            ),
            "`vpcep_service.keyed` mixes an instance without a key (`vpcep_service.keyed`) and `for_each` instances".to_owned(),
        ),
        (
            "unknown-type.json",
            pulled.replacen(
                &b,
                &b.replace("vpcep_service", "opentelekomcloud_vpcep_service_v1"),
                1,
            ),
            "opentelekomcloud_vpcep_service_v1".to_owned(),
        ),
    ];
    for (name, text, want) in cases {
        assert_ne!(text, pulled, "{name}: the edit did not apply");
        ws.write(name, &text);
        for force in [false, true] {
            let mut args = vec!["state", "push", name];
            if force {
                args.push("--force");
            }
            let out = ws.expect(&args, 1);
            assert!(out.stderr.contains(&want), "{name}: {}", out.stderr);
            assert!(out.stderr.contains("nothing was pushed") || out.stderr.contains("not a vpcep state file"), "{name}: {}", out.stderr);
            assert_eq!(ws.read("vpcep.state.json"), stored, "{name}: the state changed");
        }
    }
    // The pulled state itself goes back as it was.
    ws.write("same.json", &pulled);
    ws.expect(&["state", "push", "same.json"], 0);
    ws.expect(&["plan", "--detailed-exitcode"], 0);
}

/// Case 7: `state mv` into a `for_each` resource mixed keyed and unkeyed instances.
#[test]
fn state_mv_refuses_to_mix_keyed_and_unkeyed_instances() {
    let ws = three_services();
    let stored = ws.read("vpcep.state.json");
    let out = ws.expect(&["state", "mv", "vpcep_service.a", "vpcep_service.keyed"], 1);
    assert!(
        out.stderr.contains("`vpcep_service.keyed` mixes an instance without a key"),
        "{}",
        out.stderr
    );
    let out = ws.expect(&["state", "mv", "vpcep_service.a", "vpcep_service.b[0]"], 1);
    assert!(out.stderr.contains("`vpcep_service.b` mixes"), "{}", out.stderr);
    assert_eq!(ws.read("vpcep.state.json"), stored);
    // Into a free key of the keyed resource is fine.
    ws.expect(&["state", "mv", "vpcep_service.a", "vpcep_service.keyed[\"y\"]"], 0);
}
