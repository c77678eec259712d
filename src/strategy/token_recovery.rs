//! `token-recovery`: clients reassert the tokens they hold in a recovery window (DCE DFS
//! token state recovery; NFSv4 grace periods with reclaim work much the same way).
//!
//! For `recovery_window_s` from its election (sync included), on its own clock, the new
//! master serves only reassertions and replays of un-durable writes. A client that
//! learns of the new master replays its writes, then sends one `reassert` message listing
//! every callback and lock it holds (a batch, as DFS's token-state recovery RPC does; an
//! empty one if it holds nothing); the master rebuilds its grant table from them,
//! accepting a callback only on the write it now holds. With
//! `end_window_when_all_reasserted` the window closes early once every client of the
//! cell has reasserted (NFSv4.1 `RECLAIM_COMPLETE`): a refused request or a probe does not
//! count. A client that reasserts too late loses its tokens and must revalidate. The
//! costs: a window of reduced service, a reassertion storm, and stale reads at a client
//! that cannot reach the new master during the whole window (partitioned, its messages
//! lost, or probing less often than the window is long): it trusts its callbacks until
//! they expire, as AFS clients do.

use super::{FieldDefault, Mutant, Opening, Owed, OwnField, Protocol, Takeover};
use crate::cell::params::{CLIENT_DEAD_AFTER, CLIENT_RPC_TIMEOUT, Params};
use crate::scenario::{Scenario, StrategySpec, show};
use sim::Duration;

pub(super) const NAME: &str = "token-recovery";
/// Seconds of the window, by default.
pub const DEFAULT_WINDOW_S: f64 = 200.0;
pub(super) const FIELDS: &[OwnField] = &[
    OwnField {
        name: "recovery_window_s",
        default: FieldDefault::Number(DEFAULT_WINDOW_S),
    },
    OwnField {
        name: "end_window_when_all_reasserted",
        default: FieldDefault::Bool(false),
    },
];

#[derive(Debug)]
pub(super) struct TokenRecovery {
    window: Duration,
    early_end: bool,
}

pub(super) fn build(spec: &StrategySpec) -> TokenRecovery {
    TokenRecovery {
        window: Duration::from_secs_f64(spec.recovery_window_s.unwrap_or(DEFAULT_WINDOW_S)),
        early_end: spec.end_window_when_all_reasserted.unwrap_or(false),
    }
}

impl Protocol for TokenRecovery {
    fn opening(&self, params: &Params, takeover: Takeover) -> Opening {
        let synced = takeover.synced_at;
        let end = synced + self.window;
        match params.mutant {
            // Serves fetches and locks in the window, before old holders reasserted (and
            // before the old master's lease has run out everywhere); callbacks, writes and
            // the window's end still wait for both.
            Some(Mutant::TokenGrantsInWindow) => {
                let floor = takeover.last_foreign_grant + params.skew_allowance;
                Opening {
                    reads: synced,
                    locks: synced,
                    ..Opening::window_until(end).not_before(floor)
                }
            }
            _ => Opening::window_until(end),
        }
    }

    fn owed(&self) -> Owed {
        Owed::Reassertion
    }

    fn ends_early(&self) -> bool {
        self.early_end
    }

    fn longest_wait(&self, _: &Params) -> Duration {
        self.window
    }

    fn protects_cut_off_clients(&self) -> bool {
        false
    }

    fn warnings(&self, _: &Scenario, spec: &StrategySpec) -> Vec<String> {
        let window = self.window.as_secs_f64();
        if window <= spec.client_probe_s {
            return vec![format!(
                "recovery_window_s ({} s) is no longer than client_probe_s ({} s): an idle \
                 client can miss the whole window and go on trusting callbacks the new master \
                 never heard of (stale reads)",
                show(window),
                show(spec.client_probe_s)
            )];
        }
        // A client that probes in time must still give up on its silent master and find
        // the new one before the window ends.
        let give_up = (CLIENT_RPC_TIMEOUT * u64::from(CLIENT_DEAD_AFTER)).as_secs_f64();
        if window > spec.client_probe_s + give_up {
            return Vec::new();
        }
        vec![format!(
            "recovery_window_s ({} s) is no longer than client_probe_s ({} s) plus the {} s a \
             client takes to give up on a silent master: a client that held tokens from the \
             old master can miss the whole window, and its locks go to others (lock \
             conflicts) while it trusts its callbacks (stale reads)",
            show(window),
            show(spec.client_probe_s),
            show(give_up)
        )]
    }
}
