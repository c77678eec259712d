//! Filing events: the slab's free list, the near slots' linked lists and the far slots'
//! arrays, and the cascade that moves a slot's events down when the wheel reaches it.

use super::wheel::slot_of;
use super::{Entry, FREE, IN_DUE, Line, NEAR, NIL, Queue, SPILL_AHEAD, UNTAGGED};
use crate::prefetch;

impl<E> Queue<E> {
    /// Unlink the only event of slot `head`; its slab index.
    #[inline(always)]
    pub(super) fn unlink_alone(&mut self, head: usize) -> u32 {
        let index = if head < NEAR {
            let index = self.heads[head];
            debug_assert_eq!(self.entries[index as usize].next, NIL, "not alone");
            self.heads[head] = NIL;
            index
        } else {
            let events = &mut self.far[head - NEAR];
            debug_assert_eq!(events.len(), 1, "not alone");
            events.pop().expect("an event")
        };
        self.set_occupied(head, false);
        self.in_wheel -= 1;
        self.live -= 1;
        index
    }

    /// Move every event of one slot to `due` (those at `elapsed`) or to a nearer slot.
    pub(super) fn spill(&mut self, head: usize) {
        self.set_occupied(head, false);
        if head < NEAR {
            let mut index = self.heads[head];
            self.heads[head] = NIL;
            while index != NIL {
                let next = self.entries[index as usize].next;
                self.refile(index);
                index = next;
            }
        } else {
            // Every event of a far slot moves to a lower level (it now shares the bits
            // of this slot with the wheel's time), never back into this array.
            let mut events = std::mem::take(&mut self.far[head - NEAR]);
            for (i, &index) in events.iter().enumerate() {
                if let Some(&ahead) = events.get(i + SPILL_AHEAD) {
                    prefetch(&self.entries[ahead as usize]);
                }
                self.refile(index);
            }
            events.clear();
            self.far[head - NEAR] = events;
        }
        if self.due.len() > 1 {
            let entries = &self.entries;
            self.due
                .make_contiguous()
                .sort_unstable_by_key(|&i| entries[i as usize].seq);
        }
    }

    /// File an event taken out of a spilled slot again: in `due` if it is at `elapsed`.
    #[inline(always)]
    fn refile(&mut self, index: u32) {
        self.in_wheel -= 1;
        if self.entries[index as usize].time == self.elapsed {
            self.entries[index as usize].place = IN_DUE;
            self.due.push_back(index);
        } else {
            self.link(index);
        }
    }

    /// A free slab index holding the event `make` builds, at `time`. The event is built
    /// in its line rather than passed in: built first, it sat on the stack in fields
    /// stored one by one, and the line's copy read them back wider than they were
    /// stored, which the processor cannot forward (a fifth of the effects' samples).
    #[inline(always)]
    pub(super) fn alloc(&mut self, time: u64, make: impl FnOnce() -> E) -> u32 {
        let seq = self.next_seq;
        self.next_seq += 1;
        if self.free_head != NIL {
            let index = self.free_head;
            let entry = &mut self.entries[index as usize];
            self.free_head = entry.next;
            entry.time = time;
            entry.seq = seq;
            let line = &mut self.events[index as usize].0;
            assert!(line.is_none(), "a free line holds no event");
            *line = Some(make());
            index
        } else {
            let index = u32::try_from(self.entries.len())
                .ok()
                .filter(|&i| i < IN_DUE)
                .expect("more than 4 billion queued events");
            self.entries.push(Entry {
                time,
                seq,
                prev: NIL,
                next: NIL,
                generation: 0,
                place: FREE,
            });
            self.events.push(Line(Some(make())));
            self.tags.push(UNTAGGED);
            index
        }
    }

    pub(super) fn release(&mut self, index: u32) {
        let entry = &mut self.entries[index as usize];
        entry.generation = entry.generation.wrapping_add(1);
        entry.place = FREE;
        entry.next = self.free_head;
        self.free_head = index;
    }

    #[inline(always)]
    pub(super) fn link(&mut self, index: u32) {
        let head = slot_of(self.elapsed, self.entries[index as usize].time);
        self.in_wheel += 1;
        if head >= NEAR {
            let events = &mut self.far[head - NEAR];
            let entry = &mut self.entries[index as usize];
            entry.place = head as u32;
            entry.prev = events.len() as u32;
            events.push(index);
            if events.len() == 1 {
                self.set_occupied(head, true);
            }
            return;
        }
        // The occupancy bit says whether the slot has a list, so an empty slot's head
        // is written without being read: a load of it missed on most sends and timers
        // (the heads span 256 KiB, one line per 16 µs), where a store does not wait.
        let old = if self.near_is_occupied(head) {
            self.heads[head]
        } else {
            self.set_occupied(head, true);
            NIL
        };
        let entry = &mut self.entries[index as usize];
        entry.place = head as u32;
        entry.prev = NIL;
        entry.next = old;
        if old != NIL {
            self.entries[old as usize].prev = index;
        }
        self.heads[head] = index;
    }

    pub(super) fn unlink(&mut self, index: u32) {
        let Entry {
            prev, next, place, ..
        } = self.entries[index as usize];
        let head = place as usize;
        self.in_wheel -= 1;
        if head >= NEAR {
            let events = &mut self.far[head - NEAR];
            events.swap_remove(prev as usize);
            if let Some(&moved) = events.get(prev as usize) {
                self.entries[moved as usize].prev = prev;
            } else if events.is_empty() {
                self.set_occupied(head, false);
            }
            return;
        }
        if prev != NIL {
            self.entries[prev as usize].next = next;
        } else {
            self.heads[head] = next;
            if next == NIL {
                self.set_occupied(head, false);
            }
        }
        if next != NIL {
            self.entries[next as usize].prev = prev;
        }
    }
}
