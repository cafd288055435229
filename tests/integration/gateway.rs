//! Gateway endpoints (route tables, policy statements), the endpoint's own whitelist switch and
//! enterprise projects, through the binary: what the cloud chooses when the configuration
//! leaves it out is read back and never planned as a change; what only a gateway endpoint
//! takes is refused for an interface one before anything is created.

use super::harness::{EmulatorProcess, Workspace, vpcep};

/// The recorded attributes of `address`.
fn attrs(ws: &Workspace, address: &str) -> serde_json::Value {
    ws.state()["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["address"] == address)
        .unwrap_or_else(|| panic!("{address} is not recorded"))["attributes"]
        .clone()
}

const VPC: &str = "3e2f7a10-4b5c-4d6e-8f90-a1b2c3d4e5f6";

#[test]
fn a_gateway_endpoint_routes_through_the_default_table_with_its_policy_and_then_plans_nothing() {
    let ws = Workspace::example("public-service");
    let applied = ws.expect(&["apply", "--auto-approve"], 0);
    let table = vpcep::cloud::sim::default_route_table(VPC);
    // The cloud chose the table; references read it.
    assert!(
        applied
            .stdout
            .contains(&format!("object_storage_route_tables = [\"{table}\"]")),
        "{}",
        applied.stdout
    );
    let recorded = attrs(&ws, "vpcep_endpoint.object_storage");
    assert_eq!(recorded["route_tables"], serde_json::json!([table]));
    assert_eq!(
        recorded["policy_statement"],
        serde_json::json!([{
            "effect": "Allow",
            "action": ["obs:object:GetObject", "obs:object:PutObject"],
            "resource": ["orders-exports/*"],
        }])
    );
    // Unset in the configuration, chosen by the cloud: not a change.
    ws.expect(&["plan", "--detailed-exitcode"], 0);
    ws.expect(&["plan", "--detailed-exitcode", "--refresh=false"], 0);
    let shown = ws.expect(&["show"], 0);
    assert!(
        shown.stdout.contains(&format!("  route tables:  {table}\n"))
            && shown.stdout.contains(
                "  policy:        Allow obs:object:GetObject, obs:object:PutObject on orders-exports/*\n"
            ),
        "{}",
        shown.stdout
    );

    // A policy is fixed at create: a change is refused, naming it, unless replaced.
    ws.edit("main.hcl", "effect   = \"Allow\"", "effect   = \"Deny\"");
    let refused = ws.expect(&["plan"], 1);
    assert!(
        refused.stdout.contains("policy_statement"),
        "{}",
        refused.stdout
    );
    ws.expect(
        &[
            "apply",
            "--auto-approve",
            "--replace",
            "vpcep_endpoint.object_storage",
        ],
        0,
    );
    assert_eq!(
        attrs(&ws, "vpcep_endpoint.object_storage")["policy_statement"][0]["effect"],
        "Deny"
    );
    ws.expect(&["plan", "--detailed-exitcode"], 0);
}

#[test]
fn named_route_tables_are_used_and_kept() {
    let ws = Workspace::example("public-service");
    ws.edit(
        "main.hcl",
        "  vpc_id     = var.vpc_id\n\n  policy_statement",
        "  vpc_id     = var.vpc_id\n  route_tables = [\"rt-b\", \"rt-a\"]\n\n  policy_statement",
    );
    ws.expect(&["apply", "--auto-approve"], 0);
    let recorded = attrs(&ws, "vpcep_endpoint.object_storage");
    assert_eq!(
        recorded["route_tables"],
        serde_json::json!(["rt-a", "rt-b"])
    );
    // A set: the order written does not matter.
    ws.expect(&["plan", "--detailed-exitcode"], 0);
    ws.edit("main.hcl", "[\"rt-b\", \"rt-a\"]", "[\"rt-a\"]");
    let refused = ws.expect(&["plan"], 1);
    assert!(
        refused.stdout.contains("route_tables"),
        "{}",
        refused.stdout
    );
}

#[test]
fn route_tables_for_another_accounts_interface_service_are_refused_at_plan() {
    // The simulated cloud's public DNS service is an interface service of the operators'
    // account: only the cloud knows its type, so the plan asks it.
    let ws = Workspace::new();
    ws.write(
        "main.hcl",
        "resource \"vpcep_endpoint\" \"dns\" {\n  service_id   = \"0d500000-0000-4000-8000-00000000000d\"\n  vpc_id       = \"vpc-1\"\n  subnet_id    = \"subnet-1\"\n  route_tables = [\"rt-1\"]\n}\n",
    );
    let out = ws.expect(&["plan"], 1);
    assert!(
        out.stdout.contains(
            "`vpcep_endpoint.dns` sets `route_tables`, but the endpoint service 0d500000-0000-4000-8000-00000000000d is an interface service; route tables and policies are only for endpoints of gateway services"
        ),
        "{}",
        out.stdout
    );
    let json = ws.expect(&["plan", "--format", "json"], 1);
    assert!(json.stdout.contains("\"gateway_only\""), "{}", json.stdout);
    // Nothing was created: apply refuses the same way.
    ws.expect(&["apply", "--auto-approve"], 1);
    let config = vpcep::model::SimConfig::default();
    let sim = vpcep::cloud::sim::Sim::open(&config, ws.path()).unwrap();
    let listed = vpcep::cloud::Cloud::list_endpoints(&sim).unwrap();
    assert!(listed.is_empty(), "{listed:?}");
}

#[test]
fn the_operators_own_gateway_takes_a_policy_and_is_never_deleted() {
    // Found by the model test: the operators' account connecting to its own gateway service
    // was refused as if every service of the account were an interface service, and the
    // simulated cloud deleted a cloud-operated service it was asked to.
    let obs = "0b500000-0000-4000-8000-00000000000b";
    let ws = Workspace::new();
    let provider = format!(
        "provider \"sim\" {{\n  domain_id = \"{}\"\n}}\n",
        vpcep::cloud::sim::OPERATOR_DOMAIN
    );
    let endpoint = format!(
        "resource \"vpcep_endpoint\" \"storage\" {{\n  service_id = \"{obs}\"\n  vpc_id     = \"vpc-1\"\n  policy_statement {{\n    effect   = \"Allow\"\n    action   = [\"obs:object:GetObject\"]\n    resource = [\"exports/*\"]\n  }}\n}}\n"
    );
    ws.write("main.hcl", &(provider.clone() + &endpoint));
    ws.expect(&["apply", "--auto-approve"], 0);

    // The gateway, adopted into the state (as a hand-edited state would have it), is never
    // planned for deletion: the plan says how to let go of it instead.
    let service = "resource \"vpcep_service\" \"storage\" {\n  server_type = \"VIP\"\n  port_id     = \"x\"\n  vpc_id      = \"operator-vpc\"\n  port {\n    server_port = 443\n    client_port = 443\n  }\n}\n";
    ws.write("main.hcl", &(provider.clone() + &endpoint + service));
    ws.expect(&["import", "vpcep_service.storage", obs], 0);
    ws.write("main.hcl", &(provider + &endpoint));
    let refused = ws.expect(&["plan"], 1);
    assert!(
        refused.stdout.contains(
            "`vpcep_service.storage` is a gateway service, operated by the cloud; it cannot be deleted"
        ) && refused.stdout.contains("vpcep state rm vpcep_service.storage"),
        "{}",
        refused.stdout
    );
    // And the cloud agrees, whoever asks.
    let config = vpcep::model::SimConfig {
        domain_id: vpcep::cloud::sim::OPERATOR_DOMAIN.to_owned(),
        project_id: vpcep::cloud::sim::OPERATOR_DOMAIN.to_owned(),
        ..vpcep::model::SimConfig::default()
    };
    let sim = vpcep::cloud::sim::Sim::open(&config, ws.path()).unwrap();
    for public in vpcep::cloud::Cloud::list_public_services(&sim).unwrap() {
        let e = vpcep::cloud::Cloud::delete_service(&sim, &public.id).unwrap_err();
        assert_eq!(e.code, "EndPoint.3005", "{e:?}");
    }
}

/// An owner's service and two of its own endpoints: one enforcing its whitelist as vpcep
/// always did (on when it has entries), one with the whitelist switched off.
fn whitelist_switch_config(provider: &str) -> String {
    format!(
        "{provider}\nresource \"vpcep_service\" \"api\" {{\n  server_type           = \"LB\"\n  port_id               = \"port-api\"\n  vpc_id                = \"vpc-1\"\n  approval_enabled      = false\n  enterprise_project_id = \"6c1f3e8a-5d2b-4e7f-9a0c-1b2d3e4f5a6b\"\n\n  port {{\n    server_port = 8080\n    client_port = 80\n  }}\n}}\n\n\
         resource \"vpcep_endpoint\" \"enforced\" {{\n  service_id = vpcep_service.api.id\n  vpc_id     = \"vpc-2\"\n  subnet_id  = \"subnet-2\"\n  whitelist  = [\"10.0.0.0/24\"]\n}}\n\n\
         resource \"vpcep_endpoint\" \"open\" {{\n  service_id            = vpcep_service.api.id\n  vpc_id                = \"vpc-2\"\n  subnet_id             = \"subnet-2\"\n  whitelist             = [\"10.0.1.0/24\"]\n  enable_whitelist      = false\n  enterprise_project_id = \"6c1f3e8a-5d2b-4e7f-9a0c-1b2d3e4f5a6b\"\n}}\n"
    )
}

fn whitelist_switch_and_projects(ws: &Workspace, env: &[(&str, &str)]) {
    let run = |args: &[&str], code: i32| {
        let out = vpcep(ws.path(), args, env);
        assert_eq!(out.code, code, "vpcep {args:?}:\n{}", out.transcript());
        out
    };
    let applied = run(&["apply", "--auto-approve"], 0);
    assert!(
        applied
            .stderr
            .contains("`vpcep_endpoint.open` has a whitelist, but `enable_whitelist = false`"),
        "the contradiction is warned about: {}",
        applied.transcript()
    );
    let enforced = attrs(ws, "vpcep_endpoint.enforced");
    let open = attrs(ws, "vpcep_endpoint.open");
    assert_eq!(enforced["enable_whitelist"], true);
    assert_eq!(open["enable_whitelist"], false);
    assert_eq!(enforced["enterprise_project_id"], "0");
    assert_eq!(
        open["enterprise_project_id"],
        "6c1f3e8a-5d2b-4e7f-9a0c-1b2d3e4f5a6b"
    );
    assert_eq!(
        attrs(ws, "vpcep_service.api")["enterprise_project_id"],
        "6c1f3e8a-5d2b-4e7f-9a0c-1b2d3e4f5a6b"
    );
    run(&["plan", "--detailed-exitcode"], 0);
    let shown = run(&["show"], 0);
    assert!(
        shown
            .stdout
            .contains("  whitelist:     10.0.1.0/24 (not enforced: enable_whitelist is off)\n")
            && shown
                .stdout
                .contains("  enterprise project: 6c1f3e8a-5d2b-4e7f-9a0c-1b2d3e4f5a6b\n"),
        "{}",
        shown.stdout
    );
    // Fixed at create, as the rest of an endpoint.
    let config = std::fs::read_to_string(ws.path().join("main.hcl")).unwrap();
    std::fs::write(
        ws.path().join("main.hcl"),
        config.replace(
            "enable_whitelist      = false",
            "enable_whitelist      = true",
        ),
    )
    .unwrap();
    let refused = run(&["plan"], 1);
    assert!(
        refused.stdout.contains("enable_whitelist"),
        "{}",
        refused.stdout
    );
    std::fs::write(ws.path().join("main.hcl"), config).unwrap();
    run(&["destroy", "--auto-approve"], 0);
}

#[test]
fn the_whitelist_switch_and_enterprise_projects_on_the_simulator() {
    let ws = Workspace::new();
    ws.write("main.hcl", &whitelist_switch_config(""));
    whitelist_switch_and_projects(&ws, &[]);
}

#[test]
fn the_whitelist_switch_and_enterprise_projects_over_the_api() {
    let emulator = EmulatorProcess::start(&["--token", "gateway-token"]);
    let ws = Workspace::new();
    ws.write(
        "main.hcl",
        &whitelist_switch_config(&emulator.provider("0a0b0c0d0e0f4a5b8c9d0e1f2a3b4c5d")),
    );
    whitelist_switch_and_projects(&ws, &[("OS_AUTH_TOKEN", "gateway-token")]);
}

#[test]
fn a_gateway_endpoint_over_the_api() {
    let emulator = EmulatorProcess::start(&["--token", "gateway-token"]);
    let ws = Workspace::example("public-service");
    let config = ws.read("main.hcl");
    ws.write(
        "main.hcl",
        &format!(
            "{}\n{config}",
            emulator.provider("0a0b0c0d0e0f4a5b8c9d0e1f2a3b4c5d")
        ),
    );
    let env = [("OS_AUTH_TOKEN", "gateway-token")];
    let out = vpcep(ws.path(), &["apply", "--auto-approve"], &env);
    assert_eq!(out.code, 0, "{}", out.transcript());
    let recorded = attrs(&ws, "vpcep_endpoint.object_storage");
    assert_eq!(
        recorded["route_tables"],
        serde_json::json!([vpcep::cloud::sim::default_route_table(VPC)])
    );
    assert_eq!(
        recorded["policy_statement"][0]["resource"][0],
        "orders-exports/*"
    );
    let out = vpcep(ws.path(), &["plan", "--detailed-exitcode"], &env);
    assert_eq!(out.code, 0, "{}", out.transcript());
}

/// Issue 27: on Huawei Cloud a gateway endpoint's route tables and policy change in place
/// (`PUT …/routetables`, `PUT …/policy`): the endpoint is kept and the next plan is empty.
#[test]
fn a_gateway_endpoints_route_tables_and_policy_change_in_place_on_huawei() {
    let emulator = EmulatorProcess::start(&["--token", "gateway-token", "--dialect", "huawei"]);
    let ws = Workspace::example("public-service");
    let config = ws.read("main.hcl");
    let provider = emulator
        .provider("0a0b0c0d0e0f4a5b8c9d0e1f2a3b4c5d")
        .replace("}\n", "  profile    = \"huawei\"\n}\n");
    ws.write("main.hcl", &format!("{provider}\n{config}"));
    let env = [("OS_AUTH_TOKEN", "gateway-token")];
    let out = vpcep(ws.path(), &["apply", "--auto-approve"], &env);
    assert_eq!(out.code, 0, "{}", out.transcript());
    let id = attrs(&ws, "vpcep_endpoint.object_storage")["id"].clone();
    ws.edit(
        "main.hcl",
        "  vpc_id     = var.vpc_id\n",
        "  vpc_id     = var.vpc_id\n  route_tables = [\"rtb-reports\"]\n",
    );
    ws.edit(
        "main.hcl",
        "action   = [\"obs:object:GetObject\", \"obs:object:PutObject\"]",
        "action   = [\"obs:object:GetObject\"]",
    );
    let plan = vpcep(ws.path(), &["plan", "--detailed-exitcode"], &env);
    assert_eq!(plan.code, 2, "{}", plan.transcript());
    assert!(
        plan.stdout
            .contains("# vpcep_endpoint.object_storage will be updated in-place"),
        "{}",
        plan.stdout
    );
    let out = vpcep(ws.path(), &["apply", "--auto-approve"], &env);
    assert_eq!(out.code, 0, "{}", out.transcript());
    let recorded = attrs(&ws, "vpcep_endpoint.object_storage");
    assert_eq!(recorded["id"], id, "the endpoint was kept");
    assert_eq!(recorded["route_tables"], serde_json::json!(["rtb-reports"]));
    assert_eq!(
        recorded["policy_statement"][0]["action"],
        serde_json::json!(["obs:object:GetObject"])
    );
    let out = vpcep(ws.path(), &["plan", "--detailed-exitcode"], &env);
    assert_eq!(out.code, 0, "{}", out.transcript());
}
