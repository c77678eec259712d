//! `quorum`: keep the grant table on a majority, Ubik-style, so a new master knows it.
//!
//! Every callback grant and every lock set, renewal and release is an update of the
//! replicated volume and takes effect (the client is answered) only once a majority of
//! servers holds it. A new master's Ubik sync copies the freshest replica of a majority,
//! grant table included, and it serves everything as soon as that is done (and the old
//! master's lease has run out on every clock). Nothing is lost and nothing waits, but
//! every grant costs a round of replication: latency and messages grow with grants,
//! writes and replicas.

use super::{Home, Homes, Opening, OwnField, Protocol, Takeover};
use crate::cell::params::Params;
use crate::scenario::StrategySpec;
use sim::Duration;

pub(super) const NAME: &str = "quorum";
pub(super) const FIELDS: &[OwnField] = &[];

#[derive(Debug)]
pub(super) struct Quorum;

pub(super) fn build(_: &StrategySpec) -> Quorum {
    Quorum
}

impl Protocol for Quorum {
    fn opening(&self, _: &Params, takeover: Takeover) -> Opening {
        Opening::all_at(takeover.synced_at)
    }

    fn homes(&self) -> Homes {
        Homes {
            callbacks: Home::Replicated,
            locks: Home::Replicated,
        }
    }

    fn longest_wait(&self, _: &Params) -> Duration {
        Duration::ZERO
    }
}
