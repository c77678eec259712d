//! The cell of the mutant that opens a new master before `T` + the allowance: a strategy
//! whose own wait is short, so that the rule alone keeps a forgotten grant safe.

use super::cells::{cell, strategy};
use serde_json::{Value, json};

/// Token recovery with a 0.5 s recovery window under a 3 s allowance, one file locked
/// exclusively for 12 s at a time by two clients. The master fs0 is cut off at 10 s from
/// the other servers and from c1 (not from c0) for 20 s; fs1 is elected at about 15.06 s.
/// A crash of fs1 soon after it grants c0 the lock (the deviation the search finds)
/// loses the grant with its volatile table; back 5 s later and elected again, fs1 must
/// wait until its restart + the allowance, time for c0 to find it and reassert. The
/// mutant opens half a second after its sync and gives c1 the lock c0 still holds.
pub fn forgotten_grant() -> Value {
    cell(
        strategy(
            "token-recovery",
            json!({ "callback_lease_s": 30, "lock_lease_s": 20, "lock_renew_s": 10,
                        "client_probe_s": 2, "clock_skew_allowance_s": 3,
                        "recovery_window_s": 0.5 }),
        ),
        json!([{ "at_s": 10, "partition": [["fs0"], ["fs1", "fs2", "c1"]], "for_s": 20 }]),
        [13.0, 18.0],
        json!({
            "election": { "beacon_s": 1, "master_lease_s": 4, "vote_wait_s": 4.2 },
            "cell": { "clients": 2, "files": 1 },
            "workload": { "ops_per_client_s": 1, "lock_hold_s": 12, "exclusive_locks": 1.0,
                          "mix": { "read": 0.2, "write": 0.1, "lock": 0.7 } }
        }),
    )
}
