//! The scenario file format (see CONTRACT.md), as Rust types.
//!
//! Every field carries its unit in its name (`_s`, `_ms`) and its default here; doc
//! comments become the descriptions in `afsim schema`. Loading (`super::load`) checks
//! what serde cannot: ranges, sums, names, times, and exactly one kind per fault.

use super::defaults::d;
pub use super::explore::{
    DEVIATIONS_MAX, DeviationKind, DeviationSpec, ExploreSpec, FateSpec, MessageRef, PointRef,
};
pub use crate::strategy::Recovery;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// One scenario: a cell, its workload and network, the strategies to compare, and the
/// faults they all face.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Names the output folder `DIR/<name>/`: letters, digits, `-`, `_`, `.`.
    pub name: String,
    /// What this scenario shows, in a sentence or two.
    #[serde(default)]
    pub description: String,
    /// Master seed; `--seed` overrides it; with none anywhere one is drawn and printed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// Simulated seconds of workload and faults, before the liveness phase.
    pub duration_s: f64,
    /// How many servers, clients and files.
    #[serde(default)]
    pub cell: CellSpec,
    /// The election every strategy runs, unless a strategy carries its own.
    #[serde(default)]
    pub election: ElectionSpec,
    /// The network every strategy runs on, unless a strategy carries its own.
    #[serde(default)]
    pub network: NetworkSpec,
    /// What the clients do, unless a strategy carries its own.
    #[serde(default)]
    pub workload: WorkloadSpec,
    /// The strategies to compare, each run on the same seed and faults (at least one).
    pub strategies: Vec<StrategySpec>,
    /// Faults at fixed times.
    #[serde(default)]
    pub faults: Vec<FaultSpec>,
    /// Master crashes drawn from the seed (redrawn per seed by `afsim check`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub random_faults: Option<RandomFaultsSpec>,
    /// Bounds that stop a runaway run (exit status 3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limits: Option<LimitsSpec>,
    /// How `afsim explore` searches this scenario (DESIGN.md "Exploration").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explore: Option<ExploreSpec>,
    /// Deviations from the default schedule that `afsim run` replays (written by
    /// `afsim explore` into a reproducer; the run then follows the default schedule, and
    /// `--seed` is an error: message names depend on the seed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<Vec<DeviationSpec>>,
}

/// The size of the cell.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CellSpec {
    /// File servers `fs0..`, each with a replica of the volume (1 to 254; default 3).
    #[serde(default = "d::servers")]
    pub servers: u32,
    /// Clients `c0..`, each a cache manager running the workload (default 50).
    #[serde(default = "d::clients")]
    pub clients: u32,
    /// Files in the read-write volume (default 200).
    #[serde(default = "d::files")]
    pub files: u32,
}

/// The Ubik-like election every strategy shares (OpenAFS defaults).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ElectionSpec {
    /// Seconds between beacons of a candidate or master (default 15).
    #[serde(default = "d::beacon_s")]
    pub beacon_s: f64,
    /// Seconds a yes-vote keeps a master in office (default 60).
    #[serde(default = "d::master_lease_s")]
    pub master_lease_s: f64,
    /// Seconds after its last yes-vote before a server votes for another (default 75).
    #[serde(default = "d::vote_wait_s")]
    pub vote_wait_s: f64,
}

/// Message latency: exactly one form.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LatencySpec {
    /// Uniform: lower bound in milliseconds (with `max`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    /// Uniform: upper bound in milliseconds (with `min`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    /// Always this many milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixed: Option<f64>,
    /// Lognormal: median in milliseconds (with `sigma`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lognormal_median: Option<f64>,
    /// Lognormal: shape, the standard deviation of the underlying normal (with
    /// `lognormal_median`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sigma: Option<f64>,
}

/// A latency distribution after validation.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Latency {
    Uniform { min_ms: f64, max_ms: f64 },
    Fixed { ms: f64 },
    LogNormal { median_ms: f64, sigma: f64 },
}

impl LatencySpec {
    /// The distribution this spec names, if it names exactly one completely.
    pub fn latency(&self) -> Option<Latency> {
        match (
            self.min,
            self.max,
            self.fixed,
            self.lognormal_median,
            self.sigma,
        ) {
            (Some(min_ms), Some(max_ms), None, None, None) => {
                Some(Latency::Uniform { min_ms, max_ms })
            }
            (None, None, Some(ms), None, None) => Some(Latency::Fixed { ms }),
            (None, None, None, Some(median_ms), Some(sigma)) => {
                Some(Latency::LogNormal { median_ms, sigma })
            }
            _ => None,
        }
    }

    pub fn uniform(min_ms: f64, max_ms: f64) -> LatencySpec {
        LatencySpec {
            min: Some(min_ms),
            max: Some(max_ms),
            ..LatencySpec::default()
        }
    }
}

/// The network every link starts with.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NetworkSpec {
    /// Per-message latency (default uniform 1–10 ms).
    #[serde(default = "d::latency_ms")]
    pub latency_ms: LatencySpec,
    /// Chance that a message is lost, 0 to 1 (default 0).
    #[serde(default)]
    pub loss: f64,
    /// Chance that a message arrives twice, 0 to 1 (default 0).
    #[serde(default)]
    pub duplicate: f64,
    /// Each node's clock drift is drawn uniformly in ± this many parts per million
    /// (default 0).
    #[serde(default)]
    pub clock_drift_ppm: f64,
}

/// What every client does: open-loop Poisson operations, served one at a time.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkloadSpec {
    /// Operations per second per client (default 0.2).
    #[serde(default = "d::ops_per_client_s")]
    pub ops_per_client_s: f64,
    /// Shares of reads, writes and lock operations; they sum to 1.
    #[serde(default)]
    pub mix: MixSpec,
    /// Share of lock operations that are exclusive, 0 to 1 (default 0.5).
    #[serde(default = "d::exclusive_locks")]
    pub exclusive_locks: f64,
    /// Zipf exponent of file popularity; 0 is uniform (default 1.0).
    #[serde(default = "d::zipf")]
    pub zipf: f64,
    /// Seconds a client holds a lock before releasing it (default 5).
    #[serde(default = "d::lock_hold_s")]
    pub lock_hold_s: f64,
    /// Seconds after it is invoked that an operation fails if not done (default 30).
    #[serde(default = "d::op_deadline_s")]
    pub op_deadline_s: f64,
}

/// The operation mix.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MixSpec {
    /// Share of reads (default 0.7).
    #[serde(default = "d::mix_read")]
    pub read: f64,
    /// Share of writes (default 0.2).
    #[serde(default = "d::mix_write")]
    pub write: f64,
    /// Share of lock operations (default 0.1).
    #[serde(default = "d::mix_lock")]
    pub lock: f64,
}

/// When the master acknowledges a data write.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Durability {
    /// After a majority of replicas hold it.
    #[default]
    Quorum,
    /// From memory; replicated in the background, the client told when it is durable.
    Async,
}

/// A callback's lifetime: seconds, or `"afs"` for the OpenAFS rule (4 h for 0–7
/// holders down to 7 min for 64+, a 180 s bias, rounded up to 128 s).
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub enum CallbackLease {
    #[default]
    Afs,
    Seconds(f64),
}

/// One strategy to compare.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StrategySpec {
    /// Unique within the scenario; names the strategy in tables and plots.
    pub name: String,
    /// How a new master learns (or avoids needing) the grants of the old one:
    /// "lease-timeout", "token-recovery", "quorum", "naive", "afs", "nfs4-grace",
    /// "chubby" or "grant-log".
    pub recovery: Recovery,
    /// Callback lifetime: seconds, or "afs" (default "afs").
    #[serde(default)]
    pub callback_lease_s: CallbackLease,
    /// Seconds a lock lives after its last renewal (default 300).
    #[serde(default = "d::lock_lease_s")]
    pub lock_lease_s: f64,
    /// Seconds between a holder's renewals (default 60).
    #[serde(default = "d::lock_renew_s")]
    pub lock_renew_s: f64,
    /// Seconds between a token-holding client's checks of its servers (default 60).
    #[serde(default = "d::client_probe_s")]
    pub client_probe_s: f64,
    /// Seconds added to every lease-based wait for clock skew (default 10).
    #[serde(default = "d::clock_skew_allowance_s")]
    pub clock_skew_allowance_s: f64,
    /// Seconds of the recovery window (token-recovery only; default 200).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recovery_window_s: Option<f64>,
    /// End the window once every client has reasserted (token-recovery only; default
    /// false).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_window_when_all_reasserted: Option<bool>,
    /// Seconds a write waits for a callback break before it gives up on the holder (afs
    /// only; default 4).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub break_dead_time_s: Option<f64>,
    /// Seconds of a client's lease (nfs4-grace only; default 90).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lease_s: Option<f64>,
    /// Seconds of the grace period, at least `lease_s` (nfs4-grace only; default 90).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grace_s: Option<f64>,
    /// Seconds of a client's session lease (chubby only; default 12).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_lease_s: Option<f64>,
    /// Seconds a client in jeopardy waits for a master (chubby only; default 45).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jeopardy_s: Option<f64>,
    /// Seconds a grant lasts before the log's notice extends it (grant-log only; default
    /// 10).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tail_lease_s: Option<f64>,
    /// Milliseconds between the grant log's batches (grant-log only; default 100).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grant_sync_ms: Option<f64>,
    /// When data writes are acknowledged: "quorum" or "async" (default "quorum").
    #[serde(default)]
    pub durability: Durability,
    /// Clients keep un-durable writes until told they are durable, and replay them to a
    /// new master (default true).
    #[serde(default = "d::yes")]
    pub client_keeps_until_durable: bool,
    /// Violations are allowed (not required) for this strategy (default false).
    #[serde(default)]
    pub expect_violations: bool,
    /// Replaces the top-level `election` for this strategy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub election: Option<ElectionSpec>,
    /// Replaces the top-level `network` for this strategy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network: Option<NetworkSpec>,
    /// Replaces the top-level `workload` for this strategy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workload: Option<WorkloadSpec>,
}

/// Which nodes a fault hits: a node (`fs1`, `c7`), a range (`c0-c24`, `fs0-fs1`),
/// `"master"` (the server holding a valid master lease at that instant), or `"*"`
/// (every node not named elsewhere in the fault).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(transparent)]
pub struct Target(pub String);

/// A fault at a fixed time: exactly one of `crash`, `restart`, `partition`, `isolate`,
/// `loss`, `latency_ms`, `duplicate`, `clock_jump_s`.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FaultSpec {
    /// When, in seconds from the start (before `duration_s`).
    pub at_s: f64,
    /// Crash these nodes: volatile state, timers and messages to them are lost.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crash: Option<Target>,
    /// Restart these crashed nodes (a live one: a reported no-op).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restart: Option<Target>,
    /// Two or more groups; messages between groups are dropped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partition: Option<Vec<Vec<Target>>>,
    /// With `partition`: drop only the first group's messages to the others.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub one_way: Option<bool>,
    /// Cut these nodes off from all others.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub isolate: Option<Target>,
    /// Set the loss chance (0 to 1), everywhere or `between` two groups.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub loss: Option<f64>,
    /// Set the latency, everywhere or `between` two groups.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency_ms: Option<LatencySpec>,
    /// Set the duplication chance (0 to 1), everywhere or `between` two groups.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duplicate: Option<f64>,
    /// With `loss`, `latency_ms` or `duplicate`: only links between these two groups.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub between: Option<[Vec<Target>; 2]>,
    /// Set `node`'s clock forward (or back, negative) by this many seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clock_jump_s: Option<f64>,
    /// With `clock_jump_s`: whose clock.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node: Option<Target>,
    /// Seconds until the fault heals by itself (a crash: until the restart).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub for_s: Option<f64>,
}

/// A validated fault's kind, borrowed from its spec.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum FaultKind<'a> {
    Crash(&'a Target),
    Restart(&'a Target),
    Partition {
        groups: &'a [Vec<Target>],
        one_way: bool,
    },
    Isolate(&'a Target),
    Loss {
        loss: f64,
        between: Option<&'a [Vec<Target>; 2]>,
    },
    Latency {
        latency: &'a LatencySpec,
        between: Option<&'a [Vec<Target>; 2]>,
    },
    Duplicate {
        duplicate: f64,
        between: Option<&'a [Vec<Target>; 2]>,
    },
    ClockJump {
        by_s: f64,
        node: &'a Target,
    },
}

/// Master crashes at exponential intervals, each followed by a restart.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RandomFaultsSpec {
    /// Mean seconds between master crashes.
    pub crash_master_every_s: f64,
    /// The crashed master restarts after a downtime uniform in `[min, max]` seconds.
    pub downtime_s: [f64; 2],
}

/// Bounds on a run; exceeding one stops it with exit status 3.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LimitsSpec {
    /// Stop after this many events per strategy run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub events_max: Option<u64>,
    /// Stop after this many wall-clock seconds per strategy run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wall_s_max: Option<f64>,
}
