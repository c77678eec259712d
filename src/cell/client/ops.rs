//! The workload: operations arrive, wait their turn, are served from the cache or the
//! master, and end in success or failure at their deadline.

use super::{CCtx, Cached, Client, ClientVol, Current, Purpose, Queued};
use crate::cell::msg::{
    FileNo, LockMode, Msg, OpKind, OpResult, Output, Pos, Refusal, Req, ServerNo, Term, Timer,
    Version, WriteId,
};
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
        v.queue.push_back(Queued {
            id,
            kind,
            file,
            mode,
            deadline,
            probe,
        });
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

    /// Take the next queued operation if idle; serve it from the cache if possible.
    pub(super) fn start_next_op(&mut self, v: &mut ClientVol, ctx: &mut CCtx) {
        let now = ctx.now();
        while v.op.is_none() {
            let Some(q) = v.queue.pop_front() else { return };
            if q.deadline.is_some_and(|d| d <= now) {
                ctx.output(Output::Done {
                    op: q.id,
                    result: OpResult::Failed,
                });
                continue;
            }
            let cached = v.cache.get(&q.file).copied();
            match q.kind {
                OpKind::Read => {
                    if let Some(Cached {
                        version,
                        expiry: Some(e),
                    }) = cached
                        && e > now
                    {
                        ctx.output(Output::Done {
                            op: q.id,
                            result: OpResult::Read(version),
                        });
                        continue;
                    }
                }
                OpKind::Lock if v.locks.contains_key(&q.file) => {
                    ctx.output(Output::Done {
                        op: q.id,
                        result: OpResult::Lock,
                    });
                    continue;
                }
                OpKind::Lock | OpKind::Write => {}
            }
            let write = (q.kind == OpKind::Write).then(|| {
                let seq = self.write_seqs.entry(q.file).or_insert(0);
                *seq += 1;
                WriteId {
                    client: self.no,
                    file: q.file,
                    seq: *seq,
                }
            });
            let deadline = q
                .deadline
                .map(|d| ctx.set_timer_at(d, Timer::OpDeadline { op: q.id }));
            v.op = Some(Current {
                q,
                write,
                first_sent: None,
                broken: false,
                in_flight: false,
                deadline,
            });
        }
    }

    /// Send the current operation's request to the master, unless one is in flight.
    pub(super) fn send_op(&mut self, v: &mut ClientVol, master: ServerNo, ctx: &mut CCtx) {
        let now = ctx.now();
        let Some(op) = v.op.as_mut().filter(|op| !op.in_flight) else {
            return;
        };
        op.in_flight = true;
        let q = op.q;
        let file = q.file;
        match q.kind {
            OpKind::Read => {
                op.first_sent.get_or_insert(now);
                self.call(v, master, Purpose::Op, |req| Msg::Fetch { req, file }, ctx);
            }
            OpKind::Write => {
                let write = op.write.expect("a write op has its id");
                let msg = |req| Msg::Store {
                    req,
                    write,
                    replay: false,
                };
                self.call(v, master, Purpose::Op, msg, ctx);
            }
            OpKind::Lock => {
                let mode = q.mode;
                self.call(
                    v,
                    master,
                    Purpose::Op,
                    |req| Msg::Lock { req, file, mode },
                    ctx,
                );
            }
        }
    }

    /// End the current operation.
    pub(super) fn complete(&mut self, v: &mut ClientVol, result: OpResult, ctx: &mut CCtx) {
        let Some(op) = v.op.take() else { return };
        if let Some(t) = op.deadline {
            ctx.cancel_timer(t);
        }
        let stale: Vec<_> = v
            .calls
            .iter()
            .filter(|(_, c)| c.purpose == Purpose::Op)
            .map(|(&r, _)| r)
            .collect();
        for req in stale {
            self.answered(v, req, ctx);
        }
        ctx.output(Output::Done {
            op: op.q.id,
            result,
        });
    }

    pub(super) fn on_deadline(&mut self, v: &mut ClientVol, id: u64, ctx: &mut CCtx) {
        if v.op.as_ref().is_some_and(|op| op.q.id == id) {
            v.op.as_mut().expect("checked").deadline = None;
            self.complete(v, OpResult::Failed, ctx);
        }
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
        self.answered(v, req, ctx);
        self.see_term(v, term, ctx);
        self.heard_master(v);
        // A late answer to an earlier fetch of the same file still answers this read.
        let Some(op) =
            v.op.as_ref()
                .filter(|op| op.q.kind == OpKind::Read && op.q.file == file)
        else {
            return;
        };
        let expiry = match (op.broken, op.first_sent) {
            (false, Some(sent)) if !callback.is_zero() => Some(sent + callback),
            _ => None,
        };
        v.cache.insert(file, Cached { version, expiry });
        self.complete(v, OpResult::Read(version), ctx);
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
        let Some(op) = v.op.as_ref().filter(|op| op.write == Some(write)) else {
            return;
        };
        let sent = call
            .map_or(ctx.now(), |c| c.sent)
            .min(op.first_sent.unwrap_or(Instant::MAX));
        let expiry = (!callback.is_zero() && !op.broken).then(|| sent + callback);
        let version = Version {
            write: Some(write),
            pos,
        };
        v.cache.insert(write.file, Cached { version, expiry });
        if !durable && self.params.client_keeps_until_durable {
            self.undurable.push(write);
        }
        self.complete(v, OpResult::Write(write, pos), ctx);
        if durable {
            ctx.output(Output::Durable { write });
        }
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
        if purpose == Some(Purpose::Op)
            && let Some(op) = v.op.as_mut()
        {
            op.in_flight = false;
        }
        match why {
            Refusal::NotMaster(hint) => {
                v.master = hint.filter(|&h| Some(h) != v.master);
                if v.master.is_some() {
                    return;
                }
                self.back_off(v, ctx);
            }
            Refusal::Recovering => self.back_off(v, ctx),
            Refusal::LockConflict => match purpose {
                Some(Purpose::Renew { file }) => self.lose_lock(v, file, ctx),
                _ => self.back_off(v, ctx),
            },
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

    pub(super) fn lock_op_granted(&mut self, v: &mut ClientVol, sent: Instant, ctx: &mut CCtx) {
        let Some(op) = v.op.as_ref().filter(|op| op.q.kind == OpKind::Lock) else {
            return;
        };
        let (file, mode, probe) = (op.q.file, op.q.mode, op.q.probe);
        self.hold_lock(v, file, mode, sent, !probe, ctx);
        self.complete(v, OpResult::Lock, ctx);
        if probe {
            self.release_lock(v, file, ctx);
        }
    }
}
