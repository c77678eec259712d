//! `quorum`: keep the grant table on a majority, Ubik-style, so a new master knows it.
//!
//! Every callback grant and every lock set, renewal and release is an update of the
//! replicated volume and takes effect (the client is answered) only once a majority of
//! servers holds it. A new master's Ubik sync copies the freshest replica of a majority,
//! grant table included, and it serves everything as soon as that is done. Nothing is
//! lost and nothing waits, but every grant costs a round of replication: latency and
//! messages grow with grants, writes and replicas.

use super::{Opening, Takeover};

/// Grants take effect only once a majority holds them.
pub(super) const REPLICATES_GRANTS: bool = true;

pub(super) fn opening(takeover: Takeover) -> Opening {
    Opening::all_at(takeover.synced_at)
}
