//! The callbacks on one file, in the order they were first granted (breaks go out in
//! that order, and a snapshot lists them so). A short list is walked; a long one is
//! indexed by client and by expiry, so that a fetch finds its client and drops what
//! expired without walking it, and stays indexed until a write clears it.
//!
//! A popular file in a large cell has a holder in most clients (17,884 of
//! `bench-campus`'s 20,000 on its first file with lease timeout), and every fetch of it
//! counts them, drops the expired ones and looks its client up.

use super::Callback;
use crate::cell::ids::{ClientNo, Req};
use sim::Instant;
use std::collections::{BTreeMap, BTreeSet};
use std::hash::{Hash, Hasher};

/// Above this many holders a file's callbacks are indexed; below it a walk of the list
/// costs less than the indexes' upkeep (on `bench-1k-clients-24h`, whose popular files
/// have a few hundred holders, indexing every list took 1.14× the time, and every list
/// above 256 holders 1.03×).
const FEW: usize = 1024;

#[derive(Clone, Debug)]
pub enum Holders {
    Few(Vec<Callback>),
    Many(Box<Indexed>),
}

impl Default for Holders {
    fn default() -> Holders {
        Holders::Few(Vec::new())
    }
}

impl Holders {
    pub fn len(&self) -> usize {
        match self {
            Holders::Few(list) => list.len(),
            Holders::Many(many) => many.by_grant.len(),
        }
    }

    /// The callbacks in the order they were first granted.
    pub fn iter(&self) -> impl Iterator<Item = &Callback> {
        let (few, many) = match self {
            Holders::Few(list) => (Some(list.iter()), None),
            Holders::Many(many) => (None, Some(many.by_grant.values())),
        };
        few.into_iter().flatten().chain(many.into_iter().flatten())
    }

    /// `client`'s callback, if it holds one (expired or not).
    pub fn get(&self, client: ClientNo) -> Option<&Callback> {
        match self {
            Holders::Few(list) => list.iter().find(|c| c.client == client),
            Holders::Many(many) => many.by_client.get(&client).map(|n| &many.by_grant[n]),
        }
    }

    /// Drop every callback that has expired by `now`.
    pub fn drop_expired(&mut self, now: Instant) {
        match self {
            Holders::Few(list) => list.retain(|c| c.expiry > now),
            Holders::Many(many) => many.drop_expired(now),
        }
    }

    /// Record (or extend) `client`'s callback until `expiry`, established by `since`: an
    /// extension keeps its place, a new holder goes last.
    pub fn add(&mut self, client: ClientNo, expiry: Instant, since: Req) {
        let list = match self {
            Holders::Few(list) => list,
            Holders::Many(many) => return many.add(client, expiry, since),
        };
        match list.iter_mut().find(|c| c.client == client) {
            Some(c) => {
                c.expiry = c.expiry.max(expiry);
                c.since = c.since.max(since);
            }
            None => list.push(Callback {
                client,
                expiry,
                since,
            }),
        }
        if list.len() > FEW {
            let mut many = Box::<Indexed>::default();
            for c in list.drain(..) {
                many.add(c.client, c.expiry, c.since);
            }
            *self = Holders::Many(many);
        }
    }

    pub fn remove(&mut self, client: ClientNo) {
        match self {
            Holders::Few(list) => list.retain(|c| c.client != client),
            Holders::Many(many) => many.remove(client),
        }
    }

    pub fn clear(&mut self) {
        match self {
            Holders::Few(list) => list.clear(),
            Holders::Many(_) => *self = Holders::default(),
        }
    }
}

/// A long list, indexed.
#[derive(Clone, Debug, Default)]
pub struct Indexed {
    /// Each callback under the number of its first grant (the list's order).
    by_grant: BTreeMap<u64, Callback>,
    /// The number each holder's callback is filed under.
    by_client: BTreeMap<ClientNo, u64>,
    /// (expiry, number) of each callback, soonest first.
    by_expiry: BTreeSet<(Instant, u64)>,
    /// The number the next new holder gets.
    next: u64,
}

impl Indexed {
    fn drop_expired(&mut self, now: Instant) {
        while let Some(&(expiry, n)) = self.by_expiry.first()
            && expiry <= now
        {
            self.by_expiry.pop_first();
            let c = self
                .by_grant
                .remove(&n)
                .expect("an expiry has its callback");
            self.by_client.remove(&c.client);
        }
    }

    fn add(&mut self, client: ClientNo, expiry: Instant, since: Req) {
        match self.by_client.get(&client) {
            Some(&n) => {
                let c = self
                    .by_grant
                    .get_mut(&n)
                    .expect("a holder has its callback");
                if expiry > c.expiry {
                    self.by_expiry.remove(&(c.expiry, n));
                    self.by_expiry.insert((expiry, n));
                    c.expiry = expiry;
                }
                c.since = c.since.max(since);
            }
            None => {
                let n = self.next;
                self.next += 1;
                self.by_grant.insert(
                    n,
                    Callback {
                        client,
                        expiry,
                        since,
                    },
                );
                self.by_client.insert(client, n);
                self.by_expiry.insert((expiry, n));
            }
        }
    }

    fn remove(&mut self, client: ClientNo) {
        if let Some(n) = self.by_client.remove(&client) {
            let c = self.by_grant.remove(&n).expect("a holder has its callback");
            self.by_expiry.remove(&(c.expiry, n));
        }
    }
}

/// As the list of callbacks in order: the numbers and the indexes follow from it.
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
mod tests {
    use super::*;
    use sim::TraceHash;

    /// The list these replace, as `Grants` kept it.
    #[derive(Default)]
    struct List(Vec<Callback>);

    impl List {
        fn drop_expired(&mut self, now: Instant) {
            self.0.retain(|c| c.expiry > now);
        }

        fn add(&mut self, client: ClientNo, expiry: Instant, since: Req) {
            match self.0.iter_mut().find(|c| c.client == client) {
                Some(c) => {
                    c.expiry = c.expiry.max(expiry);
                    c.since = c.since.max(since);
                }
                None => self.0.push(Callback {
                    client,
                    expiry,
                    since,
                }),
            }
        }

        fn remove(&mut self, client: ClientNo) {
            self.0.retain(|c| c.client != client);
        }
    }

    /// The two agree: order, length, hash, every holder's lookup.
    fn same(holders: &Holders, list: &List) {
        assert!(holders.iter().eq(list.0.iter()));
        assert_eq!(holders.len(), list.0.len());
        assert_eq!(TraceHash::of(holders), TraceHash::of(&list.0));
        for c in &list.0 {
            assert_eq!(holders.get(c.client), Some(c));
        }
    }

    #[test]
    fn behaves_and_hashes_like_the_list_short_or_indexed() {
        let at = Instant::from_secs;
        // Grants, a renewal that extends and one that would shorten (kept), expiries
        // that drop holders from the front and the middle, a holder that returns after
        // expiring (last again), removals, and equal expiries.
        let steps: [(&str, u32, u64, u32); 16] = [
            ("add", 1, 10, 1),
            ("add", 2, 30, 1),
            ("add", 3, 20, 1),
            ("add", 4, 20, 1),
            ("add", 1, 40, 2),
            ("add", 2, 25, 3),
            ("drop", 0, 20, 0),
            ("add", 3, 50, 4),
            ("add", 5, 35, 1),
            ("remove", 2, 0, 0),
            ("remove", 9, 0, 0),
            ("drop", 0, 38, 0),
            ("add", 5, 60, 2),
            ("add", 6, 60, 1),
            ("add", 7, 45, 1),
            ("drop", 0, 45, 0),
        ];
        for start in [Holders::default(), Holders::Many(Box::default())] {
            let mut holders = start;
            let mut list = List::default();
            for (what, client, time, since) in steps {
                let client = ClientNo(client);
                match what {
                    "add" => {
                        holders.add(client, at(time), Req(since));
                        list.add(client, at(time), Req(since));
                    }
                    "drop" => {
                        holders.drop_expired(at(time));
                        list.drop_expired(at(time));
                    }
                    _ => {
                        holders.remove(client);
                        list.remove(client);
                    }
                }
                same(&holders, &list);
            }
            assert_eq!(holders.len(), 3);
            assert_eq!(holders.get(ClientNo(2)), None);
            holders.clear();
            assert_eq!(holders, Holders::default());
        }
    }

    #[test]
    fn a_long_list_is_indexed_in_the_same_order() {
        let mut holders = Holders::default();
        let mut list = List::default();
        // Expiries out of order, and every third holder renewed before the list grows
        // long: the index must keep the places the list gave them.
        for i in 0..FEW as u32 + 40 {
            let expiry = Instant::from_secs(u64::from((i * 37) % 101));
            holders.add(ClientNo(i), expiry, Req(1));
            list.add(ClientNo(i), expiry, Req(1));
            if i % 3 == 0 {
                let later = Instant::from_secs(u64::from(i) + 200);
                holders.add(ClientNo(i / 2), later, Req(2));
                list.add(ClientNo(i / 2), later, Req(2));
            }
            same(&holders, &list);
        }
        assert!(matches!(holders, Holders::Many(_)));
        for now in [0, 50, 100, 250] {
            holders.drop_expired(Instant::from_secs(now));
            list.drop_expired(Instant::from_secs(now));
            same(&holders, &list);
        }
        holders.add(ClientNo(1), Instant::from_secs(400), Req(3));
        list.add(ClientNo(1), Instant::from_secs(400), Req(3));
        same(&holders, &list);
        holders.clear();
        assert!(matches!(holders, Holders::Few(_)));
    }
}
