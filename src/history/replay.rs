//! Reading `history.jsonl` back: the same checkers, fed from the file instead of the run,
//! judge the same history. Every invariant but `lost_write` (which needs the final
//! master's volume, not in the history) can be judged this way, by afsim or by an
//! outside checker.

use super::{Checkers, OpInfo};
use crate::cell::ids::{ClientNo, FileNo, LockMode, WriteId};
use crate::cell::msg::{OpKind, OpResult};
use crate::check::{ReadMark, Verdict};
use serde::Deserialize;
use sim::Instant;

/// One line of `history.jsonl` (CONTRACT.md).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Line {
    pub strategy: String,
    pub client: String,
    pub op: String,
    pub file: FileNo,
    pub invoke_us: u64,
    pub complete_us: Option<u64>,
    pub result: String,
    #[serde(default, deserialize_with = "present")]
    pub value: Option<Option<String>>,
    #[serde(default)]
    pub cached: bool,
    #[serde(default)]
    pub phase: Option<String>,
    #[serde(default)]
    pub mode: Option<String>,
    #[serde(default)]
    pub ended_us: Option<u64>,
    #[serde(default)]
    pub end: Option<String>,
}

/// `"value": null` is present (the initial content), an absent field is not.
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

/// A write id as the history spells it: `c3#17`.
pub fn parse_write(s: &str, file: FileNo) -> Option<WriteId> {
    let (client, seq) = s.strip_prefix('c')?.split_once('#')?;
    Some(WriteId {
        client: ClientNo(client.parse().ok()?),
        file,
        seq: seq.parse().ok()?,
    })
}

fn client_no(s: &str) -> Option<ClientNo> {
    s.strip_prefix('c')?.parse().ok().map(ClientNo)
}

/// What happens at one instant, in the order the run reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Step {
    LockEnded,
    Invoked,
    Ended,
    LockHeld,
}

/// Judge one strategy's lines (in file order) as the run's checkers would, for a cell of
/// `clients` clients and `files` files, the liveness phase ending at `end`. `lost_write`
/// stays zero: the history does not hold the final volume.
pub fn judge(lines: &[Line], clients: u32, files: u32, end: Instant) -> Result<Verdict, String> {
    let mut steps: Vec<(u64, Step, usize)> = Vec::new();
    // Lock operations that found the lock already held share its span: one span per
    // client, file and end, from the first grant.
    let mut spans: std::collections::BTreeMap<(&str, FileNo, Option<u64>), (u64, usize)> =
        Default::default();
    for (i, l) in lines.iter().enumerate() {
        steps.push((l.invoke_us, Step::Invoked, i));
        if let Some(t) = l.complete_us {
            steps.push((t, Step::Ended, i));
        }
        if l.op == "lock" && l.result == "ok" {
            let held = l.complete_us.unwrap_or(l.invoke_us);
            let span = spans
                .entry((&l.client, l.file, l.ended_us))
                .or_insert((held, i));
            *span = (*span).min((held, i));
        }
    }
    for ((_, _, ended), (held, i)) in spans {
        steps.push((held, Step::LockHeld, i));
        if let Some(t) = ended {
            steps.push((t, Step::LockEnded, i));
        }
    }
    steps.sort();
    let mut c = Checkers::new(clients, files);
    let mut opened = vec![None; lines.len()];
    for (t, step, i) in steps {
        let l = &lines[i];
        let now = Instant::from_micros(t);
        let client = client_no(&l.client).ok_or(format!("line {}: client {}", i + 1, l.client))?;
        match step {
            Step::Invoked => {
                let mut info = op_info(l).ok_or(format!("line {}: op {}", i + 1, l.op))?;
                info.ticket = c.open(info.kind, info.file, now);
                c.invoked(&mut info);
                opened[i] = Some(info);
            }
            Step::Ended => {
                let info = opened[i].expect("invoked first");
                c.ended(client, &info, result(l), now);
            }
            Step::LockHeld => {
                let mode = match l.mode.as_deref() {
                    Some("exclusive") => LockMode::Exclusive,
                    _ => LockMode::Shared,
                };
                c.locks.held(client, l.file, mode, now);
            }
            Step::LockEnded => c.locks.ended(client, l.file),
        }
    }
    c.live.finish(end);
    // Lost writes stay untallied: the history alone does not hold the final volume.
    Ok(c.verdict())
}

/// The operation of a line, not yet given a ticket.
fn op_info(l: &Line) -> Option<OpInfo> {
    let kind = match l.op.as_str() {
        "read" => OpKind::Read,
        "write" => OpKind::Write,
        "lock" => OpKind::Lock,
        _ => return None,
    };
    let write = match kind {
        OpKind::Write => Some(parse_write(l.value.as_ref()?.as_deref()?, l.file)?),
        _ => None,
    };
    Some(OpInfo {
        kind,
        file: l.file,
        write,
        invoked: Instant::from_micros(l.invoke_us),
        probe: l.phase.as_deref() == Some("liveness"),
        ticket: None,
        mark: ReadMark::default(),
    })
}

fn result(l: &Line) -> OpResult {
    match (l.result.as_str(), l.op.as_str()) {
        ("ok", "read") => OpResult::Read {
            write: l
                .value
                .clone()
                .flatten()
                .and_then(|v| parse_write(&v, l.file)),
            cached: l.cached,
        },
        ("ok", "write") => OpResult::Write { durable: true },
        ("ok", _) => OpResult::Lock,
        ("fail", _) => OpResult::Failed,
        _ => OpResult::Unknown,
    }
}
