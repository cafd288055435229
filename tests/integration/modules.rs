//! Modules through the binary: `examples/modules` (one module called with `for_each` and once
//! more for a second account through `providers`) plans, applies and converges; addresses
//! carry the module instance everywhere; a `moved` block renames an instance without a cloud
//! change; modules nest.

use super::harness::Workspace;

const ORDERS: &str = "module.published[\"orders\"].vpcep_service.this";

#[test]
fn the_modules_example_applies_converges_and_moves_an_instance_without_a_cloud_change() {
    let ws = Workspace::example("modules");
    let plan = ws.expect(&["plan"], 0);
    assert!(
        plan.stdout.contains(&format!("# {ORDERS} will be created"))
            && plan.stdout.contains(
                "# module.published_emea.vpcep_service.this will be created [provider sim.emea]"
            )
            && plan.stdout.contains("resource \"vpcep_service\" \"this\"")
            && plan
                .stdout
                .contains("Plan: 6 to add, 0 to change, 0 to destroy."),
        "{}",
        plan.stdout
    );
    let json = ws.expect(&["plan", "--format", "json"], 0);
    let v: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let change = super::harness::resource_change(&v, ORDERS);
    assert_eq!(change["module_address"], "module.published[\"orders\"]");
    assert_eq!(change["name"], "this");
    let children = v["planned_values"]["root_module"]["child_modules"]
        .as_array()
        .unwrap();
    assert!(
        children
            .iter()
            .any(|c| c["address"] == "module.published_emea"),
        "{children:?}"
    );
    assert!(v["configuration"]["root_module"]["module_calls"]["published"].is_object());

    let applied = ws.expect(&["apply", "--auto-approve"], 0);
    assert!(
        applied.stdout.contains("inventory = \"sim-1.inventory."),
        "{}",
        applied.stdout
    );
    ws.expect(&["plan", "--detailed-exitcode"], 0);
    // The second account's service is in the second account.
    let state = ws.state();
    let emea = state["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["address"] == "module.published_emea.vpcep_service.this")
        .unwrap();
    assert_eq!(emea["provider"], "sim.emea", "{emea}");
    let id = ws.id_of(ORDERS);

    // A target names a module's resource.
    let target = ws.expect(&["plan", "--target", ORDERS, "--replace", ORDERS], 0);
    assert!(
        target
            .stdout
            .contains("1 to add, 0 to change, 1 to destroy"),
        "{}",
        target.stdout
    );

    // Rename the instance: the key changes, a `moved` block says so, and the cloud is not
    // asked for anything but the name the key gives the service.
    ws.edit("main.hcl", "    orders = {", "    orders-eu = {");
    ws.write(
        "moved.hcl",
        "moved {\n  from = module.published[\"orders\"]\n  to   = module.published[\"orders-eu\"]\n}\n",
    );
    ws.edit(
        "main.hcl",
        "  name     = each.key\n",
        "  name     = each.key == \"orders-eu\" ? \"orders\" : each.key\n",
    );
    let moved = ws.expect(&["plan", "--detailed-exitcode"], 2);
    assert!(
        moved.stdout.contains(&format!(
            "# {ORDERS} has moved to module.published[\"orders-eu\"].vpcep_service.this"
        )) && moved
            .stdout
            .contains("Plan: 0 to add, 0 to change, 0 to destroy, 2 to move."),
        "{}",
        moved.stdout
    );
    ws.expect(&["apply", "--auto-approve"], 0);
    assert_eq!(
        ws.id_of("module.published[\"orders-eu\"].vpcep_service.this"),
        id
    );
    ws.expect(&["plan", "--detailed-exitcode"], 0);

    // And down again, across both accounts.
    ws.expect(&["destroy", "--auto-approve"], 0);
    assert!(ws.state()["resources"].as_array().unwrap().is_empty());
}

#[test]
fn modules_nest_and_their_outputs_flow_back() {
    let ws = Workspace::new();
    std::fs::create_dir_all(ws.path().join("modules/outer/inner")).unwrap();
    ws.write(
        "modules/outer/inner/main.hcl",
        "variable \"port\" {\n  type = string\n}\n\nresource \"vpcep_service\" \"svc\" {\n  server_type = \"LB\"\n  port_id     = var.port\n  vpc_id      = \"vpc-1\"\n\n  port {\n    server_port = 80\n    client_port = 80\n  }\n}\n\noutput \"id\" {\n  value = vpcep_service.svc.id\n}\n",
    );
    ws.write(
        "modules/outer/main.hcl",
        "variable \"ports\" {\n  type = list(string)\n}\n\nmodule \"inner\" {\n  source = \"./inner\"\n  count  = length(var.ports)\n  port   = var.ports[count.index]\n}\n\noutput \"ids\" {\n  value = module.inner[*].id\n}\n",
    );
    ws.write(
        "main.hcl",
        "module \"outer\" {\n  source = \"./modules/outer\"\n  ports  = [\"port-a\", \"port-b\"]\n}\n\nresource \"vpcep_endpoint\" \"e\" {\n  service_id = module.outer.ids[1]\n  vpc_id     = \"vpc-2\"\n  subnet_id  = \"subnet-2\"\n}\n",
    );
    let plan = ws.expect(&["plan"], 0);
    assert!(
        plan.stdout
            .contains("# module.outer.module.inner[1].vpcep_service.svc will be created"),
        "{}",
        plan.stdout
    );
    ws.expect(&["apply", "--auto-approve"], 0);
    let service = ws.id_of("module.outer.module.inner[1].vpcep_service.svc");
    let state = ws.state();
    let endpoint = state["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["address"] == "vpcep_endpoint.e")
        .unwrap();
    assert_eq!(endpoint["attributes"]["service_id"], service.as_str());
    ws.expect(&["plan", "--detailed-exitcode"], 0);
}

#[test]
fn a_module_reads_its_data_sources_per_instance() {
    let ws = Workspace::new();
    std::fs::create_dir_all(ws.path().join("modules/obs")).unwrap();
    ws.write(
        "modules/obs/main.hcl",
        "variable \"vpc_id\" {\n  type = string\n}\n\ndata \"vpcep_public_services\" \"obs\" {\n  service_name = \"obs\"\n}\n\nresource \"vpcep_endpoint\" \"obs\" {\n  service_id = data.vpcep_public_services.obs.ids[0]\n  vpc_id     = var.vpc_id\n}\n\noutput \"service\" {\n  value = data.vpcep_public_services.obs.services[0].service_name\n}\n",
    );
    ws.write(
        "main.hcl",
        "module \"storage\" {\n  source   = \"./modules/obs\"\n  for_each = toset([\"vpc-a\", \"vpc-b\"])\n  vpc_id   = each.key\n}\n\noutput \"services\" {\n  value = [for m in module.storage : m.service]\n}\n",
    );
    let applied = ws.expect(&["apply", "--auto-approve"], 0);
    assert!(
        applied.stdout.contains("services = [\"sim-1.obs.") && applied.stdout.contains("2 added"),
        "{}",
        applied.stdout
    );
    ws.expect(&["plan", "--detailed-exitcode"], 0);
}

#[test]
fn a_module_file_that_cannot_be_read_is_an_error_not_a_deletion() {
    // It used to be left out silently, and the plan destroyed what it declared.
    let ws = Workspace::new();
    ws.write("modules/pair/a.hcl", &super::harness::services_hcl("a", 1));
    ws.write("modules/pair/b.hcl", &super::harness::services_hcl("b", 1));
    ws.write(
        "main.hcl",
        "module \"pair\" {\n  source = \"./modules/pair\"\n}\n",
    );
    ws.expect(&["apply", "--auto-approve"], 0);
    let b = ws.path().join("modules/pair/b.hcl");
    std::fs::remove_file(&b).unwrap();
    std::os::unix::fs::symlink(ws.path().join("nowhere.hcl"), &b).unwrap();
    let out = ws.expect(&["plan"], 1);
    assert!(
        out.stderr.contains("cannot read the configuration file")
            && out.stderr.contains("modules/pair/b.hcl")
            && out.stderr.contains("main.hcl:2:12"),
        "{}",
        out.stderr
    );
    assert!(!out.stdout.contains("destroyed"), "{}", out.stdout);
}
