//! `afsim sweep`: a scenario over a grid of settings and many seeds, reduced to the mean
//! and 95% interval (a bootstrap of the mean, see [`stats`]) of a few metrics per
//! point and strategy.
//!
//! Every point runs the same seeds (common random numbers), so differences between
//! points come from the setting, not from luckier draws. Each (point, seed) run is one
//! job for [`crate::batch`]; results are gathered in job order, so the output bytes do
//! not depend on `--jobs`.

pub mod grid;
pub mod output;
pub mod stats;

use crate::batch;
use crate::run::{Outcome, RunError, run_scenario};
use grid::{Point, SetSpec};
use indicatif::ProgressBar;
use stats::Estimate;

/// A metric the sweep reports.
#[derive(Clone, Copy, Debug)]
pub struct Metric {
    /// Its key in `sweep.json` and `sweep.csv`, and its plot's file name.
    pub key: &'static str,
    /// A short label with the unit, for tables and axes.
    pub label: &'static str,
    pub description: &'static str,
}

pub const METRICS: [Metric; 5] = [
    Metric {
        key: "availability",
        label: "availability",
        description: "succeeded / attempted over operations invoked in [0, duration_s], all kinds",
    },
    Metric {
        key: "unavailable_s",
        label: "write outage (s)",
        description: "writes_open_at_s - at_s, mean over a run's outages that ended; runs \
                      without any are left out",
    },
    Metric {
        key: "write_p99_ms",
        label: "write p99 (ms)",
        description: "99th percentile latency of succeeded writes",
    },
    Metric {
        key: "messages_per_op",
        label: "messages per operation",
        description: "messages sent in [0, duration_s] per operation attempted",
    },
    Metric {
        key: "violations",
        label: "violations",
        description: "invariant violations of every kind, liveness included",
    },
];

/// One strategy's figures from one run, in the order of [`METRICS`] (`None`: no value).
pub type Sample = [Option<f64>; METRICS.len()];

/// Per-seed figures are kept to 6 decimals, and everything downstream is computed
/// from the kept figures, so partial results recombine to the same bytes.
fn kept(x: f64) -> f64 {
    crate::report::summary::round(x, 6)
}

/// The metrics of one strategy's run.
pub fn sample(o: &Outcome) -> Sample {
    let m = &o.metrics();
    let outages: Vec<f64> = m
        .recoveries
        .list
        .iter()
        .filter_map(|r| {
            r.writes_open_at
                .map(|w| (w - r.at).as_micros() as f64 / 1e6)
        })
        .collect();
    let unavailable =
        (!outages.is_empty()).then(|| outages.iter().sum::<f64>() / outages.len() as f64);
    let attempted: u64 = m.kinds.iter().map(|k| k.attempted).sum();
    let messages: u64 = m.messages.iter().sum();
    let violations: u64 = o.verdict.tallies.iter().map(|t| t.count).sum();
    [
        m.availability(),
        unavailable,
        m.kinds[1].latency.quantile_ms(0.99),
        (attempted > 0).then(|| messages as f64 / attempted as f64),
        Some(violations as f64),
    ]
    .map(|v| v.map(kept))
}

/// What a sweep runs: the grid and the seeds.
pub struct Sweep {
    pub file: String,
    pub name: String,
    pub specs: Vec<SetSpec>,
    pub points: Vec<Point>,
    pub seeds: Vec<u64>,
}

/// A run that stopped, with where it was.
#[derive(Debug)]
pub struct JobError {
    pub point: usize,
    pub seed: u64,
    pub error: RunError,
}

/// Per point, per seed, per strategy: the run's sample.
pub type Samples = Vec<Vec<Vec<Sample>>>;

/// Every (point, seed) job, numbered in this order (the first point's seeds first).
pub fn jobs(sweep: &Sweep) -> Vec<(usize, u64)> {
    (0..sweep.points.len())
        .flat_map(|p| sweep.seeds.iter().map(move |&s| (p, s)))
        .collect()
}

/// Runs the jobs numbered `selected` (see [`jobs`]) on up to `threads` workers: each
/// run's samples, in the order given. `--shard` runs some; a whole sweep all.
pub fn run_selected(
    sweep: &Sweep,
    selected: &[u64],
    threads: usize,
    bar: &ProgressBar,
) -> Result<Vec<Vec<Sample>>, JobError> {
    let all = jobs(sweep);
    let chosen: Vec<(usize, u64)> = selected.iter().map(|&j| all[j as usize]).collect();
    batch::run(&chosen, threads, bar, |&(point, seed)| {
        let scenario = &sweep.points[point].scenario;
        run_scenario(scenario, seed)
            .map(|outcomes| outcomes.iter().map(sample).collect::<Vec<Sample>>())
            .map_err(|error| JobError { point, seed, error })
    })
}

/// Every job's samples in job order, grouped per point.
pub fn per_point(sweep: &Sweep, flat: Vec<Vec<Sample>>) -> Samples {
    let per_point = sweep.seeds.len();
    let mut flat = flat.into_iter();
    (0..sweep.points.len())
        .map(|_| flat.by_ref().take(per_point).collect())
        .collect()
}

/// Runs every (point, seed) on up to `threads` workers.
pub fn run(sweep: &Sweep, threads: usize, bar: &ProgressBar) -> Result<Samples, JobError> {
    let all: Vec<u64> = (0..jobs(sweep).len() as u64).collect();
    Ok(per_point(sweep, run_selected(sweep, &all, threads, bar)?))
}

/// One (point, strategy): each metric's estimate and its per-seed values.
#[derive(Clone, Debug)]
pub struct Cell {
    pub strategy: String,
    pub recovery: &'static str,
    pub expect_violations: bool,
    pub estimates: Vec<Estimate>,
    /// Per metric, per seed.
    pub per_seed: Vec<Vec<Option<f64>>>,
}

/// Reduces the samples of every point to one [`Cell`] per strategy.
pub fn reduce(sweep: &Sweep, samples: &Samples) -> Vec<Vec<Cell>> {
    sweep
        .points
        .iter()
        .zip(samples)
        .map(|(point, runs)| {
            point
                .scenario
                .strategies
                .iter()
                .enumerate()
                .map(|(k, strategy)| {
                    let per_seed: Vec<Vec<Option<f64>>> = (0..METRICS.len())
                        .map(|m| runs.iter().map(|r| r[k][m]).collect())
                        .collect();
                    let estimates = per_seed
                        .iter()
                        .map(|v| {
                            let values: Vec<f64> = v.iter().flatten().copied().collect();
                            round_estimate(stats::estimate(&values))
                        })
                        .collect();
                    Cell {
                        strategy: strategy.name.clone(),
                        recovery: strategy.recovery.as_str(),
                        expect_violations: strategy.expect_violations,
                        estimates,
                        per_seed,
                    }
                })
                .collect()
        })
        .collect()
}

fn round_estimate(e: Estimate) -> Estimate {
    Estimate {
        n: e.n,
        mean: e.mean.map(kept),
        ci_low: e.ci_low.map(kept),
        ci_high: e.ci_high.map(kept),
    }
}
