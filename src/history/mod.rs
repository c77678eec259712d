//! The run's history as it streams: the engine's observer turns what nodes report into
//! checker and metric updates, keeping only what is still needed (operations in progress,
//! locks held, what the checkers summarise), never the whole history; with `--history`
//! it also writes every operation out for outside checkers.

pub mod jsonl;
pub mod replay;

use crate::cell::ids::{ClientNo, FileNo, WriteId};
use crate::cell::msg::{OpKind, OpResult, Output};
use crate::cell::{AfsNode, Who, who};
use crate::check::{
    AckedWrites, FinalVolume, Kind, Linearizability, Liveness, LockConflict, LostWrite, OpenOps,
    PerClient, ReadMark, Seen, StaleRead, Verdict,
};
use crate::metrics::Metrics;
pub use jsonl::HistoryLog;
use sim::{Fault, Instant, NodeId, Observer, Record};

/// An operation between its invocation and its end.
#[derive(Clone, Copy, Debug, Hash)]
struct OpInfo {
    kind: OpKind,
    file: FileNo,
    write: Option<WriteId>,
    invoked: Instant,
    probe: bool,
    /// Its place among its file's open reads and writes; `None` for a lock.
    ticket: Option<u64>,
    /// A read's mark for the stale-read checker (see `StaleRead::invoke_read`).
    mark: ReadMark,
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
    stale: StaleRead,
    lin: Linearizability,
    locks: LockConflict,
    lost: LostWrite,
    live: Liveness,
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
    fn open(&mut self, kind: OpKind, file: FileNo, now: Instant) -> Option<u64> {
        (kind != OpKind::Lock).then(|| self.open[file.idx()].open(now))
    }

    fn invoked(&mut self, info: &mut OpInfo) {
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
    fn ended(&mut self, client: ClientNo, info: &OpInfo, result: OpResult, now: Instant) {
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
        let mut verdict = Verdict::default();
        verdict.tallies[Kind::StaleRead as usize] = self.stale.tally.clone();
        verdict.tallies[Kind::LockConflict as usize] = self.locks.tally.clone();
        verdict.tallies[Kind::LostWrite as usize] = self.lost.tally.clone();
        verdict.tallies[Kind::Liveness as usize] = self.live.tally.clone();
        verdict.tallies[Kind::Linearizability as usize] = self.lin.tally.clone();
        verdict
    }
}

/// What every record of a run feeds.
pub struct Recorder {
    servers: u32,
    ops: PerClient<OpInfo>,
    checkers: Checkers,
    /// `None` in a run that measures nothing (`RunSpec::measure`).
    pub metrics: Option<Metrics>,
    /// Every operation written out, with `--history`.
    pub log: Option<HistoryLog>,
    /// Also told everything, if the run writes a trace.
    pub tap: Option<Box<dyn Observer<AfsNode> + Send>>,
}

/// A copy for a search that runs a state forward twice. A run that writes a trace or a
/// history is one schedule, never copied: its writers are not.
impl Clone for Recorder {
    fn clone(&self) -> Recorder {
        assert!(
            self.log.is_none() && self.tap.is_none(),
            "a run writing a trace or history is not copied"
        );
        Recorder {
            servers: self.servers,
            ops: self.ops.clone(),
            checkers: self.checkers.clone(),
            metrics: self.metrics.clone(),
            log: None,
            tap: None,
        }
    }
}

/// What decides the verdict from here: operations in progress and the checkers' state.
/// The metrics only count what happened, and decide nothing.
impl std::hash::Hash for Recorder {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        (self.servers, &self.ops, &self.checkers).hash(h);
    }
}

impl Recorder {
    /// A fault took the master's majority away at `at`: a recovery begins (the fault
    /// comes from the run, not from a node, so the run reports it here).
    pub fn master_deposed(&mut self, label: String, at: Instant) {
        if let Some(m) = self.metrics.as_mut() {
            m.recoveries.fault(label, at);
        }
    }

    pub fn new(servers: u32, clients: u32, files: u32, metrics: Option<Metrics>) -> Recorder {
        Recorder {
            servers,
            ops: PerClient::new(clients),
            checkers: Checkers::new(clients, files),
            metrics,
            log: None,
            tap: None,
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
                        crate::cell::msg::Invoked::Write(w) => Some(w),
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
                        m.stale_read(client, now);
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
    fn output(&mut self, node: NodeId, output: &Output, now: Instant) {
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
    pub fn finish(&mut self, volume: &FinalVolume, end: Instant) -> Verdict {
        if let Some(log) = self.log.as_mut() {
            log.finish();
        }
        self.checkers.finish(volume, end)
    }
}

impl Observer<AfsNode> for Recorder {
    /// Always inlined: at each of the engine's call sites the kind of record is known,
    /// so this match folds away and only that kind's work is left.
    #[inline(always)]
    fn record(&mut self, now: Instant, record: Record<'_, AfsNode>) {
        match &record {
            Record::Sent { from, msg, .. } => {
                if let Some(m) = self.metrics.as_mut() {
                    m.message_sent(now, *from, msg, self.servers);
                }
            }
            Record::Delivered { to, msg, .. } => {
                if let Some(m) = self.metrics.as_mut() {
                    m.message_delivered(now, *to, msg, self.servers);
                }
            }
            Record::Output { node, output } => self.output(*node, output, now),
            Record::Fault {
                fault: Fault::Crash(node),
                effective: true,
            } => self.crashed(*node, now),
            _ => {}
        }
        if let Some(tap) = self.tap.as_mut() {
            tap.record(now, record);
        }
    }
}

#[cfg(test)]
mod tests;
