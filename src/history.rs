//! The run's history as it streams: the engine's observer turns what nodes report into
//! checker and metric updates, keeping only what is still needed (operations in progress,
//! locks held), never the whole history.

use crate::cell::msg::{ClientNo, OpKind, OpResult, Output};
use crate::cell::{AfsNode, Who, who};
use crate::check::{
    FinalVolume, Kind, Liveness, LockConflict, LostWrite, PerClient, StaleRead, Verdict,
};
use crate::metrics::Metrics;
use sim::{Fault, Instant, Message, NodeId, Observer, Record};

/// An operation between its invocation and its end.
#[derive(Clone, Copy, Debug)]
struct OpInfo {
    kind: OpKind,
    invoked: Instant,
    probe: bool,
}

/// What every record of a run feeds.
pub struct Recorder {
    servers: u32,
    ops: PerClient<OpInfo>,
    stale: StaleRead,
    locks: LockConflict,
    lost: LostWrite,
    live: Liveness,
    pub metrics: Metrics,
    /// Also told everything, if the run writes a trace.
    pub tap: Option<Box<dyn Observer<AfsNode> + Send>>,
}

impl Recorder {
    pub fn new(servers: u32, clients: u32, end_of_workload: Instant) -> Recorder {
        Recorder {
            servers,
            ops: PerClient::new(clients),
            stale: StaleRead::new(clients),
            locks: LockConflict::default(),
            lost: LostWrite::default(),
            live: Liveness::new(clients),
            metrics: Metrics::new(servers, end_of_workload),
            tap: None,
        }
    }

    fn client_output(&mut self, client: ClientNo, output: &Output, now: Instant) {
        match *output {
            Output::Invoke {
                op,
                kind,
                file,
                probe,
            } => {
                let invoked = now;
                self.ops.insert(
                    client,
                    op,
                    OpInfo {
                        kind,
                        invoked,
                        probe,
                    },
                );
                if kind == OpKind::Read {
                    self.stale.invoke_read(client, op, file, now);
                }
            }
            Output::Done { op, result } => self.done(client, op, result, now),
            Output::LockHeld { file, mode } => self.locks.held(client, file, mode, now),
            Output::LockEnd { file } => self.locks.ended(client, file),
            Output::Durable { write } => self.lost.durable(write),
            _ => unreachable!("server report {output:?} from a client"),
        }
    }

    fn done(&mut self, client: ClientNo, op: u64, result: OpResult, now: Instant) {
        let Some(info) = self.ops.remove(client, op) else {
            return;
        };
        match result {
            OpResult::Read(version) => {
                let stale_before = self.stale.tally.count;
                self.stale.read_done(client, op, Some(version), now);
                if self.stale.tally.count > stale_before {
                    self.metrics.stale_read(client, now);
                }
            }
            OpResult::Write(write, pos, durable) => {
                self.stale.write_acked(write, pos, now);
                self.lost.acked(write, now, durable);
            }
            OpResult::Lock => {}
            OpResult::Failed => {
                if info.kind == OpKind::Read {
                    self.stale.read_done(client, op, None, now);
                }
            }
        }
        let ok = result != OpResult::Failed;
        if ok && info.probe {
            self.live.probe_succeeded(client, info.kind);
        }
        self.metrics
            .op_done(info.kind, ok, info.invoked, now, info.probe);
    }

    /// A crashed client's operations fail; it holds no locks.
    fn client_crashed(&mut self, client: ClientNo, now: Instant) {
        let ops = self.ops.take(client);
        for (_, info) in ops {
            self.metrics
                .op_done(info.kind, false, info.invoked, now, info.probe);
        }
        self.stale.client_crashed(client);
        self.locks.client_crashed(client);
    }

    fn crashed(&mut self, node: NodeId, now: Instant) {
        match who(node, self.servers) {
            Who::Client(c) => self.client_crashed(c, now),
            Who::Server(s) => self.metrics.recoveries.server_crashed(s),
        }
    }

    /// The end of the run: judge lost writes against the final master's volume and
    /// liveness, and return every checker's verdict.
    pub fn finish(&mut self, volume: &FinalVolume, end: Instant) -> Verdict {
        self.lost.finish(volume, end);
        self.live.finish(end);
        let mut verdict = Verdict::default();
        verdict.tallies[Kind::StaleRead as usize] = self.stale.tally.clone();
        verdict.tallies[Kind::LockConflict as usize] = self.locks.tally.clone();
        verdict.tallies[Kind::LostWrite as usize] = self.lost.tally.clone();
        verdict.tallies[Kind::Liveness as usize] = self.live.tally.clone();
        verdict
    }
}

impl Observer<AfsNode> for Recorder {
    fn record(&mut self, now: Instant, record: Record<'_, AfsNode>) {
        self.metrics.observe(now, &record, self.servers);
        match &record {
            Record::Sent { msg, .. } => self.metrics.message_sent(now, msg.kind()),
            Record::Output { node, output } => match who(*node, self.servers) {
                Who::Client(c) => self.client_output(c, output, now),
                Who::Server(s) => self.metrics.recoveries.server_output(s, output, now),
            },
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
