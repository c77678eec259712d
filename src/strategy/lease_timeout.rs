//! `lease-timeout`: wait until every grant the old master could have made has expired
//! (the Sprite and DCE DFS model, and NQNFS's write-caching leases).
//!
//! The new master serves reads from its election and grants new callbacks from `T` plus
//! the clock-skew allowance (it breaks those itself), but refuses writes until `T` plus
//! the longest callback any client could have been told plus the allowance, and locks
//! until `T` plus the lock lease plus the allowance. `T` is the last instant the old
//! master could still grant: the latest yes-vote for a previous master among the servers
//! that elected this one, plus the master lease (the votes carry its age), or this
//! server's restart time if later. Safe, and as unavailable for writes as the longest
//! lease: over four hours with AFS callbacks, which is the seed thread's objection.

use super::{Mutant, Opening, OwnField, Protocol, Takeover};
use crate::cell::params::Params;
use crate::scenario::StrategySpec;
use sim::Duration;

pub(super) const NAME: &str = "lease-timeout";
pub(super) const FIELDS: &[OwnField] = &[];

#[derive(Debug)]
pub(super) struct LeaseTimeout;

pub(super) fn build(_: &StrategySpec) -> LeaseTimeout {
    LeaseTimeout
}

impl LeaseTimeout {
    /// How long after `T` until every callback and every lock the old master could have
    /// granted has expired: (writes, locks).
    fn horizon(params: &Params) -> (Duration, Duration) {
        (
            params.callback.longest_client_lifetime() + params.skew_allowance,
            params.lock_lease + params.skew_allowance,
        )
    }
}

impl Protocol for LeaseTimeout {
    fn opening(&self, params: &Params, takeover: Takeover) -> Opening {
        let (writes_after, locks_after) = Self::horizon(params);
        let t = takeover.last_foreign_grant;
        let synced = takeover.synced_at;
        let locks = match params.mutant {
            Some(Mutant::LeaseIgnoresLocks) => synced,
            _ => (t + locks_after).max(synced),
        };
        Opening {
            reads: synced,
            callbacks: synced,
            writes: (t + writes_after).max(synced),
            locks,
            window_until: None,
        }
    }

    fn longest_wait(&self, params: &Params) -> Duration {
        let (writes, locks) = Self::horizon(params);
        writes.max(locks)
    }
}
