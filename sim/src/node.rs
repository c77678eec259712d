//! Nodes are state machines; handlers record effects, the engine applies them.
//!
//! A node value is its **durable** state: what survives a crash (its disk). Its
//! **volatile** state is a separate type the engine owns: a crash drops it together with
//! the node's pending timers and the messages in flight to it, and a restart builds a new
//! one with `boot` from the durable state alone. Handlers never see the queue, the
//! network or real time; they read the local clock from `Ctx` and write effects into it,
//! so one handler call can be tested without an engine.

use crate::queue::EntryKey;
use crate::time::{Duration, Instant};
use std::collections::VecDeque;
use std::hash::Hash;

/// A node's number: an index into the run's node list.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Default)]
pub struct NodeId(pub u32);

impl NodeId {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// A message payload. `kind` files each sent message under one counter (see
/// `Stats::sent_by_kind`); the hash feeds the trace hash.
pub trait Message: Clone + Hash {
    fn kind(&self) -> usize {
        0
    }
}

/// A simulated process.
pub trait Node: Sized {
    type Msg: Message;
    /// Timer payloads, handed back when the timer fires.
    type Timer: Hash;
    /// What the node reports to the run's observer (operation history, state changes).
    type Output: Hash;
    /// The state a crash loses.
    type Volatile;

    /// Build volatile state from durable state: at the start of the run and on restart.
    fn boot(&mut self, ctx: &mut Ctx<Self>) -> Self::Volatile;

    fn on_message(
        &mut self,
        volatile: &mut Self::Volatile,
        from: NodeId,
        msg: Self::Msg,
        ctx: &mut Ctx<Self>,
    );

    fn on_timer(&mut self, volatile: &mut Self::Volatile, timer: Self::Timer, ctx: &mut Ctx<Self>);

    /// A hint, by default none: the engine expects `next` to be this node's next input,
    /// and a node whose handlers start by reading memory its slot only points to (a boxed
    /// volatile state, a table of its own) may ask for those lines now (see
    /// [`crate::prefetch`]), a few hundred instructions ahead of the handler. It may not
    /// change anything.
    #[inline(always)]
    fn warm(&self, _volatile: &Self::Volatile, _next: Next<'_, Self>) {}
}

/// The input the engine expects a node to handle next (see [`Node::warm`]).
pub enum Next<'a, N: Node> {
    Message { from: NodeId, msg: &'a N::Msg },
    Timer(&'a N::Timer),
}

/// Names a pending timer, for cancelling it. Stale ids are harmless.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct TimerId {
    index: u32,
    generation: u32,
}

impl TimerId {
    pub(crate) fn index(self) -> usize {
        self.index as usize
    }
}

/// Hands out timer ids, knows which are still pending and where the engine queued each:
/// one slot per id, so that setting, firing and cancelling a timer touch one place.
#[derive(Clone, Default, Debug)]
pub struct TimerIds {
    slots: Vec<TimerSlot>,
    free: Vec<u32>,
}

/// A timer id's slot: the generation its live id carries and, while its timer is queued,
/// for which node, under which key and until which reading of the node's clock.
#[derive(Clone, Copy, Debug)]
pub(crate) struct TimerSlot {
    generation: u32,
    /// `UNQUEUED` while no timer of this slot is queued.
    pub(crate) node: NodeId,
    pub(crate) key: EntryKey,
    pub(crate) deadline: Instant,
}

const UNQUEUED: NodeId = NodeId(u32::MAX);

impl TimerIds {
    #[inline]
    pub(crate) fn alloc(&mut self) -> TimerId {
        let index = self.free.pop().unwrap_or_else(|| {
            self.slots.push(TimerSlot {
                generation: 0,
                node: UNQUEUED,
                key: EntryKey::NONE,
                deadline: Instant::ZERO,
            });
            u32::try_from(self.slots.len() - 1).expect("more than 4 billion timers")
        });
        TimerId {
            index,
            generation: self.slots[index as usize].generation,
        }
    }

    #[inline]
    pub(crate) fn is_live(&self, id: TimerId) -> bool {
        self.slots
            .get(id.index())
            .is_some_and(|s| s.generation == id.generation)
    }

    /// The engine queued live timer `id` of `node` under `key`.
    #[inline]
    pub(crate) fn queued(&mut self, id: TimerId, node: NodeId, key: EntryKey, deadline: Instant) {
        debug_assert!(self.is_live(id));
        self.slots[id.index()] = TimerSlot {
            generation: id.generation,
            node,
            key,
            deadline,
        };
    }

    /// Where pending timer `id` is queued; `None` if it is not pending.
    pub(crate) fn slot(&self, id: TimerId) -> Option<&TimerSlot> {
        let slot = self.slots.get(id.index())?;
        (slot.generation == id.generation && slot.node != UNQUEUED).then_some(slot)
    }

    /// Every queued timer of `node`, by id.
    pub(crate) fn queued_of(&mut self, node: NodeId) -> impl Iterator<Item = &mut TimerSlot> {
        self.slots.iter_mut().filter(move |s| s.node == node)
    }

    /// Ask for the line of slot `index`, which firing or cancelling its timer touches
    /// (nothing if there is no such slot).
    #[inline(always)]
    pub(crate) fn prefetch(&self, index: u32) {
        crate::prefetch_item(&self.slots, index as usize);
    }

    /// Retire a pending id: the key its timer was queued under, or `None` if it was not
    /// pending.
    #[inline]
    pub(crate) fn release(&mut self, id: TimerId) -> Option<EntryKey> {
        let slot = self
            .slots
            .get_mut(id.index())
            .filter(|s| s.generation == id.generation)?;
        slot.generation = slot.generation.wrapping_add(1);
        slot.node = UNQUEUED;
        self.free.push(id.index);
        Some(slot.key)
    }
}

/// One thing a handler asked for.
#[derive(Debug, PartialEq)]
pub enum Effect<M, T, O> {
    Send {
        to: NodeId,
        msg: M,
    },
    /// Fire `timer` when the local clock reads `deadline`.
    SetTimer {
        id: TimerId,
        deadline: Instant,
        timer: T,
    },
    CancelTimer(TimerId),
    Output(O),
}

/// The handler's view of the world: who it is, its local clock, and the effects buffer.
pub struct Ctx<N: Node> {
    node: NodeId,
    now: Instant,
    /// In order; the engine takes them from the front as it applies them.
    pub(crate) effects: VecDeque<Effect<N::Msg, N::Timer, N::Output>>,
    pub(crate) timers: TimerIds,
}

impl<N: Node> Ctx<N> {
    /// A context for calling one handler directly, as in a unit test.
    pub fn new(node: NodeId, now: Instant) -> Ctx<N> {
        Ctx {
            node,
            now,
            effects: VecDeque::new(),
            timers: TimerIds::default(),
        }
    }

    /// This node.
    #[inline]
    pub fn id(&self) -> NodeId {
        self.node
    }

    /// The local clock's reading.
    #[inline]
    pub fn now(&self) -> Instant {
        self.now
    }

    #[inline]
    pub fn send(&mut self, to: NodeId, msg: N::Msg) {
        self.effects.push_back(Effect::Send { to, msg });
    }

    /// Fire `timer` after `after` has passed on the local clock.
    #[inline]
    pub fn set_timer(&mut self, after: Duration, timer: N::Timer) -> TimerId {
        self.set_timer_at(self.now + after, timer)
    }

    /// Fire `timer` when the local clock reads `deadline` (at once if it already has).
    #[inline]
    pub fn set_timer_at(&mut self, deadline: Instant, timer: N::Timer) -> TimerId {
        let id = self.timers.alloc();
        self.effects.push_back(Effect::SetTimer {
            id,
            deadline,
            timer,
        });
        id
    }

    /// Cancel a pending timer; nothing happens if it already fired or was cancelled.
    #[inline]
    pub fn cancel_timer(&mut self, id: TimerId) {
        self.effects.push_back(Effect::CancelTimer(id));
    }

    /// Report something to the run's observer (and the trace hash).
    #[inline]
    pub fn output(&mut self, out: N::Output) {
        self.effects.push_back(Effect::Output(out));
    }

    /// What the handler asked for so far, in order.
    pub fn effects(&self) -> impl Iterator<Item = &Effect<N::Msg, N::Timer, N::Output>> {
        self.effects.iter()
    }

    /// The messages sent so far, in order.
    pub fn sent(&self) -> impl Iterator<Item = (NodeId, &N::Msg)> {
        self.effects.iter().filter_map(|e| match e {
            Effect::Send { to, msg } => Some((*to, msg)),
            _ => None,
        })
    }

    pub(crate) fn reset(&mut self, node: NodeId, now: Instant) {
        debug_assert!(self.effects.is_empty());
        self.node = node;
        self.now = now;
    }
}

impl<N: Node> Ctx<N> {
    /// The engine's context, copied between handler calls: it hands out the same timer
    /// ids from here on. The engine applies effects before a call returns, so there
    /// are none to copy (and effect types need not be `Clone`).
    pub(crate) fn clone_between_calls(&self) -> Ctx<N> {
        assert!(self.effects.is_empty(), "copied in the middle of a handler");
        Ctx {
            node: self.node,
            now: self.now,
            effects: VecDeque::new(),
            timers: self.timers.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::queue::Queue;

    #[test]
    fn a_timer_slot_tells_where_its_timer_is_queued_until_it_is_released() {
        let mut queue = Queue::new();
        let mut ids = TimerIds::default();
        let (a, b) = (ids.alloc(), ids.alloc());
        let (ka, kb) = (queue.push(10, 'a'), queue.push(20, 'b'));
        ids.queued(a, NodeId(1), ka, Instant::from_micros(10));
        ids.queued(b, NodeId(2), kb, Instant::from_micros(20));
        assert_eq!(ids.slot(a).map(|s| (s.node, s.key)), Some((NodeId(1), ka)));
        let of_1: Vec<EntryKey> = ids.queued_of(NodeId(1)).map(|s| s.key).collect();
        assert_eq!(of_1, vec![ka]);

        assert_eq!(ids.release(a), Some(ka));
        assert_eq!(ids.release(a), None, "released once");
        assert!(ids.slot(a).is_none() && !ids.is_live(a));
        assert_eq!(ids.queued_of(NodeId(1)).count(), 0);

        // The slot is reused under a new generation; the old id stays dead.
        let c = ids.alloc();
        assert_eq!(c.index(), a.index());
        assert!(ids.is_live(c) && !ids.is_live(a));
        assert!(ids.slot(c).is_none(), "not queued yet");
        assert_eq!(ids.release(a), None);
        assert_eq!(
            ids.slot(b).map(|s| s.deadline),
            Some(Instant::from_micros(20))
        );
    }
}
