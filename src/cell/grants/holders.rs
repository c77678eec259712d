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
        self.soonest = self.expiries.peek().map_or(Instant::MAX, |e| e.0.0);
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
        self.soonest = self.expiries.peek().map_or(Instant::MAX, |e| e.0.0);
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
mod tests {
    use super::*;
    use proptest::prelude::*;

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

    /// An empty list indexed from the start.
    fn indexed() -> Holders {
        Holders::Many(Box::new(Indexed::of(Vec::new())))
    }

    #[test]
    fn an_entry_is_half_a_cache_line() {
        assert_eq!(std::mem::size_of::<Holders>(), 32);
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
        for start in [Holders::default(), indexed()] {
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
        assert!(matches!(holders, Holders::Few { .. }));
    }

    /// The upkeep stays bounded: holes and stale expiries are swept once they
    /// outnumber the holders, and the list still agrees.
    #[test]
    fn holes_and_stale_expiries_stay_fewer_than_holders() {
        let mut holders = Holders::default();
        let mut list = List::default();
        let many = |h: &Holders| -> Indexed {
            match h {
                Holders::Many(many) => (**many).clone(),
                Holders::Few { .. } => panic!("not indexed"),
            }
        };
        let bounded = |h: &Holders| {
            let many = many(h);
            let live = h.len();
            assert!(
                many.list.len() <= 2 * live + FEW + 1,
                "{} places",
                many.list.len()
            );
            assert!(many.expiries.len() <= 2 * live + FEW + 1);
        };
        for round in 1..=5u64 {
            for i in 0..1000 {
                let expiry = Instant::from_secs(round * 1000 + u64::from(i % 7));
                holders.add(ClientNo(i), expiry, Req(1));
                list.add(ClientNo(i), expiry, Req(1));
            }
            bounded(&holders);
        }
        for i in (0..1000).filter(|i| i % 10 != 0) {
            holders.remove(ClientNo(i));
            list.remove(ClientNo(i));
            bounded(&holders);
        }
        same(&holders, &list);
        assert_eq!(holders.len(), 100);
        // The five rounds' expiries of the survivors: all but the last are stale.
        holders.drop_expired(Instant::from_secs(5003));
        list.drop_expired(Instant::from_secs(5003));
        same(&holders, &list);
        assert!(holders.len() > 0 && holders.len() < 100);
        assert_eq!(many(&holders).soonest, Instant::from_secs(5004));
        bounded(&holders);
    }

    #[derive(Clone, Debug)]
    enum Step {
        Add { client: u32, lasts: u64, since: u32 },
        Remove(u32),
        Pass(u64),
        Clear,
    }

    fn step() -> impl Strategy<Value = Step> {
        prop_oneof![
            60 => (0..200u32, 0..120u64, 0..4u32)
                .prop_map(|(client, lasts, since)| Step::Add { client, lasts, since }),
            15 => (0..200u32).prop_map(Step::Remove),
            20 => (0..30u64).prop_map(Step::Pass),
            1 => Just(Step::Clear),
        ]
    }

    proptest! {
        /// Any run of grants, renewals, removals, expiries and clears, on a list short
        /// or indexed from the start: the same holders in the same order as the plain
        /// list, and every client's lookup the same (held or not).
        #[test]
        fn any_run_agrees_with_the_plain_list(
            steps in proptest::collection::vec(step(), 1..800),
            start_indexed in any::<bool>(),
        ) {
            let mut holders = if start_indexed { indexed() } else { Holders::default() };
            let mut list = List::default();
            let mut now = 0;
            for step in steps {
                match step {
                    Step::Add { client, lasts, since } => {
                        let expiry = Instant::from_secs(now + lasts);
                        holders.add(ClientNo(client), expiry, Req(since));
                        list.add(ClientNo(client), expiry, Req(since));
                    }
                    Step::Remove(client) => {
                        holders.remove(ClientNo(client));
                        list.remove(ClientNo(client));
                    }
                    Step::Pass(secs) => {
                        now += secs;
                        holders.drop_expired(Instant::from_secs(now));
                        list.drop_expired(Instant::from_secs(now));
                    }
                    Step::Clear => {
                        holders.clear();
                        list.0.clear();
                    }
                }
                same(&holders, &list);
                for client in (0..200).map(ClientNo) {
                    let expected = list.0.iter().find(|c| c.client == client);
                    prop_assert_eq!(holders.get(client), expected);
                }
            }
        }
    }
}
