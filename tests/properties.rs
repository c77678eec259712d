//! Property tests: on random small cells and fault schedules, the strategies that claim
//! safety keep every invariant within their documented assumptions (server crashes,
//! restarts and partitions, loss bursts, clock drift within the skew allowance; quorum
//! durability, so no async stale reads), and a scenario and seed always give the same
//! trace hash.
mod support;

use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;
use serde_json::{Value, json};
use support::{run, scenario, violations};

/// A fault among the servers: a crash of the master or a server, a partition that cuts
/// one server off from the others or the master off from everyone, or a loss burst.
/// Clients are never cut off from every server that could be master: token recovery
/// does not claim to protect a client that misses the whole recovery window (with one
/// server, cutting it off would do just that).
fn fault(servers: u32) -> impl Strategy<Value = Value> {
    let at = 20.0..250.0f64;
    let cut = move |at: f64, s: u32, d: f64, everyone: bool| {
        let rest: Vec<String> = (0..servers)
            .filter(|&o| o != s)
            .map(|o| format!("fs{o}"))
            .collect();
        match (rest.is_empty(), everyone) {
            (true, _) => json!({ "at_s": at, "loss": 0.3, "for_s": d }),
            (false, false) => {
                json!({ "at_s": at, "partition": [[format!("fs{s}")], rest], "for_s": d })
            }
            (false, true) => json!({ "at_s": at, "partition": [["master"], ["*"]], "for_s": d }),
        }
    };
    prop_oneof![
        (at.clone(), 5.0..60.0f64)
            .prop_map(|(at, d)| json!({ "at_s": at, "crash": "master", "for_s": d })),
        (at.clone(), 0..servers, 5.0..60.0f64)
            .prop_map(|(at, s, d)| json!({ "at_s": at, "crash": format!("fs{s}"), "for_s": d })),
        (at.clone(), 0..servers, 5.0..40.0f64).prop_map(move |(at, s, d)| cut(at, s, d, false)),
        (at.clone(), 5.0..40.0f64).prop_map(move |(at, d)| cut(at, 0, d, true)),
        (at, 0.05..0.4f64, 5.0..30.0f64)
            .prop_map(|(at, loss, d)| json!({ "at_s": at, "loss": loss, "for_s": d })),
    ]
}

/// The cell for lease timeout and quorum (every fault), and for token recovery the same
/// faults without loss bursts: it claims safety only when every client reaches the new
/// master within the window, and a loss burst over the window can keep a client out as
/// a partition would.
fn split_by_assumption(doc: &Value) -> (Value, Value) {
    let mut all = doc.clone();
    let strategies = doc["strategies"].as_array().cloned().unwrap_or_default();
    all["strategies"] = json!(strategies[..2]);
    let mut token = doc.clone();
    token["strategies"] = json!(strategies[2..]);
    let faults = doc["faults"].as_array().cloned().unwrap_or_default();
    token["faults"] = faults
        .into_iter()
        .filter(|f| f.get("loss").is_none())
        .collect();
    (all, token)
}

prop_compose! {
    fn cell()(servers in 1u32..=5, clients in 1u32..=8, files in 1u32..=6)
        (faults in prop::collection::vec(fault(servers), 0..4), seed in any::<u64>(),
         servers in Just(servers), clients in Just(clients), files in Just(files),
         drift in 0.0..100.0f64, ops in 0.2..3.0f64, callback in 5.0..60.0f64,
         lock_lease in 5.0..40.0f64, window in 10.0..30.0f64, hold in 0.5..20.0f64)
        -> Value
    {
        let common = json!({
            "callback_lease_s": callback, "lock_lease_s": lock_lease, "lock_renew_s": lock_lease / 4.0,
            "clock_skew_allowance_s": 2,
            // Token recovery needs every client to notice the new master within the
            // window: idle holders probe every second, well inside a 10 s window.
            "client_probe_s": 1
        });
        let with = |name: &str, recovery: &str| {
            let mut s = common.clone();
            s["name"] = json!(name);
            s["recovery"] = json!(recovery);
            s
        };
        let mut token = with("token", "token-recovery");
        token["recovery_window_s"] = json!(window);
        json!({
            "name": "property",
            "seed": seed,
            "duration_s": 300,
            "cell": { "servers": servers, "clients": clients, "files": files },
            "election": { "beacon_s": 1, "master_lease_s": 4, "vote_wait_s": 6 },
            "network": { "latency_ms": { "min": 1, "max": 20 }, "loss": 0.01, "clock_drift_ppm": drift },
            "workload": { "ops_per_client_s": ops, "lock_hold_s": hold, "op_deadline_s": 10 },
            "strategies": [with("lease", "lease-timeout"), with("quorum", "quorum"), token],
            "faults": faults
        })
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 200,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct("proptest-regressions/properties.txt"))),
        ..ProptestConfig::default()
    })]

    #[test]
    fn safe_strategies_keep_every_invariant(doc in cell()) {
        let (all_faults, no_loss_bursts) = split_by_assumption(&doc);
        for doc in [all_faults, no_loss_bursts] {
            let s = scenario(doc.clone());
            for (strategy, outcome) in s.strategies.iter().zip(run(&s)) {
                prop_assert_eq!(
                    violations(&outcome), [0; 5],
                    "{}: {:?}\n{}", strategy.name, outcome.verdict, serde_json::to_string(&doc).unwrap()
                );
            }
        }
    }

    #[test]
    fn the_same_scenario_and_seed_give_the_same_trace_hash(doc in cell()) {
        let s = scenario(doc);
        let hashes = |s| run(s).iter().map(|o| o.trace_hash).collect::<Vec<_>>();
        prop_assert_eq!(hashes(&s), hashes(&s));
    }
}
