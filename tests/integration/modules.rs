//! Modules through the binary: modules nest and their outputs flow back, data sources are read
//! per instance, and a module file that cannot be read is an error, not a deletion. The modules
//! example end to end (addresses, two accounts, a moved instance) is the `modules` transcript.

use super::harness::Workspace;

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
