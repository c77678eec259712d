//! Faults in concrete form: which nodes, which links. Symbolic targets such as "the
//! current master" belong to the model, which resolves them before handing a fault over.

use crate::NodeId;
use crate::net::{LinkChange, RuleId, hash_change};
use crate::trace::TraceHash;
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
