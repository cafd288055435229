//! Every example configuration validates through the real binary.

use super::harness::{repo_root, vpcep};

#[test]
fn every_example_validates() {
    let examples = repo_root().join("examples");
    let mut checked = 0;
    for entry in std::fs::read_dir(&examples).unwrap() {
        let dir = entry.unwrap().path();
        let has_config = std::fs::read_dir(&dir).is_ok_and(|d| {
            d.filter_map(Result::ok)
                .any(|e| e.path().extension().is_some_and(|x| x == "hcl"))
        });
        if !has_config {
            continue;
        }
        let out = vpcep(&dir, &["validate"], &[]);
        assert_eq!(
            out.code,
            0,
            "{} does not validate:\n{}",
            dir.display(),
            out.stderr
        );
        assert!(
            out.stdout
                .starts_with("Success! The configuration is valid"),
            "{}",
            out.stdout
        );
        checked += 1;
    }
    assert!(
        checked >= 3,
        "expected at least three examples, found {checked}"
    );
}

#[test]
fn chdir_flag_selects_the_directory_and_paths_show_it() {
    let root = repo_root();
    let out = vpcep(
        &root,
        &["-C", "testdata/validate/unknown-attribute", "validate"],
        &[],
    );
    assert_eq!(out.code, 1);
    assert!(
        out.stderr
            .contains("--> testdata/validate/unknown-attribute/main.hcl:"),
        "{}",
        out.stderr
    );
}

#[test]
fn usage_errors_exit_1() {
    let out = vpcep(&repo_root(), &["validate", "--no-such-flag"], &[]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let out = vpcep(&repo_root(), &["frobnicate"], &[]);
    assert_eq!(out.code, 1, "{}", out.stderr);
}

#[test]
fn environment_variables_set_input_variables() {
    let dir = repo_root().join("testdata/validate/missing-variable-value");
    let out = vpcep(&dir, &["validate"], &[("VPCEP_VAR_backend_port_id", "p-1")]);
    assert_eq!(out.code, 0, "{}", out.stderr);
}
