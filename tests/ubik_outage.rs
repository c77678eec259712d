//! With Ubik's timings (15 s beacons, 60 s master lease, 75 s vote wait) and no clock
//! drift, a master crash costs quorum between 60 and 121 s, as Ubik documents, and the
//! figure depends on where in their beacon cycles the servers were: each server's beacon
//! timer has its own phase. (With timers in lockstep every strict comparison of Ubik cost
//! a whole extra beacon interval, and the outage sat at one value.)
mod support;

use afsim::run::run_scenario;
use serde_json::json;
use support::scenario;

#[test]
fn quorum_s_outage_spreads_over_ubik_s_range() {
    let s = scenario(json!({
        "name": "ubik", "duration_s": 900,
        "cell": { "servers": 3, "clients": 5, "files": 10 },
        "workload": { "ops_per_client_s": 0.5 },
        "strategies": [{ "name": "quorum", "recovery": "quorum", "callback_lease_s": 60 }],
        "faults": [{ "at_s": 300, "crash": "master", "for_s": 600 }]
    }));
    let outages: Vec<f64> = (1..=20)
        .map(|seed| {
            let o = &run_scenario(&s, seed).unwrap()[0];
            let r = &o.metrics().recoveries.list;
            assert_eq!(r.len(), 1, "seed {seed}: {r:?}");
            r[0].writes_open_at.unwrap().as_secs_f64() - r[0].at.as_secs_f64()
        })
        .collect();
    println!("{outages:?}");
    assert!(
        outages.iter().all(|&o| (60.0..=121.0).contains(&o)),
        "{outages:?}"
    );
    let (lo, hi) = outages
        .iter()
        .fold((f64::MAX, f64::MIN), |(lo, hi), &o| (lo.min(o), hi.max(o)));
    assert!(hi - lo > 10.0, "spread over the range: {outages:?}");
}
