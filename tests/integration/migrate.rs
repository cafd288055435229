//! `vpcep migrate` (issue 29): Terraform directories of the `opentelekomcloud` and `huaweicloud`
//! providers, with a `terraform.tfstate` in format 4 made for objects created in
//! `vpcep emulator`, move to vpcep so that the next `vpcep plan` shows no changes — and the
//! Terraform directory is never written.

use super::harness::{EmulatorProcess, Output, Workspace, repo_root, vpcep};
use std::collections::BTreeMap;
use std::path::Path;

const PASSWORD: &str = "demo-owner-password";
const SECRET_KEY: &str = "demo-owner-secret-key";

fn iam_emulator(extra: &[&str]) -> (Workspace, EmulatorProcess) {
    let ws = Workspace::new();
    let iam = std::fs::read_to_string(repo_root().join("examples/cross-account/otc/iam.json"))
        .expect("the example's IAM accounts");
    ws.write("iam.json", &iam);
    let path = ws.path().join("iam.json").display().to_string();
    let mut args = vec!["--iam", path.as_str()];
    args.extend(extra);
    let emulator = EmulatorProcess::start(&args);
    (ws, emulator)
}

fn expect(dir: &Path, args: &[&str], env: &[(&str, &str)], code: i32) -> Output {
    let out = vpcep(dir, args, env);
    assert_eq!(
        out.code, code,
        "vpcep {args:?} exited {}:\n--- stdout\n{}\n--- stderr\n{}",
        out.code, out.stdout, out.stderr
    );
    out
}

/// Every file of a directory with its bytes, to show that nothing was written there.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap())
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

/// A recorded attribute of `address` in a vpcep state.
fn attr(ws: &Workspace, address: &str, name: &str) -> String {
    let state = ws.state();
    let r = state["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["address"] == address)
        .unwrap_or_else(|| panic!("{address} is not recorded"));
    match &r["attributes"][name] {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The Terraform directory `testdata/migrate/NAME` in `ws/tf`, its `terraform.tfstate` made
/// from the template with `ids` filled in.
fn terraform_dir(ws: &Workspace, name: &str, ids: &[(&str, String)]) -> std::path::PathBuf {
    let src = repo_root().join("testdata/migrate").join(name);
    let tf = ws.path().join("tf");
    std::fs::create_dir_all(&tf).unwrap();
    for entry in std::fs::read_dir(&src).unwrap() {
        let entry = entry.unwrap();
        let file = entry.file_name().to_string_lossy().into_owned();
        let mut text = std::fs::read_to_string(entry.path()).unwrap();
        if let Some(stem) = file.strip_suffix(".in") {
            for (k, v) in ids {
                text = text.replace(&format!("@{k}@"), v);
            }
            assert!(!text.contains("\"@"), "{file} has a placeholder left");
            std::fs::write(tf.join(stem), text).unwrap();
        } else {
            std::fs::write(tf.join(&file), text).unwrap();
        }
    }
    tf
}

const OTC_OBJECTS: &str = r#"
variable "auth_url" {}
variable "password" { sensitive = true }
provider "otc" {
  auth_url    = var.auth_url
  domain_name = "acme"
  user_name   = "alice"
  password    = var.password
  tenant_name = "eu-de"
}
locals {
  tags = { team = "payments", env = "default" }
  vpc  = "66666666-7777-4888-9999-000000000000"
}
resource "vpcep_service" "api" {
  name             = "payments-api"
  server_type      = "LB"
  port_id          = "9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d"
  vpc_id           = local.vpc
  approval_enabled = false
  whitelist        = ["5f1c0d2e3b4a49687766554433221100"]
  tags             = local.tags
  port {
    client_port = 443
    server_port = 8443
  }
  port {
    client_port = 80
    server_port = 8080
  }
}
resource "vpcep_service" "team" {
  for_each    = toset(["reporting", "billing"])
  name        = each.key
  server_type = "VM"
  port_id     = "port-${each.key}"
  vpc_id      = local.vpc
  tags        = merge(local.tags, { owner = each.key })
  port {
    client_port = 80
    server_port = 8080
  }
}
resource "vpcep_endpoint" "reporting" {
  service_id = vpcep_service.team["reporting"].id
  vpc_id     = local.vpc
  subnet_id  = "12121212-3434-4565-8787-909090909090"
  enable_dns = true
  tags       = local.tags
}
resource "vpcep_approval" "reporting" {
  service_id = vpcep_service.team["reporting"].id
  endpoints  = [vpcep_endpoint.reporting.id]
}
"#;

#[test]
fn an_opentelekomcloud_directory_moves_and_the_next_plan_is_empty() {
    let (ws, emulator) = iam_emulator(&[]);
    let url = format!("http://127.0.0.1:{}/v3", emulator.port);
    let env = [
        ("VPCEP_VAR_auth_url", url.as_str()),
        ("VPCEP_VAR_password", PASSWORD),
    ];
    // What Terraform created, made here by vpcep in the emulator's account.
    let made = Workspace::new();
    made.write("main.hcl", OTC_OBJECTS);
    expect(made.path(), &["apply", "--auto-approve"], &env, 0);
    let ids = [
        ("api", made.id_of("vpcep_service.api")),
        (
            "team_reporting",
            made.id_of("vpcep_service.team[\"reporting\"]"),
        ),
        (
            "team_billing",
            made.id_of("vpcep_service.team[\"billing\"]"),
        ),
        ("endpoint", made.id_of("vpcep_endpoint.reporting")),
        ("endpoint_ip", attr(&made, "vpcep_endpoint.reporting", "ip")),
    ];
    let tf = terraform_dir(&ws, "otc", &ids);
    let before = snapshot(&tf);

    let out = expect(ws.path(), &["migrate", "tf", "--out", "vpcep"], &[], 0);
    assert!(
        out.stdout.contains("Migrated 4 resource(s) (5 instance(s)"),
        "{}",
        out.stdout
    );
    assert_eq!(
        snapshot(&tf),
        before,
        "the migration wrote into the Terraform directory"
    );

    let migrated = ws.path().join("vpcep");
    let plan = expect(&migrated, &["plan", "--detailed-exitcode"], &env, 0);
    assert!(plan.stdout.contains("No changes."), "{}", plan.stdout);
    // The moved state is what refresh reads: nothing seems changed outside.
    assert!(!plan.stdout.contains("changed outside"), "{}", plan.stdout);
    // The moved state holds the same IDs under the new addresses, at serial 1 in a lineage
    // of its own; the outputs read the same objects.
    let state: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(migrated.join("vpcep.state.json")).unwrap())
            .unwrap();
    assert_ne!(state["lineage"], "0f6b0e4c-3c1e-4f7e-9d55-2f8d1f0e6a11");
    let output = expect(&migrated, &["output", "api_id"], &env, 0);
    assert_eq!(output.stdout.trim(), ids[0].1);

    let main = std::fs::read_to_string(migrated.join("main.hcl")).unwrap();
    for want in [
        "provider \"otc\" {",
        "# The partners' API: open to one partner account, no approval.\nresource \"vpcep_service\" \"api\" {",
        "port_id          = var.lb_vip_port_id",
        "subnet_id  = var.shared_network_id",
        "# the opentelekomcloud provider's default, written out\n  approval_enabled = true",
        "env  = terraform.workspace",
        "# opentelekomcloud_lb_loadbalancer_v2.lb stays in Terraform (see MIGRATION.md)",
    ] {
        assert!(main.contains(want), "missing {want:?} in\n{main}");
    }
    let inputs = std::fs::read_to_string(migrated.join("from_terraform.hcl")).unwrap();
    assert!(
        inputs.contains("# From Terraform: opentelekomcloud_lb_loadbalancer_v2.lb.vip_port_id\nvariable \"lb_vip_port_id\" {\n  default = \"9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d\""),
        "{inputs}"
    );
    let report = std::fs::read_to_string(migrated.join("MIGRATION.md")).unwrap();
    for want in [
        "terraform state rm 'opentelekomcloud_vpcep_service_v1.api' 'opentelekomcloud_vpcep_service_v1.team'",
        "`opentelekomcloud_lb_loadbalancer_v2.lb` (main.tf:32): vpcep manages VPC endpoint services",
        "`max_retries` of provider \"opentelekomcloud\"",
        "the `s3` backend",
        &format!(
            "| `opentelekomcloud_vpcep_service_v1.team[\"billing\"]` (main.tf:63) | `vpcep_service.team[\"billing\"]` | `{}` |",
            ids[2].1
        ),
    ] {
        assert!(report.contains(want), "missing {want:?} in\n{report}");
    }
    // A second run refuses to write over what the first wrote.
    let again = expect(ws.path(), &["migrate", "tf", "--out", "vpcep"], &[], 1);
    assert!(again.stderr.contains("is not empty"), "{}", again.stderr);
}

const HUAWEI_OBJECTS: &str = r#"
variable "endpoint" {}
variable "secret_key" { sensitive = true }
provider "otc" {
  profile    = "huawei"
  region     = "eu-de"
  access_key = "AKACMEALICE00000001"
  secret_key = var.secret_key
  project_id = "0d0e0f000000000000000000000000e1"
  endpoint   = var.endpoint
}
locals {
  vpc = "66666666-7777-4888-9999-000000000000"
}
resource "vpcep_service" "orders" {
  name             = "orders"
  server_type      = "VM"
  vpc_id           = local.vpc
  port_id          = "port-orders"
  approval_enabled = false
  whitelist        = ["5f1c0d2e3b4a49687766554433221100"]
  description      = "Order intake"
  tags             = { team = "orders" }
  port {
    server_port = 8080
    client_port = 80
  }
  port {
    protocol    = "UDP"
    server_port = 5353
    client_port = 53
  }
}
resource "vpcep_service" "internal" {
  count       = 2
  name        = "internal-${count.index}"
  server_type = "VM"
  vpc_id      = local.vpc
  port_id     = "port-internal-${count.index}"
  port {
    server_port = 9000
    client_port = 9000
  }
}
resource "vpcep_endpoint" "client" {
  service_id = vpcep_service.internal[0].id
  vpc_id     = local.vpc
  subnet_id  = "12121212-3434-4565-8787-909090909090"
  enable_dns = true
}
resource "vpcep_approval" "internal" {
  service_id = vpcep_service.internal[0].id
  endpoints  = [vpcep_endpoint.client.id]
}
"#;

#[test]
fn a_huaweicloud_directory_moves_with_its_names_and_defaults() {
    let (ws, emulator) = iam_emulator(&["--dialect", "huawei"]);
    let url = format!("http://127.0.0.1:{}/v3", emulator.port);
    let endpoint = format!("http://127.0.0.1:{}", emulator.port);
    let made = Workspace::new();
    made.write("main.hcl", HUAWEI_OBJECTS);
    let made_env = [
        ("VPCEP_VAR_endpoint", endpoint.as_str()),
        ("VPCEP_VAR_secret_key", SECRET_KEY),
    ];
    expect(made.path(), &["apply", "--auto-approve"], &made_env, 0);
    let ids = [
        ("orders", made.id_of("vpcep_service.orders")),
        ("internal_0", made.id_of("vpcep_service.internal[0]")),
        ("internal_1", made.id_of("vpcep_service.internal[1]")),
        ("client", made.id_of("vpcep_endpoint.client")),
        ("client_ip", attr(&made, "vpcep_endpoint.client", "ip")),
    ];
    let tf = terraform_dir(&ws, "huawei", &ids);
    let before = snapshot(&tf);
    // Without `--out`, the configuration goes to `vpcep/` beside the Terraform directory.
    expect(ws.path(), &["migrate", "tf"], &[], 0);
    assert_eq!(snapshot(&tf), before);
    let migrated = ws.path().join("vpcep");
    let env = [
        ("VPCEP_VAR_auth_url", url.as_str()),
        ("VPCEP_VAR_vpcep_endpoint", endpoint.as_str()),
        ("VPCEP_VAR_access_key", "AKACMEALICE00000001"),
        ("VPCEP_VAR_secret_key", SECRET_KEY),
    ];
    let plan = expect(&migrated, &["plan", "--detailed-exitcode"], &env, 0);
    assert!(plan.stdout.contains("No changes."), "{}", plan.stdout);
    // The moved state is what refresh reads: nothing seems changed outside.
    assert!(!plan.stdout.contains("changed outside"), "{}", plan.stdout);

    let main = std::fs::read_to_string(migrated.join("main.hcl")).unwrap();
    for want in [
        "provider \"otc\" {\n  profile    = \"huawei\"",
        "endpoint   = var.vpcep_endpoint",
        "port_id     = var.backend_network[0].port",
        "whitelist   = [\"iam:domain::5f1c0d2e3b4a49687766554433221100\"]",
        "port {\n    server_port = 8080\n    client_port = 80\n  }",
        "port {\n    protocol    = \"UDP\"\n    server_port = 5353\n    client_port = 53\n  }",
        "approval_enabled = true",
        "# the huaweicloud provider's default, written out\n  approval_enabled = false",
        "subnet_id  = var.subnet_id",
        "# the huaweicloud provider's default, written out\n  enable_dns = true",
        "value = vpcep_endpoint.client.ip",
    ] {
        assert!(main.contains(want), "missing {want:?} in\n{main}");
    }
    // The server's network list is read from the state; its admin password, sensitive
    // there, is not (the variable reads only the network).
    let inputs = std::fs::read_to_string(migrated.join("from_terraform.hcl")).unwrap();
    assert!(inputs.contains("port        = \"port-orders\""), "{inputs}");
    assert!(!inputs.contains("admin_pass"), "{inputs}");
    let report = std::fs::read_to_string(migrated.join("MIGRATION.md")).unwrap();
    assert!(
        report.contains("`enterprise_project_id` of provider \"huaweicloud\""),
        "{report}"
    );
}

#[test]
fn the_terraform_providers_spellings_name_vpceps_and_point_at_migrate() {
    let ws = Workspace::new();
    ws.write(
        "main.hcl",
        r#"provider "huaweicloud" {}
resource "opentelekomcloud_vpcep_service_v1" "a" {
  server_type = "VM"
}
resource "vpcep_service" "b" {
  server_type = "VM"
  port_id     = "p"
  vpc_id      = "v"
  permissions = ["*"]
  port_mapping {
    service_port  = 80
    terminal_port = 80
  }
}
"#,
    );
    let out = ws.expect(&["validate"], 1);
    for want in [
        "vpcep's is `provider \"otc\" { profile = \"huawei\" }`",
        "`opentelekomcloud_vpcep_service_v1` is the opentelekomcloud Terraform provider's; vpcep's is `vpcep_service` (`vpcep migrate TERRAFORM_DIR`",
        "vpcep's list of accounts allowed to connect is `whitelist`",
        "vpcep's port mapping block is `port { server_port = ...  client_port = ... }`",
    ] {
        assert!(
            out.stderr.contains(want),
            "missing {want:?} in\n{}",
            out.stderr
        );
    }
    let tf = Workspace::new();
    tf.write(
        "main.tf",
        "resource \"opentelekomcloud_vpcep_service_v1\" \"a\" {}\n",
    );
    let out = tf.expect(&["validate"], 1);
    assert!(
        out.stderr
            .contains("convert a Terraform configuration and its state with `vpcep migrate DIR`"),
        "{}",
        out.stderr
    );
}

#[test]
fn what_cannot_be_migrated_is_refused_before_anything_is_written() {
    let ws = Workspace::new();
    ws.write("tf/main.tf.json", "{}");
    ws.write("tf/terraform.tfstate", "{\"version\": 4}");
    let out = expect(ws.path(), &["migrate", "tf"], &[], 1);
    assert!(
        out.stderr.contains("is Terraform's JSON syntax"),
        "{}",
        out.stderr
    );
    std::fs::remove_file(ws.path().join("tf/main.tf.json")).unwrap();
    ws.write(
        "tf/main.tf",
        "resource \"huaweicloud_vpcep_service\" \"a\" {\n",
    );
    let out = expect(ws.path(), &["migrate", "tf"], &[], 1);
    assert!(out.stderr.contains("main.tf:"), "{}", out.stderr);
    ws.write(
        "tf/main.tf",
        "resource \"huaweicloud_vpcep_service\" \"a\" {}\n",
    );
    ws.write("tf/terraform.tfstate", "{\"version\": 3, \"modules\": []}");
    let out = expect(ws.path(), &["migrate", "tf"], &[], 1);
    assert!(out.stderr.contains("format version 3"), "{}", out.stderr);
    std::fs::remove_file(ws.path().join("tf/terraform.tfstate")).unwrap();
    let out = expect(ws.path(), &["migrate", "tf"], &[], 1);
    assert!(
        out.stderr.contains("terraform state pull"),
        "{}",
        out.stderr
    );
    ws.write("tf/terraform.tfstate", "{\"version\": 4}");
    let out = expect(ws.path(), &["migrate", "tf", "--out", "tf/vpcep"], &[], 1);
    assert!(
        out.stderr.contains("inside the Terraform directory"),
        "{}",
        out.stderr
    );
    assert!(!ws.path().join("vpcep").exists() && !ws.path().join("tf/vpcep").exists());
}

#[test]
fn provider_aliases_move_with_their_resources_across_accounts() {
    let (ws, emulator) = iam_emulator(&[]);
    let url = format!("http://127.0.0.1:{}/v3", emulator.port);
    // The cross-account example makes what Terraform made: the owner's service, the
    // partner's endpoint through the agency, the approval.
    let made = Workspace::example("cross-account/otc");
    let made_env = [
        ("VPCEP_VAR_auth_url", url.as_str()),
        ("VPCEP_VAR_owner_password", PASSWORD),
    ];
    expect(made.path(), &["apply", "--auto-approve"], &made_env, 0);
    let dns = made.state()["outputs"]["partner_dns_name"]["value"]
        .as_str()
        .unwrap()
        .to_owned();
    let ids = [
        ("service", made.id_of("vpcep_service.orders")),
        ("endpoint", made.id_of("vpcep_endpoint.orders")),
        ("ip", attr(&made, "vpcep_endpoint.orders", "ip")),
        ("dns", dns),
    ];
    terraform_dir(&ws, "otc-aliases", &ids);
    expect(ws.path(), &["migrate", "tf", "--out", "vpcep"], &[], 0);
    let migrated = ws.path().join("vpcep");
    let main = std::fs::read_to_string(migrated.join("main.hcl")).unwrap();
    for want in [
        "provider \"otc\" {\n  alias              = \"partner\"",
        "agency_name        = \"vpcep-admin\"",
        "resource \"vpcep_endpoint\" \"orders\" {\n  provider   = otc.partner",
        "value = vpcep_endpoint.orders.dns_names[0]",
    ] {
        assert!(main.contains(want), "missing {want:?} in\n{main}");
    }
    let state = std::fs::read_to_string(migrated.join("vpcep.state.json")).unwrap();
    assert!(state.contains("\"provider\":\"otc.partner\""), "{state}");
    let env = [
        ("VPCEP_VAR_auth_url", url.as_str()),
        ("VPCEP_VAR_password", PASSWORD),
    ];
    let plan = expect(&migrated, &["plan", "--detailed-exitcode"], &env, 0);
    assert!(plan.stdout.contains("No changes."), "{}", plan.stdout);
    // The moved state is what refresh reads: nothing seems changed outside.
    assert!(!plan.stdout.contains("changed outside"), "{}", plan.stdout);
}

#[test]
fn the_workspace_reads_as_default_under_both_names() {
    let ws = Workspace::new();
    ws.write(
        "main.hcl",
        "output \"both\" {\n  value = \"${vpcep.workspace}/${terraform.workspace}\"\n}\n",
    );
    ws.expect(&["apply", "--auto-approve"], 0);
    let out = ws.expect(&["output", "--raw", "both"], 0);
    assert_eq!(out.stdout, "default/default");
    ws.write(
        "main.hcl",
        "output \"x\" {\n  value = terraform.version\n}\n",
    );
    let out = ws.expect(&["validate"], 1);
    assert!(
        out.stderr
            .contains("`terraform` has only the attribute `workspace`"),
        "{}",
        out.stderr
    );
}

#[test]
fn what_vpcep_would_refuse_is_listed_before_the_first_plan() {
    // The opentelekomcloud provider lets a UDP mapping through; the OTC API refuses it
    // (`EndPoint.3075`), and so does vpcep's validation: the migration writes the files, says
    // so, lists it in MIGRATION.md and exits 1.
    let ws = Workspace::new();
    ws.write(
        "tf/main.tf",
        "resource \"opentelekomcloud_vpcep_service_v1\" \"dns\" {\n  server_type = \"VM\"\n  port_id     = \"p\"\n  vpc_id      = \"v\"\n  port {\n    protocol    = \"UDP\"\n    server_port = 53\n    client_port = 53\n  }\n}\n",
    );
    ws.write(
        "tf/terraform.tfstate",
        "{\"version\": 4, \"serial\": 1, \"lineage\": \"x\", \"resources\": []}",
    );
    let out = expect(ws.path(), &["migrate", "tf"], &[], 1);
    assert!(
        out.stderr
            .contains("maps UDP, which the otc cloud does not accept"),
        "{}",
        out.stderr
    );
    assert!(
        out.stdout.contains("needs attention (1 problem(s) above"),
        "{}",
        out.stdout
    );
    let report = ws.read("vpcep/MIGRATION.md");
    assert!(
        report.contains("## Needs attention before `vpcep plan`"),
        "{report}"
    );
    assert!(
        report.contains("is not in Terraform's state: `vpcep plan` will create it"),
        "{report}"
    );
    // With no provider block in Terraform, the provider signs in from the environment; so
    // does the converted one (vpcep's default would be the simulated cloud).
    let providers = ws.read("vpcep/providers.hcl");
    assert!(providers.contains("provider \"otc\" {}"), "{providers}");
}
