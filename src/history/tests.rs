//! What bounds the past the checkers keep of a file: its own reads and writes still
//! open, and nothing else.

use super::*;
use crate::cell::ids::{ClientNo, FileNo, WriteId};
use crate::cell::msg::{OpKind, OpResult};
use crate::check::ReadMark;

/// Operations fed to the checkers as a run reports them.
struct Feed {
    c: Checkers,
    ops: Vec<OpInfo>,
}

impl Feed {
    fn new() -> Feed {
        Feed {
            c: Checkers::new(3, 2),
            ops: Vec::new(),
        }
    }

    /// Invoke a read (`write` `None`) or the write `write` of `file` at `at` µs.
    fn invoke(&mut self, kind: OpKind, file: u32, write: Option<WriteId>, at: u64) -> u64 {
        let (file, now) = (FileNo(file), Instant::from_micros(at));
        let mut info = OpInfo {
            kind,
            file,
            write,
            invoked: now,
            probe: false,
            ticket: self.c.open(kind, file, now),
            mark: ReadMark::default(),
        };
        let op = self.ops.len() as u64;
        self.c.invoked(&mut info);
        self.ops.push(info);
        op
    }

    fn end(&mut self, op: u64, result: OpResult, at: u64) {
        let info = self.ops[op as usize];
        let now = Instant::from_micros(at);
        self.c.ended(ClientNo(0), &info, result, now);
    }

    /// An acknowledged write of `file` over `[from, to]` µs.
    fn write(&mut self, file: u32, seq: u32, from: u64, to: u64) -> WriteId {
        let w = WriteId {
            client: ClientNo(0),
            file: FileNo(file),
            seq,
        };
        let op = self.invoke(OpKind::Write, file, Some(w), from);
        self.end(op, OpResult::Write { durable: true }, to);
        w
    }

    fn read_result(write: WriteId) -> OpResult {
        OpResult::Read {
            write: Some(write),
            cached: false,
        }
    }

    fn clean(&self) -> bool {
        self.c.lin.tally.count == 0 && self.c.stale.tally.count == 0
    }
}

#[test]
fn a_read_open_on_the_file_keeps_what_it_may_still_return() {
    let mut f = Feed::new();
    // A slow read of file 0 from 1 µs; meanwhile w1 is written, then w2, and w2 read.
    let slow = f.invoke(OpKind::Read, 0, None, 1);
    let w1 = f.write(0, 1, 2, 3);
    let w2 = f.write(0, 2, 4, 5);
    let quick = f.invoke(OpKind::Read, 0, None, 6);
    f.end(quick, Feed::read_result(w2), 7);
    // The slow read may return w1 (it began before w2 was written): the file must still
    // keep w1, as only a bound that ignored the slow read would have forgotten it.
    f.end(slow, Feed::read_result(w1), 8);
    assert!(f.clean(), "a linearizable history was flagged");
    // Once nothing is open on the file, reading w1 is a violation.
    let late = f.invoke(OpKind::Read, 0, None, 9);
    f.end(late, Feed::read_result(w1), 10);
    assert_eq!(f.c.lin.tally.count, 1, "reading w1 after w2 was read");
    // w1 is forgotten by now; the example still names what replaced it.
    let example = f.c.lin.tally.first.as_ref().expect("an example");
    assert_eq!(
        example.detail,
        format!(
            "read {w1} (invoked at 0.000009 s) after {w2} had replaced it for good: {w2} was \
             still read at 0.000006 s, after both were written"
        )
    );
}

#[test]
fn operations_open_on_other_files_and_locks_hold_nothing_back() {
    let mut f = Feed::new();
    // A read of file 1 and a lock of file 0, open for the whole history.
    let other = f.invoke(OpKind::Read, 1, None, 0);
    let lock = f.invoke(OpKind::Lock, 0, None, 0);
    // File 0 sees a hundred writes, each read back.
    for seq in 1..=100 {
        let t = u64::from(seq) * 10;
        let w = f.write(0, seq, t, t + 2);
        let read = f.invoke(OpKind::Read, 0, None, t + 4);
        f.end(read, Feed::read_result(w), t + 6);
    }
    assert!(f.clean());
    assert!(
        f.c.lin.kept(FileNo(0)) <= 3,
        "file 0 keeps {} clusters",
        f.c.lin.kept(FileNo(0))
    );
    assert!(
        f.c.stale.listed(FileNo(0)) <= 3,
        "file 0 lists {} writes",
        f.c.stale.listed(FileNo(0))
    );
    f.end(lock, OpResult::Lock, 2000);
    f.end(
        other,
        OpResult::Read {
            write: None,
            cached: false,
        },
        2000,
    );
    assert!(f.clean());
}

#[test]
fn a_read_is_judged_by_what_was_acknowledged_when_it_began() {
    // The read's mark is taken when it is invoked and carried in its record to its end:
    // w1 was acknowledged before the read began, so returning the initial content is
    // stale; a read begun before w1 was invoked may return it.
    let mut f = Feed::new();
    let early = f.invoke(OpKind::Read, 0, None, 1);
    f.write(0, 1, 2, 3);
    let late = f.invoke(OpKind::Read, 0, None, 4);
    let initial = OpResult::Read {
        write: None,
        cached: false,
    };
    f.end(late, initial, 5);
    assert_eq!(f.c.stale.tally.count, 1, "the initial content after w1");
    f.end(early, initial, 6);
    assert_eq!(f.c.stale.tally.count, 1, "begun before w1: not stale");
}
