//! The data path at the master, one file at a time: a write first breaks every other
//! callback on the file (waiting out a holder that does not answer until its callback
//! must have expired), then is applied, replicated and acknowledged per `durability`.
//! Fetches and writes that arrive meanwhile queue behind it.
//!
//! A replay (a write a previous master acknowledged but may not have made durable)
//! takes the place in the file's history that its first master gave it: it becomes the
//! file's content only if nothing that followed it is there already, and breaks
//! callbacks only then. A retry or replay of a write this master already holds is
//! answered as its first answer would have been (`held.rs`).

use super::SCtx;
use super::line::{Line, Queued};
use super::replica::Waiter;
use super::view::MasterView;
use crate::cell::client_node;
use crate::cell::ids::{ClientNo, FileNo, Pos, Req, WriteId};
use crate::cell::msg::{Msg, Timer};
use crate::cell::params::{ABANDONED_AFTER, BREAK_RETRY};
use crate::cell::volume::Update;
use crate::scenario::Durability;
use crate::strategy::Mutant;
use sim::{Duration, Instant, TimerId};

/// One file's place in line at the master.
#[derive(Default, Clone, Hash)]
pub struct FileSlot {
    busy: Option<Busy>,
    /// Requests waiting.
    line: Line,
}

#[derive(Clone, Hash)]
enum Busy {
    /// Waiting for these holders to acknowledge a callback break (or for their
    /// callbacks to run out, at `give_up`).
    Breaking {
        client: ClientNo,
        req: Req,
        write: WriteId,
        replay: Option<Pos>,
        holders: Vec<(ClientNo, Instant)>,
        retry: TimerId,
    },
    /// Waiting for an update to commit.
    Committing,
}

impl MasterView<'_> {
    /// Serve `queued` now if its file is free, else put it in line.
    pub(super) fn on_file(&mut self, file: FileNo, queued: Queued, ctx: &mut SCtx) {
        let slot = &mut self.master.files[file.idx()];
        if slot.busy.is_some() {
            slot.line.join(ctx.now(), queued);
            return;
        }
        match queued {
            Queued::Fetch { client, req } => self.grant_fetch(file, client, req, ctx),
            Queued::Store {
                client,
                req,
                write,
                replay,
            } => self.start_write(client, req, write, replay, ctx),
        }
    }

    /// The file is free again: serve whoever is next in line, passing over requests
    /// their clients stopped retrying (as an Rx server aborts a call whose client has
    /// gone quiet), so a file that fell behind never works through abandoned requests.
    pub(super) fn file_done(&mut self, file: FileNo, ctx: &mut SCtx) {
        self.master.files[file.idx()].busy = None;
        let now = ctx.now();
        while let Some((arrived, next)) = self.master.files[file.idx()].line.pop_front() {
            if now.saturating_since(arrived) > ABANDONED_AFTER {
                continue;
            }
            self.on_file(file, next, ctx);
            if self.master.files[file.idx()].busy.is_some() {
                break;
            }
        }
    }

    fn start_write(
        &mut self,
        client: ClientNo,
        req: Req,
        write: WriteId,
        replay: Option<Pos>,
        ctx: &mut SCtx,
    ) {
        if self.volume.has(write) {
            self.answer_held_write(client, req, write, replay.is_some(), ctx);
            return;
        }
        if self.acks_from_memory_unleased(ctx.now()) {
            return;
        }
        // The mutant applies a replay as a new write, wherever it belongs.
        let replay = replay.filter(|_| self.params.mutant != Some(Mutant::ReplayTakesNewPlace));
        // A replay that something newer followed is recorded, not made the content: no
        // holder needs to drop its copy.
        let leads = replay.is_none_or(|place| self.volume.would_lead(write.file, place));
        let now = ctx.now();
        let file = write.file;
        // A fresh write spares its writer's callback if established before the write was
        // sent; the mutant spares it always, as AFS does for the writer.
        let writer = match (replay, self.params.mutant) {
            (Some(_), _) => None,
            (None, Some(Mutant::WriterCallbackKept)) => Some((client, Req::MAX)),
            (None, _) => Some((client, req)),
        };
        let mut holders = if leads {
            self.callbacks().to_break(file, writer, now)
        } else {
            Vec::new()
        };
        self.limit_give_up(&mut holders, now);
        if holders.is_empty() {
            self.apply_write(client, req, (write, replay), ctx);
            return;
        }
        for &(holder, _) in &holders {
            ctx.send(self.to(holder), Msg::CallbackBreak { file, write });
        }
        let retry = ctx.set_timer(BREAK_RETRY, Timer::BreakRetry { file });
        self.master.files[file.idx()].busy = Some(Busy::Breaking {
            client,
            req,
            write,
            replay,
            holders,
            retry,
        });
    }

    /// How long a write waits for each holder: until its callback must have expired, but
    /// no longer than its lease here (client-lease strategies) or the strategy's dead
    /// time (OpenAFS).
    fn limit_give_up(&self, holders: &mut [(ClientNo, Instant)], now: Instant) {
        let dead = self.params.strategy.break_give_up().map(|d| now + d);
        let leased = self.leased();
        let m = &self.master;
        for (client, give_up) in holders.iter_mut() {
            if let Some(d) = dead {
                *give_up = (*give_up).min(d);
            }
            if leased {
                let lease = m.leases[client.idx()].unwrap_or(now);
                *give_up = (*give_up).min(lease);
            }
        }
    }

    /// The callback breaks to `client` still unacknowledged: (file, write).
    pub(super) fn breaks_pending_for(&self, client: ClientNo) -> Vec<(FileNo, WriteId)> {
        self.master
            .files
            .iter()
            .enumerate()
            .filter_map(|(file, slot)| match &slot.busy {
                Some(Busy::Breaking { holders, write, .. })
                    if holders.iter().any(|&(c, _)| c == client) =>
                {
                    Some((FileNo::from_idx(file), *write))
                }
                _ => None,
            })
            .collect()
    }

    pub(super) fn on_break_ack(
        &mut self,
        client: ClientNo,
        file: FileNo,
        write: WriteId,
        ctx: &mut SCtx,
    ) {
        // Only an ack of the break in progress counts: an older one (duplicated, or
        // late) may arrive after the client fetched again under a new callback.
        let Some(Busy::Breaking {
            holders,
            write: breaking,
            ..
        }) = &mut self.master.files[file.idx()].busy
        else {
            return;
        };
        if *breaking != write {
            return;
        }
        holders.retain(|&(c, _)| c != client);
        self.callbacks().remove_callback(file, client);
        self.maybe_apply(file, ctx);
    }

    /// Re-send breaks to holders that have not answered; give up on those whose
    /// callbacks must have expired.
    pub(super) fn retry_breaks(&mut self, file: FileNo, ctx: &mut SCtx) {
        let now = ctx.now();
        let servers = self.params.servers;
        let m = &mut self.master;
        let Some(Busy::Breaking {
            holders,
            retry,
            write,
            ..
        }) = &mut m.files[file.idx()].busy
        else {
            return;
        };
        let mut gave_up: Vec<ClientNo> = Vec::new();
        holders.retain(|&(c, give_up)| {
            let waiting = give_up > now;
            if !waiting {
                gave_up.push(c);
            }
            waiting
        });
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
        // A holder given up on before its callback ran out is delayed: it is reset at
        // its next contact (a holder whose lease ran out is reset when it renews).
        if self.params.strategy.break_give_up().is_some() {
            for c in gave_up {
                m.reset_pending[c.idx()] = true;
                m.grants.remove_client_callbacks(c);
            }
        }
        self.maybe_apply(file, ctx);
    }

    fn maybe_apply(&mut self, file: FileNo, ctx: &mut SCtx) {
        let slot = &mut self.master.files[file.idx()];
        let ready =
            matches!(&slot.busy, Some(Busy::Breaking { holders, .. }) if holders.is_empty());
        if !ready {
            return;
        }
        let Some(Busy::Breaking {
            client,
            req,
            write,
            replay,
            retry,
            ..
        }) = slot.busy.take()
        else {
            unreachable!("checked above")
        };
        ctx.cancel_timer(retry);
        if self.acks_from_memory_unleased(ctx.now()) {
            // The writer retries, to whichever master serves by then.
            self.file_done(file, ctx);
            return;
        }
        self.apply_write(client, req, (write, replay), ctx);
    }

    /// Every other callback is gone: apply the write (at its own place, or a replay's),
    /// replicate it, answer per `durability`, and give a fresh write's writer a callback.
    fn apply_write(
        &mut self,
        client: ClientNo,
        req: Req,
        (write, replay): (WriteId, Option<Pos>),
        ctx: &mut SCtx,
    ) {
        let now = ctx.now();
        let file = write.file;
        // A writer's callback rides in its write's update where grants are replicated or
        // logged: a new master then knows it.
        let quorum_grants = self.replicated(false) || self.logged(false).is_some();
        let durable_now = self.params.durability == Durability::Quorum;
        let pos = self.next_pos();
        let place = replay.unwrap_or(pos);
        let leads = self.volume.would_lead(file, place);
        let holders = self.callbacks().holders(file, now);
        let grant = self
            .params
            .callback
            .grant(now, holders, self.params.callback_margin());
        // A replica holds a replicated grant only once it commits: an async write is
        // answered before that, so it comes without a callback; so does a replay, and so
        // does a write of a client whose lease is not valid here (we would not protect it).
        let lease_valid = self.lease_valid(client, now) && !self.resetting(client);
        let callback =
            (replay.is_none() && (durable_now || !quorum_grants) && lease_valid).then_some(grant);
        let update = Update::Write {
            pos,
            write,
            place,
            callback: callback
                .filter(|_| quorum_grants)
                .map(|g| (g.server_expiry - now, req)),
        };
        self.append(update, false, ctx);
        if !quorum_grants && leads {
            let table = self.callbacks();
            table.clear_callbacks(file);
            if let Some(g) = callback {
                table.add_callback(file, client, g.server_expiry, req);
            }
        }
        let lifetime = callback.map_or(Duration::ZERO, |g| g.client_lifetime);
        if durable_now {
            let msg = self.store_ok(req, write, place, true, lifetime);
            self.when_committed(pos.seq, Waiter::Reply { client, msg }, ctx);
            self.busy_until_committed(file, pos.seq, ctx);
        } else {
            self.reply_store(client, req, write, place, false, lifetime, ctx);
            self.when_committed(pos.seq, Waiter::Durable { client, write }, ctx);
            self.file_done(file, ctx);
        }
    }

    /// Hold the file until `seq` commits, so nobody reads what may still be lost.
    pub(super) fn busy_until_committed(&mut self, file: FileNo, seq: u32, ctx: &mut SCtx) {
        self.master.files[file.idx()].busy = Some(Busy::Committing);
        self.when_committed(seq, Waiter::FileDone(file), ctx);
    }
}
