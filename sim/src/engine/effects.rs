//! Applying a handler's effects: its messages meet the network and join the queue, its
//! timers are set on its clock or cancelled, its outputs go to the observer.

use super::ahead::{NONE, tag};
use super::{Event, H_OUTPUT, H_SEND, Sim};
use crate::net::Fate;
use crate::node::{Effect, Message, Node, NodeId, TimerId};
use crate::time::Instant;
use crate::trace::{Observer, Record};
use std::hash::Hash;

impl<N: Node, O: Observer<N>> Sim<N, O> {
    /// Apply what the handler of `node` that just ran asked for, in order.
    pub(super) fn apply_effects(&mut self, node: NodeId) {
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
            to.index() < self.epochs.len(),
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
                let epoch = self.epochs[to.index()];
                if let Some(second) = duplicate {
                    self.hash.mix(second.as_micros());
                    self.stats.duplicated += 1;
                    let copy = Event::Deliver {
                        from,
                        to,
                        epoch,
                        msg: msg.clone(),
                    };
                    self.enqueue(self.now + second, copy);
                }
                let make = || Event::Deliver {
                    from,
                    to,
                    epoch,
                    msg,
                };
                self.enqueue_made(self.now + latency, tag(to.0, NONE), make);
            }
        }
    }

    fn set_timer(&mut self, node: NodeId, id: TimerId, deadline: Instant, timer: N::Timer) {
        let slot = &self.slots[node.index()];
        let at = slot.clock.real_at(self.now, deadline);
        let epoch = slot.crashes;
        let make = || Event::Timer {
            node,
            epoch,
            id,
            timer,
        };
        let key = self.enqueue_made(at, tag(node.0, id.index() as u32), make);
        self.ctx.timers.queued(id, node, key, deadline);
        self.stats.timers_set += 1;
    }

    fn cancel_timer(&mut self, id: TimerId) {
        if let Some(key) = self.ctx.timers.release(id) {
            assert!(self.queue.discard(key), "queued timer");
            self.stats.timers_cancelled += 1;
        }
    }
}
