//! Terraform's flag spellings: `-out=p.plan`, `-var 'a=b'`, `-auto-approve`, `-chdir=DIR` are
//! read as vpcep's `--out=p.plan`, `--var 'a=b'`, `--auto-approve`, `--chdir=DIR`, and
//! `-input=false` / `-lock=true`, which mean nothing here, are accepted and dropped.
//!
//! Only a single-dash word of two letters or more that is not the value of the flag before it
//! is rewritten, and nothing after `--`: `-C DIR` stays a short flag, `-` and negative numbers
//! stay values. A single-dash word that names no flag is rewritten too, so that clap's "a
//! similar argument exists" tip answers it as it answers `--outt`.

use std::ffi::OsString;

/// Terraform flags that mean nothing to vpcep: each with the only value it may have here, and
/// why another value is refused.
const ACCEPTED_NO_OPS: &[(&str, &str, &str)] = &[
    (
        "input",
        "false",
        "never asks for input except apply's confirmation (use --auto-approve)",
    ),
    (
        "lock",
        "true",
        "always locks the state (use --lock-timeout to wait for a lock)",
    ),
];

/// `args` (the program name first) with Terraform's spellings made vpcep's; an accepted no-op
/// with another value (`-lock=false`) is an error that says why.
pub(crate) fn normalize(
    args: &[OsString],
    command: &clap::Command,
) -> Result<Vec<OsString>, String> {
    let mut out = Vec::with_capacity(args.len());
    let mut takes_value_next = false;
    let mut rest_verbatim = false;
    let mut scope = command;
    for (i, arg) in args.iter().enumerate() {
        let text = arg.to_str();
        if i == 0 || rest_verbatim || takes_value_next {
            takes_value_next = false;
            out.push(arg.clone());
            continue;
        }
        let Some(text) = text else {
            out.push(arg.clone());
            continue;
        };
        if text == "--" {
            rest_verbatim = true;
            out.push(arg.clone());
            continue;
        }
        if let Some(sub) = scope.find_subcommand(text) {
            scope = sub;
            out.push(arg.clone());
            continue;
        }
        let long = match text.strip_prefix("--") {
            Some(long) => Some(long.to_owned()),
            None => terraform_spelling(text),
        };
        let Some(long) = long else {
            // A short flag (`-C DIR`), a positional argument or a value.
            takes_value_next = text.starts_with('-') && short_takes_value(scope, text);
            out.push(arg.clone());
            continue;
        };
        let (name, value) = match long.split_once('=') {
            Some((name, value)) => (name, Some(value)),
            None => (long.as_str(), None),
        };
        if let Some((_, only, why)) = ACCEPTED_NO_OPS.iter().find(|(n, ..)| *n == name) {
            if let Some(v) = value.filter(|v| v != only) {
                return Err(format!("`-{name}={v}` is not supported: vpcep {why}"));
            }
            continue;
        }
        takes_value_next = value.is_none() && long_takes_value(scope, command, name);
        out.push(OsString::from(format!("--{long}")));
    }
    Ok(out)
}

/// `-name` or `-name=value` as `name` or `name=value`, when it is a word of two letters or
/// more (not a short flag, a negative number, or `-`).
fn terraform_spelling(text: &str) -> Option<String> {
    let word = text.strip_prefix('-')?;
    let name = word.split('=').next().unwrap_or_default();
    let is_word = name.len() >= 2
        && name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    is_word.then(|| word.to_owned())
}

/// Whether the long flag `name` of `scope` (or a global one of `root`) takes a value given
/// as the next argument.
fn long_takes_value(scope: &clap::Command, root: &clap::Command, name: &str) -> bool {
    let find = |c: &clap::Command| {
        c.get_arguments()
            .find(|a| a.get_long() == Some(name))
            .map(takes_separate_value)
    };
    find(scope).or_else(|| find(root)).unwrap_or(false)
}

/// Whether a short flag such as `-C` takes the next argument as its value.
fn short_takes_value(scope: &clap::Command, text: &str) -> bool {
    let mut letters = text.chars().skip(1);
    let (Some(letter), None) = (letters.next(), letters.next()) else {
        return false;
    };
    scope
        .get_arguments()
        .find(|a| a.get_short() == Some(letter))
        .is_some_and(takes_separate_value)
}

/// Whether `arg` takes the next argument as its value whatever it looks like. A flag whose
/// value is optional (`graph --plan [FILE]`) takes it only if it is not a flag itself, so a
/// word after it is left for the loop to read (and `-refresh=false` is still rewritten).
fn takes_separate_value(arg: &clap::Arg) -> bool {
    let optional = arg.get_num_args().is_some_and(|n| n.min_values() == 0);
    arg.get_action().takes_values() && !arg.is_require_equals_set() && !optional
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory as _;

    fn normalized(args: &[&str]) -> Result<Vec<String>, String> {
        let args: Vec<OsString> = std::iter::once("vpcep")
            .chain(args.iter().copied())
            .map(OsString::from)
            .collect();
        let out = normalize(&args, &super::super::args::Cli::command())?;
        Ok(out[1..]
            .iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect())
    }

    #[test]
    fn terraform_spellings_become_vpceps() {
        assert_eq!(
            normalized(&[
                "-chdir=infra",
                "plan",
                "-out=p.plan",
                "-var",
                "-x=1",
                "-refresh=false",
                "-input=false",
                "-lock=true",
                "-lock-timeout=60s",
                "-no-color",
            ]),
            Ok(vec![
                "--chdir=infra".to_owned(),
                "plan".to_owned(),
                "--out=p.plan".to_owned(),
                "--var".to_owned(),
                // The value of `-var`, however it looks, stays as it is.
                "-x=1".to_owned(),
                "--refresh=false".to_owned(),
                "--lock-timeout=60s".to_owned(),
                "--no-color".to_owned(),
            ])
        );
    }

    #[test]
    fn short_flags_values_and_what_follows_two_dashes_stay() {
        assert_eq!(
            normalized(&["-C", "-dir", "import", "vpcep_service.a", "--", "-id"]),
            Ok(["-C", "-dir", "import", "vpcep_service.a", "--", "-id"]
                .map(str::to_owned)
                .to_vec())
        );
        assert_eq!(
            normalized(&["apply", "-parallelism", "-5", "-"]),
            Ok(["apply", "--parallelism", "-5", "-"]
                .map(str::to_owned)
                .to_vec())
        );
    }

    /// A flag whose value is optional does not swallow the flag after it.
    #[test]
    fn a_flag_with_an_optional_value_leaves_the_next_flag_a_flag() {
        assert_eq!(
            normalized(&["graph", "-plan", "-refresh=false", "-format=mermaid"]),
            Ok(["graph", "--plan", "--refresh=false", "--format=mermaid"]
                .map(str::to_owned)
                .to_vec())
        );
        assert_eq!(
            normalized(&["graph", "-plan", "p.plan", "-format", "dot"]),
            Ok(["graph", "--plan", "p.plan", "--format", "dot"]
                .map(str::to_owned)
                .to_vec())
        );
    }

    #[test]
    fn a_no_op_with_a_meaningful_value_is_refused() {
        let err = normalized(&["plan", "-lock=false"]).expect_err("refused");
        assert!(err.contains("always locks"), "{err}");
        let err = normalized(&["apply", "-input=true"]).expect_err("refused");
        assert!(err.contains("--auto-approve"), "{err}");
    }
}
