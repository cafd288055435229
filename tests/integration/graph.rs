//! `vpcep graph`: the configuration's dependencies and a plan's changes, as DOT and mermaid,
//! against goldens in `testdata/graph/` (`SNAPSHOTS=overwrite` rewrites them).

use super::harness::{Workspace, check_expected, repo_root, vpcep};

fn golden(name: &str, actual: &str) {
    let path = repo_root().join("testdata/graph").join(name);
    if let Err(diff) = check_expected(&path, actual) {
        panic!("{diff}");
    }
}

#[test]
fn the_configuration_graph_has_one_node_per_resource_and_arrows_in_apply_order() {
    let dir = repo_root().join("testdata/graph/config");
    for (format, file) in [
        ("dot", "config/expected.dot"),
        ("mermaid", "config/expected.mermaid"),
    ] {
        let out = vpcep(&dir, &["graph", "--format", format], &[]);
        assert_eq!(out.code, 0, "{}", out.transcript());
        golden(file, &out.stdout);
    }
    // DOT is the default, as in Terraform.
    let default = vpcep(&dir, &["graph"], &[]);
    assert!(
        default.stdout.starts_with("digraph vpcep {"),
        "{}",
        default.stdout
    );
}

#[test]
fn a_plan_graph_colours_actions_orders_deletes_backwards_and_marks_refusals() {
    let ws = Workspace::new();
    let config =
        std::fs::read_to_string(repo_root().join("testdata/graph/config/main.hcl")).unwrap();
    ws.write("main.hcl", &config);
    ws.expect(&["plan", "--out", "p.plan"], 0);
    let saved = ws.expect(&["graph", "--plan", "p.plan", "--format", "mermaid"], 0);
    golden("plan-create.mermaid", &saved.stdout);
    ws.expect(&["apply", "p.plan"], 0);

    // Nothing to do: an empty graph.
    let empty = ws.expect(&["graph", "--plan", "--format", "mermaid"], 0);
    assert_eq!(empty.stdout, "flowchart LR\n");

    // Drop `stock` (its endpoint is deleted before it), drop the approval, and change the
    // audit service's port mapping, which the cloud refuses.
    ws.edit("main.hcl", "    \"stock\"  = 8081\n", "");
    ws.edit("main.hcl", "server_port = 9000", "server_port = 9001");
    let text = ws.read("main.hcl");
    let cut = text.find("resource \"vpcep_approval\"").unwrap();
    ws.write("main.hcl", &text[..cut]);
    let refused = ws.expect(&["graph", "--plan", "--format", "dot"], 0);
    golden("plan-refused.dot", &refused.stdout);
    let refused = ws.expect(&["graph", "--plan", "--format", "mermaid"], 0);
    golden("plan-refused.mermaid", &refused.stdout);
}

#[test]
fn graph_errors_name_what_to_fix() {
    let ws = Workspace::new();
    ws.write(
        "main.hcl",
        "resource \"vpcep_service\" \"a\" {\n  name = 1\n}\n",
    );
    let bad = ws.expect(&["graph"], 1);
    assert!(bad.stderr.contains("main.hcl:"), "{}", bad.stderr);
    assert!(bad.stderr.contains("nothing was drawn"), "{}", bad.stderr);
    let missing = ws.expect(&["graph", "--plan", "nope.plan"], 1);
    assert!(missing.stderr.contains("nope.plan"), "{}", missing.stderr);
    ws.write("not.plan", "hello");
    let garbage = ws.expect(&["graph", "--plan", "not.plan"], 1);
    assert!(
        garbage.stderr.contains("cannot be drawn"),
        "{}",
        garbage.stderr
    );
}
