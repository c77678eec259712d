//! `afsim explore`: every schedule of a small cell with at most K deviations from the
//! default schedule (DESIGN.md "Exploration"), for every strategy of a scenario.
//!
//! The search is split into fixed **subtrees**, numbered along the default schedule:
//! subtree 0 is the default schedule itself, and subtree i the schedules whose first
//! deviation is the i-th choice met along it (a message's fate, a crash of the master or
//! a clock jump, in the order the steps offer them). Each subtree prunes only within
//! itself, so `--jobs` and `--shard` split the work without changing a figure. A budget
//! (`--max-schedules`) is shared evenly among the subtrees, so it too gives the same
//! figures however the work is split.

pub mod output;
mod search;

use crate::check::Kind;
use crate::run::{RunError, RunSpec, fault_schedule, start};
use crate::scenario::{DeviationSpec, ExploreSpec, Scenario};
use crate::strategy::Mutant;
use search::{Path, Search};
use serde::{Deserialize, Serialize};
use sim::{Duration, Instant, Schedule};

/// How many violating schedules `explore.json` lists per strategy.
pub const FIRST_MAX: usize = 10;

/// What shapes one strategy's search besides the run itself.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Deviations fall in `[window.0, window.1]`.
    pub window: (Instant, Instant),
    pub crash: bool,
    pub downtime_s: f64,
    /// ± this much on one server's clock, once per schedule (`None`: no clock jumps).
    pub jump_us: Option<i64>,
    /// How much later a held message arrives (`None`: no holds).
    pub hold: Option<Duration>,
    /// At most this many deviations per schedule.
    pub deviations: u32,
}

impl Settings {
    pub fn new(scenario: &Scenario, strategy: usize, deviations: u32) -> Settings {
        let e = scenario.explore.clone().unwrap_or_default();
        let [a, b] = e.window_s.unwrap_or([0.0, scenario.duration_s]);
        let at = |s: f64| Instant::ZERO + Duration::from_secs_f64(s);
        let allowance = scenario.strategies[strategy].clock_skew_allowance_s;
        let jump_us = (allowance * 1e6 / 2.0).round() as i64;
        Settings {
            window: (at(a), at(b)),
            crash: e.crash,
            downtime_s: e.downtime_s,
            jump_us: (e.clock_jumps && jump_us > 0).then_some(jump_us),
            hold: e.holds.then(|| crate::run::schedule::hold(e.hold_s)),
            deviations,
        }
    }

    /// K: `--deviations`, else the scenario's, else 2.
    pub fn deviations(flag: Option<u32>, e: Option<&ExploreSpec>) -> u32 {
        flag.or(e.and_then(|e| e.deviations)).unwrap_or(2)
    }
}

/// A violating schedule: its deviations and its violations by kind.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Found {
    pub deviations: Vec<DeviationSpec>,
    pub violations: [u64; Kind::ALL.len()],
}

/// What the search of one subtree found.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SubtreeResult {
    pub schedules: u64,
    pub distinct_states: u64,
    pub complete: bool,
    /// Violating schedules per kind.
    pub by_kind: [u64; Kind::ALL.len()],
    pub violating: u64,
    /// The first violating schedules, in search order.
    pub first: Vec<Found>,
    /// The violating schedule with the fewest deviations (the first of those).
    pub best: Option<Found>,
}

impl SubtreeResult {
    /// Subtrees in order, as one search.
    pub fn combine<'a>(parts: impl IntoIterator<Item = &'a SubtreeResult>) -> SubtreeResult {
        let mut all = SubtreeResult {
            complete: true,
            ..SubtreeResult::default()
        };
        for p in parts {
            all.schedules += p.schedules;
            all.distinct_states += p.distinct_states;
            all.complete &= p.complete;
            for (a, b) in all.by_kind.iter_mut().zip(p.by_kind) {
                *a += b;
            }
            all.violating += p.violating;
            let room = FIRST_MAX - all.first.len();
            all.first.extend(p.first.iter().take(room).cloned());
            if let Some(b) = &p.best
                && all
                    .best
                    .as_ref()
                    .is_none_or(|a| b.deviations.len() < a.deviations.len())
            {
                all.best = Some(b.clone());
            }
        }
        all
    }
}

/// One strategy's search: the scenario, which strategy, the seed, and a mutant for the
/// checkers' own tests.
#[derive(Clone, Copy)]
pub struct Job<'a> {
    pub scenario: &'a Scenario,
    pub strategy: usize,
    pub seed: u64,
    pub mutant: Option<Mutant>,
    pub deviations: u32,
    /// Stop at the first subtree with a violation (to find one, not to count them).
    pub first_only: bool,
}

impl Job<'_> {
    fn settings(&self) -> Settings {
        Settings::new(self.scenario, self.strategy, self.deviations)
    }

    /// The run at time zero, following the default schedule.
    fn root(&self) -> Result<Path, RunError> {
        let faults = fault_schedule(self.scenario, self.seed);
        let schedule = self
            .settings()
            .hold
            .map_or_else(Schedule::new, Schedule::with_hold);
        let spec = RunSpec {
            mutant: self.mutant,
            measure: false,
            ..RunSpec::new(
                self.scenario,
                &self.scenario.strategies[self.strategy],
                self.seed,
                &faults,
            )
        };
        Ok(Path {
            drive: start(spec, Some((schedule, Vec::new())))?,
            deviations: Vec::new(),
            left: self.deviations,
            clock_spent: false,
        })
    }

    /// Walk the default schedule, calling `visit(i, path)` for subtree i with the path
    /// its search starts from (`None`: a choice impossible there, an empty subtree), for
    /// every i that `wanted` selects. Returns how many subtrees there are.
    fn walk(
        &self,
        wanted: &dyn Fn(u64) -> bool,
        visit: &mut dyn FnMut(u64, Option<Path>) -> Result<bool, RunError>,
    ) -> Result<u64, RunError> {
        let s = self.settings();
        let mut root = self.root()?;
        if wanted(0) {
            let mut alone = root.clone();
            alone.left = 0;
            if visit(0, Some(alone))? {
                return Ok(1);
            }
        }
        let mut count = 1;
        if self.deviations == 0 {
            return Ok(count);
        }
        while !root.drive.healed() && root.drive.sim.now() <= s.window.1 {
            let before = root.clone();
            let io = root.io_counts();
            let Some(unit) = root.drive.step(true)? else {
                break;
            };
            let crate::run::Unit::Event(Some(step)) = unit else {
                continue;
            };
            for choice in root.choices(&io, &step, &s) {
                if wanted(count) && visit(count, root.take(&before, &choice, &s)?)? {
                    return Ok(count + 1);
                }
                count += 1;
            }
        }
        Ok(count)
    }

    /// How many subtrees this strategy's search has.
    pub fn subtrees(&self) -> Result<u64, RunError> {
        self.walk(&|_| false, &mut |_, _| Ok(false))
    }

    /// The subtrees `wanted` selects, each searched with `budget(i)` schedules at most,
    /// in order.
    pub fn search(
        &self,
        wanted: &dyn Fn(u64) -> bool,
        budget: &dyn Fn(u64) -> u64,
        progress: &dyn Fn(&SubtreeResult),
    ) -> Result<Vec<(u64, SubtreeResult)>, RunError> {
        let settings = self.settings();
        let mut out = Vec::new();
        self.walk(wanted, &mut |i, path| {
            let mut search = Search::new(&settings, budget(i));
            search.first_only = self.first_only;
            if let Some(path) = path {
                search.run(path)?;
            }
            progress(&search.result);
            let found = search.result.violating > 0;
            out.push((i, search.result));
            Ok(found && self.first_only)
        })?;
        Ok(out)
    }
}

/// The budget of subtree `i` of `subtrees` when `max` schedules are shared evenly.
pub fn share(max: Option<u64>, subtrees: u64, i: u64) -> u64 {
    match max {
        None => u64::MAX,
        Some(max) => max / subtrees + u64::from(i < max % subtrees),
    }
}

/// Search the subtrees `wanted` selects on `threads` threads; results in subtree order.
pub fn search_parallel(
    job: Job<'_>,
    threads: usize,
    wanted: &(dyn Fn(u64) -> bool + Sync),
    budget: &(dyn Fn(u64) -> u64 + Sync),
    progress: &(dyn Fn(&SubtreeResult) + Sync),
) -> Result<Vec<(u64, SubtreeResult)>, RunError> {
    let threads = threads.max(1) as u64;
    let results: Vec<Result<Vec<(u64, SubtreeResult)>, RunError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|w| {
                scope.spawn(move || {
                    let mine = |i: u64| wanted(i) && i % threads == w;
                    job.search(&mine, budget, progress)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a search thread panicked"))
            .collect()
    });
    let mut all = Vec::new();
    for r in results {
        all.extend(r?);
    }
    all.sort_by_key(|(i, _)| *i);
    Ok(all)
}
