//! A client's latest writes applied to a replica, kept in its record.

use super::{Applied, RECENT_WRITES_KEPT};
use std::hash::{Hash, Hasher};

/// The latest [`RECENT_WRITES_KEPT`] writes of a client, in the record itself (a ring),
/// so that applying a write touches one record and no buffer it points to. Compares and
/// hashes as the deque of them, oldest first, that it replaced.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Recent {
    ring: [Applied; RECENT_WRITES_KEPT],
    /// How many were ever pushed: the next goes to `written % RECENT_WRITES_KEPT`.
    written: u64,
}

impl Recent {
    pub(super) fn push(&mut self, a: Applied) {
        self.ring[Recent::slot(self.written)] = a;
        self.written += 1;
    }

    /// Oldest first.
    pub(super) fn iter(&self) -> impl Iterator<Item = &Applied> {
        let kept = self.written.min(RECENT_WRITES_KEPT as u64);
        (self.written - kept..self.written).map(|n| &self.ring[Recent::slot(n)])
    }

    /// Where the `n`th write pushed went.
    fn slot(n: u64) -> usize {
        (n % RECENT_WRITES_KEPT as u64) as usize
    }
}

impl PartialEq for Recent {
    fn eq(&self, other: &Recent) -> bool {
        self.iter().eq(other.iter())
    }
}

impl Eq for Recent {}

impl Hash for Recent {
    fn hash<H: Hasher>(&self, h: &mut H) {
        h.write_usize(self.iter().count());
        self.iter().for_each(|a| a.hash(h));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cell::ids::{Pos, Term};
    use sim::TraceHash;
    use std::collections::VecDeque;

    fn applied(seq: u32) -> Applied {
        let pos = Pos {
            term: Term::FIRST,
            seq: 100 + seq,
        };
        Applied {
            seq,
            pos,
            place: pos,
        }
    }

    #[test]
    fn behaves_and_hashes_like_a_deque_of_the_latest() {
        let mut recent = Recent::default();
        let mut deque: VecDeque<Applied> = VecDeque::new();
        for seq in 1..=20 {
            assert!(recent.iter().eq(deque.iter()), "before {seq}");
            assert_eq!(TraceHash::of(recent), TraceHash::of(&deque), "before {seq}");
            recent.push(applied(seq));
            if deque.len() == RECENT_WRITES_KEPT {
                deque.pop_front();
            }
            deque.push_back(applied(seq));
        }
        assert_eq!(recent.iter().next(), Some(&applied(13)), "oldest first");
    }

    #[test]
    fn equal_contents_are_equal_wherever_the_ring_starts() {
        let mut a = Recent::default();
        let mut b = Recent::default();
        (1..=8).for_each(|seq| a.push(applied(seq)));
        (0..=8).for_each(|seq| b.push(applied(seq)));
        assert_eq!(a, b);
        assert_eq!(TraceHash::of(a), TraceHash::of(b));
        b.push(applied(9));
        assert_ne!(a, b);
    }
}
