//! The debug log (`VPCEP_LOG`, `--log-file`): off by default; on, it records every API
//! request (method, path, status, duration, attempt), lock and state operations and plan
//! timings — and never a credential, a signature or a sensitive value.

use super::harness::{EmulatorProcess, Workspace};

const PROJECT: &str = "0123456789abcdef0123456789abcdef";
const ACCESS_KEY: &str = "AKLOGTESTACCESSKEY01";
const SECRET_KEY: &str = "sk-log-test-secret-key-do-not-print";
const SECURITY_TOKEN: &str = "security-token-log-test-do-not-print";
const TOKEN: &str = "token-log-test-do-not-print";

fn configuration(emulator: &EmulatorProcess) -> String {
    emulator.provider(PROJECT)
        + "variable \"owner\" {\n  type = string\n  sensitive = true\n}\n\
           resource \"vpcep_service\" \"api\" {\n  server_type = \"LB\"\n  port_id = \"port-api\"\n  vpc_id = \"vpc-1\"\n  tags = { owner = var.owner }\n  port {\n    server_port = 8080\n    client_port = 80\n  }\n}\n"
}

fn assert_no_secret(log: &str) {
    for secret in [
        ACCESS_KEY,
        SECRET_KEY,
        SECURITY_TOKEN,
        TOKEN,
        "very-secret-owner",
    ] {
        assert!(!log.contains(secret), "the log shows `{secret}`:\n{log}");
    }
    for header in [
        "Authorization",
        "X-Auth-Token",
        "X-Security-Token",
        "SDK-HMAC",
    ] {
        assert!(!log.contains(header), "the log shows `{header}`:\n{log}");
    }
}

#[test]
fn the_log_is_off_by_default() {
    let emulator = EmulatorProcess::start(&[]);
    let ws = Workspace::new();
    ws.write("main.hcl", &configuration(&emulator));
    let out = super::harness::vpcep(
        ws.path(),
        &["plan", "--var", "owner=very-secret-owner"],
        &[("OS_AUTH_TOKEN", TOKEN)],
    );
    assert_eq!(out.code, 0, "{}", out.transcript());
    assert!(!out.stderr.contains("DEBUG"), "{}", out.stderr);
}

#[test]
fn api_requests_locks_state_and_timings_are_logged_without_credentials() {
    // AK/SK with a security token, and a flaky API: retries are logged with their attempt.
    let emulator = EmulatorProcess::start(&[
        "--access-key",
        ACCESS_KEY,
        "--secret-key",
        SECRET_KEY,
        "--error-rate",
        "0.3",
        "--seed",
        "7",
    ]);
    let ws = Workspace::new();
    ws.write("main.hcl", &configuration(&emulator));
    let env = [
        ("OS_ACCESS_KEY", ACCESS_KEY),
        ("OS_SECRET_KEY", SECRET_KEY),
        ("OS_SECURITY_TOKEN", SECURITY_TOKEN),
        ("VPCEP_LOG", "debug"),
    ];
    let out = super::harness::vpcep(
        ws.path(),
        &[
            "apply",
            "--auto-approve",
            "--var",
            "owner=very-secret-owner",
        ],
        &env,
    );
    assert_eq!(out.code, 0, "{}", out.transcript());
    let log = &out.stderr;
    for expected in [
        "vpcep started",
        "API request method=\"POST\" path=\"/v1/0123456789abcdef0123456789abcdef/vpc-endpoint-services\"",
        "status=200",
        "attempt=1",
        "state lock taken",
        "state lock released",
        "state written",
        "journal recorded",
        "plan phase done phase=\"refresh\"",
        "plan made",
        "apply step done address=vpcep_service.api",
    ] {
        assert!(log.contains(expected), "no `{expected}` in the log:\n{log}");
    }
    assert!(
        log.lines()
            .any(|l| l.contains("API request") && l.contains("attempt=2")),
        "no retried request in the log:\n{log}"
    );
    assert!(log.contains("retrying"), "{log}");
    assert_no_secret(log);

    // The same to a file with --log-file (debug without VPCEP_LOG), appended to; the terminal
    // stays as it is.
    let out = super::harness::vpcep(
        ws.path(),
        &[
            "plan",
            "--log-file",
            "vpcep.log",
            "--var",
            "owner=very-secret-owner",
        ],
        &env[..3],
    );
    assert_eq!(out.code, 0, "{}", out.transcript());
    assert!(!out.stderr.contains("DEBUG"), "{}", out.stderr);
    let file = ws.read("vpcep.log");
    assert!(file.contains("API request method=\"GET\""), "{file}");
    assert!(!file.contains('\u{1b}'), "no colour in a file");
    assert_no_secret(&file);
    let mode = std::os::unix::fs::PermissionsExt::mode(
        &std::fs::metadata(ws.path().join("vpcep.log"))
            .unwrap()
            .permissions(),
    );
    assert_eq!(mode & 0o077, 0, "the log file is its owner's only");
    let before = file.lines().count();
    super::harness::vpcep(
        ws.path(),
        &["validate", "--log-file", "vpcep.log", "--var", "owner=x"],
        &[],
    );
    assert!(ws.read("vpcep.log").lines().count() > before, "appended");
}

#[test]
fn a_bad_level_is_an_error_that_names_the_levels() {
    let ws = Workspace::new();
    ws.write("main.hcl", "");
    let out = super::harness::vpcep(ws.path(), &["validate"], &[("VPCEP_LOG", "loud")]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains(
            "VPCEP_LOG is `loud`; set it to one of off, error, warn, info, debug or trace"
        ),
        "{}",
        out.stderr
    );
}
