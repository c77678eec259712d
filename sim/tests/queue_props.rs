//! The queue pops in `(time, push order)` under any interleaving of pushes, cancels
//! (taking the event back or dropping it) and bounded pops, checked against a `BTreeMap`
//! model; listing it without popping gives the same order, and so does a clone.
use proptest::prelude::*;
use sim::Queue;
use std::collections::BTreeMap;

#[derive(Clone, Debug)]
enum Op {
    /// Push at `now + delta`.
    Push(u64),
    /// Cancel the i-th key handed out (modulo how many there are).
    Cancel(usize),
    /// Pop everything up to `now + delta`.
    PopUntil(u64),
}

fn delta() -> impl Strategy<Value = u64> {
    prop_oneof![
        Just(0u64),
        0u64..64,
        0u64..5_000,
        0u64..200_000,
        0u64..(1 << 40),
        Just(u64::MAX / 4),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => delta().prop_map(Op::Push),
        2 => any::<usize>().prop_map(Op::Cancel),
        2 => delta().prop_map(Op::PopUntil),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 2_000,
        failure_persistence: Some(Box::new(
            proptest::test_runner::FileFailurePersistence::WithSource("proptest-regressions"),
        )),
        ..ProptestConfig::default()
    })]

    #[test]
    fn pops_in_time_then_push_order(ops in prop::collection::vec(op(), 1..300)) {
        let mut q = Queue::new();
        let mut model: BTreeMap<(u64, u64), u64> = BTreeMap::new();
        let mut keys = Vec::new();
        let mut now = 0u64;
        let mut seq = 0u64;
        for op in ops {
            match op {
                Op::Push(d) => {
                    let t = now.saturating_add(d);
                    keys.push((q.push(t, seq), t, seq));
                    model.insert((t, seq), seq);
                    seq += 1;
                }
                Op::Cancel(i) if !keys.is_empty() => {
                    let (key, t, s) = keys[i % keys.len()];
                    let expected = model.remove(&(t, s));
                    // Half the time drop it in place instead of taking it back.
                    if i % 2 == 0 {
                        prop_assert_eq!(q.cancel(key), expected);
                    } else {
                        prop_assert_eq!(q.discard(key), expected.is_some());
                    }
                }
                Op::Cancel(_) => {}
                Op::PopUntil(d) => {
                    let limit = now.saturating_add(d);
                    while let Some((t, v)) = q.pop_until(limit) {
                        let (&(mt, ms), &mv) = model.iter().next().expect("model has it");
                        prop_assert_eq!((t, v), (mt, mv));
                        model.remove(&(mt, ms));
                        prop_assert!(t >= now);
                        now = t;
                    }
                    if let Some((&(mt, _), _)) = model.iter().next() {
                        prop_assert!(mt > limit, "stopped early: {} <= {}", mt, limit);
                    }
                    now = limit.max(now);
                }
            }
            prop_assert_eq!(q.len(), model.len());
        }
        while let Some((t, v)) = q.pop_until(u64::MAX) {
            let (&k, &mv) = model.iter().next().expect("model has it");
            prop_assert_eq!((t, v), (k.0, mv));
            model.remove(&k);
        }
        prop_assert!(model.is_empty());
    }

    #[test]
    fn listing_in_pop_order_is_the_pop_order(ops in prop::collection::vec(op(), 1..300)) {
        let mut q = Queue::new();
        let mut keys = Vec::new();
        let mut now = 0u64;
        let mut seq = 0u64;
        for op in ops {
            match op {
                Op::Push(d) => {
                    keys.push(q.push(now.saturating_add(d), seq));
                    seq += 1;
                }
                Op::Cancel(i) if !keys.is_empty() => {
                    q.cancel(keys[i % keys.len()]);
                }
                Op::Cancel(_) => {}
                Op::PopUntil(d) => {
                    let limit = now.saturating_add(d);
                    while let Some((t, _)) = q.pop_until(limit) {
                        now = t;
                    }
                    now = limit.max(now);
                }
            }
            let listed: Vec<(u64, u64)> = q.iter_in_pop_order().map(|(t, &v)| (t, v)).collect();
            prop_assert_eq!(listed.len(), q.len());
            let mut copy = q.clone();
            let popped: Vec<(u64, u64)> = std::iter::from_fn(|| copy.pop_until(u64::MAX)).collect();
            prop_assert_eq!(listed, popped);
        }
    }
}
