//! Replication of the volume: the master ships its updates in order and counts acks; a
//! replica applies them in order, or adopts a whole snapshot when it fell behind.
//!
//! An update is committed once a majority of servers (the master included) holds it.
//! Replies and follow-ups that must wait for that are parked as `Waiter`s by sequence.

use super::{SCtx, Server, ServerVol};
use crate::cell::ids::{ClientNo, FileNo, Pos, ServerNo, Term, WriteId};
use crate::cell::msg::{Extended, Msg, Timer};
use crate::cell::params::{ASYNC_REPLICATE_EVERY, CATCH_UP_EVERY, SNAPSHOT_WAIT_MIN};
use crate::cell::volume::{Snapshot, Update, Volume};
use crate::cell::{client_node, server_node};
use crate::scenario::Durability;
use sim::{Duration, Instant};
use std::collections::VecDeque;
use std::rc::Rc;

/// Updates a replica keeps ahead of a gap before it gives up and waits for a snapshot.
const MAX_AHEAD: usize = 4096;

/// What to do once an update commits.
#[derive(Clone, Hash)]
pub enum Waiter {
    /// Answer a client.
    Reply { client: ClientNo, msg: Msg },
    /// Tell a client its write is durable.
    Durable { client: ClientNo, write: WriteId },
    /// Let the next request on the file proceed.
    FileDone(FileNo),
    /// Tell a client its grant now lasts its full lease, if it still holds it.
    Extend { client: ClientNo, grant: Extended },
}

/// The master's side of replication.
#[derive(Clone, Hash)]
pub struct Replication {
    /// Per server, the latest version of this term it acknowledged.
    acked: Vec<Pos>,
    /// The highest sequence committed in this term.
    commit: u64,
    /// Parked until their sequence commits, in order of sequence (then of parking).
    waiting: VecDeque<(u64, Waiter)>,
    /// Room to find the majority's sequence in, kept to spare an allocation per ack.
    seqs: Vec<u64>,
    /// Updates not yet shipped (async durability batches them).
    unsent: Vec<Update>,
    /// This term's recent updates, oldest first, to resend to a replica that missed some.
    log: VecDeque<Update>,
    /// Per server: when we last sent it a whole replica, and how long to wait before the
    /// next one (doubling while it does not answer: it may be down).
    snapshots: Vec<(Option<Instant>, Duration)>,
    /// The master's version at the previous catch-up tick.
    last_tick: Pos,
    /// With async durability, when the next batch ships.
    next_async_ship: Instant,
}

/// Updates kept for resending; a replica further behind gets a whole snapshot.
const LOG_KEPT: usize = 1 << 16;
/// The longest wait between snapshots to a replica that does not answer.
const SNAPSHOT_WAIT_MAX: Duration = Duration::from_secs(64);

impl Replication {
    pub fn committed(&self, seq: u64) -> bool {
        seq <= self.commit
    }

    pub fn new(servers: u32) -> Replication {
        Replication {
            acked: vec![Pos::default(); servers as usize],
            commit: 0,
            waiting: VecDeque::new(),
            seqs: Vec::with_capacity(servers as usize),
            unsent: Vec::new(),
            log: VecDeque::new(),
            snapshots: vec![(None, SNAPSHOT_WAIT_MIN); servers as usize],
            next_async_ship: Instant::ZERO,
            last_tick: Pos::default(),
        }
    }
}

impl Server {
    /// Apply an update to our replica and ship it (now, or with the next batch).
    pub(super) fn append(
        &mut self,
        vol: &mut ServerVol,
        update: Update,
        urgent: bool,
        ctx: &mut SCtx,
    ) {
        self.record(vol, update, ctx);
        if urgent || self.params.durability == Durability::Quorum {
            self.ship(vol, ctx);
        }
        self.advance_commit(vol, ctx);
    }

    /// Apply an update to our replica and keep it for shipping.
    fn record(&mut self, vol: &mut ServerVol, update: Update, ctx: &mut SCtx) {
        self.volume.apply(&update, ctx.now());
        let m = vol.master.as_mut().expect("only a master appends");
        if m.repl.log.len() == LOG_KEPT {
            m.repl.log.pop_front();
        }
        m.repl.log.push_back(update.clone());
        m.repl.unsent.push(update);
    }

    /// Append a grant to the grant log: applied here at once, shipped with the next
    /// batch, `sync_every` after the first grant of the batch.
    pub(super) fn append_logged(
        &mut self,
        vol: &mut ServerVol,
        update: Update,
        sync_every: Duration,
        ctx: &mut SCtx,
    ) {
        self.record(vol, update, ctx);
        let m = vol.master.as_mut().expect("master");
        if !m.grant_ship_pending {
            m.grant_ship_pending = true;
            let term = m.term;
            ctx.set_timer(sync_every, Timer::GrantShip { term });
        }
    }

    /// The grant log's batch is due: ship everything not yet shipped.
    pub(super) fn ship_grant_batch(&mut self, vol: &mut ServerVol, term: Term, ctx: &mut SCtx) {
        let Some(m) = vol.master.as_mut().filter(|m| m.term == term) else {
            return;
        };
        m.grant_ship_pending = false;
        if self.serving_master(vol, ctx.now()) {
            self.ship(vol, ctx);
        }
    }

    /// The next free position in our history.
    pub(super) fn next_pos(&self, vol: &ServerVol) -> Pos {
        Pos {
            term: vol.master.as_ref().expect("master").term,
            seq: self.volume.version.seq + 1,
        }
    }

    /// Park `waiter` until the update at `seq` commits (at once if it has).
    pub(super) fn when_committed(
        &mut self,
        vol: &mut ServerVol,
        seq: u64,
        waiter: Waiter,
        ctx: &mut SCtx,
    ) {
        let m = vol.master.as_mut().expect("master");
        let at = m.repl.waiting.partition_point(|&(s, _)| s <= seq);
        m.repl.waiting.insert(at, (seq, waiter));
        self.advance_commit(vol, ctx);
    }

    fn ship(&mut self, vol: &mut ServerVol, ctx: &mut SCtx) {
        let m = vol.master.as_mut().expect("master");
        if m.repl.unsent.is_empty() {
            return;
        }
        let updates: Rc<[Update]> = std::mem::take(&mut m.repl.unsent).into();
        for peer in self.peers() {
            let msg = Msg::Replicate {
                term: m.term,
                updates: updates.clone(),
            };
            ctx.send(server_node(peer), msg);
        }
    }

    pub(super) fn on_replicate_ack(
        &mut self,
        vol: &mut ServerVol,
        peer: ServerNo,
        term: Term,
        version: Pos,
        ctx: &mut SCtx,
    ) {
        let Some(m) = vol.master.as_mut().filter(|m| m.term == term) else {
            return;
        };
        if version.term == term {
            let acked = &mut m.repl.acked[peer.idx()];
            if version > *acked {
                *acked = version;
                m.repl.snapshots[peer.idx()] = (None, SNAPSHOT_WAIT_MIN);
            }
            self.advance_commit(vol, ctx);
        }
    }

    /// Commit what a majority holds and run what waited for it.
    fn advance_commit(&mut self, vol: &mut ServerVol, ctx: &mut SCtx) {
        let Some(m) = vol.master.as_mut() else { return };
        let own = self.volume.version.seq;
        let seqs = &mut m.repl.seqs;
        seqs.clear();
        seqs.extend(m.repl.acked.iter().enumerate().map(|(s, pos)| {
            if s == self.no.idx() {
                own
            } else if pos.term == m.term {
                pos.seq
            } else {
                0
            }
        }));
        let (_, &mut commit, _) =
            seqs.select_nth_unstable_by(self.params.majority() - 1, |a, b| b.cmp(a));
        m.repl.commit = m.repl.commit.max(commit);
        // One at a time: a released waiter can park or release others.
        while let Some(m) = vol.master.as_mut()
            && m.repl
                .waiting
                .front()
                .is_some_and(|&(s, _)| s <= m.repl.commit)
        {
            let (_, waiter) = m.repl.waiting.pop_front().expect("a ready waiter");
            match waiter {
                Waiter::Reply { client, msg } => {
                    ctx.send(client_node(client, self.params.servers), msg)
                }
                Waiter::Durable { client, write } => {
                    let msg = Msg::Durable {
                        writes: vec![write],
                    };
                    ctx.send(client_node(client, self.params.servers), msg);
                }
                Waiter::FileDone(file) => self.file_done(vol, file, ctx),
                Waiter::Extend { client, grant } => self.extend(vol, client, grant),
            }
        }
        self.send_notices(vol, ctx);
    }

    /// A logged grant is held by a majority: if its client still holds it, it is told
    /// (with the batch's notice) that the grant now lasts its full lease. The table here
    /// has held the full lease since the grant (a master keeps a grant at least as long as
    /// its client): a replica that catches up from a snapshot of it gets the full lease
    /// too, as it would from the log.
    fn extend(&mut self, vol: &mut ServerVol, client: ClientNo, grant: Extended) {
        let table = &self.volume.grants;
        let held = match grant {
            Extended::Callback { file, req, .. } => table.has_callback(file, client, req),
            Extended::Lock { file, lock, .. } => table.held_lock(file, lock).is_some(),
        };
        if held {
            let m = vol.master.as_mut().expect("master");
            m.notices.entry(client).or_default().push(grant);
        }
    }

    /// One notice per client for the grants a commit extended.
    fn send_notices(&mut self, vol: &mut ServerVol, ctx: &mut SCtx) {
        let Some(m) = vol.master.as_mut() else { return };
        if m.notices.is_empty() {
            return;
        }
        let term = m.term;
        for (client, grants) in std::mem::take(&mut m.notices) {
            let msg = Msg::Extend { term, grants };
            ctx.send(client_node(client, self.params.servers), msg);
        }
    }

    /// Every 100 ms: ship the async batch when a second has passed, and help replicas
    /// that did not catch up since the last tick (a lost message, or a replica that was
    /// down): resend what they miss from the log, or a whole replica if the log no longer
    /// reaches back that far (at most once per back-off, in case they are still down).
    pub(super) fn replicate_tick(&mut self, vol: &mut ServerVol, term: Term, ctx: &mut SCtx) {
        let now = ctx.now();
        // Each master's ticks name its term: a tick of an earlier master stops here.
        if vol.master.as_ref().is_none_or(|m| m.term != term) {
            return;
        }
        ctx.set_timer(CATCH_UP_EVERY, Timer::ReplicateTick { term });
        if !self.serving_master(vol, now) {
            return;
        }
        let m = vol.master.as_mut().expect("master");
        if now >= m.repl.next_async_ship {
            m.repl.next_async_ship = now + ASYNC_REPLICATE_EVERY;
            self.ship(vol, ctx);
        }
        let version = self.volume.version;
        let m = vol.master.as_mut().expect("master");
        let behind: Vec<ServerNo> = self
            .peers()
            .filter(|&s| m.repl.acked[s.idx()] < m.repl.last_tick)
            .collect();
        m.repl.last_tick = version;
        for peer in behind {
            let acked = m.repl.acked[peer.idx()];
            let from_log = acked.term == m.term
                && m.repl
                    .log
                    .front()
                    .is_some_and(|u| u.pos().seq <= acked.seq + 1);
            if from_log {
                // The log holds consecutive sequence numbers: skip what the peer has.
                let log = &m.repl.log;
                let have = log.partition_point(|u| u.pos().seq <= acked.seq);
                let updates: Rc<[Update]> = log.range(have..).cloned().collect();
                let msg = Msg::Replicate {
                    term: m.term,
                    updates,
                };
                ctx.send(server_node(peer), msg);
                continue;
            }
            let (last, wait) = &mut m.repl.snapshots[peer.idx()];
            if last.is_some_and(|at| now < at + *wait) {
                continue;
            }
            if last.is_some() {
                *wait = (*wait * 2).min(SNAPSHOT_WAIT_MAX);
            }
            *last = Some(now);
            let snapshot = Box::new(self.volume.snapshot(now));
            ctx.send(
                server_node(peer),
                Msg::ReplicateSnapshot {
                    term: m.term,
                    snapshot,
                },
            );
        }
    }

    /// Apply the master's updates in order; keep those that arrived ahead of a gap
    /// (messages overtake each other) until the gap fills.
    pub(super) fn on_replicate(
        &mut self,
        vol: &mut ServerVol,
        peer: ServerNo,
        term: Term,
        updates: &[Update],
        ctx: &mut SCtx,
    ) {
        self.learn_term(vol, term, ctx);
        if term < self.ballot.known_term || vol.master.is_some() {
            return;
        }
        let now = ctx.now();
        // Everything held back belongs to one term: a newer one makes it all obsolete.
        if vol
            .ahead
            .first_key_value()
            .is_some_and(|(_, u)| u.pos().term != term)
        {
            vol.ahead.clear();
        }
        for update in updates.iter().filter(|u| u.pos().term == term) {
            let pos = update.pos();
            if vol.ahead.is_empty() && self.volume.follows(update) {
                self.volume.apply(update, now);
            } else if pos.seq > self.volume.version.seq || pos.term > self.volume.version.term {
                vol.ahead.entry(pos.seq).or_insert_with(|| update.clone());
            }
        }
        while let Some(next) = vol.ahead.first_entry() {
            let pos = next.get().pos();
            if self.volume.follows(next.get()) {
                let update = next.remove();
                self.volume.apply(&update, now);
            } else if pos.seq > self.volume.version.seq + 1 {
                break;
            } else {
                next.remove();
            }
        }
        if vol.ahead.len() > MAX_AHEAD {
            vol.ahead.clear();
        }
        let version = self.volume.version;
        ctx.send(server_node(peer), Msg::ReplicateAck { term, version });
    }

    pub(super) fn on_replica_snapshot(
        &mut self,
        vol: &mut ServerVol,
        peer: ServerNo,
        term: Term,
        snapshot: &Snapshot,
        ctx: &mut SCtx,
    ) {
        self.learn_term(vol, term, ctx);
        if term < self.ballot.known_term || vol.master.is_some() {
            return;
        }
        if snapshot.version > self.volume.version {
            self.volume = Volume::restore(snapshot, ctx.now());
            let seq = self.volume.version.seq;
            vol.ahead.retain(|&s, _| s > seq);
        }
        let version = self.volume.version;
        ctx.send(server_node(peer), Msg::ReplicateAck { term, version });
    }
}
