//! `nfs4-grace`: NFSv4's client leases and grace period (RFC 7530 §9.6, RFC 8881, Linux
//! nfsd).
//!
//! Every client holds a lease of `lease_s` (90 s) with the master, renewed by an
//! explicit renewal every third of it; its callbacks (delegations) and locks ride on it.
//! A client whose lease runs out on its own clock stops trusting its callbacks and holds
//! no lock; the master stops protecting a client whose lease ran out on its clock (the
//! allowance later), so a write waits for an unreachable holder at most its lease, and
//! resets it (drop every callback) before it serves it again. While a break to a client
//! is unacknowledged the master sends it again on every renewal and renews nothing.
//!
//! A new master opens a grace period of `grace_s` (90 s, never below `lease_s`) at its
//! election in which only reclaims (the client's reassertion of what it holds, sent after
//! its replays), replays, and renewals from clients that have reclaimed are served. A
//! reclaim received in the period's last second extends it by a second, by at most
//! `lease_s` in all; the reclaim doubles as `RECLAIM_COMPLETE`, and the period ends once
//! every client has sent it. Unless every client has, it never ends before `T` +
//! `lease_s` + the allowance, when every lease the old master renewed has run out: so a
//! client cut off through the whole grace period has stopped trusting its state, which
//! closes token recovery's known weakness. The costs: renewals from every client all the
//! time, and the grace period at failover.

use super::{
    ClientLease, FieldDefault, Opening, Owed, OwnField, Protocol, Takeover, WindowExtension,
};
use crate::cell::params::Params;
use crate::scenario::{StrategySpec, show};
use sim::Duration;

pub(super) const NAME: &str = "nfs4-grace";
pub(super) const FIELDS: &[OwnField] = &[
    OwnField {
        name: "lease_s",
        default: FieldDefault::Number(90.0),
    },
    OwnField {
        name: "grace_s",
        default: FieldDefault::Number(90.0),
    },
];

#[derive(Debug)]
pub(super) struct Nfs4Grace {
    lease: Duration,
    grace: Duration,
}

pub(super) fn build(spec: &StrategySpec) -> Nfs4Grace {
    Nfs4Grace {
        lease: Duration::from_secs_f64(spec.own_number("lease_s")),
        grace: Duration::from_secs_f64(spec.own_number("grace_s")),
    }
}

impl Protocol for Nfs4Grace {
    fn opening(&self, params: &Params, takeover: Takeover) -> Opening {
        let end = takeover.synced_at + self.grace;
        let leases_out = takeover.last_foreign_grant + self.lease + params.skew_allowance;
        Opening::window_until(end).not_before(leases_out)
    }

    fn owed(&self) -> Owed {
        Owed::Reassertion
    }

    fn ends_early(&self) -> bool {
        true
    }

    fn window_extension(&self) -> Option<WindowExtension> {
        Some(WindowExtension {
            step: Duration::from_secs(1),
            most: self.lease,
        })
    }

    fn client_lease(&self) -> Option<ClientLease> {
        Some(ClientLease {
            lease: self.lease,
            renew_every: Duration::from_micros(self.lease.as_micros() / 3),
            renewals_wait_for_owed: true,
            survives_takeover: false,
            releases_on_reconnect: false,
        })
    }

    fn longest_wait(&self, _: &Params) -> Duration {
        self.grace + self.lease
    }

    fn invalid(&self) -> Option<(&'static str, String)> {
        if self.lease.is_zero() {
            return Some(("lease_s", "must be above 0".into()));
        }
        (self.grace < self.lease).then(|| {
            let (g, l) = (self.grace.as_secs_f64(), self.lease.as_secs_f64());
            let why = format!(
                "{} is below lease_s ({}): the grace period must last at least a lease",
                show(g),
                show(l)
            );
            ("grace_s", why)
        })
    }
}
