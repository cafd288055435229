//! The `vpcep` binary: everything happens in [`vpcep::cli::run`].

/// mimalloc: loading a configuration and a state is millions of small allocations, which it
/// serves faster than the system allocator and with less memory left fragmented. Its v2
/// series (the `v2` feature): for the same work, v3 held a quarter more memory (a plan of
/// 10,000 services peaked at 122 MiB against 98 MiB, in the same time).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    vpcep::cli::run()
}
