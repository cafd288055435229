//! HTTP benchmark (not a test): through `vpcep emulator` with 20 ms of latency per request, the
//! apply of 1,000 services at `--parallelism` 10 and 50 (wall time, HTTP requests, and the ratio
//! to requests × latency / parallelism), then refresh and plan of them; and through an emulator
//! that throttles as OTC's gateway does (20 requests a second per project, burst 20, 429 with
//! `APIGW.0308`), the apply of 200 and 1,000 services and the plan after it: exit status,
//! services created, wall time, requests, throttled requests, requests per service, and the
//! ratio to the limit's ideal time (requests the gateway let through ÷ 20 per second).
//!
//! Run with `cargo bench --bench http` (add `-- quick` for 100 services and the throttled
//! run of 200 only; `-- throttled` for the throttled runs alone).

use std::io::{BufRead as _, BufReader, Write as _};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Instant;

const PROJECT: &str = "0b2c6f3e8a1d4c7e9f10a2b3c4d5e6f7";

fn emulator(data: &Path, latency: &str) -> (Child, u16) {
    emulator_with(data, latency, &[])
}

fn emulator_with(data: &Path, latency: &str, extra: &[&str]) -> (Child, u16) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_vpcep"))
        .args([
            "emulator",
            "--listen",
            "127.0.0.1:0",
            "--quota-services",
            "100000",
            "--latency",
            latency,
        ])
        .args(extra)
        .arg("--data")
        .arg(data)
        .stdout(Stdio::piped())
        .spawn()
        .expect("the emulator starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let port = line
        .split("http://127.0.0.1:")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .and_then(|p| p.parse().ok())
        .expect("a port");
    (child, port)
}

/// The emulator's request counter (the stats request itself counts as one).
fn requests(port: u16) -> u64 {
    stats(port)["requests"].as_u64().unwrap()
}

/// The emulator's counters.
fn stats(port: u16) -> serde_json::Value {
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        stream,
        "GET /_emulator/stats HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n"
    )
    .unwrap();
    let mut text = String::new();
    std::io::Read::read_to_string(&mut stream, &mut text).unwrap();
    let body = text.split("\r\n\r\n").nth(1).unwrap_or_default();
    serde_json::from_str::<serde_json::Value>(body).unwrap()
}

/// Apply, then plan, of `n` services through an emulator that admits `rate` requests a
/// second per project.
fn throttled(n: usize, rate: u32) {
    let data = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let limit = format!("{rate}/s,{rate}");
    let (mut server, port) = emulator_with(
        &data.path().join("emulator.db"),
        "0s",
        &["--rate-limit", &limit],
    );
    std::fs::write(work.path().join("main.hcl"), config(port, n)).unwrap();
    for (what, args) in [
        ("apply", &["apply", "--auto-approve"][..]),
        ("plan after it", &["plan", "--detailed-exitcode"]),
    ] {
        let before = stats(port);
        let started = Instant::now();
        let ok = vpcep(work.path(), args);
        let secs = started.elapsed().as_secs_f64();
        let after = stats(port);
        // The stats request before counts; the one after does not yet.
        let sent = after["requests"].as_u64().unwrap() - before["requests"].as_u64().unwrap() - 1;
        let refused = after["throttled"].as_u64().unwrap() - before["throttled"].as_u64().unwrap();
        let admitted = sent - refused;
        #[allow(clippy::cast_precision_loss)]
        let ideal = admitted as f64 / f64::from(rate);
        let services = {
            let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
            write!(
                stream,
                "GET /v1/{PROJECT}/vpc-endpoint-services?limit=1 HTTP/1.0\r\nHost: 127.0.0.1\r\nX-Auth-Token: bench\r\n\r\n"
            )
            .unwrap();
            let mut text = String::new();
            std::io::Read::read_to_string(&mut stream, &mut text).unwrap();
            let body = text.split("\r\n\r\n").nth(1).unwrap_or_default();
            serde_json::from_str::<serde_json::Value>(body)
                .ok()
                .and_then(|v| v["total_count"].as_u64())
                .map_or_else(|| "?".to_owned(), |c| c.to_string())
        };
        #[allow(clippy::cast_precision_loss)]
        let per_service = admitted as f64 / n as f64;
        println!(
            "{what} of {n} services at {rate} requests/s: {}, {services} services exist, {secs:.1} s, {sent} requests ({refused} throttled, {per_service:.2} let through per service), {:.2}× the limit's ideal {ideal:.1} s",
            if ok { "exit 0" } else { "FAILED" },
            secs / ideal
        );
    }
    let _ = server.kill();
    let _ = server.wait();
}

fn config(port: u16, n: usize) -> String {
    format!(
        "provider \"otc\" {{\n  project_id = \"{PROJECT}\"\n  endpoint = \"http://127.0.0.1:{port}\"\n}}\n\nresource \"vpcep_service\" \"s\" {{\n  for_each = toset([for i in range({n}) : format(\"s%d\", i)])\n  server_type = \"LB\"\n  port_id = \"port-${{each.key}}\"\n  vpc_id = \"vpc-1\"\n  whitelist = [\"0123456789abcdef0123456789abcdef\"]\n  port {{\n    server_port = 8080\n    client_port = 80\n  }}\n}}\n"
    )
}

fn vpcep(dir: &Path, args: &[&str]) -> bool {
    Command::new(env!("CARGO_BIN_EXE_vpcep"))
        .current_dir(dir)
        .args(args)
        .env("OS_AUTH_TOKEN", "bench")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap()
        .success()
}

fn main() {
    let quick = std::env::args().any(|a| a == "quick");
    let only_throttled = std::env::args().any(|a| a == "throttled");
    let n = if quick { 100 } else { 1000 };
    if only_throttled || !quick {
        println!("vpcep HTTP benchmark: throttled by the gateway\n");
        for n in [200, 1000] {
            throttled(n, 20);
        }
        println!();
        if only_throttled {
            return;
        }
    } else {
        throttled(200, 20);
    }
    let data = tempfile::tempdir().unwrap();
    let db = data.path().join("emulator.db");
    let work = tempfile::tempdir().unwrap();

    let (mut setup, port) = emulator(&db, "0s");
    std::fs::write(work.path().join("main.hcl"), config(port, n)).unwrap();
    assert!(
        vpcep(
            work.path(),
            &["apply", "--auto-approve", "--parallelism", "20"]
        ),
        "setup apply"
    );
    let _ = setup.kill();
    let _ = setup.wait();

    let (mut slow, port) = emulator(&db, "20ms");
    std::fs::write(work.path().join("main.hcl"), config(port, n)).unwrap();
    let before = requests(port);
    let started = Instant::now();
    assert!(vpcep(work.path(), &["refresh"]), "refresh");
    let secs = started.elapsed().as_secs_f64();
    let used = requests(port) - before - 1;
    println!("vpcep HTTP benchmark\n");
    println!(
        "refresh of {n} services, 20 ms latency per request: {secs:.2} s, {used} HTTP requests"
    );
    let started = Instant::now();
    assert!(
        vpcep(work.path(), &["plan", "--detailed-exitcode"]),
        "plan without changes"
    );
    let plan_secs = started.elapsed().as_secs_f64();
    println!("plan (with refresh) of {n} services, no changes:     {plan_secs:.2} s");
    let _ = slow.kill();
    let _ = slow.wait();

    for parallelism in [10u32, 50] {
        let data = tempfile::tempdir().unwrap();
        let work = tempfile::tempdir().unwrap();
        let (mut server, port) = emulator(&data.path().join("emulator.db"), "20ms");
        std::fs::write(work.path().join("main.hcl"), config(port, n)).unwrap();
        let before = requests(port);
        let started = Instant::now();
        let p = parallelism.to_string();
        assert!(
            vpcep(
                work.path(),
                &["apply", "--auto-approve", "--parallelism", &p]
            ),
            "apply"
        );
        let secs = started.elapsed().as_secs_f64();
        let used = requests(port) - before - 1;
        #[allow(clippy::cast_precision_loss)]
        let ideal = used as f64 * 0.020 / f64::from(parallelism);
        println!(
            "apply of {n} services, parallelism {parallelism}: {secs:.2} s, {used} HTTP requests, {:.2}× requests × latency / parallelism",
            secs / ideal
        );
        let _ = server.kill();
        let _ = server.wait();
    }
}
