//! `lease-timeout`: wait until every grant the old master could have made has expired
//! (the Sprite and DCE DFS model, and NQNFS's write-caching leases).
//!
//! The new master serves reads from its election and grants new callbacks from `T` plus
//! the clock-skew allowance (it breaks those itself), but refuses writes until `T` plus
//! the longest callback any client could have been told plus the allowance, and locks
//! until `T` plus the lock lease plus the allowance. `T` is the last instant the old master could still grant: the latest
//! yes-vote for a previous master among the servers that elected this one, plus the
//! master lease (the votes carry it), or this server's restart time if later. Safe, and
//! as unavailable for writes as the longest lease: over four hours with AFS callbacks,
//! which is the seed thread's objection.

use super::{Opening, Takeover};
use crate::cell::params::Params;

pub(super) fn opening(params: &Params, takeover: Takeover) -> Opening {
    let (writes_after, locks_after) = params.grant_horizon();
    let t = takeover.last_foreign_grant;
    Opening {
        reads: takeover.synced_at,
        callbacks: takeover.synced_at,
        writes: (t + writes_after).max(takeover.synced_at),
        locks: (t + locks_after).max(takeover.synced_at),
        window_until: None,
    }
}
