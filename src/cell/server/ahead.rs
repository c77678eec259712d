//! A replica's reorder buffer: updates of the current term that arrived ahead of a gap.
//!
//! Replication messages overtake each other on most networks (a few milliseconds of
//! jitter against a master shipping every few milliseconds), so the buffer fills and
//! empties on a large share of replications. Updates arrive nearly in order, so a deque
//! sorted by sequence takes each one at or near its back and gives them up from its
//! front, and it keeps its allocation from one gap to the next, where a tree allocated
//! and freed a node every time it stopped being empty.

use crate::cell::volume::Update;
use std::collections::VecDeque;

/// Updates by sequence number, each at most once. Hashes exactly as the
/// `BTreeMap<u32, Update>` it replaces: the length, then each sequence number and update
/// in order.
#[derive(Clone, Debug, Default, Hash)]
pub struct Ahead(VecDeque<(u32, Update)>);

impl Ahead {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn clear(&mut self) {
        self.0.clear();
    }

    /// The update with the lowest sequence number.
    pub fn first(&self) -> Option<&Update> {
        self.0.front().map(|(_, u)| u)
    }

    pub fn pop_first(&mut self) -> Option<Update> {
        self.0.pop_front().map(|(_, u)| u)
    }

    /// Keep a copy of `update`, unless one with its sequence number is kept already.
    pub fn hold(&mut self, update: &Update) {
        let seq = update.pos().seq;
        if let Err(at) = self.0.binary_search_by_key(&seq, |&(s, _)| s) {
            self.0.insert(at, (seq, *update));
        }
    }

    /// Forget every update up to sequence number `seq`.
    pub fn forget_through(&mut self, seq: u32) {
        let kept = self.0.partition_point(|&(s, _)| s <= seq);
        self.0.drain(..kept);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cell::ids::{ClientNo, FileNo, Pos, ServerNo, Term, WriteId};
    use sim::TraceHash;
    use std::collections::BTreeMap;

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

    #[test]
    fn behaves_and_hashes_like_a_btreemap() {
        let mut ahead = Ahead::default();
        let mut tree: BTreeMap<u32, Update> = BTreeMap::new();
        assert_eq!(TraceHash::of(&ahead), TraceHash::of(&tree));
        // In order, out of order, a copy of one already held (the first copy stays).
        for (term, seq) in [(1, 5), (1, 7), (1, 6), (1, 3), (1, 9), (2, 7)] {
            let u = write(term, seq);
            ahead.hold(&u);
            tree.entry(seq).or_insert(u);
        }
        let same = |ahead: &Ahead, tree: &BTreeMap<u32, Update>| {
            assert_eq!(ahead.len(), tree.len());
            assert_eq!(ahead.first(), tree.first_key_value().map(|(_, u)| u));
            assert_eq!(TraceHash::of(ahead), TraceHash::of(tree));
        };
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
}
