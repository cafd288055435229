//! Golden files at every compatibility boundary: the state file, the journal, the saved plan,
//! the JSON plan, the `apply --json` stream and `show` (human and JSON), for the
//! `partner-sharing` example. A change to any of them shows as a diff here; accept an intended
//! one with `SNAPSHOTS=overwrite` (and think of the readers of the old format: the state file and
//! saved plans carry a `format_version`).
//!
//! What differs from run to run is replaced before comparing: IDs (`<id-N>`, numbered by first
//! appearance), timestamps (`<time>`), addresses and packet IDs the simulator picks (`<ip>`, `<marker>`), durations (`<seconds>`), hashes (`<sha256>`) and the
//! workspace's path (`<dir>`).

use super::harness::{Workspace, check_expected, repo_root};
use std::collections::HashMap;
use std::fmt::Write as _;
use std::time::Duration;
use vpcep::state::StateStore as _;

/// Replaces what differs between runs (see the module comment).
struct Normalizer {
    ids: HashMap<String, usize>,
    dir: String,
}

impl Normalizer {
    fn new(ws: &Workspace) -> Self {
        let dir = std::fs::canonicalize(ws.path())
            .unwrap()
            .display()
            .to_string();
        Normalizer {
            ids: HashMap::new(),
            dir,
        }
    }

    fn apply(&mut self, text: &str) -> String {
        let text = text.replace(&self.dir, "<dir>");
        let chars: Vec<char> = text.chars().collect();
        let mut out = String::with_capacity(text.len());
        let mut i = 0;
        while i < chars.len() {
            if let Some(n) = hex_run(&chars[i..], &[8, 4, 4, 4, 12]) {
                let id: String = chars[i..i + n].iter().collect();
                let next = self.ids.len() + 1;
                let k = *self.ids.entry(id).or_insert(next);
                let _ = write!(out, "<id-{k}>");
                i += n;
            } else if let Some(n) = hex_run(&chars[i..], &[64]) {
                out.push_str("<sha256>");
                i += n;
            } else if let Some(n) = ipv4(&chars[i..], i > 0 && chars[i - 1].is_ascii_digit()) {
                out.push_str("<ip>");
                i += n;
            } else if let Some(n) = timestamp(&chars[i..]) {
                out.push_str("<time>");
                i += n;
            } else if let Some((prefix, n)) = marker_field(&chars[i..]) {
                out.push_str(prefix);
                out.push_str("<marker>");
                i += n;
            } else if let Some(n) = seconds_field(&chars[i..]) {
                out.push_str("\"elapsed_seconds\":<seconds>");
                i += n;
            } else {
                out.push(chars[i]);
                i += 1;
            }
        }
        out
    }
}

/// A packet ID (made from the endpoint's random ID) as JSON or as `show` writes it: the text
/// before the number, and the length of both.
fn marker_field(s: &[char]) -> Option<(&'static str, usize)> {
    for prefix in ["\"marker_id\":", "marker ID ", "marker ID:     "] {
        let len = prefix.chars().count();
        if s.len() > len && s[..len].iter().copied().eq(prefix.chars()) {
            let digits = s[len..].iter().take_while(|c| c.is_ascii_digit()).count();
            if digits > 0 {
                return Some((prefix, len + digits));
            }
        }
    }
    None
}

/// The length of hex groups of `sizes` joined by `-` at the start of `s` (not inside a longer
/// word), if they are there.
fn hex_run(s: &[char], sizes: &[usize]) -> Option<usize> {
    let mut i = 0;
    for (k, size) in sizes.iter().enumerate() {
        if k > 0 {
            if s.get(i) != Some(&'-') {
                return None;
            }
            i += 1;
        }
        for _ in 0..*size {
            if !s.get(i)?.is_ascii_hexdigit() {
                return None;
            }
            i += 1;
        }
    }
    if s.get(i).is_some_and(char::is_ascii_alphanumeric) {
        return None;
    }
    Some(i)
}

/// An IPv4 address (four dot-separated numbers) at the start of `s`, not inside a number.
fn ipv4(s: &[char], after_digit: bool) -> Option<usize> {
    if after_digit {
        return None;
    }
    let mut i = 0;
    for part in 0..4 {
        if part > 0 {
            if s.get(i) != Some(&'.') {
                return None;
            }
            i += 1;
        }
        let start = i;
        while s.get(i).is_some_and(char::is_ascii_digit) {
            i += 1;
        }
        if i == start || i - start > 3 {
            return None;
        }
    }
    if s.get(i).is_some_and(|c| c.is_ascii_digit() || *c == '.') {
        return None;
    }
    Some(i)
}

/// `YYYY-MM-DDTHH:MM:SS` with optional fraction and `Z` at the start of `s`.
fn timestamp(s: &[char]) -> Option<usize> {
    let shape = "dddd-dd-ddTdd:dd:dd";
    for (i, c) in shape.chars().enumerate() {
        let ok = match c {
            'd' => s.get(i)?.is_ascii_digit(),
            other => *s.get(i)? == other,
        };
        if !ok {
            return None;
        }
    }
    let mut i = shape.len();
    if s.get(i) == Some(&'.') {
        i += 1;
        while s.get(i).is_some_and(char::is_ascii_digit) {
            i += 1;
        }
    }
    if s.get(i) == Some(&'Z') {
        i += 1;
    }
    Some(i)
}

/// `"elapsed_seconds":NUMBER` at the start of `s`.
fn seconds_field(s: &[char]) -> Option<usize> {
    let key: Vec<char> = "\"elapsed_seconds\":".chars().collect();
    if !s.starts_with(&key) {
        return None;
    }
    let mut i = key.len();
    while s
        .get(i)
        .is_some_and(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | '-'))
    {
        i += 1;
    }
    Some(i)
}

fn golden(name: &str, actual: &str, failures: &mut Vec<String>) {
    let path = repo_root().join("testdata/formats").join(name);
    if let Err(diff) = check_expected(&path, actual) {
        failures.push(diff);
    }
}

#[test]
fn the_formats_at_every_boundary_are_pinned() {
    let ws = Workspace::example("partner-sharing");
    let mut n = Normalizer::new(&ws);
    let mut failures = Vec::new();

    ws.expect(&["plan", "--out", "p.vpcep"], 0);
    golden("plan.vpcep", &n.apply(&ws.read("p.vpcep")), &mut failures);
    let json_plan = ws.expect(&["plan", "--format", "json"], 0);
    golden("plan.json", &n.apply(&json_plan.stdout), &mut failures);
    let shown = ws.expect(&["show", "p.vpcep"], 0);
    golden("show-plan.txt", &n.apply(&shown.stdout), &mut failures);

    let applied = ws.expect(&["apply", "--json", "--parallelism", "1", "p.vpcep"], 0);
    golden("apply.jsonl", &n.apply(&applied.stdout), &mut failures);
    golden(
        "state.json",
        &n.apply(&ws.read("vpcep.state.json")),
        &mut failures,
    );
    let show = ws.expect(&["show"], 0);
    golden("show.txt", &n.apply(&show.stdout), &mut failures);
    let show_json = ws.expect(&["show", "--format", "json"], 0);
    golden("show.json", &n.apply(&show_json.stdout), &mut failures);

    // The journal as an apply writes it: an intent, then the recorded resource.
    let state = vpcep::state::wire::decode(&ws.read("vpcep.state.json")).unwrap();
    let journal_dir = tempfile::tempdir().unwrap();
    let path = journal_dir.path().join("vpcep.state.json");
    let mut store =
        vpcep::state::local::LocalState::open(&path, Some(("test", Duration::ZERO))).unwrap();
    store.write(&vpcep::model::RecordedState::new()).unwrap();
    for r in state.resources.values() {
        store
            .record(&vpcep::model::StateChange::Pending(
                vpcep::model::PendingCreate {
                    address: r.address.clone(),
                    started_at: "2026-01-01T00:00:00Z".to_owned(),
                    identity: r.attrs.clone(),
                    provider: None,
                },
            ))
            .unwrap();
        store
            .record(&vpcep::model::StateChange::Set(r.clone()))
            .unwrap();
    }
    let journal = std::fs::read_to_string(store.journal_path()).unwrap();
    golden("journal.jsonl", &n.apply(&journal), &mut failures);

    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
