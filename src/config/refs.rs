//! Finds what an expression refers to (variables, locals, `each`, resources, functions), with spans.
//!
//! Names bound by `for` expressions and template `for` directives are tracked, so
//! `[for s in var.x : s.id]` refers to `var.x` only.

use crate::model::data::{DataId, DataType};
use crate::model::{ResourceId, ResourceType};
use hcl::edit::Span as _;
use hcl::edit::expr::{Expression, ForExpr, FuncCall, Traversal, TraversalOperator};
use hcl::edit::template::ForDirective;
use hcl::edit::visit::{self, Visit};
use std::ops::Range;

/// The instance key part of a resource reference.
#[derive(Debug, Clone)]
pub(crate) enum KeyRef {
    /// No index: the reference names the resource as a whole (or a single instance).
    None,
    /// `[expr]`: evaluated when the reference is resolved.
    Expr(Expression),
    /// `[*]` or `.*`: every instance.
    Splat,
}

#[derive(Debug, Clone)]
pub(crate) enum RefKind {
    Var(String),
    Local(String),
    /// `each.key` or `each.value`.
    Each,
    /// `count.index`.
    Count,
    /// `self.ATTR`, in a `postcondition`.
    SelfRef,
    /// `module.NAME.OUTPUT` or `module.NAME[KEY].OUTPUT`.
    Module {
        name: String,
        key: KeyRef,
        output: Option<String>,
    },
    /// `path.module`, `path.root` or `path.cwd`.
    Path,
    Resource {
        id: ResourceId,
        key: KeyRef,
        attr: Option<String>,
        attr_span: Option<Range<usize>>,
    },
    /// `data.TYPE.NAME[KEY].ATTR`.
    Data {
        id: DataId,
        key: KeyRef,
        attr: Option<String>,
        attr_span: Option<Range<usize>>,
    },
}

#[derive(Debug, Clone)]
pub(crate) struct Reference {
    pub kind: RefKind,
    pub span: Option<Range<usize>>,
}

/// A reference that cannot be right whatever is declared (e.g. `var` with no name).
#[derive(Debug, Clone)]
pub(crate) struct Problem {
    pub message: String,
    pub help: Option<String>,
    pub span: Option<Range<usize>>,
}

/// Everything an expression refers to.
#[derive(Debug, Default)]
pub(crate) struct Refs {
    pub found: Vec<Reference>,
    /// Unknown root names, e.g. `foo` in `foo.bar`.
    pub unknown_roots: Vec<(String, Option<Range<usize>>)>,
    pub funcs: Vec<(String, Option<Range<usize>>)>,
    pub problems: Vec<Problem>,
}

impl Refs {
    pub(crate) fn of(expr: &Expression) -> Refs {
        let mut collector = Collector {
            out: Refs::default(),
            bound: Vec::new(),
        };
        collector.visit_expr(expr);
        collector.out
    }

    pub(crate) fn calls_functions(&self) -> bool {
        !self.funcs.is_empty()
    }
}

struct Collector {
    out: Refs,
    /// Names bound by enclosing `for` expressions.
    bound: Vec<String>,
}

impl Collector {
    fn problem(&mut self, message: String, help: Option<&str>, span: Option<Range<usize>>) {
        self.out.problems.push(Problem {
            message,
            help: help.map(str::to_owned),
            span,
        });
    }

    fn root(
        &mut self,
        name: &str,
        ops: &[hcl::edit::Decorated<TraversalOperator>],
        span: Option<Range<usize>>,
    ) {
        if self.bound.iter().any(|b| b == name) {
            return;
        }
        let first_attr = match ops.first().map(hcl::edit::Decorated::value) {
            Some(TraversalOperator::GetAttr(ident)) => Some(ident.as_str().to_owned()),
            _ => None,
        };
        match name {
            "var" | "local" => {
                let Some(attr) = first_attr else {
                    let example = if name == "var" {
                        "var.region"
                    } else {
                        "local.tags"
                    };
                    self.problem(
                        format!("`{name}` must be followed by a name"),
                        Some(&format!("write it as in `{example}`")),
                        span,
                    );
                    return;
                };
                let kind = if name == "var" {
                    RefKind::Var(attr)
                } else {
                    RefKind::Local(attr)
                };
                self.out.found.push(Reference { kind, span });
            }
            "data" => self.data(ops, span),
            "module" => {
                let Some(name) = first_attr else {
                    self.problem(
                        "`module` must be followed by a module name".into(),
                        Some("write it as in `module.NAME.OUTPUT`"),
                        span,
                    );
                    return;
                };
                let (key, rest) = self.key_and_rest(&ops[1..]);
                let (output, _) = attr_of(rest);
                self.out.found.push(Reference {
                    kind: RefKind::Module { name, key, output },
                    span,
                });
            }
            "self" => {
                if first_attr.is_some() {
                    self.out.found.push(Reference {
                        kind: RefKind::SelfRef,
                        span,
                    });
                } else {
                    self.problem(
                        "`self` must be followed by an attribute".into(),
                        Some("write e.g. `self.status`"),
                        span,
                    );
                }
            }
            "count" => match first_attr.as_deref() {
                Some("index") => self.out.found.push(Reference {
                    kind: RefKind::Count,
                    span,
                }),
                _ => self.problem(
                    "`count` has only the attribute `index`".into(),
                    Some("write `count.index`"),
                    span,
                ),
            },
            "path" => match first_attr.as_deref() {
                Some("module" | "root" | "cwd") => self.out.found.push(Reference {
                    kind: RefKind::Path,
                    span,
                }),
                _ => self.problem(
                    "`path` has only the attributes `module`, `root` and `cwd`".into(),
                    Some("write `path.module`, e.g. `file(\"${path.module}/policy.json\")`"),
                    span,
                ),
            },
            // The workspace; `terraform.workspace` is the same value, for configurations moved
            // from Terraform.
            "terraform" | "vpcep" => match first_attr.as_deref() {
                Some("workspace") => self.out.found.push(Reference {
                    kind: RefKind::Path,
                    span,
                }),
                _ => self.problem(
                    format!("`{name}` has only the attribute `workspace`"),
                    Some("write `vpcep.workspace` (or `terraform.workspace`)"),
                    span,
                ),
            },
            "each" => match first_attr.as_deref() {
                Some("key" | "value") => self.out.found.push(Reference {
                    kind: RefKind::Each,
                    span,
                }),
                _ => self.problem(
                    "`each` has only the attributes `key` and `value`".into(),
                    Some("write `each.key` or `each.value`"),
                    span,
                ),
            },
            _ => {
                if let Some(rtype) = ResourceType::parse(name) {
                    self.resource(rtype, first_attr, ops, span);
                } else {
                    self.out.unknown_roots.push((name.to_owned(), span));
                }
            }
        }
    }

    fn data(
        &mut self,
        ops: &[hcl::edit::Decorated<TraversalOperator>],
        span: Option<Range<usize>>,
    ) {
        let attr_at = |i: usize| match ops.get(i).map(hcl::edit::Decorated::value) {
            Some(TraversalOperator::GetAttr(ident)) => Some(ident.as_str().to_owned()),
            _ => None,
        };
        let (Some(type_name), Some(name)) = (attr_at(0), attr_at(1)) else {
            self.problem(
                "`data` must be followed by a data source type and name".into(),
                Some("write it as in `data.vpcep_service_summary.NAME.id`"),
                span,
            );
            return;
        };
        let Some(dtype) = DataType::parse(&type_name) else {
            let types: Vec<&str> = DataType::ALL.iter().map(|t| t.as_str()).collect();
            self.problem(
                format!("unknown data source `{type_name}`"),
                Some(&format!("the data sources are {}", types.join(", "))),
                span,
            );
            return;
        };
        let (key, rest) = self.key_and_rest(&ops[2..]);
        let (attr, attr_span) = attr_of(rest);
        self.out.found.push(Reference {
            kind: RefKind::Data {
                id: DataId { dtype, name },
                key,
                attr,
                attr_span,
            },
            span,
        });
    }

    /// The instance key at the start of `ops` (an index or a splat), and what follows it.
    fn key_and_rest<'o>(
        &self,
        ops: &'o [hcl::edit::Decorated<TraversalOperator>],
    ) -> (KeyRef, &'o [hcl::edit::Decorated<TraversalOperator>]) {
        match ops.first().map(hcl::edit::Decorated::value) {
            Some(TraversalOperator::Index(expr)) => {
                // A key built from a `for` variable varies per iteration: the reference reads
                // every instance.
                let key = if mentions(expr, &self.bound) {
                    KeyRef::Splat
                } else {
                    KeyRef::Expr(expr.clone())
                };
                (key, &ops[1..])
            }
            Some(TraversalOperator::FullSplat(_) | TraversalOperator::AttrSplat(_)) => {
                (KeyRef::Splat, &ops[1..])
            }
            _ => (KeyRef::None, ops),
        }
    }

    fn resource(
        &mut self,
        rtype: ResourceType,
        resource_name: Option<String>,
        ops: &[hcl::edit::Decorated<TraversalOperator>],
        span: Option<Range<usize>>,
    ) {
        let Some(resource_name) = resource_name else {
            self.problem(
                format!("`{rtype}` must be followed by a resource name"),
                Some(&format!("write it as in `{rtype}.NAME.id`")),
                span,
            );
            return;
        };
        let (key, rest) = self.key_and_rest(&ops[1..]);
        let (attr, attr_span) = attr_of(rest);
        self.out.found.push(Reference {
            kind: RefKind::Resource {
                id: ResourceId::new(rtype, resource_name),
                key,
                attr,
                attr_span,
            },
            span,
        });
    }

    fn with_bound(&mut self, names: Vec<String>, f: impl FnOnce(&mut Self)) {
        let depth = self.bound.len();
        self.bound.extend(names);
        f(self);
        self.bound.truncate(depth);
    }
}

/// The attribute named first in `ops`, with its span.
fn attr_of(
    ops: &[hcl::edit::Decorated<TraversalOperator>],
) -> (Option<String>, Option<Range<usize>>) {
    match ops.first() {
        Some(op) => match op.value() {
            TraversalOperator::GetAttr(ident) => (Some(ident.as_str().to_owned()), op.span()),
            _ => (None, None),
        },
        None => (None, None),
    }
}

/// Whether `expr` mentions any of `names` as a variable.
fn mentions(expr: &Expression, names: &[String]) -> bool {
    struct Finder<'a> {
        names: &'a [String],
        found: bool,
    }
    impl Visit for Finder<'_> {
        fn visit_expr(&mut self, expr: &Expression) {
            if let Expression::Variable(ident) = expr {
                self.found |= self.names.iter().any(|n| n == ident.as_str());
            }
            visit::visit_expr(self, expr);
        }
    }
    let mut finder = Finder {
        names,
        found: false,
    };
    finder.visit_expr(expr);
    finder.found
}

impl Visit for Collector {
    fn visit_expr(&mut self, expr: &Expression) {
        if let Expression::Variable(ident) = expr {
            let name = ident.as_str();
            if self.bound.iter().any(|b| b == name) {
                return;
            }
            if matches!(
                name,
                "var" | "local" | "each" | "count" | "self" | "data" | "path" | "module"
            ) || ResourceType::parse(name).is_some()
            {
                self.root(name, &[], expr.span());
            } else {
                self.out.unknown_roots.push((name.to_owned(), expr.span()));
            }
            return;
        }
        visit::visit_expr(self, expr);
    }

    fn visit_traversal(&mut self, node: &Traversal) {
        if let Expression::Variable(ident) = &node.expr {
            self.root(ident.as_str(), &node.operators, node.span());
        } else {
            self.visit_expr(&node.expr);
        }
        for op in &node.operators {
            if let TraversalOperator::Index(expr) = op.value() {
                self.visit_expr(expr);
            }
        }
    }

    fn visit_func_call(&mut self, node: &FuncCall) {
        let name = node.name.name.as_str().to_owned();
        self.out.funcs.push((name, node.name.name.span()));
        for arg in &node.args {
            self.visit_expr(arg);
        }
    }

    fn visit_for_expr(&mut self, node: &ForExpr) {
        self.visit_expr(&node.intro.collection_expr);
        let mut names = vec![node.intro.value_var.as_str().to_owned()];
        if let Some(k) = &node.intro.key_var {
            names.push(k.as_str().to_owned());
        }
        self.with_bound(names, |this| {
            if let Some(k) = &node.key_expr {
                this.visit_expr(k);
            }
            this.visit_expr(&node.value_expr);
            if let Some(cond) = &node.cond {
                this.visit_expr(&cond.expr);
            }
        });
    }

    fn visit_for_directive(&mut self, node: &ForDirective) {
        let intro = &node.for_expr;
        self.visit_expr(&intro.collection_expr);
        let mut names = vec![intro.value_var.as_str().to_owned()];
        if let Some(k) = &intro.key_var {
            names.push(k.as_str().to_owned());
        }
        self.with_bound(names, |this| this.visit_template(&intro.template));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refs(src: &str) -> Refs {
        Refs::of(&hcl::edit::parser::parse_expr(src).unwrap())
    }

    #[test]
    fn finds_variables_locals_and_resources() {
        let r = refs(r#""${var.a}-${local.b}" == vpcep_service.fleet[each.key].id"#);
        let kinds: Vec<String> = r.found.iter().map(|r| format!("{:?}", r.kind)).collect();
        assert_eq!(r.found.len(), 4, "{kinds:?}");
        assert!(
            matches!(&r.found[2].kind, RefKind::Resource { attr: Some(a), key: KeyRef::Expr(_), .. } if a == "id")
        );
    }

    #[test]
    fn for_expression_names_are_not_references() {
        let r = refs("[for k, s in var.services : s.port_id if k != \"x\"]");
        assert_eq!(r.found.len(), 1);
        assert!(r.unknown_roots.is_empty());
    }

    #[test]
    fn unknown_roots_and_functions_are_reported() {
        let r = refs("foo(bar.baz)");
        assert_eq!(r.funcs[0].0, "foo");
        assert_eq!(r.unknown_roots[0].0, "bar");
    }
}
