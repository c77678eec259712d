//! A server's replica of the read-write volume: every file's current version, the writes
//! it has applied, and (for the quorum strategy) the replicated grant table.
//!
//! Replicas change only by applying the master's updates in order, so a replica is
//! always a prefix of some master's history, and `version` (the last update's position)
//! says how fresh it is. A new master adopts the freshest replica of a majority.
//!
//! Two orders are kept apart: an update's *position* in the replicated log, and a
//! write's *place* in its file's history. A fresh write's place is its position; a
//! replay keeps the place its first master gave it, so a file's content is the write
//! with the latest place, whatever order the writes reached this master in.

use super::grants::{Grants, GrantsSnapshot};
use super::ids::{ClientNo, FileNo, LockId, LockMode, Pos, Req, Version, WriteId};
use crate::rangeset::RangeSet;
use recent::Recent;
use sim::{Duration, Instant};

mod recent;

/// One client's writes applied to the volume.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct ClientWrites {
    /// Their sequence numbers: a client numbers its writes 1, 2, 3, …, so this is
    /// almost always one range.
    pub seqs: RangeSet,
    /// Where the latest few went: a retried write is one of them.
    recent: Recent,
}

/// Where a write went: its update's position in the log and its place in the file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Applied {
    pub seq: u32,
    pub pos: Pos,
    pub place: Pos,
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
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Update {
    /// A new master's first update: it claims its term in every replica it reaches. It
    /// follows only `base`, the replica the new master synced from: a replica with
    /// any other history must be replaced by a snapshot, not extended.
    Begin { pos: Pos, base: Pos },
    /// A data write at `place` in its file's history (its position, unless a replay);
    /// with the quorum strategy it also carries the writer's new callback and the request
    /// that asked for it.
    Write {
        pos: Pos,
        write: WriteId,
        place: Pos,
        callback: Option<(Duration, Req)>,
    },
    /// A callback grant (quorum strategy), asked for by the client's request `req`.
    Callback {
        pos: Pos,
        file: FileNo,
        client: ClientNo,
        left: Duration,
        req: Req,
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
    pub writes: Vec<ClientWrites>,
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
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Volume {
    pub version: Pos,
    pub files: Vec<FileState>,
    /// Per client, by number, the writes applied (up to the highest-numbered client that
    /// wrote): memory grows with clients, not with writes, and a write finds its client's
    /// entry without a search.
    pub writes: Vec<ClientWrites>,
    /// The replicated grant table (kept only by the quorum strategy).
    pub grants: Grants,
}

impl Volume {
    pub fn new(files: u32) -> Volume {
        Volume {
            version: Pos::default(),
            files: vec![FileState::default(); files as usize],
            writes: Vec::new(),
            grants: Grants::new(files),
        }
    }

    /// Whether `write` is in the volume's history here.
    pub fn has(&self, write: WriteId) -> bool {
        self.writes
            .get(write.client.idx())
            .is_some_and(|w| w.seqs.contains(write.seq))
    }

    /// Each client that wrote, with the numbers of its writes applied here.
    pub fn writers(&self) -> impl Iterator<Item = (ClientNo, &RangeSet)> {
        let numbered = (0..).map(ClientNo);
        let writes = self.writes.iter().map(|w| &w.seqs);
        numbered.zip(writes).filter(|(_, seqs)| !seqs.is_empty())
    }

    /// Where `write` went, if it is one of its client's latest.
    pub fn applied(&self, write: WriteId) -> Option<Applied> {
        let recent = &self.writes.get(write.client.idx())?.recent;
        recent.iter().find(|a| a.seq == write.seq).copied()
    }

    /// Whether a write at `place` would become `file`'s content: it follows the write the
    /// file holds in the file's history.
    pub fn would_lead(&self, file: FileNo, place: Pos) -> bool {
        place > self.files[file.idx()].current.place
    }

    /// Hint: ask for the entries applying `updates` reads first: a write's client's
    /// record, its file and the file's callbacks, a grant's list (see `sim::Node::warm`).
    #[inline(always)]
    pub fn warm(&self, updates: &[Update]) {
        for update in updates {
            match *update {
                Update::Begin { .. } => {}
                Update::Write { write, .. } => {
                    self.warm_writer(write.client);
                    self.warm_file(write.file);
                    self.grants.warm_callbacks(write.file);
                }
                Update::Callback { file, .. } => self.grants.warm_callbacks(file),
                Update::Lock { file, .. } | Update::Unlock { file, .. } => {
                    self.grants.warm_locks(file)
                }
            }
        }
    }

    /// Hint: ask for `file`'s entry, which serving a request about it reads.
    #[inline(always)]
    pub fn warm_file(&self, file: FileNo) {
        sim::prefetch_item(&self.files, file.idx());
    }

    /// Hint: ask for `client`'s record of applied writes, which a write of its reads
    /// (`has`) and applying one writes (see `sim::Node::warm`).
    #[inline(always)]
    pub fn warm_writer(&self, client: ClientNo) {
        sim::prefetch_item(&self.writes, client.idx());
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
                place,
                callback,
            } => {
                let c = write.client.idx();
                if c >= self.writes.len() {
                    self.writes.resize_with(c + 1, ClientWrites::default);
                }
                let mine = &mut self.writes[c];
                mine.seqs.insert(write.seq);
                let seq = write.seq;
                mine.recent.push(Applied { seq, pos, place });
                // A replay that arrives after a write that followed it is recorded, not
                // made the content.
                if !self.would_lead(write.file, place) {
                    return;
                }
                let file = &mut self.files[write.file.idx()];
                file.current = Version {
                    write: Some(write),
                    place,
                };
                // Every callback on the file was broken or has expired.
                self.grants.clear_callbacks(write.file);
                if let Some((left, req)) = callback {
                    self.grants
                        .add_callback(write.file, write.client, now + left, req);
                }
            }
            Update::Callback {
                file,
                client,
                left,
                req,
                ..
            } => self.grants.add_callback(file, client, now + left, req),
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
mod tests;
