//! Modules and `count` at scale (not a test): N services written as N `resource` blocks, and
//! the same N services made by a module called for G groups with `for_each`, each making
//! N / G of them with `count`. Prints wall time and peak memory of `apply` from empty and of
//! `plan --refresh=false` with no changes for both, and the ratio.
//!
//! Run with `cargo bench --bench modules` (`-- N` for another size; default 10,000).

use std::fmt::Write as _;
use std::path::Path;

#[path = "support/measure.rs"]
mod measure;
use measure::measure;

const SERVICE: &str = "  server_type = \"LB\"\n  vpc_id      = \"vpc-1\"\n  description = \"a service\"\n  whitelist   = [\"0123456789abcdef0123456789abcdef\"]\n  tags = {\n    team = \"bench\"\n    env  = \"prod\"\n  }\n\n  port {\n    server_port = 8080\n    client_port = 80\n  }\n  port {\n    server_port = 8443\n    client_port = 443\n  }\n";

fn flat(n: usize) -> String {
    let mut s = String::from("provider \"sim\" {\n  quota_services = 1000000\n}\n\n");
    for i in 0..n {
        let _ = write!(
            s,
            "resource \"vpcep_service\" \"s{i}\" {{\n  name        = \"s{i}\"\n  port_id     = \"port-{i}\"\n{SERVICE}}}\n\n"
        );
    }
    s
}

fn modular(dir: &Path, n: usize, groups: usize) {
    std::fs::create_dir_all(dir.join("modules/group")).unwrap();
    std::fs::write(
        dir.join("modules/group/main.hcl"),
        format!(
            "variable \"group\" {{\n  type = string\n}}\n\nvariable \"n\" {{\n  type = number\n}}\n\n\
             resource \"vpcep_service\" \"s\" {{\n  count       = var.n\n  name        = \"g${{var.group}}-${{count.index}}\"\n  port_id     = \"port-${{var.group}}-${{count.index}}\"\n{SERVICE}}}\n"
        ),
    )
    .unwrap();
    let keys: Vec<String> = (0..groups).map(|g| format!("\"{g}\"")).collect();
    std::fs::write(
        dir.join("main.hcl"),
        format!(
            "provider \"sim\" {{\n  quota_services = 1000000\n}}\n\nmodule \"group\" {{\n  source   = \"./modules/group\"\n  for_each = toset([{}])\n  group    = each.key\n  n        = {}\n}}\n",
            keys.join(", "),
            n / groups
        ),
    )
    .unwrap();
}

fn main() {
    let n: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(10_000);
    let groups = 100.min(n);
    println!(
        "vpcep modules benchmark: {n} services, flat and as {groups} module instances with count\n"
    );
    let mut plans = Vec::new();
    for modules in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        if modules {
            modular(dir.path(), n, groups);
        } else {
            std::fs::write(dir.path().join("main.hcl"), flat(n)).unwrap();
        }
        let what = if modules { "modules + count" } else { "flat" };
        let (secs, mib, code) = measure(dir.path(), &["apply", "--auto-approve"]);
        println!(
            "{what:<16} apply from empty          {secs:>8.3} s {mib:>8.1} MiB peak   exit {code}"
        );
        let (secs, mib, code) = measure(
            dir.path(),
            &["plan", "--refresh=false", "--detailed-exitcode"],
        );
        println!(
            "{what:<16} plan --refresh=false      {secs:>8.3} s {mib:>8.1} MiB peak   exit {code} (0: no changes)"
        );
        plans.push(secs);
    }
    println!(
        "\nplan through modules and count / flat: {:.2}",
        plans[1] / plans[0]
    );
}
