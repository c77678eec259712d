//! `afsim check`: many seeds of a scenario, every strategy, every invariant — the
//! simulator's VOPR. Each seed redraws the random faults (and with `--swarm` the cell,
//! the network and which fault kinds are on), so a thousand seeds explore a thousand
//! fault schedules; a violation the scenario does not expect is shrunk to a small
//! standalone reproducer (see [`crate::shrink`]).
//!
//! Each seed is one job for [`crate::batch`]; results come back in seed order, so the
//! report (and `check.json`) never depends on `--jobs`.

pub mod output;
pub mod swarm;

use crate::batch;
use crate::check::Kind;
use crate::run::{RunError, RunSpec, fault_schedule, run_strategy, scenario_as_run};
use crate::scenario::{FaultSpec, Scenario, StrategySpec};
use crate::shrink::{self, Shrunk};
use crate::strategy::Mutant;
use indicatif::ProgressBar;
use serde::{Deserialize, Serialize};
use swarm::SwarmDraw;

/// The seeds a check runs: `first`, `first + 1`, … (`count` of them).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Seeds {
    pub first: u64,
    pub count: u64,
}

impl Seeds {
    /// The seeds, or `None` if the last one would overflow a `u64`.
    pub fn list(&self) -> Option<Vec<u64>> {
        (0..self.count).map(|k| self.first.checked_add(k)).collect()
    }
}

/// What a check runs besides the scenario: everything that shapes its results (so two
/// shards can be merged only if these match).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    pub seeds: Seeds,
    /// Also draw the cell, the network and the fault kinds per seed.
    pub swarm: bool,
}

/// One strategy's run on one seed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StrategyRun {
    /// Violations by kind, in [`Kind::ALL`] order.
    pub violations: [u64; Kind::ALL.len()],
    /// The run's trace hash, as `summary.json` writes it (16 hex digits).
    pub trace_hash: String,
}

/// Every strategy's run on one seed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SeedRun {
    pub seed: u64,
    /// What `--swarm` drew for this seed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub swarm: Option<SwarmDraw>,
    /// In the scenario's strategy order.
    pub strategies: Vec<StrategyRun>,
}

/// A check's result: the scenario, its settings and a run per seed, in seed order.
#[derive(Clone, Debug)]
pub struct Report {
    pub scenario: Scenario,
    pub settings: Settings,
    pub runs: Vec<SeedRun>,
}

/// A violation the scenario does not expect: the first seed on which a strategy not
/// marked `expect_violations` broke an invariant, and the first kind it broke.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Failure {
    pub strategy: usize,
    pub seed: u64,
    pub kind: Kind,
    /// How many seeds this strategy failed on in all.
    pub seeds_failed: u64,
}

/// A run that stopped (a limit, an impossible fault), with its seed.
#[derive(Debug)]
pub struct JobError {
    pub seed: u64,
    pub error: RunError,
}

/// What one seed runs: the scenario (drawn, with `--swarm`) and each strategy's faults.
#[derive(Clone, Debug)]
pub struct Plan {
    /// The scenario to run; with `--swarm`, the drawn one (explicit faults only).
    pub scenario: Scenario,
    pub draw: Option<SwarmDraw>,
    /// Every fault in time order, random ones drawn.
    faults: Vec<FaultSpec>,
    /// The faults of a strategy that does not claim to protect a client cut off through
    /// its recovery period, or that acknowledges writes from memory, when they differ
    /// (swarm: no loss bursts).
    uncut_faults: Option<Vec<FaultSpec>>,
}

impl Plan {
    /// The plan of `seed`: the scenario with its random faults drawn from the seed, or
    /// with `swarm` a cell, network and faults drawn from it.
    pub fn new(base: &Scenario, seed: u64, swarm: bool) -> Result<Plan, RunError> {
        if !swarm {
            return Ok(Plan {
                scenario: base.clone(),
                draw: None,
                faults: fault_schedule(base, seed),
                uncut_faults: None,
            });
        }
        let (scenario, draw) = swarm::draw(base, seed)?;
        let faults = fault_schedule(&scenario, seed);
        let uncut_faults = Some(swarm::without_loss_bursts(&faults));
        Ok(Plan {
            scenario,
            draw: Some(draw),
            faults,
            uncut_faults,
        })
    }

    /// The faults `strategy` faces on this seed.
    pub fn faults_for(&self, strategy: &StrategySpec) -> &[FaultSpec] {
        match &self.uncut_faults {
            Some(uncut) if !swarm::faces_loss_bursts(strategy) => uncut,
            _ => &self.faults,
        }
    }

    /// Strategy `k`'s run as a standalone scenario: only that strategy, its faults
    /// explicit, the seed fixed. `afsim run` of it replays the run exactly.
    pub fn as_run(&self, k: usize, seed: u64) -> Scenario {
        let mut one = self.scenario.clone();
        let strategy = one.strategies[k].clone();
        one.faults = self.faults_for(&strategy).to_vec();
        one.random_faults = None;
        one.strategies = vec![strategy];
        scenario_as_run(&one, seed)
    }
}

/// Runs every strategy of `scenario` on one seed.
pub fn run_seed(
    scenario: &Scenario,
    seed: u64,
    swarm: bool,
    mutant: Option<Mutant>,
) -> Result<SeedRun, JobError> {
    let failed = |error| JobError { seed, error };
    let plan = Plan::new(scenario, seed, swarm).map_err(failed)?;
    let strategies = plan
        .scenario
        .strategies
        .iter()
        .map(|strategy| {
            let faults = plan.faults_for(strategy);
            let outcome = run_strategy(RunSpec {
                mutant,
                measure: false,
                ..RunSpec::new(&plan.scenario, strategy, seed, faults)
            })
            .map_err(failed)?;
            Ok(StrategyRun {
                violations: Kind::ALL.map(|k| outcome.verdict.count(k)),
                trace_hash: format!("{:016x}", outcome.trace_hash),
            })
        })
        .collect::<Result<_, JobError>>()?;
    Ok(SeedRun {
        seed,
        swarm: plan.draw,
        strategies,
    })
}

/// Runs the seeds at the given positions (indices into `settings.seeds`) on up to
/// `threads` workers; results in the order given.
pub fn run_jobs(
    scenario: &Scenario,
    settings: &Settings,
    jobs: &[u64],
    threads: usize,
    mutant: Option<Mutant>,
    bar: &ProgressBar,
) -> Result<Vec<SeedRun>, JobError> {
    let first = settings.seeds.first;
    // The bar shows how many seeds so far broke some invariant.
    let flagged = std::sync::atomic::AtomicU64::new(0);
    bar.set_message(crate::progress::violations_message(0));
    bar.force_draw();
    batch::run(jobs, threads, bar, |&k| {
        let seed = first.checked_add(k).ok_or_else(|| JobError {
            seed: first,
            error: RunError::Fault(format!("seed {first} + {k} overflows")),
        })?;
        let run = run_seed(scenario, seed, settings.swarm, mutant)?;
        if run
            .strategies
            .iter()
            .any(|s| s.violations.iter().any(|&n| n > 0))
        {
            let n = flagged.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
            bar.set_message(crate::progress::violations_message(n));
            // A new count is worth a redraw even within the bar's rate limit.
            bar.force_draw();
        }
        Ok(run)
    })
}

/// Checks `scenario` on every seed of `seeds` (random faults redrawn per seed), each
/// strategy broken by `mutant` if given, on up to `threads` workers.
pub fn check(
    scenario: &Scenario,
    seeds: Seeds,
    threads: usize,
    mutant: Option<Mutant>,
) -> Result<Report, JobError> {
    let settings = Settings {
        seeds,
        swarm: false,
    };
    check_with(scenario, settings, threads, mutant, &ProgressBar::hidden())
}

/// [`check`] with every setting (`--swarm`) and a progress bar.
pub fn check_with(
    scenario: &Scenario,
    settings: Settings,
    threads: usize,
    mutant: Option<Mutant>,
    bar: &ProgressBar,
) -> Result<Report, JobError> {
    let jobs: Vec<u64> = (0..settings.seeds.count).collect();
    let runs = run_jobs(scenario, &settings, &jobs, threads, mutant, bar)?;
    Ok(Report {
        scenario: judged(scenario, settings.swarm),
        settings,
        runs,
    })
}

impl Report {
    /// Per strategy not marked `expect_violations` that broke an invariant: its first
    /// failing seed and kind.
    pub fn failures(&self) -> Vec<Failure> {
        failures(&self.scenario, &self.runs)
    }

    /// Shrinks `failure` to a small standalone scenario that still breaks the same
    /// invariant on the same seed (with `mutant`, if given).
    pub fn reproducer(
        &self,
        failure: &Failure,
        mutant: Option<Mutant>,
    ) -> Result<Shrunk, RunError> {
        reproducer(&self.scenario, self.settings.swarm, failure, mutant)
    }
}

/// The scenario a check judges by: with `--swarm`, naive and `afs` expected to fail.
pub fn judged(scenario: &Scenario, swarm: bool) -> Scenario {
    if swarm {
        swarm::judged(scenario)
    } else {
        scenario.clone()
    }
}

/// The first failing seed and kind of each strategy not marked `expect_violations`.
pub fn failures(scenario: &Scenario, runs: &[SeedRun]) -> Vec<Failure> {
    let mut out = Vec::new();
    for (k, strategy) in scenario.strategies.iter().enumerate() {
        if strategy.expect_violations {
            continue;
        }
        let failing: Vec<&SeedRun> = runs
            .iter()
            .filter(|r| r.strategies[k].violations.iter().any(|&n| n > 0))
            .collect();
        let Some(first) = failing.first() else {
            continue;
        };
        let counts = first.strategies[k].violations;
        let kind = Kind::ALL[counts.iter().position(|&n| n > 0).expect("a kind fired")];
        out.push(Failure {
            strategy: k,
            seed: first.seed,
            kind,
            seeds_failed: failing.len() as u64,
        });
    }
    out
}

/// Shrinks one failure of `scenario` (drawn again from the seed with `swarm`).
pub fn reproducer(
    scenario: &Scenario,
    swarm: bool,
    failure: &Failure,
    mutant: Option<Mutant>,
) -> Result<Shrunk, RunError> {
    let plan = Plan::new(scenario, failure.seed, swarm)?;
    let start = plan.as_run(failure.strategy, failure.seed);
    shrink::shrink_run(start, failure.seed, failure.kind, mutant, shrink::BUDGET)
}
