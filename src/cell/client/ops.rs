//! The workload: operations arrive, wait their turn, are served from the cache or the
//! master, and end in success or failure at their deadline.

use super::{CCtx, Cached, Client, ClientVol, Current, Purpose, Queued, backoff};
use crate::cell::ids::{FileNo, LockId, LockMode, ServerNo, WriteId};
use crate::cell::msg::{Invoked, Msg, OpKind, OpResult, Output, Timer};
use crate::cell::params::Workload;
use crate::cell::server_node;
use crate::strategy::Mutant;
use sim::{Duration, Instant, Prng};

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
        let (kind, file) = draw_op(&mut self.workload, w);
        let mode = if self.workload.chance(w.exclusive) {
            LockMode::Exclusive
        } else {
            LockMode::Shared
        };
        let deadline = Some(ctx.now() + w.op_deadline);
        self.enqueue(v, (kind, file, mode), deadline, false, ctx);
        self.schedule_arrival(v, ctx);
    }

    /// The kind and file of the operation the next arrival will draw, without drawing
    /// it: a copy of the stream draws them.
    pub(super) fn next_op(&self) -> (OpKind, FileNo) {
        draw_op(&mut self.workload.clone(), &self.params.workload)
    }

    /// Invoke an operation: name it (and a write), report it, and start it or queue it
    /// behind its file's lane.
    fn enqueue(
        &mut self,
        v: &mut ClientVol,
        (kind, file, mode): (OpKind, FileNo, LockMode),
        deadline: Option<Instant>,
        probe: bool,
        ctx: &mut CCtx,
    ) {
        let id = u64::from(self.next_op);
        self.next_op += 1;
        let write = (kind == OpKind::Write).then(|| {
            self.next_write += 1;
            WriteId {
                client: self.no,
                file,
                seq: self.next_write,
            }
        });
        let what = match (kind, write) {
            (OpKind::Read, _) => Invoked::Read,
            (OpKind::Write, Some(w)) => Invoked::Write(w),
            (OpKind::Write, None) => unreachable!("a write is named above"),
            (OpKind::Lock, _) => Invoked::Lock(mode),
        };
        ctx.output(Output::Invoke {
            op: id,
            file,
            what,
            probe,
        });
        let q = Queued {
            id,
            kind,
            mode,
            write,
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
        let file = FileNo(self.no.0 % self.params.files);
        let shared = LockMode::Shared;
        self.enqueue(v, (OpKind::Write, file, shared), None, true, ctx);
        self.enqueue(v, (OpKind::Lock, file, shared), None, true, ctx);
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
                if let Some(&Cached { write, expiry, .. }) = v.cache.get(&file)
                    && expiry > now
                    && self.lease_holds(v, now)
                {
                    ctx.output(done(OpResult::Read {
                        write,
                        cached: true,
                    }));
                    return;
                }
            }
            OpKind::Lock if v.locks.contains_key(&file) => {
                ctx.output(done(OpResult::Lock));
                return;
            }
            OpKind::Lock | OpKind::Write => {}
        }
        let lock = (q.kind == OpKind::Lock).then(|| {
            self.next_lock += 1;
            LockId {
                client: self.no,
                seq: u64::from(self.next_lock),
            }
        });
        let deadline = q
            .deadline
            .map(|d| ctx.set_timer_at(d, Timer::OpDeadline { op: q.id }));
        let current = Current {
            q,
            lock,
            first_req: None,
            in_flight: false,
            unanswered: false,
            attempts: 0,
            retry_at: None,
            deadline,
            durable_early: false,
        };
        v.active.insert(file, current);
    }

    /// Send the request of every active operation that has none in flight.
    pub(super) fn send_ops(&mut self, v: &mut ClientVol, master: ServerNo, ctx: &mut CCtx) {
        // Most events find no operation in progress.
        if v.active.is_empty() {
            return;
        }
        let now = ctx.now();
        // A lock asked for without a valid lease would not be held: it waits for the
        // renewal (sent first).
        let leased =
            self.lease_holds(v, now) || self.params.mutant == Some(Mutant::LockRetrySameId);
        // By position, not through a list of the ready files: sending touches only the
        // calls in flight, never which files are active, and a list was one more line
        // per client to write.
        for i in 0..v.active.len() {
            let (file, op) = v.active.nth_mut(i);
            let ready = !op.in_flight && op.retry_at.is_none_or(|t| t <= now);
            if !ready || (!leased && op.q.kind == OpKind::Lock) {
                continue;
            }
            op.in_flight = true;
            op.retry_at = None;
            op.first_req.get_or_insert(self.next_req);
            let q = op.q;
            let lock = op.lock;
            let purpose = Purpose::Op(file);
            match q.kind {
                OpKind::Read => {
                    self.call(v, master, purpose, |req| Msg::Fetch { req, file }, ctx);
                }
                OpKind::Write => {
                    let write = q.write.expect("a write op has its id");
                    let msg = |req| Msg::Store {
                        req,
                        write,
                        replay: None,
                    };
                    self.call(v, master, purpose, msg, ctx);
                }
                OpKind::Lock => {
                    let mode = q.mode;
                    let lock = lock.expect("a lock op has its lock");
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

    /// The operation missed its deadline: it failed, or (an attempt unanswered) may
    /// still have taken effect.
    pub(super) fn on_deadline(&mut self, v: &mut ClientVol, id: u64, ctx: &mut CCtx) {
        let file = v
            .active
            .iter()
            .find(|(_, op)| op.q.id == id)
            .map(|(&f, _)| f);
        let Some(file) = file else { return };
        let op = v.active.get_mut(&file).expect("found");
        op.deadline = None;
        let uncertain = op.in_flight || op.unanswered;
        // A lock request may have been granted after all: release whatever it got.
        let abandoned = op.lock.filter(|_| op.in_flight || op.attempts > 0);
        let result = if uncertain {
            OpResult::Unknown
        } else {
            OpResult::Failed
        };
        // The master keeps a writer's callback through its write: a write that may have
        // taken effect without its acknowledgement arriving leaves the cached copy older
        // than the file, under a callback nobody will break.
        let mutant = self.params.mutant == Some(Mutant::WriterCallbackKept);
        if uncertain && op.q.kind == OpKind::Write && !mutant {
            v.cache.remove(&file);
        }
        if let Some(write) = op.q.write.filter(|_| uncertain) {
            if v.unknown_writes.len() == super::UNKNOWN_KEPT {
                v.unknown_writes.pop_front();
            }
            v.unknown_writes.push_back(write);
        }
        self.complete(v, file, result, ctx);
        if let (Some(lock), Some(master)) = (abandoned, v.master) {
            ctx.send(server_node(master), Msg::Unlock { file, lock });
        }
    }

    /// Retry one operation later: 200 ms, doubling per refusal, at most 5 s.
    pub(super) fn retry_op_later(&mut self, v: &mut ClientVol, file: FileNo, ctx: &mut CCtx) {
        let Some(op) = v.active.get_mut(&file) else {
            return;
        };
        let wait = backoff(op.attempts);
        op.attempts += 1;
        op.retry_at = Some(ctx.now() + wait);
        ctx.set_timer(wait, Timer::Retry);
    }
}

/// An arrival's first two draws: what kind of operation it is and which file it names.
fn draw_op(rng: &mut Prng, w: &Workload) -> (OpKind, FileNo) {
    let u = rng.unit();
    let kind = if u < w.read_below {
        OpKind::Read
    } else if u < w.write_below {
        OpKind::Write
    } else {
        OpKind::Lock
    };
    (kind, FileNo::from_idx(w.files.pick(rng.unit())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cell::params::Params;
    use crate::cell::{AfsNode, build};
    use sim::{LinkParams, NodeId, Observer, Record, Sim, SimConfig};
    use std::rc::Rc;

    /// The kind and file of each operation a client invoked on an arrival, by node.
    #[derive(Default)]
    struct Arrivals(Vec<(NodeId, OpKind, FileNo)>);

    impl Observer<AfsNode> for Arrivals {
        fn record(&mut self, _: Instant, record: Record<'_, AfsNode>) {
            if let Record::Output {
                node,
                output:
                    Output::Invoke {
                        file,
                        what,
                        probe: false,
                        ..
                    },
            } = record
            {
                self.0.push((node, what.kind(), *file));
            }
        }
    }

    /// The hint's guess of what a client's next arrival draws (`next_op`, which warms
    /// the cache entry a read looks up) is what the arrival then draws, and guessing
    /// draws nothing.
    #[test]
    fn the_next_op_guessed_is_the_one_the_arrival_draws() {
        let path = std::path::Path::new("scenarios/check-small.json");
        let scenario = crate::scenario::load(path).expect("a committed scenario");
        let params = Rc::new(Params::new(&scenario, &scenario.strategies[0]));
        let nodes = build(&params, &Prng::new(7));
        let config = SimConfig::new(7, LinkParams::default());
        let mut sim = Sim::new(config, nodes, Arrivals::default());
        let servers = params.servers as usize;
        let next_ops = |sim: &Sim<AfsNode, Arrivals>| -> Vec<(OpKind, FileNo)> {
            (servers..sim.node_count())
                .map(|i| match sim.node(NodeId(i as u32)) {
                    AfsNode::Client(c) => c.next_op(),
                    AfsNode::Server(_) => unreachable!("clients follow the servers"),
                })
                .collect()
        };
        let (mut checked, mut kinds) = (0, std::collections::BTreeSet::new());
        while checked < 500 {
            let guessed = next_ops(&sim);
            assert_eq!(guessed, next_ops(&sim), "guessing drew");
            let seen = sim.observer().0.len();
            sim.step(Instant::ZERO + params.duration)
                .expect("a run within its limits")
                .expect("arrivals until the workload ends");
            for &(node, kind, file) in &sim.observer().0[seen..] {
                assert_eq!(guessed[node.index() - servers], (kind, file));
                kinds.insert(kind);
                checked += 1;
            }
        }
        assert_eq!(kinds.len(), 3, "reads, writes and locks all arrived");
    }
}
