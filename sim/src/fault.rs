//! Faults in concrete form: which nodes, which links. Symbolic targets such as "the
//! current master" belong to the model, which resolves them before handing a fault over.

use crate::NodeId;
use crate::config::Error;
use crate::engine::{Event, H_FAULT, Sim};
use crate::net::Rule;
use crate::net::{LinkChange, RuleId, hash_change};
use crate::node::Node;
use crate::time::{Duration, Instant};
use crate::trace::TraceHash;
use crate::trace::{Observer, Record};
use std::fmt;
use std::hash::Hash;

/// A change to the world, applied at an instant (and, with a span, undone later).
#[derive(Clone, Debug, PartialEq)]
pub enum Fault {
    /// Lose the node's volatile state, pending timers and messages in flight to it.
    Crash(NodeId),
    /// Boot a crashed node from its durable state; a no-op on a live node.
    Restart(NodeId),
    /// Cut links between groups (see `net::Rule::Partition`).
    Partition {
        groups: Vec<Vec<NodeId>>,
        one_way: bool,
    },
    /// Cut the given nodes off from every other node (they still reach each other).
    Isolate(Vec<NodeId>),
    /// Change link parameters everywhere or between two groups.
    Link {
        between: Option<(Vec<NodeId>, Vec<NodeId>)>,
        change: LinkChange,
    },
    /// Set a node's clock forward or (negative) back.
    ClockJump { node: NodeId, by_us: i64 },
    /// Remove a partition or link change installed earlier.
    Heal(RuleId),
}

/// A fault that cannot be applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FaultError {
    NoSuchNode { node: NodeId, nodes: usize },
    ClockBeforeStart { node: NodeId, reading_us: i64 },
}

impl fmt::Display for FaultError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FaultError::NoSuchNode { node, nodes } => {
                write!(
                    f,
                    "fault names node {} but the run has {nodes} nodes",
                    node.0
                )
            }
            FaultError::ClockBeforeStart { node, reading_us } => write!(
                f,
                "clock jump would set node {}'s clock to {:.6} s, before its start",
                node.0,
                *reading_us as f64 / 1e6
            ),
        }
    }
}

impl std::error::Error for FaultError {}

/// What applying a fault did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Applied {
    /// False for a no-op: crashing a down node, restarting a live one, healing a rule
    /// that is gone.
    pub effective: bool,
    /// The rule installed, for partitions, isolation and link changes.
    pub rule: Option<RuleId>,
}

impl Fault {
    /// Every node the fault names.
    pub fn nodes(&self) -> Vec<NodeId> {
        match self {
            Fault::Crash(n) | Fault::Restart(n) | Fault::ClockJump { node: n, .. } => vec![*n],
            Fault::Partition { groups, .. } => groups.iter().flatten().copied().collect(),
            Fault::Isolate(nodes) => nodes.clone(),
            Fault::Link { between, .. } => between
                .iter()
                .flat_map(|(a, b)| a.iter().chain(b))
                .copied()
                .collect(),
            Fault::Heal(_) => Vec::new(),
        }
    }

    pub(crate) fn hash_into(&self, h: &mut TraceHash) {
        match self {
            Fault::Crash(n) => (1u8, n).hash(h),
            Fault::Restart(n) => (2u8, n).hash(h),
            Fault::Partition { groups, one_way } => (3u8, groups, one_way).hash(h),
            Fault::Isolate(nodes) => (4u8, nodes).hash(h),
            Fault::Link { between, change } => {
                (5u8, between).hash(h);
                hash_change(change, h);
            }
            Fault::ClockJump { node, by_us } => (6u8, node, by_us).hash(h),
            Fault::Heal(rule) => (7u8, rule).hash(h),
        }
    }
}

/// Applying faults: crashes and restarts, network rules, clock jumps.
impl<N: Node, O: Observer<N>> Sim<N, O> {
    /// Apply `fault` now; with a `span`, schedule what undoes it (heal, restart).
    pub fn apply(&mut self, fault: Fault, span: Option<Duration>) -> Result<Applied, Error> {
        let count = self.slots.len();
        if let Some(&node) = fault.nodes().iter().find(|n| n.index() >= count) {
            return Err(FaultError::NoSuchNode { node, nodes: count }.into());
        }
        let (effective, rule) = match &fault {
            Fault::Crash(n) => (self.crash(*n), None),
            Fault::Restart(n) => (self.restart(*n), None),
            Fault::Partition { groups, one_way } => {
                let rule = Rule::Partition {
                    groups: groups.clone(),
                    one_way: *one_way,
                };
                (true, Some(self.net.add_rule(&rule)))
            }
            Fault::Isolate(nodes) => {
                let rest = (0..count as u32)
                    .map(NodeId)
                    .filter(|n| !nodes.contains(n))
                    .collect();
                let rule = Rule::Partition {
                    groups: vec![nodes.clone(), rest],
                    one_way: false,
                };
                (true, Some(self.net.add_rule(&rule)))
            }
            Fault::Link { between, change } => {
                let rule = Rule::Override {
                    between: between.clone(),
                    change: *change,
                };
                (true, Some(self.net.add_rule(&rule)))
            }
            Fault::ClockJump { node, by_us } => {
                self.jump_clock(*node, *by_us)?;
                (true, None)
            }
            Fault::Heal(rule) => (self.net.remove_rule(*rule), None),
        };
        self.hash.mix(H_FAULT);
        self.hash.mix(self.now.as_micros());
        fault.hash_into(&mut self.hash);
        self.hash.mix(u64::from(effective));
        self.observer.record(
            self.now,
            Record::Fault {
                fault: &fault,
                effective,
            },
        );
        if let Some(span) = span.filter(|_| effective) {
            let undo = match (&fault, rule) {
                (Fault::Crash(n), _) => Some(Fault::Restart(*n)),
                (_, Some(rule)) => Some(Fault::Heal(rule)),
                _ => None,
            };
            if let Some(undo) = undo {
                self.schedule(self.now + span, undo);
            }
        }
        Ok(Applied { effective, rule })
    }

    /// Queue a fault for a later instant (for faults whose targets are already known).
    pub fn schedule(&mut self, at: Instant, fault: Fault) {
        assert!(at >= self.now, "fault scheduled into the past");
        self.enqueue(at, Event::Fault(Box::new(fault)));
    }

    fn crash(&mut self, node: NodeId) -> bool {
        let slot = &mut self.slots[node.index()];
        if slot.volatile.take().is_none() {
            return false;
        }
        slot.crashes += 1;
        self.epochs[node.index()] = slot.crashes;
        self.stats.crashes += 1;
        true
    }

    fn restart(&mut self, node: NodeId) -> bool {
        if self.is_up(node) {
            return false;
        }
        self.stats.restarts += 1;
        self.boot(node);
        true
    }

    /// Move the node's clock, then re-file its pending timers by their local deadlines.
    fn jump_clock(&mut self, node: NodeId, by_us: i64) -> Result<(), FaultError> {
        self.slots[node.index()]
            .clock
            .jump(self.now, by_us)
            .map_err(|e| FaultError::ClockBeforeStart {
                node,
                reading_us: e.reading_us,
            })?;
        let clock = self.slots[node.index()].clock;
        for timer in self.ctx.timers.queued_of(node) {
            let event = self.queue.cancel(timer.key).expect("queued timer");
            let at = clock.real_at(self.now, timer.deadline);
            timer.key = self.queue.push_tagged(at.as_micros(), event.tag(), event);
        }
        Ok(())
    }
}
