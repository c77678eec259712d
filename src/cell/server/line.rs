//! A file's line at the master: the requests waiting while the file is busy, first come
//! first served, where a client's retry takes its earlier request's place (Rx sees a
//! retransmission, not a new call), so a slow file never queues up duplicates that
//! clients have long given up on.
//!
//! A popular file can have thousands waiting (a write to the most popular of 100,000
//! files waits for thousands of callback holders while every other client retries), so
//! a retry finds its earlier request through an index, not by walking the line.

use crate::cell::ids::{ClientNo, Pos, Req, WriteId};
use sim::{Instant, TraceHash};
use std::collections::{HashMap, VecDeque};
use std::hash::{BuildHasherDefault, Hash, Hasher};

/// A request waiting for its file.
#[derive(Clone, Debug, PartialEq, Hash)]
pub enum Queued {
    Fetch {
        client: ClientNo,
        req: Req,
    },
    Store {
        client: ClientNo,
        req: Req,
        write: WriteId,
        /// A replay's place in the file's history.
        replay: Option<Pos>,
    },
}

/// What a request asks for, the same for its retries: a client's fetch, or one write.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Asks {
    Fetch(ClientNo),
    Store(WriteId),
}

impl Queued {
    fn asks(&self) -> Asks {
        match *self {
            Queued::Fetch { client, .. } => Asks::Fetch(client),
            Queued::Store { write, .. } => Asks::Store(write),
        }
    }
}

/// Where each waiting request stands: hashed, not the ordered map the model keeps
/// elsewhere, since a popular file's line holds thousands and a tree's lookup read a
/// node per level, each on a cold line in a large cell. The hasher is fixed, and the type
/// offers no way to walk the map, so nothing of its order can reach a result.
#[derive(Default, Clone)]
struct Places(HashMap<Asks, u64, BuildHasherDefault<TraceHash>>);

impl Places {
    /// The place of `asks`, taking `back` if it has none yet.
    fn place_or(&mut self, asks: Asks, back: u64) -> u64 {
        *self.0.entry(asks).or_insert(back)
    }

    fn remove(&mut self, asks: &Asks) {
        self.0.remove(asks);
    }

    #[cfg(test)]
    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// The requests waiting for one file, each with when it (or its client's latest retry of
/// it) arrived.
#[derive(Default, Clone)]
pub struct Line {
    waiting: VecDeque<(Instant, Queued)>,
    /// Where each waiting request stands, counted from the first that ever joined.
    places: Places,
    /// How many have left from the front: `waiting[0]` stands at this place.
    left: u64,
}

impl Line {
    /// `queued` arrived at `now`: a retry replaces its earlier request where it stands,
    /// anything else joins at the back.
    pub fn join(&mut self, now: Instant, queued: Queued) {
        let back = self.left + self.waiting.len() as u64;
        let place = self.places.place_or(queued.asks(), back);
        if place == back {
            self.waiting.push_back((now, queued));
        } else {
            self.waiting[(place - self.left) as usize] = (now, queued);
        }
    }

    /// The first in line leaves it.
    pub fn pop_front(&mut self) -> Option<(Instant, Queued)> {
        let first = self.waiting.pop_front()?;
        self.places.remove(&first.1.asks());
        self.left += 1;
        Some(first)
    }
}

/// As the line itself: the index and the count of those who left only number its places.
impl Hash for Line {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.waiting.hash(state);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cell::ids::FileNo;
    use sim::TraceHash;

    fn fetch(client: u32, req: u32) -> Queued {
        Queued::Fetch {
            client: ClientNo(client),
            req: Req(req),
        }
    }

    fn store(client: u32, seq: u32, req: u32) -> Queued {
        Queued::Store {
            client: ClientNo(client),
            req: Req(req),
            write: WriteId {
                client: ClientNo(client),
                file: FileNo(0),
                seq,
            },
            replay: None,
        }
    }

    /// The line as a plain deque searched from the front, which the index replaces.
    fn join_by_walking(line: &mut VecDeque<(Instant, Queued)>, now: Instant, queued: Queued) {
        match line.iter_mut().find(|(_, q)| q.asks() == queued.asks()) {
            Some(earlier) => *earlier = (now, queued),
            None => line.push_back((now, queued)),
        }
    }

    #[test]
    fn a_retry_keeps_its_place_and_the_line_hashes_as_the_deque() {
        let mut line = Line::default();
        let mut deque = VecDeque::new();
        // Joins, retries of fetches and of writes, a client's fetch and write apart, and
        // people leaving from the front between them, so places wrap past what left.
        let steps: [(u64, Option<Queued>); 12] = [
            (1, Some(fetch(1, 1))),
            (2, Some(store(2, 7, 1))),
            (3, Some(fetch(3, 1))),
            (4, Some(fetch(1, 2))),
            (5, None),
            (6, Some(store(2, 7, 2))),
            (7, Some(store(2, 8, 3))),
            (8, Some(fetch(2, 4))),
            (9, None),
            (10, Some(fetch(1, 3))),
            (11, Some(fetch(3, 2))),
            (12, Some(store(2, 8, 4))),
        ];
        for (at, step) in steps {
            let now = Instant::from_micros(at);
            match step {
                Some(q) => {
                    join_by_walking(&mut deque, now, q.clone());
                    line.join(now, q);
                }
                None => assert_eq!(line.pop_front(), deque.pop_front()),
            }
            assert_eq!(line.waiting, deque);
            assert_eq!(TraceHash::of(&line), TraceHash::of(&deque));
        }
        assert_eq!(line.waiting.len(), 4);
        while let Some(first) = deque.pop_front() {
            assert_eq!(line.pop_front(), Some(first));
        }
        assert_eq!(line.pop_front(), None);
        assert!(line.places.is_empty());
    }
}
