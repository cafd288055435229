//! The language a growing configuration needs (issue 31): structural types with optional
//! attributes and their defaults, through modules and the command line.

use super::harness::Workspace;

const MODULE: &str = r#"
variable "services" {
  type = map(object({
    port_id  = string
    ports    = optional(map(number), { https = 443 })
    approval = optional(bool, true)
    tags     = optional(map(string), {})
  }))
}

resource "vpcep_service" "this" {
  for_each         = var.services
  name             = each.key
  server_type      = "VM"
  port_id          = each.value.port_id
  vpc_id           = "vpc"
  approval_enabled = each.value.approval
  tags             = each.value.tags

  dynamic "port" {
    for_each = each.value.ports
    content {
      server_port = port.value
      client_port = port.value
    }
  }
}

output "services" {
  value = { for k, s in vpcep_service.this : k => { approval = s.approval_enabled, ports = length(s.port) } }
}
"#;

#[test]
fn a_module_takes_a_map_of_objects_with_optional_attributes() {
    let ws = Workspace::new();
    ws.write("modules/svc/main.hcl", MODULE);
    ws.write(
        "main.hcl",
        r#"module "svc" {
  source = "./modules/svc"
  services = {
    orders  = { port_id = "p-orders" }
    billing = { port_id = "p-billing", approval = false, ports = { http = 80, https = 443 } }
  }
}

output "services" {
  value = module.svc.services
}
"#,
    );
    ws.expect(&["apply", "--auto-approve"], 0);
    let out = ws.expect(&["output", "--json", "services"], 0);
    let value: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(
        value,
        serde_json::json!({
            "billing": {"approval": false, "ports": 2},
            "orders": {"approval": true, "ports": 1}
        })
    );
    // A value that does not fit is an error at the value, naming the attribute path.
    ws.edit(
        "main.hcl",
        "port_id = \"p-orders\" }",
        "port_id = \"p-orders\", approval = \"maybe\" }",
    );
    let out = ws.expect(&["validate"], 1);
    assert!(
        out.stderr.contains("invalid value for the input `services` of `module.svc`: key \"orders\": attribute `approval`: expected a bool, got the string \"maybe\"")
            && out.stderr.contains("--> main.hcl:3:14"),
        "{}",
        out.stderr
    );
}

#[test]
fn root_variables_take_objects_and_tuples_from_the_command_line() {
    let ws = Workspace::new();
    ws.write(
        "main.hcl",
        r#"variable "service" {
  type = object({
    name = string
    tls  = optional(object({ port = optional(number, 443) }), {})
  })
}

variable "pair" {
  type    = tuple([string, number])
  default = ["a", "1"]
}

output "port" {
  value = var.service.tls.port
}

output "pair" {
  value = var.pair
}
"#,
    );
    ws.expect(
        &[
            "apply",
            "--auto-approve",
            "--var",
            "service={ name = \"orders\" }",
        ],
        0,
    );
    assert_eq!(ws.expect(&["output", "--raw", "port"], 0).stdout, "443");
    assert_eq!(
        ws.expect(&["output", "--json", "pair"], 0).stdout.trim(),
        "[\"a\",1]"
    );
    let out = ws.expect(&["plan", "--var", "service={ tls = {} }"], 1);
    assert!(
        out.stderr.contains("attribute `name` is required"),
        "{}",
        out.stderr
    );
}

#[test]
fn output_changes_show_in_every_rendering_and_secrets_never() {
    let ws = Workspace::new();
    let config = |stage: &str, token: &str, extra: &str| {
        format!(
            "variable \"token\" {{\n  sensitive = true\n  default   = \"{token}\"\n}}\n\noutput \"stage\" {{\n  value = \"{stage}\"\n}}\n\noutput \"token\" {{\n  value     = var.token\n  sensitive = true\n}}\n{extra}"
        )
    };
    ws.write(
        "main.hcl",
        &config(
            "blue",
            "s3cret-one",
            "\noutput \"legacy\" {\n  value = [1, 2]\n}\n",
        ),
    );
    let first = ws.expect(&["plan", "--detailed-exitcode"], 2);
    assert!(
        first.stdout.contains("Changes to Outputs:\n  + legacy = [1, 2]\n  + stage  = \"blue\"\n  + token  = (sensitive value)\n"),
        "{}",
        first.stdout
    );
    assert!(
        first
            .stdout
            .contains("You can apply this plan to save these new output values"),
        "{}",
        first.stdout
    );
    ws.expect(&["apply", "--auto-approve"], 0);
    ws.expect(&["plan", "--detailed-exitcode"], 0);

    // A changed value, a changed secret, an output removed: only outputs change.
    ws.write("main.hcl", &config("green", "s3cret-two", ""));
    let plan = ws.expect(&["plan", "--detailed-exitcode"], 2);
    assert!(
        plan.stdout.contains("Changes to Outputs:\n  - legacy = [1, 2] -> null\n  ~ stage  = \"blue\" -> \"green\"\n  ~ token  = (sensitive value) -> (sensitive value)\n"),
        "{}",
        plan.stdout
    );
    let json: serde_json::Value =
        serde_json::from_str(&ws.expect(&["plan", "--format", "json"], 0).stdout).unwrap();
    let changes = &json["output_changes"];
    assert_eq!(changes["stage"]["actions"], serde_json::json!(["update"]));
    assert_eq!(changes["stage"]["before"], "blue");
    assert_eq!(changes["stage"]["after"], "green");
    assert_eq!(changes["legacy"]["actions"], serde_json::json!(["delete"]));
    assert_eq!(changes["token"]["before"], serde_json::Value::Null);
    assert_eq!(changes["token"]["after_sensitive"], true);
    let markdown = ws.expect(&["plan", "--format", "markdown"], 0).stdout;
    assert!(
        markdown.contains("**Changes to Outputs**\n\n```diff\n- legacy = [1, 2] -> null\n~ stage  = \"blue\" -> \"green\""),
        "{markdown}"
    );
    // A saved plan shows them too.
    ws.expect(&["plan", "--out", "p.plan"], 0);
    let shown = ws.expect(&["show", "p.plan"], 0).stdout;
    assert!(
        shown.contains("~ stage  = \"blue\" -> \"green\""),
        "{shown}"
    );
    for text in [&plan.stdout, &json.to_string(), &markdown, &shown] {
        assert!(!text.contains("s3cret"), "a secret shows:\n{text}");
    }
    ws.expect(&["apply", "p.plan"], 0);
    assert_eq!(ws.expect(&["output", "--raw", "stage"], 0).stdout, "green");
    ws.expect(&["plan", "--detailed-exitcode"], 0);
}

const PER_WORKSPACE: &str = r#"
resource "vpcep_service" "s" {
  name        = "svc-${vpcep.workspace}"
  server_type = "VM"
  port_id     = "port-${terraform.workspace}"
  vpc_id      = "vpc"
  port {
    server_port = 80
    client_port = 80
  }
}

output "name" {
  value = vpcep_service.s.name
}
"#;

/// Two workspaces of one configuration, each with its own state and resources.
pub(crate) fn two_workspaces(ws: &Workspace, env: &[(&str, &str)]) {
    let run = |args: &[&str], extra: &[(&str, &str)], code: i32| {
        let all: Vec<(&str, &str)> = env.iter().chain(extra).copied().collect();
        let out = super::harness::vpcep(ws.path(), args, &all);
        assert_eq!(out.code, code, "vpcep {args:?}:\n{}", out.transcript());
        out
    };
    run(&["apply", "--auto-approve"], &[], 0);
    let out = run(&["workspace", "new", "staging"], &[], 0);
    assert!(
        out.stdout
            .contains("Created and selected the workspace \"staging\""),
        "{}",
        out.stdout
    );
    let plan = run(&["plan"], &[], 0);
    assert!(
        plan.stderr.contains("Workspace: staging"),
        "{}",
        plan.stderr
    );
    assert!(
        plan.stdout
            .contains("Plan: 1 to add, 0 to change, 0 to destroy."),
        "{}",
        plan.stdout
    );
    run(&["apply", "--auto-approve"], &[], 0);
    assert_eq!(
        run(&["output", "--raw", "name"], &[], 0).stdout,
        "svc-staging"
    );
    assert_eq!(
        run(&["workspace", "list"], &[], 0).stdout,
        "  default\n* staging\n"
    );
    run(&["workspace", "select", "default"], &[], 0);
    assert_eq!(
        run(&["output", "--raw", "name"], &[], 0).stdout,
        "svc-default"
    );
    assert_eq!(run(&["workspace", "show"], &[], 0).stdout.trim(), "default");
    // CI chooses one for a run without selecting it.
    let staging = [("VPCEP_WORKSPACE", "staging")];
    assert_eq!(
        run(&["output", "--raw", "name"], &staging, 0).stdout,
        "svc-staging"
    );
    run(&["plan", "--detailed-exitcode"], &staging, 0);
    // A workspace that still records resources is not deleted; nor is the one in use.
    let refused = run(&["workspace", "delete", "staging"], &[], 1);
    assert!(
        refused.stderr.contains("still records 1 resource"),
        "{}",
        refused.stderr
    );
    let in_use = run(&["workspace", "delete", "staging"], &staging, 1);
    assert!(
        in_use.stderr.contains("is the workspace in use"),
        "{}",
        in_use.stderr
    );
    run(&["destroy", "--auto-approve"], &staging, 0);
    run(&["workspace", "delete", "staging"], &[], 0);
    assert_eq!(run(&["workspace", "list"], &[], 0).stdout, "* default\n");
    // The default workspace's service was never touched.
    run(&["plan", "--detailed-exitcode"], &[], 0);
    let missing = run(&["workspace", "select", "nope"], &[], 1);
    assert!(
        missing.stderr.contains("vpcep workspace new nope"),
        "{}",
        missing.stderr
    );
}

#[test]
fn workspaces_keep_separate_states_on_the_local_backend() {
    let ws = Workspace::new();
    ws.write(
        "main.hcl",
        &format!("provider \"sim\" {{\n  path = \".vpcep/cloud.db\"\n}}\n{PER_WORKSPACE}"),
    );
    two_workspaces(&ws, &[]);
    assert!(!ws.path().join("vpcep.state.d/staging").exists());
}

pub(crate) fn per_workspace_config() -> &'static str {
    PER_WORKSPACE
}

#[test]
fn module_addresses_work_for_target_replace_state_and_moved() {
    let ws = Workspace::new();
    let module = |name: &str, description: &str| {
        format!(
            "variable \"name\" {{}}\nvariable \"description\" {{\n  default = \"{description}\"\n}}\nresource \"vpcep_service\" \"{name}\" {{\n  name        = var.name\n  description = var.description\n  server_type = \"VM\"\n  port_id     = \"port-${{var.name}}\"\n  vpc_id      = \"vpc\"\n  port {{\n    server_port = 80\n    client_port = 80\n  }}\n}}\n"
        )
    };
    let root = |call: &str| {
        format!(
            "provider \"sim\" {{\n  path = \".vpcep/cloud.db\"\n}}\nmodule \"{call}\" {{\n  source   = \"./modules/svc\"\n  for_each = toset([\"a\", \"b\"])\n  name     = each.key\n}}\n"
        )
    };
    ws.write("modules/svc/main.hcl", &module("this", "v1"));
    ws.write("main.hcl", &root("svc"));
    ws.expect(&["apply", "--auto-approve"], 0);

    // Both instances would change; a module instance target plans one.
    ws.write("modules/svc/main.hcl", &module("this", "v2"));
    let targeted = ws.expect(&["plan", "-target=module.svc[\"a\"]"], 0).stdout;
    assert!(
        targeted.contains("# module.svc[\"a\"].vpcep_service.this will be updated in-place"),
        "{targeted}"
    );
    assert!(!targeted.contains("module.svc[\"b\"]"), "{targeted}");
    assert!(
        targeted.contains("Plan: 0 to add, 1 to change, 0 to destroy."),
        "{targeted}"
    );
    let replaced = ws
        .expect(&["plan", "--replace", "module.svc[\"b\"]"], 0)
        .stdout;
    assert!(
        replaced.contains(
            "# module.svc[\"b\"].vpcep_service.this must be replaced (requested with --replace)"
        ),
        "{replaced}"
    );
    assert_eq!(
        ws.expect(&["state", "list", "module.svc[\"a\"]"], 0).stdout,
        "module.svc[\"a\"].vpcep_service.this\n"
    );
    assert_eq!(
        ws.expect(&["state", "list", "module.svc"], 0)
            .stdout
            .lines()
            .count(),
        2
    );

    // The call renamed: `state mv` of the module moves every instance; nothing to do after.
    ws.write("modules/svc/main.hcl", &module("this", "v1"));
    ws.write("main.hcl", &root("services"));
    let moved = ws
        .expect(&["state", "mv", "module.svc", "module.services"], 0)
        .stdout;
    assert!(moved.contains("Successfully moved 2 objects."), "{moved}");
    ws.expect(&["plan", "--detailed-exitcode"], 0);

    // A `moved` block inside the module renames the resource in every instance, with no
    // cloud change.
    ws.write(
        "modules/svc/main.hcl",
        &format!(
            "{}moved {{\n  from = vpcep_service.this\n  to   = vpcep_service.main\n}}\n",
            module("main", "v1")
        ),
    );
    let plan = ws.expect(&["plan"], 0).stdout;
    assert!(plan.contains("# module.services[\"b\"].vpcep_service.this has moved to module.services[\"b\"].vpcep_service.main"), "{plan}");
    assert!(
        plan.contains("Plan: 0 to add, 0 to change, 0 to destroy, 2 to move."),
        "{plan}"
    );
    ws.expect(&["apply", "--auto-approve"], 0);
    ws.expect(&["plan", "--detailed-exitcode"], 0);

    // `state rm` of a module instance forgets what it holds.
    let removed = ws
        .expect(&["state", "rm", "module.services[\"b\"]"], 0)
        .stdout;
    assert!(
        removed.contains("Removed module.services[\"b\"].vpcep_service.main"),
        "{removed}"
    );
    assert_eq!(
        ws.expect(&["state", "list"], 0).stdout,
        "module.services[\"a\"].vpcep_service.main\n"
    );
    // An `import` block still belongs in the root.
    ws.write(
        "modules/svc/import.hcl",
        "import {\n  to = vpcep_service.main\n  id = \"x\"\n}\n",
    );
    let out = ws.expect(&["validate"], 1);
    assert!(
        out.stderr
            .contains("an `import` block belongs in the root configuration"),
        "{}",
        out.stderr
    );
}
