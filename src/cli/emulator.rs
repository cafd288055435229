//! `vpcep emulator`: serves the simulated cloud over the VPCEP REST API until killed.

use super::output::say;
use crate::cloud::emulator::{Emulator, EmulatorConfig};
use crate::cloud::sign::Secret;
use clap::Args;
use std::io::Write as _;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

#[derive(Debug, Args, Clone)]
pub(crate) struct EmulatorArgs {
    /// Address to listen on; port 0 picks a free port (the address is printed)
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: String,
    /// The simulator's store
    #[arg(long, default_value = ".vpcep/emulator.db")]
    data: PathBuf,
    /// Require this X-Auth-Token (otherwise any token is accepted)
    #[arg(long)]
    token: Option<String>,
    /// Accept requests signed with this access key (needs --secret-key)
    #[arg(long, requires = "secret_key")]
    access_key: Option<String>,
    /// The secret key that goes with --access-key
    #[arg(long, requires = "access_key")]
    secret_key: Option<String>,
    /// Delay added to every request, e.g. 20ms
    #[arg(long, default_value = "0s", value_parser = super::args::parse_duration)]
    latency: Duration,
    /// Probability (0 to 1) that a request fails with 500 or 429
    #[arg(long, default_value_t = 0.0)]
    error_rate: f64,
    /// Seed of the failure injection
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// How long services and endpoints stay `creating`
    #[arg(long, default_value = "0s", value_parser = super::args::parse_duration)]
    create_delay: Duration,
    /// How long deleted endpoints and services stay `deleting`
    #[arg(long, default_value = "0s", value_parser = super::args::parse_duration)]
    delete_delay: Duration,
    /// Endpoint services per account
    #[arg(long, default_value_t = 20)]
    quota_services: u32,
    /// Endpoints per account
    #[arg(long, default_value_t = 50)]
    quota_endpoints: u32,
    /// Which documented answer shapes to serve: the API reference's, the OTC SDK fixtures', or
    /// the Huawei SDK's
    #[arg(long, value_enum, default_value = "reference")]
    dialect: crate::cloud::dialect::Dialect,
    /// Serve IAM too, with the accounts, users, access keys, projects and agencies of this
    /// JSON file; every request's identity is then verified and must be allowed in the
    /// project of its path (see "Signing in" in the README)
    #[arg(long, value_name = "FILE", conflicts_with_all = ["token", "access_key"])]
    iam: Option<PathBuf>,
    /// How long IAM's tokens and temporary keys live (overrides the IAM file), e.g. 30s
    #[arg(long, requires = "iam", value_parser = super::args::parse_duration)]
    token_lifetime: Option<Duration>,
    /// Throttle each project as OTC's API gateway does: N requests per second with a burst
    /// (default N); past it, 429 with `APIGW.0308` and no `Retry-After`. E.g. `20/s,20`
    #[arg(long, value_name = "N/s[,BURST]", value_parser = crate::cloud::emulator::RateLimit::parse)]
    rate_limit: Option<crate::cloud::emulator::RateLimit>,
}

pub(crate) fn run(args: &EmulatorArgs) -> super::failure::Outcome {
    if !(0.0..=1.0).contains(&args.error_rate) {
        return Err(super::failure::fail(
            "`--error-rate` is a probability from 0 to 1",
        ));
    }
    let listener = match std::net::TcpListener::bind(&args.listen) {
        Ok(l) => l,
        Err(e) => {
            return Err(super::failure::fail(format!(
                "cannot listen on {}: {e}",
                args.listen
            )));
        }
    };
    let address = listener
        .local_addr()
        .map_or_else(|_| args.listen.clone(), |a| a.to_string());
    let iam = match &args.iam {
        Some(path) => Some(Arc::new(
            crate::cloud::emulator_iam::Directory::load(path, args.token_lifetime)
                .map_err(super::failure::fail)?,
        )),
        None => None,
    };
    let config = EmulatorConfig {
        iam,
        data: args.data.clone(),
        token: args.token.clone().map(Secret::new),
        access_key: args
            .access_key
            .clone()
            .zip(args.secret_key.clone().map(Secret::new)),
        latency: args.latency,
        error_rate: args.error_rate,
        seed: args.seed,
        create_delay: args.create_delay,
        delete_delay: args.delete_delay,
        quota_services: args.quota_services,
        quota_endpoints: args.quota_endpoints,
        dialect: args.dialect,
        rate_limit: args.rate_limit,
    };
    say!(
        "vpcep emulator listening on http://{address} (store {}) — a simulated cloud, not a real one",
        args.data.display()
    );
    let _ = std::io::stdout().flush();
    crate::cloud::httpd::serve(&listener, &Arc::new(Emulator::new(config)));
    Ok(0)
}
