//! Shrinking a failing run to a reproducer a person can read: the fewest faults, the
//! smallest cell and the shortest run that still break the same invariant on the same
//! seed.
//!
//! Greedy, like QuickCheck's and Hypothesis's shrinkers: try one reduction, keep it only
//! if the same kind of violation still occurs, repeat until a whole round changes
//! nothing. A reduced cell keeps the streams of the clients that remain (each client's
//! workload is its own fork of the seed), so most reductions keep the failure. Every
//! candidate is re-validated like a scenario file, and the number of runs is bounded, so
//! shrinking always ends.

mod fixup;

use crate::check::{Example, Kind};
use crate::run::{RunError, run_scenario_with, scenario_as_run};
use crate::scenario::{Scenario, validate};
use crate::strategy::Mutant;
use fixup::{fix_up, ms};

/// Runs a shrink may spend by default.
pub const BUDGET: usize = 200;

/// How big a scenario is, in the terms a reader cares about.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Size {
    pub faults: usize,
    pub servers: u32,
    pub clients: u32,
    pub files: u32,
    pub duration_s: f64,
}

impl Size {
    pub fn of(s: &Scenario) -> Size {
        Size {
            faults: s.faults.len(),
            servers: s.cell.servers,
            clients: s.cell.clients,
            files: s.cell.files,
            duration_s: s.duration_s,
        }
    }
}

/// `1 fault`, `3 faults`.
fn count(n: u64, what: &str) -> String {
    match n {
        1 => format!("1 {what}"),
        _ => format!("{n} {what}s"),
    }
}

impl std::fmt::Display for Size {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}, {}, {}, {} s",
            count(self.faults as u64, "fault"),
            count(self.clients.into(), "client"),
            count(self.files.into(), "file"),
            self.duration_s
        )
    }
}

/// A shrunk failure.
#[derive(Clone, Debug)]
pub struct Shrunk {
    /// One strategy, explicit faults, the seed fixed: `afsim run` replays it.
    pub scenario: Scenario,
    pub kind: Kind,
    pub before: Size,
    pub after: Size,
    /// Simulations run while shrinking.
    pub runs: usize,
    /// The first violation of `kind` in the shrunk run.
    pub example: Option<Example>,
}

/// Shrinks strategy `strategy`'s violation of `kind` on `seed`: starts from the
/// scenario as run on that seed (random faults drawn, only that strategy) and reduces
/// it, running each candidate with `mutant` if given.
pub fn shrink(
    scenario: &Scenario,
    strategy: usize,
    seed: u64,
    kind: Kind,
    mutant: Option<Mutant>,
) -> Result<Shrunk, RunError> {
    let mut start = scenario_as_run(scenario, seed);
    start.strategies = vec![start.strategies[strategy].clone()];
    shrink_run(start, seed, kind, mutant, BUDGET)
}

/// Shrinks a one-strategy scenario that breaks `kind` on `seed`, within `budget` runs.
/// Fails if the start does not break `kind` (a reproducer must reproduce).
pub fn shrink_run(
    start: Scenario,
    seed: u64,
    kind: Kind,
    mutant: Option<Mutant>,
    budget: usize,
) -> Result<Shrunk, RunError> {
    assert_eq!(start.strategies.len(), 1, "shrink one strategy at a time");
    let before = Size::of(&start);
    let mut s = Shrinker {
        best: start,
        seed,
        kind,
        mutant,
        runs: 0,
        budget: budget.max(1),
        example: None,
    };
    let (fails, example) = s.judge(&s.best.clone())?;
    if !fails {
        return Err(RunError::Fault(format!(
            "seed {seed} does not break {} when run alone; cannot shrink it",
            kind.name()
        )));
    }
    s.example = example;
    s.shrink();
    let scenario = s.best;
    Ok(Shrunk {
        after: Size::of(&scenario),
        scenario,
        kind,
        before,
        runs: s.runs,
        example: s.example,
    })
}

struct Shrinker {
    best: Scenario,
    seed: u64,
    kind: Kind,
    mutant: Option<Mutant>,
    runs: usize,
    budget: usize,
    example: Option<Example>,
}

impl Shrinker {
    /// Runs `s`: whether it breaks the kind, and its first example.
    fn judge(&mut self, s: &Scenario) -> Result<(bool, Option<Example>), RunError> {
        self.runs += 1;
        let outcomes = run_scenario_with(s, self.seed, self.mutant)?;
        let tally = &outcomes[0].verdict.tallies[self.kind as usize];
        Ok((tally.count > 0, tally.first.clone()))
    }

    fn spent(&self) -> bool {
        self.runs >= self.budget
    }

    /// Keeps `candidate` (after fixing it up) if it is valid, different and still
    /// fails. A candidate that stops at a limit does not count as failing.
    fn try_keep(&mut self, mut candidate: Scenario) -> bool {
        fix_up(&mut candidate);
        if candidate == self.best || self.spent() || validate(&candidate, "shrunk").is_err() {
            return false;
        }
        match self.judge(&candidate) {
            Ok((true, example)) => {
                self.best = candidate;
                self.example = example;
                true
            }
            _ => false,
        }
    }

    fn shrink(&mut self) {
        loop {
            let before = self.best.clone();
            self.cut_after_violation();
            self.drop_faults();
            self.reduce_count(|s| &mut s.cell.clients);
            self.reduce_count(|s| &mut s.cell.files);
            self.shorten_spans();
            self.move_earlier();
            self.shorten_run();
            if self.best == before || self.spent() {
                return;
            }
        }
    }

    /// Ends the run just after the first violation (not for liveness, judged after the
    /// end): what happens later cannot have caused it.
    fn cut_after_violation(&mut self) {
        let Some(at) = self.example.as_ref().map(|e| e.at_s) else {
            return;
        };
        if self.kind == Kind::Liveness {
            return;
        }
        let mut c = self.best.clone();
        c.duration_s = (at.ceil() + 1.0).min(c.duration_s);
        self.try_keep(c);
    }

    /// Drops faults in chunks: halves first, then smaller pieces, down to one at a time.
    fn drop_faults(&mut self) {
        let mut size = (self.best.faults.len() / 2).max(1);
        loop {
            let mut i = 0;
            while i < self.best.faults.len() && !self.spent() {
                let mut c = self.best.clone();
                let end = (i + size).min(c.faults.len());
                c.faults.drain(i..end);
                if !self.try_keep(c) {
                    i += size;
                }
            }
            if size == 1 || self.spent() {
                return;
            }
            size /= 2;
        }
    }

    /// Halves a count while that keeps the failure, then steps it down by one.
    fn reduce_count(&mut self, field: fn(&mut Scenario) -> &mut u32) {
        let mut c = self.best.clone();
        while *field(&mut c) > 1 && !self.spent() {
            *field(&mut c) = (*field(&mut c) / 2).max(1);
            if !self.try_keep(c) {
                break;
            }
            c = self.best.clone();
        }
        loop {
            let mut c = self.best.clone();
            let n = field(&mut c);
            if *n <= 1 || self.spent() {
                return;
            }
            *n -= 1;
            if !self.try_keep(c) {
                return;
            }
        }
    }

    /// Halves each fault's `for_s` while that keeps the failure.
    fn shorten_spans(&mut self) {
        for i in 0..self.best.faults.len() {
            while i < self.best.faults.len() && !self.spent() {
                let mut c = self.best.clone();
                let Some(span) = c.faults[i].for_s else { break };
                let half = ms(span / 2.0);
                if half < 0.001 || half == span {
                    break;
                }
                c.faults[i].for_s = Some(half);
                if !self.try_keep(c) {
                    break;
                }
            }
        }
    }

    /// Moves every fault earlier together (halving the time before the first), then
    /// each one halfway towards the one before it.
    fn move_earlier(&mut self) {
        while let Some(first) = self.best.faults.first().map(|f| f.at_s) {
            let shift = ms(first / 2.0);
            if shift <= 0.0 || self.spent() {
                break;
            }
            let mut c = self.best.clone();
            for f in &mut c.faults {
                f.at_s = ms(f.at_s - shift).max(0.0);
            }
            if !self.try_keep(c) {
                break;
            }
        }
        for i in 1..self.best.faults.len() {
            if i >= self.best.faults.len() || self.spent() {
                return;
            }
            let mut c = self.best.clone();
            let (prev, at) = (c.faults[i - 1].at_s, c.faults[i].at_s);
            c.faults[i].at_s = ms((prev + at) / 2.0);
            self.try_keep(c);
        }
    }

    /// Ends the run a margin after the last fault heals, then halves it while that keeps
    /// the failure.
    fn shorten_run(&mut self) {
        let e = &self.best.election;
        let margin = (2.0 * (e.master_lease_s + e.vote_wait_s + 2.0 * e.beacon_s)).max(10.0);
        let last = self
            .best
            .faults
            .iter()
            .map(|f| f.at_s + f.for_s.unwrap_or(0.0))
            .fold(0.0, f64::max);
        let mut c = self.best.clone();
        c.duration_s = ms(last + margin).min(c.duration_s);
        self.try_keep(c);
        while !self.spent() {
            let mut c = self.best.clone();
            c.duration_s = ms(c.duration_s / 2.0);
            if c.duration_s <= 0.0 || !self.try_keep(c) {
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::run::run_scenario;

    /// Naive in a tiny cell with master crashes: it breaks stale_read on seed 3.
    fn naive() -> Scenario {
        let doc = serde_json::json!({
            "name": "naive", "duration_s": 120,
            "cell": { "servers": 3, "clients": 4, "files": 3 },
            "election": { "beacon_s": 1, "master_lease_s": 4, "vote_wait_s": 6 },
            "workload": { "ops_per_client_s": 2, "op_deadline_s": 10 },
            "strategies": [ { "name": "naive", "recovery": "naive", "callback_lease_s": 30 } ],
            "faults": [ { "at_s": 90, "partition": [["fs1"], ["fs0", "fs2"]], "for_s": 5 } ],
            "random_faults": { "crash_master_every_s": 30, "downtime_s": [2, 5] }
        });
        crate::scenario::from_value(doc, "test").unwrap()
    }

    #[test]
    fn shrinking_keeps_the_violation_and_stays_within_its_budget() {
        let s = naive();
        assert!(
            run_scenario(&s, 3).unwrap()[0]
                .verdict
                .count(Kind::StaleRead)
                > 0
        );
        let full = shrink(&s, 0, 3, Kind::StaleRead, None).unwrap();
        assert!(full.runs <= BUDGET);
        assert!(
            full.after.duration_s < full.before.duration_s,
            "{}",
            full.after
        );
        let again = run_scenario(&full.scenario, 3).unwrap();
        assert!(again[0].verdict.count(Kind::StaleRead) > 0);
        validate(&full.scenario, "shrunk").unwrap();
        let start = scenario_as_run(&s, 3);
        let tight = shrink_run(start, 3, Kind::StaleRead, None, 4).unwrap();
        assert!(tight.runs <= 4, "{} runs", tight.runs);
    }

    #[test]
    fn a_run_that_does_not_fail_cannot_be_shrunk() {
        let s = naive();
        let start = scenario_as_run(&s, 3);
        let e = shrink_run(start, 3, Kind::LostWrite, None, 10).unwrap_err();
        assert!(e.to_string().contains("does not break lost_write"), "{e}");
    }
}
