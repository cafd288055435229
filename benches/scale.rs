//! Scale benchmark (not a test): prints wall time and peak memory of the real binary, for N
//! services in N separate `resource` blocks, each with 3 tags, a description, a whitelist entry
//! and 2 port blocks, on the simulator:
//!
//! - `apply --auto-approve` from empty;
//! - `plan` (with refresh) with no changes;
//! - `plan --refresh=false` with no changes, and with 1 % of the services changed;
//!
//! and the state file's size per service, at 1,000, 10,000 and 50,000 services, with the ratio
//! of time per service between sizes so growth is visible at a glance.
//!
//! Run with `cargo bench --bench scale` (`-- quick` for 100 and 1,000; `-- N...` for sizes).

use std::fmt::Write as _;

#[path = "support/measure.rs"]
mod measure;
use measure::measure;

/// The configuration of `n` services; `changed` of them with another tag value.
fn config(n: usize, changed: usize) -> String {
    let mut s = String::from("provider \"sim\" {\n  quota_services = 1000000\n}\n\n");
    for i in 0..n {
        let team = if i < changed { "other" } else { "bench" };
        let _ = write!(
            s,
            "resource \"vpcep_service\" \"s{i}\" {{\n  name        = \"s{i}\"\n  server_type = \"LB\"\n  port_id     = \"port-{i}\"\n  vpc_id      = \"vpc-1\"\n  description = \"service number {i}\"\n  whitelist   = [\"0123456789abcdef0123456789abcdef\"]\n  tags = {{\n    team    = \"{team}\"\n    env     = \"prod\"\n    service = \"s{i}\"\n  }}\n\n  port {{\n    server_port = 8080\n    client_port = 80\n  }}\n  port {{\n    server_port = 8443\n    client_port = 443\n  }}\n}}\n\n"
        );
    }
    s
}

fn report(what: &str, n: usize, (secs, mib, code): (f64, f64, i32)) -> f64 {
    #[allow(clippy::cast_precision_loss)]
    let per = secs / n as f64 * 1e6;
    println!("{what:<44} {secs:>8.3} s {per:>8.1} µs/service {mib:>8.1} MiB peak   exit {code}");
    per
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut sizes: Vec<usize> = args.iter().filter_map(|a| a.parse().ok()).collect();
    if sizes.is_empty() {
        sizes = if args.iter().any(|a| a == "quick") {
            vec![100, 1_000]
        } else {
            vec![1_000, 10_000, 50_000]
        };
    }
    println!("vpcep scale benchmark: {sizes:?} services\n");
    let mut per_service: Vec<(usize, Vec<f64>)> = Vec::new();
    for &n in &sizes {
        let dir = tempfile::tempdir().unwrap();
        let main = dir.path().join("main.hcl");
        std::fs::write(&main, config(n, 0)).unwrap();
        let apply = report(
            &format!("apply, {n} services, from empty"),
            n,
            measure(dir.path(), &["apply", "--auto-approve"]),
        );
        let refresh = report(
            &format!("plan (refresh), {n} services, no changes"),
            n,
            measure(dir.path(), &["plan"]),
        );
        let no_refresh = report(
            &format!("plan --refresh=false, {n}, no changes"),
            n,
            measure(dir.path(), &["plan", "--refresh=false"]),
        );
        std::fs::write(&main, config(n, n / 100)).unwrap();
        let changed = report(
            &format!("plan --refresh=false, {n}, 1 % changed"),
            n,
            measure(dir.path(), &["plan", "--refresh=false"]),
        );
        let bytes = std::fs::metadata(dir.path().join("vpcep.state.json")).map_or(0, |m| m.len());
        #[allow(clippy::cast_precision_loss)]
        let kib = bytes as f64 / n as f64 / 1024.0;
        println!("state file, {n} services: {bytes} bytes, {kib:.2} KiB per service\n");
        per_service.push((n, vec![apply, refresh, no_refresh, changed]));
    }
    for pair in per_service.windows(2) {
        let ((a, x), (b, y)) = (&pair[0], &pair[1]);
        let ratios: Vec<String> = x
            .iter()
            .zip(y)
            .map(|(p, q)| format!("{:.2}", q / p))
            .collect();
        println!(
            "time per service at {b} / at {a} (apply, plan, plan --refresh=false, 1 % changed): {}",
            ratios.join(", ")
        );
    }
}
