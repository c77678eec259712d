//! What `afsim check` writes and prints: `check.json`, the table, reproducer names.

use super::{Report, SeedRun, Seeds};
use crate::check::Kind;
use crate::report::summary::{Ordered, VERSION};
use serde::Serialize;

#[derive(Serialize)]
struct Head<'a> {
    afsim_version: &'static str,
    scenario: &'a str,
    seeds: Seeds,
    swarm: bool,
    totals: Vec<Total<'a>>,
}

/// One strategy over every seed.
#[derive(Serialize)]
struct Total<'a> {
    name: &'a str,
    recovery: &'static str,
    expect_violations: bool,
    /// Seeds with at least one violation of any kind.
    seeds_with_violations: u64,
    /// The first of them.
    first_seed: Option<u64>,
    violations: Ordered<u64>,
}

#[derive(Serialize)]
struct RunLine<'a> {
    seed: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    swarm: Option<&'a super::SwarmDraw>,
    strategies: Vec<StrategyLine<'a>>,
}

#[derive(Serialize)]
struct StrategyLine<'a> {
    name: &'a str,
    violations: Ordered<u64>,
    trace_hash: &'a str,
}

fn by_kind(counts: &[u64; Kind::ALL.len()]) -> Ordered<u64> {
    Ordered(Kind::ALL.iter().map(|k| k.name()).zip(*counts).collect())
}

fn totals(report: &Report) -> Vec<Total<'_>> {
    report
        .scenario
        .strategies
        .iter()
        .enumerate()
        .map(|(k, s)| {
            let failing = || {
                report
                    .runs
                    .iter()
                    .filter(move |r| r.strategies[k].violations.iter().any(|&n| n > 0))
            };
            let mut sums = [0u64; Kind::ALL.len()];
            for r in &report.runs {
                for (sum, n) in sums.iter_mut().zip(r.strategies[k].violations) {
                    *sum += n;
                }
            }
            Total {
                name: &s.name,
                recovery: s.recovery.as_str(),
                expect_violations: s.expect_violations,
                seeds_with_violations: failing().count() as u64,
                first_seed: failing().next().map(|r| r.seed),
                violations: by_kind(&sums),
            }
        })
        .collect()
}

fn run_line(report: &Report, run: &SeedRun) -> String {
    let line = RunLine {
        seed: run.seed,
        swarm: run.swarm.as_ref(),
        strategies: report
            .scenario
            .strategies
            .iter()
            .zip(&run.strategies)
            .map(|(s, r)| StrategyLine {
                name: &s.name,
                violations: by_kind(&r.violations),
                trace_hash: &r.trace_hash,
            })
            .collect(),
    };
    serde_json::to_string(&line).expect("outputs serialise")
}

/// `check.json`: the settings, totals per strategy, then one line per seed (violations
/// by kind and trace hash per strategy). One run per line keeps a thousand seeds
/// readable and diffable; the whole file is still one JSON document.
pub fn check_json(report: &Report) -> String {
    let head = Head {
        afsim_version: VERSION,
        scenario: &report.scenario.name,
        seeds: report.settings.seeds,
        swarm: report.settings.swarm,
        totals: totals(report),
    };
    let head = serde_json::to_string_pretty(&head).expect("outputs serialise");
    let head = head.strip_suffix("\n}").expect("a pretty object ends so");
    let runs: Vec<String> = report
        .runs
        .iter()
        .map(|r| format!("    {}", run_line(report, r)))
        .collect();
    format!("{head},\n  \"runs\": [\n{}\n  ]\n}}\n", runs.join(",\n"))
}

/// The table `afsim check` prints: per strategy, how many seeds had violations and how
/// many of each kind.
pub fn table(report: &Report) -> String {
    let totals = totals(report);
    let seeds = report.runs.len();
    let mut rows = vec![vec![
        "strategy".to_string(),
        "expected".into(),
        "seeds with violations".into(),
    ]];
    rows[0].extend(Kind::ALL.iter().map(|k| k.name().to_string()));
    for t in &totals {
        let mut r = vec![
            t.name.to_string(),
            if t.expect_violations { "yes" } else { "no" }.into(),
            format!("{}/{seeds}", t.seeds_with_violations),
        ];
        r.extend(t.violations.0.iter().map(|(_, n)| n.to_string()));
        rows.push(r);
    }
    let widths: Vec<usize> = (0..rows[0].len())
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for r in rows {
        let cells: Vec<String> = r
            .iter()
            .enumerate()
            .map(|(c, v)| match c {
                0 => format!("{v:<w$}", w = widths[c]),
                _ => format!("{v:>w$}", w = widths[c]),
            })
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out
}

/// A strategy's name as a file-name part: lowercase letters and digits, runs of
/// anything else as one `-` (`lease (AFS callbacks)` → `lease-afs-callbacks`).
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-').to_string();
    if out.is_empty() {
        "strategy".into()
    } else {
        out
    }
}

/// `repro-<strategy slug>-seed<N>.json`.
pub fn repro_file(strategy: &str, seed: u64) -> String {
    format!("repro-{}-seed{seed}.json", slug(strategy))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_plain() {
        assert_eq!(slug("lease (AFS callbacks)"), "lease-afs-callbacks");
        assert_eq!(slug("Token, fast election!"), "token-fast-election");
        assert_eq!(slug("(*)"), "strategy");
        assert_eq!(repro_file("quorum", 17), "repro-quorum-seed17.json");
    }
}
