//! The human rendering of a plan, Terraform-like: `+` create, `~` update, `-` delete, `-/+`
//! replace, attribute-level `old -> new`, `(known after apply)`, long strings and lists diffed
//! line by line, refusals, warnings and the summary line.

use super::style::Style;
use crate::model::schema::{Mutability, schema};
use crate::model::{Address, Value};
use crate::plan::{Action, Attrs, Drift, Plan, ResourceChange, configured_names, normalize};
use std::fmt::Write as _;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Sym {
    Add,
    Del,
    Chg,
    Same,
}

struct Out {
    text: String,
    style: Style,
    /// Lay lines out for a `diff` code block: the change symbol in column 0 (`+`, `-`, `!`
    /// for a change), everything else after it, as a diff colours it.
    diff: bool,
    /// Show an update's unchanged attributes too (the folded full diff of the markdown plan).
    all: bool,
}

impl Out {
    fn sym(&self, sym: Sym) -> String {
        match sym {
            Sym::Add => self.style.green("+"),
            Sym::Del => self.style.red("-"),
            Sym::Chg => self.style.yellow("~"),
            Sym::Same => " ".to_owned(),
        }
    }

    /// Writes one line: `lead`, the change symbol (`shown` as people see it, `diff` in a
    /// diff), `content`.
    fn emit(&mut self, lead: &str, symbol: Option<(&str, char)>, content: &str) {
        let _ = match (self.diff, symbol) {
            (false, Some((shown, _))) => writeln!(self.text, "{lead}{shown} {content}"),
            (false, None) => writeln!(self.text, "{lead}{content}"),
            (true, Some((_, diff))) => writeln!(self.text, "{diff} {lead}{content}"),
            (true, None) => writeln!(self.text, "  {lead}{content}"),
        };
    }

    /// A line at nesting `depth` (1 = attributes of a resource) with a change symbol.
    fn line(&mut self, depth: usize, sym: Sym, content: &str) {
        let indent = " ".repeat(2 + 4 * depth);
        let diff = match sym {
            Sym::Add => '+',
            Sym::Del => '-',
            Sym::Chg => '!',
            Sym::Same => {
                self.emit(&format!("{indent}  "), None, content);
                return;
            }
        };
        let shown = self.sym(sym);
        self.emit(&indent, Some((&shown, diff)), content);
    }

    /// A closing or plain line at `depth`, aligned with the content of symbol lines.
    fn plain(&mut self, depth: usize, content: &str) {
        let indent = " ".repeat(4 + 4 * depth);
        self.emit(&indent, None, content);
    }
}

fn is_block(rtype: crate::model::ResourceType, name: &str) -> bool {
    schema(rtype).block(name).is_some()
}

fn scalar(v: &Value) -> String {
    v.to_string()
}

fn is_long_string(v: &Value) -> bool {
    v.as_str()
        .is_some_and(|s| s.contains('\n') || s.chars().count() > 60)
}

/// Writes `name = value` where value may span lines (lists and maps), all with `sym`.
fn value_attr(out: &mut Out, depth: usize, sym: Sym, name: &str, width: usize, v: &Value) {
    let pad = format!("{name:width$}");
    match v {
        Value::List(items) if !items.is_empty() => {
            out.line(depth, sym, &format!("{pad} = ["));
            for item in items {
                out.line(
                    depth + 1,
                    if sym == Sym::Same { Sym::Same } else { sym },
                    &format!("{},", scalar(item)),
                );
            }
            out.plain(depth, "]");
        }
        Value::Map(map) if !map.is_empty() => {
            out.line(depth, sym, &format!("{pad} = {{"));
            let w = map.keys().map(|k| quoted_key(k).len()).max().unwrap_or(0);
            for (k, item) in map {
                out.line(
                    depth + 1,
                    sym,
                    &format!("{:w$} = {}", quoted_key(k), scalar(item)),
                );
            }
            out.plain(depth, "}");
        }
        _ => out.line(depth, sym, &format!("{pad} = {}", scalar(v))),
    }
}

/// An instance key as written in an address: `"key"`, or `0` for a `count` instance.
fn quoted_key(k: &str) -> String {
    crate::model::address::count_index(k).map_or_else(
        || serde_json::Value::String(k.to_owned()).to_string(),
        |i| i.to_string(),
    )
}

/// Writes a nested block (e.g. `port { ... }`) with every attribute marked `sym`.
fn block(out: &mut Out, depth: usize, sym: Sym, name: &str, item: &Value, suffix: &str) {
    out.line(depth, sym, &format!("{name} {{{suffix}"));
    if let Some(map) = item.as_map() {
        let width = map.keys().map(str::len).max().unwrap_or(0);
        for (k, v) in map {
            value_attr(out, depth + 1, sym, k, width, v);
        }
    }
    out.plain(depth, "}");
}

fn shown(v: Option<&Value>) -> bool {
    v.is_some_and(|v| !v.is_null())
}

/// All attributes of one side (create or delete).
fn whole(out: &mut Out, change: &ResourceChange, attrs: &Attrs, sym: Sym) {
    let rtype = change.address.rtype();
    let s = schema(rtype);
    let names: Vec<&str> = std::iter::once("id")
        .chain(configured_names(rtype).filter(|n| !is_block(rtype, n)))
        .chain(s.computed.iter().map(|(n, _)| *n).filter(|n| *n != "id"))
        .filter(|n| shown(attrs.get(n)))
        .filter(|n| sym == Sym::Add || s.attr(n).is_some() || *n == "id")
        .collect();
    let width = names.iter().map(|n| n.len()).max().unwrap_or(0);
    for name in names {
        if change.is_sensitive(name) {
            out.line(1, sym, &format!("{name:width$} = {SENSITIVE}"));
        } else {
            value_attr(
                out,
                1,
                sym,
                name,
                width,
                attrs.get(name).unwrap_or(&Value::Null),
            );
        }
    }
    for b in s.blocks {
        if change.is_sensitive(b.name) {
            out.line(1, sym, &format!("{} {{ {SENSITIVE} }}", b.name));
            continue;
        }
        if let Some(items) = attrs.get(b.name).and_then(Value::as_list) {
            for item in items {
                block(out, 1, sym, b.name, item, "");
            }
        }
    }
}

/// What is shown instead of a sensitive value.
pub const SENSITIVE: &str = "(sensitive value)";

/// Line-by-line diff of two rendered element lists (long strings, lists).
fn diff_lines(out: &mut Out, depth: usize, old: &[String], new: &[String]) {
    let old_refs: Vec<&str> = old.iter().map(String::as_str).collect();
    let new_refs: Vec<&str> = new.iter().map(String::as_str).collect();
    let mut hidden = 0;
    let changes = similar::TextDiff::configure()
        .algorithm(similar::Algorithm::Patience)
        .diff_slices(&old_refs, &new_refs);
    for change in changes.iter_all_changes() {
        match change.tag() {
            similar::ChangeTag::Delete => out.line(depth, Sym::Del, change.value()),
            similar::ChangeTag::Insert => out.line(depth, Sym::Add, change.value()),
            similar::ChangeTag::Equal => hidden += 1,
        }
    }
    if hidden > 0 {
        out.plain(
            depth,
            &format!(
                "# ({hidden} unchanged element{} hidden)",
                if hidden == 1 { "" } else { "s" }
            ),
        );
    }
}

fn changed_attr(
    out: &mut Out,
    rtype: crate::model::ResourceType,
    name: &str,
    width: usize,
    old: &Value,
    new: &Value,
    note: &str,
) {
    let pad = format!("{name:width$}");
    let old_n = normalize(name, old);
    let new_n = normalize(name, new);
    if is_block(rtype, name) {
        let render = |v: &Value| -> Vec<String> {
            v.as_list()
                .unwrap_or_default()
                .iter()
                .map(ToString::to_string)
                .collect()
        };
        let (olds, news) = (render(&old_n), render(&new_n));
        for (i, item) in old_n.as_list().unwrap_or_default().iter().enumerate() {
            if !news.contains(&olds[i]) {
                block(out, 1, Sym::Del, name, item, note);
            } else if out.all {
                block(out, 1, Sym::Same, name, item, "");
            }
        }
        if !new_n.is_known() {
            out.line(1, Sym::Chg, &format!("{name} = (known after apply){note}"));
        }
        for (i, item) in new_n.as_list().unwrap_or_default().iter().enumerate() {
            if !olds.contains(&news[i]) {
                block(out, 1, Sym::Add, name, item, note);
            }
        }
        return;
    }
    match (&old_n, &new_n) {
        (Value::List(a), Value::List(b))
            if a.iter().all(Value::is_known) && b.iter().all(Value::is_known) =>
        {
            out.line(1, Sym::Chg, &format!("{pad} = [{note}"));
            let render = |l: &[Value]| l.iter().map(|v| format!("{v},")).collect::<Vec<_>>();
            diff_lines(out, 2, &render(a), &render(b));
            out.plain(1, "]");
        }
        (Value::Map(a), Value::Map(b)) if b.values().all(Value::is_known) => {
            out.line(1, Sym::Chg, &format!("{pad} = {{{note}"));
            let w = a
                .keys()
                .chain(b.keys())
                .map(|k| quoted_key(k).len())
                .max()
                .unwrap_or(0);
            let mut hidden = 0;
            for (k, v) in a {
                match b.get(k) {
                    None => out.line(2, Sym::Del, &format!("{:w$} = {v}", quoted_key(k))),
                    Some(nv) if nv != v => {
                        out.line(2, Sym::Chg, &format!("{:w$} = {v} -> {nv}", quoted_key(k)));
                    }
                    Some(_) => hidden += 1,
                }
            }
            for (k, v) in b {
                if !a.contains_key(k) {
                    out.line(2, Sym::Add, &format!("{:w$} = {v}", quoted_key(k)));
                }
            }
            if hidden > 0 {
                out.plain(
                    2,
                    &format!(
                        "# ({hidden} unchanged element{} hidden)",
                        if hidden == 1 { "" } else { "s" }
                    ),
                );
            }
            out.plain(1, "}");
        }
        _ if is_long_string(old) || is_long_string(new) => {
            out.line(1, Sym::Chg, &format!("{pad} = <<-EOT{note}"));
            let lines = |v: &Value| -> Vec<String> {
                v.as_str().map_or_else(
                    || vec![v.to_string()],
                    |s| s.lines().map(str::to_owned).collect(),
                )
            };
            diff_lines(out, 2, &lines(old), &lines(new));
            out.plain(1, "EOT");
        }
        _ => out.line(1, Sym::Chg, &format!("{pad} = {old} -> {new}{note}")),
    }
}

fn header(change: &ResourceChange) -> (String, &'static str, Sym) {
    let a = &change.address;
    let mut because = change
        .reason
        .as_ref()
        .map_or_else(String::new, |r| format!(" ({r})"));
    if let Some(provider) = &change.provider {
        let _ = write!(because, " [provider {provider}]");
    }
    match change.action {
        Action::Create => (format!("# {a} will be created{because}"), "+", Sym::Add),
        Action::Update => (
            format!("# {a} will be updated in-place{because}"),
            "~",
            Sym::Chg,
        ),
        Action::Delete => (format!("# {a} will be destroyed{because}"), "-", Sym::Del),
        Action::Replace => (format!("# {a} must be replaced{because}"), "-/+", Sym::Chg),
        Action::NoOp => (String::new(), " ", Sym::Same),
    }
}

fn resource_line(a: &Address) -> String {
    let key = a
        .key
        .as_ref()
        .map_or_else(String::new, |k| format!(" # [{}]", quoted_key(k)));
    format!(
        "resource \"{}\" \"{}\" {{{key}",
        a.rtype(),
        a.resource.local_name()
    )
}

fn render_change(out: &mut Out, change: &ResourceChange) {
    let (title, symbol, sym) = header(change);
    out.emit("  ", None, &title);
    let painted = match sym {
        Sym::Add => out.style.green(symbol),
        Sym::Del => out.style.red(symbol),
        _ => out.style.yellow(symbol),
    };
    let diff = match sym {
        Sym::Add => '+',
        Sym::Del => '-',
        _ => '!',
    };
    let lead = if symbol.len() == 3 { "" } else { "  " };
    out.emit(
        lead,
        Some((&painted, diff)),
        &resource_line(&change.address),
    );
    let rtype = change.address.rtype();
    match (change.action, &change.before, &change.after) {
        (Action::Create, _, Some(after)) => whole(out, change, after, Sym::Add),
        (Action::Delete, Some(before), _) => whole(out, change, before, Sym::Del),
        (Action::Update | Action::Replace, Some(before), Some(after)) => {
            let s = schema(rtype);
            let replace = change.action == Action::Replace;
            let mut lines: Vec<&str> = change.changed.iter().map(String::as_str).collect();
            let width = lines
                .iter()
                .chain(std::iter::once(&"id"))
                .filter(|n| !is_block(rtype, n))
                .map(|n| n.len())
                .max()
                .unwrap_or(2);
            let id = before.get("id").cloned().unwrap_or(Value::Null);
            if replace {
                out.line(
                    1,
                    Sym::Chg,
                    &format!("{:width$} = {id} -> (known after apply)", "id"),
                );
            } else {
                out.line(1, Sym::Same, &format!("{:width$} = {id}", "id"));
            }
            lines.sort_by_key(|n| is_block(rtype, n));
            for name in &lines {
                // An update of what only Huawei Cloud changes in place is either carried out
                // (there) or refused, which the refusal says; only what no cloud changes in
                // place is marked here.
                let note = match (replace, s.mutability(name)) {
                    (true, Mutability::Immutable | Mutability::InPlaceOnHuawei) => {
                        " # forces replacement"
                    }
                    (false, Mutability::Immutable) => " # cannot change in place (refused)",
                    _ => "",
                };
                if change.is_sensitive(name) {
                    out.line(1, Sym::Chg, &format!("{name:width$} = {SENSITIVE}{note}"));
                    continue;
                }
                let old = before.get(name).cloned().unwrap_or(Value::Null);
                let new = after.get(name).cloned().unwrap_or(Value::Null);
                changed_attr(out, rtype, name, width, &old, &new, note);
            }
            let unchanged: Vec<&str> = configured_names(rtype)
                .filter(|n| shown(after.get(n)) || shown(before.get(n)))
                .filter(|n| !lines.contains(n))
                .collect();
            if out.all {
                let width = unchanged
                    .iter()
                    .filter(|n| !is_block(rtype, n))
                    .map(|n| n.len())
                    .max()
                    .unwrap_or(0);
                for &name in &unchanged {
                    let value = after.get(name).unwrap_or(&Value::Null);
                    if change.is_sensitive(name) {
                        out.line(1, Sym::Same, &format!("{name:width$} = {SENSITIVE}"));
                    } else if is_block(rtype, name) {
                        for item in value.as_list().unwrap_or_default() {
                            block(out, 1, Sym::Same, name, item, "");
                        }
                    } else {
                        value_attr(out, 1, Sym::Same, name, width, value);
                    }
                }
            }
            let hidden = if out.all { 0 } else { unchanged.len() };
            if hidden > 0 {
                out.plain(
                    1,
                    &format!(
                        "# ({hidden} unchanged attribute{} hidden)",
                        if hidden == 1 { "" } else { "s" }
                    ),
                );
            }
        }
        _ => {}
    }
    out.plain(0, "}");
    out.text.push('\n');
}

/// A data source read during apply, with the arguments it is given.
fn render_read(out: &mut Out, read: &crate::plan::DeferredRead) {
    let a = &read.address;
    out.emit("  ", None, &format!("# {a} will be read during apply"));
    out.emit(
        "  ",
        None,
        "# (its arguments depend on values known only after apply)",
    );
    let key = a
        .key
        .as_ref()
        .map_or_else(String::new, |k| format!(" # [{}]", quoted_key(k)));
    let head = format!("data \"{}\" \"{}\" {{{key}", a.id.dtype, a.id.name);
    let symbol = out.style.cyan("<=");
    out.emit(" ", Some((&symbol, '!')), &head);
    let given: Vec<(&str, &Value)> = read.args.iter().filter(|(_, v)| !v.is_null()).collect();
    let width = given.iter().map(|(n, _)| n.len()).max().unwrap_or(0);
    for (name, value) in given {
        out.plain(1, &format!("{name:width$} = {value}"));
    }
    out.plain(0, "}");
    out.text.push('\n');
}

fn render_drift(out: &mut Out, drift: &[Drift], refresh_only: bool) {
    let _ = writeln!(
        out.text,
        "{}\n",
        out.style
            .bold("Note: Objects have changed outside of vpcep")
    );
    let _ = writeln!(
        out.text,
        "vpcep found these differences between the recorded state and the cloud:\n"
    );
    for d in drift {
        match d {
            Drift::Changed {
                address,
                before,
                after,
                attrs,
                sensitive,
            } => {
                let _ = writeln!(out.text, "  # {address} has changed");
                let sym = out.style.yellow("~");
                let _ = writeln!(out.text, "  {sym} {}", resource_line(address));
                let width = attrs.iter().map(String::len).max().unwrap_or(0);
                for name in attrs {
                    if sensitive.contains(name) {
                        out.line(1, Sym::Chg, &format!("{name:width$} = {SENSITIVE}"));
                        continue;
                    }
                    let old = before.get(name).cloned().unwrap_or(Value::Null);
                    let new = after.get(name).cloned().unwrap_or(Value::Null);
                    changed_attr(out, address.rtype(), name, width, &old, &new, "");
                }
                out.plain(0, "}");
            }
            Drift::Deleted { address, .. } => {
                let _ = writeln!(out.text, "  # {address} has been deleted");
                let sym = out.style.red("-");
                let _ = writeln!(out.text, "  {sym} {}", resource_line(address));
                out.plain(0, "}");
            }
        }
        out.text.push('\n');
    }
    let _ = writeln!(
        out.text,
        "{}\n",
        if refresh_only {
            "This is a refresh-only plan, so vpcep will not take any actions to undo these. If you expected these changes, apply it (`vpcep apply --refresh-only`) to record them in the state without changing anything in the cloud."
        } else {
            "Recorded state now matches the cloud; the plan below brings the cloud back to the configuration."
        }
    );
}

/// The summary line: `Plan: A to add, C to change, D to destroy.` or `No changes. ...`.
pub fn summary_line(plan: &Plan) -> String {
    if plan.refresh_only {
        let connections = plan
            .connection_requests
            .iter()
            .filter(|c| c.change.is_some())
            .count();
        return match (plan.drift.len(), connections) {
            (0, 0) => {
                "No changes. Your infrastructure still matches what the state records.".to_owned()
            }
            (n, 0) => format!(
                "Refresh-only plan: {n} object{} changed outside vpcep; applying it records {} in the state and changes nothing in the cloud.",
                if n == 1 { "" } else { "s" },
                if n == 1 { "it" } else { "them" }
            ),
            (n, c) => {
                let mut what = Vec::new();
                if n > 0 {
                    what.push(format!(
                        "{n} object{} changed outside vpcep",
                        if n == 1 { "" } else { "s" }
                    ));
                }
                if c > 0 {
                    what.push(format!(
                        "{c} connection{} changed",
                        if c == 1 { "" } else { "s" }
                    ));
                }
                format!(
                    "Refresh-only plan: {}; applying it records that in the state and changes nothing in the cloud.",
                    what.join(", ")
                )
            }
        };
    }
    if !plan.has_changes() {
        return "No changes. Your infrastructure matches the configuration.".to_owned();
    }
    let c = plan.counts();
    let mut parts = Vec::new();
    let (moved, imported, forgotten) = edit_counts(plan);
    if imported > 0 {
        parts.push(format!("{imported} to import"));
    }
    parts.push(format!("{} to add", c.add));
    parts.push(format!("{} to change", c.change));
    parts.push(format!("{} to destroy", c.destroy));
    if moved > 0 {
        parts.push(format!("{moved} to move"));
    }
    if forgotten > 0 {
        parts.push(format!("{forgotten} to forget"));
    }
    format!("Plan: {}.", parts.join(", "))
}

/// How many state edits of each kind: moved, imported, forgotten.
pub fn edit_counts(plan: &Plan) -> (usize, usize, usize) {
    use crate::model::refactor::StateEdit;
    plan.state_edits
        .iter()
        .fold((0, 0, 0), |(m, i, f), e| match e {
            StateEdit::Move { .. } => (m + 1, i, f),
            StateEdit::Import { .. } => (m, i + 1, f),
            StateEdit::Forget { .. } => (m, i, f + 1),
        })
}

/// What a plan says of a state edit, as a `#` comment line.
pub fn state_edit_line(edit: &crate::model::refactor::StateEdit) -> String {
    use crate::model::refactor::StateEdit;
    match edit {
        StateEdit::Move { from, record } => format!("# {from} has moved to {}", record.address),
        StateEdit::Import { record } => format!(
            "# {} will be imported (id {}); what differs from the configuration is planned below",
            record.address, record.id
        ),
        StateEdit::Forget { address } => format!(
            "# {address} will be removed from state, and stays in the cloud (a `removed` block with `destroy = false`)"
        ),
    }
}

/// What apply says once it has carried out a state edit.
pub fn state_edit_done(edit: &crate::model::refactor::StateEdit) -> String {
    use crate::model::refactor::StateEdit;
    match edit {
        StateEdit::Move { from, .. } => format!("Moved from {from} (state only)"),
        StateEdit::Import { record } => format!("Import complete [id={}]", record.id),
        StateEdit::Forget { .. } => {
            "Removed from state; the cloud object stays (no longer managed here)".to_owned()
        }
    }
}

/// The heading of a plan's connection requests: how many wait (how many of them are new),
/// and how many other connections changed outside vpcep.
pub fn connection_heading(requests: &[crate::plan::ConnectionRequest]) -> String {
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    let waiting = requests.iter().filter(|c| c.waits()).count();
    let new = requests
        .iter()
        .filter(|c| c.waits() && c.change.is_some())
        .count();
    let other = requests
        .iter()
        .filter(|c| !c.waits() && c.change.is_some())
        .count();
    let mut parts = Vec::new();
    if waiting > 0 {
        let news = if new > 0 {
            format!(" ({new} new since the state was written)")
        } else {
            String::new()
        };
        parts.push(format!(
            "{waiting} endpoint{} wait{} for a decision{news}",
            plural(waiting),
            if waiting == 1 { "s" } else { "" }
        ));
    }
    if other > 0 {
        parts.push(format!(
            "{other} connection{} changed outside vpcep since the state was written",
            plural(other)
        ));
    }
    format!("Connection requests: {}.", parts.join("; "))
}

/// One connection request, as a sentence: who, to what, since when, and what decides it.
pub fn connection_line(c: &crate::plan::ConnectionRequest) -> String {
    let via = c
        .provider
        .as_deref()
        .map_or_else(String::new, |p| format!(" [provider {p}]"));
    let since = if c.since.is_empty() {
        String::new()
    } else {
        format!(" since {}", c.since)
    };
    let what = match &c.change {
        None => format!("waits for a decision ({}{since})", c.status),
        Some(_) if c.waits() => format!("waits for a decision ({}{since}, new)", c.status),
        Some(crate::plan::ConnectionChange::Disappeared) => {
            format!("disappeared (was {})", c.status)
        }
        Some(change) => format!("{} ({}{since})", change.describe(), c.status),
    };
    let decision = if !c.waits() {
        String::new()
    } else if let Some(by) = &c.decided_by {
        format!("; `{by}` accepts it on apply")
    } else {
        "; no approval of this configuration decides it: add it to a `vpcep_approval`'s `endpoints`, or its account to `accounts`".to_owned()
    };
    format!(
        "`{}`{via}: endpoint {} of account {} {what}{decision}",
        c.service, c.endpoint_id, c.account
    )
}

/// Renders a whole plan for a terminal or a log.
pub fn render_plan(plan: &Plan, style: Style) -> String {
    let mut text = String::new();
    render_plan_into(&mut text, plan, style);
    text
}

/// [`render_plan`], appended to `text`.
pub fn render_plan_into(text: &mut String, plan: &Plan, style: Style) {
    let mut out = Out {
        text: std::mem::take(text),
        style,
        diff: false,
        all: false,
    };
    if !plan.drift.is_empty() {
        render_drift(&mut out, &plan.drift, plan.refresh_only);
    }
    for note in &plan.notes {
        let _ = writeln!(out.text, "Note: {note}");
    }
    if !plan.notes.is_empty() {
        out.text.push('\n');
    }
    if !plan.refresh_only && (plan.has_changes() || !plan.reads.is_empty()) {
        let _ = writeln!(out.text, "vpcep will perform the following actions:\n");
        for edit in &plan.state_edits {
            let _ = writeln!(out.text, "  {}", out.style.bold(&state_edit_line(edit)));
        }
        if !plan.state_edits.is_empty() {
            out.text.push('\n');
        }
        for read in &plan.reads {
            render_read(&mut out, read);
        }
        for change in plan.actions() {
            render_change(&mut out, change);
        }
    }
    if !plan.disconnections.is_empty() {
        let n = plan.disconnections.len();
        let _ = writeln!(
            out.text,
            "{}\n",
            out.style.bold(&format!(
                "Disconnections: this plan cuts {n} connection{}.",
                if n == 1 { "" } else { "s" }
            ))
        );
        for line in disconnection_lines(plan) {
            let _ = writeln!(out.text, "  - {line}");
        }
        out.text.push('\n');
    }
    if !plan.connection_requests.is_empty() {
        let _ = writeln!(
            out.text,
            "{}\n",
            out.style
                .bold(&connection_heading(&plan.connection_requests))
        );
        for c in &plan.connection_requests {
            let _ = writeln!(out.text, "  - {}", connection_line(c));
        }
        out.text.push('\n');
    }
    if plan.refresh_only && !plan.headroom.is_empty() {
        // The drift report of a scheduled job says how much room each account has left.
        let _ = writeln!(out.text, "{}", out.style.bold("Quota headroom:"));
        for h in &plan.headroom {
            let _ = writeln!(out.text, "  - {}", h.describe());
        }
        out.text.push('\n');
    }
    let failed_checks: Vec<String> = plan
        .checks
        .iter()
        .filter_map(crate::model::CheckResult::warning)
        .collect();
    if !plan.warnings.is_empty() || !failed_checks.is_empty() {
        for w in plan.warnings.iter().chain(&failed_checks) {
            let _ = writeln!(out.text, "{}: {w}", out.style.yellow("Warning"));
        }
        out.text.push('\n');
    }
    if plan.is_refused() {
        let n = plan.refusals.len();
        let _ = writeln!(
            out.text,
            "{}\n",
            out.style.bold_red(&format!(
                "Refused: this plan breaks {n} rule{} of the cloud and cannot be applied.",
                if n == 1 { "" } else { "s" }
            ))
        );
        for r in &plan.refusals {
            let _ = writeln!(out.text, "  {} {}", out.style.bold_red("✗"), r.message);
            for d in &r.details {
                let _ = writeln!(out.text, "      {d}");
            }
            if let Some(h) = &r.help {
                let _ = writeln!(out.text, "    help: {h}");
            }
            out.text.push('\n');
        }
    }
    let _ = writeln!(out.text, "{}", out.style.bold(&summary_line(plan)));
    if plan.deletes_anything() && !plan.is_refused() {
        let _ = writeln!(out.text, "Deleted resources cannot be recovered.");
    }
    if !plan.output_changes.is_empty() && !plan.refresh_only {
        let _ = writeln!(out.text, "\n{}", out.style.bold("Changes to Outputs:"));
        for line in output_change_lines(&plan.output_changes) {
            let _ = writeln!(out.text, "  {line}");
        }
        if !plan.has_changes() && !plan.is_refused() {
            let _ = writeln!(
                out.text,
                "\nYou can apply this plan to save these new output values to the state, without changing anything in the cloud."
            );
        }
    }
    *text = out.text;
}

/// "Changes to Outputs", one line each, names aligned: `+ name = "new"`, `~ name = "old" ->
/// "new"`, `- name = "old" -> null`; a sensitive value is never shown, an unknown one is
/// `(known after apply)`.
pub fn output_change_lines(changes: &[crate::plan::OutputChange]) -> Vec<String> {
    use crate::plan::OutputAction;
    let width = changes
        .iter()
        .map(|o| o.name.chars().count())
        .max()
        .unwrap_or(0);
    let shown = |v: &Value, sensitive: bool| {
        if sensitive {
            "(sensitive value)".to_owned()
        } else if !v.is_known() {
            "(known after apply)".to_owned()
        } else {
            crate::diag::escape_controls(&v.to_string()).into_owned()
        }
    };
    changes
        .iter()
        .map(|o| {
            let name = format!("{:width$}", o.name);
            let before = o.before.as_ref().map(|v| shown(v, o.sensitive));
            let after = o.after.as_ref().map(|v| shown(v, o.sensitive));
            match (o.action, before, after) {
                (OutputAction::Create, _, Some(after)) => format!("+ {name} = {after}"),
                (OutputAction::Update, Some(before), Some(after)) => {
                    format!("~ {name} = {before} -> {after}")
                }
                (_, Some(before), _) => format!("- {name} = {before} -> null"),
                (_, None, _) => format!("- {name} = null"),
            }
        })
        .collect()
}

/// One change as the human plan shows it, laid out for a `diff` code block (the change
/// symbol in column 0), without colour: for the markdown plan.
pub fn change_diff(change: &ResourceChange) -> String {
    let mut out = Out {
        text: String::new(),
        style: Style::PLAIN,
        diff: true,
        all: false,
    };
    render_change(&mut out, change);
    out.text
}

/// [`change_diff`], and for an update or a replacement the same with its unchanged attributes
/// shown too (`None` when that shows nothing more, and for creates and deletes, which show
/// everything already).
pub fn change_diffs(change: &ResourceChange) -> (String, Option<String>) {
    let short = change_diff(change);
    if !matches!(change.action, Action::Update | Action::Replace) {
        return (short, None);
    }
    let mut out = Out {
        text: String::new(),
        style: Style::PLAIN,
        diff: true,
        all: true,
    };
    render_change(&mut out, change);
    let full = (out.text != short).then_some(out.text);
    (short, full)
}

/// One line per disconnection: who cuts which endpoint of which account, and why.
pub fn disconnection_lines(plan: &Plan) -> Vec<String> {
    plan.disconnections
        .iter()
        .map(|d| {
            format!(
                "`{}` {} endpoint {} of account {} ({}): {}{}",
                d.by,
                if d.by.rtype() == crate::model::ResourceType::Service {
                    "takes along"
                } else {
                    "rejects"
                },
                d.endpoint_id,
                d.account,
                d.status,
                d.reason,
                if d.allowed { "" } else { " — refused" }
            )
        })
        .collect()
}

/// The refusals section alone, without colour.
pub fn refusal_lines(plan: &Plan) -> Vec<String> {
    plan.refusals
        .iter()
        .map(|r| {
            let mut text = r.message.clone();
            for d in &r.details {
                let _ = write!(text, "\n    {d}");
            }
            if let Some(h) = &r.help {
                let _ = write!(text, "\n    help: {h}");
            }
            text
        })
        .collect()
}
