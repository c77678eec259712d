//! `afs`: OpenAFS as deployed, which chooses availability over consistency.
//!
//! A write breaks every other holder's callback, but waits for an answer at most
//! `break_dead_time_s` (4 s, Rx's dead time); a holder that has not answered by then is
//! marked delayed and the write proceeds. A delayed holder is told to drop every callback
//! (`InitCallBackState`) at its next contact, before anything else is served to it.
//! Locks live in the vnode, so a lock change is committed to a majority whatever
//! `durability` says. A master that does not know the grant table (a new master, or the
//! old one restarted) serves from `T` + the allowance and resets each client at its first
//! contact. So it breaks promises by design: a holder cut off during a write reads its
//! old copy until its callback expires or it next talks to the master, and so does a
//! client holding callbacks from the old master. It must be caught, like naive; the
//! figures say how often and for how long.

use super::{FieldDefault, Home, Homes, Opening, OwnField, Protocol, Takeover};
use crate::cell::params::Params;
use crate::scenario::StrategySpec;
use sim::Duration;

pub(super) const NAME: &str = "afs";
/// Seconds a write waits for a break, by default (Rx dead time).
pub const DEFAULT_DEAD_TIME_S: f64 = 4.0;
pub(super) const FIELDS: &[OwnField] = &[OwnField {
    name: "break_dead_time_s",
    default: FieldDefault::Number(DEFAULT_DEAD_TIME_S),
}];

#[derive(Debug)]
pub(super) struct Afs {
    dead_time: Duration,
}

pub(super) fn build(spec: &StrategySpec) -> Afs {
    Afs {
        dead_time: Duration::from_secs_f64(spec.own_number("break_dead_time_s")),
    }
}

impl Protocol for Afs {
    fn opening(&self, _: &Params, takeover: Takeover) -> Opening {
        Opening::all_at(takeover.synced_at)
    }

    fn homes(&self) -> Homes {
        Homes {
            callbacks: Home::Master,
            locks: Home::Replicated,
        }
    }

    fn break_give_up(&self) -> Option<Duration> {
        Some(self.dead_time)
    }

    fn resets_clients(&self) -> bool {
        true
    }

    fn longest_wait(&self, _: &Params) -> Duration {
        Duration::ZERO
    }

    fn protects_cut_off_clients(&self) -> bool {
        false
    }

    fn breaks_promises_by_design(&self) -> bool {
        true
    }
}
