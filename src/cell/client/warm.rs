//! The hint a client gives the engine about its next input (see `sim::Node::warm`).

use super::{Client, ClientVol};
use crate::cell::AfsNode;
use crate::cell::ids::FileNo;
use crate::cell::msg::{Msg, OpKind, Timer};
use sim::Next;

impl Client {
    /// Hint: the engine asked for this client's slot, its state with it, an event ago;
    /// ask now for what the handler of `next` finds through them: the tables every
    /// reply and timer reads, the breaks a grant is checked against, and the cached
    /// entry of the file the message is about or the next arrival will draw (see
    /// `sim::Node::warm`).
    #[inline(always)]
    pub fn warm(&self, v: &ClientVol, next: Next<'_, AfsNode>) {
        v.calls.warm();
        v.active.warm();
        match next {
            Next::Message { msg, .. } => {
                if let Some(file) = cached_file(msg) {
                    sim::prefetch_item(&v.breaks, 0);
                    v.cache.warm(file);
                }
            }
            Next::Timer(Timer::Arrival) => {
                // A read looks its file up in the cache first.
                if let (OpKind::Read, file) = self.next_op() {
                    v.cache.warm(file);
                }
            }
            Next::Timer(_) => {}
        }
    }
}

/// The file whose cache entry the handler of `msg` keeps or drops: a grant's, a
/// break's, and a write's answer's (its callback kept, or the older copy dropped).
#[inline(always)]
fn cached_file(msg: &Msg) -> Option<FileNo> {
    match *msg {
        Msg::FetchOk { file, .. } | Msg::CallbackBreak { file, .. } => Some(file),
        Msg::StoreOk { write, .. } => Some(write.file),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cell::ids::{ClientNo, Pos, Req, ServerNo, Term, WriteId};
    use sim::Duration;

    #[test]
    fn the_hint_names_the_file_whose_cache_entry_each_answer_changes() {
        let term = Term {
            number: 2,
            server: ServerNo(0),
        };
        let write = WriteId {
            client: ClientNo(3),
            file: FileNo(11),
            seq: 4,
        };
        let callback = Duration::from_secs(60);
        let grant = Msg::FetchOk {
            req: Req(1),
            term,
            file: FileNo(7),
            write: Some(write),
            callback,
        };
        let answer = Msg::StoreOk {
            req: Req(2),
            term,
            write,
            place: Pos { term, seq: 9 },
            durable: false,
            callback,
        };
        let brk = Msg::CallbackBreak {
            file: FileNo(5),
            write,
        };
        assert_eq!(cached_file(&grant), Some(FileNo(7)));
        assert_eq!(cached_file(&answer), Some(FileNo(11)));
        assert_eq!(cached_file(&brk), Some(FileNo(5)));
        let probe = Msg::ProbeReply {
            req: Req(3),
            term: Some(term),
        };
        assert_eq!(cached_file(&probe), None);
    }
}
