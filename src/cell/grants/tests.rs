use super::*;

const F0: FileNo = FileNo(0);
const F1: FileNo = FileNo(1);
const F2: FileNo = FileNo(2);
const C1: ClientNo = ClientNo(1);
const C2: ClientNo = ClientNo(2);
const C4: ClientNo = ClientNo(4);
const C5: ClientNo = ClientNo(5);
const C7: ClientNo = ClientNo(7);
const C99: ClientNo = ClientNo(99);

#[test]
fn afs_rule_by_holders_with_bias_and_rounding() {
    let rule = CallbackRule::Afs;
    let now = Instant::from_secs(1000);
    let g = rule.grant(now, 0, Duration::from_secs(10));
    // 1000 + 14400 + 180 = 15580 s, rounded up to 128 s: 15616 s.
    assert_eq!(g.server_expiry, Instant::from_secs(15_616));
    assert_eq!(g.client_lifetime, Duration::from_secs(15_616 - 180 - 1000));
    let buckets = [
        (7, 4 * 3600),
        (8, 3600),
        (16, 1800),
        (24, 900),
        (40, 600),
        (64, 420),
    ];
    for (holders, lifetime) in buckets {
        let g = rule.grant(Instant::ZERO, holders, Duration::ZERO);
        let expected = (lifetime + 180u64).div_ceil(128) * 128;
        assert_eq!(
            g.server_expiry,
            Instant::from_secs(expected),
            "{holders} holders"
        );
    }
}

#[test]
fn the_server_keeps_a_callback_the_allowance_longer_than_the_client() {
    let a = Duration::from_secs(2);
    let g = CallbackRule::Fixed(Duration::from_secs(60)).grant(Instant::from_secs(5), 0, a);
    assert_eq!(g.client_lifetime, Duration::from_secs(60));
    assert_eq!(g.server_expiry, Instant::from_secs(67));
    // The AFS bias is the margin, widened to an allowance beyond it.
    let afs = CallbackRule::Afs.grant(Instant::ZERO, 0, Duration::from_secs(400));
    let server_s = afs.server_expiry.as_micros() / 1_000_000;
    assert_eq!(server_s % 128, 0);
    assert!(server_s - afs.client_lifetime.as_micros() / 1_000_000 >= 400);
}

#[test]
fn afs_client_lifetime_never_exceeds_the_stated_maximum() {
    let rule = CallbackRule::Afs;
    let longest = (0..200_000u64)
        .map(|us| {
            rule.grant(Instant::from_micros(us * 977), 0, Duration::from_secs(300))
                .client_lifetime
        })
        .max()
        .unwrap();
    assert_eq!(longest, rule.longest_client_lifetime());
    assert_eq!(rule.longest_client_lifetime(), Duration::from_secs(14_527));
}

fn id(client: u32, seq: u64) -> LockId {
    LockId {
        client: ClientNo(client),
        seq,
    }
}

#[test]
fn locks_conflict_unless_both_shared_and_expire() {
    let mut g = Grants::new(2);
    let now = Instant::from_secs(10);
    g.set_lock(F0, id(1, 3), LockMode::Shared, now + Duration::from_secs(5));
    assert!(g.lock_allowed(F0, id(2, 0), LockMode::Shared, now, |_| true));
    assert!(!g.lock_allowed(F0, id(2, 0), LockMode::Exclusive, now, |_| true));
    assert!(
        g.lock_allowed(F0, id(1, 4), LockMode::Exclusive, now, |_| true),
        "its own lock"
    );
    assert!(
        !g.lock_allowed(F0, id(1, 2), LockMode::Exclusive, now, |_| true),
        "an older request"
    );
    let later = now + Duration::from_secs(5);
    assert!(g.lock_allowed(F0, id(2, 0), LockMode::Exclusive, later, |_| true));
    assert!(g.lock_allowed(F1, id(2, 0), LockMode::Exclusive, now, |_| true));
}

#[test]
fn a_late_release_of_an_earlier_lock_leaves_the_new_one() {
    let mut g = Grants::new(1);
    let now = Instant::from_secs(10);
    let later = now + Duration::from_secs(5);
    g.set_lock(F0, id(1, 0), LockMode::Exclusive, later);
    g.set_lock(F0, id(1, 1), LockMode::Exclusive, later);
    g.unlock(F0, id(1, 0));
    assert!(g.holds_lock(F0, C1, now), "the release named the old lock");
    g.unlock(F0, id(1, 1));
    assert!(!g.holds_lock(F0, C1, now));
}

#[test]
fn others_are_the_unexpired_holders_but_the_asker() {
    let mut g = Grants::new(1);
    let (soon, later) = (Instant::from_secs(10), Instant::from_secs(60));
    g.add_callback(F0, C1, later, Req(1));
    g.add_callback(F0, C2, soon, Req(2));
    g.add_callback(F0, C1, soon, Req(3));
    assert_eq!(g.count_others(F0, C1, Instant::from_secs(1)), 1, "c2");
    assert_eq!(g.count_others(F0, C2, Instant::from_secs(1)), 1, "c1, once");
    // c2's callback ran out, and went.
    assert_eq!(g.count_others(F0, C1, Instant::from_secs(20)), 0);
    assert_eq!(g.count_others(F0, C2, Instant::from_secs(20)), 1);
    assert_eq!(g.holders(F0, Instant::from_secs(20)), 1);
    // Its own callback expired, the asker subtracts nothing for it.
    assert_eq!(g.count_others(F0, C1, Instant::from_secs(61)), 0);
}

#[test]
fn a_write_spares_only_its_writer_s_earlier_callback() {
    let mut g = Grants::new(1);
    let now = Instant::from_secs(1);
    let later = Instant::from_secs(60);
    g.add_callback(F0, C1, later, Req(5));
    g.add_callback(F0, C2, later, Req(9));
    // c1's write was sent as request 7: its own callback came from request 5.
    assert_eq!(g.to_break(F0, Some((C1, Req(7))), now), vec![(C2, later)]);
    // Sent as request 4: the callback came from a fetch sent after it.
    assert_eq!(
        g.to_break(F0, Some((C1, Req(4))), now),
        vec![(C1, later), (C2, later)]
    );
    assert_eq!(g.to_break(F0, None, now).len(), 2, "a replay spares nobody");
    g.clear_callbacks(F0);
    assert_eq!(g.holders(F0, now), 0);
}

#[test]
fn snapshots_carry_lifetimes_across_clocks() {
    let mut g = Grants::new(3);
    g.add_callback(F2, C7, Instant::from_secs(100), Req(3));
    g.add_callback(F1, C5, Instant::from_secs(40), Req(3));
    g.set_lock(F0, id(4, 0), LockMode::Exclusive, Instant::from_secs(70));
    let snap = g.snapshot(Instant::from_secs(50));
    let there = Grants::restore(3, &snap, Instant::from_secs(1000));
    let mut there = there;
    assert_eq!(
        there.to_break(F2, Some((C99, Req(0))), Instant::from_secs(1000)),
        vec![(C7, Instant::from_secs(1050))]
    );
    assert_eq!(
        there.holders(F1, Instant::from_secs(1000)),
        0,
        "expired before the snapshot"
    );
    assert!(there.holds_lock(F0, C4, Instant::from_secs(1019)));
    assert!(!there.holds_lock(F0, C4, Instant::from_secs(1020)));
}
