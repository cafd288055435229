//! References rewritten for vpcep: a moved resource's type becomes vpcep's (and the attribute
//! read, where vpcep names it differently); a read of what stays in Terraform (a resource, a
//! data source, a module's output) becomes a variable, collected as an [`Input`].

use super::kinds::{self, Kind};
use super::{Input, InputSource, Shape};
use hcl::edit::expr::{Expression, Traversal, TraversalOperator};
use hcl::edit::structure::Body;
use hcl::edit::visit_mut::{self, VisitMut};
use hcl::edit::{Decorated, Ident};
use indexmap::IndexMap;
use std::collections::{BTreeSet, HashMap};

pub(super) struct Rewriter<'a> {
    moved: &'a HashMap<(String, String), Kind>,
    staying: &'a BTreeSet<(String, String)>,
    /// Names taken: the configuration's variables and the inputs so far.
    taken: BTreeSet<String>,
    /// Inputs by what they read, to give one read one variable.
    inputs: IndexMap<(InputSource, Option<String>, Shape), String>,
}

impl<'a> Rewriter<'a> {
    pub(super) fn new(
        moved: &'a HashMap<(String, String), Kind>,
        staying: &'a BTreeSet<(String, String)>,
        variables: &BTreeSet<String>,
    ) -> Self {
        Rewriter {
            moved,
            staying,
            taken: variables.clone(),
            inputs: IndexMap::new(),
        }
    }

    pub(super) fn into_inputs(self) -> Vec<Input> {
        self.inputs
            .into_iter()
            .map(|((source, attr, shape), var)| Input {
                var,
                source,
                attr,
                shape,
            })
            .collect()
    }

    pub(super) fn visit_body(&mut self, body: &mut Body) {
        visit_mut::visit_body_mut(self, body);
    }

    pub(super) fn visit_expr(&mut self, expr: &mut Expression) {
        self.visit_expr_mut(expr);
    }

    /// `provider = opentelekomcloud.partner` → `otc.partner`; returns the alias.
    pub(super) fn provider_reference(expr: &mut Expression) -> Option<String> {
        match expr {
            Expression::Variable(v) => {
                *v.value_mut() = Ident::new("otc");
                None
            }
            Expression::Traversal(t) => {
                if let Expression::Variable(v) = &mut t.expr {
                    *v.value_mut() = Ident::new("otc");
                }
                match t.operators.first().map(Decorated::value) {
                    Some(TraversalOperator::GetAttr(alias)) => Some(alias.as_str().to_owned()),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// `depends_on` keeps the resources that move; an edge to what stays in Terraform has no
    /// meaning in vpcep. Returns whether any is left.
    pub(super) fn depends_on(&mut self, expr: &mut Expression) -> bool {
        if let Expression::Array(items) = expr {
            let kept: Vec<Expression> = items
                .iter()
                .filter(|item| {
                    super::root_resource(item).is_some_and(|key| self.moved.contains_key(&key))
                })
                .cloned()
                .collect();
            items.clear();
            for item in kept {
                items.push(item);
            }
            if items.is_empty() {
                return false;
            }
        }
        self.visit_expr_mut(expr);
        true
    }

    /// The variable a read of `source` gets: `NAME_ATTR`, made unique.
    fn input(&mut self, source: InputSource, attr: Option<String>, shape: Shape) -> String {
        let key = (source, attr, shape);
        if let Some(var) = self.inputs.get(&key) {
            return var.clone();
        }
        let (source, attr, shape) = &key;
        let (kind_prefix, name) = match source {
            InputSource::Resource { tf_type, name } => (tf_type.clone(), name.clone()),
            InputSource::Data { tf_type, name } => (format!("data_{tf_type}"), name.clone()),
            InputSource::Module { name, output } => {
                ("module".to_owned(), format!("{name}_{output}"))
            }
        };
        let mut base = match (source, attr) {
            (InputSource::Module { .. }, _) | (_, None) => name.clone(),
            (_, Some(a)) => format!("{name}_{a}"),
        };
        if *shape == Shape::All {
            base.push_str("_all");
        }
        let mut var = base.clone();
        if self.taken.contains(&var) {
            var = format!("{kind_prefix}_{base}");
        }
        let mut n = 2;
        while self.taken.contains(&var) {
            var = format!("{kind_prefix}_{base}_{n}");
            n += 1;
        }
        self.taken.insert(var.clone());
        self.inputs.insert(key, var.clone());
        var
    }

    /// The traversal rewritten, when it reads a resource of the Terraform configuration.
    fn rewrite(&mut self, t: &mut Traversal) {
        let Expression::Variable(root) = &t.expr else {
            return;
        };
        let root = root.as_str().to_owned();
        let attr_at =
            |ops: &[Decorated<TraversalOperator>], i: usize| match ops.get(i).map(Decorated::value)
            {
                Some(TraversalOperator::GetAttr(a)) => Some(a.as_str().to_owned()),
                _ => None,
            };
        match root.as_str() {
            "data" => {
                let (Some(tf_type), Some(name)) =
                    (attr_at(&t.operators, 0), attr_at(&t.operators, 1))
                else {
                    return;
                };
                let rest = t.operators.split_off(2);
                self.read_as_variable(t, InputSource::Data { tf_type, name }, rest);
            }
            "module" => {
                let Some(name) = attr_at(&t.operators, 0) else {
                    return;
                };
                // `module.NAME.OUTPUT`; a module instance's output (`module.NAME[KEY].OUTPUT`)
                // becomes one variable of all the module's outputs of that name.
                let skip = usize::from(matches!(
                    t.operators.get(1).map(Decorated::value),
                    Some(TraversalOperator::Index(_) | TraversalOperator::LegacyIndex(_))
                ));
                let Some(output) = attr_at(&t.operators, 1 + skip) else {
                    return;
                };
                let mut ops = std::mem::take(&mut t.operators);
                let mut rest = ops.split_off(2 + skip);
                let var = self.input(InputSource::Module { name, output }, None, Shape::One);
                let mut new_ops = vec![get_attr(&var)];
                if skip == 1 {
                    new_ops.push(ops.swap_remove(1));
                }
                new_ops.append(&mut rest);
                t.expr = Expression::Variable(Decorated::new(Ident::new("var")));
                t.operators = new_ops;
            }
            _ => {
                let Some(name) = attr_at(&t.operators, 0) else {
                    return;
                };
                let key = (root.clone(), name.clone());
                if let Some(kind) = self.moved.get(&key).copied() {
                    t.expr = Expression::Variable(Decorated::new(Ident::new(kind.rtype.as_str())));
                    rename_read_attribute(&mut t.operators, kind);
                } else if self.staying.contains(&key) {
                    let rest = t.operators.split_off(1);
                    self.read_as_variable(
                        t,
                        InputSource::Resource {
                            tf_type: root,
                            name,
                        },
                        rest,
                    );
                }
            }
        }
    }

    /// `T.N.attr…`, `T.N[k].attr…`, `T.N[*].attr…` → `var.V…`, `var.V[k]…`, `var.V…`.
    fn read_as_variable(
        &mut self,
        t: &mut Traversal,
        source: InputSource,
        mut rest: Vec<Decorated<TraversalOperator>>,
    ) {
        let first = rest.first().map(Decorated::value);
        let (shape, index) = match first {
            Some(TraversalOperator::Index(_) | TraversalOperator::LegacyIndex(_)) => {
                (Shape::Each, Some(rest.remove(0)))
            }
            Some(TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_)) => {
                rest.remove(0);
                (Shape::All, None)
            }
            _ => (Shape::One, None),
        };
        let attr = match rest.first().map(Decorated::value) {
            Some(TraversalOperator::GetAttr(a)) => {
                let a = a.as_str().to_owned();
                rest.remove(0);
                Some(a)
            }
            _ => None,
        };
        let var = self.input(source, attr, shape);
        let mut ops = vec![get_attr(&var)];
        ops.extend(index);
        ops.append(&mut rest);
        t.expr = Expression::Variable(Decorated::new(Ident::new("var")));
        t.operators = ops;
    }
}

fn get_attr(name: &str) -> Decorated<TraversalOperator> {
    Decorated::new(TraversalOperator::GetAttr(Decorated::new(Ident::new(name))))
}

/// The attribute read after `T.N` (or `T.N[k]`, `T.N[*]`) by its vpcep name.
fn rename_read_attribute(ops: &mut [Decorated<TraversalOperator>], kind: Kind) {
    let at = match ops.get(1).map(Decorated::value) {
        Some(
            TraversalOperator::Index(_)
            | TraversalOperator::LegacyIndex(_)
            | TraversalOperator::AttrSplat(_)
            | TraversalOperator::FullSplat(_),
        ) => 2,
        _ => 1,
    };
    if let Some(TraversalOperator::GetAttr(a)) = ops.get_mut(at).map(Decorated::value_mut) {
        let to = kinds::reference(kind, a.as_str()).to_owned();
        *a.value_mut() = Ident::new(to);
    }
}

impl VisitMut for Rewriter<'_> {
    fn visit_expr_mut(&mut self, expr: &mut Expression) {
        if let Expression::Traversal(t) = expr {
            self.rewrite(t);
        }
        visit_mut::visit_expr_mut(self, expr);
    }
}
