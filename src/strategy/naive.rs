//! `naive`: the new master serves everything as soon as it is elected and synced,
//! knowing nothing of the callbacks and locks its predecessor granted.
//!
//! No real system does this on purpose; it is what a replicated AFS fileserver would do
//! if it simply started serving after failover. It costs nothing and is unsafe: clients
//! keep trusting callbacks the new master never breaks, and it grants locks that
//! conflict with live ones, even before the old master's lease has run out. The checkers
//! must catch it, which is their own test.

use super::{Opening, OwnField, Protocol, Takeover};
use crate::cell::params::Params;
use crate::scenario::StrategySpec;
use sim::Duration;

pub(super) const NAME: &str = "naive";
pub(super) const FIELDS: &[OwnField] = &[];

#[derive(Debug)]
pub(super) struct Naive;

pub(super) fn build(_: &StrategySpec) -> Naive {
    Naive
}

impl Protocol for Naive {
    fn opening(&self, _: &Params, takeover: Takeover) -> Opening {
        Opening::all_at(takeover.synced_at)
    }

    fn honours_old_lease(&self) -> bool {
        false
    }

    fn breaks_promises_by_design(&self) -> bool {
        true
    }

    fn longest_wait(&self, _: &Params) -> Duration {
        Duration::ZERO
    }
}
