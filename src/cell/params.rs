//! Everything a node of one strategy's run needs to know, in engine units.

use super::grants::CallbackRule;
use super::popularity::Popularity;
use crate::scenario::{CallbackLease, Durability, Scenario, StrategySpec};
use crate::strategy::{Mutant, Protocol};
use sim::Duration;
use std::rc::Rc;

/// How long a server waits for an answer (a callback break, a sync) before it retries.
pub const RPC_TIMEOUT: Duration = Duration::from_secs(1);
/// How long a master waits for a holder to acknowledge a callback break before it sends
/// the break again: a few round trips, as Rx retransmits on its round-trip estimate.
pub const BREAK_RETRY: Duration = Duration::from_millis(250);
/// How long a client waits for an answer before it sends the request again.
pub const CLIENT_RPC_TIMEOUT: Duration = Duration::from_secs(2);
/// How long a request may wait in a file's line without its client sending it again
/// before the master takes it for abandoned: a client still waiting resends it every
/// `CLIENT_RPC_TIMEOUT`.
pub const ABANDONED_AFTER: Duration = Duration::from_secs(6);
/// Unanswered requests in a row after which a client gives up on its master and asks
/// the servers who the master is (Rx declares a peer dead much as AFS clients do).
pub const CLIENT_DEAD_AFTER: u32 = 2;
/// A client's first back-off after a refusal or a failed locate; it doubles per attempt.
pub const BACKOFF_MIN: Duration = Duration::from_millis(200);
/// The longest back-off.
pub const BACKOFF_MAX: Duration = Duration::from_secs(5);
/// With `async` durability, how often the master ships its new updates to the replicas.
pub const ASYNC_REPLICATE_EVERY: Duration = Duration::from_secs(1);
/// How often a master checks that every replica keeps up, resending the updates a
/// replica has not acknowledged since the last check (its retransmission timeout).
pub const CATCH_UP_EVERY: Duration = Duration::from_millis(100);
/// The first wait between whole snapshots to a replica too far behind for a resend; it
/// doubles while the replica stays silent.
pub const SNAPSHOT_WAIT_MIN: Duration = Duration::from_secs(1);

/// The cell, the election, the strategy and the workload of one run.
#[derive(Clone, Debug)]
pub struct Params {
    pub servers: u32,
    pub clients: u32,
    pub files: u32,
    pub beacon: Duration,
    pub master_lease: Duration,
    pub vote_wait: Duration,
    /// The recovery strategy, with its own knobs.
    pub strategy: Rc<dyn Protocol>,
    pub callback: CallbackRule,
    pub lock_lease: Duration,
    pub lock_renew: Duration,
    pub client_probe: Duration,
    pub skew_allowance: Duration,
    pub durability: Durability,
    pub client_keeps_until_durable: bool,
    pub workload: Workload,
    /// When the workload stops and the liveness phase starts.
    pub duration: Duration,
    /// A deliberately broken variant, for the checkers' own tests.
    pub mutant: Option<Mutant>,
}

/// The workload of every client.
#[derive(Clone, Debug)]
pub struct Workload {
    /// Mean seconds between a client's operations (infinite: none).
    pub mean_gap_s: f64,
    /// Cumulative shares of read and write (lock takes the rest).
    pub read_below: f64,
    pub write_below: f64,
    pub exclusive: f64,
    /// Which file each operation names (Zipf popularity).
    pub files: Popularity,
    pub lock_hold: Duration,
    pub op_deadline: Duration,
}

impl Params {
    pub fn new(scenario: &Scenario, strategy: &StrategySpec) -> Params {
        let election = scenario.election_for(strategy);
        let workload = scenario.workload_for(strategy);
        let secs = Duration::from_secs_f64;
        let rate = workload.ops_per_client_s;
        let files = scenario.cell.files;
        Params {
            servers: scenario.cell.servers,
            clients: scenario.cell.clients,
            files,
            beacon: secs(election.beacon_s),
            master_lease: secs(election.master_lease_s),
            vote_wait: secs(election.vote_wait_s),
            strategy: strategy.recovery.protocol(strategy),
            callback: match strategy.callback_lease_s {
                CallbackLease::Afs => CallbackRule::Afs,
                CallbackLease::Seconds(s) => CallbackRule::Fixed(secs(s)),
            },
            lock_lease: secs(strategy.lock_lease_s),
            lock_renew: secs(strategy.lock_renew_s),
            client_probe: secs(strategy.client_probe_s),
            skew_allowance: secs(strategy.clock_skew_allowance_s),
            durability: strategy.durability,
            client_keeps_until_durable: strategy.client_keeps_until_durable,
            workload: Workload {
                mean_gap_s: if rate > 0.0 {
                    1.0 / rate
                } else {
                    f64::INFINITY
                },
                read_below: workload.mix.read,
                write_below: workload.mix.read + workload.mix.write,
                exclusive: workload.exclusive_locks,
                files: Popularity::zipf(files, workload.zipf),
                lock_hold: secs(workload.lock_hold_s),
                op_deadline: secs(workload.op_deadline_s),
            },
            duration: secs(scenario.duration_s),
            mutant: None,
        }
    }

    /// How much longer a server keeps a callback than its client is told: the clock-skew
    /// allowance (none for the mutant that forgets it).
    pub fn callback_margin(&self) -> Duration {
        match self.mutant {
            Some(Mutant::CallbackWithoutMargin) => Duration::ZERO,
            _ => self.skew_allowance,
        }
    }

    /// A majority of the servers.
    pub fn majority(&self) -> usize {
        self.servers as usize / 2 + 1
    }
}
