//! Writing `trace.json` as the run goes: each event is formatted and written the moment
//! it is recorded, so memory does not grow with the trace (a whole 6-hour headline run
//! is gigabytes of JSON).
//!
//! Events are written in the order they are recorded, not sorted by `ts`: a span is
//! written when it ends, a message's send slice when the message arrives. The trace
//! event format allows any order ("the events do not have to be in timestamp-sorted
//! order"); Perfetto and chrome://tracing sort them, keeping the file order of events
//! with equal `ts` (each flow event is written right after the slice it binds to).

use super::event::Event;
use std::io::Write;

/// The file so far: the opening, then events one per line.
pub struct TraceWriter<W: Write> {
    out: W,
    /// The process (strategy) the next events belong to.
    pid: u32,
    events: u64,
    /// Reused for every event, so writing one allocates nothing.
    line: String,
    /// The first write error: the run goes on, and finishing reports it.
    error: Option<std::io::Error>,
}

impl<W: Write> TraceWriter<W> {
    pub fn new(mut out: W) -> TraceWriter<W> {
        let error = out
            .write_all(b"{\"displayTimeUnit\":\"ms\",\"traceEvents\":[\n")
            .err();
        TraceWriter {
            out,
            pid: 0,
            events: 0,
            line: String::with_capacity(512),
            error,
        }
    }

    /// Events pushed from now on belong to process `pid`.
    pub fn set_pid(&mut self, pid: u32) {
        self.pid = pid;
    }

    pub fn push(&mut self, mut event: Event) {
        if self.error.is_some() {
            return;
        }
        event.pid = self.pid;
        self.line.clear();
        if self.events > 0 {
            self.line.push_str(",\n");
        }
        event.write_json(&mut self.line);
        self.events += 1;
        if let Err(e) = self.out.write_all(self.line.as_bytes()) {
            self.error = Some(e);
        }
    }

    /// Closes the JSON document; the writer back, or the first error met.
    pub fn finish(mut self) -> std::io::Result<W> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        self.out.write_all(b"\n]}\n")?;
        self.out.flush()?;
        Ok(self.out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chrome_trace::Phase;
    use serde_json::Value;

    #[test]
    fn the_file_is_one_json_document_with_every_event_in_order() {
        let mut w = TraceWriter::new(Vec::new());
        w.set_pid(2);
        for ts in [30, 10, 20] {
            w.push(Event::new(
                "Fetch",
                "fetch",
                Phase::Complete { dur: 1 },
                ts,
                4,
            ));
        }
        let bytes = w.finish().unwrap();
        let doc: Value = serde_json::from_slice(&bytes).unwrap();
        let events = doc["traceEvents"].as_array().unwrap();
        let ts: Vec<u64> = events.iter().map(|e| e["ts"].as_u64().unwrap()).collect();
        assert_eq!(ts, [30, 10, 20]);
        assert!(events.iter().all(|e| e["pid"] == 2));
        let empty = TraceWriter::new(Vec::new()).finish().unwrap();
        let doc: Value = serde_json::from_slice(&empty).unwrap();
        assert_eq!(doc["traceEvents"].as_array().unwrap().len(), 0);
    }
}
