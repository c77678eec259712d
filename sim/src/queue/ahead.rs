//! Looking ahead: which events will pop next, so that their lines (and, through the
//! engine, their nodes') are asked for while the current one is handled. Guesses only:
//! a handler may push an earlier event, and nothing here changes what pops.

use super::{NEAR, NIL, Queue};
use crate::prefetch;

impl<E> Queue<E> {
    /// Ask for the lines the handler of the event just taken will likely push into (the
    /// first two free slots: the event's own, warm, and `second`, freed who knows when)
    /// and those of the event likely to pop next.
    #[inline(always)]
    pub(super) fn prefetch_next(&mut self, second: u32) {
        if let Some(line) = self.events.get(second as usize) {
            prefetch(line);
            prefetch(&self.entries[second as usize]);
        }
        let (next, after) = self.next_two();
        self.hint = next;
        for index in [next, after] {
            if let Some(line) = self.events.get(index as usize) {
                prefetch(line);
                prefetch(&self.entries[index as usize]);
            }
        }
    }

    /// The two events likely to pop next (`NIL` where there is none): the front of `due`
    /// and of the near slots; of a near slot holding several, its first two listed, which
    /// pop in push order and so not necessarily in that order.
    #[inline(always)]
    pub(super) fn next_two(&self) -> (u32, u32) {
        let near_head = |from: usize| match self.near_from(from) {
            Some(slot) => (slot, self.heads[slot]),
            None => (NEAR, NIL),
        };
        let position = self.elapsed as usize % NEAR;
        match (self.due.front(), self.due.get(1)) {
            (Some(&first), Some(&second)) => (first, second),
            (Some(&first), None) => (first, near_head(position).1),
            _ => {
                let (slot, first) = near_head(position);
                if first == NIL {
                    return (NIL, NIL);
                }
                let next = self.entries[first as usize].next;
                if next != NIL || slot + 1 >= NEAR {
                    return (first, next);
                }
                (first, near_head(slot + 1).1)
            }
        }
    }

    /// The event guessed, when the last was taken, to pop next: its lines were asked
    /// for then. It may have popped or gone since, or another come before it.
    #[inline(always)]
    pub(crate) fn hinted(&self) -> Option<&E> {
        self.events.get(self.hint as usize)?.0.as_ref()
    }
}
