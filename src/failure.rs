//! Why a command stopped, as a value with a kind: [`Failure`] carries the sentence a person
//! reads, the diagnostics that led to it, and a [`Kind`] whose [`Kind::code`] tools read
//! (`apply --json`'s last `diagnostic` event) and tests match.

use crate::diag::Diagnostic;

/// What kind of stop a failure is. Each has a stable `code`; every kind exits 1 (exit code 2
/// is only `plan --detailed-exitcode`'s "there are changes", 130 a second interrupt).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// What was asked cannot be done as given: flags that do not go together, a file that
    /// cannot be read or written, an address that names nothing. The default.
    Usage,
    /// The configuration has errors (its diagnostics come first).
    ConfigurationInvalid,
    /// Another command holds the state's lock.
    StateLocked,
    /// The state changed under this command (serial or lineage).
    StateConflict,
    /// The state cannot be read as a state.
    StateDamaged,
    /// The state was written by a newer vpcep, or asks for what this one does not do.
    StateUnsupported,
    /// The backend cannot be reached.
    StateUnavailable,
    /// The cloud did not answer.
    CloudUnreachable,
    /// The cloud refused the sign-in or the permission (401/403).
    CloudDenied,
    /// The API gateway kept throttling past `--throttle-timeout`.
    CloudThrottled,
    /// The API said no ([`Failure::api_code`] has its code).
    CloudRefused,
    /// A refresh would forget what the state records (the wrong account or project).
    RefreshGuard,
    /// A refresh found more than one cloud object where the state records one.
    RefreshAmbiguous,
    /// The plan breaks a rule of the cloud; nothing was changed.
    PlanRefused,
    /// A saved plan no longer matches the state or the configuration.
    PlanStale,
    /// A bug in vpcep.
    Internal,
}

impl Kind {
    /// The stable code tools read.
    pub fn code(self) -> &'static str {
        match self {
            Kind::Usage => "usage",
            Kind::ConfigurationInvalid => "configuration_invalid",
            Kind::StateLocked => "state_locked",
            Kind::StateConflict => "state_conflict",
            Kind::StateDamaged => "state_damaged",
            Kind::StateUnsupported => "state_unsupported",
            Kind::StateUnavailable => "state_unavailable",
            Kind::CloudUnreachable => "cloud_unreachable",
            Kind::CloudDenied => "cloud_denied",
            Kind::CloudThrottled => "cloud_throttled",
            Kind::CloudRefused => "cloud_refused",
            Kind::RefreshGuard => "refresh_guard",
            Kind::RefreshAmbiguous => "refresh_ambiguous",
            Kind::PlanRefused => "plan_refused",
            Kind::PlanStale => "plan_stale",
            Kind::Internal => "internal",
        }
    }

    /// Every kind, for documentation and tests.
    pub const ALL: [Kind; 16] = [
        Kind::Usage,
        Kind::ConfigurationInvalid,
        Kind::StateLocked,
        Kind::StateConflict,
        Kind::StateDamaged,
        Kind::StateUnsupported,
        Kind::StateUnavailable,
        Kind::CloudUnreachable,
        Kind::CloudDenied,
        Kind::CloudThrottled,
        Kind::CloudRefused,
        Kind::RefreshGuard,
        Kind::RefreshAmbiguous,
        Kind::PlanRefused,
        Kind::PlanStale,
        Kind::Internal,
    ];

    /// The kind of stop a state error is.
    pub fn of_state(kind: crate::state::StateErrorKind) -> Kind {
        use crate::state::StateErrorKind as K;
        match kind {
            K::Locked => Kind::StateLocked,
            K::Conflict => Kind::StateConflict,
            K::Damaged => Kind::StateDamaged,
            K::Unsupported => Kind::StateUnsupported,
            K::Unavailable => Kind::StateUnavailable,
            K::Internal => Kind::Internal,
        }
    }

    /// The kind of stop a cloud error is: unreachable (no answer), throttled (the gateway's
    /// rate limit, after every retry), denied (401/403), else refused.
    pub fn of_cloud(e: &crate::cloud::CloudError) -> Kind {
        if e.status == 0 {
            Kind::CloudUnreachable
        } else if e.is_throttle() {
            Kind::CloudThrottled
        } else if e.status == 401 || e.status == 403 {
            Kind::CloudDenied
        } else {
            Kind::CloudRefused
        }
    }
}

/// Why a command stopped before its end.
#[derive(Debug)]
pub struct Failure {
    /// One line saying what went wrong and, where it helps, how to fix it.
    pub message: String,
    /// Problems in the configuration that led to it, shown first.
    pub diagnostics: Vec<Diagnostic>,
    /// What kind of stop it is.
    pub kind: Kind,
    /// For a stop the cloud caused, the API's error code (`EndPoint.3006`).
    pub api_code: Option<String>,
}

impl From<crate::state::StateError> for Failure {
    fn from(e: crate::state::StateError) -> Self {
        let kind = Kind::of_state(e.kind);
        fail(e.message).with_kind(kind)
    }
}

impl Failure {
    /// The diagnostics that led to this failure.
    #[must_use]
    pub fn with_diagnostics(mut self, diagnostics: Vec<Diagnostic>) -> Self {
        self.diagnostics = diagnostics;
        self
    }

    /// The kind of stop.
    #[must_use]
    pub fn with_kind(mut self, kind: Kind) -> Self {
        self.kind = kind;
        self
    }

    /// The stable code of its kind, for tools.
    pub fn code(&self) -> &'static str {
        self.kind.code()
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// A failure with `message`, of kind [`Kind::Usage`] until told otherwise.
pub fn fail(message: impl std::fmt::Display) -> Failure {
    Failure {
        message: message.to_string(),
        diagnostics: Vec::new(),
        kind: Kind::Usage,
        api_code: None,
    }
}

/// `what` failed in the cloud: the failure has the cloud error's kind and API code.
pub fn cloud(what: &str, e: &crate::cloud::CloudError) -> Failure {
    let mut failure = fail(format!("{what}: {e}")).with_kind(Kind::of_cloud(e));
    if !e.code.is_empty() {
        failure.api_code = Some(e.code.clone());
    }
    failure
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_distinct_and_snake_case() {
        let mut seen = std::collections::HashSet::new();
        for kind in Kind::ALL {
            let code = kind.code();
            assert!(seen.insert(code), "{code} twice");
            assert!(
                code.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                "{code}"
            );
        }
    }

    #[test]
    fn cloud_errors_have_their_kind_and_code() {
        use crate::cloud::CloudError;
        let cases = [
            (
                CloudError::new(0, "", "connection refused"),
                Kind::CloudUnreachable,
                None,
            ),
            (
                CloudError::new(429, "APIGW.0308", "slow down"),
                Kind::CloudThrottled,
                Some("APIGW.0308"),
            ),
            (
                CloudError::new(403, "EndPoint.0001", "no"),
                Kind::CloudDenied,
                Some("EndPoint.0001"),
            ),
            (
                CloudError::new(400, "EndPoint.3006", "bad"),
                Kind::CloudRefused,
                Some("EndPoint.3006"),
            ),
        ];
        for (e, kind, code) in cases {
            let f = cloud("reading", &e);
            assert_eq!((f.kind, f.api_code.as_deref()), (kind, code), "{e}");
        }
    }
}
