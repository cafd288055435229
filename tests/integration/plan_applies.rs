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
            partner_endpoint("billing", &format!("\"{id}\""))
                .replace("  provider   = sim.partner\n", "")
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
            assert!(
                out.stderr.contains("nothing was pushed")
                    || out.stderr.contains("not a vpcep state file"),
                "{name}: {}",
                out.stderr
            );
            assert_eq!(
                ws.read("vpcep.state.json"),
                stored,
                "{name}: the state changed"
            );
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
    let out = ws.expect(
        &["state", "mv", "vpcep_service.a", "vpcep_service.keyed"],
        1,
    );
    assert!(
        out.stderr
            .contains("`vpcep_service.keyed` mixes an instance without a key"),
        "{}",
        out.stderr
    );
    let out = ws.expect(&["state", "mv", "vpcep_service.a", "vpcep_service.b[0]"], 1);
    assert!(
        out.stderr.contains("`vpcep_service.b` mixes"),
        "{}",
        out.stderr
    );
    assert_eq!(ws.read("vpcep.state.json"), stored);
    // Into a free key of the keyed resource is fine.
    ws.expect(
        &[
            "state",
            "mv",
            "vpcep_service.a",
            "vpcep_service.keyed[\"y\"]",
        ],
        0,
    );
}

/// The cross-account example, applied: the owner's service and approval, the partner's
/// endpoint through `sim.partner`.
fn cross_account_applied() -> Workspace {
    let ws = Workspace::example("cross-account");
    ws.expect(&["apply", "--auto-approve"], 0);
    ws
}

/// Case 3: after a typo in an account, `refresh` reported every resource "deleted outside
/// vpcep; removed from the state" and exited 0, and the next plan created everything again.
/// Now `refresh`, `plan` and `apply` stop at the guard, write nothing, and name the provider,
/// the account asked, and the flag that confirms the loss.
#[test]
fn a_refresh_against_the_wrong_account_forgets_nothing() {
    let ws = cross_account_applied();
    let stored = ws.read("vpcep.state.json");
    ws.edit(
        "main.hcl",
        "  domain_id = var.partner_account\n",
        "  domain_id = \"5f1c0d2e3b4a49687766554433221199\"\n",
    );
    for args in [
        &["refresh"][..],
        &["plan"],
        &["plan", "--refresh-only"],
        &["apply", "--auto-approve"],
        &["apply", "--refresh-only", "--auto-approve"],
    ] {
        let out = ws.expect(args, 1);
        assert!(
            out.stderr
                .contains("provider `sim.partner` could not find 1 of the 1 objects it records")
                && out
                    .stderr
                    .contains("account 5f1c0d2e3b4a49687766554433221199")
                && out.stderr.contains("`vpcep_endpoint.orders`")
                && out.stderr.contains("--forget-missing"),
            "{args:?}: {}",
            out.stderr
        );
        assert!(
            !out.stdout.contains("Creating..."),
            "{args:?}: {}",
            out.stdout
        );
        assert_eq!(
            ws.read("vpcep.state.json"),
            stored,
            "{args:?} wrote the state"
        );
    }
    // The default provider's account mistyped: every one of its objects is "missing".
    ws.edit(
        "main.hcl",
        "  domain_id = \"5f1c0d2e3b4a49687766554433221199\"\n",
        "  domain_id = var.partner_account\n",
    );
    ws.edit(
        "main.hcl",
        "  domain_id = var.owner_account\n",
        "  domain_id = \"0d0e0f00000000000000000000000002\"\n",
    );
    let out = ws.expect(&["refresh"], 1);
    assert!(
        out.stderr
            .contains("the default provider could not find 2 of the 2 objects"),
        "{}",
        out.stderr
    );
    let json = super::harness::vpcep(ws.path(), &["apply", "--auto-approve", "--json"], &[]);
    assert_eq!(json.code, 1);
    assert!(
        json.stdout.contains("\"code\":\"refresh_guard\""),
        "{}",
        json.stdout
    );
    assert_eq!(ws.read("vpcep.state.json"), stored);
    // Fixed, everything is found where it was.
    ws.edit(
        "main.hcl",
        "  domain_id = \"0d0e0f00000000000000000000000002\"\n",
        "  domain_id = var.owner_account\n",
    );
    ws.expect(&["plan", "--detailed-exitcode"], 0);
}

/// Case 3: `--forget-missing` confirms a real loss, as the guard's error says.
#[test]
fn forget_missing_confirms_what_really_was_deleted() {
    let ws = cross_account_applied();
    let endpoint = ws.id_of("vpcep_endpoint.orders");
    let db = rusqlite::Connection::open(ws.path().join(".vpcep/cloud.db")).unwrap();
    db.execute("DELETE FROM endpoints WHERE id = ?1", [&endpoint])
        .unwrap();
    ws.expect(&["refresh"], 1);
    let out = ws.expect(&["refresh", "--forget-missing"], 0);
    assert!(
        out.stdout
            .contains("vpcep_endpoint.orders: deleted outside vpcep; removed from the state"),
        "{}",
        out.stdout
    );
    let list = ws.expect(&["state", "list"], 0).stdout;
    assert!(!list.contains("vpcep_endpoint.orders"), "{list}");
}

/// Case 3: with a provider alias removed from the configuration, `plan` refused, but
/// `refresh` went around the rule and dropped the alias's resources from the state.
#[test]
fn refresh_keeps_the_rule_for_providers_the_configuration_no_longer_declares() {
    let ws = cross_account_applied();
    let stored = ws.read("vpcep.state.json");
    let config = ws.read("main.hcl");
    let start = config.find("provider \"sim\" {\n  alias").unwrap();
    let end = start + config[start..].find("}\n").unwrap() + 2;
    let cut = config.find("# The partner's lookup").unwrap();
    let stop = config.find("resource \"vpcep_approval\"").unwrap();
    ws.write(
        "main.hcl",
        &format!(
            "{}{}{}",
            &config[..start],
            &config[end..cut],
            &config[stop..config.find("output \"partner_dns_name\"").unwrap()]
        )
        .replace("endpoints  = [vpcep_endpoint.orders.id]", "endpoints  = []"),
    );
    for args in [
        &["refresh"][..],
        &["apply", "--refresh-only", "--auto-approve"],
        &["plan"],
    ] {
        let out = ws.expect(args, 1);
        assert!(
            out.stderr
                .contains("the state records resources of providers this configuration no longer declares: `vpcep_endpoint.orders` (provider `sim.partner`)"),
            "{args:?}: {}",
            out.stderr
        );
        assert_eq!(
            ws.read("vpcep.state.json"),
            stored,
            "{args:?} wrote the state"
        );
    }
}

/// `plan --refresh-only` shows only what changed outside vpcep, with the detailed exit code
/// a scheduled job needs; `apply --refresh-only` records it; in all three renderings.
#[test]
fn refresh_only_plans_and_applies_only_what_changed_outside() {
    let ws = cross_account_applied();
    ws.expect(&["plan", "--refresh-only", "--detailed-exitcode"], 0);
    ws.write(
        "two.hcl",
        "resource \"vpcep_service\" \"two\" {\n  server_type = \"LB\"\n  port_id = \"port-two\"\n  vpc_id = \"vpc-two\"\n  port {\n    server_port = 80\n    client_port = 80\n  }\n}\n",
    );
    ws.expect(&["apply", "--auto-approve"], 0);
    let two = ws.id_of("vpcep_service.two");
    let db = rusqlite::Connection::open(ws.path().join(".vpcep/cloud.db")).unwrap();
    db.execute("DELETE FROM services WHERE id = ?1", [&two])
        .unwrap();
    // A change of the configuration is no drift: refresh-only does not plan it.
    ws.edit(
        "main.hcl",
        "Order intake for the partner",
        "Orders, changed",
    );
    let out = ws.expect(&["plan", "--refresh-only", "--detailed-exitcode"], 2);
    assert!(
        out.stdout.contains("# vpcep_service.two has been deleted"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("This is a refresh-only plan"),
        "{}",
        out.stdout
    );
    assert!(
        !out.stdout.contains("will perform the following actions"),
        "{}",
        out.stdout
    );
    assert!(
        !out.stdout.contains("planned to be created again"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("Refresh-only plan: 1 object changed outside vpcep"),
        "{}",
        out.stdout
    );
    let json = ws.expect(&["plan", "--refresh-only", "--format", "json"], 0);
    let doc: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(doc["summary"]["refresh_only"], true);
    assert_eq!(doc["resource_drift"][0]["address"], "vpcep_service.two");
    assert_eq!(
        doc["resource_changes"].as_array().map_or(0, Vec::len),
        0,
        "{doc}"
    );
    let md = ws.expect(&["plan", "--refresh-only", "--format", "markdown"], 0);
    assert!(md.stdout.contains("a refresh-only plan"), "{}", md.stdout);
    assert!(
        md.stdout.contains("`vpcep_service.two` deleted"),
        "{}",
        md.stdout
    );
    // Not saved: a refresh-only plan is applied with `apply --refresh-only`.
    let out = ws.expect(&["plan", "--refresh-only", "--out", "p.plan"], 1);
    assert!(
        out.stderr.contains("apply --refresh-only"),
        "{}",
        out.stderr
    );
    let serial = ws.serial();
    ws.expect(&["apply", "--refresh-only"], 1);
    assert_eq!(
        ws.serial(),
        serial,
        "nothing is recorded without confirmation"
    );
    let out = ws.expect(&["apply", "--refresh-only", "--auto-approve"], 0);
    assert!(
        out.stdout
            .contains("Apply complete! Resources: 0 added, 0 changed, 0 destroyed.")
    );
    assert!(
        !ws.expect(&["state", "list"], 0)
            .stdout
            .contains("vpcep_service.two")
    );
    // The description changed in the configuration only: no cloud call changed it.
    let show = ws
        .expect(&["state", "show", "vpcep_service.orders"], 0)
        .stdout;
    assert!(show.contains("Order intake for the partner"), "{show}");
    ws.expect(&["plan", "--refresh-only", "--detailed-exitcode"], 0);
    // Terraform's spelling.
    ws.expect(&["plan", "-refresh-only", "-detailed-exitcode"], 0);
}

/// An owner's configuration: the service, its own endpoint, and an approval listing the own
/// endpoint by reference and partners' endpoints through a variable (`concat`, so the list is
/// known only after apply whenever the own endpoint is replaced).
const OWNER_WITH_PARTNERS: &str = r#"
provider "sim" {
  path      = ".vpcep/cloud.db"
  domain_id = "0d0e0f00000000000000000000000001"
}

variable "partner_endpoints" {
  type    = list(string)
  default = []
}

resource "vpcep_service" "orders" {
  name        = "orders"
  server_type = "LB"
  port_id     = "port-orders"
  vpc_id      = "vpc-owner"
  whitelist   = ["5f1c0d2e3b4a49687766554433221100"]

  port {
    server_port = 8443
    client_port = 443
  }
}

resource "vpcep_endpoint" "own" {
  service_id = vpcep_service.orders.id
  vpc_id     = "vpc-own"
  subnet_id  = "subnet-own"
}

resource "vpcep_approval" "orders" {
  service_id = vpcep_service.orders.id
  endpoints  = concat([vpcep_endpoint.own.id], var.partner_endpoints)
}
"#;

/// The owner, with a partner's endpoint (its own configuration, in the partner's account)
/// accepted through the variable. Returns the owner, the partner and the partner's endpoint ID.
fn owner_accepting_a_partner() -> (Workspace, Workspace, String) {
    let owner = Workspace::new();
    owner.write("main.hcl", OWNER_WITH_PARTNERS);
    owner.expect(&["apply", "--auto-approve"], 0);
    let service = owner.id_of("vpcep_service.orders");
    let partner = Workspace::new();
    partner.write(
        "main.hcl",
        &format!(
            "provider \"sim\" {{\n  path      = \"{}\"\n  domain_id = \"{PARTNER}\"\n}}\n\nresource \"vpcep_endpoint\" \"p\" {{\n  service_id = \"{service}\"\n  vpc_id     = \"vpc-partner\"\n  subnet_id  = \"subnet-partner\"\n}}\n",
            owner.path().join(".vpcep/cloud.db").display()
        ),
    );
    partner.expect(&["apply", "--auto-approve"], 0);
    let endpoint = partner.id_of("vpcep_endpoint.p");
    owner.write(
        "vpcep.vars",
        &format!("partner_endpoints = [\"{endpoint}\"]\n"),
    );
    owner.expect(&["apply", "--auto-approve"], 0);
    owner.expect(&["plan", "--detailed-exitcode"], 0);
    (owner, partner, endpoint)
}

/// Case 2: `apply --replace` of a service with `--allow-disconnect` planned clean, deleted
/// the service (the partner's endpoint went with it, and the plan never said so), and failed
/// re-creating the approval with `EndPoint.2006`. Now the plan says the endpoint goes with
/// the service and refuses the approval that would accept it, before anything changes; the
/// refusal's way out (drop the endpoint first) then applies to the end.
#[test]
fn replacing_a_service_says_what_goes_with_it_and_never_ends_half_done() {
    let (owner, _partner, endpoint) = owner_accepting_a_partner();
    let stored = owner.read("vpcep.state.json");
    let args = [
        "apply",
        "--auto-approve",
        "--replace",
        "vpcep_service.orders",
        "--allow-disconnect",
        "vpcep_approval.orders",
    ];
    let out = owner.expect(&args, 1);
    assert!(
        out.stdout.contains(&format!(
            "`vpcep_approval.orders` rejects endpoint {endpoint} of account {PARTNER} (accepted): the approval is replaced; then `vpcep_service.orders` is replaced, and the cloud deletes the endpoint's connection with it"
        )),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains(&format!(
            "may still list the endpoint {endpoint} of account {PARTNER}, which this plan removes from the cloud with `vpcep_service.orders`"
        )),
        "{}",
        out.stdout
    );
    assert!(!out.stdout.contains("Destroying..."), "{}", out.stdout);
    assert_eq!(owner.read("vpcep.state.json"), stored);
    // The way out: the endpoint leaves the approval (an explicit disconnection), then the
    // replacement applies to the end and converges.
    owner.write("vpcep.vars", "partner_endpoints = []\n");
    owner.expect(&["apply", "--auto-approve"], 0);
    let replaced = owner.expect(
        &[
            "apply",
            "--auto-approve",
            "--replace",
            "vpcep_service.orders",
        ],
        0,
    );
    assert!(
        replaced
            .stdout
            .contains("Apply complete! Resources: 3 added, 0 changed, 3 destroyed."),
        "{}",
        replaced.stdout
    );
    owner.expect(&["plan", "--detailed-exitcode"], 0);
}

/// Case 2, the other half: a waiting or rejected partner's endpoint that no approval
/// mentions goes with a destroyed service without asking, but never without a line.
#[test]
fn a_destroyed_service_lists_the_partner_endpoints_it_takes_along() {
    let (owner, _partner, endpoint) = owner_accepting_a_partner();
    // Explicitly rejected first: no longer live, so nothing refuses the destroy.
    owner.write("vpcep.vars", "partner_endpoints = []\n");
    owner.expect(&["apply", "--auto-approve"], 0);
    let out = owner.expect(&["plan", "--destroy"], 0);
    assert!(
        out.stdout.contains(&format!(
            "`vpcep_service.orders` takes along endpoint {endpoint} of account {PARTNER} (rejected): the service is deleted, and the cloud deletes the endpoint's connection with it"
        )),
        "{}",
        out.stdout
    );
    let json = owner.expect(&["plan", "--destroy", "--format", "json"], 0);
    let doc: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(
        doc["disconnections"][0]["endpoint_id"],
        endpoint.as_str(),
        "{doc}"
    );
    assert_eq!(doc["disconnections"][0]["address"], "vpcep_service.orders");
}

/// Case 6: removing `provider = sim.partner` from a recorded endpoint planned "No changes"
/// (the argument alone), or sent its delete to the default provider's account, whose "not
/// found" counted as deleted: the partner's endpoint stayed live and untracked. A resource
/// belongs to the provider that made it: a move is a replacement, deleted through the old
/// provider and created through the new one.
#[test]
fn a_resource_moved_to_another_provider_is_replaced_through_both() {
    let ws = cross_account_applied();
    let old = ws.id_of("vpcep_endpoint.orders");
    let config = ws.read("main.hcl");
    let at = config.find("resource \"vpcep_endpoint\"").unwrap();
    ws.write(
        "main.hcl",
        &format!(
            "{}{}",
            &config[..at],
            config[at..].replacen("  provider   = sim.partner\n", "", 1)
        ),
    );
    let plan = ws.expect(&["plan", "--detailed-exitcode"], 2);
    assert!(
        plan.stdout.contains(
            "# vpcep_endpoint.orders must be replaced (its provider changes from `sim.partner` to the default provider"
        ),
        "{}",
        plan.stdout
    );
    // Through a saved plan: the file carries which provider deletes.
    ws.expect(&["plan", "--out", "moved.plan"], 0);
    ws.expect(&["apply", "moved.plan"], 0);
    let db = rusqlite::Connection::open(ws.path().join(".vpcep/cloud.db")).unwrap();
    let live: Vec<(String, String)> = db
        .prepare("SELECT id, domain_id FROM endpoints")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(
        !live.iter().any(|(id, _)| *id == old),
        "the partner's endpoint stayed live and untracked: {live:?}"
    );
    let new = ws.id_of("vpcep_endpoint.orders");
    assert_eq!(live, vec![(new, OWNER.to_owned())]);
    ws.expect(&["plan", "--detailed-exitcode"], 0);
}

/// Found by the model test: a service whose whitelist names its own account planned the
/// same update after every apply (the cloud does not list the owner). The entry is left out,
/// with a warning, and the plan after apply is empty.
#[test]
fn a_whitelist_naming_the_owner_converges_with_a_warning() {
    let ws = Workspace::new();
    ws.write(
        "main.hcl",
        &format!(
            "{}{}",
            providers(),
            service("billing", &format!("\"{OWNER}\", \"{PARTNER}\""))
        ),
    );
    let out = ws.expect(&["apply", "--auto-approve"], 0);
    assert!(
        out.stdout
            .contains("`vpcep_service.billing` lists its own account in its whitelist"),
        "{}",
        out.stdout
    );
    ws.expect(&["plan", "--detailed-exitcode"], 0);
}

/// Case 1 in the shape of `examples/cross-account`: the partner finds the service through a
/// data source, so its ID is known only after apply; the endpoint waits for exactly that one
/// service, and the rule judges it by that service's whitelist.
#[test]
fn an_alias_endpoint_through_a_data_source_is_judged_by_the_services_whitelist() {
    let ws = Workspace::example("cross-account");
    ws.edit(
        "main.hcl",
        "  whitelist   = [var.partner_account]\n",
        "  whitelist   = []\n",
    );
    let out = ws.expect(&["plan"], 1);
    assert!(
        out.stdout.contains(&format!(
            "`vpcep_endpoint.orders` (provider `sim.partner`) would connect from account {PARTNER} to `vpcep_service.orders`, whose whitelist does not admit that account"
        )),
        "{}",
        out.stdout
    );
    let apply = ws.expect(&["apply", "--auto-approve"], 1);
    assert!(!apply.stdout.contains("Creating..."), "{}", apply.stdout);
    // As the example is, it applies.
    let ws = Workspace::example("cross-account");
    ws.expect(&["apply", "--auto-approve"], 0);
}
