//! Saved plans are input like any other (issue 10, cases 9 and 16): an edited file is refused,
//! the rules run again at apply, and `--out` never overwrites what is not a saved plan.

use super::harness::{Workspace, services_hcl};

fn protected(n: usize) -> String {
    services_hcl("s", n).replace(
        "  approval_enabled = false\n",
        "  approval_enabled = false\n  lifecycle {\n    prevent_destroy = true\n  }\n",
    )
}

fn edit_plan(ws: &Workspace, name: &str, edit: impl FnOnce(&mut serde_json::Value)) {
    let mut plan: serde_json::Value = serde_json::from_str(&ws.read(name)).unwrap();
    edit(&mut plan);
    ws.write(name, &plan.to_string());
}

fn service_count(ws: &Workspace) -> usize {
    use vpcep::cloud::Cloud as _;
    let sim = vpcep::cloud::sim::Sim::open(&vpcep::model::SimConfig::default(), ws.path()).unwrap();
    sim.list_services().unwrap().len()
}

#[test]
fn an_edited_action_is_refused_and_prevent_destroy_holds() {
    let ws = Workspace::new();
    ws.write("main.hcl", &protected(3));
    ws.expect(&["apply", "--auto-approve"], 0);
    ws.edit("main.hcl", "port-s-0", "port-s-new");
    ws.expect(&["plan", "--out", "p.plan"], 0);
    edit_plan(&ws, "p.plan", |plan| {
        for change in plan["changes"].as_array_mut().unwrap() {
            change["action"] = "delete".into();
            change["after"] = serde_json::Value::Null;
            change["after_unknown"] = false.into();
        }
    });
    let out = ws.expect(&["apply", "p.plan"], 1);
    assert!(
        out.stderr
            .contains("was changed after `vpcep plan` wrote it"),
        "{}",
        out.stderr
    );
    assert_eq!(service_count(&ws), 3, "nothing was destroyed");
}

#[test]
fn an_edited_address_or_base_is_refused() {
    let ws = Workspace::new();
    ws.write("main.hcl", &services_hcl("s", 2));
    ws.expect(&["apply", "--auto-approve"], 0);
    ws.write("main.hcl", &services_hcl("s", 3));
    ws.expect(&["plan", "--out", "p.plan"], 0);
    let original = ws.read("p.plan");

    edit_plan(&ws, "p.plan", |plan| {
        plan["changes"][2]["address"] = "vpcep_service.not-a-valid-name!".into();
    });
    let out = ws.expect(&["apply", "p.plan"], 1);
    assert!(out.stderr.contains("cannot be applied"), "{}", out.stderr);

    // Another apply moves the state on; a plan edited to claim the new serial is still stale.
    ws.write("p.plan", &original);
    ws.write("main.hcl", &services_hcl("s", 4));
    ws.expect(&["apply", "--auto-approve"], 0);
    let serial = ws.serial();
    edit_plan(&ws, "p.plan", |plan| {
        plan["base"][1] = serial.into();
        plan["state"]["serial"] = serial.into();
    });
    let out = ws.expect(&["apply", "p.plan"], 1);
    assert!(out.stderr.contains("is stale"), "{}", out.stderr);
    edit_plan(&ws, "p.plan", |plan| {
        plan["base"][1] = (serial + 1).into();
    });
    let out = ws.expect(&["apply", "p.plan"], 1);
    assert!(
        out.stderr.contains("does not match its own record"),
        "{}",
        out.stderr
    );
    assert_eq!(service_count(&ws), 4);
}

#[test]
fn the_rules_run_again_when_a_saved_plan_is_applied() {
    let ws = Workspace::new();
    ws.write(
        "main.hcl",
        &("provider \"sim\" {\n  quota_services = 3\n}\n".to_owned() + &services_hcl("s", 2)),
    );
    ws.expect(&["apply", "--auto-approve"], 0);
    ws.write(
        "main.hcl",
        &("provider \"sim\" {\n  quota_services = 3\n}\n".to_owned() + &services_hcl("s", 3)),
    );
    ws.expect(&["plan", "--out", "p.plan"], 0);
    // Someone else in the account takes the last service of the quota meanwhile.
    let other = Workspace::new();
    std::fs::create_dir_all(other.path().join(".vpcep")).unwrap();
    other.write(
        "main.hcl",
        &format!(
            "provider \"sim\" {{\n  path = \"{}\"\n  quota_services = 3\n}}\n{}",
            ws.path().join(".vpcep/cloud.db").display(),
            services_hcl("other", 1)
        ),
    );
    other.expect(&["apply", "--auto-approve"], 0);
    let out = ws.expect(&["apply", "p.plan"], 1);
    assert!(out.stderr.contains("is refused now"), "{}", out.stderr);
    assert!(out.stderr.contains("quota"), "{}", out.stderr);
}

#[test]
fn plan_out_never_overwrites_configuration_state_or_other_files() {
    let ws = Workspace::new();
    ws.write("main.hcl", &services_hcl("s", 1));
    ws.expect(&["apply", "--auto-approve"], 0);
    ws.write("main.hcl", &services_hcl("s", 2));
    ws.write("notes.txt", "keep me");
    let state = ws.read("vpcep.state.json");
    let config = ws.read("main.hcl");
    for target in [
        "vpcep.state.json",
        "main.hcl",
        "other.hcl",
        "notes.txt",
        "vpcep.state.json.backup",
    ] {
        let out = ws.expect(&["plan", "--out", target], 1);
        assert!(
            out.stderr.contains("nothing was written"),
            "{target}: {}",
            out.stderr
        );
    }
    assert_eq!(ws.read("vpcep.state.json"), state);
    assert_eq!(ws.read("main.hcl"), config);
    assert_eq!(ws.read("notes.txt"), "keep me");
    assert!(!ws.path().join("other.hcl").exists());
    // An earlier saved plan is replaced.
    ws.expect(&["plan", "--out", "p.plan"], 0);
    ws.expect(&["plan", "--out", "p.plan"], 0);
    ws.expect(&["apply", "p.plan"], 0);
}
