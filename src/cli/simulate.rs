//! `afsim run`'s runs: every strategy of a scenario in turn, watched by a progress bar
//! on a terminal, traced into `trace.json` and written to `history.jsonl` as they go
//! when asked.

use super::Failure;
use crate::cell::params::Params;
use crate::chrome_trace::{Sink, TraceWriter, Tracer, Window};
use crate::history::HistoryLog;
use crate::progress::{self, SimProgress};
use crate::report::files::PendingFile;
use crate::run::{
    Outcome, RunError, RunSpec, core_to_spare, fault_schedule, liveness_phase, run_strategy,
};
use crate::scenario::Scenario;
use std::path::Path;

/// When strategy `strategy`'s run ends: `duration_s` plus its liveness phase.
fn run_end_s(scenario: &Scenario, index: usize) -> f64 {
    let params = Params::new(scenario, &scenario.strategies[index]);
    scenario.duration_s + liveness_phase(&params).as_secs_f64()
}

/// A `--trace-window` that keeps nothing of the run (it starts after the last strategy's
/// liveness phase ends) is refused before anything runs.
pub fn check_window(scenario: &Scenario, window: Window) -> Result<(), Failure> {
    let end_s = (0..scenario.strategies.len())
        .map(|i| run_end_s(scenario, i))
        .fold(0.0, f64::max);
    let from_s = window.from as f64 / 1e6;
    if from_s > end_s {
        return Err(Failure::Input(format!(
            "--trace-window {from_s}..{}: {} runs from 0 to {end_s:.1} s (duration_s {} \
             and the liveness phase), so this window would keep nothing; pick seconds \
             inside the run",
            window.to as f64 / 1e6,
            scenario.name,
            scenario.duration_s
        )));
    }
    Ok(())
}

/// Runs every strategy of `scenario` on `seed`; with `trace`, writes `trace` (the path
/// of `trace.json`) as the runs go, keeping `window`; with `history`, writes every
/// operation to that path (`history.jsonl`). Both appear only once every run is done.
pub fn run_scenario(
    scenario: &Scenario,
    seed: u64,
    trace: Option<(&Path, Window)>,
    history: Option<&Path>,
) -> Result<Vec<Outcome>, Failure> {
    let stopped = |e| match e {
        RunError::Limit(m) => Failure::Limit(format!("{}: {m}", scenario.name)),
        RunError::Fault(m) | RunError::Output(m) => {
            Failure::Input(format!("{}: {m}", scenario.name))
        }
    };
    let cannot = |path: &Path, e: std::io::Error| {
        Failure::Input(format!("cannot write {}: {e}", path.display()))
    };
    let mut pending = None;
    let mut tracer = match trace {
        None => None,
        Some((path, window)) => {
            let (file, f) = PendingFile::create(path).map_err(|e| cannot(path, e))?;
            pending = Some(file);
            let sink: Sink = TraceWriter::new(std::io::BufWriter::with_capacity(1 << 20, f));
            Some(Tracer::new(scenario, window, sink))
        }
    };
    let mut log = match history {
        None => None,
        Some(path) => {
            let (file, f) = PendingFile::create(path).map_err(|e| cannot(path, e))?;
            let out: Box<dyn std::io::Write + Send> =
                Box::new(std::io::BufWriter::with_capacity(1 << 20, f));
            Some((file, out))
        }
    };
    let ends: Vec<u64> = (0..scenario.strategies.len())
        .map(|i| run_end_s(scenario, i).ceil() as u64)
        .collect();
    let bar = progress::bar(ends.iter().sum(), &scenario.name, "simulated s");
    let faults = fault_schedule(scenario, seed);
    let mut outcomes = Vec::new();
    for (i, strategy) in scenario.strategies.iter().enumerate() {
        bar.set_message(format!(": {}", strategy.name));
        let trace_tap = tracer
            .as_mut()
            .map(|t| Box::new(t.tap(i, &strategy.name)) as Box<dyn sim::Observer<_> + Send>);
        let before_s = ends[..i].iter().sum();
        let (file, out) = match log.take() {
            Some((file, out)) => (Some(file), Some(HistoryLog::new(&strategy.name, out))),
            None => (None, None),
        };
        let mut outcome = run_strategy(RunSpec {
            tap: SimProgress::wrap(&bar, before_s, trace_tap),
            log: out,
            books_apart: core_to_spare(),
            ..RunSpec::new(scenario, strategy, seed, &faults)
        })
        .map_err(stopped)?;
        if let (Some(file), Some(written)) = (file, outcome.log.take()) {
            let path = history.expect("a history path with a history log");
            let out = written.into_writer().map_err(|e| cannot(path, e))?;
            log = Some((file, out));
        }
        match tracer.as_mut() {
            Some(t) => t.ended(&mut outcome),
            None => drop(outcome.tap.take()),
        }
        outcomes.push(outcome);
    }
    bar.finish_and_clear();
    if let (Some(t), Some(file), Some((path, _))) = (tracer, pending, trace) {
        let f = t.finish().map_err(|e| cannot(path, e))?;
        file.commit(f).map_err(|e| cannot(path, e))?;
    }
    if let (Some((file, out)), Some(path)) = (log, history) {
        commit_history(file, out).map_err(|e| cannot(path, e))?;
    }
    Ok(outcomes)
}

/// `history.jsonl` is complete: flush it, close it and rename it into place.
fn commit_history(
    file: PendingFile,
    mut out: Box<dyn std::io::Write + Send>,
) -> std::io::Result<()> {
    out.flush()?;
    drop(out);
    file.rename_into_place()
}
