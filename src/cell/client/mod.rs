//! A client: an AFS cache manager running one user's workload.
//!
//! Operations arrive as a Poisson process and are served one at a time (a queue holds
//! the rest); each must finish within `op_deadline_s` of its arrival. Requests go to the
//! believed master; a client that gets no answer asks every server who the master is
//! and retries with back-off. All requests in flight are `Call`s with a timeout, and
//! `drive` decides what to send next, in order of urgency: replay of un-durable writes to
//! a new master, then the reassertion that completes its recovery, lock renewals, then
//! the current operations.
//!
//! Every reply carries its master's term: a client that has heard of a newer term takes
//! no grant, renewal or data from an older one (an acknowledgement of its write still
//! counts) and asks again.

mod cache;
mod calls;
mod filemap;
mod lease;
mod ops;
mod replies;
mod tokens;
mod warm;

use super::AfsNode;
use super::ids::{ClientNo, FileNo, LockId, LockMode, Pos, Req, ServerNo, Term, WriteId};
use super::msg::{Msg, OpKind, Timer};
use super::params::{BACKOFF_MAX, BACKOFF_MIN, Params};
use crate::strategy::Mutant;
use cache::{Cache, Cached};
use calls::{BreakMark, Calls};
use filemap::FileMap;
use sim::{Ctx, Instant, NodeId, Prng, TimerId};
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::rc::Rc;

type CCtx = Ctx<AfsNode>;

/// The wait before attempt `attempts + 1`: 200 ms, doubling, at most 5 s.
fn backoff(attempts: u32) -> sim::Duration {
    (BACKOFF_MIN * (1u64 << attempts.min(10))).min(BACKOFF_MAX)
}

/// A client's durable state: its workload stream, write counters and un-durable writes
/// (the cache manager keeps those on disk).
#[derive(Clone)]
pub struct Client {
    pub no: ClientNo,
    pub params: Rc<Params>,
    workload: Prng,
    /// Writes invoked so far: numbers each new one (see `WriteId`).
    next_write: u32,
    /// Acknowledged writes not yet durable, oldest first, with the place each took.
    pub undurable: Vec<(WriteId, Pos)>,
    /// Operations so far: numbers each new one. (Counters are 32 bits, as `next_write`
    /// is, so that the state fits the engine's two-line slot.)
    next_op: u32,
    /// Locks taken so far: numbers each new one (see `LockId`).
    next_lock: u32,
    /// The number of the next request. Kept across a restart, as an NFSv4 client's
    /// verifier and sequence ids are, so that a server tells a new request from a copy
    /// of an old one (see `server::Seen`).
    next_req: Req,
}

/// Everything but the parameters, which every state of one run shares.
impl std::hash::Hash for Client {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        let Client {
            no,
            params: _,
            workload,
            next_write,
            undurable,
            next_op,
            next_lock,
            next_req,
        } = self;
        let counters = (next_write, next_op, next_lock, next_req);
        (no, workload, undurable, counters).hash(h);
    }
}

/// What a client loses when it crashes.
///
/// Laid out by hand, the fields that nearly every event reads first: a client's probe,
/// its reply and the `drive` after each find them in the first five cache lines. In a
/// large cell all are cold; the state sits in the client's engine slot, asked for with
/// it two events ahead (see `AfsVolatile`).
#[derive(Clone, Hash)]
#[repr(C, align(64))]
pub struct ClientVol {
    // First line: what `drive` and the probe ask on every event.
    master: Option<ServerNo>,
    /// The latest expiry of any callback granted since boot: no callback is valid after
    /// it (an upper bound; breaks do not lower it).
    callbacks_until: Option<Instant>,
    backoff_until: Option<Instant>,
    /// A lease renewal is due, from this instant on.
    lease_due: Option<Instant>,
    /// Consecutive failures, for back-off.
    attempts: u32,
    /// Requests to the master unanswered in a row.
    silent: u32,
    // Second line: what the probe and its reply ask (the first request in flight ends
    // it; the others begin the third).
    locks: BTreeMap<FileNo, Held>,
    calls: Calls,
    /// When our lease with the master runs out, on our clock (client-lease strategies).
    lease_until: Option<Instant>,
    // Third line, on: what `drive` asks.
    /// The operation in progress on each busy file.
    active: FileMap<Current>,
    /// Locks whose renewal is due.
    renew_due: BTreeSet<FileNo>,
    term: Option<Term>,
    // Fourth and fifth lines: what `drive` asks, needed after a failover.
    /// A new master's term we still owe our tokens.
    reassert_to: Option<Term>,
    /// Writes still to replay to the current master, oldest first.
    replays: VecDeque<(WriteId, Pos)>,
    // The rest.
    /// Files cached under a callback still believed valid.
    cache: Cache,
    /// Operations waiting for their file's lane, oldest first.
    waiting: BTreeMap<FileNo, VecDeque<Queued>>,
    locate_nones: u32,
    arrival: Option<TimerId>,
    /// Callback breaks received while a request sent before them is unanswered: a grant
    /// answering such a request may be what the break broke.
    breaks: Vec<(FileNo, BreakMark)>,
    retry: Option<TimerId>,
    liveness: bool,
    lease_expire: Option<TimerId>,
    /// Locks we dropped when our lease ran out, to release once we hold one again.
    release_later: Vec<(FileNo, LockId)>,
    /// Writes that missed their deadline unanswered (reported `unknown`), newest last, at
    /// most [`UNKNOWN_KEPT`]: an acknowledgement that comes after all is kept, so the
    /// write can still be replayed where its master placed it.
    unknown_writes: VecDeque<WriteId>,
    /// Requests numbered below this were sent before the master last reset our
    /// callbacks: a callback granted in answer to one may be what the reset dropped.
    reset_upto: Req,
}

/// How many writes that ended `unknown` a client remembers, in case their
/// acknowledgement still comes: enough for every write in flight at once.
const UNKNOWN_KEPT: usize = 64;

/// A lock this client holds.
#[derive(Clone, Hash)]
struct Held {
    id: LockId,
    mode: LockMode,
    /// `lock_lease_s` after sending the last successful acquire or renewal (local).
    expiry: Instant,
    expire: TimerId,
    renew: TimerId,
    release: Option<TimerId>,
    /// Acquisitions and renewals granted for a grant log's tail only, awaiting their
    /// notice: (request, when it was sent).
    unextended: Vec<(Req, Instant)>,
}

/// An operation that has arrived.
#[derive(Clone, Copy, Debug, Hash)]
struct Queued {
    id: u64,
    kind: OpKind,
    mode: LockMode,
    /// A write is named when it is invoked.
    write: Option<WriteId>,
    deadline: Option<Instant>,
    probe: bool,
}

/// An operation being served.
#[derive(Clone, Hash)]
struct Current {
    q: Queued,
    /// A lock operation's lock: every attempt asks for this one.
    lock: Option<LockId>,
    /// The first request sent for this operation: only answers to it or later ones
    /// were computed after the operation began.
    first_req: Option<Req>,
    in_flight: bool,
    /// An attempt went unanswered: if the operation fails, it may still have taken effect.
    unanswered: bool,
    /// Refusals so far, for this operation's back-off.
    attempts: u32,
    retry_at: Option<Instant>,
    deadline: Option<TimerId>,
    /// The master said this write is durable before its acknowledgement arrived: the
    /// notice overtook it on the network.
    durable_early: bool,
}

/// Why a request is in flight.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Purpose {
    Op(FileNo),
    Locate,
    Probe,
    Reassert,
    Replay(WriteId),
    Renew { file: FileNo },
    Lease,
}

impl Client {
    pub fn new(no: ClientNo, params: Rc<Params>, workload: Prng) -> Client {
        Client {
            no,
            params,
            workload,
            next_write: 0,
            undurable: Vec::new(),
            next_op: 0,
            next_lock: 0,
            next_req: Req(0),
        }
    }

    pub fn boot(&mut self, ctx: &mut CCtx) -> ClientVol {
        let mut v = ClientVol {
            master: Some(Term::FIRST.server),
            // Every client knows the master of time zero; a restarted one learns better
            // from the first reply.
            term: Some(Term::FIRST),
            cache: Cache::default(),
            callbacks_until: None,
            locks: BTreeMap::new(),
            waiting: BTreeMap::new(),
            active: FileMap::default(),
            calls: Calls::default(),
            attempts: 0,
            silent: 0,
            backoff_until: None,
            locate_nones: 0,
            reassert_to: None,
            replays: VecDeque::new(),
            renew_due: BTreeSet::new(),
            arrival: None,
            breaks: Vec::new(),
            retry: None,
            liveness: false,
            lease_until: None,
            lease_expire: None,
            lease_due: None,
            release_later: Vec::new(),
            unknown_writes: VecDeque::new(),
            reset_upto: Req(0),
        };
        let end = Instant::ZERO + self.params.duration;
        ctx.set_timer(self.params.client_probe, Timer::Probe);
        if let Some(lease) = self.params.strategy.client_lease() {
            v.lease_due = Some(ctx.now());
            ctx.set_timer(lease.renew_every, Timer::RenewLease);
        }
        if ctx.now() < end {
            self.schedule_arrival(&mut v, ctx);
            ctx.set_timer_at(end, Timer::Liveness);
        } else {
            self.start_liveness(&mut v, ctx);
        }
        v
    }

    pub fn on_message(&mut self, v: &mut ClientVol, from: NodeId, msg: Msg, ctx: &mut CCtx) {
        let older = match &msg {
            Msg::FetchOk { term, .. }
            | Msg::StoreOk { term, .. }
            | Msg::LockOk { term, .. }
            | Msg::ReassertReply { term, .. }
            | Msg::RenewOk { term, .. } => v.term.is_some_and(|known| known > *term),
            _ => false,
        };
        self.dispatch(v, from, msg, ctx);
        let tells = !matches!(
            self.params.mutant,
            Some(Mutant::TrustsOlderTerm | Mutant::KeepsNewerTermToItself)
        );
        if older && tells {
            self.heard_older_term(v, from, ctx);
        }
        self.drive(v, ctx);
    }

    fn dispatch(&mut self, v: &mut ClientVol, from: NodeId, msg: Msg, ctx: &mut CCtx) {
        match msg {
            Msg::FetchOk {
                req,
                term,
                file,
                write,
                callback,
            } => self.on_fetch_ok(v, req, term, (file, write), callback, ctx),
            Msg::StoreOk {
                req,
                term,
                write,
                place,
                durable,
                callback,
            } => self.on_store_ok(v, req, term, (write, place, durable), callback, ctx),
            Msg::Durable { writes } => self.on_durable(v, writes, ctx),
            Msg::LockOk { req, term } => self.on_lock_ok(v, req, term, ctx),
            Msg::Refused { req, why, term, .. } => self.on_refused(v, req, why, term, ctx),
            Msg::CallbackBreak { file, write } => self.on_break(v, from, file, write, ctx),
            Msg::LocateReply { req, master } => self.on_locate_reply(v, req, master, ctx),
            Msg::ProbeReply { req, term } => self.on_probe_reply(v, req, term, ctx),
            Msg::ReassertReply {
                req,
                term,
                accepted,
                rejected,
            } => self.on_reassert_reply(v, req, term, accepted, &rejected, ctx),
            Msg::RenewOk { req, term, renewed } => self.on_renew_ok(v, req, term, renewed, ctx),
            Msg::Extend { term, grants } => self.on_extend(v, term, &grants, ctx),
            other => unreachable!("a server sent a client {other:?}"),
        }
    }

    pub fn on_timer(&mut self, v: &mut ClientVol, timer: Timer, ctx: &mut CCtx) {
        match timer {
            Timer::Arrival => self.on_arrival(v, ctx),
            Timer::OpDeadline { op } => self.on_deadline(v, op, ctx),
            Timer::Retry => v.retry = None,
            Timer::RpcTimeout { req } => self.on_rpc_timeout(v, req, ctx),
            Timer::Probe => self.on_probe_timer(v, ctx),
            Timer::LockRenew { file } => {
                v.renew_due.insert(file);
            }
            Timer::LockRelease { file } => self.release_lock(v, file, ctx),
            Timer::LockExpire { file } => {
                self.lose_lock(v, file, ctx);
            }
            Timer::Liveness => self.start_liveness(v, ctx),
            Timer::RenewLease => {
                if let Some(lease) = self.params.strategy.client_lease() {
                    ctx.set_timer(lease.renew_every, Timer::RenewLease);
                    v.lease_due.get_or_insert(ctx.now());
                }
            }
            Timer::LeaseExpire => self.on_lease_expire(v, ctx),
            _ => unreachable!("server timer {timer:?} on a client"),
        }
        self.drive(v, ctx);
    }

    /// Send whatever is most urgent and not yet in flight.
    fn drive(&mut self, v: &mut ClientVol, ctx: &mut CCtx) {
        let now = ctx.now();
        if v.backoff_until.is_some_and(|t| t > now) {
            return;
        }
        let in_flight = |v: &ClientVol, p: Purpose| v.calls.any(p);
        let Some(master) = v.master else {
            if self.needs_master(v) && !in_flight(v, Purpose::Locate) {
                self.locate(v, ctx);
            }
            return;
        };
        // Replays first: the reassertion completes the client's recovery, and must not
        // let a window end before the replayed writes are in.
        let reassert_first = self.params.mutant == Some(Mutant::ReassertBeforeReplays);
        // Owed only after a failover: test it here rather than call out on every event.
        let owed = v.reassert_to.is_some();
        if reassert_first && owed && self.send_reassertion(v, master, now, ctx) {
            return;
        }
        if let Some(&(write, place)) = v.replays.front() {
            if !in_flight(v, Purpose::Replay(write)) {
                let msg = |req| Msg::Store {
                    req,
                    write,
                    replay: Some(place),
                };
                self.call(v, master, Purpose::Replay(write), msg, ctx);
            }
            return;
        }
        if owed && self.send_reassertion(v, master, now, ctx) {
            return;
        }
        if v.lease_due.is_some_and(|t| t <= now) && !in_flight(v, Purpose::Lease) {
            self.call(v, master, Purpose::Lease, |req| Msg::Renew { req }, ctx);
        }
        if !v.renew_due.is_empty() {
            let due: Vec<FileNo> = v.renew_due.iter().copied().collect();
            for file in due {
                if !in_flight(v, Purpose::Renew { file }) {
                    self.send_renewal(v, master, file, ctx);
                }
            }
        }
        self.send_ops(v, master, ctx);
    }
}
