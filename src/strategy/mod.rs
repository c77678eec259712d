//! Recovery strategies: what a master that does not know the grant table (a new master,
//! or the old one restarted, since grants are volatile) does about it, and what its
//! clients do for it.
//!
//! Every strategy shares the election, the Ubik sync of the volume and the data path.
//! Each is one file here holding its knobs, its protocol comment and the hooks of
//! [`Protocol`] the cell calls: when a new master opens, where grants live, what a
//! client owes a new master, how long it may wait. The cell never asks which strategy
//! it runs. Adding one is a file and a line in the list below.

mod mutant;
mod protocol;

pub use mutant::Mutant;
pub use protocol::{ClientLease, Home, Homes, Opening, Owed, Protocol, Takeover, WindowExtension};

use crate::cell::params::Params;
use crate::scenario::StrategySpec;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::rc::Rc;

/// Declares the list of strategies: each line names a variant (its doc comment is what
/// `afsim schema` says of it) and the file that implements it. A file provides `NAME`
/// (as scenarios spell it), `FIELDS` (the scenario fields only it reads, with their
/// defaults) and `build` (its knobs from a strategy's settings).
macro_rules! strategies {
    ($( $(#[$doc:meta])* $variant:ident => $module:ident, )*) => {
        $( mod $module; )*

        /// How a master that does not know the grant table handles callbacks and locks.
        #[derive(
            Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize,
            JsonSchema,
        )]
        #[serde(rename_all = "kebab-case")]
        pub enum Recovery {
            $( $(#[$doc])* $variant, )*
        }

        impl Recovery {
            /// Every strategy, in the list's order.
            pub const ALL: &[Recovery] = &[$(Recovery::$variant),*];

            /// The name scenarios use.
            pub fn as_str(self) -> &'static str {
                match self { $( Recovery::$variant => $module::NAME, )* }
            }

            /// The scenario fields only this strategy reads, with their defaults.
            pub fn own_fields(self) -> &'static [OwnField] {
                match self { $( Recovery::$variant => $module::FIELDS, )* }
            }

            /// The strategy with the knobs `spec` gives it.
            pub fn protocol(self, spec: &StrategySpec) -> Rc<dyn Protocol> {
                match self { $( Recovery::$variant => Rc::new($module::build(spec)), )* }
            }
        }
    };
}

strategies! {
    /// Refuse writes and locks until every grant the old master could have made has
    /// expired (Sprite, DFS, NQNFS).
    LeaseTimeout => lease_timeout,
    /// A recovery window in which clients reassert their tokens (DCE DFS).
    TokenRecovery => token_recovery,
    /// Replicate every grant to a majority before it takes effect (Ubik).
    Quorum => quorum,
    /// Serve everything at once, knowing nothing (unsafe; the checkers' own test).
    Naive => naive,
    /// OpenAFS as deployed: breaks give up after a dead time, delayed holders and a new
    /// master's clients are reset at their next contact (breaks promises by design).
    Afs => afs,
    /// NFSv4: client leases, a grace period with reclaims, `RECLAIM_COMPLETE`.
    Nfs4Grace => nfs4_grace,
    /// Chubby: sessions with KeepAlives and jeopardy, a new epoch acknowledged by every
    /// client, locks in the replicated database.
    Chubby => chubby,
    /// Grants take effect for a short tail lease, are logged to a majority in batches
    /// and then extended; a new master waits out only the tail.
    GrantLog => grant_log,
}

/// A field of the scenario format that only one strategy reads, and its default.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct OwnField {
    pub name: &'static str,
    pub default: FieldDefault,
}

/// The value an absent own field takes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum FieldDefault {
    Number(f64),
    Bool(bool),
}

impl Recovery {
    /// The strategy that owns scenario field `name`, if one does.
    pub fn owner_of(name: &str) -> Option<Recovery> {
        Recovery::ALL
            .iter()
            .copied()
            .find(|r| r.own_fields().iter().any(|f| f.name == name))
    }
}

/// The opening times of `params.strategy` for a master taking over: its own, granting
/// nothing before `T` + the allowance unless it knows nothing of the old master (naive).
pub fn opening(params: &Params, takeover: Takeover) -> Opening {
    let own = params.strategy.opening(params, takeover);
    if ignores_old_lease(params) {
        return own;
    }
    own.not_before(takeover.last_foreign_grant + params.skew_allowance)
}

/// Whether this run's new masters may grant before `T` + the allowance: `naive`, and the
/// mutants that break that rule on purpose.
pub fn ignores_old_lease(params: &Params) -> bool {
    !params.strategy.honours_old_lease()
        || matches!(
            params.mutant,
            Some(Mutant::OpensBeforeOldLeaseEnds | Mutant::TokenGrantsInWindow)
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_strategy_s_name_is_its_serde_name() {
        for &r in Recovery::ALL {
            let json = serde_json::to_value(r).unwrap();
            assert_eq!(json, serde_json::json!(r.as_str()));
        }
    }

    #[test]
    fn every_own_field_has_one_owner() {
        for &r in Recovery::ALL {
            for f in r.own_fields() {
                assert_eq!(Recovery::owner_of(f.name), Some(r), "{}", f.name);
            }
        }
    }
}
