//! The event queue: a timing wheel that pops in `(time, seq)` order.
//!
//! Near events (within 65 ms of the wheel's time) are filed in one of 65,536 one-µs
//! slots, found again through a three-level occupancy bitmap; later events go to eight
//! far levels of 64 slots each (the Linux/tokio hierarchical layout: a far slot of level
//! `k` holds the events whose time shares every bit above `16 + 6(k+1)` with the wheel's
//! time and whose next six bits are the slot number). Insertion is O(1). A far slot
//! cascades down when time reaches it, so an event moves at most once per level, and a
//! message with millisecond latency never moves at all; nor does an event alone in the
//! earliest far slot while the near wheel is empty (a sparse wheel pops it directly).
//! Events sit in a slab. A near slot links its events by slab index; a far slot lists
//! them in an array, so that a cascade reads their entries side by side rather than one
//! cold entry after the one before (in a large cell, cascading was an eighth of the run,
//! nearly all of it waiting on the next link). Either way cancelling an event takes it
//! out in O(1), so a cancelled timer costs neither a pop nor any later work.
//!
//! Events due at the current time wait in `due`, sorted by sequence number; ties at
//! one microsecond therefore pop in the order they were pushed, and the order is total.

use std::collections::VecDeque;

mod ahead;
mod filing;
mod wheel;

use wheel::far_slot_start;

const NEAR_BITS: u32 = 16;
const NEAR: usize = 1 << NEAR_BITS;
const NEAR_WORDS: usize = NEAR / 64;
const _: () = assert!(NEAR_WORDS / 64 <= 64, "near_top has a bit per summary word");
const FAR_BITS: u32 = 6;
const FAR_SLOTS: usize = 1 << FAR_BITS;
const FAR_LEVELS: usize = 8; // 16 + 8 × 6 = 64 bits
/// The slab size (events ever queued at once) from which taking an event looks ahead
/// (see `ahead`): below it the slab, the entries and the nodes stay in the caches, and
/// looking ahead only costs instructions (3% of `check-small`'s time).
const LOOK_AHEAD_FROM: usize = 1 << 12;
/// How many entries ahead a far slot's cascade asks for.
const SPILL_AHEAD: usize = 8;
/// The tag of an event pushed without one: it names nothing (see `push_tagged`).
const UNTAGGED: u64 = u64::MAX;
const NIL: u32 = u32::MAX;
const IN_DUE: u32 = u32::MAX - 1;
const FREE: u32 = u32::MAX;

/// A handle to a queued event, for cancellation. Stale handles are harmless.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct EntryKey {
    index: u32,
    generation: u32,
}

impl EntryKey {
    /// A key no event ever has.
    pub(crate) const NONE: EntryKey = EntryKey {
        index: NIL,
        generation: 0,
    };
}

/// Where an event is and when it is due; kept apart from the payloads so that cascading
/// a slot touches only these 32-byte records.
#[derive(Clone, Copy)]
struct Entry {
    time: u64,
    seq: u64,
    /// In a near slot, the neighbours in its list; in a far slot, `prev` is the
    /// position in its array.
    prev: u32,
    next: u32,
    generation: u32,
    /// The slot (`heads`, then `far` from `NEAR` on), or `IN_DUE`, or `FREE`.
    place: u32,
}

/// A slab slot aligned to a cache line: the model's queued delivery (a 48-byte message
/// and the engine's 16 bytes) fills exactly one, where unaligned it straddled two, each
/// touched when it is pushed and popped.
#[derive(Clone)]
#[repr(align(64))]
struct Line<E>(Option<E>);

/// A priority queue of events keyed by `(time µs, insertion sequence)`.
///
/// A clone pops the same events in the same order, and takes the same keys.
#[derive(Clone)]
pub struct Queue<E> {
    entries: Vec<Entry>,
    events: Vec<Line<E>>,
    /// What the pusher said about each event, for looking ahead (see `push_tagged`);
    /// dense, so that reading one is cheap where the event's own line is cold.
    tags: Vec<u64>,
    free_head: u32,
    /// The event taken last guessed that this one pops next (`NIL`: none).
    hint: u32,
    /// And guessed that this one pops after it (`NIL`: none).
    after: u32,
    /// The near slots' list heads.
    heads: Vec<u32>,
    /// The far slots' events, `FAR_SLOTS` per level from the lowest.
    far: Vec<Vec<u32>>,
    near_occupied: Vec<u64>,
    /// Bit `w` set iff `near_occupied[w]` is not zero.
    near_summary: [u64; NEAR_WORDS / 64],
    /// Bit `g` set iff `near_summary[g]` is not zero: a sparse wheel (a small cell, a
    /// quiet spell) finds its next slot without scanning the summary.
    near_top: u64,
    far_occupied: [u64; FAR_LEVELS],
    /// The wheel's time: every event in the wheel is later, every event in `due` is at it.
    elapsed: u64,
    due: VecDeque<u32>,
    next_seq: u64,
    /// Events in the wheel (a slab index is a `u32`, so is their count). Narrower than
    /// `live`, so the compiler no longer pairs the two in one 16-byte update on pop,
    /// whose load could not be forwarded from the two 8-byte stores a push had left.
    in_wheel: u32,
    live: usize,
}

impl<E> Default for Queue<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E> Queue<E> {
    pub fn new() -> Queue<E> {
        Queue {
            entries: Vec::new(),
            events: Vec::new(),
            tags: Vec::new(),
            free_head: NIL,
            hint: NIL,
            after: NIL,
            heads: vec![NIL; NEAR],
            far: vec![Vec::new(); FAR_LEVELS * FAR_SLOTS],
            near_occupied: vec![0; NEAR_WORDS],
            near_summary: [0; NEAR_WORDS / 64],
            near_top: 0,
            far_occupied: [0; FAR_LEVELS],
            elapsed: 0,
            due: VecDeque::new(),
            next_seq: 0,
            in_wheel: 0,
            live: 0,
        }
    }

    /// Events queued and not cancelled.
    pub fn len(&self) -> usize {
        self.live
    }

    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    /// Queue `event` at `time` (µs). Events at equal times pop in push order.
    ///
    /// # Panics
    /// If `time` is earlier than an event already popped: scheduling into the past is a
    /// bug in the caller.
    #[inline(always)]
    pub fn push(&mut self, time: u64, event: E) -> EntryKey {
        self.push_tagged(time, UNTAGGED, event)
    }

    /// `push`, with a word the queue hands back (`hinted_tag`) when it guesses the event
    /// pops next: the engine tags an event with its node and timer, whose lines it then
    /// asks for a handler ahead.
    // Inlined with `alloc` and `link`: every send and timer pushes, and as calls they
    // copied the event once more and spilled registers on each.
    #[inline(always)]
    pub(crate) fn push_tagged(&mut self, time: u64, tag: u64, event: E) -> EntryKey {
        self.push_made(time, tag, || event)
    }

    /// `push_tagged` of the event `make` builds, built where it will lie (see `alloc`).
    #[inline(always)]
    pub(crate) fn push_made(&mut self, time: u64, tag: u64, make: impl FnOnce() -> E) -> EntryKey {
        assert!(
            time >= self.elapsed,
            "event scheduled into the past: {time} µs < {} µs",
            self.elapsed
        );
        let index = self.alloc(time, make);
        self.tags[index as usize] = tag;
        if time == self.elapsed {
            self.entries[index as usize].place = IN_DUE;
            self.due.push_back(index);
        } else {
            self.link(index);
        }
        self.live += 1;
        EntryKey {
            index,
            generation: self.entries[index as usize].generation,
        }
    }

    /// Remove a queued event and return it; `None` if it already popped or was cancelled.
    pub fn cancel(&mut self, key: EntryKey) -> Option<E> {
        let index = self.queued(key)?;
        let event = self.events[index as usize].0.take();
        self.forget(index);
        event
    }

    /// Remove a queued event and drop it where it lies; false if it already popped or was
    /// cancelled. Cheaper than `cancel` when the event is not wanted back.
    #[inline]
    pub fn discard(&mut self, key: EntryKey) -> bool {
        let Some(index) = self.queued(key) else {
            return false;
        };
        self.events[index as usize].0 = None;
        self.forget(index);
        true
    }

    /// The slab index of the event `key` names, if it is still queued.
    #[inline]
    fn queued(&self, key: EntryKey) -> Option<u32> {
        let entry = self.entries.get(key.index as usize)?;
        let queued = entry.generation == key.generation
            && entry.place != FREE
            && self.events[key.index as usize].0.is_some();
        queued.then_some(key.index)
    }

    /// Take the entry of an event just removed from the slab out of the wheel. In `due`
    /// it stays as an empty husk, skipped when popped.
    #[inline]
    fn forget(&mut self, index: u32) {
        if self.entries[index as usize].place != IN_DUE {
            self.unlink(index);
            self.release(index);
        }
        self.live -= 1;
    }

    /// Every queued event with its time, in the order `pop_until` would pop them, without
    /// popping. Sorting by `(time, seq)` is that order: `due` holds the events at the
    /// wheel's time in sequence order and every event in the wheel is later.
    pub fn iter_in_pop_order(&self) -> impl Iterator<Item = (u64, &E)> {
        let mut queued: Vec<(u64, u64, &E)> = self
            .entries
            .iter()
            .zip(self.events.iter().map(|line| &line.0))
            .filter_map(|(entry, event)| {
                let event = event.as_ref()?;
                debug_assert!(entry.place != FREE, "a freed slot holds an event");
                Some((entry.time, entry.seq, event))
            })
            .collect();
        assert_eq!(queued.len(), self.live, "live events miscounted");
        queued.sort_unstable_by_key(|&(time, seq, _)| (time, seq));
        queued.into_iter().map(|(time, _, event)| (time, event))
    }

    /// Every queued event with the tag it was pushed with, in slab order.
    #[cfg(test)]
    pub(crate) fn tagged(&self) -> impl Iterator<Item = (u64, &E)> {
        self.tags
            .iter()
            .zip(&self.events)
            .filter_map(|(&tag, line)| Some((tag, line.0.as_ref()?)))
    }

    /// Pop the earliest event if its time is at most `limit`.
    ///
    /// The wheel never advances past `limit`, so afterwards any time `>= limit` may
    /// still be pushed.
    pub fn pop_until(&mut self, limit: u64) -> Option<(u64, E)> {
        let (time, index) = self.pop_index_until(limit)?;
        Some((time, self.take(index)))
    }

    /// `pop_until` in two halves: the earliest event's time and its place in the slab,
    /// which the caller must `take` before anything else touches the queue. The engine
    /// moves the event out of the slab once, where a returned `Option<(u64, E)>` was
    /// copied through the stack at every level it was passed up.
    #[inline]
    pub(crate) fn pop_index_until(&mut self, limit: u64) -> Option<(u64, u32)> {
        loop {
            while let Some(index) = self.due.pop_front() {
                if self.events[index as usize].0.is_some() {
                    self.live -= 1;
                    return Some((self.elapsed, index));
                }
                self.release(index);
            }
            if self.in_wheel == 0 {
                return None;
            }
            if let Some(slot) = self.next_near() {
                let time = (self.elapsed & !(NEAR as u64 - 1)) | slot as u64;
                if time > limit {
                    return None;
                }
                self.elapsed = time;
                if self.entries[self.heads[slot] as usize].next == NIL {
                    // The only event at this microsecond: no need to sort through `due`.
                    return Some((time, self.unlink_alone(slot)));
                }
                self.spill(slot);
                continue;
            }
            let (level, slot) = self.next_far();
            let start = far_slot_start(self.elapsed, level, slot);
            if start > limit {
                return None;
            }
            let head = NEAR + level * FAR_SLOTS + slot;
            let events = &self.far[head - NEAR];
            if events.len() == 1 && self.entries[events[0] as usize].time <= limit {
                // The near wheel is empty and this is the earliest far slot, so its only
                // event is the earliest of all, alone at its microsecond (events at one
                // time share a slot): pop it without cascading it down first.
                self.elapsed = self.entries[events[0] as usize].time;
                return Some((self.elapsed, self.unlink_alone(head)));
            }
            self.elapsed = self.elapsed.max(start);
            self.spill(head);
        }
    }

    /// Move the event at `index`, just popped by `pop_index_until`, out of the slab.
    #[inline(always)]
    pub(crate) fn take(&mut self, index: u32) -> E {
        let event = self.events[index as usize].0.take().expect("live event");
        let second = self.free_head;
        self.release(index);
        if self.events.len() >= LOOK_AHEAD_FROM {
            self.prefetch_next(second);
        }
        event
    }
}

#[cfg(test)]
mod tests;
