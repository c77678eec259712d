//! A client's operations in progress, one per busy file: a handful at a time, looked at on
//! every event (`drive` lists the ones ready to send), so a sorted vector beats a tree.

use crate::cell::ids::FileNo;

/// A map from file to `V` kept as a vector sorted by file: iterates in file order, as a
/// `BTreeMap` does, and hashes exactly as one would (the length, then each key and value
/// in key order).
#[derive(Clone, Debug, Hash)]
pub(super) struct FileMap<V>(Vec<(FileNo, V)>);

impl<V> Default for FileMap<V> {
    fn default() -> Self {
        FileMap(Vec::new())
    }
}

impl<V> FileMap<V> {
    /// Hint: ask for the first entry.
    #[inline(always)]
    pub fn warm(&self) {
        sim::prefetch_item(&self.0, 0);
    }

    fn find(&self, file: FileNo) -> Result<usize, usize> {
        self.0.binary_search_by_key(&file, |&(f, _)| f)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// The entry at position `i` in file order.
    pub fn nth_mut(&mut self, i: usize) -> (FileNo, &mut V) {
        let (file, value) = &mut self.0[i];
        (*file, value)
    }

    pub fn contains_key(&self, file: &FileNo) -> bool {
        self.find(*file).is_ok()
    }

    pub fn get(&self, file: &FileNo) -> Option<&V> {
        let i = self.find(*file).ok()?;
        Some(&self.0[i].1)
    }

    pub fn get_mut(&mut self, file: &FileNo) -> Option<&mut V> {
        let i = self.find(*file).ok()?;
        Some(&mut self.0[i].1)
    }

    /// Set `file`'s value; the one it replaces, if any.
    pub fn insert(&mut self, file: FileNo, value: V) -> Option<V> {
        match self.find(file) {
            Ok(i) => Some(std::mem::replace(&mut self.0[i].1, value)),
            Err(i) => {
                self.0.insert(i, (file, value));
                None
            }
        }
    }

    pub fn remove(&mut self, file: &FileNo) -> Option<V> {
        let i = self.find(*file).ok()?;
        Some(self.0.remove(i).1)
    }

    /// Every entry in file order.
    pub fn iter(&self) -> impl Iterator<Item = (&FileNo, &V)> {
        self.0.iter().map(|(f, v)| (f, v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sim::TraceHash;
    use std::collections::BTreeMap;
    use std::hash::Hash;

    fn hash(value: impl Hash) -> u64 {
        TraceHash::of(value)
    }

    #[test]
    fn behaves_and_hashes_like_a_btreemap() {
        let mut map = FileMap::default();
        let mut tree = BTreeMap::new();
        assert_eq!(hash(&map), hash(&tree));
        for (file, value) in [(5, 'a'), (1, 'b'), (9, 'c'), (5, 'd'), (3, 'e')] {
            assert_eq!(
                map.insert(FileNo(file), value),
                tree.insert(FileNo(file), value)
            );
        }
        assert_eq!(map.remove(&FileNo(1)), tree.remove(&FileNo(1)));
        assert_eq!(map.remove(&FileNo(2)), tree.remove(&FileNo(2)));
        *map.get_mut(&FileNo(9)).expect("present") = 'f';
        *tree.get_mut(&FileNo(9)).expect("present") = 'f';
        assert!(map.iter().eq(tree.iter()));
        assert_eq!(map.get(&FileNo(3)), tree.get(&FileNo(3)));
        assert!(!map.contains_key(&FileNo(1)));
        assert_eq!(hash(&map), hash(&tree));
    }
}
