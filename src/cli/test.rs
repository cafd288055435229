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

pub(crate) fn run(globals: &super::Globals, args: &TestArgs) -> super::failure::Outcome {
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

impl Runner<'_> {
    fn command(&self, args: &[&str]) -> Result<(i32, String, String), String> {
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
        let with_runs = |text: &str| substitute_runs(text, earlier);
        // The run itself, without its assertions (they are evaluated once it is done).
        let assertions = self.config.join("zz_vpcep_test.hcl");
        let _ = std::fs::remove_file(&assertions);
        // The run's own values over the file's.
        let mut merged: indexmap::IndexMap<&str, &str> = indexmap::IndexMap::new();
        for (name, value) in test.variables.iter().chain(&run.variables) {
            merged.insert(name, value);
        }
        let mut vars = String::new();
        for (name, value) in merged {
            let _ = writeln!(vars, "{name} = {}", with_runs(value));
        }
        let var_file = self.cloud.join("run.vars");
        std::fs::write(&var_file, vars)
            .map_err(|e| format!("cannot write the run's variables: {e}"))?;
        let state = self.state.display().to_string();
        let var_file = var_file.display().to_string();
        let mut common: Vec<String> = vec!["--state".into(), state, "--var-file".into(), var_file];
        for v in self.cli_vars {
            common.extend(["--var".to_owned(), v.clone()]);
        }
        let mut plan_args: Vec<String> = vec!["plan".into(), "--format".into(), "json".into()];
        plan_args.extend(common.iter().cloned());
        if run.refresh_only {
            plan_args.push("--refresh-only".into());
        }
        if !run.refresh {
            plan_args.push("--refresh=false".into());
        }
        for r in &run.replace {
            plan_args.extend(["--replace".to_owned(), r.clone()]);
        }
        for t in &run.target {
            plan_args.extend(["--target".to_owned(), t.clone()]);
        }
        let refs: Vec<&str> = plan_args.iter().map(String::as_str).collect();
        let (code, stdout, stderr) = self.command(&refs)?;
        let mut transcript = format!("$ vpcep {}\n{stderr}", refs.join(" "));
        let plan: Option<Json> = serde_json::from_str(&stdout).ok();
        // What failed: configuration errors (stderr), refusals and failed checks (the plan).
        let mut failures: Vec<String> = Vec::new();
        let mut described: Vec<String> = Vec::new();
        if let Some(plan) = &plan {
            for r in plan["refusals"].as_array().into_iter().flatten() {
                // A refusal of the whole account (a quota) is named by its rule.
                if let Some(a) = r["address"].as_str().or_else(|| r["rule"].as_str()) {
                    failures.push(a.to_owned());
                }
                described.push(r["message"].as_str().unwrap_or_default().to_owned());
            }
            for c in plan["checks"].as_array().into_iter().flatten() {
                if c["status"] == "fail" {
                    let name = c["address"]["name"].as_str().unwrap_or_default();
                    failures.push(format!("check.{name}"));
                    described.push(format!("check `{name}` failed"));
                }
            }
        }
        if code != 0 && plan.is_none() {
            described.push(first_error(&stderr));
        }
        // A configuration error (a variable's validation, a precondition) names what failed.
        let config_error = code != 0 && plan.is_none();
        let expected_seen = |expected: &str| {
            let named = |v: &str| {
                stderr.contains(&format!("`{v}`")) || stderr.contains(&format!("var.{v}"))
            };
            failures
                .iter()
                .any(|f| f == expected || f.starts_with(&format!("{expected}[")))
                || (config_error && expected.strip_prefix("var.").is_some_and(named))
                || (config_error && stderr.contains(&format!("`{expected}`")))
        };
        let mut problems = Vec::new();
        if !run.expect_failures.is_empty() {
            for expected in &run.expect_failures {
                if !expected_seen(expected) {
                    problems.push(format!(
                        "expected `{expected}` to fail, but it did not{}",
                        if described.is_empty() {
                            String::new()
                        } else {
                            format!(" (what failed: {})", described.join("; "))
                        }
                    ));
                }
            }
            let unexpected: Vec<&String> = failures
                .iter()
                .filter(|f| {
                    !run.expect_failures
                        .iter()
                        .any(|e| *f == e || f.starts_with(&format!("{e}[")))
                })
                .collect();
            for u in unexpected {
                problems.push(format!("`{u}` failed, which the run does not expect"));
            }
            return Ok((
                RunResult {
                    name: run.name.clone(),
                    passed: problems.is_empty(),
                    problems,
                    transcript,
                },
                serde_json::Map::new(),
            ));
        }
        if !described.is_empty() && (code != 0 || !failures.iter().all(|f| f.starts_with("check.")))
        {
            problems.extend(described);
            return Ok((
                RunResult {
                    name: run.name.clone(),
                    passed: false,
                    problems,
                    transcript,
                },
                serde_json::Map::new(),
            ));
        }
        // The values the assertions read: planned, or recorded after apply.
        let outputs: serde_json::Map<String, Json> = if run.plan_only {
            plan.as_ref()
                .and_then(|p| p["planned_values"]["outputs"].as_object())
                .map(|o| {
                    o.iter()
                        .map(|(k, v)| (k.clone(), v["value"].clone()))
                        .collect()
                })
                .unwrap_or_default()
        } else {
            let mut apply_args: Vec<String> = vec!["apply".into(), "--auto-approve".into()];
            apply_args.extend(common.iter().cloned());
            if run.refresh_only {
                apply_args.push("--refresh-only".into());
            }
            for r in &run.replace {
                apply_args.extend(["--replace".to_owned(), r.clone()]);
            }
            for t in &run.target {
                apply_args.extend(["--target".to_owned(), t.clone()]);
            }
            let refs: Vec<&str> = apply_args.iter().map(String::as_str).collect();
            let (code, stdout, stderr) = self.command(&refs)?;
            let _ = write!(transcript, "$ vpcep {}\n{stdout}{stderr}", refs.join(" "));
            if code != 0 {
                return Ok((
                    RunResult {
                        name: run.name.clone(),
                        passed: false,
                        problems: vec![format!("apply failed: {}", first_error(&stderr))],
                        transcript,
                    },
                    serde_json::Map::new(),
                ));
            }
            recorded_outputs(&self.state)
        };
        // The assertions, as outputs of the configuration as the run left it (`output.NAME`
        // and `run.NAME.OUTPUT` as the values they had), read from a plan that changes nothing.
        let assertions_plan = if run.asserts.is_empty() {
            serde_json::Map::new()
        } else {
            let with_values = |text: &str| substitute_outputs(&with_runs(text), &outputs);
            let mut extra = String::new();
            for (i, a) in run.asserts.iter().enumerate() {
                let _ = writeln!(
                    extra,
                    "output \"{PREFIX}{i}\" {{\n  value = ({})\n}}\noutput \"{PREFIX}{i}_message\" {{\n  value = ({})\n}}",
                    with_values(&a.condition),
                    with_values(&a.error_message)
                );
                if let Some((left, right)) = comparison(&a.condition) {
                    let _ = writeln!(
                        extra,
                        "output \"{PREFIX}{i}_left\" {{\n  value = ({})\n}}\noutput \"{PREFIX}{i}_right\" {{\n  value = ({})\n}}",
                        with_values(left),
                        with_values(right)
                    );
                }
            }
            std::fs::write(&assertions, extra)
                .map_err(|e| format!("cannot write the run's assertions: {e}"))?;
            let mut args: Vec<String> = vec![
                "plan".into(),
                "--format".into(),
                "json".into(),
                "--refresh=false".into(),
            ];
            args.extend(common.iter().cloned());
            let refs: Vec<&str> = args.iter().map(String::as_str).collect();
            let (code, stdout, stderr) = self.command(&refs)?;
            let _ = std::fs::remove_file(&assertions);
            let evaluated: Option<Json> = serde_json::from_str(&stdout).ok();
            match evaluated {
                Some(p) if code == 0 => p["planned_values"]["outputs"]
                    .as_object()
                    .map(|o| {
                        o.iter()
                            .map(|(k, v)| (k.clone(), v["value"].clone()))
                            .collect()
                    })
                    .unwrap_or_default(),
                _ => {
                    return Ok((
                        RunResult {
                            name: run.name.clone(),
                            passed: false,
                            problems: vec![format!(
                                "the assertions cannot be evaluated: {}",
                                first_error(&stderr)
                            )],
                            transcript,
                        },
                        serde_json::Map::new(),
                    ));
                }
            }
        };
        for (i, a) in run.asserts.iter().enumerate() {
            let outputs = &assertions_plan;
            let value = &outputs
                .get(&format!("{PREFIX}{i}"))
                .cloned()
                .unwrap_or(Json::Null);
            match value {
                Json::Bool(true) => {}
                Json::Bool(false) => {
                    let message = outputs
                        .get(&format!("{PREFIX}{i}_message"))
                        .and_then(Json::as_str)
                        .unwrap_or(&a.error_message)
                        .to_owned();
                    let compared = match (
                        outputs.get(&format!("{PREFIX}{i}_left")),
                        outputs.get(&format!("{PREFIX}{i}_right")),
                    ) {
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
        let own: serde_json::Map<String, Json> = outputs
            .into_iter()
            .filter(|(k, _)| !k.starts_with(PREFIX))
            .collect();
        Ok((
            RunResult {
                name: run.name.clone(),
                passed: problems.is_empty(),
                problems,
                transcript,
            },
            own,
        ))
    }
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
