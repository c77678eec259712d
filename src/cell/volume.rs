//! A server's replica of the read-write volume: every file's current version, the writes
//! it has applied, and (for the quorum strategy) the replicated grant table.
//!
//! Replicas change only by applying the master's updates in order, so a replica is
//! always a prefix of some master's history, and `version` (the last update's position)
//! says how fresh it is. A new master adopts the freshest replica of a majority.

use super::grants::{Grants, GrantsSnapshot};
use super::msg::{ClientNo, FileNo, LockId, LockMode, Pos, Version, WriteId};
use sim::{Duration, Instant};
use std::collections::BTreeMap;

/// Sorted, disjoint, inclusive ranges of sequence numbers.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct RangeSet(Vec<(u32, u32)>);

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

    /// Members of `self` missing from `other`, and the first of them.
    pub fn missing_from(&self, other: &RangeSet) -> (u64, Option<u32>) {
        let (mut count, mut first) = (0, None);
        for &(lo, hi) in &self.0 {
            for x in lo..=hi {
                if !other.contains(x) {
                    count += 1;
                    first.get_or_insert(x);
                }
            }
        }
        (count, first)
    }
}

/// One client's writes applied to one file.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct ClientWrites {
    pub seqs: RangeSet,
    /// The latest one and where it went (a retried write is always its client's latest).
    pub last: (u32, Pos),
}

/// One file of the volume.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct FileState {
    pub current: Version,
    /// Per client, its writes applied to this file.
    pub applied: BTreeMap<ClientNo, ClientWrites>,
}

/// One change to the volume, stamped with its place in the history.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Update {
    /// A new master's first update: it claims its term in every replica it reaches. It
    /// follows only `base`, the replica the new master synced from: a replica with
    /// any other history must be replaced by a snapshot, not extended.
    Begin { pos: Pos, base: Pos },
    /// A data write; with the quorum strategy it also carries the writer's new callback.
    Write {
        pos: Pos,
        write: WriteId,
        callback: Option<Duration>,
    },
    /// A callback grant (quorum strategy).
    Callback {
        pos: Pos,
        file: FileNo,
        client: ClientNo,
        left: Duration,
    },
    /// A lock set or renewed (quorum strategy).
    Lock {
        pos: Pos,
        file: FileNo,
        lock: LockId,
        mode: LockMode,
        left: Duration,
    },
    /// A lock released (quorum strategy).
    Unlock {
        pos: Pos,
        file: FileNo,
        lock: LockId,
    },
}

impl Update {
    pub fn pos(&self) -> Pos {
        match self {
            Update::Begin { pos, .. }
            | Update::Write { pos, .. }
            | Update::Callback { pos, .. }
            | Update::Lock { pos, .. }
            | Update::Unlock { pos, .. } => *pos,
        }
    }
}

/// A replica in transit (Ubik sync, or a lagging replica catching up).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snapshot {
    pub version: Pos,
    pub files: Vec<FileState>,
    pub grants: GrantsSnapshot,
}

/// The trace hash takes a snapshot's version and size: its contents follow from the
/// updates already hashed, and hashing megabytes per message would dominate the run.
impl std::hash::Hash for Snapshot {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        self.version.hash(h);
        self.files.len().hash(h);
    }
}

/// A server's replica.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Volume {
    pub version: Pos,
    pub files: Vec<FileState>,
    /// The replicated grant table (kept only by the quorum strategy).
    pub grants: Grants,
}

impl Volume {
    pub fn new(files: u32) -> Volume {
        Volume {
            version: Pos::default(),
            files: vec![FileState::default(); files as usize],
            grants: Grants::new(files),
        }
    }

    /// Whether `write` is in the file's history here.
    pub fn has(&self, write: WriteId) -> bool {
        self.files[write.file as usize]
            .applied
            .get(&write.client)
            .is_some_and(|w| w.seqs.contains(write.seq))
    }

    /// Where `write` went, if it is its client's latest on the file.
    pub fn position_of(&self, write: WriteId) -> Option<Pos> {
        let writes = self.files[write.file as usize].applied.get(&write.client)?;
        (writes.last.0 == write.seq).then_some(writes.last.1)
    }

    /// Apply the next update, received at local time `now`.
    ///
    /// # Panics
    /// If the update does not directly follow this replica's version.
    pub fn apply(&mut self, update: &Update, now: Instant) {
        let pos = update.pos();
        assert!(
            self.follows(update),
            "update {pos:?} does not follow {:?}",
            self.version
        );
        self.version = pos;
        match *update {
            Update::Begin { .. } => {}
            Update::Write {
                pos,
                write,
                callback,
            } => {
                let file = &mut self.files[write.file as usize];
                file.current = Version {
                    write: Some(write),
                    pos,
                };
                let mine = file.applied.entry(write.client).or_default();
                mine.seqs.insert(write.seq);
                mine.last = (write.seq, pos);
                // Every other callback on the file was broken or has expired.
                self.grants.keep_only_callback(write.file, write.client);
                if let Some(left) = callback {
                    self.grants
                        .add_callback(write.file, write.client, now + left);
                }
            }
            Update::Callback {
                file, client, left, ..
            } => self.grants.add_callback(file, client, now + left),
            Update::Lock {
                file,
                lock,
                mode,
                left,
                ..
            } => self.grants.set_lock(file, lock, mode, now + left),
            Update::Unlock { file, lock, .. } => self.grants.unlock(file, lock),
        }
    }

    /// Whether `update` can be applied next.
    /// Whether `update` can be applied next: the next of this term, or a new term's
    /// first update built on exactly this replica.
    pub fn follows(&self, update: &Update) -> bool {
        let pos = update.pos();
        match *update {
            Update::Begin { base, .. } => base == self.version && pos.seq == base.seq + 1,
            _ => pos.term == self.version.term && pos.seq == self.version.seq + 1,
        }
    }

    pub fn snapshot(&self, now: Instant) -> Snapshot {
        Snapshot {
            version: self.version,
            files: self.files.clone(),
            grants: self.grants.snapshot(now),
        }
    }

    pub fn restore(snapshot: &Snapshot, now: Instant) -> Volume {
        Volume {
            version: snapshot.version,
            files: snapshot.files.clone(),
            grants: Grants::restore(snapshot.files.len() as u32, &snapshot.grants, now),
        }
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
        assert_eq!(r.missing_from(&other), (4, Some(1)));
        r.insert(7);
        r.insert(8);
        assert_eq!(r.0, vec![(1, 5), (7, 9)]);
        r.insert(6);
        assert_eq!(r.0, vec![(1, 9)]);
    }

    #[test]
    fn updates_apply_only_in_order() {
        let mut v = Volume::new(2);
        let w = WriteId {
            client: 3,
            file: 1,
            seq: 1,
        };
        let pos = Pos {
            term: Default::default(),
            seq: 1,
        };
        let up = Update::Write {
            pos,
            write: w,
            callback: None,
        };
        assert!(v.follows(&up));
        v.apply(&up, Instant::ZERO);
        assert!(v.has(w));
        assert_eq!(v.files[1].current.write, Some(w));
        assert!(!v.follows(&up), "the same update twice");
    }

    #[test]
    fn a_new_term_extends_only_the_replica_it_was_built_on() {
        let t = |number| crate::cell::msg::Term { number, server: 0 };
        let at = |number, seq| Pos {
            term: t(number),
            seq,
        };
        let mut base = Volume::new(1);
        base.version = at(1, 7);
        let mut diverged = Volume::new(1);
        diverged.version = at(1, 8);
        let begin = Update::Begin {
            pos: at(2, 8),
            base: at(1, 7),
        };
        assert!(base.follows(&begin));
        assert!(!diverged.follows(&begin), "same sequence, other history");
        let next = Update::Unlock {
            pos: at(2, 9),
            file: 0,
            lock: Default::default(),
        };
        assert!(
            !diverged.follows(&next),
            "a new term's update on an old term"
        );
        base.apply(&begin, Instant::ZERO);
        assert!(base.follows(&next));
    }
}
