//! A strategy's run as a value that moves one step at a time: the engine's events, the
//! scenario's faults at their instants, the heal at `duration_s`, the liveness phase.
//! `run` drives it to the end; `explore` copies it at a choice point and drives each copy
//! its own way. Both see the same steps in the same order, so a schedule found by one
//! replays in the other.

use super::faults::{self, CellSim, current_master, has_majority, resolve};
use super::{AppliedFault, RunError};
use crate::scenario::FaultSpec;
use sim::{Duration, Fault, Instant, NodeId, RuleId, Step};
use std::rc::Rc;

/// Where the run stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Phase {
    /// Workload and faults, until `duration_s`.
    Workload,
    /// Healed; the probes run until the end.
    Liveness,
    Done,
}

/// What one step did.
#[derive(Debug)]
pub enum Unit {
    /// An engine event; its trace when asked for.
    Event(Option<Step>),
    /// A fault of the scenario (or one at a point of the schedule) was applied.
    Fault,
    /// `duration_s`: faults stopped, the network healed, crashed nodes restarted.
    Heal,
}

/// A fault to apply right after the event of `node` that sends or receives its
/// `io`-th message (a deviation of a replayed schedule).
#[derive(Clone, Debug, PartialEq)]
pub struct PointFault {
    pub node: NodeId,
    pub io: u64,
    pub fault: FaultSpec,
}

/// One strategy's run, ready to step.
#[derive(Clone)]
pub struct Drive {
    pub sim: CellSim,
    servers: u32,
    faults: Rc<[FaultSpec]>,
    next_fault: usize,
    phase: Phase,
    end_of_workload: Instant,
    end: Instant,
    rules: Vec<RuleId>,
    pub applied: Vec<AppliedFault>,
    /// Faults still to come at points of the schedule, in no particular order.
    points: Vec<PointFault>,
}

impl Drive {
    pub fn new(
        sim: CellSim,
        servers: u32,
        faults: &[FaultSpec],
        end_of_workload: Instant,
        end: Instant,
        points: Vec<PointFault>,
    ) -> Drive {
        Drive {
            sim,
            servers,
            faults: faults.into(),
            next_fault: 0,
            phase: Phase::Workload,
            end_of_workload,
            end,
            rules: Vec::new(),
            applied: Vec::new(),
            points,
        }
    }

    pub fn is_done(&self) -> bool {
        self.phase == Phase::Done
    }

    /// Whether the workload phase is over (faults stopped, the network healed).
    pub fn healed(&self) -> bool {
        self.phase != Phase::Workload
    }

    pub fn end(&self) -> Instant {
        self.end
    }

    pub fn servers(&self) -> u32 {
        self.servers
    }

    /// One step: the next event, or the next fault once every event before it ran, or
    /// the heal; `None` when the run is over. `traced` asks the engine what the event's
    /// handler did.
    pub fn step(&mut self, traced: bool) -> Result<Option<Unit>, RunError> {
        let Some(limit) = self.limit() else {
            return Ok(None);
        };
        let stepped = if traced {
            self.sim.step_traced(limit).map(|s| s.map(Some))
        } else {
            self.sim.step(limit).map(|s| s.map(|_| None))
        };
        match stepped.map_err(|e| RunError::Limit(e.to_string()))? {
            Some(step) => {
                if !self.points.is_empty() {
                    self.apply_points()?;
                }
                return Ok(Some(Unit::Event(step)));
            }
            None => self.stand_at(limit)?,
        }
        match self.phase {
            Phase::Liveness => {
                self.phase = Phase::Done;
                Ok(None)
            }
            Phase::Workload if self.next_fault < self.faults.len() => {
                let faults = Rc::clone(&self.faults);
                self.next_fault += 1;
                self.apply_now(&faults[self.next_fault - 1])?;
                Ok(Some(Unit::Fault))
            }
            _ => {
                self.heal_everything()?;
                self.phase = Phase::Liveness;
                Ok(Some(Unit::Heal))
            }
        }
    }

    /// Up to `n` untraced steps, as many calls of `step(false)` would take them; false
    /// once the run is over. The engine's events are stepped in a loop of their own: the
    /// limit only moves when a step is not an event.
    pub fn steps(&mut self, n: usize) -> Result<bool, RunError> {
        let mut done = 0;
        while done < n {
            let Some(limit) = self.limit() else {
                return Ok(false);
            };
            while done < n {
                let event = self.sim.step(limit);
                if event.map_err(|e| RunError::Limit(e.to_string()))?.is_none() {
                    break;
                }
                done += 1;
                if !self.points.is_empty() {
                    self.apply_points()?;
                }
            }
            if done < n {
                // No event is left before the limit: `step` stands there and moves on.
                if self.step(false)?.is_none() {
                    return Ok(false);
                }
                done += 1;
            }
        }
        Ok(true)
    }

    /// How far the engine may run before the next fault or phase; `None` when done.
    fn limit(&self) -> Option<Instant> {
        match self.phase {
            Phase::Done => None,
            Phase::Liveness => Some(self.end),
            Phase::Workload => Some(
                self.faults
                    .get(self.next_fault)
                    .map_or(self.end_of_workload, at),
            ),
        }
    }

    fn stand_at(&mut self, limit: Instant) -> Result<(), RunError> {
        self.sim
            .run_until(limit)
            .map_err(|e| RunError::Limit(e.to_string()))
    }

    /// Apply every point fault whose event has just run.
    fn apply_points(&mut self) -> Result<(), RunError> {
        let mut i = 0;
        while i < self.points.len() {
            let p = &self.points[i];
            if self.sim.io_count(p.node) >= p.io {
                let p = self.points.swap_remove(i);
                self.apply_now(&p.fault)?;
            } else {
                i += 1;
            }
        }
        Ok(())
    }

    /// Apply a fault now, resolving its targets in the current state, as the scenario's
    /// faults are at their instants.
    pub fn apply_now(&mut self, spec: &FaultSpec) -> Result<(), RunError> {
        let at = self.sim.now();
        let fault = faults::describe(spec);
        let concrete = match resolve(spec, &self.sim, self.servers) {
            Ok(c) => c,
            Err(skipped) => {
                self.applied.push(AppliedFault {
                    at,
                    until: None,
                    fault,
                    resolved: None,
                    note: Some(skipped.to_string()),
                });
                return Ok(());
            }
        };
        let master = current_master(&self.sim, self.servers);
        let had_majority = master.is_some_and(|m| has_majority(&self.sim, m, self.servers));
        let mut effective = false;
        for f in concrete.faults {
            let applied = self
                .sim
                .apply(f, concrete.span)
                .map_err(|e| RunError::Fault(e.to_string()))?;
            effective |= applied.effective;
            self.rules.extend(applied.rule);
        }
        let note =
            (!effective).then(|| "no effect: the node was already in that state".to_string());
        self.applied.push(AppliedFault {
            at,
            until: concrete.span.map(|d| at + d),
            fault,
            resolved: Some(concrete.resolved),
            note,
        });
        let deposed = master.is_some_and(|m| !has_majority(&self.sim, m, self.servers));
        if concrete.can_depose && had_majority && deposed {
            self.sim.observer_mut().master_deposed(concrete.label, at);
        }
        Ok(())
    }

    /// `duration_s` is over: faults stop, the network heals, crashed nodes restart.
    fn heal_everything(&mut self) -> Result<(), RunError> {
        for rule in std::mem::take(&mut self.rules) {
            self.sim
                .apply(Fault::Heal(rule), None)
                .map_err(|e| RunError::Fault(e.to_string()))?;
        }
        for n in (0..self.sim.node_count() as u32).map(NodeId) {
            if !self.sim.is_up(n) {
                self.sim
                    .apply(Fault::Restart(n), None)
                    .map_err(|e| RunError::Fault(e.to_string()))?;
            }
        }
        Ok(())
    }

    /// A hash of everything that decides the rest of the run: the simulation's whole
    /// state, and which of the scenario's faults are still to come.
    pub fn state_hash(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = sim::TraceHash::default();
        h.mix(self.sim.state_hash());
        (self.next_fault, self.phase, self.rules.len()).hash(&mut h);
        h.finish()
    }
}

fn at(f: &FaultSpec) -> Instant {
    Instant::ZERO + Duration::from_secs_f64(f.at_s)
}
