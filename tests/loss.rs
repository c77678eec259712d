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
            let availability = o.metrics().availability().unwrap();
            assert!(
                availability > 0.9,
                "{name} on seed {seed}: availability {availability}"
            );
            lost += o.stats.lost;
        }
    }
    assert!(lost > 10_000, "the network lost only {lost} messages");
}

/// A master whose replicas all hold its version has nothing to resend, so it pauses its
/// 100 ms catch-up ticks until its next update. Under heavy loss, with updates seconds
/// apart, what a replica missed must still be resent from that update on: writes keep
/// committing and no client waits forever, while the ticks that would have found nothing
/// to do never fire (ten a second alone would be more timers than the whole run fires).
#[test]
fn a_quiet_master_pauses_its_catch_up_ticks_and_still_resends_what_is_lost() {
    let duration_s = 1800.0;
    let s = scenario(json!({
        "name": "quiet-lossy",
        "duration_s": duration_s,
        "cell": { "servers": 3, "clients": 4, "files": 4 },
        "election": { "beacon_s": 2, "master_lease_s": 8, "vote_wait_s": 12 },
        "network": { "latency_ms": { "min": 1, "max": 10 }, "loss": 0.2 },
        "workload": {
            "ops_per_client_s": 0.1, "mix": { "read": 0.4, "write": 0.4, "lock": 0.2 },
            "lock_hold_s": 2, "op_deadline_s": 30
        },
        "strategies": [{
            "name": "quorum", "recovery": "quorum", "callback_lease_s": 60,
            "lock_lease_s": 30, "lock_renew_s": 10, "client_probe_s": 10,
            "clock_skew_allowance_s": 2
        }],
        "faults": []
    }));
    for seed in 1..=5 {
        let o = &run_scenario(&s, seed).unwrap()[0];
        assert_eq!(violations(o), [0; 5], "seed {seed}");
        let writes = &o.metrics().kinds[1];
        assert!(
            writes.attempted > 200 && writes.succeeded * 10 > writes.attempted * 9,
            "seed {seed}: {} of {} writes succeeded",
            writes.succeeded,
            writes.attempted
        );
        let ticks_always_on = (duration_s * 10.0) as u64;
        assert!(
            o.stats.timers_fired < ticks_always_on,
            "seed {seed}: {} timers fired in {duration_s} s",
            o.stats.timers_fired
        );
    }
}
