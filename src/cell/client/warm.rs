//! The hint a client gives the engine about its next input (see `sim::Node::warm`).

use super::{Client, ClientVol};
use crate::cell::AfsNode;
use crate::cell::msg::{Msg, OpKind, Timer};
use sim::Next;

impl Client {
    /// Hint: the engine asked for this client's slot, its state with it, an event ago;
    /// ask now for what the handler of `next` finds through them: the tables every
    /// reply and timer reads, the breaks a grant is checked against, and the cached
    /// entry of the file a message names or the next arrival will draw (see
    /// `sim::Node::warm`).
    #[inline(always)]
    pub fn warm(&self, v: &ClientVol, next: Next<'_, AfsNode>) {
        v.calls.warm();
        v.active.warm();
        match next {
            Next::Message {
                msg: Msg::FetchOk { file, .. } | Msg::CallbackBreak { file, .. },
                ..
            } => {
                sim::prefetch_item(&v.breaks, 0);
                v.cache.warm(*file);
            }
            Next::Timer(Timer::Arrival) => {
                // A read looks its file up in the cache first.
                if let (OpKind::Read, file) = self.next_op() {
                    v.cache.warm(file);
                }
            }
            _ => {}
        }
    }
}
