//! A run's books kept on a thread of their own. The simulation stays on one thread and
//! decides everything; the books (checkers, metrics, history log) only take notes of
//! what it did, so another thread can take them, in the same order, while the run goes
//! on. On a machine with a core to spare a single run (`afsim run`, `afsim bench`) is
//! then faster by what the books cost it (a tenth to a sixth of a large cell's time,
//! most of it cache lines they took from the model; nothing on a small cell, whose books
//! share the caches with it), and its results are the same: the books see the same
//! notes in the same order. Commands that already run one simulation per core (`check`,
//! `sweep`, `explore`) keep their books on the run's thread.

use super::{Books, Note};
use sim::Instant;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::JoinHandle;

/// Notes handed over at once: enough that handing over costs little per note, few
/// enough (192 KiB) that a batch is still in the caches when it is emptied.
const BATCH: usize = 4096;
/// Batches on their way at most: a run whose books fall this far behind waits.
const IN_FLIGHT: usize = 4;

type Batch = Vec<(Instant, Note)>;

/// The run's end of the books' thread.
pub(super) struct Apart {
    batch: Batch,
    /// `None` once the thread was told there is nothing more.
    to_books: Option<SyncSender<Batch>>,
    /// Batches the books' thread emptied, to fill again.
    emptied: Receiver<Batch>,
    books: Option<JoinHandle<Books>>,
}

impl Apart {
    pub(super) fn new(mut books: Books) -> Apart {
        let (to_books, notes) = sync_channel::<Batch>(IN_FLIGHT);
        let (back, emptied) = sync_channel::<Batch>(IN_FLIGHT + 2);
        let keeper = std::thread::Builder::new()
            .name("books".into())
            .spawn(move || {
                for mut batch in notes {
                    for (now, note) in batch.drain(..) {
                        books.note(now, note);
                    }
                    // Full only if the run stopped taking batches back: drop this one.
                    let _ = back.try_send(batch);
                }
                books
            })
            .expect("a thread for the run's books");
        Apart {
            batch: Vec::with_capacity(BATCH),
            to_books: Some(to_books),
            emptied,
            books: Some(keeper),
        }
    }

    /// Out of line: only a run kept apart calls it, and every record's call site would
    /// otherwise carry it.
    #[inline(never)]
    pub(super) fn push(&mut self, now: Instant, note: Note) {
        self.batch.push((now, note));
        if self.batch.len() == BATCH {
            self.hand_over();
        }
    }

    #[inline(never)]
    fn hand_over(&mut self) {
        let next = self
            .emptied
            .try_recv()
            .unwrap_or_else(|_| Vec::with_capacity(BATCH));
        let batch = std::mem::replace(&mut self.batch, next);
        let to_books = self.to_books.as_ref().expect("open until joined");
        if to_books.send(batch).is_err() {
            // The books' thread is gone: it panicked, and so does the run.
            self.wait();
            unreachable!("the books' thread ended before it was told to");
        }
    }

    /// Hand over the notes left, let the books take every one, and return them.
    pub(super) fn join(mut self) -> Books {
        if !self.batch.is_empty() {
            self.hand_over();
        }
        self.to_books = None;
        self.wait()
    }

    /// Wait for the books' thread to end; its panic, if it had one, is the run's.
    fn wait(&mut self) -> Books {
        let keeper = self.books.take().expect("waited for once");
        match keeper.join() {
            Ok(books) => books,
            Err(panic) => std::panic::resume_unwind(panic),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Note, Recorder};
    use crate::cell::msg::Output;
    use crate::cell::volume::Volume;
    use crate::check::FinalVolume;
    use sim::{Instant, NodeId};

    /// A note the books cannot take (a server's report from a client) stops the run
    /// with the books' panic, rather than ending it with a verdict of the notes before.
    #[test]
    #[should_panic(expected = "server report MasterEnd from a client")]
    fn a_panic_in_the_books_is_the_run_s() {
        let mut recorder = Recorder::new((1, 1, 1), None, None, true);
        let output = Output::MasterEnd;
        recorder.feed(
            Instant::ZERO,
            Note::Output {
                node: NodeId(1),
                output,
            },
        );
        let volume = FinalVolume::of("fs0".into(), &Volume::new(1));
        recorder.finish(&volume, Instant::ZERO);
    }
}
