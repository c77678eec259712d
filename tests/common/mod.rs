//! Shared by the scenario tests.

/// The CONTRACT's example: every field once (its faults overlap on purpose).
pub const EXAMPLE: &str = r#"{
  "name": "format-example",
  "description": "What this scenario shows, in a sentence or two.",
  "seed": 42,
  "duration_s": 21600,
  "cell": { "servers": 3, "clients": 50, "files": 200 },
  "election": { "beacon_s": 15, "master_lease_s": 60, "vote_wait_s": 75 },
  "network": {
    "latency_ms": { "min": 1, "max": 10 },
    "loss": 0.001,
    "duplicate": 0.0,
    "clock_drift_ppm": 50
  },
  "workload": {
    "ops_per_client_s": 0.2,
    "mix": { "read": 0.7, "write": 0.2, "lock": 0.1 },
    "exclusive_locks": 0.5,
    "zipf": 1.0,
    "lock_hold_s": 5,
    "op_deadline_s": 30
  },
  "strategies": [
    { "name": "lease (AFS callbacks)", "recovery": "lease-timeout", "callback_lease_s": "afs" },
    { "name": "token recovery", "recovery": "token-recovery", "recovery_window_s": 200 },
    { "name": "quorum", "recovery": "quorum" },
    { "name": "naive", "recovery": "naive", "expect_violations": true }
  ],
  "faults": [
    { "at_s": 1800, "crash": "master" },
    { "at_s": 2400, "restart": "fs0" },
    { "at_s": 9000, "partition": [["master"], ["*"]], "for_s": 120 },
    { "at_s": 12000, "partition": [["c0-c9"], ["*"]], "one_way": true, "for_s": 300 },
    { "at_s": 15000, "loss": 0.3, "for_s": 60 },
    { "at_s": 16000, "latency_ms": { "fixed": 200 }, "between": [["fs1"], ["*"]], "for_s": 60 },
    { "at_s": 17000, "clock_jump_s": -5, "node": "c3" }
  ],
  "random_faults": { "crash_master_every_s": 3600, "downtime_s": [60, 600] }
}
"#;
