//! The program's allocator: the system's, with the memory of a large cell on transparent
//! huge pages (2 MiB) where Linux leaves that to the program (its usual `madvise`
//! setting).
//!
//! A large cell's state spans tens to hundreds of MiB: the node slots, the event queue's
//! slab and tags and the timer slots in a few large blocks; the clients' caches and the
//! servers' per-client tables in many small ones. Every event touches a few of them at
//! random, and on 4 KiB pages nearly each touch also misses the TLB and walks the page
//! tables, a miss on top of the miss. On 2 MiB pages the TLB covers them. Huge pages must
//! be asked for before memory is first touched, which the system allocator does not do,
//! so:
//!
//! - a block of 2 MiB or more is mapped here on its own, aligned to 2 MiB, and advised
//!   before it is handed out (the system allocator would write its header on the first
//!   page, touched before any advice, and start it off a huge-page boundary);
//! - with glibc, the heap that holds the small blocks grows 32 MiB ahead of its needs,
//!   and each time it has grown, the new part is advised before anything is carved from
//!   it (only the first huge page of each step, which holds the block that made it grow,
//!   stays on small pages).
//!
//! Only where memory lies changes, never what the program computes.

use std::alloc::{GlobalAlloc, Layout, System};

/// The size of a transparent huge page on x86-64 (and aarch64 with 4 KiB pages). A block
/// smaller than this is the system allocator's.
pub const HUGE_PAGE: usize = 2 << 20;

/// The system allocator, with blocks of `HUGE_PAGE` and more mapped here, and the heap
/// advised as it grows.
pub struct HugePages;

/// Whether a block of `layout` is mapped here rather than by the system allocator.
fn mapped_here(layout: Layout) -> bool {
    cfg!(target_os = "linux") && layout.size() >= HUGE_PAGE && layout.align() <= HUGE_PAGE
}

// SAFETY: a block is mapped here exactly when `mapped_here` says so of its layout, which
// `dealloc` and `realloc` are given unchanged, so each block goes back where it came from.
unsafe impl GlobalAlloc for HugePages {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if mapped_here(layout) {
            return map(layout.size());
        }
        // SAFETY: the caller upholds `alloc`'s contract, which `System` shares.
        let block = unsafe { System.alloc(layout) };
        heap::advise_growth();
        block
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if mapped_here(layout) {
            return map(layout.size()); // a fresh mapping reads as zeros
        }
        // SAFETY: as for `alloc`.
        let block = unsafe { System.alloc_zeroed(layout) };
        heap::advise_growth();
        block
    }

    unsafe fn dealloc(&self, block: *mut u8, layout: Layout) {
        if mapped_here(layout) {
            return unmap(block, layout.size());
        }
        // SAFETY: `block` came from `System` with this layout (`mapped_here` said no).
        unsafe { System.dealloc(block, layout) }
    }

    unsafe fn realloc(&self, block: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller guarantees `new_size`, rounded up to `layout.align()`, does
        // not overflow `isize`.
        let new = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        match (mapped_here(layout), mapped_here(new)) {
            (false, false) => {
                // SAFETY: as for `dealloc`; the caller upholds `realloc`'s contract.
                let block = unsafe { System.realloc(block, layout, new_size) };
                heap::advise_growth();
                return block;
            }
            // The block's mapping already holds the new size (and `dealloc`, given it,
            // finds the same mapping): nothing to move.
            (true, true) if mapped_length(layout.size()) == mapped_length(new_size) => {
                return block;
            }
            _ => {}
        }
        // SAFETY: `new` has a non-zero size (a block of either layout is large).
        let moved = unsafe { self.alloc(new) };
        if !moved.is_null() {
            // SAFETY: both blocks are live, distinct, and at least this long.
            unsafe {
                std::ptr::copy_nonoverlapping(block, moved, layout.size().min(new_size));
                self.dealloc(block, layout);
            }
        }
        moved
    }
}

/// The length of the mapping `map` makes for a block of `size` bytes: whole huge pages.
fn mapped_length(size: usize) -> Option<usize> {
    size.checked_next_multiple_of(HUGE_PAGE)
}

/// The whole huge pages inside the `size` bytes at `block`, as (start, length); none
/// for a block too small or misplaced to hold one.
fn whole_huge_pages(block: usize, size: usize) -> Option<(usize, usize)> {
    let start = block.checked_next_multiple_of(HUGE_PAGE)?;
    let end = block.checked_add(size)? / HUGE_PAGE * HUGE_PAGE;
    (end > start).then(|| (start, end - start))
}

/// A fresh mapping of `size` bytes (rounded up to whole huge pages) starting on a huge
/// page, advised to huge pages; null if the system has no memory for it.
#[cfg(target_os = "linux")]
fn map(size: usize) -> *mut u8 {
    use libc::{MAP_ANONYMOUS, MAP_FAILED, MAP_PRIVATE, PROT_READ, PROT_WRITE, c_void};
    let Some(length) = mapped_length(size) else {
        return std::ptr::null_mut();
    };
    let Some(padded) = length.checked_add(HUGE_PAGE) else {
        return std::ptr::null_mut();
    };
    let flags = MAP_PRIVATE | MAP_ANONYMOUS;
    // SAFETY: a new anonymous mapping aliases nothing.
    let at = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            padded,
            PROT_READ | PROT_WRITE,
            flags,
            -1,
            0,
        )
    };
    if at == MAP_FAILED {
        return std::ptr::null_mut();
    }
    // Keep the huge pages inside the padded mapping; give back what lies around them.
    let (start, _) = whole_huge_pages(at as usize, padded).expect("a padded mapping holds one");
    let (head, tail) = (start - at as usize, padded - (start - at as usize) - length);
    // SAFETY: the head and tail are parts of the mapping just made that nothing uses;
    // the advice changes how the block is backed, never what it holds.
    unsafe {
        if head > 0 {
            libc::munmap(at, head);
        }
        if tail > 0 {
            libc::munmap((start + length) as *mut c_void, tail);
        }
        libc::madvise(start as *mut c_void, length, libc::MADV_HUGEPAGE);
    }
    start as *mut u8
}

/// Give back a block `map` made for `size` bytes.
#[cfg(target_os = "linux")]
fn unmap(block: *mut u8, size: usize) {
    let length = mapped_length(size).expect("`map` made a mapping of this length");
    // SAFETY: the block is the whole of a mapping `map` made for this size, and its
    // owner is done with it.
    unsafe { libc::munmap(block.cast(), length) };
}

/// The heap of glibc's main arena, where the small blocks of the thread running the
/// simulation lie.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
mod heap {
    use super::{HUGE_PAGE, whole_huge_pages};
    use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

    // glibc's, not bound by the `libc` crate on Linux. `sbrk(0)` reads the break glibc
    // keeps, without a system call.
    unsafe extern "C" {
        fn sbrk(increment: libc::intptr_t) -> *mut libc::c_void;
    }

    /// How far ahead of its needs the heap grows: of each step, all but the first huge
    /// page is advised before it is touched.
    const TOP_PAD: usize = 32 << 20;

    /// The heap's end when last looked at (0: never).
    static BREAK: AtomicUsize = AtomicUsize::new(0);

    /// If the heap has grown since last looked at, advise the new part to huge pages.
    /// The first look sets glibc's allocator up: it maps no block itself from
    /// `HUGE_PAGE` on (those are mapped here), rather than raising that line as blocks
    /// are freed, up to 32 MiB, and putting blocks that large on the heap; it grows the
    /// heap `TOP_PAD` at a time and keeps that much when it trims it.
    #[inline]
    pub(super) fn advise_growth() {
        // SAFETY: `sbrk(0)` only reads the current break.
        let now = unsafe { sbrk(0) } as usize;
        // Read before written: the threads of `check` and `sweep` share this line, and
        // a swap on every allocation bounced it between them (3% of `check`'s time).
        // Two threads that both see the heap grow both give the same advice.
        let before = BREAK.load(Relaxed);
        if now == before {
            return;
        }
        BREAK.store(now, Relaxed);
        if now < before {
            return;
        }
        if before == 0 {
            // SAFETY: `mallopt` only sets glibc's parameters; blocks already handed out
            // are unaffected.
            unsafe {
                libc::mallopt(libc::M_MMAP_THRESHOLD, HUGE_PAGE as libc::c_int);
                libc::mallopt(libc::M_TOP_PAD, TOP_PAD as libc::c_int);
                libc::mallopt(libc::M_TRIM_THRESHOLD, 2 * TOP_PAD as libc::c_int);
            }
            return;
        }
        if let Some((start, length)) = whole_huge_pages(before, now - before) {
            // SAFETY: the range is part of the heap, mapped; the advice changes how its
            // pages are backed, never their contents.
            unsafe { libc::madvise(start as *mut libc::c_void, length, libc::MADV_HUGEPAGE) };
        }
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
mod heap {
    /// Elsewhere the heap is the system's own affair.
    pub(super) fn advise_growth() {}
}

#[cfg(not(target_os = "linux"))]
fn map(_: usize) -> *mut u8 {
    unreachable!("only Linux maps blocks here")
}

#[cfg(not(target_os = "linux"))]
fn unmap(_: *mut u8, _: usize) {
    unreachable!("only Linux maps blocks here")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_whole_aligned_huge_pages_are_advised() {
        let h = HUGE_PAGE;
        assert_eq!(whole_huge_pages(0, h), Some((0, h)));
        assert_eq!(whole_huge_pages(h, 3 * h), Some((h, 3 * h)));
        assert_eq!(whole_huge_pages(16, 3 * h), Some((h, 2 * h)));
        assert_eq!(whole_huge_pages(16, 2 * h), Some((h, h)));
        assert_eq!(whole_huge_pages(16, h), None);
        assert_eq!(whole_huge_pages(h - 16, h + 16), Some((h, h)));
        assert_eq!(whole_huge_pages(4096, h), None);
        assert_eq!(whole_huge_pages(usize::MAX - 16, 8), None);
    }

    /// A block allocated, grown and written through the allocator keeps its contents,
    /// and stays where it is while its mapping holds it.
    #[test]
    fn blocks_keep_their_contents_through_growth() {
        let alloc = HugePages;
        let small = Layout::from_size_align(64, 8).unwrap();
        // SAFETY: each pointer is used within its layout and freed once with it.
        unsafe {
            let block = alloc.alloc(small);
            assert!(!block.is_null());
            block.write_bytes(7, 64);
            let grown = alloc.realloc(block, small, 3 * HUGE_PAGE);
            assert!(!grown.is_null());
            assert!((0..64).all(|i| *grown.add(i) == 7));
            grown.add(2 * HUGE_PAGE).write(9);
            let large = Layout::from_size_align(3 * HUGE_PAGE, 8).unwrap();
            // Within its mapping's whole huge pages a large block stays where it is.
            let within = alloc.realloc(grown, large, 2 * HUGE_PAGE + 1);
            assert_eq!(within, grown, "its mapping holds it");
            assert_eq!(*within.add(2 * HUGE_PAGE), 9);
            let within_layout = Layout::from_size_align(2 * HUGE_PAGE + 1, 8).unwrap();
            let moved = alloc.realloc(within, within_layout, 3 * HUGE_PAGE + 1);
            assert!(!moved.is_null());
            assert!((0..64).all(|i| *moved.add(i) == 7));
            assert_eq!(*moved.add(2 * HUGE_PAGE), 9);
            let moved_layout = Layout::from_size_align(3 * HUGE_PAGE + 1, 8).unwrap();
            alloc.dealloc(moved, moved_layout);

            let zeroed = alloc.alloc_zeroed(large);
            assert!(!zeroed.is_null());
            assert!(
                (0..3 * HUGE_PAGE)
                    .step_by(4093)
                    .all(|i| *zeroed.add(i) == 0)
            );
            zeroed.write_bytes(5, 64);
            let shrunk = alloc.realloc(zeroed, large, 64);
            assert!(!shrunk.is_null());
            assert!((0..64).all(|i| *shrunk.add(i) == 5));
            alloc.dealloc(shrunk, small);
        }
    }
}
