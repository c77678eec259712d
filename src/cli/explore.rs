//! `afsim explore`: every schedule with at most K deviations, per strategy.

use super::Failure;
use super::out::{say, say_raw};
use super::run::{load_all, seed_for, seed_line};
use crate::batch;
use crate::explore::{self, Job, SubtreeResult, output};
use crate::report::files::write_atomic;
use crate::run::RunError;
use crate::scenario::Scenario;
use crate::shard::{self, Record, Shard};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

#[derive(clap::Args, Debug)]
pub struct ExploreArgs {
    /// Scenario files (JSON)
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Seed (overrides the file's `seed`)
    #[arg(long)]
    pub seed: Option<u64>,
    /// At most this many deviations per schedule (default: the scenario's
    /// `explore.deviations`, else 2)
    #[arg(long, value_parser = clap::value_parser!(u32).range(0..=16))]
    pub deviations: Option<u32>,
    /// Stop after about this many schedules per strategy, shared evenly among the
    /// subtrees (the result says `complete: false`)
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    pub max_schedules: Option<u64>,
    /// Threads (default: the machine's cores); never changes a result
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    pub jobs: Option<u64>,
    /// Search only shard I of N of the subtrees and write explore.shard-I-of-N.jsonl
    /// for `afsim merge`
    #[arg(long, value_name = "I/N", value_parser = Shard::parse)]
    pub shard: Option<Shard>,
    /// Folder for the outputs, one subfolder per scenario name
    #[arg(long, default_value = "results")]
    pub out: PathBuf,
}

/// What an explore shard's header records besides the split.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShardSettings {
    pub scenario: Scenario,
    pub seed: u64,
    pub deviations: u32,
    pub max_schedules: Option<u64>,
    /// Subtrees per strategy: job numbers run through the strategies in order.
    pub subtrees: Vec<u64>,
}

/// One strategy's searched subtrees, by number.
type Subtrees = Vec<(u64, SubtreeResult)>;

fn failure(e: RunError) -> Failure {
    match e {
        RunError::Limit(m) => Failure::Limit(m),
        other => Failure::Input(other.to_string()),
    }
}

pub fn explore(args: ExploreArgs) -> Result<(), Failure> {
    let scenarios = load_all(&args.files)?;
    for (file, s) in args.files.iter().zip(&scenarios) {
        if s.schedule.is_some() {
            return Err(Failure::Input(format!(
                "{}: schedule: a reproducer replays one schedule with `afsim run`; \
                 explore the scenario it came from",
                file.display()
            )));
        }
        let names: Vec<String> = match args.shard {
            Some(shard) => vec![shard.file_name("explore")],
            None => vec!["explore.json".to_string()],
        };
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        super::writable(&args.out.join(&s.name), &names)?;
        if args.shard.is_some() && args.seed.is_none() && s.seed.is_none() {
            return Err(Failure::Input(format!(
                "{}: --shard needs a fixed seed, so that every shard explores the same run; \
                 give --seed or a seed in the file",
                file.display()
            )));
        }
    }
    let seeds: Vec<u64> = scenarios.iter().map(|s| seed_for(args.seed, s)).collect();
    say!("{}", seed_line(&scenarios, &seeds))?;
    let threads = args.jobs.map_or_else(batch::default_jobs, |j| j as usize);
    let mut clean = true;
    for ((scenario, file), &seed) in scenarios.iter().zip(&args.files).zip(&seeds) {
        let k = explore::Settings::deviations(args.deviations, scenario.explore.as_ref());
        let file = file.display().to_string();
        let settings = ShardSettings {
            scenario: scenario.clone(),
            seed,
            deviations: k,
            max_schedules: args.max_schedules,
            subtrees: subtree_counts(scenario, seed, k)?,
        };
        let (results, walls) = search_all(&settings, threads, args.shard)?;
        let dir = args.out.join(&scenario.name);
        match args.shard {
            None => clean &= finish(&settings, &results, &walls, &file, &dir)?,
            Some(shard) => write_shard(&settings, &results, shard, &file, &dir)?,
        }
    }
    if clean {
        Ok(())
    } else {
        Err(Failure::Violations)
    }
}

fn subtree_counts(scenario: &Scenario, seed: u64, k: u32) -> Result<Vec<u64>, Failure> {
    (0..scenario.strategies.len())
        .map(|strategy| {
            let job = Job {
                scenario,
                strategy,
                seed,
                mutant: None,
                deviations: k,
                first_only: false,
            };
            job.subtrees().map_err(failure)
        })
        .collect()
}

/// Each strategy's subtrees (this shard's, if sharded), with each strategy's wall time.
fn search_all(
    s: &ShardSettings,
    threads: usize,
    shard: Option<Shard>,
) -> Result<(Vec<Subtrees>, Vec<f64>), Failure> {
    let total: u64 = s.subtrees.iter().sum();
    let bar = crate::progress::bar(total, &format!("{} ", s.scenario.name), "subtrees");
    let mut offset = 0;
    let mut results = Vec::new();
    let mut walls = Vec::new();
    for (strategy, &subtrees) in s.subtrees.iter().enumerate() {
        let wall = std::time::Instant::now();
        let job = Job {
            scenario: &s.scenario,
            strategy,
            seed: s.seed,
            mutant: None,
            deviations: s.deviations,
            first_only: false,
        };
        let wanted = move |i: u64| shard.is_none_or(|sh| sh.selects(offset + i));
        let max = s.max_schedules;
        let budget = move |i: u64| explore::share(max, subtrees, i);
        let tick = |_: &SubtreeResult| bar.inc(1);
        let found =
            explore::search_parallel(job, threads, &wanted, &budget, &tick).map_err(failure)?;
        results.push(found);
        walls.push(wall.elapsed().as_secs_f64());
        offset += subtrees;
    }
    bar.finish_and_clear();
    Ok((results, walls))
}

/// Write `explore.json` and the reproducers, print the table; whether it was clean.
pub fn finish(
    s: &ShardSettings,
    results: &[Vec<(u64, SubtreeResult)>],
    walls: &[f64],
    file: &str,
    dir: &Path,
) -> Result<bool, Failure> {
    let combined: Vec<(u64, SubtreeResult)> = results
        .iter()
        .zip(&s.subtrees)
        .map(|(r, &n)| (n, SubtreeResult::combine(r.iter().map(|(_, r)| r))))
        .collect();
    let json = output::explore_json(
        &s.scenario,
        s.seed,
        s.deviations,
        s.max_schedules,
        &combined,
    );
    let mut text = serde_json::to_string_pretty(&json).expect("explore.json serialises");
    text.push('\n');
    let mut repros = Vec::new();
    for (k, (strategy, (_, r))) in s.scenario.strategies.iter().zip(&combined).enumerate() {
        if strategy.expect_violations {
            continue;
        }
        if let Some(best) = &r.best {
            let repro = output::reproducer(&s.scenario, k, s.seed, best);
            repros.push((dir.join(output::repro_name(&strategy.name)), repro));
        }
    }
    write(&dir.join("explore.json"), text.as_bytes())?;
    for (path, repro) in &repros {
        write(path, repro.to_json_pretty().as_bytes())?;
    }
    say!(
        "\n{} (seed {}, at most {} deviations in [{}, {}] s)",
        s.scenario.name,
        s.seed,
        s.deviations,
        json.window_s[0],
        json.window_s[1]
    )?;
    say_raw!("{}", output::table(&json, walls))?;
    say!("wrote {}", dir.join("explore.json").display())?;
    for (path, _) in &repros {
        say!(
            "unexpected violation ({file}): replay with: afsim run {}",
            path.display()
        )?;
    }
    Ok(repros.is_empty())
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    write_atomic(path, bytes)
        .map_err(|e| Failure::Input(format!("cannot write {}: {e}", path.display())))
}

fn write_shard(
    s: &ShardSettings,
    results: &[Vec<(u64, SubtreeResult)>],
    shard: Shard,
    file: &str,
    dir: &Path,
) -> Result<(), Failure> {
    let mut records = Vec::new();
    let mut offset = 0;
    for (r, &n) in results.iter().zip(&s.subtrees) {
        for (i, result) in r {
            records.push(Record {
                job: offset + i,
                result: serde_json::to_value(result).expect("results serialise"),
            });
        }
        offset += n;
    }
    let header = shard::Header {
        command: "explore".to_string(),
        afsim_version: env!("CARGO_PKG_VERSION").to_string(),
        scenario: s.scenario.name.clone(),
        file: file.to_string(),
        shard,
        jobs: s.subtrees.iter().sum(),
        settings: serde_json::to_value(s).expect("settings serialise"),
    };
    let path = dir.join(shard.file_name("explore"));
    write(&path, shard::jsonl(&header, &records).as_bytes())?;
    say!("shard {shard}: wrote {}", path.display())?;
    Ok(())
}

/// `afsim merge` of explore shards: the outputs one unsharded run writes.
pub fn merged(m: &crate::shard::merge::Merged, out: &Path) -> Result<bool, Failure> {
    let place = m.files[0].display().to_string();
    let bad = |what: String| Failure::Input(format!("{place}: {what}"));
    let s: ShardSettings = serde_json::from_value(m.header.settings.clone())
        .map_err(|e| bad(format!("not explore shard settings: {e}")))?;
    crate::scenario::validate(&s.scenario, &place).map_err(|e| Failure::Input(e.to_string()))?;
    if s.subtrees.iter().sum::<u64>() != m.results.len() as u64 {
        return Err(bad("the subtrees do not fit the strategies".into()));
    }
    let mut results = Vec::new();
    let mut all = m.results.iter();
    for &n in &s.subtrees {
        let mut one = Vec::new();
        for i in 0..n {
            let value = all.next().expect("counted").clone();
            let r: SubtreeResult = serde_json::from_value(value)
                .map_err(|e| bad(format!("not explore results: {e}")))?;
            one.push((i, r));
        }
        results.push(one);
    }
    let walls = vec![0.0; s.subtrees.len()];
    finish(
        &s,
        &results,
        &walls,
        &m.header.file,
        &out.join(&m.header.scenario),
    )
}
