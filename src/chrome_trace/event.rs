//! One Chrome trace event and its JSON form.
//!
//! The format (the "Trace Event Format" that chrome://tracing and Perfetto read):
//! `{"traceEvents": [...]}`, each event with `name`, `ph` (phase), `ts` (µs), `pid`,
//! `tid`; `X` complete slices carry `dur`, `b`/`e` async spans and `s`/`f` flows carry
//! an `id`, `M` metadata names processes and threads. Written by hand, one event per
//! line, so the bytes are stable and the file diffs and greps well.

use serde_json::Value;
use std::fmt::Write;

/// The phases afsim writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// A slice on a thread track with a duration (`X`).
    Complete {
        dur: u64,
    },
    /// An instant on a thread track (`i`, thread scope).
    Instant,
    /// The start and end of an async span (`b`, `e`): spans that may overlap.
    Begin {
        id: u64,
    },
    End {
        id: u64,
    },
    /// The two ends of a flow arrow (`s`, `f`); the end binds to its enclosing slice.
    FlowStart {
        id: u64,
    },
    FlowEnd {
        id: u64,
    },
    /// Process or thread metadata (`M`).
    Meta,
}

#[derive(Clone, Debug)]
pub struct Event {
    pub name: String,
    pub cat: &'static str,
    pub phase: Phase,
    pub ts: u64,
    pub pid: u32,
    pub tid: u32,
    /// A JSON object, or `Value::Null` for none.
    pub args: Value,
}

impl Event {
    pub fn new(
        name: impl Into<String>,
        cat: &'static str,
        phase: Phase,
        ts: u64,
        tid: u32,
    ) -> Event {
        Event {
            name: name.into(),
            cat,
            phase,
            ts,
            pid: 0,
            tid,
            args: Value::Null,
        }
    }

    pub fn with_args(mut self, args: Value) -> Event {
        self.args = args;
        self
    }

    /// Appends the event as one JSON object.
    pub fn write_json(&self, out: &mut String) {
        let name = serde_json::to_string(&self.name).expect("strings serialise");
        let (ph, extra) = match self.phase {
            Phase::Complete { dur } => ("X", format!(",\"dur\":{dur}")),
            Phase::Instant => ("i", ",\"s\":\"t\"".to_string()),
            Phase::Begin { id } => ("b", format!(",\"id\":{id}")),
            Phase::End { id } => ("e", format!(",\"id\":{id}")),
            Phase::FlowStart { id } => ("s", format!(",\"id\":{id}")),
            Phase::FlowEnd { id } => ("f", format!(",\"id\":{id},\"bp\":\"e\"")),
            Phase::Meta => ("M", String::new()),
        };
        let _ = write!(
            out,
            "{{\"name\":{name},\"cat\":\"{}\",\"ph\":\"{ph}\",\"ts\":{},\"pid\":{},\"tid\":{}{extra}",
            self.cat, self.ts, self.pid, self.tid
        );
        if !self.args.is_null() {
            let _ = write!(out, ",\"args\":{}", self.args);
        }
        out.push('}');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_are_json_with_the_fields_viewers_need() {
        let e = Event::new(
            "Fetch \"x\"",
            "fetch",
            Phase::Complete { dur: 1 },
            1_800_000,
            4,
        )
        .with_args(serde_json::json!({ "to": "fs0" }));
        let mut s = String::new();
        e.write_json(&mut s);
        let v: Value = serde_json::from_str(&s).unwrap();
        assert_eq!(v["name"], "Fetch \"x\"");
        assert_eq!(v["ph"], "X");
        assert_eq!(v["ts"], 1_800_000);
        assert_eq!(v["dur"], 1);
        assert_eq!(v["args"]["to"], "fs0");
    }
}
