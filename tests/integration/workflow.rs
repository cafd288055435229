//! The GitHub Actions example (`examples/ci/github/vpcep.yml`) runs as written: each job's
//! `run:` steps are executed by bash in a scratch checkout, and the actions it uses are played
//! by the test (checkout, artifact upload and download, the pull-request comment). A step this
//! test does not know fails it, so the example cannot drift from what is tested.

use super::harness::repo_root;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

#[derive(Debug, Default)]
struct Step {
    id: Option<String>,
    name: String,
    uses: Option<String>,
    run: Option<String>,
    condition: Option<String>,
    with: HashMap<String, String>,
}

/// The steps of each job, from the indentation the example uses (jobs at 2, steps at 6, step
/// keys at 8, block contents at 10 spaces).
fn jobs(yaml: &str) -> HashMap<String, Vec<Step>> {
    let mut jobs: HashMap<String, Vec<Step>> = HashMap::new();
    let mut job = String::new();
    let mut in_jobs = false;
    let mut block: Option<&str> = None;
    for line in yaml.lines() {
        let indent = line.len() - line.trim_start().len();
        let text = line.trim();
        if line.starts_with("jobs:") {
            in_jobs = true;
            continue;
        }
        if !in_jobs || text.is_empty() || text.starts_with('#') {
            continue;
        }
        if indent == 2 && text.ends_with(':') {
            text.trim_end_matches(':').clone_into(&mut job);
            jobs.entry(job.clone()).or_default();
            block = None;
            continue;
        }
        let steps = jobs.get_mut(&job).expect("a step belongs to a job");
        if indent == 6 && text.starts_with("- ") {
            steps.push(Step::default());
            block = None;
        }
        let Some(step) = steps.last_mut() else {
            continue;
        };
        let body = text.trim_start_matches("- ");
        if indent >= 10 && block == Some("run") {
            let run = step.run.get_or_insert_with(String::new);
            run.push_str(&line[10.min(line.len())..]);
            run.push('\n');
            continue;
        }
        if indent >= 10 && block == Some("with") {
            if let Some((k, v)) = body.split_once(':') {
                step.with.insert(k.trim().to_owned(), v.trim().to_owned());
            }
            continue;
        }
        if (indent == 6 || indent == 8)
            && let Some((key, value)) = body.split_once(':')
        {
            let value = value.trim().to_owned();
            block = None;
            match key.trim() {
                "name" => step.name = value,
                "id" => step.id = Some(value),
                "uses" => step.uses = Some(value),
                "if" => step.condition = Some(value),
                "run" if value == "|" => {
                    block = Some("run");
                    step.run = Some(String::new());
                }
                "run" => step.run = Some(value + "\n"),
                "with" => block = Some("with"),
                _ => {}
            }
        }
    }
    jobs
}

/// `key=value` lines a step wrote to `$GITHUB_OUTPUT`.
fn outputs(file: &Path) -> HashMap<String, String> {
    std::fs::read_to_string(file)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

/// The commits of the simulated pull request and of its merge.
const HEAD_SHA: &str = "0a1b2c3d4e5f60718293a4b5c6d7e8f901234567";
const MERGE_SHA: &str = "9f8e7d6c5b4a39281706f5e4d3c2b1a098765432";

/// `text` with its `${{ EXPR }}` replaced as GitHub would for this run; an expression the
/// test does not know fails it.
fn expand(text: &str, all: &HashMap<String, HashMap<String, String>>) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${{") {
        out.push_str(&rest[..start]);
        let end = rest[start..].find("}}").expect("a closed expression") + start;
        let expr = rest[start + 3..end].trim();
        let value = match expr {
            "github.event.pull_request.head.sha" => HEAD_SHA.to_owned(),
            "github.sha" | "github.event.after" => MERGE_SHA.to_owned(),
            "github.repository" => "acme/infra".to_owned(),
            "github.repository_owner" => "acme".to_owned(),
            "github.token" => "test-token".to_owned(),
            "github.event.pull_request.number" => "7".to_owned(),
            "runner.os" => "Linux".to_owned(),
            "env.VPCEP_VERSION" => "v0.1.0".to_owned(),
            _ => {
                let path: Vec<&str> = expr.split('.').collect();
                match path.as_slice() {
                    ["steps", id, "outputs", key] => all
                        .get(*id)
                        .and_then(|o| o.get(*key))
                        .cloned()
                        .unwrap_or_default(),
                    ["secrets", _] => String::new(),
                    _ => panic!(
                        "the example uses `${{{{ {expr} }}}}`, which this test does not know"
                    ),
                }
            }
        };
        out.push_str(&value);
        rest = &rest[end + 2..];
    }
    out.push_str(rest);
    out
}

/// Evaluates `steps.ID.outputs.KEY == 'VALUE'`, the one form of condition the example uses.
fn holds(condition: &str, all: &HashMap<String, HashMap<String, String>>) -> bool {
    let (left, right) = condition.split_once("==").expect("a comparison");
    let path: Vec<&str> = left.trim().split('.').collect();
    let ["steps", id, "outputs", key] = path.as_slice() else {
        panic!("an unknown condition form: {condition}");
    };
    let value = all
        .get(*id)
        .and_then(|o| o.get(*key))
        .cloned()
        .unwrap_or_default();
    value == right.trim().trim_matches('\'')
}

/// A fresh checkout of the repository: the configuration in `infra`, the example policies.
fn checkout(root: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let infra = dir.path().join("infra");
    std::fs::create_dir_all(&infra).unwrap();
    let example = root.join("examples/partner-sharing/main.hcl");
    std::fs::copy(example, infra.join("main.hcl")).unwrap();
    dir
}

/// Runs one job; returns the outputs of its steps.
fn run_job(
    steps: &[Step],
    repo: &Path,
    artifacts: &Path,
    bin: &Path,
) -> HashMap<String, HashMap<String, String>> {
    let mut all: HashMap<String, HashMap<String, String>> = HashMap::new();
    for (i, step) in steps.iter().enumerate() {
        if let Some(c) = &step.condition
            && !holds(c, &all)
        {
            continue;
        }
        match (&step.uses, &step.run) {
            (Some(u), _)
                if u.starts_with("actions/checkout@") || u.starts_with("actions/cache@") => {}
            (Some(u), _) if u.starts_with("actions/upload-artifact@") => {
                let path = repo.join(&step.with["path"]);
                assert!(path.exists(), "the artifact {} exists", path.display());
                // Kept under its name, as GitHub keeps it: the download must ask for that name.
                let name = expand(&step.with["name"], &all);
                let dir = artifacts.join(&name);
                std::fs::create_dir_all(&dir).unwrap();
                std::fs::copy(&path, dir.join(path.file_name().unwrap())).unwrap();
            }
            (Some(u), _) if u.starts_with("dawidd6/action-download-artifact@") => {
                let name = expand(&step.with["name"], &all);
                let from = artifacts.join(&name);
                assert!(
                    from.is_dir(),
                    "the apply job asks for the artifact `{name}`, which the plan job did not upload"
                );
                let into = repo.join(&step.with["path"]);
                std::fs::create_dir_all(&into).unwrap();
                for entry in std::fs::read_dir(from).unwrap().flatten() {
                    std::fs::copy(entry.path(), into.join(entry.file_name())).unwrap();
                }
            }
            (Some(u), _) if u.starts_with("marocchino/sticky-pull-request-comment@") => {
                let comment = std::fs::read_to_string(repo.join(&step.with["path"])).unwrap();
                assert!(comment.contains("### vpcep plan"), "the comment: {comment}");
            }
            (Some(u), _) => panic!("the example uses `{u}`, which this test does not play"),
            (None, Some(run)) if run.contains("pip install checkov") => {
                // Needs PyPI; `.ci/checkov.sh` runs the same policies on the same JSON plans.
                assert!(repo.join("plan.json").exists(), "the JSON plan for checkov");
            }
            (None, Some(run)) => {
                let output = repo.join(format!(".github-output-{i}"));
                let path = format!(
                    "{}:{}",
                    bin.display(),
                    std::env::var("PATH").unwrap_or_default()
                );
                let run = &expand(run, &all);
                let out = std::process::Command::new("bash")
                    .args(["-e", "-c", run])
                    .current_dir(repo)
                    .env("PATH", path)
                    .env("GITHUB_OUTPUT", &output)
                    .env("GH_COMMENTS", repo.join(".gh-comments"))
                    .env_remove("VPCEP_PG_CONN_STR")
                    .output()
                    .unwrap();
                assert!(
                    out.status.success(),
                    "step `{}` failed:\n{run}\n{}\n{}",
                    step.name,
                    String::from_utf8_lossy(&out.stdout),
                    String::from_utf8_lossy(&out.stderr)
                );
                if let Some(id) = &step.id {
                    all.insert(id.clone(), outputs(&output));
                }
            }
            (None, None) => panic!("step `{}` has neither `uses` nor `run`", step.name),
        }
    }
    all
}

#[test]
fn the_github_workflow_example_runs_as_written() {
    let root = repo_root();
    let yaml = std::fs::read_to_string(root.join("examples/ci/github/vpcep.yml")).unwrap();
    let jobs = jobs(&yaml);
    let bin = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_vpcep"), bin.path().join("vpcep")).unwrap();
    // `gh pr comment` records the comments it would post.
    let gh = bin.path().join("gh");
    std::fs::write(
        &gh,
        format!(
            "#!/bin/sh\nif [ \"$1\" = api ]; then\n  [ \"$2\" = \"repos/acme/infra/commits/{MERGE_SHA}/pulls\" ] || exit 2\n  echo {HEAD_SHA}\n  exit 0\nfi\n[ \"$1 $2\" = \"pr comment\" ] || exit 2\ncat \"$5\" >> \"$GH_COMMENTS\"\n"
        ),
    )
    .unwrap();
    std::fs::set_permissions(&gh, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let artifacts = tempfile::tempdir().unwrap();

    // A pull request: plan, comment, keep the plan.
    let pr = checkout(&root);
    let outputs = run_job(&jobs["plan"], pr.path(), artifacts.path(), bin.path());
    assert_eq!(outputs["plan"]["exitcode"], "2", "the plan has changes");
    assert!(
        !pr.path().join(".gh-comments").exists(),
        "a short plan is one comment"
    );
    assert_eq!(
        std::fs::read_dir(artifacts.path()).unwrap().count(),
        1,
        "the reviewed plan is kept"
    );

    // The merge: a fresh checkout applies exactly the reviewed plan.
    let merged = checkout(&root);
    run_job(&jobs["apply"], merged.path(), artifacts.path(), bin.path());
    let events = std::fs::read_to_string(merged.path().join("apply.jsonl")).unwrap();
    let last: serde_json::Value = serde_json::from_str(events.lines().last().unwrap()).unwrap();
    assert_eq!(last["type"], "change_summary", "{events}");
    assert_eq!(last["success"], true, "{events}");
    let state: PathBuf = merged.path().join("infra/vpcep.state.json");
    assert!(
        state.exists(),
        "the state is in the configuration directory"
    );
}
