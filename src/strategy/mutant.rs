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
    /// A new master applies replays in the order they arrive, as new writes, so an older
    /// acknowledged write can overwrite a newer one.
    ReplayTakesNewPlace,
    /// Token recovery ends its window early once every client was heard from in any way
    /// (a refused request, a probe), not once every client reasserted.
    WindowEndsOnContact,
    /// The master forgets a callback at the client's own expiry, with no margin for
    /// clock skew, so a fast server clock lets a write skip a holder.
    CallbackWithoutMargin,
    /// A new master opens as soon as it is elected, even before the old master's lease
    /// has run out on every clock (`T` + the allowance).
    OpensBeforeOldLeaseEnds,
    /// A retry of a write the master holds is answered at once, before a majority holds
    /// the write.
    RetryAckedBeforeCommit,
    /// A client reasserts its tokens before its replays are acknowledged, so an early end
    /// of the window can open files before the replayed writes are in.
    ReassertBeforeReplays,
    /// A client takes grants and data from a reply of an older master's term after it
    /// has heard of a newer one.
    TrustsOlderTerm,
    /// Votes carry the voter's clock reading of its last yes, read on the candidate's
    /// clock, instead of its age.
    VoteCarriesReading,
    /// A master whose lease lapsed and came back rebuilds itself as a new master,
    /// throwing its grant table away (an availability bug, not a safety one).
    LapseForgetsGrants,
    /// A writer keeps its cached copy of a file while it writes it, and the master never
    /// breaks a writer's callback: a write whose acknowledgement never arrives, or a
    /// fetch sent after giving up on it that overtakes it, leaves an older copy trusted.
    WriterCallbackKept,
    /// A recovery window runs on through a lease lapse of its master, so clients that
    /// could not be served then never get to reassert.
    WindowRunsThroughLapse,
    /// OpenAFS never resets a client with `InitCallBackState`: neither a delayed holder
    /// nor the clients of a new master, so a client that has talked to the master since
    /// goes on reading a copy a write replaced.
    AfsSkipsReset,
    /// An NFSv4 client goes on trusting its delegations (callbacks) and locks after its
    /// lease ran out, as token recovery's clients do.
    ClientLeaseIgnored,
    /// A Chubby client keeps its cache when it sees a new epoch.
    EpochKeepsCache,
    /// A grant log's new master opens at `T` + the allowance without waiting out the
    /// unshipped tail.
    LogSkipsTail,
    /// A grant log's master keeps a fresh grant at its tail in its own table until the
    /// batch commits, so a replica that catches up from a snapshot gets the tail while
    /// the client is told the full lease.
    LoggedGrantAtTail,
    /// A client that may not hold a lock (its lease is not valid) still asks for it, and
    /// asks again under the same lock id after giving it back, so its release can remove
    /// the new grant.
    LockRetrySameId,
    /// A client that gets a reply of an older term than one it has heard of does not
    /// tell that master, so a master that won its lease back with its old term goes on
    /// serving it nothing.
    KeepsNewerTermToItself,
    /// A reset races a grant on its way: the master grants callbacks to a client it is
    /// resetting, and the client keeps a callback that answers a request it sent before
    /// its reset, which the master forgets when the reset is acknowledged.
    ResetRacesGrant,
    /// A server acts on every copy of a request the network duplicates: a store it
    /// refused while recovering, then applied from a later copy once open, is a write its
    /// client reported failed that took effect.
    ActsOnDuplicates,
    /// A client dates a callback break by its clock, not by its requests: a clock that
    /// jumps back between a fetch's sending and a break that overtakes the fetch's grant
    /// makes the fetch look sent after the break, and the broken grant is kept.
    BreakDatedByClock,
    /// A client keeps backing off after a locate names the master: cut off soon after,
    /// it may not reach a new master before its recovery window closes.
    LocateKeepsBackoff,
    /// A client forgets a master's notice that a write is durable when it arrives before
    /// the write's acknowledgement, and keeps the write to replay after every failover.
    DurableBeforeAckForgotten,
    /// With `"async"` durability, a retry of a write the master holds waits for the
    /// commit to be answered, so a writer cut off from the majority with its master never
    /// learns the place of a write whose first answer was lost, and cannot replay it.
    AsyncRetryWaitsForCommit,
    /// A client drops the acknowledgement of a write that already ended `unknown` at its
    /// deadline, so it cannot replay a write its master applied and others may have read.
    LateAckDropped,
    /// With `"async"` durability, a master whose lease ran out while a write waited for
    /// its callback breaks applies and acknowledges it all the same, though a newer
    /// master may already serve without it.
    LapsedMasterApplies,
}

impl Mutant {
    pub const ALL: [Mutant; 31] = [
        Mutant::LeaseForgetsMasterLease,
        Mutant::LeaseIgnoresLocks,
        Mutant::TokenGrantsInWindow,
        Mutant::QuorumGrantsBeforeMajority,
        Mutant::ClientDropsUndurable,
        Mutant::ReplayTakesNewPlace,
        Mutant::WindowEndsOnContact,
        Mutant::CallbackWithoutMargin,
        Mutant::OpensBeforeOldLeaseEnds,
        Mutant::RetryAckedBeforeCommit,
        Mutant::ReassertBeforeReplays,
        Mutant::TrustsOlderTerm,
        Mutant::VoteCarriesReading,
        Mutant::LapseForgetsGrants,
        Mutant::WriterCallbackKept,
        Mutant::WindowRunsThroughLapse,
        Mutant::AfsSkipsReset,
        Mutant::ClientLeaseIgnored,
        Mutant::EpochKeepsCache,
        Mutant::LogSkipsTail,
        Mutant::LoggedGrantAtTail,
        Mutant::LockRetrySameId,
        Mutant::KeepsNewerTermToItself,
        Mutant::ResetRacesGrant,
        Mutant::ActsOnDuplicates,
        Mutant::BreakDatedByClock,
        Mutant::LocateKeepsBackoff,
        Mutant::DurableBeforeAckForgotten,
        Mutant::AsyncRetryWaitsForCommit,
        Mutant::LateAckDropped,
        Mutant::LapsedMasterApplies,
    ];
}
