//! The cells of the mutants whose harm is liveness: clients that never complete a write
//! and a lock in the liveness phase. Deviations stop when the run heals, so what keeps
//! the clients out must already be in place by then, or go on by itself after it.

use super::cells::{cell, cut_off, strategy};
use serde_json::{Value, json};

/// A 1 s master lease renewed by 1 s beacons: every lease runs out at the next beacon
/// and comes back a round trip later (about 6 ms at mid-latency), on every schedule and
/// through the liveness phase, as slow votes make a master lapse and win its lease back
/// in `lapse-keeps-grants`. The unbroken master resumes with its grant table; the mutant
/// rebuilds itself as a new master at each lapse and waits out the old lease, the
/// allowance and the callbacks again, so it never opens writes.
pub fn lapse_every_beacon() -> Value {
    cell(
        strategy("lease-timeout", json!({})),
        json!([]),
        [9.0, 20.0],
        json!({
            "duration_s": 30,
            "election": { "beacon_s": 1, "master_lease_s": 1, "vote_wait_s": 1.5 },
            "cell": { "clients": 2, "files": 1 },
            "workload": { "ops_per_client_s": 1, "lock_hold_s": 1,
                          "mix": { "read": 0.5, "write": 0.3, "lock": 0.2 } }
        }),
    )
}

/// The master fs0 cut off from the other servers at 10 s for 10 s; fs1 wins fs2's vote
/// at about 15.06 s, claims term 2, and refuses both clients while it syncs (telling them
/// the term), until it crashes at 15.5 s (down until 30 s). If its sync request to fs2 is
/// lost, no voter hears of term 2, and once the cut heals fs0 wins its lease back with
/// its old term 1: the mutant's clients never tell it of term 2 and take nothing from its
/// replies. The search supplies the lost message.
pub fn older_term_master() -> Value {
    cell(
        strategy("lease-timeout", json!({})),
        json!([
            cut_off(10.0, 10.0),
            { "at_s": 15.5, "crash": "fs1", "for_s": 15 }
        ]),
        [15.0, 16.0],
        json!({
            "election": { "beacon_s": 1, "master_lease_s": 4, "vote_wait_s": 4.5 },
            "cell": { "clients": 2, "files": 1 },
            "workload": { "ops_per_client_s": 4, "lock_hold_s": 1,
                          "mix": { "read": 0.5, "write": 0.3, "lock": 0.2 } }
        }),
    )
}
