//! A server's replica of the read-write volume: every file's current version, the writes
//! it has applied, and (for the quorum strategy) the replicated grant table.
//!
//! Replicas change only by applying the master's updates in order, so a replica is
//! always a prefix of some master's history, and `version` (the last update's position)
//! says how fresh it is. A new master adopts the freshest replica of a majority.

use super::grants::{Grants, GrantsSnapshot};
use super::msg::{ClientNo, FileNo, LockId, LockMode, Pos, Version, WriteId};
use sim::{Duration, Instant};
use std::collections::{BTreeMap, VecDeque};

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

    /// Members of `self` missing from `other`, in order.
    pub fn missing_from<'a>(&'a self, other: &'a RangeSet) -> impl Iterator<Item = u32> + 'a {
        self.0
            .iter()
            .flat_map(|&(lo, hi)| lo..=hi)
            .filter(|&x| !other.contains(x))
    }
}

/// One client's writes applied to the volume.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct ClientWrites {
    /// Their sequence numbers: a client numbers its writes 1, 2, 3, …, so this is
    /// almost always one range.
    pub seqs: RangeSet,
    /// Where the latest few went, oldest first: a retried write is one of them.
    recent: VecDeque<(u32, Pos)>,
}

/// Positions of a client's latest writes kept for answering retries. A client retries
/// only a write in progress, and it would need this many writes to other files applied
/// after it before the retry lands; the master then cannot say where the write went and
/// the retry fails rather than answer wrongly.
pub const RECENT_WRITES_KEPT: usize = 8;

/// One file of the volume.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct FileState {
    pub current: Version,
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
    pub writes: BTreeMap<ClientNo, ClientWrites>,
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
    /// Per client, the writes applied: memory grows with clients, not with writes.
    pub writes: BTreeMap<ClientNo, ClientWrites>,
    /// The replicated grant table (kept only by the quorum strategy).
    pub grants: Grants,
}

impl Volume {
    pub fn new(files: u32) -> Volume {
        Volume {
            version: Pos::default(),
            files: vec![FileState::default(); files as usize],
            writes: BTreeMap::new(),
            grants: Grants::new(files),
        }
    }

    /// Whether `write` is in the volume's history here.
    pub fn has(&self, write: WriteId) -> bool {
        self.writes
            .get(&write.client)
            .is_some_and(|w| w.seqs.contains(write.seq))
    }

    /// Where `write` went, if it is one of its client's latest.
    pub fn position_of(&self, write: WriteId) -> Option<Pos> {
        let recent = &self.writes.get(&write.client)?.recent;
        recent
            .iter()
            .find(|&&(seq, _)| seq == write.seq)
            .map(|&(_, pos)| pos)
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
                let mine = self.writes.entry(write.client).or_default();
                mine.seqs.insert(write.seq);
                if mine.recent.len() == RECENT_WRITES_KEPT {
                    mine.recent.pop_front();
                }
                mine.recent.push_back((write.seq, pos));
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
            writes: self.writes.clone(),
            grants: self.grants.snapshot(now),
        }
    }

    pub fn restore(snapshot: &Snapshot, now: Instant) -> Volume {
        Volume {
            version: snapshot.version,
            files: snapshot.files.clone(),
            writes: snapshot.writes.clone(),
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
        assert_eq!(r.missing_from(&other).collect::<Vec<_>>(), [1, 3, 4, 5]);
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
    fn a_client_s_latest_writes_keep_their_positions() {
        let mut v = Volume::new(4);
        let total = RECENT_WRITES_KEPT as u32 + 2;
        for seq in 1..=total {
            let up = Update::Write {
                pos: Pos {
                    term: Default::default(),
                    seq: u64::from(seq),
                },
                write: WriteId {
                    client: 7,
                    file: seq % 4,
                    seq,
                },
                callback: None,
            };
            v.apply(&up, Instant::ZERO);
        }
        let w = |seq: u32| WriteId {
            client: 7,
            file: seq % 4,
            seq,
        };
        assert!((1..=total).all(|seq| v.has(w(seq))));
        assert_eq!(v.writes[&7].seqs.0, vec![(1, total)], "one range");
        assert_eq!(
            v.position_of(w(total)).map(|p| p.seq),
            Some(u64::from(total))
        );
        assert_eq!(v.position_of(w(3)).map(|p| p.seq), Some(3));
        assert_eq!(v.position_of(w(2)), None, "too old to say");
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
