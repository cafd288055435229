//! The plan as pull-request comments, written for GitHub's renderer: a heading that names the
//! configuration directory and the state, refusals with their details in code blocks (so the
//! `-`/`+` of port mappings stay text, not bullets), a table of every change with refused rows
//! marked and why each replacement happens, a mermaid graph of the changes, and each change's
//! diff (changed attributes only, the full diff folded below it). Nothing is truncated: a plan
//! longer than GitHub's comment limit becomes several numbered comments.

use super::human::{change_diffs, summary_line};
use crate::model::schema::{Mutability, schema};
use crate::plan::{Action, Plan, Refusal, ResourceChange};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// GitHub's limit for one comment, in characters.
pub const COMMENT_LIMIT: usize = 65_536;

/// Room left in every comment for its heading and part number.
const HEADING_ROOM: usize = 1_024;

/// Most changes drawn as a graph: beyond that a graph says less than the table.
pub const MAX_GRAPH: usize = 40;

/// Where the plan is from, for the heading.
pub struct Context<'a> {
    /// The configuration directory as a reviewer knows it (relative to the repository).
    pub dir: &'a str,
    /// The state's backend, e.g. `vpcep.state.json` or a pg description.
    pub backend: &'a str,
    /// The cloud the plan was made against.
    pub cloud: &'a str,
}

fn action_cell(a: Action) -> &'static str {
    match a {
        Action::Create => "➕ create",
        Action::Update => "✏️ update",
        Action::Delete => "🗑️ delete",
        Action::Replace => "♻️ replace",
        Action::NoOp => "no-op",
    }
}

/// Text for a table cell: pipes escaped, line breaks as spaces.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// Text inside inline code: backticks cannot be escaped there, so they become quotes.
fn code(s: &str) -> String {
    format!("`{}`", s.replace('`', "'"))
}

/// A fenced code block whose fence no line of `body` can close.
fn fenced(lang: &str, body: &str) -> String {
    let longest = body
        .lines()
        .map(|l| l.trim_start().chars().take_while(|&c| c == '`').count())
        .max()
        .unwrap_or(0);
    let fence = "`".repeat(longest.max(2) + 1);
    format!("{fence}{lang}\n{}\n{fence}\n", body.trim_end_matches('\n'))
}

/// One piece of a comment, and how it may be cut when it does not fit in one.
enum Section {
    /// Paragraphs, cut only between lines.
    Text(String),
    /// A table: cut between rows, the header repeated.
    Table { header: String, rows: Vec<String> },
    /// A folded diff: cut between lines into several folded blocks.
    Details {
        summary: String,
        lang: &'static str,
        body: String,
        full: Option<String>,
    },
}

/// The plan as one or more comments, each within [`COMMENT_LIMIT`] characters.
pub fn render_plan(plan: &Plan, cx: &Context<'_>) -> Vec<String> {
    let sections = sections(plan);
    let budget = COMMENT_LIMIT - HEADING_ROOM - cx.dir.len().min(COMMENT_LIMIT / 4);
    let bodies = pack(&sections, budget);
    let n = bodies.len();
    let title = if plan.is_refused() {
        format!("❌ **Refused** — {}", summary_line(plan))
    } else {
        summary_line(plan)
    };
    bodies
        .into_iter()
        .enumerate()
        .map(|(i, body)| {
            let part = if n == 1 {
                String::new()
            } else {
                format!(" (comment {} of {n})", i + 1)
            };
            let mut out = format!("### vpcep plan in {}{part}: {title}\n\n", code(cx.dir));
            if i == 0 {
                let _ = writeln!(
                    out,
                    "<sub>State: {} · against {}.</sub>\n",
                    code(cx.backend),
                    cx.cloud
                );
            }
            out.push_str(&body);
            out
        })
        .collect()
}

/// The sections of the comment, in order.
fn sections(plan: &Plan) -> Vec<Section> {
    let mut out = Vec::new();
    let refused_at: BTreeMap<&crate::model::Address, &Refusal> = plan
        .refusals
        .iter()
        .filter_map(|r| r.address.as_ref().map(|a| (a, r)))
        .collect();
    if plan.is_refused() {
        out.push(Section::Text(refusals(plan)));
    }
    out.extend(notices(plan).into_iter().map(Section::Text));
    // Every change, and every resource a refusal is about even if it does not change.
    let changes: Vec<&ResourceChange> = plan
        .changes
        .iter()
        .filter(|c| c.action != Action::NoOp || refused_at.contains_key(&c.address))
        .collect();
    let outputs = (!plan.output_changes.is_empty() && !plan.refresh_only).then(|| {
        Section::Text(format!(
            "**Changes to Outputs**\n\n{}\n",
            fenced(
                "diff",
                &super::human::output_change_lines(&plan.output_changes).join("\n")
            )
        ))
    });
    if changes.is_empty() && plan.reads.is_empty() {
        out.extend(outputs);
        return out;
    }
    let reads = plan.reads.iter().map(|r| {
        format!(
            "| {} | 📖 read during apply |  | its arguments are known only after apply |\n",
            code(&r.address.to_string())
        )
    });
    out.push(Section::Table {
        header: "| Resource | Action | Changed attributes | Why |\n|---|---|---|---|\n".to_owned(),
        rows: reads
            .chain(changes.iter().map(|c| row(c, refused_at.get(&c.address))))
            .collect(),
    });
    if changes.len() > 1 {
        out.push(Section::Text(graph(plan, changes.len())));
    }
    for c in &changes {
        let (body, full) = change_diffs(c);
        let refused = if refused_at.contains_key(&c.address) {
            " — ⛔ refused"
        } else {
            ""
        };
        out.push(Section::Details {
            summary: format!(
                "<code>{}</code> — {}{refused}",
                html(&c.address.to_string()),
                action_cell(c.action)
            ),
            lang: "diff",
            body,
            full,
        });
    }
    out.extend(outputs);
    if plan.deletes_anything() && !plan.is_refused() {
        out.push(Section::Text(
            "⚠️ Deleted resources cannot be recovered.\n".to_owned(),
        ));
    }
    out
}

/// What the comment says before the changes: disconnections, warnings, connection requests,
/// quota headroom (refresh-only), drift, notes and state-only edits, each a block of its own.
fn notices(plan: &Plan) -> Vec<String> {
    let mut out = Vec::new();
    if !plan.disconnections.is_empty() {
        let n = plan.disconnections.len();
        let mut text = format!(
            "> [!IMPORTANT]\n> **This plan cuts {n} connection{}:**\n",
            if n == 1 { "" } else { "s" }
        );
        for line in super::human::disconnection_lines(plan) {
            let _ = writeln!(text, "> - {line}");
        }
        text.push('\n');
        out.push(text);
    }
    let failed_checks = plan
        .checks
        .iter()
        .filter_map(crate::model::CheckResult::warning);
    for w in plan.warnings.iter().cloned().chain(failed_checks) {
        out.push(format!("> [!WARNING]\n> {w}\n\n"));
    }
    if !plan.connection_requests.is_empty() {
        let mut text = format!(
            "> [!NOTE]\n> **{}**\n",
            super::human::connection_heading(&plan.connection_requests)
        );
        for c in &plan.connection_requests {
            let _ = writeln!(text, "> - {}", super::human::connection_line(c));
        }
        text.push('\n');
        out.push(text);
    }
    if plan.refresh_only && !plan.headroom.is_empty() {
        let mut text = "**Quota headroom:**\n\n".to_owned();
        for h in &plan.headroom {
            let _ = writeln!(text, "- {}", h.describe());
        }
        text.push('\n');
        out.push(text);
    }
    if !plan.drift.is_empty() {
        let mut text = format!(
            "**Note: {} resource{} changed outside of vpcep** ({}):\n\n",
            plan.drift.len(),
            if plan.drift.len() == 1 { "" } else { "s" },
            if plan.refresh_only {
                "a refresh-only plan: applying it records this in the state and changes nothing in the cloud"
            } else {
                "the plan below brings them back"
            }
        );
        for d in &plan.drift {
            let what = match d {
                crate::plan::Drift::Changed { attrs, .. } => {
                    format!("changed: {}", attrs.join(", "))
                }
                crate::plan::Drift::Deleted { .. } => "deleted".to_owned(),
            };
            let _ = writeln!(text, "- {} {what}", code(&d.address().to_string()));
        }
        text.push('\n');
        out.push(text);
    }
    if !plan.notes.is_empty() {
        let mut text = String::new();
        for n in &plan.notes {
            let _ = writeln!(text, "- {n}");
        }
        text.push('\n');
        out.push(text);
    }
    if !plan.state_edits.is_empty() {
        let mut text = "**State only** (no cloud change):\n\n".to_owned();
        for e in &plan.state_edits {
            let line = super::human::state_edit_line(e);
            let _ = writeln!(text, "- {}", line.trim_start_matches("# "));
        }
        text.push('\n');
        out.push(text);
    }
    out
}

/// The refusals, loud: what each rule says and its details in a code block.
fn refusals(plan: &Plan) -> String {
    let n = plan.refusals.len();
    let mut text = format!(
        "> [!CAUTION]\n> **This plan breaks {n} rule{} of the cloud and cannot be applied.**\n\n",
        if n == 1 { "" } else { "s" }
    );
    for r in &plan.refusals {
        let _ = writeln!(text, "⛔ **{}**\n", r.message);
        if !r.details.is_empty() {
            let details: Vec<&str> = r.details.iter().map(|d| d.trim()).collect();
            text.push_str(&fenced("diff", &details.join("\n")));
            text.push('\n');
        }
        if let Some(h) = &r.help {
            let _ = writeln!(text, "_How to fix:_ {h}\n");
        }
    }
    text
}

/// One table row: the refused ones marked, and why a replacement happens.
fn row(c: &ResourceChange, refusal: Option<&&Refusal>) -> String {
    let changed = cell(&c.changed.join(", "));
    let mut why = Vec::new();
    if let Some(provider) = &c.provider {
        why.push(format!("with provider {}", code(provider)));
    }
    if let Some(r) = refusal {
        why.push(format!("⛔ **refused**: {}", cell(&r.message)));
    }
    if c.action == Action::Replace {
        let rtype = c.address.rtype();
        let forcing: Vec<String> = c
            .changed
            .iter()
            .filter(|n| schema(rtype).mutability(n) != Mutability::InPlace)
            .map(|n| code(n))
            .collect();
        if !forcing.is_empty() {
            why.push(format!("{} cannot change in place", forcing.join(", ")));
        }
    }
    if let Some(reason) = &c.reason {
        why.push(cell(reason));
    }
    let action = if refusal.is_some() {
        format!("⛔ {}", action_cell(c.action))
    } else {
        action_cell(c.action).to_owned()
    };
    format!(
        "| {} | {action} | {changed} | {} |\n",
        code(&c.address.to_string()),
        why.join("; ")
    )
}

/// The changes as a mermaid graph, or a line saying why it is left out.
fn graph(plan: &Plan, changes: usize) -> String {
    if changes > MAX_GRAPH {
        return format!(
            "_{changes} changes are too many to draw here; `vpcep graph --plan` draws them all._\n\n"
        );
    }
    format!(
        "**Order of the changes** (each arrow: what is done first → what waits for it)\n\n{}\n",
        fenced(
            "mermaid",
            &super::graph::mermaid(&super::graph::of_plan(plan))
        )
    )
}

/// Text for HTML (inside `<summary>`).
fn html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Renders the sections into comment bodies of at most `budget` bytes each (a byte count is
/// never less than the character count GitHub limits). A section that does not fit in a
/// comment of its own is cut where its kind allows.
fn pack(sections: &[Section], budget: usize) -> Vec<String> {
    let mut bodies = vec![String::new()];
    let mut put = |piece: String| {
        let current = bodies.last_mut().expect("one body at least");
        if !current.is_empty() && current.len() + piece.len() > budget {
            bodies.push(String::new());
        }
        bodies
            .last_mut()
            .expect("one body at least")
            .push_str(&piece);
    };
    for section in sections {
        for piece in pieces(section, budget) {
            put(piece);
        }
    }
    bodies
}

/// A section as pieces of at most `budget` bytes each.
fn pieces(section: &Section, budget: usize) -> Vec<String> {
    match section {
        Section::Text(text) => cut_lines(text, budget),
        Section::Table { header, rows } => {
            let mut out = Vec::new();
            let mut current = header.clone();
            for row in rows {
                let row = if header.len() + row.len() > budget {
                    // A row too long for a comment (never in practice): cut its text.
                    format!("{}…|\n", &row[..floor(row, budget - header.len() - 8)])
                } else {
                    row.clone()
                };
                if current.len() + row.len() > budget {
                    out.push(std::mem::replace(&mut current, header.clone()) + "\n");
                }
                current.push_str(&row);
            }
            out.push(current + "\n");
            out
        }
        Section::Details {
            summary,
            lang,
            body,
            full,
        } => {
            let folded = |summary: &str, body: &str, inner: &str| {
                format!(
                    "<details><summary>{summary}</summary>\n\n{}\n{inner}</details>\n\n",
                    fenced(lang, body)
                )
            };
            let inner = full.as_ref().map_or_else(String::new, |f| {
                folded("Full diff (unchanged attributes too)", f, "")
            });
            let whole = folded(summary, body, &inner);
            if whole.len() <= budget {
                return vec![whole];
            }
            // Too long for one comment: the diff continues in further folded blocks, and the
            // full diff (which repeats it) is left to `vpcep show`.
            let room = budget - summary.len() - 200;
            let parts = cut_lines(body, room);
            let n = parts.len();
            parts
                .iter()
                .enumerate()
                .map(|(i, part)| folded(&format!("{summary} (part {} of {n})", i + 1), part, ""))
                .collect()
        }
    }
}

/// `text` cut between lines into pieces of at most `budget` bytes (a longer line is cut
/// too, at a character boundary).
fn cut_lines(text: &str, budget: usize) -> Vec<String> {
    let room = budget.max(64);
    let mut out = Vec::new();
    let mut current = String::new();
    for line in text.split_inclusive('\n') {
        let mut line = line;
        while line.len() > room {
            let at = floor(line, room);
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            out.push(format!("{}\n", &line[..at]));
            line = &line[at..];
        }
        if current.len() + line.len() > room {
            out.push(std::mem::take(&mut current));
        }
        current.push_str(line);
    }
    if !current.is_empty() || out.is_empty() {
        out.push(current);
    }
    out
}

/// The largest character boundary of `s` at or below `at`.
fn floor(s: &str, at: usize) -> usize {
    let mut at = at.min(s.len());
    while !s.is_char_boundary(at) {
        at -= 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_diff_longer_than_a_comment_continues_in_numbered_folds() {
        let mut body = String::new();
        for i in 0..5_000 {
            let _ = writeln!(body, "+ whitelist entry number {i:05} of a very long list");
        }
        let section = Section::Details {
            summary: "<code>vpcep_service.big</code> — ✏️ update".to_owned(),
            lang: "diff",
            body: body.clone(),
            full: Some(body.clone()),
        };
        let budget = 60_000;
        let parts = pieces(&section, budget);
        assert!(parts.len() > 3, "{}", parts.len());
        let mut lines = 0;
        for (i, p) in parts.iter().enumerate() {
            assert!(p.len() <= budget, "piece {i} is {}", p.len());
            assert!(p.contains(&format!("(part {} of {})", i + 1, parts.len())));
            assert_eq!(p.matches("```").count(), 2);
            lines += p.lines().filter(|l| l.starts_with("+ whitelist")).count();
        }
        assert_eq!(lines, 5_000, "every line is in one piece");
        let bodies = pack(&[section], budget);
        assert!(bodies.iter().all(|b| b.len() <= budget));
    }

    #[test]
    fn a_fence_is_longer_than_any_backticks_inside() {
        assert_eq!(
            fenced("diff", "a ``` b\n```\n"),
            "````diff\na ``` b\n```\n````\n"
        );
        assert_eq!(fenced("text", "plain"), "```text\nplain\n```\n");
    }

    #[test]
    fn a_long_line_is_cut_at_a_character_boundary() {
        let line = "é".repeat(100);
        let parts = cut_lines(&line, 64);
        assert!(parts.iter().all(|p| p.len() <= 65));
        assert_eq!(parts.concat().replace('\n', ""), line);
    }
}
