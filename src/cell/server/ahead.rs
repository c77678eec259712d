//! A replica's reorder buffer: updates of the current term that arrived ahead of a gap.
//!
//! Replication messages overtake each other on most networks (a few milliseconds of
//! jitter against a master shipping every few milliseconds), so the buffer fills and
//! empties on a large share of replications. Each update goes to the slot its sequence
//! number names in a ring that starts at the lowest one held, so holding one costs the
//! same wherever it lands: when a large cell's clients all start their liveness phase
//! at once, the master ships thousands of updates in a few milliseconds, one message
//! each, and they arrive in any order. (A deque kept sorted moved half its entries on
//! every one of those: about 6% of the 10k-client cell's instructions went to that
//! copying.) The ring keeps its allocation from one gap to the next, where a tree
//! allocated and freed a node every time it stopped being empty; it is used while the
//! held numbers span at most [`RING_SPAN`] slots, and a tree takes over beyond that (a
//! replica cut off for a long time, holding some updates from before), so that the
//! memory stays with what is held.

use crate::cell::volume::Update;
use std::collections::{BTreeMap, VecDeque};
use std::hash::{Hash, Hasher};

/// The widest span of sequence numbers the ring holds (slots, held or not).
const RING_SPAN: usize = 1 << 14;

/// Updates by sequence number, each at most once. Hashes exactly as the
/// `BTreeMap<u32, Update>` it replaces: the length, then each sequence number and update
/// in order.
#[derive(Clone, Debug, Default)]
pub struct Ahead {
    /// Slot `i` holds the update numbered `base + i`, if any. While the ring is in use it
    /// begins and ends with a held update; empty while the tree is in use.
    ring: VecDeque<Option<Update>>,
    base: u32,
    /// How many slots of the ring hold an update.
    in_ring: usize,
    /// The updates held, when their numbers span more than the ring may.
    tree: BTreeMap<u32, Update>,
}

impl Ahead {
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn len(&self) -> usize {
        self.in_ring + self.tree.len()
    }

    pub fn clear(&mut self) {
        self.ring.clear();
        self.in_ring = 0;
        self.tree.clear();
    }

    /// The update with the lowest sequence number.
    pub fn first(&self) -> Option<&Update> {
        match self.ring.front() {
            Some(slot) => slot.as_ref(),
            None => self.tree.values().next(),
        }
    }

    pub fn pop_first(&mut self) -> Option<Update> {
        let Some(slot) = self.ring.pop_front() else {
            return self.tree.pop_first().map(|(_, u)| u);
        };
        self.base += 1;
        self.in_ring -= 1;
        self.trim_front();
        slot
    }

    /// Keep a copy of `update`, unless one with its sequence number is kept already.
    pub fn hold(&mut self, update: &Update) {
        let seq = update.pos().seq;
        if self.is_empty() {
            self.ring.push_back(Some(*update));
            self.base = seq;
            self.in_ring = 1;
            return;
        }
        if !self.tree.is_empty() {
            self.tree.entry(seq).or_insert(*update);
            return;
        }
        let last = self.base + (self.ring.len() - 1) as u32;
        let (lo, hi) = (seq.min(self.base), seq.max(last));
        if (hi - lo) as usize >= RING_SPAN {
            self.move_to_tree();
            self.tree.insert(seq, *update);
            return;
        }
        if seq < self.base {
            for _ in seq + 1..self.base {
                self.ring.push_front(None);
            }
            self.ring.push_front(Some(*update));
            self.base = seq;
        } else if seq > last {
            self.ring
                .resize(self.ring.len() + (seq - last - 1) as usize, None);
            self.ring.push_back(Some(*update));
        } else {
            let slot = &mut self.ring[(seq - self.base) as usize];
            if slot.is_some() {
                return;
            }
            *slot = Some(*update);
        }
        self.in_ring += 1;
    }

    /// Forget every update up to sequence number `seq`.
    pub fn forget_through(&mut self, seq: u32) {
        if self.ring.is_empty() {
            self.tree = match seq.checked_add(1) {
                Some(next) => self.tree.split_off(&next),
                None => BTreeMap::new(),
            };
            return;
        }
        if seq < self.base {
            return;
        }
        let gone = ((seq - self.base) as usize + 1).min(self.ring.len());
        self.in_ring -= self.ring.drain(..gone).filter(Option::is_some).count();
        self.base += gone as u32;
        self.trim_front();
    }

    /// Drop the empty slots before the first held update.
    fn trim_front(&mut self) {
        while self.ring.front().is_some_and(Option::is_none) {
            self.ring.pop_front();
            self.base += 1;
        }
    }

    /// Move every held update from the ring to the tree.
    fn move_to_tree(&mut self) {
        let base = self.base;
        self.in_ring = 0;
        let held = self.ring.drain(..).enumerate();
        self.tree
            .extend(held.filter_map(|(i, u)| Some((base + i as u32, u?))));
    }
}

impl Hash for Ahead {
    fn hash<H: Hasher>(&self, h: &mut H) {
        self.len().hash(h);
        let base = self.base;
        let ring = self.ring.iter().enumerate();
        for (i, update) in ring.filter_map(|(i, u)| Some((i, u.as_ref()?))) {
            (base + i as u32, update).hash(h);
        }
        for entry in &self.tree {
            entry.hash(h);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cell::ids::{ClientNo, FileNo, Pos, ServerNo, Term, WriteId};
    use proptest::prelude::*;
    use sim::TraceHash;

    fn write(term: u32, seq: u32) -> Update {
        let pos = Pos {
            term: Term {
                number: term,
                server: ServerNo(0),
            },
            seq,
        };
        Update::Write {
            pos,
            write: WriteId {
                client: ClientNo(1),
                file: FileNo(2),
                seq,
            },
            place: pos,
            callback: None,
        }
    }

    fn same(ahead: &Ahead, tree: &BTreeMap<u32, Update>) {
        assert_eq!(ahead.len(), tree.len());
        assert_eq!(ahead.is_empty(), tree.is_empty());
        assert_eq!(ahead.first(), tree.first_key_value().map(|(_, u)| u));
        assert_eq!(TraceHash::of(ahead), TraceHash::of(tree));
    }

    #[test]
    fn behaves_and_hashes_like_a_btreemap() {
        let mut ahead = Ahead::default();
        let mut tree: BTreeMap<u32, Update> = BTreeMap::new();
        same(&ahead, &tree);
        // In order, out of order, a copy of one already held (the first copy stays).
        for (term, seq) in [(1, 5), (1, 7), (1, 6), (1, 3), (1, 9), (2, 7)] {
            let u = write(term, seq);
            ahead.hold(&u);
            tree.entry(seq).or_insert(u);
        }
        same(&ahead, &tree);
        assert_eq!(ahead.pop_first(), tree.pop_first().map(|(_, u)| u));
        same(&ahead, &tree);
        ahead.forget_through(6);
        tree.retain(|&s, _| s > 6);
        same(&ahead, &tree);
        assert_eq!(ahead.first().map(|u| u.pos().seq), Some(7));
        ahead.forget_through(100);
        tree.retain(|&s, _| s > 100);
        same(&ahead, &tree);
        assert!(ahead.is_empty());
    }

    #[test]
    fn a_wide_span_goes_to_the_tree_and_back_to_the_ring_once_empty() {
        let mut ahead = Ahead::default();
        ahead.hold(&write(1, 10));
        ahead.hold(&write(1, 10 + RING_SPAN as u32));
        assert!(ahead.ring.is_empty(), "the span no longer fits the ring");
        assert_eq!(ahead.tree.len(), 2);
        ahead.hold(&write(1, 12));
        assert_eq!(ahead.first().map(|u| u.pos().seq), Some(10));
        ahead.forget_through(12);
        assert_eq!(ahead.len(), 1);
        assert_eq!(
            ahead.pop_first().map(|u| u.pos().seq),
            Some(10 + RING_SPAN as u32)
        );
        assert!(ahead.is_empty());
        ahead.hold(&write(1, 50));
        assert_eq!(
            ahead.ring.len(),
            1,
            "empty again, the ring takes the next one"
        );
        assert!(ahead.tree.is_empty());
        // Up to the largest number there is, in either form.
        ahead.forget_through(u32::MAX);
        assert!(ahead.is_empty() && ahead.ring.is_empty());
        ahead.hold(&write(1, 1));
        ahead.hold(&write(1, u32::MAX));
        assert_eq!(ahead.tree.len(), 2);
        ahead.forget_through(u32::MAX);
        assert!(ahead.is_empty() && ahead.tree.is_empty());
    }

    #[derive(Clone, Debug)]
    enum Op {
        Hold(u32, u32),
        PopFirst,
        ForgetThrough(u32),
        Clear,
    }

    fn op() -> impl Strategy<Value = Op> {
        // Numbers near each other (the ring) and now and then far apart (the tree).
        let seq = prop_oneof![
            8 => 1000u32..1200,
            1 => 1000u32..(1000 + 3 * RING_SPAN as u32),
        ];
        prop_oneof![
            12 => (seq.clone(), 1u32..3).prop_map(|(s, t)| Op::Hold(s, t)),
            3 => Just(Op::PopFirst),
            2 => seq.prop_map(Op::ForgetThrough),
            1 => Just(Op::Clear),
        ]
    }

    proptest! {
        #[test]
        fn any_operations_leave_it_as_a_btreemap(ops in proptest::collection::vec(op(), 1..400)) {
            let mut ahead = Ahead::default();
            let mut tree: BTreeMap<u32, Update> = BTreeMap::new();
            for op in ops {
                match op {
                    Op::Hold(seq, term) => {
                        let u = write(term, seq);
                        ahead.hold(&u);
                        tree.entry(seq).or_insert(u);
                    }
                    Op::PopFirst => {
                        prop_assert_eq!(ahead.pop_first(), tree.pop_first().map(|(_, u)| u));
                    }
                    Op::ForgetThrough(seq) => {
                        ahead.forget_through(seq);
                        tree.retain(|&s, _| s > seq);
                    }
                    Op::Clear => {
                        ahead.clear();
                        tree.clear();
                    }
                }
                same(&ahead, &tree);
                prop_assert!(ahead.ring.len() <= RING_SPAN);
            }
        }
    }
}
