//! `vpcep test`: runs a configuration's test files (`*.tftest.hcl` in the directory and in
//! `tests/`, Terraform's syntax). Each file runs in a temporary copy of the configuration,
//! against a simulated cloud and a state of its own (every provider becomes an account of
//! that simulator; the user's state and cloud are never read or written), its `run` blocks
//! in order, the files in parallel. Each run is this binary planning (and applying) there;
//! the `assert` conditions are outputs of the copy, read back from the plan or the state.

use super::output::say;
use crate::config::testfile::{self, Run, TestFile};
use clap::Args;
use serde_json::{Value as Json, json};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

#[derive(Debug, Args, Clone)]
pub(crate) struct TestArgs {
    /// Run only this test file (its path or name; repeatable)
    #[arg(long = "filter", value_name = "FILE")]
    filter: Vec<PathBuf>,
    /// Set an input variable for every run: NAME=VALUE (repeatable)
    #[arg(long = "var", value_name = "NAME=VALUE")]
    vars: Vec<String>,
    /// Show each run's plan or apply output too
    #[arg(long)]
    verbose: bool,
    /// Print an event per file and run, and a summary, as JSON lines
    #[arg(long)]
    json: bool,
}

/// How one run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
struct RunResult {
    name: String,
    passed: bool,
    problems: Vec<String>,
    /// What the run's commands printed (`--verbose`).
    transcript: String,
}

/// How one file ended: its runs, or why it could not run.
#[derive(Debug, Clone)]
struct FileResult {
    display: String,
    runs: Vec<RunResult>,
    error: Option<String>,
}

pub(crate) fn run(
    globals: &super::environment::Globals,
    args: &TestArgs,
) -> super::failure::Outcome {
    let dir = globals.env.dir.clone();
    let mut files = discover(&dir);
    if !args.filter.is_empty() {
        files.retain(|f| {
            args.filter
                .iter()
                .any(|want| f == want || f.file_name().is_some_and(|n| Some(n) == want.file_name()))
        });
    }
    let exe = std::env::current_exe().map_err(|e| {
        super::failure::fail(format!(
            "cannot find the vpcep binary to run the tests: {e}"
        ))
    })?;
    let results: Vec<FileResult> = std::thread::scope(|scope| {
        let handles: Vec<_> = files
            .iter()
            .map(|file| {
                let (exe, dir) = (&exe, &dir);
                scope.spawn(move || run_file(exe, dir, file, &args.vars))
            })
            .collect();
        handles
            .into_iter()
            .zip(&files)
            .map(|(h, file)| {
                h.join().unwrap_or_else(|_| FileResult {
                    display: file.display().to_string(),
                    runs: Vec::new(),
                    error: Some("the test runner stopped unexpectedly".to_owned()),
                })
            })
            .collect()
    });
    let passed = results
        .iter()
        .flat_map(|f| &f.runs)
        .filter(|r| r.passed)
        .count();
    let failed = results
        .iter()
        .map(|f| f.runs.iter().filter(|r| !r.passed).count() + usize::from(f.error.is_some()))
        .sum::<usize>();
    if args.json {
        for f in &results {
            for r in &f.runs {
                say!(
                    "{}",
                    json!({"type": "run", "file": f.display, "run": r.name,
                        "status": if r.passed { "pass" } else { "fail" }, "problems": r.problems})
                );
            }
            say!(
                "{}",
                json!({"type": "file", "file": f.display, "status": file_status(f), "error": f.error})
            );
        }
        say!(
            "{}",
            json!({"type": "summary", "passed": passed, "failed": failed, "files": results.len()})
        );
    } else {
        let mut text = String::new();
        for f in &results {
            let _ = writeln!(text, "{}... in progress", f.display);
            for r in &f.runs {
                let _ = writeln!(
                    text,
                    "  run \"{}\"... {}",
                    r.name,
                    if r.passed { "pass" } else { "fail" }
                );
                for p in &r.problems {
                    let _ = writeln!(text, "    - {p}");
                }
                if args.verbose && !r.transcript.is_empty() {
                    for line in r.transcript.lines() {
                        let _ = writeln!(text, "      | {line}");
                    }
                }
            }
            if let Some(e) = &f.error {
                let _ = writeln!(text, "  error: {e}");
            }
            let _ = writeln!(text, "{}... tearing down", f.display);
            let _ = writeln!(text, "{}... {}\n", f.display, file_status(f));
        }
        if results.is_empty() {
            let _ = writeln!(
                text,
                "No test files: vpcep test runs `*.tftest.hcl` in the configuration directory and in `tests/`.\n"
            );
        }
        let _ = write!(
            text,
            "{} {passed} passed, {failed} failed.",
            if failed == 0 { "Success!" } else { "Failure!" }
        );
        say!("{text}");
    }
    Ok(u8::from(failed > 0))
}

fn file_status(f: &FileResult) -> &'static str {
    if f.error.is_none() && f.runs.iter().all(|r| r.passed) {
        "pass"
    } else {
        "fail"
    }
}

/// The test files of a configuration: `*.tftest.hcl` in it and in its `tests/`, sorted.
fn discover(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for (sub, shown) in [
        (dir.to_path_buf(), PathBuf::new()),
        (dir.join("tests"), PathBuf::from("tests")),
    ] {
        let Ok(entries) = std::fs::read_dir(&sub) else {
            continue;
        };
        let mut names: Vec<String> = entries
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
            .filter_map(|e| e.file_name().into_string().ok())
            .filter(|n| crate::config::is_test_file(n))
            .collect();
        names.sort();
        out.extend(names.into_iter().map(|n| shown.join(n)));
    }
    out
}

/// A directory of its own for one test file, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(display: &str) -> std::io::Result<Scratch> {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let safe: String = display
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        let path =
            std::env::temp_dir().join(format!("vpcep-test-{}-{n}-{safe}", std::process::id()));
        std::fs::create_dir_all(&path)?;
        Ok(Scratch(path))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Copies a configuration into `to`: its files and module directories, without what a run
/// leaves (`.vpcep`, states, plans), version control, or the tests themselves.
fn copy_configuration(from: &Path, to: &Path, depth: usize) -> std::io::Result<()> {
    if depth > 8 {
        return Ok(());
    }
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let kind = entry.file_type()?;
        let skipped = name.starts_with('.')
            || crate::config::is_test_file(&name)
            || (depth == 0 && name == "tests")
            || name.starts_with("vpcep.state")
            || Path::new(&name)
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("vpcep"));
        if skipped || kind.is_symlink() {
            continue;
        }
        if kind.is_dir() {
            std::fs::create_dir_all(to.join(&name))?;
            copy_configuration(&entry.path(), &to.join(&name), depth + 1)?;
        } else if kind.is_file() && entry.metadata()?.len() <= crate::fsio::MAX_CONFIG_FILE {
            std::fs::copy(entry.path(), to.join(&name))?;
        }
    }
    Ok(())
}

fn run_file(exe: &Path, dir: &Path, file: &Path, cli_vars: &[String]) -> FileResult {
    let display = file.display().to_string();
    let fail = |error: String| FileResult {
        display: display.clone(),
        runs: Vec::new(),
        error: Some(error),
    };
    let text = match crate::fsio::read_text(
        &dir.join(file),
        crate::fsio::MAX_CONFIG_FILE,
        "the test file",
    ) {
        Ok(t) => t,
        Err(e) => return fail(e.to_string()),
    };
    let parsed = match testfile::read(&display, &text) {
        Ok(t) => t,
        Err(diags) => {
            return fail(
                diags
                    .iter()
                    .map(|d| {
                        d.location.as_ref().map_or_else(
                            || d.message.clone(),
                            |l| format!("{}:{}: {}", l.file, l.line, d.message),
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("; "),
            );
        }
    };
    let scratch = match Scratch::new(&display) {
        Ok(s) => s,
        Err(e) => return fail(format!("cannot make a directory for the test: {e}")),
    };
    let config = scratch.0.join("configuration");
    let cloud = scratch.0.join("cloud");
    let prepared = std::fs::create_dir_all(&config)
        .and_then(|()| std::fs::create_dir_all(&cloud))
        .and_then(|()| copy_configuration(dir, &config, 0))
        .and_then(|()| {
            std::fs::write(
                cloud.join(crate::testcloud::OVERRIDES),
                serde_json::to_vec(&parsed.providers).unwrap_or_default(),
            )
        });
    if let Err(e) = prepared {
        return fail(format!("cannot copy the configuration for the test: {e}"));
    }
    let runner = Runner {
        exe,
        config: &config,
        cloud: &cloud,
        state: scratch.0.join("test.state.json"),
        cli_vars,
    };
    let mut outputs: serde_json::Map<String, Json> = serde_json::Map::new();
    let mut runs = Vec::new();
    for run in &parsed.runs {
        let result = runner.run(&parsed, run, &outputs);
        if let Ok((r, out)) = result {
            outputs.insert(run.name.clone(), Json::Object(out));
            runs.push(r);
        } else if let Err(e) = result {
            runs.push(RunResult {
                name: run.name.clone(),
                passed: false,
                problems: vec![e],
                transcript: String::new(),
            });
        }
    }
    drop(scratch);
    FileResult {
        display,
        runs,
        error: None,
    }
}

/// Runs one file's runs in its scratch directory.
struct Runner<'a> {
    exe: &'a Path,
    config: &'a Path,
    cloud: &'a Path,
    state: PathBuf,
    cli_vars: &'a [String],
}

/// An assertion's outputs: the condition, the message, and the two sides of a comparison.
const PREFIX: &str = "vpcep_test_";

/// What a run's plan found: its exit code, what it printed, its JSON (when it made one), the
/// names of what failed (refused resources, rules, failed checks) and why.
struct Planned {
    code: i32,
    stderr: String,
    json: Option<Json>,
    failed: Vec<String>,
    why: Vec<String>,
}

impl Planned {
    /// Whether the configuration itself failed (a validation, a precondition): the command
    /// stopped before it could make a plan.
    fn config_error(&self) -> bool {
        self.code != 0 && self.json.is_none()
    }

    /// Whether `expected` (as `expect_failures` writes it) is among what failed.
    fn saw(&self, expected: &str) -> bool {
        let named = |v: &str| {
            self.stderr.contains(&format!("`{v}`")) || self.stderr.contains(&format!("var.{v}"))
        };
        self.failed.iter().any(|f| matches_failure(f, expected))
            || (self.config_error() && expected.strip_prefix("var.").is_some_and(named))
            || (self.config_error() && self.stderr.contains(&format!("`{expected}`")))
    }
}

/// Whether a failure names `expected` or an instance of it.
fn matches_failure(failure: &str, expected: &str) -> bool {
    failure == expected || failure.starts_with(&format!("{expected}["))
}

impl Runner<'_> {
    fn command(&self, args: &[String]) -> Result<(i32, String, String), String> {
        let out = std::process::Command::new(self.exe)
            .arg("-C")
            .arg(self.config)
            .arg("--no-color")
            .arg("--test-cloud")
            .arg(self.cloud)
            .args(args)
            .stdin(std::process::Stdio::null())
            .output()
            .map_err(|e| format!("cannot run vpcep: {e}"))?;
        Ok((
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        ))
    }

    /// One run: its plan (and apply), its expected failures and its assertions. Returns the
    /// result and the run's outputs (for `run.NAME.OUTPUT` in later runs).
    fn run(
        &self,
        test: &TestFile,
        run: &Run,
        earlier: &serde_json::Map<String, Json>,
    ) -> Result<(RunResult, serde_json::Map<String, Json>), String> {
        let common = self.inputs(test, run, earlier)?;
        let mut transcript = String::new();
        let planned = self.plan(run, &common, &mut transcript)?;
        let ended = |problems: Vec<String>, transcript: String, outputs| {
            Ok((
                RunResult {
                    name: run.name.clone(),
                    passed: problems.is_empty(),
                    problems,
                    transcript,
                },
                outputs,
            ))
        };
        if !run.expect_failures.is_empty() {
            return ended(
                expected_failures(run, &planned),
                transcript,
                serde_json::Map::new(),
            );
        }
        // A check that fails only warns; anything else that failed fails the run.
        if !planned.why.is_empty()
            && (planned.code != 0 || !planned.failed.iter().all(|f| f.starts_with("check.")))
        {
            return ended(planned.why, transcript, serde_json::Map::new());
        }
        let outputs = if run.plan_only {
            planned
                .json
                .as_ref()
                .map(|p| values_of(&p["planned_values"]["outputs"]))
                .unwrap_or_default()
        } else {
            if let Err(problem) = self.apply(run, &common, &mut transcript) {
                return ended(vec![problem], transcript, serde_json::Map::new());
            }
            recorded_outputs(&self.state)
        };
        let problems = match self.assert(run, &common, &outputs, earlier) {
            Ok(problems) => problems,
            Err(problem) => vec![problem],
        };
        let own = outputs
            .into_iter()
            .filter(|(k, _)| !k.starts_with(PREFIX))
            .collect();
        ended(problems, transcript, own)
    }

    /// Writes the run's variables (its own over the file's, earlier runs' outputs in place)
    /// and returns the arguments every command of the run takes.
    fn inputs(
        &self,
        test: &TestFile,
        run: &Run,
        earlier: &serde_json::Map<String, Json>,
    ) -> Result<Vec<String>, String> {
        let mut merged: indexmap::IndexMap<&str, &str> = indexmap::IndexMap::new();
        for (name, value) in test.variables.iter().chain(&run.variables) {
            merged.insert(name, value);
        }
        let mut vars = String::new();
        for (name, value) in merged {
            let _ = writeln!(vars, "{name} = {}", substitute_runs(value, earlier));
        }
        let var_file = self.cloud.join("run.vars");
        std::fs::write(&var_file, vars)
            .map_err(|e| format!("cannot write the run's variables: {e}"))?;
        let mut common: Vec<String> = vec![
            "--state".into(),
            self.state.display().to_string(),
            "--var-file".into(),
            var_file.display().to_string(),
        ];
        for v in self.cli_vars {
            common.extend(["--var".to_owned(), v.clone()]);
        }
        Ok(common)
    }

    /// The run's plan (without its assertions), and what failed in it.
    fn plan(
        &self,
        run: &Run,
        common: &[String],
        transcript: &mut String,
    ) -> Result<Planned, String> {
        let _ = std::fs::remove_file(self.config.join(ASSERTIONS));
        let mut args: Vec<String> = vec!["plan".into(), "--format".into(), "json".into()];
        args.extend(common.iter().cloned());
        if !run.refresh {
            args.push("--refresh=false".into());
        }
        args.extend(plan_options(run));
        let (code, stdout, stderr) = self.command(&args)?;
        let _ = write!(transcript, "$ vpcep {}\n{stderr}", args.join(" "));
        let json: Option<Json> = serde_json::from_str(&stdout).ok();
        let (mut failed, mut why) = (Vec::new(), Vec::new());
        if let Some(plan) = &json {
            for r in plan["refusals"].as_array().into_iter().flatten() {
                // A refusal of the whole account (a quota) is named by its rule.
                if let Some(a) = r["address"].as_str().or_else(|| r["rule"].as_str()) {
                    failed.push(a.to_owned());
                }
                why.push(r["message"].as_str().unwrap_or_default().to_owned());
            }
            for c in plan["checks"].as_array().into_iter().flatten() {
                if c["status"] == "fail" {
                    let name = c["address"]["name"].as_str().unwrap_or_default();
                    failed.push(format!("check.{name}"));
                    why.push(format!("check `{name}` failed"));
                }
            }
        } else if code != 0 {
            why.push(first_error(&stderr));
        }
        Ok(Planned {
            code,
            stderr,
            json,
            failed,
            why,
        })
    }

    /// Applies the run; the problem when it fails.
    fn apply(&self, run: &Run, common: &[String], transcript: &mut String) -> Result<(), String> {
        let mut args: Vec<String> = vec!["apply".into(), "--auto-approve".into()];
        args.extend(common.iter().cloned());
        args.extend(plan_options(run));
        let (code, stdout, stderr) = self.command(&args)?;
        let _ = write!(transcript, "$ vpcep {}\n{stdout}{stderr}", args.join(" "));
        if code == 0 {
            Ok(())
        } else {
            Err(format!("apply failed: {}", first_error(&stderr)))
        }
    }

    /// The run's assertions, evaluated as outputs of the configuration as the run left it
    /// (`output.NAME` and `run.NAME.OUTPUT` as the values they had), by a plan that changes
    /// nothing: a problem per assertion that does not hold.
    fn assert(
        &self,
        run: &Run,
        common: &[String],
        outputs: &serde_json::Map<String, Json>,
        earlier: &serde_json::Map<String, Json>,
    ) -> Result<Vec<String>, String> {
        if run.asserts.is_empty() {
            return Ok(Vec::new());
        }
        let with_values = |text: &str| substitute_outputs(&substitute_runs(text, earlier), outputs);
        let mut extra = String::new();
        let mut output = |name: String, expr: &str| {
            let _ = writeln!(
                extra,
                "output \"{name}\" {{\n  value = ({})\n}}",
                with_values(expr)
            );
        };
        for (i, a) in run.asserts.iter().enumerate() {
            output(format!("{PREFIX}{i}"), &a.condition);
            output(format!("{PREFIX}{i}_message"), &a.error_message);
            if let Some((left, right)) = comparison(&a.condition) {
                output(format!("{PREFIX}{i}_left"), left);
                output(format!("{PREFIX}{i}_right"), right);
            }
        }
        let file = self.config.join(ASSERTIONS);
        std::fs::write(&file, extra)
            .map_err(|e| format!("cannot write the run's assertions: {e}"))?;
        let mut args: Vec<String> = vec![
            "plan".into(),
            "--format".into(),
            "json".into(),
            "--refresh=false".into(),
        ];
        args.extend(common.iter().cloned());
        let (code, stdout, stderr) = self.command(&args)?;
        let _ = std::fs::remove_file(&file);
        let values = match serde_json::from_str::<Json>(&stdout) {
            Ok(p) if code == 0 => values_of(&p["planned_values"]["outputs"]),
            _ => {
                return Err(format!(
                    "the assertions cannot be evaluated: {}",
                    first_error(&stderr)
                ));
            }
        };
        let mut problems = Vec::new();
        for (i, a) in run.asserts.iter().enumerate() {
            let get = |suffix: &str| values.get(&format!("{PREFIX}{i}{suffix}"));
            match get("").unwrap_or(&Json::Null) {
                Json::Bool(true) => {}
                Json::Bool(false) => {
                    let message = get("_message")
                        .and_then(Json::as_str)
                        .unwrap_or(&a.error_message);
                    let compared = match (get("_left"), get("_right")) {
                        (Some(l), Some(r)) => format!("; compared {l} with {r}"),
                        _ => String::new(),
                    };
                    problems.push(format!(
                        "{}: {message} (`{}` is false{compared})",
                        a.at, a.condition
                    ));
                }
                Json::Null if run.plan_only => problems.push(format!(
                    "{}: `{}` is known only after apply; use `command = apply`",
                    a.at, a.condition
                )),
                other => problems.push(format!(
                    "{}: `{}` must be a bool, got {other}",
                    a.at, a.condition
                )),
            }
        }
        Ok(problems)
    }
}

/// The file the assertions are written to in the copy of the configuration.
const ASSERTIONS: &str = "zz_vpcep_test.hcl";

/// `plan_options` as flags of plan and apply.
fn plan_options(run: &Run) -> Vec<String> {
    let mut args = Vec::new();
    if run.refresh_only {
        args.push("--refresh-only".to_owned());
    }
    for r in &run.replace {
        args.extend(["--replace".to_owned(), r.clone()]);
    }
    for t in &run.target {
        args.extend(["--target".to_owned(), t.clone()]);
    }
    args
}

/// The problems of a run that expects failures: each expected one that did not happen, and
/// each failure it does not expect.
fn expected_failures(run: &Run, planned: &Planned) -> Vec<String> {
    let mut problems = Vec::new();
    for expected in &run.expect_failures {
        if !planned.saw(expected) {
            let what = if planned.why.is_empty() {
                String::new()
            } else {
                format!(" (what failed: {})", planned.why.join("; "))
            };
            problems.push(format!(
                "expected `{expected}` to fail, but it did not{what}"
            ));
        }
    }
    for failure in &planned.failed {
        if !run
            .expect_failures
            .iter()
            .any(|e| matches_failure(failure, e))
        {
            problems.push(format!("`{failure}` failed, which the run does not expect"));
        }
    }
    problems
}

/// The `value` of each output of a JSON plan's `planned_values.outputs`.
fn values_of(outputs: &Json) -> serde_json::Map<String, Json> {
    outputs
        .as_object()
        .map(|o| {
            o.iter()
                .map(|(k, v)| (k.clone(), v["value"].clone()))
                .collect()
        })
        .unwrap_or_default()
}

/// `output.NAME` replaced by the value that output has now, as a literal.
fn substitute_outputs(text: &str, outputs: &serde_json::Map<String, Json>) -> String {
    let mut out = text.to_owned();
    for (name, value) in outputs {
        let reference = format!("output.{name}");
        if out.contains(&reference) {
            out = replace_word(&out, &reference, &testfile::literal(value));
        }
    }
    out
}

/// The outputs a state records, by name.
fn recorded_outputs(state: &Path) -> serde_json::Map<String, Json> {
    let Ok(text) = crate::fsio::read_text(state, crate::fsio::MAX_STATE_FILE, "the test's state")
    else {
        return serde_json::Map::new();
    };
    let doc: Json = serde_json::from_str(&text).unwrap_or(Json::Null);
    doc["outputs"]
        .as_object()
        .map(|o| {
            o.iter()
                .map(|(k, v)| (k.clone(), v.get("value").cloned().unwrap_or(Json::Null)))
                .collect()
        })
        .unwrap_or_default()
}

/// The first error line of a command's standard error.
fn first_error(stderr: &str) -> String {
    stderr
        .lines()
        .find(|l| l.starts_with("error"))
        .unwrap_or_else(|| stderr.lines().next().unwrap_or("it failed"))
        .trim_start_matches("error: ")
        .to_owned()
}

/// `run.NAME.OUTPUT` replaced by the value of that earlier run's output, as a literal.
fn substitute_runs(text: &str, earlier: &serde_json::Map<String, Json>) -> String {
    let mut out = text.to_owned();
    for (run, outputs) in earlier {
        for (name, value) in outputs.as_object().into_iter().flatten() {
            let reference = format!("run.{run}.{name}");
            if out.contains(&reference) {
                out = replace_word(&out, &reference, &testfile::literal(value));
            }
        }
    }
    out
}

/// Replaces `word` where it is not part of a longer name.
fn replace_word(text: &str, word: &str, with: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(word) {
        let after = rest[i + word.len()..].chars().next();
        let before = rest[..i].chars().next_back();
        let part_of_name =
            |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        out.push_str(&rest[..i]);
        if part_of_name(after) || part_of_name(before) || before == Some('.') {
            out.push_str(word);
        } else {
            out.push_str(with);
        }
        rest = &rest[i + word.len()..];
    }
    out.push_str(rest);
    out
}

/// The two sides of a condition that is one comparison (`a == b`, `a != b`), outside any
/// brackets or strings: shown when the assertion fails.
fn comparison(condition: &str) -> Option<(&str, &str)> {
    let bytes = condition.as_bytes();
    let (mut depth, mut quoted) = (0i32, false);
    let mut found = None;
    let mut i = 0;
    while i + 1 < bytes.len() {
        match bytes[i] {
            b'"' if i == 0 || bytes[i - 1] != b'\\' => quoted = !quoted,
            b'(' | b'[' | b'{' if !quoted => depth += 1,
            b')' | b']' | b'}' if !quoted => depth -= 1,
            b'=' | b'!' if !quoted && depth == 0 && bytes[i + 1] == b'=' => {
                if found.is_some() {
                    return None;
                }
                found = Some(i);
                i += 1;
            }
            b'&' | b'|' | b'?' if !quoted && depth == 0 => return None,
            _ => {}
        }
        i += 1;
    }
    let at = found?;
    Some((condition[..at].trim(), condition[at + 2..].trim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comparisons_split_at_the_top_level_only() {
        assert_eq!(comparison("a.b == \"x == y\""), Some(("a.b", "\"x == y\"")));
        assert_eq!(comparison("length(x) != 2"), Some(("length(x)", "2")));
        assert_eq!(comparison("a == b && c == d"), None);
        assert_eq!(comparison("f(a == b)"), None);
        assert_eq!(comparison("x"), None);
    }

    #[test]
    fn earlier_outputs_replace_whole_references_only() {
        let mut earlier = serde_json::Map::new();
        earlier.insert("setup".into(), json!({"id": "abc", "ids": [1, 2]}));
        assert_eq!(
            substitute_runs("run.setup.id == x && run.setup.ids[0] == 1", &earlier),
            "\"abc\" == x && [\n  1,\n  2\n][0] == 1"
        );
        assert_eq!(
            substitute_runs("run.setup.identity", &earlier),
            "run.setup.identity"
        );
    }
}
