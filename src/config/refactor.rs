//! `moved`, `removed` and `import` blocks: their addresses read as written (not evaluated),
//! `import`'s `id` evaluated, and the rules the configuration alone decides — types that
//! match, a destination that is configured, a source that is not, no cycle of moves.

use super::body::check_names;
use super::decls::{Decl, Decls};
use super::eval::{EachValue, Scope};
use crate::diag::Diagnostic;
use crate::model::refactor::{Import, Moved, Refactors, Removed, Target};
use crate::model::{Address, ResourceId, ResourceType, Value};
use hcl::edit::expr::{Expression, TraversalOperator};
use indexmap::IndexMap;

/// Reads every refactoring block; `desired` are the configured instances.
pub(crate) fn collect(
    decls: &Decls<'_>,
    scope: &Scope,
    desired: &IndexMap<Address, crate::model::ResourceInstance>,
    generating: bool,
    diags: &mut Vec<Diagnostic>,
) -> Refactors {
    let mut out = Refactors::default();
    let mut moves: Vec<(&Decl<'_>, Moved)> = Vec::new();
    for decl in &decls.refactors {
        let kind = decl.block.ident.as_str();
        let at = decl.position();
        match kind {
            "moved" => {
                check_names(
                    decl.file,
                    &decl.block.body,
                    "a `moved` block",
                    &["from", "to"],
                    &[],
                    diags,
                );
                let (Some(from), Some(to)) =
                    (target(decl, "from", diags), target(decl, "to", diags))
                else {
                    continue;
                };
                moves.push((decl, Moved { from, to, at }));
            }
            "removed" => {
                check_names(
                    decl.file,
                    &decl.block.body,
                    "a `removed` block",
                    &["from"],
                    &["lifecycle"],
                    diags,
                );
                let Some(from) = target(decl, "from", diags) else {
                    continue;
                };
                let destroy = removed_destroy(decl, scope, diags);
                let configured = match &from {
                    Target::Resource(id) => decls.resources.contains_key(id),
                    Target::Instance(a) => desired.contains_key(a),
                    Target::Module(path) => desired
                        .keys()
                        .any(|a| Target::Module(path.clone()).matches(a)),
                };
                if configured {
                    diags.push(
                        Diagnostic::error(format!(
                            "the `removed` block names `{from}`, which the configuration still declares"
                        ))
                        .at(decl.location())
                        .help(format!("remove the resource block of `{from}`, or the `removed` block")),
                    );
                    continue;
                }
                out.removed.push(Removed { from, destroy, at });
            }
            _ => {
                check_names(
                    decl.file,
                    &decl.block.body,
                    "an `import` block",
                    &["to", "id", "for_each"],
                    &[],
                    diags,
                );
                // `for_each` imports one object per element, `to`'s key and `id` read from
                // `each` (as Terraform ≥ 1.7).
                let elements = if decl.block.body.has_attribute("for_each") {
                    let Some(elements) = super::resources::for_each(&"import", decl, scope, diags)
                    else {
                        continue;
                    };
                    elements.into_iter().map(|(_, each)| each).collect()
                } else {
                    vec![None]
                };
                for each in elements {
                    if !import_one(
                        decl,
                        scope,
                        each.as_ref(),
                        desired,
                        generating,
                        &mut out,
                        diags,
                    ) {
                        break;
                    }
                }
            }
        }
    }
    let in_cycle = cycles(&moves, diags);
    // Where moves start: a move to one of them is a step of a chain (`a` to `x`, `x` to `y`).
    let starts: Vec<Target> = moves.iter().map(|(_, m)| m.from.clone()).collect();
    for (decl, m) in moves {
        if in_cycle.contains(&m.at) {
            continue;
        }
        if let Some(m) = check_moved(decl, decls, desired, &starts, m, diags) {
            out.moved.push(m);
        }
    }
    out
}

/// One object an `import` block imports (for `each` element of its `for_each`); false when
/// the block is wrong in a way every element would repeat.
fn import_one(
    decl: &Decl<'_>,
    scope: &Scope,
    each: Option<&EachValue>,
    desired: &IndexMap<Address, crate::model::ResourceInstance>,
    generating: bool,
    out: &mut Refactors,
    diags: &mut Vec<Diagnostic>,
) -> bool {
    let at = decl.position();
    let Some(to) = target_in(decl, "to", Some((scope, each)), diags) else {
        return false;
    };
    let to = match to {
        Target::Instance(a) => a,
        Target::Resource(id) => Address {
            resource: id,
            key: None,
        },
        Target::Module(path) => {
            diags.push(
                Diagnostic::error(format!(
                    "an `import` block imports into a resource, not into `{path}`"
                ))
                .at(decl.location())
                .help("write `to = module.NAME.vpcep_service.NAME`"),
            );
            return false;
        }
    };
    let declared = desired.keys().any(|a| a.resource == to.resource);
    if generating && !declared && to.key.is_none() {
        let Some(id) = import_id(decl, scope, each, diags) else {
            return false;
        };
        out.unconfigured.push(Import { to, id, at });
        return true;
    }
    if !desired.contains_key(&to) {
        diags.push(
            Diagnostic::error(format!(
                "the `import` block imports into `{to}`, which the configuration does not declare"
            ))
            .at(decl.location())
            .help(if declared || to.key.is_some() {
                "add the resource block first (the import reads the cloud object into it)"
            } else {
                "add the resource block first, or let `vpcep plan --generate-config-out=FILE` write it"
            }),
        );
        return false;
    }
    let Some(id) = import_id(decl, scope, each, diags) else {
        return false;
    };
    if let Some(first) = out.imports.iter().find(|i| i.to == to) {
        diags.push(
            Diagnostic::error(format!("`{to}` is imported twice"))
                .at(decl.location())
                .note(format!("the first `import` block is at {}", first.at)),
        );
        return true;
    }
    out.imports.push(Import { to, id, at });
    true
}

/// An address written as `TYPE.NAME` or `TYPE.NAME["key"]`.
fn target(decl: &Decl<'_>, name: &str, diags: &mut Vec<Diagnostic>) -> Option<Target> {
    target_in(decl, name, None, diags)
}

/// [`target`], its keys evaluated when `scope` is given (an `import`'s `to =
/// vpcep_service.api[each.key]`); without it, keys are literals.
fn target_in(
    decl: &Decl<'_>,
    name: &str,
    scope: Option<(&Scope, Option<&EachValue>)>,
    diags: &mut Vec<Diagnostic>,
) -> Option<Target> {
    let kind = decl.block.ident.as_str();
    let Some(attr) = decl.block.body.get_attribute(name) else {
        diags.push(
            Diagnostic::error(format!("the `{kind}` block has no `{name}`"))
                .at(decl.location())
                .help(format!(
                    "write `{name} = vpcep_service.NAME` (a resource address, not a string)"
                )),
        );
        return None;
    };
    let parsed = attr.value.hcl().and_then(|e| match e {
        Expression::Traversal(t) => {
            let Expression::Variable(root) = &t.expr else {
                return None;
            };
            let ops: Vec<&TraversalOperator> = t
                .operators
                .iter()
                .map(hcl::edit::Decorated::value)
                .collect();
            let problems = std::cell::RefCell::new(Vec::new());
            let key = |op: &TraversalOperator| {
                key_of(op).or_else(|| {
                    let (scope, each) = scope?;
                    let TraversalOperator::Index(index) = op else {
                        return None;
                    };
                    let expr = super::syntax::Expr::from_hcl(index.clone());
                    let value = scope.eval(
                        &expr,
                        each,
                        decl.file,
                        &mut problems.borrow_mut(),
                        &mut Vec::new(),
                    );
                    match value? {
                        Value::String(k) => Some(k.to_string()),
                        Value::Number(n) => n.as_u64().map(crate::model::address::count_key),
                        _ => None,
                    }
                })
            };
            let parsed = parse_target(root.as_str(), &ops, &key);
            diags.append(&mut problems.into_inner());
            parsed
        }
        _ => None,
    });
    if parsed.is_none() {
        diags.push(
            Diagnostic::error(format!(
                "`{name}` of a `{kind}` block must be a resource address"
            ))
            .at(decl.file.span(attr.value.span()))
            .help(
                "write it as `vpcep_service.NAME` or `vpcep_service.NAME[\"key\"]`, without quotes",
            ),
        );
    }
    parsed
}

/// A key written in an address: `["k"]` or `[0]`.
fn key_of(op: &TraversalOperator) -> Option<String> {
    match op {
        TraversalOperator::Index(Expression::String(k)) => Some(k.value().clone()),
        TraversalOperator::Index(Expression::Number(n)) => {
            n.value().as_u64().map(crate::model::address::count_key)
        }
        _ => None,
    }
}

/// `TYPE.NAME`, `TYPE.NAME[KEY]`, `module.NAME[KEY]` (a module instance), or a resource inside
/// modules: `module.NAME[KEY].TYPE.NAME[KEY]`.
fn parse_target(
    root: &str,
    ops: &[&TraversalOperator],
    key_of: &dyn Fn(&TraversalOperator) -> Option<String>,
) -> Option<Target> {
    let mut path = String::new();
    let mut root = root.to_owned();
    let mut rest = ops;
    while root == "module" {
        let (TraversalOperator::GetAttr(name), after) = rest.split_first()? else {
            return None;
        };
        if !path.is_empty() {
            path.push('.');
        }
        path.push_str("module.");
        path.push_str(name.as_str());
        rest = after;
        if let Some(key) = rest.first().and_then(|op| key_of(op)) {
            path.push_str(&crate::model::Address::key_text(&key));
            rest = &rest[1..];
        }
        match rest.split_first() {
            None => return Some(Target::Module(path)),
            Some((TraversalOperator::GetAttr(next), after)) => {
                next.as_str().clone_into(&mut root);
                rest = after;
            }
            Some(_) => return None,
        }
    }
    let rtype = ResourceType::parse(&root)?;
    let (TraversalOperator::GetAttr(rname), rest) = rest.split_first()? else {
        return None;
    };
    let mut id = ResourceId::new(rtype, rname.as_str());
    if !path.is_empty() {
        id = id.in_module(&path);
    }
    match rest {
        [] => Some(Target::Resource(id)),
        [op] => key_of(op).map(|key| {
            Target::Instance(Address {
                resource: id,
                key: Some(key),
            })
        }),
        _ => None,
    }
}

fn check_moved(
    decl: &Decl<'_>,
    decls: &Decls<'_>,
    desired: &IndexMap<Address, crate::model::ResourceInstance>,
    starts: &[Target],
    m: Moved,
    diags: &mut Vec<Diagnostic>,
) -> Option<Moved> {
    let err = |message: String, help: &str| {
        Diagnostic::error(message)
            .at(decl.location())
            .help(help.to_owned())
    };
    // A module instance moves as a whole, to another instance of a module call.
    match (&m.from, &m.to) {
        (Target::Module(_), Target::Module(to)) => {
            let call = to
                .trim_start_matches("module.")
                .split(['.', '['])
                .next()
                .unwrap_or_default();
            if m.from == m.to {
                diags.push(err(
                    format!("`moved` from `{}` to itself", m.from),
                    "remove the block",
                ));
                return None;
            }
            if !decls.modules.contains_key(call) {
                diags.push(err(
                    format!("`moved` to `{to}`, but the configuration calls no module `{call}`"),
                    "a move's destination is a module call of the configuration: add its `module` block",
                ));
                return None;
            }
            return Some(m);
        }
        (Target::Module(_), _) | (_, Target::Module(_)) => {
            diags.push(err(
                format!("`moved` from `{}` to `{}`: a module moves to a module, a resource to a resource", m.from, m.to),
                "move a module instance to another (`module.a[\"x\"]` to `module.a[\"y\"]`), or a resource to a resource",
            ));
            return None;
        }
        _ => {}
    }
    let (Some(from_id), Some(to_id)) = (m.from.resource(), m.to.resource()) else {
        return None;
    };
    if from_id.rtype != to_id.rtype {
        diags.push(err(
            format!("`moved` from `{}` to `{}`: a resource cannot change its type", m.from, m.to),
            "move between addresses of one type; to change the type, remove one resource and add the other",
        ));
        return None;
    }
    if m.from == m.to {
        diags.push(err(
            format!("`moved` from `{}` to itself", m.from),
            "remove the block",
        ));
        return None;
    }
    // A resource of the root, or one of a module instance's resources.
    let declared = |id: &ResourceId| {
        decls.resources.contains_key(id) || desired.keys().any(|a| a.resource == *id)
    };
    // The destination of one step of a chain is the source of the next: not declared, and
    // never recorded for long (the chain is followed to its end).
    let chained = starts.iter().any(|start| match (start, &m.to) {
        (Target::Resource(a), to) | (to, Target::Resource(a)) => to.resource() == Some(a),
        (a, b) => a == b,
    });
    if !declared(to_id) && !chained {
        diags.push(err(
            format!(
                "`moved` to `{}`, which the configuration does not declare",
                m.to
            ),
            "a move's destination is a resource of the configuration: add its block",
        ));
        return None;
    }
    let still = match &m.from {
        Target::Resource(id) => declared(id),
        Target::Instance(a) => desired.contains_key(a),
        Target::Module(_) => false,
    };
    if still {
        diags.push(err(
            format!("`moved` from `{}`, which the configuration still declares", m.from),
            "the source of a move is an address that no longer exists: rename the resource block (or its key) first",
        ));
        return None;
    }
    Some(m)
}

/// A cycle of moves (`a` to `b`, `b` to `a`) would never end: an error naming every step, once
/// per cycle. Returns where the blocks in cycles are.
fn cycles(moves: &[(&Decl<'_>, Moved)], diags: &mut Vec<Diagnostic>) -> Vec<String> {
    let mut in_cycle: Vec<String> = Vec::new();
    for (decl, start) in moves {
        if in_cycle.contains(&start.at) {
            continue;
        }
        let mut path = vec![(&start.from, &start.at)];
        let mut at = &start.to;
        for _ in 0..moves.len() {
            if at == path[0].0 {
                let steps: Vec<String> = path.iter().map(|(t, _)| t.to_string()).collect();
                diags.push(
                    Diagnostic::error(format!(
                        "the `moved` blocks form a cycle: {} -> {}",
                        steps.join(" -> "),
                        path[0].0
                    ))
                    .at(decl.location())
                    .note(format!(
                        "the blocks are at {}",
                        path.iter()
                            .map(|(_, a)| (*a).clone())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ))
                    .help("a move goes one way: remove the block that moves back"),
                );
                in_cycle.extend(path.iter().map(|(_, a)| (*a).clone()));
                break;
            }
            let Some((_, next)) = moves.iter().find(|(_, m)| m.from == *at) else {
                break;
            };
            path.push((&next.from, &next.at));
            at = &next.to;
        }
    }
    in_cycle
}

fn removed_destroy(decl: &Decl<'_>, scope: &Scope, diags: &mut Vec<Diagnostic>) -> bool {
    let Some(block) = decl.block.body.get_blocks("lifecycle").next() else {
        return true;
    };
    check_names(
        decl.file,
        &block.body,
        "the `lifecycle` of a `removed` block",
        &["destroy"],
        &[],
        diags,
    );
    let Some(attr) = block.body.get_attribute("destroy") else {
        return true;
    };
    match scope.eval(&attr.value, None, decl.file, diags, &mut Vec::new()) {
        Some(Value::Bool(b)) => b,
        Some(_) => {
            diags.push(
                Diagnostic::error("`destroy` must be true or false")
                    .at(decl.file.span(attr.value.span()))
                    .help("`destroy = false` forgets the resource and leaves it in the cloud"),
            );
            true
        }
        None => true,
    }
}

fn import_id(
    decl: &Decl<'_>,
    scope: &Scope,
    each: Option<&EachValue>,
    diags: &mut Vec<Diagnostic>,
) -> Option<String> {
    let Some(attr) = decl.block.body.get_attribute("id") else {
        diags.push(
            Diagnostic::error("the `import` block has no `id`")
                .at(decl.location())
                .help("write `id = \"...\"`: the cloud's ID of the object to import"),
        );
        return None;
    };
    match scope.eval(&attr.value, each, decl.file, diags, &mut Vec::new())? {
        Value::String(s) if !s.is_empty() => Some(s.to_string()),
        Value::Unknown => {
            diags.push(
                Diagnostic::error("the `id` of an `import` block must be known when planning")
                    .at(decl.file.span(attr.value.span()))
                    .help("use a literal, a variable or a local"),
            );
            None
        }
        other => {
            diags.push(
                Diagnostic::error(format!(
                    "the `id` of an `import` block must be a non-empty string, got {other}"
                ))
                .at(decl.file.span(attr.value.span())),
            );
            None
        }
    }
}
