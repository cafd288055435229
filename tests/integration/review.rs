//! Plan review and scripted applies: saved plans, JSON and markdown renderings, the apply event
//! stream and exit codes, through the binary.

use super::harness::Workspace;

#[test]
fn a_stale_saved_plan_is_refused_and_changes_nothing() {
    let ws = Workspace::example("fleet");
    ws.expect(&["plan", "--out", "first.vpcep"], 0);
    ws.expect(&["apply", "--auto-approve"], 0);
    let serial = ws.serial();
    let state = ws.read("vpcep.state.json");
    let out = ws.expect(&["apply", "first.vpcep"], 1);
    assert!(
        out.stderr.contains("the saved plan `first.vpcep` is stale"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("no state yet"), "{}", out.stderr);
    assert_eq!(ws.serial(), serial);
    assert_eq!(ws.read("vpcep.state.json"), state);

    // A plan made against serial N is stale once anything writes serial N+1.
    ws.edit(
        "main.hcl",
        "cost-center = \"cc-4711\"",
        "cost-center = \"cc-4712\"",
    );
    ws.expect(&["plan", "--out", "second.vpcep"], 0);
    // A refresh that finds nothing new writes nothing (a scheduled refresh must not make
    // every saved plan stale); a state pushed again is a new serial.
    ws.expect(&["refresh"], 0);
    assert_eq!(ws.serial(), serial);
    ws.write("pulled.json", &ws.expect(&["state", "pull"], 0).stdout);
    ws.expect(&["state", "push", "--force", "pulled.json"], 0);
    let out = ws.expect(&["apply", "second.vpcep"], 1);
    assert!(
        out.stderr
            .contains(&format!("serial {serial}, but the state is now at")),
        "{}",
        out.stderr
    );
    let show = ws.expect(&["show"], 0);
    assert!(
        show.stdout.contains("cost-center=cc-4711"),
        "the cloud is untouched: {}",
        show.stdout
    );
}

#[test]
fn a_saved_plan_applies_exactly_what_was_reviewed() {
    let ws = Workspace::example("single-service");
    let plan = ws.expect(&["plan", "--out", "reviewed.vpcep"], 0);
    assert!(
        plan.stderr.contains("Saved the plan to reviewed.vpcep"),
        "{}",
        plan.stderr
    );
    // The configuration changes after review; the saved plan still applies what was reviewed.
    ws.edit(
        "main.hcl",
        "name        = \"billing-api\"",
        "name        = \"renamed\"",
    );
    ws.edit(
        "main.hcl",
        "environment = \"production\"",
        "environment = \"staging\"",
    );
    let apply = ws.expect(&["apply", "reviewed.vpcep"], 0);
    assert!(
        apply.stdout.contains(
            "Applying the saved plan reviewed.vpcep: Plan: 1 to add, 0 to change, 0 to destroy."
        ),
        "{}",
        apply.stdout
    );
    assert!(
        apply
            .stderr
            .contains("the configuration has changed since the plan was made"),
        "{}",
        apply.stderr
    );
    assert!(
        apply
            .stdout
            .contains("billing_service_name = \"sim-1.billing-api."),
        "{}",
        apply.stdout
    );
    let shown = ws.expect(&["state", "show", "vpcep_service.billing"], 0);
    assert!(shown.stdout.contains("\"billing-api\""), "{}", shown.stdout);
    assert!(
        shown.stdout.contains("environment = \"production\""),
        "{}",
        shown.stdout
    );
    // The current configuration is a change against what was applied.
    let next = ws.expect(&["plan", "--detailed-exitcode"], 2);
    assert!(
        next.stdout.contains("~ name") && next.stdout.contains("\"billing-api\" -> \"renamed\""),
        "{}",
        next.stdout
    );
    // A plan file cannot be applied twice.
    ws.expect(&["apply", "reviewed.vpcep"], 1);
}

#[test]
fn show_renders_a_saved_plan_in_every_format() {
    let ws = Workspace::example("partner-sharing");
    ws.expect(&["plan", "--out", "p.vpcep"], 0);
    let human = ws.expect(&["show", "p.vpcep"], 0);
    let direct = ws.expect(&["plan"], 0);
    assert_eq!(
        human.stdout, direct.stdout,
        "show PLANFILE renders what plan printed"
    );
    let json = ws.expect(&["show", "p.vpcep", "--format", "json"], 0);
    assert_eq!(json.stdout.lines().count(), 1, "JSON plans are one line");
    let v: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(v["format_version"], "1.2");
    assert_eq!(v["summary"]["add"], 3);
    assert_eq!(
        v["resource_changes"][0]["change"]["before"],
        serde_json::Value::Null
    );
    assert!(
        v["resource_changes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["change"].as_object().unwrap().contains_key("before"))
    );
    let md = ws.expect(&["show", "p.vpcep", "--format", "markdown"], 0);
    assert!(
        md.stdout.starts_with("### vpcep plan in `")
            && md
                .stdout
                .lines()
                .next()
                .unwrap_or_default()
                .ends_with(": Plan: 3 to add, 0 to change, 0 to destroy."),
        "{}",
        md.stdout
    );
    assert!(
        md.stdout
            .contains("<details><summary><code>vpcep_service.orders</code>"),
        "{}",
        md.stdout
    );
}

#[test]
fn apply_json_streams_one_parsable_event_per_line() {
    let ws = Workspace::example("partner-sharing");
    let plan = ws.expect(&["plan", "--format", "json"], 0);
    let planned: serde_json::Value = serde_json::from_str(&plan.stdout).unwrap();
    let out = ws.expect(&["apply", "--auto-approve", "--json"], 0);
    let events: Vec<serde_json::Value> = out
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    let types: Vec<&str> = events.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(types.first(), Some(&"plan_summary"));
    assert_eq!(types.last(), Some(&"change_summary"));
    assert_eq!(types.iter().filter(|t| **t == "apply_start").count(), 3);
    assert_eq!(types.iter().filter(|t| **t == "apply_complete").count(), 3);
    for e in &events {
        assert!(
            e["@level"].is_string() && e["@message"].is_string() && e["@timestamp"].is_string(),
            "{e}"
        );
    }
    let last = events.last().unwrap();
    assert_eq!(last["add"], planned["summary"]["add"]);
    assert_eq!(last["change"], planned["summary"]["change"]);
    assert_eq!(last["remove"], planned["summary"]["destroy"]);
    assert_eq!(last["success"], true);
    assert!(out.stderr.is_empty(), "{}", out.stderr);

    // A failed apply ends with a change_summary that says so, and exits 1.
    ws.edit("main.hcl", "client_port = 443", "client_port = 444");
    let refused = ws.expect(&["apply", "--auto-approve", "--json"], 1);
    let last: serde_json::Value =
        serde_json::from_str(refused.stdout.lines().last().unwrap()).unwrap();
    assert_eq!(last["type"], "diagnostic");
    assert!(last["summary"].as_str().unwrap().contains("refused"));
}

#[test]
fn exit_codes_follow_the_contract() {
    let ws = Workspace::example("single-service");
    ws.expect(&["plan", "--detailed-exitcode"], 2);
    ws.expect(&["plan"], 0);
    ws.expect(&["apply", "--json"], 1);
    ws.expect(&["apply", "--auto-approve"], 0);
    ws.expect(&["plan", "--detailed-exitcode"], 0);
    ws.expect(
        &[
            "plan",
            "--detailed-exitcode",
            "--replace",
            "vpcep_service.billing",
        ],
        1,
    );
    ws.expect(&["plan", "--format", "yaml"], 1);
    ws.expect(&["plan", "--refresh=maybe"], 1);
    ws.write("broken.hcl", "resource \"vpcep_service\" {");
    ws.expect(&["plan", "--detailed-exitcode"], 1);
    ws.expect(&["apply", "--auto-approve"], 1);
    ws.expect(&["show", "no-such-plan.vpcep"], 1);
    let destroy_file = ws.expect(&["destroy", "some.vpcep"], 1);
    assert!(
        destroy_file.stderr.contains("`destroy` takes no plan file"),
        "{}",
        destroy_file.stderr
    );
    let emulator = ws.expect(&["emulator", "--error-rate", "1.5"], 1);
    assert!(
        emulator.stderr.contains("a probability from 0 to 1"),
        "{}",
        emulator.stderr
    );
}

#[test]
fn a_refused_plan_is_not_saved() {
    let ws = Workspace::example("single-service");
    ws.expect(&["apply", "--auto-approve"], 0);
    ws.edit("main.hcl", "client_port = 443", "client_port = 444");
    let out = ws.expect(&["plan", "--out", "refused.vpcep"], 1);
    assert!(
        out.stderr.contains("a refused plan is not saved"),
        "{}",
        out.stderr
    );
    assert!(!ws.path().join("refused.vpcep").exists());
}

#[test]
fn output_is_plain_when_not_on_a_terminal() {
    let ws = Workspace::example("partner-sharing");
    for args in [
        &["plan"][..],
        &["apply", "--auto-approve"],
        &["show"],
        &["validate"],
    ] {
        let out = ws.expect(args, 0);
        assert!(
            !out.stdout.contains('\u{1b}') && !out.stderr.contains('\u{1b}'),
            "no colour codes for {args:?}"
        );
    }
    ws.edit("main.hcl", "client_port = 443", "client_port = 444");
    let out = ws.expect(&["validate"], 0);
    assert!(!out.stderr.contains('\u{1b}'));
}

/// Runs `vpcep ARGS` on a pseudo-terminal (util-linux `script`), returning what it printed.
fn on_terminal(ws: &Workspace, args: &str, env: &[(&str, &str)]) -> String {
    let out = std::process::Command::new("script")
        .current_dir(ws.path())
        .args([
            "-qec",
            &format!("{} {args}", env!("CARGO_BIN_EXE_vpcep")),
            "/dev/null",
        ])
        .env_remove("NO_COLOR")
        .envs(env.iter().copied())
        .output()
        .expect("`script` (util-linux) runs vpcep on a pseudo-terminal");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    // What ran is the plan (so that an absent colour means what the test says, not a
    // command that failed before printing anything).
    assert!(
        out.status.success() && text.contains("Plan: "),
        "vpcep {args} on a terminal:\n{text}"
    );
    text
}

#[test]
fn colour_only_on_a_terminal_and_never_when_disabled() {
    let ws = Workspace::example("single-service");
    assert!(
        on_terminal(&ws, "plan", &[]).contains("\u{1b}["),
        "a terminal gets colour"
    );
    assert!(
        !on_terminal(&ws, "--no-color plan", &[]).contains("\u{1b}["),
        "--no-color"
    );
    assert!(
        !on_terminal(&ws, "plan", &[("NO_COLOR", "1")]).contains("\u{1b}["),
        "NO_COLOR"
    );
}

#[test]
fn a_terminal_gets_a_progress_bar_and_a_pipe_does_not() {
    let ws = Workspace::example("fleet");
    let screen = on_terminal(&ws, "apply --auto-approve", &[]);
    assert!(
        screen.contains("steps,"),
        "a progress bar on a terminal: {screen}"
    );
    ws.expect(&["destroy", "--auto-approve"], 0);
    let piped = ws.expect(&["apply", "--auto-approve"], 0);
    assert!(!piped.stdout.contains("steps,") && !piped.stderr.contains("steps,"));
}

#[test]
fn show_prints_the_state_as_json() {
    let ws = Workspace::example("single-service");
    ws.expect(&["apply", "--auto-approve"], 0);
    let out = ws.expect(&["show", "--format", "json"], 0);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let resources = v["values"]["root_module"]["resources"].as_array().unwrap();
    assert_eq!(resources[0]["address"], "vpcep_service.billing");
    assert_eq!(resources[0]["values"]["status"], "available");
}
