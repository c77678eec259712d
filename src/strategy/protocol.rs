//! The hooks a strategy gives the cell, and the small types they speak in.

use crate::cell::params::Params;
use crate::scenario::{Scenario, StrategySpec};
use sim::{Duration, Instant};
use std::fmt::Debug;

/// What the cell asks of a recovery strategy. Every hook has the answer of a strategy
/// that adds nothing to the shared cell, so a strategy states only where it differs.
pub trait Protocol: Debug {
    /// When a master taking over serves each kind of request, on its own clock (before
    /// the rule every strategy but naive follows: nothing granted before `T` + the
    /// allowance).
    fn opening(&self, params: &Params, takeover: Takeover) -> Opening;

    /// Whether a new master waits until the old master's lease has run out on every
    /// clock (`T` + the allowance) before it grants anything. Only naive does not.
    fn honours_old_lease(&self) -> bool {
        true
    }

    /// Where callback and lock grants live.
    fn homes(&self) -> Homes {
        Homes::default()
    }

    /// What a client owes a new master, after replaying its un-durable writes.
    fn owed(&self) -> Owed {
        Owed::Nothing
    }

    /// Whether the recovery period ends early once every client of the cell has sent
    /// what it owes.
    fn ends_early(&self) -> bool {
        false
    }

    /// How a recovery period grows when what a client owes arrives in its last moments
    /// (NFSv4 grace: by `step` per late reclaim, at most `most` in all).
    fn window_extension(&self) -> Option<WindowExtension> {
        None
    }

    /// How long a write waits for a holder to acknowledge a callback break before it
    /// gives up on it, marks it delayed and resets it at its next contact (OpenAFS's
    /// dead time); `None`: until the holder's callback (or lease) must have expired.
    fn break_give_up(&self) -> Option<Duration> {
        None
    }

    /// Whether a master that does not know the grant table resets each client's
    /// callbacks at its first contact (OpenAFS `InitCallBackState`), as it resets a
    /// delayed holder.
    fn resets_clients(&self) -> bool {
        false
    }

    /// The lease a client's callbacks and locks ride on (an NFSv4 lease, a Chubby
    /// session), if any.
    fn client_lease(&self) -> Option<ClientLease> {
        None
    }

    /// The longest a new master may wait after its election (sync included) before it
    /// serves everything: the liveness phase leaves room for it.
    fn longest_wait(&self, params: &Params) -> Duration;

    /// Whether the strategy breaks its promises by design (naive ignores the old
    /// master's lease, `afs` gives up on holders that do not answer): `check --swarm`
    /// expects its violations, since the faults it draws include failovers.
    fn breaks_promises_by_design(&self) -> bool {
        false
    }

    /// Whether the strategy claims to protect a client cut off from the new master
    /// through its whole recovery period (token recovery does not: its known weakness).
    fn protects_cut_off_clients(&self) -> bool {
        true
    }

    /// A setting of its own knobs that makes no sense: the field and why (an error).
    fn invalid(&self) -> Option<(&'static str, String)> {
        None
    }

    /// Settings that are legal but defeat the strategy, as `afsim validate` words them
    /// after `strategies[i] (name): `.
    fn warnings(&self, scenario: &Scenario, spec: &StrategySpec) -> Vec<String> {
        let _ = (scenario, spec);
        Vec::new()
    }
}

/// When a new master serves each kind of request, on its own clock.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Opening {
    /// Fetches are answered from here on...
    pub reads: Instant,
    /// ...and grant a callback from here on (before, the answer carries none).
    pub callbacks: Instant,
    pub writes: Instant,
    pub locks: Instant,
    /// The end of a recovery period in which only what clients owe and replays are
    /// served.
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

    /// A recovery window ending at `end`, everything served from then on.
    pub fn window_until(end: Instant) -> Opening {
        Opening {
            window_until: Some(end),
            ..Opening::all_at(end)
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
    pub fn postponed(self, from: Instant, by: Duration) -> Opening {
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

/// Where grants of one kind live.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Home {
    /// In the master's memory: a new master does not know them.
    #[default]
    Master,
    /// In the replicated volume: a grant takes effect once a majority holds it.
    Replicated,
    /// In a grant log: a grant takes effect at once for `tail` (the client's side), is
    /// shipped to the replicas every `sync_every`, and is extended to its full lease by
    /// a notice once a majority holds it.
    Logged {
        tail: Duration,
        sync_every: Duration,
    },
}

/// A lease every client holds with the master, renewed by an explicit renewal every
/// `renew_every`; a client whose lease runs out on its own clock trusts none of its
/// callbacks and holds no lock, and the master stops protecting a client whose lease
/// ran out on its clock (the lease plus the allowance).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientLease {
    pub lease: Duration,
    pub renew_every: Duration,
    /// Whether a new master serves renewals in its recovery period only from clients
    /// that have sent what they owe (NFSv4 grace), rather than from every client
    /// (Chubby KeepAlives).
    pub renewals_wait_for_owed: bool,
    /// Whether a new master treats every client's lease as running until `T` plus the
    /// lease plus the allowance (Chubby sessions), rather than as absent until it hears
    /// from the client (NFSv4 state).
    pub survives_takeover: bool,
    /// Whether a client whose lease ran out releases, once it has a lease again, the
    /// locks it dropped (Chubby: a session in jeopardy that reconnects).
    pub releases_on_reconnect: bool,
}

/// How a recovery period grows for late arrivals.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WindowExtension {
    /// A client's message received in the period's last `step` extends it by `step`...
    pub step: Duration,
    /// ...by at most this much in all.
    pub most: Duration,
}

/// Where callback and lock grants live.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Homes {
    pub callbacks: Home,
    pub locks: Home,
}

/// What a client owes a new master once its replays are acknowledged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Owed {
    Nothing,
    /// One message listing every callback and lock it holds (an empty one if it holds
    /// nothing): its reassertion.
    Reassertion,
    /// It drops every cached file before it takes anything from the new master, then
    /// acknowledges the failover with an empty reassertion (Chubby's failover event).
    Acknowledgement,
}
