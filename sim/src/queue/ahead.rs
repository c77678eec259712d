//! Looking ahead: which event will pop next, so that its lines (and, through the tag
//! the engine gave it, its node's) are asked for while the current one is handled. A
//! guess only: a handler may push an earlier event, and nothing here changes what pops.
//! Only a queue whose slab has grown past `LOOK_AHEAD_FROM` looks ahead.

use super::{NIL, Queue};
use crate::prefetch;

impl<E> Queue<E> {
    /// Ask for the lines the handler of the event just taken will likely push into (the
    /// first two free slots: the event's own, warm, and `second`, freed who knows when)
    /// and those of the event likely to pop next, which becomes the hint.
    #[inline(always)]
    pub(super) fn prefetch_next(&mut self, second: u32) {
        if let Some(line) = self.events.get(second as usize) {
            prefetch(line);
            prefetch(&self.entries[second as usize]);
        }
        self.hint = match self.due.front() {
            Some(&index) => index,
            None => match self.next_near() {
                Some(slot) => self.heads[slot],
                None => NIL,
            },
        };
        if let Some(line) = self.events.get(self.hint as usize) {
            prefetch(line);
            prefetch(&self.entries[self.hint as usize]);
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
}
