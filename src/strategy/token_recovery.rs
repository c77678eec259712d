//! `token-recovery`: clients reassert the tokens they hold in a recovery window (DCE DFS
//! token state recovery; NFSv4 grace periods with reclaim work the same way).
//!
//! For `recovery_window_s` from its election (sync included), on its own clock, the new
//! master serves only reassertions and replays of un-durable writes. A client that learns
//! of the new master sends one `reassert` message listing every callback and lock it
//! holds (a batch, as DFS's token-state recovery RPC does) and replays its writes; the
//! master rebuilds its grant table from them, accepting a callback only on the version it
//! now holds. Every client sends one reassertion to a new master, an empty one if it
//! holds nothing, and only after its replays are acknowledged; with
//! `end_window_when_all_reasserted` the window closes early once every client of the cell
//! has reasserted (NFSv4.1 `RECLAIM_COMPLETE`): a refused request or a probe does not
//! count. A client that reasserts too late loses its tokens and must revalidate. The
//! costs: a window of reduced service, a reassertion storm, and stale reads at a client
//! that cannot reach the new master during the whole window (partitioned, its messages
//! lost, or probing less often than the window is long): it trusts its callbacks until
//! they expire, as AFS clients do.

use super::{Opening, Takeover};
use crate::cell::params::Params;

/// Clients of this strategy reassert their tokens to a new master.
pub(super) const CLIENTS_REASSERT: bool = true;

pub(super) fn opening(params: &Params, takeover: Takeover) -> Opening {
    let end = takeover.synced_at + params.recovery_window;
    Opening {
        reads: end,
        callbacks: end,
        writes: end,
        locks: end,
        window_until: Some(end),
    }
}
