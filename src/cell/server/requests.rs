//! Client requests at a server: who the master is, fetches, stores, locks, and (token
//! recovery) reassertions, each admitted only when the strategy's opening allows.

use super::line::Queued;
use super::replica::Waiter;
use super::view::MasterView;
use super::{SCtx, Server, ServerVol};
use crate::cell::client_node;
use crate::cell::ids::{ClientNo, FileNo, LockId, LockMode, Pos, Req, WriteId};
use crate::cell::msg::{Asked, Extended, Msg, Refusal};
use crate::cell::volume::Update;
use crate::strategy::Mutant;
use sim::Duration;

impl Server {
    pub(super) fn on_client_msg(
        &mut self,
        vol: &mut ServerVol,
        client: ClientNo,
        msg: Msg,
        ctx: &mut SCtx,
    ) {
        let now = ctx.now();
        let to = client_node(client, self.params.servers);
        if let Some(req) = msg.client_req()
            && self.params.mutant != Some(Mutant::ActsOnDuplicates)
            && !vol.seen.first(client, req)
        {
            return;
        }
        match msg {
            Msg::Locate { req } => {
                let master = vol
                    .election
                    .believed_master(self.no, now, self.params.master_lease);
                ctx.send(to, Msg::LocateReply { req, master });
            }
            Msg::Probe { req } => {
                let serving = self.serving_master(vol, now);
                let mut term = None;
                if let Some(mut v) = self.view(vol).filter(|_| serving) {
                    if v.reset_first(client, req, Asked::Probe, ctx) {
                        return;
                    }
                    v.note_contact_mutant(client, ctx);
                    term = Some(v.master.term);
                }
                ctx.send(to, Msg::ProbeReply { req, term });
            }
            Msg::BreakAck { file, write } => {
                if let Some(mut v) = self.view(vol) {
                    v.on_break_ack(client, file, write, ctx);
                }
            }
            Msg::ResetAck => {
                if let Some(mut v) = self.view(vol) {
                    v.on_reset_ack(client);
                }
            }
            Msg::NewerTerm { term } => self.learn_term(vol, term, ctx),
            Msg::Renew { req } => {
                if let Some(mut v) = self.admit(vol, client, req, Asked::Renew, ctx) {
                    v.renew(client, req, ctx);
                }
            }
            Msg::Unlock { file, lock } => {
                let serving = self.serving_master(vol, now);
                if let Some(mut v) = self.view(vol).filter(|v| serving && v.master.synced()) {
                    v.unlock(file, lock, ctx);
                }
            }
            Msg::Fetch { req, file } => {
                if let Some(mut v) = self.admit(vol, client, req, Asked::Fetch, ctx) {
                    v.on_file(file, Queued::Fetch { client, req }, ctx);
                }
            }
            Msg::Store { req, write, replay } => {
                let asked = if replay.is_some() {
                    Asked::Replay
                } else {
                    Asked::Store
                };
                if let Some(mut v) = self.admit(vol, client, req, asked, ctx) {
                    let queued = Queued::Store {
                        client,
                        req,
                        write,
                        replay,
                    };
                    v.on_file(write.file, queued, ctx);
                }
            }
            Msg::Lock {
                req,
                file,
                mode,
                lock,
            } => {
                debug_assert_eq!(lock.client, client);
                if let Some(mut v) = self.admit(vol, client, req, Asked::Lock, ctx) {
                    v.lock(req, file, mode, lock, ctx);
                }
            }
            Msg::Reassert { req, tokens } => {
                if let Some(mut v) = self.admit(vol, client, req, Asked::Reassert, ctx) {
                    v.reassert(client, req, &tokens, ctx);
                }
            }
            other => unreachable!("a client sent a server {other:?}"),
        }
    }

    /// The master's view to serve the request with, if it may be served now; if not,
    /// the client is told why.
    fn admit<'a>(
        &'a mut self,
        vol: &'a mut ServerVol,
        client: ClientNo,
        req: Req,
        asked: Asked,
        ctx: &mut SCtx,
    ) -> Option<MasterView<'a>> {
        let now = ctx.now();
        let to = client_node(client, self.params.servers);
        let refuse = |ctx: &mut SCtx, why, term| {
            let msg = Msg::Refused {
                req,
                why,
                asked,
                term,
            };
            ctx.send(to, msg);
        };
        if !self.serving_master(vol, now) {
            let hint = vol
                .election
                .believed_master(self.no, now, self.params.master_lease)
                .filter(|&s| s != self.no);
            refuse(ctx, Refusal::NotMaster(hint), None);
            return None;
        }
        let mut v = self.view(vol).expect("serving master");
        v.note_contact_mutant(client, ctx);
        let m = &v.master;
        let waits_for_owed = v
            .params
            .strategy
            .client_lease()
            .is_some_and(|l| l.renewals_wait_for_owed);
        let open = match (m.opening, asked) {
            (None, _) => false,
            (Some(_), Asked::Replay | Asked::Reassert | Asked::Probe) => true,
            (Some(_), Asked::Renew) => {
                !waits_for_owed || !m.in_window(now) || m.settled[client.idx()]
            }
            (Some(o), Asked::Fetch) => now >= o.reads,
            (Some(o), Asked::Store) => now >= o.writes,
            (Some(o), Asked::Lock) => now >= o.locks,
        };
        if !open {
            refuse(ctx, Refusal::Recovering, Some(m.term));
            return None;
        }
        (!v.reset_first(client, req, asked, ctx)).then_some(v)
    }
}

impl MasterView<'_> {
    /// A fetch the file's line lets through: grant a callback (none before the strategy
    /// grants them) and answer, once a majority holds the grant for the quorum strategy.
    pub(super) fn grant_fetch(&mut self, file: FileNo, client: ClientNo, req: Req, ctx: &mut SCtx) {
        let now = ctx.now();
        let m = &self.master;
        let term = m.term;
        // No callback for a client whose lease is not valid here (we would not protect
        // it) or that we are resetting (its acknowledgement drops every callback).
        let granting = m.opening.is_some_and(|o| now >= o.callbacks)
            && self.lease_valid(client, now)
            && !self.resetting(client);
        let replicated = self.replicated(false);
        let logged = self.logged(false);
        let margin = self.params.callback_margin();
        let holders = self.callbacks().count_others(file, client, now);
        let mut grant = self.params.callback.grant(now, holders, margin);
        if let (true, Some((tail, sync_every))) = (granting, logged) {
            // In the log and in our table at its full lease (a replica that catches up
            // from a snapshot of our table gets it too); at the client, its tail until a
            // majority holds it.
            let pos = self.next_pos();
            let left = grant.server_expiry - now;
            let update = Update::Callback {
                pos,
                file,
                client,
                left,
                req,
            };
            self.append_logged(update, sync_every, ctx);
            if self.params.mutant == Some(Mutant::LoggedGrantAtTail) {
                let table = self.callbacks();
                table.remove_callback(file, client);
                table.add_callback(file, client, now + tail + margin, req);
            }
            let waiter = Waiter::Extend {
                client,
                grant: Extended::Callback {
                    file,
                    req,
                    lifetime: grant.client_lifetime,
                },
            };
            self.when_committed(pos.seq, waiter, ctx);
            grant.client_lifetime = tail;
        } else if granting && !replicated {
            self.callbacks()
                .add_callback(file, client, grant.server_expiry, req);
        }
        let write = self.volume.files[file.idx()].current.write;
        let msg = Msg::FetchOk {
            req,
            term,
            file,
            write,
            callback: if granting {
                grant.client_lifetime
            } else {
                Duration::ZERO
            },
        };
        if granting && replicated {
            let pos = self.next_pos();
            let left = grant.server_expiry - now;
            let update = Update::Callback {
                pos,
                file,
                client,
                left,
                req,
            };
            self.append(update, true, ctx);
            // The file stays free: a write that comes meanwhile breaks this callback (the
            // table has it already), and the client drops a grant a break overtook.
            self.reply_when_committed(pos.seq, client, msg, ctx);
        } else {
            ctx.send(self.to(client), msg);
        }
    }

    /// Grant or renew a lock if no other client's conflicts; the server keeps it the
    /// allowance longer than the client counts it.
    fn lock(&mut self, req: Req, file: FileNo, mode: LockMode, lock: LockId, ctx: &mut SCtx) {
        let client = lock.client;
        let now = ctx.now();
        let left = self.params.lock_lease + self.params.skew_allowance;
        let to = self.to(client);
        let leased = self.leased();
        let term = self.master.term;
        if !self.lease_valid(client, now) {
            // Renew the lease first: we would not protect a lock without it.
            let refused = Msg::Refused {
                req,
                why: Refusal::Recovering,
                asked: Asked::Lock,
                term: Some(term),
            };
            ctx.send(to, refused);
            return;
        }
        let (locks, leases) = self.locks_and_leases();
        let alive = |c: ClientNo| !leased || leases[c.idx()].is_some_and(|t| t > now);
        let allowed = locks.lock_allowed(file, lock, mode, now, alive);
        let replicated = self.replicated(true);
        if let (true, Some((_, sync_every))) = (allowed, self.logged(true)) {
            let pos = self.next_pos();
            let update = Update::Lock {
                pos,
                file,
                lock,
                mode,
                left,
            };
            self.append_logged(update, sync_every, ctx);
            let waiter = Waiter::Extend {
                client,
                grant: Extended::Lock {
                    file,
                    lock,
                    req,
                    lifetime: self.params.lock_lease,
                },
            };
            self.when_committed(pos.seq, waiter, ctx);
            ctx.send(to, Msg::LockOk { req, term });
        } else if !allowed {
            let refused = Msg::Refused {
                req,
                why: Refusal::LockConflict,
                asked: Asked::Lock,
                term: Some(term),
            };
            ctx.send(to, refused);
        } else if replicated {
            let pos = self.next_pos();
            let update = Update::Lock {
                pos,
                file,
                lock,
                mode,
                left,
            };
            self.append(update, true, ctx);
            let msg = Msg::LockOk { req, term };
            self.reply_when_committed(pos.seq, client, msg, ctx);
        } else {
            self.locks().set_lock(file, lock, mode, now + left);
            ctx.send(to, Msg::LockOk { req, term });
        }
    }

    /// Release a lock (a serving master that has synced).
    fn unlock(&mut self, file: FileNo, lock: LockId, ctx: &mut SCtx) {
        if let Some((_, sync_every)) = self.logged(true) {
            let pos = self.next_pos();
            self.append_logged(Update::Unlock { pos, file, lock }, sync_every, ctx);
        } else if self.replicated(true) {
            let pos = self.next_pos();
            self.append(Update::Unlock { pos, file, lock }, true, ctx);
        } else {
            self.locks().unlock(file, lock);
        }
    }

    /// Answer a grant once a majority holds it (the quorum strategy's rule).
    fn reply_when_committed(&mut self, seq: u32, client: ClientNo, msg: Msg, ctx: &mut SCtx) {
        if self.params.mutant == Some(Mutant::QuorumGrantsBeforeMajority) {
            ctx.send(self.to(client), msg);
        } else {
            self.when_committed(seq, Waiter::Reply { client, msg }, ctx);
        }
    }

    pub(super) fn store_ok(
        &self,
        req: Req,
        write: WriteId,
        place: Pos,
        durable: bool,
        callback: Duration,
    ) -> Msg {
        Msg::StoreOk {
            req,
            term: self.master.term,
            write,
            place,
            durable,
            callback,
        }
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn reply_store(
        &mut self,
        client: ClientNo,
        req: Req,
        write: WriteId,
        place: Pos,
        durable: bool,
        callback: Duration,
        ctx: &mut SCtx,
    ) {
        let msg = self.store_ok(req, write, place, durable, callback);
        ctx.send(self.to(client), msg);
    }
}
