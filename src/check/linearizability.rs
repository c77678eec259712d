//! `linearizability`: per file, the reads and writes must have a linearization as one
//! register. The initial content counts as a write before every operation; a write that
//! did not succeed may take effect at any time after its invocation, or never; reads that
//! failed are left out. One per file whose history has none.
//!
//! Writes carry unique ids, so every read names the write it saw, and the test is Gibbons
//! and Korach's for registers with unique values: group each write with the reads that
//! returned it (a *cluster*); cluster `a` must come before cluster `b` when one of `a`'s
//! operations ended before one of `b`'s began (`end(a) < start(b)`, with `end` the
//! earliest end and `start` the latest start in the cluster). The history is
//! linearizable exactly when no read ends before its write begins and no two clusters
//! must each come before the other. Two such clusters are the example.
//!
//! It streams: each operation that changes a cluster is checked against the clusters
//! still kept. A cluster that ended before the oldest read or write of its file still
//! open began, and must come before another that also did, can never be read again
//! without a violation (the read would start after both ended); it is forgotten, and a
//! read of a forgotten write (an acknowledged write no longer kept) is a violation. Only
//! operations on a file touch its clusters, so operations open on other files, and
//! locks, hold nothing back. Memory grows with files and the writes in progress, not
//! with operations.

use super::{AckedWrites, Example, Tally};
use crate::cell::ids::{ClientNo, FileNo, WriteId};
use evidence::{Evidence, name, precedes, secs};
use sim::Instant;

mod evidence;

/// Microseconds; the initial content's write is at `BEFORE`, an end not yet seen `NEVER`.
type T = i64;
const BEFORE: T = -1;
const NEVER: T = T::MAX;

fn at(t: Instant) -> T {
    t.as_micros() as T
}

/// A write and the reads that returned it.
#[derive(Clone, Copy, Debug, Hash)]
struct Cluster {
    /// `None`: the initial content.
    value: Option<WriteId>,
    /// The earliest end of its operations.
    end: T,
    /// The latest start of its operations.
    start: T,
    /// When its write was invoked.
    written: T,
    read: bool,
    acked: bool,
}

/// What is left of the forgotten clusters: the latest start among them, and its cluster.
#[derive(Clone, Copy, Debug, Hash)]
struct Forgotten {
    start: T,
    end: T,
    value: Option<WriteId>,
}

#[derive(Debug, Clone, Hash)]
struct FileHistory {
    kept: Vec<Cluster>,
    /// Writes that ended without an answer and were never read: they may take effect at
    /// any time, or never, and order nothing until a read returns them.
    unanswered: Vec<(WriteId, T)>,
    /// Forgotten clusters whose write was never acknowledged.
    forgotten_unanswered: Vec<WriteId>,
    forgotten: Option<Forgotten>,
    evidence: Evidence,
    /// A violation was found: the file is judged.
    broken: bool,
}

impl FileHistory {
    fn new() -> FileHistory {
        FileHistory {
            kept: vec![Cluster {
                value: None,
                end: BEFORE,
                start: BEFORE,
                written: BEFORE,
                read: false,
                acked: true,
            }],
            unanswered: Vec::new(),
            forgotten_unanswered: Vec::new(),
            forgotten: None,
            evidence: Evidence::default(),
            broken: false,
        }
    }

    fn find(&self, value: Option<WriteId>) -> Option<usize> {
        self.kept.iter().position(|c| c.value == value)
    }

    /// Forget every cluster that ended before `horizon` and must come before another that
    /// also did.
    fn forget(&mut self, horizon: T) {
        // The two latest starts among clusters that ended before the horizon.
        let mut top: [Option<(T, Option<usize>)>; 2] = [None, None];
        let mut offer = |start: T, who: Option<usize>| {
            if top[0].is_none_or(|(s, _)| start > s) {
                top[1] = top[0];
                top[0] = Some((start, who));
            } else if top[1].is_none_or(|(s, _)| start > s) {
                top[1] = Some((start, who));
            }
        };
        if let Some(f) = self.forgotten {
            offer(f.start, None);
        }
        for (i, c) in self
            .kept
            .iter()
            .enumerate()
            .filter(|(_, c)| c.end < horizon)
        {
            offer(c.start, Some(i));
            self.evidence.note(c.mark());
        }
        let latest_other = |i: usize| match top {
            [Some((_, Some(j))), second] if j == i => second.map(|(s, _)| s),
            [first, _] => first.map(|(s, _)| s),
        };
        let doomed: Vec<usize> = (0..self.kept.len())
            .filter(|&i| {
                let c = &self.kept[i];
                c.end < horizon && latest_other(i).is_some_and(|s| c.end < s)
            })
            .collect();
        for &i in doomed.iter().rev() {
            let c = self.kept.swap_remove(i);
            if self.forgotten.is_none_or(|f| c.start > f.start) {
                self.forgotten = Some(Forgotten {
                    start: c.start,
                    end: c.end,
                    value: c.value,
                });
            }
            if let Some(w) = c.value.filter(|_| !c.acked) {
                self.forgotten_unanswered.push(w);
            }
        }
    }

    /// A cluster `i` that must come before and after another, if any.
    fn conflict(&self, i: usize) -> Option<(Cluster, Cluster)> {
        let x = self.kept[i];
        let twisted = |y: &Cluster| x.end < y.start && y.end < x.start;
        if let Some(y) = self
            .kept
            .iter()
            .enumerate()
            .find(|&(j, y)| j != i && twisted(y))
        {
            return Some((x, *y.1));
        }
        // Every forgotten cluster ended before the horizon, so before `x`'s latest start.
        let f = self.forgotten.filter(|f| x.end < f.start)?;
        Some((x, forgotten_cluster(f)))
    }
}

fn forgotten_cluster(f: Forgotten) -> Cluster {
    Cluster {
        value: f.value,
        end: f.end,
        start: f.start,
        written: BEFORE,
        read: true,
        acked: true,
    }
}

/// The linearizability checker.
#[derive(Clone, Hash)]
pub struct Linearizability {
    files: Vec<FileHistory>,
    pub tally: Tally,
}

/// Who saw what, when: the operation that changed a cluster.
pub struct Seen {
    pub client: ClientNo,
    pub file: FileNo,
    pub now: Instant,
    /// The invocation of the oldest read or write of `file` still open, this one
    /// included.
    pub horizon: Instant,
}

impl Linearizability {
    pub fn new(files: u32) -> Linearizability {
        Linearizability {
            files: (0..files).map(|_| FileHistory::new()).collect(),
            tally: Tally::default(),
        }
    }

    fn file(&mut self, seen: &Seen) -> Option<&mut FileHistory> {
        let f = &mut self.files[seen.file.idx()];
        if f.broken {
            return None;
        }
        f.forget(at(seen.horizon));
        Some(f)
    }

    pub fn write_invoked(&mut self, write: WriteId, now: Instant) {
        let f = &mut self.files[write.file.idx()];
        if f.broken {
            return;
        }
        f.kept.push(Cluster {
            value: Some(write),
            end: NEVER,
            start: at(now),
            written: at(now),
            read: false,
            acked: false,
        });
    }

    pub fn write_acked(&mut self, write: WriteId, seen: &Seen) {
        let Some(f) = self.file(seen) else { return };
        let Some(i) = f.find(Some(write)) else {
            return;
        };
        let c = &mut f.kept[i];
        c.end = c.end.min(at(seen.now));
        c.acked = true;
        let found = f.conflict(i);
        self.judge(seen, found);
    }

    /// The write's client gave up on it without an answer: it may have taken effect.
    pub fn write_unanswered(&mut self, write: WriteId, seen: &Seen) {
        let Some(f) = self.file(seen) else { return };
        if let Some(i) = f.find(Some(write)).filter(|&i| !f.kept[i].read) {
            let c = f.kept.swap_remove(i);
            f.unanswered.push((write, c.written));
        }
    }

    /// Every attempt of the write was refused: it took no effect.
    pub fn write_failed(&mut self, write: WriteId, seen: &Seen) {
        let Some(f) = self.file(seen) else { return };
        let read = match f.find(Some(write)) {
            Some(i) => f.kept.swap_remove(i).read,
            None => f.forgotten_unanswered.contains(&write),
        };
        if read {
            let detail = format!("{write} was read, but every attempt to write it was refused");
            self.violation(seen, detail);
        }
    }

    /// A read invoked at `invoked` returned `value`; `acked` tells a forgotten write
    /// from one that was never written.
    pub fn read(
        &mut self,
        value: Option<WriteId>,
        invoked: Instant,
        seen: &Seen,
        acked: &AckedWrites,
    ) {
        let Some(f) = self.file(seen) else { return };
        let i = match f.find(value) {
            Some(i) => i,
            None => match value.and_then(|w| f.unanswered.iter().position(|u| u.0 == w)) {
                Some(u) => {
                    let (write, written) = f.unanswered.swap_remove(u);
                    f.kept.push(Cluster {
                        value: Some(write),
                        end: NEVER,
                        start: written,
                        written,
                        read: false,
                        acked: false,
                    });
                    f.kept.len() - 1
                }
                None => {
                    let forgotten = value
                        .is_none_or(|w| acked.contains(w) || f.forgotten_unanswered.contains(&w));
                    return self.lost_value(value, invoked, seen, forgotten);
                }
            },
        };
        let c = &mut f.kept[i];
        if at(seen.now) < c.written {
            let detail = format!("read {} before it was written", name(value));
            return self.violation(seen, detail);
        }
        c.read = true;
        c.start = c.start.max(at(invoked));
        c.end = c.end.min(at(seen.now));
        let found = f.conflict(i);
        self.judge(seen, found);
    }

    /// A read returned a value no kept cluster holds: one forgotten (it can only be read
    /// out of order now), or one never written.
    fn lost_value(
        &mut self,
        value: Option<WriteId>,
        invoked: Instant,
        seen: &Seen,
        forgotten: bool,
    ) {
        let by = self.files[seen.file.idx()].evidence.other_than(value);
        let detail = match by.filter(|_| forgotten) {
            Some(by) => format!(
                "read {} (invoked at {}) after {} had replaced it for good: {}",
                name(value),
                secs(at(invoked)),
                name(by.value),
                match by.read {
                    true => format!(
                        "{} was still read at {}, after both were written",
                        name(by.value),
                        secs(by.start)
                    ),
                    false => format!(
                        "{} was written at {}, after an operation on {} had ended",
                        name(by.value),
                        secs(by.start),
                        name(value)
                    ),
                },
            ),
            None if forgotten => format!(
                "read {} (invoked at {}) after later writes had replaced it for good",
                name(value),
                secs(at(invoked)),
            ),
            None => format!(
                "read {}, which was never written (or every attempt was refused)",
                name(value)
            ),
        };
        self.violation(seen, detail);
    }

    fn judge(&mut self, seen: &Seen, found: Option<(Cluster, Cluster)>) {
        let Some((x, y)) = found else { return };
        let detail = format!(
            "{} and {} cannot be ordered: {}, and {}",
            name(x.value),
            name(y.value),
            precedes(&x, &y),
            precedes(&y, &x),
        );
        self.violation(seen, detail);
    }

    fn violation(&mut self, seen: &Seen, detail: String) {
        let f = &mut self.files[seen.file.idx()];
        f.broken = true;
        f.kept = Vec::new();
        f.unanswered = Vec::new();
        f.forgotten_unanswered = Vec::new();
        self.tally.add(|| Example {
            at_s: seen.now.as_secs_f64(),
            client: format!("c{}", seen.client),
            file: Some(seen.file),
            detail,
        });
    }

    /// Whether the file's history so far has no linearization.
    pub fn broken(&self, file: FileNo) -> bool {
        self.files[file.idx()].broken
    }

    /// Clusters the file still keeps.
    #[cfg(test)]
    pub(crate) fn kept(&self, file: FileNo) -> usize {
        self.files[file.idx()].kept.len()
    }
}

#[cfg(test)]
mod tests;
