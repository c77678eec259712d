//! A network that duplicates messages must not break the strategies that claim safety:
//! a duplicated callback break makes the client ack twice, and the second ack may land
//! after the client fetched again under a new callback. Were it to cancel that
//! callback, the next write would not break it and the client would read stale data.
mod support;

use afsim::run::run_scenario;
use serde_json::json;
use support::{scenario, violations};

#[test]
fn duplicated_breaks_and_acks_cancel_no_newer_callback() {
    let doc = json!({
        "name": "duplicates",
        "duration_s": 130,
        "cell": { "servers": 1, "clients": 3, "files": 1 },
        "election": { "beacon_s": 2, "master_lease_s": 8, "vote_wait_s": 12 },
        "network": { "latency_ms": { "min": 1, "max": 30 }, "duplicate": 0.05 },
        "workload": { "ops_per_client_s": 1.0, "lock_hold_s": 5, "op_deadline_s": 10 },
        "strategies": [
            { "name": "lease", "recovery": "lease-timeout", "callback_lease_s": 60 },
            { "name": "token", "recovery": "token-recovery", "callback_lease_s": 60 },
            { "name": "quorum", "recovery": "quorum", "callback_lease_s": 60 }
        ],
        "faults": []
    });
    let s = scenario(doc);
    let mut duplicated = 0;
    for seed in 1..=30 {
        for (o, strategy) in run_scenario(&s, seed).unwrap().iter().zip(&s.strategies) {
            assert_eq!(violations(o), [0; 5], "{} on seed {seed}", strategy.name);
            duplicated += o.stats.duplicated;
        }
    }
    assert!(
        duplicated > 1000,
        "the network duplicated {duplicated} messages"
    );
}
