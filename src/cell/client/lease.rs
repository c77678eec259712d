//! A client's side of its lease (NFSv4 leases, Chubby sessions): renewals, what it drops
//! when its lease runs out, the reset that drops every callback (`InitCallBackState`),
//! and a grant log's extensions of what it holds.

use super::{CCtx, Client, ClientVol};
use crate::cell::ids::{FileNo, Req, Term};
use crate::cell::msg::{Extended, LockEnd, Msg, Timer};
use crate::cell::params::BACKOFF_MIN;
use crate::cell::server_node;
use crate::strategy::Mutant;
use sim::Instant;

impl Client {
    /// Whether our lease lets us trust callbacks and locks now (always, without leases).
    pub(super) fn lease_holds(&self, v: &ClientVol, now: Instant) -> bool {
        self.params.strategy.client_lease().is_none()
            || self.params.mutant == Some(Mutant::ClientLeaseIgnored)
            || v.lease_until.is_some_and(|t| t > now)
    }

    /// The master renewed our lease by answering a request sent at `sent`.
    pub(super) fn lease_renewed(&mut self, v: &mut ClientVol, sent: Instant, ctx: &mut CCtx) {
        let Some(lease) = self.params.strategy.client_lease() else {
            return;
        };
        let until = sent + lease.lease;
        if v.lease_until.is_some_and(|t| t >= until) || until <= ctx.now() {
            return;
        }
        v.lease_until = Some(until);
        if let Some(t) = v.lease_expire.take() {
            ctx.cancel_timer(t);
        }
        v.lease_expire = Some(ctx.set_timer_at(until, Timer::LeaseExpire));
        // A session back from jeopardy releases the locks it let go.
        if let Some(master) = v.master {
            for (file, lock) in std::mem::take(&mut v.release_later) {
                ctx.send(server_node(master), Msg::Unlock { file, lock });
            }
        }
    }

    pub(super) fn on_renew_ok(
        &mut self,
        v: &mut ClientVol,
        req: Req,
        term: Term,
        renewed: bool,
        ctx: &mut CCtx,
    ) {
        let Some(call) = self.answered(v, req, ctx) else {
            return;
        };
        if v.term.is_some_and(|t| t > term) {
            return;
        }
        self.see_term(v, term, ctx);
        self.heard_master(v);
        if renewed {
            v.lease_due = None;
            self.lease_renewed(v, call.sent, ctx);
        } else {
            // A break to us is unacknowledged: it came again; ask again shortly.
            let wait = BACKOFF_MIN;
            v.lease_due = Some(ctx.now() + wait);
            ctx.set_timer(wait, Timer::Retry);
        }
    }

    /// Our lease ran out: trust no callback, hold no lock.
    pub(super) fn on_lease_expire(&mut self, v: &mut ClientVol, ctx: &mut CCtx) {
        let now = ctx.now();
        v.lease_expire = None;
        if v.lease_until.is_some_and(|t| t > now) {
            return;
        }
        v.lease_until = None;
        v.lease_due.get_or_insert(now);
        if self.params.mutant == Some(Mutant::ClientLeaseIgnored) {
            return;
        }
        v.cache.clear();
        v.callbacks_until = None;
        let releases = self
            .params
            .strategy
            .client_lease()
            .is_some_and(|l| l.releases_on_reconnect);
        let files: Vec<FileNo> = v.locks.keys().copied().collect();
        for file in files {
            if let Some(lock) = self.drop_lock(v, file, LockEnd::Expired, ctx)
                && releases
            {
                v.release_later.push((file, lock));
            }
        }
    }

    /// The master asks us to drop every callback (`InitCallBackState`) before it serves
    /// us: drop them and say so.
    pub(super) fn reset_callbacks(&mut self, v: &mut ClientVol, ctx: &mut CCtx) {
        if self.params.mutant != Some(Mutant::ResetRacesGrant) {
            v.reset_upto = self.next_req;
        }
        v.cache.clear();
        v.callbacks_until = None;
        if let Some(master) = v.master {
            ctx.send(server_node(master), Msg::ResetAck);
        }
    }

    /// A grant log's notice: the grants it names that we still hold last their full
    /// lease, counted from the request's sending (a late or duplicated notice finds
    /// nothing to extend).
    pub(super) fn on_extend(
        &mut self,
        v: &mut ClientVol,
        term: Term,
        grants: &[Extended],
        ctx: &mut CCtx,
    ) {
        if v.term.is_some_and(|t| t > term) {
            return;
        }
        for &grant in grants {
            match grant {
                Extended::Callback {
                    file,
                    req,
                    lifetime,
                } => {
                    if let Some(c) = v.cache.get_mut(&file).filter(|c| c.req == req) {
                        let expiry = c.expiry.max(c.sent + lifetime);
                        c.expiry = expiry;
                        v.callbacks_until =
                            Some(v.callbacks_until.map_or(expiry, |u| u.max(expiry)));
                    }
                }
                Extended::Lock {
                    file,
                    lock,
                    req,
                    lifetime,
                } => {
                    let Some(held) = v.locks.get_mut(&file).filter(|h| h.id == lock) else {
                        continue;
                    };
                    let Some(&(_, sent)) = held.unextended.iter().find(|&&(r, _)| r == req) else {
                        continue;
                    };
                    held.unextended.retain(|&(r, _)| r > req);
                    let expiry = held.expiry.max(sent + lifetime);
                    if expiry > held.expiry {
                        held.expiry = expiry;
                        ctx.cancel_timer(held.expire);
                        held.expire = ctx.set_timer_at(expiry, Timer::LockExpire { file });
                    }
                }
            }
        }
    }
}
