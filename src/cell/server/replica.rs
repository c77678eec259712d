//! Replication of the volume: the master ships its updates in order and counts acks; a
//! replica applies them in order, or adopts a whole snapshot when it fell behind.
//!
//! An update is committed once a majority of servers (the master included) holds it.
//! Replies and follow-ups that must wait for that are parked as `Waiter`s by sequence.

use super::view::MasterView;
use super::{SCtx, Server, ServerVol};
use crate::cell::ids::{ClientNo, FileNo, Pos, ServerNo, Term, WriteId};
use crate::cell::msg::{Extended, Msg, Timer};
use crate::cell::params::SNAPSHOT_WAIT_MIN;
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
    pub(super) acked: Vec<Pos>,
    /// The highest sequence committed in this term.
    commit: u32,
    /// Parked until their sequence commits, in order of sequence (then of parking).
    waiting: VecDeque<(u32, Waiter)>,
    /// Room to find the majority's sequence in, kept to spare an allocation per ack.
    seqs: Vec<u32>,
    /// Updates not yet shipped (async durability batches them).
    pub(super) unsent: Vec<Update>,
    /// This term's recent updates, oldest first, to resend to a replica that missed some.
    pub(super) log: VecDeque<Update>,
    /// Per server: when we last sent it a whole replica, and how long to wait before the
    /// next one (doubling while it does not answer: it may be down).
    pub(super) snapshots: Vec<(Option<Instant>, Duration)>,
    /// Per server, the updates last resent to it, sent again while they are still what
    /// it misses.
    pub(super) resent: Resent,
    /// The master's version at the previous catch-up tick.
    pub(super) last_tick: Pos,
    /// With async durability, when the next batch ships.
    pub(super) next_async_ship: Instant,
    /// When the next catch-up tick is due (ticks come every `CATCH_UP_EVERY` from the
    /// opening, on the local clock).
    pub(super) next_tick: Instant,
    /// Whether the ticks are paused: a tick found every replica holding our version and
    /// nothing left to ship, so the ticks that follow would do nothing until the next
    /// update, which resumes them on the same beat.
    pub(super) paused: bool,
}

/// Per server, the first sequence number and the updates of the last resend to it. A
/// replica that stays behind (cut off, down) is resent the same tail of the log every
/// tick until the log grows: one copy then serves every tick. A cache that decides
/// nothing, so a state hashes the same whatever it holds.
#[derive(Clone)]
pub struct Resent(pub(super) Vec<Option<(u32, Rc<[Update]>)>>);

impl std::hash::Hash for Resent {
    fn hash<H: std::hash::Hasher>(&self, _: &mut H) {}
}

/// Updates kept for resending; a replica further behind gets a whole snapshot.
const LOG_KEPT: usize = 1 << 16;

impl Replication {
    pub fn committed(&self, seq: u32) -> bool {
        seq <= self.commit
    }

    /// Hint: ask for the log's slot the next update goes into. The log is a ring of
    /// `LOG_KEPT` updates, larger than a core's cache, so that slot has gone cold since
    /// the ring's last lap.
    #[inline(always)]
    pub fn warm_append(&self) {
        sim::prefetch_span(self.next_slot());
    }

    /// Where `keep` will put the next update (an address only, perhaps one past the end).
    #[inline(always)]
    fn next_slot(&self) -> *const Update {
        let (front, back) = self.log.as_slices();
        if self.log.len() == LOG_KEPT {
            // The oldest goes, and the ring is exactly that long: its slot is reused.
            front.as_ptr()
        } else if back.is_empty() {
            front.as_ptr().wrapping_add(front.len())
        } else {
            back.as_ptr().wrapping_add(back.len())
        }
    }

    /// Keep an update for shipping, and for resending while it is among the latest
    /// `LOG_KEPT`.
    fn keep(&mut self, update: Update) {
        if self.log.len() == LOG_KEPT {
            self.log.pop_front();
        }
        self.log.push_back(update);
        self.unsent.push(update);
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
            resent: Resent(vec![None; servers as usize]),
            next_async_ship: Instant::ZERO,
            last_tick: Pos::default(),
            next_tick: Instant::ZERO,
            paused: false,
        }
    }
}

impl MasterView<'_> {
    /// Apply an update to our replica and ship it (now, or with the next batch).
    pub(super) fn append(&mut self, update: Update, urgent: bool, ctx: &mut SCtx) {
        self.record(update, ctx);
        if urgent || self.params.durability == Durability::Quorum {
            self.ship(ctx);
        }
        self.advance_commit(ctx);
    }

    /// Apply an update to our replica and keep it for shipping.
    fn record(&mut self, update: Update, ctx: &mut SCtx) {
        self.volume.apply(&update, ctx.now());
        self.master.repl.keep(update);
        self.wake_ticks(ctx);
    }

    /// Append a grant to the grant log: applied here at once, shipped with the next
    /// batch, `sync_every` after the first grant of the batch.
    pub(super) fn append_logged(&mut self, update: Update, sync_every: Duration, ctx: &mut SCtx) {
        self.record(update, ctx);
        let m = &mut self.master;
        if !m.grant_ship_pending {
            m.grant_ship_pending = true;
            let term = m.term;
            ctx.set_timer(sync_every, Timer::GrantShip { term });
        }
    }

    /// The grant log's batch is due: ship everything not yet shipped.
    pub(super) fn ship_grant_batch(&mut self, ctx: &mut SCtx) {
        self.master.grant_ship_pending = false;
        if self.serving(ctx.now()) {
            self.ship(ctx);
        }
    }

    /// The next free position in our history.
    pub(super) fn next_pos(&self) -> Pos {
        Pos {
            term: self.master.term,
            seq: self.volume.version.seq + 1,
        }
    }

    /// Park `waiter` until the update at `seq` commits (at once if it has).
    pub(super) fn when_committed(&mut self, seq: u32, waiter: Waiter, ctx: &mut SCtx) {
        let waiting = &mut self.master.repl.waiting;
        let at = waiting.partition_point(|&(s, _)| s <= seq);
        waiting.insert(at, (seq, waiter));
        self.advance_commit(ctx);
    }

    pub(super) fn ship(&mut self, ctx: &mut SCtx) {
        let repl = &mut self.master.repl;
        if repl.unsent.is_empty() {
            return;
        }
        // Copied out rather than moved: `unsent` keeps its buffer for the next updates
        // (updates are plain data, so the copy is one `memcpy`).
        let updates: Rc<[Update]> = Rc::from(&repl.unsent[..]);
        repl.unsent.clear();
        let term = self.master.term;
        for peer in self.peers() {
            let updates = updates.clone();
            ctx.send(server_node(peer), Msg::Replicate { term, updates });
        }
    }

    pub(super) fn on_replicate_ack(&mut self, peer: ServerNo, version: Pos, ctx: &mut SCtx) {
        let m = &mut self.master;
        if version.term == m.term {
            let acked = &mut m.repl.acked[peer.idx()];
            if version > *acked {
                *acked = version;
                m.repl.snapshots[peer.idx()] = (None, SNAPSHOT_WAIT_MIN);
            }
            self.advance_commit(ctx);
        }
    }

    /// Commit what a majority holds and run what waited for it.
    fn advance_commit(&mut self, ctx: &mut SCtx) {
        let own = self.volume.version.seq;
        let me = self.no.idx();
        let m = &mut self.master;
        let seqs = &mut m.repl.seqs;
        seqs.clear();
        seqs.extend(m.repl.acked.iter().enumerate().map(|(s, pos)| {
            if s == me {
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
        while let Some(waiter) = self.committed_waiter() {
            match waiter {
                Waiter::Reply { client, msg } => ctx.send(self.to(client), msg),
                Waiter::Durable { client, write } => {
                    let msg = Msg::Durable {
                        writes: vec![write],
                    };
                    ctx.send(self.to(client), msg);
                }
                Waiter::FileDone(file) => self.file_done(file, ctx),
                Waiter::Extend { client, grant } => self.extend(client, grant),
            }
        }
        self.send_notices(ctx);
    }

    /// The first parked waiter, if its update has committed.
    fn committed_waiter(&mut self) -> Option<Waiter> {
        let repl = &mut self.master.repl;
        let &(seq, _) = repl.waiting.front()?;
        (seq <= repl.commit).then(|| repl.waiting.pop_front().expect("a ready waiter").1)
    }

    /// A logged grant is held by a majority: if its client still holds it, it is told
    /// (with the batch's notice) that the grant now lasts its full lease. The table here
    /// has held the full lease since the grant (a master keeps a grant at least as long as
    /// its client): a replica that catches up from a snapshot of it gets the full lease
    /// too, as it would from the log.
    fn extend(&mut self, client: ClientNo, grant: Extended) {
        let table = &self.volume.grants;
        let held = match grant {
            Extended::Callback { file, req, .. } => table.has_callback(file, client, req),
            Extended::Lock { file, lock, .. } => table.held_lock(file, lock).is_some(),
        };
        if held {
            self.master.notices.entry(client).or_default().push(grant);
        }
    }

    /// One notice per client for the grants a commit extended.
    fn send_notices(&mut self, ctx: &mut SCtx) {
        let m = &mut self.master;
        if m.notices.is_empty() {
            return;
        }
        let term = m.term;
        for (client, grants) in std::mem::take(&mut m.notices) {
            let msg = Msg::Extend { term, grants };
            ctx.send(client_node(client, self.params.servers), msg);
        }
    }
}

impl Server {
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
        if vol.ahead.first().is_some_and(|u| u.pos().term != term) {
            vol.ahead.clear();
        }
        for update in updates.iter().filter(|u| u.pos().term == term) {
            let pos = update.pos();
            if vol.ahead.is_empty() && self.volume.follows(update) {
                self.volume.apply(update, now);
            } else if pos.seq > self.volume.version.seq || pos.term > self.volume.version.term {
                vol.ahead.hold(update);
            }
        }
        while let Some(next) = vol.ahead.first() {
            if self.volume.follows(next) {
                self.volume.apply(next, now);
            } else if next.pos().seq > self.volume.version.seq + 1 {
                break;
            }
            vol.ahead.pop_first();
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
            vol.ahead.forget_through(seq);
        }
        let version = self.volume.version;
        ctx.send(server_node(peer), Msg::ReplicateAck { term, version });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The hint asks for the slot the next update really goes into: while the log
    /// fills, when its ring buffer wraps, and once it is full and drops its oldest.
    #[test]
    fn the_log_slot_hinted_is_the_one_the_next_update_takes() {
        let mut repl = Replication::new(3);
        let mut checked = 0;
        for seq in 1..=(LOG_KEPT as u32 + 1_000) {
            let hinted = repl.next_slot();
            // Where the ring must grow, the update goes to a new buffer: no hint can say
            // where, and it happens only at powers of two.
            let grows = repl.log.len() == repl.log.capacity() && repl.log.len() < LOG_KEPT;
            let pos = Pos {
                term: Term::FIRST,
                seq,
            };
            repl.keep(Update::Begin { pos, base: pos });
            let taken: *const Update = repl.log.back().unwrap();
            if !grows {
                assert_eq!(hinted, taken, "update {seq}");
                checked += 1;
            }
            repl.unsent.clear();
        }
        assert_eq!(repl.log.len(), LOG_KEPT);
        assert!(checked > LOG_KEPT, "{checked} updates checked");
    }
}
