//! Scale benchmark (not a test): prints wall time and peak memory of the real binary for
//!
//! - `plan --refresh=false` of 1,000 and 10,000 services, from empty state (all creates) and
//!   against a matching recorded state (no changes);
//! - `apply --auto-approve` of 5,000 services on the simulator from empty.
//!
//! Run with `cargo bench --bench scale` (add `-- quick` for 1/10 of the sizes).

use std::fmt::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

fn config(n: usize) -> String {
    let mut s = String::from(
        "provider \"sim\" {\n  quota_services = 100000\n}\n\nlocals {\n  tags = { team = \"bench\", env = \"prod\" }\n}\n\n",
    );
    let _ = write!(
        s,
        "variable \"count\" {{\n  default = {n}\n}}\n\nresource \"vpcep_service\" \"fleet\" {{\n  for_each    = toset([for i in range(var.count) : format(\"s%d\", i)])\n  name        = each.key\n  server_type = \"LB\"\n  port_id     = \"port-${{each.key}}\"\n  vpc_id      = \"vpc-1\"\n  tags        = merge(local.tags, {{ service = each.key }})\n  whitelist   = [\"0123456789abcdef0123456789abcdef\"]\n\n  port {{\n    server_port = 8080\n    client_port = 80\n  }}\n}}\n"
    );
    s
}

/// A recorded state matching `config(n)`.
fn state(n: usize) -> String {
    let resources: Vec<serde_json::Value> = (0..n)
        .map(|i| {
            let key = format!("s{i}");
            let id = format!("00000000-0000-4000-8000-{i:012}");
            serde_json::json!({
                "address": format!("vpcep_service.fleet[\"{key}\"]"),
                "type": "vpcep_service", "name": "fleet", "key": key, "id": id,
                "attributes": {
                    "name": key, "server_type": "LB", "port_id": format!("port-{key}"), "vpc_id": "vpc-1",
                    "service_type": "interface", "approval_enabled": true,
                    "whitelist": ["iam:domain::0123456789abcdef0123456789abcdef"],
                    "tags": {"env": "prod", "service": key, "team": "bench"},
                    "description": null, "tcp_proxy": "close",
                    "port": [{"protocol": "TCP", "server_port": 8080, "client_port": 80}],
                    "id": id, "service_name": format!("sim-1.{key}.{id}"), "status": "available",
                    "connection_count": 0, "created_at": "2026-01-01T00:00:00Z", "connections": []
                },
                "dependencies": []
            })
        })
        .collect();
    serde_json::json!({"format_version": 1, "vpcep_version": "0.1.0", "lineage": "bench", "serial": 1, "resources": resources, "outputs": {}}).to_string()
}

/// Peak resident memory of a running process (`VmHWM`), in KiB.
fn peak_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Runs the binary, returning (seconds, peak RSS in MiB, exit code). The peak is sampled
/// from `/proc` every few milliseconds until the process exits.
fn measure(dir: &Path, args: &[&str]) -> (f64, f64, i32) {
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_vpcep"))
        .current_dir(dir)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the binary runs");
    let mut peak = 0;
    let status = loop {
        if let Some(kib) = peak_kib(child.id()) {
            peak = peak.max(kib);
        }
        if let Some(status) = child.try_wait().expect("wait for the binary") {
            break status;
        }
        std::thread::sleep(std::time::Duration::from_millis(2));
    };
    let secs = started.elapsed().as_secs_f64();
    #[allow(clippy::cast_precision_loss)]
    let mib = peak as f64 / 1024.0;
    (secs, mib, status.code().unwrap_or(-1))
}

fn report(what: &str, (secs, mib, code): (f64, f64, i32)) {
    println!("{what:<52} {secs:>8.3} s {mib:>9.1} MiB peak   exit {code}");
}

fn main() {
    let quick = std::env::args().any(|a| a == "quick");
    let scale = |n: usize| if quick { n / 10 } else { n };
    println!(
        "vpcep scale benchmark ({} sizes)\n",
        if quick { "quick" } else { "full" }
    );
    for n in [scale(1_000), scale(10_000)] {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("main.hcl"), config(n)).unwrap();
        report(
            &format!("plan --refresh=false, {n} services, empty state"),
            measure(dir.path(), &["plan", "--refresh=false"]),
        );
        std::fs::write(dir.path().join("vpcep.state.json"), state(n)).unwrap();
        report(
            &format!("plan --refresh=false, {n} services, no changes"),
            measure(dir.path(), &["plan", "--refresh=false"]),
        );
    }
    let n = scale(5_000);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("main.hcl"), config(n)).unwrap();
    report(
        &format!("apply --auto-approve, {n} services, from empty"),
        measure(dir.path(), &["apply", "--auto-approve"]),
    );
    report(
        &format!("plan (with refresh), {n} services, no changes"),
        measure(dir.path(), &["plan"]),
    );
}
