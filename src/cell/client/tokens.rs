//! Tokens a client holds: callbacks on cached files and locks, with their renewals and
//! breaks, the periodic probe of the master, and reassertion to a new master (the lease
//! they ride on is in `lease.rs`).

use super::{BreakMark, CCtx, Client, ClientVol, Held, Purpose};
use crate::cell::ids::{FileNo, LockId, LockMode, Req, ServerNo, Term, WriteId};
use crate::cell::msg::{LockEnd, Msg, Output, Timer, Token};
use crate::cell::server_node;
use crate::strategy::{Home, Mutant, Owed};
use sim::{Instant, NodeId};

impl Client {
    pub(super) fn holds_tokens(&self, v: &ClientVol, now: Instant) -> bool {
        !v.locks.is_empty() || v.callbacks_until.is_some_and(|u| u > now)
    }

    /// Everything to reassert to a new master, with the lifetime left on our clock.
    pub(super) fn tokens(&self, v: &ClientVol, now: Instant) -> Vec<Token> {
        let callbacks = v
            .cache
            .sorted()
            .into_iter()
            .filter(|(_, c)| c.expiry > now)
            .map(|(file, c)| Token::Callback {
                file,
                write: c.write,
                left: c.expiry - now,
            });
        let locks = v.locks.iter().map(|(&file, h)| Token::Lock {
            file,
            mode: h.mode,
            left: h.expiry.saturating_since(now),
            lock: h.id,
        });
        callbacks.chain(locks).collect()
    }

    /// Send the reassertion owed to a new master (`drive` calls this only while one is
    /// owed, `reassert_to` set), unless it is on its way; true while it is owed.
    pub(super) fn send_reassertion(
        &mut self,
        v: &mut ClientVol,
        master: ServerNo,
        now: Instant,
        ctx: &mut CCtx,
    ) -> bool {
        debug_assert!(v.reassert_to.is_some(), "no reassertion is owed");
        if !v.calls.any(Purpose::Reassert) {
            let tokens = match self.params.strategy.owed() {
                Owed::Acknowledgement => Vec::new(),
                _ => self.tokens(v, now),
            };
            let msg = |req| Msg::Reassert { req, tokens };
            self.call(v, master, Purpose::Reassert, msg, ctx);
        }
        true
    }

    /// The master breaks our callback: stop trusting the cached copy, and say so.
    pub(super) fn on_break(
        &mut self,
        v: &mut ClientVol,
        from: NodeId,
        file: FileNo,
        write: WriteId,
        ctx: &mut CCtx,
    ) {
        v.cache.remove(&file);
        // A grant on its way may be older than this break: remember the break, by the
        // first request sent after it, for as long as a request sent before it waits for
        // its answer. Numbers, not clock readings: a clock that jumps back would date a
        // request sent before the break after it.
        let after = match self.params.mutant {
            Some(Mutant::BreakDatedByClock) => BreakMark::At(ctx.now()),
            _ => BreakMark::Before(self.next_req),
        };
        v.breaks.retain(|&(_, mark)| v.calls.any_before(mark));
        v.breaks.push((file, after));
        ctx.send(from, Msg::BreakAck { file, write });
    }

    pub(super) fn on_lock_ok(&mut self, v: &mut ClientVol, req: Req, term: Term, ctx: &mut CCtx) {
        let Some(call) = self.answered(v, req, ctx) else {
            return;
        };
        // An older master's grant or renewal may be one the newer master never heard of.
        let older =
            self.params.mutant != Some(Mutant::TrustsOlderTerm) && v.term.is_some_and(|t| t > term);
        if older {
            if let Purpose::Op(file) = call.purpose
                && let Some(op) = v.active.get_mut(&file)
            {
                op.in_flight = false;
            }
            return;
        }
        self.see_term(v, term, ctx);
        self.heard_master(v);
        match call.purpose {
            Purpose::Op(file) => self.lock_op_granted(v, file, (req, call.sent), ctx),
            Purpose::Renew { file } if !self.lease_holds(v, ctx.now()) => {
                self.lose_lock(v, file, ctx);
            }
            Purpose::Renew { file } => {
                v.renew_due.remove(&file);
                let lease = self.lock_lifetime();
                let renew_every = self.params.lock_renew;
                let Some(held) = v.locks.get_mut(&file) else {
                    return;
                };
                if matches!(self.params.strategy.homes().locks, Home::Logged { .. }) {
                    held.unextended.push((req, call.sent));
                }
                held.expiry = held.expiry.max(call.sent + lease);
                ctx.cancel_timer(held.expire);
                held.expire = ctx.set_timer_at(held.expiry, Timer::LockExpire { file });
                held.renew = ctx.set_timer(renew_every, Timer::LockRenew { file });
            }
            _ => {}
        }
    }

    /// How long a lock grant lasts on our clock: `lock_lease_s`, or a grant log's tail
    /// until its notice extends it.
    fn lock_lifetime(&self) -> sim::Duration {
        match self.params.strategy.homes().locks {
            Home::Logged { tail, .. } => tail,
            _ => self.params.lock_lease,
        }
    }

    /// We hold the lock from now until we release it or its lifetime after `sent`.
    pub(super) fn hold_lock(
        &mut self,
        v: &mut ClientVol,
        file: FileNo,
        (id, mode): (LockId, LockMode),
        (req, sent): (Req, Instant),
        release: bool,
        ctx: &mut CCtx,
    ) {
        let expiry = sent + self.lock_lifetime();
        let logged = matches!(self.params.strategy.homes().locks, Home::Logged { .. });
        let p = &self.params;
        let held = Held {
            unextended: if logged {
                vec![(req, sent)]
            } else {
                Vec::new()
            },
            id,
            mode,
            expiry,
            expire: ctx.set_timer_at(expiry, Timer::LockExpire { file }),
            renew: ctx.set_timer(p.lock_renew, Timer::LockRenew { file }),
            release: release
                .then(|| ctx.set_timer(p.workload.lock_hold, Timer::LockRelease { file })),
        };
        v.locks.insert(file, held);
        ctx.output(Output::LockHeld { file, mode });
    }

    pub(super) fn send_renewal(
        &mut self,
        v: &mut ClientVol,
        master: ServerNo,
        file: FileNo,
        ctx: &mut CCtx,
    ) {
        let Some((lock, mode)) = v.locks.get(&file).map(|h| (h.id, h.mode)) else {
            v.renew_due.remove(&file);
            return;
        };
        let msg = |req| Msg::Lock {
            req,
            file,
            mode,
            lock,
        };
        self.call(v, master, Purpose::Renew { file }, msg, ctx);
    }

    /// Done with the lock: release it (the span ends as we send the release).
    pub(super) fn release_lock(&mut self, v: &mut ClientVol, file: FileNo, ctx: &mut CCtx) {
        if let Some(lock) = self.drop_lock(v, file, LockEnd::Released, ctx)
            && let Some(master) = v.master
        {
            ctx.send(server_node(master), Msg::Unlock { file, lock });
        }
    }

    /// The lock is gone: expired on our clock, or refused on renewal.
    pub(super) fn lose_lock(&mut self, v: &mut ClientVol, file: FileNo, ctx: &mut CCtx) {
        self.drop_lock(v, file, LockEnd::Expired, ctx);
    }

    /// Forget the lock on `file` and end its span; returns which lock it was.
    pub(super) fn drop_lock(
        &mut self,
        v: &mut ClientVol,
        file: FileNo,
        end: LockEnd,
        ctx: &mut CCtx,
    ) -> Option<LockId> {
        let held = v.locks.remove(&file)?;
        ctx.cancel_timer(held.expire);
        ctx.cancel_timer(held.renew);
        if let Some(t) = held.release {
            ctx.cancel_timer(t);
        }
        v.renew_due.remove(&file);
        ctx.output(Output::LockEnd { file, end });
        Some(held.id)
    }

    /// Every `client_probe_s`, a client holding tokens checks that its master is alive.
    pub(super) fn on_probe_timer(&mut self, v: &mut ClientVol, ctx: &mut CCtx) {
        ctx.set_timer(self.params.client_probe, Timer::Probe);
        let now = ctx.now();
        if !self.holds_tokens(v, now) && self.undurable.is_empty() {
            return;
        }
        if v.calls
            .any_where(|p| matches!(p, Purpose::Probe | Purpose::Locate))
        {
            return;
        }
        match v.master {
            Some(master) => {
                self.call(v, master, Purpose::Probe, |req| Msg::Probe { req }, ctx);
            }
            None => self.locate(v, ctx),
        }
    }

    pub(super) fn on_probe_reply(
        &mut self,
        v: &mut ClientVol,
        req: Req,
        term: Option<Term>,
        ctx: &mut CCtx,
    ) {
        if self.answered(v, req, ctx).is_none() {
            return;
        }
        match term {
            Some(t) => {
                self.see_term(v, t, ctx);
                self.heard_master(v);
            }
            None => {
                v.master = None;
                self.locate(v, ctx);
            }
        }
    }

    pub(super) fn on_reassert_reply(
        &mut self,
        v: &mut ClientVol,
        req: Req,
        term: Term,
        accepted: bool,
        rejected: &[FileNo],
        ctx: &mut CCtx,
    ) {
        let Some(call) = self.answered(v, req, ctx) else {
            return;
        };
        self.see_term(v, term, ctx);
        self.heard_master(v);
        if v.reassert_to.is_some_and(|t| t <= term) {
            v.reassert_to = None;
        }
        if accepted {
            self.lease_renewed(v, call.sent, ctx);
            for file in rejected {
                v.cache.remove(file);
            }
            return;
        }
        // Too late: every token is void; revalidate on next use.
        v.cache.clear();
        let files: Vec<FileNo> = v.locks.keys().copied().collect();
        for file in files {
            self.lose_lock(v, file, ctx);
        }
    }
}
