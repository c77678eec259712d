//! `afsim run --trace`: a Chrome trace-event file (`trace.json`, for Perfetto or
//! chrome://tracing) of every strategy's run, to see a failover message by message.
//!
//! Layout: one process per strategy (`pid` = its index + 1, named after it), one thread
//! track per node (`tid` = engine node + 1, named `fs0`, `c7`; viewers treat id 0 as
//! the idle process or thread), and a `faults` track (`tid` = nodes + 1). Each
//! message is a 1 µs slice on its sender's and its receiver's tracks, the two joined by
//! a flow arrow (`s`/`f`, named and categorised like the message slices); lost, cut and dropped messages have
//! no arrow. A server's time as master and its recovery (syncing, writes closed, locks
//! closed, token window), client operations and held locks, nodes down, faults and write
//! outages are async spans named after their node. `ts` is simulated time in µs.
//!
//! Size: every message makes about 4 events (~400 bytes), so a full 6-hour headline run
//! of four strategies (~4 million messages) writes gigabytes; events are written as they
//! are recorded ([`writer`]), so memory stays flat. `--trace-window A..B` keeps only what
//! happens in those seconds.

mod event;
mod tap;
mod writer;

pub use event::{Event, Phase};
pub use tap::{Recording, TraceTap};
pub use writer::TraceWriter;

use crate::cell::node_name;
use crate::run::Outcome;
use crate::scenario::Scenario;
use serde_json::json;
use sim::NodeId;
use std::sync::{Arc, Mutex};

/// The span of simulated time a trace keeps, in µs, both ends included.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    pub from: u64,
    pub to: u64,
}

impl Window {
    pub const ALL: Window = Window {
        from: 0,
        to: u64::MAX,
    };

    /// Parses `A..B` in seconds (`1700..2100`, `0.5..90`).
    pub fn parse(text: &str) -> Result<Window, String> {
        let bad =
            || format!("--trace-window {text}: expected A..B in seconds, A < B, e.g. 1700..2100");
        let (a, b) = text.split_once("..").ok_or_else(bad)?;
        let secs = |s: &str| {
            s.trim()
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite() && *v >= 0.0)
        };
        let (a, b) = (secs(a).ok_or_else(bad)?, secs(b).ok_or_else(bad)?);
        if a >= b || b > 1e12 {
            return Err(bad());
        }
        Ok(Window {
            from: (a * 1e6).round() as u64,
            to: (b * 1e6).round() as u64,
        })
    }

    pub fn contains(&self, ts: u64) -> bool {
        self.from <= ts && ts <= self.to
    }
}

/// Where a trace's events go: the file being written.
pub type Sink = TraceWriter<std::io::BufWriter<std::fs::File>>;

/// Traces the strategies of one scenario, one after the other, into one file: hands
/// each strategy's run an observer, then closes that strategy's spans and adds its
/// faults once the run is over.
pub struct Tracer {
    sink: Option<Sink>,
    /// Where the observer of the strategy now running hands its recording back.
    slot: Arc<Mutex<Option<Recording>>>,
    window: Window,
    servers: u32,
    nodes: u32,
}

impl Tracer {
    pub fn new(scenario: &Scenario, window: Window, sink: Sink) -> Tracer {
        Tracer {
            sink: Some(sink),
            slot: Arc::new(Mutex::new(None)),
            window,
            servers: scenario.cell.servers,
            nodes: scenario.cell.servers + scenario.cell.clients,
        }
    }

    /// The observer for strategy number `index` (from 0), named `name`.
    pub fn tap(&mut self, index: usize, name: &str) -> TraceTap {
        let pid = index as u32 + 1;
        let mut sink = self.sink.take().expect("one strategy at a time");
        sink.set_pid(pid);
        for e in metadata(pid, name, self.servers, self.nodes) {
            sink.push(e);
        }
        // Flow and span ids are unique across the file: each strategy has its own range.
        let recording = Recording::new(self.servers, self.window, u64::from(pid) << 40, sink);
        TraceTap::new(recording, self.slot.clone())
    }

    /// Strategy's run is over: close what is still open and add the faults.
    pub fn ended(&mut self, outcome: &mut Outcome) {
        drop(outcome.tap.take());
        let mut rec = self
            .slot
            .lock()
            .ok()
            .and_then(|mut slot| slot.take())
            .expect("the tap hands its recording over when dropped");
        rec.finish(outcome.end.as_micros());
        fault_spans(&mut rec, outcome, self.nodes + 1);
        self.sink = Some(rec.out);
    }

    /// Closes the file's JSON; the file, flushed, or the first write error.
    pub fn finish(mut self) -> std::io::Result<std::fs::File> {
        let sink = self.sink.take().expect("no strategy is running");
        sink.finish()?.into_inner().map_err(|e| e.into_error())
    }
}

/// Faults as applied (resolved names, spans) and the write outage after each, on the
/// `faults` track.
fn fault_spans(rec: &mut Recording, outcome: &Outcome, faults_tid: u32) {
    let end = outcome.end.as_micros();
    for f in &outcome.faults {
        let at = f.at.as_micros();
        let name = match &f.resolved {
            Some(node) if !f.fault.contains(node.as_str()) => format!("{} ({node})", f.fault),
            _ => f.fault.clone(),
        };
        let args = json!({ "note": f.note });
        let until = f.until.map_or(at, |u| u.as_micros().min(end));
        rec.span(faults_tid, at, until, name, "fault", args);
    }
    for r in &outcome.metrics().recoveries.list {
        let open = r.writes_open_at.map_or(end, |w| w.as_micros());
        let name = format!("write outage after {}", r.fault);
        let args = json!({
            "elected_at_s": r.elected_at.map(|t| t.as_micros() as f64 / 1e6),
            "writes_open_at_s": r.writes_open_at.map(|t| t.as_micros() as f64 / 1e6),
        });
        rec.span(faults_tid, r.at.as_micros(), open, name, "fault", args);
    }
}

/// Names and order of the strategy's process and of every track.
fn metadata(pid: u32, strategy: &str, servers: u32, nodes: u32) -> Vec<Event> {
    let meta = |name: &str, tid: u32, args: serde_json::Value| {
        let mut e = Event::new(name, "__metadata", Phase::Meta, 0, tid).with_args(args);
        e.pid = pid;
        e
    };
    let mut out = vec![
        meta("process_name", 0, json!({ "name": strategy })),
        meta("process_sort_index", 0, json!({ "sort_index": pid })),
        meta("thread_name", nodes + 1, json!({ "name": "faults" })),
        meta("thread_sort_index", nodes + 1, json!({ "sort_index": 0 })),
    ];
    for n in 0..nodes {
        let tid = tap::tid(NodeId(n));
        out.push(meta(
            "thread_name",
            tid,
            json!({ "name": node_name(NodeId(n), servers) }),
        ));
        out.push(meta("thread_sort_index", tid, json!({ "sort_index": tid })));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_parse_in_seconds() {
        assert_eq!(
            Window::parse("1700..2100"),
            Ok(Window {
                from: 1_700_000_000,
                to: 2_100_000_000
            })
        );
        assert_eq!(Window::parse("0.5..1").unwrap().from, 500_000);
        for bad in ["2100..1700", "5..5", "a..b", "1700", "-1..5", "1..inf"] {
            assert!(Window::parse(bad).is_err(), "{bad}");
        }
    }
}
