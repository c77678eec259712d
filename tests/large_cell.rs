//! A cell of 4,096 nodes or more, where the engine lets each next event's node warm its
//! state (`Node::warm`): a client its volatile state, a server the sender's entries in
//! its per-client tables, with a master crash so that some servers warm without a
//! master's tables. Hints change nothing: the run keeps every invariant and gives the
//! same trace hash twice.
mod support;

use serde_json::json;
use support::{run, scenario, small, violations};

#[test]
fn a_large_cell_runs_the_same_twice_and_keeps_every_invariant() {
    let strategies = json!([
        { "name": "lease timeout", "recovery": "lease-timeout", "callback_lease_s": 30 },
        { "name": "token recovery", "recovery": "token-recovery", "callback_lease_s": 30 }
    ]);
    let crash = json!([{ "at_s": 3, "crash": "master", "for_s": 3 }]);
    let mut doc = small(10.0, strategies, crash);
    doc["cell"] = json!({ "servers": 3, "clients": 4100, "files": 4100 });
    doc["network"] = json!({ "latency_ms": { "min": 1, "max": 10 }, "loss": 0.001 });
    doc["workload"] = json!({ "ops_per_client_s": 0.2 });
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
