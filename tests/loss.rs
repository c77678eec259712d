//! Steady message loss on one hot file: every request, break, grant replication and
//! durability notice may vanish, and each must be retried until it lands. A path that
//! waits forever on one lost message shows as a collapse of availability and clients
//! that never complete their liveness write and lock.
mod support;

use afsim::run::run_scenario;
use serde_json::json;
use support::{scenario, violations};

#[test]
fn one_hot_file_under_five_percent_loss_stays_available_and_live() {
    let safe = json!({
        "callback_lease_s": 60, "lock_lease_s": 30, "lock_renew_s": 10,
        "client_probe_s": 5, "clock_skew_allowance_s": 2
    });
    let strategies: Vec<_> = [
        ("lease", "lease-timeout"),
        ("token", "token-recovery"),
        ("quorum", "quorum"),
    ]
    .into_iter()
    .map(|(name, recovery)| {
        let mut s = safe.clone();
        s["name"] = json!(name);
        s["recovery"] = json!(recovery);
        s
    })
    .collect();
    let s = scenario(json!({
        "name": "hot-file-loss",
        "duration_s": 225,
        "cell": { "servers": 5, "clients": 20, "files": 1 },
        "election": { "beacon_s": 1, "master_lease_s": 4, "vote_wait_s": 6 },
        "network": { "latency_ms": { "min": 1, "max": 29.5 }, "loss": 0.0475 },
        "workload": {
            "ops_per_client_s": 0.5, "mix": { "read": 0.7, "write": 0.2, "lock": 0.1 },
            "lock_hold_s": 5, "op_deadline_s": 10
        },
        "strategies": strategies,
        "faults": []
    }));
    let mut lost = 0;
    for seed in 1..=10 {
        for (o, strategy) in run_scenario(&s, seed).unwrap().iter().zip(&s.strategies) {
            let name = &strategy.name;
            assert_eq!(violations(o), [0; 5], "{name} on seed {seed}");
            let availability = o.metrics.availability().unwrap();
            assert!(
                availability > 0.9,
                "{name} on seed {seed}: availability {availability}"
            );
            lost += o.stats.lost;
        }
    }
    assert!(lost > 10_000, "the network lost only {lost} messages");
}
