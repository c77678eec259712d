//! `afsim bench`: how fast the model runs. Each strategy of each scenario runs alone in
//! a fresh process (this same binary), so its peak memory is its own; the table shows
//! events, events per second, simulated seconds per wall second and peak memory.

use super::Failure;
use super::out::say;
use super::run::{load_all, seed_for};
use crate::run::{RunError, RunSpec, core_to_spare, fault_schedule, run_strategy};
use crate::scenario::Scenario;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The scenarios `afsim bench` runs when given none.
pub const DEFAULT: [&str; 3] = [
    "scenarios/afs-failover.json",
    "scenarios/bench-1k-clients-24h.json",
    "scenarios/bench-campus.json",
];

#[derive(clap::Args, Debug)]
pub struct BenchArgs {
    /// Scenario files (JSON); by default the headline, bench-1k-clients-24h and
    /// bench-campus
    pub files: Vec<PathBuf>,
    /// Seed for every scenario (overrides the file's `seed`)
    #[arg(long)]
    pub seed: Option<u64>,
    /// Only the strategies of this name (repeatable)
    #[arg(long = "strategy", value_name = "NAME")]
    pub strategies: Vec<String>,
    /// Run one strategy (by index) of one scenario in this process and print its figures
    /// as JSON: what `afsim bench` runs in each child process
    #[arg(long, value_name = "INDEX", hide = true)]
    pub one: Option<usize>,
}

/// One strategy's figures, as a child process reports them.
#[derive(Serialize, Deserialize)]
struct Figures {
    events: u64,
    wall_s: f64,
    sim_s: f64,
    peak_rss_mb: Option<f64>,
}

pub fn bench(args: BenchArgs) -> Result<(), Failure> {
    let files: Vec<PathBuf> = match args.files.is_empty() {
        true => DEFAULT.iter().map(PathBuf::from).collect(),
        false => args.files.clone(),
    };
    let scenarios = load_all(&files)?;
    if let Some(index) = args.one {
        let [scenario] = &scenarios[..] else {
            return Err(Failure::Input("--one takes exactly one scenario".into()));
        };
        return one(scenario, seed_for(args.seed, scenario), index);
    }
    let picked = pick(&scenarios, &args.strategies)?;
    let exe = std::env::current_exe()
        .map_err(|e| Failure::Input(format!("cannot find the afsim binary to rerun: {e}")))?;
    say!(
        "{:<24} {:<24} {:>12} {:>9} {:>11} {:>12} {:>9}",
        "scenario",
        "strategy",
        "events",
        "wall s",
        "events/s",
        "sim s/wall s",
        "peak MiB"
    )?;
    for ((scenario, path), indices) in scenarios.iter().zip(&files).zip(picked) {
        let seed = seed_for(args.seed, scenario);
        for index in indices {
            let f = child(&exe, path, seed, index)?;
            say!(
                "{:<24} {:<24} {:>12} {:>9.3} {:>11.0} {:>12.1} {:>9}",
                scenario.name,
                scenario.strategies[index].name,
                f.events,
                f.wall_s,
                f.events as f64 / f.wall_s,
                f.sim_s / f.wall_s,
                f.peak_rss_mb.map_or("-".into(), |m| format!("{m:.0}")),
            )?;
        }
    }
    Ok(())
}

/// Per scenario, the indices of the strategies to run; every `--strategy` must name one.
fn pick(scenarios: &[Scenario], names: &[String]) -> Result<Vec<Vec<usize>>, Failure> {
    let all_names = || {
        scenarios
            .iter()
            .flat_map(|s| &s.strategies)
            .map(|s| &s.name)
    };
    if let Some(missing) = names.iter().find(|n| !all_names().any(|a| a == *n)) {
        let known: Vec<&String> = all_names().collect();
        return Err(Failure::Input(format!(
            "--strategy {missing:?} names no strategy of these scenarios; they have {known:?}"
        )));
    }
    Ok(scenarios
        .iter()
        .map(|s| {
            (0..s.strategies.len())
                .filter(|&i| names.is_empty() || names.contains(&s.strategies[i].name))
                .collect()
        })
        .collect())
}

fn child(exe: &Path, file: &Path, seed: u64, index: usize) -> Result<Figures, Failure> {
    let out = Command::new(exe)
        .arg("bench")
        .arg(file)
        .args(["--seed", &seed.to_string(), "--one", &index.to_string()])
        .output()
        .map_err(|e| Failure::Input(format!("cannot start {}: {e}", exe.display())))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        eprint!("{stderr}");
        return Err(match out.status.code() {
            Some(3) => Failure::Limit(format!("{}: stopped at a limit", file.display())),
            _ => Failure::Input(format!("{}: the benchmark run failed", file.display())),
        });
    }
    serde_json::from_str(stdout.trim())
        .map_err(|e| Failure::Input(format!("unreadable figures from a benchmark run: {e}")))
}

/// Run strategy `index` of `scenario` here and print its figures.
fn one(scenario: &Scenario, seed: u64, index: usize) -> Result<(), Failure> {
    let strategy = scenario.strategies.get(index).ok_or_else(|| {
        Failure::Input(format!(
            "--one {index}: {} has {} strategies",
            scenario.name,
            scenario.strategies.len()
        ))
    })?;
    let faults = fault_schedule(scenario, seed);
    let spec = RunSpec {
        books_apart: core_to_spare(),
        ..RunSpec::new(scenario, strategy, seed, &faults)
    };
    let outcome = run_strategy(spec).map_err(|e| match e {
        RunError::Limit(m) => Failure::Limit(format!("{}: {m}", scenario.name)),
        RunError::Fault(m) | RunError::Output(m) => {
            Failure::Input(format!("{}: {m}", scenario.name))
        }
    })?;
    let figures = Figures {
        events: outcome.stats.events,
        wall_s: outcome.wall_s,
        sim_s: outcome.end.as_secs_f64(),
        peak_rss_mb: outcome.peak_rss_mb,
    };
    say!(
        "{}",
        serde_json::to_string(&figures).expect("figures serialise")
    )?;
    Ok(())
}
