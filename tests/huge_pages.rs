//! The program's allocator puts large blocks and the growing heap on huge pages: checked
//! in the process's own memory map, with the allocator installed as the program installs
//! it. Runs without the test harness, so that its blocks come from the main thread's
//! heap, as the simulation's do.

use afsim::huge_pages::{HUGE_PAGE, HugePages};

#[global_allocator]
static ALLOCATOR: HugePages = HugePages;

/// A mapping of the process: its address range, name and flags.
struct Mapping {
    range: std::ops::Range<usize>,
    name: String,
    flags: Vec<String>,
}

fn mappings() -> Vec<Mapping> {
    let smaps = std::fs::read_to_string("/proc/self/smaps").expect("/proc/self/smaps");
    let mut found: Vec<Mapping> = Vec::new();
    for line in smaps.lines() {
        let mut words = line.split_whitespace();
        let first = words.next().unwrap_or("");
        if let Some((low, high)) = first.split_once('-')
            && let (Ok(low), Ok(high)) = (
                usize::from_str_radix(low, 16),
                usize::from_str_radix(high, 16),
            )
        {
            let name = words.nth(4).unwrap_or("").to_owned();
            found.push(Mapping {
                range: low..high,
                name,
                flags: Vec::new(),
            });
        } else if let Some(rest) = line.strip_prefix("VmFlags:")
            && let Some(last) = found.last_mut()
        {
            last.flags = rest.split_whitespace().map(str::to_owned).collect();
        }
    }
    found
}

fn advised(mapping: &Mapping) -> bool {
    mapping.flags.iter().any(|f| f == "hg")
}

/// A block of 2 MiB or more lies on its own huge-page-aligned mapping, advised.
fn large_blocks_are_aligned_and_advised() {
    let mut block = vec![1u8; 3 * HUGE_PAGE];
    let at = block.as_ptr() as usize;
    assert_eq!(at % HUGE_PAGE, 0, "a large block starts on a huge page");
    let map = mappings();
    let mapping = map
        .iter()
        .find(|m| m.range.contains(&at))
        .expect("the block is mapped");
    assert!(
        advised(mapping),
        "its mapping is advised: {:?}",
        mapping.flags
    );
    assert!(mapping.range.end >= at + block.len());

    // Growing it past its mapping moves it to a larger one, contents kept.
    block.resize(5 * HUGE_PAGE, 2);
    assert_eq!(block.as_ptr() as usize % HUGE_PAGE, 0);
    assert!(block[..3 * HUGE_PAGE].iter().all(|&b| b == 1));
    assert!(block[3 * HUGE_PAGE..].iter().all(|&b| b == 2));
    // And shrinking it to a small block hands it back to the system allocator.
    block.truncate(100);
    block.shrink_to_fit();
    assert!(block.iter().all(|&b| b == 1));
}

/// Small blocks come from a heap whose growth is advised as it grows.
#[cfg(target_env = "gnu")]
fn the_heap_is_advised_as_it_grows() {
    // Many small blocks, as a large cell's clients and tables make: 64 MiB of them.
    let blocks: Vec<Box<[u64; 64]>> = (0..131_072).map(|i| Box::new([i; 64])).collect();
    let heap: Vec<Mapping> = mappings()
        .into_iter()
        .filter(|m| m.name == "[heap]")
        .collect();
    let (all, hinted) = heap.iter().fold((0, 0), |(all, hinted), m| {
        let size = m.range.len();
        (all + size, hinted + if advised(m) { size } else { 0 })
    });
    assert!(
        hinted * 4 >= all * 3,
        "at least three quarters of the heap is advised: {hinted} of {all} bytes"
    );
    assert!(blocks.iter().enumerate().all(|(i, b)| b[63] == i as u64));
}

fn main() {
    if !std::path::Path::new("/sys/kernel/mm/transparent_hugepage/enabled").exists() {
        println!("no transparent huge pages on this system: nothing to check");
        return;
    }
    large_blocks_are_aligned_and_advised();
    println!("test large_blocks_are_aligned_and_advised ... ok");
    #[cfg(target_env = "gnu")]
    {
        the_heap_is_advised_as_it_grows();
        println!("test the_heap_is_advised_as_it_grows ... ok");
    }
}
