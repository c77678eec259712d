//! Answers to a client's operations: data and callbacks from fetches, acknowledgements of
//! writes, refusals, and what a reply's term tells about a new master.

use super::{CCtx, Cached, Client, ClientVol, Current, Purpose};
use crate::cell::ids::{FileNo, LockId, Pos, Req, Term, WriteId};
use crate::cell::msg::{Msg, OpKind, OpResult, Output, Refusal};
use crate::cell::server_node;
use crate::strategy::{Mutant, Owed};
use sim::{Duration, Instant};

impl Client {
    /// Whether a reply of `term` comes from a master older than one we have heard of: it
    /// may predate what the newer master did, so it grants nothing and tells no data.
    fn older_term(&self, v: &ClientVol, term: Term) -> bool {
        self.params.mutant != Some(Mutant::TrustsOlderTerm) && v.term.is_some_and(|t| t > term)
    }

    /// A reply of an older term than one we have heard of came from `from`: tell it of
    /// the newer term (a master of an older term steps down, so that an election with a
    /// newer term follows), and wait a little before asking again.
    pub(super) fn heard_older_term(
        &mut self,
        v: &mut ClientVol,
        from: sim::NodeId,
        ctx: &mut CCtx,
    ) {
        if let Some(term) = v.term {
            ctx.send(from, crate::cell::msg::Msg::NewerTerm { term });
        }
        self.back_off(v, ctx);
    }

    /// Ask again for the operation a call was made for: its answer was not to be trusted.
    fn ask_again(v: &mut ClientVol, purpose: Option<Purpose>) {
        if let Some(Purpose::Op(file)) = purpose
            && let Some(op) = v.active.get_mut(&file)
        {
            op.in_flight = false;
        }
    }

    /// When a callback granted in answer to request `req`, sent at `sent`, expires on our
    /// clock: counted from the sending, and void if we cannot date the request or a break
    /// for the file arrived since (the master may have broken this very grant).
    fn callback_expiry(
        v: &ClientVol,
        file: FileNo,
        (req, sent): (Req, Option<Instant>),
        callback: Duration,
    ) -> Option<Instant> {
        let sent = sent?;
        let broken = v
            .breaks
            .iter()
            .any(|&(f, mark)| f == file && mark.after(req, sent));
        (!callback.is_zero() && !broken).then(|| sent + callback)
    }

    /// Keep the file under its callback (obtained by request `req`, sent at `sent`), or
    /// forget it if there is none.
    fn cache(
        v: &mut ClientVol,
        file: FileNo,
        write: Option<WriteId>,
        expiry: Option<Instant>,
        (req, sent): (Req, Instant),
    ) {
        match expiry {
            Some(expiry) => {
                let cached = Cached {
                    write,
                    expiry,
                    req,
                    sent,
                };
                v.cache.insert(file, cached);
                v.callbacks_until = Some(v.callbacks_until.map_or(expiry, |u| u.max(expiry)));
            }
            None => {
                v.cache.remove(&file);
            }
        }
    }

    pub(super) fn on_fetch_ok(
        &mut self,
        v: &mut ClientVol,
        req: Req,
        term: Term,
        (file, write): (FileNo, Option<WriteId>),
        callback: Duration,
        ctx: &mut CCtx,
    ) {
        let call = self.answered(v, req, ctx);
        if self.older_term(v, term) {
            Self::ask_again(v, call.map(|c| c.purpose));
            return;
        }
        self.see_term(v, term, ctx);
        self.heard_master(v);
        // A late answer to an earlier attempt of this read still answers it (it was
        // served after the read began), but only a dated one grants a callback; an
        // answer to an earlier read of the file may be older than what this one must see.
        let this_read = |op: &Current| {
            op.q.kind == OpKind::Read && op.first_req.is_some_and(|first| req >= first)
        };
        if !v.active.get(&file).is_some_and(this_read) {
            return;
        }
        let sent = call.map(|c| c.sent);
        let expiry =
            Self::callback_expiry(v, file, (req, sent), callback).filter(|_| req >= v.reset_upto);
        Self::cache(v, file, write, expiry, (req, sent.unwrap_or_default()));
        let result = OpResult::Read {
            write,
            cached: false,
        };
        self.complete(v, file, result, ctx);
    }

    /// A write is acknowledged: even by an older master's term it took effect, but then
    /// its callback is not trusted.
    pub(super) fn on_store_ok(
        &mut self,
        v: &mut ClientVol,
        req: Req,
        term: Term,
        (write, place, durable): (WriteId, Pos, bool),
        callback: Duration,
        ctx: &mut CCtx,
    ) {
        let call = self.answered(v, req, ctx);
        let older = self.older_term(v, term);
        if !older {
            self.see_term(v, term, ctx);
            self.heard_master(v);
        }
        // The master's notice that the write is durable may have overtaken this answer.
        let durable = durable
            || v.active
                .get(&write.file)
                .is_some_and(|op| op.q.write == Some(write) && op.durable_early);
        if durable {
            self.undurable.retain(|&(w, _)| w != write);
        }
        if let Some(Purpose::Replay(w)) = call.as_ref().map(|c| c.purpose) {
            if v.replays.front().is_some_and(|&(r, _)| r == w) {
                v.replays.pop_front();
            }
            return;
        }
        if v.active
            .get(&write.file)
            .is_none_or(|op| op.q.write != Some(write))
        {
            self.late_ack(v, write, place, durable);
            return;
        }
        let sent = call.map(|c| c.sent);
        let expiry = Self::callback_expiry(v, write.file, (req, sent), callback)
            .filter(|_| !older && req >= v.reset_upto);
        let by = (req, sent.unwrap_or_default());
        Self::cache(v, write.file, Some(write), expiry, by);
        let keeps = self.params.client_keeps_until_durable
            && self.params.mutant != Some(Mutant::ClientDropsUndurable);
        if !durable && keeps {
            self.undurable.push((write, place));
        }
        self.complete(v, write.file, OpResult::Write { durable }, ctx);
    }

    pub(super) fn on_refused(
        &mut self,
        v: &mut ClientVol,
        req: Req,
        why: Refusal,
        term: Option<Term>,
        ctx: &mut CCtx,
    ) {
        let call = self.answered(v, req, ctx);
        if let Some(t) = term {
            self.see_term(v, t, ctx);
        }
        let purpose = call.map(|c| c.purpose);
        let op_file = match purpose {
            Some(Purpose::Op(file)) => {
                if let Some(op) = v.active.get_mut(&file) {
                    op.in_flight = false;
                }
                Some(file)
            }
            _ => None,
        };
        match why {
            Refusal::ResetCallbacks => {
                self.heard_master(v);
                self.reset_callbacks(v, ctx);
            }
            Refusal::NotMaster(hint) => {
                v.master = hint.filter(|&h| Some(h) != v.master);
                if v.master.is_none() {
                    self.back_off(v, ctx);
                }
            }
            Refusal::Recovering | Refusal::LockConflict => {
                self.heard_master(v);
                match (purpose, op_file) {
                    (_, Some(file)) => self.retry_op_later(v, file, ctx),
                    (Some(Purpose::Renew { file }), None) if why == Refusal::LockConflict => {
                        self.lose_lock(v, file, ctx)
                    }
                    _ => self.back_off(v, ctx),
                }
            }
        }
    }

    /// The acknowledgement of a write that already ended `unknown` at its deadline (it
    /// waited behind its file's lane, or on the master): its master may have let others
    /// read it, so it is kept to replay like any acknowledged write, though its
    /// operation's result stands. A copy of an acknowledgement already taken is not.
    fn late_ack(&mut self, v: &mut ClientVol, write: WriteId, place: Pos, durable: bool) {
        let Some(i) = v.unknown_writes.iter().position(|&w| w == write) else {
            return;
        };
        v.unknown_writes.remove(i);
        let keeps = self.params.client_keeps_until_durable
            && self.params.mutant != Some(Mutant::LateAckDropped);
        if !durable && keeps {
            self.undurable.push((write, place));
        }
    }

    /// The master says these writes are durable: nothing to replay for them. A notice
    /// can overtake the acknowledgement of a write still in flight; the operation keeps
    /// it, so that the acknowledgement then counts the write durable.
    pub(super) fn on_durable(&mut self, v: &mut ClientVol, writes: Vec<WriteId>, ctx: &mut CCtx) {
        self.undurable.retain(|(w, _)| !writes.contains(w));
        v.unknown_writes.retain(|w| !writes.contains(w));
        if self.params.mutant != Some(Mutant::DurableBeforeAckForgotten) {
            for &write in &writes {
                if let Some(op) = v.active.get_mut(&write.file)
                    && op.q.write == Some(write)
                {
                    op.durable_early = true;
                }
            }
        }
        for write in writes {
            ctx.output(Output::Durable { write });
        }
    }

    /// A term newer than any we knew: a new master. Owe it our un-durable writes, and
    /// (token recovery) a reassertion, an empty one if we hold nothing: it completes our
    /// recovery, so it goes after the replays.
    pub(super) fn see_term(&mut self, v: &mut ClientVol, term: Term, _ctx: &mut CCtx) {
        if v.term.is_some_and(|t| t >= term) {
            return;
        }
        v.term = Some(term);
        match self.params.strategy.owed() {
            Owed::Nothing => {}
            Owed::Reassertion => v.reassert_to = Some(term),
            Owed::Acknowledgement => {
                // A new epoch: nothing cached is known to its master.
                if self.params.mutant != Some(Mutant::EpochKeepsCache) {
                    v.cache.clear();
                    v.callbacks_until = None;
                }
                v.reassert_to = Some(term);
            }
        }
        v.replays = self.undurable.iter().copied().collect();
    }

    pub(super) fn lock_op_granted(
        &mut self,
        v: &mut ClientVol,
        file: FileNo,
        by: (Req, Instant),
        ctx: &mut CCtx,
    ) {
        let Some(op) = v.active.get(&file).filter(|op| op.q.kind == OpKind::Lock) else {
            return;
        };
        let (mode, probe) = (op.q.mode, op.q.probe);
        let id = op.lock.expect("a lock op has its lock");
        if !self.lease_holds(v, ctx.now()) {
            // Our lease ran out: we hold nothing on it. Give the lock back, and ask again
            // once the lease is renewed.
            if let Some(master) = v.master {
                ctx.send(server_node(master), Msg::Unlock { file, lock: id });
            }
            // The next attempt asks for a new lock: a release still on its way names
            // this one only.
            let fresh = if self.params.mutant == Some(Mutant::LockRetrySameId) {
                id
            } else {
                self.next_lock += 1;
                LockId {
                    client: self.no,
                    seq: u64::from(self.next_lock),
                }
            };
            if let Some(op) = v.active.get_mut(&file) {
                op.in_flight = false;
                op.lock = Some(fresh);
            }
            self.retry_op_later(v, file, ctx);
            return;
        }
        self.hold_lock(v, file, (id, mode), by, !probe, ctx);
        self.complete(v, file, OpResult::Lock, ctx);
        if probe {
            self.release_lock(v, file, ctx);
        }
    }
}
