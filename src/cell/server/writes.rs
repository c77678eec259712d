//! The data path at the master, one file at a time: a write first breaks every other
//! callback on the file (waiting out a holder that does not answer until its callback
//! must have expired), then is applied, replicated and acknowledged per `durability`.
//! Fetches and writes that arrive meanwhile queue behind it.

use super::replica::Waiter;
use super::{SCtx, Server, ServerVol};
use crate::cell::client_node;
use crate::cell::msg::{Asked, ClientNo, FileNo, Msg, Refusal, Req, Timer, WriteId};
use crate::cell::params::BREAK_RETRY;
use crate::cell::volume::Update;
use crate::scenario::Durability;
use crate::strategy;
use sim::{Duration, Instant, TimerId};
use std::collections::VecDeque;

/// A request waiting for its file.
pub enum Queued {
    Fetch {
        client: ClientNo,
        req: Req,
    },
    Store {
        client: ClientNo,
        req: Req,
        write: WriteId,
        replay: bool,
    },
}

/// One file's place in line at the master.
#[derive(Default)]
pub struct FileSlot {
    busy: Option<Busy>,
    queue: VecDeque<Queued>,
}

enum Busy {
    /// Waiting for these holders to acknowledge a callback break (or for their
    /// callbacks to run out, at `give_up`).
    Breaking {
        client: ClientNo,
        req: Req,
        write: WriteId,
        holders: Vec<(ClientNo, Instant)>,
        retry: TimerId,
    },
    /// Waiting for an update to commit.
    Committing,
}

impl Server {
    /// Serve `queued` now if its file is free, else put it in line.
    pub(super) fn on_file(
        &mut self,
        vol: &mut ServerVol,
        file: FileNo,
        queued: Queued,
        ctx: &mut SCtx,
    ) {
        let m = vol.master.as_mut().expect("master");
        let slot = &mut m.files[file as usize];
        if slot.busy.is_some() {
            slot.queue.push_back(queued);
            return;
        }
        match queued {
            Queued::Fetch { client, req } => self.grant_fetch(vol, file, client, req, ctx),
            Queued::Store {
                client,
                req,
                write,
                replay,
            } => self.start_write(vol, client, req, write, replay, ctx),
        }
    }

    /// The file is free again: serve whoever is next in line.
    pub(super) fn file_done(&mut self, vol: &mut ServerVol, file: FileNo, ctx: &mut SCtx) {
        let Some(m) = vol.master.as_mut() else { return };
        let slot = &mut m.files[file as usize];
        slot.busy = None;
        while let Some(next) = vol
            .master
            .as_mut()
            .and_then(|m| m.files[file as usize].queue.pop_front())
        {
            self.on_file(vol, file, next, ctx);
            let busy = vol
                .master
                .as_ref()
                .is_some_and(|m| m.files[file as usize].busy.is_some());
            if busy {
                break;
            }
        }
    }

    fn start_write(
        &mut self,
        vol: &mut ServerVol,
        client: ClientNo,
        req: Req,
        write: WriteId,
        replay: bool,
        ctx: &mut SCtx,
    ) {
        if self.volume.has(write) {
            // A retry or replay of a write we already hold: answer, do not apply twice.
            let pos = match self.volume.position_of(write) {
                Some(pos) => pos,
                // A replay is told only whether it is durable: the whole history so far
                // bounds where it went.
                None if replay => self.volume.version,
                // Where it went is forgotten: refuse until the client gives the write up.
                None => {
                    let m = vol.master.as_ref().expect("master");
                    let msg = Msg::Refused {
                        req,
                        why: Refusal::Recovering,
                        term: Some(m.term),
                        asked: Asked::Store,
                    };
                    ctx.send(client_node(client, self.params.servers), msg);
                    return;
                }
            };
            let durable = vol
                .master
                .as_ref()
                .is_some_and(|m| m.repl_committed(pos.seq));
            self.reply_store(vol, client, req, write, pos, durable, Duration::ZERO, ctx);
            return;
        }
        let now = ctx.now();
        let skew = self.params.skew_allowance;
        let file = write.file;
        let mut master = vol.master.take().expect("master");
        let holders: Vec<(ClientNo, Instant)> = self
            .grants(&mut master)
            .others(file, client, now)
            .into_iter()
            .map(|(c, expiry)| (c, expiry + skew))
            .collect();
        vol.master = Some(master);
        if holders.is_empty() {
            self.apply_write(vol, client, req, write, ctx);
            return;
        }
        for &(holder, _) in &holders {
            ctx.send(
                client_node(holder, self.params.servers),
                Msg::CallbackBreak { file, write },
            );
        }
        let retry = ctx.set_timer(BREAK_RETRY, Timer::BreakRetry { file });
        let m = vol.master.as_mut().expect("master");
        m.files[file as usize].busy = Some(Busy::Breaking {
            client,
            req,
            write,
            holders,
            retry,
        });
    }

    pub(super) fn on_break_ack(
        &mut self,
        vol: &mut ServerVol,
        client: ClientNo,
        file: FileNo,
        write: WriteId,
        ctx: &mut SCtx,
    ) {
        // Only an ack of the break in progress counts: an older one (duplicated, or
        // late) may arrive after the client fetched again under a new callback.
        let Some(m) = vol.master.as_mut() else { return };
        let Some(Busy::Breaking {
            holders,
            write: breaking,
            ..
        }) = &mut m.files[file as usize].busy
        else {
            return;
        };
        if *breaking != write {
            return;
        }
        holders.retain(|&(c, _)| c != client);
        let mut master = vol.master.take().expect("master");
        self.grants(&mut master).remove_callback(file, client);
        vol.master = Some(master);
        self.maybe_apply(vol, file, ctx);
    }

    /// Re-send breaks to holders that have not answered; give up on those whose
    /// callbacks must have expired.
    pub(super) fn retry_breaks(&mut self, vol: &mut ServerVol, file: FileNo, ctx: &mut SCtx) {
        let now = ctx.now();
        let servers = self.params.servers;
        let Some(m) = vol.master.as_mut() else { return };
        let Some(Busy::Breaking {
            holders,
            retry,
            write,
            ..
        }) = &mut m.files[file as usize].busy
        else {
            return;
        };
        holders.retain(|&(_, give_up)| give_up > now);
        for &(holder, _) in holders.iter() {
            let msg = Msg::CallbackBreak {
                file,
                write: *write,
            };
            ctx.send(client_node(holder, servers), msg);
        }
        if !holders.is_empty() {
            let next = holders.iter().map(|&(_, g)| g).min().expect("non-empty");
            let wait = BREAK_RETRY.min(next.saturating_since(now));
            *retry = ctx.set_timer(wait, Timer::BreakRetry { file });
        }
        self.maybe_apply(vol, file, ctx);
    }

    fn maybe_apply(&mut self, vol: &mut ServerVol, file: FileNo, ctx: &mut SCtx) {
        let Some(m) = vol.master.as_mut() else { return };
        let slot = &mut m.files[file as usize];
        let ready =
            matches!(&slot.busy, Some(Busy::Breaking { holders, .. }) if holders.is_empty());
        if !ready {
            return;
        }
        let Some(Busy::Breaking {
            client,
            req,
            write,
            retry,
            ..
        }) = slot.busy.take()
        else {
            unreachable!("checked above")
        };
        ctx.cancel_timer(retry);
        self.apply_write(vol, client, req, write, ctx);
    }

    /// Every other callback is gone: apply the write, replicate it, answer per
    /// `durability`, and give the writer a callback of its own.
    fn apply_write(
        &mut self,
        vol: &mut ServerVol,
        client: ClientNo,
        req: Req,
        write: WriteId,
        ctx: &mut SCtx,
    ) {
        let now = ctx.now();
        let file = write.file;
        let quorum_grants = strategy::replicates_grants(self.recovery());
        let durable_now = self.params.durability == Durability::Quorum;
        let pos = self.next_pos(vol);
        let mut master = vol.master.take().expect("master");
        let holders = self.grants(&mut master).holders(file, now);
        let grant = self.params.callback.grant(now, holders);
        vol.master = Some(master);
        // A replicated grant must commit before it counts: an async write is answered
        // before that, so it comes without a callback.
        let callback = if quorum_grants && !durable_now {
            None
        } else {
            Some(grant)
        };
        let update = Update::Write {
            pos,
            write,
            callback: callback
                .filter(|_| quorum_grants)
                .map(|g| g.server_expiry - now),
        };
        self.append(vol, update, false, ctx);
        let mut master = vol.master.take().expect("master");
        if let Some(g) = callback.filter(|_| !quorum_grants) {
            let grants = self.grants(&mut master);
            grants.keep_only_callback(file, client);
            grants.add_callback(file, client, g.server_expiry);
        }
        vol.master = Some(master);
        let lifetime = callback.map_or(Duration::ZERO, |g| g.client_lifetime);
        if durable_now {
            let msg = self.store_ok(vol, req, write, pos, true, lifetime);
            self.when_committed(vol, pos.seq, Waiter::Reply { client, msg }, ctx);
            self.busy_until_committed(vol, file, pos.seq, ctx);
        } else {
            self.reply_store(vol, client, req, write, pos, false, lifetime, ctx);
            self.when_committed(vol, pos.seq, Waiter::Durable { client, write }, ctx);
            self.file_done(vol, file, ctx);
        }
    }

    /// Hold the file until `seq` commits, so nobody reads what may still be lost.
    pub(super) fn busy_until_committed(
        &mut self,
        vol: &mut ServerVol,
        file: FileNo,
        seq: u64,
        ctx: &mut SCtx,
    ) {
        let m = vol.master.as_mut().expect("master");
        m.files[file as usize].busy = Some(Busy::Committing);
        self.when_committed(vol, seq, Waiter::FileDone(file), ctx);
    }
}
