//! `stale_read`: a read invoked at real time `t` returns a write `w` (or the initial
//! content) although a write `w'` to the same file, acknowledged before `t`, follows `w`
//! in real time: `w'` was invoked after `w`'s acknowledgement reached its writer (the
//! initial content precedes every write). Cache hits count. One per offending read.
//!
//! The order is real time as clients saw it, never any master's: a model that applies
//! writes in the wrong order cannot hide behind its own numbering. A read is stale
//! exactly when `w`'s acknowledgement came before the latest invocation among the writes
//! acknowledged before `t`, so each read keeps that one write from its invocation, and
//! each file keeps the acknowledgement times of its recent writes. A write acknowledged
//! before some write acknowledged before every open read or write of the file began was
//! invoked can only ever be read stale: it is forgotten, and reading it (an acknowledged
//! write no longer listed) is stale. Memory grows with clients and files, not with
//! operations.

use super::{AckedWrites, Example, Tally};
use crate::cell::ids::{ClientNo, FileNo, WriteId};
use sim::Instant;
use std::collections::VecDeque;

/// An acknowledged write.
#[derive(Clone, Copy, Debug, Hash)]
struct Acked {
    write: WriteId,
    invoked: Instant,
    acked: Instant,
}

#[derive(Debug, Default, Clone, Hash)]
struct FileAcks {
    /// Acknowledged writes in order of acknowledgement, except those forgotten.
    recent: VecDeque<Acked>,
    /// How many of `recent` were acknowledged before the horizon.
    passed: usize,
    /// The latest invocation among writes acknowledged before the horizon.
    passed_invoked: Option<Instant>,
    /// The acknowledged write invoked last, and the same among those acknowledged
    /// before `last_at`, the latest acknowledgement's instant.
    latest: Option<Acked>,
    latest_before_last: Option<Acked>,
    last_at: Option<Instant>,
}

impl FileAcks {
    /// The write invoked last among those acknowledged strictly before `t`.
    fn latest_before(&self, t: Instant) -> Option<Acked> {
        match self.last_at {
            Some(last) if last >= t => self.latest_before_last,
            _ => self.latest,
        }
    }

    /// Move the horizon: no read still open or yet to begin was invoked before it.
    fn advance(&mut self, horizon: Instant) {
        while let Some(a) = self.recent.get(self.passed).filter(|a| a.acked < horizon) {
            self.passed_invoked = Some(self.passed_invoked.map_or(a.invoked, |p| p.max(a.invoked)));
            self.passed += 1;
        }
        let Some(bar) = self.passed_invoked else {
            return;
        };
        while self.recent.front().is_some_and(|a| a.acked < bar) {
            self.recent.pop_front();
            self.passed -= 1;
        }
    }
}

/// The stale-read checker.
#[derive(Clone, Hash)]
pub struct StaleRead {
    files: Vec<FileAcks>,
    pub tally: Tally,
}

/// What a read in progress keeps from its invocation: the write invoked last among those
/// acknowledged before it. The caller keeps it with the rest of the operation's record,
/// so that a read touches one per-client record, not two.
#[derive(Clone, Copy, Debug, Default, Hash)]
pub struct ReadMark(Option<Acked>);

impl StaleRead {
    pub fn new(files: u32) -> StaleRead {
        StaleRead {
            files: (0..files).map(|_| FileAcks::default()).collect(),
            tally: Tally::default(),
        }
    }

    /// A read of `file` invoked at `now`: its mark, for `read_done`.
    pub fn invoke_read(&self, file: FileNo, now: Instant) -> ReadMark {
        ReadMark(self.files[file.idx()].latest_before(now))
    }

    /// A read of `file` by `client`, invoked with `mark`, returned `write` (`None`: the
    /// initial content) at `now`; `horizon` is the invocation of the oldest read or write
    /// of its file still open, this read included.
    pub fn read_done(
        &mut self,
        (client, file, mark): (ClientNo, FileNo, ReadMark),
        write: Option<WriteId>,
        (now, horizon): (Instant, Instant),
        acked: &AckedWrites,
    ) {
        let Some(newer) = mark.0 else {
            return;
        };
        let f = &mut self.files[file.idx()];
        f.advance(horizon);
        let stale = match write {
            None => true,
            Some(w) => match f.recent.iter().find(|a| a.write == w) {
                Some(a) => a.acked < newer.invoked,
                None => acked.contains(w),
            },
        };
        if !stale {
            return;
        }
        self.tally.add(|| Example {
            at_s: now.as_secs_f64(),
            client: format!("c{client}"),
            file: Some(file),
            detail: format!(
                "read {} after {} was acknowledged at {:.6} s",
                write.map_or("the initial content".to_string(), |w| format!("write {w}")),
                newer.write,
                newer.acked.as_secs_f64()
            ),
        });
    }

    /// Acknowledged writes the file still lists.
    #[cfg(test)]
    pub(crate) fn listed(&self, file: FileNo) -> usize {
        self.files[file.idx()].recent.len()
    }

    /// `write`, invoked at `invoked`, was acknowledged to its writer at `now`.
    pub fn write_acked(
        &mut self,
        write: WriteId,
        invoked: Instant,
        now: Instant,
        horizon: Instant,
    ) {
        let f = &mut self.files[write.file.idx()];
        f.advance(horizon);
        if f.last_at.is_none_or(|last| now > last) {
            f.latest_before_last = f.latest;
            f.last_at = Some(now);
        }
        let a = Acked {
            write,
            invoked,
            acked: now,
        };
        f.recent.push_back(a);
        if f.latest.is_none_or(|l| invoked > l.invoked) {
            f.latest = Some(a);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(client: u32, seq: u32) -> WriteId {
        WriteId {
            client: ClientNo(client),
            file: FileNo(0),
            seq,
        }
    }

    fn t(ms: u64) -> Instant {
        Instant::from_micros(ms * 1000)
    }

    struct Bed {
        c: StaleRead,
        acked: AckedWrites,
    }

    impl Bed {
        fn new() -> Bed {
            Bed {
                c: StaleRead::new(1),
                acked: AckedWrites::new(8),
            }
        }

        fn write(&mut self, write: WriteId, invoked: u64, acked: u64, horizon: u64) {
            self.acked.insert(write);
            self.c.write_acked(write, t(invoked), t(acked), t(horizon));
        }

        fn read(&mut self, invoked: u64, done: u64, got: Option<WriteId>) -> u64 {
            let mark = self.c.invoke_read(FileNo(0), t(invoked));
            let before = self.c.tally.count;
            let read = (ClientNo(7), FileNo(0), mark);
            self.c
                .read_done(read, got, (t(done), t(invoked)), &self.acked);
            self.c.tally.count - before
        }
    }

    #[test]
    fn fires_when_a_later_write_followed_the_one_read_in_real_time() {
        let mut b = Bed::new();
        b.write(w(1, 1), 10, 20, 10);
        b.write(w(2, 1), 30, 40, 30);
        assert_eq!(b.read(50, 51, Some(w(1, 1))), 1);
        assert_eq!(
            b.c.tally.first.as_ref().unwrap().detail,
            "read write c1#1 after c2#1 was acknowledged at 0.040000 s"
        );
        assert_eq!(b.read(50, 51, None), 1, "the initial content");
        assert_eq!(b.read(50, 51, Some(w(2, 1))), 0);
    }

    #[test]
    fn quiet_on_concurrent_writes_whatever_order_a_master_chose() {
        let mut b = Bed::new();
        // Invoked before the other was acknowledged: either may be read afterwards,
        // even though c2#1 was acknowledged last.
        b.write(w(1, 1), 10, 25, 10);
        b.write(w(2, 1), 20, 30, 20);
        assert_eq!(b.read(40, 41, Some(w(1, 1))), 0);
        assert_eq!(b.read(40, 41, Some(w(2, 1))), 0);
        // A read invoked when the later write's acknowledgement arrives may miss it.
        b.write(w(3, 1), 50, 60, 50);
        assert_eq!(
            b.read(60, 61, Some(w(2, 1))),
            0,
            "acknowledged at the same instant"
        );
        assert_eq!(b.read(61, 62, Some(w(2, 1))), 1);
        // A write never acknowledged follows nothing.
        assert_eq!(b.read(70, 71, Some(w(4, 9))), 0);
    }

    #[test]
    fn a_write_replayed_out_of_order_is_still_older() {
        // c4#71 acknowledged at 31.106 s; c1#51 invoked after that and acknowledged at
        // 31.190 s. Whichever a new master applies last, reading c4#71 afterwards is
        // stale: real time orders them, not the master.
        let mut b = Bed::new();
        b.write(w(4, 71), 31_000, 31_106, 31_000);
        b.write(w(1, 51), 31_150, 31_190, 31_150);
        assert_eq!(b.read(60_000, 60_001, Some(w(4, 71))), 1);
    }

    #[test]
    fn forgotten_writes_still_read_stale() {
        let mut b = Bed::new();
        b.write(w(1, 1), 10, 20, 10);
        for i in 0..50u32 {
            let at = 100 + 100 * u64::from(i);
            b.write(w(2, i + 1), at, at + 10, at);
        }
        let f = &b.c.files[0];
        assert!(f.recent.len() <= 2, "{} kept", f.recent.len());
        assert_eq!(b.read(10_000, 10_001, Some(w(1, 1))), 1);
        assert_eq!(b.read(10_000, 10_001, Some(w(2, 50))), 0);
    }
}
