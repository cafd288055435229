//! Terraform's flag spellings through the real binary: single-dash long flags, `-flag=value`,
//! and `-input=false` / `-lock=true` accepted, on a configuration in another directory.

use super::harness::{Workspace, vpcep};

#[test]
fn a_terraform_users_command_lines_work() {
    let ws = Workspace::example("single-service");
    let infra = ws.path().join("infra");
    std::fs::create_dir(&infra).unwrap();
    let main = std::fs::read_to_string(ws.path().join("main.hcl")).unwrap();
    std::fs::remove_file(ws.path().join("main.hcl")).unwrap();
    // Replaced and destroyed below: the example's guard against that is lifted.
    assert!(main.contains("prevent_destroy = true"));
    std::fs::write(
        infra.join("main.hcl"),
        main.replace("prevent_destroy = true", "prevent_destroy = false"),
    )
    .unwrap();
    std::fs::write(
        infra.join("extra.hcl"),
        "variable \"team\" {\n  default = \"core\"\n}\n",
    )
    .unwrap();
    std::fs::write(infra.join("team.vars"), "team = \"edge\"\n").unwrap();
    let run = |args: &[&str], code: i32| {
        let out = vpcep(ws.path(), args, &[]);
        assert_eq!(
            out.code, code,
            "vpcep {args:?}:\n--- stdout\n{}\n--- stderr\n{}",
            out.stdout, out.stderr
        );
        out
    };

    // A saved plan, with every plan flag in Terraform's spelling; relative paths are inside
    // the -chdir directory, as Terraform has them.
    let planned = run(
        &[
            "-chdir=infra",
            "plan",
            "-out=p.plan",
            "-var",
            "team=ops",
            "-var-file=team.vars",
            "-refresh=false",
            "-input=false",
            "-lock=true",
            "-lock-timeout=5s",
            "-no-color",
            "-detailed-exitcode",
        ],
        2,
    );
    assert!(
        planned
            .stdout
            .contains("vpcep_service.billing will be created"),
        "{}",
        planned.stdout
    );
    assert!(infra.join("p.plan").is_file());
    let applied = run(
        &[
            "-chdir=infra",
            "apply",
            "-auto-approve",
            "-parallelism=5",
            "-json",
            "p.plan",
        ],
        0,
    );
    assert!(
        applied
            .stdout
            .lines()
            .all(|l| serde_json::from_str::<serde_json::Value>(l).is_ok())
    );
    run(
        &["-chdir=infra", "plan", "-detailed-exitcode", "-input=false"],
        0,
    );

    let replaced = run(
        &[
            "-chdir=infra",
            "plan",
            "-replace=vpcep_service.billing",
            "-target=vpcep_service.billing",
            "-no-color",
        ],
        0,
    );
    assert!(
        replaced.stdout.contains("must be replaced"),
        "{}",
        replaced.stdout
    );
    let destroying = run(&["-chdir=infra", "plan", "-destroy", "-no-color"], 0);
    assert!(
        destroying.stdout.contains("will be destroyed"),
        "{}",
        destroying.stdout
    );
    run(
        &["-chdir=infra", "destroy", "-auto-approve", "-lock=true"],
        0,
    );
    run(
        &["-chdir=infra", "plan", "-destroy", "-detailed-exitcode"],
        0,
    );

    // The newer commands' flags too.
    std::fs::write(infra.join("messy.hcl"), "locals {\nx=1\n}\n").unwrap();
    let check = run(&["-chdir=infra", "fmt", "-check", "-diff", "-recursive"], 1);
    assert!(check.stdout.contains("messy.hcl"), "{}", check.stdout);
    run(&["-chdir=infra", "fmt"], 0);
    run(&["-chdir=infra", "fmt", "-check"], 0);
    let graph = run(
        &[
            "-chdir=infra",
            "graph",
            "-plan",
            "-refresh=false",
            "-format=mermaid",
        ],
        0,
    );
    assert!(graph.stdout.starts_with("flowchart LR"), "{}", graph.stdout);
    let logged = run(&["-chdir=infra", "-log-file=vpcep.log", "validate"], 0);
    assert!(!logged.stderr.contains("DEBUG"));
    assert!(infra.join("vpcep.log").is_file());
}
