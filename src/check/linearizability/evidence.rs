//! What a linearizability example names: the clusters it cites and how it words them.
//! None of it decides a verdict.

use super::{Cluster, T};
use crate::cell::ids::WriteId;

/// A cluster as an example names it: its value, its latest start, and whether a read
/// began then (else its write did).
#[derive(Clone, Copy, Debug)]
pub(super) struct Mark {
    pub value: Option<WriteId>,
    pub start: T,
    pub read: bool,
}

impl Cluster {
    pub(super) fn mark(&self) -> Mark {
        Mark {
            value: self.value,
            start: self.start,
            read: self.start > self.written,
        }
    }
}

/// The two clusters, of different values, with the latest starts among all that ended
/// before a horizon: a forgotten write was forgotten because one of these began after it
/// ended (the other, if it is that one), so a read of it is told what replaced it. Only
/// examples use it, so it is left out of the state's hash.
#[derive(Clone, Debug, Default)]
pub(super) struct Evidence([Option<Mark>; 2]);

impl Evidence {
    pub(super) fn note(&mut self, m: Mark) {
        let marks = &mut self.0;
        match marks
            .iter()
            .position(|x| x.is_some_and(|x| x.value == m.value))
        {
            Some(i) if marks[i].is_some_and(|x| m.start > x.start) => marks[i] = Some(m),
            Some(_) => {}
            None if marks[0].is_none_or(|f| m.start > f.start) => {
                marks[1] = marks[0];
                marks[0] = Some(m);
            }
            None if marks[1].is_none_or(|s| m.start > s.start) => marks[1] = Some(m),
            None => {}
        }
        if let [Some(f), Some(s)] = *marks
            && s.start > f.start
        {
            marks.swap(0, 1);
        }
    }

    /// The latest-starting cluster that is not `value`'s.
    pub(super) fn other_than(&self, value: Option<WriteId>) -> Option<Mark> {
        self.0.into_iter().flatten().find(|m| m.value != value)
    }
}

impl std::hash::Hash for Evidence {
    fn hash<H: std::hash::Hasher>(&self, _: &mut H) {}
}

pub(super) fn name(value: Option<WriteId>) -> String {
    value.map_or("the initial content".into(), |w| w.to_string())
}

/// Why cluster `a` must come before `b`.
pub(super) fn precedes(a: &Cluster, b: &Cluster) -> String {
    match a.value {
        None => format!("{} came after the initial content", name(b.value)),
        Some(w) => format!(
            "an operation on {w} ended at {} before one on {} began at {}",
            secs(a.end),
            name(b.value),
            secs(b.start)
        ),
    }
}

pub(super) fn secs(t: T) -> String {
    format!("{:.6} s", t as f64 / 1e6)
}
