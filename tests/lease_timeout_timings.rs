//! `lease-timeout` opens writes and locks exactly when DESIGN.md's table says:
//! writes at `T` + the longest callback any client could have been told + the skew
//! allowance, locks at `T` + the lock lease + the allowance, where `T` is the latest
//! yes-vote for the previous master among the servers that elected this one plus the
//! master lease, or the server's own restart time if later; never before its election.
mod support;

use serde_json::json;
use support::{run, scenario, secs, small, violations};

/// In the small cell fs0 beacons at every whole second (its timer starts at boot, its
/// clock is exact), and a beacon reaches the voters 2 ms later, when they vote yes.
/// Crashing fs0 at 100.5 s makes 100.0 s its last beacon, so the electors' last yes-vote
/// for it is at 100.002 s and T = 100.002 + master_lease (4 s) = 104.002 s.
const T: f64 = 104.002;
const SKEW: f64 = 3.0;

fn crash_at_100_5(callback: serde_json::Value, duration: f64) -> (f64, f64, f64) {
    let strategies = json!([{
        "name": "lease", "recovery": "lease-timeout",
        "callback_lease_s": callback, "lock_lease_s": 20, "lock_renew_s": 5,
        "clock_skew_allowance_s": SKEW
    }]);
    let faults = json!([{ "at_s": 100.5, "crash": "master" }]);
    let s = scenario(small(duration, strategies, faults));
    let outcome = &run(&s)[0];
    assert_eq!(violations(outcome), [0, 0, 0, 0], "{:?}", outcome.verdict);
    let r = &outcome.metrics.recoveries.list;
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].fault, "crash fs0");
    (
        secs(r[0].elected_at),
        secs(r[0].writes_open_at),
        secs(r[0].locks_open_at),
    )
}

#[test]
fn numeric_callbacks_open_writes_at_t_plus_callback_plus_skew() {
    let (elected, writes, locks) = crash_at_100_5(json!(30), 400.0);
    // The voters may say yes to someone else from 100.002 + vote_wait (6 s) on; fs1
    // wins the round after that, well before either opening.
    assert!((106.0..109.0).contains(&elected), "elected at {elected}");
    assert_eq!(writes, T + 30.0 + SKEW);
    assert_eq!(locks, T + 20.0 + SKEW);
}

#[test]
fn afs_callbacks_open_writes_after_the_longest_afs_promise() {
    // The longest lifetime the OpenAFS rule can tell a client: 4 h + 127 s.
    let (_, writes, locks) = crash_at_100_5(json!("afs"), 15_000.0);
    assert_eq!(writes, T + 14_527.0 + SKEW);
    assert_eq!(locks, T + 20.0 + SKEW);
}

#[test]
fn a_restarted_lone_master_waits_from_its_restart() {
    // One server: it elects itself at once when it boots again at 60 s, and nobody
    // else could have granted anything, so T is its restart time.
    let strategies = json!([{
        "name": "lease", "recovery": "lease-timeout",
        "callback_lease_s": 30, "lock_lease_s": 20, "lock_renew_s": 5,
        "clock_skew_allowance_s": SKEW
    }]);
    let faults = json!([{ "at_s": 50, "crash": "fs0", "for_s": 10 }]);
    let mut doc = small(300.0, strategies, faults);
    doc["cell"]["servers"] = json!(1);
    let s = scenario(doc);
    let outcome = &run(&s)[0];
    let r = &outcome.metrics.recoveries.list[0];
    assert_eq!(secs(r.elected_at), 60.0);
    assert_eq!(secs(r.writes_open_at), 60.0 + 30.0 + SKEW);
    assert_eq!(secs(r.locks_open_at), 60.0 + 20.0 + SKEW);
    assert_eq!(violations(outcome), [0, 0, 0, 0]);
}

#[test]
fn the_other_strategies_open_at_their_own_times() {
    let strategies = json!([
        { "name": "naive", "recovery": "naive", "callback_lease_s": 30, "expect_violations": true },
        { "name": "quorum", "recovery": "quorum", "callback_lease_s": 30 },
        { "name": "token", "recovery": "token-recovery", "callback_lease_s": 30, "recovery_window_s": 25 }
    ]);
    let faults = json!([{ "at_s": 100.5, "crash": "master" }]);
    let s = scenario(small(400.0, strategies, faults));
    let outcomes = run(&s);
    for (o, wait) in outcomes.iter().zip([0.0, 0.0, 25.0]) {
        let r = &o.metrics.recoveries.list[0];
        // Writes and locks open together: at the end of the sync (a round trip or two
        // after the election) plus the strategy's own wait.
        let elected = secs(r.elected_at);
        let opened = secs(r.writes_open_at);
        assert_eq!(secs(r.locks_open_at), opened);
        assert!(
            opened - elected - wait >= 0.0 && opened - elected - wait < 0.05,
            "{elected} {opened}"
        );
    }
}
