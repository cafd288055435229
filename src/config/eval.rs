//! Evaluates expressions against the values known so far, producing `Value::Unknown` where an
//! expression reads something that is only known after apply.
//!
//! hcl-rs has no unknown values, so unknowns are handled before evaluation: the references of
//! an expression are resolved first; if any of them is unknown, the expression (or, for list
//! and object literals, the element) is unknown. Otherwise it is evaluated by hcl-rs with only
//! the referenced values declared, which keeps evaluation linear in the size of the
//! configuration.

use super::convert::{from_hcl, to_hcl};
use super::refs::{KeyRef, RefKind, Refs};
use super::syntax::{Expr, LONGEST_LITERAL};
use crate::diag::{Diagnostic, SourceFile};
use crate::model::data::DataId;
use crate::model::{RefTarget, ResourceId, Value};
use hcl::edit::Span as _;
use hcl::edit::expr::{Expression, ObjectKey};
use hcl::eval::{Context, Evaluate};
use indexmap::IndexMap;
use std::collections::HashMap;

/// The attribute values of one resource instance (configured and computed); `None` when the
/// instance failed to evaluate (already reported).
pub(crate) type InstanceValues = Option<crate::model::Map>;

/// What references to a resource can read.
#[derive(Debug, Clone)]
pub(crate) enum ResourceValues {
    Single(InstanceValues),
    Each(IndexMap<String, InstanceValues>),
    /// `for_each` could not be evaluated (already reported).
    Failed,
}

/// `each.key` and `each.value` inside a resource with `for_each`.
#[derive(Debug, Clone)]
pub(crate) struct EachValue {
    pub key: String,
    pub value: hcl::Value,
    /// `count.index`, in a resource with `count` (whose `key` is the index's key).
    pub index: Option<u64>,
    /// `self`: the instance's own values, in a `postcondition`.
    pub this: Option<hcl::Value>,
}

/// The values expressions can read, filled in dependency order.
pub(crate) struct Scope {
    pub vars: IndexMap<String, Option<hcl::Value>>,
    pub locals: IndexMap<String, Option<Value>>,
    pub resources: HashMap<ResourceId, ResourceValues>,
    /// What data sources read (as resources: one instance, or one per `for_each` key).
    pub data: HashMap<DataId, ResourceValues>,
    /// The resource attributes each data source's arguments read: what refers to the data
    /// source depends on them too (it is read only once they are known).
    pub data_reads: HashMap<DataId, Vec<RefTarget>>,
    /// What is sensitive: variables declared so, and the locals and resource attributes whose
    /// expressions read something sensitive.
    pub sensitive: Sensitive,
    /// The configuration directory: `path.module`, and where `file` reads relative paths.
    pub dir: std::path::PathBuf,
    /// The workspace (`vpcep.workspace`, `terraform.workspace`).
    pub workspace: String,
    /// In a module: the values its call gives its variables (known or not).
    pub inputs: Option<IndexMap<String, Value>>,
    /// The outputs of each module call's instances, as resources' values are kept.
    pub modules: HashMap<String, ResourceValues>,
    /// The resource attributes each module call's instances read (their resources): what
    /// refers to a module depends on them.
    pub module_reads: HashMap<String, Vec<RefTarget>>,
    /// How many instances of this configuration exist in all: 1 at the root, the product of
    /// the calls' instance counts in a module.
    pub copies: u64,
    /// What every evaluation of this load (and of its modules' instances) has produced.
    pub spent: super::budget::Spent,
    functions: Context<'static>,
}

/// Sensitivity travels with references: a value computed from a sensitive one is sensitive.
#[derive(Debug, Default)]
pub(crate) struct Sensitive {
    pub vars: std::collections::HashSet<String>,
    pub locals: std::collections::HashSet<String>,
    pub attrs: HashMap<ResourceId, std::collections::BTreeSet<String>>,
}

enum Resolved {
    Known,
    Unknown,
    Failed,
}

impl Scope {
    pub(crate) fn new(vars: IndexMap<String, Option<hcl::Value>>) -> Self {
        Scope {
            vars,
            locals: IndexMap::new(),
            resources: HashMap::new(),
            data: HashMap::new(),
            data_reads: HashMap::new(),
            sensitive: Sensitive::default(),
            dir: std::path::PathBuf::from("."),
            workspace: crate::model::DEFAULT_WORKSPACE.to_owned(),
            inputs: None,
            modules: HashMap::new(),
            module_reads: HashMap::new(),
            copies: 1,
            spent: super::budget::Spent::default(),
            functions: super::functions::context(),
        }
    }

    /// Whether `expr` reads anything sensitive.
    pub(crate) fn is_sensitive(&self, expr: &Expr) -> bool {
        let Some(expr) = expr.hcl() else {
            return false; // a literal reads nothing
        };
        if self.sensitive.vars.is_empty() {
            return false;
        }
        Refs::of(expr).found.iter().any(|r| match &r.kind {
            RefKind::Var(name) => self.sensitive.vars.contains(name),
            RefKind::Local(name) => self.sensitive.locals.contains(name),
            RefKind::Resource { id, attr, .. } => {
                self.sensitive.attrs.get(id).is_some_and(|s| match attr {
                    Some(a) => s.contains(a),
                    None => !s.is_empty(),
                })
            }
            RefKind::Each
            | RefKind::Count
            | RefKind::SelfRef
            | RefKind::Module { .. }
            | RefKind::Data { .. }
            | RefKind::Path => false,
        })
    }

    /// Evaluates `expr`; `None` when it failed (and the failure has been reported, now or
    /// earlier). Resource attributes it reads are added to `targets`. One evaluation has one
    /// budget (see [`super::budget`]).
    pub(crate) fn eval(
        &self,
        expr: &Expr,
        each: Option<&EachValue>,
        file: &SourceFile,
        diags: &mut Vec<Diagnostic>,
        targets: &mut Vec<RefTarget>,
    ) -> Option<Value> {
        if self.spent.exhausted() {
            return None; // reported when it happened
        }
        let value = match expr {
            // A literal is what it says: nothing to resolve, nothing for hcl-rs to evaluate.
            Expr::Lit(lit) => lit.value(),
            Expr::Hcl(hcl) => {
                super::budget::start();
                let mark = diags.len();
                let value = self.eval_inner(hcl, each, file, diags, targets);
                // A problem of an expression that reads a secret would show a form of it
                // (lowered, cut, encoded) in its message: every quoted value is redacted.
                if diags.len() > mark && self.is_sensitive(expr) {
                    let names: Vec<&str> = super::functions::names().collect();
                    for d in &mut diags[mark..] {
                        *d = std::mem::replace(d, Diagnostic::error("")).redacted(&names);
                    }
                }
                value?
            }
        };
        let work = match expr {
            Expr::Lit(_) => 0,
            Expr::Hcl(_) => super::budget::steps_used().saturating_mul(super::budget::STEP_COST),
        };
        match self
            .spent
            .charge(super::budget::model_size(&value).saturating_add(work))
        {
            Ok(true) => Some(value),
            Ok(false) => None,
            Err(message) => {
                diags.push(Diagnostic::error(message).at(file.span(expr.span())));
                None
            }
        }
    }

    fn eval_inner(
        &self,
        expr: &Expression,
        each: Option<&EachValue>,
        file: &SourceFile,
        diags: &mut Vec<Diagnostic>,
        targets: &mut Vec<RefTarget>,
    ) -> Option<Value> {
        match expr {
            Expression::Array(array) => {
                let mut items = Vec::with_capacity(array.len());
                let mut ok = true;
                for item in array {
                    match self.eval_inner(item, each, file, diags, targets) {
                        Some(v) => items.push(v),
                        None => ok = false,
                    }
                }
                ok.then_some(Value::List(items))
            }
            Expression::Object(object) => {
                let mut map = crate::model::Map::with_capacity(object.len());
                let mut ok = true;
                for (key, value) in object {
                    let key = match key {
                        ObjectKey::Ident(ident) => Some(ident.as_str().to_owned()),
                        ObjectKey::Expression(e) => self.eval_key(e, each, file, diags),
                    };
                    match (
                        key,
                        self.eval_inner(value.expr(), each, file, diags, targets),
                    ) {
                        (Some(k), Some(v)) => {
                            map.insert(k, v);
                        }
                        _ => ok = false,
                    }
                }
                ok.then_some(Value::map(map))
            }
            Expression::Parenthesis(inner) => {
                self.eval_inner(inner.inner(), each, file, diags, targets)
            }
            // Literals inside a list or object that is not literal throughout (whole literals
            // are values already, see `syntax`) are what they say, as there. Long strings
            // still go the general way, which checks them against the value budget.
            Expression::String(s) if s.len() <= LONGEST_LITERAL => {
                Some(Value::String(s.value().clone().into()))
            }
            Expression::Bool(b) => Some(Value::Bool(*b.value())),
            Expression::Null(_) => Some(Value::Null),
            Expression::Number(n) => Some(from_hcl(hcl::Value::Number(*n.value()))),
            _ => self.eval_whole(expr, each, file, diags, targets),
        }
    }

    fn eval_key(
        &self,
        expr: &Expression,
        each: Option<&EachValue>,
        file: &SourceFile,
        diags: &mut Vec<Diagnostic>,
    ) -> Option<String> {
        match self.eval_inner(expr, each, file, diags, &mut Vec::new())? {
            Value::String(s) => Some(s.to_string()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            Value::Unknown => {
                diags.push(
                    Diagnostic::error("this key is only known after apply")
                        .at(file.span(expr.span()))
                        .help("keys must be built from variables, locals and `each`"),
                );
                None
            }
            other => {
                diags.push(
                    Diagnostic::error(format!(
                        "a key must be a string, got a {}",
                        other.type_name()
                    ))
                    .at(file.span(expr.span())),
                );
                None
            }
        }
    }

    #[expect(
        clippy::too_many_lines,
        reason = "one arm per kind of expression, to be split when the configuration is compiled once"
    )]
    fn eval_whole(
        &self,
        expr: &Expression,
        each: Option<&EachValue>,
        file: &SourceFile,
        diags: &mut Vec<Diagnostic>,
        targets: &mut Vec<RefTarget>,
    ) -> Option<Value> {
        let refs = Refs::of(expr);
        let undefined_function = refs
            .funcs
            .iter()
            .any(|(name, _)| !super::functions::is_defined(name));
        if undefined_function || !refs.unknown_roots.is_empty() || !refs.problems.is_empty() {
            return None; // reported where references are checked
        }
        let mut unknown = false;
        let mut uses_path = false;
        let mut var_obj = hcl::Map::new();
        let mut local_obj = hcl::Map::new();
        let mut resource_objs: IndexMap<&'static str, hcl::Map<String, hcl::Value>> =
            IndexMap::new();
        let mut data_objs: IndexMap<&'static str, hcl::Map<String, hcl::Value>> = IndexMap::new();
        let mut module_obj: hcl::Map<String, hcl::Value> = hcl::Map::new();
        for reference in &refs.found {
            let resolved = match &reference.kind {
                // In a module, a variable is what the call gives it: perhaps unknown.
                RefKind::Var(name) if self.inputs.is_some() => {
                    match self.inputs.as_ref().and_then(|i| i.get(name)) {
                        Some(Value::Unknown) => Resolved::Unknown,
                        Some(v) => match to_hcl(v) {
                            Some(h) => {
                                var_obj.insert(name.clone(), h);
                                Resolved::Known
                            }
                            None => Resolved::Unknown,
                        },
                        None => Resolved::Failed,
                    }
                }
                RefKind::Var(name) => match self.vars.get(name) {
                    Some(Some(v)) => {
                        var_obj.insert(name.clone(), v.clone());
                        Resolved::Known
                    }
                    _ => Resolved::Failed,
                },
                RefKind::Local(name) => match self.locals.get(name) {
                    Some(Some(v)) => match to_hcl(v) {
                        Some(h) => {
                            local_obj.insert(name.clone(), h);
                            Resolved::Known
                        }
                        None => Resolved::Unknown,
                    },
                    _ => Resolved::Failed,
                },
                RefKind::Path => {
                    uses_path = true;
                    Resolved::Known
                }
                RefKind::Each => {
                    if each.is_some_and(|e| e.index.is_none()) {
                        Resolved::Known
                    } else {
                        Resolved::Failed
                    }
                }
                RefKind::SelfRef => {
                    if each.is_some_and(|e| e.this.is_some()) {
                        Resolved::Known
                    } else {
                        Resolved::Failed
                    }
                }
                RefKind::Count => {
                    if each.is_some_and(|e| e.index.is_some()) {
                        Resolved::Known
                    } else {
                        Resolved::Failed
                    }
                }
                RefKind::Resource { id, key, attr, .. } => {
                    let (resolved, key) = self.resolve_ref(
                        self.resources.get(id),
                        (id, &id.name),
                        key,
                        attr.as_deref(),
                        resource_objs.entry(id.rtype.as_str()).or_default(),
                        each,
                        file,
                        reference.span.clone(),
                        diags,
                    );
                    if let Some(key) = key {
                        targets.push(RefTarget {
                            resource: id.clone(),
                            key,
                            attr: attr.clone(),
                        });
                    }
                    resolved
                }
                RefKind::Module { name, key, output } => {
                    // An output the module does not have: said here, where it is read.
                    let outputs_of = |values: &ResourceValues| -> Option<Vec<String>> {
                        let first = match values {
                            ResourceValues::Single(Some(m)) => Some(m),
                            ResourceValues::Each(each) => each.values().flatten().next(),
                            _ => None,
                        }?;
                        Some(first.keys().map(ToString::to_string).collect())
                    };
                    if let (Some(out), Some(names)) =
                        (output, self.modules.get(name).and_then(outputs_of))
                        && !names.iter().any(|n| n == out)
                    {
                        let names_ref: Vec<&str> = names.iter().map(String::as_str).collect();
                        diags.push(
                            Diagnostic::error(format!("`module.{name}` has no output `{out}`"))
                                .at(file.span(reference.span.clone()))
                                .help_opt(super::body::suggestion(out, &names_ref).or_else(|| {
                                    Some(if names.is_empty() {
                                        "the module declares no outputs".to_owned()
                                    } else {
                                        format!("its outputs are {}", names.join(", "))
                                    })
                                })),
                        );
                        return None;
                    }
                    targets.extend(self.module_reads.get(name).into_iter().flatten().cloned());
                    self.resolve_ref(
                        self.modules.get(name),
                        (&format!("module.{name}"), name),
                        key,
                        output.as_deref(),
                        &mut module_obj,
                        each,
                        file,
                        reference.span.clone(),
                        diags,
                    )
                    .0
                }
                RefKind::Data { id, key, attr, .. } => {
                    // What the data source's arguments read, this reads too.
                    targets.extend(self.data_reads.get(id).into_iter().flatten().cloned());
                    self.resolve_ref(
                        self.data.get(id),
                        (id, &id.name),
                        key,
                        attr.as_deref(),
                        data_objs.entry(id.dtype.as_str()).or_default(),
                        each,
                        file,
                        reference.span.clone(),
                        diags,
                    )
                    .0
                }
            };
            match resolved {
                Resolved::Known => {}
                Resolved::Unknown => unknown = true,
                Resolved::Failed => return None,
            }
        }
        if unknown {
            return Some(Value::Unknown);
        }
        let resolved_lazy;
        let expr = if refs
            .funcs
            .iter()
            .any(|(name, _)| super::lazy::is_lazy(name))
        {
            let mut attempt = |arg: &Expression| {
                // A failing argument is what `try` and `can` are for: not reported.
                self.eval_inner(arg, each, file, &mut Vec::new(), &mut Vec::new())
            };
            match super::lazy::resolve(expr, &mut attempt) {
                Ok(e) => {
                    resolved_lazy = e;
                    &resolved_lazy
                }
                Err(super::lazy::Unresolved::Unknown) => return Some(Value::Unknown),
                Err(super::lazy::Unresolved::Failed(message, span)) => {
                    diags.push(
                        Diagnostic::error(format!("cannot evaluate this expression: {message}"))
                            .at(file.span(span.or_else(|| expr.span()))),
                    );
                    return None;
                }
            }
        } else {
            expr
        };
        let (metered, counted) = super::budget::metered(expr);
        let mut ctx = if refs.calls_functions() || counted {
            self.functions.clone()
        } else {
            Context::new()
        };
        if !var_obj.is_empty() {
            ctx.declare_var("var", hcl::Value::Object(var_obj));
        }
        if !local_obj.is_empty() {
            ctx.declare_var("local", hcl::Value::Object(local_obj));
        }
        for (type_name, obj) in resource_objs {
            ctx.declare_var(type_name, hcl::Value::Object(obj));
        }
        if !module_obj.is_empty() {
            ctx.declare_var("module", hcl::Value::Object(module_obj));
        }
        if !data_objs.is_empty() {
            let types = data_objs
                .into_iter()
                .map(|(t, obj)| (t.to_owned(), hcl::Value::Object(obj)))
                .collect();
            ctx.declare_var("data", hcl::Value::Object(types));
        }
        if uses_path {
            let cwd = std::path::absolute(&self.dir).unwrap_or_else(|_| self.dir.clone());
            let mut obj = hcl::Map::new();
            obj.insert("module".to_owned(), hcl::Value::from("."));
            obj.insert("root".to_owned(), hcl::Value::from("."));
            obj.insert(
                "cwd".to_owned(),
                hcl::Value::from(cwd.display().to_string()),
            );
            ctx.declare_var("path", hcl::Value::Object(obj));
            let mut workspace = hcl::Map::new();
            workspace.insert(
                "workspace".to_owned(),
                hcl::Value::from(self.workspace.as_str()),
            );
            ctx.declare_var("terraform", hcl::Value::Object(workspace.clone()));
            ctx.declare_var("vpcep", hcl::Value::Object(workspace));
        }
        let _in_dir = super::functions::files::enter(&self.dir);
        if let Some(this) = each.and_then(|e| e.this.as_ref()) {
            ctx.declare_var("self", this.clone());
        }
        if let Some(each) = each {
            let mut obj = hcl::Map::new();
            if let Some(index) = each.index {
                obj.insert("index".to_owned(), hcl::Value::from(index));
                ctx.declare_var("count", hcl::Value::Object(obj));
            } else {
                obj.insert("key".to_owned(), hcl::Value::String(each.key.clone()));
                obj.insert("value".to_owned(), each.value.clone());
                ctx.declare_var("each", hcl::Value::Object(obj));
            }
        }
        match contained(|| hcl::Expression::from(metered).evaluate(&ctx))
            .and_then(|r| {
                r.map_err(|e| {
                    // The budget's internal functions are not the user's business.
                    let message = e.kind().to_string();
                    match message.split_once("`: ") {
                        Some((head, rest)) if head.contains("`__vpcep_") => rest.to_owned(),
                        _ => message,
                    }
                })
            })
            .and_then(|v| super::budget::volume(super::budget::size_of(&v)).map(|()| v))
        {
            Ok(v) => Some(from_hcl(v)),
            Err(e) => {
                diags.push(
                    Diagnostic::error(format!("cannot evaluate this expression: {e}"))
                        .at(file.span(expr.span())),
                );
                None
            }
        }
    }

    /// Resolves a reference to a resource's or data source's `values` (`id` for messages,
    /// `name` where it is declared in `type_obj`): its instance key evaluated, and what it
    /// reads declared for evaluation. The key is `None` when it is unknown yet or failed.
    #[allow(clippy::too_many_arguments, clippy::option_option)]
    fn resolve_ref(
        &self,
        values: Option<&ResourceValues>,
        (id, name): (&dyn std::fmt::Display, &str),
        key: &KeyRef,
        attr: Option<&str>,
        type_obj: &mut hcl::Map<String, hcl::Value>,
        each: Option<&EachValue>,
        file: &SourceFile,
        span: Option<std::ops::Range<usize>>,
        diags: &mut Vec<Diagnostic>,
    ) -> (Resolved, Option<Option<String>>) {
        match self.instance_key(key, id, each, file, diags) {
            Ok(Some(key)) => {
                let resolved = resolve_values(
                    values,
                    id,
                    name,
                    key.as_deref(),
                    attr,
                    type_obj,
                    file,
                    span,
                    diags,
                );
                (resolved, Some(key))
            }
            Ok(None) => (Resolved::Unknown, None),
            Err(()) => (Resolved::Failed, None),
        }
    }

    /// The instance key of a reference: `Ok(Some(None))` without one, `Ok(None)` when it is
    /// unknown yet, `Err` when it failed (reported).
    #[allow(clippy::option_option)]
    fn instance_key(
        &self,
        key: &KeyRef,
        of: &dyn std::fmt::Display,
        each: Option<&EachValue>,
        file: &SourceFile,
        diags: &mut Vec<Diagnostic>,
    ) -> Result<Option<Option<String>>, ()> {
        let KeyRef::Expr(e) = key else {
            return Ok(Some(None));
        };
        match self.eval_inner(e, each, file, diags, &mut Vec::new()) {
            Some(Value::String(s)) => Ok(Some(Some(s.to_string()))),
            // `[0]`: an instance of a resource with `count`.
            Some(Value::Number(n)) if n.as_u64().is_some() => Ok(Some(Some(
                crate::model::address::count_key(n.as_u64().unwrap_or_default()),
            ))),
            Some(Value::Unknown) => Ok(None),
            Some(other) => {
                diags.push(
                    Diagnostic::error(format!(
                        "`{of}` is indexed by instance keys, which are strings; got {other}"
                    ))
                    .at(file.span(e.span())),
                );
                Err(())
            }
            None => Err(()),
        }
    }
}

/// Looks a reference to a resource's (or data source's) `values` up, declaring what it reads
/// as `name` in `type_obj` for evaluation.
#[allow(clippy::too_many_arguments)]
fn resolve_values(
    values: Option<&ResourceValues>,
    id: &dyn std::fmt::Display,
    name: &str,
    key: Option<&str>,
    attr: Option<&str>,
    type_obj: &mut hcl::Map<String, hcl::Value>,
    file: &SourceFile,
    span: Option<std::ops::Range<usize>>,
    diags: &mut Vec<Diagnostic>,
) -> Resolved {
    let Some(values) = values else {
        return Resolved::Failed;
    };
    match values {
        ResourceValues::Failed | ResourceValues::Single(None) => Resolved::Failed,
        ResourceValues::Single(Some(instance)) => {
            declare_instance(type_obj, name, None, instance, attr)
        }
        ResourceValues::Each(instances) => {
            if let Some(key) = key {
                match instances.get(key) {
                    Some(Some(instance)) => {
                        declare_instance(type_obj, name, Some(key), instance, attr)
                    }
                    Some(None) => Resolved::Failed,
                    None => {
                        let shown = |k: &str| {
                            crate::model::address::count_index(k)
                                .map_or_else(|| format!("\"{k}\""), |i| i.to_string())
                        };
                        let keys: Vec<String> = instances.keys().map(|k| shown(k)).collect();
                        let counted = crate::model::address::count_index(key).is_some();
                        diags.push(
                            Diagnostic::error(format!("`{id}` has no instance [{}]", shown(key)))
                                .at(file.span(span))
                                .help(match (keys.is_empty(), counted) {
                                    (true, true) => {
                                        format!("`{id}` has no instances: its `count` is 0")
                                    }
                                    (true, false) => {
                                        format!("`{id}` has no instances: its `for_each` is empty")
                                    }
                                    (false, true) => format!("its indexes are {}", keys.join(", ")),
                                    (false, false) => format!("its keys are {}", keys.join(", ")),
                                }),
                        );
                        Resolved::Failed
                    }
                }
            } else {
                let mut all = hcl::Map::new();
                for (k, instance) in instances {
                    let Some(instance) = instance else {
                        return Resolved::Failed;
                    };
                    let Some(obj) = instance_object(instance) else {
                        return Resolved::Unknown;
                    };
                    all.insert(k.clone(), obj);
                }
                // The instances of a resource with `count` are a list, in index order.
                let counted = !all.is_empty()
                    && all
                        .keys()
                        .all(|k| crate::model::address::count_index(k).is_some());
                let value = if counted {
                    let mut items: Vec<(u64, hcl::Value)> = all
                        .into_iter()
                        .filter_map(|(k, v)| crate::model::address::count_index(&k).map(|i| (i, v)))
                        .collect();
                    items.sort_by_key(|(i, _)| *i);
                    hcl::Value::Array(items.into_iter().map(|(_, v)| v).collect())
                } else {
                    hcl::Value::Object(all)
                };
                type_obj.insert(name.to_owned(), value);
                Resolved::Known
            }
        }
    }
}

thread_local! {
    static CONTAINING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs hcl-rs's evaluator so that a panic inside it (e.g. an assertion on an arithmetic
/// result that is not finite) becomes an error of this expression instead of ending the
/// process; the panic is not printed.
pub(crate) fn contained<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    static QUIET_HOOK: std::sync::Once = std::sync::Once::new();
    QUIET_HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !CONTAINING.with(std::cell::Cell::get) {
                previous(info);
            }
        }));
    });
    CONTAINING.with(|c| c.set(true));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    CONTAINING.with(|c| c.set(false));
    result.map_err(|_| {
        "the expression cannot be evaluated (a number outside the representable range?)".to_owned()
    })
}

fn instance_object(instance: &crate::model::Map) -> Option<hcl::Value> {
    to_hcl(&Value::map(instance.clone()))
}

/// Declares `TYPE.NAME` (or `TYPE.NAME["key"]`) with what `attr` needs: just that attribute, or
/// the whole instance.
fn declare_instance(
    type_obj: &mut hcl::Map<String, hcl::Value>,
    name: &str,
    key: Option<&str>,
    instance: &crate::model::Map,
    attr: Option<&str>,
) -> Resolved {
    let value = match attr {
        Some(a) => match instance.get(a) {
            Some(v) => match to_hcl(v) {
                Some(h) => {
                    let mut obj = hcl::Map::new();
                    obj.insert(a.to_owned(), h);
                    hcl::Value::Object(obj)
                }
                None => return Resolved::Unknown,
            },
            // Not an attribute of this type: reported where references are checked.
            None => return Resolved::Failed,
        },
        None => match instance_object(instance) {
            Some(obj) => obj,
            None => return Resolved::Unknown,
        },
    };
    // An instance of a resource with `count`: an element of a list, as `NAME[0]` reads it.
    if let Some(index) = key.and_then(crate::model::address::count_index) {
        let slot = type_obj
            .entry(name.to_owned())
            .or_insert_with(|| hcl::Value::Array(Vec::new()));
        let hcl::Value::Array(items) = slot else {
            return Resolved::Failed;
        };
        let Ok(i) = usize::try_from(index) else {
            return Resolved::Failed;
        };
        if items.len() <= i {
            items.resize(i + 1, hcl::Value::Null);
        }
        match (&mut items[i], value) {
            (hcl::Value::Object(existing), hcl::Value::Object(new)) => existing.extend(new),
            (slot, value) => *slot = value,
        }
        return Resolved::Known;
    }
    let slot = type_obj
        .entry(name.to_owned())
        .or_insert_with(|| hcl::Value::Object(hcl::Map::new()));
    let target = match key {
        None => slot,
        Some(k) => {
            let hcl::Value::Object(map) = slot else {
                return Resolved::Failed;
            };
            map.entry(k.to_owned())
                .or_insert_with(|| hcl::Value::Object(hcl::Map::new()))
        }
    };
    if let (hcl::Value::Object(existing), hcl::Value::Object(new)) = (&mut *target, value) {
        existing.extend(new);
    }
    Resolved::Known
}
