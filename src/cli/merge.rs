//! `afsim merge`: the shards of `check` and `sweep` runs back into the outputs one
//! unsharded run writes, byte for byte (and, for `check`, its reproducers).

use super::Failure;
use super::out::say;
use crate::scenario::{self, Scenario};
use crate::seedcheck::{self, Report, SeedRun, Seeds, Settings};
use crate::shard::merge::{self, Merged};
use serde::Deserialize;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct MergeArgs {
    /// Folders holding shard files (*.shard-K-of-N.jsonl), directly or one level down
    #[arg(required = true)]
    pub dirs: Vec<PathBuf>,
    /// Folder for the merged outputs, one subfolder per scenario name
    #[arg(long, default_value = "results")]
    pub out: PathBuf,
}

/// A check shard's settings (see `check::settings_json`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckSettings {
    scenario: Scenario,
    seeds: Seeds,
    swarm: bool,
}

pub fn merge(args: MergeArgs) -> Result<(), Failure> {
    let runs = merge::merge(&args.dirs).map_err(Failure::Input)?;
    // Read every run before writing anything: bad input leaves no output behind.
    let mut checks = Vec::new();
    for m in &runs {
        match m.header.command.as_str() {
            "check" => checks.push(Some(check_report(m)?)),
            "sweep" | "explore" => checks.push(None),
            other => {
                return Err(Failure::Input(format!(
                    "{}: unknown command {other:?}; merge reads check, sweep and explore shards",
                    m.files[0].display()
                )));
            }
        }
    }
    for m in &runs {
        let files: &[&str] = match m.header.command.as_str() {
            "check" => &["check.json"],
            "explore" => &["explore.json"],
            _ => &["sweep.json", "sweep.csv"],
        };
        super::writable(&args.out.join(&m.header.scenario), files)?;
    }
    let mut clean = true;
    for (m, check) in runs.iter().zip(checks) {
        say!(
            "{} of {}: {}, {}",
            m.header.command,
            m.header.scenario,
            crate::report::table::count(m.files.len() as u64, "shard"),
            crate::report::table::count(m.results.len() as u64, "run")
        )?;
        clean &= match check {
            Some(report) => {
                super::check::finish(&report, &m.header.file, &args.out.join(&m.header.scenario))?
            }
            None if m.header.command == "explore" => super::explore::merged(m, &args.out)?,
            None => match super::sweep_shard::merged(m, &args.out) {
                Ok(()) => true,
                Err(Failure::Violations) => false,
                Err(e) => return Err(e),
            },
        };
    }
    if clean {
        Ok(())
    } else {
        Err(Failure::Violations)
    }
}

fn check_report(m: &Merged) -> Result<Report, Failure> {
    let place = m.files[0].display().to_string();
    let bad = |what: String| Failure::Input(format!("{place}: {what}"));
    let s: CheckSettings = serde_json::from_value(m.header.settings.clone())
        .map_err(|e| bad(format!("not check shard settings: {e}")))?;
    scenario::validate(&s.scenario, &place).map_err(|e| Failure::Input(e.to_string()))?;
    let runs: Vec<SeedRun> = m
        .results
        .iter()
        .map(|r| serde_json::from_value(r.clone()))
        .collect::<Result<_, _>>()
        .map_err(|e| bad(format!("not check runs: {e}")))?;
    let strategies = s.scenario.strategies.len();
    let fits = runs.len() as u64 == s.seeds.count
        && runs.iter().enumerate().all(|(k, r)| {
            r.strategies.len() == strategies && Some(r.seed) == s.seeds.first.checked_add(k as u64)
        });
    if !fits {
        return Err(bad("the runs do not fit the seeds and strategies".into()));
    }
    Ok(Report {
        scenario: seedcheck::judged(&s.scenario, s.swarm),
        settings: Settings {
            seeds: s.seeds,
            swarm: s.swarm,
        },
        runs,
    })
}
