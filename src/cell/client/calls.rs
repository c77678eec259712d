//! The requests a client has in flight (a handful at a time, so a small vector beats a
//! map), and how it makes them, hears their answers, times them out and backs off.

use super::{CCtx, Client, ClientVol, Purpose, backoff};
use crate::cell::ids::{Req, ServerNo};
use crate::cell::msg::{Msg, Timer};
use crate::cell::params::{CLIENT_DEAD_AFTER, CLIENT_RPC_TIMEOUT};
use crate::cell::server_node;
use crate::strategy::Mutant;
use sim::{Instant, TimerId};
use std::hash::{Hash, Hasher};

/// When a callback break came, in the order of the client's own requests.
#[derive(Clone, Copy, Hash)]
pub(super) enum BreakMark {
    /// Before request `Req` was sent.
    Before(Req),
    /// At this reading of the client's clock (the mutant `BreakDatedByClock`: a clock
    /// that jumps back dates a request sent before the break after it).
    At(Instant),
}

impl BreakMark {
    /// Whether request `req`, sent at `sent` on our clock, went out before the break.
    pub(super) fn after(self, req: Req, sent: Instant) -> bool {
        match self {
            BreakMark::Before(next) => req < next,
            BreakMark::At(at) => sent <= at,
        }
    }
}

/// One request in flight.
#[derive(Clone, Hash)]
pub(super) struct Call {
    pub purpose: Purpose,
    pub timer: TimerId,
    pub sent: Instant,
}

/// The requests in flight, in the order of a vector that removes by swapping the last
/// into the gap. The first is kept in the client's state itself: a client nearly always
/// has at most one request out, and in a large cell reading it through a pointer was a
/// second cold line on every send and reply.
#[derive(Default, Clone)]
#[repr(C)]
pub(super) struct Calls {
    first: Option<(Req, Call)>,
    /// The others, in order; empty while `first` is `None`.
    rest: Vec<(Req, Call)>,
}

impl Calls {
    /// Hint: ask for the calls after the first (the first is inline).
    #[inline(always)]
    pub fn warm(&self) {
        sim::prefetch_item(&self.rest, 0);
    }

    pub fn insert(&mut self, req: Req, call: Call) {
        if self.first.is_none() {
            self.first = Some((req, call));
        } else {
            self.rest.push((req, call));
        }
    }

    pub fn remove(&mut self, req: Req) -> Option<Call> {
        if self.first.as_ref()?.0 == req {
            return Some(self.swap_remove(0).1);
        }
        let i = self.rest.iter().position(|(r, _)| *r == req)?;
        Some(self.rest.swap_remove(i).1)
    }

    pub fn contains(&self, req: Req) -> bool {
        self.iter().any(|(r, _)| *r == req)
    }

    /// Whether a request sent before `mark` is unanswered.
    pub fn any_before(&self, mark: BreakMark) -> bool {
        self.iter().any(|(r, c)| mark.after(*r, c.sent))
    }

    pub fn any(&self, purpose: Purpose) -> bool {
        self.iter().any(|(_, c)| c.purpose == purpose)
    }

    pub fn any_where(&self, f: impl Fn(Purpose) -> bool) -> bool {
        self.iter().any(|(_, c)| f(c.purpose))
    }

    /// Forget every request made for `purpose`, handing each to `gone`.
    pub fn remove_all(&mut self, purpose: Purpose, mut gone: impl FnMut(Call)) {
        let mut i = 0;
        while i < self.len() {
            if self.get(i).is_some_and(|(_, c)| c.purpose == purpose) {
                gone(self.swap_remove(i).1);
            } else {
                i += 1;
            }
        }
    }

    fn len(&self) -> usize {
        usize::from(self.first.is_some()) + self.rest.len()
    }

    /// The `i`th request, in the vector's order.
    fn get(&self, i: usize) -> Option<&(Req, Call)> {
        match i {
            0 => self.first.as_ref(),
            _ => self.rest.get(i - 1),
        }
    }

    fn iter(&self) -> impl Iterator<Item = &(Req, Call)> {
        self.first.iter().chain(&self.rest)
    }

    /// Remove the `i`th request, the last taking its place (as `Vec::swap_remove`).
    fn swap_remove(&mut self, i: usize) -> (Req, Call) {
        if i > 0 {
            return self.rest.swap_remove(i - 1);
        }
        let last = self.rest.pop();
        std::mem::replace(&mut self.first, last).expect("a request at 0")
    }
}

/// Hashed as the vector it stands for: its length, then each request in order.
impl Hash for Calls {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_usize(self.len());
        for call in self.iter() {
            call.hash(state);
        }
    }
}

impl Client {
    /// Send a request to server `to` with a timeout.
    pub(super) fn call(
        &mut self,
        v: &mut ClientVol,
        to: ServerNo,
        purpose: Purpose,
        msg: impl FnOnce(Req) -> Msg,
        ctx: &mut CCtx,
    ) -> Req {
        let req = self.next_req;
        self.next_req = req.next();
        ctx.send(server_node(to), msg(req));
        let timer = ctx.set_timer(CLIENT_RPC_TIMEOUT, Timer::RpcTimeout { req });
        let sent = ctx.now();
        v.calls.insert(
            req,
            Call {
                purpose,
                timer,
                sent,
            },
        );
        req
    }

    /// The call `req` is answered: forget it and stop its timer.
    pub(super) fn answered(&mut self, v: &mut ClientVol, req: Req, ctx: &mut CCtx) -> Option<Call> {
        let call = v.calls.remove(req)?;
        ctx.cancel_timer(call.timer);
        Some(call)
    }

    /// Ask every server who the master is.
    /// Whether anything waits for a master: without one, the client locates it.
    pub(super) fn needs_master(&self, v: &ClientVol) -> bool {
        !v.active.is_empty()
            || v.reassert_to.is_some()
            || !v.replays.is_empty()
            || !v.renew_due.is_empty()
            || v.lease_due.is_some()
    }

    pub(super) fn locate(&mut self, v: &mut ClientVol, ctx: &mut CCtx) {
        v.locate_nones = 0;
        let req = self.next_req;
        self.next_req = req.next();
        for s in (0..self.params.servers).map(ServerNo) {
            ctx.send(server_node(s), Msg::Locate { req });
        }
        let timer = ctx.set_timer(CLIENT_RPC_TIMEOUT, Timer::RpcTimeout { req });
        let sent = ctx.now();
        v.calls.insert(
            req,
            Call {
                purpose: Purpose::Locate,
                timer,
                sent,
            },
        );
    }

    pub(super) fn on_locate_reply(
        &mut self,
        v: &mut ClientVol,
        req: Req,
        master: Option<ServerNo>,
        ctx: &mut CCtx,
    ) {
        if !v.calls.contains(req) {
            return;
        }
        match master {
            Some(m) => {
                self.answered(v, req, ctx);
                v.master = Some(m);
                // A back-off waits for a master to ask; this one is known now.
                if self.params.mutant != Some(Mutant::LocateKeepsBackoff) {
                    v.backoff_until = None;
                }
            }
            None => {
                v.locate_nones += 1;
                if v.locate_nones == self.params.servers {
                    self.answered(v, req, ctx);
                    self.back_off(v, ctx);
                }
            }
        }
    }

    pub(super) fn on_rpc_timeout(&mut self, v: &mut ClientVol, req: Req, ctx: &mut CCtx) {
        let Some(call) = v.calls.remove(req) else {
            return;
        };
        if call.purpose == Purpose::Locate {
            self.back_off(v, ctx);
            return;
        }
        if let Purpose::Op(file) = call.purpose
            && let Some(op) = v.active.get_mut(&file)
        {
            op.in_flight = false;
            op.unanswered = true;
        }
        // Ask again (`drive` resends); after a few silences in a row, look elsewhere.
        v.silent += 1;
        if v.silent >= CLIENT_DEAD_AFTER {
            v.silent = 0;
            v.master = None;
            self.locate(v, ctx);
        }
    }

    /// Wait before asking again for a master: 200 ms, doubling per failure, at most 5 s.
    pub(super) fn back_off(&mut self, v: &mut ClientVol, ctx: &mut CCtx) {
        let wait = backoff(v.attempts);
        v.attempts += 1;
        let until = ctx.now() + wait;
        v.backoff_until = Some(until);
        if let Some(t) = v.retry.take() {
            ctx.cancel_timer(t);
        }
        v.retry = Some(ctx.set_timer(wait, Timer::Retry));
    }

    /// Any reply from the master resets the back-off.
    pub(super) fn heard_master(&mut self, v: &mut ClientVol) {
        v.silent = 0;
        v.attempts = 0;
        v.backoff_until = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cell::ids::FileNo;
    use sim::{NodeId, Prng, TraceHash};

    /// Inserts and removals of every kind, on the calls and on the vector they stand
    /// for: after each, the same requests in the same order, and the same hash.
    #[test]
    fn calls_behave_and_hash_as_a_vector_removing_by_swap() {
        let mut ctx = CCtx::new(NodeId(0), Instant::ZERO);
        let mut rng = Prng::new(5);
        let (mut calls, mut vec) = (Calls::default(), Vec::<(Req, Call)>::new());
        let purposes = [Purpose::Probe, Purpose::Lease, Purpose::Op(FileNo(1))];
        let mut spilled = false;
        for n in 0..2_000u32 {
            let purpose = purposes[rng.below(3) as usize];
            match rng.below(4) {
                0 | 1 => {
                    let call = Call {
                        purpose,
                        timer: ctx.set_timer_at(Instant::ZERO, Timer::Probe),
                        sent: Instant::from_micros(u64::from(n)),
                    };
                    calls.insert(Req(n), call.clone());
                    vec.push((Req(n), call));
                }
                2 if !vec.is_empty() => {
                    let (req, _) = vec[rng.below(vec.len() as u64) as usize];
                    let i = vec.iter().position(|(r, _)| *r == req).unwrap();
                    let want = vec.swap_remove(i).1;
                    let got = calls.remove(req).expect("in flight");
                    assert!(got.sent == want.sent && !calls.contains(req));
                }
                _ => {
                    let mut gone = Vec::new();
                    calls.remove_all(purpose, |c| gone.push(c.sent));
                    let mut want = Vec::new();
                    let mut i = 0;
                    while i < vec.len() {
                        if vec[i].1.purpose == purpose {
                            want.push(vec.swap_remove(i).1.sent);
                        } else {
                            i += 1;
                        }
                    }
                    assert_eq!(gone, want);
                }
            }
            spilled |= vec.len() > 2;
            let order = |it: &mut dyn Iterator<Item = &(Req, Call)>| -> Vec<Req> {
                it.map(|(r, _)| *r).collect()
            };
            assert_eq!(order(&mut calls.iter()), order(&mut vec.iter()));
            assert_eq!(calls.len(), vec.len());
            assert_eq!(
                TraceHash::of(&calls),
                TraceHash::of(&vec),
                "after {n} steps"
            );
        }
        assert!(spilled, "the sequence held more than two requests at once");
    }
}
