//! The cell of the mutant that answers a retry of an inherited write before a majority
//! holds it: five servers, so that a write can sit on two of them (the old master and
//! its successor) and still be missing from a later majority.

use super::cells::{cell, strategy};
use serde_json::{Value, json};

/// Quorum on 5 servers, clients that forget a write once it is acknowledged (as quorum
/// durability allows), 15 s operation deadlines so that a write is retried for long.
/// fs0 and fs1 are cut off from fs2–fs4 at 10 s for 1.5 s: writes in that time reach
/// fs1 only, two servers of five, and stay uncommitted; fs0 crashes at 11.4 s and stays
/// down. fs1 holds the lowest number among the rest and is elected with fs2–fs4's votes
/// at about 16.94 s (at this seed), inheriting those writes; at 17.1 s its messages to
/// fs2–fs4 are cut (one way) for 30 s, so its term never commits and fs2 takes over
/// later without them. A client's retry of an inherited write reaches fs1 meanwhile:
/// the unbroken master answers once the write is committed, which never happens; the
/// mutant answers at once, and the acknowledged write is lost.
pub fn inherited_write() -> Value {
    cell(
        strategy("quorum", json!({ "client_keeps_until_durable": false })),
        json!([
            { "at_s": 10, "partition": [["fs0", "fs1"], ["fs2", "fs3", "fs4"]], "for_s": 1.5 },
            { "at_s": 11.4, "crash": "fs0", "for_s": 40 },
            { "at_s": 17.1, "partition": [["fs1"], ["fs2", "fs3", "fs4"]], "one_way": true,
              "for_s": 30 }
        ]),
        [12.0, 25.0],
        json!({
            "cell": { "servers": 5, "clients": 2, "files": 2 },
            "election": { "beacon_s": 1, "master_lease_s": 4, "vote_wait_s": 7 },
            "workload": { "ops_per_client_s": 2, "lock_hold_s": 1, "op_deadline_s": 15,
                          "mix": { "read": 0.3, "write": 0.7, "lock": 0.0 } }
        }),
    )
}
