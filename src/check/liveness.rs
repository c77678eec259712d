//! `liveness`: after `duration_s` the faults stop, the network heals and crashed nodes
//! restart; in the probe phase that follows every client retries until it completes one
//! write and one lock. One per client that does not.

use super::{Example, Tally};
use crate::cell::ids::ClientNo;
use crate::cell::msg::OpKind;
use sim::Instant;

/// The liveness checker.
#[derive(Clone, Hash)]
pub struct Liveness {
    done: Vec<(bool, bool)>,
    pub tally: Tally,
}

impl Liveness {
    pub fn new(clients: u32) -> Liveness {
        Liveness {
            done: vec![(false, false); clients as usize],
            tally: Tally::default(),
        }
    }

    pub fn probe_succeeded(&mut self, client: ClientNo, kind: OpKind) {
        let done = &mut self.done[client.idx()];
        match kind {
            OpKind::Write => done.0 = true,
            OpKind::Lock => done.1 = true,
            OpKind::Read => {}
        }
    }

    pub fn finish(&mut self, end: Instant) {
        for (client, &(write, lock)) in self.done.iter().enumerate() {
            if write && lock {
                continue;
            }
            let missing = match (write, lock) {
                (false, false) => "neither a write nor a lock",
                (false, true) => "no write",
                _ => "no lock",
            };
            self.tally.add(|| Example {
                at_s: end.as_secs_f64(),
                client: format!("c{client}"),
                file: None,
                detail: format!("c{client} completed {missing} in the liveness phase"),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fires_for_each_client_missing_a_write_or_a_lock() {
        let mut c = Liveness::new(3);
        c.probe_succeeded(ClientNo(0), OpKind::Write);
        c.probe_succeeded(ClientNo(0), OpKind::Lock);
        c.probe_succeeded(ClientNo(1), OpKind::Write);
        c.finish(Instant::from_secs(50));
        assert_eq!(c.tally.count, 2);
        let first = c.tally.first.unwrap();
        assert_eq!(first.client, "c1");
        assert_eq!(first.detail, "c1 completed no lock in the liveness phase");
    }
}
