//! Small cells for the model's tests.
#![allow(dead_code)]

use afsim::run::{Outcome, run_scenario};
use afsim::scenario::{Scenario, from_value};
use serde_json::{Value, json};

/// A scenario from JSON, validated like a file.
pub fn scenario(doc: Value) -> Scenario {
    from_value(doc, "test scenario").unwrap_or_else(|e| panic!("{e}"))
}

/// A quiet, exact cell: fixed 2 ms latency, no loss, exact clocks, fast Ubik timings
/// (beacon 1 s, lease 4 s, vote wait 6 s), 3 servers, 5 clients, 10 files.
pub fn small(duration_s: f64, strategies: Value, faults: Value) -> Value {
    json!({
        "name": "small",
        "seed": 7,
        "duration_s": duration_s,
        "cell": { "servers": 3, "clients": 5, "files": 10 },
        "election": { "beacon_s": 1, "master_lease_s": 4, "vote_wait_s": 6 },
        "network": { "latency_ms": { "fixed": 2 } },
        "workload": { "ops_per_client_s": 1.0, "zipf": 0.5, "op_deadline_s": 10 },
        "strategies": strategies,
        "faults": faults
    })
}

/// Run every strategy; outcomes in the scenario's order.
pub fn run(s: &Scenario) -> Vec<Outcome> {
    run_scenario(s, s.seed.unwrap_or(1)).unwrap_or_else(|e| panic!("{e}"))
}

/// The phases (in seconds) that server `server` draws for its beacon timer at its first
/// `boots` boots, as a run on `seed` draws them.
pub fn beacon_phases(seed: u64, server: u32, beacon_s: f64, boots: usize) -> Vec<f64> {
    let mut rng = sim::Prng::new(seed).fork(afsim::cell::streams::BEACONS + u64::from(server));
    let beacon_us = (beacon_s * 1e6).round() as u64;
    (0..boots)
        .map(|_| rng.below(beacon_us) as f64 / 1e6)
        .collect()
}

pub fn secs(t: Option<sim::Instant>) -> f64 {
    t.expect("it happened").as_micros() as f64 / 1e6
}

/// Violations by kind: stale read, lock conflict, lost write, liveness, linearizability.
pub fn violations(o: &Outcome) -> [u64; 5] {
    o.verdict.tallies.clone().map(|t| t.count)
}

/// A writer whose bytes the test can read back (a run's `history.jsonl`).
#[derive(Clone, Default)]
pub struct Shared(pub std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl Shared {
    /// Everything written so far, as text.
    pub fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

impl std::io::Write for Shared {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A scenario of the adversarial corpus, loaded as `afsim` loads the file.
pub fn corpus_file(file: &str) -> Scenario {
    let path = format!(
        "{}/scenarios/adversarial/{file}",
        env!("CARGO_MANIFEST_DIR")
    );
    afsim::scenario::load(std::path::Path::new(&path)).unwrap()
}

/// One strategy of a scenario of the adversarial corpus, its violations not expected.
pub fn corpus(file: &str, strategy: &str) -> Scenario {
    let mut s = corpus_file(file);
    s.strategies.retain(|st| st.name == strategy);
    assert_eq!(s.strategies.len(), 1, "{file} has {strategy}");
    s.strategies[0].expect_violations = false;
    s
}
