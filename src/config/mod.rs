//! Configuration loading: a directory of `*.hcl` files becomes a validated [`DesiredState`]
//! plus every diagnostic of the run.
//!
//! Pipeline: `files` (read, parse into `syntax`) → `decls` (top-level blocks) → `variables`
//! (values) → `deps` (check references, order by dependency) → `resources` (evaluate instances
//! in that order) → `settings` (provider, backend, outputs) → `rules`. Every stage reports what it finds
//! and carries on where it can, so one run shows every problem. `hcl` types stay in here.

mod body;
mod budget;
pub use budget::Spent;
mod convert;
mod data;
mod decls;
mod deps;
mod dynamic;
mod eval;
mod files;
mod functions;
pub mod generate;
pub mod layout;
mod lazy;
pub mod migrate;
mod modules;
mod refactor;
mod refs;
mod resources;
mod rules;
mod settings;
mod syntax;
pub mod testfile;
mod types;
mod variables;

pub use data::{DataReads, NoReads};
pub use files::{is_test_file, read_dir, read_dir_as};
pub use modules::ModuleContext;
pub use rules::normalize_whitelist_entry;
pub use settings::is_cloud_id;
pub use variables::{ENV_PREFIX, TF_ENV_PREFIX, VarFiles};

use crate::diag::Diagnostic;
use crate::model::{Address, DesiredState, Value};
use hcl::eval::Evaluate as _;
use indexmap::IndexMap;
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
    /// The configuration files as `(display name, text)`; read from `dir` when `None`. A
    /// command reads them once and evaluates that snapshot as often as it needs.
    pub sources: Option<Vec<Source>>,
    /// Evaluate only what `provider` and `backend` need (no resources, outputs or rules).
    pub settings_only: bool,
    /// Every variable's value, fixed (e.g. as saved in a plan file); replaces `vars`, `env`
    /// and defaults when given.
    pub var_values: Option<IndexMap<String, Value>>,
    /// How `dir` is named in messages (the directory as the user gave it); `dir` when `None`.
    pub shown_dir: Option<PathBuf>,
    /// The configuration already parsed ([`parse`]); replaces `sources` and reading `dir`, so
    /// a command parses once however often it evaluates.
    pub parsed: Option<std::sync::Arc<Parsed>>,
    /// Loading a module's instance for its call: its variables' values come from the call.
    pub module: Option<ModuleContext>,
    /// What evaluating may produce in all ([`Spent::default`]: 512 MiB), and for a module
    /// instance's load what the load that made it has produced (a load of the root counts
    /// afresh with this limit).
    pub spent: Spent,
    /// `plan --generate-config-out`: an `import` block into a resource that has no block yet
    /// is recorded in `refactors.unconfigured` (for its configuration to be written), not an
    /// error.
    pub generating: bool,
    /// The workspace the command runs in (`vpcep.workspace`); empty: `default`.
    pub workspace: String,
    /// The variables files read so far: a command shares one among its evaluations, so each
    /// file is read once.
    pub var_files: VarFiles,
}

/// A configuration file: how it is named in messages, and its text (shared, not copied, by
/// everything that keeps it: the parse, the diagnostics, a saved plan).
pub type Source = (String, std::sync::Arc<str>);

/// Configuration files parsed once, with the problems parsing found.
#[derive(Debug)]
pub struct Parsed {
    files: Vec<files::ParsedFile>,
    diagnostics: Vec<Diagnostic>,
}

/// Parses `sources` (`(display name, text)`), to be evaluated by [`load`] as often as needed.
pub fn parse(sources: &[Source]) -> Parsed {
    let mut diagnostics = Vec::new();
    let files = files::parse_all(sources, &mut diagnostics);
    Parsed { files, diagnostics }
}

/// The result of loading: the desired state when there were no errors, and all diagnostics
/// (errors and warnings) in source order.
#[derive(Debug)]
pub struct Loaded {
    pub desired: Option<DesiredState>,
    pub diagnostics: Vec<Diagnostic>,
    /// The value each variable took (what a saved plan needs to evaluate the same way again).
    pub variables: IndexMap<String, Value>,
    /// Texts of sensitive values, to redact from anything printed (errors included).
    pub secrets: Vec<String>,
    /// Variables the providers' credentials read that had no value: a saved plan does not
    /// hold them, and they were not given again.
    pub unset_credentials: Vec<String>,
    /// Data sources to read (every argument known) that the reads given did not answer: read
    /// them and load again.
    pub wanted: Vec<crate::model::data::DataRequest>,
}

impl Loaded {
    pub fn errors(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }

    pub fn warnings(&self) -> usize {
        self.diagnostics.len() - self.errors()
    }
}

/// The computed attributes of resources the configuration may read (an `id`, a
/// `service_name`): `None` is unknown until apply. Read from several cores at once.
pub trait ComputedValues: Sync {
    fn computed(&self, address: &Address, name: &str) -> Option<&Value>;
}

/// No recorded state: every computed attribute is unknown.
pub struct NoState;

impl ComputedValues for NoState {
    fn computed(&self, _address: &Address, _name: &str) -> Option<&Value> {
        None
    }
}

/// Loads and validates the configuration in `options.dir`, with no recorded state.
pub fn load(options: &LoadOptions) -> Loaded {
    load_with(options, &NoState)
}

/// [`load`], reading the computed attributes resources refer to from `computed` (a view of a
/// recorded state, read in place: a copy would cost as much as the state itself).
pub fn load_with(options: &LoadOptions, computed: &dyn ComputedValues) -> Loaded {
    load_reading(options, computed, &NoReads)
}

/// The value of every variable of this load: a module instance's from its call, a saved
/// plan's as it holds them (the credentials given again, or named in `unset_credentials`),
/// else from `--var`, var files, the environment and defaults. Missing values are errors —
/// for a settings-only load, only those the provider and backend read.
fn variable_values(
    options: &LoadOptions,
    decls: &decls::Decls<'_>,
    credentials: &std::collections::HashSet<String>,
    module_inputs: Option<&IndexMap<String, Value>>,
    files: usize,
    unset_credentials: &mut Vec<String>,
    diags: &mut Vec<Diagnostic>,
) -> IndexMap<String, Option<hcl::Value>> {
    if let Some(inputs) = module_inputs {
        inputs
            .iter()
            .map(|(name, v)| (name.clone(), convert::to_hcl(v)))
            .collect()
    } else if let Some(fixed) = &options.var_values {
        let mut values: IndexMap<String, Option<hcl::Value>> = decls
            .variables
            .keys()
            .map(|name| (name.clone(), fixed.get(name).and_then(convert::to_hcl)))
            .collect();
        // A saved plan holds no credentials: those variables are given again (arguments,
        // environment, var files), or stay unset for the caller to ask for.
        let wanted: Vec<&String> = credentials
            .iter()
            .filter(|name| !fixed.contains_key(*name))
            .collect();
        if !wanted.is_empty() {
            let mut args = variables::auto_files(&options.dir, diags);
            args.extend(options.vars.iter().cloned());
            let mut resolved =
                variables::resolve(decls, &args, &options.env, &options.var_files, files, diags);
            for name in wanted {
                if resolved.missing.iter().any(|(m, _)| m == name) {
                    unset_credentials.push(name.clone());
                } else if let Some(v) = resolved.values.shift_remove(name) {
                    values.insert(name.clone(), v);
                }
            }
        }
        values
    } else {
        let mut args = variables::auto_files(&options.dir, diags);
        args.extend(options.vars.iter().cloned());
        let resolved =
            variables::resolve(decls, &args, &options.env, &options.var_files, files, diags);
        // Settings alone need only the variables the provider and backend read; commands
        // that only read state need no other values.
        // Credentials are needed only to reach the cloud, which such commands may not do;
        // a command that does gets the missing value named by its full load.
        let needed = options.settings_only.then(|| {
            let mut needed = deps::settings_variables(decls);
            needed.retain(|v| !credentials.contains(v));
            needed
        });
        for (name, diag) in resolved.missing {
            if needed.as_ref().is_none_or(|n| n.contains(&name)) {
                diags.push(diag);
            }
        }
        resolved.values
    }
}

/// The configuration of `options` parsed: its sources, or the files of its directory.
fn parse_sources(options: &LoadOptions, diags: &mut Vec<Diagnostic>) -> Parsed {
    match &options.sources {
        Some(sources) => parse(sources),
        None => parse(&files::read_dir_as(
            &options.dir,
            options.shown_dir.as_deref().unwrap_or(&options.dir),
            diags,
        )),
    }
}

/// The scope a load evaluates in: the variables' values (the texts of the sensitive ones
/// added to `secrets`), the module inputs, the workspace and the cost budget.
fn scope_for(
    options: &LoadOptions,
    decls: &decls::Decls<'_>,
    vars: IndexMap<String, Option<hcl::Value>>,
    credentials: &std::collections::HashSet<String>,
    module_inputs: Option<IndexMap<String, Value>>,
    secrets: &mut Vec<String>,
) -> eval::Scope {
    let sensitive_vars: std::collections::HashSet<String> = decls
        .variables
        .iter()
        .filter(|(_, d)| {
            d.block
                .body
                .get_attribute("sensitive")
                .is_some_and(|a| matches!(constant(&a.value), Ok(hcl::Value::Bool(true))))
        })
        .map(|(name, _)| name.clone())
        .chain(credentials.iter().cloned())
        .chain(
            options
                .module
                .iter()
                .flat_map(|m| m.sensitive_inputs.iter().cloned()),
        )
        .collect();
    for name in &sensitive_vars {
        if let Some(Some(v)) = vars.get(name) {
            collect_strings(&convert::from_hcl(v.clone()), secrets);
        }
    }
    let mut scope = eval::Scope::new(vars);
    scope.sensitive.vars = sensitive_vars;
    scope.dir.clone_from(&options.dir);
    if !options.workspace.is_empty() {
        scope.workspace.clone_from(&options.workspace);
    }
    scope.inputs = module_inputs;
    scope.copies = options.module.as_ref().map_or(1, |m| m.copies.max(1));
    // A load of its own starts counting afresh (options may be loaded more than once); a
    // module instance's load counts with the load that made it.
    scope.spent = if options.module.is_some() {
        options.spent.clone()
    } else {
        options.spent.fresh()
    };
    scope
}

/// A settings-only load: the locals the provider and backend may read (those that need
/// resources stay unset), then the provider, its aliases and the backend.
fn settings_load(
    options: &LoadOptions,
    decls: &decls::Decls<'_>,
    scope: &mut eval::Scope,
    mut secrets: Vec<String>,
    mut diags: Vec<Diagnostic>,
    variables: IndexMap<String, Value>,
    unset_credentials: Vec<String>,
) -> Loaded {
    // Locals the settings may read; those that need resources stay unset.
    let mut ignored = Vec::new();
    for node in deps::order(decls, &mut ignored) {
        if let deps::Node::Local(name) = node {
            eval_local(scope, decls, &name, &mut ignored, &mut secrets);
        }
    }
    let provider = settings::provider(decls, scope, &mut diags);
    let aliases = settings::aliases(decls, scope, &mut diags);
    let backend = settings::backend(decls, scope, &mut diags);
    let desired = DesiredState {
        settings: crate::model::Settings {
            dir: options.dir.clone(),
            provider,
            aliases,
            backend,
        },
        resources: IndexMap::new(),
        outputs: IndexMap::new(),
        secrets: secrets.clone(),
        data: Vec::new(),
        refactors: crate::model::refactor::Refactors::default(),
        checks: Vec::new(),
    };
    let mut loaded = finish(Some(desired), diags, variables);
    loaded.secrets = secrets;
    loaded.unset_credentials = unset_credentials;
    loaded
}

/// What evaluating the blocks in dependency order makes: the resources of this load, and
/// what its module calls and data blocks gave.
#[derive(Default)]
struct Evaluated<'a> {
    lowered: Vec<resources::Lowered<'a>>,
    data: data::DataOut,
    module_resources: Vec<crate::model::ResourceInstance>,
    /// The `moved` and `removed` blocks of the modules, at their instances' addresses.
    module_refactors: crate::model::refactor::Refactors,
}

/// Evaluates locals, module calls, data blocks and resources in waves of the dependency order
/// (each wave's resources on every core), putting what they make and the diagnostics back in
/// that order: the outcome is the one evaluating one by one gives.
fn evaluate_in_waves<'a>(
    decls: &decls::Decls<'a>,
    scope: &mut eval::Scope,
    options: &LoadOptions,
    default_provider: &str,
    (computed, reads): (&dyn ComputedValues, &dyn DataReads),
    secrets: &mut Vec<String>,
    diags: &mut Vec<Diagnostic>,
) -> Evaluated<'a> {
    let mut evaluated = Evaluated::default();
    let ordered = deps::ordered(decls, diags);
    // What each node yields carries its place in `ordered`: put back in that order at the
    // end, the outcome is the one evaluating one by one gives.
    let mut found: Vec<(usize, Diagnostic)> = Vec::new();
    let mut made = Vec::with_capacity(decls.resources.len());
    let mut data_out = data::DataOut::default();
    for wave in ordered.waves() {
        let mut ids = Vec::with_capacity(wave.len());
        for at in wave {
            match &ordered.nodes[at] {
                deps::Node::Local(name) => {
                    let mut own = Vec::new();
                    eval_local(scope, decls, name, &mut own, secrets);
                    found.extend(own.into_iter().map(|d| (at, d)));
                }
                deps::Node::Resource(id) => ids.push((at, id)),
                deps::Node::Module(name) => {
                    let mut own = Vec::new();
                    let call = modules::evaluate(
                        name,
                        decls.modules[name],
                        decls,
                        scope,
                        options,
                        default_provider,
                        (computed, reads),
                        &mut own,
                    );
                    data_out.instances.extend(call.data);
                    data_out.wanted.extend(call.wanted);
                    scope.modules.insert(
                        name.clone(),
                        call.values.unwrap_or(eval::ResourceValues::Failed),
                    );
                    scope.module_reads.insert(name.clone(), call.reads);
                    secrets.extend(call.secrets);
                    evaluated.module_resources.extend(call.resources);
                    evaluated
                        .module_refactors
                        .moved
                        .extend(call.refactors.moved);
                    evaluated
                        .module_refactors
                        .removed
                        .extend(call.refactors.removed);
                    found.extend(own.into_iter().map(|d| (at, d)));
                }
                deps::Node::Data(id) => {
                    let mut own = Vec::new();
                    data::evaluate(
                        id,
                        decls.data[id],
                        decls,
                        scope,
                        reads,
                        &mut own,
                        &mut data_out,
                    );
                    found.extend(own.into_iter().map(|d| (at, d)));
                }
            }
        }
        let mut out = Out {
            scope,
            found: &mut found,
            secrets,
            made: &mut made,
        };
        lower_together(&ids, decls, computed, &mut out);
    }
    // Stable: a node's instances and diagnostics keep their own order.
    made.sort_by_key(|(at, _)| *at);
    found.sort_by_key(|(at, _)| *at);
    diags.extend(found.into_iter().map(|(_, d)| d));
    evaluated.lowered = made.into_iter().map(|(_, l)| l).collect();
    evaluated.data = data_out;
    evaluated
}

/// [`load_with`], data sources answered from `reads` (those it does not answer are
/// [`Loaded::wanted`]).
pub fn load_reading(
    options: &LoadOptions,
    computed: &dyn ComputedValues,
    reads: &dyn DataReads,
) -> Loaded {
    let mut diags = Vec::new();
    let parsed_here;
    let parsed: &Parsed = if let Some(parsed) = &options.parsed {
        parsed
    } else {
        parsed_here = parse_sources(options, &mut diags);
        &parsed_here
    };
    diags.extend(parsed.diagnostics.iter().cloned());
    let files = &parsed.files;
    if diags.iter().any(Diagnostic::is_error) {
        return finish(None, diags, IndexMap::new());
    }
    let decls = decls::collect(files, &mut diags);
    // Variables that hold credentials: secrets, never saved (see `Loaded::variables`).
    let credentials = deps::credential_variables(&decls);
    let mut unset_credentials = Vec::new();
    let module_inputs = options.module.as_ref().map(|m| {
        module_limits(&decls, &mut diags);
        modules_inputs(m, &decls, &mut diags)
    });
    let vars = variable_values(
        options,
        &decls,
        &credentials,
        module_inputs.as_ref(),
        files.len(),
        &mut unset_credentials,
        &mut diags,
    );
    let variables: IndexMap<String, Value> = vars
        .iter()
        .filter(|(k, _)| !credentials.contains(*k))
        .filter_map(|(k, v)| v.clone().map(|v| (k.clone(), convert::from_hcl(v))))
        .collect();
    let mut secrets = Vec::new();
    let mut scope = scope_for(
        options,
        &decls,
        vars,
        &credentials,
        module_inputs,
        &mut secrets,
    );
    variables::check_validations(&decls, &scope, &mut diags);
    let default_provider = match &options.module {
        Some(m) => m.default_provider.clone(),
        None => decls
            .provider
            .map_or_else(|| "sim".to_owned(), |p| p.label(0).to_owned()),
    };
    if options.settings_only {
        return settings_load(
            options,
            &decls,
            &mut scope,
            secrets,
            diags,
            variables,
            unset_credentials,
        );
    }
    let evaluated = evaluate_in_waves(
        &decls,
        &mut scope,
        options,
        &default_provider,
        (computed, reads),
        &mut secrets,
        &mut diags,
    );
    let (mut lowered, data_out) = (evaluated.lowered, evaluated.data);
    let (module_resources, module_refactors) =
        (evaluated.module_resources, evaluated.module_refactors);
    let outputs = settings::outputs(&decls, &scope, &mut diags);
    let checks = settings::checks(&decls, &scope, &mut diags);
    let provider = settings::provider(&decls, &scope, &mut diags);
    let aliases = settings::aliases(&decls, &scope, &mut diags);
    let backend = settings::backend(&decls, &scope, &mut diags);
    resources::take_values(&mut lowered, &mut scope);
    let profile = match &provider {
        crate::model::ProviderConfig::Otc(otc) => Some(otc.profile),
        crate::model::ProviderConfig::Sim(_) => None,
    };
    rules::check(&mut lowered, profile, &mut diags);
    let resources: IndexMap<Address, crate::model::ResourceInstance> = lowered
        .into_iter()
        .map(|l| l.instance)
        .chain(module_resources)
        .map(|i| (i.address.clone(), i))
        .collect();
    let mut refactors =
        refactor::collect(&decls, &scope, &resources, options.generating, &mut diags);
    refactors.moved.extend(module_refactors.moved);
    refactors.removed.extend(module_refactors.removed);
    drop(scope);
    secrets.sort();
    secrets.dedup();
    let desired = DesiredState {
        settings: crate::model::Settings {
            dir: options.dir.clone(),
            provider,
            aliases,
            backend,
        },
        resources,
        outputs,
        secrets: secrets.clone(),
        data: data_out.instances,
        refactors,
        checks,
    };
    let mut loaded = finish(Some(desired), diags, variables);
    loaded.secrets = secrets;
    loaded.unset_credentials = unset_credentials;
    loaded.wanted = data_out.wanted;
    loaded
}

/// Evaluates the local `name` into `scope`; the strings of a sensitive one go to `secrets`.
fn eval_local(
    scope: &mut eval::Scope,
    decls: &decls::Decls<'_>,
    name: &str,
    diags: &mut Vec<Diagnostic>,
    secrets: &mut Vec<String>,
) {
    let local = decls.locals[name];
    let value = scope.eval(&local.attr.value, None, local.file, diags, &mut Vec::new());
    if scope.is_sensitive(&local.attr.value) {
        if let Some(v) = &value {
            collect_strings(v, secrets);
        }
        scope.sensitive.locals.insert(name.to_owned());
    }
    scope.locals.insert(name.to_owned(), value);
}

/// The cores work may be spread over (at most 8).
pub(crate) fn cores() -> usize {
    #[cfg(test)]
    if let Some(n) = tests::CORES.get() {
        return n;
    }
    std::thread::available_parallelism().map_or(1, |n| n.get().min(8))
}

/// Where lowering puts what it finds, each with the place in dependency order of the node
/// it comes from.
struct Out<'s, 'a> {
    scope: &'s mut eval::Scope,
    found: &'s mut Vec<(usize, Diagnostic)>,
    secrets: &'s mut Vec<String>,
    made: &'s mut Vec<(usize, resources::Lowered<'a>)>,
}

/// Resources evaluated together from this many on: fewer take less time than starting
/// threads does.
const TOGETHER_FROM: usize = 256;

/// The stack of a thread that evaluates: as large as the main thread's, so that what evaluates
/// there (within the nesting budget) evaluates on any thread.
pub(crate) const WORKER_STACK: usize = 8 << 20;

/// Resources evaluated in one round before they are recorded: few enough that what waits
/// to be recorded is a small part of the configuration.
const ROUND: usize = 4096;

/// Evaluates resources none of which refers to another (`(place, id)`, a wave of
/// [`deps::Ordered::waves`]) — on every core when there are many — and records them.
fn lower_together<'a>(
    ids: &[(usize, &crate::model::ResourceId)],
    decls: &decls::Decls<'a>,
    computed: &dyn ComputedValues,
    out: &mut Out<'_, 'a>,
) {
    let threads = cores();
    for round in ids.chunks(ROUND) {
        let scope = &*out.scope;
        let evaluate = |(at, id): &(usize, &crate::model::ResourceId)| {
            (
                *at,
                resources::evaluate(id, decls.resources[*id], decls, scope, computed),
            )
        };
        let parts: Vec<Vec<(usize, resources::Evaluated<'a>)>> = if round.len() < TOGETHER_FROM
            || threads < 2
        {
            vec![round.iter().map(evaluate).collect()]
        } else {
            // This thread takes the first part (what it allocates stays in its own heap,
            // where the rest of the command reuses it as it is freed).
            let mut parts = round.chunks(round.len().div_ceil(threads));
            let first = parts.next().unwrap_or_default();
            std::thread::scope(|s| {
                // A part whose thread cannot start is evaluated here, after the first.
                let others: Vec<_> = parts
                    .map(|part| {
                        std::thread::Builder::new()
                            .stack_size(WORKER_STACK)
                            .spawn_scoped(s, move || part.iter().map(evaluate).collect::<Vec<_>>())
                            .map_err(|_| part)
                    })
                    .collect();
                let mut done = vec![first.iter().map(evaluate).collect()];
                done.extend(others.into_iter().map(|part| match part {
                    Ok(running) => match running.join() {
                        Ok(evaluated) => evaluated,
                        Err(panic) => std::panic::resume_unwind(panic),
                    },
                    Err(part) => part.iter().map(evaluate).collect(),
                }));
                done
            })
        };
        for (at, e) in parts.into_iter().flatten() {
            let mut own = Vec::new();
            let instances = e.commit(out.scope, &mut own);
            out.found.extend(own.into_iter().map(|d| (at, d)));
            for l in &instances {
                for name in &l.instance.sensitive {
                    collect_strings(l.instance.attr(name), out.secrets);
                }
            }
            out.made.extend(instances.into_iter().map(|l| (at, l)));
        }
    }
}

/// The text of every string in `value`, for redaction.
fn collect_strings(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(s) if !s.is_empty() => out.push(s.to_string()),
        Value::Number(n) => out.push(n.to_string()),
        Value::List(items) => items.iter().for_each(|v| collect_strings(v, out)),
        Value::Map(map) => map.values().for_each(|v| collect_strings(v, out)),
        _ => {}
    }
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
        secrets: Vec::new(),
        unset_credentials: Vec::new(),
        wanted: Vec::new(),
    }
}

/// Evaluates an expression that may call functions but refer to nothing (defaults, var files).
fn constant(expr: &syntax::Expr) -> Result<hcl::Value, String> {
    let expr = match expr {
        // A literal is never unknown.
        syntax::Expr::Lit(lit) => return Ok(convert::to_hcl(&lit.value()).unwrap_or_default()),
        syntax::Expr::Hcl(expr) => expr,
    };
    // Var files, `--var` and `VPCEP_VAR_*` values are input too: nothing that recurses over
    // the expression runs before its depth is known to be within the budget.
    if budget::depth(expr) > budget::MAX_DEPTH {
        return Err(format!(
            "this value nests more than {} levels deep (each `.attr`, `[index]` and `[*]` is a level); write it with less nesting",
            budget::MAX_DEPTH
        ));
    }
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
    let metered = budget::metered(expr).0;
    let value = eval::contained(|| hcl::Expression::from(metered).evaluate(&functions::context()))?
        .map_err(|e| e.kind().to_string())?;
    budget::volume(budget::size_of(&value))?;
    Ok(value)
}

/// What only the root module may hold: the provider and backend, `import` blocks (a module's
/// `moved` and `removed` blocks apply to each of its instances, as Terraform's do).
fn module_limits(decls: &decls::Decls<'_>, diags: &mut Vec<Diagnostic>) {
    let root_only = decls
        .provider
        .iter()
        .chain(&decls.aliased)
        .chain(&decls.backend)
        .chain(
            decls
                .refactors
                .iter()
                .filter(|d| d.block.ident.as_str() == "import"),
        );
    for decl in root_only {
        let kind = decl.block.ident.as_str();
        let article = if kind.starts_with(['a', 'e', 'i', 'o', 'u']) {
            "an"
        } else {
            "a"
        };
        diags.push(
            Diagnostic::error(format!(
                "{article} `{kind}` block belongs in the root configuration, not in a module"
            ))
            .at(decl.location())
            .help("move it to the configuration that calls the module (a module's resources use the provider its call passes in `providers`)"),
        );
    }
}

/// A module instance's variables: what its call gives, defaults for the rest; a missing one, or
/// an input the module does not declare, is an error at the call.
fn modules_inputs(
    m: &ModuleContext,
    decls: &decls::Decls<'_>,
    diags: &mut Vec<Diagnostic>,
) -> IndexMap<String, Value> {
    let mut out = IndexMap::new();
    for (name, given) in &m.inputs {
        if !decls.variables.contains_key(name) {
            let names: Vec<&str> = decls.variables.keys().map(String::as_str).collect();
            diags.push(
                Diagnostic::error(format!(
                    "`{}` gives the input `{name}`, which the module does not declare",
                    m.call
                ))
                .at(m.call_at.clone())
                .help_opt(body::suggestion(name, &names).or_else(|| {
                    Some(format!(
                        "declare it in the module with `variable \"{name}\" {{}}`"
                    ))
                })),
            );
            continue;
        }
        let _ = given;
    }
    for (name, decl) in &decls.variables {
        let ty = decl
            .block
            .body
            .get_attribute("type")
            .and_then(|a| a.value.hcl())
            .and_then(|e| types::TypeConstraint::parse(e).ok())
            .unwrap_or(types::TypeConstraint::Any);
        let value = match m.inputs.get(name) {
            Some(Value::Unknown) => Value::Unknown,
            Some(v) => match convert::to_hcl(v).map(|h| ty.convert(h)) {
                Some(Ok(h)) => convert::from_hcl(h),
                Some(Err(e)) => {
                    let d = Diagnostic::error(format!(
                        "invalid value for the input `{name}` of `{}`: {e}",
                        m.call
                    ))
                    .at(m
                        .inputs_at
                        .get(name)
                        .cloned()
                        .flatten()
                        .or_else(|| m.call_at.clone()))
                    .note(format!(
                        "the module declares `{name}` at {}",
                        decl.position()
                    ));
                    diags.push(if m.sensitive_inputs.contains(name) {
                        d.redacted(&[name.as_str(), m.call.as_str()])
                    } else {
                        d
                    });
                    continue;
                }
                // Partly unknown: as given.
                None => v.clone(),
            },
            None => {
                let Some(attr) = decl.block.body.get_attribute("default") else {
                    diags.push(
                        Diagnostic::error(format!(
                            "`{}` gives no value for the module's variable `{name}`",
                            m.call
                        ))
                        .at(m.call_at.clone())
                        .note(format!("the variable is declared at {}", decl.position()))
                        .help(format!("add `{name} = ...` to the `module` block")),
                    );
                    continue;
                };
                match constant(&attr.value).and_then(|v| ty.convert(v)) {
                    Ok(v) => convert::from_hcl(v),
                    Err(_) => continue, // reported with the variable
                }
            }
        };
        out.insert(name.clone(), value);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fmt::Write as _;

    thread_local! {
        /// The cores this test thread's loads may use, instead of the machine's.
        pub(super) static CORES: std::cell::Cell<Option<usize>> = const { std::cell::Cell::new(None) };
    }

    /// Many services (some invalid), endpoints referring to some of them, a local read by
    /// all: loaded on one core and on four, every value and every diagnostic is the same,
    /// in the same order.
    #[test]
    fn resources_evaluated_together_load_as_one_by_one() {
        let mut text = String::from("locals {\n  team = \"core\"\n}\n");
        for i in 0..1500 {
            let port = if i % 97 == 0 { 70000 } else { 8080 };
            write!(
                text,
                "resource \"vpcep_service\" \"s{i}\" {{\n  name = \"s{i}\"\n  server_type = \"LB\"\n  port_id = \"port-{i}\"\n  vpc_id = \"vpc-1\"\n  tags = {{ team = local.team }}\n  port {{\n    server_port = {port}\n    client_port = 80\n  }}\n}}\n"
            )
            .expect("a String takes any text");
            // Every seventh service has an endpoint, declared right after it: the services
            // are evaluated in one wave, the endpoints in the next.
            if i % 7 == 0 {
                write!(
                    text,
                    "resource \"vpcep_endpoint\" \"e{i}\" {{\n  service_id = vpcep_service.s{i}.id\n  vpc_id = \"vpc-1\"\n  subnet_id = \"subnet-{}\"\n}}\n",
                    if i % 91 == 0 { "x".repeat(300) } else { "1".to_owned() }
                )
                .expect("a String takes any text");
            }
        }
        let options = LoadOptions {
            sources: Some(vec![("main.hcl".to_owned(), text.into())]),
            ..LoadOptions::default()
        };
        let load_on = |cores| {
            CORES.set(Some(cores));
            let loaded = load(&options);
            CORES.set(None);
            (
                format!("{:?}", loaded.desired),
                format!("{:?}", loaded.diagnostics),
                loaded.diagnostics.len(),
            )
        };
        let one = load_on(1);
        assert!(one.2 > 10, "the configuration has errors to compare");
        assert_eq!(one, load_on(4));
        // Without the errors, the desired states are compared too.
        let valid = options.sources.as_ref().map(|s| {
            s[0].1
                .replace("70000", "8443")
                .replace(&"x".repeat(300), "2")
        });
        let options = LoadOptions {
            sources: Some(vec![(
                "main.hcl".to_owned(),
                valid.unwrap_or_default().into(),
            )]),
            ..LoadOptions::default()
        };
        let load_on = |cores| {
            CORES.set(Some(cores));
            let loaded = load(&options);
            CORES.set(None);
            format!("{:?}", loaded.desired)
        };
        let one = load_on(1);
        assert!(one.contains("e1491"), "{}", &one[..200.min(one.len())]);
        assert_eq!(one, load_on(4));
        // In dependency order, as one by one: each endpoint right after its service.
        CORES.set(Some(4));
        let desired = load(&options).desired.expect("the configuration is valid");
        CORES.set(None);
        let order: Vec<String> = desired.resources.keys().map(ToString::to_string).collect();
        let expected: Vec<String> = (0..1500)
            .flat_map(|i| {
                let endpoint = (i % 7 == 0).then(|| format!("vpcep_endpoint.e{i}"));
                std::iter::once(format!("vpcep_service.s{i}")).chain(endpoint)
            })
            .collect();
        assert_eq!(order, expected);
    }
}
