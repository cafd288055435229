//! The configuration loader under attack (issues 10 and 34): mutants of every example and
//! validate case — byte flips, truncations, token swaps, deep nesting, resource bombs, modules
//! that call themselves or each other, module directories of huge files, deep variable values,
//! and secrets passed through functions — each end in a desired state or in diagnostics, never
//! in a panic or an abort, under a memory cap; and no form of a secret (as written, lowered,
//! uppercased, base64) appears in a diagnostic or in any rendering of the plan.
//!
//! Its own test binary, because it caps the whole process's memory (`RLIMIT_AS`): an
//! allocation past the cap aborts the binary, so any bomb that escapes the budgets fails the
//! run. `cargo test` runs 300 mutants; `VPCEP_FUZZ_MUTANTS=N` runs N (the closing note's long
//! run: `VPCEP_FUZZ_MUTANTS=12000 cargo test --release --test fuzz -- --nocapture`).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use vpcep::config::{LoadOptions, load};

/// The memory the whole fuzz process may use.
const MEMORY_CAP: u64 = 2 << 30;

/// The secret of the sensitive bombs, and the forms of it no output may show.
const SECRET: &str = "FuzzSecret42q";
const SECRET_FORMS: [&str; 4] = [
    "FuzzSecret42q",
    "fuzzsecret42q",
    "FUZZSECRET42Q",
    "RnV6elNlY3JldDQycQ",
];

use vpcep::cloud::rng::Rng;

const INTERESTING: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    "\"",
    "${",
    "%{",
    "=",
    "\n",
    "\\",
    "<<EOT\n",
    "0",
    "-",
    ".",
    "*",
    "var.",
    "each.",
    "local.",
    "vpcep_service.",
    "for x in",
    "?",
    ":",
    "/*",
    "#",
    "[*]",
    "(",
    ")",
    ",",
    "null",
    "true",
    "1e308",
    "-1",
    "99999999999999999999",
    "\u{0}",
    "é",
    "=>",
    "...",
];

/// Resource bombs and deep nesting, each a complete `locals` block or resource.
fn bombs() -> Vec<String> {
    let mut doubling = "locals {\n  d0 = \"xxxxxxxxxxxxxxxx\"\n".to_owned();
    for i in 1..=40 {
        let _ = writeln!(
            doubling,
            "  d{i} = \"${{local.d{}}}${{local.d{}}}\"",
            i - 1,
            i - 1
        );
    }
    doubling.push_str("}\n");
    let keys: Vec<String> = (0..20_000).map(|i| format!("k{i} = {i}")).collect();
    let mut ports = String::new();
    for i in 0..2_000 {
        let _ = write!(
            ports,
            "  port {{\n    server_port = {}\n    client_port = {}\n  }}\n",
            i % 60_000 + 1,
            i % 60_000 + 1
        );
    }
    vec![
        "locals {\n  b1 = length([for a in range(10000) : [for b in range(10000) : b]])\n}\n".into(),
        doubling,
        "locals {\n  b3 = join(\"\", [for i in range(10000) : join(\"\", [for j in range(10000) : \"xxxxxxxxxx\"])])\n}\n".into(),
        "locals {\n  big = join(\"\", [for i in range(1000) : \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"])\n  t = \"%{for i in range(10000)}${local.big}%{endfor}\"\n}\n".into(),
        format!("locals {{\n  obj = {{ {} }}\n}}\n", keys.join(", ")),
        format!("resource \"vpcep_service\" \"bomb\" {{\n  server_type = \"LB\"\n  port_id = \"p\"\n  vpc_id = \"v\"\n{ports}}}\n"),
        format!("locals {{\n  splat = [[1]]{}\n}}\n", "[*]".repeat(5_000)),
        format!("locals {{\n  nest = {}1{}\n}}\n", "[".repeat(200), "]".repeat(200)),
        format!("locals {{\n  ops = 1{}\n}}\n", " + 1".repeat(1_000)),
        format!("locals {{\n  parens = {}1{}\n}}\n", "(".repeat(300), ")".repeat(300)),
        format!("locals {{\n  templ = {}\n}}\n", "\"${".repeat(100) + "1" + &"}\"".repeat(100)),
        format!("locals {{\n  long = \"{}\"\n}}\n", "x".repeat(8 << 20)),
        "locals {\n  r = range(1e9)\n  f = format(\"%s%s%s%s\", \"a\")\n  n = 1e308 * 1e308\n}\n".into(),
        "locals {\n  m = merge([for i in range(10000) : { for j in range(100) : \"${i}-${j}\" => j }]...)\n}\n".into(),
        "locals {\n  x = [for i in range(10000) : replace(\"aaaaaaaaaa\", \"a\", join(\"\", [for j in range(1000) : \"bbbbbbbbbb\"]))]\n}\n".into(),
        "locals {\n  d = distinct([for i in range(10000) : [i, i]])\n  s = toset([for i in range(10000) : { k = i }])\n}\n".into(),
        format!("locals {{\n  chain = local{}\n}}\n", ".a".repeat(3_000)),
        format!("variable \"v\" {{\n  default = {}\n}}\n", "[".repeat(70) + &"]".repeat(70)),
        // Modules that call themselves, each other, and a directory of huge files (beside
        // the mutant: see `module_bombs`).
        "module \"self\" {\n  source = \"./\"\n}\n".into(),
        (0..10)
            .map(|i| format!("module \"fan{i}\" {{\n  source = \"./fuzz-modules/selfcall\"\n}}\n"))
            .collect::<Vec<_>>()
            .concat(),
        "module \"cycle\" {\n  source = \"./fuzz-modules/cycle_a\"\n}\n".into(),
        "module \"huge\" {\n  source = \"./fuzz-modules/huge\"\n}\n".into(),
        // A deep variable value, as var files and `--var` give them.
        format!("variable \"deep\" {{\n  default = [1]{}\n}}\n", "[*]".repeat(10_000)),
        // Secrets through functions, maps, templates and errors.
        sensitive_bomb("tags = { audit = lower(var.fz), team = \"billing\" }"),
        sensitive_bomb("description = base64encode(var.fz)"),
        sensitive_bomb("tags = { (upper(var.fz)) = \"x y!\" }"),
        sensitive_bomb("whitelist = [lower(var.fz)]"),
        sensitive_bomb("description = format(\"%d\", lower(var.fz))"),
        sensitive_bomb("name = \"${lower(var.fz)}!!\""),
        sensitive_bomb("description = substr(var.fz, 0, 100)\n  lifecycle {\n    precondition {\n      condition     = false\n      error_message = \"no ${upper(var.fz)}\"\n    }\n  }"),
        "resource \"vpcep_service\" \"many\" {\n  count = 100000\n  server_type = \"LB\"\n  port_id = \"p-${count.index}\"\n  vpc_id = \"v\"\n  dynamic \"port\" {\n    for_each = range(200)\n    content {\n      server_port = port.value + 1\n      client_port = port.value + 1\n    }\n  }\n}\n".into(),
    ]
}

/// A service reading the sensitive variable `fz` (whose value is [`SECRET`]) as `body` says.
fn sensitive_bomb(body: &str) -> String {
    format!(
        "variable \"fz\" {{\n  type      = string\n  sensitive = true\n  default   = \"{SECRET}\"\n}}\nresource \"vpcep_service\" \"fz\" {{\n  server_type = \"LB\"\n  port_id     = \"fz\"\n  vpc_id      = \"fz\"\n  {body}\n  port {{\n    server_port = 1\n    client_port = 1\n  }}\n}}\n"
    )
}

/// The module directories the module bombs call, made in `dir` (the directory mutants are
/// loaded in): one calling itself ten times, two calling each other, and one of sparse files
/// of 60 MiB each.
fn module_bombs(dir: &Path) {
    let modules = dir.join("fuzz-modules");
    for sub in ["selfcall", "cycle_a", "cycle_b", "huge"] {
        std::fs::create_dir_all(modules.join(sub)).unwrap();
    }
    let calls: String = (0..10)
        .map(|i| format!("module \"again{i}\" {{\n  source = \"./\"\n}}\n"))
        .collect::<Vec<_>>()
        .concat();
    std::fs::write(modules.join("selfcall/main.hcl"), calls).unwrap();
    std::fs::write(
        modules.join("cycle_a/main.hcl"),
        "module \"b\" {\n  source = \"../cycle_b\"\n}\n",
    )
    .unwrap();
    std::fs::write(
        modules.join("cycle_b/main.hcl"),
        "module \"a\" {\n  source = \"../cycle_a\"\n}\n",
    )
    .unwrap();
    for i in 0..40 {
        let f = std::fs::File::create(modules.join(format!("huge/f{i:02}.hcl"))).unwrap();
        f.set_len(60 << 20).unwrap();
    }
}

/// Whether `text` shows a form of [`SECRET`].
fn shows_secret(text: &str) -> Option<&'static str> {
    SECRET_FORMS.into_iter().find(|f| text.contains(f))
}

/// Every rendering of the plan of `desired` (from nothing): none may show the secret.
fn renderings(desired: &vpcep::model::DesiredState) -> Vec<String> {
    let prior = vpcep::model::RecordedState::default();
    let facts = vpcep::plan::CloudFacts::default();
    let plan = vpcep::plan::plan(
        desired,
        &prior,
        &facts,
        &vpcep::plan::PlanOptions::default(),
    );
    vec![
        vpcep::render::human::render_plan(&plan, vpcep::render::style::Style::PLAIN),
        vpcep::render::json::render_plan(&vpcep::render::json::PlanDocument {
            plan: &plan,
            prior: &prior,
            desired,
            cloud: "fuzz",
            simulated: true,
        }),
        vpcep::render::markdown::render_plan(
            &plan,
            &vpcep::render::markdown::Context {
                dir: ".",
                backend: "fuzz",
                cloud: "fuzz",
            },
        )
        .join("\n"),
        vpcep::render::graph::dot(&vpcep::render::graph::of_plan(&plan)),
    ]
}

fn corpus(root: &Path) -> Vec<(String, String)> {
    let mut files: Vec<PathBuf> = Vec::new();
    for dir in ["examples", "testdata/validate"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                let mut stack = vec![path];
                while let Some(d) = stack.pop() {
                    for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
                        let p = e.path();
                        if p.is_dir() {
                            stack.push(p);
                        } else if p.extension().is_some_and(|x| x == "hcl") {
                            files.push(p);
                        }
                    }
                }
            }
        }
    }
    files.sort();
    files
        .into_iter()
        .filter_map(|p| {
            let text = std::fs::read_to_string(&p).ok()?;
            Some((p.display().to_string(), text))
        })
        .collect()
}

fn tokens(text: &str) -> Vec<&str> {
    text.split_inclusive(|c: char| c.is_whitespace() || "{}[](),=".contains(c))
        .collect()
}

fn char_boundary(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// One mutant of `source`.
fn mutate(rng: &Rng, source: &str, bombs: &[String]) -> String {
    let mut out = source.to_owned();
    match rng.below(10) {
        // Truncation.
        0 => {
            let at = char_boundary(&out, rng.below(out.len() + 1));
            out.truncate(at);
        }
        // Token swaps, duplications and deletions.
        1 | 2 => {
            let mut t: Vec<&str> = tokens(source);
            for _ in 0..=rng.below(3) {
                if t.len() < 2 {
                    break;
                }
                let (a, b) = (rng.below(t.len()), rng.below(t.len()));
                match rng.below(3) {
                    0 => t.swap(a, b),
                    1 => {
                        let x = t[a];
                        t.insert(b, x);
                    }
                    _ => {
                        t.remove(a);
                    }
                }
            }
            out = t.concat();
        }
        // A bomb or deep nesting appended.
        3 | 4 => {
            out.push('\n');
            out.push_str(&bombs[rng.below(bombs.len())]);
        }
        // Deep nesting around an attribute's value.
        5 => {
            if let Some(at) = out.find("= ") {
                let depth = rng.below(300);
                let (open, close) = match rng.below(3) {
                    0 => ("[", "]"),
                    1 => ("(", ")"),
                    _ => ("{ k = ", " }"),
                };
                let end = out[at..].find('\n').map_or(out.len(), |e| at + e);
                let value = out[at + 2..end].to_owned();
                out.replace_range(
                    at + 2..end,
                    &format!("{}{value}{}", open.repeat(depth), close.repeat(depth)),
                );
            }
        }
        // Character-level edits.
        _ => {
            for _ in 0..=rng.below(4) {
                if out.is_empty() {
                    break;
                }
                let at = char_boundary(&out, rng.below(out.len()));
                match rng.below(4) {
                    0 => {
                        let c =
                            char::from_u32(u32::try_from(rng.below(0x2FF)).unwrap()).unwrap_or('x');
                        let end = char_boundary(&out, at + 1).max(at);
                        let end = if end == at {
                            (at + out[at..].chars().next().map_or(0, char::len_utf8)).min(out.len())
                        } else {
                            end
                        };
                        out.replace_range(at..end, &c.to_string());
                    }
                    1 => {
                        let end = char_boundary(&out, at + rng.below(16));
                        out.replace_range(at..end.max(at), "");
                    }
                    2 => out.insert_str(at, INTERESTING[rng.below(INTERESTING.len())]),
                    _ => {
                        let from = char_boundary(&out, rng.below(out.len()));
                        let end = char_boundary(&out, from + rng.below(60)).max(from);
                        let copy = out[from..end].to_owned();
                        out.insert_str(at, &copy);
                    }
                }
            }
        }
    }
    out
}

fn cap_memory() {
    rlimit::setrlimit(rlimit::Resource::AS, MEMORY_CAP, MEMORY_CAP)
        .expect("the memory cap could not be set");
}

#[test]
fn mutants_end_in_a_state_or_diagnostics_never_a_panic_or_abort() {
    cap_memory();
    let mutants: usize = std::env::var("VPCEP_FUZZ_MUTANTS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(300);
    let seed: u64 = std::env::var("VPCEP_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed_cafe_f00d_d00d);
    // The binary's main thread has 8 MiB of stack; so does the fuzzing thread.
    let report = std::thread::Builder::new()
        .stack_size(8 << 20)
        .spawn(move || run(mutants, seed))
        .unwrap()
        .join()
        .expect("the fuzz thread ended in a panic");
    eprintln!("{report}");
}

/// `vpcep fmt` on a mutant: it never panics; a mutant that parses formats to a text that
/// formats to itself (the formatter checks itself that the meaning is kept, and refusing for
/// that reason would be a bug here).
fn formats_to_a_fixed_point(mutant: &str, which: &str) {
    use vpcep::config::layout::format;
    use vpcep::diag::SourceFile;
    let source = |text: &str| SourceFile::new("main.hcl".to_owned(), text.to_owned(), 0);
    let once = std::panic::catch_unwind(|| format(&source(mutant)))
        .unwrap_or_else(|_| panic!("fmt panicked on {which}"));
    match once {
        Ok(once) => {
            let twice = format(&source(&once)).expect("formatted text formats");
            assert_eq!(twice, once, "fmt is not idempotent on {which}");
        }
        Err(d) => assert!(
            d.message.starts_with("invalid HCL syntax") || d.message.contains("too large to read"),
            "fmt refused {which}: {}",
            d.message
        ),
    }
}

/// `vpcep migrate`'s conversion of the mutant spelled as a Terraform configuration (the
/// providers' resource types, blocks and names): it never panics, and what it writes is HCL
/// that parses (it formats its own output and says so when that fails).
fn migrates_to_hcl(mutant: &str, which: &str) {
    use vpcep::config::migrate::{TfSource, convert, variables_file};
    let terraform = mutant
        .replace("vpcep_service", "opentelekomcloud_vpcep_service_v1")
        .replace("vpcep_endpoint", "huaweicloud_vpcep_endpoint")
        .replace("vpcep_approval", "opentelekomcloud_vpcep_approval_v1")
        .replace("provider \"otc\"", "provider \"huaweicloud\"")
        .replace("port {", "port_mapping {")
        .replace("whitelist", "permissions");
    let sources = [TfSource {
        name: "main.tf".to_owned(),
        text: terraform,
    }];
    let converted = std::panic::catch_unwind(|| convert(&sources))
        .unwrap_or_else(|_| panic!("migrate panicked on {which}"));
    for e in &converted.errors {
        assert!(
            !e.message.contains("does not read back"),
            "migrate wrote HCL that does not parse for {which}: {}",
            e.message
        );
    }
    if converted.errors.is_empty() {
        let inputs: Vec<_> = converted.inputs.iter().map(|i| (i.clone(), None)).collect();
        let vars = variables_file(&inputs);
        assert!(
            hcl::edit::parser::parse_body(&vars).is_ok(),
            "migrate's variables do not parse for {which}:\n{vars}"
        );
    }
}

fn run(mutants: usize, seed: u64) -> String {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let corpus = corpus(&root);
    assert!(
        corpus.len() > 10,
        "the corpus is the examples and validate cases"
    );
    let bombs = bombs();
    // What one load may evaluate in all: smaller than the binary's 512 MiB, which a bomb takes
    // half a minute to reach (the same code stops it; `hardening.rs` tests the limit itself).
    let spent = vpcep::config::Spent::with_limit(16 << 20);
    let rng = Rng::new(seed | 1);
    let (mut valid, mut invalid) = (0usize, 0usize);
    let (mut secret_loads, mut renderings_checked) = (0usize, 0usize);
    let mut slowest = (Duration::ZERO, String::new());
    let mut panics = Vec::new();
    // Mutants with a module bomb are loaded beside the bombs' directories.
    let bomb_dir = tempfile::tempdir().unwrap();
    module_bombs(bomb_dir.path());
    // `VPCEP_FUZZ_FROM=N` replays a failure quickly: the mutants before N are drawn (so the
    // sequence is the same) but not loaded.
    let from: usize = std::env::var("VPCEP_FUZZ_FROM")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    for i in 0..mutants {
        let (name, source) = &corpus[rng.below(corpus.len())];
        let mutant = mutate(&rng, source, &bombs);
        if i < from {
            if rng.below(20) == 0 {
                let _ = rng.below(20_000);
            }
            continue;
        }
        if let Some(dump) = std::env::var_os("VPCEP_FUZZ_DUMP") {
            let _ = std::fs::write(dump, &mutant);
        }
        let started = Instant::now();
        let dir = if mutant.contains("fuzz-modules") {
            bomb_dir.path().to_path_buf()
        } else {
            // Where the file is, so that its module calls find their modules.
            root.join(name)
                .parent()
                .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
        };
        // A deep value now and then from the command line's side, as `--var` gives it.
        let vars = if rng.below(20) == 0 {
            vec![vpcep::config::VarArg::Assign(format!(
                "deep=[1]{}",
                "[*]".repeat(rng.below(20_000))
            ))]
        } else {
            Vec::new()
        };
        let result = std::panic::catch_unwind(|| {
            load(&LoadOptions {
                dir: dir.clone(),
                vars: vars.clone(),
                sources: Some(vec![("main.hcl".to_owned(), mutant.clone().into())]),
                spent: spent.clone(),
                ..LoadOptions::default()
            })
        });
        let took = started.elapsed();
        formats_to_a_fixed_point(&mutant, &format!("mutant {i} of {name} (seed {seed})"));
        migrates_to_hcl(&mutant, &format!("mutant {i} of {name} (seed {seed})"));
        if took > slowest.0 {
            slowest = (took, format!("mutant {i} of {name}"));
            if let Some(dump) = std::env::var_os("VPCEP_FUZZ_DUMP_SLOWEST") {
                let _ = std::fs::write(dump, &mutant);
            }
        }
        match result {
            Ok(loaded) => {
                assert!(
                    loaded.desired.is_some() != (loaded.errors() > 0),
                    "mutant {i} of {name}: a load must end in a desired state or in errors"
                );
                // The secret is sensitive in this load: no form of it may show anywhere.
                let secret = loaded.secrets.iter().any(|s| s == SECRET);
                for d in &loaded.diagnostics {
                    assert!(
                        !d.message.is_empty(),
                        "mutant {i} of {name}: an empty message"
                    );
                    let shown = vpcep::diag::render(d, false);
                    if secret && let Some(form) = shows_secret(&shown) {
                        panic!(
                            "mutant {i} of {name} (seed {seed}): a diagnostic shows `{form}`:\n{shown}\n--- mutant:\n{mutant}"
                        );
                    }
                }
                if secret {
                    secret_loads += 1;
                    if let Some(desired) = &loaded.desired {
                        for text in renderings(desired) {
                            if let Some(form) = shows_secret(&text) {
                                panic!(
                                    "mutant {i} of {name} (seed {seed}): a rendering shows `{form}`:\n{text}\n--- mutant:\n{mutant}"
                                );
                            }
                            renderings_checked += 1;
                        }
                    }
                }
                if loaded.desired.is_some() {
                    valid += 1;
                } else {
                    invalid += 1;
                }
            }
            Err(_) => panics.push(format!("mutant {i} of {name} (seed {seed})")),
        }
    }
    assert!(panics.is_empty(), "the loader panicked on: {panics:#?}");
    assert!(
        valid > 0 && invalid > 0,
        "mutants should be both valid and invalid"
    );
    format!(
        "fuzz: {mutants} mutants of {} files (seed {seed:#x}), {valid} valid, {invalid} with diagnostics, 0 panics, 0 aborts under a {} GiB cap; {secret_loads} loads with the secret, {renderings_checked} renderings without it; slowest {:.2?} ({})",
        corpus.len(),
        MEMORY_CAP >> 30,
        slowest.0,
        slowest.1
    )
}
