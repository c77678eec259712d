//! Rules whose breaking random seeds of the corpus do not show to a checker, tested at
//! the handlers: each test feeds a node the messages that make the rule matter and reads
//! what it sends back, with and without the mutant that breaks the rule. (All three also
//! fall to `explore`, the first by a held message, the other two on cells whose faults
//! stage them: tests/explore_mutants/.)
//!
//! - A client that has heard of a newer term takes no data from an older one
//!   (`TrustsOlderTerm`): random seeds rarely deliver an older master's reply after a
//!   newer term within the request's timeout, so the rule is shown here directly.
//! - A retry of a write the master holds is answered only once the write is committed
//!   (`RetryAckedBeforeCommit`): within a term the file is busy until the commit, so
//!   only a write inherited from an earlier term shows the rule.
//!   With `"async"` durability a retry is answered at once, as its first answer was
//!   (`AsyncRetryWaitsForCommit`): random seeds that show its harm also show async's
//!   known weakness, so the rule is shown here too.
//! - No new master grants anything before `T` + the allowance
//!   (`OpensBeforeOldLeaseEnds`): clients follow one master at a time and an early end
//!   needs every one of them, so the old master serves nobody once a new one could.
mod support;

use afsim::cell::client::Client;
use afsim::cell::ids::{ClientNo, FileNo, Req, ServerNo};
use afsim::cell::msg::{Msg, OpResult, Output, Pos, Term, Timer, WriteId};
use afsim::cell::params::Params;
use afsim::cell::server::Server;
use afsim::cell::volume::Update;
use afsim::cell::{AfsNode, client_node, server_node};
use afsim::scenario::Scenario;
use afsim::strategy::Mutant;
use serde_json::json;
use sim::{Ctx, Duration, Instant, NodeId, Prng};
use std::rc::Rc;
use support::{beacon_phases, run, scenario, secs, small};

fn params(doc: serde_json::Value, mutant: Option<Mutant>) -> Rc<Params> {
    let s: Scenario = scenario(doc);
    let mut p = Params::new(&s, &s.strategies[0]);
    p.mutant = mutant;
    Rc::new(p)
}

fn at(ms: u64) -> Ctx<AfsNode> {
    Ctx::new(NodeId(0), Instant::from_millis(ms))
}

fn term(number: u32) -> Term {
    Term {
        number,
        server: ServerNo(1),
    }
}

/// What a client does with a read's answer from a master older than one it has heard
/// of: `Some(write)` if it took the data.
fn older_reply(mutant: Option<Mutant>) -> (Option<Option<WriteId>>, usize) {
    let doc = json!({
        "name": "older", "duration_s": 100, "cell": { "servers": 3, "clients": 1, "files": 1 },
        "workload": { "ops_per_client_s": 1, "mix": { "read": 1, "write": 0, "lock": 0 } },
        "strategies": [{ "name": "quorum", "recovery": "quorum", "callback_lease_s": 30 }]
    });
    let mut c = Client::new(ClientNo(0), params(doc, mutant), Prng::new(1));
    let mut ctx = at(0);
    let mut v = c.boot(&mut ctx);
    let w = |seq| WriteId {
        client: ClientNo(9),
        file: FileNo(0),
        seq,
    };
    // A first read, answered by the master of term 5 (no callback: nothing cached).
    c.on_timer(&mut v, Timer::Arrival, &mut at(1000));
    let fetch = Msg::FetchOk {
        req: Req(0),
        term: term(5),
        file: FileNo(0),
        write: Some(w(2)),
        callback: Duration::ZERO,
    };
    c.on_message(&mut v, NodeId(0), fetch, &mut at(1010));
    // A second read, answered late by the master of term 3.
    c.on_timer(&mut v, Timer::Arrival, &mut at(2000));
    let old = Msg::FetchOk {
        req: Req(1),
        term: term(3),
        file: FileNo(0),
        write: Some(w(1)),
        callback: Duration::from_secs(30),
    };
    let mut ctx = at(2010);
    c.on_message(&mut v, NodeId(0), old, &mut ctx);
    let read = ctx.effects().find_map(|e| match e {
        sim::Effect::Output(Output::Done {
            result: OpResult::Read { write, .. },
            ..
        }) => Some(*write),
        _ => None,
    });
    // It tells that master of the newer term (and asks again after a back-off).
    let asked_again = ctx
        .sent()
        .filter(|(_, m)| matches!(m, Msg::NewerTerm { term: t } if *t == term(5)))
        .count();
    (read, asked_again)
}

#[test]
fn a_client_takes_no_data_from_an_older_term() {
    let (read, asked_again) = older_reply(None);
    assert_eq!(read, None, "the older master's data is not taken");
    assert_eq!(
        asked_again, 1,
        "the older master is told of the newer term, the read waits to ask again"
    );
    let (read, _) = older_reply(Some(Mutant::TrustsOlderTerm));
    assert!(
        read.is_some_and(|w| w.is_some_and(|w| w.seq == 1)),
        "the mutant takes it"
    );
}

/// What fs1 sends the client, before and after fs2's ack of the commit: the `durable`
/// flag of each acknowledgement, `None` for a notice that the write is durable.
type Answers = (Vec<Option<bool>>, Vec<Option<bool>>);

/// fs1 holds a write its predecessor applied (term 1) when it becomes master of term
/// 2; a client's retry of that write arrives before fs2 holds the new term.
fn inherited_retry(durability: &str, mutant: Option<Mutant>) -> Answers {
    let doc = json!({
        "name": "retry", "duration_s": 100, "cell": { "servers": 3, "clients": 1, "files": 1 },
        "election": { "beacon_s": 1, "master_lease_s": 4, "vote_wait_s": 7 },
        "workload": { "ops_per_client_s": 0 },
        "strategies": [{ "name": "quorum", "recovery": "quorum", "clock_skew_allowance_s": 1,
                         "durability": durability }]
    });
    let p = params(doc, mutant);
    let mut fs1 = Server::new(ServerNo(1), p.clone(), Prng::new(1));
    let mut v = fs1.boot(&mut at(0));
    let first = Term::FIRST;
    let pos = |term, seq| Pos { term, seq };
    let w = WriteId {
        client: ClientNo(0),
        file: FileNo(0),
        seq: 1,
    };
    let updates = vec![
        Update::Begin {
            pos: pos(first, 1),
            base: Pos::default(),
        },
        Update::Write {
            pos: pos(first, 2),
            write: w,
            place: pos(first, 2),
            callback: None,
        },
    ];
    let replicate = Msg::Replicate {
        term: first,
        updates: updates.into(),
    };
    fs1.on_message(&mut v, server_node(ServerNo(0)), replicate, &mut at(500));
    // fs1 stands and fs2 votes for it; fs2 syncs nothing newer.
    let mut ctx = at(20_000);
    fs1.on_timer(&mut v, Timer::Beacon, &mut ctx);
    let round = v.election.round;
    let vote = Msg::Vote {
        round,
        yes: true,
        prev_yes_age: Some(Duration::from_secs(15)),
        term: first,
    };
    let mut ctx = at(20_010);
    fs1.on_message(&mut v, server_node(ServerNo(2)), vote, &mut ctx);
    let new = v.master.as_ref().expect("elected").term;
    let info = Msg::SyncInfo {
        term: new,
        version: pos(first, 1),
    };
    fs1.on_message(&mut v, server_node(ServerNo(2)), info, &mut at(20_020));
    assert!(v.master.as_ref().unwrap().synced(), "open");
    let acks = |ctx: &Ctx<AfsNode>| {
        ctx.sent()
            .filter(|&(to, _)| to == client_node(ClientNo(0), 3))
            .filter_map(|(_, m)| match m {
                Msg::StoreOk { durable, place, .. } => {
                    assert_eq!(*place, pos(first, 2), "the write's own place");
                    Some(Some(*durable))
                }
                Msg::Durable { writes } if writes == &[w] => Some(None),
                _ => None,
            })
            .collect::<Vec<_>>()
    };
    let retry = Msg::Store {
        req: Req(7),
        write: w,
        replay: None,
    };
    let mut ctx = at(20_030);
    fs1.on_message(&mut v, client_node(ClientNo(0), 3), retry, &mut ctx);
    let before = acks(&ctx);
    let version = fs1.volume.version;
    let ack = Msg::ReplicateAck { term: new, version };
    let mut ctx = at(20_040);
    fs1.on_message(&mut v, server_node(ServerNo(2)), ack, &mut ctx);
    (before, acks(&ctx))
}

#[test]
fn a_retry_of_an_inherited_write_waits_for_the_commit() {
    assert_eq!(inherited_retry("quorum", None), (vec![], vec![Some(true)]));
    let (before, _) = inherited_retry("quorum", Some(Mutant::RetryAckedBeforeCommit));
    assert_eq!(
        before,
        vec![Some(false)],
        "the mutant answers before the commit"
    );
}

#[test]
fn an_async_retry_is_answered_at_once_and_told_when_durable() {
    // As its first answer was: at once, not durable, with its place; then a notice.
    let fixed = inherited_retry("async", None);
    assert_eq!(fixed, (vec![Some(false)], vec![None]));
    let broken = inherited_retry("async", Some(Mutant::AsyncRetryWaitsForCommit));
    assert_eq!(broken, (vec![], vec![Some(true)]), "the mutant waits");
}

#[test]
fn no_new_master_grants_before_t_plus_the_allowance() {
    // Quorum would open at its election; with a 10 s allowance and elections 2 s apart
    // from the old lease, T + the allowance comes later.
    let quorum = json!([{ "name": "quorum", "recovery": "quorum", "callback_lease_s": 30,
                          "clock_skew_allowance_s": 10 }]);
    let faults = json!([{ "at_s": 100.5, "crash": "master" }]);
    let s = scenario(small(300.0, quorum, faults));
    let phase = beacon_phases(7, 0, 1.0, 1)[0];
    let last = if phase < 0.5 { 100.0 } else { 99.0 } + phase;
    let t = last + 0.004 + 4.0;
    let opened = |mutant| {
        let o = &afsim::run::run_scenario_with(&s, 7, mutant).unwrap()[0];
        let r = &o.metrics().recoveries.list[0];
        (secs(r.elected_at), secs(r.writes_open_at))
    };
    let (elected, fixed) = opened(None);
    assert!(elected < t + 10.0, "elected at {elected}, before T + A");
    assert!(
        (fixed - (t + 10.0)).abs() < 1e-5,
        "{fixed} against {}",
        t + 10.0
    );
    let (_, broken) = opened(Some(Mutant::OpensBeforeOldLeaseEnds));
    assert!(broken < t + 10.0 - 1.0, "the mutant opens at {broken}");
    // The rule holds on a clean run of every strategy.
    let _ = run(&s);
}
