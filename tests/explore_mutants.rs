//! `explore` finds every deliberately broken strategy it can reach by method: for each
//! `Mutant`, a tiny cell (3 servers, 2 or 3 clients, 1 to 3 files, fast Ubik timings;
//! one borrows a corpus scenario with 4 servers and 4 clients) running the broken strategy alone,
//! searched on one core with K = 0, 1, 2, 3 deviations until a violation turns up; the
//! reproducer it writes, read back as `afsim run` reads it, replays to the same
//! violations with the mutant on.
//!
//! `explore` enumerates message fates, crash points and clock jumps, never the workload:
//! that comes from the seed. So each mutant gets a cell and a seed whose default
//! schedule already makes its broken rule matter (locks held across a master crash, a
//! master cut off from the servers but not the clients, async durability under master
//! crashes, a fast master clock against short callbacks, ...), and the search supplies
//! the last step, if any. Three mutants need a message held behind later ones: their
//! cells are in `explore_mutants/held.rs`. The two whose harm is liveness have theirs
//! in `explore_mutants/liveness.rs`; the one that opens before `T` + the allowance, in
//! `explore_mutants/opening.rs`; the one that answers a retry early, on 5 servers, in
//! `explore_mutants/retry.rs`.
//!
//! `cargo test --release --test explore_mutants -- --nocapture` prints each mutant's K,
//! schedules and time.
#[path = "explore_mutants/held.rs"]
mod held;
#[path = "explore_mutants/liveness.rs"]
mod liveness;
#[path = "explore_mutants/opening.rs"]
mod opening;
#[path = "explore_mutants/retry.rs"]
mod retry;
mod support;

use afsim::check::Kind;
use afsim::explore::{self, Job, output};
use afsim::run::run_scenario_with;
use afsim::scenario::{Scenario, from_value};
use afsim::strategy::Mutant;
use serde_json::{Value, json};
use support::scenario;

/// The deepest search: every mutant `case` gives a cell must fall by then.
const MAX_K: u32 = 3;
/// On one core.
const WALL_MAX_S: f64 = 60.0;

/// The tiny cell: 3 servers, 1 s beacons, a 4 s master lease, a 6 s vote wait, 1–5 ms
/// latency, 40 s long, one strategy, `faults`, deviations inside `window`.
fn tiny(strategy: Value, faults: Value, window: [f64; 2]) -> Value {
    json!({
        "name": "explore-mutant",
        "duration_s": 40,
        "cell": { "servers": 3, "clients": 3, "files": 2 },
        "election": { "beacon_s": 1, "master_lease_s": 4, "vote_wait_s": 6 },
        "network": { "latency_ms": { "min": 1, "max": 5 } },
        "workload": { "ops_per_client_s": 1, "zipf": 0, "lock_hold_s": 2, "op_deadline_s": 5 },
        "strategies": [strategy],
        "faults": faults,
        "explore": { "window_s": window }
    })
}

/// `doc` with `fields` set (one level deep: `"workload": {...}` merges into the
/// workload).
fn with(mut doc: Value, fields: Value) -> Value {
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
fn strategy(recovery: &str, extra: Value) -> Value {
    let mut s = json!({ "name": recovery, "recovery": recovery, "callback_lease_s": 10,
                        "lock_lease_s": 10, "lock_renew_s": 3, "client_probe_s": 2,
                        "clock_skew_allowance_s": 1 });
    if recovery == "token-recovery" {
        s["recovery_window_s"] = json!(5);
    }
    with(s, extra)
}

fn crash(at_s: f64, for_s: f64) -> Value {
    json!({ "at_s": at_s, "crash": "master", "for_s": for_s })
}

/// The master (fs0 at first) cut off from the other servers but not from the clients:
/// it serves them until its master lease ends.
fn cut_off(at_s: f64, for_s: f64) -> Value {
    json!({ "at_s": at_s, "partition": [["fs0"], ["fs1", "fs2"]], "for_s": for_s })
}

/// Every lock exclusive and most operations locks, held `hold_s`.
fn locks(hold_s: f64, ops: f64) -> Value {
    json!({ "workload": { "mix": { "read": 0.2, "write": 0.2, "lock": 0.6 },
                          "exclusive_locks": 1.0, "lock_hold_s": hold_s,
                          "ops_per_client_s": ops } })
}

fn mix(read: f64, write: f64, lock: f64, ops: f64) -> Value {
    json!({ "workload": { "mix": { "read": read, "write": write, "lock": lock },
                          "ops_per_client_s": ops } })
}

/// Master crashes drawn from the seed, about every 10 s.
fn random_crashes(lo_s: f64, hi_s: f64) -> Value {
    json!({ "random_faults": { "crash_master_every_s": 10, "downtime_s": [lo_s, hi_s] } })
}

/// Each mutant's cell and seed (the seed picks the workload and the drawn faults), or
/// why explore cannot reach it.
fn case(m: Mutant) -> Result<(Value, u64), &'static str> {
    let c = |doc: Value, seed: u64| Ok((doc, seed));
    match m {
        // Exclusive locks held across a master cut off from the servers, with a 10 s
        // master lease that the missing `master_lease_s` in T leaves uncovered.
        Mutant::LeaseForgetsMasterLease => c(
            with(
                tiny(
                    strategy("lease-timeout", json!({})),
                    json!([cut_off(10.0, 25.0)]),
                    [9.0, 30.0],
                ),
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
            with(
                tiny(
                    strategy(
                        "lease-timeout",
                        json!({ "lock_lease_s": 30, "lock_renew_s": 5 }),
                    ),
                    json!([crash(10.0, 10.0)]),
                    [9.0, 25.0],
                ),
                locks(20.0, 2.0),
            ),
            1,
        ),
        // Holders renew every 10 s, well inside the 30 s window; others ask at once.
        Mutant::TokenGrantsInWindow => c(
            with(
                tiny(
                    strategy(
                        "token-recovery",
                        json!({ "callback_lease_s": 30, "lock_lease_s": 40, "lock_renew_s": 10,
                                "client_probe_s": 10, "recovery_window_s": 30 }),
                    ),
                    json!([crash(10.0, 5.0)]),
                    [9.0, 25.0],
                ),
                locks(10.0, 2.0),
            ),
            1,
        ),
        // Grants the cut-off master answers but cannot replicate.
        Mutant::QuorumGrantsBeforeMajority => c(
            with(
                tiny(
                    strategy(
                        "quorum",
                        json!({ "callback_lease_s": 30, "lock_lease_s": 30, "lock_renew_s": 5 }),
                    ),
                    json!([cut_off(10.0, 20.0)]),
                    [9.0, 25.0],
                ),
                locks(10.0, 2.0),
            ),
            1,
        ),
        // Writes acknowledged from memory, master crashes losing the unreplicated ones.
        Mutant::ClientDropsUndurable => c(
            with(
                tiny(
                    strategy(
                        "token-recovery",
                        json!({ "callback_lease_s": 30, "durability": "async",
                                "client_probe_s": 1, "recovery_window_s": 10 }),
                    ),
                    json!([]),
                    [9.0, 25.0],
                ),
                with(
                    with(mix(0.3, 0.65, 0.05, 3.0), random_crashes(2.0, 10.0)),
                    json!({ "duration_s": 60, "cell": { "files": 1 } }),
                ),
            ),
            5,
        ),
        // One hot file, async durability: replays of older writes arrive after newer.
        Mutant::ReplayTakesNewPlace => c(
            with(
                tiny(
                    strategy("token-recovery", async_knobs(false)),
                    json!([crash(10.0, 10.0)]),
                    [9.0, 25.0],
                ),
                with(
                    mix(0.5, 0.5, 0.0, 4.0),
                    json!({ "duration_s": 45, "cell": { "files": 1 } }),
                ),
            ),
            27,
        ),
        // The same with an early end: a window that ends on reassertion alone opens
        // before the replays are in.
        Mutant::ReassertBeforeReplays => c(
            with(
                tiny(
                    strategy("token-recovery", async_knobs(true)),
                    json!([]),
                    [9.0, 25.0],
                ),
                with(
                    with(mix(0.5, 0.5, 0.0, 4.0), random_crashes(2.0, 10.0)),
                    json!({ "duration_s": 60, "cell": { "files": 1 } }),
                ),
            ),
            58,
        ),
        // The master's clock 1.5 s fast (the allowance is 2 s) against 4 s callbacks on
        // a read-mostly file.
        Mutant::CallbackWithoutMargin => c(
            with(
                tiny(
                    strategy(
                        "lease-timeout",
                        json!({ "callback_lease_s": 4, "clock_skew_allowance_s": 2 }),
                    ),
                    json!([{ "at_s": 5, "clock_jump_s": 1.5, "node": "fs0" }]),
                    [9.0, 30.0],
                ),
                with(
                    mix(0.7, 0.3, 0.0, 2.0),
                    json!({ "duration_s": 60, "cell": { "files": 1 } }),
                ),
            ),
            9,
        ),
        // Writers holding exclusive locks for 20 s across a master crash.
        Mutant::WriterCallbackKept => c(
            with(
                tiny(
                    strategy(
                        "lease-timeout",
                        json!({ "callback_lease_s": 30, "lock_lease_s": 20, "lock_renew_s": 5,
                                "client_probe_s": 3, "clock_skew_allowance_s": 2 }),
                    ),
                    json!([crash(10.0, 10.0)]),
                    [9.0, 25.0],
                ),
                with(
                    locks(20.0, 3.0),
                    json!({ "workload": { "mix": { "read": 0.3, "write": 0.2, "lock": 0.5 } } }),
                ),
            ),
            1,
        ),
        // A client cut off for longer than its 6 s lease.
        Mutant::ClientLeaseIgnored => c(
            with(
                tiny(
                    json!({ "name": "nfs4 grace", "recovery": "nfs4-grace", "callback_lease_s": 60,
                            "clock_skew_allowance_s": 1, "lease_s": 6, "grace_s": 6 }),
                    json!([{ "at_s": 10, "isolate": "c0", "for_s": 15 }]),
                    [9.0, 30.0],
                ),
                with(
                    mix(0.7, 0.3, 0.0, 2.0),
                    json!({ "cell": { "clients": 2, "files": 1 } }),
                ),
            ),
            11,
        ),
        // A new epoch after a master crash, caches kept by a calm read-mostly workload.
        Mutant::EpochKeepsCache => c(
            with(
                tiny(
                    json!({ "name": "chubby", "recovery": "chubby", "callback_lease_s": 60,
                            "clock_skew_allowance_s": 1, "session_lease_s": 12 }),
                    json!([crash(10.0, 10.0)]),
                    [9.0, 25.0],
                ),
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
            with(
                tiny(
                    json!({ "name": "grant log", "recovery": "grant-log", "callback_lease_s": 30,
                            "lock_lease_s": 30, "lock_renew_s": 5, "clock_skew_allowance_s": 1,
                            "tail_lease_s": 10, "grant_sync_ms": 500 }),
                    json!([]),
                    [9.0, 25.0],
                ),
                with(
                    with(locks(20.0, 2.0), random_crashes(5.0, 20.0)),
                    json!({ "duration_s": 60 }),
                ),
            ),
            34,
        ),
        // Each server cut off from the other two in turn, so replicas catch up from
        // snapshots while fresh grants sit at the tail.
        Mutant::LoggedGrantAtTail => c(
            with(
                tiny(
                    json!({ "name": "grant log", "recovery": "grant-log", "callback_lease_s": 60,
                            "lock_lease_s": 20, "lock_renew_s": 5, "client_probe_s": 3,
                            "clock_skew_allowance_s": 0.4, "tail_lease_s": 10, "grant_sync_ms": 100,
                            "durability": "quorum", "client_keeps_until_durable": true }),
                    json!([
                        { "at_s": 10, "partition": [["fs2"], ["fs0", "fs1"]], "for_s": 12 },
                        { "at_s": 24, "partition": [["fs0"], ["fs1", "fs2"]], "for_s": 12 }
                    ]),
                    [9.0, 40.0],
                ),
                with(
                    mix(0.8, 0.2, 0.0, 2.0),
                    json!({ "duration_s": 50,
                            "election": { "beacon_s": 1, "master_lease_s": 4, "vote_wait_s": 4.5 },
                            "network": { "latency_ms": { "lognormal_median": 5, "sigma": 2 } } }),
                ),
            ),
            28,
        ),
        // An exclusive lock held across a master crash, on the one file the other client
        // wants: one lost reassertion, and a window that ends on any contact opens the
        // lock while its holder still trusts it.
        Mutant::WindowEndsOnContact => c(
            with(
                tiny(
                    strategy(
                        "token-recovery",
                        json!({ "callback_lease_s": 60, "lock_lease_s": 20, "lock_renew_s": 5,
                                "client_probe_s": 3, "clock_skew_allowance_s": 2,
                                "recovery_window_s": 30, "end_window_when_all_reasserted": true }),
                    ),
                    json!([crash(10.0, 5.0)]),
                    [15.0, 22.0],
                ),
                with(
                    locks(15.0, 2.0),
                    json!({ "duration_s": 45, "cell": { "clients": 2, "files": 1 },
                            "workload": { "mix": { "read": 0.3, "write": 0.2, "lock": 0.5 } } }),
                ),
            ),
            2,
        ),
        // Clocks drifting 2% for six minutes end up seconds apart (far beyond the 2 s
        // allowance, while the error along any one lease stays inside it); then fs1 is
        // cut off, the master fs0 crashes and fs1 is elected with fs2's vote, whose
        // reading on fs1's clock puts T seconds early.
        Mutant::VoteCarriesReading => c(
            with(
                tiny(
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
                ),
                with(
                    locks(15.0, 1.0),
                    json!({ "duration_s": 400,
                            "election": { "beacon_s": 1, "master_lease_s": 4, "vote_wait_s": 7 },
                            "network": { "latency_ms": { "min": 1, "max": 10 }, "clock_drift_ppm": 20000 } }),
                ),
            ),
            8,
        ),
        // The corpus's window-through-lapse with 4 clients instead of 10: a new master is
        // cut off from everyone during its recovery window and wins its lease back.
        Mutant::WindowRunsThroughLapse => c(
            with(
                corpus("window-through-lapse.json", "token recovery"),
                json!({ "cell": { "clients": 4 }, "explore": { "window_s": [38, 90] } }),
            ),
            5,
        ),
        // A read's answer held behind the reset its client was sent later.
        Mutant::ResetRacesGrant => c(held::reset_race(), 1),
        // An old master's grant held until its client has heard of the new master.
        Mutant::TrustsOlderTerm => c(held::older_reply(), 7),
        Mutant::AfsSkipsReset => Err(AFS),
        // A restarted master's forgotten grant, a recovery window shorter than the allowance.
        Mutant::OpensBeforeOldLeaseEnds => c(opening::forgotten_grant(), 1),
        // A write inherited on two servers of five, retried to its new master.
        Mutant::RetryAckedBeforeCommit => c(retry::inherited_write(), 1),
        // A master that lapses at every beacon and wins its lease back a round trip later.
        Mutant::LapseForgetsGrants => c(liveness::lapse_every_beacon(), 1),
        // A client whose lease ran out on its own clock, asking for locks all the same.
        Mutant::LockRetrySameId => c(held::retry_same_id(), 3),
        // A new master's term told to clients and lost with it, its old master back.
        Mutant::KeepsNewerTermToItself => c(liveness::older_term_master(), 1),
    }
}

/// One strategy of a scenario of the adversarial corpus, its violations not expected.
fn corpus(file: &str, strategy: &str) -> Value {
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
fn async_knobs(early_end: bool) -> Value {
    json!({ "callback_lease_s": 60, "lock_lease_s": 30, "lock_renew_s": 10, "client_probe_s": 5,
            "clock_skew_allowance_s": 2, "recovery_window_s": 20, "durability": "async",
            "end_window_when_all_reasserted": early_end })
}

const AFS: &str = "afs breaks promises by design, so a violation says nothing about the mutant \
                   (its bound is tested in tests/field_strategies.rs)";
struct Caught {
    k: u32,
    schedules: u64,
    wall_s: f64,
    found: explore::Found,
}

/// The smallest K at which explore finds a violation, on one core.
fn explore_until_found(s: &Scenario, seed: u64, m: Mutant) -> Option<Caught> {
    let wall = std::time::Instant::now();
    let mut schedules = 0;
    for k in 0..=MAX_K {
        let job = Job {
            scenario: s,
            strategy: 0,
            seed,
            mutant: Some(m),
            deviations: k,
            first_only: true,
        };
        let found = job.search(&|_| true, &|_| u64::MAX, &|_| {}).unwrap();
        let all = explore::SubtreeResult::combine(found.iter().map(|(_, r)| r));
        schedules += all.schedules;
        if let Some(found) = all.best {
            return Some(Caught {
                k,
                schedules,
                wall_s: wall.elapsed().as_secs_f64(),
                found,
            });
        }
        if wall.elapsed().as_secs_f64() > WALL_MAX_S {
            return None;
        }
    }
    None
}

/// Explore finds `m` within K = 3 in a minute, the unbroken strategy's default schedule
/// is clean, and the reproducer, written and read back as a file, replays to the same
/// violations with the mutant on, and to none without it.
fn explore_and_replay(m: Mutant) -> String {
    let (doc, seed) = case(m).unwrap_or_else(|why| panic!("{m:?} has no case: {why}"));
    let mut doc = doc;
    doc["seed"] = json!(seed);
    let s = scenario(doc);
    let clean = Job {
        scenario: &s,
        strategy: 0,
        seed,
        mutant: None,
        deviations: 0,
        first_only: true,
    };
    let default = clean.search(&|_| true, &|_| u64::MAX, &|_| {}).unwrap();
    assert_eq!(
        default[0].1.violating, 0,
        "{m:?}: the unbroken strategy's default schedule"
    );
    let c = explore_until_found(&s, seed, m)
        .unwrap_or_else(|| panic!("{m:?}: not found at K <= {MAX_K} within {WALL_MAX_S} s"));
    assert!(c.wall_s < WALL_MAX_S, "{m:?}: found in {:.1} s", c.wall_s);
    assert!(c.found.deviations.len() <= c.k as usize);
    assert!(c.found.violations.iter().sum::<u64>() > 0);
    let repro = output::reproducer(&s, 0, seed, &c.found);
    let text = repro.to_json_pretty();
    let read_back = from_value(serde_json::from_str(&text).unwrap(), "reproducer").unwrap();
    let outcome = &run_scenario_with(&read_back, seed, Some(m)).unwrap()[0];
    for (kind, &n) in Kind::ALL.iter().zip(&c.found.violations) {
        assert_eq!(
            outcome.verdict.count(*kind),
            n,
            "{m:?}: the reproducer replays to the same {} count",
            kind.name()
        );
    }
    let unbroken = &run_scenario_with(&read_back, seed, None).unwrap()[0];
    assert_eq!(
        unbroken.verdict.total(),
        0,
        "{m:?}: the unbroken strategy is clean on the schedule found"
    );
    let kinds: Vec<&str> = Kind::ALL
        .iter()
        .zip(&c.found.violations)
        .filter(|(_, n)| **n > 0)
        .map(|(k, _)| k.name())
        .collect();
    format!(
        "{:<28} {:>4} {:>2} {:>10} {:>7.1}  {}",
        format!("{m:?}"),
        seed,
        c.k,
        c.schedules,
        c.wall_s,
        kinds.join(", ")
    )
}

fn run_all(mutants: &[Mutant]) {
    let lines: Vec<String> = mutants.iter().map(|&m| explore_and_replay(m)).collect();
    println!(
        "\n{:<28} {:>4} {:>2} {:>10} {:>7}  kinds\n{}",
        "mutant",
        "seed",
        "K",
        "schedules",
        "s",
        lines.join("\n")
    );
}

/// The mutants of lease timeout and token recovery's locks, found with a deviation.
#[test]
fn explore_finds_the_lock_and_lease_mutants_and_replays_them() {
    run_all(&[
        Mutant::LeaseForgetsMasterLease,
        Mutant::LeaseIgnoresLocks,
        Mutant::TokenGrantsInWindow,
        Mutant::QuorumGrantsBeforeMajority,
        Mutant::WriterCallbackKept,
        Mutant::CallbackWithoutMargin,
        Mutant::WindowEndsOnContact,
        Mutant::VoteCarriesReading,
        Mutant::OpensBeforeOldLeaseEnds,
    ]);
}

/// The mutants of replays, durability and the field's strategies.
#[test]
fn explore_finds_the_replay_and_field_mutants_and_replays_them() {
    run_all(&[
        Mutant::ClientDropsUndurable,
        Mutant::ReplayTakesNewPlace,
        Mutant::ReassertBeforeReplays,
        Mutant::ClientLeaseIgnored,
        Mutant::EpochKeepsCache,
        Mutant::LogSkipsTail,
        Mutant::LoggedGrantAtTail,
        Mutant::WindowRunsThroughLapse,
        Mutant::RetryAckedBeforeCommit,
    ]);
}

/// The mutants only a message held behind later ones shows.
#[test]
fn explore_finds_the_mutants_a_held_message_shows_and_replays_them() {
    run_all(&[
        Mutant::TrustsOlderTerm,
        Mutant::ResetRacesGrant,
        Mutant::LockRetrySameId,
    ]);
}

/// The mutants whose harm is liveness.
#[test]
fn explore_finds_the_liveness_mutants_and_replays_them() {
    run_all(&[Mutant::LapseForgetsGrants, Mutant::KeepsNewerTermToItself]);
}

/// Every mutant is in one of the four tests above or left out with its reason.
#[test]
fn every_mutant_is_searched_or_left_out_with_a_reason() {
    let searched = [
        Mutant::LeaseForgetsMasterLease,
        Mutant::LeaseIgnoresLocks,
        Mutant::TokenGrantsInWindow,
        Mutant::QuorumGrantsBeforeMajority,
        Mutant::WriterCallbackKept,
        Mutant::CallbackWithoutMargin,
        Mutant::WindowEndsOnContact,
        Mutant::VoteCarriesReading,
        Mutant::ClientDropsUndurable,
        Mutant::ReplayTakesNewPlace,
        Mutant::ReassertBeforeReplays,
        Mutant::ClientLeaseIgnored,
        Mutant::EpochKeepsCache,
        Mutant::LogSkipsTail,
        Mutant::LoggedGrantAtTail,
        Mutant::WindowRunsThroughLapse,
        Mutant::TrustsOlderTerm,
        Mutant::ResetRacesGrant,
        Mutant::LockRetrySameId,
        Mutant::LapseForgetsGrants,
        Mutant::KeepsNewerTermToItself,
        Mutant::OpensBeforeOldLeaseEnds,
        Mutant::RetryAckedBeforeCommit,
    ];
    for m in Mutant::ALL {
        match case(m) {
            Ok(_) => assert!(
                searched.contains(&m),
                "{m:?} has a case but is not searched"
            ),
            Err(why) => {
                assert!(!searched.contains(&m), "{m:?} is searched but left out");
                assert!(!why.is_empty() && why != "TODO", "{m:?}: {why}");
            }
        }
    }
}
