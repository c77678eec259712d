//! `afsim sweep --shard K/N` and the sweep half of `afsim merge`.

use super::Failure;
use super::out::say;
use super::sweep::{finish, job_failure};
use crate::report::files::write_atomic;
use crate::report::summary::VERSION;
use crate::scenario;
use crate::shard::{self, Record, Shard, merge::Merged};
use crate::sweep::grid::{Point, SetSpec};
use crate::sweep::{self, METRICS, Sample, Sweep};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// What a sweep shard's header records besides the split: the grid and the seeds.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SweepSettings {
    specs: Vec<SetSpec>,
    seeds: Vec<u64>,
    points: Vec<Point>,
}

/// Runs shard `shard` of the sweep's jobs and writes `sweep.shard-K-of-N.jsonl`.
pub(super) fn run(sweep: &Sweep, shard: Shard, threads: usize, out: &Path) -> Result<(), Failure> {
    let total = sweep::jobs(sweep).len() as u64;
    let jobs = shard.jobs(total);
    say!("shard {shard}: {} of the {total} runs", jobs.len())?;
    let bar = crate::progress::bar(jobs.len() as u64, &sweep.name, "runs");
    let samples =
        sweep::run_selected(sweep, &jobs, threads, &bar).map_err(|e| job_failure(sweep, e))?;
    let records: Vec<Record> = jobs
        .iter()
        .zip(&samples)
        .map(|(&job, s)| Record {
            job,
            result: serde_json::to_value(s).expect("samples serialise"),
        })
        .collect();
    let settings = SweepSettings {
        specs: sweep.specs.clone(),
        seeds: sweep.seeds.clone(),
        points: sweep.points.clone(),
    };
    let header = shard::Header {
        command: "sweep".into(),
        afsim_version: VERSION.into(),
        scenario: sweep.name.clone(),
        file: sweep.file.clone(),
        shard,
        jobs: total,
        settings: serde_json::to_value(&settings).expect("settings serialise"),
    };
    let path = out.join(&sweep.name).join(shard.file_name("sweep"));
    write_atomic(&path, shard::jsonl(&header, &records).as_bytes())
        .map_err(|e| Failure::Input(format!("cannot write {}: {e}", path.display())))?;
    say!("wrote {}", path.display())?;
    unexpected(sweep, &jobs, &samples)
}

/// Exit 1 if a run of this shard broke an invariant its strategy does not expect,
/// naming the point and seed that replay it.
fn unexpected(sweep: &Sweep, jobs: &[u64], samples: &[Vec<Sample>]) -> Result<(), Failure> {
    let v = METRICS
        .iter()
        .position(|m| m.key == "violations")
        .expect("a metric");
    let all = sweep::jobs(sweep);
    let mut clean = true;
    for (&job, runs) in jobs.iter().zip(samples) {
        let (point, seed) = all[job as usize];
        let scenario = &sweep.points[point].scenario;
        for (strategy, sample) in scenario.strategies.iter().zip(runs) {
            if strategy.expect_violations || !sample[v].is_some_and(|n| n > 0.0) {
                continue;
            }
            clean = false;
            let set: String = sweep
                .specs
                .iter()
                .zip(sweep.points[point].values(&sweep.specs))
                .map(|(s, v)| format!("--set {}={v} ", s.path))
                .collect();
            eprintln!(
                "unexpected violations in {}, seed {seed} (replay: afsim sweep {} {set}--seed {seed} --seeds 1)",
                strategy.name, sweep.file
            );
        }
    }
    if clean {
        Ok(())
    } else {
        Err(Failure::Violations)
    }
}

/// Writes a merged sweep's outputs, as the unsharded sweep would have.
pub(super) fn merged(m: &Merged, out: &Path) -> Result<(), Failure> {
    let files: Vec<String> = m.files.iter().map(|p| p.display().to_string()).collect();
    let bad = |what: String| Failure::Input(format!("{}: {what}", files.join(", ")));
    let settings: SweepSettings = serde_json::from_value(m.header.settings.clone())
        .map_err(|e| bad(format!("not sweep shard settings: {e}")))?;
    for p in &settings.points {
        scenario::validate(&p.scenario, &files[0]).map_err(|e| Failure::Input(e.to_string()))?;
    }
    let flat: Vec<Vec<Sample>> = m
        .results
        .iter()
        .map(|r| serde_json::from_value(r.clone()))
        .collect::<Result<_, _>>()
        .map_err(|e| bad(format!("not sweep samples: {e}")))?;
    let sweep = Sweep {
        file: m.header.file.clone(),
        name: m.header.scenario.clone(),
        specs: settings.specs,
        points: settings.points,
        seeds: settings.seeds,
    };
    let fits = flat.len() == sweep.points.len() * sweep.seeds.len()
        && sweep::jobs(&sweep)
            .iter()
            .zip(&flat)
            .all(|(&(p, _), runs)| runs.len() == sweep.points[p].scenario.strategies.len());
    if !fits {
        return Err(bad("the runs do not fit the grid and seeds".into()));
    }
    finish(
        &sweep,
        &sweep::per_point(&sweep, flat),
        &out.join(&sweep.name),
    )
}
