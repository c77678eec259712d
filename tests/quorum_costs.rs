//! Quorum's price: every grant is a replicated write, so messages and latency grow
//! with grants and writes, while a new master knows every grant at once.
mod support;

use serde_json::json;
use support::{run, scenario, small, violations};

#[test]
fn every_grant_costs_a_replication_round() {
    let strategy = |name: &str, recovery: &str| json!({ "name": name, "recovery": recovery, "callback_lease_s": 60, "lock_lease_s": 30, "lock_renew_s": 10 });
    let strategies = json!([
        strategy("lease", "lease-timeout"),
        strategy("quorum", "quorum")
    ]);
    let mut doc = small(600.0, strategies, json!([]));
    doc["cell"] = json!({ "servers": 5, "clients": 20, "files": 50 });
    doc["network"] = json!({ "latency_ms": { "min": 2, "max": 6 } });
    doc["workload"] = json!({
        "ops_per_client_s": 2.0, "mix": { "read": 0.4, "write": 0.4, "lock": 0.2 }
    });
    let outcomes = run(&scenario(doc));
    let (lease, quorum) = (&outcomes[0], &outcomes[1]);
    assert_eq!(violations(lease), [0; 5]);
    assert_eq!(violations(quorum), [0; 5]);
    let ops =
        |o: &afsim::run::Outcome| o.metrics().kinds.iter().map(|k| k.attempted).sum::<u64>() as f64;
    let replicate = |o: &afsim::run::Outcome| o.metrics().messages[6] as f64 / ops(o);
    // Lease timeout replicates data writes only; quorum also every callback and lock.
    assert!(
        replicate(quorum) > 1.5 * replicate(lease),
        "{} vs {}",
        replicate(quorum),
        replicate(lease)
    );
    // A fetch answers only once a majority holds its callback: a round trip more.
    let p50 =
        |o: &afsim::run::Outcome, k: usize| o.metrics().kinds[k].latency.quantile_ms(0.5).unwrap();
    assert!(
        p50(quorum, 0) > p50(lease, 0) + 2.0,
        "read p50 {} vs {}",
        p50(quorum, 0),
        p50(lease, 0)
    );
    assert!(
        p50(quorum, 2) > p50(lease, 2) + 2.0,
        "lock p50 {} vs {}",
        p50(quorum, 2),
        p50(lease, 2)
    );
}
