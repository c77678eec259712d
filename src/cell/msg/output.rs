//! What a client's operations ask for and how they end, and what every node reports to
//! the run's history: the outputs the checkers and the metrics read.

use super::{FileNo, LockMode, Term, WriteId};

/// The kinds of client operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum OpKind {
    Read,
    Write,
    Lock,
}

/// What an operation asks for, as it is invoked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Invoked {
    Read,
    /// A write, named when it is invoked.
    Write(WriteId),
    Lock(LockMode),
}

impl Invoked {
    pub fn kind(self) -> OpKind {
        match self {
            Invoked::Read => OpKind::Read,
            Invoked::Write(_) => OpKind::Write,
            Invoked::Lock(_) => OpKind::Lock,
        }
    }
}

/// How an operation ended, as its client saw it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OpResult {
    /// The content read (`None`: the file as created); `cached` if served from the cache.
    Read {
        write: Option<WriteId>,
        cached: bool,
    },
    /// The write was acknowledged, durable or not.
    Write { durable: bool },
    /// The lock is held.
    Lock,
    /// Every attempt was refused (or none was sent): it certainly took no effect.
    Failed,
    /// It did not succeed, but an attempt went unanswered: a write may have taken effect.
    Unknown,
}

impl OpResult {
    pub fn ok(self) -> bool {
        !matches!(self, OpResult::Failed | OpResult::Unknown)
    }
}

/// Why a client stopped holding a lock.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LockEnd {
    /// It sent the release.
    Released,
    /// Its lease ran out on its own clock, or a renewal was refused.
    Expired,
}

/// What nodes report to the run's history.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Output {
    // Clients.
    Invoke {
        op: u64,
        file: FileNo,
        what: Invoked,
        /// Issued by the liveness phase rather than the workload.
        probe: bool,
    },
    Done {
        op: u64,
        result: OpResult,
    },
    LockHeld {
        file: FileNo,
        mode: LockMode,
    },
    LockEnd {
        file: FileNo,
        end: LockEnd,
    },
    /// The master told us this acknowledged write is now durable.
    Durable {
        write: WriteId,
    },
    // Servers.
    BeaconSent {
        round: u64,
    },
    LeaseWon {
        round: u64,
    },
    MasterStart {
        term: Term,
    },
    MasterEnd,
    Synced,
    WritesOpen,
    LocksOpen,
    WindowOpen,
    WindowEnd,
}
