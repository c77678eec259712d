//! `summary.json`: the deterministic result of `afsim run` (CONTRACT.md, outputs).

use crate::cell::msg::KINDS;
use crate::check::{Example, Kind, Verdict};
use crate::metrics::{KindStats, Metrics};
use crate::run::{AppliedFault, Outcome};
use crate::scenario::{Scenario, StrategySpec};
use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};
use sim::Instant;

/// The version every output names.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

#[derive(Serialize)]
pub struct Summary {
    pub afsim_version: &'static str,
    pub scenario: String,
    pub seed: u64,
    pub duration_s: f64,
    pub strategies: Vec<StrategySummary>,
}

#[derive(Serialize)]
pub struct StrategySummary {
    pub name: String,
    pub recovery: &'static str,
    pub ops: Ops,
    pub availability: Option<f64>,
    pub faults_applied: Vec<FaultApplied>,
    pub recoveries: Vec<RecoverySummary>,
    pub violations: Ordered<u64>,
    pub first_violations: Ordered<Example>,
    pub messages: Messages,
    pub events: u64,
    pub trace_hash: String,
}

#[derive(Serialize)]
pub struct Ops {
    pub read: OpStats,
    pub write: OpStats,
    pub lock: OpStats,
}

#[derive(Serialize)]
pub struct OpStats {
    pub attempted: u64,
    pub succeeded: u64,
    pub p50_ms: Option<f64>,
    pub p99_ms: Option<f64>,
}

#[derive(Serialize)]
pub struct FaultApplied {
    pub at_s: f64,
    pub fault: String,
    pub resolved: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Serialize)]
pub struct RecoverySummary {
    pub fault: String,
    pub at_s: f64,
    pub elected_at_s: Option<f64>,
    pub writes_open_at_s: Option<f64>,
    pub locks_open_at_s: Option<f64>,
    pub first_write_ok_at_s: Option<f64>,
    pub first_lock_ok_at_s: Option<f64>,
    pub unavailable_s: Option<f64>,
    pub ops_attempted_during: u64,
    pub ops_failed_during: u64,
}

#[derive(Serialize)]
pub struct Messages {
    pub total: u64,
    pub by_kind: Ordered<u64>,
}

/// A JSON object whose keys keep the order given.
pub struct Ordered<V>(pub Vec<(&'static str, V)>);

impl<V: Serialize> Serialize for Ordered<V> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

/// Seconds with microsecond precision.
pub fn secs(t: Instant) -> f64 {
    t.as_micros() as f64 / 1e6
}

/// Rounded to `digits` decimals, so the JSON stays readable.
pub fn round(x: f64, digits: i32) -> f64 {
    let k = 10f64.powi(digits);
    (x * k).round() / k
}

fn op_stats(k: &KindStats) -> OpStats {
    OpStats {
        attempted: k.attempted,
        succeeded: k.succeeded,
        p50_ms: k.latency.quantile_ms(0.5).map(|v| round(v, 3)),
        p99_ms: k.latency.quantile_ms(0.99).map(|v| round(v, 3)),
    }
}

fn fault_applied(f: &AppliedFault) -> FaultApplied {
    FaultApplied {
        at_s: secs(f.at),
        fault: f.fault.clone(),
        resolved: f.resolved.clone(),
        note: f.note.clone(),
    }
}

fn recoveries(metrics: &Metrics) -> Vec<RecoverySummary> {
    let opt = |t: Option<Instant>| t.map(secs);
    metrics
        .recoveries
        .list
        .iter()
        .map(|r| RecoverySummary {
            fault: r.fault.clone(),
            at_s: secs(r.at),
            elected_at_s: opt(r.elected_at),
            writes_open_at_s: opt(r.writes_open_at),
            locks_open_at_s: opt(r.locks_open_at),
            first_write_ok_at_s: opt(r.first_write_ok_at),
            first_lock_ok_at_s: opt(r.first_lock_ok_at),
            unavailable_s: r
                .writes_open_at
                .map(|w| secs(w) - secs(r.at))
                .map(|v| round(v, 6)),
            ops_attempted_during: r.ops_attempted_during,
            ops_failed_during: r.ops_failed_during,
        })
        .collect()
}

pub fn violations(verdict: &Verdict) -> Ordered<u64> {
    Ordered(
        Kind::ALL
            .iter()
            .map(|&k| (k.name(), verdict.count(k)))
            .collect(),
    )
}

pub fn strategy_summary(strategy: &StrategySpec, outcome: &Outcome) -> StrategySummary {
    let m = outcome.metrics();
    let by_kind: Vec<(&'static str, u64)> = KINDS.iter().copied().zip(m.messages).collect();
    let first = Kind::ALL
        .iter()
        .filter_map(|&k| {
            outcome.verdict.tallies[k as usize]
                .first
                .clone()
                .map(|e| (k.name(), e))
        })
        .collect();
    StrategySummary {
        name: strategy.name.clone(),
        recovery: strategy.recovery.as_str(),
        ops: Ops {
            read: op_stats(&m.kinds[0]),
            write: op_stats(&m.kinds[1]),
            lock: op_stats(&m.kinds[2]),
        },
        availability: m.availability().map(|a| round(a, 6)),
        faults_applied: outcome.faults.iter().map(fault_applied).collect(),
        recoveries: recoveries(m),
        violations: violations(&outcome.verdict),
        first_violations: Ordered(first),
        messages: Messages {
            total: m.messages.iter().sum(),
            by_kind: Ordered(by_kind),
        },
        events: outcome.stats.events,
        trace_hash: format!("{:016x}", outcome.trace_hash),
    }
}

pub fn summary(scenario: &Scenario, seed: u64, outcomes: &[Outcome]) -> Summary {
    Summary {
        afsim_version: VERSION,
        scenario: scenario.name.clone(),
        seed,
        duration_s: scenario.duration_s,
        strategies: scenario
            .strategies
            .iter()
            .zip(outcomes)
            .map(|(s, o)| strategy_summary(s, o))
            .collect(),
    }
}
