//! The `vpcep` binary: everything happens in [`vpcep::cli::run`].

/// mimalloc: loading a configuration and a state is millions of small allocations, which it
/// serves faster than the system allocator and with less memory left fragmented.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    vpcep::cli::run()
}
