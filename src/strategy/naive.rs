//! `naive`: the new master serves everything as soon as it is elected and synced,
//! knowing nothing of the callbacks and locks its predecessor granted.
//!
//! No real system does this on purpose; it is what a replicated AFS fileserver would do
//! if it simply started serving after failover. It costs nothing and is unsafe: clients
//! keep trusting callbacks the new master never breaks, and it grants locks that
//! conflict with live ones. The checkers must catch it, which is their own test.

use super::{Opening, Takeover};

pub(super) fn opening(takeover: Takeover) -> Opening {
    Opening::all_at(takeover.synced_at)
}
