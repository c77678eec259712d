//! The master's catch-up ticks: every 100 ms it ships the async batch when due and
//! resends to replicas that did not acknowledge what it held at the previous tick. A
//! master whose replicas all hold its version pauses them until its next update.

use super::replica::Replication;
use super::view::MasterView;
use super::{SCtx, peers};
use crate::cell::msg::{Msg, Timer};
use crate::cell::params::{ASYNC_REPLICATE_EVERY, CATCH_UP_EVERY};
use crate::cell::server_node;
use crate::cell::volume::Update;
use sim::{Duration, Instant};
use std::rc::Rc;

/// The longest wait between snapshots to a replica that does not answer.
const SNAPSHOT_WAIT_MAX: Duration = Duration::from_secs(64);

impl Replication {
    /// The ticks were paused and an update came at `now`: account for the ticks that
    /// would have fired meanwhile (each did nothing but move the async batch's next
    /// shipping time) and return when the next one is due.
    fn wake(&mut self, now: Instant) -> Instant {
        self.paused = false;
        while self.next_tick <= now {
            if self.next_tick >= self.next_async_ship {
                self.next_async_ship = self.next_tick + ASYNC_REPLICATE_EVERY;
            }
            self.next_tick += CATCH_UP_EVERY;
        }
        self.next_tick
    }

    /// The log's updates after sequence `acked`, which server `peer` misses: the copy
    /// last resent to it while the log has not grown since.
    fn missed_by(&mut self, peer: usize, acked: u32) -> Rc<[Update]> {
        let log = &self.log;
        // The log holds this term's consecutive sequence numbers, from the first it
        // still keeps, which is at most `acked + 1`.
        let first = acked + 1;
        let have = log.front().map_or(0, |u| (first - u.pos().seq) as usize);
        debug_assert_eq!(have, log.partition_point(|u| u.pos().seq <= acked));
        let count = log.len().saturating_sub(have);
        match &self.resent.0[peer] {
            Some((from, updates)) if *from == first && updates.len() == count => Rc::clone(updates),
            _ => {
                let updates: Rc<[Update]> = log.range(have.min(log.len())..).cloned().collect();
                self.resent.0[peer] = Some((first, Rc::clone(&updates)));
                updates
            }
        }
    }
}

impl MasterView<'_> {
    /// An update came: ticks that were paused resume on their beat.
    pub(super) fn wake_ticks(&mut self, ctx: &mut SCtx) {
        let repl = &mut self.master.repl;
        if repl.paused {
            let at = repl.wake(ctx.now());
            let term = self.master.term;
            ctx.set_timer_at(at, Timer::ReplicateTick { term });
        }
    }

    /// Start the catch-up ticks of a master that just opened.
    pub(super) fn start_ticks(&mut self, ctx: &mut SCtx) {
        let repl = &mut self.master.repl;
        repl.next_tick = ctx.now() + CATCH_UP_EVERY;
        let term = self.master.term;
        ctx.set_timer(CATCH_UP_EVERY, Timer::ReplicateTick { term });
    }

    /// Every 100 ms: ship the async batch when a second has passed, and help replicas
    /// that did not catch up since the last tick (a lost message, or a replica that was
    /// down): resend what they miss from the log, or a whole replica if the log no longer
    /// reaches back that far (at most once per back-off, in case they are still down).
    /// A serving master whose replicas all hold its version, with nothing to ship, pauses
    /// the ticks until its next update (`Replication::wake`).
    pub(super) fn replicate_tick(&mut self, ctx: &mut SCtx) {
        let now = ctx.now();
        let term = self.master.term;
        let serving = self.serving(now);
        let repl = &mut self.master.repl;
        repl.next_tick = now + CATCH_UP_EVERY;
        let version = self.volume.version;
        let idle = serving
            && repl.unsent.is_empty()
            && peers(self.no, self.params.servers).all(|p| repl.acked[p.idx()] >= version);
        if idle {
            repl.paused = true;
        } else {
            // Each master's ticks name its term: a tick of an earlier master never gets here.
            ctx.set_timer(CATCH_UP_EVERY, Timer::ReplicateTick { term });
        }
        if !serving {
            return;
        }
        let repl = &mut self.master.repl;
        if now >= repl.next_async_ship {
            repl.next_async_ship = now + ASYNC_REPLICATE_EVERY;
            self.ship(ctx);
        }
        let repl = &mut self.master.repl;
        let last_tick = std::mem::replace(&mut repl.last_tick, self.volume.version);
        for peer in peers(self.no, self.params.servers) {
            let acked = repl.acked[peer.idx()];
            if acked >= last_tick {
                continue;
            }
            let from_log = acked.term == term
                && repl
                    .log
                    .front()
                    .is_some_and(|u| u.pos().seq <= acked.seq + 1);
            if from_log {
                let updates = repl.missed_by(peer.idx(), acked.seq);
                ctx.send(server_node(peer), Msg::Replicate { term, updates });
                continue;
            }
            let (last, wait) = &mut repl.snapshots[peer.idx()];
            if last.is_some_and(|at| now < at + *wait) {
                continue;
            }
            if last.is_some() {
                *wait = (*wait * 2).min(SNAPSHOT_WAIT_MAX);
            }
            *last = Some(now);
            let snapshot = Box::new(self.volume.snapshot(now));
            ctx.send(server_node(peer), Msg::ReplicateSnapshot { term, snapshot });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at_ms(ms: u64) -> Instant {
        Instant::ZERO + Duration::from_millis(ms)
    }

    #[test]
    fn paused_ticks_resume_on_their_beat_and_keep_the_async_batch_on_its_second() {
        let mut r = Replication::new(3);
        // The last tick fired at 1,000 ms and shipped the async batch; it paused the ticks.
        r.next_tick = at_ms(1_100);
        r.next_async_ship = at_ms(2_000);
        r.paused = true;
        // An update at 3,250 ms: the ticks at 1,100 … 3,200 ms would have fired and
        // done nothing but ship (empty) batches at 2,000 and 3,000 ms.
        assert_eq!(r.wake(at_ms(3_250)), at_ms(3_300));
        assert!(!r.paused);
        assert_eq!(r.next_async_ship, at_ms(4_000));
        // An update on a tick's instant comes after that tick: the next is a beat later.
        r.next_tick = at_ms(5_000);
        assert_eq!(r.wake(at_ms(5_000)), at_ms(5_100));
        assert_eq!(
            r.next_async_ship,
            at_ms(6_000),
            "the tick at 5,000 ms shipped"
        );
        // An update before the next tick was due changes nothing.
        r.next_tick = at_ms(7_100);
        assert_eq!(r.wake(at_ms(7_050)), at_ms(7_100));
        assert_eq!(r.next_async_ship, at_ms(6_000));
    }

    /// A replica that stays behind is resent one copy of what it misses while the log
    /// has not grown, and the right updates as soon as it has or the replica moved on.
    #[test]
    fn a_replica_behind_is_resent_one_copy_until_the_log_grows() {
        use crate::cell::ids::{Pos, ServerNo, Term};
        let term = Term {
            number: 4,
            server: ServerNo(0),
        };
        let begin = |seq| Update::Begin {
            pos: Pos { term, seq },
            base: Pos::default(),
        };
        let seqs = |u: &[Update]| u.iter().map(|u| u.pos().seq).collect::<Vec<_>>();
        let mut r = Replication::new(3);
        // The log keeps sequences 3 to 6 (1 and 2 went out of it).
        r.log.extend((3..=6).map(begin));
        let first = r.missed_by(1, 4);
        assert_eq!(seqs(&first), [5, 6]);
        assert!(
            Rc::ptr_eq(&first, &r.missed_by(1, 4)),
            "one copy while nothing changed"
        );
        assert_eq!(
            seqs(&r.missed_by(2, 2)),
            [3, 4, 5, 6],
            "each replica its own"
        );
        r.log.push_back(begin(7));
        let grown = r.missed_by(1, 4);
        assert_eq!(seqs(&grown), [5, 6, 7]);
        assert!(!Rc::ptr_eq(&first, &grown));
        assert_eq!(
            seqs(&r.missed_by(1, 6)),
            [7],
            "the replica caught up in part"
        );
        assert!(r.missed_by(1, 7).is_empty());
    }
}
