//! Sorted, disjoint, inclusive ranges of numbers: a client numbers its writes 1, 2, 3, …,
//! so the set of those a server holds or a checker has seen acknowledged is almost
//! always one range, and memory grows with clients, not with writes.

use std::hash::{Hash, Hasher};

/// Sorted, disjoint, inclusive ranges of sequence numbers, none touching the next.
///
/// The last range, where a client's next number lands, is kept in the set itself and
/// only the earlier ones (left by a gap) in a vector: in a large cell a set lives in a
/// per-client table, and reaching its one range through the vector's pointer was a
/// second cold line on every write applied and every acknowledgement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RangeSet {
    /// The ranges before the last, in order; empty while the set is.
    head: Vec<(u32, u32)>,
    /// The last range; `EMPTY` while the set is empty.
    last: (u32, u32),
}

/// The last range of an empty set: no number is in it.
const EMPTY: (u32, u32) = (1, 0);

impl Default for RangeSet {
    fn default() -> RangeSet {
        RangeSet {
            head: Vec::new(),
            last: EMPTY,
        }
    }
}

impl RangeSet {
    pub fn contains(&self, x: u32) -> bool {
        let (lo, hi) = self.last;
        if x >= lo {
            return x <= hi;
        }
        let i = self.head.partition_point(|&(_, hi)| hi < x);
        self.head.get(i).is_some_and(|&(lo, _)| lo <= x)
    }

    pub fn insert(&mut self, x: u32) {
        let (lo, hi) = self.last;
        if self.is_empty() {
            self.last = (x, x);
        } else if x > hi {
            // The common case: the next number, or a new range after a gap.
            if x == hi + 1 {
                self.last.1 = x;
            } else {
                self.head.push(self.last);
                self.last = (x, x);
            }
        } else if x >= lo {
            // Already in.
        } else if x == lo - 1 {
            self.last.0 = x;
            if let Some(&(head_lo, head_hi)) = self.head.last()
                && head_hi + 1 == x
            {
                self.last.0 = head_lo;
                self.head.pop();
            }
        } else {
            // Below the last range and not touching it: in the head, which it cannot
            // join to the last range.
            insert_into(&mut self.head, x);
        }
    }

    pub fn len(&self) -> u64 {
        self.ranges().map(|(lo, hi)| u64::from(hi - lo) + 1).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.last.0 > self.last.1
    }

    /// The ranges, in order.
    pub fn ranges(&self) -> impl Iterator<Item = (u32, u32)> + '_ {
        let last = (!self.is_empty()).then_some(self.last);
        self.head.iter().copied().chain(last)
    }

    /// Members of `self` missing from `other`, in order.
    pub fn missing_from<'a>(&'a self, other: &'a RangeSet) -> impl Iterator<Item = u32> + 'a {
        self.ranges()
            .flat_map(|(lo, hi)| lo..=hi)
            .filter(|&x| !other.contains(x))
    }
}

/// Hashed as the vector of its ranges: their number, then each in order.
impl Hash for RangeSet {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_usize(self.head.len() + usize::from(!self.is_empty()));
        for range in self.ranges() {
            range.hash(state);
        }
    }
}

/// Add `x` to sorted, disjoint, non-touching `ranges`, merging what it joins.
fn insert_into(ranges: &mut Vec<(u32, u32)>, x: u32) {
    let i = ranges.partition_point(|&(_, hi)| hi.saturating_add(1) < x);
    match ranges.get_mut(i) {
        Some((lo, hi)) if *lo <= x.saturating_add(1) => {
            *lo = (*lo).min(x);
            *hi = (*hi).max(x);
            // Merge with the next range if they now touch.
            if let Some(&(next_lo, next_hi)) = ranges.get(i + 1)
                && next_lo <= ranges[i].1.saturating_add(1)
            {
                ranges[i].1 = ranges[i].1.max(next_hi);
                ranges.remove(i + 1);
            }
        }
        _ => ranges.insert(i, (x, x)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sim::{Prng, TraceHash};

    fn ranges(r: &RangeSet) -> Vec<(u32, u32)> {
        r.ranges().collect()
    }

    #[test]
    fn range_set_inserts_merge_and_count_missing() {
        let mut r = RangeSet::default();
        for x in [5, 1, 3, 2, 9, 4] {
            r.insert(x);
        }
        assert_eq!(ranges(&r), vec![(1, 5), (9, 9)]);
        assert!(r.contains(3) && r.contains(9) && !r.contains(6) && !r.contains(0));
        assert_eq!(r.len(), 6);
        let mut other = RangeSet::default();
        other.insert(2);
        other.insert(9);
        assert_eq!(r.missing_from(&other).collect::<Vec<_>>(), [1, 3, 4, 5]);
        r.insert(7);
        r.insert(8);
        assert_eq!(ranges(&r), vec![(1, 5), (7, 9)]);
        r.insert(6);
        assert_eq!(ranges(&r), vec![(1, 9)]);
    }

    /// Against the plain vector of ranges it stands for, over random inserts near and
    /// far, zero and the largest number among them: the same ranges, answers and hash.
    #[test]
    fn range_set_matches_a_vector_of_ranges_and_hashes_as_one() {
        let mut rng = Prng::new(3);
        for round in 0..200 {
            let (mut set, mut vec) = (RangeSet::default(), Vec::new());
            let span = [8, 40, 300][round % 3];
            assert_eq!(TraceHash::of(&set), TraceHash::of(&vec), "empty");
            for _ in 0..60 {
                let x = match rng.below(10) {
                    0 => 0,
                    1 => u32::MAX,
                    _ => rng.below(span) as u32,
                };
                set.insert(x);
                insert_into(&mut vec, x);
                assert_eq!(ranges(&set), vec, "round {round}");
                assert_eq!(TraceHash::of(&set), TraceHash::of(&vec));
                let y = rng.below(span + 2) as u32;
                let want = vec.iter().any(|&(lo, hi)| lo <= y && y <= hi);
                assert_eq!(set.contains(y), want, "contains {y} in {vec:?}");
                assert!(set.contains(x) && set.contains(0) == vec[0].0.eq(&0));
            }
        }
    }
}
