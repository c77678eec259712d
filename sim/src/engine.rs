//! The simulation: nodes, their clocks, the network and the queue, and the loop that
//! pops one event at a time and applies what its handler asked for.

use crate::clock::Clock;
use crate::explore::SentMessage;
use crate::fault::{Applied, Fault, FaultError};
use crate::net::{Fate, LinkParams, Network, Rule};
use crate::node::{Ctx, Effect, Message, Node, NodeId, TimerId};
use crate::prng::Prng;
use crate::queue::Queue;
use crate::schedule::Schedule;
use crate::time::{Duration, Instant};
use crate::trace::{DropReason, Observer, Record, TraceHash};
use std::fmt;
use std::hash::Hash;

/// How a run is set up.
#[derive(Clone, Debug)]
pub struct SimConfig {
    /// The master seed; the network forks one stream per sender from it.
    pub seed: u64,
    /// Every link's parameters until a fault changes them.
    pub link: LinkParams,
    /// Each node's clock (by node index); missing ones are exact.
    pub clocks: Vec<Clock>,
    /// Stop with `Error::EventsMax` after this many events.
    pub events_max: u64,
    /// Follow this schedule instead of sampling message fates, from the boot on (see
    /// [`Sim::set_schedule`]); `None`, the default, samples.
    pub schedule: Option<Schedule>,
}

impl SimConfig {
    pub fn new(seed: u64, link: LinkParams) -> SimConfig {
        SimConfig {
            seed,
            link,
            clocks: Vec::new(),
            events_max: u64::MAX,
            schedule: None,
        }
    }
}

/// Why a run stopped before it was done.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Error {
    /// The run processed `events_max` events (a livelock, or a limit set too low).
    EventsMax { limit: u64, at: Instant },
    /// Events remain after the virtual-time limit (a run that would never end).
    TimeMax { limit: Instant, pending: usize },
    /// A scheduled fault could not be applied.
    Fault(FaultError),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::EventsMax { limit, at } => {
                write!(
                    f,
                    "stopped at limits.events_max = {limit} events (simulated time {at})"
                )
            }
            Error::TimeMax { limit, pending } => write!(
                f,
                "stopped at the virtual-time limit {limit} with {pending} events still queued"
            ),
            Error::Fault(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for Error {}

impl From<FaultError> for Error {
    fn from(e: FaultError) -> Error {
        Error::Fault(e)
    }
}

/// Counters of a run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Events popped from the queue.
    pub events: u64,
    /// Messages handlers sent (network duplicates not counted).
    pub sent: u64,
    /// Sent messages by `Message::kind`.
    pub sent_by_kind: Vec<u64>,
    pub delivered: u64,
    /// Lost at random.
    pub lost: u64,
    /// Dropped by a partition.
    pub cut: u64,
    /// Extra copies the network made.
    pub duplicated: u64,
    /// Arrived at a node that was down or had crashed since they were sent.
    pub dropped_at_receiver: u64,
    pub timers_set: u64,
    pub timers_fired: u64,
    pub timers_cancelled: u64,
    /// Timers of a node that crashed before they fired.
    pub timers_discarded: u64,
    pub crashes: u64,
    pub restarts: u64,
}

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
const H_FAULT: u64 = 6;
const H_OUTPUT: u64 = 7;

/// Everything the engine keeps per node, together: one event touches one node's slot.
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
        let Some((time, event)) = self.queue.pop_until(limit.as_micros()) else {
            return Ok(None);
        };
        self.now = Instant::from_micros(time);
        self.stats.events += 1;
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

    /// Apply `fault` now; with a `span`, schedule what undoes it (heal, restart).
    pub fn apply(&mut self, fault: Fault, span: Option<Duration>) -> Result<Applied, Error> {
        let count = self.slots.len();
        if let Some(&node) = fault.nodes().iter().find(|n| n.index() >= count) {
            return Err(FaultError::NoSuchNode { node, nodes: count }.into());
        }
        let (effective, rule) = match &fault {
            Fault::Crash(n) => (self.crash(*n), None),
            Fault::Restart(n) => (self.restart(*n), None),
            Fault::Partition { groups, one_way } => {
                let rule = Rule::Partition {
                    groups: groups.clone(),
                    one_way: *one_way,
                };
                (true, Some(self.net.add_rule(&rule)))
            }
            Fault::Isolate(nodes) => {
                let rest = (0..count as u32)
                    .map(NodeId)
                    .filter(|n| !nodes.contains(n))
                    .collect();
                let rule = Rule::Partition {
                    groups: vec![nodes.clone(), rest],
                    one_way: false,
                };
                (true, Some(self.net.add_rule(&rule)))
            }
            Fault::Link { between, change } => {
                let rule = Rule::Override {
                    between: between.clone(),
                    change: *change,
                };
                (true, Some(self.net.add_rule(&rule)))
            }
            Fault::ClockJump { node, by_us } => {
                self.jump_clock(*node, *by_us)?;
                (true, None)
            }
            Fault::Heal(rule) => (self.net.remove_rule(*rule), None),
        };
        self.hash.mix(H_FAULT);
        self.hash.mix(self.now.as_micros());
        fault.hash_into(&mut self.hash);
        self.hash.mix(u64::from(effective));
        self.observer.record(
            self.now,
            Record::Fault {
                fault: &fault,
                effective,
            },
        );
        if let Some(span) = span.filter(|_| effective) {
            let undo = match (&fault, rule) {
                (Fault::Crash(n), _) => Some(Fault::Restart(*n)),
                (_, Some(rule)) => Some(Fault::Heal(rule)),
                _ => None,
            };
            if let Some(undo) = undo {
                self.schedule(self.now + span, undo);
            }
        }
        Ok(Applied { effective, rule })
    }

    /// Queue a fault for a later instant (for faults whose targets are already known).
    pub fn schedule(&mut self, at: Instant, fault: Fault) {
        assert!(at >= self.now, "fault scheduled into the past");
        self.queue
            .push(at.as_micros(), Event::Fault(Box::new(fault)));
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
    fn boot(&mut self, node: NodeId) {
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
        self.apply_effects(node);
    }

    /// Run `node`'s timer handler and apply its effects.
    fn on_timer(&mut self, node: NodeId, timer: N::Timer) {
        let (slot, ctx) = self.enter(node);
        let volatile = slot.volatile.as_mut().expect("handler of a down node");
        slot.state.on_timer(volatile, timer, ctx);
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

    /// Apply what the handler of `node` that just ran asked for, in order.
    fn apply_effects(&mut self, node: NodeId) {
        while let Some(effect) = self.ctx.effects.pop_front() {
            match effect {
                Effect::Send { to, msg } => self.send(node, to, msg),
                Effect::SetTimer {
                    id,
                    deadline,
                    timer,
                } => self.set_timer(node, id, deadline, timer),
                Effect::CancelTimer(id) => self.cancel_timer(id),
                Effect::Output(output) => {
                    self.hash.mix(H_OUTPUT);
                    output.hash(&mut self.hash);
                    let rec = Record::Output {
                        node,
                        output: &output,
                    };
                    self.observer.record(self.now, rec);
                }
            }
        }
    }

    fn send(&mut self, from: NodeId, to: NodeId, msg: N::Msg) {
        assert!(
            to.index() < self.slots.len(),
            "message to unknown node {}",
            to.0
        );
        let kind = msg.kind();
        if kind >= self.stats.sent_by_kind.len() {
            self.stats.sent_by_kind.resize(kind + 1, 0);
        }
        self.stats.sent_by_kind[kind] += 1;
        self.stats.sent += 1;
        let (_, fate) = self.judge(from, to);
        self.hash.mix(H_SEND);
        self.hash.mix(u64::from(from.0) << 32 | u64::from(to.0));
        msg.hash(&mut self.hash);
        let rec = Record::Sent {
            from,
            to,
            msg: &msg,
            fate,
        };
        self.observer.record(self.now, rec);
        match fate {
            Fate::Cut => {
                self.hash.mix(u64::MAX);
                self.stats.cut += 1;
            }
            Fate::Lost => {
                self.hash.mix(u64::MAX - 1);
                self.stats.lost += 1;
            }
            Fate::Arrives { latency, duplicate } => {
                self.hash.mix(latency.as_micros());
                let epoch = self.slots[to.index()].crashes;
                if let Some(second) = duplicate {
                    self.hash.mix(second.as_micros());
                    self.stats.duplicated += 1;
                    let copy = Event::Deliver {
                        from,
                        to,
                        epoch,
                        msg: msg.clone(),
                    };
                    self.queue.push((self.now + second).as_micros(), copy);
                }
                let event = Event::Deliver {
                    from,
                    to,
                    epoch,
                    msg,
                };
                self.queue.push((self.now + latency).as_micros(), event);
            }
        }
    }

    fn set_timer(&mut self, node: NodeId, id: TimerId, deadline: Instant, timer: N::Timer) {
        let slot = &self.slots[node.index()];
        let at = slot.clock.real_at(self.now, deadline);
        let epoch = slot.crashes;
        let event = Event::Timer {
            node,
            epoch,
            id,
            timer,
        };
        let key = self.queue.push(at.as_micros(), event);
        self.ctx.timers.queued(id, node, key, deadline);
        self.stats.timers_set += 1;
    }

    fn cancel_timer(&mut self, id: TimerId) {
        if let Some(key) = self.ctx.timers.release(id) {
            assert!(self.queue.discard(key), "queued timer");
            self.stats.timers_cancelled += 1;
        }
    }

    fn crash(&mut self, node: NodeId) -> bool {
        let slot = &mut self.slots[node.index()];
        if slot.volatile.take().is_none() {
            return false;
        }
        slot.crashes += 1;
        self.stats.crashes += 1;
        true
    }

    fn restart(&mut self, node: NodeId) -> bool {
        if self.is_up(node) {
            return false;
        }
        self.stats.restarts += 1;
        self.boot(node);
        true
    }

    /// Move the node's clock, then re-file its pending timers by their local deadlines.
    fn jump_clock(&mut self, node: NodeId, by_us: i64) -> Result<(), FaultError> {
        self.slots[node.index()]
            .clock
            .jump(self.now, by_us)
            .map_err(|e| FaultError::ClockBeforeStart {
                node,
                reading_us: e.reading_us,
            })?;
        let clock = self.slots[node.index()].clock;
        for timer in self.ctx.timers.queued_of(node) {
            let event = self.queue.cancel(timer.key).expect("queued timer");
            let at = clock.real_at(self.now, timer.deadline);
            timer.key = self.queue.push(at.as_micros(), event);
        }
        Ok(())
    }
}
