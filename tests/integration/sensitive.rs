//! Sensitive values (issue 10, case 8): a value that comes from a `sensitive` variable is
//! never shown — not in plans of any format, saved-plan renderings, `show`, `state show`,
//! `output` (unless asked by name), apply output or error messages.

use super::harness::Workspace;

const SECRET: &str = "top-secret-description";
const SECRET_TAG: &str = "ownerXYZ123";

fn config(output_sensitive: bool) -> String {
    format!(
        r#"variable "desc" {{
  type      = string
  sensitive = true
  default   = "{SECRET}"
}}

variable "owner" {{
  type      = string
  sensitive = true
}}

locals {{
  owner_tag = upper(var.owner)
}}

resource "vpcep_service" "s" {{
  server_type      = "LB"
  port_id          = "port-1"
  vpc_id           = "vpc-1"
  approval_enabled = false
  description      = var.desc
  tags             = {{ owner = local.owner_tag, team = "platform" }}
  port {{
    server_port = 8080
    client_port = 80
  }}
}}

output "desc" {{
  value = vpcep_service.s.description{}
}}
"#,
        if output_sensitive {
            "\n  sensitive = true"
        } else {
            ""
        }
    )
}

fn assert_hidden(what: &str, out: &super::harness::Output) {
    let upper = SECRET_TAG.to_uppercase();
    for text in [&out.stdout, &out.stderr] {
        assert!(
            !text.contains(SECRET) && !text.contains(&upper) && !text.contains(SECRET_TAG),
            "{what} shows a sensitive value:\n{text}"
        );
    }
}

#[test]
fn sensitive_values_are_never_shown() {
    let ws = Workspace::new();
    let var = format!("owner={SECRET_TAG}");
    ws.write("main.hcl", &config(false));
    let out = ws.expect(&["validate", "--var", &var], 1);
    assert!(
        out.stderr
            .contains("output `desc` refers to sensitive values"),
        "{}",
        out.stderr
    );
    assert_hidden("validate", &out);

    ws.write("main.hcl", &config(true));
    let plan = ws.expect(&["plan", "--var", &var], 0);
    assert!(
        plan.stdout.contains("description      = (sensitive value)"),
        "{}",
        plan.stdout
    );
    assert!(plan.stdout.contains("(sensitive value)"), "{}", plan.stdout);
    assert_hidden("plan", &plan);
    for format in ["json", "markdown"] {
        let out = ws.expect(&["plan", "--var", &var, "--format", format], 0);
        assert_hidden(format, &out);
    }
    let json = ws.expect(&["plan", "--var", &var, "--format", "json"], 0);
    let doc: serde_json::Value = serde_json::from_str(json.stdout.trim()).unwrap();
    let change = &doc["resource_changes"][0]["change"];
    assert_eq!(change["after_sensitive"]["description"], true, "{change}");
    assert_eq!(change["after_sensitive"]["tags"], true, "{change}");

    ws.expect(&["plan", "--var", &var, "--out", "p.plan"], 0);
    for format in ["human", "json", "markdown"] {
        let out = ws.expect(&["show", "p.plan", "--format", format], 0);
        assert_hidden(&format!("show p.plan --format {format}"), &out);
    }
    let apply = ws.expect(&["apply", "p.plan"], 0);
    assert!(
        apply.stdout.contains("desc = (sensitive value)"),
        "{}",
        apply.stdout
    );
    assert_hidden("apply", &apply);

    for args in [
        &["show", "--var", &var][..],
        &["show", "--format", "json", "--var", &var],
        &["state", "show", "vpcep_service.s", "--var", &var],
        &["output", "--var", &var],
        &["output", "--json", "--var", &var],
    ] {
        let out = ws.expect(args, 0);
        assert_hidden(&format!("{args:?}"), &out);
        assert!(out.stdout.contains("sensitive"), "{args:?}: {}", out.stdout);
    }
    // Asked for by name, the value is printed.
    let named = ws.expect(&["output", "desc", "--var", &var], 0);
    assert_eq!(named.stdout.trim(), SECRET);

    // A change of a sensitive attribute shows that it changes, not what to.
    let changed = ws.expect(&["plan", "--var", "owner=someone-else"], 0);
    assert!(
        changed.stdout.contains("tags        = (sensitive value)")
            || changed.stdout.contains("tags = (sensitive value)"),
        "{}",
        changed.stdout
    );
    assert!(
        !changed.stdout.contains("SOMEONE-ELSE"),
        "{}",
        changed.stdout
    );
}

#[test]
fn errors_about_sensitive_values_do_not_repeat_them() {
    let ws = Workspace::new();
    ws.write("main.hcl", &config(true));
    // A tag value with characters tags may not hold: the error must not quote it.
    let bad = "owner=bad value with spaces!";
    let out = ws.expect(&["validate", "--var", bad], 1);
    assert!(
        !out.stderr.contains("BAD VALUE WITH SPACES!"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("(sensitive value)"), "{}", out.stderr);

    let for_each = format!(
        "{}\nresource \"vpcep_endpoint\" \"e\" {{\n  for_each = toset([var.owner])\n  service_id = vpcep_service.s.id\n  vpc_id = \"v\"\n  subnet_id = \"s\"\n}}\n",
        config(true)
    );
    ws.write("main.hcl", &for_each);
    let out = ws.expect(&["validate", "--var", "owner=abcdefgh"], 1);
    assert!(
        out.stderr.contains("reads a sensitive value"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("abcdefgh"), "{}", out.stderr);
}
