//! Default values of the scenario format, named for serde's `default = "..."`.

use super::types::{CellSpec, ElectionSpec, MixSpec, NetworkSpec, WorkloadSpec};

impl Default for CellSpec {
    fn default() -> Self {
        CellSpec {
            servers: d::servers(),
            clients: d::clients(),
            files: d::files(),
        }
    }
}

impl Default for ElectionSpec {
    fn default() -> Self {
        ElectionSpec {
            beacon_s: d::beacon_s(),
            master_lease_s: d::master_lease_s(),
            vote_wait_s: d::vote_wait_s(),
        }
    }
}

impl Default for NetworkSpec {
    fn default() -> Self {
        NetworkSpec {
            latency_ms: d::latency_ms(),
            loss: 0.0,
            duplicate: 0.0,
            clock_drift_ppm: 0.0,
        }
    }
}

impl Default for WorkloadSpec {
    fn default() -> Self {
        WorkloadSpec {
            ops_per_client_s: d::ops_per_client_s(),
            mix: MixSpec::default(),
            exclusive_locks: d::exclusive_locks(),
            zipf: d::zipf(),
            lock_hold_s: d::lock_hold_s(),
            op_deadline_s: d::op_deadline_s(),
        }
    }
}

impl Default for MixSpec {
    fn default() -> Self {
        MixSpec {
            read: d::mix_read(),
            write: d::mix_write(),
            lock: d::mix_lock(),
        }
    }
}

/// Defaults, named for serde.
pub(super) mod d {
    use super::super::types::LatencySpec;
    pub fn servers() -> u32 {
        3
    }
    pub fn clients() -> u32 {
        50
    }
    pub fn files() -> u32 {
        200
    }
    pub fn beacon_s() -> f64 {
        15.0
    }
    pub fn master_lease_s() -> f64 {
        60.0
    }
    pub fn vote_wait_s() -> f64 {
        75.0
    }
    pub fn latency_ms() -> LatencySpec {
        LatencySpec::uniform(1.0, 10.0)
    }
    pub fn ops_per_client_s() -> f64 {
        0.2
    }
    pub fn exclusive_locks() -> f64 {
        0.5
    }
    pub fn zipf() -> f64 {
        1.0
    }
    pub fn lock_hold_s() -> f64 {
        5.0
    }
    pub fn op_deadline_s() -> f64 {
        30.0
    }
    pub fn mix_read() -> f64 {
        0.7
    }
    pub fn mix_write() -> f64 {
        0.2
    }
    pub fn mix_lock() -> f64 {
        0.1
    }
    pub fn lock_lease_s() -> f64 {
        300.0
    }
    pub fn lock_renew_s() -> f64 {
        60.0
    }
    pub fn client_probe_s() -> f64 {
        60.0
    }
    pub fn clock_skew_allowance_s() -> f64 {
        10.0
    }
    pub fn yes() -> bool {
        true
    }
}
