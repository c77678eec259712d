//! The callbacks on one file, in the order they were first granted (breaks go out in
//! that order, and a snapshot lists them so). A short list is walked; a long one is
//! indexed by client, so that a fetch finds its client without walking it, and stays
//! indexed until a write clears it. Either kind knows the soonest expiry it may hold,
//! so that counting the holders drops what expired without walking the list when
//! nothing has.
//!
//! A popular file in a large cell has a holder in most clients (17,884 of
//! `bench-campus`'s 20,000 on its first file with lease timeout), and every fetch of it
//! counts them, drops the expired ones and looks its client up: on that run a fetch
//! found about 900 holders on its file, on average.

use super::Callback;
use crate::cell::ids::{ClientNo, Req};
use sim::{Instant, TraceHash};
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::hash::{BuildHasherDefault, Hash, Hasher};

/// Above this many holders a file's callbacks are indexed; below it a walk of the list
/// costs less than the index's upkeep.
const FEW: usize = 64;

/// The place of a holder removed from an indexed list, until the list is compacted (no
/// client has this number: a cell's clients and servers are numbered within a `u32`).
const HOLE: ClientNo = ClientNo(u32::MAX);

/// 32 bytes, as a file's entry in the table: two to a cache line.
#[derive(Clone, Debug)]
pub enum Holders {
    Few {
        list: Vec<Callback>,
        /// No callback in the list expires before this.
        soonest: Instant,
    },
    Many(Box<Indexed>),
}

/// A long list, indexed.
#[derive(Clone, Debug)]
pub struct Indexed {
    /// The callbacks in the order they were first granted, with holes where holders
    /// were removed.
    list: Vec<Callback>,
    /// No callback in the list expires before this.
    soonest: Instant,
    /// Each holder's place in the list. Only looked up, never walked, so the order of
    /// its hash does not matter.
    at: HashMap<ClientNo, u32, BuildHasherDefault<TraceHash>>,
    /// Every expiry given to a holder, soonest first. One that a holder's later
    /// renewal or removal replaced is stale and passed over when it comes up.
    expiries: BinaryHeap<Reverse<(Instant, ClientNo)>>,
    /// Holes in the list.
    holes: usize,
}

impl Default for Holders {
    fn default() -> Holders {
        Holders::Few {
            list: Vec::new(),
            soonest: Instant::MAX,
        }
    }
}

impl Holders {
    pub fn len(&self) -> usize {
        match self {
            Holders::Few { list, .. } => list.len(),
            Holders::Many(many) => many.at.len(),
        }
    }

    /// The callbacks in the order they were first granted.
    pub fn iter(&self) -> impl Iterator<Item = &Callback> {
        let list = match self {
            Holders::Few { list, .. } => list,
            Holders::Many(many) => &many.list,
        };
        list.iter().filter(|c| c.client != HOLE)
    }

    /// `client`'s callback, if it holds one (expired or not).
    pub fn get(&self, client: ClientNo) -> Option<&Callback> {
        match self {
            Holders::Few { list, .. } => list.iter().find(|c| c.client == client),
            Holders::Many(many) => many.at.get(&client).map(|&at| &many.list[at as usize]),
        }
    }

    /// Drop every callback that has expired by `now`.
    pub fn drop_expired(&mut self, now: Instant) {
        match self {
            Holders::Few { list, soonest } => {
                if now >= *soonest {
                    list.retain(|c| c.expiry > now);
                    *soonest = list.iter().map(|c| c.expiry).min().unwrap_or(Instant::MAX);
                }
            }
            Holders::Many(many) => many.drop_expired(now),
        }
    }

    /// Record (or extend) `client`'s callback until `expiry`, established by `since`: an
    /// extension keeps its place, a new holder goes last.
    pub fn add(&mut self, client: ClientNo, expiry: Instant, since: Req) {
        let (list, soonest) = match self {
            Holders::Few { list, soonest } => (list, soonest),
            Holders::Many(many) => return many.add(client, expiry, since),
        };
        match list.iter_mut().find(|c| c.client == client) {
            Some(c) => {
                c.expiry = c.expiry.max(expiry);
                c.since = c.since.max(since);
            }
            None => {
                *soonest = (*soonest).min(expiry);
                list.push(Callback {
                    client,
                    expiry,
                    since,
                });
            }
        }
        if list.len() > FEW {
            *self = Holders::Many(Box::new(Indexed::of(std::mem::take(list))));
        }
    }

    pub fn remove(&mut self, client: ClientNo) {
        match self {
            Holders::Few { list, .. } => list.retain(|c| c.client != client),
            Holders::Many(many) => many.remove(client),
        }
    }

    pub fn clear(&mut self) {
        match self {
            Holders::Few { list, soonest } => {
                list.clear();
                *soonest = Instant::MAX;
            }
            Holders::Many(_) => *self = Holders::default(),
        }
    }
}

impl Indexed {
    /// A list (without holes) indexed.
    fn of(list: Vec<Callback>) -> Indexed {
        let mut many = Indexed {
            list,
            soonest: Instant::MAX,
            at: HashMap::default(),
            expiries: BinaryHeap::new(),
            holes: 0,
        };
        many.reindex();
        many
    }

    fn drop_expired(&mut self, now: Instant) {
        if now < self.soonest {
            return;
        }
        while let Some(&Reverse((expiry, client))) = self.expiries.peek()
            && expiry <= now
        {
            self.expiries.pop();
            // Stale unless it is still the holder's expiry; a renewal only lengthens.
            if let Some(&at) = self.at.get(&client)
                && self.list[at as usize].expiry <= now
            {
                self.at.remove(&client);
                self.list[at as usize].client = HOLE;
                self.holes += 1;
            }
        }
        self.soonest = self.soonest_queued();
        self.tidy();
    }

    fn add(&mut self, client: ClientNo, expiry: Instant, since: Req) {
        match self.at.get(&client) {
            Some(&at) => {
                let c = &mut self.list[at as usize];
                c.since = c.since.max(since);
                if expiry > c.expiry {
                    c.expiry = expiry;
                    self.expiries.push(Reverse((expiry, client)));
                    self.tidy();
                }
            }
            None => {
                let at = u32::try_from(self.list.len()).expect("a list's places fit a u32");
                self.at.insert(client, at);
                self.expiries.push(Reverse((expiry, client)));
                self.soonest = self.soonest.min(expiry);
                self.list.push(Callback {
                    client,
                    expiry,
                    since,
                });
            }
        }
    }

    fn remove(&mut self, client: ClientNo) {
        if let Some(at) = self.at.remove(&client) {
            self.list[at as usize].client = HOLE;
            self.holes += 1;
            self.tidy();
        }
    }

    /// Keep the holes and stale expiries fewer than the holders (plus a little), so
    /// that each costs its upkeep once.
    fn tidy(&mut self) {
        let live = self.at.len();
        if self.holes > live + FEW || self.expiries.len() > 2 * live + FEW {
            self.list.retain(|c| c.client != HOLE);
            self.reindex();
        }
    }

    /// Index the list (which has no holes) afresh.
    fn reindex(&mut self) {
        self.at.clear();
        self.at
            .extend((0u32..).zip(&self.list).map(|(at, c)| (c.client, at)));
        self.expiries = self
            .list
            .iter()
            .map(|c| Reverse((c.expiry, c.client)))
            .collect();
        self.holes = 0;
        self.soonest = self.soonest_queued();
    }

    /// The soonest expiry queued (stale or not, it bounds the live ones).
    fn soonest_queued(&self) -> Instant {
        self.expiries.peek().map_or(Instant::MAX, |e| e.0.0)
    }
}

/// As the list of callbacks in order: the holes and the index follow from it.
impl Hash for Holders {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_usize(self.len());
        for c in self.iter() {
            c.hash(state);
        }
    }
}

impl PartialEq for Holders {
    fn eq(&self, other: &Holders) -> bool {
        self.iter().eq(other.iter())
    }
}

impl Eq for Holders {}

#[cfg(test)]
mod tests;
