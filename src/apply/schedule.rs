//! The order of an apply's steps as a graph over [`crate::model::graph`]: which steps each
//! step waits for, and which ready step goes first. A step is ready as soon as everything it
//! waits for is done — a ready queue, not levels: one slow step delays only what depends on it.
//!
//! What a step waits for:
//! - a delete, for the deletes of the resources that depend on it, and for every delete of a
//!   type deleted earlier (endpoints, then approvals, then services; an approval's dependency
//!   on the endpoints it accepts does not hold for deletes: see `delete_rank`);
//! - a create or update, for every delete, and for the creates and updates of the resources it
//!   depends on (a replaced resource's create thus follows its delete).
//!
//! Among ready steps the one that comes first in the old level order goes first (deletes by
//! type and depth, then creates and updates by dependency depth; updates before creates; then
//! by address), so that with `--parallelism 1` the order is the same as level by level.

use crate::model::graph::topo_order;
use crate::model::{Address, ResourceId, ResourceType};
use crate::plan::Action;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

/// What the schedule needs to know of a step.
pub(super) struct Node<'a> {
    pub address: &'a Address,
    /// `Delete`, `Create` or `Update`.
    pub action: Action,
    pub depends_on: &'a [ResourceId],
}

/// Where a delete goes among the types: endpoints (0), approvals (1), services (2). An
/// endpoint goes before the approval that accepts it: its connection ends with it, so the
/// approval rejects nothing when it goes (a partner's endpoint this configuration deletes is
/// not cut off first); services go last, once nothing is connected.
fn delete_rank(node: &Node<'_>) -> usize {
    match node.address.rtype() {
        ResourceType::Endpoint => 0,
        ResourceType::Approval => 1,
        ResourceType::Service => 2,
    }
}

/// Order among ready steps: lower goes first.
type Key = (u8, usize, bool, usize);

pub(super) struct Schedule {
    steps: usize,
    /// For each node (the steps, then barrier nodes), the nodes waiting for it.
    dependents: Vec<Vec<usize>>,
    /// For each node, how many nodes it still waits for.
    remaining: Vec<usize>,
    key: Vec<Key>,
    ready: BinaryHeap<Reverse<(Key, usize)>>,
}

/// The edges between the steps of `nodes`: each step waits for what it depends on (through
/// one barrier node per resource and relation, so that N instances depending on a resource of
/// M instances cost N + M edges, not N × M).
fn dependency_edges(nodes: &[Node<'_>]) -> Vec<Vec<usize>> {
    let mut deps: Vec<Vec<usize>> = vec![Vec::new(); nodes.len()];
    // Every instance's steps per resource: dependencies are on resources, and a resource
    // is built (or its dependents deleted) only once every instance's step is done.
    let mut by_resource: HashMap<&ResourceId, (Vec<usize>, Vec<usize>)> = HashMap::new();
    for (i, node) in nodes.iter().enumerate() {
        let slot = by_resource.entry(&node.address.resource).or_default();
        if node.action == Action::Delete {
            slot.0.push(i);
        } else {
            slot.1.push(i);
        }
    }
    // One barrier node per resource and relation, so that N instances depending on a
    // resource of M instances cost N + M edges, not N × M: "every instance of R is built",
    // and "everything depending on R is deleted".
    let mut built: HashMap<&ResourceId, usize> = HashMap::new();
    let mut dependents_deleted: HashMap<&ResourceId, usize> = HashMap::new();
    for (i, node) in nodes.iter().enumerate() {
        for d in node
            .depends_on
            .iter()
            .filter(|d| **d != node.address.resource)
        {
            let Some((deletes, builds)) = by_resource.get(d) else {
                continue;
            };
            if node.action == Action::Delete {
                // An approval is deleted after the endpoints it accepts (see
                // `delete_rank`), not before them as its dependency would have it.
                if deletes.is_empty()
                    || (node.address.rtype() == ResourceType::Approval
                        && d.rtype == ResourceType::Endpoint)
                {
                    continue;
                }
                let barrier = *dependents_deleted.entry(d).or_insert_with(|| {
                    deps.push(Vec::new());
                    let b = deps.len() - 1;
                    for &j in deletes {
                        deps[j].push(b);
                    }
                    b
                });
                deps[barrier].push(i);
            } else if !builds.is_empty() {
                let barrier = *built.entry(d).or_insert_with(|| {
                    deps.push(builds.clone());
                    deps.len() - 1
                });
                deps[i].push(barrier);
            }
        }
    }
    deps
}

/// Barrier nodes: "every delete of a type is done" (deletes go approvals, endpoints, services)
/// and "every delete is done" (before any create or update starts). Returns the number of
/// nodes with them.
fn delete_barriers(nodes: &[Node<'_>], deps: &mut Vec<Vec<usize>>) -> usize {
    let n = nodes.len();
    let mut barrier_of_rank: [Option<usize>; 3] = [None; 3];
    let mut all_deletes: Option<usize> = None;
    let mut total = deps.len();
    let deletes: Vec<usize> = (0..n)
        .filter(|&i| nodes[i].action == Action::Delete)
        .collect();
    for &i in &deletes {
        let rank = delete_rank(&nodes[i]);
        if barrier_of_rank[rank].is_none() {
            barrier_of_rank[rank] = Some(total);
            deps.push(Vec::new());
            total += 1;
        }
    }
    if !deletes.is_empty() {
        all_deletes = Some(total);
        deps.push(Vec::new());
        total += 1;
    }
    for &i in &deletes {
        let rank = delete_rank(&nodes[i]);
        if let Some(b) = barrier_of_rank[rank] {
            deps[b].push(i);
        }
        if let Some(earlier) = barrier_of_rank[..rank].iter().rev().flatten().next() {
            deps[i].push(*earlier);
        }
        if let Some(all) = all_deletes {
            deps[all].push(i);
        }
    }
    if let Some(all) = all_deletes {
        for (i, node) in nodes.iter().enumerate() {
            if node.action != Action::Delete {
                deps[i].push(all);
            }
        }
    }
    total
}

impl Schedule {
    /// The schedule of `nodes` (deletes first, then creates and updates, as the plan lists
    /// them); an error names the steps on a cycle (a plan cannot have one).
    pub(super) fn new(nodes: &[Node<'_>]) -> Result<Schedule, String> {
        let n = nodes.len();
        let mut deps = dependency_edges(nodes);
        // Depths along these edges (a barrier adds no level), for the order among ready steps.
        let order = topo_order(&deps);
        if !order.stuck.is_empty() {
            let names: Vec<String> = order
                .stuck
                .iter()
                .filter(|&&i| i < n)
                .map(|&i| nodes[i].address.to_string())
                .collect();
            return Err(format!(
                "internal error: the steps of {} wait for each other; nothing was changed",
                names.join(", ")
            ));
        }
        let mut depth = vec![0usize; deps.len()];
        for &i in &order.order {
            depth[i] = deps[i]
                .iter()
                .map(|&j| depth[j] + usize::from(j < n))
                .max()
                .unwrap_or(0);
        }
        let mut by_address: Vec<usize> = (0..n).collect();
        by_address.sort_by(|&a, &b| nodes[a].address.cmp(nodes[b].address));
        let mut address_rank = vec![0; n];
        for (rank, &i) in by_address.iter().enumerate() {
            address_rank[i] = rank;
        }
        let key: Vec<Key> = nodes
            .iter()
            .enumerate()
            .map(|(i, node)| {
                if node.action == Action::Delete {
                    // Deletes go approvals, endpoints, services; within a type, a step
                    // after the deletes it waits for.
                    let rank = delete_rank(node);
                    (0, rank * (n + 1) + depth[i], false, i)
                } else {
                    (1, depth[i], node.action != Action::Update, address_rank[i])
                }
            })
            .collect();
        let total = delete_barriers(nodes, &mut deps);
        let mut dependents = vec![Vec::new(); total];
        let mut remaining = vec![0; total];
        for (i, ds) in deps.iter_mut().enumerate() {
            ds.sort_unstable();
            ds.dedup();
            remaining[i] = ds.len();
            for &j in ds.iter() {
                dependents[j].push(i);
            }
        }
        Ok(Schedule {
            steps: n,
            dependents,
            remaining,
            key,
            ready: BinaryHeap::new(),
        })
    }

    /// The steps that wait for nothing.
    pub(super) fn start(&mut self) -> Vec<usize> {
        let mut out = Vec::new();
        let free: Vec<usize> = (0..self.remaining.len())
            .filter(|&i| self.remaining[i] == 0)
            .collect();
        for node in free {
            if node < self.steps {
                out.push(node);
            } else {
                out.extend(self.done(node));
            }
        }
        out
    }

    /// Marks `node` done (or skipped) and returns the steps that became ready by it.
    pub(super) fn done(&mut self, node: usize) -> Vec<usize> {
        let mut out = Vec::new();
        let mut work = vec![node];
        while let Some(n) = work.pop() {
            for k in 0..self.dependents[n].len() {
                let d = self.dependents[n][k];
                self.remaining[d] -= 1;
                if self.remaining[d] == 0 {
                    if d < self.steps {
                        out.push(d);
                    } else {
                        work.push(d);
                    }
                }
            }
        }
        out
    }

    /// Queues a ready step to be started.
    pub(super) fn queue(&mut self, step: usize) {
        self.ready.push(Reverse((self.key[step], step)));
    }

    /// The queued step that goes first.
    pub(super) fn next(&mut self) -> Option<usize> {
        self.ready.pop().map(|Reverse((_, step))| step)
    }

    pub(super) fn has_queued(&self) -> bool {
        !self.ready.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn address(s: &str) -> Address {
        s.parse().unwrap()
    }

    fn id(s: &str) -> ResourceId {
        address(s).resource
    }

    /// Runs the schedule one step at a time in its own order; returns the steps in the order
    /// they ran.
    fn sequential(schedule: &mut Schedule) -> Vec<usize> {
        let first = schedule.start();
        for i in first {
            schedule.queue(i);
        }
        let mut ran = Vec::new();
        while let Some(i) = schedule.next() {
            ran.push(i);
            for j in schedule.done(i) {
                schedule.queue(j);
            }
        }
        ran
    }

    #[test]
    fn a_step_is_ready_when_its_own_dependencies_are_done() {
        let (a, b, e) = (
            address("vpcep_service.a"),
            address("vpcep_service.b"),
            address("vpcep_endpoint.e"),
        );
        let deps = [id("vpcep_service.a")];
        let nodes = [
            Node {
                address: &a,
                action: Action::Create,
                depends_on: &[],
            },
            Node {
                address: &b,
                action: Action::Create,
                depends_on: &[],
            },
            Node {
                address: &e,
                action: Action::Create,
                depends_on: &deps,
            },
        ];
        let mut schedule = Schedule::new(&nodes).unwrap();
        let mut first = schedule.start();
        first.sort_unstable();
        assert_eq!(first, vec![0, 1]);
        // `b` is still running: `e` waits only for `a`.
        assert_eq!(schedule.done(0), vec![2]);
        assert!(schedule.done(1).is_empty());
    }

    /// A dependency is on a resource: what depends on it waits for every one of its
    /// instances, whichever finishes last (it once waited for the last one listed only, and
    /// an endpoint started while the service it names was still being created).
    #[test]
    fn a_step_waits_for_every_instance_of_what_it_depends_on() {
        let addresses: Vec<Address> = [
            "vpcep_service.api[\"a\"]",
            "vpcep_service.api[\"b\"]",
            "vpcep_endpoint.to[\"a\"]",
            "vpcep_endpoint.to[\"b\"]",
        ]
        .iter()
        .map(|a| address(a))
        .collect();
        let deps = [id("vpcep_service.api")];
        let nodes_doing = |action: Action| -> Vec<Node<'_>> {
            (0..4)
                .map(|i| Node {
                    address: &addresses[i],
                    action,
                    depends_on: if i >= 2 { &deps } else { &[] },
                })
                .collect()
        };
        for first in [0, 1] {
            let mut schedule = Schedule::new(&nodes_doing(Action::Create)).unwrap();
            let mut ready = schedule.start();
            ready.sort_unstable();
            assert_eq!(ready, vec![0, 1]);
            assert!(
                schedule.done(first).is_empty(),
                "one instance is not the resource"
            );
            let mut ready = schedule.done(1 - first);
            ready.sort_unstable();
            assert_eq!(ready, vec![2, 3]);
        }
        // Deleting: every instance of the service waits for every endpoint's delete.
        let mut schedule = Schedule::new(&nodes_doing(Action::Delete)).unwrap();
        let mut ready = schedule.start();
        ready.sort_unstable();
        assert_eq!(ready, vec![2, 3], "endpoints first");
        assert!(schedule.done(3).is_empty());
        let mut ready = schedule.done(2);
        ready.sort_unstable();
        assert_eq!(ready, vec![0, 1]);
    }

    #[test]
    fn deletes_go_by_type_and_builds_wait_for_every_delete() {
        let (ap, ep, sv, new) = (
            address("vpcep_approval.x"),
            address("vpcep_endpoint.x"),
            address("vpcep_service.x"),
            address("vpcep_service.y"),
        );
        // No declared dependencies: the type order alone keeps deletes apart.
        let nodes = [
            Node {
                address: &sv,
                action: Action::Delete,
                depends_on: &[],
            },
            Node {
                address: &ep,
                action: Action::Delete,
                depends_on: &[],
            },
            Node {
                address: &ap,
                action: Action::Delete,
                depends_on: &[],
            },
            Node {
                address: &new,
                action: Action::Create,
                depends_on: &[],
            },
        ];
        let mut schedule = Schedule::new(&nodes).unwrap();
        assert_eq!(schedule.start(), vec![1], "endpoints first");
        assert_eq!(schedule.done(1), vec![2], "then approvals");
        assert_eq!(schedule.done(2), vec![0], "then services");
        assert_eq!(schedule.done(0), vec![3], "creates after every delete");
    }

    #[test]
    fn a_delete_waits_for_what_depends_on_it_within_its_type() {
        let (a, b) = (address("vpcep_service.a"), address("vpcep_service.b"));
        let deps = [id("vpcep_service.a")];
        let nodes = [
            Node {
                address: &a,
                action: Action::Delete,
                depends_on: &[],
            },
            Node {
                address: &b,
                action: Action::Delete,
                depends_on: &deps,
            },
        ];
        let mut schedule = Schedule::new(&nodes).unwrap();
        assert_eq!(sequential(&mut schedule), vec![1, 0]);
    }

    /// With one step at a time, the order is the level order: by dependency depth, updates
    /// before creates, then by address.
    #[test]
    fn one_at_a_time_the_order_is_level_by_level() {
        let (s1, s2, e1, s0) = (
            address("vpcep_service.b"),
            address("vpcep_service.c"),
            address("vpcep_endpoint.a"),
            address("vpcep_service.z"),
        );
        let deps = [id("vpcep_service.b")];
        let nodes = [
            Node {
                address: &s1,
                action: Action::Create,
                depends_on: &[],
            },
            Node {
                address: &s2,
                action: Action::Create,
                depends_on: &[],
            },
            Node {
                address: &e1,
                action: Action::Create,
                depends_on: &deps,
            },
            Node {
                address: &s0,
                action: Action::Update,
                depends_on: &[],
            },
        ];
        let mut schedule = Schedule::new(&nodes).unwrap();
        // The endpoint is ready once `b` is done, but `c` (level 0) still goes first.
        assert_eq!(sequential(&mut schedule), vec![3, 0, 1, 2]);
    }
}
