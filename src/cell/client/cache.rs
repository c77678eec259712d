//! The files a client holds under a callback. Looked up on every read and removed on
//! every break; over a long run a client's cache grows towards every file it ever read
//! (a callback that ran out stays, in case the clock is set back), so a tree paid a
//! search through cold nodes on each of those, where a hash table goes to one bucket.
//!
//! Only looked up by file: the one walk through every entry (reassertion to a new master)
//! and the state's hash go in file order, so nothing depends on the table's layout.

use crate::cell::ids::{FileNo, Req, WriteId};
use sim::Instant;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hash, Hasher};

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

/// Spreads file numbers over the table: a fixed multiplication (no random state, so the
/// same run lays out the same table), its high bits folded into the low ones the table
/// indexes by.
#[derive(Default)]
struct FileHasher(u64);

impl Hasher for FileHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u32(u32::from(b));
        }
    }

    fn write_u32(&mut self, n: u32) {
        self.0 = (self.0.rotate_left(29) ^ u64::from(n)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }

    fn finish(&self) -> u64 {
        self.0 ^ (self.0 >> 32)
    }
}

/// The model's one hash table, an exception to "no hash-map iteration in the model"
/// (STYLE.md, habit 4) written down here: the table is walked only by [`Cache::sorted`],
/// which sorts by file before any entry leaves it, so no order in a run (messages, the
/// trace hash, an explored state's hash) comes from the table's layout. The test below
/// fills two tables in different orders, with different removals, and compares.
#[derive(Clone, Default)]
pub(super) struct Cache(HashMap<FileNo, Cached, BuildHasherDefault<FileHasher>>);

impl Cache {
    pub fn get(&self, file: &FileNo) -> Option<&Cached> {
        self.0.get(file)
    }

    pub fn get_mut(&mut self, file: &FileNo) -> Option<&mut Cached> {
        self.0.get_mut(file)
    }

    pub fn insert(&mut self, file: FileNo, cached: Cached) {
        self.0.insert(file, cached);
    }

    pub fn remove(&mut self, file: &FileNo) {
        self.0.remove(file);
    }

    pub fn clear(&mut self) {
        self.0.clear();
    }

    /// Every entry, in file order: the only walk through the table.
    pub fn sorted(&self) -> Vec<(FileNo, &Cached)> {
        let mut entries: Vec<(FileNo, &Cached)> = self.0.iter().map(|(&f, c)| (f, c)).collect();
        entries.sort_unstable_by_key(|&(f, _)| f);
        entries
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
