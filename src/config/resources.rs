//! Turns `resource` blocks into resource instances: `for_each` expansion, attribute evaluation
//! and type conversion against the schema, nested blocks, `lifecycle` and `timeouts`.

use super::body::{check_names, single_block};
use super::convert::to_attr_type;
use super::decls::Decl;
use super::decls::Decls;
use super::deps::depends_on;
use super::eval::{EachValue, ResourceValues, Scope};
use super::syntax::{Body, Expr, LitKind};
use crate::diag::{Diagnostic, Location, SourceFile};
use crate::model::schema::{AttrSchema, META_ATTRS, META_BLOCKS, computed_when_unset, schema};
use crate::model::{Address, RefTarget, ResourceId, ResourceInstance, Timeouts, Value};
use indexmap::IndexMap;
use std::ops::Range;
use std::time::Duration;

/// A message shown instead of a condition's or validation's `error_message` that reads a
/// sensitive value (as Terraform does).
pub(crate) const SENSITIVE_MESSAGE: &str =
    "(the error message reads a sensitive value, so it is not shown)";

/// `d`, a problem of an attribute of `address` that reads a sensitive value, with every quoted
/// value redacted; the address and its schema's names stay readable.
pub(crate) fn redacted_for(d: Diagnostic, address: &Address) -> Diagnostic {
    let schema = schema(address.rtype());
    let shown = address.to_string();
    let mut keep: Vec<&str> = schema.attrs.iter().map(|a| a.name).collect();
    keep.extend(schema.blocks.iter().map(|b| b.name));
    keep.push(&shown);
    d.redacted(&keep)
}

/// Redacts the diagnostics pushed since `mark`: they are about an attribute of `address`
/// that reads a sensitive value.
fn redact_since(diags: &mut [Diagnostic], mark: usize, address: &Address) {
    for d in diags.iter_mut().skip(mark) {
        *d = redacted_for(std::mem::replace(d, Diagnostic::error("")), address);
    }
}

/// A resource instance with the source locations its rules report at.
pub(crate) struct Lowered<'a> {
    pub instance: ResourceInstance,
    /// The resource block's body, where the spans of attribute paths are looked up when a
    /// diagnostic needs one (see [`span_of`]).
    pub body: &'a Body,
    /// The resource block's header.
    pub decl: Option<Range<usize>>,
    pub file: &'a SourceFile,
    /// Attributes the configuration leaves to the cloud (see
    /// [`crate::model::schema::computed_when_unset`]) whose recorded value references read:
    /// they go back to unset when the instance takes its values back.
    pub from_state: Vec<&'static str>,
}

impl Lowered<'_> {
    /// Where to report a problem with `path`, falling back to the resource block.
    ///
    /// `whitelist[2]` falls back to `whitelist` when the list was not written as a literal.
    pub(crate) fn at(&self, path: &str) -> Option<Location> {
        let mut path = path;
        loop {
            if let Some(range) = span_of(self.body, path) {
                return Some(self.file.location(&range));
            }
            match path.rfind(['[', '.']) {
                Some(i) if i > 0 => path = &path[..i],
                _ => return self.decl_location(),
            }
        }
    }
}

/// The span of an attribute path in a resource body: `name` (an attribute's value),
/// `name[i]` / `name.key` (an element of a literal list, the key of a literal object),
/// `block[i]` (the `i`-th such block's type) and `block[i].name…` inside it. `None` when the
/// body has no such thing written out.
///
/// Looked up only when a diagnostic needs it: recording every path of every instance up
/// front cost a map per instance, most of it never read.
fn span_of(body: &Body, path: &str) -> Option<Range<usize>> {
    use hcl::edit::Span as _;
    use hcl::edit::expr::{Expression, ObjectKey};
    let (name, rest) = path.split_at(path.find(['[', '.']).unwrap_or(path.len()));
    if let Some(attr) = body.get_attribute(name) {
        let Some(inner) = rest.strip_prefix('[').or_else(|| rest.strip_prefix('.')) else {
            return if rest.is_empty() {
                attr.value.span()
            } else {
                None
            };
        };
        let index = rest.starts_with('[');
        let element = || -> Option<usize> { inner.strip_suffix(']')?.parse().ok() };
        return match &attr.value {
            Expr::Lit(lit) => match &lit.kind {
                LitKind::Array(items) if index => items.get(element()?)?.span.get(),
                LitKind::Object(entries) if !index => entries
                    .iter()
                    .find(|(key, _)| key.as_str() == inner)
                    .and_then(|(key, _)| key.span()),
                _ => None,
            },
            Expr::Hcl(expr) => match expr.as_ref() {
                Expression::Array(items) if index => items.iter().nth(element()?)?.span(),
                Expression::Object(object) if !index => {
                    object.iter().find_map(|(key, _)| match key {
                        ObjectKey::Ident(ident) if ident.as_str() == inner => ident.span(),
                        ObjectKey::Expression(Expression::String(s)) if s.as_str() == inner => {
                            key.span()
                        }
                        _ => None,
                    })
                }
                _ => None,
            },
        };
    }
    // `block[i]`, then whatever follows inside that block.
    let rest = rest.strip_prefix('[')?;
    let close = rest.find(']')?;
    let i: usize = rest[..close].parse().ok()?;
    let block = body.get_blocks(name).nth(i)?;
    match &rest[close + 1..] {
        "" => block.ident.span(),
        inner => span_of(&block.body, inner.strip_prefix('.')?),
    }
}

impl Lowered<'_> {
    pub(crate) fn decl_location(&self) -> Option<Location> {
        self.decl.as_ref().map(|r| self.file.location(r))
    }
}

/// One resource's instances, evaluated against a scope that was only read, with what they
/// add to it (see [`Evaluated::commit`]). Resources that do not refer to each other are
/// evaluated at once, on several cores.
pub(crate) struct Evaluated<'a> {
    id: ResourceId,
    instances: Vec<Lowered<'a>>,
    values: ResourceValues,
    sensitive: Option<std::collections::BTreeSet<String>>,
    diags: Vec<Diagnostic>,
}

impl<'a> Evaluated<'a> {
    /// Records the resource's values (and which of them are sensitive) in `scope`, for what
    /// refers to it, and its diagnostics in `diags`; returns its instances.
    pub(crate) fn commit(self, scope: &mut Scope, diags: &mut Vec<Diagnostic>) -> Vec<Lowered<'a>> {
        if let Some(sensitive) = self.sensitive {
            scope.sensitive.attrs.insert(self.id.clone(), sensitive);
        }
        scope.resources.insert(self.id, self.values);
        diags.extend(self.diags);
        self.instances
    }
}

/// Evaluates every instance of one resource; `scope` must hold what it refers to.
#[expect(
    clippy::too_many_lines,
    reason = "one pass of the configuration evaluator, to be split into stages when the configuration is compiled once"
)]
pub(crate) fn evaluate<'a>(
    id: &ResourceId,
    decl: Decl<'a>,
    decls: &Decls<'_>,
    scope: &Scope,
    computed: &dyn super::ComputedValues,
) -> Evaluated<'a> {
    let mut own = Vec::new();
    let diags = &mut own;
    let schema = schema(id.rtype);
    let body = &decl.block.body;
    let file = decl.file;
    let place = format!("a `{}` resource", id.rtype);
    let attr_names: Vec<&str> = schema
        .attrs
        .iter()
        .map(|a| a.name)
        .chain(META_ATTRS.iter().copied())
        .collect();
    let block_names: Vec<&str> = schema
        .blocks
        .iter()
        .map(|b| b.name)
        .chain(META_BLOCKS.iter().copied())
        .chain(std::iter::once("dynamic"))
        .collect();
    check_names(file, body, &place, &attr_names, &block_names, diags);
    let nested: Vec<&str> = schema.blocks.iter().map(|b| b.name).collect();
    let dynamics = super::dynamic::collect(body, &nested, file, diags);

    let Some(instances) = for_each(id, &decl, scope, diags) else {
        return Evaluated {
            id: id.clone(),
            instances: Vec::new(),
            values: ResourceValues::Failed,
            sensitive: None,
            diags: own,
        };
    };
    let mut deps: Vec<ResourceId> = depends_on(&decl, decls, &mut Vec::new())
        .into_iter()
        .map(|(d, _)| d)
        .collect();
    let Lifecycle {
        prevent_destroy,
        ignore_changes,
        triggers,
        create_before_destroy,
    } = lifecycle(&decl, id.rtype, decls, scope, diags);
    deps.extend(triggers.iter().map(|t| t.resource.clone()));
    let timeouts = timeouts(&decl, scope, diags);
    let provider = super::settings::chosen_provider(&decl, decls, id, diags);
    let decl_loc = || decl.location();
    let decl_span = super::body::header_span(decl.block);
    let declared_at = decl.position();

    // Which attributes read something sensitive (the same for every instance).
    let sensitive: Vec<String> = schema
        .attrs
        .iter()
        .filter(|a| {
            body.get_attribute(a.name)
                .is_some_and(|attr| scope.is_sensitive(&attr.value))
        })
        .map(|a| a.name.to_owned())
        .chain(
            schema
                .blocks
                .iter()
                .filter(|b| {
                    body.get_blocks(b.name).any(|block| {
                        block
                            .body
                            .attributes()
                            .any(|attr| scope.is_sensitive(&attr.value))
                    })
                })
                .map(|b| b.name.to_owned()),
        )
        .collect::<std::collections::BTreeSet<String>>()
        .into_iter()
        .collect();
    let sensitive_attrs = (!sensitive.is_empty()).then(|| sensitive.iter().cloned().collect());
    let mut out = Vec::new();
    let mut values: IndexMap<String, Option<crate::model::Map>> = IndexMap::new();
    let for_each = body.has_attribute("for_each") || body.has_attribute("count");
    for (key, each) in instances {
        let address = Address::new(id.clone(), key.clone());
        // Past the budget of the whole load, the rest is not evaluated (and not reported
        // instance by instance).
        match scope.spent.charge(super::budget::INSTANCE_COST) {
            Ok(true) => {}
            Ok(false) => break,
            Err(message) => {
                diags.push(Diagnostic::error(message).at(decl_loc()));
                break;
            }
        }
        let before = diags.iter().filter(|d| d.is_error()).count();
        let mut lowered = Lowered {
            instance: ResourceInstance {
                address: address.clone(),
                // Room for every attribute and block, and the computed ones references read.
                attrs: crate::model::Map::with_capacity(
                    schema.attrs.len() + schema.blocks.len() + schema.computed.len(),
                ),
                depends_on: Vec::new(),
                refs: IndexMap::new(),
                sensitive: sensitive.clone(),
                prevent_destroy,
                ignore_changes: ignore_changes.clone(),
                deferred_checks: false,
                replace_triggered_by: triggers
                    .iter()
                    .map(|t| RefTarget {
                        resource: t.resource.clone(),
                        key: match &t.key {
                            TriggerKey::All => None,
                            TriggerKey::Literal(k) => Some(k.clone()),
                            TriggerKey::Own => key.clone(),
                        },
                        attr: t.attr.clone(),
                    })
                    .collect(),
                create_before_destroy,
                timeouts,
                declared_at: declared_at.clone(),
                provider: provider.clone(),
            },
            body,
            decl: decl_span.clone(),
            file: decl.file,
            from_state: Vec::new(),
        };
        let each = each.as_ref();
        let mut targets_all: Vec<RefTarget> = Vec::new();
        for attr_schema in schema.attrs {
            let mark = diags.len();
            let (value, targets) =
                attribute(&address, body, attr_schema, "", each, &decl, scope, diags);
            if sensitive.iter().any(|n| n == attr_schema.name) {
                redact_since(diags, mark, &address);
            }
            if !targets.is_empty() {
                targets_all.extend(targets.iter().cloned());
                lowered
                    .instance
                    .refs
                    .insert(attr_schema.name.to_owned(), targets);
            }
            lowered.instance.attrs.insert(attr_schema.name, value);
        }
        for block_schema in schema.blocks {
            let blocks: Vec<_> = body.get_blocks(block_schema.name).collect();
            let (generated, generated_unknown) = generated_blocks(
                &address,
                block_schema,
                &dynamics,
                each,
                &decl,
                scope,
                &mut targets_all,
                diags,
            );
            let count = blocks.len() + generated.len();
            if count < block_schema.min_items && !generated_unknown {
                diags.push(
                    Diagnostic::error(format!(
                        "`{address}` needs at least {} `{}` block{}",
                        block_schema.min_items,
                        block_schema.name,
                        if block_schema.min_items == 1 { "" } else { "s" }
                    ))
                    .at(decl_loc())
                    .help(block_help(block_schema.name, true)),
                );
            }
            if count > block_schema.max_items {
                diags.push(
                    Diagnostic::error(format!(
                        "`{address}` has {count} `{}` blocks; at most {} are allowed",
                        block_schema.name, block_schema.max_items
                    ))
                    .at(blocks
                        .get(block_schema.max_items)
                        .map_or_else(decl_loc, |b| file.span(b.ident.span())))
                    .help(block_help(block_schema.name, false)),
                );
            }
            let mut items = Vec::with_capacity(blocks.len().min(block_schema.max_items));
            // Past the cap the blocks are refused above; they are not evaluated.
            for (i, block) in blocks.iter().enumerate().take(block_schema.max_items) {
                let prefix = format!("{}[{i}]", block_schema.name);
                let names: Vec<&str> = block_schema.attrs.iter().map(|a| a.name).collect();
                if each.is_none() || is_first_instance(&values) {
                    check_names(
                        file,
                        &block.body,
                        &format!("a `{}` block", block_schema.name),
                        &names,
                        &[],
                        diags,
                    );
                }
                let mut item = crate::model::Map::new();
                for attr_schema in block_schema.attrs {
                    let (value, targets) = attribute(
                        &address,
                        &block.body,
                        attr_schema,
                        &prefix,
                        each,
                        &decl,
                        scope,
                        diags,
                    );
                    targets_all.extend(targets);
                    item.insert(attr_schema.name, value);
                }
                items.push(Value::map(item));
            }
            items.extend(generated);
            let value = if generated_unknown {
                Value::Unknown
            } else {
                Value::List(items)
            };
            lowered.instance.attrs.insert(block_schema.name, value);
        }
        deps.extend(targets_all.iter().map(|t| t.resource.clone()));
        let failed = diags.iter().filter(|d| d.is_error()).count() > before;
        // The values move into the scope (references read them there) and come back to the
        // instance in [`take_values`]: one copy per instance, not two.
        let mut readable = std::mem::take(&mut lowered.instance.attrs);
        for (name, _) in schema.computed {
            let v = computed
                .computed(&address, name)
                .cloned()
                .unwrap_or(Value::Unknown);
            readable.insert(*name, v);
        }
        // What the cloud chose where the configuration leaves it to the cloud (a gateway
        // endpoint's route tables, say) reads as the cloud's value, as a computed one does.
        for attr_schema in schema.attrs {
            let name = attr_schema.name;
            if computed_when_unset(address.resource.rtype, name)
                && readable.get(name).is_some_and(Value::is_null)
            {
                let v = computed
                    .computed(&address, name)
                    .cloned()
                    .unwrap_or(Value::Unknown);
                readable.insert(name, v);
                lowered.from_state.push(name);
            }
        }
        if !failed {
            lowered.instance.deferred_checks =
                conditions(&address, &decl, each, &readable, scope, diags);
        }
        if failed {
            lowered.instance.attrs = readable;
            values.insert(key.clone().unwrap_or_default(), None);
        } else {
            values.insert(key.clone().unwrap_or_default(), Some(readable));
        }
        out.push(lowered);
    }
    deps.sort();
    deps.dedup();
    deps.retain(|d| d != id);
    for l in &mut out {
        l.instance.depends_on.clone_from(&deps);
    }
    let resource_values = if for_each {
        ResourceValues::Each(values)
    } else {
        ResourceValues::Single(values.into_values().next().flatten())
    };
    Evaluated {
        id: id.clone(),
        instances: out,
        values: resource_values,
        sensitive: sensitive_attrs,
        diags: own,
    }
}

/// Gives every instance its configured values back from `scope` once nothing evaluates any
/// more (see [`evaluate`]); the computed attributes the scope added for references are dropped.
pub(crate) fn take_values(lowered: &mut [Lowered<'_>], scope: &mut Scope) {
    for l in lowered {
        let address = &l.instance.address;
        let Some(values) = scope.resources.get_mut(&address.resource) else {
            continue;
        };
        let slot = match (values, &address.key) {
            (ResourceValues::Single(slot), None) => slot,
            (ResourceValues::Each(each), Some(key)) => match each.get_mut(key) {
                Some(slot) => slot,
                None => continue,
            },
            _ => continue,
        };
        if let Some(mut attrs) = slot.take() {
            let computed = schema(address.resource.rtype).computed;
            attrs.retain(|name, _| !computed.iter().any(|(c, _)| *c == name));
            for name in &l.from_state {
                attrs.insert(*name, Value::Null);
            }
            l.instance.attrs = attrs;
        }
    }
}

/// Only the first instance reports problems that do not depend on the instance.
fn is_first_instance(values: &IndexMap<String, Option<crate::model::Map>>) -> bool {
    values.is_empty()
}

/// Evaluates one schema attribute of a body: converted, defaulted, or reported missing.
#[allow(clippy::too_many_arguments)]
fn attribute(
    address: &Address,
    body: &Body,
    attr_schema: &AttrSchema,
    prefix: &str,
    each: Option<&EachValue>,
    decl: &Decl<'_>,
    scope: &Scope,
    diags: &mut Vec<Diagnostic>,
) -> (Value, Vec<RefTarget>) {
    let path = if prefix.is_empty() {
        attr_schema.name.to_owned()
    } else {
        format!("{prefix}.{}", attr_schema.name)
    };
    let Some(attr) = body.get_attribute(attr_schema.name) else {
        if attr_schema.required {
            let at = span_of(&decl.block.body, prefix)
                .map(|r| decl.file.location(&r))
                .or_else(|| decl.location());
            diags.push(
                Diagnostic::error(format!(
                    "`{address}` is missing the required attribute `{path}`"
                ))
                .at(at)
                .help(format!(
                    "add `{} = ...` ({})",
                    attr_schema.name,
                    attr_schema.ty.describe()
                )),
            );
        }
        return (attr_schema.default.value(), Vec::new());
    };
    // Where the value is, worked out only for a message (a location copies its line).
    let loc = || decl.file.span(attr.value.span());
    let mut targets = Vec::new();
    let Some(value) = scope.eval(&attr.value, each, decl.file, diags, &mut targets) else {
        return (Value::Unknown, targets);
    };
    if value.is_null() {
        if attr_schema.required {
            diags.push(
                Diagnostic::error(format!("`{path}` of `{address}` must not be null"))
                    .at(loc())
                    .help(format!("give it {}", attr_schema.ty.describe())),
            );
        }
        return (attr_schema.default.value(), targets);
    }
    match to_attr_type(value, attr_schema.ty) {
        Ok(v) => (v, targets),
        Err(e) => {
            diags.push(
                Diagnostic::error(format!("wrong type for `{path}` of `{address}`: {e}"))
                    .at(loc())
                    .help(format!(
                        "`{}` takes {}",
                        attr_schema.name,
                        attr_schema.ty.describe()
                    )),
            );
            (Value::Unknown, targets)
        }
    }
}

/// For list and object literals, records where each element is: `whitelist[2]` for the third
/// list item, `tags.team` for the key `team`, so rules can point at the exact entry.
/// The most instances `count` may ask for; also the most instances one `resource` or `module`
/// block may have in all, counting every instance of the modules it is in (modules with
/// `count` inside modules with `count` multiply).
pub(crate) const MAX_COUNT: u64 = 100_000;

/// The instances `count` asks for: keys `[0]`, `[1]`, ... with `count.index`.
fn count(
    id: &dyn std::fmt::Display,
    decl: &Decl<'_>,
    scope: &Scope,
    diags: &mut Vec<Diagnostic>,
) -> Option<Vec<(Option<String>, Option<EachValue>)>> {
    let attr = decl.block.body.get_attribute("count")?;
    let loc = decl.file.span(attr.value.span());
    if let Some(other) = decl.block.body.get_attribute("for_each") {
        diags.push(
            Diagnostic::error(format!("`{id}` has both `count` and `for_each`"))
                .at(decl.file.span(other.value.span()))
                .help("use one: `count = N` for N alike instances, `for_each` for instances with keys"),
        );
        return Some(Vec::new());
    }
    let n = match scope.eval(&attr.value, None, decl.file, diags, &mut Vec::new()) {
        None => return Some(Vec::new()),
        Some(Value::Unknown) => {
            diags.push(
                Diagnostic::error(format!("`count` of `{id}` depends on values known only after apply"))
                    .at(loc)
                    .help("build `count` from variables and locals, so the instances are known when planning"),
            );
            return Some(Vec::new());
        }
        Some(v) => v,
    };
    // A number as text counts too (`count = var.n` with `--var n=3`).
    let as_number = match &n {
        Value::String(s) => s.trim().parse::<i64>().ok(),
        other => other.as_i64(),
    };
    let whole = as_number
        .and_then(|i| u64::try_from(i).ok())
        .filter(|i| *i <= MAX_COUNT);
    let Some(n) = whole else {
        diags.push(
            Diagnostic::error(format!(
                "`count` of `{id}` must be a whole number from 0 to {MAX_COUNT}, got {n}"
            ))
            .at(loc)
            .help("for example `count = 3` or `count = length(var.names)`"),
        );
        return Some(Vec::new());
    };
    Some(
        (0..n)
            .map(|i| {
                let key = crate::model::address::count_key(i);
                (
                    Some(key.clone()),
                    Some(EachValue {
                        key,
                        value: hcl::Value::Null,
                        index: Some(i),
                        this: None,
                    }),
                )
            })
            .collect(),
    )
}

/// The instances `for_each` (or `count`) asks for: `(key, each)` pairs, or one unkeyed
/// instance. `None` when `for_each` failed (reported); a failed `count` gives no instances,
/// and so do more than [`MAX_COUNT`] in all (reported).
pub(crate) fn for_each(
    id: &dyn std::fmt::Display,
    decl: &Decl<'_>,
    scope: &Scope,
    diags: &mut Vec<Diagnostic>,
) -> Option<Vec<(Option<String>, Option<EachValue>)>> {
    let instances = instances(id, decl, scope, diags)?;
    let here = instances.len() as u64;
    let total = here.saturating_mul(scope.copies);
    if total > MAX_COUNT {
        let at = ["count", "for_each"]
            .into_iter()
            .find_map(|name| decl.block.body.get_attribute(name))
            .map(|a| decl.file.span(a.value.span()));
        let mut d = Diagnostic::error(format!(
            "`{id}` would have {total} instances in all ({here} in each of the {} instances of the module it is in); at most {MAX_COUNT} are allowed",
            scope.copies
        ))
        .help("fewer instances here or in the module calls above: modules with `count` or `for_each` multiply what they hold");
        if let Some(at) = at {
            d = d.at(at);
        }
        diags.push(d);
        return Some(Vec::new());
    }
    Some(instances)
}

fn instances(
    id: &dyn std::fmt::Display,
    decl: &Decl<'_>,
    scope: &Scope,
    diags: &mut Vec<Diagnostic>,
) -> Option<Vec<(Option<String>, Option<EachValue>)>> {
    if decl.block.body.has_attribute("count") {
        return count(id, decl, scope, diags);
    }
    let Some(attr) = decl.block.body.get_attribute("for_each") else {
        return Some(vec![(None, None)]);
    };
    let loc = decl.file.span(attr.value.span());
    if scope.is_sensitive(&attr.value) {
        diags.push(
            Diagnostic::error(format!(
                "the `for_each` of `{id}` reads a sensitive value; its keys would show in every plan"
            ))
            .at(loc)
            .help("build the keys from values that are not sensitive"),
        );
        return None;
    }
    let value = scope.eval(&attr.value, None, decl.file, diags, &mut Vec::new())?;
    let err = |msg: String| Diagnostic::error(msg).at(loc.clone());
    match value {
        Value::Map(map) => Some(
            map.into_iter()
                .map(|(k, v)| {
                    let value = super::convert::to_hcl(&v).unwrap_or(hcl::Value::Null);
                    let key = k.to_string();
                    if crate::model::address::count_index(&key).is_some() {
                        diags.push(err(format!(
                            "`for_each` of `{id}` has the key \"{key}\", which is how vpcep keeps `count` instances"
                        )).help("use keys that do not start with `#` and a number"));
                    }
                    (
                        Some(key.clone()),
                        Some(EachValue {
                            key,
                            value,
                            index: None,
                            this: None,
                        }),
                    )
                })
                .collect(),
        ),
        Value::List(items) => {
            let mut out: Vec<(Option<String>, Option<EachValue>)> = Vec::with_capacity(items.len());
            let mut seen = std::collections::HashSet::new();
            for item in items {
                let Value::String(key) = item else {
                    diags.push(err(format!(
                        "`for_each` of `{id}` must be a map or a set of strings; this list holds a {}",
                        item.type_name()
                    )));
                    return None;
                };
                if !seen.insert(key.clone()) {
                    diags.push(
                        err(format!("`for_each` of `{id}` lists \"{key}\" twice"))
                            .help("wrap the list in `toset(...)` to drop duplicates"),
                    );
                    return None;
                }
                let value = hcl::Value::String(key.to_string());
                out.push((
                    Some(key.to_string()),
                    Some(EachValue {
                        key: key.to_string(),
                        value,
                        index: None,
                        this: None,
                    }),
                ));
            }
            Some(out)
        }
        Value::Unknown => {
            diags.push(
                err(format!("`for_each` of `{id}` depends on values known only after apply"))
                    .help("build `for_each` from variables and locals, so the instances are known when planning"),
            );
            None
        }
        other => {
            diags.push(
                err(format!(
                    "`for_each` of `{id}` must be a map or a set of strings, got a {}",
                    other.type_name()
                ))
                .help(
                    "for example `for_each = var.services` or `for_each = toset([\"a\", \"b\"])`",
                ),
            );
            None
        }
    }
}

/// A constant (known, non-null) value of an attribute in a meta block, or a reported error.
fn meta_value(
    decl: &Decl<'_>,
    body: &Body,
    name: &str,
    scope: &Scope,
    diags: &mut Vec<Diagnostic>,
) -> Option<(Value, Option<Location>)> {
    let attr = body.get_attribute(name)?;
    let loc = decl.file.span(attr.value.span());
    match scope.eval(&attr.value, None, decl.file, diags, &mut Vec::new())? {
        Value::Unknown => {
            diags.push(
                Diagnostic::error(format!("`{name}` must be known when planning"))
                    .at(loc)
                    .help("use literal values, variables or locals here"),
            );
            None
        }
        v => Some((v, loc)),
    }
}

/// What a `lifecycle` block says.
#[derive(Default)]
struct Lifecycle {
    prevent_destroy: bool,
    /// Configured attributes whose changes are not planned (`all`: every one).
    ignore_changes: Vec<String>,
    triggers: Vec<Trigger>,
    create_before_destroy: bool,
}

/// Which instance of a resource a `replace_triggered_by` entry names.
enum TriggerKey {
    /// `vpcep_service.x`: any instance.
    All,
    /// `vpcep_service.x["a"]` or `vpcep_service.x[0]`.
    Literal(String),
    /// `vpcep_service.x[each.key]` or `[count.index]`: the instance with this one's key.
    Own,
}

/// One entry of `replace_triggered_by`.
struct Trigger {
    resource: ResourceId,
    key: TriggerKey,
    attr: Option<String>,
}

fn lifecycle(
    decl: &Decl<'_>,
    rtype: crate::model::ResourceType,
    decls: &Decls<'_>,
    scope: &Scope,
    diags: &mut Vec<Diagnostic>,
) -> Lifecycle {
    let Some(block) = single_block(decl.file, &decl.block.body, "lifecycle", diags) else {
        return Lifecycle::default();
    };
    check_names(
        decl.file,
        &block.body,
        "a `lifecycle` block",
        &[
            "prevent_destroy",
            "ignore_changes",
            "replace_triggered_by",
            "create_before_destroy",
        ],
        &["precondition", "postcondition"],
        diags,
    );
    for kind in ["precondition", "postcondition"] {
        for b in block.body.get_blocks(kind) {
            check_names(
                decl.file,
                &b.body,
                &format!("a `{kind}` block"),
                &["condition", "error_message"],
                &[],
                diags,
            );
            for required in ["condition", "error_message"] {
                if !b.body.has_attribute(required) {
                    diags.push(
                        Diagnostic::error(format!("a `{kind}` block needs `{required}`"))
                            .at(decl.file.span(b.ident.span()))
                            .help("write `condition = <a bool expression>` and `error_message = \"...\"`"),
                    );
                }
            }
        }
    }
    let prevent_destroy = match meta_value(decl, &block.body, "prevent_destroy", scope, diags) {
        Some((Value::Bool(b), _)) => b,
        Some((other, loc)) => {
            diags.push(
                Diagnostic::error(format!(
                    "`prevent_destroy` must be true or false, got {other}"
                ))
                .at(loc),
            );
            false
        }
        None => false,
    };
    let ignore_changes = block
        .body
        .get_attribute("ignore_changes")
        .map(|attr| ignored_names(decl, rtype, &attr.value, diags))
        .unwrap_or_default();
    let triggers = block
        .body
        .get_attribute("replace_triggered_by")
        .map(|attr| triggers(decl, decls, &attr.value, diags))
        .unwrap_or_default();
    let create_before_destroy =
        match meta_value(decl, &block.body, "create_before_destroy", scope, diags) {
            Some((Value::Bool(b), _)) => b,
            Some((other, loc)) => {
                diags.push(
                    Diagnostic::error(format!(
                        "`create_before_destroy` must be true or false, got {other}"
                    ))
                    .at(loc),
                );
                false
            }
            None => false,
        };
    Lifecycle {
        prevent_destroy,
        ignore_changes,
        triggers,
        create_before_destroy,
    }
}

/// `replace_triggered_by = [vpcep_service.a, vpcep_service.b[each.key].port_id]`: resources
/// (or instances, or their attributes) whose change replaces this resource; read as written.
fn triggers(
    decl: &Decl<'_>,
    decls: &Decls<'_>,
    value: &Expr,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Trigger> {
    use hcl::edit::expr::{Expression, TraversalOperator};
    let hint = "write `replace_triggered_by = [vpcep_service.NAME]`, an instance `vpcep_service.NAME[each.key]`, or an attribute `vpcep_service.NAME.port_id`";
    let Some(Expression::Array(items)) = value.hcl() else {
        diags.push(
            Diagnostic::error("`replace_triggered_by` must be a list of resource references")
                .at(decl.file.span(value.span()))
                .help(hint),
        );
        return Vec::new();
    };
    let mut out = Vec::new();
    for item in items {
        let at = decl.file.span(hcl::edit::Span::span(item));
        let parsed = match item {
            Expression::Traversal(t) => {
                let Expression::Variable(root) = &t.expr else {
                    continue;
                };
                let ops: Vec<&TraversalOperator> = t
                    .operators
                    .iter()
                    .map(hcl::edit::Decorated::value)
                    .collect();
                match (
                    crate::model::ResourceType::parse(root.as_str()),
                    ops.split_first(),
                ) {
                    (Some(rtype), Some((TraversalOperator::GetAttr(name), rest))) => {
                        let resource = ResourceId::new(rtype, name.as_str());
                        let (key, rest) = match rest.split_first() {
                            Some((TraversalOperator::Index(Expression::String(k)), rest)) => {
                                (Some(TriggerKey::Literal(k.value().clone())), rest)
                            }
                            Some((TraversalOperator::Index(Expression::Number(n)), rest)) => (
                                n.value().as_u64().map(|i| {
                                    TriggerKey::Literal(crate::model::address::count_key(i))
                                }),
                                rest,
                            ),
                            Some((TraversalOperator::Index(Expression::Traversal(k)), rest)) => {
                                let own = matches!(
                                    (&k.expr, k.operators.first().map(hcl::edit::Decorated::value)),
                                    (Expression::Variable(v), Some(TraversalOperator::GetAttr(a)))
                                        if (v.as_str() == "each" && a.as_str() == "key")
                                            || (v.as_str() == "count" && a.as_str() == "index")
                                );
                                (own.then_some(TriggerKey::Own), rest)
                            }
                            _ => (Some(TriggerKey::All), rest),
                        };
                        match (key, rest) {
                            (Some(key), []) => Some(Trigger {
                                resource,
                                key,
                                attr: None,
                            }),
                            (Some(key), [TraversalOperator::GetAttr(a)]) => Some(Trigger {
                                resource,
                                key,
                                attr: Some(a.as_str().to_owned()),
                            }),
                            _ => None,
                        }
                    }
                    _ => None,
                }
            }
            _ => None,
        };
        match parsed {
            Some(t) if decls.resources.contains_key(&t.resource) => out.push(t),
            Some(t) => diags.push(
                Diagnostic::error(format!(
                    "`replace_triggered_by` names `{}`, which the configuration does not declare",
                    t.resource
                ))
                .at(at),
            ),
            None => diags.push(
                Diagnostic::error("`replace_triggered_by` lists resource references")
                    .at(at)
                    .help(hint),
            ),
        }
    }
    out
}

/// The attribute names of `ignore_changes = [tags, name]` (names as written, not evaluated;
/// quoted names are taken too) or `ignore_changes = all`.
fn ignored_names(
    decl: &Decl<'_>,
    rtype: crate::model::ResourceType,
    value: &Expr,
    diags: &mut Vec<Diagnostic>,
) -> Vec<String> {
    use hcl::edit::expr::{Expression, TraversalOperator};
    let s = schema(rtype);
    let configurable: Vec<&str> = s
        .attrs
        .iter()
        .map(|a| a.name)
        .chain(s.blocks.iter().map(|b| b.name))
        .collect();
    let at = |span: Option<Range<usize>>| span.and_then(|s| decl.file.span(Some(s)));
    let hint = "write `ignore_changes = [tags, description]`, or `ignore_changes = all`";
    let items: Vec<&Expression> = match value.hcl() {
        Some(Expression::Variable(v)) if v.as_str() == "all" => {
            return configurable.iter().map(|n| (*n).to_owned()).collect();
        }
        Some(Expression::Array(items)) => items.iter().collect(),
        _ => {
            diags.push(
                Diagnostic::error("`ignore_changes` must be a list of attribute names, or `all`")
                    .at(decl.file.span(value.span()))
                    .help(hint),
            );
            return Vec::new();
        }
    };
    let mut out = Vec::new();
    for item in items {
        let name = match item {
            Expression::Variable(v) => Some(v.as_str().to_owned()),
            // `tags["team"]`: the whole attribute (vpcep ignores attributes, not their parts).
            Expression::Traversal(t) => match (
                &t.expr,
                t.operators.first().map(hcl::edit::Decorated::value),
            ) {
                (
                    Expression::Variable(v),
                    Some(TraversalOperator::Index(_) | TraversalOperator::LegacyIndex(_)),
                ) => Some(v.as_str().to_owned()),
                _ => None,
            },
            Expression::String(s) => Some(s.value().clone()),
            _ => None,
        };
        let span = hcl::edit::Span::span(item);
        match name {
            Some(n) if configurable.contains(&n.as_str()) => {
                if !out.contains(&n) {
                    out.push(n);
                }
            }
            Some(n) => diags.push(
                Diagnostic::error(format!(
                    "`ignore_changes` names `{n}`, which is not an attribute of {}",
                    rtype.as_str()
                ))
                .at(at(span))
                .help_opt(
                    super::body::suggestion(&n, &configurable).or_else(|| {
                        Some(format!("its attributes are {}", configurable.join(", ")))
                    }),
                ),
            ),
            None => diags.push(
                Diagnostic::error("`ignore_changes` lists attribute names")
                    .at(at(span))
                    .help(hint),
            ),
        }
    }
    out
}

fn timeouts(decl: &Decl<'_>, scope: &Scope, diags: &mut Vec<Diagnostic>) -> Timeouts {
    let mut timeouts = Timeouts::default();
    let Some(block) = single_block(decl.file, &decl.block.body, "timeouts", diags) else {
        return timeouts;
    };
    check_names(
        decl.file,
        &block.body,
        "a `timeouts` block",
        &["create", "update", "delete"],
        &[],
        diags,
    );
    for (name, slot) in [
        ("create", &mut timeouts.create),
        ("update", &mut timeouts.update),
        ("delete", &mut timeouts.delete),
    ] {
        if let Some((value, loc)) = meta_value(decl, &block.body, name, scope, diags) {
            match parse_duration(&value) {
                Ok(d) => *slot = d,
                Err(e) => diags.push(
                    Diagnostic::error(format!("invalid `{name}` timeout: {e}"))
                        .at(loc)
                        .help("write a duration such as \"30s\", \"10m\" or \"1h\""),
                ),
            }
        }
    }
    timeouts
}

/// A duration written as a string, e.g. `"90s"`, `"10m"`, `"1h30m"`.
pub(crate) fn parse_duration(value: &Value) -> Result<Duration, String> {
    let Value::String(s) = value else {
        return Err(format!("expected a string such as \"10m\", got {value}"));
    };
    humantime::parse_duration(s).map_err(|e| format!("\"{s}\" is not a duration ({e})"))
}

/// How to fix a count of nested blocks outside the schema's bounds (`too_few` or too many).
fn block_help(name: &str, too_few: bool) -> String {
    match (name, too_few) {
        ("port", true) => {
            "add a port mapping: `port { server_port = 8080  client_port = 80 }`".into()
        }
        ("port", false) => "split the mappings over more than one service".into(),
        (_, true) => format!("add a `{name}` block"),
        (_, false) => format!("merge `{name}` blocks, or split them over more than one resource"),
    }
}

/// The blocks `dynamic` blocks generate for `block_schema`, each checked against it; and
/// whether some are unknown until apply (their `for_each` is).
#[allow(clippy::too_many_arguments)]
fn generated_blocks(
    address: &Address,
    block_schema: &crate::model::schema::BlockSchema,
    dynamics: &[super::dynamic::Dynamic<'_>],
    each: Option<&EachValue>,
    decl: &Decl<'_>,
    scope: &Scope,
    targets: &mut Vec<RefTarget>,
    diags: &mut Vec<Diagnostic>,
) -> (Vec<Value>, bool) {
    let mut out = Vec::new();
    let mut unknown = false;
    for d in dynamics.iter().filter(|d| d.name == block_schema.name) {
        let at = decl.file.span(d.block.ident.span());
        // Parts of the desugared expression have no place in the file: the block is the place.
        let mut own = Vec::new();
        let value = scope.eval(&d.expr, each, decl.file, &mut own, targets);
        for mut diag in own {
            if diag.location.is_none() {
                diag.location.clone_from(&at);
            }
            diags.push(diag);
        }
        let items = match value {
            Some(Value::List(items)) => items,
            Some(Value::Unknown) => {
                unknown = true;
                continue;
            }
            Some(other) => {
                diags.push(
                    Diagnostic::error(format!(
                        "the `for_each` of `dynamic \"{}\"` in `{address}` must be a list, set or map, got {}",
                        d.name,
                        other.type_name()
                    ))
                    .at(at.clone()),
                );
                continue;
            }
            None => continue,
        };
        for (i, item) in items.into_iter().enumerate() {
            let Value::Map(given) = item else {
                unknown = true;
                continue;
            };
            let mut block = crate::model::Map::new();
            // Every generated block has the keys `content` writes: told once.
            for (name, _) in given.iter().filter(|_| i == 0) {
                if block_schema.attrs.iter().all(|a| a.name != name) {
                    diags.push(
                        Diagnostic::error(format!(
                            "the `content` of `dynamic \"{}\"` in `{address}` sets `{name}`, which a `{}` block does not have",
                            d.name, d.name
                        ))
                        .at(at.clone())
                        .help(format!(
                            "its attributes are {}",
                            block_schema.attrs.iter().map(|a| a.name).collect::<Vec<_>>().join(", ")
                        )),
                    );
                }
            }
            for a in block_schema.attrs {
                let value = given.get(a.name).cloned().unwrap_or(Value::Null);
                let value = if value.is_null() {
                    if a.required {
                        diags.push(
                            Diagnostic::error(format!(
                                "block {} that `dynamic \"{}\"` generates for `{address}` has no `{}`",
                                i + 1,
                                d.name,
                                a.name
                            ))
                            .at(at.clone())
                            .help(format!("set `{}` in the `content` block", a.name)),
                        );
                    }
                    a.default.value()
                } else {
                    match to_attr_type(value, a.ty) {
                        Ok(v) => v,
                        Err(e) => {
                            diags.push(
                                Diagnostic::error(format!(
                                    "`{}` of block {} that `dynamic \"{}\"` generates for `{address}`: {e}",
                                    a.name,
                                    i + 1,
                                    d.name
                                ))
                                .at(at.clone()),
                            );
                            Value::Null
                        }
                    }
                };
                block.insert(a.name, value);
            }
            out.push(Value::map(block));
        }
    }
    (out, unknown)
}

/// Checks the `precondition` and `postcondition` blocks of one instance (`values`: what it
/// reads as, for `self`): a false condition is an error with its `error_message`. Returns
/// whether one could not be decided yet (it reads values known only after apply).
fn conditions(
    address: &Address,
    decl: &Decl<'_>,
    each: Option<&EachValue>,
    values: &crate::model::Map,
    scope: &Scope,
    diags: &mut Vec<Diagnostic>,
) -> bool {
    let mut deferred = false;
    for lifecycle in decl.block.body.get_blocks("lifecycle") {
        for (kind, post) in [("precondition", false), ("postcondition", true)] {
            for block in lifecycle.body.get_blocks(kind) {
                let Some(condition) = block.body.get_attribute("condition") else {
                    continue; // reported where the block is read
                };
                let mut context = each.cloned().unwrap_or(EachValue {
                    key: String::new(),
                    value: hcl::Value::Null,
                    index: None,
                    this: None,
                });
                if post {
                    let Some(this) = super::convert::to_hcl(&Value::map(values.clone())) else {
                        // Its own values are known only after apply: so is the answer.
                        deferred = true;
                        continue;
                    };
                    context.this = Some(this);
                }
                let at = decl.file.span(condition.value.span());
                let value = scope.eval(
                    &condition.value,
                    Some(&context),
                    decl.file,
                    diags,
                    &mut Vec::new(),
                );
                match value {
                    Some(Value::Bool(true)) | None => {}
                    Some(Value::Unknown) => deferred = true,
                    Some(Value::Bool(false)) => {
                        let message = block
                            .body
                            .get_attribute("error_message")
                            .and_then(|m| {
                                if scope.is_sensitive(&m.value) {
                                    // As Terraform: the message is not shown at all.
                                    return Some(SENSITIVE_MESSAGE.to_owned());
                                }
                                match scope.eval(
                                    &m.value,
                                    Some(&context),
                                    decl.file,
                                    &mut Vec::new(),
                                    &mut Vec::new(),
                                ) {
                                    Some(Value::String(s)) => Some(s.to_string()),
                                    _ => None,
                                }
                            })
                            .unwrap_or_else(|| "(no error message)".to_owned());
                        diags.push(
                            Diagnostic::error(format!("{kind} of `{address}` failed: {message}"))
                                .at(at)
                                .note(format!("this was checked by the {kind} here")),
                        );
                    }
                    Some(other) => diags.push(
                        Diagnostic::error(format!(
                            "the condition of a {kind} of `{address}` is a {}, not a bool",
                            other.type_name()
                        ))
                        .at(at),
                    ),
                }
            }
        }
    }
    deferred
}
