//! The `vpcep` binary: everything happens in [`vpcep::cli::run`].

fn main() -> std::process::ExitCode {
    vpcep::cli::run()
}
