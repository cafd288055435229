//! `vpcep state mv`: renaming in the configuration and moving in the state leaves nothing to
//! do in the cloud; a resource keeps its ID, and what depends on it follows it.

use super::harness::{Workspace, vpcep};

#[test]
fn a_renamed_resource_moved_in_the_state_plans_no_changes() {
    let ws = Workspace::example("partner-sharing");
    ws.expect(&["apply", "--auto-approve"], 0);
    let id = ws.state()["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["address"] == "vpcep_service.orders")
        .map(|r| r["id"].clone())
        .expect("recorded");
    let serial = ws.serial();
    let out = ws.expect(
        &["state", "mv", "vpcep_service.orders", "vpcep_service.sales"],
        0,
    );
    assert!(
        out.stdout
            .contains("Moved vpcep_service.orders to vpcep_service.sales"),
        "{}",
        out.stdout
    );
    assert_eq!(ws.serial(), serial + 1);
    let text = ws
        .read("main.hcl")
        .replace("vpcep_service.orders", "vpcep_service.sales");
    ws.write(
        "main.hcl",
        &text.replace(
            "resource \"vpcep_service\" \"orders\"",
            "resource \"vpcep_service\" \"sales\"",
        ),
    );
    ws.expect(&["plan", "--detailed-exitcode"], 0);
    let state = ws.state();
    let records = state["resources"].as_array().unwrap();
    let moved = records
        .iter()
        .find(|r| r["address"] == "vpcep_service.sales")
        .expect("moved");
    assert_eq!(moved["id"], id);
    // What depended on the service depends on it under its new name.
    assert!(
        records
            .iter()
            .all(|r| !r.to_string().contains("vpcep_service.orders")),
        "{state:#}"
    );
}

#[test]
fn an_instance_moves_out_of_for_each_and_back() {
    let ws = Workspace::example("fleet");
    ws.expect(&["apply", "--auto-approve"], 0);
    let listed = ws.expect(&["state", "list"], 0).stdout;
    let first = listed
        .lines()
        .find(|l| l.starts_with("vpcep_service.fleet["))
        .expect("a fleet instance")
        .to_owned();
    ws.expect(&["state", "mv", &first, "vpcep_service.single"], 0);
    let listed = ws.expect(&["state", "list"], 0).stdout;
    assert!(listed.contains("vpcep_service.single"), "{listed}");
    assert!(!listed.contains(&first), "{listed}");
    ws.expect(&["state", "mv", "vpcep_service.single", &first], 0);
    ws.expect(&["plan", "--detailed-exitcode"], 0);
}

#[test]
fn a_move_that_cannot_be_right_changes_nothing() {
    let ws = Workspace::example("partner-sharing");
    ws.expect(&["apply", "--auto-approve"], 0);
    let before = ws.read("vpcep.state.json");
    for (args, says) in [
        (
            vec!["vpcep_service.orders", "vpcep_endpoint.orders"],
            "moves only to an address of its own type",
        ),
        (
            vec!["vpcep_service.nothing", "vpcep_service.x"],
            "`vpcep_service.nothing` is not in the state",
        ),
        (
            vec!["vpcep_service.orders", "vpcep_service.orders"],
            "nothing was moved",
        ),
    ] {
        let mut full = vec!["state", "mv"];
        full.extend(&args);
        let out = vpcep(ws.path(), &full, &[]);
        assert_eq!(out.code, 1, "{args:?}: {}", out.stdout);
        assert!(out.stderr.contains(says), "{args:?}: {}", out.stderr);
    }
    assert_eq!(
        ws.read("vpcep.state.json"),
        before,
        "a refused move writes nothing"
    );
}

#[test]
fn a_move_onto_a_recorded_address_or_of_a_whole_for_each_into_a_key_is_refused() {
    let ws = Workspace::example("fleet");
    ws.expect(&["apply", "--auto-approve"], 0);
    let before = ws.read("vpcep.state.json");
    let listed = ws.expect(&["state", "list"], 0).stdout;
    let fleet: Vec<&str> = listed
        .lines()
        .filter(|l| l.starts_with("vpcep_service.fleet["))
        .collect();
    assert!(fleet.len() >= 2, "{listed}");
    let clash = vpcep(ws.path(), &["state", "mv", fleet[0], fleet[1]], &[]);
    assert_eq!(clash.code, 1);
    assert!(
        clash
            .stderr
            .contains("is in the state already; nothing was moved"),
        "{}",
        clash.stderr
    );
    let into_key = vpcep(
        ws.path(),
        &[
            "state",
            "mv",
            "vpcep_service.fleet",
            "vpcep_service.one[\"k\"]",
        ],
        &[],
    );
    assert_eq!(into_key.code, 1);
    assert!(
        into_key.stderr.contains("is recorded as instances"),
        "{}",
        into_key.stderr
    );
    assert_eq!(
        ws.read("vpcep.state.json"),
        before,
        "a refused move writes nothing"
    );
}
