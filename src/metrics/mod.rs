//! What a run measured: operations by kind, latency, availability over time, messages,
//! and the outage after every fault that took the master away.

pub mod lanes;
mod latency;
mod recovery;

pub use lanes::Lanes;
pub use latency::Latencies;
pub use recovery::{Recoveries, Recovery};

use crate::cell::ids::ClientNo;
use crate::cell::msg::{KINDS, OpKind};
use sim::{Duration, Instant};

/// Width of a time-series bin.
pub const BIN: Duration = Duration::from_secs(60);

/// Width of the finer bins the plots zoom into around a failover, where a minute is
/// most of the outage.
pub const FINE_BIN: Duration = Duration::from_secs(10);

/// Operations in one fine bin (by invoke time), every kind pooled.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FineBin {
    pub attempted: u32,
    pub succeeded: u32,
}

/// Operations of one kind.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct KindStats {
    pub attempted: u64,
    pub succeeded: u64,
    /// Latencies of succeeded operations.
    pub latency: Latencies,
}

/// One time-series bin (operations by invoke time).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Bin {
    pub attempted: u64,
    pub succeeded: u64,
    pub messages: u64,
    /// Read, write, lock (as [`kind_index`]): the same operations by kind.
    pub kinds: [KindBin; 3],
}

/// Operations of one kind in one bin.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct KindBin {
    pub attempted: u64,
    pub succeeded: u64,
}

/// Everything measured in one strategy's run.
#[derive(Clone, Debug)]
pub struct Metrics {
    /// Read, write, lock.
    pub kinds: [KindStats; 3],
    pub bins: Vec<Bin>,
    /// The same operations in [`FINE_BIN`]s.
    pub fine: Vec<FineBin>,
    pub recoveries: Recoveries,
    /// Per recovery, which clients were refused, reasserted or read stale.
    pub lanes: Lanes,
    /// Messages sent within `[0, duration_s]`, by kind (`cell::msg::KINDS`): the same
    /// span for every strategy, whatever its liveness phase.
    pub messages: [u64; KINDS.len()],
    end_of_workload: Instant,
}

/// Messages sent within `[0, duration_s]`, by kind and by bin: counted on the run's own
/// thread, one count per message (handing each to books kept apart would be most of what
/// they are handed), and added to the metrics at the end ([`Metrics::add_messages`]).
#[derive(Clone, Debug)]
pub struct MessageCounts {
    end_of_workload: Instant,
    by_kind: [u64; KINDS.len()],
    by_bin: Vec<u64>,
}

impl MessageCounts {
    pub fn new(end_of_workload: Instant) -> MessageCounts {
        MessageCounts {
            end_of_workload,
            by_kind: [0; KINDS.len()],
            by_bin: Vec::new(),
        }
    }

    /// A message of kind `kind` (`Message::kind`) was sent at `now`.
    #[inline]
    pub fn sent(&mut self, now: Instant, kind: usize) {
        if now <= self.end_of_workload {
            self.by_kind[kind] += 1;
            let i = (now.as_micros() / BIN.as_micros()) as usize;
            if i >= self.by_bin.len() {
                self.by_bin.resize(i + 1, 0);
            }
            self.by_bin[i] += 1;
        }
    }
}

pub fn kind_index(kind: OpKind) -> usize {
    match kind {
        OpKind::Read => 0,
        OpKind::Write => 1,
        OpKind::Lock => 2,
    }
}

impl Metrics {
    pub fn new(servers: u32, end_of_workload: Instant) -> Metrics {
        Metrics {
            kinds: Default::default(),
            bins: Vec::new(),
            fine: Vec::new(),
            recoveries: Recoveries::new(servers),
            lanes: Lanes::default(),
            messages: [0; KINDS.len()],
            end_of_workload,
        }
    }

    /// The end of the span whose operations and messages count.
    pub fn end_of_workload(&self) -> Instant {
        self.end_of_workload
    }

    fn bin(&mut self, at: Instant) -> &mut Bin {
        let i = (at.as_micros() / BIN.as_micros()) as usize;
        if i >= self.bins.len() {
            self.bins.resize(i + 1, Bin::default());
        }
        &mut self.bins[i]
    }

    /// `client` went through something its recoveries' lanes show.
    pub fn marked(&mut self, client: ClientNo, mark: lanes::Mark, now: Instant) {
        let list = &self.recoveries.list;
        self.lanes.mark(list, client, mark, now);
    }

    /// Add the messages counted where the run ran.
    pub fn add_messages(&mut self, counts: &MessageCounts) {
        for (total, n) in self.messages.iter_mut().zip(counts.by_kind) {
            *total += n;
        }
        for (i, &n) in counts.by_bin.iter().enumerate() {
            if n > 0 {
                self.bin(Instant::ZERO + BIN * i as u64).messages += n;
            }
        }
    }

    /// An operation ended. Workload operations invoked within `duration_s` count towards
    /// availability and latency; liveness probes only towards the recoveries.
    pub fn op_done(&mut self, kind: OpKind, ok: bool, invoked: Instant, now: Instant, probe: bool) {
        let counted = !probe && invoked <= self.end_of_workload;
        self.recoveries.op_done(kind, ok, invoked, now, counted);
        if !counted {
            return;
        }
        let stats = &mut self.kinds[kind_index(kind)];
        stats.attempted += 1;
        if ok {
            stats.succeeded += 1;
            stats.latency.add((now - invoked).as_micros());
        }
        let bin = self.bin(invoked);
        bin.attempted += 1;
        bin.succeeded += u64::from(ok);
        let by_kind = &mut bin.kinds[kind_index(kind)];
        by_kind.attempted += 1;
        by_kind.succeeded += u64::from(ok);
        let i = (invoked.as_micros() / FINE_BIN.as_micros()) as usize;
        if i >= self.fine.len() {
            self.fine.resize(i + 1, FineBin::default());
        }
        self.fine[i].attempted += 1;
        self.fine[i].succeeded += u32::from(ok);
    }

    /// Succeeded over attempted, every kind pooled; `None` with nothing attempted.
    pub fn availability(&self) -> Option<f64> {
        let attempted: u64 = self.kinds.iter().map(|k| k.attempted).sum();
        let succeeded: u64 = self.kinds.iter().map(|k| k.succeeded).sum();
        (attempted > 0).then(|| succeeded as f64 / attempted as f64)
    }
}
