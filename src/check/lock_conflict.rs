//! `lock_conflict`: two clients hold locks on one file over overlapping spans of real
//! time, at least one exclusive. A client holds a lock from receiving the grant until
//! the earlier of sending its release and its local expiry (the client reports both
//! as they happen, so spans arrive already mapped to real time). One per pair of spans.

use super::{Example, Tally};
use crate::cell::ids::{ClientNo, FileNo, LockMode};
use sim::Instant;
use std::collections::BTreeMap;

#[derive(Clone, Copy, Debug, Hash)]
struct Span {
    client: ClientNo,
    mode: LockMode,
    since: Instant,
}

/// The lock-conflict checker.
#[derive(Default, Clone, Hash)]
pub struct LockConflict {
    held: BTreeMap<FileNo, Vec<Span>>,
    pub tally: Tally,
}

impl LockConflict {
    pub fn held(&mut self, client: ClientNo, file: FileNo, mode: LockMode, now: Instant) {
        let spans = self.held.entry(file).or_default();
        spans.retain(|s| s.client != client);
        for other in spans.iter() {
            if mode == LockMode::Exclusive || other.mode == LockMode::Exclusive {
                self.tally.add(|| Example {
                    at_s: now.as_secs_f64(),
                    client: format!("c{client}"),
                    file: Some(file),
                    detail: format!(
                        "c{client} got {} lock while c{} has held {} lock since {:.1} s",
                        mode_name(mode),
                        other.client,
                        mode_name(other.mode),
                        other.since.as_secs_f64()
                    ),
                });
            }
        }
        spans.push(Span {
            client,
            mode,
            since: now,
        });
    }

    pub fn ended(&mut self, client: ClientNo, file: FileNo) {
        if let Some(spans) = self.held.get_mut(&file) {
            spans.retain(|s| s.client != client);
        }
    }

    /// A crashed client holds nothing.
    pub fn client_crashed(&mut self, client: ClientNo) {
        for spans in self.held.values_mut() {
            spans.retain(|s| s.client != client);
        }
    }
}

fn mode_name(mode: LockMode) -> &'static str {
    match mode {
        LockMode::Shared => "a shared",
        LockMode::Exclusive => "an exclusive",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fires_once_per_overlapping_pair_with_an_exclusive_lock() {
        let mut c = LockConflict::default();
        let t = Instant::from_secs;
        c.held(ClientNo(1), FileNo(3), LockMode::Shared, t(1));
        c.held(ClientNo(2), FileNo(3), LockMode::Shared, t(2));
        assert_eq!(c.tally.count, 0, "shared with shared is fine");
        c.held(ClientNo(4), FileNo(3), LockMode::Exclusive, t(3));
        assert_eq!(c.tally.count, 2, "one per pair");
        assert_eq!(
            c.tally.first.as_ref().unwrap().detail,
            "c4 got an exclusive lock while c1 has held a shared lock since 1.0 s"
        );
        c.ended(ClientNo(1), FileNo(3));
        c.ended(ClientNo(2), FileNo(3));
        c.ended(ClientNo(4), FileNo(3));
        c.held(ClientNo(5), FileNo(3), LockMode::Exclusive, t(9));
        assert_eq!(c.tally.count, 2, "spans that ended do not conflict");
        c.held(ClientNo(6), FileNo(4), LockMode::Exclusive, t(9));
        assert_eq!(c.tally.count, 2, "another file");
        c.client_crashed(ClientNo(5));
        c.held(ClientNo(7), FileNo(3), LockMode::Exclusive, t(10));
        assert_eq!(c.tally.count, 2, "a crashed client holds nothing");
    }
}
