//! Recovery strategies: what a master that does not know the grant table (a new master,
//! or the old one restarted, since grants are volatile) does about it.
//!
//! Every strategy shares the election, the Ubik sync of the volume and the data path;
//! they differ only in when a new master opens reads, writes and locks, whether clients
//! reassert their tokens, and whether grants are replicated before they take effect.
//! A new strategy is one more file here and one more arm in each `match`.

mod lease_timeout;
mod mutant;
mod naive;
mod quorum;
mod token_recovery;

use crate::cell::params::Params;
pub use crate::scenario::Recovery;
pub use mutant::Mutant;
use sim::Instant;

/// When a new master serves each kind of request, on its own clock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Opening {
    /// Fetches are answered from here on...
    pub reads: Instant,
    /// ...and grant a callback from here on (before, the answer carries none).
    pub callbacks: Instant,
    pub writes: Instant,
    pub locks: Instant,
    /// The end of a recovery window in which only reassertions and replays are served.
    pub window_until: Option<Instant>,
}

impl Opening {
    /// Everything served from `at`, with no recovery window.
    pub fn all_at(at: Instant) -> Opening {
        Opening {
            reads: at,
            callbacks: at,
            writes: at,
            locks: at,
            window_until: None,
        }
    }

    /// The same, but granting nothing (callbacks, writes, locks, the window's end) before
    /// `floor`: the instant the old master's lease has run out on every clock.
    pub fn not_before(self, floor: Instant) -> Opening {
        Opening {
            reads: self.reads,
            callbacks: self.callbacks.max(floor),
            writes: self.writes.max(floor),
            locks: self.locks.max(floor),
            window_until: self.window_until.map(|end| end.max(floor)),
        }
    }

    /// What was still to come at `from` comes `by` later (a recovery window the master
    /// could not serve through, because its lease lapsed).
    pub fn postponed(self, from: Instant, by: sim::Duration) -> Opening {
        let later = |t: Instant| if t > from { t + by } else { t };
        Opening {
            reads: later(self.reads),
            callbacks: later(self.callbacks),
            writes: later(self.writes),
            locks: later(self.locks),
            window_until: self.window_until.map(later),
        }
    }

    /// Whether nothing is granted before `floor`.
    pub fn grants_nothing_before(&self, floor: Instant) -> bool {
        self.not_before(floor) == *self
    }
}

/// What a new master knows when it opens for business.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Takeover {
    /// The end of its Ubik sync: the election is complete.
    pub synced_at: Instant,
    /// `T`: the last instant a previous master could still have granted anything, or its
    /// own restart time if later.
    pub last_foreign_grant: Instant,
}

/// The opening times of `params.recovery` for a master taking over: the strategy's own,
/// granting nothing before `T` + the allowance (naive alone knows nothing of `T`).
pub fn opening(params: &Params, takeover: Takeover) -> Opening {
    let own = own_opening(params, takeover);
    if params.recovery == Recovery::Naive || params.mutant == Some(Mutant::OpensBeforeOldLeaseEnds)
    {
        return own;
    }
    own.not_before(takeover.last_foreign_grant + params.skew_allowance)
}

fn own_opening(params: &Params, takeover: Takeover) -> Opening {
    match params.recovery {
        Recovery::Naive => naive::opening(takeover),
        Recovery::LeaseTimeout => {
            let mut opening = lease_timeout::opening(params, takeover);
            if params.mutant == Some(Mutant::LeaseIgnoresLocks) {
                opening.locks = takeover.synced_at;
            }
            opening
        }
        Recovery::TokenRecovery => token_recovery::opening(params, takeover),
        Recovery::Quorum => quorum::opening(takeover),
    }
}

/// Whether callback and lock grants take effect only once a majority holds them.
pub fn replicates_grants(recovery: Recovery) -> bool {
    match recovery {
        Recovery::Quorum => quorum::REPLICATES_GRANTS,
        Recovery::Naive | Recovery::LeaseTimeout | Recovery::TokenRecovery => false,
    }
}

/// Whether clients reassert their callbacks and locks to a new master.
pub fn clients_reassert(recovery: Recovery) -> bool {
    match recovery {
        Recovery::TokenRecovery => token_recovery::CLIENTS_REASSERT,
        Recovery::Naive | Recovery::LeaseTimeout | Recovery::Quorum => false,
    }
}

/// How long after its election (sync included) a new master may wait before it accepts
/// writes and locks, at most: the liveness phase leaves room for it.
pub fn longest_wait(params: &Params) -> sim::Duration {
    match params.recovery {
        Recovery::Naive | Recovery::Quorum => sim::Duration::ZERO,
        Recovery::LeaseTimeout => {
            let (writes, locks) = params.grant_horizon();
            writes.max(locks)
        }
        Recovery::TokenRecovery => params.recovery_window,
    }
}
