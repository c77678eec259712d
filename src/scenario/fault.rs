//! A fault's kind: which of its optional keys it gives.

use super::types::{FaultKind, FaultSpec};

/// The keys that give a fault its kind, in the order [`FaultSpec::kind`] looks at them.
pub const FAULT_KINDS: [&str; 8] = [
    "crash",
    "restart",
    "partition",
    "isolate",
    "loss",
    "latency_ms",
    "duplicate",
    "clock_jump_s",
];

impl FaultSpec {
    /// The kind keys this fault gives, in the order of [`FAULT_KINDS`]. A valid fault
    /// gives exactly one.
    pub fn kind_keys(&self) -> Vec<&'static str> {
        let given = [
            self.crash.is_some(),
            self.restart.is_some(),
            self.partition.is_some(),
            self.isolate.is_some(),
            self.loss.is_some(),
            self.latency_ms.is_some(),
            self.duplicate.is_some(),
            self.clock_jump_s.is_some(),
        ];
        FAULT_KINDS
            .into_iter()
            .zip(given)
            .filter_map(|(key, given)| given.then_some(key))
            .collect()
    }

    /// What this fault does, borrowed from the spec.
    ///
    /// Meant for validated faults (see [`super::validate`]). On an invalid one: with
    /// several kind keys it returns the first in [`FAULT_KINDS`] order; with none, or a
    /// `clock_jump_s` without `node`, it panics.
    pub fn kind(&self) -> FaultKind<'_> {
        let between = self.between.as_ref();
        if let Some(t) = &self.crash {
            FaultKind::Crash(t)
        } else if let Some(t) = &self.restart {
            FaultKind::Restart(t)
        } else if let Some(groups) = &self.partition {
            FaultKind::Partition {
                groups,
                one_way: self.one_way.unwrap_or(false),
            }
        } else if let Some(t) = &self.isolate {
            FaultKind::Isolate(t)
        } else if let Some(loss) = self.loss {
            FaultKind::Loss { loss, between }
        } else if let Some(latency) = &self.latency_ms {
            FaultKind::Latency { latency, between }
        } else if let Some(duplicate) = self.duplicate {
            FaultKind::Duplicate { duplicate, between }
        } else if let Some(by_s) = self.clock_jump_s {
            let node = self.node.as_ref().unwrap_or_else(|| {
                panic!(
                    "fault at {} s: clock_jump_s without node; validate the scenario first",
                    self.at_s
                )
            });
            FaultKind::ClockJump { by_s, node }
        } else {
            panic!(
                "fault at {} s has no kind; validate the scenario first",
                self.at_s
            )
        }
    }
}

impl FaultKind<'_> {
    /// The key that gives this kind in a scenario file (`crash`, `latency_ms`, ...).
    pub fn key(&self) -> &'static str {
        match self {
            FaultKind::Crash(_) => "crash",
            FaultKind::Restart(_) => "restart",
            FaultKind::Partition { .. } => "partition",
            FaultKind::Isolate(_) => "isolate",
            FaultKind::Loss { .. } => "loss",
            FaultKind::Latency { .. } => "latency_ms",
            FaultKind::Duplicate { .. } => "duplicate",
            FaultKind::ClockJump { .. } => "clock_jump_s",
        }
    }

    /// Whether the fault lasts (and so may take `for_s`): all but restart and clock jump.
    pub fn has_span(&self) -> bool {
        !matches!(self, FaultKind::Restart(_) | FaultKind::ClockJump { .. })
    }
}
