//! The identifiers and small value types that the messages, the volume and the grant
//! table all use: who a node is, which file, which write, which term and place.
//!
//! They live apart from the messages so that the volume and the grant table can name
//! them without depending on what nodes say to each other.

/// A server's number (`fsN`).
pub type ServerNo = u32;
/// A client's number (`cN`).
pub type ClientNo = u32;
/// A file's number in the volume.
pub type FileNo = u32;

/// A write's identity: the client, the file, and the client's count of its writes (every
/// file together), given when the write is invoked. Unique for the run, so a forgetful
/// master can never make two writes look alike.
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

impl Term {
    /// The term of `fs0`, master at time zero.
    pub const FIRST: Term = Term {
        number: 1,
        server: 0,
    };
}

/// Where an update sits in the volume's history: `(term, sequence)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Pos {
    pub term: Term,
    pub seq: u64,
}

/// A file's content at a server: the write it holds (`None`: the file as created) and
/// that write's place in the file's history. The place is fixed when a master first
/// applies the write and travels with it through replication and replay, so a replay
/// that arrives late never overwrites a write that followed it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Version {
    pub write: Option<WriteId>,
    pub place: Pos,
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
