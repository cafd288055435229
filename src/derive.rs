//! From a configuration and a recorded state to a plan: evaluate, plan, and evaluate again
//! with replaced resources' computed values unknown until no more are replaced (so a
//! replacement carries through to what refers to it); and, during apply, evaluate again as
//! values become known. No I/O beyond what loading the configuration does (none when the
//! sources are given), no printing: the command line and the tests share it.

use crate::apply::{Resolved, Resolver};
use crate::cloud::Providers;
use crate::config::{self, LoadOptions, Loaded};
use crate::model::{Address, DesiredState, RecordedOutput, RecordedState, Value};
use crate::plan::{self, CloudFacts, Plan, PlanOptions};
use indexmap::IndexMap;

/// A configuration ready to be evaluated against any state (whose computed values loading
/// reads through [`StateValues`]).
pub trait Source {
    fn options(&self) -> LoadOptions;

    /// Lets go of what loading keeps between loads (a parsed configuration): the next load
    /// builds it again. Called while a plan is made from a load.
    fn release(&self) {}
}

impl<F: Fn() -> LoadOptions> Source for F {
    fn options(&self) -> LoadOptions {
        self()
    }
}

/// A recorded state's computed attributes as the configuration reads them, except those of
/// `unknown` resources (replaced: they get new IDs), read in place rather than copied.
pub struct StateValues<'a> {
    pub state: &'a RecordedState,
    pub unknown: &'a std::collections::HashSet<Address>,
}

impl config::ComputedValues for StateValues<'_> {
    fn computed(&self, address: &Address, name: &str) -> Option<&Value> {
        if self.unknown.contains(address) {
            return None;
        }
        self.state.resources.get(address)?.attrs.get(name)
    }
}

/// Loads `source` with the computed values of `state`, but those of `unknown`; the data
/// sources it reads are read from `data` (and loaded again until every read with known
/// arguments is answered); without `data` they stay unknown.
fn load(
    source: &dyn Source,
    state: &RecordedState,
    unknown: &std::collections::HashSet<Address>,
    data: Option<DataAccess<'_>>,
) -> Result<Loaded, crate::cloud::CloudError> {
    let computed = StateValues { state, unknown };
    let Some(data) = data else {
        return Ok(config::load_with(&source.options(), &computed));
    };
    let mut loaded = config::load_reading(&source.options(), &computed, data.reads);
    for _ in 0..crate::reads::MAX_ROUNDS {
        if loaded.wanted.is_empty() {
            break;
        }
        data.reads.read_all(data.clouds, &loaded.wanted)?;
        loaded = config::load_reading(&source.options(), &computed, data.reads);
    }
    Ok(loaded)
}

/// Where data sources are read from, and what was read already.
#[derive(Clone, Copy)]
pub struct DataAccess<'a> {
    pub clouds: &'a dyn Providers,
    pub reads: &'a crate::reads::Reads,
}

/// A plan and what it was made from.
pub struct Derived {
    pub plan: Plan,
    pub desired: DesiredState,
    /// The value each variable took.
    pub variables: IndexMap<String, Value>,
    /// Every load along the way (diagnostics, secrets), the first one first.
    pub loads: Vec<Loaded>,
    /// What the data sources read (apply reads only those it could not read yet).
    pub reads: crate::reads::Reads,
}

/// Why no plan could be made.
pub enum DeriveError {
    /// The configuration has errors: the load that says which.
    Config(Box<Loaded>),
    /// Looking up a fact the plan needs failed.
    Cloud(crate::cloud::CloudError),
    /// A `moved` or `import` block cannot be carried out on the recorded state.
    Refactor(String),
}

/// Reads the facts `plan` turns out to need that `facts` does not hold (other accounts'
/// services endpoints connect to, the connections of services whose approvals change) into
/// `facts`; whether there were any (and the plan is to be made again).
fn read_wanted(
    plan: &Plan,
    state: &RecordedState,
    facts: &mut CloudFacts,
    clouds: &dyn Providers,
) -> Result<bool, crate::cloud::CloudError> {
    let wanted = plan::wanted(plan, state, facts);
    if wanted.is_empty() {
        return Ok(false);
    }
    for id in wanted.services {
        // Any account may describe any service.
        let kind = clouds
            .cloud(None)
            .describe_service(&id)?
            .map(|s| s.service_type);
        facts.foreign_services.insert(id, kind);
    }
    for id in wanted.connections {
        // The connections are the service owner's to list: the provider of the service
        // as recorded (the default one for a service not recorded here).
        let owner = state
            .resources
            .values()
            .find(|r| r.address.rtype() == crate::model::ResourceType::Service && r.id == id)
            .and_then(|r| r.provider.as_deref());
        match clouds.cloud(owner).list_connections(&id) {
            Ok(listed) => {
                let listed = listed
                    .iter()
                    .map(crate::cloud::convert::connection_fact)
                    .collect();
                facts.connections.insert(id, listed);
            }
            // Gone since the state was recorded (a plan without refresh): the rules go by
            // what the state says, and apply finds out.
            Err(e) if e.status == 404 => {}
            Err(e) => return Err(e),
        }
    }
    Ok(true)
}

/// Evaluates `source` against `state` and plans. Facts the plan turns out to need and `facts`
/// does not hold (other accounts' services endpoints connect to, the connections of services
/// whose approvals change) are read from `cloud`, kept in `facts`, and the plan made again.
pub fn derive(
    source: &dyn Source,
    state: &RecordedState,
    facts: &mut CloudFacts,
    options: &PlanOptions,
    clouds: &dyn Providers,
) -> Result<Derived, DeriveError> {
    let reads = crate::reads::Reads::default();
    let data = Some(DataAccess {
        clouds,
        reads: &reads,
    });
    let mut first =
        load(source, state, &std::collections::HashSet::new(), data).map_err(DeriveError::Cloud)?;
    let Some(mut desired) = first.desired.take() else {
        return Err(DeriveError::Config(Box::new(first)));
    };
    let variables = first.variables.clone();
    let mut loads = vec![first];
    // `moved` and `import` blocks: the plan is made against the state after them, and the
    // configuration evaluated again so that references read the moved and imported records.
    let edited_state;
    let mut edits = Vec::new();
    let state = if desired.refactors.moved.is_empty() && desired.refactors.imports.is_empty() {
        state
    } else {
        let mut edited = state.clone();
        edits = crate::refactors::edit_state(&mut edited, &desired, clouds)
            .map_err(DeriveError::Refactor)?;
        if edits.is_empty() {
            state
        } else {
            edited_state = edited;
            let mut again = load(
                source,
                &edited_state,
                &std::collections::HashSet::new(),
                data,
            )
            .map_err(DeriveError::Cloud)?;
            let Some(d) = again.desired.take() else {
                return Err(DeriveError::Config(Box::new(again)));
            };
            desired = d;
            loads.push(again);
            &edited_state
        }
    };
    let with_edits = |mut p: Plan| {
        let mut all = edits.clone();
        all.append(&mut p.state_edits);
        p.state_edits = all;
        p
    };
    source.release();
    // `--replace` and what `replace_triggered_by` adds to it.
    let mut options = options.clone();
    let mut triggered: Vec<(Address, String)> = Vec::new();
    let mut plan = with_edits(plan::plan(&desired, state, facts, &options));
    // Replaced resources get new IDs: what refers to them is evaluated again with their
    // computed values unknown, which may replace it too; until nothing more is replaced.
    let mut replaced: Vec<Address> = Vec::new();
    for _ in 0..=state.resources.len() {
        let more: Vec<(Address, String)> = plan::triggered(&plan, &desired)
            .into_iter()
            .filter(|(a, _)| !options.replace.iter().any(|t| t.matches(a)))
            .collect();
        if !more.is_empty() {
            options.replace.extend(
                more.iter()
                    .map(|(a, _)| crate::model::refactor::Target::Instance(a.clone())),
            );
            triggered.extend(more);
            plan = with_edits(plan::plan(&desired, state, facts, &options));
        }
        let now: Vec<Address> = plan
            .changes
            .iter()
            .filter(|c| c.action == plan::Action::Replace)
            .map(|c| c.address.clone())
            .collect();
        if now == replaced {
            break;
        }
        replaced = now;
        let mut loaded = load(source, state, &replaced.iter().cloned().collect(), data)
            .map_err(DeriveError::Cloud)?;
        let Some(d) = loaded.desired.take() else {
            loads.push(loaded);
            break;
        };
        loads.push(loaded);
        desired = d;
        plan = with_edits(plan::plan(&desired, state, facts, &options));
    }
    source.release();
    if read_wanted(&plan, state, facts, clouds).map_err(DeriveError::Cloud)? {
        plan = with_edits(plan::plan(&desired, state, facts, &options));
    }
    for (address, why) in &triggered {
        if let Some(c) = plan
            .changes
            .iter_mut()
            .find(|c| c.address == *address && c.action == plan::Action::Replace)
        {
            c.reason = Some(why.clone());
        }
    }
    Ok(Derived {
        plan,
        desired,
        variables,
        loads,
        reads,
    })
}

/// Re-evaluates a configuration during apply, as the state learns computed values.
pub struct ConfigResolver<'a> {
    pub source: &'a dyn Source,
    /// Called with every load (e.g. to remember its secrets for redaction).
    pub on_load: &'a dyn Fn(&Loaded),
    /// Whether the configuration declares outputs.
    pub outputs: bool,
    /// Whether a condition waits for values apply makes.
    pub checks: bool,
    /// Where data sources whose arguments become known during apply are read (`None`: they
    /// stay unknown).
    pub data: Option<DataAccess<'a>>,
}

impl Resolver for ConfigResolver<'_> {
    fn has_outputs(&self) -> bool {
        self.outputs
    }

    fn has_checks(&self) -> bool {
        self.checks
    }

    fn resolve(&mut self, state: &RecordedState) -> Result<Resolved, String> {
        let loaded = load(
            self.source,
            state,
            &std::collections::HashSet::new(),
            self.data,
        )
        .map_err(|e| format!("reading a data source: {e}"))?;
        (self.on_load)(&loaded);
        let desired = loaded.desired.ok_or_else(|| {
            loaded
                .diagnostics
                .iter()
                .find(|d| d.is_error())
                .map_or_else(
                    || "the configuration has errors".to_owned(),
                    |d| d.message.clone(),
                )
        })?;
        Ok(Resolved {
            attrs: desired
                .resources
                .into_iter()
                .map(|(a, r)| (a, r.attrs))
                .collect(),
            outputs: desired
                .outputs
                .into_iter()
                .filter(|(_, o)| o.value.is_known())
                .map(|(k, o)| {
                    (
                        k,
                        RecordedOutput {
                            value: o.value,
                            sensitive: o.sensitive,
                        },
                    )
                })
                .collect(),
            checks: desired.checks,
        })
    }
}
