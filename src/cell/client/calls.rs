//! The requests a client has in flight (a handful at a time, so a small vector beats a
//! map), and how it makes them, hears their answers, times them out and backs off.

use super::{CCtx, Client, ClientVol, Purpose, backoff};
use crate::cell::ids::{Req, ServerNo};
use crate::cell::msg::{Msg, Timer};
use crate::cell::params::{CLIENT_DEAD_AFTER, CLIENT_RPC_TIMEOUT};
use crate::cell::server_node;
use crate::strategy::Mutant;
use sim::{Instant, TimerId};

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

#[derive(Default, Clone, Hash)]
pub(super) struct Calls(Vec<(Req, Call)>);

impl Calls {
    pub fn insert(&mut self, req: Req, call: Call) {
        self.0.push((req, call));
    }

    pub fn remove(&mut self, req: Req) -> Option<Call> {
        let i = self.0.iter().position(|(r, _)| *r == req)?;
        Some(self.0.swap_remove(i).1)
    }

    pub fn contains(&self, req: Req) -> bool {
        self.0.iter().any(|(r, _)| *r == req)
    }

    /// Whether a request sent before `mark` is unanswered.
    pub fn any_before(&self, mark: BreakMark) -> bool {
        self.0.iter().any(|(r, c)| mark.after(*r, c.sent))
    }

    pub fn any(&self, purpose: Purpose) -> bool {
        self.0.iter().any(|(_, c)| c.purpose == purpose)
    }

    pub fn any_where(&self, f: impl Fn(Purpose) -> bool) -> bool {
        self.0.iter().any(|(_, c)| f(c.purpose))
    }

    /// Forget every request made for `purpose`, handing each to `gone`.
    pub fn remove_all(&mut self, purpose: Purpose, mut gone: impl FnMut(Call)) {
        let mut i = 0;
        while i < self.0.len() {
            if self.0[i].1.purpose == purpose {
                gone(self.0.swap_remove(i).1);
            } else {
                i += 1;
            }
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
