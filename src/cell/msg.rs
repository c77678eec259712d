//! What nodes of the cell say to each other, the timers they set, and what they report.

pub use super::ids::{
    ClientNo, FileNo, LockId, LockMode, Pos, Req, ServerNo, Term, Version, WriteId,
};
use super::volume::{Snapshot, Update};
pub use output::{Invoked, LockEnd, OpKind, OpResult, Output};
use sim::{Duration, Message};
use std::rc::Rc;

mod output;

/// Why a master did not serve a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Refusal {
    /// Not the master (or not yet serving): try this one, if known.
    NotMaster(Option<ServerNo>),
    /// The master is recovering: retry later.
    Recovering,
    /// The lock is held by another client.
    LockConflict,
    /// Drop every callback first (OpenAFS `InitCallBackState`): this master does not
    /// know them, or gave up breaking one; acknowledge with `ResetAck`.
    ResetCallbacks,
}

/// The requests a master can refuse.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Asked {
    Fetch,
    Store,
    Replay,
    Lock,
    Reassert,
    Probe,
    Renew,
}

/// A token a client holds and reasserts to a new master.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Token {
    /// A callback on `file` holding `write` (`None`: the file as created), with this
    /// much of its lifetime left.
    Callback {
        file: FileNo,
        write: Option<WriteId>,
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

/// A grant a master extends from its tail lease to its full lease once a majority holds
/// it (the grant log), named by the request that obtained it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Extended {
    Callback {
        file: FileNo,
        req: Req,
        /// The full lifetime, counted on the client's clock from the request's sending.
        lifetime: Duration,
    },
    Lock {
        file: FileNo,
        lock: LockId,
        req: Req,
        lifetime: Duration,
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
        /// How long ago (on the voter's clock) it last voted yes for a different
        /// candidate: an age, never a reading, since two clocks drift apart.
        prev_yes_age: Option<Duration>,
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
        /// The write the file holds (`None`: the file as created).
        write: Option<WriteId>,
        callback: Duration,
    },
    Store {
        req: Req,
        write: WriteId,
        /// A replay to a new master carries the place the write first took.
        replay: Option<Pos>,
    },
    StoreOk {
        req: Req,
        term: Term,
        write: WriteId,
        /// The write's place in the file's history, for a replay if it is lost.
        place: Pos,
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
    /// The client has dropped every callback, as a `ResetCallbacks` refusal asked.
    ResetAck,
    /// Renew the client's lease (an NFSv4 `RENEW`, a Chubby KeepAlive).
    Renew {
        req: Req,
    },
    RenewOk {
        req: Req,
        term: Term,
        /// False while a callback break to the client is unacknowledged: the lease is not
        /// renewed, so it never outruns a lost break.
        renewed: bool,
    },
    /// These grants now hold for their full lease (the grant log's extension notice).
    Extend {
        term: Term,
        grants: Vec<Extended>,
    },
    ReassertReply {
        req: Req,
        term: Term,
        accepted: bool,
        /// Callbacks refused because the file changed: the client drops them.
        rejected: Vec<FileNo>,
    },
    /// A client that got a reply of an older term than one it has heard of tells the
    /// server: a master of an older term steps down, and the next election takes a newer
    /// term (else a master that won its lease back with its old term would serve nothing
    /// to that client for ever).
    NewerTerm {
        term: Term,
    },
}

impl Msg {
    /// The number of a client's request (`None`: a client message that is no request,
    /// or a server's message).
    pub fn client_req(&self) -> Option<Req> {
        match *self {
            Msg::Fetch { req, .. }
            | Msg::Store { req, .. }
            | Msg::Lock { req, .. }
            | Msg::Locate { req }
            | Msg::Probe { req }
            | Msg::Reassert { req, .. }
            | Msg::Renew { req } => Some(req),
            _ => None,
        }
    }
}

/// Message kinds as `summary.json` counts them (a reply under its request's kind).
pub const KINDS: [&str; 10] = [
    "fetch",
    "store",
    "callback_break",
    "lock",
    "locate",
    "reassert",
    "replicate",
    "election",
    "probe",
    "renew",
];

impl Message for Msg {
    fn kind(&self) -> usize {
        match self {
            Msg::Fetch { .. } | Msg::FetchOk { .. } => 0,
            Msg::Store { replay: None, .. } | Msg::StoreOk { .. } | Msg::Durable { .. } => 1,
            Msg::CallbackBreak { .. } | Msg::BreakAck { .. } => 2,
            Msg::Lock { .. } | Msg::LockOk { .. } | Msg::Unlock { .. } => 3,
            Msg::Locate { .. } | Msg::LocateReply { .. } => 4,
            Msg::Reassert { .. }
            | Msg::ReassertReply { .. }
            | Msg::Store {
                replay: Some(_), ..
            } => 5,
            Msg::SyncAsk { .. }
            | Msg::SyncInfo { .. }
            | Msg::SyncFetch
            | Msg::SyncData { .. }
            | Msg::Replicate { .. }
            | Msg::ReplicateSnapshot { .. }
            | Msg::ReplicateAck { .. } => 6,
            Msg::Beacon { .. } | Msg::Vote { .. } => 7,
            Msg::Probe { .. } | Msg::ProbeReply { .. } | Msg::NewerTerm { .. } => 8,
            Msg::Renew { .. } | Msg::RenewOk { .. } | Msg::Extend { .. } => 9,
            Msg::ResetAck
            | Msg::Refused {
                why: Refusal::ResetCallbacks,
                ..
            } => 2,
            Msg::Refused { asked, .. } => match asked {
                Asked::Fetch => 0,
                Asked::Store => 1,
                Asked::Lock => 3,
                Asked::Replay | Asked::Reassert => 5,
                Asked::Probe => 8,
                Asked::Renew => 9,
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
    BreakRetry {
        file: FileNo,
    },
    ReplicateTick {
        term: Term,
    },
    SyncRetry,
    Reopen,
    /// Ship the grant log's batch.
    GrantShip {
        term: Term,
    },
    // Client.
    Arrival,
    OpDeadline {
        op: u64,
    },
    Retry,
    RpcTimeout {
        req: Req,
    },
    Probe,
    LockRenew {
        file: FileNo,
    },
    LockRelease {
        file: FileNo,
    },
    LockExpire {
        file: FileNo,
    },
    Liveness,
    /// Renew the client lease.
    RenewLease,
    /// The client lease may have run out.
    LeaseExpire,
}
