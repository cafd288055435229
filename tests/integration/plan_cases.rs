//! Data-driven planner cases under `testdata/plan/`: a configuration, an optional recorded
//! `state.json`, optional `args` (one per line), and the expected renderings of
//! `vpcep plan --refresh=false` on a fresh simulated cloud: `expected` (the human transcript),
//! `expected.json` (the JSON plan, pretty-printed here; the binary writes one line) and
//! `expected.md` (the markdown comment). A case whose configuration is an example's names it
//! in a file `example` instead of copying it.
//!
//! `SNAPSHOTS=overwrite cargo test` rewrites the expectations.

use super::harness::{check_expected, copy_config, repo_root, vpcep};

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
        // Named as the case, for the heading of the markdown plan (a directory outside a git
        // repository is named by its own name).
        let temp = tempfile::tempdir().unwrap();
        let work = temp.path().join(dir.file_name().unwrap());
        std::fs::create_dir(&work).unwrap();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            match name.as_str() {
                "expected" | "expected.json" | "expected.md" | "args" => {}
                // The configuration is an example's, planned as it is.
                "example" => {
                    let name = std::fs::read_to_string(&path).unwrap();
                    let example = repo_root().join("examples").join(name.trim());
                    copy_config(&example, &work);
                }
                "state.json" => {
                    std::fs::copy(&path, work.as_path().join("vpcep.state.json")).unwrap();
                }
                _ if path.is_dir() => {
                    std::fs::create_dir_all(work.join(&name)).unwrap();
                    copy_config(&path, &work.join(&name));
                }
                _ => {
                    std::fs::copy(&path, work.as_path().join(&name)).unwrap();
                }
            }
        }
        let extra: Vec<String> = std::fs::read_to_string(dir.join("args"))
            .unwrap_or_default()
            .lines()
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect();
        let run = |format: &str| {
            let mut args = vec!["plan", "--refresh=false", "--format", format];
            args.extend(extra.iter().map(String::as_str));
            vpcep(work.as_path(), &args, &[])
        };
        let out = run("human");
        if let Err(diff) = check_expected(&dir.join("expected"), &out.transcript()) {
            failures.push(diff);
        }
        // No plan at all (an error, not a refused plan): nothing to render in the other forms.
        if out.code != 0 && out.stdout.trim().is_empty() {
            let json = run("json");
            if !json.stdout.trim().is_empty() || json.code != out.code {
                failures.push(format!(
                    "{}: the JSON form of a failed plan printed a plan or ended otherwise",
                    dir.display()
                ));
            }
            continue;
        }
        let json = run("json");
        if json.stdout.lines().count() != 1 {
            failures.push(format!("{}: the JSON plan is not one line", dir.display()));
        }
        match serde_json::from_str::<serde_json::Value>(&json.stdout) {
            Ok(v) => {
                let pretty = serde_json::to_string_pretty(&v).unwrap() + "\n";
                if let Err(diff) = check_expected(&dir.join("expected.json"), &pretty) {
                    failures.push(diff);
                }
            }
            Err(e) => failures.push(format!(
                "{}: the JSON plan does not parse: {e}",
                dir.display()
            )),
        }
        let md = run("markdown");
        if let Err(diff) = check_expected(&dir.join("expected.md"), &md.stdout) {
            failures.push(diff);
        }
        let state_after = std::fs::read_to_string(work.as_path().join("vpcep.state.json")).ok();
        let state_before = std::fs::read_to_string(dir.join("state.json")).ok();
        if state_after != state_before {
            failures.push(format!("{}: plan changed the state file", dir.display()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
