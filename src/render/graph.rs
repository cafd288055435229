//! Dependency graphs as Graphviz DOT and as mermaid (which GitHub draws inline in markdown):
//! the configuration's resources, or a plan's changes coloured by action with refused ones
//! marked. Arrows point the way apply goes: from what is done first to what waits for it.

use crate::model::{DesiredState, ResourceId};
use crate::plan::{Action, Plan};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// A graph ready to draw.
#[derive(Debug, Default)]
pub struct Graph {
    nodes: Vec<Node>,
    /// `(from, to)`: `to` waits for `from`. Sorted, without repeats.
    edges: BTreeSet<(usize, usize)>,
}

#[derive(Debug)]
struct Node {
    name: String,
    /// What the plan does to it (`None`: a resource of the configuration).
    action: Option<Action>,
    refused: bool,
    /// A second line: the instance count of a `for_each` resource, or the action.
    note: String,
}

/// The configuration's resources (one node per resource, whatever its instances) and their
/// dependencies.
pub fn of_config(desired: &DesiredState) -> Graph {
    // Per resource: its instances, how they are made (`for_each` or `count`; `None`: one
    // instance of a plain block), and what it depends on.
    let mut resources: BTreeMap<&ResourceId, (usize, Option<&str>, BTreeSet<&ResourceId>)> =
        BTreeMap::new();
    for instance in desired.resources.values() {
        let entry =
            resources
                .entry(&instance.address.resource)
                .or_insert((0, None, BTreeSet::new()));
        entry.0 += 1;
        if let Some(key) = &instance.address.key {
            entry.1 = Some(if crate::model::address::count_index(key).is_some() {
                "count"
            } else {
                "for_each"
            });
        }
        entry.2.extend(&instance.depends_on);
    }
    let index: BTreeMap<&ResourceId, usize> =
        resources.keys().enumerate().map(|(i, r)| (*r, i)).collect();
    let mut graph = Graph::default();
    for (i, (resource, (instances, keyed, deps))) in resources.iter().enumerate() {
        graph.nodes.push(Node {
            name: resource.to_string(),
            action: None,
            refused: false,
            note: keyed.map_or_else(String::new, |by| {
                format!(
                    "{by}: {instances} instance{}",
                    if *instances == 1 { "" } else { "s" }
                )
            }),
        });
        for d in deps {
            if let Some(&from) = index.get(d) {
                graph.edges.insert((from, i));
            }
        }
    }
    graph
}

/// A plan's changes (no-ops left out unless refused), one node per instance, with the
/// dependencies between them in the order apply follows: a dependency is created or updated
/// before what depends on it, which is deleted before it.
pub fn of_plan(plan: &Plan) -> Graph {
    let refused: BTreeSet<_> = plan
        .refusals
        .iter()
        .filter_map(|r| r.address.as_ref())
        .collect();
    let changes: Vec<_> = plan
        .changes
        .iter()
        .filter(|c| c.action != Action::NoOp || refused.contains(&c.address))
        .collect();
    let mut by_resource: BTreeMap<&ResourceId, Vec<usize>> = BTreeMap::new();
    for (i, c) in changes.iter().enumerate() {
        by_resource.entry(&c.address.resource).or_default().push(i);
    }
    let mut graph = Graph::default();
    for (i, c) in changes.iter().enumerate() {
        let is_refused = refused.contains(&c.address);
        graph.nodes.push(Node {
            name: c.address.to_string(),
            action: Some(c.action),
            refused: is_refused,
            note: format!(
                "{}{}",
                action_words(c.action),
                if is_refused { " (refused)" } else { "" }
            ),
        });
        let deletes = c.action == Action::Delete;
        for d in &c.depends_on {
            for &j in by_resource.get(d).into_iter().flatten() {
                let other_deletes = changes[j].action == Action::Delete;
                if j == i || deletes != other_deletes {
                    continue;
                }
                graph.edges.insert(if deletes { (i, j) } else { (j, i) });
            }
        }
    }
    graph
}

fn action_words(action: Action) -> &'static str {
    match action {
        Action::Create => "+ create",
        Action::Update => "~ update",
        Action::Delete => "- destroy",
        Action::Replace => "-/+ replace",
        Action::NoOp => "no change",
    }
}

/// Fill and border colours of an action (GitHub's palette for added, changed and removed).
fn colours(action: Option<Action>) -> (&'static str, &'static str) {
    match action {
        Some(Action::Create) => ("#dafbe1", "#1a7f37"),
        Some(Action::Update) => ("#fff8c5", "#9a6700"),
        Some(Action::Delete) => ("#ffebe9", "#cf222e"),
        Some(Action::Replace) => ("#fbefff", "#8250df"),
        Some(Action::NoOp) | None => ("#f6f8fa", "#57606a"),
    }
}

/// The graph in Graphviz's DOT language (`vpcep graph | dot -Tsvg > graph.svg`).
pub fn dot(graph: &Graph) -> String {
    let quote = |s: &str| format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""));
    let mut out = String::from(
        "digraph vpcep {\n  rankdir = \"LR\"\n  node [shape = \"box\", style = \"rounded,filled\", fontname = \"Helvetica\"]\n",
    );
    for node in &graph.nodes {
        let (fill, border) = colours(node.action);
        let label = if node.note.is_empty() {
            node.name.clone()
        } else {
            format!("{}\n{}", node.name, node.note)
        };
        let mut attrs = format!(
            "label = {}, fillcolor = \"{fill}\"",
            quote(&label).replace('\n', "\\n")
        );
        if node.refused {
            // A refused change keeps its action's fill, with a thick dashed red border.
            attrs
                .push_str(", color = \"#cf222e\", penwidth = 3, style = \"rounded,filled,dashed\"");
        } else {
            let _ = write!(attrs, ", color = \"{border}\"");
        }
        let _ = writeln!(out, "  {} [{attrs}]", quote(&node.name));
    }
    for &(from, to) in &graph.edges {
        let _ = writeln!(
            out,
            "  {} -> {}",
            quote(&graph.nodes[from].name),
            quote(&graph.nodes[to].name)
        );
    }
    out.push_str("}\n");
    out
}

/// The graph as a mermaid flowchart (a ```` ```mermaid ```` block in GitHub markdown).
pub fn mermaid(graph: &Graph) -> String {
    // Mermaid labels are quoted; quotes and markup characters are written as entities.
    let label = |s: &str| {
        s.replace('&', "#amp;")
            .replace('"', "#quot;")
            .replace('<', "#lt;")
            .replace('>', "#gt;")
    };
    let mut out = String::from("flowchart LR\n");
    // Each class with its style and its nodes.
    let mut classes: BTreeMap<&str, (String, Vec<String>)> = BTreeMap::new();
    for (i, node) in graph.nodes.iter().enumerate() {
        let text = if node.note.is_empty() {
            label(&node.name)
        } else {
            format!("{}<br/>{}", label(&node.name), label(&node.note))
        };
        let _ = writeln!(out, "  n{i}[\"{text}\"]");
        let (class, style) = if node.refused {
            (
                "refused",
                "fill:#ffebe9,stroke:#cf222e,stroke-width:3px,stroke-dasharray:5 5".to_owned(),
            )
        } else {
            let (fill, border) = colours(node.action);
            (
                class_name(node.action),
                format!("fill:{fill},stroke:{border}"),
            )
        };
        classes
            .entry(class)
            .or_insert_with(|| (style, Vec::new()))
            .1
            .push(format!("n{i}"));
    }
    for &(from, to) in &graph.edges {
        let _ = writeln!(out, "  n{from} --> n{to}");
    }
    for (class, (style, members)) in &classes {
        let _ = writeln!(out, "  classDef {class} {style},color:#1f2328");
        let _ = writeln!(out, "  class {} {class}", members.join(","));
    }
    out
}

fn class_name(action: Option<Action>) -> &'static str {
    match action {
        Some(Action::Create) => "create",
        Some(Action::Update) => "update",
        Some(Action::Delete) => "delete",
        Some(Action::Replace) => "replace",
        Some(Action::NoOp) | None => "resource",
    }
}
