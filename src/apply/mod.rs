//! Apply: carries a plan out against the cloud, recording every completed step.
//!
//! Order: deletes first (dependents before what they depend on), then updates and creates in
//! dependency order, level by level, up to `parallelism` actions at a time within a level.
//! Before a create starts, its intent is recorded; after every action its result is recorded
//! (journal, fsynced). When an action fails, the others of its level finish, actions that
//! depend on it are skipped, and everything independent still runs. Values unknown at plan
//! time are resolved between levels by re-evaluating the configuration snapshot.
//!
//! Apply knows the cloud and the state only through their traits; it never prints.

mod actions;

use crate::cloud::Cloud;
use crate::model::{
    Address, PendingCreate, RecordedOutput, RecordedState, ResourceId, ResourceType, StateChange,
};
use crate::plan::{Action, Attrs, Plan, ResourceChange};
use crate::state::{StateError, StateStore};
use indexmap::IndexMap;
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Mutex;
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Progress of an apply, for the command line to show.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    Start {
        address: Address,
        action: Action,
        id: Option<String>,
    },
    Progress {
        address: Address,
        action: Action,
        elapsed: Duration,
    },
    Done {
        address: Address,
        action: Action,
        elapsed: Duration,
        id: Option<String>,
    },
    Failed {
        address: Address,
        action: Action,
        elapsed: Duration,
        error: String,
    },
    Skipped {
        address: Address,
        action: Action,
        reason: String,
    },
}

/// What the configuration says once more is known: desired attributes and outputs.
pub struct Resolved {
    pub attrs: HashMap<Address, Attrs>,
    pub outputs: IndexMap<String, RecordedOutput>,
}

/// Re-evaluates the configuration (the snapshot the plan was made from) against `state`.
pub trait Resolver {
    fn resolve(&mut self, state: &RecordedState) -> Result<Resolved, String>;
    /// Whether the configuration declares outputs (evaluated once more after the last step);
    /// without any, that evaluation is skipped.
    fn has_outputs(&self) -> bool {
        true
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    pub added: usize,
    pub changed: usize,
    pub destroyed: usize,
    pub failed: Vec<(Address, String)>,
    pub skipped: Vec<Address>,
}

impl Report {
    pub fn succeeded(&self) -> bool {
        self.failed.is_empty() && self.skipped.is_empty()
    }
}

/// One step: a single cloud action on one resource.
#[derive(Clone)]
struct Step {
    change: ResourceChange,
    /// `Create`, `Update` or `Delete` (a replace is two steps).
    action: Action,
}

fn delete_rank(t: ResourceType) -> u8 {
    2 - t.create_rank()
}

/// How many deletes must go before step `i` (its dependents, transitively).
fn depth(
    i: usize,
    steps: &[Step],
    dependents: &HashMap<&ResourceId, Vec<usize>>,
    memo: &mut Vec<Option<usize>>,
    guard: usize,
) -> usize {
    if let Some(d) = memo[i] {
        return d;
    }
    let mut d = 0;
    if guard <= steps.len() {
        for &j in dependents
            .get(&steps[i].change.address.resource)
            .map_or(&[][..], Vec::as_slice)
        {
            if j != i {
                d = d.max(depth(j, steps, dependents, memo, guard + 1) + 1);
            }
        }
    }
    memo[i] = Some(d);
    d
}

/// The dependency depth of step `i` among creates and updates.
fn visit(
    i: usize,
    steps: &[Step],
    by: &HashMap<&ResourceId, Vec<usize>>,
    level: &mut Vec<Option<usize>>,
    depth: usize,
) -> usize {
    if let Some(l) = level[i] {
        return l;
    }
    if depth > steps.len() {
        return 0; // a cycle cannot reach here: the configuration was ordered
    }
    let mut l = 0;
    for dep in &steps[i].change.depends_on {
        for &j in by.get(dep).map_or(&[][..], Vec::as_slice) {
            if j != i {
                l = l.max(visit(j, steps, by, level, depth + 1) + 1);
            }
        }
    }
    level[i] = Some(l);
    l
}

/// Levels of deletes: approvals, then endpoints, then services; within a type, a resource
/// goes after everything that depends on it.
fn delete_levels(steps: &[Step]) -> Vec<Vec<usize>> {
    let mut dependents: HashMap<&ResourceId, Vec<usize>> = HashMap::new();
    for (i, s) in steps.iter().enumerate() {
        for d in &s.change.depends_on {
            dependents.entry(d).or_default().push(i);
        }
    }
    let mut memo = vec![None; steps.len()];
    let keys: Vec<(u8, usize)> = (0..steps.len())
        .map(|i| {
            (
                delete_rank(steps[i].change.address.rtype()),
                depth(i, steps, &dependents, &mut memo, 0),
            )
        })
        .collect();
    let mut distinct: Vec<(u8, usize)> = keys.clone();
    distinct.sort_unstable();
    distinct.dedup();
    let level: Vec<usize> = keys
        .iter()
        .map(|k| distinct.binary_search(k).unwrap_or(0))
        .collect();
    group(&level)
}

/// Levels of creates and updates: a resource goes after the ones it depends on.
fn build_levels(steps: &[Step]) -> Vec<Vec<usize>> {
    let by_resource: HashMap<&ResourceId, Vec<usize>> =
        steps
            .iter()
            .enumerate()
            .fold(HashMap::new(), |mut m, (i, s)| {
                m.entry(&s.change.address.resource).or_default().push(i);
                m
            });
    let mut level: Vec<Option<usize>> = vec![None; steps.len()];
    for i in 0..steps.len() {
        visit(i, steps, &by_resource, &mut level, 0);
    }
    let flat: Vec<usize> = level.into_iter().map(Option::unwrap_or_default).collect();
    group(&flat)
}

fn group(level: &[usize]) -> Vec<Vec<usize>> {
    let max = level.iter().copied().max().map_or(0, |m| m + 1);
    let mut out = vec![Vec::new(); max];
    for (i, l) in level.iter().enumerate() {
        out[*l].push(i);
    }
    out
}

enum Msg {
    /// A worker is about to start a step; it waits for the reply before calling the cloud.
    Starting(usize, mpsc::Sender<()>),
    Progress(usize, Duration),
    Finished(usize, actions::Outcome, Duration),
}

pub struct ApplyOptions {
    pub parallelism: usize,
}

/// Carries out `plan`. `state` is the recorded state the plan was made against; it is updated
/// as steps complete and written at the end (also after failures).
pub fn apply(
    plan: &Plan,
    cloud: &dyn Cloud,
    store: &mut dyn StateStore,
    state: &mut RecordedState,
    resolver: &mut dyn Resolver,
    options: &ApplyOptions,
    on_event: &mut dyn FnMut(Event),
) -> Result<Report, StateError> {
    if let Some(p) = state.pending.first() {
        // Refresh reconciles every pending create before planning; creating again here could
        // make a second copy of what the interrupted apply made.
        return Err(StateError(format!(
            "internal error: the create of `{}` that an interrupted apply started was not reconciled; nothing was changed",
            p.address
        )));
    }
    let mut deletes = Vec::new();
    let mut builds = Vec::new();
    for change in plan.actions() {
        match change.action {
            Action::Delete => deletes.push(Step {
                change: change.clone(),
                action: Action::Delete,
            }),
            Action::Replace => {
                deletes.push(Step {
                    change: change.clone(),
                    action: Action::Delete,
                });
                builds.push(Step {
                    change: change.clone(),
                    action: Action::Create,
                });
            }
            Action::Create | Action::Update => builds.push(Step {
                change: change.clone(),
                action: change.action,
            }),
            Action::NoOp => {}
        }
    }
    let claims = actions::Claims::new(state.resources.values().map(|r| r.id.clone()));
    let mut run = Run {
        cloud,
        claims: &claims,
        store,
        state,
        options,
        on_event,
        report: Report::default(),
        failed: HashSet::new(),
    };
    // Each step is moved into its level's batch (every step is in exactly one level).
    let levels = delete_levels(&deletes);
    let mut deletes: Vec<Option<Step>> = deletes.into_iter().map(Some).collect();
    for level in levels {
        let batch: Vec<Step> = level
            .into_iter()
            .filter_map(|i| deletes[i].take())
            .collect();
        run.level(&batch)?;
    }
    let mut latest: Option<Resolved> = None;
    let levels = build_levels(&builds);
    let mut builds: Vec<Option<Step>> = builds.into_iter().map(Some).collect();
    for level in levels {
        let mut batch: Vec<Step> = level.into_iter().filter_map(|i| builds[i].take()).collect();
        // Updates before creates within a level; both in address order.
        batch.sort_by(|a, b| {
            (a.action != Action::Update, &a.change.address)
                .cmp(&(b.action != Action::Update, &b.change.address))
        });
        let needs = batch.iter().any(|s| needs_configuration(&s.change));
        if needs {
            match resolver.resolve(run.state) {
                Ok(r) => {
                    for s in &mut batch {
                        let now = r.attrs.get(&s.change.address).cloned();
                        fill_known(&mut s.change, now.as_ref());
                    }
                    latest = Some(r);
                }
                Err(e) => {
                    for s in &batch {
                        run.fail_now(s, format!("cannot evaluate the configuration: {e}"));
                    }
                    continue;
                }
            }
        }
        run.level(&batch)?;
    }
    // Outputs, evaluated against the final state.
    if resolver.has_outputs() {
        if let Ok(r) = resolver.resolve(run.state) {
            latest = Some(r);
        }
        if let Some(r) = latest {
            let change = StateChange::Outputs(r.outputs);
            run.state.apply(change);
        }
    } else {
        run.state.apply(StateChange::Outputs(IndexMap::new()));
    }
    run.state.next_serial().map_err(StateError)?;
    run.state.sort();
    run.store.write(run.state)?;
    Ok(run.report)
}

/// Whether applying `change` evaluates the configuration again: only configured values
/// unknown at plan time need it; computed ones (`id`, `status`) are always unknown before a
/// create. An apply none of whose changes need it, of a configuration without outputs, never
/// calls its [`Resolver`].
pub fn needs_configuration(change: &ResourceChange) -> bool {
    let Some(after) = change.after.as_ref() else {
        return false;
    };
    crate::plan::configured_names(change.address.rtype())
        .any(|name| after.get(name).is_some_and(|v| !v.is_known()))
}

/// The resolver of an apply that never evaluates the configuration again (see
/// [`needs_configuration`]), so the configuration need not stay in memory; it refuses if asked.
pub struct NoConfiguration;

impl Resolver for NoConfiguration {
    fn resolve(&mut self, _state: &RecordedState) -> Result<Resolved, String> {
        Err(
            "the configuration was not kept for this apply (no value was unknown at plan time)"
                .into(),
        )
    }

    fn has_outputs(&self) -> bool {
        false
    }
}

/// Replaces configured attributes that were unknown at plan time by their values now.
fn fill_known(change: &mut ResourceChange, now: Option<&Attrs>) {
    let (Some(after), Some(now)) = (change.after.as_mut(), now) else {
        return;
    };
    for name in crate::plan::configured_names(change.address.rtype()) {
        if let (Some(slot), Some(v)) = (after.get_mut(name), now.get(name))
            && !slot.is_known()
        {
            *slot = v.clone();
        }
    }
}

struct Run<'a> {
    cloud: &'a dyn Cloud,
    claims: &'a actions::Claims,
    store: &'a mut dyn StateStore,
    state: &'a mut RecordedState,
    options: &'a ApplyOptions,
    on_event: &'a mut dyn FnMut(Event),
    report: Report,
    /// Resources whose step failed or was skipped (their dependents are skipped).
    failed: HashSet<ResourceId>,
}

impl Run<'_> {
    fn fail_now(&mut self, step: &Step, error: String) {
        self.failed.insert(step.change.address.resource.clone());
        (self.on_event)(Event::Failed {
            address: step.change.address.clone(),
            action: step.action,
            elapsed: Duration::ZERO,
            error: error.clone(),
        });
        self.report
            .failed
            .push((step.change.address.clone(), error));
    }

    fn blocked_by(&self, step: &Step) -> Option<String> {
        if step.action == Action::Create
            && step.change.action == Action::Replace
            && self.failed.contains(&step.change.address.resource)
        {
            return Some("its delete failed".to_owned());
        }
        step.change
            .depends_on
            .iter()
            .find(|d| self.failed.contains(*d))
            .map(|d| format!("`{d}` failed or was skipped"))
    }

    /// After an approval's step, the endpoints it accepted or rejected that this state records
    /// are read again, so the state holds their status as the cloud reports it now (not the
    /// `pendingAcceptance` of their create). A read that fails leaves the record as it was.
    fn refresh_connected(&mut self, approval: &Address) -> Result<(), StateError> {
        let Some(record) = self.state.resources.get(approval) else {
            return Ok(());
        };
        let connected: HashSet<String> = record
            .attr("connections")
            .as_list()
            .unwrap_or_default()
            .iter()
            .filter_map(|c| c.as_map()?.get("endpoint_id")?.as_str().map(str::to_owned))
            .collect();
        let stale: Vec<crate::model::RecordedResource> = self
            .state
            .resources
            .values()
            .filter(|r| r.address.rtype() == ResourceType::Endpoint && connected.contains(&r.id))
            .cloned()
            .collect();
        for mut r in stale {
            if let Ok(Some(e)) = self.cloud.get_endpoint(&r.id) {
                let fresh = crate::cloud::convert::endpoint_attrs(&e);
                if fresh != r.attrs {
                    r.attrs = fresh;
                    self.record(StateChange::Set(r))?;
                }
            }
        }
        Ok(())
    }

    fn record(&mut self, change: StateChange) -> Result<(), StateError> {
        self.store.record(&change)?;
        self.state.apply(change);
        Ok(())
    }

    fn record_all(&mut self, changes: Vec<StateChange>) -> Result<(), StateError> {
        self.store.record_all(&changes)?;
        for change in changes {
            self.state.apply(change);
        }
        Ok(())
    }

    /// Acts on one message of a level's workers once its changes are recorded.
    fn handle(
        &mut self,
        msg: Msg,
        steps: &[Step],
        queue: &Mutex<VecDeque<usize>>,
        outcome: &mut Result<(), StateError>,
    ) {
        match msg {
            Msg::Starting(i, ack) => {
                let step = &steps[i];
                if outcome.is_err() {
                    // Without a durable intent nothing more may start.
                    queue
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner)
                        .clear();
                    return;
                }
                (self.on_event)(Event::Start {
                    address: step.change.address.clone(),
                    action: step.action,
                    id: step.change.id.clone(),
                });
                let _ = ack.send(());
            }
            Msg::Progress(i, elapsed) => {
                let step = &steps[i];
                (self.on_event)(Event::Progress {
                    address: step.change.address.clone(),
                    action: step.action,
                    elapsed,
                });
            }
            Msg::Finished(i, result, elapsed) => {
                let step = &steps[i];
                if result.error.is_none()
                    && step.change.address.rtype() == ResourceType::Approval
                    && let Err(e) = self.refresh_connected(&step.change.address)
                {
                    *outcome = Err(e);
                }
                match result.error {
                    None => {
                        match step.action {
                            Action::Create => self.report.added += 1,
                            Action::Update => self.report.changed += 1,
                            _ => self.report.destroyed += 1,
                        }
                        (self.on_event)(Event::Done {
                            address: step.change.address.clone(),
                            action: step.action,
                            elapsed,
                            id: result.id,
                        });
                    }
                    Some(error) => {
                        self.failed.insert(step.change.address.resource.clone());
                        self.report
                            .failed
                            .push((step.change.address.clone(), error.clone()));
                        (self.on_event)(Event::Failed {
                            address: step.change.address.clone(),
                            action: step.action,
                            elapsed,
                            error,
                        });
                    }
                }
            }
        }
    }

    /// Runs the steps of one level in parallel, recording each result as it arrives.
    fn level(&mut self, steps: &[Step]) -> Result<(), StateError> {
        let mut runnable = VecDeque::new();
        for (i, step) in steps.iter().enumerate() {
            match self.blocked_by(step) {
                Some(reason) => {
                    self.failed.insert(step.change.address.resource.clone());
                    (self.on_event)(Event::Skipped {
                        address: step.change.address.clone(),
                        action: step.action,
                        reason,
                    });
                    self.report.skipped.push(step.change.address.clone());
                }
                None => runnable.push_back(i),
            }
        }
        if runnable.is_empty() {
            return Ok(());
        }
        let workers = self.options.parallelism.clamp(1, runnable.len());
        let queue = Mutex::new(runnable);
        let (tx, rx) = mpsc::channel::<Msg>();
        let cloud = self.cloud;
        let claims = self.claims;
        let steps_ref = steps;
        let mut outcome: Result<(), StateError> = Ok(());
        std::thread::scope(|scope| {
            for _ in 0..workers {
                let tx = tx.clone();
                let queue = &queue;
                scope.spawn(move || {
                    loop {
                        let next = queue
                            .lock()
                            .unwrap_or_else(std::sync::PoisonError::into_inner)
                            .pop_front();
                        let Some(i) = next else { break };
                        let (ack_tx, ack_rx) = mpsc::channel();
                        if tx.send(Msg::Starting(i, ack_tx)).is_err() || ack_rx.recv().is_err() {
                            break;
                        }
                        let started = Instant::now();
                        let tick_tx = tx.clone();
                        let tick = move |elapsed: Duration| {
                            let _ = tick_tx.send(Msg::Progress(i, elapsed));
                        };
                        let step = &steps_ref[i];
                        let result = actions::run(cloud, &step.change, step.action, claims, &tick);
                        let _ = tx.send(Msg::Finished(i, result, started.elapsed()));
                    }
                });
            }
            drop(tx);
            // Group commit: every message waiting is taken at once, and everything they
            // record (intents of steps about to start, results of steps done) is made durable
            // with one sync before any of those steps starts or is reported done.
            while let Ok(first) = rx.recv() {
                let mut batch = vec![first];
                while batch.len() < 1024 {
                    match rx.try_recv() {
                        Ok(msg) => batch.push(msg),
                        Err(_) => break,
                    }
                }
                let mut changes = Vec::new();
                for msg in &mut batch {
                    match msg {
                        Msg::Starting(i, _) => {
                            let step = &steps[*i];
                            if step.action == Action::Create && outcome.is_ok() {
                                changes.push(StateChange::Pending(PendingCreate {
                                    address: step.change.address.clone(),
                                    started_at: crate::state::lock::now_rfc3339(),
                                    identity: actions::identity(&step.change),
                                }));
                            }
                        }
                        Msg::Finished(_, result, _) => {
                            changes.append(&mut result.changes);
                        }
                        Msg::Progress(..) => {}
                    }
                }
                if let Err(e) = self.record_all(changes) {
                    outcome = Err(e);
                }
                for msg in batch {
                    self.handle(msg, steps, &queue, &mut outcome);
                }
            }
        });
        outcome
    }
}
