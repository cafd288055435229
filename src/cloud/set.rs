//! Several clouds at once: the default provider's and one per provider alias (another
//! account, project or region). What works on one cloud takes a [`Providers`], which one
//! cloud is too, so single-cloud callers (the simulator in tests) pass it as it is.

use super::Cloud;
use indexmap::IndexMap;

/// The cloud of each provider of a configuration.
pub trait Providers: Sync {
    /// The cloud of `provider` (`TYPE.ALIAS`; `None`: the default one). An unknown alias
    /// is the default cloud; configurations name only declared ones.
    fn cloud(&self, provider: Option<&str>) -> &dyn Cloud;
    /// Every provider, the default one first (`None`), then the aliases.
    fn each(&self) -> Vec<(Option<&str>, &dyn Cloud)>;
}

impl<T: Cloud + ?Sized> Providers for T {
    fn cloud(&self, _provider: Option<&str>) -> &dyn Cloud {
        self.as_dyn()
    }

    fn each(&self) -> Vec<(Option<&str>, &dyn Cloud)> {
        vec![(None, self.as_dyn())]
    }
}

/// The clouds a configuration's providers talk to.
pub struct Clouds {
    pub default: Box<dyn Cloud>,
    /// By `TYPE.ALIAS`, in declaration order.
    pub aliased: IndexMap<String, Box<dyn Cloud>>,
}

impl Clouds {
    /// What each cloud is, for the line a plan starts with: the default one, then each
    /// alias as `otc.partner: the VPCEP API at ...`.
    pub fn describe(&self) -> String {
        std::iter::once(self.default.describe())
            .chain(
                self.aliased
                    .iter()
                    .map(|(k, c)| format!("{k}: {}", c.describe())),
            )
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// What the request budgets of the providers' API clients have seen, added up (each
    /// budget once: aliases of one identity and project share one); `None` without any.
    pub fn traffic(&self) -> Option<super::rate::Traffic> {
        let mut seen: Vec<std::sync::Arc<super::rate::Budget>> = Vec::new();
        for cloud in std::iter::once(&self.default).chain(self.aliased.values()) {
            if let Some(b) = cloud.budget()
                && !seen.iter().any(|s| std::sync::Arc::ptr_eq(s, &b))
            {
                seen.push(b);
            }
        }
        if seen.is_empty() {
            return None;
        }
        Some(
            seen.iter()
                .map(|b| b.traffic())
                .fold(super::rate::Traffic::default(), |a, t| {
                    super::rate::Traffic {
                        requests: a.requests + t.requests,
                        throttled: a.throttled + t.throttled,
                        rate: a.rate + t.rate,
                    }
                }),
        )
    }

    /// Whether every cloud is the simulator.
    pub fn all_simulated(&self) -> bool {
        self.default.is_simulated() && self.aliased.values().all(|c| c.is_simulated())
    }
}

impl Providers for Box<dyn Cloud> {
    fn cloud(&self, _provider: Option<&str>) -> &dyn Cloud {
        self.as_ref()
    }

    fn each(&self) -> Vec<(Option<&str>, &dyn Cloud)> {
        vec![(None, self.as_ref())]
    }
}

impl Providers for Clouds {
    fn cloud(&self, provider: Option<&str>) -> &dyn Cloud {
        provider
            .and_then(|p| self.aliased.get(p))
            .map_or(self.default.as_ref(), AsRef::as_ref)
    }

    fn each(&self) -> Vec<(Option<&str>, &dyn Cloud)> {
        std::iter::once((None, self.default.as_ref()))
            .chain(
                self.aliased
                    .iter()
                    .map(|(k, c)| (Some(k.as_str()), c.as_ref())),
            )
            .collect()
    }
}
