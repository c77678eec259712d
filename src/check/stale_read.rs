//! `stale_read`: a read invoked at real time `t` returns a version older than a write
//! whose acknowledgement its writer received before `t`. Cache hits count.
//!
//! Versions are ordered by their place in the history of the master that served them:
//! `(term, sequence)`, terms increasing from master to master. A later term supersedes
//! every write of earlier terms, so a read of a write that overwrote a lost one is not
//! stale, and a read of what a forgetful master still had is.

use super::{Example, PerClient, Tally};
use crate::cell::msg::{ClientNo, FileNo, Pos, Version, WriteId};
use sim::Instant;
use std::collections::BTreeMap;

#[derive(Clone, Copy, Debug)]
struct Acked {
    pos: Pos,
    write: WriteId,
    at: Instant,
}

#[derive(Clone, Copy, Debug, Default)]
struct FileAcks {
    best: Option<Acked>,
    /// The best among acknowledgements before `last_at`.
    best_before_last: Option<Acked>,
    last_at: Option<Instant>,
}

impl FileAcks {
    fn before(&self, t: Instant) -> Option<Acked> {
        match self.last_at {
            Some(last) if last >= t => self.best_before_last,
            _ => self.best,
        }
    }
}

/// The stale-read checker.
pub struct StaleRead {
    files: BTreeMap<FileNo, FileAcks>,
    /// Reads in progress: what had been acknowledged when each was invoked.
    reads: PerClient<(FileNo, Option<Acked>)>,
    pub tally: Tally,
}

impl StaleRead {
    pub fn new(clients: u32) -> StaleRead {
        StaleRead {
            files: BTreeMap::new(),
            reads: PerClient::new(clients),
            tally: Tally::default(),
        }
    }
}

fn better(a: Option<Acked>, b: Acked) -> Acked {
    match a {
        Some(a) if a.pos >= b.pos => a,
        _ => b,
    }
}

impl StaleRead {
    pub fn invoke_read(&mut self, client: ClientNo, op: u64, file: FileNo, now: Instant) {
        let snapshot = self.files.get(&file).and_then(|f| f.before(now));
        self.reads.insert(client, op, (file, snapshot));
    }

    pub fn read_done(&mut self, client: ClientNo, op: u64, version: Option<Version>, now: Instant) {
        let Some((file, snapshot)) = self.reads.remove(client, op) else {
            return;
        };
        let (Some(version), Some(acked)) = (version, snapshot) else {
            return;
        };
        if version.pos < acked.pos {
            let seen = version
                .write
                .map_or("the initial version".to_string(), |w| format!("write {w}"));
            self.tally.add(|| Example {
                at_s: now.as_secs_f64(),
                client: format!("c{client}"),
                file: Some(file),
                detail: format!(
                    "read {seen} after {} was acknowledged at {:.1} s",
                    acked.write,
                    acked.at.as_secs_f64()
                ),
            });
        }
    }

    pub fn write_acked(&mut self, write: WriteId, pos: Pos, now: Instant) {
        let f = self.files.entry(write.file).or_default();
        if f.last_at.is_none_or(|last| now > last) {
            f.best_before_last = f.best;
            f.last_at = Some(now);
        }
        f.best = Some(better(
            f.best,
            Acked {
                pos,
                write,
                at: now,
            },
        ));
    }

    /// A crashed client's reads never complete.
    pub fn client_crashed(&mut self, client: ClientNo) {
        self.reads.take(client);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cell::msg::Term;

    fn pos(term: u64, seq: u64) -> Pos {
        Pos {
            term: Term {
                number: term,
                server: 0,
            },
            seq,
        }
    }

    fn w(client: u32, seq: u32) -> WriteId {
        WriteId {
            client,
            file: 7,
            seq,
        }
    }

    fn t(s: u64) -> Instant {
        Instant::from_secs(s)
    }

    fn version(write: WriteId, p: Pos) -> Option<Version> {
        Some(Version {
            write: Some(write),
            pos: p,
        })
    }

    #[test]
    fn fires_on_a_read_older_than_an_acknowledged_write() {
        let mut c = StaleRead::new(8);
        c.write_acked(w(1, 1), pos(1, 5), t(10));
        c.write_acked(w(2, 1), pos(1, 6), t(11));
        c.invoke_read(3, 0, 7, t(12));
        c.read_done(3, 0, version(w(1, 1), pos(1, 5)), t(12));
        assert_eq!(c.tally.count, 1);
        let ex = c.tally.first.clone().unwrap();
        assert_eq!(ex.client, "c3");
        assert_eq!(
            ex.detail,
            "read write c1#1 after c2#1 was acknowledged at 11.0 s"
        );
    }

    #[test]
    fn quiet_on_fresh_reads_concurrent_writes_and_newer_terms() {
        let mut c = StaleRead::new(8);
        c.write_acked(w(1, 1), pos(1, 5), t(10));
        // Invoked before the second write's ack: either version is fine.
        c.invoke_read(3, 0, 7, t(11));
        c.write_acked(w(2, 1), pos(1, 6), t(12));
        c.read_done(3, 0, version(w(1, 1), pos(1, 5)), t(13));
        // A write in a later term supersedes a lost write of an earlier one.
        c.write_acked(w(4, 1), pos(1, 9), t(20));
        c.invoke_read(3, 1, 7, t(30));
        c.read_done(3, 1, version(w(5, 1), pos(2, 7)), t(30));
        // Acknowledged at the very instant of the invoke: not before it.
        c.write_acked(w(6, 1), pos(3, 1), t(40));
        c.invoke_read(3, 2, 7, t(40));
        c.read_done(3, 2, version(w(5, 1), pos(2, 7)), t(41));
        assert_eq!(c.tally.count, 0);
    }

    #[test]
    fn fires_on_the_initial_version_after_a_write() {
        let mut c = StaleRead::new(8);
        c.write_acked(w(1, 1), pos(1, 2), t(1));
        c.invoke_read(2, 0, 7, t(2));
        c.read_done(2, 0, Some(Version::default()), t(2));
        assert_eq!(c.tally.count, 1);
        assert!(
            c.tally
                .first
                .unwrap()
                .detail
                .starts_with("read the initial version")
        );
    }
}
