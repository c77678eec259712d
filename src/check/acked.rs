//! Every write whose acknowledgement reached its writer, as ranges of each client's write
//! numbers: the checkers ask whether a write a read returned was ever acknowledged.

use crate::cell::ids::{ClientNo, WriteId};
use crate::rangeset::RangeSet;

/// Acknowledged writes by client.
#[derive(Debug, Clone, Hash)]
pub struct AckedWrites {
    by_client: Vec<RangeSet>,
}

impl AckedWrites {
    pub fn new(clients: u32) -> AckedWrites {
        AckedWrites {
            by_client: vec![RangeSet::default(); clients as usize],
        }
    }

    pub fn insert(&mut self, write: WriteId) {
        self.by_client[write.client.idx()].insert(write.seq);
    }

    pub fn contains(&self, write: WriteId) -> bool {
        self.by_client
            .get(write.client.idx())
            .is_some_and(|r| r.contains(write.seq))
    }

    /// Each client with its acknowledged write numbers.
    pub fn iter(&self) -> impl Iterator<Item = (ClientNo, &RangeSet)> {
        self.by_client
            .iter()
            .enumerate()
            .map(|(c, r)| (ClientNo::from_idx(c), r))
    }
}
