//! What vpcep says about itself: `version [--json]`, shell completions and the man page, the
//! last two generated from the command-line definition so that they cannot drift from it.

use super::failure::Outcome;
use super::output::say;

/// `vpcep version`: vpcep's version, the platform, and the versions of the formats it writes.
pub(crate) fn version(json: bool) -> u8 {
    let platform = format!("{}_{}", std::env::consts::OS, arch());
    if json {
        let doc = serde_json::json!({
            "vpcep_version": env!("CARGO_PKG_VERSION"),
            "platform": platform,
            "state_format_version": crate::state::wire::FORMAT_VERSION,
            "plan_file_format_version": crate::planfile::FORMAT_VERSION,
            "json_plan_format_version": crate::render::json::FORMAT_VERSION,
        });
        say!("{doc}");
    } else {
        say!("vpcep v{}\non {platform}", env!("CARGO_PKG_VERSION"));
    }
    0
}

/// Terraform's names of the machine's architecture (`amd64`, `arm64`, ...).
fn arch() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" => "386",
        other => other,
    }
}

/// `vpcep completions SHELL`: a completion script for SHELL on standard output.
pub(crate) fn completions(shell: clap_complete::Shell) -> u8 {
    let mut command = <super::args::Cli as clap::CommandFactory>::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut command, "vpcep", &mut out);
    super::output::stdout_unredacted(&String::from_utf8_lossy(&out));
    0
}

/// `vpcep man`: the man page (roff) on standard output, e.g. `vpcep man > vpcep.1`.
pub(crate) fn man() -> Outcome {
    let command = <super::args::Cli as clap::CommandFactory>::command();
    let mut out = Vec::new();
    clap_mangen::Man::new(command)
        .render(&mut out)
        .map_err(|e| super::failure::fail(format!("writing the man page: {e}")))?;
    super::output::stdout_unredacted(&String::from_utf8_lossy(&out));
    Ok(0)
}
