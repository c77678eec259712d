//! The run's books: the operations in progress, every invariant checker, the metrics and
//! the history log, and the notes that feed them in the order the run made them.

use super::HistoryLog;
use crate::cell::ids::{ClientNo, FileNo, WriteId};
use crate::cell::msg::{Invoked, OpKind, OpResult, Output};
use crate::cell::{Who, who};
use crate::check::{
    AckedWrites, FinalVolume, Kind, Linearizability, Liveness, LockConflict, LostWrite, OpenOps,
    PerClient, ReadMark, Seen, StaleRead, Verdict,
};
use crate::metrics::Metrics;
use crate::metrics::lanes::Mark;
use sim::{Instant, NodeId};

/// An operation between its invocation and its end.
#[derive(Clone, Copy, Debug, Hash)]
pub(super) struct OpInfo {
    pub(super) kind: OpKind,
    pub(super) file: FileNo,
    pub(super) write: Option<WriteId>,
    pub(super) invoked: Instant,
    pub(super) probe: bool,
    /// Its place among its file's open reads and writes; `None` for a lock.
    pub(super) ticket: Option<u64>,
    /// A read's mark for the stale-read checker (see `StaleRead::invoke_read`).
    pub(super) mark: ReadMark,
}

/// Every invariant checker, fed from the history alone.
#[derive(Clone, Hash)]
pub struct Checkers {
    /// Each file's reads and writes in progress: only they can still change what the
    /// checkers keep of that file's history, so the oldest bounds what the file must
    /// keep. (A cell-wide bound lagged behind the longest operation anywhere, often a
    /// lock waited for, and a popular file kept every write of that span.)
    open: Vec<OpenOps>,
    acked: AckedWrites,
    pub(super) stale: StaleRead,
    pub(super) lin: Linearizability,
    pub(super) locks: LockConflict,
    lost: LostWrite,
    pub(super) live: Liveness,
}

impl Checkers {
    pub fn new(clients: u32, files: u32) -> Checkers {
        Checkers {
            open: vec![OpenOps::default(); files as usize],
            acked: AckedWrites::new(clients),
            stale: StaleRead::new(files),
            lin: Linearizability::new(files),
            locks: LockConflict::default(),
            lost: LostWrite::default(),
            live: Liveness::new(clients),
        }
    }

    /// A ticket for an operation invoked at `now` on `file`, if it is a read or a write.
    pub(super) fn open(&mut self, kind: OpKind, file: FileNo, now: Instant) -> Option<u64> {
        (kind != OpKind::Lock).then(|| self.open[file.idx()].open(now))
    }

    pub(super) fn invoked(&mut self, info: &mut OpInfo) {
        match info.kind {
            OpKind::Read => info.mark = self.stale.invoke_read(info.file, info.invoked),
            OpKind::Write => {
                let w = info.write.expect("a write is named when invoked");
                self.lin.write_invoked(w, info.invoked);
            }
            OpKind::Lock => {}
        }
    }

    /// An operation ended as its client saw it; `horizon` is the invocation of the oldest
    /// read or write of its file still open, this operation included.
    pub(super) fn ended(
        &mut self,
        client: ClientNo,
        info: &OpInfo,
        result: OpResult,
        now: Instant,
    ) {
        let open = &mut self.open[info.file.idx()];
        let horizon = open.horizon(now);
        if let Some(ticket) = info.ticket {
            open.close(ticket);
        }
        let seen = Seen {
            client,
            file: info.file,
            now,
            horizon,
        };
        match (info.kind, result, info.write) {
            (OpKind::Read, OpResult::Read { write, .. }, _) => {
                let acked = &self.acked;
                let read = (client, info.file, info.mark);
                self.stale.read_done(read, write, (now, horizon), acked);
                self.lin.read(write, info.invoked, &seen, acked);
            }
            (OpKind::Write, OpResult::Write { durable }, Some(w)) => {
                self.acked.insert(w);
                self.stale.write_acked(w, info.invoked, now, horizon);
                self.lin.write_acked(w, &seen);
                self.lost.acked(w, now, durable);
            }
            (OpKind::Write, OpResult::Failed, Some(w)) => self.lin.write_failed(w, &seen),
            (OpKind::Write, _, Some(w)) => self.lin.write_unanswered(w, &seen),
            _ => {}
        }
        if result.ok() && info.probe {
            self.live.probe_succeeded(client, info.kind);
        }
    }

    /// The end of the run: judge lost writes against the final master's volume, and
    /// liveness.
    pub fn finish(&mut self, volume: &FinalVolume, end: Instant) -> Verdict {
        self.lost.finish(&self.acked, volume, end);
        self.live.finish(end);
        self.verdict()
    }

    /// What each checker has found so far (lost writes only once the run is finished).
    pub(super) fn verdict(&self) -> Verdict {
        let mut verdict = Verdict::default();
        verdict.tallies[Kind::StaleRead as usize] = self.stale.tally.clone();
        verdict.tallies[Kind::LockConflict as usize] = self.locks.tally.clone();
        verdict.tallies[Kind::LostWrite as usize] = self.lost.tally.clone();
        verdict.tallies[Kind::Liveness as usize] = self.live.tally.clone();
        verdict.tallies[Kind::Linearizability as usize] = self.lin.tally.clone();
        verdict
    }
}

/// What a record tells the run's books: owned and small, so that the books can be kept
/// on a thread of their own (see [`super::apart`]) and fed in the order the run made them.
#[derive(Debug)]
pub(super) enum Note {
    /// A client went through something a recovery's lanes show.
    Marked { client: ClientNo, mark: Mark },
    /// A node reported something.
    Output { node: NodeId, output: Output },
    /// A node crashed.
    Crashed(NodeId),
    /// A fault took the master's majority away: a recovery begins. (The fault comes
    /// from the run, not from a node, so the run reports it.)
    Deposed(String),
}

/// The run's books: the operations in progress, the checkers, the metrics and the
/// history log, fed with notes in the order the run made them.
pub(super) struct Books {
    pub(super) servers: u32,
    pub(super) ops: PerClient<OpInfo>,
    pub(super) checkers: Checkers,
    /// `None` in a run that measures nothing (`RunSpec::measure`).
    pub(super) metrics: Option<Metrics>,
    /// Every operation written out, with `--history`.
    pub(super) log: Option<HistoryLog>,
}

/// A copy for a search that runs a state forward twice. A run that writes a history is
/// one schedule, never copied: its writer is not.
impl Clone for Books {
    fn clone(&self) -> Books {
        assert!(self.log.is_none(), "a run writing a history is not copied");
        Books {
            servers: self.servers,
            ops: self.ops.clone(),
            checkers: self.checkers.clone(),
            metrics: self.metrics.clone(),
            log: None,
        }
    }
}

/// What decides the verdict from here: operations in progress and the checkers' state.
/// The metrics only count what happened, and decide nothing.
impl std::hash::Hash for Books {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        (self.servers, &self.ops, &self.checkers).hash(h);
    }
}

impl Books {
    /// Take one note.
    #[inline(always)]
    pub(super) fn note(&mut self, now: Instant, note: Note) {
        match note {
            Note::Marked { client, mark } => {
                if let Some(m) = self.metrics.as_mut() {
                    m.marked(client, mark, now);
                }
            }
            Note::Output { node, output } => self.output(node, &output, now),
            Note::Crashed(node) => self.crashed(node, now),
            Note::Deposed(label) => {
                if let Some(m) = self.metrics.as_mut() {
                    m.recoveries.fault(label, now);
                }
            }
        }
    }

    fn client_output(&mut self, client: ClientNo, output: &Output, now: Instant) {
        if let Some(log) = self.log.as_mut() {
            log.client_output(client, output, now);
        }
        let c = &mut self.checkers;
        match *output {
            Output::Invoke {
                op,
                file,
                what,
                probe,
            } => {
                let mut info = OpInfo {
                    kind: what.kind(),
                    file,
                    write: match what {
                        Invoked::Write(w) => Some(w),
                        _ => None,
                    },
                    invoked: now,
                    probe,
                    ticket: c.open(what.kind(), file, now),
                    mark: ReadMark::default(),
                };
                c.invoked(&mut info);
                self.ops.insert(client, op, info);
            }
            Output::Done { op, result } => {
                let Some(info) = self.ops.remove(client, op) else {
                    return;
                };
                let stale_before = c.stale.tally.count;
                c.ended(client, &info, result, now);
                if let Some(m) = self.metrics.as_mut() {
                    if c.stale.tally.count > stale_before {
                        m.marked(client, Mark::StaleRead, now);
                    }
                    m.op_done(info.kind, result.ok(), info.invoked, now, info.probe);
                }
            }
            Output::LockHeld { file, mode } => c.locks.held(client, file, mode, now),
            Output::LockEnd { file, .. } => c.locks.ended(client, file),
            Output::Durable { write } => c.lost.durable(write),
            _ => unreachable!("server report {output:?} from a client"),
        }
    }

    /// A crashed client's operations end without an answer (a write may have taken
    /// effect); it holds no locks.
    fn client_crashed(&mut self, client: ClientNo, now: Instant) {
        if let Some(log) = self.log.as_mut() {
            log.client_crashed(client, now);
        }
        let c = &mut self.checkers;
        for (_, info) in self.ops.take(client) {
            c.ended(client, &info, OpResult::Unknown, now);
            if let Some(m) = self.metrics.as_mut() {
                m.op_done(info.kind, false, info.invoked, now, info.probe);
            }
        }
        c.locks.client_crashed(client);
    }

    /// A node reported something.
    pub(super) fn output(&mut self, node: NodeId, output: &Output, now: Instant) {
        match who(node, self.servers) {
            Who::Client(c) => self.client_output(c, output, now),
            Who::Server(s) => {
                if let Some(m) = self.metrics.as_mut() {
                    m.recoveries.server_output(s, output, now);
                }
            }
        }
    }

    fn crashed(&mut self, node: NodeId, now: Instant) {
        match who(node, self.servers) {
            Who::Client(c) => self.client_crashed(c, now),
            Who::Server(s) => {
                if let Some(m) = self.metrics.as_mut() {
                    m.recoveries.server_crashed(s);
                }
            }
        }
    }

    /// The end of the run: every checker's verdict.
    pub(super) fn finish(&mut self, volume: &FinalVolume, end: Instant) -> Verdict {
        if let Some(log) = self.log.as_mut() {
            log.finish();
        }
        self.checkers.finish(volume, end)
    }
}
