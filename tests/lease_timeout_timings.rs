//! `lease-timeout` opens writes and locks exactly when DESIGN.md's table says:
//! writes at `T` + the longest callback any client could have been told + the skew
//! allowance, locks at `T` + the lock lease + the allowance, where `T` is the latest
//! yes-vote for the previous master among the servers that elected this one plus the
//! master lease, or the server's own restart time if later; never before its election.
//! The other strategies open at their own times, and none of them (naive excepted)
//! grants anything before `T` + the allowance.
mod support;

use serde_json::json;
use support::{beacon_phases, run, scenario, secs, small, violations};

const SKEW: f64 = 3.0;
/// How long a vote takes to reach its candidate in the small cell.
const LATENCY: f64 = 0.002;

/// In the small cell fs0 beacons every second from its phase (its clock is exact), and a
/// beacon reaches the voters 2 ms later, when they vote yes. Crashing fs0 at 100.5 s
/// makes its last beacon the last one before that. A vote for the new master carries the
/// age of that yes, and reaches it 2 ms after it was cast, so the new master dates the
/// yes 2 ms late: `T` is that beacon + 4 ms + master_lease (4 s).
fn t_of_crash_at_100_5() -> f64 {
    let phase = beacon_phases(7, 0, 1.0, 1)[0];
    let last = if phase < 0.5 { 100.0 } else { 99.0 } + phase;
    ((last + 2.0 * LATENCY + 4.0) * 1e6).round() / 1e6
}

fn crash_at_100_5(callback: serde_json::Value, duration: f64) -> (f64, f64, f64) {
    let strategies = json!([{
        "name": "lease", "recovery": "lease-timeout",
        "callback_lease_s": callback, "lock_lease_s": 20, "lock_renew_s": 5,
        "clock_skew_allowance_s": SKEW
    }]);
    let faults = json!([{ "at_s": 100.5, "crash": "master" }]);
    let s = scenario(small(duration, strategies, faults));
    let outcome = &run(&s)[0];
    assert_eq!(violations(outcome), [0; 5], "{:?}", outcome.verdict);
    let r = &outcome.metrics().recoveries.list;
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
    let t = t_of_crash_at_100_5();
    assert!(
        (t + 2.0..t + 5.0).contains(&elected),
        "elected at {elected}, T = {t}"
    );
    assert_eq!(us(writes), us(t + 30.0 + SKEW));
    assert_eq!(us(locks), us(t + 20.0 + SKEW));
}

/// Seconds to whole microseconds, for exact comparisons.
fn us(s: f64) -> i64 {
    (s * 1e6).round() as i64
}

#[test]
fn afs_callbacks_open_writes_after_the_longest_afs_promise() {
    // The longest lifetime the OpenAFS rule can tell a client: 4 h + 127 s.
    let (_, writes, locks) = crash_at_100_5(json!("afs"), 15_000.0);
    let t = t_of_crash_at_100_5();
    assert_eq!(us(writes), us(t + 14_527.0 + SKEW));
    assert_eq!(us(locks), us(t + 20.0 + SKEW));
}

#[test]
fn a_restarted_lone_master_waits_from_its_restart() {
    // One server: it elects itself with its first beacon after it boots again at 60 s
    // (its second phase), and nobody else could have granted anything, so T is its
    // restart time.
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
    let r = &outcome.metrics().recoveries.list[0];
    let phase = beacon_phases(7, 0, 1.0, 2)[1];
    assert_eq!(secs(r.elected_at), 60.0 + phase);
    assert_eq!(secs(r.writes_open_at), 60.0 + 30.0 + SKEW);
    assert_eq!(secs(r.locks_open_at), 60.0 + 20.0 + SKEW);
    assert_eq!(violations(outcome), [0; 5]);
}

#[test]
fn the_other_strategies_open_at_their_own_times() {
    let strategies = json!([
        { "name": "naive", "recovery": "naive", "callback_lease_s": 30, "expect_violations": true },
        { "name": "quorum", "recovery": "quorum", "callback_lease_s": 30, "clock_skew_allowance_s": SKEW },
        { "name": "token", "recovery": "token-recovery", "callback_lease_s": 30,
          "clock_skew_allowance_s": SKEW, "recovery_window_s": 25 },
        { "name": "quorum, big allowance", "recovery": "quorum", "callback_lease_s": 30,
          "clock_skew_allowance_s": 10 }
    ]);
    let faults = json!([{ "at_s": 100.5, "crash": "master" }]);
    let s = scenario(small(400.0, strategies, faults));
    let outcomes = run(&s);
    let t = t_of_crash_at_100_5();
    // (the strategy's own wait after the sync, the floor T + allowance, if it has one)
    let rules = [
        (0.0, None),
        (0.0, Some(t + SKEW)),
        (25.0, Some(t + SKEW)),
        (0.0, Some(t + 10.0)),
    ];
    for (o, (wait, floor)) in outcomes.iter().zip(rules) {
        let r = &o.metrics().recoveries.list[0];
        // Writes and locks open together: at the end of the sync (a round trip or two
        // after the election) plus the strategy's own wait, never before the floor.
        let elected = secs(r.elected_at);
        let opened = secs(r.writes_open_at);
        assert_eq!(secs(r.locks_open_at), opened);
        let own = opened - elected - wait;
        match floor {
            Some(floor) if floor > elected + wait + 0.05 => assert_eq!(us(opened), us(floor)),
            _ => assert!((0.0..0.05).contains(&own), "{elected} {opened}"),
        }
        if let Some(floor) = floor {
            assert!(opened >= floor, "{opened} before T + A = {floor}");
        }
    }
}
