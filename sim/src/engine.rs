//! The simulation: nodes, their clocks, the network and the queue, and the loop that
//! pops one event at a time and applies what its handler asked for.

use crate::clock::Clock;
use crate::config::{Error, SimConfig, Stats};
use crate::explore::SentMessage;
use crate::fault::Fault;
use crate::net::Network;
use crate::node::{Ctx, Node, NodeId, TimerId};
use crate::prng::Prng;
use crate::queue::Queue;
use crate::schedule::Schedule;
use crate::time::Instant;
use crate::trace::{DropReason, Observer, Record, TraceHash};
use std::hash::Hash;

mod ahead;
mod effects;

pub(crate) enum Event<N: Node> {
    Deliver {
        from: NodeId,
        to: NodeId,
        /// The receiver's crash count when sent: a crash since then drops the message.
        epoch: u32,
        msg: N::Msg,
    },
    Timer {
        node: NodeId,
        epoch: u32,
        id: TimerId,
        timer: N::Timer,
    },
    /// Boxed: faults are rare and large, events many and small.
    Fault(Box<Fault>),
}

// Tags that keep different records from hashing alike.
const H_SEND: u64 = 1;
const H_DELIVER: u64 = 2;
const H_DROP: u64 = 3;
const H_TIMER: u64 = 4;
const H_DISCARD: u64 = 5;
pub(crate) const H_FAULT: u64 = 6;
const H_OUTPUT: u64 = 7;

/// Everything the engine keeps per node, together: one event touches one node's slot.
/// Aligned to a cache line, so that a slot of 128 bytes or less (a client's) spans two
/// lines, where one of 136 bytes packed at 8 spanned three.
#[repr(align(64))]
pub(crate) struct Slot<N: Node> {
    /// The node's durable state.
    pub(crate) state: N,
    /// `None` while the node is down.
    pub(crate) volatile: Option<N::Volatile>,
    /// Crashes so far; events stamped with an older count died with the node.
    pub(crate) crashes: u32,
    pub(crate) clock: Clock,
    /// Messages its handlers sent; the next one's name.
    pub(crate) sent: u64,
    /// Messages its handlers sent or were handed.
    pub(crate) io: u64,
}

/// A deterministic simulation of the nodes `N`, observed by `O`.
pub struct Sim<N: Node, O: Observer<N> = ()> {
    pub(crate) now: Instant,
    pub(crate) slots: Vec<Slot<N>>,
    /// Per node, a copy of its slot's crash count, for a sender to stamp its message
    /// with its receiver's without reading the receiver's (cold) slot.
    pub(crate) epochs: Vec<u32>,
    pub(crate) net: Network,
    pub(crate) queue: Queue<Event<N>>,
    pub(crate) ctx: Ctx<N>,
    pub(crate) hash: TraceHash,
    pub(crate) observer: O,
    pub(crate) stats: Stats,
    pub(crate) events_max: u64,
    /// `Some` in schedule mode.
    pub(crate) schedule: Option<Schedule>,
    /// Set during `step_traced`: record what the step sends in `traced`.
    pub(crate) tracing: bool,
    pub(crate) traced: Vec<SentMessage>,
    /// The node whose handler ran last.
    pub(crate) handler: Option<NodeId>,
}

impl<N: Node, O: Observer<N>> Sim<N, O> {
    /// Build the run and boot every node at time zero, in id order.
    pub fn new(config: SimConfig, nodes: Vec<N>, observer: O) -> Sim<N, O> {
        let count = nodes.len();
        assert!(u32::try_from(count).is_ok(), "too many nodes");
        let mut clocks = config.clocks;
        assert!(clocks.len() <= count, "more clocks than nodes");
        clocks.resize(count, Clock::EXACT);
        let slots = nodes
            .into_iter()
            .zip(clocks)
            .map(|(state, clock)| Slot {
                state,
                volatile: None,
                crashes: 0,
                clock,
                sent: 0,
                io: 0,
            })
            .collect();
        let mut sim = Sim {
            now: Instant::ZERO,
            slots,
            epochs: vec![0; count],
            net: Network::new(config.link, count, &Prng::new(config.seed)),
            queue: Queue::new(),
            ctx: Ctx::new(NodeId(0), Instant::ZERO),
            hash: TraceHash::default(),
            observer,
            stats: Stats::default(),
            events_max: config.events_max,
            schedule: config.schedule,
            tracing: false,
            traced: Vec::new(),
            handler: None,
        };
        for i in 0..count {
            sim.boot(NodeId(i as u32));
        }
        sim
    }

    /// Process the next event if it is due at or before `limit`; returns its time.
    pub fn step(&mut self, limit: Instant) -> Result<Option<Instant>, Error> {
        if self.stats.events >= self.events_max {
            return Err(Error::EventsMax {
                limit: self.events_max,
                at: self.now,
            });
        }
        let Some((time, index)) = self.queue.pop_index_until(limit.as_micros()) else {
            return Ok(None);
        };
        self.now = Instant::from_micros(time);
        self.stats.events += 1;
        let event = self.queue.take(index);
        self.warm_next();
        match event {
            Event::Deliver {
                from,
                to,
                epoch,
                msg,
            } => self.deliver(from, to, epoch, msg),
            Event::Timer {
                node,
                epoch,
                id,
                timer,
            } => self.fire(node, epoch, id, timer),
            Event::Fault(fault) => {
                self.apply(*fault, None)?;
            }
        }
        Ok(Some(self.now))
    }

    /// Process every event due at or before `until`, then stand at `until`.
    pub fn run_until(&mut self, until: Instant) -> Result<(), Error> {
        while self.step(until)?.is_some() {}
        self.now = self.now.max(until);
        Ok(())
    }

    /// Run until nothing is queued; fail if anything is still queued after `limit`.
    pub fn run(&mut self, limit: Instant) -> Result<(), Error> {
        self.run_until(limit)?;
        match self.queue.len() {
            0 => Ok(()),
            pending => Err(Error::TimeMax { limit, pending }),
        }
    }

    /// The current real time.
    pub fn now(&self) -> Instant {
        self.now
    }

    pub fn node_count(&self) -> usize {
        self.slots.len()
    }

    /// A node's durable state.
    pub fn node(&self, id: NodeId) -> &N {
        &self.slots[id.index()].state
    }

    /// A node's volatile state; `None` while it is down.
    pub fn volatile(&self, id: NodeId) -> Option<&N::Volatile> {
        self.slots[id.index()].volatile.as_ref()
    }

    pub fn is_up(&self, id: NodeId) -> bool {
        self.slots[id.index()].volatile.is_some()
    }

    pub fn clock(&self, id: NodeId) -> &Clock {
        &self.slots[id.index()].clock
    }

    pub fn network(&self) -> &Network {
        &self.net
    }

    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    /// Events queued (messages in flight, pending timers, scheduled faults).
    pub fn pending(&self) -> usize {
        self.queue.len()
    }

    /// The trace hash so far: equal for equal runs, on any machine.
    pub fn trace_hash(&self) -> u64 {
        self.hash.value()
    }

    pub fn observer(&self) -> &O {
        &self.observer
    }

    pub fn observer_mut(&mut self) -> &mut O {
        &mut self.observer
    }

    pub fn into_observer(self) -> O {
        self.observer
    }

    fn deliver(&mut self, from: NodeId, to: NodeId, epoch: u32, msg: N::Msg) {
        let slot = &self.slots[to.index()];
        let reason = if slot.volatile.is_none() {
            Some(DropReason::ReceiverDown)
        } else if slot.crashes != epoch {
            Some(DropReason::ReceiverCrashed)
        } else {
            None
        };
        self.hash.mix(self.now.as_micros());
        self.hash.mix(u64::from(from.0) << 32 | u64::from(to.0));
        if let Some(reason) = reason {
            self.hash.mix(H_DROP);
            self.stats.dropped_at_receiver += 1;
            let rec = Record::Dropped {
                from,
                to,
                msg: &msg,
                reason,
            };
            self.observer.record(self.now, rec);
            return;
        }
        self.hash.mix(H_DELIVER);
        self.stats.delivered += 1;
        self.slots[to.index()].io += 1;
        self.observer.record(
            self.now,
            Record::Delivered {
                from,
                to,
                msg: &msg,
            },
        );
        self.on_message(to, from, msg);
    }

    fn fire(&mut self, node: NodeId, epoch: u32, id: TimerId, timer: N::Timer) {
        self.ctx.timers.release(id);
        let slot = &self.slots[node.index()];
        self.hash.mix(self.now.as_micros());
        self.hash.mix(u64::from(node.0));
        if slot.crashes != epoch || slot.volatile.is_none() {
            self.hash.mix(H_DISCARD);
            self.stats.timers_discarded += 1;
            return;
        }
        self.hash.mix(H_TIMER);
        timer.hash(&mut self.hash);
        self.stats.timers_fired += 1;
        let rec = Record::TimerFired {
            node,
            timer: &timer,
        };
        self.observer.record(self.now, rec);
        self.on_timer(node, timer);
    }

    /// Run `node`'s boot handler and apply its effects.
    pub(crate) fn boot(&mut self, node: NodeId) {
        let (slot, ctx) = self.enter(node);
        slot.volatile = Some(slot.state.boot(ctx));
        self.apply_effects(node);
    }

    /// Run `node`'s message handler and apply its effects. One function per kind of
    /// handler rather than one taking an enum of inputs: the message is moved once
    /// less, and nothing is matched twice.
    fn on_message(&mut self, node: NodeId, from: NodeId, msg: N::Msg) {
        let (slot, ctx) = self.enter(node);
        let volatile = slot.volatile.as_mut().expect("handler of a down node");
        slot.state.on_message(volatile, from, msg, ctx);
        self.warm_after();
        self.warm_input();
        self.apply_effects(node);
    }

    /// Run `node`'s timer handler and apply its effects.
    fn on_timer(&mut self, node: NodeId, timer: N::Timer) {
        let (slot, ctx) = self.enter(node);
        let volatile = slot.volatile.as_mut().expect("handler of a down node");
        slot.state.on_timer(volatile, timer, ctx);
        self.warm_after();
        self.warm_input();
        self.apply_effects(node);
    }

    /// Set the context up for a handler of `node`; its slot and the context.
    #[inline]
    fn enter(&mut self, node: NodeId) -> (&mut Slot<N>, &mut Ctx<N>) {
        self.handler = Some(node);
        let slot = &mut self.slots[node.index()];
        self.ctx.reset(node, slot.clock.read(self.now));
        (slot, &mut self.ctx)
    }
}
