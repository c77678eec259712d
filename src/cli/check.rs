//! `afsim check`: many seeds of each scenario, every invariant; unexpected violations
//! shrunk to reproducers.

use super::Failure;
use super::out::{say, say_raw};
use super::run::{load_all, seed_for};
use super::sweep::seeds_line;
use crate::batch;
use crate::report::files::write_atomic;
use crate::run::RunError;
use crate::scenario::Scenario;
use crate::seedcheck::{self, JobError, Report, Seeds, Settings, output};
use crate::shard::{self, Record, Shard};
use std::path::{Path, PathBuf};

#[derive(clap::Args, Debug)]
pub struct CheckArgs {
    /// Scenario files (JSON)
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Seeds per scenario: seed, seed+1, ...
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u64).range(1..))]
    pub seeds: u64,
    /// The first seed (overrides the file's `seed`)
    #[arg(long)]
    pub seed: Option<u64>,
    /// Runs at once (default: the machine's cores); never changes a result
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    pub jobs: Option<u64>,
    /// Swarm testing: each seed also draws the cell size, the network and which fault
    /// kinds are on (within what the safe strategies claim to survive)
    #[arg(long)]
    pub swarm: bool,
    /// Run only shard K of N (seeds number K-1, K-1+N, ...) and write
    /// check.shard-K-of-N.jsonl for `afsim merge`
    #[arg(long, value_name = "K/N", value_parser = Shard::parse)]
    pub shard: Option<Shard>,
    /// Folder for the outputs, one subfolder per scenario name
    #[arg(long, default_value = "results")]
    pub out: PathBuf,
}

pub fn check(args: CheckArgs) -> Result<(), Failure> {
    let scenarios = load_all(&args.files)?;
    let seeds = first_seeds(&args, &scenarios)?;
    for s in &scenarios {
        super::writable(&args.out.join(&s.name), &["check.json"])?;
    }
    let lines: Vec<String> = seeds.iter().map(|(_, list)| seeds_line(list)).collect();
    match &lines[..] {
        [one] => say!("{one}")?,
        _ => {
            let named: Vec<String> = lines
                .iter()
                .zip(&scenarios)
                .map(|(l, s)| format!("{l} ({})", s.name))
                .collect();
            say!("{}", named.join(" "))?;
        }
    }
    let threads = args.jobs.map_or_else(batch::default_jobs, |j| j as usize);
    let mut clean = true;
    for ((scenario, file), (seeds, _)) in scenarios.iter().zip(&args.files).zip(&seeds) {
        let settings = Settings {
            seeds: *seeds,
            swarm: args.swarm,
        };
        let file = file.display().to_string();
        clean &= match args.shard {
            None => whole(scenario, &file, settings, threads, &args.out)?,
            Some(shard) => sharded(scenario, &file, settings, shard, threads, &args.out)?,
        };
    }
    if clean {
        Ok(())
    } else {
        Err(Failure::Violations)
    }
}

/// Each scenario's seeds (and their list): `--seed`, the file's, or one drawn. Shards
/// must agree on their seeds, so `--shard` refuses to draw one.
fn first_seeds(
    args: &CheckArgs,
    scenarios: &[Scenario],
) -> Result<Vec<(Seeds, Vec<u64>)>, Failure> {
    let unseeded = args
        .files
        .iter()
        .zip(scenarios)
        .find(|(_, s)| s.seed.is_none());
    if let (Some(_), None, Some((f, _))) = (args.shard, args.seed, unseeded) {
        return Err(Failure::Input(format!(
            "{}: --shard needs a fixed first seed, so that every shard runs the same \
             seeds: give --seed N (or a seed in the file)",
            f.display()
        )));
    }
    scenarios
        .iter()
        .map(|s| {
            let seeds = Seeds {
                first: seed_for(args.seed, s),
                count: args.seeds,
            };
            let list = seeds.list().ok_or_else(|| {
                Failure::Input(format!(
                    "--seed {} + --seeds {} overflows",
                    seeds.first, seeds.count
                ))
            })?;
            Ok((seeds, list))
        })
        .collect()
}

fn describe(scenario: &Scenario, settings: &Settings, runs: usize, threads: usize) -> String {
    use crate::report::table::count;
    format!(
        "{}: {} x {}{}, {threads} at a time",
        scenario.name,
        count(runs as u64, "seed"),
        count(scenario.strategies.len() as u64, "strategy"),
        if settings.swarm { ", swarm" } else { "" }
    )
}

fn job_failure(scenario: &Scenario, e: JobError) -> Failure {
    let place = format!("{}, seed {}", scenario.name, e.seed);
    match e.error {
        RunError::Limit(m) => Failure::Limit(format!("{place}: {m}")),
        RunError::Fault(m) | RunError::Output(m) => Failure::Input(format!("{place}: {m}")),
    }
}

/// Every seed: `check.json`, the table, and reproducers. Whether it was clean.
fn whole(
    scenario: &Scenario,
    file: &str,
    settings: Settings,
    threads: usize,
    out: &Path,
) -> Result<bool, Failure> {
    let count = settings.seeds.count as usize;
    say!("{}", describe(scenario, &settings, count, threads))?;
    let bar = crate::progress::bar(count as u64, &scenario.name, "seeds");
    let report = seedcheck::check_with(scenario, settings, threads, None, &bar)
        .map_err(|e| job_failure(scenario, e))?;
    finish(&report, file, &out.join(&scenario.name))
}

/// Writes `check.json`, prints the table, and shrinks each unexpected violation to a
/// reproducer (shared by `check` and `merge`). Whether the report was clean.
pub(super) fn finish(report: &Report, file: &str, dir: &Path) -> Result<bool, Failure> {
    let path = dir.join("check.json");
    write(&path, &output::check_json(report))?;
    say_raw!("\n{}", output::table(report))?;
    say!("wrote {}", path.display())?;
    let failures = report.failures();
    if failures.is_empty() {
        return Ok(true);
    }
    eprintln!(
        "unexpected violations in {} (the scenario does not mark these strategies expect_violations):",
        report.scenario.name
    );
    for f in &failures {
        reproduce(report, f, file, dir)?;
    }
    Ok(false)
}

/// Names the failing seed and its replay command, then shrinks it and writes the
/// reproducer.
fn reproduce(
    report: &Report,
    f: &seedcheck::Failure,
    file: &str,
    dir: &Path,
) -> Result<(), Failure> {
    let name = &report.scenario.strategies[f.strategy].name;
    eprintln!(
        "  {name}: {} on seed {} ({} of {} seeds had violations)",
        f.kind.name(),
        f.seed,
        f.seeds_failed,
        report.runs.len()
    );
    eprintln!(
        "    replay: {}",
        replay(file, f.seed, report.settings.swarm)
    );
    eprintln!("    shrinking...");
    let shrunk = report.reproducer(f, None).map_err(|error| {
        let e = JobError {
            seed: f.seed,
            error,
        };
        job_failure(&report.scenario, e)
    })?;
    let path = dir.join(output::repro_file(name, f.seed));
    write(
        &path,
        &reproducer(report, f, name, &shrunk).to_json_pretty(),
    )?;
    eprintln!(
        "    reproducer: {} ({}; the failing run had {}; {} runs to shrink)",
        path.display(),
        shrunk.after,
        shrunk.before,
        shrunk.runs
    );
    if let Some(e) = &shrunk.example {
        let kind = f.kind.name();
        eprintln!(
            "    first {kind} at {} s, {}: {}",
            e.at_s, e.client, e.detail
        );
    }
    Ok(())
}

/// The command that replays one seed exactly.
fn replay(file: &str, seed: u64, swarm: bool) -> String {
    match swarm {
        false => format!("afsim run {file} --seed {seed}"),
        true => format!("afsim check {file} --swarm --seed {seed} --seeds 1"),
    }
}

fn reproducer(
    report: &Report,
    f: &seedcheck::Failure,
    strategy: &str,
    shrunk: &crate::shrink::Shrunk,
) -> Scenario {
    let mut s = shrunk.scenario.clone();
    let base = &report.scenario.name;
    s.name = format!("{base}-repro-{}-seed{}", output::slug(strategy), f.seed);
    s.description = format!(
        "Shrunk by afsim check from {base}, seed {}{}: {strategy} breaks {} ({}; the failing \
         run had {}). `afsim run` of this file replays it.",
        f.seed,
        if report.settings.swarm {
            " with --swarm"
        } else {
            ""
        },
        f.kind.name(),
        shrunk.after,
        shrunk.before
    );
    s
}

fn write(path: &Path, text: &str) -> Result<(), Failure> {
    write_atomic(path, text.as_bytes())
        .map_err(|e| Failure::Input(format!("cannot write {}: {e}", path.display())))
}

/// One shard's seeds, written as JSON lines for `afsim merge`. Whether it was clean.
fn sharded(
    scenario: &Scenario,
    file: &str,
    settings: Settings,
    shard: Shard,
    threads: usize,
    out: &Path,
) -> Result<bool, Failure> {
    let jobs = shard.jobs(settings.seeds.count);
    say!(
        "shard {shard}: {}",
        describe(scenario, &settings, jobs.len(), threads)
    )?;
    let bar = crate::progress::bar(jobs.len() as u64, &scenario.name, "seeds");
    let runs = seedcheck::run_jobs(scenario, &settings, &jobs, threads, None, &bar)
        .map_err(|e| job_failure(scenario, e))?;
    let records: Vec<Record> = jobs
        .iter()
        .zip(&runs)
        .map(|(&job, run)| Record {
            job,
            result: serde_json::to_value(run).expect("runs serialise"),
        })
        .collect();
    let header = shard::Header {
        command: "check".into(),
        afsim_version: crate::report::summary::VERSION.into(),
        scenario: scenario.name.clone(),
        file: file.to_string(),
        shard,
        jobs: settings.seeds.count,
        settings: settings_json(scenario, &settings),
    };
    let path = out.join(&scenario.name).join(shard.file_name("check"));
    write(&path, &shard::jsonl(&header, &records))?;
    say!("wrote {}", path.display())?;
    let failures = seedcheck::failures(&seedcheck::judged(scenario, settings.swarm), &runs);
    for f in &failures {
        eprintln!(
            "unexpected {} in {} on seed {}; replay: {} (afsim merge writes the shrunk reproducer)",
            f.kind.name(),
            scenario.strategies[f.strategy].name,
            f.seed,
            replay(file, f.seed, settings.swarm)
        );
    }
    Ok(failures.is_empty())
}

/// What a check shard's header records besides the split: the scenario and settings.
pub(super) fn settings_json(scenario: &Scenario, settings: &Settings) -> serde_json::Value {
    serde_json::json!({ "scenario": scenario, "seeds": settings.seeds, "swarm": settings.swarm })
}
