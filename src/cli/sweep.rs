//! `afsim sweep`: a scenario over a grid of settings, many seeds per point.

use super::Failure;
use super::out::{say, say_raw};
use super::run::seed_for;
use crate::report::files::write_atomic;
use crate::run::RunError;
use crate::scenario;
use crate::sweep::grid::{self, SetSpec};
use crate::sweep::{self, Cell, JobError, METRICS, Sweep, output};
use crate::{batch, plot};
use std::path::{Path, PathBuf};

#[derive(clap::Args, Debug)]
pub struct SweepArgs {
    /// Scenario file (JSON)
    pub file: PathBuf,
    /// A field to vary and its values, e.g. strategies.*.callback_lease_s=10,600,afs;
    /// repeat for a grid of every combination
    #[arg(long = "set", value_name = "PATH=V1,V2,...")]
    pub set: Vec<String>,
    /// Seeds per point: seed, seed+1, ... (the same at every point)
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u64).range(1..))]
    pub seeds: u64,
    /// The first seed (overrides the file's `seed`)
    #[arg(long)]
    pub seed: Option<u64>,
    /// Runs at once (default: the machine's cores); never changes a result
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    pub jobs: Option<u64>,
    /// Run only shard K of N (jobs K-1, K-1+N, ... of points x seeds) and write
    /// sweep.shard-K-of-N.jsonl for `afsim merge`
    #[arg(long, value_name = "K/N", value_parser = crate::shard::Shard::parse)]
    pub shard: Option<crate::shard::Shard>,
    /// Folder for the outputs, one subfolder per scenario name
    #[arg(long, default_value = "results")]
    pub out: PathBuf,
}

/// Parses and validates everything, so that a bad `--set` stops the sweep before any
/// run starts or any file is written.
fn prepare(args: &SweepArgs) -> Result<Sweep, Failure> {
    let specs: Vec<SetSpec> = args
        .set
        .iter()
        .map(|s| SetSpec::parse(s).map_err(Failure::Input))
        .collect::<Result<_, _>>()?;
    let file = args.file.display().to_string();
    let base = scenario::load(&args.file).map_err(|e| Failure::Input(e.to_string()))?;
    let text = std::fs::read_to_string(&args.file)
        .map_err(|e| Failure::Input(format!("{file}: cannot read the file: {e}")))?;
    let doc: serde_json::Value = serde_json::from_str(text.trim_start_matches('\u{feff}'))
        .map_err(|e| Failure::Input(format!("{file}: {e}")))?;
    let points = grid::points(&doc, &specs, &file).map_err(Failure::Input)?;
    if args.shard.is_some() && args.seed.is_none() && base.seed.is_none() {
        return Err(Failure::Input(format!(
            "{file}: --shard needs a fixed first seed, so that every shard runs the same \
             seeds: give --seed N (or a seed in the file)"
        )));
    }
    let first = seed_for(args.seed, &base);
    let seeds: Vec<u64> = (0..args.seeds)
        .map(|k| first.checked_add(k))
        .collect::<Option<_>>()
        .ok_or_else(|| {
            Failure::Input(format!("--seed {first} + --seeds {} overflows", args.seeds))
        })?;
    Ok(Sweep {
        file,
        name: base.name,
        specs,
        points,
        seeds,
    })
}

/// `seeds=42..61` (or `seeds=42` for one).
pub(super) fn seeds_line(seeds: &[u64]) -> String {
    match seeds {
        [one] => format!("seeds={one}"),
        _ => format!("seeds={}..{}", seeds[0], seeds[seeds.len() - 1]),
    }
}

pub fn sweep(args: SweepArgs) -> Result<(), Failure> {
    let sweep = prepare(&args)?;
    super::writable(&args.out.join(&sweep.name), &["sweep.json", "sweep.csv"])?;
    say!("{}", seeds_line(&sweep.seeds))?;
    let threads = args.jobs.map_or_else(batch::default_jobs, |j| j as usize);
    let runs = sweep.points.len() * sweep.seeds.len();
    use crate::report::table::count;
    say!(
        "{}: {} x {} = {} of every strategy, {threads} at a time",
        sweep.name,
        count(sweep.points.len() as u64, "point"),
        count(sweep.seeds.len() as u64, "seed"),
        count(runs as u64, "run"),
    )?;
    if let Some(shard) = args.shard {
        return super::sweep_shard::run(&sweep, shard, threads, &args.out);
    }
    let bar = crate::progress::bar(runs as u64, &sweep.name, "runs");
    let samples = sweep::run(&sweep, threads, &bar).map_err(|e| job_failure(&sweep, e))?;
    finish(&sweep, &samples, &args.out.join(&sweep.name))
}

/// Writes the outputs, prints the table and judges the violations (shared by `sweep`
/// and `merge`).
pub(super) fn finish(sweep: &Sweep, samples: &sweep::Samples, dir: &Path) -> Result<(), Failure> {
    let cells = sweep::reduce(sweep, samples);
    write_outputs(dir, sweep, &cells)?;
    say_raw!("\n{}", output::table(sweep, &cells))?;
    say!("wrote {}", dir.display())?;
    unexpected_violations(sweep, &cells)
}

pub(super) fn job_failure(sweep: &Sweep, e: JobError) -> Failure {
    let values = sweep.points[e.point].values(&sweep.specs);
    let at = sweep
        .specs
        .iter()
        .zip(values)
        .map(|(s, v)| format!(" {}={v}", s.path))
        .collect::<String>();
    let place = format!("{}{at}, seed {}", sweep.name, e.seed);
    match e.error {
        RunError::Limit(m) => Failure::Limit(format!("{place}: {m}")),
        RunError::Fault(m) | RunError::Output(m) => Failure::Input(format!("{place}: {m}")),
    }
}

fn write_outputs(dir: &Path, sweep: &Sweep, cells: &[Vec<Cell>]) -> Result<(), Failure> {
    let files = [
        ("sweep.json", output::sweep_json(sweep, cells)),
        ("sweep.csv", output::sweep_csv(sweep, cells)),
    ];
    for (name, text) in files {
        let path = dir.join(name);
        write_atomic(&path, text.as_bytes())
            .map_err(|e| Failure::Input(format!("cannot write {}: {e}", path.display())))?;
    }
    for (m, metric) in METRICS.iter().enumerate() {
        let p = plot::sweep::SweepPlot::new(sweep, cells, m);
        plot::write(dir, &format!("sweep-{}", metric.key), &p)
            .map(drop)
            .map_err(|e| Failure::Input(format!("{e:#}")))?;
    }
    Ok(())
}

/// Exit 1 if a strategy not marked `expect_violations` violated an invariant at some
/// point, naming the seeds that replay it.
fn unexpected_violations(sweep: &Sweep, cells: &[Vec<Cell>]) -> Result<(), Failure> {
    let violations = METRICS
        .iter()
        .position(|m| m.key == "violations")
        .expect("a metric");
    let mut lines = Vec::new();
    for (point, row) in sweep.points.iter().zip(cells) {
        let set: Vec<String> = sweep
            .specs
            .iter()
            .zip(point.values(&sweep.specs))
            .map(|(s, v)| format!("--set {}={v}", s.path))
            .collect();
        for c in row.iter().filter(|c| !c.expect_violations) {
            let seeds: Vec<String> = sweep
                .seeds
                .iter()
                .zip(&c.per_seed[violations])
                .filter(|(_, v)| v.is_some_and(|v| v > 0.0))
                .map(|(s, _)| s.to_string())
                .collect();
            if let Some(first) = seeds.first() {
                lines.push(format!(
                    "  {}: seeds {} (replay: afsim sweep {} {}--seed {first} --seeds 1)",
                    c.strategy,
                    seeds.join(", "),
                    sweep.file,
                    set.iter().map(|s| format!("{s} ")).collect::<String>()
                ));
            }
        }
    }
    if lines.is_empty() {
        return Ok(());
    }
    eprintln!(
        "unexpected violations (the scenario does not mark these strategies expect_violations):"
    );
    for l in lines {
        eprintln!("{l}");
    }
    Err(Failure::Violations)
}
