//! Token recovery: the window, its early end, and its known weakness.
mod support;

use serde_json::json;
use support::{run, scenario, secs, small, violations};

fn token(extra: serde_json::Value) -> serde_json::Value {
    let mut s = json!({
        "name": "token", "recovery": "token-recovery", "callback_lease_s": 600,
        "lock_lease_s": 60, "lock_renew_s": 10, "recovery_window_s": 60
    });
    for (k, v) in extra.as_object().expect("object") {
        s[k] = v.clone();
    }
    s
}

#[test]
fn the_window_ends_early_once_every_client_has_been_heard() {
    let strategies = json!([
        token(json!({ "name": "full window" })),
        token(json!({ "name": "early end", "end_window_when_all_reasserted": true }))
    ]);
    let faults = json!([{ "at_s": 100.5, "crash": "master", "for_s": 20 }]);
    let outcomes = run(&scenario(small(400.0, strategies, faults)));
    let opened: Vec<(f64, f64)> = outcomes
        .iter()
        .map(|o| {
            assert_eq!(violations(o), [0; 5], "{:?}", o.verdict);
            let r = &o.metrics().recoveries.list[0];
            (secs(r.elected_at), secs(r.writes_open_at))
        })
        .collect();
    let (elected, full) = opened[0];
    assert!(
        (full - elected - 60.0).abs() < 0.05,
        "the full window: {elected} -> {full}"
    );
    let (elected, early) = opened[1];
    // Five busy clients all reach the new master within a few seconds.
    assert!(early - elected < 10.0, "ended early: {elected} -> {early}");
    assert!(
        outcomes[1].metrics().messages[5] > 0,
        "reassertions are counted"
    );
}

#[test]
fn a_client_cut_off_through_the_window_reads_stale_data_and_lease_timeout_does_not() {
    let lease = json!({
        "name": "lease", "recovery": "lease-timeout", "callback_lease_s": 600,
        "lock_lease_s": 60, "lock_renew_s": 10
    });
    let strategies = json!([token(json!({ "expect_violations": true })), lease]);
    // c0 is cut off from 99 s to 174 s; the master crashes at 100.5 s. The new master's
    // window (60 s) closes while c0 still trusts callbacks the old master gave it,
    // which the new master never heard of and never breaks. (A write c0 tries while cut
    // off makes it drop its copy of that file, so it must mostly read.)
    let faults = json!([
        { "at_s": 99, "isolate": "c0", "for_s": 75 },
        { "at_s": 100.5, "crash": "master", "for_s": 20 }
    ]);
    let mut doc = small(900.0, strategies, faults);
    doc["workload"] = json!({ "ops_per_client_s": 2.0, "zipf": 1.0, "op_deadline_s": 10,
                              "mix": { "read": 0.8, "write": 0.1, "lock": 0.1 } });
    doc["cell"]["files"] = json!(10);
    let outcomes = run(&scenario(doc));
    let [stale, locks, lost, live, _] = violations(&outcomes[0]);
    assert!(
        stale > 0,
        "the known weakness shows: {:?}",
        outcomes[0].verdict
    );
    assert_eq!((locks, lost, live), (0, 0, 0));
    let first = outcomes[0].verdict.tallies[0].first.as_ref().unwrap();
    assert_eq!(first.client, "c0");
    // Even before it is back: a cut-off client reads its cache for as long as its
    // callbacks last, and others now write those files through the new master.
    assert!(first.at_s > 160.0, "after the window: {first:?}");
    assert_eq!(
        violations(&outcomes[1]),
        [0; 5],
        "{:?}",
        outcomes[1].verdict
    );
}
