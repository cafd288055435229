//! What the planner knows of the cloud beyond recorded state, in the model's own terms: the
//! account's quotas, its services and their connections as refresh read them (converted at
//! that boundary, so the planner never sees the cloud's API types), and the statuses of
//! services and connections as enums, so that a rule such as "accepted or creating blocks a
//! delete" is written once.

use std::fmt;

/// Usage and limits of the account in the region.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quotas {
    pub services_used: u32,
    pub services_quota: u32,
    pub endpoints_used: u32,
    pub endpoints_quota: u32,
}

/// The status of an endpoint service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServiceStatus {
    Creating,
    Available,
    Failed,
    Deleting,
    /// A status this build does not know, as the cloud wrote it.
    Other(String),
}

impl ServiceStatus {
    pub fn parse(s: &str) -> Self {
        match s {
            "creating" => Self::Creating,
            "available" => Self::Available,
            "failed" => Self::Failed,
            "deleting" => Self::Deleting,
            other => Self::Other(other.to_owned()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            Self::Creating => "creating",
            Self::Available => "available",
            Self::Failed => "failed",
            Self::Deleting => "deleting",
            Self::Other(s) => s,
        }
    }
}

impl fmt::Display for ServiceStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The status of a connection (an endpoint of some account to a service).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnectionStatus {
    PendingAcceptance,
    Creating,
    Accepted,
    Rejected,
    Failed,
    Deleting,
    /// A status this build does not know, as the cloud wrote it.
    Other(String),
}

impl ConnectionStatus {
    pub fn parse(s: &str) -> Self {
        match s {
            "pendingAcceptance" => Self::PendingAcceptance,
            "creating" => Self::Creating,
            "accepted" => Self::Accepted,
            "rejected" => Self::Rejected,
            "failed" => Self::Failed,
            "deleting" => Self::Deleting,
            other => Self::Other(other.to_owned()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            Self::PendingAcceptance => "pendingAcceptance",
            Self::Creating => "creating",
            Self::Accepted => "accepted",
            Self::Rejected => "rejected",
            Self::Failed => "failed",
            Self::Deleting => "deleting",
            Self::Other(s) => s,
        }
    }

    /// Whether the connection is live — a partner reaches the service through it — and so
    /// keeps the service from being deleted (the cloud's rule: "accepted or creating").
    pub fn blocks_delete(&self) -> bool {
        matches!(self, Self::Accepted | Self::Creating)
    }
}

impl fmt::Display for ConnectionStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A service of the account, as the rules need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceFact {
    pub id: String,
    pub status: ServiceStatus,
    pub approval_enabled: bool,
    /// The backend (`port_id`) and the `(protocol, server_port)` pairs it maps on it.
    pub port_id: String,
    pub ports: Vec<(String, u16)>,
    /// A gateway service (cloud-operated): its endpoints take route tables and a policy.
    pub gateway: bool,
    /// The accounts allowed to connect (`iam:domain::ID`, or `iam:domain::*` for all).
    pub whitelist: Vec<String>,
}

/// A connection to one of the account's services.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionFact {
    pub endpoint_id: String,
    pub domain_id: String,
    pub status: ConnectionStatus,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_read_back_as_written() {
        for s in [
            "pendingAcceptance",
            "creating",
            "accepted",
            "rejected",
            "failed",
            "deleting",
            "new",
        ] {
            assert_eq!(ConnectionStatus::parse(s).as_str(), s);
        }
        for s in ["creating", "available", "failed", "deleting", "frozen"] {
            assert_eq!(ServiceStatus::parse(s).as_str(), s);
        }
        let blocking: Vec<&str> = [
            "pendingAcceptance",
            "creating",
            "accepted",
            "rejected",
            "failed",
            "deleting",
        ]
        .into_iter()
        .filter(|s| ConnectionStatus::parse(s).blocks_delete())
        .collect();
        assert_eq!(blocking, ["creating", "accepted"]);
    }
}
