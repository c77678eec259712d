//! What `explore` writes: `explore.json` (deterministic: no wall-clock figure), one
//! reproducer per strategy with an unexpected violation, and the printed table.

use super::{Found, SubtreeResult};
use crate::check::Kind;
use crate::run::scenario_as_run;
use crate::scenario::{DeviationSpec, Scenario};
use serde::Serialize;
use std::collections::BTreeMap;

/// `explore.json`.
#[derive(Serialize)]
pub struct ExploreJson {
    pub afsim_version: &'static str,
    pub scenario: String,
    pub seed: u64,
    pub deviations: u32,
    pub window_s: [f64; 2],
    pub max_schedules: Option<u64>,
    pub strategies: Vec<StrategyJson>,
}

#[derive(Serialize)]
pub struct StrategyJson {
    pub name: String,
    pub recovery: String,
    pub expect_violations: bool,
    pub subtrees: u64,
    pub schedules: u64,
    pub distinct_states: u64,
    pub complete: bool,
    /// Violating schedules per kind.
    pub violations: BTreeMap<&'static str, u64>,
    pub violating_schedules: u64,
    /// The first ten violating schedules, in search order.
    pub first_violating: Vec<FoundJson>,
    /// The violating schedule with the fewest deviations: the reproducer's.
    pub fewest_deviations: Option<FoundJson>,
}

#[derive(Serialize)]
pub struct FoundJson {
    pub deviations: Vec<DeviationSpec>,
    pub violations: BTreeMap<&'static str, u64>,
}

fn kinds(counts: &[u64; Kind::ALL.len()]) -> BTreeMap<&'static str, u64> {
    Kind::ALL
        .iter()
        .map(|&k| (k.name(), counts[k as usize]))
        .collect()
}

fn found(f: &Found) -> FoundJson {
    FoundJson {
        deviations: f.deviations.clone(),
        violations: kinds(&f.violations)
            .into_iter()
            .filter(|(_, n)| *n > 0)
            .collect(),
    }
}

pub fn explore_json(
    scenario: &Scenario,
    seed: u64,
    deviations: u32,
    max_schedules: Option<u64>,
    results: &[(u64, SubtreeResult)],
) -> ExploreJson {
    let e = scenario.explore.clone().unwrap_or_default();
    let strategies = scenario
        .strategies
        .iter()
        .zip(results)
        .map(|(s, (subtrees, r))| StrategyJson {
            name: s.name.clone(),
            recovery: s.recovery.as_str().to_string(),
            expect_violations: s.expect_violations,
            subtrees: *subtrees,
            schedules: r.schedules,
            distinct_states: r.distinct_states,
            complete: r.complete,
            violations: kinds(&r.by_kind),
            violating_schedules: r.violating,
            first_violating: r.first.iter().map(found).collect(),
            fewest_deviations: r.best.as_ref().map(found),
        })
        .collect();
    ExploreJson {
        afsim_version: env!("CARGO_PKG_VERSION"),
        scenario: scenario.name.clone(),
        seed,
        deviations,
        window_s: e.window_s.unwrap_or([0.0, scenario.duration_s]),
        max_schedules,
        strategies,
    }
}

/// A scenario of strategy `k` alone, its seed and `deviations` as its schedule, which
/// `afsim run` replays to the same violation.
pub fn reproducer(scenario: &Scenario, k: usize, seed: u64, found: &Found) -> Scenario {
    let mut s = scenario_as_run(scenario, seed);
    s.strategies = vec![s.strategies[k].clone()];
    s.strategies[0].expect_violations = false;
    s.explore.get_or_insert_with(Default::default);
    s.schedule = Some(found.deviations.clone());
    s
}

/// `repro-<strategy slug>-explore.json`.
pub fn repro_name(strategy: &str) -> String {
    format!(
        "repro-{}-explore.json",
        crate::seedcheck::output::slug(strategy)
    )
}

/// The printed table: per strategy, schedules, distinct states, schedules/s (wall
/// clock: printed, never written to `explore.json`), whether complete, violations.
pub fn table(json: &ExploreJson, wall_s: &[f64]) -> String {
    let mut out = format!(
        "{:<28} {:>10} {:>10} {:>12} {:>9}  violations\n",
        "strategy", "schedules", "states", "schedules/s", "complete"
    );
    for (s, wall) in json.strategies.iter().zip(wall_s) {
        let rate = if *wall > 0.0 {
            format!("{:.0}", s.schedules as f64 / wall)
        } else {
            "-".to_string()
        };
        let violations = if s.violating_schedules == 0 {
            "none".to_string()
        } else {
            let by: Vec<String> = s
                .violations
                .iter()
                .filter(|(_, n)| **n > 0)
                .map(|(k, n)| format!("{k} {n}"))
                .collect();
            let note = if s.expect_violations {
                " (expected)"
            } else {
                ""
            };
            format!(
                "{} schedules: {}{note}",
                s.violating_schedules,
                by.join(", ")
            )
        };
        out.push_str(&format!(
            "{:<28} {:>10} {:>10} {:>12} {:>9}  {violations}\n",
            s.name,
            s.schedules,
            s.distinct_states,
            rate,
            if s.complete { "yes" } else { "no" }
        ));
    }
    out
}
