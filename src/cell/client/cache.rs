//! The files a client holds under a callback. Looked up on every read and removed on
//! every break; over a long run a client's cache grows towards every file it ever read
//! (a callback that ran out stays, in case the clock is set back), so a tree paid a
//! search through cold nodes on each of those.
//!
//! A hash table then, open-addressed with linear probing and kept at most half full: a
//! lookup reads the entry at the file's home slot, most often the one it wants, and
//! seldom more than the line after. A general hash table first reads a control group,
//! then the entry it points to: two misses one after the other where, in a cell of
//! 1,000 clients over a day, every table is cold (the two were 8% of that run).
//!
//! Only looked up by file: the one walk through every entry (reassertion to a new master)
//! and the state's hash go in file order, so nothing depends on the table's layout. The
//! layout itself is a function of the operations alone (a fixed hash, no random state).

use crate::cell::ids::{FileNo, Req, WriteId};
use sim::Instant;
use std::hash::{Hash, Hasher};

/// A cached file: the write it holds (`None`: the file as created), and the local expiry
/// of its callback.
#[derive(Clone, Copy, Debug, Hash)]
pub(super) struct Cached {
    pub write: Option<WriteId>,
    pub expiry: Instant,
    /// The request that obtained the callback, and when it was sent (a grant log's
    /// notice names the request and counts its full lease from the sending).
    pub req: Req,
    pub sent: Instant,
}

/// The fewest slots a table that holds anything has.
const MIN_SLOTS: usize = 8;

/// The files cached, by file.
#[derive(Clone, Default)]
pub(super) struct Cache {
    /// Empty, or a power of two long and at most half full; an entry sits at its file's
    /// home slot or after it, with no empty slot between.
    slots: Vec<Option<(FileNo, Cached)>>,
    len: usize,
}

impl Cache {
    pub fn get(&self, file: &FileNo) -> Option<&Cached> {
        let i = self.find(*file).ok()?;
        self.slots[i].as_ref().map(|(_, c)| c)
    }

    pub fn get_mut(&mut self, file: &FileNo) -> Option<&mut Cached> {
        let i = self.find(*file).ok()?;
        self.slots[i].as_mut().map(|(_, c)| c)
    }

    pub fn insert(&mut self, file: FileNo, cached: Cached) {
        if 2 * (self.len + 1) > self.slots.len() {
            self.grow();
        }
        match self.find(file) {
            Ok(i) => self.slots[i] = Some((file, cached)),
            Err(i) => {
                self.slots[i] = Some((file, cached));
                self.len += 1;
            }
        }
    }

    /// Take `file` out, and move each entry after it that may fill its slot back towards
    /// its home (no markers left behind: a lookup stops at the first empty slot).
    pub fn remove(&mut self, file: &FileNo) {
        let Ok(mut hole) = self.find(*file) else {
            return;
        };
        self.slots[hole] = None;
        self.len -= 1;
        let mask = self.slots.len() - 1;
        let mut i = hole;
        loop {
            i = (i + 1) & mask;
            let Some((f, _)) = self.slots[i] else { return };
            // The entry may move back to the hole if the hole is not before its home
            // (cyclically): its distance from home is at least the hole's from it.
            let from_home = i.wrapping_sub(self.home(f)) & mask;
            if from_home >= i.wrapping_sub(hole) & mask {
                self.slots[hole] = self.slots[i].take();
                hole = i;
            }
        }
    }

    /// Hint: ask for `file`'s home slot, where a lookup of it starts, and the one after,
    /// where a lookup that passes it and a removal that shifts back look next.
    #[inline(always)]
    pub fn warm(&self, file: FileNo) {
        if !self.slots.is_empty() {
            let home = self.home(file);
            sim::prefetch_item(&self.slots, home);
            sim::prefetch_item(&self.slots, (home + 1) & (self.slots.len() - 1));
        }
    }

    pub fn clear(&mut self) {
        self.slots.fill(None);
        self.len = 0;
    }

    /// Every entry, in file order: the only walk through the table.
    pub fn sorted(&self) -> Vec<(FileNo, &Cached)> {
        let mut entries: Vec<(FileNo, &Cached)> =
            self.slots.iter().flatten().map(|(f, c)| (*f, c)).collect();
        entries.sort_unstable_by_key(|&(f, _)| f);
        entries
    }

    /// `Ok`: the slot holding `file`; `Err`: the empty slot where it would go (none in
    /// a table with no slots).
    fn find(&self, file: FileNo) -> Result<usize, usize> {
        if self.slots.is_empty() {
            return Err(0);
        }
        let mask = self.slots.len() - 1;
        let mut i = self.home(file);
        loop {
            match &self.slots[i] {
                Some((f, _)) if *f == file => return Ok(i),
                Some(_) => i = (i + 1) & mask,
                None => return Err(i),
            }
        }
    }

    /// The slot `file` goes to first: the top bits of a fixed multiplication, which
    /// spreads neighbouring numbers apart.
    fn home(&self, file: FileNo) -> usize {
        let bits = self.slots.len().trailing_zeros();
        (u64::from(file.0).wrapping_mul(0x9e37_79b9_7f4a_7c15) >> (64 - bits)) as usize
    }

    /// Double the slots (at first, `MIN_SLOTS`) and place every entry again.
    fn grow(&mut self) {
        let slots = (2 * self.slots.len()).max(MIN_SLOTS);
        let old = std::mem::replace(&mut self.slots, vec![None; slots]);
        for (file, cached) in old.into_iter().flatten() {
            let Err(i) = self.find(file) else {
                unreachable!("a file is in the table once")
            };
            self.slots[i] = Some((file, cached));
        }
    }
}

/// As a `BTreeMap` of the same entries hashes: the length, then each entry in file order.
impl Hash for Cache {
    fn hash<H: Hasher>(&self, h: &mut H) {
        self.sorted().hash(h);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cell::ids::ClientNo;
    use proptest::prelude::*;
    use std::collections::BTreeMap;
    use std::hash::DefaultHasher;

    fn hash_of(x: &impl Hash) -> u64 {
        let mut h = DefaultHasher::new();
        x.hash(&mut h);
        h.finish()
    }

    #[test]
    fn hashes_and_lists_as_a_tree_of_the_same_entries_would() {
        let mut cache = Cache::default();
        let mut tree = BTreeMap::new();
        for (i, f) in [907u32, 3, 41, 3, 1_000_000, 8].into_iter().enumerate() {
            let cached = Cached {
                write: Some(WriteId {
                    client: ClientNo(1),
                    seq: i as u32,
                    file: FileNo(f),
                }),
                expiry: Instant::from_micros(u64::from(f)),
                req: Req(i as u32),
                sent: Instant::ZERO,
            };
            cache.insert(FileNo(f), cached);
            tree.insert(FileNo(f), cached);
        }
        cache.remove(&FileNo(41));
        tree.remove(&FileNo(41));
        assert_eq!(hash_of(&cache), hash_of(&tree));
        let listed: Vec<FileNo> = cache.sorted().into_iter().map(|(f, _)| f).collect();
        assert_eq!(listed, tree.keys().copied().collect::<Vec<_>>());
        assert_eq!(cache.get(&FileNo(3)).map(|c| c.req), Some(Req(3)));
        assert!(cache.get(&FileNo(41)).is_none());
    }

    #[derive(Clone, Debug)]
    enum Op {
        Insert(u32, u32),
        Remove(u32),
        Clear,
    }

    fn op(files: u32) -> impl Strategy<Value = Op> {
        prop_oneof![
            6 => (0..files, any::<u32>()).prop_map(|(f, r)| Op::Insert(f, r)),
            4 => (0..files).prop_map(Op::Remove),
            1 => Just(Op::Clear),
        ]
    }

    proptest! {
        /// The table answers as a tree of the same entries after any run of inserts,
        /// removals and clears: files few enough to collide, many enough to grow it.
        #[test]
        fn answers_as_a_tree(ops in proptest::collection::vec(op(96), 0..400)) {
            let mut cache = Cache::default();
            let mut tree = BTreeMap::new();
            for op in ops {
                match op {
                    Op::Insert(f, r) => {
                        let cached = Cached {
                            write: None,
                            expiry: Instant::ZERO,
                            req: Req(r),
                            sent: Instant::ZERO,
                        };
                        cache.insert(FileNo(f), cached);
                        tree.insert(f, r);
                    }
                    Op::Remove(f) => {
                        cache.remove(&FileNo(f));
                        tree.remove(&f);
                    }
                    Op::Clear => {
                        cache.clear();
                        tree.clear();
                    }
                }
                prop_assert!(2 * cache.len <= cache.slots.len().max(1));
                for f in 0..96 {
                    prop_assert_eq!(cache.get(&FileNo(f)).map(|c| c.req.0), tree.get(&f).copied());
                }
                let listed: Vec<(u32, u32)> =
                    cache.sorted().into_iter().map(|(f, c)| (f.0, c.req.0)).collect();
                prop_assert_eq!(listed, tree.iter().map(|(&f, &r)| (f, r)).collect::<Vec<_>>());
            }
        }
    }

    #[test]
    fn get_mut_changes_the_entry_in_place() {
        let mut cache = Cache::default();
        let cached = Cached {
            write: None,
            expiry: Instant::ZERO,
            req: Req(1),
            sent: Instant::ZERO,
        };
        assert!(cache.get_mut(&FileNo(5)).is_none());
        cache.insert(FileNo(5), cached);
        cache.get_mut(&FileNo(5)).expect("cached").req = Req(9);
        assert_eq!(cache.get(&FileNo(5)).map(|c| c.req), Some(Req(9)));
    }

    #[test]
    fn no_order_comes_from_the_layout() {
        let cached = |f: u32| Cached {
            write: None,
            expiry: Instant::from_micros(u64::from(f)),
            req: Req(f),
            sent: Instant::ZERO,
        };
        // One table grows to hundreds of entries and loses most of them again; the other
        // gets only the survivors, in the opposite order: different capacities, buckets
        // and histories, the same entries.
        let mut grown = Cache::default();
        for f in 0..600 {
            grown.insert(FileNo(f * 7), cached(f * 7));
        }
        for f in (0..600).filter(|f| f % 5 != 0) {
            grown.remove(&FileNo(f * 7));
        }
        let mut fresh = Cache::default();
        for f in (0..600).rev().filter(|f| f % 5 == 0) {
            fresh.insert(FileNo(f * 7), cached(f * 7));
        }
        let files = |c: &Cache| c.sorted().into_iter().map(|(f, _)| f).collect::<Vec<_>>();
        assert_eq!(files(&grown), files(&fresh));
        assert_eq!(files(&grown).len(), 120);
        assert!(files(&grown).is_sorted());
        assert_eq!(hash_of(&grown), hash_of(&fresh));
    }
}
