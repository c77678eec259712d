//! The run's history as it streams: the engine's observer turns what nodes report into
//! checker and metric updates, keeping only what is still needed (operations in progress,
//! locks held, what the checkers summarise), never the whole history; with `--history`
//! it also writes every operation out for outside checkers. A single run may keep these
//! books on a thread of its own (`apart.rs`), fed in the same order.

mod apart;
mod books;
pub mod jsonl;
pub mod replay;

use crate::cell::msg::Output;
use crate::cell::{AfsNode, Who, who};
use crate::check::{FinalVolume, PerClient, Verdict};
use crate::metrics::lanes::Mark;
use crate::metrics::{MessageCounts, Metrics};
use apart::Apart;
pub use books::Checkers;
use books::{Books, Note, OpInfo};
pub use jsonl::HistoryLog;
use sim::{Fault, Instant, Message, Observer, Record};

/// What every record of a run feeds: the run's books, here or on a thread of their own,
/// and a tap that sees every record as it is made.
pub struct Recorder {
    servers: u32,
    /// Messages sent, if the books keep metrics (only then do messages concern them).
    messages: Option<MessageCounts>,
    books: Kept,
    /// Also told everything, if the run writes a trace or shows its progress.
    pub tap: Option<Box<dyn Observer<AfsNode> + Send>>,
}

/// Where a run's books are kept. One per run, so its size does not matter; books kept
/// here are read on every record, and boxed they would cost a load more each time.
#[allow(clippy::large_enum_variant)]
enum Kept {
    Here(Books),
    Apart(Apart),
}

/// A copy for a search that runs a state forward twice; its books are kept here.
impl Clone for Recorder {
    fn clone(&self) -> Recorder {
        assert!(self.tap.is_none(), "a run writing a trace is not copied");
        let Kept::Here(books) = &self.books else {
            panic!("a run whose books are kept apart is not copied");
        };
        Recorder {
            servers: self.servers,
            messages: self.messages.clone(),
            books: Kept::Here(books.clone()),
            tap: None,
        }
    }
}

/// The books' state (see `Books`' hash).
impl std::hash::Hash for Recorder {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        let Kept::Here(books) = &self.books else {
            panic!("a run whose books are kept apart has no state to hash here");
        };
        books.hash(h);
    }
}

/// What a finished run's books hold.
pub struct Closed {
    pub verdict: Verdict,
    pub metrics: Option<Metrics>,
    pub log: Option<HistoryLog>,
    pub tap: Option<Box<dyn Observer<AfsNode> + Send>>,
}

impl Recorder {
    /// A run's recorder for a cell of `(servers, clients, files)`; with `apart`, its
    /// books are kept on a thread of their own.
    pub fn new(
        (servers, clients, files): (u32, u32, u32),
        metrics: Option<Metrics>,
        log: Option<HistoryLog>,
        apart: bool,
    ) -> Recorder {
        let messages = metrics
            .as_ref()
            .map(|m| MessageCounts::new(m.end_of_workload()));
        let books = Books {
            servers,
            ops: PerClient::new(clients),
            checkers: Checkers::new(clients, files),
            metrics,
            log,
        };
        Recorder {
            servers,
            messages,
            books: match apart {
                true => Kept::Apart(Apart::new(books)),
                false => Kept::Here(books),
            },
            tap: None,
        }
    }

    /// A fault took the master's majority away at `at`: a recovery begins.
    pub fn master_deposed(&mut self, label: String, at: Instant) {
        self.feed(at, Note::Deposed(label));
    }

    #[inline(always)]
    fn feed(&mut self, now: Instant, note: Note) {
        match &mut self.books {
            Kept::Here(books) => books.note(now, note),
            Kept::Apart(apart) => apart.push(now, note),
        }
    }

    /// The end of the run: every checker's verdict, and what the books measured.
    pub fn finish(self, volume: &FinalVolume, end: Instant) -> Closed {
        let mut books = match self.books {
            Kept::Here(books) => books,
            Kept::Apart(apart) => apart.join(),
        };
        if let (Some(m), Some(counts)) = (books.metrics.as_mut(), &self.messages) {
            m.add_messages(counts);
        }
        Closed {
            verdict: books.finish(volume, end),
            metrics: books.metrics,
            log: books.log,
            tap: self.tap,
        }
    }
}

impl Observer<AfsNode> for Recorder {
    /// Always inlined: at each of the engine's call sites the kind of record is known,
    /// so this match folds away and only that kind's work is left.
    #[inline(always)]
    fn record(&mut self, now: Instant, record: Record<'_, AfsNode>) {
        match &record {
            Record::Sent { from, msg, .. } if self.messages.is_some() => {
                if let Some(counts) = self.messages.as_mut() {
                    counts.sent(now, msg.kind());
                }
                if let (Some(mark), Who::Client(client)) =
                    (Mark::of_sent(msg), who(*from, self.servers))
                {
                    self.feed(now, Note::Marked { client, mark });
                }
            }
            Record::Delivered { to, msg, .. } if self.messages.is_some() => {
                if let (Some(mark), Who::Client(client)) =
                    (Mark::of_delivered(msg), who(*to, self.servers))
                {
                    self.feed(now, Note::Marked { client, mark });
                }
            }
            // The one note made often: books kept here read the report where it lies.
            Record::Output { node, output } => match &mut self.books {
                Kept::Here(books) => books.output(*node, output, now),
                Kept::Apart(apart) => {
                    let (node, output) = (*node, Output::clone(output));
                    apart.push(now, Note::Output { node, output });
                }
            },
            Record::Fault {
                fault: Fault::Crash(node),
                effective: true,
            } => self.feed(now, Note::Crashed(*node)),
            _ => {}
        }
        if let Some(tap) = self.tap.as_mut() {
            tap.record(now, record);
        }
    }
}

#[cfg(test)]
mod tests;
