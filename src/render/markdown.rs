//! The plan as a pull-request comment: the summary line first, refusals first and loud, a table
//! of changed resources, and each change in a collapsible `<details>` block with a `diff` code
//! block (symbols moved to column 0, `~` shown as `!`, so GitHub colours them). Stays short for
//! large plans: at most [`MAX_DETAILS`] blocks and about [`MAX_CHARS`] characters.

use super::human::{change_diff, refusal_lines, summary_line};
use crate::plan::{Action, Plan};
use std::fmt::Write as _;

/// Most changes shown in detail; the table still lists every change.
pub const MAX_DETAILS: usize = 50;
/// A budget well under GitHub's 65,536-character comment limit.
pub const MAX_CHARS: usize = 60_000;
/// Most table rows.
pub const MAX_ROWS: usize = 200;

fn action_cell(a: Action) -> &'static str {
    match a {
        Action::Create => "➕ create",
        Action::Update => "✏️ update",
        Action::Delete => "🗑️ delete",
        Action::Replace => "♻️ replace",
        Action::NoOp => "no-op",
    }
}

fn escape_cell(s: &str) -> String {
    s.replace('|', "\\|")
}

pub fn render_plan(plan: &Plan, cloud: &str) -> String {
    let mut out = String::new();
    let title = if plan.is_refused() {
        format!("❌ **Refused** — {}", summary_line(plan))
    } else {
        summary_line(plan)
    };
    let _ = writeln!(out, "### vpcep plan: {title}\n");
    let _ = writeln!(out, "<sub>Against {cloud}.</sub>\n");
    if plan.is_refused() {
        let n = plan.refusals.len();
        let _ = writeln!(out, "> [!CAUTION]");
        let _ = writeln!(
            out,
            "> **This plan breaks {n} rule{} of the cloud and cannot be applied.**",
            if n == 1 { "" } else { "s" }
        );
        let _ = writeln!(out, ">");
        for r in refusal_lines(plan) {
            let mut lines = r.lines();
            if let Some(first) = lines.next() {
                let _ = writeln!(out, "> - **{first}**");
            }
            for l in lines {
                let _ = writeln!(out, ">   {}", l.trim_start());
            }
        }
        out.push('\n');
    }
    if !plan.disconnections.is_empty() {
        let n = plan.disconnections.len();
        let _ = writeln!(out, "> [!IMPORTANT]");
        let _ = writeln!(
            out,
            "> **This plan cuts {n} connection{}:**",
            if n == 1 { "" } else { "s" }
        );
        for line in super::human::disconnection_lines(plan) {
            let _ = writeln!(out, "> - {line}");
        }
        out.push('\n');
    }
    for w in &plan.warnings {
        let _ = writeln!(out, "> [!WARNING]\n> {w}\n");
    }
    if !plan.drift.is_empty() {
        let _ = writeln!(
            out,
            "**Note: {} resource{} changed outside of vpcep** (the plan below brings them back):\n",
            plan.drift.len(),
            if plan.drift.len() == 1 { "" } else { "s" }
        );
        for d in &plan.drift {
            let what = match d {
                crate::plan::Drift::Changed { attrs, .. } => {
                    format!("changed: {}", attrs.join(", "))
                }
                crate::plan::Drift::Deleted { .. } => "deleted".to_owned(),
            };
            let _ = writeln!(out, "- `{}` {what}", d.address());
        }
        out.push('\n');
    }
    for n in &plan.notes {
        let _ = writeln!(out, "- {n}");
    }
    if !plan.notes.is_empty() {
        out.push('\n');
    }
    let changes: Vec<_> = plan.actions().collect();
    if changes.is_empty() {
        return out;
    }
    let _ = writeln!(out, "| Resource | Action | Changed attributes |");
    let _ = writeln!(out, "|---|---|---|");
    for c in changes.iter().take(MAX_ROWS) {
        let attributes = if c.changed.is_empty() {
            String::new()
        } else {
            escape_cell(&c.changed.join(", "))
        };
        let _ = writeln!(
            out,
            "| `{}` | {} | {attributes} |",
            c.address,
            action_cell(c.action)
        );
    }
    if changes.len() > MAX_ROWS {
        let _ = writeln!(out, "| … | {} more | |", changes.len() - MAX_ROWS);
    }
    out.push('\n');
    let mut shown = 0;
    for c in &changes {
        let block = format!(
            "<details><summary><code>{}</code> — {}</summary>\n\n```diff\n{}\n```\n\n</details>\n\n",
            c.address,
            action_cell(c.action),
            change_diff(c).trim_end()
        );
        if shown >= MAX_DETAILS || out.len() + block.len() > MAX_CHARS {
            break;
        }
        out.push_str(&block);
        shown += 1;
    }
    if shown < changes.len() {
        let _ = writeln!(
            out,
            "_{} more change{} not shown in detail; run `vpcep plan` or `vpcep show PLANFILE` for the full plan._\n",
            changes.len() - shown,
            if changes.len() - shown == 1 { "" } else { "s" }
        );
    }
    if plan.deletes_anything() && !plan.is_refused() {
        let _ = writeln!(out, "⚠️ Deleted resources cannot be recovered.");
    }
    out
}
