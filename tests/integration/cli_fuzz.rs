//! The command line under attack (issue 34): seeded, reproducible inputs a user or a pull
//! request can hand vpcep besides configuration files — pg connection strings, endpoint URLs
//! and paths with broken percent escapes, multi-byte characters, quotes, bare words, FIFOs,
//! devices and directories — each end in a result or a clear error (exit 0, 1 or 2), never a
//! panic, an abort or a hang. `VPCEP_CLI_FUZZ=N` runs N inputs instead of 60. Every
//! connection goes to 127.0.0.1 port 1 (refused at once): nothing leaves the machine.

use super::harness::{Workspace, command, run_bounded};
use vpcep::cloud::rng::Rng;

const PIECES: &[&str] = &[
    "%",
    "%a",
    "%é",
    "%zz",
    "%00",
    "%FF",
    "%C3",
    "%C3%A9",
    "é",
    "€",
    "😀",
    "'",
    "\\",
    "\"",
    " ",
    "=",
    "&",
    "?",
    "#",
    "@",
    "+",
    "%2B",
    "\u{1b}[31m",
    "\n",
    "::error::x",
    "\u{0}",
    "..",
];

fn junk(rng: &Rng, n: usize) -> String {
    (0..n).map(|_| PIECES[rng.below(PIECES.len())]).collect()
}

const SERVICE: &str = "resource \"vpcep_service\" \"s\" {\n  server_type = \"LB\"\n  port_id = \"p\"\n  vpc_id = \"v\"\n  port {\n    server_port = 80\n    client_port = 80\n  }\n}\n";

/// One seeded input: the files to write, the arguments and the environment.
fn input(rng: &Rng, fifo: &str) -> (String, Vec<String>, Vec<(String, String)>) {
    let paths = [
        "/dev/zero".to_owned(),
        "/dev/null".to_owned(),
        "/dev/full".to_owned(),
        fifo.to_owned(),
        ".".to_owned(),
        format!("missing-{}", junk(rng, 3).replace(['\u{0}', '/'], "")),
        "x".repeat(5000),
    ];
    let path = || paths[rng.below(paths.len())].clone();
    match rng.below(7) {
        0 | 4 => {
            // A pg connection string, URL or key/value form.
            let conn = if rng.below(2) == 0 {
                format!(
                    "postgresql://127.0.0.1:1/db?sslmode={}&sslrootcert={}{}",
                    ["require", "verify-full", "verify-ca", "prefer"][rng.below(4)],
                    path(),
                    junk(rng, 4)
                )
            } else {
                format!(
                    "host=127.0.0.1 port=1 {} sslrootcert='{}' {}",
                    junk(rng, 3),
                    path(),
                    junk(rng, 3)
                )
            };
            (
                format!("backend \"pg\" {{}}\n{SERVICE}"),
                vec!["plan".into()],
                vec![("VPCEP_PG_CONN_STR".into(), conn.replace('\u{0}', ""))],
            )
        }
        1 => {
            // An endpoint URL: broken escapes and credentials, always to 127.0.0.1:1.
            let url = format!(
                "http://{}127.0.0.1:1/{}?{}",
                if rng.below(3) == 0 { "u%é:p%@" } else { "" },
                junk(rng, 4),
                junk(rng, 3)
            )
            .replace(['"', '\\', '\n', '\u{0}'], "");
            (
                format!(
                    "provider \"otc\" {{\n  project_id = \"0b2c6f3e8a1d4c7e9f10a2b3c4d5e6f7\"\n  endpoint   = \"{}\"\n}}\n{SERVICE}",
                    url.replace("${", "$${").replace("%{", "%%{")
                ),
                vec!["plan".into()],
                vec![("OS_AUTH_TOKEN".into(), "t".into())],
            )
        }
        2 | 5 => {
            // A path given for a file vpcep reads or appends to.
            let p = path();
            let args = match rng.below(5) {
                0 => vec!["plan".into(), "--state".into(), p],
                1 => vec!["validate".into(), "--var-file".into(), p],
                2 => vec!["--log-file".into(), p, "validate".into()],
                3 => vec!["show".into(), p],
                _ => vec!["state".into(), "push".into(), p],
            };
            (SERVICE.to_owned(), args, Vec::new())
        }
        _ => {
            // Variable values (3 and 6) with broken quoting and escapes.
            (
                format!("variable \"v\" {{\n  type = list(string)\n  default = []\n}}\n{SERVICE}"),
                vec![
                    "validate".into(),
                    "--var".into(),
                    format!("v=[\"{}\"]", junk(rng, 5)).replace('\u{0}', ""),
                ],
                vec![("VPCEP_VAR_v".into(), junk(rng, 4).replace('\u{0}', ""))],
            )
        }
    }
}

#[test]
fn command_line_inputs_end_in_results_or_clear_errors() {
    let n: usize = std::env::var("VPCEP_CLI_FUZZ")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60);
    let rng = Rng::new(0x0c11_f022 | 1);
    // The inputs are drawn in order (reproducible), then run four at a time: a refused
    // connection is retried with backoff, which is waiting, not work.
    let scratch = Workspace::new();
    let fifo = scratch.path().join("fifo");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let fifo = fifo.display().to_string();
    let inputs: Vec<_> = (0..n).map(|_| input(&rng, &fifo)).collect();
    let next = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..4 {
            scope.spawn(|| {
                let ws = Workspace::new();
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some((config, args, env)) = inputs.get(i) else {
                        break;
                    };
                    ws.write("main.hcl", config);
                    let args: Vec<&str> = args.iter().map(String::as_str).collect();
                    let env: Vec<(&str, &str)> =
                        env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
                    let out = run_bounded(
                        command(ws.path(), &args, &env),
                        std::time::Duration::from_secs(30),
                    );
                    assert!(
                        matches!(out.code, 0..=2) && !out.stderr.contains("panicked"),
                        "input {i}: vpcep {args:?} with {env:?} ended with {}:\n{}",
                        out.code,
                        out.transcript()
                    );
                    // An error is one readable message: no raw escape reaches the terminal.
                    assert!(!out.stderr.contains('\u{1b}'), "input {i}: {}", out.stderr);
                }
            });
        }
    });
}
