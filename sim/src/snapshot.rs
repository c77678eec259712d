//! Whole simulations as values: a faithful copy to run forward from a choice point, and
//! a hash of everything that decides what happens next, to recognise a state seen
//! before.

use crate::engine::{Event, Sim, Slot};
use crate::fault::Fault;
use crate::node::Node;
use crate::trace::{Observer, TraceHash};
use std::hash::Hash;

/// A copy that runs forward exactly as the original would: same events, same draws,
/// same timer ids, same trace hash.
impl<N, O> Clone for Sim<N, O>
where
    N: Node + Clone,
    N::Volatile: Clone,
    N::Timer: Clone,
    O: Observer<N> + Clone,
{
    fn clone(&self) -> Self {
        Sim {
            now: self.now,
            slots: self.slots.clone(),
            epochs: self.epochs.clone(),
            net: self.net.clone(),
            queue: self.queue.clone(),
            ctx: self.ctx.clone_between_calls(),
            hash: self.hash,
            observer: self.observer.clone(),
            stats: self.stats.clone(),
            events_max: self.events_max,
            schedule: self.schedule.clone(),
            tracing: self.tracing,
            traced: self.traced.clone(),
            handler: self.handler,
        }
    }
}

impl<N: Node + Clone> Clone for Slot<N>
where
    N::Volatile: Clone,
{
    fn clone(&self) -> Self {
        Slot {
            state: self.state.clone(),
            volatile: self.volatile.clone(),
            crashes: self.crashes,
            clock: self.clock,
            sent: self.sent,
            io: self.io,
        }
    }
}

impl<N: Node> Clone for Event<N>
where
    N::Timer: Clone,
{
    fn clone(&self) -> Self {
        match self {
            Event::Deliver {
                from,
                to,
                epoch,
                msg,
            } => Event::Deliver {
                from: *from,
                to: *to,
                epoch: *epoch,
                msg: msg.clone(),
            },
            Event::Timer {
                node,
                epoch,
                id,
                timer,
            } => Event::Timer {
                node: *node,
                epoch: *epoch,
                id: *id,
                timer: timer.clone(),
            },
            Event::Fault(fault) => Event::Fault(fault.clone()),
        }
    }
}

// Tags that keep the parts of a state from hashing alike.
const S_DOWN: u64 = 1;
const S_UP: u64 = 2;
const S_DELIVER: u64 = 3;
const S_TIMER: u64 = 4;
const S_FAULT: u64 = 5;
const S_SAMPLING: u64 = 6;
const S_SCHEDULED: u64 = 7;

impl<N: Node, O: Observer<N>> Sim<N, O> {
    /// A hash of everything that decides what happens from here on, with the crate's
    /// portable [`TraceHash`]: two simulations that will behave alike hash alike, however
    /// they got here.
    ///
    /// It covers the current time; every node's durable state, volatile state (or that
    /// it is down) and clock; every queued event in pop order with its due time
    /// (messages by sender, receiver and payload, timers by node, local deadline and
    /// payload, faults); the network's rules and each stream's position; the mode, and
    /// in schedule mode the deviations still ahead; and the observer.
    ///
    /// What only names things stays out, so states reached by different paths compare
    /// equal: queue slots and sequence numbers (only the pop order they give counts),
    /// timer ids, rule ids, crash counts (an event is hashed as alive or dead with its
    /// node), message counts (a deviation ahead is hashed by how many messages ahead it
    /// is), and the trace hash and counters, which are history. So do the limits: a
    /// search bounds its own runs. A node that keeps a [`TimerId`](crate::TimerId) in
    /// its state hashes a handle, not a meaning: hash "a timer is set" instead, or two
    /// states alike but for their timer ids will hash apart (a state searched twice,
    /// never a state wrongly skipped).
    pub fn state_hash(&self) -> u64
    where
        N: Hash,
        N::Volatile: Hash,
        O: Hash,
    {
        let mut h = TraceHash::default();
        h.mix(self.now.as_micros());
        for slot in &self.slots {
            slot.state.hash(&mut h);
            match &slot.volatile {
                None => h.mix(S_DOWN),
                Some(volatile) => {
                    h.mix(S_UP);
                    volatile.hash(&mut h);
                }
            }
            slot.clock.hash(&mut h);
        }
        h.mix(self.queue.len() as u64);
        for (time, event) in self.queue.iter_in_pop_order() {
            h.mix(time);
            self.hash_event(event, &mut h);
        }
        self.net.hash_state(&mut h);
        match &self.schedule {
            None => h.mix(S_SAMPLING),
            Some(schedule) => {
                h.mix(S_SCHEDULED);
                schedule.hash_ahead(|node| self.sent_count(node), &mut h);
            }
        }
        self.observer.hash(&mut h);
        h.value()
    }

    fn hash_event(&self, event: &Event<N>, h: &mut TraceHash) {
        match event {
            Event::Deliver {
                from,
                to,
                epoch,
                msg,
            } => {
                let alive = *epoch == self.slots[to.index()].crashes;
                (S_DELIVER, from, to, alive).hash(h);
                msg.hash(h);
            }
            Event::Timer {
                node,
                epoch,
                id,
                timer,
            } => {
                let alive = *epoch == self.slots[node.index()].crashes;
                let queued = self
                    .ctx
                    .timers
                    .slot(*id)
                    .expect("a queued timer is pending");
                assert_eq!(queued.node, *node, "timer filed under another node");
                (S_TIMER, node, alive, queued.deadline).hash(h);
                timer.hash(h);
            }
            Event::Fault(fault) => {
                h.mix(S_FAULT);
                match **fault {
                    // A rule id is a handle: hash which rule in force it would remove.
                    Fault::Heal(rule) => {
                        let position = self.net.rule_position(rule);
                        (7u8, position.map(|p| p as u64)).hash(h);
                    }
                    _ => fault.hash_into(h),
                }
            }
        }
    }
}
