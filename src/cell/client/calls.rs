//! The requests a client has in flight: a handful at a time, so a small vector beats a
//! map.

use super::Purpose;
use crate::cell::ids::Req;
use sim::{Instant, TimerId};

/// One request in flight.
#[derive(Clone, Hash)]
pub(super) struct Call {
    pub purpose: Purpose,
    pub timer: TimerId,
    pub sent: Instant,
}

#[derive(Default, Clone, Hash)]
pub(super) struct Calls(Vec<(Req, Call)>);

impl Calls {
    pub fn insert(&mut self, req: Req, call: Call) {
        self.0.push((req, call));
    }

    pub fn remove(&mut self, req: Req) -> Option<Call> {
        let i = self.0.iter().position(|(r, _)| *r == req)?;
        Some(self.0.swap_remove(i).1)
    }

    pub fn contains(&self, req: Req) -> bool {
        self.0.iter().any(|(r, _)| *r == req)
    }

    pub fn any(&self, purpose: Purpose) -> bool {
        self.0.iter().any(|(_, c)| c.purpose == purpose)
    }

    pub fn any_where(&self, f: impl Fn(Purpose) -> bool) -> bool {
        self.0.iter().any(|(_, c)| f(c.purpose))
    }

    /// Forget every request made for `purpose`, handing each to `gone`.
    pub fn remove_all(&mut self, purpose: Purpose, mut gone: impl FnMut(Call)) {
        let mut i = 0;
        while i < self.0.len() {
            if self.0[i].1.purpose == purpose {
                gone(self.0.swap_remove(i).1);
            } else {
                i += 1;
            }
        }
    }
}
