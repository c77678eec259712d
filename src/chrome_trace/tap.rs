//! The observer that turns one strategy's run into trace events: messages as slices
//! joined by flow arrows, node crashes and restarts, a server's time as master and its
//! recovery (sync, writes and locks closed, token window) and every client operation.

use super::event::{Event, Phase};
use super::{Sink, Window};
use crate::cell::ids::{ClientNo, FileNo};
use crate::cell::msg::{KINDS, Msg, OpKind, OpResult};
use crate::cell::{AfsNode, Who, node_name, who};
use serde_json::{Value, json};
use sim::{Fate, Fault, Instant, Message, NodeId, Observer, Record, TraceHash};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// An async span still open: where it started, its name and details.
struct Open {
    start: u64,
    name: String,
    cat: &'static str,
    args: Value,
}

/// A message on its way: (arrival µs, from, to, hash of the message) → sent at, in
/// the order sent.
type InFlight = BTreeMap<(u64, u32, u32, u64), Vec<u64>>;

/// Everything recorded in one run.
pub struct Recording {
    servers: u32,
    window: Window,
    /// Where events go as they are recorded.
    pub out: Sink,
    in_flight: InFlight,
    /// Open async spans by (tid, what).
    open: BTreeMap<(u32, &'static str), Open>,
    /// Locks held, by (tid, file).
    locks: BTreeMap<(u32, FileNo), Open>,
    /// Client operations in progress by (client, op): invoked at, kind, file, probe.
    ops: BTreeMap<(ClientNo, u64), (u64, OpKind, FileNo, bool)>,
    next_id: u64,
}

/// The thread track of an engine node (`tid` 0 is the idle thread to some viewers).
pub fn tid(node: NodeId) -> u32 {
    node.0 + 1
}

/// The variant's name: `FetchOk`, `Beacon`.
fn variant(msg: &Msg) -> String {
    let text = format!("{msg:?}");
    let end = text.find([' ', '{', '(']).unwrap_or(text.len());
    text[..end].to_string()
}

fn hash(msg: &Msg) -> u64 {
    TraceHash::of(msg)
}

impl Recording {
    pub fn new(servers: u32, window: Window, first_id: u64, out: Sink) -> Recording {
        Recording {
            servers,
            window,
            out,
            in_flight: BTreeMap::new(),
            open: BTreeMap::new(),
            locks: BTreeMap::new(),
            ops: BTreeMap::new(),
            next_id: first_id,
        }
    }

    fn name(&self, node: NodeId) -> String {
        node_name(node, self.servers)
    }

    pub fn id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    fn instant(&mut self, ts: u64, node: NodeId, name: impl Into<String>, args: Value) {
        if self.window.contains(ts) {
            let e = Event::new(name, "fault", Phase::Instant, ts, tid(node)).with_args(args);
            self.out.push(e);
        }
    }

    /// An async span from `start` to `end`, clipped to the window.
    pub fn span(
        &mut self,
        tid: u32,
        start: u64,
        end: u64,
        name: String,
        cat: &'static str,
        args: Value,
    ) {
        let (a, b) = (start.max(self.window.from), end.min(self.window.to));
        if a > b {
            return;
        }
        let id = self.id();
        self.out
            .push(Event::new(name.clone(), cat, Phase::Begin { id }, a, tid).with_args(args));
        self.out
            .push(Event::new(name, cat, Phase::End { id }, b, tid));
    }

    fn open(
        &mut self,
        tid: u32,
        what: &'static str,
        ts: u64,
        name: String,
        cat: &'static str,
        args: Value,
    ) {
        let span = Open {
            start: ts,
            name,
            cat,
            args,
        };
        if let Some(old) = self.open.insert((tid, what), span) {
            self.span(tid, old.start, ts, old.name, old.cat, old.args);
        }
    }

    fn close(&mut self, tid: u32, what: &'static str, ts: u64) {
        if let Some(o) = self.open.remove(&(tid, what)) {
            self.span(tid, o.start, ts, o.name, o.cat, o.args);
        }
    }

    fn close_all(&mut self, tid: u32, ts: u64) {
        let whats: Vec<&'static str> = self
            .open
            .keys()
            .filter(|k| k.0 == tid)
            .map(|k| k.1)
            .collect();
        for what in whats {
            self.close(tid, what, ts);
        }
    }

    /// A message slice on `node`'s track at `ts` (1 µs, so a flow can bind to it).
    fn slice(&mut self, ts: u64, node: NodeId, msg: &Msg, suffix: &str, args: Value) {
        let name = format!("{}{suffix}", variant(msg));
        let cat = KINDS[msg.kind()];
        self.out
            .push(Event::new(name, cat, Phase::Complete { dur: 1 }, ts, tid(node)).with_args(args));
    }

    fn sent(&mut self, now: u64, from: NodeId, to: NodeId, msg: &Msg, fate: Fate) {
        let arrivals = match fate {
            Fate::Arrives { latency, duplicate } => [Some(latency), duplicate]
                .into_iter()
                .flatten()
                .map(|d| now + d.as_micros())
                .collect(),
            Fate::Lost | Fate::Cut => {
                if self.window.contains(now) {
                    let why = if fate == Fate::Lost {
                        " (lost)"
                    } else {
                        " (cut)"
                    };
                    self.slice(now, from, msg, why, json!({ "to": self.name(to) }));
                }
                Vec::new()
            }
        };
        let h = hash(msg);
        for at in arrivals {
            // Only what has an end in the window is worth remembering.
            if self.window.contains(now) || self.window.contains(at) {
                let key = (at, from.0, to.0, h);
                self.in_flight.entry(key).or_default().push(now);
            }
        }
    }

    /// Where the message now arriving was sent, if it was remembered.
    fn take_in_flight(&mut self, now: u64, from: NodeId, to: NodeId, msg: &Msg) -> Option<u64> {
        let key = (now, from.0, to.0, hash(msg));
        let sends = self.in_flight.get_mut(&key)?;
        let sent = sends.remove(0);
        if sends.is_empty() {
            self.in_flight.remove(&key);
        }
        Some(sent)
    }

    fn delivered(&mut self, now: u64, from: NodeId, to: NodeId, msg: &Msg) {
        let sent = self.take_in_flight(now, from, to, msg);
        let send_in = sent.is_some_and(|t| self.window.contains(t));
        let recv_in = self.window.contains(now);
        let flow = (send_in && recv_in).then(|| self.id());
        // A flow event binds to the slice on its track at its instant; Chrome's viewers
        // also want the same category.
        let cat = KINDS[msg.kind()];
        if let (true, Some(t)) = (send_in, sent) {
            self.slice(t, from, msg, "", json!({ "to": self.name(to) }));
            if let Some(id) = flow {
                let e = Event::new(variant(msg), cat, Phase::FlowStart { id }, t, tid(from));
                self.out.push(e);
            }
        }
        if recv_in {
            self.slice(now, to, msg, "", json!({ "from": self.name(from) }));
            if let Some(id) = flow {
                let e = Event::new(variant(msg), cat, Phase::FlowEnd { id }, now, tid(to));
                self.out.push(e);
            }
        }
    }

    fn dropped(&mut self, now: u64, from: NodeId, to: NodeId, msg: &Msg) {
        if let Some(t) = self.take_in_flight(now, from, to, msg)
            && self.window.contains(t)
        {
            self.slice(t, from, msg, " (dropped)", json!({ "to": self.name(to) }));
        }
        let what = format!("dropped {}", variant(msg));
        self.instant(now, to, what, json!({ "from": self.name(from) }));
    }
}

mod outputs;

/// The run's observer: records into a [`Recording`], which it hands to `sink` when
/// dropped (the run gives the observer back only as a trait object).
pub struct TraceTap {
    recording: Option<Recording>,
    sink: Arc<Mutex<Option<Recording>>>,
}

impl TraceTap {
    pub fn new(recording: Recording, sink: Arc<Mutex<Option<Recording>>>) -> TraceTap {
        TraceTap {
            recording: Some(recording),
            sink,
        }
    }
}

impl Drop for TraceTap {
    fn drop(&mut self) {
        if let (Some(r), Ok(mut slot)) = (self.recording.take(), self.sink.lock()) {
            *slot = Some(r);
        }
    }
}

impl Observer<AfsNode> for TraceTap {
    fn record(&mut self, now: Instant, record: Record<'_, AfsNode>) {
        let Some(r) = self.recording.as_mut() else {
            return;
        };
        let ts = now.as_micros();
        match record {
            Record::Sent {
                from,
                to,
                msg,
                fate,
            } => r.sent(ts, from, to, msg, fate),
            Record::Delivered { from, to, msg } => r.delivered(ts, from, to, msg),
            Record::Dropped { from, to, msg, .. } => r.dropped(ts, from, to, msg),
            Record::Fault { fault, effective } => r.fault(ts, fault, effective),
            Record::Output { node, output } => match who(node, r.servers) {
                Who::Server(_) => r.server_output(ts, node, output),
                Who::Client(c) => r.client_output(ts, c, node, output),
            },
            Record::TimerFired { .. } => {}
        }
    }
}

/// What a fault did, for the node tracks.
fn fault_name(fault: &Fault) -> String {
    match fault {
        Fault::Crash(_) => "crash".into(),
        Fault::Restart(_) => "restart".into(),
        Fault::Partition { one_way: true, .. } => "one-way partition".into(),
        Fault::Partition { .. } => "partition".into(),
        Fault::Isolate(_) => "isolate".into(),
        Fault::Link { .. } => "link change".into(),
        Fault::ClockJump { by_us, .. } => format!("clock jump {:+} s", *by_us as f64 / 1e6),
        Fault::Heal(_) => "heal".into(),
    }
}

/// The result of an operation, for its span.
fn result_name(result: OpResult) -> &'static str {
    match result {
        OpResult::Failed => "failed",
        OpResult::Unknown => "unknown",
        _ => "ok",
    }
}
