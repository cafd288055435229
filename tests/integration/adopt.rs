//! Adopting what the console made (issue 29): `import` blocks with `for_each`,
//! `plan --generate-config-out` and `import --all`, each leaving a plan of imports only, and
//! after the apply a plan with no changes.

use super::harness::Workspace;

const CLOUD: &str = "provider \"sim\" {\n  path = \"../cloud.db\"\n}\n";

/// Services, an endpoint and an approval made outside this configuration ("in the console"):
/// made by another configuration on the same simulated cloud, whose state is then dropped.
fn console(root: &Workspace) -> Vec<(String, String)> {
    root.write(
        "console/main.hcl",
        &format!(
            "{CLOUD}{}",
            r#"
resource "vpcep_service" "s" {
  for_each    = toset(["orders api", "billing"])
  name        = replace(each.key, " ", "-")
  server_type = "VM"
  port_id     = "port-${replace(each.key, " ", "-")}"
  vpc_id      = "vpc"
  description = "made in the console"
  tags        = { team = "x" }
  whitelist   = ["*"]
  port {
    server_port = 80
    client_port = 8080
  }
  port {
    server_port = 443
    client_port = 443
  }
}
resource "vpcep_endpoint" "e" {
  service_id = vpcep_service.s["billing"].id
  vpc_id     = "vpc2"
  subnet_id  = "sub"
  enable_dns = true
}
resource "vpcep_approval" "a" {
  service_id = vpcep_service.s["billing"].id
  endpoints  = [vpcep_endpoint.e.id]
}
"#
        ),
    );
    let dir = root.path().join("console");
    let out = super::harness::vpcep(&dir, &["apply", "--auto-approve"], &[]);
    assert_eq!(out.code, 0, "{}", out.transcript());
    let state: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("vpcep.state.json")).unwrap())
            .unwrap();
    let ids = state["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["address"].as_str().unwrap().to_owned(),
                r["id"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    std::fs::remove_file(dir.join("vpcep.state.json")).unwrap();
    ids
}

fn id<'a>(ids: &'a [(String, String)], address: &str) -> &'a str {
    &ids.iter().find(|(a, _)| a == address).unwrap().1
}

fn team(root: &Workspace) -> std::path::PathBuf {
    root.write("team/main.hcl", CLOUD);
    root.path().join("team")
}

fn run(dir: &std::path::Path, args: &[&str], code: i32) -> super::harness::Output {
    let out = super::harness::vpcep(dir, args, &[]);
    assert_eq!(out.code, code, "vpcep {args:?}:\n{}", out.transcript());
    out
}

/// The plan imports `n` objects and changes nothing; after the apply, nothing is left to do.
fn imports_only_then_nothing(dir: &std::path::Path, n: usize) {
    let plan = run(dir, &["plan", "--detailed-exitcode"], 2);
    assert!(
        plan.stdout.contains(&format!(
            "Plan: {n} to import, 0 to add, 0 to change, 0 to destroy."
        )),
        "{}",
        plan.stdout
    );
    run(dir, &["apply", "--auto-approve"], 0);
    let again = run(dir, &["plan", "--detailed-exitcode"], 0);
    assert!(again.stdout.contains("No changes."), "{}", again.stdout);
}

#[test]
fn import_blocks_take_for_each() {
    let root = Workspace::new();
    let ids = console(&root);
    let dir = team(&root);
    root.write(
        "team/services.hcl",
        &format!(
            r#"
variable "services" {{
  default = {{
    orders  = "{}"
    billing = "{}"
  }}
}}
resource "vpcep_service" "s" {{
  for_each    = var.services
  name        = each.key == "orders" ? "orders-api" : "billing"
  server_type = "VM"
  port_id     = each.key == "orders" ? "port-orders-api" : "port-billing"
  vpc_id      = "vpc"
  description = "made in the console"
  tags        = {{ team = "x" }}
  whitelist   = ["*"]
  port {{
    server_port = 80
    client_port = 8080
  }}
  port {{
    server_port = 443
    client_port = 443
  }}
}}
import {{
  for_each = var.services
  to       = vpcep_service.s[each.key]
  id       = each.value
}}
"#,
            id(&ids, "vpcep_service.s[\"orders api\"]"),
            id(&ids, "vpcep_service.s[\"billing\"]"),
        ),
    );
    imports_only_then_nothing(&dir, 2);
    let state = std::fs::read_to_string(dir.join("vpcep.state.json")).unwrap();
    assert!(state.contains(id(&ids, "vpcep_service.s[\"billing\"]")));
}

#[test]
fn plan_generates_the_configuration_of_import_targets() {
    let root = Workspace::new();
    let ids = console(&root);
    let dir = team(&root);
    root.write(
        "team/imports.hcl",
        &format!(
            "import {{\n  to = vpcep_service.orders\n  id = \"{}\"\n}}\nimport {{\n  to = vpcep_endpoint.billing\n  id = \"{}\"\n}}\n",
            id(&ids, "vpcep_service.s[\"orders api\"]"),
            id(&ids, "vpcep_endpoint.e"),
        ),
    );
    // Without the flag, the missing blocks are an error that names the flag.
    let out = run(&dir, &["plan"], 1);
    assert!(
        out.stderr.contains("--generate-config-out=FILE"),
        "{}",
        out.stderr
    );
    let out = run(&dir, &["plan", "--generate-config-out=generated.hcl"], 0);
    assert!(
        out.stderr
            .contains("Wrote the configuration of 2 imported resources to generated.hcl"),
        "{}",
        out.stderr
    );
    assert!(
        out.stdout
            .contains("Plan: 2 to import, 0 to add, 0 to change, 0 to destroy."),
        "{}",
        out.stdout
    );
    let generated = root.read("team/generated.hcl");
    for want in [
        "resource \"vpcep_service\" \"orders\" {\n  name        = \"orders-api\"",
        "  port {\n    server_port = 443\n    client_port = 443\n  }",
        "  enable_dns = true",
    ] {
        assert!(generated.contains(want), "missing {want:?} in\n{generated}");
    }
    // Only what differs from vpcep's defaults is written.
    assert!(
        !generated.contains("approval_enabled") && !generated.contains("tcp_proxy"),
        "{generated}"
    );
    // The file is never written over.
    let again = run(&dir, &["plan", "--generate-config-out=generated.hcl"], 1);
    assert!(
        again.stderr.contains("`generated.hcl` exists"),
        "{}",
        again.stderr
    );
    assert_eq!(root.read("team/generated.hcl"), generated);
    imports_only_then_nothing(&dir, 2);
}

#[test]
fn import_all_adopts_what_no_state_records() {
    let root = Workspace::new();
    let ids = console(&root);
    let dir = team(&root);
    // One of the console's services is managed here already: it is not adopted again.
    let billing = id(&ids, "vpcep_service.s[\"billing\"]").to_owned();
    root.write(
        "team/billing.hcl",
        "resource \"vpcep_service\" \"billing\" {\n  name = \"billing\"\n  server_type = \"VM\"\n  port_id = \"port-billing\"\n  vpc_id = \"vpc\"\n  description = \"made in the console\"\n  tags = { team = \"x\" }\n  whitelist = [\"*\"]\n  port {\n    server_port = 80\n    client_port = 8080\n  }\n  port {\n    server_port = 443\n    client_port = 443\n  }\n}\n",
    );
    run(&dir, &["import", "vpcep_service.billing", &billing], 0);
    let out = run(&dir, &["import", "--all"], 0);
    assert!(
        out.stdout
            .contains("Wrote 1 service(s), 1 endpoint(s) and 0 approval(s)"),
        "{}",
        out.stdout
    );
    let written = root.read("team/imported.hcl");
    for want in [
        "resource \"vpcep_service\" \"orders_api\" {",
        // The endpoint names the service this configuration manages, not its ID.
        "service_id = vpcep_service.billing.id",
        &format!(
            "import {{\n  to = vpcep_service.orders_api\n  id = \"{}\"\n}}",
            id(&ids, "vpcep_service.s[\"orders api\"]")
        ),
    ] {
        assert!(written.contains(want), "missing {want:?} in\n{written}");
    }
    assert!(
        !written.contains(&format!("id = \"{billing}\"")),
        "{written}"
    );
    imports_only_then_nothing(&dir, 2);
    // Nothing is left to adopt.
    let out = run(&dir, &["import", "--all", "--out", "more.hcl"], 0);
    assert!(out.stdout.contains("nothing was written"), "{}", out.stdout);
    assert!(!dir.join("more.hcl").exists());
}

#[test]
fn import_all_writes_the_approval_of_an_adopted_service() {
    let root = Workspace::new();
    console(&root);
    let dir = team(&root);
    let out = run(&dir, &["import", "--all", "--out", "console.hcl"], 0);
    assert!(
        out.stdout
            .contains("Wrote 2 service(s), 1 endpoint(s) and 1 approval(s)"),
        "{}",
        out.stdout
    );
    let written = root.read("team/console.hcl");
    assert!(
        written.contains("resource \"vpcep_approval\" \"billing_approval\" {\n  service_id = vpcep_service.billing.id\n  endpoints  = [vpcep_endpoint.billing_endpoint.id]"),
        "{written}"
    );
    imports_only_then_nothing(&dir, 4);
    let bad = run(
        &dir,
        &["import", "--all", "--provider", "partner", "--out", "p.hcl"],
        1,
    );
    assert!(
        bad.stderr.contains("no provider with the alias `partner`"),
        "{}",
        bad.stderr
    );
}
