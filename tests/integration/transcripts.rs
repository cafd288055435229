//! Command-output tests as transcripts: each `testdata/transcripts/*.txt` is a session of
//! commands and their whole output. Its header (`#` lines) says what it shows and which
//! directory it starts from (`# in: examples/single-service`); then come the steps:
//!
//! - `$ vpcep ARGS` (optionally after `NAME=VALUE` assignments) runs the binary; the lines
//!   after it are its standard output, then `--- stderr` and its standard error when there
//!   is any, then `[exit N]`;
//! - `$ edit FILE: OLD => NEW` replaces every OLD in FILE (there must be one), `$ append FILE:
//!   TEXT` adds a line to it (making it if need be), `$ cp FROM TO` copies a file (a later
//!   version of the configuration kept in a subdirectory, which vpcep does not read), `$ rm
//!   FILE` removes one.
//!
//! The runner replays the steps in a fresh copy of the directory and compares the whole
//! transcript with the file, by snapbox; `SNAPSHOTS=overwrite cargo test` rewrites the files.
//! What differs from run to run is replaced: the directory by `[ROOT]`, each cloud ID that
//! neither the configuration nor a command names by `[ID1]`, `[ID2]`, ... in order of
//! appearance, times by `[TIME]`, durations by `[N]s`, the simulator's marker IDs by `[N]` and
//! endpoint addresses by `[IP]`, the host by `[HOST]`. Steps that run in
//! parallel print in the order they finish: a transcript applies with `--parallelism 1`.

use super::harness::{Workspace, copy_config, repo_root, vpcep};
use std::fmt::Write as _;
use std::path::Path;

/// One step of a transcript.
enum Step {
    Run {
        env: Vec<(String, String)>,
        args: Vec<String>,
    },
    Edit {
        file: String,
        from: String,
        to: String,
    },
    Append {
        file: String,
        text: String,
    },
    Copy {
        from: String,
        to: String,
    },
    Remove {
        file: String,
    },
}

impl Step {
    /// The step as the transcript writes it (after `$ `).
    fn parse(line: &str) -> Result<Step, String> {
        let (verb, rest) = line.split_once(' ').unwrap_or((line, ""));
        let file_and = |rest: &str| -> Result<(String, String), String> {
            let (file, text) = rest
                .split_once(": ")
                .ok_or_else(|| format!("`$ {line}`: expected `FILE: TEXT`"))?;
            Ok((file.to_owned(), text.to_owned()))
        };
        match verb {
            "edit" => {
                let (file, change) = file_and(rest)?;
                let (from, to) = change
                    .split_once(" => ")
                    .ok_or_else(|| format!("`$ {line}`: expected `OLD => NEW`"))?;
                Ok(Step::Edit {
                    file,
                    from: unescape(from),
                    to: unescape(to),
                })
            }
            "append" => {
                let (file, text) = file_and(rest)?;
                Ok(Step::Append {
                    file,
                    text: unescape(&text),
                })
            }
            "cp" => {
                let (from, to) = rest
                    .split_once(' ')
                    .ok_or_else(|| format!("`$ {line}`: expected `cp FROM TO`"))?;
                Ok(Step::Copy {
                    from: from.to_owned(),
                    to: to.to_owned(),
                })
            }
            "rm" => Ok(Step::Remove {
                file: rest.to_owned(),
            }),
            _ => {
                let words = split_words(line)?;
                let at = words.iter().position(|w| w == "vpcep").ok_or_else(|| {
                    format!("`$ {line}`: not a vpcep command, edit, append, cp or rm")
                })?;
                let env = words[..at]
                    .iter()
                    .map(|w| {
                        w.split_once('=')
                            .map(|(k, v)| (k.to_owned(), v.to_owned()))
                            .ok_or_else(|| format!("`$ {line}`: `{w}` is not NAME=VALUE"))
                    })
                    .collect::<Result<_, _>>()?;
                Ok(Step::Run {
                    env,
                    args: words[at + 1..].to_vec(),
                })
            }
        }
    }
}

/// `\n` in an edit's text is a line break.
fn unescape(text: &str) -> String {
    text.replace("\\n", "\n")
}

/// Words as a shell splits them: spaces separate, '…' and "…" quote.
fn split_words(line: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut quote = None;
    for c in line.chars() {
        match (quote, c) {
            (None, ' ') => words.extend(word.take()),
            (None, '\'' | '"') => {
                quote = Some(c);
                word.get_or_insert_with(String::new);
            }
            (Some(q), c) if c == q => quote = None,
            (_, c) => word.get_or_insert_with(String::new).push(c),
        }
    }
    if quote.is_some() {
        return Err(format!("`$ {line}`: a quote is not closed"));
    }
    words.extend(word);
    Ok(words)
}

/// A transcript file: its header lines and its steps (as written, and parsed).
struct Transcript {
    header: Vec<String>,
    steps: Vec<(String, Step)>,
}

fn read(path: &Path) -> Result<Transcript, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut header = Vec::new();
    let mut steps = Vec::new();
    for line in text.lines() {
        if let Some(step) = line.strip_prefix("$ ") {
            steps.push((step.to_owned(), Step::parse(step)?));
        } else if steps.is_empty() && (line.starts_with('#') || line.is_empty()) {
            header.push(line.to_owned());
        }
    }
    Ok(Transcript { header, steps })
}

/// What changes from run to run, replaced by stable names.
struct Redact {
    root: String,
    host: String,
    /// The text of the configuration and the commands: an ID or address in it is kept.
    named: String,
    ids: Vec<String>,
    uuid: regex::Regex,
    time: regex::Regex,
    duration: regex::Regex,
    marker: regex::Regex,
    ip: regex::Regex,
}

impl Redact {
    fn new(root: &Path, config: &str) -> Self {
        let uuid =
            regex::Regex::new(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
                .unwrap();
        Redact {
            root: root.display().to_string(),
            host: std::fs::read_to_string("/proc/sys/kernel/hostname")
                .map_or_else(|_| "localhost".to_owned(), |h| h.trim().to_owned()),
            named: config.to_owned(),
            ids: Vec::new(),
            uuid,
            time: regex::Regex::new(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)")
                .unwrap(),
            duration: regex::Regex::new(r"\b(after|in) \d+(\.\d+)?(ms|s)\b").unwrap(),
            marker: regex::Regex::new(r#"(marker ID:? +|"marker_id": ?)\d+"#).unwrap(),
            ip: regex::Regex::new(r"\b\d{1,3}(\.\d{1,3}){3}\b").unwrap(),
        }
    }

    fn apply(&mut self, text: &str) -> String {
        let text = text.replace(&self.root, "[ROOT]");
        let text = self.time.replace_all(&text, "[TIME]");
        let text = self.duration.replace_all(&text, "$1 [N]s");
        let text = self.marker.replace_all(&text, "${1}[N]");
        let text = self.ip.replace_all(&text, |c: &regex::Captures<'_>| {
            if self.named.contains(&c[0]) {
                c[0].to_owned()
            } else {
                "[IP]".to_owned()
            }
        });
        let mut out = String::with_capacity(text.len());
        let mut last = 0;
        for m in self.uuid.find_iter(&text) {
            out.push_str(&text[last..m.start()]);
            let id = m.as_str();
            if self.named.contains(id) {
                out.push_str(id);
            } else {
                let n = self.ids.iter().position(|i| i == id).unwrap_or_else(|| {
                    self.ids.push(id.to_owned());
                    self.ids.len() - 1
                });
                let _ = write!(out, "[ID{}]", n + 1);
            }
            last = m.end();
        }
        out.push_str(&text[last..]);
        out.replace(&format!("@{}", self.host), "@[HOST]")
    }
}

/// The text of every file under `dir`, for the IDs the configuration itself names.
fn config_text(dir: &Path) -> String {
    let mut text = String::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            text.push_str(&config_text(&path));
        } else if let Ok(t) = std::fs::read_to_string(&path) {
            text.push_str(&t);
        }
    }
    text
}

/// Replays the transcript at `path` and returns the transcript it makes.
fn replay(path: &Path) -> Result<String, String> {
    let Transcript { header, steps } = read(path)?;
    let input = header
        .iter()
        .find_map(|l| l.strip_prefix("# in: "))
        .ok_or_else(|| format!("{}: no `# in: DIR` line", path.display()))?;
    let ws = Workspace::new();
    copy_config(&repo_root().join(input.trim()), ws.path());
    // IDs the configuration or a command names are kept as they are.
    let named: String = steps.iter().map(|(written, _)| written.as_str()).collect();
    let mut redact = Redact::new(ws.path(), &(config_text(ws.path()) + &named));
    let mut out = String::new();
    for line in &header {
        let _ = writeln!(out, "{line}");
    }
    for (written, step) in &steps {
        if !out.ends_with("\n\n") {
            out.push('\n');
        }
        let _ = writeln!(out, "$ {written}");
        match step {
            Step::Run { env, args } => {
                let args: Vec<&str> = args.iter().map(String::as_str).collect();
                let mut env: Vec<(&str, &str)> =
                    env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
                env.push(("USER", "ci"));
                let run = vpcep(ws.path(), &args, &env);
                out.push_str(&redact.apply(&run.stdout));
                if !run.stderr.is_empty() {
                    if !out.ends_with('\n') {
                        out.push('\n');
                    }
                    out.push_str("--- stderr\n");
                    out.push_str(&redact.apply(&run.stderr));
                }
                if !out.ends_with('\n') {
                    out.push('\n');
                }
                let _ = writeln!(out, "[exit {}]", run.code);
            }
            Step::Edit { file, from, to } => {
                let text = ws.read(file);
                if !text.contains(from.as_str()) {
                    return Err(format!("`$ {written}`: `{from}` is not in {file}"));
                }
                ws.write(file, &text.replace(from.as_str(), to));
            }
            Step::Append { file, text } => {
                let mut all = ws.read(file);
                all.push_str(text);
                all.push('\n');
                ws.write(file, &all);
            }
            Step::Copy { from, to } => {
                std::fs::copy(ws.path().join(from), ws.path().join(to))
                    .map_err(|e| format!("`$ {written}`: {e}"))?;
            }
            Step::Remove { file } => {
                std::fs::remove_file(ws.path().join(file))
                    .map_err(|e| format!("`$ {written}`: {e}"))?;
            }
        }
    }
    Ok(out)
}

/// Every transcript replays to the text it holds.
#[test]
fn transcripts() {
    let dir = repo_root().join("testdata/transcripts");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    paths.sort();
    assert!(
        paths.len() >= 4,
        "transcripts are missing from {}",
        dir.display()
    );
    let failures: Vec<String> = paths
        .iter()
        .filter_map(|path| {
            let result = replay(path).and_then(|actual| {
                snapbox::Assert::new()
                    .normalize_paths(false)
                    .action_env(snapbox::assert::DEFAULT_ACTION_ENV)
                    .try_eq(
                        Some(&path.display()),
                        snapbox::Data::text(actual),
                        snapbox::Data::read_from(path, Some(snapbox::data::DataFormat::Text)),
                    )
                    .map_err(|e| e.to_string())
            });
            result.err()
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{}\n(SNAPSHOTS=overwrite cargo test rewrites them; review the diff)",
        failures.join("\n")
    );
}

#[test]
fn words_split_as_a_shell_splits_them() {
    assert_eq!(
        split_words(r#"VPCEP_WORKSPACE=dev vpcep state rm 'module.svc["a"]' "a b""#).unwrap(),
        [
            "VPCEP_WORKSPACE=dev",
            "vpcep",
            "state",
            "rm",
            r#"module.svc["a"]"#,
            "a b"
        ]
    );
    assert!(split_words("vpcep 'open").is_err());
}
