//! The grant table: which clients hold callbacks and locks on which files, until when.
//!
//! Expiries are instants on the clock of the server that holds the table. A table moves
//! between servers (Ubik sync, quorum replication) as a [`GrantsSnapshot`] of remaining
//! lifetimes, which the receiver adds to its own clock on arrival: latency only makes a
//! receiver's idea of a grant longer, never shorter.
//!
//! Every grant lives on two clocks: the client counts what it was told from when it sent
//! its request, the server keeps the grant at least `clock_skew_allowance_s` longer on
//! its own clock, so a clock off by less than the allowance never lets a write skip a
//! holder or a lock go to a second client.

use super::ids::{ClientNo, FileNo, LockId, LockMode, Req};
use holders::Holders;
use sim::{Duration, Instant};

mod holders;

/// How long callbacks live.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum CallbackRule {
    /// Every callback the same length.
    Fixed(Duration),
    /// The OpenAFS rule: by holders already on the file, a 180 s server bias, expiry
    /// rounded up to a multiple of 128 s.
    Afs,
}

/// OpenAFS `CBTimeout`: the lifetime by the number of holders already on the file.
const AFS_LIFETIMES_S: [(usize, u64); 6] = [
    (8, 4 * 3600),
    (16, 3600),
    (24, 30 * 60),
    (40, 15 * 60),
    (64, 10 * 60),
    (usize::MAX, 7 * 60),
];
/// The server's extra margin beyond what the client is told (`ServerBias`): the AFS
/// rule's clock-skew allowance, widened to the scenario's where that is longer.
pub const AFS_BIAS: Duration = Duration::from_secs(180);
/// Expiries are rounded up to this granularity (`CBTimeout` buckets).
const AFS_ROUND_S: u64 = 128;

/// A granted callback: the server's expiry, and the lifetime the client is told.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Grant {
    pub server_expiry: Instant,
    pub client_lifetime: Duration,
}

impl CallbackRule {
    /// The callback granted at server-local `now` to a file with `holders` holders; the
    /// server keeps it `allowance` longer than the client is told (AFS: its bias).
    pub fn grant(&self, now: Instant, holders: usize, allowance: Duration) -> Grant {
        match *self {
            CallbackRule::Fixed(d) => Grant {
                server_expiry: now + d + allowance,
                client_lifetime: d,
            },
            CallbackRule::Afs => {
                // The fileserver works in whole seconds of its clock (`time(NULL)`).
                let now_s = now.as_micros() / 1_000_000;
                let lifetime_s = AFS_LIFETIMES_S
                    .iter()
                    .find(|(below, _)| holders < *below)
                    .map(|&(_, s)| s)
                    .expect("the last bucket has no bound");
                let bias_s = AFS_BIAS.max(allowance).as_micros().div_ceil(1_000_000);
                let expiry_s = (now_s + lifetime_s + bias_s).div_ceil(AFS_ROUND_S) * AFS_ROUND_S;
                Grant {
                    server_expiry: Instant::from_secs(expiry_s),
                    client_lifetime: Duration::from_secs(expiry_s - bias_s - now_s),
                }
            }
        }
    }

    /// The longest lifetime any client can be told.
    pub fn longest_client_lifetime(&self) -> Duration {
        match *self {
            CallbackRule::Fixed(d) => d,
            CallbackRule::Afs => Duration::from_secs(4 * 3600 + AFS_ROUND_S - 1),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Callback {
    client: ClientNo,
    expiry: Instant,
    /// The client's request that established it (the latest, if renewed): a write that
    /// client sent before it does not supersede it.
    since: Req,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct HeldLock {
    pub client: ClientNo,
    pub mode: LockMode,
    pub expiry: Instant,
    pub id: LockId,
}

/// Callbacks and locks by file.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Grants {
    callbacks: Vec<Holders>,
    locks: Vec<Vec<HeldLock>>,
}

/// A grant table in transit: lifetimes left instead of expiries.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct GrantsSnapshot {
    callbacks: Vec<(FileNo, ClientNo, Duration, Req)>,
    locks: Vec<(FileNo, LockMode, Duration, LockId)>,
}

impl Grants {
    pub fn new(files: u32) -> Grants {
        Grants {
            callbacks: vec![Holders::default(); files as usize],
            locks: vec![Vec::new(); files as usize],
        }
    }

    /// Hint: ask for `file`'s callbacks (see `sim::Node::warm`).
    #[inline(always)]
    pub fn warm_callbacks(&self, file: FileNo) {
        sim::prefetch_item(&self.callbacks, file.idx());
    }

    /// Hint: ask for `file`'s locks (see `sim::Node::warm`).
    #[inline(always)]
    pub fn warm_locks(&self, file: FileNo) {
        sim::prefetch_item(&self.locks, file.idx());
    }

    /// Holders of unexpired callbacks on `file`, after dropping expired ones.
    pub fn holders(&mut self, file: FileNo, now: Instant) -> usize {
        let list = &mut self.callbacks[file.idx()];
        list.drop_expired(now);
        list.len()
    }

    /// Record (or extend) `client`'s callback on `file`, established by its request
    /// `since`.
    pub fn add_callback(&mut self, file: FileNo, client: ClientNo, expiry: Instant, since: Req) {
        self.callbacks[file.idx()].add(client, expiry, since);
    }

    /// A write replaced the file: every callback on it was broken or has expired.
    pub fn clear_callbacks(&mut self, file: FileNo) {
        self.callbacks[file.idx()].clear();
    }

    pub fn remove_callback(&mut self, file: FileNo, client: ClientNo) {
        self.callbacks[file.idx()].remove(client);
    }

    /// How many clients other than `except` hold unexpired callbacks on `file`.
    pub fn count_others(&mut self, file: FileNo, except: ClientNo, now: Instant) -> usize {
        let holders = self.holders(file, now);
        holders - usize::from(self.callbacks[file.idx()].get(except).is_some())
    }

    /// The unexpired callbacks on `file` a write must break before it takes effect:
    /// (client, expiry). A writer's own callback is spared only if established before
    /// its write was sent (`writer`: the client and its write's request): the writer
    /// caches its own write, but a fetch it sent after giving up on the write may have
    /// overtaken it. A replay (`writer` `None`) spares nobody.
    pub fn to_break(
        &mut self,
        file: FileNo,
        writer: Option<(ClientNo, Req)>,
        now: Instant,
    ) -> Vec<(ClientNo, Instant)> {
        self.holders(file, now);
        let spared = |c: &Callback| writer.is_some_and(|(w, req)| c.client == w && c.since <= req);
        self.callbacks[file.idx()]
            .iter()
            .filter(|c| !spared(c))
            .map(|c| (c.client, c.expiry))
            .collect()
    }

    /// Unexpired locks on `file`.
    pub fn locks(&mut self, file: FileNo, now: Instant) -> &[HeldLock] {
        let list = &mut self.locks[file.idx()];
        list.retain(|l| l.expiry > now);
        list
    }

    /// Whether lock `id` may be taken (or renewed) in `mode` on `file` now: no other
    /// client's lock conflicts, and its client holds no newer lock there (a request that
    /// arrives late, from an attempt its client gave up, must not replace a newer lock).
    /// Locks of clients that are not `alive` (their lease ran out) conflict with nothing.
    pub fn lock_allowed(
        &mut self,
        file: FileNo,
        id: LockId,
        mode: LockMode,
        now: Instant,
        alive: impl Fn(ClientNo) -> bool,
    ) -> bool {
        self.locks(file, now).iter().all(|l| {
            if l.client == id.client {
                l.id.seq <= id.seq
            } else {
                !alive(l.client) || (mode == LockMode::Shared && l.mode == LockMode::Shared)
            }
        })
    }

    /// Whether `client`'s callback on `file` is still the one request `since` obtained.
    pub fn has_callback(&self, file: FileNo, client: ClientNo, since: Req) -> bool {
        self.callbacks[file.idx()]
            .get(client)
            .is_some_and(|c| c.since == since)
    }

    /// The lock `id` on `file`, if its client still holds it.
    pub fn held_lock(&self, file: FileNo, id: LockId) -> Option<&HeldLock> {
        self.locks[file.idx()].iter().find(|l| l.id == id)
    }

    /// Forget every callback `client` holds (it dropped them all).
    pub fn remove_client_callbacks(&mut self, client: ClientNo) {
        for list in &mut self.callbacks {
            list.remove(client);
        }
    }

    /// Forget every lock `client` holds (its lease ran out).
    pub fn remove_client_locks(&mut self, client: ClientNo) {
        for list in &mut self.locks {
            list.retain(|l| l.client != client);
        }
    }

    /// Whether `client` holds an unexpired lock on `file`.
    pub fn holds_lock(&mut self, file: FileNo, client: ClientNo, now: Instant) -> bool {
        self.locks(file, now).iter().any(|l| l.client == client)
    }

    /// Record `id` on `file` until `expiry`, replacing any earlier lock of its client.
    pub fn set_lock(&mut self, file: FileNo, id: LockId, mode: LockMode, expiry: Instant) {
        let list = &mut self.locks[file.idx()];
        list.retain(|l| l.client != id.client);
        list.push(HeldLock {
            client: id.client,
            mode,
            expiry,
            id,
        });
    }

    /// Release lock `id` if it is still the one its client holds on `file`.
    pub fn unlock(&mut self, file: FileNo, id: LockId) {
        self.locks[file.idx()].retain(|l| l.id != id);
    }

    /// The table with expiries turned into lifetimes left at `now`.
    pub fn snapshot(&self, now: Instant) -> GrantsSnapshot {
        let mut snap = GrantsSnapshot::default();
        for (file, list) in self.callbacks.iter().enumerate() {
            for c in list.iter().filter(|c| c.expiry > now) {
                snap.callbacks
                    .push((FileNo::from_idx(file), c.client, c.expiry - now, c.since));
            }
        }
        for (file, list) in self.locks.iter().enumerate() {
            for l in list.iter().filter(|l| l.expiry > now) {
                snap.locks
                    .push((FileNo::from_idx(file), l.mode, l.expiry - now, l.id));
            }
        }
        snap
    }

    /// Rebuild a table from a snapshot received at `now`.
    pub fn restore(files: u32, snap: &GrantsSnapshot, now: Instant) -> Grants {
        let mut grants = Grants::new(files);
        for &(file, client, left, since) in &snap.callbacks {
            grants.add_callback(file, client, now + left, since);
        }
        for &(file, mode, left, id) in &snap.locks {
            grants.set_lock(file, id, mode, now + left);
        }
        grants
    }
}

#[cfg(test)]
mod tests;
