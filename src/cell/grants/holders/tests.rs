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
