//! The cells of the mutants that only a held message shows: a message that arrives after
//! messages sent after it (an answer still within its request's 2 s timeout).

use super::cells::{cell, strategy};
use serde_json::{Value, json};

/// Token recovery's master fs0 cut off from the other servers at 10 s (not from the
/// clients, whom it serves until its lease ends), a new master elected about a second
/// after that (0.5 s beacons, a 4.2 s vote wait under a 4 s master lease), exclusive
/// locks held 12 s on 3 files. Holding an old grant 1.8 s brings it to its client after
/// it has reasserted to the new master: the mutant takes the lock, which the new master
/// gives another client once its 5 s window ends. Crash deviations are off: a crash of
/// the cut-off master is a story of its own, and this cell is for the hold.
pub fn older_reply() -> Value {
    cell(
        strategy(
            "token-recovery",
            json!({ "callback_lease_s": 30, "lock_lease_s": 20, "lock_renew_s": 10 }),
        ),
        json!([{ "at_s": 10, "partition": [["fs0"], ["fs1", "fs2"]], "for_s": 20 }]),
        [12.0, 17.0],
        json!({
            "election": { "beacon_s": 0.5, "master_lease_s": 4, "vote_wait_s": 4.2 },
            "workload": { "ops_per_client_s": 4, "lock_hold_s": 12, "exclusive_locks": 1.0,
                          "mix": { "read": 0.4, "write": 0.1, "lock": 0.5 } },
            "cell": { "files": 3 },
            "explore": { "hold_s": 1.8, "crash": false }
        }),
    )
}

/// A chubby client with a 3 s session (renewed every 1.5 s) under a 0.4 s allowance,
/// whose renewal at 12 s is cut: its session runs out on its own clock at 14 s, so it
/// reads from the master, which still grants callbacks until 14.4 s; its next renewal is
/// answered with a reset. Holding a read's answer behind that reset brings a callback the
/// master forgot with the reset's acknowledgement: the mutant keeps it, and the other
/// client's writes skip it.
pub fn reset_race() -> Value {
    cell(
        json!({ "name": "chubby", "recovery": "chubby", "callback_lease_s": 60,
                    "clock_skew_allowance_s": 0.4, "session_lease_s": 3 }),
        json!([{ "at_s": 11.9, "partition": [["c0"], ["fs0", "fs1", "fs2"]],
                     "one_way": true, "for_s": 0.2 }]),
        [12.0, 14.5],
        json!({
            "cell": { "clients": 2, "files": 1 },
            "workload": { "ops_per_client_s": 3, "mix": { "read": 0.9, "write": 0.1, "lock": 0.0 } },
            "explore": { "crash": false, "clock_jumps": false }
        }),
    )
}

/// An NFSv4 client with a 2.5 s lease (renewed every 0.83 s) under a 1 s allowance,
/// whose renewal at 12.5 s is cut: its lease runs out on its own clock while the master
/// still counts it, and the mutant goes on asking for the two files' exclusive locks,
/// giving each grant back and asking again under the same id 200 ms later. One message
/// of that client held is enough for a lock conflict (the client's requests shift
/// against its releases).
pub fn retry_same_id() -> Value {
    cell(
        json!({ "name": "nfs4 grace", "recovery": "nfs4-grace", "callback_lease_s": 60,
                    "lock_lease_s": 20, "lock_renew_s": 5, "client_probe_s": 3,
                    "clock_skew_allowance_s": 1, "lease_s": 2.5, "grace_s": 2.5 }),
        json!([{ "at_s": 11.9, "partition": [["c0"], ["fs0", "fs1", "fs2"]],
                     "one_way": true, "for_s": 0.9 }]),
        [12.0, 16.0],
        json!({
            "cell": { "clients": 2, "files": 2 },
            "workload": { "ops_per_client_s": 4, "lock_hold_s": 1.5, "exclusive_locks": 1.0,
                          "mix": { "read": 0.2, "write": 0.2, "lock": 0.6 } },
            "explore": { "crash": false, "clock_jumps": false }
        }),
    )
}
