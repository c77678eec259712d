use super::ahead::LOOK_TWO_AHEAD_FROM;
use super::*;

fn drain(q: &mut Queue<u32>) -> Vec<(u64, u32)> {
    std::iter::from_fn(|| q.pop_until(u64::MAX)).collect()
}

#[test]
fn pops_by_time_then_push_order() {
    let mut q = Queue::new();
    q.push(500, 1);
    q.push(7, 2);
    q.push(500, 3);
    q.push(1 << 40, 4);
    q.push(0, 5);
    q.push(64, 6);
    assert_eq!(
        drain(&mut q),
        vec![(0, 5), (7, 2), (64, 6), (500, 1), (500, 3), (1 << 40, 4)]
    );
    assert!(q.is_empty());
}

#[test]
fn ties_pushed_at_different_levels_keep_push_order() {
    // The first is filed far out and cascades; the second lands directly at level 0.
    let mut q = Queue::new();
    q.push(100_000, 1);
    q.push(99_990, 0);
    assert_eq!(q.pop_until(u64::MAX), Some((99_990, 0)));
    q.push(100_000, 2);
    q.push(99_990, 3);
    assert_eq!(drain(&mut q), vec![(99_990, 3), (100_000, 1), (100_000, 2)]);
}

#[test]
fn cancelled_events_never_pop_and_stale_keys_do_nothing() {
    let mut q = Queue::new();
    let a = q.push(10, 1);
    let b = q.push(20, 2);
    let c = q.push(0, 3); // lands in `due` at once
    assert_eq!(q.cancel(a), Some(1));
    assert_eq!(q.cancel(a), None);
    assert_eq!(q.cancel(c), Some(3));
    assert_eq!(q.len(), 1);
    assert_eq!(drain(&mut q), vec![(20, 2)]);
    assert_eq!(q.cancel(b), None, "popped event");
    let d = q.push(30, 4); // reuses a slab slot
    assert_eq!(q.cancel(a), None, "stale key must not hit the reused slot");
    assert_eq!(q.cancel(d), Some(4));
    assert!(q.is_empty());
}

#[test]
fn discarded_events_never_pop_and_stale_keys_do_nothing() {
    let mut q = Queue::new();
    let a = q.push(10, 1);
    let b = q.push(20, 2);
    let c = q.push(0, 3); // lands in `due` at once
    assert!(q.discard(a));
    assert!(!q.discard(a));
    assert!(q.discard(c));
    assert!(!q.discard(c));
    assert_eq!(q.len(), 1);
    assert_eq!(drain(&mut q), vec![(20, 2)]);
    assert!(!q.discard(b), "popped event");
    let d = q.push(30, 4); // reuses a slab slot
    assert!(!q.discard(a), "stale key must not hit the reused slot");
    assert!(q.discard(d));
    assert!(q.is_empty());
}

#[test]
fn pop_until_stops_at_the_limit_and_accepts_pushes_at_it() {
    let mut q = Queue::new();
    q.push(1_000_000, 1);
    q.push(5, 2);
    assert_eq!(q.pop_until(100), Some((5, 2)));
    assert_eq!(q.pop_until(999_999), None);
    q.push(999_999, 3);
    assert_eq!(drain(&mut q), vec![(999_999, 3), (1_000_000, 1)]);
}

#[test]
#[should_panic(expected = "into the past")]
fn pushing_into_the_past_panics() {
    let mut q = Queue::new();
    q.push(10, 1);
    q.pop_until(u64::MAX);
    q.push(9, 2);
}

#[test]
fn far_future_and_top_level_slots_work() {
    let mut q = Queue::new();
    q.push(u64::MAX, 1);
    q.push(u64::MAX - 1, 2);
    q.push(1 << 63, 3);
    assert_eq!(
        drain(&mut q),
        vec![(1 << 63, 3), (u64::MAX - 1, 2), (u64::MAX, 1)]
    );
}

/// Grow the slab to `size` slots with events dropped at once.
fn grow(q: &mut Queue<u32>, size: usize) {
    let keys: Vec<EntryKey> = (0..size).map(|i| q.push(1 << 30, i as u32)).collect();
    assert!(keys.into_iter().all(|key| q.discard(key)));
}

#[test]
fn an_event_taken_hints_at_the_next_two_to_pop_with_their_tags_once_the_slab_is_large() {
    let mut q = Queue::new();
    let events = [
        (10, 1),
        (15, 9),
        (20, 2),
        (20, 3),
        (25, 8),
        (30, 4),
        (40, 5),
        (40, 6),
    ];
    for (time, tag) in events {
        q.push_tagged(time, tag, tag as u32);
    }
    let hints = |q: &Queue<u32>| (q.hinted_tag(), q.after_tag());
    assert_eq!(q.pop_until(u64::MAX), Some((10, 1)));
    assert_eq!(hints(&q), (None, None), "a small queue does not look ahead");

    grow(&mut q, LOOK_AHEAD_FROM);
    assert_eq!(q.pop_until(u64::MAX), Some((15, 9)));
    // Of a slot's several, the one at its list's head, the last pushed (once spilled
    // into `due` they pop in push order, and the hint follows that order).
    assert_eq!(hints(&q), (Some(3), None), "one ahead only");

    grow(&mut q, LOOK_TWO_AHEAD_FROM);
    assert_eq!(q.pop_until(u64::MAX), Some((20, 2)));
    assert_eq!(
        hints(&q),
        (Some(3), Some(8)),
        "waiting in due, then the next slot"
    );
    assert_eq!(q.pop_until(u64::MAX), Some((20, 3)));
    assert_eq!(hints(&q), (Some(8), Some(4)), "the next two near slots");
    assert_eq!(q.pop_until(u64::MAX), Some((25, 8)));
    assert_eq!(q.pop_until(u64::MAX), Some((30, 4)));
    assert_eq!(hints(&q), (Some(6), Some(5)), "the last slot's two");
    assert_eq!(drain(&mut q), vec![(40, 5), (40, 6)]);
    assert_eq!(hints(&q), (None, None), "nothing left");
}

#[test]
fn far_slots_cascade_and_cancel_in_any_order() {
    // Six events in one far slot of level 1, two cancelled from its middle and its end,
    // then a cascade through level 0 into the near wheel.
    let mut q = Queue::new();
    let base = 1 << 22;
    let keys: Vec<EntryKey> = (0..6)
        .map(|i| q.push(base + i * 70_000, i as u32))
        .collect();
    assert!(q.discard(keys[2]));
    assert_eq!(q.cancel(keys[5]), Some(5));
    assert!(!q.discard(keys[5]), "cancelled once");
    assert_eq!(
        drain(&mut q),
        [0, 1, 3, 4].map(|i| (base + i * 70_000, i as u32))
    );
}

#[test]
fn of_a_slot_of_several_the_one_after_is_the_head_s_neighbour() {
    let mut q = Queue::new();
    grow(&mut q, LOOK_TWO_AHEAD_FROM);
    for (time, tag) in [(10, 1), (20, 2), (20, 3), (30, 4)] {
        q.push_tagged(time, tag, tag as u32);
    }
    assert_eq!(q.pop_until(u64::MAX), Some((10, 1)));
    assert_eq!(
        (q.hinted_tag(), q.after_tag()),
        (Some(3), Some(2)),
        "both of the next slot's events, which pop before the slot after"
    );
    assert_eq!(drain(&mut q), vec![(20, 2), (20, 3), (30, 4)]);
}

#[test]
fn looking_past_the_last_near_slot_finds_nothing() {
    let mut q = Queue::new();
    grow(&mut q, LOOK_TWO_AHEAD_FROM);
    q.push_tagged(10, 1, 1);
    q.push_tagged(NEAR as u64 - 1, 2, 2);
    assert_eq!(q.pop_until(u64::MAX), Some((10, 1)));
    assert_eq!((q.hinted_tag(), q.after_tag()), (Some(2), None));
}
