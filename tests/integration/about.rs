//! What vpcep says about itself (`version`, completions, the man page) and `output --raw`.

use super::harness::{Workspace, vpcep};

#[test]
fn version_names_vpcep_the_platform_and_the_formats() {
    let ws = Workspace::new();
    let text = ws.expect(&["version"], 0);
    assert!(
        text.stdout
            .starts_with(&format!("vpcep v{}\non linux_", env!("CARGO_PKG_VERSION"))),
        "{}",
        text.stdout
    );
    let json: serde_json::Value =
        serde_json::from_str(&ws.expect(&["version", "-json"], 0).stdout).expect("JSON");
    assert_eq!(json["vpcep_version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(json["state_format_version"], 3);
    assert!(
        json["platform"]
            .as_str()
            .is_some_and(|p| p.starts_with("linux_"))
    );
}

#[test]
fn completions_load_in_bash_and_exist_for_every_shell() {
    let ws = Workspace::new();
    let script = ws.expect(&["completions", "bash"], 0).stdout;
    ws.write("vpcep.bash", &script);
    let loaded = std::process::Command::new("bash")
        .current_dir(ws.path())
        .args(["-c", "source ./vpcep.bash && complete -p vpcep"])
        .output()
        .expect("bash runs");
    assert!(
        loaded.status.success(),
        "{}",
        String::from_utf8_lossy(&loaded.stderr)
    );
    assert!(String::from_utf8_lossy(&loaded.stdout).contains("vpcep"));
    for shell in ["zsh", "fish", "powershell", "elvish"] {
        let out = ws.expect(&["completions", shell], 0);
        assert!(out.stdout.contains("apply"), "{shell}: {}", out.stdout);
    }
    let unknown = vpcep(ws.path(), &["completions", "tcsh"], &[]);
    assert_eq!(unknown.code, 1);
    assert!(
        unknown.stderr.contains("possible values"),
        "{}",
        unknown.stderr
    );
}

#[test]
fn the_man_page_covers_the_commands() {
    let ws = Workspace::new();
    let page = ws.expect(&["man"], 0).stdout;
    assert!(
        page.starts_with(".ie") || page.contains(".TH vpcep"),
        "{page}"
    );
    for command in ["validate", "plan", "apply", "destroy", "completions"] {
        assert!(page.contains(command), "{command} missing");
    }
}

#[test]
fn output_raw_prints_a_value_as_it_is_for_scripts() {
    let ws = Workspace::example("single-service");
    ws.expect(&["apply", "--auto-approve"], 0);
    let name = ws.expect(&["output", "billing_service_name"], 0).stdout;
    let raw = ws
        .expect(&["output", "-raw", "billing_service_name"], 0)
        .stdout;
    assert_eq!(raw, name.trim_end_matches('\n'));
    assert!(!raw.contains('"') && !raw.is_empty(), "{raw}");
    // Needs a name, and is not JSON.
    assert_eq!(vpcep(ws.path(), &["output", "--raw"], &[]).code, 1);
    assert_eq!(
        vpcep(
            ws.path(),
            &["output", "--raw", "--json", "billing_service_name"],
            &[]
        )
        .code,
        1
    );
}

#[test]
fn output_raw_refuses_a_list_or_a_map() {
    let ws = Workspace::example("fleet");
    ws.expect(&["apply", "--auto-approve"], 0);
    let out = vpcep(ws.path(), &["output", "--raw", "service_names"], &[]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr
            .contains("`--raw` prints only strings, numbers and bools: use `--json`"),
        "{}",
        out.stderr
    );
}

/// `validate --json` in Terraform's `validate -json` shape: counts, and each diagnostic's
/// range (bytes and characters) and source line.
#[test]
fn validate_json_gives_every_diagnostic_with_its_range() {
    let ws = Workspace::new();
    let case =
        super::harness::repo_root().join("testdata/validate/endpoint-missing-subnet/main.hcl");
    // A non-ASCII comment before the error: columns count characters, bytes count bytes.
    let text = std::fs::read_to_string(case).unwrap();
    ws.write("main.hcl", &format!("# Größe: ü\n{text}"));
    let out = vpcep(ws.path(), &["validate", "-json"], &[]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(out.stderr, "", "diagnostics are in the JSON only");
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).expect("one JSON document");
    assert_eq!(doc["format_version"], "1.0");
    assert_eq!(doc["valid"], false);
    assert_eq!(doc["error_count"], 1);
    assert_eq!(doc["warning_count"], 0);
    let d = &doc["diagnostics"][0];
    assert_eq!(d["severity"], "error");
    assert!(
        d["summary"]
            .as_str()
            .unwrap()
            .contains("needs a `subnet_id`")
    );
    assert!(d["detail"].as_str().unwrap().starts_with("add `subnet_id"));
    let range = &d["range"];
    assert_eq!(range["filename"], "main.hcl");
    assert_eq!(range["start"]["line"], 13);
    assert_eq!(range["start"]["column"], 1);
    let start = usize::try_from(range["start"]["byte"].as_u64().unwrap()).unwrap();
    let end = usize::try_from(range["end"]["byte"].as_u64().unwrap()).unwrap();
    let file = ws.read("main.hcl");
    assert_eq!(&file[start..end], "resource \"vpcep_endpoint\" \"e\"");
    assert_eq!(d["snippet"]["code"], "resource \"vpcep_endpoint\" \"e\" {");
    assert_eq!(d["snippet"]["highlight_end_offset"], end - start);

    let valid = Workspace::example("single-service");
    let out = valid.expect(&["validate", "--json"], 0);
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).expect("one JSON document");
    assert_eq!(doc["valid"], true);
    assert_eq!(doc["diagnostics"], serde_json::json!([]));

    // Warnings do not make it invalid.
    let warned = Workspace::new();
    let case =
        super::harness::repo_root().join("testdata/validate/server-type-deprecated/main.hcl");
    warned.write("main.hcl", &std::fs::read_to_string(case).unwrap());
    let out = warned.expect(&["validate", "--json"], 0);
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).expect("one JSON document");
    assert_eq!(doc["valid"], true);
    assert_eq!(doc["warning_count"], 2);
    assert_eq!(doc["diagnostics"][0]["severity"], "warning");
}

/// The README's command list and `vpcep --help` name the same commands.
#[test]
fn the_readme_lists_every_command_and_only_those() {
    let readme = std::fs::read_to_string(super::harness::repo_root().join("README.md")).unwrap();
    let block = readme
        .split("## Commands")
        .nth(1)
        .and_then(|s| s.split("```").nth(1))
        .expect("a code block under `## Commands`");
    let mut listed: Vec<&str> = block
        .lines()
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|w| w.chars().all(|c| c.is_ascii_lowercase() || c == '-'))
        .collect();
    listed.sort_unstable();
    listed.dedup();
    let help = super::harness::vpcep(std::path::Path::new("."), &["--help"], &[]);
    let mut commands: Vec<&str> = help
        .stdout
        .split("Commands:")
        .nth(1)
        .and_then(|s| s.split("Options:").next())
        .expect("the help's command list")
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|w| *w != "help")
        .collect();
    commands.sort_unstable();
    assert_eq!(
        listed, commands,
        "README.md's command list and `vpcep --help` differ"
    );
}
