//! Sorted, disjoint, inclusive ranges of numbers: a client numbers its writes 1, 2, 3, …,
//! so the set of those a server holds or a checker has seen acknowledged is almost
//! always one range, and memory grows with clients, not with writes.

/// Sorted, disjoint, inclusive ranges of sequence numbers.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct RangeSet(pub(crate) Vec<(u32, u32)>);

impl RangeSet {
    pub fn contains(&self, x: u32) -> bool {
        let i = self.0.partition_point(|&(_, hi)| hi < x);
        self.0.get(i).is_some_and(|&(lo, _)| lo <= x)
    }

    pub fn insert(&mut self, x: u32) {
        let i = self.0.partition_point(|&(_, hi)| hi.saturating_add(1) < x);
        match self.0.get_mut(i) {
            Some((lo, hi)) if *lo <= x.saturating_add(1) => {
                *lo = (*lo).min(x);
                *hi = (*hi).max(x);
                // Merge with the next range if they now touch.
                if let Some(&(next_lo, next_hi)) = self.0.get(i + 1)
                    && next_lo <= self.0[i].1.saturating_add(1)
                {
                    self.0[i].1 = self.0[i].1.max(next_hi);
                    self.0.remove(i + 1);
                }
            }
            _ => self.0.insert(i, (x, x)),
        }
    }

    pub fn len(&self) -> u64 {
        self.0.iter().map(|&(lo, hi)| u64::from(hi - lo) + 1).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Members of `self` missing from `other`, in order.
    pub fn missing_from<'a>(&'a self, other: &'a RangeSet) -> impl Iterator<Item = u32> + 'a {
        self.0
            .iter()
            .flat_map(|&(lo, hi)| lo..=hi)
            .filter(|&x| !other.contains(x))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn range_set_inserts_merge_and_count_missing() {
        let mut r = RangeSet::default();
        for x in [5, 1, 3, 2, 9, 4] {
            r.insert(x);
        }
        assert_eq!(r.0, vec![(1, 5), (9, 9)]);
        assert!(r.contains(3) && r.contains(9) && !r.contains(6) && !r.contains(0));
        assert_eq!(r.len(), 6);
        let mut other = RangeSet::default();
        other.insert(2);
        other.insert(9);
        assert_eq!(r.missing_from(&other).collect::<Vec<_>>(), [1, 3, 4, 5]);
        r.insert(7);
        r.insert(8);
        assert_eq!(r.0, vec![(1, 5), (7, 9)]);
        r.insert(6);
        assert_eq!(r.0, vec![(1, 9)]);
    }
}
