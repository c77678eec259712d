//! `chubby`: Chubby's sessions, jeopardy and failover (Burrows, OSDI 2006).
//!
//! A client's callbacks belong to its session, kept alive by a KeepAlive every
//! `session_lease_s` / 2 (a 12 s lease). Locks live in the replicated database, as in
//! Chubby, so a lock change is committed to a majority whatever `durability` says. A
//! client whose session lease runs out without a reply is in jeopardy: it stops trusting
//! its cache, holds no lock, and waits up to `jeopardy_s` (45 s) for a master; once it
//! has a session again it releases whatever locks its session still held, with an empty
//! cache. The master stops protecting a client whose session ran out on its clock, so a
//! write to a file with an unreachable holder waits for its session lease, not for a
//! callback lease.
//!
//! A new master takes a new epoch (its term), treats every session the old one could
//! have had as alive until `T` + `session_lease_s` + the allowance, serves only
//! KeepAlives, acknowledgements and replays until then, and puts the failover event on
//! every reply of the new epoch: a client drops its cache before it takes any reply of a
//! newer epoch, then acknowledges (after its replays). The master opens once every
//! client has acknowledged, or at `T` + `session_lease_s` + the allowance, when a client
//! that has not has stopped trusting its cache. The cost: KeepAlive traffic from every
//! client all the time.

use super::{ClientLease, FieldDefault, Home, Homes, Opening, Owed, OwnField, Protocol, Takeover};
use crate::cell::params::Params;
use crate::scenario::StrategySpec;
use sim::Duration;

pub(super) const NAME: &str = "chubby";
pub(super) const FIELDS: &[OwnField] = &[
    OwnField {
        name: "session_lease_s",
        default: FieldDefault::Number(12.0),
    },
    OwnField {
        name: "jeopardy_s",
        default: FieldDefault::Number(45.0),
    },
];

#[derive(Debug)]
pub(super) struct Chubby {
    session: Duration,
    jeopardy: Duration,
}

pub(super) fn build(spec: &StrategySpec) -> Chubby {
    Chubby {
        session: Duration::from_secs_f64(spec.own_number("session_lease_s")),
        jeopardy: Duration::from_secs_f64(spec.own_number("jeopardy_s")),
    }
}

impl Protocol for Chubby {
    fn opening(&self, params: &Params, takeover: Takeover) -> Opening {
        let sessions_out = takeover.last_foreign_grant + self.session + params.skew_allowance;
        Opening::window_until(sessions_out.max(takeover.synced_at))
    }

    fn homes(&self) -> Homes {
        Homes {
            callbacks: Home::Master,
            locks: Home::Replicated,
        }
    }

    fn owed(&self) -> Owed {
        Owed::Acknowledgement
    }

    fn ends_early(&self) -> bool {
        true
    }

    fn client_lease(&self) -> Option<ClientLease> {
        Some(ClientLease {
            lease: self.session,
            renew_every: Duration::from_micros(self.session.as_micros() / 2),
            renewals_wait_for_owed: false,
            survives_takeover: true,
            releases_on_reconnect: true,
        })
    }

    fn longest_wait(&self, _: &Params) -> Duration {
        self.session + self.jeopardy
    }

    fn invalid(&self) -> Option<(&'static str, String)> {
        self.session
            .is_zero()
            .then(|| ("session_lease_s", "must be above 0".into()))
    }
}
