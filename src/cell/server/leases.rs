//! What a client owes a master, and what a master owes it back: client leases and their
//! renewals, the reset that drops every callback (`InitCallBackState`) before a client
//! is served again, and the reassertions of token recovery's window.

use super::SCtx;
use super::view::MasterView;
use crate::cell::msg::{Asked, ClientNo, Msg, Refusal, Req, Token};
use crate::strategy::{Mutant, Owed};

impl MasterView<'_> {
    /// Whether `client` must drop every callback before it is served: this master does
    /// not know what it holds, gave up breaking one of its callbacks, or let its lease
    /// run out. If so, it is told (once per request) and nothing else is served to it
    /// until it acknowledges.
    pub(super) fn reset_first(
        &mut self,
        client: ClientNo,
        req: Req,
        asked: Asked,
        ctx: &mut SCtx,
    ) -> bool {
        let now = ctx.now();
        let leased = self.leased();
        let serving = self.serving(now);
        let m = &mut self.master;
        if !serving || !m.synced() {
            return false;
        }
        let c = client.idx();
        if leased && m.leases[c].is_some_and(|t| t <= now) {
            // Its lease ran out here: we may have stopped protecting its callbacks.
            m.reset_pending[c] = true;
        }
        if !m.reset_pending[c] || self.params.mutant == Some(Mutant::AfsSkipsReset) {
            return false;
        }
        let msg = Msg::Refused {
            req,
            why: Refusal::ResetCallbacks,
            term: Some(m.term),
            asked,
        };
        ctx.send(self.to(client), msg);
        true
    }

    /// The client dropped every callback: forget them, and any lease that ran out.
    pub(super) fn on_reset_ack(&mut self, client: ClientNo) {
        let leased = self.leased();
        let m = &mut self.master;
        let c = client.idx();
        if !m.reset_pending[c] {
            return;
        }
        m.reset_pending[c] = false;
        m.grants.remove_client_callbacks(client);
        if leased {
            m.leases[c] = None;
            m.grants.remove_client_locks(client);
        }
        self.volume.grants.remove_client_callbacks(client);
    }

    /// Renew `client`'s lease, unless a callback break to it is unacknowledged: then
    /// the break goes again and nothing is renewed.
    pub(super) fn renew(&mut self, client: ClientNo, req: Req, ctx: &mut SCtx) {
        let now = ctx.now();
        let to = self.to(client);
        let pending = self.breaks_pending_for(client);
        for &(file, write) in &pending {
            ctx.send(to, Msg::CallbackBreak { file, write });
        }
        let lease = self
            .params
            .strategy
            .client_lease()
            .expect("a leased strategy");
        let m = &mut self.master;
        let renewed = pending.is_empty();
        if renewed {
            m.leases[client.idx()] = Some(now + lease.lease + self.params.skew_allowance);
        }
        let term = m.term;
        ctx.send(to, Msg::RenewOk { req, term, renewed });
    }

    /// The mutant that ends token recovery's window on any contact counts every request
    /// and probe as a reassertion.
    pub(super) fn note_contact_mutant(&mut self, client: ClientNo, ctx: &mut SCtx) {
        if self.params.mutant == Some(Mutant::WindowEndsOnContact) {
            self.note_reassertion(client, ctx);
        }
    }

    /// `client` reasserted in the window: with `end_window_when_all_reasserted`, the
    /// window ends once every client has (never before `T` + the allowance).
    pub(super) fn note_reassertion(&mut self, client: ClientNo, ctx: &mut SCtx) {
        let now = ctx.now();
        if !self.params.strategy.ends_early() || !self.serving(now) {
            return;
        }
        let floor = self.params.skew_allowance;
        let m = &mut self.master;
        let not_before = m.last_foreign_grant + floor;
        if m.reasserted(client, not_before, now) {
            self.announce_openings(ctx);
        }
    }

    /// Token recovery: rebuild the grant table from what a client says it holds, in the
    /// window; an empty reassertion still counts towards ending it early.
    pub(super) fn reassert(
        &mut self,
        client: ClientNo,
        req: Req,
        tokens: &[Token],
        ctx: &mut SCtx,
    ) {
        let now = ctx.now();
        let skew = self.params.skew_allowance;
        let lease = self.params.strategy.client_lease();
        let acknowledging = self.params.strategy.owed() == Owed::Acknowledgement;
        let m = &mut self.master;
        let term = m.term;
        // An acknowledgement of a failover asks for nothing: it is never too late.
        let accepted = m.in_window(now) || acknowledging;
        m.settled[client.idx()] = true;
        if let Some(l) = lease.filter(|_| accepted) {
            m.leases[client.idx()] = Some(now + l.lease + skew);
        }
        if let Some(ext) = self.params.strategy.window_extension()
            && m.extend_window(now, ext)
        {
            self.announce_openings(ctx);
        }
        let mut rejected = Vec::new();
        for token in tokens.iter().filter(|_| accepted) {
            match *token {
                Token::Callback { file, write, left } => {
                    if self.volume.files[file.idx()].current.write == write {
                        self.callbacks()
                            .add_callback(file, client, now + left + skew, req);
                    } else {
                        rejected.push(file);
                    }
                }
                Token::Lock {
                    file,
                    mode,
                    left,
                    lock,
                } => {
                    debug_assert_eq!(lock.client, client);
                    self.locks().set_lock(file, lock, mode, now + left + skew);
                }
            }
        }
        let reply = Msg::ReassertReply {
            req,
            term,
            accepted,
            rejected,
        };
        ctx.send(self.to(client), reply);
        if accepted && self.master.in_window(now) {
            self.note_reassertion(client, ctx);
        }
    }
}
