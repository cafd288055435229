//! Configuration loading: a directory of `*.hcl` files becomes a validated [`DesiredState`]
//! plus every diagnostic of the run.
//!
//! Pipeline: `files` (read, parse) → `decls` (top-level blocks) → `variables` (values) →
//! `deps` (check references, order by dependency) → `resources` (evaluate instances in that
//! order) → `settings` (provider, backend, outputs) → `rules`. Every stage reports what it finds
//! and carries on where it can, so one run shows every problem. `hcl` types stay in here.

mod body;
mod budget;
mod convert;
mod decls;
mod deps;
mod eval;
mod files;
mod functions;
mod refs;
mod resources;
mod rules;
mod settings;
mod types;
mod variables;

pub use files::read_dir;
pub use rules::normalize_whitelist_entry;
pub use settings::is_cloud_id;
pub use variables::ENV_PREFIX;

use crate::diag::Diagnostic;
use crate::model::{Address, DesiredState, Value};
use hcl::edit::expr::Expression;
use hcl::eval::Evaluate as _;
use indexmap::IndexMap;
use std::collections::HashMap;
use std::path::PathBuf;

/// One `--var NAME=VALUE` or `--var-file FILE`, in command-line order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VarArg {
    Assign(String),
    File(PathBuf),
}

/// What to load and with which inputs.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// The configuration directory.
    pub dir: PathBuf,
    pub vars: Vec<VarArg>,
    /// `VPCEP_VAR_*` environment variables (passed in, so loading reads no environment).
    pub env: Vec<(String, String)>,
    /// Computed attributes already known (from recorded state), by address; everything else
    /// computed is unknown.
    pub computed: HashMap<Address, IndexMap<String, Value>>,
    /// The configuration files as `(display name, text)`; read from `dir` when `None`. A
    /// command reads them once and evaluates that snapshot as often as it needs.
    pub sources: Option<Vec<(String, String)>>,
    /// Evaluate only what `provider` and `backend` need (no resources, outputs or rules).
    pub settings_only: bool,
    /// Every variable's value, fixed (e.g. as saved in a plan file); replaces `vars`, `env`
    /// and defaults when given.
    pub var_values: Option<IndexMap<String, Value>>,
}

/// The result of loading: the desired state when there were no errors, and all diagnostics
/// (errors and warnings) in source order.
#[derive(Debug)]
pub struct Loaded {
    pub desired: Option<DesiredState>,
    pub diagnostics: Vec<Diagnostic>,
    /// The value each variable took (what a saved plan needs to evaluate the same way again).
    pub variables: IndexMap<String, Value>,
}

impl Loaded {
    pub fn errors(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }

    pub fn warnings(&self) -> usize {
        self.diagnostics.len() - self.errors()
    }
}

/// Loads and validates the configuration in `options.dir`.
pub fn load(options: &LoadOptions) -> Loaded {
    let mut diags = Vec::new();
    let read;
    let sources = if let Some(sources) = &options.sources {
        sources
    } else {
        read = files::read_dir(&options.dir, &mut diags);
        &read
    };
    let files = files::parse_all(sources, &mut diags);
    if diags.iter().any(Diagnostic::is_error) {
        return finish(None, diags, IndexMap::new());
    }
    let decls = decls::collect(&files, &mut diags);
    let vars = match &options.var_values {
        Some(fixed) => decls
            .variables
            .keys()
            .map(|name| (name.clone(), fixed.get(name).and_then(convert::to_hcl)))
            .collect(),
        None => variables::resolve(&decls, &options.vars, &options.env, files.len(), &mut diags),
    };
    let variables: IndexMap<String, Value> = vars
        .iter()
        .filter_map(|(k, v)| v.clone().map(|v| (k.clone(), convert::from_hcl(v))))
        .collect();
    let mut scope = eval::Scope::new(vars);
    let mut lowered = Vec::new();
    if options.settings_only {
        // Locals the settings may read; those that need resources stay unset.
        let mut ignored = Vec::new();
        for node in deps::order(&decls, &mut ignored) {
            if let deps::Node::Local(name) = node {
                let local = decls.locals[&name];
                let value = scope.eval(
                    &local.attr.value,
                    None,
                    local.file,
                    &mut ignored,
                    &mut Vec::new(),
                );
                scope.locals.insert(name, value);
            }
        }
        let provider = settings::provider(&decls, &scope, &mut diags);
        let backend = settings::backend(&decls, &scope, &mut diags);
        let desired = DesiredState {
            dir: options.dir.clone(),
            provider,
            backend,
            resources: IndexMap::new(),
            outputs: IndexMap::new(),
        };
        return finish(Some(desired), diags, variables);
    }
    {
        for node in deps::order(&decls, &mut diags) {
            match node {
                deps::Node::Local(name) => {
                    let local = decls.locals[&name];
                    let value = scope.eval(
                        &local.attr.value,
                        None,
                        local.file,
                        &mut diags,
                        &mut Vec::new(),
                    );
                    scope.locals.insert(name, value);
                }
                deps::Node::Resource(id) => {
                    let decl = decls.resources[&id];
                    lowered.extend(resources::lower(
                        &id,
                        decl,
                        &decls,
                        &mut scope,
                        &options.computed,
                        &mut diags,
                    ));
                }
            }
        }
    }
    let outputs = settings::outputs(&decls, &scope, &mut diags);
    let provider = settings::provider(&decls, &scope, &mut diags);
    let backend = settings::backend(&decls, &scope, &mut diags);
    rules::check(&mut lowered, &mut diags);
    let desired = DesiredState {
        dir: options.dir.clone(),
        provider,
        backend,
        resources: lowered
            .into_iter()
            .map(|l| (l.instance.address.clone(), l.instance))
            .collect(),
        outputs,
    };
    finish(Some(desired), diags, variables)
}

fn finish(
    desired: Option<DesiredState>,
    mut diags: Vec<Diagnostic>,
    variables: IndexMap<String, Value>,
) -> Loaded {
    diags.sort_by_key(Diagnostic::sort_key);
    diags.dedup();
    let desired = desired.filter(|_| !diags.iter().any(Diagnostic::is_error));
    Loaded {
        desired,
        diagnostics: diags,
        variables,
    }
}

/// Evaluates an expression that may call functions but refer to nothing (defaults, var files).
fn constant(expr: &Expression) -> Result<hcl::Value, String> {
    let refs = refs::Refs::of(expr);
    if let Some((name, _)) = refs.unknown_roots.first() {
        return Err(format!(
            "only literal values are allowed here, but it refers to `{name}`"
        ));
    }
    if !refs.found.is_empty() || !refs.problems.is_empty() {
        return Err("only literal values are allowed here; it cannot refer to variables, locals or resources".into());
    }
    budget::start();
    let hcl_expr: hcl::Expression = budget::metered(expr).0.into();
    let value = hcl_expr
        .evaluate(&functions::context())
        .map_err(|e| e.kind().to_string())?;
    budget::volume(budget::size_of(&value))?;
    Ok(value)
}
