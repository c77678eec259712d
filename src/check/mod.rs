//! The invariants, checked from the history alone as it streams: what clients invoked,
//! what they got back, which locks they believed they held, and (at the end) what the
//! final master's volume holds. Memory grows with clients and files, not operations.

mod acked;
mod linearizability;
mod liveness;
mod lock_conflict;
mod lost_write;
mod open_ops;
mod pending;
mod stale_read;

pub use acked::AckedWrites;
pub use linearizability::{Linearizability, Seen};
pub use liveness::Liveness;
pub use lock_conflict::LockConflict;
pub use lost_write::{FinalVolume, LostWrite};
pub use open_ops::OpenOps;
pub use pending::PerClient;
pub use stale_read::{ReadMark, StaleRead};

use crate::cell::ids::FileNo;
use serde::Serialize;

/// The kinds of violation, in report order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    StaleRead,
    LockConflict,
    LostWrite,
    Liveness,
    Linearizability,
}

impl Kind {
    pub const ALL: [Kind; 5] = [
        Kind::StaleRead,
        Kind::LockConflict,
        Kind::LostWrite,
        Kind::Liveness,
        Kind::Linearizability,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Kind::StaleRead => "stale_read",
            Kind::LockConflict => "lock_conflict",
            Kind::LostWrite => "lost_write",
            Kind::Liveness => "liveness",
            Kind::Linearizability => "linearizability",
        }
    }
}

/// One offence, as `first_violations` reports it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Example {
    pub at_s: f64,
    pub client: String,
    pub file: Option<FileNo>,
    pub detail: String,
}

/// Count of one kind of violation and its first example.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Tally {
    pub count: u64,
    pub first: Option<Example>,
}

/// A tally is hashed by its count: where the first offence was is history.
impl std::hash::Hash for Tally {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        self.count.hash(h);
    }
}

impl Tally {
    pub fn add(&mut self, example: impl FnOnce() -> Example) {
        self.count += 1;
        if self.first.is_none() {
            self.first = Some(example());
        }
    }
}

/// Every checker's verdict.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Verdict {
    pub tallies: [Tally; Kind::ALL.len()],
}

impl Verdict {
    pub fn count(&self, kind: Kind) -> u64 {
        self.tallies[kind as usize].count
    }

    pub fn total(&self) -> u64 {
        self.tallies.iter().map(|t| t.count).sum()
    }
}
