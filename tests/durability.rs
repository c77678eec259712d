//! `async` durability: the master acknowledges writes from memory and replicates them
//! in the background; clients keep what is not yet durable and replay it to a new
//! master. With `client_keeps_until_durable: false` writes must be lost, and the
//! checker must say so.
mod support;

use serde_json::json;
use support::{run, scenario, small, violations};

fn write_heavy_crashes(keep: bool) -> Vec<afsim::run::Outcome> {
    let strategy = |name: &str, recovery: &str| {
        json!({
            "name": name, "recovery": recovery, "callback_lease_s": 30,
            "durability": "async", "client_keeps_until_durable": keep,
            "expect_violations": true
        })
    };
    let mut token = strategy("token", "token-recovery");
    token["recovery_window_s"] = json!(20);
    let strategies = json!([
        strategy("quorum", "quorum"),
        strategy("lease", "lease-timeout"),
        token
    ]);
    // Writes only (a read's callback grant, replicated at once under quorum, would
    // carry the writes before it along), every few hundred milliseconds per client; the
    // master crashes five times, each time holding up to a second of acknowledged
    // writes no other replica has yet.
    let faults: Vec<_> = (0..5)
        .map(|i| json!({ "at_s": 100 + 150 * i, "crash": "master", "for_s": 30 }))
        .collect();
    let mut doc = small(900.0, strategies, json!(faults));
    doc["workload"] = json!({
        "ops_per_client_s": 3.0, "mix": { "read": 0.0, "write": 1.0, "lock": 0.0 }
    });
    run(&scenario(doc))
}

#[test]
fn writes_acknowledged_from_memory_are_lost_unless_clients_replay_them() {
    for o in write_heavy_crashes(false) {
        let [_, _, lost, live, _] = violations(&o);
        assert!(
            lost > 0,
            "the checker must catch lost writes: {:?}",
            o.verdict
        );
        assert_eq!(live, 0);
    }
}

#[test]
fn clients_that_keep_undurable_writes_lose_nothing() {
    for o in write_heavy_crashes(true) {
        let [_, _, lost, live, _] = violations(&o);
        assert_eq!((lost, live), (0, 0), "{:?}", o.verdict);
        assert!(
            o.metrics().messages[5] > 0,
            "replays are counted as reassert messages"
        );
    }
}
