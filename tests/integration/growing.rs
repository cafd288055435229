//! Configurations that grow (issue 15) through the binary: variable files kept as Terraform
//! users keep them, variable validation, `lifecycle` options, refactoring blocks, `dynamic`
//! blocks and the functions users reach for.

use super::harness::{Workspace, vpcep};

/// Three variables and an output that shows them, applied with `args` and `env`.
fn applied_values(ws: &Workspace, args: &[&str], env: &[(&str, &str)]) -> (String, String) {
    ws.write(
        "main.hcl",
        "variable \"a\" {\n  type = string\n}\n\nvariable \"b\" {\n  type    = string\n  default = \"default-b\"\n}\n\nvariable \"c\" {\n  type    = string\n  default = \"default-c\"\n}\n\noutput \"all\" {\n  value = \"${var.a} ${var.b} ${var.c}\"\n}\n",
    );
    let mut full = vec!["apply", "--auto-approve"];
    full.extend_from_slice(args);
    let out = vpcep(ws.path(), &full, env);
    assert_eq!(out.code, 0, "{}", out.transcript());
    let shown = vpcep(ws.path(), &["output", "--raw", "all"], &[]);
    (shown.stdout, out.stderr)
}

#[test]
fn variable_files_in_the_directory_are_read_in_terraforms_order() {
    let ws = Workspace::new();
    ws.write(
        "vpcep.vars",
        "a = \"vars-a\"\nb = \"vars-b\"\nc = \"vars-c\"\n",
    );
    // `*.auto.vars` after `vpcep.vars`, in name order: `z` wins over `m`.
    ws.write("m.auto.vars", "b = \"m-b\"\nc = \"m-c\"\n");
    ws.write("z.auto.vars", "c = \"z-c\"\n");
    let (all, stderr) = applied_values(&ws, &[], &[("VPCEP_VAR_a", "env-a")]);
    assert_eq!(all, "vars-a m-b z-c", "{stderr}");
    // The command line comes last: `--var` and `--var-file` win.
    ws.write("extra.vars", "b = \"file-b\"\n");
    let (all, _) = applied_values(&ws, &["--var-file", "extra.vars", "--var", "c=flag-c"], &[]);
    assert_eq!(all, "vars-a file-b flag-c");
}

#[test]
fn terraforms_files_and_variables_are_named_as_not_read() {
    let ws = Workspace::new();
    ws.write("terraform.tfvars", "a = \"tf\"\n");
    ws.write("prod.auto.tfvars", "b = \"tf\"\n");
    ws.write("legacy.tf", "# old\n");
    let (all, stderr) = applied_values(
        &ws,
        &["--var", "a=flag-a"],
        &[("TF_VAR_b", "tf-b"), ("TF_VAR_unrelated", "x")],
    );
    assert_eq!(all, "flag-a default-b default-c");
    for expected in [
        "warning: `terraform.tfvars` is Terraform's variables file; vpcep does not read it",
        "rename it to `vpcep.vars` (read automatically)",
        "warning: `prod.auto.tfvars` is Terraform's variables file; vpcep does not read it",
        "rename it to `prod.auto.vars`",
        "warning: vpcep reads `*.hcl` files; `legacy.tf` is not read",
        "warning: the environment variable `TF_VAR_b` is Terraform's; vpcep does not read it",
        "set `VPCEP_VAR_b` instead",
    ] {
        assert!(stderr.contains(expected), "{expected}\n---\n{stderr}");
    }
    // A TF_VAR_ of no declared variable may be another tool's: not mentioned.
    assert!(!stderr.contains("TF_VAR_unrelated"), "{stderr}");
}

#[test]
fn a_bad_value_in_an_automatic_file_names_the_file_and_line() {
    let ws = Workspace::new();
    ws.write("main.hcl", "variable \"n\" {\n  type = number\n}\n");
    ws.write("vpcep.vars", "\nn = \"many\"\n");
    let out = ws.expect(&["validate"], 1);
    assert!(
        out.stderr.contains("invalid value for variable `n`")
            && out.stderr.contains("vpcep.vars:2:"),
        "{}",
        out.stderr
    );
}

const SERVICE: &str = "resource \"vpcep_service\" \"api\" {\n  server_type = \"LB\"\n  port_id     = \"port-api\"\n  vpc_id      = \"vpc-1\"\n  description = \"first\"\n  tags        = { team = \"a\" }\n\n  port {\n    server_port = 8080\n    client_port = 80\n  }\n  LIFECYCLE\n}\n";

#[test]
fn ignore_changes_keeps_what_it_names_as_recorded() {
    let ws = Workspace::new();
    ws.write("main.hcl", &SERVICE.replace("LIFECYCLE", ""));
    ws.expect(&["apply", "--auto-approve"], 0);
    // Changed in the configuration, but ignored: nothing to do, and apply keeps the recorded.
    let changed = SERVICE
        .replace("team = \"a\"", "team = \"b\"")
        .replace("\"first\"", "\"second\"");
    ws.write(
        "main.hcl",
        &changed.replace("LIFECYCLE", "lifecycle {\n    ignore_changes = [tags]\n  }"),
    );
    let plan = ws.expect(&["plan", "--detailed-exitcode"], 2);
    assert!(
        plan.stdout
            .contains("description = \"first\" -> \"second\"")
            && !plan.stdout.contains("\"b\""),
        "only the description changes: {}",
        plan.stdout
    );
    ws.expect(&["apply", "--auto-approve"], 0);
    let state = ws.state();
    let attrs = &state["resources"][0]["attributes"];
    assert_eq!(attrs["tags"]["team"], "a");
    assert_eq!(attrs["description"], "second");
    ws.expect(&["plan", "--detailed-exitcode"], 0);
    // `all`: nothing configured is compared any more.
    ws.write(
        "main.hcl",
        &changed
            .replace("\"second\"", "\"third\"")
            .replace("LIFECYCLE", "lifecycle {\n    ignore_changes = all\n  }"),
    );
    ws.expect(&["plan", "--detailed-exitcode"], 0);
    // Without it, the tags change again.
    ws.write("main.hcl", &changed.replace("LIFECYCLE", ""));
    let plan = ws.expect(&["plan", "--detailed-exitcode"], 2);
    assert!(plan.stdout.contains("\"a\" -> \"b\""), "{}", plan.stdout);
    // `--replace` creates from the configuration, ignored or not.
    ws.write(
        "main.hcl",
        &changed.replace("LIFECYCLE", "lifecycle {\n    ignore_changes = [tags]\n  }"),
    );
    ws.expect(
        &["apply", "--auto-approve", "--replace", "vpcep_service.api"],
        0,
    );
    assert_eq!(
        ws.state()["resources"][0]["attributes"]["tags"]["team"],
        "b"
    );
}

#[test]
fn try_can_and_the_file_functions_through_the_binary() {
    let ws = Workspace::new();
    ws.write("policy.json", "{\"bucket\": \"orders\"}\n");
    ws.write(
        "greeting.tpl",
        "%{ for n in names ~}\nhello ${upper(n)}\n%{ endfor ~}\n",
    );
    ws.write(
        "main.hcl",
        r#"variable "settings" {
  type    = any
  default = { port = 8443 }
}

locals {
  policy   = jsondecode(file("${path.module}/policy.json"))
  port     = try(var.settings.port, 443)
  fallback = try(var.settings.missing, "default")
  nested   = try(try(var.settings.nope, var.settings.none), "inner")
  has_port = can(var.settings.port)
  has_name = can(var.settings.name)
  greeting = templatefile("greeting.tpl", { names = ["a", "b"] })
  in_for   = [for k in ["port"] : try(var.settings[k], 0)]
}

output "values" {
  value = {
    bucket   = local.policy.bucket
    port     = local.port
    fallback = local.fallback
    nested   = local.nested
    has_port = local.has_port
    has_name = local.has_name
    greeting = local.greeting
    in_for   = local.in_for
    exists   = fileexists("policy.json")
    absolute = abspath(path.module) == abspath(".")
  }
}
"#,
    );
    ws.expect(&["apply", "--auto-approve"], 0);
    let out = ws.expect(&["output", "--json", "values"], 0);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(
        v,
        serde_json::json!({
            "bucket": "orders",
            "port": 8443,
            "fallback": "default",
            "nested": "inner",
            "has_port": true,
            "has_name": false,
            "greeting": "hello A\nhello B\n",
            "in_for": [8443],
            "exists": true,
            "absolute": true,
        })
    );
    // From another directory with -C: paths are still the configuration's.
    let parent = ws.path().parent().unwrap();
    let name = ws.path().file_name().unwrap().to_str().unwrap();
    let again = vpcep(parent, &["-C", name, "output", "--json", "values"], &[]);
    assert_eq!(again.code, 0, "{}", again.transcript());
    let plan = vpcep(parent, &["-C", name, "plan", "--detailed-exitcode"], &[]);
    assert_eq!(plan.code, 0, "{}", plan.transcript());
}

/// A service block named `name` on backend `port` (a `for_each` over `keys` when given).
fn service_block(name: &str, port: &str, keys: Option<&[&str]>) -> String {
    let each = keys.map_or_else(String::new, |k| {
        format!(
            "  for_each = toset([{}])\n",
            k.iter()
                .map(|k| format!("\"{k}\""))
                .collect::<Vec<_>>()
                .join(", ")
        )
    });
    let port_id = if keys.is_some() {
        format!("\"{port}-${{each.key}}\"")
    } else {
        format!("\"{port}\"")
    };
    format!(
        "resource \"vpcep_service\" \"{name}\" {{\n{each}  server_type = \"LB\"\n  port_id     = {port_id}\n  vpc_id      = \"vpc-1\"\n\n  port {{\n    server_port = 80\n    client_port = 80\n  }}\n}}\n"
    )
}

fn sim(ws: &Workspace) -> vpcep::cloud::sim::Sim {
    vpcep::cloud::sim::Sim::open(&vpcep::model::SimConfig::default(), ws.path()).unwrap()
}

#[test]
fn moved_to_an_address_already_recorded_is_an_error_naming_the_block() {
    let ws = Workspace::new();
    ws.write(
        "main.hcl",
        &format!(
            "{}\n{}",
            service_block("a", "port-a", None),
            service_block("b", "port-b", None)
        ),
    );
    ws.expect(&["apply", "--auto-approve"], 0);
    ws.write(
        "main.hcl",
        &format!(
            "{}\nmoved {{\n  from = vpcep_service.a\n  to   = vpcep_service.b\n}}\n",
            service_block("b", "port-b", None)
        ),
    );
    let out = ws.expect(&["plan"], 1);
    assert!(
        out.stderr.contains(
            "the `moved` block at main.hcl:"
        ) && out.stderr.contains("moves `vpcep_service.a` to `vpcep_service.b`, but `vpcep_service.b` is already recorded"),
        "{}",
        out.stderr
    );
}

#[test]
fn import_blocks_adopt_what_was_made_by_hand() {
    let ws = Workspace::new();
    ws.write("main.hcl", "");
    let made = vpcep::cloud::Cloud::create_service(
        &sim(&ws),
        &super::harness::service_spec("port-hand", "vpc-1", 80),
    )
    .unwrap();
    let block = |id: &str| {
        format!(
            "{}\nimport {{\n  to = vpcep_service.adopted\n  id = \"{id}\"\n}}\n",
            service_block("adopted", "port-hand", None).replace(
                "  vpc_id      = \"vpc-1\"\n",
                "  vpc_id      = \"vpc-1\"\n  approval_enabled = false\n  description = \"adopted\"\n"
            )
        )
    };
    ws.write("main.hcl", &block(&made.id));
    let plan = ws.expect(&["plan", "--detailed-exitcode"], 2);
    assert!(
        plan.stdout.contains(&format!(
            "# vpcep_service.adopted will be imported (id {})",
            made.id
        )) && plan.stdout.contains("description = null -> \"adopted\"")
            && plan
                .stdout
                .contains("Plan: 1 to import, 0 to add, 1 to change, 0 to destroy."),
        "{}",
        plan.stdout
    );
    let json = ws.expect(&["plan", "--format", "json"], 0);
    assert!(
        json.stdout
            .contains(&format!("\"importing\":{{\"id\":\"{}\"}}", made.id)),
        "{}",
        json.stdout
    );
    ws.expect(&["apply", "--auto-approve"], 0);
    assert_eq!(ws.id_of("vpcep_service.adopted"), made.id);
    // Imported: the block has done its work, and nothing is created twice.
    ws.expect(&["plan", "--detailed-exitcode"], 0);
    assert_eq!(
        vpcep::cloud::Cloud::list_services(&sim(&ws)).unwrap().len(),
        1
    );

    // An ID the cloud does not have: an error naming the block, before anything happens.
    let ws = Workspace::new();
    ws.write("main.hcl", &block("0b5e0b5e-0000-4a00-8000-00000000dead"));
    let out = ws.expect(&["plan"], 1);
    assert!(
        out.stderr.contains("the `import` block at main.hcl:")
            && out.stderr.contains("has no endpoint service with that ID"),
        "{}",
        out.stderr
    );
}

/// A chain of moves (`a` to `x`, then `x` to `y`, with only `y` declared), as a configuration
/// collects them over two refactorings, is followed to its end — in either order of the
/// blocks — and the end is recorded with the same ID; a chain whose end is not declared is
/// still refused.
#[test]
fn a_chain_of_moves_is_followed_to_its_declared_end() {
    for blocks in [
        "moved {\n  from = vpcep_service.a\n  to   = vpcep_service.x\n}\n\nmoved {\n  from = vpcep_service.x\n  to   = vpcep_service.y\n}\n",
        "moved {\n  from = vpcep_service.x\n  to   = vpcep_service.y\n}\n\nmoved {\n  from = vpcep_service.a\n  to   = vpcep_service.x\n}\n",
    ] {
        let ws = Workspace::new();
        ws.write("main.hcl", &service_block("a", "port", None));
        ws.expect(&["apply", "--auto-approve"], 0);
        let id = ws.id_of("vpcep_service.a");
        ws.write(
            "main.hcl",
            &format!("{}\n{blocks}", service_block("y", "port", None)),
        );
        let plan = ws.expect(&["plan", "--detailed-exitcode"], 2);
        assert!(
            plan.stdout
                .contains("# vpcep_service.a has moved to vpcep_service.y"),
            "{}",
            plan.stdout
        );
        ws.expect(&["apply", "--auto-approve"], 0);
        assert_eq!(ws.id_of("vpcep_service.y"), id);
        ws.expect(&["plan", "--detailed-exitcode"], 0);
    }
    let ws = Workspace::new();
    ws.write(
        "main.hcl",
        &format!(
            "{}\nmoved {{\n  from = vpcep_service.a\n  to   = vpcep_service.x\n}}\n\nmoved {{\n  from = vpcep_service.x\n  to   = vpcep_service.z\n}}\n",
            service_block("y", "port", None)
        ),
    );
    let out = ws.expect(&["validate"], 1);
    assert!(
        out.stderr
            .contains("`moved` to `vpcep_service.z`, which the configuration does not declare"),
        "{}",
        out.stderr
    );
}
