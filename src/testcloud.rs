//! The simulated cloud `vpcep test` runs a configuration against: every provider — `sim` or
//! `otc`, default or alias — becomes an account of one simulator store in the test's own
//! directory, with what the test file's `provider` blocks override (quotas, account).

use crate::model::{ProviderConfig, SimConfig};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// What a test file's `provider "sim"` block overrides for one provider (`alias`: `None` for
/// the default one), as `vpcep test` writes it to `providers.json`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Override {
    pub alias: Option<String>,
    pub domain_id: Option<String>,
    pub project_id: Option<String>,
    pub quota_services: Option<u32>,
    pub quota_endpoints: Option<u32>,
}

/// The overrides file in a test cloud's directory.
pub const OVERRIDES: &str = "providers.json";

/// A 32-hex ID derived from `seed` (a provider's own account when the test does not say).
fn derived_id(seed: &str) -> String {
    crate::cloud::sign::sha256_hex(seed.as_bytes())[..32].to_owned()
}

/// The simulator account of one provider under a test cloud in `dir`.
pub fn simulated(
    dir: &Path,
    provider: &ProviderConfig,
    alias: Option<&str>,
) -> Result<SimConfig, String> {
    let mut sim = match provider {
        ProviderConfig::Sim(s) => s.clone(),
        ProviderConfig::Otc(otc) => {
            // An `otc` provider's account: its project ID names it when given, else its alias.
            let seed = otc
                .project_id
                .clone()
                .unwrap_or_else(|| format!("otc {}", alias.unwrap_or("default")));
            SimConfig {
                domain_id: derived_id(&format!("domain {seed}")),
                project_id: otc
                    .project_id
                    .clone()
                    .unwrap_or_else(|| derived_id(&format!("project {seed}"))),
                ..SimConfig::default()
            }
        }
    };
    sim.path = dir.join("cloud.db");
    let overrides_path = dir.join(OVERRIDES);
    if overrides_path.exists() {
        let text = crate::fsio::read_text(&overrides_path, 1 << 20, "the test's providers")
            .map_err(|e| e.to_string())?;
        let overrides: Vec<Override> = serde_json::from_str(&text)
            .map_err(|e| format!("`{}` is damaged: {e}", overrides_path.display()))?;
        let mine = overrides
            .iter()
            .find(|o| o.alias.as_deref() == alias.map(|a| a.split_once('.').map_or(a, |(_, n)| n)));
        if let Some(o) = mine {
            if let Some(d) = &o.domain_id {
                sim.domain_id.clone_from(d);
            }
            if let Some(p) = &o.project_id {
                sim.project_id.clone_from(p);
            }
            if let Some(n) = o.quota_services {
                sim.quota_services = n;
            }
            if let Some(n) = o.quota_endpoints {
                sim.quota_endpoints = n;
            }
        }
    }
    Ok(sim)
}
