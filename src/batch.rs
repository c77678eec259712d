//! Many independent runs on worker threads, for commands that run a scenario over many
//! seeds or settings (`sweep`, `check`).
//!
//! Each run is single-threaded and deterministic, so parallelism is only across runs:
//! workers take the next job from a shared counter and results are put back in job
//! order, so what a command computes from them never depends on `--jobs`. A failure
//! stops workers from starting later jobs; the error returned is that of the earliest
//! failing job, which is also the same whatever the number of workers (every job before
//! it was handed out, hence run, before it).

use indicatif::ProgressBar;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The default for `--jobs`: the machine's cores.
pub fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Runs `work` on every job with up to `threads` workers; returns the results in job
/// order, or the error of the earliest failing job. `bar` advances once per job.
pub fn run<J, R, E, F>(jobs: &[J], threads: usize, bar: &ProgressBar, work: F) -> Result<Vec<R>, E>
where
    J: Sync,
    R: Send,
    E: Send,
    F: Fn(&J) -> Result<R, E> + Sync,
{
    let slots: Vec<Mutex<Option<Result<R, E>>>> = jobs.iter().map(|_| Mutex::new(None)).collect();
    let next = AtomicUsize::new(0);
    let first_failure = AtomicUsize::new(usize::MAX);
    let worker = || {
        loop {
            let i = next.fetch_add(1, Ordering::SeqCst);
            if i >= jobs.len() || i > first_failure.load(Ordering::SeqCst) {
                return;
            }
            let result = work(&jobs[i]);
            if result.is_err() {
                first_failure.fetch_min(i, Ordering::SeqCst);
            }
            *slots[i].lock().expect("no worker panicked holding a slot") = Some(result);
            bar.inc(1);
        }
    };
    let threads = threads.clamp(1, jobs.len().max(1));
    if threads == 1 {
        worker();
    } else {
        std::thread::scope(|s| {
            for _ in 0..threads {
                s.spawn(worker);
            }
        });
    }
    bar.finish_and_clear();
    let mut out = Vec::with_capacity(jobs.len());
    for slot in slots {
        match slot
            .into_inner()
            .expect("no worker panicked holding a slot")
        {
            Some(Ok(r)) => out.push(r),
            Some(Err(e)) => return Err(e),
            None => unreachable!("every job before the first failure ran"),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_back_in_job_order_whatever_the_workers() {
        let jobs: Vec<u64> = (0..200).collect();
        let work = |&j: &u64| -> Result<u64, String> {
            // Uneven work, so workers finish out of order.
            let spin = (j * 7919) % 5000;
            Ok((0..spin).fold(j, |acc, k| acc.wrapping_mul(31).wrapping_add(k)))
        };
        let one = run(&jobs, 1, &ProgressBar::hidden(), work).unwrap();
        for threads in [2, 3, 8] {
            assert_eq!(
                run(&jobs, threads, &ProgressBar::hidden(), work).unwrap(),
                one
            );
        }
    }

    #[test]
    fn the_earliest_failure_is_reported_whatever_the_workers() {
        let jobs: Vec<u32> = (0..100).collect();
        let work = |&j: &u32| if j % 30 == 17 { Err(j) } else { Ok(j) };
        for threads in [1, 2, 4, 16] {
            assert_eq!(run(&jobs, threads, &ProgressBar::hidden(), work), Err(17));
        }
        let none: Vec<u32> = Vec::new();
        assert_eq!(run(&none, 4, &ProgressBar::hidden(), work), Ok(vec![]));
    }
}
