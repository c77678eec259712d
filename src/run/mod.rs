//! One strategy's run of a scenario: build the cell, apply the faults at their instants,
//! heal everything at `duration_s`, run the liveness phase, and judge the history.

pub mod drive;
pub mod faults;
pub mod link;
mod random;
pub mod schedule;

use crate::cell::params::Params;
use crate::cell::{AfsNode, AfsVolatile, build, streams};
use crate::check::{FinalVolume, Verdict};
use crate::history::{HistoryLog, Recorder};
use crate::metrics::Metrics;
use crate::scenario::{FaultSpec, Scenario, StrategySpec};
use crate::strategy::Mutant;
pub use drive::{Drive, PointFault, Unit};
use faults::{CellSim, current_master};
pub use random::draw_random_faults;
use sim::{Clock, Duration, Instant, NodeId, Observer, Prng, Sim, SimConfig};
use std::rc::Rc;

/// A fault as it was applied (or skipped) in one strategy's run.
#[derive(Clone, Debug, PartialEq)]
pub struct AppliedFault {
    pub at: Instant,
    /// When it heals by itself (`for_s`), if it does.
    pub until: Option<Instant>,
    pub fault: String,
    pub resolved: Option<String>,
    /// Why it did nothing: no master to hit, or a restart of a live node.
    pub note: Option<String>,
}

/// Everything one strategy's run produced.
pub struct Outcome {
    pub verdict: Verdict,
    /// What the run measured; `None` for a run made only to be judged (`RunSpec::measure`).
    pub measured: Option<Metrics>,
    pub faults: Vec<AppliedFault>,
    pub stats: sim::Stats,
    pub trace_hash: u64,
    /// When the liveness phase ended.
    pub end: Instant,
    pub wall_s: f64,
    /// The process's peak resident memory when the run ended, in MiB (Linux only).
    pub peak_rss_mb: Option<f64>,
    /// The observer the run was given, if any, to take its trace.
    pub tap: Option<Box<dyn Observer<AfsNode> + Send>>,
    /// The history log the run was given, if any, every line written.
    pub log: Option<HistoryLog>,
}

/// Why a run stopped early.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("{0}")]
    Limit(String),
    #[error("{0}")]
    Fault(String),
    #[error("{0}")]
    Output(String),
}

/// What a run needs besides the scenario.
pub struct RunSpec<'a> {
    pub scenario: &'a Scenario,
    pub strategy: &'a StrategySpec,
    pub seed: u64,
    /// Every fault, random ones already drawn, in time order.
    pub faults: &'a [FaultSpec],
    pub tap: Option<Box<dyn Observer<AfsNode> + Send>>,
    /// Where to write every operation (`--history`).
    pub log: Option<HistoryLog>,
    /// A deliberately broken variant of the strategy, for the checkers' own tests.
    pub mutant: Option<Mutant>,
    /// Keep the metrics (availability, latency, recoveries, messages). A run made only
    /// for its verdict and trace hash (`afsim check`, exploration) skips them: they
    /// decide nothing and cost a few percent of every event.
    pub measure: bool,
    /// Keep the run's books (checkers, metrics, history log) on a thread of their own
    /// (`history::apart`): for a run alone on the machine, not for one of many.
    pub books_apart: bool,
}

/// Whether this process may run on more than one core (its affinity and quota, so a run
/// pinned with `taskset -c 1` has one): only then does a run alone keep its books apart,
/// as on one core their thread would only take turns with the simulation's.
pub fn core_to_spare() -> bool {
    std::thread::available_parallelism().is_ok_and(|cores| cores.get() > 1)
}

impl<'a> RunSpec<'a> {
    /// A plain run: measured, no trace, no history log, no mutant.
    pub fn new(
        scenario: &'a Scenario,
        strategy: &'a StrategySpec,
        seed: u64,
        faults: &'a [FaultSpec],
    ) -> RunSpec<'a> {
        RunSpec {
            scenario,
            strategy,
            seed,
            faults,
            tap: None,
            log: None,
            mutant: None,
            measure: true,
            books_apart: false,
        }
    }
}

impl Outcome {
    /// What the run measured.
    ///
    /// # Panics
    /// If the run was made without metrics (`RunSpec::measure` false): only code that
    /// asked for none can hold such an outcome.
    pub fn metrics(&self) -> &Metrics {
        self.measured
            .as_ref()
            .expect("a run made without metrics has none to report")
    }
}

/// Every fault of a run in time order: the scenario's, then the random ones drawn from
/// the seed (a stable sort keeps equal times in that order).
pub fn fault_schedule(scenario: &Scenario, seed: u64) -> Vec<FaultSpec> {
    let mut faults = scenario.faults.clone();
    if let Some(random) = &scenario.random_faults {
        faults.extend(draw_random_faults(random, scenario.duration_s, seed));
    }
    faults.sort_by(|a, b| a.at_s.total_cmp(&b.at_s));
    faults
}

/// The scenario exactly as run: defaults filled in, the seed, random faults drawn.
pub fn scenario_as_run(scenario: &Scenario, seed: u64) -> Scenario {
    let mut s = scenario.with_defaults_filled();
    s.faults = fault_schedule(scenario, seed);
    s.random_faults = None;
    s.seed = Some(seed);
    s
}

/// How long after `duration_s` the liveness phase runs: an election, the skew allowance
/// (no new master grants before `T` + the allowance), the strategy's own wait, the end of
/// locks still held from the workload (one still being acquired when the workload
/// stopped, then held `lock_hold_s`, or kept by the master a lock lease and the allowance
/// after its last renewal when its release was lost or its holder crashed), and an
/// operation deadline with a back-off to retry in.
pub fn liveness_phase(params: &Params) -> Duration {
    let election = params.master_lease + params.vote_wait + params.beacon * 2;
    let w = &params.workload;
    let locks = w.op_deadline + w.lock_hold.max(params.lock_lease + params.skew_allowance);
    election
        + params.skew_allowance
        + params.strategy.longest_wait(params)
        + locks
        + w.op_deadline
        + crate::cell::params::BACKOFF_MAX
}

pub fn run_strategy(spec: RunSpec<'_>) -> Result<Outcome, RunError> {
    // Wall time never reaches the model: it only fills perf.json and enforces
    // `limits.wall_s_max`, which stops the run without writing a result.
    let wall = std::time::Instant::now();
    let wall_max = spec.scenario.limits.as_ref().and_then(|l| l.wall_s_max);
    let replay = spec
        .scenario
        .schedule
        .as_deref()
        .map(|s| schedule::replay_plan(s, spec.scenario, spec.strategy));
    let mut drive = start(spec, replay)?;
    loop {
        if !drive.steps(65_536)? {
            return Ok(finish(drive, wall));
        }
        if let Some(max) = wall_max
            && wall.elapsed().as_secs_f64() > max
        {
            return Err(RunError::Limit(format!(
                "stopped at limits.wall_s_max = {max} s of wall time (simulated time {})",
                drive.sim.now()
            )));
        }
    }
}

/// A strategy's run at time zero, every node booted: sampling its network from the
/// seed, or with `schedule`, following the default schedule with those deviations.
pub fn start(
    spec: RunSpec<'_>,
    schedule: Option<(sim::Schedule, Vec<PointFault>)>,
) -> Result<Drive, RunError> {
    let (scenario, strategy) = (spec.scenario, spec.strategy);
    let mut params = Params::new(scenario, strategy);
    params.mutant = spec.mutant;
    let params = Rc::new(params);
    let master = Prng::new(spec.seed);
    let network = scenario.network_for(strategy);
    let mut config = SimConfig::new(
        master.fork(streams::NETWORK).next_u64(),
        link::params(network),
    );
    config.clocks = clocks(
        &master,
        network.clock_drift_ppm,
        params.servers + params.clients,
    );
    if let Some(max) = scenario.limits.as_ref().and_then(|l| l.events_max) {
        config.events_max = max;
    }
    let (schedule, points) = match schedule {
        Some((s, p)) => (Some(s), p),
        None => (None, Vec::new()),
    };
    config.schedule = schedule;
    let end_of_workload = Instant::ZERO + params.duration;
    let mut recorder = Recorder::new(
        (params.servers, params.clients, params.files),
        spec.measure
            .then(|| Metrics::new(params.servers, end_of_workload)),
        spec.log,
        spec.books_apart,
    );
    recorder.tap = spec.tap;
    let sim: CellSim = Sim::new(config, build(&params, &master), recorder);
    let end = end_of_workload + liveness_phase(&params);
    Ok(Drive::new(
        sim,
        params.servers,
        spec.faults,
        end_of_workload,
        end,
        points,
    ))
}

/// Judge a finished run.
pub fn finish(drive: Drive, wall: std::time::Instant) -> Outcome {
    let end = drive.end();
    let servers = drive.servers();
    let Drive { sim, applied, .. } = drive;
    let final_volume = final_volume(&sim, servers);
    let stats = sim.stats().clone();
    let trace_hash = sim.trace_hash();
    let closed = sim.into_observer().finish(&final_volume, end);
    Outcome {
        verdict: closed.verdict,
        tap: closed.tap,
        log: closed.log,
        measured: closed.metrics,
        faults: applied,
        stats,
        trace_hash,
        end,
        wall_s: wall.elapsed().as_secs_f64(),
        peak_rss_mb: peak_rss_mb(),
    }
}

/// Run every strategy of a scenario on `seed`, in order.
pub fn run_scenario(scenario: &Scenario, seed: u64) -> Result<Vec<Outcome>, RunError> {
    run_scenario_with(scenario, seed, None)
}

/// Run every strategy of a scenario on `seed`, each broken by `mutant` if given.
pub fn run_scenario_with(
    scenario: &Scenario,
    seed: u64,
    mutant: Option<Mutant>,
) -> Result<Vec<Outcome>, RunError> {
    let faults = fault_schedule(scenario, seed);
    scenario
        .strategies
        .iter()
        .map(|strategy| {
            run_strategy(RunSpec {
                mutant,
                ..RunSpec::new(scenario, strategy, seed, &faults)
            })
        })
        .collect()
}

/// Run every strategy of a scenario on `seed`, in order, writing every operation of
/// each to `out` (`history.jsonl`); returns the writer with the outcomes.
pub fn run_scenario_logged(
    scenario: &Scenario,
    seed: u64,
    mut out: Box<dyn std::io::Write + Send>,
) -> Result<(Vec<Outcome>, Box<dyn std::io::Write + Send>), RunError> {
    let faults = fault_schedule(scenario, seed);
    let mut outcomes = Vec::new();
    for strategy in &scenario.strategies {
        let mut outcome = run_strategy(RunSpec {
            log: Some(HistoryLog::new(&strategy.name, out)),
            ..RunSpec::new(scenario, strategy, seed, &faults)
        })?;
        let log = outcome.log.take().expect("the log comes back");
        out = log
            .into_writer()
            .map_err(|e| RunError::Output(format!("cannot write the history: {e}")))?;
        outcomes.push(outcome);
    }
    Ok((outcomes, out))
}

/// The process's peak resident memory so far, in MiB (Linux; `None` elsewhere).
pub fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some((kb / 1024.0 * 10.0).round() / 10.0)
}

/// Each node's clock drift, uniform in ± `ppm`.
fn clocks(master: &Prng, ppm: f64, nodes: u32) -> Vec<Clock> {
    let mut rng = master.fork(streams::CLOCKS);
    (0..nodes)
        .map(|_| {
            if ppm > 0.0 {
                Clock::with_drift_ppm(rng.uniform(-ppm, ppm))
            } else {
                Clock::EXACT
            }
        })
        .collect()
}

/// The volume of the master the run ends with (or the freshest replica if none).
fn final_volume(sim: &CellSim, servers: u32) -> FinalVolume {
    let node = current_master(sim, servers).unwrap_or_else(|| {
        (0..servers)
            .map(NodeId)
            .max_by_key(|&n| match sim.node(n) {
                AfsNode::Server(s) => s.volume.version,
                AfsNode::Client(_) => unreachable!("servers come first"),
            })
            .expect("at least one server")
    });
    let AfsNode::Server(server) = sim.node(node) else {
        unreachable!("servers come first")
    };
    let _ = AfsVolatile::Server;
    FinalVolume::of(format!("fs{}", server.no), &server.volume)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A run made only to be judged skips the metrics and nothing else: the same verdict,
    /// events and trace hash as the measured run of the same seed.
    #[test]
    fn an_unmeasured_run_is_judged_as_a_measured_one() {
        let text = include_str!("../../scenarios/check-small.json");
        let scenario = crate::scenario::parse(text, "check-small.json").unwrap();
        let seed = 1;
        let faults = fault_schedule(&scenario, seed);
        // Naive, so that the verdict has violations to compare.
        let strategy = &scenario.strategies[3];
        let measured = run_strategy(RunSpec::new(&scenario, strategy, seed, &faults)).unwrap();
        let judged = run_strategy(RunSpec {
            measure: false,
            ..RunSpec::new(&scenario, strategy, seed, &faults)
        })
        .unwrap();
        assert!(judged.measured.is_none());
        let attempted: u64 = measured.metrics().kinds.iter().map(|k| k.attempted).sum();
        assert!(attempted > 0, "the measured run counted its operations");
        assert!(measured.verdict.tallies.iter().any(|t| t.count > 0));
        assert_eq!(judged.verdict, measured.verdict);
        assert_eq!(judged.stats, measured.stats);
        assert_eq!(judged.trace_hash, measured.trace_hash);
    }
}
