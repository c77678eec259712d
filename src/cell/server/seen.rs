//! At-most-once requests: a server acts on each client request once. A network that
//! duplicates delivers a second copy of a request, perhaps after the server's answer to
//! the first has settled the client's operation: a store refused while the master was
//! recovering, then applied from its copy once it opened, is a write its client reported
//! failed that nevertheless took effect.

use crate::cell::ids::{ClientNo, Req};

/// The requests of one client a server has taken: the newest, and which of the 63
/// numbered just below it.
#[derive(Clone, Copy, Default, Hash)]
struct Window {
    /// One past the newest request's number (0: none yet).
    end: u64,
    /// Bit `i`: request `end - 1 - i` was taken.
    taken: u64,
}

/// Every client's window, volatile: a copy meant for an earlier boot of the server never
/// arrives (the network drops it), so a restarted server starts afresh.
#[derive(Clone, Default, Hash)]
pub struct Seen(Vec<Window>);

impl Seen {
    /// Hint: ask for `client`'s window, which its next request reads.
    #[inline(always)]
    pub fn warm(&self, client: ClientNo) {
        sim::prefetch_item(&self.0, client.idx());
    }

    /// Whether `req` is one to act on: the first copy of it since the server booted,
    /// and not so far behind the client's newest that a copy may have been forgotten.
    /// One that far behind is dropped as if lost (a client has a few requests in flight,
    /// so it takes a burst of more than 63 overtaking it): its client times out and asks
    /// again under a new number.
    pub fn first(&mut self, client: ClientNo, req: Req) -> bool {
        let c = client.idx();
        if c >= self.0.len() {
            self.0.resize(c + 1, Window::default());
        }
        let w = &mut self.0[c];
        let n = u64::from(req.0) + 1;
        if n > w.end {
            let shift = n - w.end;
            w.taken = if shift >= 64 { 0 } else { w.taken << shift };
            w.taken |= 1;
            w.end = n;
            return true;
        }
        let behind = w.end - n;
        if behind >= 64 || w.taken & (1 << behind) != 0 {
            return false;
        }
        w.taken |= 1 << behind;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_is_taken_once_in_any_order() {
        let mut seen = Seen::default();
        let (a, b) = (ClientNo(0), ClientNo(3));
        assert!(seen.first(a, Req(5)));
        assert!(!seen.first(a, Req(5)), "a copy");
        assert!(seen.first(a, Req(3)), "an earlier request arriving late");
        assert!(!seen.first(a, Req(3)));
        assert!(seen.first(b, Req(5)), "clients are apart");
        assert!(seen.first(a, Req(70)));
        assert!(seen.first(a, Req(7)), "63 behind: still known");
        assert!(!seen.first(a, Req(7)));
        assert!(!seen.first(a, Req(6)), "64 behind: too old to tell");
        assert!(seen.first(a, Req(1000)));
        assert!(!seen.first(a, Req(70)));
        assert!(!seen.first(a, Req(1000)));
    }
}
