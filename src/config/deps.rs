//! Checks every reference in the configuration and orders locals and resources by dependency.
//!
//! A reference to something undeclared is reported where it is written, with the closest
//! declared name. A dependency cycle is reported once, naming every step of it.

use super::body::suggestion;
use super::decls::{Decl, Decls};
use super::functions;
use super::refs::{KeyRef, Problem, RefKind, Refs};
use super::syntax::{Body, Expr, Lit, LitKind, Structure};
use crate::diag::{Diagnostic, SourceFile};
use crate::model::data::DataId;
use crate::model::graph::topo_order;
use crate::model::schema::schema;
use crate::model::{ResourceId, ResourceType};
use hcl::edit::Span as _;
use hcl::edit::expr::{Expression, TraversalOperator};
use std::ops::Range;

/// A local value or a resource: the things that are evaluated in dependency order.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Node {
    Local(String),
    Resource(ResourceId),
    Data(DataId),
    /// A `module` call: every instance of it.
    Module(String),
}

impl std::fmt::Display for Node {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Node::Local(name) => write!(f, "local.{name}"),
            Node::Resource(id) => write!(f, "{id}"),
            Node::Data(id) => write!(f, "{id}"),
            Node::Module(name) => write!(f, "module.{name}"),
        }
    }
}

/// What a place in the configuration may refer to.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Allowed {
    pub locals: bool,
    pub resources: bool,
    pub each: bool,
    /// `count.index` may be used (in a resource with `count`).
    pub count: bool,
    /// `self` may be used (in a `postcondition`).
    pub this: bool,
    /// How the place is called in messages, e.g. "a `provider` block".
    pub place: &'static str,
    /// The block a body expression is in ("a resource"): what `each` and `count.index` are
    /// missing is said of it. `None` for places that never have them.
    pub block: Option<&'static str>,
}

impl Allowed {
    /// A place outside any block with `for_each` or `count` (a local, an output, settings).
    pub(crate) const fn anywhere(resources: bool, place: &'static str) -> Allowed {
        Allowed {
            locals: true,
            resources,
            each: false,
            count: false,
            this: false,
            place,
            block: None,
        }
    }

    /// An expression of a block's body (`block`: "a resource") with or without `for_each` and
    /// `count`; `meta` names the meta-argument the expression is (`for_each`, `count`), where
    /// neither `each` nor `count.index` exists yet.
    fn in_block(
        block: &'static str,
        has_for_each: bool,
        has_count: bool,
        meta: Option<&'static str>,
    ) -> Allowed {
        Allowed {
            locals: true,
            resources: true,
            each: has_for_each && meta.is_none(),
            count: has_count && meta.is_none(),
            this: false,
            place: meta.unwrap_or(block),
            block: meta.is_none().then_some(block),
        }
    }

    /// Where `each` (or `count.index`, by `meta`) is missing, for a message.
    fn without(&self, meta: &str) -> String {
        match self.block {
            Some(block) => format!("{block} without `{meta}`"),
            None => self.place.to_owned(),
        }
    }
}

/// Checks the references of one expression; returns the locals and resources it depends on.
#[expect(
    clippy::too_many_lines,
    reason = "one arm per kind of expression, each checking its references, to be split when the configuration is compiled once"
)]
pub(crate) fn check_expr(
    expr: &Expr,
    file: &SourceFile,
    decls: &Decls<'_>,
    allowed: Allowed,
    diags: &mut Vec<Diagnostic>,
) -> Vec<(Node, Option<Range<usize>>)> {
    let Some(expr) = expr.hcl() else {
        return Vec::new(); // a literal refers to nothing
    };
    let refs = Refs::of(expr);
    let mut deps = Vec::new();
    let at = |span: &Option<Range<usize>>| file.span(span.clone());
    for Problem {
        message,
        help,
        span,
    } in refs.problems
    {
        diags.push(Diagnostic::error(message).at(at(&span)).help_opt(help));
    }
    for (name, span) in &refs.unknown_roots {
        let roots: Vec<&str> = ["var", "local", "each"]
            .into_iter()
            .chain(ResourceType::ALL.iter().map(|t| t.as_str()))
            .collect();
        diags.push(
            Diagnostic::error(format!("unknown name `{name}`"))
                .at(at(span))
                .help(closest_help(name, &roots).unwrap_or_else(|| {
                    "references start with `var.`, `local.`, `each.` or a resource type such as `vpcep_service.NAME`; quote literal strings".into()
                })),
        );
    }
    for (name, span) in &refs.funcs {
        if !functions::is_defined(name) {
            let names: Vec<&str> = functions::names().collect();
            diags.push(
                Diagnostic::error(format!("unknown function `{name}`"))
                    .at(at(span))
                    .help(
                        closest_help(name, &names)
                            .unwrap_or_else(|| format!("the functions are: {}", names.join(", "))),
                    ),
            );
        }
    }
    for reference in refs.found {
        let span = reference.span;
        match reference.kind {
            RefKind::Var(name) => {
                if !decls.variables.contains_key(&name) {
                    let names: Vec<&str> = decls.variables.keys().map(String::as_str).collect();
                    diags.push(
                        Diagnostic::error(format!("undefined variable `var.{name}`"))
                            .at(at(&span))
                            .help(closest_help(&name, &names).unwrap_or_else(|| {
                                format!("declare it with `variable \"{name}\" {{}}`")
                            })),
                    );
                }
            }
            RefKind::Local(name) => {
                if !allowed.locals {
                    diags.push(
                        Diagnostic::error(format!(
                            "{} cannot refer to local values",
                            allowed.place
                        ))
                        .at(at(&span)),
                    );
                } else if decls.locals.contains_key(&name) {
                    deps.push((Node::Local(name), span));
                } else {
                    let names: Vec<&str> = decls.locals.keys().map(String::as_str).collect();
                    diags.push(
                        Diagnostic::error(format!("undefined local value `local.{name}`"))
                            .at(at(&span))
                            .help(closest_help(&name, &names).unwrap_or_else(|| {
                                format!("define it in a `locals {{ {name} = ... }}` block")
                            })),
                    );
                }
            }
            RefKind::Path => {}
            RefKind::Module { name, .. } => {
                if !allowed.resources {
                    diags.push(
                        Diagnostic::error(format!("{} cannot refer to modules", allowed.place))
                            .at(at(&span))
                            .help("use variables and locals here"),
                    );
                } else if decls.modules.contains_key(&name) {
                    deps.push((Node::Module(name), span));
                } else {
                    let names: Vec<&str> = decls.modules.keys().map(String::as_str).collect();
                    diags.push(
                        Diagnostic::error(format!("undefined module `module.{name}`"))
                            .at(at(&span))
                            .help(closest_help(&name, &names).unwrap_or_else(|| {
                                format!("call it with a `module \"{name}\" {{ source = \"./modules/...\" }}` block")
                            })),
                    );
                }
            }
            RefKind::SelfRef => {
                if !allowed.this {
                    diags.push(
                        Diagnostic::error(format!("`self` cannot be used in {}", allowed.place))
                            .at(at(&span))
                            .help("`self` is the resource's own values, in a `postcondition`"),
                    );
                }
            }
            RefKind::Count => {
                if !allowed.count {
                    diags.push(
                        Diagnostic::error(format!(
                            "`count.index` cannot be used in {}",
                            allowed.without("count")
                        ))
                        .at(at(&span))
                        .help("`count.index` exists only in the body of a resource with `count`"),
                    );
                }
            }
            RefKind::Each => {
                if !allowed.each {
                    diags.push(
                        Diagnostic::error(format!(
                            "`each` cannot be used in {}",
                            allowed.without("for_each")
                        ))
                            .at(at(&span))
                            .help("`each.key` and `each.value` exist only in the body of a resource with `for_each`"),
                    );
                }
            }
            RefKind::Resource {
                id,
                key,
                attr,
                attr_span,
            } => {
                if !allowed.resources {
                    diags.push(
                        Diagnostic::error(format!("{} cannot refer to resources", allowed.place))
                            .at(at(&span))
                            .help("use variables and locals here"),
                    );
                    continue;
                }
                if check_resource_ref(
                    &id,
                    &key,
                    attr.as_deref(),
                    attr_span,
                    span.clone(),
                    file,
                    decls,
                    diags,
                ) {
                    deps.push((Node::Resource(id), span));
                }
            }
            RefKind::Data {
                id,
                attr,
                attr_span,
                ..
            } => {
                if !allowed.resources {
                    diags.push(
                        Diagnostic::error(format!(
                            "{} cannot refer to data sources",
                            allowed.place
                        ))
                        .at(at(&span))
                        .help("use variables and locals here"),
                    );
                    continue;
                }
                if check_data_ref(
                    &id,
                    attr.as_deref(),
                    attr_span,
                    span.clone(),
                    file,
                    decls,
                    diags,
                ) {
                    deps.push((Node::Data(id), span));
                }
            }
        }
    }
    deps
}

/// Checks `data.TYPE.NAME[KEY].ATTR`; returns whether the data source exists.
fn check_data_ref(
    id: &DataId,
    attr: Option<&str>,
    attr_span: Option<Range<usize>>,
    span: Option<Range<usize>>,
    file: &SourceFile,
    decls: &Decls<'_>,
    diags: &mut Vec<Diagnostic>,
) -> bool {
    if !decls.data.contains_key(id) {
        let same_type: Vec<&str> = decls
            .data
            .keys()
            .filter(|d| d.dtype == id.dtype)
            .map(|d| d.name.as_str())
            .collect();
        let help = match super::body::closest(&id.name, same_type.iter().copied()) {
            Some(c) => format!("did you mean `data.{}.{c}`?", id.dtype),
            None => format!(
                "declare it with `data \"{}\" \"{}\" {{ ... }}`",
                id.dtype, id.name
            ),
        };
        diags.push(
            Diagnostic::error(format!("undeclared data source `{id}`"))
                .at(file.span(span))
                .help(help),
        );
        return false;
    }
    if let Some(attr) = attr {
        let names: Vec<&str> = id
            .dtype
            .args()
            .iter()
            .map(|a| a.name)
            .chain(id.dtype.attributes().iter().copied())
            .collect();
        if !names.contains(&attr) {
            diags.push(
                Diagnostic::error(format!("`{}` has no attribute `{attr}`", id.dtype))
                    .at(file.span(attr_span.or(span)))
                    .help(
                        closest_help(attr, &names)
                            .unwrap_or_else(|| format!("its attributes are {}", names.join(", "))),
                    ),
            );
        }
    }
    true
}

fn closest_help(name: &str, candidates: &[&str]) -> Option<String> {
    super::body::closest(name, candidates.iter().copied()).map(|c| format!("did you mean `{c}`?"))
}

/// Checks `TYPE.NAME[KEY].ATTR`; returns whether the resource exists (so it is a dependency).
#[allow(clippy::too_many_arguments)]
fn check_resource_ref(
    id: &ResourceId,
    key: &KeyRef,
    attr: Option<&str>,
    attr_span: Option<Range<usize>>,
    span: Option<Range<usize>>,
    file: &SourceFile,
    decls: &Decls<'_>,
    diags: &mut Vec<Diagnostic>,
) -> bool {
    let Some(decl) = decls.resources.get(id) else {
        let same_type: Vec<&str> = decls
            .resources
            .keys()
            .filter(|r| r.rtype == id.rtype)
            .map(|r| r.name.as_str())
            .collect();
        let help = match super::body::closest(&id.name, same_type.iter().copied()) {
            Some(c) => format!("did you mean `{}.{c}`?", id.rtype),
            None if same_type.is_empty() => format!("no `{}` resource is declared", id.rtype),
            None => format!(
                "declared `{}` resources: {}",
                id.rtype,
                same_type
                    .iter()
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        diags.push(
            Diagnostic::error(format!("undefined resource `{id}`"))
                .at(file.span(span))
                .help(help),
        );
        return false;
    };
    let has_count = decl.block.body.has_attribute("count");
    let has_for_each = decl.block.body.has_attribute("for_each") || has_count;
    match key {
        KeyRef::None if has_for_each && attr.is_some() => {
            let (meta, example) = if has_count {
                ("count", format!("`{id}[0].{}`", attr.unwrap_or("id")))
            } else {
                (
                    "for_each",
                    format!(
                        "`{id}[\"KEY\"].{}` or `{id}[each.key].{}`",
                        attr.unwrap_or("id"),
                        attr.unwrap_or("id")
                    ),
                )
            };
            diags.push(
                Diagnostic::error(format!(
                    "`{id}` has `{meta}`, so a reference must name one of its instances"
                ))
                .at(file.span(span))
                .help(format!("write {example}")),
            );
            return true;
        }
        KeyRef::Expr(_) if !has_for_each => {
            diags.push(
                Diagnostic::error(format!(
                    "`{id}` has no `for_each` or `count`, so it cannot be indexed"
                ))
                .at(file.span(span))
                .help(format!("write `{id}.{}`", attr.unwrap_or("id"))),
            );
            return true;
        }
        _ => {}
    }
    if let (Some(attr), KeyRef::None | KeyRef::Expr(_)) = (attr, key) {
        let s = schema(id.rtype);
        if !s.readable_names().any(|n| n == attr) {
            let names: Vec<&str> = s.readable_names().collect();
            diags.push(
                Diagnostic::error(format!("`{}` has no attribute `{attr}`", id.rtype))
                    .at(file.span(attr_span.or(span)))
                    .help_opt(suggestion(attr, &names)),
            );
        }
    }
    true
}

/// An expression of a resource body: as written, or made from what is written (a `dynamic`
/// block's `for` expression).
pub(crate) enum BodyExpr<'a> {
    Written(&'a Expr),
    Made(Expr),
}

impl AsRef<Expr> for BodyExpr<'_> {
    fn as_ref(&self) -> &Expr {
        match self {
            BodyExpr::Written(e) => e,
            BodyExpr::Made(e) => e,
        }
    }
}

/// The expressions of a resource body that its schema knows, nested blocks included (and the
/// `for` expression each `dynamic` block stands for), except `depends_on`. Unknown attributes
/// are reported by name only; their contents are not checked.
pub(crate) fn resource_exprs<'a>(
    rtype: ResourceType,
    body: &'a Body,
    file: &crate::diag::SourceFile,
) -> Vec<BodyExpr<'a>> {
    let schema = schema(rtype);
    let mut out: Vec<BodyExpr<'a>> = Vec::new();
    let nested: Vec<&str> = schema.blocks.iter().map(|b| b.name).collect();
    // Malformed `dynamic` blocks are reported where resources are evaluated.
    for d in super::dynamic::collect(body, &nested, file, &mut Vec::new()) {
        out.push(BodyExpr::Made(d.expr));
    }
    for structure in body {
        match structure {
            Structure::Attribute(attr) => {
                let name = attr.key.as_str();
                if name == "for_each" || name == "count" || schema.attr(name).is_some() {
                    out.push(BodyExpr::Written(&attr.value));
                }
            }
            Structure::Block(block) => {
                let block_name = block.ident.as_str();
                let known = |attr: &str| match block_name {
                    "lifecycle" => attr == "prevent_destroy",
                    "timeouts" => matches!(attr, "create" | "update" | "delete"),
                    name => schema
                        .block(name)
                        .is_some_and(|b| b.attrs.iter().any(|a| a.name == attr)),
                };
                out.extend(
                    block
                        .body
                        .attributes()
                        .filter(|a| known(a.key.as_str()))
                        .map(|a| BodyExpr::Written(&a.value)),
                );
            }
        }
    }
    out
}

/// The expressions of a resource's `precondition` and `postcondition` blocks (in its
/// `lifecycle`), each with whether it is a postcondition (which may read `self`).
pub(crate) fn condition_exprs(body: &Body) -> Vec<(&Expr, bool)> {
    let mut out = Vec::new();
    for lifecycle in body.get_blocks("lifecycle") {
        for (kind, post) in [("precondition", false), ("postcondition", true)] {
            for block in lifecycle.body.get_blocks(kind) {
                for name in ["condition", "error_message"] {
                    if let Some(attr) = block.body.get_attribute(name) {
                        out.push((&attr.value, post));
                    }
                }
            }
        }
    }
    out
}

/// An entry of `depends_on`: as parsed (`None` for a literal, which is no resource), and where.
type DependsOnEntry<'a> = (Option<&'a Expression>, Option<Range<usize>>);

/// Reads `depends_on = [vpcep_service.a, ...]`; reports entries that are not resources.
pub(crate) fn depends_on(
    decl: &Decl<'_>,
    decls: &Decls<'_>,
    diags: &mut Vec<Diagnostic>,
) -> Vec<(ResourceId, Option<Range<usize>>)> {
    let Some(attr) = decl.block.body.get_attribute("depends_on") else {
        return Vec::new();
    };
    // Each entry as parsed (a literal entry is no resource) with its span.
    let items: Option<Vec<DependsOnEntry<'_>>> = match &attr.value {
        Expr::Hcl(expr) => match expr.as_ref() {
            Expression::Array(items) => Some(items.iter().map(|i| (Some(i), i.span())).collect()),
            _ => None,
        },
        Expr::Lit(Lit {
            kind: LitKind::Array(items),
            ..
        }) => Some(items.iter().map(|i| (None, i.span.get())).collect()),
        Expr::Lit(_) => None,
    };
    let Some(items) = items else {
        diags.push(
            Diagnostic::error("`depends_on` must be a list of resources")
                .at(decl.file.span(attr.value.span()))
                .help("write it as `depends_on = [vpcep_service.api]`"),
        );
        return Vec::new();
    };
    let mut out = Vec::new();
    for (item, span) in items {
        let id = match item {
            Some(Expression::Traversal(t)) => match (
                &t.expr,
                t.operators.first().map(hcl::edit::Decorated::value),
            ) {
                (Expression::Variable(root), Some(TraversalOperator::GetAttr(name))) => {
                    ResourceType::parse(root.as_str()).map(|rt| ResourceId::new(rt, name.as_str()))
                }
                _ => None,
            },
            _ => None,
        };
        match id {
            Some(id) if decls.resources.contains_key(&id) => out.push((id, span)),
            Some(id) => {
                check_resource_ref(
                    &id,
                    &KeyRef::Splat,
                    None,
                    None,
                    span,
                    decl.file,
                    decls,
                    diags,
                );
            }
            None => diags.push(
                Diagnostic::error(
                    "`depends_on` entries must be resources, such as `vpcep_service.api`",
                )
                .at(decl.file.span(span)),
            ),
        }
    }
    out
}

/// Checks all references of locals and resources and returns them in dependency order.
///
/// Cycles are reported; the nodes on or behind them come last, so their other problems are
/// still found (what they read from each other is then simply missing).
pub(crate) fn order(decls: &Decls<'_>, diags: &mut Vec<Diagnostic>) -> Vec<Node> {
    ordered(decls, diags).nodes
}

/// Locals and resources in dependency order (see [`order`]), with what each refers to.
pub(crate) struct Ordered {
    pub nodes: Vec<Node>,
    /// `refers[i]`: the positions in `nodes` of what `nodes[i]` refers to (all before `i`,
    /// except on a cycle).
    pub refers: Vec<Vec<usize>>,
}

impl Ordered {
    /// The nodes' places, in waves: a node's wave follows every wave that holds something it
    /// refers to, so the nodes of a wave can be evaluated at once, each place in order. From
    /// the first node that refers to one after it (on a cycle, last in the order) on, one node
    /// per wave, as one by one.
    pub(crate) fn waves(&self) -> Vec<Vec<usize>> {
        let n = self.nodes.len();
        let tail = (0..n)
            .find(|&i| self.refers[i].iter().any(|&j| j >= i))
            .unwrap_or(n);
        let mut wave_of = vec![0; tail];
        let mut waves: Vec<Vec<usize>> = Vec::new();
        for i in 0..tail {
            let wave = self.refers[i]
                .iter()
                .map(|&j| wave_of[j] + 1)
                .max()
                .unwrap_or(0);
            wave_of[i] = wave;
            if waves.len() <= wave {
                waves.resize_with(wave + 1, Vec::new);
            }
            waves[wave].push(i);
        }
        waves.extend((tail..n).map(|i| vec![i]));
        waves
    }
}

/// A reference: what is referred to, and where the reference is written.
type Reference = (Node, Option<Range<usize>>);

/// An edge of the dependency graph: the node referred to (by index), and where.
type Edge = (usize, Option<Range<usize>>);

/// What `node` refers to (each reference with where it is written), its expressions checked
/// for what they may refer to where they are; and the file it is in.
fn references_of<'d>(
    node: &Node,
    decls: &Decls<'d>,
    diags: &mut Vec<Diagnostic>,
) -> (&'d SourceFile, Vec<Reference>) {
    match node {
        Node::Local(name) => {
            let local = decls.locals[name];
            let allowed = Allowed::anywhere(true, "a local value");
            (
                local.file,
                check_expr(&local.attr.value, local.file, decls, allowed, diags),
            )
        }
        Node::Resource(id) => {
            let decl = decls.resources[id];
            let body = &decl.block.body;
            let for_each = body.get_attribute("for_each").map(|a| &raw const a.value);
            let count = body.get_attribute("count").map(|a| &raw const a.value);
            let has_for_each = for_each.is_some();
            let has_count = count.is_some();
            let mut deps = Vec::new();
            for expr in resource_exprs(id.rtype, body, decl.file) {
                let expr = expr.as_ref();
                let is_for_each = for_each.is_some_and(|f| std::ptr::eq(f, expr));
                let is_count = count.is_some_and(|c| std::ptr::eq(c, expr));
                let meta = if is_for_each {
                    Some("`for_each`")
                } else {
                    is_count.then_some("`count`")
                };
                let allowed = Allowed::in_block("a resource", has_for_each, has_count, meta);
                deps.extend(check_expr(expr, decl.file, decls, allowed, diags));
            }
            for (expr, post) in condition_exprs(body) {
                let block = if post {
                    "a `postcondition`"
                } else {
                    "a `precondition`"
                };
                let allowed = Allowed {
                    this: post,
                    ..Allowed::in_block(block, has_for_each, has_count, None)
                };
                deps.extend(check_expr(expr, decl.file, decls, allowed, diags));
            }
            deps.extend(
                depends_on(&decl, decls, diags)
                    .into_iter()
                    .map(|(id, span)| (Node::Resource(id), span)),
            );
            (decl.file, deps)
        }
        Node::Module(name) => {
            let decl = decls.modules[name];
            let body = &decl.block.body;
            let has_for_each = body.has_attribute("for_each");
            let has_count = body.has_attribute("count");
            let mut deps = Vec::new();
            for attr in body
                .attributes()
                .filter(|a| !matches!(a.key.as_str(), "source" | "providers" | "depends_on"))
            {
                let meta = match attr.key.as_str() {
                    "for_each" => Some("`for_each`"),
                    "count" => Some("`count`"),
                    _ => None,
                };
                let allowed = Allowed::in_block("a module call", has_for_each, has_count, meta);
                deps.extend(check_expr(&attr.value, decl.file, decls, allowed, diags));
            }
            deps.extend(
                depends_on(&decl, decls, diags)
                    .into_iter()
                    .map(|(id, span)| (Node::Resource(id), span)),
            );
            (decl.file, deps)
        }
        Node::Data(id) => {
            let decl = decls.data[id];
            let body = &decl.block.body;
            let has_for_each = body.has_attribute("for_each");
            let has_count = body.has_attribute("count");
            let mut deps = Vec::new();
            for attr in body.attributes().filter(|a| a.key.as_str() != "provider") {
                let is_for_each = attr.key.as_str() == "for_each";
                let is_count = attr.key.as_str() == "count";
                let meta = if is_for_each {
                    Some("`for_each`")
                } else {
                    is_count.then_some("`count`")
                };
                let allowed = Allowed::in_block("a data source", has_for_each, has_count, meta);
                deps.extend(check_expr(&attr.value, decl.file, decls, allowed, diags));
            }
            (decl.file, deps)
        }
    }
}

/// The error for a dependency cycle: the path around it, each step with where its reference
/// is written, at the first step's reference.
fn cycle_diagnostic(
    cycle: &[usize],
    nodes: &[Node],
    edges: &[Vec<Edge>],
    files: &[&SourceFile],
    decls: &Decls<'_>,
) -> Diagnostic {
    let path: Vec<String> = cycle
        .iter()
        .chain(cycle.first())
        .map(|&i| format!("`{}`", nodes[i]))
        .collect();
    let first = cycle[0];
    let mut d = Diagnostic::error(format!("dependency cycle: {}", path.join(" -> ")));
    for (step, &from) in cycle.iter().enumerate() {
        let to = cycle[(step + 1) % cycle.len()];
        if let Some((_, span)) = edges[from].iter().find(|(j, _)| *j == to) {
            let loc = files[from].span(span.clone());
            let place = loc.map_or_else(String::new, |l| {
                format!(" at {}:{}:{}", l.file, l.line, l.column)
            });
            if step == 0 {
                d = d.at(files[from].span(span.clone()));
            }
            d = d.note(format!(
                "`{}` refers to `{}`{place}",
                nodes[from], nodes[to]
            ));
        }
    }
    if d.location.is_none()
        && let Node::Resource(id) = &nodes[first]
    {
        d = d.at(decls.resources[id].location());
    }
    d.help(
        "break the cycle: a resource or local cannot depend on itself, directly or through others",
    )
}

/// [`order`], keeping what each node refers to.
pub(crate) fn ordered(decls: &Decls<'_>, diags: &mut Vec<Diagnostic>) -> Ordered {
    let nodes: Vec<Node> = decls
        .locals
        .keys()
        .map(|n| Node::Local(n.clone()))
        .chain(decls.resources.keys().map(|id| Node::Resource(id.clone())))
        .chain(decls.data.keys().map(|id| Node::Data(id.clone())))
        .chain(decls.modules.keys().map(|n| Node::Module(n.clone())))
        .collect();
    let positions: std::collections::HashMap<&Node, usize> =
        nodes.iter().enumerate().map(|(i, n)| (n, i)).collect();
    let index = |node: &Node| positions.get(node).copied();
    let mut edges: Vec<Vec<Edge>> = vec![Vec::new(); nodes.len()];
    let mut files: Vec<&SourceFile> = Vec::with_capacity(nodes.len());
    for (i, node) in nodes.iter().enumerate() {
        let (file, deps) = references_of(node, decls, diags);
        files.push(file);
        edges[i] = deps
            .into_iter()
            .filter_map(|(node, span)| index(&node).map(|j| (j, span)))
            .collect();
    }
    let plain: Vec<Vec<usize>> = edges
        .iter()
        .map(|e| e.iter().map(|(j, _)| *j).collect())
        .collect();
    let sorted = topo_order(&plain);
    for cycle in sorted.cycles {
        diags.push(cycle_diagnostic(&cycle, &nodes, &edges, &files, decls));
    }
    let sequence: Vec<usize> = sorted.order.into_iter().chain(sorted.stuck).collect();
    let mut position = vec![0; nodes.len()];
    for (at, &i) in sequence.iter().enumerate() {
        position[i] = at;
    }
    Ordered {
        refers: sequence
            .iter()
            .map(|&i| plain[i].iter().map(|&j| position[j]).collect())
            .collect(),
        nodes: sequence.iter().map(|&i| nodes[i].clone()).collect(),
    }
}

/// The variables the `provider` and `backend` blocks read, directly or through locals.
pub(crate) fn settings_variables(decls: &Decls<'_>) -> std::collections::HashSet<String> {
    let exprs: Vec<&Expr> = decls
        .provider
        .iter()
        .chain(decls.aliased.iter())
        .chain(decls.backend.iter())
        .flat_map(|d| d.block.body.attributes().map(|a| &a.value))
        .collect();
    variables_read_by(decls, exprs)
}

/// The variables the provider blocks' credentials read (directly or through locals): their
/// values are secrets, never saved in a plan, and asked for again when one is applied.
pub(crate) fn credential_variables(decls: &Decls<'_>) -> std::collections::HashSet<String> {
    let exprs: Vec<&Expr> = decls
        .provider
        .iter()
        .chain(decls.aliased.iter())
        .flat_map(|d| {
            d.block
                .body
                .attributes()
                .filter(|a| crate::cloud::auth::SECRET_ATTRIBUTES.contains(&a.key.as_str()))
                .map(|a| &a.value)
        })
        .collect();
    variables_read_by(decls, exprs)
}

/// The variables `exprs` read, directly or through locals.
fn variables_read_by<'a>(
    decls: &'a Decls<'a>,
    mut exprs: Vec<&'a Expr>,
) -> std::collections::HashSet<String> {
    let mut vars = std::collections::HashSet::new();
    let mut seen_locals = std::collections::HashSet::new();
    while let Some(expr) = exprs.pop() {
        let Some(expr) = expr.hcl() else { continue };
        for r in super::refs::Refs::of(expr).found {
            match r.kind {
                super::refs::RefKind::Var(name) => {
                    vars.insert(name);
                }
                super::refs::RefKind::Local(name) => {
                    if seen_locals.insert(name.clone())
                        && let Some(local) = decls.locals.get(&name)
                    {
                        exprs.push(&local.attr.value);
                    }
                }
                _ => {}
            }
        }
    }
    vars
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A node waits for every wave holding what it refers to; from a cycle on, one by one.
    #[test]
    fn waves_follow_references_and_cycles_go_one_by_one() {
        let ordered = Ordered {
            nodes: (0..7).map(|i| Node::Local(format!("l{i}"))).collect(),
            refers: vec![
                vec![],
                vec![0],
                vec![],
                vec![1, 2],
                vec![0],
                vec![6],
                vec![5],
            ],
        };
        assert_eq!(
            ordered.waves(),
            vec![vec![0, 2], vec![1, 4], vec![3], vec![5], vec![6]]
        );
    }
}
