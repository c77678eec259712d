//! The search itself: from a state of a run, every schedule with at most `left` more
//! deviations, depth first, copying the run at each choice point instead of running
//! again from time zero, and pruning a state seen before with at least as many
//! deviations left.

use super::{Found, Settings, SubtreeResult};
use crate::check::Kind;
use crate::run::schedule::{crash_spec, jump_spec, message_spec};
use crate::run::{Drive, RunError, Unit, faults::current_master};
use crate::scenario::DeviationSpec;
use sim::{MessageDeviation, MessageName, NodeId, Step};
use std::collections::BTreeMap;

/// One choice against the default schedule at one step.
#[derive(Clone, Debug)]
pub enum Choice {
    /// A message the step sent takes another fate.
    Message(MessageName, MessageDeviation),
    /// Right after the step, whose handler ran on `node` and brought its count of
    /// messages to `io`, crash `victim` (the master) or jump its clock by `by_us`.
    Crash { node: NodeId, io: u64 },
    Jump {
        node: NodeId,
        io: u64,
        victim: NodeId,
        by_us: i64,
    },
}

/// A run partway through one schedule.
#[derive(Clone)]
pub struct Path {
    pub drive: Drive,
    pub deviations: Vec<DeviationSpec>,
    pub left: u32,
    pub clock_spent: bool,
}

impl Path {
    /// The choices of the step just taken from `before` to `self`.
    pub fn choices(&self, before: &[u64], step: &Step, s: &Settings) -> Vec<Choice> {
        let mut out = Vec::new();
        if step.at < s.window.0 || step.at > s.window.1 {
            return out;
        }
        for m in &step.sent {
            out.extend(m.choices.iter().map(|d| Choice::Message(m.name, d)));
        }
        let Some(node) = step.handler else {
            return out;
        };
        let io = self.drive.sim.io_count(node);
        if io == before[node.index()] {
            return out;
        }
        let servers = self.drive.servers();
        if node.0 >= servers {
            return out;
        }
        if s.crash && current_master(&self.drive.sim, servers) == Some(node) {
            out.push(Choice::Crash { node, io });
        }
        if let Some(jump) = s.jump_us.filter(|_| !self.clock_spent) {
            for victim in (0..servers).map(NodeId) {
                for by_us in [-jump, jump] {
                    out.push(Choice::Jump {
                        node,
                        io,
                        victim,
                        by_us,
                    });
                }
            }
        }
        out
    }

    /// The path that takes `choice` instead: from `before` for a message's fate (the
    /// step runs again with it), from `self` for what happens right after the step.
    pub fn take(
        &self,
        before: &Path,
        choice: &Choice,
        s: &Settings,
    ) -> Result<Option<Path>, RunError> {
        let servers = self.drive.servers();
        let (mut next, spec) = match *choice {
            Choice::Message(name, d) => {
                let mut next = before.clone();
                next.drive.sim.deviate(name, d);
                let unit = next.drive.step(false)?;
                assert!(
                    matches!(unit, Some(Unit::Event(_))),
                    "a message's step runs again"
                );
                (next, message_spec(name, d, servers))
            }
            Choice::Crash { node, io } => {
                let mut next = self.clone();
                let spec = crash_spec(node, io, node, servers);
                let fault = crate::run::schedule::crash_fault(
                    spec.crash.clone().expect("a crash"),
                    s.downtime_s,
                );
                next.drive.apply_now(&fault)?;
                (next, spec)
            }
            Choice::Jump {
                node,
                io,
                victim,
                by_us,
            } => {
                let by_s = by_us as f64 / 1e6;
                let mut next = self.clone();
                let local = next.drive.sim.clock(victim).read(next.drive.sim.now());
                if by_us < 0 && local.as_micros() < by_us.unsigned_abs() {
                    return Ok(None); // a clock cannot go back before its start
                }
                let spec = jump_spec(node, io, victim, by_s, servers);
                let fault = crate::run::schedule::jump_fault(
                    spec.node.clone().expect("a jump's node"),
                    by_s,
                );
                next.drive.apply_now(&fault)?;
                next.clock_spent = true;
                (next, spec)
            }
        };
        next.left -= 1;
        next.deviations.push(spec);
        Ok(Some(next))
    }

    pub fn io_counts(&self) -> Vec<u64> {
        (0..self.drive.sim.node_count() as u32)
            .map(|n| self.drive.sim.io_count(NodeId(n)))
            .collect()
    }

    fn in_window(&self, s: &Settings) -> bool {
        !self.drive.healed() && self.drive.sim.now() <= s.window.1
    }

    fn state_hash(&self, after_window: bool) -> u64 {
        let mut h = sim::TraceHash::default();
        h.mix(self.drive.state_hash());
        h.mix(u64::from(self.clock_spent && !after_window));
        h.mix(u64::from(after_window));
        h.value()
    }
}

/// The search of one subtree, with its own record of states seen.
pub struct Search<'a> {
    pub settings: &'a Settings,
    /// Hash of a state → the most deviations it was seen with left.
    seen: BTreeMap<u64, u32>,
    /// Schedules this subtree may still run.
    budget: u64,
    /// Stop at the first violating schedule.
    pub first_only: bool,
    pub result: SubtreeResult,
}

impl<'a> Search<'a> {
    pub fn new(settings: &'a Settings, budget: u64) -> Search<'a> {
        Search {
            settings,
            seen: BTreeMap::new(),
            budget,
            first_only: false,
            result: SubtreeResult {
                complete: true,
                ..SubtreeResult::default()
            },
        }
    }

    /// Whether this state was seen with as many deviations left; records it if not.
    fn seen_before(&mut self, hash: u64, left: u32) -> bool {
        match self.seen.get(&hash) {
            Some(&had) if had >= left => true,
            _ => {
                self.seen.insert(hash, left);
                self.result.distinct_states = self.seen.len() as u64;
                false
            }
        }
    }

    /// Every schedule from `path`, depth first: at each step, the choices against it
    /// first, in the order the step offers them, then the default.
    pub fn run(&mut self, mut path: Path) -> Result<(), RunError> {
        let s = self.settings;
        loop {
            if self.budget == 0 {
                self.result.complete = false;
                return Ok(());
            }
            if !path.in_window(s) {
                break;
            }
            if self.seen_before(path.state_hash(false), path.left) {
                return Ok(());
            }
            if path.left == 0 {
                if path.drive.step(false)?.is_none() {
                    break;
                }
                continue;
            }
            let before = path.clone();
            let io = path.io_counts();
            let Some(unit) = path.drive.step(true)? else {
                break;
            };
            let Unit::Event(Some(step)) = unit else {
                continue;
            };
            for choice in path.choices(&io, &step, s) {
                if let Some(next) = path.take(&before, &choice, s)? {
                    self.run(next)?;
                }
            }
        }
        if self.seen_before(path.state_hash(true), 0) {
            return Ok(());
        }
        while path.drive.step(false)?.is_some() {}
        self.finish(path);
        Ok(())
    }

    fn finish(&mut self, path: Path) {
        self.budget -= 1;
        // Only the verdict is read: the wall time `finish` records never reaches a file.
        let outcome = crate::run::finish(path.drive, std::time::Instant::now());
        let r = &mut self.result;
        r.schedules += 1;
        if outcome.verdict.total() == 0 {
            return;
        }
        r.violating += 1;
        if self.first_only {
            self.budget = 0;
        }
        let mut kinds = [0u64; Kind::ALL.len()];
        for k in Kind::ALL {
            kinds[k as usize] = outcome.verdict.count(k);
            if kinds[k as usize] > 0 {
                r.by_kind[k as usize] += 1;
            }
        }
        let found = Found {
            deviations: path.deviations,
            violations: kinds,
        };
        if r.first.len() < super::FIRST_MAX {
            r.first.push(found.clone());
        }
        if r.best
            .as_ref()
            .is_none_or(|b| found.deviations.len() < b.deviations.len())
        {
            r.best = Some(found);
        }
    }
}
