//! The apply event stream: one line of text per event for people, and for tools one JSON
//! object per line in Terraform's machine-readable UI shape (`@level`, `@message`,
//! `@timestamp`, `type`, then the event's own fields), written from typed structs.

use crate::apply::Event;
use crate::diag::{Diagnostic, Severity};
use crate::plan::Action;
use serde::Serialize;
use std::time::Duration;

fn secs(d: Duration) -> String {
    format!("{}s", d.as_secs())
}

fn verbs(action: Action) -> (&'static str, &'static str, &'static str) {
    match action {
        Action::Create => ("Creating...", "creating", "Creation"),
        Action::Update => ("Modifying...", "modifying", "Modifications"),
        _ => ("Destroying...", "destroying", "Destruction"),
    }
}

/// The Terraform-style progress line of an event.
pub fn line(event: &Event) -> String {
    match event {
        Event::Start {
            address,
            action,
            id,
        } => {
            let (start, _, _) = verbs(*action);
            match (action, id) {
                (Action::Create, _) | (_, None) => format!("{address}: {start}"),
                (_, Some(id)) => format!("{address}: {start} [id={id}]"),
            }
        }
        Event::Progress {
            address,
            action,
            elapsed,
        } => {
            let (_, still, _) = verbs(*action);
            format!("{address}: Still {still}... [{} elapsed]", secs(*elapsed))
        }
        Event::Done {
            address,
            action,
            elapsed,
            id,
        } => {
            let (_, _, done) = verbs(*action);
            match (action, id) {
                (Action::Delete, _) | (_, None) => {
                    format!("{address}: {done} complete after {}", secs(*elapsed))
                }
                (_, Some(id)) => format!(
                    "{address}: {done} complete after {} [id={id}]",
                    secs(*elapsed)
                ),
            }
        }
        // A condition decided after the steps (no step of its own).
        Event::Failed {
            address,
            action: Action::NoOp,
            error,
            ..
        } => format!("{address}: {error}"),
        Event::Failed {
            address,
            action,
            elapsed,
            error,
            ..
        } => {
            let (_, _, done) = verbs(*action);
            format!("{address}: {done} failed after {}: {error}", secs(*elapsed))
        }
        Event::Skipped {
            address, reason, ..
        } => format!("{address}: Skipped, because {reason}"),
        Event::StateEdited { edit } => format!(
            "{}: {}",
            edit.address(),
            super::human::state_edit_done(edit)
        ),
        Event::Interrupted { running: 0 } => {
            "Interrupted: no step is running; stopping (Ctrl-C again exits at once)".to_owned()
        }
        Event::Interrupted { running } => format!(
            "Interrupted: waiting for {running} running step{} to finish... (Ctrl-C again exits at once)",
            if *running == 1 { "" } else { "s" }
        ),
    }
}

#[derive(Serialize)]
struct StateEditFields<'a> {
    address: String,
    change: &'a str,
}

#[derive(Serialize)]
struct InterruptedFields {
    running: usize,
}

/// One line of the JSON stream: the common fields, then `F`'s.
#[derive(Serialize)]
struct Line<'a, F: Serialize> {
    #[serde(rename = "@level")]
    level: &'a str,
    #[serde(rename = "@message")]
    message: &'a str,
    #[serde(rename = "@timestamp")]
    timestamp: String,
    #[serde(rename = "type")]
    kind: &'a str,
    #[serde(flatten)]
    fields: F,
}

/// One JSON line at `now` (RFC 3339; the caller reads the clock, so rendering stays pure).
fn json_line<F: Serialize>(now: &str, level: &str, message: &str, kind: &str, fields: F) -> String {
    let line = Line {
        level,
        message,
        timestamp: now.to_owned(),
        kind,
        fields,
    };
    // Plain structs of strings and numbers: serialising them cannot fail.
    serde_json::to_string(&line).unwrap_or_default()
}

/// The fields of a step's event (`apply_start`, `apply_progress`, `apply_complete`,
/// `apply_errored`, `apply_skipped`); absent ones are left out.
#[derive(Serialize)]
struct StepFields<'a> {
    address: String,
    action: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    elapsed_seconds: Option<f64>,
    /// `"id"`, which is `null` when the step has no ID yet (a create starting).
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    id: Option<IdField<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a str>,
    /// The API's error code of a step the cloud refused.
    #[serde(skip_serializing_if = "Option::is_none")]
    error_code: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'a str>,
}

#[derive(Serialize)]
struct IdField<'a> {
    id: Option<&'a str>,
}

/// The JSON line of an apply event.
pub fn json(event: &Event, now: &str) -> String {
    let text = line(event);
    let (level, kind, fields) = match event {
        Event::Start {
            address,
            action,
            id,
        } => (
            "info",
            "apply_start",
            StepFields {
                address: address.to_string(),
                action: action.as_str(),
                elapsed_seconds: None,
                id: Some(IdField { id: id.as_deref() }),
                error: None,
                error_code: None,
                reason: None,
            },
        ),
        Event::Progress {
            address,
            action,
            elapsed,
        } => (
            "info",
            "apply_progress",
            StepFields {
                address: address.to_string(),
                action: action.as_str(),
                elapsed_seconds: Some(elapsed.as_secs_f64()),
                id: None,
                error: None,
                error_code: None,
                reason: None,
            },
        ),
        Event::Done {
            address,
            action,
            elapsed,
            id,
        } => (
            "info",
            "apply_complete",
            StepFields {
                address: address.to_string(),
                action: action.as_str(),
                elapsed_seconds: Some(elapsed.as_secs_f64()),
                id: Some(IdField { id: id.as_deref() }),
                error: None,
                error_code: None,
                reason: None,
            },
        ),
        Event::Failed {
            address,
            action,
            elapsed,
            error,
            code,
        } => (
            "error",
            "apply_errored",
            StepFields {
                address: address.to_string(),
                action: action.as_str(),
                elapsed_seconds: Some(elapsed.as_secs_f64()),
                id: None,
                error: Some(error),
                error_code: code.as_deref(),
                reason: None,
            },
        ),
        Event::Skipped {
            address,
            action,
            reason,
        } => (
            "warn",
            "apply_skipped",
            StepFields {
                address: address.to_string(),
                action: action.as_str(),
                elapsed_seconds: None,
                id: None,
                error: None,
                error_code: None,
                reason: Some(reason),
            },
        ),
        Event::StateEdited { edit } => {
            let what = super::human::state_edit_done(edit);
            let fields = StateEditFields {
                address: edit.address().to_string(),
                change: &what,
            };
            return json_line(now, "info", &text, "state_edit", fields);
        }
        // Not a step: its own fields.
        Event::Interrupted { running } => {
            let fields = InterruptedFields { running: *running };
            return json_line(now, "warn", &text, "apply_interrupted", fields);
        }
    };
    json_line(now, level, &text, kind, fields)
}

#[derive(Serialize)]
struct PlanSummary<'a> {
    summary: serde_json::Value,
    cloud: &'a str,
    simulated: bool,
}

/// `plan_summary`: what apply is about to do, and where.
pub fn plan_summary(plan: &crate::plan::Plan, cloud: &str, simulated: bool, now: &str) -> String {
    json_line(
        now,
        "info",
        &super::human::summary_line(plan),
        "plan_summary",
        PlanSummary {
            summary: super::json::summary(plan),
            cloud,
            simulated,
        },
    )
}

/// The counts of `change_summary`.
#[derive(Debug, Serialize)]
pub struct ChangeSummary<'a> {
    pub add: usize,
    pub change: usize,
    pub remove: usize,
    pub failed: usize,
    pub skipped: usize,
    pub operation: &'a str,
    pub success: bool,
}

/// `change_summary`: what apply did.
/// What the API's request budgets saw during a run (`type: api_traffic`): requests sent,
/// those the gateway throttled (each sent again), the rate at the end and on average.
#[derive(Serialize)]
pub struct ApiTraffic {
    pub requests: u64,
    pub throttled: u64,
    pub rate: f64,
    pub average_rate: f64,
    pub elapsed_seconds: f64,
}

/// The `api_traffic` event.
pub fn api_traffic(message: &str, traffic: &ApiTraffic, now: &str) -> String {
    json_line(now, "info", message, "api_traffic", traffic)
}

pub fn change_summary(message: &str, summary: &ChangeSummary<'_>, now: &str) -> String {
    let level = if summary.success { "info" } else { "error" };
    json_line(now, level, message, "change_summary", summary)
}

/// Where a diagnostic points, in Terraform's `range` shape.
#[derive(Serialize)]
struct Range<'a> {
    filename: &'a str,
    start: Position,
}

#[derive(Serialize)]
struct Position {
    line: usize,
    column: usize,
}

#[derive(Serialize)]
struct DiagnosticFields<'a> {
    severity: &'a str,
    summary: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    code: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    api_code: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    range: Option<Range<'a>>,
}

/// `diagnostic` for an error that stopped the command, with the `code` of its kind (e.g.
/// `state_locked`) and, when the cloud stopped it, the API's `api_code`.
pub fn stopped(summary: &str, code: &str, api_code: Option<&str>, now: &str) -> String {
    diagnostic_line(
        now,
        DiagnosticFields {
            severity: "error",
            summary,
            code: Some(code),
            api_code,
            detail: None,
            range: None,
        },
    )
}

/// `diagnostic` for a problem in the configuration (an error or a warning), with where it is
/// and how to fix it.
pub fn config_diagnostic(d: &Diagnostic, now: &str) -> String {
    diagnostic_line(
        now,
        DiagnosticFields {
            severity: match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            },
            summary: &d.message,
            code: None,
            api_code: None,
            detail: d.help.as_deref(),
            range: d.location.as_ref().map(|l| Range {
                filename: &l.file,
                start: Position {
                    line: l.line,
                    column: l.column,
                },
            }),
        },
    )
}

fn diagnostic_line(now: &str, fields: DiagnosticFields<'_>) -> String {
    let level = if fields.severity == "error" {
        "error"
    } else {
        "warn"
    };
    json_line(now, level, fields.summary, "diagnostic", fields)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_interruption_is_a_line_and_a_json_event_of_its_own() {
        let event = Event::Interrupted { running: 2 };
        assert_eq!(
            line(&event),
            "Interrupted: waiting for 2 running steps to finish... (Ctrl-C again exits at once)"
        );
        let json: serde_json::Value =
            serde_json::from_str(&json(&event, "2026-12-07T12:00:00Z")).expect("JSON");
        assert_eq!(json["type"], "apply_interrupted");
        assert_eq!(json["@timestamp"], "2026-12-07T12:00:00Z");
        assert_eq!(json["@level"], "warn");
        assert_eq!(json["running"], 2);
        assert!(line(&Event::Interrupted { running: 0 }).contains("no step is running"));
    }
}
