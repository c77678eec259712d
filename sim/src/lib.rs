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
//! - **Randomness** comes only from [`Prng`] (ChaCha8) streams forked from one seed by
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

mod clock;
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
pub use engine::{Error, Sim, SimConfig, Stats};
pub use explore::{SentMessage, Step};
pub use fault::{Applied, Fault, FaultError};
pub use net::{Fate, Latency, LinkChange, LinkParams, Network, Rule, RuleId};
pub use node::{Ctx, Effect, Message, Node, NodeId, TimerId};
pub use prng::Prng;
pub use queue::{EntryKey, Queue};
pub use schedule::{Choices, MessageDeviation, MessageName, Schedule, scheduled_fate};
pub use time::{Duration, Instant};
pub use trace::{DropReason, Observer, Record, TraceHash};
