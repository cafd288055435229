//! `try` and `can`, whose arguments may fail: vpcep evaluates each call itself, argument by
//! argument, and puts the outcome in its place before hcl-rs evaluates the rest of the
//! expression (hcl-rs evaluates every argument first, so a failing one would fail it all).
//!
//! Inside a `for` expression an argument may name the loop's variables, which exist only
//! while hcl-rs iterates: there `try` takes its first argument and `can` is true (a failure
//! fails the expression), as `functions` defines them.

use hcl::edit::expr::{Expression, ForExpr};
use hcl::edit::template::ForDirective;
use hcl::edit::visit_mut::{self, VisitMut};
use std::ops::Range;

/// The functions evaluated here.
pub(crate) fn is_lazy(name: &str) -> bool {
    matches!(name, "try" | "can")
}

/// Why a call could not be put in place.
pub(crate) enum Unresolved {
    /// An argument is known only after apply: so is the expression.
    Unknown,
    /// No argument of `try` could be evaluated (or `try` has none), at the call.
    Failed(String, Option<Range<usize>>),
}

/// How one argument evaluates: its value, or `None` when it fails (for whatever reason).
pub(crate) type Attempt<'a> = dyn FnMut(&Expression) -> Option<crate::model::Value> + 'a;

/// `expr` with every `try` and `can` call outside `for` expressions replaced by its outcome.
pub(crate) fn resolve(
    expr: &Expression,
    attempt: &mut Attempt<'_>,
) -> Result<Expression, Unresolved> {
    let mut out = expr.clone();
    let mut v = Resolver {
        attempt,
        in_for: 0,
        problem: None,
    };
    v.visit_expr_mut(&mut out);
    match v.problem {
        Some(p) => Err(p),
        None => Ok(out),
    }
}

struct Resolver<'a, 'b> {
    attempt: &'a mut Attempt<'b>,
    in_for: usize,
    problem: Option<Unresolved>,
}

fn literal(v: &crate::model::Value) -> Option<Expression> {
    super::convert::to_hcl(v).map(|h| Expression::from(hcl::Expression::from(h)))
}

impl Resolver<'_, '_> {
    fn outcome(
        &mut self,
        name: &str,
        args: &[Expression],
        span: Option<Range<usize>>,
    ) -> Option<Expression> {
        if name == "can" {
            self.can(args, span)
        } else {
            self.first(args, span)
        }
    }

    /// `can(x)`: whether `x` evaluates.
    fn can(&mut self, args: &[Expression], span: Option<Range<usize>>) -> Option<Expression> {
        let [arg] = args else {
            self.problem = Some(Unresolved::Failed(
                format!("`can` takes one argument, got {}", args.len()),
                span,
            ));
            return None;
        };
        match (self.attempt)(arg) {
            Some(crate::model::Value::Unknown) => {
                self.problem = Some(Unresolved::Unknown);
                None
            }
            Some(_) => Some(Expression::from(true)),
            None => Some(Expression::from(false)),
        }
    }

    /// `try(a, b, ...)`: the first argument that evaluates.
    fn first(&mut self, args: &[Expression], span: Option<Range<usize>>) -> Option<Expression> {
        for arg in args {
            match (self.attempt)(arg) {
                Some(crate::model::Value::Unknown) => {
                    self.problem = Some(Unresolved::Unknown);
                    return None;
                }
                Some(v) => return literal(&v),
                None => {}
            }
        }
        self.problem = Some(Unresolved::Failed(
            if args.is_empty() {
                "`try` needs at least one argument".to_owned()
            } else {
                "no argument of `try` could be evaluated; add a last one that always can, e.g. a default value".to_owned()
            },
            span,
        ));
        None
    }
}

impl VisitMut for Resolver<'_, '_> {
    fn visit_expr_mut(&mut self, node: &mut Expression) {
        if self.problem.is_some() {
            return;
        }
        if self.in_for == 0
            && let Expression::FuncCall(call) = node
            && call.name.namespace.is_empty()
            && is_lazy(call.name.name.as_str())
        {
            let name = call.name.name.as_str().to_owned();
            let args: Vec<Expression> = call.args.iter().cloned().collect();
            let span = hcl::edit::Span::span(node);
            if let Some(replacement) = self.outcome(&name, &args, span) {
                *node = replacement;
            }
            return;
        }
        visit_mut::visit_expr_mut(self, node);
    }

    fn visit_for_expr_mut(&mut self, node: &mut ForExpr) {
        self.in_for += 1;
        visit_mut::visit_for_expr_mut(self, node);
        self.in_for -= 1;
    }

    fn visit_for_directive_mut(&mut self, node: &mut ForDirective) {
        self.in_for += 1;
        visit_mut::visit_for_directive_mut(self, node);
        self.in_for -= 1;
    }
}
