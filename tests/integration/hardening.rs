//! Hostile files and inputs (issue 10): state file handling, bounded reads, damaged journals,
//! serials at their limit. Each test fails on the code before the fix it guards.

use super::harness::{Workspace, services_hcl};
use std::os::unix::fs::PermissionsExt as _;

fn applied(n: usize) -> Workspace {
    let ws = Workspace::new();
    ws.write("main.hcl", &services_hcl("s", n));
    ws.expect(&["apply", "--auto-approve"], 0);
    ws
}

#[test]
fn a_state_write_keeps_the_file_mode() {
    let ws = applied(1);
    let state = ws.path().join("vpcep.state.json");
    std::fs::set_permissions(&state, std::fs::Permissions::from_mode(0o600)).unwrap();
    ws.write("main.hcl", &services_hcl("s", 2));
    ws.expect(&["apply", "--auto-approve"], 0);
    let mode = std::fs::metadata(&state).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "the state's mode was changed to {mode:o}");
}

#[test]
fn a_symlink_planted_at_the_old_temporary_name_is_not_written_through() {
    let ws = applied(1);
    let victim = ws.path().join("victim.txt");
    std::fs::write(&victim, "precious").unwrap();
    std::os::unix::fs::symlink(&victim, ws.path().join("vpcep.state.json.tmp")).unwrap();
    ws.write("main.hcl", &services_hcl("s", 2));
    ws.expect(&["apply", "--auto-approve"], 0);
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    assert_eq!(ws.state()["resources"].as_array().unwrap().len(), 2);
}

#[test]
fn a_symlinked_state_file_stays_a_symlink() {
    let ws = Workspace::new();
    std::fs::create_dir(ws.path().join("shared")).unwrap();
    ws.write("main.hcl", &services_hcl("s", 1));
    std::os::unix::fs::symlink("shared/real.json", ws.path().join("vpcep.state.json")).unwrap();
    ws.expect(&["apply", "--auto-approve"], 0);
    ws.write("main.hcl", &services_hcl("s", 2));
    ws.expect(&["apply", "--auto-approve"], 0);
    let link = ws.path().join("vpcep.state.json");
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink(),
        "the link was replaced by a regular file"
    );
    let real: serde_json::Value =
        serde_json::from_str(&ws.read("shared/real.json")).expect("the target holds the state");
    assert_eq!(real["resources"].as_array().unwrap().len(), 2);
}

#[test]
fn special_files_are_refused_not_read_forever() {
    let ws = applied(1);
    for (args, what) in [
        (vec!["plan", "--var-file", "/dev/zero"], "the variables file"),
        (vec!["state", "push", "/dev/zero"], "the state file"),
        (vec!["show", "/dev/zero"], "the plan file"),
        (vec!["plan", "--state", "/dev/full"], "the state file"),
    ] {
        let out = ws.run_bounded(&args, 20);
        assert_eq!(out.code, 1, "{args:?}: {}", out.stderr);
        assert!(
            out.stderr.contains(what) && out.stderr.contains("not a regular file"),
            "{args:?}: {}",
            out.stderr
        );
    }
}

#[test]
fn a_fifo_as_the_state_file_is_refused_at_once() {
    let ws = Workspace::new();
    ws.write("main.hcl", &services_hcl("s", 1));
    let status = std::process::Command::new("mkfifo")
        .arg(ws.path().join("vpcep.state.json"))
        .status()
        .unwrap();
    assert!(status.success());
    let out = ws.run_bounded(&["plan"], 20);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stderr.contains("not a regular file"), "{}", out.stderr);
}

#[test]
fn a_damaged_middle_line_of_the_journal_is_an_error_not_a_silent_loss() {
    let ws = applied(1);
    let state = ws.state();
    let header = serde_json::json!({"journal": 1, "lineage": state["lineage"], "serial": state["serial"]});
    let set = |name: &str| {
        serde_json::json!({"op": "set", "address": format!("vpcep_service.{name}"), "type": "vpcep_service",
            "name": name, "key": null, "id": format!("id-{name}"), "attributes": {}, "dependencies": []})
    };
    let journal = format!(
        "{header}\n{}\n{{damaged\n{}\n",
        set("x"),
        set("y")
    );
    ws.write("vpcep.state.json.journal", &journal);
    let out = ws.expect(&["plan", "--refresh=false"], 1);
    assert!(
        out.stderr.contains("damaged at line 3 of 4"),
        "{}",
        out.stderr
    );
    assert!(
        ws.path().join("vpcep.state.json.journal").exists(),
        "the journal is kept for repair"
    );
}

#[test]
fn a_serial_at_its_limit_is_an_error_not_a_wrap() {
    let ws = applied(1);
    let mut state = ws.state();
    state["serial"] = serde_json::json!(i64::MAX);
    ws.write("vpcep.state.json", &state.to_string());
    ws.write("main.hcl", &services_hcl("s", 2));
    let out = ws.expect(&["apply", "--auto-approve"], 1);
    assert!(out.stderr.contains("highest there is"), "{}", out.stderr);
    assert_eq!(ws.state()["serial"], serde_json::json!(i64::MAX));

    state["serial"] = serde_json::json!(u64::MAX);
    ws.write("vpcep.state.json", &state.to_string());
    let out = ws.expect(&["plan"], 1);
    assert!(
        out.stderr.contains("larger than the highest serial"),
        "{}",
        out.stderr
    );
}

fn non_utf8(bytes: &[u8]) -> std::ffi::OsString {
    use std::os::unix::ffi::OsStringExt as _;
    std::ffi::OsString::from_vec(bytes.to_vec())
}

/// Issue 10, case 12: bytes that are not UTF-8 in the environment or the arguments give a clear
/// error (or are ignored when they are not vpcep's), never a panic.
#[test]
fn non_utf8_environment_and_arguments_are_clear_errors() {
    let ws = Workspace::new();
    ws.write("main.hcl", &services_hcl("s", 1));
    let run = |cmd: &mut std::process::Command| {
        let out = cmd.output().unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let mut cmd = super::harness::command(ws.path(), &["validate"], &[]);
    cmd.env("SOMETHING_ELSE", non_utf8(b"caf\xe9"));
    let (code, stderr) = run(&mut cmd);
    assert_eq!(code, 0, "{stderr}");

    let mut cmd = super::harness::command(ws.path(), &["validate"], &[]);
    cmd.env("VPCEP_VAR_region", non_utf8(b"caf\xe9"));
    let (code, stderr) = run(&mut cmd);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("VPCEP_VAR_region is not valid UTF-8"),
        "{stderr}"
    );

    let mut cmd = super::harness::command(ws.path(), &["plan"], &[]);
    cmd.env("OS_AUTH_TOKEN", non_utf8(b"\xff\xfe"));
    let (code, stderr) = run(&mut cmd);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("OS_AUTH_TOKEN is not valid UTF-8"), "{stderr}");

    let mut cmd = super::harness::command(ws.path(), &["validate", "--var"], &[]);
    cmd.arg(non_utf8(b"x=caf\xe9"));
    let (code, stderr) = run(&mut cmd);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("UTF-8"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");

    let mut cmd = super::harness::command(ws.path(), &["-C"], &[]);
    cmd.arg(non_utf8(b"caf\xe9")).arg("validate");
    let (code, stderr) = run(&mut cmd);
    assert_eq!(code, 1, "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}
