//! `dynamic "NAME" { for_each = ..., iterator = NAME, content { ... } }` blocks, desugared into
//! one `for` expression that yields the blocks' objects:
//! `[for k, v in FOR_EACH : { attr = EXPR, ... }]`, with the iterator (`NAME.key`,
//! `NAME.value`) bound to `{ key = k, value = v }`. References, dependencies and evaluation
//! then need nothing of their own.

use super::syntax::{Block, Body, Expr, Structure};
use crate::diag::{Diagnostic, SourceFile};
use hcl::edit::expr::{Expression, ForExpr, ForIntro, Object, ObjectKey, ObjectValue};
use hcl::edit::visit_mut::{self, VisitMut};
use hcl::edit::{Decorated, Ident};

/// The names the desugared `for` binds (not writable in a configuration).
const KEY: &str = "__vpcep_dynamic_key";
const VALUE: &str = "__vpcep_dynamic_value";

/// One `dynamic` block, desugared.
pub(crate) struct Dynamic<'a> {
    /// The block it generates (`port`).
    pub name: &'a str,
    pub block: &'a Block,
    /// The `for` expression that yields one object per generated block.
    pub expr: Expr,
}

/// The `dynamic` blocks of `body` that generate blocks named one of `names`; the others, and
/// malformed ones, are reported.
pub(crate) fn collect<'a>(
    body: &'a Body,
    names: &[&str],
    file: &SourceFile,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Dynamic<'a>> {
    let mut out = Vec::new();
    for block in body.get_blocks("dynamic") {
        let at = file.span(block.ident.span());
        let Some(name) = block.labels.first().map(super::syntax::Ident::as_str) else {
            diags.push(
                Diagnostic::error("a `dynamic` block takes the name of the block it generates")
                    .at(at)
                    .help("write `dynamic \"port\" { for_each = ...  content { ... } }`"),
            );
            continue;
        };
        if !names.contains(&name) {
            diags.push(
                Diagnostic::error(format!(
                    "`dynamic \"{name}\"` generates a block this resource does not have"
                ))
                .at(at)
                .help(if names.is_empty() {
                    "this resource has no nested blocks".to_owned()
                } else {
                    format!("its blocks are {}", names.join(", "))
                }),
            );
            continue;
        }
        super::body::check_names(
            file,
            &block.body,
            "a `dynamic` block",
            &["for_each", "iterator"],
            &["content"],
            diags,
        );
        let Some(for_each) = block.body.get_attribute("for_each") else {
            diags.push(
                Diagnostic::error(format!("`dynamic \"{name}\"` has no `for_each`"))
                    .at(at)
                    .help(
                        "write `for_each = var.ports` (a list, set or map): one block per element",
                    ),
            );
            continue;
        };
        let iterator = match block.body.get_attribute("iterator") {
            None => name.to_owned(),
            Some(attr) => {
                if let Some(Expression::Variable(v)) = attr.value.hcl() {
                    v.as_str().to_owned()
                } else {
                    diags.push(
                        Diagnostic::error("`iterator` must be a bare name")
                            .at(file.span(attr.value.span()))
                            .help("write `iterator = p`, then refer to `p.key` and `p.value` in `content`"),
                    );
                    continue;
                }
            }
        };
        let contents: Vec<&Block> = block.body.get_blocks("content").collect();
        let [content] = contents.as_slice() else {
            diags.push(
                Diagnostic::error(format!(
                    "`dynamic \"{name}\"` needs exactly one `content` block, found {}",
                    contents.len()
                ))
                .at(at)
                .help(format!(
                    "write the attributes of each `{name}` in `content {{ ... }}`"
                )),
            );
            continue;
        };
        let mut object = Object::new();
        for structure in &content.body {
            match structure {
                Structure::Attribute(attr) => {
                    let mut value = expression(&attr.value);
                    Rebind { name: &iterator }.visit_expr_mut(&mut value);
                    object.insert(
                        ObjectKey::Ident(Decorated::new(Ident::new(attr.key.as_str()))),
                        ObjectValue::new(value),
                    );
                }
                Structure::Block(inner) => diags.push(
                    Diagnostic::error(format!(
                        "the `content` of `dynamic \"{name}\"` holds attributes only; `{name}` has no nested blocks"
                    ))
                    .at(file.span(inner.ident.span())),
                ),
            }
        }
        let mut intro = ForIntro::new(
            Decorated::new(Ident::new(VALUE)),
            expression(&for_each.value),
        );
        intro.key_var = Some(Decorated::new(Ident::new(KEY)));
        let expr = Expression::from(ForExpr::new(intro, Expression::Object(object)));
        out.push(Dynamic {
            name,
            block,
            expr: Expr::Hcl(Box::new(expr)),
        });
    }
    out
}

/// An expression as hcl-edit's tree (a literal turned back into one).
fn expression(e: &Expr) -> Expression {
    match e {
        Expr::Hcl(expr) => (**expr).clone(),
        Expr::Lit(lit) => super::convert::to_hcl(&lit.value()).map_or_else(Expression::null, |v| {
            Expression::from(hcl::Expression::from(v))
        }),
    }
}

/// Replaces the iterator's name with `{ key = KEY, value = VALUE }`, except where a `for`
/// inside binds the same name.
struct Rebind<'a> {
    name: &'a str,
}

impl VisitMut for Rebind<'_> {
    fn visit_expr_mut(&mut self, node: &mut Expression) {
        if let Expression::Variable(v) = node
            && v.as_str() == self.name
        {
            let mut object = Object::new();
            for (k, bound) in [("key", KEY), ("value", VALUE)] {
                object.insert(
                    ObjectKey::Ident(Decorated::new(Ident::new(k))),
                    ObjectValue::new(Expression::Variable(Decorated::new(Ident::new(bound)))),
                );
            }
            *node = Expression::Object(object);
            return;
        }
        visit_mut::visit_expr_mut(self, node);
    }

    fn visit_for_expr_mut(&mut self, node: &mut ForExpr) {
        let shadows = node.intro.value_var.as_str() == self.name
            || node
                .intro
                .key_var
                .as_ref()
                .is_some_and(|k| k.as_str() == self.name);
        if shadows {
            // Only the collection is outside the `for`'s own names.
            self.visit_expr_mut(&mut node.intro.collection_expr);
        } else {
            visit_mut::visit_for_expr_mut(self, node);
        }
    }
}
