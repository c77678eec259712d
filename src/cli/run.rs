//! `afsim run`: every strategy of each scenario on the same seed and faults.

use super::Failure;
use super::out::{say, say_raw};
use crate::chrome_trace;
use crate::report::{files, html, summary, table};
use crate::run::{Outcome, scenario_as_run};
use crate::scenario::{self, Scenario};
use std::path::{Path, PathBuf};

#[derive(clap::Args, Debug)]
pub struct RunArgs {
    /// Scenario files (JSON)
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Seed for every scenario (overrides the file's `seed`)
    #[arg(long)]
    pub seed: Option<u64>,
    /// Folder for the outputs, one subfolder per scenario name
    #[arg(long, default_value = "results")]
    pub out: PathBuf,
    /// Also write trace.json (Chrome trace-event format: open it in Perfetto), streamed to
    /// disk as the run goes. About 400 bytes per message: the whole 6-hour headline run
    /// writes 4.9 GB (memory stays flat, about 29 MiB, but viewers choke), so pick a window
    #[arg(long)]
    pub trace: bool,
    /// Keep only these simulated seconds in the trace, e.g. 1700..2100; a window after the
    /// run's end (duration_s plus the liveness phase) is an error
    #[arg(long, value_name = "A..B", requires = "trace", value_parser = chrome_trace::Window::parse)]
    pub trace_window: Option<chrome_trace::Window>,
    /// Also write history.jsonl: one line per operation of every strategy's run (client,
    /// file, invocation and completion in simulated µs, result, value), for outside
    /// checkers such as Porcupine, Knossos or Elle
    #[arg(long)]
    pub history: bool,
}

impl RunArgs {
    pub fn headline() -> RunArgs {
        RunArgs {
            files: vec![PathBuf::from(super::HEADLINE)],
            seed: None,
            out: PathBuf::from("results"),
            trace: false,
            trace_window: None,
            history: false,
        }
    }
}

/// Load every file first: a bad one stops everything before any output is written.
pub fn load_all(paths: &[PathBuf]) -> Result<Vec<Scenario>, Failure> {
    let scenarios: Vec<Scenario> = paths
        .iter()
        .map(|p| scenario::load(p).map_err(|e| Failure::Input(e.to_string())))
        .collect::<Result<_, _>>()?;
    for (i, s) in scenarios.iter().enumerate() {
        if let Some(j) = scenarios[..i].iter().position(|o| o.name == s.name) {
            return Err(Failure::Input(format!(
                "{} and {} are both named \"{}\": their outputs would overwrite each other",
                paths[j].display(),
                paths[i].display(),
                s.name
            )));
        }
    }
    Ok(scenarios)
}

/// A scenario with a `schedule` replays its own seed: message names depend on it.
pub fn no_seed_with_schedule(
    files: &[std::path::PathBuf],
    scenarios: &[Scenario],
) -> Result<(), Failure> {
    for (file, s) in files.iter().zip(scenarios) {
        if s.schedule.is_some() {
            return Err(Failure::Input(format!(
                "{}: schedule: --seed cannot be used with a schedule, which names messages \
                 of the file's seed ({}); drop --seed",
                file.display(),
                s.seed.map_or("none".to_string(), |n| n.to_string())
            )));
        }
    }
    Ok(())
}

/// `--seed`, else the file's seed, else one drawn from the operating system.
pub fn seed_for(flag: Option<u64>, scenario: &Scenario) -> u64 {
    flag.or(scenario.seed).unwrap_or_else(drawn_seed)
}

fn drawn_seed() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(std::process::id().into());
    h.finish() >> 1
}

/// The first line of output: the seed of every scenario.
pub fn seed_line(scenarios: &[Scenario], seeds: &[u64]) -> String {
    match seeds {
        [one] => format!("seed={one}"),
        _ => scenarios
            .iter()
            .zip(seeds)
            .map(|(s, seed)| format!("seed={seed} ({})", s.name))
            .collect::<Vec<_>>()
            .join(" "),
    }
}

pub fn run(args: RunArgs) -> Result<(), Failure> {
    let scenarios = load_all(&args.files)?;
    if args.seed.is_some() {
        no_seed_with_schedule(&args.files, &scenarios)?;
    }
    for s in &scenarios {
        super::writable(&args.out.join(&s.name), &files::RUN_FILES)?;
        if let Some(window) = args.trace_window {
            super::simulate::check_window(s, window)?;
        }
    }
    let seeds: Vec<u64> = scenarios.iter().map(|s| seed_for(args.seed, s)).collect();
    say!("{}", seed_line(&scenarios, &seeds))?;
    let mut unexpected = Vec::new();
    for (scenario, &seed) in scenarios.iter().zip(&seeds) {
        let dir = args.out.join(&scenario.name);
        let trace_path = dir.join("trace.json");
        let window = args.trace_window.unwrap_or(chrome_trace::Window::ALL);
        let trace = args.trace.then_some((trace_path.as_path(), window));
        let history_path = dir.join("history.jsonl");
        let history = args.history.then_some(history_path.as_path());
        let outcomes = super::simulate::run_scenario(scenario, seed, trace, history)?;
        let summary = summary::summary(scenario, seed, &outcomes);
        write_outputs(&dir, scenario, seed, &summary, &outcomes)?;
        say!("\n{} ({})", scenario.name, describe(scenario))?;
        let ends: Vec<f64> = outcomes.iter().map(|o| o.end.as_secs_f64()).collect();
        say_raw!("{}", table::table(&summary, &ends))?;
        say!("wrote {}", dir.display())?;
        for (strategy, s) in scenario.strategies.iter().zip(&summary.strategies) {
            let total: u64 = s.violations.0.iter().map(|(_, n)| n).sum();
            if total > 0 && !strategy.expect_violations {
                unexpected.push(format!(
                    "{}: {} ({total} violations)",
                    scenario.name, strategy.name
                ));
            }
        }
    }
    if unexpected.is_empty() {
        return Ok(());
    }
    eprintln!(
        "unexpected violations (the scenario does not mark these strategies expect_violations):"
    );
    for u in unexpected {
        eprintln!("  {u}");
    }
    Err(Failure::Violations)
}

fn describe(s: &Scenario) -> String {
    let c = &s.cell;
    use table::count;
    format!(
        "{} s, {}, {}, {}, {}{}",
        s.duration_s,
        count(c.servers.into(), "server"),
        count(c.clients.into(), "client"),
        count(c.files.into(), "file"),
        count(s.faults.len() as u64, "fault"),
        if s.random_faults.is_some() {
            " + random master crashes"
        } else {
            ""
        }
    )
}

fn write_outputs(
    dir: &Path,
    scenario: &Scenario,
    seed: u64,
    summary: &summary::Summary,
    outcomes: &[Outcome],
) -> Result<(), Failure> {
    let io = |path: &Path, e: std::io::Error| {
        Failure::Input(format!("cannot write {}: {e}", path.display()))
    };
    let as_run = scenario_as_run(scenario, seed);
    let outputs: [(&str, String); 4] = [
        ("summary.json", files::json(summary)),
        ("scenario.json", as_run.to_json_pretty()),
        ("perf.json", files::perf_json(scenario, outcomes)),
        ("timeseries.csv", files::timeseries_csv(scenario, outcomes)),
    ];
    for (name, text) in outputs {
        let path = dir.join(name);
        files::write_atomic(&path, text.as_bytes()).map_err(|e| io(&path, e))?;
    }
    let [availability_svg, latency_svg] =
        crate::plot::write_run_plots(dir, scenario, seed, outcomes)
            .map_err(|e| Failure::Input(format!("{e:#}")))?;
    let report = html::Report {
        scenario,
        summary,
        outcomes,
        availability_svg: &availability_svg,
        latency_svg: &latency_svg,
        dir: &dir.display().to_string(),
    };
    let path = dir.join("report.html");
    files::write_atomic(&path, html::report_html(&report).as_bytes()).map_err(|e| io(&path, e))
}
