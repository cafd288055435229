//! Small terminal habits of Terraform users: plan flags given to apply are errors, not
//! silence; destroy says "Destroy complete!"; a directory of `*.tf` files gets a hint.

use super::harness::{Workspace, vpcep};

#[test]
fn plan_flags_given_to_apply_or_destroy_are_errors_that_say_where_they_belong() {
    let ws = Workspace::example("single-service");
    for (flags, says) in [
        (vec!["--out", "p.plan"], "vpcep plan --out FILE"),
        (vec!["--format", "json"], "`--format` is a plan flag"),
        (
            vec!["--detailed-exitcode"],
            "`--detailed-exitcode` is a plan flag",
        ),
    ] {
        for command in ["apply", "destroy"] {
            let mut args = vec![command, "--auto-approve"];
            args.extend(&flags);
            let out = vpcep(ws.path(), &args, &[]);
            assert_eq!(out.code, 1, "{args:?}: {}", out.stderr);
            assert!(out.stderr.contains(says), "{args:?}: {}", out.stderr);
        }
    }
    // Nothing was planned or applied.
    assert!(!ws.path().join("vpcep.state.json").exists());
    assert!(!ws.path().join("p.plan").exists());
}

#[test]
fn destroy_ends_as_terraforms_does() {
    let ws = Workspace::example("partner-sharing");
    ws.expect(&["apply", "--auto-approve"], 0);
    let out = ws.expect(&["destroy", "--auto-approve"], 0);
    assert!(
        out.stdout
            .contains("Destroy complete! Resources: 3 destroyed."),
        "{}",
        out.stdout
    );
    let again = ws.expect(&["destroy", "--auto-approve"], 0);
    assert!(
        again
            .stdout
            .contains("Destroy complete! Resources: 0 destroyed."),
        "{}",
        again.stdout
    );
}

#[test]
fn a_directory_of_terraform_files_gets_a_hint() {
    let ws = Workspace::new();
    ws.write("main.tf", "resource \"x\" \"y\" {}\n");
    ws.write("variables.tf", "");
    let out = ws.expect(&["validate"], 1);
    assert!(
        out.stderr
            .contains("vpcep reads `*.hcl` files, not Terraform's `*.tf` (main.tf, variables.tf)"),
        "{}",
        out.stderr
    );
}
