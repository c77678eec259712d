//! What a search over schedules needs from a running simulation: the one seam where a
//! message's fate is decided, the schedule it follows, stable names for messages and
//! events, and steps that say what they did.

use crate::Error;
use crate::engine::Sim;
use crate::net::Fate;
use crate::node::{Node, NodeId};
use crate::schedule::{Choices, MessageDeviation, MessageName, Schedule};
use crate::time::Instant;
use crate::trace::Observer;

/// One event as [`Sim::step_traced`] saw it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    /// When it happened.
    pub at: Instant,
    /// The node whose handler ran (a delivered message, a timer that fired, a boot after
    /// a restart); `None` for a message dropped at its receiver, a discarded timer, or a
    /// fault that ran no handler.
    pub handler: Option<NodeId>,
    /// The messages that handler sent, in order.
    pub sent: Vec<SentMessage>,
}

/// A message sent during a traced step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SentMessage {
    pub name: MessageName,
    pub to: NodeId,
    /// What happened to it.
    pub fate: Fate,
    /// The deviations its link allowed when it was sent: the choices a schedule could
    /// have made for it instead.
    pub choices: Choices,
}

impl<N: Node, O: Observer<N>> Sim<N, O> {
    /// The one place a message's fate is decided. It names the message first, in both
    /// modes, so names never depend on the mode. Without a schedule it samples the
    /// sender's stream exactly as the network always has; with one it samples nothing.
    pub(crate) fn judge(&mut self, from: NodeId, to: NodeId) -> (MessageName, Fate) {
        let slot = &mut self.slots[from.index()];
        let name = MessageName {
            from,
            nth: slot.sent,
        };
        slot.sent += 1;
        slot.io += 1;
        let fate = match &mut self.schedule {
            None => self.net.judge(from, to),
            Some(schedule) => schedule.fate(name, self.net.link(from, to)),
        };
        if self.tracing {
            let choices = self.choices(from, to);
            let sent = SentMessage {
                name,
                to,
                fate,
                choices,
            };
            self.traced.push(sent);
        }
        (name, fate)
    }

    /// Switch schedule mode on (`Some`) or back to sampling (`None`), from the next
    /// message on; returns the schedule followed so far. Messages already in flight
    /// keep their fates. To follow a schedule from the very start, boot messages
    /// included, put it in [`SimConfig::schedule`](crate::SimConfig::schedule) instead.
    pub fn set_schedule(&mut self, schedule: Option<Schedule>) -> Option<Schedule> {
        std::mem::replace(&mut self.schedule, schedule)
    }

    /// The schedule being followed; `None` in the normal (sampling) mode.
    pub fn current_schedule(&self) -> Option<&Schedule> {
        self.schedule.as_ref()
    }

    /// Make a message not yet sent deviate from the default; returns the deviation it
    /// replaces.
    ///
    /// # Panics
    /// Outside schedule mode, or if the message was already sent: its fate is decided.
    pub fn deviate(
        &mut self,
        name: MessageName,
        deviation: MessageDeviation,
    ) -> Option<MessageDeviation> {
        assert!(
            name.nth >= self.sent_count(name.from),
            "{name} was already sent: its fate is decided"
        );
        let schedule = self.schedule.as_mut();
        schedule
            .expect("deviate() needs schedule mode: call set_schedule first")
            .deviate(name, deviation)
    }

    /// Messages the node's handlers have sent since the start of the run.
    pub fn sent_count(&self, node: NodeId) -> u64 {
        self.slots[node.index()].sent
    }

    /// Messages the node's handlers have sent plus those delivered to its handler since
    /// the start of the run (messages dropped at a down or crashed node do not count).
    /// "Right after the event that sends or receives the node's n-th message" names an
    /// instant no timestamp can: several events may share a microsecond.
    pub fn io_count(&self, node: NodeId) -> u64 {
        self.slots[node.index()].io
    }

    /// The name the node's next message will have.
    pub fn next_message(&self, node: NodeId) -> MessageName {
        MessageName {
            from: node,
            nth: self.sent_count(node),
        }
    }

    /// The deviations a message sent now from `from` to `to` could take: those the
    /// schedule being followed allows ([`Schedule::choices`]), or outside schedule mode
    /// those of the link ([`Choices::of`]).
    pub fn choices(&self, from: NodeId, to: NodeId) -> Choices {
        let link = self.net.link(from, to);
        match &self.schedule {
            Some(schedule) => schedule.choices(link),
            None => Choices::of(link),
        }
    }

    /// [`Sim::step`], telling which node's handler ran and what it sent, so that a
    /// search sees its choice points as they happen.
    pub fn step_traced(&mut self, limit: Instant) -> Result<Option<Step>, Error> {
        self.tracing = true;
        self.handler = None;
        self.traced.clear();
        let stepped = self.step(limit);
        self.tracing = false;
        Ok(stepped?.map(|at| Step {
            at,
            handler: self.handler.take(),
            sent: std::mem::take(&mut self.traced),
        }))
    }
}
