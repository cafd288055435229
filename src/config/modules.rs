//! `module "NAME" { source = "./modules/svc", ...inputs, for_each | count, depends_on,
//! providers = { otc = otc.partner } }`: each instance is a configuration of its own, loaded
//! from the module's directory with the call's inputs as its variables (known or not); its
//! resources come back under the instance's address (`module.NAME["key"].vpcep_service.x`),
//! and its outputs are what `module.NAME.OUTPUT` reads.

use super::decls::{Decl, Decls};
use super::eval::{EachValue, ResourceValues, Scope};
use super::{ComputedValues, LoadOptions, Loaded};
use crate::diag::{Diagnostic, Location};
use crate::model::{Address, RefTarget, ResourceInstance, Value};
use indexmap::IndexMap;

/// How deep modules may nest (a module that calls itself would never end).
pub(crate) const MAX_DEPTH: usize = 8;
/// What loading one module instance costs at least against the whole load's budget: about
/// 32,000 module instances in all (a fleet of 10,000 services, one module instance each,
/// uses a third).
pub(crate) const MODULE_LOAD_COST: u64 = 16 << 10;

/// What a module instance is loaded with.
#[derive(Debug, Clone, Default)]
pub struct ModuleContext {
    /// The values the call gives the module's variables.
    pub inputs: IndexMap<String, Value>,
    /// How many modules deep this one is (1 for a module the root calls).
    pub depth: usize,
    /// The call, for messages: `module.NAME` and where it is written.
    pub call: String,
    pub call_at: Option<Location>,
    /// Where each input's value is written in the call (for an error about that value).
    pub inputs_at: IndexMap<String, Option<Location>>,
    /// The type of the root's default provider (`sim`, `otc`): what `providers` keys name.
    pub default_provider: String,
    /// How many instances of this module exist in all: the product of the instance counts
    /// of its call and of every call above it.
    pub copies: u64,
    /// The inputs whose expressions read something sensitive: the module's variables of
    /// those names are sensitive inside it, as if declared so.
    pub sensitive_inputs: Vec<String>,
    /// The directories of the root and of every module above this one (canonical): a call
    /// back into one of them is a cycle.
    pub ancestors: Vec<std::path::PathBuf>,
}

/// What evaluating one `module` call gives its caller.
#[derive(Default)]
pub(crate) struct CallOutcome {
    /// The outputs of each instance.
    pub values: Option<ResourceValues>,
    /// The resources of every instance, at their full addresses.
    pub resources: Vec<ResourceInstance>,
    /// What referring to the module reads: its resources.
    pub reads: Vec<RefTarget>,
    pub secrets: Vec<String>,
    /// The data sources of every instance, at their full addresses.
    pub data: Vec<crate::model::data::DataInstance>,
    /// Reads the instances want and the reads given did not answer.
    pub wanted: Vec<crate::model::data::DataRequest>,
    /// The module's `moved` and `removed` blocks, for each instance at its addresses.
    pub refactors: crate::model::refactor::Refactors,
}

/// A module's refactoring target at the instance `instance` (`module.svc["a"]`).
fn in_instance(
    target: &crate::model::refactor::Target,
    instance: &str,
) -> crate::model::refactor::Target {
    use crate::model::refactor::Target;
    match target {
        Target::Resource(id) => Target::Resource(id.in_module(instance)),
        Target::Instance(a) => Target::Instance(crate::model::Address {
            resource: a.resource.in_module(instance),
            key: a.key.clone(),
        }),
        Target::Module(path) => Target::Module(format!("{instance}.{path}")),
    }
}

/// The attributes of a call that are not inputs.
const META: &[&str] = &["source", "for_each", "count", "depends_on", "providers"];

/// Looks the computed values of a module's resources up at their full addresses.
struct InModule<'a> {
    parent: &'a dyn ComputedValues,
    path: &'a str,
}

/// Answers a module's data reads with what was read at their full addresses.
struct ReadsInModule<'a> {
    parent: &'a dyn super::DataReads,
    path: &'a str,
    provider: Option<&'a str>,
}

impl super::DataReads for ReadsInModule<'_> {
    fn read(
        &self,
        request: &crate::model::data::DataRequest,
    ) -> Option<Result<crate::model::Map, String>> {
        self.parent
            .read(&full_request(request, self.path, self.provider))
    }
}

/// A module's read at its full address, with the provider its call passes.
fn full_request(
    request: &crate::model::data::DataRequest,
    path: &str,
    provider: Option<&str>,
) -> crate::model::data::DataRequest {
    let mut full = request.clone();
    full.address.id = full.address.id.in_module(path);
    if full.provider.is_none() {
        full.provider = provider.map(str::to_owned);
    }
    full
}

impl ComputedValues for InModule<'_> {
    fn computed(&self, address: &Address, name: &str) -> Option<&Value> {
        let full = Address {
            resource: address.resource.in_module(self.path),
            key: address.key.clone(),
        };
        self.parent.computed(&full, name)
    }
}

/// `path` without `.` components and with `dir/..` taken out, as messages should name it.
fn tidy(path: &std::path::Path) -> std::path::PathBuf {
    use std::path::Component;
    let mut out: Vec<Component<'_>> = Vec::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir if matches!(out.last(), Some(Component::Normal(_))) => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    if out.is_empty() {
        return std::path::PathBuf::from(".");
    }
    out.iter().collect()
}

/// `module.NAME`, `module.NAME["key"]` or `module.NAME[0]`.
fn instance_path(name: &str, key: Option<&str>) -> String {
    match key {
        None => format!("module.{name}"),
        Some(k) => format!("module.{name}{}", Address::key_text(k)),
    }
}

/// `providers = { sim = sim.partner }`: the provider the module's resources use, by the type
/// of the caller's default provider.
fn providers(decl: &Decl<'_>, diags: &mut Vec<Diagnostic>) -> IndexMap<String, String> {
    use hcl::edit::expr::{Expression, ObjectKey, TraversalOperator};
    let mut out = IndexMap::new();
    let Some(attr) = decl.block.body.get_attribute("providers") else {
        return out;
    };
    let Some(Expression::Object(object)) = attr.value.hcl() else {
        diags.push(
            Diagnostic::error("`providers` must map provider names to providers")
                .at(decl.file.span(attr.value.span()))
                .help("write `providers = { otc = otc.partner }`"),
        );
        return out;
    };
    for (key, value) in object {
        let key = match key {
            ObjectKey::Ident(i) => i.as_str().to_owned(),
            ObjectKey::Expression(Expression::String(s)) => s.value().clone(),
            ObjectKey::Expression(_) => continue,
        };
        let chosen = match value.expr() {
            Expression::Traversal(t) => match (
                &t.expr,
                t.operators.first().map(hcl::edit::Decorated::value),
            ) {
                (Expression::Variable(kind), Some(TraversalOperator::GetAttr(alias))) => {
                    Some(format!("{}.{}", kind.as_str(), alias.as_str()))
                }
                _ => None,
            },
            Expression::Variable(kind) => Some(kind.as_str().to_owned()),
            _ => None,
        };
        match chosen {
            Some(c) => {
                out.insert(key, c);
            }
            None => diags.push(
                Diagnostic::error(format!("`providers.{key}` must name a provider"))
                    .at(decl.file.span(hcl::edit::Span::span(value.expr())))
                    .help("write `otc.partner` (a provider block's type and alias), or `otc` for the default one"),
            ),
        }
    }
    out
}

/// Loads each prepared instance (`None` where its inputs failed), several at once when there
/// are cores for it; in the order given.
fn load_all(
    prepared: &[(Option<String>, Option<LoadOptions>)],
    load: &(dyn Fn(&LoadOptions) -> Loaded + Sync),
) -> Vec<Option<Loaded>> {
    let one = |(_, options): &(Option<String>, Option<LoadOptions>)| options.as_ref().map(load);
    let threads = super::cores();
    if threads < 2 || prepared.len() < 2 {
        return prepared.iter().map(one).collect();
    }
    let mut parts = prepared.chunks(prepared.len().div_ceil(threads));
    let first = parts.next().unwrap_or_default();
    std::thread::scope(|s| {
        let others: Vec<_> = parts
            .map(|part| {
                std::thread::Builder::new()
                    .stack_size(super::WORKER_STACK)
                    .spawn_scoped(s, move || part.iter().map(one).collect::<Vec<_>>())
                    .map_err(|_| part)
            })
            .collect();
        let mut done: Vec<Option<Loaded>> = first.iter().map(one).collect();
        for part in others {
            match part {
                Ok(running) => match running.join() {
                    Ok(loaded) => done.extend(loaded),
                    Err(panic) => std::panic::resume_unwind(panic),
                },
                Err(part) => done.extend(part.iter().map(one)),
            }
        }
        done
    })
}

/// Evaluates the call `name`: every instance loaded, its resources and outputs returned.
#[allow(clippy::too_many_arguments)]
#[expect(
    clippy::too_many_lines,
    reason = "one pass of the configuration evaluator, to be split into stages when the configuration is compiled once"
)]
pub(crate) fn evaluate(
    name: &str,
    decl: Decl<'_>,
    decls: &Decls<'_>,
    scope: &Scope,
    parent: &LoadOptions,
    default_provider: &str,
    (computed, reads): (&dyn ComputedValues, &dyn super::DataReads),
    diags: &mut Vec<Diagnostic>,
) -> CallOutcome {
    let mut out = CallOutcome::default();
    let call = format!("module.{name}");
    let depth = parent.module.as_ref().map_or(0, |m| m.depth) + 1;
    if depth > MAX_DEPTH {
        diags.push(
            Diagnostic::error(format!(
                "`{call}` is nested {depth} modules deep; at most {MAX_DEPTH} are allowed"
            ))
            .at(decl.location())
            .help("does a module call itself? A module's `source` must not lead back to it"),
        );
        return out;
    }
    for block in decl.block.body.blocks() {
        diags.push(
            Diagnostic::error(format!(
                "a `module` block holds attributes only: its inputs; `{}` is a block",
                block.ident
            ))
            .at(decl.file.span(block.ident.span())),
        );
    }
    let Some(source) = decl.block.body.get_attribute("source") else {
        diags.push(
            Diagnostic::error(format!("`{call}` has no `source`"))
                .at(decl.location())
                .help("write `source = \"./modules/NAME\"`: the directory of the module's files"),
        );
        return out;
    };
    let source_at = decl.file.span(source.value.span());
    let path = match scope.eval(&source.value, None, decl.file, diags, &mut Vec::new()) {
        Some(Value::String(s)) if s.starts_with("./") || s.starts_with("../") => s.to_string(),
        Some(other) => {
            diags.push(
                Diagnostic::error(format!(
                    "the `source` of `{call}` must be a local directory starting with `./` or `../`, got {other}"
                ))
                .at(source_at)
                .help("vpcep reads modules from directories beside the configuration, e.g. `source = \"./modules/service\"`"),
            );
            return out;
        }
        None => return out,
    };
    let dir = tidy(&parent.dir.join(&path));
    // A module that calls itself, directly or through others, would load without end (ten
    // calls of its own directory at each of eight levels are 10^8 loads): a cycle is an
    // error at the call, whatever `count` says.
    let canonical =
        |d: &std::path::Path| std::fs::canonicalize(d).unwrap_or_else(|_| d.to_path_buf());
    let mut ancestors: Vec<std::path::PathBuf> = parent
        .module
        .as_ref()
        .map(|m| m.ancestors.clone())
        .unwrap_or_default();
    ancestors.push(canonical(&parent.dir));
    if ancestors.contains(&canonical(&dir)) {
        diags.push(
            Diagnostic::error(format!(
                "the `source` of `{call}` is `{path}`, the module it is in or one that calls it: a module that calls itself would never end"
            ))
            .at(source_at)
            .help("move what the module repeats into a module of its own, and call that"),
        );
        return out;
    }
    let shown = tidy(
        &parent
            .shown_dir
            .as_deref()
            .unwrap_or(&parent.dir)
            .join(&path),
    );
    // The module's files are read and parsed once for the call: every instance evaluates the
    // same parse.
    let Some(names) = super::files::list(&dir, &shown, &mut Vec::new()) else {
        diags.push(
            Diagnostic::error(format!(
                "the `source` of `{call}` is `{path}`, where there is no module (no *.hcl files in `{}`)",
                shown.display()
            ))
            .at(source_at)
            .help("check the path: it is relative to the directory of the file that calls the module"),
        );
        return out;
    };
    // A file of the module that cannot be read is an error, never a file left out: its
    // resources would be planned for deletion.
    let mut unreadable = Vec::new();
    let sources = super::files::read_named(&dir, &shown, names, &mut unreadable);
    if !unreadable.is_empty() {
        diags.extend(unreadable.into_iter().map(|d| {
            d.at(source_at.clone()).help(format!(
                "the module of `{call}` is read whole, or not at all"
            ))
        }));
        return out;
    }
    // Every instance evaluates the module's text again: what it costs counts against the
    // budget of the whole load, so calls cannot multiply work without bound.
    let load_cost: u64 =
        (sources.iter().map(|(_, t)| t.len() as u64).sum::<u64>() * 4).max(MODULE_LOAD_COST);
    let parsed = std::sync::Arc::new(super::parse(&sources));
    let chosen = providers(&decl, diags);
    let provider = chosen
        .get(default_provider)
        .cloned()
        .filter(|p| p.contains('.'));
    let Some(instances) = super::resources::for_each(&call, &decl, scope, diags) else {
        out.values = Some(ResourceValues::Failed);
        return out;
    };
    let keyed = decl.block.body.has_attribute("for_each") || decl.block.body.has_attribute("count");
    let copies = scope.copies.saturating_mul(instances.len() as u64);
    // What the call itself waits for: the resources its inputs read, and its `depends_on`.
    let mut call_deps: Vec<crate::model::ResourceId> =
        super::deps::depends_on(&decl, decls, &mut Vec::new())
            .into_iter()
            .map(|(d, _)| d)
            .collect();
    // The inputs of every instance first (they read the caller's scope), then the instances
    // loaded, several at once: they are independent of each other.
    let mut prepared: Vec<(Option<String>, Option<LoadOptions>)> =
        Vec::with_capacity(instances.len());
    for (key, each) in instances {
        match scope.spent.charge(load_cost) {
            Ok(true) => {}
            Ok(false) => break,
            Err(message) => {
                diags.push(Diagnostic::error(message).at(decl.location()));
                break;
            }
        }
        let each: Option<&EachValue> = each.as_ref();
        let mut inputs = IndexMap::new();
        let mut inputs_at = IndexMap::new();
        let mut sensitive_inputs = Vec::new();
        let mut targets = Vec::new();
        let mut failed = false;
        for attr in decl
            .block
            .body
            .attributes()
            .filter(|a| !META.contains(&a.key.as_str()))
        {
            if scope.is_sensitive(&attr.value) {
                sensitive_inputs.push(attr.key.as_str().to_owned());
            }
            inputs_at.insert(
                attr.key.as_str().to_owned(),
                decl.file.span(attr.value.span()),
            );
            match scope.eval(&attr.value, each, decl.file, diags, &mut targets) {
                Some(v) => {
                    inputs.insert(attr.key.as_str().to_owned(), v);
                }
                None => failed = true,
            }
        }
        call_deps.extend(targets.iter().map(|t| t.resource.clone()));
        let options = (!failed).then(|| LoadOptions {
            dir: dir.clone(),
            shown_dir: Some(shown.clone()),
            parsed: Some(parsed.clone()),
            module: Some(ModuleContext {
                inputs,
                inputs_at,
                depth,
                call: instance_path(name, key.as_deref()),
                call_at: decl.location(),
                default_provider: default_provider.to_owned(),
                copies,
                sensitive_inputs,
                ancestors: ancestors.clone(),
            }),
            spent: scope.spent.clone(),
            // A module reads the workspace of the root.
            workspace: scope.workspace.clone(),
            ..LoadOptions::default()
        });
        prepared.push((key, options));
    }
    let load = |options: &LoadOptions| -> Loaded {
        let path = options
            .module
            .as_ref()
            .map(|m| m.call.clone())
            .unwrap_or_default();
        let lookup = InModule {
            parent: computed,
            path: &path,
        };
        let module_reads = ReadsInModule {
            parent: reads,
            path: &path,
            provider: provider.as_deref(),
        };
        super::load_reading(options, &lookup, &module_reads)
    };
    let loads: Vec<Option<Loaded>> = load_all(&prepared, &load);
    let mut values: IndexMap<String, Option<crate::model::Map>> = IndexMap::new();
    for ((key, options), loaded) in prepared.iter().zip(loads) {
        let Some(loaded) = loaded else {
            values.insert(key.clone().unwrap_or_default(), None);
            continue;
        };
        let instance = options
            .as_ref()
            .and_then(|o| o.module.as_ref())
            .map(|m| m.call.clone())
            .unwrap_or_default();
        diags.extend(loaded.diagnostics);
        out.secrets.extend(loaded.secrets);
        out.wanted.extend(
            loaded
                .wanted
                .iter()
                .map(|w| full_request(w, &instance, provider.as_deref())),
        );
        let Some(desired) = loaded.desired else {
            values.insert(key.clone().unwrap_or_default(), None);
            continue;
        };
        let outputs: crate::model::Map = desired
            .outputs
            .into_iter()
            .map(|(k, o)| (k, o.value))
            .collect();
        values.insert(key.clone().unwrap_or_default(), Some(outputs));
        for m in desired.refactors.moved {
            out.refactors.moved.push(crate::model::refactor::Moved {
                from: in_instance(&m.from, &instance),
                to: in_instance(&m.to, &instance),
                at: m.at,
            });
        }
        for r in desired.refactors.removed {
            out.refactors.removed.push(crate::model::refactor::Removed {
                from: in_instance(&r.from, &instance),
                destroy: r.destroy,
                at: r.at,
            });
        }
        for mut d in desired.data {
            d.address.id = d.address.id.in_module(&instance);
            out.data.push(d);
        }
        for (_, mut r) in desired.resources {
            r.address.resource = r.address.resource.in_module(&instance);
            r.depends_on = r
                .depends_on
                .iter()
                .map(|d| d.in_module(&instance))
                .collect();
            for targets in r.refs.values_mut() {
                for t in targets {
                    t.resource = t.resource.in_module(&instance);
                }
            }
            for t in &mut r.replace_triggered_by {
                t.resource = t.resource.in_module(&instance);
            }
            if r.provider.is_none() {
                r.provider.clone_from(&provider);
            }
            out.reads.push(RefTarget {
                resource: r.address.resource.clone(),
                key: r.address.key.clone(),
                attr: None,
            });
            out.resources.push(r);
        }
    }
    call_deps.sort();
    call_deps.dedup();
    for r in &mut out.resources {
        r.depends_on.extend(call_deps.iter().cloned());
        r.depends_on.sort();
        r.depends_on.dedup();
    }
    out.values = Some(if keyed {
        ResourceValues::Each(values)
    } else {
        ResourceValues::Single(values.into_values().next().flatten())
    });
    out
}
