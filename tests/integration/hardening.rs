//! Hostile files and inputs (issue 10): state file handling, bounded reads, damaged journals,
//! serials at their limit. Each test fails on the code before the fix it guards.

use super::harness::{Workspace, services_hcl};
use std::fmt::Write as _;
use std::os::unix::fs::PermissionsExt as _;

fn applied(n: usize) -> Workspace {
    let ws = Workspace::new();
    ws.write("main.hcl", &services_hcl("s", n));
    ws.expect(&["apply", "--auto-approve"], 0);
    ws
}

#[test]
fn a_state_write_keeps_the_file_mode() {
    let ws = applied(1);
    let state = ws.path().join("vpcep.state.json");
    std::fs::set_permissions(&state, std::fs::Permissions::from_mode(0o600)).unwrap();
    ws.write("main.hcl", &services_hcl("s", 2));
    ws.expect(&["apply", "--auto-approve"], 0);
    let mode = std::fs::metadata(&state).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "the state's mode was changed to {mode:o}");
}

/// Each state write keeps the state it replaces, byte for byte, as the backup (both files are
/// streamed, neither held whole in memory).
#[test]
fn a_state_write_backs_up_the_state_it_replaces() {
    let ws = applied(2);
    let before = ws.read("vpcep.state.json");
    ws.write("main.hcl", &services_hcl("s", 3));
    ws.expect(&["apply", "--auto-approve"], 0);
    assert_eq!(ws.read("vpcep.state.json.backup"), before);
    let state = ws.state();
    assert_eq!(state["resources"].as_array().map(Vec::len), Some(3));
}

#[test]
fn a_symlink_planted_at_the_old_temporary_name_is_not_written_through() {
    let ws = applied(1);
    let victim = ws.path().join("victim.txt");
    std::fs::write(&victim, "precious").unwrap();
    std::os::unix::fs::symlink(&victim, ws.path().join("vpcep.state.json.tmp")).unwrap();
    ws.write("main.hcl", &services_hcl("s", 2));
    ws.expect(&["apply", "--auto-approve"], 0);
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    assert_eq!(ws.state()["resources"].as_array().unwrap().len(), 2);
}

#[test]
fn a_symlinked_state_file_stays_a_symlink() {
    let ws = Workspace::new();
    std::fs::create_dir(ws.path().join("shared")).unwrap();
    ws.write("main.hcl", &services_hcl("s", 1));
    std::os::unix::fs::symlink("shared/real.json", ws.path().join("vpcep.state.json")).unwrap();
    ws.expect(&["apply", "--auto-approve"], 0);
    ws.write("main.hcl", &services_hcl("s", 2));
    ws.expect(&["apply", "--auto-approve"], 0);
    let link = ws.path().join("vpcep.state.json");
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink(),
        "the link was replaced by a regular file"
    );
    let real: serde_json::Value =
        serde_json::from_str(&ws.read("shared/real.json")).expect("the target holds the state");
    assert_eq!(real["resources"].as_array().unwrap().len(), 2);
}

#[test]
fn special_files_are_refused_not_read_forever() {
    let ws = applied(1);
    for (args, what) in [
        (
            vec!["plan", "--var-file", "/dev/zero"],
            "the variables file",
        ),
        (vec!["state", "push", "/dev/zero"], "the state file"),
        (vec!["show", "/dev/zero"], "the plan file"),
        (vec!["plan", "--state", "/dev/full"], "the state file"),
    ] {
        let out = ws.run_bounded(&args, 20);
        assert_eq!(out.code, 1, "{args:?}: {}", out.stderr);
        assert!(
            out.stderr.contains(what) && out.stderr.contains("not a regular file"),
            "{args:?}: {}",
            out.stderr
        );
    }
}

#[test]
fn a_fifo_as_the_state_file_is_refused_at_once() {
    let ws = Workspace::new();
    ws.write("main.hcl", &services_hcl("s", 1));
    let status = std::process::Command::new("mkfifo")
        .arg(ws.path().join("vpcep.state.json"))
        .status()
        .unwrap();
    assert!(status.success());
    let out = ws.run_bounded(&["plan"], 20);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stderr.contains("not a regular file"), "{}", out.stderr);
}

#[test]
fn a_damaged_middle_line_of_the_journal_is_an_error_not_a_silent_loss() {
    let ws = applied(1);
    let state = ws.state();
    let header =
        serde_json::json!({"journal": 1, "lineage": state["lineage"], "serial": state["serial"]});
    let set = |name: &str| {
        serde_json::json!({"op": "set", "address": format!("vpcep_service.{name}"), "type": "vpcep_service",
            "name": name, "key": null, "id": format!("id-{name}"), "attributes": {}, "dependencies": []})
    };
    let journal = format!("{header}\n{}\n{{damaged\n{}\n", set("x"), set("y"));
    ws.write("vpcep.state.json.journal", &journal);
    let out = ws.expect(&["plan", "--refresh=false"], 1);
    assert!(
        out.stderr.contains("damaged at line 3 of 4"),
        "{}",
        out.stderr
    );
    assert!(
        ws.path().join("vpcep.state.json.journal").exists(),
        "the journal is kept for repair"
    );
}

#[test]
fn a_serial_at_its_limit_is_an_error_not_a_wrap() {
    let ws = applied(1);
    let mut state = ws.state();
    state["serial"] = serde_json::json!(i64::MAX);
    ws.write("vpcep.state.json", &state.to_string());
    ws.write("main.hcl", &services_hcl("s", 2));
    let out = ws.expect(&["apply", "--auto-approve"], 1);
    assert!(out.stderr.contains("highest there is"), "{}", out.stderr);
    assert_eq!(ws.state()["serial"], serde_json::json!(i64::MAX));

    state["serial"] = serde_json::json!(u64::MAX);
    ws.write("vpcep.state.json", &state.to_string());
    let out = ws.expect(&["plan"], 1);
    assert!(
        out.stderr.contains("larger than the highest serial"),
        "{}",
        out.stderr
    );
}

fn non_utf8(bytes: &[u8]) -> std::ffi::OsString {
    use std::os::unix::ffi::OsStringExt as _;
    std::ffi::OsString::from_vec(bytes.to_vec())
}

/// Issue 10, case 12: bytes that are not UTF-8 in the environment or the arguments give a clear
/// error (or are ignored when they are not vpcep's), never a panic.
#[test]
fn non_utf8_environment_and_arguments_are_clear_errors() {
    let ws = Workspace::new();
    ws.write("main.hcl", &services_hcl("s", 1));
    let run = |cmd: &mut std::process::Command| {
        let out = cmd.output().unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let mut cmd = super::harness::command(ws.path(), &["validate"], &[]);
    cmd.env("SOMETHING_ELSE", non_utf8(b"caf\xe9"));
    let (code, stderr) = run(&mut cmd);
    assert_eq!(code, 0, "{stderr}");

    let mut cmd = super::harness::command(ws.path(), &["validate"], &[]);
    cmd.env("VPCEP_VAR_region", non_utf8(b"caf\xe9"));
    let (code, stderr) = run(&mut cmd);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("VPCEP_VAR_region is not valid UTF-8"),
        "{stderr}"
    );

    let mut cmd = super::harness::command(ws.path(), &["plan"], &[]);
    cmd.env("OS_AUTH_TOKEN", non_utf8(b"\xff\xfe"));
    let (code, stderr) = run(&mut cmd);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("OS_AUTH_TOKEN is not valid UTF-8"),
        "{stderr}"
    );

    let mut cmd = super::harness::command(ws.path(), &["validate", "--var"], &[]);
    cmd.arg(non_utf8(b"x=caf\xe9"));
    let (code, stderr) = run(&mut cmd);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("UTF-8"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");

    let mut cmd = super::harness::command(ws.path(), &["-C"], &[]);
    cmd.arg(non_utf8(b"caf\xe9")).arg("validate");
    let (code, stderr) = run(&mut cmd);
    assert_eq!(code, 1, "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// Runs `vpcep validate` on one configuration file, bounded in time.
fn validate_text(text: &str) -> super::harness::Output {
    let ws = Workspace::new();
    ws.write("main.hcl", text);
    ws.run_bounded(&["validate"], 120)
}

/// Issue 10, case 13: a chain of thousands of splats is refused before evaluation, not a stack
/// overflow.
#[test]
fn a_deep_splat_chain_is_refused_not_a_stack_overflow() {
    let out = validate_text(&format!(
        "locals {{\n  x = [[1]]\n  y = local.x{}\n}}\n",
        "[*]".repeat(9000)
    ));
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains("nests more than 128 levels deep"),
        "{}",
        &out.stderr[..out.stderr.len().min(2000)]
    );
    assert!(out.stderr.contains("main.hcl:3:7"), "the place is named");
}

/// Issue 10, case 14: resource bombs end in an error naming the limit and the place.
#[test]
fn resource_bombs_end_in_errors_naming_the_limit() {
    let nested = validate_text(
        "locals {\n  n = length([for a in range(10000) : [for b in range(10000) : b]])\n}\n",
    );
    assert_eq!(nested.code, 1, "{}", nested.stderr);
    assert!(
        nested.stderr.contains("too many loop iterations") && nested.stderr.contains("main.hcl:2:"),
        "{}",
        nested.stderr
    );

    let mut doubling = "locals {\n  a0 = \"xxxxxxxxxxxxxxxx\"\n".to_owned();
    for i in 1..=40 {
        let _ = writeln!(
            doubling,
            "  a{i} = \"${{local.a{}}}${{local.a{}}}\"",
            i - 1,
            i - 1
        );
    }
    doubling.push_str("}\n");
    let out = validate_text(&doubling);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stderr.contains("too large"), "{}", out.stderr);

    let join = validate_text(
        "locals {\n  s = join(\"\", [for i in range(10000) : join(\"\", [for j in range(10000) : \"xxxxxxxxxx\"])])\n}\n",
    );
    assert_eq!(join.code, 1, "{}", join.stderr);
    assert!(
        join.stderr.contains("more than vpcep allows"),
        "{}",
        join.stderr
    );

    let template = validate_text(
        "locals {\n  big = join(\"\", [for i in range(1000) : \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"])\n  t = \"%{for i in range(10000)}${local.big}%{endfor}\"\n}\n",
    );
    assert_eq!(template.code, 1, "{}", template.stderr);
    assert!(
        template.stderr.contains("too much data"),
        "{}",
        template.stderr
    );
}

/// Modules called with `count` inside modules called with `count` multiply: seven levels of
/// 50 were 50⁷ instances, and an allocation abort. What one block may have in all is capped.
#[test]
fn nested_module_counts_end_in_an_error_naming_the_total() {
    let ws = Workspace::new();
    ws.write(
        "main.hcl",
        "module \"m\" {\n  source = \"./m1\"\n  count  = 50\n}\n",
    );
    for level in 1..=6 {
        ws.write(
            &format!("m{level}/main.hcl"),
            &format!(
                "module \"m\" {{\n  source = \"../m{}\"\n  count  = 50\n}}\n",
                level + 1
            ),
        );
    }
    ws.write("m7/main.hcl", &services_hcl("s", 1));
    let out = ws.run_bounded(&["validate"], 60);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains(
            "`module.m` would have 125000 instances in all (50 in each of the 2500 instances of the module it is in); at most 100000 are allowed"
        ) && out.stderr.contains("m2/main.hcl:3:12"),
        "{}",
        out.stderr
    );
    // A resource's `count` counts with the modules above it too.
    ws.write(
        "main.hcl",
        "module \"m\" {\n  source = \"./m7\"\n  count  = 1000\n}\n",
    );
    ws.write(
        "m7/main.hcl",
        &services_hcl("s", 1).replacen("{\n", "{\n  count = 101\n", 1),
    );
    let out = ws.run_bounded(&["validate"], 60);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains("would have 101000 instances in all"),
        "{}",
        out.stderr
    );
}

/// `count` repeats every expression of a block: each evaluation within its budget, 100,000 of
/// them were gigabytes (an allocation abort under a 4 GB cap). What one load evaluates in all
/// is budgeted too, and evaluation stops at the limit: for generated blocks, for a long literal
/// repeated, and inside modules (at a small limit, so the test is quick; the binary's is
/// 512 MiB, the same code).
#[test]
fn repeated_evaluations_end_at_the_budget_of_the_whole_configuration() {
    let ws = Workspace::new();
    let generated = "resource \"vpcep_service\" \"s\" {\n  count       = 100000\n  server_type = \"LB\"\n  port_id     = \"p-${count.index}\"\n  vpc_id      = \"v\"\n  dynamic \"port\" {\n    for_each = range(200)\n    content {\n      server_port = port.value + 1\n      client_port = port.value + 1\n    }\n  }\n}\n";
    let literal = format!(
        "resource \"vpcep_service\" \"s\" {{\n  count       = 100000\n  server_type = \"LB\"\n  port_id     = \"p-${{count.index}}\"\n  vpc_id      = \"v\"\n  description = \"{}\"\n  port {{\n    server_port = 1\n    client_port = 1\n  }}\n}}\n",
        "x".repeat(256 << 10)
    );
    ws.write("m/main.hcl", generated);
    for main in [
        generated.to_owned(),
        literal,
        "module \"m\" {\n  source = \"./m\"\n  count  = 1\n}\n".to_owned(),
    ] {
        ws.write("main.hcl", &main);
        let loaded = vpcep::config::load(&vpcep::config::LoadOptions {
            dir: ws.path().to_path_buf(),
            spent: vpcep::config::Spent::with_limit(4 << 20),
            ..vpcep::config::LoadOptions::default()
        });
        let errors: Vec<&str> = loaded
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(|d| d.message.as_str())
            .collect();
        assert!(
            errors.iter().any(|m| m.starts_with(
                "the configuration's values take more memory than vpcep allows in all (4 MiB"
            )) && errors.len() < 20,
            "{} errors: {:?}",
            errors.len(),
            &errors[..errors.len().min(3)]
        );
    }
}

/// Issue 10, case 14: huge inputs are refused at their caps instead of being checked in
/// quadratic time.
#[test]
fn huge_blocks_and_objects_are_refused_at_their_caps() {
    let mut ports = String::new();
    for i in 0..20_000 {
        let _ = write!(
            ports,
            "  port {{\n    server_port = {}\n    client_port = {}\n  }}\n",
            i % 65_000 + 1,
            i % 65_000 + 1
        );
    }
    let out = validate_text(&format!(
        "resource \"vpcep_service\" \"s\" {{\n  server_type = \"LB\"\n  port_id = \"p\"\n  vpc_id = \"v\"\n{ports}}}\n"
    ));
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains("at most 200 are allowed"),
        "{}",
        out.stderr
    );

    let tags: Vec<String> = (0..100_000).map(|i| format!("k{i} = \"v\"")).collect();
    let out = validate_text(&format!(
        "locals {{\n  tags = {{ {} }}\n}}\n",
        tags.join(", ")
    ));
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains("object literals are too large to read"),
        "{}",
        &out.stderr[..out.stderr.len().min(2000)]
    );
}

/// A problem of a block with `count` is one problem per instance: the terminal shows the
/// first few of one place and counts the rest; `--json` keeps every one for tools.
#[test]
fn a_problem_repeated_by_every_instance_is_shown_a_few_times_and_counted() {
    let ws = Workspace::new();
    ws.write(
        "main.hcl",
        &services_hcl("s", 1)
            .replacen(
                "{\n",
                "{\n  count = 10\n  tags  = { \"bad tag!\" = \"x\" }\n",
                1,
            )
            .replace("port-s-0", "port-${count.index}"),
    );
    let out = ws.expect(&["validate"], 1);
    assert_eq!(
        out.stderr.matches("error: invalid tag key").count(),
        3,
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains(
            "... and 7 more like these at main.hcl:3:13, one for each instance (`--json` lists every one)"
        ) && out.stderr.contains("Validation failed: 10 errors."),
        "{}",
        out.stderr
    );
    let json = ws.expect(&["validate", "--json"], 1);
    assert_eq!(
        json.stdout.matches("invalid tag key").count(),
        10,
        "{}",
        json.stdout
    );
}

/// Issue 34.3: a percent escape next to a multi-byte character in the pg connection string
/// panicked (exit 101): the hand-written decoder sliced inside the character. Issue 34.4: a
/// bare word (a password typed without `password=`) was echoed in the error.
#[test]
fn pg_connection_strings_with_broken_escapes_or_bare_words_end_in_clear_errors() {
    let ws = Workspace::new();
    ws.write(
        "main.hcl",
        "backend \"pg\" {}\nresource \"vpcep_service\" \"s\" {\n  server_type = \"LB\"\n  port_id = \"p\"\n  vpc_id = \"v\"\n  port {\n    server_port = 80\n    client_port = 80\n  }\n}\n",
    );
    for conn in [
        "postgresql://h/db?sslrootcert=%aé",
        "postgresql://h/db?sslmode=%é%",
        "host=127.0.0.1 hunter2-s3cret dbname=x",
        "postgresql://127.0.0.1:1/db?hunter2-s3cret",
        "host=127.0.0.1 port=1 hunter2-s3cret=x",
    ] {
        let out = super::harness::vpcep(ws.path(), &["plan"], &[("VPCEP_PG_CONN_STR", conn)]);
        assert_eq!(out.code, 1, "{conn}: {}", out.transcript());
        assert!(!out.stderr.contains("panicked"), "{conn}: {}", out.stderr);
        assert!(!out.stderr.contains("hunter2"), "{conn}: {}", out.stderr);
    }
    let out = super::harness::vpcep(
        ws.path(),
        &["plan"],
        &[(
            "VPCEP_PG_CONN_STR",
            "host=127.0.0.1 hunter2-s3cret dbname=x",
        )],
    );
    assert!(
        out.stderr
            .contains("word 2 of the connection string is not `key=value`"),
        "{}",
        out.stderr
    );
}

/// Issue 34.2: `sslrootcert=/dev/zero` read without bound, and a FIFO there hung; so did a
/// FIFO as `--log-file`. Only regular files of a bounded size are read or appended to.
#[test]
fn devices_and_fifos_named_as_files_are_refused_not_read_or_waited_on() {
    let ws = Workspace::new();
    ws.write(
        "main.hcl",
        "backend \"pg\" {}\nresource \"vpcep_service\" \"s\" {\n  server_type = \"LB\"\n  port_id = \"p\"\n  vpc_id = \"v\"\n  port {\n    server_port = 80\n    client_port = 80\n  }\n}\n",
    );
    let fifo = ws.path().join("fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let url =
        std::env::var("VPCEP_TEST_PG_URL").unwrap_or_else(|_| "postgresql://127.0.0.1:1/db".into());
    for root in ["/dev/zero".to_owned(), fifo.display().to_string()] {
        let conn = format!(
            "{}{}sslmode=verify-full&sslrootcert={root}",
            url,
            if url.contains('?') { "&" } else { "?" }
        );
        let out = super::harness::run_bounded(
            super::harness::command(
                ws.path(),
                &["plan"],
                &[("VPCEP_PG_CONN_STR", conn.as_str())],
            ),
            std::time::Duration::from_secs(20),
        );
        assert_eq!(out.code, 1, "{root}: {}", out.transcript());
        assert!(out.stderr.contains("sslrootcert"), "{root}: {}", out.stderr);
    }
    ws.write("main.hcl", "resource \"vpcep_service\" \"s\" {\n  server_type = \"LB\"\n  port_id = \"p\"\n  vpc_id = \"v\"\n  port {\n    server_port = 80\n    client_port = 80\n  }\n}\n");
    for log in [fifo.display().to_string(), "/dev/null".to_owned()] {
        let out = super::harness::run_bounded(
            super::harness::command(ws.path(), &["--log-file", &log, "validate"], &[]),
            std::time::Duration::from_secs(20),
        );
        assert_eq!(out.code, 1, "{log}: {}", out.transcript());
        assert!(
            out.stderr.contains("not a regular file"),
            "{log}: {}",
            out.stderr
        );
    }
}

/// Issue 34.2: a variable value with ~10,000 `[*]` splats (in `*.auto.vars`, `vpcep.vars`,
/// `--var` or `VPCEP_VAR_*`) overflowed the stack (SIGABRT). Its depth is checked first.
#[test]
fn deep_variable_values_are_refused_from_every_source() {
    let ws = Workspace::new();
    ws.write(
        "main.hcl",
        "variable \"v\" {\n  type    = list(number)\n  default = []\n}\n",
    );
    let deep = format!("[1]{}", "[*]".repeat(10_000));
    let check = |out: super::harness::Output, from: &str| {
        assert_eq!(out.code, 1, "{from}: {}", out.transcript());
        assert!(
            out.stderr.contains("nests more than 128 levels"),
            "{from}: {}",
            out.stderr
        );
    };
    for file in ["a.auto.vars", "vpcep.vars"] {
        ws.write(file, &format!("v = {deep}\n"));
        check(ws.run(&["validate"]), file);
        std::fs::remove_file(ws.path().join(file)).unwrap();
    }
    check(
        ws.run(&["validate", "--var", &format!("v={deep}")]),
        "--var",
    );
    check(
        super::harness::vpcep(ws.path(), &["validate"], &[("VPCEP_VAR_v", deep.as_str())]),
        "VPCEP_VAR_v",
    );
}

/// Issue 34.2: a module block calling its own directory ten times (no `count`) escaped the
/// instance cap: ~10^8 loads. A cycle — direct or through other modules — is an error at
/// the call, and module loads count against the whole load's budget.
#[test]
fn modules_that_call_themselves_are_an_error_at_the_call() {
    let ws = Workspace::new();
    let calls: String = (0..10)
        .map(|i| format!("module \"m{i}\" {{\n  source = \"./\"\n}}\n"))
        .collect::<Vec<_>>()
        .concat();
    ws.write("main.hcl", &calls);
    let out = ws.run_bounded(&["validate"], 30);
    assert_eq!(out.code, 1, "{}", out.transcript());
    assert!(
        out.stderr.contains(
            "the `source` of `module.m0` is `./`, the module it is in or one that calls it"
        ),
        "{}",
        out.stderr
    );
    // Through another module.
    ws.write("main.hcl", "module \"a\" {\n  source = \"./a\"\n}\n");
    ws.write("a/main.hcl", "module \"b\" {\n  source = \"../b\"\n}\n");
    ws.write("b/main.hcl", "module \"a\" {\n  source = \"../a\"\n}\n");
    let out = ws.run_bounded(&["validate"], 30);
    assert_eq!(out.code, 1, "{}", out.transcript());
    assert!(out.stderr.contains("b/main.hcl:2"), "{}", out.stderr);
    // A wide, deep tree of distinct modules (10^8 loads) ends at the budget of the whole
    // load, not after hours: each load counts its module's text (padded here, so that the
    // budget is met after a few hundred loads rather than thirty thousand).
    let ws = Workspace::new();
    ws.write(
        "main.hcl",
        "module \"l1\" {\n  source = \"./l1\"\n  count  = 10\n}\n",
    );
    let padding = format!("# {}\n", "x".repeat(256 << 10));
    for level in 1..8 {
        let calls: String = (0..10)
            .map(|i| format!("module \"c{i}\" {{\n  source = \"../l{}\"\n}}\n", level + 1))
            .collect::<Vec<_>>()
            .concat();
        ws.write(&format!("l{level}/main.hcl"), &(padding.clone() + &calls));
    }
    ws.write("l8/main.hcl", "locals {\n  x = 1\n}\n");
    let out = ws.run_bounded(&["validate"], 60);
    assert_eq!(out.code, 1, "{}", out.transcript());
    assert!(
        out.stderr.contains("more memory than vpcep allows in all"),
        "{}",
        out.stderr
    );
}

/// Issue 34.2: a module directory of many large files added up past any memory; the files
/// of one directory are bounded in all, before any is read.
#[test]
fn a_configuration_directory_is_bounded_in_all() {
    let ws = Workspace::new();
    ws.write("main.hcl", "module \"m\" {\n  source = \"./m\"\n}\n");
    std::fs::create_dir_all(ws.path().join("m")).unwrap();
    for i in 0..4 {
        // Sparse: 40 MiB each by its length, nothing on disk.
        let f = std::fs::File::create(ws.path().join(format!("m/f{i}.hcl"))).unwrap();
        f.set_len(40 << 20).unwrap();
    }
    let out = ws.run_bounded(&["validate"], 30);
    assert_eq!(out.code, 1, "{}", out.transcript());
    assert!(
        out.stderr.contains("MiB in all from one directory"),
        "{}",
        out.stderr
    );
}

/// Issue 34.2 and 34.4: `fmt --recursive` followed symlinked directories (a loop listed a file
/// 41 times, self-links never finished), and `fmt` replaced a read-only file.
#[test]
fn fmt_walks_no_linked_directories_and_leaves_read_only_files_alone() {
    let ws = Workspace::new();
    ws.write("sub/a.hcl", "x    = 1\n");
    std::os::unix::fs::symlink(ws.path(), ws.path().join("sub/loop")).unwrap();
    std::os::unix::fs::symlink(".", ws.path().join("sub/self")).unwrap();
    let out = ws.run_bounded(&["fmt", "--recursive", "--check"], 30);
    assert_eq!(out.code, 1, "{}", out.transcript());
    assert_eq!(out.stdout.matches("a.hcl").count(), 1, "{}", out.stdout);
    let path = ws.path().join("sub/a.hcl");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
    let out = ws.run(&["fmt", "sub"]);
    assert_eq!(out.code, 1, "{}", out.transcript());
    assert!(out.stderr.contains("is read-only"), "{}", out.stderr);
    assert_eq!(ws.read("sub/a.hcl"), "x    = 1\n");
    assert_eq!(
        std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o444
    );
}

/// Issue 34.4: diagnostics printed raw control characters: a value in a configuration could
/// forge a `::error` workflow command or send terminal escapes into a CI log.
#[test]
fn control_characters_in_values_are_escaped_in_messages() {
    let ws = Workspace::new();
    ws.write(
        "main.hcl",
        "resource \"vpcep_service\" \"s\" {\n  server_type = \"LB\\n::error::forged\\u001b[31m\"\n  port_id = \"p\"\n  vpc_id = \"v\"\n  port {\n    server_port = 80\n    client_port = 80\n  }\n}\n",
    );
    let out = ws.run(&["validate"]);
    assert_eq!(out.code, 1, "{}", out.transcript());
    assert!(
        !out.stderr.lines().any(|l| l.starts_with("::error")),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains('\u{1b}'), "{}", out.stderr);
    assert!(
        out.stderr.contains("\\n::error::forged\\u{1b}"),
        "{}",
        out.stderr
    );
}

/// Issue 34.4: a kill during `state push` or `state mv` left a full-size temporary file; the
/// next command that takes the lock removes it (and only its own kind of file).
#[test]
fn temporary_files_a_killed_write_left_are_removed_by_the_next_command() {
    let ws = Workspace::new();
    ws.write("main.hcl", &services_hcl("s", 1));
    ws.expect(&["apply", "--auto-approve"], 0);
    ws.write("vpcep.state.json.0123456789abcdef.tmp", "{ half a state");
    ws.write(
        "vpcep.state.json.backup.fedcba9876543210.tmp",
        "{ half a backup",
    );
    ws.write("vpcep.state.json.notes.tmp", "someone else's");
    ws.expect(&["plan"], 0);
    assert!(
        !ws.path()
            .join("vpcep.state.json.0123456789abcdef.tmp")
            .exists()
    );
    assert!(
        !ws.path()
            .join("vpcep.state.json.backup.fedcba9876543210.tmp")
            .exists()
    );
    assert!(ws.path().join("vpcep.state.json.notes.tmp").exists());
}
