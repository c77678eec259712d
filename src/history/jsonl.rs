//! `history.jsonl`: one line per operation, for outside checkers (Porcupine, Knossos,
//! Elle), in order of invocation, equal invocations ordered by client and then by the
//! client's operation number (CONTRACT.md). Lines are written as soon as everything
//! before them is settled: an operation when it ends, a lock when its client stops
//! holding it. Memory holds only the operations still open and those behind them.

use crate::cell::ids::{ClientNo, FileNo, LockMode};
use crate::cell::msg::{Invoked, LockEnd, OpResult, Output};
use sim::Instant;
use std::collections::{BTreeMap, VecDeque};
use std::io::{self, Write};

/// How a line's operation ended.
#[derive(Clone, Copy, Debug, PartialEq)]
enum End {
    Open,
    /// Answered or given up: the result and the value read, if a read succeeded.
    Done(OpResult, Instant),
}

#[derive(Clone, Debug)]
struct Line {
    client: ClientNo,
    op: u64,
    file: FileNo,
    what: Invoked,
    invoked: Instant,
    liveness: bool,
    end: End,
    /// A lock held: it waits for the lock's end (`None` while still held).
    lock_end: Option<Option<(Instant, &'static str)>>,
}

impl Line {
    fn settled(&self) -> bool {
        self.end != End::Open && !matches!(self.lock_end, Some(None))
    }

    fn write(&self, strategy: &str, out: &mut impl Write) -> io::Result<()> {
        let (op, value) = match self.what {
            Invoked::Read => ("read", None),
            Invoked::Write(w) => ("write", Some(Some(w))),
            Invoked::Lock(_) => ("lock", None),
        };
        write!(
            out,
            "{{\"strategy\":{strategy},\"client\":\"c{}\",\"op\":\"{op}\",\"file\":{},\"invoke_us\":{}",
            self.client,
            self.file,
            self.invoked.as_micros()
        )?;
        let (complete, result) = match self.end {
            End::Open => (None, OpResult::Unknown),
            End::Done(result, at) => (Some(at.as_micros()), result),
        };
        match complete {
            Some(us) => write!(out, ",\"complete_us\":{us}")?,
            None => write!(out, ",\"complete_us\":null")?,
        }
        let name = match result {
            r if r.ok() => "ok",
            OpResult::Failed => "fail",
            _ => "unknown",
        };
        write!(out, ",\"result\":\"{name}\"")?;
        let value = match result {
            OpResult::Read { write, .. } => Some(write),
            _ => value,
        };
        match value {
            Some(Some(w)) => write!(out, ",\"value\":\"{w}\"")?,
            Some(None) => write!(out, ",\"value\":null")?,
            None => {}
        }
        if let OpResult::Read { cached: true, .. } = result {
            write!(out, ",\"cached\":true")?;
        }
        if let Invoked::Lock(mode) = self.what {
            let mode = match mode {
                LockMode::Shared => "shared",
                LockMode::Exclusive => "exclusive",
            };
            write!(out, ",\"mode\":\"{mode}\"")?;
            if let Some(Some((at, end))) = self.lock_end {
                write!(out, ",\"ended_us\":{},\"end\":\"{end}\"", at.as_micros())?;
            }
        }
        if self.liveness {
            write!(out, ",\"phase\":\"liveness\"")?;
        }
        writeln!(out, "}}")
    }
}

/// One strategy's part of `history.jsonl`, streamed to a writer.
pub struct HistoryLog {
    /// The strategy's name, as a JSON string.
    strategy: String,
    out: Box<dyn Write + Send>,
    lines: VecDeque<Line>,
    /// The number of the line at the front of `lines`.
    first: u64,
    /// Each client's open operations: (operation, line number).
    open: BTreeMap<(ClientNo, u64), u64>,
    /// Lock lines waiting for the end of the lock their client holds on a file.
    holding: BTreeMap<(ClientNo, FileNo), Vec<u64>>,
    now: Instant,
    error: Option<io::Error>,
}

impl HistoryLog {
    pub fn new(strategy: &str, out: Box<dyn Write + Send>) -> HistoryLog {
        HistoryLog {
            strategy: serde_json::to_string(strategy).expect("a string serialises"),
            out,
            lines: VecDeque::new(),
            first: 0,
            open: BTreeMap::new(),
            holding: BTreeMap::new(),
            now: Instant::ZERO,
            error: None,
        }
    }

    fn line(&mut self, n: u64) -> &mut Line {
        &mut self.lines[(n - self.first) as usize]
    }

    pub fn client_output(&mut self, client: ClientNo, output: &Output, now: Instant) {
        if now > self.now {
            self.now = now;
            self.flush(false);
        }
        match *output {
            Output::Invoke {
                op,
                file,
                what,
                probe,
            } => {
                let n = self.first + self.lines.len() as u64;
                self.open.insert((client, op), n);
                self.lines.push_back(Line {
                    client,
                    op,
                    file,
                    what,
                    invoked: now,
                    liveness: probe,
                    end: End::Open,
                    lock_end: None,
                });
            }
            Output::Done { op, result } => {
                let Some(n) = self.open.remove(&(client, op)) else {
                    return;
                };
                let line = self.line(n);
                line.end = End::Done(result, now);
                if let (Invoked::Lock(_), true) = (line.what, result.ok()) {
                    line.lock_end = Some(None);
                    let file = line.file;
                    self.holding.entry((client, file)).or_default().push(n);
                }
            }
            Output::LockEnd { file, end } => {
                let why = match end {
                    LockEnd::Released => "released",
                    LockEnd::Expired => "expired",
                };
                self.lock_ended(client, Some(file), (now, why));
            }
            _ => {}
        }
    }

    fn lock_ended(&mut self, client: ClientNo, file: Option<FileNo>, end: (Instant, &'static str)) {
        let keys: Vec<(ClientNo, FileNo)> = self
            .holding
            .keys()
            .filter(|&&(c, f)| c == client && file.is_none_or(|file| file == f))
            .copied()
            .collect();
        for key in keys {
            for n in self.holding.remove(&key).unwrap_or_default() {
                self.line(n).lock_end = Some(Some(end));
            }
        }
    }

    /// A crashed client gave up its operations and its locks.
    pub fn client_crashed(&mut self, client: ClientNo, now: Instant) {
        let ops: Vec<(ClientNo, u64)> = self
            .open
            .range((client, 0)..=(client, u64::MAX))
            .map(|(&k, _)| k)
            .collect();
        for key in ops {
            let n = self.open.remove(&key).expect("listed");
            self.line(n).end = End::Done(OpResult::Unknown, now);
        }
        self.lock_ended(client, None, (now, "crash"));
    }

    /// Write every settled line whose invocation instant is over (or, at the end, every
    /// line), each instant's lines ordered by client and operation number.
    fn flush(&mut self, all: bool) {
        loop {
            let Some(front) = self.lines.front() else {
                return;
            };
            let at = front.invoked;
            if !all && at >= self.now {
                return;
            }
            let group = self.lines.iter().take_while(|l| l.invoked == at).count();
            if !all && !self.lines.iter().take(group).all(Line::settled) {
                return;
            }
            let mut batch: Vec<Line> = self.lines.drain(..group).collect();
            self.first += group as u64;
            batch.sort_by_key(|l| (l.client, l.op));
            for line in &batch {
                if let Err(e) = line.write(&self.strategy, &mut self.out) {
                    self.error.get_or_insert(e);
                }
            }
        }
    }

    /// The run is over: write what is left (operations still open, locks still held).
    pub fn finish(&mut self) {
        self.flush(true);
        self.open.clear();
        self.holding.clear();
    }

    /// The writer back, or the first error writing to it.
    pub fn into_writer(mut self) -> io::Result<Box<dyn Write + Send>> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        self.out.flush()?;
        Ok(self.out)
    }
}
