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
