//! Looking ahead: which events will pop next and after it, so that their lines (and,
//! through the tags the engine gave them, their nodes') are asked for while the current
//! one is handled. A guess only: a handler may push an earlier event, and nothing here
//! changes what pops. Only a queue whose slab has grown past `LOOK_AHEAD_FROM` looks
//! ahead, and past `LOOK_TWO_AHEAD_FROM` two events ahead.

use super::{NEAR, NIL, Queue};
use crate::prefetch;

/// The slab size from which taking an event also guesses the one after the next: a
/// cell of 1,000 clients (about 5,000 queued) would pay 5% more instructions for it.
pub(super) const LOOK_TWO_AHEAD_FROM: usize = 1 << 14;

impl<E> Queue<E> {
    /// Ask for the lines the handler of the event just taken will likely push into (the
    /// first two free slots: the event's own, warm, and `second`, freed who knows when)
    /// and those of the two events likely to pop next: the first becomes the hint, the
    /// second `after`, asked for a whole event before it pops.
    #[inline(always)]
    pub(super) fn prefetch_next(&mut self, second: u32) {
        self.prefetch_event(second);
        // The event at the head of the first occupied near slot at or after `from`.
        let near = |from| {
            self.next_near_from(from)
                .map_or(NIL, |slot| self.heads[slot])
        };
        if self.events.len() < LOOK_TWO_AHEAD_FROM {
            // `after` stays `NIL`: the slab never shrinks, so it has never been large enough.
            self.hint = match self.due.front() {
                Some(&index) => index,
                None => near(self.elapsed as usize % NEAR),
            };
            self.prefetch_event(self.hint);
            return;
        }
        (self.hint, self.after) = match (self.due.front(), self.due.get(1)) {
            (Some(&hint), Some(&after)) => (hint, after),
            (Some(&hint), None) => (hint, near(self.elapsed as usize % NEAR)),
            (None, _) => match self.next_near() {
                Some(slot) => {
                    // A slot of several events pops them all before the next slot's: the
                    // one after is the head's neighbour. The head's entry was asked for
                    // when it was the one after, and has likely arrived.
                    let head = self.heads[slot];
                    match self.entries[head as usize].next {
                        NIL => (head, near(slot + 1)),
                        next => (head, next),
                    }
                }
                None => (NIL, NIL),
            },
        };
        self.prefetch_event(self.hint);
        self.prefetch_event(self.after);
        if let Some(tag) = self.tags.get(self.after as usize) {
            prefetch(tag);
        }
    }

    /// Ask for the lines of the event in slab slot `index`, if there is one.
    #[inline(always)]
    fn prefetch_event(&self, index: u32) {
        if let Some(line) = self.events.get(index as usize) {
            prefetch(line);
            prefetch(&self.entries[index as usize]);
        }
    }

    /// The tag pushed with the event guessed, when the last was taken, to pop next. It
    /// may have popped or gone since, or another come before it.
    #[inline(always)]
    pub(crate) fn hinted_tag(&self) -> Option<u64> {
        self.tags.get(self.hint as usize).copied()
    }

    /// The event guessed, when the last was taken, to pop next, if it is still queued
    /// there (see `hinted_tag`).
    #[inline(always)]
    pub(crate) fn hinted(&self) -> Option<&E> {
        self.events.get(self.hint as usize)?.0.as_ref()
    }

    /// The tag of the event guessed, when the last was taken, to pop after the next.
    #[inline(always)]
    pub(crate) fn after_tag(&self) -> Option<u64> {
        self.tags.get(self.after as usize).copied()
    }
}
