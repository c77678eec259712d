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
//! the last step, if any. The cells are in `explore_mutants/cells.rs`, except for the
//! three mutants that need a message held behind later ones (`explore_mutants/held.rs`),
//! the two whose harm is liveness (`liveness.rs`), the one that opens before `T` + the
//! allowance (`opening.rs`) and the one that answers a retry early, on 5 servers
//! (`retry.rs`).
//!
//! `cargo test --release --test explore_mutants -- --nocapture` prints each mutant's K,
//! schedules and time.
#[path = "explore_mutants/cells.rs"]
mod cells;
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
use cells::case;
use serde_json::json;
use support::scenario;

/// The deepest search: every mutant `case` gives a cell must fall by then.
const MAX_K: u32 = 3;
/// On one core.
const WALL_MAX_S: f64 = 60.0;

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
        Mutant::BreakDatedByClock,
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
        Mutant::BreakDatedByClock,
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
