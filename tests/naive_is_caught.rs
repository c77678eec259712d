//! On the same faults, `naive` is caught serving stale data and granting conflicting
//! locks, and the strategies that claim safety are clean: the checkers fire on a real
//! run, and a clean report means something.
mod support;

use serde_json::json;
use support::{run, scenario, small, violations};

#[test]
fn naive_is_flagged_where_the_others_are_clean() {
    let common = json!({ "callback_lease_s": 600, "lock_lease_s": 120, "lock_renew_s": 20 });
    let strategy = |name: &str, recovery: &str| {
        let mut s = common.clone();
        s["name"] = json!(name);
        s["recovery"] = json!(recovery);
        s
    };
    let mut naive = strategy("naive", "naive");
    naive["expect_violations"] = json!(true);
    let mut token = strategy("token", "token-recovery");
    token["recovery_window_s"] = json!(30);
    let strategies = json!([
        naive,
        strategy("lease", "lease-timeout"),
        token,
        strategy("quorum", "quorum")
    ]);
    // A crowded cell: 20 clients on 5 files, long exclusive locks; the master crashes
    // twice, once while clients hold callbacks and locks it granted.
    let faults = json!([
        { "at_s": 300, "crash": "master", "for_s": 60 },
        { "at_s": 1500, "crash": "master", "for_s": 60 }
    ]);
    let mut doc = small(2400.0, strategies, faults);
    doc["cell"] = json!({ "servers": 3, "clients": 20, "files": 5 });
    doc["workload"] = json!({
        "ops_per_client_s": 0.5, "exclusive_locks": 1.0, "lock_hold_s": 40, "op_deadline_s": 20,
        "mix": { "read": 0.6, "write": 0.25, "lock": 0.15 }
    });
    let s = scenario(doc);
    let outcomes = run(&s);
    let [stale, locks, lost, live, lin] = violations(&outcomes[0]);
    assert!(
        stale > 0,
        "naive serves data its predecessor's callbacks still cover"
    );
    assert!(
        locks > 0,
        "naive grants locks its predecessor granted to others"
    );
    assert!(
        lin > 0,
        "a file whose reads went back in time has no linearization"
    );
    assert_eq!((lost, live), (0, 0));
    for o in &outcomes[1..] {
        assert_eq!(violations(o), [0; 5], "{:?}", o.verdict);
        assert_eq!(o.metrics().recoveries.list.len(), 2);
    }
}
