//! Issue 30: `vpcep test` runs a configuration's test files on the built-in cloud, each in a
//! copy with a cloud and a state of its own; and `check` blocks warn after plan and apply.

use super::harness::{Workspace, repo_root, vpcep};

const CONFIG: &str = r#"variable "name" {
  type    = string
  default = "orders"

  validation {
    condition     = length(var.name) <= 16
    error_message = "a service name has at most 16 characters"
  }
}

variable "client_port" {
  type    = number
  default = 443
}

resource "vpcep_service" "api" {
  name        = var.name
  server_type = "LB"
  port_id     = "11111111-2222-4333-8444-555555555555"
  vpc_id      = "66666666-7777-4888-9999-000000000000"

  port {
    server_port = 8443
    client_port = var.client_port
  }
}

output "service_name" {
  value = vpcep_service.api.service_name
}
"#;

const TESTS: &str = r#"variables {
  name = "orders"
}

run "plans" {
  command = plan

  assert {
    condition     = vpcep_service.api.name == "orders"
    error_message = "the service is named ${vpcep_service.api.name}"
  }
}

run "creates" {
  assert {
    condition     = vpcep_service.api.status == "available"
    error_message = "the service is not available"
  }
}

run "reads_the_earlier_run" {
  command = plan

  assert {
    condition     = output.service_name == run.creates.service_name
    error_message = "the service name changed"
  }
}

run "refuses_a_long_name" {
  command = plan

  variables {
    name = "a-name-far-too-long-for-the-cloud"
  }

  expect_failures = [var.name]
}

run "refuses_a_port_mapping_change" {
  command = plan

  variables {
    client_port = 8443
  }

  expect_failures = [vpcep_service.api]
}
"#;

const FAILING: &str = r#"run "wrong_name" {
  command = plan

  assert {
    condition     = vpcep_service.api.name == "billing"
    error_message = "expected the billing service"
  }
}

run "expects_a_failure_that_does_not_happen" {
  command         = plan
  expect_failures = [var.name]
}
"#;

fn workspace() -> Workspace {
    let ws = Workspace::new();
    ws.write("main.hcl", CONFIG);
    ws
}

/// Every file and directory under `ws`, relative.
fn listing(ws: &Workspace) -> Vec<String> {
    let mut out = Vec::new();
    let mut dirs = vec![ws.path().to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            out.push(path.strip_prefix(ws.path()).unwrap().display().to_string());
            if path.is_dir() {
                dirs.push(path);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn passing_runs_expected_failures_and_earlier_outputs_pass_and_nothing_is_left_behind() {
    let ws = workspace();
    ws.write("tests/api.tftest.hcl", TESTS);
    let before = listing(&ws);
    let out = vpcep(ws.path(), &["test"], &[]);
    assert_eq!(out.code, 0, "{}", out.transcript());
    for run in [
        "plans",
        "creates",
        "reads_the_earlier_run",
        "refuses_a_long_name",
        "refuses_a_port_mapping_change",
    ] {
        assert!(
            out.stdout.contains(&format!("  run \"{run}\"... pass")),
            "{}",
            out.stdout
        );
    }
    assert!(
        out.stdout.contains("tests/api.tftest.hcl... pass")
            && out.stdout.ends_with("Success! 5 passed, 0 failed.\n"),
        "{}",
        out.stdout
    );
    // Isolation: no state, cloud or plan appears in the configuration directory.
    assert_eq!(listing(&ws), before);
    // The test file is not configuration: plan reads main.hcl alone.
    ws.write("main.tftest.hcl", "this is { not configuration");
    let plan = vpcep(ws.path(), &["validate"], &[]);
    assert_eq!(plan.code, 0, "{}", plan.transcript());
}

#[test]
fn failing_asserts_name_the_message_and_the_values_and_exit_1() {
    let ws = workspace();
    ws.write("tests/api.tftest.hcl", TESTS);
    ws.write("tests/failing.tftest.hcl", FAILING);
    let out = vpcep(ws.path(), &["test"], &[]);
    assert_eq!(out.code, 1, "{}", out.transcript());
    assert!(
        out.stdout.contains("  run \"wrong_name\"... fail")
            && out.stdout.contains(
                "tests/failing.tftest.hcl:4: expected the billing service (`vpcep_service.api.name == \"billing\"` is false; compared \"orders\" with \"billing\")"
            )
            && out
                .stdout
                .contains("expected `var.name` to fail, but it did not")
            && out.stdout.contains("tests/failing.tftest.hcl... fail")
            && out.stdout.contains("tests/api.tftest.hcl... pass")
            && out.stdout.ends_with("Failure! 5 passed, 2 failed.\n"),
        "{}",
        out.stdout
    );
    // `--filter` runs one file; `--json` is an event stream.
    let one = vpcep(
        ws.path(),
        &["test", "--filter", "tests/api.tftest.hcl", "--json"],
        &[],
    );
    assert_eq!(one.code, 0, "{}", one.transcript());
    let events: Vec<serde_json::Value> = one
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(events.len(), 5 + 2, "{}", one.stdout);
    assert!(
        events
            .iter()
            .all(|e| e["file"] != "tests/failing.tftest.hcl")
    );
    assert_eq!(events.last().unwrap()["type"], "summary");
    assert_eq!(events.last().unwrap()["passed"], 5);
}

/// A provider block of a test file sets the simulated account's quota: the refusal of the
/// whole account is expected by its rule.
#[test]
fn a_test_provider_sets_the_quota_and_an_account_refusal_is_expected_by_its_rule() {
    let ws = workspace();
    ws.write(
        "quota.tftest.hcl",
        "provider \"sim\" {\n  quota_services = 0\n}\n\nrun \"no_room\" {\n  command         = plan\n  expect_failures = [quota]\n}\n\nrun \"unexpected\" {\n  command = plan\n}\n",
    );
    let out = vpcep(ws.path(), &["test"], &[]);
    assert_eq!(out.code, 1, "{}", out.transcript());
    assert!(
        out.stdout.contains("  run \"no_room\"... pass")
            && out.stdout.contains("  run \"unexpected\"... fail")
            && out.stdout.contains("its quota is 0"),
        "{}",
        out.stdout
    );
}

/// The examples' tests pass (as CI runs them).
#[test]
fn every_example_with_tests_passes_them() {
    let examples = repo_root().join("examples");
    let mut ran = 0;
    for entry in std::fs::read_dir(&examples).unwrap() {
        let dir = entry.unwrap().path();
        if !dir.join("tests").is_dir() {
            continue;
        }
        let ws = Workspace::new();
        super::harness::copy_config(&dir, ws.path());
        for test in std::fs::read_dir(dir.join("tests")).unwrap() {
            let path = test.unwrap().path();
            std::fs::copy(
                &path,
                ws.path().join("tests").join(path.file_name().unwrap()),
            )
            .unwrap();
        }
        let out = vpcep(ws.path(), &["test"], &[]);
        assert_eq!(out.code, 0, "{}: {}", dir.display(), out.transcript());
        ran += 1;
    }
    assert!(ran >= 1, "no example has tests");
}

#[test]
fn a_failing_check_warns_in_plan_and_apply_and_is_in_the_json_plan() {
    let ws = workspace();
    ws.write(
        "checks.hcl",
        "check \"approval\" {\n  assert {\n    condition     = vpcep_service.api.approval_enabled == false\n    error_message = \"every whitelisted account connects without approval\"\n  }\n}\n\ncheck \"known_later\" {\n  assert {\n    condition     = vpcep_service.api.status == \"available\"\n    error_message = \"the service is ${vpcep_service.api.status}\"\n  }\n}\n",
    );
    let plan = vpcep(ws.path(), &["plan", "--detailed-exitcode"], &[]);
    assert_eq!(plan.code, 2, "{}", plan.transcript());
    assert!(
        plan.stdout.contains(
            "Warning: check `approval` failed (checks.hcl:1): every whitelisted account connects without approval"
        ) && !plan.stdout.contains("check `known_later` failed"),
        "{}",
        plan.stdout
    );
    let json = vpcep(ws.path(), &["plan", "--format", "json"], &[]);
    let doc: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let statuses: Vec<(String, String)> = doc["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["address"]["to_display"].as_str().unwrap().to_owned(),
                c["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        statuses,
        [
            ("check.approval".to_owned(), "fail".to_owned()),
            ("check.known_later".to_owned(), "unknown".to_owned())
        ]
    );
    // Apply succeeds (a check never stops it) and warns with what it made.
    ws.edit(
        "checks.hcl",
        "vpcep_service.api.status == \"available\"",
        "vpcep_service.api.status == \"creating\"",
    );
    let applied = vpcep(ws.path(), &["apply", "--auto-approve"], &[]);
    assert_eq!(applied.code, 0, "{}", applied.transcript());
    assert!(
        applied.stderr.contains(
            "Warning: check `known_later` failed (checks.hcl:8): the service is available"
        ) && applied.stderr.contains("check `approval` failed"),
        "{}",
        applied.transcript()
    );
    let markdown = vpcep(ws.path(), &["plan", "--format", "markdown"], &[]);
    assert!(
        markdown
            .stdout
            .contains("> [!WARNING]\n> check `approval` failed"),
        "{}",
        markdown.stdout
    );
}

/// `expect_failures` also names a `check` block that fails and a resource whose precondition
/// fails.
#[test]
fn checks_and_preconditions_can_be_expected_to_fail() {
    let ws = workspace();
    ws.write(
        "rules.hcl",
        "variable \"strict\" {\n  type    = bool\n  default = false\n}\n\ncheck \"named_orders\" {\n  assert {\n    condition     = var.name == \"orders\"\n    error_message = \"the service is not orders\"\n  }\n}\n\nresource \"vpcep_service\" \"guarded\" {\n  server_type = \"LB\"\n  port_id     = \"11111111-2222-4333-8444-555555555556\"\n  vpc_id      = \"66666666-7777-4888-9999-000000000000\"\n\n  port {\n    server_port = 8443\n    client_port = 443\n  }\n\n  lifecycle {\n    precondition {\n      condition     = !var.strict\n      error_message = \"strict mode forbids this service\"\n    }\n  }\n}\n",
    );
    ws.write(
        "rules.tftest.hcl",
        "run \"check_fails\" {\n  command = plan\n  variables {\n    name = \"billing\"\n  }\n  expect_failures = [check.named_orders]\n}\n\nrun \"precondition_fails\" {\n  command = plan\n  variables {\n    strict = true\n  }\n  expect_failures = [vpcep_service.guarded]\n}\n\nrun \"nothing_fails\" {\n  command = plan\n}\n",
    );
    let out = vpcep(ws.path(), &["test"], &[]);
    assert_eq!(out.code, 0, "{}", out.transcript());
    assert!(
        out.stdout.ends_with("Success! 3 passed, 0 failed.\n"),
        "{}",
        out.stdout
    );
}
