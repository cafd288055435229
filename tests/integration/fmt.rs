//! `vpcep fmt` through the binary: the examples are already formatted, every configuration in
//! the repository formats to a fixed point with its meaning kept, `--check` and `--diff` are
//! for CI, comments survive, and a file that does not parse is named at its line.

use super::harness::{Workspace, repo_root, vpcep};
use std::path::{Path, PathBuf};

/// Every `*.hcl` file below `dir`.
fn hcl_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(hcl_files(&path));
        } else if path.extension().is_some_and(|e| e == "hcl") {
            out.push(path);
        }
    }
    out.sort();
    out
}

#[test]
fn the_examples_are_formatted() {
    let out = vpcep(
        &repo_root(),
        &["fmt", "--check", "--recursive", "examples"],
        &[],
    );
    assert_eq!(out.code, 0, "{}", out.transcript());
    assert_eq!(out.stdout, "");
}

/// Each example and each test configuration that parses: formatting it once gives a text that
/// validates exactly as the original did and that formatting leaves alone.
#[test]
fn every_configuration_formats_to_a_fixed_point_that_means_the_same() {
    let root = repo_root();
    let mut formatted = 0;
    for file in hcl_files(&root.join("examples"))
        .into_iter()
        .chain(hcl_files(&root.join("testdata")))
    {
        let text = std::fs::read_to_string(&file).unwrap();
        if hcl::edit::parser::parse_body(&text).is_err() {
            continue;
        }
        let ws = Workspace::new();
        ws.write("main.hcl", &text);
        let first = vpcep(ws.path(), &["fmt"], &[]);
        assert_eq!(first.code, 0, "{}: {}", file.display(), first.transcript());
        let once = ws.read("main.hcl");
        let again = vpcep(ws.path(), &["fmt", "--check"], &[]);
        assert_eq!(again.code, 0, "{} is not a fixed point", file.display());
        assert_eq!(ws.read("main.hcl"), once);
        assert_eq!(
            hcl::parse(&text).unwrap(),
            hcl::parse(&once).unwrap(),
            "{} changed meaning",
            file.display()
        );
        formatted += 1;
    }
    assert!(formatted > 40, "only {formatted} configurations were tried");
}

const MESSY: &str = "# The orders service.\nresource \"vpcep_service\" \"orders\" {\n\tname=\"orders\" # short\n        server_type = \"LB\"   // kept\n  port_id = \"11111111-2222-4333-8444-555555555555\"\n  vpc_id = \"66666666-7777-4888-9999-000000000000\"\n  /* ports:\n        as agreed */\n  port {\nserver_port = 80\n client_port=80\n  }\n}\n\n\n\noutput \"name\" {\n  value = vpcep_service.orders.service_name\n}\n";

const TIDY: &str = "# The orders service.\nresource \"vpcep_service\" \"orders\" {\n  name        = \"orders\" # short\n  server_type = \"LB\"     // kept\n  port_id     = \"11111111-2222-4333-8444-555555555555\"\n  vpc_id      = \"66666666-7777-4888-9999-000000000000\"\n  /* ports:\n        as agreed */\n  port {\n    server_port = 80\n    client_port = 80\n  }\n}\n\noutput \"name\" {\n  value = vpcep_service.orders.service_name\n}\n";

#[test]
fn check_lists_and_fails_diff_shows_and_a_plain_run_rewrites_keeping_comments() {
    let ws = Workspace::new();
    ws.write("main.hcl", MESSY);
    ws.write("tidy.hcl", "locals {\n  x = 1\n}\n");

    let check = ws.expect(&["fmt", "--check"], 1);
    assert_eq!(check.stdout, "main.hcl\n");
    assert_eq!(ws.read("main.hcl"), MESSY, "--check changes nothing");

    let diff = ws.expect(&["fmt", "--check", "--diff"], 1);
    assert!(
        diff.stdout.contains("--- main.hcl (before)"),
        "{}",
        diff.stdout
    );
    assert!(
        diff.stdout.contains("-\tname=\"orders\" # short"),
        "{}",
        diff.stdout
    );
    assert!(
        diff.stdout.contains("+  name        = \"orders\" # short"),
        "{}",
        diff.stdout
    );

    let write = ws.expect(&["fmt"], 0);
    assert_eq!(write.stdout, "main.hcl\n");
    assert_eq!(ws.read("main.hcl"), TIDY);
    ws.expect(&["fmt", "--check"], 0);
    ws.expect(&["validate"], 0);
}

#[test]
fn directories_files_recursion_chdir_and_standard_input() {
    let ws = Workspace::new();
    ws.write("main.hcl", MESSY);
    std::fs::create_dir_all(ws.path().join("sub/deeper")).unwrap();
    std::fs::create_dir_all(ws.path().join(".hidden")).unwrap();
    ws.write("sub/a.hcl", MESSY);
    ws.write("sub/deeper/b.hcl", MESSY);
    ws.write(".hidden/c.hcl", MESSY);
    ws.write("sub/notes.txt", "not = hcl\n");
    ws.write("vars.tfvars", "a=1\n");

    let flat = ws.expect(&["fmt", "--check", "sub"], 1);
    assert_eq!(flat.stdout, "sub/a.hcl\n");
    let deep = ws.expect(&["fmt", "--check", "--recursive"], 1);
    assert_eq!(deep.stdout, "main.hcl\nsub/a.hcl\nsub/deeper/b.hcl\n");
    // A file named explicitly is formatted whatever its name.
    ws.expect(&["fmt", "vars.tfvars"], 0);
    assert_eq!(ws.read("vars.tfvars"), "a = 1\n");
    // -C: paths are inside DIR.
    let chdir = vpcep(ws.path(), &["-C", "sub", "fmt", "--recursive"], &[]);
    assert_eq!(chdir.code, 0, "{}", chdir.transcript());
    assert_eq!(chdir.stdout, "a.hcl\ndeeper/b.hcl\n");
    assert_eq!(ws.read("sub/deeper/b.hcl"), TIDY);
    assert_eq!(ws.read(".hidden/c.hcl"), MESSY);
    assert_eq!(ws.read("main.hcl"), MESSY);

    let mut piped = super::harness::command(ws.path(), &["fmt", "-"], &[]);
    piped.stdin(std::process::Stdio::piped());
    piped.stdout(std::process::Stdio::piped());
    let mut child = piped.spawn().unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), MESSY.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    assert_eq!(String::from_utf8(out.stdout).unwrap(), TIDY);
}

#[test]
fn a_file_that_does_not_parse_is_named_at_its_line_and_others_are_still_formatted() {
    let ws = Workspace::new();
    ws.write("a.hcl", "locals {\n  a = 1\n  b = \n}\n");
    ws.write("b.hcl", MESSY);
    let out = ws.expect(&["fmt"], 1);
    assert!(out.stderr.contains("a.hcl:3:"), "{}", out.stderr);
    assert!(out.stderr.contains("invalid HCL syntax"), "{}", out.stderr);
    assert!(
        out.stderr.contains("1 file could not be formatted"),
        "{}",
        out.stderr
    );
    assert_eq!(ws.read("a.hcl"), "locals {\n  a = 1\n  b = \n}\n");
    assert_eq!(ws.read("b.hcl"), TIDY);

    let missing = ws.expect(&["fmt", "nowhere"], 1);
    assert!(
        missing.stderr.contains("cannot read `nowhere`"),
        "{}",
        missing.stderr
    );
}
