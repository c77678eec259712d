//! The checkers catch every deliberately broken strategy, and `check` shrinks what
//! they catch: for each `Mutant`, a small scenario on which the broken rule matters,
//! where `check` finds a violation within 50 seeds (and the unbroken strategy finds
//! none), and whose shrunk reproducer still fails with the mutant.
//!
//! `cargo test --release --test mutants -- --nocapture` prints each mutant's faults and
//! clients before and after shrinking.
mod support;

use afsim::check::Kind;
use afsim::run::run_scenario_with;
use afsim::seedcheck::{self, Seeds};
use afsim::shrink::Size;
use afsim::strategy::Mutant;
use serde_json::{Value, json};
use support::scenario;

const SEEDS: Seeds = Seeds {
    first: 1,
    count: 50,
};

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
fn scenario_for(m: Mutant) -> Value {
    // The master cut off from the other servers but not from the clients: it keeps
    // serving them until its master lease ends.
    let cut_off =
        |for_s: f64| json!({ "at_s": 30, "partition": [["fs0"], ["fs1", "fs2"]], "for_s": for_s });
    let crash = |for_s: f64| json!({ "at_s": 30, "crash": "master", "for_s": for_s });
    match m {
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
    }
}

struct Caught {
    mutant: Mutant,
    seed: u64,
    kind: Kind,
    seeds_failed: u64,
    before: Size,
    after: Size,
    runs: usize,
}

fn catch_and_shrink(m: Mutant) -> Caught {
    let s = scenario(scenario_for(m));
    let clean = seedcheck::check(&s, SEEDS, 2, None).unwrap();
    assert_eq!(
        clean.failures(),
        vec![],
        "{m:?}: the unbroken strategy is clean"
    );
    let report = seedcheck::check(&s, SEEDS, 2, Some(m)).unwrap();
    let failure = *report
        .failures()
        .first()
        .unwrap_or_else(|| panic!("{m:?} is not caught within {} seeds", SEEDS.count));
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
        before: shrunk.before,
        after: shrunk.after,
        runs: shrunk.runs,
    }
}

#[test]
fn every_mutant_is_caught_and_its_reproducer_shrinks() {
    let caught: Vec<Caught> = Mutant::ALL.into_iter().map(catch_and_shrink).collect();
    println!(
        "\n{:<28} {:>4} {:<13} {:>7}  {:>15}  {:>15}  {:>13}  runs",
        "mutant", "seed", "kind", "seeds", "faults", "clients", "duration s"
    );
    for c in &caught {
        println!(
            "{:<28} {:>4} {:<13} {:>4}/{}  {:>6} -> {:<6}  {:>6} -> {:<6}  {:>5} -> {:<5}  {}",
            format!("{:?}", c.mutant),
            c.seed,
            c.kind.name(),
            c.seeds_failed,
            SEEDS.count,
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
}
