//! The identifiers and small value types that the messages, the volume and the grant
//! table all use: who a node is, which file, which write, which term and place.
//!
//! They live apart from the messages so that the volume and the grant table can name
//! them without depending on what nodes say to each other.
//!
//! A server's, a client's and a file's numbers are each their own type, so one cannot
//! stand for another:
//!
//! ```compile_fail
//! use afsim::cell::ids::{ClientNo, FileNo};
//! fn holder(client: ClientNo) -> ClientNo {
//!     client
//! }
//! holder(FileNo(3));
//! ```
//!
//! ```
//! # use afsim::cell::ids::ClientNo;
//! # fn holder(client: ClientNo) -> ClientNo {
//! #     client
//! # }
//! holder(ClientNo(3));
//! ```

use serde::{Deserialize, Serialize};
use std::fmt;
use std::hash::{Hash, Hasher};

/// `Hash` for a newtype over an integer, exactly as the integer hashes. A derived `Hash`
/// would match it one value at a time but not in a list: std hashes a slice of integers
/// with one `write` of all their bytes, a slice of anything else one element at a time,
/// and the trace hash tells the two apart (a list of rejected files in a message, the
/// votes in a server's state).
macro_rules! hash_as_number {
    ($name:ident, $number:ty) => {
        impl Hash for $name {
            fn hash<H: Hasher>(&self, state: &mut H) {
                <$number>::from(self.0).hash(state);
            }

            fn hash_slice<H: Hasher>(data: &[Self], state: &mut H) {
                let numbers: Vec<$number> = data.iter().map(|n| <$number>::from(n.0)).collect();
                <$number>::hash_slice(&numbers, state);
            }
        }
    };
}

/// A number that names one kind of thing: a `u32` of its own type, so that a file's
/// number passed where a client's is wanted does not compile. It hashes, orders,
/// displays and serialises as the bare `u32` it wraps, so traces and reports are the
/// same as when it was one.
macro_rules! number {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Default)]
        #[derive(Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub u32);

        impl $name {
            /// Its index in a table with one entry per number.
            pub fn idx(self) -> usize {
                self.0 as usize
            }

            /// The number at index `i` of such a table.
            pub fn from_idx(i: usize) -> Self {
                $name(u32::try_from(i).expect("numbers fit in a u32"))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        hash_as_number!($name, u32);
    };
}

number!(
    /// A server's number (`fsN`).
    ServerNo
);
number!(
    /// A client's number (`cN`).
    ClientNo
);
number!(
    /// A file's number in the volume.
    FileNo
);

/// A write's identity: the client, the file, and the client's count of its writes (every
/// file together), given when the write is invoked. Unique for the run, so a forgetful
/// master can never make two writes look alike.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct WriteId {
    pub client: ClientNo,
    pub file: FileNo,
    pub seq: u32,
}

impl fmt::Display for WriteId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "c{}#{}", self.client, self.seq)
    }
}

/// A master's term: the number it chose when elected, and its own number to break ties.
/// Every update a master makes is stamped with its term, so later terms order later.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Term {
    /// Four bytes, not eight: a term rides in most messages, and four billion
    /// elections outlast any run (the trace hash mixes a `u32` as the `u64` it equals).
    pub number: u32,
    pub server: ServerNo,
}

impl Term {
    /// The term of `fs0`, master at time zero.
    pub const FIRST: Term = Term {
        number: 1,
        server: ServerNo(0),
    };
}

/// Where an update sits in the volume's history: `(term, sequence)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Pos {
    pub term: Term,
    pub seq: u32,
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

/// A client's request number, echoed in the reply. A client numbers its requests 0, 1,
/// 2, … whatever their kind, so a later request has a larger number. Four bytes, as a
/// term's number and a log position's sequence, so that a message keeps to 48 bytes;
/// it hashes as the `u64` it once was, alone and in lists, so traces keep their hashes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Req(pub u32);

hash_as_number!(Req, u64);

impl Req {
    /// Later than any request a client sends.
    pub const MAX: Req = Req(u32::MAX);

    /// The number of the client's next request.
    pub fn next(self) -> Req {
        Req(self.0 + 1)
    }
}

/// One acquisition of a lock by one client: `(client, count of its acquisitions)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct LockId {
    pub client: ClientNo,
    pub seq: u64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use sim::TraceHash;

    fn hash(value: impl Hash) -> u64 {
        TraceHash::of(value)
    }

    #[test]
    fn numbers_hash_as_the_integers_they_wrap_alone_and_in_lists() {
        assert_eq!(hash(ServerNo(3)), hash(3u32));
        assert_eq!(hash(Some(ClientNo(4))), hash(Some(4u32)));
        assert_eq!(
            hash(vec![FileNo(1), FileNo(2), FileNo(3)]),
            hash(vec![1u32, 2, 3])
        );
        assert_eq!(hash([ServerNo(0), ServerNo(2)]), hash([0u32, 2]));
        assert_eq!(hash(Vec::<ClientNo>::new()), hash(Vec::<u32>::new()));
        assert_eq!(hash(vec![Req(5), Req(6)]), hash(vec![5u64, 6]));
    }

    #[test]
    fn four_byte_numbers_hash_as_the_eight_byte_ones_they_replaced() {
        assert_eq!(hash(Req(7)), hash(7u64));
        let term = Term {
            number: 3,
            server: ServerNo(1),
        };
        assert_eq!(hash(term), hash((3u64, 1u32)));
        assert_eq!(hash(Pos { term, seq: 9 }), hash(((3u64, 1u32), 9u64)));
    }

    #[test]
    fn a_message_keeps_to_48_bytes() {
        // A queued delivery is the message and 16 bytes of the engine's: at 48 bytes it
        // fills one 64-byte slot of the queue's slab (`sim::queue`).
        let size = std::mem::size_of::<crate::cell::msg::Msg>();
        assert!(size <= 48, "a message takes {size} bytes");
    }
}
