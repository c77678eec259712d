//! Looking ahead: each event the engine queues carries a tag naming the node it goes to
//! and its timer's slot, and when the queue guesses which events pop next and after it
//! (see `queue::ahead`), the engine asks for those lines (and the nodes' random streams)
//! one or two whole handlers before they are read. Once the current handler has run, it
//! lets the next event's node ask for what its slot only points to (`Node::warm`).
//! Hints only: nothing here changes what happens.

use super::{Event, Sim, Slot};
use crate::node::{Next, Node, NodeId};
use crate::prefetch_item;
use crate::queue::EntryKey;
use crate::time::Instant;
use crate::trace::Observer;

/// What a tag names where there is no node or no timer slot.
pub(super) const NONE: u32 = u32::MAX;

impl<N: Node> Event<N> {
    /// The event's tag: (low half) the node it goes to, (high half) its timer's slot.
    #[inline(always)]
    pub(crate) fn tag(&self) -> u64 {
        match self {
            Event::Deliver { to, .. } => tag(to.0, NONE),
            Event::Timer { node, id, .. } => tag(node.0, id.index() as u32),
            Event::Fault(_) => tag(NONE, NONE),
        }
    }
}

/// The tag of an event for `node` (low half) and its timer's slot (high half).
#[inline(always)]
pub(super) fn tag(node: u32, timer: u32) -> u64 {
    u64::from(timer) << 32 | u64::from(node)
}

/// A tag's node and timer slot.
#[inline(always)]
fn untag(tag: u64) -> (NodeId, u32) {
    (NodeId(tag as u32), (tag >> 32) as u32)
}

impl<N: Node, O: Observer<N>> Sim<N, O> {
    /// Ask for the lines the event guessed to pop next will touch first: its node's slot
    /// and, for a timer, the timer's. They were asked for when it was the one after,
    /// unless the guess was wrong.
    #[inline(always)]
    pub(super) fn warm_next(&self) {
        if let Some(tag) = self.queue.hinted_tag() {
            self.warm_tagged(tag);
        }
    }

    /// After a handler, the same for the event guessed to pop after the next. Its tag
    /// was asked for when the guess was made, before the handler: read then, it was
    /// the miss the whole event waited on.
    #[inline(always)]
    pub(super) fn warm_after(&self) {
        if let Some(tag) = self.queue.after_tag() {
            self.warm_tagged(tag);
        }
    }

    /// Ask for the slot of the node `tag` names, its random stream and its timer's slot.
    #[inline(always)]
    fn warm_tagged(&self, tag: u64) {
        let (node, timer) = untag(tag);
        prefetch_item(&self.slots, node.index());
        self.net.prefetch_stream(node);
        self.ctx.timers.prefetch(timer);
    }

    /// After a handler: let the node of the event guessed to pop next ask for the lines
    /// its input will need (its slot was asked for a whole event ago, when the event
    /// was the one after the next, and has likely arrived). Warming the one after the
    /// next instead waited on that node's slot, asked for only at this event's take.
    #[inline(always)]
    pub(super) fn warm_input(&self) {
        let (node, next) = match self.queue.hinted() {
            Some(Event::Deliver { from, to, msg, .. }) => (*to, Next::Message { from: *from, msg }),
            Some(Event::Timer { node, timer, .. }) => (*node, Next::Timer(timer)),
            Some(Event::Fault(_)) | None => return,
        };
        if let Some(Slot {
            state,
            volatile: Some(volatile),
            ..
        }) = self.slots.get(node.index())
        {
            state.warm(volatile, next);
        }
    }

    /// Queue `event` at `time`, tagged for `warm_next`.
    #[inline(always)]
    pub(crate) fn enqueue(&mut self, time: Instant, event: Event<N>) -> EntryKey {
        self.queue.push_tagged(time.as_micros(), event.tag(), event)
    }

    /// `enqueue` of the event `make` builds, tagged `tag`, built where it will lie.
    #[inline(always)]
    pub(super) fn enqueue_made(
        &mut self,
        time: Instant,
        tag: u64,
        make: impl FnOnce() -> Event<N>,
    ) -> EntryKey {
        self.queue.push_made(time.as_micros(), tag, make)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fault::Fault;
    use crate::node::{Ctx, Message, TimerIds};

    #[derive(Clone, Hash)]
    struct Ping;
    impl Message for Ping {}

    /// Sends to the other node and sets a timer, at boot and on each input.
    struct Chatty;
    impl Chatty {
        fn chat(ctx: &mut Ctx<Self>) {
            let other = NodeId(1 - ctx.id().0);
            ctx.send(other, Ping);
            ctx.set_timer(crate::time::Duration::from_millis(5), ());
        }
    }
    impl Node for Chatty {
        type Msg = Ping;
        type Timer = ();
        type Output = ();
        type Volatile = ();
        fn boot(&mut self, ctx: &mut Ctx<Self>) {
            Self::chat(ctx);
        }
        fn on_message(&mut self, _: &mut (), _: NodeId, _: Ping, ctx: &mut Ctx<Self>) {
            Self::chat(ctx);
        }
        fn on_timer(&mut self, _: &mut (), _: (), ctx: &mut Ctx<Self>) {
            Self::chat(ctx);
        }
    }

    /// Sends and timers are queued with a tag of their own (built in place, the event
    /// is tagged apart from it), and it must be the one the event's `tag` names.
    #[test]
    fn every_queued_event_carries_its_own_tag() {
        let link = crate::net::LinkParams {
            duplicate: 0.3,
            ..Default::default()
        };
        let mut sim = Sim::new(crate::SimConfig::new(7, link), vec![Chatty, Chatty], ());
        let mut kinds = (0, 0);
        for _ in 0..50 {
            for (tag, event) in sim.queue.tagged() {
                assert_eq!(tag, event.tag());
                match event {
                    Event::Deliver { .. } => kinds.0 += 1,
                    Event::Timer { .. } => kinds.1 += 1,
                    Event::Fault(_) => {}
                }
            }
            sim.step(Instant::MAX).expect("a step");
        }
        assert!(
            kinds.0 > 0 && kinds.1 > 0,
            "both kinds were queued: {kinds:?}"
        );
    }

    #[test]
    fn a_tag_names_the_event_s_node_and_timer_slot() {
        let deliver = Event::<Chatty>::Deliver {
            from: NodeId(1),
            to: NodeId(7),
            epoch: 0,
            msg: Ping,
        };
        assert_eq!(untag(deliver.tag()), (NodeId(7), NONE));

        let mut ids = TimerIds::default();
        let (_, second) = (ids.alloc(), ids.alloc());
        let timer = Event::<Chatty>::Timer {
            node: NodeId(3),
            epoch: 0,
            id: second,
            timer: (),
        };
        assert_eq!(untag(timer.tag()), (NodeId(3), 1));

        let fault = Event::<Chatty>::Fault(Box::new(Fault::Crash(NodeId(2))));
        assert_eq!(untag(fault.tag()), (NodeId(NONE), NONE));
    }
}
