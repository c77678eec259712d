//! Outages after faults that take the master's majority away: when a master is elected
//! again, when it opens writes and locks, when clients get their first write and lock.

use crate::cell::ids::ServerNo;
use crate::cell::msg::{OpKind, Output};
use sim::Instant;
use std::collections::VecDeque;

/// One outage, as `summary.json` reports it.
#[derive(Clone, Debug, PartialEq)]
pub struct Recovery {
    pub fault: String,
    pub at: Instant,
    pub elected_at: Option<Instant>,
    elected: Option<ServerNo>,
    pub writes_open_at: Option<Instant>,
    pub locks_open_at: Option<Instant>,
    pub first_write_ok_at: Option<Instant>,
    pub first_lock_ok_at: Option<Instant>,
    pub ops_attempted_during: u64,
    pub ops_failed_during: u64,
}

#[derive(Clone, Debug, Default)]
struct ServerSeen {
    /// Recent beacon rounds and when they were sent.
    rounds: VecDeque<(u64, Instant)>,
    /// While master: whether writes and locks are open.
    master: Option<(bool, bool)>,
}

/// Follows every server's reports and every finished operation.
#[derive(Clone, Debug)]
pub struct Recoveries {
    servers: Vec<ServerSeen>,
    pub list: Vec<Recovery>,
}

const ROUNDS_KEPT: usize = 64;

/// What `recoveries` calls a master's loss of its lease that no fault caused.
pub const LEASE_LAPSE: &str = "lease lapse";

impl Recoveries {
    pub fn new(servers: u32) -> Recoveries {
        Recoveries {
            servers: vec![ServerSeen::default(); servers as usize],
            list: Vec::new(),
        }
    }

    /// A fault at `at` left the master without a majority.
    pub fn fault(&mut self, fault: String, at: Instant) {
        self.list.push(Recovery {
            fault,
            at,
            elected_at: None,
            elected: None,
            writes_open_at: None,
            locks_open_at: None,
            first_write_ok_at: None,
            first_lock_ok_at: None,
            ops_attempted_during: 0,
            ops_failed_during: 0,
        });
    }

    pub fn server_crashed(&mut self, server: ServerNo) {
        let seen = &mut self.servers[server.idx()];
        seen.master = None;
        seen.rounds.clear();
    }

    pub fn server_output(&mut self, server: ServerNo, output: &Output, now: Instant) {
        let seen = &mut self.servers[server.idx()];
        match output {
            Output::BeaconSent { round } => {
                if seen.rounds.len() == ROUNDS_KEPT {
                    seen.rounds.pop_front();
                }
                seen.rounds.push_back((*round, now));
            }
            Output::LeaseWon { round } => {
                let sent = seen
                    .rounds
                    .iter()
                    .find(|(r, _)| r == round)
                    .map(|&(_, t)| t);
                let open = seen.master.unwrap_or((false, false));
                for r in self.list.iter_mut().filter(|r| r.elected_at.is_none()) {
                    // Votes cast after the fault answer a beacon sent after it.
                    if sent.is_some_and(|t| t > r.at) {
                        r.elected_at = Some(now);
                        r.elected = Some(server);
                        if open.0 {
                            r.writes_open_at.get_or_insert(now);
                        }
                        if open.1 {
                            r.locks_open_at.get_or_insert(now);
                        }
                    }
                }
            }
            Output::MasterStart { .. } => seen.master = Some((false, false)),
            Output::MasterEnd => {
                seen.master = None;
                // A master that stops serving with no fault to blame lost its votes to
                // loss or latency: a lease lapse, an outage of its own.
                if self.list.iter().all(|r| r.elected_at.is_some()) {
                    self.fault(LEASE_LAPSE.into(), now);
                }
            }
            Output::WritesOpen | Output::LocksOpen => {
                let writes = matches!(output, Output::WritesOpen);
                if let Some(m) = seen.master.as_mut() {
                    if writes { m.0 = true } else { m.1 = true }
                }
                for r in self.list.iter_mut().filter(|r| r.elected == Some(server)) {
                    let slot = if writes {
                        &mut r.writes_open_at
                    } else {
                        &mut r.locks_open_at
                    };
                    slot.get_or_insert(now);
                }
            }
            _ => {}
        }
    }

    /// An operation invoked at `invoked` ended at `now`.
    pub fn op_done(
        &mut self,
        kind: OpKind,
        ok: bool,
        invoked: Instant,
        now: Instant,
        counted: bool,
    ) {
        for r in self.list.iter_mut().filter(|r| r.at <= now) {
            if ok && now > r.at {
                match kind {
                    OpKind::Write => {
                        r.first_write_ok_at.get_or_insert(now);
                    }
                    OpKind::Lock => {
                        r.first_lock_ok_at.get_or_insert(now);
                    }
                    OpKind::Read => {}
                }
            }
            let during = invoked >= r.at && r.writes_open_at.is_none_or(|open| invoked < open);
            if counted && during {
                r.ops_attempted_during += 1;
                r.ops_failed_during += u64::from(!ok);
            }
        }
    }
}
