//! `sim`: a deterministic, single-threaded discrete-event engine.
//!
//! # The determinism contract
//!
//! The same nodes, configuration, seed and calls give the same run, event for event,
//! on any machine, and therefore the same [`Sim::trace_hash`]:
//!
//! - **Time** is integer microseconds ([`Instant`], [`Duration`]); arithmetic that would
//!   wrap panics.
//! - **Order** is total: events pop by `(time, sequence of insertion)`.
//! - **Randomness** comes only from [`Prng`] (SplitMix64) streams forked from one seed by
//!   label; draws use no platform maths (`libm` for `ln`, `exp`, `cos`).
//! - Nothing reads the wall clock, iterates a hash map, or uses an unseeded generator.
//!
//! # The model of the world
//!
//! Nodes are state machines ([`Node`]): handlers take the event and a [`Ctx`] to which
//! they write effects (send, set or cancel a timer, output); the engine applies them.
//! A node value is its durable state; its volatile state is a separate type that a
//! crash drops along with the node's timers and the messages in flight to it. Each node
//! reads a local [`Clock`] with drift and jumps, and its timers are deadlines on that
//! clock. The [`Network`] judges every message when sent: partitions, loss, latency,
//! duplication, with rules that faults install and heal. [`Fault`]s name concrete nodes.
//! A `Sim` can follow a chosen [`Schedule`] instead of sampling, be cloned, and hash its
//! whole state (see [Exploring schedules](#exploring-schedules)).
//!
//! # A worked example
//!
//! Two nodes play ping-pong over a lossy link; node 0 gives up waiting after 20 ms and
//! serves again.
//!
//! ```
//! use sim::{Ctx, Duration, Instant, Latency, LinkParams, Message, Node, NodeId, Sim, SimConfig, TimerId};
//!
//! #[derive(Clone, Hash)]
//! struct Ball(u32);
//! impl Message for Ball {}
//!
//! struct Player { returns: u32 }           // durable: survives a crash
//! struct Rally { timeout: Option<TimerId> } // volatile: lost in a crash
//!
//! impl Node for Player {
//!     type Msg = Ball;
//!     type Timer = ();
//!     type Output = ();
//!     type Volatile = Rally;
//!     fn boot(&mut self, ctx: &mut Ctx<Self>) -> Rally {
//!         let mut rally = Rally { timeout: None };
//!         if ctx.id() == NodeId(0) {
//!             serve(&mut rally, ctx);
//!         }
//!         rally
//!     }
//!     fn on_message(&mut self, rally: &mut Rally, from: NodeId, ball: Ball, ctx: &mut Ctx<Self>) {
//!         self.returns += 1;
//!         if ctx.id() == NodeId(0) {
//!             ctx.cancel_timer(rally.timeout.take().unwrap());
//!             serve(rally, ctx);
//!         } else {
//!             ctx.send(from, Ball(ball.0 + 1));
//!         }
//!     }
//!     fn on_timer(&mut self, rally: &mut Rally, _: (), ctx: &mut Ctx<Self>) {
//!         serve(rally, ctx); // the ball was lost
//!     }
//! }
//!
//! fn serve(rally: &mut Rally, ctx: &mut Ctx<Player>) {
//!     ctx.send(NodeId(1), Ball(0));
//!     rally.timeout = Some(ctx.set_timer(Duration::from_millis(20), ()));
//! }
//!
//! let link = LinkParams {
//!     latency: Latency::Uniform { min: Duration::from_millis(1), max: Duration::from_millis(5) },
//!     loss: 0.1,
//!     duplicate: 0.0,
//! };
//! let run = |seed| {
//!     let players = vec![Player { returns: 0 }, Player { returns: 0 }];
//!     let mut sim = Sim::new(SimConfig::new(seed, link), players, ());
//!     sim.run_until(Instant::from_secs(10)).unwrap();
//!     (sim.trace_hash(), sim.stats().lost, sim.node(NodeId(1)).returns)
//! };
//! let (hash, lost, returned) = run(42);
//! assert_eq!(run(42).0, hash, "same seed, same run");
//! assert_ne!(run(43).0, hash, "another seed, another run");
//! assert!(lost > 0 && returned > 1000);
//! ```
//!
//! # Exploring schedules
//!
//! A seed samples one schedule; a search enumerates them. The engine gives a search
//! four things.
//!
//! - **Schedule mode** ([`SimConfig::schedule`], [`Sim::set_schedule`]): nothing is
//!   sampled. Every message on a working link is delivered once, after the middle of
//!   its latency range ([`Latency::middle`]); a cut link, or one whose loss is 1, drops
//!   everything. A [`Schedule`] holds [`MessageDeviation`]s from that default, each for
//!   one [`MessageName`]: lost, early or late (the ends of the range, [`Latency::low`]
//!   and [`Latency::high`]), duplicated, or held (delivered the schedule's
//!   [hold](Schedule::with_hold) after the middle, behind messages sent after it).
//!   [`Schedule::choices`] says which are possible on a link; a deviation its link does
//!   not allow is [refused](Schedule::refused).
//!   Every draw for a message's fate goes through one seam, which samples the sender's
//!   stream in the normal mode exactly as before schedule mode existed.
//! - **Names and counters**: a message is named by its sender and that sender's count of
//!   messages sent before it, counted in both modes from the start of the run, so a
//!   schedule written down replays exactly on a fresh run of the same seed.
//!   [`Sim::io_count`] (messages a node sent or was handed) names the instant right
//!   after a node's event, which timestamps cannot: events share microseconds.
//!   [`Sim::step_traced`] says whose handler ran and what it sent, with each message's
//!   choices.
//! - **Cloning**: a `Sim` whose nodes, volatile states, timers and observer are `Clone`
//!   is `Clone`, and the copy runs forward exactly like the original, so a search
//!   shares the prefix of its schedules.
//! - **State hashing**: [`Sim::state_hash`] hashes everything that decides what happens
//!   next and nothing that only names things (timer ids, queue slots, rule ids, counts),
//!   so a search recognises a state it has seen, however it got there.
//!
//! ```
//! use sim::{Ctx, Duration, Instant, Latency, LinkParams, Message, MessageDeviation};
//! use sim::{MessageName, Node, NodeId, Schedule, Sim, SimConfig};
//!
//! #[derive(Clone, Hash)]
//! struct Ping;
//! impl Message for Ping {}
//!
//! /// Node 0 serves at boot; both return every ball.
//! #[derive(Clone, Hash)]
//! struct Echo;
//! impl Node for Echo {
//!     type Msg = Ping;
//!     type Timer = ();
//!     type Output = ();
//!     type Volatile = ();
//!     fn boot(&mut self, ctx: &mut Ctx<Self>) {
//!         if ctx.id() == NodeId(0) {
//!             ctx.send(NodeId(1), Ping);
//!         }
//!     }
//!     fn on_message(&mut self, _: &mut (), from: NodeId, ping: Ping, ctx: &mut Ctx<Self>) {
//!         ctx.send(from, ping);
//!     }
//!     fn on_timer(&mut self, _: &mut (), _: (), _: &mut Ctx<Self>) {}
//! }
//!
//! let ms = Duration::from_millis;
//! let link = LinkParams {
//!     latency: Latency::Uniform { min: ms(1), max: ms(9) },
//!     loss: 0.1,
//!     duplicate: 0.0,
//! };
//! let mut config = SimConfig::new(1, link);
//! config.schedule = Some(Schedule::new()); // the default schedule, from the boot on
//! let mut sim = Sim::new(config, vec![Echo, Echo], ());
//!
//! let before = sim.clone();
//! let step = sim.step_traced(Instant::MAX).unwrap().unwrap();
//! let reply = step.sent[0];
//! assert_eq!(step.at, Instant::from_millis(5), "the middle of 1..9 ms");
//! assert_eq!(step.handler, Some(NodeId(1)));
//! assert_eq!(reply.name, MessageName { from: NodeId(1), nth: 0 });
//! assert_eq!(reply.choices.len(), 3, "lost, early or late; never duplicated here");
//!
//! // Go back to before the step and lose the reply instead.
//! let mut lost = before.clone();
//! lost.deviate(reply.name, MessageDeviation::Lost);
//! lost.step(Instant::MAX).unwrap();
//! assert_ne!(lost.state_hash(), sim.state_hash(), "a ball in flight, or none");
//! let mut again = before.clone();
//! again.deviate(reply.name, MessageDeviation::Lost);
//! again.step(Instant::MAX).unwrap();
//! assert_eq!(again.state_hash(), lost.state_hash());
//! lost.run_until(Instant::from_secs(1)).unwrap();
//! assert_eq!(lost.stats().delivered, 1, "the rally is over");
//! ```

mod clock;
mod config;
mod engine;
mod explore;
mod fault;
mod net;
mod node;
mod prng;
mod queue;
mod schedule;
mod snapshot;
mod time;
mod trace;

pub use clock::{Clock, ClockBeforeStart};
pub use config::{Error, SimConfig, Stats};
pub use engine::Sim;
pub use explore::{SentMessage, Step};
pub use fault::{Applied, Fault, FaultError};
pub use net::{Fate, Latency, LinkChange, LinkParams, Network, Rule, RuleId};
pub use node::{Ctx, Effect, Message, Next, Node, NodeId, TimerId};
pub use prng::Prng;
pub use queue::{EntryKey, Queue};
pub use schedule::{Choices, MessageDeviation, MessageName, Schedule, scheduled_fate};
pub use time::{Duration, Instant};
pub use trace::{DropReason, Observer, Record, TraceHash};

/// The bytes the engine keeps per node of type `N` (its durable state, its volatile
/// state as the node keeps it, and the engine's own fields, aligned to a cache line).
/// The engine asks for all of it ahead of the node's events, so a model can check that
/// its nodes stay within the cache lines it means them to.
pub fn slot_bytes<N: Node>() -> usize {
    std::mem::size_of::<engine::Slot<N>>()
}

/// Ask the processor for the cache lines holding `value`, ahead of use, one per 64
/// bytes of it from its first. A value off a line's boundary may span one line more,
/// left to the processor here: asking for it too everywhere took the 10k cell to 1.07×
/// the time (see [`prefetch_span`] for where it pays). A hint: it changes no result.
#[inline(always)]
pub fn prefetch<T>(value: &T) {
    let start = (value as *const T).cast::<u8>();
    for offset in (0..std::mem::size_of::<T>()).step_by(64) {
        prefetch_at(start.wrapping_add(offset));
    }
}

/// Ask for every cache line a `T` at `at` spans, from the line of its first byte to that
/// of its last: for a value that is about to be written where a store missing would
/// hold up the loads after it. `at` need not be valid.
#[inline(always)]
pub fn prefetch_span<T>(at: *const T) {
    let start = at.cast::<u8>();
    for line in 0..lines_spanned(start as usize, std::mem::size_of::<T>()) {
        prefetch_at(start.wrapping_add(line * 64));
    }
}

/// How many 64-byte lines `size` bytes from address `start` touch.
fn lines_spanned(start: usize, size: usize) -> usize {
    if size == 0 {
        return 0;
    }
    (start % 64 + size).div_ceil(64)
}

/// Ask for the cache lines of `items[index]`, if there is such an item (see [`prefetch`]).
#[inline(always)]
pub fn prefetch_item<T>(items: &[T], index: usize) {
    if let Some(item) = items.get(index) {
        prefetch(item);
    }
}

/// Ask for the cache line holding address `at`, which need not be valid: a prefetch
/// reads nothing the program sees and cannot fault.
#[inline(always)]
pub fn prefetch_at<T>(at: *const T) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        // SAFETY: a prefetch is a hint: it reads nothing the program sees and cannot
        // fault, whatever the address.
        unsafe { _mm_prefetch::<_MM_HINT_T0>(at.cast::<i8>()) };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = at;
}

#[cfg(test)]
mod tests {
    use super::lines_spanned;

    #[test]
    fn a_value_off_a_line_boundary_spans_one_line_more() {
        assert_eq!(lines_spanned(0, 0), 0);
        assert_eq!(lines_spanned(0, 56), 1);
        assert_eq!(lines_spanned(8, 56), 1);
        assert_eq!(lines_spanned(9, 56), 2);
        assert_eq!(lines_spanned(64, 64), 1);
        assert_eq!(lines_spanned(65, 64), 2);
        assert_eq!(lines_spanned(128, 640), 10);
        assert_eq!(lines_spanned(160, 640), 11);
    }
}
