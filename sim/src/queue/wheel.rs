//! The wheel's geometry: which slot an event's time files it in, and the occupancy
//! bitmaps that find the next busy slot without scanning the slots themselves.

use super::{FAR_BITS, FAR_LEVELS, FAR_SLOTS, NEAR, NEAR_BITS, Queue};

impl<E> Queue<E> {
    /// The first occupied near slot at or after the wheel's time.
    #[inline(always)]
    pub(super) fn next_near(&self) -> Option<usize> {
        self.next_near_from(self.elapsed as usize % NEAR)
    }

    /// The first occupied near slot at or after `position` (at most `NEAR`: none).
    #[inline(always)]
    pub(super) fn next_near_from(&self, position: usize) -> Option<usize> {
        if position >= NEAR {
            return None;
        }
        let word = position / 64;
        let here = self.near_occupied[word] & (u64::MAX << (position % 64));
        if here != 0 {
            return Some(word * 64 + here.trailing_zeros() as usize);
        }
        let group = word / 64;
        let words = self.near_summary[group] & above(word % 64);
        let w = if words != 0 {
            group * 64 + words.trailing_zeros() as usize
        } else {
            let groups = self.near_top & above(group);
            if groups == 0 {
                return None;
            }
            let g = groups.trailing_zeros() as usize;
            g * 64 + self.near_summary[g].trailing_zeros() as usize
        };
        Some(w * 64 + self.near_occupied[w].trailing_zeros() as usize)
    }

    /// The earliest occupied far slot at or after the wheel's time, lowest level first.
    pub(super) fn next_far(&self) -> (usize, usize) {
        for level in 0..FAR_LEVELS {
            let position = (self.elapsed >> far_shift(level)) as usize % FAR_SLOTS;
            let ahead = self.far_occupied[level] & (u64::MAX << position);
            if ahead != 0 {
                return (level, ahead.trailing_zeros() as usize);
            }
        }
        unreachable!("in_wheel > 0 but no slot is occupied")
    }

    /// Whether near slot `head` holds a list.
    #[inline(always)]
    pub(super) fn near_is_occupied(&self, head: usize) -> bool {
        self.near_occupied[head / 64] & 1 << (head % 64) != 0
    }

    pub(super) fn set_occupied(&mut self, head: usize, occupied: bool) {
        if head >= NEAR {
            let (level, mask) = (
                (head - NEAR) / FAR_SLOTS,
                1u64 << ((head - NEAR) % FAR_SLOTS),
            );
            if occupied {
                self.far_occupied[level] |= mask;
            } else {
                self.far_occupied[level] &= !mask;
            }
            return;
        }
        let (w, mask) = (head / 64, 1u64 << (head % 64));
        let (group, word_mask) = (w / 64, 1u64 << (w % 64));
        if occupied {
            self.near_occupied[w] |= mask;
            self.near_summary[group] |= word_mask;
            self.near_top |= 1 << group;
        } else {
            self.near_occupied[w] &= !mask;
            if self.near_occupied[w] == 0 {
                self.near_summary[group] &= !word_mask;
                if self.near_summary[group] == 0 {
                    self.near_top &= !(1 << group);
                }
            }
        }
    }
}

/// The bits of a word strictly above bit `bit` (`bit` < 64).
fn above(bit: usize) -> u64 {
    u64::MAX.checked_shl(bit as u32 + 1).unwrap_or(0)
}

fn far_shift(level: usize) -> u32 {
    NEAR_BITS + level as u32 * FAR_BITS
}

/// The slot (`heads`, then `far` from `NEAR` on) for `time`, later than `elapsed`: near
/// if the two differ only in the low 16 bits, else the far level holding the highest
/// differing bit.
pub(super) fn slot_of(elapsed: u64, time: u64) -> usize {
    let highest = 63 - ((elapsed ^ time) | (NEAR as u64 - 1)).leading_zeros();
    if highest < NEAR_BITS {
        return time as usize % NEAR;
    }
    let level = ((highest - NEAR_BITS) / FAR_BITS) as usize;
    NEAR + level * FAR_SLOTS + (time >> far_shift(level)) as usize % FAR_SLOTS
}

/// The first microsecond covered by far `slot` of `level`, in the block holding `elapsed`.
pub(super) fn far_slot_start(elapsed: u64, level: usize, slot: usize) -> u64 {
    let shift = far_shift(level);
    let block = shift + FAR_BITS;
    let base = if block >= 64 {
        0
    } else {
        elapsed >> block << block
    };
    base | ((slot as u64) << shift)
}
