//! Becoming master: claim a term, sync the volume from a majority (Ubik recovery), then
//! open reads, writes and locks when the strategy says, never granting anything before
//! `T` plus the clock-skew allowance (naive alone ignores that: it is the checkers'
//! test). A master that lost its lease and wins it back before anyone holds a newer term
//! resumes with its grant table: nothing it promised was forgotten.

use super::replica::Replication;
use super::view::MasterView;
use super::writes::FileSlot;
use super::{SCtx, Server, ServerVol};
use crate::cell::grants::Grants;
use crate::cell::ids::{ClientNo, Pos, ServerNo, Term};
use crate::cell::msg::{Msg, Output, Timer};
use crate::cell::params::RPC_TIMEOUT;
use crate::cell::server_node;
use crate::cell::volume::{Snapshot, Update, Volume};
use crate::strategy::{self, Mutant, Opening, Takeover};
use sim::Instant;

/// The read-write site's state, from its election until it loses the lease.
#[derive(Clone, Hash)]
pub struct Master {
    pub term: Term,
    /// `T`: the last instant a previous master could still have granted (local clock).
    pub last_foreign_grant: Instant,
    /// While syncing: the versions the servers reported, and whom we fetch from.
    sync: Option<Sync>,
    /// After the sync: when reads, writes and locks open.
    pub opening: Option<Opening>,
    announced: Announced,
    /// The grant table, for strategies that do not replicate it (quorum keeps it in the
    /// volume).
    pub grants: Grants,
    pub files: Vec<FileSlot>,
    pub repl: Replication,
    /// Clients that reasserted in the recovery window (token recovery's early end: an
    /// empty reassertion counts, a refused request or a probe does not).
    reasserted: Vec<bool>,
    reasserted_count: u32,
    /// Clients that sent what they owe this master (in its recovery period or not).
    pub settled: Vec<bool>,
    /// Per client, when its lease runs out on our clock (client-lease strategies); `None`:
    /// we hold no state for it.
    pub leases: Vec<Option<Instant>>,
    /// Clients to reset (drop every callback) before anything else is served to them.
    pub reset_pending: Vec<bool>,
    /// How much the recovery period has been extended for late arrivals.
    extended: sim::Duration,
    /// Whether the grant log's next batch is due to ship.
    pub grant_ship_pending: bool,
    /// Extension notices gathered while one batch commits, by client.
    pub notices: std::collections::BTreeMap<ClientNo, Vec<crate::cell::msg::Extended>>,
}

#[derive(Clone, Hash)]
struct Sync {
    versions: Vec<Option<Pos>>,
    fetching: Option<ServerNo>,
}

#[derive(Default, Clone, Hash)]
struct Announced {
    window: bool,
    writes: bool,
    locks: bool,
    window_end: bool,
}

impl Master {
    fn new(server: &Server, term: Term, last_foreign_grant: Instant) -> Master {
        let p = &server.params;
        let clients = p.clients as usize;
        // Sessions the old master could have renewed run until they must have expired.
        let inherited = p
            .strategy
            .client_lease()
            .filter(|l| l.survives_takeover)
            .map(|l| last_foreign_grant + l.lease + p.skew_allowance);
        Master {
            term,
            last_foreign_grant,
            sync: None,
            opening: None,
            announced: Announced::default(),
            grants: Grants::new(p.files),
            files: (0..p.files).map(|_| FileSlot::default()).collect(),
            repl: Replication::new(p.servers),
            reasserted: vec![false; clients],
            reasserted_count: 0,
            settled: vec![false; clients],
            leases: vec![inherited; clients],
            reset_pending: vec![p.strategy.resets_clients(); clients],
            extended: sim::Duration::ZERO,
            grant_ship_pending: false,
            notices: std::collections::BTreeMap::new(),
        }
    }

    /// Whether `client`'s lease is valid on our clock (always, without client leases).
    pub fn lease_valid(&self, client: ClientNo, now: Instant, leased: bool) -> bool {
        !leased || self.leases[client.idx()].is_some_and(|t| t > now)
    }

    /// A message from a client arrived in the recovery period's last moments: extend the
    /// period as `ext` says; true if it did.
    pub fn extend_window(&mut self, now: Instant, ext: strategy::WindowExtension) -> bool {
        let Some(o) = self.opening.as_mut() else {
            return false;
        };
        let Some(end) = o.window_until else {
            return false;
        };
        if now >= end || now + ext.step < end || self.extended >= ext.most {
            return false;
        }
        let by = ext.step.min(ext.most - self.extended);
        self.extended = self.extended + by;
        let later = |t: Instant| if t >= end { t + by } else { t };
        *o = Opening {
            reads: later(o.reads),
            callbacks: later(o.callbacks),
            writes: later(o.writes),
            locks: later(o.locks),
            window_until: Some(end + by),
        };
        true
    }

    /// Whether the update at `seq` of this term is held by a majority.
    pub fn repl_committed(&self, seq: u32) -> bool {
        self.repl.committed(seq)
    }

    pub fn synced(&self) -> bool {
        self.opening.is_some()
    }

    /// Note that `client` reasserted (or, for the mutant that ends the window on any
    /// contact, was heard from); true if this ended the recovery window early. The window
    /// never ends before `not_before` (`T` + the allowance).
    pub fn reasserted(&mut self, client: ClientNo, not_before: Instant, now: Instant) -> bool {
        let seen = &mut self.reasserted[client.idx()];
        if *seen {
            return false;
        }
        *seen = true;
        self.reasserted_count += 1;
        let Some(o) = self.opening.as_mut() else {
            return false;
        };
        let everyone = self.reasserted_count as usize == self.reasserted.len();
        match o.window_until {
            Some(end) if everyone && now < end => {
                let at = now.max(not_before).min(end);
                *o = Opening {
                    window_until: Some(at),
                    ..Opening::all_at(at)
                };
                true
            }
            _ => false,
        }
    }

    pub fn in_window(&self, now: Instant) -> bool {
        self.opening
            .is_some_and(|o| o.window_until.is_some_and(|end| now < end))
    }
}

impl Server {
    /// `fs0` at time zero: master with a fresh lease, every replica in sync.
    pub(super) fn start_as_initial_master(&mut self, vol: &mut ServerVol, ctx: &mut SCtx) {
        let now = ctx.now();
        vol.election.lease_until = Some(now + self.params.master_lease);
        ctx.set_timer_at(now + self.params.master_lease, Timer::LeaseCheck);
        let term = self.ballot.known_term;
        let mut master = Master::new(self, term, now);
        // Every client starts the run known to the first master, with nothing to owe.
        master.settled.fill(true);
        master.reset_pending.fill(false);
        vol.master = Some(master);
        ctx.output(Output::MasterStart { term });
        let mut v = self.view(vol).expect("master");
        v.open(Opening::all_at(now), ctx);
    }

    /// A majority just gave us our first lease: claim a term and start the sync.
    pub(super) fn become_master(&mut self, vol: &mut ServerVol, ctx: &mut SCtx) {
        let p = self.params.clone();
        let won = vol.election.won.expect("elected by a round");
        let number = [
            self.ballot.known_term,
            won.max_term,
            self.volume.version.term,
        ]
        .iter()
        .map(|t| t.number)
        .max()
        .unwrap_or(0)
            + 1;
        let term = Term {
            number,
            server: self.no,
        };
        self.ballot.known_term = term;
        let t = [
            won.prev_yes_latest.map(|at| {
                if p.mutant == Some(Mutant::LeaseForgetsMasterLease) {
                    at
                } else {
                    at + p.master_lease
                }
            }),
            Some(vol.booted_at),
            vol.held_lease_until,
        ]
        .into_iter()
        .flatten()
        .max()
        .expect("boot time is always there");
        let mut master = Master::new(self, term, t);
        let mut versions = vec![None; p.servers as usize];
        versions[self.no.idx()] = Some(self.volume.version);
        master.sync = Some(Sync {
            versions,
            fetching: None,
        });
        vol.master = Some(master);
        ctx.output(Output::MasterStart { term });
        for peer in self.peers() {
            ctx.send(server_node(peer), Msg::SyncAsk { term });
        }
        ctx.set_timer(RPC_TIMEOUT, Timer::SyncRetry);
        self.view(vol).expect("master").advance_sync(ctx);
    }

    pub(super) fn on_sync_ask(
        &mut self,
        vol: &mut ServerVol,
        peer: ServerNo,
        term: Term,
        ctx: &mut SCtx,
    ) {
        self.learn_term(vol, term, ctx);
        if term == self.ballot.known_term {
            let version = self.volume.version;
            ctx.send(server_node(peer), Msg::SyncInfo { term, version });
        }
    }
}

impl MasterView<'_> {
    pub(super) fn on_sync_info(&mut self, peer: ServerNo, version: Pos, ctx: &mut SCtx) {
        if let Some(sync) = self.master.sync.as_mut() {
            sync.versions[peer.idx()] = Some(version);
            self.advance_sync(ctx);
        }
    }

    pub(super) fn on_sync_data(&mut self, peer: ServerNo, snapshot: &Snapshot, ctx: &mut SCtx) {
        let fetching = self.master.sync.as_ref().and_then(|s| s.fetching);
        if fetching == Some(peer) {
            *self.volume = Volume::restore(snapshot, ctx.now());
            self.finish_sync(ctx);
        }
    }

    pub(super) fn retry_sync(&mut self, ctx: &mut SCtx) {
        let m = &self.master;
        let Some(sync) = m.sync.as_ref() else { return };
        match sync.fetching {
            Some(from) => ctx.send(server_node(from), Msg::SyncFetch),
            None => {
                for (peer, v) in sync.versions.iter().enumerate() {
                    if v.is_none() {
                        ctx.send(
                            server_node(ServerNo::from_idx(peer)),
                            Msg::SyncAsk { term: m.term },
                        );
                    }
                }
            }
        }
        ctx.set_timer(RPC_TIMEOUT, Timer::SyncRetry);
    }

    /// With a majority's versions in hand, adopt the freshest replica.
    fn advance_sync(&mut self, ctx: &mut SCtx) {
        let majority = self.params.majority();
        let Some(sync) = self.master.sync.as_mut() else {
            return;
        };
        if sync.fetching.is_some() || sync.versions.iter().flatten().count() < majority {
            return;
        }
        let mine = self.volume.version;
        let (best, version) = sync
            .versions
            .iter()
            .enumerate()
            .filter_map(|(s, v)| v.map(|v| (ServerNo::from_idx(s), v)))
            .max_by_key(|&(s, v)| (v, s == self.no))
            .expect("a majority answered");
        if version <= mine {
            self.finish_sync(ctx);
        } else {
            sync.fetching = Some(best);
            ctx.send(server_node(best), Msg::SyncFetch);
        }
    }

    /// The sync is done: this is the end of the election. Claim the term in the
    /// replicas and open as the strategy says.
    fn finish_sync(&mut self, ctx: &mut SCtx) {
        let now = ctx.now();
        let m = &mut self.master;
        m.sync = None;
        let takeover = Takeover {
            synced_at: now,
            last_foreign_grant: m.last_foreign_grant,
        };
        let opening = strategy::opening(self.params, takeover);
        let floor = takeover.last_foreign_grant + self.params.skew_allowance;
        let exempt = strategy::ignores_old_lease(self.params);
        assert!(
            exempt || opening.grants_nothing_before(floor),
            "a new master opens before T + the allowance: {opening:?}, T + A = {floor}"
        );
        self.open(opening, ctx);
    }

    fn open(&mut self, opening: Opening, ctx: &mut SCtx) {
        let term = self.master.term;
        self.master.opening = Some(opening);
        ctx.output(Output::Synced);
        let pos = Pos {
            term,
            seq: self.volume.version.seq + 1,
        };
        let base = self.volume.version;
        self.append(Update::Begin { pos, base }, true, ctx);
        self.start_ticks(ctx);
        self.announce_openings(ctx);
    }

    /// Our lease lapsed (at `lapsed`) and came back before anyone held a newer term:
    /// serve again at once, with the grant table we kept (a sync in progress just goes
    /// on). A recovery window the lapse interrupted resumes where it stopped: clients get
    /// all of it to reassert in, not what is left after a time they could not be served.
    pub(super) fn resume(mut self, lapsed: Option<Instant>, ctx: &mut SCtx) {
        let now = ctx.now();
        let m = &mut self.master;
        ctx.output(Output::MasterStart { term: m.term });
        let Some(o) = m.opening.as_mut() else {
            return;
        };
        let postpones = self.params.mutant != Some(Mutant::WindowRunsThroughLapse);
        let interrupted = |at: &Instant| o.window_until.is_some_and(|end| end > *at);
        if let Some(from) = lapsed.filter(interrupted).filter(|_| postpones) {
            *o = o.postponed(from, now.saturating_since(from));
        }
        m.announced = Announced::default();
        self.announce_openings(ctx);
    }

    /// Report each opening when it comes, and set a timer for the next one.
    pub(super) fn announce_openings(&mut self, ctx: &mut SCtx) {
        let now = ctx.now();
        let m = &mut self.master;
        let Some(o) = m.opening else { return };
        let a = &mut m.announced;
        let mut next: Option<Instant> = None;
        let mut due = |done: &mut bool, at: Instant, out: Output, ctx: &mut SCtx| {
            if *done {
                return;
            }
            if at <= now {
                *done = true;
                ctx.output(out);
            } else {
                next = Some(next.map_or(at, |n: Instant| n.min(at)));
            }
        };
        if let Some(end) = o.window_until {
            due(&mut a.window, Instant::ZERO, Output::WindowOpen, ctx);
            due(&mut a.window_end, end, Output::WindowEnd, ctx);
        }
        due(&mut a.writes, o.writes, Output::WritesOpen, ctx);
        due(&mut a.locks, o.locks, Output::LocksOpen, ctx);
        if let Some(at) = next {
            ctx.set_timer_at(at, Timer::Reopen);
        }
    }
}
