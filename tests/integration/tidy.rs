//! The module map's invariants that can be checked mechanically (see `src/lib.rs`), the way
//! rust-analyzer's tidy tests do: by reading the source. Comments are not code and are skipped.

use super::harness::repo_root;
use std::path::{Path, PathBuf};

/// Every `.rs` file under `src/`, with its path relative to the repository.
fn sources() -> Vec<(String, String)> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let root = repo_root();
    let mut paths = Vec::new();
    walk(&root.join("src"), &mut paths);
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            let shown = p.strip_prefix(&root).unwrap().display().to_string();
            (shown, text)
        })
        .collect()
}

/// The lines of code (not comments) of `text` that contain `needle`, as `path:line`.
fn uses(path: &str, text: &str, needle: &str) -> Vec<String> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim_start().starts_with("//"))
        .filter(|(_, l)| l.contains(needle))
        .map(|(i, _)| format!("{path}:{}", i + 1))
        .collect()
}

/// Fails naming every use of one of `needles` outside the files `allowed` accepts.
fn only_in(what: &str, needles: &[&str], allowed: impl Fn(&str) -> bool) {
    let mut found = Vec::new();
    for (path, text) in sources() {
        if allowed(&path) {
            continue;
        }
        for needle in needles {
            found.extend(uses(&path, &text, needle));
        }
    }
    assert!(found.is_empty(), "{what}:\n  {}", found.join("\n  "));
}

#[test]
fn only_the_printing_module_prints() {
    only_in(
        "only src/cli/output.rs writes to standard output and error",
        &["println!", "eprintln!", "print!(", "eprint!(", "dbg!("],
        |p| p == "src/cli/output.rs",
    );
}

#[test]
fn only_the_command_line_reads_the_environment_and_ends_the_process() {
    only_in(
        "only src/cli reads environment variables and picks the exit code",
        &[
            "std::env::var",
            "env::vars",
            "std::process::exit",
            "ExitCode",
        ],
        |p| p.starts_with("src/cli/") || p == "src/main.rs",
    );
}

#[test]
fn hcl_types_never_leave_config() {
    only_in("hcl-rs is used only in src/config", &["hcl::"], |p| {
        p.starts_with("src/config/")
    });
}

#[test]
fn no_layer_below_the_command_line_uses_it() {
    only_in(
        "nothing outside src/cli uses crate::cli",
        &["crate::cli", "super::cli"],
        |p| p.starts_with("src/cli/") || p == "src/lib.rs" || p == "src/main.rs",
    );
}

#[test]
fn the_planner_and_the_renderers_see_model_types_only() {
    only_in(
        "src/plan, src/render and src/model never use the cloud's API types (facts are converted at the refresh boundary)",
        &["crate::cloud", "cloud::"],
        |p| {
            !(p.starts_with("src/plan/")
                || p.starts_with("src/render/")
                || p.starts_with("src/model/"))
        },
    );
}

/// The module map in `src/lib.rs` names every module of the crate (`[`name`]`), so a module
/// added without saying what it owns fails here.
#[test]
fn the_module_map_names_every_module() {
    let lib = std::fs::read_to_string(super::harness::repo_root().join("src/lib.rs")).unwrap();
    let map: String = lib
        .lines()
        .filter(|l| l.starts_with("//!"))
        .collect::<Vec<_>>()
        .join("\n");
    let modules: Vec<&str> = lib
        .lines()
        .filter_map(|l| {
            l.strip_prefix("pub mod ")
                .or_else(|| l.strip_prefix("mod "))
        })
        .map(|l| l.trim_end_matches(';'))
        .collect();
    assert!(modules.len() > 15, "{modules:?}");
    let missing: Vec<&&str> = modules
        .iter()
        .filter(|m| !map.contains(&format!("[`{m}`]")))
        .collect();
    assert!(
        missing.is_empty(),
        "src/lib.rs's map does not name {missing:?}"
    );
}

#[test]
fn planning_and_rendering_read_no_clock() {
    only_in(
        "src/plan and src/render read no clock (a time they show is given to them)",
        &["now_rfc3339", "SystemTime::now", "Instant::now", "Utc::now"],
        |p| !(p.starts_with("src/plan/") || p.starts_with("src/render/")),
    );
}

#[test]
fn apply_does_not_call_the_renderers() {
    // `render` shows apply's events; apply calling back into `render` would make a cycle.
    only_in(
        "src/apply never uses src/render (it reports events; cli renders them)",
        &["crate::render", "render::"],
        |p| !p.starts_with("src/apply/"),
    );
}

/// A state is written by the backends, the apply journal's first write, a new workspace's
/// empty state, a plan's refreshed state, and otherwise only through the gate every state
/// edit passes (`app::state_edit::commit`, which keeps "one cloud object, one address" and
/// writes the next serial): a command cannot write around the rules.
#[test]
fn state_writes_go_through_the_gate() {
    only_in(
        "states are written only by src/state, apply's journal, app::persist_refreshed, a new workspace and app::state_edit::commit",
        &[".write(&", ".write(state", ".write_forced("],
        |p| {
            p.starts_with("src/state/")
                || [
                    "src/app/state_edit.rs",
                    "src/app/mod.rs",
                    "src/apply/mod.rs",
                    "src/workspace.rs",
                    // Bytes to a file, not a state:
                    "src/fsio.rs",
                    "src/cloud/httpd.rs",
                    "src/cli/output.rs",
                ]
                .contains(&p)
        },
    );
}
