//! Operations in progress, in order of invocation. The oldest one bounds the past a
//! checker can still learn about: every operation still to end, or yet to begin, was
//! invoked at or after it, so what happened before it can be summarised and forgotten.

use sim::Instant;
use std::collections::VecDeque;

/// Open operations by ticket, oldest first.
#[derive(Debug, Default, Clone, Hash)]
pub struct OpenOps {
    /// Invocation time of each ticket from `first` on, and whether it has ended.
    invoked: VecDeque<(Instant, bool)>,
    first: u64,
}

impl OpenOps {
    /// An operation invoked at `at` (never earlier than the last one): its ticket.
    pub fn open(&mut self, at: Instant) -> u64 {
        debug_assert!(self.invoked.back().is_none_or(|&(t, _)| t <= at));
        self.invoked.push_back((at, false));
        self.first + self.invoked.len() as u64 - 1
    }

    /// The operation of `ticket` ended.
    pub fn close(&mut self, ticket: u64) {
        let i = ticket
            .checked_sub(self.first)
            .expect("a ticket is closed once") as usize;
        let slot = &mut self.invoked[i].1;
        assert!(!*slot, "ticket {ticket} closed twice");
        *slot = true;
        while self.invoked.front().is_some_and(|&(_, done)| done) {
            self.invoked.pop_front();
            self.first += 1;
        }
    }

    /// The invocation of the oldest operation still open, or `now` if none is: no
    /// operation that can still end was invoked before it.
    pub fn horizon(&self, now: Instant) -> Instant {
        self.invoked.front().map_or(now, |&(at, _)| at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_horizon_is_the_oldest_open_invocation() {
        let t = Instant::from_secs;
        let mut open = OpenOps::default();
        assert_eq!(open.horizon(t(5)), t(5));
        let a = open.open(t(1));
        let b = open.open(t(2));
        let c = open.open(t(3));
        open.close(b);
        assert_eq!(open.horizon(t(9)), t(1), "b ended but a is still open");
        open.close(a);
        assert_eq!(open.horizon(t(9)), t(3));
        open.close(c);
        assert_eq!(open.horizon(t(9)), t(9));
        assert_eq!(open.invoked.len(), 0, "ended operations are forgotten");
    }
}
