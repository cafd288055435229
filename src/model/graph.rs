//! Deterministic topological ordering with cycle reporting, over nodes numbered `0..n`.

use std::collections::BTreeSet;

/// The result of ordering a graph.
#[derive(Debug, PartialEq, Eq)]
pub struct TopoOrder {
    /// Every node that could be ordered, after the nodes it depends on.
    pub order: Vec<usize>,
    /// Nodes on or behind a cycle, in index order.
    pub stuck: Vec<usize>,
    /// Each cycle once, as the nodes along it (`a -> b -> ... -> a`, the first node not
    /// repeated), starting at its lowest node.
    pub cycles: Vec<Vec<usize>>,
}

/// Orders nodes so that every node comes after the nodes it depends on.
///
/// `deps[a]` lists the nodes `a` depends on. Among nodes that are ready at the same time the
/// lowest index goes first, so the order is stable for a given input.
pub fn topo_order(deps: &[Vec<usize>]) -> TopoOrder {
    let n = deps.len();
    let mut remaining: Vec<usize> = deps
        .iter()
        .map(|d| d.iter().collect::<BTreeSet<_>>().len())
        .collect();
    let mut dependents = vec![Vec::new(); n];
    for (a, ds) in deps.iter().enumerate() {
        for &b in ds.iter().collect::<BTreeSet<_>>() {
            dependents[b].push(a);
        }
    }
    let mut ready: BTreeSet<usize> = (0..n).filter(|&i| remaining[i] == 0).collect();
    let mut order = Vec::with_capacity(n);
    while let Some(next) = ready.pop_first() {
        order.push(next);
        for &d in &dependents[next] {
            remaining[d] -= 1;
            if remaining[d] == 0 {
                ready.insert(d);
            }
        }
    }
    let stuck: Vec<usize> = (0..n).filter(|&i| remaining[i] > 0).collect();
    let cycles = if stuck.is_empty() {
        Vec::new()
    } else {
        find_cycles(deps, &remaining)
    };
    TopoOrder {
        order,
        stuck,
        cycles,
    }
}

/// Finds one cycle through each strongly connected group of the nodes left over by the sort.
fn find_cycles(deps: &[Vec<usize>], remaining: &[usize]) -> Vec<Vec<usize>> {
    let stuck: BTreeSet<usize> = (0..deps.len()).filter(|&i| remaining[i] > 0).collect();
    let mut reported: BTreeSet<usize> = BTreeSet::new();
    let mut cycles = Vec::new();
    for &start in &stuck {
        if reported.contains(&start) {
            continue;
        }
        // Walk dependencies inside the stuck set until a node repeats; that loop is a cycle.
        let mut path = vec![start];
        let mut on_path = vec![start];
        let mut current = start;
        while let Some(&next) = deps[current].iter().filter(|d| stuck.contains(d)).min() {
            if let Some(pos) = on_path.iter().position(|&p| p == next) {
                let mut cycle = path[pos..].to_vec();
                let lowest = cycle
                    .iter()
                    .enumerate()
                    .min_by_key(|(_, n)| **n)
                    .map(|(i, _)| i);
                cycle.rotate_left(lowest.unwrap_or(0));
                if cycle.iter().all(|c| !reported.contains(c)) {
                    reported.extend(cycle.iter().copied());
                    cycles.push(cycle);
                }
                break;
            }
            path.push(next);
            on_path.push(next);
            current = next;
        }
        reported.insert(start);
    }
    cycles
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_dependencies_first_and_stably() {
        let deps = vec![vec![2], vec![], vec![1], vec![]];
        let t = topo_order(&deps);
        assert_eq!(t.order, vec![1, 2, 0, 3]);
        assert!(t.cycles.is_empty() && t.stuck.is_empty());
    }

    #[test]
    fn reports_a_cycle_once_with_its_path() {
        let deps = vec![vec![1], vec![2], vec![0], vec![0]];
        let t = topo_order(&deps);
        assert_eq!(t.cycles, vec![vec![0, 1, 2]]);
        assert_eq!(t.stuck, vec![0, 1, 2, 3]);
    }

    #[test]
    fn reports_a_self_reference() {
        let deps = vec![vec![], vec![1]];
        assert_eq!(topo_order(&deps).cycles, vec![vec![1]]);
    }
}
