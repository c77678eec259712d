//! The cells `explore_mutants` searches: the tiny cell and its builders, and for each
//! mutant its cell and seed, or why explore cannot reach it.

use super::{held, liveness, opening, retry};
use afsim::strategy::Mutant;
use serde_json::{Value, json};

/// A tiny cell: 3 servers, 1 s beacons, a 4 s master lease, a 6 s vote wait, 1–5 ms
/// latency, 40 s long, one strategy, `faults`, deviations inside `window`; then `extra`
/// set over it (see [`with`]).
pub fn cell(strategy: Value, faults: Value, window: [f64; 2], extra: Value) -> Value {
    let tiny = json!({
        "name": "explore-mutant",
        "duration_s": 40,
        "cell": { "servers": 3, "clients": 3, "files": 2 },
        "election": { "beacon_s": 1, "master_lease_s": 4, "vote_wait_s": 6 },
        "network": { "latency_ms": { "min": 1, "max": 5 } },
        "workload": { "ops_per_client_s": 1, "zipf": 0, "lock_hold_s": 2, "op_deadline_s": 5 },
        "strategies": [strategy],
        "faults": faults,
        "explore": { "window_s": window }
    });
    with(tiny, extra)
}

/// `doc` with `fields` set (one level deep: `"workload": {...}` merges into the
/// workload).
pub fn with(mut doc: Value, fields: Value) -> Value {
    for (k, v) in fields.as_object().unwrap() {
        match (doc.get_mut(k), v) {
            (Some(Value::Object(have)), Value::Object(new)) => {
                have.extend(new.clone());
            }
            _ => doc[k] = v.clone(),
        }
    }
    doc
}

/// A strategy: `recovery` with the cell's usual knobs, then `extra`.
pub fn strategy(recovery: &str, extra: Value) -> Value {
    let mut s = json!({ "name": recovery, "recovery": recovery, "callback_lease_s": 10,
                        "lock_lease_s": 10, "lock_renew_s": 3, "client_probe_s": 2,
                        "clock_skew_allowance_s": 1 });
    if recovery == "token-recovery" {
        s["recovery_window_s"] = json!(5);
    }
    with(s, extra)
}

pub fn crash(at_s: f64, for_s: f64) -> Value {
    json!({ "at_s": at_s, "crash": "master", "for_s": for_s })
}

/// The master (fs0 at first) cut off from the other servers but not from the clients:
/// it serves them until its master lease ends.
pub fn cut_off(at_s: f64, for_s: f64) -> Value {
    json!({ "at_s": at_s, "partition": [["fs0"], ["fs1", "fs2"]], "for_s": for_s })
}

/// Every lock exclusive and most operations locks, held `hold_s`.
pub fn locks(hold_s: f64, ops: f64) -> Value {
    json!({ "workload": { "mix": { "read": 0.2, "write": 0.2, "lock": 0.6 },
                          "exclusive_locks": 1.0, "lock_hold_s": hold_s,
                          "ops_per_client_s": ops } })
}

pub fn mix(read: f64, write: f64, lock: f64, ops: f64) -> Value {
    json!({ "workload": { "mix": { "read": read, "write": write, "lock": lock },
                          "ops_per_client_s": ops } })
}

/// Master crashes drawn from the seed, about every 10 s.
pub fn random_crashes(lo_s: f64, hi_s: f64) -> Value {
    json!({ "random_faults": { "crash_master_every_s": 10, "downtime_s": [lo_s, hi_s] } })
}

/// Each mutant's cell and seed (the seed picks the workload and the drawn faults), or
/// why explore cannot reach it.
pub fn case(m: Mutant) -> Result<(Value, u64), &'static str> {
    let c = |doc: Value, seed: u64| Ok((doc, seed));
    match m {
        // Exclusive locks held across a master cut off from the servers, with a 10 s
        // master lease that the missing `master_lease_s` in T leaves uncovered.
        Mutant::LeaseForgetsMasterLease => c(
            cell(
                strategy("lease-timeout", json!({})),
                json!([cut_off(10.0, 25.0)]),
                [9.0, 30.0],
                with(
                    locks(10.0, 2.0),
                    json!({ "duration_s": 45,
                            "election": { "beacon_s": 1, "master_lease_s": 10, "vote_wait_s": 12 } }),
                ),
            ),
            1,
        ),
        // Locks of 30 s held across a master crash: the new master must wait them out.
        Mutant::LeaseIgnoresLocks => c(
            cell(
                strategy(
                    "lease-timeout",
                    json!({ "lock_lease_s": 30, "lock_renew_s": 5 }),
                ),
                json!([crash(10.0, 10.0)]),
                [9.0, 25.0],
                locks(20.0, 2.0),
            ),
            1,
        ),
        // Holders renew every 10 s, well inside the 30 s window; others ask at once.
        Mutant::TokenGrantsInWindow => c(
            cell(
                strategy(
                    "token-recovery",
                    json!({ "callback_lease_s": 30, "lock_lease_s": 40, "lock_renew_s": 10,
                                "client_probe_s": 10, "recovery_window_s": 30 }),
                ),
                json!([crash(10.0, 5.0)]),
                [9.0, 25.0],
                locks(10.0, 2.0),
            ),
            1,
        ),
        // Grants the cut-off master answers but cannot replicate.
        Mutant::QuorumGrantsBeforeMajority => c(
            cell(
                strategy(
                    "quorum",
                    json!({ "callback_lease_s": 30, "lock_lease_s": 30, "lock_renew_s": 5 }),
                ),
                json!([cut_off(10.0, 20.0)]),
                [9.0, 25.0],
                locks(10.0, 2.0),
            ),
            1,
        ),
        // Writes acknowledged from memory, master crashes losing the unreplicated ones.
        Mutant::ClientDropsUndurable => c(
            cell(
                strategy(
                    "token-recovery",
                    json!({ "callback_lease_s": 30, "durability": "async",
                                "client_probe_s": 1, "recovery_window_s": 10 }),
                ),
                json!([]),
                [9.0, 25.0],
                with(
                    with(mix(0.3, 0.65, 0.05, 3.0), random_crashes(2.0, 10.0)),
                    json!({ "duration_s": 60, "cell": { "files": 1 } }),
                ),
            ),
            5,
        ),
        // One hot file, async durability: replays of older writes arrive after newer.
        Mutant::ReplayTakesNewPlace => c(
            cell(
                strategy("token-recovery", async_knobs(false)),
                json!([crash(10.0, 10.0)]),
                [9.0, 25.0],
                with(
                    mix(0.5, 0.5, 0.0, 4.0),
                    json!({ "duration_s": 45, "cell": { "files": 1 } }),
                ),
            ),
            1,
        ),
        // The same with an early end: a window that ends on reassertion alone opens
        // before the replays are in.
        Mutant::ReassertBeforeReplays => c(
            cell(
                strategy("token-recovery", async_knobs(true)),
                json!([]),
                [9.0, 25.0],
                with(
                    with(mix(0.5, 0.5, 0.0, 4.0), random_crashes(2.0, 10.0)),
                    json!({ "duration_s": 60, "cell": { "files": 1 } }),
                ),
            ),
            1,
        ),
        // The master's clock 1.5 s fast (the allowance is 2 s) against 4 s callbacks on
        // a read-mostly file.
        Mutant::CallbackWithoutMargin => c(
            cell(
                strategy(
                    "lease-timeout",
                    json!({ "callback_lease_s": 4, "clock_skew_allowance_s": 2 }),
                ),
                json!([{ "at_s": 5, "clock_jump_s": 1.5, "node": "fs0" }]),
                [9.0, 30.0],
                with(
                    mix(0.7, 0.3, 0.0, 2.0),
                    json!({ "duration_s": 60, "cell": { "files": 1 } }),
                ),
            ),
            14,
        ),
        // Writers holding exclusive locks for 20 s across a master crash.
        Mutant::WriterCallbackKept => c(
            cell(
                strategy(
                    "lease-timeout",
                    json!({ "callback_lease_s": 30, "lock_lease_s": 20, "lock_renew_s": 5,
                                "client_probe_s": 3, "clock_skew_allowance_s": 2 }),
                ),
                json!([crash(10.0, 10.0)]),
                [9.0, 25.0],
                with(
                    locks(20.0, 3.0),
                    json!({ "workload": { "mix": { "read": 0.3, "write": 0.2, "lock": 0.5 } } }),
                ),
            ),
            1,
        ),
        // A client cut off for longer than its 6 s lease.
        Mutant::ClientLeaseIgnored => c(
            cell(
                json!({ "name": "nfs4 grace", "recovery": "nfs4-grace", "callback_lease_s": 60,
                            "clock_skew_allowance_s": 1, "lease_s": 6, "grace_s": 6 }),
                json!([{ "at_s": 10, "isolate": "c0", "for_s": 15 }]),
                [9.0, 30.0],
                with(
                    mix(0.7, 0.3, 0.0, 2.0),
                    json!({ "cell": { "clients": 2, "files": 1 } }),
                ),
            ),
            2,
        ),
        // A new epoch after a master crash, caches kept by a calm read-mostly workload.
        Mutant::EpochKeepsCache => c(
            cell(
                json!({ "name": "chubby", "recovery": "chubby", "callback_lease_s": 60,
                            "clock_skew_allowance_s": 1, "session_lease_s": 12 }),
                json!([crash(10.0, 10.0)]),
                [9.0, 25.0],
                with(
                    mix(0.8, 0.2, 0.0, 1.0),
                    json!({ "cell": { "clients": 2, "files": 1 } }),
                ),
            ),
            2,
        ),
        // Long exclusive locks, master crashes drawn from the seed landing inside a
        // 500 ms grant batch.
        Mutant::LogSkipsTail => c(
            cell(
                json!({ "name": "grant log", "recovery": "grant-log", "callback_lease_s": 30,
                            "lock_lease_s": 30, "lock_renew_s": 5, "clock_skew_allowance_s": 1,
                            "tail_lease_s": 10, "grant_sync_ms": 500 }),
                json!([]),
                [9.0, 25.0],
                with(
                    with(locks(20.0, 2.0), random_crashes(5.0, 20.0)),
                    json!({ "duration_s": 60 }),
                ),
            ),
            42,
        ),
        // Each server cut off from the other two in turn, so replicas catch up from
        // snapshots while fresh grants sit at the tail.
        Mutant::LoggedGrantAtTail => c(
            cell(
                json!({ "name": "grant log", "recovery": "grant-log", "callback_lease_s": 60,
                            "lock_lease_s": 20, "lock_renew_s": 5, "client_probe_s": 3,
                            "clock_skew_allowance_s": 0.4, "tail_lease_s": 10, "grant_sync_ms": 100,
                            "durability": "quorum", "client_keeps_until_durable": true }),
                json!([
                    { "at_s": 10, "partition": [["fs2"], ["fs0", "fs1"]], "for_s": 12 },
                    { "at_s": 24, "partition": [["fs0"], ["fs1", "fs2"]], "for_s": 12 }
                ]),
                [9.0, 40.0],
                with(
                    mix(0.8, 0.2, 0.0, 2.0),
                    json!({ "duration_s": 50,
                            "election": { "beacon_s": 1, "master_lease_s": 4, "vote_wait_s": 4.5 },
                            "network": { "latency_ms": { "lognormal_median": 5, "sigma": 2 } } }),
                ),
            ),
            12,
        ),
        // An exclusive lock held across a master crash, on the one file the other client
        // wants: one lost reassertion, and a window that ends on any contact opens the
        // lock while its holder still trusts it.
        Mutant::WindowEndsOnContact => c(
            cell(
                strategy(
                    "token-recovery",
                    json!({ "callback_lease_s": 60, "lock_lease_s": 20, "lock_renew_s": 5,
                                "client_probe_s": 3, "clock_skew_allowance_s": 2,
                                "recovery_window_s": 30, "end_window_when_all_reasserted": true }),
                ),
                json!([crash(10.0, 5.0)]),
                [15.0, 22.0],
                with(
                    locks(15.0, 2.0),
                    json!({ "duration_s": 45, "cell": { "clients": 2, "files": 1 },
                            "workload": { "mix": { "read": 0.3, "write": 0.2, "lock": 0.5 } } }),
                ),
            ),
            5,
        ),
        // Clocks drifting 2% for six minutes end up seconds apart (far beyond the 2 s
        // allowance, while the error along any one lease stays inside it); then fs1 is
        // cut off, the master fs0 crashes and fs1 is elected with fs2's vote, whose
        // reading on fs1's clock puts T seconds early.
        Mutant::VoteCarriesReading => c(
            cell(
                strategy(
                    "lease-timeout",
                    json!({ "callback_lease_s": 30, "lock_lease_s": 20, "lock_renew_s": 5,
                                "clock_skew_allowance_s": 2 }),
                ),
                json!([
                    { "at_s": 340, "partition": [["fs1"], ["fs0", "fs2"]], "for_s": 21 },
                    { "at_s": 360, "crash": "fs0", "for_s": 10 }
                ]),
                [355.0, 380.0],
                with(
                    locks(15.0, 1.0),
                    json!({ "duration_s": 400,
                            "election": { "beacon_s": 1, "master_lease_s": 4, "vote_wait_s": 7 },
                            "network": { "latency_ms": { "min": 1, "max": 10 }, "clock_drift_ppm": 20000 } }),
                ),
            ),
            1,
        ),
        // The corpus's window-through-lapse with 4 clients instead of 10: a new master is
        // cut off from everyone during its recovery window and wins its lease back. The
        // deviations start at 60 s, before the crash of fs0 that shows it on this seed.
        Mutant::WindowRunsThroughLapse => c(
            with(
                corpus("window-through-lapse.json", "token recovery"),
                json!({ "cell": { "clients": 4 }, "explore": { "window_s": [60, 90] } }),
            ),
            60,
        ),
        // A read's answer held behind the reset its client was sent later.
        Mutant::ResetRacesGrant => c(held::reset_race(), 2),
        // An old master's grant held until its client has heard of the new master.
        Mutant::TrustsOlderTerm => c(held::older_reply(), 3),
        Mutant::AfsSkipsReset => Err(AFS),
        // A restarted master's forgotten grant, a recovery window shorter than the allowance.
        Mutant::OpensBeforeOldLeaseEnds => c(opening::forgotten_grant(), 1),
        // A write inherited on two servers of five, retried to its new master.
        Mutant::RetryAckedBeforeCommit => c(retry::inherited_write(), 9),
        // A master that lapses at every beacon and wins its lease back a round trip later.
        Mutant::LapseForgetsGrants => c(liveness::lapse_every_beacon(), 1),
        // A client whose lease ran out on its own clock, asking for locks all the same.
        Mutant::LockRetrySameId => c(held::retry_same_id(), 1),
        // A new master's term told to clients and lost with it, its old master back.
        Mutant::KeepsNewerTermToItself => c(liveness::older_term_master(), 4),
        // c0's clock set forward and right again every 2 s while everyone reads and
        // writes one file over links of 1 to 30 ms: the search delays a grant to c0 behind
        // the break of a write that follows it, across a jump back.
        Mutant::BreakDatedByClock => c(
            cell(
                strategy("lease-timeout", json!({})),
                Value::Array(
                    (0..10)
                        .flat_map(|i| {
                            let at = 10.0 + 2.0 * f64::from(i);
                            [
                                json!({ "at_s": at, "clock_jump_s": 0.9, "node": "c0" }),
                                json!({ "at_s": at + 1.0, "clock_jump_s": -0.9, "node": "c0" }),
                            ]
                        })
                        .collect(),
                ),
                [10.0, 30.0],
                with(
                    mix(0.5, 0.5, 0.0, 4.0),
                    json!({ "cell": { "files": 1 },
                            "network": { "latency_ms": { "min": 1, "max": 30 } } }),
                ),
            ),
            2,
        ),
        Mutant::ActsOnDuplicates => Err(DUPLICATE),
        Mutant::LocateKeepsBackoff => Err(LOCATE),
        Mutant::DurableBeforeAckForgotten => Err(DURABLE_EARLY),
        Mutant::AsyncRetryWaitsForCommit => Err(ASYNC_RETRY),
        Mutant::LateAckDropped => Err(LATE_ACK),
        Mutant::LapsedMasterApplies => Err(LAPSED_WRITE),
    }
}

/// One strategy of a scenario of the adversarial corpus, its violations not expected.
pub fn corpus(file: &str, strategy: &str) -> Value {
    let path = format!(
        "{}/scenarios/adversarial/{file}",
        env!("CARGO_MANIFEST_DIR")
    );
    let mut doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let doc_map = doc.as_object_mut().unwrap();
    doc_map.remove("description");
    let Some(Value::Array(all)) = doc_map.get_mut("strategies") else {
        panic!("{file} has strategies")
    };
    all.retain(|s| s["name"] == strategy);
    assert_eq!(all.len(), 1, "{file} has {strategy}");
    all[0].as_object_mut().unwrap().remove("expect_violations");
    doc
}

/// Token recovery's knobs under async durability (a 20 s window, 60 s callbacks).
pub fn async_knobs(early_end: bool) -> Value {
    json!({ "callback_lease_s": 60, "lock_lease_s": 30, "lock_renew_s": 10, "client_probe_s": 5,
            "clock_skew_allowance_s": 2, "recovery_window_s": 20, "durability": "async",
            "end_window_when_all_reasserted": early_end })
}

pub const AFS: &str = "afs breaks promises by design, so a violation says nothing about the mutant \
                   (its bound is tested in tests/field_strategies.rs)";

pub const DUPLICATE: &str = "its harm needs a store refused just before a new master opens, a copy \
                         of it applied after the opening, and its client's deadline between the \
                         refusal and the copy's answer, which one duplicate at the high end of the \
                         range does not line up in a tiny cell; random seeds of the corpus's \
                         duplicate-refusal catch it (tests/mutants.rs)";

pub const LOCATE: &str = "its harm needs a client backing off when a locate names a new master, \
                      then cut off from it through most of the recovery window, which a tiny \
                      cell's default schedule does not line up; the corpus's \
                      locate-after-backoff shows it on its seed (tests/field_strategies.rs)";

pub const DURABLE_EARLY: &str = "its harm needs a client that kept many writes already durable (every \
                             notice that overtook an acknowledgement), replaying them after a \
                             failover until token recovery's window has closed, which a tiny \
                             cell's short run does not build up; the corpus's durable-before-ack \
                             shows it on its seed (tests/field_strategies.rs)";

pub const ASYNC_RETRY: &str = "a schedule that loses an acknowledgement at a master cut off from \
                           the other servers shows its harm, but the same loss in the master's \
                           last seconds, where no retry can be answered, shows async's known \
                           weakness on the unbroken strategy; the corpus's async-retry-place \
                           shows it on its seed (tests/field_strategies.rs)";

pub const LATE_ACK: &str = "its harm needs a write sent just before its own deadline (held behind \
                        another operation on its file), applied and read, then its master \
                        crashed before the write is durable, which a tiny cell's default \
                        schedule does not line up; the corpus's late-ack shows it on its seed \
                        (tests/field_strategies.rs)";

pub const LAPSED_WRITE: &str = "its harm needs a write waiting for its breaks through its master's \
                            whole cut, a new master opened early on every client's reassertion \
                            meanwhile, and the heal letting the last break through, which a tiny \
                            cell's default schedule does not line up; the corpus's \
                            lapsed-master-write shows it on its seed (tests/field_strategies.rs)";
