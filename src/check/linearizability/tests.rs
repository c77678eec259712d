//! The streaming checker against a brute-force search for a linearization, on random
//! small histories of one file, some of them made non-linearizable on purpose.

use super::*;
use sim::Prng;

#[derive(Clone, Copy, Debug)]
enum Op {
    /// Acknowledged at `end`, or given up at `end` without an answer (`unanswered`).
    Write {
        id: WriteId,
        start: u64,
        end: u64,
        unanswered: bool,
    },
    Read {
        start: u64,
        end: u64,
        value: Option<WriteId>,
    },
}

impl Op {
    fn start(&self) -> u64 {
        match *self {
            Op::Write { start, .. } | Op::Read { start, .. } => start,
        }
    }
    fn end(&self) -> u64 {
        match *self {
            Op::Write { end, .. } | Op::Read { end, .. } => end,
        }
    }
}

fn id(seq: u32) -> WriteId {
    WriteId {
        client: ClientNo(seq % 3),
        file: FileNo(0),
        seq,
    }
}

/// Whether some order of the operations, each at a point inside its interval (an
/// unanswered write anywhere after its start, or nowhere), reads like one register.
fn brute_force(ops: &[Op]) -> bool {
    // `must[i]`: operations that ended before `i` began, so precede it.
    let n = ops.len();
    let precedes = |a: &Op, b: &Op| match *a {
        Op::Write {
            unanswered: true, ..
        } => false,
        _ => a.end() < b.start(),
    };
    let must: Vec<u32> = (0..n)
        .map(|i| {
            (0..n)
                .filter(|&j| precedes(&ops[j], &ops[i]))
                .fold(0, |m, j| m | 1 << j)
        })
        .collect();
    let optional: u32 = (0..n)
        .filter(|&i| {
            matches!(
                ops[i],
                Op::Write {
                    unanswered: true,
                    ..
                }
            )
        })
        .fold(0, |m, i| m | 1 << i);
    let mut seen = std::collections::BTreeSet::new();
    fn search(
        ops: &[Op],
        must: &[u32],
        optional: u32,
        done: u32,
        value: Option<WriteId>,
        seen: &mut std::collections::BTreeSet<(u32, Option<WriteId>)>,
    ) -> bool {
        let all = (1u32 << ops.len()) - 1;
        if done | optional == all {
            return true;
        }
        if !seen.insert((done, value)) {
            return false;
        }
        for i in 0..ops.len() {
            // Skipped optional writes count as done for those they "precede" (none).
            let ready = must[i] & !optional & !done == 0;
            if done & 1 << i != 0 || !ready {
                continue;
            }
            let next = match ops[i] {
                Op::Write { id, .. } => Some(id),
                Op::Read { value: v, .. } if v == value => value,
                Op::Read { .. } => continue,
            };
            if search(ops, must, optional, done | 1 << i, next, seen) {
                return true;
            }
        }
        false
    }
    search(ops, &must, optional, 0, None, &mut seen)
}

/// Feed the operations to the checker in time order, as a run's history streams.
fn streaming(ops: &[Op]) -> bool {
    let mut c = Linearizability::new(1);
    let mut acked = AckedWrites::new(3);
    // (time, is an end, operation): ends sort after starts at equal times.
    let mut events: Vec<(u64, bool, usize)> = Vec::new();
    for (i, op) in ops.iter().enumerate() {
        events.push((op.start(), false, i));
        events.push((op.end(), true, i));
    }
    events.sort();
    let mut open: Vec<usize> = Vec::new();
    for (t, is_end, i) in events {
        let now = Instant::from_micros(t);
        if !is_end {
            open.push(i);
            if let Op::Write { id, .. } = ops[i] {
                c.write_invoked(id, now);
            }
            continue;
        }
        let horizon = open.iter().map(|&j| ops[j].start()).min().unwrap();
        let seen = Seen {
            client: ClientNo(0),
            file: FileNo(0),
            now,
            horizon: Instant::from_micros(horizon),
        };
        open.retain(|&j| j != i);
        match ops[i] {
            Op::Write {
                id,
                unanswered: false,
                ..
            } => {
                acked.insert(id);
                c.write_acked(id, &seen);
            }
            Op::Write { id, .. } => c.write_unanswered(id, &seen),
            Op::Read { start, value, .. } => {
                c.read(value, Instant::from_micros(start), &seen, &acked)
            }
        }
    }
    !c.broken(FileNo(0))
}

/// A history of one register: operations at random points inside random intervals, so
/// linearizable by construction; then, sometimes, one read made to return another value.
fn history(rng: &mut Prng, n: usize, spread: u64) -> Vec<Op> {
    let mut ops: Vec<(u64, Op)> = Vec::new();
    let mut next_id = 1;
    for _ in 0..n {
        let start = rng.below(spread) * 2 + 1;
        let len = 1 + rng.below(spread / 2 + 1) * 2;
        let end = start + len + 1;
        let point = start + rng.below(len);
        let op = if rng.chance(0.45) {
            let w = id(next_id);
            next_id += 1;
            Op::Write {
                id: w,
                start,
                end,
                unanswered: rng.chance(0.2),
            }
        } else {
            Op::Read {
                start,
                end,
                value: None,
            }
        };
        ops.push((point, op));
    }
    ops.sort_by_key(|&(p, _)| p);
    let mut value = None;
    let mut out = Vec::new();
    for (_, op) in ops {
        match op {
            Op::Write { id, unanswered, .. } => {
                // An unanswered write takes effect, or not.
                if !unanswered || rng.chance(0.5) {
                    value = Some(id);
                }
                out.push(op);
            }
            Op::Read { start, end, .. } => out.push(Op::Read { start, end, value }),
        }
    }
    if rng.chance(0.5) {
        let reads: Vec<usize> = (0..out.len())
            .filter(|&i| matches!(out[i], Op::Read { .. }))
            .collect();
        if !reads.is_empty() {
            let r = reads[rng.index(reads.len())];
            let v = rng.below(next_id as u64 + 1) as u32;
            if let Op::Read { start, end, .. } = out[r] {
                let value = (v > 0 && v < next_id).then(|| id(v));
                out[r] = Op::Read { start, end, value };
            }
        }
    }
    // Unanswered writes that never took effect and were never read are still issued.
    out
}

#[test]
fn agrees_with_a_brute_force_search_on_random_histories() {
    let mut rng = Prng::new(11);
    let (mut good, mut bad) = (0, 0);
    for case in 0..6000 {
        let n = 2 + rng.index(9);
        let spread = [4, 10, 40][case % 3];
        let ops = history(&mut rng, n, spread);
        let expected = brute_force(&ops);
        assert_eq!(
            streaming(&ops),
            expected,
            "case {case}: {ops:#?} is {}linearizable",
            if expected { "" } else { "not " }
        );
        if expected { good += 1 } else { bad += 1 }
    }
    assert!(good > 1000 && bad > 500, "{good} good, {bad} bad");
}

#[test]
fn two_reads_that_see_writes_in_opposite_orders() {
    let (a, b) = (id(1), id(2));
    let ops = [
        Op::Write {
            id: a,
            start: 1,
            end: 10,
            unanswered: false,
        },
        Op::Write {
            id: b,
            start: 2,
            end: 11,
            unanswered: false,
        },
        // Concurrent with both writes: either order so far.
        Op::Read {
            start: 3,
            end: 13,
            value: Some(a),
        },
        Op::Read {
            start: 14,
            end: 15,
            value: Some(b),
        },
        Op::Read {
            start: 16,
            end: 17,
            value: Some(a),
        },
    ];
    assert!(!brute_force(&ops));
    assert!(!streaming(&ops));
    assert!(streaming(&ops[..4]), "a then b is fine");
}

#[test]
fn a_read_of_a_write_that_was_later_lost() {
    // c1#1 is read, then the file reads as created: the write was lost.
    let ops = [
        Op::Write {
            id: id(1),
            start: 1,
            end: 5,
            unanswered: false,
        },
        Op::Read {
            start: 6,
            end: 7,
            value: Some(id(1)),
        },
        Op::Read {
            start: 8,
            end: 9,
            value: None,
        },
    ];
    assert!(!streaming(&ops));
}

/// What an operation of client 2 on file 0 saw ending at `now` s, the oldest operation
/// still open on the file invoked at `horizon` s.
fn seen(now: u64, horizon: u64) -> Seen {
    Seen {
        client: ClientNo(2),
        file: FileNo(0),
        now: Instant::from_secs(now),
        horizon: Instant::from_secs(horizon),
    }
}

/// The example of the one violation found.
fn one_example(c: Linearizability) -> String {
    assert_eq!(c.tally.count, 1);
    c.tally.first.expect("an example").detail
}

#[test]
fn the_example_names_both_writes() {
    let mut c = Linearizability::new(1);
    let acked = AckedWrites::new(3);
    let t = Instant::from_secs;
    c.write_invoked(id(1), t(1));
    c.write_acked(id(1), &seen(2, 2));
    // A read still open when c1#1 was acknowledged: both clusters are kept.
    c.read(None, t(1), &seen(3, 1), &acked);
    assert_eq!(c.tally.count, 0, "the read may come before the write");
    c.read(None, t(4), &seen(5, 1), &acked);
    assert_eq!(c.tally.count, 1);
    let ex = c.tally.first.unwrap();
    assert_eq!(ex.client, "c2");
    assert_eq!(
        ex.detail,
        "the initial content and c1#1 cannot be ordered: c1#1 came after the initial \
         content, and an operation on c1#1 ended at 2.000000 s before one on the initial \
         content began at 4.000000 s"
    );
}

#[test]
fn a_read_of_a_forgotten_write_names_what_replaced_it() {
    let mut c = Linearizability::new(1);
    let mut acked = AckedWrites::new(3);
    let t = Instant::from_secs;
    // c1#1 over [1, 2], then c2#2 over [3, 4], never read.
    for (w, from, to) in [(id(1), 1, 2), (id(2), 3, 4)] {
        c.write_invoked(w, t(from));
        acked.insert(w);
        c.write_acked(w, &seen(to, to));
    }
    // A read invoked at 5 returns c1#1: by then c1#1 must come before c2#2, which ended,
    // so c1#1 (the latest forgotten) is gone, and the example says what replaced it.
    c.read(Some(id(1)), t(5), &seen(6, 6), &acked);
    assert_eq!(
        one_example(c),
        "read c1#1 (invoked at 5.000000 s) after c2#2 had replaced it for good: c2#2 was \
         written at 3.000000 s, after an operation on c1#1 had ended"
    );
}

#[test]
fn the_write_named_as_replacing_began_after_the_one_read() {
    let mut c = Linearizability::new(1);
    let mut acked = AckedWrites::new(3);
    let t = Instant::from_secs;
    // c1#1 over [1, 5] and c2#2 over [2, 3] overlap; c0#3 over [6, 7] follows both.
    c.write_invoked(id(1), t(1));
    c.write_invoked(id(2), t(2));
    for w in [id(1), id(2), id(3)] {
        acked.insert(w);
    }
    c.write_acked(id(2), &seen(3, 1));
    c.write_acked(id(1), &seen(5, 1));
    c.write_invoked(id(3), t(6));
    c.write_acked(id(3), &seen(7, 6));
    // Reading c1#1 from 9 on: both older writes are forgotten, c2#2 (the later start)
    // standing for them, but what c1#1 must precede is c0#3, not c2#2.
    c.read(Some(id(1)), t(9), &seen(10, 9), &acked);
    assert_eq!(
        one_example(c),
        "read c1#1 (invoked at 9.000000 s) after c0#3 had replaced it for good: c0#3 was \
         written at 6.000000 s, after an operation on c1#1 had ended"
    );
}
