//! Data-driven cases under `testdata/validate/`: each directory is a configuration, with an
//! optional `args` file (one extra argument per line), an optional `env` file (`NAME=VALUE`
//! lines) and an `expected` transcript of exit code, stdout and stderr.
//!
//! `SNAPSHOTS=overwrite cargo test` rewrites the expectations.

use super::harness::{check_expected, repo_root, vpcep};

#[test]
fn validate_cases() {
    let root = repo_root().join("testdata/validate");
    let mut dirs: Vec<_> = std::fs::read_dir(&root)
        .expect("testdata/validate exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    assert!(
        dirs.len() > 30,
        "expected the full set of validate cases, found {}",
        dirs.len()
    );
    let mut failures = Vec::new();
    for dir in &dirs {
        let lines = |name: &str| -> Vec<String> {
            std::fs::read_to_string(dir.join(name))
                .map(|s| {
                    s.lines()
                        .filter(|l| !l.is_empty())
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default()
        };
        let mut args = vec!["validate".to_owned()];
        args.extend(lines("args"));
        let env: Vec<(String, String)> = lines("env")
            .iter()
            .filter_map(|l| l.split_once('=').map(|(k, v)| (k.to_owned(), v.to_owned())))
            .collect();
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let out = vpcep(dir, &args, &env);
        if out.code != 0 && out.code != 1 {
            failures.push(format!("{}: exit code {}", dir.display(), out.code));
        }
        if let Err(diff) = check_expected(&dir.join("expected"), &out.transcript()) {
            failures.push(diff);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
