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

/// Issue 34.1: a value derived from a secret by a function, a map or a template leaked — into
/// the JSON plan's `configuration`, saved-plan renderings, and the messages of errors about
/// it (a tag key, a whitelist entry, `format`/`tonumber`/`file`, module inputs, validation
/// and precondition messages). Every case, in every form the secret could take (as written,
/// lowered, uppercased, base64), is checked in every output of the commands that show it.
#[test]
fn values_derived_from_a_secret_never_show_in_any_output() {
    const RAW: &str = "TopSecretValue";
    let forms = [
        RAW.to_owned(),
        RAW.to_lowercase(),
        RAW.to_uppercase(),
        "VG9wU2VjcmV0VmFsdWU=".to_owned(),
    ];
    let head = format!(
        "variable \"secret\" {{\n  type      = string\n  sensitive = true\n  default   = \"{RAW}\"\n}}\n"
    );
    let service = |extra: &str| {
        format!(
            "{head}resource \"vpcep_service\" \"s\" {{\n  server_type = \"LB\"\n  port_id     = \"p1\"\n  vpc_id      = \"v1\"\n{extra}\n  port {{\n    server_port = 80\n    client_port = 80\n  }}\n}}\n"
        )
    };
    // Configurations that plan: the secret flows into values.
    let planned = [
        service("  tags = { audit = lower(var.secret), team = \"billing\" }"),
        service("  description = base64encode(var.secret)"),
        service("  description = substr(upper(var.secret), 0, 100)"),
        service("  tags = { audit = \"${var.secret}-x\" }"),
    ];
    // Configurations that fail: the secret flows into an error.
    let failing = [
        service("  tags = { (lower(var.secret)) = \"x y!\" }"),
        service("  whitelist = [lower(var.secret)]"),
        service("  description = format(\"%d\", lower(var.secret))"),
        service("  description = tostring(tonumber(lower(var.secret)))"),
        service("  description = file(lower(var.secret))"),
        service("  name = \"${lower(var.secret)}!!!\""),
        service(
            "  lifecycle {\n    precondition {\n      condition     = false\n      error_message = \"bad ${lower(var.secret)}\"\n    }\n  }",
        ),
        format!(
            "{head}variable \"v\" {{\n  type    = string\n  default = \"x\"\n  validation {{\n    condition     = var.v == \"y\"\n    error_message = \"need ${{upper(var.secret)}}\"\n  }}\n}}\n"
        ),
        format!("{head}module \"m\" {{\n  source = \"./m\"\n  v      = lower(var.secret)\n}}\n"),
    ];
    let check = |ws: &Workspace, args: &[&str], label: &str| {
        let out = ws.run(args);
        assert_ne!(out.code, 101, "{label} {args:?} panicked: {}", out.stderr);
        for text in [&out.stdout, &out.stderr] {
            for form in &forms {
                assert!(
                    !text.contains(form.as_str()),
                    "{label}: `vpcep {}` shows `{form}`:\n{text}",
                    args.join(" ")
                );
            }
        }
        out
    };
    for (i, config) in planned.iter().enumerate() {
        let ws = Workspace::new();
        ws.write("main.hcl", config);
        let label = format!("planned case {i}");
        for args in [
            &["validate"][..],
            &["validate", "--json"],
            &["plan"],
            &["plan", "--format", "json"],
            &["plan", "--format", "markdown"],
            &["graph", "--plan"],
            &["plan", "--out", "p.plan"],
            &["show", "p.plan"],
            &["show", "p.plan", "--format", "json"],
            &["show", "p.plan", "--format", "markdown"],
            &["apply", "--auto-approve"],
            &["apply", "--auto-approve", "--json"],
            &["show"],
            &["show", "--format", "json"],
            &["state", "show", "vpcep_service.s"],
            &["output", "--json"],
        ] {
            check(&ws, args, &label);
        }
        let show = check(&ws, &["show"], &label);
        assert!(
            !show.stdout.contains("tags:          -\n") || !config.contains("tags"),
            "{label}: a sensitive map reads as no tags:\n{}",
            show.stdout
        );
    }
    for (i, config) in failing.iter().enumerate() {
        let ws = Workspace::new();
        ws.write("main.hcl", config);
        ws.write("m/main.hcl", "variable \"v\" {\n  type = number\n}\n");
        let label = format!("failing case {i}");
        for args in [
            &["validate"][..],
            &["validate", "--json"],
            &["plan"],
            &["apply", "--auto-approve", "--json"],
        ] {
            let out = check(&ws, args, &label);
            assert_eq!(
                out.code,
                1,
                "{label} {args:?} should fail: {}",
                out.transcript()
            );
        }
    }
}

/// Issue 34.1: the backup was written 0644 beside a state at 0600, holding the same secrets;
/// a new state (and the plan file that holds every value) is its owner's alone.
#[test]
fn state_files_and_saved_plans_keep_secrets_to_their_owner() {
    use std::os::unix::fs::PermissionsExt as _;
    let ws = Workspace::new();
    ws.write("main.hcl", &config(true));
    let env = [("VPCEP_VAR_owner", SECRET_TAG)];
    let run = |args: &[&str]| {
        let out = super::harness::vpcep(ws.path(), args, &env);
        assert_eq!(out.code, 0, "{args:?}: {}", out.transcript());
    };
    let mode = |name: &str| {
        std::fs::metadata(ws.path().join(name))
            .unwrap()
            .permissions()
            .mode()
            & 0o777
    };
    run(&["plan", "--out", "p.plan"]);
    assert_eq!(mode("p.plan"), 0o600, "a new saved plan");
    run(&["apply", "--auto-approve"]);
    assert_eq!(mode("vpcep.state.json"), 0o600, "a new state file");
    assert_eq!(mode("vpcep.state.json.lock"), 0o600, "the lock");
    ws.edit("main.hcl", "team = \"platform\"", "team = \"platform2\"");
    run(&["apply", "--auto-approve"]);
    assert_eq!(
        mode("vpcep.state.json.backup"),
        0o600,
        "the backup of a 0600 state"
    );
    // A state its owner shares with a group: the backup follows it.
    std::fs::set_permissions(
        ws.path().join("vpcep.state.json"),
        std::fs::Permissions::from_mode(0o640),
    )
    .unwrap();
    ws.edit("main.hcl", "team = \"platform2\"", "team = \"platform3\"");
    run(&["apply", "--auto-approve"]);
    assert_eq!(mode("vpcep.state.json"), 0o640);
    assert_eq!(mode("vpcep.state.json.backup"), 0o640);
}
