//! Writes a master answers without applying them anew: a retry or replay of a write it
//! already holds, answered as durable as the first answer would have been; and, under
//! `"async"` durability, any write once its lease has run out, which it must not take.

use super::SCtx;
use super::replica::Waiter;
use super::view::MasterView;
use crate::cell::ids::{ClientNo, Req, WriteId};
use crate::scenario::Durability;
use crate::strategy::Mutant;
use sim::{Duration, Instant};

impl MasterView<'_> {
    /// A retry or replay of a write this master holds: answer it as durable as its first
    /// answer would have been. With `"async"` durability a retry is answered at once
    /// (while our lease is valid), with its place, and its writer told later when it is
    /// durable: the writer keeps it and can replay it, although the first answer was lost
    /// and readers may have seen it. A replay, and any other retry, is answered as
    /// durable once the write is committed (at once if it is). Where it went in this
    /// term's log is known for a client's latest writes; otherwise everything applied so
    /// far is waited for.
    pub(super) fn answer_held_write(
        &mut self,
        client: ClientNo,
        req: Req,
        write: WriteId,
        replay: bool,
        ctx: &mut SCtx,
    ) {
        let term = self.master.term;
        let applied = self.volume.applied(write);
        let seq = match applied {
            Some(a) if a.pos.term == term => a.pos.seq,
            _ => self.volume.version.seq,
        };
        let place = applied.map_or(self.volume.version, |a| a.place);
        let at_once = self.params.mutant == Some(Mutant::RetryAckedBeforeCommit)
            || (self.params.durability == Durability::Async
                && !replay
                && applied.is_some()
                && !self.acks_from_memory_unleased(ctx.now())
                && self.params.mutant != Some(Mutant::AsyncRetryWaitsForCommit));
        if at_once {
            let durable = self.master.repl_committed(seq);
            let msg = self.store_ok(req, write, place, durable, Duration::ZERO);
            ctx.send(self.to(client), msg);
            if !durable {
                self.when_committed(seq, Waiter::Durable { client, write }, ctx);
            }
            return;
        }
        let msg = self.store_ok(req, write, place, true, Duration::ZERO);
        self.when_committed(seq, Waiter::Reply { client, msg }, ctx);
    }

    /// Whether a write applied now would be acknowledged from memory by a master whose
    /// lease has run out (its breaks took that long): a newer master may already serve
    /// without it, and nobody but the writer would know it was there. Under `"quorum"`
    /// the commit decides instead.
    pub(super) fn acks_from_memory_unleased(&self, now: Instant) -> bool {
        self.params.durability == Durability::Async
            && !self.serving(now)
            && self.params.mutant != Some(Mutant::LapsedMasterApplies)
    }
}
