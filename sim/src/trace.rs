//! What a run leaves behind: a running 64-bit hash of everything that happened, and an
//! optional observer that sees every record (for histories, metrics and trace files).

use crate::NodeId;
use crate::fault::Fault;
use crate::net::Fate;
use crate::node::Node;
use crate::time::Instant;
use std::hash::Hasher;

/// A fast, portable, order-sensitive hash (FxHash's mixing step, with a final avalanche).
///
/// Integers of every width are widened to 64 bits and byte strings are read in
/// little-endian words, so the value does not depend on the platform.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TraceHash {
    state: u64,
}

const K: u64 = 0x517c_c1b7_2722_0a95;

impl TraceHash {
    #[inline]
    pub fn mix(&mut self, word: u64) {
        self.state = (self.state.rotate_left(5) ^ word).wrapping_mul(K);
    }

    /// The hash of one value alone, as a fresh hash would fold it in.
    pub fn of(value: impl std::hash::Hash) -> u64 {
        let mut h = TraceHash::default();
        value.hash(&mut h);
        h.value()
    }

    /// The hash so far, avalanched (SplitMix64's finaliser).
    pub fn value(&self) -> u64 {
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

impl Hasher for TraceHash {
    fn finish(&self) -> u64 {
        self.value()
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            self.mix(u64::from_le_bytes(chunk.try_into().expect("8 bytes")));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.mix(u64::from_le_bytes(word) ^ ((rest.len() as u64) << 56));
        }
    }

    fn write_u8(&mut self, n: u8) {
        self.mix(u64::from(n));
    }
    fn write_u16(&mut self, n: u16) {
        self.mix(u64::from(n));
    }
    fn write_u32(&mut self, n: u32) {
        self.mix(u64::from(n));
    }
    fn write_u64(&mut self, n: u64) {
        self.mix(n);
    }
    fn write_usize(&mut self, n: usize) {
        self.mix(n as u64);
    }
    fn write_i64(&mut self, n: i64) {
        self.mix(n as u64);
    }
    fn write_isize(&mut self, n: isize) {
        self.mix(n as i64 as u64);
    }
}

/// Why a message that was on its way never reached its handler.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DropReason {
    /// The receiver was down when it arrived.
    ReceiverDown,
    /// The receiver crashed after it was sent (its connections are gone).
    ReceiverCrashed,
}

/// One thing that happened, as an observer sees it. Times come with the call.
pub enum Record<'a, N: Node> {
    /// A handler sent a message; `fate` says whether and when it will arrive.
    Sent {
        from: NodeId,
        to: NodeId,
        msg: &'a N::Msg,
        fate: Fate,
    },
    Delivered {
        from: NodeId,
        to: NodeId,
        msg: &'a N::Msg,
    },
    Dropped {
        from: NodeId,
        to: NodeId,
        msg: &'a N::Msg,
        reason: DropReason,
    },
    TimerFired {
        node: NodeId,
        timer: &'a N::Timer,
    },
    /// A fault was applied; `effective` is false for a no-op (restart of a live node).
    Fault {
        fault: &'a Fault,
        effective: bool,
    },
    /// A node reported something (see `Ctx::output`).
    Output {
        node: NodeId,
        output: &'a N::Output,
    },
}

/// Sees every record of a run, in order. The engine's behaviour never depends on it.
pub trait Observer<N: Node> {
    fn record(&mut self, now: Instant, record: Record<'_, N>);
}

/// The observer that ignores everything (compiles to nothing).
impl<N: Node> Observer<N> for () {
    #[inline]
    fn record(&mut self, _: Instant, _: Record<'_, N>) {}
}
