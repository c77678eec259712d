//! The command line (CONTRACT.md): commands, their arguments, and exit statuses.

mod bench;
mod check;
mod explore;
mod merge;
mod out;
mod run;
mod simulate;
mod sweep;
mod sweep_shard;

use clap::{Parser, Subcommand};
use out::{say, say_raw};
use std::path::PathBuf;

/// Compare how a replicated AFS-style file service recovers callbacks and locks when
/// its read-write server fails: lease timeout, token recovery, quorum, naive.
#[derive(Parser, Debug)]
#[command(name = "afsim", version, about, long_about = None)]
#[command(
    after_help = "With no command, runs the headline comparison: scenarios/afs-failover.json into results/."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run scenarios: every strategy on the same seed and faults; write results and print a table
    Run(run::RunArgs),
    /// Run many seeds of each scenario and check every invariant; shrink unexpected violations
    Check(check::CheckArgs),
    /// Run a scenario over a grid of settings and many seeds; write means and 95% intervals
    Sweep(sweep::SweepArgs),
    /// Time the model: each strategy alone in a fresh process; print events, events/s,
    /// simulated seconds per wall second and peak memory
    ///
    /// Each simulation runs on one thread; its books (checkers, metrics) go to a second
    /// thread when the process may use two cores. Pin it (`taskset -c 1 afsim bench`) to
    /// time a run on one core alone.
    Bench(bench::BenchArgs),
    /// Every schedule of a small cell with at most K deviations from the default one,
    /// for every strategy; a reproducer per unexpected violation
    Explore(explore::ExploreArgs),
    /// Combine the shards of `check`, `sweep` or `explore --shard` runs into their outputs
    Merge(merge::MergeArgs),
    /// Parse and check scenario files; print `ok NAME` for each good one
    Validate {
        /// Scenario files (JSON)
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Print the JSON Schema of the scenario format
    Schema,
}

/// How a command failed, and the exit status that says so.
#[derive(Debug)]
pub enum Failure {
    /// Bad usage or bad input: exit 2.
    Input(String),
    /// A violation the scenario did not expect: exit 1 (already reported).
    Violations,
    /// A run stopped at a limit: exit 3.
    Limit(String),
    /// Standard output was closed by its reader (`afsim run … | head`): stop quietly,
    /// exit 0.
    Closed,
}

impl Failure {
    pub fn exit_code(&self) -> u8 {
        match self {
            Failure::Closed => 0,
            Failure::Violations => 1,
            Failure::Input(_) => 2,
            Failure::Limit(_) => 3,
        }
    }
}

/// The headline scenario `afsim` runs with no command.
pub const HEADLINE: &str = "scenarios/afs-failover.json";

pub fn main(cli: Cli) -> Result<(), Failure> {
    match cli.command {
        None => run::run(run::RunArgs::headline()),
        Some(Command::Run(args)) => run::run(args),
        Some(Command::Check(args)) => check::check(args),
        Some(Command::Sweep(args)) => sweep::sweep(args),
        Some(Command::Bench(args)) => bench::bench(args),
        Some(Command::Explore(args)) => explore::explore(args),
        Some(Command::Merge(args)) => merge::merge(args),
        Some(Command::Validate { files }) => validate(&files),
        Some(Command::Schema) => {
            say_raw!("{}", crate::scenario::schema_json())?;
            Ok(())
        }
    }
}

/// Output problems are found before anything runs (CONTRACT): `folder` must be, or be
/// creatable as, a folder that takes new files, with none of `files` a folder.
fn writable(folder: &std::path::Path, files: &[&str]) -> Result<(), Failure> {
    crate::report::outdir::check_writable(folder, files).map_err(|e| Failure::Input(e.to_string()))
}

/// `afsim validate`: every file parsed and checked first; then, per file, a `warning:`
/// line for each setting that defeats its strategy and `ok NAME`.
fn validate(files: &[PathBuf]) -> Result<(), Failure> {
    let mut scenarios = Vec::new();
    for f in files {
        let s = crate::scenario::load(f).map_err(|e| Failure::Input(e.to_string()))?;
        scenarios.push((f, s));
    }
    for (f, s) in scenarios {
        for w in crate::scenario::warnings(&s) {
            say!("warning: {}: {w}", f.display())?;
        }
        say!("ok {}", s.name)?;
    }
    Ok(())
}
