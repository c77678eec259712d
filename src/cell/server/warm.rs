//! The hint a server gives the engine about its next input (see `sim::Node::warm`).

use super::{Server, ServerVol, view};
use crate::cell::ids::{ClientNo, FileNo};
use crate::cell::msg::Msg;
use crate::cell::{Who, who};
use sim::NodeId;

impl Server {
    /// Hint (see `sim::Node::warm`): a request from a client reads its entries of this
    /// server's per-client tables first (and, about a file, the file's entries); a
    /// replication message, the replica's entries its updates change.
    #[inline(always)]
    pub fn warm(&self, vol: &ServerVol, from: NodeId, msg: &Msg) {
        let Who::Client(c) = who(from, self.params.servers) else {
            if let Msg::Replicate { updates, .. } = msg {
                self.volume.warm(updates);
            }
            return;
        };
        vol.seen.warm(c);
        let Some(m) = &vol.master else { return };
        sim::prefetch_item(&m.leases, c.idx());
        sim::prefetch_item(&m.reset_pending, c.idx());
        m.repl.warm_append();
        // A request about a file reads its place in line, its content and its callbacks;
        // a write, its writer's record of the writes applied (is it one of them?).
        let Some((file, writer)) = request_names(msg) else {
            return;
        };
        if let Some(writer) = writer {
            self.volume.warm_writer(writer);
        }
        sim::prefetch_item(&m.files, file.idx());
        self.volume.warm_file(file);
        let home = self.params.strategy.homes().callbacks;
        view::table(home, &self.volume.grants, &m.grants).warm_callbacks(file);
    }
}

/// What a client's request is about: the file, and for a write its writer (whose record
/// of applied writes the master checks the write against).
#[inline(always)]
fn request_names(msg: &Msg) -> Option<(FileNo, Option<ClientNo>)> {
    match *msg {
        Msg::Fetch { file, .. } | Msg::Lock { file, .. } | Msg::Unlock { file, .. } => {
            Some((file, None))
        }
        Msg::Store { write, .. } => Some((write.file, Some(write.client))),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cell::ids::{LockId, LockMode, Req, WriteId};

    #[test]
    fn a_request_hints_its_file_and_a_write_its_writer() {
        let write = WriteId {
            client: ClientNo(3),
            file: FileNo(11),
            seq: 4,
        };
        let store = Msg::Store {
            req: Req(1),
            write,
            replay: None,
        };
        assert_eq!(request_names(&store), Some((FileNo(11), Some(ClientNo(3)))));
        let fetch = Msg::Fetch {
            req: Req(2),
            file: FileNo(7),
        };
        assert_eq!(request_names(&fetch), Some((FileNo(7), None)));
        let lock = Msg::Lock {
            req: Req(3),
            file: FileNo(5),
            mode: LockMode::Exclusive,
            lock: LockId {
                client: ClientNo(3),
                seq: 1,
            },
        };
        assert_eq!(request_names(&lock), Some((FileNo(5), None)));
        let ack = Msg::BreakAck {
            file: FileNo(11),
            write,
        };
        assert_eq!(request_names(&ack), None);
    }
}
