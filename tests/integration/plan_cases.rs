//! Data-driven planner cases under `testdata/plan/`: a configuration, an optional recorded
//! `state.json`, optional `args` (one per line), and the `expected` transcript of
//! `vpcep plan --refresh=false` on a fresh simulated cloud.
//!
//! `UPDATE_EXPECT=1 cargo test` rewrites the expectations.

use super::harness::{check_expected, repo_root, vpcep};

#[test]
fn plan_cases() {
    let root = repo_root().join("testdata/plan");
    let mut dirs: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    assert!(
        dirs.len() >= 15,
        "expected the full set of plan cases, found {}",
        dirs.len()
    );
    let mut failures = Vec::new();
    for dir in &dirs {
        let work = tempfile::tempdir().unwrap();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            match name.as_str() {
                "expected" | "args" => {}
                "state.json" => {
                    std::fs::copy(&path, work.path().join("vpcep.state.json")).unwrap();
                }
                _ => {
                    std::fs::copy(&path, work.path().join(&name)).unwrap();
                }
            }
        }
        let mut args = vec!["plan".to_owned(), "--refresh=false".to_owned()];
        args.extend(
            std::fs::read_to_string(dir.join("args"))
                .unwrap_or_default()
                .lines()
                .filter(|l| !l.is_empty())
                .map(str::to_owned),
        );
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = vpcep(work.path(), &args, &[]);
        if let Err(diff) = check_expected(&dir.join("expected"), &out.transcript()) {
            failures.push(diff);
        }
        let state_after = std::fs::read_to_string(work.path().join("vpcep.state.json")).ok();
        let state_before = std::fs::read_to_string(dir.join("state.json")).ok();
        if state_after != state_before {
            failures.push(format!("{}: plan changed the state file", dir.display()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
