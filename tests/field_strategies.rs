//! The strategies the field runs (`afs`, `nfs4-grace`, `chubby`, `grant-log`) open when
//! DESIGN.md's second table says, and `afs` breaks its promises only as far as DESIGN.md
//! says it does.
mod support;

use afsim::check::{Kind, Verdict};
use afsim::history::replay::{Line, parse_write};
use afsim::run::{RunSpec, fault_schedule, run_strategy};
use afsim::strategy::Mutant;
use serde_json::{Value, json};
use support::{Shared, beacon_phases, corpus, corpus_file, run, scenario, secs, small, violations};

const SKEW: f64 = 8.0;
const LATENCY: f64 = 0.002;

/// `T` for a crash of fs0 at 100.5 s in the small cell (see lease_timeout_timings.rs):
/// its last beacon before the crash, plus the vote's round trip, plus the 4 s lease.
fn t_of_crash_at_100_5() -> f64 {
    let phase = beacon_phases(7, 0, 1.0, 1)[0];
    let last = if phase < 0.5 { 100.0 } else { 99.0 } + phase;
    ((last + 2.0 * LATENCY + 4.0) * 1e6).round() / 1e6
}

fn us(s: f64) -> i64 {
    (s * 1e6).round() as i64
}

/// Crash fs0 at 100.5 s (and cut `c0` off from 95 s to 200 s if `cut_off`); the
/// recovery's (elected, writes open, locks open).
fn crash(strategy: Value, cut_off: bool) -> (f64, f64, f64) {
    let mut faults = vec![json!({ "at_s": 100.5, "crash": "master" })];
    if cut_off {
        faults.push(json!({ "at_s": 95, "isolate": "c0", "for_s": 105 }));
    }
    let s = scenario(small(300.0, json!([strategy]), json!(faults)));
    let outcome = &run(&s)[0];
    assert_eq!(violations(outcome), [0; 5], "{:?}", outcome.verdict);
    let r = &outcome.metrics().recoveries.list;
    let r = r
        .iter()
        .find(|r| r.fault == "crash fs0")
        .expect("the crash");
    (
        secs(r.elected_at),
        secs(r.writes_open_at),
        secs(r.locks_open_at),
    )
}

fn strategy(recovery: &str, own: Value) -> Value {
    let mut s = json!({
        "name": recovery, "recovery": recovery, "callback_lease_s": 60,
        "lock_lease_s": 20, "lock_renew_s": 5, "clock_skew_allowance_s": SKEW
    });
    for (k, v) in own.as_object().unwrap() {
        s[k] = v.clone();
    }
    s
}

#[test]
fn afs_serves_everything_at_t_plus_the_allowance() {
    let (elected, writes, locks) = crash(strategy("afs", json!({})), false);
    let t = t_of_crash_at_100_5();
    assert!(elected < t + SKEW, "elected at {elected}, T = {t}");
    assert_eq!(us(writes), us(t + SKEW));
    assert_eq!(us(locks), us(t + SKEW));
}

#[test]
fn grant_log_waits_out_only_the_tail() {
    let s = strategy("grant-log", json!({ "tail_lease_s": 10 }));
    let (_, writes, locks) = crash(s, false);
    let t = t_of_crash_at_100_5();
    assert_eq!(us(writes), us(t + 10.0 + SKEW));
    assert_eq!(us(locks), us(t + 10.0 + SKEW));
}

#[test]
fn nfs4_grace_lasts_grace_s_or_until_every_lease_has_run_out() {
    let t = t_of_crash_at_100_5();
    // A client cut off through the grace period: it ends by time. Grace longer than
    // the leases: election (its sync, a few ms) + grace.
    let s = strategy("nfs4-grace", json!({ "lease_s": 20, "grace_s": 40 }));
    let (elected, writes, locks) = crash(s, true);
    assert!(
        (writes - elected - 40.0).abs() < 0.05,
        "{elected} -> {writes}"
    );
    assert_eq!(writes, locks);
    // Grace no longer than the leases: every lease the old master renewed must have run
    // out first, at T + lease + the allowance.
    let s = strategy("nfs4-grace", json!({ "lease_s": 30, "grace_s": 30 }));
    let (elected, writes, _) = crash(s, true);
    assert!(elected + 30.0 < t + 30.0 + SKEW);
    assert_eq!(us(writes), us(t + 30.0 + SKEW));
    // Every client reclaims: RECLAIM_COMPLETE ends it, never before T + the allowance.
    let s = strategy("nfs4-grace", json!({ "lease_s": 30, "grace_s": 30 }));
    let (_, writes, _) = crash(s, false);
    assert!(writes < t + 30.0, "ended early: {writes}");
    assert!(us(writes) >= us(t + SKEW));
}

#[test]
fn chubby_opens_when_every_client_acknowledged_or_every_session_ran_out() {
    let t = t_of_crash_at_100_5();
    let s = strategy("chubby", json!({ "session_lease_s": 12 }));
    let (_, writes, locks) = crash(s.clone(), true);
    assert_eq!(us(writes), us(t + 12.0 + SKEW));
    assert_eq!(writes, locks);
    let (_, writes, _) = crash(s, false);
    assert!(
        writes < t + 12.0 + SKEW,
        "every client acknowledged: {writes}"
    );
    assert!(us(writes) >= us(t + SKEW));
}

/// The afs run of a cell with a holder cut off during writes and a master crash, as its
/// history.
fn afs_history(seed: u64, mutant: Option<Mutant>) -> Vec<Line> {
    let strategies = json!([{ "name": "afs", "recovery": "afs", "callback_lease_s": 120,
                              "clock_skew_allowance_s": 1, "client_probe_s": 30,
                              "expect_violations": true }]);
    let faults = json!([
        { "at_s": 40, "isolate": "c0", "for_s": 20 },
        { "at_s": 100, "crash": "master", "for_s": 10 },
        { "at_s": 160, "isolate": "c1-c2", "for_s": 15 }
    ]);
    let mut doc = small(240.0, strategies, faults);
    doc["cell"]["files"] = json!(4);
    doc["workload"] = json!({ "ops_per_client_s": 1, "zipf": 0, "op_deadline_s": 10,
                              "mix": { "read": 0.7, "write": 0.3, "lock": 0.0 } });
    let s = scenario(doc);
    let faults = fault_schedule(&s, seed);
    let buf = Shared::default();
    let spec = RunSpec {
        log: Some(afsim::history::HistoryLog::new(
            "afs",
            Box::new(buf.clone()),
        )),
        mutant,
        ..RunSpec::new(&s, &s.strategies[0], seed, &faults)
    };
    let mut outcome = run_strategy(spec).unwrap();
    outcome.log.take().unwrap().into_writer().unwrap();
    let text = buf.text();
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// afs's stale reads, split into those DESIGN.md allows (served from the cache, before
/// the reader next talked to the master) and those it does not: a stale read of a file
/// whose newer write `w'` was acknowledged before the read, by a client that had since
/// completed an operation the master served, invoked after `w'`'s acknowledgement (that
/// contact reset it).
fn afs_stale_reads(lines: &[Line]) -> (usize, usize) {
    let ok = |l: &Line| l.result == "ok";
    let all_writes: Vec<&Line> = lines.iter().filter(|l| l.op == "write").collect();
    let writes: Vec<&Line> = all_writes.iter().copied().filter(|l| ok(l)).collect();
    let (mut allowed, mut beyond) = (0, 0);
    for read in lines.iter().filter(|l| l.op == "read" && ok(l)) {
        let Some(value) = read.value.clone() else {
            continue;
        };
        let seen = value.and_then(|v| parse_write(&v, read.file));
        // When the write the read saw surely took effect: at its acknowledgement, or, if
        // its writer never learnt the outcome, at the latest when the read saw it.
        let seen_done = seen.and_then(|w| {
            all_writes
                .iter()
                .find(|l| {
                    l.value
                        .clone()
                        .flatten()
                        .and_then(|v| parse_write(&v, l.file))
                        == Some(w)
                })
                .and_then(|l| {
                    if ok(l) {
                        l.complete_us
                    } else {
                        read.complete_us
                    }
                })
        });
        // A write acknowledged before the read, invoked after what the read saw.
        let newer = writes.iter().find(|w| {
            w.file == read.file
                && w.complete_us.is_some_and(|c| c < read.invoke_us)
                && seen_done.is_none_or(|d| w.invoke_us > d)
        });
        let Some(newer) = newer else { continue };
        assert!(
            read.cached,
            "a fetch from the master is never stale: {read:?}"
        );
        let acked = newer.complete_us.unwrap();
        let contact = lines.iter().any(|l| {
            l.client == read.client
                && ok(l)
                && !l.cached
                && l.invoke_us > acked
                && l.complete_us.is_some_and(|c| c < read.invoke_us)
        });
        if contact { beyond += 1 } else { allowed += 1 }
    }
    (allowed, beyond)
}

#[test]
fn afs_reads_stale_data_only_until_its_next_contact_with_the_master() {
    let (mut allowed, mut beyond, mut mutant_beyond) = (0, 0, 0);
    for seed in 1..=8 {
        let (a, b) = afs_stale_reads(&afs_history(seed, None));
        allowed += a;
        beyond += b;
        mutant_beyond += afs_stale_reads(&afs_history(seed, Some(Mutant::AfsSkipsReset))).1;
    }
    assert!(allowed > 0, "afs is caught breaking its promises");
    assert_eq!(
        beyond, 0,
        "no stale read after the client talked to the master"
    );
    assert!(
        mutant_beyond > 0,
        "without InitCallBackState, clients read stale data after talking to the master"
    );
}

/// The verdict of a corpus reproducer run on its own seed, with `mutant` on or off.
fn reproducer(file: &str, mutant: Option<Mutant>) -> Verdict {
    let s = corpus_file(file);
    let seed = s.seed.unwrap();
    let mut outcomes = afsim::run::run_scenario_with(&s, seed, mutant).unwrap();
    outcomes.swap_remove(0).verdict
}

/// A corpus reproducer is clean on its own seed, and the mutant that puts its bug back
/// breaks `kind` there (`None`: any invariant).
fn clean_but_caught(file: &str, mutant: Mutant, kind: Option<Kind>) {
    let count = |m| {
        let verdict = reproducer(file, m);
        kind.map_or(verdict.total(), |k| verdict.count(k))
    };
    assert_eq!(count(None), 0, "{file}: clean on its seed");
    assert!(count(Some(mutant)) > 0, "{file}: {mutant:?} is caught");
}

#[test]
fn a_client_tells_a_master_of_an_older_term_about_the_newer_one() {
    // The old master won its lease back with its old term after a client had heard of a
    // newer one: without being told, it serves that client nothing for ever.
    clean_but_caught(
        "older-term-master.json",
        Mutant::KeepsNewerTermToItself,
        Some(Kind::Liveness),
    );
}

#[test]
fn a_reset_does_not_race_a_grant_on_its_way() {
    // A chubby client whose lease ran out at the master is reset while the answer to an
    // earlier read, carrying a callback, is still on its way: kept, that callback is
    // one the master forgets, and a write skips it.
    clean_but_caught("reset-race.json", Mutant::ResetRacesGrant, None);
}

#[test]
fn a_client_stops_backing_off_once_a_locate_names_the_master() {
    // one-way-master seed 313: a token recovery client whose locate named the new master
    // went on backing off, was cut off just as it ran out, and located again too late to
    // reassert within the window; it read stale data.
    let m = Mutant::LocateKeepsBackoff;
    clean_but_caught("locate-after-backoff.json", m, Some(Kind::StaleRead));
    let run = |mutant| corpus_run("one-way-master.json", "token recovery", 313, mutant);
    assert_eq!(run(None).total(), 0, "one-way-master seed 313 is clean");
    assert!(run(Some(m)).count(Kind::StaleRead) > 0);
}

#[test]
fn a_client_keeps_a_durable_notice_that_overtook_the_acknowledgement() {
    // crash-mid-replication seed 106 under --swarm: on one server with async durability
    // the durable notice often overtook the store's acknowledgement and was dropped, so
    // clients kept nearly every write to replay; after a crash they replayed them past
    // token recovery's window, kept callbacks the new master did not know, and one read
    // stale data.
    let m = Mutant::DurableBeforeAckForgotten;
    clean_but_caught("durable-before-ack.json", m, Some(Kind::StaleRead));
}

#[test]
fn an_async_retry_is_answered_at_once_with_its_place() {
    // replay-order seed 281 under --swarm: the master, cut off from the other servers,
    // applied an async write from memory and a reader saw it; the acknowledgement was
    // lost and the retry waited for a commit that never came, so the writer could not
    // replay it and reads after the window went back past it.
    let m = Mutant::AsyncRetryWaitsForCommit;
    clean_but_caught("async-retry-place.json", m, Some(Kind::Linearizability));
}

#[test]
fn a_client_keeps_an_acknowledgement_that_comes_after_the_deadline() {
    // durable-before-ack seed 30 under --swarm: a write sent just before its deadline
    // (it waited behind a lock request on its file) was applied from memory and read,
    // and its acknowledgement, arriving after the deadline, was dropped; the master
    // crashed before the write was durable, and its writer could not replay it.
    let m = Mutant::LateAckDropped;
    clean_but_caught("late-ack.json", m, Some(Kind::Linearizability));
}

#[test]
fn a_master_whose_lease_ran_out_does_not_apply_an_async_write() {
    // replay-before-complete seed 167 under --swarm: a write waited for its breaks
    // through its master's cut; when the network healed, the old master, no longer
    // leased, applied and acknowledged it from memory, and its writer, which had already
    // reasserted to the new master, never replayed it.
    let m = Mutant::LapsedMasterApplies;
    clean_but_caught("lapsed-master-write.json", m, Some(Kind::LostWrite));
}

/// The verdict of one strategy of a corpus scenario on `seed`, with `mutant` on or off.
fn corpus_run(file: &str, strategy: &str, seed: u64, mutant: Option<Mutant>) -> Verdict {
    let s = corpus(file, strategy);
    let mut outcomes = afsim::run::run_scenario_with(&s, seed, mutant).unwrap();
    outcomes.swap_remove(0).verdict
}

#[test]
fn a_server_acts_on_each_request_once() {
    // duplicate-burst seed 401: a chubby master still recovering refused a store, whose
    // client reported it failed at its deadline; a copy of the request arrived after the
    // master opened and was applied, and the next fetch read the "failed" write.
    // duplicate-refusal makes that common (a copy up to 300 ms behind the first).
    for (file, seed) in [("duplicate-burst.json", 401), ("duplicate-refusal.json", 4)] {
        let run = |mutant| corpus_run(file, "chubby", seed, mutant);
        assert_eq!(run(None).total(), 0, "{file} seed {seed}: copies ignored");
        assert!(
            run(Some(Mutant::ActsOnDuplicates)).count(Kind::Linearizability) > 0,
            "{file} seed {seed}: a copy of a refused store applied"
        );
    }
}

#[test]
fn a_client_orders_a_break_by_its_requests_not_its_clock() {
    // clock-jumps seed 757: a grant log client's clock was set back between sending a
    // fetch and a break that overtook the fetch's grant; by its clock the fetch went out
    // after the break, so it kept the broken callback and read its own older write after
    // two others were acknowledged. break-after-jump sets clocks back every 5 s.
    for (file, seed) in [("clock-jumps.json", 757), ("break-after-jump.json", 16)] {
        let run = |mutant| corpus_run(file, "grant log", seed, mutant);
        assert_eq!(run(None).total(), 0, "{file} seed {seed}: the break holds");
        assert!(
            run(Some(Mutant::BreakDatedByClock)).count(Kind::StaleRead) > 0,
            "{file} seed {seed}: a broken callback kept across a jump back"
        );
    }
}
