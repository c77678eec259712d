//! The checkers catch every deliberately broken strategy, and `check` shrinks what
//! they catch: for each `Mutant`, a scenario on which the broken rule matters (the
//! adversarial corpus's, for the bugs found by review), where `check` finds a violation
//! within 200 seeds (and the unbroken strategy finds none on the seeds it took), and
//! whose shrunk reproducer still fails with the mutant. Two mutants break rules whose
//! harm the current strategies cannot show to a checker; their rules are tested
//! directly (`tests/mutant_rules.rs`).
//!
//! `cargo test --release --test mutants -- --nocapture` prints each mutant's seed,
//! kind, and faults, clients and duration before and after shrinking.
mod support;

use afsim::check::Kind;
use afsim::run::run_scenario_with;
use afsim::scenario::Scenario;
use afsim::seedcheck::{self, Seeds};
use afsim::shrink::Size;
use afsim::strategy::Mutant;
use serde_json::{Value, json};
use support::{corpus, scenario};

/// Seeds are tried in blocks, up to this many in all.
const SEEDS_MAX: u64 = 200;
const BLOCK: u64 = 25;

/// A tiny cell with fast Ubik timings and a busy workload, two minutes long. Besides
/// the faults that make the broken rule matter, it carries some the shrinker should
/// find irrelevant: a follower crash, a follower cut off, a loss burst.
fn cell(strategy: Value, faults: Value) -> Value {
    let mut faults = faults.as_array().cloned().unwrap_or_default();
    faults.extend([
        json!({ "at_s": 75, "crash": "fs2", "for_s": 5 }),
        json!({ "at_s": 85, "partition": [["fs2"], ["fs0", "fs1"]], "for_s": 5 }),
        json!({ "at_s": 95, "loss": 0.05, "for_s": 5 }),
    ]);
    json!({
        "name": "mutant",
        "duration_s": 120,
        "cell": { "servers": 3, "clients": 5, "files": 2 },
        "election": { "beacon_s": 1, "master_lease_s": 4, "vote_wait_s": 6 },
        "network": { "latency_ms": { "min": 1, "max": 5 } },
        "workload": { "ops_per_client_s": 3, "zipf": 0, "lock_hold_s": 5, "op_deadline_s": 10 },
        "strategies": [strategy],
        "faults": faults
    })
}

/// Lock-heavy, with `fault` at 30 s: every lock exclusive and held `hold_s`, on eight
/// files so that some are free to grant when the master changes, and grants span the
/// failover.
fn locks_across(strategy: Value, fault: Value, hold_s: f64) -> Value {
    let mut doc = cell(strategy, json!([fault]));
    doc["cell"]["files"] = json!(8);
    doc["workload"]["mix"] = json!({ "read": 0.3, "write": 0.2, "lock": 0.5 });
    doc["workload"]["exclusive_locks"] = json!(1.0);
    doc["workload"]["lock_hold_s"] = json!(hold_s);
    doc
}

/// The scenario on which each mutant's broken rule matters.
fn scenario_for(m: Mutant) -> Option<Scenario> {
    // The master cut off from the other servers but not from the clients: it keeps
    // serving them until its master lease ends.
    let cut_off =
        |for_s: f64| json!({ "at_s": 30, "partition": [["fs0"], ["fs1", "fs2"]], "for_s": for_s });
    let crash = |for_s: f64| json!({ "at_s": 30, "crash": "master", "for_s": for_s });
    let doc = match m {
        // The old master grants and renews locks until its lease ends; a long master
        // lease makes the missing `master_lease_s` in T outlast the skew allowance.
        Mutant::LeaseForgetsMasterLease => {
            let s = json!({ "name": "lease", "recovery": "lease-timeout", "callback_lease_s": 10,
                            "lock_lease_s": 10, "lock_renew_s": 3, "clock_skew_allowance_s": 1 });
            let mut doc = locks_across(s, cut_off(40.0), 10.0);
            doc["election"] = json!({ "beacon_s": 1, "master_lease_s": 10, "vote_wait_s": 12 });
            doc
        }
        // Locks held across the failover: the new master must not grant them again
        // before the old ones have expired.
        Mutant::LeaseIgnoresLocks => {
            let s = json!({ "name": "lease", "recovery": "lease-timeout", "callback_lease_s": 10,
                            "lock_lease_s": 30, "lock_renew_s": 5, "clock_skew_allowance_s": 1 });
            locks_across(s, crash(10.0), 20.0)
        }
        // Holders learn of the new master only at their next renewal, well inside the
        // window; others ask for the same locks at once.
        Mutant::TokenGrantsInWindow => {
            let s = json!({ "name": "token", "recovery": "token-recovery", "callback_lease_s": 30,
                            "lock_lease_s": 40, "lock_renew_s": 10, "client_probe_s": 10,
                            "recovery_window_s": 30 });
            locks_across(s, crash(5.0), 10.0)
        }
        // Grants the old master answers but cannot replicate, until a new master takes
        // over without them. A crash alone would not do: replication already sent still
        // arrives.
        Mutant::QuorumGrantsBeforeMajority => {
            let s = json!({ "name": "quorum", "recovery": "quorum", "callback_lease_s": 30,
                            "lock_lease_s": 30, "lock_renew_s": 5 });
            locks_across(s, cut_off(30.0), 10.0)
        }
        // Writes acknowledged from memory and replicated once a second; master crashes
        // lose what was not yet replicated unless clients replay it.
        Mutant::ClientDropsUndurable => {
            let s = json!({ "name": "token", "recovery": "token-recovery", "callback_lease_s": 30,
                            "durability": "async", "client_probe_s": 1, "recovery_window_s": 10 });
            let mut doc = cell(s, json!([]));
            doc["workload"]["mix"] = json!({ "read": 0.3, "write": 0.65, "lock": 0.05 });
            doc["random_faults"] = json!({ "crash_master_every_s": 20, "downtime_s": [2, 10] });
            doc
        }
        Mutant::ReplayTakesNewPlace => return Some(corpus("replay-order.json", "token recovery")),
        Mutant::WindowEndsOnContact => {
            return Some(corpus("early-end-lossy.json", "token recovery, early end"));
        }
        // The corpus's fast clock with callbacks of 4 s on two busy files, so that a
        // callback's end, where the margin matters, comes every few seconds.
        Mutant::CallbackWithoutMargin => {
            let mut s = corpus("callback-skew.json", "lease timeout");
            s.strategies[0].callback_lease_s = afsim::scenario::CallbackLease::Seconds(4.0);
            s.cell.files = 2;
            s.workload.ops_per_client_s = 1.0;
            return Some(s);
        }
        Mutant::ReassertBeforeReplays => {
            return Some(corpus(
                "replay-before-complete.json",
                "token recovery, early end",
            ));
        }
        Mutant::VoteCarriesReading => return Some(corpus("vote-ages.json", "lease timeout")),
        Mutant::LapseForgetsGrants => {
            return Some(corpus("lapse-keeps-grants.json", "lease timeout"));
        }
        Mutant::WriterCallbackKept => return Some(corpus("writer-race.json", "lease timeout")),
        Mutant::WindowRunsThroughLapse => {
            return Some(corpus("window-through-lapse.json", "token recovery"));
        }
        // Grants made in the last batch before the crash are known to no replica: a new
        // master that does not wait out their tail grants them again.
        Mutant::LogSkipsTail => {
            let s = json!({ "name": "grant log", "recovery": "grant-log", "callback_lease_s": 30,
                            "lock_lease_s": 30, "lock_renew_s": 5, "clock_skew_allowance_s": 1,
                            "tail_lease_s": 10, "grant_sync_ms": 500 });
            locks_across(s, crash(20.0), 20.0)
        }
        // A client cut off from the master for longer than its lease: a write gives up on
        // its callback when the lease has run out, which the broken client ignores.
        Mutant::ClientLeaseIgnored => {
            let s = json!({ "name": "nfs4", "recovery": "nfs4-grace", "callback_lease_s": 60,
                            "clock_skew_allowance_s": 1, "lease_s": 6, "grace_s": 6 });
            let mut doc = cell(s, json!([{ "at_s": 30, "isolate": "c0", "for_s": 30 }]));
            doc["workload"]["mix"] = json!({ "read": 0.7, "write": 0.3, "lock": 0.0 });
            doc
        }
        // A new epoch whose master knows no callback: only the flush on the failover
        // event keeps clients from reading what its writes replaced. A calm workload on
        // four files, so that caches survive the failover (a write that goes unanswered
        // drops its file from the cache).
        Mutant::EpochKeepsCache => {
            let s = json!({ "name": "chubby", "recovery": "chubby", "callback_lease_s": 60,
                            "clock_skew_allowance_s": 1, "session_lease_s": 12 });
            let mut doc = cell(s, json!([crash(10.0)]));
            doc["cell"]["files"] = json!(4);
            doc["workload"]["ops_per_client_s"] = json!(1);
            doc["workload"]["mix"] = json!({ "read": 0.8, "write": 0.2, "lock": 0.0 });
            doc
        }
        Mutant::ActsOnDuplicates => return Some(corpus("duplicate-refusal.json", "chubby")),
        Mutant::BreakDatedByClock => return Some(corpus("break-after-jump.json", "grant log")),
        Mutant::LoggedGrantAtTail => {
            return Some(corpus("grant-log-snapshot.json", "grant log"));
        }
        // The corpus's lapsing master with 5 s client leases, so that clients' leases run
        // out at its lapses, and exclusive locks on half of a busier workload.
        Mutant::LockRetrySameId => {
            let mut s = corpus("lease-lapse.json", "nfs4 grace");
            s.strategies[0].lease_s = Some(5.0);
            s.strategies[0].grace_s = Some(5.0);
            s.workload.ops_per_client_s = 1.0;
            s.workload.mix = afsim::scenario::MixSpec {
                read: 0.3,
                write: 0.2,
                lock: 0.5,
            };
            s.workload.exclusive_locks = 1.0;
            return Some(s);
        }
        // One seed in a thousand of fast-vote-wait: its reproducer is tested on its own
        // seed (tests/field_strategies.rs).
        Mutant::KeepsNewerTermToItself => return None,
        // One seed in a thousand of one-way-master: its reproducer, reset-race, is tested
        // on its own seed (tests/field_strategies.rs).
        Mutant::ResetRacesGrant => return None,
        // One seed in a thousand of one-way-master: its reproducer, locate-after-backoff,
        // is tested on its own seed (tests/field_strategies.rs).
        Mutant::LocateKeepsBackoff => return None,
        // Its harm is a client replaying writes already durable after a failover, late
        // for token recovery's window: the corpus's durable-before-ack shows it on its
        // seed (tests/field_strategies.rs).
        Mutant::DurableBeforeAckForgotten => return None,
        // Seeds that lose an acknowledgement at a master cut off from the other servers
        // show its harm, but some lose one in the master's last seconds, where no retry
        // can be answered: async's known weakness, on the unbroken strategy too. The
        // corpus's async-retry-place shows it on its seed (tests/field_strategies.rs), a
        // handler-level test shows the rule (tests/mutant_rules.rs).
        Mutant::AsyncRetryWaitsForCommit => return None,
        // Each needs an async write in a narrow spot (sent just before its deadline and
        // applied just before a crash; waiting for its breaks through the master's whole
        // cut); the corpus's late-ack and lapsed-master-write show them on their seeds
        // (tests/field_strategies.rs).
        Mutant::LateAckDropped | Mutant::LapsedMasterApplies => return None,
        // afs breaks promises by design, so every seed may fail; its bound is tested on
        // its own (tests/field_strategies.rs).
        Mutant::AfsSkipsReset => return None,
        // Random seeds of the corpus do not reach their harm: see tests/mutant_rules.rs,
        // and tests/explore_mutants/opening.rs and retry.rs, whose staged cells show it
        // to a checker under explore.
        Mutant::OpensBeforeOldLeaseEnds | Mutant::RetryAckedBeforeCommit => return None,
        // A handler-level test shows the rule (tests/mutant_rules.rs), explore finds it
        // by a held message (tests/explore_mutants/held.rs); the corpus's late-old-reply
        // scenario keeps it under random search.
        Mutant::TrustsOlderTerm => return None,
    };
    Some(scenario(doc))
}

struct Caught {
    mutant: Mutant,
    seed: u64,
    kind: Kind,
    seeds_failed: u64,
    seeds_run: u64,
    before: Size,
    after: Size,
    runs: usize,
}

/// The first block of seeds on which `check` catches the mutant, up to `SEEDS_MAX`.
fn catch(s: &Scenario, m: Mutant) -> (seedcheck::Report, seedcheck::Failure, u64) {
    let mut first = 1;
    while first <= SEEDS_MAX {
        let seeds = Seeds {
            first,
            count: BLOCK,
        };
        let report = seedcheck::check(s, seeds, 2, Some(m)).unwrap();
        if let Some(&failure) = report.failures().first() {
            return (report, failure, first + BLOCK - 1);
        }
        first += BLOCK;
    }
    panic!("{m:?} is not caught within {SEEDS_MAX} seeds");
}

fn catch_and_shrink(m: Mutant, s: Scenario) -> Caught {
    let (report, failure, seeds_run) = catch(&s, m);
    let unbroken = Seeds {
        first: 1,
        count: seeds_run,
    };
    let clean = seedcheck::check(&s, unbroken, 2, None).unwrap();
    assert_eq!(
        clean.failures(),
        vec![],
        "{m:?}: the unbroken strategy is clean"
    );
    let shrunk = report.reproducer(&failure, Some(m)).unwrap();
    let outcome = &run_scenario_with(&shrunk.scenario, failure.seed, Some(m)).unwrap()[0];
    assert!(
        outcome.verdict.count(failure.kind) > 0,
        "{m:?}: the reproducer still fails with the mutant"
    );
    afsim::scenario::validate(&shrunk.scenario, "reproducer").unwrap();
    assert!(shrunk.scenario.random_faults.is_none());
    Caught {
        mutant: m,
        seed: failure.seed,
        kind: failure.kind,
        seeds_failed: failure.seeds_failed,
        seeds_run,
        before: shrunk.before,
        after: shrunk.after,
        runs: shrunk.runs,
    }
}

#[test]
fn every_mutant_is_caught_and_its_reproducer_shrinks() {
    let caught: Vec<Caught> = Mutant::ALL
        .into_iter()
        .filter_map(|m| scenario_for(m).map(|s| catch_and_shrink(m, s)))
        .collect();
    println!(
        "\n{:<26} {:>4} {:<15} {:>7}  {:>15}  {:>15}  {:>15}  runs",
        "mutant", "seed", "kind", "seeds", "faults", "clients", "duration s"
    );
    for c in &caught {
        println!(
            "{:<26} {:>4} {:<15} {:>3}/{:<3}  {:>6} -> {:<6}  {:>6} -> {:<6}  {:>6} -> {:<6}  {}",
            format!("{:?}", c.mutant),
            c.seed,
            c.kind.name(),
            c.seeds_failed,
            c.seeds_run,
            c.before.faults,
            c.after.faults,
            c.before.clients,
            c.after.clients,
            c.before.duration_s,
            c.after.duration_s,
            c.runs
        );
    }
    for c in &caught {
        let smaller = c.after.faults < c.before.faults
            || c.after.clients < c.before.clients
            || c.after.duration_s < c.before.duration_s;
        assert!(smaller, "{:?}: shrinking made nothing smaller", c.mutant);
    }
    assert_eq!(caught.len(), Mutant::ALL.len() - 11);
}
