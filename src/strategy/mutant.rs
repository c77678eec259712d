//! Deliberately broken variants of the strategies and the client, for the checkers' own
//! tests: a checker that cannot catch these would make a clean report meaningless.
//! They are reachable only through `RunSpec::mutant` (no scenario field, no CLI flag).

/// One way to break a strategy or the client.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Mutant {
    /// Lease timeout computes `T` from the electors' last yes-vote for the previous
    /// master without adding `master_lease_s`: it opens writes and locks a lease early.
    LeaseForgetsMasterLease,
    /// Lease timeout waits out callbacks before writes but opens locks at once.
    LeaseIgnoresLocks,
    /// Token recovery serves fetches and locks during its recovery window, before the
    /// holders of old tokens have reasserted them.
    TokenGrantsInWindow,
    /// Quorum answers a callback or lock grant before a majority holds it.
    QuorumGrantsBeforeMajority,
    /// Clients forget acknowledged writes that are not yet durable, even when the
    /// strategy says to keep and replay them.
    ClientDropsUndurable,
}

impl Mutant {
    pub const ALL: [Mutant; 5] = [
        Mutant::LeaseForgetsMasterLease,
        Mutant::LeaseIgnoresLocks,
        Mutant::TokenGrantsInWindow,
        Mutant::QuorumGrantsBeforeMajority,
        Mutant::ClientDropsUndurable,
    ];
}
