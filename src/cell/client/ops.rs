//! The workload: operations arrive, wait their turn, are served from the cache or the
//! master, and end in success or failure at their deadline.

use super::{CCtx, Cached, Client, ClientVol, Current, Purpose, Queued, backoff};
use crate::cell::msg::{
    FileNo, LockId, LockMode, Msg, OpKind, OpResult, Output, Pos, Refusal, Req, ServerNo, Term,
    Timer, Version, WriteId,
};
use crate::cell::server_node;
use sim::{Duration, Instant};

impl Client {
    pub(super) fn schedule_arrival(&mut self, v: &mut ClientVol, ctx: &mut CCtx) {
        let mean = self.params.workload.mean_gap_s;
        if !mean.is_finite() {
            return;
        }
        let gap = Duration::from_secs_f64(self.workload.exponential(mean));
        v.arrival = Some(ctx.set_timer(gap, Timer::Arrival));
    }

    /// A new operation: draw what it is, report it, queue it, and draw the next arrival.
    pub(super) fn on_arrival(&mut self, v: &mut ClientVol, ctx: &mut CCtx) {
        let w = &self.params.workload;
        let u = self.workload.unit();
        let kind = if u < w.read_below {
            OpKind::Read
        } else if u < w.write_below {
            OpKind::Write
        } else {
            OpKind::Lock
        };
        let x = self.workload.unit();
        let file = w
            .file_cdf
            .partition_point(|&c| c <= x)
            .min(w.file_cdf.len() - 1) as FileNo;
        let mode = if self.workload.chance(w.exclusive) {
            LockMode::Exclusive
        } else {
            LockMode::Shared
        };
        let deadline = Some(ctx.now() + w.op_deadline);
        self.enqueue(v, kind, file, mode, deadline, false, ctx);
        self.schedule_arrival(v, ctx);
    }

    #[allow(clippy::too_many_arguments)]
    fn enqueue(
        &mut self,
        v: &mut ClientVol,
        kind: OpKind,
        file: FileNo,
        mode: LockMode,
        deadline: Option<Instant>,
        probe: bool,
        ctx: &mut CCtx,
    ) {
        let id = self.next_op;
        self.next_op += 1;
        ctx.output(Output::Invoke {
            op: id,
            kind,
            file,
            probe,
        });
        let q = Queued {
            id,
            kind,
            mode,
            deadline,
            probe,
        };
        if v.active.contains_key(&file) || v.waiting.contains_key(&file) {
            v.waiting.entry(file).or_default().push_back(q);
        } else {
            self.start_op(v, file, q, ctx);
        }
    }

    /// After `duration_s`: no more workload; prove liveness with one write and one lock.
    pub(super) fn start_liveness(&mut self, v: &mut ClientVol, ctx: &mut CCtx) {
        if v.liveness {
            return;
        }
        v.liveness = true;
        if let Some(t) = v.arrival.take() {
            ctx.cancel_timer(t);
        }
        let file = self.no % self.params.files;
        self.enqueue(v, OpKind::Write, file, LockMode::Shared, None, true, ctx);
        self.enqueue(v, OpKind::Lock, file, LockMode::Shared, None, true, ctx);
    }

    /// Start the next operation of `file`'s lane if the lane is free, serving it from
    /// the cache if possible. Operations on one file run in arrival order; different
    /// files proceed side by side, as different processes on one machine do.
    fn start_lane(&mut self, v: &mut ClientVol, file: FileNo, ctx: &mut CCtx) {
        while !v.active.contains_key(&file) {
            let Some(lane) = v.waiting.get_mut(&file) else {
                return;
            };
            let Some(q) = lane.pop_front() else {
                v.waiting.remove(&file);
                return;
            };
            self.start_op(v, file, q, ctx);
        }
    }

    /// Start `q` on its free lane: finish it at once if it is late, a cache hit or a lock
    /// already held; otherwise make it the lane's active operation.
    fn start_op(&mut self, v: &mut ClientVol, file: FileNo, q: Queued, ctx: &mut CCtx) {
        let now = ctx.now();
        let done = |result| Output::Done { op: q.id, result };
        if q.deadline.is_some_and(|d| d <= now) {
            ctx.output(done(OpResult::Failed));
            return;
        }
        match q.kind {
            OpKind::Read => {
                if let Some(&Cached { version, expiry }) = v.cache.get(&file)
                    && expiry > now
                {
                    ctx.output(done(OpResult::Read(version)));
                    return;
                }
            }
            OpKind::Lock if v.locks.contains_key(&file) => {
                ctx.output(done(OpResult::Lock));
                return;
            }
            OpKind::Lock | OpKind::Write => {}
        }
        let write = (q.kind == OpKind::Write).then(|| {
            self.next_write += 1;
            WriteId {
                client: self.no,
                file,
                seq: self.next_write,
            }
        });
        let lock = (q.kind == OpKind::Lock).then(|| {
            self.next_lock += 1;
            LockId {
                client: self.no,
                seq: self.next_lock,
            }
        });
        let deadline = q
            .deadline
            .map(|d| ctx.set_timer_at(d, Timer::OpDeadline { op: q.id }));
        let current = Current {
            q,
            write,
            lock,
            first_req: None,
            in_flight: false,
            attempts: 0,
            retry_at: None,
            deadline,
        };
        v.active.insert(file, current);
    }

    /// Send the request of every active operation that has none in flight.
    pub(super) fn send_ops(&mut self, v: &mut ClientVol, master: ServerNo, ctx: &mut CCtx) {
        let now = ctx.now();
        let mut ready = std::mem::take(&mut v.scratch);
        ready.extend(
            v.active
                .iter()
                .filter(|(_, op)| !op.in_flight && op.retry_at.is_none_or(|t| t <= now))
                .map(|(&f, _)| f),
        );
        for &file in &ready {
            let op = v.active.get_mut(&file).expect("listed");
            op.in_flight = true;
            op.retry_at = None;
            op.first_req.get_or_insert(v.next_req);
            let q = op.q;
            let purpose = Purpose::Op(file);
            match q.kind {
                OpKind::Read => {
                    self.call(v, master, purpose, |req| Msg::Fetch { req, file }, ctx);
                }
                OpKind::Write => {
                    let write = op.write.expect("a write op has its id");
                    let msg = |req| Msg::Store {
                        req,
                        write,
                        replay: false,
                    };
                    self.call(v, master, purpose, msg, ctx);
                }
                OpKind::Lock => {
                    let mode = q.mode;
                    let lock = op.lock.expect("a lock op has its lock");
                    let msg = |req| Msg::Lock {
                        req,
                        file,
                        mode,
                        lock,
                    };
                    self.call(v, master, purpose, msg, ctx);
                }
            }
        }
        ready.clear();
        v.scratch = ready;
    }

    /// End the operation on `file`.
    pub(super) fn complete(
        &mut self,
        v: &mut ClientVol,
        file: FileNo,
        result: OpResult,
        ctx: &mut CCtx,
    ) {
        let Some(op) = v.active.remove(&file) else {
            return;
        };
        if let Some(t) = op.deadline {
            ctx.cancel_timer(t);
        }
        v.calls
            .remove_all(Purpose::Op(file), |call| ctx.cancel_timer(call.timer));
        ctx.output(Output::Done {
            op: op.q.id,
            result,
        });
        self.start_lane(v, file, ctx);
    }

    pub(super) fn on_deadline(&mut self, v: &mut ClientVol, id: u64, ctx: &mut CCtx) {
        let file = v
            .active
            .iter()
            .find(|(_, op)| op.q.id == id)
            .map(|(&f, _)| f);
        let Some(file) = file else { return };
        let op = v.active.get_mut(&file).expect("found");
        op.deadline = None;
        // A lock request may have been granted after all: release whatever it got.
        let abandoned = op.lock.filter(|_| op.in_flight || op.attempts > 0);
        self.complete(v, file, OpResult::Failed, ctx);
        if let (Some(lock), Some(master)) = (abandoned, v.master) {
            ctx.send(server_node(master), Msg::Unlock { file, lock });
        }
    }

    /// When a callback granted in answer to a request sent at `sent` expires on our
    /// clock: counted from the sending, and void if we cannot date the request or a break
    /// for the file arrived since (the master may have broken this very grant).
    fn callback_expiry(
        v: &ClientVol,
        file: FileNo,
        sent: Option<Instant>,
        callback: Duration,
    ) -> Option<Instant> {
        let sent = sent?;
        let broken = v.breaks.iter().any(|&(f, at)| f == file && at >= sent);
        (!callback.is_zero() && !broken).then(|| sent + callback)
    }

    /// Keep the file under its callback, or forget it if there is none.
    fn cache(v: &mut ClientVol, file: FileNo, version: Version, expiry: Option<Instant>) {
        match expiry {
            Some(expiry) => {
                v.cache.insert(file, Cached { version, expiry });
                v.callbacks_until = Some(v.callbacks_until.map_or(expiry, |u| u.max(expiry)));
            }
            None => {
                v.cache.remove(&file);
            }
        }
    }

    /// Retry one operation later: 200 ms, doubling per refusal, at most 5 s.
    fn retry_op_later(&mut self, v: &mut ClientVol, file: FileNo, ctx: &mut CCtx) {
        let Some(op) = v.active.get_mut(&file) else {
            return;
        };
        let wait = backoff(op.attempts);
        op.attempts += 1;
        op.retry_at = Some(ctx.now() + wait);
        ctx.set_timer(wait, Timer::Retry);
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn on_fetch_ok(
        &mut self,
        v: &mut ClientVol,
        req: Req,
        term: Term,
        file: FileNo,
        version: Version,
        callback: Duration,
        ctx: &mut CCtx,
    ) {
        let call = self.answered(v, req, ctx);
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
        let expiry = Self::callback_expiry(v, file, call.map(|c| c.sent), callback);
        Self::cache(v, file, version, expiry);
        self.complete(v, file, OpResult::Read(version), ctx);
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn on_store_ok(
        &mut self,
        v: &mut ClientVol,
        req: Req,
        term: Term,
        write: WriteId,
        pos: Pos,
        durable: bool,
        callback: Duration,
        ctx: &mut CCtx,
    ) {
        let call = self.answered(v, req, ctx);
        self.see_term(v, term, ctx);
        self.heard_master(v);
        if durable {
            self.undurable.retain(|&w| w != write);
        }
        if let Some(Purpose::Replay(w)) = call.as_ref().map(|c| c.purpose) {
            if v.replays.front() == Some(&w) {
                v.replays.pop_front();
            }
            return;
        }
        if v.active
            .get(&write.file)
            .is_none_or(|op| op.write != Some(write))
        {
            return;
        }
        let expiry = Self::callback_expiry(v, write.file, call.map(|c| c.sent), callback);
        let version = Version {
            write: Some(write),
            pos,
        };
        Self::cache(v, write.file, version, expiry);
        let keeps = self.params.client_keeps_until_durable
            && self.params.mutant != Some(crate::strategy::Mutant::ClientDropsUndurable);
        if !durable && keeps {
            self.undurable.push(write);
        }
        self.complete(v, write.file, OpResult::Write(write, pos, durable), ctx);
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

    /// The first write of a new master's term, or a term change: record it, and owe the
    /// new master our tokens (token recovery) and our un-durable writes.
    pub(super) fn see_term(&mut self, v: &mut ClientVol, term: Term, ctx: &mut CCtx) {
        if v.term.is_some_and(|t| t >= term) {
            return;
        }
        v.term = Some(term);
        if crate::strategy::clients_reassert(self.params.recovery)
            && self.holds_tokens(v, ctx.now())
        {
            v.reassert_to = Some(term);
        }
        v.replays = self.undurable.iter().copied().collect();
    }

    pub(super) fn lock_op_granted(
        &mut self,
        v: &mut ClientVol,
        file: FileNo,
        sent: Instant,
        ctx: &mut CCtx,
    ) {
        let Some(op) = v.active.get(&file).filter(|op| op.q.kind == OpKind::Lock) else {
            return;
        };
        let (mode, probe) = (op.q.mode, op.q.probe);
        let id = op.lock.expect("a lock op has its lock");
        self.hold_lock(v, file, (id, mode), sent, !probe, ctx);
        self.complete(v, file, OpResult::Lock, ctx);
        if probe {
            self.release_lock(v, file, ctx);
        }
    }
}
