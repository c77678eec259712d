//! What nodes report, and faults, as spans and instants.

use super::{Open, Recording, fault_name, result_name, tid};
use crate::cell::ids::{ClientNo, FileNo};
use crate::cell::msg::{OpKind, Output};
use crate::cell::{Who, who};
use serde_json::json;
use sim::{Fault, NodeId};

fn kind_name(kind: OpKind) -> &'static str {
    match kind {
        OpKind::Read => "read",
        OpKind::Write => "write",
        OpKind::Lock => "lock",
    }
}

impl Recording {
    pub(super) fn fault(&mut self, ts: u64, fault: &Fault, effective: bool) {
        let name = fault_name(fault);
        let args = json!({ "effective": effective });
        let nodes: Vec<NodeId> = match fault {
            Fault::Crash(n) | Fault::Restart(n) | Fault::ClockJump { node: n, .. } => vec![*n],
            Fault::Isolate(ns) => ns.clone(),
            Fault::Partition { groups, .. } => groups.iter().flatten().copied().collect(),
            Fault::Link { between, .. } => between
                .iter()
                .flat_map(|(a, b)| a.iter().chain(b))
                .copied()
                .collect(),
            Fault::Heal(_) => Vec::new(),
        };
        for &n in &nodes {
            self.instant(ts, n, name.clone(), args.clone());
        }
        if !effective {
            return;
        }
        match fault {
            Fault::Crash(n) => {
                let t = tid(*n);
                self.close_all(t, ts);
                self.client_crashed(*n, ts);
                let down = format!("{} down", self.name(*n));
                self.open(t, "down", ts, down, "fault", serde_json::Value::Null);
            }
            Fault::Restart(n) => self.close(tid(*n), "down", ts),
            _ => {}
        }
    }

    pub(super) fn server_output(&mut self, ts: u64, node: NodeId, output: &Output) {
        let (t, me) = (tid(node), self.name(node));
        let null = serde_json::Value::Null;
        match output {
            Output::MasterStart { term } => {
                let args = json!({ "term": term.number });
                self.open(t, "master", ts, format!("{me} master"), "role", args);
                for what in ["syncing", "writes closed", "locks closed"] {
                    self.open(
                        t,
                        what,
                        ts,
                        format!("{me} {what}"),
                        "recovery",
                        null.clone(),
                    );
                }
            }
            Output::Synced => self.close(t, "syncing", ts),
            Output::WritesOpen => self.close(t, "writes closed", ts),
            Output::LocksOpen => self.close(t, "locks closed", ts),
            Output::WindowOpen => {
                let name = format!("{me} recovery window");
                self.open(t, "recovery window", ts, name, "recovery", null);
            }
            Output::WindowEnd => self.close(t, "recovery window", ts),
            Output::MasterEnd => self.close_all(t, ts),
            _ => {}
        }
    }

    pub(super) fn client_output(
        &mut self,
        ts: u64,
        client: ClientNo,
        node: NodeId,
        output: &Output,
    ) {
        let t = tid(node);
        match *output {
            Output::Invoke {
                op,
                what,
                file,
                probe,
            } => {
                self.ops
                    .insert((client, op), (ts, what.kind(), file, probe));
            }
            Output::Done { op, result } => {
                if let Some((start, kind, file, probe)) = self.ops.remove(&(client, op)) {
                    let name = format!("c{client} {}", kind_name(kind));
                    let args =
                        json!({ "file": file, "result": result_name(result), "probe": probe });
                    self.span(t, start, ts, name, "op", args);
                }
            }
            Output::LockHeld { file, mode } => {
                let name = format!("c{client} holds lock");
                let args = json!({ "file": file, "mode": format!("{mode:?}") });
                self.open_lock(t, file, ts, name, args);
            }
            Output::LockEnd { file, .. } => self.close_lock(t, file, ts),
            _ => {}
        }
    }

    /// A crashed client's operations end with it, and it holds no locks.
    fn client_crashed(&mut self, node: NodeId, ts: u64) {
        let Who::Client(client) = who(node, self.servers) else {
            return;
        };
        let ops: Vec<(ClientNo, u64)> = self
            .ops
            .range((client, 0)..=(client, u64::MAX))
            .map(|(k, _)| *k)
            .collect();
        for key in ops {
            let (start, kind, file, probe) = self.ops.remove(&key).expect("listed");
            let name = format!("c{client} {}", kind_name(kind));
            let args = json!({ "file": file, "result": "client crashed", "probe": probe });
            self.span(tid(node), start, ts, name, "op", args);
        }
        let files: Vec<FileNo> = self
            .locks
            .range((tid(node), FileNo(0))..=(tid(node), FileNo(u32::MAX)))
            .map(|(k, _)| k.1)
            .collect();
        for file in files {
            self.close_lock(tid(node), file, ts);
        }
    }

    fn open_lock(&mut self, t: u32, file: FileNo, ts: u64, name: String, args: serde_json::Value) {
        let span = Open {
            start: ts,
            name,
            cat: "lock",
            args,
        };
        if let Some(old) = self.locks.insert((t, file), span) {
            self.span(t, old.start, ts, old.name, old.cat, old.args);
        }
    }

    fn close_lock(&mut self, t: u32, file: FileNo, ts: u64) {
        if let Some(o) = self.locks.remove(&(t, file)) {
            self.span(t, o.start, ts, o.name, o.cat, o.args);
        }
    }

    /// Ends every span still open when the run ends at `end` (µs).
    pub fn finish(&mut self, end: u64) {
        let open: Vec<(u32, &'static str)> = self.open.keys().copied().collect();
        for (t, what) in open {
            self.close(t, what, end);
        }
        let locks: Vec<(u32, FileNo)> = self.locks.keys().copied().collect();
        for (t, file) in locks {
            self.close_lock(t, file, end);
        }
        let in_flight = std::mem::take(&mut self.in_flight);
        for ((_, from, to, _), sends) in in_flight {
            for t in sends.into_iter().filter(|&t| self.window.contains(t)) {
                let to = self.name(NodeId(to));
                let e = super::Event::new(
                    "in flight at the end",
                    "msg",
                    super::Phase::Complete { dur: 1 },
                    t,
                    from + 1,
                )
                .with_args(json!({ "to": to }));
                self.out.push(e);
            }
        }
    }
}
