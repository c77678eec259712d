//! What nodes of the cell say to each other, the timers they set, and what they report.

use super::volume::{Snapshot, Update};
use sim::{Duration, Instant, Message};
use std::rc::Rc;

/// A server's number (`fsN`).
pub type ServerNo = u32;
/// A client's number (`cN`).
pub type ClientNo = u32;
/// A file's number in the volume.
pub type FileNo = u32;

/// A write's identity: the client, the file, and the client's count of writes to that
/// file. Unique for the run, so a forgetful master can never make two writes look alike.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct WriteId {
    pub client: ClientNo,
    pub file: FileNo,
    pub seq: u32,
}

impl std::fmt::Display for WriteId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "c{}#{}", self.client, self.seq)
    }
}

/// A master's term: the number it chose when elected, and its own number to break ties.
/// Every update a master makes is stamped with its term, so later terms order later.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Term {
    pub number: u64,
    pub server: ServerNo,
}

/// Where an update sits in the volume's history: `(term, sequence)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Pos {
    pub term: Term,
    pub seq: u64,
}

/// What a read returns: the write it sees (`None`: the file as created) and where that
/// write sits in the history of the master that served it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Version {
    pub write: Option<WriteId>,
    pub pos: Pos,
}

/// Shared or exclusive whole-file lock.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LockMode {
    Shared,
    Exclusive,
}

/// A client's request number, echoed in the reply.
pub type Req = u64;

/// One acquisition of a lock by one client: `(client, count of its acquisitions)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct LockId {
    pub client: ClientNo,
    pub seq: u64,
}

/// Why a master did not serve a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Refusal {
    /// Not the master (or not yet serving): try this one, if known.
    NotMaster(Option<ServerNo>),
    /// The master is recovering: retry later.
    Recovering,
    /// The lock is held by another client.
    LockConflict,
}

/// The requests a master can refuse.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Asked {
    Fetch,
    Store,
    Replay,
    Lock,
    Reassert,
}

/// A token a client holds and reasserts to a new master.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Token {
    /// A callback on `file` at `version`, with this much of its lifetime left.
    Callback {
        file: FileNo,
        version: Version,
        left: Duration,
    },
    /// A lock with this much of its lease left.
    Lock {
        file: FileNo,
        mode: LockMode,
        left: Duration,
        lock: LockId,
    },
}

/// Every message of the cell.
#[derive(Clone, Debug, PartialEq, Hash)]
pub enum Msg {
    // Election (Ubik-like): beacons and votes.
    Beacon {
        round: u64,
        master: Option<Term>,
    },
    Vote {
        round: u64,
        yes: bool,
        /// When (on the voter's clock) it last voted yes for a different candidate.
        prev_yes_at: Option<Instant>,
        /// The latest term this voter knows.
        term: Term,
    },
    // A new master's recovery: claim the term, learn the freshest replica, copy it.
    SyncAsk {
        term: Term,
    },
    SyncInfo {
        term: Term,
        version: Pos,
    },
    SyncFetch,
    SyncData {
        snapshot: Box<Snapshot>,
    },
    // Replication of the volume's updates from the master.
    Replicate {
        term: Term,
        /// Shared by the copies sent to each replica.
        updates: Rc<[Update]>,
    },
    ReplicateSnapshot {
        term: Term,
        snapshot: Box<Snapshot>,
    },
    ReplicateAck {
        term: Term,
        version: Pos,
    },
    // Client to master and back.
    Fetch {
        req: Req,
        file: FileNo,
    },
    FetchOk {
        req: Req,
        term: Term,
        file: FileNo,
        version: Version,
        callback: Duration,
    },
    Store {
        req: Req,
        write: WriteId,
        replay: bool,
    },
    StoreOk {
        req: Req,
        term: Term,
        write: WriteId,
        pos: Pos,
        durable: bool,
        callback: Duration,
    },
    Durable {
        writes: Vec<WriteId>,
    },
    /// Acquire, or renew, lock `lock` (a renewal names the lock it extends).
    Lock {
        req: Req,
        file: FileNo,
        mode: LockMode,
        lock: LockId,
    },
    LockOk {
        req: Req,
        term: Term,
    },
    /// Release lock `lock`: only that one, so a release that arrives after the same
    /// client locked the file again leaves the new lock alone.
    Unlock {
        file: FileNo,
        lock: LockId,
    },
    Refused {
        req: Req,
        why: Refusal,
        /// The refusing master's term (a recovering master tells clients who it is).
        term: Option<Term>,
        /// What was asked, so the refusal is counted under its request's kind.
        asked: Asked,
    },
    /// Drop the cached copy of `file`: `write` is about to change it.
    CallbackBreak {
        file: FileNo,
        write: WriteId,
    },
    /// Names the break it answers, so that a late or duplicated ack cannot cancel a
    /// callback granted after that break.
    BreakAck {
        file: FileNo,
        write: WriteId,
    },
    Locate {
        req: Req,
    },
    LocateReply {
        req: Req,
        master: Option<ServerNo>,
    },
    Probe {
        req: Req,
    },
    ProbeReply {
        req: Req,
        term: Option<Term>,
    },
    Reassert {
        req: Req,
        tokens: Vec<Token>,
    },
    ReassertReply {
        req: Req,
        term: Term,
        accepted: bool,
        /// Callbacks refused because the file changed: the client drops them.
        rejected: Vec<FileNo>,
    },
}

/// Message kinds as `summary.json` counts them (a reply under its request's kind).
pub const KINDS: [&str; 9] = [
    "fetch",
    "store",
    "callback_break",
    "lock",
    "locate",
    "reassert",
    "replicate",
    "election",
    "probe",
];

impl Message for Msg {
    fn kind(&self) -> usize {
        match self {
            Msg::Fetch { .. } | Msg::FetchOk { .. } => 0,
            Msg::Store { replay: false, .. } | Msg::StoreOk { .. } | Msg::Durable { .. } => 1,
            Msg::CallbackBreak { .. } | Msg::BreakAck { .. } => 2,
            Msg::Lock { .. } | Msg::LockOk { .. } | Msg::Unlock { .. } => 3,
            Msg::Locate { .. } | Msg::LocateReply { .. } => 4,
            Msg::Reassert { .. } | Msg::ReassertReply { .. } | Msg::Store { replay: true, .. } => 5,
            Msg::SyncAsk { .. }
            | Msg::SyncInfo { .. }
            | Msg::SyncFetch
            | Msg::SyncData { .. }
            | Msg::Replicate { .. }
            | Msg::ReplicateSnapshot { .. }
            | Msg::ReplicateAck { .. } => 6,
            Msg::Beacon { .. } | Msg::Vote { .. } => 7,
            Msg::Probe { .. } | Msg::ProbeReply { .. } => 8,
            Msg::Refused { asked, .. } => match asked {
                Asked::Fetch => 0,
                Asked::Store => 1,
                Asked::Lock => 3,
                Asked::Replay | Asked::Reassert => 5,
            },
        }
    }
}

/// Every timer of the cell.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Timer {
    // Server.
    Beacon,
    LeaseCheck,
    BreakRetry { file: FileNo },
    ReplicateTick,
    SyncRetry,
    Reopen,
    // Client.
    Arrival,
    OpDeadline { op: u64 },
    Retry,
    RpcTimeout { req: Req },
    Probe,
    LockRenew { file: FileNo },
    LockRelease { file: FileNo },
    LockExpire { file: FileNo },
    Liveness,
}

/// The kinds of client operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum OpKind {
    Read,
    Write,
    Lock,
}

/// How an operation ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OpResult {
    Read(Version),
    /// The write, where it went, and whether it was durable when acknowledged.
    Write(WriteId, Pos, bool),
    Lock,
    Failed,
}

/// What nodes report to the run's history.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Output {
    // Clients.
    Invoke {
        op: u64,
        kind: OpKind,
        file: FileNo,
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
