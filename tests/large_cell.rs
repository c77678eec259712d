//! A cell of 4,096 nodes or more, where the engine lets each next event's node warm its
//! state (`Node::warm`): a client its volatile state, a server the sender's entries in
//! its per-client tables, with a master crash so that some servers warm without a
//! master's tables. Hints change nothing: the run keeps every invariant and gives the
//! same trace hash twice.
mod support;

use serde_json::json;
use support::{run, scenario, violations};

#[test]
fn a_large_cell_runs_the_same_twice_and_keeps_every_invariant() {
    let doc = json!({
        "name": "large",
        "seed": 3,
        "duration_s": 10,
        "cell": { "servers": 3, "clients": 4100, "files": 4100 },
        "election": { "beacon_s": 1, "master_lease_s": 4, "vote_wait_s": 6 },
        "network": { "latency_ms": { "min": 1, "max": 10 }, "loss": 0.001 },
        "workload": { "ops_per_client_s": 0.2 },
        "strategies": [
            { "name": "lease timeout", "recovery": "lease-timeout", "callback_lease_s": 30 },
            { "name": "token recovery", "recovery": "token-recovery", "callback_lease_s": 30 }
        ],
        "faults": [{ "at_s": 3, "crash": "master", "for_s": 3 }]
    });
    let s = scenario(doc);
    let (first, second) = (run(&s), run(&s));
    for ((strategy, a), b) in s.strategies.iter().zip(&first).zip(&second) {
        assert!(
            a.stats.events > 100_000,
            "{}: {} events",
            strategy.name,
            a.stats.events
        );
        assert_eq!(violations(a), [0; 5], "{}: {:?}", strategy.name, a.verdict);
        assert_eq!(a.trace_hash, b.trace_hash, "{}", strategy.name);
    }
}
