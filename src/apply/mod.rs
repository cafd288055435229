//! Apply: carries a plan out against the cloud, recording every completed step.
//!
//! Order: deletes first (dependents before what they depend on), then updates and creates in
//! dependency order (its `schedule`): each step starts as soon as what it waits for is done, up
//! to `parallelism` at a time. Before a create starts, its intent is recorded; after every
//! action its result is recorded (journal, fsynced; one sync covers every record made at the
//! same moment). When an action fails, the steps under way finish, steps that depend on it are
//! skipped, and everything independent still runs. Values unknown at plan time are resolved
//! before the step that needs them starts, by evaluating the configuration snapshot again.
//!
//! Apply knows the cloud and the state only through their traits; it never prints.

mod actions;
mod schedule;

use crate::cloud::Providers;
use crate::model::{
    Address, PendingCreate, RecordedOutput, RecordedState, ResourceId, ResourceType, StateChange,
};
use crate::plan::{Action, Attrs, Plan, ResourceChange};
use crate::state::{StateError, StateErrorKind, StateStore};
use indexmap::IndexMap;
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
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
        /// The API's error code, when the cloud refused.
        code: Option<String>,
    },
    Skipped {
        address: Address,
        action: Action,
        reason: String,
    },
    /// The apply was asked to stop (Ctrl-C): no step starts any more, and the `running` ones
    /// are waited for.
    Interrupted { running: usize },
    /// A `moved`, `import` or `removed` block carried out on the state (no cloud call).
    StateEdited {
        edit: crate::model::refactor::StateEdit,
    },
}

/// What the configuration says once more is known: desired attributes and outputs.
pub struct Resolved {
    pub attrs: HashMap<Address, Attrs>,
    pub outputs: IndexMap<String, RecordedOutput>,
    /// The `check` blocks, evaluated against the state at that time.
    pub checks: Vec<crate::model::CheckResult>,
}

/// Re-evaluates the configuration (the snapshot the plan was made from) against `state`.
pub trait Resolver {
    fn resolve(&mut self, state: &RecordedState) -> Result<Resolved, String>;
    /// Whether a `precondition` or `postcondition` waits for values apply makes: then the
    /// configuration is evaluated once more at the end, and a false condition fails apply.
    fn has_checks(&self) -> bool {
        false
    }
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
    /// Steps that did not start because the apply was interrupted.
    pub not_started: usize,
    pub interrupted: bool,
    /// The `check` blocks evaluated against what apply made (a failed one warns).
    pub checks: Vec<crate::model::CheckResult>,
}

impl Report {
    pub fn succeeded(&self) -> bool {
        self.failed.is_empty() && self.skipped.is_empty() && !self.interrupted
    }
}

/// One step: a single cloud action on one resource.
struct Step<'p> {
    change: &'p ResourceChange,
    /// `Create`, `Update` or `Delete` (a replace is two steps).
    action: Action,
}

enum Msg {
    /// A worker is about to start a step; it waits for the reply before calling the cloud.
    Starting(usize, mpsc::Sender<()>),
    Progress(usize, Duration),
    /// A step is done; for an approval, the endpoints it connected as the cloud reports them
    /// now (read by the worker, so the main thread never waits for the cloud).
    Finished(usize, actions::Outcome, Duration, Vec<(Address, Attrs)>),
}

/// How often a waiting apply looks whether it was interrupted.
const INTERRUPT_POLL: Duration = Duration::from_millis(100);

#[derive(Default)]
pub struct ApplyOptions {
    pub parallelism: usize,
    /// Set when the apply is to stop (Ctrl-C): steps running finish and are recorded, no
    /// other starts.
    pub interrupt: Option<std::sync::Arc<std::sync::atomic::AtomicBool>>,
}

impl ApplyOptions {
    fn interrupted(&self) -> bool {
        self.interrupt
            .as_ref()
            .is_some_and(|i| i.load(std::sync::atomic::Ordering::SeqCst))
    }
}

/// Carries out `plan`. `state` is the recorded state the plan was made against; it is updated
/// as steps complete and written at the end (also after failures).
pub fn apply(
    plan: &Plan,
    clouds: &dyn Providers,
    store: &mut dyn StateStore,
    state: &mut RecordedState,
    resolver: &mut dyn Resolver,
    options: &ApplyOptions,
    on_event: &mut dyn FnMut(Event),
) -> Result<Report, StateError> {
    if let Some(p) = state.pending.first() {
        // Refresh reconciles every pending create before planning; creating again here could
        // make a second copy of what the interrupted apply made.
        return Err(StateError::new(
            StateErrorKind::Internal,
            format!(
                "internal error: the create of `{}` that an interrupted apply started was not reconciled; nothing was changed",
                p.address
            ),
        ));
    }
    // State edits first, in one journal batch: the changes below were planned against the
    // state after them.
    if !plan.state_edits.is_empty() {
        let changes: Vec<StateChange> = plan
            .state_edits
            .iter()
            .flat_map(crate::model::refactor::StateEdit::changes)
            .collect();
        store.record_all(&changes)?;
        for change in changes {
            state.apply(change);
        }
        for edit in &plan.state_edits {
            on_event(Event::StateEdited { edit: edit.clone() });
        }
    }
    // Deletes first, then creates and updates; a replace is a delete and a create.
    let mut steps: Vec<Step<'_>> = Vec::new();
    for change in plan.actions() {
        if matches!(change.action, Action::Delete | Action::Replace) {
            steps.push(Step {
                change,
                action: Action::Delete,
            });
        }
    }
    for change in plan.actions() {
        match change.action {
            Action::Replace => steps.push(Step {
                change,
                action: Action::Create,
            }),
            Action::Create | Action::Update => steps.push(Step {
                change,
                action: change.action,
            }),
            Action::Delete | Action::NoOp => {}
        }
    }
    let nodes: Vec<schedule::Node<'_>> = steps
        .iter()
        .map(|s| schedule::Node {
            address: &s.change.address,
            action: s.action,
            depends_on: &s.change.depends_on,
        })
        .collect();
    let mut schedule = schedule::Schedule::new(&nodes)
        .map_err(|e| StateError::new(StateErrorKind::Internal, e))?;
    drop(nodes);
    let claims = actions::Claims::new(state.resources.values().map(|r| r.id.clone()));
    let mut run = Run {
        clouds,
        claims: &claims,
        store,
        state,
        options,
        on_event,
        report: Report::default(),
        failed: HashSet::new(),
        resolved: None,
    };
    run.execute(&steps, &mut schedule, resolver)?;
    let mut latest = run.resolved.take().map(|(_, r)| r);
    // Conditions that could not be decided when planning, decided on what apply made.
    if resolver.has_checks()
        && !run.report.interrupted
        && let Err(e) = resolver.resolve(run.state)
    {
        let address = e
            .split('`')
            .nth(1)
            .and_then(|a| a.parse::<Address>().ok())
            .or_else(|| plan.changes.first().map(|c| c.address.clone()));
        if let Some(address) = address {
            (run.on_event)(Event::Failed {
                address: address.clone(),
                action: Action::NoOp,
                elapsed: Duration::ZERO,
                error: e.clone(),
                code: None,
            });
            run.report.failed.push((address, e));
        }
        latest = None;
    }
    // Outputs, evaluated against the final state.
    if resolver.has_outputs() {
        if let Ok(r) = resolver.resolve(run.state) {
            latest = Some(r);
        }
        if let Some(r) = latest {
            run.report.checks = r.checks;
            let change = StateChange::Outputs(r.outputs);
            run.state.apply(change);
        }
    } else {
        run.state.apply(StateChange::Outputs(IndexMap::new()));
    }
    run.state
        .next_serial()
        .map_err(|e| StateError::new(StateErrorKind::Unsupported, e))?;
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

/// Replaces configured attributes that were unknown at plan time by their values now. An
/// approval's `endpoints` keeps what the plan knew besides (the plan adds the endpoints of
/// its `accounts`, which the configuration does not list).
fn fill_known(change: &mut ResourceChange, now: Option<&Attrs>) {
    let (Some(after), Some(now)) = (change.after.as_mut(), now) else {
        return;
    };
    let approval = change.address.rtype() == crate::model::ResourceType::Approval;
    for name in crate::plan::configured_names(change.address.rtype()) {
        if let (Some(slot), Some(v)) = (after.get_mut(name), now.get(name))
            && !slot.is_known()
        {
            let planned: Vec<crate::model::Value> = match (&*slot, approval && name == "endpoints")
            {
                (crate::model::Value::List(items), true) => {
                    items.iter().filter(|i| i.is_known()).cloned().collect()
                }
                _ => Vec::new(),
            };
            *slot = v.clone();
            if let crate::model::Value::List(items) = slot {
                for known in planned {
                    if !items.contains(&known) {
                        items.push(known);
                    }
                }
            }
        }
    }
}

struct Run<'a> {
    /// The cloud of each provider (each change runs with its resource's provider).
    clouds: &'a dyn Providers,
    claims: &'a actions::Claims,
    store: &'a mut dyn StateStore,
    state: &'a mut RecordedState,
    options: &'a ApplyOptions,
    on_event: &'a mut dyn FnMut(Event),
    report: Report,
    /// Resources whose step failed or was skipped (their dependents are skipped).
    failed: HashSet<ResourceId>,
    /// The configuration evaluated last, with how many steps had finished then (evaluated
    /// again only once more is known).
    resolved: Option<(usize, Resolved)>,
}

impl Run<'_> {
    /// Reports `step` failed after `elapsed` (what depends on it is then skipped).
    fn fail(&mut self, step: &Step, error: actions::StepError, elapsed: Duration) {
        tracing::debug!(
            address = %step.change.address,
            action = step.action.as_str(),
            took = ?elapsed,
            error = %error,
            "apply step failed"
        );
        self.failed.insert(step.change.address.resource.clone());
        (self.on_event)(Event::Failed {
            address: step.change.address.clone(),
            action: step.action,
            elapsed,
            error: error.message.clone(),
            code: error.code,
        });
        self.report
            .failed
            .push((step.change.address.clone(), error.message));
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

    fn record_all(&mut self, changes: Vec<StateChange>) -> Result<(), StateError> {
        self.store.record_all(&changes)?;
        for change in changes {
            self.state.apply(change);
        }
        Ok(())
    }

    /// Reports `step` skipped because of what it waits for.
    fn skip(&mut self, step: &Step<'_>, reason: String) {
        self.failed.insert(step.change.address.resource.clone());
        (self.on_event)(Event::Skipped {
            address: step.change.address.clone(),
            action: step.action,
            reason,
        });
        self.report.skipped.push(step.change.address.clone());
    }

    /// Queues the steps that became ready; those whose dependency failed are skipped (and
    /// what waits for them becomes ready in turn).
    fn admit(&mut self, steps: &[Step<'_>], schedule: &mut schedule::Schedule, ready: Vec<usize>) {
        let mut ready = ready;
        while let Some(i) = ready.pop() {
            match self.blocked_by(&steps[i]) {
                Some(reason) => {
                    self.skip(&steps[i], reason);
                    ready.extend(schedule.done(i));
                }
                None => schedule.queue(i),
            }
        }
    }

    /// Whether `step` can start with what is known now: it needs no value unknown at plan
    /// time, or the configuration was evaluated after everything it depends on was done.
    fn is_fresh(&self, step: &Step<'_>, done_at: &HashMap<ResourceId, usize>) -> bool {
        if !needs_configuration(step.change) {
            return true;
        }
        let Some((at, _)) = &self.resolved else {
            return false;
        };
        step.change
            .depends_on
            .iter()
            .all(|d| done_at.get(d).is_none_or(|done| done <= at))
    }

    /// The change a worker carries out for a fresh `step` (see [`Run::is_fresh`]): the plan's,
    /// with configured values that were unknown at plan time filled in.
    fn prepare<'p>(&self, step: &Step<'p>) -> Cow<'p, ResourceChange> {
        if !needs_configuration(step.change) {
            return Cow::Borrowed(step.change);
        }
        let now = self
            .resolved
            .as_ref()
            .and_then(|(_, r)| r.attrs.get(&step.change.address));
        let mut change = step.change.clone();
        fill_known(&mut change, now);
        Cow::Owned(change)
    }

    /// Runs every step, each as soon as what it waits for is done, up to `parallelism` at a
    /// time, recording each result as it arrives.
    #[expect(
        clippy::too_many_lines,
        reason = "the scheduler's loop: its order of journal writes, acknowledgements and events is the crash-safety argument, kept readable in one place and exercised by the crash matrix"
    )]
    fn execute(
        &mut self,
        steps: &[Step<'_>],
        schedule: &mut schedule::Schedule,
        resolver: &mut dyn Resolver,
    ) -> Result<(), StateError> {
        if steps.is_empty() {
            return Ok(());
        }
        let first = schedule.start();
        self.admit(steps, schedule, first);
        let workers = self.options.parallelism.clamp(1, steps.len());
        let (work_tx, work_rx) = mpsc::channel::<(usize, Cow<'_, ResourceChange>, Action)>();
        let work_rx = Mutex::new(work_rx);
        let (tx, rx) = mpsc::channel::<Msg>();
        let clouds = self.clouds;
        let claims = self.claims;
        let mut outcome: Result<(), StateError> = Ok(());
        let mut in_flight = 0usize;
        let mut finished = 0usize;
        // What this phase accounts for, to count the steps an interruption kept from starting.
        let skipped_before = self.report.skipped.len();
        let mut given_up = 0usize;
        let mut said_interrupted = self.report.interrupted;
        // The identity each create about to start records in its intent.
        let mut intents: HashMap<usize, Attrs> = HashMap::new();
        // When each resource's step finished (counted in finished steps).
        let mut done_at: HashMap<ResourceId, usize> = HashMap::new();
        // The endpoints this state records, by cloud ID (an approval's worker reads those it
        // connected again); kept up to date as steps are recorded.
        let own_endpoints: Mutex<HashMap<String, Owned>> = Mutex::new(
            self.state
                .resources
                .values()
                .filter(|r| r.address.rtype() == ResourceType::Endpoint)
                .map(|r| (r.id.clone(), (r.address.clone(), r.provider.clone())))
                .collect(),
        );
        std::thread::scope(|scope| {
            for _ in 0..workers {
                let tx = tx.clone();
                let work_rx = &work_rx;
                let own_endpoints = &own_endpoints;
                scope.spawn(move || {
                    loop {
                        let job = work_rx
                            .lock()
                            .unwrap_or_else(std::sync::PoisonError::into_inner)
                            .recv();
                        let Ok((i, change, action)) = job else { break };
                        let (ack_tx, ack_rx) = mpsc::channel();
                        if tx.send(Msg::Starting(i, ack_tx)).is_err() || ack_rx.recv().is_err() {
                            // No durable intent: this step does not start.
                            continue;
                        }
                        let started = Instant::now();
                        let tick_tx = tx.clone();
                        let tick = move |elapsed: Duration| {
                            let _ = tick_tx.send(Msg::Progress(i, elapsed));
                        };
                        // A delete goes to the account that holds the object; everything else
                        // to the resource's provider (the same, unless the resource moves).
                        let cloud = clouds.cloud(if action == Action::Delete {
                            change.recorded_provider.as_deref()
                        } else {
                            change.provider.as_deref()
                        });
                        let result = actions::run(cloud, &change, action, claims, &tick);
                        let fresh = if result.error.is_none()
                            && change.address.rtype() == ResourceType::Approval
                        {
                            connected_now(clouds, &result, own_endpoints)
                        } else {
                            Vec::new()
                        };
                        let _ = tx.send(Msg::Finished(i, result, started.elapsed(), fresh));
                    }
                });
            }
            drop(tx);
            let mut work_tx = Some(work_tx);
            loop {
                // Start what is ready, up to the parallelism. A step that needs values the
                // configuration gives only now waits while other steps can start; when a
                // worker would otherwise idle, the configuration is evaluated once for every
                // step waiting so (not once per step: that costs a whole evaluation each).
                let stopping = self.options.interrupted();
                if stopping && !said_interrupted {
                    said_interrupted = true;
                    self.report.interrupted = true;
                    (self.on_event)(Event::Interrupted { running: in_flight });
                }
                loop {
                    let mut waiting = Vec::new();
                    while outcome.is_ok() && !stopping && in_flight < workers {
                        let Some(i) = schedule.next() else { break };
                        if !self.is_fresh(&steps[i], &done_at) {
                            waiting.push(i);
                            continue;
                        }
                        let change = self.prepare(&steps[i]);
                        // The intent records what the create will send: the change as
                        // prepared, with the values known now.
                        if steps[i].action == Action::Create {
                            intents.insert(i, actions::identity(&change));
                        }
                        if let Some(work) = &work_tx
                            && work.send((i, change, steps[i].action)).is_ok()
                        {
                            in_flight += 1;
                        }
                    }
                    let evaluate =
                        !waiting.is_empty() && in_flight < workers && outcome.is_ok() && !stopping;
                    if evaluate {
                        tracing::debug!(
                            waiting = waiting.len(),
                            finished,
                            "evaluating the configuration again for values now known"
                        );
                        match resolver.resolve(self.state) {
                            Ok(now) => self.resolved = Some((finished, now)),
                            Err(e) => {
                                for i in waiting.drain(..) {
                                    given_up += 1;
                                    self.fail(
                                        &steps[i],
                                        format!("cannot evaluate the configuration: {e}").into(),
                                        Duration::ZERO,
                                    );
                                    let ready = schedule.done(i);
                                    self.admit(steps, schedule, ready);
                                }
                            }
                        }
                    }
                    for i in waiting {
                        schedule.queue(i);
                    }
                    if !evaluate {
                        break;
                    }
                }
                if in_flight == 0 && (outcome.is_err() || stopping || !schedule.has_queued()) {
                    break;
                }
                let first = match rx.recv_timeout(INTERRUPT_POLL) {
                    Ok(msg) => msg,
                    // Looked at again above: an interruption is said at once, not when the
                    // next step finishes.
                    Err(mpsc::RecvTimeoutError::Timeout) => continue,
                    Err(mpsc::RecvTimeoutError::Disconnected) => break,
                };
                // Group commit: every message waiting is taken at once, and everything they
                // record (intents of steps about to start, results of steps done) is made
                // durable with one sync before any of those steps starts or is reported done.
                let mut batch = vec![first];
                while batch.len() < 1024 {
                    match rx.try_recv() {
                        Ok(msg) => batch.push(msg),
                        Err(_) => break,
                    }
                }
                // Read once for the batch: a step starts only if its intent was recorded,
                // and neither happens once the apply is interrupted.
                let halted = self.options.interrupted();
                let mut changes = Vec::new();
                for msg in &mut batch {
                    match msg {
                        Msg::Starting(i, _) => {
                            let step = &steps[*i];
                            if let Some(identity) = intents.remove(i)
                                && outcome.is_ok()
                                && !halted
                            {
                                changes.push(StateChange::Pending(PendingCreate {
                                    address: step.change.address.clone(),
                                    started_at: crate::state::lock::now_rfc3339(),
                                    identity,
                                    provider: step.change.provider.clone(),
                                }));
                            }
                        }
                        Msg::Finished(_, result, _, fresh) => {
                            changes.append(&mut result.changes);
                            // The state holds the connected endpoints' status as the cloud
                            // reports it now, not the `pendingAcceptance` of their create.
                            for (address, attrs) in fresh.drain(..) {
                                if let Some(r) = self.state.resources.get(&address)
                                    && r.attrs != attrs
                                {
                                    let mut r = r.clone();
                                    r.attrs = attrs;
                                    changes.push(StateChange::Set(r));
                                }
                            }
                        }
                        Msg::Progress(..) => {}
                    }
                }
                track_endpoints(&own_endpoints, &changes, self.state);
                if let Err(e) = self.record_all(changes) {
                    outcome = Err(e);
                }
                for msg in batch {
                    match msg {
                        Msg::Starting(i, ack) => {
                            if outcome.is_err() || halted {
                                // Without a durable intent nothing more may start: the ack is
                                // dropped, and the worker goes on without running the step.
                                in_flight -= 1;
                                continue;
                            }
                            let step = &steps[i];
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
                        Msg::Finished(i, result, elapsed, _) => {
                            in_flight -= 1;
                            finished += 1;
                            done_at.insert(steps[i].change.address.resource.clone(), finished);
                            self.finish(&steps[i], result, elapsed);
                            let ready = schedule.done(i);
                            self.admit(steps, schedule, ready);
                        }
                    }
                }
            }
            // The workers end when there is no more work.
            work_tx.take();
        });
        if self.report.interrupted {
            let accounted = finished + (self.report.skipped.len() - skipped_before) + given_up;
            self.report.not_started += steps.len().saturating_sub(accounted);
        }
        outcome
    }

    /// Reports a finished step (its changes are recorded already).
    fn finish(&mut self, step: &Step<'_>, result: actions::Outcome, elapsed: Duration) {
        match result.error {
            None => {
                tracing::debug!(
                    address = %step.change.address,
                    action = step.action.as_str(),
                    took = ?elapsed,
                    "apply step done"
                );
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
            Some(error) => self.fail(step, error, elapsed),
        }
    }
}

/// A recorded endpoint: its address, and the provider it is managed with.
type Owned = (Address, Option<String>);

/// After an approval's step: the endpoints of this state it connected (accepted or rejected),
/// read again from the cloud — each from its own provider's account. A read that fails
/// leaves the record as it was.
fn connected_now(
    clouds: &dyn Providers,
    result: &actions::Outcome,
    own: &Mutex<HashMap<String, Owned>>,
) -> Vec<(Address, Attrs)> {
    let mut ids: Vec<String> = Vec::new();
    for change in &result.changes {
        if let StateChange::Set(r) = change
            && r.address.rtype() == ResourceType::Approval
        {
            ids.extend(
                r.attr("connections")
                    .as_list()
                    .unwrap_or_default()
                    .iter()
                    .filter_map(|c| c.as_map()?.get("endpoint_id")?.as_str().map(str::to_owned)),
            );
        }
    }
    let recorded: Vec<(String, Owned)> = {
        let own = own
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        ids.into_iter()
            .filter_map(|id| own.get(&id).cloned().map(|a| (id, a)))
            .collect()
    };
    recorded
        .into_iter()
        .filter_map(|(id, (address, provider))| {
            match clouds.cloud(provider.as_deref()).get_endpoint(&id) {
                Ok(Some(e)) => Some((address, crate::cloud::convert::endpoint_attrs(&e))),
                _ => None,
            }
        })
        .collect()
}

/// Keeps the ID index of recorded endpoints in step with `changes` (before they are applied
/// to `state`).
fn track_endpoints(
    own: &Mutex<HashMap<String, Owned>>,
    changes: &[StateChange],
    state: &RecordedState,
) {
    let mut own = own
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    for change in changes {
        match change {
            StateChange::Set(r) if r.address.rtype() == ResourceType::Endpoint => {
                own.insert(r.id.clone(), (r.address.clone(), r.provider.clone()));
            }
            StateChange::Remove(a) if a.rtype() == ResourceType::Endpoint => {
                if let Some(r) = state.resources.get(a) {
                    own.remove(&r.id);
                }
            }
            _ => {}
        }
    }
}
