//! `grant-log`: a hybrid none of the deployed systems runs, between lease timeout and
//! quorum.
//!
//! A grant (a callback, a lock, its renewal or release) takes effect at once, but for a
//! short `tail_lease_s` (10 s), and is appended to a grant log that the master ships to
//! the replicas every `grant_sync_ms` (100 ms). Once a majority holds a batch, the master
//! extends the grants of that batch still in its table to their full lease and tells each
//! client with one notice per batch; a notice names its grants, and a client applies it
//! only to a grant it still holds, so a late or duplicated notice never revives a broken
//! callback. A new master learns in its sync every grant a majority holds and waits out
//! only the rest: it opens at `T` + `tail_lease_s` + the allowance. The costs: batched
//! replication and extension notices; an outage of the tail lease instead of the
//! longest lease, and no replication round trip on a fetch.

use super::{FieldDefault, Home, Homes, Mutant, Opening, OwnField, Protocol, Takeover};
use crate::cell::params::Params;
use crate::scenario::StrategySpec;
use sim::Duration;

pub(super) const NAME: &str = "grant-log";
pub(super) const FIELDS: &[OwnField] = &[
    OwnField {
        name: "tail_lease_s",
        default: FieldDefault::Number(10.0),
    },
    OwnField {
        name: "grant_sync_ms",
        default: FieldDefault::Number(100.0),
    },
];

#[derive(Debug)]
pub(super) struct GrantLog {
    tail: Duration,
    sync_every: Duration,
}

pub(super) fn build(spec: &StrategySpec) -> GrantLog {
    GrantLog {
        tail: Duration::from_secs_f64(spec.own_number("tail_lease_s")),
        sync_every: Duration::from_secs_f64(spec.own_number("grant_sync_ms") / 1e3),
    }
}

impl Protocol for GrantLog {
    fn opening(&self, params: &Params, takeover: Takeover) -> Opening {
        let tail = match params.mutant {
            Some(Mutant::LogSkipsTail) => Duration::ZERO,
            _ => self.tail,
        };
        let tails_out = takeover.last_foreign_grant + tail + params.skew_allowance;
        Opening::all_at(takeover.synced_at).not_before(tails_out)
    }

    fn homes(&self) -> Homes {
        let logged = Home::Logged {
            tail: self.tail,
            sync_every: self.sync_every,
        };
        Homes {
            callbacks: logged,
            locks: logged,
        }
    }

    fn longest_wait(&self, _: &Params) -> Duration {
        self.tail
    }

    fn invalid(&self) -> Option<(&'static str, String)> {
        if self.sync_every.is_zero() {
            return Some(("grant_sync_ms", "must be above 0".into()));
        }
        self.tail
            .is_zero()
            .then(|| ("tail_lease_s", "must be above 0".into()))
    }
}
