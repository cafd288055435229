//! No input makes the loader panic: thousands of truncated and byte-mutated versions of the
//! examples each end in a desired state or in diagnostics.

use super::harness::repo_root;
use vpcep::config::{LoadOptions, load};

/// A small deterministic generator (xorshift), so failures are reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n as u64).unwrap()
    }
}

const INTERESTING: &[&[u8]] = &[
    b"{",
    b"}",
    b"[",
    b"]",
    b"\"",
    b"${",
    b"%{",
    b"=",
    b"\n",
    b"\\",
    b"<<EOT\n",
    b"0",
    b"-",
    b".",
    b"*",
    b"var.",
    b"each.",
    b"vpcep_service.",
    b"for x in",
    b"?",
    b":",
    b"\xff",
    b"\xc3",
    b"/*",
    b"#",
];

fn mutate(rng: &mut Rng, input: &[u8]) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..=rng.below(4) {
        if out.is_empty() {
            break;
        }
        let at = rng.below(out.len());
        match rng.below(5) {
            0 => out.truncate(at),
            1 => out[at] = u8::try_from(rng.below(256)).unwrap(),
            2 => {
                let end = (at + rng.below(16)).min(out.len());
                out.drain(at..end);
            }
            3 => {
                let piece = INTERESTING[rng.below(INTERESTING.len())];
                out.splice(at..at, piece.iter().copied());
            }
            _ => {
                let from = rng.below(out.len());
                let end = (from + rng.below(40)).min(out.len());
                let copy = out[from..end].to_vec();
                out.splice(at..at, copy);
            }
        }
    }
    out
}

#[test]
fn mutated_examples_never_panic() {
    let examples = ["single-service", "partner-sharing", "fleet"];
    let dir = tempfile::tempdir().unwrap();
    let mut rng = Rng(0x5eed_cafe_f00d_d00d);
    let mut runs = 0;
    let mut valid = 0;
    for example in examples {
        let source =
            std::fs::read(repo_root().join("examples").join(example).join("main.hcl")).unwrap();
        for i in 0..1000 {
            let mutated = if i < 200 {
                // Every truncation point, spread over the file.
                source[..source.len() * i / 200].to_vec()
            } else {
                mutate(&mut rng, &source)
            };
            std::fs::write(dir.path().join("main.hcl"), &mutated).unwrap();
            let loaded = load(&LoadOptions {
                dir: dir.path().to_path_buf(),
                ..LoadOptions::default()
            });
            assert!(
                loaded.desired.is_some() != (loaded.errors() > 0),
                "a load must end in a desired state or in errors"
            );
            if loaded.desired.is_some() {
                valid += 1;
            }
            for d in &loaded.diagnostics {
                assert!(!d.message.is_empty());
                let _ = vpcep::diag::render(d, false);
            }
            runs += 1;
        }
    }
    assert_eq!(runs, 3000);
    assert!(
        valid > 0 && valid < runs,
        "mutations should produce both valid and invalid inputs ({valid}/{runs})"
    );
}
